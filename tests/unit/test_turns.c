/* test_turns.c - what `heed analyze` works out per turn before analysis: the
 * record's time (timeparse.c) and the customer text an agent turn answers
 * (context.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "context.h"
#include "timeparse.h"

static int64_t T(const char *s, int *tz)
{
    int64_t t = -1;
    int z = 999;
    assert_int_equal(heed_parse_time(s, strlen(s), &t, &z), 0);
    if (tz)
        *tz = z;
    return t;
}

static void test_time_forms(void **state)
{
    (void)state;
    int tz;
    /* 2026-09-01T07:42:00Z: date -u -d ... +%s */
    assert_int_equal(T("2026-09-01T07:42:00Z", &tz), 1788248520);
    assert_int_equal(tz, 0);
    assert_int_equal(T("2026-09-01T09:42:00+02:00", &tz), 1788248520);
    assert_int_equal(tz, 120);
    assert_int_equal(T("2026-09-01 02:42:00-0500", &tz), 1788248520);
    assert_int_equal(tz, -300);
    assert_int_equal(T("2026-09-01T07:42:00.123Z", NULL), 1788248520);
    assert_int_equal(T("2026-09-01T07:42Z", NULL), 1788248520);
    assert_int_equal(T("2026-09-01", NULL), 1788220800);
    assert_int_equal(T("1788248520", &tz), 1788248520);
    assert_int_equal(tz, 0);
    assert_int_equal(T(" 2024-02-29T00:00:00Z ", NULL), 1709164800); /* leap day */
    assert_int_equal(T("1970-01-01T00:00:00Z", NULL), 0);
}

static void test_time_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "yesterday",
        "2026-13-01",
        "2026-02-29",
        "2026-09-31",
        "2026-09-01T24:00:00Z",
        "2026-09-01T07:60Z",
        "2026-09-01T07:42:00Q",
        "2026-9-1",
        "2026-09-01T07",
        "2026-09-01T07:42:00+",
        "12345678901234",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 0;
        int z = 0;
        if (heed_parse_time(bad[i], strlen(bad[i]), &t, &z) != -1)
            fail_msg("accepted '%s'", bad[i]);
    }
}

#define S(x) x, strlen(x)

static void expect_ctx(heed_context *c, const char *conv, const char *want)
{
    const char *t;
    size_t n;
    heed_context_agent(c, conv, conv ? strlen(conv) : 0, &t, &n);
    if (!want) {
        assert_int_equal(n, 0);
        return;
    }
    assert_int_equal(n, strlen(want));
    assert_memory_equal(t, want, n);
}

static void test_context_exchanges(void **state)
{
    (void)state;
    heed_context *c = heed_context_new();
    assert_non_null(c);
    expect_ctx(c, "a", NULL); /* an agent opens: nothing to answer */
    assert_int_equal(heed_context_customer(c, S("a"), S("Where is my parcel?")), 0);
    assert_int_equal(heed_context_customer(c, S("b"), S("Refund please.")), 0);
    assert_int_equal(heed_context_customer(c, S("a"), S("It is late.")), 0);
    expect_ctx(c, "a", "Where is my parcel?\n\nIt is late.");
    expect_ctx(c, "a", "Where is my parcel?\n\nIt is late."); /* second reply in a row */
    assert_int_equal(heed_context_customer(c, S("a"), S("Thanks!")), 0);
    expect_ctx(c, "a", "Thanks!"); /* a new exchange */
    expect_ctx(c, "b", "Refund please.");
    expect_ctx(c, "zzz", NULL);
    /* an empty customer message starts a new exchange but adds nothing */
    expect_ctx(c, "b", "Refund please.");
    assert_int_equal(heed_context_customer(c, S("b"), "", 0), 0);
    expect_ctx(c, "b", NULL);
    assert_int_equal(heed_context_customer(c, S("b"), NULL, 0), 0);
    expect_ctx(c, "b", NULL);
    /* no conversation id: one unnamed stream */
    assert_int_equal(heed_context_customer(c, NULL, 0, S("Hello?")), 0);
    expect_ctx(c, NULL, "Hello?");
    heed_context_free(c);
}

static void test_context_bounds(void **state)
{
    (void)state;
    heed_context *c = heed_context_new();
    assert_non_null(c);
    /* a long exchange keeps only its latest HEED_CONTEXT_MAX bytes */
    static char big[HEED_CONTEXT_MAX + 100];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = 'y';
    assert_int_equal(heed_context_customer(c, S("a"), big, sizeof big), 0);
    assert_int_equal(heed_context_customer(c, S("a"), S("end")), 0);
    const char *t;
    size_t n;
    heed_context_agent(c, S("a"), &t, &n);
    assert_int_equal(n, HEED_CONTEXT_MAX);
    assert_memory_equal(t + n - 6, "y\n\nend", 6);
    /* more conversations than the cap: the oldest are dropped, the newest kept */
    char id[32];
    for (int i = 0; i < HEED_CONTEXT_CONVERSATIONS + 10; i++) {
        int k = snprintf(id, sizeof id, "c%d", i);
        assert_int_equal(heed_context_customer(c, id, (size_t)k, S("hi")), 0);
    }
    expect_ctx(c, "c1", NULL);
    snprintf(id, sizeof id, "c%d", HEED_CONTEXT_CONVERSATIONS + 9);
    expect_ctx(c, id, "hi");
    heed_context_free(c);
    /* long messages in many conversations: the byte budget holds */
    c = heed_context_new();
    assert_non_null(c);
    static char text[4000];
    memset(text, 'z', sizeof text);
    size_t peak = 0;
    for (int i = 0; i < 20000; i++) {
        int k = snprintf(id, sizeof id, "long%d", i);
        assert_int_equal(heed_context_customer(c, id, (size_t)k, text, sizeof text), 0);
        if (heed_context_bytes(c) > peak)
            peak = heed_context_bytes(c);
    }
    assert_true(peak <= HEED_CONTEXT_BYTES + 2 * HEED_CONTEXT_MAX);
    const char *got;
    size_t got_len;
    heed_context_agent(c, S("long19999"), &got, &got_len); /* the newest is kept */
    assert_int_equal(got_len, sizeof text);
    assert_memory_equal(got, text, sizeof text);
    heed_context_agent(c, S("long0"), &got, &got_len); /* the oldest went */
    assert_int_equal(got_len, 0);
    heed_context_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_forms),
        cmocka_unit_test(test_time_rejects),
        cmocka_unit_test(test_context_exchanges),
        cmocka_unit_test(test_context_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
