/* jsonl.c - one JSON-lines record to mapped fields (see jsonl.h). The check
 * below is a complete RFC 8259 syntax check that builds nothing but the list
 * of top-level members, so every value cJSON later reads is in a record we
 * accept, and every message points at the byte that is wrong. */
#include "jsonl.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "hash.h"
#include "heed_limits.h"
#include "ioerr.h"

/* A top-level member as the check found it: where its key (inside the
 * quotes, raw) and its value's text stand in the line, and the value's kind:
 * '"' string, '0' number, 't' / 'f' boolean, 'n' null, '{' object, '[' array. */
typedef struct member {
    size_t key, key_len, val, val_len;
    char kind;
} member;

struct heed_jsonl {
    member *mem;      /* HEED_MAX_FIELDS of them: the current record's members */
    heed_buf dec;     /* the mapped values: strings unescaped and NUL-ended,
                       * numbers as text, kept values as compact JSON */
    size_t *keep_off; /* offsets into dec of the kept values, by keep index */
    size_t keep_cap;
};

heed_jsonl *heed__jsonl_new(void)
{
    heed_jsonl *j = heed__malloc(sizeof *j);
    if (!j)
        return NULL;
    j->mem = heed__malloc(HEED_MAX_FIELDS * sizeof *j->mem);
    if (!j->mem) {
        heed__free(j);
        return NULL;
    }
    heed__buf_init(&j->dec, 0);
    j->keep_off = NULL;
    j->keep_cap = 0;
    return j;
}

void heed__jsonl_free(heed_jsonl *j)
{
    if (!j)
        return;
    heed__free(j->mem);
    heed__buf_release(&j->dec);
    heed__free(j->keep_off);
    heed__free(j);
}

/* ------------------------------------------------------------ syntax check */

/* What the check expects next; also the words of its messages. */
enum want { W_VALUE, W_VALUE_OR_CLOSE, W_KEY_OR_CLOSE, W_KEY, W_COLON, W_COMMA_OR_CLOSE };

static const char *want_text(enum want w, char top)
{
    switch (w) {
    case W_VALUE:
        return "a value";
    case W_VALUE_OR_CLOSE:
        return "a value or ']'";
    case W_KEY_OR_CLOSE:
        return "a key or '}'";
    case W_KEY:
        return "a key (a string in double quotes)";
    case W_COLON:
        return "':'";
    case W_COMMA_OR_CLOSE:
        return top == '{' ? "',' or '}'" : "',' or ']'";
    }
    return "?";
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* "unexpected character 'x'" or, for bytes that do not print, "unexpected byte 0x01". */
static int unexpected(heed_error *err, const char *s, size_t i, const char *expected)
{
    const unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f)
        return heed_io_fail(err, HEED_EPARSE, i,
                            "JSON: unexpected character '%c' at byte %zu, expected %s", c, i,
                            expected);
    return heed_io_fail(err, HEED_EPARSE, i,
                        "JSON: unexpected byte 0x%02X at byte %zu, expected %s", c, i, expected);
}

static int hex4(const char *s, size_t n, size_t i, unsigned *out)
{
    unsigned v = 0;
    if (n - i < 4)
        return -1;
    for (size_t k = i; k < i + 4; k++) {
        const char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Checks the string whose opening quote is s[i]; on success *end is the offset
 * after its closing quote. */
#define LOW7 0x7f7f7f7f7f7f7f7full
#define HIGH 0x8080808080808080ull

/* The high bit of each zero byte of x, exactly (no borrow between bytes). */
static inline uint64_t zero_bytes(uint64_t x)
{
    return ~(((x & LOW7) + LOW7) | x | LOW7);
}

/* The first j >= i with j == n or s[j] a quote, a backslash or a control
 * character (< 0x20): the bytes a string's check passes over, 8 at a time. */
static inline size_t plain_run(const char *s, size_t i, size_t n)
{
    for (; i + 8 <= n; i += 8) {
        const uint64_t x = heed__head8(s + i, 8); /* byte k at bits 8k */
        /* (x & 0x7f) + 0x60 reaches 0x80 from 0x20 on; bytes of 0x80 and
         * more are no control characters */
        const uint64_t ctl = ~(((x & LOW7) + 0x6060606060606060ull) | x) & HIGH;
        const uint64_t m = ctl | zero_bytes(x ^ 0x2222222222222222ull) |
                           zero_bytes(x ^ 0x5c5c5c5c5c5c5c5cull);
        if (m)
            return i + (size_t)__builtin_ctzll(m) / 8;
    }
    while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

size_t heed__jsonl_plain_run(const char *s, size_t i, size_t n)
{
    return plain_run(s, i, n);
}

static int check_string(const char *s, size_t n, size_t i, size_t *end, heed_error *err)
{
    const size_t open = i++;
    for (;;) {
        i = plain_run(s, i, n);
        if (i >= n)
            return heed_io_fail(err, HEED_EPARSE, n,
                                "JSON: unterminated string (opened at byte %zu), expected '\"'",
                                open);
        const unsigned char c = (unsigned char)s[i];
        if (c == '"')
            break;
        if (c < 0x20)
            return heed_io_fail(
                err, HEED_EPARSE, i,
                "JSON: control character 0x%02X in a string at byte %zu, expected it "
                "escaped (\\n, \\t, \\u00XX)",
                c, i);
        if (c != '\\') {
            i++;
            continue;
        }
        if (i + 1 >= n)
            return heed_io_fail(err, HEED_EPARSE, n,
                                "JSON: unterminated string (opened at byte %zu), expected '\"'",
                                open);
        const char e = s[i + 1];
        if (e != 'u') {
            if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                const unsigned char ue = (unsigned char)e;
                if (ue >= 0x20 && ue < 0x7f)
                    return heed_io_fail(err, HEED_EPARSE, i,
                                        "JSON: invalid escape '\\%c' at byte %zu, expected one of "
                                        "\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                                        e, i);
                return heed_io_fail(err, HEED_EPARSE, i,
                                    "JSON: invalid escape (backslash then byte 0x%02X) at byte %zu",
                                    ue, i);
            }
            i += 2;
            continue;
        }
        unsigned cp;
        if (hex4(s, n, i + 2, &cp) != 0)
            return heed_io_fail(err, HEED_EPARSE, i,
                                "JSON: invalid \\u escape at byte %zu, expected 4 hex digits", i);
        if (cp == 0)
            return heed_io_fail(
                err, HEED_EPARSE, i,
                "JSON: \\u0000 at byte %zu: NUL characters in strings are not supported", i);
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return heed_io_fail(err, HEED_EPARSE, i,
                                "JSON: unpaired low surrogate \\u%04X at byte %zu, expected a high "
                                "surrogate before it",
                                cp, i);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (i + 7 >= n || s[i + 6] != '\\' || s[i + 7] != 'u' || hex4(s, n, i + 8, &lo) != 0 ||
                lo < 0xDC00 || lo > 0xDFFF)
                return heed_io_fail(err, HEED_EPARSE, i,
                                    "JSON: unpaired high surrogate \\u%04X at byte %zu, expected a "
                                    "\\uDC00-\\uDFFF escape after it",
                                    cp, i);
            i += 12;
            continue;
        }
        i += 6;
    }
    *end = i + 1;
    return HEED_OK;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int check_number(const char *s, size_t n, size_t i, size_t *end, heed_error *err)
{
    const size_t start = i;
    if (s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && is_digit(s[i]))
        while (i < n && is_digit(s[i]))
            i++;
    else
        goto bad;
    if (i < n && s[i] == '.') {
        if (++i >= n || !is_digit(s[i]))
            goto bad;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            goto bad;
        while (i < n && is_digit(s[i]))
            i++;
    }
    *end = i;
    return HEED_OK;
bad:
    return heed_io_fail(err, HEED_EPARSE, i < n ? i : n,
                        "JSON: invalid number starting at byte %zu, expected a digit at byte %zu",
                        start, i);
}

/* The strict check; with `mem`, also lists the top-level members in order
 * (at most HEED_MAX_FIELDS, as the check allows no more keys). */
static int check_doc(const char *s, size_t n, member *mem, size_t *n_mem, heed_error *err)
{
    char stack[HEED_MAX_JSON_DEPTH];
    size_t depth = 0, keys = 0, key = 0, key_end = 0;
    size_t open_at = 0, open_key = 0, open_key_end = 0; /* a member's object or array */
    size_t i = skip_ws(s, n, 0);
    if (i >= n)
        return heed_io_fail(err, HEED_EPARSE, i, "JSON: empty record, expected an object");
    if (s[i] != '{')
        return unexpected(err, s, i, "an object ('{')");
    enum want w = W_VALUE;
    for (;;) {
        i = skip_ws(s, n, i);
        const char top = depth ? stack[depth - 1] : 0;
        if (i >= n)
            return heed_io_fail(err, HEED_EPARSE, n,
                                "JSON: unexpected end of line at byte %zu, expected %s", n,
                                want_text(w, top));
        const char c = s[i];
        size_t end = i;
        int rc;
        switch (w) {
        case W_KEY_OR_CLOSE:
        case W_KEY:
            if (c == '}' && w == W_KEY_OR_CLOSE)
                goto close;
            if (c != '"')
                return unexpected(err, s, i, want_text(w, top));
            if ((rc = check_string(s, n, i, &end, err)) != HEED_OK)
                return rc;
            if (depth == 1 && ++keys > HEED_MAX_FIELDS)
                return heed_io_fail(err, HEED_EPARSE, i,
                                    "JSON: more than %d keys in the object at byte %zu",
                                    HEED_MAX_FIELDS, i);
            key = i + 1;
            key_end = end - 1;
            i = end;
            w = W_COLON;
            continue;
        case W_COLON:
            if (c != ':')
                return unexpected(err, s, i, want_text(w, top));
            i++;
            w = W_VALUE;
            continue;
        case W_COMMA_OR_CLOSE:
            if (c == ',') {
                i++;
                w = top == '{' ? W_KEY : W_VALUE;
                continue;
            }
            if ((c == '}' && top == '{') || (c == ']' && top == '['))
                goto close;
            return unexpected(err, s, i, want_text(w, top));
        case W_VALUE:
        case W_VALUE_OR_CLOSE:
            if (c == ']' && w == W_VALUE_OR_CLOSE)
                goto close;
            if (c == '{' || c == '[') {
                if (depth == HEED_MAX_JSON_DEPTH)
                    return heed_io_fail(err, HEED_EPARSE, i,
                                        "JSON: nesting deeper than %d levels at byte %zu",
                                        HEED_MAX_JSON_DEPTH, i);
                if (depth == 1) {
                    open_at = i;
                    open_key = key;
                    open_key_end = key_end;
                }
                stack[depth++] = c;
                i++;
                w = c == '{' ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
                continue;
            }
            if (c == '"')
                rc = check_string(s, n, i, &end, err);
            else if (c == '-' || is_digit(c))
                rc = check_number(s, n, i, &end, err);
            else if (n - i >= 4 && memcmp(s + i, "true", 4) == 0)
                rc = HEED_OK, end = i + 4;
            else if (n - i >= 5 && memcmp(s + i, "false", 5) == 0)
                rc = HEED_OK, end = i + 5;
            else if (n - i >= 4 && memcmp(s + i, "null", 4) == 0)
                rc = HEED_OK, end = i + 4;
            else
                return unexpected(err, s, i, want_text(w, top));
            if (rc != HEED_OK)
                return rc;
            if (mem && depth == 1)
                mem[(*n_mem)++] = (member){key, key_end - key, i, end - i,
                                           c == '-' || is_digit(c) ? '0' : c};
            i = end;
            w = W_COMMA_OR_CLOSE;
            continue;
        }
    close:
        depth--;
        i++;
        if (depth == 0)
            break;
        if (mem && depth == 1)
            mem[(*n_mem)++] =
                (member){open_key, open_key_end - open_key, open_at, i - open_at, stack[1]};
        w = W_COMMA_OR_CLOSE;
    }
    i = skip_ws(s, n, i);
    if (i < n)
        return unexpected(err, s, i, "the end of the line after the object");
    return HEED_OK;
}

int heed__jsonl_check(const char *s, size_t n, heed_error *err)
{
    return check_doc(s, n, NULL, NULL, err);
}

/* The literal of the first top-level numeric member named `name`, when it is
 * an integer written without escapes in its key: the digits as written, so
 * ids longer than a double holds keep every digit. */
static const char *raw_integer(const char *s, const member *mem, size_t n_mem,
                               const char *name, size_t *len)
{
    size_t nl = strlen(name);
    for (size_t k = 0; k < n_mem; k++) {
        const member *m = &mem[k];
        if (m->kind != '0' || m->key_len != nl || memcmp(s + m->key, name, nl) != 0)
            continue;
        for (size_t i = 0; i < m->val_len; i++)
            if (s[m->val + i] == '.' || s[m->val + i] == 'e' || s[m->val + i] == 'E')
                return NULL; /* not an integer: the shortest round-trip form */
        *len = m->val_len;
        return s + m->val;
    }
    return NULL;
}

/* ------------------------------------------------------------ mapping */

static const char *type_name(char kind)
{
    switch (kind) {
    case '"':
        return "a string";
    case '0':
        return "a number";
    case 't':
    case 'f':
        return "a boolean";
    case 'n':
        return "null";
    case '[':
        return "an array";
    case '{':
        return "an object";
    default:
        return "an unknown value";
    }
}

/* Appends the string literal s[0..n) (quotes included), unescaped, and a NUL.
 * Most strings have no escape and are copied; the others are decoded by
 * cJSON, so the text is what cJSON makes of them. Returns the
 * unescaped length, or SIZE_MAX when out of memory. */
static size_t add_string(heed_buf *b, const char *s, size_t n)
{
    size_t len;
    if (!memchr(s + 1, '\\', n - 2)) {
        len = n - 2;
        heed__buf_add(b, s + 1, len);
    } else {
        cJSON *v = cJSON_ParseWithLength(s, n);
        if (!v || !cJSON_IsString(v)) { /* the check passed: only memory */
            cJSON_Delete(v);
            return SIZE_MAX;
        }
        len = strlen(v->valuestring);
        heed__buf_add(b, v->valuestring, len);
        cJSON_Delete(v);
    }
    heed__buf_addc(b, '\0');
    return b->err ? SIZE_MAX : len;
}

/* Appends the text form of a JSON number that is not a plain integer literal
 * (those are copied as written, see raw_integer): integral values within 2^53
 * as digits ("1e3" -> "1000"), other values with the fewest digits that read
 * back the same double. */
static int encode_number(heed_buf *b, double v)
{
    char tmp[40];
    if (!isfinite(v))
        return -1;
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        snprintf(tmp, sizeof tmp, "%.0f", v);
    else {
        snprintf(tmp, sizeof tmp, "%.15g", v);
        if (strtod(tmp, NULL) != v)
            snprintf(tmp, sizeof tmp, "%.17g", v);
    }
    heed__buf_adds(b, tmp);
    return 0;
}

int heed__jsonl_parse(heed_jsonl *j, const char *s, size_t n, const char *const *names,
                      const char *const *keep, size_t n_keep, heed_view *field, heed_view *kept,
                      heed_error *err)
{
    heed__buf_reset(&j->dec);
    for (size_t f = 0; f < HEED_F_COUNT; f++)
        field[f] = (heed_view){NULL, 0};
    for (size_t k = 0; k < n_keep; k++)
        kept[k] = (heed_view){NULL, 0};
    if (n_keep > j->keep_cap) {
        size_t *p = heed__realloc(j->keep_off, n_keep * sizeof *p);
        if (!p)
            return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
        j->keep_off = p;
        j->keep_cap = n_keep;
    }

    size_t n_mem = 0;
    int rc = check_doc(s, n, j->mem, &n_mem, err);
    if (rc != HEED_OK)
        return rc;

    /* The members in order, each against the field names and the kept keys;
     * the first of duplicate keys wins. Values go into dec at offsets (dec
     * may move while it grows); the views are made at the end. */
    size_t name_len[HEED_F_COUNT], off[HEED_F_COUNT];
    for (size_t f = 0; f < HEED_F_COUNT; f++) {
        name_len[f] = strlen(names[f]);
        off[f] = SIZE_MAX;
    }
    unsigned seen = 0; /* bit f: names[f] met */
    for (size_t m = 0; m < n_mem && rc == HEED_OK; m++) {
        const member *mb = &j->mem[m];
        const char *key = s + mb->key;
        size_t key_len = mb->key_len;
        cJSON *esc = NULL; /* a key with escapes, decoded */
        if (memchr(key, '\\', key_len)) {
            esc = cJSON_ParseWithLength(key - 1, key_len + 2);
            if (!esc || !cJSON_IsString(esc)) { /* the check passed: only memory */
                rc = heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
                goto next;
            }
            key = esc->valuestring;
            key_len = strlen(key);
        }
        for (size_t f = 0; f < HEED_F_COUNT; f++) {
            if ((seen & (1u << f)) || key_len != name_len[f] ||
                !heed__mem_eq(key, names[f], key_len))
                continue;
            seen |= 1u << f;
            if (mb->kind == '"') {
                off[f] = j->dec.len;
                size_t len = add_string(&j->dec, s + mb->val, mb->val_len);
                if (len == SIZE_MAX) {
                    rc = heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
                    goto next;
                }
                field[f].len = len;
            } else if (mb->kind == '0' && (f == HEED_F_ID || f == HEED_F_TIME)) {
                off[f] = j->dec.len;
                size_t raw_len;
                const char *raw = raw_integer(s, j->mem, n_mem, names[f], &raw_len);
                int bad = 0;
                if (raw) {
                    heed__buf_add(&j->dec, raw, raw_len);
                } else {
                    /* the double cJSON reads from the literal */
                    cJSON *v = cJSON_ParseWithLength(s + mb->val, mb->val_len);
                    if (!v) {
                        rc = heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
                        goto next;
                    }
                    bad = encode_number(&j->dec, v->valuedouble) != 0;
                    cJSON_Delete(v);
                }
                if (bad) {
                    rc = heed_io_fail(err, HEED_EFIELD, 0,
                                      "field \"%s\" is a number out of range, expected a "
                                      "string or a finite number",
                                      names[f]);
                    goto next;
                }
                field[f].len = j->dec.len - off[f];
            } else if (mb->kind != 'n' || f == HEED_F_TEXT) { /* null: absent */
                rc = heed_io_fail(err, HEED_EFIELD, 0, "field \"%s\" is %s, expected a string%s",
                                  names[f], type_name(mb->kind),
                                  f == HEED_F_ID || f == HEED_F_TIME ? " or a number" : "");
                goto next;
            }
        }
        for (size_t k = 0; k < n_keep; k++) {
            if (kept[k].len || keep[k][0] != (key_len ? key[0] : '\0') ||
                strlen(keep[k]) != key_len || memcmp(key, keep[k], key_len))
                continue;
            cJSON *v = cJSON_ParseWithLength(s + mb->val, mb->val_len);
            char *p = v ? cJSON_PrintUnformatted(v) : NULL;
            cJSON_Delete(v);
            if (!p) {
                rc = heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
                goto next;
            }
            j->keep_off[k] = j->dec.len;
            heed__buf_adds(&j->dec, p);
            cJSON_free(p);
            kept[k].len = j->dec.len - j->keep_off[k]; /* never 0: JSON text */
        }
    next:
        cJSON_Delete(esc);
    }
    if (rc != HEED_OK)
        return rc;
    if (off[HEED_F_TEXT] == SIZE_MAX)
        return heed_io_fail(err, HEED_EFIELD, 0, "field \"%s\" is missing", names[HEED_F_TEXT]);
    if (j->dec.err)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    /* dec is complete: its memory no longer moves. */
    for (size_t f = 0; f < HEED_F_COUNT; f++)
        if (off[f] != SIZE_MAX)
            field[f].ptr = j->dec.ptr + off[f];
    for (size_t k = 0; k < n_keep; k++)
        if (kept[k].len)
            kept[k].ptr = j->dec.ptr + j->keep_off[k];
    return HEED_OK;
}
