/* fuzz_reply.c - libFuzzer target for the reply stages and the reply checker
 * through heed_check_reply: the input is split at its first NUL byte (or in
 * half) into the customer's message and a draft reply, any bytes (invalid
 * UTF-8 is an error, then retried repaired through heed_analyze). Every span
 * of every reply stage and suggestion must lie inside the text it names,
 * levels and scores in their ranges, and counts match their arrays. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heed/heed.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond))                                                                           \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void span_in(uint32_t start, uint32_t len, size_t text_len)
{
    CHECK((size_t)start + len <= text_len);
}

static void cues_in(const heed_cue *c, size_t n, size_t text_len, unsigned n_comp)
{
    CHECK((n == 0) || c != NULL);
    for (size_t i = 0; i < n; i++) {
        span_in(c[i].start, c[i].len, text_len);
        CHECK(n_comp == 0 || c[i].component < n_comp);
    }
}

static void check_reply(const heed_result *r)
{
    const heed_empathy *e = &r->empathy;
    if (e->available) {
        for (int m = 0; m < HEED_EMPATHY_COUNT; m++) {
            CHECK(e->level[m] >= 0 && e->level[m] <= 2);
            for (int l = 0; l < 3; l++)
                CHECK(e->prob[m][l] >= 0.0f && e->prob[m][l] <= 1.0f);
        }
        cues_in(e->spans, e->n_spans, r->text_len, HEED_EMPATHY_COUNT);
    }
    const heed_compassion *c = &r->compassion;
    if (c->available) {
        CHECK(c->score >= 0.0 && c->score <= 100.0);
        CHECK(c->signals < (1u << HEED_COMP_COUNT));
        cues_in(c->cues, c->n_cues, r->text_len, HEED_COMP_COUNT);
    }
    const heed_promises *p = &r->promises;
    if (p->available) {
        CHECK(p->n == 0 || p->items);
        for (size_t i = 0; i < p->n; i++) {
            const heed_promise *q = &p->items[i];
            CHECK(q->kind >= 0 && q->kind < HEED_PROMISE_COUNT);
            span_in(q->start, q->len, r->text_len);
            span_in(q->object_start, q->object_len, r->text_len);
            span_in(q->due_start, q->due_len, r->text_len);
        }
    }
    const heed_familiar *f = &r->familiar;
    if (f->available) {
        CHECK(f->n_jargon == 0 || f->jargon);
        for (size_t i = 0; i < f->n_jargon; i++) {
            span_in(f->jargon[i].start, f->jargon[i].len, r->text_len);
            CHECK(f->jargon[i].what != NULL);
        }
        cues_in(f->personal, f->n_personal, r->text_len, 0);
    }
    const heed_addressed *a = &r->addressed;
    if (a->available) {
        CHECK(a->status >= 0 && a->status < HEED_ADDR_COUNT);
        CHECK(r->context != NULL);
        for (size_t i = 0; i < a->n; i++) {
            span_in(a->items[i].ask_start, a->items[i].ask_len, r->context_len);
            span_in(a->items[i].reply_start, a->items[i].reply_len, r->text_len);
            CHECK(a->items[i].status >= 0 && a->items[i].status < HEED_ADDR_COUNT);
            CHECK(a->items[i].need >= 0 && a->items[i].need < HEED_NEED_COUNT);
        }
    }
    for (size_t i = 0; i < r->n_suggestions; i++) {
        const heed_suggestion *s = &r->suggestions[i];
        CHECK(s->code && s->text && s->text[0]);
        CHECK(s->priority >= 1 && s->priority <= 3);
        CHECK(i == 0 || r->suggestions[i - 1].priority <= s->priority);
        span_in(s->start, s->len, s->in_context ? r->context_len : r->text_len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > ((size_t)1 << 16))
        return 0;
    static heed_engine *eng; /* built once: the fuzzer calls this many times */
    if (!eng && heed_engine_new(NULL, &eng, NULL) != HEED_OK)
        abort();
    const char *s = (const char *)data;
    const char *nul = memchr(s, 0, size);
    size_t cl = nul ? (size_t)(nul - s) : size / 2;
    const char *draft = s + cl + (nul ? 1 : 0);
    size_t dl = size - (size_t)(draft - s);
    heed_analyze_opts o = {.has_time = 1, .time = 1788254240, .tz_offset_min = 120};
    heed_analysis *an = NULL;
    int rc = heed_check_reply(eng, s, cl, draft, dl, &o, &an, NULL);
    if (rc == HEED_OK) {
        check_reply(heed_analysis_result(an));
        heed_analysis_free(an);
        return 0;
    }
    CHECK(rc == HEED_EUTF8 && an == NULL);
    /* invalid UTF-8: the draft repaired, as an agent turn with the raw context */
    o.flags = HEED_ANALYZE_REPLACE_INVALID;
    o.role = HEED_ROLE_AGENT;
    o.context = s;
    o.context_len = cl;
    CHECK(heed_analyze(eng, draft, dl, &o, &an, NULL) == HEED_OK);
    check_reply(heed_analysis_result(an));
    heed_analysis_free(an);
    return 0;
}
