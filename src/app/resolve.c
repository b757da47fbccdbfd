/* resolve.c - the identity pass: every party (CRM row, conversation, event,
 * survey) resolved into persons by the rules of docs/journey.md and written
 * back, either in full (from the keys streamed grouped out of the store's
 * indexes, none held as a string) or incrementally after an import (only the
 * key components the new parties reach); `heed customer check` compares the
 * store with a full pass, and `heed customer why` resolves one party's
 * component with the explanations. A person is numbered by its CRM party when
 * it has one (so the number stays put as records arrive), else by its first
 * party. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "resolve.h"
#include "sorted.h"
#include "store.h"

static int key_kind(const char *k)
{
    if (!strcmp(k, "crm"))
        return HEED_KEY_CRM;
    if (!strcmp(k, "email"))
        return HEED_KEY_EMAIL;
    if (!strcmp(k, "phone"))
        return HEED_KEY_PHONE;
    if (!strcmp(k, "handle"))
        return HEED_KEY_HANDLE;
    return -1;
}

static int silo_of(const char *kind)
{
    if (!strcmp(kind, "customer"))
        return HEED_SILO_CRM;
    if (!strcmp(kind, "conversation"))
        return HEED_SILO_MESSAGE;
    if (!strcmp(kind, "event"))
        return HEED_SILO_EVENT;
    if (!strcmp(kind, "survey"))
        return HEED_SILO_SURVEY;
    return HEED_SILO_OTHER;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* person[c] for each customer c of customer[0..n): its first CRM party if
 * any, else its first party (ids ascend with the index). */
static void persons_of(size_t n, const int64_t *id, const char *silo, const size_t *customer,
                       int64_t *person)
{
    for (size_t i = 0; i < n; i++)
        person[i] = 0;
    for (size_t i = 0; i < n; i++)
        if (silo[i] == HEED_SILO_CRM && !person[customer[i]])
            person[customer[i]] = id[i];
    for (size_t i = 0; i < n; i++)
        if (!person[customer[i]])
            person[customer[i]] = id[customer[i]];
}

size_t heed_parties_index(const heed_parties *P, int64_t id)
{
    return heed__i64_index(P->id, P->n, id);
}

/* ------------------------------------------------------------ full pass */

/* The full pass holds no key as a string: the store streams the keys grouped
 * by value from its index (heed_store_key_rows), each group becomes a run of
 * party indices, and heed_identity_resolve_unshared resolves those. Per party
 * it keeps a kind and a CRM number (5 bytes) plus the union-find's 4; the ids
 * are held as runs of consecutive ids (16 bytes a run: the ids are rowids,
 * and no party is ever deleted, so a store has one run). A key carried by
 * one party links nothing, nor does a shared one (a key of another kind than
 * crm whose parties carry two CRM ids or more: the CRM numbers are all known
 * when they come, after the crm rows): both are dropped as they are read,
 * the shared ones counted. Per key row kept 4 bytes, per key value kept 16.
 * The groups are those the records of every party with their keys as
 * strings give heed_identity_resolve (the same keys skipped, the same CRM id
 * per party, the same order of values within a kind), less those that link
 * nothing, so both give the same persons:
 * tests/unit/test_links.c compares them on random stores. */

enum { OWN_CRM = 0x40 }; /* in compact.silo: the party has a CRM id of its own */

/* Ids id .. id + (the next run's at - at - 1) are the parties at .. */
typedef struct idrun {
    int64_t id;
    size_t at;
} idrun;

typedef struct compact {
    size_t n, cap;
    idrun *runs; /* ascending in id and at; the first at 0 */
    size_t n_runs, cap_runs;
    unsigned char *silo; /* HEED_SILO_* | OWN_CRM */
    uint32_t *crm;       /* CRM number, HEED_ID_NO_CRM */
    uint32_t *members;
    size_t n_mem, cap_mem;
    heed_id_group *groups;
    size_t n_groups, cap_groups;
    size_t n_shared;         /* shared keys left out */
    uint32_t n_crm, crm_num; /* CRM numbers given; that of the group being read */
    int kind, open;          /* the group being read: its kind and token */
    heed_buf tok;
    uint32_t start;
    heed_error *err;
} compact;

/* The index of party id, or SIZE_MAX. */
static size_t compact_index(const compact *C, int64_t id)
{
    size_t lo = 0, hi = C->n_runs; /* past the last run starting at or below id */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (C->runs[mid].id <= id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return SIZE_MAX;
    const idrun *r = &C->runs[lo - 1];
    size_t end = lo < C->n_runs ? C->runs[lo].at : C->n;
    uint64_t d = (uint64_t)id - (uint64_t)r->id;
    return d < end - r->at ? r->at + (size_t)d : SIZE_MAX;
}

/* The id of party i < C->n. */
static int64_t compact_id(const compact *C, size_t i)
{
    size_t lo = 0, hi = C->n_runs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (C->runs[mid].at <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    const idrun *r = &C->runs[lo - 1];
    return (int64_t)((uint64_t)r->id + (uint64_t)(i - r->at));
}

/* The unmerge rules between the parties of C, as indices; a rule with a side
 * outside them changes nothing. */
typedef struct rules {
    const compact *C;
    heed_id_unmerge *r;
    size_t n, cap;
} rules;

static int add_rule(void *ctx, int64_t a, int64_t b)
{
    rules *R = ctx;
    size_t ia = compact_index(R->C, a), ib = compact_index(R->C, b);
    if (ia == (size_t)-1 || ib == (size_t)-1)
        return 0;
    if (grow((void **)&R->r, &R->cap, R->n + 1, sizeof *R->r))
        return HEED_ENOMEM;
    R->r[R->n++] = (heed_id_unmerge){ia, ib};
    return 0;
}

static int compact_party(void *ctx, int64_t id, const char *kind, int has_crm)
{
    compact *C = ctx;
    if (C->n == C->cap) {
        size_t c = C->cap ? C->cap + C->cap / 2 : 4096;
        unsigned char *b = realloc(C->silo, c);
        if (b)
            C->silo = b;
        uint32_t *d = realloc(C->crm, c * sizeof *d);
        if (d)
            C->crm = d;
        if (!b || !d)
            return HEED_ENOMEM;
        C->cap = c;
    }
    if (C->n >= HEED_ID_NO_CRM - 1)
        return HEED_EINVAL;
    /* ids come ascending: a new run unless id follows the last run's */
    const idrun *last = C->n_runs ? &C->runs[C->n_runs - 1] : NULL;
    if (!last || (uint64_t)id - (uint64_t)last->id != (uint64_t)(C->n - last->at)) {
        if (grow((void **)&C->runs, &C->cap_runs, C->n_runs + 1, sizeof *C->runs))
            return HEED_ENOMEM;
        C->runs[C->n_runs++] = (idrun){id, C->n};
    }
    C->silo[C->n] = (unsigned char)(silo_of(kind) | (has_crm ? OWN_CRM : 0));
    C->crm[C->n] = HEED_ID_NO_CRM;
    C->n++;
    return HEED_OK;
}

/* Ends the group being read: kept when it can link two parties. */
static int close_group(compact *C)
{
    if (!C->open)
        return HEED_OK;
    int keep = C->n_mem - C->start > 1; /* else one party (or none: every row skipped) */
    if (keep && C->kind != HEED_KEY_CRM) {
        uint32_t one = HEED_ID_NO_CRM;
        for (size_t j = C->start; keep && j < C->n_mem; j++) {
            uint32_t x = C->crm[C->members[j]];
            if (x == HEED_ID_NO_CRM)
                continue;
            keep = one == HEED_ID_NO_CRM || x == one;
            one = x;
        }
        C->n_shared += !keep;
    }
    if (!keep) {
        C->n_mem = C->start;
        return HEED_OK;
    }
    if (grow((void **)&C->groups, &C->cap_groups, C->n_groups + 1, sizeof *C->groups))
        return HEED_ENOMEM;
    C->groups[C->n_groups++] = (heed_id_group){C->start, (uint32_t)C->n_mem, 0, C->kind};
    return HEED_OK;
}

static int compact_key(void *ctx, const char *kind, const char *token, size_t len, int64_t party,
                       int from_key)
{
    compact *C = ctx;
    int k = key_kind(kind), rc;
    if (k < 0 || !len)
        return HEED_OK; /* as add_party: an unknown kind or an empty token links nothing */
    if (!C->open || k != C->kind || len != C->tok.len || memcmp(token, C->tok.ptr, len)) {
        if ((rc = close_group(C)))
            return rc;
        C->open = 1;
        C->kind = k;
        heed__buf_reset(&C->tok);
        heed__buf_add(&C->tok, token, len);
        if (C->tok.err)
            return HEED_ENOMEM;
        C->start = (uint32_t)C->n_mem;
        if (k == HEED_KEY_CRM) {
            if (C->n_crm >= HEED_ID_NO_CRM - 1)
                return HEED_EINVAL;
            C->crm_num = C->n_crm++;
        }
    }
    size_t i = compact_index(C, party);
    if (i == (size_t)-1)
        return HEED_OK; /* added after the parties were read */
    if (k == HEED_KEY_CRM && from_key && (C->silo[i] & OWN_CRM))
        return HEED_OK; /* the party's own CRM id rules; another one is ignored */
    if (C->n_mem > C->start && C->members[C->n_mem - 1] == i)
        return HEED_OK; /* its own CRM id and its key of kind crm */
    if (k == HEED_KEY_CRM) {
        if (C->crm[i] != HEED_ID_NO_CRM && C->crm[i] != C->crm_num) {
            C->err->code = HEED_EINVAL;
            C->err->pos = i;
            snprintf(C->err->msg, sizeof C->err->msg,
                     "identity: a record carries two different CRM ids");
            return HEED_EINVAL;
        }
        C->crm[i] = C->crm_num;
    }
    if (C->n_mem >= HEED_ID_NO_CRM - 1)
        return HEED_EINVAL;
    if (grow((void **)&C->members, &C->cap_mem, C->n_mem + 1, sizeof *C->members))
        return HEED_ENOMEM;
    C->members[C->n_mem++] = (uint32_t)i;
    return HEED_OK;
}

/* The full resolution, written nowhere: C's runs and C->silo per party (in
 * id order), *customer_out per party, and in C->crm, per customer, the index
 * of the party that numbers its person (its first CRM party, else its first
 * party). The caller frees C->runs, C->silo, C->crm and *customer_out, also
 * after a failure. */
static int full_resolve(heed_store *st, compact *C, uint32_t **customer_out,
                        heed_id_counts *counts, heed_error *err)
{
    rules R = {.C = C};
    uint32_t *customer = NULL;
    heed__buf_init(&C->tok, 0);
    heed_store_lean(st, 1);
    int rc = heed_store_party_rows(st, compact_party, C, err);
    if (!rc)
        rc = heed_store_key_rows(st, compact_key, C, err);
    heed_store_lean(st, 0);
    if (!rc)
        rc = close_group(C);
    heed__buf_release(&C->tok);
    if (!rc)
        rc = heed_store_unmerges(st, add_rule, &R, err);
    if (!rc && !(customer = malloc((C->n ? C->n : 1) * sizeof *customer)))
        rc = HEED_ENOMEM;
    /* C->crm is the union-find's from here */
    if (!rc)
        rc = heed_identity_resolve_unshared(C->n, C->crm, C->groups, C->n_groups, C->members, R.r,
                                            R.n, customer, counts, err);
    counts->n_shared = C->n_shared;
    free(C->members), free(C->groups), free(R.r);
    C->members = NULL, C->groups = NULL;
    *customer_out = customer;
    if (rc)
        return rc;
    /* crm[] is free now: per customer, its person's party */
    for (size_t i = 0; i < C->n; i++)
        C->crm[i] = HEED_ID_NO_CRM;
    for (size_t i = 0; i < C->n; i++)
        if ((C->silo[i] & ~OWN_CRM) == HEED_SILO_CRM && C->crm[customer[i]] == HEED_ID_NO_CRM)
            C->crm[customer[i]] = (uint32_t)i;
    for (size_t i = 0; i < C->n; i++)
        if (C->crm[customer[i]] == HEED_ID_NO_CRM)
            C->crm[customer[i]] = customer[i];
    return HEED_OK;
}

int heed_relink_store(heed_store *st, heed_relink_stats *out, heed_error *err)
{
    compact C = {.err = err};
    uint32_t *customer = NULL;
    heed_id_counts counts = {0};
    int rc = full_resolve(st, &C, &customer, &counts, err);
    /* every party is written in one transaction: through the small cache
     * too (its pages go to the journal as the cache fills) */
    heed_store_lean(st, 1);
    if (!rc)
        rc = heed_store_begin(st, err);
    for (size_t i = 0; !rc && i < C.n; i++)
        rc = heed_store_set_person(st, compact_id(&C, i), compact_id(&C, C.crm[customer[i]]), err);
    if (!rc)
        rc = heed_store_commit(st, err);
    heed_store_lean(st, 0);
    if (rc) {
        heed_store_rollback(st);
        if (!err->msg[0])
            snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    } else if (out) {
        *out = (heed_relink_stats){C.n, counts.n_customers, counts.n_shared, counts.n_conflicts,
                                   C.n, 1};
    }
    free(C.runs), free(C.silo), free(C.crm), free(customer);
    return rc;
}

/* ------------------------------------------------------------ incremental pass */

/* The incremental pass re-resolves only the parties an import can have moved
 * and gives them the persons a full pass would; `heed customer why` resolves
 * the one component of a party by the same argument (no seed: it walks from
 * the party through CRM ids and keys not shared). Why it equals a full pass:
 *
 * Let G be the graph of parties joined by every CRM id and by every other key
 * that is not shared (carried by parties of at most one CRM id, over the
 * whole store). Every group heed_identity_resolve tries lies within one
 * component of G, and a union or an unmerge check only looks at sets of that
 * component, so the partition of a component depends only on its own parties
 * (in id order), their keys, and the rules between two of its parties.
 *
 * Seeds: the parties with person NULL (new, or whose keys or CRM id changed:
 * the store unlinks those) and every party carrying a key of a seed, shared or
 * not (such a key may just have become shared, splitting its old carriers). A
 * component of G without a seed has the same parties, keys, key carriers and
 * CRM ids as before the import, hence the same shared keys and the same
 * partition, which the store already holds (the previous pass left every
 * person as a full pass would). So re-resolving the components that hold a
 * seed is enough. The walk adds every carrier of each CRM id and each key not
 * shared of each party it reaches; keys found shared (counted in the store)
 * are left out of the records passed to heed_identity_resolve, so its count
 * over the subset cannot mistake them for usable ones. Records go in id order
 * and keep (kind, first record) as their order, as in a full pass.
 *
 * When no party of the store is linked yet (a first import), or the walk
 * passes HEED_RELINK_MAX_PARTIES parties (a key carried by a great many
 * parties), the full pass runs instead. */

/* Positive codes: GO_FULL stops the walk (the full pass runs instead);
 * SHARED_SEEN stops reading a key's carriers once it is known to be shared
 * and they are not wanted. */
enum { GO_FULL = 1, SHARED_SEEN = 2 };

typedef struct ikey {
    uint32_t off, len; /* token in pool */
    int kind;
    int shared;
} ikey;

typedef struct inc {
    heed_store *st;
    size_t n, cap, n_seeds, limit;
    int64_t *id;
    char *silo;
    size_t *crm_off; /* in pool, or (size_t)-1 */
    size_t *pk_first; /* the party's keys: pk[pk_first[i] .. pk_first[i + 1]) */
    size_t *ptab;     /* party hash: index + 1, 0 empty */
    size_t pmask;
    ikey *keys;
    size_t n_keys, keys_cap;
    size_t *ktab; /* key hash: index + 1 */
    size_t kmask;
    size_t *pk; /* key indices of the parties' records */
    size_t n_pk, pk_cap;
    size_t *todo; /* keys met for the first time at the party being read */
    size_t n_todo, todo_cap;
    heed_buf pool;
    /* one key's carriers */
    int64_t *carr;
    size_t n_carr, carr_cap;
    int carr_over, carr_crms; /* too many to keep; distinct CRM ids seen (0, 1, 2+) */
    int stop_shared;          /* the key's carriers are not wanted once it is shared */
    heed_buf crm0, tok;
    int seed_missing; /* the first party walked is not in the store */
} inc;

static size_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static size_t hash_key(int kind, const char *t, size_t len)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)t[i]) * 1099511628211ULL;
    return hash64(h);
}

/* Doubles a hash table of indices + 1 and re-inserts with rehash(i). */
static int rehash_tab(size_t **tab, size_t *mask, size_t n, size_t (*h)(const inc *, size_t),
                      const inc *I)
{
    size_t cap = *mask ? 2 * (*mask + 1) : 1024;
    while (cap < 2 * n + 2)
        cap *= 2;
    size_t *t = calloc(cap, sizeof *t);
    if (!t)
        return HEED_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t j = h(I, i) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = i + 1;
    }
    free(*tab);
    *tab = t;
    *mask = cap - 1;
    return HEED_OK;
}

static size_t party_hash(const inc *I, size_t i) { return hash64((uint64_t)I->id[i]); }

static size_t key_hash(const inc *I, size_t i)
{
    return hash_key(I->keys[i].kind, I->pool.ptr + I->keys[i].off, I->keys[i].len);
}

/* Adds party id to the walk unless there; GO_FULL past the limit. */
static int inc_add_party(inc *I, int64_t id)
{
    if (I->ptab) {
        for (size_t j = hash64((uint64_t)id) & I->pmask; I->ptab[j]; j = (j + 1) & I->pmask)
            if (I->id[I->ptab[j] - 1] == id)
                return HEED_OK;
    }
    if (I->n >= I->limit)
        return GO_FULL;
    if (I->n == I->cap) {
        size_t c = I->cap ? 2 * I->cap : 1024;
        int64_t *a = realloc(I->id, c * sizeof *a);
        if (a)
            I->id = a;
        char *b = realloc(I->silo, c);
        if (b)
            I->silo = b;
        size_t *d = realloc(I->crm_off, c * sizeof *d);
        if (d)
            I->crm_off = d;
        size_t *e = realloc(I->pk_first, (c + 1) * sizeof *e);
        if (e)
            I->pk_first = e;
        if (!a || !b || !d || !e)
            return HEED_ENOMEM;
        I->cap = c;
    }
    I->id[I->n++] = id;
    if (2 * I->n > I->pmask)
        return rehash_tab(&I->ptab, &I->pmask, I->n, party_hash, I);
    size_t j = hash64((uint64_t)id) & I->pmask;
    while (I->ptab[j])
        j = (j + 1) & I->pmask;
    I->ptab[j] = I->n;
    return HEED_OK;
}

static size_t inc_find_party(const inc *I, int64_t id)
{
    for (size_t j = hash64((uint64_t)id) & I->pmask; I->ptab[j]; j = (j + 1) & I->pmask)
        if (I->id[I->ptab[j] - 1] == id)
            return I->ptab[j] - 1;
    return (size_t)-1;
}

/* The index of key (kind, token), added when new (then also put in todo). */
static int inc_key(inc *I, int kind, const char *t, size_t *out)
{
    size_t len = strlen(t), h = hash_key(kind, t, len);
    if (I->ktab) {
        for (size_t j = h & I->kmask; I->ktab[j]; j = (j + 1) & I->kmask) {
            const ikey *k = &I->keys[I->ktab[j] - 1];
            if (k->kind == kind && k->len == len && !memcmp(I->pool.ptr + k->off, t, len)) {
                *out = I->ktab[j] - 1;
                return HEED_OK;
            }
        }
    }
    if (grow((void **)&I->keys, &I->keys_cap, I->n_keys + 1, sizeof *I->keys) ||
        grow((void **)&I->todo, &I->todo_cap, I->n_todo + 1, sizeof *I->todo) ||
        I->pool.len + len + 1 > UINT32_MAX)
        return HEED_ENOMEM;
    I->keys[I->n_keys] = (ikey){(uint32_t)I->pool.len, (uint32_t)len, kind, 0};
    heed__buf_add(&I->pool, t, len + 1);
    if (I->pool.err)
        return HEED_ENOMEM;
    *out = I->n_keys;
    I->todo[I->n_todo++] = I->n_keys;
    I->n_keys++;
    if (2 * I->n_keys > I->kmask)
        return rehash_tab(&I->ktab, &I->kmask, I->n_keys, key_hash, I);
    size_t j = h & I->kmask;
    while (I->ktab[j])
        j = (j + 1) & I->kmask;
    I->ktab[j] = I->n_keys;
    return HEED_OK;
}

/* heed_st_party_fn for the party being read (walk index i): its CRM id,
 * silo and the keys its record gets (as add_party keeps them). */
typedef struct inc_read {
    inc *I;
    size_t i;
    int found;
} inc_read;

static int inc_on_party(void *ctx, const heed_st_party *p, const heed_st_key *keys, size_t nk)
{
    inc_read *R = ctx;
    inc *I = R->I;
    size_t i = R->i, k;
    int rc;
    R->found = 1;
    I->silo[i] = (char)silo_of(p->kind);
    I->crm_off[i] = (size_t)-1;
    I->pk_first[i] = I->n_pk;
    if (p->crm) {
        I->crm_off[i] = I->pool.len;
        heed__buf_add(&I->pool, p->crm, strlen(p->crm) + 1);
        if (I->pool.err)
            return HEED_ENOMEM;
        if ((rc = inc_key(I, HEED_KEY_CRM, p->crm, &k))) /* walked, not a record key */
            return rc;
    }
    for (size_t j = 0; j < nk; j++) {
        int kind = key_kind(keys[j].kind);
        if (kind < 0 || (kind == HEED_KEY_CRM && p->crm && strcmp(keys[j].token, p->crm)))
            continue;
        if ((rc = inc_key(I, kind, keys[j].token, &k)))
            return rc;
        if (grow((void **)&I->pk, &I->pk_cap, I->n_pk + 1, sizeof *I->pk))
            return HEED_ENOMEM;
        I->pk[I->n_pk++] = k;
    }
    return HEED_OK;
}

/* heed_st_id_fn over one key's carriers. */
static int inc_on_carrier(void *ctx, int64_t party, const char *crm)
{
    inc *I = ctx;
    if (crm && I->carr_crms < 2) {
        size_t len = strlen(crm);
        if (!I->carr_crms) {
            heed__buf_add(&I->crm0, crm, len);
            if (I->crm0.err)
                return HEED_ENOMEM;
            I->carr_crms = 1;
        } else if (len != I->crm0.len || memcmp(crm, I->crm0.ptr, len)) {
            I->carr_crms = 2;
        }
        if (I->carr_crms == 2 && I->stop_shared)
            return SHARED_SEEN;
    }
    if (I->n_carr >= I->limit) {
        I->carr_over = 1;
        return HEED_OK;
    }
    if (grow((void **)&I->carr, &I->carr_cap, I->n_carr + 1, sizeof *I->carr))
        return HEED_ENOMEM;
    I->carr[I->n_carr++] = party;
    return HEED_OK;
}

/* Reads party i and walks the keys met for the first time there: all their
 * carriers join the walk when i is a seed or the key is not shared. */
static int inc_visit(inc *I, size_t i, heed_error *err)
{
    I->n_todo = 0;
    inc_read R = {I, i, 0};
    I->pk_first[i] = I->n_pk;
    I->silo[i] = HEED_SILO_OTHER;
    I->crm_off[i] = (size_t)-1;
    int rc = heed_store_party(I->st, I->id[i], inc_on_party, &R, err);
    if (!rc && !R.found && i == 0)
        I->seed_missing = 1;
    for (size_t t = 0; !rc && t < I->n_todo; t++) {
        ikey *k = &I->keys[I->todo[t]];
        I->n_carr = 0;
        I->carr_over = I->carr_crms = 0;
        heed__buf_reset(&I->crm0);
        /* the pool may move while reading: copy the token out first */
        heed__buf_reset(&I->tok);
        heed__buf_add(&I->tok, I->pool.ptr + k->off, k->len + 1);
        if (I->tok.err)
            return HEED_ENOMEM;
        int kind = k->kind;
        I->stop_shared = i >= I->n_seeds && kind != HEED_KEY_CRM;
        rc = heed_store_key_parties(I->st, heed_key_kind_name(kind), I->tok.ptr, inc_on_carrier,
                                    I, err);
        if (rc == SHARED_SEEN)
            rc = HEED_OK;
        if (rc)
            break;
        k = &I->keys[I->todo[t]];
        k->shared = kind != HEED_KEY_CRM && I->carr_crms > 1;
        if (i >= I->n_seeds && k->shared)
            continue;
        if (I->carr_over)
            return GO_FULL;
        for (size_t c = 0; !rc && c < I->n_carr; c++)
            rc = inc_add_party(I, I->carr[c]);
    }
    return rc;
}

static int inc_seed(void *ctx, int64_t party, const char *crm)
{
    (void)crm;
    return inc_add_party(ctx, party);
}

typedef struct inc_rules {
    const inc *I;
    const size_t *pos; /* walk index -> position in id order */
    heed_id_unmerge *r;
    size_t n, cap;
} inc_rules;

static int inc_add_rule(void *ctx, int64_t a, int64_t b)
{
    inc_rules *R = ctx;
    size_t ia = inc_find_party(R->I, a), ib = inc_find_party(R->I, b);
    if (ia == (size_t)-1 || ib == (size_t)-1)
        return 0; /* a rule with a side outside the components changes nothing */
    if (grow((void **)&R->r, &R->cap, R->n + 1, sizeof *R->r))
        return HEED_ENOMEM;
    R->r[R->n++] = (heed_id_unmerge){R->pos[ia], R->pos[ib]};
    return 0;
}

typedef struct walked {
    int64_t id;
    size_t i; /* index in the walk */
} walked;

static int cmp_walk(const void *pa, const void *pb)
{
    int64_t a = ((const walked *)pa)->id, b = ((const walked *)pb)->id;
    return (a > b) - (a < b);
}

void heed_parties_release(heed_parties *P)
{
    heed_identity_release(&P->res);
    free(P->id), free(P->silo), free(P->rec), free(P->keys), free(P->shared);
    free(P->shared_first), free(P->rules), free(P->person);
    heed__buf_release(&P->pool);
    memset(P, 0, sizeof *P);
}

/* Resolves the walked parties into P, in id order, with the unmerge rules
 * among them; the tokens move from I's pool to P's. explain_first: only the
 * customer of the first party walked is explained. */
static int inc_build(heed_store *st, inc *I, int explain_first, heed_parties *P,
                     heed_error *err)
{
    size_t n = I->n, nn = n ? n : 1, npk = I->n_pk ? I->n_pk : 1;
    int rc = HEED_ENOMEM;
    memset(P, 0, sizeof *P);
    walked *order = malloc(nn * sizeof *order);
    size_t *pos = malloc(nn * sizeof *pos);
    inc_rules R = {.I = I};
    P->id = malloc(nn * sizeof *P->id);
    P->person = malloc(nn * sizeof *P->person);
    P->silo = malloc(nn);
    P->rec = malloc(nn * sizeof *P->rec);
    P->keys = malloc(npk * sizeof *P->keys);
    P->shared = malloc(npk * sizeof *P->shared);
    P->shared_first = malloc((n + 1) * sizeof *P->shared_first);
    P->pool = I->pool; /* the tokens stay where they are */
    heed__buf_init(&I->pool, 0);
    if (!order || !pos || !P->id || !P->person || !P->silo || !P->rec || !P->keys ||
        !P->shared || !P->shared_first)
        goto done;
    P->n = n;
    for (size_t i = 0; i < n; i++)
        order[i] = (walked){I->id[i], i};
    qsort(order, n, sizeof *order, cmp_walk);
    size_t nk = 0, ns = 0;
    for (size_t r = 0; r < n; r++) {
        size_t i = order[r].i;
        pos[i] = r;
        P->id[r] = I->id[i];
        P->silo[r] = I->silo[i];
        P->shared_first[r] = ns;
        size_t end = i + 1 < n ? I->pk_first[i + 1] : I->n_pk, first = nk;
        for (size_t j = I->pk_first[i]; j < end; j++) {
            const ikey *k = &I->keys[I->pk[j]];
            heed_id_key key = {k->kind, P->pool.ptr + k->off, k->len};
            if (k->shared)
                P->shared[ns++] = key;
            else
                P->keys[nk++] = key;
        }
        const char *crm = I->crm_off[i] == (size_t)-1 ? NULL : P->pool.ptr + I->crm_off[i];
        P->rec[r] = (heed_id_record){.silo = P->silo[r],
                                     .crm_id = crm,
                                     .crm_len = crm ? strlen(crm) : 0,
                                     .keys = P->keys + first,
                                     .n_keys = nk - first};
    }
    P->shared_first[n] = ns;
    R.pos = pos;
    rc = heed_store_unmerges(st, inc_add_rule, &R, err);
    P->rules = R.r;
    P->n_rules = R.n;
    heed_id_opts o = {.explain_one = explain_first && n, .explain_record = n ? pos[0] : 0};
    if (!rc)
        rc = heed_identity_resolve(P->rec, n, P->rules, P->n_rules, &o, &P->res, err);
    if (!rc)
        persons_of(n, P->id, P->silo, P->res.customer, P->person);
done:
    if (rc == HEED_ENOMEM && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    free(order), free(pos);
    return rc;
}

/* Resolves the walked parties and writes their persons (in the caller's
 * transaction). */
static int inc_resolve(heed_store *st, inc *I, heed_relink_stats *out, heed_error *err)
{
    heed_parties P;
    int rc = inc_build(st, I, 0, &P, err);
    if (rc) {
        heed_parties_release(&P);
        return rc;
    }
    for (size_t r = 0; !rc && r < P.n; r++)
        rc = heed_store_set_person(st, P.id[r], P.person[P.res.customer[r]], err);
    if (!rc && out) {
        out->relinked = P.n;
        out->shared_unused = P.res.n_shared;
        out->conflicts = P.res.n_conflicts;
    }
    heed_parties_release(&P);
    return rc;
}

static void inc_release(inc *I)
{
    free(I->id), free(I->silo), free(I->crm_off), free(I->pk_first), free(I->ptab);
    free(I->keys), free(I->ktab), free(I->pk), free(I->todo), free(I->carr);
    heed__buf_release(&I->pool);
    heed__buf_release(&I->crm0);
    heed__buf_release(&I->tok);
}

int heed_parties_component(heed_store *st, int64_t party, heed_parties *P, heed_error *err)
{
    inc I = {.st = st, .limit = SIZE_MAX};
    heed__buf_init(&I.pool, 0);
    heed__buf_init(&I.crm0, 0);
    heed__buf_init(&I.tok, 0);
    memset(P, 0, sizeof *P);
    /* one snapshot, and no lock taken per lookup */
    int rd = heed_store_begin_read(st, err), rc = rd < 0 ? rd : HEED_OK;
    if (!rc)
        rc = inc_add_party(&I, party);
    for (size_t i = 0; !rc && i < I.n; i++)
        rc = inc_visit(&I, i, err);
    if (!rc && !I.seed_missing)
        rc = inc_build(st, &I, 1, P, err);
    if (rd == 1) {
        heed_error e2 = {0};
        int c = heed_store_commit(st, &e2);
        if (!rc && c) {
            rc = c;
            *err = e2;
        }
    }
    inc_release(&I);
    if (rc && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    return rc;
}

int heed_relink_incremental(heed_store *st, size_t max_parties, heed_relink_stats *out,
                            heed_error *err)
{
    inc I = {.st = st, .limit = max_parties ? max_parties : HEED_RELINK_MAX_PARTIES};
    heed__buf_init(&I.pool, 0);
    heed__buf_init(&I.crm0, 0);
    heed__buf_init(&I.tok, 0);
    heed_relink_stats s = {0};
    /* one write transaction from the seeds to the last person written: the
     * walk reads one snapshot that no other writer can change before the
     * persons it decided are stored, and its thousands of lookups take no
     * lock each */
    int rc = heed_store_begin(st, err);
    if (rc) {
        inc_release(&I);
        return rc;
    }
    /* nothing linked yet (a first import): every party is a seed, and the
     * walk would reach each with point queries; the full pass reads them all
     * in two scans for the same persons (five times faster on 321k parties) */
    int linked = 1;
    rc = heed_store_any_linked(st, &linked, err);
    if (!rc && !linked)
        rc = GO_FULL;
    if (!rc)
        rc = heed_store_unlinked(st, inc_seed, &I, err);
    I.n_seeds = I.n;
    /* many seeds: the walk costs about 70,000 instructions a seed (point
     * queries, every carrier of each key read), the full pass about 15,000 a
     * party of the store (10,000 new parties of 30,000: 700M against 430M),
     * so from a quarter of the parties on the full pass is the cheaper; below
     * HEED_RELINK_FULL_SEEDS either takes milliseconds */
    int64_t max_id = 0;
    if (!rc && I.n_seeds >= HEED_RELINK_FULL_SEEDS &&
        !(rc = heed_store_party_max(st, &max_id, err)) &&
        (uint64_t)I.n_seeds * 4 >= (uint64_t)max_id)
        rc = GO_FULL;
    for (size_t i = 0; !rc && i < I.n; i++)
        rc = inc_visit(&I, i, err);
    if (!rc && I.n)
        rc = inc_resolve(st, &I, &s, err);
    inc_release(&I);
    if (rc || (rc = heed_store_commit(st, err)))
        heed_store_rollback(st);
    if (rc == GO_FULL) {
        memset(err, 0, sizeof *err);
        return heed_relink_store(st, out, err);
    }
    /* the store's counts, only for a caller that reports them: counting the
     * persons reads every party (0.1 s on a store of 1.1M messages), under
     * the server's writers' lock */
    heed_st_counts c = {0};
    if (!rc && out)
        rc = heed_store_counts(st, &c, err);
    if (rc) {
        if (!err->msg[0])
            snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
        return rc;
    }
    if (out) {
        *out = s;
        out->records = (size_t)c.parties;
        out->customers = (size_t)c.persons;
    }
    return HEED_OK;
}

/* `heed customer check`: the full pass's result, then every party's stored
 * person streamed in id order beside it (a party added in between has no
 * result: 0). Memory as the full pass, no key held as a string. */
typedef struct check {
    const compact *C;
    const uint32_t *customer;
    heed_relink_diff_fn fn;
    void *ctx;
    size_t n_diff;
} check;

static int check_party(void *ctx, int64_t id, int64_t stored)
{
    check *K = ctx;
    const compact *C = K->C;
    size_t i = compact_index(C, id);
    int64_t full = i == (size_t)-1 ? 0 : compact_id(C, C->crm[K->customer[i]]);
    if (full == stored)
        return HEED_OK;
    K->n_diff++;
    return K->fn ? K->fn(K->ctx, id, stored, full) : HEED_OK;
}

int heed_relink_check(heed_store *st, heed_relink_diff_fn fn, void *ctx, size_t *n_diff,
                      heed_error *err)
{
    compact C = {.err = err};
    uint32_t *customer = NULL;
    heed_id_counts counts;
    check K = {&C, NULL, fn, ctx, 0};
    int rc = full_resolve(st, &C, &customer, &counts, err);
    K.customer = customer;
    if (!rc)
        rc = heed_store_party_persons(st, check_party, &K, err);
    if (rc && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    free(C.runs), free(C.silo), free(C.crm), free(customer);
    *n_diff = K.n_diff;
    return rc;
}
