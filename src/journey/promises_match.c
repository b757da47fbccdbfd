/* promises_match.c - checks agents' promises against later events: each
 * promise, earliest due first, takes the earliest unused matching event of
 * its customer (same order ref when both sides carry one). Two sorted views
 * of the candidate events with "next unused" skip links keep every lookup
 * logarithmic plus amortised constant work. */
#include "promises_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "jtime.h"

#define NONE ((size_t)-1)

const char *heed_event_type_name(int type)
{
    static const char *const names[HEED_EVENT_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
        HEED_EVENT_MAP(HEED_X_)
#undef HEED_X_
    };
    return type >= 0 && type < HEED_EVENT_COUNT ? names[type] : "unknown";
}

int heed_event_type_parse(const char *s, size_t len)
{
    for (int t = 0; s && t < HEED_EVENT_COUNT; t++) {
        const char *n = heed_event_type_name(t);
        if (strlen(n) == len && !memcmp(n, s, len))
            return t;
    }
    return -1;
}

const char *heed_pm_status_name(int status)
{
    static const char *const names[] = {"pending", "kept", "kept_late", "broken"};
    return status >= 0 && status <= HEED_PM_BROKEN ? names[status] : "unknown";
}

static const char *const kind_name[HEED_PROMISE_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_PROMISE_MAP(HEED_X_)
#undef HEED_X_
};

int64_t heed_pm_default_window(int kind)
{
    static const int64_t days[HEED_PROMISE_COUNT] = {5, 1, 7, 10, 2, 2};
    return kind >= 0 && kind < HEED_PROMISE_COUNT ? days[kind] * HEED_DAY_S : 0;
}

/* Match classes: what can satisfy a promise of each kind. */
enum { CLS_REFUND, CLS_CALLBACK, CLS_REPLACEMENT, CLS_REPAIR, CLS_CONTACT };
static const int cls_of_kind[HEED_PROMISE_COUNT] = {CLS_REFUND,      CLS_CALLBACK,
                                                    CLS_REPLACEMENT, CLS_REPAIR,
                                                    CLS_CONTACT,     CLS_CONTACT};
static const char *const cls_missing[] = {"refund event", "callback", "replacement or shipment",
                                          "repair event", "reply or contact"};

typedef struct cand {
    int cls;
    int64_t customer;
    const char *order;
    size_t order_len;
    int64_t time;
    size_t token; /* events: index; agent messages: n_events + index */
} cand;

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? c : (al > bl) - (al < bl);
}

#define CMP(a, b)                                                                                  \
    do {                                                                                           \
        if ((a) != (b))                                                                            \
            return (a) < (b) ? -1 : 1;                                                             \
    } while (0)

/* View A: (class, customer, time, token). */
static int cmp_a(const cand *x, const cand *y)
{
    CMP(x->cls, y->cls);
    CMP(x->customer, y->customer);
    CMP(x->time, y->time);
    CMP(x->token, y->token);
    return 0;
}

/* View B: (class, customer, has order, order, time, token). */
static int cmp_b(const cand *x, const cand *y)
{
    CMP(x->cls, y->cls);
    CMP(x->customer, y->customer);
    CMP(x->order_len != 0, y->order_len != 0);
    int c = cmp_bytes(x->order, x->order_len, y->order, y->order_len);
    if (c)
        return c;
    CMP(x->time, y->time);
    CMP(x->token, y->token);
    return 0;
}

static int qcmp_a(const void *a, const void *b)
{
    return cmp_a(a, b);
}
static int qcmp_b(const void *a, const void *b)
{
    return cmp_b(a, b);
}

/* First position in v[0..n) not below key. */
static size_t lower(const cand *v, size_t n, const cand *key, int (*cmp)(const cand *, const cand *))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(&v[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First position in [p, end) whose candidate is unused; end if none. nxt[i]
 * is i until i is known used, then a later position to continue from. */
static size_t first_free(size_t *nxt, const cand *v, const unsigned char *used, size_t p,
                         size_t end)
{
    size_t r = p;
    for (;;) {
        while (r < end && nxt[r] != r)
            r = nxt[r];
        if (r >= end || !used[v[r].token])
            break;
        nxt[r] = r + 1;
    }
    while (p < r) {
        size_t q = nxt[p];
        nxt[p] = r;
        p = q;
    }
    return r;
}

/* The earliest unused candidate of key's class, customer (and order, when
 * with_order: key->order exact) at or after key->time. An agent message
 * (token >= first_msg) counts only when it is later than msg_after: the reply
 * that makes a promise, or one sent in the same second, does not keep it. */
static size_t search(const cand *v, size_t n, size_t *nxt, const unsigned char *used,
                     const cand *key, int (*cmp)(const cand *, const cand *), size_t first_msg,
                     int64_t msg_after)
{
    cand hi = *key;
    hi.time = INT64_MAX;
    hi.token = NONE;
    size_t p = lower(v, n, key, cmp), end = lower(v, n, &hi, cmp);
    if (end < n && cmp(&v[end], &hi) == 0)
        end++;
    size_t r = first_free(nxt, v, used, p, end);
    while (r < end && v[r].token >= first_msg && v[r].time <= msg_after)
        r = first_free(nxt, v, used, r + 1, end);
    return r < end ? r : NONE;
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

typedef struct porder {
    int64_t due, made;
    size_t i;
} porder;

static int cmp_porder(const void *pa, const void *pb)
{
    const porder *a = pa, *b = pb;
    CMP(a->due, b->due);
    CMP(a->made, b->made);
    CMP(a->i, b->i);
    return 0;
}

static void write_sentence(heed_pm_result *r, const heed_pm_promise *p, int cls,
                           const heed_pm_event *events, const heed_pm_agent_msg *msgs,
                           int64_t now, int tz)
{
    char made[32], due[32], when[32], span[32], what[96];
    int with_time = r->due - p->made < 2 * HEED_DAY_S;
    heed__fmt_day(made, sizeof made, p->made, tz, with_time);
    heed__fmt_day(due, sizeof due, r->due, tz, with_time);
    char window[64] = "";
    if (r->due_is_default) {
        heed__fmt_span(span, sizeof span, r->due - p->made);
        snprintf(window, sizeof window, " (default window of %s)", span);
    }
    int n = snprintf(r->sentence, sizeof r->sentence, "%s promised on %s by %s%s; ",
                     kind_name[p->kind], made, due, window);
    if (n < 0 || (size_t)n >= sizeof r->sentence)
        return;
    char *s = r->sentence + n;
    size_t cap = sizeof r->sentence - (size_t)n;
    if (r->evidence == HEED_PM_EVIDENCE_EVENT) {
        const heed_pm_event *e = &events[r->index];
        snprintf(what, sizeof what, "%s event %s", heed_event_type_name(e->type),
                 e->id ? e->id : "?");
    } else if (r->evidence == HEED_PM_EVIDENCE_AGENT_MSG) {
        const heed_pm_agent_msg *m = &msgs[r->index];
        snprintf(what, sizeof what, "agent %s %s", m->is_phone ? "call" : "message",
                 m->id ? m->id : "?");
    }
    switch (r->status) {
    case HEED_PM_KEPT:
        heed__fmt_day(when, sizeof when, r->evidence_time, tz, with_time);
        snprintf(s, cap, "%s on %s: kept", what, when);
        break;
    case HEED_PM_KEPT_LATE:
        heed__fmt_day(when, sizeof when, r->evidence_time, tz, with_time);
        heed__fmt_span(span, sizeof span, r->late_s);
        snprintf(s, cap, "%s on %s: kept late, %s after due", what, when, span);
        break;
    case HEED_PM_BROKEN:
        heed__fmt_day(when, sizeof when, now, tz, with_time);
        heed__fmt_span(span, sizeof span, r->late_s);
        snprintf(s, cap, "no %s by %s: broken, %s overdue", cls_missing[cls], when, span);
        break;
    default:
        heed__fmt_span(span, sizeof span, r->due - now);
        snprintf(s, cap, "no %s yet: pending, due in %s", cls_missing[cls], span);
        break;
    }
}

int heed_pm_check(const heed_pm_promise *promises, size_t n_promises,
                  const heed_pm_event *events, size_t n_events, const heed_pm_agent_msg *msgs,
                  size_t n_msgs, int64_t now, const heed_pm_opts *opts, heed_pm_result *out,
                  heed_error *err)
{
    if ((n_promises && (!promises || !out)) || (n_events && !events) || (n_msgs && !msgs))
        return fail_at(err, HEED_EINVAL, 0, "promises: NULL array with a non-zero count");
    for (size_t i = 0; i < n_promises; i++)
        if (promises[i].kind < 0 || promises[i].kind >= HEED_PROMISE_COUNT ||
            (promises[i].order_len && !promises[i].order))
            return fail_at(err, HEED_EINVAL, i, "promises: a promise has an unknown kind or "
                                                "an order length without an order");
    for (size_t i = 0; i < n_events; i++)
        if (events[i].type < 0 || events[i].type >= HEED_EVENT_COUNT ||
            (events[i].order_len && !events[i].order))
            return fail_at(err, HEED_EINVAL, i, "promises: an event has an unknown type or "
                                                "an order length without an order");
    if (!n_promises)
        return HEED_OK;

    int tz = opts ? opts->tz_offset_min : 0;
    int64_t lookback = opts && opts->lookback_s > 0 ? opts->lookback_s : 0;
    int rc = HEED_ENOMEM;
    size_t cap = 2 * (n_events + n_msgs) + 1, nc = 0;
    cand *va = heed__malloc(sizeof *va * cap);
    cand *vb = heed__malloc(sizeof *vb * cap);
    size_t *nxa = heed__malloc(sizeof *nxa * cap);
    size_t *nxb = heed__malloc(sizeof *nxb * cap);
    unsigned char *used = heed__malloc(n_events + n_msgs + 1);
    porder *ord = heed__malloc(sizeof *ord * n_promises);
    if (!va || !vb || !nxa || !nxb || !used || !ord)
        goto fail;

    for (size_t i = 0; i < n_events; i++) {
        const heed_pm_event *e = &events[i];
        if (e->time > now)
            continue;
        cand c = {0, e->customer, e->order_len ? e->order : NULL, e->order_len, e->time, i};
        switch (e->type) {
        case HEED_EVENT_REFUND:
            c.cls = CLS_REFUND;
            break;
        case HEED_EVENT_CALLBACK:
            c.cls = CLS_CALLBACK;
            va[nc++] = c;
            c.cls = CLS_CONTACT;
            break;
        case HEED_EVENT_REPLACEMENT:
        case HEED_EVENT_SHIPMENT:
            c.cls = CLS_REPLACEMENT;
            break;
        case HEED_EVENT_REPAIR:
            c.cls = CLS_REPAIR;
            break;
        case HEED_EVENT_MESSAGE_SENT:
            c.cls = CLS_CONTACT;
            break;
        default:
            continue;
        }
        va[nc++] = c;
    }
    for (size_t i = 0; i < n_msgs; i++) {
        const heed_pm_agent_msg *m = &msgs[i];
        if (m->time > now)
            continue;
        cand c = {CLS_CONTACT, m->customer, NULL, 0, m->time, n_events + i};
        va[nc++] = c;
        if (m->is_phone) {
            c.cls = CLS_CALLBACK;
            va[nc++] = c;
        }
    }
    memcpy(vb, va, sizeof *va * nc);
    qsort(va, nc, sizeof *va, qcmp_a);
    qsort(vb, nc, sizeof *vb, qcmp_b);
    for (size_t i = 0; i < nc; i++)
        nxa[i] = nxb[i] = i;
    memset(used, 0, n_events + n_msgs + 1);

    for (size_t i = 0; i < n_promises; i++) {
        const heed_pm_promise *p = &promises[i];
        heed_pm_result *r = &out[i];
        memset(r, 0, sizeof *r);
        r->index = NONE;
        r->due_is_default = !p->has_due;
        r->due = p->has_due ? p->due : p->made + heed_pm_default_window(p->kind);
        ord[i] = (porder){r->due, p->made, i};
    }
    qsort(ord, n_promises, sizeof *ord, cmp_porder);

    for (size_t k = 0; k < n_promises; k++) {
        size_t i = ord[k].i;
        const heed_pm_promise *p = &promises[i];
        heed_pm_result *r = &out[i];
        int cls = cls_of_kind[p->kind];
        cand key = {cls, p->customer, NULL, 0, p->made - lookback, 0};
        size_t pos_a = NONE, pos_b = NONE;
        if (p->order_len) {
            /* the same order, or an event that names none */
            key.order = p->order;
            key.order_len = p->order_len;
            pos_b = search(vb, nc, nxb, used, &key, cmp_b, n_events, p->made);
            key.order = NULL;
            key.order_len = 0;
            size_t alt = search(vb, nc, nxb, used, &key, cmp_b, n_events, p->made);
            if (alt != NONE && (pos_b == NONE || cmp_a(&vb[alt], &vb[pos_b]) < 0))
                pos_b = alt;
        } else {
            pos_a = search(va, nc, nxa, used, &key, cmp_a, n_events, p->made);
        }
        const cand *hit = pos_a != NONE ? &va[pos_a] : pos_b != NONE ? &vb[pos_b] : NULL;
        if (hit) {
            used[hit->token] = 1;
            r->evidence_time = hit->time;
            if (hit->token < n_events) {
                r->evidence = HEED_PM_EVIDENCE_EVENT;
                r->index = hit->token;
            } else {
                r->evidence = HEED_PM_EVIDENCE_AGENT_MSG;
                r->index = hit->token - n_events;
            }
            if (hit->time <= r->due) {
                r->status = HEED_PM_KEPT;
            } else {
                r->status = HEED_PM_KEPT_LATE;
                r->late_s = hit->time - r->due;
            }
        } else if (now > r->due) {
            r->status = HEED_PM_BROKEN;
            r->late_s = now - r->due;
        } else {
            r->status = HEED_PM_PENDING;
        }
        write_sentence(r, p, cls, events, msgs, now, tz);
    }
    rc = HEED_OK;

fail:
    if (rc != HEED_OK)
        fail_at(err, rc, 0, "promises: out of memory");
    heed__free(va);
    heed__free(vb);
    heed__free(nxa);
    heed__free(nxb);
    heed__free(used);
    heed__free(ord);
    return rc;
}

/* Why a decision with every event stands for any `now` (heed_pm_status_at):
 * the promises are taken in the order (due, made, index), which `now` does
 * not change, and the candidates in the order (time, token); leaving out the
 * candidates after `now` removes a tail of every range searched. Suppose that
 * before promise k both runs have used the same candidates at or before now.
 * With every candidate, k takes the earliest free match c. If c is at or
 * before now, every earlier match is used in both runs, so k takes c in the
 * run as of now too; if c is later, every match at or before now is used in
 * both runs, so k takes nothing as of now. Either way the runs still agree on
 * the candidates at or before now. The statuses then follow from the match
 * time, the due time and now alone (the end of heed_pm_check). */
int heed_pm_status_at(int64_t due, int has_kept, int64_t kept, int64_t now)
{
    if (has_kept && kept <= now)
        return kept <= due ? HEED_PM_KEPT : HEED_PM_KEPT_LATE;
    return now > due ? HEED_PM_BROKEN : HEED_PM_PENDING;
}
