/* test_agentview.c - the team weeks of `heed agents --teams` and GET
 * /v1/teams/trends (src/app/agentview.c), read from the scores kept per reply,
 * against the way they used to be made from the messages, kept here as the
 * reference: every reply of the period in the order (agent, time, message
 * id), agents numbered from the agent table with its teams, an agent missing
 * from it under "(no team)", unscored replies left out, then
 * heed_care_weeks. Random stores (agents with and without a team, replies by
 * agents the agent table lacks, unscored replies, periods and offsets) must
 * give the same weeks, bit for bit, and the same JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agentview.h"
#include "buf.h"
#include "store.h"

#define DAY 86400
#define T0 1788220800 /* 2026-09-01 00:00 UTC */

typedef struct reply {
    char agent[16];
    int64_t time, id; /* id: the order of insertion, as the message ids */
    int empathy[HEED_EMPATHY_COUNT];
    double compassion;
} reply;

static unsigned next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static int cmp_reply(const void *pa, const void *pb)
{
    const reply *a = pa, *b = pb;
    int c = strcmp(a->agent, b->agent);
    if (c)
        return c;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

typedef struct agent_row {
    char id[16];
    const char *team;
} agent_row;

static int cmp_agent(const void *pa, const void *pb)
{
    return strcmp(((const agent_row *)pa)->id, ((const agent_row *)pb)->id);
}

/* The weeks as the messages gave them. */
static void reference(agent_row *ag, size_t n_ag, reply *rep, size_t n, int64_t from, int64_t to,
                      long tz, heed_names *T, heed_care_week **out, size_t *n_out)
{
    heed_names A = {0};
    int64_t team_of[64];
    qsort(ag, n_ag, sizeof *ag, cmp_agent); /* the agent table by id */
    for (size_t i = 0; i < n_ag; i++) {
        int64_t a = heed_names_id(&A, ag[i].id);
        team_of[a] = heed_names_id(T, ag[i].team ? ag[i].team : "(no team)");
    }
    size_t known = A.n;
    qsort(rep, n, sizeof *rep, cmp_reply);
    heed_care_reply *cr = calloc(n + 1, sizeof *cr);
    size_t k = 0;
    assert_non_null(cr);
    for (size_t i = 0; i < n; i++) {
        if (rep[i].time < from || rep[i].time >= to || rep[i].empathy[0] < 0)
            continue;
        int64_t a = heed_names_id(&A, rep[i].agent);
        assert_true(a < 64);
        if ((size_t)a >= known) { /* not in the agent table */
            team_of[a] = heed_names_id(T, "(no team)");
            known = A.n;
        }
        cr[k] = (heed_care_reply){.agent = team_of[a], .time = rep[i].time,
                                  .compassion = rep[i].compassion < 0 ? 0 : rep[i].compassion};
        memcpy(cr[k].empathy, rep[i].empathy, sizeof cr[k].empathy);
        k++;
    }
    heed_error err = {0};
    assert_int_equal(heed_care_weeks(cr, k, (int)tz, out, n_out, &err), HEED_OK);
    free(cr);
    heed_names_free(&A);
}

static void test_team_weeks(void **state)
{
    (void)state;
    static const char *const teams[] = {"billing", NULL, "orders", "care"};
    for (unsigned seed = 1; seed <= 8; seed++) {
        char dir[64], path[128];
        snprintf(dir, sizeof dir, "/tmp/heed-test-agentview-XXXXXX");
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/s.db", dir);
        heed_store *st;
        heed_error err = {0};
        assert_int_equal(heed_store_open(path, &st, &err), HEED_OK);
        unsigned s = seed * 104729;
        /* agents a00..a11: some in the agent table (with a team or none) */
        agent_row ag[12];
        size_t n_ag = 0;
        int added;
        for (int a = 11; a >= 0; a--) {
            if (next(&s) % 4 == 0)
                continue; /* replies only: no agent row */
            snprintf(ag[n_ag].id, sizeof ag[n_ag].id, "a%02d", a);
            ag[n_ag].team = teams[next(&s) % 4];
            assert_int_equal(heed_store_put_agent(st, ag[n_ag].id, NULL, ag[n_ag].team, &added,
                                                  &err),
                             HEED_OK);
            n_ag++;
        }
        size_t n = 300 + next(&s) % 300;
        reply *rep = calloc(n, sizeof *rep);
        assert_non_null(rep);
        char id[32], conv[32];
        for (size_t i = 0; i < n; i++) {
            reply *r = &rep[i];
            snprintf(r->agent, sizeof r->agent, "a%02d", (int)(next(&s) % 12));
            r->time = T0 + (int64_t)(next(&s) % 60) * DAY / 2 + next(&s) % 3600;
            r->id = (int64_t)i;
            int scored = next(&s) % 8 != 0;
            for (int e = 0; e < HEED_EMPATHY_COUNT; e++)
                r->empathy[e] = scored ? (int)(next(&s) % 3) : -1;
            r->compassion = next(&s) % 10 == 0 ? -1 : (next(&s) % 1000) / 9.7;
            snprintf(id, sizeof id, "m%zu", i);
            snprintf(conv, sizeof conv, "c%u", next(&s) % 40);
            heed_st_message m = {.source = "chat", .id = id, .conversation = conv,
                                 .role = HEED_ROLE_AGENT, .agent = r->agent, .time = r->time,
                                 .channel = "chat", .text = "We are on it.", .text_len = 13,
                                 .scored = 1, .emotion = -1, .need = -1,
                                 .compassion = r->compassion, .addressed = -1};
            memcpy(m.empathy, r->empathy, sizeof m.empathy);
            assert_int_equal(heed_store_put_message(st, &m, NULL, 0, NULL, 0, &added, &err),
                             HEED_OK);
            if (next(&s) % 5 == 0) { /* a customer message now and then */
                snprintf(id, sizeof id, "u%zu", i);
                heed_st_message u = {.source = "chat", .id = id, .conversation = conv,
                                     .role = HEED_ROLE_CUSTOMER, .time = r->time - 60,
                                     .channel = "chat", .text = "Hello?", .text_len = 6,
                                     .scored = 1, .stress = 50, .emotion = -1, .need = -1,
                                     .empathy = {-1, -1, -1}, .compassion = -1,
                                     .addressed = -1};
                assert_int_equal(heed_store_put_message(st, &u, NULL, 0, NULL, 0, &added, &err),
                                 HEED_OK);
            }
        }
        for (int p = 0; p < 4; p++) {
            long tz = p == 1 ? 330 : p == 2 ? -600 : 0;
            long days = p == 3 ? 3 : 28 + p * 5;
            int64_t from, to;
            heed_view_range(T0 + 20 * DAY + p * DAY, days, tz, &from, &to);
            heed_names T1 = {0}, T2 = {0};
            heed_care_week *w1 = NULL, *w2 = NULL;
            size_t n1 = 0, n2 = 0;
            assert_int_equal(heed_view_team_weeks(st, from, to, tz, &T1, &w1, &n1, &err),
                             HEED_OK);
            reference(ag, n_ag, rep, n, from, to, tz, &T2, &w2, &n2);
            assert_int_equal(n1, n2);
            assert_true(n1 > 0);
            assert_int_equal(T1.n, T2.n);
            for (size_t i = 0; i < T1.n; i++)
                assert_string_equal(T1.v[i], T2.v[i]);
            for (size_t i = 0; i < n1; i++) {
                assert_int_equal(w1[i].agent, w2[i].agent);
                assert_int_equal(w1[i].replies, w2[i].replies);
                assert_memory_equal(w1[i].empathy_mean, w2[i].empathy_mean,
                                    sizeof w1[i].empathy_mean);
                assert_memory_equal(&w1[i].compassion_mean, &w2[i].compassion_mean,
                                    sizeof w1[i].compassion_mean);
                heed_buf a, b;
                heed__buf_init(&a, 0);
                heed__buf_init(&b, 0);
                heed_view_week_json(&a, "team", T1.v[w1[i].agent], &w1[i]);
                heed_view_week_json(&b, "team", T2.v[w2[i].agent], &w2[i]);
                assert_int_equal(a.len, b.len);
                assert_memory_equal(a.ptr, b.ptr, a.len);
                heed__buf_release(&a);
                heed__buf_release(&b);
            }
            heed_care_free(w1);
            heed_care_free(w2);
            heed_names_free(&T1);
            heed_names_free(&T2);
        }
        free(rep);
        heed_store_close(st);
        static const char *const suffix[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s/s.db%s", dir, suffix[i]);
            unlink(path);
        }
        rmdir(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_team_weeks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
