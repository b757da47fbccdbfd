/* fuzz_compassion.c - libFuzzer target for the compassion and promises stages
 * through heed_analyze on an agent turn with a message time: any bytes
 * (invalid UTF-8 repaired) must give results that keep their documented
 * invariants: score in 0..100, cues in text order inside the text with known
 * signals, suppressed cues worth nothing and outside `signals`, promises of
 * known kinds whose spans lie inside the text. The first 4 bytes, when there
 * are more, choose the writer's UTC offset. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heed/heed.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const heed_result *r, uint32_t start, uint32_t len)
{
    return (size_t)start + len <= r->text_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > ((size_t)1 << 20))
        return 0;
    static heed_engine *eng; /* built once: the fuzzer calls this many times */
    if (!eng && heed_engine_new(NULL, &eng, NULL) != HEED_OK)
        abort();
    heed_analyze_opts o = {.flags = HEED_ANALYZE_REPLACE_INVALID, .role = HEED_ROLE_AGENT};
    o.has_time = 1;
    o.time = 1788254240; /* 2026-09-01T09:17:20Z */
    if (size > 4) {
        o.tz_offset_min = (int)(((uint32_t)data[0] << 8 | data[1]) % 1681) - 840;
        o.time += (int64_t)((uint32_t)data[2] << 8 | data[3]) * 3600;
    }
    heed_analysis *an = NULL;
    int rc = heed_analyze(eng, (const char *)data, size, &o, &an, NULL);
    if (rc == HEED_ETOOBIG)
        return 0;
    CHECK(rc == HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    const heed_compassion *co = &r->compassion;
    if (co->available) {
        CHECK(co->score >= 0.0 && co->score <= 100.0);
        CHECK((co->n_cues == 0) == (co->cues == NULL));
        CHECK(co->signals < (1u << HEED_COMP_COUNT));
        uint32_t seen = 0;
        for (size_t i = 0; i < co->n_cues; i++) {
            const heed_cue *c = &co->cues[i];
            CHECK(c->component < HEED_COMP_COUNT);
            CHECK(c->what != NULL && c->what[0]);
            CHECK(c->len > 0 && inside(r, c->start, c->len));
            CHECK(i == 0 || c->start >= co->cues[i - 1].start);
            if (c->flags & HEED_CUE_SUPPRESSED)
                CHECK(c->weight == 0.0f);
            else
                seen |= 1u << c->component;
        }
        CHECK(seen == co->signals);
    }
    const heed_promises *pr = &r->promises;
    if (pr->available) {
        CHECK((pr->n == 0) == (pr->items == NULL));
        for (size_t i = 0; i < pr->n; i++) {
            const heed_promise *p = &pr->items[i];
            CHECK(p->kind >= 0 && p->kind < HEED_PROMISE_COUNT);
            CHECK(p->len > 0 && inside(r, p->start, p->len));
            CHECK(inside(r, p->object_start, p->object_len));
            CHECK(inside(r, p->due_start, p->due_len));
            CHECK(!p->has_due || p->due_len > 0);
        }
    }
    heed_analysis_free(an);
    return 0;
}
