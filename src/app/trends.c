/* trends.c - customer messages, surveys and promises of a period grouped for
 * trends (trends.h). */
#include "trends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journeyview.h"
#include "jsonout.h"
#include "jtime.h"
#include "person.h"

static const char *const BY[] = {"week", "channel", "need"};

int heed_trends_by(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, BY[i]))
            return i;
    return -1;
}

/* A customer message's row, customer and conversation. */
typedef struct seen {
    size_t row;
    int64_t person, conversation;
} seen;

static int by_person(const void *a, const void *b)
{
    const seen *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return (x->conversation > y->conversation) - (x->conversation < y->conversation);
}

static int by_conversation(const void *a, const void *b)
{
    const seen *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return (x->conversation > y->conversation) - (x->conversation < y->conversation);
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

/* Volume, customers, stress, needs, conversations and repeat contact from
 * the customer messages of the period. */
static int add_messages(heed_store *st, int64_t from, int64_t to, int by, rowset *R,
                        heed_error *err)
{
    heed_st_cursor *c = NULL;
    seen *v = NULL;
    size_t nv = 0, cap = 0;
    int rc = heed_store_customer_messages(st, from, to, &c, err);
    if (rc)
        return rc;
    heed_st_custmsg m;
    int r;
    while ((r = heed_st_next_custmsg(c, &m)) == 1) {
        char key[64];
        key_of(key, by, m.time, m.channel, m.need);
        size_t i = row_of(R, key);
        if (i == (size_t)-1 || grow((void **)&v, &cap, nv, sizeof *v, 256))
            goto oom;
        heed_trend_row *t = &R->v[i];
        t->messages++;
        if (m.stress >= 0) {
            t->scored++;
            t->stress_sum += m.stress;
            t->high_stress += m.stress >= HEED_TRENDS_HIGH_STRESS;
        }
        if (m.need >= 0 && m.need < HEED_NEED_COUNT)
            t->needs[m.need]++;
        v[nv++] = (seen){i, m.person, m.conversation};
    }
    heed_st_cursor_free(c);
    c = NULL;
    if (r < 0) {
        rc = r;
        goto fail;
    }
    /* distinct customers, and those with two or more conversations */
    if (nv)
        qsort(v, nv, sizeof *v, by_person);
    size_t convs = 0;
    for (size_t i = 0; i < nv; i++) {
        int new_person = !i || v[i].row != v[i - 1].row || v[i].person != v[i - 1].person;
        if (new_person) {
            R->v[v[i].row].customers++;
            convs = 0;
        }
        if (new_person || v[i].conversation != v[i - 1].conversation)
            if (++convs == 2)
                R->v[v[i].row].repeat_customers++;
    }
    /* distinct conversations */
    if (nv)
        qsort(v, nv, sizeof *v, by_conversation);
    for (size_t i = 0; i < nv; i++)
        if (!i || v[i].row != v[i - 1].row || v[i].conversation != v[i - 1].conversation)
            R->v[v[i].row].conversations++;
    free(v);
    return HEED_OK;
oom:
    rc = HEED_ENOMEM;
fail:
    heed_st_cursor_free(c);
    free(v);
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

/* A promise of the period: its row, until its customer is decided. */
typedef struct prom {
    int64_t person, id;
    size_t row;
} prom;

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

/* The queue refresh stored every promise's status as of its time: when that
 * is `now` and nothing came in since (the server marks the queue stale on
 * ingest; an import or a relink forgets its time), the statuses are the ones
 * deciding the customers again would give. */
static int stored_usable(heed_store *st, int64_t now)
{
    if (heed_queue_as_of(st) != now)
        return 0;
    char *v = NULL;
    heed_error e = {0};
    int fresh = heed_store_meta_get(st, "queue_stale", &v, &e) == HEED_OK && !(v && !strcmp(v, "1"));
    free(v);
    return fresh;
}

/* Promises made in the period up to now, kept or broken as of now. Only the
 * customers with such a promise are read (heed_person_walk over that set: five
 * queries in all; loading them one by one took five per customer, 5 s of CPU
 * for 28 days of 20,000 generated customers against 1 s this way). */
static int add_promises(heed_store *st, int64_t from, int64_t to, int64_t now, int by, rowset *R,
                        heed_error *err)
{
    heed_st_cursor *c = NULL;
    prom *list = NULL;
    int64_t *persons = NULL;
    size_t n = 0, cap = 0, np = 0;
    int64_t end = now + 1 < to ? now + 1 : to; /* made at or before now */
    if (end <= from)
        return HEED_OK;
    int stored = stored_usable(st, now);
    int rc = heed_store_trend_promises(st, from, end, &c, err);
    if (rc)
        return rc;
    heed_st_trend_promise p;
    int r;
    while ((r = heed_st_next_trend_promise(c, &p)) == 1) {
        char key[64];
        key_of(key, by, p.made, p.channel, p.need);
        size_t i = row_of(R, key);
        if (i == (size_t)-1) {
            rc = HEED_ENOMEM;
            goto out;
        }
        if (stored && p.stored_status >= 0) {
            count_status(R->v[i].promises, p.stored_status);
            continue;
        }
        if (grow((void **)&list, &cap, n, sizeof *list, 64)) {
            rc = HEED_ENOMEM;
            goto out;
        }
        list[n++] = (prom){p.person, p.id, i};
    }
    heed_st_cursor_free(c);
    c = NULL;
    if (r < 0) {
        rc = r;
        goto out;
    }
    if (!n)
        goto out;
    persons = malloc(n * sizeof *persons);
    if (!persons) {
        rc = HEED_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (!i || list[i].person != list[i - 1].person)
            persons[np++] = list[i].person;
    rc = heed_store_person_set(st, persons, np, err);
    if (!rc) {
        walk W = {.list = list, .n = n, .now = now, .R = R};
        rc = heed_person_walk(st, HEED_ST_PERSON_SET, HEED_WALK_PROMISES, decide, &W, err);
    }
out:
    heed_st_cursor_free(c);
    free(list);
    free(persons);
    return rc;
}

int heed_trends_load(heed_store *st, int64_t from, int64_t to, int64_t now, int by,
                     heed_trend_row **out, size_t *n_out, heed_error *err)
{
    *out = NULL;
    *n_out = 0;
    rowset R = {0};
    /* one snapshot for the three parts; a read transaction also spares a
     * lock and a cache check per query of the customers' loads */
    int rc = heed_store_begin_read(st, err), opened = rc == 1;
    if (rc < 0)
        return rc;
    rc = add_messages(st, from, to, by, &R, err);
    if (!rc)
        rc = add_surveys(st, from, to, by, &R, err);
    if (!rc)
        rc = add_promises(st, from, to, now, by, &R, err);
    if (opened) {
        if (rc)
            heed_store_rollback(st);
        else
            rc = heed_store_commit(st, err);
    }
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
