/* freqwords.h - the engine's table of frequent words: for each, what the
 * stages would look up about it per message (its lexicon entry for valence,
 * its function-word votes and letter count for language identification, its
 * place in the asks stage's index, its unigram feature keys and the
 * character n-gram keys of the emotion model's features), worked out once
 * per engine. A message's word tokens are
 * found in it once, by their normalised form, and a word there has the hash
 * the feature extractor keys words by, so that these stages neither hash
 * nor look the words up again. Read-only once made: any number of threads may share it. */
#ifndef HEED_FREQWORDS_H
#define HEED_FREQWORDS_H

#include <stddef.h>
#include <stdint.h>

#include "asks.h"
#include "hash.h"
#include "heed/heed.h"
#include "langid.h"
#include "lexicon.h"

/* What the stages know about one word. */
typedef struct heed_word {
    uint64_t hash;          /* heed__hash of the word */
    uint64_t asks_cls;      /* heed__asks_word_cls of its asks_id (0 without an index) */
    const heed_lexent *lex; /* heed__lexicon_get of the word, or NULL */
    const uint32_t *keys;   /* its character n-gram keys (heed__freqwords_char_flags) */
    uint32_t text_off;      /* where its bytes are in the table's text */
    uint16_t len;           /* bytes */
    uint16_t n_keys;
    uint16_t lang_votes; /* heed__langid_word_votes of the word */
    uint8_t ascii;       /* all its bytes are ASCII (and it has at most 255) */
    uint8_t letters;     /* when ascii: its letters, A-Z and a-z */
    uint16_t asks_id;    /* heed__asks_word_id of the word */
    uint8_t negator;     /* heed__features_negator of the word */
    uint32_t uni_key;    /* heed__features_unigram of the word, not negated */
    uint32_t neg_key;    /* and negated */
    uint32_t stress;     /* heed__stress_word_class of the word (heed__freqwords_set_stress),
                          * 0 until set */
    uint32_t lex_cls;    /* lex->cls, 0 when lex is NULL (the valence scan reads it in
                          * place of the entry's) */
} heed_word;
/* One record a cache line (the words lie on 64-byte boundaries): a field
 * more would split records over two lines, which the valence scan and the
 * stress stage pay for in misses. */
_Static_assert(sizeof(heed_word) <= 64, "heed_word fits one cache line");

typedef struct heed_words heed_words;
struct heed_feat_opts; /* featurize.h */

/* Makes the table of the built-in list of frequent English words, of
 * every word of asks' index and of lid's lists (so that a word token the
 * table lacks is in neither) and of the stress stage's words
 * (heed__stress_each_word), with their entries of lx, votes of lid and
 * places in asks (each may be NULL: none);
 * with their character n-gram keys for the options `chars` when chars is not
 * NULL and asks for n-grams. Returns HEED_OK and sets *out, or HEED_ENOMEM
 * (then *out is NULL). */
int heed__freqwords_new(const heed_lexicon *lx, const heed_langid *lid, const heed_asks_index *asks,
                        const struct heed_feat_opts *chars, heed_words **out);
void heed__freqwords_free(heed_words *ws); /* NULL does nothing */

/* Sets each word's `stress` from the stress stage's index ix (the table is
 * read-only again afterwards). The table is made with the words of
 * heed__stress_each_word too. */
struct heed_stress_index;
void heed__freqwords_set_stress(heed_words *ws, const struct heed_stress_index *ix);

/* The n-gram options (HEED_FEAT_CHARGRAMS / HEED_FEAT_CHAR4 bits) the words'
 * keys were made with, 0 when they have none. */
uint32_t heed__freqwords_char_flags(const heed_words *ws);

/* Does ws hold every word of heed__stress_each_word (so that
 * heed__stress_words_held may be given its words)? 0 for NULL. */
int heed__freqwords_holds_stress(const heed_words *ws);

/* For each token i < n: th[i] = heed__hash of its norm, and wr[i] its word
 * in ws when it is a word or hashtag token whose norm ws holds, else NULL
 * (every wr[i] NULL when ws is NULL). heed__tokenize_words gives the same as
 * it cuts the tokens. */
void heed__freqwords_find(const heed_words *ws, const heed_token *toks, size_t n, uint64_t *th,
                          const heed_word **wr);

/* The table's layout, for the inline lookups below (the tokenizer's pass
 * looks its plain words up as it cuts them); only freqwords.c writes it. */

/* A cell of the table: a word's first 8 bytes (heed__head8) and length,
 * which decide a word of up to 8 bytes without reading it. */
typedef struct heed_words_cell {
    uint64_t head;
    uint32_t len;
    uint32_t word; /* word index + 1, 0: empty */
} heed_words_cell;

struct heed_words {
    uint32_t char_flags;    /* the n-gram options of the words' keys, 0: none */
    int holds_stress;       /* every word of heed__stress_each_word is here */
    heed_words_cell *cells; /* open addressing by head and length, under half full */
    size_t mask;
    unsigned shift; /* 64 - log2 of the number of cells */
    heed_word *word; /* on a 64-byte boundary, in word_mem */
    size_t n_words;
    void *word_mem;
    char *text;          /* the words' bytes, back to back */
    uint32_t *keys;      /* their n-gram keys, back to back, and 8 more (read past) */
    uint64_t hash1[256]; /* heed__hash of each string of one byte */
};

/* The first cell to probe for a word of n bytes whose first 8 are head. */
static inline size_t heed__freqwords_cell(const heed_words *ws, uint64_t head, size_t n)
{
    return (size_t)(((head ^ (uint64_t)n << 56) * 0x9E3779B97F4A7C15ull) >> ws->shift);
}

/* The word w[0..n) of ws, whose first 8 bytes are head (heed__head8 of it),
 * or NULL: heed__freqwords_get's search past its first cell. */
const heed_word *heed__freqwords_probe(const heed_words *ws, uint64_t head, const char *w,
                                       size_t n);

/* The same, inline for the common cases: a word of up to 8 bytes in its
 * first cell, or a first cell that is empty. */
static inline const heed_word *heed__freqwords_get(const heed_words *ws, uint64_t head,
                                                   const char *w, size_t n)
{
    const heed_words_cell *c = &ws->cells[heed__freqwords_cell(ws, head, n)];
    if (c->head == head && c->len == n) {
        if (n <= 8)
            return &ws->word[c->word - 1];
    } else if (!c->word) {
        return NULL;
    }
    return heed__freqwords_probe(ws, head, w, n);
}

/* heed__hash of w[0..n), a norm ws does not hold (from the table for one
 * byte). */
static inline uint64_t heed__freqwords_hash(const heed_words *ws, const char *w, size_t n)
{
    return n == 1 ? ws->hash1[(unsigned char)w[0]] : heed__hash(w, n);
}

#endif
