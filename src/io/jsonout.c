/* jsonout.c - JSON rendering of heed_result (see jsonout.h, docs/schema.md). */
#include "jsonout.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif

/* Bytes heed_json_string must look at: '"', '\\', controls, DEL, and 0xE2
 * (the lead byte of U+2028/U+2029). Everything else is copied as is. */
static const unsigned char SPECIAL[256] = {
    1,         1,          1,          1,          1, 1, 1, 1,
    1,         1,          1,          1,          1, 1, 1, 1, /* 0x00-0x0F */
    1,         1,          1,          1,          1, 1, 1, 1,
    1,         1,          1,          1,          1, 1, 1, 1, /* 0x10-0x1F */
    ['"'] = 1, ['\\'] = 1, [0x7F] = 1, [0xE2] = 1,
};

/* "00".."99": two digits per lookup. */
static const char DIGITS2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes v (>= 10) in decimal ending just before `end`, two digits per
 * lookup; returns where the digits start. */
static char *uint_digits(char *end, uint64_t v)
{
    while (v >= 100) {
        const unsigned r = (unsigned)(v % 100);
        v /= 100;
        end -= 2;
        memcpy(end, DIGITS2 + 2 * r, 2);
    }
    if (v >= 10) {
        end -= 2;
        memcpy(end, DIGITS2 + 2 * v, 2);
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

/* DEC4[q], q in [0, 10000]: the number q / 10000 in its first bytes, "0."
 * and four digits without the trailing zeros ("0" for 0, "1" for 10000),
 * with how many those are in the last byte. The four digits are all there
 * (a zero after the count too), so the writers copy an entry in one 8-byte
 * move and advance by its count; DEC4[q % 10000] with its '0' replaced by a
 * units digit writes any number with a fraction of q. */
#define DEC4_LEN_(q) ((q) % 10000 == 0 ? 1 : (q) % 10 ? 6 : (q) % 100 ? 5 : (q) % 1000 ? 4 : 3)
#define DEC4_(q)                                                                          \
    {(q) == 10000 ? '1' : '0',  '.', (char)('0' + (q) / 1000 % 10),                      \
     (char)('0' + (q) / 100 % 10), (char)('0' + (q) / 10 % 10), (char)('0' + (q) % 10), 0, \
     DEC4_LEN_(q)}
#define DEC4_10_(q)                                                                       \
    DEC4_(q), DEC4_((q) + 1), DEC4_((q) + 2), DEC4_((q) + 3), DEC4_((q) + 4),            \
        DEC4_((q) + 5), DEC4_((q) + 6), DEC4_((q) + 7), DEC4_((q) + 8), DEC4_((q) + 9)
#define DEC4_100_(q)                                                                      \
    DEC4_10_(q), DEC4_10_((q) + 10), DEC4_10_((q) + 20), DEC4_10_((q) + 30),             \
        DEC4_10_((q) + 40), DEC4_10_((q) + 50), DEC4_10_((q) + 60), DEC4_10_((q) + 70),  \
        DEC4_10_((q) + 80), DEC4_10_((q) + 90)
#define DEC4_1000_(q)                                                                     \
    DEC4_100_(q), DEC4_100_((q) + 100), DEC4_100_((q) + 200), DEC4_100_((q) + 300),      \
        DEC4_100_((q) + 400), DEC4_100_((q) + 500), DEC4_100_((q) + 600),                \
        DEC4_100_((q) + 700), DEC4_100_((q) + 800), DEC4_100_((q) + 900)
static const char DEC4[10001][8] = {
    DEC4_1000_(0),    DEC4_1000_(1000), DEC4_1000_(2000), DEC4_1000_(3000),
    DEC4_1000_(4000), DEC4_1000_(5000), DEC4_1000_(6000), DEC4_1000_(7000),
    DEC4_1000_(8000), DEC4_1000_(9000), DEC4_(10000),
};
#undef DEC4_1000_
#undef DEC4_100_
#undef DEC4_10_
#undef DEC4_
#undef DEC4_LEN_

/* The decimals of frac ten-thousandths (frac < 10000) at p: '.' and up to
 * 4 digits without the trailing zeros, nothing for 0; 8 bytes are written
 * (p[-1] is kept). Returns the position after the decimals. */
static inline char *frac4(char *p, unsigned frac)
{
    const char keep = p[-1];
    memcpy(p - 1, DEC4[frac], 8);
    p[-1] = keep;
    return p - 1 + DEC4[frac][7];
}

/* The bytes of a number for heed_json_number (q: |v| in ten-thousandths,
 * not 0) into d, at most NUMBER_MAX; returns how many. */
#define NUMBER_MAX 24
static size_t number_bytes(char *d, int neg, uint64_t q)
{
    size_t n = 0;
    if (neg)
        d[n++] = '-';
    uint64_t ip = q / 10000;
    if (ip < 10) {
        d[n++] = (char)('0' + ip);
    } else {
        char t[24];
        size_t i = sizeof t;
        do {
            t[--i] = (char)('0' + ip % 10);
            ip /= 10;
        } while (ip);
        memcpy(d + n, t + i, sizeof t - i);
        n += sizeof t - i;
    }
    const unsigned frac = (unsigned)(q % 10000);
    if (frac)
        n = (size_t)(frac4(d + n, frac) - d);
    return n;
}

/* Unchecked writers for the hot arrays (sentences, evidence): the caller
 * reserves an upper bound of the bytes first, then each returns the position
 * after what it wrote. A number may write up to 8 bytes past its end (a
 * DEC4 entry): NUMBER_MAX counts them. */
#define RAW_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

/* UINT3[v], v < 1000: v's digits, then their count in the last byte. */
#define UINT3_(v)                                                                         \
    {(char)('0' + ((v) < 10 ? (v) : (v) < 100 ? (v) / 10 : (v) / 100)),                 \
     (char)('0' + ((v) < 100 ? (v) % 10 : (v) / 10 % 10)), (char)('0' + (v) % 10),       \
     (v) < 10 ? 1 : (v) < 100 ? 2 : 3}
#define UINT3_10_(v)                                                                      \
    UINT3_(v), UINT3_((v) + 1), UINT3_((v) + 2), UINT3_((v) + 3), UINT3_((v) + 4),       \
        UINT3_((v) + 5), UINT3_((v) + 6), UINT3_((v) + 7), UINT3_((v) + 8), UINT3_((v) + 9)
#define UINT3_100_(v)                                                                     \
    UINT3_10_(v), UINT3_10_((v) + 10), UINT3_10_((v) + 20), UINT3_10_((v) + 30),         \
        UINT3_10_((v) + 40), UINT3_10_((v) + 50), UINT3_10_((v) + 60), UINT3_10_((v) + 70), \
        UINT3_10_((v) + 80), UINT3_10_((v) + 90)
static const char UINT3[1000][4] = {
    UINT3_100_(0),   UINT3_100_(100), UINT3_100_(200), UINT3_100_(300), UINT3_100_(400),
    UINT3_100_(500), UINT3_100_(600), UINT3_100_(700), UINT3_100_(800), UINT3_100_(900),
};
#undef UINT3_100_
#undef UINT3_10_
#undef UINT3_

/* raw_uint past 999, out of line: below 10^7 the digits of v / 10000 and
 * the four of v % 10000 (DEC4's, at byte 2 of an entry). */
__attribute__((noinline)) static char *raw_uint_wide(char *p, uint64_t v)
{
    if (v < 10000) {
        memcpy(p, DEC4[v] + 2, 4);
        return p + 4;
    }
    if (v < 10000000) {
        const unsigned hi = (unsigned)(v / 10000), lo = (unsigned)(v % 10000);
        memcpy(p, UINT3[hi], 4);
        p += UINT3[hi][3];
        memcpy(p, DEC4[lo] + 2, 4);
        return p + 4;
    }
    size_t n = 8;
    for (uint64_t t = v / 100000000; t; t /= 10)
        n++;
    uint_digits(p + n, v);
    return p + n;
}

/* Writes 4 bytes (the digits and what follows them) when v < 1000. */
static inline char *raw_uint(char *p, uint64_t v)
{
    if (v < 1000) {
        memcpy(p, UINT3[v], 4);
        return p + UINT3[v][3];
    }
    return raw_uint_wide(p, v);
}

/* raw_number past its first cases: numbers outside (-1, 1) and NaN, out of
 * line. */
__attribute__((noinline)) static char *raw_number_wide(char *p, double v)
{
    const double a = fabs(v);
    if (a < 99) {
        /* most: valences, lexicon scores, intensities; number_bytes' bytes
         * with q on 32 bits and at most two digits before the point: the
         * DEC4 entry of the fraction, its '0' then the units digit */
        const unsigned q = (unsigned)(a * 10000.0 + 0.5);
        *p = '-';
        p += v < 0; /* a >= 1: never "-0" */
        const unsigned ip = q / 10000, frac = q % 10000;
        if (ip < 10) {
            memcpy(p, DEC4[frac], 8);
            *p = (char)('0' + ip);
            return p + DEC4[frac][7];
        }
        memcpy(p + 1, DEC4[frac], 8);
        memcpy(p, DIGITS2 + 2 * ip, 2);
        return p + 1 + DEC4[frac][7];
    }
    if (!isfinite(v) || fabs(v) >= 9e14)
        v = isfinite(v) ? (v > 0 ? 9e14 : -9e14) : 0;
    uint64_t q = (uint64_t)(fabs(v) * 10000.0 + 0.5); /* round half away from 0 */
    if (q == 0) {
        *p = '0';
        return p + 1;
    }
    return p + number_bytes(p, v < 0, q);
}

/* A number in [0, 1): it rounds to q ten-thousandths, 0 to 10000, and is
 * its DEC4 entry. */
static inline char *raw_unit(char *p, double v)
{
    const unsigned q = (unsigned)(v * 10000.0 + 0.5);
    memcpy(p, DEC4[q], 8);
    return p + DEC4[q][7];
}

/* A number in [1, 9) (or -v of one in (-9, -1]): the DEC4 entry of its
 * fraction with the units digit put over the entry's '0'. */
static inline char *raw_units(char *p, double a)
{
    const unsigned q = (unsigned)(a * 10000.0 + 0.5), ip = q / 10000, frac = q - ip * 10000;
    memcpy(p, DEC4[frac], 8);
    *p = (char)('0' + ip);
    return p + DEC4[frac][7];
}

/* Inlined where it is called: most numbers are probabilities and valences,
 * in (-1, 1): the DEC4 entry of |v|, after a '-' when v is negative and
 * does not round to 0; lexicon scores and intensities mostly in (-9, 9). */
static inline char *raw_number(char *p, double v)
{
    if (v >= 0) {
        if (v < 1)
            return raw_unit(p, v);
        if (v < 9)
            return raw_units(p, v);
    } else if (v > -1) {
        const unsigned q = (unsigned)(-v * 10000.0 + 0.5);
        *p = '-';
        p += q != 0;
        memcpy(p, DEC4[q], 8);
        return p + DEC4[q][7];
    } else if (v > -9) {
        *p = '-';
        return raw_units(p + 1, -v);
    }
    return raw_number_wide(p, v);
}

/* raw_number of a value not below 0 (or NaN): the scores kept by a floor. */
static inline char *raw_number_pos(char *p, double v)
{
    return v < 1 ? raw_unit(p, v) : raw_number_wide(p, v);
}

/* raw_number(p, heed_json_round(v)): below 999 the UINT3 entry of the
 * rounded value (the scores written as whole numbers). */
static inline char *raw_whole(char *p, double v)
{
    if (v >= 0 && v < 999) {
        /* heed_json_round's steps, on integers: toward zero, then up when
         * the rest is a half or more (0 and -0 both give "0") */
        unsigned u = (unsigned)v;
        u += v - (double)u >= 0.5;
        memcpy(p, UINT3[u], 4);
        return p + UINT3[u][3];
    }
    return raw_number(p, heed_json_round(v));
}

char *heed__json_raw_uint(char *p, uint64_t v)
{
    return raw_uint(p, v);
}

/* The checked writers: straight into the buffer when the room is there. */
void heed_json_uint(heed_buf *b, uint64_t v)
{
    if (heed__buf_fits(b, 20)) {
        b->len = (size_t)(raw_uint(b->ptr + b->len, v) - b->ptr);
        b->ptr[b->len] = '\0';
        return;
    }
    char tmp[24];
    heed__buf_add(b, tmp, (size_t)(raw_uint(tmp, v) - tmp));
}

/* Hand-written rather than printf("%.4f"): number formatting was a quarter of
 * `heed analyze`'s time. Rounds half away from zero at 4 decimals. */
void heed_json_number(heed_buf *b, double v)
{
    if (heed__buf_fits(b, NUMBER_MAX)) {
        b->len = (size_t)(raw_number(b->ptr + b->len, v) - b->ptr);
        b->ptr[b->len] = '\0';
        return;
    }
    char d[NUMBER_MAX];
    heed__buf_add(b, d, (size_t)(raw_number(d, v) - d));
}

#ifdef HEED_SSE2
/* Bit i set: byte i of x is in SPECIAL (x <= 0x1F, '"', '\\', DEL, 0xE2). */
static inline unsigned special_mask(__m128i x)
{
    const __m128i k1f = _mm_set1_epi8(0x1F), kq = _mm_set1_epi8('"'), kb = _mm_set1_epi8('\\'),
                  kdel = _mm_set1_epi8(0x7F), ke2 = _mm_set1_epi8((char)0xE2);
    const __m128i sp = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, k1f), k1f), _mm_cmpeq_epi8(x, kq)),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, kb), _mm_cmpeq_epi8(x, kdel)),
                     _mm_cmpeq_epi8(x, ke2)));
    return (unsigned)_mm_movemask_epi8(sp);
}
#endif

/* The n bytes of a JSON string's contents, escaped: '"', '\\' and controls,
 * and U+2028/U+2029 (valid JSON, but not valid JavaScript); at most 6n bytes
 * (every byte as \u00XX). A separator is escaped only when its three bytes
 * are all within the n. */
static char *raw_escaped_any(char *p, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;
    for (;; i++) {
        /* on to the next byte of SPECIAL: 16 bytes a step while 16 are left
         * (x <= 0x1F, '"', '\\', DEL or 0xE2 in each lane), then one by one */
#ifdef HEED_SSE2
        while (n - i >= 16) {
            const unsigned m =
                special_mask(_mm_loadu_si128((const __m128i *)(const void *)(u + i)));
            if (m) {
                i += (size_t)__builtin_ctz(m);
                goto special;
            }
            i += 16;
        }
#endif
        while (i < n && !SPECIAL[u[i]])
            i++;
        if (i >= n)
            break;
#ifdef HEED_SSE2
    special:;
#endif
        const unsigned c = u[i];
        int sep = c == 0xE2 && i + 2 < n && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9);
        if (c == 0xE2 && !sep)
            continue; /* another character: copied with the run */
        memcpy(p, s + run, i - run);
        p += i - run;
        run = i + 1;
        if (sep) {
            p = u[i + 2] == 0xA8 ? RAW_LIT(p, "\\u2028") : RAW_LIT(p, "\\u2029");
            i += 2;
            run = i + 1;
        } else if (c == '"') {
            p = RAW_LIT(p, "\\\"");
        } else if (c == '\\') {
            p = RAW_LIT(p, "\\\\");
        } else if (c == '\n') {
            p = RAW_LIT(p, "\\n");
        } else if (c == '\r') {
            p = RAW_LIT(p, "\\r");
        } else if (c == '\t') {
            p = RAW_LIT(p, "\\t");
        } else {
            p = RAW_LIT(p, "\\u00");
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    memcpy(p, s + run, n - run);
    return p + (n - run);
}

/* raw_escaped_any's bytes, faster for a string with no byte of SPECIAL
 * (most: words, phrases, names): its bytes are tested in one or a few
 * 16-byte steps (two overlapping loads for 4 to 16 bytes, each byte below 4)
 * and copied as they are; at the first step that finds one, the rest goes
 * to raw_escaped_any. Writes no more than raw_escaped_any's room (6n).
 * raw_escaped_long takes 16 bytes and more, out of line; raw_escaped, inline
 * where strings are written, the short ones (most). Without SSE2 (other
 * CPUs, HEED_PORTABLE) every string goes to raw_escaped_any. */
#ifdef HEED_SSE2
__attribute__((noinline)) static char *raw_escaped_long(char *p, const char *s, size_t n)
{
    size_t i = 0;
    __m128i x;
    for (; n - i > 16; i += 16) {
        x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        if (special_mask(x))
            goto rest;
        _mm_storeu_si128((__m128i *)(void *)(p + i), x);
    }
    /* the last 16 bytes, overlapping the block before */
    x = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
    if (special_mask(x))
        goto rest;
    _mm_storeu_si128((__m128i *)(void *)(p + n - 16), x);
    return p + n;
rest:
    /* bytes before i have none of SPECIAL (no separator starts there) */
    return raw_escaped_any(p + i, s + i, n - i);
}
#endif

static inline char *raw_escaped(char *p, const char *s, size_t n)
{
#ifdef HEED_SSE2
    if (n >= 16)
        return raw_escaped_long(p, s, n);
    if (n >= 8) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        if (special_mask(_mm_set_epi64x((long long)z, (long long)a)))
            return raw_escaped_any(p, s, n);
        memcpy(p, &a, 8);
        memcpy(p + n - 8, &z, 8);
        return p + n;
    }
    if (n >= 4) {
        uint32_t a, z;
        memcpy(&a, s, 4);
        memcpy(&z, s + n - 4, 4);
        if (special_mask(_mm_set_epi32(0, 0, (int)z, (int)a)) & 0xFF) /* the zeros are not text */
            return raw_escaped_any(p, s, n);
        memcpy(p, &a, 4);
        memcpy(p + n - 4, &z, 4);
        return p + n;
    }
    if (n) {
        /* 1 to 3 bytes: the first, the middle and the last are all of them */
        const unsigned char c0 = (unsigned char)s[0], c1 = (unsigned char)s[n / 2],
                            c2 = (unsigned char)s[n - 1];
        if (SPECIAL[c0] | SPECIAL[c1] | SPECIAL[c2])
            return raw_escaped_any(p, s, n);
        p[0] = (char)c0;
        p[n / 2] = (char)c1;
        p[n - 1] = (char)c2;
    }
    return p + n;
#else
    return raw_escaped_any(p, s, n);
#endif
}

/* A JSON string of n bytes: at most 6n + 2. */
static char *raw_string(char *p, const char *s, size_t n)
{
    *p++ = '"';
    p = raw_escaped(p, s, n);
    *p++ = '"';
    return p;
}

void heed_json_string(heed_buf *b, const char *s, size_t n)
{
    /* in pieces of about 4 KB (never splitting a character), so a long text
     * needs no room for six times its size at once */
    heed__buf_addc(b, '"');
    size_t i = 0;
    while (i < n) {
        size_t end = n - i <= 4096 ? n : i + 4096, k = end;
        while (k > i && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        if (k == i)
            k = end; /* not UTF-8: any cut will do */
        if (heed__buf_reserve(b, 6 * (k - i)))
            return;
        b->len = (size_t)(raw_escaped(b->ptr + b->len, s + i, k - i) - b->ptr);
        b->ptr[b->len] = '\0';
        i = k;
    }
    heed__buf_addc(b, '"');
}

/* ,"key":v */
static void member_uint(heed_buf *b, const char *key, uint64_t v)
{
    heed__buf_adds(b, key);
    heed_json_uint(b, v);
}

/* Each rule's name as a JSON string after a comma, ,"name", by bit (rule
 * names need no escaping), padded so that it is copied in one fixed-size
 * move; 0 bytes for the bits no rule has. */
typedef struct rule_str {
    char s[31];
    unsigned char n;
} rule_str;
static const rule_str RULE_STRS[32] = {
#define HEED_X_(name, bit, str) [bit] = {",\"" str "\"", sizeof(",\"" str "\"") - 1},
    HEED_RULE_MAP(HEED_X_)
#undef HEED_X_
};

/* The rules array, raw: at most RULES_MAX bytes. Each name is written with
 * its comma, and the first comma is then made the bracket. */
#define RULES_MAX 1024
_Static_assert(32 * sizeof(rule_str) <= RULES_MAX, "room for every rule, copied whole");
static char *raw_rules(char *p, uint32_t rules)
{
    char *const open = p;
    for (uint32_t set = rules; set; set &= set - 1) {
        const rule_str *r = &RULE_STRS[__builtin_ctz(set)];
        memcpy(p, r->s, sizeof r->s);
        p += r->n;
    }
    if (p == open)
        *p++ = '[';
    else
        *open = '[';
    *p++ = ']';
    return p;
}

static void token_flags(heed_buf *b, unsigned flags)
{
    static const struct {
        unsigned bit;
        const char *name;
    } F[] = {{HEED_TF_ALLCAPS, "allcaps"},   {HEED_TF_ELONGATED, "elongated"},
             {HEED_TF_REPEATED, "repeated"}, {HEED_TF_NEGATOR, "negator"},
             {HEED_TF_NEGATED, "negated"},   {HEED_TF_CONTRACTION, "contraction"}};
    heed__buf_addc(b, '[');
    int first = 1;
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++) {
        if (!(flags & F[i].bit))
            continue;
        if (!first)
            heed__buf_addc(b, ',');
        first = 0;
        heed_json_string(b, F[i].name, strlen(F[i].name));
    }
    heed__buf_addc(b, ']');
}

const char *const heed_json_emo_names[HEED_EMO_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_EMOTION_MAP(HEED_X_)
#undef HEED_X_
};
const char *const heed_json_cx_names[HEED_CX_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_CX_MAP(HEED_X_)
#undef HEED_X_
};
const char *const heed_json_stress_names[HEED_STRESS_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_STRESS_MAP(HEED_X_)
#undef HEED_X_
};
const char *const heed_json_need_names[HEED_NEED_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_NEED_MAP(HEED_X_)
#undef HEED_X_
};

const char *const heed_json_empathy_names[HEED_EMPATHY_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_EMPATHY_MAP(HEED_X_)
#undef HEED_X_
};
const char *const heed_json_comp_names[HEED_COMP_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_COMPASSION_MAP(HEED_X_)
#undef HEED_X_
};
const char *const heed_json_promise_names[HEED_PROMISE_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_PROMISE_MAP(HEED_X_)
#undef HEED_X_
};
const char *const heed_json_addr_names[HEED_ADDR_COUNT] = {
#define HEED_X_(name, num, str) [num] = str,
    HEED_ADDRESSED_MAP(HEED_X_)
#undef HEED_X_
};
const char *const heed_json_level_names[3] = {"none", "weak", "strong"};

const char *heed_json_stress_band(double score)
{
    return score >= HEED_STRESS_ACT_NOW ? "act_now"
           : score >= HEED_STRESS_HIGH  ? "high"
           : score >= HEED_STRESS_WATCH ? "watch"
                                        : "calm";
}

/* "name":[...] of the set bits, in index order. */
/* Appends "name" followed by `after` (names here are static ASCII words that
 * need no escaping; printf was a fifth of the writer's time). Inlined:
 * `before` and `after` are literals at every call, so their lengths and
 * copies are made at compile time. */
__attribute__((always_inline)) static inline void key(heed_buf *b, const char *before,
                                                      const char *name, const char *after)
{
    /* one room check and one terminator for the five pieces: a key is
     * written for every score, and five appends cost more than the bytes */
    const size_t lb = strlen(before), ln = strlen(name), la = strlen(after);
    const size_t n = lb + ln + la + 2;
    if (!heed__buf_fits(b, n)) {
        heed__buf_add(b, before, lb);
        heed__buf_addc(b, '"');
        heed__buf_add(b, name, ln);
        heed__buf_addc(b, '"');
        heed__buf_add(b, after, la);
        return;
    }
    char *p = b->ptr + b->len;
    memcpy(p, before, lb);
    p += lb;
    *p++ = '"';
    memcpy(p, name, ln);
    p += ln;
    *p++ = '"';
    memcpy(p, after, la);
    b->len += n;
    b->ptr[b->len] = '\0';
}

/* A name as a ready key after a comma, ,"name": (quotes and colon),
 * padded so that it is copied in one fixed-size move: the score maps write
 * one per score, and make the first comma their brace. */
typedef struct jkey {
    char s[31];
    unsigned char n; /* bytes of s that are the key */
} jkey;

#define JKEY_(name, num, str) [num] = {",\"" str "\":", sizeof(",\"" str "\":") - 1},
static const jkey EMO_KEYS[HEED_EMO_COUNT] = {HEED_EMOTION_MAP(JKEY_)};
static const jkey CX_KEYS[HEED_CX_COUNT] = {HEED_CX_MAP(JKEY_)};
static const jkey NEED_KEYS[HEED_NEED_COUNT] = {HEED_NEED_MAP(JKEY_)};
#undef JKEY_

/* The same names as JSON strings after a comma, ,"name", for the label
 * lists. */
#define JSTR_(name, num, str) [num] = {",\"" str "\"", sizeof(",\"" str "\"") - 1},
static const jkey EMO_STRS[HEED_EMO_COUNT] = {HEED_EMOTION_MAP(JSTR_)};
static const jkey CX_STRS[HEED_CX_COUNT] = {HEED_CX_MAP(JSTR_)};
static const jkey NEED_STRS[HEED_NEED_COUNT] = {HEED_NEED_MAP(JSTR_)};
#undef JSTR_

/* The unchecked writers of the listening stages' objects: the caller has
 * reserved room, counting sizeof(jkey) for every key or name (each is
 * copied whole, then the position moves by its length) and NUMBER_MAX for
 * every number. */
static char *raw_jkey(char *p, const jkey *k)
{
    memcpy(p, k->s, sizeof k->s);
    return p + k->n;
}

/* The same without its comma. */
static char *raw_jkey_bare(char *p, const jkey *k)
{
    memcpy(p, k->s + 1, sizeof k->s - 1);
    return p + k->n - 1;
}

/* [..] of the names of the set bits below n, in index order. */
static char *raw_labels(char *p, uint32_t bits, const jkey *strs, int n)
{
    /* the set bits only, lowest first, each name after a comma; the first
     * comma is then made the bracket */
    char *const open = p;
    for (uint32_t set = n < 32 ? bits & ((1u << n) - 1) : bits; set; set &= set - 1)
        p = raw_jkey(p, &strs[__builtin_ctz(set)]);
    if (p == open)
        *p++ = '[';
    else
        *open = '[';
    *p++ = ']';
    return p;
}

/* {"name":p,...} of the scores at or above `floor`, in index order. */
_Static_assert(HEED_EMO_COUNT <= 32 && HEED_CX_COUNT <= 32 && HEED_NEED_COUNT <= 32,
               "raw_score_map keeps a bit per score");

/* Bit i: v[i] is not below floor (NaN is not), four compares a step where
 * SSE2 has them. */
static inline uint32_t score_keep(const float *v, int n, float floor)
{
    uint32_t keep = 0;
    int i = 0;
#ifdef HEED_SSE2
    const __m128 f4 = _mm_set1_ps(floor);
    for (; i + 4 <= n; i += 4)
        keep |= (uint32_t)_mm_movemask_ps(_mm_cmpnlt_ps(_mm_loadu_ps(v + i), f4)) << i;
    if (i < n && n >= 4) /* the last four, overlapping the step before */
        return keep | (uint32_t)_mm_movemask_ps(_mm_cmpnlt_ps(_mm_loadu_ps(v + n - 4), f4))
                          << (n - 4);
#endif
    for (; i < n; i++)
        keep |= (uint32_t)!(v[i] < floor) << i;
    return keep;
}

static char *raw_score_map_of(char *p, const float *v, const jkey *keys, uint32_t keep)
{
    /* each member after a comma; the first comma is then made the brace */
    char *const open = p;
    for (; keep; keep &= keep - 1) {
        const int k = __builtin_ctz(keep);
        p = raw_jkey(p, &keys[k]);
        p = raw_number_pos(p, v[k]); /* kept: not below floor >= 0, or NaN */
    }
    if (p == open)
        *p++ = '{';
    else
        *open = '{';
    *p++ = '}';
    return p;
}

static char *raw_score_map(char *p, const float *v, const jkey *keys, int n, float floor)
{
    return raw_score_map_of(p, v, keys, score_keep(v, n, floor));
}

/* The cx scores (floor 0): when none is negative, which is the rule, all
 * seven with their keys as literals, each written with a comma first and
 * the first comma then made the brace. */
#ifdef HEED_SSE2
_Static_assert(HEED_CX_COUNT == 7, "cx_units reads the cx scores as 0-3 and 3-6");

/* When the seven cx scores are all in [0, 1) (the rule: probabilities
 * below 1), their raw_unit rounding into q, q[i] = (unsigned)(v[i] *
 * 10000.0 + 0.5) in the same double steps, two at a time; returns 1, or 0
 * (q untouched) when any is not. */
static inline int cx_units(const float *v, unsigned q[8])
{
    const __m128 a = _mm_loadu_ps(v), b = _mm_loadu_ps(v + 3); /* v[3] in both */
    const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f);
    const int in_a = _mm_movemask_ps(_mm_and_ps(_mm_cmpge_ps(a, zero), _mm_cmplt_ps(a, one)));
    const int in_b = _mm_movemask_ps(_mm_and_ps(_mm_cmpge_ps(b, zero), _mm_cmplt_ps(b, one)));
    if ((in_a & in_b) != 15)
        return 0; /* NaN fails both compares */
    const __m128d k = _mm_set1_pd(10000.0), h = _mm_set1_pd(0.5);
#define CX_Q2_(x) _mm_cvttpd_epi32(_mm_add_pd(_mm_mul_pd(_mm_cvtps_pd(x), k), h))
    _mm_storel_epi64((__m128i *)(void *)q, CX_Q2_(a));
    _mm_storel_epi64((__m128i *)(void *)(q + 2), CX_Q2_(_mm_movehl_ps(a, a)));
    _mm_storel_epi64((__m128i *)(void *)(q + 3), CX_Q2_(b));
    _mm_storel_epi64((__m128i *)(void *)(q + 5), CX_Q2_(_mm_movehl_ps(b, b)));
#undef CX_Q2_
    return 1;
}
#endif

static char *raw_cx_scores(char *p, const float *v)
{
#ifdef HEED_SSE2
    unsigned q[8];
    if (cx_units(v, q)) {
        /* raw_unit's entries, from q */
        char *const open = p;
#define CX_UNIT_(name, num, str)     \
    p = RAW_LIT(p, ",\"" str "\":"); \
    memcpy(p, DEC4[q[num]], 8);      \
    p += DEC4[q[num]][7];
        HEED_CX_MAP(CX_UNIT_)
#undef CX_UNIT_
        *open = '{';
        *p++ = '}';
        return p;
    }
#endif
    const uint32_t keep = score_keep(v, HEED_CX_COUNT, 0.0f);
    if (keep != (1u << HEED_CX_COUNT) - 1)
        return raw_score_map_of(p, v, CX_KEYS, keep);
    char *const open = p;
#define CX_MEMBER_(name, num, str)        \
    p = RAW_LIT(p, ",\"" str "\":"); \
    p = raw_number_pos(p, v[num]);
    HEED_CX_MAP(CX_MEMBER_)
#undef CX_MEMBER_
    *open = '{';
    *p++ = '}';
    return p;
}

/* Closes an unchecked run of writes that ended at p. */
static void raw_end(heed_buf *b, char *p)
{
    b->len = (size_t)(p - b->ptr);
    b->ptr[b->len] = '\0';
}

static void label_list(heed_buf *b, const char *name, uint32_t bits, const char *const *names,
                       int n)
{
    key(b, "", name, ":[");
    int first = 1;
    for (int i = 0; i < n; i++) {
        if (!(bits & (1u << i)))
            continue;
        if (!first)
            heed__buf_addc(b, ',');
        first = 0;
        heed_json_string(b, names[i], strlen(names[i]));
    }
    heed__buf_addc(b, ']');
}

/* Strings up to this many bytes are written unchecked into room for six
 * times their size; longer ones by heed_json_string, which needs room for
 * its 4 KB pieces only. */
#define RAW_STRING_MAX 4096

/* A cue's component as a ready member, ,"key":"name", padded so that it is
 * copied in one fixed-size move. */
typedef struct cue_key {
    char s[39];
    unsigned char n; /* bytes of s that are the member */
} cue_key;

#define CUE_KEY_(key, str) {",\"" key "\":\"" str "\"", sizeof(",\"" key "\":\"" str "\"") - 1}
#define STRESS_CK_(name, num, str)  [num] = CUE_KEY_("component", str),
#define NEED_CK_(name, num, str)    [num] = CUE_KEY_("need", str),
#define EMPATHY_CK_(name, num, str) [num] = CUE_KEY_("mechanism", str),
#define COMP_CK_(name, num, str)    [num] = CUE_KEY_("signal", str),
static const cue_key STRESS_CUE_KEYS[HEED_STRESS_COUNT] = {HEED_STRESS_MAP(STRESS_CK_)};
static const cue_key NEED_CUE_KEYS[HEED_NEED_COUNT] = {HEED_NEED_MAP(NEED_CK_)};
static const cue_key EMPATHY_CUE_KEYS[HEED_EMPATHY_COUNT] = {HEED_EMPATHY_MAP(EMPATHY_CK_)};
static const cue_key COMP_CUE_KEYS[HEED_COMP_COUNT] = {HEED_COMPASSION_MAP(COMP_CK_)};
#undef COMP_CK_
#undef EMPATHY_CK_
#undef NEED_CK_
#undef STRESS_CK_
#undef CUE_KEY_

/* [{"text":..,"start":..,"end":..,<key>,"what":..,"weight":..,"suppressed":true},..]
 * of n cues: the component's member from keys (none when it is not below
 * n_keys), the weight when `weight` is set. */
static void cue_list(heed_buf *b, const heed_result *r, const heed_cue *c, size_t n,
                     const cue_key *keys, int n_keys, int weight)
{
    heed__buf_addc(b, '[');
    for (size_t i = 0; i < n; i++) {
        const size_t what_len = c[i].what ? strlen(c[i].what) : 0;
        const cue_key *k = c[i].component < n_keys ? &keys[c[i].component] : NULL;
        /* the strings at six bytes a byte, the component's member, two
         * numbers and a weight, the other keys */
        const size_t room = 6 * ((size_t)c[i].len + what_len) + sizeof(cue_key) +
                            3 * NUMBER_MAX + 128;
        if (c[i].len <= RAW_STRING_MAX && what_len <= RAW_STRING_MAX &&
            heed__buf_reserve(b, room) == HEED_OK) {
            char *p = b->ptr + b->len;
            if (i)
                *p++ = ',';
            p = RAW_LIT(p, "{\"text\":");
            p = raw_string(p, r->text + c[i].start, c[i].len);
            p = RAW_LIT(p, ",\"start\":");
            p = raw_uint(p, c[i].start);
            p = RAW_LIT(p, ",\"end\":");
            p = raw_uint(p, (uint64_t)c[i].start + c[i].len);
            if (k) {
                memcpy(p, k->s, sizeof k->s);
                p += k->n;
            }
            if (c[i].what) {
                p = RAW_LIT(p, ",\"what\":");
                p = raw_string(p, c[i].what, what_len);
            }
            if (weight) {
                p = RAW_LIT(p, ",\"weight\":");
                p = raw_number(p, c[i].weight);
            }
            if (c[i].flags & HEED_CUE_SUPPRESSED)
                p = RAW_LIT(p, ",\"suppressed\":true");
            *p++ = '}';
            raw_end(b, p);
            continue;
        }
        if (i)
            heed__buf_addc(b, ',');
        heed__buf_adds(b, "{\"text\":");
        heed_json_string(b, r->text + c[i].start, c[i].len);
        member_uint(b, ",\"start\":", c[i].start);
        member_uint(b, ",\"end\":", (uint64_t)c[i].start + c[i].len);
        if (k)
            heed__buf_add(b, k->s, k->n);
        if (c[i].what) {
            heed__buf_adds(b, ",\"what\":");
            heed_json_string(b, c[i].what, what_len);
        }
        if (weight) {
            heed__buf_adds(b, ",\"weight\":");
            heed_json_number(b, c[i].weight);
        }
        if (c[i].flags & HEED_CUE_SUPPRESSED)
            heed__buf_adds(b, ",\"suppressed\":true");
        heed__buf_addc(b, '}');
    }
    heed__buf_addc(b, ']');
}

/* Room for the listening objects before the cue lists: every key and name
 * as sizeof(jkey), every number as NUMBER_MAX, and 512 bytes for the
 * literals between them (about 300 are written). */
#define LISTEN_ROOM                                                                \
    (512 + 6 * sizeof(((heed_language *)0)->code) +                                \
     (3 * (size_t)HEED_EMO_COUNT + 3 * (size_t)HEED_CX_COUNT +                     \
      2 * (size_t)HEED_STRESS_COUNT + 2) * sizeof(jkey) +                          \
     ((size_t)HEED_EMO_COUNT + HEED_CX_COUNT + HEED_STRESS_COUNT + 5) * NUMBER_MAX)
#define NEEDS_ROOM                                                                                 \
    (256 + (3 * (size_t)HEED_NEED_COUNT + 1) * sizeof(jkey) + HEED_NEED_COUNT * NUMBER_MAX)

/* The language, emotions, intensity and stress objects; 0 when the text is
 * unscored (nothing follows) or the buffer failed. */
static int listening_head(heed_buf *b, const heed_result *r)
{
    const heed_language *l = &r->language;
    if (!l->code[0] && !r->emotions.available && !r->intensity.available &&
        !r->stress.available)
        return 1; /* none ran (valence only): no room to ask for */
    /* one room check for everything up to the stress cues; the cue lists
     * check per cue (their texts have no fixed bound) */
    if (heed__buf_reserve(b, LISTEN_ROOM))
        return 0;
    char *p = b->ptr + b->len;
    if (l->code[0]) { /* the language stage ran */
        if (l->code[1] == 'n' && l->code[0] == 'e' && !l->code[2]) { /* most */
            p = RAW_LIT(p, ",\"language\":{\"code\":\"en\",\"confidence\":");
        } else {
            p = RAW_LIT(p, ",\"language\":{\"code\":");
            p = raw_string(p, l->code, strnlen(l->code, sizeof l->code));
            p = RAW_LIT(p, ",\"confidence\":");
        }
        p = raw_number(p, l->confidence);
        *p++ = '}';
        if (!l->scored) {
            p = RAW_LIT(p, ",\"unscored\":true");
            raw_end(b, p);
            return 0;
        }
    }
    const heed_emotions *e = &r->emotions;
    if (e->available) {
        p = RAW_LIT(p, ",\"emotions\":{\"labels\":");
        p = raw_labels(p, e->labels, EMO_STRS, HEED_EMO_COUNT);
        p = RAW_LIT(p, ",\"scores\":");
        p = raw_score_map(p, e->prob, EMO_KEYS, HEED_EMO_COUNT, 0.05f);
        p = RAW_LIT(p, ",\"cx\":");
        p = raw_labels(p, e->cx_labels, CX_STRS, HEED_CX_COUNT);
        p = RAW_LIT(p, ",\"cx_scores\":");
        p = raw_cx_scores(p, e->cx);
        *p++ = '}';
    }
    const heed_intensity *in = &r->intensity;
    if (in->available) {
        p = RAW_LIT(p, ",\"intensity\":{\"valence\":");
        p = raw_number(p, in->valence);
        p = RAW_LIT(p, ",\"arousal\":");
        p = raw_number(p, in->arousal);
        p = RAW_LIT(p, ",\"distress\":");
        p = raw_number(p, in->distress);
        *p++ = '}';
    }
    if (r->stress.available) {
        const heed_stress *st = &r->stress;
        p = RAW_LIT(p, ",\"stress\":{\"score\":");
        const double score = heed_json_round(st->score);
        p = raw_number(p, score);
        /* heed_json_stress_band's names, as literals */
        p = score >= HEED_STRESS_ACT_NOW ? RAW_LIT(p, ",\"band\":\"act_now\"")
            : score >= HEED_STRESS_HIGH  ? RAW_LIT(p, ",\"band\":\"high\"")
            : score >= HEED_STRESS_WATCH ? RAW_LIT(p, ",\"band\":\"watch\"")
                                         : RAW_LIT(p, ",\"band\":\"calm\"");
        p = RAW_LIT(p, ",\"components\":");
        /* raw_whole writes "0" for a component in [0, 0.5): when all are
         * (most messages), the object is one literal */
        int zeros = 1;
        for (int k = 0; k < HEED_STRESS_COUNT; k++)
            zeros &= (st->component[k] >= 0) & (st->component[k] < 0.5);
        if (zeros) {
#define STRESS_ZERO_(name, num, str) ",\"" str "\":0"
            static const char ZERO[] = HEED_STRESS_MAP(STRESS_ZERO_);
#undef STRESS_ZERO_
            *p = '{';
            memcpy(p + 1, ZERO + 1, sizeof ZERO - 2);
            p += sizeof ZERO - 1;
        } else {
            /* each component with a comma first, the first comma then made
             * the brace */
            char *const open = p;
#define STRESS_MEMBER_(name, num, str) \
    p = RAW_LIT(p, ",\"" str "\":");   \
    p = raw_whole(p, st->component[num]);
            HEED_STRESS_MAP(STRESS_MEMBER_)
#undef STRESS_MEMBER_
            *open = '{';
        }
        p = RAW_LIT(p, "},\"cues\":");
        if (!st->n_cues) {
            p = RAW_LIT(p, "[]}");
        } else {
            raw_end(b, p);
            cue_list(b, r, st->cues, st->n_cues, STRESS_CUE_KEYS, HEED_STRESS_COUNT, 1);
            heed__buf_addc(b, '}');
            return 1;
        }
    }
    raw_end(b, p);
    return 1;
}

static void listening(heed_buf *b, const heed_result *r)
{
    if (!listening_head(b, r))
        return;
    const heed_needs *nd = &r->needs;
    if (!nd->available && !nd->asks_available)
        return;
    if (heed__buf_reserve(b, NEEDS_ROOM))
        return;
    char *p = b->ptr + b->len;
    p = RAW_LIT(p, ",\"needs\":{");
    if (nd->available) {
        p = RAW_LIT(p, "\"top\":");
        p = nd->top >= 0 && nd->top < HEED_NEED_COUNT ? raw_jkey_bare(p, &NEED_STRS[nd->top])
                                                      : RAW_LIT(p, "\"other\"");
        p = RAW_LIT(p, ",\"labels\":");
        p = raw_labels(p, nd->labels, NEED_STRS, HEED_NEED_COUNT);
        p = RAW_LIT(p, ",\"scores\":");
        p = raw_score_map(p, nd->prob, NEED_KEYS, HEED_NEED_COUNT, 0.05f);
        *p++ = ',';
    }
    p = RAW_LIT(p, "\"asks\":");
    if (!nd->n_asks) {
        p = RAW_LIT(p, "[]}");
        raw_end(b, p);
        return;
    }
    raw_end(b, p);
    cue_list(b, r, nd->asks, nd->n_asks, NEED_CUE_KEYS, HEED_NEED_COUNT, 0);
    heed__buf_addc(b, '}');
}

/* ,"key":"text","key_start":n,"key_end":n for a span of `src`; nothing when
 * len is 0. */
static void span_members(heed_buf *b, const char *k, const char *src, uint32_t start, uint32_t len)
{
    if (!len)
        return;
    key(b, ",", k, ":");
    heed_json_string(b, src + start, len);
    /* "object_start": the suffix belongs inside the key's quotes */
    heed__buf_adds(b, ",\"");
    heed__buf_adds(b, k);
    heed__buf_adds(b, "_start\":");
    heed_json_uint(b, start);
    heed__buf_adds(b, ",\"");
    heed__buf_adds(b, k);
    heed__buf_adds(b, "_end\":");
    heed_json_uint(b, (uint64_t)start + len);
}

void heed_json_time(heed_buf *b, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    if (!gmtime_r(&tt, &tm) || !strftime(s, sizeof s, "\"%Y-%m-%dT%H:%M:%SZ\"", &tm)) {
        heed__buf_adds(b, "null");
        return;
    }
    heed__buf_adds(b, s);
}

static void reply_obj(heed_buf *b, const heed_result *r)
{
    const heed_empathy *em = &r->empathy;
    const heed_compassion *co = &r->compassion;
    const heed_promises *pr = &r->promises;
    const heed_familiar *fa = &r->familiar;
    const heed_addressed *ad = &r->addressed;
    if (!em->available && !co->available && !pr->available && !fa->available && !ad->available)
        return;
    heed__buf_adds(b, ",\"reply\":{");
    const char *sep = "";
    if (em->available) {
        heed__buf_adds(b, "\"empathy\":{");
        for (int m = 0; m < HEED_EMPATHY_COUNT; m++) {
            int lv = em->level[m] >= 0 && em->level[m] <= 2 ? em->level[m] : 0;
            key(b, "", heed_json_empathy_names[m], ":{\"level\":");
            key(b, "", heed_json_level_names[lv], ",\"scores\":{");
            for (int l = 0; l < 3; l++) {
                key(b, l ? "," : "", heed_json_level_names[l], ":");
                heed_json_number(b, em->prob[m][l]);
            }
            heed__buf_adds(b, "}},");
        }
        heed__buf_adds(b, "\"spans\":");
        cue_list(b, r, em->spans, em->n_spans, EMPATHY_CUE_KEYS, HEED_EMPATHY_COUNT, 0);
        heed__buf_addc(b, '}');
        sep = ",";
    }
    if (co->available) {
        heed__buf_adds(b, sep);
        heed__buf_adds(b, "\"compassion\":{\"score\":");
        heed_json_number(b, heed_json_round(co->score));
        heed__buf_addc(b, ',');
        label_list(b, "signals", co->signals & ~HEED_COMPASSION_NEGATIVE, heed_json_comp_names,
                   HEED_COMP_COUNT);
        heed__buf_addc(b, ',');
        label_list(b, "against", co->signals & HEED_COMPASSION_NEGATIVE, heed_json_comp_names,
                   HEED_COMP_COUNT);
        heed__buf_adds(b, ",\"cues\":");
        cue_list(b, r, co->cues, co->n_cues, COMP_CUE_KEYS, HEED_COMP_COUNT, 0);
        heed__buf_addc(b, '}');
        sep = ",";
    }
    if (pr->available) {
        heed__buf_adds(b, sep);
        heed__buf_adds(b, "\"promises\":[");
        for (size_t i = 0; i < pr->n; i++) {
            const heed_promise *p = &pr->items[i];
            int k = p->kind >= 0 && p->kind < HEED_PROMISE_COUNT ? p->kind : HEED_PROMISE_FOLLOW_UP;
            key(b, i ? ",{\"kind\":" : "{\"kind\":", heed_json_promise_names[k], ",\"text\":");
            heed_json_string(b, r->text + p->start, p->len);
            member_uint(b, ",\"start\":", p->start);
            member_uint(b, ",\"end\":", (uint64_t)p->start + p->len);
            span_members(b, "object", r->text, p->object_start, p->object_len);
            span_members(b, "due_text", r->text, p->due_start, p->due_len);
            if (p->has_due) {
                heed__buf_adds(b, ",\"due\":");
                heed_json_time(b, p->due);
            }
            heed__buf_addc(b, '}');
        }
        heed__buf_addc(b, ']');
        sep = ",";
    }
    if (fa->available) {
        heed__buf_adds(b, sep);
        heed__buf_adds(b, "\"familiar\":{\"grade\":");
        heed_json_number(b, fa->grade);
        heed__buf_adds(b, ",\"reading_ease\":");
        heed_json_number(b, fa->reading_ease);
        heed__buf_adds(b, ",\"jargon\":[");
        for (size_t i = 0; i < fa->n_jargon; i++) {
            const heed_jargon *j = &fa->jargon[i];
            heed__buf_adds(b, i ? ",{\"text\":" : "{\"text\":");
            heed_json_string(b, r->text + j->start, j->len);
            member_uint(b, ",\"start\":", j->start);
            member_uint(b, ",\"end\":", (uint64_t)j->start + j->len);
            if (j->what) {
                heed__buf_adds(b, ",\"what\":");
                heed_json_string(b, j->what, strlen(j->what));
            }
            if (j->plain) {
                heed__buf_adds(b, ",\"plain\":");
                heed_json_string(b, j->plain, strlen(j->plain));
            }
            heed__buf_addc(b, '}');
        }
        heed__buf_adds(b, "],\"personal\":");
        cue_list(b, r, fa->personal, fa->n_personal, NULL, 0, 0);
        heed__buf_printf(b, ",\"simhash\":\"%016llx\"}", (unsigned long long)fa->simhash);
        sep = ",";
    }
    if (ad->available) {
        heed__buf_adds(b, sep);
        int st = ad->status >= 0 && ad->status < HEED_ADDR_COUNT ? ad->status : 0;
        key(b, "\"addressed\":{\"status\":", heed_json_addr_names[st], ",\"asks\":[");
        for (size_t i = 0; i < ad->n; i++) {
            const heed_ask_match *m = &ad->items[i];
            heed__buf_adds(b, i ? ",{" : "{");
            heed__buf_adds(b, "\"ask\":");
            heed_json_string(b, r->context ? r->context + m->ask_start : "",
                             r->context ? m->ask_len : 0);
            member_uint(b, ",\"ask_start\":", m->ask_start);
            member_uint(b, ",\"ask_end\":", (uint64_t)m->ask_start + m->ask_len);
            int nd = m->need >= 0 && m->need < HEED_NEED_COUNT ? m->need : HEED_NEED_OTHER;
            int ms = m->status >= 0 && m->status < HEED_ADDR_COUNT ? m->status : 0;
            key(b, ",\"need\":", heed_json_need_names[nd], "");
            key(b, ",\"status\":", heed_json_addr_names[ms], "");
            span_members(b, "reply", r->text, m->reply_start, m->reply_len);
            if (m->why) {
                heed__buf_adds(b, ",\"why\":");
                heed_json_string(b, m->why, strlen(m->why));
            }
            heed__buf_addc(b, '}');
        }
        heed__buf_adds(b, "]}");
    }
    heed__buf_addc(b, '}');
}

void heed_json_result(heed_buf *b, const heed_result *r, const heed_json_opts *o)
{
    /* one room check for the scores and the sentences (after the text when
     * it is asked for): each sentence at most 2 + 3 numbers + its keys,
     * 128 bytes */
    const int text = o && o->text;
    const size_t sentences_room = r->n_sentences * 128 + 32;
    if (heed__buf_reserve(b, 3 * (16 + NUMBER_MAX) + (text ? 0 : sentences_room)))
        return;
    char *p = b->ptr + b->len;
    p = RAW_LIT(p, "\"valence\":");
    p = raw_number(p, r->valence);
    p = RAW_LIT(p, ",\"positive\":");
    p = raw_number(p, r->positive);
    p = RAW_LIT(p, ",\"negative\":");
    p = raw_number(p, r->negative);
    if (text) {
        p = RAW_LIT(p, ",\"text\":");
        raw_end(b, p);
        heed_json_string(b, r->text, r->text_len);
        if (heed__buf_reserve(b, sentences_room))
            return;
        p = b->ptr + b->len;
    }
    p = RAW_LIT(p, ",\"sentences\":[");
    for (size_t i = 0; i < r->n_sentences; i++) {
        const heed_sentence *s = &r->sentences[i];
        if (i)
            *p++ = ',';
        p = RAW_LIT(p, "{\"start\":");
        p = raw_uint(p, s->start);
        p = RAW_LIT(p, ",\"end\":");
        p = raw_uint(p, (uint64_t)s->start + s->len);
        p = RAW_LIT(p, ",\"valence\":");
        p = raw_number(p, s->valence);
        *p++ = '}';
    }
    p = RAW_LIT(p, "],\"evidence\":[");
    b->len = (size_t)(p - b->ptr);
    for (size_t i = 0; i < r->n_evidence; i++) {
        const heed_evidence *e = &r->evidence[i];
        const heed_token *c =
            e->cue != UINT32_MAX && e->cue < r->n_tokens ? &r->tokens[e->cue] : NULL;
        /* the two strings at 6 bytes a byte, 5 numbers, the rules, the keys */
        if (heed__buf_reserve(b, 6 * ((size_t)e->len + (c ? c->len : 0)) + RULES_MAX + 256))
            return;
        p = b->ptr + b->len;
        if (i)
            *p++ = ',';
        p = RAW_LIT(p, "{\"text\":");
        p = raw_string(p, r->text + e->start, e->len);
        p = RAW_LIT(p, ",\"start\":");
        p = raw_uint(p, e->start);
        p = RAW_LIT(p, ",\"end\":");
        p = raw_uint(p, (uint64_t)e->start + e->len);
        p = RAW_LIT(p, ",\"sentence\":");
        p = raw_uint(p, e->sentence);
        p = RAW_LIT(p, ",\"base\":");
        p = raw_number(p, e->base);
        p = RAW_LIT(p, ",\"score\":");
        p = raw_number(p, e->score);
        p = RAW_LIT(p, ",\"rules\":");
        p = raw_rules(p, e->rules);
        if (c) {
            p = RAW_LIT(p, ",\"cue\":");
            p = raw_string(p, r->text + c->start, c->len);
        }
        *p++ = '}';
        b->len = (size_t)(p - b->ptr);
    }
    b->ptr[b->len] = '\0';
    heed__buf_addc(b, ']');
    if (o && o->tokens) {
        heed__buf_adds(b, ",\"tokens\":[");
        for (size_t i = 0; i < r->n_tokens; i++) {
            const heed_token *t = &r->tokens[i];
            if (i)
                heed__buf_addc(b, ',');
            heed__buf_adds(b, "{\"text\":");
            heed_json_string(b, r->text + t->start, t->len);
            heed__buf_adds(b, ",\"norm\":");
            heed_json_string(b, t->norm, t->norm_len);
            heed__buf_printf(b, ",\"kind\":\"%s\",\"start\":%u,\"sentence\":%u,\"flags\":",
                             heed_token_kind_name(t->kind), (unsigned)t->start,
                             (unsigned)t->sentence);
            token_flags(b, t->flags);
            heed__buf_addc(b, '}');
        }
        heed__buf_addc(b, ']');
    }
    listening(b, r);
    if (r->empathy.available || r->compassion.available || r->promises.available ||
        r->familiar.available || r->addressed.available)
        reply_obj(b, r);
    if (r->warnings & HEED_WARN_REPLACED_UTF8)
        heed__buf_printf(b,
                         ",\"warnings\":[{\"code\":\"replaced_invalid_utf8\",\"count\":%zu,"
                         "\"first_byte\":%zu}]",
                         r->n_replaced, r->first_bad);
}

void heed_json_check_reply(heed_buf *b, const heed_result *r)
{
    heed__buf_printf(b, "{\"schema\":%d,\"suggestions\":[", HEED_SCHEMA_VERSION);
    for (size_t i = 0; i < r->n_suggestions; i++) {
        const heed_suggestion *s = &r->suggestions[i];
        heed__buf_printf(b, "%s{\"code\":\"%s\",\"priority\":%d,\"text\":", i ? "," : "", s->code,
                         s->priority);
        heed_json_string(b, s->text, strlen(s->text));
        if (s->len) {
            const char *src = s->in_context ? r->context : r->text;
            heed__buf_printf(b,
                             ",\"in\":\"%s\",\"evidence\":", s->in_context ? "customer" : "reply");
            heed_json_string(b, src + s->start, s->len);
            heed__buf_printf(b, ",\"start\":%u,\"end\":%u", (unsigned)s->start,
                             (unsigned)(s->start + s->len));
        }
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, "],\"draft\":{");
    heed_json_result(b, r, &(heed_json_opts){0});
    heed__buf_addc(b, '}');
    if (r->customer) {
        heed__buf_adds(b, ",\"customer\":{");
        heed_json_result(b, r->customer, &(heed_json_opts){0});
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, "}\n");
}
