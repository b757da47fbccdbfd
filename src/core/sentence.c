/* sentence.c - the sentence splitter of the core: decides after each token
 * whether a sentence ends there (rules in sentence.h), from the token kinds,
 * their norms and the white space between them. */
#include "sentence.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "hash.h"
#include "tokenize.h"
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
    if (tk->len == 1) /* one ASCII mark, as most are */
        return *p == '.' ? END_DOT : *p == '!' || *p == '?' ? END_STRONG : END_NONE;
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

/* The words the rules look for, in one table sorted by their bytes (zero
 * padded to 8), each with the lists it is on:
 * - HEED_SW_INNER: abbreviations after which a dot never ends a sentence: titles
 *   before a name, the others before a number or a continuation;
 * - HEED_SW_NUMERIC: abbreviations only before a number ("no. 5", "Fig. 3"): "I
 *   said no." ends;
 * - HEED_SW_FINAL: abbreviations that also end sentences: split before a
 *   capitalised word;
 * - HEED_SW_DOTTED: dotted words that end sentences the same way;
 * - HEED_SW_CONT: words a line does not end on when the clause goes on below.
 * test_sentence checks the order, which the lookup relies on. */
static const heed_sentence_word WORDS[] = {
    {"a", HEED_SW_CONT},
    {"a.m.", HEED_SW_DOTTED},
    {"about", HEED_SW_CONT},
    {"abt", HEED_SW_INNER},
    {"an", HEED_SW_CONT},
    {"and", HEED_SW_CONT},
    {"appr", HEED_SW_INNER},
    {"approx", HEED_SW_INNER},
    {"apr", HEED_SW_INNER},
    {"apt", HEED_SW_INNER},
    {"are", HEED_SW_CONT},
    {"art", HEED_SW_NUMERIC},
    {"as", HEED_SW_CONT},
    {"at", HEED_SW_CONT},
    {"attn", HEED_SW_INNER},
    {"aug", HEED_SW_INNER},
    {"ave", HEED_SW_INNER},
    {"be", HEED_SW_CONT},
    {"because", HEED_SW_CONT},
    {"been", HEED_SW_CONT},
    {"bspw", HEED_SW_INNER},
    {"but", HEED_SW_CONT},
    {"by", HEED_SW_CONT},
    {"bzw", HEED_SW_INNER},
    {"ca", HEED_SW_INNER},
    {"capt", HEED_SW_INNER},
    {"cf", HEED_SW_INNER},
    {"co", HEED_SW_FINAL},
    {"col", HEED_SW_INNER},
    {"corp", HEED_SW_FINAL},
    {"dec", HEED_SW_INNER},
    {"dept", HEED_SW_INNER},
    {"dr", HEED_SW_INNER},
    {"est", HEED_SW_INNER},
    {"etc", HEED_SW_FINAL},
    {"excl", HEED_SW_INNER},
    {"ext", HEED_SW_NUMERIC},
    {"feb", HEED_SW_INNER},
    {"fig", HEED_SW_NUMERIC},
    {"for", HEED_SW_CONT},
    {"fr", HEED_SW_INNER},
    {"fri", HEED_SW_INNER},
    {"from", HEED_SW_CONT},
    {"gen", HEED_SW_INNER},
    {"ggf", HEED_SW_INNER},
    {"gmbh", HEED_SW_FINAL},
    {"had", HEED_SW_CONT},
    {"has", HEED_SW_CONT},
    {"have", HEED_SW_CONT},
    {"her", HEED_SW_CONT},
    {"his", HEED_SW_CONT},
    {"hon", HEED_SW_INNER},
    {"hr", HEED_SW_INNER},
    {"hrs", HEED_SW_INNER},
    {"if", HEED_SW_CONT},
    {"in", HEED_SW_CONT},
    {"inc", HEED_SW_FINAL},
    {"incl", HEED_SW_INNER},
    {"inkl", HEED_SW_INNER},
    {"into", HEED_SW_CONT},
    {"is", HEED_SW_CONT},
    {"its", HEED_SW_CONT},
    {"jan", HEED_SW_INNER},
    {"jr", HEED_SW_FINAL},
    {"jul", HEED_SW_INNER},
    {"jun", HEED_SW_INNER},
    {"llc", HEED_SW_FINAL},
    {"lt", HEED_SW_INNER},
    {"ltd", HEED_SW_FINAL},
    {"mar", HEED_SW_INNER},
    {"max", HEED_SW_INNER},
    {"min", HEED_SW_INNER},
    {"mins", HEED_SW_INNER},
    {"misc", HEED_SW_INNER},
    {"mon", HEED_SW_INNER},
    {"mr", HEED_SW_INNER},
    {"mrs", HEED_SW_INNER},
    {"ms", HEED_SW_INNER},
    {"mt", HEED_SW_INNER},
    {"my", HEED_SW_CONT},
    {"no", HEED_SW_NUMERIC},
    {"nos", HEED_SW_NUMERIC},
    {"not", HEED_SW_CONT},
    {"nov", HEED_SW_INNER},
    {"nr", HEED_SW_NUMERIC},
    {"oct", HEED_SW_INNER},
    {"of", HEED_SW_CONT},
    {"on", HEED_SW_CONT},
    {"or", HEED_SW_CONT},
    {"our", HEED_SW_CONT},
    {"p.m.", HEED_SW_DOTTED},
    {"pg", HEED_SW_NUMERIC},
    {"plc", HEED_SW_FINAL},
    {"pp", HEED_SW_NUMERIC},
    {"prof", HEED_SW_INNER},
    {"qty", HEED_SW_INNER},
    {"ref", HEED_SW_NUMERIC},
    {"rep", HEED_SW_INNER},
    {"rev", HEED_SW_INNER},
    {"sat", HEED_SW_INNER},
    {"sec", HEED_SW_NUMERIC},
    {"sen", HEED_SW_INNER},
    {"sep", HEED_SW_INNER},
    {"sept", HEED_SW_INNER},
    {"sgt", HEED_SW_INNER},
    {"so", HEED_SW_CONT},
    {"sr", HEED_SW_FINAL},
    {"st", HEED_SW_INNER},
    {"sun", HEED_SW_INNER},
    {"tel", HEED_SW_NUMERIC},
    {"than", HEED_SW_CONT},
    {"that", HEED_SW_CONT},
    {"the", HEED_SW_CONT},
    {"their", HEED_SW_CONT},
    {"these", HEED_SW_CONT},
    {"this", HEED_SW_CONT},
    {"those", HEED_SW_CONT},
    {"thu", HEED_SW_INNER},
    {"thur", HEED_SW_INNER},
    {"thurs", HEED_SW_INNER},
    {"to", HEED_SW_CONT},
    {"tue", HEED_SW_INNER},
    {"tues", HEED_SW_INNER},
    {"very", HEED_SW_CONT},
    {"vol", HEED_SW_NUMERIC},
    {"vs", HEED_SW_INNER},
    {"was", HEED_SW_CONT},
    {"wed", HEED_SW_INNER},
    {"were", HEED_SW_CONT},
    {"which", HEED_SW_CONT},
    {"who", HEED_SW_CONT},
    {"with", HEED_SW_CONT},
    {"your", HEED_SW_CONT},
    {"zb", HEED_SW_INNER},
};

const heed_sentence_word *heed__sentence_words(size_t *n)
{
    *n = sizeof WORDS / sizeof WORDS[0];
    return WORDS;
}

/* The 8 bytes at p as a number whose order is memcmp's: byte 0 highest. */
static uint64_t order8(const char *p)
{
    return __builtin_bswap64(heed__head8(p, 8));
}

/* The lists (HEED_SW_*) the token's norm is on: a binary search of WORDS,
 * comparing 8 zero-padded bytes as one number (no memcmp call a step). */
static unsigned word_kinds(const heed_token *tk)
{
    if (tk->norm_len == 0 || tk->norm_len > 8)
        return 0; /* no listed word is longer */
    const uint64_t key = __builtin_bswap64(heed__head8(tk->norm, tk->norm_len));
    size_t lo = 0, hi = sizeof WORDS / sizeof WORDS[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const uint64_t w = order8(WORDS[mid].word);
        if (key == w)
            return WORDS[mid].kinds;
        if (key < w)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

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
        unsigned kinds = word_kinds(prev);
        if (kinds & HEED_SW_INNER)
            return 0;
        if (kinds & HEED_SW_FINAL)
            return starts_upper(sp, next);
        if ((kinds & HEED_SW_NUMERIC) && (next->kind == HEED_TOK_NUMBER ||
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
    if (tk->kind == HEED_TOK_WORD && (word_kinds(tk) & HEED_SW_CONT))
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
               (word_kinds(tk) & HEED_SW_DOTTED) && starts_upper(sp, next);
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
        return (word_kinds(tk) & HEED_SW_DOTTED) && starts_upper(sp, next);
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

    /* Pass 1: number the sentences in toks[].sentence; the first token of
     * each of the first FIRSTS sentences is kept for pass 2 (a text has
     * seldom more), which scans for those of later ones. */
    enum { FIRSTS = 32 };
    uint32_t firsts[FIRSTS];
    firsts[0] = 0;
    size_t cur = 0, first = 0, line_start = 0;
    for (size_t i = 0; i < n_toks; i++) {
        /* With at most a space after it, a token ends nothing (ends_after
         * says 0 without a line break) unless it is a dotted word, an end
         * mark (a one-byte mark is one unless it is . ! ?) or an emoticon or
         * emoji: most tokens, passed here. */
        const heed_token *const last = &toks[n_toks - 1];
        for (heed_token *tk = &toks[i]; tk < last; tk++, i++) {
            if (tk->sentence == HEED__TOK_QUIET) { /* the tokenizer read it and the gap */
                tk->sentence = (uint32_t)cur;
                continue;
            }
            const uint32_t end = tk->start + tk->len, gap = tk[1].start - end;
            if (gap > 1 || (gap && sp.u[end] != ' '))
                break;
            if (tk->kind == HEED_TOK_WORD) {
                /* dotted: a word's norm ends in '.' when its text does (an
                 * acronym, ASCII) and never when its text ends in another
                 * ASCII character (it ends in that, lowered); from a
                 * non-ASCII one NFKC may make '.' (U+2488 is "1.") */
                const unsigned c = sp.u[end - 1];
                if (c == '.' ||
                    (c >= 0x80 && tk->norm_len > 1 && tk->norm[tk->norm_len - 1] == '.'))
                    break;
            } else if (tk->kind == HEED_TOK_PUNCT) {
                const unsigned c = sp.u[tk->start];
                if (tk->len != 1 || c == '.' || c == '!' || c == '?')
                    break;
            } else if (is_emo(tk)) {
                break;
            }
            tk->sentence = (uint32_t)cur;
        }
        toks[i].sentence = (uint32_t)cur;
        if (i + 1 == n_toks)
            break;
        size_t after = line_start, gap_from = tok_end(&toks[i]), gap_to = toks[i + 1].start;
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
                if (cur < FIRSTS)
                    firsts[cur] = (uint32_t)first;
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
        size_t j; /* the sentence's last token */
        if (k + 1 == count) {
            j = n_toks - 1;
        } else if (k + 1 < FIRSTS) {
            j = firsts[k + 1] - 1;
        } else {
            j = first_tok;
            while (toks[j + 1].sentence == k)
                j++;
        }
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
