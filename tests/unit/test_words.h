/* test_words.h - random words and texts for the unit tests that compare a
 * fast path with the reference it replaces, from a 64-bit linear
 * congruential generator. */
#ifndef HEED_TEST_WORDS_H
#define HEED_TEST_WORDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The generator's next draw: its state's high 31 bits. */
static inline uint64_t test_rand(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    return *seed >> 33;
}

/* 200,000 random words of 1 to 10 bytes drawn from letters (the generator
 * started at seed), then every word of one and of two bytes, each handed to
 * check. */
static inline void test_words(void (*check)(const char *w, size_t n), const char *letters, uint64_t seed)
{
    char w[16];
    const size_t nl = strlen(letters);
    for (int it = 0; it < 200000; it++) {
        const size_t n = 1 + (size_t)(test_rand(&seed) % 10);
        for (size_t k = 0; k < n; k++)
            w[k] = letters[test_rand(&seed) % nl];
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

/* Into text (cap bytes), 1 to max_words words drawn from words[0..nw),
 * separated by spaces; the text's length. */
static inline size_t test_text(char *text, size_t cap, const char *const *words, size_t nw,
                               int max_words, uint64_t *seed)
{
    size_t o = 0;
    const int n = 1 + (int)(test_rand(seed) % (uint64_t)max_words);
    for (int w = 0; w < n; w++)
        o += (size_t)snprintf(text + o, cap - o, "%s%s", w ? " " : "",
                              words[test_rand(seed) % nw]);
    return o;
}

#endif
