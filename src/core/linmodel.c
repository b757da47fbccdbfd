/* linmodel.c - the linear model of linmodel.h: training (AdaGrad SGD with
 * averaged weights), prediction, threshold tuning and the HEEDLM file format.
 *
 * The HEEDLM format, version 1. All integers and floats little-endian; floats
 * are IEEE-754 binary32 and must be finite.
 *
 *   off  size            field
 *   0    6               magic "HEEDLM"
 *   6    u16             version (1)
 *   8    u8              kind (heed_lm_kind: 1, 2 or 3)
 *   9    u8              encoding (heed_lm_encoding: 0 F32, 1 Q8)
 *   10   u16             reserved, 0
 *   12   u32             n_outputs K (1..HEED_LM_MAX_OUTPUTS; multi-class >= 2)
 *   16   u32             dim_bits (HEED_LM_MIN_BITS..HEED_LM_MAX_BITS)
 *   20   u32             feature_set (opaque tag of the feature extractor)
 *   24   u32             n_rows R (<= 2^dim_bits)
 *   28   u32             n_aux A (<= HEED_LM_MAX_AUX)
 *   32   K x (u8 len, len bytes)   label names, 1..HEED_LM_MAX_LABEL bytes,
 *                                   no NUL byte
 *        K x f32         bias
 *        K x f32         thresholds
 *        A x f32         aux (caller data)
 *        R x u32         feature keys (hash & (2^dim_bits - 1)), strictly
 *                        increasing
 *        F32: R*K x f32  weights, row by row
 *        Q8:  R x f32    row scales (>= 0), then R*K x i8 weights (-127..127);
 *                        weight = scale * q
 *        u64             checksum: FNV-1a 64 of every byte before it
 *
 * Nothing may follow the checksum. The loader checks each field against the
 * bytes left before reading it, so a truncated or corrupt file is reported with
 * the offset of the field that is wrong, never read past its end.
 *
 * Training keeps three arrays per (row, output): weight, AdaGrad accumulator,
 * and the running sum for averaging (w_avg = w - u / c, with u the sum of
 * c * step over time c), so rows are the distinct hashed features of the
 * training set and the averaging costs no extra pass per step. */
#include "linmodel.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif
/* An AVX2 version of the Q8 prediction loop, chosen at run time when the CPU
 * has it (GCC and Clang on x86-64). It does per output exactly the
 * multiplications and additions of the portable loop, in the same order and
 * without fused multiply-add, so the scores are the same to the bit. */
#ifdef HEED_X86_AVX2
#define LM_AVX2 1
#include <immintrin.h>
#endif

#define LM_MAGIC "HEEDLM"
#define LM_VERSION 1u
#define LM_HEADER 32u
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

#define DENSE_MAX ((size_t)64 << 20)
/* Models heed__lm_predict_each reads in one pass. */
#define LM_EACH_MAX 4
/* Below this size the dense table is always built; above it only when the
 * model fills at least an eighth of its hash space (a sparse model would
 * spend megabytes of zeros and their start-up memset for little gain). */
#define DENSE_SMALL ((size_t)8 << 20)

static int fail(heed_error *err, int code, size_t pos, const char *msg)
{
    if (err) {
        err->code = code;
        err->pos = pos;
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
    return code;
}

/* A zeroed model of K outputs over 2^bits hashed features, for training. */
static heed_lm *new_model(const heed_lm_opts *opts, uint32_t K, uint32_t bits)
{
    heed_lm *m = heed__malloc(sizeof *m);
    if (!m)
        return NULL;
    memset(m, 0, sizeof *m);
    m->kind = opts->kind;
    m->n_out = K;
    m->bits = bits;
    m->feature_set = opts->feature_set;
    return m;
}

static uint32_t slot_of(uint32_t key, size_t mask)
{
    return (uint32_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 32) & (uint32_t)mask;
}

void heed__lm_free(heed_lm *m)
{
    if (!m)
        return;
    heed__free(m->keys);
    heed__free(m->wf);
    heed__free(m->wq);
    heed__free(m->scale);
    heed__free(m->bias);
    heed__free(m->thr);
    heed__free(m->aux);
    heed__free(m->label_blob);
    heed__free(m->label);
    heed__free(m->slots);
    heed__free(m->dense_mem);
    heed__free(m);
}

/* Copies n bytes (a row of weights: n is the same for every row of a model)
 * by fixed moves of 8, 4, 2 or 1 bytes, the last overlapping the one before,
 * instead of a call to memcpy per row (a model has up to 2^dim_bits rows to
 * lay out at each start; a loop here would become that call again). */
static inline void copy_row(unsigned char *restrict d, const unsigned char *restrict s, size_t n)
{
    if (n > 32) {
        memcpy(d, s, n);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        if (n > 16)
            memcpy(d + 8, s + 8, 8);
        if (n > 24)
            memcpy(d + 16, s + 16, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n >= 2) {
        memcpy(d, s, 2);
        memcpy(d + n - 2, s + n - 2, 2);
    } else if (n == 1) {
        d[0] = s[0];
    }
}

/* Writes row r of m (its weights, and a Q8 row's scale) at d, laid out as
 * build_slots says. */
static void put_row(const heed_lm *m, unsigned char *d, size_t r)
{
    const size_t K = m->n_out;
    if (m->encoding == HEED_LM_ENC_F32) {
        copy_row(d, (const unsigned char *)(m->wf + r * K), K * sizeof(float));
    } else {
        memcpy(d + m->scale_off, &m->scale[r], sizeof(float));
        copy_row(d + m->w_off, (const unsigned char *)(m->wq + r * K), K);
    }
}

/* Hash spaces up to this many bits get a ranked table when sparse (its
 * index is 2^bits / 4 bytes: 1 MB at 22 bits); wider ones the hash table. */
#define RANK_MAX_BITS 22u

/* Builds the lookup table over m->keys: the ranked table when the model is
 * sparse (fewer rows than a quarter of its hash space) and flags has no
 * HEED_LM_KEY_TABLE, else the key-indexed table when it is small enough
 * (see DENSE_SMALL), else the hash table find_row reads. */
static int build_slots(heed_lm *m, unsigned flags)
{
    const size_t K = m->n_out;
    /* Q8 rows hold the weights padded to a multiple of 8 (Kp), so that the
     * prediction loop works in fixed blocks the compiler vectorises, and the
     * scale: in the last 4 bytes of the padding when it has them (28 outputs:
     * 32-byte rows, 11: 16-byte rows, so that a row never straddles two
     * cache lines; the loop's padding lanes then hold the scale's bytes, and
     * their sums are thrown away), else before the weights. */
    const size_t Kp = (K + 7) & ~(size_t)7;
    m->w_off = 0;
    m->scale_off = 0;
    if (m->encoding == HEED_LM_ENC_F32) {
        m->stride = K * sizeof(float);
    } else if (Kp - K >= sizeof(float)) {
        m->stride = Kp;
        m->scale_off = Kp - sizeof(float);
    } else {
        m->stride = (sizeof(float) + Kp + 7) & ~(size_t)7;
        m->w_off = sizeof(float);
    }
#if defined(LM_AVX2)
    m->avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") &&
              __builtin_cpu_supports("bmi2");
    m->fma = m->avx2 && __builtin_cpu_supports("fma") != 0;
#endif
    const size_t rows = (size_t)1 << m->bits;
    const size_t stride = m->stride;
    if (m->n_rows * 4 < rows && m->bits <= RANK_MAX_BITS && !(flags & HEED_LM_KEY_TABLE)) {
        /* The ranked table: the rows side by side after a zero row, found
         * through an index of a bit per key and a count per 64 keys. A key
         * without a row costs no miss (they all share row 0), and the rows
         * a text reads lie in a few hundred kilobytes instead of a table of
         * megabytes that is mostly zeros. The index is a multiple of 64
         * bytes (bits >= 8), so the rows start on a cache line too. */
        const size_t words = rows / 64, index = words * sizeof(struct lm_rank);
        m->dense_mem = heed__calloc(64 + index + (m->n_rows + 1) * stride, 1);
        if (!m->dense_mem)
            return HEED_ENOMEM;
        unsigned char *base = (unsigned char *)m->dense_mem + (-(uintptr_t)m->dense_mem & 63);
        struct lm_rank *rank = (struct lm_rank *)(void *)base;
        m->dense = base + index;
        for (size_t r = 0; r < m->n_rows; r++) {
            rank[m->keys[r] >> 6].has |= 1ull << (m->keys[r] & 63);
            put_row(m, m->dense + (r + 1) * stride, r);
        }
        uint32_t before = 0;
        for (size_t w = 0; w < words; w++) {
            rank[w].before = before;
            before += (uint32_t)__builtin_popcountll(rank[w].has);
        }
        m->rank = rank;
        return HEED_OK;
    }
    if (stride <= DENSE_MAX >> m->bits &&
        (rows * stride <= DENSE_SMALL || m->n_rows * 8 >= rows)) {
        /* zeroed by the allocator: fresh pages need no memset pass; 64
         * bytes more to start the rows on a cache line */
        m->dense_mem = heed__calloc(rows * stride + 64, 1);
        if (!m->dense_mem)
            return HEED_ENOMEM;
        m->dense = (unsigned char *)m->dense_mem + (-(uintptr_t)m->dense_mem & 63);
        for (size_t r = 0; r < m->n_rows; r++)
            put_row(m, m->dense + (size_t)m->keys[r] * stride, r);
        return HEED_OK; /* find_row is not used */
    }
    size_t cap = 16;
    while (cap < m->n_rows * 2)
        cap <<= 1;
    m->slots = heed__malloc(cap * sizeof *m->slots);
    if (!m->slots)
        return HEED_ENOMEM;
    memset(m->slots, 0xff, cap * sizeof *m->slots);
    m->slot_mask = cap - 1;
    for (size_t r = 0; r < m->n_rows; r++) {
        uint32_t s = slot_of(m->keys[r], m->slot_mask);
        while (m->slots[s] != EMPTY_SLOT)
            s = (s + 1) & (uint32_t)m->slot_mask;
        m->slots[s] = (uint32_t)r;
    }
    return HEED_OK;
}

/* The row a masked key reads in a ranked table: its rank among the keys
 * with a row (from 1), or 0 (the zero row) for a key without one. The key's
 * bit shifted to the top of its 64 leaves the bits of the keys up to it,
 * whose count is the rank, and says by its sign whether the key has a row. */
static inline size_t rank_row(const struct lm_rank *rank, uint32_t key)
{
    const struct lm_rank *e = rank + (key >> 6);
    const uint64_t upto = e->has << (~key & 63); /* this key's bit on top */
    return (e->before + (uint32_t)__builtin_popcountll(upto)) & (0u - (uint32_t)(upto >> 63));
}

/* The row of a masked key: in the key-indexed table the key itself. */
static inline const unsigned char *row_of(const heed_lm *m, uint32_t key)
{
    return m->dense + (m->rank ? rank_row(m->rank, key) : key) * m->stride;
}

static size_t find_row(const heed_lm *m, uint32_t key)
{
    uint32_t s = slot_of(key, m->slot_mask);
    for (;;) {
        uint32_t r = m->slots[s];
        if (r == EMPTY_SLOT)
            return SIZE_MAX;
        if (m->keys[r] == key)
            return r;
        s = (s + 1) & (uint32_t)m->slot_mask;
    }
}

/* Sets the labels from names (NULL: "0", "1", ...). Names are cut to
 * HEED_LM_MAX_LABEL bytes; an empty name becomes its number. */
static int set_labels(heed_lm *m, const char *const *names)
{
    size_t total = 0;
    char num[16];
    for (uint32_t i = 0; i < m->n_out; i++) {
        size_t l = names && names[i] ? strlen(names[i]) : 0;
        if (l > HEED_LM_MAX_LABEL)
            l = HEED_LM_MAX_LABEL;
        if (l == 0)
            l = (size_t)snprintf(num, sizeof num, "%u", i);
        total += l + 1;
    }
    m->label_blob = heed__malloc(total);
    m->label = heed__malloc(m->n_out * sizeof *m->label);
    if (!m->label_blob || !m->label)
        return HEED_ENOMEM;
    char *p = m->label_blob;
    for (uint32_t i = 0; i < m->n_out; i++) {
        size_t l = names && names[i] ? strlen(names[i]) : 0;
        if (l > HEED_LM_MAX_LABEL)
            l = HEED_LM_MAX_LABEL;
        m->label[i] = p;
        if (l == 0) {
            l = (size_t)snprintf(num, sizeof num, "%u", i);
            memcpy(p, num, l);
        } else {
            memcpy(p, names[i], l);
        }
        p[l] = '\0';
        p += l + 1;
    }
    return HEED_OK;
}

/* ---------------------------------------------------------------- training */

/* splitmix64: the shuffling PRNG. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static float sigmoidf_(float z)
{
    if (z >= 0) {
        float e = expf(-z);
        return 1.0f / (1.0f + e);
    }
    float e = expf(z);
    return e / (1.0f + e);
}

/* A growing open-addressing map from masked feature keys to dense row ids,
 * used while training only. */
typedef struct keymap {
    uint32_t *key, *row;
    size_t cap, n;
} keymap;

static int keymap_grow(keymap *km)
{
    size_t ncap = km->cap ? km->cap * 2 : 1024;
    uint32_t *nk = heed__malloc(ncap * sizeof *nk);
    uint32_t *nr = heed__malloc(ncap * sizeof *nr);
    if (!nk || !nr) {
        heed__free(nk);
        heed__free(nr);
        return HEED_ENOMEM;
    }
    memset(nr, 0xff, ncap * sizeof *nr);
    for (size_t i = 0; i < km->cap; i++) {
        if (km->row[i] == EMPTY_SLOT)
            continue;
        uint32_t s = slot_of(km->key[i], ncap - 1);
        while (nr[s] != EMPTY_SLOT)
            s = (s + 1) & (uint32_t)(ncap - 1);
        nk[s] = km->key[i];
        nr[s] = km->row[i];
    }
    heed__free(km->key);
    heed__free(km->row);
    km->key = nk;
    km->row = nr;
    km->cap = ncap;
    return HEED_OK;
}

static int keymap_get(keymap *km, uint32_t key, uint32_t *row)
{
    if ((km->n + 1) * 2 > km->cap && keymap_grow(km) != HEED_OK)
        return HEED_ENOMEM;
    uint32_t s = slot_of(key, km->cap - 1);
    while (km->row[s] != EMPTY_SLOT) {
        if (km->key[s] == key) {
            *row = km->row[s];
            return HEED_OK;
        }
        s = (s + 1) & (uint32_t)(km->cap - 1);
    }
    km->key[s] = key;
    km->row[s] = (uint32_t)km->n;
    *row = (uint32_t)km->n++;
    return HEED_OK;
}

static int check_opts(const heed_lm_opts *o, heed_error *err)
{
    if (o->kind != HEED_LM_MULTILABEL && o->kind != HEED_LM_MULTICLASS &&
        o->kind != HEED_LM_REGRESSION)
        return fail(err, HEED_EINVAL, 0, "linmodel: unknown model kind");
    if (o->n_outputs < 1 || o->n_outputs > HEED_LM_MAX_OUTPUTS ||
        (o->kind == HEED_LM_MULTICLASS && o->n_outputs < 2))
        return fail(err, HEED_EINVAL, 0, "linmodel: bad number of outputs");
    if (o->dim_bits && (o->dim_bits < HEED_LM_MIN_BITS || o->dim_bits > HEED_LM_MAX_BITS))
        return fail(err, HEED_EINVAL, 0, "linmodel: dim_bits out of range");
    if (!(o->lr >= 0) || !isfinite(o->lr) || !(o->l2 >= 0) || !isfinite(o->l2) ||
        !(o->prune >= 0) || !isfinite(o->prune))
        return fail(err, HEED_EINVAL, 0, "linmodel: lr, l2 and prune must be finite and >= 0");
    if (o->balance < HEED_LM_BALANCE_NONE || o->balance > HEED_LM_BALANCE_FULL)
        return fail(err, HEED_EINVAL, 0, "linmodel: unknown balance mode");
    if (o->encoding != HEED_LM_ENC_F32 && o->encoding != HEED_LM_ENC_Q8)
        return fail(err, HEED_EINVAL, 0, "linmodel: unknown encoding");
    return HEED_OK;
}

static float class_weight(double r, int balance)
{
    if (balance == HEED_LM_BALANCE_NONE || !(r > 0))
        return 1.0f;
    double w = balance == HEED_LM_BALANCE_SQRT ? sqrt(r) : r;
    if (w > HEED_LM_MAX_CLASS_WEIGHT)
        w = HEED_LM_MAX_CLASS_WEIGHT;
    return (float)w;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Quantises/prunes the averaged weights `w` (n_rows x K) into m. */
static int finish_model(heed_lm *m, const uint32_t *keys, const float *w, size_t n_rows,
                        float prune, int encoding)
{
    const uint32_t K = m->n_out;
    /* Rows kept, in increasing key order. */
    size_t *order = heed__malloc((n_rows ? n_rows : 1) * sizeof *order);
    if (!order)
        return HEED_ENOMEM;
    size_t kept = 0;
    for (size_t r = 0; r < n_rows; r++) {
        float mx = 0;
        for (uint32_t k = 0; k < K; k++) {
            float a = fabsf(w[r * K + k]);
            if (a > mx)
                mx = a;
        }
        if (mx > 0 && mx >= prune)
            order[kept++] = r;
    }
    /* Kept rows sorted by key: (key << 32 | row) pairs. */
    uint64_t *pairs = heed__malloc((kept ? kept : 1) * sizeof *pairs);
    if (!pairs) {
        heed__free(order);
        return HEED_ENOMEM;
    }
    for (size_t i = 0; i < kept; i++)
        pairs[i] = (uint64_t)keys[order[i]] << 32 | (uint64_t)order[i];
    heed__free(order);
    qsort(pairs, kept, sizeof *pairs, cmp_u64);

    m->n_rows = kept;
    m->encoding = encoding;
    m->keys = heed__malloc((kept ? kept : 1) * sizeof *m->keys);
    if (encoding == HEED_LM_ENC_F32) {
        m->wf = heed__malloc((kept ? kept : 1) * K * sizeof *m->wf);
    } else {
        m->wq = heed__malloc((kept ? kept : 1) * K * sizeof *m->wq);
        m->scale = heed__malloc((kept ? kept : 1) * sizeof *m->scale);
    }
    if (!m->keys || (encoding == HEED_LM_ENC_F32 ? !m->wf : (!m->wq || !m->scale))) {
        heed__free(pairs);
        return HEED_ENOMEM;
    }
    for (size_t i = 0; i < kept; i++) {
        size_t r = (size_t)(pairs[i] & 0xffffffffu);
        m->keys[i] = (uint32_t)(pairs[i] >> 32);
        const float *src = w + r * K;
        if (encoding == HEED_LM_ENC_F32) {
            memcpy(m->wf + i * K, src, K * sizeof *src);
        } else {
            float mx = 0;
            for (uint32_t k = 0; k < K; k++)
                if (fabsf(src[k]) > mx)
                    mx = fabsf(src[k]);
            float sc = mx / 127.0f;
            m->scale[i] = sc;
            for (uint32_t k = 0; k < K; k++) {
                long q = sc > 0 ? lrintf(src[k] / sc) : 0;
                if (q > 127)
                    q = 127;
                if (q < -127)
                    q = -127;
                m->wq[i * K + k] = (int8_t)q;
            }
        }
    }
    heed__free(pairs);
    return build_slots(m, 0);
}

int heed__lm_train(const heed_lm_opts *opts, const heed_sparse *X, const float *Y, size_t n,
                   heed_lm **out, heed_error *err)
{
    if (out)
        *out = NULL;
    if (!opts || !X || !Y || !out)
        return fail(err, HEED_EINVAL, 0, "linmodel: NULL argument");
    if (n == 0)
        return fail(err, HEED_EINVAL, 0, "linmodel: no training examples");
    if (n > UINT32_MAX)
        return fail(err, HEED_EINVAL, 0, "linmodel: too many training examples");
    int rc = check_opts(opts, err);
    if (rc != HEED_OK)
        return rc;

    const uint32_t K = opts->n_outputs;
    const uint32_t bits = opts->dim_bits ? opts->dim_bits : 20;
    const uint32_t mask = (uint32_t)((1ull << bits) - 1);
    const uint32_t epochs = opts->epochs ? opts->epochs : 10;
    const float lr = opts->lr > 0 ? opts->lr : 0.2f;
    const float l2 = opts->l2;

    /* Validate the data. */
    size_t total_nnz = 0;
    for (size_t i = 0; i < n; i++) {
        if (X[i].n && (!X[i].idx || !X[i].val))
            return fail(err, HEED_EINVAL, i, "linmodel: NULL feature arrays");
        for (size_t j = 0; j < X[i].n; j++)
            if (!isfinite(X[i].val[j]))
                return fail(err, HEED_EINVAL, i, "linmodel: non-finite feature value");
        total_nnz += X[i].n;
        int pos = 0;
        for (uint32_t k = 0; k < K; k++) {
            float y = Y[i * K + k];
            if (!isfinite(y))
                return fail(err, HEED_EINVAL, i, "linmodel: non-finite target");
            if (opts->kind != HEED_LM_REGRESSION && (y < 0 || y > 1))
                return fail(err, HEED_EINVAL, i, "linmodel: target outside 0..1");
            if (y > 0)
                pos = 1;
        }
        if (opts->kind == HEED_LM_MULTICLASS && !pos)
            return fail(err, HEED_EINVAL, i, "linmodel: multi-class row without a class");
    }

    heed_lm *m = new_model(opts, K, bits);
    if (!m)
        return fail(err, HEED_ENOMEM, 0, "linmodel: out of memory");

    keymap km = {0};
    uint32_t *rows = heed__malloc((total_nnz ? total_nnz : 1) * sizeof *rows);
    size_t *start = heed__malloc((n + 1) * sizeof *start);
    uint32_t *perm = heed__malloc(n * sizeof *perm);
    float *cw = heed__malloc(K * sizeof *cw);     /* positive / class weights */
    float *g = heed__malloc(K * sizeof *g);       /* per-output gradient */
    float *z = heed__malloc(K * sizeof *z);
    float *w = NULL, *acc = NULL, *avg = NULL;
    float *b = heed__malloc(K * sizeof *b), *bacc = heed__malloc(K * sizeof *bacc),
          *bavg = heed__malloc(K * sizeof *bavg);
    rc = HEED_ENOMEM;
    if (!rows || !start || !perm || !cw || !g || !z || !b || !bacc || !bavg)
        goto fail;
    m->bias = heed__malloc(K * sizeof *m->bias);
    m->thr = heed__malloc(K * sizeof *m->thr);
    if (!m->bias || !m->thr || set_labels(m, opts->labels) != HEED_OK)
        goto fail;

    /* Dense row ids of every feature occurrence. */
    size_t p = 0;
    for (size_t i = 0; i < n; i++) {
        start[i] = p;
        for (size_t j = 0; j < X[i].n; j++)
            if (keymap_get(&km, X[i].idx[j] & mask, &rows[p++]) != HEED_OK)
                goto fail;
    }
    start[n] = p;
    const size_t n_rows = km.n;
    const size_t cells = (n_rows ? n_rows : 1) * K;
    w = heed__malloc(cells * sizeof *w);
    acc = heed__malloc(cells * sizeof *acc);
    avg = heed__malloc(cells * sizeof *avg);
    if (!w || !acc || !avg)
        goto fail;
    memset(w, 0, cells * sizeof *w);
    memset(acc, 0, cells * sizeof *acc);
    memset(avg, 0, cells * sizeof *avg);
    memset(b, 0, K * sizeof *b);
    memset(bacc, 0, K * sizeof *bacc);
    memset(bavg, 0, K * sizeof *bavg);

    /* Class weights. */
    for (uint32_t k = 0; k < K; k++) {
        double pos = 0;
        for (size_t i = 0; i < n; i++)
            pos += Y[i * K + k] > 0 ? (opts->kind == HEED_LM_MULTILABEL ? 1.0 : Y[i * K + k]) : 0;
        double r = 0;
        if (opts->kind == HEED_LM_MULTILABEL && pos > 0)
            r = ((double)n - pos) / pos;
        else if (opts->kind == HEED_LM_MULTICLASS && pos > 0)
            r = (double)n / ((double)K * pos);
        cw[k] = opts->kind == HEED_LM_REGRESSION ? 1.0f : class_weight(r, opts->balance);
    }

    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    uint64_t rng = opts->seed;
    double c = 1; /* step counter for averaging */
    const float eps = 1e-6f;
    for (uint32_t ep = 0; ep < epochs; ep++) {
        for (size_t i = n - 1; i > 0; i--) {
            size_t jx = (size_t)(next_rand(&rng) % (uint64_t)(i + 1));
            uint32_t t = perm[i];
            perm[i] = perm[jx];
            perm[jx] = t;
        }
        double loss = 0;
        for (size_t ii = 0; ii < n; ii++) {
            const size_t i = perm[ii];
            const heed_sparse *x = &X[i];
            const uint32_t *rr = rows + start[i];
            const float *y = Y + i * K;
            for (uint32_t k = 0; k < K; k++)
                z[k] = b[k];
            for (size_t j = 0; j < x->n; j++) {
                const float v = x->val[j];
                const float *wr = w + (size_t)rr[j] * K;
                for (uint32_t k = 0; k < K; k++)
                    z[k] += v * wr[k];
            }
            if (opts->kind == HEED_LM_MULTILABEL) {
                for (uint32_t k = 0; k < K; k++) {
                    float pk = sigmoidf_(z[k]);
                    float wt = y[k] > 0 ? cw[k] : 1.0f;
                    g[k] = wt * (pk - y[k]);
                    loss -= wt * (y[k] * log(pk + 1e-12) + (1 - y[k]) * log(1 - pk + 1e-12));
                }
            } else if (opts->kind == HEED_LM_MULTICLASS) {
                float mx = z[0];
                for (uint32_t k = 1; k < K; k++)
                    if (z[k] > mx)
                        mx = z[k];
                double s = 0;
                for (uint32_t k = 0; k < K; k++) {
                    z[k] = expf(z[k] - mx);
                    s += z[k];
                }
                float wt = 0;
                for (uint32_t k = 0; k < K; k++)
                    wt += y[k] * cw[k];
                for (uint32_t k = 0; k < K; k++) {
                    float pk = (float)(z[k] / s);
                    g[k] = wt * (pk - y[k]);
                    if (y[k] > 0)
                        loss -= wt * y[k] * log(pk + 1e-12);
                }
            } else {
                for (uint32_t k = 0; k < K; k++) {
                    g[k] = z[k] - y[k];
                    loss += 0.5 * g[k] * g[k];
                }
            }
            const float cf = (float)c;
            for (size_t j = 0; j < x->n; j++) {
                const float v = x->val[j];
                const size_t base = (size_t)rr[j] * K;
                for (uint32_t k = 0; k < K; k++) {
                    float gr = g[k] * v + l2 * w[base + k];
                    if (gr == 0)
                        continue;
                    acc[base + k] += gr * gr;
                    float step = lr * gr / sqrtf(acc[base + k] + eps);
                    w[base + k] -= step;
                    avg[base + k] -= cf * step;
                }
            }
            for (uint32_t k = 0; k < K; k++) {
                float gr = g[k];
                if (gr == 0)
                    continue;
                bacc[k] += gr * gr;
                float step = lr * gr / sqrtf(bacc[k] + eps);
                b[k] -= step;
                bavg[k] -= cf * step;
            }
            c += 1;
        }
        if (opts->progress && opts->progress(opts->progress_ctx, ep + 1, loss / (double)n))
            break;
    }

    /* Averaged weights: w - u / c (u accumulated c * step with the sign of
     * the step), unless the caller wants the last iterate. */
    if (!opts->no_average) {
        const float inv = (float)(1.0 / c);
        for (size_t q = 0; q < n_rows * K; q++)
            w[q] -= avg[q] * inv;
        for (uint32_t k = 0; k < K; k++)
            b[k] -= bavg[k] * inv;
    }
    for (uint32_t k = 0; k < K; k++) {
        m->bias[k] = b[k];
        m->thr[k] = opts->kind == HEED_LM_MULTILABEL ? 0.5f : 0.0f;
    }
    /* Row keys in dense order. */
    heed__free(acc);
    acc = NULL;
    uint32_t *keys = heed__malloc((n_rows ? n_rows : 1) * sizeof *keys);
    if (!keys)
        goto fail;
    for (size_t s = 0; s < km.cap; s++)
        if (km.row[s] != EMPTY_SLOT)
            keys[km.row[s]] = km.key[s];
    rc = finish_model(m, keys, w, n_rows, opts->prune, opts->encoding);
    heed__free(keys);
    if (rc != HEED_OK)
        goto fail;
    rc = HEED_OK;
    *out = m;
    m = NULL;
fail:
    heed__free(km.key);
    heed__free(km.row);
    heed__free(rows);
    heed__free(start);
    heed__free(perm);
    heed__free(cw);
    heed__free(g);
    heed__free(z);
    heed__free(w);
    heed__free(acc);
    heed__free(avg);
    heed__free(b);
    heed__free(bacc);
    heed__free(bavg);
    heed__lm_free(m);
    if (rc != HEED_OK)
        return fail(err, rc, 0, "linmodel: out of memory");
    return HEED_OK;
}

int heed__lm_from_weights(const heed_lm_opts *opts, const uint32_t *keys, const float *w,
                          size_t n_rows, const float *bias, heed_lm **out, heed_error *err)
{
    if (out)
        *out = NULL;
    if (!opts || (n_rows && (!keys || !w)) || !bias || !out)
        return fail(err, HEED_EINVAL, 0, "linmodel: NULL argument");
    int rc = check_opts(opts, err);
    if (rc != HEED_OK)
        return rc;
    const uint32_t K = opts->n_outputs;
    const uint32_t bits = opts->dim_bits ? opts->dim_bits : 20;
    const uint64_t mask = (1ull << bits) - 1;
    for (size_t r = 0; r < n_rows; r++) {
        if (keys[r] > mask || (r && keys[r] <= keys[r - 1]))
            return fail(err, HEED_EINVAL, r, "linmodel: keys not increasing inside 2^dim_bits");
        for (uint32_t k = 0; k < K; k++)
            if (!isfinite(w[r * K + k]))
                return fail(err, HEED_EINVAL, r, "linmodel: non-finite weight");
    }
    for (uint32_t k = 0; k < K; k++)
        if (!isfinite(bias[k]))
            return fail(err, HEED_EINVAL, k, "linmodel: non-finite bias");
    heed_lm *m = new_model(opts, K, bits);
    if (!m)
        return fail(err, HEED_ENOMEM, 0, "linmodel: out of memory");
    m->bias = heed__malloc(K * sizeof *m->bias);
    m->thr = heed__malloc(K * sizeof *m->thr);
    rc = HEED_ENOMEM;
    if (!m->bias || !m->thr || set_labels(m, opts->labels) != HEED_OK)
        goto fail;
    for (uint32_t k = 0; k < K; k++) {
        m->bias[k] = bias[k];
        m->thr[k] = opts->kind == HEED_LM_MULTILABEL ? 0.5f : 0.0f;
    }
    if ((rc = finish_model(m, keys, w, n_rows, opts->prune, opts->encoding)) != HEED_OK)
        goto fail;
    *out = m;
    return HEED_OK;
fail:
    heed__lm_free(m);
    return fail(err, rc, 0, "linmodel: out of memory");
}

int heed__lm_row(const heed_lm *m, size_t i, uint32_t *key, float *w)
{
    if (!m || i >= m->n_rows || !key || !w)
        return HEED_EINVAL;
    *key = m->keys[i];
    for (uint32_t k = 0; k < m->n_out; k++)
        w[k] = m->encoding == HEED_LM_ENC_F32 ? m->wf[i * m->n_out + k]
                                              : m->scale[i] * (float)m->wq[i * m->n_out + k];
    return HEED_OK;
}

const float *heed__lm_bias(const heed_lm *m)
{
    return m->bias;
}

/* ---------------------------------------------------------------- prediction */

#if defined(LM_AVX2)
/* Features a step of q8_raw_avx2: their rows' offsets fit on the stack. */
#define LM_CHUNK 256

/* row_offsets_as (below) for a ranked table (rank): a key at a time; soff
 * is NULL without a side table, whose rows (at srows) are asked for too. Not
 * inlined: the loop wants its own registers (and popcnt and BMI2's shifts,
 * which every AVX2 CPU has). */
__attribute__((target("popcnt,bmi2"), noinline)) static void
ranked_offsets(const struct lm_rank *rank, const uint32_t *idx, size_t n, uint32_t mask,
               uint32_t stride, const unsigned char *dense, uint32_t *off, uint32_t smask,
               uint32_t *soff, const unsigned char *srows)
{
    for (size_t j = 0; j < n; j++) {
        off[j] = (uint32_t)rank_row(rank, idx[j] & mask) * stride;
        __builtin_prefetch(dense + off[j]);
        if (soff) {
            soff[j] = (idx[j] & smask) << 4;
            __builtin_prefetch(srows + soff[j]);
        }
    }
}

/* off[j] = (idx[j] & mask) * stride for j < n (n <= LM_CHUNK), eight a
 * step, and each of those rows asked for before any is read (the misses
 * then overlap instead of waiting one after the other behind the
 * arithmetic); off has room for n rounded up to 8. The table's offsets fit
 * 32 bits (DENSE_MAX). With side (a constant where this is inlined), also
 * soff[j] = (idx[j] & smask) * 16, the rows of a side table (heed_lm_side),
 * from the same loads of idx; soff has the room of off. On a key-indexed
 * table the side's rows are not asked for ahead: that cost more
 * instructions than the loads that wait for them (the sums' loop reads them
 * in order). A ranked table (rank) takes ranked_offsets, where the side's
 * rows are the misses left and are asked for too. */
__attribute__((target("avx2"), always_inline)) static inline void
row_offsets_as(const uint32_t *idx, size_t n, uint32_t mask, uint32_t stride,
               const unsigned char *dense, const struct lm_rank *rank, uint32_t *off,
               uint32_t smask, uint32_t *soff, const unsigned char *srows, const int side)
{
    if (rank) {
        ranked_offsets(rank, idx, n, mask, stride, dense, off, smask, side ? soff : NULL, srows);
        return;
    }
    const __m256i vm = _mm256_set1_epi32((int)mask), vs = _mm256_set1_epi32((int)stride);
    const __m256i vsm = _mm256_set1_epi32((int)smask);
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(idx + j));
        _mm256_storeu_si256((__m256i *)(void *)(off + j),
                            _mm256_mullo_epi32(_mm256_and_si256(v, vm), vs));
        if (side)
            _mm256_storeu_si256((__m256i *)(void *)(soff + j),
                                _mm256_slli_epi32(_mm256_and_si256(v, vsm), 4));
        for (size_t u = 0; u < 8; u++)
            __builtin_prefetch(dense + off[j + u]);
    }
    if (j < n) { /* the last 1..7: a masked load reads none past idx[n - 1] */
        const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - j)),
                                                 _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        const __m256i v = _mm256_maskload_epi32((const int *)(const void *)(idx + j), lanes);
        _mm256_storeu_si256((__m256i *)(void *)(off + j),
                            _mm256_mullo_epi32(_mm256_and_si256(v, vm), vs));
        if (side)
            _mm256_storeu_si256((__m256i *)(void *)(soff + j),
                                _mm256_slli_epi32(_mm256_and_si256(v, vsm), 4));
        for (; j < n; j++)
            __builtin_prefetch(dense + off[j]);
    }
}

__attribute__((target("avx2"), always_inline)) static inline void
row_offsets_avx2(const uint32_t *idx, size_t n, uint32_t mask, uint32_t stride,
                 const unsigned char *dense, const struct lm_rank *rank, uint32_t *off)
{
    row_offsets_as(idx, n, mask, stride, dense, rank, off, 0, NULL, NULL, 0);
}

__attribute__((target("avx2"), always_inline)) static inline void
row_offsets2_avx2(const uint32_t *idx, size_t n, uint32_t mask, uint32_t stride,
                  const unsigned char *dense, const struct lm_rank *rank, uint32_t *off,
                  uint32_t smask, uint32_t *soff, const unsigned char *srows)
{
    row_offsets_as(idx, n, mask, stride, dense, rank, off, smask, soff, srows, 1);
}

/* The lanes of block b (outputs 8b .. 8b+7) below K. */
__attribute__((target("avx2"), always_inline)) static inline __m256i block_lanes(uint32_t K,
                                                                                 uint32_t b)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(K - 8 * b)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* raw_scores of a Q8 key-indexed table of nb <= 4 blocks of 8 outputs (nb
 * a constant where it is inlined) into z[0..K): the sums stay in registers
 * from the biases to the last feature, the same products added in the same
 * order as the portable loop (the lanes past K start at 0 and are never
 * stored). fixed: the rows are laid out as build_slots does when the
 * padding holds the scale (weights from byte 0, the scale in the last 4
 * bytes of 8 * nb), so that those offsets are constants. */
__attribute__((target("avx2"), always_inline)) static inline void
q8_blocks_avx2(const heed_lm *m, heed_sparse x, uint32_t mask, float *z, const uint32_t nb,
               const int fixed, heed_lm_side *side, const float *plus)
{
    const uint32_t K = m->n_out;
    __m256 a[4];
    for (uint32_t b = 0; b < nb; b++)
        a[b] = 8 * (b + 1) <= K ? _mm256_loadu_ps(m->bias + 8 * b)
                                : _mm256_maskload_ps(m->bias + 8 * b, block_lanes(K, b));
    if (plus) /* heed__lm_predict_plus: added to the biases */
        for (uint32_t b = 0; b < nb; b++)
            a[b] = _mm256_add_ps(a[b], 8 * (b + 1) <= K ? _mm256_loadu_ps(plus + 8 * b)
                                                        : _mm256_maskload_ps(plus + 8 * b,
                                                                             block_lanes(K, b)));
    const unsigned char *dense = m->dense;
    const uint32_t stride = fixed ? 8 * nb : (uint32_t)m->stride;
    const size_t scale_off = fixed ? 8 * nb - sizeof(float) : m->scale_off;
    const size_t w_off = fixed ? 0 : m->w_off;
    uint32_t off[LM_CHUNK];
    /* side (a constant NULL where it is inlined without one): its sums in
     * a register beside a[], its rows' offsets in soff */
    uint32_t soff[LM_CHUNK];
    const unsigned char *srows = side ? (const unsigned char *)side->rows : NULL;
    __m128 s = side ? _mm_loadu_ps(side->sum) : _mm_setzero_ps();
    for (size_t j0 = 0; j0 < x.n; j0 += LM_CHUNK) {
        const size_t n = x.n - j0 < LM_CHUNK ? x.n - j0 : LM_CHUNK;
        const float *val = x.val + j0;
        if (side)
            row_offsets2_avx2(x.idx + j0, n, mask, stride, dense, m->rank, off, side->mask,
                              soff, srows);
        else
            row_offsets_avx2(x.idx + j0, n, mask, stride, dense, m->rank, off);
        /* four features a step (the same sums in the same order) */
#pragma GCC unroll 4
        for (size_t j = 0; j < n; j++) {
            const unsigned char *d = dense + off[j];
            float sc;
            memcpy(&sc, d + scale_off, sizeof sc);
            __m256 fv;
            if (side) { /* val[j] broadcast once for both: the same products */
                const __m256 v = _mm256_broadcast_ss(val + j);
                s = _mm_add_ps(s, _mm_mul_ps(_mm256_castps256_ps128(v),
                                             _mm_load_ps((const float *)(const void *)(srows +
                                                                                       soff[j]))));
                fv = _mm256_mul_ps(v, _mm256_set1_ps(sc));
            } else {
                fv = _mm256_set1_ps(val[j] * sc);
            }
            const int8_t *q = (const int8_t *)(d + w_off);
            for (uint32_t b = 0; b < nb; b++) {
                const __m128i q8 = _mm_loadl_epi64((const __m128i *)(const void *)(q + 8 * b));
                const __m256 w = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q8));
                a[b] = _mm256_add_ps(a[b], _mm256_mul_ps(fv, w));
            }
        }
    }
    if (side)
        _mm_storeu_ps(side->sum, s);
    for (uint32_t b = 0; b < nb; b++) {
        if (8 * (b + 1) <= K)
            _mm256_storeu_ps(z + 8 * b, a[b]);
        else
            _mm256_maskstore_ps(z + 8 * b, block_lanes(K, b), a[b]);
    }
}

/* The Q8 dense loop of raw_scores for AVX2 into z[0..K), K = m->n_out: up
 * to 32 outputs by q8_blocks_avx2, more through acc (room for K rounded up
 * to 8), each block loaded and stored per feature; plus (when not NULL)
 * added to the biases. */
__attribute__((target("avx2"))) static void q8_raw_avx2(const heed_lm *m, heed_sparse x,
                                                        uint32_t mask, float *z, float *acc,
                                                        const float *plus)
{
    const uint32_t K = m->n_out, Kp = (K + 7) & ~7u;
    const int fixed = m->w_off == 0 && m->scale_off == Kp - sizeof(float);
#define LM_BLOCKS_(nb)                                        \
    case nb:                                                  \
        if (fixed)                                            \
            q8_blocks_avx2(m, x, mask, z, nb, 1, NULL, plus); \
        else                                                  \
            q8_blocks_avx2(m, x, mask, z, nb, 0, NULL, plus); \
        return;
    switch (Kp / 8) {
        LM_BLOCKS_(1)
        LM_BLOCKS_(2)
        LM_BLOCKS_(3)
        LM_BLOCKS_(4)
    default:
        break;
    }
#undef LM_BLOCKS_
    /* the biases, as z holds them on the other paths: the same sums */
    memcpy(acc, m->bias, K * sizeof *acc);
    memset(acc + K, 0, (Kp - K) * sizeof *acc);
    if (plus)
        for (uint32_t k = 0; k < K; k++)
            acc[k] += plus[k];
    uint32_t off[LM_CHUNK];
    const unsigned char *dense = m->dense;
    for (size_t j0 = 0; j0 < x.n; j0 += LM_CHUNK) {
        const size_t n = x.n - j0 < LM_CHUNK ? x.n - j0 : LM_CHUNK;
        const float *val = x.val + j0;
        row_offsets_avx2(x.idx + j0, n, mask, (uint32_t)m->stride, dense, m->rank, off);
        for (size_t j = 0; j < n; j++) {
            const unsigned char *d = dense + off[j];
            float sc;
            memcpy(&sc, d + m->scale_off, sizeof sc);
            const __m256 fv = _mm256_set1_ps(val[j] * sc);
            const int8_t *q = (const int8_t *)(d + m->w_off);
            for (uint32_t k = 0; k < Kp; k += 8) {
                const __m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(q + k));
                const __m256i w = _mm256_cvtepi8_epi32(b);
                __m256 a = _mm256_loadu_ps(acc + k);
                a = _mm256_add_ps(a, _mm256_mul_ps(fv, _mm256_cvtepi32_ps(w)));
                _mm256_storeu_ps(acc + k, a);
            }
        }
    }
    memcpy(z, acc, K * sizeof *z);
}
#endif

#if defined(LM_AVX2)
/* heed__lm_predict_plus's pass for a key-indexed Q8 table of 25 to 32
 * outputs laid out as q8_blocks_avx2's `fixed` asks (the emotion model's):
 * q8_blocks_avx2's loop with each product and its add fused (FMA), one
 * rounding less a product, so the scores differ from heed__lm_predict's by
 * float rounding only (heed__lm_predict keeps its loop and bits). Returns 0
 * (nothing done) for another table or a CPU without FMA. */
__attribute__((target("avx2,fma"))) static int q8_plus_fma(const heed_lm *m, heed_sparse x,
                                                           uint32_t mask, float *z,
                                                           const float *plus)
{
    const uint32_t K = m->n_out;
    if (!m->fma || K <= 24 || K > 32 || m->w_off != 0 || m->scale_off != 32 - sizeof(float))
        return 0;
    const __m256i last = block_lanes(K, 3);
    __m256 a[4];
    for (uint32_t b = 0; b < 3; b++)
        a[b] = _mm256_add_ps(_mm256_loadu_ps(m->bias + 8 * b), _mm256_loadu_ps(plus + 8 * b));
    a[3] = _mm256_add_ps(_mm256_maskload_ps(m->bias + 24, last),
                         _mm256_maskload_ps(plus + 24, last));
    const unsigned char *dense = m->dense;
    uint32_t off[LM_CHUNK];
    for (size_t j0 = 0; j0 < x.n; j0 += LM_CHUNK) {
        const size_t n = x.n - j0 < LM_CHUNK ? x.n - j0 : LM_CHUNK;
        const float *val = x.val + j0;
        row_offsets_avx2(x.idx + j0, n, mask, 32, dense, m->rank, off);
#pragma GCC unroll 4
        for (size_t j = 0; j < n; j++) {
            const unsigned char *d = dense + off[j];
            float sc;
            memcpy(&sc, d + 32 - sizeof(float), sizeof sc);
            const __m256 fv = _mm256_set1_ps(val[j] * sc);
            for (uint32_t b = 0; b < 4; b++) {
                const __m128i q8 = _mm_loadl_epi64((const __m128i *)(const void *)(d + 8 * b));
                a[b] = _mm256_fmadd_ps(fv, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q8)), a[b]);
            }
        }
    }
    for (uint32_t b = 0; b < 3; b++)
        _mm256_storeu_ps(z + 8 * b, a[b]);
    _mm256_maskstore_ps(z + 24, last, a[3]);
    return 1;
}
#endif

/* The rows of x's features j0.. (up to PORTABLE_CHUNK of them) in a dense
 * table, into row[], each asked for as soon as it is found: the misses then
 * overlap instead of waiting one after the other behind the arithmetic. The
 * loops below that are not AVX2's take them from here, so that a ranked
 * table's row is worked out once (a popcount, in software on CPUs without
 * one). */
#define PORTABLE_CHUNK 64
static inline void chunk_rows(const heed_lm *m, heed_sparse x, size_t j0, uint32_t mask,
                              const unsigned char **row)
{
    const size_t n = x.n - j0 < PORTABLE_CHUNK ? x.n - j0 : PORTABLE_CHUNK;
    /* four a step: the loop's own count and branch were as many
     * instructions as the address */
#pragma GCC unroll 4
    for (size_t j = 0; j < n; j++) {
        row[j] = row_of(m, x.idx[j0 + j] & mask);
        __builtin_prefetch(row[j]);
    }
}

/* The raw scores of x into z[0..K), from the biases plus plus[0..K) when
 * plus is not NULL (a constant NULL where this is inlined for
 * heed__lm_predict: the loops it had). */
__attribute__((always_inline)) static inline void
raw_scores_as(const heed_lm *m, heed_sparse x, float *restrict z, const float *plus)
{
    const uint32_t K = m->n_out;
    const uint32_t mask = (uint32_t)((1ull << m->bits) - 1);
    if (m->dense && m->encoding == HEED_LM_ENC_Q8) {
        float acc[(HEED_LM_MAX_OUTPUTS + 7) & ~7u];
#if defined(LM_AVX2)
        if (m->avx2) { /* these ask for their rows themselves */
            if (!plus || !q8_plus_fma(m, x, mask, z, plus))
                q8_raw_avx2(m, x, mask, z, acc, plus);
            return;
        }
#endif
        const uint32_t Kp = (K + 7) & ~7u;
        /* the biases, as z holds them on the other paths: the same sums */
        memcpy(acc, m->bias, K * sizeof *acc);
        memset(acc + K, 0, (Kp - K) * sizeof *acc);
        if (plus)
            for (uint32_t k = 0; k < K; k++)
                acc[k] += plus[k];
        const unsigned char *row[PORTABLE_CHUNK];
        for (size_t j = 0; j < x.n; j++) {
            if (j % PORTABLE_CHUNK == 0)
                chunk_rows(m, x, j, mask, row);
            const unsigned char *d = row[j % PORTABLE_CHUNK];
            float sc;
            memcpy(&sc, d + m->scale_off, sizeof sc);
            /* No test for absent rows (scale 0): an unpredictable branch
             * would serialise the memory accesses. */
            const float f = x.val[j] * sc;
            const int8_t *q = (const int8_t *)(d + m->w_off);
#ifdef HEED_SSE2
            /* int8 -> int32 by unpacking with itself and shifting the sign in
             * (SSE2 has no sign-extending load), then 2 x 4 floats. */
            const __m128 fv = _mm_set1_ps(f);
            for (uint32_t k = 0; k < Kp; k += 8) {
                __m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(q + k));
                __m128i w = _mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8);
                __m128i lo = _mm_srai_epi32(_mm_unpacklo_epi16(w, w), 16);
                __m128i hi = _mm_srai_epi32(_mm_unpackhi_epi16(w, w), 16);
                __m128 a0 = _mm_loadu_ps(acc + k), a1 = _mm_loadu_ps(acc + k + 4);
                a0 = _mm_add_ps(a0, _mm_mul_ps(fv, _mm_cvtepi32_ps(lo)));
                a1 = _mm_add_ps(a1, _mm_mul_ps(fv, _mm_cvtepi32_ps(hi)));
                _mm_storeu_ps(acc + k, a0);
                _mm_storeu_ps(acc + k + 4, a1);
            }
#else
            for (uint32_t k = 0; k < Kp; k += 8)
                for (uint32_t u = 0; u < 8; u++)
                    acc[k + u] += f * (float)q[k + u];
#endif
        }
        memcpy(z, acc, K * sizeof *z);
        return;
    }
    for (uint32_t k = 0; k < K; k++)
        z[k] = m->bias[k];
    if (plus)
        for (uint32_t k = 0; k < K; k++)
            z[k] += plus[k];
    if (m->dense) {
        const unsigned char *row[PORTABLE_CHUNK];
        for (size_t j = 0; j < x.n; j++) {
            if (j % PORTABLE_CHUNK == 0)
                chunk_rows(m, x, j, mask, row);
            const float *wr = (const float *)(const void *)row[j % PORTABLE_CHUNK];
            const float v = x.val[j];
            for (uint32_t k = 0; k < K; k++)
                z[k] += v * wr[k];
        }
        return;
    }
    assert(m->slots || !x.n); /* HEED_LM_NO_TABLE: the biases only */
    for (size_t j = 0; j < x.n; j++) {
        size_t r = find_row(m, x.idx[j] & mask);
        if (r == SIZE_MAX)
            continue;
        const float v = x.val[j];
        if (m->encoding == HEED_LM_ENC_F32) {
            const float *wr = m->wf + r * K;
            for (uint32_t k = 0; k < K; k++)
                z[k] += v * wr[k];
        } else {
            const float f = v * m->scale[r];
            const int8_t *q = m->wq + r * K;
            for (uint32_t k = 0; k < K; k++)
                z[k] += f * (float)q[k];
        }
    }
}

/* The scores of heed__lm_predict from the raw sums in out[0..K); inline, as
 * it was in heed__lm_predict. */
__attribute__((always_inline)) static inline void activate(const heed_lm *m, float *out)
{
    const uint32_t K = m->n_out;
    if (m->kind == HEED_LM_MULTILABEL) {
        for (uint32_t k = 0; k < K; k++)
            out[k] = sigmoidf_(out[k]);
    } else if (m->kind == HEED_LM_MULTICLASS) {
        float mx = out[0];
        for (uint32_t k = 1; k < K; k++)
            if (out[k] > mx)
                mx = out[k];
        float s = 0;
        for (uint32_t k = 0; k < K; k++) {
            out[k] = expf(out[k] - mx);
            s += out[k];
        }
        for (uint32_t k = 0; k < K; k++)
            out[k] /= s;
    }
}

void heed__lm_predict(const heed_lm *m, heed_sparse x, float *out)
{
    raw_scores_as(m, x, out, NULL);
    activate(m, out);
}

void heed__lm_predict_plus(const heed_lm *m, heed_sparse x, const float *plus, float *out)
{
    raw_scores_as(m, x, out, plus);
    activate(m, out);
}

#if defined(LM_AVX2)
/* heed__lm_add_rows of a key-indexed Q8 table of nb <= 4 blocks of 8
 * outputs (a constant where it is inlined): the same products and sums, 8
 * outputs a step, in registers from the first key to the last. */
__attribute__((target("avx2"), always_inline)) static inline void
add_rows_q8_avx2(const heed_lm *m, const uint32_t *keys, size_t n, float *sum, const uint32_t nb)
{
    const uint32_t K = m->n_out;
    const uint32_t mask = (uint32_t)((1ull << m->bits) - 1);
    __m256 a[4];
    for (uint32_t b = 0; b < nb; b++)
        a[b] = 8 * (b + 1) <= K ? _mm256_loadu_ps(sum + 8 * b)
                                : _mm256_maskload_ps(sum + 8 * b, block_lanes(K, b));
    for (size_t j = 0; j < n; j++) {
        const unsigned char *d = row_of(m, keys[j] & mask);
        float sc;
        memcpy(&sc, d + m->scale_off, sizeof sc);
        const __m256 fv = _mm256_set1_ps(sc);
        const int8_t *q = (const int8_t *)(d + m->w_off);
        for (uint32_t b = 0; b < nb; b++) {
            const __m128i q8 = _mm_loadl_epi64((const __m128i *)(const void *)(q + 8 * b));
            const __m256 w = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q8));
            a[b] = _mm256_add_ps(a[b], _mm256_mul_ps(fv, w));
        }
    }
    for (uint32_t b = 0; b < nb; b++) {
        if (8 * (b + 1) <= K)
            _mm256_storeu_ps(sum + 8 * b, a[b]);
        else
            _mm256_maskstore_ps(sum + 8 * b, block_lanes(K, b), a[b]);
    }
}

/* add_rows_q8_avx2 for K up to 32; 0 when the model is not of that shape. */
__attribute__((target("avx2"))) static int add_rows_avx2(const heed_lm *m, const uint32_t *keys,
                                                         size_t n, float *sum)
{
    if (!m->dense || m->encoding != HEED_LM_ENC_Q8 || !m->avx2)
        return 0;
    switch ((m->n_out + 7) / 8) {
    case 1:
        add_rows_q8_avx2(m, keys, n, sum, 1);
        return 1;
    case 2:
        add_rows_q8_avx2(m, keys, n, sum, 2);
        return 1;
    case 3:
        add_rows_q8_avx2(m, keys, n, sum, 3);
        return 1;
    case 4:
        add_rows_q8_avx2(m, keys, n, sum, 4);
        return 1;
    default:
        return 0;
    }
}
#endif

void heed__lm_add_rows(const heed_lm *m, const uint32_t *keys, size_t n, float *sum)
{
#if defined(LM_AVX2)
    if (add_rows_avx2(m, keys, n, sum))
        return;
#endif
    const uint32_t K = m->n_out;
    const uint32_t mask = (uint32_t)((1ull << m->bits) - 1);
    for (size_t j = 0; j < n; j++) {
        if (m->dense) {
            const unsigned char *d = row_of(m, keys[j] & mask);
            if (m->encoding == HEED_LM_ENC_Q8) {
                float sc;
                memcpy(&sc, d + m->scale_off, sizeof sc);
                const int8_t *q = (const int8_t *)(d + m->w_off);
                for (uint32_t k = 0; k < K; k++)
                    sum[k] += sc * (float)q[k];
            } else {
                const float *w = (const float *)(const void *)d;
                for (uint32_t k = 0; k < K; k++)
                    sum[k] += w[k];
            }
            continue;
        }
        const size_t r = m->slots ? find_row(m, keys[j] & mask) : SIZE_MAX;
        if (r == SIZE_MAX)
            continue;
        for (uint32_t k = 0; k < K; k++)
            sum[k] += m->encoding == HEED_LM_ENC_F32 ? m->wf[r * K + k]
                                                     : m->scale[r] * (float)m->wq[r * K + k];
    }
}

#if defined(LM_AVX2)
/* q8_blocks_avx2 of a table laid out as its `fixed` asks, with side. */
__attribute__((target("avx2"))) static void q8_side_avx2(const heed_lm *m, heed_sparse x,
                                                         float *z, heed_lm_side *side)
{
    const uint32_t mask = (uint32_t)((1ull << m->bits) - 1);
    switch ((m->n_out + 7) / 8) {
    case 1:
        q8_blocks_avx2(m, x, mask, z, 1, 1, side, NULL);
        break;
    case 2:
        q8_blocks_avx2(m, x, mask, z, 2, 1, side, NULL);
        break;
    case 3:
        q8_blocks_avx2(m, x, mask, z, 3, 1, side, NULL);
        break;
    default:
        q8_blocks_avx2(m, x, mask, z, 4, 1, side, NULL);
        break;
    }
}
#endif

int heed__lm_predict_side(const heed_lm *m, heed_sparse x, float *out, heed_lm_side *side)
{
#if defined(LM_AVX2)
    const uint32_t Kp = (m->n_out + 7) & ~7u;
    if (m->dense && m->encoding == HEED_LM_ENC_Q8 && m->avx2 && Kp <= 32 && m->w_off == 0 &&
        m->scale_off == Kp - sizeof(float)) {
        q8_side_avx2(m, x, out, side);
        activate(m, out);
        return 1;
    }
#else
    (void)m, (void)x, (void)out, (void)side;
#endif
    return 0;
}

#if defined(LM_AVX2)
/* Whether heed__lm_predict_each reads m in its shared pass: a key-indexed Q8
 * table of 8-byte rows (up to 4 outputs, the weights first, the scale in the
 * last 4 bytes), as the empathy stage's three models have. */
static int rows8(const heed_lm *m)
{
    return m->dense && !m->rank && m->encoding == HEED_LM_ENC_Q8 && m->avx2 && m->stride == 8 &&
           m->w_off == 0 && m->scale_off == 4;
}

/* The raw sums of n rows8 models of one hash space (n a constant where it is
 * inlined) into out[i][0..K): per model the operations of q8_blocks_avx2
 * with one block, in the same order, so the same bits; a feature's index,
 * value and row offset are worked out once for all the models. */
__attribute__((target("avx2"), always_inline)) static inline void
rows8_avx2(const heed_lm *const *ms, const size_t n, heed_sparse x, float *const *out)
{
    const uint32_t mask = (uint32_t)((1ull << ms[0]->bits) - 1);
    const unsigned char *dense[LM_EACH_MAX];
    __m256 a[LM_EACH_MAX];
    for (size_t i = 0; i < n; i++) {
        dense[i] = ms[i]->dense;
        float acc[8] = {0};
        memcpy(acc, ms[i]->bias, ms[i]->n_out * sizeof *acc);
        a[i] = _mm256_loadu_ps(acc);
    }
    for (size_t j = 0; j < x.n; j++) /* every row asked for first, as raw_scores */
        for (size_t i = 0; i < n; i++)
            __builtin_prefetch(dense[i] + (size_t)(x.idx[j] & mask) * 8);
    for (size_t j = 0; j < x.n; j++) {
        const size_t off = (size_t)(x.idx[j] & mask) * 8;
        const float v = x.val[j];
        for (size_t i = 0; i < n; i++) {
            const unsigned char *d = dense[i] + off;
            float sc;
            memcpy(&sc, d + 4, sizeof sc);
            const __m256 fv = _mm256_set1_ps(v * sc);
            const __m128i q8 = _mm_loadl_epi64((const __m128i *)(const void *)d);
            const __m256 w = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q8));
            a[i] = _mm256_add_ps(a[i], _mm256_mul_ps(fv, w));
        }
    }
    for (size_t i = 0; i < n; i++) {
        float acc[8];
        _mm256_storeu_ps(acc, a[i]);
        memcpy(out[i], acc, ms[i]->n_out * sizeof *acc);
    }
}

__attribute__((target("avx2"))) static void rows8_each_avx2(const heed_lm *const *ms, size_t n,
                                                            heed_sparse x, float *const *out)
{
    if (n == 3)
        rows8_avx2(ms, 3, x, out);
    else if (n == 2)
        rows8_avx2(ms, 2, x, out);
    else
        rows8_avx2(ms, n, x, out);
}
#endif

void heed__lm_predict_each(const heed_lm *const *ms, size_t n, heed_sparse x, float *const *out)
{
#if defined(LM_AVX2)
    int shared = n >= 2 && n <= LM_EACH_MAX;
    for (size_t i = 0; shared && i < n; i++)
        shared = rows8(ms[i]) && ms[i]->bits == ms[0]->bits;
    if (shared) {
        rows8_each_avx2(ms, n, x, out);
        for (size_t i = 0; i < n; i++)
            activate(ms[i], out[i]);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        heed__lm_predict(ms[i], x, out[i]);
}

int heed__lm_unit_deltas(const heed_lm *m, float *out, size_t stride)
{
    if (m->n_out != 1)
        return HEED_EINVAL;
    const size_t n = (size_t)1 << m->bits;
    const float b = m->bias[0];
    /* an index without a row adds nothing (the dense table's zero row adds
     * 0 * 0): b - b, that is +0 for a finite bias */
    for (size_t i = 0; i < n; i++)
        out[i * stride] = b - b;
    /* a row adds 1 * w (F32) or (1 * scale) * q (Q8) to the bias, as in
     * raw_scores; the sum and the difference are rounded to float each */
    for (size_t r = 0; r < m->n_rows; r++) {
        float z = b;
        if (m->encoding == HEED_LM_ENC_F32)
            z += 1.0f * m->wf[r];
        else
            z += (1.0f * m->scale[r]) * (float)m->wq[r];
        out[(size_t)m->keys[r] * stride] = z - b;
    }
    return HEED_OK;
}

/* ---------------------------------------------------------------- thresholds */

typedef struct scored {
    float p;
    float y;
} scored;

static int cmp_scored_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return (x->y < y->y) - (x->y > y->y);
}

int heed__lm_best_threshold(const float *score, const float *gold, size_t n, size_t stride,
                            float *thr, float *f1)
{
    if (!score || !gold || !n || !stride)
        return HEED_EINVAL;
    scored *s = heed__malloc(n * sizeof *s);
    if (!s)
        return HEED_ENOMEM;
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        s[i].p = score[i * stride];
        s[i].y = gold[i * stride] > 0.5f ? 1.0f : 0.0f;
        npos += s[i].y > 0;
    }
    float t = 0.5f;
    double best = 0;
    if (npos > 0) {
        qsort(s, n, sizeof *s, cmp_scored_desc);
        /* Predict positive for the first k examples (k at a boundary between
         * distinct scores): F1 = 2 tp / (k + npos). */
        best = -1;
        size_t best_k = 0, tp = 0;
        for (size_t k = 1; k <= n; k++) {
            tp += s[k - 1].y > 0;
            if (k < n && s[k].p == s[k - 1].p)
                continue;
            double f = 2.0 * (double)tp / (double)(k + npos);
            if (f > best) {
                best = f;
                best_k = k;
            }
        }
        float lo = best_k < n ? s[best_k].p : 0.0f;
        float hi = s[best_k - 1].p;
        t = lo + (hi - lo) * 0.5f;
        if (!(t > lo) || !(t <= hi)) /* adjacent floats */
            t = hi;
    }
    heed__free(s);
    if (thr)
        *thr = t;
    if (f1)
        *f1 = (float)best;
    return HEED_OK;
}

int heed__lm_tune_thresholds(heed_lm *m, const heed_sparse *X, const float *Y, size_t n, float *f1,
                             heed_error *err)
{
    if (!m || !X || !Y)
        return fail(err, HEED_EINVAL, 0, "linmodel: NULL argument");
    if (m->kind != HEED_LM_MULTILABEL)
        return fail(err, HEED_EINVAL, 0, "linmodel: thresholds are for multi-label models");
    if (n == 0)
        return fail(err, HEED_EINVAL, 0, "linmodel: no tuning examples");
    const uint32_t K = m->n_out;
    float *P = heed__malloc(n * K * sizeof *P);
    if (!P)
        return fail(err, HEED_ENOMEM, 0, "linmodel: out of memory");
    for (size_t i = 0; i < n; i++)
        heed__lm_predict(m, X[i], P + i * K);
    for (uint32_t k = 0; k < K; k++) {
        float t, f;
        if (heed__lm_best_threshold(P + k, Y + k, n, K, &t, &f) != HEED_OK) {
            heed__free(P);
            return fail(err, HEED_ENOMEM, 0, "linmodel: out of memory");
        }
        m->thr[k] = t;
        if (f1)
            f1[k] = f;
    }
    heed__free(P);
    return HEED_OK;
}

/* ---------------------------------------------------------------- accessors */

int heed__lm_kind(const heed_lm *m)
{
    return m->kind;
}
uint32_t heed__lm_n_outputs(const heed_lm *m)
{
    return m->n_out;
}
uint32_t heed__lm_dim_bits(const heed_lm *m)
{
    return m->bits;
}
uint32_t heed__lm_feature_set(const heed_lm *m)
{
    return m->feature_set;
}
size_t heed__lm_n_rows(const heed_lm *m)
{
    return m->n_rows;
}
size_t heed__lm_dense_row_bytes(const heed_lm *m, uintptr_t *base)
{
    if (base)
        *base = (uintptr_t)m->dense;
    return m->dense ? m->stride : 0;
}
int heed__lm_ranked(const heed_lm *m)
{
    return m->rank != NULL;
}
void heed__lm_portable(heed_lm *m)
{
    m->avx2 = 0;
    m->fma = 0;
}
int heed__lm_vector(const heed_lm *m)
{
    return m->avx2;
}
const char *heed__lm_label(const heed_lm *m, uint32_t i)
{
    return i < m->n_out ? m->label[i] : NULL;
}
const float *heed__lm_thresholds(const heed_lm *m)
{
    return m->thr;
}
void heed__lm_set_thresholds(heed_lm *m, const float *thr)
{
    memcpy(m->thr, thr, m->n_out * sizeof *thr);
}

int heed__lm_set_aux(heed_lm *m, const float *v, size_t n)
{
    if (n > HEED_LM_MAX_AUX || (n && !v))
        return HEED_EINVAL;
    float *a = NULL;
    if (n) {
        a = heed__malloc(n * sizeof *a);
        if (!a)
            return HEED_ENOMEM;
        memcpy(a, v, n * sizeof *a);
    }
    heed__free(m->aux);
    m->aux = a;
    m->n_aux = n;
    return HEED_OK;
}

const float *heed__lm_aux(const heed_lm *m, size_t *n)
{
    if (n)
        *n = m->n_aux;
    return m->aux;
}

/* ---------------------------------------------------------------- save */

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    const uint64_t P = 0x100000001b3ull;
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i = 0;
    /* eight bytes a step: the same chain, less loop (it runs over every
     * model byte at each start) */
    for (; i + 8 <= n; i += 8) {
        h = (h ^ p[i]) * P;
        h = (h ^ p[i + 1]) * P;
        h = (h ^ p[i + 2]) * P;
        h = (h ^ p[i + 3]) * P;
        h = (h ^ p[i + 4]) * P;
        h = (h ^ p[i + 5]) * P;
        h = (h ^ p[i + 6]) * P;
        h = (h ^ p[i + 7]) * P;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * P;
    return h;
}

static void put_u16(heed_buf *o, uint32_t v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    heed__buf_add(o, b, 2);
}

static void put_u32(heed_buf *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    heed__buf_add(o, b, 4);
}

static void put_f32(heed_buf *o, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put_u32(o, v);
}

int heed__lm_save(const heed_lm *m, heed_buf *out)
{
    const uint32_t K = m->n_out;
    const size_t base = out->len;
    heed__buf_add(out, LM_MAGIC, 6);
    put_u16(out, LM_VERSION);
    heed__buf_addc(out, (char)m->kind);
    heed__buf_addc(out, (char)m->encoding);
    put_u16(out, 0);
    put_u32(out, K);
    put_u32(out, m->bits);
    put_u32(out, m->feature_set);
    put_u32(out, (uint32_t)m->n_rows);
    put_u32(out, (uint32_t)m->n_aux);
    for (uint32_t k = 0; k < K; k++) {
        size_t l = strlen(m->label[k]);
        heed__buf_addc(out, (char)l);
        heed__buf_add(out, m->label[k], l);
    }
    for (uint32_t k = 0; k < K; k++)
        put_f32(out, m->bias[k]);
    for (uint32_t k = 0; k < K; k++)
        put_f32(out, m->thr[k]);
    for (size_t i = 0; i < m->n_aux; i++)
        put_f32(out, m->aux[i]);
    for (size_t r = 0; r < m->n_rows; r++)
        put_u32(out, m->keys[r]);
    if (m->encoding == HEED_LM_ENC_F32) {
        for (size_t q = 0; q < m->n_rows * K; q++)
            put_f32(out, m->wf[q]);
    } else {
        for (size_t r = 0; r < m->n_rows; r++)
            put_f32(out, m->scale[r]);
        heed__buf_add(out, m->wq, m->n_rows * K);
    }
    if (out->err)
        return out->err;
    uint64_t h = fnv1a64((const unsigned char *)out->ptr + base, out->len - base);
    put_u32(out, (uint32_t)h);
    put_u32(out, (uint32_t)(h >> 32));
    return out->err ? out->err : HEED_OK;
}

/* ---------------------------------------------------------------- load */

typedef struct reader {
    const unsigned char *p;
    size_t len, pos;
    heed_error *err;
} reader;

static int need(reader *r, size_t n, const char *what)
{
    if (r->len - r->pos >= n)
        return HEED_OK;
    if (r->err) {
        r->err->code = HEED_EMODEL;
        r->err->pos = r->pos;
        snprintf(r->err->msg, sizeof r->err->msg,
                 "model file truncated at byte %zu: %s needs %zu bytes, %zu left", r->pos, what,
                 n, r->len - r->pos);
    }
    return HEED_EMODEL;
}

static uint32_t get_u32(reader *r)
{
    const unsigned char *b = r->p + r->pos;
    r->pos += 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static float get_f32(reader *r)
{
    uint32_t v = get_u32(r);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

/* Reports a bad field: "model file byte POS: WHAT" and, with has_v, " (V)". */
static int report(reader *r, size_t pos, const char *what, int has_v, unsigned long v)
{
    if (r->err) {
        r->err->code = HEED_EMODEL;
        r->err->pos = pos;
        if (has_v)
            snprintf(r->err->msg, sizeof r->err->msg, "model file byte %zu: %s (%lu)", pos, what,
                     v);
        else
            snprintf(r->err->msg, sizeof r->err->msg, "model file byte %zu: %s", pos, what);
    }
    return HEED_EMODEL;
}
#define bad(r, pos, what, v) report(r, pos, what, 1, (unsigned long)(v))
#define bad0(r, pos, what) report(r, pos, what, 0, 0)

/* Reads count finite floats into dst. */
static int get_floats(reader *r, float *dst, size_t count, const char *what)
{
    if (need(r, count * 4, what) != HEED_OK)
        return HEED_EMODEL;
    if (!count) /* dst may be NULL (no aux values) */
        return HEED_OK;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the file's floats are the host's: one copy, then a pass that only
     * tells whether one is not finite (all exponent bits set) */
    memcpy(dst, r->p + r->pos, count * 4);
    uint32_t any = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t v;
        memcpy(&v, dst + i, 4);
        any |= (v & 0x7f800000u) == 0x7f800000u;
    }
    if (!any) {
        r->pos += count * 4;
        return HEED_OK;
    }
#endif
    for (size_t i = 0; i < count; i++) {
        size_t at = r->pos;
        dst[i] = get_f32(r);
        if (!isfinite(dst[i]))
            return bad(r, at, "non-finite value at entry", (unsigned long)i);
    }
    return HEED_OK;
}

int heed__lm_load(const void *bytes, size_t len, heed_lm **out, heed_error *err)
{
    return heed__lm_load_flags(bytes, len, 0, out, err);
}

int heed__lm_build_table(heed_lm *m)
{
    return m->dense || m->slots ? HEED_OK : build_slots(m, 0);
}

int heed__lm_load_flags(const void *bytes, size_t len, unsigned flags, heed_lm **out,
                        heed_error *err)
{
    if (out)
        *out = NULL;
    if (!bytes || !out)
        return fail(err, HEED_EINVAL, 0, "linmodel: NULL argument");
    reader rd = {bytes, len, 0, err}, *r = &rd;
    heed_lm *m = NULL;
    int rc = HEED_EMODEL;
    if (need(r, LM_HEADER, "the header") != HEED_OK)
        goto fail;
    if (memcmp(r->p, LM_MAGIC, 6) != 0) {
        rc = bad0(r, 0, "not a heed linear model (bad magic)");
        goto fail;
    }
    r->pos = 6;
    uint32_t version = (uint32_t)r->p[6] | (uint32_t)r->p[7] << 8;
    if (version != LM_VERSION) {
        rc = bad(r, 6, "unsupported model format version", version);
        goto fail;
    }
    const int kind = r->p[8], enc = r->p[9];
    if (kind < HEED_LM_MULTILABEL || kind > HEED_LM_REGRESSION) {
        rc = bad(r, 8, "unknown model kind", (unsigned long)kind);
        goto fail;
    }
    if (enc != HEED_LM_ENC_F32 && enc != HEED_LM_ENC_Q8) {
        rc = bad(r, 9, "unknown weight encoding", (unsigned long)enc);
        goto fail;
    }
    if (r->p[10] || r->p[11]) {
        rc = bad0(r, 10, "reserved field is not zero");
        goto fail;
    }
    r->pos = 12;
    const uint32_t K = get_u32(r), bits = get_u32(r), fset = get_u32(r), n_rows = get_u32(r),
                   n_aux = get_u32(r);
    if (K < 1 || K > HEED_LM_MAX_OUTPUTS || (kind == HEED_LM_MULTICLASS && K < 2)) {
        rc = bad(r, 12, "bad number of outputs", K);
        goto fail;
    }
    if (bits < HEED_LM_MIN_BITS || bits > HEED_LM_MAX_BITS) {
        rc = bad(r, 16, "dim_bits out of range", bits);
        goto fail;
    }
    if ((uint64_t)n_rows > (1ull << bits)) {
        rc = bad(r, 24, "more feature rows than the hash space", n_rows);
        goto fail;
    }
    if (n_aux > HEED_LM_MAX_AUX) {
        rc = bad(r, 28, "too many aux values", n_aux);
        goto fail;
    }
    /* The sizes must fit what is left before allocating anything. */
    {
        uint64_t body = (uint64_t)K * 9 + (uint64_t)n_aux * 4 + (uint64_t)n_rows * 4 +
                        (enc == HEED_LM_ENC_F32 ? (uint64_t)n_rows * K * 4
                                                : (uint64_t)n_rows * 4 + (uint64_t)n_rows * K) +
                        8;
        if (body > (uint64_t)(len - r->pos)) {
            rc = bad(r, 24, "the file is shorter than its header's sizes say; feature rows",
                     n_rows);
            goto fail;
        }
    }
    rc = HEED_ENOMEM;
    m = heed__malloc(sizeof *m);
    if (!m)
        goto fail;
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->encoding = enc;
    m->n_out = K;
    m->bits = bits;
    m->feature_set = fset;
    m->n_rows = n_rows;
    m->n_aux = n_aux;
    m->bias = heed__malloc(K * sizeof *m->bias);
    m->thr = heed__malloc(K * sizeof *m->thr);
    m->label = heed__malloc(K * sizeof *m->label);
    m->label_blob = heed__malloc((size_t)K * (HEED_LM_MAX_LABEL + 1));
    m->aux = n_aux ? heed__malloc(n_aux * sizeof *m->aux) : NULL;
    m->keys = heed__malloc((n_rows ? n_rows : 1) * sizeof *m->keys);
    if (enc == HEED_LM_ENC_F32) {
        m->wf = heed__malloc((n_rows ? (size_t)n_rows : 1) * K * sizeof *m->wf);
    } else {
        m->scale = heed__malloc((n_rows ? n_rows : 1) * sizeof *m->scale);
        m->wq = heed__malloc((n_rows ? (size_t)n_rows : 1) * K);
    }
    if (!m->bias || !m->thr || !m->label || !m->label_blob || (n_aux && !m->aux) || !m->keys ||
        (enc == HEED_LM_ENC_F32 ? !m->wf : (!m->scale || !m->wq)))
        goto fail;
    rc = HEED_EMODEL;
    {
        char *lp = m->label_blob;
        for (uint32_t k = 0; k < K; k++) {
            if (need(r, 1, "a label length") != HEED_OK)
                goto fail;
            size_t at = r->pos;
            size_t l = r->p[r->pos++];
            if (l < 1 || l > HEED_LM_MAX_LABEL) {
                rc = bad(r, at, "bad label length", (unsigned long)l);
                goto fail;
            }
            if (need(r, l, "a label") != HEED_OK)
                goto fail;
            if (memchr(r->p + r->pos, '\0', l)) {
                rc = bad(r, r->pos, "NUL byte in label", (unsigned long)k);
                goto fail;
            }
            memcpy(lp, r->p + r->pos, l);
            lp[l] = '\0';
            m->label[k] = lp;
            lp += l + 1;
            r->pos += l;
        }
    }
    if (get_floats(r, m->bias, K, "the biases") != HEED_OK ||
        get_floats(r, m->thr, K, "the thresholds") != HEED_OK ||
        get_floats(r, m->aux, n_aux, "the aux values") != HEED_OK)
        goto fail;
    if (need(r, (size_t)n_rows * 4, "the feature keys") != HEED_OK)
        goto fail;
    const size_t keys_end = r->pos + (size_t)n_rows * 4;
    {
        /* passes that only tell whether a key is out of order or out of the
         * hash space (strictly increasing keys are all in it when the last
         * is); the loop below says which and where, when one is */
        const size_t at0 = r->pos;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (n_rows) /* the file's u32 are the host's */
            memcpy(m->keys, r->p + r->pos, (size_t)n_rows * 4);
#else
        for (uint32_t i = 0; i < n_rows; i++)
            m->keys[i] = get_u32(r);
#endif
        uint32_t any = n_rows && (uint64_t)m->keys[n_rows - 1] >> bits;
        uint32_t i = 1;
#ifdef HEED_SSE2
        /* four keys a step, each against the one before: SSE2 compares
         * signed, so both sides have their top bit flipped */
        const __m128i top = _mm_set1_epi32((int)0x80000000u);
        __m128i up = _mm_set1_epi32(-1); /* all lanes: key > the one before */
        for (; i + 4 <= n_rows; i += 4) {
            const __m128i cur = _mm_loadu_si128((const __m128i *)(const void *)(m->keys + i));
            const __m128i prev = _mm_loadu_si128((const __m128i *)(const void *)(m->keys + i - 1));
            up = _mm_and_si128(up,
                               _mm_cmpgt_epi32(_mm_xor_si128(cur, top), _mm_xor_si128(prev, top)));
        }
        any |= _mm_movemask_epi8(up) != 0xffff;
#endif
        for (; i < n_rows; i++)
            any |= m->keys[i] <= m->keys[i - 1];
        r->pos = any ? at0 : keys_end;
    }
    for (uint32_t i = 0; r->pos < keys_end; i++) {
        size_t at = r->pos;
        m->keys[i] = get_u32(r);
        if ((uint64_t)m->keys[i] >= (1ull << bits)) {
            rc = bad(r, at, "feature key outside the hash space", m->keys[i]);
            goto fail;
        }
        if (i > 0 && m->keys[i] <= m->keys[i - 1]) {
            rc = bad(r, at, "feature keys not strictly increasing at row", i);
            goto fail;
        }
    }
    if (enc == HEED_LM_ENC_F32) {
        if (get_floats(r, m->wf, (size_t)n_rows * K, "the weights") != HEED_OK)
            goto fail;
    } else {
        if (get_floats(r, m->scale, n_rows, "the row scales") != HEED_OK)
            goto fail;
        int negative = 0; /* a pass without exits first, the place only when there is one */
        for (uint32_t i = 0; i < n_rows; i++)
            negative |= m->scale[i] < 0;
        for (uint32_t i = 0; negative && i < n_rows; i++)
            if (m->scale[i] < 0) {
                rc = bad(r, r->pos - 4 * (n_rows - i), "negative row scale at row", i);
                goto fail;
            }
        if (need(r, (size_t)n_rows * K, "the weights") != HEED_OK)
            goto fail;
        memcpy(m->wq, r->p + r->pos, (size_t)n_rows * K);
        /* eight bytes a step first (a byte 0x80 is a zero byte of w ^
         * 0x80..80, found exactly by the zero-byte test), the position only
         * when there is one */
        const unsigned char *wq = (const unsigned char *)m->wq;
        const size_t nq = (size_t)n_rows * K;
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        uint64_t any = 0;
        size_t q0 = 0;
#ifdef HEED_SSE2
        /* sixteen at a time where SSE2 is there */
        __m128i any16 = _mm_setzero_si128();
        const __m128i b80 = _mm_set1_epi8((char)0x80);
        for (; q0 + 16 <= nq; q0 += 16)
            any16 = _mm_or_si128(
                any16,
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(wq + q0)), b80));
        any = (uint64_t)_mm_movemask_epi8(any16);
#endif
        for (; q0 + 8 <= nq; q0 += 8) {
            uint64_t w;
            memcpy(&w, wq + q0, 8);
            w ^= highs;
            any |= (w - ones) & ~w & highs;
        }
        for (; q0 < nq; q0++)
            any |= wq[q0] == 0x80;
        for (size_t q = 0; any && q < nq; q++)
            if (m->wq[q] == -128) {
                rc = bad0(r, r->pos + q, "weight -128 out of range");
                goto fail;
            }
        r->pos += (size_t)n_rows * K;
    }
    if (need(r, 8, "the checksum") != HEED_OK)
        goto fail;
    {
        size_t at = r->pos;
        uint64_t want = get_u32(r);
        want |= (uint64_t)get_u32(r) << 32;
        if (!(flags & HEED_LM_EMBEDDED) && fnv1a64(r->p, at) != want) {
            rc = bad0(r, at, "checksum mismatch: the file is corrupt");
            goto fail;
        }
    }
    if (r->pos != len) {
        rc = bad(r, r->pos, "unexpected bytes after the checksum",
                 (unsigned long)(len - r->pos));
        goto fail;
    }
    rc = HEED_ENOMEM;
    if (!(flags & HEED_LM_NO_TABLE) && build_slots(m, flags) != HEED_OK)
        goto fail;
    *out = m;
    return HEED_OK;
fail:
    heed__lm_free(m);
    if (rc == HEED_ENOMEM)
        return fail(err, HEED_ENOMEM, 0, "linmodel: out of memory loading a model");
    return rc;
}
