/* resolve.c - the identity pass after an import or an API ingest: loads every party (CRM row,
 * conversation, event, survey) with its contact keys from the store, resolves
 * them into persons with heed_identity_resolve (rules in docs/journey.md) and
 * writes each party's person back. A person is numbered by its CRM party when
 * it has one (so the number stays put as records arrive), else by its first
 * party. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "resolve.h"
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

static int add_party(void *ctx, const heed_st_party *p, const heed_st_key *keys, size_t nk)
{
    heed_parties *P = ctx;
    if (grow((void **)&P->id, &P->cap, P->n + 1, sizeof *P->id) ||
        grow((void **)&P->rec, &P->rec_cap, P->n + 1, sizeof *P->rec) ||
        grow((void **)&P->kind, &P->kind_cap, P->n + 1, sizeof *P->kind))
        return HEED_ENOMEM;
    /* strings go into one growing pool, referenced by offset until done */
    size_t crm_off = (size_t)-1;
    if (p->crm) {
        crm_off = P->pool.len;
        heed__buf_add(&P->pool, p->crm, strlen(p->crm) + 1);
    }
    size_t first_key = P->n_keys;
    for (size_t i = 0; i < nk; i++) {
        int k = key_kind(keys[i].kind);
        if (k < 0 || (k == HEED_KEY_CRM && p->crm && strcmp(keys[i].token, p->crm)))
            continue; /* a second CRM id is the party's own crm field's business */
        if (grow((void **)&P->keys, &P->keys_cap, P->n_keys + 1, sizeof *P->keys) ||
            grow((void **)&P->key_off, &P->key_off_cap, P->n_keys + 1, sizeof *P->key_off))
            return HEED_ENOMEM;
        P->key_off[P->n_keys] = P->pool.len;
        heed__buf_add(&P->pool, keys[i].token, strlen(keys[i].token) + 1);
        P->keys[P->n_keys] = (heed_id_key){.kind = k, .len = strlen(keys[i].token)};
        P->n_keys++;
    }
    if (grow((void **)&P->crm_off, &P->crm_off_cap, P->n + 1, sizeof *P->crm_off) ||
        grow((void **)&P->key_first, &P->key_first_cap, P->n + 1, sizeof *P->key_first))
        return HEED_ENOMEM;
    P->id[P->n] = p->id;
    P->kind[P->n] = (char)silo_of(p->kind);
    P->crm_off[P->n] = crm_off;
    P->key_first[P->n] = first_key;
    P->n++;
    return P->pool.err ? HEED_ENOMEM : HEED_OK;
}

size_t heed_parties_index(const heed_parties *P, int64_t id)
{
    size_t lo = 0, hi = P->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (P->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < P->n && P->id[lo] == id ? lo : (size_t)-1;
}

typedef struct rules {
    const heed_parties *P;
    heed_id_unmerge *r;
    size_t n, cap;
} rules;

static int add_rule(void *ctx, int64_t a, int64_t b)
{
    rules *R = ctx;
    size_t ia = heed_parties_index(R->P, a), ib = heed_parties_index(R->P, b);
    if (ia == (size_t)-1 || ib == (size_t)-1)
        return 0;
    if (grow((void **)&R->r, &R->cap, R->n + 1, sizeof *R->r))
        return HEED_ENOMEM;
    R->r[R->n++] = (heed_id_unmerge){ia, ib};
    return 0;
}

void heed_parties_release(heed_parties *P)
{
    heed_identity_release(&P->res);
    free(P->id);
    free(P->rec);
    free(P->kind);
    free(P->keys);
    free(P->key_off);
    free(P->crm_off);
    free(P->key_first);
    free(P->person);
    free(P->rules);
    heed__buf_release(&P->pool);
    memset(P, 0, sizeof *P);
}

int heed_parties_resolve(heed_store *st, heed_parties *P, heed_error *err)
{
    memset(P, 0, sizeof *P);
    heed__buf_init(&P->pool, 0);
    int rc = heed_store_parties(st, add_party, P, err);
    if (rc)
        return rc;
    /* the pool has stopped moving: point into it */
    for (size_t i = 0; i < P->n_keys; i++)
        P->keys[i].value = P->pool.ptr + P->key_off[i];
    for (size_t i = 0; i < P->n; i++) {
        size_t end = i + 1 < P->n ? P->key_first[i + 1] : P->n_keys;
        const char *crm = P->crm_off[i] == (size_t)-1 ? NULL : P->pool.ptr + P->crm_off[i];
        P->rec[i] = (heed_id_record){.silo = P->kind[i],
                                     .crm_id = crm,
                                     .crm_len = crm ? strlen(crm) : 0,
                                     .keys = P->keys + P->key_first[i],
                                     .n_keys = end - P->key_first[i]};
    }
    rules R = {.P = P};
    rc = heed_store_unmerges(st, add_rule, &R, err);
    P->rules = R.r;
    P->n_rules = R.n;
    if (rc)
        return rc;
    rc = heed_identity_resolve(P->rec, P->n, P->rules, P->n_rules, NULL, &P->res, err);
    if (rc)
        return rc;
    /* the person of each customer: its CRM party if any, else its first */
    P->person = malloc((P->n ? P->n : 1) * sizeof *P->person);
    if (!P->person)
        return HEED_ENOMEM;
    for (size_t i = 0; i < P->n; i++)
        P->person[i] = 0;
    for (size_t i = 0; i < P->n; i++) {
        size_t c = P->res.customer[i];
        if (P->kind[i] == HEED_SILO_CRM && (!P->person[c] || P->kind[heed_parties_index(P, P->person[c])] !=
                                                                 HEED_SILO_CRM))
            P->person[c] = P->id[i];
    }
    for (size_t i = 0; i < P->n; i++) {
        size_t c = P->res.customer[i];
        if (!P->person[c])
            P->person[c] = P->id[c];
    }
    return HEED_OK;
}

int heed_relink_store(heed_store *st, heed_relink_stats *out, heed_error *err)
{
    heed_parties P;
    int rc = heed_parties_resolve(st, &P, err);
    if (!rc)
        rc = heed_store_begin(st, err);
    for (size_t i = 0; !rc && i < P.n; i++)
        rc = heed_store_set_person(st, P.id[i], P.person[P.res.customer[i]], err);
    if (!rc)
        rc = heed_store_commit(st, err);
    if (rc) {
        heed_store_rollback(st);
        if (!err->msg[0])
            snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    } else if (out) {
        *out = (heed_relink_stats){P.n, P.res.n_customers, P.res.n_shared, P.res.n_conflicts};
    }
    heed_parties_release(&P);
    return rc;
}
