/* utf8.h - UTF-8 decoding, validation, repair and per-token normalisation. */
#ifndef HEED_UTF8_H
#define HEED_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* Decodes one code point at s[0..n). Returns its length (1..4) and sets *cp, or
 * 0 when the sequence is invalid (then *cp is U+FFFD). n must be > 0. */
size_t heed__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Length of the longest valid prefix of [s, s+n). Fast on ASCII. */
size_t heed__utf8_valid_prefix(const char *s, size_t n);

/* Copy of [s, s+n) into the arena with each maximal invalid subpart replaced by
 * U+FFFD (the W3C/Unicode "maximal subpart" practice). Sets *out_len and
 * *n_replaced. Returns NULL when out of memory. */
char *heed__utf8_repair(heed_arena *a, const char *s, size_t n, size_t *out_len,
                        size_t *n_replaced);

/* Encodes cp into out (4 bytes room); returns the length. */
size_t heed__utf8_encode(uint32_t cp, char *out);

/* Normalised form of one token for lookups: NFKC + case folding via utf8proc for
 * non-ASCII text, ASCII lower-casing otherwise; curly apostrophes become '; with
 * `squash`, runs of 3+ identical letters are cut to 2 (for words, not for URLs
 * or ids). Result in the arena (NUL-terminated). Returns NULL when out of
 * memory. The input must be valid UTF-8. */
char *heed__utf8_normalize(heed_arena *a, const char *s, size_t n, int squash, size_t *out_len);

/* heed__utf8_normalize through utf8proc whatever the text (no fast path for
 * ASCII): the same result; for the tests that prove it. */
char *heed__utf8_normalize_general(heed_arena *a, const char *s, size_t n, int squash,
                                   size_t *out_len);

#endif
