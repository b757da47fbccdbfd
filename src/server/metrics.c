/* metrics.c - request counters by route and status, a latency histogram per
 * route and the analysis counters (metrics.h). Relaxed atomics: a scrape may
 * see one request counted in the total but not yet in its bucket. */
#include "metrics.h"

#include <stdlib.h>
#include <time.h>

static const int STATUS[] = {200, 204, 400, 401, 403, 404, 405, 408, 411,
                             413, 415, 429, 500, 503, 0 /* other */};
#define HEED_SRV_N_STATUS (sizeof STATUS / sizeof STATUS[0])

static const double BOUNDS[HEED_SRV_N_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                  0.01,   0.02,    0.05,   0.1,   0.5,    2.0};

int heed_srv_metrics_init(heed_srv_metrics *m, size_t n_routes)
{
    *m = (heed_srv_metrics){.n_routes = n_routes, .started = (int64_t)time(NULL)};
    m->requests = calloc((n_routes + 1) * HEED_SRV_N_STATUS, sizeof *m->requests);
    m->buckets = calloc((n_routes + 1) * (HEED_SRV_N_BUCKETS + 1), sizeof *m->buckets);
    m->sum_us = calloc(n_routes + 1, sizeof *m->sum_us);
    if (!m->requests || !m->buckets || !m->sum_us) {
        heed_srv_metrics_release(m);
        return -1;
    }
    return 0;
}

void heed_srv_metrics_release(heed_srv_metrics *m)
{
    free(m->requests);
    free(m->buckets);
    free(m->sum_us);
    m->requests = m->buckets = m->sum_us = NULL;
}

void heed_srv_metrics_observe(heed_srv_metrics *m, int route, int status, double seconds)
{
    size_t r = route >= 0 && (size_t)route < m->n_routes ? (size_t)route : m->n_routes;
    size_t s = 0;
    while (s + 1 < HEED_SRV_N_STATUS && STATUS[s] != status)
        s++;
    atomic_fetch_add_explicit(&m->requests[r * HEED_SRV_N_STATUS + s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < HEED_SRV_N_BUCKETS && seconds > BOUNDS[b])
        b++;
    atomic_fetch_add_explicit(&m->buckets[r * (HEED_SRV_N_BUCKETS + 1) + b], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us[r], (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

static uint64_t ld(const _Atomic uint64_t *p)
{
    return atomic_load_explicit(p, memory_order_relaxed);
}

static void route_label(heed_buf *b, const heed_srv_route *routes, size_t r, size_t n)
{
    if (r < n)
        heed__buf_printf(b, "route=\"%s %s\"", routes[r].method, routes[r].pattern);
    else
        heed__buf_adds(b, "route=\"none\"");
}

void heed_srv_metrics_render(const heed_srv_metrics *m, const heed_srv_route *routes,
                             heed_buf *b)
{
    size_t n = m->n_routes;
    heed__buf_adds(b, "# HELP heed_http_requests_total HTTP requests answered, by route and "
                      "status.\n# TYPE heed_http_requests_total counter\n");
    for (size_t r = 0; r <= n; r++)
        for (size_t s = 0; s < HEED_SRV_N_STATUS; s++) {
            uint64_t v = ld(&m->requests[r * HEED_SRV_N_STATUS + s]);
            if (!v)
                continue;
            heed__buf_adds(b, "heed_http_requests_total{");
            route_label(b, routes, r, n);
            if (STATUS[s])
                heed__buf_printf(b, ",status=\"%d\"} %llu\n", STATUS[s], (unsigned long long)v);
            else
                heed__buf_printf(b, ",status=\"other\"} %llu\n", (unsigned long long)v);
        }
    heed__buf_adds(b, "# HELP heed_http_request_duration_seconds Time from the request's "
                      "headers to its answer, by route.\n"
                      "# TYPE heed_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= n; r++) {
        const _Atomic uint64_t *bk = &m->buckets[r * (HEED_SRV_N_BUCKETS + 1)];
        uint64_t cum = 0;
        for (size_t i = 0; i <= HEED_SRV_N_BUCKETS; i++)
            cum += ld(&bk[i]);
        if (!cum)
            continue;
        cum = 0;
        for (size_t i = 0; i <= HEED_SRV_N_BUCKETS; i++) {
            cum += ld(&bk[i]);
            heed__buf_adds(b, "heed_http_request_duration_seconds_bucket{");
            route_label(b, routes, r, n);
            if (i < HEED_SRV_N_BUCKETS)
                heed__buf_printf(b, ",le=\"%g\"} %llu\n", BOUNDS[i], (unsigned long long)cum);
            else
                heed__buf_printf(b, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
        }
        heed__buf_adds(b, "heed_http_request_duration_seconds_sum{");
        route_label(b, routes, r, n);
        heed__buf_printf(b, "} %.6f\n", (double)ld(&m->sum_us[r]) / 1e6);
        heed__buf_adds(b, "heed_http_request_duration_seconds_count{");
        route_label(b, routes, r, n);
        heed__buf_printf(b, "} %llu\n", (unsigned long long)cum);
    }
    heed__buf_printf(
        b,
        "# HELP heed_analyses_total Messages analysed (rate() gives analyses per second).\n"
        "# TYPE heed_analyses_total counter\nheed_analyses_total %llu\n"
        "# HELP heed_analysis_errors_total Messages refused: bad batch items, bad text.\n"
        "# TYPE heed_analysis_errors_total counter\nheed_analysis_errors_total %llu\n"
        "# HELP heed_ingested_total Records written to the store through the API (rate() "
        "gives the ingest rate).\n"
        "# TYPE heed_ingested_total counter\nheed_ingested_total %llu\n"
        "# HELP heed_http_request_body_bytes_total Request body bytes received.\n"
        "# TYPE heed_http_request_body_bytes_total counter\n"
        "heed_http_request_body_bytes_total %llu\n"
        "# HELP heed_rate_limited_total Requests refused by a key's rate limit.\n"
        "# TYPE heed_rate_limited_total counter\nheed_rate_limited_total %llu\n"
        "# HELP heed_webhook_deliveries_total Webhook delivery attempts: ok (answered 2xx) "
        "or failed (another status, or no answer; retried with backoff).\n"
        "# TYPE heed_webhook_deliveries_total counter\n"
        "heed_webhook_deliveries_total{result=\"ok\"} %llu\n"
        "heed_webhook_deliveries_total{result=\"failed\"} %llu\n"
        "# HELP heed_http_in_flight_requests Requests received and not yet answered (the "
        "queue).\n# TYPE heed_http_in_flight_requests gauge\nheed_http_in_flight_requests "
        "%lld\n"
        "# HELP heed_http_open_connections Open client connections.\n"
        "# TYPE heed_http_open_connections gauge\nheed_http_open_connections %lld\n"
        "# HELP heed_start_time_seconds When the server started, Unix seconds.\n"
        "# TYPE heed_start_time_seconds gauge\nheed_start_time_seconds %lld\n",
        (unsigned long long)ld(&m->analyses), (unsigned long long)ld(&m->analysis_errors),
        (unsigned long long)ld(&m->ingested), (unsigned long long)ld(&m->body_bytes),
        (unsigned long long)ld(&m->rate_limited), (unsigned long long)ld(&m->webhook_ok),
        (unsigned long long)ld(&m->webhook_failed),
        (long long)atomic_load_explicit(&m->in_flight, memory_order_relaxed),
        (long long)atomic_load_explicit(&m->connections, memory_order_relaxed),
        (long long)m->started);
    heed__buf_printf(
        b,
        "# HELP heed_queue_refreshes_total Refreshes of the act-now queue: full (every "
        "customer in one transaction: its first computation, or a GET /v1/queue with "
        "another now), incremental (only the customers something came in for, or whose "
        "promise fell due), chunk (a part of the periodic pass).\n"
        "# TYPE heed_queue_refreshes_total counter\n"
        "heed_queue_refreshes_total{kind=\"full\"} %llu\n"
        "heed_queue_refreshes_total{kind=\"incremental\"} %llu\n"
        "heed_queue_refreshes_total{kind=\"chunk\"} %llu\n"
        "# HELP heed_queue_incremental_customers_total Customers the incremental "
        "refreshes decided again.\n"
        "# TYPE heed_queue_incremental_customers_total counter\n"
        "heed_queue_incremental_customers_total %llu\n"
        "# HELP heed_queue_passes_total Periodic passes over every customer completed.\n"
        "# TYPE heed_queue_passes_total counter\nheed_queue_passes_total %llu\n"
        "# HELP heed_queue_chunk_lock_seconds_total Time the periodic pass's parts held "
        "the writers' lock (ingest waits meanwhile).\n"
        "# TYPE heed_queue_chunk_lock_seconds_total counter\n"
        "heed_queue_chunk_lock_seconds_total %.6f\n"
        "# HELP heed_queue_chunk_lock_seconds_max The longest a part held it.\n"
        "# TYPE heed_queue_chunk_lock_seconds_max gauge\n"
        "heed_queue_chunk_lock_seconds_max %.6f\n",
        (unsigned long long)ld(&m->queue_full), (unsigned long long)ld(&m->queue_incremental),
        (unsigned long long)ld(&m->queue_chunks),
        (unsigned long long)ld(&m->queue_decided_incremental),
        (unsigned long long)ld(&m->queue_passes), (double)ld(&m->queue_chunk_lock_us) / 1e6,
        (double)ld(&m->queue_chunk_lock_us_max) / 1e6);
}
