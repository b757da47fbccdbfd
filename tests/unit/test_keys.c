/* test_keys.c - identity-key normalisers and the keyed hash (src/journey/keys.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "keys.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned char KEY_A[HEED_KEY_BYTES] = "0123456789abcdef0123456789abcde";
static const unsigned char KEY_B[HEED_KEY_BYTES] = "another secret key of 32 bytes.";

static heed_hasher *hasher(const unsigned char *key)
{
    heed_hasher *h = NULL;
    assert_int_equal(heed_hasher_new(key, HEED_KEY_BYTES, &h, NULL), HEED_OK);
    return h;
}

static void test_email(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } good[] = {
        {"jane@example.com", "jane@example.com"},
        {"  Jane.Doe+Orders@Mail.Example.CO.UK \n", "jane.doe+orders@mail.example.co.uk"},
        {"j.o.h.n@gmail.com", "j.o.h.n@gmail.com"}, /* dots kept (keys.h) */
        {"a_b-c@sub-1.example.org", "a_b-c@sub-1.example.org"},
        {"x@shop.xn--p1ai", "x@shop.xn--p1ai"},
        {"o'brien@example.ie", "o'brien@example.ie"},
    };
    for (size_t i = 0; i < N(good); i++) {
        char out[HEED_KEY_NORM_MAX];
        heed_error e;
        int rc = heed_key_email(good[i].in, strlen(good[i].in), out, &e);
        if (rc != HEED_OK)
            fail_msg("rejected '%s': %s", good[i].in, e.msg);
        assert_string_equal(out, good[i].want);
    }
    static const char *const bad[] = {
        "",          "   ",          "jane",           "jane@",       "@example.com",
        "jane@com",  "jane@x.c",     "ja..ne@x.com",   ".jane@x.com", "jane.@x.com",
        "jane@-x.com", "jane@x-.com", "jane@x..com",   "jane@x.123",  "jane doe@x.com",
        "jané@x.com", "jane@exämple.com", "a@b@c.com", "jane@x.com.", "\"j\"@x.com",
    };
    for (size_t i = 0; i < N(bad); i++) {
        char out[HEED_KEY_NORM_MAX] = "junk";
        heed_error e = {0};
        if (heed_key_email(bad[i], strlen(bad[i]), out, &e) != HEED_EINVAL)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(e.code, HEED_EINVAL);
        assert_string_equal(out, "");
        /* the message never quotes the input */
        if (strlen(bad[i]) > 3)
            assert_null(strstr(e.msg, bad[i]));
    }
    char lp[80], out[HEED_KEY_NORM_MAX];
    memset(lp, 'a', 65);
    strcpy(lp + 65, "@x.com");
    assert_int_equal(heed_key_email(lp, strlen(lp), out, NULL), HEED_EINVAL);
    assert_int_equal(heed_key_email(NULL, 0, out, NULL), HEED_EINVAL);
}

static void test_phone(void **state)
{
    (void)state;
    static const struct {
        const char *in, *cc, *want;
    } good[] = {
        {"+441632960123", NULL, "+441632960123"},
        {"+44 1632 960123", NULL, "+441632960123"},
        {"+44 (0)1632 960123", NULL, "+441632960123"},
        {"+44(0)1632-960-123", NULL, "+441632960123"},
        {"0044 1632 960123", NULL, "+441632960123"},
        {"0044 (0)1632 960 123", "44", "+441632960123"},
        {"01632 960123", "44", "+441632960123"},
        {" 01632.960.123 ", "44", "+441632960123"},
        {"(01632) 960123", "44", "+441632960123"},
        {"(555) 010-0199", "1", "+15550100199"},
        {"555.010.0199", "1", "+15550100199"},
        {"1-555-010-0199", "1", "+15550100199"},
        {"+1 555 010 0199", "44", "+15550100199"},
        {"011 44 1632 960123", "1", "+441632960123"},
        {"06 12 34 56 78", "33", "+33612345678"},
        {"06 1234 5678", "39", "+390612345678"},
        {"612 345 678", "34", "+34612345678"},
        {"+290 1234", NULL, "+2901234"},
    };
    for (size_t i = 0; i < N(good); i++) {
        char out[HEED_KEY_NORM_MAX];
        heed_error e;
        int rc = heed_key_phone(good[i].in, strlen(good[i].in), good[i].cc, out, &e);
        if (rc != HEED_OK)
            fail_msg("rejected '%s' (cc %s): %s", good[i].in, good[i].cc ? good[i].cc : "-",
                     e.msg);
        assert_string_equal(out, good[i].want);
    }
    static const struct {
        const char *in, *cc;
    } bad[] = {
        {"", "44"},
        {"555-0142", "1"},          /* local number, no area code */
        {"555-0142", "44"},
        {"1632 960123", "44"},      /* national without its trunk 0 */
        {"01632 960123", NULL},     /* national, no default country */
        {"+0044 1632 960123", NULL},
        {"+1234567890123456", NULL}, /* 16 digits: E.164 allows 15 */
        {"00 1234567890123456", NULL},
        {"+44 123", NULL},
        {"12345", "44"},
        {"call me", "44"},
        {"0800-FLOWERS", "1"},
        {"+44 1632 960123 ext 5", NULL},
        {"(555 010-0199", "1"},
        {"555) 010-0199", "1"},
        {"555--010-0199", "1"},
        {"555-010-0199-", "1"},
        {"0000000000", "44"},
        {"01632 960123", "4a"},
        {"01632 960123", "0"},
        {"155 010 0199", "1"},      /* area code starting 1 */
        {"0612345678", "34"},       /* Spain has no trunk 0 */
        {"2026-09-01", "44"},
    };
    for (size_t i = 0; i < N(bad); i++) {
        char out[HEED_KEY_NORM_MAX];
        if (heed_key_phone(bad[i].in, strlen(bad[i].in), bad[i].cc, out, NULL) == HEED_OK)
            fail_msg("accepted '%s' (cc %s) as %s", bad[i].in, bad[i].cc ? bad[i].cc : "-", out);
        assert_string_equal(out, "");
    }
}

static void test_handle(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } good[] = {
        {"@Jane_Doe", "@jane_doe"},
        {" Twitter:@JaneDoe ", "twitter:@janedoe"},
        {"instagram:jane.doe", "instagram:@jane.doe"},
        {"janedoe", "@janedoe"},
        {"x:@J", "x:@j"},
    };
    for (size_t i = 0; i < N(good); i++) {
        char out[HEED_KEY_NORM_MAX];
        assert_int_equal(heed_key_handle(good[i].in, strlen(good[i].in), out, NULL), HEED_OK);
        assert_string_equal(out, good[i].want);
    }
    static const char *const bad[] = {"", "@", "@jane doe", ":@jane", "tw itter:@x", "@jané",
                                      "@@jane", "twitter:", "a:b:c"};
    for (size_t i = 0; i < N(bad); i++) {
        char out[HEED_KEY_NORM_MAX];
        if (heed_key_handle(bad[i], strlen(bad[i]), out, NULL) == HEED_OK)
            fail_msg("accepted '%s' as %s", bad[i], out);
        assert_string_equal(out, "");
    }
}

static int is_hex(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

static void test_hash(void **state)
{
    (void)state;
    heed_hasher *a = hasher(KEY_A), *a2 = hasher(KEY_A), *b = hasher(KEY_B);
    char t1[HEED_KEY_HEX + 1], t2[HEED_KEY_HEX + 1], t3[HEED_KEY_HEX + 1];

    assert_int_equal(heed_key_hash(a, HEED_KIND_EMAIL, "jane@example.com", t1), HEED_OK);
    assert_int_equal(strlen(t1), HEED_KEY_HEX);
    assert_true(is_hex(t1));
    /* stable: same key, kind and value, also through another hasher */
    assert_int_equal(heed_key_hash(a2, HEED_KIND_EMAIL, "jane@example.com", t2), HEED_OK);
    assert_string_equal(t1, t2);
    /* another key: another token */
    assert_int_equal(heed_key_hash(b, HEED_KIND_EMAIL, "jane@example.com", t3), HEED_OK);
    assert_string_not_equal(t1, t3);
    /* kind is hashed: the same bytes as another kind differ */
    assert_int_equal(heed_key_hash(a, HEED_KIND_PHONE, "jane@example.com", t3), HEED_OK);
    assert_string_not_equal(t1, t3);
    /* kind and value do not run together: "email"+"x" vs "emailx"+"" */
    assert_int_equal(heed_key_hash(a, "email", "x", t2), HEED_OK);
    assert_int_equal(heed_key_hash(a, "emailx", "", t3), HEED_OK);
    assert_string_not_equal(t2, t3);

    /* normalised forms of one contact give one token */
    static const char *const emails[] = {"Jane@Example.com", " jane@EXAMPLE.COM", "jane@example.com"};
    for (size_t i = 0; i < N(emails); i++) {
        char n[HEED_KEY_NORM_MAX];
        assert_int_equal(heed_key_email(emails[i], strlen(emails[i]), n, NULL), HEED_OK);
        assert_int_equal(heed_key_hash(a, HEED_KIND_EMAIL, n, t2), HEED_OK);
        assert_string_equal(t1, t2);
    }
    static const char *const phones[] = {"+44 1632 960123", "01632 960123", "0044 (0)1632-960-123"};
    for (size_t i = 0; i < N(phones); i++) {
        char n[HEED_KEY_NORM_MAX];
        assert_int_equal(heed_key_phone(phones[i], strlen(phones[i]), "44", n, NULL), HEED_OK);
        assert_int_equal(heed_key_hash(a, HEED_KIND_PHONE, n, t2), HEED_OK);
        if (i == 0)
            strcpy(t3, t2);
        assert_string_equal(t3, t2);
    }
    /* the _n form agrees with the NUL-terminated one */
    assert_int_equal(heed__key_hash_n(a, "email", "jane@example.comXXX", 16, t2), HEED_OK);
    assert_string_equal(t1, t2);

    assert_int_equal(heed_key_hash(NULL, "email", "x", t2), HEED_EINVAL);
    assert_string_equal(t2, "");
    assert_int_equal(heed_key_hash(a, NULL, "x", t2), HEED_EINVAL);
    assert_int_equal(heed_key_hash(a, "email", NULL, t2), HEED_EINVAL);
    assert_int_equal(heed_key_hash(a, "email", "x", NULL), HEED_EINVAL);
    heed_hasher_free(a);
    heed_hasher_free(a2);
    heed_hasher_free(b);
}

static void test_hasher_lifecycle(void **state)
{
    (void)state;
    heed_hasher *h = (heed_hasher *)1;
    heed_error e;
    assert_int_equal(heed_hasher_new(KEY_A, 16, &h, &e), HEED_EINVAL);
    assert_null(h);
    assert_int_equal(heed_hasher_new(NULL, HEED_KEY_BYTES, &h, &e), HEED_EINVAL);
    assert_int_equal(heed_hasher_new(KEY_A, HEED_KEY_BYTES, NULL, &e), HEED_EINVAL);
    heed__alloc_fail_after(0);
    assert_int_equal(heed_hasher_new(KEY_A, HEED_KEY_BYTES, &h, &e), HEED_ENOMEM);
    heed__alloc_fail_after(-1);
    assert_int_equal(e.code, HEED_ENOMEM);
    assert_null(h);
    heed_hasher_free(NULL);

    unsigned char k1[HEED_KEY_BYTES], k2[HEED_KEY_BYTES];
    assert_int_equal(heed_key_generate(k1), HEED_OK);
    assert_int_equal(heed_key_generate(k2), HEED_OK);
    assert_memory_not_equal(k1, k2, HEED_KEY_BYTES);
    assert_int_equal(heed_key_generate(NULL), HEED_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_handle),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_hasher_lifecycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
