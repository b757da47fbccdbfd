/* agentview.c - agent care periods, team and agent weeks and coaching examples
 * read from the store, and their JSON (agentview.h). Derived from the
 * customers' side and workload only; nothing infers an agent's own emotions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentview.h"
#include "jsonout.h"
#include "jtime.h"

int64_t heed_names_id(heed_names *N, const char *s)
{
    for (size_t i = N->n; i-- > 0;)
        if (!strcmp(N->v[i], s))
            return (int64_t)i;
    if (N->n == N->cap) {
        size_t c = N->cap ? N->cap * 2 : 64;
        char **v = realloc(N->v, c * sizeof *v);
        if (!v)
            return -1;
        N->v = v;
        N->cap = c;
    }
    N->v[N->n] = strdup(s);
    return N->v[N->n] ? (int64_t)N->n++ : -1;
}

void heed_names_free(heed_names *N)
{
    for (size_t i = 0; i < N->n; i++)
        free(N->v[i]);
    free(N->v);
    memset(N, 0, sizeof *N);
}

void heed_view_range(int64_t day, long days, long tz, int64_t *from, int64_t *to)
{
    int64_t local = day + tz * 60;
    int64_t d0 = heed__floor_div(local, HEED_DAY_S);
    *to = (d0 + 1) * HEED_DAY_S - tz * 60;
    *from = *to - days * HEED_DAY_S;
}

typedef struct period_set {
    heed_care_convo *c;
    size_t n, cap;
    heed_care_shift *s;
    size_t ns, caps;
} period_set;

static int load_periods(heed_store *st, const char *agent, int64_t from, int64_t to,
                        heed_names *N, period_set *P, heed_error *err)
{
    heed_st_cursor *c = NULL;
    int rc = heed_store_agent_convos(st, agent, from, to, &c, err), r = 0;
    heed_st_agentconv ac;
    while (!rc && (r = heed_st_next_agentconv(c, &ac)) == 1) {
        if (P->n == P->cap) {
            size_t cap = P->cap ? P->cap * 2 : 256;
            heed_care_convo *v = realloc(P->c, cap * sizeof *v);
            if (!v) {
                rc = HEED_ENOMEM;
                break;
            }
            P->c = v;
            P->cap = cap;
        }
        int64_t id = heed_names_id(N, ac.agent);
        if (id < 0) {
            rc = HEED_ENOMEM;
            break;
        }
        P->c[P->n++] = (heed_care_convo){.agent = id,
                                         .conversation = ac.conversation,
                                         .start = ac.start,
                                         .end = ac.end,
                                         .peak_stress = ac.peak_stress};
    }
    if (!rc && r < 0)
        rc = HEED_EIO;
    heed_st_cursor_free(c);
    c = NULL;
    if (!rc)
        rc = heed_store_shifts(st, agent, from, to, &c, err);
    heed_st_shiftrow sr;
    while (!rc && (r = heed_st_next_shift(c, &sr)) == 1) {
        if (P->ns == P->caps) {
            size_t cap = P->caps ? P->caps * 2 : 64;
            heed_care_shift *v = realloc(P->s, cap * sizeof *v);
            if (!v) {
                rc = HEED_ENOMEM;
                break;
            }
            P->s = v;
            P->caps = cap;
        }
        int64_t id = heed_names_id(N, sr.agent);
        if (id < 0) {
            rc = HEED_ENOMEM;
            break;
        }
        P->s[P->ns++] = (heed_care_shift){.agent = id, .start = sr.start, .end = sr.end};
    }
    if (!rc && r < 0)
        rc = HEED_EIO;
    heed_st_cursor_free(c);
    return rc;
}

int heed_view_periods(heed_store *st, const char *agent, int64_t from, int64_t to, long tz,
                      heed_names *N, heed_care_period **out, size_t *n_out, heed_error *err)
{
    period_set P = {0};
    heed_care_opts co = {.tz_offset_min = (int)tz};
    *out = NULL;
    *n_out = 0;
    int rc = load_periods(st, agent, from, to, N, &P, err);
    if (!rc)
        rc = heed_care_periods(P.c, P.n, P.s, P.ns, &co, out, n_out, err);
    free(P.c);
    free(P.s);
    if (rc && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    return rc;
}

void heed_view_period_json(heed_buf *o, const heed_care_period *p, const heed_names *N)
{
    heed__buf_adds(o, "{\"agent\":");
    heed_json_string(o, N->v[p->agent], strlen(N->v[p->agent]));
    heed__buf_printf(o, ",\"period\":\"%s\",\"start\":", p->shift == (size_t)-1 ? "day" : "shift");
    heed_json_time(o, p->start);
    heed__buf_adds(o, ",\"end\":");
    heed_json_time(o, p->end);
    heed__buf_printf(o,
                     ",\"conversations\":%zu,\"high_stress\":%zu,\"distress_sum\":%.1f,"
                     "\"distress_peak\":%.1f,\"longest_streak\":%zu,\"suggestions\":[",
                     p->conversations, p->high, p->stress_sum, p->stress_peak,
                     p->longest_streak);
    for (size_t i = 0; i < p->n_suggestions; i++) {
        if (i)
            heed__buf_addc(o, ',');
        heed_json_string(o, p->suggestion[i], strlen(p->suggestion[i]));
    }
    heed__buf_adds(o, "]}");
}

/* The replies of the period as team weeks' input: each reply's agent is
 * numbered in `agents` and mapped to its team in T. */
typedef struct team_replies {
    heed_names agents, *T;
    int64_t *team_of;
    size_t known; /* agents numbered from the agent table */
    int64_t last; /* the agent of the last reply, -1 none */
    heed_care_reply *rep;
    size_t nr, cap;
} team_replies;

static int team_reply(void *ctx, const char *agent, const heed_st_replyscore *rr)
{
    team_replies *R = ctx;
    if (rr->empathy[0] < 0)
        return HEED_OK;
    /* the rows come agent by agent: look the name up once per agent */
    int64_t a = R->last >= 0 && !strcmp(R->agents.v[R->last], agent)
                    ? R->last
                    : heed_names_id(&R->agents, agent);
    if (a < 0)
        return HEED_ENOMEM;
    R->last = a;
    if ((size_t)a >= R->known) { /* not in the agents table: no team */
        int64_t *v = realloc(R->team_of, R->agents.n * sizeof *v);
        if (!v)
            return HEED_ENOMEM;
        R->team_of = v;
        int64_t t = heed_names_id(R->T, "(no team)");
        if (t < 0)
            return HEED_ENOMEM;
        R->team_of[a] = t;
        R->known = R->agents.n;
    }
    if (R->nr == R->cap) {
        size_t cap = R->cap ? R->cap * 2 : 1024;
        heed_care_reply *v = realloc(R->rep, cap * sizeof *v);
        if (!v)
            return HEED_ENOMEM;
        R->rep = v;
        R->cap = cap;
    }
    heed_care_reply *r = &R->rep[R->nr++];
    *r = (heed_care_reply){.agent = R->team_of[a],
                           .time = rr->time,
                           .compassion = rr->compassion < 0 ? 0 : rr->compassion};
    memcpy(r->empathy, rr->empathy, sizeof r->empathy);
    return HEED_OK;
}

int heed_view_team_weeks(heed_store *st, int64_t from, int64_t to, long tz, heed_names *T,
                         heed_care_week **out, size_t *n_out, heed_error *err)
{
    team_replies R = {.T = T, .last = -1};
    heed_st_cursor *c = NULL;
    int rc = HEED_ENOMEM, r;
    *out = NULL;
    *n_out = 0;
    /* one snapshot for the agents and their replies */
    int rd = heed_store_begin_read(st, err);
    if (rd < 0) {
        rc = rd;
        goto out;
    }
    if ((rc = heed_store_agents(st, NULL, &c, err)) != HEED_OK)
        goto out;
    rc = HEED_ENOMEM;
    heed_st_agentrow ar;
    while ((r = heed_st_next_agent(c, &ar)) == 1) {
        int64_t a = heed_names_id(&R.agents, ar.id),
                t = heed_names_id(T, ar.team ? ar.team : "(no team)");
        if (a < 0 || t < 0)
            goto out;
        int64_t *v = realloc(R.team_of, R.agents.n * sizeof *v);
        if (!v)
            goto out;
        R.team_of = v;
        R.team_of[a] = t;
    }
    heed_st_cursor_free(c);
    c = NULL;
    R.known = R.agents.n;
    if (r < 0) {
        rc = HEED_EIO;
        goto out;
    }
    /* the scores kept per reply (agent_reply), in the order of agent, time
     * and message: the sums of each week add up in the same order as when
     * they were read from the messages; no text is read */
    if ((rc = heed_store_period_reply_scores(st, from, to, team_reply, &R, err)) != HEED_OK)
        goto out;
    rc = heed_care_weeks(R.rep, R.nr, (int)tz, out, n_out, err);
out:
    if (rd == 1) {
        heed_error e2 = {0};
        int c2 = heed_store_commit(st, &e2);
        if (!rc && c2) {
            rc = c2;
            *err = e2;
        }
    }
    if (rc && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s",
                 rc == HEED_EIO ? "reading the store failed" : heed_strerror(rc));
    heed_st_cursor_free(c);
    free(R.rep);
    free(R.team_of);
    heed_names_free(&R.agents);
    return rc;
}

void heed_view_week_json(heed_buf *b, const char *who_field, const char *who,
                         const heed_care_week *w)
{
    heed__buf_printf(b, "{\"%s\":", who_field);
    heed_json_string(b, who, strlen(who));
    heed__buf_printf(b,
                     ",\"week\":\"%d-W%02d\",\"replies\":%zu,\"empathy\":[%.2f,%.2f,"
                     "%.2f],\"compassion\":%.1f}",
                     w->iso_year, w->iso_week, w->replies, w->empathy_mean[0],
                     w->empathy_mean[1], w->empathy_mean[2], w->compassion_mean);
}

/* Keeps the reply r among the max best by key; its text is read once the
 * choice is made (load_texts). */
static void keep_example(heed_view_example *ex, size_t *n, size_t max,
                         const heed_st_replyscore *r, double key)
{
    size_t at = *n;
    if (*n == max) {
        /* replace the weakest */
        size_t w = 0;
        for (size_t i = 1; i < max; i++)
            if (ex[i].key < ex[w].key)
                w = i;
        if (ex[w].key >= key)
            return;
        at = w;
    } else {
        ++*n;
    }
    ex[at] = (heed_view_example){.key = key,
                                 .id = r->id,
                                 .time = r->time,
                                 .stress = r->customer_stress,
                                 .compassion = r->compassion};
    memcpy(ex[at].empathy, r->empathy, sizeof ex[at].empathy);
}

static int load_texts(heed_store *st, heed_view_example *ex, size_t n, heed_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = heed_store_reply_text(st, ex[i].id, &ex[i].text, &ex[i].conv, err);
        if (rc)
            return rc;
        if (!ex[i].text && (!(ex[i].text = strdup("")) || !(ex[i].conv = strdup(""))))
            return HEED_ENOMEM;
    }
    return HEED_OK;
}

static int ex_cmp(const void *a, const void *b)
{
    const heed_view_example *x = a, *y = b;
    return x->key < y->key ? 1 : x->key > y->key ? -1 : (x->time > y->time) - (x->time < y->time);
}

int heed_agent_view_load(heed_store *st, const char *agent, int64_t from, int64_t to, long tz,
                         heed_agent_view *V, heed_error *err)
{
    memset(V, 0, sizeof *V);
    heed_st_cursor *c = NULL;
    heed_care_reply *rep = NULL;
    size_t nr = 0, cap = 0;
    int r, rc = heed_store_agents(st, agent, &c, err);
    heed_st_agentrow ar;
    while (!rc && (r = heed_st_next_agent(c, &ar)) == 1) {
        V->found = 1;
        free(V->name);
        free(V->team);
        V->name = ar.name ? strdup(ar.name) : NULL;
        V->team = ar.team ? strdup(ar.team) : NULL;
    }
    heed_st_cursor_free(c);
    c = NULL;
    if (rc || !V->found)
        return rc;
    /* the scores of every reply, without the text: agent_reply, one index
     * range; the texts of the few examples kept are read at the end */
    if ((rc = heed_store_reply_scores(st, agent, from, to, &c, err)) != HEED_OK)
        goto out;
    heed_st_replyscore rr;
    while ((r = heed_st_next_reply_score(c, &rr)) == 1) {
        if (rr.empathy[0] < 0)
            continue;
        if (nr == cap) {
            cap = cap ? cap * 2 : 256;
            heed_care_reply *v = realloc(rep, cap * sizeof *v);
            if (!v) {
                rc = HEED_ENOMEM;
                goto out;
            }
            rep = v;
        }
        rep[nr] = (heed_care_reply){
            .agent = 0, .time = rr.time, .compassion = rr.compassion < 0 ? 0 : rr.compassion};
        memcpy(rep[nr].empathy, rr.empathy, sizeof rep[nr].empathy);
        nr++;
        /* coaching: the best answers to stressed customers, and the replies
         * where warm words came without action (or neither) */
        int emp = rr.empathy[0] + rr.empathy[1] + rr.empathy[2];
        double s = rr.customer_stress;
        if (s >= 30 && emp >= 2 && rr.compassion >= 60)
            keep_example(V->good, &V->n_good, HEED_VIEW_EXAMPLES, &rr,
                         s + rr.compassion + 10 * emp);
        else if (s >= 30 && rr.compassion < 30)
            keep_example(V->grow, &V->n_grow, HEED_VIEW_EXAMPLES, &rr, s - rr.compassion);
    }
    heed_st_cursor_free(c);
    c = NULL;
    if (r < 0) {
        rc = HEED_EIO;
        snprintf(err->msg, sizeof err->msg, "reading replies failed");
        goto out;
    }
    qsort(V->good, V->n_good, sizeof *V->good, ex_cmp);
    qsort(V->grow, V->n_grow, sizeof *V->grow, ex_cmp);
    if ((rc = load_texts(st, V->good, V->n_good, err)) ||
        (rc = load_texts(st, V->grow, V->n_grow, err)))
        goto out;
    rc = heed_care_weeks(rep, nr, (int)tz, &V->weeks, &V->n_weeks, err);
out:
    if (rc && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    free(rep);
    heed_st_cursor_free(c);
    return rc;
}

void heed_agent_view_release(heed_agent_view *V)
{
    for (size_t i = 0; i < V->n_good; i++)
        free(V->good[i].text), free(V->good[i].conv);
    for (size_t i = 0; i < V->n_grow; i++)
        free(V->grow[i].text), free(V->grow[i].conv);
    heed_care_free(V->weeks);
    free(V->name);
    free(V->team);
    memset(V, 0, sizeof *V);
}

void heed_view_example_json(heed_buf *o, const char *agent, const char *kind,
                            const heed_view_example *e)
{
    heed__buf_adds(o, "{\"agent\":");
    heed_json_string(o, agent, strlen(agent));
    heed__buf_printf(o, ",\"example\":\"%s\",\"conversation\":", kind);
    heed_json_string(o, e->conv, e->conv ? strlen(e->conv) : 0);
    heed__buf_adds(o, ",\"time\":");
    heed_json_time(o, e->time);
    heed__buf_printf(o,
                     ",\"customer_stress\":%.0f,\"empathy\":[%d,%d,%d],\"compassion\":"
                     "%.0f,\"text\":",
                     e->stress, e->empathy[0], e->empathy[1], e->empathy[2], e->compassion);
    heed_json_string(o, e->text, e->text ? strlen(e->text) : 0);
    heed__buf_adds(o, "}");
}
