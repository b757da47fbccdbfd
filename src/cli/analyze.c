/* analyze.c - `heed analyze`: a Unix filter that reads message records, scores
 * each with libheed on all cores and writes one JSON object per record (or a
 * table for a person) in input order.
 *
 * Pipeline: the main thread reads records into batches; worker threads analyse
 * whole batches; a writer thread emits batches strictly in sequence. A fixed
 * number of batch slots bounds memory whatever the input's size. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "context.h"
#include "convo.h"
#include "heed/heed.h"
#include "heed_limits.h"
#include "jsonout.h"
#include "reader.h"
#include "simindex.h"
#include "timeparse.h"
#include "explain.h"
#include "table.h"

/* Records per batch: each batch handed between the threads costs wake-ups
 * and context switches; more records cost memory (2 x threads + 2 batches,
 * their output included). bench/README.md has the measurements. */
#define BATCH_RECORDS 512
#define BATCH_BYTES   ((size_t)1 << 20)
/* The output of a record with all stages is about 1.1 KB. */
#define OUT_BYTES_HINT 2048
#define MAX_KEEP      64

static const char HELP[] =
    "Usage: heed analyze [OPTIONS] [FILE...]\n"
    "\n"
    "Scores each message record and writes one JSON object per record to standard\n"
    "output, in input order (schema: docs/schema.md). Reads standard input when no\n"
    "FILE is given or FILE is '-'.\n"
    "\n"
    "Input:\n"
    "  -f, --format FMT      jsonl, csv or text (default: detected from content:\n"
    "                        '{' starts JSON lines; a header row naming the text\n"
    "                        field is CSV; anything else is text, one per line)\n"
    "      --field NAME=COL  read field NAME from input field COL; NAME is one of\n"
    "                        id, text, role, conversation, customer, agent, time,\n"
    "                        channel (defaults: the same names)\n"
    "      --role ROLE       the role (customer or agent) of records that have no\n"
    "                        role field; agent turns get the reply stages\n"
    "      --keep A,B,...    copy these extra input fields to the output (\"keep\")\n"
    "      --max-record N    reject records longer than N bytes (default 8 MiB)\n"
    "\n"
    "Output:\n"
    "      --table           a readable table and a summary instead of JSON lines\n"
    "      --explain         each message as a readable block: every score with\n"
    "                        the words and rules behind it\n"
    "      --stages LIST     the stages to run after valence (which always runs),\n"
    "                        comma-separated: language, emotions, needs (with\n"
    "                        the asks), intensity, stress, and on agent turns\n"
    "                        empathy, compassion (with promises), familiar,\n"
    "                        addressed; \"all\" (default) or \"valence\"\n"
    "                        (valence only, the fastest)\n"
    "      --conversations   also one record per conversation id (\"type\":\n"
    "                        \"conversation\"): message counts, times, the customer's\n"
    "                        stress trajectory, resolution, repeat contact and flags\n"
    "                        (docs/conversations.md); written when the input ends,\n"
    "                        in first-seen order. With --table or --explain: a\n"
    "                        conversations section at the end instead\n"
    "      --max-open N      conversations kept open at once (default 4096); when a\n"
    "                        new one does not fit, the one quiet longest is written\n"
    "                        early with \"partial\":true\n"
    "      --status-field F  the input field holding a conversation status (default\n"
    "                        status): \"resolved\", \"closed\", \"open\", ...\n"
    "      --text            include the analysed text in each JSON object\n"
    "      --tokens          include the token list in each JSON object\n"
    "\n"
    "Agent replies that are near duplicates of an earlier reply (SimHash of the\n"
    "familiar stage within Hamming distance 3) get \"canned\":{\"like\":INDEX,\n"
    "\"distance\":D,\"count\":N} in JSON output (docs/conversations.md).\n"
    "\n"
    "Bad records (invalid UTF-8, broken JSON, wrong CSV column count, missing text,\n"
    "oversized): reported on stderr as FILE:LINE: problem, counted, and the rest go on.\n"
    "A time field that is not a time is reported as FILE:LINE: warning: ...; the\n"
    "record is analysed without it (no promised time is resolved against it).\n"
    "      --rejects FILE    also write each bad record, unchanged, to FILE\n"
    "      --strict          stop at the first bad record\n"
    "\n"
    "Running:\n"
    "  -j, --threads N       worker threads (default: all cores)\n"
    "  -q, --quiet           no progress line and no summary on stderr\n"
    "  -h, --help            this help\n"
    "\n"
    "At the end a summary goes to stderr: records read = analysed + rejected.\n"
    "Exit codes: 0 all analysed, 1 some rejected, 2 usage or I/O error,\n"
    "3 internal error.\n";

typedef struct item {
    size_t line, index;
    int status; /* 1: good; < 0: heed error code */
    size_t raw_off, raw_len;
    size_t f_off[HEED_F_COUNT], f_len[HEED_F_COUNT];
    unsigned f_has;
    size_t kept_at; /* first of n_keep slots in batch->kept_* */
    size_t msg_off, msg_len;
    size_t out_off, out_len;
    int role;                /* HEED_ROLE_* */
    size_t ctx_off, ctx_len; /* the customer text an agent turn answers */
    int has_time, tz_min;
    int bad_time; /* a `time` was given but is not one: warned about */
    int64_t time;
    size_t st_off, st_len; /* the status field (--conversations) */
    int has_st;
    /* Set by the worker and read only where it sets them, so not zeroed
     * with the rest (batch_add): the summary's figures (--table), and the
     * conversation facts and the reply's simhash (an agent turn, or any
     * turn with --conversations; see write_record). */
    heed_table_fact fact;
    heed_convo_fact conv;
} item;

enum { SLOT_FREE, SLOT_FILLING, SLOT_READY, SLOT_WORKING, SLOT_DONE };

typedef struct batch {
    int state;
    size_t seq;
    size_t src; /* index of the input file */
    item *items;
    size_t n, cap;
    heed_buf store; /* raw bytes, fields, kept values, messages */
    size_t *kept_off, *kept_len;
    size_t kept_cap;
    heed_buf out;
} batch;

typedef struct options {
    heed_reader_opts ropts;
    const char *keep[MAX_KEEP + 1]; /* + the status field, read but not kept */
    size_t n_keep;
    int table, explain, text, tokens, strict, quiet;
    int conversations;
    long max_open;            /* --max-open */
    const char *status_field; /* --status-field */
    unsigned skip;            /* HEED_STAGE_* not to run (--stages) */
    int role;                 /* --role: HEED_ROLE_* of records without a role field */
    long threads;
    const char *rejects;
    char **files;
    size_t n_files;
} options;

typedef struct run {
    const options *opt;
    const heed_engine *eng;
    batch *slots;
    size_t n_slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t published; /* batches handed to workers so far */
    int reading_done;
    int stop;     /* strict mode hit a bad record, or output failed */
    int io_error; /* writing stdout or the rejects file failed */
    int io_errno; /* errno of the first such failure (errno is per thread) */
    int oom;
    FILE *rejects;
    heed_context *ctx; /* used by the reader thread only */
    /* written by the writer thread only */
    size_t n_read, n_ok, n_bad;
    size_t bytes;
    heed_table_stats stats;
    heed_convo *convo; /* --conversations */
    heed_simindex *canned;
    heed_buf convo_out;
    struct timespec t0;
    double last_progress;
    int progress;
    int flush_each; /* stdout is a pipe or terminal: flush after each batch */
    /* records' output not yet written: a run of b->out (see out_put) */
    const char *pend_ptr;
    size_t pend_len;
} run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ batches */

static int batch_grow(batch *b, size_t n_keep)
{
    if (b->n < b->cap)
        return 0;
    size_t cap = b->cap ? b->cap * 2 : BATCH_RECORDS;
    item *it = realloc(b->items, cap * sizeof(*it));
    if (!it)
        return -1;
    b->items = it;
    b->cap = cap;
    if (n_keep) {
        size_t kc = cap * n_keep;
        size_t *ko = realloc(b->kept_off, kc * sizeof(size_t));
        if (!ko)
            return -1;
        b->kept_off = ko;
        size_t *kl = realloc(b->kept_len, kc * sizeof(size_t));
        if (!kl)
            return -1;
        b->kept_len = kl;
        b->kept_cap = kc;
    }
    return 0;
}

static size_t store_view(batch *b, heed_view v)
{
    size_t off = b->store.len;
    heed__buf_add(&b->store, v.ptr ? v.ptr : "", v.ptr ? v.len : 0);
    return off;
}

/* Copies one record (good or bad) into the batch. Returns 0 or -1 (memory). */
static int role_of(heed_view v, int dflt)
{
    if (!v.ptr)
        return dflt;
    if (v.len == 5 && !strncasecmp(v.ptr, "agent", 5))
        return HEED_ROLE_AGENT;
    if (v.len == 8 && !strncasecmp(v.ptr, "customer", 8))
        return HEED_ROLE_CUSTOMER;
    return HEED_ROLE_UNKNOWN;
}

/* Role, time and (for an agent turn) the customer text it answers. */
static int note_turn(run *R, batch *b, item *it, const heed_record *rec)
{
    it->role = role_of(rec->field[HEED_F_ROLE], R->opt->role);
    heed_view tv = rec->field[HEED_F_TIME];
    it->has_time = tv.ptr && !heed_parse_time(tv.ptr, tv.len, &it->time, &it->tz_min);
    it->bad_time = tv.ptr && tv.len && !it->has_time;
    heed_view conv = rec->field[HEED_F_CONVERSATION];
    heed_view text = rec->field[HEED_F_TEXT];
    heed_view st =
        R->opt->conversations && rec->kept ? rec->kept[R->opt->n_keep] : (heed_view){NULL, 0};
    if (st.ptr) {
        if (st.len >= 2 && st.ptr[0] == '"' && st.ptr[st.len - 1] == '"') {
            st.ptr++; /* a JSON string: its text (escapes, rare here, stay) */
            st.len -= 2;
        }
    }
    if (st.ptr && st.len && !(st.len == 4 && !memcmp(st.ptr, "null", 4))) {
        it->has_st = 1;
        it->st_off = store_view(b, st);
        it->st_len = st.len;
    }
    if (it->role == HEED_ROLE_CUSTOMER)
        return heed_context_customer(R->ctx, conv.ptr, conv.len, text.ptr, text.len);
    if (it->role == HEED_ROLE_AGENT) {
        const char *c;
        size_t n;
        heed_context_agent(R->ctx, conv.ptr, conv.len, &c, &n);
        if (n) {
            it->ctx_off = store_view(b, (heed_view){c, n});
            it->ctx_len = n;
        }
    }
    return b->store.err ? -1 : 0;
}

static int batch_add(batch *b, const options *opt, const heed_record *rec, int status,
                     const heed_error *err)
{
    if (batch_grow(b, opt->n_keep))
        return -1;
    item *it = &b->items[b->n];
    memset(it, 0, offsetof(item, fact));
    it->line = rec->line;
    it->index = rec->index;
    it->status = status;
    it->raw_off = store_view(b, rec->raw);
    it->raw_len = rec->raw.ptr ? rec->raw.len : 0;
    if (status == 1) {
        for (int f = 0; f < HEED_F_COUNT; f++) {
            if (!rec->field[f].ptr)
                continue;
            it->f_has |= 1u << f;
            /* the text of plain text input is the whole record: the raw
             * bytes already stored */
            it->f_off[f] = f == HEED_F_TEXT && rec->field[f].ptr == rec->raw.ptr &&
                                   rec->field[f].len == it->raw_len
                               ? it->raw_off
                               : store_view(b, rec->field[f]);
            it->f_len[f] = rec->field[f].len;
        }
        it->kept_at = b->n * opt->n_keep;
        for (size_t k = 0; k < opt->n_keep; k++) {
            heed_view v = rec->kept ? rec->kept[k] : (heed_view){NULL, 0};
            b->kept_off[it->kept_at + k] = v.ptr ? store_view(b, v) : (size_t)-1;
            b->kept_len[it->kept_at + k] = v.ptr ? v.len : 0;
        }
    } else {
        const char *m = err && err->msg[0] ? err->msg : heed_strerror(status);
        it->msg_off = store_view(b, (heed_view){m, strlen(m)});
        it->msg_len = strlen(m);
    }
    if (b->store.err)
        return -1;
    b->n++;
    return 0;
}

static void batch_reset(batch *b)
{
    b->n = 0;
    heed__buf_reset(&b->store);
    heed__buf_reset(&b->out);
}

static void batch_release(batch *b)
{
    free(b->items);
    free(b->kept_off);
    free(b->kept_len);
    heed__buf_release(&b->store);
    heed__buf_release(&b->out);
}

/* ------------------------------------------------------------------ workers */

#define SCHEMA_STR_(v) SCHEMA_STR2_(v)
#define SCHEMA_STR2_(v) #v

static void render_json(const run *R, batch *b, item *it, const heed_result *res)
{
    const options *o = R->opt;
    heed_buf *out = &b->out;
    const char *base = b->store.ptr;
    /* the head, written unchecked after one room check */
    if (heed__buf_reserve(out, 32 + 3 * HEED_JSON_UINT_ROOM))
        return;
    char *p = out->ptr + out->len;
    /* the schema number is a decimal literal: spelled at compile time */
    static const char head[] = "{\"schema\":" SCHEMA_STR_(HEED_SCHEMA_VERSION) ",\"index\":";
    memcpy(p, head, sizeof head - 1);
    p = heed__json_raw_uint(p + sizeof head - 1, it->index);
    memcpy(p, ",\"line\":", 8);
    p = heed__json_raw_uint(p + 8, it->line);
    out->len = (size_t)(p - out->ptr);
    out->ptr[out->len] = '\0';
    if (o->n_files > 1) {
        heed__buf_adds(out, ",\"source\":");
        heed_json_string(out, o->files[b->src], strlen(o->files[b->src]));
    }
    /* the fields present besides the text, lowest first */
    for (unsigned set = it->f_has & ~(1u << HEED_F_TEXT); set; set &= set - 1) {
        const int f = __builtin_ctz(set);
        heed__buf_adds(out, ",\"");
        heed__buf_adds(out, heed_field_default_names[f]);
        heed__buf_adds(out, "\":");
        heed_json_string(out, base + it->f_off[f], it->f_len[f]);
    }
    if (o->n_keep) {
        heed__buf_adds(out, ",\"keep\":{");
        int first = 1;
        for (size_t k = 0; k < o->n_keep; k++) {
            size_t off = b->kept_off[it->kept_at + k];
            if (off == (size_t)-1)
                continue;
            if (!first)
                heed__buf_addc(out, ',');
            first = 0;
            heed_json_string(out, o->keep[k], strlen(o->keep[k]));
            heed__buf_addc(out, ':');
            heed__buf_add(out, base + off, b->kept_len[it->kept_at + k]);
        }
        heed__buf_addc(out, '}');
    }
    heed__buf_addc(out, ',');
    heed_json_opts jo = {.tokens = o->tokens, .text = o->text};
    heed_json_result(out, res, &jo);
    heed__buf_adds(out, "}\n");
}

/* Asks for the n bytes from p. process_batch asks for the lines of the next
 * item that it and render_json read (all but the facts) and for the start
 * of its text: the reader wrote them long before, and the analyses in
 * between have pushed them out of the cache, so each was a miss the loop
 * waited for (2-3 % of the all-stages time, bench/README.md). */
static inline void prefetch_lines(const void *p, size_t n)
{
    for (size_t o = 0; o < n; o += 64)
        __builtin_prefetch((const char *)p + o);
}

static void process_batch(run *R, batch *b)
{
    heed__buf_reset(&b->out);
    /* room for the batch's JSON at once: grown by doubling, the buffer
     * copied what it held at every step of its first batches */
    heed__buf_hint(&b->out, b->n * OUT_BYTES_HINT);
    /* a customer message's analysis, kept for the reply right after it,
     * whose context it usually is (the engine checks that it is) */
    heed_analysis *last = NULL;
    /* an analysis done with, whose memory the next one reuses */
    heed_analysis *spare = NULL;
    for (size_t i = 0; i < b->n; i++) {
        item *it = &b->items[i];
        if (i + 1 < b->n) { /* the next item's lines and the start of its text */
            prefetch_lines(&b->items[i + 1], offsetof(item, fact));
            prefetch_lines(b->store.ptr + b->items[i + 1].f_off[HEED_F_TEXT], 128);
        }
        if (it->status != 1)
            continue;
        heed_error err; /* its message is read only when the analysis failed */
        err.msg[0] = '\0';
        heed_analysis *an = spare;
        spare = NULL;
        const char *text = b->store.ptr + it->f_off[HEED_F_TEXT];
        const heed_analyze_opts ao = {
            .skip = R->opt->skip,
            .role = it->role,
            .context = it->ctx_len ? b->store.ptr + it->ctx_off : NULL,
            .context_len = it->ctx_len,
            .context_analysis = it->ctx_len ? last : NULL,
            .has_time = it->has_time,
            .time = it->time,
            .tz_offset_min = it->tz_min,
        };
        int rc = heed_analyze_again(R->eng, text, it->f_len[HEED_F_TEXT], &ao, &an, &err);
        if (rc != HEED_OK) {
            it->status = rc;
            it->msg_off = b->store.len;
            heed__buf_adds(&b->store, err.msg[0] ? err.msg : heed_strerror(rc));
            it->msg_len = b->store.len - it->msg_off;
            continue;
        }
        const heed_result *res = heed_analysis_result(an);
        if (R->opt->table) { /* the summary's figures */
            it->fact = heed_table_fact_of(res);
            it->fact.agent = it->role == HEED_ROLE_AGENT;
        }
        /* the customer-side facts (a confirmation phrase, repeat contact) are
         * for --conversations only; an agent reply's are cheap and carry the
         * fingerprint behind "canned" */
        if (R->opt->conversations || it->role == HEED_ROLE_AGENT)
            heed_convo_fact_of(&it->conv, res);
        it->out_off = b->out.len;
        if (R->opt->table || R->opt->explain) {
            const char *id =
                it->f_has & (1u << HEED_F_ID) ? b->store.ptr + it->f_off[HEED_F_ID] : NULL;
            const char *role =
                it->f_has & (1u << HEED_F_ROLE) ? b->store.ptr + it->f_off[HEED_F_ROLE] : NULL;
            (R->opt->explain ? heed_explain : heed_table_row)(
                &b->out, it->index, id, id ? it->f_len[HEED_F_ID] : 0, role,
                role ? it->f_len[HEED_F_ROLE] : 0, res);
        } else {
            render_json(R, b, it, res);
        }
        it->out_len = b->out.len - it->out_off;
        if (last) {
            spare = last;
            last = NULL;
        }
        if (it->role != HEED_ROLE_AGENT && i + 1 < b->n && b->items[i + 1].ctx_len)
            last = an; /* the next item is a reply */
        else if (!spare)
            spare = an;
        else
            heed_analysis_free(an);
    }
    heed_analysis_free(last);
    heed_analysis_free(spare);
}

static void *worker_main(void *arg)
{
    run *R = arg;
    pthread_mutex_lock(&R->mu);
    for (;;) {
        batch *pick = NULL;
        for (size_t i = 0; i < R->n_slots; i++) {
            batch *b = &R->slots[i];
            if (b->state == SLOT_READY && (!pick || b->seq < pick->seq))
                pick = b;
        }
        if (!pick) {
            if (R->reading_done)
                break;
            pthread_cond_wait(&R->cv, &R->mu);
            continue;
        }
        pick->state = SLOT_WORKING;
        pthread_mutex_unlock(&R->mu);
        process_batch(R, pick);
        pthread_mutex_lock(&R->mu);
        if (pick->store.err || pick->out.err)
            R->oom = 1;
        pick->state = SLOT_DONE;
        pthread_cond_broadcast(&R->cv);
    }
    pthread_mutex_unlock(&R->mu);
    return NULL;
}

/* ------------------------------------------------------------------ writer */

static void progress(run *R, int final)
{
    if (!R->progress)
        return;
    double t = now_s();
    if (!final && t - R->last_progress < 0.5)
        return;
    R->last_progress = t;
    double el = t - ((double)R->t0.tv_sec + (double)R->t0.tv_nsec / 1e9);
    if (final) {
        fputs("\r\033[K", stderr);
        return;
    }
    fprintf(stderr, "\rheed: %zu records, %.1f MB, %.0f records/s\033[K", R->n_read,
            (double)R->bytes / 1e6, el > 0 ? (double)R->n_read / el : 0.0);
}

static const char *store_field(const batch *b, const item *it, int f, size_t *len)
{
    *len = it->f_has & (1u << f) ? it->f_len[f] : 0;
    return it->f_has & (1u << f) ? b->store.ptr + it->f_off[f] : NULL;
}

/* Writes an analysed record in input order: its JSON with a "canned" member
 * when the reply is a near duplicate of an earlier one, then any conversation
 * written early. Returns 0, -1 when writing failed, -2 when out of memory. */
/* Notes a failed write of stdout or the rejects file, keeping the errno of the
 * first one for the message (the writer thread's errno is not main's). */
static void io_failed(run *R)
{
    if (!R->io_error)
        R->io_errno = errno;
    R->io_error = 1;
}

/* The records' output goes to stdout with write(2), each run of records
 * that follow one another in a batch's buffer in one call: through stdio
 * every record was copied into its buffer first. out_flush writes the run
 * (after what stdio holds); returns 0 or -1 with errno set. */
static int out_flush(run *R)
{
    const char *p = R->pend_ptr;
    size_t n = R->pend_len;
    if (!n)
        return 0;
    R->pend_len = 0;
    if (fflush(stdout) != 0)
        return -1;
    while (n) {
        const ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Adds n bytes at p to the run, or writes the run and starts another when
 * they do not follow it. Returns 0 or -1 (errno set). */
static int out_put(run *R, const char *p, size_t n)
{
    if (R->pend_len && R->pend_ptr + R->pend_len == p) {
        R->pend_len += n;
        return 0;
    }
    if (out_flush(R))
        return -1;
    R->pend_ptr = p;
    R->pend_len = n;
    return 0;
}

static int write_record(run *R, batch *b, item *it)
{
    const options *o = R->opt;
    int json = !o->table && !o->explain;
    heed_simmatch sm;
    int near = 0;
    if (it->role == HEED_ROLE_AGENT && it->conv.has_simhash) {
        near = heed_simindex_add(R->canned, it->conv.simhash, it->index, &sm);
        if (near < 0)
            return -2;
    }
    size_t n = it->out_len;
    if (near && json && n >= 2)
        n -= 2; /* re-open the object: "}\n" ends it */
    if (out_put(R, b->out.ptr + it->out_off, n))
        return -1;
    if (near && json) {
        heed__buf_reset(&R->convo_out);
        heed_simindex_json(&R->convo_out, &sm);
        heed__buf_adds(&R->convo_out, "}\n");
        if (R->convo_out.err)
            return -2;
        if (out_flush(R) ||
            fwrite(R->convo_out.ptr, 1, R->convo_out.len, stdout) != R->convo_out.len)
            return -1;
    }
    if (!o->conversations)
        return 0;
    heed_convo_msg m = {.index = it->index, .role = it->role, .fact = &it->conv};
    m.id = store_field(b, it, HEED_F_ID, &m.id_len);
    m.customer = store_field(b, it, HEED_F_CUSTOMER, &m.customer_len);
    m.text = store_field(b, it, HEED_F_TEXT, &m.text_len);
    m.has_time = it->has_time;
    m.time = it->time;
    if (it->has_st) {
        m.status = b->store.ptr + it->st_off;
        m.status_len = it->st_len;
    }
    size_t conv_len;
    const char *conv = store_field(b, it, HEED_F_CONVERSATION, &conv_len);
    heed__buf_reset(&R->convo_out);
    if (heed_convo_add(R->convo, conv, conv_len, &m, &R->convo_out))
        return -2;
    if (json && R->convo_out.len &&
        (out_flush(R) ||
         fwrite(R->convo_out.ptr, 1, R->convo_out.len, stdout) != R->convo_out.len))
        return -1;
    return 0;
}

static void write_batch(run *R, batch *b)
{
    const options *o = R->opt;
    const char *name = o->n_files ? o->files[b->src] : "-";
    for (size_t i = 0; i < b->n && !R->stop; i++) {
        item *it = &b->items[i];
        R->n_read++;
        R->bytes += it->raw_len;
        if (it->status == 1) {
            R->n_ok++;
            int wr = write_record(R, b, it);
            if (wr == -2) { /* workers set oom too, under the lock */
                pthread_mutex_lock(&R->mu);
                R->oom = 1;
                pthread_mutex_unlock(&R->mu);
            }
            if (wr) {
                if (wr == -1)
                    io_failed(R);
                R->stop = 1;
            }
            if (it->bad_time) {
                /* analysed all the same; only what needs the time goes without */
                if (R->progress)
                    fputs("\r\033[K", stderr);
                fprintf(stderr,
                        "%s:%zu: warning: 'time' is not a time (want ISO 8601 such as "
                        "2026-09-01T07:42:00Z, or Unix seconds): '%.*s'; analysed without it\n",
                        name, it->line, (int)(it->f_len[HEED_F_TIME] > 60 ? 60 : it->f_len[HEED_F_TIME]),
                        b->store.ptr + it->f_off[HEED_F_TIME]);
            }
            if (o->table) {
                const char *id =
                    it->f_has & (1u << HEED_F_ID) ? b->store.ptr + it->f_off[HEED_F_ID] : NULL;
                heed_table_note(&R->stats, it->index, id, id ? it->f_len[HEED_F_ID] : 0,
                                b->store.ptr + it->f_off[HEED_F_TEXT], it->f_len[HEED_F_TEXT],
                                &it->fact);
            }
            continue;
        }
        R->n_bad++;
        if (R->progress)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "%s:%zu: %.*s\n", name, it->line, (int)it->msg_len,
                b->store.ptr + it->msg_off);
        if (R->rejects) {
            if (fwrite(b->store.ptr + it->raw_off, 1, it->raw_len, R->rejects) != it->raw_len ||
                fputc('\n', R->rejects) == EOF)
                io_failed(R);
        }
        if (o->strict)
            R->stop = 1;
    }
    if (out_flush(R)) { /* b->out is reused after this */
        io_failed(R);
        R->stop = 1;
    }
    if (R->flush_each && fflush(stdout) != 0) {
        io_failed(R);
        R->stop = 1;
    }
    progress(R, 0);
}

static void *writer_main(void *arg)
{
    run *R = arg;
    size_t next = 0;
    pthread_mutex_lock(&R->mu);
    for (;;) {
        batch *b = NULL;
        for (size_t i = 0; i < R->n_slots; i++)
            if (R->slots[i].state == SLOT_DONE && R->slots[i].seq == next)
                b = &R->slots[i];
        if (!b) {
            if (R->reading_done && next == R->published)
                break;
            pthread_cond_wait(&R->cv, &R->mu);
            continue;
        }
        pthread_mutex_unlock(&R->mu);
        if (!R->stop)
            write_batch(R, b);
        pthread_mutex_lock(&R->mu);
        batch_reset(b);
        b->state = SLOT_FREE;
        next++;
        pthread_cond_broadcast(&R->cv);
    }
    pthread_mutex_unlock(&R->mu);
    return NULL;
}

/* ------------------------------------------------------------------ reader */

/* A free slot to fill (waits for one); NULL when the run must stop. */
static batch *take_slot(run *R, size_t src)
{
    pthread_mutex_lock(&R->mu);
    batch *b = NULL;
    while (!R->stop) {
        for (size_t i = 0; i < R->n_slots && !b; i++)
            if (R->slots[i].state == SLOT_FREE)
                b = &R->slots[i];
        if (b)
            break;
        pthread_cond_wait(&R->cv, &R->mu);
    }
    if (b) {
        b->state = SLOT_FILLING;
        b->src = src;
        batch_reset(b);
    }
    pthread_mutex_unlock(&R->mu);
    return b;
}

static void publish(run *R, batch *b)
{
    pthread_mutex_lock(&R->mu);
    if (b->n == 0) {
        b->state = SLOT_FREE;
    } else {
        b->seq = R->published++;
        b->state = SLOT_READY;
    }
    pthread_cond_broadcast(&R->cv);
    pthread_mutex_unlock(&R->mu);
}

/* Reports a failure of the input as a whole (it cannot be read, its CSV header
 * is bad). The reader's messages for these already begin with the input's name
 * (heed_reader_opts.name), so it is not repeated. */
static void input_failed(const char *name, int rc, const heed_error *err)
{
    if (rc != HEED_ENOMEM && err->msg[0])
        fprintf(stderr, "heed: %s\n", err->msg);
    else if (rc == HEED_EIO)
        fprintf(stderr, "heed: %s: read error: %s\n", name, strerror(errno));
    else
        fprintf(stderr, "heed: %s: %s\n", name, heed_strerror(rc));
}

/* Reads one input into batches. Returns 0, or HEED_EXIT_USAGE on an input that
 * cannot be read at all (reported), or HEED_EXIT_INTERNAL (memory). */
static int read_input(run *R, const char *name, size_t src)
{
    const options *o = R->opt;
    FILE *f = stdin;
    if (strcmp(name, "-") != 0) {
        f = fopen(name, "rb");
        if (!f) {
            fprintf(stderr, "heed: %s: %s\n", name, strerror(errno));
            return HEED_EXIT_USAGE;
        }
    }
    heed_reader_opts ro = o->ropts;
    ro.name = name;
    ro.keep = o->keep;
    ro.n_keep = o->n_keep + (o->conversations ? 1 : 0); /* the status field last */
    heed_reader *rd = NULL;
    heed_error err = {0};
    int rc = heed_reader_new(f, &ro, &rd, &err);
    if (rc != HEED_OK) {
        input_failed(name, rc, &err);
        if (f != stdin)
            fclose(f);
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    /* A column asked for by name that the CSV header lacks would leave every
     * record without it in silence (a misspelt --field or --keep). */
    for (int fi = 0; fi < HEED_F_COUNT; fi++)
        if (o->ropts.fields[fi] && !heed_reader_has_column(rd, fi, 0))
            fprintf(stderr,
                    "heed: %s: warning: the CSV header has no \"%s\" column (--field %s=%s); "
                    "every record is read without it\n",
                    name, o->ropts.fields[fi], heed_field_default_names[fi], o->ropts.fields[fi]);
    for (size_t k = 0; k < o->n_keep; k++)
        if (!heed_reader_has_column(rd, -1, k))
            fprintf(stderr,
                    "heed: %s: warning: the CSV header has no \"%s\" column (--keep); every "
                    "record is read without it\n",
                    name, o->keep[k]);
    int ret = 0;
    batch *b = take_slot(R, src);
    while (b) {
        heed_record rec;
        if (b->n > 0 && heed_reader_would_wait(rd)) {
            /* a live stream paused: analyse what came so far now */
            publish(R, b);
            b = take_slot(R, src);
            if (!b)
                break;
        }
        /* as zeroed for what is read of it: every message is written whole */
        err.code = 0;
        err.pos = 0;
        err.msg[0] = '\0';
        rc = heed_reader_next(rd, &rec, &err);
        if (rc == 0)
            break;
        if (rc == HEED_EIO) {
            input_failed(name, rc, &err);
            ret = HEED_EXIT_USAGE;
            break;
        }
        if (batch_add(b, o, &rec, rc == 1 ? 1 : rc, &err) ||
            (rc == 1 && note_turn(R, b, &b->items[b->n - 1], &rec))) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
        if (rc != 1 && o->strict)
            break;
        if (b->n >= BATCH_RECORDS || b->store.len >= BATCH_BYTES) {
            publish(R, b);
            b = take_slot(R, src);
        }
    }
    if (b)
        publish(R, b);
    heed_reader_free(rd);
    if (f != stdin)
        fclose(f);
    return ret;
}

/* ------------------------------------------------------------------ options */

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("heed analyze: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'heed analyze --help'.\n", stderr);
    return HEED_EXIT_USAGE;
}

static int parse_size(const char *s, long *out, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_field(options *o, char *spec)
{
    char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1])
        return -1;
    *eq = '\0';
    for (int f = 0; f < HEED_F_COUNT; f++) {
        if (!strcmp(spec, heed_field_default_names[f])) {
            o->ropts.fields[f] = eq + 1;
            return 0;
        }
    }
    return -1;
}

/* --stages: a comma list of stage names; sets o->skip to the others. */
static int parse_stages(options *o, const char *list)
{
    static const struct {
        const char *name;
        unsigned bits;
    } NAMES[] = {
        {"valence", 0},
        {"language", HEED_STAGE_LANGUAGE},
        {"emotions", HEED_STAGE_EMOTIONS},
        {"needs", HEED_STAGE_NEEDS},
        {"intensity", HEED_STAGE_INTENSITY},
        {"stress", HEED_STAGE_STRESS},
        {"empathy", HEED_STAGE_EMPATHY},
        {"compassion", HEED_STAGE_COMPASSION},
        {"familiar", HEED_STAGE_FAMILIAR},
        {"addressed", HEED_STAGE_ADDRESSED},
        {"all", HEED_STAGE_ALL},
    };
    unsigned wanted = 0;
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        size_t k = 0;
        while (k < sizeof NAMES / sizeof NAMES[0] &&
               !(strlen(NAMES[k].name) == n && !strncmp(p, NAMES[k].name, n)))
            k++;
        if (k == sizeof NAMES / sizeof NAMES[0])
            return -1;
        wanted |= NAMES[k].bits;
        if (!p[n])
            break;
        p += n + 1;
    }
    o->skip = HEED_STAGE_ALL & ~wanted;
    return 0;
}

static int parse_keep(options *o, char *list)
{
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (o->n_keep >= MAX_KEEP)
            return -1;
        o->keep[o->n_keep++] = tok;
    }
    return 0;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(options *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    o->threads = 0;
    o->files = calloc((size_t)argc, sizeof(char *));
    if (!o->files)
        return HEED_EXIT_INTERNAL;
    int only_files = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VAL()                                                                                 \
    do {                                                                                           \
        if (!val)                                                                                  \
            return usage_error("option %s needs a value", a);                                      \
        i++;                                                                                       \
    } while (0)
        if (only_files || a[0] != '-' || !strcmp(a, "-")) {
            o->files[o->n_files++] = a;
        } else if (!strcmp(a, "--")) {
            only_files = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(HELP, stdout);
            return HEED_EXIT_OK;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--format")) {
            NEED_VAL();
            if (!strcmp(val, "jsonl") || !strcmp(val, "json"))
                o->ropts.format = HEED_FMT_JSONL;
            else if (!strcmp(val, "csv"))
                o->ropts.format = HEED_FMT_CSV;
            else if (!strcmp(val, "text") || !strcmp(val, "txt"))
                o->ropts.format = HEED_FMT_TEXT;
            else if (!strcmp(val, "auto"))
                o->ropts.format = HEED_FMT_AUTO;
            else
                return usage_error("unknown format '%s' (jsonl, csv, text or auto)", val);
        } else if (!strcmp(a, "--field")) {
            NEED_VAL();
            if (parse_field(o, argv[i]))
                return usage_error("--field wants NAME=COLUMN with NAME one of id, text, role, "
                                   "conversation, customer, agent, time, channel; got '%s'",
                                   val);
        } else if (!strcmp(a, "--role")) {
            NEED_VAL();
            o->role = role_of((heed_view){val, strlen(val)}, -1);
            if (o->role <= HEED_ROLE_UNKNOWN)
                return usage_error("--role wants customer or agent: '%s'", val);
        } else if (!strcmp(a, "--keep")) {
            NEED_VAL();
            if (parse_keep(o, argv[i]))
                return usage_error("--keep takes at most 64 fields: '%s'", val);
        } else if (!strcmp(a, "--max-record")) {
            NEED_VAL();
            long v;
            if (parse_size(val, &v, 1, (long)HEED_MAX_RECORD))
                return usage_error("--max-record wants a byte count from 1 to 8388608: '%s'", val);
            o->ropts.max_record = (size_t)v;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--threads") || !strncmp(a, "-j", 2)) {
            if (a[2] && a[1] == 'j')
                val = a + 2; /* -jN */
            else
                NEED_VAL();
            if (parse_size(val, &o->threads, 0, HEED_MAX_THREADS))
                return usage_error("--threads wants a number from 0 (all cores) to 256: '%s'", val);
        } else if (!strcmp(a, "--rejects")) {
            NEED_VAL();
            o->rejects = val;
        } else if (!strcmp(a, "--table")) {
            o->table = 1;
            o->explain = 0;
        } else if (!strcmp(a, "--explain")) {
            o->explain = 1;
            o->table = 0;
        } else if (!strcmp(a, "--stages")) {
            NEED_VAL();
            if (parse_stages(o, val))
                return usage_error("--stages wants a comma list of valence, language, emotions, "
                                   "needs, intensity, stress, empathy, compassion, familiar, "
                                   "addressed or all: '%s'",
                                   val);
        } else if (!strcmp(a, "--conversations")) {
            o->conversations = 1;
        } else if (!strcmp(a, "--max-open")) {
            NEED_VAL();
            if (parse_size(val, &o->max_open, 1, 1L << 20))
                return usage_error("--max-open wants a number from 1 to 1048576: '%s'", val);
        } else if (!strcmp(a, "--status-field")) {
            NEED_VAL();
            if (!*val)
                return usage_error("--status-field wants a field name");
            o->status_field = val;
        } else if (!strcmp(a, "--text")) {
            o->text = 1;
        } else if (!strcmp(a, "--tokens")) {
            o->tokens = 1;
        } else if (!strcmp(a, "--strict")) {
            o->strict = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else {
            return usage_error("unknown option '%s'", a);
        }
#undef NEED_VAL
    }
    o->keep[o->n_keep] = o->status_field ? o->status_field : "status";
    if (o->threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o->threads = n > 0 ? (n > HEED_MAX_THREADS ? HEED_MAX_THREADS : n) : 1;
    }
    return -1;
}

int heed_cmd_analyze(int argc, char **argv)
{
    options o;
    int rc = parse_args(&o, argc, argv);
    if (rc >= 0) {
        free(o.files);
        return rc;
    }
    heed_engine *eng = NULL;
    heed_error err = {0};
    const heed_engine_opts eo = {.skip = o.skip}; /* load only what will run */
    if (heed_engine_new(&eo, &eng, &err) != HEED_OK) {
        fprintf(stderr, "heed: cannot load the lexicon or a model: %s\n", err.msg);
        free(o.files);
        return HEED_EXIT_INTERNAL;
    }
    run R;
    memset(&R, 0, sizeof R);
    R.opt = &o;
    R.eng = eng;
    R.n_slots = (size_t)o.threads * 2 + 2;
    R.slots = calloc(R.n_slots, sizeof(batch));
    R.ctx = heed_context_new();
    R.canned = heed_simindex_new(0);
    R.convo = o.conversations ? heed_convo_new((size_t)o.max_open) : NULL;
    heed__buf_init(&R.convo_out, 0);
    int ret = HEED_EXIT_OK;
    if (!R.slots || !R.ctx || !R.canned || (o.conversations && !R.convo)) {
        ret = HEED_EXIT_INTERNAL;
        goto out;
    }
    for (size_t i = 0; i < R.n_slots; i++) {
        heed__buf_init(&R.slots[i].store, 0);
        heed__buf_init(&R.slots[i].out, 0);
    }
    if (o.rejects) {
        R.rejects = fopen(o.rejects, "wb");
        if (!R.rejects) {
            fprintf(stderr, "heed: %s: %s\n", o.rejects, strerror(errno));
            ret = HEED_EXIT_USAGE;
            goto out;
        }
    }
    R.progress = !o.quiet && isatty(STDERR_FILENO);
    struct stat out_st;
    R.flush_each = fstat(STDOUT_FILENO, &out_st) == 0 && !S_ISREG(out_st.st_mode);
    /* stdio's default buffer for a file or pipe is one page: a write(2)
     * every 4 KB of output, thousands per 100k records. A larger buffer
     * holds a whole batch's output, so a batch is written in one call
     * (glibc ignores the size unless it is given the buffer). */
    static char out_buf[(size_t)1 << 20];
    static int out_buf_set;
    if (!out_buf_set && !isatty(STDOUT_FILENO)) {
        fflush(stdout);
        setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
        out_buf_set = 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &R.t0);
    pthread_mutex_init(&R.mu, NULL);
    pthread_cond_init(&R.cv, NULL);
    if (o.table)
        heed_table_header(stdout);

    pthread_t *workers = calloc((size_t)o.threads, sizeof(pthread_t));
    pthread_t writer;
    size_t started = 0;
    int writer_started = 0;
    if (!workers || pthread_create(&writer, NULL, writer_main, &R) != 0) {
        ret = HEED_EXIT_INTERNAL;
    } else {
        writer_started = 1;
        for (long i = 0; i < o.threads; i++) {
            if (pthread_create(&workers[i], NULL, worker_main, &R) != 0)
                break;
            started++;
        }
        if (started == 0)
            ret = HEED_EXIT_INTERNAL;
    }
    if (ret == HEED_EXIT_OK) {
        static char *stdin_name[] = {"-"};
        char **files = o.n_files ? o.files : stdin_name;
        size_t n_files = o.n_files ? o.n_files : 1;
        for (size_t i = 0; i < n_files && !R.stop; i++) {
            int r = read_input(&R, files[i], i);
            if (r > ret)
                ret = r;
            if (r == HEED_EXIT_INTERNAL)
                break;
        }
    }
    pthread_mutex_lock(&R.mu);
    R.reading_done = 1;
    pthread_cond_broadcast(&R.cv);
    pthread_mutex_unlock(&R.mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    if (writer_started)
        pthread_join(writer, NULL);
    free(workers);
    progress(&R, 1);
    if (R.convo && !R.stop) { /* the conversations still open, in first-seen order */
        heed__buf_reset(&R.convo_out);
        if (heed_convo_finish(R.convo, &R.convo_out))
            R.oom = 1;
        else if (!o.table && !o.explain &&
                 fwrite(R.convo_out.ptr, 1, R.convo_out.len, stdout) != R.convo_out.len)
            io_failed(&R);
    }

    if (o.table)
        heed_table_summary(stdout, &R.stats, R.n_read, R.n_ok, R.n_bad);
    if (R.convo && (o.table || o.explain))
        heed_convo_summary(stdout, heed_convo_totals(R.convo));
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        io_failed(&R);
    errno = 0;
    if (R.rejects && fclose(R.rejects) != 0)
        io_failed(&R);
    if (!o.quiet) {
        double el = now_s() - ((double)R.t0.tv_sec + (double)R.t0.tv_nsec / 1e9);
        fprintf(stderr, "heed: %zu records read = %zu analysed + %zu rejected (%.2f s)%s\n",
                R.n_read, R.n_ok, R.n_bad, el, R.stop && o.strict ? "; stopped (--strict)" : "");
    }
    if (R.oom) {
        fprintf(stderr, "heed: out of memory\n");
        ret = HEED_EXIT_INTERNAL;
    } else if (R.io_error) {
        fprintf(stderr, "heed: write error: %s\n",
                R.io_errno ? strerror(R.io_errno) : "the output could not be written");
        if (ret < HEED_EXIT_USAGE)
            ret = HEED_EXIT_USAGE;
    } else if (R.n_bad && ret == HEED_EXIT_OK) {
        ret = HEED_EXIT_REJECTED;
    }
    pthread_cond_destroy(&R.cv);
    pthread_mutex_destroy(&R.mu);
out:
    if (R.slots)
        for (size_t i = 0; i < R.n_slots; i++)
            batch_release(&R.slots[i]);
    free(R.slots);
    heed_context_free(R.ctx);
    heed_convo_free(R.convo);
    heed_simindex_free(R.canned);
    heed__buf_release(&R.convo_out);
    heed_table_stats_release(&R.stats);
    heed_engine_free(eng);
    free(o.files);
    return ret;
}
