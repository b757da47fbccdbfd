/* metrics.h - the server's counters, updated lock-free from every request
 * thread and written as Prometheus text for GET /metrics. */
#ifndef HEED_METRICS_H
#define HEED_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "router.h"

#define HEED_SRV_N_BUCKETS 12 /* latency histogram buckets, + the +Inf one */

typedef struct heed_srv_metrics {
    size_t n_routes;              /* slot n_routes counts requests of no route */
    _Atomic uint64_t *requests;   /* [(n_routes + 1) * HEED_SRV_N_STATUS] */
    _Atomic uint64_t *buckets;    /* [(n_routes + 1) * (HEED_SRV_N_BUCKETS + 1)] */
    _Atomic uint64_t *sum_us;     /* [n_routes + 1]: total latency, microseconds */
    _Atomic uint64_t analyses;    /* messages analysed (a batch counts each) */
    _Atomic uint64_t analysis_errors; /* messages refused (bad item, bad text) */
    _Atomic uint64_t ingested;    /* records written to the store (ingest) */
    _Atomic uint64_t body_bytes;  /* request body bytes received */
    _Atomic uint64_t rate_limited;
    _Atomic uint64_t webhook_ok;     /* webhook attempts answered 2xx */
    _Atomic uint64_t webhook_failed; /* webhook attempts that were not */
    /* the act-now queue: refreshes of every customer in one transaction, of
     * the marked customers only, and the periodic pass's parts and passes */
    _Atomic uint64_t queue_full, queue_incremental, queue_chunks, queue_passes;
    _Atomic uint64_t queue_decided_incremental; /* customers those decided */
    _Atomic uint64_t queue_chunk_lock_us;     /* writers' lock held by the parts */
    _Atomic uint64_t queue_chunk_lock_us_max; /* the longest part */
    _Atomic int64_t in_flight;    /* requests received and not yet answered */
    _Atomic int64_t connections;  /* open connections */
    int64_t started;              /* Unix seconds */
} heed_srv_metrics;

/* Returns 0 or -1 (out of memory). */
int heed_srv_metrics_init(heed_srv_metrics *m, size_t n_routes);
void heed_srv_metrics_release(heed_srv_metrics *m);
/* One answered request: route index (-1: none), HTTP status, latency. */
void heed_srv_metrics_observe(heed_srv_metrics *m, int route, int status, double seconds);
/* Appends the Prometheus text exposition (format 0.0.4). */
void heed_srv_metrics_render(const heed_srv_metrics *m, const heed_srv_route *routes,
                             heed_buf *b);

#endif
