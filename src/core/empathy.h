/* empathy.h - the empathy stage: three EPITOME mechanisms (emotional reaction,
 * interpretation, exploration), each none/weak/strong, scored on the pair
 * (customer message, reply), with evidence spans in the reply. Pure: no I/O;
 * a model is immutable after loading and may be shared by threads.
 *
 * A model is three 3-class linear models (linmodel.h), one per mechanism, over
 * the shared reply features (featurize.h) plus this stage's own cue and pair
 * features (empathy.c). A small curated list of customer-service phrasings
 * ("sorry to hear", "I understand how frustrating", "could you tell me what
 * happened?") raises a mechanism from "none", and near-misses (a negated
 * understanding, a request for an order number) veto one: the
 * model learns from Reddit peer support, the cues bridge to support replies
 * (docs/empathy.md). */
#ifndef HEED_EMPATHY_H
#define HEED_EMPATHY_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "heed/heed.h"
#include "linmodel.h"

typedef struct heed_empathy_model heed_empathy_model;

/* Options of the shared extractor for the reply part of the features, and the
 * version of this stage's own features. A model records both; any change that
 * would give other vectors bumps the version. */
#define HEED_EMPATHY_FEAT_FLAGS       0u
#define HEED_EMPATHY_FEATURES_VERSION 3u

/* Flags of heed__empathy_run. */
#define HEED_EMPATHY_NO_CUES  0x01u /* the models alone: no cue floor, no veto */
#define HEED_EMPATHY_NO_SPANS 0x02u /* levels and scores only */

/* Bounds on the work per reply (untrusted input): sentences scored alone for
 * evidence spans, spans kept, tokens of each side compared for overlap. */
#define HEED_EMPATHY_MAX_SENTENCES 64u
#define HEED_EMPATHY_MAX_SPANS     32u
#define HEED_EMPATHY_MAX_OVERLAP   400u

/* The file: magic "HEEDEMP1", then for each mechanism in HEED_EMPATHY_MAP
 * order a little-endian uint32 length and that many bytes of a HEEDLM model
 * (3-class, labels none/weak/strong, made with the features above). */
#define HEED_EMPATHY_MAGIC "HEEDEMP1"

/* Loads an empathy model from [bytes, bytes+len) (copied); flags as
 * heed__lm_load_flags' (HEED_LM_EMBEDDED for the model built in, else 0). len 0
 * is "no model": HEED_OK with *out NULL. Errors: HEED_EMODEL with err->msg,
 * HEED_ENOMEM. */
HEED_NODISCARD int heed__empathy_new(const void *bytes, size_t len, unsigned flags,
                                     heed_empathy_model **out, heed_error *err);
void heed__empathy_free(heed_empathy_model *m);

/* Fills r->empathy for the reply in r (tokens, sentences, valence set); ctx is
 * the analysed customer message it answers, or NULL. m NULL leaves
 * empathy.available 0. Returns HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__empathy(const heed_empathy_model *m, heed_arena *a, heed_result *r,
                                 const heed_result *ctx);

/* The same given what the caller made already, each NULL when not: words,
 * r's features with HEED_EMPATHY_FEAT_FLAGS (heed__features); rth and cth,
 * the heed__hash of the normalised form of each token of r and of ctx. */
HEED_NODISCARD int heed__empathy_with(const heed_empathy_model *m, heed_arena *a, heed_result *r,
                                      const heed_result *ctx, const heed_sparse *words,
                                      const uint64_t *rth, const uint64_t *cth);

/* The same with HEED_EMPATHY_* flags (for evaluation). */
HEED_NODISCARD int heed__empathy_run(const heed_empathy_model *m, heed_arena *a, heed_result *r,
                                     const heed_result *ctx, unsigned flags);

/* The feature vector of the pair (reply r, customer message ctx or NULL) into
 * arena memory, as training and prediction use it. m: a loaded model, whose
 * compiled cue tables are used, or NULL (training: the tables are compiled
 * into the arena for this call). Returns HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__empathy_features(const heed_empathy_model *m, heed_arena *a,
                                          const heed_result *r, const heed_result *ctx,
                                          heed_sparse *out);

/* The feature_set tag a mechanism's model must carry, and the caller data
 * (heed__lm_set_aux) it must hold: {HEED_EMPATHY_FEATURES_VERSION}, or
 * {HEED_EMPATHY_FEATURES_VERSION, w} with w in [0, 1) the weight of the best
 * sentence's score in the decision above "none" (empathy.c). */
uint32_t heed__empathy_feature_set(void);

/* Writes a model file from the three trained mechanism models (lm[i] for
 * HEED_EMPATHY_i). Returns HEED_OK, HEED_EINVAL (a model of the wrong shape) or
 * the buffer's error. */
HEED_NODISCARD int heed__empathy_pack(heed_lm *const lm[HEED_EMPATHY_COUNT], heed_buf *out);

#endif
