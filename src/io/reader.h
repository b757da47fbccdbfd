/* reader.h - reads message records from JSON lines, CSV (RFC 4180, header row)
 * or plain text (one message per line) and maps their fields. Streaming: memory
 * is bounded by the largest record, never by the input's size. */
#ifndef HEED_READER_H
#define HEED_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "heed/heed.h"

typedef enum heed_format {
    HEED_FMT_AUTO = 0, /* detect from the first bytes (see heed_reader_new) */
    HEED_FMT_JSONL,
    HEED_FMT_CSV,
    HEED_FMT_TEXT
} heed_format;

/* Which input field holds what. NULL means the documented default name. */
enum {
    HEED_F_ID = 0,       /* "id" */
    HEED_F_TEXT,         /* "text" (required) */
    HEED_F_ROLE,         /* "role": customer | agent */
    HEED_F_CONVERSATION, /* "conversation" */
    HEED_F_CUSTOMER,     /* "customer" */
    HEED_F_AGENT,        /* "agent" */
    HEED_F_TIME,         /* "time" */
    HEED_F_CHANNEL,      /* "channel" */
    HEED_F_COUNT
};

/* The documented default field names, indexed by HEED_F_*. */
extern const char *const heed_field_default_names[HEED_F_COUNT];

typedef struct heed_reader_opts {
    heed_format format;                /* HEED_FMT_AUTO by default */
    const char *fields[HEED_F_COUNT];  /* input field names; NULL = default */
    const char *const *keep;           /* extra input fields to copy to output */
    size_t n_keep;
    size_t max_record;                 /* 0: HEED_MAX_RECORD */
    const char *name;                  /* input name for messages ("-" = stdin) */
} heed_reader_opts;

/* A view of bytes; not NUL-terminated unless said. ptr NULL means absent. */
typedef struct heed_view {
    const char *ptr;
    size_t len;
} heed_view;

/* One record. Every view points into the reader's memory and is valid until the
 * next heed_reader_next call. String values are decoded (JSON escapes, CSV
 * quotes) UTF-8 text. */
typedef struct heed_record {
    heed_view raw;                 /* the record's bytes as read, without the
                                    * final line break: what --rejects writes */
    size_t line;                   /* 1-based line where the record starts */
    size_t index;                  /* 0-based record number in this input */
    heed_view field[HEED_F_COUNT]; /* mapped fields (ptr NULL: absent) */
    /* JSON-encoded value of each `keep` field (ptr NULL: absent in the record),
     * indexed like opts.keep: a JSON string for CSV/text, the value as found
     * (re-encoded) for JSON lines. */
    heed_view *kept;
} heed_record;

typedef struct heed_reader heed_reader;

/* Starts reading `f` (not closed by the reader). With HEED_FMT_AUTO the format
 * is guessed from the first non-blank bytes: '{' is JSON lines; a first line
 * that parses as a CSV header containing the text field name is CSV; anything
 * else is text. Returns HEED_OK and *out, HEED_ENOMEM, HEED_EIO, or HEED_EPARSE
 * (e.g. a CSV header without the text column) with err->msg, which begins with
 * opts->name (but for HEED_ENOMEM). */
int heed_reader_new(FILE *f, const heed_reader_opts *opts, heed_reader **out, heed_error *err);

/* The format in use (after detection). */
heed_format heed_reader_format(const heed_reader *r);

/* CSV: whether the header has a column for the field `field` (HEED_F_*), or,
 * when field is -1, for opts.keep[keep]. Other formats: always true (each
 * JSON line names its own fields; text has only the text). */
bool heed_reader_has_column(const heed_reader *r, int field, size_t keep);

/* Reads the next record into *rec.
 * Returns 1 when a good record was read; 0 at end of input; a negative code for
 * a bad record, with rec->raw, rec->line and rec->index describing it and
 * err->msg saying what is wrong (the caller reports it and calls again: the
 * reader has skipped past it): HEED_EUTF8 (invalid UTF-8, err->pos = byte offset
 * within the record), HEED_EPARSE (broken JSON, wrong CSV column count, ...),
 * HEED_EFIELD (text missing or not a string), HEED_ETOOBIG (record over
 * max_record; rec->raw then holds only its first max_record bytes).
 * HEED_EIO means reading failed and nothing more can be read (err->msg begins
 * with opts->name). Blank lines in JSON lines and text input are skipped, not
 * records. A CSV record whose quote is never closed (the input ends inside it)
 * is only its first line, so the lines after it are still read as records. */
int heed_reader_next(heed_reader *r, heed_record *rec, heed_error *err);

/* True when the input is a pipe or terminal, no whole line is buffered and
 * nothing more has arrived: the next heed_reader_next would wait. Lets a
 * caller hand on what it has (live streams: `tail -f log | heed analyze`).
 * Always false for regular files. */
bool heed_reader_would_wait(const heed_reader *r);

void heed_reader_free(heed_reader *r);

#endif
