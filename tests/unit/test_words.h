/* test_words.h - words for the unit tests that compare a fast path with the
 * reference it replaces: 200,000 random words of 1 to 10 bytes drawn from
 * letters (a 64-bit linear congruential generator started at seed), then
 * every word of one and of two bytes, each handed to check. */
#ifndef HEED_TEST_WORDS_H
#define HEED_TEST_WORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void test_words(void (*check)(const char *w, size_t n), const char *letters, uint64_t seed)
{
    char w[16];
    const size_t nl = strlen(letters);
    for (int it = 0; it < 200000; it++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        const size_t n = 1 + (size_t)((seed >> 33) % 10);
        for (size_t k = 0; k < n; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            w[k] = letters[(seed >> 33) % nl];
        }
        check(w, n);
    }
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            w[0] = (char)a;
            w[1] = (char)b;
            check(w, 1);
            check(w, 2);
        }
}

#endif
