/* server.h - `heed serve`: the HTTP API (docs/api.md) on libmicrohttpd. The
 * CLI fills the options and calls heed_server_run, which serves until SIGINT
 * or SIGTERM. */
#ifndef HEED_SERVER_H
#define HEED_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

/* Defaults of the options below, each a named limit (docs/api.md). */
#define HEED_SRV_DEFAULT_LISTEN "127.0.0.1:8080"
#define HEED_SRV_DEFAULT_MAX_BODY ((size_t)1 << 20) /* bytes of one request body */
#define HEED_SRV_DEFAULT_TIMEOUT 10                 /* idle seconds per connection */
#define HEED_SRV_DEFAULT_RATE 100.0                 /* requests per second per key */
#define HEED_SRV_MAX_CONNECTIONS 1024
/* Memory libmicrohttpd gives each connection for its headers and read buffer
 * (the body streams through it in pieces); ample for API requests' headers, and
 * half libmicrohttpd's default. Headers that do not fit get 431. */
#define HEED_SRV_CONNECTION_MEMORY ((size_t)16 << 10)
#define HEED_SRV_DRAIN_SECONDS 10 /* longest wait for in-flight requests at stop */
/* The act-now queue's periodic pass (docs/api.md, "The queue"): every
 * customer decided again as of the clock, since time alone moves decisions
 * (stress fades, waits grow, promises fall due), in parts of this many
 * customers, each one transaction under the writers' lock. */
#define HEED_SRV_QUEUE_INTERVAL_S 300
#define HEED_SRV_QUEUE_CHUNK 500
#define HEED_SRV_QUEUE_PAUSE_MS 2 /* between two parts: waiting writers go first */

typedef struct heed_server_opts {
    const char *db_path;  /* the store (API keys); required */
    const char *listen;   /* "HOST:PORT" (IPv4 or [IPv6]); NULL: the default;
                           * port 0 picks a free port */
    int is_public;        /* allow a non-loopback address */
    unsigned threads;     /* request threads; 0: the number of cores */
    size_t max_body;      /* 0: HEED_SRV_DEFAULT_MAX_BODY */
    size_t max_batch;     /* messages per batch; 0: HEED_SRV_MAX_BATCH */
    double rate;          /* per key per second; 0: the default; < 0: no limit */
    double burst;         /* the bucket's size; 0: the rate */
    unsigned timeout_s;   /* 0: HEED_SRV_DEFAULT_TIMEOUT */
    const char *cors_origin; /* NULL: no CORS headers */
    int quiet;            /* no access log */
    /* outgoing webhooks (docs/api.md, "Webhooks") */
    int64_t now;          /* the time the act-now queue is decided as of (webhook
                           * detection, the periodic pass, GET /v1/queue
                           * without now); 0: the clock (tests give a fixed
                           * time) */
    unsigned queue_interval_s; /* the periodic pass over every customer starts
                                * this long after the last; 0: 300 */
    unsigned queue_chunk;      /* customers per transaction of that pass; 0: 500 */
    unsigned webhook_interval_s; /* detection at least this often; 0: 60 */
    unsigned webhook_backoff_ms; /* the first retry's delay; 0: 10000 */
} heed_server_opts;

/* Opens the store, starts the server, prints "heed serve: listening on
 * http://HOST:PORT" on stdout and serves until SIGINT or SIGTERM, then stops
 * taking connections, lets in-flight requests finish and returns HEED_OK.
 * Errors (bad address, port in use, store) return a HEED_E* code with err->msg. */
int heed_server_run(const heed_server_opts *o, heed_error *err);

#endif
