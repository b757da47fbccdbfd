/* test_promises_match.c - promises against later events: kept, kept late,
 * broken and pending; order refs; one event for one promise (earliest due
 * first); default windows; agent messages for follow-ups and calls; the
 * sentences; bad input and allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "promises_match.h"

#define T0 1788343200LL /* 2026-09-02 10:00 UTC */
#define H 3600LL
#define D 86400LL
#define NONE ((size_t)-1)
#define ORD(s) s, sizeof(s) - 1

/* Table: one promise against a few events of customer 7. */
typedef struct pm_case {
    const char *name;
    heed_pm_promise p;
    heed_pm_event ev[3];
    size_t n_ev;
    int64_t now;
    int status;
    size_t evidence; /* event index or NONE */
    const char *sentence; /* substring expected, or NULL */
} pm_case;

static const pm_case cases[] = {
    {"refund kept",
     {"p1", 7, HEED_PROMISE_REFUND, T0, 1, T0 + 3 * D, NULL, 0},
     {{"r-991", 7, HEED_EVENT_REFUND, T0 + 2 * D, NULL, 0}},
     1, T0 + 10 * D, HEED_PM_KEPT, 0,
     "refund promised on 2 Sep by 5 Sep; refund event r-991 on 4 Sep: kept"},
    {"refund kept late",
     {"p1", 7, HEED_PROMISE_REFUND, T0, 1, T0 + 3 * D, NULL, 0},
     {{"r-1", 7, HEED_EVENT_REFUND, T0 + 6 * D, NULL, 0}},
     1, T0 + 10 * D, HEED_PM_KEPT_LATE, 0, "kept late, 3 days after due"},
    {"refund broken",
     {"p1", 7, HEED_PROMISE_REFUND, T0, 1, T0 + 3 * D, NULL, 0},
     {{"pay", 7, HEED_EVENT_PAYMENT, T0 + D, NULL, 0}},
     1, T0 + 7 * D, HEED_PM_BROKEN, NONE, "no refund event by 9 Sep: broken, 4 days overdue"},
    {"refund pending",
     {"p1", 7, HEED_PROMISE_REFUND, T0, 1, T0 + 3 * D, NULL, 0},
     {{"r", 8, HEED_EVENT_REFUND, T0 + D, NULL, 0}}, /* another customer's */
     1, T0 + D, HEED_PM_PENDING, NONE, "pending, due in 2 days"},
    {"event before the promise does not count",
     {"p1", 7, HEED_PROMISE_REFUND, T0, 1, T0 + 3 * D, NULL, 0},
     {{"r", 7, HEED_EVENT_REFUND, T0 - H, NULL, 0}},
     1, T0 + 4 * D, HEED_PM_BROKEN, NONE, NULL},
    {"event after now does not count",
     {"p1", 7, HEED_PROMISE_REFUND, T0, 1, T0 + 3 * D, NULL, 0},
     {{"r", 7, HEED_EVENT_REFUND, T0 + 2 * D, NULL, 0}},
     1, T0 + D, HEED_PM_PENDING, NONE, NULL},
    {"order ref mismatch",
     {"p1", 7, HEED_PROMISE_REPLACEMENT, T0, 1, T0 + 3 * D, ORD("A-1")},
     {{"s", 7, HEED_EVENT_SHIPMENT, T0 + D, ORD("B-2")}},
     1, T0 + 5 * D, HEED_PM_BROKEN, NONE, "no replacement or shipment by"},
    {"order ref match, shipment counts for a replacement",
     {"p1", 7, HEED_PROMISE_REPLACEMENT, T0, 1, T0 + 3 * D, ORD("A-1")},
     {{"s1", 7, HEED_EVENT_SHIPMENT, T0 + D, ORD("B-2")},
      {"s2", 7, HEED_EVENT_SHIPMENT, T0 + 2 * D, ORD("A-1")}},
     2, T0 + 5 * D, HEED_PM_KEPT, 1, "shipment event s2"},
    {"event without an order matches a promise with one",
     {"p1", 7, HEED_PROMISE_REPAIR, T0, 1, T0 + 3 * D, ORD("A-1")},
     {{"fix", 7, HEED_EVENT_REPAIR, T0 + D, NULL, 0}},
     1, T0 + 5 * D, HEED_PM_KEPT, 0, NULL},
    {"promise without an order takes any order",
     {"p1", 7, HEED_PROMISE_REPAIR, T0, 1, T0 + 3 * D, NULL, 0},
     {{"fix", 7, HEED_EVENT_REPAIR, T0 + D, ORD("Z")}},
     1, T0 + 5 * D, HEED_PM_KEPT, 0, NULL},
    {"default window: callback 1 day",
     {"p1", 7, HEED_PROMISE_CALLBACK, T0, 0, 0, NULL, 0},
     {{"cb", 7, HEED_EVENT_CALLBACK, T0 + 30 * H, NULL, 0}},
     1, T0 + 2 * D, HEED_PM_KEPT_LATE, 0, "(default window of 24 h)"},
    {"default window: repair 10 days",
     {"p1", 7, HEED_PROMISE_REPAIR, T0, 0, 0, NULL, 0},
     {{"x", 7, HEED_EVENT_REPAIR, T0 + 9 * D, NULL, 0}},
     1, T0 + 20 * D, HEED_PM_KEPT, 0, NULL},
    {"wrong kind of event",
     {"p1", 7, HEED_PROMISE_REPAIR, T0, 1, T0 + D, NULL, 0},
     {{"x", 7, HEED_EVENT_REPLACEMENT, T0 + H, NULL, 0}},
     1, T0 + 2 * D, HEED_PM_BROKEN, NONE, NULL},
    {"information kept by a message_sent",
     {"p1", 7, HEED_PROMISE_INFORMATION, T0, 0, 0, NULL, 0},
     {{"m", 7, HEED_EVENT_MESSAGE_SENT, T0 + D, NULL, 0}},
     1, T0 + 3 * D, HEED_PM_KEPT, 0, NULL},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pm_case *c = &cases[i];
        heed_pm_result r;
        heed_error err;
        int rc = heed_pm_check(&c->p, 1, c->ev, c->n_ev, NULL, 0, c->now, NULL, &r, &err);
        if (rc != HEED_OK || r.status != c->status || r.index != c->evidence ||
            (c->sentence && !strstr(r.sentence, c->sentence)))
            fail_msg("case '%s': rc %d status %s index %zu sentence '%s'", c->name, rc,
                     heed_pm_status_name(r.status), r.index, r.sentence);
        assert_int_equal(r.evidence,
                         c->evidence == NONE ? HEED_PM_EVIDENCE_NONE : HEED_PM_EVIDENCE_EVENT);
    }
}

/* Two refund promises, one refund event: the promise due first takes it. */
static void test_one_event_one_promise(void **state)
{
    (void)state;
    const heed_pm_promise p[] = {
        {"late-due", 7, HEED_PROMISE_REFUND, T0, 1, T0 + 5 * D, NULL, 0},
        {"early-due", 7, HEED_PROMISE_REFUND, T0 + H, 1, T0 + 2 * D, NULL, 0},
    };
    const heed_pm_event e[] = {{"r", 7, HEED_EVENT_REFUND, T0 + D, NULL, 0}};
    heed_pm_result r[2];
    assert_int_equal(heed_pm_check(p, 2, e, 1, NULL, 0, T0 + 6 * D, NULL, r, NULL), HEED_OK);
    assert_int_equal(r[1].status, HEED_PM_KEPT);
    assert_int_equal(r[1].index, 0);
    assert_int_equal(r[0].status, HEED_PM_BROKEN);
    assert_int_equal(r[0].index, NONE);

    /* a second refund event later keeps the other one too */
    const heed_pm_event e2[] = {{"r2", 7, HEED_EVENT_REFUND, T0 + 4 * D, NULL, 0},
                                {"r", 7, HEED_EVENT_REFUND, T0 + D, NULL, 0}};
    assert_int_equal(heed_pm_check(p, 2, e2, 2, NULL, 0, T0 + 6 * D, NULL, r, NULL), HEED_OK);
    assert_int_equal(r[1].index, 1);
    assert_int_equal(r[0].index, 0);
    assert_int_equal(r[0].status, HEED_PM_KEPT);
}

/* A callback event can keep a callback or a follow-up, not both; an agent
 * phone message keeps a callback; a plain reply keeps a follow-up only. */
static void test_shared_classes(void **state)
{
    (void)state;
    const heed_pm_promise p[] = {
        {"cb", 7, HEED_PROMISE_CALLBACK, T0, 1, T0 + D, NULL, 0},
        {"fu", 7, HEED_PROMISE_FOLLOW_UP, T0, 1, T0 + 2 * D, NULL, 0},
    };
    const heed_pm_event e[] = {{"call", 7, HEED_EVENT_CALLBACK, T0 + H, NULL, 0}};
    heed_pm_result r[2];
    assert_int_equal(heed_pm_check(p, 2, e, 1, NULL, 0, T0 + 3 * D, NULL, r, NULL), HEED_OK);
    assert_int_equal(r[0].status, HEED_PM_KEPT);
    assert_int_equal(r[1].status, HEED_PM_BROKEN);

    const heed_pm_agent_msg m[] = {{"reply", 7, T0 + 2 * H, 0}, {"phone", 7, T0 + 3 * H, 1}};
    assert_int_equal(heed_pm_check(p, 2, NULL, 0, m, 2, T0 + 3 * D, NULL, r, NULL), HEED_OK);
    assert_int_equal(r[0].status, HEED_PM_KEPT);
    assert_int_equal(r[0].evidence, HEED_PM_EVIDENCE_AGENT_MSG);
    assert_int_equal(r[0].index, 1);
    assert_int_equal(r[1].status, HEED_PM_KEPT);
    assert_int_equal(r[1].index, 0);
    assert_non_null(strstr(r[0].sentence, "agent call phone"));

    /* the reply that makes a follow-up promise (same time as made) does not
     * keep it; the next reply does */
    const heed_pm_agent_msg own[] = {{"self", 7, T0, 0}, {"next", 7, T0 + D, 0}};
    assert_int_equal(heed_pm_check(&p[1], 1, NULL, 0, own, 1, T0 + H, NULL, r, NULL), HEED_OK);
    assert_int_equal(r[0].status, HEED_PM_PENDING);
    assert_int_equal(heed_pm_check(&p[1], 1, NULL, 0, own, 1, T0 + 3 * D, NULL, r, NULL),
                     HEED_OK);
    assert_int_equal(r[0].status, HEED_PM_BROKEN);
    assert_int_equal(heed_pm_check(&p[1], 1, NULL, 0, own, 2, T0 + 3 * D, NULL, r, NULL),
                     HEED_OK);
    assert_int_equal(r[0].status, HEED_PM_KEPT);
    assert_int_equal(r[0].index, 1);
}

/* lookback lets a refund issued while the reply was written count. */
static void test_lookback_and_tz(void **state)
{
    (void)state;
    const heed_pm_promise p = {"p", 7, HEED_PROMISE_REFUND, T0, 1, T0 + 3 * D, NULL, 0};
    const heed_pm_event e = {"r", 7, HEED_EVENT_REFUND, T0 - 600, NULL, 0};
    heed_pm_result r;
    heed_pm_opts o = {{0}, 3600, 15 * 60};
    assert_int_equal(heed_pm_check(&p, 1, &e, 1, NULL, 0, T0 + D, &o, &r, NULL), HEED_OK);
    assert_int_equal(r.status, HEED_PM_KEPT);
    o.tz_offset_min = 14 * 60; /* 10:00Z is already 3 Sep at +14:00 */
    assert_int_equal(heed_pm_check(&p, 1, &e, 1, NULL, 0, T0 + D, &o, &r, NULL), HEED_OK);
    assert_non_null(strstr(r.sentence, "promised on 3 Sep"));
    o.window_s[HEED_PROMISE_REFUND] = 0;
    assert_int_equal(heed_pm_default_window(HEED_PROMISE_REFUND), 5 * D);
    assert_int_equal(heed_pm_default_window(99), 0);
}

static void test_names_and_bad_input(void **state)
{
    (void)state;
    assert_string_equal(heed_event_type_name(HEED_EVENT_DELIVERY_FAILED), "delivery_failed");
    assert_int_equal(heed_event_type_parse("message_sent", 12), HEED_EVENT_MESSAGE_SENT);
    assert_int_equal(heed_event_type_parse("refun", 5), -1);
    assert_string_equal(heed_pm_status_name(HEED_PM_KEPT_LATE), "kept_late");
    const heed_pm_promise bad = {"p", 7, 42, T0, 0, 0, NULL, 0};
    heed_pm_result r;
    heed_error err;
    assert_int_equal(heed_pm_check(&bad, 1, NULL, 0, NULL, 0, T0, NULL, &r, &err), HEED_EINVAL);
    const heed_pm_event ebad = {"e", 7, 77, T0, NULL, 0};
    assert_int_equal(heed_pm_check(NULL, 0, &ebad, 1, NULL, 0, T0, NULL, NULL, &err),
                     HEED_EINVAL);
    assert_int_equal(heed_pm_check(NULL, 0, NULL, 0, NULL, 0, T0, NULL, NULL, NULL), HEED_OK);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    const pm_case *c = &cases[0];
    int ok = 0;
    for (long k = 0; k < 20 && !ok; k++) {
        heed_pm_result r;
        heed__alloc_fail_after(k);
        int rc = heed_pm_check(&c->p, 1, c->ev, c->n_ev, NULL, 0, c->now, NULL, &r, NULL);
        heed__alloc_fail_after(-1);
        assert_true(rc == HEED_OK || rc == HEED_ENOMEM);
        ok = rc == HEED_OK;
    }
    assert_true(ok);
}

/* heed_pm_status_at: deciding once with every event known gives, for any
 * now, the statuses deciding as of that now gives. Random customers with
 * promises of every kind (some with orders, some without a due time), events
 * of every type (some with orders) and agent messages (some calls), decided
 * as of many times before, between and after them. */
static void test_status_at_any_time(void **state)
{
    (void)state;
    enum { NP = 12, NE = 10, NM = 6 };
    static const char *const orders[] = {"A-1", "A-2"};
    uint64_t x = 88172645463325252ull; /* xorshift: the same cases every run */
#define RND(n) (x ^= x << 13, x ^= x >> 7, x ^= x << 17, (int64_t)(x % (uint64_t)(n)))
    const int64_t t0 = 1790000000, span = 20 * 86400;
    for (int round = 0; round < 300; round++) {
        heed_pm_promise p[NP];
        heed_pm_event e[NE];
        heed_pm_agent_msg m[NM];
        heed_pm_result all[NP], at[NP];
        int64_t last = 0;
        for (int i = 0; i < NP; i++) {
            int o = (int)RND(3);
            p[i] = (heed_pm_promise){.customer = 1 + RND(2),
                                     .kind = (int)RND(HEED_PROMISE_COUNT),
                                     .made = t0 + RND(span),
                                     .has_due = (int)RND(2),
                                     .order = o < 2 ? orders[o] : NULL,
                                     .order_len = o < 2 ? 3 : 0};
            p[i].due = p[i].made + RND(6 * 86400);
        }
        for (int i = 0; i < NE; i++) {
            int o = (int)RND(3);
            e[i] = (heed_pm_event){.customer = 1 + RND(2),
                                   .type = (int)RND(HEED_EVENT_COUNT),
                                   .time = t0 + RND(span),
                                   .order = o < 2 ? orders[o] : NULL,
                                   .order_len = o < 2 ? 3 : 0};
            last = e[i].time > last ? e[i].time : last;
        }
        for (int i = 0; i < NM; i++) {
            m[i] = (heed_pm_agent_msg){.customer = 1 + RND(2),
                                       .time = t0 + RND(span),
                                       .is_phone = (int)RND(2)};
            last = m[i].time > last ? m[i].time : last;
        }
        assert_int_equal(heed_pm_check(p, NP, e, NE, m, NM, last, NULL, all, NULL), HEED_OK);
        for (int k = 0; k < 40; k++) {
            int64_t now = t0 - 86400 + RND(span + 10 * 86400);
            if (k == 0)
                now = last;
            assert_int_equal(heed_pm_check(p, NP, e, NE, m, NM, now, NULL, at, NULL), HEED_OK);
            for (int i = 0; i < NP; i++) {
                assert_int_equal(all[i].due, at[i].due);
                assert_int_equal(heed_pm_status_at(all[i].due,
                                                   all[i].evidence != HEED_PM_EVIDENCE_NONE,
                                                   all[i].evidence_time, now),
                                 at[i].status);
            }
        }
    }
#undef RND
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_one_event_one_promise),
        cmocka_unit_test(test_shared_classes),
        cmocka_unit_test(test_lookback_and_tz),
        cmocka_unit_test(test_names_and_bad_input),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_status_at_any_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
