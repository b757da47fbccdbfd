/* test_valence_onepass.c - the valence rules as they ran over every token of
 * a sentence (heed 0.x up to bba0d0f, kept here as the reference) against
 * heed__valence_words, which visits only the tokens a rule acts on and reads
 * neighbours through one word of bits per token: the same evidence, scores,
 * sentence valences and token flags, bit for bit, on generated texts that
 * are dense in negators, boosters, contrast words, idioms, capitals,
 * elongations, hashtags, emoji, emoticons and '!', with and without the
 * table of frequent words. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "asks.h"
#include "emoji.h"
#include "featurize.h"
#include "freqwords.h"
#include "langid.h"
#include "lexicon.h"
#include "sentence.h"
#include "tokenize.h"
#include "valence.h"

/* ---------------------------------------------------------- the reference */

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

typedef struct tokinfo {
    const heed_lexent *ent;
    float score;
    uint32_t rules;
    uint32_t cue;
    uint32_t span_end; /* last token of an idiom, else self */
    uint8_t consumed;  /* inside an idiom after its first token */
    uint8_t has_score;
    uint8_t negated_some; /* a negator whose scope negated a scored word */
    float base;
} tokinfo;

static int is_word(const heed_token *t)
{
    return t->kind == HEED_TOK_WORD || t->kind == HEED_TOK_HASHTAG;
}

static int is_scope_break(const heed_token *t)
{
    return t->kind == HEED_TOK_PUNCT;
}

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

static uint32_t cls_of(const tokinfo *ti)
{
    return ti->ent ? ti->ent->cls : 0;
}

static int is_negator(const heed_token *t, const tokinfo *ti)
{
    if (t->kind != HEED_TOK_WORD || ti->consumed)
        return 0;
    return (cls_of(ti) & LX_NEGATOR) || ((t->flags & HEED_TF_CONTRACTION) && ends_with(t, "n't"));
}

/* Looks a word up; elongated words also try with doubled letters undone. */
static const heed_lexent *lookup(const heed_lexicon *lx, const heed_token *t)
{
    const char *k = t->norm;
    size_t n = t->norm_len;
    if (t->kind == HEED_TOK_HASHTAG && n > 1 && k[0] == '#') {
        k++;
        n--;
    }
    const heed_lexent *e = heed__lexicon_get(lx, k, n);
    if ((e && (e->has_valence || e->cls)) || !(t->flags & HEED_TF_ELONGATED))
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

/* Marks an idiom starting at token i, if one does: the first token carries
 * the phrase's valence, the others are consumed (no valence, no role as
 * negator or booster). */
static void match_idiom(const heed_idiom *ids, const heed_token *toks, tokinfo *ti, size_t i,
                        size_t to)
{
    /* only the idioms that start with this word */
    for (uint64_t set = ti[i].ent->idioms; set; set &= set - 1) {
        size_t k = (size_t)__builtin_ctzll(set);
        size_t w = 1;
        while (w < 4 && ids[k].words[w] && i + w < to && is_word(&toks[i + w]) &&
               norm_is(&toks[i + w], ids[k].words[w]))
            w++;
        if (w < 4 && ids[k].words[w])
            continue;
        ti[i].base = ids[k].valence;
        ti[i].score = ids[k].valence;
        ti[i].has_score = ids[k].valence != 0.0f;
        ti[i].rules = HEED_RULE_IDIOM;
        ti[i].span_end = (uint32_t)(i + w - 1);
        ti[i].consumed = 2; /* the idiom's head: not a negator/booster */
        for (size_t j = 1; j < w; j++)
            ti[i + j].consumed = 1;
        return;
    }
}

/* Index of the nearest word within SCOPE_WORDS words before i satisfying
 * `want` (1: negator, 2: booster/dampener), stopping at punctuation and at
 * clause words; sets *dist (1 = adjacent word). SIZE_MAX if none. */
static size_t find_before(const heed_token *toks, const tokinfo *ti, size_t from, size_t i,
                          int want, int *dist)
{
    int words = 0;
    for (size_t j = i; j-- > from;) {
        const heed_token *t = &toks[j];
        if (is_scope_break(t))
            return SIZE_MAX;
        if (!is_word(t))
            continue;
        words++;
        if (words > SCOPE_WORDS)
            return SIZE_MAX;
        uint32_t c = cls_of(&ti[j]);
        if (want == 1 && is_negator(t, &ti[j])) {
            *dist = words;
            return j;
        }
        if (want == 2 && !ti[j].consumed && (c & (LX_BOOSTER | LX_DAMPENER))) {
            *dist = words;
            return j;
        }
        if (c & (LX_BUT | LX_CLAUSE | LX_ALTHOUGH))
            return SIZE_MAX;
        if (want == 2 && !(c & (LX_BOOSTER | LX_DAMPENER)) && words >= 1 && ti[j].has_score)
            return SIZE_MAX; /* "very good bad": the booster belongs to "good" */
    }
    return SIZE_MAX;
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
static int in_request_frame(const heed_token *toks, const tokinfo *ti, size_t from, size_t i)
{
    int words = 0;
    for (size_t j = i; j-- > from && words < 4;) {
        if (!is_word(&toks[j]))
            continue;
        words++;
        if (cls_of(&ti[j]) & (LX_NEED | LX_POLITE | LX_WOULD))
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

static float sign(float v)
{
    return v > 0 ? 1.0f : v < 0 ? -1.0f : 0.0f;
}

/* Base valence of token i before modifiers; 0 with has_score 0 if none. */
static void base_valence(const heed_lexicon *lx, const heed_token *toks, tokinfo *ti, size_t from,
                         size_t to, size_t i, int question)
{
    const heed_token *t = &toks[i];
    tokinfo *x = &ti[i];
    if (x->consumed)
        return;
    if (t->kind == HEED_TOK_EMOJI) {
        int known;
        float v = heed__emoji_valence(t->norm, t->norm_len, &known);
        if (known) {
            x->base = x->score = v;
            x->has_score = 1;
            x->rules = HEED_RULE_EMOJI;
        }
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
        if (e && e->has_valence) {
            x->base = x->score = e->valence;
            x->has_score = 1;
            x->rules = HEED_RULE_EMOTICON;
        }
        return;
    }
    if (!is_word(t) || !x->ent)
        return;
    const heed_lexent *e = x->ent;
    uint32_t c = e->cls;
    if (c & LX_NEGATOR)
        return; /* acts on others; its own valence would double-count */
    if (c & (LX_BOOSTER | LX_DAMPENER)) {
        /* "pretty good" boosts; "pretty lady" is praise: a booster with a
         * valence of its own keeps it when no rated word follows. */
        size_t nx = i + 1;
        while (nx < to && !is_word(&toks[nx]) && toks[nx].kind != HEED_TOK_PUNCT)
            nx++;
        int boosts = nx < to && is_word(&toks[nx]) && ti[nx].ent &&
                     (ti[nx].ent->has_valence || (ti[nx].ent->cls & (LX_BOOSTER | LX_DAMPENER)));
        if (boosts || !e->has_valence)
            return;
        x->base = x->score = e->valence;
        x->has_score = 1;
        x->rules = HEED_RULE_LEXICON;
        return;
    }
    if (c & LX_POLITE) {
        if (e->has_valence) { /* kept as evidence that it was neutralised */
            x->base = e->valence;
            x->score = 0;
            x->has_score = 1;
            x->rules = HEED_RULE_POLITENESS;
        }
        return;
    }
    if (!e->has_valence)
        return;
    float v = e->valence;
    int dist;
    int negated = find_before(toks, ti, from, i, 1, &dist) != SIZE_MAX;
    if (norm_is(t, "like")) {
        /* "like" is liking only after a subject ("I like"), never in "would
         * like" (a want) or as a preposition ("looks like"). */
        size_t p = i;
        while (p-- > from && !is_word(&toks[p]))
            ;
        int ok = p != SIZE_MAX && p >= from &&
                 ((cls_of(&ti[p]) & LX_SUBJECT) || is_negator(&toks[p], &ti[p]));
        if (!ok)
            return;
    }
    if (c & LX_NOUNONLY) {
        size_t p = i;
        while (p-- > from && !is_word(&toks[p]))
            ;
        if (p == SIZE_MAX || p < from || !(cls_of(&ti[p]) & LX_DETERMINER))
            return;
    }
    if ((c & LX_REQUEST) && !negated && (question || in_request_frame(toks, ti, from, i))) {
        x->base = v;
        x->score = 0;
        x->has_score = 1;
        x->rules = HEED_RULE_POLITENESS; /* "please help": a request, not praise */
        return;
    }
    if ((c & LX_APPRECIATE) && !negated) {
        size_t p = i;
        while (p-- > from && !is_word(&toks[p]))
            ;
        int would = p != SIZE_MAX && p >= from && (cls_of(&ti[p]) & LX_WOULD);
        if (would && (next_word_is(toks, i, to, "if", 0) || next_word_is(toks, i, to, "it", 0))) {
            x->base = v;
            x->score = 0;
            x->has_score = 1;
            x->rules = HEED_RULE_POLITENESS;
            return;
        }
    }
    x->base = v;
    x->score = t->kind == HEED_TOK_HASHTAG ? v * HASHTAG_SCALE : v;
    x->has_score = 1;
    x->rules = HEED_RULE_LEXICON;
    if ((c & LX_STOPVERB) && !negated && next_word_is(toks, i, to, NULL, 1)) {
        /* "(kindly) stop calling me": a request to stop is a complaint. */
        x->score = v < POLITE_REQUEST_VALENCE ? v : POLITE_REQUEST_VALENCE;
        x->rules |= HEED_RULE_POLITE_REQUEST;
    }
}

static void modify(const heed_token *toks, tokinfo *ti, size_t from, size_t i, int mixed)
{
    tokinfo *x = &ti[i];
    const heed_token *t = &toks[i];
    if (!x->has_score || x->score == 0.0f || x->consumed == 1)
        return;
    float v = x->score;
    int dist;
    size_t b = find_before(toks, ti, from, i, 2, &dist);
    if (b != SIZE_MAX) {
        float s = ti[b].ent->scalar * (dist == 1 ? 1.0f : dist == 2 ? 0.95f : 0.9f);
        if ((toks[b].flags & HEED_TF_ALLCAPS) && mixed)
            s += sign(s) * CAPS_INCR;
        if (toks[b].flags & HEED_TF_ELONGATED)
            s *= 1.5f;
        v += sign(v) * s;
        x->rules |= s > 0 ? HEED_RULE_INTENSIFIED : HEED_RULE_DIMINISHED;
        x->cue = (uint32_t)b;
    }
    if ((t->flags & HEED_TF_ALLCAPS) && mixed) {
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
    if (t->kind != HEED_TOK_EMOJI && t->kind != HEED_TOK_EMOTICON && !(cls_of(x) & LX_LAUGH))
        ng = find_before(toks, ti, from, i, 1, &dist);
    if (ng != SIZE_MAX) {
        v *= v > 0 ? NEG_POS_SCALAR : NEG_NEG_SCALAR;
        x->rules |= HEED_RULE_NEGATED;
        x->cue = (uint32_t)ng;
        ti[ng].negated_some = 1;
    }
    x->score = v;
}

/* Marks the negator at i and the words in its scope (for the token flags). */
static void mark_negation(heed_token *toks, const tokinfo *ti, size_t i, size_t to)
{
    toks[i].flags |= HEED_TF_NEGATOR;
    int words = 0;
    for (size_t j = i + 1; j < to && words < SCOPE_WORDS; j++) {
        if (is_scope_break(&toks[j]))
            break;
        if (!is_word(&toks[j]))
            continue;
        if (cls_of(&ti[j]) & (LX_BUT | LX_CLAUSE | LX_ALTHOUGH))
            break;
        words++;
        toks[j].flags |= HEED_TF_NEGATED;
    }
}

/* A negator that negated nothing ("Oh no.", "No, it never arrived") keeps the
 * lexicon's own valence for it. */
static void orphan_negators(const heed_token *toks, tokinfo *ti, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (ti[i].negated_some || !is_negator(&toks[i], &ti[i]) || !ti[i].ent ||
            !ti[i].ent->has_valence)
            continue;
        ti[i].base = ti[i].score = ti[i].ent->valence;
        ti[i].has_score = 1;
        ti[i].rules = HEED_RULE_LEXICON;
    }
}

/* The first "but" or "although" of the sentence (token i) damps one side. */
static void contrast(const heed_token *toks, tokinfo *ti, size_t from, size_t to, size_t i)
{
    if (cls_of(&ti[i]) & LX_BUT) {
        for (size_t j = from; j < to; j++) {
            if (!ti[j].has_score || j == i)
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
    for (size_t j = i + 1; j < to; j++) {
        if (toks[j].kind == HEED_TOK_PUNCT && (memchr(toks[j].norm, ',', toks[j].norm_len) ||
                                               memchr(toks[j].norm, ';', toks[j].norm_len)))
            break;
        if (!ti[j].has_score)
            continue;
        ti[j].score *= CONTRAST_DAMP;
        ti[j].rules |= HEED_RULE_CONTRAST_BEFORE;
        ti[j].cue = (uint32_t)i;
    }
}

static int ref_valence(heed_arena *a, const heed_lexicon *lx, const char *text, heed_token *toks,
                       size_t n_toks, const heed_word *const *wr, heed_sentence *sents,
                       size_t n_sents, heed_valence_out *out)
{
    (void)text;
    memset(out, 0, sizeof(*out));
    if (n_toks == 0)
        return HEED_OK;
    tokinfo *ti = heed__arena_alloc(a, n_toks * sizeof(*ti));
    heed_evidence *ev = heed__arena_alloc(a, (n_toks + n_sents) * sizeof(*ev));
    if (!ti || !ev)
        return HEED_ENOMEM;
    size_t caps = 0, words = 0;
    for (size_t i = 0; i < n_toks; i++) {
        memset(&ti[i], 0, sizeof ti[i]);
        ti[i].cue = UINT32_MAX;
        ti[i].span_end = (uint32_t)i;
        if (is_word(&toks[i])) {
            const heed_token *t = &toks[i];
            /* a plain word of the table: its entry, as lookup finds it */
            ti[i].ent = wr && wr[i] && t->kind == HEED_TOK_WORD && !(t->flags & HEED_TF_ELONGATED)
                            ? wr[i]->lex
                            : lookup(lx, t);
        }
        if (toks[i].kind == HEED_TOK_WORD) {
            words++;
            caps += (toks[i].flags & HEED_TF_ALLCAPS) != 0;
        }
    }
    int mixed = caps > 0 && caps < words; /* some words shouted, not all */
    size_t n_ids;
    const heed_idiom *ids = heed__idioms(&n_ids);
    size_t n_ev = 0;
    double pos_sum = 0, neg_sum = 0, raw_sum = 0;
    size_t n_scored = 0;
    size_t neutral_words = 0;
    for (size_t s = 0; s < n_sents; s++) {
        size_t from = sents[s].first_token, to = from + sents[s].n_tokens;
        int question = sentence_is_question(toks, from, to);
        /* One pass in token order: every rule at token i reads only tokens
         * before i (decided by then) and the lexicon entries of later ones. */
        size_t turn = SIZE_MAX; /* the first "but"/"although" */
        int negators = 0;
        for (size_t i = from; i < to; i++) {
            tokinfo *x = &ti[i];
            const heed_token *t = &toks[i];
            if (!x->ent && t->kind != HEED_TOK_EMOJI && t->kind != HEED_TOK_EMOTICON &&
                !(t->flags & HEED_TF_CONTRACTION))
                continue; /* most tokens: no rule below acts on them */
            if (!x->consumed && x->ent && (x->ent->cls & LX_IDIOM))
                match_idiom(ids, toks, ti, i, to);
            if (is_negator(&toks[i], x)) {
                mark_negation(toks, ti, i, to);
                negators = 1;
            }
            base_valence(lx, toks, ti, from, to, i, question);
            modify(toks, ti, from, i, mixed);
            if (turn == SIZE_MAX && !x->consumed && is_word(&toks[i]) &&
                (cls_of(x) & (LX_BUT | LX_ALTHOUGH)))
                turn = i;
        }
        if (negators)
            orphan_negators(toks, ti, from, to);
        if (turn != SIZE_MAX)
            contrast(toks, ti, from, to, turn);
        double sum = 0;
        size_t first_ev = n_ev;
        int bangs = 0; /* the '!' of the sentence, for the emphasis below */
        size_t last_bang = SIZE_MAX;
        for (size_t i = from; i < to; i++) {
            tokinfo *x = &ti[i];
            if (toks[i].kind == HEED_TOK_PUNCT) {
                for (size_t k = 0; k < toks[i].norm_len; k++)
                    if (toks[i].norm[k] == '!') {
                        bangs++;
                        last_bang = i;
                    }
            }
            if (!x->has_score || x->consumed == 1) {
                if (toks[i].kind == HEED_TOK_WORD && !x->consumed &&
                    !(toks[i].flags & HEED_TF_NEGATOR))
                    neutral_words++;
                continue;
            }
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
            if (bangs > 4)
                bangs = 4;
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
    }
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

/* ------------------------------------------------------------- the tests */

/* here, after the reference rules, whose parameters share the fixture's names */
#include "words_fixture.h"

/* Tokens and sentences of text, in a, with their words in ws and hashes
 * when with_words (else *wr and *th are NULL). */
static void prepare(heed_arena *a, const char *text, size_t n, int with_words, heed_token **toks,
                    size_t *n_toks, const heed_word ***wr, const uint64_t **th,
                    heed_sentence **sents, size_t *n_sents)
{
    assert_int_equal(heed__tokenize(a, text, n, toks, n_toks), HEED_OK);
    *wr = NULL;
    *th = NULL;
    if (with_words) {
        size_t m = *n_toks ? *n_toks : 1;
        uint64_t *h = heed__arena_alloc(a, m * sizeof *h);
        *wr = heed__arena_alloc(a, m * sizeof **wr);
        assert_non_null(h);
        assert_non_null(*wr);
        heed__freqwords_find(ws, *toks, *n_toks, h, *wr);
        *th = h;
    }
    assert_int_equal(heed__sentences(a, text, n, *toks, *n_toks, sents, n_sents), HEED_OK);
}

static int same_bits(double x, double y)
{
    return memcmp(&x, &y, sizeof x) == 0;
}

static int same_fbits(float x, float y)
{
    return memcmp(&x, &y, sizeof x) == 0;
}

/* The reference and heed__valence_words agree on text[0..n); returns the
 * evidence count. */
static size_t check_text(const char *text, size_t n, int with_words)
{
    heed_arena a, b;
    heed__arena_init(&a, 0);
    heed__arena_init(&b, 0);
    heed_token *ta, *tb;
    size_t na, nb, nsa, nsb;
    const heed_word **wa, **wb;
    const uint64_t *ha, *hb;
    heed_sentence *sa, *sb;
    prepare(&a, text, n, with_words, &ta, &na, &wa, &ha, &sa, &nsa);
    prepare(&b, text, n, with_words, &tb, &nb, &wb, &hb, &sb, &nsb);
    assert_int_equal(na, nb);
    assert_int_equal(nsa, nsb);
    heed_valence_out va, vb;
    assert_int_equal(ref_valence(&a, lx, text, ta, na, wa, sa, nsa, &va), HEED_OK);
    assert_int_equal(heed__valence_words(&b, lx, text, tb, nb, wb, hb, sb, nsb, &vb), HEED_OK);
    if (!same_bits(va.valence, vb.valence) || !same_bits(va.positive, vb.positive) ||
        !same_bits(va.negative, vb.negative))
        fail_msg("message valence differs on \"%.*s\"", (int)n, text);
    assert_int_equal(va.n_evidence, vb.n_evidence);
    for (size_t i = 0; i < va.n_evidence; i++) {
        const heed_evidence *x = &va.evidence[i], *y = &vb.evidence[i];
        if (!(x->token == y->token && x->sentence == y->sentence && x->start == y->start &&
              x->len == y->len && same_fbits(x->base, y->base) &&
              same_fbits(x->score, y->score) && x->rules == y->rules && x->cue == y->cue))
            fail_msg("evidence %zu differs on \"%.*s\"", i, (int)n, text);
    }
    for (size_t i = 0; i < nsa; i++)
        assert_true(same_bits(sa[i].valence, sb[i].valence));
    for (size_t i = 0; i < na; i++)
        assert_int_equal(ta[i].flags, tb[i].flags);
    heed__arena_release(&a);
    heed__arena_release(&b);
    return va.n_evidence;
}

/* Words and marks the rules act on, and some they do not. */
static const char *const PIECES[] = {
    "not", "no", "never", "don't", "can't", "isn't", "won't", "didnt", "without", "hardly",
    "nothing", "very", "really", "so", "extremely", "pretty", "quite", "slightly", "kind",
    "sort", "little", "bit", "but", "however", "although", "though", "despite", "please",
    "kindly", "stop", "help", "support", "need", "want", "would", "I'd", "could", "appreciate",
    "grateful", "i", "you", "we", "they", "do", "like", "treat", "a", "the", "my", "this",
    "lol", "haha", "because", "then", "if", "it", "calling", "emailing", "good", "great",
    "bad", "terrible", "love", "hate", "awful", "excellent", "happy", "angry", "problem",
    "worries", "doubt", "only", "just", "matter", "complain", "wait", "thanks", "thank",
    "for", "yeah", "right", "waste", "of", "time", "money", "fed", "up", "sick", "and",
    "tired", "had", "enough", "again", "last", "straw", "joke", "at", "least", "works",
    "perfectly", "well", "done", "going", "above", "beyond", "ass", "bomb", "shit", "to",
    "die", "under", "weather", "on", "ball", "in", "red", "customer", "service", "desk",
    "team", "order", "refund", "parcel", "app", "GREAT", "BAD", "NOT", "VERY", "Good",
    "sooooo", "goooood", "baaaad", "loooove", "veryyyy", "#fail", "#win", "#but", "#not",
    "\xF0\x9F\x98\x80", "\xF0\x9F\x98\xA1", "\xE2\x9D\xA4\xEF\xB8\x8F", ":)", ":)))", ":(",
    ":-(", ":D", "<3", ".", ",", "!", "!!!", "!!!!!!", "?", "?!", ";", "...", "\n", "42",
    "$5", "@support", "x",
};

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static void test_generated_texts(void **state)
{
    (void)state;
    const size_t n_pieces = sizeof PIECES / sizeof PIECES[0];
    char text[1024];
    size_t evidence = 0;
    for (int round = 0; round < 6000; round++) {
        size_t len = 0, words = 1 + rnd() % 40;
        for (size_t k = 0; k < words; k++) {
            const char *p = PIECES[rnd() % n_pieces];
            size_t pl = strlen(p);
            if (len + pl + 2 >= sizeof text)
                break;
            if (len && rnd() % 4)
                text[len++] = ' ';
            memcpy(text + len, p, pl);
            len += pl;
        }
        evidence += check_text(text, len, round & 1);
    }
    assert_true(evidence > 20000); /* the rules had plenty to do */
}

/* Every word of the table of frequent words in frames that give its classes
 * work (after a negator and a booster, before a rated word, an idiom's
 * second word and '!'), as a word of the table and not: heed__valence_words
 * reads its classes from the table (heed_word.lex_cls), the reference from
 * its lexicon entry. */
static void test_table_words(void **state)
{
    (void)state;
    static const char *const FRAMES[][2] = {
        {"not ", " good"},    {"very ", " bad!"},   {"", " great"}, {"I ", " up, but fine"},
        {"it was ", " time"}, {"please ", " help"}, {"no ", " :)"}, {"so ", " of a joke"},
    };
    char text[512];
    size_t evidence = 0;
    for (size_t k = 0; k < ws->n_words; k++) {
        const heed_word *w = &ws->word[k];
        for (size_t f = 0; f < sizeof FRAMES / sizeof FRAMES[0]; f++) {
            const size_t a = strlen(FRAMES[f][0]), b = strlen(FRAMES[f][1]);
            if (a + w->len + b >= sizeof text)
                continue;
            memcpy(text, FRAMES[f][0], a);
            memcpy(text + a, ws->text + w->text_off, w->len);
            memcpy(text + a + w->len, FRAMES[f][1], b);
            evidence += check_text(text, a + w->len + b, 1);
            if (f == 0)
                check_text(text, a + w->len + b, 0);
        }
    }
    assert_true(evidence > ws->n_words); /* the frames scored */
}

static void test_fixed_texts(void **state)
{
    (void)state;
    static const char *const TEXTS[] = {
        "", "!", "No problem, thanks!", "Oh no.", "not bad at all", "I would like a refund",
        "I like it", "It looks like my parcel is lost", "Please help me, I cannot log in",
        "Can you help me with my order?", "What a pretty lady", "I hate how they treat me",
        "Kindly stop calling me", "I would appreciate it if you stopped charging me twice.",
        "The service was not great but the staff were VERY helpful!!!",
        "Although it arrived late, the staff were great.", "thank you for nothing",
        "not a waste of time", "no idea lol", "sooooo goooood #win :)))",
    };
    for (size_t i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++) {
        check_text(TEXTS[i], strlen(TEXTS[i]), 0);
        check_text(TEXTS[i], strlen(TEXTS[i]), 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_texts),
        cmocka_unit_test(test_generated_texts),
        cmocka_unit_test(test_table_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
