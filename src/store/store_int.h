/* store_int.h - what the SQLite store's files share: the handle and its
 * prepared statements, one slot each. */
#ifndef HEED_STORE_INT_H
#define HEED_STORE_INT_H

#include <sqlite3.h>

#include "store.h"
#include "txmemo.h"

enum {
    ST_META_GET, ST_META_SET, ST_FILE_GET, ST_FILE_PUT,
    ST_PARTY_NEW, ST_PARTY_KEY, ST_PARTY_CRM,
    ST_CONV_FIND, ST_CONV_NEW, ST_CONV_TOUCH,
    ST_MSG_PUT, ST_MSG_UPDATE, ST_PROMISE_PUT, ST_PROMISE_DEL,
    ST_CUST_FIND, ST_CUST_PUT, ST_EVENT_FIND, ST_EVENT_PUT, ST_SURVEY_FIND, ST_SURVEY_PUT,
    ST_AGENT_PUT, ST_SHIFT_PUT, ST_SET_PERSON, ST_STATE_PUT, ST_AGENT_FIND,
    ST_AGENT_CONV_REPLY, ST_AGENT_CONV_CUSTOMER, ST_AGENT_CONV_RESTRESS,
    ST_AGENT_REPLY_SCORES, ST_AGENT_REPLY_STRESS, ST_REPLY_TEXT,
    ST_KEY_PUT, ST_KEY_FIND, ST_KEY_REVOKE, ST_KEY_TOUCH, ST_PARTY_DIRTY, ST_KEY_PARTIES,
    ST_CRM_PARTIES, ST_UNLINKED, ST_PARTY_ONE, ST_ALIAS_FIND, ST_PROMISE_STATE_PUT, ST_PROMISE_STATE_DEL,
    ST_TOP_NEED,
    ST_CONV_TURNS, ST_MARK_PARTY,
    ST_CUSTOMER_STRESS, ST_AGENT_REPLY_NEW, ST_AGENT_REPLY_STRESS_AT, ST_CONV_NEEDS,
    ST_TOP_NEED_CONV, ST_AGENT_CONV_PUT,
    ST_AGENT_CONV_REPLY_STAGE, ST_AGENT_CONV_CUSTOMER_STAGE, ST_AGENT_REPLY_NEW_STAGE,
    ST_AGENT_REPLY_STRESS_AT_STAGE, ST_AGENT_CONV_PUT_STAGE, ST_AGENT_REPLY_SCORES_STAGE,
    ST_AGENT_REPLY_STRESS_STAGE, ST_AGENT_CONV_RESTRESS_STAGE, ST_OTHER_TIME,
    ST_N_STMT = 64
};

struct heed_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_N_STMT];
    /* the conversation of the last message put: consecutive messages of one
     * conversation skip the lookup */
    char *conv_source, *conv_ext;
    int64_t conv_id, conv_party;
    heed_txmemo *memo; /* what the open write transaction wrote (txmemo.h) */
    int bulk;          /* heed_store_bulk_cache on: the larger page cache */
    int stage;         /* heed_store_stage_agents on: agent rows to the stage */
    /* the latest time of a message other than a customer's put in the open
     * transaction (other_has 0: none), written to meta by the commit; both
     * as they were when the savepoint was taken */
    int other_has, other_has_sp;
    int64_t other_time, other_time_sp;
};

/* The top need of conversation `conv` (an SQL expression naming it): the most
 * frequent need of its customer messages, ties to the need seen first (the
 * earliest time, then the lowest id); NULL when none has one. What
 * conversation.top_need holds (schema 9), kept by every put and re-scoring
 * (records.c); message_conversation finds the conversation's messages. */
#define HEED_ST_TOP_NEED(conv)                                                                \
    "(SELECT x.need FROM message x WHERE x.conversation = " conv " AND x.role = 1 "         \
    "AND x.need IS NOT NULL GROUP BY x.need ORDER BY count(*) DESC, min(x.time), min(x.id) " \
    "LIMIT 1)"

/* Writes what the message puts left pending (heed_txpend, txmemo.h) and
 * forgets the memo's conversation. Every statement but a message put's own
 * runs after it (heed__st_prep's other slots, exec, the cursors and the
 * queries of queries.c, the counts, the agent aliases, a re-scoring, the
 * agent tables rebuilt), so no statement reads the pending values stale;
 * the identity pass's own queries read parties and keys, which are never
 * pending. */
int heed__st_settle(heed_store *st, heed_error *err);

/* Moves the staged agent rows (agent_reply_stage, agent_conv_stage) into
 * agent_reply and agent_conv, in the open transaction: a row of an agent and
 * conversation already there takes the staged one in (first and last reply,
 * replies summed, the higher peak). */
int heed__st_unstage(heed_store *st, heed_error *err);

/* A message other than a customer's, at time t, was put: meta
 * latest_other_time is raised to it by the commit (at once outside a
 * transaction). */
int heed__st_other_time(heed_store *st, int64_t t, heed_error *err);

/* Fills err from the database's last error; returns HEED_EIO. */
int heed__st_fail(heed_store *st, heed_error *err, const char *what);
/* The statement in `slot`, prepared from sql on first use, reset and with its
 * bindings cleared; NULL (err set) when it cannot be prepared. */
sqlite3_stmt *heed__st_prep(heed_store *st, int slot, const char *sql, heed_error *err);
/* Binds a string or NULL. */
void heed__st_text(sqlite3_stmt *s, int i, const char *v);
/* The same without a copy: v must stay as it is until the statement has
 * been stepped for the last time with this binding (the puts, which bind
 * and step at once; a copy is a malloc, a memcpy and a free per value). */
void heed__st_text_ref(sqlite3_stmt *s, int i, const char *v);

#endif
