/* import.c - `heed import KIND FILE...`: reads exports from the systems a
 * company has (messages, CRM customers, events, surveys, agents, shifts, and
 * through mail.h / helpdesk.h e-mail and ticket exports), redacts personal
 * data, analyses the text on all cores and keeps everything in the store.
 *
 * Idempotent (every record is unique on its source + id), transactional in
 * batches, resumable: each transaction (--batch records) commits with the
 * count of records of the file done so far, so after a crash the same command
 * skips what was committed and completes the job. Bad records are reported
 * as FILE:LINE: problem, set aside in --rejects, counted; the rest go on. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "cli.h"
#include "context.h"
#include "hash.h"
#include "import.h"
#include "reader.h"
#include "store.h"
#include "timeparse.h"

static const char HELP[] =
    "Usage: heed import KIND [OPTIONS] [FILE...]\n"
    "       heed import dir [OPTIONS] DIR\n"
    "\n"
    "Keeps records from a company's systems, analysed, in the store (docs/import.md).\n"
    "Reads standard input when no FILE is given or FILE is '-'.\n"
    "KIND is one of:\n"
    "  messages   customer messages and agent replies (JSON lines or CSV)\n"
    "  customers  CRM rows: id, name, email, phone, handle, vulnerable, segment\n"
    "  events     orders, shipments, deliveries, refunds, payments, callbacks\n"
    "  surveys    CSAT, NPS and CES responses, with comments\n"
    "  agents     agent id, name, team; the e-mail and ids other systems use\n"
    "  shifts     agent shifts (start, end)\n"
    "  mbox       e-mail in mbox form (MIME, threads by Message-ID)\n"
    "  zendesk    a helpdesk ticket export (tickets with comments)\n"
    "  dir        every known file in DIR: customers.csv, agents.csv,\n"
    "             shifts.csv, messages.jsonl, events.jsonl, surveys.csv,\n"
    "             mail.mbox, tickets.json (any that exist, in that order)\n"
    "\n"
    "Options:\n"
    "      --db PATH          the store (default: heed.db, or $HEED_DB)\n"
    "      --source NAME      the system the records come from (default: KIND);\n"
    "                         ids are unique within a source\n"
    "      --map FILE         field mapping (docs/import.md): lines such as\n"
    "                         'messages.text = body' or\n"
    "                         'events.type.delivery_failed = DELIVERY_EXCEPTION'\n"
    "      --no-redact        keep e-mail addresses, phone and card numbers, IBANs\n"
    "                         and street addresses in stored text (default: each is\n"
    "                         replaced by a keyed hash; docs/privacy.md)\n"
    "      --country CODE     calling code for national phone numbers (default 44)\n"
    "      --agent-domain D   mbox: mail from this domain is an agent's (repeatable)\n"
    "      --rejects FILE     write each bad record, unchanged, to FILE\n"
    "      --batch N          records per transaction (default 20000)\n"
    "  -j, --threads N        analysis threads (default: all cores; they run at\n"
    "                         nice + 10, so reading and storing come first)\n"
    "  -q, --quiet            no progress bar and no summary\n"
    "  -h, --help             this help\n"
    "\n"
    "Importing the same file again adds nothing. After an interruption (even\n"
    "kill -9) the same command skips what was committed and completes the job.\n"
    "Exit codes: 0 all imported, 1 some records rejected, 2 usage or I/O error,\n"
    "3 internal error.\n";


/* ------------------------------------------------------------ the mapping file */

/* Reads --map: "kind.field = column" renames an input column; "kind.field.value
 * = input" maps an input value to one heed knows. '#' starts a comment. */
static int load_map(heed_import *im, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "heed import: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[1024];
    size_t ln = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *eq = strchr(line, '=');
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '\n' || *p == '\r')
            continue;
        if (!eq) {
            fprintf(stderr, "heed import: %s:%zu: expected 'kind.field = column'\n", path, ln);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *lhs = p, *rhs = eq + 1;
        char *e = eq;
        while (e > lhs && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        while (*rhs == ' ' || *rhs == '\t')
            rhs++;
        e = rhs + strlen(rhs);
        while (e > rhs && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            *--e = '\0';
        char *dot = strchr(lhs, '.');
        const heed_import_kind *k = NULL;
        if (dot) {
            *dot = '\0';
            k = heed_import_kind_named(lhs);
        }
        char *field = dot ? dot + 1 : NULL;
        char *dot2 = field ? strchr(field, '.') : NULL;
        if (dot2)
            *dot2 = '\0';
        int fi = k ? heed_import_field(k, field) : -1;
        char why[160] = "";
        if (!dot)
            snprintf(why, sizeof why, "'%.64s' is not kind.field", lhs);
        else if (!k)
            snprintf(why, sizeof why, "unknown kind '%.64s'", lhs);
        else if (fi < 0)
            snprintf(why, sizeof why, "%s has no field '%.64s'", k->name, field);
        else if (!*rhs)
            snprintf(why, sizeof why, "no column after '='");
        else if (im->n_map >= HEED_IMPORT_MAX_MAP)
            snprintf(why, sizeof why, "more than %d mapping lines", HEED_IMPORT_MAX_MAP);
        if (why[0]) {
            fprintf(stderr, "heed import: %s:%zu: %s; expected e.g. 'messages.text = body'\n",
                    path, ln, why);
            rc = -1;
            break;
        }
        heed_import_map *m = &im->map[im->n_map++];
        m->kind = k->id;
        m->field = fi;
        m->value = dot2 ? strdup(dot2 + 1) : NULL;
        m->input = strdup(rhs);
        if (!m->input || (dot2 && !m->value)) {
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}


/* ------------------------------------------------------------ reporting */

void heed_import_bad(heed_import *im, heed_import_file *fs, size_t line, const char *what,
                     const char *raw, size_t raw_len)
{
    if (im->progress_on)
        fputs("\r\033[K", stderr);
    fprintf(stderr, "%s:%zu: %s\n", fs->name, line, what);
    fs->st.rejected++;
    if (im->rejects && raw) {
        if (fwrite(raw, 1, raw_len, im->rejects) != raw_len || fputc('\n', im->rejects) == EOF)
            im->io_error = 1;
    }
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void heed_import_progress(heed_import *im, heed_import_file *fs, int final)
{
    if (!im->progress_on)
        return;
    double t = mono();
    if (!final && t - im->last_progress < 0.25)
        return;
    im->last_progress = t;
    if (final) {
        fputs("\r\033[K", stderr);
        return;
    }
    double el = t - fs->t0;
    double rate = el > 0 ? (double)(fs->st.records - fs->skipped) / el : 0;
    char eta[32] = "";
    if (fs->size > 0 && fs->f && fs->f != stdin) {
        long pos = fs->pos;
        if (pos > 0 && el > 0.5) {
            double left = (double)fs->size - (double)pos;
            double bps = (double)(pos - (long)fs->start_pos) / el;
            if (bps > 0 && left > 0)
                snprintf(eta, sizeof eta, ", ETA %.0f s", left / bps);
            int pct = (int)(100.0 * (double)pos / (double)fs->size);
            int bar = pct / 5;
            fprintf(stderr, "\r%s [%.*s%*s] %3d%% %llu records, %.0f/s%s\033[K", fs->name, bar,
                    "####################", 20 - bar, "", pct,
                    (unsigned long long)fs->st.records, rate, eta);
            return;
        }
    }
    fprintf(stderr, "\r%s: %llu records, %.0f/s\033[K", fs->name,
            (unsigned long long)fs->st.records, rate);
}


/* ------------------------------------------------------------ files */

/* A fingerprint of a regular file: a hash of its first 64 KiB and that
 * length, so an appended log keeps its fingerprint and resumes after what was
 * done. The source and the --map lines are hashed in too: the same file
 * imported under another source, or read with another mapping, is other
 * records, not work already done. Empty for stdin and pipes (no resume,
 * idempotence still holds). */
static void fingerprint(const heed_import *im, const char *kind, FILE *f, char out[40])
{
    out[0] = '\0';
    struct stat sb;
    if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode))
        return;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    rewind(f);
    uint64_t h = heed__hash(buf, n);
    uint64_t how = heed__hash(im->source, strlen(im->source));
    for (size_t i = 0; i < im->n_map; i++) {
        const heed_import_map *m = &im->map[i];
        int head[2] = {m->kind, m->field};
        how = how * 0x100000001b3ull ^ heed__hash(head, sizeof head);
        how = how * 0x100000001b3ull ^ heed__hash(m->input, strlen(m->input));
        if (m->value)
            how = how * 0x100000001b3ull ^ heed__hash(m->value, strlen(m->value));
    }
    /* the default source (the kind) and no map keep the fingerprint of
     * earlier stores */
    if (strcmp(im->source, kind) || im->n_map)
        h ^= how * 0x9e3779b97f4a7c15ull;
    snprintf(out, 40, "%016llx-%zu", (unsigned long long)h, n);
}

int heed_import_open(heed_import *im, heed_import_file *fs, const char *kind, const char *path)
{
    memset(fs, 0, sizeof *fs);
    fs->name = path;
    fs->kind = kind;
    fs->f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!fs->f) {
        fprintf(stderr, "heed import: %s: %s\n", path, strerror(errno));
        return HEED_EXIT_USAGE;
    }
    struct stat sb;
    if (!fstat(fileno(fs->f), &sb) && S_ISREG(sb.st_mode))
        fs->size = sb.st_size;
    fingerprint(im, kind, fs->f, fs->fp);
    heed_error err = {0};
    int found = 0;
    if (fs->fp[0] &&
        heed_store_file_get(im->st, kind, fs->fp, &fs->st, &found, &err) != HEED_OK) {
        fprintf(stderr, "heed import: %s\n", err.msg);
        return HEED_EXIT_USAGE;
    }
    fs->skipped = fs->st.records;
    fs->done_before = fs->st.imported;
    fs->rejected_before = fs->st.rejected;
    fs->t0 = mono();
    return HEED_EXIT_OK;
}

void heed_import_close(heed_import_file *fs)
{
    if (fs->f && fs->f != stdin)
        fclose(fs->f);
    fs->f = NULL;
}

/* Commits the open transaction with the file's progress. */
int heed_import_commit(heed_import *im, heed_import_file *fs, int finished)
{
    heed_error err = {0};
    fs->st.finished = finished;
    int rc = HEED_OK;
    if (fs->fp[0])
        rc = heed_store_file_put(im->st, fs->kind, fs->fp, fs->name, &fs->st, &err);
    if (!rc)
        rc = heed_store_commit(im->st, &err);
    if (rc) {
        heed_store_rollback(im->st);
        fprintf(stderr, "heed import: %s: %s\n", fs->name, err.msg);
        return -1;
    }
    if (im->rejects)
        fflush(im->rejects);
    if (im->crash_after && ++im->commits >= im->crash_after) {
        /* test hook (HEED_IMPORT_CRASH_AFTER=N): die like kill -9 right after
         * the N-th commit, to test resuming */
        fflush(stderr);
        _exit(137);
    }
    return 0;
}

int heed_import_begin(heed_import *im, heed_import_file *fs)
{
    heed_error err = {0};
    if (heed_store_begin(im->st, &err) != HEED_OK) {
        fprintf(stderr, "heed import: %s: %s\n", fs->name, err.msg);
        return -1;
    }
    return 0;
}

void heed_import_summary(heed_import *im, heed_import_file *fs)
{
    heed_import_progress(im, fs, 1);
    im->n_imported += fs->st.imported - fs->done_before;
    if (im->quiet)
        return;
    uint64_t read = fs->st.records - fs->skipped;
    uint64_t imported = fs->st.imported - fs->done_before;
    uint64_t rejected = fs->st.rejected - fs->rejected_before;
    uint64_t there = read - imported - rejected;
    double el = mono() - fs->t0;
    fprintf(stderr,
            "heed import: %s (%s): %llu read = %llu imported + %llu already there + %llu "
            "rejected",
            fs->name, fs->kind, (unsigned long long)read, (unsigned long long)imported,
            (unsigned long long)there, (unsigned long long)rejected);
    if (fs->skipped)
        fprintf(stderr, "; %llu skipped, done by an earlier run",
                (unsigned long long)fs->skipped);
    if (el > 0 && read)
        fprintf(stderr, "; %.0f records/s", (double)read / el);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------ the pipeline */

/* The batches of a file go through three stages: the caller's thread reads
 * and checks them (redaction and the reply context need file order), a pool
 * of im->threads analysis workers analyses them, and the writer stores each
 * batch in one transaction with the file's progress and reports its bad rows.
 * The workers live as long as the pipeline (one file) and take a batch's rows
 * in runs from a shared counter, so a slow run does not idle the others, and
 * go on to the next batch while the writer stores the one before. The writer
 * takes the batches in file order, so the inserts, the commits and the reports
 * come in the order of a run without the pipeline; only the writer uses the
 * store handle while the pipeline runs. PIPE_SLOTS batches are in flight at
 * most: one filling, the rest being analysed or stored.
 *
 * Locking. p->mu guards the counters and the per-slot state below; batch
 * number k is in slot k % PIPE_SLOTS and belongs, outside the lock, to
 *  - the reader while k == n_in (filling; it waits until k - n_stored <
 *    PIPE_SLOTS, so the slot's earlier batch is stored and reset);
 *  - the workers while n_analysed <= k < n_in: a worker claims rows
 *    [claimed, claimed + a run) under the lock and, without it, writes only
 *    those rows and reads the batch's store, which nobody appends to then;
 *    the worker whose run brings done to the batch's row count owns the
 *    batch alone (every row claimed and analysed, the writer not yet on it)
 *    and finishes it (heed_import_analysed appends to the store) before
 *    marking it ready;
 *  - the writer while n_stored <= k < n_analysed (n_analysed moves only over
 *    ready batches, in order), with fs's counts and the store handle.
 * Each hand-over changes a counter under the lock, which orders the memory
 * writes of one owner before the reads of the next. */
#define PIPE_SLOTS 4
/* Rows a worker claims at a time (more while the rows after them are agent
 * replies, whose context is usually the customer message before them: the
 * worker keeps that message's analysis for them). */
#define RUN_ROWS 16

struct heed_import_pipe {
    heed_import *im;
    heed_import_file *fs; /* its counts are the writer's until the pipeline ends */
    heed_import_batch *slot[PIPE_SLOTS];
    int finished[PIPE_SLOTS]; /* the file's last batch */
    int commit[PIPE_SLOTS];   /* the last batch of a transaction */
    long pos[PIPE_SLOTS];     /* the reader's file position at the hand-off */
    size_t claimed[PIPE_SLOTS]; /* rows handed to workers */
    size_t done[PIPE_SLOTS];    /* rows analysed */
    int ready[PIPE_SLOTS];      /* every row analysed and the batch finished */
    /* batches handed on, all of whose rows are claimed, analysed, stored */
    uint64_t n_in, n_claimed, n_analysed, n_stored;
    int closed;          /* no more batches will be handed on */
    int failed;          /* a stage failed (reported): no batch after it is stored */
    int deferred;        /* the store's deferred indexes are built when it ends */
    int staged;          /* the agent rows are staged until it ends */
    int threaded;        /* 0: the threads could not start; stages run in flush */
    size_t txn_rows;     /* the reader's: rows handed on in this transaction */
    int in_txn;          /* the writer's: a transaction is open */
    heed_st_file txn_st; /* the writer's: fs's counts when it began */
    size_t workers_alive; /* workers that may still finish a batch */
    size_t n_workers;
    heed_import_worker solo; /* the analysis state when not threaded */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t writer;
    pthread_t *workers;
};

/* Stores an analysed batch in the open transaction (begun here if none is),
 * reports its bad rows, empties it; with commit or finished, commits the
 * transaction with the file's progress. 0 or -1 (reported; the transaction
 * rolled back and fs's counts as they were when it began). */
static int store_batch(heed_import_pipe *p, heed_import_batch *b, int finished, int commit)
{
    heed_import *im = p->im;
    heed_import_file *fs = p->fs;
    if (!p->in_txn) {
        if (heed_import_begin(im, fs))
            return -1;
        p->in_txn = 1;
        p->txn_st = fs->st;
    }
    heed_error err = {0};
    for (size_t i = 0; i < b->n; i++) {
        heed_import_row *r = &b->rows[i];
        fs->st.records++;
        if (r->bad) {
            heed_import_bad(im, fs, r->line, b->store.ptr + r->msg, b->store.ptr + r->raw,
                            r->raw_len);
            continue;
        }
        int added = 0;
        int rc = heed_import_put_row(im, b, r, &added, &err);
        if (rc == HEED_EINVAL) { /* refused by what is stored: nothing of it written */
            heed_import_bad(im, fs, r->line, err.msg, b->store.ptr + r->raw, r->raw_len);
            continue;
        }
        if (rc != HEED_OK) {
            heed_store_rollback(im->st);
            p->in_txn = 0;
            fs->st = p->txn_st;
            fprintf(stderr, "heed import: %s:%zu: %s\n", fs->name, r->line, err.msg);
            return -1;
        }
        fs->st.imported += (uint64_t)added;
    }
    if (commit || finished) {
        p->in_txn = 0;
        if (heed_import_commit(im, fs, finished)) {
            fs->st = p->txn_st;
            return -1;
        }
    }
    heed_import_batch_reset(b);
    heed_import_progress(im, fs, 0);
    return 0;
}

/* The end of the next run of b's rows from row `from`. */
static size_t run_end(const heed_import_batch *b, size_t from)
{
    if (b->kind->id != K_MESSAGES && b->kind->id != K_SURVEYS)
        return b->n; /* nothing to analyse: the whole batch at once */
    size_t to = b->n - from > RUN_ROWS ? from + RUN_ROWS : b->n;
    while (to < b->n && b->rows[to].ctx_len)
        to++;
    return to;
}

/* Called with p->mu held. */
static void fail_oom(heed_import_pipe *p)
{
    if (!p->failed)
        fprintf(stderr, "heed import: out of memory\n");
    p->failed = 1;
    pthread_cond_broadcast(&p->cv);
}

/* An analysis worker lowers its own scheduling priority (nice + 10): the
 * reader and the writer are the pipeline's serial stages, and with more
 * threads than cores the scheduler gave each thread an equal share, so the
 * writer waited for a core while the workers it fed ran ahead. The workers
 * still take every cycle the serial stages leave. 34,343 messages into a
 * store holding 68,061, two cores: 803 -> 740 ms (medians of six); into a
 * new store, 68,061 messages: 1,178 -> 1,102 ms. On Linux a thread's nice
 * value is its own (setpriority with who 0 sets the calling thread's);
 * elsewhere it would be the whole process's, so nothing is changed there. */
static void worker_yields(void)
{
#ifdef __linux__
    errno = 0;
    int nice_now = getpriority(PRIO_PROCESS, 0);
    if (errno == 0 && nice_now < 19)
        (void)setpriority(PRIO_PROCESS, 0, nice_now + 10 < 19 ? nice_now + 10 : 19);
#endif
}

static void *worker_main(void *arg)
{
    heed_import_pipe *p = arg;
    heed_import_worker w = {0};
    worker_yields();
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->failed && !p->closed && p->n_claimed == p->n_in)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->failed || p->n_claimed == p->n_in)
            break;
        size_t s = p->n_claimed % PIPE_SLOTS;
        heed_import_batch *b = p->slot[s];
        size_t from = p->claimed[s], to = run_end(b, from);
        p->claimed[s] = to;
        if (to == b->n)
            p->n_claimed++;
        pthread_mutex_unlock(&p->mu);
        int rc = heed_import_analyse_rows(p->im, &w, b, from, to);
        pthread_mutex_lock(&p->mu);
        if (rc) {
            fail_oom(p);
            break;
        }
        p->done[s] += to - from;
        if (p->done[s] < b->n)
            continue;
        /* the batch's last run: the batch is this worker's alone */
        pthread_mutex_unlock(&p->mu);
        rc = heed_import_analysed(b);
        pthread_mutex_lock(&p->mu);
        if (rc) {
            fail_oom(p);
            break;
        }
        p->ready[s] = 1;
        while (p->n_analysed < p->n_in && p->ready[p->n_analysed % PIPE_SLOTS]) {
            p->ready[p->n_analysed % PIPE_SLOTS] = 0;
            p->n_analysed++;
        }
        pthread_cond_broadcast(&p->cv);
    }
    p->workers_alive--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    heed_import_worker_release(&w);
    return NULL;
}

/* Stores every analysed batch, in order, even after a worker failed on a
 * later one: a run without the pipeline had committed them too. */
static void *writer_main(void *arg)
{
    heed_import_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->workers_alive && p->n_stored == p->n_analysed)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->n_stored == p->n_analysed)
            break;
        size_t s = p->n_stored % PIPE_SLOTS;
        pthread_mutex_unlock(&p->mu);
        p->fs->pos = p->pos[s];
        int rc = store_batch(p, p->slot[s], p->finished[s], p->commit[s]);
        pthread_mutex_lock(&p->mu);
        if (rc) {
            p->failed = 1;
            pthread_cond_broadcast(&p->cv);
            break;
        }
        p->n_stored++;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Stops and joins the threads started (with no batch in flight, or after the
 * last was handed on). */
static void stop_threads(heed_import_pipe *p, size_t started, int writer)
{
    pthread_mutex_lock(&p->mu);
    p->closed = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(p->workers[i], NULL);
    if (writer)
        pthread_join(p->writer, NULL);
}

heed_import_pipe *heed_import_pipe_new(heed_import *im, heed_import_file *fs,
                                       const heed_import_kind *k)
{
    heed_import_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->im = im;
    p->fs = fs;
    p->n_workers = im->threads ? im->threads : 1;
    p->workers = calloc(p->n_workers, sizeof *p->workers);
    if (!p->workers) {
        free(p);
        return NULL;
    }
    for (size_t i = 0; i < PIPE_SLOTS; i++) {
        p->slot[i] = heed_import_batch_new(im, k);
        if (!p->slot[i]) {
            for (size_t j = 0; j < i; j++)
                heed_import_batch_free(p->slot[j]);
            free(p->workers);
            free(p);
            return NULL;
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    /* messages into a store without any: the indexes no put reads are built
     * once when the file ends instead of kept row by row (on 68k messages
     * the writer thread's CPU time halved, the build a seventh of what it
     * saved; docs/store.md); before the writer starts, which owns the
     * store from then on */
    heed_error err = {0};
    if (k->id == K_MESSAGES && heed_store_defer_indexes(im->st, &p->deferred, &err) != HEED_OK)
        fprintf(stderr, "heed import: %s\n", err.msg); /* kept: only slower */
    /* into a store that holds records, the indexes kept row by row change
     * pages all over them: a 32 MiB page cache while the file is stored
     * (255,274 messages of the next month into a store holding 254,891: 8 %
     * less time, bench/README.md); into a new store, with the indexes
     * deferred, it saved nothing and only raised the peak */
    if (!p->deferred)
        heed_store_bulk_cache(im->st, 1);
    /* into a store that holds records, the agent rows go to the stage,
     * keyed by conversation, and into the agent tables when the file ends:
     * keyed by agent first, those took every commit's rows in pages all over
     * them (on disk, 255,274 messages of the next month into a store holding
     * 254,891: 11 % less time; the same 254,891 again: 19 %); into a new
     * store the move at the end cost more than it saved (4 %) */
    if (k->id == K_MESSAGES && !p->deferred) {
        if (heed_store_stage_agents(im->st, 1, &err) == HEED_OK)
            p->staged = 1;
        else
            fprintf(stderr, "heed import: %s\n", err.msg); /* kept: only slower */
    }
    /* workers_alive counts a worker before it starts: the writer must not
     * take a pool that is still starting for one that has ended */
    size_t started = 0;
    for (; started < p->n_workers; started++) {
        pthread_mutex_lock(&p->mu);
        p->workers_alive++;
        pthread_mutex_unlock(&p->mu);
        if (pthread_create(&p->workers[started], NULL, worker_main, p)) {
            pthread_mutex_lock(&p->mu);
            p->workers_alive--;
            pthread_mutex_unlock(&p->mu);
            break;
        }
    }
    p->n_workers = started;
    if (started && !pthread_create(&p->writer, NULL, writer_main, p))
        p->threaded = 1;
    else /* the stages will run one after another in the reader's thread */
        stop_threads(p, started, 0);
    return p;
}

heed_import_batch *heed_import_pipe_batch(const heed_import_pipe *p)
{
    return p->slot[p->n_in % PIPE_SLOTS];
}

/* Hands the batch being filled on to the workers. */
static int hand_on(heed_import_pipe *p, int finished)
{
    size_t s = p->n_in % PIPE_SLOTS;
    long pos = p->im->progress_on && p->fs->f && p->fs->f != stdin ? ftell(p->fs->f) : -1;
    p->txn_rows += p->slot[s]->n;
    int commit = p->txn_rows >= p->im->batch;
    if (commit || finished)
        p->txn_rows = 0;
    if (!p->threaded) { /* the stages one after another, as they would run */
        heed_import_batch *b = p->slot[s];
        p->fs->pos = pos;
        if (p->failed)
            return -1;
        if (heed_import_analyse_rows(p->im, &p->solo, b, 0, b->n) || heed_import_analysed(b)) {
            fprintf(stderr, "heed import: out of memory\n");
            p->failed = 1;
            return -1;
        }
        if (store_batch(p, b, finished, commit)) {
            p->failed = 1;
            return -1;
        }
        return 0;
    }
    pthread_mutex_lock(&p->mu);
    p->finished[s] = finished;
    p->commit[s] = commit;
    p->pos[s] = pos;
    p->claimed[s] = p->done[s] = 0;
    p->ready[s] = 0;
    p->n_in++;
    pthread_cond_broadcast(&p->cv);
    int failed = p->failed;
    pthread_mutex_unlock(&p->mu);
    return failed ? -1 : 0;
}

int heed_import_pipe_flush(heed_import_pipe *p, heed_import_batch **b)
{
    size_t rows = p->im->batch - p->txn_rows; /* left in the transaction */
    size_t per = p->im->batch_rows ? p->im->batch_rows : HEED_IMPORT_BATCH_ROWS;
    if (rows > per)
        rows = per;
    if ((*b)->n < rows && (*b)->store.len < HEED_IMPORT_BATCH_BYTES)
        return 0; /* room for more */
    if (hand_on(p, 0))
        return -1;
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        while (!p->failed && p->n_in - p->n_stored >= PIPE_SLOTS)
            pthread_cond_wait(&p->cv, &p->mu);
        int failed = p->failed;
        pthread_mutex_unlock(&p->mu);
        if (failed)
            return -1;
    }
    *b = heed_import_pipe_batch(p);
    return 0;
}

int heed_import_pipe_end(heed_import_pipe *p, int finish)
{
    if (!p)
        return -1;
    if (finish)
        (void)hand_on(p, 1);
    if (p->threaded)
        stop_threads(p, p->n_workers, 1);
    int failed = p->failed;
    /* a transaction left open (the file was not read to its end, or a worker
     * failed after it) holds batches stored in order: committed, as if each
     * had been one */
    if (p->in_txn) {
        p->in_txn = 0;
        if (heed_import_commit(p->im, p->fs, 0))
            failed = 1;
    }
    /* the batches go first: the index build's sorts take their memory */
    heed_import_worker_release(&p->solo);
    for (size_t i = 0; i < PIPE_SLOTS; i++) {
        heed_import_batch_free(p->slot[i]);
        p->slot[i] = NULL;
    }
    heed_error err = {0};
    if (p->staged && heed_store_stage_agents(p->im->st, 0, &err) != HEED_OK) {
        /* they stay staged; the next open moves them */
        fprintf(stderr, "heed import: %s\n", err.msg);
        failed = 1;
    }
    if (p->deferred && heed_store_restore_indexes(p->im->st, 1, &err) != HEED_OK) {
        /* the store is correct without them; its next open builds them */
        fprintf(stderr, "heed import: %s\n", err.msg);
        failed = 1;
    }
    heed_store_bulk_cache(p->im->st, 0);
#ifdef __GLIBC__
    /* the heap's free pages (the batches', the build's sorts) go back to the
     * system: the next file's batches would not reuse all of them, and the
     * peak of an import of several files grew by them (a directory of
     * 271,927 messages and 13,368 mails: 100.0 -> 87.2 MB) */
    malloc_trim(0);
#endif
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
    return failed ? -1 : 0;
}

/* ------------------------------------------------------------ tabular kinds */

static int import_table(heed_import *im, const heed_import_kind *k, const char *path)
{
    heed_import_file fs;
    int ret = heed_import_open(im, &fs, k->name, path);
    if (ret) {
        heed_import_close(&fs);
        return ret;
    }
    heed_reader_opts ro = {.format = HEED_FMT_AUTO, .name = path};
    const char *keep[HEED_IMPORT_MAX_FIELDS];
    int text_field = heed_import_field(k, k->text);
    heed_import_reader_opts(im, k, &ro, keep);
    heed_reader *rd = NULL;
    heed_error err = {0};
    int rc = heed_reader_new(fs.f, &ro, &rd, &err);
    if (rc != HEED_OK) {
        fprintf(stderr, "heed import: %s: %s\n", path, err.msg[0] ? err.msg : heed_strerror(rc));
        heed_import_close(&fs);
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    if (heed_reader_format(rd) == HEED_FMT_TEXT) {
        /* neither JSON lines nor a CSV header naming the required column: the
         * reader would take each line as one record's text, header included,
         * and every line would be rejected for another missing field. Say
         * what is wrong once instead (an empty file is fine). */
        heed_record first;
        if (heed_reader_next(rd, &first, &err) != 0) {
            fprintf(stderr,
                    "heed import: %s: not JSON lines, nor CSV with a header naming the '%s' "
                    "column (rename a column with --map, e.g. '%s.%s = COLUMN')\n",
                    path, heed_import_column(im, k, text_field), k->name, k->fields[text_field]);
            heed_reader_free(rd);
            heed_import_close(&fs);
            return HEED_EXIT_USAGE;
        }
    }
    heed_import_pipe *p = heed_import_pipe_new(im, &fs, k);
    if (!p) {
        heed_reader_free(rd);
        heed_import_close(&fs);
        return HEED_EXIT_INTERNAL;
    }
    heed_import_batch *b = heed_import_pipe_batch(p);
    uint64_t index = 0;
    int read_errno = -1;
    for (;;) {
        heed_record rec;
        memset(&err, 0, sizeof err);
        rc = heed_reader_next(rd, &rec, &err);
        if (rc == 0)
            break;
        if (rc == HEED_EIO) {
            read_errno = errno;
            ret = HEED_EXIT_USAGE;
            break; /* reported after the batches before it are stored */
        }
        if (index++ < fs.skipped) {
            /* committed by an earlier run; its turn still sets the context
             * later agent replies are scored against */
            if (rc == 1 && k->id == K_MESSAGES)
                heed_import_note_skipped(im, b, &rec);
            continue;
        }
        heed_import_row *r = heed_import_batch_add(b, &rec);
        if (!r) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
        if (rc != 1) {
            heed_import_row_bad(b, r, err.msg[0] ? err.msg : heed_strerror(rc));
        } else if (heed_import_row_fill(im, b, r, &rec) ||
                   heed_import_row_check(im, b, r, &rec)) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
        if (heed_import_pipe_flush(p, &b)) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
    }
    if (heed_import_pipe_end(p, !ret) && !ret)
        ret = HEED_EXIT_INTERNAL;
    if (read_errno >= 0)
        fprintf(stderr, "heed import: %s: read error: %s\n", path,
                err.msg[0] ? err.msg : strerror(read_errno));
    heed_reader_free(rd);
    heed_import_summary(im, &fs);
    if (fs.st.rejected > fs.rejected_before)
        im->any_rejected = 1;
    heed_import_close(&fs);
    return ret;
}

/* ------------------------------------------------------------ main */

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("heed import: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'heed import --help'.\n", stderr);
    return HEED_EXIT_USAGE;
}

static int import_path(heed_import *im, const char *kind, const char *path)
{
    if (!strcmp(kind, "mbox"))
        return heed_import_mbox(im, path);
    if (!strcmp(kind, "zendesk"))
        return heed_import_zendesk(im, path);
    const heed_import_kind *k = heed_import_kind_named(kind);
    return import_table(im, k, path);
}

static int import_dir(heed_import *im, const char *dir)
{
    static const char *const files[][2] = {
        {"customers.csv", "customers"}, {"customers.jsonl", "customers"},
        {"agents.csv", "agents"},       {"shifts.csv", "shifts"},
        {"messages.jsonl", "messages"}, {"messages.csv", "messages"},
        {"events.jsonl", "events"},     {"events.csv", "events"},
        {"surveys.csv", "surveys"},     {"surveys.jsonl", "surveys"},
        {"mail.mbox", "mbox"},          {"tickets.json", "zendesk"},
    };
    int ret = HEED_EXIT_OK, any = 0;
    struct stat sb;
    errno = 0;
    if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "heed import: %s: %s\n", dir,
                errno ? strerror(errno) : "not a directory");
        return HEED_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[i][0]);
        if (access(path, R_OK))
            continue;
        any = 1;
        const char *saved = im->source;
        if (!im->source_given)
            im->source = files[i][1];
        int rc = import_path(im, files[i][1], path);
        im->source = saved;
        if (rc > ret)
            ret = rc;
        if (rc >= HEED_EXIT_INTERNAL)
            break;
    }
    if (!any) {
        fprintf(stderr, "heed import: %s: no known files (see heed import --help)\n", dir);
        return HEED_EXIT_USAGE;
    }
    return ret;
}

int heed_cmd_import(int argc, char **argv)
{
#ifdef __GLIBC__
    /* allocations of 1 MiB or more (the identity pass's arrays, the index
     * build's, a large record's buffers) are mapped on their own, so a
     * realloc moves no copy and a free gives the pages back at once: glibc
     * otherwise raises this threshold as such blocks are freed and keeps
     * them in the heap (a directory of 160,000 customers, 1.09M messages:
     * 98.6 MB at the peak, in the identity pass, against 88.1 MB so) */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    heed_import im = {.batch = 20000, .country = "44"};
    const char *db = getenv("HEED_DB");
    const char *rejects = NULL, *map = NULL;
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    const char *kind = NULL;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t n_files = 0;
    int ret = HEED_EXIT_USAGE;
    if (!files)
        return HEED_EXIT_INTERNAL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VAL()                                                                        \
    do {                                                                                  \
        if (!val) {                                                                       \
            ret = usage_error("%s needs a value", a);                                     \
            goto out;                                                                     \
        }                                                                                 \
        i++;                                                                              \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(HELP, stdout);
            ret = HEED_EXIT_OK;
            goto out;
        } else if (!strcmp(a, "--db")) {
            NEED_VAL();
            db = val;
        } else if (!strcmp(a, "--source")) {
            NEED_VAL();
            im.source = val;
            im.source_given = 1;
        } else if (!strcmp(a, "--map")) {
            NEED_VAL();
            map = val;
        } else if (!strcmp(a, "--no-redact")) {
            im.no_redact = 1;
        } else if (!strcmp(a, "--country")) {
            NEED_VAL();
            im.country = val;
            if (strspn(val, "0123456789") != strlen(val) || !*val || strlen(val) > 3) {
                ret = usage_error("--country wants a calling code such as 44 or 1, not '%s'",
                                  val);
                goto out;
            }
        } else if (!strcmp(a, "--agent-domain")) {
            NEED_VAL();
            if (im.n_agent_domains >= HEED_IMPORT_MAX_DOMAINS) {
                ret = usage_error("too many --agent-domain options");
                goto out;
            }
            im.agent_domains[im.n_agent_domains++] = val;
        } else if (!strcmp(a, "--rejects")) {
            NEED_VAL();
            rejects = val;
        } else if (!strcmp(a, "--batch")) {
            NEED_VAL();
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || v < 1 || v > 1000000) {
                ret = usage_error("--batch wants a number from 1 to 1000000, not '%s'", val);
                goto out;
            }
            im.batch = (size_t)v;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--threads") || !strncmp(a, "-j", 2)) {
            if (a[1] == 'j' && a[2]) /* -j4 */
                val = a + 2;
            else
                NEED_VAL();
            char *end;
            threads = strtol(val, &end, 10);
            if (*end || threads < 1 || threads > 256) {
                ret = usage_error("--threads wants a number from 1 to 256, not '%s'", val);
                goto out;
            }
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            im.quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            ret = usage_error("unknown option '%s'", a);
            goto out;
        } else if (!kind) {
            kind = a;
        } else {
            files[n_files++] = argv[i];
        }
#undef NEED_VAL
    }
    if (!kind) {
        ret = usage_error("which KIND of records? (messages, customers, events, surveys, "
                          "agents, shifts, mbox, zendesk, dir)");
        goto out;
    }
    int is_dir = !strcmp(kind, "dir");
    if (!is_dir && !heed_import_kind_named(kind) && strcmp(kind, "mbox") && strcmp(kind, "zendesk")) {
        ret = usage_error("unknown KIND '%s'", kind);
        goto out;
    }
    if (is_dir && n_files != 1) {
        ret = usage_error("'dir' wants one folder");
        goto out;
    }
    if (!n_files)
        files[n_files++] = "-";
    if (!im.source)
        im.source = kind;
    if (map && load_map(&im, map))
        goto out;
    im.threads = (size_t)threads;
    im.progress_on = !im.quiet && isatty(STDERR_FILENO);
    const char *crash = getenv("HEED_IMPORT_CRASH_AFTER");
    im.crash_after = crash ? strtol(crash, NULL, 10) : 0;
    /* test hook (HEED_IMPORT_BATCH_ROWS=N): batches of N records, so that a
     * small file has transactions of several batches */
    const char *rows = getenv("HEED_IMPORT_BATCH_ROWS");
    im.batch_rows = rows && strtoull(rows, NULL, 10) ? (size_t)strtoull(rows, NULL, 10)
                                                     : HEED_IMPORT_BATCH_ROWS;
    heed_error err = {0};
    if (heed_store_open(db ? db : "heed.db", &im.st, &err) != HEED_OK) {
        fprintf(stderr, "heed import: %s\n", err.msg);
        goto out;
    }
    if (heed_import_setup(&im, &err)) {
        fprintf(stderr, "heed import: %s\n", err.msg[0] ? err.msg : "setting up failed");
        ret = HEED_EXIT_INTERNAL;
        goto out;
    }
    /* before the first batch: an import stopped half-way must not leave the
     * queue's stored rows (promise statuses read by trends) looking current */
    if (heed_store_meta_set(im.st, "queue_as_of", "", &err) != HEED_OK) {
        fprintf(stderr, "heed import: %s\n", err.msg);
        goto out;
    }
    if (rejects) {
        im.rejects = fopen(rejects, "a");
        if (!im.rejects) {
            fprintf(stderr, "heed import: %s: %s\n", rejects, strerror(errno));
            goto out;
        }
    }
    /* the files' records reference only ids the writer looked up or made in
     * the same transaction: SQLite's foreign key checks (a lookup in the
     * parent table per reference) are off while they are stored, and on
     * again for the identity pass (tests/cli/test_import.sh runs
     * PRAGMA foreign_key_check on the stores it makes) */
    if (heed_store_foreign_keys(im.st, 0, &err) != HEED_OK) {
        fprintf(stderr, "heed import: %s\n", err.msg);
        goto out;
    }
    ret = HEED_EXIT_OK;
    if (is_dir) {
        ret = import_dir(&im, files[0]);
    } else {
        /* a file that cannot be read is reported and the others go on, as
         * `heed import dir` and `heed analyze` do */
        for (size_t i = 0; i < n_files && ret < HEED_EXIT_INTERNAL; i++) {
            int rc = import_path(&im, kind, files[i]);
            if (rc > ret)
                ret = rc;
        }
    }
    if (im.agent_moved && !im.quiet)
        fprintf(stderr, "heed import: %zu earlier messages moved to their agent's id by its aliases\n",
                im.agent_moved);
    /* the engine, the reply contexts and the redactor are done with: their
     * memory (tens of MB) is not kept through the identity pass, whose own
     * grows with the store's records */
    heed_import_teardown(&im);
    if (heed_store_foreign_keys(im.st, 1, &err) != HEED_OK) {
        /* the identity pass only sets persons: it goes on without them */
        fprintf(stderr, "heed import: %s\n", err.msg);
        memset(&err, 0, sizeof err);
    }
    /* also after a file that could not be read: what the others stored is
     * linked */
    if (ret < HEED_EXIT_USAGE || (ret == HEED_EXIT_USAGE && im.n_imported)) {
        /* nor are the page cache's unused pages (16 MB; read again as the
         * pass needs them): the engine's memory and the cache's went back
         * to the heap's free lists only, and the identity pass's arrays, too
         * big for them, came on top (1.37M parties: 35.4 MB resident, 5 MB
         * of it in use, when the pass began) */
        heed_store_release_memory(im.st);
#ifdef __GLIBC__
        malloc_trim(0);
#endif
        int rc = heed_import_resolve(&im);
        if (rc > ret)
            ret = rc;
        /* the act-now queue is recomputed by the next `heed queue` */
        if (heed_store_meta_set(im.st, "queue_as_of", "", &err) != HEED_OK) {
            fprintf(stderr, "heed import: %s\n", err.msg);
            ret = HEED_EXIT_USAGE;
        }
    }
    if (ret == HEED_EXIT_OK && im.any_rejected)
        ret = HEED_EXIT_REJECTED;
    if (im.io_error && ret < HEED_EXIT_USAGE) {
        fprintf(stderr, "heed import: writing %s failed\n", rejects);
        ret = HEED_EXIT_USAGE;
    }
out:
    if (im.rejects && fclose(im.rejects) && ret < HEED_EXIT_USAGE)
        ret = HEED_EXIT_USAGE;
    heed_import_teardown(&im);
    heed_store_close(im.st);
    for (size_t i = 0; i < im.n_map; i++) {
        free(im.map[i].input);
        free(im.map[i].value);
    }
    free(files);
    return ret;
}
