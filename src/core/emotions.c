/* emotions.c - the emotion stage (emotions.h): model checks, the label ->
 * group maps, and prediction into heed_result.emotions. */
#include "emotions.h"

#include <stdio.h>
#include <string.h>
#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif

#include "alloc.h"
#include "featurize.h"
#include "freqwords.h"

#ifdef HEED_X86_AVX2
#define EMO_AVX2 1
#include <immintrin.h>
#endif

#define B(label) (1u << HEED_EMO_##label)

/* CX groups: what a support team acts on. desire, realization and surprise
 * belong to none (they say little about how the contact is going). */
const uint32_t heed__emo_cx_members[HEED_CX_COUNT] = {
    [HEED_CX_ANGER] = B(ANGER) | B(DISGUST),
    [HEED_CX_FRUSTRATION] = B(ANNOYANCE) | B(DISAPPROVAL),
    [HEED_CX_ANXIETY] = B(FEAR) | B(NERVOUSNESS),
    [HEED_CX_SADNESS] = B(SADNESS) | B(DISAPPOINTMENT) | B(GRIEF) | B(REMORSE) | B(EMBARRASSMENT),
    [HEED_CX_CONFUSION] = B(CONFUSION) | B(CURIOSITY),
    [HEED_CX_GRATITUDE] = B(GRATITUDE) | B(JOY) | B(ADMIRATION) | B(AMUSEMENT) | B(APPROVAL) |
                          B(CARING) | B(EXCITEMENT) | B(LOVE) | B(OPTIMISM) | B(PRIDE) |
                          B(RELIEF),
    [HEED_CX_NEUTRAL] = B(NEUTRAL),
};

/* GoEmotions' ekman_mapping.json, plus neutral. */
const uint32_t heed__emo_ekman_members[HEED_EKMAN_COUNT] = {
    [HEED_EKMAN_ANGER] = B(ANGER) | B(ANNOYANCE) | B(DISAPPROVAL),
    [HEED_EKMAN_DISGUST] = B(DISGUST),
    [HEED_EKMAN_FEAR] = B(FEAR) | B(NERVOUSNESS),
    [HEED_EKMAN_JOY] = B(JOY) | B(AMUSEMENT) | B(APPROVAL) | B(EXCITEMENT) | B(GRATITUDE) |
                       B(LOVE) | B(OPTIMISM) | B(RELIEF) | B(PRIDE) | B(ADMIRATION) |
                       B(DESIRE) | B(CARING),
    [HEED_EKMAN_SADNESS] = B(SADNESS) | B(DISAPPOINTMENT) | B(EMBARRASSMENT) | B(GRIEF) |
                           B(REMORSE),
    [HEED_EKMAN_SURPRISE] = B(SURPRISE) | B(REALIZATION) | B(CONFUSION) | B(CURIOSITY),
    [HEED_EKMAN_NEUTRAL] = B(NEUTRAL),
};

const char *heed__emo_label_name(int label)
{
    static const char *const names[HEED_EMO_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
        HEED_EMOTION_MAP(HEED_X_)
#undef HEED_X_
    };
    return label >= 0 && label < HEED_EMO_COUNT ? names[label] : NULL;
}

const char *heed__emo_cx_name(int group)
{
    static const char *const names[HEED_CX_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
        HEED_CX_MAP(HEED_X_)
#undef HEED_X_
    };
    return group >= 0 && group < HEED_CX_COUNT ? names[group] : NULL;
}

const char *heed__emo_ekman_name(int group)
{
    static const char *const names[HEED_EKMAN_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
        HEED_EKMAN_MAP(HEED_X_)
#undef HEED_X_
    };
    return group >= 0 && group < HEED_EKMAN_COUNT ? names[group] : NULL;
}

void heed__emo_group_scores(const float prob[HEED_EMO_COUNT], const uint32_t *members,
                            int n_groups, float *score)
{
    for (int g = 0; g < n_groups; g++) {
        float s = 0;
        /* the members' bits only, in index order */
        for (uint32_t set = members[g] & ((1u << HEED_EMO_COUNT) - 1); set; set &= set - 1) {
            const int i = __builtin_ctz(set);
            if (prob[i] > s)
                s = prob[i];
        }
        score[g] = s;
    }
}

/* One member i of a group score s, as heed__emo_group_scores takes it. */
#define MEMBER(i) (s = prob[HEED_EMO_##i] > s ? prob[HEED_EMO_##i] : s)

void heed__emo_cx_scores(const float prob[HEED_EMO_COUNT], float cx[HEED_CX_COUNT])
{
    /* heed__emo_cx_members' bits written out, in index order */
    float s = 0;
    MEMBER(ANGER), MEMBER(DISGUST);
    cx[HEED_CX_ANGER] = s;
    s = 0;
    MEMBER(ANNOYANCE), MEMBER(DISAPPROVAL);
    cx[HEED_CX_FRUSTRATION] = s;
    s = 0;
    MEMBER(FEAR), MEMBER(NERVOUSNESS);
    cx[HEED_CX_ANXIETY] = s;
    s = 0;
    MEMBER(DISAPPOINTMENT), MEMBER(EMBARRASSMENT), MEMBER(GRIEF), MEMBER(REMORSE),
        MEMBER(SADNESS);
    cx[HEED_CX_SADNESS] = s;
    s = 0;
    MEMBER(CONFUSION), MEMBER(CURIOSITY);
    cx[HEED_CX_CONFUSION] = s;
    s = 0;
    MEMBER(ADMIRATION), MEMBER(AMUSEMENT), MEMBER(APPROVAL), MEMBER(CARING), MEMBER(EXCITEMENT),
        MEMBER(GRATITUDE), MEMBER(JOY), MEMBER(LOVE), MEMBER(OPTIMISM), MEMBER(PRIDE),
        MEMBER(RELIEF);
    cx[HEED_CX_GRATITUDE] = s;
    s = 0;
    MEMBER(NEUTRAL);
    cx[HEED_CX_NEUTRAL] = s;
}
#undef MEMBER

static int mismatch(heed_error *err, const char *what)
{
    if (err) {
        err->code = HEED_EMODEL;
        err->pos = 0;
        snprintf(err->msg, sizeof err->msg, "emotion model: %s", what);
    }
    return HEED_EMODEL;
}

int heed__emotions_check(const heed_lm *m, heed_error *err)
{
    if (heed__lm_kind(m) != HEED_LM_MULTILABEL)
        return mismatch(err, "not a multi-label model");
    if (heed__lm_n_outputs(m) != HEED_EMO_COUNT)
        return mismatch(err, "does not have the 28 GoEmotions outputs");
    for (int i = 0; i < HEED_EMO_COUNT; i++)
        if (strcmp(heed__lm_label(m, (uint32_t)i), heed__emo_label_name(i)) != 0) {
            if (err) {
                err->code = HEED_EMODEL;
                err->pos = 0;
                snprintf(err->msg, sizeof err->msg,
                         "emotion model: output %d is '%.64s', expected '%s'", i,
                         heed__lm_label(m, (uint32_t)i), heed__emo_label_name(i));
            }
            return HEED_EMODEL;
        }
    heed_feat_opts fo;
    if (heed__features_opts_from_id(heed__lm_feature_set(m), &fo) != HEED_OK)
        return mismatch(err, "trained with another feature extractor (version); retrain it "
                             "with this heed (heed train emotions)");
    size_t n_aux;
    const float *aux = heed__lm_aux(m, &n_aux);
    if (n_aux != HEED_EMO_AUX_COUNT)
        return mismatch(err, "group thresholds missing (aux values)");
    for (size_t i = 0; i < n_aux; i++)
        if (!(aux[i] >= 0 && aux[i] <= 1))
            return mismatch(err, "group threshold outside 0..1");
    const float *thr = heed__lm_thresholds(m);
    for (int i = 0; i < HEED_EMO_COUNT; i++)
        if (!(thr[i] >= 0 && thr[i] <= 1))
            return mismatch(err, "label threshold outside 0..1");
    return HEED_OK;
}

int heed__emotions_load(const void *bytes, size_t len, unsigned flags, heed_lm **out,
                        heed_error *err)
{
    int rc = heed__lm_load_flags(bytes, len, flags, out, err);
    if (rc != HEED_OK) {
        if (err) { /* say which model */
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "emotion model: %.180s", err->msg);
            memcpy(err->msg, msg, sizeof msg);
        }
        return rc;
    }
    rc = heed__emotions_check(*out, err);
    if (rc != HEED_OK) {
        heed__lm_free(*out);
        *out = NULL;
    }
    return rc;
}

heed_feat_opts heed__emotions_feat_opts(const heed_lm *m)
{
    heed_feat_opts fo = {0};
    if (heed__features_opts_from_id(heed__lm_feature_set(m), &fo) != HEED_OK)
        fo.flags = 0; /* ruled out by heed__emotions_check */
    return fo;
}

int heed__emotions_predict(const heed_lm *m, heed_arena *a, heed_result *r)
{
    heed_feat_opts fo;
    if (heed__features_opts_from_id(heed__lm_feature_set(m), &fo) != HEED_OK)
        return HEED_EMODEL; /* ruled out by heed__emotions_check */
    heed_sparse x;
    int rc = heed__features(a, &fo, r, &x);
    if (rc != HEED_OK)
        return rc;
    heed__emotions_predict_x(m, x, r);
    return HEED_OK;
}

/* The labels, group scores and groups of r->emotions from its prob. */
static void set_labels(const heed_lm *m, heed_result *r)
{
    heed_emotions *e = &r->emotions;
    /* every field is set below: cx, available; the label bits from 0 */
    e->labels = 0;
    e->cx_labels = 0;
    const float *thr = heed__lm_thresholds(m);
    int i = 0;
#ifdef HEED_SSE2
    /* four labels a step (NaN is no label, as below) */
    for (; i + 4 <= HEED_EMO_COUNT; i += 4)
        e->labels |= (uint32_t)_mm_movemask_ps(
                         _mm_cmpge_ps(_mm_loadu_ps(e->prob + i), _mm_loadu_ps(thr + i)))
                     << i;
#endif
    for (; i < HEED_EMO_COUNT; i++)
        if (e->prob[i] >= thr[i])
            e->labels |= 1u << i;
    const float *aux = heed__lm_aux(m, NULL);
    heed__emo_cx_scores(e->prob, e->cx);
    for (int g = 0; g < HEED_CX_COUNT; g++)
        if (e->cx[g] >= aux[g])
            e->cx_labels |= 1u << g;
    e->available = 1;
}

void heed__emotions_predict_x(const heed_lm *m, heed_sparse x, heed_result *r)
{
    heed__lm_predict(m, x, r->emotions.prob);
    set_labels(m, r);
}

/* A word's sum: the 28 outputs, padded to 32 floats (128 bytes, two cache
 * lines from a 64-byte boundary). */
#define SUM_ROW 32
_Static_assert(HEED_EMO_COUNT <= SUM_ROW, "a sum row holds the outputs");

struct heed_emo_sums {
    float *rows; /* SUM_ROW floats a word of the table, in its order */
    void *mem;   /* the allocation rows lie in */
    size_t n_words;
    int avx2; /* add_sums may take 8 floats a step */
};

int heed__emo_sums_new(const heed_lm *m, const heed_words *ws, heed_emo_sums **out)
{
    *out = NULL;
    const heed_feat_opts fo = heed__emotions_feat_opts(m);
    const uint32_t cf = fo.flags & (HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4);
    if (!ws || !cf || heed__freqwords_char_flags(ws) != cf ||
        heed__lm_n_outputs(m) != HEED_EMO_COUNT)
        return HEED_EINVAL;
    heed_emo_sums *s = heed__calloc(1, sizeof *s);
    if (!s)
        return HEED_ENOMEM;
    s->n_words = ws->n_words;
    /* zeroed: the padding stays 0 */
    s->mem = heed__calloc((ws->n_words ? ws->n_words : 1) * SUM_ROW * sizeof(float) + 63, 1);
    if (!s->mem) {
        heed__free(s);
        return HEED_ENOMEM;
    }
    s->rows = (float *)(void *)(((uintptr_t)s->mem + 63) & ~(uintptr_t)63);
    for (size_t i = 0; i < ws->n_words; i++)
        heed__lm_add_rows(m, ws->word[i].keys, ws->word[i].n_keys, s->rows + i * SUM_ROW);
#if defined(EMO_AVX2)
    s->avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
    *out = s;
    return HEED_OK;
}

void heed__emo_sums_free(heed_emo_sums *s)
{
    if (!s)
        return;
    heed__free(s->mem);
    heed__free(s);
}

const float *heed__emo_sums_word(const heed_emo_sums *s, size_t i)
{
    return i < s->n_words ? s->rows + i * SUM_ROW : NULL;
}

void heed__emo_sums_portable(heed_emo_sums *s)
{
    s->avx2 = 0;
}

#if defined(EMO_AVX2)
/* add_sums with AVX2: 8 floats a step, in registers. */
__attribute__((target("avx2"))) static void add_sums_avx2(const float *rows, const uint32_t *ids,
                                                          size_t n, float *sum)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t j = 0; j < n; j++) {
        const float *w = rows + (size_t)ids[j] * SUM_ROW;
        a0 = _mm256_add_ps(a0, _mm256_load_ps(w));
        a1 = _mm256_add_ps(a1, _mm256_load_ps(w + 8));
        a2 = _mm256_add_ps(a2, _mm256_load_ps(w + 16));
        a3 = _mm256_add_ps(a3, _mm256_load_ps(w + 24));
    }
    _mm256_storeu_ps(sum, a0);
    _mm256_storeu_ps(sum + 8, a1);
    _mm256_storeu_ps(sum + 16, a2);
    _mm256_storeu_ps(sum + 24, a3);
}
#endif

/* sum[0..SUM_ROW) = the rows of the words ids[0..n), added in that order. */
static void add_sums(const heed_emo_sums *s, const uint32_t *ids, size_t n, float *sum)
{
#if defined(EMO_AVX2)
    if (s->avx2) {
        add_sums_avx2(s->rows, ids, n, sum);
        return;
    }
#endif
    memset(sum, 0, SUM_ROW * sizeof *sum);
    for (size_t j = 0; j < n; j++) {
        const float *w = s->rows + (size_t)ids[j] * SUM_ROW;
        for (size_t k = 0; k < SUM_ROW; k++)
            sum[k] += w[k];
    }
}

void heed__emotions_predict_sums(const heed_lm *m, const heed_emo_sums *s, heed_sparse x,
                                 const uint32_t *ids, size_t n_ids, float char_val,
                                 heed_result *r)
{
    float plus[SUM_ROW];
    add_sums(s, ids, n_ids, plus);
    for (size_t k = 0; k < SUM_ROW; k++)
        plus[k] *= char_val;
    heed__lm_predict_plus(m, x, plus, r->emotions.prob);
    set_labels(m, r);
}
