/* test_simindex.c - the SimHash near-duplicate index (src/io/simindex.c), with
 * fingerprints built by hand: flips of chosen bits give exact distances. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "simindex.h"

#define BASE 0x0123456789ABCDEFull

/* BASE with the given bits flipped (a list ending in -1). */
static uint64_t flip(uint64_t fp, const int *bits)
{
    for (; *bits >= 0; bits++)
        fp ^= 1ull << *bits;
    return fp;
}

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(heed_simindex_distance(0, 0), 0);
    assert_int_equal(heed_simindex_distance(0, ~0ull), 64);
    assert_int_equal(heed_simindex_distance(BASE, BASE ^ 0x8000000000000001ull), 2);
}

/* Near: within distance 3, wherever the flipped bits are (one per band, or
 * all in one band, or across band edges), the first reply is found. */
static void test_near(void **state)
{
    (void)state;
    static const int cases[][4] = {
        {-1},          {0, -1},          {63, -1},        {15, 16, -1}, {0, 16, 32, -1},
        {1, 2, 3, -1}, {47, 48, 63, -1}, {5, 21, 60, -1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        heed_simindex *x = heed_simindex_new(0);
        assert_non_null(x);
        heed_simmatch m = {0};
        assert_int_equal(heed_simindex_add(x, BASE, 7, &m), 0);
        uint64_t fp = flip(BASE, cases[c]);
        assert_int_equal(heed_simindex_add(x, fp, 8, &m), 1);
        assert_int_equal(m.like, 7);
        assert_int_equal(m.distance, heed_simindex_distance(BASE, fp));
        assert_true(m.distance <= HEED_SIMINDEX_DISTANCE);
        assert_int_equal(m.count, 2);
        heed_simindex_free(x);
    }
}

/* Far: distance 4 or more is not a near duplicate, even when the 4 flips are
 * one per band (no band is shared) or all in one band (3 bands are). */
static void test_far(void **state)
{
    (void)state;
    static const int cases[][6] = {
        {0, 16, 32, 48, -1},
        {0, 1, 2, 3, -1},
        {10, 11, 12, 13, 14, -1},
        {3, 19, 35, 51, 52, -1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        heed_simindex *x = heed_simindex_new(0);
        assert_non_null(x);
        heed_simmatch m = {0};
        assert_int_equal(heed_simindex_add(x, BASE, 1, &m), 0);
        assert_int_equal(heed_simindex_add(x, flip(BASE, cases[c]), 2, &m), 0);
        assert_int_equal(heed_simindex_size(x), 2);
        heed_simindex_free(x);
    }
    heed_simindex *x = heed_simindex_new(0);
    assert_non_null(x);
    heed_simmatch m;
    assert_int_equal(heed_simindex_add(x, 0, 1, &m), 0);
    assert_int_equal(heed_simindex_add(x, ~0ull, 2, &m), 0);
    heed_simindex_free(x);
}

/* The earliest similar reply is named and its count grows; copies are not
 * kept, so a reply near a copy only (and far from the first) starts a new
 * group. */
static void test_earliest_and_count(void **state)
{
    (void)state;
    heed_simindex *x = heed_simindex_new(0);
    assert_non_null(x);
    heed_simmatch m = {0};
    uint64_t a = BASE, b = flip(BASE, (const int[]){0, 1, -1});
    uint64_t c = flip(b, (const int[]){40, 41, 42, -1}); /* 3 from b, 5 from a */
    assert_int_equal(heed_simindex_add(x, a, 100, &m), 0);
    assert_int_equal(heed_simindex_add(x, b, 101, &m), 1);
    assert_int_equal(m.like, 100);
    assert_int_equal(m.count, 2);
    assert_int_equal(heed_simindex_add(x, a, 102, &m), 1); /* exact copy */
    assert_int_equal(m.like, 100);
    assert_int_equal(m.distance, 0);
    assert_int_equal(m.count, 3);
    assert_int_equal(heed_simindex_size(x), 1);
    assert_int_equal(heed_simindex_add(x, c, 103, &m), 0); /* 5 from a: new group */
    assert_int_equal(heed_simindex_size(x), 2);
    assert_int_equal(heed_simindex_add(x, c ^ 1, 104, &m), 1);
    assert_int_equal(m.like, 103);
    assert_int_equal(m.distance, 1);
    assert_int_equal(m.count, 2);
    /* near both a (2 bits) and c (3 bits): the earlier group, a, is named */
    uint64_t both = flip(BASE, (const int[]){0, 40, -1});
    assert_int_equal(heed_simindex_distance(both, c), 3);
    assert_int_equal(heed_simindex_add(x, both, 105, &m), 1);
    assert_int_equal(m.like, 100);
    assert_int_equal(m.distance, 2);
    assert_int_equal(m.count, 4);
    heed_simindex_free(x);
}

/* At the cap, new fingerprints are looked up but not kept. */
static void test_cap(void **state)
{
    (void)state;
    heed_simindex *x = heed_simindex_new(3);
    assert_non_null(x);
    heed_simmatch m = {0};
    for (uint64_t i = 0; i < 5; i++) /* 0x0, 0xF, 0xFF, ...: 4+ bits apart */
        assert_int_equal(heed_simindex_add(x, (1ull << (8 * i)) - 1, i, &m), 0);
    assert_int_equal(heed_simindex_size(x), 3);
    assert_int_equal(heed_simindex_add(x, 0xFFull << 24, 9, &m), 0);  /* #4 was not kept */
    assert_int_equal(heed_simindex_add(x, 0xFFFF ^ 1ull, 10, &m), 1); /* #2 was */
    assert_int_equal(m.like, 2);
    assert_int_equal(m.distance, 1);
    assert_int_equal(heed_simindex_size(x), 3);
    heed_simindex_free(x);
    heed_simindex_free(NULL);
}

/* Many fingerprints in one band chain: still exact. */
static void test_many(void **state)
{
    (void)state;
    heed_simindex *x = heed_simindex_new(0);
    assert_non_null(x);
    heed_simmatch m = {0};
    /* 1000 fingerprints sharing band 0, each far from the others: bits 16+
     * carry i spread out so any two differ in >= 4 bits */
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t v = i * 0x9E3779B97F4A7C15ull;
        uint64_t fp = (v & ~0xFFFFull) | 0xABCD;
        int r = heed_simindex_add(x, fp, i, &m);
        assert_true(r >= 0);
        if (r)
            assert_true(m.distance <= HEED_SIMINDEX_DISTANCE);
    }
    uint64_t probe = ((500 * 0x9E3779B97F4A7C15ull) & ~0xFFFFull) | 0xABCD;
    assert_int_equal(heed_simindex_add(x, probe ^ (1ull << 40) ^ (1ull << 50), 2000, &m), 1);
    assert_true(m.like <= 500);
    heed_simindex_free(x);
}

/* The member added to a reply's record. */
static void test_json(void **state)
{
    (void)state;
    heed_buf b;
    heed__buf_init(&b, 0);
    const heed_simmatch m = {.like = 17, .distance = 2, .count = 3};
    heed_simindex_json(&b, &m);
    assert_false(b.err);
    assert_int_equal(b.len, strlen(",\"canned\":{\"like\":17,\"distance\":2,\"count\":3}"));
    assert_memory_equal(b.ptr, ",\"canned\":{\"like\":17,\"distance\":2,\"count\":3}", b.len);
    heed__buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance), cmocka_unit_test(test_near),
        cmocka_unit_test(test_far),      cmocka_unit_test(test_earliest_and_count),
        cmocka_unit_test(test_cap),      cmocka_unit_test(test_many),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
