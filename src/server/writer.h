/* writer.h - the server's ingest writer: one thread that owns the store writes
 * of POST /v1/messages and /v1/events. A request thread checks and analyses
 * the records, hands them over as a job and suspends its connection, so it is
 * free for other connections meanwhile; the writer writes the jobs waiting
 * into one transaction (group commit), each under its own savepoint, commits,
 * and wakes each job with its own outcome. */
#ifndef HEED_WRITER_H
#define HEED_WRITER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "heed/heed.h"
#include "store.h"

/* The most requests one transaction takes; more wait for the next one. */
#define HEED_SRV_GROUP_MAX 256

typedef struct heed_srv_job heed_srv_job;
struct heed_srv_job {
    /* The writer's part, on the writer thread inside its transaction and
     * under a savepoint of its own: writes the records to st. HEED_OK, or an
     * error (the savepoint is rolled back, the other jobs are kept). It may
     * run more than once when the transaction is lost to another job's I/O
     * error: every run starts from nothing written. *added: records new to
     * the store (the act-now queue is then marked stale). */
    int (*write)(heed_srv_job *j, heed_store *st, size_t *added, heed_error *err);
    /* Called by the writer as its last touch of the job, from the writer
     * thread (the job may be freed at once by the request's thread). */
    void (*wake)(heed_srv_job *j);
    void *conn; /* wake's: the connection to resume */
    /* the outcome, set before wake: HEED_OK when the records are committed
     * (durable as any commit of the store), else why not */
    int rc;
    _Atomic int done; /* 1 once rc is final (set just before wake) */
    heed_srv_job *next;
};

typedef struct heed_srv_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    heed_srv_job *head, *tail; /* waiting, in arrival order */
    int inited, started, stop;
    heed_store *st;
    pthread_mutex_t *write_mu; /* the server's writers' lock (queue refresh, identity pass) */
    void (*committed)(void *arg, size_t added); /* after each commit */
    void *committed_arg;
    /* counters for /metrics */
    _Atomic uint64_t commits, committed_jobs;
    _Atomic int64_t pending; /* jobs handed over and not yet woken */
} heed_srv_writer;

/* Opens the writer's own handle on the store at db_path and starts its
 * thread. committed(arg, added) runs on the writer after each successful
 * commit. HEED_OK or an error with err set. */
int heed_srv_writer_start(heed_srv_writer *w, const char *db_path, pthread_mutex_t *write_mu,
                          void (*committed)(void *arg, size_t added), void *arg, heed_error *err);
/* Hands j over. The caller must already have done what j->wake undoes (the
 * connection is suspended). HEED_OK, or 1 when the writer is stopping (j is
 * not taken: the caller answers for it). Thread-safe. */
int heed_srv_writer_submit(heed_srv_writer *w, heed_srv_job *j);
/* Refuses new jobs, writes and wakes every job already handed over, and
 * joins the thread. Does nothing when not started. Submitting stays safe
 * (refused) until heed_srv_writer_release. */
void heed_srv_writer_stop(heed_srv_writer *w);
/* Frees what start set up; after stop, once nothing can submit any more.
 * Does nothing when start did not get that far. */
void heed_srv_writer_release(heed_srv_writer *w);
/* Appends the writer's counters to a Prometheus text exposition. */
void heed_srv_writer_metrics(heed_srv_writer *w, heed_buf *b);

#endif
