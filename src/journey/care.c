/* care.c - agent care from exposure only: conversations grouped per agent and
 * shift (or local day), distress absorbed, high-stress streaks, suggestions;
 * and weekly means of the empathy and compassion of each agent's replies. */
#include "care.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "jtime.h"

#define NONE ((size_t)-1)

#define CMP(a, b)                                                                                  \
    do {                                                                                           \
        if ((a) != (b))                                                                            \
            return (a) < (b) ? -1 : 1;                                                             \
    } while (0)

static int fail_at(heed_error *err, int code, const char *msg)
{
    if (err) {
        err->code = code;
        err->pos = 0;
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
    return code;
}

typedef struct item {
    int64_t agent, pstart, start, conversation;
    size_t shift, i;
} item;

static int cmp_item(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    CMP(a->agent, b->agent);
    CMP(a->pstart, b->pstart);
    CMP(a->shift, b->shift);
    CMP(a->start, b->start);
    CMP(a->conversation, b->conversation);
    CMP(a->i, b->i);
    return 0;
}

/* qsort has no context argument in C11: shifts are sorted as an array of
 * (agent, start, index) triples instead. */
typedef struct skey {
    int64_t agent, start;
    size_t i;
} skey;

static int cmp_skey(const void *pa, const void *pb)
{
    const skey *a = pa, *b = pb;
    CMP(a->agent, b->agent);
    CMP(a->start, b->start);
    CMP(a->i, b->i);
    return 0;
}

static void suggest(heed_care_period *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void suggest(heed_care_period *p, const char *fmt, ...)
{
    if (p->n_suggestions >= HEED_CARE_MAX_SUGGESTIONS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->suggestion[p->n_suggestions++], HEED_CARE_SUGGESTION_MAX, fmt, ap);
    va_end(ap);
}

int heed_care_periods(const heed_care_convo *convos, size_t n, const heed_care_shift *shifts,
                      size_t n_shifts, const heed_care_opts *opts, heed_care_period **out,
                      size_t *n_out, heed_error *err)
{
    if (out)
        *out = NULL;
    if (n_out)
        *n_out = 0;
    if (!out || !n_out || (n && !convos) || (n_shifts && !shifts))
        return fail_at(err, HEED_EINVAL, "care: NULL conversations, shifts or output");
    if (!n)
        return HEED_OK;
    double high = opts && opts->high_stress > 0 ? opts->high_stress : HEED_CARE_HIGH_STRESS;
    size_t alert = opts && opts->streak_alert ? opts->streak_alert : HEED_CARE_STREAK_ALERT;
    int64_t gap = opts && opts->break_gap_s > 0 ? opts->break_gap_s : HEED_CARE_BREAK_GAP_S;
    int64_t tz = opts ? (int64_t)opts->tz_offset_min * 60 : 0;

    int rc = HEED_ENOMEM;
    item *it = heed__malloc(sizeof *it * n);
    skey *sk = heed__malloc(sizeof *sk * (n_shifts ? n_shifts : 1));
    heed_care_period *per = NULL;
    if (!it || !sk)
        goto fail;
    for (size_t i = 0; i < n_shifts; i++)
        sk[i] = (skey){shifts[i].agent, shifts[i].start, i};
    qsort(sk, n_shifts, sizeof *sk, cmp_skey);

    for (size_t i = 0; i < n; i++) {
        const heed_care_convo *c = &convos[i];
        /* the last shift of this agent starting at or before c->start */
        size_t lo = 0, hi = n_shifts;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (sk[mid].agent < c->agent || (sk[mid].agent == c->agent && sk[mid].start <= c->start))
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t shift = NONE;
        if (lo > 0 && sk[lo - 1].agent == c->agent && c->start < shifts[sk[lo - 1].i].end)
            shift = sk[lo - 1].i;
        int64_t pstart = shift != NONE ? shifts[shift].start
                                       : heed__floor_div(c->start + tz, HEED_DAY_S) * HEED_DAY_S - tz;
        it[i] = (item){c->agent, pstart, c->start, c->conversation, shift, i};
    }
    qsort(it, n, sizeof *it, cmp_item);

    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        np += i == 0 || it[i].agent != it[i - 1].agent || it[i].pstart != it[i - 1].pstart ||
              it[i].shift != it[i - 1].shift;
    per = heed__malloc(sizeof *per * np);
    if (!per)
        goto fail;
    size_t k = NONE, streak = 0;
    int64_t last_end = 0;
    for (size_t i = 0; i < n; i++) {
        const heed_care_convo *c = &convos[it[i].i];
        if (i == 0 || it[i].agent != it[i - 1].agent || it[i].pstart != it[i - 1].pstart ||
            it[i].shift != it[i - 1].shift) {
            k = k == NONE ? 0 : k + 1;
            heed_care_period *p = &per[k];
            memset(p, 0, sizeof *p);
            p->agent = it[i].agent;
            p->shift = it[i].shift;
            p->start = it[i].pstart;
            p->end = p->shift != NONE ? shifts[p->shift].end : p->start + HEED_DAY_S;
            streak = 0;
            last_end = c->start;
        }
        heed_care_period *p = &per[k];
        p->conversations++;
        p->stress_sum += c->peak_stress;
        if (c->peak_stress > p->stress_peak)
            p->stress_peak = c->peak_stress;
        if (c->start - last_end >= gap)
            streak = 0; /* a break between the two */
        if (c->peak_stress >= high) {
            p->high++;
            streak++;
            if (streak > p->longest_streak)
                p->longest_streak = streak;
        } else {
            streak = 0;
        }
        int64_t end = c->end > c->start ? c->end : c->start;
        if (end > last_end || p->conversations == 1)
            last_end = end;
    }
    for (size_t j = 0; j < np; j++) {
        heed_care_period *p = &per[j];
        const char *when = p->shift != NONE ? "this shift's" : "today's";
        if (p->longest_streak >= alert)
            suggest(p, "%zu high-stress conversations in a row: offer a 15-minute break",
                    p->longest_streak);
        if (p->conversations >= 5 && p->high * 2 >= p->conversations)
            suggest(p, "%d%% of %s conversations were high-stress: rotate off the complaints queue",
                    (int)(100.0 * (double)p->high / (double)p->conversations + 0.5), when);
        if (p->stress_peak >= 85)
            suggest(p, "faced a customer at stress %.0f: a short check-in with the team lead",
                    p->stress_peak);
    }
    *out = per;
    *n_out = np;
    per = NULL;
    rc = HEED_OK;
fail:
    if (rc != HEED_OK)
        fail_at(err, rc, "care: out of memory");
    heed__free(it);
    heed__free(sk);
    heed__free(per);
    return rc;
}

typedef struct witem {
    int64_t agent;
    int year, week;
    size_t i;
} witem;

static int cmp_witem(const void *pa, const void *pb)
{
    const witem *a = pa, *b = pb;
    CMP(a->agent, b->agent);
    CMP(a->year, b->year);
    CMP(a->week, b->week);
    CMP(a->i, b->i);
    return 0;
}

int heed_care_weeks(const heed_care_reply *replies, size_t n, int tz_offset_min,
                    heed_care_week **out, size_t *n_out, heed_error *err)
{
    if (out)
        *out = NULL;
    if (n_out)
        *n_out = 0;
    if (!out || !n_out || (n && !replies))
        return fail_at(err, HEED_EINVAL, "care: NULL replies or output");
    if (!n)
        return HEED_OK;
    witem *w = heed__malloc(sizeof *w * n);
    if (!w)
        return fail_at(err, HEED_ENOMEM, "care: out of memory");
    for (size_t i = 0; i < n; i++) {
        int64_t day = heed__floor_div(replies[i].time + (int64_t)tz_offset_min * 60, HEED_DAY_S);
        w[i].agent = replies[i].agent;
        w[i].i = i;
        heed__iso_week(day, &w[i].year, &w[i].week);
    }
    qsort(w, n, sizeof *w, cmp_witem);
    size_t nw = 0;
    for (size_t i = 0; i < n; i++)
        nw += i == 0 || w[i].agent != w[i - 1].agent || w[i].year != w[i - 1].year ||
              w[i].week != w[i - 1].week;
    heed_care_week *wk = heed__malloc(sizeof *wk * nw);
    if (!wk) {
        heed__free(w);
        return fail_at(err, HEED_ENOMEM, "care: out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (w[i].agent != w[i - 1].agent || w[i].year != w[i - 1].year ||
                      w[i].week != w[i - 1].week))
            k++;
        heed_care_week *x = &wk[k];
        if (i == 0 || (w[i].agent != w[i - 1].agent || w[i].year != w[i - 1].year ||
                       w[i].week != w[i - 1].week)) {
            memset(x, 0, sizeof *x);
            x->agent = w[i].agent;
            x->iso_year = w[i].year;
            x->iso_week = w[i].week;
        }
        const heed_care_reply *r = &replies[w[i].i];
        x->replies++;
        for (int e = 0; e < HEED_EMPATHY_COUNT; e++)
            x->empathy_mean[e] += r->empathy[e];
        x->compassion_mean += r->compassion;
    }
    for (size_t j = 0; j < nw; j++) {
        for (int e = 0; e < HEED_EMPATHY_COUNT; e++)
            wk[j].empathy_mean[e] /= (double)wk[j].replies;
        wk[j].compassion_mean /= (double)wk[j].replies;
    }
    heed__free(w);
    *out = wk;
    *n_out = nw;
    return HEED_OK;
}

void heed_care_free(void *p)
{
    heed__free(p);
}
