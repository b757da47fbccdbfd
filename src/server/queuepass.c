/* queuepass.c - keeping `heed serve`'s act-now queue current off the request
 * path (docs/api.md, "The queue"). Writes mark the customers they touch and
 * a refresh decides only those again (src/app/person.c); time alone moves the
 * others (stress fades, waits grow, promises fall due), so a thread of its
 * own decides every customer again every --queue-interval seconds, in parts
 * of --queue-chunk customers, each one transaction under the writers' lock,
 * which it gives up between parts so that ingest keeps flowing. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "journeyview.h"
#include "person.h"
#include "server_int.h"

int64_t heed_srv_now(const heed_server *S)
{
    return S->o.now ? S->o.now : (int64_t)time(NULL);
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Between two parts: the lock is not fair, and a thread that gives it up
 * and takes it again at once may keep it from the ingest writer waiting for
 * it (a pass of 76 parts held ingests up to 4 s so); a short pause lets the
 * waiting writer have it first. */
static void pause_between_parts(void)
{
    struct timespec ts = {0, HEED_SRV_QUEUE_PAUSE_MS * 1000000L};
    nanosleep(&ts, NULL);
}

static void stamp_max(_Atomic uint64_t *max, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(max, memory_order_relaxed);
    while (v > cur &&
           !atomic_compare_exchange_weak_explicit(max, &cur, v, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}


int heed_srv_queue_pass(heed_server *S, heed_store *st, heed_error *err)
{
    size_t chunk = S->o.queue_chunk ? S->o.queue_chunk : HEED_SRV_QUEUE_CHUNK;
    int64_t after = 0, started = heed_srv_now(S);
    int done = 0, rc = HEED_OK;
    /* a store whose queue was never computed (or was forgotten by an import
     * from the command line) is complete once the pass has been everywhere:
     * a write meanwhile marked the customers it touched */
    int was_complete = heed_queue_as_of(st) != 0;
    /* indexes an import dropped and did not live to build (docs/store.md,
     * "Imports": killed while this server ran) are built here, on this
     * thread, while the server's writes wait; not by the open of a request
     * thread that happens to come first */
    pthread_mutex_lock(&S->write_mu);
    rc = heed_store_restore_indexes(st, 0, err);
    pthread_mutex_unlock(&S->write_mu);
    if (rc)
        return rc;
    /* the journal is copied back into the database between parts, not by a
     * part's commit while the lock is held (that made some parts 4 times
     * as long as the others) */
    rc = heed_store_autocheckpoint(st, 0, err);
    while (!done && !rc) {
        if (atomic_load_explicit(&S->qp.stop, memory_order_relaxed))
            break; /* the next start passes again */
        size_t n = 0;
        pthread_mutex_lock(&S->write_mu);
        int64_t t0 = mono_us();
        /* each part as of the clock when it runs: read and written under the
         * lock, so no write can fall between its reading and its writing */
        rc = heed_queue_refresh_chunk(st, heed_srv_now(S), &after, chunk, &n, &done, err);
        if (!rc && done && !was_complete && !heed_queue_as_of(st)) {
            char t[32];
            snprintf(t, sizeof t, "%lld", (long long)started);
            rc = heed_store_meta_set(st, "queue_as_of", t, err);
        }
        uint64_t held = (uint64_t)(mono_us() - t0);
        pthread_mutex_unlock(&S->write_mu);
        atomic_fetch_add_explicit(&S->metrics.queue_chunks, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&S->metrics.queue_chunk_lock_us, held, memory_order_relaxed);
        stamp_max(&S->metrics.queue_chunk_lock_us_max, held);
        if (!rc)
            rc = heed_store_checkpoint(st, err);
        if (!done)
            pause_between_parts();
    }
    heed_store_autocheckpoint(st, 1, NULL);
    if (!rc && done)
        atomic_fetch_add_explicit(&S->metrics.queue_passes, 1, memory_order_relaxed);
    return rc;
}

int heed_srv_queue_catch_up(heed_server *S, heed_store *st, int with_due, heed_error *err)
{
    size_t chunk = S->o.queue_chunk ? S->o.queue_chunk : HEED_SRV_QUEUE_CHUNK;
    int more = 1, rc = HEED_OK;
    /* at most the parts the marks of now need: under a steady stream of
     * ingests the next ones are the next call's */
    heed_queue_info q;
    pthread_mutex_lock(&S->write_mu);
    rc = heed_queue_info_get(st, &q, err);
    pthread_mutex_unlock(&S->write_mu);
    size_t rounds = rc ? 0 : (size_t)q.dirty / chunk + 2;
    for (size_t r = 0; !rc && more && r < rounds; r++) {
        size_t n = 0;
        pthread_mutex_lock(&S->write_mu);
        rc = heed_queue_refresh_dirty(st, heed_srv_now(S), with_due, chunk, &n, &more, err);
        pthread_mutex_unlock(&S->write_mu);
        if (!rc && n) {
            atomic_fetch_add_explicit(&S->metrics.queue_incremental, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&S->metrics.queue_decided_incremental, n,
                                      memory_order_relaxed);
        }
        if (more)
            pause_between_parts();
    }
    return rc;
}

static void *qp_main(void *arg)
{
    heed_server *S = arg;
    heed_store *st = NULL;
    heed_error err = {0};
    if (heed_store_open(S->o.db_path, &st, &err)) {
        fprintf(stderr, "heed serve: queue thread: %s\n", err.msg);
        return NULL;
    }
    unsigned interval = S->o.queue_interval_s ? S->o.queue_interval_s : HEED_SRV_QUEUE_INTERVAL_S;
    pthread_mutex_lock(&S->qp.mu);
    for (;;) {
        /* the first pass one interval after the start, each next one an
         * interval after the last ended */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += interval;
        while (!S->qp.stop && pthread_cond_timedwait(&S->qp.cv, &S->qp.mu, &until) == 0)
            ;
        if (S->qp.stop)
            break;
        pthread_mutex_unlock(&S->qp.mu);
        heed_error pe = {0};
        if (heed_srv_queue_pass(S, st, &pe))
            fprintf(stderr, "heed serve: the queue's periodic pass failed: %s\n", pe.msg);
        else
            heed_srv_wh_kick(S); /* announce what the passing of time brought */
        pthread_mutex_lock(&S->qp.mu);
    }
    pthread_mutex_unlock(&S->qp.mu);
    heed_store_close(st);
    return NULL;
}

int heed_srv_qp_start(heed_server *S, heed_error *err)
{
    return heed_srv_thread_start(&S->qp, qp_main, S, "queue", err);
}

void heed_srv_qp_stop(heed_server *S)
{
    heed_srv_thread_stop(&S->qp);
}
