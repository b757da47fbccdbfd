/* test_intensity.c - the intensity model container (HEEDINT1): round trip,
 * scaling and clamping of predictions, every truncation and corruption is
 * HEED_EMODEL with a message (never a crash), shape checks; and the engine's
 * intensity stage (English scored texts only). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "featurize.h"
#include "heed/heed.h"
#include "intensity.h"
#include "linmodel.h"
#include "model_data.h"

/* A toy regressor: feature 1 pushes the output up, feature 2 down; a hash
 * space of 2^bits. */
static heed_lm *toy_bits(const char *label, uint32_t feature_set, float mean, float sd,
                         uint32_t bits)
{
    static const uint32_t i1[] = {1}, i2[] = {2};
    static const float v1[] = {1};
    heed_sparse X[40];
    float Y[40];
    for (int i = 0; i < 40; i++) {
        X[i] = (heed_sparse){i % 2 ? i1 : i2, v1, 1};
        Y[i] = i % 2 ? 1.0f : -1.0f;
    }
    heed_lm_opts o = {0};
    o.kind = HEED_LM_REGRESSION;
    o.n_outputs = 1;
    o.dim_bits = bits;
    o.epochs = 20;
    o.seed = 3;
    o.feature_set = feature_set;
    o.labels = &label;
    heed_lm *m = NULL;
    assert_int_equal(heed__lm_train(&o, X, Y, 40, &m, NULL), HEED_OK);
    const float aux[2] = {mean, sd};
    assert_int_equal(heed__lm_set_aux(m, aux, 2), HEED_OK);
    return m;
}

static heed_lm *toy(const char *label, uint32_t feature_set, float mean, float sd)
{
    return toy_bits(label, feature_set, mean, sd, 8);
}

typedef struct {
    heed_lm *lm[HEED_INT_COUNT];
    heed_buf bytes;
} fixture;

static void make(fixture *f, uint32_t fs2, const char *name0, float sd2)
{
    uint32_t fs = heed__features_id(NULL);
    f->lm[0] = toy(name0, fs, 3.0f, 0.5f);
    f->lm[1] = toy("arousal", fs, 3.0f, 0.5f);
    f->lm[2] = toy("distress", fs2, 4.0f, sd2);
    heed__buf_init(&f->bytes, 0);
    assert_int_equal(heed__intensity_save((const heed_lm *const *)f->lm, &f->bytes), HEED_OK);
}

static void release(fixture *f)
{
    for (int k = 0; k < HEED_INT_COUNT; k++)
        heed__lm_free(f->lm[k]);
    heed__buf_release(&f->bytes);
}

static void test_round_trip_and_predict(void **state)
{
    (void)state;
    fixture f;
    make(&f, heed__features_id(NULL), "valence", 100.0f);
    heed_intensity_model *m = NULL;
    heed_error err = {0};
    assert_int_equal(heed__intensity_load(f.bytes.ptr, f.bytes.len, 0, &m, &err), HEED_OK);
    static const uint32_t i1[] = {1}, i2[] = {2};
    static const float v1[] = {1};
    float up[HEED_INT_COUNT], down[HEED_INT_COUNT];
    heed__intensity_predict_x(m, (heed_sparse){i1, v1, 1}, up);
    heed__intensity_predict_x(m, (heed_sparse){i2, v1, 1}, down);
    /* mean + sd * output: about 3.5 and 2.5 for valence and arousal */
    for (int k = 0; k < 2; k++) {
        assert_true(up[k] > 3.3f && up[k] < 3.7f);
        assert_true(down[k] > 2.3f && down[k] < 2.7f);
    }
    /* distress has sd 100: clamped to its 1..7 scale */
    assert_true(up[2] == 7.0f);
    assert_true(down[2] == 1.0f);
    assert_int_equal(heed__intensity_feat_opts(m).flags, 0);
    heed__intensity_free(m);
    heed__intensity_free(NULL);
    release(&f);
}

static void expect_bad(const void *p, size_t n, const char *what)
{
    heed_intensity_model *m = (heed_intensity_model *)1;
    heed_error err = {0};
    int rc = heed__intensity_load(p, n, 0, &m, &err);
    if (rc != HEED_EMODEL)
        fail_msg("%s: rc %d", what, rc);
    assert_null(m);
    assert_true(err.msg[0] != 0);
    assert_non_null(strstr(err.msg, "intensity model"));
    assert_true(err.pos <= n);
}

static void test_truncations_and_corruptions(void **state)
{
    (void)state;
    fixture f;
    make(&f, heed__features_id(NULL), "valence", 1.0f);
    const unsigned char *b = (const unsigned char *)f.bytes.ptr;
    size_t n = f.bytes.len;
    for (size_t k = 0; k < n; k++)
        expect_bad(b, k, "truncated");
    unsigned char *c = malloc(n + 1);
    assert_non_null(c);
    /* every single-byte change is caught: magic, counts, lengths, or the
     * regressors' own checks and checksums */
    for (size_t k = 0; k < n; k++) {
        memcpy(c, b, n);
        c[k] ^= 0x41;
        heed_intensity_model *m = NULL;
        int rc = heed__intensity_load(c, n, 0, &m, NULL);
        if (rc == HEED_OK)
            fail_msg("byte %zu flipped still loads", k);
        assert_int_equal(rc, HEED_EMODEL);
    }
    memcpy(c, b, n);
    c[n] = 0;
    expect_bad(c, n + 1, "trailing byte");
    memcpy(c, b, n);
    c[8] = 2; /* regressor count */
    expect_bad(c, n, "count");
    free(c);
    heed_intensity_model *m = NULL;
    assert_int_equal(heed__intensity_load(NULL, 5, 0, &m, NULL), HEED_EINVAL);
    release(&f);
}

static void test_shape_checks(void **state)
{
    (void)state;
    fixture f;
    make(&f, heed__features_id(NULL), "arousal", 1.0f); /* first one mislabelled */
    expect_bad(f.bytes.ptr, f.bytes.len, "order");
    release(&f);
    heed_feat_opts cg = {HEED_FEAT_CHARGRAMS};
    make(&f, heed__features_id(&cg), "valence", 1.0f); /* mixed features */
    expect_bad(f.bytes.ptr, f.bytes.len, "features");
    release(&f);
    make(&f, 0x12345678u, "valence", 1.0f); /* not this extractor */
    expect_bad(f.bytes.ptr, f.bytes.len, "feature id");
    release(&f);
    /* saving refuses a missing or non-regression model */
    heed_buf b;
    heed__buf_init(&b, 0);
    const heed_lm *none[HEED_INT_COUNT] = {0};
    assert_int_equal(heed__intensity_save(none, &b), HEED_EINVAL);
    heed__buf_release(&b);
}

/* The engine runs the built-in model on English scored texts only. */
static void test_engine_stage(void **state)
{
    (void)state;
    heed_engine *eng;
    assert_int_equal(heed_engine_new(NULL, &eng, NULL), HEED_OK);
    int built_in = heed__model_intensity().len > 0;
    static const char *const en[] = {"I am so angry, third time writing and still nothing!!!",
                                     "Thank you, that was lovely and helpful."};
    float val[2], aro[2];
    for (int i = 0; i < 2; i++) {
        heed_analysis *an;
        assert_int_equal(heed_analyze(eng, en[i], strlen(en[i]), NULL, &an, NULL), HEED_OK);
        const heed_intensity *in = &heed_analysis_result(an)->intensity;
        assert_int_equal(in->available, built_in);
        if (built_in) {
            assert_true(in->valence >= 1 && in->valence <= 5);
            assert_true(in->arousal >= 1 && in->arousal <= 5);
            assert_true(in->distress >= 1 && in->distress <= 7);
        }
        val[i] = in->valence;
        aro[i] = in->arousal;
        heed_analysis_free(an);
    }
    if (built_in) {
        assert_true(val[0] < val[1]); /* the angry text is less pleasant */
        assert_true(aro[0] > aro[1]); /* and more aroused */
    }
    const char *de = "Meine Bestellung ist immer noch nicht da, ich bin wütend.";
    heed_analysis *an;
    assert_int_equal(heed_analyze(eng, de, strlen(de), NULL, &an, NULL), HEED_OK);
    assert_int_equal(heed_analysis_result(an)->intensity.available, 0);
    heed_analysis_free(an);
    heed_engine_free(eng);
}

/* The dense table (a row of 4 floats per index, the three outputs first):
 * predictions on random sparse vectors (0 to 700 features), by the AVX2 loop
 * and by the portable one, must be, to the bit, the bias plus value *
 * heed__lm_unit_deltas of each regressor, feature by feature. */
static void test_dense_rows(void **state)
{
    (void)state;
    fixture f;
    make(&f, heed__features_id(NULL), "valence", 0.5f);
    heed_intensity_model *m = NULL;
    assert_int_equal(heed__intensity_load(f.bytes.ptr, f.bytes.len, 0, &m, NULL), HEED_OK);
    static float delta[HEED_INT_COUNT][256];
    float bias[HEED_INT_COUNT];
    for (int k = 0; k < HEED_INT_COUNT; k++) {
        assert_int_equal(heed__lm_dim_bits(f.lm[k]), 8);
        assert_int_equal(heed__lm_unit_deltas(f.lm[k], delta[k], 1), HEED_OK);
        heed__lm_predict(f.lm[k], (heed_sparse){NULL, NULL, 0}, &bias[k]);
    }
    uint64_t rs = 0x9E3779B97F4A7C15ull;
    /* every 50th vector a long one: across the AVX2 loop's chunks of 256
     * features and its steps of 8, with smaller values (no clamping); from
     * round 1000 on by the portable loop (CPUs without AVX2) */
    static const size_t longs[] = {255, 256, 257, 263, 520, 700};
    for (int round = 0; round < 2000; round++) {
        if (round == 1000)
            heed__intensity_portable(m);
        static uint32_t idx[700];
        static float val[700];
        const size_t n = round % 50 == 49 ? longs[(round / 50) % 6] : (size_t)(round % 40);
        const float scale = n >= 40 ? 100.0f : 1.0f;
        for (size_t j = 0; j < n; j++) {
            rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
            idx[j] = j % 3 ? (uint32_t)(rs >> 32) : 1u + (uint32_t)(rs & 1); /* 1, 2: trained */
            val[j] = ((float)(rs % 2001) / 1000.0f - 1.0f) / scale;
        }
        float got[HEED_INT_COUNT];
        heed__intensity_predict_x(m, (heed_sparse){idx, val, n}, got);
        for (int k = 0; k < HEED_INT_COUNT; k++) {
            float z = bias[k];
            for (size_t j = 0; j < n; j++)
                z += val[j] * delta[k][idx[j] & 255];
            float lo, hi, v = (k == 2 ? 4.0f : 3.0f) + 0.5f * z;
            heed__intensity_range(k, &lo, &hi);
            const float want = !(v >= lo) ? lo : v > hi ? hi : v;
            assert_memory_equal(&got[k], &want, sizeof want);
        }
    }
    heed__intensity_free(m);
    release(&f);
}

/* n random features into idx/val: indices of every kind (most absent from a
 * model, some repeated), values of both signs. */
static void random_vector(uint64_t *rs, uint32_t *idx, float *val, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        *rs ^= *rs << 13, *rs ^= *rs >> 7, *rs ^= *rs << 17;
        idx[j] = j % 5 == 4 ? idx[(*rs >> 7) % j] : (uint32_t)(*rs >> 32) ^ (uint32_t)j;
        if (j % 7 == 3)
            idx[j] = 1u + (uint32_t)(*rs & 1);
        val[j] = (float)((int)(*rs % 4001) - 2000) / 1000.0f;
    }
}

/* heed__lm_predict_side against heed__lm_predict and
 * heed__intensity_predict_x, bit for bit: the embedded needs and intensity
 * models (the pair the engine reads in one pass), then Q8 models of 1 to 32
 * outputs (1 to 4 blocks of 8; the scale in the padding or not), each on its
 * ranked and its key-indexed table, beside the toy intensity model, on
 * vectors of 0 to 700 features
 * (across the Q8 loop's chunks of 256 and its steps of 8); a model the
 * shared pass does not read (F32) returns 0 and leaves the side alone. */
static void test_side_pass(void **state)
{
    (void)state;
    static const size_t lens[] = {0,   1,   7,   8,   9,   15,  16,  17,  255,
                                  256, 257, 263, 264, 511, 512, 513, 520, 700};
    static uint32_t idx[700];
    static float val[700];
    uint64_t rs = 0x243F6A8885A308D3ull;
    heed_lm *lms[16] = {NULL};
    heed_intensity_model *ims[16] = {NULL};
    size_t nm = 0;
    const heed_blob nb = heed__model_needs(), ib = heed__model_intensity();
    if (nb.len && ib.len) {
        assert_int_equal(heed__lm_load_flags(nb.ptr, nb.len, HEED_LM_EMBEDDED, &lms[nm], NULL),
                         HEED_OK);
        assert_int_equal(heed__intensity_load(ib.ptr, ib.len, HEED_LM_EMBEDDED, &ims[nm], NULL),
                         HEED_OK);
        nm++;
    }
    fixture f;
    make(&f, heed__features_id(NULL), "valence", 0.5f);
    static const uint32_t ks[] = {1, 5, 11, 16, 20, 28, 32};
    for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++) {
        /* about every 9th key of 2^14, random weights */
        enum { ROWS = 1800, KMAX = 32 };
        static uint32_t keys[ROWS];
        static float w[ROWS * KMAX];
        uint32_t key = 0;
        for (size_t r = 0; r < ROWS; r++) {
            rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
            key += 1 + (uint32_t)(rs % 16);
            keys[r] = key;
        }
        for (size_t q = 0; q < ROWS * ks[c]; q++) {
            rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
            w[q] = (float)((int)(rs % 2001) - 1000) / 250.0f;
        }
        float bias[KMAX];
        for (uint32_t j = 0; j < ks[c]; j++)
            bias[j] = (float)j / 8.0f - 1.0f;
        heed_lm_opts o = {.kind = c % 2 ? HEED_LM_MULTILABEL : HEED_LM_REGRESSION,
                          .n_outputs = ks[c],
                          .dim_bits = 14,
                          .encoding = HEED_LM_ENC_Q8};
        assert_int_equal(heed__lm_from_weights(&o, keys, w, ROWS, bias, &lms[nm], NULL), HEED_OK);
        assert_true(heed__lm_ranked(lms[nm])); /* sparse: the ranked table */
        assert_int_equal(heed__intensity_load(f.bytes.ptr, f.bytes.len, 0, &ims[nm], NULL),
                         HEED_OK);
        nm++;
        /* and the same model on its key-indexed table */
        heed_buf b;
        heed__buf_init(&b, 0);
        assert_int_equal(heed__lm_save(lms[nm - 1], &b), HEED_OK);
        assert_int_equal(heed__lm_load_flags(b.ptr, b.len, HEED_LM_KEY_TABLE, &lms[nm], NULL),
                         HEED_OK);
        heed__buf_release(&b);
        assert_false(heed__lm_ranked(lms[nm]));
        assert_int_equal(heed__intensity_load(f.bytes.ptr, f.bytes.len, 0, &ims[nm], NULL),
                         HEED_OK);
        nm++;
    }
    size_t shared = 0;
    for (size_t i = 0; i < nm; i++) {
        const uint32_t K = heed__lm_n_outputs(lms[i]);
        for (int round = 0; round < 400; round++) {
            const size_t n = round < 2 * (int)(sizeof lens / sizeof lens[0])
                                 ? lens[round % (sizeof lens / sizeof lens[0])]
                                 : (size_t)((rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17, rs >> 20) % 701);
            random_vector(&rs, idx, val, n);
            const heed_sparse x = {idx, val, n};
            float want[64], got[64], iw[HEED_INT_COUNT];
            heed__lm_predict(lms[i], x, want);
            heed__intensity_predict_x(ims[i], x, iw);
            heed_lm_side side;
            assert_int_equal(heed__intensity_side(ims[i], &side), 1);
            got[K] = 7.0f; /* nothing is written past the K outputs */
            if (!heed__lm_predict_side(lms[i], x, got, &side))
                continue; /* no AVX2: the engine makes the two passes */
            shared++;
            assert_memory_equal(got, want, K * sizeof want[0]);
            assert_true(got[K] == 7.0f);
            heed_intensity io = {0};
            heed__intensity_fill_side(ims[i], &side, &io);
            assert_int_equal(io.available, 1);
            assert_memory_equal(&io.valence, &iw[HEED_INT_VALENCE], sizeof iw[0]);
            assert_memory_equal(&io.arousal, &iw[HEED_INT_AROUSAL], sizeof iw[0]);
            assert_memory_equal(&io.distress, &iw[HEED_INT_DISTRESS], sizeof iw[0]);
        }
    }
    if (heed__lm_vector(lms[0]))
        assert_true(shared > 0);
    /* F32: not read by the shared pass; the side untouched */
    {
        static const uint32_t keys[] = {1, 2, 9};
        static const float w[] = {1, -1, 0.5f};
        const float bias[] = {0.25f};
        heed_lm_opts o = {.kind = HEED_LM_REGRESSION, .n_outputs = 1, .dim_bits = 10};
        heed_lm *fm = NULL;
        assert_int_equal(heed__lm_from_weights(&o, keys, w, 3, bias, &fm, NULL), HEED_OK);
        heed_lm_side side;
        assert_int_equal(heed__intensity_side(ims[0], &side), 1);
        const heed_lm_side before = side;
        float out[1];
        assert_int_equal(heed__lm_predict_side(fm, (heed_sparse){keys, w, 3}, out, &side), 0);
        assert_memory_equal(&side, &before, sizeof side);
        heed__lm_free(fm);
    }
    for (size_t i = 0; i < nm; i++) {
        heed__lm_free(lms[i]);
        heed__intensity_free(ims[i]);
    }
    release(&f);
}

/* Regressors of different hash spaces: no table of the model's own, the
 * regressors' tables (made after their load without them, which the engine's
 * model skips): each prediction is heed__lm_predict's of each regressor, and
 * the embedded flag changes nothing. */
static void test_regressors_apart(void **state)
{
    (void)state;
    const uint32_t fs = heed__features_id(NULL);
    heed_lm *lm[HEED_INT_COUNT] = {toy_bits("valence", fs, 3.0f, 0.5f, 8),
                                   toy_bits("arousal", fs, 3.0f, 0.5f, 9),
                                   toy_bits("distress", fs, 4.0f, 0.5f, 8)};
    heed_buf b;
    heed__buf_init(&b, 0);
    assert_int_equal(heed__intensity_save((const heed_lm *const *)lm, &b), HEED_OK);
    for (unsigned flags = 0; flags <= HEED_LM_EMBEDDED; flags += HEED_LM_EMBEDDED) {
        heed_intensity_model *m = NULL;
        assert_int_equal(heed__intensity_load(b.ptr, b.len, flags, &m, NULL), HEED_OK);
        uint64_t rs = 0x2545F4914F6CDD1Dull;
        for (int round = 0; round < 500; round++) {
            uint32_t idx[20];
            float val[20];
            const size_t n = (size_t)(round % 20);
            for (size_t j = 0; j < n; j++) {
                rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
                idx[j] = j % 3 ? (uint32_t)(rs >> 32) : 1u + (uint32_t)(rs & 1);
                val[j] = (float)(rs % 2001) / 1000.0f - 1.0f;
            }
            const heed_sparse x = {idx, val, n};
            float got[HEED_INT_COUNT];
            heed__intensity_predict_x(m, x, got);
            for (int k = 0; k < HEED_INT_COUNT; k++) {
                float z;
                heed__lm_predict(lm[k], x, &z);
                float lo, hi, v = (k == 2 ? 4.0f : 3.0f) + 0.5f * z;
                heed__intensity_range(k, &lo, &hi);
                const float want = !(v >= lo) ? lo : v > hi ? hi : v;
                assert_memory_equal(&got[k], &want, sizeof want);
            }
        }
        heed__intensity_free(m);
    }
    heed__buf_release(&b);
    for (int k = 0; k < HEED_INT_COUNT; k++)
        heed__lm_free(lm[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_predict),
        cmocka_unit_test(test_truncations_and_corruptions),
        cmocka_unit_test(test_shape_checks),
        cmocka_unit_test(test_engine_stage),
        cmocka_unit_test(test_dense_rows),
        cmocka_unit_test(test_regressors_apart),
        cmocka_unit_test(test_side_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
