/* reqbody.h - parses the JSON bodies of the HTTP API into typed requests, with
 * errors a client can act on: the byte offset of malformed JSON, the field that
 * is unknown, missing or of the wrong type. No HTTP here, so the parsers can be
 * fuzzed alone (fuzz/fuzz_api_body.c). */
#ifndef HEED_REQBODY_H
#define HEED_REQBODY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Most messages in one POST /v1/analyze batch (the default of --max-batch). */
#define HEED_SRV_MAX_BATCH 100

/* An API error: the HTTP status and the body's error object. */
typedef struct heed_srv_error {
    int status;         /* 400, 401, ... */
    const char *code;   /* static: "bad_json", "unknown_field", ... (docs/api.md) */
    char message[200];
    char field[96];     /* the field at fault ("messages[2].text"); "" none */
    long offset;        /* malformed JSON: byte offset in the body; -1 none */
} heed_srv_error;

/* Sets every member of *e; fmt is the message. Returns e->status. */
int heed_srv_error_set(heed_srv_error *e, int status, const char *code, const char *field,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Appends {"error":{"code":..,"message":..[,"field":..][,"offset":..]
 * [,"request_id":..]}} (no newline). rid NULL: no request id. */
void heed_srv_error_json(heed_buf *b, const heed_srv_error *e, const char *rid);

/* One message of POST /v1/analyze. Strings point into the parsed request and
 * are NUL-terminated (a JSON "\u0000" ends a string early). */
typedef struct heed_srv_msg {
    const char *text;
    size_t text_len;
    const char *id;      /* NULL: none */
    const char *role_s;  /* as given; NULL: none */
    int role;            /* HEED_ROLE_* */
    const char *context; /* NULL: none */
    size_t context_len;
    const char *time_s;  /* as given (an integer as its digits); NULL: none */
    char time_buf[24];
    int has_time, tz_min;
    int64_t time;
    unsigned skip;       /* HEED_STAGE_* not to run */
    int is_bad;          /* 1: err says why (batch items only) */
    heed_srv_error err;
} heed_srv_msg;

typedef struct heed_srv_analyze_req {
    void *doc;           /* the parsed JSON (owned) */
    int is_batch;        /* {"messages":[...]} */
    heed_srv_msg *msgs;  /* one, or one per batch item */
    size_t n;
} heed_srv_analyze_req;

/* Parses a POST /v1/analyze body: one message {"text", "id"?, "role"?,
 * "context"?, "time"?, "stages"?} or a batch {"messages":[...], "stages"?} of at
 * most max_batch (0: HEED_SRV_MAX_BATCH). A bad batch item does not fail the
 * request: it is marked is_bad with its error. Returns 0, or the HTTP status
 * with *e filled (the whole request is bad). Free with heed_srv_analyze_release
 * in both cases. */
int heed_srv_parse_analyze(const char *body, size_t len, size_t max_batch,
                           heed_srv_analyze_req *out, heed_srv_error *e);
void heed_srv_analyze_release(heed_srv_analyze_req *r);

typedef struct heed_srv_check_req {
    void *doc;
    const char *customer, *reply;
    size_t customer_len, reply_len;
    const char *time_s;
    char time_buf[24];
    int has_time, tz_min;
    int64_t time;
} heed_srv_check_req;

/* Parses a POST /v1/check-reply body {"customer", "reply", "time"?}. Returns 0
 * or the HTTP status with *e filled. Free with heed_srv_check_release. */
int heed_srv_parse_check(const char *body, size_t len, heed_srv_check_req *out,
                         heed_srv_error *e);
void heed_srv_check_release(heed_srv_check_req *r);

/* Parses a POST /v1/queue/{customer}/done body: empty, or {"note"?}. *note is
 * malloc'd (free()) or NULL. Returns 0 or the HTTP status with *e filled. */
int heed_srv_parse_done(const char *body, size_t len, char **note, heed_srv_error *e);

/* One item of POST /v1/messages or /v1/events. */
typedef struct heed_srv_item {
    const char *source; /* its "source", else the batch's; NULL: neither */
    int is_bad;         /* 1: err says why (the item is not an object, a bad source) */
    heed_srv_error err;
} heed_srv_item;

typedef struct heed_srv_ingest_req {
    void *doc;          /* the parsed JSON (owned) */
    int is_batch;
    heed_srv_item *items;
    size_t n;
    heed_buf lines;     /* item i re-encoded as line i + 1 (a bad item as "{}"),
                         * for the record reader `heed import` uses */
} heed_srv_ingest_req;

/* Parses a POST /v1/messages (list "messages") or /v1/events (list "events")
 * body: one record object (the `heed import` fields; other members are
 * ignored, as the import ignores other columns), or {LIST:[...], "source"?} of
 * at most max_batch records. Returns 0, or the HTTP status with *e filled.
 * Free with heed_srv_ingest_release in both cases. */
int heed_srv_parse_ingest(const char *body, size_t len, size_t max_batch, const char *list,
                          heed_srv_ingest_req *out, heed_srv_error *e);
void heed_srv_ingest_release(heed_srv_ingest_req *r);

#endif
