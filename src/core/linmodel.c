/* linmodel.c - the linear model of linmodel.h: its prediction tables (the
 * key-indexed, the ranked and the hash table) and prediction. Training and
 * threshold tuning are in lm_train.c, the HEEDLM file format in lm_file.c;
 * the model's layout, which the three share, in linmodel_int.h. */
#include "linmodel_int.h"

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

#define DENSE_MAX ((size_t)64 << 20)
/* Models heed__lm_predict_each reads in one pass. */
#define LM_EACH_MAX 4
/* Below this size the dense table is always built; above it only when the
 * model fills at least an eighth of its hash space (a sparse model would
 * spend megabytes of zeros and their start-up memset for little gain). */
#define DENSE_SMALL ((size_t)8 << 20)

int heed__lm_fail(heed_error *err, int code, size_t pos, const char *msg)
{
    if (err) {
        err->code = code;
        err->pos = pos;
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
    return code;
}

/* A zeroed model of K outputs over 2^bits hashed features, for training. */
heed_lm *heed__lm_new_model(const heed_lm_opts *opts, uint32_t K, uint32_t bits)
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
int heed__lm_build_slots(heed_lm *m, unsigned flags)
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
int heed__lm_set_labels(heed_lm *m, const char *const *names)
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

/* ---------------------------------------------------------------- accessors */

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
