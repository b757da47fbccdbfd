/* mailtext.c - the text decodings of mail (see mailtext.h): transfer
 * encodings, charsets through iconv, RFC 2047 encoded words and text/html to
 * text. Pure. */
#include "mailtext.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

#include "hex.h"
#include "utf8.h"

/* ------------------------------------------------------------ decoding */

/* Quoted-printable (RFC 2045 6.7); `q` for RFC 2047 Q ('_' is a space).
 * A '=' not followed by two hex digits or a line end is kept as written. */
void heed__mail_qp_decode(const char *s, size_t n, bool q, heed_buf *out)
{
    size_t i = 0;
    while (i < n) {
        const char c = s[i];
        if (c == '=') {
            size_t j = i + 1;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
                j++;
            if (j < n && s[j] == '\n') { /* soft line break */
                i = j + 1;
                continue;
            }
            if (j == n && !q) {
                i = n;
                continue;
            }
            if (i + 2 < n && heed__hexval(s[i + 1]) >= 0 && heed__hexval(s[i + 2]) >= 0) {
                heed__buf_addc(out, (char)(heed__hexval(s[i + 1]) * 16 + heed__hexval(s[i + 2])));
                i += 3;
                continue;
            }
            heed__buf_addc(out, c);
            i++;
            continue;
        }
        heed__buf_addc(out, q && c == '_' ? ' ' : c);
        i++;
    }
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Base64, skipping every byte outside the alphabet (line breaks, spaces) and
 * stopping at the first '='. */
void heed__mail_b64_decode(const char *s, size_t n, heed_buf *out)
{
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=')
            break;
        const int v = b64val((unsigned char)s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            heed__buf_addc(out, (char)((acc >> bits) & 0xff));
        }
    }
}

static bool is_utf8_name(const char *cs)
{
    return !*cs || !strcmp(cs, "utf-8") || !strcmp(cs, "utf8") || !strcmp(cs, "us-ascii") ||
           !strcmp(cs, "ascii") || !strcmp(cs, "x-unknown") || !strcmp(cs, "unknown-8bit");
}

/* Appends s[0..n) as UTF-8, invalid sequences replaced or reported. */
int heed__mail_copy_utf8(const char *s, size_t n, bool replace, heed_buf *out, size_t *n_repl,
                     size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        const size_t ok = heed__utf8_valid_prefix(s + i, n - i);
        heed__buf_add(out, s + i, ok);
        i += ok;
        if (i >= n)
            break;
        if (!replace) {
            *bad = i;
            return HEED_EUTF8;
        }
        uint32_t cp;
        size_t l = heed__utf8_decode((const unsigned char *)s + i, n - i, &cp);
        heed__buf_add(out, "\xEF\xBF\xBD", 3);
        (*n_repl)++;
        i += l ? l : 1;
    }
    return HEED_OK;
}

/* Converts s[0..n) with cd into out (heed__mail_to_utf8's conversion;
 * without `replace`, *bad is the offset of the first byte iconv refuses).
 * Returns HEED_OK, HEED_EUTF8 or the buffer's error. */
static int iconv_all(iconv_t cd, const char *s, size_t n, bool replace, heed_buf *out,
                     size_t *n_repl, size_t *bad)
{
    char *ip = (char *)s;
    size_t il = n;
    int rc = HEED_OK;
    for (;;) {
        if (heed__buf_reserve(out, il * 2 + 64)) {
            rc = out->err;
            break;
        }
        char *op = out->ptr + out->len;
        size_t ol = out->cap - out->len - 1;
        const size_t r = iconv(cd, &ip, &il, &op, &ol);
        const int e = errno;
        out->len = (size_t)(op - out->ptr);
        out->ptr[out->len] = '\0';
        if (r != (size_t)-1)
            break; /* all converted */
        if (e == E2BIG)
            continue;
        /* EILSEQ, or EINVAL: a sequence cut short by the end */
        if (!replace) {
            *bad = (size_t)(ip - s);
            rc = HEED_EUTF8;
            break;
        }
        heed__buf_add(out, "\xEF\xBF\xBD", 3);
        (*n_repl)++;
        ip++;
        il--;
        if (il == 0)
            break;
    }
    if (rc == HEED_OK && heed__buf_reserve(out, 64) == 0) {
        /* back to the initial shift state (ISO-2022-JP and the like) */
        char *op = out->ptr + out->len;
        size_t ol = out->cap - out->len - 1;
        iconv(cd, NULL, NULL, &op, &ol);
        out->len = (size_t)(op - out->ptr);
        out->ptr[out->len] = '\0';
    }
    if (rc == HEED_OK && out->err)
        rc = out->err;
    return rc;
}

/* Converts s[0..n) in charset cs (lower case) to UTF-8, appended to out.
 * Returns HEED_OK, HEED_EPARSE (iconv does not know cs), HEED_EUTF8 (*bad: the
 * offset of a byte not valid in cs, or of iconv's output that is not valid
 * UTF-8; only without `replace`) or the buffer's error. */
int heed__mail_to_utf8(const char *cs, const char *s, size_t n, bool replace, heed_buf *out,
                   size_t *n_repl, size_t *bad)
{
    if (is_utf8_name(cs))
        return heed__mail_copy_utf8(s, n, replace, out, n_repl, bad);
    if (strchr(cs, '/') || strchr(cs, ',')) /* iconv reads "//" as options */
        return HEED_EPARSE;
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1)
        return HEED_EPARSE;
    /* iconv's output is checked once more before it is kept: glibc reads a
     * name such as "utf 8" as UTF-8 and passes sequences through that are
     * not UTF-8 (lead bytes F5-F7) */
    heed_buf conv;
    heed__buf_init(&conv, 0);
    int rc = iconv_all(cd, s, n, replace, &conv, n_repl, bad);
    iconv_close(cd);
    if (rc == HEED_OK)
        rc = heed__mail_copy_utf8(conv.ptr, conv.len, replace, out, n_repl, bad);
    if (rc == HEED_OK && out->err)
        rc = out->err;
    heed__buf_release(&conv);
    return rc;
}

/* Decodes the RFC 2047 encoded words of a header value into out (UTF-8);
 * whitespace between two encoded words is dropped; text outside them is
 * copied with invalid UTF-8 replaced. Never fails but for memory. */
void heed__mail_decode_words(const char *s, size_t n, heed_buf *out, size_t *n_repl)
{
    heed_buf tmp;
    heed__buf_init(&tmp, 0);
    size_t i = 0;
    size_t pending_ws = 0, ws_start = 0; /* whitespace not yet copied */
    bool last_word = false;
    while (i < n) {
        if (s[i] == '=' && i + 1 < n && s[i + 1] == '?') {
            /* =?charset?X?text?= */
            size_t j = i + 2;
            const size_t cs0 = j;
            while (j < n && s[j] != '?' && !heed__mail_ws(s[j]))
                j++;
            const size_t csl = j - cs0;
            if (j + 2 < n && s[j] == '?' && s[j + 2] == '?' && csl > 0 && csl < 64) {
                const char enc = (char)tolower((unsigned char)s[j + 1]);
                const size_t t0 = j + 3;
                size_t k = t0;
                while (k + 1 < n && !(s[k] == '?' && s[k + 1] == '=') && !heed__mail_ws(s[k]))
                    k++;
                if ((enc == 'b' || enc == 'q') && k + 1 < n && s[k] == '?' && s[k + 1] == '=') {
                    char cs[64];
                    size_t c = 0;
                    for (size_t x = cs0; x < cs0 + csl && s[x] != '*'; x++)
                        cs[c++] = (char)tolower((unsigned char)s[x]);
                    cs[c] = '\0';
                    if (!last_word && pending_ws)
                        heed__mail_copy_utf8(s + ws_start, pending_ws, true, out, n_repl, &(size_t){0});
                    pending_ws = 0;
                    heed__buf_reset(&tmp);
                    if (enc == 'b')
                        heed__mail_b64_decode(s + t0, k - t0, &tmp);
                    else
                        heed__mail_qp_decode(s + t0, k - t0, true, &tmp);
                    size_t bad = 0;
                    if (!tmp.err && tmp.len &&
                        heed__mail_to_utf8(cs, tmp.ptr, tmp.len, true, out, n_repl, &bad) == HEED_EPARSE)
                        heed__mail_copy_utf8(tmp.ptr, tmp.len, true, out, n_repl, &bad);
                    i = k + 2;
                    last_word = true;
                    continue;
                }
            }
        }
        if (s[i] == ' ' || s[i] == '\t') {
            if (!pending_ws)
                ws_start = i;
            pending_ws++;
            i++;
            continue;
        }
        if (pending_ws)
            heed__mail_copy_utf8(s + ws_start, pending_ws, true, out, n_repl, &(size_t){0});
        pending_ws = 0;
        size_t j = i;
        while (j < n && s[j] != ' ' && s[j] != '\t' && !(s[j] == '=' && j + 1 < n && s[j + 1] == '?'))
            j++;
        if (j == i)
            j++;
        heed__mail_copy_utf8(s + i, j - i, true, out, n_repl, &(size_t){0});
        i = j;
        last_word = false;
    }
    heed__buf_release(&tmp);
}

/* ------------------------------------------------------------ html */

typedef struct html {
    heed_buf *out;
    int quote;       /* <blockquote> depth */
    bool line_start; /* nothing emitted on this line yet */
} html;

static void h_emit(html *h, const char *s, size_t n)
{
    if (h->line_start && h->quote > 0)
        for (int q = 0; q < h->quote && q < 8; q++)
            heed__buf_add(h->out, "> ", 2);
    h->line_start = false;
    heed__buf_add(h->out, s, n);
}

static void h_newline(html *h)
{
    heed__buf_addc(h->out, '\n');
    h->line_start = true;
}

static void h_block(html *h)
{
    if (!h->line_start)
        h_newline(h);
}

static const struct {
    const char *name;
    const char *utf8;
} entities[] = {
    {"amp", "&"},        {"lt", "<"},         {"gt", ">"},         {"quot", "\""},
    {"apos", "'"},       {"nbsp", " "},       {"copy", "\xC2\xA9"}, {"reg", "\xC2\xAE"},
    {"euro", "\xE2\x82\xAC"}, {"pound", "\xC2\xA3"}, {"hellip", "\xE2\x80\xA6"},
    {"mdash", "\xE2\x80\x94"}, {"ndash", "\xE2\x80\x93"}, {"lsquo", "\xE2\x80\x98"},
    {"rsquo", "\xE2\x80\x99"}, {"ldquo", "\xE2\x80\x9C"}, {"rdquo", "\xE2\x80\x9D"},
    {"eacute", "\xC3\xA9"}, {"egrave", "\xC3\xA8"}, {"agrave", "\xC3\xA0"},
    {"ccedil", "\xC3\xA7"}, {"uuml", "\xC3\xBC"}, {"ouml", "\xC3\xB6"}, {"auml", "\xC3\xA4"},
    {"szlig", "\xC3\x9F"}, {"Eacute", "\xC3\x89"}, {"ecirc", "\xC3\xAA"},
    {"bull", "\xE2\x80\xA2"}, {"middot", "\xC2\xB7"}, {"trade", "\xE2\x84\xA2"},
};

/* Decodes the entity at s[i] == '&'; returns the bytes consumed (0: none). */
static size_t h_entity(html *h, const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && j - i < 12 && (isalnum((unsigned char)s[j]) || s[j] == '#'))
        j++;
    if (j >= n || s[j] != ';' || j == i + 1)
        return 0;
    const char *name = s + i + 1;
    const size_t nl = j - i - 1;
    if (name[0] == '#') {
        uint32_t cp = 0;
        size_t k = 1;
        const bool hex = nl > 1 && (name[1] == 'x' || name[1] == 'X');
        if (hex)
            k = 2;
        if (k >= nl)
            return 0;
        for (; k < nl; k++) {
            const int v = hex ? heed__hexval(name[k]) : (isdigit((unsigned char)name[k]) ? name[k] - '0' : -1);
            if (v < 0 || cp > 0x10FFFF)
                return 0;
            cp = cp * (hex ? 16u : 10u) + (uint32_t)v;
        }
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        if (cp == 0xA0)
            cp = ' ';
        char u[4];
        h_emit(h, u, heed__utf8_encode(cp, u));
        return j + 1 - i;
    }
    for (size_t e = 0; e < sizeof entities / sizeof entities[0]; e++)
        if (strlen(entities[e].name) == nl && !memcmp(entities[e].name, name, nl)) {
            h_emit(h, entities[e].utf8, strlen(entities[e].utf8));
            return j + 1 - i;
        }
    return 0;
}

static bool tag_is(const char *t, const char *name)
{
    return !strcmp(t, name);
}

/* Finds "</name" (case-insensitive) from i; returns the offset after its '>'
 * or n. */
static size_t skip_to_close(const char *s, size_t n, size_t i, const char *name)
{
    const size_t nl = strlen(name);
    for (; i + 2 + nl <= n; i++)
        if (s[i] == '<' && s[i + 1] == '/' && heed__mail_ieq(s + i + 2, nl, name)) {
            const char *gt = memchr(s + i, '>', n - i);
            return gt ? (size_t)(gt - s) + 1 : n;
        }
    return n;
}

/* Tidies out[start..]: spaces at line ends dropped, runs of blank lines cut
 * to one, no blank lines at the start or the end, one final '\n'. */
static void tidy_lines(heed_buf *out, size_t start)
{
    /* room for a final '\n' the text may lack */
    if (out->len <= start || heed__buf_reserve(out, 1) != 0)
        return;
    char *s = out->ptr;
    size_t w = start, i = start, blanks = 0;
    bool any = false;
    while (i < out->len) {
        const char *nl = memchr(s + i, '\n', out->len - i);
        const size_t e = nl ? (size_t)(nl - s) : out->len;
        size_t le = e;
        while (le > i && (s[le - 1] == ' ' || s[le - 1] == '\t'))
            le--;
        if (le == i) {
            blanks += any;
        } else {
            if (any)
                s[w++] = '\n';
            if (blanks)
                s[w++] = '\n';
            memmove(s + w, s + i, le - i);
            w += le - i;
            any = true;
            blanks = 0;
        }
        i = e + 1;
    }
    if (any)
        s[w++] = '\n';
    out->len = w;
    s[w] = '\0';
}

/* text/html to text: tags dropped (script, style, head and title with their
 * content), entities decoded, whitespace collapsed, line breaks for <br>, <p>
 * and other blocks, blockquotes as "> " lines. */
void heed__mail_html_to_text(const char *s, size_t n, heed_buf *out)
{
    html h = {out, 0, true};
    size_t i = 0;
    bool space = false;
    while (i < n) {
        const char c = s[i];
        if (c == '<') {
            if (n - i >= 4 && !memcmp(s + i, "<!--", 4)) {
                size_t k = i + 4;
                while (k + 3 <= n && memcmp(s + k, "-->", 3))
                    k++;
                i = k + 3 <= n ? k + 3 : n;
                continue;
            }
            size_t k = i + 1;
            const bool closing = k < n && s[k] == '/';
            if (closing)
                k++;
            char t[16];
            size_t tl = 0;
            while (k < n && isalnum((unsigned char)s[k])) {
                if (tl + 1 < sizeof t)
                    t[tl++] = (char)tolower((unsigned char)s[k]);
                k++;
            }
            t[tl] = '\0';
            if (tl == 0 && !(k < n && (s[k] == '!' || s[k] == '?'))) {
                h_emit(&h, "<", 1); /* a lone '<' in text */
                i++;
                space = false;
                continue;
            }
            const char *gt = memchr(s + k, '>', n - k);
            i = gt ? (size_t)(gt - s) + 1 : n;
            if (!closing && (tag_is(t, "script") || tag_is(t, "style") || tag_is(t, "head") ||
                             tag_is(t, "title"))) {
                i = skip_to_close(s, n, i, t);
                continue;
            }
            if (tag_is(t, "br")) {
                h_newline(&h);
                space = false;
            } else if (tag_is(t, "p") || tag_is(t, "div") || tag_is(t, "tr") ||
                       tag_is(t, "table") || tag_is(t, "ul") || tag_is(t, "ol") ||
                       tag_is(t, "pre") || tag_is(t, "hr") ||
                       (t[0] == 'h' && t[1] >= '1' && t[1] <= '6' && !t[2])) {
                h_block(&h);
                if (closing && (tag_is(t, "p") || t[0] == 'h'))
                    h_newline(&h);
                space = false;
            } else if (tag_is(t, "li")) {
                h_block(&h);
                if (!closing)
                    h_emit(&h, "- ", 2);
                space = false;
            } else if (tag_is(t, "blockquote")) {
                h_block(&h);
                h.quote += closing ? (h.quote > 0 ? -1 : 0) : 1;
                space = false;
            } else if (tag_is(t, "td") || tag_is(t, "th")) {
                space = !h.line_start;
            }
            continue;
        }
        if (heed__mail_ws(c)) {
            space = !h.line_start;
            i++;
            continue;
        }
        if (space) {
            h_emit(&h, " ", 1);
            space = false;
        }
        if (c == '&') {
            const size_t used = h_entity(&h, s, n, i);
            if (used) {
                i += used;
                continue;
            }
        }
        size_t j = i + 1;
        while (j < n && s[j] != '<' && s[j] != '&' && !heed__mail_ws(s[j]))
            j++;
        h_emit(&h, s + i, j - i);
        i = j;
    }
    tidy_lines(out, 0);
}
