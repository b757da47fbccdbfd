/* test_reqbody.c - the HTTP API's body parsers (src/server/reqbody.c), its
 * router (router.c), API keys in the store (src/store/apikeys.c) and the key
 * table with its token bucket (apiauth.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apiauth.h"
#include "heed/heed.h"
#include "reqbody.h"
#include "router.h"
#include "store.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_analyze_errors(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int status;
        const char *code, *field;
        long offset;
    } CASES[] = {
        {"{\"text\":\"hi\"}", 0, NULL, NULL, -1},
        {"  {\"text\":\"hi\",\"role\":\"Agent\",\"time\":1788248520}\n", 0, NULL, NULL, -1},
        {"", 400, "bad_json", "", 0},
        {"{\"text\":\"hi\"", 400, "bad_json", "", 11}, /* cJSON: its last byte */
        {"{\"text\":\"hi\"} {}", 400, "bad_json", "", 14},
        {"[]", 400, "wrong_type", "", -1},
        {"{}", 400, "missing_field", "text", -1},
        {"{\"text\":1}", 400, "wrong_type", "text", -1},
        {"{\"text\":\"a\",\"colour\":1}", 400, "unknown_field", "colour", -1},
        {"{\"text\":\"a\",\"role\":\"bot\"}", 400, "invalid_value", "role", -1},
        {"{\"text\":\"a\",\"time\":\"soon\"}", 400, "invalid_value", "time", -1},
        {"{\"text\":\"a\",\"time\":1.5}", 400, "wrong_type", "time", -1},
        {"{\"text\":\"a\",\"stages\":\"valence,nope\"}", 400, "invalid_value", "stages", -1},
        {"{\"text\":\"a\",\"stages\":[1]}", 400, "wrong_type", "stages", -1},
        {"{\"messages\":{}}", 400, "wrong_type", "messages", -1},
        {"{\"messages\":[]}", 400, "invalid_value", "messages", -1},
        {"{\"messages\":[{},{},{}]}", 400, "batch_too_large", "messages", -1},
        {"{\"messages\":[{\"text\":\"a\"}],\"x\":1}", 400, "unknown_field", "x", -1},
    };
    for (size_t i = 0; i < N(CASES); i++) {
        heed_srv_analyze_req r;
        heed_srv_error e;
        int st = heed_srv_parse_analyze(CASES[i].body, strlen(CASES[i].body), 2, &r, &e);
        if (st != CASES[i].status)
            fail_msg("case %zu (%s): status %d, want %d", i, CASES[i].body, st, CASES[i].status);
        if (st) {
            assert_string_equal(e.code, CASES[i].code);
            assert_string_equal(e.field, CASES[i].field);
            assert_int_equal(e.offset, CASES[i].offset);
        }
        heed_srv_analyze_release(&r);
    }
}

static void test_analyze_fields(void **state)
{
    (void)state;
    const char *b = "{\"messages\":[{\"text\":\"hi\",\"role\":\"agent\",\"context\":\"where?\","
                    "\"time\":1788248520,\"id\":\"m1\"},{\"text\":5},{\"text\":\"x\",\"stages\":"
                    "\"all\"}],\"stages\":[\"valence\",\"needs\"]}";
    heed_srv_analyze_req r;
    heed_srv_error e;
    assert_int_equal(heed_srv_parse_analyze(b, strlen(b), 0, &r, &e), 0);
    assert_true(r.is_batch);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.msgs[0].text, "hi");
    assert_int_equal(r.msgs[0].role, HEED_ROLE_AGENT);
    assert_string_equal(r.msgs[0].context, "where?");
    assert_true(r.msgs[0].has_time);
    assert_int_equal(r.msgs[0].time, 1788248520);
    assert_string_equal(r.msgs[0].time_s, "1788248520");
    assert_string_equal(r.msgs[0].id, "m1");
    assert_int_equal(r.msgs[0].skip, HEED_STAGE_ALL & ~HEED_STAGE_NEEDS);
    assert_true(r.msgs[1].is_bad);
    assert_string_equal(r.msgs[1].err.field, "messages[1].text");
    assert_false(r.msgs[2].is_bad);
    assert_int_equal(r.msgs[2].skip, 0);
    heed_srv_analyze_release(&r);
}

static void test_check(void **state)
{
    (void)state;
    heed_srv_check_req r;
    heed_srv_error e;
    const char *ok = "{\"customer\":\"c\",\"reply\":\"r\",\"time\":\"2026-09-01\"}";
    assert_int_equal(heed_srv_parse_check(ok, strlen(ok), &r, &e), 0);
    assert_string_equal(r.customer, "c");
    assert_string_equal(r.reply, "r");
    assert_true(r.has_time);
    heed_srv_check_release(&r);
    const char *bad = "{\"customer\":\"c\",\"draft\":\"r\"}";
    assert_int_equal(heed_srv_parse_check(bad, strlen(bad), &r, &e), 400);
    assert_string_equal(e.code, "unknown_field");
    assert_string_equal(e.field, "draft");
    heed_srv_check_release(&r);
}

static void test_error_json(void **state)
{
    (void)state;
    heed_srv_error e;
    heed_srv_error_set(&e, 400, "bad_json", NULL, "malformed \"JSON\"");
    e.offset = 7;
    heed_buf b;
    heed__buf_init(&b, 0);
    heed_srv_error_json(&b, &e, "r1");
    assert_string_equal(b.ptr, "{\"error\":{\"code\":\"bad_json\",\"message\":\"malformed "
                               "\\\"JSON\\\"\",\"offset\":7,\"request_id\":\"r1\"}}");
    heed__buf_release(&b);
}

static void dummy(struct heed_srv_req *rq)
{
    (void)rq;
}

static void test_router(void **state)
{
    (void)state;
    static const heed_srv_route R[] = {
        {"GET", "/v1/keys", HEED_SRV_ROLE_ADMIN, 0, dummy},
        {"POST", "/v1/keys", HEED_SRV_ROLE_ADMIN, 0, dummy},
        {"GET", "/v1/agents/{id}/stats", HEED_SRV_ROLES_ALL, 0, dummy},
    };
    heed_srv_params p;
    char allow[64];
    assert_int_equal(heed_srv_route_find(R, N(R), "POST", "/v1/keys", &p, allow, sizeof allow), 1);
    assert_int_equal(heed_srv_route_find(R, N(R), "GET", "/v1/agents/a17/stats", &p, allow,
                                         sizeof allow),
                     2);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.value[0], "a17");
    assert_int_equal(heed_srv_route_find(R, N(R), "DELETE", "/v1/keys", &p, allow, sizeof allow),
                     -2);
    assert_string_equal(allow, "GET, POST");
    assert_int_equal(heed_srv_route_find(R, N(R), "GET", "/v1/agents//stats", &p, allow,
                                         sizeof allow),
                     -1);
    assert_int_equal(heed_srv_route_find(R, N(R), "GET", "/v1/keys/", &p, allow, sizeof allow),
                     -1);
    assert_int_equal(heed_srv_role_bit("lead"), HEED_SRV_ROLE_LEAD);
    assert_int_equal(heed_srv_role_bit("boss"), 0);
}

static int count_key(void *ctx, const heed_st_apikey *k)
{
    (*(int *)ctx)++;
    assert_non_null(k->role);
    return 0;
}

static void test_keys_store(void **state)
{
    (void)state;
    char path[] = "/tmp/heed_test_keysXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    heed_store *st = NULL;
    heed_error err = {0};
    assert_int_equal(heed_store_open(path, &st, &err), HEED_OK);
    unsigned char secret[HEED_STORE_SECRET_LEN];
    assert_int_equal(heed_store_secret(st, secret, &err), HEED_OK);
    char key[HEED_SRV_KEY_LEN + 1], key2[HEED_SRV_KEY_LEN + 1];
    assert_int_equal(heed_srv_key_generate(key), 0);
    assert_int_equal(heed_srv_key_generate(key2), 0);
    assert_int_equal(strlen(key), HEED_SRV_KEY_LEN);
    assert_string_not_equal(key, key2);
    heed_st_apikey k = {.role = "agent", .agent = "a1", .prefix = "heed_xxxx", .created = 1};
    heed_srv_key_hash(key, strlen(key), secret, k.hash);
    int64_t id = 0;
    assert_int_equal(heed_store_apikey_put(st, &k, &id, &err), HEED_OK);
    assert_int_equal(id, 1);
    int found = 0, n = 0;
    assert_int_equal(heed_store_apikey_find(st, k.hash, count_key, &n, &found, &err), HEED_OK);
    assert_int_equal(found, 1);

    /* the table: a known key passes, an unknown one does not, the bucket
     * (rate 1/s, burst 2) lets two through then refuses */
    heed_srv_keys *tab = NULL;
    assert_int_equal(heed_srv_keys_new(secret, 1, 2, &tab), HEED_OK);
    assert_int_equal(heed_srv_keys_load(tab, st, &err), HEED_OK);
    heed_srv_identity who;
    int retry = 0;
    assert_int_equal(heed_srv_keys_check(tab, key2, strlen(key2), &who, &retry),
                     HEED_SRV_AUTH_UNKNOWN);
    assert_int_equal(heed_srv_keys_check(tab, key, strlen(key), &who, &retry), HEED_SRV_AUTH_OK);
    assert_int_equal(who.role, HEED_SRV_ROLE_AGENT);
    assert_string_equal(who.agent, "a1");
    assert_int_equal(heed_srv_keys_check(tab, key, strlen(key), &who, &retry), HEED_SRV_AUTH_OK);
    assert_int_equal(heed_srv_keys_check(tab, key, strlen(key), &who, &retry),
                     HEED_SRV_AUTH_LIMITED);
    assert_true(retry >= 1);
    assert_int_equal(heed_srv_keys_flush(tab, st, &err), HEED_OK);

    /* revoked: gone from the table after a reload, kept in the list */
    assert_int_equal(heed_store_apikey_revoke(st, id, 5, &found, &err), HEED_OK);
    assert_int_equal(found, 1);
    assert_int_equal(heed_store_apikey_revoke(st, id, 6, &found, &err), HEED_OK);
    assert_int_equal(found, 0);
    assert_int_equal(heed_srv_keys_load(tab, st, &err), HEED_OK);
    assert_int_equal(heed_srv_keys_check(tab, key, strlen(key), &who, &retry),
                     HEED_SRV_AUTH_UNKNOWN);
    n = 0;
    assert_int_equal(heed_store_apikeys(st, count_key, &n, &err), HEED_OK);
    assert_int_equal(n, 1);
    heed_srv_keys_free(tab);
    heed_store_close(st);
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyze_errors), cmocka_unit_test(test_analyze_fields),
        cmocka_unit_test(test_check),          cmocka_unit_test(test_error_json),
        cmocka_unit_test(test_router),         cmocka_unit_test(test_keys_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
