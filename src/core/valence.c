/* valence.c - the valence rules (see valence.h and docs/valence.md).
 *
 * Per sentence: each token gets a base valence from the lexicon (or emoji
 * table), moved by the boosters/dampeners and negator before it, by capitals and
 * elongation; contrast words damp one side; "!" adds emphasis. The sentence sum
 * is squashed to [-1, 1] as VADER does (x / sqrt(x^2 + 15)). The message sums
 * its sentences, scaled down past three, so long texts do not saturate. */
#include "valence.h"

#include <math.h>
#include <string.h>

#include "emoji.h"

#define ALPHA                  15.0   /* VADER's normalisation constant */
#define CAPS_INCR              0.733f /* VADER's C_INCR */
#define ELONG_INCR             0.293f
#define NEG_POS_SCALAR         -0.6f  /* "not good": flips, a bit weaker */
#define NEG_NEG_SCALAR         -0.3f  /* "not bad": mildly positive, never strongly */
#define EXCLAIM_INCR           0.292f /* per '!', up to 4 (VADER) */
#define SCOPE_WORDS            3      /* negators and boosters reach 3 words */
#define HASHTAG_SCALE          0.5f   /* "#win", "#fail": a tag, half a statement */
#define CONTRAST_DAMP          0.5f
#define CONTRAST_STRESS        1.5f
#define POLITE_REQUEST_VALENCE -1.5f
#define LONG_TEXT_SENTENCES    3.0 /* see the end of heed__valence */

/* What the rules read of a token, its own and its neighbours', one word per
 * token (f[i]): its entry's word classes and valence bit (LX_*, bits 0-17;
 * LX_NEGATOR only on a word token, where it also marks a "n't" contraction:
 * a negator unless consumed), the '!' it holds (punctuation, up to 4: the
 * sentence counts no more) and the bits below. */
#define T_NEG         LX_NEGATOR
#define T_VAL         LX_VALENCE
#define T_BANGS_SHIFT 18
#define T_BANGS_MAX   4u
#define T_BANGS       (7u << T_BANGS_SHIFT)
enum {
    T_WORD = 1u << 21,   /* a word or hashtag token */
    T_PUNCT = 1u << 22,  /* a punctuation token: ends a scope */
    T_EMO = 1u << 23,    /* an emoji or emoticon token */
    T_CONS = 1u << 24,   /* inside an idiom, its first token included */
    T_CONS1 = 1u << 25,  /* inside an idiom after its first token */
    T_SCORED = 1u << 26, /* has a score */
};
_Static_assert(LX_VALENCE < 1u << T_BANGS_SHIFT, "the word classes fit below the '!' count");

/* The tokens some rule acts on (with the idiom starts that idiom_may_start
 * lets through); every other token has no score at any point and is read
 * only as a neighbour, through f. */
#define T_ACTIVE (T_EMO | T_VAL | T_NEG | LX_BUT | LX_ALTHOUGH)

/* A token's score and how it came about; set for active tokens only, when
 * the pass over a sentence reaches them. */
typedef struct tokinfo {
    float score;
    float base;
    uint32_t rules;
    uint32_t cue;
    uint32_t span_end;     /* last token of an idiom, else self */
    uint32_t negated_some; /* a negator whose scope negated a scored word */
} tokinfo;

/* One message's tokens as the rules see them; from/to the sentence's. */
typedef struct pass {
    heed_token *toks;
    uint32_t *f;
    const heed_lexent **le; /* entry of a word token that has one (f tells) */
    tokinfo *ti;
    size_t from, to;
    size_t n_toks;
    int question;      /* the sentence ends with '?': -1 until asked */
    int mixed;         /* some words shouted, not all: -1 until asked */
    size_t cons_words; /* word tokens consumed by idioms */
    size_t neg_for;    /* the token whose negator base_valence found: */
    size_t neg_at;     /* that negator, SIZE_MAX if none, */
    size_t boost_at;   /* and its booster or dampener, SIZE_MAX if none, */
    int boost_dist;    /* that many words before it */
} pass;

/* t's norm is the NUL-terminated w; the first byte first, so that most
 * words are turned away without a strlen. */
static int norm_is(const heed_token *t, const char *w)
{
    if (t->norm_len && t->norm[0] != w[0])
        return 0;
    size_t n = strlen(w);
    return t->norm_len == n && memcmp(t->norm, w, n) == 0;
}

static int ends_with(const heed_token *t, const char *suf)
{
    size_t n = strlen(suf);
    return t->norm_len > n && memcmp(t->norm + t->norm_len - n, suf, n) == 0;
}

static int is_word(const heed_token *t)
{
    return t->kind == HEED_TOK_WORD || t->kind == HEED_TOK_HASHTAG;
}

static int is_negator(uint32_t c)
{
    return (c & (T_NEG | T_CONS)) == T_NEG;
}

/* lookup's second try for an elongated word k[0..n) whose entry is e. */
static const heed_lexent *unelongated(const heed_lexicon *lx, const char *k, size_t n,
                                      const heed_lexent *e)
{
    if (e && (e->has_valence || e->cls))
        return e;
    char tmp[64];
    if (n >= sizeof tmp)
        return e;
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (!(o > 0 && tmp[o - 1] == k[i]))
            tmp[o++] = k[i];
    const heed_lexent *e2 = heed__lexicon_get(lx, tmp, o);
    return e2 ? e2 : e;
}

/* Looks a word up; elongated words also try with doubled letters undone. */
static inline const heed_lexent *lookup(const heed_lexicon *lx, const heed_token *t)
{
    const char *k = t->norm;
    size_t n = t->norm_len;
    if (t->kind == HEED_TOK_HASHTAG && n > 1 && k[0] == '#') {
        k++;
        n--;
    }
    const heed_lexent *e = heed__lexicon_get(lx, k, n);
    return t->flags & HEED_TF_ELONGATED ? unelongated(lx, k, n, e) : e;
}

/* f[i] of a token other than a plain word (see heed__valence_words), without
 * the bits the rules set later; *le its entry when it has one (else *le is
 * left as it is). */
static inline uint32_t other_bits(const heed_lexicon *lx, const heed_token *t, const heed_lexent **le)
{
    switch (t->kind) {
    case HEED_TOK_HASHTAG: {
        const heed_lexent *e = lookup(lx, t);
        if (!e)
            return T_WORD;
        *le = e;
        return T_WORD | (e->cls & ~(uint32_t)T_NEG); /* no negator */
    }
    case HEED_TOK_PUNCT: {
        uint32_t bangs = t->norm_len == 1 && t->norm[0] == '!';
        for (size_t k = 0; t->norm_len > 1 && k < t->norm_len; k++)
            bangs += t->norm[k] == '!';
        return T_PUNCT | (bangs < T_BANGS_MAX ? bangs : T_BANGS_MAX) << T_BANGS_SHIFT;
    }
    case HEED_TOK_EMOJI:
    case HEED_TOK_EMOTICON:
        return T_EMO;
    default:
        return 0;
    }
}

/* May an idiom start at token i, whose entry e starts some? Only when the
 * next token is a word whose first byte may begin the idiom's second word
 * (idiom_next); match_idiom decides. */
static inline int idiom_may_start(const heed_token *toks, size_t i, size_t to,
                                  const heed_lexent *e)
{
    const heed_token *t = &toks[i + 1];
    return i + 1 < to && is_word(t) && t->norm_len && (e->idiom_next >> (t->norm[0] & 15) & 1);
}

/* Marks an idiom starting at token i, if one does: the first token carries
 * the phrase's valence, the others are consumed (no valence, no role as
 * negator or booster). */
static void match_idiom(pass *p, const heed_idiom *ids, size_t i)
{
    const heed_token *toks = p->toks;
    /* only the idioms that start with this word */
    for (uint64_t set = p->le[i]->idioms; set; set &= set - 1) {
        size_t k = (size_t)__builtin_ctzll(set);
        size_t w = 1;
        while (w < 4 && ids[k].words[w] && i + w < p->to && (p->f[i + w] & T_WORD) &&
               norm_is(&toks[i + w], ids[k].words[w]))
            w++;
        if (w < 4 && ids[k].words[w])
            continue;
        tokinfo *x = &p->ti[i];
        x->base = ids[k].valence;
        x->score = ids[k].valence;
        if (ids[k].valence != 0.0f)
            p->f[i] |= T_SCORED;
        x->rules = HEED_RULE_IDIOM;
        x->span_end = (uint32_t)(i + w - 1);
        p->f[i] |= T_CONS; /* the idiom's head: not a negator/booster */
        for (size_t j = 1; j < w; j++)
            p->f[i + j] |= T_CONS | T_CONS1;
        for (size_t j = 0; j < w; j++)
            p->cons_words += toks[i + j].kind == HEED_TOK_WORD;
        return;
    }
}

/* Index of the nearest word within SCOPE_WORDS words before i satisfying
 * `want` (1: negator, 2: booster/dampener), stopping at punctuation and at
 * clause words; sets *dist (1 = adjacent word). SIZE_MAX if none. */
static size_t find_before(const pass *p, size_t i, int want, int *dist)
{
    int words = 0;
    for (size_t j = i; j-- > p->from;) {
        uint32_t c = p->f[j];
        if (c & T_PUNCT)
            return SIZE_MAX;
        if (!(c & T_WORD))
            continue;
        words++;
        if (words > SCOPE_WORDS)
            return SIZE_MAX;
        if (want == 1 && is_negator(c)) {
            *dist = words;
            return j;
        }
        if (want == 2 && !(c & T_CONS) && (c & (LX_BOOSTER | LX_DAMPENER))) {
            *dist = words;
            return j;
        }
        if (c & (LX_BUT | LX_CLAUSE | LX_ALTHOUGH))
            return SIZE_MAX;
        if (want == 2 && !(c & (LX_BOOSTER | LX_DAMPENER)) && (c & T_SCORED))
            return SIZE_MAX; /* "very good bad": the booster belongs to "good" */
    }
    return SIZE_MAX;
}

/* find_before for both wants in one walk: *neg the negator (want 1), *boost
 * the booster or dampener (want 2) at *bdist words. */
static void scan_before(const pass *p, size_t i, size_t *neg, size_t *boost, int *bdist)
{
    size_t ng = SIZE_MAX, bo = SIZE_MAX;
    int need_n = 1, need_b = 1, words = 0;
    for (size_t j = i; j-- > p->from;) {
        uint32_t c = p->f[j];
        if (!(c & (T_WORD | T_PUNCT)))
            continue;
        if ((c & T_PUNCT) || ++words > SCOPE_WORDS)
            break;
        if (!(c & (T_NEG | LX_BOOSTER | LX_DAMPENER | LX_BUT | LX_CLAUSE | LX_ALTHOUGH | T_SCORED)))
            continue; /* a word no test below acts on (the needs change only below) */
        if (need_n && is_negator(c)) {
            ng = j;
            need_n = 0;
        }
        if (need_b && !(c & T_CONS) && (c & (LX_BOOSTER | LX_DAMPENER))) {
            bo = j;
            *bdist = words;
            need_b = 0;
        }
        if (c & (LX_BUT | LX_CLAUSE | LX_ALTHOUGH))
            break;
        if (!(c & (LX_BOOSTER | LX_DAMPENER)) && (c & T_SCORED))
            need_b = 0; /* "very good bad": the booster belongs to "good" */
        if (!need_n && !need_b)
            break;
    }
    *neg = ng;
    *boost = bo;
}

static int sentence_is_question(const heed_token *toks, size_t from, size_t to)
{
    for (size_t j = to; j-- > from;) {
        if (toks[j].kind != HEED_TOK_PUNCT)
            return 0;
        if (memchr(toks[j].norm, '?', toks[j].norm_len))
            return 1;
    }
    return 0;
}

/* Does a request frame (need, please, would, can you) come shortly before i? */
static int in_request_frame(const pass *p, size_t i)
{
    int words = 0;
    for (size_t j = i; j-- > p->from && words < 4;) {
        if (!(p->f[j] & T_WORD))
            continue;
        words++;
        if (p->f[j] & (LX_NEED | LX_POLITE | LX_WOULD))
            return 1;
    }
    return 0;
}

static int next_word_is(const heed_token *toks, size_t i, size_t to, const char *w, int any_ing)
{
    for (size_t j = i + 1; j < to; j++) {
        if (!is_word(&toks[j]))
            return 0;
        if (any_ing && ends_with(&toks[j], "ing"))
            return 1;
        return w && norm_is(&toks[j], w);
    }
    return 0;
}

/* The word before i in the sentence, SIZE_MAX if none. */
static size_t word_before(const pass *p, size_t i)
{
    size_t j = i;
    while (j-- > p->from)
        if (p->f[j] & T_WORD)
            return j;
    return SIZE_MAX;
}

static float sign(float v)
{
    return v > 0 ? 1.0f : v < 0 ? -1.0f : 0.0f;
}

static void set_score(pass *p, size_t i, float base, float score, uint32_t rules)
{
    p->ti[i].base = base;
    p->ti[i].score = score;
    p->ti[i].rules = rules;
    p->f[i] |= T_SCORED;
}

/* Base valence of token i before modifiers; no score if none. */
static void base_valence(pass *p, const heed_lexicon *lx, size_t i)
{
    const heed_token *t = &p->toks[i];
    const uint32_t fi = p->f[i];
    if (fi & T_CONS)
        return;
    if (t->kind == HEED_TOK_EMOJI) {
        int known;
        float v = heed__emoji_valence(t->norm, t->norm_len, &known);
        if (known)
            set_score(p, i, v, v, HEED_RULE_EMOJI);
        return;
    }
    if (t->kind == HEED_TOK_EMOTICON) {
        const heed_lexent *e = heed__lexicon_get(lx, t->norm, t->norm_len);
        if (!e && (t->flags & HEED_TF_ELONGATED)) {
            /* ":)))" is ":)" said louder: drop the repeated mouth */
            size_t m = t->norm_len;
            while (m > 2 && t->norm[m - 1] == t->norm[m - 2])
                m--;
            e = heed__lexicon_get(lx, t->norm, m);
        }
        if (e && e->has_valence)
            set_score(p, i, e->valence, e->valence, HEED_RULE_EMOTICON);
        return;
    }
    if (!(fi & T_WORD) || !(fi & T_VAL))
        return; /* only a word with a valence has more to do below */
    const heed_lexent *e = p->le[i];
    uint32_t c = e->cls;
    if (c & (LX_NEGATOR | LX_BOOSTER | LX_DAMPENER | LX_POLITE)) { /* the rarer classes */
        if (c & LX_NEGATOR)
            return; /* acts on others; its own valence would double-count */
        if (c & (LX_BOOSTER | LX_DAMPENER)) {
            /* "pretty good" boosts; "pretty lady" is praise: a booster with a
             * valence of its own keeps it when no rated word follows. */
            size_t nx = i + 1;
            while (nx < p->to && !(p->f[nx] & (T_WORD | T_PUNCT)))
                nx++;
            int boosts = nx < p->to && (p->f[nx] & T_WORD) &&
                         (p->f[nx] & (T_VAL | LX_BOOSTER | LX_DAMPENER));
            if (boosts || !e->has_valence)
                return;
            set_score(p, i, e->valence, e->valence, HEED_RULE_LEXICON);
            return;
        }
        if (c & LX_POLITE) {
            if (e->has_valence) /* kept as evidence that it was neutralised */
                set_score(p, i, e->valence, 0, HEED_RULE_POLITENESS);
            return;
        }
    }
    if (!e->has_valence)
        return;
    float v = e->valence;
    p->neg_for = i;
    scan_before(p, i, &p->neg_at, &p->boost_at, &p->boost_dist);
    int negated = p->neg_at != SIZE_MAX;
    if (norm_is(t, "like")) {
        /* "like" is liking only after a subject ("I like"), never in "would
         * like" (a want) or as a preposition ("looks like"). */
        size_t b = word_before(p, i);
        if (b == SIZE_MAX || !((p->f[b] & LX_SUBJECT) || is_negator(p->f[b])))
            return;
    }
    if (c & LX_NOUNONLY) {
        size_t b = word_before(p, i);
        if (b == SIZE_MAX || !(p->f[b] & LX_DETERMINER))
            return;
    }
    if ((c & LX_REQUEST) && !negated) {
        if (p->question < 0)
            p->question = sentence_is_question(p->toks, p->from, p->to);
        if (p->question || in_request_frame(p, i)) {
            set_score(p, i, v, 0, HEED_RULE_POLITENESS); /* "please help": a request */
            return;
        }
    }
    if ((c & LX_APPRECIATE) && !negated) {
        size_t b = word_before(p, i);
        int would = b != SIZE_MAX && (p->f[b] & LX_WOULD);
        if (would && (next_word_is(p->toks, i, p->to, "if", 0) ||
                      next_word_is(p->toks, i, p->to, "it", 0))) {
            set_score(p, i, v, 0, HEED_RULE_POLITENESS);
            return;
        }
    }
    set_score(p, i, v, t->kind == HEED_TOK_HASHTAG ? v * HASHTAG_SCALE : v, HEED_RULE_LEXICON);
    if ((c & LX_STOPVERB) && !negated && next_word_is(p->toks, i, p->to, NULL, 1)) {
        /* "(kindly) stop calling me": a request to stop is a complaint. */
        tokinfo *x = &p->ti[i];
        x->score = v < POLITE_REQUEST_VALENCE ? v : POLITE_REQUEST_VALENCE;
        x->rules |= HEED_RULE_POLITE_REQUEST;
    }
}

/* Some words shouted, not all (asked only of a token in capitals). */
static int is_mixed(pass *p)
{
    if (p->mixed < 0) {
        size_t caps = 0, words = 0;
        for (size_t i = 0; i < p->n_toks; i++)
            if (p->toks[i].kind == HEED_TOK_WORD) {
                words++;
                caps += (p->toks[i].flags & HEED_TF_ALLCAPS) != 0;
            }
        p->mixed = caps > 0 && caps < words;
    }
    return p->mixed;
}

static void modify(pass *p, size_t i)
{
    tokinfo *x = &p->ti[i];
    const heed_token *t = &p->toks[i];
    const uint32_t fi = p->f[i];
    if (!(fi & T_SCORED) || x->score == 0.0f || (fi & T_CONS1))
        return;
    if (p->neg_for == i && (p->boost_at & p->neg_at) == SIZE_MAX &&
        !(t->flags & (HEED_TF_ALLCAPS | HEED_TF_ELONGATED)))
        return; /* no booster, negator, capitals or elongation: the score stays */
    float v = x->score;
    int dist;
    size_t b;
    if (p->neg_for == i) {
        b = p->boost_at;
        dist = p->boost_dist;
    } else {
        b = find_before(p, i, 2, &dist);
    }
    if (b != SIZE_MAX) {
        float s = p->le[b]->scalar * (dist == 1 ? 1.0f : dist == 2 ? 0.95f : 0.9f);
        if ((p->toks[b].flags & HEED_TF_ALLCAPS) && is_mixed(p))
            s += sign(s) * CAPS_INCR;
        if (p->toks[b].flags & HEED_TF_ELONGATED)
            s *= 1.5f;
        v += sign(v) * s;
        x->rules |= s > 0 ? HEED_RULE_INTENSIFIED : HEED_RULE_DIMINISHED;
        x->cue = (uint32_t)b;
    }
    if ((t->flags & HEED_TF_ALLCAPS) && is_mixed(p)) {
        v += sign(v) * CAPS_INCR;
        x->rules |= HEED_RULE_ALLCAPS;
    }
    if (t->flags & HEED_TF_ELONGATED) {
        v += sign(v) * ELONG_INCR;
        x->rules |= HEED_RULE_ELONGATED;
    }
    /* An idiom's head is negated too: "not a waste of time"; emoji, emoticons
     * and laughter are reactions, not statements, and are never negated. */
    size_t ng = SIZE_MAX;
    if (!(fi & (T_EMO | LX_LAUGH)))
        ng = p->neg_for == i ? p->neg_at : find_before(p, i, 1, &dist);
    if (ng != SIZE_MAX) {
        v *= v > 0 ? NEG_POS_SCALAR : NEG_NEG_SCALAR;
        x->rules |= HEED_RULE_NEGATED;
        x->cue = (uint32_t)ng;
        p->ti[ng].negated_some = 1;
    }
    x->score = v;
}

/* Marks the negator at i and the words in its scope (for the token flags). */
static void mark_negation(pass *p, size_t i)
{
    p->toks[i].flags |= HEED_TF_NEGATOR;
    int words = 0;
    for (size_t j = i + 1; j < p->to && words < SCOPE_WORDS; j++) {
        uint32_t c = p->f[j];
        if (c & T_PUNCT)
            break;
        if (!(c & T_WORD))
            continue;
        if (c & (LX_BUT | LX_CLAUSE | LX_ALTHOUGH))
            break;
        words++;
        p->toks[j].flags |= HEED_TF_NEGATED;
    }
}

/* The first "but" or "although" of the sentence (token i) damps one side;
 * act[0..n_act) are the sentence's active tokens. */
static void contrast(pass *p, const uint32_t *act, size_t n_act, size_t i)
{
    tokinfo *ti = p->ti;
    if (p->f[i] & LX_BUT) {
        for (size_t k = 0; k < n_act; k++) {
            size_t j = act[k];
            if (!(p->f[j] & T_SCORED) || j == i)
                continue;
            ti[j].score *= j < i ? CONTRAST_DAMP : CONTRAST_STRESS;
            ti[j].rules |= j < i ? HEED_RULE_CONTRAST_BEFORE : HEED_RULE_CONTRAST_AFTER;
            if (ti[j].cue == UINT32_MAX)
                ti[j].cue = (uint32_t)i;
        }
        return; /* the first "but" decides, as in VADER */
    }
    /* "although it arrived late, the staff were great": the concession (up to
     * the next comma) counts half. */
    const heed_token *toks = p->toks;
    for (size_t j = i + 1; j < p->to; j++) {
        if (toks[j].kind == HEED_TOK_PUNCT && (memchr(toks[j].norm, ',', toks[j].norm_len) ||
                                               memchr(toks[j].norm, ';', toks[j].norm_len)))
            break;
        if (!(p->f[j] & T_SCORED))
            continue;
        ti[j].score *= CONTRAST_DAMP;
        ti[j].rules |= HEED_RULE_CONTRAST_BEFORE;
        ti[j].cue = (uint32_t)i;
    }
}

/* Sets p->f and p->le; act[0..*n_act) the
 * active tokens, bang[0..*n_bang) the punctuation holding '!'. Returns the
 * number of word tokens. Inlined twice, with wr and th (use_wr 1) and
 * without (use_wr 0, both NULL), so that the loop does not test wr per token. */
static inline __attribute__((always_inline)) size_t
scan_tokens(pass *p, const heed_lexicon *lx, const heed_word *const *wr, const uint64_t *th,
            const int use_wr, uint32_t *act, size_t *n_act, uint32_t *bang, size_t *n_bang)
{
    const heed_token *toks = p->toks;
    const size_t n = p->n_toks;
    uint32_t *f = p->f;
    const heed_lexent **le = p->le;
    size_t others = 0, na = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        const heed_token *t = &toks[i];
        uint32_t c;
        if (t->kind == HEED_TOK_WORD) {
            const heed_word *w = use_wr ? wr[i] : NULL;
            if (w && !(t->flags & HEED_TF_ELONGATED)) {
                /* a plain word of the table: its entry as lookup finds it,
                 * and that entry's classes, so that the entry itself is read
                 * only by the rules at an active token */
                const uint32_t lc = w->lex_cls;
                c = T_WORD;
                if (lc) { /* then w->lex is not NULL */
                    le[i] = w->lex;
                    c |= lc;
                }
            } else {
                /* past 8 bytes the lexicon's hash is heed__hash, th[i] */
                const heed_lexent *e = use_wr && t->norm_len > 8
                                           ? heed__lexicon_get_h(lx, th[i], t->norm, t->norm_len)
                                           : heed__lexicon_get(lx, t->norm, t->norm_len);
                if (t->flags & HEED_TF_ELONGATED)
                    e = unelongated(lx, t->norm, t->norm_len, e);
                c = T_WORD;
                if (e) {
                    le[i] = e;
                    c |= e->cls;
                }
            }
            if ((t->flags & HEED_TF_CONTRACTION) && ends_with(t, "n't"))
                c |= T_NEG;
        } else {
            others++;
            c = other_bits(lx, t, &le[i]);
            if (c & T_BANGS)
                bang[nb++] = (uint32_t)i;
        }
        f[i] = c;
        if ((c & T_ACTIVE) || ((c & LX_IDIOM) && idiom_may_start(toks, i, n, le[i])))
            act[na++] = (uint32_t)i;
    }
    *n_act = na;
    *n_bang = nb;
    return n - others;
}

/* The first k at or after *k with v[k] >= from (v ascending). */
static size_t seek(const uint32_t *v, size_t n, size_t k, size_t from)
{
    while (k > 0 && v[k - 1] >= from)
        k--;
    while (k < n && v[k] < from)
        k++;
    return k;
}

int heed__valence(heed_arena *a, const heed_lexicon *lx, const char *text, heed_token *toks,
                  size_t n_toks, heed_sentence *sents, size_t n_sents, heed_valence_out *out)
{
    return heed__valence_words(a, lx, text, toks, n_toks, NULL, NULL, sents, n_sents, out);
}

int heed__valence_words(heed_arena *a, const heed_lexicon *lx, const char *text, heed_token *toks,
                        size_t n_toks, const heed_word *const *wr, const uint64_t *th,
                        heed_sentence *sents, size_t n_sents, heed_valence_out *out)
{
    (void)text;
    memset(out, 0, sizeof(*out));
    if (n_toks == 0)
        return HEED_OK;
    pass p = {toks, NULL, NULL, NULL, 0, 0, n_toks, -1, -1, 0, SIZE_MAX, SIZE_MAX, SIZE_MAX, 0};
    /* one block: the evidence (returned), then the per-token arrays */
    _Static_assert(sizeof(heed_evidence) % 8 == 0 && sizeof(tokinfo) % 4 == 0,
                   "the arrays stay aligned");
    const size_t ev_bytes = (n_toks + n_sents) * sizeof(heed_evidence);
    char *blk = heed__arena_alloc(a, ev_bytes + n_toks * (sizeof *p.le + sizeof *p.ti + 4 * 4));
    if (!blk)
        return HEED_ENOMEM;
    heed_evidence *ev = (heed_evidence *)(void *)blk;
    p.le = (const heed_lexent **)(void *)(blk + ev_bytes);
    p.ti = (tokinfo *)(void *)(p.le + n_toks);
    p.f = (uint32_t *)(void *)(p.ti + n_toks);
    uint32_t *act = p.f + n_toks;  /* active tokens */
    uint32_t *bang = act + n_toks; /* tokens with '!' */
    uint32_t *negs = bang + n_toks; /* a sentence's negators */
    size_t words = 0, n_act = 0, n_bang = 0;
    if (wr)
        words = scan_tokens(&p, lx, wr, th, 1, act, &n_act, bang, &n_bang);
    else
        words = scan_tokens(&p, lx, NULL, NULL, 0, act, &n_act, bang, &n_bang);
    size_t n_ids;
    const heed_idiom *ids = heed__idioms(&n_ids);
    size_t n_ev = 0;
    double pos_sum = 0, neg_sum = 0, raw_sum = 0;
    size_t n_scored = 0;
    /* Neutral words: the sentences' word tokens less those consumed by an
     * idiom, marked as negators or scored (each one of these is active or
     * consumed). */
    size_t outside = 0, not_neutral = 0, next = 0;
    size_t ka = 0, kb = 0, prev_to = 0;
    for (size_t s = 0; s < n_sents; s++) {
        size_t from = sents[s].first_token, to = from + sents[s].n_tokens;
        for (size_t j = next; j < from; j++)
            outside += toks[j].kind == HEED_TOK_WORD;
        next = to;
        if (from != prev_to) /* sentences as heed__sentences makes them follow on */
            ka = seek(act, n_act, ka, from);
        prev_to = to;
        if (ka == n_act || act[ka] >= to) {
            /* no active token: a sum of 0, whose squash below is 0; adding
             * it to raw_sum (never -0) changes nothing */
            sents[s].valence = 0.0;
            continue;
        }
        p.from = from;
        p.to = to;
        p.question = -1;
        p.neg_for = SIZE_MAX;
        size_t ke = ka;
        /* One pass in token order over the active tokens: every rule at
         * token i reads only tokens before i (decided by then) and the
         * lexicon entries of later ones. */
        size_t turn = SIZE_MAX; /* the first "but"/"although" */
        size_t n_negs = 0;
        for (; ke < n_act && act[ke] < to; ke++) {
            size_t i = act[ke];
            /* its tokinfo, first read here (the rules at i write only i's and
             * those of active tokens before it) */
            p.ti[i] = (tokinfo){0, 0, 0, UINT32_MAX, (uint32_t)i, 0};
            if ((p.f[i] & (T_CONS | LX_IDIOM)) == LX_IDIOM && idiom_may_start(toks, i, to, p.le[i]))
                match_idiom(&p, ids, i);
            if (is_negator(p.f[i])) {
                mark_negation(&p, i);
                not_neutral++; /* a free word token: marked a negator */
                negs[n_negs++] = (uint32_t)i;
            }
            /* only these can have a base valence, and only a scored token
             * is modified */
            if (p.f[i] & (T_VAL | T_EMO))
                base_valence(&p, lx, i);
            if (p.f[i] & T_SCORED)
                modify(&p, i);
            if ((p.f[i] & (LX_BUT | LX_ALTHOUGH)) && turn == SIZE_MAX &&
                (p.f[i] & (T_CONS | T_WORD)) == T_WORD)
                turn = i;
        }
        /* A negator that negated nothing ("Oh no.", "No, it never arrived")
         * keeps the lexicon's own valence for it. */
        for (size_t k = 0; k < n_negs; k++) {
            size_t i = negs[k];
            if (p.ti[i].negated_some || !is_negator(p.f[i]) || !(p.f[i] & T_VAL))
                continue;
            set_score(&p, i, p.le[i]->valence, p.le[i]->valence, HEED_RULE_LEXICON);
        }
        if (turn != SIZE_MAX)
            contrast(&p, act + ka, ke - ka, turn);
        double sum = 0;
        size_t first_ev = n_ev;
        for (size_t k = ka; k < ke; k++) {
            size_t i = act[k];
            const tokinfo *x = &p.ti[i];
            const uint32_t fi = p.f[i];
            if (!(fi & T_SCORED) || (fi & T_CONS1))
                continue;
            not_neutral += toks[i].kind == HEED_TOK_WORD && !(fi & T_CONS) &&
                           !(toks[i].flags & HEED_TF_NEGATOR); /* those counted above */
            heed_evidence *e = &ev[n_ev++];
            e->token = (uint32_t)i;
            e->sentence = (uint32_t)s;
            e->start = toks[i].start;
            e->len = toks[x->span_end].start + toks[x->span_end].len - toks[i].start;
            e->base = x->base;
            e->score = x->score;
            e->rules = x->rules;
            e->cue = x->cue;
            sum += x->score;
        }
        /* Emphasis: each '!' in the sentence (up to 4) pushes it further. */
        if (sum != 0) {
            unsigned bangs = 0;
            size_t last_bang = SIZE_MAX;
            for (kb = seek(bang, n_bang, kb, from); kb < n_bang && bang[kb] < to; kb++) {
                bangs += (p.f[bang[kb]] & T_BANGS) >> T_BANGS_SHIFT;
                last_bang = bang[kb];
            }
            if (bangs > T_BANGS_MAX)
                bangs = T_BANGS_MAX;
            if (bangs) {
                float inc = sign((float)sum) * EXCLAIM_INCR * (float)bangs;
                heed_evidence *e = &ev[n_ev++];
                e->token = (uint32_t)last_bang;
                e->sentence = (uint32_t)s;
                e->start = toks[last_bang].start;
                e->len = toks[last_bang].len;
                e->base = 0;
                e->score = inc;
                e->rules = HEED_RULE_EXCLAIM;
                e->cue = UINT32_MAX;
                sum += inc;
                /* keep evidence in text order: move it before later spans */
                for (size_t k = n_ev - 1; k > first_ev && ev[k - 1].start > ev[k].start; k--) {
                    heed_evidence tmp = ev[k];
                    ev[k] = ev[k - 1];
                    ev[k - 1] = tmp;
                }
            }
        }
        for (size_t k = first_ev; k < n_ev; k++) {
            if (ev[k].score > 0)
                pos_sum += ev[k].score + 1; /* VADER's +1 per sentiment word */
            else if (ev[k].score < 0)
                neg_sum += -ev[k].score + 1;
        }
        double c = sum / sqrt(sum * sum + ALPHA);
        sents[s].valence = c;
        raw_sum += sum;
        n_scored += sum != 0;
        ka = ke;
    }
    for (size_t j = next; j < n_toks; j++)
        outside += toks[j].kind == HEED_TOK_WORD;
    size_t neutral_words = words - outside - p.cons_words - not_neutral;
    out->evidence = ev;
    out->n_evidence = n_ev;
    /* Up to three sentences with valence add up, as a reader's impression does;
     * past three the sum is scaled to three average ones, so length alone never
     * drives a message to +-1. */
    double scaled =
        n_scored > LONG_TEXT_SENTENCES ? raw_sum * LONG_TEXT_SENTENCES / (double)n_scored : raw_sum;
    out->valence = scaled / sqrt(scaled * scaled + ALPHA);
    double total = pos_sum + neg_sum + (double)neutral_words;
    if (total > 0) {
        out->positive = pos_sum / total;
        out->negative = neg_sum / total;
    }
    return HEED_OK;
}
