/* hash.h - a fast non-cryptographic 64-bit hash for in-memory tables. */
#ifndef HEED_HASH_H
#define HEED_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* FNV-1a over 8-byte words with a final avalanche; fine for short keys. */
static inline uint64_t heed__hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    /* the last 0..7 bytes, one step each, read back from their end e (most
     * keys are words shorter than 8 bytes: no loop counter, fixed offsets) */
    const uint64_t P = 0x100000001b3ull;
    const unsigned char *e = s + n;
    switch (n) {
    case 7:
        h = (h ^ e[-7]) * P;
        /* fall through */
    case 6:
        h = (h ^ e[-6]) * P;
        /* fall through */
    case 5:
        h = (h ^ e[-5]) * P;
        /* fall through */
    case 4:
        h = (h ^ e[-4]) * P;
        /* fall through */
    case 3:
        h = (h ^ e[-3]) * P;
        /* fall through */
    case 2:
        h = (h ^ e[-2]) * P;
        /* fall through */
    case 1:
        h = (h ^ e[-1]) * P;
        /* fall through */
    default:
        break;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/* The first min(len, 8) bytes of w as a number, zero-padded: byte k at bits
 * 8k whatever the host's byte order (a word table's key). */
static inline uint64_t heed__head8(const char *w, size_t len)
{
    const unsigned char *u = (const unsigned char *)w;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* a load puts byte k at bits 8k here: one load for 8 bytes and more, two
     * overlapping ones for 4..7 (the second's bytes 4.. moved up into place,
     * those below dropped), none past w[len) */
    if (len >= 8) {
        uint64_t h;
        memcpy(&h, w, 8);
        return h;
    }
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, w, 4);
        memcpy(&b, w + len - 4, 4);
        return a | (uint64_t)b >> (8 * (8 - len)) << 32;
    }
    if (len == 0)
        return 0;
    return u[0] | (len > 1 ? (uint64_t)u[1] << 8 : 0) | (len > 2 ? (uint64_t)u[2] << 16 : 0);
#else
    /* byte k at bits 8k whatever the host's byte order; a whole word of 8
     * bytes and more is put together at once */
    if (len >= 8)
        return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 |
               (uint64_t)u[3] << 24 | (uint64_t)u[4] << 32 | (uint64_t)u[5] << 40 |
               (uint64_t)u[6] << 48 | (uint64_t)u[7] << 56;
    uint64_t h = 0;
    switch (len) {
    case 7:
        h |= (uint64_t)u[6] << 48;
        /* fall through */
    case 6:
        h |= (uint64_t)u[5] << 40;
        /* fall through */
    case 5:
        h |= (uint64_t)u[4] << 32;
        /* fall through */
    case 4:
        h |= (uint64_t)u[3] << 24;
        /* fall through */
    case 3:
        h |= (uint64_t)u[2] << 16;
        /* fall through */
    case 2:
        h |= (uint64_t)u[1] << 8;
        /* fall through */
    case 1:
        h |= (uint64_t)u[0];
        /* fall through */
    default:
        break;
    }
    return h;
#endif
}

/* Whether a[0..n) and b[0..n) are the same bytes: memcmp(a, b, n) == 0
 * without a call for the short keys of word tables (up to 16 bytes: two
 * overlapping loads of 8, or of 4, none past either end); longer ones go to
 * memcmp. */
static inline int heed__mem_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    if (n >= 8) {
        if (n > 16)
            return memcmp(x, y, n) == 0;
        uint64_t x0, y0, x1, y1;
        memcpy(&x0, x, 8);
        memcpy(&y0, y, 8);
        memcpy(&x1, x + n - 8, 8);
        memcpy(&y1, y + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, x, 4);
        memcpy(&y0, y, 4);
        memcpy(&x1, x + n - 4, 4);
        memcpy(&y1, y + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n == 0)
        return 1;
    /* 1..3 bytes: the first, middle and last (one byte may be read twice) */
    return ((x[0] ^ y[0]) | (x[n / 2] ^ y[n / 2]) | (x[n - 1] ^ y[n - 1])) == 0;
}

#endif
