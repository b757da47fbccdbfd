/* emotions.h - the emotion stage: a multi-label linmodel (HEEDLM) over
 * GoEmotions' 28 labels and its grouping into the 7 CX groups of heed.h and
 * Ekman's 6 emotions (+ neutral). The engine loads one model at creation and
 * fills heed_result.emotions per analysis. Pure; a loaded model is read-only.
 *
 * The model's aux floats (HEED_EMO_AUX_COUNT of them) are the group
 * thresholds tuned on dev: aux[0..7) the CX groups (heed.h order), aux[7..14)
 * the Ekman groups (HEED_EKMAN_* order). A group's score is the largest
 * probability among its member labels; the group is predicted when its score
 * is >= its threshold. The label -> group maps are in emotions.c and
 * docs/emotions.md. */
#ifndef HEED_EMOTIONS_H
#define HEED_EMOTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "heed/heed.h"
#include "featurize.h"
#include "linmodel.h"

/* Ekman's grouping of the 28 labels (GoEmotions' ekman_mapping.json), with
 * neutral as a seventh group. */
#define HEED_EKMAN_MAP(X)                                                      \
    X(ANGER, 0, "anger") X(DISGUST, 1, "disgust") X(FEAR, 2, "fear")           \
    X(JOY, 3, "joy") X(SADNESS, 4, "sadness") X(SURPRISE, 5, "surprise")       \
    X(NEUTRAL, 6, "neutral")

enum {
#define HEED_X_(name, num, str) HEED_EKMAN_##name = (num),
    HEED_EKMAN_MAP(HEED_X_)
#undef HEED_X_
    HEED_EKMAN_COUNT = 7
};

#define HEED_EMO_AUX_COUNT (HEED_CX_COUNT + HEED_EKMAN_COUNT)

/* Member labels (bit i: GoEmotions label i) of each group. */
extern const uint32_t heed__emo_cx_members[HEED_CX_COUNT];
extern const uint32_t heed__emo_ekman_members[HEED_EKMAN_COUNT];
const char *heed__emo_label_name(int label); /* "admiration"...; NULL out of range */
const char *heed__emo_cx_name(int group);
const char *heed__emo_ekman_name(int group);

/* Group scores from the 28 probabilities: score[g] = max over members. */
void heed__emo_group_scores(const float prob[HEED_EMO_COUNT], const uint32_t *members,
                            int n_groups, float *score);
/* heed__emo_group_scores of the CX groups (heed__emo_cx_members), the same
 * bits, with their members written out. */
void heed__emo_cx_scores(const float prob[HEED_EMO_COUNT], float cx[HEED_CX_COUNT]);

/* Checks that a linmodel is an emotion model this build can use: multi-label,
 * 28 outputs named as heed.h's labels in order, HEED_EMO_AUX_COUNT aux floats,
 * a feature-set id of this extractor version. Returns HEED_OK or HEED_EMODEL
 * with err->msg saying what does not match. */
HEED_NODISCARD int heed__emotions_check(const heed_lm *m, heed_error *err);

/* Loads and checks an emotion model from HEEDLM bytes (copied); flags as
 * heed__lm_load_flags' (HEED_LM_EMBEDDED for the model built in, else 0).
 * Returns HEED_OK, HEED_EMODEL (with a message, pos the offset for format
 * errors), HEED_ENOMEM. *out is NULL on failure. */
HEED_NODISCARD int heed__emotions_load(const void *bytes, size_t len, unsigned flags, heed_lm **out,
                                       heed_error *err);

/* Fills r->emotions from r's tokens, sentences, evidence and valence, with
 * scratch memory from `a`. Returns HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__emotions_predict(const heed_lm *m, heed_arena *a, heed_result *r);

/* The same from r's feature vector x, made with the options of
 * heed__emotions_feat_opts. */
void heed__emotions_predict_x(const heed_lm *m, heed_sparse x, heed_result *r);

/* Each word of a table of frequent words with the sum of the model's rows
 * of its character n-gram keys (heed__lm_add_rows of its keys): a word of
 * a message then adds one row times the n-grams' value instead of one a
 * key. Read-only once made: any number of threads may share it. */
typedef struct heed_emo_sums heed_emo_sums;

/* Makes the sums of m's rows for the words of ws, which must hold the keys of
 * the n-grams of m's features (heed__emotions_feat_opts; else HEED_EINVAL).
 * Returns HEED_OK and sets *out, or HEED_EINVAL / HEED_ENOMEM (*out NULL). */
HEED_NODISCARD int heed__emo_sums_new(const heed_lm *m, const heed_words *ws,
                                      heed_emo_sums **out);
void heed__emo_sums_free(heed_emo_sums *s); /* NULL does nothing */
/* The sum of word i of the table (HEED_EMO_COUNT floats), NULL past its
 * words (for tests). */
const float *heed__emo_sums_word(const heed_emo_sums *s, size_t i);
/* From now on s is added by the portable loop, not the AVX2 one (for
 * tests: the CPUs without AVX2 take it). */
void heed__emo_sums_portable(heed_emo_sums *s);

/* heed__emotions_predict_x of the features x, ids, n_ids and char_val that
 * heed__features_pair_summed makes with the table s was made from: x's
 * features plus, for each of the words ids[0..n_ids), its sum in s times
 * char_val. The same probabilities as heed__emotions_predict_x of the whole
 * vector up to float rounding (the rows are added in another order). */
void heed__emotions_predict_sums(const heed_lm *m, const heed_emo_sums *s, heed_sparse x,
                                 const uint32_t *ids, size_t n_ids, float char_val,
                                 heed_result *r);

/* The feature extractor options of the model (checked by
 * heed__emotions_check). */
heed_feat_opts heed__emotions_feat_opts(const heed_lm *m);

#endif
