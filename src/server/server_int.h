/* server_int.h - what the server's files share: the server, one request as a
 * handler sees it, and the handlers the route table (routes.c) points to. */
#ifndef HEED_SERVER_INT_H
#define HEED_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "apiauth.h"
#include "buf.h"
#include "heed/heed.h"
#include "metrics.h"
#include "reqbody.h"
#include "router.h"
#include "server.h"
#include "store.h"
#include "writer.h"

/* One of the server's own threads (thread.c): its mutex and condition guard
 * the flags its owner adds beside it; stop is set under the mutex with a
 * broadcast, and may also be read without it. */
typedef struct heed_srv_thread {
    pthread_t t;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started;
    _Atomic int stop;
} heed_srv_thread;

/* Starts fn(arg) on th; HEED_ENOMEM with "cannot start the WHAT thread" in
 * err when the thread cannot be made. */
int heed_srv_thread_start(heed_srv_thread *th, void *(*fn)(void *), void *arg, const char *what,
                          heed_error *err);
/* Sets stop, wakes the thread and waits for it to end; nothing when it was
 * not started. */
void heed_srv_thread_stop(heed_srv_thread *th);

typedef struct heed_server {
    heed_server_opts o;
    heed_engine *eng;     /* shared by every thread (heed_analyze is thread-safe) */
    heed_srv_keys *keys;
    heed_srv_metrics metrics;
    pthread_key_t store_tls; /* one store handle per request thread */
    pthread_mutex_t write_mu; /* one writer at a time: ingest, queue refresh */
    heed_srv_writer writer;   /* ingest's store writes, grouped (writer.c) */
    unsigned char secret[HEED_STORE_SECRET_LEN]; /* the store's, read at start */
    /* set on SIGINT/SIGTERM: requests that begin later are refused (503) and
     * every answer closes its connection, so keep-alive clients cannot hold
     * the stop open */
    _Atomic int stopping;
    /* the background thread (background.c): the identity pass after ingests */
    heed_srv_thread bg;
    int bg_pending;
    /* the webhook thread (webhooks.c): detection after identity passes and
     * every few seconds, and delivery */
    heed_srv_thread wh;
    int wh_kick;
    /* the queue thread (queuepass.c): every customer decided again, in
     * parts, every --queue-interval seconds; its stop also ends a pass the
     * webhook thread runs */
    heed_srv_thread qp;
} heed_server;

#define HEED_SRV_MAX_QUERY 16

typedef struct heed_srv_req {
    heed_server *srv;
    const heed_srv_route *route;
    heed_srv_params params;
    const char *method;
    const char *body; /* the request body (not NUL-terminated) */
    size_t body_len;
    int has_key;
    heed_srv_identity who; /* with has_key */
    const char *rid;       /* the request id */
    /* the query string's parameters (libmicrohttpd's memory, for the request) */
    size_t n_query;
    int query_overflow; /* more than HEED_SRV_MAX_QUERY */
    const char *qname[HEED_SRV_MAX_QUERY], *qval[HEED_SRV_MAX_QUERY];
    /* the answer, filled by the handler */
    int status;
    const char *ctype; /* NULL: application/json */
    heed_buf out;
    /* static files (www.c): what the answer adds or changes in the headers */
    const char *if_none_match; /* the request's If-None-Match, or NULL */
    const char *cache_control; /* NULL: no-store */
    const char *etag;          /* NULL: none */
    int is_page;               /* 1: add the dashboard's Content-Security-Policy */
    /* A handler whose store writes go to the writer (api_ingest.c) sets job
     * and job_end and returns without an answer. server.c then suspends the
     * connection and hands the job over; once the writer woke it, server.c
     * calls job_end(rq, job) on a request thread, which fills the answer from
     * job->rc and frees the job. job_end(NULL, job) only frees it (the
     * request ended without an answer, or the writer refused the job). */
    heed_srv_job *job;
    void (*job_end)(struct heed_srv_req *rq, heed_srv_job *job);
} heed_srv_req;

/* Makes the answer an error object with e's status. */
void heed_srv_reply_error(heed_srv_req *rq, const heed_srv_error *e);
/* The calling thread's store handle, opened on first use and closed when the
 * thread ends. Returns HEED_OK or an error with err set. */
int heed_srv_store(heed_srv_req *rq, heed_store **out, heed_error *err);

/* The embedded docs/openapi.json. */
const char *heed_srv_openapi(size_t *len);

/* One file of the web dashboard (src/server/www/), embedded at build time by
 * the table CMake generates (www_files.c in the build folder). */
typedef struct heed_srv_file {
    const char *name;  /* "app.js" */
    const char *ctype; /* "text/javascript; charset=utf-8" */
    const char *etag;  /* "\"<16 hex of the content's SHA-256>\"" */
    const char *data;
    const char *end;
} heed_srv_file;
extern const heed_srv_file heed_srv_www[];
extern const size_t heed_srv_n_www;

/* The dashboard's Content-Security-Policy: only its own scripts, styles and
 * API; no inline script or style, no frames, no plugins. */
#define HEED_SRV_WWW_CSP                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "      \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "         \
    "frame-ancestors 'none'"

/* The dashboard's static files (www.c): GET / (index.html), GET /ui/{file}. */
void heed_srv_h_www(heed_srv_req *rq);

/* Handlers (api.c). */
void heed_srv_h_healthz(heed_srv_req *rq);
void heed_srv_h_metrics(heed_srv_req *rq);
void heed_srv_h_openapi(heed_srv_req *rq);
void heed_srv_h_analyze(heed_srv_req *rq);
void heed_srv_h_check_reply(heed_srv_req *rq);
void heed_srv_h_keys(heed_srv_req *rq);
void heed_srv_h_me(heed_srv_req *rq);

/* 0 when every query parameter is one of allowed (NULL-terminated); else
 * answers 400 unknown_parameter naming the others and returns -1. */
int heed_srv_query_check(heed_srv_req *rq, const char *const *allowed);
/* Brings the materialised queue up to date before it is read: every
 * customer decided as of now when it was never computed or (force) is not
 * exactly as of now (a full refresh: the answer of a GET with now=); else,
 * after ingests, the identity pass and only the customers marked since they
 * were decided, as of now (milliseconds). Serialised with the other
 * writers. HEED_OK or an error. */
int heed_srv_queue_refresh_if_stale(heed_srv_req *rq, heed_store *st, int64_t now, int force);

/* The time the server decides the queue as of: --now, else the clock. */
int64_t heed_srv_now(const heed_server *srv);
/* The queue thread (queuepass.c): start, and stop (a pass under way ends
 * after its current part). */
int heed_srv_qp_start(heed_server *srv, heed_error *err);
void heed_srv_qp_stop(heed_server *srv);
/* Every customer decided again as of heed_srv_now, in parts of
 * --queue-chunk customers, each one transaction under the writers' lock,
 * released between parts; marks the stored queue complete at the end when
 * it was not. On st, the calling thread's handle. */
int heed_srv_queue_pass(heed_server *srv, heed_store *st, heed_error *err);
/* The marked customers (with with_due also those whose promise fell due
 * since they were decided) decided again as of heed_srv_now, in parts of
 * --queue-chunk customers, the lock released between parts. */
int heed_srv_queue_catch_up(heed_server *srv, heed_store *st, int with_due, heed_error *err);

/* After an ingest wrote new records: the identity pass and what follows it
 * run on the server's background thread (server.c), debounced. */
void heed_srv_ingested(heed_server *srv);
/* Starts and stops that thread (stop runs a pending pass first). */
int heed_srv_bg_start(heed_server *srv, heed_error *err);
void heed_srv_bg_stop(heed_server *srv);

/* The webhook thread (webhooks.c): start, stop, and the nudge the background
 * thread gives it after each identity pass (detect now). */
int heed_srv_wh_start(heed_server *srv, heed_error *err);
void heed_srv_wh_stop(heed_server *srv);
void heed_srv_wh_kick(heed_server *srv);

/* Ingest handlers (api_ingest.c). */
void heed_srv_h_ingest_messages(heed_srv_req *rq);
void heed_srv_h_ingest_events(heed_srv_req *rq);

/* Store-backed handlers (api_store.c). */
void heed_srv_h_queue(heed_srv_req *rq);
void heed_srv_h_queue_done(heed_srv_req *rq);
void heed_srv_h_journey(heed_srv_req *rq);
void heed_srv_h_links(heed_srv_req *rq);
void heed_srv_h_conversation(heed_srv_req *rq);
void heed_srv_h_agents(heed_srv_req *rq);
void heed_srv_h_agent(heed_srv_req *rq);
void heed_srv_h_team_trends(heed_srv_req *rq);
void heed_srv_h_trends(heed_srv_req *rq);

#endif
