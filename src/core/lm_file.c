/* lm_file.c - the HEEDLM file format of the linear model of linmodel.h:
 * heed__lm_save and heed__lm_load.
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
 * the offset of the field that is wrong, never read past its end. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "linmodel_int.h"
#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif

#define LM_MAGIC "HEEDLM"
#define LM_VERSION 1u
#define LM_HEADER 32u

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
    return m->dense || m->slots ? HEED_OK : heed__lm_build_slots(m, 0);
}

int heed__lm_load_flags(const void *bytes, size_t len, unsigned flags, heed_lm **out,
                        heed_error *err)
{
    if (out)
        *out = NULL;
    if (!bytes || !out)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: NULL argument");
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
    if (!(flags & HEED_LM_NO_TABLE) && heed__lm_build_slots(m, flags) != HEED_OK)
        goto fail;
    *out = m;
    return HEED_OK;
fail:
    heed__lm_free(m);
    if (rc == HEED_ENOMEM)
        return heed__lm_fail(err, HEED_ENOMEM, 0, "linmodel: out of memory loading a model");
    return rc;
}
