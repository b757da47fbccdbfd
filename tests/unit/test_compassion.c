/* test_compassion.c - the compassion and promises stages through heed_analyze
 * on agent turns: each signal with positives, negations, hypotheticals and
 * near-misses; suppressed cues; the score; promises with kind, object and due
 * times resolved against a fixed message time and UTC offsets (weekends,
 * month and year ends); the clause words' switch against their list, the
 * word lists' first-byte masks; the phrases read once per engine against
 * their patterns read at each match; the promises' commitment rule against
 * its first form, and the commitment words by first byte against their list. */
#define _DEFAULT_SOURCE /* timegm */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "arena.h"
#include "compassion.h"
#include "heed/heed.h"
#include "timexpr.h"
#include "tokenize.h"

#include "engine_fixture.h"
#include "test_words.h"

/* Unix seconds of a UTC civil time. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

/* 2026-09-01T09:17:20Z, a Tuesday. */
#define T0 utc(2026, 9, 1, 9, 17, 20)

static heed_analysis *reply_at(const char *text, int has_time, int64_t t, int tz)
{
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    o.has_time = has_time;
    o.time = t;
    o.tz_offset_min = tz;
    heed_analysis *an = NULL;
    heed_error err;
    assert_int_equal(heed_analyze(eng, text, strlen(text), &o, &an, &err), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->compassion.available, 1);
    assert_int_equal(r->promises.available, 1);
    return an;
}

static heed_analysis *reply(const char *text)
{
    return reply_at(text, 1, T0, 0);
}

/* ---------------------------------------------------------------- signals */

typedef struct sig_case {
    const char *text;
    int signal;
    int found;      /* in r->compassion.signals */
    int suppressed; /* a suppressed cue of the signal is present */
} sig_case;

static const sig_case SIG_CASES[] = {
    /* ownership */
    {"I'll look into this for you right away.", HEED_COMP_OWNERSHIP, 1, 0},
    {"I've checked your account and everything is in order.", HEED_COMP_OWNERSHIP, 1, 0},
    {"Let me check that with the warehouse.", HEED_COMP_OWNERSHIP, 1, 0},
    {"I have personally escalated your complaint.", HEED_COMP_OWNERSHIP, 1, 0},
    {"Let me know if that works.", HEED_COMP_OWNERSHIP, 0, 0},
    {"I'll be honest with you, it is a busy week.", HEED_COMP_OWNERSHIP, 0, 0},
    {"I won't check the account again.", HEED_COMP_OWNERSHIP, 0, 0},
    /* action */
    {"I've issued a refund of $30 to your card.", HEED_COMP_ACTION, 1, 0},
    {"I've sent a replacement by courier.", HEED_COMP_ACTION, 1, 0},
    {"I've escalated this with reference ESC-4410.", HEED_COMP_ACTION, 1, 0},
    {"Your account has been unlocked.", HEED_COMP_ACTION, 1, 0},
    {"We have cancelled your order as requested.", HEED_COMP_ACTION, 1, 0},
    {"I've applied a credit of £10 to your bill.", HEED_COMP_ACTION, 1, 0},
    {"A replacement is on its way to you.", HEED_COMP_ACTION, 1, 0},
    {"I can't promise a refund.", HEED_COMP_ACTION, 0, 1},
    {"If we could refund you we would.", HEED_COMP_ACTION, 0, 1},
    {"We don't usually escalate these cases.", HEED_COMP_ACTION, 0, 1},
    {"Our refund policy is on the website.", HEED_COMP_ACTION, 0, 0},
    {"The merchant has to process the refund.", HEED_COMP_ACTION, 0, 0},
    /* next step */
    {"Please reply with a photo of the label.", HEED_COMP_NEXT_STEP, 1, 0},
    {"Just click the link in the email to reschedule.", HEED_COMP_NEXT_STEP, 1, 0},
    {"Could you send me your order number?", HEED_COMP_NEXT_STEP, 1, 0},
    {"Please don't reply to this email.", HEED_COMP_NEXT_STEP, 0, 0},
    {"Please accept our apologies.", HEED_COMP_NEXT_STEP, 0, 0},
    /* time frame */
    {"Your refund will arrive by Friday.", HEED_COMP_TIME_FRAME, 1, 0},
    {"You will hear from us within 24 hours.", HEED_COMP_TIME_FRAME, 1, 0},
    {"I'll call you tomorrow before 1pm.", HEED_COMP_TIME_FRAME, 1, 0},
    {"I can't promise anything by Friday.", HEED_COMP_TIME_FRAME, 0, 1},
    {"You contacted us on Monday about this.", HEED_COMP_TIME_FRAME, 0, 0},
    {"It will arrive shortly.", HEED_COMP_TIME_FRAME, 0, 0},
    /* resolution */
    {"The issue is now resolved.", HEED_COMP_RESOLUTION, 1, 0},
    {"You should now be able to log in.", HEED_COMP_RESOLUTION, 1, 0},
    {"We can offer you a full refund or a replacement.", HEED_COMP_RESOLUTION, 1, 0},
    {"Once it is resolved we will email you.", HEED_COMP_RESOLUTION, 0, 1},
    {"The problem has not been resolved yet.", HEED_COMP_RESOLUTION, 0, 0},
    /* offer of help */
    {"How else can I help?", HEED_COMP_OFFER_HELP, 1, 0},
    {"Is there anything else I can help you with?", HEED_COMP_OFFER_HELP, 1, 0},
    {"Don't hesitate to get in touch.", HEED_COMP_OFFER_HELP, 1, 0},
    {"I'm afraid there isn't anything else we can do.", HEED_COMP_OFFER_HELP, 0, 1},
    /* deflection */
    {"Please contact our other department about this.", HEED_COMP_DEFLECTION, 1, 0},
    {"You'll need to call your bank.", HEED_COMP_DEFLECTION, 1, 0},
    {"That's not something we handle.", HEED_COMP_DEFLECTION, 1, 0},
    {"You won't need to contact your bank.", HEED_COMP_DEFLECTION, 0, 1},
    {"I've contacted the courier for you.", HEED_COMP_DEFLECTION, 0, 0},
    {"Please contact us if anything changes.", HEED_COMP_DEFLECTION, 0, 0},
    /* policy wall */
    {"Unfortunately our policy does not allow refunds after 30 days.", HEED_COMP_POLICY_WALL, 1, 0},
    {"As per our policy, we cannot exchange gift cards.", HEED_COMP_POLICY_WALL, 1, 0},
    {"I've made an exception to our policy for you.", HEED_COMP_POLICY_WALL, 0, 0},
    /* blame */
    {"You should have checked the address.", HEED_COMP_BLAME, 1, 0},
    {"As stated in the terms you agreed to, the fee applies.", HEED_COMP_BLAME, 1, 0},
    {"You should have received an email from us.", HEED_COMP_BLAME, 0, 0},
    {"This is not your fault at all.", HEED_COMP_BLAME, 0, 1},
    {"You shouldn't have to wait this long.", HEED_COMP_BLAME, 0, 0},
    /* nothing we can do */
    {"There's nothing we can do about it.", HEED_COMP_NOTHING_WE_CAN_DO, 1, 0},
    {"Once it has shipped there's nothing we can do.", HEED_COMP_NOTHING_WE_CAN_DO, 1, 0},
    {"I'm not saying there's nothing we can do.", HEED_COMP_NOTHING_WE_CAN_DO, 0, 1},
    {"There's nothing you need to do.", HEED_COMP_NOTHING_WE_CAN_DO, 0, 0},
    /* generic apology */
    {"We're sorry for the inconvenience.", HEED_COMP_GENERIC_APOLOGY, 1, 0},
    {"Sorry about that, I've issued your refund.", HEED_COMP_GENERIC_APOLOGY, 0, 0},
    {"Sorry, could you send me a photo of the box?", HEED_COMP_GENERIC_APOLOGY, 0, 0},
    {"There's no need to apologise.", HEED_COMP_GENERIC_APOLOGY, 0, 0},
};

static int has_suppressed(const heed_result *r, int sig)
{
    for (size_t i = 0; i < r->compassion.n_cues; i++)
        if (r->compassion.cues[i].component == sig &&
            (r->compassion.cues[i].flags & HEED_CUE_SUPPRESSED))
            return 1;
    return 0;
}

static void signals(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof SIG_CASES / sizeof SIG_CASES[0]; k++) {
        const sig_case *c = &SIG_CASES[k];
        heed_analysis *an = reply(c->text);
        const heed_result *r = heed_analysis_result(an);
        int found = (r->compassion.signals >> c->signal) & 1u;
        if (found != c->found || (c->suppressed && !has_suppressed(r, c->signal)))
            fail_msg("\"%s\": signal %d found %d (want %d), suppressed cue %d (want %d)", c->text,
                     c->signal, found, c->found, has_suppressed(r, c->signal), c->suppressed);
        heed_analysis_free(an);
    }
}

/* Cue spans and labels point into the text; suppressed cues carry no weight. */
static void cues(void **state)
{
    (void)state;
    const char *t = "I've escalated this with reference ESC-4410. I can't promise a refund.";
    heed_analysis *an = reply(t);
    const heed_result *r = heed_analysis_result(an);
    int seen_action = 0, seen_supp = 0;
    for (size_t i = 0; i < r->compassion.n_cues; i++) {
        const heed_cue *q = &r->compassion.cues[i];
        assert_true(q->start + q->len <= r->text_len);
        assert_non_null(q->what);
        if (q->component == HEED_COMP_ACTION && !(q->flags & HEED_CUE_SUPPRESSED)) {
            assert_string_equal(q->what, "escalated with reference");
            assert_memory_equal(r->text + q->start, "I've escalated", q->len);
            assert_true(q->weight > 0);
            seen_action = 1;
        }
        if (q->flags & HEED_CUE_SUPPRESSED) {
            assert_true(q->weight == 0);
            seen_supp = 1;
        }
    }
    assert_true(seen_action && seen_supp);
    heed_analysis_free(an);
}

static double score_of(const char *t)
{
    heed_analysis *an = reply(t);
    double s = heed_analysis_result(an)->compassion.score;
    heed_analysis_free(an);
    return s;
}

static void score(void **state)
{
    (void)state;
    double solving = score_of("I'm sorry. I've issued a refund of €49.99, which will reach you "
                              "within 3 working days. How else can I help?");
    double neutral = score_of("Thank you for your message.");
    double apology = score_of("We're sorry for the inconvenience.");
    double wall = score_of("Unfortunately our policy does not allow it, you should have read "
                           "the terms. There's nothing we can do.");
    assert_true(solving >= 80 && solving <= 100);
    assert_true(neutral > apology);
    assert_true(apology > wall);
    assert_true(wall >= 0);
}

/* The stages run on agent turns only. */
static void customer_turn(void **state)
{
    (void)state;
    const char *t = "I'll refund you tomorrow.";
    heed_analysis *an = NULL;
    heed_error err;
    assert_int_equal(heed_analyze(eng, t, strlen(t), NULL, &an, &err), HEED_OK);
    assert_int_equal(heed_analysis_result(an)->compassion.available, 0);
    assert_int_equal(heed_analysis_result(an)->promises.available, 0);
    heed_analysis_free(an);
}

/* ---------------------------------------------------------------- promises */

typedef struct due_case {
    const char *text;
    int64_t time;
    int tz;
    int kind;
    const char *due_text;
    int64_t due;
} due_case;

static void promises_due(void **state)
{
    (void)state;
    const int64_t thu = utc(2026, 9, 3, 10, 0, 0);
    const due_case C[] = {
        {"I'll call you tomorrow.", T0, 0, HEED_PROMISE_CALLBACK, "tomorrow",
         utc(2026, 9, 2, 23, 59, 59)},
        {"I'll call you tomorrow.", T0, 120, HEED_PROMISE_CALLBACK, "tomorrow",
         utc(2026, 9, 2, 21, 59, 59)},
        {"I'll refund you today.", T0, 0, HEED_PROMISE_REFUND, "today",
         utc(2026, 9, 1, 23, 59, 59)},
        {"I'll refund you today.", T0, 120, HEED_PROMISE_REFUND, "today",
         utc(2026, 9, 1, 21, 59, 59)},
        {"I'll email you the invoice tonight.", T0, 0, HEED_PROMISE_INFORMATION, "tonight",
         utc(2026, 9, 1, 23, 59, 59)},
        {"I'll send a replacement by Friday.", T0, 0, HEED_PROMISE_REPLACEMENT, "by Friday",
         utc(2026, 9, 4, 23, 59, 59)},
        {"An engineer will repair the line on Monday.", T0, 0, HEED_PROMISE_REPAIR, "on Monday",
         utc(2026, 9, 7, 23, 59, 59)},
        {"I'll follow up next week.", T0, 0, HEED_PROMISE_FOLLOW_UP, "next week",
         utc(2026, 9, 13, 23, 59, 59)},
        {"I'll get back to you within 24 hours.", T0, 0, HEED_PROMISE_FOLLOW_UP, "within 24 hours",
         utc(2026, 9, 2, 9, 17, 20)},
        {"I'll call you back in 2 hours.", T0, 120, HEED_PROMISE_CALLBACK, "in 2 hours",
         utc(2026, 9, 1, 11, 17, 20)},
        {"I'll refund you within 3 working days.", T0, 0, HEED_PROMISE_REFUND,
         "within 3 working days", utc(2026, 9, 4, 23, 59, 59)},
        /* Thursday + 3 working days skips the weekend: Tuesday */
        {"I'll refund you within 3 working days.", thu, 0, HEED_PROMISE_REFUND,
         "within 3 working days", utc(2026, 9, 8, 23, 59, 59)},
        {"I'll send the new tracking link by the 14th.", T0, 0, HEED_PROMISE_INFORMATION,
         "by the 14th", utc(2026, 9, 14, 23, 59, 59)},
        {"I'll send the new tracking link by the 14th.", utc(2026, 9, 20, 8, 0, 0), 0,
         HEED_PROMISE_INFORMATION, "by the 14th", utc(2026, 10, 14, 23, 59, 59)},
        {"I'll refund you by 14 March.", T0, 0, HEED_PROMISE_REFUND, "by 14 March",
         utc(2027, 3, 14, 23, 59, 59)},
        {"I'll get back to you by the end of the day.", T0, 0, HEED_PROMISE_FOLLOW_UP,
         "by the end of the day", utc(2026, 9, 1, 23, 59, 59)},
        {"I'll call you before 1pm.", T0, 0, HEED_PROMISE_CALLBACK, "before 1pm",
         utc(2026, 9, 1, 13, 0, 0)},
        {"I'll call you before 1pm.", T0, 120, HEED_PROMISE_CALLBACK, "before 1pm",
         utc(2026, 9, 1, 11, 0, 0)},
        {"I'll call you tomorrow before 1pm.", T0, 0, HEED_PROMISE_CALLBACK, "tomorrow before 1pm",
         utc(2026, 9, 2, 13, 0, 0)},
        /* month and year ends */
        {"I'll refund you by the 31st.", T0, 0, HEED_PROMISE_REFUND, "by the 31st",
         utc(2026, 10, 31, 23, 59, 59)},
        {"I'll refund you within 3 days.", utc(2026, 9, 29, 12, 0, 0), 0, HEED_PROMISE_REFUND,
         "within 3 days", utc(2026, 10, 2, 23, 59, 59)},
        {"I'll refund you within 2 days.", utc(2026, 12, 31, 12, 0, 0), 0, HEED_PROMISE_REFUND,
         "within 2 days", utc(2027, 1, 2, 23, 59, 59)},
        {"I'll refund you by the end of the month.", utc(2028, 2, 10, 12, 0, 0), 0,
         HEED_PROMISE_REFUND, "by the end of the month", utc(2028, 2, 29, 23, 59, 59)},
        {"I'll refund you by next month.", utc(2026, 12, 10, 12, 0, 0), 0, HEED_PROMISE_REFUND,
         "by next month", utc(2027, 1, 31, 23, 59, 59)},
        {"I'll refund you by the end of next month.", T0, 0, HEED_PROMISE_REFUND,
         "by the end of next month", utc(2026, 10, 31, 23, 59, 59)},
        /* the offset moves the writer's date */
        {"I'll refund you today.", utc(2026, 9, 1, 23, 30, 0), 120, HEED_PROMISE_REFUND, "today",
         utc(2026, 9, 2, 21, 59, 59)},
        {"I'll call you tomorrow.", utc(2026, 9, 1, 2, 0, 0), -300, HEED_PROMISE_CALLBACK,
         "tomorrow", utc(2026, 9, 2, 4, 59, 59)},
    };
    for (size_t k = 0; k < sizeof C / sizeof C[0]; k++) {
        heed_analysis *an = reply_at(C[k].text, 1, C[k].time, C[k].tz);
        const heed_result *r = heed_analysis_result(an);
        if (r->promises.n != 1)
            fail_msg("\"%s\": %zu promises", C[k].text, r->promises.n);
        const heed_promise *p = &r->promises.items[0];
        if (p->kind != C[k].kind || p->due_len != strlen(C[k].due_text) ||
            memcmp(r->text + p->due_start, C[k].due_text, p->due_len) || !p->has_due ||
            p->due != C[k].due)
            fail_msg("\"%s\" (tz %d): kind %d due \"%.*s\" %lld, want %d \"%s\" %lld", C[k].text,
                     C[k].tz, p->kind, (int)p->due_len, r->text + p->due_start, (long long)p->due,
                     C[k].kind, C[k].due_text, (long long)C[k].due);
        heed_analysis_free(an);
    }
}

static void promise_object(void **state)
{
    (void)state;
    const char *t = "I've issued the refund of €49.99 and it will reach you by Friday.";
    heed_analysis *an = reply(t);
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->promises.n, 1);
    const heed_promise *p = &r->promises.items[0];
    assert_int_equal(p->kind, HEED_PROMISE_REFUND);
    assert_int_equal(p->object_len, strlen("the refund of €49.99"));
    assert_memory_equal(r->text + p->object_start, "the refund of €49.99", p->object_len);
    assert_memory_equal(r->text + p->due_start, "by Friday", p->due_len);
    heed_analysis_free(an);
}

static void promise_no_time(void **state)
{
    (void)state;
    heed_analysis *an = reply_at("I'll call you back tomorrow.", 0, 0, 0);
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->promises.n, 1);
    assert_int_equal(r->promises.items[0].has_due, 0);
    assert_memory_equal(r->text + r->promises.items[0].due_start, "tomorrow",
                        r->promises.items[0].due_len);
    heed_analysis_free(an);
}

static void not_promises(void **state)
{
    (void)state;
    const char *const T[] = {
        "I can't promise a refund by Friday.", "If we could refund you we would.",
        "We don't usually send replacements.", "Our refund policy is on the website.",
        "You contacted us on Monday.",
    };
    for (size_t k = 0; k < sizeof T / sizeof T[0]; k++) {
        heed_analysis *an = reply(T[k]);
        if (heed_analysis_result(an)->promises.n)
            fail_msg("\"%s\": a promise", T[k]);
        heed_analysis_free(an);
    }
    /* two commitments, two kinds */
    heed_analysis *an = reply("I'll refund the fee today and send a replacement by Friday.");
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->promises.n, 2);
    assert_int_equal(r->promises.items[0].kind, HEED_PROMISE_REFUND);
    assert_int_equal(r->promises.items[1].kind, HEED_PROMISE_REPLACEMENT);
    heed_analysis_free(an);
}

/* The clause words by a switch against a scan of their list: each word,
 * its prefixes and longer forms, changed bytes, random words of their
 * letters, and every string of up to 2 bytes. */
static int clause_word_ref(const char *w, size_t n)
{
    for (const char *const *l = heed__reply_clause_words(); *l; l++)
        if (strlen(*l) == n && !memcmp(*l, w, n))
            return 1;
    return 0;
}

static void check_clause_word(const char *w, size_t n)
{
    heed_token t = {0};
    t.kind = HEED_TOK_WORD;
    t.norm = w;
    t.norm_len = (uint32_t)n;
    if (heed__reply_clause_word(&t) != clause_word_ref(w, n))
        fail_msg("'%.*s': %d", (int)n, w, heed__reply_clause_word(&t));
}

static void word_lists(void **state)
{
    (void)state;
    char w[24];
    size_t found = 0;
    for (const char *const *l = heed__reply_clause_words(); *l; l++) {
        size_t n = strlen(*l);
        for (size_t k = 0; k <= n; k++)
            check_clause_word(*l, k);
        memcpy(w, *l, n);
        w[n] = 's';
        check_clause_word(w, n + 1);
        for (size_t k = 0; k < n; k++) {
            memcpy(w, *l, n);
            w[k] ^= 1;
            check_clause_word(w, n);
        }
        found += clause_word_ref(*l, n);
    }
    assert_int_equal(found, 12);
    test_words(check_clause_word, "abcdehilnorstuwmvy", 11);
}

unsigned heed__compassion_list_bits(const heed_compassion_index *x, const heed_token *t,
                                    unsigned *scan);
const char *heed__compassion_list_word(size_t l, size_t k);

static void check_list_bits(const heed_compassion_index *x, int kind, const char *w, size_t n)
{
    heed_token t = {0};
    t.kind = (uint8_t)kind;
    t.norm = w;
    t.norm_len = (uint32_t)n;
    unsigned scan, got = heed__compassion_list_bits(x, &t, &scan);
    if (got != scan)
        fail_msg("'%.*s' (kind %d): lists %#x from the table, %#x from the lists", (int)n, w, kind,
                 got, scan);
}

/* The clause rules' lists as bits of the phrase table's entries against a
 * scan of the lists: every list word (as a word and as other kinds of
 * token), each a byte short, a byte long, with a byte changed or a capital;
 * random words; and every one- and two-byte token. Then whole replies made
 * of list words score the same with the index as without it. */
static void list_bits(void **state)
{
    (void)state;
    heed_compassion_index *x;
    assert_int_equal(heed__compassion_new(&x), HEED_OK);
    static const int kinds[] = {HEED_TOK_WORD, HEED_TOK_PUNCT, HEED_TOK_ID, HEED_TOK_NUMBER};
    char w[64];
    size_t n_words = 0, hits = 0;
    static const char *words[600];
    for (size_t l = 0; heed__compassion_list_word(l, 0); l++)
        for (size_t k = 0; heed__compassion_list_word(l, k); k++) {
            const char *lw = heed__compassion_list_word(l, k);
            const size_t n = strlen(lw);
            assert_true(n + 1 < sizeof w);
            if (n_words < sizeof words / sizeof *words)
                words[n_words++] = lw;
            for (size_t q = 0; q < sizeof kinds / sizeof *kinds; q++)
                check_list_bits(x, kinds[q], lw, n);
            unsigned scan;
            heed_token t = {0};
            t.kind = HEED_TOK_WORD;
            t.norm = lw;
            t.norm_len = (uint32_t)n;
            hits += heed__compassion_list_bits(x, &t, &scan) != 0;
            memcpy(w, lw, n);
            check_list_bits(x, HEED_TOK_WORD, w, n - 1);
            w[n] = 's';
            check_list_bits(x, HEED_TOK_WORD, w, n + 1);
            w[0] = (char)(w[0] - 'a' + 'A');
            check_list_bits(x, HEED_TOK_WORD, w, n);
            for (size_t q = 0; q < n; q++) {
                memcpy(w, lw, n);
                w[q] ^= 1;
                check_list_bits(x, HEED_TOK_WORD, w, n);
            }
        }
    assert_true(n_words > 300 && hits == n_words);
    static const char letters[] = "abcdefghiklmnoprstuvwy'-";
    uint64_t rs = 29;
    for (int it = 0; it < 100000; it++) {
        rs = rs * 6364136223846793005ull + 1442695040888963407ull;
        size_t n = 1 + (size_t)((rs >> 33) % 9);
        for (size_t k = 0; k < n; k++) {
            rs = rs * 6364136223846793005ull + 1442695040888963407ull;
            w[k] = letters[(rs >> 33) % (sizeof letters - 1)];
        }
        check_list_bits(x, HEED_TOK_WORD, w, n);
    }
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            w[0] = (char)a;
            w[1] = (char)b;
            check_list_bits(x, HEED_TOK_PUNCT, w, 1);
            check_list_bits(x, HEED_TOK_WORD, w, 2);
        }
    /* whole replies: the stage with its index against the stage without */
    static const char *const glue[] = {
        "you", "need", "to", "the", "i", "will", "we", "have", "please", "your", "not", "if", ",",
        ".", "and", "it", "3", "days", "5pm", "14:00", "working", "hours", "2026-05-01", "next",
        /* time words whatever the lists say */
        "friday", "tomorrow", "by", "within", "end", "of", "week", "march", "14", "on", "monday",
        "eod", "tonight", "later", "coming", "sept", "in", "at", "noon", "close", "business",
        /* commitments, for the promises */
        "i'll", "we'll", "i've", "back", "call", "replacement"};
    char text[1024];
    heed_error err;
    size_t promises_seen = 0;
    for (int it = 0; it < 3000; it++) {
        size_t o = 0;
        rs = rs * 6364136223846793005ull + 1442695040888963407ull;
        size_t nw = 3 + (size_t)((rs >> 33) % 25);
        for (size_t k = 0; k < nw; k++) {
            rs = rs * 6364136223846793005ull + 1442695040888963407ull;
            const char *p = (rs >> 40) % 2 ? words[(rs >> 20) % n_words]
                                           : glue[(rs >> 20) % (sizeof glue / sizeof *glue)];
            o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", o ? " " : "", p);
        }
        heed_analysis *an;
        assert_int_equal(heed_analyze(eng, text, o, NULL, &an, &err), HEED_OK);
        heed_result r1 = *heed_analysis_result(an), r2 = r1;
        /* no time expression starts where the stage skips the time rules:
         * at a token without LB_TIME (128) that is no number or date */
        for (size_t i = 0; i < r1.n_tokens; i++) {
            unsigned scan, bits = heed__compassion_list_bits(x, &r1.tokens[i], &scan);
            heed_timebase tb = {0, 0, 0};
            heed_timexpr te;
            if (!(bits & 128u) && r1.tokens[i].kind != HEED_TOK_DATE &&
                r1.tokens[i].kind != HEED_TOK_NUMBER &&
                heed__timexpr_at(r1.tokens, i, r1.n_tokens, &tb, &te))
                fail_msg("\"%s\": a time expression at token %zu, not looked for", text, i);
        }
        heed_arena a;
        heed__arena_init(&a, 0);
        assert_int_equal(heed__compassion(NULL, &a, &r1, NULL), HEED_OK);
        assert_int_equal(heed__compassion(x, &a, &r2, NULL), HEED_OK);
        const heed_compassion *p1 = &r1.compassion, *p2 = &r2.compassion;
        if (p1->signals != p2->signals || p1->n_cues != p2->n_cues || p1->score != p2->score)
            fail_msg("\"%s\": signals %#x / %#x, %zu / %zu cues", text, p1->signals, p2->signals,
                     p1->n_cues, p2->n_cues);
        for (size_t i = 0; i < p1->n_cues; i++) {
            assert_int_equal(p1->cues[i].start, p2->cues[i].start);
            assert_int_equal(p1->cues[i].len, p2->cues[i].len);
            assert_int_equal(p1->cues[i].component, p2->cues[i].component);
            assert_int_equal(p1->cues[i].flags, p2->cues[i].flags);
            assert_string_equal(p1->cues[i].what, p2->cues[i].what);
        }
        /* the promises given the clause ends the stage found, against
         * finding them again */
        const size_t *ends;
        heed_result r3 = *heed_analysis_result(an), r4 = r3;
        heed_analyze_opts po = {0};
        po.has_time = 1;
        po.time = 1780000000;
        assert_int_equal(heed__compassion_ends(x, &a, &r3, NULL, NULL, &ends), HEED_OK);
        assert_non_null(ends);
        assert_int_equal(heed__promises_ends(x, &a, &r3, &po, ends), HEED_OK);
        assert_int_equal(heed__promises(x, &a, &r4, &po), HEED_OK);
        promises_seen += r4.promises.n;
        assert_int_equal(r3.promises.n, r4.promises.n);
        for (size_t i = 0; i < r3.promises.n; i++) {
            const heed_promise *p3 = &r3.promises.items[i], *p4 = &r4.promises.items[i];
            if (p3->start != p4->start || p3->len != p4->len || p3->kind != p4->kind ||
                p3->object_start != p4->object_start || p3->object_len != p4->object_len ||
                p3->due_start != p4->due_start || p3->due_len != p4->due_len ||
                p3->has_due != p4->has_due || p3->due != p4->due)
                fail_msg("\"%s\": promise %zu differs given the clause ends", text, i);
        }
        heed__arena_release(&a);
        heed_analysis_free(an);
    }
    assert_true(promises_seen > 100);
    heed__compassion_free(x);
}

const char *heed__compassion_phrase_at(const heed_compassion_index *x, size_t k,
                                       const heed_token *toks, size_t i, size_t hi, size_t *got,
                                       size_t *plain);

/* Each phrase from its slots matches where its pattern does, at every token
 * of 4,000 random texts made of the patterns' words, a word too short or too
 * long by a byte, class words and others, and of every pattern's first
 * alternatives in order (cut short by the end of the text too). */
static void phrase_slots(void **state)
{
    (void)state;
    heed_compassion_index *x;
    assert_int_equal(heed__compassion_new(&x), HEED_OK);
    enum { MAXW = 1500 };
    static char words[MAXW][32];
    size_t nw = 0, n_phrases = 0, got, plain;
    heed_token none = {0};
    while (heed__compassion_phrase_at(x, n_phrases, &none, 0, 0, &got, &plain))
        n_phrases++;
    assert_true(n_phrases > 100);
    for (size_t k = 0; k < n_phrases && nw < MAXW - 40; k++) {
        const char *p = heed__compassion_phrase_at(x, k, &none, 0, 0, &got, &plain);
        while (*p && nw < MAXW - 40) {
            size_t n = strcspn(p, " |");
            if (n > 0 && n < sizeof words[0] - 2 && p[0] != '@' && p[0] != '*') {
                memcpy(words[nw], p, n); /* the word, a byte short, a byte long */
                words[nw++][n] = 0;
                memcpy(words[nw], p, n - 1);
                words[nw++][n - 1] = 0;
                memcpy(words[nw], p, n);
                memcpy(words[nw] + n, "s", 2);
                nw++;
            }
            p += n;
            while (*p == ' ' || *p == '|')
                p++;
        }
    }
    static const char *const other[] = {"click", "bank", "courier", "reply", "store", ",",
                                        ".",     "?",    "2",       "it's",  "the",   "you"};
    for (size_t k = 0; k < sizeof other / sizeof *other; k++)
        snprintf(words[nw++], sizeof words[0], "%s", other[k]);
    uint64_t rs = 7;
    char text[1024];
    size_t found = 0;
    for (size_t round = 0; round < 4000 + 2 * n_phrases; round++) {
        size_t o = 0;
        if (round >= 4000) { /* a pattern's first alternatives, whole and cut */
            const size_t k = (round - 4000) / 2;
            const char *p = heed__compassion_phrase_at(x, k, &none, 0, 0, &got, &plain);
            while (*p && o < sizeof text - 64) {
                size_t n = strcspn(p, " |");
                o += (size_t)snprintf(text + o, sizeof text - o, "%s%.*s", o ? " " : "", (int)n,
                                      p[0] == '@' || p[0] == '*' ? "bank" : p);
                p += strcspn(p, " ");
                while (*p == ' ')
                    p++;
            }
            if ((round - 4000) % 2 && o)
                o = (size_t)(strrchr(text, ' ') ? strrchr(text, ' ') - text : 0);
        } else {
            /* random words, or a random phrase with a random alternative of
             * each word and now and then a random word instead */
            rs = rs * 6364136223846793005ull + 1442695040888963407ull;
            const char *p = round % 2 ? heed__compassion_phrase_at(x, (rs >> 33) % n_phrases, &none,
                                                                   0, 0, &got, &plain)
                                      : "";
            const int n = 1 + (int)((rs >> 40) % 10);
            for (int w = 0; w < n || *p; w++) {
                rs = rs * 6364136223846793005ull + 1442695040888963407ull;
                const char *wd = words[(rs >> 33) % nw];
                int wn = (int)strlen(wd);
                if (*p) {
                    size_t sl = strcspn(p, " "), alts = 1;
                    for (size_t q = 0; q < sl; q++)
                        alts += p[q] == '|';
                    const char *a = p;
                    for (size_t pick = (rs >> 20) % alts; pick; pick--)
                        a += strcspn(a, "|") + 1;
                    if ((rs >> 50) % 8) {
                        wd = *a == '@' || *a == '*' ? "click" : a;
                        wn = (int)strcspn(a, " |");
                    }
                    p += sl;
                    while (*p == ' ')
                        p++;
                }
                o += (size_t)snprintf(text + o, sizeof text - o, "%s%.*s", w ? " " : "", wn, wd);
            }
        }
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *toks;
        size_t nt;
        assert_int_equal(heed__tokenize(&a, text, o, &toks, &nt), HEED_OK);
        for (size_t i = 0; i < nt; i++)
            for (size_t k = 0; k < n_phrases; k++) {
                const char *p = heed__compassion_phrase_at(x, k, toks, i, nt, &got, &plain);
                if (got != plain)
                    fail_msg("\"%.*s\" at token %zu, \"%s\": %zu tokens, by the pattern %zu",
                             (int)o, text, i, p, got, plain);
                found += plain != 0;
            }
        heed__arena_release(&a);
    }
    assert_true(found > 1000);
    heed__compassion_free(x);
}

size_t heed__promises_commit_at(const heed_token *toks, size_t i, size_t ce, int *done);

/* The commitment rule as first written, one test after another. */
static size_t commit_ref(const heed_token *toks, size_t i, size_t ce, int *done)
{
#define W(t, w) heed__reply_word((t), (w))
    const heed_token *t = &toks[i];
    *done = 0;
    if (W(t, "i'll") || W(t, "we'll") || W(t, "it'll") || W(t, "they'll") || W(t, "shall") ||
        W(t, "promise") || W(t, "guarantee"))
        return 1;
    if (W(t, "will") && !(i + 1 < ce && (W(&toks[i + 1], "you") || W(&toks[i + 1], "need"))))
        return 1;
    if ((W(t, "i'm") || W(t, "we're")) && i + 2 < ce && W(&toks[i + 1], "going") &&
        W(&toks[i + 2], "to"))
        return 3;
    if (W(t, "let") && i + 1 < ce && W(&toks[i + 1], "me"))
        return 2;
    if ((W(t, "you'll") || W(t, "should")) && i + 1 < ce &&
        (W(&toks[i + 1], "receive") || W(&toks[i + 1], "get") || W(&toks[i + 1], "hear") ||
         W(&toks[i + 1], "see") || W(&toks[i + 1], "have") || W(&toks[i + 1], "arrive") ||
         W(&toks[i + 1], "reach") || W(&toks[i + 1], "be")))
        return 1;
    if (W(t, "on") && i + 2 < ce && (W(&toks[i + 1], "its") || W(&toks[i + 1], "the")) &&
        W(&toks[i + 2], "way"))
        return 3;
    if (W(t, "i've") || W(t, "we've") ||
        ((W(t, "has") || W(t, "have")) && i + 1 < ce && W(&toks[i + 1], "been"))) {
        *done = 1;
        return 1;
    }
    return 0;
#undef W
}

/* The commitment rule by first byte against the rule as first written, at
 * every token and clause end of 20,000 random texts of its words, their
 * neighbours and others. */
static void commit_rule(void **state)
{
    (void)state;
    static const char *const words[] = {
        "i'll",   "we'll",  "it'll",   "they'll", "shall",  "promise", "guarantee", "will",
        "you",    "need",   "i'm",     "we're",   "going",  "to",      "let",       "me",
        "you'll", "should", "receive", "get",     "hear",   "see",     "have",      "arrive",
        "reach",  "be",     "on",      "its",     "the",    "way",     "i've",      "we've",
        "has",    "been",   "i",       "we",      "it",     "a",       "shal",      "wills",
        "ill",    "going",  ",",       ".",       "refund", "call",    "promises",  "hav",
        "h",      "o",      "y",       "s",       "2",      "ships",   "g",         "l"};
    const size_t nw = sizeof words / sizeof *words;
    uint64_t rs = 3;
    char text[512];
    size_t found = 0;
    for (int round = 0; round < 20000; round++) {
        const size_t o = test_text(text, sizeof text, words, nw, 8, &rs);
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *toks;
        size_t nt;
        assert_int_equal(heed__tokenize(&a, text, o, &toks, &nt), HEED_OK);
        for (size_t ce = 0; ce <= nt; ce++)
            for (size_t i = 0; i < ce; i++) {
                int d1 = -1, d2 = -1;
                size_t m1 = heed__promises_commit_at(toks, i, ce, &d1);
                size_t m2 = commit_ref(toks, i, ce, &d2);
                if (m1 != m2 || d1 != d2)
                    fail_msg("\"%s\" at token %zu, end %zu: %zu (done %d), want %zu (done %d)",
                             text, i, ce, m1, d1, m2, d2);
                found += m2 != 0;
            }
        heed__arena_release(&a);
    }
    assert_true(found > 10000);
}

int heed__reply_commit1(const heed_token *t, int *plain);

static void check_commit1(const heed_token *t)
{
    int plain = -1;
    const int got = heed__reply_commit1(t, &plain);
    if (got != plain)
        fail_msg("'%.*s': %d, by the list %d", (int)t->norm_len, t->norm, got, plain);
}

/* Is the word one that opens a commitment: by its first byte against the
 * whole list, on the list's words, each a byte short, a byte long or a byte
 * off, and every word of up to two bytes. */
static void commit_words(void **state)
{
    (void)state;
    static const char *const words[] = {"i'll",    "we'll",  "i've",  "we've", "i'd",   "i",
                                        "we",      "i'm",    "we're", "let",   "it's",  "it'll",
                                        "they'll", "that's", "will",  "been",  "being", "it",
                                        "the",     "to",     "when",  "be",    "lets",  "i'"};
    char w[16];
    heed_token t = {0};
    t.kind = HEED_TOK_WORD;
    t.norm = w;
    int plain, found = 0;
    for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
        const size_t n = strlen(words[k]);
        for (size_t cut = 0; cut <= n + 1; cut++) { /* every prefix, and one byte longer */
            memcpy(w, words[k], n);
            w[n] = 's';
            t.norm_len = (uint32_t)cut;
            check_commit1(&t);
            heed__reply_commit1(&t, &plain);
            found += plain;
        }
        for (size_t i = 0; i < n; i++)
            for (int d = -1; d <= 1; d += 2) {
                memcpy(w, words[k], n);
                w[i] = (char)(w[i] + d);
                t.norm_len = (uint32_t)n;
                check_commit1(&t);
            }
    }
    assert_true(found >= 17); /* each of the list's words, and prefixes that are words too */
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            w[0] = (char)a;
            w[1] = (char)b;
            for (uint32_t n = 1; n <= 2; n++) {
                t.norm_len = n;
                check_commit1(&t);
            }
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signals),         cmocka_unit_test(cues),
        cmocka_unit_test(score),           cmocka_unit_test(customer_turn),
        cmocka_unit_test(promises_due),    cmocka_unit_test(promise_object),
        cmocka_unit_test(promise_no_time), cmocka_unit_test(not_promises),
        cmocka_unit_test(word_lists),      cmocka_unit_test(phrase_slots),
        cmocka_unit_test(list_bits),       cmocka_unit_test(commit_rule),
        cmocka_unit_test(commit_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
