/* familiar.h - the familiar-language stage: jargon and internal codes with
 * plain-language suggestions, readability, the customer's details echoed
 * (personalisation) and a SimHash fingerprint for canned-reply detection; and
 * the addressed stage (addressed.c): does the reply meet what the customer
 * asked. Pure: no I/O; the index is immutable after creation. See
 * docs/familiar.md for the rules. */
#ifndef HEED_FAMILIAR_H
#define HEED_FAMILIAR_H

#include <stddef.h>

#include "arena.h"
#include "heed/heed.h"

/* Limits on what one reply lists (a long text could hold thousands). Findings
 * past them are not listed; readability and the SimHash still see the whole
 * text. */
#define HEED_MAX_JARGON    64 /* jargon findings per reply */
#define HEED_MAX_PERSONAL  32 /* personal cues per reply */
#define HEED_MAX_ADDRESSED 32 /* asks matched per reply (the first ones) */

typedef struct heed_familiar_index heed_familiar_index;

/* Builds the jargon table from the embedded models/jargon.tsv. HEED_OK or
 * HEED_ENOMEM; lines that do not parse are skipped and counted (see
 * heed__familiar_bad_lines). */
HEED_NODISCARD int heed__familiar_new(heed_familiar_index **out);
void heed__familiar_free(heed_familiar_index *x);

/* The index's heed__addressed_cue_starts. */
const uint32_t *heed__familiar_cue_starts(const heed_familiar_index *x);

/* Entries loaded and lines skipped as malformed (for tests). */
size_t heed__familiar_entries(const heed_familiar_index *x);
size_t heed__familiar_bad_lines(const heed_familiar_index *x);

/* Fills r->familiar; ctx (the customer's message) or NULL. HEED_OK or
 * HEED_ENOMEM. */
HEED_NODISCARD int heed__familiar(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                                  const heed_result *ctx);

/* The same given rth and cth, the heed__hash of the normalised form of each
 * token of r and of ctx, made already (each NULL: made here). */
HEED_NODISCARD int heed__familiar_th(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                                     const heed_result *ctx, const uint64_t *rth,
                                     const uint64_t *cth);

/* The lengths of the addressed stage's cue phrases' prefixes that end before
 * a space, a comma or the phrase's end (the first word, and more), one bit
 * mask per first byte: bit n for n bytes, bit 31 for 31 and more. A word
 * whose bit is clear starts no cue. Then, at starts[256 + b], the cues whose
 * first byte is b: the first's position << 16 | the position after the last
 * (the cues are sorted, so they are together). Then those prefixes
 * themselves, each with the cues a word equal to it starts: starts[512] is 1
 * when they all fit, and HEED_CUE_KEYS slots of three words follow. */
#define HEED_CUE_KEYS   1024
#define HEED_CUE_STARTS (513 + 3 * HEED_CUE_KEYS)
void heed__addressed_cue_starts(uint32_t starts[HEED_CUE_STARTS]);

/* Fills r->addressed from ctx's asks and needs (ctx analysed with the needs
 * stage) and the reply r (its compassion and promises set when those stages
 * ran). ctx NULL leaves addressed.available 0. x may be NULL: the same
 * result, every word then looked up among the cues. HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__addressed(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                                   const heed_result *ctx);

/* The same given rth and cth as heed__familiar_th (each NULL: made here). */
HEED_NODISCARD int heed__addressed_th(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                                      const heed_result *ctx, const uint64_t *rth,
                                      const uint64_t *cth);

/* The SimHash of the m word hashes wh (m > 0; 0 for none): each bit set
 * when most shingles of three words (of m when m < 3) have it set. */
uint64_t heed__familiar_shingles(const uint64_t *wh, size_t m);

/* Syllables of one word given as its normalised form (case-folded); at least
 * 1 for any word with a letter. The method is in docs/familiar.md. */
unsigned heed__syllables(const char *w, size_t n);

/* Flesch-Kincaid grade and Flesch reading ease of the tokens (WORD tokens are
 * words; a sentence counts when it holds a word). Grade is not below 0, ease
 * is clamped to 0..100; a text without words gets grade 0 and ease 100. */
void heed__readability(const heed_token *toks, size_t n_toks, const heed_sentence *sents,
                       size_t n_sents, double *grade, double *ease);

/* 1 when the normalised word is a function word or a word every support
 * message uses ("order", "thanks"): not a distinctive word of the customer. */
int heed__familiar_common(const char *w, size_t n);

#endif
