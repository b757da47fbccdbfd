/* person.c - one customer's rows from the store, and what heed decides on
 * them: each promise kept, kept late, broken or pending against the events of
 * other systems (heed_pm_check), the act-now state and score with reasons
 * (heed_queue_*). The queue refresh walks every person with five cursors in
 * step, so memory holds one person at a time whatever the store's size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "person.h"
#include "timeparse.h"

const char *heed_person_str(const heed_person *P, size_t off)
{
    return off == (size_t)-1 ? NULL : P->pool.ptr + off;
}

static size_t keep(heed_person *P, const char *s)
{
    if (!s)
        return (size_t)-1;
    size_t off = P->pool.len;
    heed__buf_add(&P->pool, s, strlen(s) + 1);
    return off;
}

void heed_person_init(heed_person *P)
{
    memset(P, 0, sizeof *P);
    heed__buf_init(&P->pool, 0);
}

void heed_person_clear(heed_person *P)
{
    P->n_msgs = P->n_proms = P->n_events = P->n_surveys = 0;
    P->person = 0;
    P->vulnerable = 0;
    P->crm = P->name = (size_t)-1;
    heed__buf_reset(&P->pool);
    free(P->pm);
    P->pm = NULL;
    free(P->pm_all);
    P->pm_all = NULL;
    P->broken = P->pending = P->kept = 0;
    P->last_activity = 0;
    memset(&P->qs, 0, sizeof P->qs);
    memset(&P->score, 0, sizeof P->score);
}

void heed_person_release(heed_person *P)
{
    free(P->msgs);
    free(P->proms);
    free(P->events);
    free(P->surveys);
    free(P->pm);
    free(P->pm_all);
    heed__buf_release(&P->pool);
    memset(P, 0, sizeof *P);
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static int closed_status(const char *s)
{
    return s && (!strcasecmp(s, "solved") || !strcasecmp(s, "closed") ||
                 !strcasecmp(s, "resolved"));
}

static int add_msg(heed_person *P, const heed_st_msgrow *r)
{
    if (grow((void **)&P->msgs, &P->cap_msgs, P->n_msgs, sizeof *P->msgs))
        return HEED_ENOMEM;
    heed_pmsg *m = &P->msgs[P->n_msgs++];
    memset(m, 0, sizeof *m);
    m->id = r->id;
    m->conversation = r->conversation;
    m->time = r->time;
    m->role = r->role;
    m->tz_min = r->tz_min;
    m->need = r->need;
    m->emotion = r->emotion;
    m->n_asks = r->n_asks;
    m->addressed = r->addressed;
    m->n_jargon = r->n_jargon;
    memcpy(m->empathy, r->empathy, sizeof m->empathy);
    m->stress = r->stress;
    memcpy(m->stress_c, r->stress_c, sizeof m->stress_c);
    m->valence = r->valence;
    m->compassion = r->compassion;
    m->comp_signals = r->comp_signals;
    m->is_phone = r->channel && !strcmp(r->channel, "phone");
    m->open = !closed_status(r->status);
    m->ext_id = keep(P, r->ext_id);
    m->conv_ext = keep(P, r->conv_ext);
    m->agent = keep(P, r->agent);
    m->channel = keep(P, r->channel);
    m->status = keep(P, r->status);
    m->text = keep(P, r->text);
    return P->pool.err ? HEED_ENOMEM : HEED_OK;
}

static int add_prom(heed_person *P, const heed_st_promrow *r)
{
    if (grow((void **)&P->proms, &P->cap_proms, P->n_proms, sizeof *P->proms))
        return HEED_ENOMEM;
    heed_pprom *p = &P->proms[P->n_proms++];
    memset(p, 0, sizeof *p);
    p->id = r->id;
    p->conversation = r->conversation;
    p->p = (heed_pm_promise){.customer = r->person,
                             .kind = r->kind,
                             .made = r->made,
                             .has_due = r->has_due,
                             .due = r->due};
    p->text = keep(P, r->text);
    p->object = keep(P, r->object);
    p->agent = keep(P, r->agent);
    p->conv_ext = keep(P, r->conv_ext);
    p->msg_ext = keep(P, r->msg_ext);
    return P->pool.err ? HEED_ENOMEM : HEED_OK;
}

static int add_event(heed_person *P, const heed_st_eventrow *r)
{
    int type = r->type ? heed_event_type_parse(r->type, strlen(r->type)) : -1;
    if (type < 0)
        return HEED_OK; /* the importer only stores known types */
    if (grow((void **)&P->events, &P->cap_events, P->n_events, sizeof *P->events))
        return HEED_ENOMEM;
    heed_pevent *e = &P->events[P->n_events++];
    memset(e, 0, sizeof *e);
    e->id = r->id;
    e->time = r->time;
    e->type = type;
    e->has_amount = r->has_amount;
    e->amount = r->amount;
    e->ext_id = keep(P, r->ext_id);
    e->order = keep(P, r->order);
    e->currency = keep(P, r->currency);
    e->agent = keep(P, r->agent);
    e->detail = keep(P, r->detail);
    return P->pool.err ? HEED_ENOMEM : HEED_OK;
}

static int add_survey(heed_person *P, const heed_st_surveyrow *r)
{
    if (grow((void **)&P->surveys, &P->cap_surveys, P->n_surveys, sizeof *P->surveys))
        return HEED_ENOMEM;
    heed_psurvey *v = &P->surveys[P->n_surveys++];
    memset(v, 0, sizeof *v);
    v->time = r->time;
    v->kind = !r->kind                   ? HEED_SURVEY_NONE
              : !strcmp(r->kind, "csat") ? HEED_SURVEY_CSAT
              : !strcmp(r->kind, "nps")  ? HEED_SURVEY_NPS
              : !strcmp(r->kind, "ces")  ? HEED_SURVEY_CES
                                         : HEED_SURVEY_NONE;
    v->score = r->score;
    v->ext_id = keep(P, r->ext_id);
    v->comment = keep(P, r->comment);
    return P->pool.err ? HEED_ENOMEM : HEED_OK;
}

static void set_info(heed_person *P, const heed_st_personrow *r)
{
    P->person = r->person;
    P->vulnerable = r->vulnerable;
    P->crm = keep(P, r->crm);
    P->name = keep(P, r->name);
}

int heed_person_load(heed_store *st, int64_t person, unsigned flags, heed_person *P,
                     heed_error *err)
{
    heed_person_clear(P);
    P->person = person;
    heed_st_cursor *c = NULL;
    int rc = heed_store_persons(st, person, &c, err), r = 0;
    heed_st_personrow pr;
    while (!rc && (r = heed_st_next_person(c, &pr)) == 1)
        set_info(P, &pr);
    heed_st_cursor_free(c);
    if (!rc && r < 0)
        rc = r;
    if (!rc)
        rc = heed_store_messages(st, person, flags, &c, err);
    heed_st_msgrow mr;
    while (!rc && (r = heed_st_next_message(c, &mr)) == 1)
        rc = add_msg(P, &mr);
    heed_st_cursor_free(c);
    c = NULL;
    if (!rc && r < 0)
        rc = r;
    if (!rc)
        rc = heed_store_promises(st, person, &c, err);
    heed_st_promrow prr;
    while (!rc && (r = heed_st_next_promise(c, &prr)) == 1)
        rc = add_prom(P, &prr);
    heed_st_cursor_free(c);
    c = NULL;
    if (!rc && r < 0)
        rc = r;
    if (!rc)
        rc = heed_store_events(st, person, &c, err);
    heed_st_eventrow er;
    while (!rc && (r = heed_st_next_event(c, &er)) == 1)
        rc = add_event(P, &er);
    heed_st_cursor_free(c);
    c = NULL;
    if (!rc && r < 0)
        rc = r;
    if (!rc)
        rc = heed_store_surveys(st, person, &c, err);
    heed_st_surveyrow sr;
    while (!rc && (r = heed_st_next_survey(c, &sr)) == 1)
        rc = add_survey(P, &sr);
    heed_st_cursor_free(c);
    if (!rc && r < 0)
        rc = r;
    if (rc == HEED_EIO && err && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "store: reading customer %lld failed",
                 (long long)person);
    return rc;
}

/* ------------------------------------------------------------ decisions */

int heed_person_decide(heed_person *P, int64_t now, heed_error *err)
{
    size_t nm = P->n_msgs;
    heed_queue_msg *qm = malloc((nm ? nm : 1) * sizeof *qm);
    heed_pm_agent_msg *am = malloc((nm ? nm : 1) * sizeof *am);
    heed_pm_event *ev = malloc((P->n_events ? P->n_events : 1) * sizeof *ev);
    heed_pm_promise *pp = malloc((P->n_proms ? P->n_proms : 1) * sizeof *pp);
    free(P->pm);
    P->pm = calloc(P->n_proms ? P->n_proms : 1, sizeof *P->pm);
    int rc = HEED_ENOMEM;
    if (!qm || !am || !ev || !pp || !P->pm)
        goto out;
    size_t na = 0;
    int open_needs = 0, effort = 0;
    uint32_t needs_seen = 0;
    P->last_activity = 0;
    for (size_t i = 0; i < nm; i++) {
        const heed_pmsg *m = &P->msgs[i];
        int agent = m->role == HEED_ROLE_AGENT;
        qm[i] = (heed_queue_msg){.time = m->time,
                                 .is_agent = agent,
                                 .conversation = m->conversation,
                                 .stress = agent ? 0 : m->stress,
                                 .vulnerability = agent ? 0 : m->stress_c[HEED_STRESS_VULNERABILITY],
                                 .escalation = agent ? 0 : m->stress_c[HEED_STRESS_ESCALATION]};
        if (agent) {
            am[na++] = (heed_pm_agent_msg){.id = heed_person_str(P, m->ext_id),
                                           .customer = P->person,
                                           .time = m->time,
                                           .is_phone = m->is_phone};
            continue;
        }
        if (m->time <= now && m->time > P->last_activity)
            P->last_activity = m->time;
        /* an open conversation's needs are open; praise and "other" are not
         * needs to act on */
        if (m->open && m->need >= 0 && m->need != HEED_NEED_PRAISE && m->need != HEED_NEED_OTHER &&
            m->time <= now && !(needs_seen & (1u << m->need))) {
            needs_seen |= 1u << m->need;
            open_needs++;
        }
        if (m->time <= now && now - m->time <= 30 * 86400 && m->stress_c[HEED_STRESS_EFFORT] >= 50)
            effort++;
    }
    for (size_t i = 0; i < P->n_events; i++) {
        const heed_pevent *e = &P->events[i];
        ev[i] = (heed_pm_event){.id = heed_person_str(P, e->ext_id),
                                .customer = P->person,
                                .type = e->type,
                                .time = e->time,
                                .order = heed_person_str(P, e->order),
                                .order_len = e->order == (size_t)-1 ? 0 : strlen(heed_person_str(P, e->order))};
        if (e->time <= now && e->time > P->last_activity)
            P->last_activity = e->time;
    }
    for (size_t i = 0; i < P->n_proms; i++) {
        pp[i] = P->proms[i].p;
        pp[i].id = heed_person_str(P, P->proms[i].msg_ext);
        pp[i].customer = P->person;
    }
    rc = heed_pm_check(pp, P->n_proms, ev, P->n_events, am, na, now, NULL, P->pm, err);
    if (rc)
        goto out;
    if (P->decide_all) {
        /* as of the latest event or reply: every one of them counts */
        int64_t all = 0;
        for (size_t i = 0; i < P->n_events; i++)
            all = ev[i].time > all ? ev[i].time : all;
        for (size_t i = 0; i < na; i++)
            all = am[i].time > all ? am[i].time : all;
        free(P->pm_all);
        P->pm_all = calloc(P->n_proms ? P->n_proms : 1, sizeof *P->pm_all);
        if (!P->pm_all) {
            rc = HEED_ENOMEM;
            goto out;
        }
        rc = heed_pm_check(pp, P->n_proms, ev, P->n_events, am, na, all, NULL, P->pm_all, err);
        if (rc)
            goto out;
    }
    heed_queue_state *qs = &P->qs;
    memset(qs, 0, sizeof *qs);
    qs->customer = P->person;
    qs->overdue_kind = -1;
    rc = heed_queue_state_fill(qm, nm, now, 0, qs);
    if (rc)
        goto out;
    P->broken = P->pending = P->kept = 0;
    for (size_t i = 0; i < P->n_proms; i++) {
        const heed_pm_result *r = &P->pm[i];
        if (pp[i].made > now)
            continue;
        if (r->status == HEED_PM_BROKEN) {
            P->broken++;
            if (r->late_s > qs->overdue_s || qs->overdue_kind < 0) {
                qs->overdue_s = r->late_s;
                qs->overdue_kind = pp[i].kind;
            }
        } else if (r->status == HEED_PM_PENDING) {
            P->pending++;
        } else {
            P->kept++;
        }
    }
    qs->broken_promises = P->broken;
    qs->vulnerable = P->vulnerable;
    qs->open_needs = open_needs;
    for (size_t i = 0; i < P->n_surveys; i++) {
        const heed_psurvey *v = &P->surveys[i];
        if (v->time > now)
            continue;
        if (v->time > P->last_activity)
            P->last_activity = v->time;
        qs->last_survey = v->kind;
        qs->last_survey_score = (int)v->score;
        if (v->kind == HEED_SURVEY_CES && v->score >= 5 && now - v->time <= 30 * 86400)
            effort++;
    }
    qs->effort = effort;
    heed_queue_score_state(qs, now, &P->score);
    rc = HEED_OK;
out:
    free(qm);
    free(am);
    free(ev);
    free(pp);
    if (rc == HEED_ENOMEM && err)
        snprintf(err->msg, sizeof err->msg, "out of memory");
    return rc;
}

/* ------------------------------------------------------------ the queue refresh */

typedef struct stepper {
    heed_st_cursor *msgs, *proms, *events, *surveys;
    heed_st_msgrow m;
    heed_st_promrow p;
    heed_st_eventrow e;
    heed_st_surveyrow s;
    int hm, hp, he, hs; /* 1: the row above is pending, 0: done, < 0: error */
} stepper;

static int reasons_text(const heed_person *P, heed_buf *b)
{
    heed__buf_reset(b);
    for (size_t i = 0; i < P->score.n_reasons; i++) {
        if (i)
            heed__buf_addc(b, '\n');
        heed__buf_adds(b, P->score.reason[i].text);
    }
    heed__buf_addc(b, '\0');
    return b->err ? -1 : 0;
}

int heed_person_walk(heed_store *st, int64_t which, unsigned flags, heed_person_fn fn, void *ctx,
                     heed_error *err)
{
    const int promises_only = (flags & HEED_WALK_PROMISES) != 0;
    stepper S = {0};
    heed_st_cursor *pc = NULL;
    heed_person P;
    heed_person_init(&P);
    int rc = heed_store_persons(st, which, &pc, err);
    if (!rc)
        rc = heed_store_messages(st, which, promises_only ? HEED_ST_AGENT_ONLY : 0, &S.msgs, err);
    if (!rc)
        rc = heed_store_promises(st, which, &S.proms, err);
    if (!rc)
        rc = heed_store_events(st, which, &S.events, err);
    if (!rc && !promises_only)
        rc = heed_store_surveys(st, which, &S.surveys, err);
    if (rc)
        goto out;
    S.hm = heed_st_next_message(S.msgs, &S.m);
    S.hp = heed_st_next_promise(S.proms, &S.p);
    S.he = heed_st_next_event(S.events, &S.e);
    S.hs = S.surveys ? heed_st_next_survey(S.surveys, &S.s) : 0;
    heed_st_personrow pr;
    int r;
    while ((r = heed_st_next_person(pc, &pr)) == 1) {
        heed_person_clear(&P);
        set_info(&P, &pr);
        int64_t id = pr.person;
        /* every cursor is ordered by person: skip rows of persons the person
         * cursor does not list (none expected), take this person's */
        while (S.hm == 1 && S.m.person <= id) {
            if (S.m.person == id && (rc = add_msg(&P, &S.m)))
                goto out;
            S.hm = heed_st_next_message(S.msgs, &S.m);
        }
        while (S.hp == 1 && S.p.person <= id) {
            if (S.p.person == id && (rc = add_prom(&P, &S.p)))
                goto out;
            S.hp = heed_st_next_promise(S.proms, &S.p);
        }
        while (S.he == 1 && S.e.person <= id) {
            if (S.e.person == id && (rc = add_event(&P, &S.e)))
                goto out;
            S.he = heed_st_next_event(S.events, &S.e);
        }
        while (S.hs == 1 && S.s.person <= id) {
            if (S.s.person == id && (rc = add_survey(&P, &S.s)))
                goto out;
            S.hs = S.surveys ? heed_st_next_survey(S.surveys, &S.s) : 0;
        }
        if (S.hm < 0 || S.hp < 0 || S.he < 0 || S.hs < 0) {
            rc = HEED_EIO;
            goto out;
        }
        if ((rc = fn(ctx, &P, err)))
            goto out;
    }
    if (r < 0)
        rc = HEED_EIO;
out:
    if (rc && err && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s",
                 rc == HEED_EIO ? "store: reading failed" : heed_strerror(rc));
    heed_st_cursor_free(pc);
    heed_st_cursor_free(S.msgs);
    heed_st_cursor_free(S.proms);
    heed_st_cursor_free(S.events);
    heed_st_cursor_free(S.surveys);
    heed_person_release(&P);
    return rc;
}

typedef struct refresh {
    heed_store *st;
    int64_t now;
    size_t n;
    heed_buf reasons;
} refresh;

static int refresh_one(void *ctx, heed_person *P, heed_error *err)
{
    refresh *R = ctx;
    P->decide_all = 1;
    int rc = heed_person_decide(P, R->now, err);
    if (rc)
        return rc;
    if (reasons_text(P, &R->reasons))
        return HEED_ENOMEM;
    heed_st_state s = {.person = P->person,
                       .score = P->score.score,
                       .stress_now = P->qs.stress_now,
                       .waiting_since = P->qs.waiting_since,
                       .broken = P->broken,
                       .pending = P->pending,
                       .kept = P->kept,
                       .vulnerable = P->vulnerable,
                       .reasons = R->reasons.ptr,
                       .as_of = R->now,
                       .last_activity = P->last_activity};
    if ((rc = heed_store_state_put(R->st, &s, err)))
        return rc;
    /* what trends reads instead of deciding every customer again, as of
     * any time while nothing new comes in */
    for (size_t i = 0; i < P->n_proms; i++) {
        const heed_pm_result *a = &P->pm_all[i];
        heed_st_promise_state ps = {.promise = P->proms[i].id,
                                    .due = a->due,
                                    .has_kept = a->evidence != HEED_PM_EVIDENCE_NONE,
                                    .kept = a->evidence_time};
        if ((rc = heed_store_promise_state_put(R->st, &ps, err)))
            return rc;
    }
    R->n++;
    return HEED_OK;
}

int heed_queue_info_get(heed_store *st, heed_queue_info *q, heed_error *err)
{
    memset(q, 0, sizeof *q);
    char *v = NULL;
    int rc = heed_store_meta_get(st, "queue_as_of", &v, err);
    if (rc)
        return rc;
    if (v && *v)
        q->as_of = strtoll(v, NULL, 10);
    free(v);
    return heed_store_queue_span(st, &q->oldest, &q->newest, &q->dirty, err);
}

int heed_queue_is_at(const heed_queue_info *q, int64_t t)
{
    return q->as_of && q->as_of == t && (!q->oldest || (q->oldest == t && q->newest == t));
}

int64_t heed_queue_info_as_of(const heed_queue_info *q)
{
    return q->oldest ? q->oldest : q->as_of;
}

/* Ends a refresh's transaction: commit, or roll back on failure. */
static int refresh_end(heed_store *st, int rc, heed_error *err)
{
    if (!rc)
        rc = heed_store_commit(st, err);
    if (rc) {
        heed_store_rollback(st);
        if (err && !err->msg[0])
            snprintf(err->msg, sizeof err->msg, "%s",
                     rc == HEED_EIO ? "store: reading failed" : heed_strerror(rc));
    }
    return rc;
}

int heed_queue_refresh(heed_store *st, int64_t now, size_t *n_out, heed_error *err)
{
    return heed_queue_refresh_parts(st, now, HEED_QUEUE_WALK_PERSONS, n_out, err);
}

int heed_queue_refresh_parts(heed_store *st, int64_t now, size_t per_part, size_t *n_out,
                             heed_error *err)
{
    if (!per_part)
        per_part = HEED_QUEUE_WALK_PERSONS;
    *n_out = 0;
    refresh R = {.st = st, .now = now};
    heed__buf_init(&R.reasons, 0);
    int rc = heed_store_begin(st, err);
    if (rc)
        goto out;
    rc = heed_store_state_clear(st, err);
    /* per_part persons at a time: one walk over every person sorts all the
     * store's messages at once, in memory that grows with the store (119 MB
     * for 272k messages); a part's reads sort only its persons' rows */
    for (int64_t after = 0; !rc;) {
        size_t n = 0;
        int64_t last = 0;
        rc = heed_store_range_set(st, after, per_part, &n, &last, err);
        if (!rc && n)
            rc = heed_person_walk(st, HEED_ST_PERSON_SET, 0, refresh_one, &R, err);
        if (rc || n < per_part)
            break;
        after = last;
    }
    if (!rc) {
        char t[32];
        snprintf(t, sizeof t, "%lld", (long long)now);
        rc = heed_store_meta_set(st, "queue_as_of", t, err);
    }
    rc = refresh_end(st, rc, err);
out:
    *n_out = rc ? 0 : R.n;
    heed__buf_release(&R.reasons);
    return rc;
}

int heed_queue_refresh_dirty(heed_store *st, int64_t now, int with_due, size_t max,
                             size_t *n_out, int *more, heed_error *err)
{
    *n_out = 0;
    *more = 0;
    refresh R = {.st = st, .now = now};
    heed__buf_init(&R.reasons, 0);
    size_t n = 0;
    int rc = heed_store_begin(st, err);
    if (rc)
        goto out;
    /* read and written in one transaction: a write committed before it is
     * in what is decided, one after it marks the person again */
    rc = heed_store_dirty_set(st, now, with_due, max, &n, err);
    if (!rc && n)
        rc = heed_store_state_drop(st, 0, 0, err);
    if (!rc && n)
        rc = heed_person_walk(st, HEED_ST_PERSON_SET, 0, refresh_one, &R, err);
    /* promises a relink took from a person and left with nobody */
    if (!rc && n)
        rc = heed_store_promise_state_prune(st, err);
    rc = refresh_end(st, rc, err);
out:
    *n_out = rc ? 0 : R.n;
    *more = !rc && max && n == max;
    heed__buf_release(&R.reasons);
    return rc;
}

int heed_queue_refresh_chunk(heed_store *st, int64_t now, int64_t *after, size_t max,
                             size_t *n_out, int *done, heed_error *err)
{
    *n_out = 0;
    *done = 0;
    refresh R = {.st = st, .now = now};
    heed__buf_init(&R.reasons, 0);
    size_t n = 0;
    int64_t last = 0;
    int rc = heed_store_begin(st, err);
    if (rc)
        goto out;
    rc = heed_store_range_set(st, *after, max ? max : 1, &n, &last, err);
    int final = !rc && n < (max ? max : 1);
    /* the range's state rows go, those of persons gone too; the last chunk
     * takes every row after its start */
    if (!rc)
        rc = heed_store_state_drop(st, *after, final ? INT64_MAX : last, err);
    if (!rc && n)
        rc = heed_person_walk(st, HEED_ST_PERSON_SET, 0, refresh_one, &R, err);
    if (!rc && final)
        rc = heed_store_promise_state_prune(st, err);
    rc = refresh_end(st, rc, err);
    if (!rc) {
        *done = final;
        if (n)
            *after = last;
    }
out:
    *n_out = rc ? 0 : R.n;
    heed__buf_release(&R.reasons);
    return rc;
}
