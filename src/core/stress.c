/* stress.c - the stress stage: phrase cues for urgency, effort, vulnerability
 * and escalation found over the normalised tokens (first-word binary search in
 * one sorted static table), a few cues found by rule (durations, "third
 * time"), distress from the valence evidence and, when present, the emotion
 * model; each component is a noisy-OR of its cues, the score a weighted
 * noisy-OR of the components. See docs/stress.md. */
#include "stress.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "freqwords.h"
#include "hash.h"
#include "heed_limits.h"
#include "stress_phrases.h"
#include "utf8.h"

#define PHRASES   heed__stress_phrases
#define N_PHRASES HEED__STRESS_N_PHRASES

static const char *const RELATIONS[] = {
    "aunt",    "baby",        "boyfriend",  "brother", "cat",     "child",
    "cousin",  "dad",         "daughter",   "dog",     "father",  "fiance",
    "fiancee", "friend",      "girlfriend", "gran",    "grandad", "grandfather",
    "grandma", "grandmother", "grandpa",    "granny",  "husband", "mam",
    "mom",     "mother",      "mum",        "nan",     "nana",    "parents",
    "partner", "pet",         "sister",     "son",     "uncle",   "wife",
};
static const char *const DAYS[] = {
    "christmas", "fri", "friday", "midday",  "mon",   "monday",    "noon",  "sat",
    "saturday",  "sun", "sunday", "thu",     "thurs", "thursday",  "today", "tomorrow",
    "tonight",   "tue", "tues",   "tuesday", "wed",   "wednesday",
};

/* Words that, alone in capitals among lower-case words, are stressed rather
 * than acronyms: "I'm asking YOU", "it's STILL broken". */
static const char *const EMPHASIS_WORDS[] = {
    "again",   "all",   "always", "any",   "anything", "asked", "ever",   "every",
    "help",    "me",    "must",   "need",  "never",    "no",    "nobody", "not",
    "nothing", "now",   "once",   "paid",  "please",   "still", "stop",   "this",
    "told",    "twice", "what",   "where", "why",      "you",   "your",
};

/* ------------------------------------------------------------ small helpers */

/* Words are short: a byte loop beats a call to memcmp here. */
static int norm_eq(const heed_token *t, const char *w, size_t n)
{
    if (t->norm_len != n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (t->norm[k] != w[k])
            return 0;
    return 1;
}

/* t's norm is the string literal w (length known at compile time) */
#define norm_is(t, w) norm_eq((t), "" w, sizeof(w) - 1)

/* Is t's norm a word of list? The lists are sorted byte-wise
 * (heed__stress_lists_check), so the scan stops past t's first byte. */
static int in_list(const heed_token *t, const char *const *list, size_t n)
{
    const size_t len = t->norm_len;
    if (!len)
        return 0;
    const unsigned char c0 = (unsigned char)t->norm[0];
    for (size_t i = 0; i < n; i++) {
        const char *w = list[i];
        if ((unsigned char)w[0] < c0)
            continue;
        if ((unsigned char)w[0] > c0)
            return 0;
        size_t k = 1;
        while (k < len && w[k] && w[k] == t->norm[k])
            k++;
        if (k == len && !w[len])
            return 1;
    }
    return 0;
}

static int is_word(const heed_token *t)
{
    return t->kind == HEED_TOK_WORD;
}

/* Byte-wise order of [a, a+na) against [w, w+n). */
static int cmp_word(const char *a, size_t na, const char *w, size_t n)
{
    size_t m = na < n ? na : n;
    int c = memcmp(a, w, m);
    if (c)
        return c;
    return na < n ? -1 : na > n;
}

static size_t word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != ' ')
        n++;
    return n;
}

#define MAX_REST 6 /* words of a phrase after its first */

int heed__stress_table_check(void)
{
    for (size_t i = 0; i < N_PHRASES; i++) {
        const phrase *p = &PHRASES[i];
        if (p->first_len != strlen(p->first) || !p->first_len || p->first[0] == '#' ||
            strchr(p->first, ' ') || (p->rest[0] == ' '))
            return (int)i;
        size_t words = 0; /* the index keeps up to MAX_REST words of 1..255 bytes */
        for (const char *w = p->rest; *w; words++) {
            const size_t l = word_len(w);
            if (!l || l > 255)
                return (int)i;
            w += l + (w[l] == ' ');
        }
        if (words > MAX_REST)
            return (int)i;
        if (i) {
            const phrase *q = &PHRASES[i - 1];
            int c = cmp_word(q->first, q->first_len, p->first, p->first_len);
            if (c > 0 || (c == 0 && strcmp(q->rest, p->rest) >= 0))
                return (int)i;
        }
    }
    return -1;
}

/* The number of words of p->rest. */
static size_t rest_words(const phrase *p)
{
    size_t words = 0;
    for (const char *w = p->rest; *w; words++)
        w += word_len(w) + (w[word_len(w)] == ' ');
    return words;
}

size_t heed__stress_phrase_text(size_t k, unsigned variant, char *out, size_t cap)
{
    static const size_t NREL = sizeof RELATIONS / sizeof RELATIONS[0];
    static const size_t NDAYS = sizeof DAYS / sizeof DAYS[0];
    if (k >= N_PHRASES)
        return 0;
    const phrase *p = &PHRASES[k];
    size_t n = 0;
    for (size_t word = 0; word <= rest_words(p); word++) {
        const char *w = p->first;
        size_t l = p->first_len;
        if (word) { /* the word-th of rest */
            w = p->rest;
            for (size_t k2 = 1; k2 < word; k2++)
                w += word_len(w) + 1;
            l = word_len(w);
        }
        const char *put = w, *tail = "";
        size_t pl = l;
        if (w[0] == '#') { /* a word the special word matches */
            const char *rel = RELATIONS[variant % NREL];
            put = l == 4 && !memcmp(w, "#num", 4)    ? (variant & 1 ? "12" : "3")
                  : l == 3 && !memcmp(w, "#dt", 3)   ? (variant & 1 ? "2024-03-01" : "10:30")
                  : l == 4 && !memcmp(w, "#day", 4)  ? DAYS[variant % NDAYS]
                  : l == 4 && !memcmp(w, "#rel", 4)  ? rel
                  : l == 5 && !memcmp(w, "#relp", 5) ? rel
                                                     : "";
            if (l == 5 && !memcmp(w, "#relp", 5) && (variant & 1))
                tail = "'s";
            pl = strlen(put);
        }
        const size_t tl = strlen(tail);
        if (n + 1 + pl + tl >= cap)
            return 0;
        if (n)
            out[n++] = ' ';
        memcpy(out + n, put, pl);
        memcpy(out + n + pl, tail, tl);
        n += pl + tl;
    }
    out[n] = '\0';
    return n;
}

/* A relation or pet, or its possessive ("husband's"): "my late husband's
 * account". Only for #relp: "lost my husband's card" is no bereavement. */
static int is_relation_possessive(const heed_token *t)
{
    if (in_list(t, RELATIONS, sizeof RELATIONS / sizeof RELATIONS[0]))
        return 1;
    size_t l = t->norm_len;
    if (l < 3 || t->norm[l - 2] != '\'' || t->norm[l - 1] != 's')
        return 0;
    heed_token stem = *t;
    stem.norm_len = l - 2;
    return in_list(&stem, RELATIONS, sizeof RELATIONS / sizeof RELATIONS[0]);
}

enum { MEMO_DAY, MEMO_REL, MEMO_RELP, MEMO_KINDS };

/* Does token t match the special word w ("#num" ...)? The list checks are
 * remembered in memo (-1: not yet known) since several phrases share them
 * ("my #rel died", "my #rel passed", ...). */
static int match_special(const heed_token *t, const char *w, size_t n, signed char *memo)
{
    if (n == 4 && !memcmp(w, "#num", 4))
        return t->kind == HEED_TOK_NUMBER;
    if (n == 3 && !memcmp(w, "#dt", 3))
        return t->kind == HEED_TOK_DATE || t->kind == HEED_TOK_TIME;
    int kind;
    if (n == 4 && !memcmp(w, "#rel", 4))
        kind = MEMO_REL;
    else if (n == 5 && !memcmp(w, "#relp", 5))
        kind = MEMO_RELP;
    else if (n == 4 && !memcmp(w, "#day", 4))
        kind = MEMO_DAY;
    else
        return 0;
    signed char *m = &memo[kind];
    if (*m < 0)
        *m = (signed char)(is_word(t) &&
                           (kind == MEMO_REL
                                ? in_list(t, RELATIONS, sizeof RELATIONS / sizeof RELATIONS[0])
                            : kind == MEMO_RELP ? is_relation_possessive(t)
                                                : in_list(t, DAYS, sizeof DAYS / sizeof DAYS[0])));
    return *m;
}

#define MEMO_DEPTH 4 /* phrase words after the first whose list checks are kept */

/* Number of tokens phrase p covers at toks[i] (its first word already
 * matched), or 0. Phrases do not cross sentences; a P_END phrase must be
 * followed by no word of its sentence. */
static size_t match_rest(const phrase *p, const heed_token *toks, size_t n, size_t i,
                         signed char (*memo)[MEMO_KINDS])
{
    const char *w = p->rest;
    size_t j = i + 1;
    while (*w) {
        size_t wl = word_len(w);
        if (j >= n || toks[j].sentence != toks[i].sentence)
            return 0;
        if (w[0] == '#') {
            signed char none[MEMO_KINDS] = {-1, -1, -1};
            if (!match_special(&toks[j], w, wl, j - i <= MEMO_DEPTH ? memo[j - i - 1] : none))
                return 0;
        } else if (!norm_eq(&toks[j], w, wl)) {
            return 0;
        }
        w += wl;
        if (*w == ' ')
            w++;
        j++;
    }
    if ((p->flags & P_END) && j < n && toks[j].sentence == toks[i].sentence &&
        (toks[j].kind == HEED_TOK_WORD || toks[j].kind == HEED_TOK_NUMBER))
        return 0;
    return j - i;
}

/* A 12-bit signature from the length and the first, second and last bytes. */
static unsigned sig(const char *w, size_t n)
{
    unsigned a = (unsigned char)w[0], z = (unsigned char)w[n - 1];
    unsigned m = n > 1 ? (unsigned char)w[1] : 0;
    return ((a * 31u + m) * 37u + z * 7u + (unsigned)n) & 4095u;
}

/* An 8-bit key of a word token, the low bits of its sig, which the word
 * after a first word must have for a phrase to go on (see next_mask). A
 * token whose norm no phrase's second word can be (punctuation, emoji: see
 * other_key), and the end of the text, have KEY_NOWORD; every other token,
 * and a word with an empty norm, has KEY_ANY. A word may have either key
 * too: keys only turn tokens away. */
#define KEY_ANY    255u
#define KEY_NOWORD 254u
#define KEY_WORDS  4 /* uint64_t words of a set of keys */
static unsigned next_key(unsigned word_sig)
{
    return word_sig & 255u;
}

static int has_bit(const uint64_t *set, unsigned b)
{
    return (int)((set[b >> 6] >> (b & 63)) & 1);
}

static void set_bit(uint64_t *set, unsigned b)
{
    set[b >> 6] |= 1ull << (b & 63);
}

/* Every word that can follow a count in a rule cue (ordinal_time,
 * duration_at). */
static const char *const UNIT_WORDS[] = {
    "time", "times", "minutes", "mins",  "hour",   "hours", "hrs",   "day",
    "days", "week",  "weeks",   "month", "months", "year",  "years",
};

/* What the index knows of the words with one sig (its by_sig entry), and
 * of one word of the frequent-word table (heed__stress_word_class). */
enum {
    SG_UNIT = 0x100,  /* a word of UNIT_WORDS has this sig */
    SG_TWICE = 0x200, /* "twice" has this sig */
    SG_EXACT = 0x400  /* the bits are the word's own: its group, whether it
                       * is a unit word, "twice" */
};
/* From bit GROUP_SHIFT up: 1 + the index in group[] of the first of the
 * first words with this sig (adjacent there), 0: none; of the word's own
 * group when SG_EXACT. */
#define GROUP_SHIFT 20
#define SG_GROUP (0xFFFu << GROUP_SHIFT)

/* The words of a phrase after its first, as the index keeps them. */
enum { SW_WORD, SW_NUM, SW_DT, SW_REL, SW_RELP, SW_DAY, SW_NONE };

typedef struct ix_rest {
    uint8_t n;              /* how many (up to MAX_REST: heed__stress_table_check) */
    uint8_t len[MAX_REST];  /* bytes of each */
    uint8_t kind[MAX_REST]; /* SW_WORD, or which special word: SW_NONE for
                             * one match_special does not know */
} ix_rest;

/* The phrases sharing one first word: PHRASES[lo, hi), whose first word has
 * signature sig. */
typedef struct ix_group {
    uint16_t lo, hi, sig;
} ix_group;

/* The engine's index of first words, built once, read-only afterwards: each
 * token's sig finds at most a few first words (by_sig), compared whole. */
struct heed_stress_index {
    /* per phrase: the length and first byte of its second word as
     * len << 8 | byte, 0 when it has one word or a special second word
     * (which any next token may match) */
    uint16_t w2key[N_PHRASES];
    uint16_t run_end[N_PHRASES]; /* the first phrase after p of another
                                  * first word or w2key */
    uint32_t by_sig[4096];
    /* per group k at k + 1 (0: none): bit next_key of every token that may
     * follow its first word in a phrase, all bits for a phrase of one word;
     * KEY_ANY always, KEY_NOWORD only by a word's key or for a phrase of one
     * word; a sig's first group has those of the sig's others too
     * (by_sig). Most common first words ("the", "a", "my") are turned away by
     * the word after them. */
    uint64_t next_mask[N_PHRASES + 1][KEY_WORDS];
    uint64_t rel[64], day[64]; /* bit sig(word) for RELATIONS and DAYS */
    uint64_t first2[4];        /* bit b: a phrase's second word starts with byte b */
    uint64_t emph[64];         /* the same for EMPHASIS_WORDS */
    ix_rest rest[N_PHRASES];
    size_t n_groups;
    ix_group group[N_PHRASES]; /* sorted by sig, then by place in PHRASES */
};

static int group_cmp(const void *a, const void *b)
{
    const ix_group *x = a, *y = b;
    if (x->sig != y->sig)
        return x->sig < y->sig ? -1 : 1;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int heed__stress_index_new(heed_stress_index **out)
{
    heed_stress_index *ix = heed__malloc(sizeof *ix);
    *out = ix;
    if (!ix)
        return HEED_ENOMEM;
    memset(ix->by_sig, 0, sizeof ix->by_sig);
    memset(ix->next_mask, 0, sizeof ix->next_mask);
    memset(ix->rel, 0, sizeof ix->rel);
    memset(ix->day, 0, sizeof ix->day);
    memset(ix->emph, 0, sizeof ix->emph);
    memset(ix->first2, 0, sizeof ix->first2);
    for (size_t i = 0; i < sizeof EMPHASIS_WORDS / sizeof EMPHASIS_WORDS[0]; i++) {
        unsigned b = sig(EMPHASIS_WORDS[i], strlen(EMPHASIS_WORDS[i]));
        ix->emph[b >> 6] |= 1ull << (b & 63);
    }
    for (size_t i = 0; i < sizeof RELATIONS / sizeof RELATIONS[0]; i++) {
        unsigned b = sig(RELATIONS[i], strlen(RELATIONS[i]));
        ix->rel[b >> 6] |= 1ull << (b & 63);
    }
    for (size_t i = 0; i < sizeof DAYS / sizeof DAYS[0]; i++) {
        unsigned b = sig(DAYS[i], strlen(DAYS[i]));
        ix->day[b >> 6] |= 1ull << (b & 63);
    }
    for (size_t i = 0; i < N_PHRASES; i++) {
        ix_rest *rw = &ix->rest[i];
        rw->n = 0;
        for (const char *w = PHRASES[i].rest; *w && rw->n < MAX_REST; rw->n++) {
            const size_t l = word_len(w);
            static const struct {
                const char *w;
                unsigned char kind;
            } SPECIAL[] = {{"#num", SW_NUM}, {"#dt", SW_DT},   {"#rel", SW_REL},
                           {"#relp", SW_RELP}, {"#day", SW_DAY}};
            unsigned char kind = w[0] == '#' ? SW_NONE : SW_WORD;
            for (size_t k = 0; kind == SW_NONE && k < sizeof SPECIAL / sizeof SPECIAL[0]; k++)
                if (strlen(SPECIAL[k].w) == l && !memcmp(SPECIAL[k].w, w, l))
                    kind = SPECIAL[k].kind;
            rw->len[rw->n] = (uint8_t)(l < 255 ? l : 255);
            rw->kind[rw->n] = kind;
            w += l + (w[l] == ' ');
        }
    }
    for (size_t i = 0; i < N_PHRASES; i++) {
        const char *r = PHRASES[i].rest;
        const size_t l = word_len(r);
        ix->w2key[i] = (uint16_t)(l && r[0] != '#' ? l << 8 | (unsigned char)r[0] : 0);
    }
    size_t g = 0;
    for (size_t i = 0; i < N_PHRASES;) {
        size_t j = i + 1;
        while (j < N_PHRASES && PHRASES[j].first_len == PHRASES[i].first_len &&
               !memcmp(PHRASES[j].first, PHRASES[i].first, PHRASES[i].first_len))
            j++;
        ix->group[g++] = (ix_group){(uint16_t)i, (uint16_t)j,
                                    (uint16_t)sig(PHRASES[i].first, PHRASES[i].first_len)};
        for (size_t p = j; p-- > i;)
            ix->run_end[p] =
                (uint16_t)(p + 1 < j && ix->w2key[p + 1] == ix->w2key[p] ? ix->run_end[p + 1] : p + 1);
        i = j;
    }
    ix->n_groups = g;
    qsort(ix->group, g, sizeof *ix->group, group_cmp);
    for (size_t k = g; k-- > 0;)
        ix->by_sig[ix->group[k].sig] = (uint32_t)(k + 1) << GROUP_SHIFT;
    for (size_t k = 0; k < g; k++) {
        uint64_t *mask = ix->next_mask[k + 1];
        set_bit(mask, KEY_ANY); /* numbers, dates, times, ... */
        for (size_t i = ix->group[k].lo; i < ix->group[k].hi; i++) {
            const ix_rest *rw = &ix->rest[i];
            const char *const *list = RELATIONS;
            size_t nl = sizeof RELATIONS / sizeof RELATIONS[0];
            if (!rw->n)
                memset(mask, 0xFF, KEY_WORDS * sizeof *mask);
            else if (rw->kind[0] == SW_WORD) {
                set_bit(mask, next_key(sig(PHRASES[i].rest, rw->len[0])));
                set_bit(ix->first2, (unsigned char)PHRASES[i].rest[0]);
            } else if (rw->kind[0] == SW_REL || rw->kind[0] == SW_RELP || rw->kind[0] == SW_DAY) {
                if (rw->kind[0] == SW_DAY) {
                    list = DAYS;
                    nl = sizeof DAYS / sizeof DAYS[0];
                }
                for (size_t w = 0; w < nl; w++) {
                    const size_t wl = strlen(list[w]);
                    set_bit(mask, next_key(sig(list[w], wl)));
                    char poss[32]; /* "husband's" */
                    if (rw->kind[0] != SW_RELP)
                        continue;
                    if (wl + 2 > sizeof poss) { /* no such relation: any key then */
                        memset(mask, 0xFF, KEY_WORDS * sizeof *mask);
                        continue;
                    }
                    memcpy(poss, list[w], wl);
                    memcpy(poss + wl, "'s", 2);
                    set_bit(mask, next_key(sig(poss, wl + 2)));
                }
            } /* #num, #dt: KEY_ANY; an unknown special word matches nothing */
        }
    }
    for (size_t k = 0; k < g; k++) { /* a sig's first group takes its others' masks */
        const size_t first = ix->by_sig[ix->group[k].sig] >> GROUP_SHIFT;
        for (size_t b = 0; first != k + 1 && b < KEY_WORDS; b++)
            ix->next_mask[first][b] |= ix->next_mask[k + 1][b];
    }
    for (size_t i = 0; i < sizeof UNIT_WORDS / sizeof UNIT_WORDS[0]; i++)
        ix->by_sig[sig(UNIT_WORDS[i], strlen(UNIT_WORDS[i]))] |= SG_UNIT;
    ix->by_sig[sig("twice", 5)] |= SG_TWICE;
    return HEED_OK;
}

void heed__stress_index_free(heed_stress_index *ix)
{
    heed__free(ix);
}

/* A token's class for collect: its by_sig entry (SG_*, none for a norm
 * that is empty), these bits and its next_key from bit TC_KEY_SHIFT. */
enum {
    TC_COUNT = 0x800,      /* a word, number or date: a phrase or rule cue may
                            * start at it */
    TC_INTENSITY = 0x1000, /* an intensity cue may start at it */
    TC_KEY_SHIFT = 0       /* the key's 8 bits */
};
/* The tok_class of what follows the last token. */
#define END_CLASS (KEY_NOWORD << TC_KEY_SHIFT)

/* The tok_class of a word token whose norm is w[0..n), n > 0, not in capitals. */
static uint32_t word_class(const heed_stress_index *ix, const char *w, size_t n)
{
    const unsigned s = sig(w, n);
    return TC_COUNT | ix->by_sig[s] | next_key(s) << TC_KEY_SHIFT;
}

uint32_t heed__stress_word_class(const heed_stress_index *ix, const char *w, size_t n)
{
    if (!n)
        return 0;
    uint32_t c = word_class(ix, w, n);
    const unsigned g = c >> GROUP_SHIFT, by_sig = c; /* the sig's bits rule out most */
    c &= ~(uint32_t)(SG_GROUP | SG_UNIT | SG_TWICE);
    c |= SG_EXACT;
    if (g) /* the word's own group among its sig's, if it has one */
        for (size_t k = g - 1; k < ix->n_groups && ix->group[k].sig == ix->group[g - 1].sig; k++)
            if (PHRASES[ix->group[k].lo].first_len == n &&
                !memcmp(PHRASES[ix->group[k].lo].first, w, n))
                c |= (uint32_t)(k + 1) << GROUP_SHIFT;
    for (size_t i = 0; (by_sig & SG_UNIT) && i < sizeof UNIT_WORDS / sizeof UNIT_WORDS[0]; i++)
        if (strlen(UNIT_WORDS[i]) == n && !memcmp(UNIT_WORDS[i], w, n))
            c |= SG_UNIT;
    if ((by_sig & SG_TWICE) && n == 5 && !memcmp(w, "twice", 5))
        c |= SG_TWICE;
    return c;
}

/* The key of a token that is neither a word, a number, a date nor a time:
 * only a phrase's second word (not a special one) may match it, by its
 * bytes. */
static inline uint32_t other_key(const heed_stress_index *ix, const heed_token *t)
{
    return t->norm_len && has_bit(ix->first2, (unsigned char)t->norm[0]) ? KEY_ANY : KEY_NOWORD;
}

__attribute__((always_inline)) static inline uint32_t tok_class(const heed_stress_index *ix,
                                                                 const heed_token *t)
{
    const unsigned kind = t->kind;
    if (kind == HEED_TOK_WORD || kind == HEED_TOK_NUMBER || kind == HEED_TOK_DATE) {
        const size_t len = t->norm_len;
        if (!len)
            return TC_COUNT | KEY_ANY << TC_KEY_SHIFT;
        const unsigned s = sig(t->norm, len);
        uint32_t c = TC_COUNT | ix->by_sig[s];
        if (kind != HEED_TOK_WORD)
            return (c & ~(uint32_t)SG_UNIT) | KEY_ANY << TC_KEY_SHIFT;
        if ((t->flags & HEED_TF_ALLCAPS) && len >= 2)
            c |= TC_INTENSITY;
        return c | next_key(s) << TC_KEY_SHIFT;
    }
    if (kind == HEED_TOK_TIME) /* #dt */
        return KEY_ANY << TC_KEY_SHIFT;
    const uint32_t key = other_key(ix, t) << TC_KEY_SHIFT;
    if (kind == HEED_TOK_PUNCT && (t->flags & HEED_TF_REPEATED)) {
        /* a cue needs two of "!" and "?" ("!!", "?!", "??"): not "..." */
        size_t marks = 0;
        for (size_t k = 0; k < t->norm_len; k++)
            marks += t->norm[k] == '!' || t->norm[k] == '?';
        return (marks >= 2 ? TC_INTENSITY : 0) | key;
    }
    if (kind == HEED_TOK_EMOJI || kind == HEED_TOK_EMOTICON)
        return TC_INTENSITY | key;
    return key;
}

/* The phrases whose first word is t's norm: sets [*lo, *hi) and returns 1,
 * or returns 0. cls is t's tok_class. */
static int first_range(const heed_stress_index *ix, const heed_token *t, uint32_t cls, size_t *lo,
                       size_t *hi)
{
    const unsigned g = cls >> GROUP_SHIFT;
    if (!g)
        return 0;
    if (cls & SG_EXACT) {
        *lo = ix->group[g - 1].lo;
        *hi = ix->group[g - 1].hi;
        return 1;
    }
    const unsigned b = ix->group[g - 1].sig;
    for (const ix_group *e = &ix->group[g - 1], *end = ix->group + ix->n_groups;
         e < end && e->sig == b; e++)
        if (norm_eq(t, PHRASES[e->lo].first, PHRASES[e->lo].first_len)) {
            *lo = e->lo;
            *hi = e->hi;
            return 1;
        }
    return 0;
}

/* The same by binary search of PHRASES (the reference first_range is tested
 * against). */
static int first_range_search(const heed_token *t, size_t *lo, size_t *hi)
{
    size_t a = 0, z = N_PHRASES;
    while (a < z) {
        size_t mid = a + (z - a) / 2;
        if (cmp_word(PHRASES[mid].first, PHRASES[mid].first_len, t->norm, t->norm_len) < 0)
            a = mid + 1;
        else
            z = mid;
    }
    size_t e = a;
    while (e < N_PHRASES && !cmp_word(PHRASES[e].first, PHRASES[e].first_len, t->norm, t->norm_len))
        e++;
    *lo = a;
    *hi = e;
    return e > a;
}

/* Is t's norm a word of list, whose words' sigs are the bits of set? The
 * bit turns most words away before the list is read. */
static int in_list_sig(const heed_token *t, const uint64_t *set, const char *const *list, size_t n)
{
    return t->norm_len && has_bit(set, sig(t->norm, t->norm_len)) && in_list(t, list, n);
}

/* match_special for a special word of kind SW_* (not SW_WORD), its list
 * checks gated by the index's sig bits. */
static int match_special_kind(const heed_stress_index *ix, const heed_token *t, unsigned kind,
                              signed char *memo)
{
    static const size_t NREL = sizeof RELATIONS / sizeof RELATIONS[0];
    int m;
    switch (kind) {
    case SW_NUM:
        return t->kind == HEED_TOK_NUMBER;
    case SW_DT:
        return t->kind == HEED_TOK_DATE || t->kind == HEED_TOK_TIME;
    case SW_REL:
        m = MEMO_REL;
        break;
    case SW_RELP:
        m = MEMO_RELP;
        break;
    case SW_DAY:
        m = MEMO_DAY;
        break;
    default:
        return 0;
    }
    if (memo[m] >= 0)
        return memo[m];
    int v = 0;
    if (is_word(t)) {
        if (m == MEMO_DAY) {
            v = in_list_sig(t, ix->day, DAYS, sizeof DAYS / sizeof DAYS[0]);
        } else {
            v = in_list_sig(t, ix->rel, RELATIONS, NREL);
            const size_t l = t->norm_len;
            if (!v && m == MEMO_RELP && l >= 3 && t->norm[l - 2] == '\'' &&
                t->norm[l - 1] == 's') {
                heed_token stem = *t;
                stem.norm_len = l - 2;
                v = in_list_sig(&stem, ix->rel, RELATIONS, NREL);
            }
        }
    }
    memo[m] = (signed char)v;
    return v;
}

/* match_rest of PHRASES[p] from the index's words of it (the same result). */
static size_t match_rest_ix(const heed_stress_index *ix, size_t p, const heed_token *toks, size_t n,
                            size_t i, signed char (*memo)[MEMO_KINDS])
{
    const ix_rest *rw = &ix->rest[p];
    const char *w = PHRASES[p].rest;
    const uint32_t sentence = toks[i].sentence;
    size_t j = i + 1;
    for (unsigned k = 0; k < rw->n; k++, j++) {
        const size_t wl = rw->len[k];
        if (j >= n || toks[j].sentence != sentence)
            return 0;
        if (rw->kind[k] != SW_WORD) {
            signed char none[MEMO_KINDS] = {-1, -1, -1};
            if (!match_special_kind(ix, &toks[j], rw->kind[k],
                                    j - i <= MEMO_DEPTH ? memo[j - i - 1] : none))
                return 0;
        } else if (!norm_eq(&toks[j], w, wl)) {
            return 0;
        }
        w += wl + 1;
    }
    if ((PHRASES[p].flags & P_END) && j < n && toks[j].sentence == sentence &&
        (toks[j].kind == HEED_TOK_WORD || toks[j].kind == HEED_TOK_NUMBER))
        return 0;
    return j - i;
}

/* Might a phrase start at a token whose tok_class is cls, followed by one
 * whose tok_class is next (END_CLASS past the end)? No when no first word has
 * its sig, or no phrase of such a first word takes the token after it. */
__attribute__((always_inline)) static inline uint64_t may_start(const heed_stress_index *ix,
                                                                uint32_t cls, uint32_t next)
{
    const unsigned key = next >> TC_KEY_SHIFT & 255;
    return ix->next_mask[cls >> GROUP_SHIFT][key >> 6] >> (key & 63) & 1;
}

/* The longest phrase starting at toks[i]; sets *len to its token count. cls
 * is toks[i]'s tok_class; gated: the pair test and the index find the first
 * word, else a binary search does. */
static const phrase *match_at(const heed_stress_index *ix, const heed_token *toks, size_t n,
                              size_t i, uint32_t cls, int gated, size_t *len)
{
    const heed_token *t = &toks[i];
    *len = 0;
    if (!t->norm_len)
        return NULL;
    size_t lo, hi;
    if (gated) {
        if (!first_range(ix, t, cls, &lo, &hi))
            return NULL;
    } else if (!first_range_search(t, &lo, &hi)) {
        return NULL;
    }
    const phrase *best = NULL;
    signed char memo[MEMO_DEPTH][MEMO_KINDS];
    memset(memo, -1, sizeof memo);
    /* the next token's key as w2key has it; no key is 0xFFFF0000 */
    uint32_t nkey = 0xFFFF0000u;
    if (i + 1 < n && toks[i + 1].norm_len && toks[i + 1].norm_len < 256)
        nkey = toks[i + 1].norm_len << 8 | (unsigned char)toks[i + 1].norm[0];
    for (size_t p = lo; p < hi; p++) {
        const uint32_t key = ix->w2key[p];
        if (key && key != nkey) {
            if (gated) /* past the phrases with the same second-word key */
                p = ix->run_end[p] - 1;
            continue;
        }
        size_t m = gated ? match_rest_ix(ix, p, toks, n, i, memo)
                         : match_rest(&PHRASES[p], toks, n, i, memo);
        if (m > *len) {
            *len = m;
            best = &PHRASES[p];
        }
    }
    return best;
}

/* ------------------------------------------------------------ suppression */

/* Words that end the clause a negator or "if" governs. */
static int is_clause_break(const heed_token *t)
{
    if (t->kind == HEED_TOK_PUNCT)
        return 1;
    return is_word(t) && (norm_is(t, "but") || norm_is(t, "and") || norm_is(t, "because") ||
                          norm_is(t, "so") || norm_is(t, "though") || norm_is(t, "although") ||
                          norm_is(t, "however") || norm_is(t, "then"));
}

/* Words before a cue a negator may sit; 1 for times and deadlines: "not by
 * Friday", but "isn't fixed by Friday" is a deadline. */
#define NEG_WINDOW 3
/* Words before a cue an "if" may sit. */
#define HYPO_WINDOW 5

/* A negator within NEG_WINDOW words before toks[i] in its clause ("not urgent",
 * "no rush", "I'm not going to cancel"), at or after toks[floor] (the end of
 * the previous cue: the "can't" of "can't afford" negates no later cue). Uses
 * the flags valence set. */
static int negated_before(const heed_token *toks, size_t floor, size_t i, int window)
{
    int words = 0;
    for (size_t j = i; j-- > floor && words < window;) {
        const heed_token *t = &toks[j];
        if (t->sentence != toks[i].sentence || is_clause_break(t))
            return 0;
        if (!is_word(t))
            continue;
        words++;
        if (t->flags & HEED_TF_NEGATOR)
            return 1;
    }
    return 0;
}

/* A hypothetical marker within HYPO_WINDOW words before toks[i] in its clause
 * ("if it breaks again", "in case I need to cancel", "unless ..."). */
static int hypothetical_before(const heed_token *toks, size_t floor, size_t i)
{
    int words = 0;
    for (size_t j = i; j-- > floor && words < HYPO_WINDOW;) {
        const heed_token *t = &toks[j];
        if (t->sentence != toks[i].sentence || is_clause_break(t))
            return 0;
        if (!is_word(t))
            continue;
        words++;
        if (norm_is(t, "if") || norm_is(t, "unless") || norm_is(t, "whether") ||
            norm_is(t, "suppose") || norm_is(t, "supposing") || norm_is(t, "hypothetically") ||
            norm_is(t, "incase"))
            return 1;
        if (norm_is(t, "case") && j > 0 && norm_is(&toks[j - 1], "in"))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ rule cues */

static const char *const ORDINAL_WORDS[] = {
    "eighth", "fifth",   "fourth", "hundredth", "millionth", "ninth",     "nth",
    "second", "seventh", "sixth",  "tenth",     "third",     "umpteenth",
};
static const char *const NUMBER_WORDS[] = {
    "a",    "an",    "couple",  "eight", "eleven", "few",   "five",   "four", "many",
    "nine", "seven", "several", "six",   "ten",    "three", "twelve", "two",
};
/* Waiting, and an outage that lasts ("down for 3 days", "without internet
 * for a week"). */
static const char *const WAIT_WORDS[] = {
    "chased",  "chasing", "down",  "hold",  "offline", "outage", "queue",  "queued",  "queueing",
    "queuing", "spent",   "stuck", "tried", "trying",  "wait",   "waited", "waiting", "without",
};
static const char *const CONTACT_WORDS[] = {
    "ask",     "asked",     "call",     "called",   "calling", "chased",    "chatted",
    "contact", "contacted", "e-mailed", "email",    "emailed", "explained", "messaged",
    "missed",  "phoned",    "rang",     "reported", "rung",    "sent",      "told",
    "tried",   "write",     "written",  "wrote",
};

/* "it was / arrived 3 days late": a late delivery that is over. */
static const char *const PAST_WORDS[] = {"arrived", "came", "delivered", "was", "were"};

/* "charged £69.99 twice": a payment taken twice. */
static const char *const CHARGE_WORDS[] = {
    "billed", "charge", "charged", "debited", "paid", "payment",
};

/* Leading number of a token's norm ("3rd" -> 3, "12" -> 12); -1 if none. */
static long lead_number(const heed_token *t)
{
    long v = 0;
    size_t k = 0;
    while (k < t->norm_len && t->norm[k] >= '0' && t->norm[k] <= '9' && v < 1000000)
        v = v * 10 + (t->norm[k++] - '0');
    return k ? v : -1;
}

/* "for the third time", "5th time": repeat contact. Returns points, 0 if not. */
static int ordinal_time(const heed_token *toks, size_t n, size_t i)
{
    if (i + 1 >= n || !norm_is(&toks[i + 1], "time") || toks[i + 1].sentence != toks[i].sentence)
        return 0;
    const heed_token *t = &toks[i];
    long v = -1;
    if (t->kind == HEED_TOK_DATE)
        v = lead_number(t);
    else if (is_word(t) && norm_is(t, "second"))
        v = 2;
    else if (is_word(t) &&
             in_list(t, ORDINAL_WORDS, sizeof ORDINAL_WORDS / sizeof ORDINAL_WORDS[0]))
        v = 3;
    if (v < 2)
        return 0;
    return v == 2 ? 35 : 50;
}

/* Any of `list` within `back` words before toks[i] in its sentence. */
static int word_before(const heed_token *toks, size_t i, int back, const char *const *list,
                       size_t nl)
{
    int words = 0;
    for (size_t j = i; j-- > 0 && words < back;) {
        if (toks[j].sentence != toks[i].sentence || toks[j].kind == HEED_TOK_PUNCT)
            return 0;
        if (!is_word(&toks[j]))
            continue;
        words++;
        if (in_list(&toks[j], list, nl))
            return 1;
    }
    return 0;
}

/* Any of `list` within `ahead` words after toks[i] in its sentence. */
static int word_after(const heed_token *toks, size_t n, size_t i, int ahead,
                      const char *const *list, size_t nl)
{
    int words = 0;
    for (size_t j = i + 1; j < n && words < ahead; j++) {
        if (toks[j].sentence != toks[i].sentence || toks[j].kind == HEED_TOK_PUNCT)
            return 0;
        if (!is_word(&toks[j]))
            continue;
        words++;
        if (in_list(&toks[j], list, nl))
            return 1;
    }
    return 0;
}

/* Repeated effort: a contact word up to 4 words before ("called 3 times",
 * "emailed twice") or a waiting word up to 3 after ("twice waiting for it"). */
static int repeat_context(const heed_token *toks, size_t n, size_t i, size_t after)
{
    return word_before(toks, i, 4, CONTACT_WORDS, sizeof CONTACT_WORDS / sizeof CONTACT_WORDS[0]) ||
           word_after(toks, n, after, 3, WAIT_WORDS, sizeof WAIT_WORDS / sizeof WAIT_WORDS[0]);
}

/* A count: a NUMBER token or a number word; its value (2 for words). */
static long count_at(const heed_token *t)
{
    if (t->kind == HEED_TOK_NUMBER)
        return lead_number(t);
    if (is_word(t) && in_list(t, NUMBER_WORDS, sizeof NUMBER_WORDS / sizeof NUMBER_WORDS[0]))
        return norm_is(t, "a") || norm_is(t, "an") ? 1 : 2;
    return -1;
}

/* "waited 3 weeks", "on hold for 2 hours", "been chasing for a month": a
 * duration after a waiting word. "6 days late", "a week overdue": a late
 * delivery, unless it is over ("it was 3 days late") in a positive text
 * ("..., but it was fixed. Thanks!"). "called 5 times": repeated contact.
 * Sets *what and *len; returns points, 0 if none. */
static int duration_at(const heed_token *toks, size_t n, size_t i, int positive, const char **what,
                       size_t *len)
{
    if (i + 1 >= n || toks[i + 1].sentence != toks[i].sentence || !is_word(&toks[i + 1]))
        return 0;
    const heed_token *u = &toks[i + 1];
    int pts = 0, times = 0; /* the unit first: it rules out most tokens cheaply */
    if (norm_is(u, "times"))
        times = 1;
    else if (norm_is(u, "minutes") || norm_is(u, "mins"))
        pts = -1; /* depends on the count */
    else if (norm_is(u, "hour") || norm_is(u, "hours") || norm_is(u, "hrs"))
        pts = -2;
    else if (norm_is(u, "day") || norm_is(u, "days"))
        pts = -3;
    else if (norm_is(u, "week") || norm_is(u, "weeks"))
        pts = 50;
    else if (norm_is(u, "month") || norm_is(u, "months") || norm_is(u, "year") ||
             norm_is(u, "years"))
        pts = 55;
    else
        return 0;
    long c = count_at(&toks[i]);
    if (c < 1)
        return 0;
    if (times) {
        if (c < 2 || !repeat_context(toks, n, i, i + 1))
            return 0;
        *what = "repeated attempts";
        *len = 2;
        return c >= 3 ? 45 : 35;
    }
    if (i + 2 < n && toks[i + 2].sentence == toks[i].sentence &&
        (norm_is(&toks[i + 2], "late") || norm_is(&toks[i + 2], "overdue"))) {
        /* minutes or an hour late is a slot missed, days or weeks a parcel
         * lost; "it was / arrived 3 days late" is over, not still open */
        *what = "late delivery";
        *len = 3;
        if (pts == -1)
            return 5;
        int words = 0; /* up to 3 words back in the sentence, past "approx." */
        for (size_t j = i; j-- > 0 && words < 3 && toks[j].sentence == toks[i].sentence;) {
            if (!is_word(&toks[j]))
                continue;
            words++;
            if (in_list(&toks[j], PAST_WORDS, sizeof PAST_WORDS / sizeof PAST_WORDS[0]))
                return positive ? 0 : 15;
        }
        return pts == -2 ? 20 : pts == -3 ? (c >= 3 ? 40 : 30) : pts - 5;
    }
    if (pts == -1)
        pts = c >= 30 ? 25 : 10;
    else if (pts == -2)
        pts = c >= 2 ? 40 : 30;
    else if (pts == -3)
        pts = c >= 3 ? 40 : 30;
    /* "been"/"over" only right before the count: "it's been 3 weeks", but
     * not "I've been a customer for 10 years" */
    int right_after = i > 0 && (norm_is(&toks[i - 1], "been") || norm_is(&toks[i - 1], "over"));
    if (!right_after &&
        !word_before(toks, i, 8, WAIT_WORDS, sizeof WAIT_WORDS / sizeof WAIT_WORDS[0]))
        return 0;
    *what = "long wait";
    *len = 2;
    return pts;
}

/* ------------------------------------------------------------ distress */

/* Angry / distressed faces by first code point (skin tones do not matter). */
static const char *emoji_what(const heed_token *t, int *pts)
{
    uint32_t cp = 0;
    if (!heed__utf8_decode((const unsigned char *)t->norm, t->norm_len, &cp))
        return NULL;
    switch (cp) {
    case 0x1F621:
    case 0x1F92C:
    case 0x1F620:
    case 0x1F47F:
    case 0x1F4A2:
    case 0x1F624:
    case 0x1F595:
        *pts = 18;
        return "angry emoji";
    case 0x1F62D:
    case 0x1F622:
    case 0x1F629:
    case 0x1F62B:
    case 0x1F630:
    case 0x1F631:
    case 0x1F61E:
    case 0x1F623:
    case 0x1F616:
        *pts = 12;
        return "distressed emoji";
    }
    return NULL;
}

/* ------------------------------------------------------------ collection */

typedef struct cand {
    uint32_t start, len;
    uint16_t comp, flags;
    float points; /* raw points before combination */
    const char *what;
} cand;

#define LOCAL_CANDS 48 /* most texts have fewer cues: no arena use for them */

typedef struct cands {
    cand *v; /* local, or arena memory once it outgrew it */
    size_t n, cap;
    heed_arena *a;
    int oom; /* sticky: a push failed for lack of memory */
    cand local[LOCAL_CANDS];
} cands;

static void push(cands *c, uint32_t start, uint32_t len, int comp, float points, const char *what,
                 unsigned flags)
{
    if (c->n >= c->cap) {
        size_t cap = c->cap * 2;
        cand *v = c->oom ? NULL : heed__arena_alloc(c->a, cap * sizeof *v);
        if (!v) {
            c->oom = 1;
            return;
        }
        memcpy(v, c->v, c->n * sizeof *v);
        c->v = v;
        c->cap = cap;
    }
    cand *x = &c->v[c->n++];
    x->start = start;
    x->len = len;
    x->comp = (uint16_t)comp;
    x->flags = (uint16_t)flags;
    x->points = points;
    x->what = what;
}

/* The phrase or rule cue starting at toks[i], if any: pushed (or pushed as
 * suppressed); returns the tokens it covers (0: none starts here). *prev_end
 * is the end of the previous cue, which bounds the negation look-back;
 * positive says the text's valence is positive (see duration_at). cls and
 * next are the tok_class of toks[i] and toks[i + 1] (END_CLASS past the
 * end); gated: their bits rule out what they can (see match_at), else every
 * cue is looked for in full. */
static size_t phrase_cue_at(const heed_stress_index *ix, const heed_token *toks, size_t n, size_t i,
                            uint32_t cls, uint32_t next, int gated, int positive, size_t *prev_end,
                            cands *c)
{
    const heed_token *t = &toks[i];
    if (t->kind != HEED_TOK_WORD && t->kind != HEED_TOK_NUMBER && t->kind != HEED_TOK_DATE)
        return 0;
    size_t len = 0;
    const phrase *p = NULL;
    const char *what = NULL;
    int comp = 0, pts = 0;
    unsigned pflags = 0;
    if (t->kind != HEED_TOK_DATE) /* "1 star", "section 75" */
        p = match_at(ix, toks, n, i, cls, gated, &len);
    if (p) {
        what = p->what;
        comp = p->comp;
        pts = p->weight;
        pflags = p->flags;
    } else if ((!gated || (cls & SG_TWICE)) && norm_is(t, "twice")) {
        /* "I've written twice", "missed it twice", "twice waiting for it",
         * "charged £9 twice", not "twice the price"; a contact word wins
         * ("charged and I've called twice") */
        len = 1;
        if (word_before(toks, i, 4, CONTACT_WORDS,
                        sizeof CONTACT_WORDS / sizeof CONTACT_WORDS[0])) {
            what = "repeated attempts";
            comp = E;
            pts = 30;
        } else if (word_before(toks, i, 4, CHARGE_WORDS,
                               sizeof CHARGE_WORDS / sizeof CHARGE_WORDS[0])) {
            what = "double charge";
            comp = D;
            pts = 30;
        } else if (repeat_context(toks, n, i, i)) {
            what = "repeated attempts";
            comp = E;
            pts = 30;
        } else {
            return 0;
        }
    } else if (gated && !(next & SG_UNIT)) {
        return 0; /* the rule cues all need a unit word next */
    } else if ((pts = ordinal_time(toks, n, i)) > 0) {
        what = "repeat contact";
        comp = E;
        len = 2;
    } else if ((pts = duration_at(toks, n, i, positive, &what, &len)) > 0) {
        comp = E;
    } else {
        return 0;
    }
    if (pflags & P_IGNORE)
        return len;
    size_t floor = *prev_end;
    *prev_end = i + len;
    const heed_token *last = &toks[i + len - 1];
    unsigned f = 0;
    if (negated_before(toks, floor, i, (pflags & P_NOHYPO) ? 1 : NEG_WINDOW))
        f = HEED_CUE_SUPPRESSED;
    else if (!(pflags & (P_NOHYPO | P_MAIN)) && hypothetical_before(toks, floor, i))
        f = HEED_CUE_SUPPRESSED;
    if (!(pflags & P_NEGONLY) || f)
        push(c, t->start, last->start + last->len - t->start, comp,
             (pflags & P_NEGONLY) ? 0.0f : (float)pts, what, f);
    return len;
}

/* Distress from valence: a base of up to 70 points from how negative the
 * message is (70 * valence^2 for valence below 0, weighted by 0.4 + 0.6 *
 * its negative share: one bad word gives little, a tirade much), shared among
 * the negative evidence by |score|; strongly negative words (score <= -2.5)
 * add 8 more each. Pushed in text order. */
static void evidence_cues(const heed_result *r, cands *c)
{
    double neg_mass = 0;
    /* "!" emphasis is evidence in valence but has its own cue here */
    for (size_t i = 0; i < r->n_evidence; i++)
        if (r->evidence[i].score < 0 && !(r->evidence[i].rules & HEED_RULE_EXCLAIM))
            neg_mass -= r->evidence[i].score;
    if (neg_mass <= 0)
        return; /* no cue below (most texts) */
    double v = r->valence < 0 ? -r->valence : 0;
    double base = 70.0 * v * v * (0.4 + 0.6 * r->negative);
    for (size_t i = 0; i < r->n_evidence; i++) {
        const heed_evidence *e = &r->evidence[i];
        if (e->score >= 0 || neg_mass <= 0 || (e->rules & HEED_RULE_EXCLAIM))
            continue;
        double share = base * -e->score / neg_mass;
        int strong = e->score <= -2.5f;
        if (share < 0.5 && !strong)
            continue;
        push(c, e->start, e->len, D, (float)(share + (strong ? 8.0 : 0.0)),
             (e->rules & HEED_RULE_EMOTICON) ? "negative emoticon"
             : (e->rules & HEED_RULE_EMOJI)  ? "negative emoji"
             : strong                        ? "strongly negative word"
                                             : "negative word",
             0);
    }
}

/* Has the text a word of 2+ letters that is not all capitals? */
static int has_lower_word(const heed_token *toks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (toks[i].kind == HEED_TOK_WORD && !(toks[i].flags & HEED_TF_ALLCAPS) &&
            toks[i].norm_len > 1)
            return 1;
    return 0;
}

int heed__stress_lists_check(void)
{
#define LIST(l)                                                                                    \
    {                                                                                              \
        l, sizeof l / sizeof l[0]                                                                  \
    }
    static const struct {
        const char *const *w;
        size_t n;
    } LISTS[] = {
        LIST(RELATIONS),     LIST(DAYS),         LIST(ORDINAL_WORDS),
        LIST(NUMBER_WORDS),  LIST(WAIT_WORDS),   LIST(PAST_WORDS),
        LIST(CONTACT_WORDS), LIST(CHARGE_WORDS), LIST(EMPHASIS_WORDS),
    };
#undef LIST
    for (size_t l = 0; l < sizeof LISTS / sizeof LISTS[0]; l++)
        for (size_t i = 0; i < LISTS[l].n; i++)
            if (!LISTS[l].w[i][0] || (i && strcmp(LISTS[l].w[i - 1], LISTS[l].w[i]) >= 0))
                return (int)l;
    return -1;
}

static int is_emphasis_word(const heed_token *t)
{
    return in_list(t, EMPHASIS_WORDS, sizeof EMPHASIS_WORDS / sizeof EMPHASIS_WORDS[0]);
}

/* The intensity cue of distress at token i (shouting, a stressed word in
 * capitals, "!!" / "??" / "?!" runs, angry or crying faces), if any; returns
 * the tokens it looked at (0: none). A face that is also negative evidence
 * (c->v[ev_from..ev_to), text order) joins that cue. *mixed caches
 * has_lower_word (-1: not computed yet). */
static size_t intensity_cue_at(const heed_stress_index *ix, int gated, const heed_result *r,
                               size_t i, int *mixed, size_t ev_from, size_t ev_to, cands *c)
{
    const heed_token *toks = r->tokens, *t = &toks[i];
    size_t n = r->n_tokens;
    if (t->kind == HEED_TOK_WORD && !(t->flags & HEED_TF_ALLCAPS))
        return 0; /* most tokens: none of the cues below */
    int pts = 0;
    const char *what = NULL;
    /* capitals, "!!" and tears are joy as often as anger: not in a positive
     * sentence ("I LOVE IT!!!", "great news 😭") */
#define POSITIVE (t->sentence < r->n_sentences && r->sentences[t->sentence].valence >= 0.05)
    if (t->kind == HEED_TOK_WORD && (t->flags & HEED_TF_ALLCAPS) && t->norm_len >= 2) {
        /* two or more shouted words in a row, one of 5+ letters, among
         * lower-case words; acronyms ("UPS DHL") are short. Otherwise a run
         * with a word of EMPHASIS_WORDS ("asking YOU", "DO NOT") is a
         * stressed word. */
        size_t j = i, longest = 0;
        int stressed = 0;
        while (j + 1 < n && toks[j + 1].kind == HEED_TOK_WORD &&
               (toks[j + 1].flags & HEED_TF_ALLCAPS))
            j++;
        for (size_t k = i; k <= j; k++) {
            if (toks[k].norm_len > longest)
                longest = toks[k].norm_len;
            if (!stressed) /* gated: most words in capitals are no emphasis word by sig */
                stressed = gated ? in_list_sig(&toks[k], ix->emph, EMPHASIS_WORDS,
                                               sizeof EMPHASIS_WORDS / sizeof EMPHASIS_WORDS[0])
                                 : is_emphasis_word(&toks[k]);
        }
        int shout = j > i && longest >= 5;
        if ((!shout && !stressed) || POSITIVE)
            return j - i + 1;
        if (*mixed < 0)
            *mixed = has_lower_word(toks, n);
        if (!*mixed)
            return j - i + 1;
        push(c, t->start, toks[j].start + toks[j].len - t->start, D, shout ? 12 : 8,
             shout ? "shouting" : "stressed word", 0);
        return j - i + 1;
    }
    if (t->kind == HEED_TOK_PUNCT && (t->flags & HEED_TF_REPEATED)) {
        size_t bangs = 0, asks = 0;
        for (size_t k = 0; k < t->norm_len; k++) {
            bangs += t->norm[k] == '!';
            asks += t->norm[k] == '?';
        }
        if (!bangs && asks < 2)
            return 0;
        if (POSITIVE)
            return 0;
        if (bangs >= 2) {
            pts = bangs >= 3 ? 10 : 6;
            what = "repeated exclamation";
        } else if (asks && bangs) { /* "?!", "!?" */
            pts = 8;
            what = "exasperated punctuation";
        } else if (asks >= 2) { /* "??" is mild: also an unsure customer */
            pts = asks >= 3 ? 8 : 5;
            what = "repeated question mark";
        } else {
            return 0;
        }
    } else if (t->kind == HEED_TOK_EMOJI) {
        what = emoji_what(t, &pts);
        if (what && pts < 18 && POSITIVE) /* tears, not anger */
            what = NULL;
    } else if (t->kind == HEED_TOK_EMOTICON && t->norm_len >= 3 && t->norm[0] == '>' &&
               t->norm[t->norm_len - 1] == '(') {
        pts = 18;
        what = "angry emoji";
    }
#undef POSITIVE
    if (!what)
        return 0;
    size_t lo = ev_from, hi = ev_to;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->v[mid].start < t->start)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ev_to && c->v[lo].start == t->start) {
        c->v[lo].points += (float)pts;
        c->v[lo].what = what;
    } else {
        push(c, t->start, t->len, D, (float)pts, what, 0);
    }
    return 1;
}

/* The emotion model, when it ran, adds its strongest negative emotion. */
static void emotion_cue(const heed_result *r, cands *c)
{
    const heed_emotions *em = &r->emotions;
    if (!em->available)
        return;
    static const struct {
        int label;
        float w;
        const char *what;
    } EMO[] = {
        {HEED_EMO_ANGER, 1.0f, "anger (emotion model)"},
        {HEED_EMO_ANNOYANCE, 0.4f, "annoyance (emotion model)"},
        {HEED_EMO_DISGUST, 0.8f, "disgust (emotion model)"},
        {HEED_EMO_FEAR, 1.0f, "fear (emotion model)"},
        {HEED_EMO_NERVOUSNESS, 0.9f, "nervousness (emotion model)"},
        {HEED_EMO_SADNESS, 0.9f, "sadness (emotion model)"},
        {HEED_EMO_GRIEF, 1.0f, "grief (emotion model)"},
        {HEED_EMO_DISAPPOINTMENT, 0.5f, "disappointment (emotion model)"},
    };
    /* no such label predicted and each probability below 0.2 with a weight
     * of at most 1 (so p * w is below it too): the loop below finds no cue
     * (most texts) */
    uint32_t labels = 0;
    size_t low = 0;
    for (size_t k = 0; k < sizeof EMO / sizeof EMO[0]; k++) {
        labels |= 1u << EMO[k].label;
        low += em->prob[EMO[k].label] < 0.2f && EMO[k].w <= 1.0f;
    }
    if (!(em->labels & labels) && low == sizeof EMO / sizeof EMO[0])
        return;
    float best = 0;
    const char *what = NULL;
    for (size_t k = 0; k < sizeof EMO / sizeof EMO[0]; k++) {
        /* The model's probabilities are not calibrated across labels (each has
         * its own tuned threshold): a predicted label counts at least 0.35. */
        float p = em->prob[EMO[k].label];
        if ((em->labels & (1u << EMO[k].label)) && p < 0.35f)
            p = 0.35f;
        p *= EMO[k].w;
        if (p > best) {
            best = p;
            what = EMO[k].what;
        }
    }
    /* the whole text is the span: the model reads all of it */
    if (what && best >= 0.2f)
        push(c, 0, (uint32_t)r->text_len, D, 70.0f * best, what, 0);
}

/* Where collect is in its pass over the tokens. */
typedef struct scan {
    size_t prev_end, phrase_next, intensity_next; /* see phrase_cue_at, collect */
    size_t ev_from, ev_to;                        /* see intensity_cue_at */
    int positive, mixed;
} scan;

/* collect's step at toks[i], whose tok_class is cls, the next token's next
 * (END_CLASS past the end): the classes turn most tokens away before any
 * call. */
__attribute__((always_inline)) static inline void scan_at(const heed_stress_index *ix,
                                                          const heed_result *r, size_t i,
                                                          uint32_t cls, uint32_t next, scan *sc,
                                                          cands *c)
{
    const uint64_t start = may_start(ix, cls, next);
    if (!(start | (cls & (SG_TWICE | TC_INTENSITY)) | (next & SG_UNIT)))
        return;
    const heed_token *toks = r->tokens;
    const size_t n = r->n_tokens;
    if (i >= sc->phrase_next && (cls & TC_COUNT) &&
        (start || (cls & SG_TWICE) || (next & SG_UNIT))) {
        size_t m = phrase_cue_at(ix, toks, n, i, cls, next, 1, sc->positive, &sc->prev_end, c);
        sc->phrase_next = i + (m ? m : 1);
    }
    if (i >= sc->intensity_next && (cls & TC_INTENSITY)) {
        size_t m = intensity_cue_at(ix, 1, r, i, &sc->mixed, sc->ev_from, sc->ev_to, c);
        sc->intensity_next = i + (m ? m : 1);
    }
}

/* The tok_class of toks[k]: from its word in the frequent-word table when
 * wr has one (heed__stress_word_class), else made. held: the table holds
 * every word of heed__stress_each_word, so that a word not in it has no
 * first word, "twice" or unit word's bits and is no phrase's next word
 * (KEY_NOWORD: see next_key). */
__attribute__((always_inline)) static inline uint32_t class_at(const heed_stress_index *ix,
                                                                const heed_token *toks,
                                                                const heed_word *const *wr, size_t k,
                                                                const int held)
{
    /* a word in capitals of one letter has no intensity cue either way */
    if (wr && wr[k] && toks[k].kind == HEED_TOK_WORD)
        return wr[k]->stress | (uint32_t)(toks[k].flags & HEED_TF_ALLCAPS) * TC_INTENSITY;
    if (held && toks[k].kind == HEED_TOK_WORD && toks[k].norm_len)
        return TC_COUNT | KEY_NOWORD << TC_KEY_SHIFT |
               ((toks[k].flags & HEED_TF_ALLCAPS) && toks[k].norm_len >= 2 ? TC_INTENSITY : 0);
    return tok_class(ix, &toks[k]);
}

/* collect's pass over the tokens (wr: as for heed__stress_words; a constant
 * NULL makes the pass without it; held: as for class_at). */
__attribute__((always_inline)) static inline void scan_tokens(const heed_stress_index *ix,
                                                              const heed_result *r,
                                                              const heed_word *const *wr, scan *sc,
                                                              cands *c, const int held)
{
    const heed_token *toks = r->tokens;
    const size_t n = r->n_tokens;
    if (!n)
        return;
    uint32_t cls = class_at(ix, toks, wr, 0, held);
    for (size_t i = 0; i + 1 < n; i++) {
        const uint32_t next = class_at(ix, toks, wr, i + 1, held);
        /* no first word (next_mask[0] is 0), "twice" or intensity cue here,
         * no unit word next: scan_at would do nothing (most tokens) */
        if ((cls & (SG_GROUP | SG_TWICE | TC_INTENSITY)) | (next & SG_UNIT))
            scan_at(ix, r, i, cls, next, sc, c);
        cls = next;
    }
    scan_at(ix, r, n - 1, cls, END_CLASS, sc, c);
}

/* Every cue of the text, in one pass over the tokens. Each token's class is
 * made once, as the next token's. */
static void collect(const heed_stress_index *ix, const heed_word *const *wr, int held,
                    const heed_result *r, cands *c)
{
    scan sc = {0, 0, 0, c->n, 0, r->valence >= 0.2f /* a thankful text: past trouble is
                                                      * over */, -1};
    evidence_cues(r, c);
    sc.ev_to = c->n;
    if (wr && held)
        scan_tokens(ix, r, wr, &sc, c, 1);
    else if (wr)
        scan_tokens(ix, r, wr, &sc, c, 0);
    else
        scan_tokens(ix, r, NULL, &sc, c, 0);
    emotion_cue(r, c);
}

/* collect without the classes' gates: every word, number and date goes
 * through phrase_cue_at in full, every token that is not a lower-case word
 * through intensity_cue_at (the reference collect is tested against). */
static void collect_ungated(const heed_stress_index *ix, const heed_result *r, cands *c)
{
    size_t ev_from = c->n;
    evidence_cues(r, c);
    size_t ev_to = c->n;
    const heed_token *toks = r->tokens;
    size_t n = r->n_tokens, prev_end = 0, phrase_next = 0, intensity_next = 0;
    int positive = r->valence >= 0.2f;
    int mixed = -1;
    for (size_t i = 0; i < n; i++) {
        const unsigned kind = toks[i].kind;
        if (i >= phrase_next &&
            (kind == HEED_TOK_WORD || kind == HEED_TOK_NUMBER || kind == HEED_TOK_DATE)) {
            size_t m = phrase_cue_at(ix, toks, n, i, 0, 0, 0, positive, &prev_end, c);
            phrase_next = i + (m ? m : 1);
        }
        if (i >= intensity_next && !(kind == HEED_TOK_WORD && !(toks[i].flags & HEED_TF_ALLCAPS))) {
            size_t m = intensity_cue_at(ix, 0, r, i, &mixed, ev_from, ev_to, c);
            intensity_next = i + (m ? m : 1);
        }
    }
    emotion_cue(r, c);
}

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->comp != y->comp)
        return x->comp < y->comp ? -1 : 1;
    if (x->len != y->len) /* the emotion-model cue (whole text) after a word at 0 */
        return x->len < y->len ? -1 : 1;
    return strcmp(x->what, y->what);
}

#define INSERTION_MAX 24 /* a text's few cues sort by insertion, no qsort call */

/* Sorts c->v by cand_cmp; stable, as glibc's qsort (a merge sort) is on
 * arrays this small, so that equal cues keep their order either way. */
static void sort_cands(cands *c)
{
    if (c->n > INSERTION_MAX) {
        qsort(c->v, c->n, sizeof *c->v, cand_cmp);
        return;
    }
    for (size_t i = 1; i < c->n; i++) {
        const cand x = c->v[i];
        size_t j = i;
        for (; j > 0 && cand_cmp(&c->v[j - 1], &x) > 0; j--)
            c->v[j] = c->v[j - 1];
        c->v[j] = x;
    }
}

/* Labels already counted per component, for the repeat discount. */
typedef struct seen_label {
    const char *what;
    int comp;
    int count;
} seen_label;
#define SEEN_LABELS 128 /* more distinct labels than the tables hold */

/* 0.5^k for the k-th earlier cue with the same component and label; the
 * labels are static strings, so pointers compare. */
static double repeat_factor(seen_label *seen, size_t *n, int comp, const char *what)
{
    for (size_t k = 0; k < *n; k++) {
        if (seen[k].comp == comp && seen[k].what == what) {
            int c = seen[k].count++;
            return c >= 30 ? 0.0 : 1.0 / (double)(1u << c);
        }
    }
    if (*n < SEEN_LABELS) {
        seen[*n].comp = comp;
        seen[*n].what = what;
        seen[*n].count = 1;
        ++*n;
    }
    return 1.0;
}

/* heed__stress, its cues collected by collect (gated; held: see class_at)
 * or collect_ungated. */
static int stress_run(heed_arena *a, const heed_stress_index *ix, const heed_word *const *wr,
                      int held, heed_result *r, int gated)
{
    heed_stress *st = &r->stress;
    memset(st, 0, sizeof *st);
    cands c; /* not zeroed: the local array is large and written before read */
    c.n = 0;
    c.oom = 0;
    c.v = c.local;
    c.cap = LOCAL_CANDS;
    c.a = a;
    if (gated)
        collect(ix, wr, held, r, &c);
    else
        collect_ungated(ix, r, &c);
    if (c.oom)
        return HEED_ENOMEM;
    if (gated && !c.n) { /* what the sums below come to without cues (most texts) */
        st->score = 100.0 * (1.0 - 1.0);
        st->available = 1;
        return HEED_OK;
    }
    sort_cands(&c);

    /* Each component is a noisy-OR of its cues in text order; a cue repeating
     * an earlier cue's label in the same component counts half as much each
     * time. A cue's weight is what it added. */
    double comp[HEED_STRESS_COUNT] = {0};
    size_t listed[HEED_STRESS_COUNT] = {0};
    seen_label seen[SEEN_LABELS];
    size_t n_seen = 0;
    heed_cue *out = NULL;
    if (c.n && !(out = heed__arena_alloc(a, c.n * sizeof *out)))
        return HEED_ENOMEM;
    size_t n_out = 0;
    for (size_t i = 0; i < c.n; i++) {
        const cand *x = &c.v[i];
        double added = 0;
        if (!(x->flags & HEED_CUE_SUPPRESSED)) {
            double p = x->points * repeat_factor(seen, &n_seen, x->comp, x->what);
            if (p > 100)
                p = 100;
            double before = comp[x->comp];
            comp[x->comp] = 100.0 - (100.0 - before) * (1.0 - p / 100.0);
            added = comp[x->comp] - before;
        }
        if (listed[x->comp] >= HEED_MAX_STRESS_CUES)
            continue; /* still counted above, not listed */
        listed[x->comp]++;
        heed_cue *o = &out[n_out++];
        o->start = x->start;
        o->len = x->len;
        o->component = x->comp;
        o->flags = x->flags;
        o->weight = (float)added;
        o->what = x->what;
    }
    static const double W[HEED_STRESS_COUNT] = {
        HEED_STRESS_W_DISTRESS,      HEED_STRESS_W_URGENCY,    HEED_STRESS_W_EFFORT,
        HEED_STRESS_W_VULNERABILITY, HEED_STRESS_W_ESCALATION,
    };
    double calm = 1.0;
    for (int k = 0; k < HEED_STRESS_COUNT; k++) {
        st->component[k] = comp[k];
        calm *= 1.0 - W[k] * comp[k] / 100.0;
    }
    st->score = 100.0 * (1.0 - calm);
    st->cues = out;
    st->n_cues = n_out;
    st->available = 1;
    return HEED_OK;
}

int heed__stress(heed_arena *a, const heed_stress_index *ix, heed_result *r)
{
    return stress_run(a, ix, NULL, 0, r, 1);
}

int heed__stress_words(heed_arena *a, const heed_stress_index *ix, const heed_word *const *wr,
                       heed_result *r)
{
    return stress_run(a, ix, wr, 0, r, 1);
}

int heed__stress_words_held(heed_arena *a, const heed_stress_index *ix, const heed_word *const *wr,
                            heed_result *r)
{
    return stress_run(a, ix, wr, 1, r, 1);
}

int heed__stress_ungated(heed_arena *a, const heed_stress_index *ix, heed_result *r)
{
    return stress_run(a, ix, NULL, 0, r, 0);
}

void heed__stress_each_word(void (*fn)(void *ctx, const char *w, size_t n), void *ctx)
{
    for (size_t i = 0; i < N_PHRASES; i++) {
        fn(ctx, PHRASES[i].first, PHRASES[i].first_len);
        for (const char *w = PHRASES[i].rest; *w;) {
            const size_t l = word_len(w);
            if (w[0] != '#')
                fn(ctx, w, l);
            w += l + (w[l] == ' ');
        }
    }
    fn(ctx, "twice", 5);
    for (size_t i = 0; i < sizeof UNIT_WORDS / sizeof UNIT_WORDS[0]; i++)
        fn(ctx, UNIT_WORDS[i], strlen(UNIT_WORDS[i]));
    for (size_t i = 0; i < sizeof DAYS / sizeof DAYS[0]; i++)
        fn(ctx, DAYS[i], strlen(DAYS[i]));
    for (size_t i = 0; i < sizeof RELATIONS / sizeof RELATIONS[0]; i++) {
        const size_t l = strlen(RELATIONS[i]);
        char poss[64]; /* "husband's" */
        fn(ctx, RELATIONS[i], l);
        if (l + 2 <= sizeof poss) {
            memcpy(poss, RELATIONS[i], l);
            memcpy(poss + l, "'s", 2);
            fn(ctx, poss, l + 2);
        }
    }
}
