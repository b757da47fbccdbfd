/* csv.h - RFC 4180 CSV for the reader: a resumable scanner that finds where a
 * record ends (line breaks inside quotes do not end it) and a decoder that
 * splits one complete record into unquoted field values. No I/O. */
#ifndef HEED_CSV_H
#define HEED_CSV_H

#include <stddef.h>

#include "buf.h"
#include "heed/heed.h"

/* Scanner state; all-zero is the start of a record. */
typedef struct heed_csv_scan {
    int state;    /* where in a field the scan stands (csv.c) */
    size_t lines; /* line breaks seen inside quoted fields so far */
} heed_csv_scan;

/* Continues scanning a record over p[0..n). Returns the offset of the '\n' that
 * ends the record, or n when the record goes on past p[n-1] (call again with
 * the following bytes). */
size_t heed__csv_scan(heed_csv_scan *st, const char *p, size_t n);

/* True when a scan stopped inside a quoted field: at end of input, the record
 * has an unterminated quote. */
int heed__csv_in_quotes(const heed_csv_scan *st);

/* Splits the record s[0..n) (no final line break) into fields, appending each
 * decoded value to `out` and storing its offset into out and its length in
 * off[i], len[i] for the first `max` fields. Sets *n_fields to the number of
 * fields found (also past `max`). `first_line` is the record's line number,
 * used in messages. Returns HEED_OK; HEED_EPARSE for an unterminated quote or
 * a character after a closing quote (err->pos = its offset in the record);
 * out->err (HEED_ENOMEM) when appending failed. */
HEED_NODISCARD int heed__csv_split(const char *s, size_t n, heed_buf *out, size_t *off, size_t *len,
                    size_t max, size_t *n_fields, size_t first_line, heed_error *err);

#endif
