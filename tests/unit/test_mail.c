/* test_mail.c - the mail readers (src/io/mail.c, mime.c): a table of raw
 * mails with the fields heed_mail_parse must give, a table of bodies with
 * what heed_mail_strip_quoted keeps, and the mbox fixtures under
 * tests/data/mail/ read end to end with threading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "heed_limits.h"
#include "heed/heed.h"
#include "mail.h"

#define IN(s) s, sizeof(s) - 1

static void assert_view(heed_view v, const char *want)
{
    if (!want)
        return;
    if (!v.ptr)
        fail_msg("field absent, expected \"%s\"", want);
    if (v.len != strlen(want) || memcmp(v.ptr, want, v.len) != 0)
        fail_msg("got \"%.*s\", expected \"%s\"", (int)v.len, v.ptr, want);
}

/* ------------------------------------------------------------ parse table */

typedef struct parse_case {
    const char *name;
    const char *raw;
    size_t len;
    unsigned flags;
    int rc;
    const char *msg;        /* substring of err.msg when rc != 0 */
    const char *message_id; /* NULL: not checked */
    const char *from_addr;
    const char *from_name;
    const char *subject;
    const char *body;       /* exact body */
    int has_time;           /* -1: not checked */
    int64_t time;
    int tz_min;
} parse_case;

static const parse_case parse_cases[] = {
    {"plain_crlf",
     IN("Message-ID: <a1@example.com>\r\nFrom: Jane Doe <jane@Example.COM>\r\n"
        "Subject: Hello\r\n there\r\nDate: Mon, 1 Sep 2026 09:42:00 +0200\r\n\r\nLine one\r\nLine two\r\n"),
     0, HEED_OK, NULL, "a1@example.com", "jane@example.com", "Jane Doe", "Hello there",
     "Line one\nLine two\n", 1, 1788248520, 120},
    {"addr_comment_form",
     IN("From: jo@example.org (Jo Bloggs)\nDate: 2 Sep 2026 10:00 -0330 (NST)\n\nhi\n"), 0,
     HEED_OK, NULL, NULL, "jo@example.org", "Jo Bloggs", NULL, "hi\n", 1,
     1788355800, -210},
    {"quoted_display_name",
     IN("From: \"Doe, Jane \\\"JD\\\"\" <jd@example.com>, other@example.com\n\nx"), 0, HEED_OK,
     NULL, NULL, "jd@example.com", "Doe, Jane \"JD\"", NULL, "x", -1, 0, 0},
    {"encoded_words_b_q_adjacent",
     IN("Subject: =?utf-8?B?w4lt?= =?iso-8859-1?q?ile_=E0?= Paris =?utf-8?q?ok?=\n\nb"), 0,
     HEED_OK, NULL, NULL, NULL, NULL, "\xC3\x89mile \xC3\xA0 Paris ok", "b", -1, 0, 0},
    {"encoded_word_unknown_charset_kept",
     IN("Subject: =?x-nonsense?q?abc?=\n\nb"), 0, HEED_OK, NULL, NULL, NULL, NULL, "abc", "b",
     -1, 0, 0},
    {"raw_8bit_header_replaced",
     IN("Message-ID: <\xff@example.com>\nFrom: Ren\xe9 <ren\xe9@EXAMPLE.com>\nSubject: caf\xe9\n\nb"),
     0, HEED_OK, NULL, "\xEF\xBF\xBD@example.com", "ren\xEF\xBF\xBD@example.com",
     "Ren\xEF\xBF\xBD", "caf\xEF\xBF\xBD", "b", -1, 0, 0},
    {"bad_date_no_time",
     IN("Date: sometime next week\n\nb"), 0, HEED_OK, NULL, NULL, NULL, NULL, NULL, "b", 0, 0,
     0},
    {"iso_date_accepted",
     IN("Date: 2026-09-01T07:42:00Z\n\nb"), 0, HEED_OK, NULL, NULL, NULL, NULL, NULL, "b", 1,
     1788248520, 0},
    {"qp_soft_breaks_and_bad_escape",
     IN("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        "a=\nb =3D c =ZZ d=C3=A9\n"),
     0, HEED_OK, NULL, NULL, NULL, NULL, NULL, "ab = c =ZZ d\xC3\xA9\n", -1, 0, 0},
    {"base64_latin1",
     IN("Content-Type: text/plain; charset=\"ISO-8859-1\"\nContent-Transfer-Encoding: BASE64\n\n"
        "Q2Fm6SBjcuhtZQ0K\n"),
     0, HEED_OK, NULL, NULL, NULL, NULL, NULL, "Caf\xC3\xA9 cr\xC3\xA8me\n", -1, 0, 0},
    {"alternative_prefers_plain",
     IN("Content-Type: multipart/alternative; boundary=\"b1\"\n\npreamble\n--b1\n"
        "Content-Type: text/html\n\n<p>html</p>\n--b1\nContent-Type: text/plain\n\nplain text\n"
        "--b1--\nepilogue\n"),
     0, HEED_OK, NULL, NULL, NULL, NULL, NULL, "plain text", -1, 0, 0},
    {"html_only_to_text",
     IN("Content-Type: text/html; charset=utf-8\n\n<div>Hi&nbsp;there,<br/>line&#33;</div>"
        "<script>var x = '<p>';</script><p>Para &lt;two&gt; &bogus; &#x20AC;5</p>"),
     0, HEED_OK, NULL, NULL, NULL, NULL, NULL, "Hi there,\nline!\nPara <two> &bogus; \xE2\x82\xAC" "5\n",
     -1, 0, 0},
    {"nested_multipart_skips_attachment",
     IN("Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n"
        "Content-Disposition: attachment\n\nnot me\n--o\nContent-Type: multipart/alternative;\n"
        " boundary=\"i\"\n\n--i\nContent-Type: text/plain; charset=us-ascii\n\nme\n--i--\n--o--\n"),
     0, HEED_OK, NULL, NULL, NULL, NULL, NULL, "me", -1, 0, 0},
    {"no_text_part_empty_body",
     IN("Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"), 0,
     HEED_OK, NULL, NULL, NULL, NULL, NULL, "", -1, 0, 0},
    {"multipart_without_boundary",
     IN("Content-Type: multipart/mixed\n\nbody\n"), 0, HEED_EPARSE, "without a boundary",
     NULL, NULL, NULL, NULL, NULL, -1, 0, 0},
    {"boundary_never_appears",
     IN("Content-Type: multipart/mixed; boundary=zz\n\nbody\n"), 0, HEED_EPARSE,
     "never appears", NULL, NULL, NULL, NULL, NULL, -1, 0, 0},
    {"unknown_charset",
     IN("Content-Type: text/plain; charset=x-klingon\n\nqapla\n"), 0, HEED_EPARSE,
     "unknown charset \"x-klingon\"", NULL, NULL, NULL, NULL, NULL, -1, 0, 0},
    {"charset_with_iconv_options_refused",
     IN("Content-Type: text/plain; charset=\"utf-8//IGNORE\"\n\nx\n"), 0, HEED_EPARSE,
     "unknown charset", NULL, NULL, NULL, NULL, NULL, -1, 0, 0},
    {"invalid_utf8",
     IN("Content-Type: text/plain; charset=utf-8\n\nab\xff" "cd\n"), 0, HEED_EUTF8, "at byte 2",
     NULL, NULL, NULL, NULL, NULL, -1, 0, 0},
    {"invalid_utf8_replaced",
     IN("Content-Type: text/plain; charset=utf-8\n\nab\xff" "cd\n"), HEED_MAIL_REPLACE_UTF8,
     HEED_OK, NULL, NULL, NULL, NULL, NULL, "ab\xEF\xBF\xBD" "cd\n", -1, 0, 0},
    /* glibc's iconv reads "utf 8" as UTF-8 and lets F5-F7 lead bytes through:
     * its output is checked like a UTF-8 body's */
    {"iconv_utf8_alias_checked",
     IN("Content-Type: text/plain; charset=\"utf 8\"\n\na\xF5\x9B\x90\xAA" "b\n"), 0, HEED_EUTF8,
     "at byte 1", NULL, NULL, NULL, NULL, NULL, -1, 0, 0},
    {"iconv_utf8_alias_replaced",
     IN("Content-Type: text/plain; charset=\"utf 8\"\n\na\xF5\x9B\x90\xAA" "b\n"),
     HEED_MAIL_REPLACE_UTF8, HEED_OK, NULL, NULL, NULL, NULL, NULL,
     "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b\n", -1, 0, 0},
    {"invalid_in_charset_replaced",
     IN("Content-Type: text/plain; charset=shift_jis\n\nA\x81\n"), HEED_MAIL_REPLACE_UTF8,
     HEED_OK, NULL, NULL, NULL, NULL, NULL, "A\xEF\xBF\xBD\n", -1, 0, 0},
    {"no_header", IN("\njust a body\n"), 0, HEED_EPARSE, "no header", NULL, NULL, NULL, NULL,
     NULL, -1, 0, 0},
    {"empty", IN(""), 0, HEED_EPARSE, "empty mail", NULL, NULL, NULL, NULL, NULL, -1, 0, 0},
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const parse_case *c = &parse_cases[i];
        print_message("case %s\n", c->name);
        heed_mail m;
        heed_mail_init(&m, c->flags);
        heed_error err = {0};
        const int rc = heed_mail_parse(c->raw, c->len, &m, &err);
        if (rc != c->rc)
            fail_msg("%s: rc %d (%s), expected %d", c->name, rc, err.msg, c->rc);
        if (rc != HEED_OK) {
            assert_int_equal(err.code, rc);
            if (c->msg && !strstr(err.msg, c->msg))
                fail_msg("%s: message \"%s\" lacks \"%s\"", c->name, err.msg, c->msg);
        } else {
            assert_view(m.message_id, c->message_id);
            assert_view(m.from_addr, c->from_addr);
            assert_view(m.from_name, c->from_name);
            assert_view(m.subject, c->subject);
            assert_view(m.body, c->body);
            assert_int_equal(heed_utf8_validate(m.body.ptr, m.body.len, NULL), HEED_OK);
            if (c->has_time >= 0) {
                assert_int_equal(m.has_time, c->has_time);
                if (c->has_time) {
                    assert_int_equal(m.time, c->time);
                    assert_int_equal(m.tz_min, c->tz_min);
                }
            }
        }
        heed_mail_release(&m);
    }
}

/* Multiparts nested one level deeper than allowed, and just deep enough. */
static void test_mime_depth(void **state)
{
    (void)state;
    for (int depth = HEED_MAX_MIME_DEPTH; depth <= HEED_MAX_MIME_DEPTH + 1; depth++) {
        char raw[8192];
        size_t n = 0;
        for (int d = 0; d < depth; d++)
            n += (size_t)snprintf(raw + n, sizeof raw - n,
                                  "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", d, d);
        n += (size_t)snprintf(raw + n, sizeof raw - n, "Content-Type: text/plain\n\ndeep\n");
        heed_mail m;
        heed_mail_init(&m, 0);
        heed_error err;
        const int rc = heed_mail_parse(raw, n, &m, &err);
        if (depth == HEED_MAX_MIME_DEPTH) {
            assert_int_equal(rc, HEED_OK);
            assert_view(m.body, "deep\n");
        } else {
            assert_int_equal(rc, HEED_ETOOBIG);
            assert_non_null(strstr(err.msg, "nested deeper"));
        }
        heed_mail_release(&m);
    }
}

/* ------------------------------------------------------------ strip table */

typedef struct strip_case {
    const char *name;
    const char *in;
    const char *out;
} strip_case;

static const strip_case strip_cases[] = {
    {"nothing_to_strip", "Hello,\n\nplease help.\n", "Hello,\n\nplease help."},
    {"gmail_attribution",
     "Thanks!\n\nOn Mon, 1 Sep 2026 at 09:42, Jo <jo@example.com> wrote:\n> old\n> text\n",
     "Thanks!"},
    {"wrapped_attribution",
     "Fine.\n\nOn Mon, 1 Sep 2026 at 09:42, A Very Long Name <a@example.com>\nwrote:\n> q\n",
     "Fine."},
    {"french_attribution",
     "Merci.\n\nLe lun. 1 sept. 2026 \xC3\xA0 09:42, Jo <jo@example.com> a \xC3\xA9" "crit :\n> avant\n",
     "Merci."},
    {"bottom_posting_keeps_reply",
     "On Mon, Jo wrote:\n> Is it fixed?\n\nYes, since Monday.\n> And the refund?\nDone too.\n",
     "Yes, since Monday.\nDone too."},
    {"outlook_original_message",
     "See below.\r\n\r\n-----Original Message-----\r\nFrom: Support\r\nSent: Monday\r\n\r\nold\r\n",
     "See below."},
    {"outlook_from_sent_block",
     "Call me.\n\nFrom: Support <support@example.org>\nSent: Monday, 1 September 2026 09:42\n"
     "To: Jo\nSubject: RE: x\n\nold text\n",
     "Call me."},
    {"from_line_alone_is_kept", "From: the warehouse, twice.\nNothing else.\n",
     "From: the warehouse, twice.\nNothing else."},
    {"signature", "Regards,\nTom\n-- \nTom, Support\nExample Shop\n", "Regards,\nTom"},
    {"mobile_footer", "It works now.\n\nSent from my iPhone\n", "It works now."},
    {"german_footer_and_quote", "Danke.\n\nVon meinem iPhone gesendet\n\n> alt\n", "Danke."},
    {"only_quote", "> all quoted\n> text\n", ""},
    {"empty", "", ""},
};

static void test_strip_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof strip_cases / sizeof strip_cases[0]; i++) {
        const strip_case *c = &strip_cases[i];
        const size_t n = strlen(c->in);
        char *out = malloc(n + 1);
        assert_non_null(out);
        const size_t k = heed_mail_strip_quoted(c->in, n, out);
        if (k != strlen(c->out) || memcmp(out, c->out, k) != 0)
            fail_msg("%s: got \"%.*s\", expected \"%s\"", c->name, (int)k, out, c->out);
        /* in place gives the same */
        memcpy(out, c->in, n);
        assert_int_equal(heed_mail_strip_quoted(out, n, out), k);
        assert_memory_equal(out, c->out, k);
        free(out);
    }
}

/* ------------------------------------------------------------ mbox files */

typedef struct got {
    int rc;     /* of heed_mbox_next, then of heed_mail_parse */
    size_t line;
    char key[128];
    char body[512]; /* stripped */
    char subject[128];
} got;

/* Reads a whole mbox: parse, thread, strip. Returns the number of mails. */
static size_t read_mbox(FILE *f, size_t max_mail, got *out, size_t cap)
{
    heed_mbox *mb;
    heed_mail_threader *t;
    heed_error err = {0};
    assert_int_equal(heed_mbox_new(f, "test.mbox", max_mail, &mb, &err), HEED_OK);
    assert_int_equal(heed_mail_threader_new(&t, &err), HEED_OK);
    heed_mail m;
    heed_mail_init(&m, 0);
    size_t n = 0;
    heed_view raw;
    size_t line;
    int rc;
    while ((rc = heed_mbox_next(mb, &raw, &line, &err)) != 0) {
        assert_true(n < cap);
        got *g = &out[n++];
        memset(g, 0, sizeof *g);
        g->line = line;
        g->rc = rc;
        if (rc < 0) {
            assert_non_null(strstr(err.msg, "test.mbox:"));
            continue;
        }
        g->rc = heed_mail_parse(raw.ptr, raw.len, &m, &err);
        if (g->rc != HEED_OK)
            continue;
        heed_view key;
        assert_int_equal(heed_mail_thread_key(t, &m, &key, &err), HEED_OK);
        snprintf(g->key, sizeof g->key, "%.*s", (int)key.len, key.ptr);
        snprintf(g->subject, sizeof g->subject, "%.*s", (int)m.subject.len, m.subject.ptr);
        char *buf = malloc(m.body.len + 1);
        assert_non_null(buf);
        const size_t k = heed_mail_strip_quoted(m.body.ptr, m.body.len, buf);
        snprintf(g->body, sizeof g->body, "%.*s", (int)k, buf);
        free(buf);
    }
    assert_int_equal(heed_mbox_next(mb, &raw, &line, &err), 0);
    heed_mail_release(&m);
    heed_mail_threader_free(t);
    heed_mbox_free(mb);
    return n;
}

static FILE *open_data(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/mail/%s", HEED_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    return f;
}

static void test_thread_mbox(void **state)
{
    (void)state;
    got g[8];
    FILE *f = open_data("thread.mbox");
    const size_t n = read_mbox(f, 0, g, 8);
    fclose(f);
    assert_int_equal(n, 3);
    const size_t lines[3] = {1, 21, 47};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(g[i].rc, HEED_OK);
        assert_int_equal(g[i].line, lines[i]);
        assert_string_equal(g[i].key, "order-1001@mail.example.com");
    }
    /* ">From " unquoted, an unquoted "From " inside a paragraph kept */
    assert_non_null(strstr(g[0].body, "\nFrom the start this has been slow."));
    assert_non_null(strstr(g[0].body, "Anna\nFrom anna's notes"));
    /* signature and quote gone */
    assert_string_equal(g[1].body, "Hi Anna,\n\nI am sorry the parcel is late. I have asked the "
                                   "carrier and will\nwrite again by Wednesday.\n\nKind regards,\nTom");
    /* multipart/alternative, QP latin-1, mobile footer and wrapped attribution */
    assert_string_equal(g[2].body, "Thanks Tom, it came this morning. The box was a bit damaged "
                                   "but the contents are fine. Caf\xC3\xA9 mug intact!");
}

static void test_charsets_mbox(void **state)
{
    (void)state;
    got g[8];
    FILE *f = open_data("charsets.mbox");
    const size_t n = read_mbox(f, 0, g, 8);
    fclose(f);
    assert_int_equal(n, 3);
    assert_string_equal(g[0].subject, "Colis non re\xC3\xA7u \xE2\x80\x93 commande 2002");
    assert_string_equal(g[0].body, "Bonjour,\nle colis n'est pas arriv\xC3\xA9. Merci de "
                                   "v\xC3\xA9rifier.\n\xC3\x89lodie");
    assert_string_equal(g[1].body, "Dear team,\n\nthe invoice shows \xE2\x82\xAC" "49.99 & I paid "
                                   "\xE2\x82\xAC" "39.99.\nPlease refund the difference.\n\n"
                                   "Thanks \xE2\x80\x93 Ravi");
    assert_string_equal(g[2].subject, "Don\xE2\x80\x99t charge me twice");
    /* no Message-ID: a synthetic, stable key */
    assert_memory_equal(g[2].key, "heed-", 5);
    assert_non_null(strstr(g[2].key, "@synthetic"));
}

static void test_broken_mbox(void **state)
{
    (void)state;
    got g[8];
    FILE *f = open_data("broken.mbox");
    const size_t n = read_mbox(f, 0, g, 8);
    fclose(f);
    assert_int_equal(n, 3);
    assert_int_equal(g[0].rc, HEED_OK);
    assert_int_equal(g[1].rc, HEED_EPARSE);
    assert_int_equal(g[1].line, 9);
    assert_int_equal(g[2].rc, HEED_OK);
    assert_string_equal(g[2].body, "The second good mail.");
}

static void test_mbox_too_big(void **state)
{
    (void)state;
    static const char data[] = "From a Mon\nSubject: small\n\nok\n\n"
                               "From b Mon\nSubject: big\n\n0123456789012345678901234567890123456789\n"
                               "0123456789012345678901234567890123456789\n\n"
                               "From c Mon\nSubject: small again\n\nok\n";
    FILE *f = fmemopen((void *)data, sizeof data - 1, "r");
    assert_non_null(f);
    got g[8];
    const size_t n = read_mbox(f, 64, g, 8);
    fclose(f);
    assert_int_equal(n, 3);
    assert_int_equal(g[0].rc, HEED_OK);
    assert_int_equal(g[1].rc, HEED_ETOOBIG);
    assert_int_equal(g[1].line, 6);
    assert_int_equal(g[2].rc, HEED_OK);
    assert_string_equal(g[2].subject, "small again");
}

static void test_eml_and_empty(void **state)
{
    (void)state;
    static const char eml[] = "\n\nSubject: one file\r\nFrom: x@example.com\r\n\r\nbody\r\n";
    FILE *f = fmemopen((void *)eml, sizeof eml - 1, "r");
    got g[4];
    assert_int_equal(read_mbox(f, 0, g, 4), 1);
    fclose(f);
    assert_int_equal(g[0].line, 3);
    assert_string_equal(g[0].body, "body");
    f = fmemopen((void *)"\n\n", 2, "r");
    assert_int_equal(read_mbox(f, 0, g, 4), 0);
    fclose(f);
}

/* Replies met before their parent, and a duplicate Message-ID. */
static void test_threader_order(void **state)
{
    (void)state;
    static const char *const raws[] = {
        "Message-ID: <c@x>\nReferences: <a@x> <b@x>\nIn-Reply-To: <b@x>\n\n.",
        "Message-ID: <b@x>\nIn-Reply-To: <a@x>\n\n.",
        "Message-ID: <a@x>\n\n.",
        "Message-ID: <d@x>\nIn-Reply-To: <unknown@x>\n\n.",
        "Message-ID: <e@x>\nIn-Reply-To: <unknown@x>\n\n.",
        "Message-ID: <z@x>\n\n.",
        "Message-ID: <z@x>\nIn-Reply-To: <a@x>\n\n.",
        "Subject: no id\nFrom: q@example.com\nDate: Mon, 1 Sep 2026 09:00 +0000\n\n.",
        "Subject: no id\nFrom: q@example.com\nDate: Mon, 1 Sep 2026 09:00 +0000\n\n.",
    };
    static const char *const want[] = {"a@x", "a@x", "a@x", "unknown@x", "unknown@x", "z@x", "z@x",
                                       NULL, NULL};
    heed_mail_threader *t;
    heed_error err;
    assert_int_equal(heed_mail_threader_new(&t, &err), HEED_OK);
    heed_mail m;
    heed_mail_init(&m, 0);
    char synth[64] = "";
    for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
        assert_int_equal(heed_mail_parse(raws[i], strlen(raws[i]), &m, &err), HEED_OK);
        heed_view key;
        assert_int_equal(heed_mail_thread_key(t, &m, &key, &err), HEED_OK);
        if (want[i])
            assert_view(key, want[i]);
        else if (!synth[0])
            snprintf(synth, sizeof synth, "%.*s", (int)key.len, key.ptr);
        else
            assert_view(key, synth);
    }
    heed_mail_release(&m);
    heed_mail_threader_free(t);
    /* many ids: the table grows */
    assert_int_equal(heed_mail_threader_new(&t, &err), HEED_OK);
    heed_mail_init(&m, 0);
    for (int i = 0; i < 2000; i++) {
        char raw[128];
        const int n = i ? snprintf(raw, sizeof raw, "Message-ID: <m%d@x>\nIn-Reply-To: <m%d@x>\n\n.", i, i - 1)
                        : snprintf(raw, sizeof raw, "Message-ID: <m0@x>\n\n.");
        assert_int_equal(heed_mail_parse(raw, (size_t)n, &m, &err), HEED_OK);
        heed_view key;
        assert_int_equal(heed_mail_thread_key(t, &m, &key, &err), HEED_OK);
        assert_view(key, "m0@x");
    }
    heed_mail_release(&m);
    heed_mail_threader_free(t);
}

/* A map for heed_mail_threader_spill: open addressing over copies. */
#define TMAP_CAP 65536
typedef struct tmap {
    char *id[TMAP_CAP], *root[TMAP_CAP];
    size_t n, gets_found, puts;
    bool broken; /* get fails */
} tmap;

static size_t tmap_slot(tmap *m, heed_view id)
{
    size_t h = 5381;
    for (size_t i = 0; i < id.len; i++)
        h = h * 33 + (unsigned char)id.ptr[i];
    for (h &= TMAP_CAP - 1; m->id[h]; h = (h + 1) & (TMAP_CAP - 1))
        if (strlen(m->id[h]) == id.len && !memcmp(m->id[h], id.ptr, id.len))
            break;
    return h;
}

static int tmap_get(void *ctx, heed_view id, heed_view *root, heed_error *err)
{
    tmap *m = ctx;
    if (m->broken) {
        snprintf(err->msg, sizeof err->msg, "broken map");
        return HEED_EIO;
    }
    const size_t h = tmap_slot(m, id);
    if (!m->id[h])
        return 0;
    m->gets_found++;
    *root = (heed_view){m->root[h], strlen(m->root[h])};
    return 1;
}

static int tmap_put(void *ctx, heed_view id, heed_view root, heed_error *err)
{
    (void)err;
    tmap *m = ctx;
    const size_t h = tmap_slot(m, id);
    assert_null(m->id[h]); /* the threader puts only ids it does not know */
    assert_true(m->n + 1 < TMAP_CAP / 2);
    m->id[h] = strndup(id.ptr, id.len);
    m->root[h] = strndup(root.ptr, root.len);
    m->n++;
    m->puts++;
    return HEED_OK;
}

static void tmap_free(tmap *m)
{
    for (size_t i = 0; i < TMAP_CAP; i++) {
        free(m->id[i]);
        free(m->root[i]);
    }
    free(m);
}

/* The i-th mail of a stream of threads: replies to earlier mails of their
 * thread (by In-Reply-To, References, or both), replies met before their
 * parent, references to mails never seen, duplicates, mails without an id. */
static int stream_mail(char *raw, size_t cap, unsigned i)
{
    const unsigned thread = i % 97, k = i / 97;
    const unsigned r = (i * 2654435761u) >> 8;
    if (r % 23 == 0)
        return snprintf(raw, cap, "Subject: t%u\nFrom: q%u@example.com\n\n.", thread, r % 5);
    if (r % 19 == 0 && k > 0) /* a duplicate of an earlier mail of the thread */
        return snprintf(raw, cap, "Message-ID: <t%u.%u@x>\nIn-Reply-To: <t%u.%u@x>\n\n.", thread,
                        k - 1, thread, r % (k + 2));
    if (k == 0)
        return r % 3 ? snprintf(raw, cap, "Message-ID: <t%u.0@x>\n\n.", thread)
                     : snprintf(raw, cap, "Message-ID: <t%u.0@x>\nReferences: <gone%u@x>\n\n.",
                                thread, thread);
    const unsigned parent = r % (k + 3); /* may be a later mail: met before it */
    switch (r % 4) {
    case 0:
        return snprintf(raw, cap, "Message-ID: <t%u.%u@x>\nIn-Reply-To: <t%u.%u@x>\n\n.", thread, k,
                        thread, parent);
    case 1:
        return snprintf(raw, cap,
                        "Message-ID: <t%u.%u@x>\nReferences: <t%u.0@x> <t%u.%u@x>\n\n.", thread,
                        k, thread, thread, parent);
    case 2:
        return snprintf(raw, cap,
                        "Message-ID: <t%u.%u@x>\nReferences: <gone%u@x> <t%u.%u@x>\n"
                        "In-Reply-To: <t%u.%u@x>\n\n.",
                        thread, k, thread, thread, parent, thread, parent);
    default:
        return snprintf(raw, cap, "Message-ID: <t%u.%u@x>\nIn-Reply-To: <other%u@x>\n\n.", thread,
                        k, r % 7);
    }
}

/* Ids moved to a map every few mails: every key is the key a threader
 * holding all of them in memory gives, threads crossing each move. */
static void test_threader_spill(void **state)
{
    (void)state;
    const size_t max_ids[] = {1, 7, 100};
    for (size_t mi = 0; mi < 3; mi++) {
        heed_mail_threader *all, *t;
        heed_error err = {0};
        tmap *map = calloc(1, sizeof *map);
        assert_non_null(map);
        const heed_mail_idmap im = {map, tmap_get, tmap_put};
        assert_int_equal(heed_mail_threader_new(&all, &err), HEED_OK);
        assert_int_equal(heed_mail_threader_new(&t, &err), HEED_OK);
        heed_mail_threader_spill(t, &im, max_ids[mi]);
        heed_mail m;
        heed_mail_init(&m, 0);
        for (unsigned i = 0; i < 3000; i++) {
            char raw[256], want[128];
            const int n = stream_mail(raw, sizeof raw, i);
            assert_int_equal(heed_mail_parse(raw, (size_t)n, &m, &err), HEED_OK);
            heed_view key;
            assert_int_equal(heed_mail_thread_key(all, &m, &key, &err), HEED_OK);
            snprintf(want, sizeof want, "%.*s", (int)key.len, key.ptr);
            assert_int_equal(heed_mail_thread_key(t, &m, &key, &err), HEED_OK);
            if (key.len != strlen(want) || memcmp(key.ptr, want, key.len))
                fail_msg("mail %u, max_ids %zu: key %.*s, expected %s", i, max_ids[mi],
                         (int)key.len, key.ptr, want);
        }
        assert_true(map->puts > 1000);
        assert_true(map->gets_found > 100);
        /* the map's errors come back (an id moved there long ago: looked for) */
        map->broken = true;
        const char raw[] = "Message-ID: <t5.0@x>\n\n.";
        assert_int_equal(heed_mail_parse(raw, sizeof raw - 1, &m, &err), HEED_OK);
        heed_view key;
        assert_int_equal(heed_mail_thread_key(t, &m, &key, &err), HEED_EIO);
        assert_string_equal(err.msg, "broken map");
        heed_mail_release(&m);
        heed_mail_threader_free(all);
        heed_mail_threader_free(t);
        tmap_free(map);
    }
}

/* Failing the k-th allocation: a clean HEED_ENOMEM, never a crash or leak. */
static void test_alloc_failures(void **state)
{
    (void)state;
    static const char raw[] =
        "Message-ID: <a@x>\nReferences: <r1@x> <r2@x>\nFrom: =?utf-8?q?J=C3=B6?= <j@example.com>\n"
        "Subject: =?iso-8859-1?q?caf=E9?=\nContent-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: "
        "quoted-printable\n\n<p>caf=E9</p>\n--b--\n";
    for (long k = 0; k < 200; k++) {
        heed_mail m;
        heed_mail_init(&m, 0);
        heed_error err = {0};
        heed__alloc_fail_after(k);
        const int rc = heed_mail_parse(raw, sizeof raw - 1, &m, &err);
        heed_mail_threader *t = NULL;
        int rc2 = HEED_ENOMEM;
        if (rc == HEED_OK && heed_mail_threader_new(&t, &err) == HEED_OK) {
            heed_view key;
            rc2 = heed_mail_thread_key(t, &m, &key, &err);
        }
        heed__alloc_fail_after(-1);
        assert_true(rc == HEED_OK || rc == HEED_ENOMEM);
        assert_true(rc2 == HEED_OK || rc2 == HEED_ENOMEM);
        heed_mail_threader_free(t);
        heed_mail_release(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),    cmocka_unit_test(test_mime_depth),    cmocka_unit_test(test_strip_table),
        cmocka_unit_test(test_thread_mbox),    cmocka_unit_test(test_charsets_mbox),
        cmocka_unit_test(test_broken_mbox),    cmocka_unit_test(test_mbox_too_big),
        cmocka_unit_test(test_eml_and_empty),  cmocka_unit_test(test_threader_order),
        cmocka_unit_test(test_alloc_failures), cmocka_unit_test(test_threader_spill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
