/* test_care.c - agent care: periods per shift and per local day (with a UTC
 * offset), distress absorbed, high-stress streaks (reset by a break and by a
 * shift boundary), suggestions, ISO-week trends, bad input, allocation
 * failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "care.h"

#define T0 1788343200LL /* 2026-09-02 10:00 UTC, a Wednesday */
#define M 60LL
#define H 3600LL
#define D 86400LL

static int has_suggestion(const heed_care_period *p, const char *text)
{
    for (size_t i = 0; i < p->n_suggestions; i++)
        if (strstr(p->suggestion[i], text))
            return 1;
    return 0;
}

/* Conversations every 10 minutes (8 minutes long) from `at`, stress from s[]. */
static size_t run(heed_care_convo *c, int64_t agent, int64_t at, const double *s, size_t n,
                  int64_t first_id)
{
    for (size_t i = 0; i < n; i++)
        c[i] = (heed_care_convo){agent, first_id + (int64_t)i, at + (int64_t)i * 10 * M,
                                 at + (int64_t)i * 10 * M + 8 * M, s[i]};
    return n;
}

typedef struct streak_case {
    const char *name;
    double stress[8];
    size_t n;
    size_t streak, high;
} streak_case;

static void test_streaks_table(void **state)
{
    (void)state;
    static const streak_case cases[] = {
        {"four in a row", {70, 65, 90, 60}, 4, 4, 4},
        {"59 is not high", {70, 59, 90, 60}, 4, 2, 3},
        {"longest of two runs", {70, 80, 10, 61, 62, 63, 20}, 7, 3, 5},
        {"none", {10, 20}, 2, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heed_care_convo c[8];
        size_t n = run(c, 1, T0, cases[i].stress, cases[i].n, 100);
        heed_care_period *p;
        size_t np;
        assert_int_equal(heed_care_periods(c, n, NULL, 0, NULL, &p, &np, NULL), HEED_OK);
        assert_int_equal(np, 1);
        if (p[0].longest_streak != cases[i].streak || p[0].high != cases[i].high)
            fail_msg("case '%s': streak %zu high %zu", cases[i].name, p[0].longest_streak,
                     p[0].high);
        assert_int_equal(p[0].conversations, cases[i].n);
        heed_care_free(p);
    }
}

/* A break of 15 minutes or more ends a streak. */
static void test_break_resets_streak(void **state)
{
    (void)state;
    static const double s[] = {80, 80, 80, 80};
    heed_care_convo c[4];
    run(c, 1, T0, s, 4, 1);
    c[2].start += 20 * M; /* 22 minutes after the second ended */
    c[2].end += 20 * M;
    c[3].start += 20 * M;
    c[3].end += 20 * M;
    heed_care_period *p;
    size_t np;
    assert_int_equal(heed_care_periods(c, 4, NULL, 0, NULL, &p, &np, NULL), HEED_OK);
    assert_int_equal(p[0].longest_streak, 2);
    assert_false(has_suggestion(&p[0], "in a row"));
    heed_care_free(p);
}

/* Shifts: a run of 5 that straddles the boundary between two back-to-back
 * shifts counts as 3 in the first and 2 in the second; each shift is its own
 * period with its own totals. Conversations of another agent and outside any
 * shift land in calendar days. */
static void test_streak_across_shift_boundary(void **state)
{
    (void)state;
    static const double s[] = {20, 80, 80, 80, 80, 80, 30};
    heed_care_convo c[9];
    size_t n = run(c, 1, T0 + 3 * H + 20 * M - 10 * M, s, 7, 1); /* 13:10 .. 14:10 */
    c[n++] = (heed_care_convo){2, 50, T0, T0 + 5 * M, 95};       /* agent 2: no shifts */
    c[n++] = (heed_care_convo){1, 60, T0 + 30 * H, T0 + 31 * H, 10}; /* after both shifts */
    const heed_care_shift sh[] = {{1, T0 + 4 * H, T0 + 8 * H}, {1, T0, T0 + 4 * H}};
    heed_care_period *p;
    size_t np;
    assert_int_equal(heed_care_periods(c, n, sh, 2, NULL, &p, &np, NULL), HEED_OK);
    assert_int_equal(np, 4);
    /* agent 1: shift [10:00, 14:00) = sh[1], shift [14:00, 18:00) = sh[0], a day */
    assert_int_equal(p[0].agent, 1);
    assert_int_equal(p[0].shift, 1);
    assert_int_equal(p[0].start, T0);
    assert_int_equal(p[0].end, T0 + 4 * H);
    assert_int_equal(p[0].conversations, 5); /* 13:10 .. 13:50 */
    assert_int_equal(p[0].longest_streak, 4);
    assert_int_equal(p[1].shift, 0);
    assert_int_equal(p[1].conversations, 2);
    assert_int_equal(p[1].longest_streak, 1);
    assert_float_equal(p[1].stress_sum, 110, 1e-9);
    assert_float_equal(p[1].stress_peak, 80, 1e-9);
    assert_int_equal(p[2].shift, (size_t)-1);
    assert_int_equal(p[2].start, T0 + D - 10 * H); /* 3 Sep 00:00 UTC */
    assert_int_equal(p[3].agent, 2);
    assert_true(has_suggestion(&p[0], "4 high-stress conversations in a row: offer a "
                                      "15-minute break"));
    assert_true(has_suggestion(&p[0], "80% of this shift's conversations were high-stress: "
                                      "rotate off the complaints queue"));
    assert_true(has_suggestion(&p[3], "faced a customer at stress 95"));
    heed_care_free(p);
}

/* No shifts: calendar days in the given offset. 21:00Z and 23:00Z on 2 Sep
 * are two days at +02:00 (23:00 on 2 Sep, 01:00 on 3 Sep), one day at UTC. */
static void test_days_with_offset(void **state)
{
    (void)state;
    const int64_t t21 = T0 + 11 * H;
    heed_care_convo c[] = {{1, 1, t21, t21 + 5 * M, 70}, {1, 2, t21 + 2 * H, t21 + 2 * H, 70}};
    heed_care_period *p;
    size_t np;
    heed_care_opts o = {0};
    assert_int_equal(heed_care_periods(c, 2, NULL, 0, &o, &p, &np, NULL), HEED_OK);
    assert_int_equal(np, 1);
    assert_int_equal(p[0].start, T0 - 10 * H);
    assert_int_equal(p[0].end, T0 + 14 * H);
    assert_int_equal(p[0].longest_streak, 1); /* 1 h 55 min apart: a break */
    heed_care_free(p);
    o.tz_offset_min = 120;
    assert_int_equal(heed_care_periods(c, 2, NULL, 0, &o, &p, &np, NULL), HEED_OK);
    assert_int_equal(np, 2);
    assert_int_equal(p[0].start, T0 - 10 * H - 2 * H); /* 2 Sep 00:00 at +02:00 */
    assert_int_equal(p[1].start, T0 + 14 * H - 2 * H); /* 3 Sep 00:00 at +02:00 */
    assert_int_equal(p[0].conversations, 1);
    assert_int_equal(p[1].conversations, 1);
    heed_care_free(p);
    o.tz_offset_min = -600; /* 11:00 and 13:00 on 2 Sep */
    o.high_stress = 75;     /* and 70 is not high under this threshold */
    assert_int_equal(heed_care_periods(c, 2, NULL, 0, &o, &p, &np, NULL), HEED_OK);
    assert_int_equal(np, 1);
    assert_int_equal(p[0].high, 0);
    heed_care_free(p);
}

static void test_weeks(void **state)
{
    (void)state;
    const int64_t sun = 1788737400LL;  /* 2026-09-06 23:30Z, Sunday: week 36 */
    const int64_t ny = 1798804800LL;   /* 2027-01-01 12:00Z: ISO 2026-W53 */
    const heed_care_reply r[] = {
        {1, sun, {2, 1, 0}, 0.8},
        {1, sun - D, {0, 1, 2}, 0.4},
        {2, ny, {1, 1, 1}, 0.5},
    };
    heed_care_week *w;
    size_t nw;
    assert_int_equal(heed_care_weeks(r, 3, 0, &w, &nw, NULL), HEED_OK);
    assert_int_equal(nw, 2);
    assert_int_equal(w[0].agent, 1);
    assert_int_equal(w[0].iso_year, 2026);
    assert_int_equal(w[0].iso_week, 36);
    assert_int_equal(w[0].replies, 2);
    assert_float_equal(w[0].empathy_mean[0], 1.0, 1e-9);
    assert_float_equal(w[0].empathy_mean[2], 1.0, 1e-9);
    assert_float_equal(w[0].compassion_mean, 0.6, 1e-9);
    assert_int_equal(w[1].iso_year, 2026);
    assert_int_equal(w[1].iso_week, 53);
    heed_care_free(w);
    /* at +01:00 the Sunday reply is on Monday 7 Sep: week 37 */
    assert_int_equal(heed_care_weeks(r, 2, 60, &w, &nw, NULL), HEED_OK);
    assert_int_equal(nw, 2);
    assert_int_equal(w[0].iso_week, 36);
    assert_int_equal(w[1].iso_week, 37);
    heed_care_free(w);
}

static void test_bad_input_and_alloc(void **state)
{
    (void)state;
    heed_care_period *p = NULL;
    size_t np = 7;
    heed_error err;
    assert_int_equal(heed_care_periods(NULL, 2, NULL, 0, NULL, &p, &np, &err), HEED_EINVAL);
    assert_int_equal(heed_care_periods(NULL, 0, NULL, 0, NULL, &p, &np, NULL), HEED_OK);
    assert_int_equal(np, 0);
    assert_null(p);
    heed_care_week *w;
    size_t nw;
    assert_int_equal(heed_care_weeks(NULL, 1, 0, &w, &nw, &err), HEED_EINVAL);
    heed_care_free(NULL);

    static const double s[] = {80, 80, 80};
    heed_care_convo c[3];
    run(c, 1, T0, s, 3, 1);
    const heed_care_shift sh[] = {{1, T0, T0 + H}};
    const heed_care_reply r[] = {{1, T0, {1, 1, 1}, 1}};
    for (long k = 0; k < 4; k++) {
        heed__alloc_fail_after(k);
        int rc = heed_care_periods(c, 3, sh, 1, NULL, &p, &np, NULL);
        int rc2 = heed_care_weeks(r, 1, 0, &w, &nw, NULL);
        heed__alloc_fail_after(-1);
        assert_true(rc == HEED_OK || rc == HEED_ENOMEM);
        assert_true(rc2 == HEED_OK || rc2 == HEED_ENOMEM);
        if (rc == HEED_OK)
            heed_care_free(p);
        if (rc2 == HEED_OK)
            heed_care_free(w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streaks_table),
        cmocka_unit_test(test_break_resets_streak),
        cmocka_unit_test(test_streak_across_shift_boundary),
        cmocka_unit_test(test_days_with_offset),
        cmocka_unit_test(test_weeks),
        cmocka_unit_test(test_bad_input_and_alloc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
