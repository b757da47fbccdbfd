/* test_txmemo.c - what a store handle remembers of its own write transaction
 * (src/store/txmemo.c) gives the rows reading them back gives: the two rules
 * in C against their SQL on random rows (ties, NULL stress, more needs than
 * counted), and random runs of puts, savepoints rolled back, re-scorings,
 * persons set, agents' aliases and queries into two stores, one with the
 * memo and one without (its transactions flagged as not open for the memo),
 * whose every table must then be equal, and equal to the definitions in
 * docs/store.md; what the puts leave pending (texts and agents too many to
 * keep among them) is read through the queries as written. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_int.h"

/* a small deterministic generator */
static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static sqlite3 *mem_db(const char *schema)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
    return db;
}

/* ------------------------------------------------------------ the rules */

static void test_cstress_rule(void **state)
{
    (void)state;
    sqlite3 *db = mem_db("CREATE TABLE x(id INTEGER PRIMARY KEY, time INTEGER, stress REAL)");
    sqlite3_stmt *ins, *q;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO x VALUES(?, ?, ?)", -1, &ins, NULL),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT stress FROM x WHERE time <= ?1 ORDER BY time DESC, "
                           "id DESC LIMIT 1), EXISTS(SELECT 1 FROM x WHERE time <= ?1), "
                           "coalesce((SELECT max(stress) FROM x WHERE time <= ?1), 0)",
                           -1, &q, NULL),
        SQLITE_OK);
    for (int round = 0; round < 400; round++) {
        sqlite3_exec(db, "DELETE FROM x", NULL, NULL, NULL);
        int n = (int)rnd(9);
        int64_t t[9], id[9];
        double s[9];
        int has[9];
        for (int i = 0; i < n; i++) {
            id[i] = 1 + i * 3 + (int)rnd(3);
            t[i] = rnd(4); /* many equal times */
            has[i] = rnd(5) != 0;
            s[i] = rnd(3) ? rnd(100) : rnd(3) * 10.0;
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, id[i]);
            sqlite3_bind_int64(ins, 2, t[i]);
            if (has[i])
                sqlite3_bind_double(ins, 3, s[i]);
            else
                sqlite3_bind_null(ins, 3);
            assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        }
        int64_t at = rnd(5);
        heed_cstress cs = {0};
        int from = n ? (int)rnd((unsigned)n) : 0, back = round % 2;
        for (int k = 0; k < n; k++) { /* in an order of its own */
            int i = (from + (back ? n - k : k)) % n;
            if (t[i] <= at)
                heed__cstress_add(&cs, t[i], id[i], has[i], s[i]);
        }
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, at);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        int sql_has = sqlite3_column_type(q, 0) != SQLITE_NULL;
        assert_int_equal(cs.has_answered, sql_has);
        if (sql_has)
            assert_true(cs.answered == sqlite3_column_double(q, 0));
        assert_int_equal(cs.any, sqlite3_column_int(q, 1));
        assert_true((cs.has_peak ? cs.peak : 0) == sqlite3_column_double(q, 2));
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void test_need_tally_rule(void **state)
{
    (void)state;
    sqlite3 *db = mem_db("CREATE TABLE message(id INTEGER PRIMARY KEY, conversation INTEGER, "
                         "role INTEGER, time INTEGER, need INTEGER)");
    sqlite3_stmt *ins, *q;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO message VALUES(?, 1, 1, ?, ?)", -1, &ins,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT " HEED_ST_TOP_NEED("1"), -1, &q, NULL),
                     SQLITE_OK);
    for (int round = 0; round < 300; round++) {
        sqlite3_exec(db, "DELETE FROM message", NULL, NULL, NULL);
        int many = round % 10 == 0; /* more distinct needs than the tally holds */
        int n = many ? 70 + (int)rnd(10) : (int)rnd(12);
        heed_need_tally nd = {0};
        for (int i = 0; i < n; i++) {
            int64_t id = 1 + i, time = rnd(5), need = many ? (int64_t)i : (int64_t)rnd(4);
            int has = many || rnd(4) != 0;
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, id);
            sqlite3_bind_int64(ins, 2, time);
            if (has)
                sqlite3_bind_int64(ins, 3, need);
            else
                sqlite3_bind_null(ins, 3);
            assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
            if (has)
                heed__need_tally_add(&nd, need, time, id);
        }
        int64_t top = -1;
        int has = heed__need_tally_top(&nd, &top);
        sqlite3_reset(q);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        if (many) {
            assert_int_equal(has, 0); /* the store asks SQL instead */
            assert_true(nd.over);
        } else {
            assert_int_equal(has, sqlite3_column_type(q, 0) != SQLITE_NULL);
            if (has)
                assert_int_equal(top, sqlite3_column_int64(q, 0));
        }
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* ------------------------------------------------------------ stores */

/* The first column of the first row of sql on db, an integer. */
static int int_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return n;
}

/* 0 with the memo, 1 without, 2 with the memo and its agent rows staged
 * (heed_store_stage_agents) for runs of transactions */
#define N_STORES 3

typedef struct stores {
    char dir[64], path[N_STORES][128];
    heed_store *st[N_STORES];
} stores;

static void begin2(stores *t)
{
    heed_error err = {0};
    for (int k = 0; k < N_STORES; k++)
        assert_int_equal(heed_store_begin(t->st[k], &err), HEED_OK);
    t->st[1]->memo->in_txn = 0; /* as if the memo did not exist */
}

static void commit2(stores *t)
{
    heed_error err = {0};
    for (int k = 0; k < N_STORES; k++)
        assert_int_equal(heed_store_commit(t->st[k], &err), HEED_OK);
}

/* The rows staged in store 2. */
static int staged_rows(stores *t)
{
    return int_of(t->st[2]->db, "SELECT (SELECT count(*) FROM agent_reply_stage) + "
                                "(SELECT count(*) FROM agent_conv_stage)");
}

/* Every row of every table but meta, in key order, as text. */
static char *dump(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *tabs;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT IN ('meta') ORDER BY name",
                                        -1, &tabs, NULL),
                     SQLITE_OK);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    while (sqlite3_step(tabs) == SQLITE_ROW) {
        char sql[512];
        int n = snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"",
                         (const char *)sqlite3_column_text(tabs, 0));
        sqlite3_stmt *s;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        int cols = sqlite3_column_count(s);
        sqlite3_finalize(s);
        for (int c = 1; c <= cols; c++)
            n += snprintf(sql + n, sizeof sql - (size_t)n, "%s%d", c == 1 ? " ORDER BY " : ", ", c);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        while (sqlite3_step(s) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(s); c++) {
                const char *v = (const char *)sqlite3_column_text(s, c);
                size_t need = len + (v ? strlen(v) : 4) + 64;
                if (need > cap) {
                    cap = 2 * need;
                    out = realloc(out, cap);
                    assert_non_null(out);
                }
                len += (size_t)snprintf(out + len, cap - len, "%s%s", c ? "|" : "\n",
                                        v ? v : "NULL");
            }
        }
        sqlite3_finalize(s);
    }
    sqlite3_finalize(tabs);
    sqlite3_close(db);
    return out;
}

/* The kept rows differing from their definitions (docs/store.md). */
static int kept_rows_wrong(const char *path)
{
    static const char *const q =
        "SELECT (SELECT count(*) FROM (SELECT m.agent, m.time, m.id, m.conversation, m.er, "
        "m.ip, m.ex, m.compassion, (SELECT x.stress FROM message x WHERE x.conversation = "
        "m.conversation AND x.role = 1 AND x.time <= m.time ORDER BY x.time DESC, x.id DESC "
        "LIMIT 1) FROM message m WHERE m.agent IS NOT NULL AND m.role = 2 EXCEPT SELECT agent, "
        "time, message, conversation, er, ip, ex, compassion, stress FROM agent_reply)) + "
        "(SELECT count(*) FROM (SELECT a.ag, a.cv, a.s, a.e, a.n, coalesce((SELECT "
        "max(x.stress) FROM message x WHERE x.conversation = a.cv AND x.role = 1 AND x.time <= "
        "a.e), 0) FROM (SELECT m.agent ag, m.conversation cv, min(m.time) s, max(m.time) e, "
        "count(*) n FROM message m WHERE m.agent IS NOT NULL AND m.role = 2 GROUP BY m.agent, "
        "m.conversation) a EXCEPT SELECT agent, conversation, start, end, replies, peak_stress "
        "FROM agent_conv)) + (SELECT count(*) FROM conversation c WHERE c.top_need IS NOT " HEED_ST_TOP_NEED("c.id")
        ") + (SELECT count(*) FROM agent_reply) - (SELECT count(*) FROM message WHERE agent IS "
        "NOT NULL AND role = 2)";
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int n = int_of(db, q);
    sqlite3_close(db);
    return n;
}

/* 1 when meta latest_other_time is not the latest time of the messages
 * other than the customers'. */
static int latest_other_wrong(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_true(int_of(db, "SELECT count(*) FROM message WHERE role <> 1") > 0);
    int wrong = int_of(db, "SELECT (SELECT max(time) FROM message WHERE role <> 1) IS NOT "
                           "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
                           "'latest_other_time')");
    sqlite3_close(db);
    return wrong;
}

/* texts longer than the memo keeps pending (HEED_TXPEND_TEXT) */
#define LONG_TEXT "a status, channel or subject longer than the sixty-four bytes kept pending"

static void random_message(heed_st_message *m, char *id, char *conv, char *cust, int serial)
{
    /* more agents than one conversation's pending rows hold */
    static const char *const agents[] = {"ann", "bob", "Cy@Example.com", "dee", "eve", "fay"};
    static const char *const channels[] = {"chat", "email", NULL, NULL, LONG_TEXT};
    static const char *const subjects[] = {NULL, NULL, "", "refund", LONG_TEXT};
    static const char *const statuses[] = {"open", "open", "", "solved", LONG_TEXT};
    memset(m, 0, sizeof *m);
    /* a few ids come again: idempotent puts */
    snprintf(id, 16, "m%d", rnd(8) ? serial : (int)rnd((unsigned)serial + 1));
    /* conversations mostly in runs, sometimes back to an earlier one */
    snprintf(conv, 16, "c%d", rnd(4) ? serial / 5 : (int)rnd((unsigned)serial / 5 + 1));
    snprintf(cust, 16, "cust%d", rnd(6));
    m->source = "t";
    m->id = id;
    m->conversation = rnd(12) ? conv : NULL;
    m->role = rnd(5) < 3 ? HEED_ROLE_CUSTOMER : HEED_ROLE_AGENT;
    m->customer = rnd(3) ? NULL : cust;
    m->agent = m->role == HEED_ROLE_AGENT && rnd(8) ? agents[rnd(rnd(4) ? 3 : 6)] : NULL;
    m->time = 1000 + serial / 3 * 10 + 10 * (int)rnd(3) - 10 * (int)rnd(3); /* ties, disorder */
    m->channel = channels[rnd(rnd(8) ? 3 : 5)];
    m->subject = subjects[rnd(rnd(8) ? 4 : 5)];
    m->status = rnd(4) ? NULL : statuses[rnd(rnd(8) ? 4 : 5)];
    m->text = "some text";
    m->text_len = strlen(m->text);
    m->model = "test";
    m->scored = 1;
    m->stress = rnd(9) ? rnd(100) : NAN;
    m->emotion = -1;
    m->need = rnd(3) ? (int)rnd(4) : -1;
    for (int c = 0; c < HEED_EMPATHY_COUNT; c++)
        m->empathy[c] = m->role == HEED_ROLE_AGENT ? (int)rnd(3) - 1 : -1;
    m->compassion = m->role == HEED_ROLE_AGENT ? (double)rnd(100) : -1;
    m->addressed = -1;
}

/* The agent summaries and the messages with their conversations' status
 * and subject, as the store's queries read them on handle st (in its open
 * transaction), as text. */
static char *read_through(heed_store *st)
{
    heed_error err = {0};
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = 0;
    heed_st_cursor *c;
    assert_int_equal(heed_store_agent_convos(st, NULL, 0, INT64_MAX, &c, &err), HEED_OK);
    heed_st_agentconv a;
    int r;
    while ((r = heed_st_next_agentconv(c, &a)) == 1) {
        if (len + 512 > cap)
            assert_non_null(out = realloc(out, cap *= 2));
        len += (size_t)snprintf(out + len, cap - len, "%s|%lld|%lld|%lld|%d|%g\n", a.agent,
                                (long long)a.conversation, (long long)a.start, (long long)a.end,
                                a.replies, a.peak_stress);
    }
    assert_int_equal(r, 0);
    heed_st_cursor_free(c);
    assert_int_equal(heed_store_all_messages(st, 0, &c, &err), HEED_OK);
    heed_st_msgrow m;
    while ((r = heed_st_next_message(c, &m)) == 1) {
        if (len + 512 > cap)
            assert_non_null(out = realloc(out, cap *= 2));
        len += (size_t)snprintf(out + len, cap - len, "%lld|%s|%s\n", (long long)m.id,
                                m.status ? m.status : "NULL", m.subject ? m.subject : "NULL");
    }
    assert_int_equal(r, 0);
    heed_st_cursor_free(c);
    return out;
}

static void memo_round(void)
{
    stores t = {0};
    snprintf(t.dir, sizeof t.dir, "/tmp/heed-test-txmemo-XXXXXX");
    assert_non_null(mkdtemp(t.dir));
    heed_error err = {0};
    for (int k = 0; k < N_STORES; k++) {
        snprintf(t.path[k], sizeof t.path[k], "%s/%d.db", t.dir, k);
        assert_int_equal(heed_store_open(t.path[k], &t.st[k], &err), HEED_OK);
    }
    static const char *const tokens[] = {"tok-a", "tok-b", "tok-c", "tok-d", "tok-e"};
    int serial = 0, in_sp = 0, staged_seen = 0;
    assert_int_equal(heed_store_stage_agents(t.st[2], 1, &err), HEED_OK);
    begin2(&t);
    for (int step = 0; step < 2000; step++) {
        unsigned op = rnd(100);
        if (op < 80) {
            heed_st_message m;
            char id[16], conv[16], cust[16];
            random_message(&m, id, conv, cust, serial++);
            heed_st_key keys[2] = {{"email", tokens[rnd(5)]}, {"phone", tokens[rnd(5)]}};
            size_t nk = rnd(3);
            heed_st_promise p = {.kind = 1, .text = "we will call", .has_due = 1, .due = 9999};
            size_t np = rnd(4) == 0;
            int added[N_STORES];
            for (int k = 0; k < N_STORES; k++)
                assert_int_equal(
                    heed_store_put_message(t.st[k], &m, &p, np, keys, nk, &added[k], &err),
                    HEED_OK);
            assert_int_equal(added[0], added[1]);
            assert_int_equal(added[0], added[2]);
        } else if (op < 81) { /* a query on the writing handle, in its transaction (the
                               * staged rows are not read) */
            char *a = read_through(t.st[0]), *b = read_through(t.st[1]);
            assert_string_equal(a, b);
            free(a);
            free(b);
        } else if (op < 83) { /* the batch ends: commit, and a new one */
            if (in_sp) {
                for (int k = 0; k < N_STORES; k++)
                    assert_int_equal(heed_store_savepoint_release(t.st[k], &err), HEED_OK);
                in_sp = 0;
            }
            commit2(&t);
            /* store 2's staged rows move, and it stages again, now and then */
            if (rnd(4) == 0) {
                int had = staged_rows(&t);
                assert_int_equal(heed_store_stage_agents(t.st[2], 0, &err), HEED_OK);
                assert_int_equal(staged_rows(&t), 0);
                staged_seen += had > 0;
                assert_int_equal(heed_store_stage_agents(t.st[2], 1, &err), HEED_OK);
            }
            begin2(&t);
        } else if (op < 90) { /* a request of the server's group: kept or undone */
            int undo = in_sp && rnd(2) == 0;
            for (int k = 0; k < N_STORES; k++) {
                if (undo)
                    heed_store_savepoint_rollback(t.st[k]);
                else if (in_sp)
                    assert_int_equal(heed_store_savepoint_release(t.st[k], &err), HEED_OK);
                assert_int_equal(heed_store_savepoint(t.st[k], &err), HEED_OK);
            }
            in_sp = 1;
        } else if (op < 94) { /* a re-scoring, as heed reanalyze makes it */
            heed_st_message m;
            char id[16], conv[16], cust[16];
            random_message(&m, id, conv, cust, serial);
            int64_t mid = 1 + (int64_t)rnd((unsigned)serial + 1);
            sqlite3_stmt *q;
            if (rnd(2)) { /* often a message of the conversation made last */
                assert_int_equal(sqlite3_prepare_v2(t.st[0]->db, "SELECT max(id) FROM message",
                                                    -1, &q, NULL),
                                 SQLITE_OK);
                if (sqlite3_step(q) == SQLITE_ROW)
                    mid = sqlite3_column_int64(q, 0) - rnd(3);
                sqlite3_finalize(q);
            }
            assert_int_equal(sqlite3_prepare_v2(t.st[0]->db,
                                                "SELECT role FROM message WHERE id = ?", -1, &q,
                                                NULL),
                             SQLITE_OK);
            sqlite3_bind_int64(q, 1, mid);
            int found = sqlite3_step(q) == SQLITE_ROW;
            m.role = found ? sqlite3_column_int(q, 0) : 0;
            sqlite3_finalize(q);
            for (int k = 0; k < N_STORES && found; k++)
                assert_int_equal(heed_store_update_analysis(t.st[k], mid, &m, NULL, 0, &err),
                                 HEED_OK);
        } else if (op < 98) { /* the identity pass links a party */
            int64_t party = 1 + rnd((unsigned)serial / 3 + 1), person = 1 + rnd(20);
            if (rnd(2)) { /* often the party of the conversation made last */
                sqlite3_stmt *q;
                assert_int_equal(sqlite3_prepare_v2(t.st[0]->db, "SELECT max(id) FROM party",
                                                    -1, &q, NULL),
                                 SQLITE_OK);
                if (sqlite3_step(q) == SQLITE_ROW)
                    party = sqlite3_column_int64(q, 0);
                sqlite3_finalize(q);
            }
            for (int k = 0; k < N_STORES; k++)
                assert_int_equal(heed_store_set_person(t.st[k], party, person, &err), HEED_OK);
        } else { /* an agent's other name */
            static const char *const alias[][2] = {
                {"ann", "ann@example.com"}, {"bob", "dee"}, {"ann", "Cy@example.com"}};
            unsigned a = rnd(3);
            size_t moved[N_STORES];
            int rc[N_STORES];
            for (int k = 0; k < N_STORES; k++)
                rc[k] = heed_store_put_agent_alias(t.st[k], alias[a][0], alias[a][1], &moved[k],
                                                   &err);
            assert_int_equal(rc[0], rc[1]);
            assert_int_equal(rc[0], rc[2]);
        }
    }
    if (in_sp)
        for (int k = 0; k < N_STORES; k++)
            heed_store_savepoint_rollback(t.st[k]);
    commit2(&t);
    staged_seen += staged_rows(&t) > 0;
    assert_int_equal(heed_store_stage_agents(t.st[2], 0, &err), HEED_OK);
    assert_true(staged_seen > 0); /* rows were staged and moved */
    for (int k = 0; k < N_STORES; k++)
        heed_store_close(t.st[k]);
    char *a = dump(t.path[0]), *b = dump(t.path[1]), *c = dump(t.path[2]);
    assert_true(strlen(a) > 10000);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    free(a);
    free(b);
    free(c);
    assert_int_equal(kept_rows_wrong(t.path[0]), 0);
    /* the commits kept the other messages' latest time (savepoints rolled
     * back and puts of ids already there included) */
    for (int k = 0; k < N_STORES; k++)
        assert_int_equal(latest_other_wrong(t.path[k]), 0);
    for (int k = 0; k < N_STORES; k++) {
        char p[160];
        static const char *const suffix[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(p, sizeof p, "%s%s", t.path[k], suffix[i]);
            unlink(p);
        }
    }
    rmdir(t.dir);
}

static void test_memo_same_rows(void **state)
{
    (void)state;
    for (int round = 0; round < 8; round++)
        memo_round();
}

/* The agents' ids: a lookup gives the canon put for that id or nothing,
 * never another's; a batch's few hundred agents stay known; a clear forgets
 * them all. */
static void test_agent_ids(void **state)
{
    (void)state;
    heed_txmemo *mm = calloc(1, sizeof *mm);
    assert_non_null(mm);
    mm->in_txn = 1;
    heed__txmemo_clear(mm);
    char id[32], canon[32];
    int exists;
    for (int round = 0; round < 2; round++) {
        int n = round ? 3000 : 500; /* more than the memo holds, then a batch's */
        for (int i = 0; i < n; i++) {
            snprintf(id, sizeof id, "agent-%04d", i);
            snprintf(canon, sizeof canon, "canon-%04d", i);
            heed__txmemo_agent_put(mm, id, canon, i & 1);
        }
        int known = 0;
        for (int i = 0; i < n; i++) {
            snprintf(id, sizeof id, "agent-%04d", i);
            snprintf(canon, sizeof canon, "canon-%04d", i);
            const char *c = heed__txmemo_agent(mm, id, &exists);
            if (c) {
                assert_string_equal(c, canon);
                assert_int_equal(exists, i & 1);
                known++;
            }
        }
        if (!round)
            assert_true(known >= n - n / 50);
        heed__txmemo_clear(mm);
        assert_null(heed__txmemo_agent(mm, "agent-0001", &exists));
    }
    free(mm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cstress_rule),
        cmocka_unit_test(test_need_tally_rule),
        cmocka_unit_test(test_agent_ids),
        cmocka_unit_test(test_memo_same_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
