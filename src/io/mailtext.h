/* mailtext.h - the text decodings mail needs, shared by mime.c: transfer
 * encodings, charset conversion to UTF-8 (iconv), RFC 2047 encoded words and
 * text/html to text. Pure; output is appended to a heed_buf, whose sticky
 * error tells of a lack of memory. */
#ifndef HEED_MAILTEXT_H
#define HEED_MAILTEXT_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "heed/heed.h"

/* Quoted-printable (RFC 2045 6.7); with `q`, RFC 2047 Q ('_' is a space). A
 * '=' not followed by two hex digits or a line end is kept as written. */
void heed__mail_qp_decode(const char *s, size_t n, bool q, heed_buf *out);

/* Base64, skipping bytes outside the alphabet, stopping at the first '='. */
void heed__mail_b64_decode(const char *s, size_t n, heed_buf *out);

/* Appends s[0..n) as UTF-8: invalid sequences are replaced by U+FFFD (counted
 * in *n_repl) with `replace`, else HEED_EUTF8 with *bad their offset. */
int heed__mail_copy_utf8(const char *s, size_t n, bool replace, heed_buf *out, size_t *n_repl,
                         size_t *bad);

/* Converts s[0..n) in charset cs (lower case; "" means UTF-8) to UTF-8,
 * appended to out. Returns HEED_OK, HEED_EPARSE (iconv does not know cs),
 * HEED_EUTF8 (*bad: the offset of a byte not valid in cs; only without
 * `replace`) or the buffer's error. */
int heed__mail_to_utf8(const char *cs, const char *s, size_t n, bool replace, heed_buf *out,
                       size_t *n_repl, size_t *bad);

/* Decodes the RFC 2047 encoded words of a header value into out (UTF-8). */
void heed__mail_decode_words(const char *s, size_t n, heed_buf *out, size_t *n_repl);

/* text/html (UTF-8) to text, appended to out. */
void heed__mail_html_to_text(const char *s, size_t n, heed_buf *out);

/* ASCII white space of mail headers and bodies. */
static inline bool heed__mail_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* a[0..an) equals the NUL-terminated b, ASCII case ignored. */
static inline bool heed__mail_ieq(const char *a, size_t an, const char *b)
{
    const size_t bn = strlen(b);
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

#endif
