/* test_jsonout.c - the number writers of jsonout.c (heed_json_number,
 * heed_json_uint) against printf on many values: edge cases, every
 * ten-thousandth around small integers, powers of ten, random doubles;
 * into an empty buffer, a buffer with room and a buffer with a maximum size.
 * Both also against the writers they replaced (kept here as the reference)
 * on tens of millions of floats and doubles and every integer below 2^20.
 * The string writer (heed_json_string, written in pieces of about 4 KB)
 * against a byte-at-a-time escaper on long random strings, and on short ones
 * of every length to 48. The listening
 * objects of heed_json_result (written unchecked into reserved room)
 * against a plain writer of the same format on random results. */
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
    /* (-100, 100) in steps of 0.00013 (the numbers below 99 have a path of
     * their own), and the neighbours of the halves around 99 and 10 */
    for (int k = -770000; k <= 770000; k++)
        check_number(&b, k * 0.00013);
    for (int k = -20; k <= 20; k++) {
        const double h[] = {99 + (k + 0.5) / 10000.0, -99 + (k + 0.5) / 10000.0,
                            10 + (k + 0.5) / 10000.0, -10 + (k + 0.5) / 10000.0};
        for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
            check_number(&b, h[i]);
            check_number(&b, nextafter(h[i], 0));
            check_number(&b, nextafter(h[i], 1000));
        }
    }
    if (b.len > (1u << 20))
        heed__buf_reset(&b);
    /* powers of ten and their neighbours */
    for (double p = 1e-6; p < 2e15; p *= 10) {
        check_number(&b, p);
        check_number(&b, -p);
        check_number(&b, nextafter(p, 0));
        check_number(&b, nextafter(p, 1e300));
    }
    /* [0, 1), which has a path of its own: random values, and those next to
     * the halves where rounding turns (0.99995 gives "1") */
    for (int k = 0; k < 300000; k++)
        check_number(&b, (double)(rnd64() >> 11) / 9007199254740992.0);
    for (int k = 0; k <= 10000; k++) {
        const double h = (k + 0.5) / 10000.0;
        check_number(&b, nextafter(h, 0));
        check_number(&b, nextafter(h, 2));
        check_number(&b, nextafter(1.0, 0));
    }
    if (b.len > (1u << 20))
        heed__buf_reset(&b);
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
    uint64_t v[] = {0,      1,       9,       10,      11,     99,           100,
                    101,    999,     1000,    9999,    10000,  99999,        100000,
                    65535,  999999,  1000000, 4294967295ull,   4294967296ull,
                    999999999999999999ull,    1000000000000000000ull,        UINT64_MAX};
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
                                        "\xE2\x80\x93", "\"", "\\", "\n", "\x01", "\x7F", " ",
                                        /* plain runs past 16 bytes (a block at a time) */
                                        "the quick brown fox jumps over ", "0123456789ABCDEFghij"};
    enum { N = 20000 };
    static unsigned char s[N + 32]; /* a piece may start just before N */
    static char want[6 * (N + 32) + 64];
    heed_buf b;
    heed__buf_init(&b, 0);
    for (int round = 0; round < 300; round++) {
        size_t n = 0, target = round < 200 ? (size_t)(rnd64() % 9000) : N;
        while (n < target) {
            const char *p = parts[rnd64() % (sizeof parts / sizeof parts[0])];
            size_t l = strlen(p);
            memcpy(s + n, p, l);
            n += l;
        }
        if (round % 7 == 0 && n > 10) /* not UTF-8: a run of continuation bytes */
            memset(s + n / 3, 0x80, n / 3);
        if (round % 5 == 1) /* every byte value at any place in a block, now and then */
            for (size_t i = 0; i < n; i++)
                if (rnd64() % 16 == 0)
                    s[i] = (unsigned char)rnd64();
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

/* ------------------------------------------------ the writers of bba0d0f */

/* The number and integer writers as they were before the DEC4 and UINT3
 * tables (bba0d0f), kept as the reference the tables must match to the
 * byte: two digits per lookup and the trailing zeros counted. */
static const char REF_DIGITS2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static char *ref_uint_digits(char *end, uint64_t v)
{
    while (v >= 100) {
        const unsigned r = (unsigned)(v % 100);
        v /= 100;
        end -= 2;
        memcpy(end, REF_DIGITS2 + 2 * r, 2);
    }
    if (v >= 10) {
        end -= 2;
        memcpy(end, REF_DIGITS2 + 2 * v, 2);
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

static char *ref_frac4(char *p, unsigned frac)
{
    const unsigned hi = frac / 100, lo = frac % 100;
    p[0] = '.';
    memcpy(p + 1, REF_DIGITS2 + 2 * hi, 2);
    memcpy(p + 3, REF_DIGITS2 + 2 * lo, 2);
    return p + (lo ? (lo % 10 ? 5 : 4) : (hi % 10 ? 3 : 2));
}

static size_t ref_number_bytes(char *d, int neg, uint64_t q)
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
        n = (size_t)(ref_frac4(d + n, frac) - d);
    return n;
}

static char *ref_uint(char *p, uint64_t v)
{
    if (v < 10) {
        *p = (char)('0' + v);
        return p + 1;
    }
    size_t n = v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : 5;
    for (uint64_t t = v / 100000; t; t /= 10)
        n++;
    ref_uint_digits(p + n, v);
    return p + n;
}

static char *ref_number_wide(char *p, double v)
{
    const double a = fabs(v);
    if (a < 99) {
        const unsigned q = (unsigned)(a * 10000.0 + 0.5);
        if (q == 0) {
            *p = '0';
            return p + 1;
        }
        *p = '-';
        p += v < 0;
        const unsigned ip = q / 10000, frac = q % 10000;
        if (ip < 10) {
            *p++ = (char)('0' + ip);
        } else {
            memcpy(p, REF_DIGITS2 + 2 * ip, 2);
            p += 2;
        }
        return frac ? ref_frac4(p, frac) : p;
    }
    if (!isfinite(v) || fabs(v) >= 9e14)
        v = isfinite(v) ? (v > 0 ? 9e14 : -9e14) : 0;
    uint64_t q = (uint64_t)(fabs(v) * 10000.0 + 0.5);
    if (q == 0) {
        *p = '0';
        return p + 1;
    }
    return p + ref_number_bytes(p, v < 0, q);
}

static char *ref_number(char *p, double v)
{
    if (v >= 0 && v < 1) {
        const unsigned q = (unsigned)(v * 10000.0 + 0.5);
        if (q == 0 || q == 10000) {
            *p = q ? '1' : '0';
            return p + 1;
        }
        *p = '0';
        return ref_frac4(p + 1, q);
    }
    return ref_number_wide(p, v);
}

/* Numbers written one after another by heed_json_number and by ref_number,
 * compared a block at a time. */
typedef struct num_cmp {
    heed_buf got;
    char want[1 << 16];
    size_t want_len;
    uint64_t count;
} num_cmp;

static void num_cmp_flush(num_cmp *c)
{
    assert_int_equal(c->got.err, 0);
    if (c->got.len != c->want_len || memcmp(c->got.ptr, c->want, c->want_len) != 0) {
        /* the first number that differs, for the message */
        size_t i = 0;
        while (i < c->want_len && i < c->got.len && c->got.ptr[i] == c->want[i])
            i++;
        size_t s = i;
        while (s > 0 && c->want[s - 1] != ' ')
            s--;
        fail_msg("numbers differ at byte %zu: got \"%.30s\", want \"%.30s\"", i, c->got.ptr + s,
                 c->want + s);
    }
    heed__buf_reset(&c->got);
    c->want_len = 0;
}

static void num_cmp_add(num_cmp *c, double v)
{
    if (c->want_len > sizeof c->want - 64)
        num_cmp_flush(c);
    heed_json_number(&c->got, v);
    heed__buf_addc(&c->got, ' ');
    c->want_len = (size_t)(ref_number(c->want + c->want_len, v) - c->want);
    c->want[c->want_len++] = ' ';
    c->count++;
}

static void num_cmp_add_uint(num_cmp *c, uint64_t v)
{
    if (c->want_len > sizeof c->want - 64)
        num_cmp_flush(c);
    heed_json_uint(&c->got, v);
    heed__buf_addc(&c->got, ' ');
    c->want_len = (size_t)(ref_uint(c->want + c->want_len, v) - c->want);
    c->want[c->want_len++] = ' ';
    c->count++;
}

static float float_of_bits(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static double double_of_bits(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* heed_json_number against the bba0d0f writer, to the byte: the edge cases;
 * every ten-thousandth in (-100, 100), its halves and their neighbouring
 * doubles and floats; every float in [0, 1) above 2^-20 whose bits end in a
 * given pattern (a 1/64 sample of them: scores are floats); millions of
 * random floats and doubles of every magnitude, and of random bits.
 * heed_json_uint likewise on every value below 2^20 and random ones. */
static void test_number_matches_old_writer(void **state)
{
    (void)state;
    static num_cmp c;
    heed__buf_init(&c.got, 0);
    for (size_t i = 0; i < sizeof EDGES / sizeof EDGES[0]; i++) {
        num_cmp_add(&c, EDGES[i]);
        num_cmp_add(&c, nextafter(EDGES[i], 0));
        num_cmp_add(&c, nextafter(EDGES[i], INFINITY));
        num_cmp_add(&c, nextafter(EDGES[i], -INFINITY));
    }
    for (int k = -1000000; k <= 1000000; k++) {
        const double h = (k + 0.5) / 10000.0;
        num_cmp_add(&c, k / 10000.0);
        num_cmp_add(&c, h);
        num_cmp_add(&c, nextafter(h, -INFINITY));
        num_cmp_add(&c, nextafter(h, INFINITY));
        num_cmp_add(&c, (float)h);
        num_cmp_add(&c, nextafterf((float)h, -INFINITY));
        num_cmp_add(&c, nextafterf((float)h, INFINITY));
    }
    /* floats in [2^-20, 1): exponents 107..126 */
    for (uint32_t bits = 107u << 23; bits < 127u << 23; bits += 64)
        num_cmp_add(&c, float_of_bits(bits | (bits >> 23 & 63)));
    for (int k = 0; k < 8000000; k++) {
        const uint64_t r = rnd64();
        switch (k % 8) {
        case 0: /* probabilities as the models give them */
            num_cmp_add(&c, (float)((double)(r >> 40) / 16777216.0));
            break;
        case 1: /* floats in (-128, 128) */
            num_cmp_add(&c, (float)((double)(int64_t)r / 72057594037927936.0));
            break;
        case 2: /* any float */
            num_cmp_add(&c, float_of_bits((uint32_t)r));
            break;
        case 3: /* any double */
            num_cmp_add(&c, double_of_bits(r));
            break;
        case 4: /* doubles of magnitude 1e-6 to 1e16 */
            num_cmp_add(&c, (double)(int64_t)r / 9223372036854775808.0 *
                                pow(10.0, (double)(rnd64() % 23) - 6));
            break;
        default: /* doubles in (-1, 1) and (-100, 100) */
            num_cmp_add(&c, (double)(int64_t)r / 9223372036854775808.0 * (k % 2 ? 1 : 100));
            break;
        }
    }
    for (uint64_t v = 0; v < (1u << 20); v++)
        num_cmp_add_uint(&c, v);
    for (int k = 0; k < 1000000; k++)
        num_cmp_add_uint(&c, rnd64() >> (rnd64() % 64));
    num_cmp_add_uint(&c, UINT64_MAX);
    num_cmp_flush(&c);
    assert_true(c.count > 20000000);
    heed__buf_release(&c.got);
}

/* Short strings (the words and phrases of the evidence and the cues), every
 * length to 48: plain, with one byte that needs escaping (or a separator, or
 * another 0xE2 character) at every place, and random bytes. The writer tests
 * them in overlapping blocks and hands a string with such a byte to its
 * general path. */
static void test_string_short(void **state)
{
    (void)state;
    static const unsigned char odd[] = {'"', '\\', '\n', '\r', '\t', 0x00, 0x01, 0x1F, 0x7F, 0xE2};
    unsigned char s[64];
    char want[6 * 64 + 8];
    heed_buf b;
    heed__buf_init(&b, 0);
    for (size_t n = 0; n <= 48; n++) {
        for (int round = 0; round < 3000; round++) {
            for (size_t i = 0; i < n; i++)
                s[i] = (unsigned char)(0x20 + rnd64() % 0x5F); /* printable ASCII */
            if (round % 3 == 1 && n) {
                /* one odd byte, at every place in turn */
                size_t at = (size_t)round / 3 % n;
                s[at] = odd[rnd64() % sizeof odd];
                if (s[at] == 0xE2 && at + 2 < n) { /* a separator or an en dash */
                    s[at + 1] = 0x80;
                    s[at + 2] = rnd64() % 3 ? (rnd64() % 2 ? 0xA8 : 0xA9) : 0x93;
                }
            } else if (round % 3 == 2) {
                for (size_t i = 0; i < n; i++)
                    if (rnd64() % 8 == 0)
                        s[i] = (unsigned char)rnd64();
            }
            size_t wl = expected_string(s, n, want);
            heed__buf_reset(&b);
            heed__buf_addc(&b, 'x'); /* the string not at the start of the buffer */
            heed_json_string(&b, (const char *)s, n);
            assert_int_equal(b.err, 0);
            assert_int_equal(b.len, wl + 1);
            assert_memory_equal(b.ptr + 1, want, wl);
        }
    }
    heed__buf_release(&b);
}

/* ---------------------------------------------------------------- listening */

/* The listening stages' objects in docs/schema.md's format, one checked
 * append at a time (what heed_json_result wrote before it reserved room). */
static void ref_labels(heed_buf *b, const char *name, uint32_t bits, const char *const *names,
                       int n)
{
    heed__buf_adds(b, "\"");
    heed__buf_adds(b, name);
    heed__buf_adds(b, "\":[");
    int first = 1;
    for (int i = 0; i < n; i++)
        if (bits & (1u << i)) {
            if (!first)
                heed__buf_addc(b, ',');
            first = 0;
            heed_json_string(b, names[i], strlen(names[i]));
        }
    heed__buf_addc(b, ']');
}

static void ref_scores(heed_buf *b, const char *name, const float *v, const char *const *names,
                       int n, float floor)
{
    heed__buf_adds(b, "\"");
    heed__buf_adds(b, name);
    heed__buf_adds(b, "\":{");
    int first = 1;
    for (int i = 0; i < n; i++)
        if (!(v[i] < floor)) {
            if (!first)
                heed__buf_addc(b, ',');
            first = 0;
            heed_json_string(b, names[i], strlen(names[i]));
            heed__buf_addc(b, ':');
            heed_json_number(b, v[i]);
        }
    heed__buf_addc(b, '}');
}

static void ref_cues(heed_buf *b, const heed_result *r, const heed_cue *c, size_t n,
                     const char *const *names, int n_names, const char *key, int weight)
{
    heed__buf_addc(b, '[');
    for (size_t i = 0; i < n; i++) {
        heed__buf_adds(b, i ? ",{\"text\":" : "{\"text\":");
        heed_json_string(b, r->text + c[i].start, c[i].len);
        heed__buf_adds(b, ",\"start\":");
        heed_json_uint(b, c[i].start);
        heed__buf_adds(b, ",\"end\":");
        heed_json_uint(b, (uint64_t)c[i].start + c[i].len);
        if (c[i].component < n_names) {
            heed__buf_adds(b, ",\"");
            heed__buf_adds(b, key);
            heed__buf_adds(b, "\":");
            heed_json_string(b, names[c[i].component], strlen(names[c[i].component]));
        }
        if (c[i].what) {
            heed__buf_adds(b, ",\"what\":");
            heed_json_string(b, c[i].what, strlen(c[i].what));
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

static void ref_listening(heed_buf *b, const heed_result *r)
{
    const heed_language *l = &r->language;
    if (l->code[0]) {
        heed__buf_adds(b, ",\"language\":{\"code\":");
        heed_json_string(b, l->code, strnlen(l->code, sizeof l->code));
        heed__buf_adds(b, ",\"confidence\":");
        heed_json_number(b, l->confidence);
        heed__buf_addc(b, '}');
        if (!l->scored) {
            heed__buf_adds(b, ",\"unscored\":true");
            return;
        }
    }
    const heed_emotions *e = &r->emotions;
    if (e->available) {
        heed__buf_adds(b, ",\"emotions\":{");
        ref_labels(b, "labels", e->labels, heed_json_emo_names, HEED_EMO_COUNT);
        heed__buf_addc(b, ',');
        ref_scores(b, "scores", e->prob, heed_json_emo_names, HEED_EMO_COUNT, 0.05f);
        heed__buf_addc(b, ',');
        ref_labels(b, "cx", e->cx_labels, heed_json_cx_names, HEED_CX_COUNT);
        heed__buf_addc(b, ',');
        ref_scores(b, "cx_scores", e->cx, heed_json_cx_names, HEED_CX_COUNT, 0.0f);
        heed__buf_addc(b, '}');
    }
    const heed_intensity *in = &r->intensity;
    if (in->available) {
        heed__buf_adds(b, ",\"intensity\":{\"valence\":");
        heed_json_number(b, in->valence);
        heed__buf_adds(b, ",\"arousal\":");
        heed_json_number(b, in->arousal);
        heed__buf_adds(b, ",\"distress\":");
        heed_json_number(b, in->distress);
        heed__buf_addc(b, '}');
    }
    const heed_stress *st = &r->stress;
    if (st->available) {
        heed__buf_adds(b, ",\"stress\":{\"score\":");
        heed_json_number(b, round(st->score));
        heed__buf_adds(b, ",\"band\":");
        const char *band = heed_json_stress_band(round(st->score));
        heed_json_string(b, band, strlen(band));
        heed__buf_adds(b, ",\"components\":{");
        for (int i = 0; i < HEED_STRESS_COUNT; i++) {
            if (i)
                heed__buf_addc(b, ',');
            heed_json_string(b, heed_json_stress_names[i], strlen(heed_json_stress_names[i]));
            heed__buf_addc(b, ':');
            heed_json_number(b, round(st->component[i]));
        }
        heed__buf_adds(b, "},\"cues\":");
        ref_cues(b, r, st->cues, st->n_cues, heed_json_stress_names, HEED_STRESS_COUNT,
                 "component", 1);
        heed__buf_addc(b, '}');
    }
    const heed_needs *nd = &r->needs;
    if (!nd->available && !nd->asks_available)
        return;
    heed__buf_adds(b, ",\"needs\":{");
    if (nd->available) {
        heed__buf_adds(b, "\"top\":");
        const char *top =
            nd->top >= 0 && nd->top < HEED_NEED_COUNT ? heed_json_need_names[nd->top] : "other";
        heed_json_string(b, top, strlen(top));
        heed__buf_addc(b, ',');
        ref_labels(b, "labels", nd->labels, heed_json_need_names, HEED_NEED_COUNT);
        heed__buf_addc(b, ',');
        ref_scores(b, "scores", nd->prob, heed_json_need_names, HEED_NEED_COUNT, 0.05f);
        heed__buf_addc(b, ',');
    }
    heed__buf_adds(b, "\"asks\":");
    ref_cues(b, r, nd->asks, nd->n_asks, heed_json_need_names, HEED_NEED_COUNT, "need", 0);
    heed__buf_addc(b, '}');
}

static float rnd_score(void)
{
    /* around the roundings to 0 and to 1 */
    static const float edge[] = {0.99995f, 0.99994994f, 0.99999994f, 0.00005f, 0.00004999f,
                                 0.49995f, 1e-30f};
    switch (rnd64() % 9) {
    case 8:
        return edge[rnd64() % (sizeof edge / sizeof edge[0])];
    case 0:
        return 0.05f; /* at the floor */
    case 1:
        return 0.0f;
    case 2:
        return -1.5f;
    case 3:
        return rnd64() % 4 ? (float)(rnd64() % 100001) / 100000.0f : NAN; /* written as 0 */
    default:
        return (float)(rnd64() % 100001) / 100000.0f;
    }
}

/* A score written as a whole number: mostly 0 to 100 in hundredths, some
 * halves, and now and then negative, past 999, -0 or NaN. */
static double rnd_whole(void)
{
    static const double odd[] = {-0.0, -0.5, -1.5, 998.5, 998.4999, 999.0, 999.5, 1e6 + 0.5,
                                 NAN,  0.5,  2.5,  0.49999999999999994};
    switch (rnd64() % 6) {
    case 0:
        return odd[rnd64() % (sizeof odd / sizeof odd[0])];
    case 1:
        return (double)(rnd64() % 2001) / 2.0;
    default:
        return (double)(rnd64() % 10001) / 100.0;
    }
}

/* A score near 0, for components that are all written as 0 (the writer's
 * literal for them) or all but one. */
static double rnd_small_whole(void)
{
    static const double odd[] = {0.0, -0.0, 0.49999999999999994, 0.5, 0.25, -0.0001, NAN, 1e-300};
    return rnd64() % 8 ? 0.0 : odd[rnd64() % (sizeof odd / sizeof odd[0])];
}

static void rnd_cues(heed_cue *c, size_t n, size_t text_len, int n_comp)
{
    static const char *const whats[] = {"deadline", "repeat contact", "a \"quoted\" what", NULL};
    for (size_t i = 0; i < n; i++) {
        /* short spans, and a few past the 4 KB of the unchecked writers */
        uint32_t len = rnd64() % 5 == 0 ? 4000 + (uint32_t)(rnd64() % 300)
                                        : (uint32_t)(rnd64() % 60);
        if (len > text_len)
            len = (uint32_t)text_len;
        c[i].start = (uint32_t)(rnd64() % (text_len - len + 1));
        c[i].len = len;
        c[i].component = (uint16_t)(rnd64() % (uint64_t)(n_comp + 2)); /* some out of range */
        c[i].flags = rnd64() % 3 == 0 ? HEED_CUE_SUPPRESSED : 0;
        c[i].weight = (float)(rnd64() % 2000) / 7.0f;
        c[i].what = whats[rnd64() % 4];
    }
}

/* heed_json_result (its listening part, after a fixed head) against the
 * reference writer on random results: stages on and off, scores at and
 * around the floors, label bits past the names, cue texts with escapes and
 * separators, short and over 4 KB; into a fresh buffer and one with a
 * maximum size (which must fail cleanly, never write past its room). */
static void test_listening_matches_reference(void **state)
{
    (void)state;
    static const char *const parts[] = {"abc ", "\xC3\xA9", "\xE2\x80\xA8", "\"", "\\", "\n",
                                        "refund please", "\x01", "!"};
    enum { TEXT = 9000 };
    static char text[TEXT + 16];
    size_t tl = 0;
    while (tl < TEXT) {
        const char *p = parts[rnd64() % (sizeof parts / sizeof parts[0])];
        memcpy(text + tl, p, strlen(p));
        tl += strlen(p);
    }
    static heed_cue stress_cues[12], asks[12];
    heed_buf got, want;
    heed__buf_init(&got, 0);
    heed__buf_init(&want, 0);
    for (int round = 0; round < 3000; round++) {
        heed_result r;
        memset(&r, 0, sizeof r);
        r.text = text;
        r.text_len = tl;
        const int stages = (int)(rnd64() % 64);
        if (stages & 1) {
            /* "en" (written from a literal) and codes that start like it */
            static const char *const codes[] = {"en", "en", "und", "es", "e", "enx", "ne"};
            const char *code = codes[rnd64() % (sizeof codes / sizeof codes[0])];
            memcpy(r.language.code, code, strlen(code) + 1);
            r.language.confidence = rnd_score();
            r.language.scored = rnd64() % 5 != 0;
        }
        if (stages & 2) {
            r.emotions.available = 1;
            r.emotions.labels = (uint32_t)rnd64();
            r.emotions.cx_labels = (uint32_t)rnd64();
            for (int i = 0; i < HEED_EMO_COUNT; i++)
                r.emotions.prob[i] = rnd_score();
            for (int i = 0; i < HEED_CX_COUNT; i++)
                r.emotions.cx[i] = rnd_score();
        }
        if (stages & 4) {
            r.intensity.available = 1;
            r.intensity.valence = rnd_score() * 5;
            r.intensity.arousal = rnd_score() * 5;
            r.intensity.distress = rnd_score() * 7;
        }
        if (stages & 8) {
            r.stress.available = 1;
            r.stress.score = (double)(rnd64() % 10001) / 100.0;
            const int small = rnd64() % 3 == 0;
            for (int i = 0; i < HEED_STRESS_COUNT; i++)
                r.stress.component[i] = small ? rnd_small_whole() : rnd_whole();
            r.stress.n_cues = rnd64() % 13;
            rnd_cues(stress_cues, r.stress.n_cues, tl, HEED_STRESS_COUNT);
            r.stress.cues = stress_cues;
        }
        if (stages & 16) {
            r.needs.available = 1;
            r.needs.top = (int)(rnd64() % (HEED_NEED_COUNT + 2)) - 1;
            r.needs.labels = (uint32_t)rnd64();
            for (int i = 0; i < HEED_NEED_COUNT; i++)
                r.needs.prob[i] = rnd_score();
        }
        if (stages & 32) {
            r.needs.asks_available = 1;
            r.needs.n_asks = rnd64() % 13;
            rnd_cues(asks, r.needs.n_asks, tl, HEED_NEED_COUNT);
            r.needs.asks = asks;
        }
        heed__buf_reset(&got);
        heed__buf_reset(&want);
        heed_json_result(&got, &r, NULL);
        /* the head before the listening objects is the same code either way */
        const char *head_end = strstr(got.ptr, "\"evidence\":[]");
        assert_non_null(head_end);
        heed__buf_add(&want, got.ptr, (size_t)(head_end - got.ptr) + strlen("\"evidence\":[]"));
        ref_listening(&want, &r);
        assert_int_equal(got.err, 0);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.ptr, want.ptr, want.len);
        /* with too little room: an error, and nothing past the maximum */
        heed_buf small;
        heed__buf_init(&small, 1 + rnd64() % (got.len + 1));
        heed_json_result(&small, &r, NULL);
        assert_true(small.len <= small.max);
        if (got.len >= small.max)
            assert_int_not_equal(small.err, 0);
        heed__buf_release(&small);
    }
    heed__buf_release(&got);
    heed__buf_release(&want);
}

/* The evidence array against a plain writer: random spans, scores and rule
 * bits (every bit, those no rule has among them), with and without a cue. */
static void test_evidence_matches_reference(void **state)
{
    (void)state;
    static const char *const rule_names[32] = {
#define HEED_X_(name, bit, str) [bit] = str,
        HEED_RULE_MAP(HEED_X_)
#undef HEED_X_
    };
    static const char text[] = "Thanks, the \"refund\" was SO fast!!\n\xE2\x80\xA8 not great";
    const uint32_t tl = (uint32_t)(sizeof text - 1);
    heed_token toks[4];
    memset(toks, 0, sizeof toks);
    for (int i = 0; i < 4; i++) {
        toks[i].start = (uint32_t)(i * 9);
        toks[i].len = (uint32_t)(3 + i);
    }
    heed_evidence ev[6];
    heed_buf got, want;
    heed__buf_init(&got, 0);
    heed__buf_init(&want, 0);
    for (int round = 0; round < 20000; round++) {
        heed_result r;
        memset(&r, 0, sizeof r);
        r.text = text;
        r.text_len = tl;
        r.tokens = toks;
        r.n_tokens = 4;
        r.evidence = ev;
        r.n_evidence = rnd64() % 7;
        for (size_t i = 0; i < r.n_evidence; i++) {
            ev[i].len = (uint32_t)(rnd64() % 12);
            ev[i].start = (uint32_t)(rnd64() % (tl - ev[i].len + 1));
            ev[i].sentence = (uint32_t)(rnd64() % 3000);
            ev[i].base = (float)((double)(int64_t)rnd64() / 9223372036854775808.0 * 4);
            ev[i].score = (float)((double)(int64_t)rnd64() / 9223372036854775808.0 * 5);
            ev[i].rules = rnd64() % 4 == 0 ? 0 : (uint32_t)(rnd64() >> (rnd64() % 32));
            ev[i].cue = rnd64() % 3 == 0 ? UINT32_MAX : (uint32_t)(rnd64() % 6);
        }
        heed__buf_reset(&got);
        heed__buf_reset(&want);
        heed_json_result(&got, &r, NULL);
        assert_int_equal(got.err, 0);
        const char *at = strstr(got.ptr, "\"evidence\":[");
        assert_non_null(at);
        heed__buf_add(&want, got.ptr, (size_t)(at - got.ptr));
        heed__buf_adds(&want, "\"evidence\":[");
        for (size_t i = 0; i < r.n_evidence; i++) {
            const heed_evidence *e = &ev[i];
            heed__buf_adds(&want, i ? ",{\"text\":" : "{\"text\":");
            heed_json_string(&want, text + e->start, e->len);
            heed__buf_adds(&want, ",\"start\":");
            heed_json_uint(&want, e->start);
            heed__buf_adds(&want, ",\"end\":");
            heed_json_uint(&want, (uint64_t)e->start + e->len);
            heed__buf_adds(&want, ",\"sentence\":");
            heed_json_uint(&want, e->sentence);
            heed__buf_adds(&want, ",\"base\":");
            heed_json_number(&want, e->base);
            heed__buf_adds(&want, ",\"score\":");
            heed_json_number(&want, e->score);
            heed__buf_adds(&want, ",\"rules\":[");
            int first = 1;
            for (int bit = 0; bit < 32; bit++) {
                if (!(e->rules >> bit & 1) || !rule_names[bit])
                    continue;
                if (!first)
                    heed__buf_addc(&want, ',');
                first = 0;
                heed_json_string(&want, rule_names[bit], strlen(rule_names[bit]));
            }
            heed__buf_addc(&want, ']');
            if (e->cue < r.n_tokens) {
                heed__buf_adds(&want, ",\"cue\":");
                heed_json_string(&want, text + toks[e->cue].start, toks[e->cue].len);
            }
            heed__buf_addc(&want, '}');
        }
        heed__buf_addc(&want, ']');
        assert_true(got.len >= want.len);
        assert_memory_equal(got.ptr, want.ptr, want.len);
    }
    heed__buf_release(&got);
    heed__buf_release(&want);
}

static void round_is_libm(double v)
{
    const double got = heed_json_round(v), want = round(v);
    if (isnan(want) ? !isnan(got) : memcmp(&got, &want, sizeof got) != 0)
        fail_msg("heed_json_round(%.17g) = %.17g, round gives %.17g", v, got, want);
}

/* heed_json_round against round(), to the bit (the sign of zero too): halves,
 * their neighbours, every magnitude, the limits of the integer conversion,
 * NaN and the infinities. */
static void test_round_matches_libm(void **state)
{
    (void)state;
    static const double special[] = {0.0,
                                     -0.0,
                                     0.49999999999999994,
                                     -0.49999999999999994,
                                     0.5,
                                     -0.5,
                                     1.5,
                                     -2.5,
                                     1e300,
                                     -1e300,
                                     4503599627370495.5,
                                     4503599627370496.0,
                                     9007199254740993.0,
                                     DBL_MIN,
                                     -DBL_MIN,
                                     INFINITY,
                                     -INFINITY,
                                     NAN};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        round_is_libm(special[i]);
    for (int k = -2000; k <= 2000; k++) {
        const double h = k + 0.5;
        round_is_libm(h);
        round_is_libm(nextafter(h, INFINITY));
        round_is_libm(nextafter(h, -INFINITY));
        round_is_libm(k);
        round_is_libm(k * 0.01);
    }
    uint64_t s = 99;
    for (int i = 0; i < 300000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t bits = s;
        double v;
        if (i % 2) { /* any double, most of them huge or tiny */
            memcpy(&v, &bits, sizeof v);
        } else { /* scores: 0..100 and a little past either end */
            v = (double)(s >> 11) / 9007199254740992.0 * 120.0 - 10.0;
        }
        round_is_libm(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_matches_printf),
        cmocka_unit_test(test_round_matches_libm),
        cmocka_unit_test(test_number_at_the_limit),
        cmocka_unit_test(test_number_matches_old_writer),
        cmocka_unit_test(test_uint_matches_printf),
        cmocka_unit_test(test_string_pieces),
        cmocka_unit_test(test_string_short),
        cmocka_unit_test(test_listening_matches_reference),
        cmocka_unit_test(test_evidence_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
