/* tokenize.c - the tokenizer of the core: one left-to-right pass over UTF-8
 * text that cuts typed tokens for customer-service messages (rules in
 * tokenize.h). ASCII is classified inline; other code points through utf8proc. */
#include "tokenize.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>
#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif

#include "freqwords.h"
#include "hash.h"
#include "heed_limits.h"
#include "utf8.h"

typedef struct tokenizer {
    heed_arena *a;
    const unsigned char *u;
    size_t n;
    heed_token *toks;
    size_t count, cap;
    size_t last_at; /* offset of the last '@' in the text, or n if none */
    /* heed__tokenize_words: the table, and each token's hash and word in it
     * (arrays of cap entries beside toks); ws NULL otherwise */
    const heed_words *ws;
    uint64_t *th;
    const heed_word **wr;
    /* the fast path's copy of the text from tail_from on, zero-padded */
    size_t tail_from;
    unsigned char tail[32];
} tokenizer;

/* What a scanner found at a start position: [start, end) of `kind`. end == 0
 * means "no match here". */
typedef struct span {
    size_t end;
    unsigned kind, flags;
} span;

/* Internal span flag (never stored in a token): the scanner saw that the
 * token is already in normal form (ASCII, no capital, no letter run of 3). */
#define SPAN_NORMAL 0x8000u

static span mk(size_t end, unsigned kind, unsigned flags)
{
    span s = {end, kind, flags};
    return s;
}

/* ---------------------------------------------------------------- classes */

static inline int is_alpha(unsigned c)
{
    return ((c | 32u) - 'a') < 26u;
}

static inline int is_digit(unsigned c)
{
    return (c - '0') < 10u;
}

static inline int is_alnum(unsigned c)
{
    return is_alpha(c) || is_digit(c);
}

static inline int is_upper(unsigned c)
{
    return (c - 'A') < 26u;
}

/* Characters of an e-mail local part besides letters and digits. */
static inline int is_local_punct(unsigned c)
{
    return c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static inline unsigned to_lower(unsigned c)
{
    return is_upper(c) ? c + 32u : c;
}

/* Classes of non-ASCII code points, as the tokenizer sees them. */
enum {
    U_SPACE,    /* Z*, Cc, Cf other than joiners: separates tokens */
    U_LETTER,   /* L* */
    U_HAN,      /* CJK ideographs: one token each, there are no spaces to cut at */
    U_DIGIT,    /* Nd */
    U_NUMBER,   /* Nl, No: ½ ² Ⅻ, word characters */
    U_EXTEND,   /* marks, variation selectors, ZWJ/ZWNJ, tags, skin tones */
    U_PICT,     /* Extended_Pictographic: emoji bases */
    U_RI,       /* regional indicators: flag halves */
    U_PUNCT,    /* P* */
    U_CURRENCY, /* Sc */
    U_SYMBOL    /* other S*, private use, unassigned */
};

static int is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F);
}

/* Class from the general category alone (no emoji property). */
static int category_class(const utf8proc_property_t *p, uint32_t cp)
{
    switch (p->category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return is_han(cp) ? U_HAN : U_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return U_EXTEND;
    case UTF8PROC_CATEGORY_ND:
        return U_DIGIT;
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return U_NUMBER;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        return U_PUNCT;
    case UTF8PROC_CATEGORY_SC:
        return U_CURRENCY;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
        return U_SPACE;
    case UTF8PROC_CATEGORY_CF:
        /* Joiners and tag characters glue graphemes; the rest (ZWSP, BOM,
         * bidi marks, soft hyphen outside words) is invisible: white space. */
        if (p->boundclass == UTF8PROC_BOUNDCLASS_EXTEND || p->boundclass == UTF8PROC_BOUNDCLASS_ZWJ)
            return U_EXTEND;
        return U_SPACE;
    default:
        return U_SYMBOL;
    }
}

static int uclass(uint32_t cp)
{
    const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
    if (p->boundclass == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC)
        return U_PICT;
    if (p->boundclass == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR)
        return U_RI;
    if (p->boundclass == UTF8PROC_BOUNDCLASS_EXTEND ||
        p->boundclass == UTF8PROC_BOUNDCLASS_SPACINGMARK)
        return U_EXTEND;
    return category_class(p, cp);
}

static int is_upper_cp(uint32_t cp)
{
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

static int is_lower_cp(uint32_t cp)
{
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_LL;
}

/* Decodes the code point at i (i < n). Invalid input is outside the contract,
 * but it still advances by one byte so no loop can stall or overrun. */
static size_t cp_at(const tokenizer *t, size_t i, uint32_t *cp)
{
    if (t->u[i] < 0x80) {
        *cp = t->u[i];
        return 1;
    }
    size_t l = heed__utf8_decode(t->u + i, t->n - i, cp);
    return l ? l : 1;
}

/* Class of the code point at i, with ASCII folded in; -1 past the end. */
static int class_at(const tokenizer *t, size_t i)
{
    if (i >= t->n)
        return -1;
    unsigned c = t->u[i];
    if (c < 0x80) {
        if (is_alpha(c))
            return U_LETTER;
        if (is_digit(c))
            return U_DIGIT;
        if (c <= 0x20 || c == 0x7F)
            return U_SPACE;
        return U_PUNCT;
    }
    uint32_t cp;
    cp_at(t, i, &cp);
    return uclass(cp);
}

static int is_wordish(int cls)
{
    return cls == U_LETTER || cls == U_HAN || cls == U_DIGIT || cls == U_NUMBER;
}

/* Whether the code point at i continues a word (letters, digits, numbers). */
static int alnum_at(const tokenizer *t, size_t i)
{
    if (i >= t->n)
        return 0;
    if (t->u[i] < 0x80)
        return is_alnum(t->u[i]);
    return is_wordish(class_at(t, i));
}

static int letter_at(const tokenizer *t, size_t i)
{
    if (i >= t->n)
        return 0;
    if (t->u[i] < 0x80)
        return is_alpha(t->u[i]);
    int cls = class_at(t, i);
    return cls == U_LETTER || cls == U_HAN;
}

/* Skips marks, variation selectors, joiners: a token never ends inside a
 * grapheme cluster. */
static size_t absorb_extend(const tokenizer *t, size_t i)
{
    while (i < t->n && t->u[i] >= 0x80) {
        uint32_t cp;
        size_t l = cp_at(t, i, &cp);
        const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
        if (p->boundclass != UTF8PROC_BOUNDCLASS_EXTEND &&
            p->boundclass != UTF8PROC_BOUNDCLASS_SPACINGMARK &&
            p->boundclass != UTF8PROC_BOUNDCLASS_ZWJ)
            break;
        i += l;
    }
    return i;
}

static size_t digits_end(const tokenizer *t, size_t i)
{
    while (i < t->n && is_digit(t->u[i]))
        i++;
    return i;
}

static unsigned digits_value(const tokenizer *t, size_t a, size_t b)
{
    unsigned v = 0;
    for (size_t i = a; i < b && i < a + 6; i++)
        v = v * 10 + (t->u[i] - '0');
    return v;
}

/* digits ([.,] digits)*: 42, 3.5, 1,200, 1.200.000, 49,99. */
static size_t number_end(const tokenizer *t, size_t i, int *has_sep)
{
    i = digits_end(t, i);
    *has_sep = 0;
    while (i + 1 < t->n && (t->u[i] == '.' || t->u[i] == ',') && is_digit(t->u[i + 1])) {
        i = digits_end(t, i + 1);
        *has_sep = 1;
    }
    return i;
}

/* Length of a currency symbol at i ($, €, £, ¥, ₹, ...), else 0. */
static size_t currency_len(const tokenizer *t, size_t i)
{
    if (i >= t->n)
        return 0;
    if (t->u[i] < 0x80)
        return t->u[i] == '$';
    uint32_t cp;
    size_t l = cp_at(t, i, &cp);
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_SC ? l : 0;
}

/* ISO 4217 codes customers write next to amounts. */
static const char *const currency_codes[] = {"usd", "eur", "gbp", "chf", "jpy", "cny", "inr", "aud",
                                             "cad", "sek", "nok", "dkk", "pln", "czk", "huf", "rub",
                                             "brl", "mxn", "zar", "krw", "nzd", "sgd", "hkd", NULL};

static int is_currency_code3(const unsigned char *p)
{
    for (size_t k = 0; currency_codes[k]; k++) {
        const char *c = currency_codes[k];
        if (to_lower(p[0]) == (unsigned char)c[0] && to_lower(p[1]) == (unsigned char)c[1] &&
            to_lower(p[2]) == (unsigned char)c[2])
            return 1;
    }
    return 0;
}

/* Currency code glued after a number ("20EUR", "20eur") ending at a word edge. */
static size_t currency_code_at(const tokenizer *t, size_t i)
{
    if (i + 3 > t->n || !is_alpha(t->u[i]) || !is_alpha(t->u[i + 1]) || !is_alpha(t->u[i + 2]))
        return 0;
    if (alnum_at(t, i + 3) || !is_currency_code3(t->u + i))
        return 0;
    return 3;
}

/* "am", "pm", "a.m.", "p.m." (any case) at i, ending at a word edge. */
static size_t ampm_len(const tokenizer *t, size_t i)
{
    const unsigned char *u = t->u;
    size_t n = t->n;
    if (i + 2 > n)
        return 0;
    unsigned c = to_lower(u[i]);
    if (c != 'a' && c != 'p')
        return 0;
    if (to_lower(u[i + 1]) == 'm')
        return alnum_at(t, i + 2) ? 0 : 2;
    if (u[i + 1] == '.' && i + 3 <= n && to_lower(u[i + 2]) == 'm' && !alnum_at(t, i + 3))
        return (i + 3 < n && u[i + 3] == '.') ? 4 : 3;
    return 0;
}

/* Keycap emoji at i: [0-9#*] FE0F? 20E3. Returns its length or 0. */
static size_t keycap_len(const tokenizer *t, size_t i)
{
    const unsigned char *u = t->u + i;
    size_t left = t->n - i;
    if (left >= 7 && memcmp(u + 1, "\xEF\xB8\x8F\xE2\x83\xA3", 6) == 0)
        return 7;
    if (left >= 4 && memcmp(u + 1, "\xE2\x83\xA3", 3) == 0)
        return 4;
    return 0;
}

/* ---------------------------------------------------------------- emoticons */

static int is_face_eye(unsigned c)
{
    return c && strchr("oOxXuUT^-;@><", (int)c) != NULL;
}

/* Eyes that may pair in a face "E_E": same character, o/O mixed, or >_<. */
static int eyes_pair(unsigned a, unsigned b)
{
    if (a == b)
        return 1;
    if ((a == 'o' || a == 'O') && (b == 'o' || b == 'O'))
        return 1;
    return a == '>' && b == '<';
}

/* Whether an emoticon may end before i: not glued to a following word. */
static int emoticon_edge(const tokenizer *t, size_t i)
{
    return !alnum_at(t, i);
}

/* Length of an emoticon at i, or 0; sets *elong when its mouth was repeated
 * (":)))", ":DDD"). The caller knows whether the byte before i is a word
 * character (prev_word): faces made of letters and "=)" need a clean left edge
 * so "a=(b)" and "Toyota_O" stay what they are. "10:30" and URLs never get here
 * (numbers and URLs are scanned first); ":" right after a digit ("2:3") is a
 * ratio or a score, not eyes. */
static size_t emoticon_at(const tokenizer *t, size_t i, int prev_word, int *elong)
{
    const unsigned char *u = t->u;
    size_t n = t->n;
    unsigned c = u[i];
    *elong = 0;
    if (i + 1 >= n)
        return 0;

    /* Western faces: [>] eyes ['] [-^] mouth+ */
    size_t j = i;
    if (c == '>' && (u[i + 1] == ':' || u[i + 1] == ';'))
        j++;
    unsigned eyes = u[j];
    if ((eyes == ':' || eyes == ';' || eyes == '=') && !(eyes == '=' && prev_word) &&
        !(eyes == ':' && j == i && i > 0 && is_digit(u[i - 1]))) {
        size_t k = j + 1;
        int tear = 0;
        if (k < n && u[k] == '\'' && eyes == ':') {
            tear = 1;
            k++;
        }
        if (k < n && (u[k] == '-' || u[k] == '^'))
            k++;
        unsigned m = k < n ? u[k] : 0;
        const char *mouths = eyes == ':' ? ")(DPpOo/\\|*3[]$@SXx" : ")(DPp/|*[]";
        if (m && strchr(mouths, (int)m) && (!tear || m == ')' || m == '(')) {
            k++;
            int rep = 0;
            if (m == ')' || m == '(' || m == 'D' || m == 'P' || m == 'p') {
                size_t r = k;
                while (r < n && u[r] == m)
                    r++;
                rep = r > k;
                k = r;
            }
            int urlish = (m == '/' || m == '\\') && k < n && (u[k] == '/' || u[k] == '\\');
            if (!urlish && emoticon_edge(t, k)) {
                *elong = rep;
                return k - i;
            }
        }
    }

    /* Hearts: <3 </3 <\3, with repeated 3s. */
    if (c == '<') {
        size_t k = i + 1;
        if (u[k] == '/' || u[k] == '\\')
            k++;
        if (k >= n || u[k] != '3')
            return 0;
        k++;
        while (k < n && u[k] == '3')
            k++;
        return emoticon_edge(t, k) ? k - i : 0;
    }

    if (prev_word)
        return 0;

    /* ^^ */
    if (c == '^' && u[i + 1] == '^')
        return emoticon_edge(t, i + 2) ? 2 : 0;

    /* xD XD xP XP (with repeated D/P). */
    if ((c == 'x' || c == 'X') && (u[i + 1] == 'D' || u[i + 1] == 'P')) {
        size_t k = i + 2;
        while (k < n && u[k] == u[i + 1])
            k++;
        *elong = k > i + 2;
        return emoticon_edge(t, k) ? k - i : 0;
    }

    /* D: only standing alone between spaces, where it cannot be a drive letter
     * or a label. */
    if (c == 'D' && u[i + 1] == ':') {
        int left = i == 0 || u[i - 1] <= 0x20;
        int right = i + 2 >= n || u[i + 2] <= 0x20;
        return left && right ? 2 : 0;
    }

    /* Faces E sep E: ^_^ -_- o_O T_T >_< x_x ^.^ -.- ^-^ ;_; @_@ */
    if (is_face_eye(c)) {
        size_t k = i + 1;
        if (u[k] == '_') {
            while (k < n && u[k] == '_' && k - i <= 3)
                k++;
        } else if (u[k] == '.' || (u[k] == '-' && c == '^')) {
            k++;
        } else {
            return 0;
        }
        if (k >= n || !eyes_pair(c, u[k]))
            return 0;
        k++;
        return emoticon_edge(t, k) ? k - i : 0;
    }
    return 0;
}

/* Whether the byte before i belongs to a word (non-ASCII bytes count as word
 * characters: the safe side for the checks that use this). */
static int prev_is_word(const tokenizer *t, size_t i)
{
    return i > 0 && (is_alnum(t->u[i - 1]) || t->u[i - 1] >= 0x80);
}

/* ---------------------------------------------------------------- words */

/* Dotted acronyms: single letters each followed by a dot, at least two
 * letters (e.g. i.e. a.m. U.S.A.); the last dot is part of the token. */
static size_t acronym_end(const tokenizer *t, size_t i)
{
    const unsigned char *u = t->u;
    size_t n = t->n, end = i, letters = 0;
    while (i < n && is_alpha(u[i]) && !alnum_at(t, i + 1)) {
        letters++;
        if (i + 1 < n && u[i + 1] == '.') {
            end = i + 2;
            i += 2;
        } else {
            end = i + 1;
            break;
        }
    }
    return letters >= 2 ? end : 0;
}

static int is_apostrophe(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC;
}

/* Scans a URL whose body starts at `body` (after "scheme://" or at "www.").
 * Stops at white space, <>"` and non-word non-ASCII (emoji, curly quotes);
 * trailing punctuation is sentence punctuation, and a closing bracket that
 * does not close one opened inside the URL belongs to the text around it. */
static size_t url_end(const tokenizer *t, size_t body)
{
    const unsigned char *u = t->u;
    size_t i = body;
    while (i < t->n) {
        unsigned c = u[i];
        if (c < 0x80) {
            if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '`')
                break;
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = cp_at(t, i, &cp);
        int cls = uclass(cp);
        if (!is_wordish(cls) && cls != U_EXTEND)
            break;
        i += l;
    }
    while (i > body) {
        unsigned c = u[i - 1];
        if (c && strchr(".,;:!?'*", (int)c)) {
            i--;
            continue;
        }
        if (c == ')' || c == ']' || c == '}') {
            unsigned open = c == ')' ? '(' : c == ']' ? '[' : '{';
            long depth = 0;
            for (size_t k = body; k < i; k++)
                depth += (u[k] == open) - (u[k] == c);
            if (depth < 0) {
                i--;
                continue;
            }
        }
        break;
    }
    return i;
}

/* Words, and the other kinds that start like one: letters and digits with
 * inner apostrophes (don't, y’all), hyphens and underscores (follow-up,
 * ORD-88123, ERR_5012), marks; then URL schemes, dotted acronyms, ids. */
static span scan_word(const tokenizer *t, size_t start)
{
    const unsigned char *u = t->u;
    size_t n = t->n, i = start;
    size_t letters = 0, digits = 0, upper = 0, lower = 0;
    int ascii_letters_only = 1, last_alnum = 0, digit_after_letter = 0, ascii = 1;
    unsigned flags = 0;
    uint32_t run_cp = 0;
    unsigned run = 0;

    while (i < n) {
        unsigned c = u[i];
        if (c - 'a' < 26u) {
            /* the common case: a run of lower-case ASCII letters */
            size_t j = i;
            do {
                if (c == run_cp) {
                    if (++run >= 3)
                        flags |= HEED_TF_ELONGATED;
                } else {
                    run = 1;
                    run_cp = c;
                }
                c = ++j < n ? u[j] : 0;
            } while (c - 'a' < 26u);
            letters += j - i;
            lower += j - i;
            last_alnum = 1;
            i = j;
            continue;
        }
        if (c < 0x80) {
            if (is_alpha(c)) {
                unsigned lc = to_lower(c);
                run = (lc == run_cp) ? run + 1 : 1;
                run_cp = lc;
                if (run >= 3)
                    flags |= HEED_TF_ELONGATED;
                letters++;
                upper += is_upper(c);
                lower += !is_upper(c);
                last_alnum = 1;
                i++;
                continue;
            }
            if (is_digit(c)) {
                digits++;
                digit_after_letter |= letters > 0;
                ascii_letters_only = 0;
                run = 0;
                last_alnum = 1;
                i++;
                continue;
            }
            if (c == '\'' && letters && last_alnum && letter_at(t, i + 1)) {
                flags |= HEED_TF_CONTRACTION;
                ascii_letters_only = 0;
                run = 0;
                last_alnum = 0;
                i++;
                continue;
            }
            if ((c == '-' || c == '_') && last_alnum && alnum_at(t, i + 1)) {
                ascii_letters_only = 0;
                run = 0;
                last_alnum = 0;
                i++;
                continue;
            }
            break;
        }
        uint32_t cp;
        size_t l = cp_at(t, i, &cp);
        ascii = 0;
        if (is_apostrophe(cp)) {
            if (letters && last_alnum && letter_at(t, i + l)) {
                flags |= HEED_TF_CONTRACTION;
                ascii_letters_only = 0;
                run = 0;
                last_alnum = 0;
                i += l;
                continue;
            }
            break;
        }
        if ((cp == 0x2010 || cp == 0x2011 || cp == 0x00AD) && last_alnum && alnum_at(t, i + l)) {
            ascii_letters_only = 0;
            run = 0;
            last_alnum = 0;
            i += l;
            continue;
        }
        int cls = uclass(cp);
        if (cls == U_LETTER || cls == U_NUMBER) {
            run = (cp == run_cp) ? run + 1 : 1;
            run_cp = cp;
            if (run >= 3 && cls == U_LETTER)
                flags |= HEED_TF_ELONGATED;
            letters++;
            upper += is_upper_cp(cp);
            lower += is_lower_cp(cp);
        } else if (cls == U_DIGIT) {
            digits++;
            digit_after_letter |= letters > 0;
            run = 0;
        } else if (cls == U_EXTEND) {
            /* A mark continues the letter it sits on, and so the word. */
            if (cp == 0x200D || cp == 0x200C)
                run = 0;
        } else {
            break; /* Han starts its own token; symbols, emoji, punctuation end */
        }
        ascii_letters_only = 0;
        last_alnum = 1;
        i += l;
    }
    if (i == start) {
        /* A Han ideograph (or anything word-like the loop refused): one code
         * point with its marks. */
        uint32_t cp;
        i = absorb_extend(t, start + cp_at(t, start, &cp));
        return mk(i, HEED_TOK_WORD, 0);
    }

    size_t len = i - start;
    if (ascii_letters_only) {
        /* scheme://... */
        if (len >= 2 && len <= 10 && i + 3 < n && u[i] == ':' && u[i + 1] == '/' &&
            u[i + 2] == '/' && u[i + 3] > 0x20) {
            size_t e = url_end(t, i + 3);
            if (e > i + 3)
                return mk(e, HEED_TOK_URL, 0);
        }
        /* www.example.com */
        if (len == 3 && to_lower(u[start]) == 'w' && to_lower(u[start + 1]) == 'w' &&
            to_lower(u[start + 2]) == 'w' && i + 1 < n && u[i] == '.' && alnum_at(t, i + 1)) {
            size_t e = url_end(t, start);
            if (e > i + 1)
                return mk(e, HEED_TOK_URL, 0);
        }
        if (len == 1 && i < n && u[i] == '.') {
            size_t e = acronym_end(t, start);
            if (e) {
                unsigned f = 0;
                size_t up = 0, lo = 0;
                for (size_t k = start; k < e; k++) {
                    up += is_upper(u[k]);
                    lo += is_alpha(u[k]) && !is_upper(u[k]);
                }
                if (up >= 2 && lo == 0)
                    f |= HEED_TF_ALLCAPS;
                return mk(e, HEED_TOK_WORD, f);
            }
        }
    }
    if (letters == 0 && digits > 0)
        return mk(i, HEED_TOK_NUMBER, 0);
    /* Ids mix letters and digits with a digit after a letter ("ORD-88123",
     * "INC0012345", "A1B2C3D4"); "24-hour" and "100GB" stay words. */
    if (letters && digits && digit_after_letter && len >= 5)
        return mk(i, HEED_TOK_ID, 0);
    if (upper >= 2 && lower == 0)
        flags |= HEED_TF_ALLCAPS;
    if (ascii && upper == 0 && !(flags & HEED_TF_ELONGATED))
        flags |= SPAN_NORMAL;
    return mk(i, HEED_TOK_WORD, flags);
}

/* local@domain.tld, ASCII only. Returns the end or 0. */
static size_t email_end(const tokenizer *t, size_t start)
{
    const unsigned char *u = t->u;
    size_t n = t->n, i = start;
    if (t->last_at >= n || start > t->last_at)
        return 0; /* no '@' ahead: most messages need no address scan */
    while (i < n && (is_alnum(u[i]) || is_local_punct(u[i])))
        i++;
    if (i == start || i + 1 >= n || u[i] != '@' || u[i - 1] == '.')
        return 0;
    size_t k = i + 1, dots = 0, label = k;
    for (;;) {
        label = k;
        while (k < n && (is_alnum(u[k]) || u[k] == '-'))
            k++;
        if (k == label)
            return 0;
        if (k + 1 < n && u[k] == '.' && is_alnum(u[k + 1])) {
            dots++;
            k++;
            continue;
        }
        break;
    }
    if (dots == 0 || k - label < 2)
        return 0;
    for (size_t j = label; j < k; j++)
        if (!is_alpha(u[j]))
            return 0;
    return alnum_at(t, k) ? 0 : k;
}

/* #tag and @name bodies: letters, digits, underscores, marks. */
static size_t tag_end(const tokenizer *t, size_t i)
{
    while (i < t->n) {
        unsigned c = t->u[i];
        if (c < 0x80) {
            if (!is_alnum(c) && c != '_')
                break;
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = cp_at(t, i, &cp);
        int cls = uclass(cp);
        if (!is_wordish(cls) && cls != U_EXTEND)
            break;
        i += l;
    }
    return i;
}

/* ---------------------------------------------------------------- numbers */

/* Money after a currency symbol of length sl at i: $1,200  €49.99  £5. */
static span money_after_symbol(const tokenizer *t, size_t i, size_t sl)
{
    int sep;
    size_t e = number_end(t, i + sl, &sep);
    return mk(e, HEED_TOK_MONEY, 0);
}

/* Everything that starts with an ASCII digit: dates, times, ordinals, money,
 * numbers; digits glued to letters ("100GB", "24-hour", "1Z999") are words or
 * ids. */
static span scan_number(const tokenizer *t, size_t start)
{
    const unsigned char *u = t->u;
    size_t n = t->n;
    size_t i = digits_end(t, start), nd = i - start;
    unsigned c = i < n ? u[i] : 0;

    /* 2024-03-01, 2024/03/01, 2024.03.01 */
    if (nd == 4 && (c == '-' || c == '/' || c == '.')) {
        size_t a = i + 1, b = digits_end(t, a);
        if (b - a >= 1 && b - a <= 2 && b < n && u[b] == c) {
            size_t d = digits_end(t, b + 1);
            unsigned mo = digits_value(t, a, b), dd = digits_value(t, b + 1, d);
            if (d - (b + 1) >= 1 && d - (b + 1) <= 2 && mo >= 1 && mo <= 12 && dd >= 1 &&
                dd <= 31 && !alnum_at(t, d))
                return mk(d, HEED_TOK_DATE, 0);
        }
    }
    if (nd >= 1 && nd <= 2) {
        unsigned h = digits_value(t, start, i);
        /* 01/03/2024, 1.3.24, 12-10-2024; 3/14, 14/3 */
        if (c == '/' || c == '-' || c == '.') {
            size_t a = i + 1, b = digits_end(t, a);
            unsigned m = digits_value(t, a, b);
            int plausible = b - a >= 1 && b - a <= 2 && h >= 1 && m >= 1 &&
                            ((h <= 31 && m <= 12) || (h <= 12 && m <= 31));
            if (plausible && b < n && u[b] == c) {
                size_t d = digits_end(t, b + 1);
                if ((d - (b + 1) == 2 || d - (b + 1) == 4) && !alnum_at(t, d))
                    return mk(d, HEED_TOK_DATE, 0);
            }
            if (plausible && c == '/' && !alnum_at(t, b) && !(b < n && u[b] == '/')) {
                /* "24/7" is round the clock, not the 24th of July. */
                if (h == 24 && m == 7)
                    return mk(b, HEED_TOK_WORD, 0);
                return mk(b, HEED_TOK_DATE, 0);
            }
        }
        /* 10:30, 17:45:10, 10:30pm */
        if (c == ':' && i + 2 < n && is_digit(u[i + 1]) && is_digit(u[i + 2]) &&
            !(i + 3 < n && is_digit(u[i + 3])) && h <= 24 && digits_value(t, i + 1, i + 3) <= 59) {
            size_t e = i + 3;
            if (e + 2 < n && u[e] == ':' && is_digit(u[e + 1]) && is_digit(u[e + 2]) &&
                !(e + 3 < n && is_digit(u[e + 3])) && digits_value(t, e + 1, e + 3) <= 60)
                e += 3;
            size_t ap = ampm_len(t, e);
            if (ap || !alnum_at(t, e))
                return mk(e + ap, HEED_TOK_TIME, 0);
        }
        /* 5.30pm */
        if (c == '.' && i + 2 < n && is_digit(u[i + 1]) && is_digit(u[i + 2]) && h <= 12) {
            size_t ap = ampm_len(t, i + 3);
            if (ap && digits_value(t, i + 1, i + 3) <= 59)
                return mk(i + 3 + ap, HEED_TOK_TIME, 0);
        }
        /* 9am, 9 a.m. (see tokenize.h for the spaced form) */
        if (h <= 12) {
            size_t ap = ampm_len(t, i);
            if (ap)
                return mk(i + ap, HEED_TOK_TIME, 0);
        }
        /* 14h30 */
        if ((c == 'h' || c == 'H') && i + 2 < n && is_digit(u[i + 1]) && is_digit(u[i + 2]) &&
            !alnum_at(t, i + 3) && h <= 24 && digits_value(t, i + 1, i + 3) <= 59)
            return mk(i + 3, HEED_TOK_TIME, 0);
    }
    /* Ordinals: 1st 2nd 3rd 14th: days of the month are dates. */
    if (i + 2 <= n && !alnum_at(t, i + 2)) {
        unsigned a = to_lower(c), b = to_lower(u[i + 1]);
        if ((a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
            (a == 't' && b == 'h')) {
            unsigned v = nd <= 2 ? digits_value(t, start, i) : 0;
            return mk(i + 2, (v >= 1 && v <= 31) ? HEED_TOK_DATE : HEED_TOK_WORD, 0);
        }
    }

    int sep;
    size_t e = number_end(t, start, &sep);
    if (!sep) {
        size_t cl = currency_code_at(t, e);
        if (cl)
            return mk(e + cl, HEED_TOK_MONEY, 0);
        if (letter_at(t, e) || (e + 1 < n && (u[e] == '-' || u[e] == '_') && letter_at(t, e + 1)))
            return scan_word(t, start);
    }
    if (e < n && u[e] == '%')
        return mk(e + 1, HEED_TOK_NUMBER, 0);
    size_t sl = currency_len(t, e);
    if (sl)
        return mk(e + sl, HEED_TOK_MONEY, 0);
    return mk(e, HEED_TOK_NUMBER, 0);
}

/* ---------------------------------------------------------------- punctuation */

/* Sentence-final punctuation: . ! ? … ‼ ⁇ ⁈ ⁉ 。 ！ ？ ． ؟ । */
static int is_terminal_cp(uint32_t cp)
{
    switch (cp) {
    case '.':
    case '!':
    case '?':
    case 0x2026:
    case 0x203C:
    case 0x2047:
    case 0x2048:
    case 0x2049:
    case 0x3002:
    case 0xFF01:
    case 0xFF1F:
    case 0xFF0E:
    case 0x061F:
    case 0x0964:
        return 1;
    default:
        return 0;
    }
}

/* A run of terminal punctuation in any mix ("?!", "...", "!!!", "…") is one
 * token; two or more marks, or one that stands for several, is REPEATED. */
static span terminal_run(const tokenizer *t, size_t i)
{
    size_t count = 0;
    int multi = 0;
    while (i < t->n) {
        uint32_t cp;
        size_t l = cp_at(t, i, &cp);
        if (!is_terminal_cp(cp))
            break;
        count++;
        multi |= cp == 0x2026 || (cp >= 0x203C && cp <= 0x2049);
        i = absorb_extend(t, i + l);
    }
    return mk(i, HEED_TOK_PUNCT, (count >= 2 || multi) ? HEED_TF_REPEATED : 0);
}

/* A run of one repeated character ("---", "***", "$$$") is one token. */
static span same_run(const tokenizer *t, size_t i, unsigned kind)
{
    uint32_t first, cp;
    size_t l = cp_at(t, i, &first);
    size_t e = absorb_extend(t, i + l), count = 1;
    while (e < t->n) {
        size_t l2 = cp_at(t, e, &cp);
        if (cp != first)
            break;
        e = absorb_extend(t, e + l2);
        count++;
    }
    return mk(e, kind, count >= 2 ? HEED_TF_REPEATED : 0);
}

/* ASCII symbols by Unicode category: $ + < = > ^ ` | ~ are S*, the rest P*. */
static unsigned ascii_punct_kind(unsigned c)
{
    return strchr("$&+<=>^`|~", (int)c) ? HEED_TOK_SYMBOL : HEED_TOK_PUNCT;
}

/* ---------------------------------------------------------------- emoji */

/* One emoji grapheme: a flag (two regional indicators), or a pictograph with
 * its modifiers/variation selectors/tags and any ZWJ-joined pictographs. */
static size_t emoji_end(const tokenizer *t, size_t i, uint32_t cp, size_t l)
{
    if (uclass(cp) == U_RI) {
        uint32_t c2;
        size_t l2;
        if (i + l < t->n && t->u[i + l] >= 0x80) {
            l2 = cp_at(t, i + l, &c2);
            if (uclass(c2) == U_RI)
                l += l2;
        }
        return absorb_extend(t, i + l);
    }
    size_t e = i + l;
    for (;;) {
        e = absorb_extend(t, e);
        /* absorb_extend took a trailing ZWJ; continue if a pictograph follows */
        if (e - i >= 3 && e < t->n && t->u[e] >= 0x80 &&
            memcmp(t->u + e - 3, "\xE2\x80\x8D", 3) == 0) {
            uint32_t c2;
            size_t l2 = cp_at(t, e, &c2);
            if (uclass(c2) == U_PICT) {
                e += l2;
                continue;
            }
        }
        return e;
    }
}

/* ---------------------------------------------------------------- dispatch */

/* Length of an HTML character reference at i ("&amp;", "&#39;", "&#x2019;"),
 * or 0. Names are 2-8 letters/digits; numeric forms 1-7 digits. */
static size_t entity_len(const tokenizer *t, size_t i)
{
    const unsigned char *u = t->u;
    size_t k = i + 1, n = t->n;
    if (k < n && u[k] == '#') {
        k++;
        int hex = k < n && (u[k] == 'x' || u[k] == 'X');
        k += (size_t)hex;
        size_t d = k;
        while (k < n && k - d < 8 && (is_digit(u[k]) || (hex && isxdigit(u[k]))))
            k++;
        return k > d && k < n && u[k] == ';' ? k + 1 - i : 0;
    }
    size_t a = k;
    while (k < n && k - a < 9 && is_alnum(u[k]))
        k++;
    return k - a >= 2 && k - a <= 8 && k < n && u[k] == ';' ? k + 1 - i : 0;
}

static span scan_ascii(const tokenizer *t, size_t i)
{
    const unsigned char *u = t->u;
    size_t n = t->n;
    unsigned c = u[i];
    unsigned c1 = i + 1 < n ? u[i + 1] : 0;
    int elong;
    size_t e;

    if (is_alpha(c)) {
        int face2 = c1 == '_' || c1 == '.' || c1 == '-' || c1 == 'D' || c1 == 'P' || c1 == ':';
        if (face2 && (e = emoticon_at(t, i, prev_is_word(t, i), &elong)))
            return mk(i + e, HEED_TOK_EMOTICON, elong ? HEED_TF_ELONGATED : 0);
        /* EUR20, USD30.50 */
        if (is_upper(c) && i + 3 < n && is_upper(c1) && is_upper(u[i + 2]) && is_digit(u[i + 3]) &&
            is_currency_code3(u + i))
            return money_after_symbol(t, i, 3);
        if ((e = email_end(t, i)))
            return mk(e, HEED_TOK_EMAIL, 0);
        return scan_word(t, i);
    }
    if (is_digit(c)) {
        if (c1 >= 0x80 && (e = keycap_len(t, i)))
            return mk(i + e, HEED_TOK_EMOJI, 0);
        if ((e = email_end(t, i)))
            return mk(e, HEED_TOK_EMAIL, 0);
        return scan_number(t, i);
    }
    switch (c) {
    case '#':
    case '*':
        if (c1 >= 0x80 && (e = keycap_len(t, i)))
            return mk(i + e, HEED_TOK_EMOJI, 0);
        if (c == '#' && is_digit(c1)) {
            /* #12345, #A-123 after digits: ticket and order numbers */
            size_t k = i + 1;
            for (;;) {
                k = tag_end(t, k);
                if (k + 1 < n && u[k] == '-' && alnum_at(t, k + 1)) {
                    k++;
                    continue;
                }
                break;
            }
            return mk(k, HEED_TOK_ID, 0);
        }
        if (c == '#' && letter_at(t, i + 1))
            return mk(tag_end(t, i + 1), HEED_TOK_HASHTAG, 0);
        break;
    case '@':
        if ((e = emoticon_at(t, i, prev_is_word(t, i), &elong)))
            return mk(i + e, HEED_TOK_EMOTICON, 0);
        if (!prev_is_word(t, i) && (alnum_at(t, i + 1) || c1 == '_'))
            return mk(tag_end(t, i + 1), HEED_TOK_MENTION, 0);
        break;
    case '$':
        if (is_digit(c1))
            return money_after_symbol(t, i, 1);
        break;
    case ':':
    case ';':
    case '=':
    case '<':
    case '>':
    case '^':
    case '-':
        if ((e = emoticon_at(t, i, prev_is_word(t, i), &elong)))
            return mk(i + e, HEED_TOK_EMOTICON, elong ? HEED_TF_ELONGATED : 0);
        break;
    case '&':
        /* HTML entities left in exported text (&amp; &gt; &#39;) are one symbol,
         * not the words "amp" or "gt". */
        if ((e = entity_len(t, i)))
            return mk(i + e, HEED_TOK_SYMBOL, 0);
        break;
    case '.':
    case '!':
    case '?':
        return terminal_run(t, i);
    default:
        break;
    }
    return same_run(t, i, ascii_punct_kind(c));
}

static span scan_unicode(const tokenizer *t, size_t i, uint32_t cp, size_t l, int cls)
{
    if (cls == U_PICT && cp < 0x2194) {
        /* © ® ‼ ⁉ ™ ℹ are text unless asked to be emoji with U+FE0F. */
        if (i + l + 3 <= t->n && memcmp(t->u + i + l, "\xEF\xB8\x8F", 3) == 0)
            return mk(emoji_end(t, i, cp, l), HEED_TOK_EMOJI, 0);
        cls = category_class(utf8proc_get_property((utf8proc_int32_t)cp), cp);
    }
    switch (cls) {
    case U_PICT:
    case U_RI:
        return mk(emoji_end(t, i, cp, l), HEED_TOK_EMOJI, 0);
    case U_EXTEND:
        if (cp >= 0x1F3FB && cp <= 0x1F3FF) /* a skin tone on its own */
            return mk(absorb_extend(t, i + l), HEED_TOK_EMOJI, 0);
        return mk(absorb_extend(t, i + l), HEED_TOK_SYMBOL, 0);
    case U_LETTER:
    case U_HAN:
    case U_DIGIT:
    case U_NUMBER:
        return scan_word(t, i);
    case U_CURRENCY:
        if (i + l < t->n && is_digit(t->u[i + l]))
            return money_after_symbol(t, i, l);
        return same_run(t, i, HEED_TOK_SYMBOL);
    case U_PUNCT:
        if (is_terminal_cp(cp))
            return terminal_run(t, i);
        return same_run(t, i, HEED_TOK_PUNCT);
    default:
        return same_run(t, i, HEED_TOK_SYMBOL);
    }
}

/* ---------------------------------------------------------------- output */

/* Whether [a, b) is a short same-line gap: spaces, tabs, no-break spaces. */
static int blank_gap(const tokenizer *t, size_t a, size_t b)
{
    if (b - a > 4)
        return 0;
    const unsigned char *u = t->u;
    while (a < b) {
        if (u[a] == ' ' || u[a] == '\t') {
            a++;
        } else if (b - a >= 2 && u[a] == 0xC2 && u[a + 1] == 0xA0) {
            a += 2;
        } else if (b - a >= 3 && u[a] == 0xE2 && u[a + 1] == 0x80 &&
                   (u[a + 2] == 0xAF || u[a + 2] == 0x89)) {
            a += 3;
        } else {
            return 0;
        }
    }
    return 1;
}

static int norm_is(const heed_token *tk, const char *w)
{
    size_t n = strlen(w);
    return tk->norm_len == n && memcmp(tk->norm, w, n) == 0;
}

static int is_currency_word(const heed_token *tk)
{
    static const char *const words[] = {"euro",  "euros", "dollar", "dollars", "bucks",  "quid",
                                        "cents", "cent",  "yen",    "rupees",  "francs", NULL};
    if (tk->norm_len == 3 && is_currency_code3((const unsigned char *)tk->norm))
        return 1;
    for (size_t k = 0; words[k]; k++)
        if (norm_is(tk, words[k]))
            return 1;
    return 0;
}

static int is_currency_symbol_tok(const tokenizer *t, const heed_token *tk)
{
    return tk->kind == HEED_TOK_SYMBOL && currency_len(t, tk->start) == tk->len;
}

/* A number that can be a clock time before "am"/"pm": 1..12, or h.mm. */
static int clock_like(const tokenizer *t, const heed_token *tk)
{
    size_t a = tk->start, b = a + tk->len, d = digits_end(t, a);
    if (d - a < 1 || d - a > 2 || digits_value(t, a, d) > 12)
        return 0;
    return d == b || (b - d == 3 && (t->u[d] == '.' || t->u[d] == ':'));
}

/* Kinds that depend on a neighbour across a space: "20 EUR" and "USD 30" make
 * the number MONEY (the code stays a WORD), "$ 5" and "5 €" too; "9 am" makes
 * the number TIME (the "am" stays a WORD). */
static void link_neighbours(const tokenizer *t, heed_token *prev, heed_token *cur)
{
    if (prev->kind != HEED_TOK_NUMBER && cur->kind != HEED_TOK_NUMBER)
        return;
    if (!blank_gap(t, prev->start + prev->len, cur->start))
        return;
    if (prev->kind == HEED_TOK_NUMBER) {
        if (cur->kind == HEED_TOK_WORD) {
            if ((norm_is(cur, "am") || norm_is(cur, "pm") || norm_is(cur, "a.m.") ||
                 norm_is(cur, "p.m.")) &&
                clock_like(t, prev))
                prev->kind = HEED_TOK_TIME;
            else if (is_currency_word(cur))
                prev->kind = HEED_TOK_MONEY;
        } else if (is_currency_symbol_tok(t, cur)) {
            prev->kind = HEED_TOK_MONEY;
        }
    } else if (cur->kind == HEED_TOK_NUMBER) {
        if ((prev->kind == HEED_TOK_WORD && prev->norm_len == 3 &&
             is_currency_code3((const unsigned char *)prev->norm)) ||
            is_currency_symbol_tok(t, prev))
            cur->kind = HEED_TOK_MONEY;
    }
}

/* Doubles the token array into a new arena block (the old one stays in the
 * arena until the analysis is freed: at most as much again). */
static int grow(tokenizer *t)
{
    if (t->cap >= HEED_MAX_TOKENS)
        return HEED_ETOOBIG;
    size_t cap = t->cap * 2;
    if (cap > HEED_MAX_TOKENS)
        cap = HEED_MAX_TOKENS;
    heed_token *nt = heed__arena_alloc(t->a, cap * sizeof(*nt));
    if (!nt)
        return HEED_ENOMEM;
    memcpy(nt, t->toks, t->count * sizeof(*nt));
    if (t->ws) {
        uint64_t *th = heed__arena_alloc(t->a, cap * sizeof(*th));
        const heed_word **wr = heed__arena_alloc(t->a, cap * sizeof(*wr));
        if (!th || !wr)
            return HEED_ENOMEM;
        memcpy(th, t->th, t->count * sizeof(*th));
        memcpy(wr, t->wr, t->count * sizeof(*wr));
        t->th = th;
        t->wr = wr;
    }
    t->toks = nt;
    t->cap = cap;
    return HEED_OK;
}

/* Is the token its own normal form: ASCII, no capital, and (when runs are
 * squashed) no letter three times in a row? Most tokens are; their norm then
 * points into the text instead of into a copy. */
static int already_normal(const unsigned char *p, size_t n, int squash)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c >= 0x80 || c - 'A' < 26u)
            return 0;
        if (squash && i >= 2 && c - 'a' < 26u && p[i - 1] == c && p[i - 2] == c)
            return 0;
    }
    return 1;
}

static int emit(tokenizer *t, size_t start, span sp)
{
    if (t->count == t->cap) {
        int rc = grow(t);
        if (rc)
            return rc;
    }
    size_t nl;
    /* Letter runs are squashed for words ("sooo"), never for addresses and ids. */
    int squash = sp.kind != HEED_TOK_URL && sp.kind != HEED_TOK_EMAIL && sp.kind != HEED_TOK_ID &&
                 sp.kind != HEED_TOK_MENTION;
    const char *norm = (const char *)t->u + start;
    nl = sp.end - start;
    if (!(sp.flags & SPAN_NORMAL) && !already_normal(t->u + start, nl, squash)) {
        norm = heed__utf8_normalize(t->a, norm, nl, squash, &nl);
        if (!norm)
            return HEED_ENOMEM;
    }
    heed_token *tk = &t->toks[t->count++];
    tk->start = (uint32_t)start;
    tk->len = (uint32_t)(sp.end - start);
    tk->kind = (uint16_t)sp.kind;
    tk->flags = (uint16_t)(sp.flags & ~SPAN_NORMAL);
    tk->sentence = 0;
    tk->norm = norm;
    tk->norm_len = (uint32_t)nl;
    if (t->ws)
        heed__freqwords_find(t->ws, tk, 1, &t->th[t->count - 1], &t->wr[t->count - 1]);
    if (t->count >= 2)
        link_neighbours(t, tk - 1, tk);
    return HEED_OK;
}

/* ---------------------------------------------------------------- fast path */

/* The fast path reads the text CHUNK bytes a step (SSE2 where there is, else
 * eight in a 64-bit word) and turns each step into bit masks: bit k of a mask
 * is about the step's byte k. */
#ifdef HEED_SSE2
#define CHUNK 16u
#else
#define CHUNK 8u
#define ONES8 0x0101010101010101ull
#define HIGH8 (0x80 * ONES8)

/* 0x80 in each byte of x that is 'a'..'z' (byte k of the text at bits 8k),
 * 0 elsewhere: a byte's sums stay below 0x100, so no carry crosses bytes. */
static inline uint64_t lower_bytes(uint64_t x)
{
    const uint64_t lo = x & 0x7F * ONES8;
    return (lo + (0x80 - 'a') * ONES8) & ~(lo + (0x80 - 'z' - 1) * ONES8) & ~x & HIGH8;
}

/* The high bit of each byte of m (0x80 or 0) as bit k for byte k. */
static inline unsigned byte_bits(uint64_t m)
{
    return (unsigned)(((m >> 7) * 0x0102040810204080ull) >> 56);
}

static inline uint64_t text_word(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}
#endif

/* Where the CHUNK bytes from offset b can be read: the text itself, or near
 * its end the copy of its last bytes with zeros after them. */
static inline const unsigned char *chunk_at(const tokenizer *t, size_t b)
{
    return b + CHUNK <= t->n ? t->u + b : t->tail + (b - t->tail_from);
}

/* The masks of the CHUNK bytes at p: *letters the ASCII letters, *smalls the
 * small ones among them, *same3 the bytes the next two equal, case folded
 * (a letter three times in a row starts there when all three are letters). */
static inline void chunk_masks(const unsigned char *p, unsigned *letters, unsigned *smalls,
                               unsigned *same3)
{
#ifdef HEED_SSE2
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i y = _mm_or_si128(x, _mm_set1_epi8(0x20));
    /* y - 'a' < 26 unsigned, as a signed compare with the range moved down */
    const __m128i let = _mm_cmplt_epi8(_mm_add_epi8(y, _mm_set1_epi8((char)(0x80 - 'a'))),
                                       _mm_set1_epi8((char)(-128 + 26)));
    *letters = (unsigned)_mm_movemask_epi8(let);
    /* bit 5 (small) to bit 7; the shift moves no bit 5 into another byte's bit 7 */
    *smalls = (unsigned)_mm_movemask_epi8(_mm_slli_epi16(x, 2)) & *letters;
    /* bytes equal to the next one (byte 15 to a zero, never); then to the
     * next two */
    const unsigned same2 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(y, _mm_srli_si128(y, 1)));
    *same3 = same2 & same2 >> 1;
#else
    const uint64_t x = text_word(p), y = x | 0x20 * ONES8;
    const uint64_t let = lower_bytes(y);
    /* exact zero bytes of e: no borrow crosses bytes */
    const uint64_t e = (y ^ y >> 8) | (y ^ y >> 16);
    const uint64_t same = ~(((e & 0x7F * ONES8) + 0x7F * ONES8) | e) & HIGH8;
    *letters = byte_bits(let);
    *smalls = byte_bits(let & x << 2);
    *same3 = byte_bits(same);
#endif
}

/* Stores the lowered copy of the CHUNK bytes at p, letters and apostrophes
 * (which the setting of bit 5 leaves alone), at d; bytes from len on are 0. */
static inline void chunk_lowered(char *d, const unsigned char *p, size_t len)
{
#ifdef HEED_SSE2
    const __m128i idx = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i keep = _mm_cmplt_epi8(idx, _mm_set1_epi8((char)(len < 16 ? len : 16)));
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    _mm_storeu_si128((__m128i *)(void *)d, _mm_and_si128(_mm_or_si128(x, _mm_set1_epi8(0x20)), keep));
#else
    uint64_t x = text_word(p) | 0x20 * ONES8;
    if (len < 8)
        x &= ((uint64_t)1 << (8 * len)) - 1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    memcpy(d, &x, 8);
#endif
}

/* The common token: ASCII letters with inner apostrophes before a letter
 * (don't, I'm), ending at a space or at punctuation no scanner reads on from,
 * with no '@' ahead (so no address). scan_ascii would make it a WORD ending at
 * the same place with the flags set in *flags (CONTRACTION, ALLCAPS,
 * ELONGATED); *upper says it has capitals, which its norm lowers. Returns the
 * end, or 0 when the general scanners must decide: a digit, hyphen,
 * underscore or non-ASCII character after it, or an end that starts something
 * longer (a single letter before '.' or ':', a '.' before a letter or digit,
 * "://"). Not called for words from 'x' or 'X' ("xD", "XP": scan_ascii tries
 * an emoticon).
 *
 * A chunk's masks find the end of a run of letters, its capitals and a letter
 * three times in a row. A run longer than a chunk goes on with a load two
 * bytes back, so a triple across two loads is still seen; a run ends at an
 * apostrophe, and a letter after it starts the next run of the same word (no
 * triple spans the apostrophe). */
static size_t ascii_word_end(const tokenizer *t, size_t i, unsigned *flags, int *upper)
{
    const unsigned char *u = t->u;
    const size_t n = t->n;
    const unsigned full = (1u << CHUNK) - 1;
    unsigned caps = 0, smalls = 0, triples = 0, fl = 0, d;
    size_t b = i, j;
    for (;;) {
        const unsigned char *p = chunk_at(t, b);
        unsigned let, sm, s3;
        chunk_masks(p, &let, &sm, &s3);
        if (let == full) {
            caps |= let & ~sm;
            smalls |= sm;
            triples |= s3 & full >> 2; /* triples that start in the chunk */
            b += CHUNK - 2;
            continue;
        }
        const unsigned len = (unsigned)__builtin_ctz(~let), in = (1u << len) - 1;
        caps |= in & ~sm;
        smalls |= sm & in;
        triples |= s3 & in >> 2;
        j = b + len;
        d = p[len]; /* 0 past the end */
        if (d != '\'')
            break;
        const unsigned d1 = j + 1 < n ? u[j + 1] : 0;
        if (((d1 | 32u) - 'a') < 26u) {
            fl = HEED_TF_CONTRACTION;
            b = j + 1;
            continue;
        }
        if (d1 >= 0x80)
            return 0; /* a letter may follow: a contraction */
        break;
    }
    if (d != ' ') {
        if (d >= 0x80 || is_digit(d) || d == '-' || d == '_')
            return 0;
        if (d == '.' || d == ':') {
            const unsigned d1 = j + 1 < n ? u[j + 1] : 0;
            if (j - i < 2 || (d == '.' ? d1 >= 0x80 || is_alnum(d1) : d1 == '/'))
                return 0;
        }
    }
    if (triples)
        fl |= HEED_TF_ELONGATED;
    /* two letters or more (an apostrophe stands between two), none small */
    if (!smalls && j - i >= 2)
        fl |= HEED_TF_ALLCAPS;
    *upper = caps != 0;
    *flags = fl;
    return j;
}

/* Copy of the ASCII word [i, e) with its capitals lowered, NUL-terminated,
 * or NULL when out of memory. */
static char *lowered_copy(tokenizer *t, size_t i, size_t e)
{
    const size_t len = e - i;
    /* the arena rounds up to 16 bytes: room for whole chunks */
    char *d = heed__arena_alloc(t->a, len + 1);
    if (!d)
        return NULL;
    for (size_t k = 0; k < len; k += CHUNK)
        chunk_lowered(d + k, chunk_at(t, i + k), len - k);
    d[len] = '\0';
    return d;
}

/* How the fast path treats an ASCII byte at a token start. */
enum {
    AC_OTHER,    /* digits and marks that may start more: the scanners decide */
    AC_SPACE,    /* controls, space, DEL: white space */
    AC_LETTER,   /* a word, ascii_word_end decides */
    AC_TERMINAL, /* . ! ?: a run of them is one PUNCT (terminal_run) */
    AC_PUNCT,    /* a run of the same mark is one PUNCT (same_run) */
    AC_SYMBOL    /* a run of the same mark is one SYMBOL (same_run) */
};

#define AC_SPACES32                                                                               \
    AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE,     \
        AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, \
        AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, \
        AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE, AC_SPACE
/* A..W, a..w (x, X, y, z, Y, Z apart) */
#define AC_LETTERS23                                                                               \
    AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER,        \
        AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER,    \
        AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER, AC_LETTER

/* The rest is AC_OTHER: digits, 'x' and 'X' (emoticons "xD", "XP"), and the
 * marks that by scan_ascii may start more than themselves: '#' '*' (keycaps, ids, hashtags), '@', '$', the eyes
 * and noses of emoticons (: ; = < > ^ -) and '&' (entities). The marks here
 * are same_run's (or terminal_run's), of the kind ascii_punct_kind gives. */
static const unsigned char ASCII_CLASS[128] = {
    AC_SPACES32,
    [' '] = AC_SPACE,
    ['!'] = AC_TERMINAL,
    ['"'] = AC_PUNCT,
    ['%'] = AC_PUNCT,
    ['\''] = AC_PUNCT,
    ['('] = AC_PUNCT,
    [')'] = AC_PUNCT,
    ['+'] = AC_SYMBOL,
    [','] = AC_PUNCT,
    ['.'] = AC_TERMINAL,
    ['/'] = AC_PUNCT,
    ['?'] = AC_TERMINAL,
    ['A'] = AC_LETTERS23,
    ['Y'] = AC_LETTER,
    ['Z'] = AC_LETTER,
    ['['] = AC_PUNCT,
    ['\\'] = AC_PUNCT,
    [']'] = AC_PUNCT,
    ['_'] = AC_PUNCT,
    ['`'] = AC_SYMBOL,
    ['a'] = AC_LETTERS23,
    ['y'] = AC_LETTER,
    ['z'] = AC_LETTER,
    ['{'] = AC_PUNCT,
    ['|'] = AC_SYMBOL,
    ['}'] = AC_PUNCT,
    ['~'] = AC_SYMBOL,
    [0x7F] = AC_SPACE,
};

/* After a word of ASCII letters: 1 where the word ends for sure (white
 * space, and the marks no scanner reads on from after a word), 2 at '.'
 * (ends it unless a single letter or a letter or digit after it makes an
 * acronym, a URL or a number); 0 where ascii_word_end must look: an
 * apostrophe (a contraction may go on), ':' ("://"), '-' and '_' (inner
 * hyphens), digits (ids). */
static const unsigned char WORD_END[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [' '] = 1,  ['!'] = 1, ['"'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['('] = 1,
    [')'] = 1,  ['*'] = 1, ['+'] = 1, [','] = 1, ['.'] = 2, ['/'] = 1, [';'] = 1, ['<'] = 1,
    ['='] = 1,  ['>'] = 1, ['?'] = 1, ['@'] = 1, ['['] = 1, ['\\'] = 1, [']'] = 1, ['^'] = 1,
    ['`'] = 1,  ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1, [0x7F] = 1,
};

/* The fast path's mark token at i (class cls, AC_TERMINAL..AC_SYMBOL): what
 * terminal_run or same_run would make of an ASCII run, its own normal form.
 * Returns its end, or 0 when a non-ASCII byte follows the run (a mark or a
 * joiner to absorb, a terminal like U+2026): the scanners decide. */
static size_t ascii_mark_end(const tokenizer *t, size_t i, unsigned cls, unsigned *flags)
{
    const unsigned char *u = t->u;
    const size_t n = t->n;
    const unsigned c = u[i];
    size_t e = i + 1;
    if (cls == AC_TERMINAL)
        while (e < n && (u[e] == '.' || u[e] == '!' || u[e] == '?'))
            e++;
    else
        while (e < n && u[e] == c)
            e++;
    if (e < n && u[e] >= 0x80)
        return 0;
    *flags = e - i >= 2 ? HEED_TF_REPEATED : 0;
    return e;
}

/* ---------------------------------------------------------------- the pass */

/* The token at i (not white space) by the general scanners, or the white
 * space of one non-ASCII code point. Returns the offset after it, or 0 with
 * *rc set to the error. */
static size_t general_token(tokenizer *t, size_t i, int *rc)
{
    const size_t n = t->n;
    span sp;
    if (t->u[i] < 0x80) {
        sp = scan_ascii(t, i);
    } else {
        uint32_t cp;
        size_t l = cp_at(t, i, &cp);
        int cls = uclass(cp);
        if (cls == U_SPACE)
            return i + l;
        sp = scan_unicode(t, i, cp, l, cls);
    }
    if (sp.end <= i) { /* never stall, whatever a scanner did */
        sp.end = i + 1;
        while (sp.end < n && (t->u[sp.end] & 0xC0) == 0x80)
            sp.end++;
    }
    if (sp.end < n && t->u[sp.end] >= 0x80) { /* marks and joiners are not ASCII */
        size_t e = absorb_extend(t, sp.end);
        if (e != sp.end)
            sp.flags &= ~SPAN_NORMAL;
        sp.end = e;
    }
    return (*rc = emit(t, i, sp)) ? 0 : sp.end;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The bytes of a word of len bytes that its first 8 (heed__head8) keep. */
static const uint64_t HEAD_MASK[16] = {
    0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull,
    ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
#endif

/* The hash and word of token k (heed__tokenize_words), whose norm is
 * w[0..n) and whose word in t->ws is e (NULL: none). */
static inline void set_word(tokenizer *t, size_t k, const heed_word *e, const char *w, size_t n)
{
    t->wr[k] = e;
    t->th[k] = e ? e->hash : heed__freqwords_hash(t->ws, w, n);
}

/* Where the fast pass is: the offset, the next free slot and the end of the
 * array's room (t->count is set from tk around the calls that store),
 * whether the token before tk is a NUMBER: the next one may change its kind
 * (link_neighbours); the fast path's tokens are never numbers; and where a
 * token must start for the one before tk to be quiet (HEED__TOK_QUIET): right
 * after it or one space after it, or SIZE_MAX when that one is not a word
 * or a mark (other than . ! ?) of the fast path. */
typedef struct fast_cursor {
    size_t i;
    heed_token *tk, *room;
    int after_number;
    size_t quiet_at;
} fast_cursor;

/* The fast pass from cur->i on while cur->i < to, the text's chunk at offset i
 * read at s + (i - off): the text itself (off 0) while whole chunks are
 * left, its zero-padded tail (t->tail, off t->tail_from) after that. Plain
 * words and runs of marks, the common tokens, are cut here (what the
 * scanners would cut, as the tests prove) and stored where the array has
 * room; the rest goes to general_token and emit. Inlined into each phase,
 * where s and off are known. */
static inline __attribute__((always_inline)) int fast_run(tokenizer *t, fast_cursor *cur,
                                                           const unsigned char *s, size_t off,
                                                           size_t to, const int words)
{
    const unsigned char *u = t->u;
    const size_t n = t->n;
    /* words only where no '@' is ahead */
    const size_t words_from = t->last_at < n ? t->last_at + 1 : 0;
    const heed_words *ws = words ? t->ws : NULL;
    heed_token *tk = cur->tk, *room = cur->room;
    int after_number = cur->after_number;
    size_t quiet_at = cur->quiet_at;
    size_t i = cur->i;
    int rc = HEED_OK;
    while (i < to) {
        const unsigned c = u[i];
        if (c < 0x80) {
            const unsigned cls = ASCII_CLASS[c];
            if (cls == AC_LETTER && i >= words_from && tk < room) {
                /* Most words end inside their first chunk, before a space or
                 * a mark that ends a word for sure (WORD_END), or before a
                 * '.' that does not go on into a letter or digit; a word with
                 * no letter three times in a row is stored here. */
                const unsigned char *p = s + (i - off);
                unsigned let, sm, s3;
                chunk_masks(p, &let, &sm, &s3);
                const unsigned len = (unsigned)__builtin_ctz(~let);
                const unsigned d = len < CHUNK ? p[len] : 0x80;
                unsigned end = d < 0x80 ? WORD_END[d] : 0;
                if (end == 2 && len >= 2 && len + 1 < CHUNK) /* '.' */
                    end = p[len + 1] < 0x80 && !is_alnum(p[len + 1]);
                const unsigned in = (1u << len) - 1;
                if (end == 1 && !(s3 & in >> 2)) {
                    const char *norm = (const char *)u + i;
                    if (in & ~sm) {
                        /* capitals: the norm is a copy with them lowered */
                        char *low = heed__arena_alloc(t->a, len + 1);
                        if (!low) {
                            rc = HEED_ENOMEM;
                            break;
                        }
                        chunk_lowered(low, p, len);
                        norm = low;
                    }
                    if (i == quiet_at)
                        tk[-1].sentence = HEED__TOK_QUIET;
                    tk->start = (uint32_t)i;
                    tk->len = len;
                    tk->kind = HEED_TOK_WORD;
                    /* two letters or more, none small */
                    tk->flags = !(sm & in) && len >= 2 ? HEED_TF_ALLCAPS : 0;
                    tk->sentence = 0;
                    tk->norm = norm;
                    tk->norm_len = len;
                    if (ws) {
                        /* the norm's first 8 bytes: the word's, lowered
                         * (letters only), those from len on dropped */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                        uint64_t head;
                        memcpy(&head, p, 8);
                        head = (head | 0x2020202020202020ull) & HEAD_MASK[len];
#else
                        const uint64_t head = heed__head8(norm, len);
#endif
                        set_word(t, (size_t)(tk - t->toks), heed__freqwords_get(ws, head, norm, len),
                                 norm, len);
                    }
                    if (after_number) {
                        link_neighbours(t, tk - 1, tk);
                        after_number = 0;
                    }
                    tk++;
                    i += len + (d == ' '); /* and the space after it */
                    quiet_at = i;
                    continue;
                }
                /* the rest of the words: contractions, words longer than a
                 * chunk, the ends that need a closer look */
                unsigned wfl;
                int upper;
                const size_t e = ascii_word_end(t, i, &wfl, &upper);
                if (e) {
                    if (!(wfl & HEED_TF_ELONGATED)) {
                        /* what emit would store: the word is its own normal
                         * form but for capitals, which a copy lowers */
                        const char *norm = (const char *)u + i;
                        if (upper && !(norm = lowered_copy(t, i, e))) {
                            rc = HEED_ENOMEM;
                            break;
                        }
                        if (i == quiet_at)
                            tk[-1].sentence = HEED__TOK_QUIET;
                        tk->start = (uint32_t)i;
                        tk->len = (uint32_t)(e - i);
                        tk->kind = HEED_TOK_WORD;
                        tk->flags = (uint16_t)wfl;
                        tk->sentence = 0;
                        tk->norm = norm;
                        tk->norm_len = (uint32_t)(e - i);
                        if (ws)
                            set_word(t, (size_t)(tk - t->toks),
                                     heed__freqwords_get(ws, heed__head8(norm, e - i), norm, e - i),
                                     norm, e - i);
                        if (after_number) {
                            link_neighbours(t, tk - 1, tk);
                            after_number = 0;
                        }
                        tk++;
                    } else {
                        /* elongated: emit squashes the norm */
                        if (i == quiet_at)
                            tk[-1].sentence = HEED__TOK_QUIET;
                        t->count = (size_t)(tk - t->toks);
                        if ((rc = emit(t, i, mk(e, HEED_TOK_WORD, wfl))))
                            break;
                        tk = t->toks + t->count;
                        room = t->toks + t->cap;
                        after_number = 0;
                    }
                    /* the space after the word, which the loop would skip */
                    i = e < n && u[e] == ' ' ? e + 1 : e;
                    quiet_at = i;
                    continue;
                }
            } else if (cls == AC_SPACE) {
                i++;
                continue;
            } else if (cls >= AC_TERMINAL && tk < room) {
                unsigned mfl;
                const size_t e = ascii_mark_end(t, i, cls, &mfl);
                if (e) {
                    if (i == quiet_at)
                        tk[-1].sentence = HEED__TOK_QUIET;
                    tk->start = (uint32_t)i;
                    tk->len = (uint32_t)(e - i);
                    tk->kind = cls == AC_SYMBOL ? HEED_TOK_SYMBOL : HEED_TOK_PUNCT;
                    tk->flags = (uint16_t)mfl;
                    tk->sentence = 0;
                    tk->norm = (const char *)u + i;
                    tk->norm_len = (uint32_t)(e - i);
                    if (ws)
                        set_word(t, (size_t)(tk - t->toks), NULL, tk->norm, e - i);
                    if (after_number) {
                        link_neighbours(t, tk - 1, tk);
                        after_number = 0;
                    }
                    tk++;
                    i = e < n && u[e] == ' ' ? e + 1 : e; /* and the space after it */
                    /* . ! ? may end a sentence; other marks end none */
                    quiet_at = cls == AC_TERMINAL ? SIZE_MAX : i;
                    continue;
                }
            }
        }
        const size_t at = i, before = t->count = (size_t)(tk - t->toks);
        if (!(i = general_token(t, i, &rc)))
            break;
        /* a token stored (at `at`) right after a quiet one; white space
         * (no token) leaves a gap: none after it is */
        if (t->count > before && at == quiet_at)
            t->toks[before - 1].sentence = HEED__TOK_QUIET;
        quiet_at = SIZE_MAX;
        tk = t->toks + t->count;
        room = t->toks + t->cap;
        after_number = t->count && tk[-1].kind == HEED_TOK_NUMBER;
    }
    *cur = (fast_cursor){i, tk, room, after_number, quiet_at};
    return rc;
}

/* The pass with the fast paths: fast_run on the text while whole chunks are
 * left, then on the copy of its last bytes; words: t->ws is set. */
static inline __attribute__((always_inline)) int fast_pass_of(tokenizer *t, const int words)
{
    const size_t n = t->n;
    /* the last bytes, zero-padded (chunk_at reads them in both phases) */
    memset(t->tail + CHUNK, 0, sizeof t->tail - CHUNK);
    if (n >= CHUNK) { /* one copy of a constant size */
        t->tail_from = n - CHUNK;
        memcpy(t->tail, t->u + t->tail_from, CHUNK);
    } else {
        t->tail_from = 0;
        memset(t->tail, 0, CHUNK);
        memcpy(t->tail, t->u, n);
    }
    fast_cursor c = {0, t->toks, t->toks + t->cap, 0, SIZE_MAX};
    int rc = fast_run(t, &c, t->u, 0, n >= CHUNK ? n - CHUNK + 1 : 0, words);
    if (!rc)
        rc = fast_run(t, &c, t->tail, t->tail_from, n, words);
    t->count = (size_t)(c.tk - t->toks);
    return rc;
}


/* The tokens of s[0..n) (heed__tokenize); with the fast paths when fast;
 * with each token's hash and word in ws (heed__tokenize_words) when words
 * (then ws is not NULL). Inlined into each caller, where fast and words are
 * constants. */
static inline __attribute__((always_inline)) int tokenize(heed_arena *a, const char *s, size_t n,
                                                           const heed_words *ws, heed_token **out,
                                                           size_t *n_out, uint64_t **th,
                                                           const heed_word ***wr, const int fast,
                                                           const int words)
{
    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return HEED_OK;
    /* Offsets are 32-bit; heed_analyze caps texts far below this. */
    if (n > UINT32_MAX)
        return HEED_ETOOBIG;
    /* field by field: the tail (32 bytes) is written by fast_pass_of, and
     * read only there */
    tokenizer t;
    t.a = a;
    t.u = (const unsigned char *)s;
    t.n = n;
    t.toks = NULL;
    t.count = 0;
    t.last_at = n;
    t.ws = words ? ws : NULL;
    t.th = NULL;
    t.wr = NULL;
    t.tail_from = 0;
    if (memchr(s, '@', n))
        for (t.last_at = n; t.u[--t.last_at] != '@';)
            ;
    /* Customer text averages 5-6 bytes per token with its space; start there
     * and double when needed. */
    t.cap = n / 6 + 16;
    if (t.cap > HEED_MAX_TOKENS)
        t.cap = HEED_MAX_TOKENS;
    t.toks = heed__arena_alloc(a, t.cap * sizeof(*t.toks));
    if (!t.toks)
        return HEED_ENOMEM;
    if (words) {
        t.th = heed__arena_alloc(a, t.cap * sizeof(*t.th));
        t.wr = heed__arena_alloc(a, t.cap * sizeof(*t.wr));
        if (!t.th || !t.wr)
            return HEED_ENOMEM;
    }
    int rc = HEED_OK;
    if (fast) {
        rc = fast_pass_of(&t, words);
    } else {
        for (size_t i = 0; i < n;) {
            const unsigned c = t.u[i];
            if (c <= 0x20 || c == 0x7F)
                i++;
            else if (!(i = general_token(&t, i, &rc)))
                break;
        }
    }
    if (rc)
        return rc;
    *out = t.toks;
    *n_out = t.count;
    if (words) {
        *th = t.th;
        *wr = t.wr;
    }
    return HEED_OK;
}

int heed__tokenize(heed_arena *a, const char *s, size_t n, heed_token **out, size_t *n_out)
{
    return tokenize(a, s, n, NULL, out, n_out, NULL, NULL, 1, 0);
}

int heed__tokenize_words(heed_arena *a, const char *s, size_t n, const heed_words *ws,
                         heed_token **out, size_t *n_out, uint64_t **th, const heed_word ***wr)
{
    *th = NULL;
    *wr = NULL;
    int rc = ws ? tokenize(a, s, n, ws, out, n_out, th, wr, 1, 1)
                : heed__tokenize(a, s, n, out, n_out);
    if (rc || *th)
        return rc;
    /* no table, or no token: the arrays as heed__freqwords_find fills them */
    *th = heed__arena_alloc(a, (*n_out ? *n_out : 1) * sizeof **th);
    *wr = heed__arena_alloc(a, (*n_out ? *n_out : 1) * sizeof **wr);
    if (!*th || !*wr)
        return HEED_ENOMEM;
    heed__freqwords_find(ws, *out, *n_out, *th, *wr);
    return HEED_OK;
}

int heed__tokenize_general(heed_arena *a, const char *s, size_t n, heed_token **out,
                           size_t *n_out)
{
    return tokenize(a, s, n, NULL, out, n_out, NULL, NULL, 0, 0);
}
