/* test_addressed.c - the addressed stage (src/core/addressed.c) through the
 * public API: realistic customer messages and agent replies, each ask
 * answered, partly answered or ignored with the reply sentence behind it;
 * needs without an ask; nothing asked; no context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "compassion.h"
#include "familiar.h"
#include "hash.h"
#include "heed/heed.h"
#include "tokenize.h"

int heed__addressed_table_ok(void);
size_t heed__addressed_cues_at(const uint32_t *starts, const heed_token *toks, size_t i,
                               size_t hi, uint32_t *ev, uint32_t *topics);
const char *heed__addressed_cue(size_t k);

#include "engine_fixture.h"
#include "test_words.h"

static const char *const STATUS[] = {"nothing_asked", "answered", "partly", "ignored"};

/* One pair: the overall status, then per ask "ask|status|reply sentence"
 * joined by newlines (reply "" when none). */
typedef struct acase {
    const char *ctx, *reply;
    const char *status;
    const char *want;
} acase;

static const acase CASES[] = {
    /* the ignored question */
    {"Can I get a refund?", "Thanks for contacting us, we value your feedback.", "ignored",
     "Can I get a refund?|ignored|"},
    {"Can I get a refund?", "Yes, I have refunded your order today.", "answered",
     "Can I get a refund?|answered|Yes, I have refunded your order today."},
    {"Can I get a refund?", "Unfortunately we cannot refund opened items.", "answered",
     "Can I get a refund?|answered|Unfortunately we cannot refund opened items."},
    /* on topic with a yes, but the customer is sent elsewhere to get it */
    {"Can I get a refund?", "Yes, refunds are possible, but you will need to contact your bank.",
     "partly",
     "Can I get a refund?|partly|Yes, refunds are possible, but you will need to contact your "
     "bank."},
    /* two questions, one answered */
    {"Where is my parcel? And can I change the delivery address?",
     "Your parcel is with the courier and will arrive tomorrow. Have a nice day!", "partly",
     "Where is my parcel?|answered|Your parcel is with the courier and will arrive tomorrow.\n"
     "can I change the delivery address?|ignored|"},
    {"Where is my parcel? And can I change the delivery address?",
     "Your parcel is with the courier and will arrive tomorrow. I have updated the delivery "
     "address to the one you gave.",
     "answered",
     "Where is my parcel?|answered|Your parcel is with the courier and will arrive tomorrow.\n"
     "can I change the delivery address?|answered|I have updated the delivery address to the one "
     "you gave."},
    /* question types */
    {"When will my refund arrive?", "We are looking into your refund.", "partly",
     "When will my refund arrive?|partly|We are looking into your refund."},
    {"When will my refund arrive?",
     "Your refund was issued today and will reach your card within 5 working days.", "answered",
     "When will my refund arrive?|answered|Your refund was issued today and will reach your card "
     "within 5 working days."},
    {"How do I reset my password?", "Go to Settings, tap Security and choose Reset password.",
     "answered",
     "How do I reset my password?|answered|Go to Settings, tap Security and choose "
     "Reset password."},
    {"How do I reset my password?", "Passwords keep your account safe.", "partly",
     "How do I reset my password?|partly|Passwords keep your account safe."},
    {"Why was I charged twice? How much will I get back?",
     "The second charge was due to a payment retry. You will get €49.99 back.", "answered",
     "Why was I charged twice?|answered|The second charge was due to a payment retry.\n"
     "How much will I get back?|answered|You will get €49.99 back."},
    {"Where's my order?? It's been two weeks!",
     "You can track it here: https://track.example.com/AB12", "answered",
     "Where's my order??|answered|You can track it here: https://track.example.com/AB12"},
    {"Is the blender compatible with the 220V plug?",
     "Could you tell me which blender model you have?", "partly",
     "Is the blender compatible with the 220V plug?|partly|Could you tell me which blender model "
     "you have?"},
    /* a generic ask points to the message's need */
    {"My blender stopped working after a week. Can you help?",
     "Sorry about that. I will send you a replacement blender tomorrow.", "answered",
     "Can you help?|answered|I will send you a replacement blender tomorrow."},
    /* a need without an ask */
    {"My parcel never arrived and I am so upset.",
     "I am sorry to hear that. I have sent a replacement today, it will arrive by Friday.",
     "answered",
     "My parcel never arrived and I am so upset.|answered|I have sent a replacement today, it "
     "will arrive by Friday."},
    {"My parcel never arrived and I am so upset.", "Thank you for your message.", "ignored",
     "My parcel never arrived and I am so upset.|ignored|"},
    /* generic replies to a specific ask */
    {"Hi, I ordered a sofa 3 weeks ago and it still has not arrived. When will it be delivered?",
     "We apologise for the delay. Our team is working hard to process all orders.", "ignored",
     "When will it be delivered?|ignored|"},
    {"Hi, I ordered a sofa 3 weeks ago and it still has not arrived. When will it be delivered?",
     "I am sorry about the wait. Your sofa is booked for delivery on Thursday between 8am and "
     "12pm.",
     "answered",
     "When will it be delivered?|answered|Your sofa is booked for delivery on Thursday between "
     "8am and 12pm."},
    {"Can you cancel my subscription please?",
     "Before you go, did you know we have a cheaper plan?", "ignored",
     "Can you cancel my subscription please?|ignored|"},
    {"Can you cancel my subscription please?",
     "I have cancelled your subscription, you will not be charged again.", "answered",
     "Can you cancel my subscription please?|answered|I have cancelled your subscription, you "
     "will not be charged again."},
    /* steps answer a request; the words that named the need put them on topic */
    {"The app keeps crashing when I open it. Please fix it!",
     "Please try to uninstall and reinstall the app. If the problem continues, reply here.",
     "answered", "Please fix it|answered|Please try to uninstall and reinstall the app."},
    /* nothing asked */
    {"Thanks so much, you were great!", "You are welcome, have a lovely day.", "nothing_asked", ""},
};

static void test_pairs(void **state)
{
    (void)state;
    assert_true(heed__addressed_table_ok());
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        heed_analyze_opts o = {0};
        o.role = HEED_ROLE_AGENT;
        o.context = CASES[i].ctx;
        o.context_len = strlen(CASES[i].ctx);
        heed_analysis *an;
        heed_error err;
        assert_int_equal(heed_analyze(eng, CASES[i].reply, strlen(CASES[i].reply), &o, &an, &err),
                         HEED_OK);
        const heed_result *r = heed_analysis_result(an);
        const heed_addressed *ad = &r->addressed;
        assert_true(ad->available);
        char got[2048] = "";
        for (size_t k = 0; k < ad->n; k++) {
            const heed_ask_match *m = &ad->items[k];
            char one[512];
            assert_true(m->why != NULL);
            assert_true(m->status >= HEED_ADDR_ANSWERED && m->status <= HEED_ADDR_IGNORED);
            assert_true(m->status == HEED_ADDR_IGNORED ? m->reply_len == 0 : m->reply_len > 0);
            snprintf(one, sizeof one, "%s%.*s|%s|%.*s", k ? "\n" : "", (int)m->ask_len,
                     r->context + m->ask_start, STATUS[m->status], (int)m->reply_len,
                     r->text + m->reply_start);
            strncat(got, one, sizeof got - strlen(got) - 1);
        }
        if (strcmp(STATUS[ad->status], CASES[i].status) || strcmp(got, CASES[i].want))
            fail_msg("ctx '%s' / reply '%s':\n got  %s '%s'\n want %s '%s'", CASES[i].ctx,
                     CASES[i].reply, STATUS[ad->status], got, CASES[i].status, CASES[i].want);
        heed_analysis_free(an);
    }
}

/* The why of an answer names the kind of answer; of a miss, the miss. */
static void test_why(void **state)
{
    (void)state;
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    o.context = "When will my refund arrive?";
    o.context_len = strlen(o.context);
    const char *t = "We are looking into your refund.";
    heed_analysis *an;
    heed_error err;
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    const heed_addressed *ad = &heed_analysis_result(an)->addressed;
    assert_int_equal(ad->n, 1);
    assert_int_equal(ad->items[0].need, HEED_NEED_REFUND);
    assert_string_equal(ad->items[0].why, "on topic, but gives no time");
    heed_analysis_free(an);
}

/* No context: not available; skipped: not available; customer turn: none. */
static void test_availability(void **state)
{
    (void)state;
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    const char *t = "Your refund is on its way.";
    heed_analysis *an;
    heed_error err;
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    assert_false(heed_analysis_result(an)->addressed.available);
    heed_analysis_free(an);
    o.context = "Can I get a refund?";
    o.context_len = strlen(o.context);
    o.skip = HEED_STAGE_ADDRESSED;
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    assert_false(heed_analysis_result(an)->addressed.available);
    assert_true(heed_analysis_result(an)->familiar.available);
    heed_analysis_free(an);
    o.skip = HEED_STAGE_NEEDS; /* no asks, no needs: nothing to judge */
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    assert_false(heed_analysis_result(an)->addressed.available);
    heed_analysis_free(an);
    o.skip = 0;
    o.role = HEED_ROLE_CUSTOMER;
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    assert_false(heed_analysis_result(an)->addressed.available);
    heed_analysis_free(an);
}

/* Many asks: the list stops at its limit, without failing. */
static void test_many_asks(void **state)
{
    (void)state;
    char ctx[8192] = "";
    for (int i = 0; i < 60; i++)
        strcat(ctx, "Where is my parcel? ");
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    o.context = ctx;
    o.context_len = strlen(ctx);
    const char *t = "It arrives tomorrow.";
    heed_analysis *an;
    heed_error err;
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    const heed_addressed *ad = &heed_analysis_result(an)->addressed;
    assert_int_equal(ad->n, 32);
    assert_int_equal(ad->status, HEED_ADDR_ANSWERED);
    heed_analysis_free(an);
}

/* The compassion cues and promises, once their stages fill them, count as
 * evidence: a refund promise with a due time answers "when will my refund
 * arrive?" in a sentence with no words of its own. */
static void test_reply_stages_fold_in(void **state)
{
    (void)state;
    heed_analysis *ca, *ra;
    heed_error err;
    const char *ctx = "When will my refund arrive?", *text = "Leave that with me.";
    assert_int_equal(heed_analyze(eng, ctx, strlen(ctx), NULL, &ca, &err), HEED_OK);
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &ra, &err), HEED_OK);
    const heed_result *c = heed_analysis_result(ca);
    assert_int_equal(c->needs.n_asks, 1);
    heed_result r = *heed_analysis_result(ra);
    heed_arena a;
    heed__arena_init(&a, 0);
    assert_int_equal(heed__addressed(NULL, &a, &r, c), HEED_OK);
    assert_int_equal(r.addressed.status, HEED_ADDR_IGNORED);

    heed_promise p = {0};
    p.start = 0;
    p.len = (uint32_t)strlen(text);
    p.kind = HEED_PROMISE_REFUND;
    p.due_start = 0;
    p.due_len = 5;
    r.promises = (heed_promises){1, &p, 1};
    assert_int_equal(heed__addressed(NULL, &a, &r, c), HEED_OK);
    assert_int_equal(r.addressed.status, HEED_ADDR_ANSWERED);
    assert_string_equal(r.addressed.items[0].why, "gives a time");

    /* a time-frame cue without a promise: a time, but off topic */
    r.promises = (heed_promises){0, NULL, 0};
    heed_cue cue = {0, 5, HEED_COMP_TIME_FRAME, 0, 1, "time frame"};
    r.compassion.available = 1;
    r.compassion.cues = &cue;
    r.compassion.n_cues = 1;
    assert_int_equal(heed__addressed(NULL, &a, &r, c), HEED_OK);
    assert_int_equal(r.addressed.items[0].status, HEED_ADDR_PARTLY);
    assert_string_equal(r.addressed.items[0].why, "answers, but not about what was asked");
    cue.flags = HEED_CUE_SUPPRESSED; /* "I can't say when": no evidence */
    assert_int_equal(heed__addressed(NULL, &a, &r, c), HEED_OK);
    assert_int_equal(r.addressed.status, HEED_ADDR_IGNORED);
    heed__arena_release(&a);
    heed_analysis_free(ca);
    heed_analysis_free(ra);
}

/* The cue search behind the first-byte and length check, by the word's key,
 * finds what the search without them finds, at every token of 20,000 random
 * texts made of the cues' words, their prefixes and longer forms, commas and
 * other words, and of every cue with a word after it. */
static void test_cue_starts(void **state)
{
    (void)state;
    uint32_t starts[HEED_CUE_STARTS];
    heed__addressed_cue_starts(starts);
    assert_int_equal(starts[512], 1); /* every prefix has its key: the search by key runs */
    /* the range of each first byte holds exactly the cues with that byte */
    for (size_t k = 0; heed__addressed_cue(k); k++) {
        const uint32_t rg = starts[256 + (unsigned char)heed__addressed_cue(k)[0]];
        assert_true((rg >> 16) <= k && k < (rg & 0xFFFFu));
    }
    for (unsigned b = 0; b < 256; b++) {
        const uint32_t rg = starts[256 + b];
        for (size_t k = rg >> 16; k < (rg & 0xFFFFu); k++)
            assert_int_equal((unsigned char)heed__addressed_cue(k)[0], b);
    }
    enum { MAXW = 2048 };
    static char words[MAXW][40];
    size_t nw = 0;
    static const char *const other[] = {"the", "a", "you", "we", "order", ",", ".", "?", "it",
                                        "is", "x", "refunds", "days", "can't", "2", "cancel"};
    for (size_t k = 0; nw < MAXW - 64 && heed__addressed_cue(k); k++) {
        const char *p = heed__addressed_cue(k);
        while (*p && nw < MAXW - 64) {
            size_t n = strcspn(p, " ");
            if (n < sizeof words[0] - 2) {
                memcpy(words[nw], p, n); /* the word (with its comma, if any) */
                words[nw++][n] = 0;
                if (n > 1) { /* a prefix, and a longer form */
                    memcpy(words[nw], p, n - 1);
                    words[nw++][n - 1] = 0;
                    memcpy(words[nw], p, n);
                    memcpy(words[nw] + n, "s", 2);
                    nw++;
                }
            }
            p += n;
            while (*p == ' ')
                p++;
        }
    }
    for (size_t k = 0; k < sizeof other / sizeof other[0]; k++)
        snprintf(words[nw++], sizeof words[0], "%s", other[k]);
    static const char *wp[MAXW];
    for (size_t k = 0; k < nw; k++)
        wp[k] = words[k];
    uint64_t rs = 5;
    char text[1024];
    size_t found = 0;
    for (int round = 0; round < 20000 + 400; round++) {
        size_t o = 0;
        if (round >= 20000) { /* each cue, then a word */
            const char *p = heed__addressed_cue((size_t)(round - 20000));
            if (!p)
                break;
            o = (size_t)snprintf(text, sizeof text, "%s thanks", p);
        } else {
            o = test_text(text, sizeof text, wp, nw, 12, &rs);
        }
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *toks;
        size_t nt;
        assert_int_equal(heed__tokenize(&a, text, o, &toks, &nt), HEED_OK);
        for (size_t i = 0; i < nt; i++) {
            uint32_t ev1 = 0, tp1 = 0, ev2 = 0, tp2 = 0;
            size_t m1 = heed__addressed_cues_at(starts, toks, i, nt, &ev1, &tp1);
            size_t m2 = heed__addressed_cues_at(NULL, toks, i, nt, &ev2, &tp2);
            if (m1 != m2 || ev1 != ev2 || tp1 != tp2)
                fail_msg("\"%s\" at token %zu: %zu tokens, without the check %zu", text, i, m1,
                         m2);
            found += m2 != 0;
        }
        heed__arena_release(&a);
    }
    assert_true(found > 10000);
}

/* The token hashes of r, as the engine hands them to the reply stages. */
static uint64_t *hashes_of(heed_arena *a, const heed_result *r)
{
    uint64_t *th = heed__arena_alloc(a, (r->n_tokens + 1) * sizeof *th);
    assert_non_null(th);
    for (size_t i = 0; i < r->n_tokens; i++)
        th[i] = heed__hash(r->tokens[i].norm, r->tokens[i].norm_len);
    return th;
}

/* The reply stages given the tokens' hashes (as the engine runs them) find
 * what they find making the hashes themselves: familiar language and
 * addressed with the engine's cue index, and compassion with its phrase
 * index, on replies to customer messages. */
static void test_given_hashes(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"When will my refund arrive? My order #55123 was cancelled.",
         "Hi Jane, I've processed your refund for order 55123; it takes 3-5 business days. "
         "Please check the RMA portal."},
        {"Hi, I'm Tom. The app crashes with ERR_5012 when I log in. Can you fix it?",
         "Hello Tom, sorry about that! Error ERR_5012 means the session expired: clear the cache "
         "and sign in again. We'll update the app by Friday."},
        {"Where is my parcel? The courier says delivered but nothing arrived.",
         "Unfortunately there's nothing we can do, it's our policy. You need to contact the "
         "courier."},
        {"Why was I charged twice for my subscription?",
         "Thanks for reaching out. The second charge is a temporary hold and will drop off."},
    };
    heed_familiar_index *x;
    heed_compassion_index *cx;
    assert_int_equal(heed__familiar_new(&x), HEED_OK);
    assert_int_equal(heed__compassion_new(&cx), HEED_OK);
    heed_error err;
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        heed_analysis *ca, *ra;
        assert_int_equal(heed_analyze(eng, pairs[k][0], strlen(pairs[k][0]), NULL, &ca, &err),
                         HEED_OK);
        assert_int_equal(heed_analyze(eng, pairs[k][1], strlen(pairs[k][1]), NULL, &ra, &err),
                         HEED_OK);
        const heed_result *c = heed_analysis_result(ca);
        heed_result r1 = *heed_analysis_result(ra), r2 = r1;
        heed_arena a;
        heed__arena_init(&a, 0);
        const uint64_t *rth = hashes_of(&a, &r2), *cth = hashes_of(&a, c);
        assert_int_equal(heed__compassion(cx, &a, &r1, c), HEED_OK);
        assert_int_equal(heed__compassion_th(cx, &a, &r2, c, rth), HEED_OK);
        assert_int_equal(heed__familiar(x, &a, &r1, c), HEED_OK);
        assert_int_equal(heed__familiar_th(x, &a, &r2, c, rth, cth), HEED_OK);
        assert_int_equal(heed__addressed(x, &a, &r1, c), HEED_OK);
        assert_int_equal(heed__addressed_th(x, &a, &r2, c, rth, cth), HEED_OK);

        const heed_compassion *p1 = &r1.compassion, *p2 = &r2.compassion;
        assert_int_equal(p1->signals, p2->signals);
        assert_true(p1->score == p2->score);
        assert_int_equal(p1->n_cues, p2->n_cues);
        for (size_t i = 0; i < p1->n_cues; i++) {
            assert_int_equal(p1->cues[i].start, p2->cues[i].start);
            assert_int_equal(p1->cues[i].len, p2->cues[i].len);
            assert_int_equal(p1->cues[i].component, p2->cues[i].component);
            assert_int_equal(p1->cues[i].flags, p2->cues[i].flags);
        }
        const heed_familiar *f1 = &r1.familiar, *f2 = &r2.familiar;
        assert_true(f1->grade == f2->grade && f1->reading_ease == f2->reading_ease);
        assert_true(f1->simhash == f2->simhash);
        assert_int_equal(f1->n_jargon, f2->n_jargon);
        for (size_t i = 0; i < f1->n_jargon; i++) {
            assert_int_equal(f1->jargon[i].start, f2->jargon[i].start);
            assert_int_equal(f1->jargon[i].len, f2->jargon[i].len);
            assert_string_equal(f1->jargon[i].what, f2->jargon[i].what);
        }
        assert_int_equal(f1->n_personal, f2->n_personal);
        for (size_t i = 0; i < f1->n_personal; i++) {
            assert_int_equal(f1->personal[i].start, f2->personal[i].start);
            assert_int_equal(f1->personal[i].len, f2->personal[i].len);
            assert_string_equal(f1->personal[i].what, f2->personal[i].what);
        }
        const heed_addressed *d1 = &r1.addressed, *d2 = &r2.addressed;
        assert_int_equal(d1->available, d2->available);
        assert_int_equal(d1->status, d2->status);
        assert_int_equal(d1->n, d2->n);
        for (size_t i = 0; i < d1->n; i++) {
            assert_int_equal(d1->items[i].status, d2->items[i].status);
            assert_int_equal(d1->items[i].reply_start, d2->items[i].reply_start);
            assert_int_equal(d1->items[i].reply_len, d2->items[i].reply_len);
            assert_string_equal(d1->items[i].why, d2->items[i].why);
        }
        assert_true(f1->n_jargon + f1->n_personal + d1->n + p1->n_cues > 0);
        heed__arena_release(&a);
        heed_analysis_free(ca);
        heed_analysis_free(ra);
    }
    heed__compassion_free(cx);
    heed__familiar_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_why),
        cmocka_unit_test(test_availability),
        cmocka_unit_test(test_many_asks),
        cmocka_unit_test(test_reply_stages_fold_in),
        cmocka_unit_test(test_cue_starts),
        cmocka_unit_test(test_given_hashes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
