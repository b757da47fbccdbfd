/* test_linmodel.c - the linear model: learning toy data of each kind,
 * determinism, the HEEDLM file format (round trip, every corruption and every
 * truncation rejected), threshold tuning, options and allocation failures. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "buf.h"
#include "linmodel.h"
#include "test_words.h"

/* ---------------------------------------------------------------- toy data */

#define NMAX 400
#define FMAX 12
#define KMAX 40

typedef struct toy {
    heed_sparse X[NMAX];
    uint32_t idx[NMAX][FMAX];
    float val[NMAX][FMAX];
    float Y[NMAX * KMAX];
    size_t n;
    uint32_t k;
} toy;

static uint64_t rs = 1;
static uint32_t rnd(void)
{
    rs = rs * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rs >> 33);
}

/* Feature hashes: signal feature s is 1000003 * (s + 1); noise is random. */
static uint32_t sig(uint32_t s)
{
    return 1000003u * (s + 1);
}

static void add(toy *t, size_t i, uint32_t h, float v)
{
    heed_sparse *x = &t->X[i];
    t->idx[i][x->n] = h;
    t->val[i][x->n] = v;
    x->n++;
}

static void init_rows(toy *t, size_t n, uint32_t k)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    t->k = k;
    for (size_t i = 0; i < n; i++) {
        t->X[i].idx = t->idx[i];
        t->X[i].val = t->val[i];
    }
}

/* Multi-label: label j is on iff signal feature j is present; 4 noise features. */
static void make_multilabel(toy *t, size_t n, uint64_t seed)
{
    rs = seed;
    init_rows(t, n, 3);
    for (size_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < 3; j++)
            if (rnd() % 3 == 0) {
                add(t, i, sig(j), 1.0f);
                t->Y[i * 3 + j] = 1;
            }
        for (int q = 0; q < 4; q++)
            add(t, i, 7u + rnd() % 50u, 1.0f);
    }
}

/* Multi-class: 4 classes, class c has signal feature c; noise too. */
static void make_multiclass(toy *t, size_t n, uint64_t seed)
{
    rs = seed;
    init_rows(t, n, 4);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = rnd() % 4;
        add(t, i, sig(c), 1.0f);
        t->Y[i * 4 + c] = 1;
        for (int q = 0; q < 3; q++)
            add(t, i, 7u + rnd() % 50u, 1.0f);
    }
}

/* Regression: y = 2 a - b + 0.5 with a, b in [0, 1). */
static void make_regression(toy *t, size_t n, uint64_t seed)
{
    rs = seed;
    init_rows(t, n, 1);
    for (size_t i = 0; i < n; i++) {
        float a = (float)(rnd() % 1000) / 1000.0f, b = (float)(rnd() % 1000) / 1000.0f;
        add(t, i, sig(0), a);
        add(t, i, sig(1), b);
        t->Y[i] = 2 * a - b + 0.5f;
    }
}

static heed_lm *train(const toy *t, int kind, uint64_t seed, int enc)
{
    heed_lm_opts o = {0};
    o.kind = kind;
    o.n_outputs = t->k;
    o.dim_bits = 16;
    o.seed = seed;
    o.encoding = enc;
    o.epochs = 15;
    heed_lm *m = NULL;
    heed_error err = {0};
    assert_int_equal(heed__lm_train(&o, t->X, t->Y, t->n, &m, &err), HEED_OK);
    assert_non_null(m);
    return m;
}

static char *save(const heed_lm *m, size_t *len)
{
    heed_buf b;
    heed__buf_init(&b, 0);
    assert_int_equal(heed__lm_save(m, &b), HEED_OK);
    return heed__buf_take(&b, len);
}

/* ---------------------------------------------------------------- learning */

static void test_learns_multilabel(void **state)
{
    (void)state;
    static toy t;
    make_multilabel(&t, 300, 11);
    for (int enc = 0; enc <= 1; enc++) {
        heed_lm *m = train(&t, HEED_LM_MULTILABEL, 5, enc);
        assert_int_equal(heed__lm_kind(m), HEED_LM_MULTILABEL);
        assert_int_equal(heed__lm_n_outputs(m), 3);
        size_t wrong = 0;
        for (size_t i = 0; i < t.n; i++) {
            float p[3];
            heed__lm_predict(m, t.X[i], p);
            for (int j = 0; j < 3; j++) {
                assert_true(p[j] >= 0 && p[j] <= 1);
                wrong += (p[j] >= 0.5f) != (t.Y[i * 3 + j] > 0);
            }
        }
        assert_int_equal(wrong, 0);
        heed__lm_free(m);
    }
}

static void test_learns_multiclass(void **state)
{
    (void)state;
    static toy t;
    make_multiclass(&t, 300, 12);
    heed_lm *m = train(&t, HEED_LM_MULTICLASS, 1, HEED_LM_ENC_F32);
    for (size_t i = 0; i < t.n; i++) {
        float p[4], s = 0;
        heed__lm_predict(m, t.X[i], p);
        int best = 0;
        for (int c = 0; c < 4; c++) {
            s += p[c];
            if (p[c] > p[best])
                best = c;
        }
        assert_float_equal(s, 1.0f, 1e-4);
        assert_true(t.Y[i * 4 + best] > 0);
    }
    heed__lm_free(m);
}

static void test_learns_regression(void **state)
{
    (void)state;
    static toy t;
    make_regression(&t, 300, 13);
    heed_lm_opts o = {
        .kind = HEED_LM_REGRESSION, .n_outputs = 1, .dim_bits = 12, .epochs = 60, .lr = 0.5f};
    heed_lm *m = NULL;
    assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &m, NULL), HEED_OK);
    double se = 0;
    for (size_t i = 0; i < t.n; i++) {
        float p;
        heed__lm_predict(m, t.X[i], &p);
        se += (p - t.Y[i]) * (p - t.Y[i]);
    }
    assert_true(sqrt(se / (double)t.n) < 0.05);
    heed__lm_free(m);
}

static void test_unknown_features_add_nothing(void **state)
{
    (void)state;
    static toy t;
    make_multilabel(&t, 200, 3);
    heed_lm *m = train(&t, HEED_LM_MULTILABEL, 1, HEED_LM_ENC_F32);
    float a[3], b[3];
    heed_sparse empty = {0};
    heed__lm_predict(m, empty, a);
    uint32_t idx = 0xdeadbeefu;
    float val = 5;
    heed_sparse unk = {&idx, &val, 1};
    heed__lm_predict(m, unk, b);
    assert_memory_equal(a, b, sizeof a);
    heed__lm_free(m);
}

/* m saved and loaded again with flags (HEED_LM_KEY_TABLE: on the
 * key-indexed table though it is sparse). */
static heed_lm *reload(const heed_lm *m, unsigned flags)
{
    heed_buf b;
    heed__buf_init(&b, 0);
    assert_int_equal(heed__lm_save(m, &b), HEED_OK);
    heed_lm *r = NULL;
    assert_int_equal(heed__lm_load_flags(b.ptr, b.len, flags, &r, NULL), HEED_OK);
    heed__buf_release(&b);
    return r;
}

/* Prediction has three tables: a key-indexed one when it fits in memory
 * (small dim_bits), a ranked one when the model is sparse (rows for under a
 * quarter of the space) and the hash table otherwise (2^24 buckets x 3
 * outputs here). The toy model at 2^16 is sparse: ranked, and key-indexed
 * when loaded with HEED_LM_KEY_TABLE. Without collisions the models learn
 * the same weights: the outputs must be identical. */
static void test_dense_and_hashed_paths_agree(void **state)
{
    (void)state;
    static toy t;
    make_multilabel(&t, 200, 17);
    for (int enc = 0; enc <= 1; enc++) {
        heed_lm_opts o = {.kind = HEED_LM_MULTILABEL, .n_outputs = 3, .encoding = enc};
        heed_lm *small = NULL, *big = NULL;
        o.dim_bits = 16;
        assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &small, NULL), HEED_OK);
        o.dim_bits = 24;
        assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &big, NULL), HEED_OK);
        assert_int_equal(heed__lm_n_rows(small), heed__lm_n_rows(big));
        heed_lm *keyed = reload(small, HEED_LM_KEY_TABLE);
        assert_true(heed__lm_ranked(small));
        assert_false(heed__lm_ranked(keyed));
        for (size_t i = 0; i < t.n; i++) {
            float a[3], b[3], c[3];
            heed__lm_predict(small, t.X[i], a);
            heed__lm_predict(big, t.X[i], b);
            heed__lm_predict(keyed, t.X[i], c);
            assert_memory_equal(a, b, sizeof a);
            assert_memory_equal(a, c, sizeof a);
        }
        heed__lm_free(small);
        heed__lm_free(big);
        heed__lm_free(keyed);
    }
}

/* Multi-label over k labels with feature values other than 1: label j is
 * on iff signal feature j is present (value in (0.5, 1.5)); 3 noise features. */
static void make_wide(toy *t, size_t n, uint64_t seed, uint32_t k)
{
    rs = seed;
    init_rows(t, n, k);
    for (size_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < k && t->X[i].n < FMAX - 3; j++)
            if (rnd() % 4 == 0) {
                add(t, i, sig(j), 0.5f + (float)(rnd() % 1000) / 1000.0f);
                t->Y[i * k + j] = 1;
            }
        for (int q = 0; q < 3; q++)
            add(t, i, 7u + rnd() % 50u, (float)(rnd() % 1000) / 500.0f);
    }
}

/* The same with other numbers of outputs, within one block of the Q8
 * prediction loop (8 outputs) and past it: the ranked and the key-indexed
 * tables, whose loop may run 8 outputs a step on CPUs that can (with the
 * sums held in registers up to 32 outputs), must give the same bits as the
 * hash-table path, output by output. */
static void test_q8_wide_paths_agree(void **state)
{
    (void)state;
    static toy t;
    static const uint32_t ks[] = {2, 8, 11, 16, 20, 24, 28, 32, 33, KMAX};
    for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++) {
        const uint32_t k = ks[c];
        make_wide(&t, NMAX, 23 + c, k);
        heed_lm_opts o = {.kind = HEED_LM_MULTILABEL, .n_outputs = k, .encoding = HEED_LM_ENC_Q8};
        heed_lm *small = NULL, *big = NULL;
        o.dim_bits = 16;
        assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &small, NULL), HEED_OK);
        o.dim_bits = 24;
        assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &big, NULL), HEED_OK);
        assert_true(heed__lm_ranked(small));
        heed_lm *keyed = reload(small, HEED_LM_KEY_TABLE);
        for (size_t i = 0; i < t.n; i++) {
            float a[KMAX], b[KMAX];
            heed__lm_predict(small, t.X[i], a);
            heed__lm_predict(big, t.X[i], b);
            assert_memory_equal(a, b, k * sizeof a[0]);
            heed__lm_predict(keyed, t.X[i], b);
            assert_memory_equal(a, b, k * sizeof a[0]);
        }
        /* the rows: weights padded to 8 with the scale in the padding when
         * it has 4 bytes (28 outputs: 32 bytes), from a cache line */
        uintptr_t base = 1;
        const size_t kp = (k + 7) & ~7u;
        assert_int_equal(heed__lm_dense_row_bytes(small, &base),
                         kp - k >= 4 ? kp : (4 + kp + 7) & ~(size_t)7);
        assert_int_equal(base % 64, 0);
        assert_int_equal(heed__lm_dense_row_bytes(big, NULL), 0);
        assert_int_equal(heed__lm_dense_row_bytes(keyed, &base),
                         kp - k >= 4 ? kp : (4 + kp + 7) & ~(size_t)7);
        assert_int_equal(base % 64, 0);
        heed__lm_free(small);
        heed__lm_free(big);
        heed__lm_free(keyed);
    }
}

/* Long vectors on the ranked and key-indexed Q8 tables (the latter read by
 * the AVX2 loop and by the portable one) against the hash-table path, bit
 * for bit: models of given weights (every row layout: the scale in the
 * padding or before the weights; 1 to 4 blocks of 8 outputs, whose sums
 * the AVX2 loop keeps in registers from the biases on, and more) over
 * vectors of 0 to 700 features, across the loop's chunks of 256 features
 * and its steps of 8, with repeated indices and indices of no row. */
static void test_q8_long_vectors_agree(void **state)
{
    (void)state;
    static const uint32_t ks[] = {1, 3, 4, 5, 8, 11, 12, 16, 20, 25, 28, 29, 32, 33, 40};
    static const size_t lens[] = {0, 1, 7, 8, 9, 15, 255, 256, 257, 263, 512, 700};
    enum { ROWS = 3000, LMAX = 700 };
    static uint32_t keys[ROWS], idx[LMAX];
    static float w[ROWS * KMAX], val[LMAX];
    uint64_t seed = 4242;
    for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++) {
        const uint32_t k = ks[c];
        /* distinct increasing keys below 2^16, about every 20th */
        uint32_t key = 0;
        for (size_t r = 0; r < ROWS; r++) {
            key += 1 + (uint32_t)(test_rand(&seed) % 38);
            keys[r] = key;
        }
        assert_true(keys[ROWS - 1] < (1u << 16));
        for (size_t q = 0; q < ROWS * k; q++)
            w[q] = (float)((int)(test_rand(&seed) % 2001) - 1000) / 250.0f;
        float bias[KMAX];
        for (uint32_t j = 0; j < k; j++)
            bias[j] = (float)((int)(test_rand(&seed) % 2001) - 1000) / 500.0f;
        heed_lm_opts o = {.kind = HEED_LM_REGRESSION, .n_outputs = k, .encoding = HEED_LM_ENC_Q8};
        heed_lm *small = NULL, *big = NULL;
        o.dim_bits = 16;
        assert_int_equal(heed__lm_from_weights(&o, keys, w, ROWS, bias, &small, NULL), HEED_OK);
        o.dim_bits = 24;
        assert_int_equal(heed__lm_from_weights(&o, keys, w, ROWS, bias, &big, NULL), HEED_OK);
        assert_true(heed__lm_dense_row_bytes(small, NULL) > 0);
        assert_int_equal(heed__lm_dense_row_bytes(big, NULL), 0);
        /* small's rows on the key-indexed table, read by the AVX2 loop and
         * by the portable one */
        heed_lm *keyed = reload(small, HEED_LM_KEY_TABLE);
        heed_lm *plain = reload(small, HEED_LM_KEY_TABLE);
        heed__lm_portable(plain);
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
            for (int rep = 0; rep < 4; rep++) {
                const size_t n = lens[l];
                for (size_t j = 0; j < n; j++) {
                    /* a known row, the index before, or one repeated */
                    const uint64_t r = test_rand(&seed);
                    idx[j] = r % 4 == 0 && j ? idx[r % j]
                           : r % 4 == 1      ? keys[r % ROWS] - 1
                                             : keys[(r >> 8) % ROWS];
                    val[j] = (float)((int)(test_rand(&seed) % 4001) - 2000) / 1000.0f;
                }
                const heed_sparse x = {idx, val, n};
                float a[KMAX + 1], b[KMAX + 1];
                a[k] = b[k] = 7.0f; /* nothing is written past the k outputs */
                heed__lm_predict(small, x, a);
                heed__lm_predict(big, x, b);
                assert_memory_equal(a, b, k * sizeof a[0]);
                assert_true(a[k] == 7.0f && b[k] == 7.0f);
                heed__lm_predict(keyed, x, b);
                assert_memory_equal(a, b, k * sizeof a[0]);
                heed__lm_predict(plain, x, b);
                assert_memory_equal(a, b, k * sizeof a[0]);
                assert_true(b[k] == 7.0f);
            }
        heed__lm_free(small);
        heed__lm_free(big);
        heed__lm_free(keyed);
        heed__lm_free(plain);
    }
}

/* heed__lm_predict_each against heed__lm_predict, bit for bit: models read
 * in one pass (Q8, up to 4 outputs, one hash space: 2, 3 and 4 of them, of
 * both kinds) and sets it hands on one by one (another hash space, F32, 5
 * outputs, one model, 5 models), on the toy rows and random vectors. */
static void test_predict_each(void **state)
{
    (void)state;
    static toy t;
    struct {
        uint32_t k, bits;
        int enc, kind;
    } spec[] = {
        {3, 16, HEED_LM_ENC_Q8, HEED_LM_MULTICLASS}, {3, 16, HEED_LM_ENC_Q8, HEED_LM_MULTILABEL},
        {2, 16, HEED_LM_ENC_Q8, HEED_LM_MULTICLASS}, {4, 16, HEED_LM_ENC_Q8, HEED_LM_MULTILABEL},
        {3, 17, HEED_LM_ENC_Q8, HEED_LM_MULTICLASS}, {3, 16, HEED_LM_ENC_F32, HEED_LM_MULTICLASS},
        {5, 16, HEED_LM_ENC_Q8, HEED_LM_MULTILABEL}, {1, 16, HEED_LM_ENC_Q8, HEED_LM_REGRESSION},
    };
    enum { NM = sizeof spec / sizeof spec[0] };
    heed_lm *lm[NM];
    for (size_t i = 0; i < NM; i++) {
        make_wide(&t, NMAX, 41 + i, spec[i].k);
        if (spec[i].kind ==
            HEED_LM_MULTICLASS) /* one class a row: the first label's, else the last */
            for (size_t r = 0; r < t.n; r++) {
                int any = 0;
                for (uint32_t j = 0; j < spec[i].k; j++) {
                    if (any)
                        t.Y[r * spec[i].k + j] = 0;
                    any |= t.Y[r * spec[i].k + j] > 0;
                }
                if (!any)
                    t.Y[r * spec[i].k + spec[i].k - 1] = 1;
            }
        heed_lm_opts o = {.kind = spec[i].kind,
                          .n_outputs = spec[i].k,
                          .dim_bits = spec[i].bits,
                          .encoding = spec[i].enc,
                          .epochs = 5};
        lm[i] = NULL;
        assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &lm[i], NULL), HEED_OK);
    }
    /* sets of models: indices into lm, -1 ends */
    static const int sets[][6] = {
        {0, 1, -1},    {0, 1, 2, -1}, {0, 2, 3, 1, -1}, {2, 0, 3, -1},       {0, 4, 1, -1},
        {0, 5, 1, -1}, {0, 6, -1},    {3, -1},          {0, 1, 2, 3, 0, -1}, {7, 0, 1, -1}};
    uint64_t seed = 77;
    for (size_t c = 0; c < sizeof sets / sizeof sets[0]; c++) {
        const heed_lm *ms[6];
        float got[6][8], want[8], *po[6];
        size_t n = 0;
        for (; sets[c][n] >= 0; n++) {
            ms[n] = lm[sets[c][n]];
            po[n] = got[n];
        }
        for (size_t r = 0; r < t.n + 300; r++) {
            uint32_t idx[30];
            float val[30];
            heed_sparse x = t.X[r % t.n];
            if (r >= t.n) { /* random indices (most rows absent) and values */
                x = (heed_sparse){idx, val, (size_t)(r % 30)};
                for (size_t j = 0; j < x.n; j++) {
                    idx[j] = j % 2 ? (uint32_t)test_rand(&seed) : sig((uint32_t)(j % 5));
                    val[j] = (float)(test_rand(&seed) % 4001) / 1000.0f - 2.0f;
                }
            }
            heed__lm_predict_each(ms, n, x, po);
            for (size_t i = 0; i < n; i++) {
                heed__lm_predict(ms[i], x, want);
                assert_memory_equal(got[i], want, heed__lm_n_outputs(ms[i]) * sizeof want[0]);
            }
        }
    }
    for (size_t i = 0; i < NM; i++)
        heed__lm_free(lm[i]);
}

/* heed__lm_unit_deltas folds a one-output model into a table without a
 * prediction per index: each entry must be the bits of predict({i: 1}) -
 * predict({}), for both encodings, in a 12-bit space (every index) and a
 * 22-bit one (the known rows and random indices). */
static void test_unit_deltas(void **state)
{
    (void)state;
    static toy t;
    make_regression(&t, 300, 29);
    for (int k = 0; k < 300; k++) /* more rows than the two signal features */
        add(&t, (size_t)k, 7u + rnd() % 3000u, (float)(rnd() % 1000) / 1000.0f);
    for (int enc = 0; enc <= 1; enc++)
        for (uint32_t bits = 12; bits <= 22; bits += 10) {
            heed_lm_opts o = {.kind = HEED_LM_REGRESSION, .n_outputs = 1, .dim_bits = bits,
                              .epochs = 5, .encoding = enc};
            heed_lm *m = NULL;
            assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &m, NULL), HEED_OK);
            assert_true(heed__lm_n_rows(m) > 100);
            const size_t n = (size_t)1 << bits;
            float *d = malloc(2 * n * sizeof *d);
            assert_non_null(d);
            assert_int_equal(heed__lm_unit_deltas(m, d + 1, 2), HEED_OK);
            float b;
            heed__lm_predict(m, (heed_sparse){NULL, NULL, 0}, &b);
            size_t nonzero = 0;
            for (size_t q = 0; q < (bits == 12 ? n : 20000); q++) {
                uint32_t i = bits == 12 ? (uint32_t)q
                             : q < t.n   ? t.idx[q][q % t.X[q].n] & (uint32_t)(n - 1)
                                         : rnd() & (uint32_t)(n - 1);
                const float one = 1.0f;
                float z;
                heed__lm_predict(m, (heed_sparse){&i, &one, 1}, &z);
                const float want = z - b;
                assert_memory_equal(&d[2 * (size_t)i + 1], &want, sizeof want);
                nonzero += want != 0;
            }
            assert_true(nonzero > 100);
            free(d);
            heed__lm_free(m);
        }
    /* more than one output: refused */
    make_multilabel(&t, 50, 3);
    heed_lm *ml = train(&t, HEED_LM_MULTILABEL, 1, HEED_LM_ENC_F32);
    static float d[1u << 16];
    assert_int_equal(heed__lm_unit_deltas(ml, d, 1), HEED_EINVAL);
    heed__lm_free(ml);
}

/* ---------------------------------------------------------------- determinism */

static void test_deterministic(void **state)
{
    (void)state;
    static toy t;
    make_multilabel(&t, 300, 21);
    for (int enc = 0; enc <= 1; enc++) {
        heed_lm *a = train(&t, HEED_LM_MULTILABEL, 42, enc);
        heed_lm *b = train(&t, HEED_LM_MULTILABEL, 42, enc);
        heed_lm *c = train(&t, HEED_LM_MULTILABEL, 43, enc);
        size_t la, lb, lc;
        char *sa = save(a, &la), *sb = save(b, &lb), *sc = save(c, &lc);
        assert_int_equal(la, lb);
        assert_memory_equal(sa, sb, la);
        /* Another seed shuffles differently: other averaged weights. */
        assert_true(la != lc || memcmp(sa, sc, la) != 0);
        free(sa);
        free(sb);
        free(sc);
        heed__lm_free(a);
        heed__lm_free(b);
        heed__lm_free(c);
    }
}

/* ---------------------------------------------------------------- file format */

static void test_round_trip(void **state)
{
    (void)state;
    static toy t;
    make_multilabel(&t, 200, 31);
    const char *names[] = {"alpha", "beta", "gamma"};
    for (int enc = 0; enc <= 1; enc++) {
        heed_lm_opts o = {.kind = HEED_LM_MULTILABEL,
                          .n_outputs = 3,
                          .dim_bits = 10,
                          .encoding = enc,
                          .labels = names,
                          .feature_set = 0x1234abcd};
        heed_lm *m = NULL;
        assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &m, NULL), HEED_OK);
        const float thr[3] = {0.25f, 0.5f, 0.75f}, aux[2] = {1.5f, -2.0f};
        heed__lm_set_thresholds(m, thr);
        assert_int_equal(heed__lm_set_aux(m, aux, 2), HEED_OK);
        size_t len;
        char *bytes = save(m, &len);
        heed_lm *l = NULL;
        heed_error err = {0};
        assert_int_equal(heed__lm_load(bytes, len, &l, &err), HEED_OK);
        assert_int_equal(heed__lm_kind(l), HEED_LM_MULTILABEL);
        assert_int_equal(heed__lm_n_outputs(l), 3);
        assert_int_equal(heed__lm_dim_bits(l), 10);
        assert_int_equal(heed__lm_feature_set(l), 0x1234abcd);
        assert_int_equal(heed__lm_n_rows(l), heed__lm_n_rows(m));
        assert_string_equal(heed__lm_label(l, 1), "beta");
        assert_null(heed__lm_label(l, 3));
        assert_memory_equal(heed__lm_thresholds(l), thr, sizeof thr);
        size_t na;
        const float *la = heed__lm_aux(l, &na);
        assert_int_equal(na, 2);
        assert_memory_equal(la, aux, sizeof aux);
        for (size_t i = 0; i < t.n; i++) {
            float p[3], q[3];
            heed__lm_predict(m, t.X[i], p);
            heed__lm_predict(l, t.X[i], q);
            assert_memory_equal(p, q, sizeof p);
        }
        size_t len2;
        char *again = save(l, &len2);
        assert_int_equal(len, len2);
        assert_memory_equal(bytes, again, len);
        free(again);
        free(bytes);
        heed__lm_free(m);
        heed__lm_free(l);
    }
}

static void test_q8_close_to_f32(void **state)
{
    (void)state;
    static toy t;
    make_multilabel(&t, 300, 41);
    heed_lm *f = train(&t, HEED_LM_MULTILABEL, 9, HEED_LM_ENC_F32);
    heed_lm *q = train(&t, HEED_LM_MULTILABEL, 9, HEED_LM_ENC_Q8);
    size_t lf, lq;
    char *bf = save(f, &lf), *bq = save(q, &lq);
    assert_true(lq < lf);
    float worst = 0;
    for (size_t i = 0; i < t.n; i++) {
        float a[3], b[3];
        heed__lm_predict(f, t.X[i], a);
        heed__lm_predict(q, t.X[i], b);
        for (int j = 0; j < 3; j++)
            worst = fmaxf(worst, fabsf(a[j] - b[j]));
    }
    assert_true(worst < 0.05f);
    free(bf);
    free(bq);
    heed__lm_free(f);
    heed__lm_free(q);
}

static void test_prune(void **state)
{
    (void)state;
    static toy t;
    make_multilabel(&t, 300, 51);
    heed_lm_opts o = {.kind = HEED_LM_MULTILABEL, .n_outputs = 3, .dim_bits = 16};
    heed_lm *full = NULL, *pruned = NULL;
    assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &full, NULL), HEED_OK);
    o.prune = 1.0f;
    assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &pruned, NULL), HEED_OK);
    /* The 3 signal rows carry big weights; most of the 50 noise rows do not. */
    assert_true(heed__lm_n_rows(full) >= 50);
    assert_true(heed__lm_n_rows(pruned) >= 3);
    assert_true(heed__lm_n_rows(pruned) < heed__lm_n_rows(full) / 2);
    size_t wrong = 0;
    for (size_t i = 0; i < t.n; i++) {
        float p[3];
        heed__lm_predict(pruned, t.X[i], p);
        for (int j = 0; j < 3; j++)
            wrong += (p[j] >= 0.5f) != (t.Y[i * 3 + j] > 0);
    }
    assert_true(wrong < t.n * 3 / 50);
    heed__lm_free(full);
    heed__lm_free(pruned);
}

/* A small model file to corrupt. */
static char *small_model(size_t *len, int enc)
{
    static toy t;
    make_multilabel(&t, 60, 61);
    heed_lm *m = train(&t, HEED_LM_MULTILABEL, 1, enc);
    const float aux[1] = {3.0f};
    assert_int_equal(heed__lm_set_aux(m, aux, 1), HEED_OK);
    char *b = save(m, len);
    heed__lm_free(m);
    return b;
}

static void expect_bad(const void *bytes, size_t len, const char *needle)
{
    heed_lm *m = (heed_lm *)1;
    heed_error err = {0};
    assert_int_equal(heed__lm_load(bytes, len, &m, &err), HEED_EMODEL);
    assert_null(m);
    assert_int_equal(err.code, HEED_EMODEL);
    assert_true(err.msg[0] != '\0');
    assert_true(err.pos <= len);
    if (needle && !strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void test_every_truncation_rejected(void **state)
{
    (void)state;
    for (int enc = 0; enc <= 1; enc++) {
        size_t len;
        char *b = small_model(&len, enc);
        for (size_t l = 0; l < len; l++) {
            /* A fresh heap copy of exactly l bytes: ASan sees any over-read. */
            char *c = malloc(l ? l : 1);
            memcpy(c, b, l);
            expect_bad(c, l, NULL);
            free(c);
        }
        free(b);
    }
}

static void test_every_bit_flip_rejected(void **state)
{
    (void)state;
    for (int enc = 0; enc <= 1; enc++) {
        size_t len;
        char *b = small_model(&len, enc);
        for (size_t i = 0; i < len; i++)
            for (int bit = 0; bit < 8; bit += 3) {
                b[i] ^= (char)(1 << bit);
                expect_bad(b, len, NULL);
                b[i] ^= (char)(1 << bit);
            }
        free(b);
    }
}

/* Recomputes the trailing checksum (FNV-1a 64, documented in lm_file.c) so
 * that a field check, not the checksum, must catch the corruption. */
static void reseal(unsigned char *b, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len - 8; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    for (int i = 0; i < 8; i++)
        b[len - 8 + (size_t)i] = (unsigned char)(h >> (8 * i));
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void test_field_checks(void **state)
{
    (void)state;
    size_t len;
    unsigned char *orig = (unsigned char *)small_model(&len, HEED_LM_ENC_F32);
    unsigned char *b = malloc(len + 1);
    /* Sealed copy loads. */
    memcpy(b, orig, len);
    reseal(b, len);
    heed_lm *m = NULL;
    assert_int_equal(heed__lm_load(b, len, &m, NULL), HEED_OK);
    heed__lm_free(m);

    struct {
        size_t off;
        uint32_t v;
        int width;
        const char *needle;
    } cases[] = {
        {0, 'X', 1, "magic"},     {6, 2, 2, "version"},       {8, 9, 1, "kind"},
        {9, 7, 1, "encoding"},    {10, 1, 1, "reserved"},     {12, 0, 4, "outputs"},
        {12, 5000, 4, "outputs"}, {16, 30, 4, "dim_bits"},    {16, 2, 4, "dim_bits"},
        {24, 70000, 4, "rows"},   {24, 3000, 4, "shorter"},   {28, 100000, 4, "aux"},
        {28, 50, 4, "shorter"},   {32, 0, 1, "label length"}, {32, 200, 1, "label length"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(b, orig, len);
        if (cases[c].width == 1)
            b[cases[c].off] = (unsigned char)cases[c].v;
        else if (cases[c].width == 2) {
            b[cases[c].off] = (unsigned char)cases[c].v;
            b[cases[c].off + 1] = (unsigned char)(cases[c].v >> 8);
        } else
            put32(b + cases[c].off, cases[c].v);
        reseal(b, len);
        expect_bad(b, len, cases[c].needle);
    }

    /* The first label ("0") is 1 byte at 33; then labels "1", "2": 2 bytes each.
     * Biases start at 32 + 2 * 3. */
    const size_t bias = 32 + 2 * 3;
    memcpy(b, orig, len);
    b[33] = '\0';
    reseal(b, len);
    expect_bad(b, len, "NUL");

    memcpy(b, orig, len);
    put32(b + bias, 0x7fc00000u); /* NaN */
    reseal(b, len);
    expect_bad(b, len, "non-finite");

    memcpy(b, orig, len);
    put32(b + bias + 12, 0x7f800000u); /* +inf threshold */
    reseal(b, len);
    expect_bad(b, len, "non-finite");

    /* Keys: after biases, thresholds (3 each) and one aux float. */
    const size_t keys = bias + 4 * 3 + 4 * 3 + 4;
    memcpy(b, orig, len);
    memcpy(b + keys + 4, b + keys, 4); /* key 1 == key 0 */
    reseal(b, len);
    expect_bad(b, len, "increasing");

    memcpy(b, orig, len);
    put32(b + keys, 0xffffffffu); /* outside 2^16 */
    reseal(b, len);
    expect_bad(b, len, "hash space");

    /* Checksum alone. */
    memcpy(b, orig, len);
    b[len - 1] ^= 1;
    expect_bad(b, len, "checksum");

    /* A byte too many. */
    memcpy(b, orig, len);
    b[len] = 0;
    expect_bad(b, len + 1, NULL);

    free(b);
    free(orig);
}

static void test_q8_field_checks(void **state)
{
    (void)state;
    size_t len;
    unsigned char *b = (unsigned char *)small_model(&len, HEED_LM_ENC_Q8);
    /* The last weight byte sits right before the checksum. */
    b[len - 9] = 0x80; /* -128 */
    reseal(b, len);
    expect_bad(b, len, "-128");
    /* -128 at every weight in turn (the check reads eight bytes a step, then
     * the rest): found, at its own offset */
    b[len - 9] = 0;
    reseal(b, len);
    heed_lm *m = NULL;
    assert_int_equal(heed__lm_load(b, len, &m, NULL), HEED_OK);
    const size_t nq = heed__lm_n_rows(m) * heed__lm_n_outputs(m);
    heed__lm_free(m);
    assert_true(nq > 20 && nq % 8 != 0);
    for (size_t q = 0; q < nq; q++) {
        const size_t at = len - 8 - nq + q;
        const unsigned char keep = b[at];
        b[at] = 0x80;
        reseal(b, len);
        heed_error err = {0};
        m = NULL;
        assert_int_equal(heed__lm_load(b, len, &m, &err), HEED_EMODEL);
        assert_int_equal(err.pos, at);
        assert_non_null(strstr(err.msg, "-128"));
        b[at] = keep;
    }
    free(b);
}

/* Expects the load of b (resealed) to fail at byte `at` with a message
 * holding needle. */
static void expect_bad_at(unsigned char *b, size_t len, size_t at, const char *needle)
{
    reseal(b, len);
    heed_lm *m = (heed_lm *)1;
    heed_error err = {0};
    assert_int_equal(heed__lm_load(b, len, &m, &err), HEED_EMODEL);
    assert_null(m);
    if (err.pos != at || !strstr(err.msg, needle))
        fail_msg("byte %zu '%s': expected byte %zu '%s'", err.pos, err.msg, at, needle);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The loader checks the keys, floats and row scales in passes that only say
 * whether one is wrong, then finds it: each wrong entry in turn is reported
 * at its own offset, with its own message. */
static void test_checks_at_every_entry(void **state)
{
    (void)state;
    for (int enc = 0; enc <= 1; enc++) {
        size_t len;
        unsigned char *orig = (unsigned char *)small_model(&len, enc);
        unsigned char *b = malloc(len);
        const size_t K = 3, R = get32(orig + 24), n_aux = get32(orig + 28);
        assert_int_equal(get32(orig + 12), K);
        assert_true(R > 20 && n_aux == 1);
        const size_t bias = 32 + 2 * 3, keys = bias + 4 * (2 * K + n_aux);
        const size_t floats_after_keys = enc == HEED_LM_ENC_F32 ? R * K : R;
        /* keys: out of the hash space, and equal to the one before */
        for (size_t i = 0; i < R; i++) {
            memcpy(b, orig, len);
            put32(b + keys + 4 * i, 0xffffffffu);
            expect_bad_at(b, len, keys + 4 * i, "hash space");
            if (i == 0)
                continue;
            memcpy(b, orig, len);
            memcpy(b + keys + 4 * i, b + keys + 4 * (i - 1), 4);
            expect_bad_at(b, len, keys + 4 * i, "increasing");
        }
        /* every float: biases, thresholds, aux, then the weights or scales */
        for (size_t i = 0; i < 2 * K + n_aux + floats_after_keys; i++) {
            const size_t at =
                i < 2 * K + n_aux ? bias + 4 * i : keys + 4 * R + 4 * (i - 2 * K - n_aux);
            memcpy(b, orig, len);
            put32(b + at, i % 2 ? 0x7fc00000u : 0xff800000u); /* NaN, -inf */
            expect_bad_at(b, len, at, "non-finite");
        }
        /* Q8: a negative row scale */
        for (size_t i = 0; enc == HEED_LM_ENC_Q8 && i < R; i++) {
            memcpy(b, orig, len);
            put32(b + keys + 4 * R + 4 * i, 0xbf800000u); /* -1 */
            expect_bad_at(b, len, keys + 4 * R + 4 * i, "negative row scale");
        }
        free(b);
        free(orig);
    }
}

static void test_load_null(void **state)
{
    (void)state;
    heed_lm *m = NULL;
    assert_int_equal(heed__lm_load(NULL, 0, &m, NULL), HEED_EINVAL);
    assert_int_equal(heed__lm_load("x", 1, NULL, NULL), HEED_EINVAL);
}

/* ---------------------------------------------------------------- thresholds */

static double f1_at(const heed_lm *m, const toy *t, uint32_t j, float thr)
{
    size_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < t->n; i++) {
        float p[8];
        heed__lm_predict(m, t->X[i], p);
        int pred = p[j] >= thr, gold = t->Y[i * t->k + j] > 0;
        tp += pred && gold;
        fp += pred && !gold;
        fn += !pred && gold;
    }
    return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

static void test_tune_thresholds(void **state)
{
    (void)state;
    /* Noisy data: labels follow their signal feature only 80% of the time. */
    static toy t, dev;
    make_multilabel(&t, 300, 71);
    make_multilabel(&dev, 300, 72);
    rs = 5;
    for (size_t i = 0; i < dev.n * 3; i++)
        if (rnd() % 5 == 0)
            dev.Y[i] = 1 - dev.Y[i];
    /* Label 2 has no positive in dev: keeps 0.5. */
    for (size_t i = 0; i < dev.n; i++)
        dev.Y[i * 3 + 2] = 0;
    heed_lm *m = train(&t, HEED_LM_MULTILABEL, 1, HEED_LM_ENC_F32);
    float f1[3];
    assert_int_equal(heed__lm_tune_thresholds(m, dev.X, dev.Y, dev.n, f1, NULL), HEED_OK);
    const float *thr = heed__lm_thresholds(m);
    assert_float_equal(thr[2], 0.5f, 0);
    assert_float_equal(f1[2], 0.0f, 0);
    for (uint32_t j = 0; j < 2; j++) {
        double at = f1_at(m, &dev, j, thr[j]);
        assert_float_equal(at, f1[j], 1e-6);
        assert_true(at >= f1_at(m, &dev, j, 0.5f) - 1e-9);
        /* No other threshold on a fine grid does better. */
        for (int g = 0; g <= 100; g++)
            assert_true(f1_at(m, &dev, j, (float)g / 100.0f) <= at + 1e-9);
    }
    heed__lm_free(m);

    /* Not for other kinds. */
    static toy mc;
    make_multiclass(&mc, 50, 3);
    heed_lm *c = train(&mc, HEED_LM_MULTICLASS, 1, 0);
    heed_error err = {0};
    assert_int_equal(heed__lm_tune_thresholds(c, mc.X, mc.Y, mc.n, NULL, &err), HEED_EINVAL);
    heed__lm_free(c);
}

/* ---------------------------------------------------------------- options */

static int stop_after_two(void *ctx, uint32_t epoch, double loss)
{
    int *calls = ctx;
    assert_true(isfinite(loss) && loss >= 0);
    assert_int_equal(epoch, (uint32_t)*calls + 1);
    (*calls)++;
    return epoch >= 2;
}

static void test_progress_and_errors(void **state)
{
    (void)state;
    static toy t;
    make_multiclass(&t, 100, 81);
    int calls = 0;
    heed_lm_opts o = {.kind = HEED_LM_MULTICLASS,
                      .n_outputs = 4,
                      .dim_bits = 12,
                      .progress = stop_after_two,
                      .progress_ctx = &calls,
                      .balance = HEED_LM_BALANCE_FULL};
    heed_lm *m = NULL;
    assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &m, NULL), HEED_OK);
    assert_int_equal(calls, 2);
    heed__lm_free(m);

    heed_error err = {0};
    heed_lm_opts bad = o;
    bad.progress = NULL;
    bad.kind = 7;
    assert_int_equal(heed__lm_train(&bad, t.X, t.Y, t.n, &m, &err), HEED_EINVAL);
    assert_null(m);
    bad = o;
    bad.progress = NULL;
    bad.n_outputs = 1; /* multi-class needs 2 */
    assert_int_equal(heed__lm_train(&bad, t.X, t.Y, t.n, &m, &err), HEED_EINVAL);
    bad.n_outputs = 4;
    bad.dim_bits = 40;
    assert_int_equal(heed__lm_train(&bad, t.X, t.Y, t.n, &m, &err), HEED_EINVAL);
    bad.dim_bits = 12;
    assert_int_equal(heed__lm_train(&bad, t.X, t.Y, 0, &m, &err), HEED_EINVAL);
    /* A multi-class row without a class. */
    float saved[4];
    memcpy(saved, t.Y + 8, sizeof saved);
    memset(t.Y + 8, 0, sizeof saved);
    assert_int_equal(heed__lm_train(&bad, t.X, t.Y, t.n, &m, &err), HEED_EINVAL);
    memcpy(t.Y + 8, saved, sizeof saved);
    /* A non-finite value. */
    t.val[3][0] = NAN;
    assert_int_equal(heed__lm_train(&bad, t.X, t.Y, t.n, &m, &err), HEED_EINVAL);
    assert_null(m);
    t.val[3][0] = 1;

    float big[HEED_LM_MAX_AUX + 1] = {0};
    assert_int_equal(heed__lm_train(&bad, t.X, t.Y, t.n, &m, &err), HEED_OK);
    assert_int_equal(heed__lm_set_aux(m, big, HEED_LM_MAX_AUX + 1), HEED_EINVAL);
    heed__lm_free(m);
    heed__lm_free(NULL);
}

static void test_balance_helps_rare_label(void **state)
{
    (void)state;
    /* Label 0 is rare (1 in 20) and its feature is shared with label-less
     * rows half the time: balancing pushes its probabilities up. */
    static toy t;
    rs = 91;
    init_rows(&t, 400, 1);
    for (size_t i = 0; i < t.n; i++) {
        if (i % 20 == 0) {
            add(&t, i, sig(0), 1.0f);
            t.Y[i] = 1;
        } else if (i % 20 == 1) {
            add(&t, i, sig(0), 1.0f);
        }
        add(&t, i, 7u + rnd() % 30u, 1.0f);
    }
    float p[3];
    uint32_t h = sig(0);
    float v = 1;
    heed_sparse x = {&h, &v, 1};
    for (int bal = 0; bal <= 2; bal++) {
        heed_lm_opts o = {
            .kind = HEED_LM_MULTILABEL, .n_outputs = 1, .dim_bits = 12, .balance = bal};
        heed_lm *m = NULL;
        assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &m, NULL), HEED_OK);
        heed__lm_predict(m, x, &p[bal]);
        heed__lm_free(m);
    }
    assert_true(p[0] < p[1]);
    assert_true(p[1] < p[2]);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    static toy t;
    make_multilabel(&t, 50, 99);
    heed_lm_opts o = {.kind = HEED_LM_MULTILABEL, .n_outputs = 3, .dim_bits = 10};
    heed_lm *ref = NULL;
    assert_int_equal(heed__lm_train(&o, t.X, t.Y, t.n, &ref, NULL), HEED_OK);
    size_t len;
    char *bytes = save(ref, &len);
    int ok_train = 0, ok_load = 0;
    for (long k = 0; k < 200 && !(ok_train && ok_load); k++) {
        heed_lm *m = NULL;
        heed__alloc_fail_after(k);
        int rc = heed__lm_train(&o, t.X, t.Y, t.n, &m, NULL);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK)
            ok_train = 1;
        else
            assert_int_equal(rc, HEED_ENOMEM);
        heed__lm_free(m);
        m = NULL;
        heed__alloc_fail_after(k);
        rc = heed__lm_load(bytes, len, &m, NULL);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK)
            ok_load = 1;
        else
            assert_int_equal(rc, HEED_ENOMEM);
        heed__lm_free(m);
    }
    assert_true(ok_train && ok_load);
    free(bytes);
    heed__lm_free(ref);
}

/* heed__lm_predict_plus against heed__lm_predict of the model whose biases
 * are bias + plus (float, as it adds them), up to float rounding (the Q8
 * loop of 25 to 32 outputs fuses its products and adds); and
 * heed__lm_add_rows against the sums of heed__lm_row's weights (a row
 * repeated, a key of no row): regression models of given weights, Q8 and
 * F32, with and without the key-indexed table, 1 to 40 outputs. */
static void test_predict_plus_and_add_rows(void **state)
{
    (void)state;
    static const uint32_t ks[] = {1, 8, 11, 24, 25, 28, 32, 33, 40};
    enum { ROWS = 500, LMAX = 300 };
    static uint32_t keys[ROWS], idx[LMAX];
    static float w[ROWS * KMAX], val[LMAX];
    uint64_t seed = 99;
    for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++)
        for (int v = 0; v < 4; v++) {
            const uint32_t k = ks[c];
            uint32_t key = 0;
            for (size_t r = 0; r < ROWS; r++) {
                key += 1 + (uint32_t)(test_rand(&seed) % 60);
                keys[r] = key;
            }
            for (size_t q = 0; q < ROWS * k; q++)
                w[q] = (float)((int)(test_rand(&seed) % 2001) - 1000) / 250.0f;
            float bias[KMAX], plus[KMAX], bp[KMAX];
            for (uint32_t j = 0; j < k; j++) {
                bias[j] = (float)((int)(test_rand(&seed) % 2001) - 1000) / 500.0f;
                plus[j] = (float)((int)(test_rand(&seed) % 2001) - 1000) / 300.0f;
                bp[j] = bias[j] + plus[j];
            }
            heed_lm_opts o = {.kind = HEED_LM_REGRESSION,
                              .n_outputs = k,
                              .encoding = v & 1 ? HEED_LM_ENC_F32 : HEED_LM_ENC_Q8,
                              .dim_bits = v & 2 ? 24 : 16};
            heed_lm *m = NULL, *mb = NULL;
            assert_int_equal(heed__lm_from_weights(&o, keys, w, ROWS, bias, &m, NULL), HEED_OK);
            assert_int_equal(heed__lm_from_weights(&o, keys, w, ROWS, bp, &mb, NULL), HEED_OK);
            for (int rep = 0; rep < 20; rep++) {
                const size_t n = (size_t)(test_rand(&seed) % LMAX);
                for (size_t j = 0; j < n; j++) {
                    const uint64_t r = test_rand(&seed);
                    idx[j] = r % 4 == 1 ? keys[r % ROWS] - 1 : keys[(r >> 8) % ROWS];
                    val[j] = (float)((int)(test_rand(&seed) % 4001) - 2000) / 1000.0f;
                }
                const heed_sparse x = {idx, val, n};
                float a[KMAX + 1], b[KMAX + 1];
                a[k] = 7.0f; /* nothing is written past the k outputs */
                heed__lm_predict_plus(m, x, plus, a);
                heed__lm_predict(mb, x, b);
                assert_true(a[k] == 7.0f);
                for (uint32_t j = 0; j < k; j++)
                    assert_true(fabsf(a[j] - b[j]) <= 1e-4f * (1 + fabsf(b[j])));
                /* the rows of the first 12 keys summed */
                const size_t nk = n < 12 ? n : 12;
                float sum[KMAX + 1];
                double want[KMAX] = {0};
                for (uint32_t j = 0; j <= k; j++)
                    sum[j] = j < k ? 1.0f : 7.0f;
                heed__lm_add_rows(m, idx, nk, sum);
                for (size_t j = 0; j < nk; j++)
                    for (size_t r = 0; r < ROWS; r++)
                        if (keys[r] == idx[j]) {
                            uint32_t kr;
                            float row[KMAX];
                            assert_int_equal(heed__lm_row(m, r, &kr, row), HEED_OK);
                            for (uint32_t q = 0; q < k; q++)
                                want[q] += row[q];
                        }
                assert_true(sum[k] == 7.0f);
                for (uint32_t q = 0; q < k; q++)
                    assert_true(fabs(sum[q] - (1.0 + want[q])) <= 1e-4 * (1 + fabs(want[q])));
            }
            heed__lm_free(m);
            heed__lm_free(mb);
        }
}

/* The ranked table of a sparse model against its key-indexed table
 * (HEED_LM_KEY_TABLE), the hash table of the same rows in a wider space and
 * itself read by the portable loops, bit for bit: Q8 and F32, 1 to 40 outputs, keys at both ends of a 64-key
 * word and at both ends of the space, vectors of keys with and without rows
 * (the zero row), across the AVX2 loop's chunks of 256; heed__lm_add_rows
 * and heed__lm_predict_plus too. A model filling a quarter of its space or
 * more keeps the key-indexed table. */
static void test_ranked_table(void **state)
{
    (void)state;
    static const uint32_t ks[] = {1, 3, 8, 11, 28, 33, 40};
    enum { ROWS = 900, LMAX = 600 };
    static uint32_t keys[ROWS], idx[LMAX];
    static float w[ROWS * KMAX], val[LMAX];
    uint64_t seed = 5150;
    for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++)
        for (int enc = 0; enc < 2; enc++) {
            const uint32_t k = ks[c];
            /* keys 0, 63, 64, 127, ..., then spaced, and 2^16 - 1 last */
            uint32_t key = 0;
            for (size_t r = 0; r < ROWS; r++) {
                keys[r] = key;
                key += r < 8 ? (r % 2 ? 1 : 63) : 1 + (uint32_t)(test_rand(&seed) % 120);
            }
            keys[0] = 0, keys[1] = 63, keys[2] = 64, keys[3] = 127;
            keys[ROWS - 1] = 65535;
            assert_true(keys[ROWS - 2] < 65535);
            for (size_t q = 0; q < ROWS * k; q++)
                w[q] = (float)((int)(test_rand(&seed) % 2000) - 1000) / 250.0f + 0.002f; /* not 0 */
            float bias[KMAX], plus[KMAX];
            for (uint32_t j = 0; j < k; j++) {
                bias[j] = (float)((int)(test_rand(&seed) % 2001) - 1000) / 500.0f;
                plus[j] = (float)((int)(test_rand(&seed) % 2001) - 1000) / 300.0f;
            }
            heed_lm_opts o = {.kind = HEED_LM_REGRESSION,
                              .n_outputs = k,
                              .encoding = enc ? HEED_LM_ENC_F32 : HEED_LM_ENC_Q8,
                              .dim_bits = 16};
            heed_lm *ranked = NULL, *hashed = NULL;
            assert_int_equal(heed__lm_from_weights(&o, keys, w, ROWS, bias, &ranked, NULL),
                             HEED_OK);
            heed_lm *keyed = reload(ranked, HEED_LM_KEY_TABLE);
            /* and the ranked table read by the portable loops */
            heed_lm *plain = reload(ranked, 0);
            heed__lm_portable(plain);
            o.dim_bits = 24;
            assert_int_equal(heed__lm_from_weights(&o, keys, w, ROWS, bias, &hashed, NULL),
                             HEED_OK);
            assert_true(heed__lm_ranked(ranked));
            assert_false(heed__lm_ranked(keyed));
            assert_false(heed__lm_ranked(hashed));
            uintptr_t base = 1;
            assert_true(heed__lm_dense_row_bytes(ranked, &base) > 0);
            assert_int_equal(base % 64, 0);
            assert_int_equal(heed__lm_dense_row_bytes(hashed, NULL), 0);
            for (int rep = 0; rep < 24; rep++) {
                const size_t n = rep == 0 ? 0 : (size_t)(test_rand(&seed) % LMAX);
                for (size_t j = 0; j < n; j++) {
                    const uint64_t r = test_rand(&seed);
                    /* a key with a row, the one after it (mostly none), or
                     * any key; the bits above 24 are masked away */
                    const uint32_t hi = (uint32_t)(r >> 40) << 24;
                    idx[j] = hi | (r % 3 == 0   ? keys[(r >> 8) % ROWS]
                                   : r % 3 == 1 ? (keys[(r >> 8) % ROWS] + 1) & 0xffff
                                                : (uint32_t)(r >> 20) & 0xffff);
                    val[j] = (float)((int)(test_rand(&seed) % 4001) - 2000) / 1000.0f;
                }
                const heed_sparse x = {idx, val, n};
                float a[KMAX + 1], bk[KMAX + 1], bh[KMAX + 1];
                a[k] = 7.0f; /* nothing is written past the k outputs */
                heed__lm_predict(ranked, x, a);
                heed__lm_predict(keyed, x, bk);
                heed__lm_predict(hashed, x, bh);
                assert_memory_equal(a, bk, k * sizeof a[0]);
                assert_memory_equal(a, bh, k * sizeof a[0]);
                assert_true(a[k] == 7.0f);
                heed__lm_predict(plain, x, bh);
                assert_memory_equal(a, bh, k * sizeof a[0]);
                heed__lm_predict_plus(ranked, x, plus, a);
                heed__lm_predict_plus(keyed, x, plus, bk);
                assert_memory_equal(a, bk, k * sizeof a[0]);
                /* the portable loop does not fuse the multiply-adds that
                 * the AVX2 one may (25-32 outputs): the same up to rounding */
                heed__lm_predict_plus(plain, x, plus, bh);
                for (uint32_t j = 0; j < k; j++)
                    assert_true(fabsf(bh[j] - a[j]) <= 1e-4f * (1 + fabsf(a[j])));
                for (uint32_t j = 0; j < k; j++)
                    a[j] = bk[j] = 1.0f;
                heed__lm_add_rows(ranked, idx, n < 40 ? n : 40, a);
                heed__lm_add_rows(keyed, idx, n < 40 ? n : 40, bk);
                assert_memory_equal(a, bk, k * sizeof a[0]);
                for (uint32_t j = 0; j < k; j++)
                    bh[j] = 1.0f;
                heed__lm_add_rows(plain, idx, n < 40 ? n : 40, bh);
                assert_memory_equal(a, bh, k * sizeof a[0]);
            }
            /* a key of the last row alone gives the bias plus that row */
            float got[KMAX], row[KMAX];
            uint32_t kr;
            assert_int_equal(heed__lm_row(ranked, ROWS - 1, &kr, row), HEED_OK);
            assert_int_equal(kr, 65535);
            const float one = 1.0f;
            heed__lm_predict(ranked, (heed_sparse){&kr, &one, 1}, got);
            for (uint32_t j = 0; j < k; j++)
                assert_true(fabsf(got[j] - (bias[j] + row[j])) <= 1e-5f * (1 + fabsf(row[j])));
            heed__lm_free(ranked);
            heed__lm_free(keyed);
            heed__lm_free(hashed);
            heed__lm_free(plain);
        }
    /* the boundary: 64 rows of 2^8 keys are a quarter (key-indexed), 63 less */
    for (size_t n = 63; n <= 64; n++) {
        for (size_t r = 0; r < n; r++) {
            keys[r] = (uint32_t)(r * 4);
            w[r] = 1.0f;
        }
        const float bias = 0.5f;
        heed_lm_opts o = {.kind = HEED_LM_REGRESSION, .n_outputs = 1, .dim_bits = 8};
        heed_lm *m = NULL;
        assert_int_equal(heed__lm_from_weights(&o, keys, w, n, &bias, &m, NULL), HEED_OK);
        assert_int_equal(heed__lm_ranked(m), n == 63);
        heed__lm_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learns_multilabel),
        cmocka_unit_test(test_learns_multiclass),
        cmocka_unit_test(test_learns_regression),
        cmocka_unit_test(test_unknown_features_add_nothing),
        cmocka_unit_test(test_dense_and_hashed_paths_agree),
        cmocka_unit_test(test_q8_wide_paths_agree),
        cmocka_unit_test(test_q8_long_vectors_agree),
        cmocka_unit_test(test_predict_each),
        cmocka_unit_test(test_unit_deltas),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_q8_close_to_f32),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_every_truncation_rejected),
        cmocka_unit_test(test_every_bit_flip_rejected),
        cmocka_unit_test(test_field_checks),
        cmocka_unit_test(test_q8_field_checks),
        cmocka_unit_test(test_checks_at_every_entry),
        cmocka_unit_test(test_load_null),
        cmocka_unit_test(test_tune_thresholds),
        cmocka_unit_test(test_progress_and_errors),
        cmocka_unit_test(test_balance_helps_rare_label),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_predict_plus_and_add_rows),
        cmocka_unit_test(test_ranked_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
