/* jsonout.h - writes analysis results as JSON (schema in docs/schema.md) into a
 * heed_buf. Our own writer: output is the hot path and needs no DOM. */
#ifndef HEED_JSONOUT_H
#define HEED_JSONOUT_H

#include <stddef.h>

#include "buf.h"
#include "heed/heed.h"

/* Appends s[0..n) as a JSON string literal (quotes included). s must be valid
 * UTF-8; control characters, quotes and backslashes are escaped, and U+2028/9
 * too so the output is also valid JavaScript. */
void heed_json_string(heed_buf *b, const char *s, size_t n);

/* Appends a number with up to 4 decimals ("0.4213", "-1", "0"). */
void heed_json_number(heed_buf *b, double v);

/* What heed_json_result includes beyond the scores. */
typedef struct heed_json_opts {
    int tokens; /* the token list */
    int text;   /* the analysed text */
} heed_json_opts;

/* Appends the analysis members (no braces): "valence":...,"positive":...,
 * "negative":...,"sentences":[...],"evidence":[...] and, when asked, "text",
 * "tokens", and "warnings" when there are any. */
void heed_json_result(heed_buf *b, const heed_result *r, const heed_json_opts *o);

#endif
