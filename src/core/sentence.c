/* sentence.c - the sentence splitter of the core: decides after each token
 * whether a sentence ends there (rules in sentence.h), from the token kinds,
 * their norms and the white space between them. */
#include "sentence.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "utf8.h"

typedef struct splitter {
    const unsigned char *u; /* the text the tokens point into */
    const heed_token *toks;
} splitter;

enum { END_NONE, END_DOT, END_ELLIPSIS, END_STRONG };

static size_t tok_end(const heed_token *tk)
{
    return (size_t)tk->start + tk->len;
}

/* How a PUNCT token ends a sentence, from its characters. */
static int end_kind(const splitter *sp, const heed_token *tk)
{
    if (tk->kind != HEED_TOK_PUNCT)
        return END_NONE;
    const unsigned char *p = sp->u + tk->start;
    size_t n = tk->len, dots = 0, marks = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = p[i];
        size_t l = 1;
        if (cp >= 0x80) {
            l = heed__utf8_decode(p + i, n - i, &cp);
            if (!l)
                l = 1;
        }
        i += l;
        switch (cp) {
        case '!':
        case '?':
        case 0x203C:
        case 0x2047:
        case 0x2048:
        case 0x2049:
        case 0x3002:
        case 0xFF01:
        case 0xFF1F:
        case 0x061F:
        case 0x0964:
            return END_STRONG;
        case '.':
        case 0xFF0E:
            dots++;
            marks++;
            break;
        case 0x2026:
            dots += 3;
            marks++;
            break;
        default:
            break; /* a mark glued on */
        }
    }
    if (marks == 0)
        return END_NONE;
    return dots == 1 ? END_DOT : END_ELLIPSIS;
}

/* Line breaks in the white space [a, b): \n, \r (CRLF once), \v, \f, NEL,
 * U+2028, U+2029. */
static size_t line_breaks(const splitter *sp, size_t a, size_t b, size_t *after_last)
{
    const unsigned char *u = sp->u;
    size_t count = 0;
    for (size_t i = a; i < b; i++) {
        unsigned c = u[i];
        if (c == '\n' || c == '\v' || c == '\f' || (c == '\r' && !(i + 1 < b && u[i + 1] == '\n'))) {
            count++;
            *after_last = i + 1;
        } else if (c == 0xC2 && i + 1 < b && u[i + 1] == 0x85) {
            count++;
            *after_last = i + 2;
        } else if (c == 0xE2 && i + 2 < b && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
            count++;
            *after_last = i + 3;
        }
    }
    return count;
}

static uint32_t first_cp(const splitter *sp, const heed_token *tk)
{
    uint32_t cp = sp->u[tk->start];
    if (cp >= 0x80 && !heed__utf8_decode(sp->u + tk->start, tk->len, &cp))
        return 0xFFFD;
    return cp;
}

static int starts_upper(const splitter *sp, const heed_token *tk)
{
    uint32_t cp = first_cp(sp, tk);
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

static int starts_lower(const splitter *sp, const heed_token *tk)
{
    uint32_t cp = first_cp(sp, tk);
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z';
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_LL;
}

/* Whether the token's norm is one of the NULL-terminated words. */
static int norm_in(const heed_token *tk, const char *const *words)
{
    if (tk->norm_len == 0 || tk->norm_len > 8)
        return 0; /* no listed word is longer */
    for (size_t k = 0; words[k]; k++) {
        if (words[k][0] != tk->norm[0])
            continue;
        size_t n = strlen(words[k]);
        if (tk->norm_len == n && memcmp(tk->norm, words[k], n) == 0)
            return 1;
    }
    return 0;
}

/* Abbreviations after which a dot never ends a sentence: titles come before a
 * name, the others before a number or a continuation. */
static const char *const abbrev_inner[] = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "rev", "fr", "sgt", "capt", "lt", "col",
    "gen", "sen", "rep", "hon", "approx", "appr", "vs", "ca", "cf", "dept", "apt", "ave",
    "est", "incl", "excl", "min", "max", "misc", "hr", "hrs", "mins", "qty", "attn", "abt",
    "bzw", "bspw", "ggf", "inkl", "zb", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs",
    "fri", "sat", "sun", NULL};

/* Abbreviations only before a number ("no. 5", "Fig. 3"): "I said no." ends. */
static const char *const abbrev_numeric[] = {"no", "nr", "nos", "tel", "ref", "fig", "ext",
                                             "vol", "pp", "pg", "art", "sec", NULL};

/* Abbreviations that also end sentences: split before a capitalised word. */
static const char *const abbrev_final[] = {"etc", "inc", "ltd", "co", "corp", "jr", "sr",
                                           "llc", "plc", "gmbh", NULL};

static const char *const dotted_final[] = {"a.m.", "p.m.", NULL};

/* Words a line does not end on when the clause goes on below. */
static const char *const continuation_words[] = {
    "and", "or", "but", "the", "a", "an", "to", "of", "in", "on", "at", "for", "with", "from",
    "by", "my", "your", "our", "their", "his", "her", "its", "is", "are", "was", "were",
    "be", "been", "have", "has", "had", "that", "which", "who", "if", "so", "because",
    "than", "as", "not", "very", "this", "these", "those", "into", "about", NULL};

static int is_emo(const heed_token *tk)
{
    return tk->kind == HEED_TOK_EMOJI || tk->kind == HEED_TOK_EMOTICON;
}

/* A closing quote or bracket: ) ] } " ' ” ’ » 」 』 ） */
static int is_closer(const splitter *sp, const heed_token *tk)
{
    if (tk->kind != HEED_TOK_PUNCT)
        return 0;
    uint32_t cp = first_cp(sp, tk);
    switch (cp) {
    case ')':
    case ']':
    case '}':
    case '"':
    case '\'':
    case 0x201D:
    case 0x2019:
    case 0x00BB:
    case 0x300D:
    case 0x300F:
    case 0xFF09:
        return 1;
    default:
        return 0;
    }
}

/* A single letter (one code point) in upper case: an initial. */
static int is_initial(const splitter *sp, const heed_token *tk)
{
    uint32_t cp = sp->u[tk->start];
    size_t l = 1;
    if (cp >= 0x80)
        l = heed__utf8_decode(sp->u + tk->start, tk->len, &cp);
    return l == tk->len && starts_upper(sp, tk);
}

/* After a single dot: whether it ends the sentence that starts at `first`. */
static int dot_ends(const splitter *sp, size_t first, size_t i)
{
    const heed_token *tk = &sp->toks[i], *next = &sp->toks[i + 1];
    const heed_token *prev = i > 0 ? &sp->toks[i - 1] : NULL;
    int prev_glued = prev && tok_end(prev) == tk->start;
    if (prev_glued && prev->kind == HEED_TOK_WORD) {
        if (norm_in(prev, abbrev_inner))
            return 0;
        if (norm_in(prev, abbrev_final))
            return starts_upper(sp, next);
        if (norm_in(prev, abbrev_numeric) && (next->kind == HEED_TOK_NUMBER ||
                                              next->kind == HEED_TOK_ID ||
                                              next->kind == HEED_TOK_DATE))
            return 0;
        if (is_initial(sp, prev))
            return 0; /* "J. Smith" */
    }
    if (prev_glued && prev->kind == HEED_TOK_NUMBER && i - 1 == first)
        return 0; /* "1. Open the app" */
    if (next->start == tok_end(tk)) {
        /* "example.com", "v1.2", "etc.," go on; a closer is taken into the
         * sentence; "Hello.Thanks" is a lazy space. */
        if (next->kind == HEED_TOK_PUNCT)
            return is_closer(sp, next);
        if (is_emo(next))
            return 1;
        return prev_glued && prev->kind == HEED_TOK_WORD && prev->len >= 2 &&
               starts_upper(sp, next);
    }
    return 1;
}

/* Whether a single line break after token i ends the sentence. */
static int line_ends(const splitter *sp, size_t i, size_t line_start)
{
    const heed_token *tk = &sp->toks[i], *next = &sp->toks[i + 1];
    if (tk->kind == HEED_TOK_PUNCT && tk->norm_len >= 1 && strchr(",;-(&/", tk->norm[0]) &&
        !(tk->flags & HEED_TF_REPEATED))
        return 0;
    if (tk->kind == HEED_TOK_WORD && norm_in(tk, continuation_words))
        return 0;
    if (starts_lower(sp, next) && tok_end(tk) - line_start >= 40)
        return 0;
    return 1;
}

/* Whether the sentence starting at token `first` ends after token i. */
static int ends_after(const splitter *sp, size_t first, size_t i, size_t breaks,
                      size_t line_start)
{
    const heed_token *tk = &sp->toks[i], *next = &sp->toks[i + 1];
    if (breaks >= 2)
        return 1;
    if (tk->kind == HEED_TOK_WORD && !breaks) /* the common case, decided below */
        return tk->norm_len > 1 && tk->norm[tk->norm_len - 1] == '.' &&
               norm_in(tk, dotted_final) && starts_upper(sp, next);
    switch (end_kind(sp, tk)) {
    case END_STRONG:
        return 1;
    case END_ELLIPSIS:
        return breaks || starts_upper(sp, next);
    case END_DOT:
        return breaks || dot_ends(sp, first, i);
    default:
        break;
    }
    if (tk->kind == HEED_TOK_WORD && tk->norm_len > 1 && tk->norm[tk->norm_len - 1] == '.' &&
        !breaks)
        return norm_in(tk, dotted_final) && starts_upper(sp, next);
    if (breaks)
        return line_ends(sp, i, line_start);
    /* "Great service :) Thanks": the end of an emoticon/emoji run in the middle
     * of a sentence, before a capitalised word. */
    if (is_emo(tk) && !is_emo(next) && next->kind == HEED_TOK_WORD && starts_upper(sp, next)) {
        size_t r = i;
        while (r > first && is_emo(&sp->toks[r - 1]))
            r--;
        if (r == first)
            return 0;
        const heed_token *before = &sp->toks[r - 1];
        return !(before->kind == HEED_TOK_WORD && before->norm_len == 1 && before->norm[0] == 'i');
    }
    return 0;
}

/* After an end: whether token j (following j-1) still belongs to the sentence
 * just ended: closers glued on, emoticons/emoji and end marks on the line. */
static int absorbs(const splitter *sp, size_t j)
{
    const heed_token *prev = &sp->toks[j - 1], *tk = &sp->toks[j];
    int glued = tk->start == tok_end(prev);
    if (glued && (is_closer(sp, tk) || end_kind(sp, tk) != END_NONE))
        return 1;
    if (!is_emo(tk))
        return 0;
    size_t after = 0;
    return line_breaks(sp, tok_end(prev), tk->start, &after) == 0;
}

int heed__sentences(heed_arena *a, const char *s, size_t n, heed_token *toks, size_t n_toks,
                    heed_sentence **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (n_toks == 0)
        return HEED_OK;
    (void)n; /* tokens carry their offsets; gaps are read between them */
    splitter sp = {(const unsigned char *)s, toks};

    /* Pass 1: number the sentences in toks[].sentence. */
    size_t cur = 0, first = 0, line_start = 0;
    for (size_t i = 0; i < n_toks; i++) {
        toks[i].sentence = (uint32_t)cur;
        if (i + 1 == n_toks)
            break;
        size_t after = line_start, gap_from = tok_end(&toks[i]), gap_to = toks[i + 1].start;
        if (toks[i].kind == HEED_TOK_WORD &&
            !(toks[i].norm_len > 1 && toks[i].norm[toks[i].norm_len - 1] == '.') &&
            (gap_to == gap_from || (gap_to == gap_from + 1 && sp.u[gap_from] == ' ')))
            continue; /* a word with at most a space after it ends nothing */
        /* most gaps are one space or none: no line break to look for */
        size_t breaks = gap_to - gap_from <= 1 && (gap_to == gap_from || sp.u[gap_from] == ' ')
                            ? 0
                            : line_breaks(&sp, gap_from, gap_to, &after);
        if (ends_after(&sp, first, i, breaks, line_start)) {
            while (i + 1 < n_toks && absorbs(&sp, i + 1)) {
                i++;
                toks[i].sentence = (uint32_t)cur;
            }
            if (i + 1 < n_toks) {
                cur++;
                first = i + 1;
                after = line_start;
                line_breaks(&sp, tok_end(&toks[i]), toks[i + 1].start, &after);
            }
        }
        line_start = after;
    }

    /* Pass 2: the sentence spans. */
    size_t count = cur + 1;
    heed_sentence *sents = heed__arena_alloc(a, count * sizeof(*sents));
    if (!sents)
        return HEED_ENOMEM;
    size_t first_tok = 0;
    for (size_t k = 0; k < count; k++) {
        size_t j = first_tok;
        uint32_t id = toks[first_tok].sentence;
        while (j + 1 < n_toks && toks[j + 1].sentence == id)
            j++;
        sents[k].start = toks[first_tok].start;
        sents[k].len = (uint32_t)(tok_end(&toks[j]) - toks[first_tok].start);
        sents[k].first_token = (uint32_t)first_tok;
        sents[k].n_tokens = (uint32_t)(j - first_tok + 1);
        sents[k].valence = 0.0;
        first_tok = j + 1;
    }
    *out = sents;
    *n_out = count;
    return HEED_OK;
}
