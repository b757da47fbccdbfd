/* queue.c - the act-now queue: fading stress, one customer's state from their
 * messages, a priority score with reasons, and the top K by a bounded heap. */
#include "queue.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "jtime.h"

#define WINDOW_30D (30 * (int64_t)HEED_DAY_S)
#define WINDOW_7D (7 * (int64_t)HEED_DAY_S)

static double decayed(double stress, int64_t age, int64_t half_life)
{
    return stress * exp2(-(double)age / (double)half_life);
}

double heed_queue_stress_now(const heed_queue_msg *msgs, size_t n, int64_t now,
                             int64_t half_life_s)
{
    int64_t hl = half_life_s > 0 ? half_life_s : HEED_QUEUE_HALF_LIFE_S;
    double best = 0;
    for (size_t i = 0; msgs && i < n; i++) {
        if (msgs[i].is_agent || msgs[i].time > now)
            continue;
        double s = decayed(msgs[i].stress, now - msgs[i].time, hl);
        if (s > best)
            best = s;
    }
    return best;
}

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

int heed_queue_state_fill(const heed_queue_msg *msgs, size_t n, int64_t now,
                          int64_t half_life_s, heed_queue_state *st)
{
    if (!st || (n && !msgs))
        return HEED_EINVAL;
    int64_t *conv = heed__malloc(sizeof *conv * (n ? n : 1));
    if (!conv)
        return HEED_ENOMEM;
    st->stress_now = heed_queue_stress_now(msgs, n, now, half_life_s);
    st->stress_peak_30d = 0;
    st->vulnerability = 0;
    st->vulnerable_what = NULL;
    st->escalation = 0;
    st->waiting_since = 0;
    int64_t last_agent = INT64_MIN;
    for (size_t i = 0; i < n; i++)
        if (msgs[i].is_agent && msgs[i].time <= now && msgs[i].time > last_agent)
            last_agent = msgs[i].time;
    size_t nc = 0;
    for (size_t i = 0; i < n; i++) {
        const heed_queue_msg *m = &msgs[i];
        if (m->is_agent || m->time > now)
            continue;
        if (m->time > last_agent && (st->waiting_since == 0 || m->time < st->waiting_since))
            st->waiting_since = m->time;
        if (now - m->time <= WINDOW_7D)
            conv[nc++] = m->conversation;
        if (now - m->time > WINDOW_30D)
            continue;
        if (m->stress > st->stress_peak_30d)
            st->stress_peak_30d = m->stress;
        if (m->vulnerability > st->vulnerability) {
            st->vulnerability = m->vulnerability;
            st->vulnerable_what = m->vulnerable_what;
        }
        if (m->escalation > st->escalation)
            st->escalation = m->escalation;
    }
    qsort(conv, nc, sizeof *conv, cmp_i64);
    st->repeat_contacts = 0;
    for (size_t i = 0; i < nc; i++)
        st->repeat_contacts += i == 0 || conv[i] != conv[i - 1];
    heed__free(conv);
    return HEED_OK;
}

/* What was promised, as words in a reason ("a promised refund is ..."). */
static const char *const promised[HEED_PROMISE_COUNT] = {
    [HEED_PROMISE_REFUND] = "a promised refund",
    [HEED_PROMISE_CALLBACK] = "a promised callback",
    [HEED_PROMISE_REPLACEMENT] = "a promised replacement",
    [HEED_PROMISE_REPAIR] = "a promised repair",
    [HEED_PROMISE_FOLLOW_UP] = "a promised follow-up",
    [HEED_PROMISE_INFORMATION] = "promised information",
};

static void add(heed_queue_score *out, double points, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(heed_queue_score *out, double points, const char *fmt, ...)
{
    if (!out || points <= 0 || out->n_reasons >= HEED_QUEUE_MAX_REASONS)
        return;
    heed_queue_reason *r = &out->reason[out->n_reasons++];
    r->points = points;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static int cmp_reason(const void *pa, const void *pb)
{
    const heed_queue_reason *a = pa, *b = pb;
    if (a->points != b->points)
        return a->points > b->points ? -1 : 1;
    return strcmp(a->text, b->text);
}

double heed_queue_score_state(const heed_queue_state *st, int64_t now, heed_queue_score *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st)
        return 0;
    char span[32];
    double total = 0, p;

    /* Stress carried across conversations, fading: up to 35. */
    double stress = clamp(st->stress_now, 0, 100);
    p = 0.35 * stress;
    total += p;
    if (stress >= 30)
        add(out, p, "stress %.0f now", stress);

    /* A recent peak that has faded still says something: up to 5. */
    double peak = clamp(st->stress_peak_30d, 0, 100);
    p = 0.05 * peak;
    total += p;
    if (peak >= 50 && peak >= stress + 10)
        add(out, p, "stress peaked at %.0f in the last 30 days", peak);

    /* Broken promises: 20 for the first, 5 for each more, up to 30. */
    if (st->broken_promises > 0) {
        p = clamp(20.0 + 5.0 * (st->broken_promises - 1), 0, 30);
        total += p;
        const char *what = st->overdue_kind >= 0 && st->overdue_kind < HEED_PROMISE_COUNT
                               ? promised[st->overdue_kind]
                               : "a promise";
        heed__fmt_span(span, sizeof span, st->overdue_s > 0 ? st->overdue_s : 0);
        if (st->broken_promises == 1)
            add(out, p, "%s is %s overdue", what, span);
        else
            add(out, p, "%d broken promises; %s is %s overdue", st->broken_promises, what, span);
    }

    /* Waiting for a reply: 25 points at 48 h, linear before. */
    if (st->waiting_since > 0 && st->waiting_since <= now) {
        int64_t w = now - st->waiting_since;
        p = 25.0 * clamp((double)w / (48.0 * 3600.0), 0, 1);
        total += p;
        heed__fmt_span(span, sizeof span, w);
        add(out, p, "waiting %s for a reply", span);
    }

    /* Vulnerable: 15. */
    if (st->vulnerable || st->vulnerability >= HEED_QUEUE_VULNERABLE) {
        p = 15;
        total += p;
        if (st->vulnerability >= HEED_QUEUE_VULNERABLE && st->vulnerable_what)
            add(out, p, "vulnerable: %s mentioned", st->vulnerable_what);
        else if (st->vulnerability >= HEED_QUEUE_VULNERABLE)
            add(out, p, "vulnerable: circumstances that call for care mentioned");
        else
            add(out, p, "vulnerable (flagged in the CRM)");
    }

    /* Escalation threat: up to 10. */
    double esc = clamp(st->escalation, 0, 100);
    p = 0.10 * esc;
    total += p;
    if (esc >= 30)
        add(out, p, "threatens to escalate (escalation %.0f)", esc);

    /* Repeat contact: 5 per contact past the first, up to 15. */
    if (st->repeat_contacts >= 2) {
        p = clamp(5.0 * (st->repeat_contacts - 1), 0, 15);
        total += p;
        if (st->repeat_about)
            add(out, p, "%d contacts in 7 days about %s", st->repeat_contacts, st->repeat_about);
        else
            add(out, p, "%d contacts in 7 days", st->repeat_contacts);
    }

    /* Effort: 3 per signal, up to 9. */
    if (st->effort > 0) {
        p = clamp(3.0 * st->effort, 0, 9);
        total += p;
        add(out, p, "high effort: %d sign%s of having to try again", st->effort,
            st->effort == 1 ? "" : "s");
    }

    /* Open needs: 2 each, up to 6. */
    if (st->open_needs > 0) {
        p = clamp(2.0 * st->open_needs, 0, 6);
        total += p;
        add(out, p, "%d open need%s", st->open_needs, st->open_needs == 1 ? "" : "s");
    }

    /* A low last survey: 8. */
    int s = st->last_survey_score;
    if ((st->last_survey == HEED_SURVEY_CSAT && s <= 2) ||
        (st->last_survey == HEED_SURVEY_NPS && s <= 6) ||
        (st->last_survey == HEED_SURVEY_CES && s >= 5)) {
        p = 8;
        total += p;
        if (st->last_survey == HEED_SURVEY_CSAT)
            add(out, p, "last survey: CSAT %d of 5", s);
        else if (st->last_survey == HEED_SURVEY_NPS)
            add(out, p, "last survey: NPS %d (detractor)", s);
        else
            add(out, p, "last survey: CES %d of 7 (high effort)", s);
    }

    total = clamp(total, 0, 100);
    if (out) {
        out->score = total;
        qsort(out->reason, out->n_reasons, sizeof out->reason[0], cmp_reason);
    }
    return total;
}

typedef struct ranked {
    double score;
    int64_t waiting; /* INT64_MAX when not waiting: sorts after every wait */
    int64_t customer;
    size_t i;
} ranked;

/* 1 when a ranks before b. */
static int before(const ranked *a, const ranked *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    if (a->waiting != b->waiting)
        return a->waiting < b->waiting;
    if (a->customer != b->customer)
        return a->customer < b->customer;
    return a->i < b->i;
}

/* Min-heap by rank: the root is the one that ranks last. */
static void sift_down(ranked *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&h[m], &h[l]))
            m = l;
        if (r < n && before(&h[m], &h[r]))
            m = r;
        if (m == i)
            return;
        ranked t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static int cmp_ranked(const void *pa, const void *pb)
{
    return before(pa, pb) ? -1 : before(pb, pa) ? 1 : 0;
}

int heed_queue_top(const heed_queue_state *states, size_t n, int64_t now, size_t k, size_t *top,
                   double *scores, size_t *n_top, heed_error *err)
{
    if (n_top)
        *n_top = 0;
    if ((n && !states) || (k && !top) || !n_top) {
        if (err) {
            err->code = HEED_EINVAL;
            err->pos = 0;
            snprintf(err->msg, sizeof err->msg, "queue: NULL states, top or n_top");
        }
        return HEED_EINVAL;
    }
    size_t m = k < n ? k : n;
    if (!m)
        return HEED_OK;
    ranked *h = heed__malloc(sizeof *h * m);
    if (!h) {
        if (err) {
            err->code = HEED_ENOMEM;
            err->pos = 0;
            snprintf(err->msg, sizeof err->msg, "queue: out of memory");
        }
        return HEED_ENOMEM;
    }
    size_t hn = 0;
    for (size_t i = 0; i < n; i++) {
        const heed_queue_state *st = &states[i];
        ranked r = {heed_queue_score_state(st, now, NULL),
                    st->waiting_since > 0 ? st->waiting_since : INT64_MAX, st->customer, i};
        if (hn < m) {
            h[hn++] = r;
            if (hn == m)
                for (size_t j = m / 2 + 1; j-- > 0;)
                    sift_down(h, m, j);
        } else if (before(&r, &h[0])) {
            h[0] = r;
            sift_down(h, m, 0);
        }
    }
    qsort(h, hn, sizeof *h, cmp_ranked);
    for (size_t i = 0; i < hn; i++) {
        top[i] = h[i].i;
        if (scores)
            scores[i] = h[i].score;
    }
    *n_top = hn;
    heed__free(h);
    return HEED_OK;
}
