/* records.c - putting records into the SQLite store (idempotent on each
 * record's source + id) and the identity tables they feed. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

static int party_new(heed_store *st, const char *kind, const char *label, const char *crm,
                     int64_t *id, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(
        st, ST_PARTY_NEW, "INSERT INTO party(kind, label, crm) VALUES(?, ?, ?)", err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, kind);
    heed__st_text_ref(s, 2, label);
    heed__st_text_ref(s, 3, crm && *crm ? crm : NULL);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "add party");
    *id = sqlite3_last_insert_rowid(st->db);
    return HEED_OK;
}

/* Marks the person of a party, if it has one, for the queue's next refresh
 * (queue_dirty, migration 10 in store.c). */
static int mark_party(heed_store *st, int64_t party, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(st, ST_MARK_PARTY,
                                    "INSERT OR IGNORE INTO queue_dirty(person) SELECT person "
                                    "FROM party WHERE id=? AND person IS NOT NULL",
                                    err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, party);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "mark customer");
}

/* Unlinks a party whose keys or CRM id changed (person NULL), so the next
 * identity pass starts from it (docs/store.md, "Identity"). */
static int party_dirty(heed_store *st, int64_t party, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(
        st, ST_PARTY_DIRTY, "UPDATE party SET person=NULL WHERE id=? AND person IS NOT NULL", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, party);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "unlink party");
}

/* Adds the keys a party does not have yet and unlinks it when one was new.
 * c: the memo of the party's conversation when it was created in this
 * transaction (txmemo.h): the keys it remembers are skipped, and the party,
 * new, has no person to unlink. */
static int party_keys(heed_store *st, int64_t party, const heed_st_key *keys, size_t nk,
                      heed_txconv *c, heed_error *err)
{
    int added = 0;
    for (size_t i = 0; i < nk; i++) {
        if (!keys[i].kind || !keys[i].token || !*keys[i].token)
            continue;
        if (c && heed__txconv_has_key(c, keys[i].kind, keys[i].token))
            continue;
        sqlite3_stmt *s = heed__st_prep(
            st, ST_PARTY_KEY,
            "INSERT OR IGNORE INTO party_key(party, kind, token) VALUES(?, ?, ?)", err);
        if (!s)
            return HEED_EIO;
        sqlite3_bind_int64(s, 1, party);
        heed__st_text_ref(s, 2, keys[i].kind);
        heed__st_text_ref(s, 3, keys[i].token);
        if (sqlite3_step(s) != SQLITE_DONE)
            return heed__st_fail(st, err, "add key");
        added |= sqlite3_changes(st->db) > 0;
        if (c)
            heed__txconv_key_put(c, keys[i].kind, keys[i].token);
    }
    return added && !c ? party_dirty(st, party, err) : HEED_OK;
}

/* The conversation source+ext (created when new), its id and party. */
static int conversation(heed_store *st, const heed_st_message *m, int64_t *conv, int64_t *party,
                        heed_error *err)
{
    const char *ext = m->conversation && *m->conversation ? m->conversation : m->id;
    if (st->conv_ext && !strcmp(st->conv_ext, ext) && !strcmp(st->conv_source, m->source)) {
        *conv = st->conv_id;
        *party = st->conv_party;
        return HEED_OK;
    }
    sqlite3_stmt *s = heed__st_prep(
        st, ST_CONV_FIND, "SELECT id, party FROM conversation WHERE source=? AND ext_id=?", err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, m->source);
    heed__st_text_ref(s, 2, ext);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        *conv = sqlite3_column_int64(s, 0);
        *party = sqlite3_column_int64(s, 1);
    } else if (r == SQLITE_DONE) {
        /* the memo moves to the new conversation */
        int rc = heed__st_settle(st, err);
        if (!rc)
            rc = party_new(st, "conversation", ext, m->customer, party, err);
        if (rc)
            return rc;
        s = heed__st_prep(st, ST_CONV_NEW,
                          "INSERT INTO conversation(source, ext_id, party, channel, subject, "
                          "first_time, last_time) VALUES(?,?,?,?,?,?,?)",
                          err);
        if (!s)
            return HEED_EIO;
        heed__st_text_ref(s, 1, m->source);
        heed__st_text_ref(s, 2, ext);
        sqlite3_bind_int64(s, 3, *party);
        heed__st_text_ref(s, 4, m->channel);
        heed__st_text_ref(s, 5, m->subject);
        sqlite3_bind_int64(s, 6, m->time);
        sqlite3_bind_int64(s, 7, m->time);
        if (sqlite3_step(s) != SQLITE_DONE)
            return heed__st_fail(st, err, "add conversation");
        *conv = sqlite3_last_insert_rowid(st->db);
        heed__txmemo_conv_new(st->memo, *conv, *party, m->customer && *m->customer,
                              m->channel != NULL, m->subject != NULL);
    } else {
        return heed__st_fail(st, err, "find conversation");
    }
    char *src = strdup(m->source), *e = strdup(ext);
    free(st->conv_source);
    free(st->conv_ext);
    st->conv_source = src;
    st->conv_ext = e;
    if (!src || !e) {
        free(src);
        free(e);
        st->conv_source = st->conv_ext = NULL;
        return HEED_ENOMEM;
    }
    st->conv_id = *conv;
    st->conv_party = *party;
    return HEED_OK;
}

static void bind_opt_real(sqlite3_stmt *s, int i, double v, int present)
{
    if (present)
        sqlite3_bind_double(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static void bind_opt_int(sqlite3_stmt *s, int i, int v)
{
    if (v >= 0)
        sqlite3_bind_int(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

/* Binds the analysis columns, in the order of ANALYSIS_COLS, from index i. */
#define ANALYSIS_COLS                                                                      \
    "model, scored, valence, stress, distress, urgency, effort, vulnerability, escalation, " \
    "emotion, need, n_asks, er, ip, ex, compassion, comp_signals, addressed, n_jargon, "    \
    "grade, simhash"
#define ANALYSIS_N 21

static int bind_analysis(sqlite3_stmt *s, int i, const heed_st_message *m)
{
    heed__st_text_ref(s, i++, m->model ? m->model : "");
    sqlite3_bind_int(s, i++, m->scored);
    sqlite3_bind_double(s, i++, m->valence);
    sqlite3_bind_double(s, i++, m->stress);
    for (int c = 0; c < HEED_STRESS_COUNT; c++)
        sqlite3_bind_double(s, i++, m->stress_c[c]);
    bind_opt_int(s, i++, m->emotion);
    bind_opt_int(s, i++, m->need);
    sqlite3_bind_int(s, i++, m->n_asks);
    for (int c = 0; c < HEED_EMPATHY_COUNT; c++)
        bind_opt_int(s, i++, m->role == HEED_ROLE_AGENT ? m->empathy[c] : -1);
    bind_opt_real(s, i++, m->compassion, m->role == HEED_ROLE_AGENT && m->compassion >= 0);
    sqlite3_bind_int64(s, i++, m->comp_signals);
    bind_opt_int(s, i++, m->role == HEED_ROLE_AGENT ? m->addressed : -1);
    sqlite3_bind_int(s, i++, m->n_jargon);
    bind_opt_real(s, i++, m->grade, m->role == HEED_ROLE_AGENT);
    sqlite3_bind_int64(s, i++, (sqlite3_int64)m->simhash);
    return i;
}

/* The promises of message msg of conversation conv (0: read from the
 * message; a put knows it, and the lookup cost a seek per promise). */
static int put_promises(heed_store *st, int64_t msg, int64_t conv, int64_t made,
                        const heed_st_promise *p, size_t np, heed_error *err)
{
    for (size_t i = 0; i < np; i++) {
        sqlite3_stmt *s = heed__st_prep(
            st, ST_PROMISE_PUT,
            "INSERT INTO promise(message, kind, text, object, made, due, conversation) "
            "VALUES(?1,?2,?3,?4,?5,?6,coalesce(?7,(SELECT conversation FROM message WHERE id=?1)))",
            err);
        if (!s)
            return HEED_EIO;
        sqlite3_bind_int64(s, 1, msg);
        if (conv)
            sqlite3_bind_int64(s, 7, conv);
        else
            sqlite3_bind_null(s, 7);
        sqlite3_bind_int(s, 2, p[i].kind);
        heed__st_text_ref(s, 3, p[i].text);
        heed__st_text_ref(s, 4, p[i].object);
        sqlite3_bind_int64(s, 5, made);
        if (p[i].has_due)
            sqlite3_bind_int64(s, 6, p[i].due);
        else
            sqlite3_bind_null(s, 6);
        if (sqlite3_step(s) != SQLITE_DONE)
            return heed__st_fail(st, err, "add promise");
    }
    return HEED_OK;
}

/* ------------------------------------------------------------ agent names */

/* id as stored: an e-mail address in lower case. 0, or -1 when too long. */
static int agent_norm(const char *id, char *out, size_t cap)
{
    size_t n = strlen(id);
    if (n >= cap)
        return -1;
    int mail = strchr(id, '@') != NULL;
    for (size_t i = 0; i <= n; i++)
        out[i] = mail && id[i] >= 'A' && id[i] <= 'Z' ? (char)(id[i] | 0x20) : id[i];
    return 0;
}

/* The agent an alias (normalised) belongs to, into out; 0 none, 1 found, <0 error. */
static int alias_owner(heed_store *st, const char *alias, char *out, size_t cap, heed_error *err)
{
    sqlite3_stmt *s =
        heed__st_prep(st, ST_ALIAS_FIND, "SELECT agent FROM agent_alias WHERE alias=?", err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, alias);
    int r = sqlite3_step(s), found = 0;
    if (r == SQLITE_ROW) {
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
        found = 1;
    } else if (r != SQLITE_DONE) {
        return heed__st_fail(st, err, "look up agent alias");
    }
    sqlite3_reset(s); /* no read left open on the table */
    return found;
}

int heed_store_agent_id(heed_store *st, const char *id, char *buf, size_t cap, heed_error *err)
{
    if (agent_norm(id, buf, cap)) {
        snprintf(buf, cap, "%.*s", (int)(cap - 1), id);
        return HEED_OK; /* longer than any alias: stored as given */
    }
    char owner[HEED_STORE_AGENT_MAX];
    int r = alias_owner(st, buf, owner, sizeof owner, err);
    if (r < 0)
        return r;
    if (r)
        snprintf(buf, cap, "%s", owner);
    return HEED_OK;
}

int heed_store_agent_addresses(heed_store *st, int (*fn)(void *ctx, const char *addr), void *ctx,
                               heed_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id FROM agent WHERE instr(id, '@') UNION "
                           "SELECT alias FROM agent_alias WHERE instr(alias, '@') ORDER BY 1",
                           -1, &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "read the agents' addresses");
    int r = SQLITE_DONE, rc = HEED_OK;
    while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW)
        rc = fn(ctx, (const char *)sqlite3_column_text(s, 0));
    if (!rc && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "read the agents' addresses");
    sqlite3_finalize(s);
    return rc;
}

/* *id (NULL: none) replaced by the id its records are stored under, kept in
 * buf (HEED_STORE_AGENT_MAX bytes); *there (may be NULL): 1 when the memo
 * knows the agent's row is stored, else 0. */
static int agent_of(heed_store *st, const char **id, char *buf, int *there, heed_error *err)
{
    if (there)
        *there = 0;
    if (!*id || strlen(*id) >= HEED_STORE_AGENT_MAX)
        return HEED_OK;
    int exists;
    const char *known = heed__txmemo_agent(st->memo, *id, &exists);
    if (known) {
        memcpy(buf, known, strlen(known) + 1); /* shorter than HEED_TXMEMO_AGENT_LEN */
        *id = buf;
        if (there)
            *there = exists;
        return HEED_OK;
    }
    int rc = heed_store_agent_id(st, *id, buf, HEED_STORE_AGENT_MAX, err);
    if (!rc) {
        heed__txmemo_agent_put(st->memo, *id, buf, 0);
        *id = buf;
    }
    return rc;
}

__attribute__((format(printf, 2, 3))) static int invalid(heed_error *err, const char *fmt, ...)
{
    if (err) {
        err->code = HEED_EINVAL;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return HEED_EINVAL;
}

/* 1 when alias (normalised, not agent) is already agent's, 0 when it may be
 * added, else an error (HEED_EINVAL with the reason). */
static int alias_check(heed_store *st, const char *agent, const char *alias, heed_error *err)
{
    char owner[HEED_STORE_AGENT_MAX];
    int r = alias_owner(st, alias, owner, sizeof owner, err);
    if (r < 0)
        return r;
    if (r)
        return strcmp(owner, agent)
                   ? invalid(err, "'%s' is already an alias of agent '%s'", alias, owner)
                   : 1;
    if ((r = alias_owner(st, agent, owner, sizeof owner, err)) != 0)
        return r < 0 ? r : invalid(err, "'%s' is itself an alias of agent '%s'", agent, owner);
    sqlite3_stmt *s;
    if (heed__st_settle(st, err))
        return HEED_EIO;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM agent_alias WHERE agent=? LIMIT 1", -1, &s,
                           NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "look up agent alias");
    sqlite3_bind_text(s, 1, alias, -1, SQLITE_TRANSIENT);
    r = sqlite3_step(s);
    sqlite3_finalize(s);
    if (r == SQLITE_ROW)
        return invalid(err, "'%s' is an agent with aliases of its own, not an alias of '%s'",
                       alias, agent);
    return r == SQLITE_DONE ? 0 : heed__st_fail(st, err, "look up agent alias");
}

/* What an agent_conv row becomes with another row of its agent and
 * conversation (excluded), n its replies: the first and last reply of both,
 * their replies, the higher peak. Each row's peak is that of the customer
 * messages up to its last reply (a customer message updates both tables),
 * so the merged row's is that up to the later of the two. */
#define AGENT_CONV_ADD(n)                                                                    \
    "start = min(start, excluded.start), end = max(end, excluded.end), "                    \
    "replies = replies + " n ", peak_stress = max(peak_stress, excluded.peak_stress)"

/* agent and alias normalised into a and b; 1 when nothing is to be done
 * (the alias is empty or the agent's own id), 0, or HEED_EINVAL. */
static int alias_names(const char *agent, const char *alias, char *a, char *b, heed_error *err)
{
    if (agent_norm(agent, a, HEED_STORE_AGENT_MAX) || agent_norm(alias, b, HEED_STORE_AGENT_MAX))
        return invalid(err, "an agent id or alias is over %d bytes", HEED_STORE_AGENT_MAX - 1);
    return !*b || !strcmp(a, b);
}

int heed_store_check_agent_alias(heed_store *st, const char *agent_in, const char *alias_in,
                                 heed_error *err)
{
    char agent[HEED_STORE_AGENT_MAX], alias[HEED_STORE_AGENT_MAX];
    int r = alias_names(agent_in, alias_in, agent, alias, err);
    if (r)
        return r == 1 ? HEED_OK : r;
    r = alias_check(st, agent, alias, err);
    return r == 1 ? HEED_OK : r;
}

int heed_store_put_agent_alias(heed_store *st, const char *agent_in, const char *alias_in,
                               size_t *moved, heed_error *err)
{
    *moved = 0;
    int rc0 = heed__st_settle(st, err); /* the rows move */
    if (rc0)
        return rc0;
    heed__txmemo_clear(st->memo); /* agents' ids and rows, replies move */
    char agent[HEED_STORE_AGENT_MAX], alias[HEED_STORE_AGENT_MAX];
    int r = alias_names(agent_in, alias_in, agent, alias, err);
    if (r)
        return r == 1 ? HEED_OK : r;
    if ((r = alias_check(st, agent, alias, err)) != 0)
        return r == 1 ? HEED_OK : r;
    /* the staged rows are moved first, so the alias's rows move with them */
    if ((r = heed__st_unstage(st, err)) != 0)
        return r;
    sqlite3_stmt *s;
    /* the alias, then what was stored under it moves to the agent; the
     * summaries of a conversation both names answered are merged */
    static const char *const SQL[] = {
        "INSERT INTO agent_alias(alias, agent) VALUES(?2, ?1)",
        "UPDATE message SET agent=?1 WHERE agent=?2",
        "INSERT INTO agent_conv(agent, conversation, start, end, replies, peak_stress) "
        "SELECT ?1, conversation, start, end, replies, peak_stress FROM agent_conv WHERE "
        "agent=?2 ON CONFLICT(agent, conversation) DO UPDATE SET " AGENT_CONV_ADD(
            "excluded.replies"),
        "DELETE FROM agent_conv WHERE agent=?2",
        "UPDATE agent_reply SET agent=?1 WHERE agent=?2",
        "UPDATE event SET agent=?1 WHERE agent=?2",
        "UPDATE shift SET agent=?1 WHERE agent=?2",
        "UPDATE api_key SET agent=?1 WHERE agent=?2",
        "INSERT INTO agent(id, name, team) SELECT ?1, name, team FROM agent WHERE id=?2 "
        "ON CONFLICT(id) DO UPDATE SET name=coalesce(agent.name, excluded.name), "
        "team=coalesce(agent.team, excluded.team)",
        "DELETE FROM agent WHERE id=?2",
    };
    for (size_t i = 0; i < sizeof SQL / sizeof SQL[0]; i++) {
        if (sqlite3_prepare_v2(st->db, SQL[i], -1, &s, NULL) != SQLITE_OK)
            return heed__st_fail(st, err, "add agent alias");
        sqlite3_bind_text(s, 1, agent, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, alias, -1, SQLITE_TRANSIENT);
        r = sqlite3_step(s);
        sqlite3_finalize(s);
        if (r != SQLITE_DONE)
            return heed__st_fail(st, err, "add agent alias");
        if (i == 1)
            *moved = (size_t)sqlite3_changes(st->db);
    }
    return HEED_OK;
}

/* What the customer messages of conversation conv at or before time t say
 * to a reply at t (heed_cstress, txmemo.h): from the memo when the
 * conversation was created in this transaction (c), else from one read of
 * message_conversation, which covers it (the SQL of ANSWERED_STRESS built a
 * temporary b-tree per reply for its ORDER BY with the id). */
static int customer_stress_at(heed_store *st, int64_t conv, int64_t t, const heed_txconv *c,
                              heed_cstress *cs, heed_error *err)
{
    *cs = (heed_cstress){0};
    if (c) {
        for (size_t i = 0; i < c->n_msgs; i++)
            if (c->msg[i].time <= t)
                heed__cstress_add(cs, c->msg[i].time, c->msg[i].id, c->msg[i].has_stress,
                                  c->msg[i].stress);
        return HEED_OK;
    }
    sqlite3_stmt *s = heed__st_prep(st, ST_CUSTOMER_STRESS,
                                    "SELECT time, id, stress FROM message WHERE conversation = ?1 "
                                    "AND time <= ?2 AND role = 1",
                                    err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, conv);
    sqlite3_bind_int64(s, 2, t);
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        heed__cstress_add(cs, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                          sqlite3_column_type(s, 2) != SQLITE_NULL, sqlite3_column_double(s, 2));
    if (r != SQLITE_DONE)
        return heed__st_fail(st, err, "read customer stress");
    return HEED_OK;
}

/* Keeps agent_conv (one row per agent and conversation: first and last
 * reply, replies, the peak customer stress up to the last reply) current, so
 * the agent summaries read a few rows instead of grouping replies. A reply
 * takes the peak of the customer messages before it (cs); a customer message
 * (in whatever order it is imported) raises the peak of every agent whose
 * last reply came after it. */
static int agent_conv(heed_store *st, const heed_st_message *m, int64_t conv,
                      const heed_cstress *cs, heed_error *err)
{
    sqlite3_stmt *s;
    if (m->role == HEED_ROLE_AGENT && m->agent) {
        s = st->stage ? heed__st_prep(st, ST_AGENT_CONV_REPLY_STAGE,
                                      "INSERT INTO agent_conv_stage(agent, conversation, start, "
                                      "end, replies, peak_stress) VALUES(?1, ?2, ?3, ?3, 1, ?4) "
                                      "ON CONFLICT(conversation, agent) DO UPDATE "
                                      "SET " AGENT_CONV_ADD("1"),
                                      err)
                      : heed__st_prep(st, ST_AGENT_CONV_REPLY,
                                      "INSERT INTO agent_conv(agent, conversation, start, end, "
                                      "replies, peak_stress) VALUES(?1, ?2, ?3, ?3, 1, ?4) "
                                      "ON CONFLICT(agent, conversation) DO UPDATE "
                                      "SET " AGENT_CONV_ADD("1"),
                                      err);
        if (!s)
            return HEED_EIO;
        heed__st_text_ref(s, 1, m->agent);
        sqlite3_bind_int64(s, 2, conv);
        sqlite3_bind_int64(s, 3, m->time);
        sqlite3_bind_double(s, 4, cs->has_peak ? cs->peak : 0);
        return sqlite3_step(s) == SQLITE_DONE ? HEED_OK
                                              : heed__st_fail(st, err, "agent summary");
    }
    if (m->role == HEED_ROLE_AGENT)
        return HEED_OK;
    /* the staged rows too: an import may have left some there */
    for (int staged = 0; staged < 2; staged++) {
        s = staged ? heed__st_prep(st, ST_AGENT_CONV_CUSTOMER_STAGE,
                                   "UPDATE agent_conv_stage SET peak_stress = max(peak_stress, "
                                   "?1) WHERE conversation = ?2 AND end >= ?3 AND "
                                   "peak_stress < ?1",
                                   err)
                   : heed__st_prep(st, ST_AGENT_CONV_CUSTOMER,
                                   "UPDATE agent_conv SET peak_stress = max(peak_stress, ?1) "
                                   "WHERE conversation = ?2 AND end >= ?3 AND peak_stress < ?1",
                                   err);
        if (!s)
            return HEED_EIO;
        sqlite3_bind_double(s, 1, m->stress);
        sqlite3_bind_int64(s, 2, conv);
        sqlite3_bind_int64(s, 3, m->time);
        if (sqlite3_step(s) != SQLITE_DONE)
            return heed__st_fail(st, err, "agent summary");
    }
    return HEED_OK;
}

/* The customer stress a reply answered: that of the conversation's latest
 * customer message at or before it (the latest id among equal times). ?R is
 * the reply's row (a table alias or the message). heed__cstress_add is the
 * same rule in C. */
#define ANSWERED_STRESS(R)                                                                   \
    "(SELECT x.stress FROM message x WHERE x.conversation = " R ".conversation AND "         \
    "x.role = 1 AND x.time <= " R ".time ORDER BY x.time DESC, x.id DESC LIMIT 1)"

/* Keeps agent_reply (one row per agent reply: its scores and the customer
 * stress it answered) equal to the messages after message id was re-scored
 * (heed reanalyze). A reply copies its own row (found by the primary key:
 * its agent and time are the message's); a customer message re-reads
 * the answered stress of every reply of its conversation at or after it. */
static int agent_reply(heed_store *st, int64_t id, int role, heed_error *err)
{
    if (role != HEED_ROLE_AGENT && role != HEED_ROLE_CUSTOMER)
        return HEED_OK;
    /* the staged rows too: an import may have left some there */
    for (int staged = 0; staged < 2; staged++) {
        sqlite3_stmt *s;
        if (role == HEED_ROLE_AGENT)
            s = staged ? heed__st_prep(st, ST_AGENT_REPLY_SCORES_STAGE,
                                       "UPDATE agent_reply_stage SET (er, ip, ex, compassion) = "
                                       "(SELECT m.er, m.ip, m.ex, m.compassion FROM message m "
                                       "WHERE m.id = ?1) WHERE (conversation, time, message) = "
                                       "(SELECT conversation, time, id FROM message WHERE id = "
                                       "?1)",
                                       err)
                       : heed__st_prep(st, ST_AGENT_REPLY_SCORES,
                                       "UPDATE agent_reply SET (er, ip, ex, compassion) = "
                                       "(SELECT m.er, m.ip, m.ex, m.compassion FROM message m "
                                       "WHERE m.id = ?1) WHERE (agent, time, message) = "
                                       "(SELECT agent, time, id FROM message WHERE id = ?1)",
                                       err);
        else
            s = staged ? heed__st_prep(st, ST_AGENT_REPLY_STRESS_STAGE,
                                       "UPDATE agent_reply_stage SET stress = " ANSWERED_STRESS(
                                           "agent_reply_stage") " WHERE conversation = (SELECT "
                                                                "conversation FROM message "
                                                                "WHERE id = ?1) AND time >= "
                                                                "(SELECT time FROM message "
                                                                "WHERE id = ?1)",
                                       err)
                       : heed__st_prep(st, ST_AGENT_REPLY_STRESS,
                                       "UPDATE agent_reply SET stress = " ANSWERED_STRESS(
                                           "agent_reply") " WHERE conversation = (SELECT "
                                                          "conversation FROM message WHERE id "
                                                          "= ?1) AND time >= (SELECT time FROM "
                                                          "message WHERE id = ?1)",
                                       err);
        if (!s)
            return HEED_EIO;
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) != SQLITE_DONE)
            return heed__st_fail(st, err, "agent replies");
    }
    return HEED_OK;
}

/* agent_reply after message msg (m, in conversation conv) was added: a
 * reply's row with its scores as bound into the message (bind_analysis) and
 * the stress it answered (cs); a customer message, in whatever order it
 * arrives, re-reads the answered stress of every reply of its conversation
 * at or after it. */
_Static_assert(HEED_EMPATHY_COUNT == 3, "agent_reply has the columns er, ip, ex");

static int agent_reply_new(heed_store *st, int64_t msg, const heed_st_message *m, int64_t conv,
                           const heed_cstress *cs, heed_error *err)
{
    sqlite3_stmt *s;
    if (m->role == HEED_ROLE_AGENT && m->agent) {
        s = st->stage ? heed__st_prep(st, ST_AGENT_REPLY_NEW_STAGE,
                                      "INSERT INTO agent_reply_stage(agent, time, message, "
                                      "conversation, er, ip, ex, compassion, stress) "
                                      "VALUES(?,?,?,?,?,?,?,?,?)",
                                      err)
                      : heed__st_prep(st, ST_AGENT_REPLY_NEW,
                                      "INSERT INTO agent_reply(agent, time, message, "
                                      "conversation, er, ip, ex, compassion, stress) "
                                      "VALUES(?,?,?,?,?,?,?,?,?)",
                                      err);
        if (!s)
            return HEED_EIO;
        heed__st_text_ref(s, 1, m->agent);
        sqlite3_bind_int64(s, 2, m->time);
        sqlite3_bind_int64(s, 3, msg);
        sqlite3_bind_int64(s, 4, conv);
        for (int c = 0; c < HEED_EMPATHY_COUNT; c++)
            bind_opt_int(s, 5 + c, m->empathy[c]);
        bind_opt_real(s, 8, m->compassion, m->compassion >= 0);
        bind_opt_real(s, 9, cs->answered, cs->has_answered);
        return sqlite3_step(s) == SQLITE_DONE ? HEED_OK
                                              : heed__st_fail(st, err, "agent replies");
    }
    if (m->role != HEED_ROLE_CUSTOMER)
        return HEED_OK;
    /* the staged rows too: an import may have left some there */
    for (int staged = 0; staged < 2; staged++) {
        s = staged ? heed__st_prep(st, ST_AGENT_REPLY_STRESS_AT_STAGE,
                                   "UPDATE agent_reply_stage SET stress = " ANSWERED_STRESS(
                                       "agent_reply_stage") " WHERE conversation = ?1 AND "
                                                            "time >= ?2",
                                   err)
                   : heed__st_prep(st, ST_AGENT_REPLY_STRESS_AT,
                                   "UPDATE agent_reply SET stress = " ANSWERED_STRESS(
                                       "agent_reply") " WHERE conversation = ?1 AND time >= ?2",
                                   err);
        if (!s)
            return HEED_EIO;
        sqlite3_bind_int64(s, 1, conv);
        sqlite3_bind_int64(s, 2, m->time);
        if (sqlite3_step(s) != SQLITE_DONE)
            return heed__st_fail(st, err, "agent replies");
    }
    return HEED_OK;
}

/* Keeps conversation.top_need (store_int.h) equal to its messages after
 * customer message `msg` was re-scored. */
static int top_need(heed_store *st, int64_t msg, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(st, ST_TOP_NEED,
                                    "UPDATE conversation SET top_need = "
                                    HEED_ST_TOP_NEED("conversation.id")
                                    " WHERE id = (SELECT conversation FROM message WHERE id = ?1)",
                                    err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, msg);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "top need");
}

/* The top need of conversation conv after a customer message with a need
 * was added to it (HEED_ST_TOP_NEED counted in C: the SQL's GROUP BY and
 * ORDER BY built two temporary b-trees per message), from the memo when the
 * conversation was created in this transaction (c), else from its customer
 * messages with a need, into *need for the conversation's update in the same
 * put; *has 0: the SQL set it already (a need stored as another type than an
 * integer, or more distinct needs than counted in C). */
static int top_need_read(heed_store *st, int64_t conv, const heed_txconv *c, int *has,
                         int64_t *need, heed_error *err)
{
    heed_need_tally nd;
    nd.n = 0;
    nd.over = 0;
    if (c) {
        for (size_t i = 0; i < c->n_msgs; i++)
            if (c->msg[i].has_need)
                heed__need_tally_add(&nd, c->msg[i].need, c->msg[i].time, c->msg[i].id);
    } else {
        sqlite3_stmt *s = heed__st_prep(st, ST_CONV_NEEDS,
                                        "SELECT need, time, id FROM message WHERE "
                                        "conversation = ?1 AND role = 1 AND need IS NOT NULL",
                                        err);
        if (!s)
            return HEED_EIO;
        sqlite3_bind_int64(s, 1, conv);
        int r = SQLITE_DONE;
        while (!nd.over && (r = sqlite3_step(s)) == SQLITE_ROW) {
            if (sqlite3_column_type(s, 0) != SQLITE_INTEGER)
                nd.over = 1;
            else
                heed__need_tally_add(&nd, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                                sqlite3_column_int64(s, 2));
        }
        if (!nd.over && r != SQLITE_DONE)
            return heed__st_fail(st, err, "top need");
        sqlite3_reset(s);
    }
    *has = heed__need_tally_top(&nd, need);
    if (*has)
        return HEED_OK;
    sqlite3_stmt *s = heed__st_prep(st, ST_TOP_NEED_CONV,
                                    "UPDATE conversation SET top_need = " HEED_ST_TOP_NEED("?1")
                                    " WHERE id = ?1",
                                    err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, conv);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "top need");
}

/* Updates conversation conv after n messages from time first to last were
 * put into it (status, channel, subject, need: as heed__txpend_touch takes
 * them; has_need 0: the top need stays). */
static int conv_touch(heed_store *st, int64_t conv, int64_t n, int64_t first, int64_t last,
                      const char *status, const char *channel, const char *subject, int has_need,
                      int64_t need, heed_error *err)
{
    sqlite3_stmt *s =
        heed__st_prep(st, ST_CONV_TOUCH,
                      "UPDATE conversation SET n_messages=n_messages+?7, "
                      "first_time=min(first_time, ?1), last_time=max(last_time, ?8), "
                      "status=coalesce(?2, status), channel=coalesce(channel, ?3), "
                      "subject=coalesce(subject, ?4), top_need=coalesce(?6, top_need) WHERE id=?5",
                      err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, first);
    heed__st_text_ref(s, 2, status);
    heed__st_text_ref(s, 3, channel);
    heed__st_text_ref(s, 4, subject);
    sqlite3_bind_int64(s, 5, conv);
    if (has_need)
        sqlite3_bind_int64(s, 6, need);
    else
        sqlite3_bind_null(s, 6);
    sqlite3_bind_int64(s, 7, n);
    sqlite3_bind_int64(s, 8, last);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "update conversation");
}

int heed__st_settle(heed_store *st, heed_error *err)
{
    heed_txpend *p = &st->memo->pend;
    if (!p->conv)
        return HEED_OK;
    int64_t conv = p->conv;
    p->conv = 0;
    if (st->memo->conv.id == conv)
        st->memo->conv.id = 0; /* its agent_conv rows are stored now: upserts again */
    int rc = HEED_OK;
    if (p->n)
        rc = conv_touch(st, conv, p->n, p->first, p->last, p->has_status ? p->status : NULL,
                        p->has_channel ? p->channel : NULL, p->has_subject ? p->subject : NULL,
                        p->has_need, p->need, err);
    for (size_t i = 0; i < p->n_agents && !rc; i++) {
        const heed_txpend_agent *a = &p->agent[i];
        sqlite3_stmt *s =
            st->stage ? heed__st_prep(st, ST_AGENT_CONV_PUT_STAGE,
                                      "INSERT INTO agent_conv_stage(agent, conversation, start, "
                                      "end, replies, peak_stress) VALUES(?, ?, ?, ?, ?, ?)",
                                      err)
                      : heed__st_prep(st, ST_AGENT_CONV_PUT,
                                      "INSERT INTO agent_conv(agent, conversation, start, end, "
                                      "replies, peak_stress) VALUES(?, ?, ?, ?, ?, ?)",
                                      err);
        if (!s)
            return HEED_EIO;
        heed__st_text_ref(s, 1, a->agent);
        sqlite3_bind_int64(s, 2, conv);
        sqlite3_bind_int64(s, 3, a->start);
        sqlite3_bind_int64(s, 4, a->end);
        sqlite3_bind_int64(s, 5, a->replies);
        sqlite3_bind_double(s, 6, a->peak);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = heed__st_fail(st, err, "agent summary");
    }
    return rc;
}

int heed__st_unstage(heed_store *st, heed_error *err)
{
    int rc = heed__st_settle(st, err);
    if (rc)
        return rc;
    /* in key order: the pages of agent_reply and of agent_conv and its
     * indexes are each changed once (a reply is staged once, as its message
     * is stored once; a conversation's rows of one agent combine) */
    char *msg = NULL;
    if (sqlite3_exec(st->db,
                     "INSERT INTO agent_reply(agent, time, message, conversation, er, ip, ex, "
                     "compassion, stress) SELECT agent, time, message, conversation, er, ip, "
                     "ex, compassion, stress FROM agent_reply_stage ORDER BY agent, time, "
                     "message;"
                     "DELETE FROM agent_reply_stage;"
                     "INSERT INTO agent_conv(agent, conversation, start, end, replies, "
                     "peak_stress) SELECT agent, conversation, start, end, replies, "
                     "peak_stress FROM agent_conv_stage WHERE true ORDER BY agent, conversation "
                     "ON CONFLICT(agent, conversation) DO UPDATE SET " AGENT_CONV_ADD(
                         "excluded.replies") ";"
                     "DELETE FROM agent_conv_stage",
                     NULL, NULL, &msg) != SQLITE_OK) {
        if (err) {
            err->code = HEED_EIO;
            snprintf(err->msg, sizeof err->msg, "store: move the staged agent rows: %s",
                     msg ? msg : "error");
        }
        sqlite3_free(msg);
        return HEED_EIO;
    }
    return HEED_OK;
}

int heed_store_rebuild_agent_convs(heed_store *st, heed_error *err)
{
    int rc = heed__st_settle(st, err);
    if (rc)
        return rc;
    heed__txmemo_clear(st->memo);
    char *msg = NULL;
    if (sqlite3_exec(st->db,
                     "DELETE FROM agent_reply;"
                     "INSERT INTO agent_reply(agent, time, message, conversation, er, ip, ex, "
                     "compassion, stress) SELECT m.agent, m.time, m.id, m.conversation, m.er, "
                     "m.ip, m.ex, m.compassion, " ANSWERED_STRESS("m") " FROM message m WHERE "
                     "m.agent IS NOT NULL AND m.role = 2;"
                     "DELETE FROM agent_conv;"
                     "INSERT INTO agent_conv(agent, conversation, start, end, replies, "
                     "peak_stress) SELECT a.ag, a.cv, a.s, a.e, a.n, coalesce((SELECT "
                     "max(x.stress) FROM message x WHERE x.conversation = a.cv AND x.role = 1 "
                     "AND x.time <= a.e), 0) FROM (SELECT m.agent ag, m.conversation cv, "
                     "min(m.time) s, max(m.time) e, count(*) n FROM message m WHERE m.agent IS "
                     "NOT NULL AND m.role = 2 GROUP BY m.agent, m.conversation) a;"
                     /* what is staged is of stored messages: all rebuilt */
                     "DELETE FROM agent_reply_stage;"
                     "DELETE FROM agent_conv_stage",
                     NULL, NULL, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return heed__st_fail(st, err, "rebuild the agent summaries");
    }
    return HEED_OK;
}

int heed_store_put_message(heed_store *st, const heed_st_message *m_in, const heed_st_promise *p,
                           size_t np, const heed_st_key *keys, size_t nk, int *added,
                           heed_error *err)
{
    *added = 0;
    heed_st_message mc = *m_in;
    const heed_st_message *m = &mc;
    char agent[HEED_STORE_AGENT_MAX];
    int rc = agent_of(st, &mc.agent, agent, NULL, err);
    if (rc)
        return rc;
    int64_t conv = 0, party = 0;
    rc = conversation(st, m, &conv, &party, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = heed__st_prep(
        st, ST_MSG_PUT,
        "INSERT OR IGNORE INTO message(source, ext_id, conversation, role, agent, time, tz, "
        "channel, text, " ANALYSIS_COLS ") VALUES(?,?,?,?,?,?,?,?,?,"
        "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, m->source);
    heed__st_text_ref(s, 2, m->id);
    sqlite3_bind_int64(s, 3, conv);
    sqlite3_bind_int(s, 4, m->role);
    heed__st_text_ref(s, 5, m->agent);
    sqlite3_bind_int64(s, 6, m->time);
    sqlite3_bind_int(s, 7, m->tz_min);
    heed__st_text_ref(s, 8, m->channel);
    sqlite3_bind_text(s, 9, m->text ? m->text : "", (int)m->text_len, SQLITE_STATIC);
    bind_analysis(s, 10, m);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "add message");
    if (!sqlite3_changes(st->db))
        return HEED_OK; /* imported before */
    *added = 1;
    int64_t msg = sqlite3_last_insert_rowid(st->db);
    if (m->role != HEED_ROLE_CUSTOMER && (rc = heed__st_other_time(st, m->time, err)))
        return rc;
    /* a conversation created in this transaction is known from the memo:
     * its party is new (no person to mark or unlink, keys and crm known) and
     * its messages are those put since */
    heed_txconv *c = heed__txmemo_conv(st->memo, conv);
    if (c && m->role == HEED_ROLE_CUSTOMER)
        c = heed__txconv_customer(st->memo, c, m->time, msg, !isnan(m->stress), m->stress,
                                  m->need >= 0, m->need);
    /* what is pending is of c: written before the statements without the memo */
    if (!c && (rc = heed__st_settle(st, err)))
        return rc;
    /* the message, its promises and the conversation's status and channel
     * change what the queue decides for the conversation's customer */
    if (!c && (rc = mark_party(st, party, err)))
        return rc;
    /* a message without a need leaves the counts of the others as they are */
    int has_need = 0;
    int64_t need = 0;
    if (m->role == HEED_ROLE_CUSTOMER && m->need >= 0 &&
        (rc = top_need_read(st, conv, c, &has_need, &need, err)))
        return rc;
    const char *status = m->status && *m->status ? m->status : NULL;
    if (c && !heed__txpend_touch(st->memo, c, m->time, status, m->channel, m->subject, has_need,
                                 need)) {
        if ((rc = heed__st_settle(st, err)))
            return rc;
        c = NULL; /* forgotten: the rest as without the memo */
    }
    if (!c && (rc = conv_touch(st, conv, 1, m->time, m->time, status, m->channel, m->subject,
                               has_need, need, err)))
        return rc;
    if (m->role != HEED_ROLE_AGENT && m->customer && *m->customer && !(c && c->has_crm)) {
        s = heed__st_prep(st, ST_PARTY_CRM,
                          "UPDATE party SET crm=? WHERE id=? AND crm IS NULL", err);
        if (!s)
            return HEED_EIO;
        heed__st_text_ref(s, 1, m->customer);
        sqlite3_bind_int64(s, 2, party);
        if (sqlite3_step(s) != SQLITE_DONE)
            return heed__st_fail(st, err, "update party");
        if (c)
            c->has_crm = 1;
        else if (sqlite3_changes(st->db) > 0 && (rc = party_dirty(st, party, err)))
            return rc;
    }
    if (m->role != HEED_ROLE_AGENT && (rc = party_keys(st, party, keys, nk, c, err)))
        return rc;
    heed_cstress cs = {0};
    if (m->role == HEED_ROLE_AGENT && m->agent) {
        if ((rc = customer_stress_at(st, conv, m->time, c, &cs, err)))
            return rc;
        if (c && (!c->has_reply || m->time > c->last_reply)) {
            c->has_reply = 1;
            c->last_reply = m->time;
        }
    }
    /* a customer message changes the rows of the replies at or after it:
     * none when the memo knows every reply came before */
    if (c && m->role != HEED_ROLE_AGENT && (!c->has_reply || c->last_reply < m->time))
        return put_promises(st, msg, conv, m->time, p, np, err);
    /* the agent_conv rows of c are pending (heed_txpend) */
    if (c && m->role == HEED_ROLE_AGENT && m->agent &&
        !heed__txpend_reply(&st->memo->pend, m->agent, m->time, cs.has_peak ? cs.peak : 0)) {
        if ((rc = heed__st_settle(st, err)))
            return rc;
        c = NULL;
    }
    if (c && m->role != HEED_ROLE_AGENT)
        heed__txpend_customer(&st->memo->pend, m->time, m->stress);
    if ((!c && (rc = agent_conv(st, m, conv, &cs, err))) ||
        (rc = agent_reply_new(st, msg, m, conv, &cs, err)))
        return rc;
    return put_promises(st, msg, conv, m->time, p, np, err);
}

int heed_store_update_analysis(heed_store *st, int64_t id, const heed_st_message *m,
                               const heed_st_promise *p, size_t np, heed_error *err)
{
    int rc0 = heed__st_settle(st, err);
    if (rc0)
        return rc0;
    heed__txmemo_clear(st->memo); /* a conversation's stress and needs change */
    sqlite3_stmt *s = heed__st_prep(
        st, ST_MSG_UPDATE,
        "UPDATE message SET (" ANALYSIS_COLS ") = (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "WHERE id=?",
        err);
    if (!s)
        return HEED_EIO;
    int i = bind_analysis(s, 1, m);
    sqlite3_bind_int64(s, i, id);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "update analysis");
    int rc = agent_reply(st, id, m->role, err);
    if (!rc && m->role == HEED_ROLE_CUSTOMER)
        rc = top_need(st, id, err); /* its need may have changed */
    /* the peak stress the conversation's agents faced, staged rows too */
    for (int staged = 0; !rc && m->role == HEED_ROLE_CUSTOMER && staged < 2; staged++) {
        s = staged ? heed__st_prep(st, ST_AGENT_CONV_RESTRESS_STAGE,
                                   "UPDATE agent_conv_stage SET peak_stress = coalesce((SELECT "
                                   "max(x.stress) FROM message x WHERE x.conversation = "
                                   "agent_conv_stage.conversation AND x.role = 1 AND x.time <= "
                                   "agent_conv_stage.end), 0) WHERE conversation = (SELECT "
                                   "conversation FROM message WHERE id = ?1)",
                                   err)
                   : heed__st_prep(st, ST_AGENT_CONV_RESTRESS,
                                   "UPDATE agent_conv SET peak_stress = coalesce((SELECT "
                                   "max(x.stress) FROM message x WHERE x.conversation = "
                                   "agent_conv.conversation AND x.role = 1 AND x.time <= "
                                   "agent_conv.end), 0) WHERE conversation = (SELECT "
                                   "conversation FROM message WHERE id = ?1)",
                                   err);
        if (!s)
            return HEED_EIO;
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = heed__st_fail(st, err, "agent summary");
    }
    if (rc)
        return rc;
    /* the statuses the queue refresh stored for them go with them (the
     * next refresh decides the new ones) */
    s = heed__st_prep(st, ST_PROMISE_STATE_DEL,
                      "DELETE FROM promise_state WHERE promise IN (SELECT id FROM promise WHERE "
                      "message=?)",
                      err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "update promises");
    s = heed__st_prep(st, ST_PROMISE_DEL, "DELETE FROM promise WHERE message=?", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "update promises");
    return put_promises(st, id, 0, m->time, p, np, err);
}

/* Looks up source+id with `find` (slot fs); returns 1 found, 0 not, < 0 error. */
static int exists(heed_store *st, int fs, const char *sql, const char *source, const char *id,
                  heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(st, fs, sql, err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, source);
    heed__st_text_ref(s, 2, id);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
        return 1;
    return r == SQLITE_DONE ? 0 : heed__st_fail(st, err, "look up");
}

int heed_store_put_customer(heed_store *st, const heed_st_customer *c, const heed_st_key *keys,
                            size_t nk, int *added, heed_error *err)
{
    *added = 0;
    int r = exists(st, ST_CUST_FIND, "SELECT 1 FROM customer WHERE source=? AND ext_id=?",
                   c->source, c->id, err);
    if (r)
        return r < 0 ? r : HEED_OK;
    int64_t party = 0;
    int rc = party_new(st, "customer", c->id, c->id, &party, err);
    if (!rc)
        rc = party_keys(st, party, keys, nk, NULL, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = heed__st_prep(st, ST_CUST_PUT,
                                    "INSERT INTO customer(source, ext_id, party, name, segment, "
                                    "vulnerable, created) VALUES(?,?,?,?,?,?,?)",
                                    err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, c->source);
    heed__st_text_ref(s, 2, c->id);
    sqlite3_bind_int64(s, 3, party);
    heed__st_text_ref(s, 4, c->name);
    heed__st_text_ref(s, 5, c->segment);
    sqlite3_bind_int(s, 6, c->vulnerable ? 1 : 0);
    if (c->has_created)
        sqlite3_bind_int64(s, 7, c->created);
    else
        sqlite3_bind_null(s, 7);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "add customer");
    *added = 1;
    return HEED_OK;
}

/* The CRM id among keys (kind "crm"), or NULL. */
static const char *crm_of(const heed_st_key *keys, size_t nk)
{
    for (size_t i = 0; i < nk; i++)
        if (keys[i].kind && !strcmp(keys[i].kind, "crm"))
            return keys[i].token;
    return NULL;
}

int heed_store_put_event(heed_store *st, const heed_st_event *e_in, const heed_st_key *keys,
                         size_t nk, int *added, heed_error *err)
{
    *added = 0;
    heed_st_event ec = *e_in;
    const heed_st_event *e = &ec;
    char agent[HEED_STORE_AGENT_MAX];
    int arc = agent_of(st, &ec.agent, agent, NULL, err);
    if (arc)
        return arc;
    int r = exists(st, ST_EVENT_FIND, "SELECT 1 FROM event WHERE source=? AND ext_id=?",
                   e->source, e->id, err);
    if (r)
        return r < 0 ? r : HEED_OK;
    int64_t party = 0;
    int rc = party_new(st, "event", e->id, crm_of(keys, nk), &party, err);
    if (!rc)
        rc = party_keys(st, party, keys, nk, NULL, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = heed__st_prep(
        st, ST_EVENT_PUT,
        "INSERT INTO event(source, ext_id, party, type, time, order_ref, amount, currency, "
        "agent, detail) VALUES(?,?,?,?,?,?,?,?,?,?)",
        err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, e->source);
    heed__st_text_ref(s, 2, e->id);
    sqlite3_bind_int64(s, 3, party);
    heed__st_text_ref(s, 4, e->type);
    sqlite3_bind_int64(s, 5, e->time);
    heed__st_text_ref(s, 6, e->order);
    bind_opt_real(s, 7, e->amount, e->has_amount);
    heed__st_text_ref(s, 8, e->currency);
    heed__st_text_ref(s, 9, e->agent);
    heed__st_text_ref(s, 10, e->detail);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "add event");
    *added = 1;
    return HEED_OK;
}

int heed_store_put_survey(heed_store *st, const heed_st_survey *v, const heed_st_key *keys,
                          size_t nk, int *added, heed_error *err)
{
    *added = 0;
    int r = exists(st, ST_SURVEY_FIND, "SELECT 1 FROM survey WHERE source=? AND ext_id=?",
                   v->source, v->id, err);
    if (r)
        return r < 0 ? r : HEED_OK;
    int64_t party = 0;
    int rc = party_new(st, "survey", v->id, crm_of(keys, nk), &party, err);
    if (!rc)
        rc = party_keys(st, party, keys, nk, NULL, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = heed__st_prep(
        st, ST_SURVEY_PUT,
        "INSERT INTO survey(source, ext_id, party, kind, score, time, comment, "
        "conversation_ext, valence, stress) VALUES(?,?,?,?,?,?,?,?,?,?)",
        err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, v->source);
    heed__st_text_ref(s, 2, v->id);
    sqlite3_bind_int64(s, 3, party);
    heed__st_text_ref(s, 4, v->kind);
    sqlite3_bind_double(s, 5, v->score);
    sqlite3_bind_int64(s, 6, v->time);
    heed__st_text_ref(s, 7, v->comment);
    heed__st_text_ref(s, 8, v->conversation);
    bind_opt_real(s, 9, v->valence, v->has_analysis);
    bind_opt_real(s, 10, v->stress, v->has_analysis);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "add survey");
    *added = 1;
    return HEED_OK;
}

int heed_store_put_agent(heed_store *st, const char *id, const char *name, const char *team,
                         int *added, heed_error *err)
{
    /* an agent first seen on a message has no name or team; the agents file
     * fills them in whenever it comes */
    *added = 0;
    const char *given = id;
    char canon[HEED_STORE_AGENT_MAX];
    int there; /* known from this transaction, or looked up */
    int rc = agent_of(st, &id, canon, &there, err);
    if (rc)
        return rc;
    if (there && !name && !team)
        return HEED_OK; /* a reply's agent, stored and remembered */
    if (!there) {
        sqlite3_stmt *s =
            heed__st_prep(st, ST_AGENT_FIND, "SELECT 1 FROM agent WHERE id=?", err);
        if (!s)
            return HEED_EIO;
        heed__st_text_ref(s, 1, id);
        int r = sqlite3_step(s);
        if (r != SQLITE_ROW && r != SQLITE_DONE)
            return heed__st_fail(st, err, "look up agent");
        there = r == SQLITE_ROW;
    }
    if (!there || name || team) {
        sqlite3_stmt *s =
            heed__st_prep(st, ST_AGENT_PUT,
                          "INSERT INTO agent(id, name, team) VALUES(?1, ?2, ?3) ON CONFLICT(id) "
                          "DO UPDATE SET name=coalesce(?2, name), team=coalesce(?3, team)",
                          err);
        if (!s)
            return HEED_EIO;
        heed__st_text_ref(s, 1, id);
        heed__st_text_ref(s, 2, name);
        heed__st_text_ref(s, 3, team);
        if (sqlite3_step(s) != SQLITE_DONE)
            return heed__st_fail(st, err, "add agent");
        *added = !there;
    }
    heed__txmemo_agent_put(st->memo, given, id, 1);
    return HEED_OK;
}

int heed_store_put_shift(heed_store *st, const heed_st_shift *sh_in, int *added, heed_error *err)
{
    heed_st_shift shc = *sh_in;
    const heed_st_shift *sh = &shc;
    char agent[HEED_STORE_AGENT_MAX];
    int rc = agent_of(st, &shc.agent, agent, NULL, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = heed__st_prep(st, ST_SHIFT_PUT,
                                    "INSERT OR IGNORE INTO shift(source, ext_id, agent, team, "
                                    "start, end) VALUES(?,?,?,?,?,?)",
                                    err);
    if (!s)
        return HEED_EIO;
    heed__st_text_ref(s, 1, sh->source);
    heed__st_text_ref(s, 2, sh->id);
    heed__st_text_ref(s, 3, sh->agent);
    heed__st_text_ref(s, 4, sh->team);
    sqlite3_bind_int64(s, 5, sh->start);
    sqlite3_bind_int64(s, 6, sh->end);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "add shift");
    *added = sqlite3_changes(st->db) > 0;
    return HEED_OK;
}

/* ------------------------------------------------------------ identity */

/* Streams parties with their keys: one query ordered by party, keys grouped.
 * slot >= 0: the statement is kept in that slot (a lookup made many times). */
static int parties_where(heed_store *st, int slot, const char *sql, int64_t arg,
                         heed_st_party_fn fn, void *ctx, heed_error *err)
{
    sqlite3_stmt *s = NULL;
    if (slot >= 0 ? !(s = heed__st_prep(st, slot, sql, err))
                  : sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "list parties");
    if (arg)
        sqlite3_bind_int64(s, 1, arg);
    /* a party's keys, as many as it has (they grow without bound: a
     * conversation gains the contacts of every message) */
    heed_st_key *keys = NULL;
    char *(*kbuf)[2] = NULL;
    size_t nk = 0, cap = 0;
    heed_st_party cur = {0};
    char *label = NULL, *crm = NULL, *kind = NULL;
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        if (id != cur.id) {
            if (cur.id && (rc = fn(ctx, &cur, keys, nk)))
                break;
            for (size_t i = 0; i < nk; i++)
                free(kbuf[i][0]), free(kbuf[i][1]);
            nk = 0;
            free(label), free(crm), free(kind);
            const char *k = (const char *)sqlite3_column_text(s, 1);
            const char *l = (const char *)sqlite3_column_text(s, 2);
            const char *c = (const char *)sqlite3_column_text(s, 3);
            kind = strdup(k ? k : "");
            label = l ? strdup(l) : NULL;
            crm = c ? strdup(c) : NULL;
            cur = (heed_st_party){.id = id, .kind = kind, .label = label, .crm = crm};
        }
        cur.person = sqlite3_column_int64(s, 6);
        const char *kk = (const char *)sqlite3_column_text(s, 4);
        const char *kt = (const char *)sqlite3_column_text(s, 5);
        if (kk && kt && nk == cap) {
            size_t c = cap ? 2 * cap : 16;
            heed_st_key *k2 = realloc(keys, c * sizeof *k2);
            if (k2)
                keys = k2;
            char *(*b2)[2] = realloc(kbuf, c * sizeof *b2);
            if (b2)
                kbuf = b2;
            if (!k2 || !b2) {
                rc = HEED_ENOMEM;
                break;
            }
            cap = c;
        }
        if (kk && kt) {
            kbuf[nk][0] = strdup(kk);
            kbuf[nk][1] = strdup(kt);
            keys[nk] = (heed_st_key){kbuf[nk][0], kbuf[nk][1]};
            nk++;
        }
    }
    if (!rc && r != SQLITE_DONE && r != SQLITE_ROW)
        rc = heed__st_fail(st, err, "list parties");
    else if (!rc && cur.id)
        rc = fn(ctx, &cur, keys, nk);
    for (size_t i = 0; i < nk; i++)
        free(kbuf[i][0]), free(kbuf[i][1]);
    free(keys), free(kbuf);
    free(label), free(crm), free(kind);
    if (slot >= 0)
        sqlite3_reset(s);
    else
        sqlite3_finalize(s);
    return rc;
}

int heed_store_parties(heed_store *st, heed_st_party_fn fn, void *ctx, heed_error *err)
{
    return parties_where(st, -1,
                         "SELECT p.id, p.kind, p.label, p.crm, k.kind, k.token, p.person FROM party p "
                         "LEFT JOIN party_key k ON k.party = p.id ORDER BY p.id",
                         0, fn, ctx, err);
}

int heed_store_person_parties(heed_store *st, int64_t person, heed_st_party_fn fn, void *ctx,
                              heed_error *err)
{
    return parties_where(st, -1,
                         "SELECT p.id, p.kind, p.label, p.crm, k.kind, k.token, p.person FROM party p "
                         "LEFT JOIN party_key k ON k.party = p.id WHERE p.person = ? "
                         "ORDER BY p.id",
                         person, fn, ctx, err);
}

int heed_store_party(heed_store *st, int64_t id, heed_st_party_fn fn, void *ctx,
                     heed_error *err)
{
    /* kept: the identity walks look parties up one by one */
    return parties_where(st, ST_PARTY_ONE,
                         "SELECT p.id, p.kind, p.label, p.crm, k.kind, k.token, p.person FROM "
                         "party p LEFT JOIN party_key k ON k.party = p.id WHERE p.id = ?",
                         id, fn, ctx, err);
}

int heed_store_party_rows(heed_store *st, heed_st_party_row_fn fn, void *ctx, heed_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT id, kind, crm IS NOT NULL FROM party "
                                   "ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "list parties");
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(s, 1);
        if ((rc = fn(ctx, sqlite3_column_int64(s, 0), kind ? kind : "",
                     sqlite3_column_int(s, 2))))
            break;
    }
    if (!rc && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "list parties");
    sqlite3_finalize(s);
    return rc;
}

int heed_store_party_persons(heed_store *st, heed_st_pair_fn fn, void *ctx, heed_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT id, coalesce(person, 0) FROM party ORDER BY id", -1,
                           &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "list parties");
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = fn(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1))))
            break;
    if (!rc && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "list parties");
    sqlite3_finalize(s);
    return rc;
}

int heed_store_key_rows(heed_store *st, heed_st_key_row_fn fn, void *ctx, heed_error *err)
{
    /* The two statements' plans are a merge of two index scans and an index
     * scan (EXPLAIN QUERY PLAN: "MERGE (UNION ALL)" over party_crm and
     * party_key_token, then party_key_token): no temporary b-tree, so memory
     * stays that of SQLite's page cache. */
    static const char *const sql[2] = {
        "SELECT 'crm', crm, id, 0 FROM party WHERE crm IS NOT NULL UNION ALL "
        "SELECT 'crm', token, party, 1 FROM party_key WHERE kind = 'crm' ORDER BY 2, 3",
        "SELECT kind, token, party, 1 FROM party_key WHERE kind <> 'crm' "
        "ORDER BY kind, token, party"};
    int rc = HEED_OK;
    for (int q = 0; q < 2 && !rc; q++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db, sql[q], -1, &s, NULL) != SQLITE_OK)
            return heed__st_fail(st, err, "list keys");
        int r;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            const char *kind = (const char *)sqlite3_column_text(s, 0);
            const char *tok = (const char *)sqlite3_column_text(s, 1);
            size_t len = (size_t)sqlite3_column_bytes(s, 1);
            if (kind && tok &&
                (rc = fn(ctx, kind, tok, len, sqlite3_column_int64(s, 2), sqlite3_column_int(s, 3))))
                break;
        }
        if (!rc && r != SQLITE_DONE)
            rc = heed__st_fail(st, err, "list keys");
        sqlite3_finalize(s);
    }
    return rc;
}

int heed_store_unlinked(heed_store *st, heed_st_id_fn fn, void *ctx, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(
        st, ST_UNLINKED, "SELECT id FROM party WHERE person IS NULL ORDER BY id", err);
    if (!s)
        return HEED_EIO;
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = fn(ctx, sqlite3_column_int64(s, 0), NULL)))
            break;
    if (!rc && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "list unlinked parties");
    sqlite3_reset(s);
    return rc;
}

/* *v: the one integer `sql` (a query of one row) gives; what: the failure's
 * words. */
static int scalar_i64(heed_store *st, const char *sql, int64_t *v, const char *what,
                      heed_error *err)
{
    *v = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, what);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
        *v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return r == SQLITE_ROW ? HEED_OK : heed__st_fail(st, err, what);
}

int heed_store_any_linked(heed_store *st, int *any, heed_error *err)
{
    int64_t v;
    int rc = scalar_i64(st, "SELECT EXISTS(SELECT 1 FROM party WHERE person IS NOT NULL)", &v,
                        "look for linked parties", err);
    *any = v != 0;
    return rc;
}

int heed_store_party_max(heed_store *st, int64_t *max, heed_error *err)
{
    return scalar_i64(st, "SELECT coalesce(max(id), 0) FROM party", max, "count parties", err);
}

/* The CRM id a party stands for: its own, else the one among its keys. */
#define EFFECTIVE_CRM                                                                      \
    "coalesce(p.crm, (SELECT min(c.token) FROM party_key c WHERE c.party = p.id AND "      \
    "c.kind = 'crm'))"

int heed_store_key_parties(heed_store *st, const char *kind, const char *token,
                           heed_st_id_fn fn, void *ctx, heed_error *err)
{
    int is_crm = !strcmp(kind, "crm");
    sqlite3_stmt *s =
        is_crm ? heed__st_prep(st, ST_CRM_PARTIES,
                               "SELECT p.id, " EFFECTIVE_CRM " FROM party p WHERE p.crm = ?1 "
                               "UNION SELECT p.id, " EFFECTIVE_CRM " FROM party_key k JOIN "
                               "party p ON p.id = k.party WHERE k.kind = 'crm' AND k.token = ?1 "
                               "ORDER BY 1",
                               err)
               : heed__st_prep(st, ST_KEY_PARTIES,
                               "SELECT p.id, " EFFECTIVE_CRM " FROM party_key k JOIN party p ON "
                               "p.id = k.party WHERE k.kind = ?2 AND k.token = ?1 "
                               "ORDER BY k.party", /* the index's order: no sort */
                               err);
    if (!s)
        return HEED_EIO;
    heed__st_text(s, 1, token);
    if (!is_crm)
        heed__st_text(s, 2, kind);
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = fn(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1))))
            break;
    if (!rc && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "list a key's parties");
    sqlite3_reset(s);
    return rc;
}

int heed_store_set_person(heed_store *st, int64_t party, int64_t person, heed_error *err)
{
    heed__txmemo_clear(st->memo); /* a new party may have a person now */
    sqlite3_stmt *s = heed__st_prep(
        st, ST_SET_PERSON, "UPDATE party SET person=?1 WHERE id=?2 AND person IS NOT ?1", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, person);
    sqlite3_bind_int64(s, 2, party);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "set person");
}

int heed_store_add_unmerge(heed_store *st, int64_t a, int64_t b, heed_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR IGNORE INTO unmerge(a, b, created) VALUES(?, ?, ?)", -1,
                           &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "add unmerge");
    sqlite3_bind_int64(s, 1, a < b ? a : b);
    sqlite3_bind_int64(s, 2, a < b ? b : a);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
    int r = sqlite3_step(s);
    sqlite3_finalize(s);
    return r == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "add unmerge");
}

int heed_store_unmerges(heed_store *st, heed_st_pair_fn fn, void *ctx, heed_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT a, b FROM unmerge ORDER BY a, b", -1, &s, NULL) !=
        SQLITE_OK)
        return heed__st_fail(st, err, "list unmerges");
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = fn(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1))))
            break;
    if (!rc && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "list unmerges");
    sqlite3_finalize(s);
    return rc;
}

int heed_store_find_person(heed_store *st, const char *ref, int64_t *person, heed_error *err)
{
    *person = 0;
    static const char *const q[] = {
        "SELECT p.person FROM customer c JOIN party p ON p.id = c.party WHERE c.ext_id = ?",
        "SELECT p.person FROM conversation c JOIN party p ON p.id = c.party WHERE c.ext_id = ?",
        ("SELECT person FROM party WHERE person = CAST(?1 AS INTEGER) OR "
         "id = CAST(?1 AS INTEGER) ORDER BY person = CAST(?1 AS INTEGER) DESC"),
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0] && !*person; i++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db, q[i], -1, &s, NULL) != SQLITE_OK)
            return heed__st_fail(st, err, "find customer");
        heed__st_text(s, 1, ref);
        if (sqlite3_step(s) == SQLITE_ROW)
            *person = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    return HEED_OK;
}
