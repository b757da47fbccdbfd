/* identity.c - identity resolution over the records of several silos: strong
 * keys link records, shared keys and CRM-id conflicts never do, unmerge rules
 * are honoured. Union-find over links tried in a fixed order; each union that
 * would join two CRM ids or the two sides of an unmerge rule is skipped and
 * reported, so every customer comes with the links that made it. */
#include "identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define NONE ((size_t)-1)

const char *heed_key_kind_name(int kind)
{
    static const char *const names[HEED_KEY_COUNT] = {"crm", "email", "phone", "handle"};
    return kind >= 0 && kind < HEED_KEY_COUNT ? names[kind] : "unknown";
}

typedef struct entry {
    const char *value;
    size_t len;
    size_t rec;
    int kind;
} entry;

static int cmp_value(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return (alen > blen) - (alen < blen);
}

static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = cmp_value(a->value, a->len, b->value, b->len);
    if (c)
        return c;
    return (a->rec > b->rec) - (a->rec < b->rec);
}

typedef struct group {
    size_t start, end; /* entries [start, end) share one key */
    int kind;
    size_t first;      /* the group's smallest record (entries sort by record) */
} group;

static int cmp_group(const void *pa, const void *pb)
{
    const group *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return (a->start > b->start) - (a->start < b->start);
}

static int cmp_size(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

/* Union-find with, per set, its CRM number and the list of unmerge-rule
 * endpoints held by its records (a linked list of 2 * n_rules nodes). */
typedef struct uf {
    size_t *parent, *size, *crm;
    size_t *head, *tail, *count; /* per root: rule-endpoint list */
    size_t *next;                /* per node (2 * rule + side) */
    const heed_id_unmerge *rules;
} uf;

static size_t find(uf *u, size_t x)
{
    size_t r = x;
    while (u->parent[r] != r)
        r = u->parent[r];
    while (u->parent[x] != r) {
        size_t n = u->parent[x];
        u->parent[x] = r;
        x = n;
    }
    return r;
}

/* 0 when roots rx and ry may be joined; else the reason, *rule set. */
static int blocked(uf *u, size_t rx, size_t ry, size_t *rule)
{
    if (u->crm[rx] != NONE && u->crm[ry] != NONE && u->crm[rx] != u->crm[ry])
        return HEED_ID_CRM_CONFLICT;
    size_t mine = u->count[rx] <= u->count[ry] ? rx : ry;
    size_t other = mine == rx ? ry : rx;
    for (size_t node = u->head[mine]; node != NONE; node = u->next[node]) {
        const heed_id_unmerge *r = &u->rules[node / 2];
        size_t far = (node & 1) ? r->a : r->b;
        if (find(u, far) == other) {
            *rule = node / 2;
            return HEED_ID_UNMERGE;
        }
    }
    return 0;
}

static void join(uf *u, size_t rx, size_t ry)
{
    if (u->size[rx] < u->size[ry]) {
        size_t t = rx;
        rx = ry;
        ry = t;
    }
    u->parent[ry] = rx;
    u->size[rx] += u->size[ry];
    if (u->crm[rx] == NONE)
        u->crm[rx] = u->crm[ry];
    if (u->head[ry] != NONE) {
        if (u->head[rx] == NONE)
            u->head[rx] = u->head[ry];
        else
            u->next[u->tail[rx]] = u->head[ry];
        u->tail[rx] = u->tail[ry];
        u->count[rx] += u->count[ry];
    }
}

static int fail_at(heed_error *err, int code, size_t pos, const char *msg)
{
    if (err) {
        err->code = code;
        err->pos = pos;
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
    return code;
}

/* Grows a dynamic array of elements of size sz to hold one more. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *q = heed__realloc(*p, nc * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

typedef struct link_seq {
    heed_id_link link;
    size_t cust, seq;
} link_seq;

static int cmp_link(const void *pa, const void *pb)
{
    const link_seq *a = pa, *b = pb;
    if (a->cust != b->cust)
        return a->cust < b->cust ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

int heed_identity_resolve(const heed_id_record *records, size_t n, const heed_id_unmerge *rules,
                          size_t n_rules, const heed_id_opts *opts, heed_id_result *out,
                          heed_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || (n && !records) || (n_rules && !rules))
        return fail_at(err, HEED_EINVAL, 0, "identity: NULL records, rules or result");
    size_t max_crm = opts && opts->max_crm_per_key ? opts->max_crm_per_key : 1;

    int rc = HEED_ENOMEM;
    entry *ents = NULL;
    group *groups = NULL;
    size_t n_ents = 0, cap_ents = 0;
    size_t *work = NULL, *tmp = NULL;
    link_seq *links = NULL;
    size_t n_links = 0, cap_links = 0;
    heed_id_conflict *conf = NULL;
    size_t n_conf = 0, cap_conf = 0;
    heed_id_shared *shared = NULL;
    size_t n_shared = 0, cap_shared = 0;
    size_t *reps = NULL;
    size_t cap_reps = 0;

    for (size_t i = 0; i < n_rules; i++)
        if (rules[i].a >= n || rules[i].b >= n)
            return fail_at(err, HEED_EINVAL, i, "identity: an unmerge rule names a record "
                                                "index past the end of the records");

    /* 1. One entry per (kind, value, record); the CRM id is a key of kind crm. */
    for (size_t i = 0; i < n; i++) {
        const heed_id_record *r = &records[i];
        const char *crm = r->crm_len ? r->crm_id : NULL;
        size_t crm_len = r->crm_len;
        if (r->n_keys && !r->keys) {
            rc = fail_at(err, HEED_EINVAL, i, "identity: a record has n_keys but no keys");
            goto fail;
        }
        if (crm_len && !crm) {
            rc = fail_at(err, HEED_EINVAL, i, "identity: a record has crm_len but no crm_id");
            goto fail;
        }
        for (size_t k = 0; k < r->n_keys; k++) {
            const heed_id_key *key = &r->keys[k];
            if (key->kind < 0 || key->kind >= HEED_KEY_COUNT || (key->len && !key->value)) {
                rc = fail_at(err, HEED_EINVAL, i, "identity: a key has an unknown kind or a "
                                                  "length without a value");
                goto fail;
            }
            if (key->kind != HEED_KEY_CRM || !key->len)
                continue;
            if (!crm) {
                crm = key->value;
                crm_len = key->len;
            } else if (cmp_value(crm, crm_len, key->value, key->len)) {
                rc = fail_at(err, HEED_EINVAL, i, "identity: a record carries two different "
                                                  "CRM ids");
                goto fail;
            }
        }
        if (crm) {
            if (grow((void **)&ents, &cap_ents, n_ents, sizeof *ents))
                goto fail;
            ents[n_ents++] = (entry){crm, crm_len, i, HEED_KEY_CRM};
        }
        for (size_t k = 0; k < r->n_keys; k++) {
            const heed_id_key *key = &r->keys[k];
            if (key->kind == HEED_KEY_CRM || !key->len)
                continue;
            if (grow((void **)&ents, &cap_ents, n_ents, sizeof *ents))
                goto fail;
            ents[n_ents++] = (entry){key->value, key->len, i, key->kind};
        }
    }
    if (n_ents > 1)
        qsort(ents, n_ents, sizeof *ents, cmp_entry);

    /* 2. Working arrays: crm number per record, union-find, rule lists. */
    size_t nn = n ? n : 1, nr = n_rules ? 2 * n_rules : 1;
    work = heed__malloc(sizeof(size_t) * (8 * nn + nr));
    tmp = heed__malloc(sizeof(size_t) * (n_ents ? n_ents : 1));
    if (!work || !tmp)
        goto fail;
    size_t *crm_num = work;
    uf u = {work + nn,     work + 2 * nn, work + 3 * nn, work + 4 * nn,
            work + 5 * nn, work + 6 * nn, work + 8 * nn, rules};
    size_t *first_of = work + 7 * nn;
    for (size_t i = 0; i < n; i++) {
        crm_num[i] = NONE;
        u.parent[i] = i;
        u.size[i] = 1;
        u.head[i] = u.tail[i] = NONE;
        u.count[i] = 0;
    }
    for (size_t g = 0, num = 0; g < n_ents && ents[g].kind == HEED_KEY_CRM; num++) {
        size_t e = g;
        while (e < n_ents && ents[e].kind == HEED_KEY_CRM &&
               !cmp_value(ents[e].value, ents[e].len, ents[g].value, ents[g].len))
            crm_num[ents[e++].rec] = num;
        g = e;
    }
    for (size_t i = 0; i < n; i++)
        u.crm[i] = crm_num[i];
    for (size_t k = 0; k < 2 * n_rules; k++) {
        size_t rec = (k & 1) ? rules[k / 2].b : rules[k / 2].a;
        u.next[k] = NONE;
        if (rules[k / 2].a == rules[k / 2].b)
            continue; /* "a is not a": nothing to honour */
        if (u.head[rec] == NONE)
            u.head[rec] = k;
        else
            u.next[u.tail[rec]] = k;
        u.tail[rec] = k;
        u.count[rec]++;
    }

    /* 3. Each group of records sharing a key. */
    /* The groups are taken in the order (kind, first record): never by
     * the key's value, a keyed hash that differs from store to store, so
     * the same records give the same customers in every store. */
    size_t n_groups = 0;
    for (size_t g = 0; g < n_ents; n_groups++) {
        size_t e = g + 1;
        while (e < n_ents && ents[e].kind == ents[g].kind &&
               !cmp_value(ents[e].value, ents[e].len, ents[g].value, ents[g].len))
            e++;
        g = e;
    }
    groups = heed__malloc(sizeof *groups * (n_groups ? n_groups : 1));
    if (!groups)
        goto fail;
    n_groups = 0;
    for (size_t g = 0; g < n_ents;) {
        size_t e = g + 1;
        while (e < n_ents && ents[e].kind == ents[g].kind &&
               !cmp_value(ents[e].value, ents[e].len, ents[g].value, ents[g].len))
            e++;
        groups[n_groups++] = (group){g, e, ents[g].kind, ents[g].rec};
        g = e;
    }
    if (n_groups > 1)
        qsort(groups, n_groups, sizeof *groups, cmp_group);
    size_t seq = 0;
    for (size_t gi = 0; gi < n_groups; gi++) {
        size_t g = groups[gi].start, e = groups[gi].end;
        /* Distinct records (entries are sorted by record within a group). */
        size_t m = 0;
        for (size_t i = g; i < e; i++)
            if (i == g || ents[i].rec != ents[i - 1].rec)
                tmp[m++] = ents[i].rec;
        size_t n_recs = m, n_crm = 0;
        if (ents[g].kind != HEED_KEY_CRM) {
            size_t c = 0;
            for (size_t i = 0; i < m; i++)
                if (crm_num[tmp[i]] != NONE)
                    first_of[c++] = crm_num[tmp[i]];
            qsort(first_of, c, sizeof *first_of, cmp_size);
            for (size_t i = 0; i < c; i++)
                n_crm += i == 0 || first_of[i] != first_of[i - 1];
        } else {
            n_crm = 1;
        }
        if (n_crm > max_crm) {
            if (grow((void **)&shared, &cap_shared, n_shared, sizeof *shared))
                goto fail;
            shared[n_shared++] =
                (heed_id_shared){ents[g].kind, ents[g].value, ents[g].len, n_recs, n_crm};
            continue;
        }
        /* reps: one record per set this group has formed so far. A new record
         * joins the first of them it may join; a record no set may take
         * starts a set of its own (so two records of the group that are
         * blocked only from the first set still meet). */
        size_t n_reps = 0;
        for (size_t i = 0; i < m; i++) {
            size_t r = tmp[i], rr = find(&u, r), joined = 0;
            for (size_t j = 0; j < n_reps && !joined; j++)
                joined = find(&u, reps[j]) == rr;
            for (size_t j = 0; j < n_reps && !joined; j++) {
                size_t rj = find(&u, reps[j]), rule = 0;
                int why = blocked(&u, rj, rr, &rule);
                if (why) {
                    if (grow((void **)&conf, &cap_conf, n_conf, sizeof *conf))
                        goto fail;
                    conf[n_conf++] = (heed_id_conflict){reps[j], r, ents[g].kind,
                                                        ents[g].value, ents[g].len, why,
                                                        why == HEED_ID_UNMERGE ? rule : 0};
                    continue;
                }
                join(&u, rj, rr);
                if (grow((void **)&links, &cap_links, n_links, sizeof *links))
                    goto fail;
                links[n_links++] = (link_seq){
                    {reps[j], r, ents[g].kind, ents[g].value, ents[g].len}, 0, seq++};
                joined = 1;
            }
            if (!joined) {
                if (grow((void **)&reps, &cap_reps, n_reps, sizeof *reps))
                    goto fail;
                reps[n_reps++] = r;
            }
        }
    }

    /* 4. Customer number = smallest record index of the set. */
    out->customer = heed__malloc(sizeof(size_t) * nn);
    if (!out->customer)
        goto fail;
    for (size_t i = 0; i < n; i++)
        first_of[i] = NONE;
    for (size_t i = 0; i < n; i++) {
        size_t r = find(&u, i);
        if (first_of[r] == NONE) {
            first_of[r] = i;
            out->n_customers++;
        }
        out->customer[i] = first_of[r];
    }
    out->n_records = n;
    for (size_t i = 0; i < n_links; i++)
        links[i].cust = out->customer[links[i].link.a];
    if (n_links > 1)
        qsort(links, n_links, sizeof *links, cmp_link);
    if (n_links) {
        out->links = heed__malloc(sizeof *out->links * n_links);
        if (!out->links)
            goto fail;
        for (size_t i = 0; i < n_links; i++)
            out->links[i] = links[i].link;
        out->n_links = n_links;
    }
    out->conflicts = conf;
    out->n_conflicts = n_conf;
    out->shared = shared;
    out->n_shared = n_shared;
    conf = NULL;
    shared = NULL;
    rc = HEED_OK;

fail:
    if (rc == HEED_ENOMEM) {
        fail_at(err, rc, 0, "identity: out of memory");
        heed_identity_release(out);
    } else if (rc != HEED_OK) {
        heed_identity_release(out);
    }
    heed__free(ents);
    heed__free(work);
    heed__free(groups);
    heed__free(tmp);
    heed__free(links);
    heed__free(conf);
    heed__free(shared);
    heed__free(reps);
    return rc;
}

size_t heed_identity_links_of(const heed_id_result *res, size_t c, size_t *first)
{
    *first = 0;
    if (!res || !res->n_links || c >= res->n_records)
        return 0;
    size_t lo = 0, hi = res->n_links;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (res->customer[res->links[mid].a] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < res->n_links && res->customer[res->links[end].a] == c)
        end++;
    *first = lo;
    return end - lo;
}

void heed_identity_release(heed_id_result *res)
{
    if (!res)
        return;
    heed__free(res->customer);
    heed__free(res->links);
    heed__free(res->conflicts);
    heed__free(res->shared);
    memset(res, 0, sizeof *res);
}
