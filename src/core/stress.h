/* stress.h - how stressed a customer is, 0..100, from five components
 * (distress, urgency, effort, vulnerability, escalation), each with the cues
 * behind it. Runs after valence on the tokens and evidence; pure, no I/O, no
 * global state. The rules and bands are described in docs/stress.md. */
#ifndef HEED_STRESS_H
#define HEED_STRESS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "heed/heed.h"

/* How much each component counts in the overall score (noisy-OR of
 * weight * component): a component at 100 alone gives weight * 100. */
#define HEED_STRESS_W_DISTRESS      0.80
#define HEED_STRESS_W_URGENCY       0.80
#define HEED_STRESS_W_EFFORT        0.80
#define HEED_STRESS_W_VULNERABILITY 0.95
#define HEED_STRESS_W_ESCALATION    0.90

/* The engine's read-only index of the phrase tables (first word -> phrases). */
typedef struct heed_stress_index heed_stress_index;

/* Builds the index: HEED_OK with *out set, or HEED_ENOMEM with *out NULL. */
int heed__stress_index_new(heed_stress_index **out);
/* NULL does nothing. */
void heed__stress_index_free(heed_stress_index *ix);

/* Fills r->stress (available = 1, score, components, cues in text order) from
 * r->text, r->tokens (with the negation flags valence set), r->evidence,
 * r->valence / r->negative and, when r->emotions.available, the emotion
 * probabilities. Cues live in `a`. Returns HEED_OK or HEED_ENOMEM (r->stress
 * is left zeroed then). */
int heed__stress(heed_arena *a, const heed_stress_index *ix, heed_result *r);

/* heed__stress given each token's word in the frequent-word table (wr, as
 * heed__freqwords_find makes them, from a table whose words' classes were
 * set from ix by heed__freqwords_set_stress; NULL: none): a word there is
 * not looked up again. Same result. */
typedef struct heed_word heed_word;
int heed__stress_words(heed_arena *a, const heed_stress_index *ix, const heed_word *const *wr,
                       heed_result *r);

/* heed__stress_words when wr comes from a table that holds every word of
 * heed__stress_each_word (heed__freqwords_holds_stress): a word token not
 * in it (wr NULL) is then no cue word and its class is not made. Same
 * result. */
int heed__stress_words_held(heed_arena *a, const heed_stress_index *ix, const heed_word *const *wr,
                            heed_result *r);

/* Calls fn(ctx, w, n) for each word a token must be for the stage to read
 * more than its kind, flags and length: the phrases' first words and plain
 * words, "twice", the unit words, relations (and their possessives) and
 * days. A word may come more than once. */
void heed__stress_each_word(void (*fn)(void *ctx, const char *w, size_t n), void *ctx);

/* What the stage keeps of a word of n bytes at w in the frequent-word table
 * (heed_word.stress), as found in ix; 0 for an empty word. */
uint32_t heed__stress_word_class(const heed_stress_index *ix, const char *w, size_t n);

/* For tests: heed__stress with every token looked at in full, without the
 * per-token classes that turn most tokens away early. Same result. */
int heed__stress_ungated(heed_arena *a, const heed_stress_index *ix, heed_result *r);

/* For tests: the phrase table must be sorted by first word (entries sharing
 * one are adjacent for the index) with well-formed entries. Returns the index
 * of the first bad entry, or -1. */
int heed__stress_table_check(void);
/* For tests: the word lists must be sorted byte-wise (in_list stops past a
 * word's first byte). Returns the index of the first bad list, or -1. */
int heed__stress_lists_check(void);
/* For tests: the words of phrase k of the table, one space apart, its
 * special words ("#num", "#rel", ...) replaced by words they match (variant
 * picks which), in out[0, cap) with a NUL after them. Returns their length,
 * or 0 when k is past the table or they do not fit. */
size_t heed__stress_phrase_text(size_t k, unsigned variant, char *out, size_t cap);

#endif
