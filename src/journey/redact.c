/* redact.c - PII redaction (redact.h). Two passes, both linear: the first
 * finds e-mail addresses around each '@'; the second walks the text once and,
 * at each word start outside an e-mail or URL, tries a card, an IBAN, a phone
 * number and a street address in that order, each matcher reading a bounded
 * number of bytes. Findings become "[kind:hash]" tokens. The matchers prefer to
 * miss: docs/privacy.md lists what they leave alone and why. */
#include "redact.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"

static const char *const KIND_NAMES[HEED_PII_KIND_COUNT] = {"email", "phone", "card", "iban",
                                                            "address"};

const char *heed_pii_kind_name(int kind)
{
    return kind >= 0 && kind < HEED_PII_KIND_COUNT ? KIND_NAMES[kind] : "unknown";
}

typedef struct span {
    size_t start, end;
} span;

typedef struct ctx {
    const char *s;
    size_t n;
    const heed_hasher *h;
    const char *default_cc;
    unsigned kinds;
    heed_finding *f;
    size_t nf, cap;
    int err;
} ctx;

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static int is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}
static int is_alpha(int c)
{
    /* setting bit 5 folds A-Z onto a-z and moves no other byte into it */
    return (unsigned)((c | 0x20) - 'a') < 26u;
}
static int is_alnum(int c)
{
    return is_digit(c) || is_alpha(c);
}
static char lower(char c)
{
    return is_upper((unsigned char)c) ? (char)(c - 'A' + 'a') : c;
}
static char upper(char c)
{
    return is_lower((unsigned char)c) ? (char)(c - 'a' + 'A') : c;
}

/* Byte at i, or 0 past the end: lets matchers look ahead without bounds tests. */
static int at(const ctx *c, size_t i)
{
    return i < c->n ? (unsigned char)c->s[i] : 0;
}

/* A multi-byte character that may sit next to a number like a space would:
 * NBSP, narrow NBSP, typographic quotes and guillemets. Any other non-ASCII
 * character glued to digits (a letter, a currency sign) makes them part of a
 * word or an amount. end: one past the character's last byte. */
static int soft_utf8_before(const ctx *c, size_t end)
{
    if (end >= 2) {
        const unsigned char *p = (const unsigned char *)c->s + end - 2;
        if (p[0] == 0xC2 && (p[1] == 0xA0 || p[1] == 0xAB || p[1] == 0xBB))
            return 1;
    }
    if (end >= 3) {
        const unsigned char *p = (const unsigned char *)c->s + end - 3;
        if (p[0] == 0xE2 && p[1] == 0x80 &&
            (p[2] == 0xAF || p[2] == 0x98 || p[2] == 0x99 || p[2] == 0x9C || p[2] == 0x9D))
            return 1;
    }
    return 0;
}

static int soft_utf8_after(const ctx *c, size_t i)
{
    int a = at(c, i), b = at(c, i + 1), d = at(c, i + 2);
    if (a == 0xC2 && (b == 0xA0 || b == 0xAB || b == 0xBB))
        return 1;
    return a == 0xE2 && b == 0x80 && (d == 0xAF || d == 0x98 || d == 0x99 || d == 0x9C || d == 0x9D);
}

/* May a number, IBAN or address start at i? Not inside a word, and not after
 * '#', '/', a decimal point, '$', '@', a query's '=' and the like, which make it
 * an id, a path, a date part or an amount. */
static int starts_word(const ctx *c, size_t i)
{
    if (i == 0)
        return 1;
    int p = (unsigned char)c->s[i - 1];
    if (p >= 0x80)
        return soft_utf8_before(c, i);
    if (is_alnum(p))
        return 0;
    return !strchr("#/\\.,_-$@&=%+*^~|", p);
}

/* May a number end at i? Not glued to a letter, and not followed by a decimal
 * or thousands part, a time, a date part, a percent or a currency sign. */
static int ends_word(const ctx *c, size_t i)
{
    int a = at(c, i);
    if (a == 0)
        return 1;
    if (a >= 0x80)
        return soft_utf8_after(c, i);
    if (is_alnum(a) || a == '_' || a == '%' || a == '@' || a == '$')
        return 0;
    if ((a == '.' || a == ',' || a == '-' || a == ':' || a == '/') && is_digit(at(c, i + 1)))
        return 0;
    return 1;
}

/* ---------------------------------------------------------------- findings */

static void add_finding(ctx *c, int kind, size_t start, size_t end, const char *norm,
                        size_t norm_len, int is_normalised)
{
    if (c->err || !(c->kinds & (1u << kind)))
        return;
    if (c->nf == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        heed_finding *f = heed__realloc(c->f, cap * sizeof *f);
        if (!f) {
            c->err = HEED_ENOMEM;
            return;
        }
        c->f = f;
        c->cap = cap;
    }
    heed_finding *f = &c->f[c->nf++];
    f->kind = kind;
    f->start = start;
    f->len = end - start;
    f->is_normalised = is_normalised;
    if (heed__key_hash_n(c->h, KIND_NAMES[kind], norm, norm_len, f->hash) != HEED_OK)
        c->err = HEED_EINVAL;
}

/* ---------------------------------------------------------------- e-mail */

/* The local-part characters accepted in running text: narrower than RFC 5322
 * so that "?to=jane@x.com" or "'jane@x.com'" do not pull '=' or a quote in. */
static int is_scan_local(int c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
}

static int is_scan_domain(int c)
{
    return is_alnum(c) || c == '.' || c == '-';
}

/* "logo@2x.png" is a file name, not an address. */
static int is_file_tld(const char *t, size_t n)
{
    static const char *const exts[] = {"png", "jpg", "jpeg", "gif", "svg", "webp", NULL};
    for (int i = 0; exts[i]; i++)
        if (strlen(exts[i]) == n) {
            size_t k = 0;
            while (k < n && lower(t[k]) == exts[i][k])
                k++;
            if (k == n)
                return 1;
        }
    return 0;
}

static int find_emails(ctx *c, span **out, size_t *nout)
{
    span *v = NULL;
    size_t nv = 0, cap = 0, lo = 0;
    const char *s = c->s;
    const char *p = s;
    while ((p = memchr(p, '@', (size_t)(s + c->n - p))) != NULL) {
        size_t i = (size_t)(p - s);
        p++;
        size_t a = i;
        while (a > lo && i - a < 64 && is_scan_local((unsigned char)s[a - 1]))
            a--;
        if (a > lo && is_scan_local((unsigned char)s[a - 1]))
            continue; /* a local part over 64 bytes: not an address */
        while (a < i && (s[a] == '.' || s[a] == '-' || s[a] == '+'))
            a++;
        if (a == i)
            continue;
        size_t b = i + 1;
        while (b < c->n && b - i <= 253 && is_scan_domain((unsigned char)s[b]))
            b++;
        while (b > i + 1 && (s[b - 1] == '.' || s[b - 1] == '-'))
            b--;
        size_t t = b;
        while (t > i + 1 && s[t - 1] != '.')
            t--;
        if (is_file_tld(s + t, b - t))
            continue;
        char norm[HEED_KEY_NORM_MAX];
        if (heed_key_email(s + a, b - a, norm, NULL) != HEED_OK)
            continue;
        if (nv == cap) {
            size_t nc = cap ? cap * 2 : 8;
            span *w = heed__realloc(v, nc * sizeof *w);
            if (!w) {
                heed__free(v);
                return HEED_ENOMEM;
            }
            v = w;
            cap = nc;
        }
        v[nv].start = a;
        v[nv].end = b;
        nv++;
        lo = b;
        p = s + b;
    }
    *out = v;
    *nout = nv;
    return HEED_OK;
}

/* ---------------------------------------------------------------- URLs */

static int has_prefix_ci(const ctx *c, size_t i, const char *w)
{
    for (size_t k = 0; w[k]; k++)
        if (lower((char)at(c, i + k)) != w[k])
            return 0;
    return 1;
}

/* End of a URL starting at i (http://, https://, www.), or 0 when none does. */
static size_t url_end(const ctx *c, size_t i)
{
    if (!(has_prefix_ci(c, i, "http://") || has_prefix_ci(c, i, "https://") ||
          has_prefix_ci(c, i, "www.")))
        return 0;
    size_t j = i;
    while (j < c->n) {
        int ch = (unsigned char)c->s[j];
        if (ch <= ' ' || ch == '<' || ch == '>' || ch == '"')
            break;
        j++;
    }
    return j;
}

/* ---------------------------------------------------------------- cards */

static int luhn_ok(const char *d, size_t n)
{
    int sum = 0;
    for (size_t k = 0; k < n; k++) {
        int v = d[n - 1 - k] - '0';
        if (k & 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

/* A card number at i: 13-19 digits in groups of 3-8 joined by one space or one
 * dash (the same throughout), or unbroken; Luhn-valid. Returns its end or 0;
 * when a run of that shape fails the Luhn check, *skip is set to its end so no
 * other matcher cuts a phone number out of it. */
static size_t match_card(const ctx *c, size_t i, size_t *skip)
{
    char d[19];
    size_t nd = 0, ng = 0, j = i;
    size_t g_end[8], g_nd[8];
    int sep = 0;
    for (;;) {
        size_t g0 = j;
        while (is_digit(at(c, j)) && j - g0 <= 19)
            j++;
        size_t gl = j - g0;
        if (gl > 19 || (ng == 0 && is_digit(at(c, j)))) {
            while (is_digit(at(c, j)))
                j++;
            *skip = j; /* a digit run longer than any card or phone */
            return 0;
        }
        if (nd + gl > 19 || (ng > 0 && (gl < 3 || gl > 8)))
            break;
        memcpy(d + nd, c->s + g0, gl);
        nd += gl;
        g_end[ng] = j;
        g_nd[ng] = nd;
        ng++;
        int s = at(c, j);
        if (ng == 8 || !(s == ' ' || s == '-') || (sep && s != sep) || !is_digit(at(c, j + 1)))
            break;
        sep = s;
        j++;
    }
    if (ng > 1 && (g_nd[0] < 3 || g_nd[0] > 8))
        return 0;
    for (size_t k = ng; k-- > 0;) {
        if (g_nd[k] < 13)
            break;
        if (ends_word(c, g_end[k]) && luhn_ok(d, g_nd[k]))
            return g_end[k];
    }
    if (ng && g_nd[ng - 1] >= 16)
        *skip = g_end[ng - 1]; /* too long for a phone number too */
    return 0;
}

/* ---------------------------------------------------------------- IBAN */

/* IBAN length per country (SWIFT IBAN registry). */
static const struct {
    char cc[3];
    unsigned char len;
} IBAN_LEN[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
    {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22},
    {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20},
    {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22},
    {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30},
    {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21},
    {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33},
    {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
    {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29},
    {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

#define IBAN_MAX 34

static size_t iban_len(char a, char b)
{
    for (size_t k = 0; k < sizeof IBAN_LEN / sizeof IBAN_LEN[0]; k++)
        if (IBAN_LEN[k].cc[0] == a && IBAN_LEN[k].cc[1] == b)
            return IBAN_LEN[k].len;
    return 0;
}

/* ISO 7064 MOD 97-10 over the IBAN with its first four characters moved to
 * the end, letters as 10..35: valid when the remainder is 1. */
static int iban_ok(const char *v, size_t n)
{
    unsigned r = 0;
    for (size_t k = 0; k < n; k++) {
        char ch = v[(k + 4) % n];
        if (is_digit((unsigned char)ch))
            r = (r * 10 + (unsigned)(ch - '0')) % 97;
        else
            r = (r * 100 + (unsigned)(ch - 'A' + 10)) % 97;
    }
    return r == 1;
}

/* An IBAN at i: country letters (one case), two check digits, the BBAN of the
 * country's length, single spaces allowed between characters. Writes the
 * upper-case form to v. Returns its end or 0. */
static size_t match_iban(const ctx *c, size_t i, char v[IBAN_MAX + 1], size_t *nv, size_t *skip)
{
    int a = at(c, i), b = at(c, i + 1);
    if (!((is_upper(a) && is_upper(b)) || (is_lower(a) && is_lower(b))) ||
        !is_digit(at(c, i + 2)) || !is_digit(at(c, i + 3)))
        return 0;
    size_t want = iban_len(upper((char)a), upper((char)b));
    if (!want)
        return 0;
    size_t n = 0, j = i;
    while (n < want) {
        int ch = at(c, j);
        if (is_alnum(ch)) {
            v[n++] = upper((char)ch);
            j++;
        } else if (ch == ' ' && n >= 4 && is_alnum(at(c, j + 1))) {
            j++;
        } else {
            return 0;
        }
    }
    if (is_alnum(at(c, j)) || !ends_word(c, j))
        return 0;
    v[n] = '\0';
    *nv = n;
    if (iban_ok(v, n))
        return j;
    *skip = j; /* IBAN-shaped with a wrong check: nothing else inside it */
    return 0;
}

/* ---------------------------------------------------------------- phones */

/* Up to three words before i (nearest first) decide the context of a number:
 * returns 1 after a phone word ("call", "tel"), -1 after an id word ("order",
 * "ref", "invoice"), 0 otherwise. */
static int number_cue(const ctx *c, size_t i, size_t lo)
{
    static const char *const PHONE_W[] = {"call",   "phone", "tel",      "telephone", "mobile",
                                          "cell",   "mob",   "ring",     "text",      "sms",
                                          "fax",    "whatsapp", "landline", "reach",  "dial",
                                          "phoned", "called", "contact", NULL};
    static const char *const ID_W[] = {
        "order",   "ref",      "reference", "invoice",     "ticket",   "case",   "tracking",
        "track",   "account",  "acct",      "parcel",      "booking",  "confirmation",
        "transaction", "txn",  "po",        "id",          "sku",      "serial", "item",
        "policy",  "claim",    "membership", "member",     "shipment", "consignment",
        "awb",     "receipt",  "rma",       "imei",        "customer", "orders", "isbn",
        "code",    "pin",      "barcode",   "voucher",     NULL};
    size_t j = i;
    for (int w = 0; w < 3; w++) {
        size_t skip = 0;
        while (j > lo && skip < 4 && strchr(" \t:.#-(", c->s[j - 1]) && c->s[j - 1] != '\0') {
            j--;
            skip++;
        }
        size_t e = j;
        while (j > lo && e - j < 16 && is_alpha((unsigned char)c->s[j - 1]))
            j--;
        if (j == e || (j > lo && is_alnum((unsigned char)c->s[j - 1])))
            return 0;
        char word[17];
        size_t wl = e - j;
        for (size_t k = 0; k < wl; k++)
            word[k] = lower(c->s[j + k]);
        word[wl] = '\0';
        for (int k = 0; PHONE_W[k]; k++)
            if (!strcmp(word, PHONE_W[k]))
                return 1;
        for (int k = 0; ID_W[k]; k++)
            if (!strcmp(word, ID_W[k]))
                return -1;
    }
    return 0;
}

/* A currency sign or code just before i or just after e: the number is money. */
static int money_around(const ctx *c, size_t i, size_t e, size_t lo)
{
    static const char *const CODES[] = {"eur", "usd", "gbp", "chf", "jpy", "sek", "nok", "dkk",
                                        "pln", "cad", "aud", "euro", "euros", "dollars",
                                        "pounds", NULL};
    size_t j = i;
    while (j > lo && j + 2 > i && c->s[j - 1] == ' ')
        j--;
    if (j > lo) {
        int p = (unsigned char)c->s[j - 1];
        if (p == '$' || (p >= 0x80 && !soft_utf8_before(c, j)))
            return 1;
        size_t k = j;
        while (k > lo && j - k < 8 && is_alpha((unsigned char)c->s[k - 1]))
            k--;
        for (int w = 0; CODES[w] && k < j; w++)
            if (strlen(CODES[w]) == j - k && has_prefix_ci(c, k, CODES[w]))
                return 1;
    }
    size_t k = e;
    while (k < c->n && k < e + 2 && c->s[k] == ' ')
        k++;
    int a = at(c, k);
    if (a == '$' || (a >= 0x80 && !soft_utf8_after(c, k)))
        return 1;
    size_t w0 = k;
    while (is_alpha(at(c, k)) && k - w0 < 8)
        k++;
    for (int w = 0; CODES[w] && k > w0; w++)
        if (strlen(CODES[w]) == k - w0 && has_prefix_ci(c, w0, CODES[w]))
            return 1;
    return 0;
}

#define PHONE_SCAN 40
#define PHONE_GROUPS 8

typedef struct pgroups {
    size_t n;                  /* groups */
    size_t len[PHONE_GROUPS];  /* digits per group */
    size_t off[PHONE_GROUPS];  /* offset of each group's first digit */
    size_t end[PHONE_GROUPS];  /* end of each group, a closing ')' included */
    char sep[PHONE_GROUPS];    /* separator before each group (0 for the first) */
    int plus;
} pgroups;

static int val(const ctx *c, size_t off, size_t n)
{
    int v = 0;
    for (size_t k = 0; k < n; k++)
        v = v * 10 + (c->s[off + k] - '0');
    return v;
}

static int is_year(const ctx *c, const pgroups *g, size_t k)
{
    if (g->len[k] != 4)
        return 0;
    int y = val(c, g->off[k], 4);
    return y >= 1900 && y <= 2099;
}

/* Three groups [k, k+2] joined by the same separator that read as a date. */
static int is_date_at(const ctx *c, const pgroups *g, size_t k)
{
    if (g->sep[k + 1] != g->sep[k + 2] || g->sep[k + 1] == '(' || g->sep[k + 1] == ')')
        return 0;
    if (is_year(c, g, k) && g->len[k + 1] <= 2 && g->len[k + 2] <= 2)
        return val(c, g->off[k + 1], g->len[k + 1]) <= 12 &&
               val(c, g->off[k + 2], g->len[k + 2]) <= 31;
    if (is_year(c, g, k + 2) && g->len[k] <= 2 && g->len[k + 1] <= 2)
        return val(c, g->off[k], g->len[k]) <= 31 && val(c, g->off[k + 1], g->len[k + 1]) <= 31;
    return 0;
}

/* Whether groups [0, k) at i look like a phone number (see docs/privacy.md). */
static int phone_shape(const ctx *c, const pgroups *g, size_t k, size_t i, size_t lo)
{
    size_t nd = 0;
    for (size_t q = 0; q < k; q++)
        nd += g->len[q];
    if (nd < 7 || nd > 15 || k > 6)
        return 0;
    for (size_t q = 0; q + 2 < k; q++)
        if (is_date_at(c, g, q))
            return 0;
    if (k == 2 && g->sep[1] == '-' && is_year(c, g, 0) && is_year(c, g, 1))
        return 0; /* 2019-2024 */
    int all_dots = k > 1;
    for (size_t q = 1; q < k; q++) {
        if (g->len[q] < 2 && !(g->sep[q] == '(' && c->s[g->off[q]] == '0'))
            return 0; /* only a country code, a leading "1" or "(0)" is one digit */
        all_dots &= g->sep[q] == '.';
    }
    if (all_dots) {
        int small = 1, thousands = g->len[0] <= 3;
        for (size_t q = 0; q < k; q++) {
            small &= g->len[q] <= 3;
            thousands &= q == 0 || g->len[q] == 3;
        }
        if ((k == 4 && small) || thousands)
            return 0; /* an IP address; 1.200.000 */
    }
    if (money_around(c, i, g->end[k - 1], lo))
        return 0;
    int cue = g->plus ? 0 : number_cue(c, i, lo);
    if (cue < 0)
        return 0;
    const char *d0 = c->s + g->off[0];
    if (g->plus)
        return k > 1 ? g->len[0] <= 4 || nd >= 10 : nd >= 8;
    if (d0[0] == '0' && g->len[0] >= 2 && d0[1] == '0')
        return nd >= 10; /* 00 44 ... */
    if (cue > 0)
        return 1;
    if (d0[0] == '0')
        return nd >= 9 && nd <= 12 && (k > 1 || nd >= 10);
    if (k == 1)
        return 0; /* a bare digit run is an id until a phone word says otherwise */
    /* NANP shapes, then a local number without area code */
    if (k == 3 && g->len[0] == 3 && g->len[1] == 3 && g->len[2] == 4)
        return 1;
    if (k == 4 && g->len[0] == 1 && d0[0] == '1' && g->len[1] == 3 && g->len[2] == 3 &&
        g->len[3] == 4)
        return 1;
    if (k == 2 && (g->len[0] == 3 || g->len[0] == 4) && g->len[1] == 4 && d0[0] >= '2' &&
        g->sep[1] == '-')
        return 1;
    return 0;
}

static size_t match_address(const ctx *c, size_t i);

/* Reads the digit groups of a phone-like run at i. Returns 0 when the run is
 * not even a candidate (unbalanced parentheses, too long). */
static int phone_groups(const ctx *c, size_t i, pgroups *g)
{
    size_t j = i;
    int paren = 0;
    g->n = 0;
    g->plus = 0;
    char pending = 0;
    if (at(c, j) == '+') {
        g->plus = 1;
        j++;
    }
    while (j < c->n && j - i < PHONE_SCAN) {
        int ch = at(c, j);
        if (is_digit(ch)) {
            if (g->n == PHONE_GROUPS)
                break;
            size_t k = g->n++;
            g->off[k] = j;
            g->sep[k] = pending;
            while (is_digit(at(c, j)))
                j++;
            g->len[k] = j - g->off[k];
            if (g->len[k] > 15)
                return 0;
            if (paren == 1 && at(c, j) == ')') {
                paren = 2;
                j++;
            } else if (paren == 1) {
                g->n--; /* "(24h)": the parenthesis is not part of the number */
                break;
            }
            g->end[k] = j;
            pending = 0;
            int s = at(c, j);
            if ((s == ' ' || s == '-' || s == '.') && is_digit(at(c, j + 1))) {
                pending = (char)s;
                j++;
            } else if (s == ' ' && at(c, j + 1) == '(' && !paren && is_digit(at(c, j + 2))) {
                pending = '(';
                paren = 1;
                j += 2;
            } else if (paren == 2 && s != ' ' && is_digit(s) && at(c, j - 1) == ')') {
                pending = ')'; /* "(0)20" */
            } else if (s == '(' && !paren && (g->plus || (g->n == 1 && g->len[0] == 4 &&
                                                            c->s[g->off[0]] == '0')) &&
                       is_digit(at(c, j + 1))) {
                pending = '(';
                paren = 1;
                j++;
            } else {
                break;
            }
        } else if (ch == '(' && j == i && !paren && is_digit(at(c, j + 1))) {
            paren = 1;
            pending = '(';
            j++;
        } else {
            break;
        }
    }
    /* every group kept ends before any unclosed '(' */
    return g->n > 0;
}

/* A phone number at i; returns its end or 0, and whether it had a '+'. */
static size_t match_phone(const ctx *c, size_t i, size_t lo)
{
    pgroups g;
    if (!phone_groups(c, i, &g))
        return 0;
    size_t k = g.n;
    /* trailing groups after a space may be another number ("... 0958 2 times",
     * a card after a phone): drop them one by one */
    for (; k > 0; k--) {
        if (k > 1 && g.sep[k - 1] == ' ' && match_address(c, g.off[k - 1]))
            continue; /* "... 960123 12 Elm Rd": the house number is not a digit group */
        if (ends_word(c, g.end[k - 1]) && phone_shape(c, &g, k, i, lo))
            return g.end[k - 1];
        if (k < 2 || g.sep[k - 1] != ' ')
            break;
    }
    return 0;
}

/* ---------------------------------------------------------------- addresses */

static const char *const STREET_TYPES[] = {
    "street", "st",    "road",    "rd",   "avenue", "ave",   "av",   "lane",    "ln",
    "drive",  "dr",    "boulevard", "blvd", "way",  "close", "court", "ct",     "place",
    "pl",     "terrace", "crescent", "square", "sq", "gardens", "grove", "parade", "highway",
    "hwy",    "parkway", "pkwy",  "circle", "cir",  "mews",  NULL};

static int word_is(const ctx *c, size_t a, size_t b, const char *const *list)
{
    for (int k = 0; list[k]; k++)
        if (strlen(list[k]) == b - a && has_prefix_ci(c, a, list[k]))
            return 1;
    return 0;
}

/* A UK postcode at i ("SW1A 1AA", "M1 1AE", "B338TH"); returns its end or 0. */
static size_t match_uk_postcode(const ctx *c, size_t i)
{
    size_t j = i;
    if (!is_upper(at(c, j)))
        return 0;
    j++;
    if (is_upper(at(c, j)))
        j++;
    if (!is_digit(at(c, j)))
        return 0;
    j++;
    /* the outward code's optional last character, tried with and without */
    for (int opt = 1; opt >= 0; opt--) {
        size_t k = j;
        if (opt) {
            if (!(is_digit(at(c, k)) || is_upper(at(c, k))))
                continue;
            k++;
        }
        if (at(c, k) == ' ')
            k++;
        if (is_digit(at(c, k)) && is_upper(at(c, k + 1)) && is_upper(at(c, k + 2)) &&
            !is_alnum(at(c, k + 3)))
            return k + 3;
    }
    return 0;
}

/* A US state code and ZIP ("IL 62704", "CA 94105-1234"); returns its end or 0. */
static size_t match_us_zip(const ctx *c, size_t i)
{
    static const char STATES[] = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD "
                                 "MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD "
                                 "TN TX UT VT VA WA WV WI WY PR";
    int a = at(c, i), b = at(c, i + 1);
    if (!is_upper(a) || !is_upper(b) || at(c, i + 2) != ' ')
        return 0;
    int known = 0;
    /* the codes at 0, 3, ...; the last one has no space after it */
    for (size_t k = 0; k + 2 < sizeof STATES && !known; k += 3)
        known = STATES[k] == a && STATES[k + 1] == b;
    if (!known)
        return 0;
    size_t j = i + 3;
    for (int k = 0; k < 5; k++, j++)
        if (!is_digit(at(c, j)))
            return 0;
    if (at(c, j) == '-' && is_digit(at(c, j + 1)) && is_digit(at(c, j + 2)) &&
        is_digit(at(c, j + 3)) && is_digit(at(c, j + 4)))
        j += 5;
    return is_alnum(at(c, j)) || !ends_word(c, j) ? 0 : j;
}

/* Reads a word of ASCII letters (inner ' and - allowed) at j; returns its end. */
static size_t word_end(const ctx *c, size_t j)
{
    size_t k = j;
    while (is_alpha(at(c, k)) ||
           ((at(c, k) == '\'' || at(c, k) == '-') && k > j && is_alpha(at(c, k + 1))))
        k++;
    return k;
}

/* A street address at i: house number ("12", "221B", "12-14"), one to four
 * capitalised name words, a street-type word, and when a UK postcode or a US
 * state and ZIP follows after at most three capitalised town words, up to it. */
static size_t match_address(const ctx *c, size_t i)
{
    size_t j = i;
    while (is_digit(at(c, j)) && j - i < 6)
        j++;
    if (j == i || j - i > 5 || at(c, i) == '0')
        return 0;
    if (at(c, j) == '-' && is_digit(at(c, j + 1))) {
        j++;
        while (is_digit(at(c, j)) && j - i < 12)
            j++;
    } else if (is_alpha(at(c, j)) && at(c, j + 1) == ' ') {
        j++;
    }
    if (at(c, j) != ' ')
        return 0;
    j++;
    size_t end = 0;
    for (int w = 0; w < 5; w++) {
        size_t e = word_end(c, j);
        if (e == j || is_digit(at(c, e)) || (unsigned char)at(c, e) >= 0x80)
            return 0;
        if (w > 0 && word_is(c, j, e, STREET_TYPES)) {
            end = e; /* a dot after "Rd." stays: it may end the sentence */
            break;
        }
        if (!is_upper(at(c, j)))
            return 0;
        if (at(c, e) != ' ')
            return 0;
        j = e + 1;
    }
    if (!end)
        return 0;
    /* optional town and postcode */
    size_t k = end;
    for (int w = 0; w < 4; w++) {
        if (at(c, k) == ',')
            k++;
        if (at(c, k) != ' ')
            break;
        k++;
        size_t p = match_uk_postcode(c, k);
        if (!p)
            p = match_us_zip(c, k);
        if (p)
            return p;
        if (w == 3 || !is_upper(at(c, k)))
            break;
        size_t e = word_end(c, k);
        if (e == k)
            break;
        k = e;
    }
    return end;
}

/* ---------------------------------------------------------------- main */

static void add_phone(ctx *c, size_t a, size_t b)
{
    char norm[HEED_KEY_NORM_MAX];
    if (heed_key_phone(c->s + a, b - a, c->default_cc, norm, NULL) == HEED_OK) {
        add_finding(c, HEED_PII_PHONE, a, b, norm, strlen(norm), 1);
        return;
    }
    size_t n = 0;
    for (size_t k = a; k < b && n + 1 < sizeof norm; k++)
        if (is_digit((unsigned char)c->s[k]) || (k == a && c->s[k] == '+'))
            norm[n++] = c->s[k];
    add_finding(c, HEED_PII_PHONE, a, b, norm, n, 0);
}

static void add_address(ctx *c, size_t a, size_t b)
{
    char norm[256];
    size_t n = 0;
    int space = 0;
    for (size_t k = a; k < b && n + 1 < sizeof norm; k++) {
        char ch = c->s[k];
        if (ch == ',' || ch == '.')
            continue;
        if (ch == ' ' || ch == '\t') {
            space = 1;
            continue;
        }
        if (space && n)
            norm[n++] = ' ';
        space = 0;
        if (n + 1 < sizeof norm)
            norm[n++] = lower(ch);
    }
    add_finding(c, HEED_PII_ADDRESS, a, b, norm, n, 1);
}

/* Length of a token "[kind:hash]" at i, or 0. */
static size_t token_len(const ctx *c, size_t i)
{
    for (int k = 0; k < HEED_PII_KIND_COUNT; k++) {
        size_t n = strlen(KIND_NAMES[k]);
        if (i + n + HEED_KEY_HEX + 3 > c->n || memcmp(c->s + i + 1, KIND_NAMES[k], n) ||
            c->s[i + 1 + n] != ':')
            continue;
        size_t j = i + 2 + n;
        for (size_t q = 0; q < HEED_KEY_HEX; q++, j++)
            if (!is_digit(at(c, j)) && !(at(c, j) >= 'a' && at(c, j) <= 'f'))
                return 0;
        return at(c, j) == ']' ? j + 1 - i : 0;
    }
    return 0;
}

static void scan(ctx *c, const span *em, size_t nem)
{
    size_t i = 0, ei = 0, url_until = 0, lo = 0;
    while (i < c->n && !c->err) {
        if (ei < nem && i >= em[ei].start) {
            char norm[HEED_KEY_NORM_MAX];
            size_t a = em[ei].start, b = em[ei].end;
            if (heed_key_email(c->s + a, b - a, norm, NULL) == HEED_OK)
                add_finding(c, HEED_PII_EMAIL, a, b, norm, strlen(norm), 1);
            i = lo = b;
            ei++;
            continue;
        }
        size_t limit = ei < nem ? em[ei].start : c->n;
        if (i < url_until) {
            i = url_until < limit ? url_until : limit;
            continue;
        }
        int ch = (unsigned char)c->s[i];
        size_t tl;
        if (ch == '[' && (tl = token_len(c, i)) && i + tl <= limit) {
            i += tl; /* already redacted: redacting twice changes nothing */
            continue;
        }
        /* Fast paths, for most bytes of a text. A letter starts no card, phone
         * or address; unless it is h or w (a URL) or two digits follow the
         * next character (an IBAN), nothing starts there, nor anywhere inside
         * the run of letters and digits it is part of (not a word start):
         * skip the run. And a byte that is no letter, digit, '+', '(' or '['
         * starts nothing: skip such bytes. */
        if (is_alpha(ch)) {
            if (ch != 'h' && ch != 'H' && ch != 'w' && ch != 'W' &&
                !(is_digit(at(c, i + 2)) && is_digit(at(c, i + 3)))) {
                i++;
                while (i < limit && is_alnum((unsigned char)c->s[i]))
                    i++;
                continue;
            }
        } else if (!is_digit(ch) && ch != '+' && ch != '(') {
            i++;
            while (i < limit && !is_alnum(ch = (unsigned char)c->s[i]) && ch != '+' && ch != '(' &&
                   ch != '[')
                i++;
            continue;
        }
        if (!(is_alnum(ch) || ch == '+' || ch == '(') || !starts_word(c, i)) {
            i++;
            continue;
        }
        size_t e;
        if ((ch == 'h' || ch == 'H' || ch == 'w' || ch == 'W') && (e = url_end(c, i))) {
            url_until = e;
            continue;
        }
        e = 0;
        int kind = -1;
        size_t skip = 0;
        if (is_digit(ch) && (e = match_card(c, i, &skip)) && e <= limit) {
            kind = HEED_PII_CARD;
        } else if (is_alpha(ch)) {
            char v[IBAN_MAX + 1];
            size_t nv = 0;
            if ((e = match_iban(c, i, v, &nv, &skip)) && e <= limit) {
                add_finding(c, HEED_PII_IBAN, i, e, v, nv, 1);
                i = lo = e;
                continue;
            }
        }
        if (kind < 0 && skip > i) {
            i = skip < limit ? skip : limit;
            continue;
        }
        if (kind < 0 && (e = match_phone(c, i, lo)) && e <= limit)
            kind = HEED_PII_PHONE;
        if (kind < 0 && is_digit(ch) && (e = match_address(c, i)) && e <= limit)
            kind = HEED_PII_ADDRESS;
        if (kind < 0) {
            /* skip the rest of this word: nothing starts inside it */
            i++;
            while (i < limit && is_alnum(at(c, i)))
                i++;
            continue;
        }
        if (kind == HEED_PII_CARD) {
            char d[19];
            size_t nd = 0;
            for (size_t k = i; k < e; k++)
                if (is_digit((unsigned char)c->s[k]))
                    d[nd++] = c->s[k];
            add_finding(c, HEED_PII_CARD, i, e, d, nd, 1);
        } else if (kind == HEED_PII_PHONE) {
            add_phone(c, i, e);
        } else {
            add_address(c, i, e);
        }
        i = lo = e;
    }
}

static int set_err(heed_error *err, int code, const char *msg)
{
    if (err) {
        err->code = code;
        err->pos = 0;
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
    return code;
}

int heed_redact(const heed_hasher *h, const char *text, size_t len, const heed_redact_opts *opts,
                heed_redaction *out, heed_error *err)
{
    if (!out)
        return set_err(err, HEED_EINVAL, "heed_redact: out is NULL");
    memset(out, 0, sizeof *out);
    if (!h || (!text && len))
        return set_err(err, HEED_EINVAL, "heed_redact: NULL hasher or text");
    if (len > HEED_REDACT_MAX_TEXT)
        return set_err(err, HEED_ETOOBIG, "heed_redact: text longer than the limit");
    ctx c = {0};
    c.s = text ? text : "";
    c.n = len;
    c.h = h;
    c.default_cc = opts ? opts->default_cc : NULL;
    c.kinds = opts && opts->kinds ? opts->kinds & HEED_REDACT_ALL : HEED_REDACT_ALL;
    span *em = NULL;
    size_t nem = 0;
    heed_buf b;
    heed__buf_init(&b, 0);
    int rc = find_emails(&c, &em, &nem);
    if (rc)
        goto fail;
    scan(&c, em, nem);
    if ((rc = c.err))
        goto fail;
    size_t pos = 0;
    if ((rc = heed__buf_reserve(&b, len + 1)))
        goto fail;
    for (size_t k = 0; k < c.nf; k++) {
        const heed_finding *f = &c.f[k];
        heed__buf_add(&b, c.s + pos, f->start - pos);
        heed__buf_addc(&b, '[');
        heed__buf_adds(&b, KIND_NAMES[f->kind]);
        heed__buf_addc(&b, ':');
        heed__buf_adds(&b, f->hash);
        heed__buf_addc(&b, ']');
        pos = f->start + f->len;
    }
    heed__buf_add(&b, c.s + pos, len - pos);
    if ((rc = b.err))
        goto fail;
    heed__free(em);
    out->text = heed__buf_take(&b, &out->len);
    out->findings = c.f;
    out->n_findings = c.nf;
    return HEED_OK;
fail:
    heed__free(em);
    heed__free(c.f);
    heed__buf_release(&b);
    return set_err(err, rc, rc == HEED_ENOMEM ? "heed_redact: out of memory"
                                              : "heed_redact: could not hash a finding");
}

void heed_redaction_release(heed_redaction *r)
{
    if (!r)
        return;
    heed__free(r->text);
    heed__free(r->findings);
    memset(r, 0, sizeof *r);
}
