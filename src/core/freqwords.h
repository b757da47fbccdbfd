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
} heed_word;

typedef struct heed_words heed_words;
struct heed_feat_opts; /* featurize.h */

/* Makes the table of the built-in list of frequent English words and of
 * every word of asks' index and of lid's lists (so that a word token the
 * table lacks is in neither), with their entries of lx, votes of lid and
 * places in asks (each may be NULL: none);
 * with their character n-gram keys for the options `chars` when chars is not
 * NULL and asks for n-grams. Returns HEED_OK and sets *out, or HEED_ENOMEM
 * (then *out is NULL). */
int heed__freqwords_new(const heed_lexicon *lx, const heed_langid *lid, const heed_asks_index *asks,
                        const struct heed_feat_opts *chars, heed_words **out);
void heed__freqwords_free(heed_words *ws); /* NULL does nothing */

/* Sets each word's `stress` from the stress stage's index ix (the table is
 * read-only again afterwards). */
struct heed_stress_index;
void heed__freqwords_set_stress(heed_words *ws, const struct heed_stress_index *ix);

/* The n-gram options (HEED_FEAT_CHARGRAMS / HEED_FEAT_CHAR4 bits) the words'
 * keys were made with, 0 when they have none. */
uint32_t heed__freqwords_char_flags(const heed_words *ws);

/* For each token i < n: th[i] = heed__hash of its norm, and wr[i] its word
 * in ws when it is a word or hashtag token whose norm ws holds, else NULL
 * (every wr[i] NULL when ws is NULL). */
void heed__freqwords_find(const heed_words *ws, const heed_token *toks, size_t n, uint64_t *th,
                          const heed_word **wr);

#endif
