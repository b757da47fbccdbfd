/* test_reply_json.c - the reply object in the JSON output (jsonout.c): an
 * agent turn with the customer's message and a time, analysed by the real
 * engine, rendered, then parsed back with cJSON; every member the schema
 * names for it must be there with the right type. And a reply analysed with
 * the customer's own analysis given for its context
 * (heed_analyze_opts.context_analysis) renders byte for byte as one analysed
 * without it, whether the engine may use it or must refuse it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The whole JSON of `reply` answering `ctx`, analysed with `given` (or NULL)
 * as the context's analysis; `given` is freed before rendering, so a result
 * that kept pointers into it fails under the sanitizers. */
static char *reply_json(const heed_engine *eng, const char *ctx, const char *reply, unsigned skip,
                        heed_analysis *given)
{
    heed_analyze_opts o = {
        .role = HEED_ROLE_AGENT,
        .skip = skip,
        .context = ctx,
        .context_len = strlen(ctx),
        .context_analysis = given,
        .has_time = 1,
        .time = 1788254240,
    };
    heed_analysis *an = NULL;
    heed_error err = {0};
    assert_int_equal(heed_analyze(eng, reply, strlen(reply), &o, &an, &err), HEED_OK);
    heed_analysis_free(given);
    heed_buf b;
    heed__buf_init(&b, 0);
    heed_json_result(&b, heed_analysis_result(an), &(heed_json_opts){.tokens = 1});
    assert_int_equal(b.err, 0);
    heed_analysis_free(an);
    size_t n;
    return heed__buf_take(&b, &n);
}

static heed_analysis *customer(const heed_engine *eng, const char *text, unsigned skip, int role)
{
    heed_analyze_opts o = {.role = role, .skip = skip};
    heed_analysis *an = NULL;
    heed_error err = {0};
    assert_int_equal(heed_analyze(eng, text, strlen(text), &o, &an, &err), HEED_OK);
    return an;
}

static void test_context_analysis_same_output(void **state)
{
    (void)state;
    heed_engine *eng = NULL;
    heed_error err = {0};
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    static const char GERMAN[] = "Mein Paket ist nicht angekommen. Wann bekomme ich mein Geld "
                                 "zurück? Das ist wirklich sehr ärgerlich.";
    static const char OTHER[] = "I was charged twice for one order. Can you fix it?";
    const struct {
        const char *ctx, *given_text;
        unsigned reply_skip, given_skip;
        int given_role;
    } cases[] = {
        {CUSTOMER, CUSTOMER, 0, 0, HEED_ROLE_CUSTOMER},    /* used */
        {CUSTOMER, CUSTOMER, 0, 0, HEED_ROLE_UNKNOWN},     /* used */
        {GERMAN, GERMAN, 0, 0, HEED_ROLE_CUSTOMER},        /* not English: refused */
        {CUSTOMER, OTHER, 0, 0, HEED_ROLE_CUSTOMER},       /* another text: refused */
        {CUSTOMER, CUSTOMER, HEED_STAGE_NEEDS, 0, 0},      /* needs run there only */
        {CUSTOMER, CUSTOMER, 0, HEED_STAGE_NEEDS, 0},      /* needs skipped there */
        {CUSTOMER, CUSTOMER, 0, 0, HEED_ROLE_AGENT},       /* an agent turn: refused */
        {CUSTOMER, CUSTOMER, HEED_STAGE_EMOTIONS, HEED_STAGE_STRESS, 0}, /* used */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *want = reply_json(eng, cases[k].ctx, REPLY, cases[k].reply_skip, NULL);
        heed_analysis *g = customer(eng, cases[k].given_text, cases[k].given_skip,
                                    cases[k].given_role);
        char *got = reply_json(eng, cases[k].ctx, REPLY, cases[k].reply_skip, g);
        if (strcmp(want, got) != 0)
            fail_msg("case %zu: the reply's JSON differs", k);
        free(want);
        free(got);
    }
    /* heed_check_reply uses the customer's analysis for the context */
    heed_analysis *cr = NULL;
    const heed_analyze_opts co = {.has_time = 1, .time = 1788254240};
    assert_int_equal(heed_check_reply(eng, CUSTOMER, strlen(CUSTOMER), REPLY, strlen(REPLY), &co,
                                      &cr, &err),
                     HEED_OK);
    char *fresh = reply_json(eng, CUSTOMER, REPLY, 0, NULL);
    heed_buf b;
    heed__buf_init(&b, 0);
    heed_json_result(&b, heed_analysis_result(cr), &(heed_json_opts){.tokens = 1});
    assert_non_null(strstr(b.ptr, "\"reply\""));
    /* the same reply object as an analysis with the context analysed anew */
    const char *r1 = strstr(b.ptr, "\"reply\""), *r2 = strstr(fresh, "\"reply\"");
    assert_non_null(r2);
    assert_memory_equal(r1, r2, strlen(r2) < strlen(r1) ? strlen(r2) : strlen(r1));
    heed__buf_release(&b);
    free(fresh);
    heed_analysis_free(cr);
    heed_engine_free(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_members),
        cmocka_unit_test(test_context_analysis_same_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
