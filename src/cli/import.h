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
    char fp[40];
    heed_st_file st;
    uint64_t skipped, done_before, rejected_before;
    double t0;
} heed_import_file;

/* Analyses the batch (messages: on all threads), stores it in one
 * transaction with the file's progress, empties it. 0 or -1 (reported). */
int heed_import_flush(heed_import *im, heed_import_batch *b, heed_import_file *fs, int finished);

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

/* The other formats (import_mail.c) and the identity pass (resolve.c). */
int heed_import_mbox(heed_import *im, const char *path);
int heed_import_zendesk(heed_import *im, const char *path);
int heed_import_resolve(heed_import *im);

#endif
