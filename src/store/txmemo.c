/* txmemo.c - what a store handle knows of its own write transaction
 * (txmemo.h): the agents' stored ids, the conversation it created last, and
 * the two rules records.c reads from a conversation's customer messages (the
 * stress a reply answered, the top need), the same whether the messages come
 * from SQL or from the memo. */
#include "txmemo.h"

#include <math.h>
#include <string.h>

#include "hash.h"

void heed__cstress_add(heed_cstress *cs, int64_t time, int64_t id, int has_stress, double stress)
{
    if (!cs->any || time > cs->time || (time == cs->time && id > cs->id)) {
        cs->any = 1;
        cs->time = time;
        cs->id = id;
        cs->has_answered = has_stress;
        cs->answered = has_stress ? stress : 0;
    }
    if (has_stress && (!cs->has_peak || stress > cs->peak)) {
        cs->has_peak = 1;
        cs->peak = stress;
    }
}

void heed__need_tally_add(heed_need_tally *nd, int64_t need, int64_t time, int64_t id)
{
    size_t i = 0;
    while (i < nd->n && nd->g[i].need != need)
        i++;
    if (i == nd->n) {
        if (nd->n == HEED_NEED_TALLY_MAX) {
            nd->over = 1;
            return;
        }
        nd->g[nd->n++] = (heed_need_group){need, 0, time, id};
    }
    nd->g[i].count++;
    if (time < nd->g[i].time)
        nd->g[i].time = time;
    if (id < nd->g[i].id)
        nd->g[i].id = id;
}

int heed__need_tally_top(const heed_need_tally *nd, int64_t *need)
{
    if (nd->over || !nd->n)
        return 0;
    size_t best = 0;
    for (size_t i = 1; i < nd->n; i++) {
        const heed_need_group *a = &nd->g[i], *b = &nd->g[best];
        if (a->count > b->count ||
            (a->count == b->count && (a->time < b->time || (a->time == b->time && a->id < b->id))))
            best = i;
    }
    *need = nd->g[best].need;
    return 1;
}

void heed__txmemo_clear(heed_txmemo *mm)
{
    mm->conv.id = 0;
    mm->gen++; /* every agent entry, at once (a clear comes per person set) */
}

static size_t agent_slot(const char *id)
{
    return (size_t)(heed__hash(id, strlen(id)) % HEED_TXMEMO_AGENTS);
}

/* An id lives in one of the HEED_TXMEMO_PROBE slots from its hash on, the
 * first free one when it was put (a full run: the first, overwritten); the
 * slots of a generation are only filled, so a free one ends the search. A
 * batch's few hundred agents then stay known: one slot per hash, of 256,
 * lost many of them to collisions, each loss a lookup per reply. */
const char *heed__txmemo_agent(heed_txmemo *mm, const char *id, int *exists)
{
    if (!mm->in_txn)
        return NULL;
    size_t h = agent_slot(id);
    for (size_t k = 0; k < HEED_TXMEMO_PROBE; k++) {
        const heed_txagent *a = &mm->agent[(h + k) % HEED_TXMEMO_AGENTS];
        if (a->gen != mm->gen)
            return NULL;
        if (!strcmp(a->id, id)) {
            *exists = a->exists;
            return a->canon;
        }
    }
    return NULL;
}

void heed__txmemo_agent_put(heed_txmemo *mm, const char *id, const char *canon, int exists)
{
    size_t n = strlen(id), nc = strlen(canon);
    if (!mm->in_txn || !n || n >= HEED_TXMEMO_AGENT_LEN || nc >= HEED_TXMEMO_AGENT_LEN)
        return;
    size_t h = agent_slot(id);
    heed_txagent *a = &mm->agent[h];
    for (size_t k = 0; k < HEED_TXMEMO_PROBE; k++) {
        heed_txagent *b = &mm->agent[(h + k) % HEED_TXMEMO_AGENTS];
        if (b->gen != mm->gen || !strcmp(b->id, id)) {
            a = b;
            break;
        }
    }
    a->gen = mm->gen;
    memcpy(a->id, id, n + 1);
    memcpy(a->canon, canon, nc + 1);
    a->exists = exists;
}

heed_txconv *heed__txmemo_conv(heed_txmemo *mm, int64_t conv)
{
    return mm->in_txn && conv && mm->conv.id == conv ? &mm->conv : NULL;
}

void heed__txmemo_conv_new(heed_txmemo *mm, int64_t conv, int64_t party, int has_crm,
                           int has_channel, int has_subject)
{
    if (!mm->in_txn)
        return;
    heed_txconv *c = &mm->conv;
    c->id = conv;
    c->party = party;
    c->has_crm = has_crm;
    c->has_channel = has_channel;
    c->has_subject = has_subject;
    mm->pend.conv = conv;
    mm->pend.n = 0;
    mm->pend.has_status = mm->pend.has_channel = mm->pend.has_subject = mm->pend.has_need = 0;
    mm->pend.n_agents = 0;
    c->n_msgs = 0;
    c->has_reply = 0;
    c->last_reply = 0;
    c->n_keys = 0;
}

heed_txconv *heed__txconv_customer(heed_txmemo *mm, heed_txconv *c, int64_t time, int64_t id,
                                   int has_stress, double stress, int has_need, int64_t need)
{
    if (c->n_msgs == HEED_TXCONV_MSGS) {
        mm->conv.id = 0;
        return NULL;
    }
    c->msg[c->n_msgs++] = (heed_txmsg){.time = time,
                                              .id = id,
                                              .need = need,
                                              .has_stress = has_stress,
                                              .has_need = has_need,
                                              .stress = stress};
    return c;
}

int heed__txconv_has_key(const heed_txconv *c, const char *kind, const char *token)
{
    for (size_t i = 0; i < c->n_keys; i++)
        if (!strcmp(c->key[i].kind, kind) && !strcmp(c->key[i].token, token))
            return 1;
    return 0;
}

void heed__txconv_key_put(heed_txconv *c, const char *kind, const char *token)
{
    size_t nk = strlen(kind), nt = strlen(token);
    if (c->n_keys == HEED_TXCONV_KEYS || nk >= sizeof c->key[0].kind ||
        nt >= sizeof c->key[0].token)
        return;
    memcpy(c->key[c->n_keys].kind, kind, nk + 1);
    memcpy(c->key[c->n_keys].token, token, nt + 1);
    c->n_keys++;
}

/* v copied into buf (HEED_TXPEND_TEXT); 0 when it does not fit */
static int keep_text(char *buf, const char *v)
{
    size_t n = strlen(v);
    if (n >= HEED_TXPEND_TEXT)
        return 0;
    memcpy(buf, v, n + 1);
    return 1;
}

int heed__txpend_touch(heed_txmemo *mm, heed_txconv *c, int64_t time, const char *status,
                       const char *channel, const char *subject, int has_need, int64_t need)
{
    heed_txpend *p = &mm->pend;
    if ((status && strlen(status) >= HEED_TXPEND_TEXT) ||
        (channel && !c->has_channel && strlen(channel) >= HEED_TXPEND_TEXT) ||
        (subject && !c->has_subject && strlen(subject) >= HEED_TXPEND_TEXT))
        return 0;
    if (!p->n || time < p->first)
        p->first = time;
    if (!p->n || time > p->last)
        p->last = time;
    p->n++;
    if (status)
        p->has_status = keep_text(p->status, status);
    if (channel && !c->has_channel)
        c->has_channel = p->has_channel = keep_text(p->channel, channel);
    if (subject && !c->has_subject)
        c->has_subject = p->has_subject = keep_text(p->subject, subject);
    if (has_need) {
        p->has_need = 1;
        p->need = need;
    }
    return 1;
}

int heed__txpend_reply(heed_txpend *p, const char *agent, int64_t time, double peak)
{
    size_t i = 0;
    while (i < p->n_agents && strcmp(p->agent[i].agent, agent))
        i++;
    if (i == p->n_agents) {
        size_t n = strlen(agent);
        if (i == HEED_TXPEND_AGENTS || n >= sizeof p->agent[i].agent)
            return 0;
        heed_txpend_agent *a = &p->agent[p->n_agents++];
        memcpy(a->agent, agent, n + 1);
        a->start = a->end = time;
        a->replies = 1;
        a->peak = peak;
        return 1;
    }
    heed_txpend_agent *a = &p->agent[i];
    if (time < a->start)
        a->start = time;
    if (time > a->end)
        a->end = time;
    a->replies++;
    if (peak > a->peak)
        a->peak = peak;
    return 1;
}

void heed__txpend_customer(heed_txpend *p, int64_t time, double stress)
{
    if (isnan(stress)) /* bound as NULL: the comparison holds for no row */
        return;
    for (size_t i = 0; i < p->n_agents; i++)
        if (p->agent[i].end >= time && p->agent[i].peak < stress)
            p->agent[i].peak = stress;
}
