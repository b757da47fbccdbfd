/* test_needs.c - the needs stage (src/core/needs.c): the committed model
 * (models/needs.model, embedded at build time) through the public API, the
 * checks that reject corrupt or mismatched model bytes, and the labels rule. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "featurize.h"
#include "heed/heed.h"
#include "linmodel.h"
#include "model_data.h"
#include "needs.h"

static const heed_result *analyze(heed_engine *eng, const char *text, heed_analysis **an)
{
    heed_error err;
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, an, &err), HEED_OK);
    return heed_analysis_result(*an);
}

/* The repository carries models/needs.model, so the build embeds it. */
static void test_engine_fills_needs(void **state)
{
    (void)state;
    assert_true(heed__model_needs().len > 0);
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    static const struct {
        const char *text;
        int need;
    } cases[] = {
        {"where is my parcel?", HEED_NEED_DELIVERY},
        {"I want to cancel my subscription", HEED_NEED_CANCELLATION},
        {"I forgot my password and can't log in", HEED_NEED_ACCOUNT},
        {"I was charged twice for the same thing", HEED_NEED_BILLING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heed_analysis *an;
        const heed_result *r = analyze(eng, cases[i].text, &an);
        assert_int_equal(r->needs.available, 1);
        if (r->needs.top != cases[i].need)
            fprintf(stderr, "\"%s\": top %d, want %d\n", cases[i].text, r->needs.top,
                    cases[i].need);
        assert_int_equal(r->needs.top, cases[i].need);
        assert_true(r->needs.labels & (1u << cases[i].need));
        float sum = 0;
        for (int k = 0; k < HEED_NEED_COUNT; k++) {
            assert_true(r->needs.prob[k] >= 0 && r->needs.prob[k] <= 1);
            sum += r->needs.prob[k];
        }
        assert_float_equal(sum, 1.0f, 1e-3f);
        heed_analysis_free(an);
    }
    heed_engine_free(eng);
}

/* The cue rules add what a one-class softmax hides: a complaint beside the
 * need it comes with; praise for a thank-you. */
static void test_engine_cue_labels(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    heed_analysis *an;
    const heed_result *r =
        analyze(eng, "I was charged twice, this is a disgrace and I am furious", &an);
    assert_true(r->valence <= -0.5);
    assert_true(r->needs.labels & (1u << HEED_NEED_BILLING));
    assert_true(r->needs.labels & (1u << HEED_NEED_COMPLAINT));
    heed_analysis_free(an);
    r = analyze(eng, "Thanks a lot, the technician was brilliant!", &an);
    assert_int_equal(r->needs.top, HEED_NEED_PRAISE);
    assert_false(r->needs.labels & (1u << HEED_NEED_COMPLAINT));
    heed_analysis_free(an);
    r = analyze(eng, "Can you refund me?", &an);
    assert_int_equal(r->needs.n_asks, 1);
    assert_true(r->needs.labels & (1u << HEED_NEED_REFUND));
    heed_analysis_free(an);
    heed_engine_free(eng);
}

static void test_reject_corrupt(void **state)
{
    (void)state;
    heed_blob b = heed__model_needs();
    heed_lm *m = (heed_lm *)1;
    heed_error err;
    /* no bytes: no model, not an error */
    assert_int_equal(heed__needs_new(b.ptr, 0, 0, &m, &err), HEED_OK);
    assert_null(m);
    /* the real model loads */
    assert_int_equal(heed__needs_new(b.ptr, b.len, 0, &m, &err), HEED_OK);
    assert_non_null(m);
    heed__lm_free(m);
    /* truncated at several points, and single flipped bytes */
    unsigned char *copy = malloc(b.len);
    assert_non_null(copy);
    const size_t cuts[] = {1, 8, 31, 100, b.len / 2, b.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        err.msg[0] = 0;
        assert_int_equal(heed__needs_new(b.ptr, cuts[i], 0, &m, &err), HEED_EMODEL);
        assert_null(m);
        assert_non_null(strstr(err.msg, "needs model: "));
    }
    const size_t flips[] = {0, 9, 40, b.len / 3, b.len - 3};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        memcpy(copy, b.ptr, b.len);
        copy[flips[i]] ^= 0x40;
        assert_int_equal(heed__needs_new(copy, b.len, 0, &m, &err), HEED_EMODEL);
        assert_null(m);
    }
    free(copy);
}

/* A well-formed HEEDLM file that is not a needs model is refused too. */
static void test_reject_mismatch(void **state)
{
    (void)state;
    uint32_t idx[1] = {5};
    float val[1] = {1};
    heed_sparse X[2] = {{idx, val, 1}, {idx, val, 1}};
    float Y[2 * HEED_NEED_COUNT] = {0};
    Y[0] = 1;
    Y[HEED_NEED_COUNT + 1] = 1;
    const char *names[HEED_NEED_COUNT] = {"refund",
                                          "delivery",
                                          "billing",
                                          "account_access",
                                          "cancellation",
                                          "technical_fault",
                                          "change_or_update",
                                          "product_question",
                                          "complaint",
                                          "praise",
                                          "other"};
    const heed_feat_opts fo = {HEED_NEEDS_FEAT_FLAGS};
    const struct {
        uint32_t n_out;
        int swap_labels;
        uint32_t feature_set;
        const char *msg;
    } cases[] = {
        {HEED_NEED_COUNT, 0, 0, "feature"},
        {HEED_NEED_COUNT, 1, 1, "labels"},
        {3, 0, 1, "outputs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *lab[HEED_NEED_COUNT];
        memcpy(lab, names, sizeof lab);
        if (cases[i].swap_labels) {
            lab[0] = "delivery";
            lab[1] = "refund";
        }
        heed_lm_opts o = {0};
        o.kind = HEED_LM_MULTICLASS;
        o.n_outputs = cases[i].n_out;
        o.dim_bits = 10;
        o.epochs = 1;
        o.labels = cases[i].n_out == HEED_NEED_COUNT ? lab : NULL;
        o.feature_set = cases[i].feature_set ? heed__features_id(&fo) : 0x12345678u;
        heed_lm *m;
        heed_error err;
        float Y3[6] = {1, 0, 0, 0, 1, 0};
        assert_int_equal(heed__lm_train(&o, X, cases[i].n_out == 3 ? Y3 : Y, 2, &m, &err), HEED_OK);
        heed_buf b;
        heed__buf_init(&b, 0);
        assert_int_equal(heed__lm_save(m, &b), HEED_OK);
        heed__lm_free(m);
        heed_lm *got = (heed_lm *)1;
        assert_int_equal(heed__needs_new(b.ptr, b.len, 0, &got, &err), HEED_EMODEL);
        assert_null(got);
        if (!strstr(err.msg, cases[i].msg))
            fprintf(stderr, "case %zu: %s\n", i, err.msg);
        assert_non_null(strstr(err.msg, cases[i].msg));
        heed__buf_release(&b);
    }
}

static void test_labels_rule(void **state)
{
    (void)state;
    float p[HEED_NEED_COUNT] = {0};
    int top = -1;
    p[HEED_NEED_DELIVERY] = 0.6f;
    p[HEED_NEED_REFUND] = 0.36f;
    p[HEED_NEED_BILLING] = 0.04f;
    uint32_t l = heed__needs_labels(p, 0.0, NULL, 0, &top);
    assert_int_equal(top, HEED_NEED_DELIVERY);
    assert_int_equal(l, (1u << HEED_NEED_DELIVERY) | (1u << HEED_NEED_REFUND));
    /* an ask naming a need adds it; an ask pointing to "other" adds nothing */
    heed_cue asks[2] = {{0, 1, HEED_NEED_CANCELLATION, 0, 1, "request"},
                        {0, 1, HEED_NEED_OTHER, 0, 1, "question"}};
    l = heed__needs_labels(p, 0.0, asks, 2, &top);
    assert_true(l & (1u << HEED_NEED_CANCELLATION));
    assert_false(l & (1u << HEED_NEED_OTHER));
    /* clearly negative: complaint joins; mildly negative: it does not */
    assert_true(heed__needs_labels(p, -0.6, NULL, 0, &top) & (1u << HEED_NEED_COMPLAINT));
    assert_false(heed__needs_labels(p, -0.3, NULL, 0, &top) & (1u << HEED_NEED_COMPLAINT));
    /* clearly positive without asks: praise; with an ask: not */
    assert_true(heed__needs_labels(p, 0.7, NULL, 0, &top) & (1u << HEED_NEED_PRAISE));
    assert_false(heed__needs_labels(p, 0.7, asks, 1, &top) & (1u << HEED_NEED_PRAISE));
}

/* heed__needs_labels' top need and score labels as a plain loop: the
 * reference for its four-at-a-time path. */
static uint32_t labels_ref(const float *prob, int *top)
{
    int t = 0;
    for (int i = 1; i < HEED_NEED_COUNT; i++)
        if (prob[i] > prob[t])
            t = i;
    uint32_t labels = 1u << t;
    for (int i = 0; i < HEED_NEED_COUNT; i++)
        if (prob[i] >= HEED_NEEDS_LABEL_MIN)
            labels |= 1u << i;
    *top = t;
    return labels;
}

/* The top need and the labels against labels_ref on 200,000 random score
 * sets: ties (the first wins), zeros of both signs, scores at and beside
 * HEED_NEEDS_LABEL_MIN, NaN, 1. */
static void test_labels_same_as_loop(void **state)
{
    (void)state;
    const float lmin = HEED_NEEDS_LABEL_MIN;
    const float pick[] = {0.0f, -0.0f, 0.1f, 0.2f, lmin, nextafterf(lmin, 0), nextafterf(lmin, 1),
                          0.5f, 1.0f, NAN};
    uint64_t s = 0x853c49e6748fea9bull;
    for (int round = 0; round < 200000; round++) {
        float p[HEED_NEED_COUNT];
        for (int i = 0; i < HEED_NEED_COUNT; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            const uint32_t r = (uint32_t)(s >> 33);
            /* a random score, or one of the set (NaN in one round of 16) */
            p[i] = r % 3 ? (float)(r % 100000) / 100000.0f
                         : pick[(r >> 8) % (round % 16 ? 9 : 10)];
        }
        int top = -1, want_top = -2;
        const uint32_t want = labels_ref(p, &want_top);
        assert_int_equal(heed__needs_labels(p, 0.0, NULL, 0, &top), want);
        assert_int_equal(top, want_top);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_fills_needs), cmocka_unit_test(test_engine_cue_labels),
        cmocka_unit_test(test_reject_corrupt),     cmocka_unit_test(test_reject_mismatch),
        cmocka_unit_test(test_labels_rule),        cmocka_unit_test(test_labels_same_as_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
