/* api_store.c - the store-backed read handlers of the HTTP API (routes.c): the
 * act-now queue, journeys, conversations with their analysis, agent care and
 * team trends. Each answers with the objects the matching `heed ... --json`
 * command prints (src/app/ renders both). Roles: docs/api.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentview.h"
#include "context.h"
#include "journeyview.h"
#include "links.h"
#include "resolve.h"
#include "trends.h"
#include "jsonout.h"
#include "server_int.h"
#include "timeparse.h"

/* ------------------------------------------------------------ helpers */

static void fail(heed_srv_req *rq, int status, const char *code, const char *field,
                 const char *msg)
{
    heed_srv_error e;
    heed__buf_reset(&rq->out);
    heed_srv_error_set(&e, status, code, field, "%s", msg);
    heed_srv_reply_error(rq, &e);
}

static void store_fail(heed_srv_req *rq, int rc)
{
    if (rc == HEED_ENOMEM)
        fail(rq, 500, "internal", NULL, "out of memory");
    else
        fail(rq, 503, "unavailable", NULL, "the store cannot be read");
}

/* 0 when every query parameter is one of allowed (NULL-terminated); else a
 * 400 naming the unknown ones. */
int heed_srv_query_check(heed_srv_req *rq, const char *const *allowed)
{
    char bad[160] = "";
    size_t n = 0;
    for (size_t i = 0; i < rq->n_query; i++) {
        int ok = 0;
        for (size_t k = 0; allowed[k]; k++)
            ok |= !strcmp(rq->qname[i], allowed[k]);
        if (!ok) {
            size_t l = strlen(bad);
            snprintf(bad + l, sizeof bad - l, "%s%.40s", n++ ? ", " : "", rq->qname[i]);
        }
    }
    if (!n && !rq->query_overflow)
        return 0;
    char msg[400], list[120] = "";
    for (size_t k = 0; allowed[k]; k++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", k ? ", " : "", allowed[k]);
    }
    if (rq->query_overflow && !n)
        snprintf(msg, sizeof msg, "too many query parameters");
    else
        snprintf(msg, sizeof msg, "unknown query parameter%s %s; the parameters are %s",
                 n > 1 ? "s" : "", bad, list[0] ? list : "none");
    fail(rq, 400, "unknown_parameter", n ? bad : NULL, msg);
    return -1;
}

static const char *qget(const heed_srv_req *rq, const char *name)
{
    for (size_t i = 0; i < rq->n_query; i++)
        if (!strcmp(rq->qname[i], name))
            return rq->qval[i];
    return NULL;
}

/* An integer parameter in [lo, hi]; dflt when absent. 0, or -1 (answered). */
static int qint(heed_srv_req *rq, const char *name, long dflt, long lo, long hi, long *out)
{
    const char *v = qget(rq, name);
    *out = dflt;
    if (!v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        char msg[120];
        snprintf(msg, sizeof msg, "%s wants a whole number from %ld to %ld", name, lo, hi);
        fail(rq, 400, "invalid_value", name, msg);
        return -1;
    }
    *out = n;
    return 0;
}

static int qbool(heed_srv_req *rq, const char *name, int *out)
{
    const char *v = qget(rq, name);
    *out = 0;
    if (!v)
        return 0;
    if (!strcmp(v, "true") || !strcmp(v, "1"))
        *out = 1;
    else if (strcmp(v, "false") && strcmp(v, "0")) {
        fail(rq, 400, "invalid_value", name, "wants true or false");
        return -1;
    }
    return 0;
}

/* A time parameter (ISO 8601 or Unix seconds); *given 0 and the clock when
 * absent. 0, or -1 (answered). */
static int qtime(heed_srv_req *rq, const char *name, int64_t *t, int *given)
{
    const char *v = qget(rq, name);
    int tz;
    *given = v != NULL;
    *t = (int64_t)time(NULL);
    if (v && heed_parse_time(v, strlen(v), t, &tz)) {
        char msg[120];
        snprintf(msg, sizeof msg, "%s wants a time (2026-09-30T18:00:00Z or Unix seconds)",
                 name);
        fail(rq, 400, "invalid_value", name, msg);
        return -1;
    }
    return 0;
}

static int open_store(heed_srv_req *rq, heed_store **st)
{
    heed_error he = {0};
    int rc = heed_srv_store(rq, st, &he);
    if (rc)
        store_fail(rq, rc);
    return rc;
}

/* The person of a reference (CRM id, conversation id or number); 0 and a 404
 * when there is none, -1 after another failure (answered). */
static int64_t person_of(heed_srv_req *rq, heed_store *st, const char *ref)
{
    int64_t person = 0;
    heed_error he = {0};
    if (heed_store_find_person(st, ref, &person, &he) != HEED_OK) {
        store_fail(rq, HEED_EIO);
        return -1;
    }
    if (!person)
        fail(rq, 404, "not_found", NULL,
             "no such customer (a CRM id, conversation id or customer number)");
    return person;
}

/* ------------------------------------------------------------ queue */

int heed_srv_queue_refresh_if_stale(heed_srv_req *rq, heed_store *st, int64_t now, int force)
{
    heed_server *S = rq->srv;
    heed_error he = {0};
    heed_queue_info q;
    pthread_mutex_lock(&S->write_mu);
    int rc = heed_queue_info_get(st, &q, &he);
    char *stale = NULL;
    if (!rc && heed_store_meta_get(st, "queue_stale", &stale, &he) != HEED_OK)
        stale = NULL;
    /* records came in that the identity pass may not have linked yet */
    int is_stale = stale && !strcmp(stale, "1");
    free(stale);
    int full = !rc && (!q.as_of || (force && !heed_queue_is_at(&q, now)));
    if (!rc && (full || is_stale || q.dirty)) {
        /* the identity pass the background thread would run for the latest
         * ingests, first: the queue is refreshed with the new records
         * linked, and the background pass then finds nothing to re-link */
        size_t n = 0;
        int more = 0;
        rc = heed_relink_incremental(st, 0, NULL, &he);
        if (!rc && full) {
            rc = heed_queue_refresh(st, now, &n, &he);
            if (!rc)
                atomic_fetch_add_explicit(&S->metrics.queue_full, 1, memory_order_relaxed);
        } else if (!rc) {
            /* only the customers marked since they were decided (the rest
             * moves with time alone: the periodic pass, queuepass.c) */
            rc = heed_queue_refresh_dirty(st, now, 0, 0, &n, &more, &he);
            if (!rc && n) {
                atomic_fetch_add_explicit(&S->metrics.queue_incremental, 1,
                                          memory_order_relaxed);
                atomic_fetch_add_explicit(&S->metrics.queue_decided_incremental, n,
                                          memory_order_relaxed);
            }
        }
        if (!rc && is_stale)
            rc = heed_store_meta_set(st, "queue_stale", "0", &he);
    }
    pthread_mutex_unlock(&S->write_mu);
    return rc;
}

void heed_srv_h_queue(heed_srv_req *rq)
{
    static const char *const Q[] = {"limit", "offset", "all", "now", NULL};
    long limit, offset;
    int all, given;
    int64_t now;
    heed_store *st;
    if (heed_srv_query_check(rq, Q) || qint(rq, "limit", 20, 1, 500, &limit) ||
        qint(rq, "offset", 0, 0, 1000000, &offset) || qbool(rq, "all", &all) ||
        qtime(rq, "now", &now, &given) || open_store(rq, &st))
        return;
    if (!given)
        now = heed_srv_now(rq->srv);
    int rc = heed_srv_queue_refresh_if_stale(rq, st, now, given);
    if (rc) {
        store_fail(rq, rc);
        return;
    }
    heed_st_cursor *c = NULL;
    heed_error he = {0};
    /* as of the oldest decision: every item is current as of it or later
     * (its own as_of says when); the newest beside it. Read with the rows in
     * one snapshot, so a part of the periodic pass committing meanwhile
     * changes neither. */
    heed_queue_info q;
    int opened = heed_store_begin_read(st, &he);
    if (opened < 0 || (rc = heed_queue_info_get(st, &q, &he)) != HEED_OK ||
        (rc = heed_store_queue(st, (size_t)(offset + limit + 1), all, &c, &he)) != HEED_OK) {
        if (opened == 1)
            heed_store_rollback(st);
        store_fail(rq, opened < 0 ? opened : rc);
        return;
    }
    heed__buf_adds(&rq->out, "{\"as_of\":");
    heed_json_time(&rq->out, heed_queue_info_as_of(&q));
    heed__buf_adds(&rq->out, ",\"as_of_newest\":");
    heed_json_time(&rq->out, q.newest ? q.newest : heed_queue_info_as_of(&q));
    heed__buf_adds(&rq->out, ",\"items\":[");
    heed_st_state s;
    long i = 0, shown = 0;
    int r, more = 0;
    while ((r = heed_st_next_state(c, &s)) == 1) {
        if (i++ < offset)
            continue;
        if (shown == limit) {
            more = 1;
            break;
        }
        if (shown++)
            heed__buf_addc(&rq->out, ',');
        heed_view_queue_item(&rq->out, (int)i, &s);
    }
    heed_st_cursor_free(c);
    if (opened == 1)
        heed_store_rollback(st); /* a read: nothing to keep */
    if (r < 0) {
        store_fail(rq, HEED_EIO);
        return;
    }
    heed__buf_adds(&rq->out, "],\"next_offset\":");
    if (more)
        heed__buf_printf(&rq->out, "%ld", offset + limit);
    else
        heed__buf_adds(&rq->out, "null");
    heed__buf_adds(&rq->out, "}\n");
    rq->status = 200;
}

void heed_srv_h_queue_done(heed_srv_req *rq)
{
    static const char *const Q[] = {NULL};
    heed_store *st;
    heed_srv_error e;
    char *note = NULL;
    if (heed_srv_query_check(rq, Q))
        return;
    if (heed_srv_parse_done(rq->body, rq->body_len, &note, &e)) {
        heed_srv_reply_error(rq, &e);
        return;
    }
    if (open_store(rq, &st))
        goto out;
    int64_t person = person_of(rq, st, rq->params.value[0]);
    if (person <= 0)
        goto out;
    int64_t now = (int64_t)time(NULL);
    heed_error he = {0};
    pthread_mutex_lock(&rq->srv->write_mu);
    int rc = heed_store_mark_handled(st, person, now, note, &he);
    pthread_mutex_unlock(&rq->srv->write_mu);
    if (rc) {
        store_fail(rq, rc);
        goto out;
    }
    heed__buf_printf(&rq->out, "{\"customer\":%lld,\"done_at\":", (long long)person);
    heed_json_time(&rq->out, now);
    heed__buf_adds(&rq->out, "}\n");
    rq->status = 200;
out:
    free(note);
}

/* ------------------------------------------------------------ journey */

void heed_srv_h_journey(heed_srv_req *rq)
{
    static const char *const Q[] = {"now", NULL};
    heed_store *st;
    int64_t now;
    int given;
    if (heed_srv_query_check(rq, Q) || qtime(rq, "now", &now, &given) || open_store(rq, &st))
        return;
    int64_t person = person_of(rq, st, rq->params.value[0]);
    if (person <= 0)
        return;
    heed_person P;
    heed_person_init(&P);
    heed_error he = {0};
    heed_tl_item *tl = NULL;
    size_t n;
    int rc = heed_person_load(st, person, HEED_ST_TEXT, &P, &he);
    if (!rc)
        rc = heed_person_decide(&P, now, &he);
    if (!rc && heed_journey_timeline(&P, now, &tl, &n))
        rc = HEED_ENOMEM;
    if (rc) {
        store_fail(rq, rc);
    } else {
        heed_view_journey_json(&rq->out, &P, tl, n, now);
        heed__buf_addc(&rq->out, '\n');
        rq->status = 200;
    }
    free(tl);
    heed_person_release(&P);
}

/* ------------------------------------------------------------ links */

void heed_srv_h_links(heed_srv_req *rq)
{
    static const char *const Q[] = {NULL};
    heed_store *st;
    if (heed_srv_query_check(rq, Q) || open_store(rq, &st))
        return;
    int64_t person = person_of(rq, st, rq->params.value[0]);
    if (person <= 0)
        return;
    heed_links L;
    heed_error he = {0};
    int rc = heed_links_load(st, person, &L, &he);
    if (!rc)
        rc = heed_view_links_json(&rq->out, st, &L, &he);
    heed_links_release(&L);
    if (rc) {
        store_fail(rq, rc);
        return;
    }
    heed__buf_addc(&rq->out, '\n');
    rq->status = 200;
}

/* ------------------------------------------------------------ conversations */

static void opt_str(heed_buf *b, const char *name, const char *v)
{
    heed__buf_printf(b, ",\"%s\":", name);
    if (v)
        heed_json_string(b, v, strlen(v));
    else
        heed__buf_adds(b, "null");
}

void heed_srv_h_conversation(heed_srv_req *rq)
{
    static const char *const Q[] = {NULL};
    heed_store *st;
    if (heed_srv_query_check(rq, Q) || open_store(rq, &st))
        return;
    const char *id = rq->params.value[0];
    int64_t person = person_of(rq, st, id);
    if (person <= 0)
        return;
    heed_person P;
    heed_person_init(&P);
    heed_error he = {0};
    heed_context *ctx = NULL;
    int rc = heed_person_load(st, person, HEED_ST_TEXT, &P, &he);
    if (rc) {
        store_fail(rq, rc);
        goto out;
    }
    size_t first = (size_t)-1;
    for (size_t i = 0; i < P.n_msgs && first == (size_t)-1; i++) {
        const char *cv = heed_person_str(&P, P.msgs[i].conv_ext);
        if (cv && !strcmp(cv, id))
            first = i;
    }
    if (first == (size_t)-1) {
        fail(rq, 404, "not_found", NULL, "no such conversation");
        goto out;
    }
    ctx = heed_context_new();
    if (!ctx) {
        store_fail(rq, HEED_ENOMEM);
        goto out;
    }
    const heed_pmsg *m0 = &P.msgs[first];
    heed_buf *b = &rq->out;
    heed__buf_adds(b, "{\"conversation\":");
    heed_json_string(b, id, strlen(id));
    heed__buf_printf(b, ",\"customer\":%lld", (long long)person);
    opt_str(b, "channel", heed_person_str(&P, m0->channel));
    opt_str(b, "status", heed_person_str(&P, m0->status));
    heed__buf_adds(b, ",\"messages\":[");
    size_t idl = strlen(id), k = 0;
    for (size_t i = first; i < P.n_msgs; i++) {
        const heed_pmsg *m = &P.msgs[i];
        const char *cv = heed_person_str(&P, m->conv_ext);
        if (!cv || strcmp(cv, id))
            continue;
        const char *text = heed_person_str(&P, m->text);
        size_t tl = text ? strlen(text) : 0;
        /* the reply context as the import built it: the customer's turns since
         * the last reply, from the stored (redacted) text */
        const char *c = NULL;
        size_t cn = 0;
        if (m->role == HEED_ROLE_AGENT)
            heed_context_agent(ctx, id, idl, &c, &cn);
        const heed_analyze_opts ao = {.role = m->role,
                                      .context = cn ? c : NULL,
                                      .context_len = cn,
                                      .has_time = 1,
                                      .time = m->time,
                                      .tz_offset_min = m->tz_min,
                                      .flags = HEED_ANALYZE_REPLACE_INVALID};
        heed_analysis *an = NULL;
        heed_error ae = {0};
        rc = heed_analyze(rq->srv->eng, text ? text : "", tl, &ao, &an, &ae);
        if (m->role != HEED_ROLE_AGENT && text)
            (void)heed_context_customer(ctx, id, idl, text, tl);
        if (k++)
            heed__buf_addc(b, ',');
        heed__buf_adds(b, "{\"id\":");
        const char *ext = heed_person_str(&P, m->ext_id);
        heed_json_string(b, ext ? ext : "", ext ? strlen(ext) : 0);
        heed__buf_printf(b, ",\"role\":\"%s\",\"time\":",
                         m->role == HEED_ROLE_AGENT ? "agent" : "customer");
        heed_json_time(b, m->time);
        opt_str(b, "agent", heed_person_str(&P, m->agent));
        opt_str(b, "text", text ? text : "");
        heed__buf_adds(b, ",\"analysis\":");
        if (rc == HEED_OK) {
            heed__buf_addc(b, '{');
            heed_json_result(b, heed_analysis_result(an), &(heed_json_opts){0});
            heed__buf_addc(b, '}');
        } else
            heed__buf_adds(b, "null");
        heed_analysis_free(an);
        if (rc == HEED_ENOMEM) {
            store_fail(rq, rc);
            goto out;
        }
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, "]}\n");
    rq->status = b->err ? 500 : 200;
out:
    heed_context_free(ctx);
    heed_person_release(&P);
}

/* ------------------------------------------------------------ agents */

/* The team of an agent ("" none); 0, 1 when the agent is unknown, or <0. */
static int agent_info(heed_store *st, const char *agent, char *team, size_t cap, char *name,
                      size_t ncap)
{
    heed_st_cursor *c = NULL;
    heed_error he = {0};
    if (heed_store_agents(st, agent, &c, &he) != HEED_OK)
        return -1;
    heed_st_agentrow ar;
    int r, found = 0;
    team[0] = '\0';
    if (name)
        name[0] = '\0';
    while ((r = heed_st_next_agent(c, &ar)) == 1) {
        found = 1;
        snprintf(team, cap, "%s", ar.team ? ar.team : "");
        if (name)
            snprintf(name, ncap, "%s", ar.name ? ar.name : "");
    }
    heed_st_cursor_free(c);
    return r < 0 ? -1 : !found;
}

/* The period from ?day= and ?days= (default: the day of now and dflt days). */
static int qperiod(heed_srv_req *rq, long dflt, int64_t *from, int64_t *to)
{
    long days;
    int64_t day;
    int given;
    if (qint(rq, "days", dflt, 1, 366, &days) || qtime(rq, "day", &day, &given))
        return -1;
    heed_view_range(day, days, 0, from, to);
    return 0;
}

static void range_json(heed_buf *b, int64_t from, int64_t to)
{
    heed__buf_adds(b, "{\"from\":");
    heed_json_time(b, from);
    heed__buf_adds(b, ",\"to\":");
    heed_json_time(b, to);
}

/* 1 when a lead's key may see this agent (same team); admins see all. */
static int lead_sees(heed_srv_req *rq, heed_store *st, const char *agent)
{
    if (rq->who.role != HEED_SRV_ROLE_LEAD)
        return 1;
    char team[64];
    return agent_info(st, agent, team, sizeof team, NULL, 0) == 0 && rq->who.team[0] &&
           !strcmp(team, rq->who.team);
}

void heed_srv_h_agents(heed_srv_req *rq)
{
    static const char *const Q[] = {"day", "days", "limit", "offset", NULL};
    heed_store *st;
    int64_t from, to;
    long limit, offset;
    if (heed_srv_query_check(rq, Q) || qperiod(rq, 1, &from, &to) ||
        qint(rq, "limit", 100, 1, 1000, &limit) || qint(rq, "offset", 0, 0, 1000000, &offset) ||
        open_store(rq, &st))
        return;
    heed_names N = {0};
    heed_care_period *p = NULL;
    size_t n = 0;
    heed_error he = {0};
    int rc = heed_view_periods(st, NULL, from, to, 0, &N, &p, &n, &he);
    if (rc) {
        store_fail(rq, rc);
        goto out;
    }
    range_json(&rq->out, from, to);
    heed__buf_adds(&rq->out, ",\"periods\":[");
    long seen = 0, shown = 0;
    int more = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lead_sees(rq, st, N.v[p[i].agent]))
            continue;
        if (seen++ < offset)
            continue;
        if (shown == limit) {
            more = 1;
            break;
        }
        if (shown++)
            heed__buf_addc(&rq->out, ',');
        heed_view_period_json(&rq->out, &p[i], &N);
    }
    heed__buf_adds(&rq->out, "],\"next_offset\":");
    if (more)
        heed__buf_printf(&rq->out, "%ld", offset + limit);
    else
        heed__buf_adds(&rq->out, "null");
    heed__buf_adds(&rq->out, "}\n");
    rq->status = 200;
out:
    heed_care_free(p);
    heed_names_free(&N);
}

void heed_srv_h_agent(heed_srv_req *rq)
{
    static const char *const Q[] = {"day", "days", NULL};
    const char *id = rq->params.value[0];
    heed_store *st;
    int64_t from, to;
    if (rq->who.role == HEED_SRV_ROLE_AGENT && strcmp(rq->who.agent, id)) {
        fail(rq, 403, "forbidden", NULL, "an agent's key reads only that agent's own stats");
        return;
    }
    if (heed_srv_query_check(rq, Q) || qperiod(rq, 28, &from, &to) || open_store(rq, &st))
        return;
    if (!lead_sees(rq, st, id)) {
        fail(rq, 403, "forbidden", NULL, "a lead's key reads only the agents of its team");
        return;
    }
    heed_agent_view V;
    heed_error he = {0};
    heed_names N = {0};
    heed_care_period *p = NULL;
    size_t n = 0;
    int rc = heed_agent_view_load(st, id, from, to, 0, &V, &he);
    if (!rc && V.found)
        rc = heed_view_periods(st, id, from, to, 0, &N, &p, &n, &he);
    if (rc) {
        store_fail(rq, rc);
        goto out;
    }
    if (!V.found) {
        fail(rq, 404, "not_found", NULL, "no such agent");
        goto out;
    }
    heed_buf *b = &rq->out;
    heed__buf_adds(b, "{\"agent\":{\"id\":");
    heed_json_string(b, id, strlen(id));
    opt_str(b, "name", V.name);
    opt_str(b, "team", V.team);
    heed__buf_adds(b, "},\"from\":");
    heed_json_time(b, from);
    heed__buf_adds(b, ",\"to\":");
    heed_json_time(b, to);
    heed__buf_adds(b, ",\"periods\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            heed__buf_addc(b, ',');
        heed_view_period_json(b, &p[i], &N);
    }
    heed__buf_adds(b, "],\"weeks\":[");
    for (size_t i = 0; i < V.n_weeks; i++) {
        if (i)
            heed__buf_addc(b, ',');
        heed_view_week_json(b, "agent", id, &V.weeks[i]);
    }
    heed__buf_adds(b, "],\"examples\":[");
    for (size_t i = 0; i < V.n_good + V.n_grow; i++) {
        if (i)
            heed__buf_addc(b, ',');
        if (i < V.n_good)
            heed_view_example_json(b, id, "worked", &V.good[i]);
        else
            heed_view_example_json(b, id, "to_work_on", &V.grow[i - V.n_good]);
    }
    heed__buf_adds(b, "]}\n");
    rq->status = 200;
out:
    heed_care_free(p);
    heed_names_free(&N);
    heed_agent_view_release(&V);
}

void heed_srv_h_team_trends(heed_srv_req *rq)
{
    static const char *const Q[] = {"day", "days", NULL};
    heed_store *st;
    int64_t from, to;
    if (heed_srv_query_check(rq, Q) || qperiod(rq, 28, &from, &to) || open_store(rq, &st))
        return;
    heed_names T = {0};
    heed_care_week *w = NULL;
    size_t n = 0;
    heed_error he = {0};
    int rc = heed_view_team_weeks(st, from, to, 0, &T, &w, &n, &he);
    if (rc) {
        store_fail(rq, rc);
        goto out;
    }
    range_json(&rq->out, from, to);
    heed__buf_adds(&rq->out, ",\"weeks\":[");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *team = T.v[w[i].agent];
        if (rq->who.role == HEED_SRV_ROLE_LEAD && strcmp(team, rq->who.team))
            continue;
        if (k++)
            heed__buf_addc(&rq->out, ',');
        heed_view_week_json(&rq->out, "team", team, &w[i]);
    }
    heed__buf_adds(&rq->out, "]}\n");
    rq->status = 200;
out:
    heed_care_free(w);
    heed_names_free(&T);
}

/* ------------------------------------------------------------ trends */

void heed_srv_h_trends(heed_srv_req *rq)
{
    static const char *const Q[] = {"day", "days", "by", "now", NULL};
    heed_store *st;
    int64_t from, to, now, day;
    long days;
    int given, day_given;
    /* as `heed trends`: the period ends with the day of now unless day says */
    if (heed_srv_query_check(rq, Q) || qtime(rq, "now", &now, &given) ||
        qint(rq, "days", 28, 1, 366, &days) || qtime(rq, "day", &day, &day_given))
        return;
    heed_view_range(day_given ? day : now, days, 0, &from, &to);
    const char *bs = qget(rq, "by");
    int by = bs ? heed_trends_by(bs) : HEED_TRENDS_WEEK;
    if (by < 0) {
        fail(rq, 400, "invalid_value", "by", "by wants week, channel or need");
        return;
    }
    if (open_store(rq, &st))
        return;
    heed_trend_row *rows = NULL;
    size_t n = 0;
    heed_error he = {0};
    int rc = heed_trends_load(st, from, to, now, by, &rows, &n, &he);
    if (rc) {
        store_fail(rq, rc);
        return;
    }
    heed_view_trends_json(&rq->out, from, to, by, rows, n);
    heed__buf_addc(&rq->out, '\n');
    free(rows);
    rq->status = rq->out.err ? 500 : 200;
}
