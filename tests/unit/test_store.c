/* test_store.c - the store interface (src/store/store.h) on a fresh SQLite
 * file in a temporary folder: migrations, idempotent puts, import progress,
 * identity tables, cursor order, and the materialised act-now queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct fixture {
    char dir[64];
    char path[128];
    heed_store *st;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/heed-test-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/s.db", f->dir);
    heed_error err = {0};
    if (heed_store_open(f->path, &f->st, &err) != HEED_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    heed_store_close(f->st);
    char p[160];
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < N(suffix); i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static heed_st_counts counts(heed_store *st)
{
    heed_st_counts c;
    heed_error err = {0};
    assert_int_equal(heed_store_counts(st, &c, &err), HEED_OK);
    return c;
}

static char *meta(heed_store *st, const char *key)
{
    char *v = NULL;
    heed_error err = {0};
    assert_int_equal(heed_store_meta_get(st, key, &v, &err), HEED_OK);
    return v;
}

/* ------------------------------------------------------------ open, migrate */

static void test_open_migrate(void **state)
{
    fixture *f = *state;
    char *v = meta(f->st, "schema_version");
    assert_non_null(v);
    char want[16];
    snprintf(want, sizeof want, "%d", HEED_STORE_SCHEMA);
    assert_string_equal(v, want);
    free(v);
    char *created = meta(f->st, "created");
    char *secret = meta(f->st, "secret");
    assert_non_null(created);
    assert_non_null(secret);
    assert_int_equal(strlen(secret), 2 * HEED_STORE_SECRET_LEN);

    /* reopening migrates nothing and keeps the key */
    heed_store_close(f->st);
    heed_error err = {0};
    assert_int_equal(heed_store_open(f->path, &f->st, &err), HEED_OK);
    v = meta(f->st, "schema_version");
    assert_string_equal(v, want);
    free(v);
    v = meta(f->st, "created");
    assert_string_equal(v, created);
    free(v);
    v = meta(f->st, "secret");
    assert_string_equal(v, secret);
    free(v);
    free(created);
    free(secret);
    unsigned char key[HEED_STORE_SECRET_LEN];
    assert_int_equal(heed_store_secret(f->st, key, &err), HEED_OK);
}

/* A store written by a newer heed: PRAGMA user_version is the big-endian
 * 32-bit integer at byte 60 of the SQLite file header. Closing the last
 * connection checkpoints the WAL into the file, so patching it is enough. */
static void test_newer_schema_refused(void **state)
{
    fixture *f = *state;
    heed_store_close(f->st);
    f->st = NULL;
    FILE *fp = fopen(f->path, "r+b");
    assert_non_null(fp);
    unsigned char hdr[64];
    assert_int_equal(fread(hdr, 1, sizeof hdr, fp), sizeof hdr);
    assert_int_equal(hdr[63], HEED_STORE_SCHEMA); /* what migrate() wrote */
    unsigned char v[4] = {0, 0, 0, HEED_STORE_SCHEMA + 1};
    assert_int_equal(fseek(fp, 60, SEEK_SET), 0);
    assert_int_equal(fwrite(v, 1, 4, fp), 4);
    assert_int_equal(fclose(fp), 0);
    heed_error err = {0};
    heed_store *st = NULL;
    int rc = heed_store_open(f->path, &st, &err);
    assert_int_not_equal(rc, HEED_OK);
    assert_null(st);
    assert_non_null(strstr(err.msg, "newer than this heed"));
    assert_non_null(strstr(err.msg, "upgrade heed"));
    /* teardown wants an open store */
    unlink(f->path);
    assert_int_equal(heed_store_open(f->path, &f->st, &err), HEED_OK);
}

/* ------------------------------------------------------------ records */

static heed_st_message msg(const char *id, const char *conv, int role, int64_t t)
{
    heed_st_message m = {.source = "chat", .id = id, .conversation = conv, .role = role,
                         .time = t, .text = "hello", .text_len = 5, .model = "test",
                         .emotion = -1, .need = -1, .addressed = -1, .compassion = -1};
    for (int i = 0; i < HEED_EMPATHY_COUNT; i++)
        m.empathy[i] = -1;
    if (role == HEED_ROLE_AGENT)
        m.agent = "ag1";
    return m;
}

static void put_msg(heed_store *st, const heed_st_message *m, const heed_st_promise *p,
                    size_t np, const heed_st_key *k, size_t nk, int want_added)
{
    int added = -1;
    heed_error err = {0};
    assert_int_equal(heed_store_put_message(st, m, p, np, k, nk, &added, &err), HEED_OK);
    assert_int_equal(added, want_added);
}

static void test_put_message_idempotent(void **state)
{
    fixture *f = *state;
    heed_st_key keys[] = {{"email", "aaaa000000000001"}};
    heed_st_promise p = {.kind = 0, .text = "I'll refund you", .has_due = 1, .due = 5000};
    heed_st_message c = msg("m1", "c1", HEED_ROLE_CUSTOMER, 1000);
    heed_st_message a = msg("m2", "c1", HEED_ROLE_AGENT, 2000);
    put_msg(f->st, &c, NULL, 0, keys, 1, 1);
    put_msg(f->st, &a, &p, 1, NULL, 0, 1);
    heed_st_counts before = counts(f->st);
    assert_int_equal(before.messages, 2);
    assert_int_equal(before.conversations, 1);
    assert_int_equal(before.promises, 1);
    assert_int_equal(before.agents, 0); /* agents come from put_agent only */
    /* the same records again: nothing added, nothing changed */
    put_msg(f->st, &c, NULL, 0, keys, 1, 0);
    put_msg(f->st, &a, &p, 1, NULL, 0, 0);
    heed_st_counts after = counts(f->st);
    assert_memory_equal(&before, &after, sizeof before);
    /* same id in another source is another message */
    c.source = "mail";
    put_msg(f->st, &c, NULL, 0, keys, 1, 1);
    assert_int_equal(counts(f->st).messages, 3);
    assert_int_equal(counts(f->st).conversations, 2);
}

/* Savepoints (the server's group commit): a part rolled back leaves the
 * parts before and after it, and its conversation is not taken from the
 * handle's cache afterwards. */
static void test_savepoints(void **state)
{
    fixture *f = *state;
    heed_error err = {0};
    heed_st_message m1 = msg("s1", "sc1", HEED_ROLE_CUSTOMER, 1000);
    heed_st_message m2 = msg("s2", "sc2", HEED_ROLE_CUSTOMER, 1100);
    heed_st_message m3 = msg("s3", "sc2", HEED_ROLE_CUSTOMER, 1200);
    assert_int_equal(heed_store_in_transaction(f->st), 0);
    assert_int_equal(heed_store_begin(f->st, &err), HEED_OK);
    assert_int_equal(heed_store_in_transaction(f->st), 1);
    assert_int_equal(heed_store_savepoint(f->st, &err), HEED_OK);
    put_msg(f->st, &m1, NULL, 0, NULL, 0, 1);
    assert_int_equal(heed_store_savepoint_release(f->st, &err), HEED_OK);
    assert_int_equal(heed_store_savepoint(f->st, &err), HEED_OK);
    put_msg(f->st, &m2, NULL, 0, NULL, 0, 1); /* makes conversation sc2 */
    heed_store_savepoint_rollback(f->st);
    assert_int_equal(heed_store_in_transaction(f->st), 1);
    assert_int_equal(heed_store_savepoint(f->st, &err), HEED_OK);
    put_msg(f->st, &m3, NULL, 0, NULL, 0, 1); /* sc2 again: made anew */
    assert_int_equal(heed_store_savepoint_release(f->st, &err), HEED_OK);
    assert_int_equal(heed_store_commit(f->st, &err), HEED_OK);
    assert_int_equal(heed_store_in_transaction(f->st), 0);
    heed_st_counts c = counts(f->st);
    assert_int_equal(c.messages, 2);
    assert_int_equal(c.conversations, 2);
    put_msg(f->st, &m2, NULL, 0, NULL, 0, 1); /* rolled back, so new */
    put_msg(f->st, &m1, NULL, 0, NULL, 0, 0);
    assert_int_equal(counts(f->st).conversations, 2);
}

/* agent_reply: one agent's replies in time order with their scores and the
 * stress of the customer message each answered, kept when that message
 * arrives after the reply; the text of a reply by id. */
static void test_reply_scores(void **state)
{
    fixture *f = *state;
    heed_st_message r1 = msg("r1", "c1", HEED_ROLE_AGENT, 2000);
    r1.empathy[0] = 2, r1.empathy[1] = 1, r1.empathy[2] = 0, r1.compassion = 70;
    r1.text = "I have sent the refund", r1.text_len = strlen(r1.text);
    heed_st_message r2 = msg("r2", "c1", HEED_ROLE_AGENT, 4000);
    heed_st_message other = msg("r3", "c2", HEED_ROLE_AGENT, 3000);
    other.agent = "ag2";
    heed_st_message c1 = msg("m1", "c1", HEED_ROLE_CUSTOMER, 1000);
    c1.stress = 40;
    heed_st_message c2 = msg("m2", "c1", HEED_ROLE_CUSTOMER, 3000);
    c2.stress = 75;
    /* the replies first, then the customer messages they answer */
    put_msg(f->st, &r2, NULL, 0, NULL, 0, 1);
    put_msg(f->st, &r1, NULL, 0, NULL, 0, 1);
    put_msg(f->st, &other, NULL, 0, NULL, 0, 1);
    put_msg(f->st, &c2, NULL, 0, NULL, 0, 1);
    put_msg(f->st, &c1, NULL, 0, NULL, 0, 1);

    heed_error err = {0};
    heed_st_cursor *c = NULL;
    assert_int_equal(heed_store_reply_scores(f->st, "ag1", 0, 10000, &c, &err), HEED_OK);
    heed_st_replyscore row;
    assert_int_equal(heed_st_next_reply_score(c, &row), 1);
    assert_int_equal(row.time, 2000);
    assert_int_equal(row.empathy[0], 2);
    assert_int_equal(row.empathy[2], 0);
    assert_true(row.compassion == 70);
    assert_true(row.customer_stress == 40); /* m1, not m2 (later) */
    int64_t id1 = row.id;
    assert_int_equal(id1, 2); /* ids in put order: r2 1, r1 2, r3 3, m2 4, m1 5 */
    assert_int_equal(heed_st_next_reply_score(c, &row), 1);
    assert_int_equal(row.time, 4000);
    assert_int_equal(row.empathy[0], -1); /* not scored */
    assert_true(row.compassion == -1);
    assert_true(row.customer_stress == 75); /* the latest before it */
    assert_int_equal(heed_st_next_reply_score(c, &row), 0);
    heed_st_cursor_free(c);
    /* the period is [from, to) */
    assert_int_equal(heed_store_reply_scores(f->st, "ag1", 2001, 4000, &c, &err), HEED_OK);
    assert_int_equal(heed_st_next_reply_score(c, &row), 0);
    heed_st_cursor_free(c);

    /* re-scored: the customer message's new stress reaches the replies */
    c1.stress = 10;
    assert_int_equal(heed_store_update_analysis(f->st, 5, &c1, NULL, 0, &err), HEED_OK);
    assert_int_equal(heed_store_reply_scores(f->st, "ag1", 0, 10000, &c, &err), HEED_OK);
    assert_int_equal(heed_st_next_reply_score(c, &row), 1);
    assert_true(row.customer_stress == 10);
    heed_st_cursor_free(c);

    char *text = NULL, *conv = NULL;
    assert_int_equal(heed_store_reply_text(f->st, id1, &text, &conv, &err), HEED_OK);
    assert_string_equal(text, "I have sent the refund");
    assert_string_equal(conv, "c1");
    free(text);
    free(conv);
    assert_int_equal(heed_store_reply_text(f->st, 999, &text, &conv, &err), HEED_OK);
    assert_null(text);
    assert_null(conv);
}

static void test_put_others_idempotent(void **state)
{
    fixture *f = *state;
    heed_error err = {0};
    heed_st_key k[] = {{"crm", "C1"}, {"phone", "ph01"}};
    heed_st_customer c = {.source = "crm", .id = "C1", .name = "Ann", .vulnerable = 1};
    heed_st_event e = {.source = "shop", .id = "E1", .type = "refund", .time = 100};
    heed_st_survey v = {.source = "srv", .id = "S1", .kind = "csat", .time = 200, .score = 2};
    heed_st_shift sh = {.source = "wfm", .id = "SH1", .agent = "ag1", .start = 0, .end = 3600};
    for (int round = 0; round < 2; round++) {
        int want = round == 0, added = -1;
        assert_int_equal(heed_store_put_customer(f->st, &c, k, 2, &added, &err), HEED_OK);
        assert_int_equal(added, want);
        assert_int_equal(heed_store_put_event(f->st, &e, k, 2, &added, &err), HEED_OK);
        assert_int_equal(added, want);
        assert_int_equal(heed_store_put_survey(f->st, &v, k, 1, &added, &err), HEED_OK);
        assert_int_equal(added, want);
        assert_int_equal(heed_store_put_agent(f->st, "ag1", "Bo", "orders", &added, &err),
                         HEED_OK);
        assert_int_equal(added, want);
        assert_int_equal(heed_store_put_shift(f->st, &sh, &added, &err), HEED_OK);
        assert_int_equal(added, want);
        heed_st_counts n = counts(f->st);
        assert_int_equal(n.customers, 1);
        assert_int_equal(n.events, 1);
        assert_int_equal(n.surveys, 1);
        assert_int_equal(n.agents, 1);
        assert_int_equal(n.shifts, 1);
        assert_int_equal(n.parties, 3); /* customer, event, survey */
    }
}

static void test_promises_replaced(void **state)
{
    fixture *f = *state;
    heed_error err = {0};
    heed_st_promise p1[] = {{.kind = 0, .text = "refund"}};
    heed_st_message a = msg("m1", "c1", HEED_ROLE_AGENT, 1000);
    put_msg(f->st, &a, p1, 1, NULL, 0, 1);
    assert_int_equal(counts(f->st).promises, 1);
    heed_st_cursor *cur;
    assert_int_equal(heed_store_all_messages(f->st, 0, &cur, &err), HEED_OK);
    heed_st_msgrow row;
    assert_int_equal(heed_st_next_message(cur, &row), 1);
    int64_t id = row.id;
    assert_string_equal(row.model, "test");
    heed_st_cursor_free(cur);

    heed_st_promise p2[] = {{.kind = 1, .text = "call back", .has_due = 1, .due = 9000},
                            {.kind = 2, .text = "replace"}};
    a.model = "test2";
    assert_int_equal(heed_store_update_analysis(f->st, id, &a, p2, 2, &err), HEED_OK);
    assert_int_equal(counts(f->st).promises, 2);
    assert_int_equal(heed_store_all_messages(f->st, 0, &cur, &err), HEED_OK);
    assert_int_equal(heed_st_next_message(cur, &row), 1);
    assert_string_equal(row.model, "test2");
    heed_st_cursor_free(cur);
    assert_int_equal(heed_store_update_analysis(f->st, id, &a, NULL, 0, &err), HEED_OK);
    assert_int_equal(counts(f->st).promises, 0);
    assert_int_equal(counts(f->st).messages, 1);
}

static void test_file_progress(void **state)
{
    fixture *f = *state;
    heed_error err = {0};
    heed_st_file got;
    int found = -1;
    assert_int_equal(heed_store_file_get(f->st, "messages", "fp1", &got, &found, &err), HEED_OK);
    assert_int_equal(found, 0);
    assert_int_equal(got.records, 0);
    heed_st_file put = {.records = 10, .imported = 8, .rejected = 2};
    assert_int_equal(heed_store_file_put(f->st, "messages", "fp1", "a.jsonl", &put, &err),
                     HEED_OK);
    put = (heed_st_file){.records = 20, .imported = 17, .rejected = 3, .finished = 1};
    assert_int_equal(heed_store_file_put(f->st, "messages", "fp1", "a.jsonl", &put, &err),
                     HEED_OK);
    assert_int_equal(heed_store_file_get(f->st, "messages", "fp1", &got, &found, &err), HEED_OK);
    assert_int_equal(found, 1);
    assert_int_equal(got.records, 20);
    assert_int_equal(got.imported, 17);
    assert_int_equal(got.rejected, 3);
    assert_int_equal(got.finished, 1);
    /* the same fingerprint under another kind is another file */
    assert_int_equal(heed_store_file_get(f->st, "events", "fp1", &got, &found, &err), HEED_OK);
    assert_int_equal(found, 0);
}

/* ------------------------------------------------------------ identity */

typedef struct seen {
    int64_t id[16];
    char kind[16][16], crm[16][16], keys[16][64];
    size_t n;
} seen;

static int collect(void *ctx, const heed_st_party *p, const heed_st_key *k, size_t nk)
{
    seen *s = ctx;
    assert_true(s->n < 16);
    s->id[s->n] = p->id;
    snprintf(s->kind[s->n], 16, "%s", p->kind);
    snprintf(s->crm[s->n], 16, "%s", p->crm ? p->crm : "-");
    size_t off = 0;
    s->keys[s->n][0] = '\0';
    for (size_t i = 0; i < nk; i++)
        off += (size_t)snprintf(s->keys[s->n] + off, 64 - off, "%s%s=%s", i ? "," : "",
                                k[i].kind, k[i].token);
    s->n++;
    return 0;
}

typedef struct pairs {
    int64_t a[8], b[8];
    size_t n;
} pairs;

static int collect_pair(void *ctx, int64_t a, int64_t b)
{
    pairs *p = ctx;
    p->a[p->n] = a;
    p->b[p->n] = b;
    p->n++;
    return 0;
}

/* Three parties: CRM row C1 (party 1), conversation conv-9 (party 2, a
 * customer message with an e-mail key) and an event with a phone (party 3). */
static void three_parties(heed_store *st)
{
    heed_error err = {0};
    int added;
    heed_st_key ck[] = {{"crm", "C1"}, {"email", "e1"}};
    heed_st_customer c = {.source = "crm", .id = "C1", .name = "Ann", .vulnerable = 1};
    assert_int_equal(heed_store_put_customer(st, &c, ck, 2, &added, &err), HEED_OK);
    heed_st_key mk[] = {{"email", "e1"}};
    heed_st_message m = msg("m1", "conv-9", HEED_ROLE_CUSTOMER, 1000);
    put_msg(st, &m, NULL, 0, mk, 1, 1);
    heed_st_key ek[] = {{"phone", "p1"}};
    heed_st_event e = {.source = "shop", .id = "E1", .type = "order", .time = 500};
    assert_int_equal(heed_store_put_event(st, &e, ek, 1, &added, &err), HEED_OK);
}

static void test_parties_unmerge_find(void **state)
{
    fixture *f = *state;
    heed_error err = {0};
    three_parties(f->st);
    seen s = {0};
    assert_int_equal(heed_store_parties(f->st, collect, &s, &err), HEED_OK);
    assert_int_equal(s.n, 3);
    assert_true(s.id[0] < s.id[1] && s.id[1] < s.id[2]);
    assert_string_equal(s.kind[0], "customer");
    assert_string_equal(s.crm[0], "C1");
    assert_string_equal(s.keys[0], "crm=C1,email=e1");
    assert_string_equal(s.kind[1], "conversation");
    assert_string_equal(s.crm[1], "-");
    assert_string_equal(s.keys[1], "email=e1");
    assert_string_equal(s.kind[2], "event");
    assert_string_equal(s.keys[2], "phone=p1");

    /* unmerge rules are kept as (smaller, larger), once */
    assert_int_equal(heed_store_add_unmerge(f->st, s.id[2], s.id[0], &err), HEED_OK);
    assert_int_equal(heed_store_add_unmerge(f->st, s.id[0], s.id[2], &err), HEED_OK);
    assert_int_equal(heed_store_add_unmerge(f->st, s.id[1], s.id[0], &err), HEED_OK);
    pairs pr = {0};
    assert_int_equal(heed_store_unmerges(f->st, collect_pair, &pr, &err), HEED_OK);
    assert_int_equal(pr.n, 2);
    assert_true(pr.a[0] == s.id[0] && pr.b[0] == s.id[1]);
    assert_true(pr.a[1] == s.id[0] && pr.b[1] == s.id[2]);
    /* a rule naming a record that does not exist is refused */
    assert_int_not_equal(heed_store_add_unmerge(f->st, s.id[0], 999, &err), HEED_OK);

    /* nobody linked yet */
    int64_t person = -1;
    assert_int_equal(heed_store_find_person(f->st, "C1", &person, &err), HEED_OK);
    assert_int_equal(person, 0);
    /* link the customer and the conversation into person = party 1; the event
     * is its own person 3 */
    assert_int_equal(heed_store_begin(f->st, &err), HEED_OK);
    assert_int_equal(heed_store_set_person(f->st, s.id[0], s.id[0], &err), HEED_OK);
    assert_int_equal(heed_store_set_person(f->st, s.id[1], s.id[0], &err), HEED_OK);
    assert_int_equal(heed_store_set_person(f->st, s.id[2], s.id[2], &err), HEED_OK);
    assert_int_equal(heed_store_commit(f->st, &err), HEED_OK);
    assert_int_equal(counts(f->st).persons, 2);
    static const struct {
        const char *ref;
        int which; /* index into s.id, -1: none */
    } cases[] = {{"C1", 0}, {"conv-9", 0}, {"1", 0}, {"2", 0}, {"3", 2}, {"nobody", -1},
                 {"42", -1}};
    for (size_t i = 0; i < N(cases); i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "%s", cases[i].ref);
        if (ref[0] >= '1' && ref[0] <= '9' && strlen(ref) == 1) /* party numbers */
            snprintf(ref, sizeof ref, "%lld", (long long)s.id[ref[0] - '1']);
        assert_int_equal(heed_store_find_person(f->st, ref, &person, &err), HEED_OK);
        assert_int_equal(person, cases[i].which < 0 ? 0 : s.id[cases[i].which]);
    }
    int64_t ann = s.id[0];
    s = (seen){0};
    assert_int_equal(heed_store_person_parties(f->st, ann, collect, &s, &err), HEED_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.kind[0], "customer");
    assert_string_equal(s.kind[1], "conversation");
}

/* ------------------------------------------------------------ cursors */

static void test_cursor_order(void **state)
{
    fixture *f = *state;
    heed_error err = {0};
    int added;
    /* person A (party of conversation "late") and person B ("early"); A's
     * other conversation "first" starts before "late" */
    heed_st_message in[] = {
        msg("x1", "late", HEED_ROLE_CUSTOMER, 5000),
        msg("x2", "early", HEED_ROLE_CUSTOMER, 100),
        msg("x3", "late", HEED_ROLE_AGENT, 4000), /* earlier than x1: time order */
        msg("x4", "first", HEED_ROLE_CUSTOMER, 3000),
        msg("x5", "first", HEED_ROLE_AGENT, 3500),
    };
    for (size_t i = 0; i < N(in); i++)
        put_msg(f->st, &in[i], NULL, 0, NULL, 0, 1);
    heed_st_event ev[] = {{.source = "s", .id = "E2", .type = "refund", .time = 900},
                          {.source = "s", .id = "E1", .type = "order", .time = 800}};
    heed_st_key ek[] = {{"crm", "A"}};
    for (size_t i = 0; i < N(ev); i++)
        assert_int_equal(heed_store_put_event(f->st, &ev[i], ek, 1, &added, &err), HEED_OK);
    seen s = {0};
    assert_int_equal(heed_store_parties(f->st, collect, &s, &err), HEED_OK);
    assert_int_equal(s.n, 5); /* late, early, first, E2, E1 */
    int64_t A = s.id[0], B = s.id[1];
    assert_true(B > A);
    assert_int_equal(heed_store_begin(f->st, &err), HEED_OK);
    assert_int_equal(heed_store_set_person(f->st, s.id[0], A, &err), HEED_OK);
    assert_int_equal(heed_store_set_person(f->st, s.id[1], B, &err), HEED_OK);
    assert_int_equal(heed_store_set_person(f->st, s.id[2], A, &err), HEED_OK);
    assert_int_equal(heed_store_set_person(f->st, s.id[3], A, &err), HEED_OK);
    assert_int_equal(heed_store_set_person(f->st, s.id[4], A, &err), HEED_OK);
    assert_int_equal(heed_store_commit(f->st, &err), HEED_OK);

    /* everyone: by person, then conversation start, then time */
    static const char *const want_all[] = {"x4", "x5", "x3", "x1", "x2"};
    heed_st_cursor *c;
    heed_st_msgrow row;
    assert_int_equal(heed_store_messages(f->st, 0, HEED_ST_TEXT, &c, &err), HEED_OK);
    for (size_t i = 0; i < N(want_all); i++) {
        assert_int_equal(heed_st_next_message(c, &row), 1);
        assert_string_equal(row.ext_id, want_all[i]);
        assert_string_equal(row.text, "hello");
        assert_int_equal(row.person, i < 4 ? A : B);
    }
    assert_int_equal(heed_st_next_message(c, &row), 0);
    heed_st_cursor_free(c);
    /* one person; without HEED_ST_TEXT no text */
    assert_int_equal(heed_store_messages(f->st, B, 0, &c, &err), HEED_OK);
    assert_int_equal(heed_st_next_message(c, &row), 1);
    assert_string_equal(row.ext_id, "x2");
    assert_null(row.text);
    assert_int_equal(heed_st_next_message(c, &row), 0);
    heed_st_cursor_free(c);
    /* every message by conversation (insertion id) then time */
    static const char *const want_conv[] = {"x3", "x1", "x2", "x4", "x5"};
    assert_int_equal(heed_store_all_messages(f->st, 0, &c, &err), HEED_OK);
    for (size_t i = 0; i < N(want_conv); i++) {
        assert_int_equal(heed_st_next_message(c, &row), 1);
        assert_string_equal(row.ext_id, want_conv[i]);
    }
    assert_int_equal(heed_st_next_message(c, &row), 0);
    heed_st_cursor_free(c);
    /* events by time */
    heed_st_eventrow er;
    assert_int_equal(heed_store_events(f->st, A, &c, &err), HEED_OK);
    assert_int_equal(heed_st_next_event(c, &er), 1);
    assert_string_equal(er.ext_id, "E1");
    assert_int_equal(heed_st_next_event(c, &er), 1);
    assert_string_equal(er.ext_id, "E2");
    assert_int_equal(heed_st_next_event(c, &er), 0);
    heed_st_cursor_free(c);
    int64_t latest = 0;
    assert_int_equal(heed_store_latest_time(f->st, &latest, &err), HEED_OK);
    assert_int_equal(latest, 5000);
}

/* ------------------------------------------------------------ queue */

static void put_state(heed_store *st, int64_t person, double score, int64_t last)
{
    heed_error err = {0};
    heed_st_state s = {.person = person, .score = score, .reasons = "one\ntwo", .as_of = 10000,
                       .last_activity = last};
    assert_int_equal(heed_store_state_put(st, &s, &err), HEED_OK);
}

static size_t queue(heed_store *st, int with_handled, int64_t *out, size_t k)
{
    heed_error err = {0};
    heed_st_cursor *c;
    assert_int_equal(heed_store_queue(st, k, with_handled, &c, &err), HEED_OK);
    heed_st_state s;
    size_t n = 0;
    int r;
    while ((r = heed_st_next_state(c, &s)) == 1)
        out[n++] = s.person;
    assert_int_equal(r, 0);
    heed_st_cursor_free(c);
    return n;
}

static void test_queue(void **state)
{
    fixture *f = *state;
    heed_error err = {0};
    put_state(f->st, 7, 40, 1000);
    put_state(f->st, 3, 40, 1000); /* tie: smaller person first */
    put_state(f->st, 5, 90, 1000);
    put_state(f->st, 9, 0, 1000); /* score 0: not in the queue */
    put_state(f->st, 4, 10, 1000);
    put_state(f->st, 4, 60, 1000); /* replaces */
    int64_t got[8];
    size_t n = queue(f->st, 0, got, 8);
    assert_int_equal(n, 4);
    int64_t want[] = {5, 4, 3, 7};
    assert_memory_equal(got, want, sizeof want);
    assert_int_equal(queue(f->st, 0, got, 2), 2);

    heed_st_state s;
    int found = 0;
    assert_int_equal(heed_store_state_get(f->st, 4, &s, &found, &err), HEED_OK);
    assert_int_equal(found, 1);
    assert_true(s.score == 60);
    assert_int_equal(s.handled, 0);
    assert_int_equal(heed_store_state_get(f->st, 99, &s, &found, &err), HEED_OK);
    assert_int_equal(found, 0);

    /* handled after the last activity: hidden unless with_handled */
    assert_int_equal(heed_store_mark_handled(f->st, 5, 2000, "called", &err), HEED_OK);
    n = queue(f->st, 0, got, 8);
    assert_int_equal(n, 3);
    assert_int_equal(got[0], 4);
    n = queue(f->st, 1, got, 8);
    assert_int_equal(n, 4);
    assert_int_equal(got[0], 5);
    assert_int_equal(heed_store_state_get(f->st, 5, &s, &found, &err), HEED_OK);
    assert_int_equal(s.handled, 2000);
    /* a newer activity brings them back */
    put_state(f->st, 5, 90, 2500);
    n = queue(f->st, 0, got, 8);
    assert_int_equal(n, 4);
    assert_int_equal(got[0], 5);
    /* handled before the last activity does not hide */
    assert_int_equal(heed_store_mark_handled(f->st, 3, 500, NULL, &err), HEED_OK);
    assert_int_equal(queue(f->st, 0, got, 8), 4);
    /* clearing empties the queue */
    assert_int_equal(heed_store_state_clear(f->st, &err), HEED_OK);
    assert_int_equal(queue(f->st, 1, got, 8), 0);
}

/* ------------------------------------------------------------ page cache */

static int cache_size(heed_store *st)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* 16 MiB as opened, 32 MiB for a bulk writer, 4 MiB lean; leaving lean
 * comes back to the bulk writer's size while it is on */
static void test_bulk_cache(void **state)
{
    fixture *f = *state;
    assert_int_equal(cache_size(f->st), -16384);
    heed_store_bulk_cache(f->st, 1);
    assert_int_equal(cache_size(f->st), -32768);
    heed_store_lean(f->st, 1);
    assert_int_equal(cache_size(f->st), -4096);
    heed_store_lean(f->st, 0);
    assert_int_equal(cache_size(f->st), -32768);
    heed_store_bulk_cache(f->st, 0);
    assert_int_equal(cache_size(f->st), -16384);
    heed_store_lean(f->st, 1);
    heed_store_lean(f->st, 0);
    assert_int_equal(cache_size(f->st), -16384);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_message_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_savepoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_scores, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_others_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_promises_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parties_unmerge_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_cache, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
