/* journeyview.c - the act-now queue item and one customer's journey as JSON,
 * shared by `heed queue` / `heed journey` and the HTTP API (journeyview.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "journeyview.h"
#include "jsonout.h"

int64_t heed_queue_as_of(heed_store *st)
{
    char *v = NULL;
    heed_error err = {0};
    int64_t t = 0;
    if (heed_store_meta_get(st, "queue_as_of", &v, &err) == HEED_OK && v && *v)
        t = strtoll(v, NULL, 10);
    free(v);
    return t;
}

void heed_view_queue_item(heed_buf *b, int rank, const heed_st_state *s)
{
    heed__buf_printf(b, "{\"rank\":%d,\"customer\":%lld,\"crm\":", rank,
                     (long long)s->person);
    if (s->crm)
        heed_json_string(b, s->crm, strlen(s->crm));
    else
        heed__buf_adds(b, "null");
    heed__buf_printf(b, ",\"score\":%.1f,\"stress_now\":%.1f,\"waiting_since\":",
                     s->score, s->stress_now);
    if (s->waiting_since)
        heed_json_time(b, s->waiting_since);
    else
        heed__buf_adds(b, "null");
    heed__buf_printf(b,
                     ",\"promises\":{\"broken\":%d,\"pending\":%d,\"kept\":%d},"
                     "\"vulnerable\":%s,\"reasons\":[",
                     s->broken, s->pending, s->kept, s->vulnerable ? "true" : "false");
    const char *p = s->reasons;
    int first = 1;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (!first)
            heed__buf_addc(b, ',');
        first = 0;
        heed_json_string(b, p, n);
        p += n + (nl ? 1 : 0);
    }
    heed__buf_adds(b, "],\"as_of\":");
    heed_json_time(b, s->as_of);
    heed__buf_adds(b, "}");
}

/* The customer's stress at time t: their messages up to t, faded. */
static int cmp_time(const void *a, const void *b)
{
    int64_t x = ((const heed_queue_msg *)a)->time, y = ((const heed_queue_msg *)b)->time;
    return (x > y) - (x < y);
}

void heed_stress_curve_init(heed_stress_curve *c, const heed_person *P)
{
    size_t cap = P->n_msgs ? P->n_msgs : 1;
    heed_queue_msg *m = malloc(cap * sizeof *m);
    c->t = malloc(cap * sizeof *c->t);
    c->peak = malloc(cap * sizeof *c->peak);
    c->n = 0;
    if (!m || !c->t || !c->peak) {
        free(m);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < P->n_msgs; i++)
        if (P->msgs[i].role != HEED_ROLE_AGENT)
            m[n++] = (heed_queue_msg){.time = P->msgs[i].time, .stress = P->msgs[i].stress};
    qsort(m, n, sizeof *m, cmp_time);
    double best = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            best *= exp2(-(double)(m[i].time - m[i - 1].time) / (double)HEED_QUEUE_HALF_LIFE_S);
        if (m[i].stress > best)
            best = m[i].stress;
        c->t[i] = m[i].time;
        c->peak[i] = best;
    }
    c->n = n;
    free(m);
}

void heed_stress_curve_release(heed_stress_curve *c)
{
    free(c->t);
    free(c->peak);
    c->t = NULL;
    c->peak = NULL;
    c->n = 0;
}

double heed_stress_curve_at(const heed_stress_curve *c, int64_t t)
{
    size_t lo = 0, hi = c->n; /* the first message after t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->t[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return 0;
    return c->peak[lo - 1] * exp2(-(double)(t - c->t[lo - 1]) / (double)HEED_QUEUE_HALF_LIFE_S);
}


static int tl_cmp(const void *a, const void *b)
{
    const heed_tl_item *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    return x->i < y->i ? -1 : x->i > y->i;
}

int heed_journey_timeline(const heed_person *P, int64_t now, heed_tl_item **out, size_t *n_out)
{
    size_t n = P->n_msgs + P->n_events + P->n_surveys, k = 0;
    heed_tl_item *tl = malloc((n ? n : 1) * sizeof *tl);
    *out = tl;
    *n_out = 0;
    if (!tl)
        return -1;
    for (size_t i = 0; i < P->n_msgs; i++)
        if (P->msgs[i].time <= now)
            tl[k++] = (heed_tl_item){P->msgs[i].time, 0, i};
    for (size_t i = 0; i < P->n_events; i++)
        if (P->events[i].time <= now)
            tl[k++] = (heed_tl_item){P->events[i].time, 1, i};
    for (size_t i = 0; i < P->n_surveys; i++)
        if (P->surveys[i].time <= now)
            tl[k++] = (heed_tl_item){P->surveys[i].time, 2, i};
    /* messages stay grouped by conversation as stored; events and surveys are
     * placed by time among them */
    qsort(tl, k, sizeof *tl, tl_cmp);
    *n_out = k;
    return 0;
}

static const char *jv_role_name(int role)
{
    return role == HEED_ROLE_AGENT ? "agent" : "customer";
}

const char *const heed_view_promise_names[] = {
#define HEED_X_(name, num, str) str,
    HEED_PROMISE_MAP(HEED_X_)
#undef HEED_X_
};

const char *const heed_view_need_names[] = {
#define HEED_X_(name, num, str) str,
    HEED_NEED_MAP(HEED_X_)
#undef HEED_X_
};

void heed_view_journey_json(heed_buf *b, const heed_person *P, const heed_tl_item *tl, size_t n,
                            int64_t now)
{
    heed_stress_curve curve;
    heed_stress_curve_init(&curve, P);
    heed__buf_printf(b, "{\"customer\":%lld,\"crm\":", (long long)P->person);
    const char *crm = heed_person_str(P, P->crm), *name = heed_person_str(P, P->name);
    if (crm)
        heed_json_string(b, crm, strlen(crm));
    else
        heed__buf_adds(b, "null");
    heed__buf_adds(b, ",\"name\":");
    if (name)
        heed_json_string(b, name, strlen(name));
    else
        heed__buf_adds(b, "null");
    heed__buf_printf(b, ",\"vulnerable\":%s,\"as_of\":", P->vulnerable ? "true" : "false");
    heed_json_time(b, now);
    heed__buf_printf(b, ",\"queue\":{\"score\":%.1f,\"stress_now\":%.1f,\"reasons\":[",
                     P->score.score, P->qs.stress_now);
    for (size_t i = 0; i < P->score.n_reasons; i++) {
        if (i)
            heed__buf_addc(b, ',');
        heed_json_string(b, P->score.reason[i].text, strlen(P->score.reason[i].text));
    }
    heed__buf_printf(b, "],\"repeat_contacts\":%d,\"open_needs\":%d},\"timeline\":[",
                     P->qs.repeat_contacts, P->qs.open_needs);
    for (size_t k = 0; k < n; k++) {
        if (k)
            heed__buf_addc(b, ',');
        heed__buf_adds(b, "{\"time\":");
        heed_json_time(b, tl[k].time);
        if (tl[k].kind == 0) {
            const heed_pmsg *m = &P->msgs[tl[k].i];
            const char *t = heed_person_str(P, m->text);
            heed__buf_printf(b, ",\"type\":\"message\",\"role\":\"%s\",\"id\":",
                             jv_role_name(m->role));
            const char *id = heed_person_str(P, m->ext_id);
            heed_json_string(b, id, strlen(id));
            heed__buf_adds(b, ",\"conversation\":");
            const char *cv = heed_person_str(P, m->conv_ext);
            heed_json_string(b, cv, strlen(cv));
            const char *ch = heed_person_str(P, m->channel);
            if (ch) {
                heed__buf_adds(b, ",\"channel\":");
                heed_json_string(b, ch, strlen(ch));
            }
            if (m->role == HEED_ROLE_AGENT) {
                const char *ag = heed_person_str(P, m->agent);
                if (ag) {
                    heed__buf_adds(b, ",\"agent\":");
                    heed_json_string(b, ag, strlen(ag));
                }
                heed__buf_printf(b, ",\"empathy\":[%d,%d,%d],\"compassion\":%.1f",
                                 m->empathy[0], m->empathy[1], m->empathy[2], m->compassion);
            } else {
                heed__buf_printf(b, ",\"stress\":%.1f,\"stress_carried\":%.1f", m->stress,
                                 heed_stress_curve_at(&curve, m->time));
                if (m->need >= 0 && m->need < HEED_NEED_COUNT)
                    heed__buf_printf(b, ",\"need\":\"%s\"", heed_view_need_names[m->need]);
            }
            heed__buf_adds(b, ",\"text\":");
            heed_json_string(b, t ? t : "", t ? strlen(t) : 0);
        } else if (tl[k].kind == 1) {
            const heed_pevent *e = &P->events[tl[k].i];
            heed__buf_printf(b, ",\"type\":\"event\",\"event\":\"%s\",\"id\":",
                             heed_event_type_name(e->type));
            const char *id = heed_person_str(P, e->ext_id);
            heed_json_string(b, id, strlen(id));
            const char *ord = heed_person_str(P, e->order);
            if (ord) {
                heed__buf_adds(b, ",\"order\":");
                heed_json_string(b, ord, strlen(ord));
            }
            if (e->has_amount)
                heed__buf_printf(b, ",\"amount\":%.2f", e->amount);
            const char *d = heed_person_str(P, e->detail);
            if (d) {
                heed__buf_adds(b, ",\"detail\":");
                heed_json_string(b, d, strlen(d));
            }
        } else {
            const heed_psurvey *v = &P->surveys[tl[k].i];
            static const char *const kinds[] = {"survey", "csat", "nps", "ces"};
            heed__buf_printf(b, ",\"type\":\"survey\",\"survey\":\"%s\",\"score\":%g",
                             kinds[v->kind], v->score);
            const char *cm = heed_person_str(P, v->comment);
            if (cm) {
                heed__buf_adds(b, ",\"comment\":");
                heed_json_string(b, cm, strlen(cm));
            }
        }
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, "],\"promises\":[");
    for (size_t i = 0; i < P->n_proms; i++) {
        const heed_pprom *p = &P->proms[i];
        const heed_pm_result *r = &P->pm[i];
        if (i)
            heed__buf_addc(b, ',');
        heed__buf_printf(b, "{\"kind\":\"%s\",\"status\":\"%s\",\"made\":",
                         heed_view_promise_names[p->p.kind], heed_pm_status_name(r->status));
        heed_json_time(b, p->p.made);
        heed__buf_adds(b, ",\"due\":");
        heed_json_time(b, r->due);
        heed__buf_printf(b, ",\"due_is_default\":%s,\"text\":",
                         r->due_is_default ? "true" : "false");
        const char *t = heed_person_str(P, p->text);
        heed_json_string(b, t ? t : "", t ? strlen(t) : 0);
        heed__buf_adds(b, ",\"conversation\":");
        const char *cv = heed_person_str(P, p->conv_ext);
        heed_json_string(b, cv ? cv : "", cv ? strlen(cv) : 0);
        heed__buf_adds(b, ",\"why\":");
        heed_json_string(b, r->sentence, strlen(r->sentence));
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, "]}");
    heed_stress_curve_release(&curve);
}
