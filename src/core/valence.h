/* valence.h - rule-based valence over tokens: lexicon values moved by negation,
 * intensifiers, dampeners, contrast, capitals, elongation, exclamation, idioms and
 * customer-service request frames, with every moving token kept as evidence. */
#ifndef HEED_VALENCE_H
#define HEED_VALENCE_H

#include "arena.h"
#include "freqwords.h"
#include "heed/heed.h"
#include "lexicon.h"

typedef struct heed_valence_out {
    heed_evidence *evidence;
    size_t n_evidence;
    double valence, positive, negative;
} heed_valence_out;

/* Scores every sentence (sets sentences[i].valence) and the message. Sets
 * HEED_TF_NEGATOR / HEED_TF_NEGATED on tokens, which come without them (as
 * heed__tokenize makes them); the sentences are in text order and do not
 * overlap (as heed__sentences makes them). Evidence is in text order, in
 * the arena. Returns HEED_OK or HEED_ENOMEM. */
int heed__valence(heed_arena *a, const heed_lexicon *lx, const char *text, heed_token *toks,
                  size_t n_toks, heed_sentence *sents, size_t n_sents, heed_valence_out *out);

/* heed__valence given wr[i], token i's word in the engine's table of frequent
 * words or NULL, made with lx, and th[i], heed__hash of token i's norm (wr
 * and th both NULL, or both given, as heed__freqwords_find makes them): a
 * word token there takes its lexicon entry and classes from it, and one
 * longer than 8 bytes elsewhere its lexicon hash from th. The same result. */
int heed__valence_words(heed_arena *a, const heed_lexicon *lx, const char *text, heed_token *toks,
                        size_t n_toks, const heed_word *const *wr, const uint64_t *th,
                        heed_sentence *sents, size_t n_sents, heed_valence_out *out);

#endif
