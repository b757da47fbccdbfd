/* txmemo.h - what a store handle knows of its own write transaction, so the
 * puts of an import need not read back rows they wrote themselves. Between
 * heed_store_begin and its commit or rollback no other connection writes
 * (BEGIN IMMEDIATE), so a row this handle put stays as it put it unless this
 * handle changes it: the memo is emptied at each transaction's start and end,
 * at a savepoint rolled back, and by every put that changes what it holds
 * (an agent's alias, a re-scoring, a person set, the agent summaries
 * rebuilt). It holds the agents' stored ids, and the conversation the handle
 * created last in the transaction with its party and messages. */
#ifndef HEED_TXMEMO_H
#define HEED_TXMEMO_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* What the customer messages of a conversation at or before a reply's time
 * say to it: the stress of the latest (the latest id among equal times;
 * has_answered 0 when there is none or its stress is NULL) and the highest
 * (peak 0 when none): ANSWERED_STRESS and agent_conv's peak_stress
 * (records.c). Fed rows in any order by heed__cstress_add. */
typedef struct heed_cstress {
    int any, has_answered, has_peak;
    int64_t time, id; /* the latest */
    double answered, peak;
} heed_cstress;

void heed__cstress_add(heed_cstress *cs, int64_t time, int64_t id, int has_stress, double stress);

/* The top need of a conversation (HEED_ST_TOP_NEED, store_int.h): its
 * customer messages with a need counted by need, fed in any order; the
 * most messages win, then the earliest time, then the lowest id. */
#define HEED_NEED_TALLY_MAX 64
typedef struct heed_need_group {
    int64_t need, count, time, id; /* its messages, their earliest time, lowest id */
} heed_need_group;
typedef struct heed_need_tally {
    size_t n;
    int over; /* more distinct needs than counted: ask SQL */
    heed_need_group g[HEED_NEED_TALLY_MAX];
} heed_need_tally;

void heed__need_tally_add(heed_need_tally *nd, int64_t need, int64_t time, int64_t id);
/* 1 and *need when there is a top need, 0 when none (or over). */
int heed__need_tally_top(const heed_need_tally *nd, int64_t *need);

/* The conversation created last by this handle in the transaction. */
#define HEED_TXCONV_MSGS 64  /* customer messages remembered; more: forgotten */
#define HEED_TXCONV_KEYS 8   /* contact keys of its party remembered */
typedef struct heed_txmsg {
    int64_t time, id, need;
    int has_stress, has_need;
    double stress;
} heed_txmsg;
typedef struct heed_txkey {
    char kind[8], token[48];
} heed_txkey;
typedef struct heed_txconv {
    int64_t id, party; /* 0: none. The party is new: its person is NULL */
    int has_crm;       /* the party's crm is set */
    int has_channel, has_subject; /* the conversation's are set (stored or pending) */
    size_t n_msgs;     /* its customer messages, each as stored */
    heed_txmsg msg[HEED_TXCONV_MSGS];
    int has_reply;      /* a reply with an agent ... */
    int64_t last_reply; /* ... the latest time of one */
    size_t n_keys;      /* keys of the party, all stored */
    heed_txkey key[HEED_TXCONV_KEYS];
} heed_txconv;

/* What the puts into the conversation the memo holds changed and did not
 * write yet, written once when the conversation leaves the memo (records.c,
 * heed__st_settle): its row's counts and times, status, channel, subject and
 * top need, and its agent_conv rows, which no other write of the
 * transaction made (the conversation is new). Each put updated the row and
 * upserted an agent_conv row before: a conversation's messages rewrote its
 * row, and its agents' index entries, once each. The values are those the
 * statements in turn gave: n_messages plus n, first_time the minimum,
 * last_time the maximum, status the last given, channel and subject the
 * first given when the row has none, top_need the last counted; per agent
 * the first and last reply, the replies, the highest peak. A value that
 * does not fit has the pending rows written and the conversation forgotten
 * (the puts then write as without the memo). */
#define HEED_TXPEND_AGENTS 4 /* agents of the conversation remembered */
#define HEED_TXPEND_TEXT 64  /* status, channel, subject: longer ones are not kept */
typedef struct heed_txpend_agent {
    char agent[HEED_STORE_AGENT_MAX];
    int64_t start, end, replies;
    double peak;
} heed_txpend_agent;
typedef struct heed_txpend {
    int64_t conv;           /* 0: nothing pending */
    int64_t n, first, last; /* messages put, their earliest and latest time */
    int has_status, has_channel, has_subject, has_need;
    char status[HEED_TXPEND_TEXT], channel[HEED_TXPEND_TEXT], subject[HEED_TXPEND_TEXT];
    int64_t need;
    size_t n_agents;
    heed_txpend_agent agent[HEED_TXPEND_AGENTS];
} heed_txpend;

#define HEED_TXMEMO_AGENTS 1024 /* agent ids remembered, by hash */
#define HEED_TXMEMO_PROBE 8     /* slots an id may take from its hash on */
#define HEED_TXMEMO_AGENT_LEN 64
typedef struct heed_txagent {
    uint64_t gen;                      /* the memo's generation it was put in */
    char id[HEED_TXMEMO_AGENT_LEN];    /* as given */
    char canon[HEED_TXMEMO_AGENT_LEN]; /* as stored (through its alias) */
    int exists;                        /* the agent row is there */
} heed_txagent;
typedef struct heed_txmemo {
    int in_txn;   /* a write transaction of heed_store_begin is open */
    uint64_t gen; /* bumped by every clear: older agent entries are void */
    heed_txconv conv;
    heed_txpend pend; /* of conv, or of a conversation just forgotten */
    heed_txagent agent[HEED_TXMEMO_AGENTS];
} heed_txmemo;

/* Forgets everything but in_txn and what is pending (pend: the store writes
 * it before anything else runs). */
void heed__txmemo_clear(heed_txmemo *mm);

/* The stored id of agent id when known (and *exists: its row is known to be
 * there), else NULL. */
const char *heed__txmemo_agent(heed_txmemo *mm, const char *id, int *exists);
/* Remembers it (ids and canons too long for the memo are not kept). */
void heed__txmemo_agent_put(heed_txmemo *mm, const char *id, const char *canon, int exists);

/* The memo of conversation conv, or NULL. */
heed_txconv *heed__txmemo_conv(heed_txmemo *mm, int64_t conv);
/* Conversation conv with its new party was just created (party crm,
 * channel, subject set or not); nothing is pending then. */
void heed__txmemo_conv_new(heed_txmemo *mm, int64_t conv, int64_t party, int has_crm,
                           int has_channel, int has_subject);
/* A customer message put into c; when c cannot hold it, c is forgotten
 * (returns NULL), else c. */
heed_txconv *heed__txconv_customer(heed_txmemo *mm, heed_txconv *c, int64_t time, int64_t id,
                                   int has_stress, double stress, int has_need, int64_t need);
/* 1 when the party of c is known to have key kind/token. */
int heed__txconv_has_key(const heed_txconv *c, const char *kind, const char *token);
void heed__txconv_key_put(heed_txconv *c, const char *kind, const char *token);

/* A message at time put into c (pending in mm->pend): status (NULL: none)
 * replaces the conversation's, channel and subject (NULL: none) fill its own
 * when it has none, need (has_need) is its new top need. 0, with nothing
 * changed, when a text does not fit. */
int heed__txpend_touch(heed_txmemo *mm, heed_txconv *c, int64_t time, const char *status,
                       const char *channel, const char *subject, int has_need, int64_t need);
/* A reply of agent at time answering peak (agent_conv's upsert); 0, with
 * nothing changed, when the agent does not fit. */
int heed__txpend_reply(heed_txpend *p, const char *agent, int64_t time, double peak);
/* A customer message at time with stress: the peak of every agent whose
 * last reply is at or after it. */
void heed__txpend_customer(heed_txpend *p, int64_t time, double stress);

#endif
