/* import.h - what the files of `heed import` share beyond the ingest core
 * (ingest.h): a file being imported, its transactions, progress and report. */
#ifndef HEED_IMPORT_H
#define HEED_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "ingest.h"

typedef struct heed_import_file {
    const char *name, *kind;
    FILE *f;
    long long size;
    long start_pos;
    long pos; /* the reader's position when the batch last stored was read */
    char fp[40];
    heed_st_file st;
    uint64_t skipped, done_before, rejected_before;
    double t0;
} heed_import_file;

/* The pipeline that analyses and stores a file's batches (import.c): the
 * caller reads and checks rows into heed_import_pipe_batch(), and
 * heed_import_pipe_flush() hands the full batch on and gives the next empty
 * one; the batches are analysed (messages: on all threads) and stored in file
 * order on threads of the pipeline, --batch records to a transaction with the
 * file's progress. While it runs, fs's counts and the store handle are the
 * pipeline's. NULL: out of memory. */
typedef struct heed_import_pipe heed_import_pipe;
heed_import_pipe *heed_import_pipe_new(heed_import *im, heed_import_file *fs,
                                       const heed_import_kind *k);
/* The batch the caller fills. */
heed_import_batch *heed_import_pipe_batch(const heed_import_pipe *p);
/* A transaction (--batch records) is analysed and stored in batches: a batch
 * is handed on at this many records, at the transaction's end, or at
 * HEED_IMPORT_BATCH_BYTES of record bytes, whichever comes first. Batches,
 * not transactions, are what the pipeline holds in memory; a commit writes
 * every page the transaction changed, the index pages spread over the whole
 * store included, so transactions are longer than batches. */
#define HEED_IMPORT_BATCH_ROWS ((size_t)2000)
/* The byte bound keeps batches of large records (mails, tickets) small:
 * with a commit per batch, 1 MiB cost 20 % more page writes on 68,061
 * messages than 8 MiB; with transactions apart from batches the page writes
 * are the same (32,047 for both), and the peak of an mbox of 26,913 mails
 * fell from 70.0 to 59.4 MB. */
#define HEED_IMPORT_BATCH_BYTES ((size_t)1 << 20)
/* When *b (the batch being filled) is full, hands it on and sets *b to the
 * next empty batch, waiting while all are in flight; else does nothing. 0, or
 * -1 when a stage failed (reported). */
int heed_import_pipe_flush(heed_import_pipe *p, heed_import_batch **b);
/* With finish, hands the batch being filled on as the file's last; then waits
 * until every batch handed on is stored (or a stage failed) and frees p. 0, or
 * -1 when a stage failed (reported) or p is NULL. */
int heed_import_pipe_end(heed_import_pipe *p, int finish);

/* Files and transactions. */
int heed_import_open(heed_import *im, heed_import_file *fs, const char *kind, const char *path);
void heed_import_close(heed_import_file *fs);
int heed_import_begin(heed_import *im, heed_import_file *fs);
int heed_import_commit(heed_import *im, heed_import_file *fs, int finished);
void heed_import_summary(heed_import *im, heed_import_file *fs);
void heed_import_progress(heed_import *im, heed_import_file *fs, int final);
void heed_import_bad(heed_import *im, heed_import_file *fs, size_t line, const char *what,
                     const char *raw, size_t raw_len);

/* The other formats (import_mail.c) and the identity pass (resolve.c). */
int heed_import_mbox(heed_import *im, const char *path);
int heed_import_zendesk(heed_import *im, const char *path);
int heed_import_resolve(heed_import *im);

#endif
