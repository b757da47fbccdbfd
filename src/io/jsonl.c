/* jsonl.c - one JSON-lines record to mapped fields (see jsonl.h). The check
 * below is a complete RFC 8259 syntax check without building anything, so every
 * record cJSON later parses is one we accept, and every message points at the
 * byte that is wrong. */
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

struct heed_jsonl {
    cJSON *doc;       /* the current record's tree; its strings back the views */
    heed_buf dec;     /* numbers re-encoded as text and kept values */
    size_t *keep_off; /* offsets into dec of the kept values, by keep index */
    size_t keep_cap;
};

heed_jsonl *heed__jsonl_new(void)
{
    heed_jsonl *j = heed__malloc(sizeof *j);
    if (!j)
        return NULL;
    j->doc = NULL;
    heed__buf_init(&j->dec, 0);
    j->keep_off = NULL;
    j->keep_cap = 0;
    return j;
}

void heed__jsonl_free(heed_jsonl *j)
{
    if (!j)
        return;
    cJSON_Delete(j->doc);
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

/* A top-level member whose value is a number: where its key (inside the
 * quotes, raw) and its number literal stand in the line. */
typedef struct num_member {
    size_t key, key_len, num, num_len;
} num_member;

/* The strict check; with `nums`, also lists the top-level numeric members
 * (at most HEED_MAX_FIELDS, as the check allows no more keys). */
static int check_doc(const char *s, size_t n, num_member *nums, size_t *n_nums, heed_error *err)
{
    char stack[HEED_MAX_JSON_DEPTH];
    size_t depth = 0, keys = 0, key = 0, key_end = 0;
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
            if (nums && depth == 1 && (c == '-' || is_digit(c)))
                nums[(*n_nums)++] = (num_member){key, key_end - key, i, end - i};
            i = end;
            w = W_COMMA_OR_CLOSE;
            continue;
        }
    close:
        depth--;
        i++;
        if (depth == 0)
            break;
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
static const char *raw_integer(const char *s, const num_member *nums, size_t n_nums,
                               const char *name, size_t *len)
{
    size_t nl = strlen(name);
    for (size_t k = 0; k < n_nums; k++) {
        const num_member *m = &nums[k];
        if (m->key_len != nl || memcmp(s + m->key, name, nl) != 0)
            continue;
        for (size_t i = 0; i < m->num_len; i++)
            if (s[m->num + i] == '.' || s[m->num + i] == 'e' || s[m->num + i] == 'E')
                return NULL; /* not an integer: the shortest round-trip form */
        *len = m->num_len;
        return s + m->num;
    }
    return NULL;
}

/* ------------------------------------------------------------ mapping */

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    return "an unknown value";
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
    cJSON_Delete(j->doc);
    j->doc = NULL;
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

    num_member nums[HEED_MAX_FIELDS];
    size_t n_nums = 0;
    int rc = check_doc(s, n, nums, &n_nums, err);
    if (rc != HEED_OK)
        return rc;
    j->doc = cJSON_ParseWithLength(s, n);
    if (!j->doc) /* the check passed, so only memory can be short */
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");

    size_t num_off[HEED_F_COUNT];
    for (size_t f = 0; f < HEED_F_COUNT; f++)
        num_off[f] = SIZE_MAX;
    unsigned seen = 0; /* bit f: names[f] met; the first of duplicate keys wins */
    for (const cJSON *c = j->doc->child; c; c = c->next) {
        for (size_t f = 0; f < HEED_F_COUNT; f++) {
            if ((seen & (1u << f)) || strcmp(c->string, names[f]) != 0)
                continue;
            seen |= 1u << f;
            if (cJSON_IsString(c))
                field[f] = (heed_view){c->valuestring, strlen(c->valuestring)};
            else if (cJSON_IsNumber(c) && (f == HEED_F_ID || f == HEED_F_TIME)) {
                num_off[f] = j->dec.len;
                size_t raw_len;
                const char *raw = raw_integer(s, nums, n_nums, names[f], &raw_len);
                if (raw)
                    heed__buf_add(&j->dec, raw, raw_len);
                else if (encode_number(&j->dec, c->valuedouble) != 0)
                    return heed_io_fail(
                        err, HEED_EFIELD, 0,
                        "field \"%s\" is a number out of range, expected a string or a "
                        "finite number",
                        names[f]);
                field[f].len = j->dec.len - num_off[f];
            } else if (cJSON_IsNull(c) && f != HEED_F_TEXT)
                ; /* null: absent */
            else
                return heed_io_fail(err, HEED_EFIELD, 0, "field \"%s\" is %s, expected a string%s",
                                    names[f], type_name(c),
                                    f == HEED_F_ID || f == HEED_F_TIME ? " or a number" : "");
        }
        for (size_t k = 0; k < n_keep; k++) {
            if (kept[k].len || strcmp(c->string, keep[k]) != 0)
                continue;
            char *p = cJSON_PrintUnformatted(c);
            if (!p)
                return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
            j->keep_off[k] = j->dec.len;
            heed__buf_adds(&j->dec, p);
            cJSON_free(p);
            kept[k].len = j->dec.len - j->keep_off[k]; /* never 0: JSON text */
        }
    }
    if (!field[HEED_F_TEXT].ptr)
        return heed_io_fail(err, HEED_EFIELD, 0, "field \"%s\" is missing", names[HEED_F_TEXT]);
    if (j->dec.err)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    /* dec is complete: its memory no longer moves. */
    for (size_t f = 0; f < HEED_F_COUNT; f++)
        if (num_off[f] != SIZE_MAX)
            field[f].ptr = j->dec.ptr + num_off[f];
    for (size_t k = 0; k < n_keep; k++)
        if (kept[k].len)
            kept[k].ptr = j->dec.ptr + j->keep_off[k];
    return HEED_OK;
}
