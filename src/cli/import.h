/* import.h - what the files of `heed import` share: the run's state, the
 * kinds of records and their fields, batches of rows that commit together. */
#ifndef HEED_IMPORT_H
#define HEED_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "heed/heed.h"
#include "reader.h"
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

typedef struct heed_import_file {
    const char *name, *kind;
    FILE *f;
    long long size;
    long start_pos;
    char fp[40];
    heed_st_file st;
    uint64_t skipped, done_before, rejected_before;
    double t0;
} heed_import_file;

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
    FILE *rejects;
    int io_error, any_rejected;
    long crash_after, commits;
    double last_progress;
    /* set up by heed_import_setup */
    heed_engine *eng;
    struct heed_context *ctx;
    char model[96];
    void *pii; /* redaction and contact keys (import_pii.c) */
};

const char *heed_import_column(const heed_import *im, const heed_import_kind *k, int field);
const char *heed_import_value(const heed_import *im, int kind, int field, const char *v);
int heed_import_field(const heed_import_kind *k, const char *name);

/* The engine, the context tracker, the redactor; 0 or -1 (reported). */
int heed_import_setup(heed_import *im);
void heed_import_teardown(heed_import *im);

heed_import_batch *heed_import_batch_new(heed_import *im, const heed_import_kind *k);
void heed_import_batch_free(heed_import_batch *b);
/* A new row for rec (its raw bytes and line copied); NULL when out of memory. */
heed_import_row *heed_import_batch_add(heed_import_batch *b, const heed_record *rec);
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
/* Analyses the batch (messages: on all threads), stores it in one
 * transaction with the file's progress, empties it. 0 or -1 (reported). */
int heed_import_flush(heed_import *im, heed_import_batch *b, heed_import_file *fs, int finished);

/* Analyses the batch's good rows that have text, on im->threads threads. -1:
 * out of memory. */
int heed_import_analyse(heed_import *im, heed_import_batch *b);
/* The summary of an analysis into r->m and r->promises. -1: memory. */
int heed_import_summarize(const heed_result *res, heed_import_row *r);
/* The name of the models and rules in this build, stored with each analysis:
 * `heed reanalyze` redoes the messages analysed under another. */
void heed_import_model_id(char *out, size_t n);
/* Frees the rows' analysis results and empties the batch. */
void heed_import_batch_reset(heed_import_batch *b);

/* Files and transactions. */
int heed_import_open(heed_import *im, heed_import_file *fs, const char *kind, const char *path);
void heed_import_close(heed_import_file *fs);
int heed_import_begin(heed_import *im, heed_import_file *fs);
int heed_import_commit(heed_import *im, heed_import_file *fs, int finished);
void heed_import_summary(heed_import *im, heed_import_file *fs);
void heed_import_progress(heed_import *im, heed_import_file *fs, int final);
void heed_import_bad(heed_import *im, heed_import_file *fs, size_t line, const char *what,
                     const char *raw, size_t raw_len);
int64_t heed_import_now_parse(const char *s, int *ok);

/* Redaction and contact keys (import_pii.c). heed_import_redact appends the
 * redacted text to out (NUL-terminated); heed_import_key writes the token of
 * a contact value ("email", "phone", "handle") and returns 1, or 0 when the
 * value is not a valid contact of that kind. */
int heed_import_pii_setup(heed_import *im);
void heed_import_pii_teardown(heed_import *im);
int heed_import_redact(heed_import *im, const char *text, size_t len, heed_buf *out);
int heed_import_key(heed_import *im, const char *kind, const char *value,
                    char out[HEED_IMPORT_TOKEN]);

/* The other formats (import_mail.c) and the identity pass (resolve.c). */
int heed_import_mbox(heed_import *im, const char *path);
int heed_import_zendesk(heed_import *im, const char *path);
int heed_import_resolve(heed_import *im);

#endif
