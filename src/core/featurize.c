/* featurize.c - hashed sparse features of an analysed message (featurize.h),
 * shared by the emotion, needs and intensity models. */
#include "featurize.h"

#include <math.h>
#include <string.h>

#include "hash.h"

#include "simd.h"

#ifdef HEED_X86_AVX2
#include <immintrin.h>
#define FEAT_AVX2 1
#endif

#define ID_TAG 0x48460000u /* "HF" */

/* Namespaces: each feature family hashes into its own space. */
enum {
    NS_UNI = 1,
    NS_NEG,
    NS_BI,
    NS_CHAR,
    NS_EVB,
    NS_EVR,
    NS_STYLE,
    NS_VAL
};

/* Style features (hashed as small integers in NS_STYLE). */
enum {
    ST_CAPS1 = 1,
    ST_CAPS2,
    ST_CAPS_ALL,
    ST_ELONG,
    ST_EXCL1,
    ST_EXCL2,
    ST_EXCL4,
    ST_QUEST1,
    ST_QUEST2,
    ST_REP_PUNCT,
    ST_MIXED_PUNCT,
    ST_ENDS_QUEST,
    ST_ENDS_EXCL,
    ST_LEN = 32 /* + bucket */
};

#define STYLE_MAX 16 /* style + valence indicators emitted at most */
#define CHAR_MAX_WORD HEED_FEAT_WORD_BYTES

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    x ^= x >> 33;
    return x;
}

static uint32_t fold(uint64_t ns, uint64_t h)
{
    uint64_t x = mix64(h ^ (ns * 0x9E3779B97F4A7C15ull));
    return (uint32_t)(x ^ (x >> 32));
}

uint32_t heed__features_id(const heed_feat_opts *o)
{
    uint32_t flags = o ? o->flags & HEED_FEAT_KNOWN_FLAGS : 0;
    return ID_TAG | HEED_FEATURES_VERSION << 8 | flags;
}

int heed__features_opts_from_id(uint32_t id, heed_feat_opts *o)
{
    if ((id & 0xffff0000u) != ID_TAG || ((id >> 8) & 0xffu) != HEED_FEATURES_VERSION ||
        (id & 0xffu & ~HEED_FEAT_KNOWN_FLAGS))
        return HEED_EMODEL;
    o->flags = id & HEED_FEAT_KNOWN_FLAGS;
    return HEED_OK;
}

static int is_wordish(const heed_token *t)
{
    return t->kind == HEED_TOK_WORD || t->kind == HEED_TOK_HASHTAG;
}

/* Whether a token's unigram key is its kind, not its norm: tokens whose
 * exact form says nothing about feelings (numbers, money, dates, times, ids,
 * URLs, e-mails, mentions: adjacent kinds). */
_Static_assert(HEED_TOK_MONEY == HEED_TOK_NUMBER + 1 && HEED_TOK_DATE == HEED_TOK_NUMBER + 2 &&
                   HEED_TOK_TIME == HEED_TOK_NUMBER + 3 && HEED_TOK_ID == HEED_TOK_NUMBER + 4 &&
                   HEED_TOK_URL == HEED_TOK_NUMBER + 5 && HEED_TOK_EMAIL == HEED_TOK_NUMBER + 6 &&
                   HEED_TOK_MENTION == HEED_TOK_NUMBER + 7,
               "the kinds keyed by kind are adjacent");
static int keyed_by_kind(const heed_token *t)
{
    return (unsigned)t->kind - HEED_TOK_NUMBER <= (unsigned)(HEED_TOK_MENTION - HEED_TOK_NUMBER);
}

/* The unigram key of a token: its norm, or its kind (keyed_by_kind). */
static uint64_t token_hash(const heed_token *t)
{
    switch (t->kind) {
    case HEED_TOK_NUMBER:
    case HEED_TOK_MONEY:
    case HEED_TOK_DATE:
    case HEED_TOK_TIME:
    case HEED_TOK_ID:
    case HEED_TOK_URL:
    case HEED_TOK_EMAIL:
    case HEED_TOK_MENTION:
        return mix64(0xabcdef00ull + t->kind);
    default:
        return heed__hash(t->norm, t->norm_len);
    }
}

static int norm_is(const heed_token *t, const char *s)
{
    size_t n = strlen(s);
    return t->norm_len == n && !memcmp(t->norm, s, n);
}

static int norm_ends(const heed_token *t, const char *s)
{
    size_t n = strlen(s);
    return t->norm_len >= n && !memcmp(t->norm + t->norm_len - n, s, n);
}

/* A negator for the fallback scope rule (used only when the valence stage
 * marked no negator at all). Inlined into both forms of features_write_as,
 * as it was into the one features_write: a call per token costs more. */
__attribute__((always_inline)) static inline int simple_negator(const heed_token *t)
{
    static const char *const words[] = {"not",     "no",      "never", "nothing", "nobody",
                                        "none",    "neither", "nor",   "cannot",  "without",
                                        "nowhere", "hardly"};
    if (t->kind != HEED_TOK_WORD || !t->norm_len)
        return 0;
    /* the words start with n, c, w or h; the endings end in t */
    const char c0 = t->norm[0];
    if (c0 != 'n' && c0 != 'c' && c0 != 'w' && c0 != 'h' && t->norm[t->norm_len - 1] != 't')
        return 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (norm_is(t, words[i]))
            return 1;
    return norm_ends(t, "n't") || norm_ends(t, "n\xe2\x80\x99t");
}

size_t heed__features_bound(const heed_feat_opts *o, const heed_result *r)
{
    const int chars = o && (o->flags & (HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4));
    size_t n = STYLE_MAX + 2 * r->n_sentences + 2 + 3 * r->n_tokens + r->n_evidence * 18;
    if (chars) /* the words' n-grams: without them, no pass over the tokens */
        for (size_t i = 0; i < r->n_tokens; i++) {
            if (is_wordish(&r->tokens[i])) {
                size_t l = r->tokens[i].norm_len;
                if (l > CHAR_MAX_WORD)
                    l = CHAR_MAX_WORD;
                n += 3 * (l + 2);
            }
        }
    return n;
}

typedef struct sink {
    uint32_t *idx;
    float *val;
    size_t n, cap;
    int general; /* character n-grams without the ASCII fast path (tests) */
    int avx2;    /* the ASCII fast path may hash 4 n-grams a step with AVX2 */
} sink;

static void put(sink *s, uint32_t h, float v)
{
    if (s->n < s->cap) {
        s->idx[s->n] = h;
        s->val[s->n] = v;
        s->n++;
    }
}

/* Scales the block s->idx[from..n) to unit L2 norm as if it also held
 * `absent` more keys (of value 1 each, which a caller adds itself): each
 * entry gets 1 / sqrt of the block's keys and absent's. Returns that value
 * (0 when there are none). */
static float scale_from_with(sink *s, size_t from, size_t absent)
{
    const size_t k = s->n - from + absent;
    if (k == 0)
        return 0.0f;
    const float v = 1.0f / sqrtf((float)k);
    for (size_t i = from; i < s->n; i++)
        s->val[i] = v;
    return v;
}

static void scale_from(sink *s, size_t from)
{
    scale_from_with(s, from, 0);
}

/* The n-gram lengths of the options o: [*lo, *hi]. */
static void gram_range(const heed_feat_opts *o, size_t *lo, size_t *hi)
{
    *lo = o->flags & HEED_FEAT_CHARGRAMS ? 3 : 4;
    *hi = o->flags & HEED_FEAT_CHARGRAMS ? 5 : 4;
}

#if defined(FEAT_AVX2)
/* x * c in each 64-bit lane, modulo 2^64 (AVX2 has no 64-bit multiply): the
 * low halves' full product plus the cross products' low halves shifted up. */
__attribute__((target("avx2"), always_inline)) static inline __m256i mul64_avx2(__m256i x,
                                                                               uint64_t c)
{
    const __m256i lo = _mm256_set1_epi64x((long long)(c & 0xffffffffu));
    const __m256i hi = _mm256_set1_epi64x((long long)(c >> 32));
    const __m256i ll = _mm256_mul_epu32(x, lo);
    const __m256i cross =
        _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), lo), _mm256_mul_epu32(x, hi));
    return _mm256_add_epi64(ll, _mm256_slli_epi64(cross, 32));
}

/* The keys fold(NS_CHAR, heed__hash(buf + i, n)) of the n-grams i = 0..count)
 * of ASCII bytes, 4 a step in 64-bit lanes: the same operations as the
 * scalar code (heed__hash for n < 8, then fold), so the same bits. n is a
 * constant where this is inlined. buf must be readable 8 bytes past the
 * last n-gram (the loads of a step's last lanes run past it); the keys of
 * the lanes past count are computed and dropped. */
__attribute__((target("avx2"), always_inline)) static inline void
grams_avx2(uint32_t *out, const unsigned char *buf, size_t count, const size_t n)
{
    const uint64_t P = 0x100000001b3ull; /* FNV prime: 2^40 + 0x1b3 */
    const __m256i p_lo = _mm256_set1_epi64x(0x1b3);
    const __m256i h0 = _mm256_set1_epi64x((long long)(0xcbf29ce484222325ull ^ (uint64_t)n));
    const __m256i ns = _mm256_set1_epi64x((long long)((uint64_t)NS_CHAR * 0x9E3779B97F4A7C15ull));
    const __m256i pick = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6); /* the low halves */
    (void)P;
    for (size_t i = 0; i < count; i += 4) {
        __m256i h = h0;
        for (size_t j = 0; j < n; j++) {
            int32_t four;
            memcpy(&four, buf + i + j, 4); /* byte j of the n-grams i..i+3 */
            h = _mm256_xor_si256(h, _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(four)));
            /* h * P = h * 0x1b3 + (h << 40): the cross product of the high
             * half is h's low half << 8 (0x100 * 2^32) */
            const __m256i cross = _mm256_add_epi64(
                _mm256_mul_epu32(_mm256_srli_epi64(h, 32), p_lo), _mm256_slli_epi64(h, 8));
            h = _mm256_add_epi64(_mm256_mul_epu32(h, p_lo), _mm256_slli_epi64(cross, 32));
        }
        /* heed__hash's final avalanche */
        h = _mm256_xor_si256(h, _mm256_srli_epi64(h, 33));
        h = mul64_avx2(h, 0xff51afd7ed558ccdull);
        h = _mm256_xor_si256(h, _mm256_srli_epi64(h, 33));
        /* fold: mix64(h ^ ns * golden), then x ^ x >> 32 */
        __m256i x = _mm256_xor_si256(h, ns);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 31));
        x = mul64_avx2(x, 0x7fb5d329728ea185ull);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 27));
        x = mul64_avx2(x, 0x81dadef4bc2dd44dull);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 33));
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 32));
        const __m128i keys = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(x, pick));
        if (count - i >= 4) {
            _mm_storeu_si128((__m128i *)(void *)(out + i), keys);
        } else {
            uint32_t k4[4];
            _mm_storeu_si128((__m128i *)(void *)k4, keys);
            memcpy(out + i, k4, (count - i) * sizeof *out);
        }
    }
}

/* grams_avx2 for n = 3, 4 or 5. */
__attribute__((target("avx2"))) static void grams_avx2_n(uint32_t *out, const unsigned char *buf,
                                                         size_t count, size_t n)
{
    if (n == 3)
        grams_avx2(out, buf, count, 3);
    else if (n == 4)
        grams_avx2(out, buf, count, 4);
    else
        grams_avx2(out, buf, count, 5);
}

/* keys[k] = fold of in[k], whose namespace is xored in already (in[k] = h ^
 * ns * 0x9E3779B97F4A7C15: fold(ns, h)), for k < n, 4 a step in 64-bit
 * lanes: the same operations as fold, so the same bits. in and keys have
 * room for n rounded up to 4 (the keys of the lanes past n are written and
 * never read). */
__attribute__((target("avx2"))) static void mix_avx2(uint32_t *keys, const uint64_t *in, size_t n)
{
    const __m256i pick = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6); /* the low halves */
    for (size_t i = 0; i < n; i += 4) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(in + i));
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 31));
        x = mul64_avx2(x, 0x7fb5d329728ea185ull);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 27));
        x = mul64_avx2(x, 0x81dadef4bc2dd44dull);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 33));
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 32));
        _mm_storeu_si128((__m128i *)(void *)(keys + i),
                         _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(x, pick)));
    }
}
#endif

/* NS_*: what the namespace adds to a hash before fold's mix64. */
#define NS_XOR(ns) ((uint64_t)(ns) * 0x9E3779B97F4A7C15ull)

/* keys[k] = the fold of in[k], its namespace xored in already (mix_avx2),
 * for k < n; with AVX2 (avx2 set) the room mix_avx2 asks for. */
static void mix_all(uint32_t *keys, const uint64_t *in, size_t n, int avx2)
{
#if defined(FEAT_AVX2)
    if (avx2) {
        mix_avx2(keys, in, n);
        return;
    }
#else
    (void)avx2;
#endif
    for (size_t k = 0; k < n; k++) {
        const uint64_t x = mix64(in[k]);
        keys[k] = (uint32_t)(x ^ (x >> 32));
    }
}

/* The n-grams of n bytes of an ASCII buf[0..blen), n a constant where this
 * is inlined: the hash then runs without a loop; the same keys as the
 * general path, whose code points are bytes here. Only the keys are
 * written: write_chars sets the values of its whole block (scale_from). */
__attribute__((always_inline)) static inline void byte_grams(sink *s, const unsigned char *buf,
                                                             size_t blen, const size_t n)
{
    if (blen < n)
        return;
    const size_t count = blen - n + 1;
    if (count > s->cap - s->n) { /* no room for all: put() keeps what fits */
        for (size_t i = 0; i < count; i++)
            put(s, fold(NS_CHAR, heed__hash(buf + i, n)), 1.0f);
        return;
    }
    uint32_t *idx = s->idx + s->n;
    size_t from = 0;
#if defined(FEAT_AVX2)
    /* whole steps of 4 only: lanes left empty would cost more than the
     * scalar code they replace */
    if (s->avx2 && count >= 4) {
        from = count & ~(size_t)3;
        grams_avx2_n(idx, buf, from, n);
    }
#endif
    for (size_t i = from; i < count; i++)
        idx[i] = fold(NS_CHAR, heed__hash(buf + i, n));
    s->n += count;
}

/* Is p[0..n) ASCII? p[n..n+8) must be readable and ASCII (zeros): the
 * bytes are read 8 at a time, the last read running past n. */
static int is_ascii_padded(const unsigned char *p, size_t n)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    return !(acc & 0x8080808080808080ull);
}

/* Character lo..hi-grams of buf[0..blen) ("<word>"), over code points: the
 * general path of char_grams, out of line (its table of code point starts
 * stays off the fast path's stack). */
__attribute__((noinline)) static void char_grams_general(sink *s, const unsigned char *buf,
                                                         size_t blen, size_t lo, size_t hi)
{
    size_t cp[CHAR_MAX_WORD + 3];
    size_t ncp = 0;
    for (size_t i = 0; i < blen; i++)
        if ((buf[i] & 0xC0) != 0x80)
            cp[ncp++] = i;
    cp[ncp] = blen;
    for (size_t n = lo; n <= hi; n++)
        for (size_t i = 0; i + n <= ncp; i++)
            put(s, fold(NS_CHAR, heed__hash(buf + cp[i], cp[i + n] - cp[i])), 1.0f);
}

/* Character lo..hi-grams of "<word>", over code points; inlined into
 * write_chars' loop over the words. */
static inline void char_grams(sink *s, const heed_token *t, size_t lo, size_t hi)
{
    unsigned char buf[CHAR_MAX_WORD + 2 + 8]; /* 8 zeros after the word for is_ascii_padded */
    size_t l = t->norm_len > CHAR_MAX_WORD ? CHAR_MAX_WORD : t->norm_len;
    buf[0] = '<';
    memcpy(buf + 1, t->norm, l);
    buf[l + 1] = '>';
    const size_t blen = l + 2;
    memset(buf + blen, 0, 8);
    /* most words are ASCII: a byte is a code point (< and > are ASCII too) */
    if (!s->general && lo >= 3 && hi <= 5 && is_ascii_padded(buf, blen)) {
        for (size_t n = lo; n <= hi; n++) {
            if (n == 3)
                byte_grams(s, buf, blen, 3);
            else if (n == 4)
                byte_grams(s, buf, blen, 4);
            else
                byte_grams(s, buf, blen, 5);
        }
        return;
    }
    char_grams_general(s, buf, blen, lo, hi);
}

#define CHAR_FLAGS (HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4)

/* Tokens (and sentences) a message may have for the word block's fast form,
 * whose buffers are on the stack. */
#define WB_MAX 256

/* The character n-gram block of the options (which ask for one). A token
 * with a word wr[i] (when wr is not NULL: its keys made for these n-grams)
 * takes that word's keys, those char_grams makes, made once per engine.
 * gram_room: the room the words' n-grams need at most (heed__features_bound's
 * part for them), or 0 when not known. */
static void write_chars(sink *s, const heed_feat_opts *o, const heed_result *r,
                        const heed_word *const *wr, size_t gram_room)
{
    size_t lo, hi;
    gram_range(o, &lo, &hi);
    const size_t from = s->n;
    if (wr && gram_room && s->cap - s->n >= gram_room + 8) {
        /* room for every word's keys and the 8 a word's copy writes: no
         * test of the room per word */
        uint32_t *out = s->idx + s->n;
        const heed_token *const tk = r->tokens;
        const size_t nt = r->n_tokens;
        for (size_t i = 0; i < nt; i++) {
            const heed_token *t = &tk[i];
            if (!is_wordish(t))
                continue;
            const heed_word *e = wr[i];
            if (e && e->n_keys <= 8) {
                memcpy(out, e->keys, 8 * sizeof *e->keys);
                out += e->n_keys;
                continue;
            }
            s->n = (size_t)(out - s->idx);
            if (e) {
                memcpy(out, e->keys, e->n_keys * sizeof *e->keys);
                s->n += e->n_keys;
            } else {
                char_grams(s, t, lo, hi);
            }
            out = s->idx + s->n;
        }
        s->n = (size_t)(out - s->idx);
        scale_from(s, from);
        return;
    }
    for (size_t i = 0; i < r->n_tokens; i++) {
        const heed_token *t = &r->tokens[i];
        if (!is_wordish(t))
            continue;
        const heed_word *e = wr ? wr[i] : NULL;
        if (e) {
            const size_t room = s->cap - s->n;
            if (e->n_keys <= 8 && room >= 8) {
                /* most words: 8 keys copied at once (the table's keys have
                 * room past the last word's; the sink's past n are
                 * overwritten later or never read) */
                memcpy(s->idx + s->n, e->keys, 8 * sizeof *e->keys);
                s->n += e->n_keys;
            } else { /* as put() would: what fits (the values are set below) */
                const size_t k = e->n_keys < room ? e->n_keys : room;
                memcpy(s->idx + s->n, e->keys, k * sizeof *s->idx);
                s->n += k;
            }
            continue;
        }
        char_grams(s, t, lo, hi);
    }
    scale_from(s, from);
}

/* write_chars with a table of words whose n-gram rows a caller sums itself
 * (heed__features_pair_summed): a token with a word wr[i] (keys made for
 * these n-grams) that has keys puts none; its index in the table (from base)
 * goes to ids, in token order, and its keys are counted in the block's
 * value as if they were there. The sink has room for every key (the bound
 * of the options). *n_ids gets the ids' count, *char_val the block's value
 * (1 / sqrt of every key, put or summed; 0 without any). */
static void write_chars_summed(sink *s, const heed_feat_opts *o, const heed_result *r,
                               const heed_word *const *wr, const heed_word *base, uint32_t *ids,
                               size_t *n_ids, float *char_val)
{
    size_t lo, hi;
    gram_range(o, &lo, &hi);
    const size_t from = s->n;
    size_t summed = 0, m = 0;
    const heed_token *const tk = r->tokens;
    const size_t nt = r->n_tokens;
    for (size_t i = 0; i < nt; i++) {
        const heed_token *t = &tk[i];
        if (!is_wordish(t))
            continue;
        const heed_word *e = wr[i];
        if (e) { /* no id for a word without keys (its sum is 0) */
            ids[m] = (uint32_t)(e - base);
            m += e->n_keys != 0;
            summed += e->n_keys;
            continue;
        }
        char_grams(s, t, lo, hi);
    }
    *n_ids = m;
    *char_val = scale_from_with(s, from, summed);
}

static int ev_bucket(float score)
{
    if (score <= -2)
        return 0;
    if (score <= -1)
        return 1;
    if (score < 0)
        return 2;
    if (score < 1)
        return 3;
    if (score < 2)
        return 4;
    return 5;
}

static int valence_bucket(double v)
{
    static const double cuts[] = {-0.75, -0.5, -0.25, -0.05, 0.05, 0.25, 0.5, 0.75};
    int b = 0;
    while (b < 8 && v > cuts[b])
        b++;
    return b;
}

static int len_bucket(size_t words)
{
    static const size_t cuts[] = {1, 2, 5, 10, 20, 40, 80};
    int b = 0;
    while (b < 7 && words > cuts[b])
        b++;
    return b;
}

/* How the character n-grams are made: the fastest way, without AVX2 (tests),
 * or without the ASCII fast path (tests). */
enum { PATH_FAST, PATH_SCALAR, PATH_GENERAL };

/* Whether PATH_FAST may use AVX2 here. */
static int have_avx2(void)
{
#if defined(FEAT_AVX2)
    return __builtin_cpu_supports("avx2") != 0;
#else
    return 0;
#endif
}

/* heed__features_write; *words_end (when not NULL) gets the end of the word
 * block, where the character n-grams are, and *gram_room the room those of
 * the words need (what heed__features_bound adds for them, counted here
 * rather than in a pass of its own); th (fill FILL_TH) the tokens' hashes
 * (heed__features_th), or given (fill FILL_GIVEN) holds them already
 * (heed__features_write_hashed). Made once per fill, so that the word loop
 * tests no pointer for them and the loop without is the one it was
 * (features_write picks). */
/* FILL_WORDS: as FILL_GIVEN, and wr (not NULL) holds each token's word in
 * the table of frequent words or NULL (heed__freqwords_find), whose entry
 * has its unigram keys and negator test made already. */
enum { FILL_NONE, FILL_TH, FILL_GIVEN, FILL_WORDS };

/* The punctuation counts of the style features. */
typedef struct tally {
    size_t excl, quest, rep, mixed;
} tally;

static void tally_punct(const heed_result *r, const heed_token *t, tally *ty)
{
    size_t e = 0, q = 0;
    for (size_t b = 0; b < t->len; b++) {
        e += r->text[t->start + b] == '!';
        q += r->text[t->start + b] == '?';
    }
    ty->excl += e;
    ty->quest += q;
    ty->rep += (t->flags & HEED_TF_REPEATED) != 0;
    ty->mixed += e && q;
}

/* The word block's fast form, first step: over the sentences' tokens (at most
 * WB_MAX), in gets what fold mixes for each key of the block, in its order
 * (its namespace xored in: mix_all): the unigram's, the NOT_ one's (by_flags:
 * from the valence stage's flags, else by the fallback scope rule) and the
 * bigram's (bigrams set), and a sentence's end bigram's; th, given, wr and
 * fill as for features_write_as. Returns the words, ALL CAPS words,
 * elongated words and the n-grams' room in 16 bits each, from the lowest
 * (WB_MAX tokens keep each below 2^16); *n_in gets the entries of in, ty the
 * punctuation's counts. */
_Static_assert(HEED_TF_ALLCAPS == 1 && HEED_TF_ELONGATED == 2, "the flags gather counts");
_Static_assert(WB_MAX * 3 * (CHAR_MAX_WORD + 2) < 65536, "gather's counts fit 16 bits");
__attribute__((always_inline)) static inline uint64_t
gather(const heed_result *r, uint64_t *th, const uint64_t *given, const heed_word *const *wr,
       const int fill, const int by_flags, const int bigrams, uint64_t *in, size_t *n_in,
       tally *ty)
{
    const heed_token *tk = r->tokens;
    const size_t nt = r->n_tokens;
    uint64_t acc = 0;
    uint64_t *p = in;
    for (size_t si = 0; si < r->n_sentences; si++) {
        const heed_sentence *se = &r->sentences[si];
        uint64_t prev = 0x5eed0001ull; /* sentence start */
        int scope = 0;                 /* fallback negation scope */
        size_t end = (size_t)se->first_token + se->n_tokens;
        if (end > nt)
            end = nt;
        for (size_t i = se->first_token; i < end; i++) {
            const heed_token *t = &tk[i];
            const unsigned kind = t->kind, fl = t->flags;
            const uint64_t h = (fill == FILL_GIVEN || fill == FILL_WORDS) && !keyed_by_kind(t)
                                   ? given[i]
                                   : token_hash(t);
            if (fill == FILL_TH)
                th[i] = keyed_by_kind(t) ? heed__hash(t->norm, t->norm_len) : h;
            int negated;
            if (by_flags) {
                negated = (fl & HEED_TF_NEGATED) != 0;
            } else {
                const heed_word *w = fill == FILL_WORDS ? wr[i] : NULL;
                if (kind == HEED_TOK_PUNCT)
                    scope = 0;
                negated = scope;
                if (w ? w->negator && kind == HEED_TOK_WORD : simple_negator(t))
                    scope = 1;
            }
            /* the NOT_ key's entry is overwritten by the bigram's when the
             * token has none */
            p[0] = h ^ NS_XOR(NS_UNI);
            p[1] = h ^ NS_XOR(NS_NEG);
            p += 1 + (negated && kind == HEED_TOK_WORD);
            p[0] = (prev * 31 + h) ^ NS_XOR(NS_BI);
            p += bigrams;
            prev = h;
            const uint64_t room =
                3 * ((t->norm_len > CHAR_MAX_WORD ? CHAR_MAX_WORD : t->norm_len) + 2);
            if (kind == HEED_TOK_WORD)
                acc += 1 | (uint64_t)(fl & HEED_TF_ALLCAPS) << 16 |
                       (uint64_t)(fl & HEED_TF_ELONGATED) << 31 | room << 48;
            else if (kind == HEED_TOK_HASHTAG)
                acc += room << 48;
            else if (kind == HEED_TOK_PUNCT)
                tally_punct(r, t, ty);
        }
        p[0] = (prev * 31 + 0x5eed0002ull) ^ NS_XOR(NS_BI); /* sentence end */
        p += bigrams;
    }
    *n_in = (size_t)(p - in);
    return acc;
}
__attribute__((always_inline)) static inline size_t
features_write_as(const heed_feat_opts *o, const heed_result *r, uint64_t *th,
                  const uint64_t *given, const heed_word *const *wr, const int fill, uint32_t *idx,
                  float *val, size_t cap, size_t *words_end, size_t *gram_room, int path)
{
    sink s = {idx, val, 0, cap, path == PATH_GENERAL,
              path == PATH_FAST && o && (o->flags & CHAR_FLAGS) && have_avx2()};
    const heed_token *tk = r->tokens;
    const size_t nt = r->n_tokens;

    unsigned any_flags = 0; /* two tokens a step */
    size_t i2 = 0;
    for (; i2 + 2 <= nt; i2 += 2)
        any_flags |= (unsigned)tk[i2].flags | tk[i2 + 1].flags;
    if (i2 < nt)
        any_flags |= tk[i2].flags;
    const int have_negator = (any_flags & HEED_TF_NEGATOR) != 0;

    /* Words and bigrams, sentence by sentence: keys only, what fits (as put,
     * with the count in a local the compiler keeps in a register); the
     * block's values are all one, which scale_from sets. */
    const size_t from = s.n;
    uint32_t *const keys = s.idx;
    const size_t key_cap = s.cap;
    size_t nk = s.n;
#define PUT_KEY(k)                                                                                 \
    do {                                                                                           \
        if (nk < key_cap)                                                                          \
            keys[nk++] = (k);                                                                      \
    } while (0)
    size_t words = 0, caps = 0, elong = 0, excl = 0, quest = 0, rep = 0, mixed = 0, room = 0;
    const int bigrams = !(o && (o->flags & HEED_FEAT_NO_BIGRAMS));
    /* The fast form: what fold mixes for each key gathered first, in the
     * block's order, then mixed 4 at a time (mix_all) straight into the
     * block; when the sentences visit at most WB_MAX tokens and the keys fit
     * whole (PATH_GENERAL keeps the loop below, the reference of the
     * tests). */
    size_t visit = 0;
    int fast = path != PATH_GENERAL && r->n_sentences <= WB_MAX;
    for (size_t si = 0; fast && si < r->n_sentences; si++) {
        const heed_sentence *se = &r->sentences[si];
        const size_t end = (size_t)se->first_token + se->n_tokens;
        visit += (end > nt ? nt : end) > se->first_token ? (end > nt ? nt : end) - se->first_token
                                                         : 0;
        fast = visit <= WB_MAX;
    }
    if (fast && key_cap - nk >= 3 * visit + r->n_sentences + 3) {
        /* in: 3 entries a token at most, 1 a sentence, 3 (and 2 written
         * past) for mix_all's last step */
        uint64_t in[4 * WB_MAX + 5];
        size_t n_in;
        tally ty = {0, 0, 0, 0};
        const uint64_t acc =
            have_negator ? gather(r, th, given, wr, fill, 1, bigrams, in, &n_in, &ty)
                         : gather(r, th, given, wr, fill, 0, bigrams, in, &n_in, &ty);
        words = acc & 0xffff;
        caps = acc >> 16 & 0xffff;
        elong = acc >> 32 & 0xffff;
        room = acc >> 48;
        excl = ty.excl;
        quest = ty.quest;
        rep = ty.rep;
        mixed = ty.mixed;
        in[n_in] = in[n_in + 1] = in[n_in + 2] = 0;
        /* the keys past n_in are overwritten below or never read */
        mix_all(keys + nk, in, n_in, path == PATH_FAST && have_avx2());
        nk += n_in;
    } else {
        for (size_t si = 0; si < r->n_sentences; si++) {
            const heed_sentence *se = &r->sentences[si];
            uint64_t prev = 0x5eed0001ull; /* sentence start */
            int scope = 0;                 /* fallback negation scope */
            size_t end = (size_t)se->first_token + se->n_tokens;
            if (end > nt)
                end = nt;
            for (size_t i = se->first_token; i < end; i++) {
                const heed_token *t = &tk[i];
                /* th[i]: the norm's hash, which h is but for keyed_by_kind */
                const uint64_t h = (fill == FILL_GIVEN || fill == FILL_WORDS) && !keyed_by_kind(t)
                                       ? given[i]
                                       : token_hash(t);
                if (fill == FILL_TH)
                    th[i] = keyed_by_kind(t) ? heed__hash(t->norm, t->norm_len) : h;
                /* a word or hashtag of the table: its keys are made (h is its hash) */
                const heed_word *w = fill == FILL_WORDS ? wr[i] : NULL;
                int negated;
                if (have_negator) {
                    negated = (t->flags & HEED_TF_NEGATED) != 0;
                } else {
                    if (t->kind == HEED_TOK_PUNCT)
                        scope = 0;
                    negated = scope && t->kind == HEED_TOK_WORD;
                    if (w ? w->negator && t->kind == HEED_TOK_WORD : simple_negator(t))
                        scope = 1;
                }
                PUT_KEY(w ? w->uni_key : fold(NS_UNI, h));
                if (negated && t->kind == HEED_TOK_WORD)
                    PUT_KEY(w ? w->neg_key : fold(NS_NEG, h));
                if (!(o && (o->flags & HEED_FEAT_NO_BIGRAMS)))
                    PUT_KEY(fold(NS_BI, prev * 31 + h));
                prev = h;
                if (is_wordish(t))
                    room += 3 * ((t->norm_len > CHAR_MAX_WORD ? CHAR_MAX_WORD : t->norm_len) + 2);
                if (t->kind == HEED_TOK_WORD) {
                    words++;
                    caps += (t->flags & HEED_TF_ALLCAPS) != 0;
                    elong += (t->flags & HEED_TF_ELONGATED) != 0;
                }
                if (t->kind == HEED_TOK_PUNCT) {
                    size_t e = 0, q = 0;
                    for (size_t b = 0; b < t->len; b++) {
                        e += r->text[t->start + b] == '!';
                        q += r->text[t->start + b] == '?';
                    }
                    excl += e;
                    quest += q;
                    rep += (t->flags & HEED_TF_REPEATED) != 0;
                    mixed += e && q;
                }
            }
            if (!(o && (o->flags & HEED_FEAT_NO_BIGRAMS)))
                PUT_KEY(fold(NS_BI, prev * 31 + 0x5eed0002ull));
        }
    }
#undef PUT_KEY
    s.n = nk;
    scale_from(&s, from); /* the block's values */
    if (words_end) {
        *words_end = s.n;
        *gram_room = room;
    }

    if (o && (o->flags & CHAR_FLAGS))
        write_chars(&s, o, r, NULL, 0);

    /* Lexicon valence evidence. */
    for (size_t i = 0; i < r->n_evidence; i++) {
        const heed_evidence *e = &r->evidence[i];
        int b = ev_bucket(e->score);
        put(&s, fold(NS_EVB, (uint64_t)b), 1.0f);
        for (uint32_t m = e->rules & 0xFFFFu; m; m &= m - 1) /* its rules, lowest bit first */
            put(&s, fold(NS_EVR, (uint64_t)__builtin_ctz(m) * 2 + (e->score < 0)), 1.0f);
    }
    put(&s, fold(NS_VAL, (uint64_t)valence_bucket(r->valence)), 1.0f);

    /* Style. */
    if (caps == 1)
        put(&s, fold(NS_STYLE, ST_CAPS1), 1.0f);
    else if (caps >= 2)
        put(&s, fold(NS_STYLE, ST_CAPS2), 1.0f);
    if (caps >= 2 && caps == words)
        put(&s, fold(NS_STYLE, ST_CAPS_ALL), 1.0f);
    if (elong)
        put(&s, fold(NS_STYLE, ST_ELONG), 1.0f);
    if (excl >= 4)
        put(&s, fold(NS_STYLE, ST_EXCL4), 1.0f);
    else if (excl >= 2)
        put(&s, fold(NS_STYLE, ST_EXCL2), 1.0f);
    else if (excl == 1)
        put(&s, fold(NS_STYLE, ST_EXCL1), 1.0f);
    if (quest >= 2)
        put(&s, fold(NS_STYLE, ST_QUEST2), 1.0f);
    else if (quest == 1)
        put(&s, fold(NS_STYLE, ST_QUEST1), 1.0f);
    if (rep)
        put(&s, fold(NS_STYLE, ST_REP_PUNCT), 1.0f);
    if (mixed)
        put(&s, fold(NS_STYLE, ST_MIXED_PUNCT), 1.0f);
    if (nt && tk[nt - 1].kind == HEED_TOK_PUNCT) {
        const heed_token *t = &tk[nt - 1];
        /* a '?' in it, else a '!' (most are one byte: no memchr call) */
        int has_q = 0, has_e = 0;
        for (size_t b = 0; b < t->len; b++) {
            has_q |= r->text[t->start + b] == '?';
            has_e |= r->text[t->start + b] == '!';
        }
        if (has_q)
            put(&s, fold(NS_STYLE, ST_ENDS_QUEST), 1.0f);
        else if (has_e)
            put(&s, fold(NS_STYLE, ST_ENDS_EXCL), 1.0f);
    }
    put(&s, fold(NS_STYLE, ST_LEN + (uint64_t)len_bucket(words)), 1.0f);
    return s.n;
}

__attribute__((noinline)) static size_t features_write_th(const heed_feat_opts *o,
                                                          const heed_result *r, uint64_t *th,
                                                          uint32_t *idx, float *val, size_t cap,
                                                          size_t *words_end, size_t *gram_room)
{
    return features_write_as(o, r, th, NULL, NULL, FILL_TH, idx, val, cap, words_end, gram_room,
                             PATH_FAST);
}

size_t heed__features_write_hashed(const heed_feat_opts *o, const heed_result *r,
                                   const uint64_t *th, uint32_t *idx, float *val, size_t cap)
{
    return features_write_as(o, r, NULL, th, NULL, FILL_GIVEN, idx, val, cap, NULL, NULL,
                             PATH_FAST);
}

__attribute__((noinline)) static size_t
features_write_plain(const heed_feat_opts *o, const heed_result *r, uint32_t *idx, float *val,
                     size_t cap, size_t *words_end, size_t *gram_room, int path)
{
    return features_write_as(o, r, NULL, NULL, NULL, FILL_NONE, idx, val, cap, words_end,
                             gram_room, path);
}

/* features_write_as from the given hashes th and the tokens' words wr (not
 * NULL). */
__attribute__((noinline)) static size_t
features_write_given(const heed_feat_opts *o, const heed_result *r, const uint64_t *th,
                     const heed_word *const *wr, uint32_t *idx, float *val, size_t cap,
                     size_t *words_end, size_t *gram_room)
{
    return features_write_as(o, r, NULL, th, wr, FILL_WORDS, idx, val, cap, words_end, gram_room,
                             PATH_FAST);
}

/* features_write_as; th (when not NULL) only on PATH_FAST, the engine's. */
static size_t features_write(const heed_feat_opts *o, const heed_result *r, uint64_t *th,
                             uint32_t *idx, float *val, size_t cap, size_t *words_end,
                             size_t *gram_room, int path)
{
    return th ? features_write_th(o, r, th, idx, val, cap, words_end, gram_room)
              : features_write_plain(o, r, idx, val, cap, words_end, gram_room, path);
}

size_t heed__features_write(const heed_feat_opts *o, const heed_result *r, uint32_t *idx,
                            float *val, size_t cap)
{
    return features_write(o, r, NULL, idx, val, cap, NULL, NULL, PATH_FAST);
}

size_t heed__features_write_general(const heed_feat_opts *o, const heed_result *r,
                                    uint32_t *idx, float *val, size_t cap)
{
    return features_write(o, r, NULL, idx, val, cap, NULL, NULL, PATH_GENERAL);
}

size_t heed__features_write_scalar(const heed_feat_opts *o, const heed_result *r,
                                   uint32_t *idx, float *val, size_t cap)
{
    return features_write(o, r, NULL, idx, val, cap, NULL, NULL, PATH_SCALAR);
}

uint32_t heed__features_unigram(const char *norm, size_t len, int negated)
{
    return fold(negated ? NS_NEG : NS_UNI, heed__hash(norm, len));
}

int heed__features_negator(const char *norm, size_t len)
{
    const heed_token t = {.kind = HEED_TOK_WORD, .norm = norm, .norm_len = (uint32_t)len};
    return simple_negator(&t);
}

int heed__features_can_pair(const heed_feat_opts *plain, const heed_feat_opts *chars)
{
    const uint32_t p = plain ? plain->flags : 0, c = chars ? chars->flags : 0;
    return !(p & CHAR_FLAGS) && (c & CHAR_FLAGS) && (p & ~CHAR_FLAGS) == (c & ~CHAR_FLAGS);
}

/* heed__features_pair and heed__features_pair_words: the word block made by
 * features_write (th filled) or from given hashes (th_given) and words
 * (wr_words, not NULL then), then the n-grams, with the words' n-gram keys
 * of wr_chars when given; with base (not NULL), the words of wr_chars are
 * summed by the caller instead (write_chars_summed into ids, *n_ids and
 * *char_val). */
static int features_pair(heed_arena *a, const heed_feat_opts *plain, const heed_feat_opts *chars,
                         const heed_result *r, uint64_t *th, const uint64_t *th_given,
                         const heed_word *const *wr_words, const heed_word *const *wr_chars,
                         heed_sparse *x_plain, heed_sparse *x_chars, const heed_word *base,
                         uint32_t *ids, size_t *n_ids, float *char_val)
{
    if (!heed__features_can_pair(plain, chars))
        return HEED_EINVAL;
    const size_t cap_p = heed__features_bound(plain, r);
    /* each vector's keys and values in one allocation (both 4 bytes) */
    uint32_t *pi = heed__arena_alloc(a, cap_p * (sizeof(uint32_t) + sizeof(float)));
    if (!pi)
        return HEED_ENOMEM;
    float *pv = (float *)(void *)(pi + cap_p);
    size_t w_end = 0, gram_room = 0;
    const size_t n =
        th_given ? features_write_given(plain, r, th_given, wr_words, pi, pv, cap_p, &w_end,
                                        &gram_room)
                 : features_write(plain, r, th, pi, pv, cap_p, &w_end, &gram_room, PATH_FAST);
    /* heed__features_bound(chars, r): the options differ only in the
     * n-grams, whose room the word loop counted */
    const size_t cap_c = cap_p + gram_room;
    uint32_t *ci = heed__arena_alloc(a, cap_c * (sizeof(uint32_t) + sizeof(float)));
    if (!ci)
        return HEED_ENOMEM;
    float *cv = (float *)(void *)(ci + cap_c);
    /* the chars vector: the same word block, its n-grams, the same rest (the
     * bounds leave room for all of it, so nothing is cut in either) */
    memcpy(ci, pi, w_end * sizeof *ci);
    memcpy(cv, pv, w_end * sizeof *cv);
    sink s = {ci, cv, w_end, cap_c - (n - w_end), 0, have_avx2()};
    if (base)
        write_chars_summed(&s, chars, r, wr_chars, base, ids, n_ids, char_val);
    else
        write_chars(&s, chars, r, wr_chars, gram_room);
    memcpy(ci + s.n, pi + w_end, (n - w_end) * sizeof *ci);
    memcpy(cv + s.n, pv + w_end, (n - w_end) * sizeof *cv);
    *x_plain = (heed_sparse){pi, pv, n};
    *x_chars = (heed_sparse){ci, cv, s.n + (n - w_end)};
    return HEED_OK;
}

int heed__features_pair(heed_arena *a, const heed_feat_opts *plain, const heed_feat_opts *chars,
                        const heed_result *r, uint64_t *th, heed_sparse *x_plain,
                        heed_sparse *x_chars)
{
    return features_pair(a, plain, chars, r, th, NULL, NULL, NULL, x_plain, x_chars, NULL, NULL,
                         NULL, NULL);
}

int heed__features_pair_words(heed_arena *a, const heed_feat_opts *plain,
                              const heed_feat_opts *chars, const heed_result *r, const uint64_t *th,
                              const heed_words *ws, const heed_word *const *wr,
                              heed_sparse *x_plain, heed_sparse *x_chars)
{
    /* no table: no words (the word block reads wr only for its entries) */
    const heed_word *const *words = ws && wr ? wr : NULL;
    const heed_word *const *grams = words;
    if (!chars || heed__freqwords_char_flags(ws) != (chars->flags & CHAR_FLAGS))
        grams = NULL; /* no keys, or keys of other n-grams */
    if (!words) { /* the word block with no table's entries: none found */
        const heed_word **none = heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof *none);
        if (!none)
            return HEED_ENOMEM;
        memset(none, 0, (r->n_tokens ? r->n_tokens : 1) * sizeof *none);
        words = none;
    }
    return features_pair(a, plain, chars, r, NULL, th, words, grams, x_plain, x_chars, NULL, NULL,
                         NULL, NULL);
}

int heed__features_pair_summed(heed_arena *a, const heed_feat_opts *plain,
                               const heed_feat_opts *chars, const heed_result *r,
                               const uint64_t *th, const heed_words *ws, const heed_word *const *wr,
                               heed_sparse *x_plain, heed_sparse *x_chars, const uint32_t **ids,
                               size_t *n_ids, float *char_val)
{
    if (!ws || !wr || !chars || heed__freqwords_char_flags(ws) != (chars->flags & CHAR_FLAGS))
        return HEED_EINVAL;
    uint32_t *id = heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof *id);
    if (!id)
        return HEED_ENOMEM;
    *ids = id;
    *n_ids = 0;
    *char_val = 0;
    return features_pair(a, plain, chars, r, NULL, th, wr, wr, x_plain, x_chars, ws->word, id,
                         n_ids, char_val);
}

size_t heed__features_word_keys(const heed_feat_opts *o, const char *w, size_t n, uint32_t *keys,
                                size_t cap)
{
    if (!o || !(o->flags & CHAR_FLAGS))
        return 0;
    float val[3 * (CHAR_MAX_WORD + 2)];
    if (cap > sizeof val / sizeof val[0])
        cap = sizeof val / sizeof val[0];
    sink s = {keys, val, 0, cap, 0, have_avx2()};
    const heed_token t = {.kind = HEED_TOK_WORD, .norm = w, .norm_len = (uint32_t)n};
    size_t lo, hi;
    gram_range(o, &lo, &hi);
    char_grams(&s, &t, lo, hi);
    return s.n;
}

int heed__features(heed_arena *a, const heed_feat_opts *o, const heed_result *r,
                   heed_sparse *out)
{
    return heed__features_th(a, o, r, NULL, out);
}

int heed__features_th(heed_arena *a, const heed_feat_opts *o, const heed_result *r, uint64_t *th,
                      heed_sparse *out)
{
    size_t cap = heed__features_bound(o, r);
    uint32_t *idx = heed__arena_alloc(a, cap * sizeof *idx);
    float *val = heed__arena_alloc(a, cap * sizeof *val);
    if (!idx || !val)
        return HEED_ENOMEM;
    out->idx = idx;
    out->val = val;
    out->n = features_write(o, r, th, idx, val, cap, NULL, NULL, PATH_FAST);
    return HEED_OK;
}
