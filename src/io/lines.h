/* lines.h - a bounded line reader over a FILE for the mail and helpdesk
 * readers: bytes are read in one fixed window, each line is appended to a
 * caller's heed_buf whose maximum bounds memory. NUL bytes are kept. */
#ifndef HEED_LINES_H
#define HEED_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

#define HEED_LINES_WINDOW 65536

typedef struct heed_lines {
    FILE *f;
    size_t pos, len; /* unread bytes are win[pos..len) */
    size_t line;     /* 1-based number of the last line returned */
    bool eof, failed;
    char win[HEED_LINES_WINDOW];
} heed_lines;

void heed__lines_init(heed_lines *lr, FILE *f);

/* Appends the next line, without its '\n', to `out` (not reset first).
 * Returns 1 when a line was read (its number in lr->line), 0 at the end of
 * input, HEED_EIO when reading failed. A line longer than out's maximum is
 * read to its end all the same, and out->err is left HEED_ETOOBIG. */
int heed__lines_next(heed_lines *lr, heed_buf *out);

#endif
