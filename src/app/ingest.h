/* ingest.h - the ingest core shared by `heed import` and the HTTP API's
 * POST /v1/messages and /v1/events: the kinds of records and their fields,
 * batches of rows, their checks, redaction, contact keys, analysis and the
 * store writes. Nothing here prints; file handling, progress and reporting are
 * the caller's (src/cli/import.c, src/server/). */
#ifndef HEED_INGEST_H
#define HEED_INGEST_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "heed/heed.h"
#include "reader.h"
#include "resolve.h"
#include "store.h"

#define HEED_IMPORT_MAX_FIELDS 16
#define HEED_IMPORT_MAX_MAP 128
#define HEED_IMPORT_MAX_DOMAINS 16
#define HEED_IMPORT_TOKEN 40 /* room for a contact key token and its NUL */
#define HEED_IMPORT_MAX_KEYS 4

enum { K_MESSAGES, K_CUSTOMERS, K_EVENTS, K_SURVEYS, K_AGENTS, K_SHIFTS };

/* Field indexes of the message kind (the order of F_MESSAGES in import.c). */
enum { M_ID, M_TEXT, M_ROLE, M_CONV, M_CUSTOMER, M_AGENT, M_TIME, M_CHANNEL, M_EMAIL, M_PHONE,
       M_HANDLE, M_STATUS, M_SUBJECT };

typedef struct heed_import_kind {
    const char *name;
    const char *const *fields; /* documented input names, NULL-terminated */
    const char *text;          /* the field the reader requires */
    int id;                    /* K_* */
} heed_import_kind;

extern const heed_import_kind heed_import_kinds[];
/* The kind called name ("messages", ...), or NULL. */
const heed_import_kind *heed_import_kind_named(const char *name);

typedef struct heed_import_map {
    int kind, field;
    char *value; /* NULL: a column rename; else the heed value input maps to */
    char *input;
} heed_import_map;

typedef struct heed_import heed_import;

/* One record in a batch. Values are NUL-terminated strings in the batch's
 * store at v[i] ((size_t)-1: absent). */
typedef struct heed_import_row {
    size_t line;
    int bad;
    size_t raw, raw_len; /* the record's bytes, for --rejects */
    size_t msg;          /* the problem (bad rows) */
    size_t v[HEED_IMPORT_MAX_FIELDS];
    size_t text_len;
    /* parsed */
    int role;
    int64_t time, time2;
    int tz;
    int has_num;
    double num;
    int flag;
    size_t ctx, ctx_len; /* the customer text an agent reply answers */
    char keys[HEED_IMPORT_MAX_KEYS][HEED_IMPORT_TOKEN];
    const char *key_kind[HEED_IMPORT_MAX_KEYS];
    size_t n_keys;
    /* analysis (messages, survey comments), filled by the workers */
    int analysed;
    int werr;           /* the analysis failed: HEED_E*, and why */
    char werr_msg[200];
    heed_st_message m;
    heed_st_promise *promises;
    size_t n_promises;
    char *strings; /* the promises' texts */
} heed_import_row;

typedef struct heed_import_batch {
    const heed_import_kind *kind;
    heed_import_row *rows;
    size_t n, cap;
    heed_buf store;
} heed_import_batch;

struct heed_import {
    heed_store *st;
    const char *source;
    int source_given;
    int no_redact, quiet, progress_on;
    const char *country;
    const char *agent_domains[HEED_IMPORT_MAX_DOMAINS];
    size_t n_agent_domains;
    heed_import_map map[HEED_IMPORT_MAX_MAP];
    size_t n_map;
    size_t batch, threads;
    size_t batch_rows; /* records per batch (import.h: HEED_IMPORT_BATCH_ROWS) */
    FILE *rejects;
    int io_error, any_rejected;
    long crash_after, commits;
    uint64_t n_imported; /* records imported by this run, every file */
    double last_progress;
    size_t agent_moved; /* stored replies moved to an agent by its aliases */
    /* set up by heed_import_setup */
    heed_engine *eng;
    int eng_borrowed; /* eng is the caller's (the server's shared engine) */
    struct heed_context *ctx;
    char model[96];
    void *pii; /* redaction and contact keys (import_pii.c) */
    /* the store's secret key when the caller has it already (the server, once
     * per process), HEED_STORE_SECRET_LEN bytes; NULL: read from st */
    const unsigned char *secret;
};

const char *heed_import_column(const heed_import *im, const heed_import_kind *k, int field);
const char *heed_import_value(const heed_import *im, int kind, int field, const char *v);
int heed_import_field(const heed_import_kind *k, const char *name);

/* The engine, the context tracker, the redactor; 0, or -1 with err set. */
int heed_import_setup(heed_import *im, heed_error *err);
void heed_import_teardown(heed_import *im);
/* As heed_import_setup, with the caller's engine (not freed by teardown):
 * the server shares one engine between its request threads. */
int heed_import_setup_engine(heed_import *im, heed_engine *eng, heed_error *err);
/* The reader options `heed import` reads kind k with: the message fields
 * mapped direct, the other fields kept (keep: room for
 * HEED_IMPORT_MAX_FIELDS names, referenced by ro). */
void heed_import_reader_opts(const heed_import *im, const heed_import_kind *k,
                             heed_reader_opts *ro, const char **keep);

heed_import_batch *heed_import_batch_new(heed_import *im, const heed_import_kind *k);
void heed_import_batch_free(heed_import_batch *b);
/* A new row for rec (its raw bytes and line copied); NULL when out of memory. */
heed_import_row *heed_import_batch_add(heed_import_batch *b, const heed_record *rec);
/* Copies the values of a record (read as `heed import` sets up its reader:
 * the message fields direct, the rest kept) into the row, in the batch's store. -1: memory. */
int heed_import_row_fill(heed_import *im, heed_import_batch *b, heed_import_row *r,
                         const heed_record *rec);
/* Marks row r bad with msg (copied into the batch's store), the problem
 * reported when the batch is stored. */
void heed_import_row_bad(heed_import_batch *b, heed_import_row *r, const char *msg);
/* Checks and parses a filled good row (marking it bad with a message when a
 * value is wrong), redacts its text and makes its contact keys. -1: memory. */
int heed_import_row_check(heed_import *im, heed_import_batch *b, heed_import_row *r,
                          const heed_record *rec);
/* A message committed by an earlier run: only feeds the reply context. */
void heed_import_note_skipped(heed_import *im, heed_import_batch *b, const heed_record *rec);
/* A customer text of conversation conv committed by an earlier run: feeds
 * the reply context as the import of it did (redacted unless --no-redact). */
void heed_import_note_customer(heed_import *im, const char *conv, size_t conv_len,
                               const char *text, size_t len);
/* An agent reply in conv committed by an earlier run: the customer's next
 * text starts a new exchange, as it did in the import of it. */
void heed_import_note_agent(heed_import *im, const char *conv, size_t conv_len);

/* Analyses the batch's good rows that have text, on im->threads threads. -1:
 * out of memory. */
int heed_import_analyse(heed_import *im, heed_import_batch *b);

/* One analysis thread's state, for a caller that runs its own threads (the
 * pipeline of `heed import`): zero it before the first use, release it after
 * the last. It keeps two analyses between calls (the last customer message's,
 * for the reply after it, and one done with, whose memory the next reuses). */
typedef struct heed_import_worker {
    heed_analysis *last, *spare;
    int oom; /* sticky: out of memory */
} heed_import_worker;
/* Analyses rows [from, to) of b (messages and surveys; other kinds have
 * nothing to analyse). Reads b's store and writes only those rows, so threads
 * may analyse disjoint ranges of one batch at once; a row whose analysis
 * failed gets werr, made a bad row by heed_import_analysed. -1: out of memory
 * (w->oom stays set). */
int heed_import_analyse_rows(heed_import *im, heed_import_worker *w, heed_import_batch *b,
                             size_t from, size_t to);
void heed_import_worker_release(heed_import_worker *w);
/* After every row of b is analysed, on one thread: marks the rows whose
 * analysis failed bad (this appends to the store). -1: out of memory. */
int heed_import_analysed(heed_import_batch *b);
/* The summary of an analysis into r->m and r->promises. -1: memory. */
int heed_import_summarize(const heed_result *res, heed_import_row *r);
/* The name of the models and rules in this build, stored with each analysis:
 * `heed reanalyze` redoes the messages analysed under another. */
void heed_import_model_id(char *out, size_t n);
/* Writes one checked, analysed good row to the store (inside the caller's
 * transaction); *added is 1 when it was new, 0 when already there. */
int heed_import_put_row(heed_import *im, heed_import_batch *b, heed_import_row *r, int *added,
                        heed_error *err);
/* Frees the rows' analysis results and empties the batch. */
void heed_import_batch_reset(heed_import_batch *b);


/* Redaction and contact keys (import_pii.c). heed_import_redact appends the
 * redacted text to out (NUL-terminated); heed_import_key writes the token of
 * a contact value ("email", "phone", "handle") and returns 1, or 0 when the
 * value is not a valid contact of that kind. */
int heed_import_pii_setup(heed_import *im, heed_error *err);
void heed_import_pii_teardown(heed_import *im);
int heed_import_redact(heed_import *im, const char *text, size_t len, heed_buf *out);
int heed_import_key(heed_import *im, const char *kind, const char *value,
                    char out[HEED_IMPORT_TOKEN]);


#endif
