/* api.c - the handlers of the HTTP API's routes (routes.c): health, metrics,
 * the OpenAPI document, analysis, the reply checker and the key list. Each
 * fills rq->status and rq->out; the HTTP layer (server.c) does the rest. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "jsonout.h"
#include "server_int.h"

void heed_srv_h_healthz(heed_srv_req *rq)
{
    rq->status = 200;
    heed__buf_printf(&rq->out, "{\"status\":\"ok\",\"version\":\"%s\",\"schema\":%d}\n",
                     heed_version(), HEED_SCHEMA_VERSION);
}

void heed_srv_h_metrics(heed_srv_req *rq)
{
    rq->status = 200;
    rq->ctype = "text/plain; version=0.0.4; charset=utf-8";
    heed_srv_metrics_render(&rq->srv->metrics, heed_srv_routes, &rq->out);
    heed_srv_writer_metrics(&rq->srv->writer, &rq->out);
}

/* The key's own identity, so a client (the dashboard) can open on what the
 * role may see: {"key","role","team","agent"}, null for an unset team or
 * agent. */
void heed_srv_h_me(heed_srv_req *rq)
{
    static const char *const Q[] = {NULL};
    if (heed_srv_query_check(rq, Q))
        return;
    const heed_srv_identity *w = &rq->who;
    heed__buf_printf(&rq->out, "{\"key\":%lld,\"role\":\"%s\",\"team\":", (long long)w->id,
                     heed_srv_role_name(w->role));
    if (w->team[0])
        heed_json_string(&rq->out, w->team, strlen(w->team));
    else
        heed__buf_adds(&rq->out, "null");
    heed__buf_adds(&rq->out, ",\"agent\":");
    if (w->agent[0])
        heed_json_string(&rq->out, w->agent, strlen(w->agent));
    else
        heed__buf_adds(&rq->out, "null");
    heed__buf_adds(&rq->out, "}\n");
    rq->status = rq->out.err ? 500 : 200;
}

void heed_srv_h_openapi(heed_srv_req *rq)
{
    size_t n;
    const char *doc = heed_srv_openapi(&n);
    rq->status = 200;
    heed__buf_add(&rq->out, doc, n);
}

/* The error of a failed heed_analyze / heed_check_reply, naming the field. */
static void analysis_error(heed_srv_error *e, int rc, const heed_error *he, const char *field)
{
    const char *msg = he->msg[0] ? he->msg : heed_strerror(rc);
    if (rc == HEED_ETOOBIG)
        heed_srv_error_set(e, 413, "too_large", field, "%s: %s", field, msg);
    else if (rc == HEED_ENOMEM)
        heed_srv_error_set(e, 500, "internal", NULL, "out of memory");
    else
        heed_srv_error_set(e, 400, "invalid_value", field, "%s: %s", field, msg);
}

/* One record as `heed analyze` writes it for the same fields, without the
 * input's line number: {"schema":..,"index":i[,"id"][,"role"][,"time"],...}. */
static void render_record(heed_buf *b, size_t index, const heed_srv_msg *m,
                          const heed_result *r)
{
    heed__buf_adds(b, "{\"schema\":");
    heed_json_uint(b, HEED_SCHEMA_VERSION);
    heed__buf_adds(b, ",\"index\":");
    heed_json_uint(b, index);
    if (m->id) {
        heed__buf_adds(b, ",\"id\":");
        heed_json_string(b, m->id, strlen(m->id));
    }
    if (m->role_s) {
        heed__buf_adds(b, ",\"role\":");
        heed_json_string(b, m->role_s, strlen(m->role_s));
    }
    if (m->time_s) {
        heed__buf_adds(b, ",\"time\":");
        heed_json_string(b, m->time_s, strlen(m->time_s));
    }
    heed__buf_addc(b, ',');
    heed_json_result(b, r, &(heed_json_opts){0});
    heed__buf_addc(b, '}');
}

/* Analyses one message into b; 0, or the HTTP status with *e set. */
static int analyze_one(heed_srv_req *rq, size_t index, const heed_srv_msg *m, const char *field,
                       heed_srv_error *e)
{
    const heed_analyze_opts ao = {
        .skip = m->skip,
        .role = m->role,
        .context = m->context,
        .context_len = m->context_len,
        .has_time = m->has_time,
        .time = m->time,
        .tz_offset_min = m->tz_min,
        .max_len = rq->srv->o.max_body,
    };
    heed_analysis *an = NULL;
    heed_error he = {0};
    int rc = heed_analyze(rq->srv->eng, m->text, m->text_len, &ao, &an, &he);
    if (rc != HEED_OK) {
        analysis_error(e, rc, &he, field);
        return e->status;
    }
    render_record(&rq->out, index, m, heed_analysis_result(an));
    heed_analysis_free(an);
    return 0;
}

void heed_srv_h_analyze(heed_srv_req *rq)
{
    heed_srv_metrics *mx = &rq->srv->metrics;
    heed_srv_analyze_req ar;
    heed_srv_error e;
    if (heed_srv_parse_analyze(rq->body, rq->body_len, rq->srv->o.max_batch, &ar, &e)) {
        heed_srv_reply_error(rq, &e);
        atomic_fetch_add_explicit(&mx->analysis_errors, 1, memory_order_relaxed);
        heed_srv_analyze_release(&ar);
        return;
    }
    if (!ar.is_batch) {
        if (analyze_one(rq, 0, &ar.msgs[0], "text", &e)) {
            heed__buf_reset(&rq->out);
            heed_srv_reply_error(rq, &e);
            atomic_fetch_add_explicit(&mx->analysis_errors, 1, memory_order_relaxed);
        } else {
            heed__buf_addc(&rq->out, '\n');
            rq->status = 200;
            atomic_fetch_add_explicit(&mx->analyses, 1, memory_order_relaxed);
        }
        heed_srv_analyze_release(&ar);
        return;
    }
    uint64_t ok = 0, bad = 0;
    heed__buf_adds(&rq->out, "{\"results\":[");
    for (size_t i = 0; i < ar.n; i++) {
        heed_srv_msg *m = &ar.msgs[i];
        if (i)
            heed__buf_addc(&rq->out, ',');
        size_t mark = rq->out.len;
        if (!m->is_bad) {
            char field[40];
            snprintf(field, sizeof field, "messages[%zu].text", i);
            if (analyze_one(rq, i, m, field, &m->err) == 0) {
                ok++;
                continue;
            }
            if (m->err.status == 500) { /* out of memory: the whole request fails */
                heed__buf_reset(&rq->out);
                heed_srv_reply_error(rq, &m->err);
                heed_srv_analyze_release(&ar);
                return;
            }
            rq->out.len = mark;
        }
        bad++;
        heed__buf_printf(&rq->out, "{\"index\":%zu,", i);
        heed_buf eb;
        heed__buf_init(&eb, 0);
        heed_srv_error_json(&eb, &m->err, NULL);
        /* the error object without its outer braces, after "index" */
        if (!eb.err && eb.len > 2)
            heed__buf_add(&rq->out, eb.ptr + 1, eb.len - 1);
        heed__buf_release(&eb);
    }
    heed__buf_adds(&rq->out, "]}\n");
    rq->status = 200;
    atomic_fetch_add_explicit(&mx->analyses, ok, memory_order_relaxed);
    atomic_fetch_add_explicit(&mx->analysis_errors, bad, memory_order_relaxed);
    heed_srv_analyze_release(&ar);
}

void heed_srv_h_check_reply(heed_srv_req *rq)
{
    heed_srv_check_req cr;
    heed_srv_error e;
    heed_srv_metrics *mx = &rq->srv->metrics;
    if (heed_srv_parse_check(rq->body, rq->body_len, &cr, &e)) {
        heed_srv_reply_error(rq, &e);
        atomic_fetch_add_explicit(&mx->analysis_errors, 1, memory_order_relaxed);
        heed_srv_check_release(&cr);
        return;
    }
    const heed_analyze_opts ao = {.has_time = cr.has_time,
                                  .time = cr.time,
                                  .tz_offset_min = cr.tz_min,
                                  .max_len = rq->srv->o.max_body};
    heed_analysis *an = NULL;
    heed_error he = {0};
    int rc = heed_check_reply(rq->srv->eng, cr.customer, cr.customer_len, cr.reply, cr.reply_len,
                              &ao, &an, &he);
    if (rc != HEED_OK) {
        /* the library does not say which text failed: check the customer's */
        size_t bad;
        const char *field =
            heed_utf8_validate(cr.customer, cr.customer_len, &bad) != HEED_OK ? "customer"
                                                                              : "reply";
        analysis_error(&e, rc, &he, field);
        heed_srv_reply_error(rq, &e);
        atomic_fetch_add_explicit(&mx->analysis_errors, 1, memory_order_relaxed);
    } else {
        heed_json_check_reply(&rq->out, heed_analysis_result(an));
        rq->status = 200;
        atomic_fetch_add_explicit(&mx->analyses, 2, memory_order_relaxed);
    }
    heed_analysis_free(an);
    heed_srv_check_release(&cr);
}

static void opt_string(heed_buf *b, const char *name, const char *v)
{
    heed__buf_printf(b, ",\"%s\":", name);
    if (v)
        heed_json_string(b, v, strlen(v));
    else
        heed__buf_adds(b, "null");
}

static void opt_time(heed_buf *b, const char *name, int64_t t)
{
    heed__buf_printf(b, ",\"%s\":", name);
    if (t)
        heed_json_time(b, t);
    else
        heed__buf_adds(b, "null");
}

static int key_row(void *ctx, const heed_st_apikey *k)
{
    heed_buf *b = ctx;
    if (b->len && b->ptr[b->len - 1] == '}')
        heed__buf_addc(b, ',');
    heed__buf_printf(b, "{\"id\":%lld", (long long)k->id);
    opt_string(b, "prefix", k->prefix);
    opt_string(b, "role", k->role);
    opt_string(b, "team", k->team);
    opt_string(b, "agent", k->agent);
    opt_string(b, "name", k->name);
    opt_time(b, "created", k->created);
    opt_time(b, "last_used", k->last_used);
    opt_time(b, "revoked", k->revoked);
    heed__buf_addc(b, '}');
    return 0;
}

void heed_srv_h_keys(heed_srv_req *rq)
{
    heed_store *st;
    heed_error he = {0};
    heed_srv_error e;
    int rc = heed_srv_store(rq, &st, &he);
    if (rc == HEED_OK) {
        heed__buf_adds(&rq->out, "{\"keys\":[");
        rc = heed_store_apikeys(st, key_row, &rq->out, &he);
    }
    if (rc != HEED_OK) {
        heed__buf_reset(&rq->out);
        heed_srv_error_set(&e, 503, "unavailable", NULL, "the store cannot be read");
        heed_srv_reply_error(rq, &e);
        return;
    }
    heed__buf_adds(&rq->out, "]}\n");
    rq->status = 200;
}
