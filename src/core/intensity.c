/* intensity.c - the intensity model: the HEEDINT1 container of three HEEDLM
 * regressions (format in intensity.h), and prediction from an analysed
 * message. Every length and field of the container is checked before use; the
 * regressors themselves are checked by heed__lm_load_flags (checksum included,
 * but for the model built in: HEED_LM_EMBEDDED). */
#include "intensity.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif
/* An AVX2 version of the dense table's loop, chosen at run time when the
 * CPU has it (GCC and Clang on x86-64): the same products and sums. */
#ifdef HEED_X86_AVX2
#define INT_AVX2 1
#include <immintrin.h>
#endif

#include "alloc.h"

const char *const heed__intensity_names[HEED_INT_COUNT] = {"valence", "arousal", "distress"};

static const char MAGIC[8] = {'H', 'E', 'E', 'D', 'I', 'N', 'T', '1'};

/* Largest hash space expanded into a dense table at load (a row of 4 floats
 * per index: 4 MB at 18 bits). */
#define DENSE_MAX_BITS 18u
/* Floats per row of the dense table: the three outputs and a 0, so that the
 * 16-byte rows, from a 64-byte boundary, never straddle two cache lines. */
#define DENSE_ROW 4

struct heed_intensity_model {
    heed_lm *lm[HEED_INT_COUNT];
    float mean[HEED_INT_COUNT], sd[HEED_INT_COUNT];
    heed_feat_opts fopts;
    /* The three regressors' weights side by side, indexed by feature index &
     * dense_mask: one memory access per feature instead of three hash
     * lookups (prediction was half of heed_analyze's time without it). NULL
     * when the models' hash spaces differ or are too large: then
     * heed__lm_predict is used. */
    float *dense;
    void *dense_mem; /* the allocation dense lies in */
    uint32_t dense_mask;
    float bias[HEED_INT_COUNT];
    int avx2; /* the CPU has AVX2: dense_sums_avx2 reads the table */
};

void heed__intensity_range(int which, float *lo, float *hi)
{
    *lo = 1.0f;
    *hi = which == HEED_INT_DISTRESS ? 7.0f : 5.0f;
}

void heed__intensity_free(heed_intensity_model *m)
{
    if (!m)
        return;
    for (int k = 0; k < HEED_INT_COUNT; k++)
        heed__lm_free(m->lm[k]);
    heed__free(m->dense_mem);
    heed__free(m);
}

void heed__intensity_portable(heed_intensity_model *m)
{
    m->avx2 = 0;
}

/* The regressors' own lookup tables, which they were loaded without; for
 * when build_dense makes no table of its own. */
static int build_tables(heed_intensity_model *m)
{
    for (int k = 0; k < HEED_INT_COUNT; k++)
        if (heed__lm_build_table(m->lm[k]) != HEED_OK)
            return HEED_ENOMEM;
    return HEED_OK;
}

/* Expands the regressors into m->dense when their hash spaces agree and are
 * small enough: weight of index i for output k = predict({i: 1}) - bias
 * (heed__lm_unit_deltas gives those floats without a prediction per index);
 * else builds the regressors' own tables. */
static int build_dense(heed_intensity_model *m)
{
    uint32_t bits = heed__lm_dim_bits(m->lm[0]);
    for (int k = 1; k < HEED_INT_COUNT; k++)
        if (heed__lm_dim_bits(m->lm[k]) != bits)
            return build_tables(m);
    if (bits > DENSE_MAX_BITS)
        return build_tables(m);
    size_t n = (size_t)1 << bits;
    m->dense_mem = heed__calloc(n * DENSE_ROW * sizeof *m->dense + 64, 1);
    if (!m->dense_mem)
        return HEED_ENOMEM;
    m->dense = (float *)(void *)((char *)m->dense_mem + (-(uintptr_t)m->dense_mem & 63));
    m->dense_mask = (uint32_t)(n - 1);
#if defined(INT_AVX2)
    m->avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
    for (int k = 0; k < HEED_INT_COUNT; k++)
        heed__lm_predict(m->lm[k], (heed_sparse){NULL, NULL, 0}, &m->bias[k]);
    for (int k = 0; k < HEED_INT_COUNT; k++)
        if (heed__lm_unit_deltas(m->lm[k], m->dense + k, DENSE_ROW) != HEED_OK)
            return HEED_EINVAL; /* ruled out by check_lm: one output each */
    return HEED_OK;
}

static int fail(heed_error *err, size_t pos, const char *what)
{
    if (err) {
        err->code = HEED_EMODEL;
        err->pos = pos;
        snprintf(err->msg, sizeof err->msg, "intensity model: %.150s (byte %zu)", what, pos);
    }
    return HEED_EMODEL;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks that lm is a regression of the expected shape for output k and
 * reads its scaling; `pos` is its offset for messages. */
static int check_lm(heed_intensity_model *m, int k, size_t pos, heed_error *err)
{
    const heed_lm *lm = m->lm[k];
    if (heed__lm_kind(lm) != HEED_LM_REGRESSION || heed__lm_n_outputs(lm) != 1)
        return fail(err, pos, "a regressor is not a one-output regression");
    const char *label = heed__lm_label(lm, 0);
    if (!label || strcmp(label, heed__intensity_names[k]) != 0)
        return fail(err, pos, "regressors out of order or mislabelled");
    heed_feat_opts fo;
    if (heed__features_opts_from_id(heed__lm_feature_set(lm), &fo) != HEED_OK)
        return fail(err, pos, "made by another feature extractor version: retrain it");
    if (k == 0)
        m->fopts = fo;
    else if (fo.flags != m->fopts.flags)
        return fail(err, pos, "regressors use different features");
    size_t n_aux;
    const float *aux = heed__lm_aux(lm, &n_aux);
    if (n_aux != 2 || !aux || !isfinite(aux[0]) || !isfinite(aux[1]) || !(aux[1] > 0) ||
        fabsf(aux[0]) > 1e3f || aux[1] > 1e3f)
        return fail(err, pos, "bad target scaling");
    m->mean[k] = aux[0];
    m->sd[k] = aux[1];
    return HEED_OK;
}

int heed__intensity_load(const void *bytes, size_t len, unsigned flags, heed_intensity_model **out,
                         heed_error *err)
{
    if (!out)
        return HEED_EINVAL;
    *out = NULL;
    if (!bytes && len)
        return HEED_EINVAL;
    const unsigned char *p = bytes;
    if (len < sizeof MAGIC + 4 || memcmp(p, MAGIC, sizeof MAGIC) != 0)
        return fail(err, 0, "not a heed intensity model (bad magic or truncated)");
    if (get_u32(p + 8) != HEED_INT_COUNT)
        return fail(err, 8, "wrong number of regressors");
    heed_intensity_model *m = heed__malloc(sizeof *m);
    if (!m)
        return HEED_ENOMEM;
    memset(m, 0, sizeof *m);
    size_t pos = 12;
    int rc;
    for (int k = 0; k < HEED_INT_COUNT; k++) {
        if (len - pos < 4) {
            rc = fail(err, pos, "truncated");
            goto bad;
        }
        uint32_t n = get_u32(p + pos);
        pos += 4;
        if (n > len - pos) {
            rc = fail(err, pos - 4, "regressor longer than the file");
            goto bad;
        }
        heed_error e2 = {0};
        /* without the regressors' own tables: prediction reads the one
         * build_dense makes of them, or theirs, made there when it makes none */
        rc = heed__lm_load_flags(p + pos, n, (flags & HEED_LM_EMBEDDED) | HEED_LM_NO_TABLE,
                                 &m->lm[k], &e2);
        if (rc == HEED_EMODEL) {
            char msg[sizeof e2.msg];
            snprintf(msg, sizeof msg, "%s: %.150s", heed__intensity_names[k], e2.msg);
            rc = fail(err, pos + (e2.pos < n ? e2.pos : n), msg);
        }
        if (rc)
            goto bad;
        rc = check_lm(m, k, pos, err);
        if (rc)
            goto bad;
        pos += n;
    }
    if (pos != len) {
        rc = fail(err, pos, "trailing bytes after the last regressor");
        goto bad;
    }
    rc = build_dense(m);
    if (rc)
        goto bad;
    *out = m;
    return HEED_OK;
bad:
    heed__intensity_free(m);
    return rc;
}

static void put_u32(heed_buf *b, uint32_t v)
{
    unsigned char q[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    heed__buf_add(b, q, 4);
}

int heed__intensity_save(const heed_lm *const lms[HEED_INT_COUNT], heed_buf *out)
{
    heed__buf_add(out, MAGIC, sizeof MAGIC);
    put_u32(out, HEED_INT_COUNT);
    for (int k = 0; k < HEED_INT_COUNT; k++) {
        if (!lms[k] || heed__lm_kind(lms[k]) != HEED_LM_REGRESSION ||
            heed__lm_n_outputs(lms[k]) != 1)
            return HEED_EINVAL;
        heed_buf one;
        heed__buf_init(&one, 0);
        int rc = heed__lm_save(lms[k], &one);
        if (rc == HEED_OK && one.len > UINT32_MAX)
            rc = HEED_ETOOBIG;
        if (rc == HEED_OK) {
            put_u32(out, (uint32_t)one.len);
            heed__buf_add(out, one.ptr, one.len);
        }
        heed__buf_release(&one);
        if (rc)
            return rc;
    }
    return out->err;
}

heed_feat_opts heed__intensity_feat_opts(const heed_intensity_model *m)
{
    return m->fopts;
}

#if defined(INT_AVX2)
/* Features a step of dense_sums_avx2: their rows' offsets fit on the stack. */
#define INT_CHUNK 256

/* acc plus x.val[j] * the row of x.idx[j], j < x.n in order, lane by lane
 * (a multiply, then an add: no fused multiply-add), as the SSE2 loop of
 * heed__intensity_predict_x; the rows' offsets are worked out eight a step
 * first. */
__attribute__((target("avx2"))) static __m128 dense_sums_avx2(const heed_intensity_model *m,
                                                             heed_sparse x, __m128 acc)
{
    const __m256i vm = _mm256_set1_epi32((int)m->dense_mask);
    const unsigned char *dense = (const unsigned char *)m->dense;
    uint32_t off[INT_CHUNK];
    for (size_t j0 = 0; j0 < x.n; j0 += INT_CHUNK) {
        const size_t n = x.n - j0 < INT_CHUNK ? x.n - j0 : INT_CHUNK;
        const uint32_t *idx = x.idx + j0;
        const float *val = x.val + j0;
        /* offsets (< 2^(DENSE_MAX_BITS + 4)) of 16-byte rows; the last 1..7
         * indices by a masked load, which reads none past idx[n - 1] */
        for (size_t j = 0; j < n; j += 8) {
            const __m256i v =
                n - j >= 8 ? _mm256_loadu_si256((const __m256i *)(const void *)(idx + j))
                           : _mm256_maskload_epi32(
                                 (const int *)(const void *)(idx + j),
                                 _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - j)),
                                                    _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
            _mm256_storeu_si256((__m256i *)(void *)(off + j),
                                _mm256_slli_epi32(_mm256_and_si256(v, vm), 4));
        }
#pragma GCC unroll 4
        for (size_t j = 0; j < n; j++)
            acc = _mm_add_ps(acc, _mm_mul_ps(_mm_broadcast_ss(val + j),
                                             _mm_load_ps((const float *)(const void *)(dense +
                                                                                       off[j]))));
    }
    return acc;
}
#endif

/* out[k]: the raw score z[k] scaled back and clamped to output k's scale. */
static void scale_out(const heed_intensity_model *m, const float *z, float out[HEED_INT_COUNT])
{
    for (int k = 0; k < HEED_INT_COUNT; k++) {
        float lo, hi, v = m->mean[k] + m->sd[k] * z[k];
        heed__intensity_range(k, &lo, &hi);
        out[k] = !(v >= lo) ? lo : v > hi ? hi : v; /* NaN -> lo */
    }
}

void heed__intensity_predict_x(const heed_intensity_model *m, heed_sparse x,
                               float out[HEED_INT_COUNT])
{
    float z[HEED_INT_COUNT];
    if (m->dense) {
#ifdef HEED_SSE2
        /* the row's four floats a step: lanes 0..2 the same products and
         * sums as one output at a time (a multiply, then an add: no fused
         * multiply-add), lane 3 the padding's, thrown away */
        _Static_assert(DENSE_ROW == 4 && HEED_INT_COUNT == 3, "a row is one SSE vector");
        _Static_assert(DENSE_ROW * sizeof(float) == 16, "rows of 16 bytes from a cache line");
        __m128 acc = _mm_setr_ps(m->bias[0], m->bias[1], m->bias[2], 0.0f);
#if defined(INT_AVX2)
        if (m->avx2)
            acc = dense_sums_avx2(m, x, acc);
        else
#endif
            for (size_t j = 0; j < x.n; j++) {
                const float *w = m->dense + (size_t)(x.idx[j] & m->dense_mask) * DENSE_ROW;
                acc = _mm_add_ps(acc, _mm_mul_ps(_mm_set1_ps(x.val[j]), _mm_loadu_ps(w)));
            }
        float z4[4];
        _mm_storeu_ps(z4, acc);
        for (int k = 0; k < HEED_INT_COUNT; k++)
            z[k] = z4[k];
#else
        for (int k = 0; k < HEED_INT_COUNT; k++)
            z[k] = m->bias[k];
        for (size_t j = 0; j < x.n; j++) {
            const float *w = m->dense + (size_t)(x.idx[j] & m->dense_mask) * DENSE_ROW;
            for (int k = 0; k < HEED_INT_COUNT; k++)
                z[k] += x.val[j] * w[k];
        }
#endif
    } else {
        for (int k = 0; k < HEED_INT_COUNT; k++)
            heed__lm_predict(m->lm[k], x, &z[k]);
    }
    scale_out(m, z, out);
}

/* The three outputs v (HEED_INT_*) into out, which becomes available. */
static void put_out(const float *v, heed_intensity *out)
{
    out->valence = v[HEED_INT_VALENCE];
    out->arousal = v[HEED_INT_AROUSAL];
    out->distress = v[HEED_INT_DISTRESS];
    out->available = 1;
}

int heed__intensity_side(const heed_intensity_model *m, heed_lm_side *side)
{
    if (!m->dense)
        return 0;
    _Static_assert(DENSE_ROW == 4 && HEED_INT_COUNT == 3, "a row is a heed_lm_side row");
    side->rows = m->dense;
    side->mask = m->dense_mask;
    for (int k = 0; k < HEED_INT_COUNT; k++)
        side->sum[k] = m->bias[k];
    side->sum[3] = 0.0f;
    return 1;
}

void heed__intensity_fill_side(const heed_intensity_model *m, const heed_lm_side *side,
                               heed_intensity *out)
{
    float v[HEED_INT_COUNT];
    scale_out(m, side->sum, v);
    put_out(v, out);
}

int heed__intensity_predict(const heed_intensity_model *m, heed_arena *a, const heed_result *r,
                            heed_intensity *out)
{
    heed_sparse x;
    int rc = heed__features(a, &m->fopts, r, &x);
    if (rc)
        return rc;
    heed__intensity_fill(m, x, out);
    return HEED_OK;
}

void heed__intensity_fill(const heed_intensity_model *m, heed_sparse x, heed_intensity *out)
{
    float v[HEED_INT_COUNT];
    heed__intensity_predict_x(m, x, v);
    put_out(v, out);
}
