/* test_identity.c - identity resolution: strong keys link, a switchboard
 * number shared by several CRM ids does not, two CRM ids never merge, unmerge
 * rules are honoured and explained, transitive merges carry their links, the
 * result does not depend on the order keys are listed in, allocation failures;
 * the compact form (keys given as groups of record indices, as the store's
 * full pass builds them) gives the same customers and counts on many
 * generated cases, follows the value order on ties, and rejects bad groups. */
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
    heed_id_opts o = {.max_crm_per_key = 3};
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

/* ---- the compact form */

/* A tiny deterministic generator (no clock, no libc rand). */
static uint32_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

enum { MAXR = 40, MAXK = 4 };

typedef struct gcase {
    heed_id_record rec[MAXR];
    heed_id_key keys[MAXR][MAXK];
    heed_id_unmerge rules[4];
    size_t n, n_rules;
} gcase;

/* Values of different lengths ("e1" < "e10" < "e2" byte-wise) from a small
 * pool, so keys are shared, CRM ids collide through chains, and switchboard
 * keys appear. */
static const char *const POOL[] = {"a", "b", "a1", "a10", "b2", "c", "c0", "d"};
static const char *const CRMS[] = {"C1", "C10", "C2", "C3"};

static void gen_case(uint64_t *seed, gcase *c)
{
    memset(c, 0, sizeof *c);
    c->n = 1 + lcg(seed) % MAXR;
    for (size_t i = 0; i < c->n; i++) {
        heed_id_record *r = &c->rec[i];
        r->silo = (int)(lcg(seed) % 4);
        if (lcg(seed) % 4 == 0) {
            r->crm_id = CRMS[lcg(seed) % 4];
            r->crm_len = strlen(r->crm_id);
        }
        size_t nk = lcg(seed) % MAXK;
        for (size_t k = 0; k < nk; k++) {
            int kind = 1 + (int)(lcg(seed) % 3);
            const char *v = POOL[lcg(seed) % 8];
            c->keys[i][k] = (heed_id_key){kind, v, strlen(v)};
        }
        r->keys = c->keys[i];
        r->n_keys = nk;
    }
    c->n_rules = lcg(seed) % 4;
    for (size_t j = 0; j < c->n_rules; j++)
        c->rules[j] = (heed_id_unmerge){lcg(seed) % c->n, lcg(seed) % c->n};
}

/* The groups as the store lays them out: per kind, values in byte order, each
 * value's distinct records ascending; CRM number = the CRM group's index. */
static size_t build_groups(const gcase *c, uint32_t *crm, heed_id_group *g, uint32_t *mem)
{
    size_t ng = 0, nm = 0;
    for (size_t i = 0; i < c->n; i++)
        crm[i] = HEED_ID_NO_CRM;
    for (int kind = 0; kind < HEED_KEY_COUNT; kind++) {
        const char *const *vals = kind == HEED_KEY_CRM ? CRMS : POOL;
        size_t nv = kind == HEED_KEY_CRM ? 4 : 8;
        /* the pools are not sorted: walk them in byte order */
        int used[8] = {0};
        for (size_t taken = 0; taken < nv; taken++) {
            size_t best = nv;
            for (size_t v = 0; v < nv; v++)
                if (!used[v] && (best == nv || strcmp(vals[v], vals[best]) < 0))
                    best = v;
            used[best] = 1;
            uint32_t start = (uint32_t)nm;
            for (size_t i = 0; i < c->n; i++) {
                const heed_id_record *r = &c->rec[i];
                int has = 0;
                if (kind == HEED_KEY_CRM)
                    has = r->crm_id && !strcmp(r->crm_id, vals[best]);
                for (size_t k = 0; kind != HEED_KEY_CRM && k < r->n_keys; k++)
                    has |= r->keys[k].kind == kind && !strcmp(r->keys[k].value, vals[best]);
                if (!has)
                    continue;
                mem[nm++] = (uint32_t)i;
                if (kind == HEED_KEY_CRM)
                    crm[i] = (uint32_t)ng;
            }
            if (nm > start)
                g[ng++] = (heed_id_group){start, (uint32_t)nm, 0, kind};
        }
    }
    return ng;
}

static void test_groups_match_records(void **state)
{
    (void)state;
    uint64_t seed = 42;
    size_t conflicts = 0, shared = 0, unmerged = 0;
    for (int t = 0; t < 2000; t++) {
        gcase c;
        gen_case(&seed, &c);
        heed_id_opts o = {.max_crm_per_key = 1 + (size_t)(t % 2)};
        heed_id_result res;
        assert_int_equal(heed_identity_resolve(c.rec, c.n, c.rules, c.n_rules, &o, &res, NULL),
                         HEED_OK);
        uint32_t crm[MAXR], mem[MAXR * (MAXK + 1)], cust[MAXR];
        heed_id_group g[64];
        size_t ng = build_groups(&c, crm, g, mem);
        heed_id_counts n;
        assert_int_equal(heed_identity_resolve_groups(c.n, crm, g, ng, mem, c.rules, c.n_rules,
                                                      &o, cust, &n, NULL),
                         HEED_OK);
        for (size_t i = 0; i < c.n; i++)
            assert_int_equal(cust[i], res.customer[i]);
        assert_int_equal(n.n_customers, res.n_customers);
        assert_int_equal(n.n_links, res.n_links);
        assert_int_equal(n.n_conflicts, res.n_conflicts);
        assert_int_equal(n.n_shared, res.n_shared);
        if (o.max_crm_per_key == 1) {
            /* the same without the groups that link nothing, as the full
             * pass lays them out: groups of one record and shared keys left
             * out (kept in place, members packed), the CRM numbers clobbered */
            ng = build_groups(&c, crm, g, mem);
            size_t kept = 0, nm = 0, n_shared = 0;
            for (size_t k = 0; k < ng; k++) {
                uint32_t one = HEED_ID_NO_CRM, start = (uint32_t)nm;
                int is_shared = 0;
                for (uint32_t j = g[k].start; j < g[k].end; j++) {
                    uint32_t x = crm[mem[j]];
                    is_shared |= x != HEED_ID_NO_CRM && one != HEED_ID_NO_CRM && x != one;
                    if (x != HEED_ID_NO_CRM)
                        one = x;
                }
                if (g[k].kind != HEED_KEY_CRM && is_shared) {
                    n_shared++;
                    continue;
                }
                if (g[k].end - g[k].start < 2)
                    continue;
                for (uint32_t j = g[k].start; j < g[k].end; j++)
                    mem[nm++] = mem[j];
                g[kept++] = (heed_id_group){start, (uint32_t)nm, 0, g[k].kind};
            }
            uint32_t cust2[MAXR];
            assert_int_equal(heed_identity_resolve_unshared(c.n, crm, g, kept, mem, c.rules,
                                                            c.n_rules, cust2, &n, NULL),
                             HEED_OK);
            for (size_t i = 0; i < c.n; i++)
                assert_int_equal(cust2[i], res.customer[i]);
            assert_int_equal(n.n_customers, res.n_customers);
            assert_int_equal(n.n_links, res.n_links);
            assert_int_equal(n.n_conflicts, res.n_conflicts);
            assert_int_equal(n.n_shared, 0);
            assert_int_equal(n_shared, res.n_shared);
        }
        conflicts += res.n_conflicts;
        shared += res.n_shared;
        for (size_t i = 0; i < res.n_conflicts; i++)
            unmerged += res.conflicts[i].reason == HEED_ID_UNMERGE;
        heed_identity_release(&res);
    }
    /* the cases did exercise every rule */
    assert_true(conflicts > 100 && shared > 100 && unmerged > 10);
}

/* Record 0 carries e-mails "a" and "b"; "a" also record 1, "b" record 2; 1
 * and 2 are unmerged. Both groups start at record 0, so the value order
 * decides: "a" first joins 0 and 1, then "b" is refused. Laid out in the
 * other order the compact form would join 0 and 2: the layout is part of the
 * contract, and it matches heed_identity_resolve. */
static void test_groups_tie_follows_value_order(void **state)
{
    (void)state;
    static const heed_id_key ka[] = {K(HEED_KEY_EMAIL, "a"), K(HEED_KEY_EMAIL, "b")};
    static const heed_id_key kb[] = {K(HEED_KEY_EMAIL, "a")};
    static const heed_id_key kc[] = {K(HEED_KEY_EMAIL, "b")};
    const heed_id_record recs[] = {{HEED_SILO_MESSAGE, NULL, 0, ka, 2},
                                   {HEED_SILO_MESSAGE, NULL, 0, kb, 1},
                                   {HEED_SILO_MESSAGE, NULL, 0, kc, 1}};
    const heed_id_unmerge rule[] = {{1, 2}};
    heed_id_result res;
    assert_int_equal(heed_identity_resolve(recs, 3, rule, 1, NULL, &res, NULL), HEED_OK);
    assert_int_equal(res.customer[1], 0);
    assert_int_equal(res.customer[2], 2);
    heed_identity_release(&res);

    const uint32_t crm[] = {HEED_ID_NO_CRM, HEED_ID_NO_CRM, HEED_ID_NO_CRM};
    const uint32_t mem[] = {0, 1, 0, 2}; /* "a" then "b" */
    heed_id_group g[] = {{2, 4, 0, HEED_KEY_EMAIL}, {0, 2, 0, HEED_KEY_EMAIL}};
    uint32_t cust[3];
    heed_id_counts n;
    assert_int_equal(heed_identity_resolve_groups(3, crm, g, 2, mem, rule, 1, NULL, cust, &n, NULL),
                     HEED_OK);
    assert_int_equal(cust[1], 0);
    assert_int_equal(cust[2], 2);
    assert_int_equal(n.n_conflicts, 1);
    const uint32_t swapped[] = {0, 2, 0, 1}; /* "b" laid out first */
    heed_id_group g2[] = {{0, 2, 0, HEED_KEY_EMAIL}, {2, 4, 0, HEED_KEY_EMAIL}};
    assert_int_equal(
        heed_identity_resolve_groups(3, crm, g2, 2, swapped, rule, 1, NULL, cust, &n, NULL),
        HEED_OK);
    assert_int_equal(cust[1], 1);
    assert_int_equal(cust[2], 0);
}

static void test_groups_bad_input(void **state)
{
    (void)state;
    const uint32_t crm[] = {0, 1, HEED_ID_NO_CRM};
    const uint32_t mem[] = {0, 1, 1, 0, 2, 7};
    uint32_t cust[3];
    heed_id_counts n;
    heed_error err;
    static const struct {
        heed_id_group g;
        const char *why;
    } bad[] = {
        {{0, 2, 0, HEED_KEY_CRM}, "a CRM group of two CRM numbers"},
        {{2, 4, 0, HEED_KEY_EMAIL}, "records not ascending"},
        {{4, 6, 0, HEED_KEY_EMAIL}, "a record out of range"},
        {{1, 1, 0, HEED_KEY_EMAIL}, "an empty group"},
        {{0, 1, 0, 7}, "a bad kind"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        heed_id_group g[] = {{0, 1, 0, HEED_KEY_CRM}, bad[i].g};
        int rc = heed_identity_resolve_groups(3, crm, g, 2, mem, NULL, 0, NULL, cust, &n, &err);
        if (rc != HEED_EINVAL || err.pos != 1)
            fail_msg("%s: rc %d pos %zu", bad[i].why, rc, err.pos);
    }
    /* the unshared form also refuses a group of one record and a shared key
     * (records 0 and 1: CRM numbers 0 and 1); records 0 and 2 are fine */
    uint32_t crm2[] = {0, 1, HEED_ID_NO_CRM};
    heed_id_group g2[] = {{3, 4, 0, HEED_KEY_EMAIL}};
    assert_int_equal(heed_identity_resolve_unshared(3, crm2, g2, 1, mem, NULL, 0, cust, &n, &err),
                     HEED_EINVAL);
    g2[0] = (heed_id_group){0, 2, 0, HEED_KEY_EMAIL};
    assert_int_equal(heed_identity_resolve_unshared(3, crm2, g2, 1, mem, NULL, 0, cust, &n, &err),
                     HEED_EINVAL);
    g2[0] = (heed_id_group){3, 5, 0, HEED_KEY_EMAIL};
    assert_int_equal(heed_identity_resolve_unshared(3, crm2, g2, 1, mem, NULL, 0, cust, &n, &err),
                     HEED_OK);
    assert_int_equal(cust[2], 0);
    assert_int_equal(n.n_links, 1);
    const heed_id_unmerge far[] = {{0, 3}};
    assert_int_equal(heed_identity_resolve_groups(3, crm, NULL, 0, mem, far, 1, NULL, cust, &n,
                                                  &err),
                     HEED_EINVAL);
    assert_int_equal(heed_identity_resolve_groups(3, NULL, NULL, 0, NULL, NULL, 0, NULL, cust,
                                                  &n, &err),
                     HEED_EINVAL);
    assert_int_equal(
        heed_identity_resolve_groups(0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, &n, &err),
        HEED_OK);
    assert_int_equal(n.n_customers, 0);
}

static void test_groups_alloc_failures(void **state)
{
    (void)state;
    const uint32_t crm[] = {0, HEED_ID_NO_CRM, 1, HEED_ID_NO_CRM};
    const uint32_t mem[] = {0, 2, 0, 1, 1, 2, 0, 3};
    const heed_id_unmerge rule[] = {{2, 3}};
    int ok = 0;
    for (long k = 0; k < 50 && !ok; k++) {
        heed_id_group g[] = {{6, 8, 0, HEED_KEY_PHONE}, {0, 1, 0, HEED_KEY_CRM},
                             {1, 2, 0, HEED_KEY_CRM}, {4, 6, 0, HEED_KEY_EMAIL},
                             {2, 4, 0, HEED_KEY_EMAIL}};
        uint32_t cust[4];
        heed_id_counts n;
        heed__alloc_fail_after(k);
        int rc = heed_identity_resolve_groups(4, crm, g, 5, mem, rule, 1, NULL, cust, &n, NULL);
        heed__alloc_fail_after(-1);
        assert_true(rc == HEED_OK || rc == HEED_ENOMEM);
        if (rc == HEED_OK) {
            ok = 1;
            /* 0-1 by e-mail, 1-2 refused (two CRM ids), 3-0 by phone */
            assert_int_equal(cust[1], 0);
            assert_int_equal(cust[2], 2);
            assert_int_equal(cust[3], 0);
            assert_int_equal(n.n_conflicts, 1);
        }
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
        cmocka_unit_test(test_groups_match_records),
        cmocka_unit_test(test_groups_tie_follows_value_order),
        cmocka_unit_test(test_groups_bad_input),
        cmocka_unit_test(test_groups_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
