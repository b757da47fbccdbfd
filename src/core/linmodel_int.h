/* linmodel_int.h - what the files of the linear model share, and nothing
 * else of heed reads (it uses linmodel.h): the model's layout and the helpers
 * that linmodel.c (tables and prediction), lm_train.c (training and
 * thresholds) and lm_file.c (the HEEDLM format) call in one another. */
#ifndef HEED_LINMODEL_INT_H
#define HEED_LINMODEL_INT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "linmodel.h"

#define EMPTY_SLOT UINT32_MAX

struct heed_lm {
    int kind;
    int encoding;
    uint32_t n_out;
    uint32_t bits;
    uint32_t feature_set;
    size_t n_rows;
    uint32_t *keys;   /* n_rows, strictly increasing */
    float *wf;        /* F32: n_rows * n_out */
    int8_t *wq;       /* Q8: n_rows * n_out */
    float *scale;     /* Q8: n_rows */
    float *bias;      /* n_out */
    float *thr;       /* n_out */
    float *aux;
    size_t n_aux;
    char *label_blob; /* n_out NUL-terminated names, back to back */
    const char **label;
    uint32_t *slots;  /* open-addressing table: row index or EMPTY_SLOT */
    size_t slot_mask;
    /* Prediction table indexed by the key itself when it fits DENSE_MAX
     * bytes: 2^bits rows of `stride` bytes (F32: n_out floats; Q8: n_out
     * int8 padded to a multiple of 8 and a float scale, see build_slots),
     * zero for absent keys, from a 64-byte boundary. One independent memory
     * access per feature instead of a chain of dependent ones through the
     * hash table: prediction is bound by memory latency. */
    unsigned char *dense;
    void *dense_mem; /* the allocation dense lies in */
    /* A sparse model's table (see build_slots): dense holds row 0, zero,
     * then the model's rows in key order; rank[key >> 6] says which keys of
     * its 64 have a row and how many rows come before them. NULL when dense
     * is indexed by the key itself. */
    const struct lm_rank *rank;
    size_t stride;
    size_t w_off, scale_off; /* Q8: where a row's int8 weights and its scale are */
    int avx2; /* the CPU has AVX2: the Q8 dense loop takes 8 outputs a step */
    int fma;  /* and FMA: the emotion model's pass fuses its multiply-adds (q8_plus_fma) */
};


/* 64 keys of a ranked table: bit b of `has` is set when key 64w + b has a
 * row, and `before` counts the rows of the keys below 64w. */
struct lm_rank {
    uint64_t has;
    uint32_t before;
    uint32_t unused;
};


/* The first slot of the open-addressing table (or of training's key map) to
 * probe for a masked key. */
static inline uint32_t slot_of(uint32_t key, size_t mask)
{
    return (uint32_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 32) & (uint32_t)mask;
}

/* The logistic function, without overflow for large |z|. */
static inline float sigmoidf_(float z)
{
    if (z >= 0) {
        float e = expf(-z);
        return 1.0f / (1.0f + e);
    }
    float e = expf(z);
    return e / (1.0f + e);
}

/* Sets *err (when err is not NULL) to code, pos and msg; returns code. */
int heed__lm_fail(heed_error *err, int code, size_t pos, const char *msg);
/* A zeroed model of K outputs over 2^bits hashed features, for training. */
heed_lm *heed__lm_new_model(const heed_lm_opts *opts, uint32_t K, uint32_t bits);
/* Sets the labels from names (NULL: "0", "1", ...); HEED_OK or HEED_ENOMEM. */
int heed__lm_set_labels(heed_lm *m, const char *const *names);
/* Builds the prediction table of a model whose rows are set (linmodel.c:
 * the key-indexed, the ranked or the hash table); flags as for
 * heed__lm_load_flags. HEED_OK or HEED_ENOMEM. */
int heed__lm_build_slots(heed_lm *m, unsigned flags);

#endif
