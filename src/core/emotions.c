/* emotions.c - the emotion stage (emotions.h): model checks, the label ->
 * group maps, and prediction into heed_result.emotions. */
#include "emotions.h"

#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "featurize.h"

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

void heed__emotions_predict_x(const heed_lm *m, heed_sparse x, heed_result *r)
{
    heed_emotions *e = &r->emotions;
    /* every field is set below: prob, cx, available; the label bits from 0 */
    e->labels = 0;
    e->cx_labels = 0;
    heed__lm_predict(m, x, e->prob);
    const float *thr = heed__lm_thresholds(m);
    int i = 0;
#if defined(__SSE2__)
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
