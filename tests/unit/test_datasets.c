/* test_datasets.c - the intent data loaders (src/io/datasets.c): tiny fixture
 * files with good and malformed rows, the intent -> need tables and the dev
 * split rule (expected values computed independently from docs/needs.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "datasets.h"

typedef struct reports {
    char msg[8][200];
    size_t n;
} reports;

static void collect(void *ctx, const char *msg)
{
    reports *r = ctx;
    if (r->n < 8)
        snprintf(r->msg[r->n], sizeof r->msg[0], "%s", msg);
    r->n++;
}

static int load(heed_dataset *ds, heed_ds_source src, const char *file, reports *rep,
                heed_error *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s/datasets/%s", HEED_TEST_DATA, file);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    int rc = heed_datasets_load(ds, src, f, file, collect, rep, err);
    fclose(f);
    return rc;
}

static void test_banking77(void **state)
{
    (void)state;
    heed_dataset ds = {0};
    reports rep = {0};
    heed_error err;
    assert_int_equal(load(&ds, HEED_DS_BANKING77, "banking77_tiny.csv", &rep, &err), HEED_OK);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.n_bad, 5);
    assert_int_equal(rep.n, 5);
    assert_string_equal(heed_datasets_text(&ds, 0), "I am still waiting on my card?");
    assert_int_equal(ds.rows[0].intent, 0);
    assert_int_equal(ds.rows[0].need, HEED_NEED_DELIVERY);
    assert_int_equal(ds.rows[0].line, 2);
    assert_string_equal(heed_datasets_text(&ds, 1), "Hi, I was charged twice, please help");
    assert_int_equal(ds.rows[1].need, HEED_NEED_BILLING);
    assert_int_equal(ds.rows[2].line, 10);
    assert_int_equal(ds.rows[2].need, HEED_NEED_REFUND);
    assert_string_equal(heed_datasets_text(&ds, 2), "Where is my money?");
    /* Every bad row named with file:line and the problem. */
    assert_non_null(strstr(rep.msg[0], "banking77_tiny.csv:4: wrong number of fields"));
    assert_non_null(strstr(rep.msg[1], "banking77_tiny.csv:5: malformed CSV"));
    assert_non_null(strstr(rep.msg[2], "banking77_tiny.csv:6: unknown intent: not_an_intent"));
    assert_non_null(strstr(rep.msg[3], "banking77_tiny.csv:7: empty text"));
    assert_non_null(strstr(rep.msg[4], "banking77_tiny.csv:8: invalid UTF-8"));
    heed_datasets_release(&ds);
}

static void test_bitext_and_extra_append(void **state)
{
    (void)state;
    heed_dataset ds = {0};
    reports rep = {0};
    heed_error err;
    assert_int_equal(load(&ds, HEED_DS_BITEXT, "bitext_tiny.csv", &rep, &err), HEED_OK);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.n_bad, 1);
    /* The multi-line quoted response spans lines 2-5: the next row is line 6. */
    assert_non_null(strstr(rep.msg[0], "bitext_tiny.csv:7: wrong number of fields"));
    assert_string_equal(heed_datasets_text(&ds, 0), "where is order 12345?");
    assert_int_equal(ds.rows[0].need, HEED_NEED_DELIVERY);
    assert_int_equal(ds.rows[1].line, 6);
    assert_int_equal(ds.rows[1].need, HEED_NEED_COMPLAINT);
    assert_int_equal(ds.rows[2].need, HEED_NEED_CANCELLATION);
    assert_int_equal(ds.rows[2].source, HEED_DS_BITEXT);

    assert_int_equal(load(&ds, HEED_DS_EXTRA, "extra_tiny.tsv", &rep, &err), HEED_OK);
    assert_int_equal(ds.n, 6);
    assert_int_equal(ds.n_bad, 3);
    assert_non_null(strstr(rep.msg[1], "extra_tiny.tsv:5: unknown need: not_a_need"));
    assert_non_null(strstr(rep.msg[2], "extra_tiny.tsv:6: expected NEED<TAB>TEXT"));
    assert_string_equal(heed_datasets_text(&ds, 3), "Thanks, great job!");
    assert_int_equal(ds.rows[3].need, HEED_NEED_PRAISE);
    assert_int_equal(ds.rows[3].intent, -1);
    assert_int_equal(ds.rows[4].need, HEED_NEED_COMPLAINT);
    assert_int_equal(ds.rows[5].need, HEED_NEED_OTHER);
    assert_int_equal(ds.rows[5].line, 7);
    heed_datasets_release(&ds);
}

static void test_bad_header(void **state)
{
    (void)state;
    heed_dataset ds = {0};
    reports rep = {0};
    heed_error err;
    assert_int_equal(load(&ds, HEED_DS_BANKING77, "bad_header.csv", &rep, &err), HEED_EPARSE);
    assert_non_null(strstr(err.msg, "bad_header.csv:1:"));
    assert_int_equal(ds.n, 0);
    heed_datasets_release(&ds);
}

static void test_tables(void **state)
{
    (void)state;
    const heed_ds_source srcs[] = {HEED_DS_BANKING77, HEED_DS_BITEXT};
    const size_t counts[] = {77, 27};
    for (size_t s = 0; s < 2; s++) {
        const heed_intent_need *t = heed_datasets_table(srcs[s]);
        assert_int_equal(heed_datasets_n_intents(srcs[s]), counts[s]);
        for (size_t i = 0; i < counts[s]; i++) {
            assert_true(t[i].need >= 0 && t[i].need < HEED_NEED_COUNT);
            assert_int_equal(heed_datasets_intent(srcs[s], t[i].intent, strlen(t[i].intent)),
                             (int)i);
        }
    }
    assert_null(heed_datasets_table(HEED_DS_EXTRA));
    assert_int_equal(heed_datasets_intent(HEED_DS_BANKING77, "card_arrival", 12), 0);
    assert_int_equal(heed_datasets_intent(HEED_DS_BANKING77, "reverted_card_payment?", 22), 52);
    assert_int_equal(heed_datasets_intent(HEED_DS_BANKING77, "card", 4), -1);
    assert_int_equal(heed_need_from_name("praise", 6), HEED_NEED_PRAISE);
    assert_int_equal(heed_need_from_name("prais", 5), -1);
    assert_string_equal(heed_need_name(HEED_NEED_ACCOUNT), "account_access");
    assert_null(heed_need_name(HEED_NEED_COUNT));
}

/* h mod 100 from a separate implementation of the documented rule:
 * "xyz"/banking77 -> 2, "abc"/banking77 -> 21, "where is order 12345?"/bitext_cs
 * -> 73, "help me cancel my order"/bitext_cs -> 15. */
static void test_dev_split(void **state)
{
    (void)state;
    assert_int_equal(heed_datasets_is_dev("banking77", "xyz", 3), 1);
    assert_int_equal(heed_datasets_is_dev("banking77", "XyZ", 3), 1);
    assert_int_equal(heed_datasets_is_dev("banking77", "abc", 3), 0);
    assert_int_equal(heed_datasets_is_dev("bitext_cs", "xyz", 3), 0);
    assert_int_equal(heed_datasets_is_dev("bitext_cs", "help me cancel my order", 23), 0);
    const char *a = "where is order 12345?", *b = "WHERE is order 9?";
    assert_int_equal(heed_datasets_is_dev("bitext_cs", a, strlen(a)),
                     heed_datasets_is_dev("bitext_cs", b, strlen(b)));
    /* Over many texts the share is near HEED_DEV_PERCENT. */
    size_t dev = 0;
    char t[32];
    for (int i = 0; i < 10000; i++) {
        int n = snprintf(t, sizeof t, "text %c%c%c", 'a' + i % 26, 'a' + i / 26 % 26,
                         'a' + i / 676 % 26);
        dev += (size_t)heed_datasets_is_dev("banking77", t, (size_t)n);
    }
    assert_true(dev > 800 && dev < 1200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_banking77),  cmocka_unit_test(test_bitext_and_extra_append),
        cmocka_unit_test(test_bad_header), cmocka_unit_test(test_tables),
        cmocka_unit_test(test_dev_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
