/* featurize.h (not features.h: src/core is on the include path and would shadow
 * glibc's <features.h>) - the one feature extractor of heed's learned models (emotions,
 * needs, intensity): turns an analysed message (tokens with their flags, the
 * valence evidence) into hashed sparse features for linmodel.h. Pure: no I/O,
 * no global state, writes into caller buffers (or an arena); thread-safe.
 *
 * Features, each hashed to 32 bits with its own namespace:
 * - word unigrams (the token's norm: NFKC, case-folded, elongation cut), and
 *   for words in a negation scope a "NOT_word" feature too; numbers, money, dates,
 *   times, ids, URLs, e-mails and mentions as their kind ("<money>"); emoji
 *   and emoticons as themselves; punctuation as its norm;
 * - bigrams of those unigrams (without the NOT_ mark) inside a sentence,
 *   with sentence start and end markers;
 * - optionally character n-grams of "<word>" (the word with boundary marks):
 *   3 to 5 code points (HEED_FEAT_CHARGRAMS) or 4 only (HEED_FEAT_CHAR4);
 * - lexicon valence: one feature per evidence item for its score bucket and
 *   its rules (negated, intensified, idiom, ...), the message's valence bucket;
 * - style: ALL CAPS words, elongated words, "!" / "?" counts, repeated
 *   punctuation ("!!!", "?!"), and a message length bucket.
 * The word/bigram and character groups are each scaled to unit L2 norm; the
 * lexicon and style indicators have value 1. */
#ifndef HEED_FEATURIZE_H
#define HEED_FEATURIZE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "freqwords.h"
#include "heed/heed.h"
#include "linmodel.h"

/* Version of the extractor. Bumped whenever a change would give a model
 * trained before it different vectors. */
#define HEED_FEATURES_VERSION 2u

/* Option flags (heed_feat_opts.flags). */
#define HEED_FEAT_CHARGRAMS 0x01u /* add character 3..5-grams of words */
#define HEED_FEAT_NO_BIGRAMS 0x02u /* leave word bigrams out */
#define HEED_FEAT_CHAR4 0x04u     /* add character 4-grams of words only (a
                                   * third of the 3..5 features for nearly the
                                   * same accuracy; ignored with CHARGRAMS) */
#define HEED_FEAT_KNOWN_FLAGS 0x07u

/* Bytes of a word that character n-grams are made of (a longer word's first
 * ones), so that a word has at most 3 (HEED_FEAT_WORD_BYTES + 2) keys. */
#define HEED_FEAT_WORD_BYTES 60

typedef struct heed_feat_opts {
    uint32_t flags; /* HEED_FEAT_* */
} heed_feat_opts;

/* The tag a model saves (heed_lm_opts.feature_set) to say which extractor
 * made its vectors: "HF" + version + flags. A model must be used with the
 * options whose id it carries. NULL opts: all defaults (flags 0). */
uint32_t heed__features_id(const heed_feat_opts *o);

/* Recovers the options from an id. Returns HEED_OK, or HEED_EMODEL when `id`
 * was not made by this version of the extractor. */
int heed__features_opts_from_id(uint32_t id, heed_feat_opts *o);

/* Upper bound of the number of features heed__features_write emits for r. */
size_t heed__features_bound(const heed_feat_opts *o, const heed_result *r);

/* Writes the features of r (tokens, sentences, evidence and valence must be
 * set; other fields are not read) into idx/val, at most cap entries, and
 * returns how many it wrote (never more than cap; a cap of at least
 * heed__features_bound loses nothing). */
size_t heed__features_write(const heed_feat_opts *o, const heed_result *r, uint32_t *idx,
                            float *val, size_t cap);

/* heed__features_write given th, the heed__hash of each token's norm (as
 * heed__features_th makes them), instead of hashing the tokens again: the
 * same vector. */
size_t heed__features_write_hashed(const heed_feat_opts *o, const heed_result *r,
                                   const uint64_t *th, uint32_t *idx, float *val, size_t cap);

/* heed__features_write without the fast path of ASCII words' character
 * n-grams, so that a test can prove both give the same vectors. */
size_t heed__features_write_general(const heed_feat_opts *o, const heed_result *r,
                                    uint32_t *idx, float *val, size_t cap);

/* heed__features_write with the fast path of ASCII words' character n-grams
 * but without its AVX2 form (4 n-grams a step, used when the CPU has AVX2),
 * so that a test can prove the two give the same vectors. */
size_t heed__features_write_scalar(const heed_feat_opts *o, const heed_result *r,
                                   uint32_t *idx, float *val, size_t cap);

/* The index a word unigram gets (norm: the token's normalised form), in a
 * negation scope or not; for tests and explanations. */
uint32_t heed__features_unigram(const char *norm, size_t len, int negated);

/* Whether a word token whose norm is norm[0..len) opens a negation scope in
 * the extractor's fallback rule (used when the valence stage marked no
 * negator in the message). */
int heed__features_negator(const char *norm, size_t len);

/* The same into arena memory: *out points into `a`. Returns HEED_OK or
 * HEED_ENOMEM. */
int heed__features(heed_arena *a, const heed_feat_opts *o, const heed_result *r,
                   heed_sparse *out);
/* The same, and th (when not NULL; r->n_tokens entries) gets the heed__hash
 * of the normalised form of each token of r, which the word features are
 * made from: the reply stages look words up by them. */
int heed__features_th(heed_arena *a, const heed_feat_opts *o, const heed_result *r, uint64_t *th,
                      heed_sparse *out);

/* Whether heed__features_pair can make the vectors of these two options: the
 * same options apart from `chars` adding character n-grams. */
int heed__features_can_pair(const heed_feat_opts *plain, const heed_feat_opts *chars);

/* The vectors of r for both options of heed__features_can_pair, equal to two
 * heed__features calls, with the word, lexicon and style features made once
 * (the character n-grams go between them); th as for heed__features_th.
 * Returns HEED_OK, HEED_EINVAL when the options are no such pair, or
 * HEED_ENOMEM. */
int heed__features_pair(heed_arena *a, const heed_feat_opts *plain, const heed_feat_opts *chars,
                        const heed_result *r, uint64_t *th, heed_sparse *x_plain,
                        heed_sparse *x_chars);

/* heed__features_pair given th, the heed__hash of each token's norm, and wr,
 * each token's word in ws (as heed__freqwords_find makes them; wr may be NULL):
 * the same vectors, a word's unigram keys and negator test read from its
 * entry, its character n-grams copied from ws when ws holds those of
 * `chars`. */
int heed__features_pair_words(heed_arena *a, const heed_feat_opts *plain,
                              const heed_feat_opts *chars, const heed_result *r, const uint64_t *th,
                              const heed_words *ws, const heed_word *const *wr,
                              heed_sparse *x_plain, heed_sparse *x_chars);

/* heed__features_pair_words, but x_chars lacks the character n-gram keys of
 * the tokens that are words of ws with keys: those words' indices in the
 * table (word - ws->word) go to *ids[0..*n_ids) instead, in token order
 * (arena memory), for a caller that adds each word's sum of its n-gram rows
 * times *char_val. *char_val: the value every n-gram key of x_chars has, and
 * the words' keys would have (1 / sqrt of the message's n-gram keys, both
 * kinds counted; 0 without any). ws and wr must be given and ws must hold the
 * keys of `chars`' n-grams, else HEED_EINVAL; or HEED_ENOMEM. */
int heed__features_pair_summed(heed_arena *a, const heed_feat_opts *plain,
                               const heed_feat_opts *chars, const heed_result *r,
                               const uint64_t *th, const heed_words *ws, const heed_word *const *wr,
                               heed_sparse *x_plain, heed_sparse *x_chars, const uint32_t **ids,
                               size_t *n_ids, float *char_val);

/* The character n-gram keys of the options o that a word token whose norm is
 * w[0..n) gets, into keys[0..cap): returns how many (0 when o asks for none);
 * cap must be at least 3 (min(n, 60) + 2) to lose none. */
size_t heed__features_word_keys(const heed_feat_opts *o, const char *w, size_t n, uint32_t *keys,
                                size_t cap);

#endif
