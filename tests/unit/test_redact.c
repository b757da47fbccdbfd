/* test_redact.c - PII redaction (src/journey/redact.c): what is found, what must
 * be left alone, the tokens and their stability, and that no raw value is left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "redact.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned char KEY_A[HEED_KEY_BYTES] = "0123456789abcdef0123456789abcde";
static const unsigned char KEY_B[HEED_KEY_BYTES] = "another secret key of 32 bytes.";

static heed_hasher *H;

static int setup(void **state)
{
    (void)state;
    return heed_hasher_new(KEY_A, HEED_KEY_BYTES, &H, NULL);
}

static int teardown(void **state)
{
    (void)state;
    heed_hasher_free(H);
    return 0;
}

static heed_redaction run(const heed_hasher *h, const char *text, unsigned kinds, const char *cc)
{
    heed_redact_opts o = {0};
    o.kinds = kinds;
    o.default_cc = cc;
    heed_redaction r;
    heed_error e;
    int rc = heed_redact(h, text, strlen(text), &o, &r, &e);
    if (rc != HEED_OK)
        fail_msg("heed_redact failed: %s", e.msg);
    return r;
}

static void test_finds(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int kind;
        const char *found; /* the span's text */
    } cases[] = {
        /* e-mail */
        {"Mail me at Jane.Doe+orders@Mail.Example.co.uk please", HEED_PII_EMAIL,
         "Jane.Doe+orders@Mail.Example.co.uk"},
        {"(jane@example.com).", HEED_PII_EMAIL, "jane@example.com"},
        {"jane@support.eu.example.com", HEED_PII_EMAIL, "jane@support.eu.example.com"},
        {"https://track.example.com/p?email=jane@example.com&x=1", HEED_PII_EMAIL,
         "jane@example.com"},
        {"<a.b-c_d@x-y.org>", HEED_PII_EMAIL, "a.b-c_d@x-y.org"},
        /* phone */
        {"Call +44 1632 960123 today", HEED_PII_PHONE, "+44 1632 960123"},
        {"ring 0044 1632 960123", HEED_PII_PHONE, "0044 1632 960123"},
        {"+44 (0)20 7946 0958 is the office", HEED_PII_PHONE, "+44 (0)20 7946 0958"},
        {"my number is (555) 010-0199.", HEED_PII_PHONE, "(555) 010-0199"},
        {"or 555.010.0199", HEED_PII_PHONE, "555.010.0199"},
        {"1-555-010-0199 anytime", HEED_PII_PHONE, "1-555-010-0199"},
        {"call 555-0142 after 5", HEED_PII_PHONE, "555-0142"},
        {"07700 900123 is my mobile", HEED_PII_PHONE, "07700 900123"},
        {"tel: 020 7946 0958", HEED_PII_PHONE, "020 7946 0958"},
        {"tel:+447700900123", HEED_PII_PHONE, "+447700900123"},
        {"07700900123", HEED_PII_PHONE, "07700900123"},
        {"call me on 7700900123 pls", HEED_PII_PHONE, "7700900123"},
        {"phone 020 7946 0958 2 times", HEED_PII_PHONE, "020 7946 0958"},
        {"06 12 34 56 78", HEED_PII_PHONE, "06 12 34 56 78"},
        /* card */
        {"card 4111 1111 1111 1111 expired", HEED_PII_CARD, "4111 1111 1111 1111"},
        {"4111-1111-1111-1111", HEED_PII_CARD, "4111-1111-1111-1111"},
        {"it's 4111111111111111.", HEED_PII_CARD, "4111111111111111"},
        {"amex 3782 822463 10005", HEED_PII_CARD, "3782 822463 10005"},
        {"5500 0000 0000 0004 exp 2026", HEED_PII_CARD, "5500 0000 0000 0004"},
        /* IBAN */
        {"IBAN GB82 WEST 1234 5698 7654 32.", HEED_PII_IBAN, "GB82 WEST 1234 5698 7654 32"},
        {"GB82WEST12345698765432", HEED_PII_IBAN, "GB82WEST12345698765432"},
        {"to DE89 3704 0044 0532 0130 00 please", HEED_PII_IBAN, "DE89 3704 0044 0532 0130 00"},
        {"gb82 west 1234 5698 7654 32", HEED_PII_IBAN, "gb82 west 1234 5698 7654 32"},
        /* address */
        {"I live at 221B Baker Street, London NW1 6XE.", HEED_PII_ADDRESS,
         "221B Baker Street, London NW1 6XE"},
        {"send it to 12 Elm Rd please", HEED_PII_ADDRESS, "12 Elm Rd"},
        {"123 Main St, Springfield, IL 62704", HEED_PII_ADDRESS, "123 Main St, Springfield, IL 62704"},
        /* two capitals that are no state, the last code of the list, an
         * unknown one after it (once read past the end of the list) */
        {"123 Main St, Springfield, SL 62704", HEED_PII_ADDRESS, "123 Main St"},
        {"123 Main St, San Juan, PR 00901", HEED_PII_ADDRESS, "123 Main St, San Juan, PR 00901"},
        {"123 Main St, Springfield, ZZ 62704", HEED_PII_ADDRESS, "123 Main St"},
        {"at 10 Downing Street.", HEED_PII_ADDRESS, "10 Downing Street"},
        {"7 St John's Wood Road, London", HEED_PII_ADDRESS, "7 St John's Wood Road"},
        {"12 Elm Rd SW1A 1AA", HEED_PII_ADDRESS, "12 Elm Rd SW1A 1AA"},
    };
    for (size_t i = 0; i < N(cases); i++) {
        heed_redaction r = run(H, cases[i].text, 0, "44");
        if (r.n_findings != 1)
            fail_msg("case %zu '%s': %zu findings", i, cases[i].text, r.n_findings);
        const heed_finding *f = &r.findings[0];
        if (f->kind != cases[i].kind || f->len != strlen(cases[i].found) ||
            memcmp(cases[i].text + f->start, cases[i].found, f->len))
            fail_msg("case %zu: found %s '%.*s'", i, heed_pii_kind_name(f->kind), (int)f->len,
                     cases[i].text + f->start);
        char want[512];
        snprintf(want, sizeof want, "%.*s[%s:%s]%s", (int)f->start, cases[i].text,
                 heed_pii_kind_name(f->kind), f->hash, cases[i].text + f->start + f->len);
        assert_string_equal(r.text, want);
        assert_int_equal(r.len, strlen(want));
        assert_int_equal(strlen(f->hash), HEED_KEY_HEX);
        heed_redaction_release(&r);
    }
}

static void test_leaves_alone(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "order #48213 is late",
        "ref NW48213X",
        "it was €49.99, then $1,200, then 1.200.000 € and 1 200 000 EUR",
        "on 2026-09-01, 01/09/2026 or 01.09.2026",
        "at 10:30, 10:30-11:45, 2026-09-01 10:30, 2026-09-01T10:30:00Z",
        "https://track.example.com/parcel/123456789012?ref=98765432&tel=07700900123",
        "www.example.com/track/4111111111111111",
        "https://shop.example.com/t?4111111111111111 or WWW.example.com/x?4111111111111111",
        "version 10.0.19041.1234, v2.3.14, 1.2.3",
        "zip 12345 and 54321",
        "order 12345678 and order number 07700900123",
        "Ticket 555-0142",
        "4111 1111 1111 1112",
        "GB82 WEST 1234 5698 7654 33",
        "GB82 WEST 1234 5698 7654",
        "3 days, 2 new chargers, 5 Main problems, 2 Dr Who episodes",
        "host 192.168.100.200 is down",
        "from 2019-2024",
        "scores 10 20 30 40 50",
        "1234567 and 123456789",
        "ask @support or #fail",
        "logo@2x.png and jane@localhost",
        "12:30:45",
        "call between 9-5",
        "ISBN 978-3-16-148410-0",
    };
    for (size_t i = 0; i < N(texts); i++) {
        heed_redaction r = run(H, texts[i], 0, "44");
        if (r.n_findings)
            fail_msg("'%s': redacted %s '%.*s'", texts[i], heed_pii_kind_name(r.findings[0].kind),
                     (int)r.findings[0].len, texts[i] + r.findings[0].start);
        assert_string_equal(r.text, texts[i]);
        heed_redaction_release(&r);
    }
}

static void token_of(const heed_hasher *h, const char *text, const char *cc, char *tok)
{
    heed_redaction r = run(h, text, 0, cc);
    assert_int_equal(r.n_findings, 1);
    strcpy(tok, r.findings[0].hash);
    heed_redaction_release(&r);
}

static void test_tokens_stable(void **state)
{
    (void)state;
    char a[HEED_KEY_HEX + 1], b[HEED_KEY_HEX + 1], k[HEED_KEY_HEX + 1];
    /* e-mail: case does not matter; the token is the identity key */
    token_of(H, "from Jane@Example.COM", NULL, a);
    token_of(H, "jane@example.com wrote", NULL, b);
    assert_string_equal(a, b);
    assert_int_equal(heed_key_hash(H, HEED_KIND_EMAIL, "jane@example.com", k), HEED_OK);
    assert_string_equal(a, k);
    /* phone: any written form of one number */
    static const char *const phones[] = {"call +44 1632 960123", "call 01632 960123",
                                         "call 0044 (0)1632-960-123", "call +441632960123"};
    assert_int_equal(heed_key_hash(H, HEED_KIND_PHONE, "+441632960123", k), HEED_OK);
    for (size_t i = 0; i < N(phones); i++) {
        token_of(H, phones[i], "44", a);
        if (strcmp(a, k))
            fail_msg("'%s' gave another token", phones[i]);
    }
    heed_redaction r = run(H, "call 01632 960123", 0, "44");
    assert_int_equal(r.findings[0].is_normalised, 1);
    heed_redaction_release(&r);
    /* without a default country a national number is redacted but not linkable */
    r = run(H, "call 01632 960123", 0, NULL);
    assert_int_equal(r.n_findings, 1);
    assert_int_equal(r.findings[0].is_normalised, 0);
    assert_string_not_equal(r.findings[0].hash, k);
    heed_redaction_release(&r);
    /* cards and IBANs: spacing does not matter */
    token_of(H, "4111 1111 1111 1111", NULL, a);
    token_of(H, "4111-1111-1111-1111", NULL, b);
    assert_string_equal(a, b);
    assert_int_equal(heed_key_hash(H, "card", "4111111111111111", k), HEED_OK);
    assert_string_equal(a, k);
    token_of(H, "GB82 WEST 1234 5698 7654 32", NULL, a);
    token_of(H, "gb82west12345698765432", NULL, b);
    assert_string_equal(a, b);
    token_of(H, "12 Elm Rd", NULL, a);
    token_of(H, "at 12 ELM RD.", NULL, b);
    assert_string_equal(a, b);
    /* another key: other tokens */
    heed_hasher *h2 = NULL;
    assert_int_equal(heed_hasher_new(KEY_B, HEED_KEY_BYTES, &h2, NULL), HEED_OK);
    token_of(H, "jane@example.com", NULL, a);
    token_of(h2, "jane@example.com", NULL, b);
    assert_string_not_equal(a, b);
    heed_hasher_free(h2);
}

static void test_no_raw_pii(void **state)
{
    (void)state;
    const char *text =
        "Hi, I'm Jane (Jane.Doe@example.co.uk, +44 7700 900123 or 07700 900456). My card "
        "4111 1111 1111 1111 was charged twice; refund to GB82 WEST 1234 5698 7654 32 or "
        "DE89370400440532013000. I moved to 221B Baker Street, London NW1 6XE last week; "
        "the US office is 123 Main St, Springfield, IL 62704. Or call (555) 010-0199.";
    heed_redaction r = run(H, text, 0, "44");
    assert_int_equal(r.n_findings, 9);
    size_t prev_end = 0;
    for (size_t i = 0; i < r.n_findings; i++) {
        const heed_finding *f = &r.findings[i];
        assert_true(f->start >= prev_end); /* in order, no overlap */
        prev_end = f->start + f->len;
        char raw[128];
        snprintf(raw, sizeof raw, "%.*s", (int)f->len, text + f->start);
        assert_null(strstr(r.text, raw));
    }
    /* outside the tokens, not one digit of the original survives */
    const char *p = r.text;
    while (*p) {
        if (*p == '[') {
            const char *q = strchr(p, ']');
            assert_non_null(q);
            p = q + 1;
            continue;
        }
        if (*p >= '0' && *p <= '9')
            fail_msg("digit left at '%.20s'", p);
        p++;
    }
    static const char *const words[] = {"Jane.Doe", "Baker", "Springfield", "WEST", "NW1"};
    for (size_t i = 0; i < N(words); i++)
        assert_null(strstr(r.text, words[i]));
    heed_redaction_release(&r);
}

static void test_kinds_filter(void **state)
{
    (void)state;
    const char *text = "jane@example.com +44 1632 960123 4111 1111 1111 1111";
    heed_redaction r = run(H, text, HEED_REDACT_EMAIL, NULL);
    assert_int_equal(r.n_findings, 1);
    assert_int_equal(r.findings[0].kind, HEED_PII_EMAIL);
    assert_non_null(strstr(r.text, "+44 1632 960123 4111 1111 1111 1111"));
    heed_redaction_release(&r);
    r = run(H, text, HEED_REDACT_CARD | HEED_REDACT_PHONE, NULL);
    assert_int_equal(r.n_findings, 2);
    assert_int_equal(r.findings[0].kind, HEED_PII_PHONE);
    assert_int_equal(r.findings[1].kind, HEED_PII_CARD);
    assert_int_equal(strncmp(r.text, "jane@example.com [phone:", 24), 0);
    heed_redaction_release(&r);
    /* a disabled kind still shields its span: no phone is cut out of a card */
    r = run(H, "4111 1111 1111 1111", HEED_REDACT_PHONE, NULL);
    assert_int_equal(r.n_findings, 0);
    heed_redaction_release(&r);
}

static void test_idempotent(void **state)
{
    (void)state;
    const char *text = "mail jane@example.com, call +44 1632 960123, card 4111 1111 1111 1111";
    heed_redaction r = run(H, text, 0, NULL);
    assert_int_equal(r.n_findings, 3);
    heed_redaction r2 = run(H, r.text, 0, NULL);
    assert_int_equal(r2.n_findings, 0);
    assert_string_equal(r2.text, r.text);
    heed_redaction_release(&r2);
    heed_redaction_release(&r);
    /* an all-digit hash inside a token is not read as a number */
    r = run(H, "[card:4111111111111111] [phone:0770090012312345], was [card:4111111111111111]",
            0, NULL);
    assert_int_equal(r.n_findings, 0);
    heed_redaction_release(&r);
}

static void test_edges(void **state)
{
    (void)state;
    heed_redaction r;
    heed_error e;
    assert_int_equal(heed_redact(H, NULL, 0, NULL, &r, &e), HEED_OK);
    assert_string_equal(r.text, "");
    assert_int_equal(r.n_findings, 0);
    heed_redaction_release(&r);
    assert_int_equal(heed_redact(NULL, "x", 1, NULL, &r, &e), HEED_EINVAL);
    assert_null(r.text);
    assert_int_equal(heed_redact(H, NULL, 1, NULL, &r, &e), HEED_EINVAL);
    assert_int_equal(heed_redact(H, "x", 1, NULL, NULL, &e), HEED_EINVAL);
    assert_int_equal(heed_redact(H, "x", HEED_REDACT_MAX_TEXT + 1, NULL, &r, &e), HEED_ETOOBIG);
    heed_redaction_release(NULL);

    /* not NUL-terminated: a match at the very end stops at len */
    char buf[32];
    memcpy(buf, "call 07700 9001234", 18);
    memset(buf + 18, '5', sizeof buf - 18);
    assert_int_equal(heed_redact(H, buf, 17, NULL, &r, &e), HEED_OK);
    assert_int_equal(r.n_findings, 1);
    assert_int_equal(r.findings[0].start + r.findings[0].len, 17);
    heed_redaction_release(&r);
    /* truncated candidates at the end */
    static const char *const tails[] = {"+", "(", "4111 1111 1111 111", "GB82 WEST", "a@", "@",
                                        "12 Elm", "12 Elm Rd,", "+44 (0", "jane@x.", "221B"};
    for (size_t i = 0; i < N(tails); i++) {
        assert_int_equal(heed_redact(H, tails[i], strlen(tails[i]), NULL, &r, &e), HEED_OK);
        heed_redaction_release(&r);
    }
}

static void test_large(void **state)
{
    (void)state;
    /* ~1 MB mixing findings, near-misses and long runs that defeat the matchers */
    const char *unit = "Order #48213: call +44 1632 960123 or jane@example.com; 4111 1111 1111 "
                       "1111; 2026-09-01 10:30 €49.99 12 Elm Rd. ";
    size_t ul = strlen(unit), n = (1u << 20) / ul;
    size_t len = n * ul + 300000;
    char *t = malloc(len + 1);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        memcpy(t + i * ul, unit, ul);
    size_t o = n * ul;
    memset(t + o, '1', 100000);           /* one long digit run */
    memset(t + o + 100000, '@', 100000);  /* many '@' with nothing around */
    for (size_t i = 0; i < 100000; i++)   /* "a.a.a..." before nothing */
        t[o + 200000 + i] = i & 1 ? '.' : 'a';
    t[len] = '\0';
    heed_redaction r;
    assert_int_equal(heed_redact(H, t, len, NULL, &r, NULL), HEED_OK);
    assert_int_equal(r.n_findings, 4 * n);
    heed_redaction_release(&r);
    free(t);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    const char *text = "a@b.com 1@b.com c@b.com d@b.com e@b.com f@b.com g@b.com h@b.com "
                       "i@b.com j@b.com +44 1632 960123 12 Elm Rd";
    int ok = 0;
    for (long k = 0; k < 40 && !ok; k++) {
        heed_redaction r;
        heed_error e;
        heed__alloc_fail_after(k);
        int rc = heed_redact(H, text, strlen(text), NULL, &r, &e);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK) {
            assert_int_equal(r.n_findings, 12);
            ok = 1;
        } else {
            assert_int_equal(rc, HEED_ENOMEM);
            assert_null(r.text);
            assert_null(r.findings);
        }
        heed_redaction_release(&r);
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds),         cmocka_unit_test(test_leaves_alone),
        cmocka_unit_test(test_tokens_stable), cmocka_unit_test(test_no_raw_pii),
        cmocka_unit_test(test_kinds_filter),  cmocka_unit_test(test_idempotent),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_large),         cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
