/* test_convo.c - conversation records (src/io/convo.c): the aggregation rules
 * on per-message facts built by hand (trajectory, resolution, repeat contact,
 * each flag firing and not firing, grouping, order, the bound on open
 * conversations), and confirmation phrases on real analyses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "convo.h"
#include "heed/heed.h"

/* One message of a scripted conversation. */
typedef struct step {
    const char *conv; /* conversation id */
    const char *id;
    int role;      /* 'c' customer, 'a' agent, 'o' other */
    double stress; /* customer: < 0 n/a */
    int asks;      /* customer: -1 n/a */
    int confirm;   /* customer: a confirmation phrase (the whole text) */
    int repeat;    /* customer: says they wrote before (the whole text) */
    int negative;
    int empathy, compassion, addressed; /* agent: -1 n/a */
    int promise_kind;                   /* agent: -1 none */
    const char *status;
} step;

/* clang-format off */
#define CUST(c, id, st, asks) {c, id, 'c', st, asks, 0, 0, 0, -1, -1, -1, -1, NULL}
#define CONFIRM(c, id) {c, id, 'c', 5, 0, 1, 0, 0, -1, -1, -1, -1, NULL}
#define SAYS_AGAIN(c, id, st) {c, id, 'c', st, 1, 0, 1, 0, -1, -1, -1, -1, NULL}
#define AGENT(c, id, emp, comp, addr) {c, id, 'a', -1, -1, 0, 0, 0, emp, comp, addr, -1, NULL}
#define PROMISE(c, id, kind) {c, id, 'a', -1, -1, 0, 0, 0, 1, 1, -1, kind, NULL}
#define STATUS(c, id, s) {c, id, 'o', -1, -1, 0, 0, 0, -1, -1, -1, -1, s}
/* clang-format on */

typedef struct run {
    heed_buf out;
    cJSON *rec[16];
    size_t n;
} run;

static void feed(heed_convo *c, const step *s, size_t n, heed_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        heed_convo_fact f;
        memset(&f, 0, sizeof f);
        f.stress = s[i].stress;
        f.asks = s[i].asks;
        f.negative = s[i].negative;
        f.empathy = s[i].empathy;
        f.compassion = s[i].compassion;
        f.addressed = s[i].addressed;
        const char *text = s[i].confirm ? "that worked" : s[i].repeat ? "already called" : "x";
        if (s[i].role != 'c')
            f.stress = -1, f.asks = -1;
        if (s[i].confirm)
            f.confirm_len = (uint32_t)strlen(text);
        if (s[i].repeat)
            f.repeat_len = (uint32_t)strlen(text);
        if (s[i].promise_kind >= 0) {
            f.n_promises = 1;
            f.promises[0].kind = s[i].promise_kind;
            f.promises[0].has_due = 1;
            f.promises[0].due = 1788307200; /* 2026-09-02T00:00:00Z */
        }
        heed_convo_msg m = {
            .index = i,
            .id = s[i].id,
            .id_len = strlen(s[i].id),
            .role = s[i].role == 'c'   ? HEED_ROLE_CUSTOMER
                    : s[i].role == 'a' ? HEED_ROLE_AGENT
                                       : HEED_ROLE_UNKNOWN,
            .has_time = 1,
            .time = 1788220800 + (int64_t)i * 60,
            .status = s[i].status,
            .status_len = s[i].status ? strlen(s[i].status) : 0,
            .text = text,
            .text_len = strlen(text),
            .fact = &f,
        };
        assert_int_equal(heed_convo_add(c, s[i].conv, s[i].conv ? strlen(s[i].conv) : 0, &m, out),
                         0);
    }
}

/* Feeds the steps to a tracker of max_open and parses every line written. */
static void play(run *r, const step *s, size_t n, size_t max_open)
{
    memset(r, 0, sizeof(*r));
    heed__buf_init(&r->out, 0);
    heed_convo *c = heed_convo_new(max_open);
    assert_non_null(c);
    feed(c, s, n, &r->out);
    assert_int_equal(heed_convo_finish(c, &r->out), 0);
    heed_convo_free(c);
    const char *p = r->out.ptr, *end = r->out.ptr + r->out.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        assert_true(r->n < 16);
        r->rec[r->n] = cJSON_ParseWithLength(p, (size_t)(nl - p));
        assert_non_null(r->rec[r->n]);
        r->n++;
        p = nl + 1;
    }
}

static void done(run *r)
{
    for (size_t i = 0; i < r->n; i++)
        cJSON_Delete(r->rec[i]);
    heed__buf_release(&r->out);
}

/* The value at a path of object keys and array indexes ("a.b.0.c"). */
static const cJSON *at(const cJSON *j, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save)) {
        if (*k >= '0' && *k <= '9')
            j = cJSON_GetArrayItem(j, (int)strtol(k, NULL, 10));
        else
            j = cJSON_GetObjectItemCaseSensitive(j, k);
    }
    return j;
}

static const char *str(const cJSON *j, const char *path)
{
    const cJSON *v = at(j, path);
    return cJSON_IsString(v) ? v->valuestring : "<absent>";
}

static double num(const cJSON *j, const char *path)
{
    const cJSON *v = at(j, path);
    return cJSON_IsNumber(v) ? v->valuedouble : -999;
}

/* The flag object of that name, or NULL. */
static const cJSON *flag_of(const cJSON *rec, const char *name)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, at(rec, "flags"))
    {
        if (!strcmp(str(f, "flag"), name))
            return f;
    }
    return NULL;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_trajectory(void **state)
{
    (void)state;
    static const step falling[] = {
        CUST("c", "m1", 60, 1),       AGENT("c", "m2", -1, -1, -1), CUST("c", "m3", 80, 1),
        AGENT("c", "m4", -1, -1, -1), CUST("c", "m5", 20, 0),
    };
    run r;
    play(&r, falling, N(falling), 0);
    assert_int_equal(r.n, 1);
    const cJSON *j = r.rec[0];
    assert_string_equal(str(j, "type"), "conversation");
    assert_int_equal(num(j, "stress.first.score"), 60);
    assert_string_equal(str(j, "stress.first.message.id"), "m1");
    assert_int_equal(num(j, "stress.peak.score"), 80);
    assert_string_equal(str(j, "stress.peak.message.id"), "m3");
    assert_int_equal(num(j, "stress.peak.message.index"), 2);
    assert_int_equal(num(j, "stress.last.score"), 20);
    assert_int_equal(num(j, "stress.change"), -40);
    assert_string_equal(str(j, "stress.direction"), "falling");
    assert_int_equal(num(j, "messages.total"), 5);
    assert_int_equal(num(j, "messages.customer"), 3);
    assert_int_equal(num(j, "messages.agent"), 2);
    assert_string_equal(str(j, "first_time"), "2026-09-01T00:00:00Z");
    assert_string_equal(str(j, "last_time"), "2026-09-01T00:04:00Z");
    done(&r);

    static const step rising[] = {CUST("c", "m1", 20, 1), CUST("c", "m2", 35, 1)};
    play(&r, rising, N(rising), 0);
    assert_string_equal(str(r.rec[0], "stress.direction"), "rising");
    done(&r);
    static const step steady[] = {CUST("c", "m1", 40, 1), CUST("c", "m2", 31, 1)};
    play(&r, steady, N(steady), 0);
    assert_string_equal(str(r.rec[0], "stress.direction"), "steady");
    done(&r);
    static const step single[] = {CUST("c", "m1", 40, 1), AGENT("c", "m2", -1, -1, -1)};
    play(&r, single, N(single), 0);
    assert_string_equal(str(r.rec[0], "stress.direction"), "single");
    done(&r);
    static const step none[] = {AGENT("c", "m1", -1, -1, -1), CUST("c", "m2", -1, -1)};
    play(&r, none, N(none), 0);
    assert_null(at(r.rec[0], "stress"));
    done(&r);
}

static void test_resolution(void **state)
{
    (void)state;
    run r;
    static const step confirmed[] = {CUST("c", "m1", 50, 1), AGENT("c", "m2", -1, -1, -1),
                                     CONFIRM("c", "m3"), AGENT("c", "m4", -1, -1, -1)};
    play(&r, confirmed, N(confirmed), 0);
    assert_string_equal(str(r.rec[0], "resolution.status"), "resolved");
    assert_string_equal(str(r.rec[0], "resolution.by"), "customer");
    assert_string_equal(str(r.rec[0], "resolution.message.id"), "m3");
    assert_string_equal(str(r.rec[0], "resolution.text"), "that worked");
    done(&r);
    /* the problem comes back after the confirmation: no longer resolved */
    static const step reopened[] = {CUST("c", "m1", 50, 1), CONFIRM("c", "m2"),
                                    CUST("c", "m3", 60, 1)};
    play(&r, reopened, N(reopened), 0);
    assert_string_equal(str(r.rec[0], "resolution.status"), "unresolved");
    assert_string_equal(str(r.rec[0], "resolution.by"), "customer_open");
    assert_string_equal(str(r.rec[0], "resolution.message.id"), "m3");
    done(&r);
    /* a calm thank-you after the confirmation keeps it */
    static const step thanks[] = {CONFIRM("c", "m1"), CUST("c", "m2", 0, 0)};
    play(&r, thanks, N(thanks), 0);
    assert_string_equal(str(r.rec[0], "resolution.status"), "resolved");
    done(&r);
    static const step closed[] = {CUST("c", "m1", 50, 1), STATUS("c", "m2", "Closed")};
    play(&r, closed, N(closed), 0);
    assert_string_equal(str(r.rec[0], "resolution.status"), "resolved");
    assert_string_equal(str(r.rec[0], "resolution.by"), "status");
    assert_string_equal(str(r.rec[0], "resolution.text"), "Closed");
    assert_string_equal(str(r.rec[0], "resolution.message.id"), "m2");
    done(&r);
    static const step open[] = {STATUS("c", "m1", "resolved"), STATUS("c", "m2", "pending")};
    play(&r, open, N(open), 0);
    assert_string_equal(str(r.rec[0], "resolution.status"), "unresolved");
    assert_string_equal(str(r.rec[0], "resolution.text"), "pending");
    done(&r);
    static const step odd[] = {STATUS("c", "m1", "triaged")};
    play(&r, odd, N(odd), 0);
    assert_string_equal(str(r.rec[0], "resolution.status"), "unknown");
    assert_string_equal(str(r.rec[0], "resolution.by"), "status");
    done(&r);
    static const step agent_last[] = {CUST("c", "m1", 50, 1), AGENT("c", "m2", -1, -1, -1)};
    play(&r, agent_last, N(agent_last), 0);
    assert_string_equal(str(r.rec[0], "resolution.status"), "unknown");
    assert_string_equal(str(r.rec[0], "resolution.by"), "no_confirmation");
    assert_string_equal(str(r.rec[0], "resolution.message.id"), "m1");
    done(&r);
    /* the customer's calm last word with no ask is not an open problem */
    static const step calm_last[] = {CUST("c", "m1", 50, 1), AGENT("c", "m2", -1, -1, -1),
                                     CUST("c", "m3", 0, 0)};
    play(&r, calm_last, N(calm_last), 0);
    assert_string_equal(str(r.rec[0], "resolution.status"), "unknown");
    done(&r);
}

static void test_repeat_contact(void **state)
{
    (void)state;
    run r;
    static const step said[] = {SAYS_AGAIN("c", "m1", 40), AGENT("c", "m2", -1, -1, -1)};
    play(&r, said, N(said), 0);
    assert_true(cJSON_IsTrue(at(r.rec[0], "repeat_contact.repeat")));
    assert_string_equal(str(r.rec[0], "repeat_contact.said.message.id"), "m1");
    assert_string_equal(str(r.rec[0], "repeat_contact.said.text"), "already called");
    done(&r);
    /* two contacts (asks or stress) before the confirmation */
    static const step twice[] = {CUST("c", "m1", 10, 1), AGENT("c", "m2", -1, -1, -1),
                                 CUST("c", "m3", 40, 0), CONFIRM("c", "m4")};
    play(&r, twice, N(twice), 0);
    assert_true(cJSON_IsTrue(at(r.rec[0], "repeat_contact.repeat")));
    assert_int_equal(num(r.rec[0], "repeat_contact.contacts"), 2);
    assert_string_equal(str(r.rec[0], "repeat_contact.messages.1.id"), "m3");
    done(&r);
    /* one contact, then thanks and questions after the confirmation: no repeat */
    static const step once[] = {CUST("c", "m1", 40, 1), CUST("c", "m2", 0, 0), CONFIRM("c", "m3"),
                                CUST("c", "m4", 10, 0)};
    play(&r, once, N(once), 0);
    assert_true(cJSON_IsFalse(at(r.rec[0], "repeat_contact.repeat")));
    assert_int_equal(num(r.rec[0], "repeat_contact.contacts"), 1);
    assert_null(at(r.rec[0], "repeat_contact.said"));
    done(&r);
}

static void test_empathy_without_compassion(void **state)
{
    (void)state;
    run r;
    /* warm words, no action, stress not falling: fires, names the reply */
    static const step fires[] = {CUST("c", "m1", 50, 1), AGENT("c", "m2", 2, 0, -1),
                                 CUST("c", "m3", 55, 1)};
    play(&r, fires, N(fires), 0);
    const cJSON *f = flag_of(r.rec[0], "empathy_without_compassion");
    assert_non_null(f);
    assert_int_equal(num(f, "count"), 1);
    assert_string_equal(str(f, "messages.0.id"), "m2");
    done(&r);
    /* same stress (rounded) counts as not falling */
    static const step same[] = {CUST("c", "m1", 50.2, 1), AGENT("c", "m2", 1, 0, -1),
                                CUST("c", "m3", 49.9, 1)};
    play(&r, same, N(same), 0);
    assert_non_null(flag_of(r.rec[0], "empathy_without_compassion"));
    done(&r);
    static const step falls[] = {CUST("c", "m1", 50, 1), AGENT("c", "m2", 2, 0, -1),
                                 CUST("c", "m3", 20, 0)};
    play(&r, falls, N(falls), 0);
    assert_null(flag_of(r.rec[0], "empathy_without_compassion"));
    done(&r);
    static const step acts[] = {CUST("c", "m1", 50, 1), AGENT("c", "m2", 2, 1, -1),
                                CUST("c", "m3", 60, 1)};
    play(&r, acts, N(acts), 0);
    assert_null(flag_of(r.rec[0], "empathy_without_compassion"));
    done(&r);
    /* no later customer message: not judged */
    static const step last[] = {CUST("c", "m1", 50, 1), AGENT("c", "m2", 2, 0, -1)};
    play(&r, last, N(last), 0);
    assert_null(flag_of(r.rec[0], "empathy_without_compassion"));
    done(&r);
    /* stages not available: never fires */
    static const step na[] = {CUST("c", "m1", 50, 1), AGENT("c", "m2", -1, -1, -1),
                              CUST("c", "m3", 60, 1)};
    play(&r, na, N(na), 0);
    assert_int_equal(cJSON_GetArraySize(at(r.rec[0], "flags")), 0);
    done(&r);
}

static void test_compassion_without_empathy(void **state)
{
    (void)state;
    run r;
    static const step fires[] = {CUST("c", "m1", 45, 1), AGENT("c", "m2", 0, 1, -1)};
    play(&r, fires, N(fires), 0);
    const cJSON *f = flag_of(r.rec[0], "compassion_without_empathy");
    assert_non_null(f);
    assert_string_equal(str(f, "messages.0.id"), "m2");
    done(&r);
    static const step calm[] = {CUST("c", "m1", 10, 1), AGENT("c", "m2", 0, 1, -1)};
    play(&r, calm, N(calm), 0);
    assert_null(flag_of(r.rec[0], "compassion_without_empathy"));
    done(&r);
    static const step warm[] = {CUST("c", "m1", 45, 1), AGENT("c", "m2", 1, 1, -1)};
    play(&r, warm, N(warm), 0);
    assert_null(flag_of(r.rec[0], "compassion_without_empathy"));
    done(&r);
}

static void test_listened_and_promise(void **state)
{
    (void)state;
    run r;
    static const step s[] = {
        CUST("c", "m1", 20, 1),
        AGENT("c", "m2", 1, 1, HEED_ADDR_IGNORED),
        AGENT("c", "m3", 1, 1, HEED_ADDR_ANSWERED),
        PROMISE("c", "m4", HEED_PROMISE_REFUND),
    };
    play(&r, s, N(s), 0);
    const cJSON *f = flag_of(r.rec[0], "listened_to_answer");
    assert_non_null(f);
    assert_int_equal(num(f, "count"), 1);
    assert_string_equal(str(f, "messages.0.id"), "m2");
    f = flag_of(r.rec[0], "promise_made");
    assert_non_null(f);
    assert_string_equal(str(f, "messages.0.id"), "m4");
    assert_string_equal(str(f, "promises.0.kind"), "refund");
    assert_string_equal(str(f, "promises.0.due"), "2026-09-02T00:00:00Z");
    assert_string_equal(str(f, "promises.0.message.id"), "m4");
    done(&r);
    static const step quiet[] = {CUST("c", "m1", 20, 1), AGENT("c", "m2", 1, 1, HEED_ADDR_PARTLY)};
    play(&r, quiet, N(quiet), 0);
    assert_null(flag_of(r.rec[0], "listened_to_answer"));
    assert_null(flag_of(r.rec[0], "promise_made"));
    done(&r);
}

/* Interleaved conversations: grouped by id, written in first-seen order;
 * records without a conversation are not part of any. */
static void test_grouping_and_order(void **state)
{
    (void)state;
    run r;
    static const step s[] = {
        CUST("b", "m1", 10, 1),  CUST("a", "m2", 20, 1),       AGENT("b", "m3", -1, -1, -1),
        CUST(NULL, "m4", 90, 1), AGENT("a", "m5", -1, -1, -1), CUST("b", "m6", 0, 0),
    };
    play(&r, s, N(s), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(str(r.rec[0], "conversation"), "b");
    assert_int_equal(num(r.rec[0], "messages.total"), 3);
    assert_int_equal(num(r.rec[0], "first_index"), 0);
    assert_int_equal(num(r.rec[0], "last_index"), 5);
    assert_string_equal(str(r.rec[1], "conversation"), "a");
    assert_int_equal(num(r.rec[1], "messages.total"), 2);
    assert_null(at(r.rec[0], "partial"));
    done(&r);
}

/* Past the bound, the conversation quiet longest is written early. */
static void test_bound(void **state)
{
    (void)state;
    run r;
    static const step s[] = {
        CUST("a", "m1", 10, 1), CUST("b", "m2", 10, 1),
        CUST("a", "m3", 10, 1), CUST("c", "m4", 10, 1), /* b is quietest: written now */
        CUST("d", "m5", 10, 1),                         /* then a */
        CUST("b", "m6", 10, 1),                         /* b again: a new record (c goes) */
    };
    play(&r, s, N(s), 2);
    assert_int_equal(r.n, 5);
    assert_string_equal(str(r.rec[0], "conversation"), "b");
    assert_true(cJSON_IsTrue(at(r.rec[0], "partial")));
    assert_int_equal(num(r.rec[0], "messages.total"), 1);
    assert_string_equal(str(r.rec[1], "conversation"), "a");
    assert_int_equal(num(r.rec[1], "messages.total"), 2);
    assert_string_equal(str(r.rec[2], "conversation"), "c");
    assert_true(cJSON_IsTrue(at(r.rec[2], "partial")));
    /* at the end: d then b, first-seen order, not partial */
    assert_string_equal(str(r.rec[3], "conversation"), "d");
    assert_string_equal(str(r.rec[4], "conversation"), "b");
    assert_null(at(r.rec[4], "partial"));
    done(&r);
}

/* A long interleaved stream through a small bound: no message is lost or
 * counted twice (the totals of all records add up to the messages fed), at
 * most max_open records are written at the end, and the others are partial. */
static void test_stream_invariants(void **state)
{
    (void)state;
    enum { MESSAGES = 5000, CONVS = 60, OPEN = 7 };
    heed_buf out;
    heed__buf_init(&out, 0);
    heed_convo *c = heed_convo_new(OPEN);
    assert_non_null(c);
    uint64_t s = 12345;
    for (size_t i = 0; i < MESSAGES; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        char key[16];
        snprintf(key, sizeof key, "k%u", (unsigned)((s >> 33) % CONVS));
        heed_convo_fact f;
        memset(&f, 0, sizeof f);
        f.stress = (double)((s >> 20) % 100);
        f.asks = (int)((s >> 40) % 2);
        f.empathy = (int)((s >> 42) % 3);
        f.compassion = (int)((s >> 44) % 2);
        f.addressed = (int)((s >> 46) % 4);
        f.n_promises = (s >> 48) % 12; /* over the kept list at times */
        if ((s >> 52) % 7 == 0)
            f.confirm_len = 1;
        int role = (s >> 56) % 3 == 0 ? HEED_ROLE_AGENT : HEED_ROLE_CUSTOMER;
        if (role == HEED_ROLE_AGENT)
            f.stress = -1;
        heed_convo_msg m = {.index = i,
                            .id = key,
                            .id_len = strlen(key),
                            .role = role,
                            .text = "x",
                            .text_len = 1,
                            .fact = &f};
        assert_int_equal(heed_convo_add(c, key, strlen(key), &m, &out), 0);
    }
    size_t early = out.len;
    assert_int_equal(heed_convo_finish(c, &out), 0);
    assert_int_equal(heed_convo_totals(c)->n, heed_convo_totals(c)->partial + OPEN);
    heed_convo_free(c);
    double total = 0;
    size_t n_end = 0;
    for (const char *p = out.ptr, *end = out.ptr + out.len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        cJSON *j = cJSON_ParseWithLength(p, (size_t)(nl - p));
        assert_non_null(j);
        total += num(j, "messages.total");
        int partial = cJSON_IsTrue(at(j, "partial"));
        assert_int_equal(partial, p < out.ptr + early);
        n_end += !partial;
        cJSON_Delete(j);
        p = nl + 1;
    }
    assert_int_equal(total, MESSAGES);
    assert_int_equal(n_end, OPEN);
    heed__buf_release(&out);
}

/* Confirmation phrases on real analyses: found, and not when negated, asked,
 * hypothetical or said of the company. */
static void test_confirmation_phrases(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *found; /* NULL: none */
    } cases[] = {
        {"That worked, thank you so much!", "That worked"},
        {"Arrived this morning, thanks Ana", "Arrived"},
        {"ok thanks, all sorted now", "all sorted"},
        {"It still hasn't arrived.", NULL},
        {"Has it arrived yet?", NULL},
        {"If it arrives by Friday I'll be fine.", NULL},
        {"You received it on 18 August.", NULL},
        {"It never worked.", NULL},
        {"Where is my parcel", NULL},
    };
    heed_engine *eng = NULL;
    assert_int_equal(heed_engine_new(NULL, &eng, NULL), HEED_OK);
    for (size_t i = 0; i < N(cases); i++) {
        heed_analysis *an = NULL;
        const heed_analyze_opts o = {.role = HEED_ROLE_CUSTOMER};
        assert_int_equal(heed_analyze(eng, cases[i].text, strlen(cases[i].text), &o, &an, NULL),
                         HEED_OK);
        heed_convo_fact f;
        heed_convo_fact_of(&f, heed_analysis_result(an));
        if (cases[i].found) {
            assert_int_not_equal(f.confirm_len, 0);
            assert_memory_equal(cases[i].text + f.confirm_start, cases[i].found, f.confirm_len);
            assert_int_equal(strlen(cases[i].found), f.confirm_len);
        } else if (f.confirm_len) {
            fail_msg("'%s': found '%.*s'", cases[i].text, (int)f.confirm_len,
                     cases[i].text + f.confirm_start);
        }
        heed_analysis_free(an);
    }
    /* an agent turn gives reply facts, no confirmation */
    heed_analysis *an = NULL;
    const heed_analyze_opts o = {.role = HEED_ROLE_AGENT};
    assert_int_equal(heed_analyze(eng, "That worked.", 12, &o, &an, NULL), HEED_OK);
    heed_convo_fact f;
    heed_convo_fact_of(&f, heed_analysis_result(an));
    assert_int_equal(f.confirm_len, 0);
    assert_int_equal(f.stress, -1);
    heed_analysis_free(an);
    heed_engine_free(eng);
}

/* Repeat-contact cues come from the stress stage. */
static void test_repeat_cue(void **state)
{
    (void)state;
    heed_engine *eng = NULL;
    assert_int_equal(heed_engine_new(NULL, &eng, NULL), HEED_OK);
    const char *t = "I already called twice about this and nobody helps.";
    heed_analysis *an = NULL;
    const heed_analyze_opts o = {.role = HEED_ROLE_CUSTOMER};
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, NULL), HEED_OK);
    heed_convo_fact f;
    heed_convo_fact_of(&f, heed_analysis_result(an));
    assert_int_not_equal(f.repeat_len, 0);
    assert_memory_equal(t + f.repeat_start, "already called", 14);
    assert_true(f.stress > 0);
    heed_analysis_free(an);
    heed_engine_free(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trajectory),
        cmocka_unit_test(test_resolution),
        cmocka_unit_test(test_repeat_contact),
        cmocka_unit_test(test_empathy_without_compassion),
        cmocka_unit_test(test_compassion_without_empathy),
        cmocka_unit_test(test_listened_and_promise),
        cmocka_unit_test(test_grouping_and_order),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_stream_invariants),
        cmocka_unit_test(test_confirmation_phrases),
        cmocka_unit_test(test_repeat_cue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
