/* server.c - the HTTP layer of `heed serve` on libmicrohttpd (the only file
 * that includes microhttpd.h): framing and size limits, routing, keys, roles
 * and rate limits, CORS, request ids, the access log, metrics, and a clean stop
 * that lets in-flight requests finish. Handlers are in api.c. */
#include "server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* The state of one request between libmicrohttpd's calls. */
typedef struct rqstate {
    heed_srv_req rq;
    int route;          /* index, -1 none */
    int started;        /* the first call is done */
    int answered;       /* a response was queued */
    int too_big;        /* the body passed the limit: 413 at the end */
    int status;         /* what was answered */
    int suspended;      /* the request's job is with the writer (or was) */
    int refused;        /* the writer was stopping: 503 on the next call */
    double t0;
    char rid[20];
    heed_buf body;
} rqstate;

static _Atomic uint64_t next_rid;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(heed_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(heed_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    err->pos = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ answers */

void heed_srv_reply_error(heed_srv_req *rq, const heed_srv_error *e)
{
    heed__buf_reset(&rq->out);
    heed_srv_error_json(&rq->out, e, rq->rid);
    heed__buf_addc(&rq->out, '\n');
    rq->status = e->status;
    rq->ctype = NULL;
}

static void add_common_headers(heed_server *S, struct MHD_Connection *c,
                               struct MHD_Response *r, const heed_srv_req *rq,
                               const char *rid)
{
    MHD_add_response_header(r, "X-Request-Id", rid);
    MHD_add_response_header(r, "Cache-Control",
                            rq->cache_control ? rq->cache_control : "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (rq->etag)
        MHD_add_response_header(r, "ETag", rq->etag);
    if (rq->is_page) {
        MHD_add_response_header(r, "Content-Security-Policy", HEED_SRV_WWW_CSP);
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    }
    if (S->o.cors_origin) {
        const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
        if (origin && (!strcmp(S->o.cors_origin, "*") || !strcmp(origin, S->o.cors_origin))) {
            MHD_add_response_header(r, "Access-Control-Allow-Origin", S->o.cors_origin);
            MHD_add_response_header(r, "Vary", "Origin");
        }
    }
}

/* Queues rq's answer (status, out, ctype); extra headers as name/value pairs
 * ending with NULL. */
static enum MHD_Result answer(rqstate *s, struct MHD_Connection *c, ...)
{
    heed_srv_req *rq = &s->rq;
    if (rq->out.err) { /* the answer did not fit in memory */
        heed__buf_release(&rq->out);
        heed__buf_init(&rq->out, 0);
        heed_srv_error e;
        heed_srv_error_set(&e, 500, "internal", NULL, "out of memory");
        heed_srv_reply_error(rq, &e);
    }
    size_t len = 0;
    char *body = heed__buf_take(&rq->out, &len);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE
                                                                         : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type",
                            rq->ctype ? rq->ctype : "application/json; charset=utf-8");
    add_common_headers(rq->srv, c, r, rq, s->rid);
    va_list ap;
    va_start(ap, c);
    for (const char *k; (k = va_arg(ap, const char *));) {
        const char *v = va_arg(ap, const char *);
        if (v)
            MHD_add_response_header(r, k, v);
    }
    va_end(ap);
    /* stopping: this connection takes no further request */
    if (atomic_load_explicit(&rq->srv->stopping, memory_order_relaxed))
        MHD_add_response_header(r, "Connection", "close");
    s->answered = 1;
    s->status = rq->status;
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rq->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result answer_error(rqstate *s, struct MHD_Connection *c, int status,
                                    const char *code, const char *hname, const char *hval,
                                    const char *msg)
{
    heed_srv_error e;
    heed_srv_error_set(&e, status, code, NULL, "%s", msg);
    heed_srv_reply_error(&s->rq, &e);
    return answer(s, c, hname, hval, (const char *)NULL);
}

/* ------------------------------------------------------------ stores */

static void close_store(void *p)
{
    heed_store_close(p);
}

int heed_srv_store(heed_srv_req *rq, heed_store **out, heed_error *err)
{
    heed_store *st = pthread_getspecific(rq->srv->store_tls);
    if (!st) {
        int rc = heed_store_open(rq->srv->o.db_path, &st, err);
        if (rc)
            return rc;
        pthread_setspecific(rq->srv->store_tls, st);
    }
    *out = st;
    return HEED_OK;
}

/* ------------------------------------------------------------ requests */

/* The writer's last touch of a job: the connection's next turn on its
 * request thread answers it (on_request). */
static void wake(heed_srv_job *j)
{
    MHD_resume_connection(j->conn);
}

/* After a handler set rq->job: suspend the connection (before the writer can
 * see the job, so that the writer's resume always finds it suspended), then
 * hand the job over. The request thread goes on with its other connections. */
static enum MHD_Result hand_over(heed_server *S, rqstate *s, struct MHD_Connection *c)
{
    heed_srv_job *j = s->rq.job;
    j->conn = c;
    j->wake = wake;
    s->suspended = 1;
    MHD_suspend_connection(c);
    if (heed_srv_writer_submit(&S->writer, j)) {
        /* stopping: nothing written; answered on the next call */
        s->rq.job = NULL;
        s->rq.job_end(NULL, j);
        s->refused = 1;
        MHD_resume_connection(c);
    }
    return MHD_YES;
}

/* The call after the writer woke the connection: the job's answer. */
static enum MHD_Result job_answer(rqstate *s, struct MHD_Connection *c)
{
    if (s->refused)
        return answer_error(s, c, 503, "unavailable", NULL, NULL,
                            "the server is stopping; send the request again when it is back");
    heed_srv_job *j = s->rq.job;
    if (!atomic_load_explicit(&j->done, memory_order_acquire)) {
        /* called before the writer is done (libmicrohttpd may take another
         * turn of a connection whose suspension a resume overtook): wait
         * again; the writer's wake resumes it */
        MHD_suspend_connection(c);
        return MHD_YES;
    }
    s->rq.job = NULL;
    heed__buf_reset(&s->rq.out);
    s->rq.status = 500;
    s->rq.job_end(&s->rq, j);
    return answer(s, c, (const char *)NULL);
}

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    heed_srv_req *rq = cls;
    if (rq->n_query == HEED_SRV_MAX_QUERY) {
        rq->query_overflow = 1;
        return MHD_NO;
    }
    rq->qname[rq->n_query] = key;
    rq->qval[rq->n_query++] = value ? value : "";
    return MHD_YES;
}

/* The presented key: "Authorization: Bearer KEY" or "X-Heed-Key: KEY". */
static const char *presented_key(struct MHD_Connection *c)
{
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (a && !strncasecmp(a, "Bearer ", 7)) {
        a += 7;
        while (*a == ' ')
            a++;
        return a;
    }
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Heed-Key");
}

/* 1 when a Transfer-Encoding value names chunked (any case). */
static int has_chunked(const char *te)
{
    for (; *te; te++)
        if (!strncasecmp(te, "chunked", 7))
            return 1;
    return 0;
}

/* The first call for a request: route, key, role, rate, framing. Returns
 * MHD_YES to read the body, or the result of queuing an early answer. */
static enum MHD_Result begin(heed_server *S, rqstate *s, struct MHD_Connection *c,
                             const char *url, const char *method)
{
    char allow[64];
    s->route = heed_srv_route_find(heed_srv_routes, heed_srv_n_routes, method, url,
                                   &s->rq.params, allow, sizeof allow);
    /* a request that begins after the stop was asked for is not served: a
     * kept-alive connection could otherwise hold the stop open for as long as
     * its client keeps sending (the answer closes the connection) */
    if (atomic_load_explicit(&S->stopping, memory_order_relaxed)) {
        return answer_error(s, c, 503, "unavailable", NULL, NULL,
                            "the server is stopping; send the request again when it is back");
    }
    if (!strcmp(method, "OPTIONS") && S->o.cors_origin && s->route == -2) {
        s->rq.status = 204;
        return answer(s, c, "Access-Control-Allow-Methods", allow, "Access-Control-Allow-Headers",
                      "Authorization, Content-Type, X-Heed-Key", "Access-Control-Max-Age",
                      "600", (const char *)NULL);
    }
    if (s->route == -1)
        return answer_error(s, c, 404, "not_found", NULL, NULL,
                            "no such endpoint; the API is described at /v1/openapi.json");
    if (s->route == -2)
        return answer_error(s, c, 405, "method_not_allowed", "Allow", allow,
                            "this endpoint does not take this method (see the Allow header)");
    const heed_srv_route *rt = &heed_srv_routes[s->route];
    s->rq.route = rt;
    s->rq.if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    if (rt->roles != HEED_SRV_PUBLIC) {
        const char *key = presented_key(c);
        if (!key || !*key)
            return answer_error(s, c, 401, "unauthorized", "WWW-Authenticate", "Bearer",
                                "an API key is required: Authorization: Bearer KEY");
        int retry = 0;
        int a = heed_srv_keys_check(S->keys, key, strlen(key), &s->rq.who, &retry);
        if (a == HEED_SRV_AUTH_UNKNOWN)
            return answer_error(s, c, 401, "unauthorized", "WWW-Authenticate", "Bearer",
                                "the API key is not valid (unknown or revoked)");
        s->rq.has_key = 1;
        if (!(rt->roles & s->rq.who.role))
            return answer_error(s, c, 403, "forbidden", NULL, NULL,
                                "this key's role may not use this endpoint");
        if (a == HEED_SRV_AUTH_LIMITED) {
            char ra[16];
            snprintf(ra, sizeof ra, "%d", retry);
            atomic_fetch_add_explicit(&S->metrics.rate_limited, 1, memory_order_relaxed);
            return answer_error(s, c, 429, "rate_limited", "Retry-After", ra,
                                "too many requests for this key; retry after the time in the "
                                "Retry-After header");
        }
    }
    if (!strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH")) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
        if (!cl && !(te && has_chunked(te)))
            return answer_error(s, c, 411, "length_required", NULL, NULL,
                                "a Content-Length header (or chunked encoding) is required");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (end == cl || *end || errno)
                return answer_error(s, c, 400, "bad_request", NULL, NULL,
                                    "the Content-Length header is not a number");
            if (n > S->o.max_body) {
                char msg[96];
                snprintf(msg, sizeof msg, "the body is over the limit of %zu bytes",
                         S->o.max_body);
                return answer_error(s, c, 413, "too_large", NULL, NULL, msg);
            }
        }
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (ct && strncasecmp(ct, "application/json", 16))
            return answer_error(s, c, 415, "unsupported_media_type", NULL, NULL,
                                "the body must be JSON (Content-Type: application/json)");
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    heed_server *S = cls;
    rqstate *s = *con_cls;
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return MHD_NO;
        *con_cls = s;
        s->t0 = mono();
        s->route = -1;
        snprintf(s->rid, sizeof s->rid, "%016llx",
                 (unsigned long long)atomic_fetch_add(&next_rid, 1) + 1);
        s->rq.srv = S;
        s->rq.rid = s->rid;
        s->rq.method = method;
        heed__buf_init(&s->rq.out, 0);
        heed__buf_init(&s->body, S->o.max_body);
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, &s->rq);
        atomic_fetch_add_explicit(&S->metrics.in_flight, 1, memory_order_relaxed);
        return begin(S, s, c, url, method);
    }
    if (s->suspended && !s->answered)
        return job_answer(s, c);
    if (s->answered) { /* answered early: drop the rest of the body */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        atomic_fetch_add_explicit(&S->metrics.body_bytes, *upload_data_size,
                                  memory_order_relaxed);
        if (!s->too_big) {
            heed__buf_add(&s->body, upload_data, *upload_data_size);
            if (s->body.err)
                s->too_big = 1;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (s->too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "the body is over the limit of %zu bytes", S->o.max_body);
        return answer_error(s, c, 413, "too_large", NULL, NULL, msg);
    }
    s->rq.body = s->body.ptr ? s->body.ptr : "";
    s->rq.body_len = s->body.len;
    s->rq.status = 500;
    s->rq.route->fn(&s->rq);
    if (s->rq.job)
        return hand_over(S, s, c);
    return answer(s, c, (const char *)NULL);
}

/* The access log: no bodies, no query strings, no key; the route's pattern
 * rather than the path, which may hold an identifier. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)c;
    heed_server *S = cls;
    rqstate *s = *con_cls;
    if (!s)
        return;
    *con_cls = NULL;
    double dt = mono() - s->t0;
    /* not answered: the client stalled past the timeout (408) or went away */
    int status = s->answered                                     ? s->status
                 : why == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408
                                                                 : 499;
    heed_srv_metrics_observe(&S->metrics, s->route, status, dt);
    atomic_fetch_sub_explicit(&S->metrics.in_flight, 1, memory_order_relaxed);
    if (!S->o.quiet) {
        char line[256], key[32] = "-";
        if (s->rq.has_key)
            snprintf(key, sizeof key, "%lld", (long long)s->rq.who.id);
        const heed_srv_route *rt = s->route >= 0 ? &heed_srv_routes[s->route] : NULL;
        int n = snprintf(line, sizeof line, "heed serve: %s %s %s %d %.3fms key=%s%s\n", s->rid,
                         rt ? rt->method : "-", rt ? rt->pattern : "(no route)", status,
                         dt * 1e3, key,
                         why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed)");
        if (n > 0)
            (void)!write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    }
    if (s->rq.job) {
        /* woken but not answered: the connection closed at the stop. A job
         * never leaves the writer unwoken while its connection can close
         * (the writer stops before the daemon). */
        heed_srv_job *j = s->rq.job;
        if (atomic_load_explicit(&j->done, memory_order_acquire))
            s->rq.job_end(NULL, j);
    }
    heed__buf_release(&s->rq.out);
    heed__buf_release(&s->body);
    free(s);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)c;
    (void)socket_context;
    heed_server *S = cls;
    atomic_fetch_add_explicit(&S->metrics.connections, toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1,
                              memory_order_relaxed);
}

/* fmt is libmicrohttpd's own format string */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[300];
    int n = snprintf(line, sizeof line, "heed serve: http: ");
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    size_t len = strlen(line);
    if (len && line[len - 1] != '\n' && len + 1 < sizeof line)
        line[len++] = '\n';
    (void)!write(STDERR_FILENO, line, len);
}

/* ------------------------------------------------------------ start, stop */

typedef struct address {
    struct sockaddr_storage sa;
    int is_v6, is_loopback;
    char host[64];
    unsigned port;
} address;

static int parse_listen(const char *s, address *a, heed_error *err)
{
    memset(a, 0, sizeof *a);
    const char *colon = strrchr(s, ':');
    size_t hl;
    const char *h = s;
    if (!colon)
        goto bad;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close + 1 != colon)
            goto bad;
        h = s + 1;
        hl = (size_t)(close - h);
        a->is_v6 = 1;
    } else {
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= sizeof a->host)
        goto bad;
    memcpy(a->host, h, hl);
    a->host[hl] = 0;
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || port > 65535)
        goto bad;
    a->port = (unsigned)port;
    if (a->is_v6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->sa;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, a->host, &in6->sin6_addr) != 1)
            goto bad;
        a->is_loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    } else {
        struct sockaddr_in *in4 = (struct sockaddr_in *)&a->sa;
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        if (!strcmp(a->host, "localhost"))
            strcpy(a->host, "127.0.0.1");
        if (inet_pton(AF_INET, a->host, &in4->sin_addr) != 1)
            goto bad;
        a->is_loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
    }
    return HEED_OK;
bad:
    fail(err, HEED_EINVAL,
         "--listen wants HOST:PORT with a numeric address (127.0.0.1:8080, [::1]:8080): '%s'",
         s);
    return HEED_EINVAL;
}

/* The writer committed records: the metrics, and the identity pass after. */
static void ingest_committed(void *arg, size_t added)
{
    heed_server *S = arg;
    atomic_fetch_add(&S->metrics.ingested, (uint64_t)added);
    if (added)
        heed_srv_ingested(S);
}

static void on_signal(int sig)
{
    (void)sig; /* never runs: the signals are blocked and taken by sigtimedwait */
}

int heed_server_run(const heed_server_opts *opts, heed_error *err)
{
    heed_server S = {.o = *opts};
    heed_server_opts *o = &S.o;
    if (!o->db_path) {
        fail(err, HEED_EINVAL, "--db is required (the store that holds the API keys)");
        return HEED_EINVAL;
    }
    if (!o->listen)
        o->listen = HEED_SRV_DEFAULT_LISTEN;
    if (!o->max_body)
        o->max_body = HEED_SRV_DEFAULT_MAX_BODY;
    if (!o->max_batch)
        o->max_batch = HEED_SRV_MAX_BATCH;
    if (!o->timeout_s)
        o->timeout_s = HEED_SRV_DEFAULT_TIMEOUT;
    if (o->rate == 0)
        o->rate = HEED_SRV_DEFAULT_RATE;
    if (!o->threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o->threads = n > 0 ? (unsigned)n : 1;
    }
    address addr;
    int rc = parse_listen(o->listen, &addr, err);
    if (rc)
        return rc;
    if (!addr.is_loopback && !o->is_public) {
        fail(err, HEED_EINVAL,
             "%s is not a loopback address: give --public to serve other machines (and put "
             "TLS in front)",
             addr.host);
        return HEED_EINVAL;
    }

    /* every thread started from here on (the writer, webhook and background
     * threads, the request threads) inherits a mask with the stop signals
     * blocked; this thread takes them with sigtimedwait. A thread that left
     * them open would get a signal that arrives while this one is not in
     * sigtimedwait (a key flush waiting on a locked store), and it would be
     * lost: the server would not stop. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    heed_store *st = NULL;
    unsigned char secret[HEED_STORE_SECRET_LEN];
    struct MHD_Daemon *d = NULL;
    int tls_made = 0;
    if ((rc = heed_store_open(o->db_path, &st, err)))
        goto out;
    if ((rc = heed_store_secret(st, secret, err)))
        goto out;
    memcpy(S.secret, secret, sizeof S.secret);
    if ((rc = heed_srv_keys_new(secret, o->rate > 0 ? o->rate : 0, o->burst, &S.keys))) {
        fail(err, rc, "cannot set up the key table: %s", heed_strerror(rc));
        goto out;
    }
    if ((rc = heed_srv_keys_load(S.keys, st, err)))
        goto out;
    if (heed_srv_metrics_init(&S.metrics, heed_srv_n_routes)) {
        rc = HEED_ENOMEM;
        fail(err, rc, "out of memory");
        goto out;
    }
    if ((rc = heed_engine_new(NULL, &S.eng, err)))
        goto out;
    if (pthread_key_create(&S.store_tls, close_store)) {
        rc = HEED_ENOMEM;
        fail(err, rc, "cannot make a thread-local slot");
        goto out;
    }
    tls_made = 1;
    pthread_mutex_init(&S.write_mu, NULL);
    if ((rc = heed_srv_writer_start(&S.writer, o->db_path, &S.write_mu, ingest_committed, &S,
                                    err)))
        goto out;
    if ((rc = heed_srv_wh_start(&S, err)))
        goto out;
    if ((rc = heed_srv_bg_start(&S, err)))
        goto out;
    if ((rc = heed_srv_qp_start(&S, err)))
        goto out;

    /* suspend/resume: ingest requests wait for the writer with their
     * connection suspended (the internal threads learn of a resume through
     * the inter-thread channel, MHD_USE_ITC, which this flag implies) */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO | (addr.is_v6 ? MHD_USE_IPv6 : 0);
    d = MHD_start_daemon(
        flags, (uint16_t)addr.port, NULL, NULL, on_request, &S, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, &S, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr.sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)(o->threads > 1 ? o->threads : 0), MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)o->timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)HEED_SRV_MAX_CONNECTIONS, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)512,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEED_SRV_CONNECTION_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &S, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, &S, MHD_OPTION_END);
    if (!d) {
        rc = HEED_EIO;
        fail(err, rc, "cannot listen on %s (in use, or not an address of this machine)",
             o->listen);
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : addr.port;
    printf("heed serve: listening on http://%s%s%s:%u\n", addr.is_v6 ? "[" : "", addr.host,
           addr.is_v6 ? "]" : "", port);
    fflush(stdout);

    /* reload the keys (new, revoked) and record their last use every 2 s */
    for (;;) {
        struct timespec wait = {2, 0};
        int sig = sigtimedwait(&stop, NULL, &wait);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        heed_error le = {0};
        if (heed_srv_keys_flush(S.keys, st, &le) || heed_srv_keys_load(S.keys, st, &le))
            fprintf(stderr, "heed serve: keys not refreshed: %s\n", le.msg);
    }
    fprintf(stderr, "heed serve: stopping; letting in-flight requests finish\n");
    atomic_store(&S.stopping, 1);
    /* no new connections; the listening socket is ours to close once the
     * daemon has stopped */
    MHD_socket ls = MHD_quiesce_daemon(d);
    double until = mono() + HEED_SRV_DRAIN_SECONDS;
    while (atomic_load(&S.metrics.in_flight) > 0 && mono() < until) {
        struct timespec ms = {0, 10 * 1000 * 1000};
        nanosleep(&ms, NULL);
    }
    /* the writer writes and wakes every job it holds (none is left
     * suspended: libmicrohttpd must not be stopped with a suspended
     * connection) and refuses later ones */
    heed_srv_writer_stop(&S.writer);
    /* the connections left are idle keep-alive ones (or a client past the
     * drain limit): closed here */
    MHD_stop_daemon(d);
    d = NULL;
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    heed_srv_keys_flush(S.keys, st, NULL);
    fprintf(stderr, "heed serve: stopped\n");
    rc = HEED_OK;
out:
    heed_srv_writer_stop(&S.writer);
    if (d)
        MHD_stop_daemon(d);
    heed_srv_writer_release(&S.writer); /* the request threads are gone */
    heed_srv_bg_stop(&S);
    /* before the webhook thread: a pass of the queue it runs ends too */
    heed_srv_qp_stop(&S);
    heed_srv_wh_stop(&S);
    if (tls_made) {
        /* the request threads closed their stores as they ended */
        pthread_key_delete(S.store_tls);
        pthread_mutex_destroy(&S.write_mu);
    }
    heed_engine_free(S.eng);
    heed_srv_metrics_release(&S.metrics);
    heed_srv_keys_free(S.keys);
    heed_store_close(st);
    memset(S.secret, 0, sizeof S.secret);
    memset(secret, 0, sizeof secret);
    pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
    return rc;
}
