/* test_identity.c - identity resolution: strong keys link, a switchboard
 * number shared by several CRM ids does not, two CRM ids never merge, unmerge
 * rules are honoured and explained, transitive merges carry their links, the
 * result does not depend on the order keys are listed in, allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "identity.h"

#define K(kind, v) {kind, v, sizeof(v) - 1}
#define CRM(s) s, sizeof(s) - 1

/* Five records: CRM c1, a message by e-mail e1, an event by phone p1 that the
 * same message also carries (transitive), a survey with handle h9 alone. */
static const heed_id_key k1[] = {K(HEED_KEY_EMAIL, "e1")};
static const heed_id_key k2[] = {K(HEED_KEY_EMAIL, "e1"), K(HEED_KEY_PHONE, "p1")};
static const heed_id_key k3[] = {K(HEED_KEY_PHONE, "p1")};
static const heed_id_key k4[] = {K(HEED_KEY_HANDLE, "h9")};

static void test_transitive_merge_explained(void **state)
{
    (void)state;
    const heed_id_record recs[] = {
        {HEED_SILO_CRM, CRM("c1"), k1, 1},
        {HEED_SILO_MESSAGE, NULL, 0, k2, 2},
        {HEED_SILO_EVENT, NULL, 0, k3, 1},
        {HEED_SILO_SURVEY, NULL, 0, k4, 1},
    };
    heed_id_result res;
    heed_error err;
    assert_int_equal(heed_identity_resolve(recs, 4, NULL, 0, NULL, &res, &err), HEED_OK);
    assert_int_equal(res.n_customers, 2);
    size_t want[] = {0, 0, 0, 3};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(res.customer[i], want[i]);
    size_t first, n = heed_identity_links_of(&res, 0, &first);
    assert_int_equal(n, 2);
    /* e-mail links before phone: 0-1 by e1, then 1-2 by p1 */
    assert_int_equal(res.links[first].a, 0);
    assert_int_equal(res.links[first].b, 1);
    assert_int_equal(res.links[first].kind, HEED_KEY_EMAIL);
    assert_memory_equal(res.links[first].value, "e1", 2);
    assert_int_equal(res.links[first + 1].a, 1);
    assert_int_equal(res.links[first + 1].b, 2);
    assert_int_equal(res.links[first + 1].kind, HEED_KEY_PHONE);
    assert_int_equal(heed_identity_links_of(&res, 3, &first), 0);
    assert_int_equal(res.n_conflicts, 0);
    assert_int_equal(res.n_shared, 0);
    heed_identity_release(&res);
    heed_identity_release(&res); /* zeroed: a second release is harmless */
}

/* A switchboard number carried by three customers' records (and an event
 * with no CRM id): shared, not used; nobody merges through it. */
static void test_switchboard_not_merging(void **state)
{
    (void)state;
    static const heed_id_key sw[] = {K(HEED_KEY_PHONE, "+44200")};
    const heed_id_record recs[] = {
        {HEED_SILO_CRM, CRM("a"), sw, 1},
        {HEED_SILO_CRM, CRM("b"), sw, 1},
        {HEED_SILO_CRM, CRM("c"), sw, 1},
        {HEED_SILO_EVENT, NULL, 0, sw, 1},
    };
    heed_id_result res;
    assert_int_equal(heed_identity_resolve(recs, 4, NULL, 0, NULL, &res, NULL), HEED_OK);
    assert_int_equal(res.n_customers, 4);
    assert_int_equal(res.n_links, 0);
    assert_int_equal(res.n_conflicts, 0);
    assert_int_equal(res.n_shared, 1);
    assert_int_equal(res.shared[0].kind, HEED_KEY_PHONE);
    assert_int_equal(res.shared[0].n_records, 4);
    assert_int_equal(res.shared[0].n_crm, 3);
    heed_identity_release(&res);

    /* With the limit at 3 the number is no longer "shared": the event joins
     * the first customer and the CRM ids conflict rather than merge. */
    heed_id_opts o = {3};
    assert_int_equal(heed_identity_resolve(recs, 4, NULL, 0, &o, &res, NULL), HEED_OK);
    assert_int_equal(res.n_shared, 0);
    assert_int_equal(res.n_customers, 3);
    assert_int_equal(res.customer[3], 0);
    assert_true(res.n_conflicts >= 2);
    for (size_t i = 0; i < res.n_conflicts; i++)
        assert_int_equal(res.conflicts[i].reason, HEED_ID_CRM_CONFLICT);
    heed_identity_release(&res);
}

/* Two CRM customers sharing an e-mail (a couple): never merged, reported.
 * With the default (a key of more than one CRM id is shared) the e-mail links
 * nothing at all; allowing two CRM ids per key shows the conflict rule. */
static void test_crm_conflict(void **state)
{
    (void)state;
    static const heed_id_key fam[] = {K(HEED_KEY_EMAIL, "family")};
    static const heed_id_key crmkey[] = {K(HEED_KEY_CRM, "y")};
    const heed_id_record recs[] = {
        {HEED_SILO_CRM, CRM("x"), fam, 1},
        {HEED_SILO_CRM, NULL, 0, crmkey, 1}, /* CRM id given as a key */
        {HEED_SILO_MESSAGE, CRM("y"), fam, 1},
        {HEED_SILO_MESSAGE, NULL, 0, fam, 1}, /* only the shared e-mail */
    };
    heed_id_result res;
    assert_int_equal(heed_identity_resolve(recs, 4, NULL, 0, NULL, &res, NULL), HEED_OK);
    assert_int_equal(res.n_customers, 3); /* x; y; the e-mail-only message */
    assert_int_equal(res.customer[3], 3);
    assert_int_equal(res.n_conflicts, 0);
    assert_int_equal(res.n_shared, 1);
    assert_int_equal(res.shared[0].n_crm, 2);
    heed_identity_release(&res);
    const heed_id_opts two = {.max_crm_per_key = 2};
    assert_int_equal(heed_identity_resolve(recs, 3, NULL, 0, &two, &res, NULL), HEED_OK);
    assert_int_equal(res.n_customers, 2);
    assert_int_equal(res.customer[1], 1);
    assert_int_equal(res.customer[2], 1); /* same CRM id y */
    assert_int_equal(res.customer[0], 0);
    assert_int_equal(res.n_conflicts, 1);
    assert_int_equal(res.conflicts[0].reason, HEED_ID_CRM_CONFLICT);
    assert_int_equal(res.conflicts[0].kind, HEED_KEY_EMAIL);
    assert_int_equal(res.conflicts[0].a, 0);
    assert_int_equal(res.conflicts[0].b, 2);
    heed_identity_release(&res);
}

/* A chain 0 -e- 1 -p- 2 -h- 3 with the rule "0 and 3 are not the same": the
 * last link that would close the path is skipped and reported with its rule;
 * the other links stand. */
static void test_unmerge_honoured_and_explained(void **state)
{
    (void)state;
    static const heed_id_key a[] = {K(HEED_KEY_EMAIL, "e")};
    static const heed_id_key b[] = {K(HEED_KEY_EMAIL, "e"), K(HEED_KEY_PHONE, "p")};
    static const heed_id_key c[] = {K(HEED_KEY_PHONE, "p"), K(HEED_KEY_HANDLE, "h")};
    static const heed_id_key d[] = {K(HEED_KEY_HANDLE, "h")};
    const heed_id_record recs[] = {
        {HEED_SILO_MESSAGE, NULL, 0, a, 1},
        {HEED_SILO_MESSAGE, NULL, 0, b, 2},
        {HEED_SILO_MESSAGE, NULL, 0, c, 2},
        {HEED_SILO_MESSAGE, NULL, 0, d, 1},
    };
    const heed_id_unmerge rules[] = {{1, 1}, {3, 0}};
    heed_id_result res;
    assert_int_equal(heed_identity_resolve(recs, 4, rules, 2, NULL, &res, NULL), HEED_OK);
    assert_int_not_equal(res.customer[0], res.customer[3]);
    assert_int_equal(res.customer[0], 0);
    assert_int_equal(res.customer[1], 0);
    assert_int_equal(res.customer[2], 0);
    assert_int_equal(res.customer[3], 3);
    assert_int_equal(res.n_links, 2);
    assert_int_equal(res.n_conflicts, 1);
    assert_int_equal(res.conflicts[0].reason, HEED_ID_UNMERGE);
    assert_int_equal(res.conflicts[0].rule, 1);
    assert_int_equal(res.conflicts[0].kind, HEED_KEY_HANDLE);
    heed_identity_release(&res);

    /* Three records on one key, the first barred from both others: the other
     * two still meet (they are not barred from each other). */
    static const heed_id_key s[] = {K(HEED_KEY_EMAIL, "s")};
    const heed_id_record r3[] = {
        {HEED_SILO_MESSAGE, NULL, 0, s, 1},
        {HEED_SILO_MESSAGE, NULL, 0, s, 1},
        {HEED_SILO_MESSAGE, NULL, 0, s, 1},
    };
    const heed_id_unmerge rr[] = {{0, 1}, {0, 2}};
    assert_int_equal(heed_identity_resolve(r3, 3, rr, 2, NULL, &res, NULL), HEED_OK);
    assert_int_equal(res.n_customers, 2);
    assert_int_equal(res.customer[1], 1);
    assert_int_equal(res.customer[2], 1);
    assert_int_equal(res.n_conflicts, 2);
    heed_identity_release(&res);
}

/* Listing keys in another order inside the records changes nothing. */
static void test_order_of_keys_irrelevant(void **state)
{
    (void)state;
    static const heed_id_key x1[] = {K(HEED_KEY_PHONE, "p"), K(HEED_KEY_EMAIL, "e")};
    static const heed_id_key x2[] = {K(HEED_KEY_EMAIL, "e"), K(HEED_KEY_PHONE, "p")};
    static const heed_id_key y[] = {K(HEED_KEY_PHONE, "p")};
    static const heed_id_key z[] = {K(HEED_KEY_EMAIL, "e")};
    const heed_id_record r1[] = {{0, NULL, 0, y, 1}, {0, NULL, 0, x1, 2}, {0, NULL, 0, z, 1}};
    const heed_id_record r2[] = {{0, NULL, 0, y, 1}, {0, NULL, 0, x2, 2}, {0, NULL, 0, z, 1}};
    heed_id_result a, b;
    assert_int_equal(heed_identity_resolve(r1, 3, NULL, 0, NULL, &a, NULL), HEED_OK);
    assert_int_equal(heed_identity_resolve(r2, 3, NULL, 0, NULL, &b, NULL), HEED_OK);
    assert_int_equal(a.n_links, b.n_links);
    for (size_t i = 0; i < a.n_links; i++) {
        assert_int_equal(a.links[i].a, b.links[i].a);
        assert_int_equal(a.links[i].b, b.links[i].b);
        assert_int_equal(a.links[i].kind, b.links[i].kind);
    }
    assert_int_equal(a.n_customers, 1);
    heed_identity_release(&a);
    heed_identity_release(&b);
}

static void test_bad_input(void **state)
{
    (void)state;
    static const heed_id_key two[] = {K(HEED_KEY_CRM, "q")};
    static const heed_id_key bad[] = {{9, "x", 1}};
    const heed_id_record r[] = {{0, CRM("p"), two, 1}};
    const heed_id_record rb[] = {{0, NULL, 0, NULL, 0}, {0, NULL, 0, bad, 1}};
    const heed_id_unmerge far[] = {{0, 5}};
    heed_id_result res;
    heed_error err;
    assert_int_equal(heed_identity_resolve(r, 1, NULL, 0, NULL, &res, &err), HEED_EINVAL);
    assert_non_null(strstr(err.msg, "two different CRM ids"));
    assert_int_equal(heed_identity_resolve(rb, 2, NULL, 0, NULL, &res, &err), HEED_EINVAL);
    assert_int_equal(err.pos, 1);
    assert_int_equal(heed_identity_resolve(rb, 1, far, 1, NULL, &res, &err), HEED_EINVAL);
    assert_int_equal(heed_identity_resolve(NULL, 0, NULL, 0, NULL, &res, NULL), HEED_OK);
    assert_int_equal(res.n_customers, 0);
    heed_identity_release(&res);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    const heed_id_record recs[] = {
        {HEED_SILO_CRM, CRM("c1"), k1, 1},
        {HEED_SILO_MESSAGE, NULL, 0, k2, 2},
        {HEED_SILO_EVENT, NULL, 0, k3, 1},
    };
    int ok = 0;
    for (long k = 0; k < 50 && !ok; k++) {
        heed_id_result res;
        heed__alloc_fail_after(k);
        int rc = heed_identity_resolve(recs, 3, NULL, 0, NULL, &res, NULL);
        heed__alloc_fail_after(-1);
        assert_true(rc == HEED_OK || rc == HEED_ENOMEM);
        if (rc == HEED_OK) {
            ok = 1;
            assert_int_equal(res.n_customers, 1);
        } else {
            assert_null(res.customer);
        }
        heed_identity_release(&res);
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transitive_merge_explained),
        cmocka_unit_test(test_switchboard_not_merging),
        cmocka_unit_test(test_crm_conflict),
        cmocka_unit_test(test_unmerge_honoured_and_explained),
        cmocka_unit_test(test_order_of_keys_irrelevant),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
