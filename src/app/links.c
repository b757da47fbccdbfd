/* links.c - a customer's records and the keys that linked them (links.h),
 * from the identity pass's own resolution (resolve.c). */
#include "links.h"

#include <string.h>

#include "jsonout.h"

int heed_links_load(heed_store *st, int64_t person, heed_links *L, heed_error *err)
{
    memset(L, 0, sizeof *L);
    L->person = person;
    L->c = (size_t)-1;
    int rc = heed_parties_resolve(st, &L->P, err);
    if (rc)
        return rc;
    const heed_parties *P = &L->P;
    size_t idx = heed_parties_index(P, person);
    size_t c = idx == (size_t)-1 ? (size_t)-1 : P->res.customer[idx];
    /* the person number is a party of the person: find its customer number
     * through any party that resolves to this person */
    for (size_t i = 0; c == (size_t)-1 && i < P->n; i++)
        if (P->person[P->res.customer[i]] == person)
            c = P->res.customer[i];
    L->c = c;
    return HEED_OK;
}

void heed_links_release(heed_links *L)
{
    heed_parties_release(&L->P);
}

int heed_links_conflict_is_mine(const heed_links *L, const heed_id_conflict *k)
{
    return L->c != (size_t)-1 &&
           (L->P.res.customer[k->a] == L->c || L->P.res.customer[k->b] == L->c);
}

int heed_links_shared_is_mine(const heed_links *L, const heed_id_shared *s)
{
    const heed_parties *P = &L->P;
    if (L->c == (size_t)-1)
        return 0;
    for (size_t r = 0; r < P->n; r++) {
        if (P->res.customer[r] != L->c)
            continue;
        for (size_t k = 0; k < P->rec[r].n_keys; k++)
            if (P->rec[r].keys[k].kind == s->kind && P->rec[r].keys[k].len == s->len &&
                !memcmp(P->rec[r].keys[k].value, s->value, s->len))
                return 1;
    }
    return 0;
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

static int record_json(void *ctx, const heed_st_party *p, const heed_st_key *keys, size_t nk)
{
    rec_ctx *rc = ctx;
    heed_buf *b = rc->b;
    heed__buf_printf(b, "%s{\"record\":%lld,\"kind\":", rc->n++ ? "," : "", (long long)p->id);
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
    for (size_t i = 0; i < P->res.n_shared; i++) {
        const heed_id_shared *s = &P->res.shared[i];
        if (!heed_links_shared_is_mine(L, s))
            continue;
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
