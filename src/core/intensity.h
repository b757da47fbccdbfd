/* intensity.h - the intensity regressors: valence and arousal (EmoBank scale
 * 1..5) and distress (Empathic Reactions scale 1..7), three linear regressions
 * (linmodel.h) over the shared features (featurize.h), kept in one model file
 * (the "HEEDINT" container, below). Pure: no I/O; a loaded model is immutable
 * and may be shared by threads. See docs/intensity.md. */
#ifndef HEED_INTENSITY_H
#define HEED_INTENSITY_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "featurize.h"
#include "heed/heed.h"
#include "linmodel.h"

enum { HEED_INT_VALENCE = 0, HEED_INT_AROUSAL, HEED_INT_DISTRESS, HEED_INT_COUNT };

/* "valence", "arousal", "distress": the label each regressor carries. */
extern const char *const heed__intensity_names[HEED_INT_COUNT];

/* The scale of each output: predictions are clamped to [lo, hi]. */
void heed__intensity_range(int which, float *lo, float *hi);

typedef struct heed_intensity_model heed_intensity_model;

/* File format (all integers little-endian):
 *   8 bytes  "HEEDINT1"
 *   u32      number of regressors: HEED_INT_COUNT
 *   per regressor, in the order of heed__intensity_names:
 *     u32    length L, then L bytes: a HEEDLM model (lm_file.c; checksummed)
 *            of kind regression with 1 output labelled with the name, the
 *            features id of this extractor version, and 2 aux floats: the
 *            target mean and standard deviation the output is scaled by
 *   nothing after the last one.
 * All three must use the same feature options. */

/* Loads a model from [bytes, bytes+len) (copied); flags as
 * heed__lm_load_flags' (HEED_LM_EMBEDDED for the model built in, else 0).
 * Errors: HEED_EMODEL with err->msg and err->pos (the offset of the problem),
 * HEED_EINVAL (NULL), HEED_ENOMEM; *out is NULL then. */
HEED_NODISCARD int heed__intensity_load(const void *bytes, size_t len, unsigned flags,
                                        heed_intensity_model **out, heed_error *err);

/* Frees a model; NULL does nothing. */
void heed__intensity_free(heed_intensity_model *m);
/* From now on m predicts by the portable loop, not the AVX2 one (for tests:
 * the CPUs without AVX2 take it). */
void heed__intensity_portable(heed_intensity_model *m);

/* Appends the container of the three regressors (each as described above) to
 * out. Returns HEED_OK, HEED_EINVAL (a model of the wrong shape) or the
 * buffer's error. */
HEED_NODISCARD int heed__intensity_save(const heed_lm *const lms[HEED_INT_COUNT], heed_buf *out);

/* The feature options the model's regressors were trained with. */
heed_feat_opts heed__intensity_feat_opts(const heed_intensity_model *m);

/* The three predictions for features x (made with heed__intensity_feat_opts),
 * scaled back and clamped to each scale. */
void heed__intensity_predict_x(const heed_intensity_model *m, heed_sparse x,
                               float out[HEED_INT_COUNT]);

/* Fills *out (available = 1) from an analysed result r (tokens, sentences,
 * evidence and valence set). Features go into arena a. Returns HEED_OK or
 * HEED_ENOMEM. */
HEED_NODISCARD int heed__intensity_predict(const heed_intensity_model *m, heed_arena *a,
                                           const heed_result *r, heed_intensity *out);

/* The same from features already made with the model's options
 * (heed__intensity_feat_opts), shared with other models. */
void heed__intensity_fill(const heed_intensity_model *m, heed_sparse x, heed_intensity *out);

/* Sets *side (linmodel.h) to the model's table of the three regressors'
 * weights and their biases, for heed__lm_predict_side to sum in its pass over
 * the features. Returns 1, or 0 when the model has no such table (side is
 * left alone then: use heed__intensity_fill). */
int heed__intensity_side(const heed_intensity_model *m, heed_lm_side *side);

/* heed__intensity_fill from the sums of a side that heed__intensity_side set
 * and heed__lm_predict_side summed over the features: the same values. */
void heed__intensity_fill_side(const heed_intensity_model *m, const heed_lm_side *side,
                               heed_intensity *out);

#endif
