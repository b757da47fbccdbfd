/* keys.c - identity-key normalisers and the keyed hash (keys.h). The
 * normalisers work on ASCII bytes only and never quote their input in an error
 * message: a message may reach a log, a contact must not. */
#include "keys.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

struct heed_hasher {
    unsigned char key[HEED_KEY_BYTES];
};

static int set_err(heed_error *err, int code, size_t pos, const char *msg)
{
    if (err) {
        err->code = code;
        err->pos = pos;
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
    return code;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
    return is_digit(c) || is_alpha(c);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims ASCII white space; returns the offset of the first kept byte. */
static size_t trim(const char *s, size_t *len)
{
    size_t a = 0, b = *len;
    while (a < b && is_ws((unsigned char)s[a]))
        a++;
    while (b > a && is_ws((unsigned char)s[b - 1]))
        b--;
    *len = b - a;
    return a;
}

/* ---------------------------------------------------------------- e-mail */

static int is_local_char(int c)
{
    return is_alnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL);
}

int heed_key_email(const char *s, size_t len, char out[HEED_KEY_NORM_MAX], heed_error *err)
{
    if (!s || !out)
        return set_err(err, HEED_EINVAL, 0, "heed_key_email: NULL argument");
    out[0] = '\0';
    size_t off = trim(s, &len);
    s += off;
    if (len == 0)
        return set_err(err, HEED_EINVAL, off, "e-mail address is empty");
    if (len > 254)
        return set_err(err, HEED_EINVAL, off, "e-mail address is longer than 254 bytes");
    const char *at = memchr(s, '@', len);
    if (!at)
        return set_err(err, HEED_EINVAL, off, "e-mail address has no '@'");
    size_t nl = (size_t)(at - s);
    if (nl == 0 || nl > 64)
        return set_err(err, HEED_EINVAL, off, "e-mail local part is empty or over 64 bytes");
    for (size_t i = 0; i < nl; i++) {
        int c = (unsigned char)s[i];
        if (!is_local_char(c))
            return set_err(err, HEED_EINVAL, off + i, "e-mail local part has a character "
                                                      "outside letters, digits and !#$%&'*+/=?^_`{|}~.-");
        if (c == '.' && (i == 0 || i + 1 == nl || s[i + 1] == '.'))
            return set_err(err, HEED_EINVAL, off + i,
                           "e-mail local part has a leading, trailing or doubled dot");
    }
    const char *d = at + 1;
    size_t nd = len - nl - 1;
    size_t labels = 0, lab_start = 0;
    for (size_t i = 0; i <= nd; i++) {
        if (i < nd && d[i] != '.') {
            int c = (unsigned char)d[i];
            if (!is_alnum(c) && c != '-')
                return set_err(err, HEED_EINVAL, off + nl + 1 + i,
                               "e-mail domain has a character outside letters, digits, '-' and '.'");
            continue;
        }
        size_t ll = i - lab_start;
        if (ll == 0 || ll > 63 || d[lab_start] == '-' || d[i - 1] == '-')
            return set_err(err, HEED_EINVAL, off + nl + 1 + lab_start,
                           "e-mail domain has an empty, over-long or hyphen-edged label");
        labels++;
        if (i == nd) {
            /* the TLD: letters, or an IDNA A-label */
            int ok = ll >= 2;
            if (ll >= 5 && lower(d[lab_start]) == 'x' && lower(d[lab_start + 1]) == 'n' &&
                d[lab_start + 2] == '-' && d[lab_start + 3] == '-')
                ok = 1;
            else
                for (size_t k = lab_start; k < i && ok; k++)
                    ok = is_alpha((unsigned char)d[k]);
            if (!ok)
                return set_err(err, HEED_EINVAL, off + nl + 1 + lab_start,
                               "e-mail domain does not end in a top-level domain of letters");
        }
        lab_start = i + 1;
    }
    if (labels < 2)
        return set_err(err, HEED_EINVAL, off + nl + 1,
                       "e-mail domain needs a dot (local@domain.tld)");
    for (size_t i = 0; i < len; i++)
        out[i] = lower(s[i]);
    out[len] = '\0';
    return HEED_OK;
}

/* ---------------------------------------------------------------- phone */

/* Countries whose national numbers have no trunk prefix to drop: the digits
 * after the country code are dialled as written. Italy, San Marino and the
 * Vatican keep their leading 0 (is_keep0). */
static const char *const NO_TRUNK[] = {"30", "34", "39", "45", "47", "298", "299", "345",
                                       "351", "352", "354", "356", "376", "377", "378", "379",
                                       "852", "853", "965", "974", NULL};

static int in_list(const char *cc, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(cc, list[i]))
            return 1;
    return 0;
}

#define PHONE_MAX_DIGITS 20

int heed_key_phone(const char *s, size_t len, const char *default_cc,
                   char out[HEED_KEY_NORM_MAX], heed_error *err)
{
    if (!s || !out)
        return set_err(err, HEED_EINVAL, 0, "heed_key_phone: NULL argument");
    out[0] = '\0';
    size_t off = trim(s, &len);
    s += off;
    if (len == 0)
        return set_err(err, HEED_EINVAL, off, "phone number is empty");

    char dg[PHONE_MAX_DIGITS];
    size_t nd = 0;
    int plus = 0, paren = 0 /* 0 none, 1 open, 2 closed */;
    size_t paren_from = 0; /* digits before the '(' */
    int prev_sep = 1;      /* no separator may lead */
    size_t i = 0;
    if (s[0] == '+') {
        plus = 1;
        i = 1;
    }
    for (; i < len; i++) {
        char c = s[i];
        if (is_digit((unsigned char)c)) {
            if (nd == PHONE_MAX_DIGITS)
                return set_err(err, HEED_EINVAL, off + i, "phone number has more than 15 digits");
            dg[nd++] = c;
            prev_sep = 0;
        } else if (c == ' ' || c == '.' || c == '-') {
            /* one separator between digits; a space may also touch a parenthesis */
            if (prev_sep && !(c == ' ' && i > 0 && s[i - 1] == ')'))
                return set_err(err, HEED_EINVAL, off + i, "phone number has doubled separators");
            prev_sep = 1;
        } else if (c == '(') {
            if (paren)
                return set_err(err, HEED_EINVAL, off + i, "phone number has two '('");
            if (i > 0 && s[i - 1] != ' ' && !(plus && i == 1) && !is_digit((unsigned char)s[i - 1]))
                return set_err(err, HEED_EINVAL, off + i, "phone number has a misplaced '('");
            paren = 1;
            paren_from = nd;
            prev_sep = 1;
        } else if (c == ')') {
            if (paren != 1 || nd == paren_from || nd - paren_from > 5)
                return set_err(err, HEED_EINVAL, off + i, "phone number has a misplaced ')'");
            paren = 2;
            /* "+44 (0)20 ...": the national trunk 0 written beside the country code */
            if (nd - paren_from == 1 && dg[paren_from] == '0' && paren_from > 0 &&
                (plus || (nd > 2 && dg[0] == '0' && dg[1] == '0')))
                nd--;
            prev_sep = 0;
        } else {
            return set_err(err, HEED_EINVAL, off + i,
                           "phone number has a character other than digits, spaces, dots, "
                           "dashes, parentheses and a leading '+'");
        }
    }
    if (paren == 1)
        return set_err(err, HEED_EINVAL, off + len, "phone number has an unclosed '('");
    if (prev_sep && nd)
        return set_err(err, HEED_EINVAL, off + len - 1, "phone number ends in a separator");

    const char *d = dg;
    int intl = plus;
    if (!intl && nd >= 2 && d[0] == '0' && d[1] == '0') {
        intl = 1;
        d += 2;
        nd -= 2;
    } else if (!intl && default_cc && !strcmp(default_cc, "1") && nd >= 3 && d[0] == '0' &&
               d[1] == '1' && d[2] == '1') {
        intl = 1;
        d += 3;
        nd -= 3;
    }

    char e[16];
    size_t ne = 0;
    if (intl) {
        if (nd == 0 || d[0] == '0')
            return set_err(err, HEED_EINVAL, off, "phone country code cannot start with 0");
        if (nd > 15)
            return set_err(err, HEED_EINVAL, off, "phone number has more than 15 digits");
        memcpy(e, d, nd);
        ne = nd;
    } else {
        if (!default_cc)
            return set_err(err, HEED_EINVAL, off,
                           "national phone number without a default country calling code");
        size_t ncc = strlen(default_cc);
        int cc_ok = ncc >= 1 && ncc <= 3 && default_cc[0] != '0';
        for (size_t k = 0; k < ncc && cc_ok; k++)
            cc_ok = is_digit((unsigned char)default_cc[k]);
        if (!cc_ok)
            return set_err(err, HEED_EINVAL, 0, "default country calling code is not 1-3 digits");
        if (!strcmp(default_cc, "1")) {
            if (nd == 11 && d[0] == '1') {
                d++;
                nd--;
            }
            if (nd != 10 || d[0] < '2')
                return set_err(err, HEED_EINVAL, off,
                               "NANP number needs 10 digits with an area code starting 2-9");
        } else if (in_list(default_cc, NO_TRUNK)) {
            if (nd && d[0] == '0' && strcmp(default_cc, "39") && strcmp(default_cc, "378") &&
                strcmp(default_cc, "379"))
                return set_err(err, HEED_EINVAL, off,
                               "national number starts with 0 in a country without trunk prefix");
        } else {
            if (nd < 2 || d[0] != '0' || d[1] == '0')
                return set_err(err, HEED_EINVAL, off,
                               "national number needs its trunk prefix 0 (or write +CC)");
            d++;
            nd--;
        }
        if (nd < 6)
            return set_err(err, HEED_EINVAL, off, "phone number is too short");
        if (ncc + nd > 15)
            return set_err(err, HEED_EINVAL, off, "phone number has more than 15 digits");
        memcpy(e, default_cc, ncc);
        memcpy(e + ncc, d, nd);
        ne = ncc + nd;
    }
    if (ne < 7)
        return set_err(err, HEED_EINVAL, off, "phone number is too short");
    size_t same = 1;
    for (size_t k = 1; k < nd; k++)
        same += d[k] == d[0];
    if (same == nd)
        return set_err(err, HEED_EINVAL, off, "phone number is one digit repeated");
    out[0] = '+';
    memcpy(out + 1, e, ne);
    out[ne + 1] = '\0';
    return HEED_OK;
}

/* ---------------------------------------------------------------- handle */

/* Writes to out only on success (out[0] is set to NUL by the caller). */
static int handle_norm(const char *s, size_t len, char *out, heed_error *err)
{
    size_t off = trim(s, &len);
    s += off;
    size_t o = 0, i = 0;
    const char *colon = memchr(s, ':', len);
    if (colon) {
        size_t nn = (size_t)(colon - s);
        if (nn == 0 || nn > 32)
            return set_err(err, HEED_EINVAL, off, "handle network name is empty or over 32 bytes");
        for (; i < nn; i++) {
            if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
                return set_err(err, HEED_EINVAL, off + i,
                               "handle network name has a character outside letters, digits, '-'");
            out[o++] = lower(s[i]);
        }
        out[o++] = ':';
        i = nn + 1;
    }
    if (i < len && s[i] == '@')
        i++;
    out[o++] = '@';
    size_t nh = len - i;
    if (nh == 0 || nh > 64)
        return set_err(err, HEED_EINVAL, off + i, "handle is empty or over 64 characters");
    for (; i < len; i++) {
        int c = (unsigned char)s[i];
        if (!is_alnum(c) && c != '_' && c != '.')
            return set_err(err, HEED_EINVAL, off + i,
                           "handle has a character outside letters, digits, '_' and '.'");
        out[o++] = lower((char)c);
    }
    out[o] = '\0';
    return HEED_OK;
}

int heed_key_handle(const char *s, size_t len, char out[HEED_KEY_NORM_MAX], heed_error *err)
{
    if (!s || !out)
        return set_err(err, HEED_EINVAL, 0, "heed_key_handle: NULL argument");
    out[0] = '\0';
    char tmp[HEED_KEY_NORM_MAX];
    int rc = handle_norm(s, len, tmp, err);
    if (rc == HEED_OK)
        memcpy(out, tmp, strlen(tmp) + 1);
    return rc;
}

/* ---------------------------------------------------------------- hash */

int heed_hasher_new(const unsigned char *key, size_t key_len, heed_hasher **out, heed_error *err)
{
    if (!out)
        return set_err(err, HEED_EINVAL, 0, "heed_hasher_new: out is NULL");
    *out = NULL;
    if (!key || key_len != HEED_KEY_BYTES)
        return set_err(err, HEED_EINVAL, 0, "heed_hasher_new: the key must be 32 bytes");
    /* libsodium serialises sodium_init with its own lock; later calls return 1 */
    if (sodium_init() < 0)
        return set_err(err, HEED_EIO, 0, "libsodium could not initialise");
    heed_hasher *h = heed__malloc(sizeof *h);
    if (!h)
        return set_err(err, HEED_ENOMEM, 0, "out of memory for the hasher");
    memcpy(h->key, key, HEED_KEY_BYTES);
    *out = h;
    return HEED_OK;
}

void heed_hasher_free(heed_hasher *h)
{
    if (!h)
        return;
    sodium_memzero(h->key, sizeof h->key);
    heed__free(h);
}

int heed_key_generate(unsigned char key[HEED_KEY_BYTES])
{
    if (!key)
        return HEED_EINVAL;
    if (sodium_init() < 0)
        return HEED_EIO;
    randombytes_buf(key, HEED_KEY_BYTES);
    return HEED_OK;
}

int heed__key_hash_n(const heed_hasher *h, const char *kind, const char *v, size_t len,
                     char out[HEED_KEY_HEX + 1])
{
    if (!out)
        return HEED_EINVAL;
    out[0] = '\0';
    if (!h || !kind || (!v && len))
        return HEED_EINVAL;
    /* BLAKE2b's shortest output is 16 bytes; the token keeps the first 8. */
    unsigned char md[crypto_generichash_BYTES_MIN];
    crypto_generichash_state st;
    if (crypto_generichash_init(&st, h->key, HEED_KEY_BYTES, sizeof md) != 0 ||
        crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1) != 0 ||
        (len && crypto_generichash_update(&st, (const unsigned char *)v, len) != 0) ||
        crypto_generichash_final(&st, md, sizeof md) != 0)
        return HEED_EINVAL;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < HEED_KEY_HEX / 2; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[HEED_KEY_HEX] = '\0';
    sodium_memzero(&st, sizeof st);
    return HEED_OK;
}

int heed_key_hash(const heed_hasher *h, const char *kind, const char *normalised,
                  char out[HEED_KEY_HEX + 1])
{
    if (!normalised) {
        if (out)
            out[0] = '\0';
        return HEED_EINVAL;
    }
    return heed__key_hash_n(h, kind, normalised, strlen(normalised), out);
}
