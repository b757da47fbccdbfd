/* store.c - the SQLite implementation of store.h: WAL journal, foreign keys,
 * numbered migrations (PRAGMA user_version), prepared statements kept for the
 * life of the handle, every value bound as a parameter. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hex.h"
#include "store_int.h"

/* The statements of the triggers of migration 10: mark the person of a party,
 * of a conversation, of a message (an SQL expression naming it) as one whose
 * queue decision must be made again; nobody when it is not linked. */
#define DIRTY_PARTY(party)                                                                   \
    "INSERT OR IGNORE INTO queue_dirty(person) SELECT p.person FROM party p WHERE p.id = "   \
    party " AND p.person IS NOT NULL;"
#define DIRTY_CONV(conv)                                                                     \
    "INSERT OR IGNORE INTO queue_dirty(person) SELECT p.person FROM conversation c JOIN "    \
    "party p ON p.id = c.party WHERE c.id = " conv " AND p.person IS NOT NULL;"
#define DIRTY_MESSAGE(msg)                                                                   \
    "INSERT OR IGNORE INTO queue_dirty(person) SELECT p.person FROM message m JOIN "         \
    "conversation c ON c.id = m.conversation JOIN party p ON p.id = c.party WHERE m.id = "  \
    msg " AND p.person IS NOT NULL;"

/* Migration N takes the schema from version N-1 to N. Append only. */
static const char *const MIGRATIONS[] = {
    /* 1: the first schema (docs/store.md) */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE party(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, label TEXT,"
    "  crm TEXT, person INTEGER);"
    "CREATE INDEX party_person ON party(person);"
    "CREATE INDEX party_crm ON party(crm) WHERE crm IS NOT NULL;"
    "CREATE TABLE party_key(party INTEGER NOT NULL REFERENCES party(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY(party, kind, token)) WITHOUT ROWID;"
    "CREATE INDEX party_key_token ON party_key(kind, token);"
    "CREATE TABLE unmerge(a INTEGER NOT NULL REFERENCES party(id),"
    "  b INTEGER NOT NULL REFERENCES party(id), created INTEGER NOT NULL,"
    "  PRIMARY KEY(a, b)) WITHOUT ROWID;"
    "CREATE TABLE customer(id INTEGER PRIMARY KEY, source TEXT NOT NULL, ext_id TEXT NOT NULL,"
    "  party INTEGER NOT NULL REFERENCES party(id), name TEXT, segment TEXT,"
    "  vulnerable INTEGER NOT NULL DEFAULT 0, created INTEGER, UNIQUE(source, ext_id));"
    "CREATE INDEX customer_ext ON customer(ext_id);"
    "CREATE INDEX customer_party ON customer(party);"
    "CREATE TABLE conversation(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
    "  ext_id TEXT NOT NULL, party INTEGER NOT NULL REFERENCES party(id), channel TEXT,"
    "  subject TEXT, status TEXT, first_time INTEGER, last_time INTEGER,"
    "  n_messages INTEGER NOT NULL DEFAULT 0, UNIQUE(source, ext_id));"
    "CREATE INDEX conversation_party ON conversation(party);"
    "CREATE INDEX conversation_ext ON conversation(ext_id);"
    "CREATE TABLE message(id INTEGER PRIMARY KEY, source TEXT NOT NULL, ext_id TEXT NOT NULL,"
    "  conversation INTEGER NOT NULL REFERENCES conversation(id), role INTEGER NOT NULL,"
    "  agent TEXT, time INTEGER NOT NULL, tz INTEGER NOT NULL DEFAULT 0, channel TEXT,"
    "  text TEXT NOT NULL, model TEXT NOT NULL, scored INTEGER, valence REAL, stress REAL,"
    "  distress REAL, urgency REAL, effort REAL, vulnerability REAL, escalation REAL,"
    "  emotion INTEGER, need INTEGER, n_asks INTEGER, er INTEGER, ip INTEGER, ex INTEGER,"
    "  compassion REAL, comp_signals INTEGER, addressed INTEGER, n_jargon INTEGER,"
    "  grade REAL, simhash INTEGER, UNIQUE(source, ext_id));"
    "CREATE INDEX message_conversation ON message(conversation, time, role, stress);"
    "CREATE INDEX message_agent ON message(agent, time) WHERE agent IS NOT NULL;"
    "CREATE INDEX message_reply_time ON message(time, agent, conversation, role)"
    "  WHERE agent IS NOT NULL AND role = 2;"
    "CREATE INDEX message_model ON message(model);"
    "CREATE TABLE promise(id INTEGER PRIMARY KEY,"
    "  message INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL, text TEXT, object TEXT, made INTEGER NOT NULL, due INTEGER);"
    "CREATE INDEX promise_message ON promise(message);"
    "CREATE TABLE event(id INTEGER PRIMARY KEY, source TEXT NOT NULL, ext_id TEXT NOT NULL,"
    "  party INTEGER NOT NULL REFERENCES party(id), type TEXT NOT NULL,"
    "  time INTEGER NOT NULL, order_ref TEXT, amount REAL, currency TEXT, agent TEXT,"
    "  detail TEXT, UNIQUE(source, ext_id));"
    "CREATE INDEX event_party ON event(party, time);"
    "CREATE INDEX event_agent ON event(agent, time) WHERE agent IS NOT NULL;"
    "CREATE TABLE survey(id INTEGER PRIMARY KEY, source TEXT NOT NULL, ext_id TEXT NOT NULL,"
    "  party INTEGER NOT NULL REFERENCES party(id), kind TEXT NOT NULL,"
    "  score REAL NOT NULL, time INTEGER NOT NULL, comment TEXT, conversation_ext TEXT,"
    "  valence REAL, stress REAL, UNIQUE(source, ext_id));"
    "CREATE INDEX survey_party ON survey(party, time);"
    "CREATE TABLE agent(id TEXT PRIMARY KEY, name TEXT, team TEXT) WITHOUT ROWID;"
    "CREATE TABLE shift(id INTEGER PRIMARY KEY, source TEXT NOT NULL, ext_id TEXT NOT NULL,"
    "  agent TEXT NOT NULL, team TEXT, start INTEGER NOT NULL, end INTEGER NOT NULL,"
    "  UNIQUE(source, ext_id));"
    "CREATE INDEX shift_agent ON shift(agent, start);"
    "CREATE TABLE person_state(person INTEGER PRIMARY KEY, score REAL NOT NULL,"
    "  stress_now REAL NOT NULL, waiting_since INTEGER, broken INTEGER NOT NULL,"
    "  pending INTEGER NOT NULL, kept INTEGER NOT NULL, vulnerable INTEGER NOT NULL,"
    "  reasons TEXT NOT NULL, as_of INTEGER NOT NULL, last_activity INTEGER NOT NULL);"
    "CREATE INDEX person_state_score ON person_state(score DESC, person);"
    "CREATE TABLE handled(person INTEGER NOT NULL, time INTEGER NOT NULL, note TEXT,"
    "  PRIMARY KEY(person, time)) WITHOUT ROWID;"
    "CREATE TABLE import_file(kind TEXT NOT NULL, fingerprint TEXT NOT NULL, path TEXT,"
    "  records INTEGER NOT NULL, imported INTEGER NOT NULL, rejected INTEGER NOT NULL,"
    "  finished INTEGER NOT NULL, updated INTEGER NOT NULL,"
    "  PRIMARY KEY(kind, fingerprint)) WITHOUT ROWID;",
    /* 2: API keys of `heed serve` (docs/api.md): only a keyed hash of each key */
    "CREATE TABLE api_key(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
    "  prefix TEXT NOT NULL, role TEXT NOT NULL, team TEXT, agent TEXT, name TEXT,"
    "  created INTEGER NOT NULL, last_used INTEGER, revoked INTEGER);",
    /* 3: one row per agent and conversation, kept by every put (records.c), so
     * the agent summaries read a day's rows instead of grouping its replies;
     * filled from the messages already stored */
    "CREATE TABLE agent_conv(agent TEXT NOT NULL,"
    "  conversation INTEGER NOT NULL REFERENCES conversation(id), start INTEGER NOT NULL,"
    "  end INTEGER NOT NULL, replies INTEGER NOT NULL, peak_stress REAL NOT NULL,"
    "  PRIMARY KEY(agent, conversation)) WITHOUT ROWID;"
    "CREATE INDEX agent_conv_start ON agent_conv(start, agent);"
    "CREATE INDEX agent_conv_agent ON agent_conv(agent, start);"
    "CREATE INDEX agent_conv_conversation ON agent_conv(conversation);"
    "INSERT INTO agent_conv(agent, conversation, start, end, replies, peak_stress)"
    "  SELECT a.ag, a.cv, a.s, a.e, a.n, coalesce((SELECT max(x.stress) FROM message x"
    "  WHERE x.conversation = a.cv AND x.role = 1 AND x.time <= a.e), 0) FROM (SELECT"
    "  m.agent ag, m.conversation cv, min(m.time) s, max(m.time) e, count(*) n FROM message m"
    "  WHERE m.agent IS NOT NULL AND m.role = 2 GROUP BY m.agent, m.conversation) a;",
    /* 4: outgoing webhooks of `heed serve` (docs/api.md, "Webhooks"): the
     * configured URLs, one row per announcement to deliver with its last
     * attempt, every attempt, and what was already announced */
    "CREATE TABLE webhook(id INTEGER PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL,"
    "  secret TEXT NOT NULL, created INTEGER NOT NULL, disabled INTEGER);"
    "CREATE TABLE webhook_delivery(id INTEGER PRIMARY KEY,"
    "  webhook INTEGER NOT NULL REFERENCES webhook(id), event TEXT NOT NULL,"
    "  customer INTEGER NOT NULL, payload TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0,"
    "  status_code INTEGER, error TEXT, next_try INTEGER, delivered INTEGER,"
    "  created INTEGER NOT NULL);"
    "CREATE INDEX webhook_delivery_due ON webhook_delivery(next_try)"
    "  WHERE next_try IS NOT NULL;"
    "CREATE TABLE webhook_attempt(delivery INTEGER NOT NULL"
    "  REFERENCES webhook_delivery(id), attempt INTEGER NOT NULL, time INTEGER NOT NULL,"
    "  status_code INTEGER, error TEXT, PRIMARY KEY(delivery, attempt)) WITHOUT ROWID;"
    "CREATE TABLE webhook_seen(event TEXT NOT NULL, customer INTEGER NOT NULL,"
    "  key TEXT NOT NULL, time INTEGER NOT NULL,"
    "  PRIMARY KEY(event, customer, key)) WITHOUT ROWID;",
    /* 5: one row per agent reply with its scores and the customer stress it
     * answered, kept by every put (records.c), so `heed agent` reads one
     * agent's narrow rows in order instead of every reply's text with a
     * lookup of the customer message per reply; and the agent_conv indexes
     * carry every column the summaries read, so a day (or an agent) is read
     * from one index without a lookup per row. Filled from the messages
     * already stored. */
    "CREATE TABLE agent_reply(agent TEXT NOT NULL, time INTEGER NOT NULL,"
    "  message INTEGER NOT NULL REFERENCES message(id),"
    "  conversation INTEGER NOT NULL REFERENCES conversation(id),"
    "  er INTEGER, ip INTEGER, ex INTEGER, compassion REAL, stress REAL,"
    "  PRIMARY KEY(agent, time, message)) WITHOUT ROWID;"
    "CREATE INDEX agent_reply_conversation ON agent_reply(conversation, time);"
    "CREATE INDEX agent_reply_message ON agent_reply(message);"
    "INSERT INTO agent_reply(agent, time, message, conversation, er, ip, ex, compassion,"
    "  stress) SELECT m.agent, m.time, m.id, m.conversation, m.er, m.ip, m.ex, m.compassion,"
    "  (SELECT x.stress FROM message x WHERE x.conversation = m.conversation AND x.role = 1"
    "  AND x.time <= m.time ORDER BY x.time DESC, x.id DESC LIMIT 1) FROM message m"
    "  WHERE m.agent IS NOT NULL AND m.role = 2;"
    "DROP INDEX agent_conv_start;"
    "DROP INDEX agent_conv_agent;"
    "CREATE INDEX agent_conv_start ON agent_conv(start, agent, conversation, end, replies,"
    "  peak_stress);"
    "CREATE INDEX agent_conv_agent ON agent_conv(agent, start, conversation, end, replies,"
    "  peak_stress);"
    "CREATE INDEX shift_end ON shift(end, start, agent, team);",
    /* 6: the customer messages of a period (heed trends, GET /v1/trends) read
     * through a covering index instead of a scan of every message; role is
     * the last column so the index covers the query's role = 1 */
    "CREATE INDEX message_customer_time ON message(time, conversation, need, stress, channel,"
    "  role) WHERE role = 1;",
    /* 7: the other names an agent has in other systems (an e-mail address,
     * a helpdesk user id), so one agent's replies from every silo are one
     * agent's; e-mail aliases in lower case */
    "CREATE TABLE agent_alias(alias TEXT PRIMARY KEY, agent TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX agent_alias_agent ON agent_alias(agent);",
    /* 8: each promise's status as the last queue refresh decided it (as of
     * meta queue_as_of), so trends need not decide every customer again */
    "CREATE TABLE promise_state(promise INTEGER PRIMARY KEY REFERENCES promise(id),"
    "  status INTEGER NOT NULL) WITHOUT ROWID;",
    /* 9: trends read a period without a lookup per row: each conversation's
     * top need kept in the conversation (instead of grouping its messages for
     * every survey and promise), each promise's conversation copied from its
     * message with an index on the time it was made, and the queue refresh
     * stores what decides a promise's status at any time (its due time and
     * the time of what kept it when every known event counts) instead of the
     * status as of the refresh; the statuses stored so far are dropped (the
     * next refresh stores the new form). Filled from the rows already stored.
     * And the latest time of the store (--now data) from index seeks
     * instead of a scan of every message and event index entry (the surveys,
     * fewer, are still scanned: read through an index on time, a period's
     * surveys took a lookup per row and five times as long). */
    "ALTER TABLE conversation ADD COLUMN top_need INTEGER;"
    "UPDATE conversation SET top_need = " HEED_ST_TOP_NEED("conversation.id") ";"
    "ALTER TABLE promise ADD COLUMN conversation INTEGER;"
    "UPDATE promise SET conversation = (SELECT m.conversation FROM message m"
    "  WHERE m.id = promise.message);"
    "CREATE INDEX promise_made ON promise(made, conversation);"
    "DROP TABLE promise_state;"
    "CREATE TABLE promise_state(promise INTEGER PRIMARY KEY REFERENCES promise(id),"
    "  due INTEGER NOT NULL, kept INTEGER) WITHOUT ROWID;"
    "CREATE INDEX message_time ON message(time);"
    "CREATE INDEX event_time ON event(time);",
    /* 10: the persons whose act-now decision may have changed since the
     * queue last decided them, so a refresh re-decides only those
     * (heed_queue_refresh_dirty, src/app/person.c), marked in the writing
     * transaction itself, whatever writes (the server's ingest, `heed
     * import`, the identity pass, an unmerge, a re-scoring): a message put
     * marks its conversation's person (heed_store_put_message, with its
     * promises and the conversation's status and channel); triggers mark
     * both the old and the new person of a party the identity pass moves
     * (or unlinks), of a conversation moved to another party, and of a
     * re-scored message or a promise removed with it. Customers, events and
     * surveys come with a new party, not linked yet: linking it marks its
     * person. No trigger on the inserts an import makes by the hundred
     * thousand: a statement that fires one keeps a statement journal (a copy
     * of every page it changes), which made an import a fifth slower. And
     * indexes to find the oldest and newest decision (person_state by as_of)
     * and the promises that fell due since their person was decided
     * (promise_state by due). */
    "CREATE TABLE queue_dirty(person INTEGER PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TRIGGER queue_dirty_party AFTER UPDATE OF person ON party"
    "  WHEN OLD.person IS NOT NEW.person BEGIN"
    "  INSERT OR IGNORE INTO queue_dirty(person) SELECT OLD.person WHERE OLD.person IS NOT NULL;"
    "  INSERT OR IGNORE INTO queue_dirty(person) SELECT NEW.person WHERE NEW.person IS NOT NULL;"
    "  END;"
    "CREATE TRIGGER queue_dirty_message_update AFTER UPDATE OF conversation, role, time,"
    "  stress, distress, urgency, effort, vulnerability, escalation, need ON message BEGIN"
    "  " DIRTY_CONV("OLD.conversation") " " DIRTY_CONV("NEW.conversation") " END;"
    "CREATE TRIGGER queue_dirty_conversation AFTER UPDATE OF party ON conversation"
    "  WHEN OLD.party IS NOT NEW.party BEGIN"
    "  " DIRTY_PARTY("OLD.party") " " DIRTY_PARTY("NEW.party") " END;"
    "CREATE TRIGGER queue_dirty_promise_delete AFTER DELETE ON promise BEGIN"
    "  " DIRTY_MESSAGE("OLD.message") " END;"
    "CREATE INDEX person_state_as_of ON person_state(as_of);"
    "CREATE INDEX promise_state_due ON promise_state(due);",
    /* 11: no index on message.model: no query reads it (`heed reanalyze`
     * walks every message and compares the name itself), and every message
     * put paid for it (about 6 % of an import's writer thread). */
    "DROP INDEX IF EXISTS message_model;",
    /* 12: no index message_reply_time: no query reads it since agent_reply
     * (schema 5) holds the replies by agent and time and message_agent
     * serves the rebuild of the agent tables, and every reply put paid for
     * it. */
    "DROP INDEX IF EXISTS message_reply_time;",
    /* 13: no index agent_reply_message: a re-scored reply's row is found by
     * its primary key (the message's agent, time and id) instead, no message
     * is ever deleted (the foreign key's lookups), and every reply put paid
     * for it. */
    "DROP INDEX IF EXISTS agent_reply_message;",
    /* 14: message_time becomes message_other_time, without the customers'
     * messages: its one reader, the latest time of the store, takes the customers'
     * latest from message_customer_time (time first, partial on role = 1),
     * and every customer message put paid for it twice (4 % of an import's
     * writer thread into a store that holds messages). */
    "DROP INDEX IF EXISTS message_time;"
    "CREATE INDEX message_other_time ON message(time) WHERE role <> 1;",
    /* 15: message_agent on the agent alone: its readers (moving an alias's
     * messages to its agent, the rebuild of the agent tables) never read
     * its time, and a new message's entry lands at the end of its agent's
     * entries (a new rowid is the largest) instead of at its time among
     * them, in pages all over the index (255,274 messages of the next
     * month into a store holding 254,891: 568k -> 539k page writes, 2 %
     * less time). */
    "DROP INDEX IF EXISTS message_agent;"
    "CREATE INDEX message_agent ON message(agent) WHERE agent IS NOT NULL;",
    /* 16: an import's agent rows, staged in conversation order while it
     * stores a file and moved into agent_reply and agent_conv when the file
     * ends (heed_store_stage_agents): keyed by agent first, those two
     * tables took every commit's rows in pages all over them */
    "CREATE TABLE agent_reply_stage(conversation INTEGER NOT NULL, time INTEGER NOT NULL,"
    "  message INTEGER NOT NULL, agent TEXT NOT NULL, er INTEGER, ip INTEGER, ex INTEGER,"
    "  compassion REAL, stress REAL, PRIMARY KEY(conversation, time, message)) WITHOUT ROWID;"
    "CREATE TABLE agent_conv_stage(conversation INTEGER NOT NULL, agent TEXT NOT NULL,"
    "  start INTEGER NOT NULL, end INTEGER NOT NULL, replies INTEGER NOT NULL,"
    "  peak_stress REAL NOT NULL, PRIMARY KEY(conversation, agent)) WITHOUT ROWID;",
    /* 17: the latest time of the messages other than the customers' kept in
     * meta (latest_other_time) by every commit that stores one, instead of
     * message_other_time, which only that seek read and which took every
     * commit's rows in pages all over a file's period */
    "INSERT OR REPLACE INTO meta(key, value) SELECT 'latest_other_time', max(time) FROM message"
    "  WHERE role <> 1 HAVING max(time) IS NOT NULL;"
    "DROP INDEX IF EXISTS message_other_time;",
};

#define N_MIGRATIONS (sizeof MIGRATIONS / sizeof MIGRATIONS[0])

/* The indexes an import into a store without messages drops at its start
 * and builds once at its end (heed_store_defer_indexes): none of the
 * statements a message put runs reads them (the lookups of a put go through
 * the unique and primary keys, message_conversation, agent_conv_conversation
 * and agent_reply_conversation; the identity pass after the import, which
 * reads party_crm and party_key_token, runs after the build), and each row
 * put paid for each of them; sorted
 * once at the end they cost less (docs/store.md, "Imports"). The SQL is the
 * text the migrations created them with, so a store whose indexes were
 * rebuilt has the same schema as one that never lost them. A store can be
 * left without them by an interrupted import: heed_store_open builds them
 * again after the migrations, so a migration that drops or changes one of
 * them must say IF EXISTS and update this list. */
static const char *const DEFERRED[][2] = {
    {"message_agent", "CREATE INDEX message_agent ON message(agent) WHERE agent IS NOT NULL"},
    {"message_customer_time", "CREATE INDEX message_customer_time ON message(time, "
                              "conversation, need, stress, channel,  role) WHERE role = 1"},
    {"promise_message", "CREATE INDEX promise_message ON promise(message)"},
    {"promise_made", "CREATE INDEX promise_made ON promise(made, conversation)"},
    {"agent_conv_start", "CREATE INDEX agent_conv_start ON agent_conv(start, agent, "
                         "conversation, end, replies,  peak_stress)"},
    {"agent_conv_agent", "CREATE INDEX agent_conv_agent ON agent_conv(agent, start, "
                         "conversation, end, replies,  peak_stress)"},
    {"conversation_party", "CREATE INDEX conversation_party ON conversation(party)"},
    {"conversation_ext", "CREATE INDEX conversation_ext ON conversation(ext_id)"},
    {"party_crm", "CREATE INDEX party_crm ON party(crm) WHERE crm IS NOT NULL"},
    {"party_key_token", "CREATE INDEX party_key_token ON party_key(kind, token)"},
};

#define N_DEFERRED (sizeof DEFERRED / sizeof DEFERRED[0])

/* A handle's memory: temporary data held in memory, a 16 MiB page cache
 * (32 MiB for a bulk writer, heed_store_bulk_cache); the cache first, as
 * inside a transaction the temporary storage cannot change. */
#define MEMORY_PRAGMAS "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY"
#define BULK_PRAGMAS "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY"

/* How long a statement waits for another connection's write lock. */
#define BUSY_MS 10000

_Static_assert(N_MIGRATIONS == HEED_STORE_SCHEMA, "one migration per schema version");

int heed__st_fail(heed_store *st, heed_error *err, const char *what)
{
    if (err) {
        err->code = HEED_EIO;
        snprintf(err->msg, sizeof err->msg, "store: %s: %s", what,
                 st && st->db ? sqlite3_errmsg(st->db) : "cannot open");
    }
    return HEED_EIO;
}

/* The statements of a message put (records.c), with its agent's row (the
 * import puts it first), and those writing what it leaves pending: none
 * reads or writes the pending values (the counts and times of the memo's
 * conversation, its agent_conv rows) of a conversation in the memo, so they
 * run with them pending; any other statement has them written first. */
#define SLOT(x) (UINT64_C(1) << (x))
static const uint64_t PUT_SLOTS =
    SLOT(ST_PARTY_NEW) | SLOT(ST_PARTY_KEY) | SLOT(ST_PARTY_CRM) | SLOT(ST_CONV_FIND) |
    SLOT(ST_CONV_NEW) | SLOT(ST_CONV_TOUCH) | SLOT(ST_MSG_PUT) | SLOT(ST_PROMISE_PUT) |
    SLOT(ST_AGENT_CONV_REPLY) | SLOT(ST_AGENT_CONV_CUSTOMER) | SLOT(ST_PARTY_DIRTY) |
    SLOT(ST_ALIAS_FIND) | SLOT(ST_MARK_PARTY) | SLOT(ST_CUSTOMER_STRESS) |
    SLOT(ST_AGENT_REPLY_NEW) | SLOT(ST_AGENT_REPLY_STRESS_AT) | SLOT(ST_CONV_NEEDS) |
    SLOT(ST_TOP_NEED_CONV) | SLOT(ST_AGENT_CONV_PUT) | SLOT(ST_AGENT_FIND) | SLOT(ST_AGENT_PUT) |
    SLOT(ST_AGENT_CONV_REPLY_STAGE) | SLOT(ST_AGENT_CONV_CUSTOMER_STAGE) |
    SLOT(ST_AGENT_REPLY_NEW_STAGE) | SLOT(ST_AGENT_REPLY_STRESS_AT_STAGE) |
    SLOT(ST_AGENT_CONV_PUT_STAGE);
_Static_assert(ST_AGENT_CONV_RESTRESS_STAGE < 64, "a slot per bit");

/* The statements whose every use binds every parameter: the bindings of the
 * last use need not be cleared (for the message insert's thirty, a tenth of
 * its binding). */
static const uint64_t ALL_BOUND = SLOT(ST_MSG_PUT) | SLOT(ST_CONV_FIND) | SLOT(ST_CONV_NEW) |
                                  SLOT(ST_PARTY_NEW) | SLOT(ST_PARTY_KEY) | SLOT(ST_CONV_TOUCH) |
                                  SLOT(ST_PROMISE_PUT) | SLOT(ST_AGENT_REPLY_NEW) |
                                  SLOT(ST_AGENT_CONV_PUT) | SLOT(ST_AGENT_REPLY_NEW_STAGE) |
                                  SLOT(ST_AGENT_CONV_PUT_STAGE);

sqlite3_stmt *heed__st_prep(heed_store *st, int slot, const char *sql, heed_error *err)
{
    if (slot >= ST_N_STMT)
        return NULL;
    if (!(PUT_SLOTS & SLOT(slot)) && st->memo->pend.conv && heed__st_settle(st, err))
        return NULL;
    sqlite3_stmt *s = st->stmt[slot];
    if (s) {
        sqlite3_reset(s);
        if (!(ALL_BOUND & SLOT(slot)))
            sqlite3_clear_bindings(s);
        return s;
    }
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        heed__st_fail(st, err, "prepare");
        return NULL;
    }
    st->stmt[slot] = s;
    return s;
}

void heed__st_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

void heed__st_text_ref(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static int exec(heed_store *st, const char *sql, heed_error *err)
{
    if (heed__st_settle(st, err))
        return HEED_EIO;
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (err) {
            err->code = HEED_EIO;
            snprintf(err->msg, sizeof err->msg, "store: %s", msg ? msg : "error");
        }
        sqlite3_free(msg);
        return HEED_EIO;
    }
    return HEED_OK;
}

static int user_version(heed_store *st, int *v, heed_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "schema version");
    *v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    return HEED_OK;
}

/* A new store's secret: HEED_SECRET when set (64 hex digits), else
 * /dev/urandom. Written as hex into meta. */
static int make_secret(heed_store *st, heed_error *err)
{
    unsigned char key[HEED_STORE_SECRET_LEN];
    const char *env = getenv("HEED_SECRET");
    if (env && *env) {
        if (strlen(env) != 2 * HEED_STORE_SECRET_LEN) {
            if (err) {
                err->code = HEED_EINVAL;
                snprintf(err->msg, sizeof err->msg,
                         "HEED_SECRET must be %d hexadecimal digits",
                         2 * HEED_STORE_SECRET_LEN);
            }
            return HEED_EINVAL;
        }
        for (int i = 0; i < HEED_STORE_SECRET_LEN; i++) {
            int h = heed__hexval(env[2 * i]), l = heed__hexval(env[2 * i + 1]);
            if (h < 0 || l < 0) {
                if (err) {
                    err->code = HEED_EINVAL;
                    snprintf(err->msg, sizeof err->msg,
                             "HEED_SECRET must be hexadecimal digits only");
                }
                return HEED_EINVAL;
            }
            key[i] = (unsigned char)(h << 4 | l);
        }
    } else {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        ssize_t got = fd >= 0 ? read(fd, key, sizeof key) : -1;
        if (fd >= 0)
            close(fd);
        if (got != (ssize_t)sizeof key) {
            if (err) {
                err->code = HEED_EIO;
                snprintf(err->msg, sizeof err->msg, "store: cannot read /dev/urandom: %s",
                         strerror(errno));
            }
            return HEED_EIO;
        }
    }
    char hex[2 * HEED_STORE_SECRET_LEN + 1];
    for (int i = 0; i < HEED_STORE_SECRET_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    return heed_store_meta_set(st, "secret", hex, err);
}

static int migrate(heed_store *st, heed_error *err)
{
    int v = 0;
    int rc = user_version(st, &v, err);
    if (rc)
        return rc;
    if (v > (int)HEED_STORE_SCHEMA) {
        if (err) {
            err->code = HEED_EINVAL;
            snprintf(err->msg, sizeof err->msg,
                     "store: schema version %d is newer than this heed's (%d); upgrade heed",
                     v, HEED_STORE_SCHEMA);
        }
        return HEED_EINVAL;
    }
    for (; v < (int)HEED_STORE_SCHEMA; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if ((rc = exec(st, "BEGIN IMMEDIATE", err)))
            return rc;
        rc = exec(st, MIGRATIONS[v], err);
        if (!rc)
            rc = exec(st, pragma, err);
        if (!rc && v == 0) {
            char now[32];
            snprintf(now, sizeof now, "%lld", (long long)time(NULL));
            rc = heed_store_meta_set(st, "created", now, err);
            if (!rc)
                rc = make_secret(st, err);
        }
        if (!rc) {
            char ver[16];
            snprintf(ver, sizeof ver, "%d", v + 1);
            rc = heed_store_meta_set(st, "schema_version", ver, err);
        }
        if (rc) {
            exec(st, "ROLLBACK", NULL);
            return rc;
        }
        if ((rc = exec(st, "COMMIT", err)))
            return rc;
    }
    return HEED_OK;
}

/* Before SQLite's first use in the process: no memory statistics. heed
 * reads none, and keeping them takes a global mutex around every allocation
 * and free SQLite makes (some 70 of each per message an import stores; the
 * Debian build has no lookaside). A program that used SQLite before keeps
 * its settings (sqlite3_config then refuses, harmlessly). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int heed_store_open(const char *path, heed_store **out, heed_error *err)
{
    *out = NULL;
    pthread_once(&sqlite_once, sqlite_setup);
    heed_store *st = calloc(1, sizeof *st);
    if (st && !(st->memo = calloc(1, sizeof *st->memo))) {
        free(st);
        st = NULL;
    }
    if (!st)
        return HEED_ENOMEM;
    /* NOMUTEX: a handle is used by one thread at a time (store.h), so
     * SQLite's per-call connection mutex only costs time (a lock and an
     * unlock around every column read of every row) */
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        if (err) {
            err->code = HEED_EIO;
            snprintf(err->msg, sizeof err->msg, "store: cannot open %s: %s", path,
                     st->db ? sqlite3_errmsg(st->db) : "out of memory");
        }
        sqlite3_close(st->db);
        free(st->memo);
        free(st);
        return HEED_EIO;
    }
    sqlite3_busy_timeout(st->db, BUSY_MS);
    /* WAL: readers never block the importer; synchronous=NORMAL keeps every
     * committed transaction across a crash of heed (kill -9); a power cut may
     * lose the last ones, never corrupt the file. */
    int rc = exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "PRAGMA foreign_keys=ON;" MEMORY_PRAGMAS,
                  err);
    if (!rc)
        rc = migrate(st, err);
    if (!rc)
        rc = heed_store_restore_indexes(st, 0, err);
    /* rows a killed import left staged: moved when nobody else writes; a
     * store that cannot be written to (read-only) still opens, its agent
     * summaries without them until a writer opens it */
    if (!rc)
        (void)heed_store_unstage_agents(st, 0, NULL);
    if (rc) {
        heed_store_close(st);
        return rc;
    }
    *out = st;
    return HEED_OK;
}

/* Into *missing, how many of the deferred indexes the store lacks. */
static int deferred_missing(heed_store *st, int *missing, heed_error *err)
{
    *missing = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "read the schema");
    int rc = HEED_OK;
    for (size_t i = 0; i < N_DEFERRED && !rc; i++) {
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, DEFERRED[i][0], -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        if (r == SQLITE_DONE)
            ++*missing;
        else if (r != SQLITE_ROW)
            rc = heed__st_fail(st, err, "read the schema");
    }
    sqlite3_finalize(s);
    return rc;
}

/* Runs sql (one statement, no result rows); 0 or the SQLite code. */
static int run(heed_store *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

/* Notes this process in meta under key, for owner_alive. */
static int note_owner(heed_store *st, const char *key, heed_error *err)
{
    char pid[24];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    return heed_store_meta_set(st, key, pid, err);
}

/* *alive 1 when the meta key names a process other than this one that is
 * still running (the store's write-ahead log works only for processes of
 * one host, so a process id names the importer; an id the system has since
 * given to another process only delays the work until that one ends). */
static int owner_alive(heed_store *st, const char *key, int *alive, heed_error *err)
{
    *alive = 0;
    char *pid = NULL;
    int rc = heed_store_meta_get(st, key, &pid, err);
    if (rc)
        return rc;
    long p = pid ? strtol(pid, NULL, 10) : 0;
    free(pid);
    *alive = p > 0 && p != (long)getpid() && (kill((pid_t)p, 0) == 0 || errno == EPERM);
    return HEED_OK;
}

int heed_store_defer_indexes(heed_store *st, int *deferred, heed_error *err)
{
    *deferred = 0;
    int rc = exec(st, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    sqlite3_stmt *s = NULL;
    int r = sqlite3_prepare_v2(st->db, "SELECT 1 FROM message LIMIT 1", -1, &s, NULL);
    if (r == SQLITE_OK)
        r = sqlite3_step(s);
    sqlite3_finalize(s);
    if (r == SQLITE_DONE) { /* no message: drop them, in one transaction */
        for (size_t i = 0; i < N_DEFERRED && r == SQLITE_DONE; i++) {
            char sql[96];
            snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", DEFERRED[i][0]);
            r = run(st, sql) == SQLITE_OK ? SQLITE_DONE : SQLITE_ERROR;
        }
        *deferred = r == SQLITE_DONE;
        /* which process builds them: opens elsewhere leave them to it */
        if (*deferred && note_owner(st, "indexes_deferred", NULL) != HEED_OK)
            r = SQLITE_ERROR;
    }
    if (r != SQLITE_DONE && r != SQLITE_ROW) {
        rc = heed__st_fail(st, err, "defer the indexes");
        exec(st, "ROLLBACK", NULL);
        *deferred = 0;
        return rc;
    }
    return exec(st, "COMMIT", err);
}

static int build_missing(heed_store *st, int wait, heed_error *err);

int heed_store_restore_indexes(heed_store *st, int wait, heed_error *err)
{
    int missing;
    int rc = deferred_missing(st, &missing, err);
    if (rc || !missing)
        return rc;
    /* without wait, a store an import still running left without them, or
     * another connection is writing to, stays as it is (queries answer the
     * same without the indexes): the import builds them at its end, else
     * the next open does. (Building them here between two of its batches
     * would keep its next batch waiting for as long as the build takes.) */
    if (!wait) {
        int busy;
        if ((rc = owner_alive(st, "indexes_deferred", &busy, err)) || busy)
            return rc;
        sqlite3_busy_timeout(st->db, 0);
    }
    /* the builds sort in a smaller page cache (a sort holds as much as the
     * cache in memory) and spill to temporary files, not to memory: with
     * the import's cache and memory for temporary data, an import of 544k
     * messages peaked at 97.8 MB against 79.0 MB keeping the indexes row by
     * row; so, 78.8 MB (136k messages: 78.0 MB), the build as fast */
    heed_store_lean(st, 1);
    rc = build_missing(st, wait, err);
    heed_store_lean(st, 0);
    return rc;
}

/* The write transaction of a pass an open may leave for later: 1 when it
 * began; without wait (the caller set no busy timeout), 0 when another
 * connection holds the write lock, the timeout set back; else an error. */
static int begin_pass(heed_store *st, int wait, const char *what, heed_error *err)
{
    int r = run(st, "BEGIN IMMEDIATE");
    if (!wait)
        sqlite3_busy_timeout(st->db, BUSY_MS);
    if (r == SQLITE_BUSY && !wait)
        return HEED_OK;
    return r == SQLITE_OK ? 1 : heed__st_fail(st, err, what);
}

/* heed_store_restore_indexes past its checks: the transaction that builds. */
static int build_missing(heed_store *st, int wait, heed_error *err)
{
    int rc, r = begin_pass(st, wait, "build the indexes", err);
    if (r != 1)
        return r;
    /* in the transaction, the indexes missing now (another connection may
     * have built some meanwhile) */
    sqlite3_stmt *s = NULL;
    r = sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                           -1, &s, NULL);
    for (size_t i = 0; i < N_DEFERRED && r == SQLITE_OK; i++) {
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, DEFERRED[i][0], -1, SQLITE_STATIC);
        r = sqlite3_step(s);
        if (r == SQLITE_DONE) {
            sqlite3_reset(s); /* no read of sqlite_master open while the schema changes */
            r = run(st, DEFERRED[i][1]);
        } else if (r == SQLITE_ROW) {
            r = SQLITE_OK;
        }
    }
    sqlite3_finalize(s);
    if (r == SQLITE_OK)
        r = run(st, "DELETE FROM meta WHERE key = 'indexes_deferred'");
    if (r != SQLITE_OK) {
        rc = heed__st_fail(st, err, "build the indexes");
        exec(st, "ROLLBACK", NULL);
        return rc;
    }
    return exec(st, "COMMIT", err);
}

static int move_staged(heed_store *st, int wait, heed_error *err);

/* HEED_EINVAL ("store: WHAT: a transaction is open") when one is, else 0. */
static int no_transaction(heed_store *st, const char *what, heed_error *err)
{
    if (!heed_store_in_transaction(st))
        return HEED_OK;
    if (err) {
        err->code = HEED_EINVAL;
        snprintf(err->msg, sizeof err->msg, "store: %s: a transaction is open", what);
    }
    return HEED_EINVAL;
}

int heed_store_stage_agents(heed_store *st, int on, heed_error *err)
{
    if (no_transaction(st, "stage agent rows", err))
        return HEED_EINVAL;
    if (on) {
        /* which process moves them: opens elsewhere leave them to it */
        int rc = note_owner(st, "agents_staged", err);
        if (!rc)
            st->stage = 1;
        return rc;
    }
    st->stage = 0;
    return heed_store_unstage_agents(st, 1, err);
}

int heed_store_unstage_agents(heed_store *st, int wait, heed_error *err)
{
    sqlite3_stmt *s = NULL;
    int r = sqlite3_prepare_v2(st->db,
                               "SELECT EXISTS(SELECT 1 FROM agent_reply_stage) OR "
                               "EXISTS(SELECT 1 FROM agent_conv_stage) OR "
                               "EXISTS(SELECT 1 FROM meta WHERE key = 'agents_staged')",
                               -1, &s, NULL);
    if (r == SQLITE_OK)
        r = sqlite3_step(s);
    int any = r == SQLITE_ROW && sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (r != SQLITE_ROW)
        return heed__st_fail(st, err, "read the staged agent rows");
    if (!any)
        return HEED_OK;
    /* without wait, the rows of an import still running (it moves them when
     * its file ends), or of a store another connection is writing to, stay
     * where they are */
    if (!wait) {
        int busy, rc;
        if ((rc = owner_alive(st, "agents_staged", &busy, err)) || busy)
            return rc;
        sqlite3_busy_timeout(st->db, 0);
    }
    /* the sorts into key order in a small page cache, spilling to
     * temporary files (as the index builds: a sort holds as much as the
     * cache in memory; with the import's, `import dir` of 1.02M messages
     * peaked at 140.7 MB instead of 101.3 MB); set outside the transaction,
     * where the temporary storage cannot change */
    heed_store_lean(st, 1);
    int rc = move_staged(st, wait, err);
    heed_store_lean(st, 0);
    return rc;
}

/* heed_store_unstage_agents past its checks: the transaction that moves. */
static int move_staged(heed_store *st, int wait, heed_error *err)
{
    int r = begin_pass(st, wait, "move the staged agent rows", err);
    if (r != 1)
        return r;
    int rc = heed__st_unstage(st, err);
    if (!rc && run(st, "DELETE FROM meta WHERE key = 'agents_staged'") != SQLITE_OK)
        rc = heed__st_fail(st, err, "move the staged agent rows");
    if (rc) {
        exec(st, "ROLLBACK", NULL);
        return rc;
    }
    return exec(st, "COMMIT", err);
}

void heed_store_close(heed_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < ST_N_STMT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st->conv_source);
    free(st->conv_ext);
    free(st->memo);
    free(st);
}

/* Raises meta latest_other_time to st->other_time (other_has 0: nothing
 * put since the transaction began), in the open transaction. */
static int put_other_time(heed_store *st, heed_error *err)
{
    if (!st->other_has)
        return HEED_OK;
    sqlite3_stmt *s =
        heed__st_prep(st, ST_OTHER_TIME,
                      "INSERT INTO meta(key, value) VALUES('latest_other_time', ?1) "
                      "ON CONFLICT(key) DO UPDATE SET "
                      "value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                      err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, st->other_time);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "store the latest time");
    st->other_has = 0;
    return HEED_OK;
}

int heed_store_begin(heed_store *st, heed_error *err)
{
    /* what the memo holds is true from here until the transaction ends */
    st->memo->pend.conv = 0;
    heed__txmemo_clear(st->memo);
    st->other_has = st->other_has_sp = 0;
    int rc = exec(st, "BEGIN IMMEDIATE", err);
    st->memo->in_txn = rc == HEED_OK;
    return rc;
}

int heed__st_other_time(heed_store *st, int64_t t, heed_error *err)
{
    if (!st->other_has || t > st->other_time)
        st->other_time = t;
    st->other_has = 1;
    /* a put of its own: written now */
    return heed_store_in_transaction(st) ? HEED_OK : put_other_time(st, err);
}

int heed_store_begin_read(heed_store *st, heed_error *err)
{
    if (!sqlite3_get_autocommit(st->db))
        return 0;
    int rc = exec(st, "BEGIN", err);
    return rc ? rc : 1;
}

int heed_store_commit(heed_store *st, heed_error *err)
{
    /* A kept statement that stopped on a row (a lookup) holds a read
     * transaction open past COMMIT, and while one is open SQLite's automatic
     * checkpoint fails: the WAL then grew by every page of every batch for the
     * whole import (gigabytes for a million messages) and reads slowed with
     * it. Resetting them here lets each commit checkpoint. */
    for (int i = 0; i < ST_N_STMT; i++)
        if (st->stmt[i])
            sqlite3_reset(st->stmt[i]);
    int rc = heed__st_settle(st, err);
    if (!rc)
        rc = put_other_time(st, err);
    if (rc)
        return rc;
    st->memo->in_txn = 0;
    heed__txmemo_clear(st->memo);
    return exec(st, "COMMIT", err);
}

void heed_store_rollback(heed_store *st)
{
    st->other_has = st->other_has_sp = 0;
    st->memo->in_txn = 0;
    st->memo->pend.conv = 0; /* undone with the rest */
    heed__txmemo_clear(st->memo);
    exec(st, "ROLLBACK", NULL);
    /* the cached conversation may have been rolled back with it */
    free(st->conv_source);
    free(st->conv_ext);
    st->conv_source = st->conv_ext = NULL;
}

int heed_store_savepoint(heed_store *st, heed_error *err)
{
    /* what a rollback to it goes back to */
    st->other_has_sp = st->other_has;
    st->other_time_sp = st->other_time;
    return exec(st, "SAVEPOINT part", err);
}

int heed_store_savepoint_release(heed_store *st, heed_error *err)
{
    return exec(st, "RELEASE part", err);
}

void heed_store_savepoint_rollback(heed_store *st)
{
    /* statements left on a row would keep the rolled-back pages in view */
    for (int i = 0; i < ST_N_STMT; i++)
        if (st->stmt[i])
            sqlite3_reset(st->stmt[i]);
    /* pending is only what was put since the savepoint (it wrote the rest) */
    st->memo->pend.conv = 0;
    st->other_has = st->other_has_sp;
    st->other_time = st->other_time_sp;
    /* fails harmlessly when the transaction already ended with an error */
    exec(st, "ROLLBACK TO part", NULL);
    exec(st, "RELEASE part", NULL);
    heed__txmemo_clear(st->memo); /* it may hold rows of the part undone */
    /* the cached conversation may have been made after the savepoint */
    free(st->conv_source);
    free(st->conv_ext);
    st->conv_source = st->conv_ext = NULL;
}

int heed_store_in_transaction(heed_store *st)
{
    return !sqlite3_get_autocommit(st->db);
}

int heed_store_autocheckpoint(heed_store *st, int on, heed_error *err)
{
    /* SQLite's default: a checkpoint by the commit that takes the journal
     * past 1000 pages */
    if (sqlite3_wal_autocheckpoint(st->db, on ? 1000 : 0) != SQLITE_OK)
        return heed__st_fail(st, err, "checkpoint setting");
    return HEED_OK;
}

int heed_store_foreign_keys(heed_store *st, int on, heed_error *err)
{
    if (no_transaction(st, "foreign keys", err))
        return HEED_EINVAL;
    return exec(st, on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF", err);
}

void heed_store_lean(heed_store *st, int on)
{
    (void)run(st, on ? "PRAGMA cache_size=-4096; PRAGMA temp_store=FILE"
                     : st->bulk ? BULK_PRAGMAS : MEMORY_PRAGMAS);
}

void heed_store_bulk_cache(heed_store *st, int on)
{
    st->bulk = on;
    (void)run(st, on ? BULK_PRAGMAS : MEMORY_PRAGMAS);
}

void heed_store_release_memory(heed_store *st)
{
    (void)sqlite3_db_release_memory(st->db);
}

int heed_store_checkpoint(heed_store *st, heed_error *err)
{
    int r = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return r == SQLITE_OK || r == SQLITE_BUSY ? HEED_OK : heed__st_fail(st, err, "checkpoint");
}

int heed_store_meta_get(heed_store *st, const char *key, char **out, heed_error *err)
{
    *out = NULL;
    sqlite3_stmt *s = heed__st_prep(st, ST_META_GET, "SELECT value FROM meta WHERE key=?", err);
    if (!s)
        return HEED_EIO;
    heed__st_text(s, 1, key);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        *out = strdup(v ? v : "");
        /* end the read now: a statement left on a row keeps its snapshot
         * open, and a long-lived handle (heed serve) would never see other
         * processes' writes nor be able to write itself */
        sqlite3_reset(s);
        if (!*out)
            return HEED_ENOMEM;
    } else if (r != SQLITE_DONE) {
        return heed__st_fail(st, err, "read meta");
    }
    return HEED_OK;
}

int heed_store_meta_set(heed_store *st, const char *key, const char *value, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(
        st, ST_META_SET, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) "
                         "DO UPDATE SET value=excluded.value",
        err);
    if (!s)
        return HEED_EIO;
    heed__st_text(s, 1, key);
    heed__st_text(s, 2, value);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "write meta");
}

int heed_store_secret(heed_store *st, unsigned char key[HEED_STORE_SECRET_LEN], heed_error *err)
{
    char *hex = NULL;
    int rc = heed_store_meta_get(st, "secret", &hex, err);
    if (rc)
        return rc;
    if (!hex || strlen(hex) != 2 * HEED_STORE_SECRET_LEN) {
        free(hex);
        if (err) {
            err->code = HEED_EIO;
            snprintf(err->msg, sizeof err->msg, "store: the secret key is missing or damaged");
        }
        return HEED_EIO;
    }
    for (int i = 0; i < HEED_STORE_SECRET_LEN; i++)
        key[i] = (unsigned char)(heed__hexval(hex[2 * i]) << 4 | heed__hexval(hex[2 * i + 1]));
    free(hex);
    return HEED_OK;
}

/* ------------------------------------------------------------ imports */

int heed_store_file_get(heed_store *st, const char *kind, const char *fingerprint,
                        heed_st_file *out, int *found, heed_error *err)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    sqlite3_stmt *s = heed__st_prep(st, ST_FILE_GET,
                                    "SELECT records, imported, rejected, finished FROM "
                                    "import_file WHERE kind=? AND fingerprint=?",
                                    err);
    if (!s)
        return HEED_EIO;
    heed__st_text(s, 1, kind);
    heed__st_text(s, 2, fingerprint);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        *found = 1;
        out->records = (uint64_t)sqlite3_column_int64(s, 0);
        out->imported = (uint64_t)sqlite3_column_int64(s, 1);
        out->rejected = (uint64_t)sqlite3_column_int64(s, 2);
        out->finished = sqlite3_column_int(s, 3);
        return HEED_OK;
    }
    return r == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "read import progress");
}

int heed_store_file_put(heed_store *st, const char *kind, const char *fingerprint,
                        const char *path, const heed_st_file *f, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(
        st, ST_FILE_PUT,
        "INSERT INTO import_file(kind, fingerprint, path, records, imported, rejected, "
        "finished, updated) VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(kind, fingerprint) DO UPDATE "
        "SET path=excluded.path, records=excluded.records, imported=excluded.imported, "
        "rejected=excluded.rejected, finished=excluded.finished, updated=excluded.updated",
        err);
    if (!s)
        return HEED_EIO;
    heed__st_text(s, 1, kind);
    heed__st_text(s, 2, fingerprint);
    heed__st_text(s, 3, path);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)f->records);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)f->imported);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)f->rejected);
    sqlite3_bind_int(s, 7, f->finished);
    sqlite3_bind_int64(s, 8, (sqlite3_int64)time(NULL));
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK
                                          : heed__st_fail(st, err, "write import progress");
}

int heed_store_counts(heed_store *st, heed_st_counts *out, heed_error *err)
{
    memset(out, 0, sizeof *out);
    if (heed__st_settle(st, err))
        return HEED_EIO;
    static const char *const q[] = {
        "SELECT count(*) FROM message",      "SELECT count(*) FROM conversation",
        "SELECT count(*) FROM customer",     "SELECT count(*) FROM event",
        "SELECT count(*) FROM survey",       "SELECT count(*) FROM agent",
        "SELECT count(*) FROM shift",        "SELECT count(*) FROM promise",
        "SELECT count(*) FROM party",
        "SELECT count(DISTINCT person) FROM party WHERE person IS NOT NULL",
    };
    int64_t *dst[] = {&out->messages, &out->conversations, &out->customers, &out->events,
                      &out->surveys,  &out->agents,        &out->shifts,    &out->promises,
                      &out->parties,  &out->persons};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db, q[i], -1, &s, NULL) != SQLITE_OK)
            return heed__st_fail(st, err, "count");
        if (sqlite3_step(s) == SQLITE_ROW)
            *dst[i] = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    return HEED_OK;
}
