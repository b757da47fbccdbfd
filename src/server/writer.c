/* writer.c - the ingest writer of `heed serve` (writer.h): one thread, one
 * store handle, one transaction for every ingest request waiting (group
 * commit). A request that waits for the store no longer holds one of
 * libmicrohttpd's threads, so the other connections of that thread (analyze
 * above all) are served meanwhile, and a commit is paid once per group, not
 * once per request. */
#include "writer.h"

#include <stdio.h>
#include <string.h>

static void finish(heed_srv_writer *w, heed_srv_job *j, int rc)
{
    j->rc = rc;
    atomic_store_explicit(&j->done, 1, memory_order_release);
    atomic_fetch_sub_explicit(&w->pending, 1, memory_order_relaxed);
    j->wake(j);
}

/* Takes up to HEED_SRV_GROUP_MAX waiting jobs, in order. */
static heed_srv_job *take(heed_srv_writer *w)
{
    pthread_mutex_lock(&w->mu);
    heed_srv_job *first = w->head, *last = NULL;
    size_t k = 0;
    for (heed_srv_job *j = first; j && k < HEED_SRV_GROUP_MAX; j = j->next, k++)
        last = j;
    if (last) {
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        last->next = NULL;
    }
    pthread_mutex_unlock(&w->mu);
    return first;
}

/* Puts a list back at the front of the queue (a lost transaction's jobs). */
static void put_back(heed_srv_writer *w, heed_srv_job *first)
{
    if (!first)
        return;
    heed_srv_job *last = first;
    while (last->next)
        last = last->next;
    pthread_mutex_lock(&w->mu);
    last->next = w->head;
    w->head = first;
    if (!w->tail)
        w->tail = last;
    pthread_mutex_unlock(&w->mu);
}

/* One group: begin, each job under its savepoint, commit, wake. */
static void group(heed_srv_writer *w)
{
    heed_error err = {0};
    pthread_mutex_lock(w->write_mu);
    /* take the jobs after the write lock is held, so those that arrive while
     * the lock is waited for join this transaction */
    int rc = heed_store_begin(w->st, &err);
    heed_srv_job *jobs = take(w);
    size_t added = 0;
    heed_srv_job *failed = NULL; /* their own write failed: answered at once */
    heed_srv_job **tail = &jobs;
    for (heed_srv_job *j = jobs, *next; j && !rc; j = next) {
        next = j->next;
        size_t a = 0;
        int jr = heed_store_savepoint(w->st, &err);
        if (!jr)
            jr = j->write(j, w->st, &a, &err);
        if (!jr)
            jr = heed_store_savepoint_release(w->st, &err);
        if (!jr) {
            added += a;
            tail = &j->next;
            continue;
        }
        heed_store_savepoint_rollback(w->st);
        fprintf(stderr, "heed serve: ingest writer: a request's records were not written: %s\n",
                err.msg[0] ? err.msg : heed_strerror(jr));
        err.msg[0] = 0;
        /* out of the group */
        *tail = next;
        j->rc = jr;
        j->next = failed;
        failed = j;
        if (!heed_store_in_transaction(w->st)) {
            /* the error ended the whole transaction (an I/O error, a full
             * disk): the jobs before this one were not written after all.
             * They and the rest go back to the queue for a new transaction;
             * this one alone fails. */
            put_back(w, jobs);
            jobs = NULL;
            added = 0;
            break;
        }
    }
    if (!rc && jobs && added)
        rc = heed_store_meta_set(w->st, "queue_stale", "1", &err); /* recomputed by its next reader */
    if (!rc && heed_store_in_transaction(w->st))
        rc = heed_store_commit(w->st, &err);
    if (rc && heed_store_in_transaction(w->st))
        heed_store_rollback(w->st);
    pthread_mutex_unlock(w->write_mu);
    if (rc)
        fprintf(stderr, "heed serve: ingest writer: %s\n", err.msg);
    if (!rc && jobs) {
        size_t k = 0;
        for (heed_srv_job *j = jobs; j; j = j->next)
            k++;
        atomic_fetch_add_explicit(&w->commits, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&w->committed_jobs, k, memory_order_relaxed);
        if (w->committed)
            w->committed(w->committed_arg, added);
    }
    for (heed_srv_job *j = jobs, *next; j; j = next) {
        next = j->next;
        finish(w, j, rc);
    }
    for (heed_srv_job *j = failed, *next; j; j = next) {
        next = j->next;
        finish(w, j, j->rc);
    }
}

static void *writer_main(void *arg)
{
    heed_srv_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->head)
            break; /* stopping, and nothing left */
        pthread_mutex_unlock(&w->mu);
        group(w);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int heed_srv_writer_start(heed_srv_writer *w, const char *db_path, pthread_mutex_t *write_mu,
                          void (*committed)(void *arg, size_t added), void *arg, heed_error *err)
{
    memset(w, 0, sizeof *w);
    w->write_mu = write_mu;
    w->committed = committed;
    w->committed_arg = arg;
    int rc = heed_store_open(db_path, &w->st, err);
    if (rc)
        return rc;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->inited = 1;
    if (pthread_create(&w->thread, NULL, writer_main, w)) {
        snprintf(err->msg, sizeof err->msg, "cannot start the ingest writer thread");
        err->code = HEED_ENOMEM;
        w->stop = 1; /* refuses jobs until released */
        heed_store_close(w->st);
        w->st = NULL;
        return HEED_ENOMEM;
    }
    w->started = 1;
    return HEED_OK;
}

int heed_srv_writer_submit(heed_srv_writer *w, heed_srv_job *j)
{
    j->next = NULL;
    j->rc = HEED_OK;
    atomic_store_explicit(&j->done, 0, memory_order_relaxed);
    pthread_mutex_lock(&w->mu);
    if (w->stop) {
        pthread_mutex_unlock(&w->mu);
        return 1;
    }
    atomic_fetch_add_explicit(&w->pending, 1, memory_order_relaxed);
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return HEED_OK;
}

void heed_srv_writer_stop(heed_srv_writer *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    heed_store_close(w->st);
    w->st = NULL;
    w->started = 0;
}

void heed_srv_writer_release(heed_srv_writer *w)
{
    if (!w->inited)
        return;
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->inited = 0;
}

void heed_srv_writer_metrics(heed_srv_writer *w, heed_buf *b)
{
    heed__buf_printf(
        b,
        "# HELP heed_ingest_commits_total Transactions the ingest writer committed (each "
        "holds the records of one or more requests).\n"
        "# TYPE heed_ingest_commits_total counter\nheed_ingest_commits_total %llu\n"
        "# HELP heed_ingest_committed_requests_total Ingest requests whose records those "
        "transactions committed (divided by the commits: the mean group size).\n"
        "# TYPE heed_ingest_committed_requests_total counter\n"
        "heed_ingest_committed_requests_total %llu\n"
        "# HELP heed_ingest_waiting_requests Ingest requests handed to the writer and not "
        "yet answered by it.\n"
        "# TYPE heed_ingest_waiting_requests gauge\nheed_ingest_waiting_requests %lld\n",
        (unsigned long long)atomic_load_explicit(&w->commits, memory_order_relaxed),
        (unsigned long long)atomic_load_explicit(&w->committed_jobs, memory_order_relaxed),
        (long long)atomic_load_explicit(&w->pending, memory_order_relaxed));
}
