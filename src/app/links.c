/* links.c - a customer's records and the keys that linked them (links.h):
 * the component of the key graph the customer's party belongs to, resolved
 * as a full pass resolves it (resolve.c), and the shared keys its records
 * carry, counted over the store. */
#include "links.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

/* One shared key of the customer's records with its count over the store. */
typedef struct shared_count {
    heed_id_shared *s;
    int64_t first;   /* the first party carrying it */
    char **crm;      /* the carriers' CRM ids */
    size_t n_crm, cap_crm;
} shared_count;

static int count_carrier(void *ctx, int64_t party, const char *crm)
{
    shared_count *K = ctx;
    if (!K->s->n_records++)
        K->first = party;
    if (!crm)
        return HEED_OK;
    if (K->n_crm == K->cap_crm) {
        size_t c = K->cap_crm ? 2 * K->cap_crm : 16;
        char **v = realloc(K->crm, c * sizeof *v);
        if (!v)
            return HEED_ENOMEM;
        K->crm = v;
        K->cap_crm = c;
    }
    if (!(K->crm[K->n_crm] = strdup(crm)))
        return HEED_ENOMEM;
    K->n_crm++;
    return HEED_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct ordered {
    heed_id_shared s;
    int64_t first;
} ordered;

/* A full pass lists shared keys by kind, then the first record carrying
 * them, then (for one record) the byte order of their tokens. */
static int cmp_ordered(const void *pa, const void *pb)
{
    const ordered *a = pa, *b = pb;
    if (a->s.kind != b->s.kind)
        return a->s.kind < b->s.kind ? -1 : 1;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    size_t n = a->s.len < b->s.len ? a->s.len : b->s.len;
    int c = n ? memcmp(a->s.value, b->s.value, n) : 0;
    return c ? c : (a->s.len > b->s.len) - (a->s.len < b->s.len);
}

/* The shared keys of customer L->c's records, each counted over the whole
 * store: the records carrying it and their distinct CRM ids (as the full pass
 * counts its group). Memory: the carriers' CRM ids of one key at a time. */
static int shared_of(heed_store *st, heed_links *L, heed_error *err)
{
    const heed_parties *P = &L->P;
    ordered *o = NULL;
    size_t n = 0, cap = 0;
    int rc = HEED_OK;
    for (size_t r = 0; !rc && r < P->n; r++) {
        if (P->res.customer[r] != L->c)
            continue;
        for (size_t j = P->shared_first[r]; !rc && j < P->shared_first[r + 1]; j++) {
            const heed_id_key *k = &P->shared[j];
            size_t seen = 0;
            while (seen < n && !(o[seen].s.kind == k->kind && o[seen].s.len == k->len &&
                                 !memcmp(o[seen].s.value, k->value, k->len)))
                seen++;
            if (seen < n)
                continue;
            if (n == cap) {
                size_t c = cap ? 2 * cap : 8;
                ordered *v = realloc(o, c * sizeof *v);
                if (!v) {
                    rc = HEED_ENOMEM;
                    break;
                }
                o = v;
                cap = c;
            }
            o[n] = (ordered){{k->kind, k->value, k->len, 0, 0}, 0};
            shared_count K = {&o[n].s, 0, NULL, 0, 0};
            /* the pool's tokens end in a NUL */
            rc = heed_store_key_parties(st, heed_key_kind_name(k->kind), k->value,
                                        count_carrier, &K, err);
            if (!rc) {
                qsort(K.crm, K.n_crm, sizeof *K.crm, cmp_str);
                for (size_t i = 0; i < K.n_crm; i++)
                    o[n].s.n_crm += i == 0 || strcmp(K.crm[i], K.crm[i - 1]);
                o[n].first = K.first;
                n++;
            }
            for (size_t i = 0; i < K.n_crm; i++)
                free(K.crm[i]);
            free(K.crm);
        }
    }
    if (!rc && n) {
        qsort(o, n, sizeof *o, cmp_ordered);
        if (!(L->shared = malloc(n * sizeof *L->shared)))
            rc = HEED_ENOMEM;
        for (size_t i = 0; !rc && i < n; i++)
            L->shared[i] = o[i].s;
        if (!rc)
            L->n_shared = n;
    }
    free(o);
    return rc;
}

int heed_links_load(heed_store *st, int64_t person, heed_links *L, heed_error *err)
{
    memset(L, 0, sizeof *L);
    L->person = person;
    L->c = (size_t)-1;
    /* one snapshot for the component and the shared keys' counts */
    int rd = heed_store_begin_read(st, err), rc = rd < 0 ? rd : HEED_OK;
    if (!rc)
        rc = heed_parties_component(st, person, &L->P, err);
    /* the person number is a party of the person; without that party
     * (L->P.n 0) nothing is linked yet */
    size_t idx = rc ? (size_t)-1 : heed_parties_index(&L->P, person);
    if (idx != (size_t)-1) {
        L->c = L->P.res.customer[idx];
        rc = shared_of(st, L, err);
    }
    if (rd == 1) {
        heed_error e2 = {0};
        int c = heed_store_commit(st, &e2);
        if (!rc && c) {
            rc = c;
            *err = e2;
        }
    }
    if (rc && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    return rc;
}

void heed_links_release(heed_links *L)
{
    heed_parties_release(&L->P);
    free(L->shared);
    L->shared = NULL;
    L->n_shared = 0;
}

int heed_links_conflict_is_mine(const heed_links *L, const heed_id_conflict *k)
{
    return L->c != (size_t)-1 &&
           (L->P.res.customer[k->a] == L->c || L->P.res.customer[k->b] == L->c);
}

static void str_or_null(heed_buf *b, const char *s)
{
    if (s)
        heed_json_string(b, s, strlen(s));
    else
        heed__buf_adds(b, "null");
}

typedef struct rec_ctx {
    heed_buf *b;
    size_t n;
} rec_ctx;

void heed_links_record_json(heed_buf *b, int first, const heed_st_party *p,
                            const heed_st_key *keys, size_t nk)
{
    heed__buf_printf(b, "%s{\"record\":%lld,\"kind\":", first ? "" : ",", (long long)p->id);
    str_or_null(b, p->kind);
    heed__buf_adds(b, ",\"label\":");
    str_or_null(b, p->label);
    heed__buf_adds(b, ",\"crm\":");
    str_or_null(b, p->crm);
    heed__buf_adds(b, ",\"keys\":[");
    for (size_t i = 0; i < nk; i++) {
        heed__buf_adds(b, i ? ",{\"kind\":" : "{\"kind\":");
        str_or_null(b, keys[i].kind);
        heed__buf_adds(b, ",\"token\":");
        str_or_null(b, keys[i].token);
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, "]}");
}

static int record_json(void *ctx, const heed_st_party *p, const heed_st_key *keys, size_t nk)
{
    rec_ctx *rc = ctx;
    heed_links_record_json(rc->b, rc->n++ == 0, p, keys, nk);
    return 0;
}

static void pair_json(heed_buf *b, const heed_parties *P, size_t a, size_t bb, int kind,
                      const char *v, size_t len)
{
    heed__buf_printf(b, "{\"a\":%lld,\"b\":%lld,\"kind\":\"%s\",\"token\":", (long long)P->id[a],
                     (long long)P->id[bb], heed_key_kind_name(kind));
    heed_json_string(b, v, len);
}

int heed_view_links_json(heed_buf *b, heed_store *st, const heed_links *L, heed_error *err)
{
    const heed_parties *P = &L->P;
    heed__buf_printf(b, "{\"customer\":%lld,\"records\":[", (long long)L->person);
    rec_ctx rc = {b, 0};
    int r = heed_store_person_parties(st, L->person, record_json, &rc, err);
    if (r)
        return r;
    heed__buf_adds(b, "],\"links\":[");
    if (L->c != (size_t)-1) {
        size_t first, n = heed_identity_links_of(&P->res, L->c, &first);
        for (size_t i = first; i < first + n; i++) {
            const heed_id_link *l = &P->res.links[i];
            if (i > first)
                heed__buf_addc(b, ',');
            pair_json(b, P, l->a, l->b, l->kind, l->value, l->len);
            heed__buf_addc(b, '}');
        }
    }
    heed__buf_adds(b, "],\"not_linked\":[");
    size_t k = 0;
    for (size_t i = 0; i < P->res.n_conflicts; i++) {
        const heed_id_conflict *x = &P->res.conflicts[i];
        if (!heed_links_conflict_is_mine(L, x))
            continue;
        if (k++)
            heed__buf_addc(b, ',');
        pair_json(b, P, x->a, x->b, x->kind, x->value, x->len);
        heed__buf_printf(b, ",\"reason\":\"%s\"}",
                         x->reason == HEED_ID_CRM_CONFLICT ? "crm_conflict" : "unmerged");
    }
    for (size_t i = 0; i < L->n_shared; i++) {
        const heed_id_shared *s = &L->shared[i];
        if (k++)
            heed__buf_addc(b, ',');
        heed__buf_printf(b, "{\"kind\":\"%s\",\"token\":", heed_key_kind_name(s->kind));
        heed_json_string(b, s->value, s->len);
        heed__buf_printf(b, ",\"shared_by_records\":%zu,\"shared_by_customers\":%zu}",
                         s->n_records, s->n_crm);
    }
    heed__buf_adds(b, "]}");
    return b->err ? HEED_ENOMEM : HEED_OK;
}
