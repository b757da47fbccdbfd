/* langid.h - language identification of one message from its tokens: the
 * script of its letters, then, for Latin-script text, high-frequency function
 * words and the letters with diacritics each language uses. English or not is
 * the decision that matters; see docs/language.md. */
#ifndef HEED_LANGID_H
#define HEED_LANGID_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

typedef struct heed_langid heed_langid;

/* Builds the immutable word tables. Returns HEED_OK and sets *out, or
 * HEED_ENOMEM (then *out is NULL). Free with heed__langid_free (NULL is fine). */
int heed__langid_new(heed_langid **out);
void heed__langid_free(heed_langid *lid);

/* Fills *out (code, confidence, scored) for the text whose tokens are given.
 * Only word tokens vote: numbers, ids, URLs, e-mails, mentions, hashtags and
 * emoji never do, nor the letters of capitalised words inside a sentence
 * (names). No allocation; thread-safe on a shared lid. */
void heed__langid_detect(const heed_langid *lid, const char *text, const heed_token *toks,
                         size_t n_toks, heed_language *out);

/* heed__langid_detect given wr[i], token i's word in the engine's table of
 * frequent words or NULL (wr may be NULL; freqwords.h), made with lid: a word
 * there votes with its lang_votes, the votes it would get, and one not there
 * is none of the lists' words (only its apostrophe may vote): the same result. The tokens are in
 * text order, as heed__tokenize makes them: a text whose bytes from the first
 * token's to the last one's end are all ASCII takes a shorter path, on which
 * a word not in the table is looked at only when HEED_TF_CONTRACTION marks
 * an apostrophe in it. */
struct heed_word;
void heed__langid_detect_words(const heed_langid *lid, const char *text, const heed_token *toks,
                               size_t n_toks, const struct heed_word *const *wr,
                               heed_language *out);

/* heed__langid_detect_words by its general path alone: every text scanned
 * byte by byte, the decision by every comparison. For tests: it must give
 * the same results. */
void heed__langid_detect_general(const heed_langid *lid, const char *text, const heed_token *toks,
                                 size_t n_toks, const struct heed_word *const *wr,
                                 heed_language *out);

/* The languages (bit l: L_* of langid.c, bit 0 English) whose function-word
 * lists vote for the word w[0..n), a normalised word token: the whole word,
 * or an English clitic after an apostrophe, or an elided head with its rest;
 * 0 for none. */
uint16_t heed__langid_word_votes(const heed_langid *lid, const char *w, size_t n);

/* The listed words of lid one by one: the first from *i on (start with *i
 * 0), its length in *n and *i moved past it; NULL when there is none. */
const char *heed__langid_list_word(const heed_langid *lid, size_t *i, size_t *n);

/* heed__langid_word_votes by the general lookup alone (no 8- or 16-byte
 * shortcut, the apostrophe found by memchr). For tests. */
uint16_t heed__langid_word_votes_general(const heed_langid *lid, const char *w, size_t n);

/* The ASCII letters (A-Z, a-z) of s[0..n) that scanning counts a block at a
 * time: a word of up to 8 bytes when all ASCII, else the 8-byte blocks of
 * ASCII before the first other byte. Returns their count; *done gets the
 * bytes covered. For tests. */
size_t heed__langid_ascii_letters(const char *s, size_t n, size_t *done);

/* Whether the bytes s[0..n) are all ASCII, as the detection checks the
 * tokens' span (nothing read past s[n)). For tests. */
int heed__langid_all_ascii(const char *s, size_t n);

/* Of the votes of the foreign languages, votes[1..n) (n >= 2; votes[0] is
 * English's): the index of the first of the largest, and in *second the
 * largest of the others or 0 when none is above 0. */
int heed__langid_top2(const double *votes, size_t n, double *second);

#endif
