/* webhooks.c - the webhook thread of `heed serve` (webhooks.h): after each
 * identity pass of the background thread, and every interval, it refreshes
 * the act-now queue, announces customers who entered it and promises that
 * broke (once each, remembered in the store), then posts the due
 * announcements, signed, retrying with backoff. Network waits happen here
 * only, never under the writers' lock nor in a request. */
#include "webhooks.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpout.h"
#include "journeyview.h"
#include "jsonout.h"
#include "person.h"
#include "server_int.h"

int heed_wh_secret_generate(char out[HEED_WH_SECRET_LEN + 1])
{
    if (sodium_init() < 0)
        return -1;
    unsigned char raw[HEED_WH_SECRET_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, HEED_WH_SECRET_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

void heed_wh_sign(const char *secret, const char *timestamp, const char *body, size_t len,
                  char out[HEED_WH_SIGNATURE_LEN + 1])
{
    crypto_auth_hmacsha256_state s;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&s, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&s, (const unsigned char *)timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&s, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&s, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&s, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}

int64_t heed_wh_backoff_ms(unsigned base_ms, int retry)
{
    int64_t d = base_ms;
    for (int i = 1; i < retry; i++)
        d *= 3;
    return d;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ detection */

typedef struct hook {
    int64_t id;
    int on_queue, on_promise;
} hook;

typedef struct hooks {
    hook *v;
    size_t n, cap;
} hooks;

static int has_event(const char *list, const char *ev)
{
    size_t n = strlen(ev);
    for (const char *p = list; p && *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && !memcmp(p, ev, n))
            return 1;
        p += l + (p[l] == ',');
    }
    return 0;
}

static int add_hook(void *ctx, const heed_st_webhook *w)
{
    hooks *H = ctx;
    if (H->n == H->cap) {
        size_t cap = H->cap ? 2 * H->cap : 8;
        hook *v = realloc(H->v, cap * sizeof *v);
        if (!v)
            return HEED_ENOMEM;
        H->v = v;
        H->cap = cap;
    }
    H->v[H->n++] = (hook){w->id, has_event(w->events, HEED_WH_EVENT_QUEUE),
                          has_event(w->events, HEED_WH_EVENT_PROMISE)};
    return 0;
}

typedef struct cand {
    int64_t person;
    double score;
    int broken;
    char *crm, *reasons;
} cand;

static void cands_free(cand *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].crm);
        free(c[i].reasons);
    }
    free(c);
}

/* The customers in the queue or with broken promises (copies). */
static int read_cands(heed_store *st, cand **out, size_t *n_out, heed_error *err)
{
    *out = NULL;
    *n_out = 0;
    heed_st_cursor *c = NULL;
    int rc = heed_store_queue(st, (size_t)1 << 30, 1, &c, err);
    if (rc)
        return rc;
    cand *v = NULL;
    size_t n = 0, cap = 0;
    heed_st_state s;
    int r;
    while ((r = heed_st_next_state(c, &s)) == 1) {
        if (s.score < HEED_WH_QUEUE_SCORE && !s.broken)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            cand *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                rc = HEED_ENOMEM;
                break;
            }
            v = nv;
        }
        cand *x = &v[n++];
        *x = (cand){.person = s.person, .score = s.score, .broken = s.broken};
        x->crm = s.crm ? strdup(s.crm) : NULL;
        x->reasons = strdup(s.reasons ? s.reasons : "");
        if (!x->reasons || (s.crm && !x->crm)) {
            rc = HEED_ENOMEM;
            break;
        }
    }
    if (!rc && r < 0)
        rc = HEED_EIO;
    heed_st_cursor_free(c);
    if (rc) {
        cands_free(v, n);
        return rc;
    }
    *out = v;
    *n_out = n;
    return HEED_OK;
}

/* A reference to the customer that GET /v1/customers/{ref}/journey takes and
 * that stays with them when the identity pass renumbers persons (a relink,
 * an unmerge): the CRM id when known, else the id of their earliest
 * conversation; NULL when they have neither. P is the person's rows. */
static const char *stable_ref(const cand *c, const heed_person *P)
{
    if (c->crm)
        return c->crm;
    const heed_pmsg *first = NULL;
    for (size_t i = 0; i < P->n_msgs; i++)
        if (heed_person_str(P, P->msgs[i].conv_ext) &&
            (!first || P->msgs[i].time < first->time))
            first = &P->msgs[i];
    return first ? heed_person_str(P, first->conv_ext) : NULL;
}

static void json_string_or_null(heed_buf *b, const char *s)
{
    if (s)
        heed_json_string(b, s, strlen(s));
    else
        heed__buf_adds(b, "null");
}

/* {"event","customer","crm","ref": the person number (which an identity pass
 * may change), the CRM id or null, and stable_ref(). */
static void payload_head(heed_buf *b, const char *event, const cand *c, const heed_person *P)
{
    heed__buf_adds(b, "{\"event\":");
    heed_json_string(b, event, strlen(event));
    heed__buf_printf(b, ",\"customer\":%lld,\"crm\":", (long long)c->person);
    json_string_or_null(b, c->crm);
    heed__buf_adds(b, ",\"ref\":");
    json_string_or_null(b, stable_ref(c, P));
}

/* Queues the payload for every webhook of the event. */
static int enqueue(heed_store *st, const hooks *H, const char *event, int64_t customer,
                   const heed_buf *b, heed_error *err)
{
    if (b->err)
        return HEED_ENOMEM;
    int64_t t = now_ms();
    for (size_t i = 0; i < H->n; i++) {
        int on = !strcmp(event, HEED_WH_EVENT_QUEUE) ? H->v[i].on_queue : H->v[i].on_promise;
        if (!on)
            continue;
        heed_st_delivery d = {.webhook = H->v[i].id, .event = event, .customer = customer,
                              .payload = b->ptr, .next_try = t, .created = t / 1000};
        int rc = heed_store_delivery_add(st, &d, NULL, err);
        if (rc)
            return rc;
    }
    return HEED_OK;
}

static int announce_queue(heed_store *st, const hooks *H, const cand *c, int64_t now,
                          heed_person *P, heed_buf *b, heed_error *err)
{
    int is_new = 0;
    int rc = heed_store_webhook_seen_add(st, HEED_WH_EVENT_QUEUE, c->person, "in", now,
                                         &is_new, err);
    if (rc || !is_new)
        return rc;
    /* without a CRM id the reference comes from the person's rows */
    heed_person_clear(P);
    if (!c->crm && (rc = heed_person_load(st, c->person, 0, P, err)))
        return rc;
    heed__buf_reset(b);
    payload_head(b, HEED_WH_EVENT_QUEUE, c, P);
    heed__buf_adds(b, ",\"score\":");
    heed_json_number(b, c->score);
    heed__buf_adds(b, ",\"reasons\":[");
    const char *p = c->reasons;
    for (int first = 1; *p;) {
        size_t l = strcspn(p, "\n");
        if (l) {
            if (!first)
                heed__buf_addc(b, ',');
            heed_json_string(b, p, l);
            first = 0;
        }
        p += l + (p[l] == '\n');
    }
    heed__buf_adds(b, "],\"at\":");
    heed_json_time(b, now);
    heed__buf_addc(b, '}');
    return enqueue(st, H, HEED_WH_EVENT_QUEUE, c->person, b, err);
}

static int announce_promises(heed_store *st, const hooks *H, const cand *c, int64_t now,
                             heed_person *P, heed_buf *b, heed_error *err)
{
    int rc = heed_person_load(st, c->person, 0, P, err);
    if (!rc)
        rc = heed_person_decide(P, now, err);
    for (size_t i = 0; !rc && i < P->n_proms; i++) {
        if (P->pm[i].status != HEED_PM_BROKEN)
            continue;
        const heed_pprom *p = &P->proms[i];
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)p->id);
        int is_new = 0;
        rc = heed_store_webhook_seen_add(st, HEED_WH_EVENT_PROMISE, c->person, key, now,
                                         &is_new, err);
        if (rc || !is_new)
            continue;
        heed__buf_reset(b);
        payload_head(b, HEED_WH_EVENT_PROMISE, c, P);
        heed__buf_printf(b, ",\"promise\":{\"kind\":\"%s\",\"conversation\":",
                         heed_view_promise_names[p->p.kind]);
        json_string_or_null(b, heed_person_str(P, p->conv_ext));
        heed__buf_adds(b, ",\"message\":");
        json_string_or_null(b, heed_person_str(P, p->msg_ext));
        heed__buf_adds(b, ",\"made\":");
        heed_json_time(b, p->p.made);
        heed__buf_adds(b, ",\"due\":");
        heed_json_time(b, P->pm[i].due);
        heed__buf_adds(b, ",\"text\":");
        const char *t = heed_person_str(P, p->text);
        heed_json_string(b, t ? t : "", t ? strlen(t) : 0);
        heed__buf_adds(b, "},\"at\":");
        heed_json_time(b, now);
        heed__buf_addc(b, '}');
        rc = enqueue(st, H, HEED_WH_EVENT_PROMISE, c->person, b, err);
    }
    return rc;
}

/* Brings the queue up to date as of now and queues the new announcements;
 * nothing when no webhook is configured. Only the customers marked since
 * they were decided and those whose promise fell due are decided again, in
 * parts that each hold the writers' lock briefly (the periodic pass of
 * queuepass.c moves the others, and kicks this thread when it ends); a
 * queue never computed is first computed in the same parts. */
static int detect(heed_server *S, heed_store *st, heed_error *err)
{
    hooks H = {0};
    int rc = heed_store_webhooks(st, 1, add_hook, &H, err);
    if (rc || !H.n) {
        free(H.v);
        return rc;
    }
    int64_t now = heed_srv_now(S);
    cand *c = NULL;
    size_t n = 0;
    heed_person P;
    heed_person_init(&P);
    heed_buf b;
    heed__buf_init(&b, 0);
    if (!heed_queue_as_of(st))
        rc = heed_srv_queue_pass(S, st, err);
    if (!rc)
        rc = heed_srv_queue_catch_up(S, st, 1, err);
    pthread_mutex_lock(&S->write_mu);
    if (!rc)
        rc = read_cands(st, &c, &n, err);
    if (!rc)
        rc = heed_store_begin(st, err);
    if (!rc) {
        rc = heed_store_webhook_seen_prune(st, HEED_WH_QUEUE_SCORE, err);
        for (size_t i = 0; !rc && i < n; i++) {
            if (c[i].score >= HEED_WH_QUEUE_SCORE)
                rc = announce_queue(st, &H, &c[i], now, &P, &b, err);
            if (!rc && c[i].broken)
                rc = announce_promises(st, &H, &c[i], now, &P, &b, err);
        }
        if (!rc)
            rc = heed_store_commit(st, err);
        else
            heed_store_rollback(st);
    }
    pthread_mutex_unlock(&S->write_mu);
    if (rc && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
    heed__buf_release(&b);
    heed_person_release(&P);
    cands_free(c, n);
    free(H.v);
    return rc;
}

/* ------------------------------------------------------------ delivery */

typedef struct due {
    int64_t id;
    int attempt;
    char *event, *payload, *url, *secret;
} due;

typedef struct dues {
    due v[HEED_WH_BATCH];
    size_t n;
} dues;

static int add_due(void *ctx, const heed_st_delivery *d)
{
    dues *D = ctx;
    if (D->n == HEED_WH_BATCH)
        return 1;
    due *x = &D->v[D->n++];
    *x = (due){.id = d->id, .attempt = d->attempt};
    x->event = strdup(d->event ? d->event : "");
    x->payload = strdup(d->payload ? d->payload : "");
    x->url = strdup(d->url ? d->url : "");
    x->secret = strdup(d->secret ? d->secret : "");
    return x->event && x->payload && x->url && x->secret ? 0 : HEED_ENOMEM;
}

static void dues_free(dues *D)
{
    for (size_t i = 0; i < D->n; i++) {
        free(D->v[i].event);
        free(D->v[i].payload);
        free(D->v[i].url);
        free(D->v[i].secret);
    }
    D->n = 0;
}

static void deliver_one(heed_server *S, heed_store *st, const due *d)
{
    char msg[256] = "", ts[24], sig[HEED_WH_SIGNATURE_LEN + 1];
    char h_event[64], h_id[48], h_ts[48], h_sig[32 + HEED_WH_SIGNATURE_LEN];
    int status = 0, attempt = d->attempt + 1;
    heed_httpout_url u;
    int64_t t = (int64_t)time(NULL);
    snprintf(ts, sizeof ts, "%lld", (long long)t);
    size_t len = strlen(d->payload);
    int ok = 0;
    if (heed_httpout_parse(d->url, &u, msg, sizeof msg) == 0) {
        heed_wh_sign(d->secret, ts, d->payload, len, sig);
        snprintf(h_event, sizeof h_event, "X-Heed-Event: %s", d->event);
        snprintf(h_id, sizeof h_id, "X-Heed-Delivery: %lld", (long long)d->id);
        snprintf(h_ts, sizeof h_ts, "X-Heed-Timestamp: %s", ts);
        snprintf(h_sig, sizeof h_sig, "X-Heed-Signature: %s", sig);
        const char *hdr[] = {h_event, h_id, h_ts, h_sig};
        if (heed_httpout_post(&u, hdr, 4, d->payload, len, HEED_WH_TIMEOUT_MS, &status, msg,
                              sizeof msg) == 0) {
            ok = status >= 200 && status < 300;
            if (!ok)
                snprintf(msg, sizeof msg, "HTTP %d", status);
        }
    }
    atomic_fetch_add_explicit(ok ? &S->metrics.webhook_ok : &S->metrics.webhook_failed, 1,
                              memory_order_relaxed);
    int64_t next = 0;
    if (!ok && attempt < HEED_WH_ATTEMPTS)
        next = now_ms() + heed_wh_backoff_ms(S->o.webhook_backoff_ms, attempt);
    heed_error err = {0};
    if (heed_store_delivery_attempt(st, d->id, attempt, t, status, ok ? NULL : msg, next,
                                    ok ? t : 0, &err))
        fprintf(stderr, "heed serve: webhook delivery %lld not logged: %s\n", (long long)d->id,
                err.msg);
    if (!ok && !next)
        fprintf(stderr, "heed serve: webhook delivery %lld given up after %d attempts: %s\n",
                (long long)d->id, attempt, msg);
}

/* Posts every due delivery. The earliest next try afterwards in *next (ms),
 * 0 when none. */
static void deliver(heed_server *S, heed_store *st, int64_t *next)
{
    *next = 0;
    dues *D = calloc(1, sizeof *D);
    if (!D)
        return;
    for (;;) {
        heed_error err = {0};
        pthread_mutex_lock(&S->wh.mu);
        int stop = S->wh.stop;
        pthread_mutex_unlock(&S->wh.mu);
        if (stop)
            break;
        int rc = heed_store_deliveries_due(st, now_ms(), HEED_WH_BATCH, add_due, D, &err);
        if (rc < 0) {
            fprintf(stderr, "heed serve: webhook deliveries: %s\n", err.msg);
            dues_free(D);
            break;
        }
        if (!D->n)
            break;
        for (size_t i = 0; i < D->n; i++)
            deliver_one(S, st, &D->v[i]);
        dues_free(D);
    }
    free(D);
    int any = 0;
    heed_error err = {0};
    if (heed_store_delivery_next(st, next, &any, &err) == HEED_OK && !any)
        *next = 0;
}

static void *wh_main(void *arg)
{
    heed_server *S = arg;
    heed_store *st = NULL;
    heed_error err = {0};
    if (heed_store_open(S->o.db_path, &st, &err)) {
        fprintf(stderr, "heed serve: webhook thread: %s\n", err.msg);
        return NULL;
    }
    int64_t interval_ms = (int64_t)S->o.webhook_interval_s * 1000;
    int64_t next_detect = now_ms() + interval_ms, next_try = 0;
    deliver(S, st, &next_try); /* what was left from the last run */
    pthread_mutex_lock(&S->wh.mu);
    while (!S->wh.stop) {
        int64_t wake = next_detect;
        if (next_try && next_try < wake)
            wake = next_try;
        struct timespec until = {.tv_sec = (time_t)(wake / 1000),
                                 .tv_nsec = (long)(wake % 1000) * 1000000L};
        while (!S->wh_kick && !S->wh.stop && now_ms() < wake)
            if (pthread_cond_timedwait(&S->wh.cv, &S->wh.mu, &until))
                break;
        if (S->wh.stop)
            break;
        int run_detect = S->wh_kick || now_ms() >= next_detect;
        S->wh_kick = 0;
        pthread_mutex_unlock(&S->wh.mu);
        if (run_detect) {
            heed_error de = {0};
            if (detect(S, st, &de))
                fprintf(stderr, "heed serve: webhook detection failed: %s\n", de.msg);
            next_detect = now_ms() + interval_ms;
        }
        deliver(S, st, &next_try);
        pthread_mutex_lock(&S->wh.mu);
    }
    pthread_mutex_unlock(&S->wh.mu);
    heed_store_close(st);
    return NULL;
}

int heed_srv_wh_start(heed_server *S, heed_error *err)
{
    if (!S->o.webhook_interval_s)
        S->o.webhook_interval_s = HEED_WH_INTERVAL_S;
    if (!S->o.webhook_backoff_ms)
        S->o.webhook_backoff_ms = HEED_WH_BACKOFF_MS;
    return heed_srv_thread_start(&S->wh, wh_main, S, "webhook", err);
}

void heed_srv_wh_stop(heed_server *S)
{
    heed_srv_thread_stop(&S->wh);
}

void heed_srv_wh_kick(heed_server *S)
{
    if (!S->wh.started)
        return;
    pthread_mutex_lock(&S->wh.mu);
    S->wh_kick = 1;
    pthread_cond_signal(&S->wh.cv);
    pthread_mutex_unlock(&S->wh.mu);
}
