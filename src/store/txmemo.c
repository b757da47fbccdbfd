/* txmemo.c - what a store handle knows of its own write transaction
 * (txmemo.h): the agents' stored ids, the conversation it created last, and
 * the two rules records.c reads from a conversation's customer messages (the
 * stress a reply answered, the top need), the same whether the messages come
 * from SQL or from the memo. */
#include "txmemo.h"

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

const char *heed__txmemo_agent(heed_txmemo *mm, const char *id, int *exists)
{
    if (!mm->in_txn)
        return NULL;
    const heed_txagent *a = &mm->agent[agent_slot(id)];
    if (a->gen != mm->gen || strcmp(a->id, id))
        return NULL;
    *exists = a->exists;
    return a->canon;
}

void heed__txmemo_agent_put(heed_txmemo *mm, const char *id, const char *canon, int exists)
{
    size_t n = strlen(id), nc = strlen(canon);
    if (!mm->in_txn || !n || n >= HEED_TXMEMO_AGENT_LEN || nc >= HEED_TXMEMO_AGENT_LEN)
        return;
    heed_txagent *a = &mm->agent[agent_slot(id)];
    a->gen = mm->gen;
    memcpy(a->id, id, n + 1);
    memcpy(a->canon, canon, nc + 1);
    a->exists = exists;
}

heed_txconv *heed__txmemo_conv(heed_txmemo *mm, int64_t conv)
{
    return mm->in_txn && conv && mm->conv.id == conv ? &mm->conv : NULL;
}

void heed__txmemo_conv_new(heed_txmemo *mm, int64_t conv, int64_t party, int has_crm)
{
    if (!mm->in_txn)
        return;
    heed_txconv *c = &mm->conv;
    c->id = conv;
    c->party = party;
    c->has_crm = has_crm;
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
