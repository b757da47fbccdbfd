/* queries.c - reading the SQLite store: cursors over one person's rows (or
 * everyone's, ordered by person), the materialised act-now queue, agents'
 * work. Every value is a bound parameter. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

struct heed_st_cursor {
    heed_store *st;
    sqlite3_stmt *s;
};

void heed_st_cursor_free(heed_st_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->s);
    free(c);
}

/* Prepares sql into a new cursor. */
static int cursor(heed_store *st, const char *sql, heed_st_cursor **out, heed_error *err)
{
    *out = NULL;
    heed_st_cursor *c = calloc(1, sizeof *c);
    if (!c)
        return HEED_ENOMEM;
    c->st = st;
    int rc = heed__st_settle(st, err);
    if (rc) {
        free(c);
        return rc;
    }
    if (sqlite3_prepare_v2(st->db, sql, -1, &c->s, NULL) != SQLITE_OK) {
        heed__st_fail(st, err, "query");
        free(c);
        return HEED_EIO;
    }
    *out = c;
    return HEED_OK;
}

/* A cursor over a period: sql binds from as ?1 and to as ?2. */
static int period_cursor(heed_store *st, const char *sql, int64_t from, int64_t to,
                         heed_st_cursor **out, heed_error *err)
{
    int rc = cursor(st, sql, out, err);
    if (rc)
        return rc;
    sqlite3_bind_int64((*out)->s, 1, from);
    sqlite3_bind_int64((*out)->s, 2, to);
    return HEED_OK;
}

/* A cursor over an agent's period (agent NULL: every agent's): sql binds the
 * agent as ?1, from as ?2 and to as ?3. */
static int agent_period_cursor(heed_store *st, const char *sql, const char *agent, int64_t from,
                               int64_t to, heed_st_cursor **out, heed_error *err)
{
    int rc = cursor(st, sql, out, err);
    if (rc)
        return rc;
    heed__st_text((*out)->s, 1, agent);
    sqlite3_bind_int64((*out)->s, 2, from);
    sqlite3_bind_int64((*out)->s, 3, to);
    return HEED_OK;
}

/* A cursor over one person's rows (person > 0) or everyone's: sql binds the
 * person as ?1. */
static int person_cursor(heed_store *st, int64_t person, const char *sql, heed_st_cursor **out,
                         heed_error *err)
{
    int rc = cursor(st, sql, out, err);
    if (!rc)
        sqlite3_bind_int64((*out)->s, 1, person);
    return rc;
}

/* Steps: 1 row, 0 done, HEED_EIO. */
static int step(heed_st_cursor *c)
{
    int r = sqlite3_step(c->s);
    if (r == SQLITE_ROW)
        return 1;
    return r == SQLITE_DONE ? 0 : HEED_EIO;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static int col_int_or(sqlite3_stmt *s, int i, int dflt)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_int(s, i);
}

static double col_real_or(sqlite3_stmt *s, int i, double dflt)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_double(s, i);
}

/* The SQL text pre + "p.person = ?1" + post for one person, the same for the
 * persons of heed_store_person_set (HEED_ST_PERSON_SET), or for every linked
 * person. Separate texts, not one CASE expression: the planner can only use
 * the party_person index when the condition is a plain equality or IN (with
 * CASE it scanned every message to show one journey). */
#define BY_PERSON(person, pre, post)                                                         \
    ((person) > 0    ? pre "p.person = ?1" post                                               \
     : (person) < 0 ? pre "p.person IN (SELECT person FROM temp.person_set) AND ?1 < 0" post \
                    : pre "p.person IS NOT NULL AND ?1 <= 0" post)

/* Replaces the ids of the temporary table `name` (one column `id`) of this
 * connection with ids[0..n). */
static int id_set(heed_store *st, const char *create, const char *insert, const int64_t *ids,
                  size_t n, heed_error *err)
{
    if (heed__st_settle(st, err))
        return HEED_EIO;
    char *msg = NULL;
    if (sqlite3_exec(st->db, create, NULL, NULL, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return heed__st_fail(st, err, "id set");
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, insert, -1, &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "id set");
    int rc = HEED_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_bind_int64(s, 1, ids[i]);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = heed__st_fail(st, err, "id set");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

/* The temporary set of persons the cursors over a set read, empty. */
#define PERSON_SET_RESET                                                                      \
    "CREATE TEMP TABLE IF NOT EXISTS person_set(person INTEGER PRIMARY KEY);"                 \
    "DELETE FROM temp.person_set;"

static int person_set_reset(heed_store *st, const char *what, heed_error *err)
{
    if (heed__st_settle(st, err))
        return HEED_EIO;
    char *msg = NULL;
    if (sqlite3_exec(st->db, PERSON_SET_RESET, NULL, NULL, &msg) == SQLITE_OK)
        return HEED_OK;
    sqlite3_free(msg);
    return heed__st_fail(st, err, what);
}

int heed_store_person_set(heed_store *st, const int64_t *persons, size_t n, heed_error *err)
{
    return id_set(st, PERSON_SET_RESET,
                  "INSERT OR IGNORE INTO temp.person_set(person) VALUES(?1)", persons, n, err);
}

int heed_store_conversation_set(heed_store *st, const int64_t *ids, size_t n, heed_error *err)
{
    return id_set(st,
                  "CREATE TEMP TABLE IF NOT EXISTS conversation_set(id INTEGER PRIMARY KEY);"
                  "DELETE FROM temp.conversation_set;",
                  "INSERT OR IGNORE INTO temp.conversation_set(id) VALUES(?1)", ids, n, err);
}

/* ------------------------------------------------------------ messages */

/* The customer messages of [from, to) from the covering partial index
 * message_customer_time (schema 6) alone, in time order: no lookup per row
 * (the conversation, its channel and customer come from
 * heed_store_trend_conversations, joined by the caller in memory). role = 1
 * is written out, not bound: the partial index needs the literal. */
int heed_store_customer_messages(heed_store *st, int64_t from, int64_t to, int with_channel,
                                 heed_st_cursor **out, heed_error *err)
{
    return period_cursor(st,
                         with_channel ? "SELECT time, conversation, need, stress, channel FROM "
                                        "message WHERE time >= ?1 AND time < ?2 AND role = 1"
                                      : "SELECT time, conversation, need, stress, NULL FROM "
                                        "message WHERE time >= ?1 AND time < ?2 AND role = 1",
                         from, to, out, err);
}
_Static_assert(HEED_ROLE_CUSTOMER == 1, "the customer role is 1 in the SQL");

int heed_st_next_custmsg(heed_st_cursor *c, heed_st_custmsg *row)
{
    int r = step(c);
    if (r != 1)
        return r;
    row->time = sqlite3_column_int64(c->s, 0);
    row->conversation = sqlite3_column_int64(c->s, 1);
    row->need = col_int_or(c->s, 2, -1);
    row->stress = col_real_or(c->s, 3, -1);
    row->channel = col_text(c->s, 4);
    return 1;
}

/* The columns of heed_st_trend_conv, the channel only when asked for. */
#define TREND_CONV_SQL(channel, from_where)                                                  \
    "SELECT c.id, " channel ", c.top_need, p.person FROM " from_where

int heed_store_trend_conversations(heed_store *st, int64_t lo, int64_t hi, int with_channel,
                                   heed_st_cursor **out, heed_error *err)
{
    /* a range of the table in rowid order, each party by key: the parties
     * of consecutive conversations are mostly neighbours */
#define RANGE "conversation c JOIN party p ON p.id = c.party WHERE c.id >= ?1 AND c.id <= ?2 " \
              "ORDER BY c.id"
    return period_cursor(st,
                         with_channel ? TREND_CONV_SQL("c.channel", RANGE)
                                      : TREND_CONV_SQL("NULL", RANGE),
                         lo, hi, out, err);
#undef RANGE
}

int heed_store_trend_conversation_set(heed_store *st, int with_channel, heed_st_cursor **out,
                                      heed_error *err)
{
#define SET "temp.conversation_set s JOIN conversation c ON c.id = s.id "                   \
            "JOIN party p ON p.id = c.party ORDER BY s.id"
    return cursor(st,
                  with_channel ? TREND_CONV_SQL("c.channel", SET) : TREND_CONV_SQL("NULL", SET),
                  out, err);
#undef SET
}

int heed_st_next_trend_conversation(heed_st_cursor *c, heed_st_trend_conv *row)
{
    int r = step(c);
    if (r != 1)
        return r;
    row->id = sqlite3_column_int64(c->s, 0);
    row->channel = col_text(c->s, 1);
    row->need = col_int_or(c->s, 2, -1);
    row->person =
        sqlite3_column_type(c->s, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(c->s, 3);
    return 1;
}

int heed_store_trend_surveys(heed_store *st, int64_t from, int64_t to, heed_st_cursor **out,
                             heed_error *err)
{
    /* a survey names its conversation by the id the helpdesk gave it; among
     * the conversations with that id, the one of the same customer (the
     * first stored when sources repeat an id) */
    return period_cursor(
        st,
        "SELECT v.time, v.kind, v.score, c.id, c.channel, c.top_need"
        " FROM survey v JOIN party p ON p.id = v.party "
        "LEFT JOIN conversation c ON c.id = (SELECT c2.id FROM conversation c2 "
        "JOIN party p2 ON p2.id = c2.party WHERE c2.ext_id = v.conversation_ext "
        "AND p2.person = p.person ORDER BY c2.id LIMIT 1) "
        "WHERE v.time >= ?1 AND v.time < ?2 AND p.person IS NOT NULL",
        from, to, out, err);
}

int heed_st_next_trend_survey(heed_st_cursor *c, heed_st_trend_survey *row)
{
    int r = step(c);
    if (r != 1)
        return r;
    row->time = sqlite3_column_int64(c->s, 0);
    row->kind = col_text(c->s, 1);
    row->score = sqlite3_column_double(c->s, 2);
    row->conversation =
        sqlite3_column_type(c->s, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(c->s, 3);
    row->channel = col_text(c->s, 4);
    row->need = col_int_or(c->s, 5, -1);
    return 1;
}

int heed_store_trend_promises(heed_store *st, int64_t from, int64_t to, heed_st_cursor **out,
                              heed_error *err)
{
    /* the covering index promise_made (schema 9): no lookup per row */
    return period_cursor(st,
                         "SELECT id, made, conversation FROM promise "
                         "WHERE made >= ?1 AND made < ?2",
                         from, to, out, err);
}

int heed_st_next_trend_promise(heed_st_cursor *c, heed_st_trend_promise *row)
{
    int r = step(c);
    if (r != 1)
        return r;
    row->id = sqlite3_column_int64(c->s, 0);
    row->made = sqlite3_column_int64(c->s, 1);
    row->conversation = sqlite3_column_int64(c->s, 2);
    return 1;
}

int heed_store_promise_states(heed_store *st, int64_t lo, int64_t hi, heed_st_cursor **out,
                              heed_error *err)
{
    return period_cursor(st,
                         "SELECT promise, due, kept FROM promise_state "
                         "WHERE promise >= ?1 AND promise <= ?2 ORDER BY promise",
                         lo, hi, out, err);
}

int heed_st_next_promise_state(heed_st_cursor *c, heed_st_promise_state *row)
{
    int r = step(c);
    if (r != 1)
        return r;
    row->promise = sqlite3_column_int64(c->s, 0);
    row->due = sqlite3_column_int64(c->s, 1);
    row->has_kept = sqlite3_column_type(c->s, 2) != SQLITE_NULL;
    row->kept = row->has_kept ? sqlite3_column_int64(c->s, 2) : 0;
    return 1;
}

int heed_store_conversation_turns(heed_store *st, const char *source, const char *conv,
                                  int64_t before, size_t limit, heed_st_turn_fn fn, void *ctx,
                                  heed_error *err)
{
    /* conversation(source, ext_id) is unique; message_conversation serves the
     * range on time. A kept statement: the server asks this once per message
     * it ingests, and preparing it cost more than running it. */
    sqlite3_stmt *s = heed__st_prep(
        st, ST_CONV_TURNS,
        "SELECT role, text FROM (SELECT m.role, m.text, m.time, m.id FROM "
        "conversation c JOIN message m ON m.conversation = c.id WHERE "
        "c.source = ?1 AND c.ext_id = ?2 AND m.time < ?3 "
        "ORDER BY m.time DESC, m.id DESC LIMIT ?4) ORDER BY time, id",
        err);
    if (!s)
        return HEED_EIO;
    heed__st_text(s, 1, source);
    heed__st_text(s, 2, conv);
    sqlite3_bind_int64(s, 3, before);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
    int r, rc = HEED_OK;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *t = col_text(s, 1);
        rc = fn(ctx, sqlite3_column_int(s, 0), t ? t : "", (size_t)sqlite3_column_bytes(s, 1));
        if (rc)
            break;
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "conversation turns");
    /* a statement left on a row would hold its read transaction open */
    sqlite3_reset(s);
    return rc;
}

#define MSG_COLS                                                                          \
    "m.id, m.conversation, m.ext_id, c.ext_id, m.agent, m.channel, c.status, c.subject, "   \
    "CASE WHEN ?2 THEN m.text END, m.role, m.time, m.tz, m.valence, m.stress, m.distress, " \
    "m.urgency, m.effort, m.vulnerability, m.escalation, m.emotion, m.need, m.n_asks, "     \
    "m.er, m.ip, m.ex, m.compassion, m.comp_signals, m.addressed, m.n_jargon, m.model"

int heed_store_messages(heed_store *st, int64_t person, unsigned flags, heed_st_cursor **out,
                        heed_error *err)
{
    /* one person: through the party and conversation indexes; everyone: one
     * sorted pass */
    int rc = cursor(st,
                    BY_PERSON(person,
                              "SELECT p.person, " MSG_COLS " FROM party p "
                              "JOIN conversation c ON c.party = p.id "
                              "JOIN message m ON m.conversation = c.id WHERE ",
                              " AND (?3 = 0 OR m.role = 2)"
                              " ORDER BY p.person, c.first_time, c.id, m.time, m.id"),
                    out, err);
    if (rc)
        return rc;
    sqlite3_bind_int64((*out)->s, 1, person);
    sqlite3_bind_int((*out)->s, 2, (flags & HEED_ST_TEXT) != 0);
    sqlite3_bind_int((*out)->s, 3, (flags & HEED_ST_AGENT_ONLY) != 0);
    return HEED_OK;
}

int heed_store_all_messages(heed_store *st, unsigned flags, heed_st_cursor **out,
                            heed_error *err)
{
    int rc = cursor(st,
                    "SELECT 0, " MSG_COLS " FROM message m "
                    "JOIN conversation c ON c.id = m.conversation "
                    "ORDER BY m.conversation, m.time, m.id",
                    out, err);
    if (rc)
        return rc;
    sqlite3_bind_int((*out)->s, 2, (flags & HEED_ST_TEXT) != 0);
    return HEED_OK;
}

int heed_st_next_message(heed_st_cursor *c, heed_st_msgrow *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    sqlite3_stmt *s = c->s;
    memset(r, 0, sizeof *r);
    int i = 0;
    r->person = sqlite3_column_int64(s, i++);
    r->id = sqlite3_column_int64(s, i++);
    r->conversation = sqlite3_column_int64(s, i++);
    r->ext_id = col_text(s, i++);
    r->conv_ext = col_text(s, i++);
    r->agent = col_text(s, i++);
    r->channel = col_text(s, i++);
    r->status = col_text(s, i++);
    r->subject = col_text(s, i++);
    r->text = col_text(s, i++);
    r->role = sqlite3_column_int(s, i++);
    r->time = sqlite3_column_int64(s, i++);
    r->tz_min = sqlite3_column_int(s, i++);
    r->valence = col_real_or(s, i++, 0);
    r->stress = col_real_or(s, i++, 0);
    for (int k = 0; k < HEED_STRESS_COUNT; k++)
        r->stress_c[k] = col_real_or(s, i++, 0);
    r->emotion = col_int_or(s, i++, -1);
    r->need = col_int_or(s, i++, -1);
    r->n_asks = col_int_or(s, i++, 0);
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        r->empathy[k] = col_int_or(s, i++, -1);
    r->compassion = col_real_or(s, i++, -1);
    r->comp_signals = (uint32_t)sqlite3_column_int64(s, i++);
    r->addressed = col_int_or(s, i++, -1);
    r->n_jargon = col_int_or(s, i++, 0);
    r->model = col_text(s, i++);
    return 1;
}

/* ------------------------------------------------------------ promises, events, surveys */

int heed_store_promises(heed_store *st, int64_t person, heed_st_cursor **out, heed_error *err)
{
    return person_cursor(
        st, person,
        BY_PERSON(person,
                  "SELECT p.person, pr.id, pr.message, m.conversation, pr.text, "
                  "pr.object, m.agent, c.ext_id, m.ext_id, pr.kind, pr.made, pr.due "
                  "FROM party p JOIN conversation c ON c.party = p.id "
                  "JOIN message m ON m.conversation = c.id "
                  "JOIN promise pr ON pr.message = m.id WHERE ",
                  " ORDER BY p.person, pr.made, pr.id"),
        out, err);
}

int heed_st_next_promise(heed_st_cursor *c, heed_st_promrow *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    sqlite3_stmt *s = c->s;
    memset(r, 0, sizeof *r);
    r->person = sqlite3_column_int64(s, 0);
    r->id = sqlite3_column_int64(s, 1);
    r->message = sqlite3_column_int64(s, 2);
    r->conversation = sqlite3_column_int64(s, 3);
    r->text = col_text(s, 4);
    r->object = col_text(s, 5);
    r->agent = col_text(s, 6);
    r->conv_ext = col_text(s, 7);
    r->msg_ext = col_text(s, 8);
    r->kind = sqlite3_column_int(s, 9);
    r->made = sqlite3_column_int64(s, 10);
    r->has_due = sqlite3_column_type(s, 11) != SQLITE_NULL;
    r->due = sqlite3_column_int64(s, 11);
    return 1;
}

int heed_store_events(heed_store *st, int64_t person, heed_st_cursor **out, heed_error *err)
{
    return person_cursor(
        st, person,
        BY_PERSON(person,
                  "SELECT p.person, e.id, e.ext_id, e.type, e.order_ref, "
                  "e.currency, e.agent, e.detail, e.time, e.amount FROM party p "
                  "JOIN event e ON e.party = p.id WHERE ",
                  " ORDER BY p.person, e.time, e.id"),
        out, err);
}

int heed_st_next_event(heed_st_cursor *c, heed_st_eventrow *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    sqlite3_stmt *s = c->s;
    memset(r, 0, sizeof *r);
    r->person = sqlite3_column_int64(s, 0);
    r->id = sqlite3_column_int64(s, 1);
    r->ext_id = col_text(s, 2);
    r->type = col_text(s, 3);
    r->order = col_text(s, 4);
    r->currency = col_text(s, 5);
    r->agent = col_text(s, 6);
    r->detail = col_text(s, 7);
    r->time = sqlite3_column_int64(s, 8);
    r->has_amount = sqlite3_column_type(s, 9) != SQLITE_NULL;
    r->amount = sqlite3_column_double(s, 9);
    return 1;
}

int heed_store_surveys(heed_store *st, int64_t person, heed_st_cursor **out, heed_error *err)
{
    return person_cursor(
        st, person,
        BY_PERSON(person,
                  "SELECT p.person, v.ext_id, v.kind, v.comment, "
                  "v.conversation_ext, v.score, v.time, v.stress FROM party p "
                  "JOIN survey v ON v.party = p.id WHERE ",
                  " ORDER BY p.person, v.time, v.id"),
        out, err);
}

int heed_st_next_survey(heed_st_cursor *c, heed_st_surveyrow *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    sqlite3_stmt *s = c->s;
    memset(r, 0, sizeof *r);
    r->person = sqlite3_column_int64(s, 0);
    r->ext_id = col_text(s, 1);
    r->kind = col_text(s, 2);
    r->comment = col_text(s, 3);
    r->conv_ext = col_text(s, 4);
    r->score = sqlite3_column_double(s, 5);
    r->time = sqlite3_column_int64(s, 6);
    r->has_analysis = sqlite3_column_type(s, 7) != SQLITE_NULL;
    r->stress = sqlite3_column_double(s, 7);
    return 1;
}

int heed_store_persons(heed_store *st, int64_t person, heed_st_cursor **out, heed_error *err)
{
    /* the CRM row of a person: the one with the smallest party (a person
     * normally has one; several only when linked by keys, never by CRM id) */
    return person_cursor(
        st, person,
        BY_PERSON(person,
                  "SELECT p.person, c.ext_id, c.name, c.segment, "
                  "(SELECT max(c2.vulnerable) FROM party p2 JOIN customer c2 ON "
                  "c2.party = p2.id WHERE p2.person = p.person) FROM party p "
                  "LEFT JOIN customer c ON c.party = p.id WHERE ",
                  " AND p.id = (SELECT coalesce((SELECT min(p3.id) FROM party p3 "
                  "JOIN customer c3 ON c3.party = p3.id WHERE p3.person = "
                  "p.person), (SELECT min(p4.id) FROM party p4 WHERE p4.person = "
                  "p.person))) ORDER BY p.person"),
        out, err);
}

int heed_st_next_person(heed_st_cursor *c, heed_st_personrow *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    sqlite3_stmt *s = c->s;
    memset(r, 0, sizeof *r);
    r->person = sqlite3_column_int64(s, 0);
    r->crm = col_text(s, 1);
    r->name = col_text(s, 2);
    r->segment = col_text(s, 3);
    r->vulnerable = col_int_or(s, 4, 0);
    return 1;
}

int heed_store_latest_time(heed_store *st, int64_t *t, heed_error *err)
{
    heed_st_cursor *c;
    int rc = cursor(st,
                    /* each a seek at the end of an index (message_customer_time,
                     * partial, so role is written out; event_time) or a key:
                     * the other messages' latest time, kept by the commits */
                    "SELECT max(t) FROM (SELECT max(time) t FROM message WHERE role = 1 "
                    "UNION ALL SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
                    "'latest_other_time' UNION ALL "
                    "SELECT max(time) FROM event UNION ALL SELECT max(time) FROM survey)",
                    &c, err);
    if (rc)
        return rc;
    *t = step(c) == 1 ? sqlite3_column_int64(c->s, 0) : 0;
    heed_st_cursor_free(c);
    return HEED_OK;
}

/* ------------------------------------------------------------ the queue */

int heed_store_state_clear(heed_store *st, heed_error *err)
{
    if (heed__st_settle(st, err))
        return HEED_EIO;
    char *msg = NULL;
    if (sqlite3_exec(st->db,
                     "DELETE FROM person_state; DELETE FROM promise_state; "
                     "DELETE FROM queue_dirty",
                     NULL, NULL, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return heed__st_fail(st, err, "clear the queue");
    }
    return HEED_OK;
}

/* Runs one statement with the integers a, b, c bound as ?1, ?2, ?3 (those it
 * names); *changes (may be NULL) gets the rows it changed, *first (may be
 * NULL) the first column of its first row (0: none). */
static int run3(heed_store *st, const char *sql, int64_t a, int64_t b, int64_t c,
                int64_t *changes, int64_t *first, const char *what, heed_error *err)
{
    if (heed__st_settle(st, err))
        return HEED_EIO;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, what);
    int np = sqlite3_bind_parameter_count(s);
    const int64_t v[3] = {a, b, c};
    for (int i = 0; i < np && i < 3; i++)
        sqlite3_bind_int64(s, i + 1, v[i]);
    int r = sqlite3_step(s);
    if (first)
        *first = r == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    while (r == SQLITE_ROW)
        r = sqlite3_step(s);
    sqlite3_finalize(s);
    if (r != SQLITE_DONE)
        return heed__st_fail(st, err, what);
    if (changes)
        *changes = sqlite3_changes(st->db);
    return HEED_OK;
}

/* The persons of a stored promise that changes status between its person's
 * decision (as_of) and ?1: not kept by the earlier of the two, a promise is
 * broken at a time t when t > due (heed_pm_status_at), so its status differs
 * when due is at or after the earlier and before the later. Read through
 * promise_state_due over the dues between the oldest decision (or ?1) and the
 * newest (or ?1). */
#define DUE_PERSONS                                                                          \
    "SELECT p.person FROM promise_state ps JOIN promise pr ON pr.id = ps.promise "           \
    "JOIN conversation c ON c.id = pr.conversation JOIN party p ON p.id = c.party "           \
    "JOIN person_state s ON s.person = p.person "                                             \
    "WHERE ps.due >= min(?1, (SELECT min(as_of) FROM person_state)) "                         \
    "AND ps.due < max(?1, (SELECT max(as_of) FROM person_state)) "                            \
    "AND ((ps.due >= s.as_of AND ps.due < ?1) OR (ps.due >= ?1 AND ps.due < s.as_of)) "       \
    "AND NOT (ps.kept IS NOT NULL AND ps.kept <= min(s.as_of, ?1))"

int heed_store_dirty_set(heed_store *st, int64_t now, int with_due, size_t max, size_t *n,
                         heed_error *err)
{
    *n = 0;
    if (person_set_reset(st, "dirty persons", err))
        return HEED_EIO;
    int64_t k = 0;
    int rc = run3(st,
                  with_due ? "INSERT INTO temp.person_set(person) SELECT person FROM "
                             "(SELECT person FROM queue_dirty UNION " DUE_PERSONS ") "
                             "ORDER BY person LIMIT ?2"
                           : "INSERT INTO temp.person_set(person) SELECT person FROM "
                             "queue_dirty WHERE ?1 = ?1 ORDER BY person LIMIT ?2",
                  now, max ? (int64_t)max : INT64_MAX, 0, &k, NULL, "dirty persons", err);
    *n = (size_t)k;
    return rc;
}

int heed_store_range_set(heed_store *st, int64_t after, size_t max, size_t *n, int64_t *last,
                         heed_error *err)
{
    *n = 0;
    *last = 0;
    if (person_set_reset(st, "persons", err))
        return HEED_EIO;
    /* party_person in order: the distinct persons after `after` */
    int64_t k = 0;
    int rc = run3(st,
                  "INSERT INTO temp.person_set(person) SELECT DISTINCT person FROM party "
                  "WHERE person > ?1 ORDER BY person LIMIT ?2",
                  after, (int64_t)max, 0, &k, NULL, "persons", err);
    if (!rc && k)
        rc = run3(st, "SELECT max(person) FROM temp.person_set", 0, 0, 0, NULL, last, "persons",
                  err);
    *n = (size_t)k;
    return rc;
}

int heed_store_state_drop(heed_store *st, int64_t lo, int64_t hi, heed_error *err)
{
    /* two statements: with OR between them the primary key served neither
     * and every row was read (a part of the periodic pass read 150,000) */
    int rc = run3(st,
                  "DELETE FROM person_state WHERE person IN (SELECT person FROM "
                  "temp.person_set)",
                  0, 0, 0, NULL, NULL, "clear the queue", err);
    if (!rc && hi > lo)
        rc = run3(st, "DELETE FROM person_state WHERE person > ?1 AND person <= ?2", lo, hi, 0,
                  NULL, NULL, "clear the queue", err);
    if (!rc)
        rc = run3(st, "DELETE FROM queue_dirty WHERE person IN (SELECT person FROM "
                      "temp.person_set)",
                  0, 0, 0, NULL, NULL, "clear the queue", err);
    return rc;
}

int heed_store_promise_state_prune(heed_store *st, heed_error *err)
{
    /* the parties not linked are few (those new since the identity pass):
     * party_person, then each one's conversations, messages and promises by
     * their indexes */
    return run3(st,
                "DELETE FROM promise_state WHERE promise IN (SELECT pr.id FROM party p "
                "JOIN conversation c ON c.party = p.id JOIN message m ON m.conversation = c.id "
                "JOIN promise pr ON pr.message = m.id WHERE p.person IS NULL)",
                0, 0, 0, NULL, NULL, "clear the queue", err);
}

int heed_store_queue_span(heed_store *st, int64_t *oldest, int64_t *newest, int64_t *dirty,
                          heed_error *err)
{
    *oldest = *newest = *dirty = 0;
    int rc = run3(st, "SELECT min(as_of) FROM person_state", 0, 0, 0, NULL, oldest,
                  "read the queue", err);
    if (!rc)
        rc = run3(st, "SELECT max(as_of) FROM person_state", 0, 0, 0, NULL, newest,
                  "read the queue", err);
    if (!rc)
        rc = run3(st, "SELECT count(*) FROM queue_dirty", 0, 0, 0, NULL, dirty,
                  "read the queue", err);
    return rc;
}

int heed_store_dirty_persons(heed_store *st, int64_t **out, size_t *n, heed_error *err)
{
    *out = NULL;
    *n = 0;
    if (heed__st_settle(st, err))
        return HEED_EIO;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT person FROM queue_dirty ORDER BY person", -1, &s,
                           NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "dirty persons");
    int64_t *v = NULL;
    size_t cap = 0;
    int r, rc = HEED_OK;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                rc = HEED_ENOMEM;
                break;
            }
            v = nv;
        }
        v[(*n)++] = sqlite3_column_int64(s, 0);
    }
    if (!rc && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "dirty persons");
    sqlite3_finalize(s);
    if (rc) {
        free(v);
        *n = 0;
        return rc;
    }
    *out = v;
    return HEED_OK;
}

int heed_store_promise_state_put(heed_store *st, const heed_st_promise_state *v,
                                 heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(st, ST_PROMISE_STATE_PUT,
                                    "INSERT OR REPLACE INTO promise_state(promise, due, kept) "
                                    "VALUES(?, ?, ?)",
                                    err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, v->promise);
    sqlite3_bind_int64(s, 2, v->due);
    if (v->has_kept)
        sqlite3_bind_int64(s, 3, v->kept);
    else
        sqlite3_bind_null(s, 3);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "promise status");
}

int heed_store_state_put(heed_store *st, const heed_st_state *v, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(
        st, ST_STATE_PUT,
        "INSERT OR REPLACE INTO person_state(person, score, stress_now, waiting_since, broken, "
        "pending, kept, vulnerable, reasons, as_of, last_activity) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?)",
        err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, v->person);
    sqlite3_bind_double(s, 2, v->score);
    sqlite3_bind_double(s, 3, v->stress_now);
    if (v->waiting_since)
        sqlite3_bind_int64(s, 4, v->waiting_since);
    else
        sqlite3_bind_null(s, 4);
    sqlite3_bind_int(s, 5, v->broken);
    sqlite3_bind_int(s, 6, v->pending);
    sqlite3_bind_int(s, 7, v->kept);
    sqlite3_bind_int(s, 8, v->vulnerable);
    heed__st_text(s, 9, v->reasons ? v->reasons : "");
    sqlite3_bind_int64(s, 10, v->as_of);
    sqlite3_bind_int64(s, 11, v->last_activity);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "store the queue");
}

#define STATE_COLS                                                                         \
    "s.person, s.score, s.stress_now, s.waiting_since, s.broken, s.pending, s.kept, "        \
    "s.vulnerable, s.reasons, s.as_of, s.last_activity, "                                    \
    "(SELECT c.ext_id FROM party p JOIN customer c ON c.party = p.id WHERE p.person = "      \
    "s.person ORDER BY p.id LIMIT 1), "                                                      \
    "(SELECT c.name FROM party p JOIN customer c ON c.party = p.id WHERE p.person = "        \
    "s.person ORDER BY p.id LIMIT 1), "                                                      \
    "(SELECT max(h.time) FROM handled h WHERE h.person = s.person)"

int heed_store_queue(heed_store *st, size_t k, int with_handled, heed_st_cursor **out,
                     heed_error *err)
{
    int rc = cursor(st,
                    "SELECT " STATE_COLS " FROM person_state s WHERE s.score > 0 AND (?2 OR "
                    "NOT EXISTS (SELECT 1 FROM handled h WHERE h.person = s.person AND "
                    "h.time >= s.last_activity)) ORDER BY s.score DESC, s.person LIMIT ?1",
                    out, err);
    if (rc)
        return rc;
    sqlite3_bind_int64((*out)->s, 1, (sqlite3_int64)k);
    sqlite3_bind_int((*out)->s, 2, with_handled != 0);
    return HEED_OK;
}

int heed_st_next_state(heed_st_cursor *c, heed_st_state *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    sqlite3_stmt *s = c->s;
    memset(r, 0, sizeof *r);
    r->person = sqlite3_column_int64(s, 0);
    r->score = sqlite3_column_double(s, 1);
    r->stress_now = sqlite3_column_double(s, 2);
    r->waiting_since = sqlite3_column_int64(s, 3);
    r->broken = sqlite3_column_int(s, 4);
    r->pending = sqlite3_column_int(s, 5);
    r->kept = sqlite3_column_int(s, 6);
    r->vulnerable = sqlite3_column_int(s, 7);
    r->reasons = col_text(s, 8);
    r->as_of = sqlite3_column_int64(s, 9);
    r->last_activity = sqlite3_column_int64(s, 10);
    r->crm = col_text(s, 11);
    r->name = col_text(s, 12);
    r->handled = sqlite3_column_int64(s, 13);
    return 1;
}

int heed_store_state_get(heed_store *st, int64_t person, heed_st_state *out, int *found,
                         heed_error *err)
{
    /* the cursor's strings die with it: a caller wanting them uses the
     * cursor form; here only the numbers are kept */
    heed_st_cursor *c;
    *found = 0;
    int rc = cursor(st, "SELECT " STATE_COLS " FROM person_state s WHERE s.person = ?1", &c,
                    err);
    if (rc)
        return rc;
    sqlite3_bind_int64(c->s, 1, person);
    rc = heed_st_next_state(c, out);
    if (rc == 1) {
        *found = 1;
        out->reasons = out->crm = out->name = NULL;
    }
    heed_st_cursor_free(c);
    return rc < 0 ? heed__st_fail(st, err, "read the queue") : HEED_OK;
}

int heed_store_mark_handled(heed_store *st, int64_t person, int64_t t, const char *note,
                            heed_error *err)
{
    heed_st_cursor *c;
    int rc = cursor(st, "INSERT OR REPLACE INTO handled(person, time, note) VALUES(?, ?, ?)", &c,
                    err);
    if (rc)
        return rc;
    sqlite3_bind_int64(c->s, 1, person);
    sqlite3_bind_int64(c->s, 2, t);
    heed__st_text(c->s, 3, note);
    rc = step(c);
    heed_st_cursor_free(c);
    return rc == 0 ? HEED_OK : heed__st_fail(st, err, "mark handled");
}

/* ------------------------------------------------------------ agents */

int heed_store_agent_convos(heed_store *st, const char *agent, int64_t from, int64_t to,
                            heed_st_cursor **out, heed_error *err)
{
    /* agent_conv is kept by every put (records.c); agent_conv_agent and
     * agent_conv_start hold every column read, so the rows come from one
     * index range (the day's, sorted by agent; or the agent's, in order) */
    return agent_period_cursor(
        st,
        agent ? "SELECT agent, conversation, start, end, replies, peak_stress FROM "
                "agent_conv WHERE agent = ?1 AND start >= ?2 AND start < ?3 "
                "ORDER BY agent, start, conversation"
              : "SELECT agent, conversation, start, end, replies, peak_stress FROM "
                "agent_conv WHERE start >= ?2 AND start < ?3 "
                "ORDER BY agent, start, conversation",
        agent, from, to, out, err);
}

int heed_st_next_agentconv(heed_st_cursor *c, heed_st_agentconv *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    sqlite3_stmt *s = c->s;
    r->agent = col_text(s, 0);
    r->conversation = sqlite3_column_int64(s, 1);
    r->start = sqlite3_column_int64(s, 2);
    r->end = sqlite3_column_int64(s, 3);
    r->replies = sqlite3_column_int(s, 4);
    r->peak_stress = col_real_or(s, 5, 0);
    return 1;
}

int heed_store_reply_scores(heed_store *st, const char *agent, int64_t from, int64_t to,
                            heed_st_cursor **out, heed_error *err)
{
    /* one range of agent_reply's primary key (agent, time, message) */
    return agent_period_cursor(
        st,
        "SELECT message, time, er, ip, ex, compassion, stress FROM agent_reply "
        "WHERE agent = ?1 AND time >= ?2 AND time < ?3 ORDER BY time, message",
        agent, from, to, out, err);
}

int heed_st_next_reply_score(heed_st_cursor *c, heed_st_replyscore *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    sqlite3_stmt *s = c->s;
    r->id = sqlite3_column_int64(s, 0);
    r->time = sqlite3_column_int64(s, 1);
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        r->empathy[k] = col_int_or(s, 2 + k, -1);
    r->compassion = col_real_or(s, 5, -1);
    r->customer_stress = col_real_or(s, 6, 0);
    return 1;
}

int heed_store_period_reply_scores(heed_store *st, int64_t from, int64_t to,
                                   heed_st_replyscore_fn fn, void *ctx, heed_error *err)
{
    /* the first agent, and the next after ?1, are one seek each in the
     * primary key (agent, time, message); an agent's period is one range */
    heed_st_cursor *first = NULL, *after = NULL, *c = NULL;
    char *agent = NULL;
    int rc = cursor(st, "SELECT agent FROM agent_reply ORDER BY agent LIMIT 1", &first, err);
    if (!rc)
        rc = cursor(st, "SELECT agent FROM agent_reply WHERE agent > ?1 ORDER BY agent LIMIT 1",
                    &after, err);
    if (!rc)
        rc = agent_period_cursor(st,
                                 "SELECT message, time, er, ip, ex, compassion, stress FROM "
                                 "agent_reply WHERE agent = ?1 AND time >= ?2 AND time < ?3 "
                                 "ORDER BY time, message",
                                 NULL, from, to, &c, err);
    while (!rc) {
        heed_st_cursor *a = agent ? after : first;
        sqlite3_reset(a->s);
        if (agent)
            heed__st_text(a->s, 1, agent);
        int r = step(a);
        if (r != 1) {
            rc = r ? heed__st_fail(st, err, "read replies") : HEED_OK;
            break;
        }
        const char *next = col_text(a->s, 0);
        free(agent);
        if (!(agent = strdup(next ? next : ""))) {
            rc = HEED_ENOMEM;
            break;
        }
        sqlite3_reset(c->s);
        heed__st_text(c->s, 1, agent);
        heed_st_replyscore row;
        while ((r = heed_st_next_reply_score(c, &row)) == 1)
            if ((rc = fn(ctx, agent, &row)))
                break;
        if (!rc && r < 0)
            rc = heed__st_fail(st, err, "read replies");
    }
    free(agent);
    heed_st_cursor_free(first);
    heed_st_cursor_free(after);
    heed_st_cursor_free(c);
    return rc;
}

int heed_store_reply_text(heed_store *st, int64_t id, char **text, char **conv_ext,
                          heed_error *err)
{
    *text = *conv_ext = NULL;
    sqlite3_stmt *s = heed__st_prep(st, ST_REPLY_TEXT,
                                    "SELECT m.text, c.ext_id FROM message m JOIN conversation c "
                                    "ON c.id = m.conversation WHERE m.id = ?1",
                                    err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, id);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        const char *t = col_text(s, 0), *cv = col_text(s, 1);
        *text = strdup(t ? t : "");
        *conv_ext = strdup(cv ? cv : "");
    }
    /* end the read now (heed serve keeps the handle) */
    sqlite3_reset(s);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return heed__st_fail(st, err, "read a reply");
    if (r == SQLITE_ROW && (!*text || !*conv_ext)) {
        free(*text);
        free(*conv_ext);
        *text = *conv_ext = NULL;
        return HEED_ENOMEM;
    }
    return HEED_OK;
}

int heed_store_shifts(heed_store *st, const char *agent, int64_t from, int64_t to,
                      heed_st_cursor **out, heed_error *err)
{
    return agent_period_cursor(
        st,
        agent ? "SELECT agent, team, start, end FROM shift WHERE agent = ?1 AND "
                "end > ?2 AND start < ?3 ORDER BY agent, start"
              /* shift_end holds the columns: the shifts ending after from,
               * not every shift before to (the planner would rather
               * walk shift_agent for its order) */
              : "SELECT agent, team, start, end FROM shift INDEXED BY shift_end "
                "WHERE end > ?2 AND start < ?3 ORDER BY agent, start",
        agent, from, to, out, err);
}

int heed_st_next_shift(heed_st_cursor *c, heed_st_shiftrow *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    r->agent = col_text(c->s, 0);
    r->team = col_text(c->s, 1);
    r->start = sqlite3_column_int64(c->s, 2);
    r->end = sqlite3_column_int64(c->s, 3);
    return 1;
}

int heed_store_agents(heed_store *st, const char *agent, heed_st_cursor **out, heed_error *err)
{
    int rc = cursor(st,
                    "SELECT id, name, team FROM agent WHERE ?1 IS NULL OR id = ?1 ORDER BY id",
                    out, err);
    if (!rc)
        heed__st_text((*out)->s, 1, agent);
    return rc;
}

int heed_st_next_agent(heed_st_cursor *c, heed_st_agentrow *r)
{
    int rc = step(c);
    if (rc != 1)
        return rc;
    r->id = col_text(c->s, 0);
    r->name = col_text(c->s, 1);
    r->team = col_text(c->s, 2);
    return 1;
}
