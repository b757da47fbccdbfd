/* linmodel.h - a linear model over sparse hashed features: multi-label
 * (independent sigmoids with per-label thresholds), multi-class (softmax) or
 * regression (squared loss). Trained here by deterministic AdaGrad SGD with
 * averaged weights, saved to and loaded from a checksummed binary format
 * ("HEEDLM"). Pure computation, no I/O: used by emotions, needs and intensity.
 *
 * Feature indices are 32-bit hashes; the model keeps the low `dim_bits` bits
 * (idx & (2^dim_bits - 1)), so extractors need not know the model's size. An
 * index may appear more than once in a vector: the values add up. */
#ifndef HEED_LINMODEL_H
#define HEED_LINMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"
#include "buf.h"

/* What the outputs mean and which loss trains them. */
typedef enum heed_lm_kind {
    HEED_LM_MULTILABEL = 1, /* independent sigmoids; Y row: 0/1 per output */
    HEED_LM_MULTICLASS = 2, /* softmax; Y row: one-hot (or a distribution that
                             * sums to 1: soft targets are allowed) */
    HEED_LM_REGRESSION = 3  /* identity outputs; Y row: real targets; squared loss */
} heed_lm_kind;

/* Class weighting (multi-label: weight of positive examples of a label relative
 * to its negatives; multi-class: weight of an example by its class). The ratio
 * r is negatives/positives (multi-label) or n/(K * count) (multi-class), capped
 * at HEED_LM_MAX_CLASS_WEIGHT. Ignored for regression. */
typedef enum heed_lm_balance {
    HEED_LM_BALANCE_NONE = 0, /* every example weighs 1 */
    HEED_LM_BALANCE_SQRT = 1, /* weight sqrt(r): a softer push for rare labels */
    HEED_LM_BALANCE_FULL = 2  /* weight r: balanced classes */
} heed_lm_balance;

#define HEED_LM_MAX_CLASS_WEIGHT 30.0f

/* How weights are stored in the saved file (and in a model in memory after
 * training or loading; prediction reads the same representation). */
typedef enum heed_lm_encoding {
    HEED_LM_ENC_F32 = 0, /* float32 per weight */
    HEED_LM_ENC_Q8 = 1   /* int8 per weight with one float32 scale per feature row
                          * (about 4x smaller; error <= scale/2 per weight) */
} heed_lm_encoding;

/* Limits the loader enforces on untrusted model bytes. */
#define HEED_LM_MAX_OUTPUTS 1024u
#define HEED_LM_MIN_BITS 8u
#define HEED_LM_MAX_BITS 26u
#define HEED_LM_MAX_LABEL 64u  /* bytes of one label name */
#define HEED_LM_MAX_AUX 4096u  /* floats of caller data (see heed__lm_set_aux) */

/* A sparse feature vector: n (index, value) pairs. Not owned. */
typedef struct heed_sparse {
    const uint32_t *idx;
    const float *val;
    size_t n;
} heed_sparse;

/* Training options. `kind` and `n_outputs` are required; every other field
 * left at zero takes the default noted beside it. */
typedef struct heed_lm_opts {
    int kind;              /* heed_lm_kind (required) */
    uint32_t n_outputs;    /* 1..HEED_LM_MAX_OUTPUTS (required; multi-class: >= 2) */
    uint32_t dim_bits;     /* hash space 2^dim_bits; 0: 20 */
    uint32_t epochs;       /* passes over the data; 0: 10 */
    float lr;              /* AdaGrad base step; 0: 0.2 */
    float l2;              /* L2 penalty applied to the weights an example touches
                            * (sparse L2); 0: none */
    uint64_t seed;         /* shuffling PRNG seed; same seed + data = same model,
                            * byte for byte */
    int balance;           /* heed_lm_balance */
    int no_average;        /* 1: keep the last iterate instead of the average
                            * of all iterates */
    int encoding;          /* heed_lm_encoding of the result */
    float prune;           /* drop feature rows whose largest |weight| is below
                            * this (0: keep every row seen in training) */
    uint32_t feature_set;  /* opaque tag saved with the model: which extractor
                            * (and version) made the vectors; callers check it */
    const char *const *labels; /* n_outputs NUL-terminated names, or NULL for
                                * "0", "1", ...; copied */
    /* Optional progress report, called after each epoch with the mean training
     * loss of that epoch. Returning non-zero stops training early (the model
     * keeps what it learnt so far). */
    int (*progress)(void *ctx, uint32_t epoch, double loss);
    void *progress_ctx;
} heed_lm_opts;

typedef struct heed_lm heed_lm;

/* Trains a model on n examples: X[i] and the row Y[i * n_outputs ...] (layout
 * per heed_lm_kind). Deterministic given opts->seed; single-threaded; allocates
 * through heed__malloc. Thresholds start at 0.5 (multi-label) or 0.
 * On success returns HEED_OK and sets *out (free with heed__lm_free).
 * Errors: HEED_EINVAL (bad opts, n == 0, NULL arrays, non-finite values, a
 * multi-class row without a positive entry), HEED_ENOMEM. *out is NULL then. */
HEED_NODISCARD int heed__lm_train(const heed_lm_opts *opts, const heed_sparse *X, const float *Y,
                                  size_t n, heed_lm **out, heed_error *err);

/* Makes a model from given weights instead of training: n_rows rows, keys[r]
 * strictly increasing and below 2^dim_bits, w[r * n_outputs + k] the weight
 * of output k on that row, bias[k] per output. The opts fields that describe
 * the model (kind, n_outputs, dim_bits, encoding, prune, feature_set, labels)
 * apply; the training ones are ignored. For models built outside
 * heed__lm_train (e.g. one-vs-rest parts combined). Errors: HEED_EINVAL (bad
 * opts or weights, NULL), HEED_ENOMEM; *out is NULL then. */
HEED_NODISCARD int heed__lm_from_weights(const heed_lm_opts *opts, const uint32_t *keys,
                                         const float *w, size_t n_rows, const float *bias,
                                         heed_lm **out, heed_error *err);

/* Row i (0 <= i < heed__lm_n_rows) of a model: its key, and its n_outputs
 * weights into w (dequantised for Q8). Rows come in increasing key order.
 * Returns HEED_OK or HEED_EINVAL (i out of range, NULL). */
HEED_NODISCARD int heed__lm_row(const heed_lm *m, size_t i, uint32_t *key, float *w);

/* The n_outputs biases. */
const float *heed__lm_bias(const heed_lm *m);

/* Frees a model; NULL does nothing. */
void heed__lm_free(heed_lm *m);

/* Writes the outputs for x into out[0 .. n_outputs): probabilities (multi-label:
 * independent, multi-class: summing to 1) or regression values. Reads the model
 * only: thread-safe, allocates nothing. Indices unknown to the model add 0. */
void heed__lm_predict(const heed_lm *m, heed_sparse x, float *out);

/* heed__lm_predict(m, x, out) with plus[k] added to output k's raw score
 * (to its bias, before x's features and the link function), k < n_outputs:
 * the scores of x and of features whose rows' sums (times their value) plus
 * holds. */
void heed__lm_predict_plus(const heed_lm *m, heed_sparse x, const float *plus, float *out);

/* sum[k] += the weight of output k on the row of each key keys[j] (masked to
 * the model's hash space, as prediction masks x's indices), j < n in order,
 * k < n_outputs: what prediction adds for each of them at value 1 (Q8: the
 * row's scale times its int8 weight). Keys the model does not know add 0. */
void heed__lm_add_rows(const heed_lm *m, const uint32_t *keys, size_t n, float *sum);

/* heed__lm_predict of each of the n models ms[i] on the same vector into
 * out[i], the same scores to the bit. Models of one hash space with
 * key-indexed Q8 tables of up to 4 outputs (the empathy stage's three) are
 * read in one pass over the features. */
void heed__lm_predict_each(const heed_lm *const *ms, size_t n, heed_sparse x, float *const *out);

/* A table of rows of 4 floats (16 bytes each, rows from a 16-byte boundary)
 * indexed by feature index & mask, summed in the pass over the features that
 * heed__lm_predict_side makes for a model: sum[k] (in: the start, e.g. the
 * biases) += x.val[j] * rows[(x.idx[j] & mask) * 4 + k] for each j in order,
 * a multiply then an add (no fused multiply-add), k < 4. */
typedef struct heed_lm_side {
    const float *rows;
    uint32_t mask;
    float sum[4];
} heed_lm_side;

/* heed__lm_predict(m, x, out), the same scores to the bit, and side's sums
 * over the same features in one pass (each index read and masked once, the
 * side's sums in a register beside the model's). Returns 1, or 0 when m's table is not of a shape the shared
 * pass reads (a key-indexed Q8 table, AVX2, up to 32 outputs, the scale in
 * the row's padding): nothing is done then, and the caller makes the two
 * separate passes. */
int heed__lm_predict_side(const heed_lm *m, heed_sparse x, float *out, heed_lm_side *side);

/* One output only: out[i * stride] for every index i < 2^dim_bits gets the
 * raw score (before any link function) of the vector {i: 1} minus that of the
 * empty vector, computed with the same float operations as prediction, so
 * for a regression it equals heed__lm_predict({i: 1}) - heed__lm_predict({})
 * to the bit (0 for an index the model does not know), at a fraction of the
 * cost of 2^dim_bits predictions. Returns HEED_OK, or HEED_EINVAL when the
 * model has more than one output. */
int heed__lm_unit_deltas(const heed_lm *m, float *out, size_t stride);

/* Multi-label only: sets each label's threshold to the one that maximises that
 * label's F1 on the n examples (X, Y as for training; typically a dev set).
 * A label counts as predicted when its probability is >= its threshold. A
 * label with no positive example keeps 0.5. If f1 is not NULL it receives
 * n_outputs per-label F1 values at the chosen thresholds.
 * Errors: HEED_EINVAL (not multi-label, n == 0, NULL), HEED_ENOMEM. */
HEED_NODISCARD int heed__lm_tune_thresholds(heed_lm *m, const heed_sparse *X, const float *Y,
                                            size_t n, float *f1, heed_error *err);

/* The threshold that maximises F1 when score[i * stride] >= threshold predicts
 * example i, gold[i * stride] > 0.5 being the truth (n examples). With no
 * positive example: 0.5 and F1 0. *thr and *f1 (if not NULL) get the result.
 * Returns HEED_OK, HEED_EINVAL (NULL, n == 0, stride == 0) or HEED_ENOMEM. */
HEED_NODISCARD int heed__lm_best_threshold(const float *score, const float *gold, size_t n,
                                           size_t stride, float *thr, float *f1);

/* Accessors. Thresholds: n_outputs values (0.5 unless tuned or set). */
int heed__lm_kind(const heed_lm *m);
uint32_t heed__lm_n_outputs(const heed_lm *m);
uint32_t heed__lm_dim_bits(const heed_lm *m);
uint32_t heed__lm_feature_set(const heed_lm *m);
size_t heed__lm_n_rows(const heed_lm *m); /* feature rows stored */
/* Bytes per row of the key-indexed or ranked prediction table, 0 without
 * one (the hash table); *base (when not NULL) gets the rows' address (for
 * tests). */
size_t heed__lm_dense_row_bytes(const heed_lm *m, uintptr_t *base);
/* Whether the prediction table is the ranked one (a sparse model's: its
 * rows side by side, found through a bit per key; see build_slots). */
int heed__lm_ranked(const heed_lm *m);
/* From now on m predicts by the portable loops, not the AVX2 ones (for
 * tests: the CPUs without AVX2 take them). */
void heed__lm_portable(heed_lm *m);
/* Whether m predicts by the AVX2 loops: built with them (not HEED_PORTABLE,
 * src/util/simd.h), on a CPU with AVX2, POPCNT and BMI2, and not made
 * portable (for tests). */
int heed__lm_vector(const heed_lm *m);
const char *heed__lm_label(const heed_lm *m, uint32_t i); /* NUL-terminated; NULL out of range */
const float *heed__lm_thresholds(const heed_lm *m);
/* Sets thresholds[i] for every i (e.g. loaded from elsewhere). */
void heed__lm_set_thresholds(heed_lm *m, const float *thr);

/* Caller data saved with the model: up to HEED_LM_MAX_AUX floats (e.g. group
 * thresholds). Copied. Returns HEED_OK, HEED_EINVAL (too many) or HEED_ENOMEM. */
HEED_NODISCARD int heed__lm_set_aux(heed_lm *m, const float *v, size_t n);
const float *heed__lm_aux(const heed_lm *m, size_t *n);

/* Appends the model in the HEEDLM format (docs in lm_file.c) to out. Returns
 * HEED_OK or the buffer's error (HEED_ENOMEM, HEED_ETOOBIG). Deterministic:
 * the same model gives the same bytes. */
HEED_NODISCARD int heed__lm_save(const heed_lm *m, heed_buf *out);

/* Loads a model from [bytes, bytes+len) (copied: the bytes may be freed after).
 * Every field is checked against len and the limits above; never reads past
 * len. Errors: HEED_EMODEL with err->msg saying what is wrong (truncated, bad
 * magic, unsupported version, absurd sizes, checksum mismatch, ...) and err->pos
 * the offset; HEED_EINVAL (NULL), HEED_ENOMEM. *out is NULL on failure. */
HEED_NODISCARD int heed__lm_load(const void *bytes, size_t len, heed_lm **out, heed_error *err);

/* Flags of heed__lm_load_flags; the loaders of the stages' models (emotions,
 * needs, intensity, empathy) take them too and hand them on. */
enum {
    /* The bytes are part of the program: a model embedded at build time
     * (model_data.h). The trailing checksum, whose pass over every byte was a
     * quarter of the engine's start-up, is not computed (the bytes cannot have
     * been damaged on a disk or in a transfer); every other check is made.
     * The tests load each embedded model without this flag. */
    HEED_LM_EMBEDDED = 1,
    /* No lookup table: the caller predicts from a table of its own, made
     * with heed__lm_unit_deltas. Until heed__lm_build_table, heed__lm_predict
     * may only be given an empty vector (the biases). */
    HEED_LM_NO_TABLE = 2,
    /* The key-indexed table even for a sparse model (when it fits), not the
     * ranked one: the same predictions, bit for bit; for tests that compare
     * the two. */
    HEED_LM_KEY_TABLE = 4,
};

/* heed__lm_load with flags (HEED_LM_*, or 0: the same as heed__lm_load). */
HEED_NODISCARD int heed__lm_load_flags(const void *bytes, size_t len, unsigned flags, heed_lm **out,
                                       heed_error *err);

/* Builds the lookup table of a model loaded with HEED_LM_NO_TABLE (does nothing
 * when it has one). HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__lm_build_table(heed_lm *m);

#endif
