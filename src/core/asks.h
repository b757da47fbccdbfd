/* asks.h - finds the explicit questions and requests in a message ("can you
 * refund me?", "I need the invoice", "Send me the label") as spans, each with
 * the need its words point to. Rule-based over the tokenizer's tokens and the
 * sentence splitter's sentences; runs after the valence stage. Pure: no I/O. */
#ifndef HEED_ASKS_H
#define HEED_ASKS_H

#include <stddef.h>

#include "arena.h"
#include "heed/heed.h"

typedef struct heed_asks_index heed_asks_index;

/* Finds at most one ask per sentence (the first clause that asks; see asks.c
 * for the patterns). Each ask is a heed_cue:
 *   start, len  from the word that opens the ask to the end of its sentence,
 *               keeping a final "?" (or "?!") but not a final "." "!" or
 *               trailing emoji/emoticons;
 *   component   the HEED_NEED_* named by the strongest need cue word inside the
 *               span (first one on ties), HEED_NEED_OTHER when none;
 *   what        "question" or "request" (static strings);
 *   weight      1 (each ask counts once); flags 0.
 * Rhetorical and sarcastic questions ("are you kidding me?", "what is wrong
 * with you?") and negated or hypothetical wants ("I don't need a refund",
 * "if I need help") are not asks.
 * Returns HEED_OK with *out (arena memory, NULL when *n_out is 0) and *n_out,
 * or HEED_ENOMEM. */
int heed__asks(const heed_asks_index *ix, heed_arena *a, const heed_token *toks, size_t n_toks,
               const heed_sentence *sents, size_t n_sents, heed_cue **out, size_t *n_out);

/* heed__asks given wr[i], token i's word in the engine's table of frequent
 * words or NULL (wr may be NULL; freqwords.h), made with ix: a word token
 * there takes its place in the index from it, one not there is not in the
 * index (the table holds all its words). The same asks. */
struct heed_word;
int heed__asks_words(const heed_asks_index *ix, heed_arena *a, const heed_token *toks,
                     size_t n_toks, const struct heed_word *const *wr, const heed_sentence *sents,
                     size_t n_sents, heed_cue **out, size_t *n_out);

/* heed__asks by the rules taken one by one, as the top of asks.c states
 * them: words and phrases compared by their bytes, every clause of every
 * sentence visited (the reference of the tests; slow). The same asks. */
int heed__asks_plain(const heed_asks_index *ix, heed_arena *a, const heed_token *toks,
                     size_t n_toks, const heed_sentence *sents, size_t n_sents, heed_cue **out,
                     size_t *n_out);

/* Where the word w[0..n) (a word token's norm) is in ix: 1 + its entry, or 0
 * when the rules look it up for nothing. */
unsigned heed__asks_word_id(const heed_asks_index *ix, const char *w, size_t n);

/* What heed__asks_words keeps for a word token whose heed__asks_word_id is
 * id (0: a word not in the index): its classes and place. */
uint64_t heed__asks_word_cls(const heed_asks_index *ix, unsigned id);

/* The number of words of ix, and the bytes of its k-th (k below that
 * number, heed__asks_word_id k + 1), their length in *n. */
size_t heed__asks_n_words(const heed_asks_index *ix);
const char *heed__asks_word(const heed_asks_index *ix, size_t k, size_t *n);

/* The index of the words the rules look up, made once per engine (immutable,
 * shared by threads). HEED_OK, HEED_ENOMEM, or HEED_EINVAL when the built-in
 * tables are inconsistent (a bug the asks test catches). */
int heed__asks_index_new(heed_asks_index **out);
/* NULL does nothing. */
void heed__asks_index_free(heed_asks_index *ix);

/* The k-th word of ix (its bytes, *n of them, not NUL-terminated), NULL
 * when k is past the last (for tests). */
const char *heed__asks_index_word(const heed_asks_index *ix, size_t k, size_t *n);

/* 1 when the internal tables are sorted and the index finds exactly what a
 * plain search of them finds (for tests). */
int heed__asks_table_ok(void);

#endif
