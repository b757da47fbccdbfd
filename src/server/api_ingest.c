/* api_ingest.c - POST /v1/messages and /v1/events: records in the shape of
 * `heed import messages|events` (docs/import.md), one or a batch, through the
 * same reader, checks, redaction, contact keys, analysis and store writes as
 * the import (src/app/ingest.c). Analysis runs on the request thread before
 * the server's write lock is taken; the lock covers only the transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "ingest.h"
#include "jsonout.h"
#include "server_int.h"
#include "timeparse.h"

#define DEFAULT_SOURCE "api"
/* the earlier turns of a conversation read back to rebuild a reply's context
 * (the context keeps at most HEED_CONTEXT_MAX bytes anyway) */
#define PRIME_TURNS 50

static void fail(heed_srv_req *rq, int status, const char *code, const char *msg)
{
    heed_srv_error e;
    heed__buf_reset(&rq->out);
    heed_srv_error_set(&e, status, code, NULL, "%s", msg);
    heed_srv_reply_error(rq, &e);
}

/* ------------------------------------------------------------ reply context */

typedef struct prime {
    heed_import *im;
    const char *conv;
    size_t conv_len;
} prime;

/* One stored turn, replayed into the context tracker as the import saw it:
 * the stored text is already redacted. */
static int prime_turn(void *ctx, int role, const char *text, size_t len)
{
    prime *p = ctx;
    if (role == HEED_ROLE_AGENT) {
        const char *c;
        size_t n;
        heed_context_agent(p->im->ctx, p->conv, p->conv_len, &c, &n);
        return 0;
    }
    return heed_context_customer(p->im->ctx, p->conv, p->conv_len, text, len) ? HEED_ENOMEM : 0;
}

/* Before the first message of a conversation in this request: the stored
 * turns of that conversation before the message's time, so a reply is scored
 * against the customer's earlier messages as `heed import` scores it. */
static int prime_conversation(heed_import *im, heed_store *st, heed_buf *seen, const char *source,
                              const heed_record *rec, heed_error *err)
{
    heed_view conv = rec->field[HEED_F_CONVERSATION];
    if (!conv.ptr || !conv.len)
        conv = rec->field[HEED_F_ID];
    heed_view tv = rec->field[HEED_F_TIME];
    int64_t t;
    int tz;
    if (!conv.ptr || !conv.len || !tv.ptr || heed_parse_time(tv.ptr, tv.len, &t, &tz))
        return 0; /* the row check rejects it */
    /* seen: "source\x1fconv\n" of the conversations already primed */
    heed_buf key;
    heed__buf_init(&key, 0);
    heed__buf_adds(&key, source);
    heed__buf_addc(&key, '\x1f');
    heed__buf_add(&key, conv.ptr, conv.len);
    heed__buf_addc(&key, '\n');
    int rc = HEED_OK;
    if (key.err) {
        rc = HEED_ENOMEM;
        goto out;
    }
    for (size_t at = 0; at < seen->len;) {
        const char *nl = memchr(seen->ptr + at, '\n', seen->len - at);
        size_t l = (size_t)(nl - (seen->ptr + at)) + 1;
        if (l == key.len && !memcmp(seen->ptr + at, key.ptr, l))
            goto out;
        at += l;
    }
    heed__buf_add(seen, key.ptr, key.len);
    char *cv = malloc(conv.len + 1);
    if (!cv || seen->err) {
        free(cv);
        rc = HEED_ENOMEM;
        goto out;
    }
    memcpy(cv, conv.ptr, conv.len);
    cv[conv.len] = 0;
    prime p = {im, cv, conv.len};
    rc = heed_store_conversation_turns(st, source, cv, t, PRIME_TURNS, prime_turn, &p, err);
    free(cv);
out:
    heed__buf_release(&key);
    return rc;
}

/* ------------------------------------------------------------ the handler */

enum { ST_IMPORTED, ST_THERE, ST_REJECTED };

/* One request's records between its request thread and the writer. */
typedef struct ingest_job {
    heed_srv_job job; /* first: the writer's view */
    const heed_import_kind *k;
    heed_import im;
    heed_import_batch *b;
    heed_srv_ingest_req ir;
    int *status, *reader_rc;
    size_t analysed; /* messages analysed, counted when committed */
} ingest_job;

static void job_free(ingest_job *j)
{
    if (!j)
        return;
    heed_import_batch_free(j->b);
    heed_import_teardown(&j->im);
    heed_srv_ingest_release(&j->ir);
    free(j->status);
    free(j->reader_rc);
    free(j);
}

/* The writer's part: the good rows into its transaction, on its own store
 * handle. Runs again from the start when the writer has to redo the group. */
static int job_write(heed_srv_job *jb, heed_store *st, size_t *added_n, heed_error *err)
{
    ingest_job *j = (ingest_job *)jb;
    heed_import_batch *b = j->b;
    heed_import im = j->im; /* put_row reads st, source and the model name */
    im.st = st;
    *added_n = 0;
    int rc = HEED_OK;
    for (size_t i = 0; i < b->n && !rc; i++) {
        heed_import_row *r = &b->rows[i];
        if (r->bad) {
            j->status[i] = ST_REJECTED;
            continue;
        }
        im.source = j->ir.items[i].source ? j->ir.items[i].source : DEFAULT_SOURCE;
        int added = 0;
        rc = heed_import_put_row(&im, b, r, &added, err);
        j->status[i] = added ? ST_IMPORTED : ST_THERE;
        *added_n += (size_t)added;
    }
    return rc;
}

/* On the request thread once the writer is done: the answer, as the request
 * would have had it written itself. */
static void job_end(heed_srv_req *rq, heed_srv_job *jb)
{
    ingest_job *j = (ingest_job *)jb;
    if (!rq) {
        job_free(j);
        return;
    }
    if (jb->rc) {
        fail(rq, 503, "unavailable", "the store cannot be written");
        job_free(j);
        return;
    }
    atomic_fetch_add(&rq->srv->metrics.analyses, (uint64_t)j->analysed);
    const heed_import_kind *k = j->k;
    heed_import_batch *b = j->b;
    heed_buf *o = &rq->out;
    heed__buf_adds(o, "{\"results\":[");
    for (size_t i = 0; i < j->ir.n; i++) {
        static const char *const NAMES[] = {"imported", "already_there", "rejected"};
        heed__buf_printf(o, "%s{\"index\":%zu,\"status\":\"%s\"", i ? "," : "", i,
                         NAMES[j->status[i]]);
        if (j->status[i] == ST_REJECTED) {
            heed_srv_error ie;
            if (j->ir.items[i].is_bad)
                ie = j->ir.items[i].err;
            else if (j->reader_rc[i] == HEED_EFIELD)
                heed_srv_error_set(&ie, 400, "missing_field", k->text, "%s",
                                   b->store.ptr + b->rows[i].msg);
            else
                heed_srv_error_set(&ie, 400, "invalid_value", NULL, "%s",
                                   b->store.ptr + b->rows[i].msg);
            heed__buf_adds(o, ",\"error\":{\"code\":");
            heed_json_string(o, ie.code, strlen(ie.code));
            heed__buf_adds(o, ",\"message\":");
            heed_json_string(o, ie.message, strlen(ie.message));
            if (ie.field[0]) {
                heed__buf_adds(o, ",\"field\":");
                heed_json_string(o, ie.field, strlen(ie.field));
            }
            heed__buf_addc(o, '}');
        }
        heed__buf_addc(o, '}');
    }
    heed__buf_adds(o, "]}\n");
    rq->status = o->err ? 500 : 200;
    job_free(j);
}

/* The request thread's part: parse, read, check, redact, key and analyse,
 * then hand the rows to the writer (rq->job); or answer an error. */
static void ingest(heed_srv_req *rq, const char *kind_name)
{
    static const char *const Q[] = {NULL};
    if (heed_srv_query_check(rq, Q))
        return;
    heed_srv_error e;
    heed_reader *rd = NULL;
    FILE *f = NULL;
    heed_buf seen;
    heed__buf_init(&seen, 0);
    heed_store *st = NULL;
    int reading = 0; /* a read transaction is open on st */
    ingest_job *j = calloc(1, sizeof *j);
    if (!j) {
        fail(rq, 500, "internal", "out of memory");
        goto out;
    }
    const heed_import_kind *k = j->k = heed_import_kind_named(kind_name);
    heed_import *im = &j->im;
    *im = (heed_import){.country = "44", .threads = 1, .quiet = 1};
    heed_srv_ingest_req *ir = &j->ir;
    if (heed_srv_parse_ingest(rq->body, rq->body_len, rq->srv->o.max_batch, kind_name, ir, &e)) {
        heed_srv_reply_error(rq, &e);
        goto out;
    }
    heed_error he = {0};
    if (heed_srv_store(rq, &st, &he)) {
        fail(rq, 503, "unavailable", "the store cannot be read");
        goto out;
    }
    /* a batch's reads (earlier turns) in one snapshot: one lock of the file
     * instead of one per query (one query alone locks it once anyway) */
    reading = ir->n > 1 ? heed_store_begin_read(st, &he) : 0;
    if (reading < 0) {
        fail(rq, 503, "unavailable", "the store cannot be read");
        goto out;
    }
    im->st = st;
    im->source = DEFAULT_SOURCE;
    im->secret = rq->srv->secret;
    if (heed_import_setup_engine(im, rq->srv->eng, &he)) {
        fail(rq, 503, "unavailable", "the store cannot be read");
        goto out;
    }
    j->status = calloc(ir->n, sizeof *j->status);
    j->reader_rc = calloc(ir->n, sizeof *j->reader_rc);
    heed_import_batch *b = j->b = heed_import_batch_new(im, k);
    f = fmemopen(ir->lines.ptr, ir->lines.len, "r");
    heed_reader_opts ro = {.format = HEED_FMT_JSONL, .name = "request"};
    const char *keep[HEED_IMPORT_MAX_FIELDS];
    heed_import_reader_opts(im, k, &ro, keep);
    if (!j->status || !j->reader_rc || !b || !f || heed_reader_new(f, &ro, &rd, &he) != HEED_OK) {
        fail(rq, 500, "internal", "out of memory");
        goto out;
    }
    /* read, check, redact, key: one row per item, in order */
    for (size_t i = 0; i < ir->n; i++) {
        heed_record rec;
        heed_error re = {0};
        int rc = heed_reader_next(rd, &rec, &re);
        heed_import_row *r = rc == 0 || rc == HEED_EIO ? NULL : heed_import_batch_add(b, &rec);
        if (!r) {
            fail(rq, 500, "internal", rc == HEED_EIO ? "reading the records failed" : "out of memory");
            goto out;
        }
        const char *src = ir->items[i].source ? ir->items[i].source : DEFAULT_SOURCE;
        j->reader_rc[i] = rc;
        if (rc != 1 || ir->items[i].is_bad) {
            heed_import_row_bad(b, r, re.msg[0] ? re.msg : heed_strerror(rc));
            continue;
        }
        im->source = src;
        if (k->id == K_MESSAGES && prime_conversation(im, st, &seen, src, &rec, &he)) {
            fail(rq, 503, "unavailable", "the store cannot be read");
            goto out;
        }
        if (heed_import_row_fill(im, b, r, &rec) || heed_import_row_check(im, b, r, &rec)) {
            fail(rq, 500, "internal", "out of memory");
            goto out;
        }
    }
    if (reading == 1)
        (void)heed_store_commit(st, NULL); /* ends the read */
    reading = 0;
    /* analysis, here on the request thread: the writer only writes */
    if (k->id == K_MESSAGES && heed_import_analyse(im, b)) {
        fail(rq, 500, "internal", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < b->n; i++)
        if (!b->rows[i].bad)
            j->analysed += (size_t)b->rows[i].analysed;
    im->st = NULL; /* this thread's handle; the writer uses its own */
    j->job.write = job_write;
    rq->job = &j->job;
    rq->job_end = job_end;
    j = NULL;
out:
    if (reading == 1)
        (void)heed_store_commit(st, NULL);
    heed_reader_free(rd);
    if (f)
        fclose(f);
    heed__buf_release(&seen);
    job_free(j);
}

void heed_srv_h_ingest_messages(heed_srv_req *rq)
{
    ingest(rq, "messages");
}

void heed_srv_h_ingest_events(heed_srv_req *rq)
{
    ingest(rq, "events");
}
