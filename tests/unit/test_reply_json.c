/* test_reply_json.c - the reply object in the JSON output (jsonout.c): an
 * agent turn with the customer's message and a time, analysed by the real
 * engine, rendered, then parsed back with cJSON; every member the schema
 * names for it must be there with the right type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "buf.h"
#include "heed/heed.h"
#include "jsonout.h"

static const char CUSTOMER[] =
    "My parcel (order #48213) still hasn't arrived after three weeks. When will it come? "
    "Can I get a refund instead?";
static const char REPLY[] =
    "Hi Marta, I'm so sorry about the wait. I've checked order #48213: it was lost by the "
    "courier. I've issued a full refund of EUR 49.99 today and it will reach your card within "
    "3 working days. Your RMA is closed.";

static cJSON *render(const heed_engine *eng, const char *ctx, const char *text)
{
    heed_analyze_opts o = {
        .role = HEED_ROLE_AGENT,
        .context = ctx,
        .context_len = ctx ? strlen(ctx) : 0,
        .has_time = 1,
        .time = 1788254240, /* 2026-09-01T09:17:20Z, a Tuesday */
    };
    heed_analysis *an = NULL;
    heed_error err = {0};
    assert_int_equal(heed_analyze(eng, text, strlen(text), &o, &an, &err), HEED_OK);
    heed_buf b;
    heed__buf_init(&b, 0);
    heed__buf_addc(&b, '{');
    heed_json_result(&b, heed_analysis_result(an), &(heed_json_opts){0});
    heed__buf_addc(&b, '}');
    assert_int_equal(b.err, 0);
    cJSON *j = cJSON_ParseWithLength(b.ptr, b.len);
    if (!j)
        fail_msg("not JSON: %s", b.ptr);
    heed__buf_release(&b);
    heed_analysis_free(an);
    return j;
}

static void expect_span(const cJSON *o, const char *k)
{
    char ks[64], ke[64];
    snprintf(ks, sizeof ks, "%s_start", k);
    snprintf(ke, sizeof ke, "%s_end", k);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!t)
        return; /* optional */
    assert_true(cJSON_IsString(t));
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, ks);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, ke);
    assert_true(cJSON_IsNumber(s) && cJSON_IsNumber(e));
    assert_int_equal(e->valuedouble - s->valuedouble, strlen(t->valuestring));
}

static void test_reply_members(void **state)
{
    (void)state;
    heed_engine *eng = NULL;
    heed_error err = {0};
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    cJSON *j = render(eng, CUSTOMER, REPLY);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "reply");
    assert_true(cJSON_IsObject(r));
    const cJSON *fa = cJSON_GetObjectItemCaseSensitive(r, "familiar");
    assert_true(cJSON_IsObject(fa));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(fa, "grade")));
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(fa, "simhash");
    assert_true(cJSON_IsString(sh));
    assert_int_equal(strlen(sh->valuestring), 16);
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(fa, "jargon")));
    const cJSON *ad = cJSON_GetObjectItemCaseSensitive(r, "addressed");
    assert_true(cJSON_IsObject(ad));
    const cJSON *asks = cJSON_GetObjectItemCaseSensitive(ad, "asks");
    assert_true(cJSON_IsArray(asks));
    assert_true(cJSON_GetArraySize(asks) >= 1);
    int spans = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, asks)
    {
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "ask")));
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "status")));
        expect_span(a, "reply");
        spans += cJSON_GetObjectItemCaseSensitive(a, "reply") != NULL;
    }
    assert_true(spans >= 1); /* the refund ask is answered by a sentence */
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(r, "promises");
    if (pr) {
        const cJSON *p;
        cJSON_ArrayForEach(p, pr)
        {
            expect_span(p, "object");
            expect_span(p, "due_text");
        }
    }
    cJSON_Delete(j);
    /* a customer turn has no reply object */
    heed_analysis *an = NULL;
    heed_analyze_opts o = {.role = HEED_ROLE_CUSTOMER};
    assert_int_equal(heed_analyze(eng, CUSTOMER, strlen(CUSTOMER), &o, &an, &err), HEED_OK);
    heed_buf b;
    heed__buf_init(&b, 0);
    heed_json_result(&b, heed_analysis_result(an), &(heed_json_opts){0});
    assert_null(strstr(b.ptr, "\"reply\""));
    heed__buf_release(&b);
    heed_analysis_free(an);
    heed_engine_free(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
