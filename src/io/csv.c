/* csv.c - RFC 4180 record scanning and field splitting (see csv.h). Lenient
 * where the RFC is silent and real files differ: a quote inside an unquoted
 * field is an ordinary character (5" screen), a bare CR inside a field is kept,
 * and LF or CRLF both end a record. */
#include "csv.h"

#include <stdio.h>
#include <string.h>

#include "ioerr.h"

enum {
    AT_FIELD_START = 0, /* zero: a fresh heed_csv_scan starts here */
    IN_UNQUOTED,
    IN_QUOTED,
    AFTER_QUOTE /* a '"' inside a quoted field: closing, or the first of "" */
};

size_t heed__csv_scan(heed_csv_scan *st, const char *p, size_t n)
{
    int s = st->state;
    for (size_t i = 0; i < n; i++) {
        const char c = p[i];
        switch (s) {
        case IN_QUOTED: {
            /* The only byte that leaves a quoted field is '"': jump to it,
             * counting the line breaks on the way. */
            const char *q = memchr(p + i, '"', n - i);
            const size_t stop = q ? (size_t)(q - p) : n;
            for (const char *nl = p + i; (nl = memchr(nl, '\n', (size_t)(p + stop - nl))); nl++)
                st->lines++;
            i = stop;
            if (q)
                s = AFTER_QUOTE;
            break;
        }
        case AFTER_QUOTE:
            if (c == '"')
                s = IN_QUOTED;
            else if (c == ',')
                s = AT_FIELD_START;
            else if (c == '\n') {
                st->state = AT_FIELD_START;
                return i;
            } else
                s = IN_UNQUOTED; /* an error the splitter reports */
            break;
        case AT_FIELD_START:
            if (c == '"') {
                s = IN_QUOTED;
                break;
            }
            /* fall through */
        default: {
            /* Unquoted: only ',' and '\n' matter. */
            if (c == '\n') {
                st->state = AT_FIELD_START;
                return i;
            }
            s = c == ',' ? AT_FIELD_START : IN_UNQUOTED;
            break;
        }
        }
    }
    st->state = s;
    return n;
}

int heed__csv_in_quotes(const heed_csv_scan *st)
{
    return st->state == IN_QUOTED;
}

static size_t count_lines(const char *s, size_t n)
{
    size_t k = 0;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++)
        k++;
    return k;
}

int heed__csv_split(const char *s, size_t n, heed_buf *out, size_t *off, size_t *len, size_t max,
                    size_t *n_fields, size_t first_line, heed_error *err)
{
    size_t pos = 0, k = 0;
    for (;;) {
        const size_t start = out->len;
        if (pos < n && s[pos] == '"') {
            const size_t open = pos++;
            for (;;) {
                const char *q = memchr(s + pos, '"', n - pos);
                if (!q) {
                    *n_fields = k + 1;
                    return heed_io_fail(
                        err, HEED_EPARSE, open,
                        "unterminated quoted field: the quote at byte %zu (line %zu) "
                        "is never closed",
                        open, first_line + count_lines(s, open));
                }
                const size_t at = (size_t)(q - s);
                if (k < max)
                    heed__buf_add(out, s + pos, at - pos);
                if (at + 1 < n && s[at + 1] == '"') {
                    if (k < max)
                        heed__buf_addc(out, '"');
                    pos = at + 2;
                    continue;
                }
                pos = at + 1;
                break;
            }
            if (pos < n && s[pos] != ',') {
                *n_fields = k + 1;
                const unsigned char c = (unsigned char)s[pos];
                if (c >= 0x20 && c < 0x7f)
                    return heed_io_fail(err, HEED_EPARSE, pos,
                                        "expected ',' or a line break after a closing quote, found "
                                        "'%c' at byte %zu",
                                        c, pos);
                return heed_io_fail(
                    err, HEED_EPARSE, pos,
                    "expected ',' or a line break after a closing quote, found byte "
                    "0x%02X at byte %zu",
                    c, pos);
            }
        } else {
            const char *comma = memchr(s + pos, ',', n - pos);
            const size_t stop = comma ? (size_t)(comma - s) : n;
            if (k < max)
                heed__buf_add(out, s + pos, stop - pos);
            pos = stop;
        }
        if (k < max) {
            off[k] = start;
            len[k] = out->len - start;
        }
        k++;
        if (pos >= n)
            break;
        pos++; /* the ',' */
    }
    *n_fields = k;
    return out->err ? out->err : HEED_OK;
}
