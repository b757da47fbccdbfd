/* test_hash.c - hash.h: heed__head8 (the first 8 bytes of a word as a number,
 * byte k at bits 8k) and heed__hash against loops written plainly, for every
 * length, on random bytes in buffers of exactly that length (so that ASan
 * sees a read past the end). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"

static uint64_t head8_ref(const unsigned char *u, size_t len)
{
    uint64_t h = 0;
    for (size_t k = 0; k < len && k < 8; k++)
        h |= (uint64_t)u[k] << (8 * k);
    return h;
}

static void test_head8(void **state)
{
    (void)state;
    uint64_t rs = 0x9E3779B97F4A7C15ull;
    for (size_t len = 0; len <= 24; len++) {
        for (int round = 0; round < 2000; round++) {
            unsigned char *u = malloc(len ? len : 1);
            assert_non_null(u);
            for (size_t k = 0; k < len; k++) {
                rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
                /* high bytes too, and zeros, which padding must not mimic */
                u[k] = round % 3 ? (unsigned char)rs : (unsigned char)(rs % 4 ? 0xFF : 0);
            }
            assert_int_equal(heed__head8((const char *)u, len), head8_ref(u, len));
            free(u);
        }
    }
}

/* heed__hash as first written: its values key the models' features, so the
 * unrolled tail must give the same bits. */
static uint64_t hash_ref(const unsigned char *s, size_t n)
{
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

static void test_hash(void **state)
{
    (void)state;
    uint64_t rs = 0x2545F4914F6CDD1Dull;
    for (size_t len = 0; len <= 40; len++) {
        for (int round = 0; round < 500; round++) {
            unsigned char *u = malloc(len ? len : 1);
            assert_non_null(u);
            for (size_t k = 0; k < len; k++) {
                rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
                u[k] = (unsigned char)rs;
            }
            assert_int_equal(heed__hash(u, len), hash_ref(u, len));
            free(u);
        }
    }
}

/* heed__mem_eq is memcmp(...) == 0: for every length to past its memcmp
 * limit, equal buffers and buffers differing in one byte anywhere, each
 * exactly its length (ASan sees any read past the end). */
static void test_mem_eq(void **state)
{
    (void)state;
    uint64_t rs = 0x853C49E6748FEA9Bull;
    for (size_t len = 0; len <= 40; len++) {
        for (int round = 0; round < 300; round++) {
            unsigned char *a = malloc(len ? len : 1), *b = malloc(len ? len : 1);
            assert_non_null(a);
            assert_non_null(b);
            for (size_t k = 0; k < len; k++) {
                rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
                a[k] = b[k] = (unsigned char)rs;
            }
            assert_true(heed__mem_eq(a, b, len));
            if (len) {
                rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
                size_t at = (size_t)(rs >> 8) % len;
                b[at] ^= (unsigned char)(1u << (rs % 8));
                assert_int_equal(heed__mem_eq(a, b, len), memcmp(a, b, len) == 0);
                assert_false(heed__mem_eq(a, b, len));
            }
            free(a);
            free(b);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head8),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_mem_eq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
