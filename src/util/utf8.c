/* utf8.c - strict UTF-8 decoding (RFC 3629), repair and token normalisation. */
#include "utf8.h"

#include <string.h>
#include <utf8proc.h>
#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif

#include "heed/heed.h"

/* Valid second-byte range for each lead byte, per Unicode Table 3-7. */
static int second_ok(unsigned char lead, unsigned char b)
{
    if (lead == 0xE0)
        return b >= 0xA0 && b <= 0xBF;
    if (lead == 0xED)
        return b >= 0x80 && b <= 0x9F;
    if (lead == 0xF0)
        return b >= 0x90 && b <= 0xBF;
    if (lead == 0xF4)
        return b >= 0x80 && b <= 0x8F;
    return b >= 0x80 && b <= 0xBF;
}

static size_t seq_len(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}

size_t heed__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len = seq_len(c);
    *cp = 0xFFFD;
    if (len == 0 || len > n)
        return 0;
    if (len == 1) {
        *cp = c;
        return 1;
    }
    if (!second_ok(c, s[1]))
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    uint32_t v;
    if (len == 2)
        v = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
    else if (len == 3)
        v = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    else
        v = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
            ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    *cp = v;
    return len;
}

/* Length of the maximal subpart of an ill-formed sequence at s (>= 1). */
static size_t maximal_subpart(const unsigned char *s, size_t n)
{
    size_t len = seq_len(s[0]);
    if (len == 0 || n < 2 || !second_ok(s[0], s[1]))
        return 1;
    size_t i = 2;
    while (i < len && i < n && (s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* Offset of the first byte >= 0x80 in [s+i, s+n), or n. */
static size_t ascii_end(const unsigned char *s, size_t i, size_t n)
{
#ifdef HEED_SSE2
    /* 32 bytes a step while no byte is high, then the 16 that hold one */
    while (n - i >= 32 &&
           !_mm_movemask_epi8(_mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + i)),
                                           _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16)))))
        i += 32;
    while (n - i >= 16) {
        const unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
    if (n >= 16 && i < n) {
        /* the last 16 bytes once, those before i masked off */
        const unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + n - 16))) >>
            (16 - (n - i));
        return m ? i + (size_t)__builtin_ctz(m) : n;
    }
#endif
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
        i += 8;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

size_t heed__utf8_valid_prefix(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while ((i = ascii_end(s, i, n)) < n) {
        uint32_t cp;
        size_t l = heed__utf8_decode(s + i, n - i, &cp);
        if (l == 0)
            return i;
        i += l;
    }
    return n;
}

int heed_utf8_validate(const char *s, size_t len, size_t *bad_pos)
{
    if (!s && len)
        return HEED_EINVAL;
    size_t ok = heed__utf8_valid_prefix(s, len);
    if (ok == len)
        return HEED_OK;
    if (bad_pos)
        *bad_pos = ok;
    return HEED_EUTF8;
}

size_t heed__utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

char *heed__utf8_repair(heed_arena *a, const char *str, size_t n, size_t *out_len,
                        size_t *n_replaced)
{
    const unsigned char *s = (const unsigned char *)str;
    /* Each bad byte becomes at most 3 bytes (U+FFFD). */
    if (n > ((size_t)-1 - 1) / 3)
        return NULL;
    char *out = heed__arena_alloc(a, n * 3 + 1);
    if (!out)
        return NULL;
    size_t i = 0, o = 0, rep = 0;
    while (i < n) {
        size_t ok = heed__utf8_valid_prefix(str + i, n - i);
        memcpy(out + o, s + i, ok);
        o += ok;
        i += ok;
        if (i >= n)
            break;
        i += maximal_subpart(s + i, n - i);
        memcpy(out + o, "\xEF\xBF\xBD", 3);
        o += 3;
        rep++;
    }
    out[o] = '\0';
    *out_len = o;
    *n_replaced = rep;
    return out;
}

/* Cuts runs of 3+ identical ASCII letters to 2, in place; returns new length. */
static size_t squash_runs(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (letter && o >= 2 && s[o - 1] == c && s[o - 2] == c)
            continue;
        s[o++] = c;
    }
    s[o] = '\0';
    return o;
}

/* Through utf8proc: NFKC and case folding, typographic apostrophes to ASCII,
 * runs squashed. */
static char *normalize_utf8proc(heed_arena *a, const char *s, size_t n, int squash,
                                size_t *out_len)
{
    const utf8proc_option_t opts =
        UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
    /* NFKC can expand; start at 2 code points per byte and grow once if asked. */
    size_t cap = n * 2 + 4;
    for (int attempt = 0; attempt < 2; attempt++) {
        utf8proc_int32_t *buf = heed__arena_alloc(a, cap * sizeof(*buf) + 1);
        if (!buf)
            return NULL;
        utf8proc_ssize_t got = utf8proc_decompose((const utf8proc_uint8_t *)s,
                                                  (utf8proc_ssize_t)n, buf,
                                                  (utf8proc_ssize_t)cap, opts);
        if (got < 0)
            return NULL;
        if ((size_t)got > cap) {
            cap = (size_t)got;
            continue;
        }
        /* Typographic apostrophes to ASCII, before re-encoding. */
        for (utf8proc_ssize_t k = 0; k < got; k++)
            if (buf[k] == 0x2019 || buf[k] == 0x2018 || buf[k] == 0x02BC)
                buf[k] = '\'';
        utf8proc_ssize_t blen = utf8proc_reencode(buf, got, opts);
        if (blen < 0)
            return NULL;
        char *u = (char *)buf;
        *out_len = squash ? squash_runs(u, (size_t)blen) : (size_t)blen;
        return u;
    }
    return NULL;
}

char *heed__utf8_normalize(heed_arena *a, const char *s, size_t n, int squash, size_t *out_len)
{
    /* ASCII with typographic apostrophes (U+2018, U+2019, U+02BC), nearly
     * every word: utf8proc would lower the capitals and change nothing else
     * (no ASCII character has a compatibility form or composes with another,
     * nor do those apostrophes); lower-case, map and squash in one pass. */
    char *d = heed__arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, i = 0;
    for (; i < n; i++) {
        unsigned char c = u[i];
        if (c >= 0x80) {
            if (c == 0xE2 && n - i >= 3 && u[i + 1] == 0x80 && (u[i + 2] == 0x98 || u[i + 2] == 0x99))
                i += 2;
            else if (c == 0xCA && n - i >= 2 && u[i + 1] == 0xBC)
                i += 1;
            else
                break;
            c = '\'';
        } else if (c >= 'A' && c <= 'Z') {
            c += 32;
        }
        if (squash && c >= 'a' && c <= 'z' && o >= 2 && (unsigned char)d[o - 1] == c &&
            (unsigned char)d[o - 2] == c)
            continue;
        d[o++] = (char)c;
    }
    if (i == n) {
        d[o] = '\0';
        *out_len = o;
        return d;
    }
    return normalize_utf8proc(a, s, n, squash, out_len);
}

char *heed__utf8_normalize_general(heed_arena *a, const char *s, size_t n, int squash,
                                   size_t *out_len)
{
    return normalize_utf8proc(a, s, n, squash, out_len);
}
