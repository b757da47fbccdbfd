/* trends.c - customer messages, surveys and promises of a period grouped for
 * trends (trends.h). */
#include "trends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "journeyview.h"
#include "jsonout.h"
#include "jtime.h"
#include "person.h"
#include "sorted.h"

static const char *const BY[] = {"week", "channel", "need"};

int heed_trends_by(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, BY[i]))
            return i;
    return -1;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const heed_trend_row *)a)->key, ((const heed_trend_row *)b)->key);
}

typedef struct rowset {
    heed_trend_row *v;
    size_t n, cap;
} rowset;

/* The key of a record at time t with channel and need under `by`. */
static void key_of(char key[64], int by, int64_t t, const char *channel, int need)
{
    if (by == HEED_TRENDS_WEEK) {
        int y, w;
        heed__iso_week(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y, &w);
        snprintf(key, 64, "%d-W%02d", y, w);
    } else if (by == HEED_TRENDS_CHANNEL) {
        snprintf(key, 64, "%s", channel && *channel ? channel : "(none)");
    } else {
        snprintf(key, 64, "%s",
                 need >= 0 && need < HEED_NEED_COUNT ? heed_view_need_names[need] : "(none)");
    }
}

/* The row of key (added when new): its index, or (size_t)-1 out of memory.
 * Rows are few (weeks, channels, needs): a linear search. */
static size_t row_of(rowset *R, const char *key)
{
    for (size_t i = 0; i < R->n; i++)
        if (!strcmp(R->v[i].key, key))
            return i;
    if (R->n == R->cap) {
        size_t nc = R->cap ? R->cap * 2 : 16;
        heed_trend_row *x = realloc(R->v, nc * sizeof *x);
        if (!x)
            return (size_t)-1;
        R->v = x;
        R->cap = nc;
    }
    memset(&R->v[R->n], 0, sizeof R->v[R->n]);
    snprintf(R->v[R->n].key, sizeof R->v[R->n].key, "%s", key);
    return R->n++;
}

static int grow(void **p, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : first;
    void *x = realloc(*p, nc * size);
    if (!x)
        return -1;
    *p = x;
    *cap = nc;
    return 0;
}

/* The channel names of the period, each once (the cursors' strings last one
 * row): an open-addressing table of indices into `v`. */
typedef struct names {
    char **v;
    size_t n, cap;
    int32_t *slot; /* -1 empty */
    size_t n_slot;
} names;

static void names_release(names *N)
{
    for (size_t i = 0; i < N->n; i++)
        free(N->v[i]);
    free(N->v);
    free(N->slot);
}

/* The index of s in N (added when new); -1 for NULL, -2 out of memory. */
static int names_of(names *N, const char *s)
{
    if (!s)
        return -1;
    if (2 * (N->n + 1) > N->n_slot) {
        size_t ns = N->n_slot ? 2 * N->n_slot : 16;
        int32_t *x = malloc(ns * sizeof *x);
        if (!x)
            return -2;
        memset(x, 0xff, ns * sizeof *x);
        for (size_t i = 0; i < N->n; i++) {
            size_t h = (size_t)heed__hash(N->v[i], strlen(N->v[i])) & (ns - 1);
            while (x[h] >= 0)
                h = (h + 1) & (ns - 1);
            x[h] = (int32_t)i;
        }
        free(N->slot);
        N->slot = x;
        N->n_slot = ns;
    }
    size_t len = strlen(s), h = (size_t)heed__hash(s, len) & (N->n_slot - 1);
    for (; N->slot[h] >= 0; h = (h + 1) & (N->n_slot - 1))
        if (!strcmp(N->v[N->slot[h]], s))
            return N->slot[h];
    if (N->n > INT32_MAX - 1 || grow((void **)&N->v, &N->cap, N->n, sizeof *N->v, 16))
        return -2;
    char *c = malloc(len + 1);
    if (!c)
        return -2;
    memcpy(c, s, len + 1);
    N->v[N->n] = c;
    N->slot[h] = (int32_t)N->n;
    return (int)N->n++;
}

/* A conversation of the period: channel (a name's index, -1 none), top need,
 * customer (0: not linked). */
typedef struct conv {
    int64_t id, person;
    int channel, need;
} conv;

/* A customer message of the period. */
typedef struct msg {
    int64_t time, conversation;
    double stress;
    int need, channel;
} msg;

/* A promise of the period, then its row and customer. */
typedef struct prom {
    int64_t id, made, conversation, person;
    size_t row;
} prom;

/* Everything a period's trends read, joined in memory: each list is read from
 * one index without a lookup per row, and the conversations they name once,
 * in id order (28 days of 1.1M messages: 0.65M messages, 0.21M promises and
 * 0.33M conversations; the same join in SQL took a lookup of a conversation
 * and a party per row and was ten times slower). */
typedef struct period {
    int by;
    rowset *R;
    names ch;
    msg *m;
    size_t nm, cap_m;
    prom *p;
    size_t np, cap_p;
    conv *c;
    size_t nc, cap_c;
    int64_t lo, hi; /* conversation ids named */
    uint32_t *at;   /* at[id - lo]: 1 + the index in c of conversation id, 0 none */
    /* the row of a day (by week), a channel or a need, found once */
    int64_t day;
    size_t day_row, *ch_row, need_row[HEED_NEED_COUNT + 1];
} period;

static void period_release(period *P)
{
    names_release(&P->ch);
    free(P->m);
    free(P->p);
    free(P->c);
    free(P->at);
    free(P->ch_row);
}

static void name_conv(period *P, int64_t id)
{
    P->lo = id < P->lo ? id : P->lo;
    P->hi = id > P->hi ? id : P->hi;
}

#define NO_CONV ((size_t)-1)

/* The index in P->c of conversation id; NO_CONV when there is none (not
 * expected: foreign keys hold, and the period is read in one transaction). */
static size_t conv_of(const period *P, int64_t id)
{
    if (P->at)
        return id >= P->lo && id <= P->hi ? (size_t)P->at[id - P->lo] - 1 : NO_CONV;
    size_t lo = 0, hi = P->nc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (P->c[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < P->nc && P->c[lo].id == id ? lo : NO_CONV;
}

/* Indexes the conversations by id in a table when they are at least a
 * quarter of the ids of their range (a period read as a range: the store
 * numbers conversations densely); conv_of searches the few of a short
 * period instead. */
static int index_convs(period *P)
{
    if (!P->nc || P->nc >= UINT32_MAX || (uint64_t)(P->hi - P->lo) > 4 * (uint64_t)P->nc)
        return HEED_OK;
    size_t n = (size_t)(P->hi - P->lo) + 1;
    P->at = calloc(n, sizeof *P->at);
    if (!P->at)
        return HEED_ENOMEM;
    for (size_t i = 0; i < P->nc; i++)
        P->at[P->c[i].id - P->lo] = (uint32_t)i + 1;
    return HEED_OK;
}

/* order[0..n): the indices of keys ordered by key, equal keys in index
 * order (a least-significant-byte radix sort; keys of n entries, tmp of n).
 * HEED_OK or HEED_ENOMEM. */
static int radix_order(const uint64_t *keys, uint32_t *order, size_t n)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        order[i] = (uint32_t)i;
        max = keys[i] > max ? keys[i] : max;
    }
    uint32_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return HEED_ENOMEM;
    for (int shift = 0; shift < 64 && (max >> shift); shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((keys[order[i]] >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[(keys[order[i]] >> shift) & 0xff]++] = order[i];
        memcpy(order, tmp, n * sizeof *order);
    }
    free(tmp);
    return HEED_OK;
}

#define NO_ROW ((size_t)-1)

/* The row of a record at time t with channel (a name's index) and need: the
 * row of key_of, remembered per day, channel or need. NO_ROW out of memory. */
static size_t row_at(period *P, int64_t t, int channel, int need)
{
    char key[64];
    size_t *slot;
    if (P->by == HEED_TRENDS_WEEK) {
        int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
        if (day != P->day) {
            P->day = day;
            P->day_row = NO_ROW;
        }
        slot = &P->day_row;
    } else if (P->by == HEED_TRENDS_CHANNEL) {
        slot = &P->ch_row[channel + 1];
    } else {
        slot = &P->need_row[need >= 0 && need < HEED_NEED_COUNT ? need + 1 : 0];
    }
    if (*slot != NO_ROW)
        return *slot;
    key_of(key, P->by, t, channel >= 0 ? P->ch.v[channel] : NULL, need);
    return *slot = row_of(P->R, key);
}

/* Reads the customer messages and the promises made in [from, end) (the
 * conversations they name to be read next). */
static int read_period(heed_store *st, period *P, int64_t from, int64_t to, int64_t end,
                       heed_error *err)
{
    heed_st_cursor *c = NULL;
    /* the channels matter only to the rows by channel */
    int with_channel = P->by == HEED_TRENDS_CHANNEL;
    int rc = heed_store_customer_messages(st, from, to, with_channel, &c, err), r;
    if (rc)
        return rc;
    heed_st_custmsg m;
    while ((r = heed_st_next_custmsg(c, &m)) == 1) {
        int ch = names_of(&P->ch, m.channel);
        if (ch == -2 || grow((void **)&P->m, &P->cap_m, P->nm, sizeof *P->m, 1024))
            goto oom;
        P->m[P->nm++] = (msg){m.time, m.conversation, m.stress, m.need, ch};
        name_conv(P, m.conversation);
    }
    heed_st_cursor_free(c);
    c = NULL;
    if (r < 0)
        return r;
    if (end > from) {
        if ((rc = heed_store_trend_promises(st, from, end, &c, err)))
            return rc;
        heed_st_trend_promise p;
        while ((r = heed_st_next_trend_promise(c, &p)) == 1) {
            if (grow((void **)&P->p, &P->cap_p, P->np, sizeof *P->p, 256))
                goto oom;
            P->p[P->np++] = (prom){p.id, p.made, p.conversation, 0, NO_ROW};
            name_conv(P, p.conversation);
        }
        heed_st_cursor_free(c);
        c = NULL;
        if (r < 0)
            return r;
    }
    if (P->lo > P->hi)
        return HEED_OK;
    /* the conversations named: the range of their ids in one pass, or, when
     * they are few among the ids of that range (a short period, whose
     * messages also reach old conversations), each by key */
    if ((uint64_t)(P->nm + P->np) * 4 < (uint64_t)(P->hi - P->lo)) {
        int64_t *ids = malloc((P->nm + P->np) * sizeof *ids);
        if (!ids)
            return HEED_ENOMEM;
        for (size_t i = 0; i < P->nm; i++)
            ids[i] = P->m[i].conversation;
        for (size_t i = 0; i < P->np; i++)
            ids[P->nm + i] = P->p[i].conversation;
        rc = heed_store_conversation_set(st, ids, P->nm + P->np, err);
        free(ids);
        if (!rc)
            rc = heed_store_trend_conversation_set(st, with_channel, &c, err);
    } else {
        rc = heed_store_trend_conversations(st, P->lo, P->hi, with_channel, &c, err);
    }
    if (rc)
        return rc;
    heed_st_trend_conv v;
    while ((r = heed_st_next_trend_conversation(c, &v)) == 1) {
        int ch = names_of(&P->ch, v.channel);
        if (ch == -2 || grow((void **)&P->c, &P->cap_c, P->nc, sizeof *P->c, 1024))
            goto oom;
        P->c[P->nc++] = (conv){v.id, v.person, ch, v.need};
    }
    heed_st_cursor_free(c);
    return r < 0 ? r : HEED_OK;
oom:
    heed_st_cursor_free(c);
    return HEED_ENOMEM;
}

/* A linked customer message: its conversation (index in P->c) and row. */
typedef struct seen {
    uint32_t conv, row;
} seen;

/* Volume, customers, stress, needs, conversations and repeat contact from
 * the customer messages of linked customers: a message counts under its own
 * channel (else its conversation's) and its own need. */
static int add_messages(period *P)
{
    rowset *R = P->R;
    size_t n = 0;
    int rc = HEED_ENOMEM;
    seen *v = malloc((P->nm ? P->nm : 1) * sizeof *v), *w = NULL;
    uint64_t *key = NULL;
    uint32_t *order = NULL, *rank = NULL, *start = NULL;
    if (!v)
        goto out;
    for (size_t i = 0; i < P->nm; i++) {
        const msg *m = &P->m[i];
        size_t ci = conv_of(P, m->conversation);
        if (ci == NO_CONV || !P->c[ci].person)
            continue; /* not linked to a customer yet */
        size_t row = row_at(P, m->time, m->channel >= 0 ? m->channel : P->c[ci].channel, m->need);
        if (row == NO_ROW || row >= UINT32_MAX)
            goto out;
        heed_trend_row *t = &R->v[row];
        t->messages++;
        if (m->stress >= 0) {
            t->scored++;
            t->stress_sum += m->stress;
            t->high_stress += m->stress >= HEED_TRENDS_HIGH_STRESS;
        }
        if (m->need >= 0 && m->need < HEED_NEED_COUNT)
            t->needs[m->need]++;
        v[n++] = (seen){(uint32_t)ci, (uint32_t)row};
    }
    /* distinct customers and conversations per row, and the customers with
     * two or more conversations in it, from the messages in (customer,
     * conversation) order, where each customer's and each conversation's
     * messages are together: the conversations ordered by customer (P->c is
     * in id order; the radix sort keeps it among a customer's), then the
     * messages placed by their conversation's position (a counting sort) */
    key = malloc((P->nc ? P->nc : 1) * sizeof *key);
    order = malloc((P->nc ? P->nc : 1) * sizeof *order);
    rank = malloc((P->nc ? P->nc : 1) * sizeof *rank);
    start = calloc(P->nc + 1, sizeof *start);
    w = malloc((n ? n : 1) * sizeof *w);
    if (!key || !order || !rank || !start || !w)
        goto out;
    for (size_t i = 0; i < P->nc; i++)
        key[i] = (uint64_t)P->c[i].person;
    if (radix_order(key, order, P->nc))
        goto out;
    for (size_t k = 0; k < P->nc; k++)
        rank[order[k]] = (uint32_t)k;
    for (size_t i = 0; i < n; i++)
        start[rank[v[i].conv] + 1]++;
    for (size_t k = 0; k < P->nc; k++)
        start[k + 1] += start[k];
    for (size_t i = 0; i < n; i++)
        w[start[rank[v[i].conv]]++] = v[i];
    typedef struct last {
        int64_t person, conversation;
        size_t convs;
    } last;
    last *L = malloc((R->n ? R->n : 1) * sizeof *L);
    if (!L)
        goto out;
    for (size_t i = 0; i < R->n; i++)
        L[i] = (last){INT64_MIN, INT64_MIN, 0};
    for (size_t i = 0; i < n; i++) {
        const conv *c = &P->c[w[i].conv];
        last *l = &L[w[i].row];
        heed_trend_row *t = &R->v[w[i].row];
        if (l->person != c->person) {
            t->customers++;
            l->person = c->person;
            l->convs = 0;
        }
        if (l->conversation != c->id) {
            t->conversations++;
            l->conversation = c->id;
            if (++l->convs == 2)
                t->repeat_customers++;
        }
    }
    free(L);
    rc = HEED_OK;
out:
    free(v);
    free(w);
    free(key);
    free(order);
    free(rank);
    free(start);
    return rc;
}

/* CSAT, NPS and CES of the surveys answered in the period. */
static int add_surveys(heed_store *st, int64_t from, int64_t to, int by, rowset *R,
                       heed_error *err)
{
    heed_st_cursor *c = NULL;
    int rc = heed_store_trend_surveys(st, from, to, &c, err);
    if (rc)
        return rc;
    heed_st_trend_survey v;
    int r;
    while ((r = heed_st_next_trend_survey(c, &v)) == 1) {
        char key[64];
        key_of(key, by, v.time, v.conversation ? v.channel : NULL,
               v.conversation ? v.need : -1);
        size_t i = row_of(R, key);
        if (i == (size_t)-1) {
            heed_st_cursor_free(c);
            return HEED_ENOMEM;
        }
        heed_trend_row *t = &R->v[i];
        t->surveys++;
        const char *k = v.kind ? v.kind : "";
        if (!strcmp(k, "csat")) {
            t->csat_n++;
            t->csat_sum += v.score;
        } else if (!strcmp(k, "nps")) {
            t->nps_n++;
            t->nps_promoters += v.score >= 9;
            t->nps_detractors += v.score <= 6;
        } else if (!strcmp(k, "ces")) {
            t->ces_n++;
            t->ces_sum += v.score;
        }
    }
    heed_st_cursor_free(c);
    return r < 0 ? r : HEED_OK;
}

/* One promise of a row, by its status (HEED_PM_*). */
static void count_status(size_t *f, int status)
{
    f[HEED_TRENDS_PROM_MADE]++;
    switch (status) {
    case HEED_PM_KEPT:
        f[HEED_TRENDS_PROM_KEPT]++;
        break;
    case HEED_PM_KEPT_LATE:
        f[HEED_TRENDS_PROM_KEPT_LATE]++;
        break;
    case HEED_PM_BROKEN:
        f[HEED_TRENDS_PROM_BROKEN]++;
        break;
    default:
        f[HEED_TRENDS_PROM_PENDING]++;
        break;
    }
}

/* The walk over the customers with a promise in the period. */
typedef struct walk {
    const prom *list; /* ordered by person, as the walk */
    size_t n, at;
    int64_t now;
    rowset *R;
} walk;

/* Decides one customer's promises as the journey does (every promise, event
 * and agent message of theirs, as of now) and counts those of the period. */
static int decide(void *ctx, heed_person *P, heed_error *err)
{
    walk *W = ctx;
    while (W->at < W->n && W->list[W->at].person < P->person)
        W->at++;
    if (W->at == W->n || W->list[W->at].person != P->person)
        return HEED_OK;
    int rc = heed_person_decide(P, W->now, err);
    if (rc)
        return rc;
    for (; W->at < W->n && W->list[W->at].person == P->person; W->at++) {
        const prom *q = &W->list[W->at];
        size_t j = 0;
        while (j < P->n_proms && P->proms[j].id != q->id)
            j++;
        if (j == P->n_proms)
            continue; /* not the customer's any more: relinked meanwhile */
        count_status(W->R->v[q->row].promises, P->pm[j].status);
    }
    return HEED_OK;
}

/* The queue refresh stored what decides every promise's status with every
 * event and reply it knew (promise_state); for a customer nothing came in
 * for since (a write marks the customer for deciding again, queue_dirty, in
 * its own transaction, until a refresh decides them), that gives each
 * promise's status as of any time (heed_pm_status_at), the one deciding the
 * customer again would give. Usable while the stored queue is complete (an
 * import, a re-scoring or a relink from the command line forgets the
 * refresh's time); the marked customers are then decided again here. */
static int stored_usable(heed_store *st)
{
    return heed_queue_as_of(st) != 0;
}

static int by_person_id(const void *a, const void *b)
{
    const prom *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Promises made in the period up to now by linked customers, counted under
 * their conversation's channel and top need, kept or broken as of now: from
 * the rows the queue refresh stored when they hold (read in promise order
 * beside the period's promises ordered the same way), otherwise by deciding
 * the customers with such a promise (heed_person_walk over that set: five
 * queries in all; loading them one by one took five per customer, 5 s of CPU
 * for 28 days of 20,000 generated customers against 1 s this way). */
static int add_promises(heed_store *st, period *P, int64_t now, heed_error *err)
{
    heed_st_cursor *c = NULL;
    prom *todo = NULL;
    int64_t *persons = NULL;
    uint64_t *key = NULL;
    uint32_t *order = NULL;
    int64_t *dirty = NULL; /* customers marked for deciding again, ascending */
    size_t n = 0, np = 0, n_dirty = 0;
    int rc = HEED_ENOMEM, have = 0;
    heed_st_promise_state v;
    if (!P->np)
        return HEED_OK;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < P->np; i++) {
        lo = P->p[i].id < lo ? P->p[i].id : lo;
        hi = P->p[i].id > hi ? P->p[i].id : hi;
    }
    key = malloc(P->np * sizeof *key);
    order = malloc(P->np * sizeof *order);
    todo = malloc(P->np * sizeof *todo);
    if (!key || !order || !todo || P->np >= UINT32_MAX)
        goto out;
    for (size_t i = 0; i < P->np; i++)
        key[i] = (uint64_t)P->p[i].id - (uint64_t)lo;
    if (radix_order(key, order, P->np))
        goto out;
    if (stored_usable(st)) {
        if ((rc = heed_store_dirty_persons(st, &dirty, &n_dirty, err)) ||
            (rc = heed_store_promise_states(st, lo, hi, &c, err)))
            goto out;
        have = heed_st_next_promise_state(c, &v);
    }
    for (size_t k = 0; k < P->np; k++) {
        const prom *q = &P->p[order[k]];
        size_t ci = conv_of(P, q->conversation);
        if (ci == NO_CONV || !P->c[ci].person)
            continue; /* not linked to a customer yet */
        const conv *cv = &P->c[ci];
        size_t row = row_at(P, q->made, cv->channel, cv->need);
        if (row == NO_ROW) {
            rc = HEED_ENOMEM;
            goto out;
        }
        while (have == 1 && v.promise < q->id)
            have = heed_st_next_promise_state(c, &v);
        if (have < 0) {
            rc = have;
            goto out;
        }
        if (have == 1 && v.promise == q->id &&
            heed__i64_index(dirty, n_dirty, cv->person) == SIZE_MAX) {
            count_status(P->R->v[row].promises, heed_pm_status_at(v.due, v.has_kept, v.kept, now));
            continue;
        }
        todo[n++] = (prom){q->id, q->made, q->conversation, cv->person, row};
    }
    rc = HEED_OK;
    if (!n)
        goto out;
    qsort(todo, n, sizeof *todo, by_person_id);
    persons = malloc(n * sizeof *persons);
    if (!persons) {
        rc = HEED_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (!i || todo[i].person != todo[i - 1].person)
            persons[np++] = todo[i].person;
    rc = heed_store_person_set(st, persons, np, err);
    if (!rc) {
        walk W = {.list = todo, .n = n, .now = now, .R = P->R};
        rc = heed_person_walk(st, HEED_ST_PERSON_SET, HEED_WALK_PROMISES, decide, &W, err);
    }
out:
    heed_st_cursor_free(c);
    free(dirty);
    free(todo);
    free(persons);
    free(key);
    free(order);
    return rc;
}

int heed_trends_load(heed_store *st, int64_t from, int64_t to, int64_t now, int by,
                     heed_trend_row **out, size_t *n_out, heed_error *err)
{
    *out = NULL;
    *n_out = 0;
    rowset R = {0};
    period P = {.by = by, .R = &R, .lo = INT64_MAX, .hi = INT64_MIN, .day_row = NO_ROW};
    for (int i = 0; i <= HEED_NEED_COUNT; i++)
        P.need_row[i] = NO_ROW;
    int64_t end = now + 1 < to ? now + 1 : to; /* promises made at or before now */
    /* one snapshot for the three parts; a read transaction also spares a
     * lock and a cache check per query of the customers' loads */
    int rc = heed_store_begin_read(st, err), opened = rc == 1;
    if (rc < 0)
        return rc;
    rc = read_period(st, &P, from, to, end, err);
    if (!rc) {
        /* one row cache slot per channel name, and one for none */
        P.ch_row = malloc((P.ch.n + 1) * sizeof *P.ch_row);
        if (!P.ch_row)
            rc = HEED_ENOMEM;
        for (size_t i = 0; !rc && i <= P.ch.n; i++)
            P.ch_row[i] = NO_ROW;
    }
    if (!rc)
        rc = index_convs(&P);
    if (!rc)
        rc = add_messages(&P);
    if (!rc)
        rc = add_surveys(st, from, to, by, &R, err);
    if (!rc)
        rc = add_promises(st, &P, now, err);
    if (opened) {
        if (rc)
            heed_store_rollback(st);
        else
            rc = heed_store_commit(st, err);
    }
    period_release(&P);
    if (rc) {
        free(R.v);
        return rc;
    }
    if (R.n)
        qsort(R.v, R.n, sizeof *R.v, by_key);
    *out = R.v;
    *n_out = R.n;
    return HEED_OK;
}

int heed_trend_survey_score(const heed_trend_row *t, int kind, double *v)
{
    *v = 0;
    if (kind == HEED_SURVEY_CSAT && t->csat_n) {
        *v = t->csat_sum / (double)t->csat_n;
        return 1;
    }
    if (kind == HEED_SURVEY_NPS && t->nps_n) {
        *v = 100.0 * ((double)t->nps_promoters - (double)t->nps_detractors) / (double)t->nps_n;
        return 1;
    }
    if (kind == HEED_SURVEY_CES && t->ces_n) {
        *v = t->ces_sum / (double)t->ces_n;
        return 1;
    }
    return 0;
}

void heed_view_trends_json(heed_buf *b, int64_t from, int64_t to, int by,
                           const heed_trend_row *rows, size_t n)
{
    heed__buf_adds(b, "{\"from\":");
    heed_json_time(b, from);
    heed__buf_adds(b, ",\"to\":");
    heed_json_time(b, to);
    heed__buf_printf(b, ",\"by\":\"%s\",\"rows\":[", BY[by]);
    for (size_t i = 0; i < n; i++) {
        const heed_trend_row *t = &rows[i];
        heed__buf_adds(b, i ? ",{\"key\":" : "{\"key\":");
        heed_json_string(b, t->key, strlen(t->key));
        heed__buf_printf(b, ",\"messages\":%zu,\"customers\":%zu,\"mean_stress\":", t->messages,
                         t->customers);
        if (t->scored)
            heed__buf_printf(b, "%.1f", t->stress_sum / (double)t->scored);
        else
            heed__buf_adds(b, "null");
        heed__buf_printf(b, ",\"high_stress\":%zu,\"needs\":{", t->high_stress);
        int k = 0;
        for (int j = 0; j < HEED_NEED_COUNT; j++)
            if (t->needs[j])
                heed__buf_printf(b, "%s\"%s\":%zu", k++ ? "," : "", heed_view_need_names[j],
                                 t->needs[j]);
        heed__buf_printf(b, "},\"outcomes\":{\"conversations\":%zu,\"repeat_customers\":%zu,"
                            "\"surveys\":{\"n\":%zu",
                         t->conversations, t->repeat_customers, t->surveys);
        static const char *const SV[] = {"csat", "nps", "ces"};
        for (int s = 0; s < 3; s++) {
            double v;
            heed__buf_printf(b, ",\"%s\":", SV[s]);
            /* NPS is a percentage (one decimal), CSAT and CES means (two) */
            if (!heed_trend_survey_score(t, HEED_SURVEY_CSAT + s, &v))
                heed__buf_adds(b, "null");
            else if (s == 1)
                heed__buf_printf(b, "%.1f", v);
            else
                heed__buf_printf(b, "%.2f", v);
        }
        const size_t *f = t->promises;
        heed__buf_printf(b,
                         "},\"promises\":{\"made\":%zu,\"kept\":%zu,\"kept_late\":%zu,"
                         "\"broken\":%zu,\"pending\":%zu}}}",
                         f[HEED_TRENDS_PROM_MADE], f[HEED_TRENDS_PROM_KEPT],
                         f[HEED_TRENDS_PROM_KEPT_LATE], f[HEED_TRENDS_PROM_BROKEN],
                         f[HEED_TRENDS_PROM_PENDING]);
    }
    heed__buf_adds(b, "]}");
}
