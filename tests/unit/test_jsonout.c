/* test_jsonout.c - the number writers of jsonout.c (heed_json_number,
 * heed_json_uint) against printf on many values: edge cases, every
 * ten-thousandth around small integers, powers of ten, random doubles;
 * into an empty buffer, a buffer with room and a buffer with a maximum size.
 * The string writer (heed_json_string, written in pieces of about 4 KB)
 * against a byte-at-a-time escaper on long random strings. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "jsonout.h"

/* The documented result of heed_json_number, by printf: |v| rounded half
 * away from zero to ten-thousandths (v clamped to +-9e14, non-finite as 0),
 * then "%.4f" of that with the trailing zeros and a bare point cut. */
static void expected_number(double v, char *out, size_t cap)
{
    if (!isfinite(v) || fabs(v) >= 9e14)
        v = isfinite(v) ? (v > 0 ? 9e14 : -9e14) : 0;
    unsigned long long q = (unsigned long long)(fabs(v) * 10000.0 + 0.5);
    if (q == 0) {
        snprintf(out, cap, "0");
        return;
    }
    int n = snprintf(out, cap, "%s%llu.%04llu", v < 0 ? "-" : "", q / 10000, q % 10000);
    assert_true(n > 0 && (size_t)n < cap);
    while (out[n - 1] == '0')
        out[--n] = '\0';
    if (out[n - 1] == '.')
        out[--n] = '\0';
}

static void check_number(heed_buf *b, double v)
{
    char want[64];
    expected_number(v, want, sizeof want);
    size_t before = b->len;
    heed_json_number(b, v);
    assert_int_equal(b->err, 0);
    assert_int_equal(b->len - before, strlen(want));
    assert_memory_equal(b->ptr + before, want, strlen(want));
    assert_int_equal(b->ptr[b->len], '\0');
}

static uint64_t rs = 88172645463325252ull;
static uint64_t rnd64(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static const double EDGES[] = {
    0.0,         -0.0,         0.00004,      0.00005,       -0.00005,      0.000049999,
    0.0001,      -0.0001,      0.5,          -0.5,          0.99995,       0.99994999,
    1.0,         -1.0,         1.1,          1.01,          1.001,         1.0001,
    1.00001,     9.99999,      10.0,         99.995,        100.0,         123.4567,
    -123.45678,  0.1234,       0.12345,      0.10005,       0.42135,       1e6,
    1e9 + 0.5,   4294967296.0, 1e14,         8.99999e14,    9e14,          -9e14,
    1e15,        -1e300,       1e300,        INFINITY,      -INFINITY,     NAN,
    2.5e-5,      DBL_MIN,      -DBL_MIN,     DBL_MAX,       0.30000000001, 70.0,
};

static void test_number_matches_printf(void **state)
{
    (void)state;
    heed_buf b;
    heed__buf_init(&b, 0); /* starts with no room: the first writes grow it */
    for (size_t i = 0; i < sizeof EDGES / sizeof EDGES[0]; i++)
        check_number(&b, EDGES[i]);
    /* every ten-thousandth (and its halves) from -3 to 3 */
    for (int k = -30000; k <= 30000; k++) {
        check_number(&b, k / 10000.0);
        check_number(&b, (k + 0.5) / 10000.0);
    }
    /* powers of ten and their neighbours */
    for (double p = 1e-6; p < 2e15; p *= 10) {
        check_number(&b, p);
        check_number(&b, -p);
        check_number(&b, nextafter(p, 0));
        check_number(&b, nextafter(p, 1e300));
    }
    /* random doubles over many magnitudes, and random bit patterns */
    for (int k = 0; k < 200000; k++) {
        double m = (double)(rnd64() >> 11) / 9007199254740992.0; /* [0, 1) */
        int e = (int)(rnd64() % 40) - 20;
        check_number(&b, (rnd64() & 1 ? -m : m) * pow(10.0, e));
        uint64_t bits = rnd64();
        double d;
        memcpy(&d, &bits, sizeof d);
        check_number(&b, d);
        if (b.len > (1u << 20))
            heed__buf_reset(&b);
    }
    heed__buf_release(&b);
}

/* A buffer with a maximum size: a number is written whole or not at all,
 * and the error is sticky. */
static void test_number_at_the_limit(void **state)
{
    (void)state;
    for (size_t max = 1; max < 40; max++) {
        heed_buf b;
        heed__buf_init(&b, max);
        char want[4096] = "";
        size_t wl = 0;
        for (int k = 0; k < 20 && !b.err; k++) {
            double v = -123456.789 / (k + 1);
            char one[64];
            expected_number(v, one, sizeof one);
            heed_json_number(&b, v);
            if (!b.err) {
                memcpy(want + wl, one, strlen(one));
                wl += strlen(one);
            }
        }
        assert_int_equal(b.len, wl);
        if (wl)
            assert_memory_equal(b.ptr, want, wl);
        heed__buf_release(&b);
    }
}

static void test_uint_matches_printf(void **state)
{
    (void)state;
    heed_buf b;
    heed__buf_init(&b, 0);
    char want[32];
    uint64_t v[] = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 4294967295ull,
                    4294967296ull, 999999999999999999ull, 1000000000000000000ull, UINT64_MAX};
    for (size_t i = 0; i < sizeof v / sizeof v[0] + 100000; i++) {
        uint64_t x = i < sizeof v / sizeof v[0] ? v[i] : rnd64() >> (rnd64() % 64);
        snprintf(want, sizeof want, "%llu", (unsigned long long)x);
        size_t before = b.len;
        heed_json_uint(&b, x);
        assert_int_equal(b.len - before, strlen(want));
        assert_memory_equal(b.ptr + before, want, strlen(want));
        if (b.len > (1u << 20))
            heed__buf_reset(&b);
    }
    heed__buf_release(&b);
}

/* The documented escaping of heed_json_string, one byte at a time. */
static size_t expected_string(const unsigned char *s, size_t n, char *out)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out[o++] = '\\';
            out[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7F) {
            o += (size_t)sprintf(out + o, "\\u%04x", c);
        } else if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
                   (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
            o += (size_t)sprintf(out + o, "\\u%s", s[i + 2] == 0xA8 ? "2028" : "2029");
            i += 2;
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    return o;
}

static void test_string_pieces(void **state)
{
    (void)state;
    /* pieces a string is made of: plain letters, a two-byte letter, the line
     * and paragraph separators, an en dash (also led by 0xE2), escapes */
    static const char *const parts[] = {"abc", "\xC3\xA9", "\xE2\x80\xA8", "\xE2\x80\xA9",
                                        "\xE2\x80\x93", "\"", "\\", "\n", "\x01", "\x7F", " "};
    enum { N = 20000 };
    static unsigned char s[N + 8];
    static char want[6 * N + 64];
    heed_buf b;
    heed__buf_init(&b, 0);
    for (int round = 0; round < 200; round++) {
        size_t n = 0, target = round < 100 ? (size_t)(rnd64() % 9000) : N;
        while (n < target) {
            const char *p = parts[rnd64() % (sizeof parts / sizeof parts[0])];
            size_t l = strlen(p);
            memcpy(s + n, p, l);
            n += l;
        }
        if (round % 7 == 0 && n > 10) /* not UTF-8: a run of continuation bytes */
            memset(s + n / 3, 0x80, n / 3);
        size_t wl = expected_string(s, n, want);
        heed__buf_reset(&b);
        heed_json_string(&b, (const char *)s, n);
        assert_int_equal(b.err, 0);
        assert_int_equal(b.len, wl);
        assert_memory_equal(b.ptr, want, wl);
        assert_int_equal(b.ptr[b.len], '\0');
    }
    heed__buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_matches_printf),
        cmocka_unit_test(test_number_at_the_limit),
        cmocka_unit_test(test_uint_matches_printf),
        cmocka_unit_test(test_string_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
