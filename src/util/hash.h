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
    while (n--)
        h = (h ^ *s++) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

#endif
