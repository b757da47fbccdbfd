/* heed_limits.h - every limit heed puts on untrusted input, in one place. The
 * library's own per-text limit (HEED_MAX_TEXT) is in the public header. */
#ifndef HEED_LIMITS_H
#define HEED_LIMITS_H

/* Longest input record (a JSON line, a CSV record, a text line), in bytes.
 * Longer records are rejected with HEED_ETOOBIG; `--max-record` lowers it. */
#define HEED_MAX_RECORD ((size_t)8 << 20)
/* Most fields in one CSV record or keys in one JSON object. */
#define HEED_MAX_FIELDS 4096
/* Deepest nesting accepted in a JSON record. */
#define HEED_MAX_JSON_DEPTH 64
/* Most tokens in one text: past it the text is rejected (HEED_ETOOBIG). A 16 MiB
 * text of one-byte tokens needs this many. */
#define HEED_MAX_TOKENS ((size_t)16 << 20)
/* Most threads `heed analyze --threads` will start. */
#define HEED_MAX_THREADS 256
/* Most stress cues listed per component for one text; cues past it still count
 * towards the score but are not listed (a long text can hold thousands). */
#define HEED_MAX_STRESS_CUES 32

/* Largest mail `heed import mbox` keeps in memory (the raw mail with its
 * attachments); larger mails are skipped with HEED_ETOOBIG. */
#define HEED_MAX_MAIL ((size_t)64 << 20)
/* Deepest nesting of MIME multiparts, and most parts looked at in one mail. */
#define HEED_MAX_MIME_DEPTH 16
#define HEED_MAX_MIME_PARTS 1024
/* Most header fields read from one mail or MIME part. */
#define HEED_MAX_MAIL_HEADERS 1024
/* Most References ids kept from one mail. */
#define HEED_MAX_REFERENCES 256
/* Most ids (Message-IDs and the ids they refer to) the mail threader holds
 * in memory before it moves them to its map (heed_mail_threader_spill). */
#define HEED_MAIL_THREAD_IDS ((size_t)4096)
/* Largest helpdesk export document ({"tickets": [...]}) read from input that
 * cannot be read twice (it is copied to a temporary file first); files are
 * streamed whatever their size, JSON lines are limited per line
 * (HEED_MAX_RECORD). */
#define HEED_MAX_HELPDESK_DOC ((size_t)512 << 20)
#endif
