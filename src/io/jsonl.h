/* jsonl.h - one JSON-lines record to mapped fields, for the reader. A strict
 * syntax check of our own gives exact error positions, rejects what cJSON
 * would accept or mangle, and notes where each top-level member stands; the
 * fields are taken from there without building a tree (strings without
 * escapes are copied; cJSON, the fastest of the Debian JSON libraries, see
 * bench/json_libs.c, decodes escaped strings, odd numbers and kept values, so
 * every value reads as cJSON reads it). No I/O. */
#ifndef HEED_JSONL_H
#define HEED_JSONL_H

#include <stddef.h>

#include "heed/heed.h"
#include "reader.h"

typedef struct heed_jsonl heed_jsonl;

/* Returns a parser, or NULL when out of memory. */
heed_jsonl *heed__jsonl_new(void);
void heed__jsonl_free(heed_jsonl *j);

/* Checks that s[0..n) is one JSON object (RFC 8259, whitespace around it
 * allowed), at most HEED_MAX_JSON_DEPTH deep with at most HEED_MAX_FIELDS
 * top-level keys, whose strings hold no \u0000 (views are not NUL-safe through
 * cJSON). Returns HEED_OK or HEED_EPARSE with err->pos the offending byte. */
HEED_NODISCARD int heed__jsonl_check(const char *s, size_t n, heed_error *err);

/* The first j >= i with j == n or s[j] a '"', a '\\' or a byte below 0x20:
 * the bytes inside a string that need no look (for tests). */
size_t heed__jsonl_plain_run(const char *s, size_t i, size_t n);

/* Parses the line s[0..n), which must be valid UTF-8, and maps its fields:
 * field[i] gets the value of key names[i] (a string, or for HEED_F_ID and
 * HEED_F_TIME a number re-encoded as text; null counts as absent), kept[i] the
 * compact JSON encoding of key keep[i]. The views stay valid until the next
 * call or heed__jsonl_free. Returns HEED_OK, HEED_EPARSE (see
 * heed__jsonl_check), HEED_EFIELD (text missing, a field of the wrong type) or
 * HEED_ENOMEM, with err. */
HEED_NODISCARD int heed__jsonl_parse(heed_jsonl *j, const char *s, size_t n, const char *const *names,
                      const char *const *keep, size_t n_keep, heed_view *field, heed_view *kept,
                      heed_error *err);

#endif
