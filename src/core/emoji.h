/* emoji.h - valence of common emoji, keyed by the base code point (skin tones,
 * variation selectors and ZWJ tails do not change it). Values are on the
 * lexicon's -4..+4 scale, assigned by heed for customer-service use. */
#ifndef HEED_EMOJI_H
#define HEED_EMOJI_H

#include <stddef.h>
#include <stdint.h>

/* Valence of the emoji grapheme [s, s+n) (valid UTF-8), 0 when unknown. Sets
 * *known to 1 when the base code point is in the table. */
float heed__emoji_valence(const char *s, size_t n, int *known);

#endif
