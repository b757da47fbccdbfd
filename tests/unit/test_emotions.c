/* test_emotions.c - the emotion stage through the engine: a model trained here
 * on the fixture tests/data/emotions/train.tsv is loaded by heed_engine_new and
 * fills heed_result.emotions; mismatched and corrupt models are refused with
 * HEED_EMODEL; the label -> group maps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "emotions.h"
#include "featurize.h"
#include "heed/heed.h"
#include "asks.h"
#include "freqwords.h"
#include "langid.h"
#include "linmodel.h"
#include "model_data.h"

#define MAXN 128
#define MAXF 512

typedef struct fixture {
    heed_sparse X[MAXN];
    uint32_t idx[MAXN][MAXF];
    float val[MAXN][MAXF];
    float Y[MAXN * HEED_EMO_COUNT];
    size_t n;
} fixture;

static fixture fx;
static char *model_bytes; /* a good emotion model (HEEDLM) */
static size_t model_len;

/* Reads the fixture's good lines and featurises them with `eng`. */
static void load_fixture(heed_engine *eng, const heed_feat_opts *fo)
{
    FILE *f = fopen(HEED_TEST_DATA "/emotions/train.tsv", "r");
    assert_non_null(f);
    char line[512];
    fx.n = 0;
    while (fgets(line, sizeof line, f) && fx.n < MAXN) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        char *lab = tab + 1;
        char *end = strchr(lab, '\t');
        if (end)
            *end = '\0';
        int ok = 1;
        float *y = fx.Y + fx.n * HEED_EMO_COUNT;
        memset(y, 0, HEED_EMO_COUNT * sizeof *y);
        for (char *t = strtok(lab, ","); t; t = strtok(NULL, ",")) {
            char *e;
            long v = strtol(t, &e, 10);
            if (*e || v < 0 || v >= HEED_EMO_COUNT)
                ok = 0;
            else
                y[v] = 1;
        }
        if (!ok)
            continue;
        heed_analysis *an = NULL;
        assert_int_equal(heed_analyze(eng, line, strlen(line), NULL, &an, NULL), HEED_OK);
        size_t n =
            heed__features_write(fo, heed_analysis_result(an), fx.idx[fx.n], fx.val[fx.n], MAXF);
        fx.X[fx.n] = (heed_sparse){fx.idx[fx.n], fx.val[fx.n], n};
        fx.n++;
        heed_analysis_free(an);
    }
    fclose(f);
    assert_true(fx.n >= 80);
}

static const char *NAMES[HEED_EMO_COUNT];

/* Trains a model on the fixture with the given outputs/feature set/aux. */
static char *make_model(uint32_t n_out, uint32_t fset, size_t n_aux, const char **names,
                        size_t *len)
{
    heed_lm_opts o = {.kind = HEED_LM_MULTILABEL,
                      .n_outputs = n_out,
                      .dim_bits = 14,
                      .epochs = 15,
                      .feature_set = fset,
                      .labels = names};
    heed_lm *m = NULL;
    assert_int_equal(heed__lm_train(&o, fx.X, fx.Y, fx.n, &m, NULL), HEED_OK);
    float aux[HEED_EMO_AUX_COUNT + 1];
    for (size_t i = 0; i < HEED_EMO_AUX_COUNT + 1; i++)
        aux[i] = 0.4f;
    assert_int_equal(heed__lm_set_aux(m, aux, n_aux), HEED_OK);
    heed_buf b;
    heed__buf_init(&b, 0);
    assert_int_equal(heed__lm_save(m, &b), HEED_OK);
    heed__lm_free(m);
    return heed__buf_take(&b, len);
}

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < HEED_EMO_COUNT; i++)
        NAMES[i] = heed__emo_label_name(i);
    heed_engine_opts eo = {.flags = HEED_ENGINE_NO_EMOTIONS};
    heed_engine *eng = NULL;
    if (heed_engine_new(&eo, &eng, NULL) != HEED_OK)
        return -1;
    heed_feat_opts fo = {HEED_FEAT_CHARGRAMS};
    load_fixture(eng, &fo);
    heed_engine_free(eng);
    model_bytes =
        make_model(HEED_EMO_COUNT, heed__features_id(&fo), HEED_EMO_AUX_COUNT, NAMES, &model_len);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(model_bytes);
    return 0;
}

static heed_engine *engine_with(const void *bytes, size_t len, int *rc, heed_error *err)
{
    heed_engine_opts eo = {.emotions_model = bytes, .emotions_model_len = len};
    heed_engine *eng = (heed_engine *)1;
    *rc = heed_engine_new(&eo, &eng, err);
    if (*rc != HEED_OK)
        assert_null(eng);
    return eng;
}

static void test_engine_predicts(void **state)
{
    (void)state;
    int rc;
    heed_error err = {0};
    heed_engine *eng = engine_with(model_bytes, model_len, &rc, &err);
    assert_int_equal(rc, HEED_OK);
    heed_lm *m = NULL;
    assert_int_equal(heed__emotions_load(model_bytes, model_len, 0, &m, NULL), HEED_OK);
    const float *thr = heed__lm_thresholds(m);
    const float *aux = heed__lm_aux(m, NULL);
    const char *texts[] = {"thank you so much for the help", "I am so angry about this",
                           "I don't understand what happened", "", "ok"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        heed_analysis *an = NULL;
        assert_int_equal(heed_analyze(eng, texts[t], strlen(texts[t]), NULL, &an, NULL), HEED_OK);
        const heed_emotions *e = &heed_analysis_result(an)->emotions;
        assert_int_equal(e->available, 1);
        for (int i = 0; i < HEED_EMO_COUNT; i++) {
            assert_true(e->prob[i] >= 0 && e->prob[i] <= 1);
            assert_int_equal((e->labels >> i) & 1u, e->prob[i] >= thr[i]);
        }
        for (int g = 0; g < HEED_CX_COUNT; g++) {
            float mx = 0;
            for (int i = 0; i < HEED_EMO_COUNT; i++)
                if (heed__emo_cx_members[g] >> i & 1u)
                    mx = fmaxf(mx, e->prob[i]);
            assert_float_equal(e->cx[g], mx, 0);
            assert_int_equal((e->cx_labels >> g) & 1u, e->cx[g] >= aux[g]);
        }
        if (t == 0) {
            assert_true(e->labels & (1u << HEED_EMO_GRATITUDE));
            assert_true(e->cx_labels & (1u << HEED_CX_GRATITUDE));
            assert_false(e->labels & (1u << HEED_EMO_ANGER));
        }
        if (t == 1) {
            assert_true(e->labels & (1u << HEED_EMO_ANGER));
            assert_true(e->cx_labels & (1u << HEED_CX_ANGER));
            assert_false(e->labels & (1u << HEED_EMO_GRATITUDE));
        }
        if (t == 2)
            assert_true(e->cx_labels & (1u << HEED_CX_CONFUSION));
        heed_analysis_free(an);
    }
    heed__lm_free(m);
    heed_engine_free(eng);
}

static void test_no_emotions_flag(void **state)
{
    (void)state;
    heed_engine_opts eo = {.emotions_model = model_bytes,
                           .emotions_model_len = model_len,
                           .flags = HEED_ENGINE_NO_EMOTIONS};
    heed_engine *eng = NULL;
    assert_int_equal(heed_engine_new(&eo, &eng, NULL), HEED_OK);
    heed_analysis *an = NULL;
    assert_int_equal(heed_analyze(eng, "thanks", 6, NULL, &an, NULL), HEED_OK);
    assert_int_equal(heed_analysis_result(an)->emotions.available, 0);
    heed_analysis_free(an);
    heed_engine_free(eng);
}

static void expect_refused(const void *bytes, size_t len, const char *needle)
{
    int rc;
    heed_error err = {0};
    heed_engine *eng = engine_with(bytes, len, &rc, &err);
    assert_int_equal(rc, HEED_EMODEL);
    assert_null(eng);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void test_mismatched_models_refused(void **state)
{
    (void)state;
    heed_feat_opts fo = {HEED_FEAT_CHARGRAMS};
    size_t len;
    char *b = make_model(3, heed__features_id(&fo), HEED_EMO_AUX_COUNT, NULL, &len);
    expect_refused(b, len, "28 GoEmotions outputs");
    free(b);
    b = make_model(HEED_EMO_COUNT, 0x12345678u, HEED_EMO_AUX_COUNT, NAMES, &len);
    expect_refused(b, len, "feature extractor");
    free(b);
    b = make_model(HEED_EMO_COUNT, heed__features_id(&fo), 3, NAMES, &len);
    expect_refused(b, len, "group thresholds");
    free(b);
    const char *other[HEED_EMO_COUNT];
    memcpy(other, NAMES, sizeof other);
    other[5] = "kindness";
    b = make_model(HEED_EMO_COUNT, heed__features_id(&fo), HEED_EMO_AUX_COUNT, other, &len);
    expect_refused(b, len, "output 5 is 'kindness', expected 'caring'");
    free(b);
}

static void test_corrupt_models_refused(void **state)
{
    (void)state;
    char *c = malloc(model_len);
    /* A flipped byte anywhere, a short file, no bytes at all. */
    for (size_t i = 0; i < model_len; i += model_len / 97 + 1) {
        memcpy(c, model_bytes, model_len);
        c[i] ^= 0x20;
        int rc;
        heed_error err = {0};
        heed_engine *eng = engine_with(c, model_len, &rc, &err);
        assert_int_equal(rc, HEED_EMODEL);
        assert_null(eng);
        assert_true(err.msg[0] != '\0');
        assert_true(err.pos < model_len);
    }
    expect_refused(model_bytes, model_len - 1, "truncated");
    expect_refused("", 0, "truncated");
    free(c);
}

static void test_group_maps(void **state)
{
    (void)state;
    uint32_t all = 0;
    for (int g = 0; g < HEED_EKMAN_COUNT; g++) {
        assert_int_equal(all & heed__emo_ekman_members[g], 0); /* disjoint */
        all |= heed__emo_ekman_members[g];
        assert_non_null(heed__emo_ekman_name(g));
    }
    assert_int_equal(all, (1u << HEED_EMO_COUNT) - 1); /* Ekman covers every label */
    uint32_t cx = 0;
    for (int g = 0; g < HEED_CX_COUNT; g++) {
        assert_int_equal(cx & heed__emo_cx_members[g], 0);
        assert_true(heed__emo_cx_members[g] != 0);
        cx |= heed__emo_cx_members[g];
    }
    const uint32_t unmapped =
        (1u << HEED_EMO_DESIRE) | (1u << HEED_EMO_REALIZATION) | (1u << HEED_EMO_SURPRISE);
    assert_int_equal(cx, ((1u << HEED_EMO_COUNT) - 1) & ~unmapped);
    assert_string_equal(heed__emo_cx_name(HEED_CX_FRUSTRATION), "frustration");
    assert_string_equal(heed__emo_label_name(HEED_EMO_NEUTRAL), "neutral");
    assert_null(heed__emo_label_name(28));
    float p[HEED_EMO_COUNT] = {0}, s[HEED_CX_COUNT];
    p[HEED_EMO_ANNOYANCE] = 0.3f;
    p[HEED_EMO_DISAPPROVAL] = 0.6f;
    p[HEED_EMO_DESIRE] = 0.9f;
    heed__emo_group_scores(p, heed__emo_cx_members, HEED_CX_COUNT, s);
    assert_float_equal(s[HEED_CX_FRUSTRATION], 0.6f, 0);
    assert_float_equal(s[HEED_CX_GRATITUDE], 0.0f, 0);
}

/* heed__emo_cx_scores is heed__emo_group_scores of the CX groups, to the
 * bit: random probabilities with ties, zeros of both signs, NaN, values
 * outside 0..1. */
static void test_cx_scores_match_groups(void **state)
{
    (void)state;
    uint32_t u = 12345;
    static const float special[] = {0.0f, -0.0f, 0.5f, 1.0f, -1.0f, 2.0f, NAN};
    for (int round = 0; round < 20000; round++) {
        float p[HEED_EMO_COUNT], a[HEED_CX_COUNT], b[HEED_CX_COUNT];
        for (int i = 0; i < HEED_EMO_COUNT; i++) {
            u = u * 1664525u + 1013904223u;
            p[i] = (u >> 28) < 5 ? special[(u >> 8) % 7] : (float)(u >> 8) / 16777216.0f;
        }
        heed__emo_group_scores(p, heed__emo_cx_members, HEED_CX_COUNT, a);
        heed__emo_cx_scores(p, b);
        assert_memory_equal(a, b, sizeof a);
    }
}


/* Every weight of m by key (2^dim_bits rows of 28, heed__lm_row's
 * dequantised weights), for sums made apart from heed__lm_add_rows. */
static float *weights_by_key(const heed_lm *m)
{
    const size_t rows = (size_t)1 << heed__lm_dim_bits(m);
    float *w = calloc(rows * HEED_EMO_COUNT, sizeof *w);
    assert_non_null(w);
    for (size_t i = 0; i < heed__lm_n_rows(m); i++) {
        uint32_t key;
        float row[HEED_EMO_COUNT];
        assert_int_equal(heed__lm_row(m, i, &key, row), HEED_OK);
        assert_true(key < rows);
        memcpy(w + (size_t)key * HEED_EMO_COUNT, row, sizeof row);
    }
    return w;
}

/* The probabilities of r's emotions from its whole feature vector (each
 * word's n-grams a row each) and from the words' sums (heed__emo_sums, as
 * the engine predicts): equal up to float rounding, on texts of every word
 * of the table of frequent words (so that a word's sum that lacks one of its
 * n-gram rows fails), words the table lacks, hashtags, capitals and
 * punctuation; and each word's sum equals its n-grams' rows (the keys made
 * again from its text) summed in double. For the built-in model (4-grams)
 * and the fixture's (3- to 5-grams). */
static void test_word_sums_match_full(void **state)
{
    (void)state;
    const heed_blob builtin = heed__model_emotions();
    for (int which = 0; which < 2; which++) {
        const void *bytes = which ? (const void *)model_bytes : builtin.ptr;
        const size_t len = which ? model_len : builtin.len;
        if (!bytes)
            continue; /* a build without the built-in model */
        int rc;
        heed_engine *eng = engine_with(bytes, len, &rc, NULL);
        assert_int_equal(rc, HEED_OK);
        heed_lm *m = NULL;
        assert_int_equal(heed__emotions_load(bytes, len, 0, &m, NULL), HEED_OK);
        const heed_feat_opts fo = heed__emotions_feat_opts(m);
        assert_true(fo.flags & (HEED_FEAT_CHAR4 | HEED_FEAT_CHARGRAMS));
        /* the engine's words: of the built-in list, the language lists and
         * the asks index */
        heed_langid *lid = NULL;
        heed_asks_index *asks = NULL;
        assert_int_equal(heed__langid_new(&lid), HEED_OK);
        assert_int_equal(heed__asks_index_new(&asks), HEED_OK);
        heed_words *ws = NULL;
        assert_int_equal(heed__freqwords_new(NULL, lid, asks, &fo, &ws), HEED_OK);
        heed_emo_sums *sums = NULL;
        assert_int_equal(heed__emo_sums_new(m, ws, &sums), HEED_OK);
        /* the same model and sums by the portable loops (CPUs without
         * AVX2): the sums the same bits, the scores below the same up to
         * rounding (the AVX2 pass may fuse its multiply-adds) */
        heed_lm *pm = NULL;
        assert_int_equal(heed__emotions_load(bytes, len, 0, &pm, NULL), HEED_OK);
        heed__lm_portable(pm);
        heed_emo_sums *psums = NULL;
        assert_int_equal(heed__emo_sums_new(pm, ws, &psums), HEED_OK);
        heed__emo_sums_portable(psums);
        for (size_t i = 0; i < ws->n_words; i++)
            assert_memory_equal(heed__emo_sums_word(psums, i), heed__emo_sums_word(sums, i),
                                HEED_EMO_COUNT * sizeof(float));
        /* a table without the model's n-grams is refused */
        heed_words *other = NULL;
        const heed_feat_opts oo = {fo.flags ^ (HEED_FEAT_CHAR4 | HEED_FEAT_CHARGRAMS)};
        assert_int_equal(heed__freqwords_new(NULL, NULL, NULL, &oo, &other), HEED_OK);
        heed_emo_sums *bad = (heed_emo_sums *)1;
        assert_int_equal(heed__emo_sums_new(m, other, &bad), HEED_EINVAL);
        assert_null(bad);
        heed__freqwords_free(other);

        /* each word's sum */
        const float *w = weights_by_key(m);
        const uint32_t mask = (uint32_t)(((size_t)1 << heed__lm_dim_bits(m)) - 1);
        size_t with_keys = 0;
        for (size_t i = 0; i < ws->n_words; i++) {
            const heed_word *e = &ws->word[i];
            uint32_t keys[3 * (HEED_FEAT_WORD_BYTES + 2)];
            const size_t nk = heed__features_word_keys(&fo, ws->text + e->text_off, e->len, keys,
                                                       sizeof keys / sizeof keys[0]);
            with_keys += nk > 0;
            const float *got = heed__emo_sums_word(sums, i);
            assert_non_null(got);
            for (int k = 0; k < HEED_EMO_COUNT; k++) {
                double want = 0, mag = 0;
                for (size_t j = 0; j < nk; j++) {
                    want += w[(size_t)(keys[j] & mask) * HEED_EMO_COUNT + (size_t)k];
                    mag += fabs(w[(size_t)(keys[j] & mask) * HEED_EMO_COUNT + (size_t)k]);
                }
                assert_true(fabs(got[k] - want) <= 1e-6 * (1 + mag));
            }
        }
        assert_null(heed__emo_sums_word(sums, ws->n_words));
        assert_true(with_keys > 2000);
        free((void *)w);

        /* the probabilities, on texts of the table's words in turn */
        static const char *const extra[] = {"zyxxq", "Blorptastic", "#thanks", "!!",
                                            "caf\xc3\xa9", "NOT", "?",
                                            "qwertyuiopasdfghjklzxcvbnm"};
        const heed_feat_opts plain = {fo.flags & ~(HEED_FEAT_CHAR4 | HEED_FEAT_CHARGRAMS)};
        uint32_t u = 12345;
        size_t next = 0, texts = 0, summed = 0, english = 0;
        double worst = 0;
        while (next < ws->n_words || texts < 200) {
            char text[1024];
            size_t n = 0;
            const size_t nw = 1 + texts % 11;
            for (size_t t = 0; t < nw; t++) {
                u = u * 1664525u + 1013904223u;
                const char *word;
                size_t wl;
                if ((u >> 28) < 3) {
                    word = extra[(u >> 8) % (sizeof extra / sizeof extra[0])];
                    wl = strlen(word);
                } else {
                    const heed_word *e = &ws->word[next++ % ws->n_words];
                    word = ws->text + e->text_off;
                    wl = e->len;
                }
                if (n + wl + 3 >= sizeof text)
                    break;
                if (n)
                    text[n++] = (u >> 24) % 9 == 0 ? ',' : ' ';
                if (n && text[n - 1] == ',')
                    text[n++] = ' ';
                memcpy(text + n, word, wl);
                if ((u >> 20) % 7 == 0 && text[n] >= 'a' && text[n] <= 'z')
                    text[n] = (char)(text[n] - 32);
                n += wl;
            }
            text[n++] = (u >> 16) % 3 == 0 ? '!' : '.';
            texts++;
            heed_analysis *an = NULL;
            assert_int_equal(heed_analyze(eng, text, n, NULL, &an, NULL), HEED_OK);
            const heed_result *r = heed_analysis_result(an);
            heed_arena ar;
            heed__arena_init(&ar, 0);
            heed_result full = *r, fast = *r;
            assert_int_equal(heed__emotions_predict(m, &ar, &full), HEED_OK);
            /* the fast path by hand, from this test's table */
            uint64_t *th = heed__arena_alloc(&ar, (r->n_tokens + 1) * sizeof *th);
            const heed_word **wr = heed__arena_alloc(&ar, (r->n_tokens + 1) * sizeof *wr);
            assert_non_null(th);
            assert_non_null(wr);
            heed__freqwords_find(ws, r->tokens, r->n_tokens, th, wr);
            heed_sparse xp, xc;
            const uint32_t *ids;
            size_t n_ids;
            float cv;
            assert_int_equal(heed__features_pair_summed(&ar, &plain, &fo, r, th, ws, wr, &xp, &xc,
                                                        &ids, &n_ids, &cv),
                             HEED_OK);
            summed += n_ids;
            english += r->emotions.available;
            heed__emotions_predict_sums(m, sums, xc, ids, n_ids, cv, &fast);
            heed_result slow = *r;
            heed__emotions_predict_sums(pm, psums, xc, ids, n_ids, cv, &slow);
            for (int i = 0; i < HEED_EMO_COUNT; i++)
                assert_true(fabs(slow.emotions.prob[i] - fast.emotions.prob[i]) <= 1e-6);
            for (int i = 0; i < HEED_EMO_COUNT; i++) {
                const double d1 = fabs(fast.emotions.prob[i] - full.emotions.prob[i]);
                /* the engine's, on the texts it takes for English */
                const double d2 =
                    r->emotions.available ? fabs(r->emotions.prob[i] - full.emotions.prob[i]) : 0;
                worst = fmax(worst, fmax(d1, d2));
                assert_true(d1 <= 1e-5);
                assert_true(d2 <= 1e-5);
            }
            heed__arena_release(&ar);
            heed_analysis_free(an);
        }
        assert_true(summed > ws->n_words / 2);
        assert_true(english > texts / 2);
        assert_true(worst < 1e-5);
        heed__emo_sums_free(sums);
        heed__emo_sums_free(psums);
        heed__lm_free(pm);
        heed__freqwords_free(ws);
        heed__asks_index_free(asks);
        heed__langid_free(lid);
        heed__lm_free(m);
        heed_engine_free(eng);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_predicts),
        cmocka_unit_test(test_no_emotions_flag),
        cmocka_unit_test(test_mismatched_models_refused),
        cmocka_unit_test(test_corrupt_models_refused),
        cmocka_unit_test(test_group_maps),
        cmocka_unit_test(test_cx_scores_match_groups),
        cmocka_unit_test(test_word_sums_match_full),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
