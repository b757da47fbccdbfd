/* needs.h - the needs stage: a multi-class linear model (linmodel.h, "HEEDLM")
 * over the shared features (featurize.h) gives a probability for each of the
 * 11 HEED_NEED_* needs; the asks and the message's valence add labels (rules
 * in needs.c and docs/needs.md). Pure: no I/O; a model is immutable after
 * loading and may be shared by threads. */
#ifndef HEED_NEEDS_H
#define HEED_NEEDS_H

#include <stddef.h>

#include "arena.h"
#include "featurize.h"
#include "heed/heed.h"
#include "linmodel.h"

/* The feature options the needs model is trained with; a model carries their
 * id. No character n-grams: they cost about 80% more time in every analysis
 * for about one point of macro-F1 on the dev rows (docs/needs.md). */
#define HEED_NEEDS_FEAT_FLAGS 0u

/* A need is in the predicted set when its probability reaches this (the top
 * need always is). */
#define HEED_NEEDS_LABEL_MIN 0.35f

/* Checks that a loaded model is a needs model: multi-class with 11 outputs
 * named as HEED_NEED_MAP in order, made by this feature extractor. Returns
 * HEED_OK or HEED_EMODEL with err->msg. */
HEED_NODISCARD int heed__needs_check(const heed_lm *m, heed_error *err);

/* Loads and checks a needs model from [bytes, bytes+len) (copied); flags as
 * heed__lm_load_flags' (HEED_LM_EMBEDDED for the model built in, else 0). len
 * 0 is "no model": HEED_OK with *out NULL. Errors: HEED_EMODEL (corrupt or not
 * a needs model, err->msg says what), HEED_ENOMEM. */
HEED_NODISCARD int heed__needs_new(const void *bytes, size_t len, unsigned flags, heed_lm **out,
                                   heed_error *err);

/* Fills r->needs.prob, labels, top and available from the model (r's tokens,
 * sentences, evidence, valence and needs.asks must be set). m NULL leaves
 * needs.available 0. Returns HEED_OK or HEED_ENOMEM (features from `a`). */
HEED_NODISCARD int heed__needs_predict(const heed_lm *m, heed_arena *a, heed_result *r);

/* The same from features already made with HEED_NEEDS_FEAT_FLAGS (shared with
 * other models that use the same options). */
void heed__needs_predict_x(const heed_lm *m, heed_sparse x, heed_result *r);

/* heed__needs_predict_x and, in the same pass over x, the sums of side
 * (heed__lm_predict_side). Returns 1, or 0 when m is not of a shape that pass
 * reads: nothing is done then. */
int heed__needs_predict_side(const heed_lm *m, heed_sparse x, heed_result *r, heed_lm_side *side);

/* The labels rule on its own, for tests: the predicted set from prob, the
 * message valence and the asks (see needs.c). */
uint32_t heed__needs_labels(const float *prob, double valence, const heed_cue *asks, size_t n_asks,
                            int *top);

#endif
