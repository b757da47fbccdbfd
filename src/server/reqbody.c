/* reqbody.c - the request body parsers of the HTTP API (reqbody.h) on cJSON:
 * each body is an object whose members are checked against a fixed list of
 * names and types, so a typo or a wrong type is a 400 that names the field. */
#include "reqbody.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "heed/heed.h"
#include "jsonout.h"
#include "timeparse.h"

int heed_srv_error_set(heed_srv_error *e, int status, const char *code, const char *field,
                       const char *fmt, ...)
{
    e->status = status;
    e->code = code;
    e->offset = -1;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return status;
}

void heed_srv_error_json(heed_buf *b, const heed_srv_error *e, const char *rid)
{
    heed__buf_adds(b, "{\"error\":{\"code\":");
    heed_json_string(b, e->code, strlen(e->code));
    heed__buf_adds(b, ",\"message\":");
    /* messages may quote a field name taken from the request: keep them valid
     * UTF-8 by construction (names are checked before they are quoted) */
    heed_json_string(b, e->message, strlen(e->message));
    if (e->field[0]) {
        heed__buf_adds(b, ",\"field\":");
        heed_json_string(b, e->field, strlen(e->field));
    }
    if (e->offset >= 0) {
        heed__buf_adds(b, ",\"offset\":");
        heed_json_uint(b, (uint64_t)e->offset);
    }
    if (rid) {
        heed__buf_adds(b, ",\"request_id\":");
        heed_json_string(b, rid, strlen(rid));
    }
    heed__buf_adds(b, "}}");
}

/* A member name fit to quote back in a message: printable ASCII, cut short. */
static void safe_name(char *dst, size_t cap, const char *prefix, const char *name)
{
    size_t n = 0;
    for (const char *p = prefix; *p && n + 1 < cap; p++)
        dst[n++] = *p;
    for (const char *p = name; *p && n + 1 < cap; p++)
        dst[n++] = (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') ? *p : '?';
    dst[n] = 0;
}

/* Parses the whole body as one JSON value; trailing bytes other than white
 * space are an error. Returns the document or NULL with *e set. */
static cJSON *parse_doc(const char *body, size_t len, heed_srv_error *e)
{
    if (!len) {
        heed_srv_error_set(e, 400, "bad_json", NULL, "the body is empty: send a JSON object");
        e->offset = 0;
        return NULL;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    size_t at = end && end >= body && end <= body + len ? (size_t)(end - body) : 0;
    if (doc) {
        while (at < len && (body[at] == ' ' || body[at] == '\t' || body[at] == '\n' ||
                            body[at] == '\r'))
            at++;
        if (at == len)
            return doc;
        cJSON_Delete(doc);
        heed_srv_error_set(e, 400, "bad_json", NULL,
                           "malformed JSON: unexpected data after the value at byte %zu", at);
    } else {
        heed_srv_error_set(e, 400, "bad_json", NULL, "malformed JSON at byte %zu", at);
    }
    e->offset = (long)at;
    return NULL;
}

static const struct {
    const char *name;
    unsigned bits;
} STAGES[] = {
    {"valence", 0},
    {"language", HEED_STAGE_LANGUAGE},
    {"emotions", HEED_STAGE_EMOTIONS},
    {"needs", HEED_STAGE_NEEDS},
    {"intensity", HEED_STAGE_INTENSITY},
    {"stress", HEED_STAGE_STRESS},
    {"empathy", HEED_STAGE_EMPATHY},
    {"compassion", HEED_STAGE_COMPASSION},
    {"familiar", HEED_STAGE_FAMILIAR},
    {"addressed", HEED_STAGE_ADDRESSED},
    {"all", HEED_STAGE_ALL},
};

static int stage_bits(const char *s, size_t n, unsigned *bits)
{
    for (size_t k = 0; k < sizeof STAGES / sizeof STAGES[0]; k++)
        if (strlen(STAGES[k].name) == n && !strncmp(s, STAGES[k].name, n)) {
            *bits |= STAGES[k].bits;
            return 0;
        }
    return -1;
}

/* "stages": a comma list in a string, or an array of names. Sets *skip. */
static int parse_stages(const cJSON *v, const char *field, unsigned *skip, heed_srv_error *e)
{
    unsigned want = 0;
    if (cJSON_IsString(v)) {
        const char *p = v->valuestring;
        for (;;) {
            size_t n = strcspn(p, ",");
            if (stage_bits(p, n, &want))
                goto bad;
            if (!p[n])
                break;
            p += n + 1;
        }
    } else if (cJSON_IsArray(v)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v)
        {
            if (!cJSON_IsString(it))
                return heed_srv_error_set(e, 400, "wrong_type", field,
                                          "%s: expected a string or an array of strings", field);
            if (stage_bits(it->valuestring, strlen(it->valuestring), &want))
                goto bad;
        }
    } else {
        return heed_srv_error_set(e, 400, "wrong_type", field,
                                  "%s: expected a string or an array of strings", field);
    }
    *skip = HEED_STAGE_ALL & ~want;
    return 0;
bad:
    return heed_srv_error_set(e, 400, "invalid_value", field,
                              "%s: stages are valence, language, emotions, needs, intensity, "
                              "stress, empathy, compassion, familiar, addressed or all",
                              field);
}

/* "time": ISO 8601 / RFC 3339 text or Unix seconds (a string or an integer). */
static int parse_timefield(const cJSON *v, const char *field, char *buf, size_t cap,
                           const char **time_s, int64_t *t, int *tz, heed_srv_error *e)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!(d == floor(d) && fabs(d) < 9.0e15))
            return heed_srv_error_set(e, 400, "wrong_type", field,
                                      "%s: expected a string or an integer", field);
        snprintf(buf, cap, "%lld", (long long)d);
        *time_s = buf;
    } else if (cJSON_IsString(v)) {
        *time_s = v->valuestring;
    } else {
        return heed_srv_error_set(e, 400, "wrong_type", field,
                                  "%s: expected a string or an integer", field);
    }
    if (heed_parse_time(*time_s, strlen(*time_s), t, tz))
        return heed_srv_error_set(e, 400, "invalid_value", field,
                                  "%s: expected ISO 8601 (2026-09-01T07:42:00Z) or Unix seconds",
                                  field);
    return 0;
}

static int want_string(const cJSON *v, const char *field, heed_srv_error *e)
{
    if (cJSON_IsString(v))
        return 0;
    return heed_srv_error_set(e, 400, "wrong_type", field, "%s: expected a string", field);
}

static int unknown(const char *prefix, const cJSON *v, heed_srv_error *e, const char *allowed)
{
    char f[96];
    safe_name(f, sizeof f, prefix, v->string ? v->string : "");
    return heed_srv_error_set(e, 400, "unknown_field", f,
                              "unknown field \"%s\"; the fields are %s", f, allowed);
}

/* One message object; prefix is "" or "messages[i].". dflt_skip is the batch's
 * "stages". */
static int parse_msg(const cJSON *obj, const char *prefix, unsigned dflt_skip, heed_srv_msg *m,
                     heed_srv_error *e)
{
    char f[96];
    memset(m, 0, sizeof *m);
    m->skip = dflt_skip;
    if (!cJSON_IsObject(obj)) {
        snprintf(f, sizeof f, "%.*s", prefix[0] ? (int)strlen(prefix) - 1 : 0, prefix);
        return heed_srv_error_set(e, 400, "wrong_type", f, "%s: expected an object",
                                  f[0] ? f : "the body");
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, obj)
    {
        const char *k = v->string ? v->string : "";
        snprintf(f, sizeof f, "%s%s", prefix, k);
        if (!strcmp(k, "text")) {
            if (want_string(v, f, e))
                return e->status;
            m->text = v->valuestring;
            m->text_len = strlen(v->valuestring);
        } else if (!strcmp(k, "id")) {
            if (want_string(v, f, e))
                return e->status;
            m->id = v->valuestring;
        } else if (!strcmp(k, "role")) {
            if (want_string(v, f, e))
                return e->status;
            m->role_s = v->valuestring;
            if (!strcasecmp(m->role_s, "agent"))
                m->role = HEED_ROLE_AGENT;
            else if (!strcasecmp(m->role_s, "customer"))
                m->role = HEED_ROLE_CUSTOMER;
            else
                return heed_srv_error_set(e, 400, "invalid_value", f,
                                          "%s: expected \"customer\" or \"agent\"", f);
        } else if (!strcmp(k, "context")) {
            if (want_string(v, f, e))
                return e->status;
            m->context = v->valuestring;
            m->context_len = strlen(v->valuestring);
        } else if (!strcmp(k, "time")) {
            if (parse_timefield(v, f, m->time_buf, sizeof m->time_buf, &m->time_s, &m->time,
                                &m->tz_min, e))
                return e->status;
            m->has_time = 1;
        } else if (!strcmp(k, "stages")) {
            if (parse_stages(v, f, &m->skip, e))
                return e->status;
        } else {
            return unknown(prefix, v, e, "text, id, role, context, time, stages");
        }
    }
    if (!m->text) {
        snprintf(f, sizeof f, "%stext", prefix);
        return heed_srv_error_set(e, 400, "missing_field", f, "%s is required (a string)", f);
    }
    return 0;
}

int heed_srv_parse_analyze(const char *body, size_t len, size_t max_batch,
                           heed_srv_analyze_req *out, heed_srv_error *e)
{
    memset(out, 0, sizeof *out);
    if (!max_batch)
        max_batch = HEED_SRV_MAX_BATCH;
    cJSON *doc = parse_doc(body, len, e);
    if (!doc)
        return e->status;
    out->doc = doc;
    if (!cJSON_IsObject(doc))
        return heed_srv_error_set(e, 400, "wrong_type", NULL,
                                  "the body must be a JSON object: {\"text\": ...} or "
                                  "{\"messages\": [...]}");
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(doc, "messages");
    if (!msgs) {
        out->msgs = calloc(1, sizeof *out->msgs);
        if (!out->msgs)
            return heed_srv_error_set(e, 500, "internal", NULL, "out of memory");
        out->n = 1;
        return parse_msg(doc, "", 0, out->msgs, e);
    }
    out->is_batch = 1;
    unsigned skip = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, doc)
    {
        const char *k = v->string ? v->string : "";
        if (!strcmp(k, "stages")) {
            if (parse_stages(v, "stages", &skip, e))
                return e->status;
        } else if (strcmp(k, "messages")) {
            return unknown("", v, e, "messages and stages (a batch)");
        }
    }
    if (!cJSON_IsArray(msgs))
        return heed_srv_error_set(e, 400, "wrong_type", "messages",
                                  "messages: expected an array of objects");
    size_t n = (size_t)cJSON_GetArraySize(msgs);
    if (n == 0)
        return heed_srv_error_set(e, 400, "invalid_value", "messages",
                                  "messages: the batch is empty");
    if (n > max_batch)
        return heed_srv_error_set(e, 400, "batch_too_large", "messages",
                                  "messages: %zu messages; at most %zu per request", n,
                                  max_batch);
    out->msgs = calloc(n, sizeof *out->msgs);
    if (!out->msgs)
        return heed_srv_error_set(e, 500, "internal", NULL, "out of memory");
    out->n = n;
    size_t i = 0;
    cJSON_ArrayForEach(v, msgs)
    {
        char prefix[40];
        snprintf(prefix, sizeof prefix, "messages[%zu].", i);
        heed_srv_msg *m = &out->msgs[i++];
        heed_srv_error ie;
        if (parse_msg(v, prefix, skip, m, &ie)) {
            m->is_bad = 1;
            m->err = ie;
        }
    }
    return 0;
}

void heed_srv_analyze_release(heed_srv_analyze_req *r)
{
    cJSON_Delete(r->doc);
    free(r->msgs);
    memset(r, 0, sizeof *r);
}

int heed_srv_parse_check(const char *body, size_t len, heed_srv_check_req *out,
                         heed_srv_error *e)
{
    memset(out, 0, sizeof *out);
    cJSON *doc = parse_doc(body, len, e);
    if (!doc)
        return e->status;
    out->doc = doc;
    if (!cJSON_IsObject(doc))
        return heed_srv_error_set(e, 400, "wrong_type", NULL,
                                  "the body must be a JSON object: {\"customer\": ..., "
                                  "\"reply\": ...}");
    const cJSON *v;
    cJSON_ArrayForEach(v, doc)
    {
        const char *k = v->string ? v->string : "";
        if (!strcmp(k, "customer") || !strcmp(k, "reply")) {
            if (want_string(v, k, e))
                return e->status;
            if (k[0] == 'c') {
                out->customer = v->valuestring;
                out->customer_len = strlen(v->valuestring);
            } else {
                out->reply = v->valuestring;
                out->reply_len = strlen(v->valuestring);
            }
        } else if (!strcmp(k, "time")) {
            if (parse_timefield(v, "time", out->time_buf, sizeof out->time_buf, &out->time_s,
                                &out->time, &out->tz_min, e))
                return e->status;
            out->has_time = 1;
        } else {
            return unknown("", v, e, "customer, reply, time");
        }
    }
    if (!out->customer)
        return heed_srv_error_set(e, 400, "missing_field", "customer",
                                  "customer is required (a string)");
    if (!out->reply)
        return heed_srv_error_set(e, 400, "missing_field", "reply",
                                  "reply is required (a string)");
    return 0;
}

void heed_srv_check_release(heed_srv_check_req *r)
{
    cJSON_Delete(r->doc);
    memset(r, 0, sizeof *r);
}

int heed_srv_parse_done(const char *body, size_t len, char **note, heed_srv_error *e)
{
    *note = NULL;
    if (!len)
        return 0; /* no body: no note */
    cJSON *doc = parse_doc(body, len, e);
    if (!doc)
        return e->status;
    int rc = 0;
    if (!cJSON_IsObject(doc)) {
        rc = heed_srv_error_set(e, 400, "wrong_type", NULL,
                                "the body must be a JSON object: {\"note\": ...}");
        goto out;
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, doc)
    {
        const char *k = v->string ? v->string : "";
        if (!strcmp(k, "note")) {
            if ((rc = want_string(v, k, e)))
                goto out;
            free(*note);
            *note = strdup(v->valuestring);
            if (!*note) {
                rc = heed_srv_error_set(e, 500, "internal", NULL, "out of memory");
                goto out;
            }
        } else {
            rc = unknown("", v, e, "note");
            goto out;
        }
    }
out:
    if (rc) {
        free(*note);
        *note = NULL;
    }
    cJSON_Delete(doc);
    return rc;
}

/* ------------------------------------------------------------ ingest */

/* An item's "source": a non-empty string of at most 64 bytes. */
static int item_source(const cJSON *v, const char *prefix, const char **out, heed_srv_error *e)
{
    if (!v)
        return 0;
    char f[64];
    snprintf(f, sizeof f, "%ssource", prefix);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > 64)
        return heed_srv_error_set(e, 400, cJSON_IsString(v) ? "invalid_value" : "wrong_type",
                                  f, "%s: expected a name of 1 to 64 bytes", f);
    *out = v->valuestring;
    return 0;
}

int heed_srv_parse_ingest(const char *body, size_t len, size_t max_batch, const char *list,
                          heed_srv_ingest_req *out, heed_srv_error *e)
{
    memset(out, 0, sizeof *out);
    heed__buf_init(&out->lines, 0);
    if (!max_batch)
        max_batch = HEED_SRV_MAX_BATCH;
    cJSON *doc = parse_doc(body, len, e);
    if (!doc)
        return e->status;
    out->doc = doc;
    if (!cJSON_IsObject(doc))
        return heed_srv_error_set(e, 400, "wrong_type", NULL,
                                  "the body must be a JSON object: one record, or "
                                  "{\"%s\": [...]}",
                                  list);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, list);
    const char *batch_source = NULL;
    size_t n = 1;
    if (arr) {
        out->is_batch = 1;
        const cJSON *v;
        cJSON_ArrayForEach(v, doc)
        {
            const char *k = v->string ? v->string : "";
            if (!strcmp(k, "source")) {
                if (item_source(v, "", &batch_source, e))
                    return e->status;
            } else if (strcmp(k, list)) {
                char allowed[64];
                snprintf(allowed, sizeof allowed, "%s and source (a batch)", list);
                return unknown("", v, e, allowed);
            }
        }
        if (!cJSON_IsArray(arr))
            return heed_srv_error_set(e, 400, "wrong_type", list, "%s: expected an array of objects",
                                      list);
        n = (size_t)cJSON_GetArraySize(arr);
        if (n == 0)
            return heed_srv_error_set(e, 400, "invalid_value", list, "%s: the batch is empty",
                                      list);
        if (n > max_batch)
            return heed_srv_error_set(e, 400, "batch_too_large", list,
                                      "%s: %zu records; at most %zu per request", list, n,
                                      max_batch);
    }
    out->items = calloc(n, sizeof *out->items);
    if (!out->items)
        return heed_srv_error_set(e, 500, "internal", NULL, "out of memory");
    out->n = n;
    const cJSON *v = arr ? arr->child : doc;
    for (size_t i = 0; i < n; i++, v = v->next) {
        heed_srv_item *it = &out->items[i];
        char prefix[40] = "";
        if (arr)
            snprintf(prefix, sizeof prefix, "%s[%zu].", list, i);
        it->source = batch_source;
        char *line = NULL;
        if (!cJSON_IsObject(v)) {
            it->is_bad = 1;
            prefix[strlen(prefix) ? strlen(prefix) - 1 : 0] = 0;
            heed_srv_error_set(&it->err, 400, "wrong_type", prefix, "%s: expected an object",
                               prefix);
        } else if (item_source(cJSON_GetObjectItemCaseSensitive(v, "source"), prefix,
                               &it->source, &it->err)) {
            it->is_bad = 1;
        } else if (!(line = cJSON_PrintUnformatted(v))) {
            return heed_srv_error_set(e, 500, "internal", NULL, "out of memory");
        }
        heed__buf_adds(&out->lines, line ? line : "{}");
        heed__buf_addc(&out->lines, '\n');
        free(line);
    }
    if (out->lines.err)
        return heed_srv_error_set(e, 500, "internal", NULL, "out of memory");
    return 0;
}

void heed_srv_ingest_release(heed_srv_ingest_req *r)
{
    cJSON_Delete(r->doc);
    free(r->items);
    heed__buf_release(&r->lines);
    memset(r, 0, sizeof *r);
}
