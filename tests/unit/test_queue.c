/* test_queue.c - the act-now queue: stress fades with its half-life and is
 * carried across conversations, state from messages (waiting, repeat
 * contacts), the ranking cases of docs/queue.md, reasons in plain words, the
 * top K with deterministic ties. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "queue.h"

#define NOW 1788343200LL
#define H 3600LL
#define D 86400LL

static int has_reason(const heed_queue_score *s, const char *text)
{
    for (size_t i = 0; i < s->n_reasons; i++)
        if (strstr(s->reason[i].text, text))
            return 1;
    return 0;
}

typedef struct fade_case {
    int64_t age;
    double stress, want;
} fade_case;

static void test_stress_fades(void **state)
{
    (void)state;
    static const fade_case cases[] = {
        {0, 80, 80},       {72 * H, 80, 40},  {144 * H, 80, 20},
        {21 * D, 90, 90.0 / 128.0}, /* three weeks: 7 half-lives, faded */
        {-H, 80, 0},                /* after now: ignored */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heed_queue_msg m = {NOW - cases[i].age, 0, 1, cases[i].stress, 0, 0, NULL};
        assert_float_equal(heed_queue_stress_now(&m, 1, NOW, 0), cases[i].want, 1e-9);
    }
    /* the max over conversations: an old crisis against a recent mild one */
    heed_queue_msg ms[] = {{NOW - 72 * H, 0, 1, 90, 0, 0, NULL},
                           {NOW - H, 0, 2, 30, 0, 0, NULL},
                           {NOW, 1, 2, 99, 0, 0, NULL}}; /* agent: not counted */
    assert_float_equal(heed_queue_stress_now(ms, 3, NOW, 0), 45, 1e-9);
    assert_float_equal(heed_queue_stress_now(ms, 3, NOW, 24 * H), 30 * exp2(-1.0 / 24), 1e-9);

    /* three weeks ago at 90, nothing since: scores like a calm customer */
    heed_queue_state old = {0}, calm = {0};
    old.stress_now = heed_queue_stress_now(&ms[0], 1, NOW + 18 * D, 0);
    assert_true(old.stress_now < 1.0);
    assert_true(heed_queue_score_state(&old, NOW, NULL) - heed_queue_score_state(&calm, NOW, NULL) <
                0.5);
}

static void test_state_fill(void **state)
{
    (void)state;
    heed_queue_msg ms[] = {
        {NOW - 10 * D, 0, 1, 70, 0, 0, NULL}, /* outside 7 days */
        {NOW - 3 * D, 0, 2, 40, 50, 0, "bereavement"},
        {NOW - 2 * D, 1, 2, 0, 0, 0, NULL},   /* answered */
        {NOW - 26 * H, 0, 3, 55, 0, 60, NULL}, /* not answered since */
        {NOW - 2 * H, 0, 4, 20, 0, 0, NULL},
        {NOW - H, 0, 4, 20, 0, 0, NULL},
    };
    heed_queue_state st = {0};
    st.broken_promises = 1; /* left alone */
    assert_int_equal(heed_queue_state_fill(ms, 6, NOW, 0, &st), HEED_OK);
    assert_int_equal(st.waiting_since, NOW - 26 * H);
    assert_int_equal(st.repeat_contacts, 3); /* conversations 2, 3, 4 */
    assert_float_equal(st.stress_peak_30d, 70, 1e-9);
    assert_float_equal(st.vulnerability, 50, 1e-9);
    assert_string_equal(st.vulnerable_what, "bereavement");
    assert_float_equal(st.escalation, 60, 1e-9);
    assert_int_equal(st.broken_promises, 1);
    heed_queue_score sc;
    heed_queue_score_state(&st, NOW, &sc);
    assert_true(has_reason(&sc, "waiting 26 h for a reply"));
    assert_true(has_reason(&sc, "vulnerable: bereavement mentioned"));
    assert_true(has_reason(&sc, "3 contacts in 7 days"));
    assert_int_equal(heed_queue_state_fill(NULL, 1, NOW, 0, &st), HEED_EINVAL);
}

/* Pairs: the first must rank above the second. */
typedef struct pair_case {
    const char *name;
    heed_queue_state hi, lo;
} pair_case;

static void test_ranking_pairs(void **state)
{
    (void)state;
    static const pair_case cases[] = {
        {"vulnerable with a broken promise over an angry one-off",
         {.customer = 2, .stress_now = 30, .broken_promises = 1, .overdue_kind = 0,
          .overdue_s = 2 * D, .vulnerable = 1},
         {.customer = 1, .stress_now = 90, .stress_peak_30d = 90, .escalation = 60,
          .waiting_since = NOW - H, .overdue_kind = -1}},
        {"waiting 2 days over answered an hour ago, same stress",
         {.customer = 2, .stress_now = 50, .waiting_since = NOW - 2 * D},
         {.customer = 1, .stress_now = 50}},
        {"same score: the longer wait first",
         {.customer = 9, .stress_now = 40, .waiting_since = NOW - 60 * H},
         {.customer = 1, .stress_now = 40, .waiting_since = NOW - 50 * H}},
        {"repeat contacts and effort count",
         {.customer = 2, .stress_now = 40, .repeat_contacts = 3, .effort = 2},
         {.customer = 1, .stress_now = 40, .repeat_contacts = 1}},
        {"low survey counts",
         {.customer = 2, .last_survey = HEED_SURVEY_NPS, .last_survey_score = 2},
         {.customer = 1, .last_survey = HEED_SURVEY_NPS, .last_survey_score = 9}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heed_queue_state s[2] = {cases[i].lo, cases[i].hi};
        size_t top[2], n = 0;
        double sc[2];
        assert_int_equal(heed_queue_top(s, 2, NOW, 2, top, sc, &n, NULL), HEED_OK);
        assert_int_equal(n, 2);
        if (top[0] != 1)
            fail_msg("case '%s': %.2f vs %.2f", cases[i].name, sc[0], sc[1]);
        assert_true(sc[0] >= sc[1]);
    }
}

static void test_reasons(void **state)
{
    (void)state;
    heed_queue_state st = {.stress_now = 75, .broken_promises = 1, .overdue_kind = 0,
                           .overdue_s = 2 * D, .vulnerable = 0, .vulnerability = 55,
                           .vulnerable_what = "bereavement", .waiting_since = NOW - 26 * H,
                           .repeat_contacts = 3, .repeat_about = "the same order",
                           .escalation = 50, .effort = 1, .open_needs = 2,
                           .last_survey = HEED_SURVEY_CSAT, .last_survey_score = 1};
    heed_queue_score sc;
    double s = heed_queue_score_state(&st, NOW, &sc);
    assert_float_equal(s, 100, 1e-9); /* capped */
    static const char *const want[] = {"a promised refund is 2 days overdue",
                                       "vulnerable: bereavement mentioned",
                                       "waiting 26 h for a reply",
                                       "3 contacts in 7 days about the same order",
                                       "stress 75 now",
                                       "threatens to escalate",
                                       "last survey: CSAT 1 of 5",
                                       "2 open needs",
                                       "high effort: 1 sign"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!has_reason(&sc, want[i]))
            fail_msg("missing reason '%s'", want[i]);
    for (size_t i = 1; i < sc.n_reasons; i++)
        assert_true(sc.reason[i - 1].points >= sc.reason[i].points);
    assert_string_equal(sc.reason[0].text, "stress 75 now"); /* 26.25 points */

    heed_queue_state zero = {0};
    assert_float_equal(heed_queue_score_state(&zero, NOW, &sc), 0, 1e-12);
    assert_int_equal(sc.n_reasons, 0);
    st.vulnerability = 0;
    st.vulnerable = 1;
    heed_queue_score_state(&st, NOW, &sc);
    assert_true(has_reason(&sc, "vulnerable (flagged in the CRM)"));
}

/* Top K of many: the same as sorting everything; ties by customer id. */
static void test_top_k(void **state)
{
    (void)state;
    enum { N = 1000 };
    static heed_queue_state s[N];
    for (size_t i = 0; i < N; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].customer = (int64_t)(N - i);
        s[i].stress_now = (double)((i * 37) % 100); /* many ties */
    }
    size_t top[10], n;
    double sc[10];
    assert_int_equal(heed_queue_top(s, N, NOW, 10, top, sc, &n, NULL), HEED_OK);
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++) {
        assert_float_equal(s[top[i]].stress_now, 99, 1e-9); /* 10 customers at 99 */
        if (i)
            assert_true(s[top[i - 1]].customer < s[top[i]].customer);
    }
    /* k larger than n */
    size_t big[5];
    assert_int_equal(heed_queue_top(s, 3, NOW, 5, big, NULL, &n, NULL), HEED_OK);
    assert_int_equal(n, 3);
    assert_int_equal(heed_queue_top(s, 0, NOW, 5, big, NULL, &n, NULL), HEED_OK);
    assert_int_equal(n, 0);
    heed_error err;
    assert_int_equal(heed_queue_top(s, 3, NOW, 5, NULL, NULL, &n, &err), HEED_EINVAL);
    heed__alloc_fail_after(0);
    int rc = heed_queue_top(s, 3, NOW, 2, big, NULL, &n, &err);
    heed__alloc_fail_after(-1);
    assert_int_equal(rc, HEED_ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stress_fades),   cmocka_unit_test(test_state_fill),
        cmocka_unit_test(test_ranking_pairs),  cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_top_k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
