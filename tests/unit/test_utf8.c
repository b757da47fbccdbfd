/* test_utf8.c - UTF-8 validation and token normalisation (src/util/utf8.c):
 * their fast paths for ASCII against the general ones on generated text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "heed/heed.h"
#include "utf8.h"

static uint64_t next(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    return *seed >> 33;
}

/* The valid prefix, one code point a step. */
static size_t valid_prefix_ref(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = heed__utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!l)
            return i;
        i += l;
    }
    return n;
}

/* Texts of ASCII runs of every length with valid and invalid sequences at
 * every position, cut anywhere: the prefix the fast scan finds is the one
 * a decoder finds. */
static void test_valid_prefix(void **state)
{
    (void)state;
    static const char *const parts[] = {
        "a", "hello world", "0123456789abcdef", "The quick brown fox jumps over", "\t\n ",
        "\xC3\xA9", "\xE2\x80\x99", "\xF0\x9F\x98\x80", "\xC3", "\xE2\x80", "\x80", "\xFF",
        "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xEF\xBB\xBF", "\x7F", "\x00"};
    enum { ROUNDS = 20000 };
    char buf[200];
    uint64_t seed = 3;
    for (int r = 0; r < ROUNDS; r++) {
        size_t o = 0;
        /* mostly ASCII, as messages are */
        int bad = (int)(next(&seed) % 4 == 0);
        while (o < sizeof buf - 40) {
            uint64_t x = next(&seed);
            if (x % 9 == 0 && o > 0)
                break;
            size_t k = x % 16 < 12 ? (x >> 8) % 5 : 5 + (x >> 8) % (bad ? 13 : 3);
            const char *p = parts[k];
            size_t l = k == 17 ? 1 : strlen(p);
            memcpy(buf + o, p, l);
            o += l;
        }
        size_t cut = (size_t)(next(&seed) % (o + 1));
        for (size_t from = 0; from < 3 && from <= cut; from++)
            assert_int_equal(heed__utf8_valid_prefix(buf + from, cut - from),
                             valid_prefix_ref(buf + from, cut - from));
    }
}

/* Words of ASCII letters, marks, digits and typographic apostrophes (and
 * now and then a character only utf8proc knows): the fast normalisation is
 * utf8proc's, with and without squashing. */
static void test_normalize_fast_path(void **state)
{
    (void)state;
    static const char *const parts[] = {
        "a", "A", "b", "B", "o", "O", "'", "-", ".", "1", "z", "Z", " ", "\t",
        "\xE2\x80\x99", "\xE2\x80\x98", "\xCA\xBC", "\xE2\x80\x9C", "\xE2\x80", "\xC3\xA9",
        "\xEF\xBC\xA1", "\xC3\x9F", "e\xCC\x81", "\xEF\xAC\x81", "\xE2\x84\xAA"};
    enum { ROUNDS = 20000 };
    char buf[64];
    uint64_t seed = 5;
    for (int r = 0; r < ROUNDS; r++) {
        heed_arena a;
        heed__arena_init(&a, 0);
        size_t o = 0;
        int other = (int)(next(&seed) % 8 == 0);
        while (o < sizeof buf - 8) {
            uint64_t x = next(&seed);
            if (x % 7 == 0 && o > 0)
                break;
            size_t k = (x >> 4) % (other ? 25 : 17);
            /* "\xE2\x80" is only ever whole: the start of U+2019 */
            const char *p = k == 18 ? "\xE2\x80\x99" : parts[k];
            memcpy(buf + o, p, strlen(p));
            o += strlen(p);
        }
        for (int squash = 0; squash < 2; squash++) {
            size_t l1, l2;
            char *n1 = heed__utf8_normalize(&a, buf, o, squash, &l1);
            char *n2 = heed__utf8_normalize_general(&a, buf, o, squash, &l2);
            assert_non_null(n1);
            assert_non_null(n2);
            assert_int_equal(l1, l2);
            assert_memory_equal(n1, n2, l1);
            assert_int_equal(n1[l1], '\0');
        }
        heed__arena_release(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_prefix),
        cmocka_unit_test(test_normalize_fast_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
