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

#define NIL UINT32_MAX

const char *heed_key_kind_name(int kind)
{
    static const char *const names[HEED_KEY_COUNT] = {"crm", "email", "phone", "handle"};
    return kind >= 0 && kind < HEED_KEY_COUNT ? names[kind] : "unknown";
}

static int cmp_value(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return (alen > blen) - (alen < blen);
}

/* Groups in the order (kind, first record, start). qsort has no context
 * argument for members, and copying a key out would cost 32 bytes a group
 * in the full pass: a heapsort in place instead. */
static int group_before(const heed_id_group *a, const heed_id_group *b, const uint32_t *members)
{
    if (a->kind != b->kind)
        return a->kind < b->kind;
    uint32_t fa = members[a->start], fb = members[b->start];
    if (fa != fb)
        return fa < fb;
    return a->start < b->start;
}

static void sift(heed_id_group *g, size_t root, size_t n, const uint32_t *members)
{
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n)
            return;
        if (c + 1 < n && group_before(&g[c], &g[c + 1], members))
            c++;
        if (!group_before(&g[root], &g[c], members))
            return;
        heed_id_group t = g[root];
        g[root] = g[c];
        g[c] = t;
        root = c;
    }
}

static void sort_groups(heed_id_group *g, size_t n, const uint32_t *members)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(g, i, n, members);
    for (size_t end = n; end-- > 1;) {
        heed_id_group t = g[0];
        g[0] = g[end];
        g[end] = t;
        sift(g, 0, end, members);
    }
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return (a > b) - (a < b);
}

/* Union-find with, per set, its CRM number and the list of unmerge-rule
 * endpoints held by its records (a linked list of 2 * n_rules nodes; the
 * list arrays exist only when there are rules). 32-bit indices: the
 * full pass holds every party of a store here. A set's root is its smallest
 * record, which is also its customer number, so the parent array becomes
 * the result (path compression alone keeps finds short). */
typedef struct uf {
    uint32_t *parent, *crm;
    uint32_t *head, *tail, *count; /* per root: rule-endpoint list */
    uint32_t *next;                /* per node (2 * rule + side) */
    const heed_id_unmerge *rules;
} uf;

static uint32_t find(uf *u, uint32_t x)
{
    uint32_t r = x;
    while (u->parent[r] != r)
        r = u->parent[r];
    while (u->parent[x] != r) {
        uint32_t n = u->parent[x];
        u->parent[x] = r;
        x = n;
    }
    return r;
}

/* 0 when roots rx and ry may be joined; else the reason, *rule set. */
static int blocked(uf *u, uint32_t rx, uint32_t ry, size_t *rule)
{
    if (u->crm[rx] != NIL && u->crm[ry] != NIL && u->crm[rx] != u->crm[ry])
        return HEED_ID_CRM_CONFLICT;
    if (!u->head)
        return 0;
    uint32_t mine = u->count[rx] <= u->count[ry] ? rx : ry;
    uint32_t other = mine == rx ? ry : rx;
    for (uint32_t node = u->head[mine]; node != NIL; node = u->next[node]) {
        const heed_id_unmerge *r = &u->rules[node / 2];
        size_t far = (node & 1) ? r->a : r->b;
        if (find(u, (uint32_t)far) == other) {
            *rule = node / 2;
            return HEED_ID_UNMERGE;
        }
    }
    return 0;
}

static void join(uf *u, uint32_t rx, uint32_t ry)
{
    if (ry < rx) {
        uint32_t t = rx;
        rx = ry;
        ry = t;
    }
    u->parent[ry] = rx;
    if (u->crm[rx] == NIL)
        u->crm[rx] = u->crm[ry];
    if (u->head && u->head[ry] != NIL) {
        if (u->head[rx] == NIL)
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

/* What the core explains when asked (heed_identity_resolve): the key of
 * each group by its ref, and the arrays it fills. With `final` set, only
 * what touches a record of customer `target` (final[] being the customers of
 * a first run) is kept. */
typedef struct explain {
    const heed_id_key *vals; /* [ref] */
    const uint32_t *final;
    uint32_t target;
    link_seq *links;
    size_t n_links, cap_links;
    heed_id_conflict *conf;
    size_t n_conf, cap_conf;
    heed_id_shared *shared;
    size_t n_shared, cap_shared;
} explain;

/* The resolution itself, shared by the entry points. Arguments as
 * heed_identity_resolve_groups (checked by the callers); ex NULL: counts
 * only. crm_work non-NULL (then crm_num is NULL): the CRM numbers, used as
 * the union-find's own, and no group is shared (heed_identity_resolve_unshared). */
static int core(size_t n, const uint32_t *crm_num, uint32_t *crm_work, heed_id_group *groups,
                size_t n_groups, const uint32_t *members, const heed_id_unmerge *rules,
                size_t n_rules, size_t max_crm, uint32_t *customer, heed_id_counts *counts,
                explain *ex)
{
    int rc = HEED_ENOMEM;
    size_t nn = n ? n : 1;
    uint32_t *work = NULL, *lists = NULL, *scratch = NULL, *reps = NULL;
    size_t cap_reps = 0, max_m = 1;
    memset(counts, 0, sizeof *counts);

    for (size_t g = 0; g < n_groups && !crm_work; g++)
        if (groups[g].end - groups[g].start > max_m)
            max_m = groups[g].end - groups[g].start;
    if (!crm_work)
        work = heed__malloc(sizeof(uint32_t) * nn);
    scratch = heed__malloc(sizeof(uint32_t) * max_m);
    if (n_rules)
        lists = heed__malloc(sizeof(uint32_t) * (3 * nn + 2 * n_rules));
    if ((!crm_work && !work) || !scratch || (n_rules && !lists))
        goto done;
    uf u = {customer, crm_work ? crm_work : work, NULL, NULL, NULL, NULL, rules};
    for (size_t i = 0; i < n; i++) {
        u.parent[i] = (uint32_t)i;
        if (!crm_work)
            u.crm[i] = crm_num[i];
    }
    if (n_rules) {
        u.head = lists;
        u.tail = lists + nn;
        u.count = lists + 2 * nn;
        u.next = lists + 3 * nn;
        for (size_t i = 0; i < n; i++) {
            u.head[i] = u.tail[i] = NIL;
            u.count[i] = 0;
        }
        for (size_t k = 0; k < 2 * n_rules; k++) {
            uint32_t rec = (uint32_t)((k & 1) ? rules[k / 2].b : rules[k / 2].a);
            u.next[k] = NIL;
            if (rules[k / 2].a == rules[k / 2].b)
                continue; /* "a is not a": nothing to honour */
            if (u.head[rec] == NIL)
                u.head[rec] = (uint32_t)k;
            else
                u.next[u.tail[rec]] = (uint32_t)k;
            u.tail[rec] = (uint32_t)k;
            u.count[rec]++;
        }
    }

    /* The groups are taken in the order (kind, first record): never by the
     * key's value, a keyed hash that differs from store to store, so the
     * same records give the same customers in every store. */
    sort_groups(groups, n_groups, members);
    size_t seq = 0;
    for (size_t gi = 0; gi < n_groups; gi++) {
        const heed_id_group *gr = &groups[gi];
        const uint32_t *recs = members + gr->start;
        size_t m = gr->end - gr->start, n_crm = 0;
        if (crm_work) {
            n_crm = 1; /* the caller left the shared keys out */
        } else if (gr->kind != HEED_KEY_CRM) {
            size_t c = 0;
            for (size_t i = 0; i < m; i++)
                if (crm_num[recs[i]] != NIL)
                    scratch[c++] = crm_num[recs[i]];
            if (c > 1)
                qsort(scratch, c, sizeof *scratch, cmp_u32);
            for (size_t i = 0; i < c; i++)
                n_crm += i == 0 || scratch[i] != scratch[i - 1];
        } else {
            n_crm = 1;
        }
        if (n_crm > max_crm) {
            counts->n_shared++;
            int mine = !ex || !ex->final;
            for (size_t i = 0; !mine && i < m; i++)
                mine = ex->final[recs[i]] == ex->target;
            if (ex && mine) {
                if (grow((void **)&ex->shared, &ex->cap_shared, ex->n_shared, sizeof *ex->shared))
                    goto done;
                const heed_id_key *v = &ex->vals[gr->ref];
                ex->shared[ex->n_shared++] = (heed_id_shared){gr->kind, v->value, v->len, m, n_crm};
            }
            continue;
        }
        /* reps: one record per set this group has formed so far. A new record
         * joins the first of them it may join; a record no set may take
         * starts a set of its own (so two records of the group that are
         * blocked only from the first set still meet). */
        size_t n_reps = 0;
        for (size_t i = 0; i < m; i++) {
            uint32_t r = recs[i], rr = find(&u, r);
            int joined = 0;
            for (size_t j = 0; j < n_reps && !joined; j++)
                joined = find(&u, reps[j]) == rr;
            for (size_t j = 0; j < n_reps && !joined; j++) {
                uint32_t rj = find(&u, reps[j]);
                size_t rule = 0;
                int why = blocked(&u, rj, rr, &rule);
                if (why) {
                    counts->n_conflicts++;
                    if (!ex || (ex->final && ex->final[reps[j]] != ex->target &&
                                ex->final[r] != ex->target))
                        continue;
                    if (grow((void **)&ex->conf, &ex->cap_conf, ex->n_conf, sizeof *ex->conf))
                        goto done;
                    const heed_id_key *v = &ex->vals[gr->ref];
                    ex->conf[ex->n_conf++] =
                        (heed_id_conflict){reps[j], r,   gr->kind,
                                           v->value, v->len, why, why == HEED_ID_UNMERGE ? rule : 0};
                    continue;
                }
                join(&u, rj, rr);
                counts->n_links++;
                if (ex && (!ex->final || ex->final[r] == ex->target)) {
                    if (grow((void **)&ex->links, &ex->cap_links, ex->n_links,
                             sizeof *ex->links))
                        goto done;
                    const heed_id_key *v = &ex->vals[gr->ref];
                    ex->links[ex->n_links++] =
                        (link_seq){{reps[j], r, gr->kind, v->value, v->len}, 0, seq++};
                }
                joined = 1;
            }
            if (!joined) {
                if (grow((void **)&reps, &cap_reps, n_reps, sizeof *reps))
                    goto done;
                reps[n_reps++] = r;
            }
        }
    }

    /* Customer number = smallest record index of the set = its root: each
     * find leaves customer[i] (the parent array) pointing at it. */
    for (size_t i = 0; i < n; i++)
        counts->n_customers += find(&u, (uint32_t)i) == i;
    rc = HEED_OK;
done:
    heed__free(work);
    heed__free(lists);
    heed__free(scratch);
    heed__free(reps);
    return rc;
}

/* The checks of the compact entry points; unshared: every group has two
 * records or more, and one of a kind other than crm at most one CRM number. */
static int check_groups(size_t n, const uint32_t *crm, const heed_id_group *groups, size_t n_groups,
                        const uint32_t *members, const heed_id_unmerge *rules, size_t n_rules,
                        const uint32_t *customer, const heed_id_counts *counts, int unshared,
                        heed_error *err)
{
    if (!counts || (n && (!crm || !customer)) || (n_groups && (!groups || !members)) ||
        (n_rules && !rules))
        return fail_at(err, HEED_EINVAL, 0, "identity: NULL records, groups, rules or result");
    if (n >= NIL || n_rules >= NIL / 2)
        return fail_at(err, HEED_EINVAL, 0, "identity: too many records or rules");
    for (size_t g = 0; g < n_groups; g++) {
        const heed_id_group *gr = &groups[g];
        int ok = gr->kind >= 0 && gr->kind < HEED_KEY_COUNT && gr->start < gr->end &&
                 (!unshared || gr->end - gr->start > 1);
        uint32_t one = NIL; /* the group's CRM number, when it has one */
        for (uint32_t i = gr->start; ok && i < gr->end; i++) {
            ok = members[i] < n && (i == gr->start || members[i] > members[i - 1]) &&
                 (gr->kind != HEED_KEY_CRM || crm[members[i]] == crm[members[gr->start]]);
            if (ok && unshared && crm[members[i]] != NIL) {
                ok = one == NIL || crm[members[i]] == one;
                one = crm[members[i]];
            }
        }
        if (!ok)
            return fail_at(err, HEED_EINVAL, g,
                           unshared ? "identity: a group is empty, of one record, shared, out "
                                      "of bounds, not ascending, of a bad kind or a CRM group "
                                      "of several CRM numbers"
                                    : "identity: a group is empty, out of bounds, "
                                      "not ascending, of a bad kind or a CRM group "
                                      "of several CRM numbers");
    }
    for (size_t i = 0; i < n_rules; i++)
        if (rules[i].a >= n || rules[i].b >= n)
            return fail_at(err, HEED_EINVAL, i, "identity: an unmerge rule names a record "
                                                "index past the end of the records");
    return HEED_OK;
}

int heed_identity_resolve_groups(size_t n, const uint32_t *crm, heed_id_group *groups,
                                 size_t n_groups, const uint32_t *members,
                                 const heed_id_unmerge *rules, size_t n_rules,
                                 const heed_id_opts *opts, uint32_t *customer,
                                 heed_id_counts *counts, heed_error *err)
{
    if (counts)
        memset(counts, 0, sizeof *counts);
    int rc =
        check_groups(n, crm, groups, n_groups, members, rules, n_rules, customer, counts, 0, err);
    if (rc)
        return rc;
    size_t max_crm = opts && opts->max_crm_per_key ? opts->max_crm_per_key : 1;
    rc = core(n, crm, NULL, groups, n_groups, members, rules, n_rules, max_crm, customer, counts,
              NULL);
    if (rc)
        fail_at(err, rc, 0, "identity: out of memory");
    return rc;
}

int heed_identity_resolve_unshared(size_t n, uint32_t *crm, heed_id_group *groups, size_t n_groups,
                                   const uint32_t *members, const heed_id_unmerge *rules,
                                   size_t n_rules, uint32_t *customer, heed_id_counts *counts,
                                   heed_error *err)
{
    if (counts)
        memset(counts, 0, sizeof *counts);
    int rc =
        check_groups(n, crm, groups, n_groups, members, rules, n_rules, customer, counts, 1, err);
    if (rc)
        return rc;
    rc = core(n, NULL, crm, groups, n_groups, members, rules, n_rules, 1, customer, counts, NULL);
    if (rc)
        fail_at(err, rc, 0, "identity: out of memory");
    return rc;
}

typedef struct entry {
    const char *value;
    size_t len;
    size_t rec;
    int kind;
} entry;

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

static int same_key(const entry *a, const entry *b)
{
    return a->kind == b->kind && !cmp_value(a->value, a->len, b->value, b->len);
}

int heed_identity_resolve(const heed_id_record *records, size_t n, const heed_id_unmerge *rules,
                          size_t n_rules, const heed_id_opts *opts, heed_id_result *out,
                          heed_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || (n && !records) || (n_rules && !rules))
        return fail_at(err, HEED_EINVAL, 0, "identity: NULL records, rules or result");
    if (n >= NIL || n_rules >= NIL / 2)
        return fail_at(err, HEED_EINVAL, 0, "identity: too many records or rules");
    size_t max_crm = opts && opts->max_crm_per_key ? opts->max_crm_per_key : 1;

    int rc = HEED_ENOMEM;
    entry *ents = NULL;
    size_t n_ents = 0, cap_ents = 0;
    uint32_t *crm_num = NULL, *members = NULL, *cust = NULL, *final = NULL;
    heed_id_group *groups = NULL;
    heed_id_key *vals = NULL;
    explain ex = {0};

    for (size_t i = 0; i < n_rules; i++)
        if (rules[i].a >= n || rules[i].b >= n)
            return fail_at(err, HEED_EINVAL, i, "identity: an unmerge rule names a record "
                                                "index past the end of the records");
    if (opts && opts->explain_one && opts->explain_record >= n)
        return fail_at(err, HEED_EINVAL, opts->explain_record,
                       "identity: the record to explain is past the end of the records");

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
    if (n_ents >= NIL) {
        rc = fail_at(err, HEED_EINVAL, 0, "identity: too many keys");
        goto fail;
    }
    if (n_ents > 1)
        qsort(ents, n_ents, sizeof *ents, cmp_entry);

    /* 2. The groups (one per key value, in the order of the values within a
     * kind, as the compact form asks), their distinct records, the CRM
     * numbers. */
    size_t nn = n ? n : 1, ne = n_ents ? n_ents : 1;
    crm_num = heed__malloc(sizeof *crm_num * nn);
    members = heed__malloc(sizeof *members * ne);
    groups = heed__malloc(sizeof *groups * ne);
    vals = heed__malloc(sizeof *vals * ne);
    cust = heed__malloc(sizeof *cust * nn);
    if (!crm_num || !members || !groups || !vals || !cust)
        goto fail;
    for (size_t i = 0; i < n; i++)
        crm_num[i] = NIL;
    size_t n_groups = 0, n_mem = 0;
    for (size_t g = 0; g < n_ents;) {
        size_t e = g;
        uint32_t start = (uint32_t)n_mem;
        for (; e < n_ents && same_key(&ents[e], &ents[g]); e++) {
            if (e > g && ents[e].rec == ents[e - 1].rec)
                continue;
            members[n_mem++] = (uint32_t)ents[e].rec;
            if (ents[g].kind == HEED_KEY_CRM)
                crm_num[ents[e].rec] = (uint32_t)n_groups;
        }
        vals[n_groups] = (heed_id_key){ents[g].kind, ents[g].value, ents[g].len};
        groups[n_groups] =
            (heed_id_group){start, (uint32_t)n_mem, (uint32_t)n_groups, ents[g].kind};
        n_groups++;
        g = e;
    }

    /* 3. Resolve, with the explanations: of one customer only, found by a
     * first run without them (the second takes the same steps), so that a
     * large component does not keep every conflict met in it. */
    ex.vals = vals;
    heed_id_counts counts;
    if (opts && opts->explain_one) {
        rc = core(n, crm_num, NULL, groups, n_groups, members, rules, n_rules, max_crm, cust,
                  &counts, NULL);
        if (rc)
            goto fail;
        rc = HEED_ENOMEM;
        if (!(final = heed__malloc(sizeof *final * nn)))
            goto fail;
        memcpy(final, cust, sizeof *final * n);
        ex.final = final;
        ex.target = final[opts->explain_record];
    }
    rc = core(n, crm_num, NULL, groups, n_groups, members, rules, n_rules, max_crm, cust, &counts,
              &ex);
    if (rc)
        goto fail;
    rc = HEED_ENOMEM;

    /* 4. Customer number = smallest record index of the set. */
    out->customer = heed__malloc(sizeof(size_t) * nn);
    if (!out->customer)
        goto fail;
    for (size_t i = 0; i < n; i++)
        out->customer[i] = cust[i];
    out->n_customers = counts.n_customers;
    out->n_records = n;
    for (size_t i = 0; i < ex.n_links; i++)
        ex.links[i].cust = out->customer[ex.links[i].link.a];
    if (ex.n_links > 1)
        qsort(ex.links, ex.n_links, sizeof *ex.links, cmp_link);
    if (ex.n_links) {
        out->links = heed__malloc(sizeof *out->links * ex.n_links);
        if (!out->links)
            goto fail;
        for (size_t i = 0; i < ex.n_links; i++)
            out->links[i] = ex.links[i].link;
        out->n_links = ex.n_links;
    }
    out->conflicts = ex.conf;
    out->n_conflicts = ex.n_conf;
    out->shared = ex.shared;
    out->n_shared = ex.n_shared;
    ex.conf = NULL;
    ex.shared = NULL;
    rc = HEED_OK;

fail:
    if (rc == HEED_ENOMEM) {
        fail_at(err, rc, 0, "identity: out of memory");
        heed_identity_release(out);
    } else if (rc != HEED_OK) {
        heed_identity_release(out);
    }
    heed__free(ents);
    heed__free(crm_num);
    heed__free(members);
    heed__free(groups);
    heed__free(vals);
    heed__free(cust);
    heed__free(final);
    heed__free(ex.links);
    heed__free(ex.conf);
    heed__free(ex.shared);
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
