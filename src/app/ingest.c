/* ingest.c - the ingest core of `heed import` and the API (ingest.h): the
 * kinds of records, checking and parsing each row, redaction and contact keys,
 * analysing messages on all threads, and writing a row to the store. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "context.h"
#include <cjson/cJSON.h>

#include "ingest.h"
#include "model_data.h"
#include "hash.h"
#include "timeparse.h"

/* Bumped whenever a change to the analysis (rules, thresholds) changes its
 * results without a model file changing, so `heed reanalyze` picks it up. */
#define HEED_ANALYSIS_REV 1

/* ------------------------------------------------------------ kinds */

static const char *const F_MESSAGES[] = {"id",    "text",  "role",   "conversation", "customer",
                                         "agent", "time",  "channel", "email",       "phone",
                                         "handle", "status", "subject", NULL};
static const char *const F_CUSTOMERS[] = {"id",         "name",    "email",   "phone", "handle",
                                          "vulnerable", "segment", "created", NULL};
static const char *const F_EVENTS[] = {"id",    "type",  "customer", "email",    "phone",  "time",
                                       "order", "amount", "currency", "agent", "detail", NULL};
static const char *const F_SURVEYS[] = {"id",   "customer", "email", "phone",        "time",
                                        "kind", "score",    "comment", "conversation", NULL};
static const char *const F_AGENTS[] = {"id", "name", "team", "email", "aliases", NULL};
static const char *const F_SHIFTS[] = {"id", "agent", "start", "end", "team", NULL};

const heed_import_kind heed_import_kinds[] = {
    {"messages", F_MESSAGES, "text", K_MESSAGES},
    {"customers", F_CUSTOMERS, "id", K_CUSTOMERS},
    {"events", F_EVENTS, "id", K_EVENTS},
    {"surveys", F_SURVEYS, "id", K_SURVEYS},
    {"agents", F_AGENTS, "id", K_AGENTS},
    {"shifts", F_SHIFTS, "id", K_SHIFTS},
    {NULL, NULL, NULL, 0},
};

const heed_import_kind *heed_import_kind_named(const char *name)
{
    for (const heed_import_kind *k = heed_import_kinds; k->name; k++)
        if (!strcmp(k->name, name))
            return k;
    return NULL;
}

int heed_import_field(const heed_import_kind *k, const char *name)
{
    for (int i = 0; k->fields[i]; i++)
        if (!strcmp(k->fields[i], name))
            return i;
    return -1;
}

const char *heed_import_column(const heed_import *im, const heed_import_kind *k, int field)
{
    for (size_t i = 0; i < im->n_map; i++)
        if (im->map[i].kind == k->id && im->map[i].field == field && !im->map[i].value)
            return im->map[i].input;
    return k->fields[field];
}

/* The heed value an input value stands for under --map, or the value itself. */
const char *heed_import_value(const heed_import *im, int kind, int field, const char *v)
{
    if (!v)
        return v;
    for (size_t i = 0; i < im->n_map; i++) {
        const heed_import_map *m = &im->map[i];
        if (m->kind == kind && m->field == field && m->value && !strcasecmp(m->input, v))
            return m->value;
    }
    return v;
}

/* Decodes a kept value (JSON-encoded by the reader) into a NUL-terminated
 * string appended to b; returns its offset, or (size_t)-1 for absent/null. */
static size_t decode_kept(heed_buf *b, heed_view v)
{
    if (!v.ptr || !v.len || (v.len == 4 && !memcmp(v.ptr, "null", 4)))
        return (size_t)-1;
    size_t off = b->len;
    if (v.ptr[0] != '"') { /* a number, true/false, or an object kept as text */
        heed__buf_add(b, v.ptr, v.len);
        heed__buf_addc(b, '\0');
        return off;
    }
    cJSON *j = cJSON_ParseWithLength(v.ptr, v.len);
    const char *s = cJSON_GetStringValue(j);
    if (!s) {
        cJSON_Delete(j);
        return (size_t)-1;
    }
    heed__buf_add(b, s, strlen(s));
    heed__buf_addc(b, '\0');
    cJSON_Delete(j);
    return off;
}

/* Copies the record's values (by kind field) into the batch store. */
int heed_import_row_fill(heed_import *im, heed_import_batch *b, heed_import_row *r,
                         const heed_record *rec)
{
    const heed_import_kind *k = b->kind;
    heed_buf *store = &b->store;
    for (int i = 0; k->fields[i]; i++)
        r->v[i] = (size_t)-1;
    if (k->id == K_MESSAGES) {
        static const int direct[][2] = {{0, HEED_F_ID},           {1, HEED_F_TEXT},
                                        {2, HEED_F_ROLE},         {3, HEED_F_CONVERSATION},
                                        {4, HEED_F_CUSTOMER},     {5, HEED_F_AGENT},
                                        {6, HEED_F_TIME},         {7, HEED_F_CHANNEL}};
        for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++) {
            heed_view v = rec->field[direct[i][1]];
            if (!v.ptr)
                continue;
            r->v[direct[i][0]] = store->len;
            heed__buf_add(store, v.ptr, v.len);
            heed__buf_addc(store, '\0');
            if (direct[i][0] == 1)
                r->text_len = v.len;
        }
        for (int i = 8; k->fields[i]; i++)
            r->v[i] = decode_kept(store, rec->kept[i - 8]);
    } else {
        for (int i = 0; k->fields[i]; i++)
            r->v[i] = decode_kept(store, rec->kept[i]);
    }
    (void)im;
    return store->err ? -1 : 0;
}

/* ------------------------------------------------------------ set-up */

/* The models are compiled in, so their name is computed once: hashing them
 * reads megabytes, which per HTTP ingest request cost more than the rest of
 * the request together. */
static char model_id[96];
static pthread_once_t model_id_once = PTHREAD_ONCE_INIT;

static void compute_model_id(void)
{
    heed_blob blobs[] = {heed__model_emotions(), heed__model_needs(), heed__model_intensity(),
                         heed__model_empathy()};
    uint64_t h = 0;
    for (size_t i = 0; i < sizeof blobs / sizeof blobs[0]; i++)
        h = h * 0x100000001b3ull ^ heed__hash(blobs[i].ptr, blobs[i].len);
    snprintf(model_id, sizeof model_id, "heed %s r%d %012llx", heed_version(), HEED_ANALYSIS_REV,
             (unsigned long long)(h & 0xffffffffffffull));
}

void heed_import_model_id(char *out, size_t n)
{
    pthread_once(&model_id_once, compute_model_id);
    snprintf(out, n, "%s", model_id);
}

static int setup_rest(heed_import *im, heed_error *err)
{
    im->ctx = heed_context_new();
    if (!im->ctx) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
    heed_import_model_id(im->model, sizeof im->model);
    return heed_import_pii_setup(im, err);
}

int heed_import_setup(heed_import *im, heed_error *err)
{
    if (heed_engine_new(NULL, &im->eng, err) != HEED_OK)
        return -1;
    return setup_rest(im, err);
}

int heed_import_setup_engine(heed_import *im, heed_engine *eng, heed_error *err)
{
    im->eng = eng;
    im->eng_borrowed = 1;
    return setup_rest(im, err);
}

void heed_import_reader_opts(const heed_import *im, const heed_import_kind *k,
                             heed_reader_opts *ro, const char **keep)
{
    size_t nk = 0;
    if (k->id == K_MESSAGES) {
        static const int direct[] = {HEED_F_ID,           HEED_F_TEXT,     HEED_F_ROLE,
                                     HEED_F_CONVERSATION, HEED_F_CUSTOMER, HEED_F_AGENT,
                                     HEED_F_TIME,         HEED_F_CHANNEL};
        for (int i = 0; i < 8; i++)
            ro->fields[direct[i]] = heed_import_column(im, k, i);
        for (int i = 8; k->fields[i]; i++)
            keep[nk++] = heed_import_column(im, k, i);
    } else {
        ro->fields[HEED_F_TEXT] = heed_import_column(im, k, heed_import_field(k, k->text));
        for (int i = 0; k->fields[i]; i++)
            keep[nk++] = heed_import_column(im, k, i);
    }
    ro->keep = keep;
    ro->n_keep = nk;
}

void heed_import_teardown(heed_import *im)
{
    heed_import_pii_teardown(im);
    heed_context_free(im->ctx);
    if (!im->eng_borrowed)
        heed_engine_free(im->eng);
    im->ctx = NULL;
    im->eng = NULL;
}

/* ------------------------------------------------------------ batches */

heed_import_batch *heed_import_batch_new(heed_import *im, const heed_import_kind *k)
{
    (void)im;
    heed_import_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->kind = k;
    heed__buf_init(&b->store, 0);
    return b;
}

void heed_import_batch_reset(heed_import_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->rows[i].promises);
        free(b->rows[i].strings);
    }
    b->n = 0;
    heed__buf_reset(&b->store);
}

void heed_import_batch_free(heed_import_batch *b)
{
    if (!b)
        return;
    heed_import_batch_reset(b);
    free(b->rows);
    heed__buf_release(&b->store);
    free(b);
}

heed_import_row *heed_import_batch_add(heed_import_batch *b, const heed_record *rec)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        heed_import_row *r = realloc(b->rows, cap * sizeof *r);
        if (!r)
            return NULL;
        b->rows = r;
        b->cap = cap;
    }
    heed_import_row *r = &b->rows[b->n++];
    memset(r, 0, sizeof *r);
    r->line = rec ? rec->line : 0;
    r->raw = b->store.len;
    if (rec && rec->raw.ptr) {
        heed__buf_add(&b->store, rec->raw.ptr, rec->raw.len);
        r->raw_len = rec->raw.len;
    }
    heed__buf_addc(&b->store, '\0');
    r->m.emotion = r->m.need = r->m.addressed = -1;
    return b->store.err ? NULL : r;
}

/* The value of field i of row r, or NULL. */
static const char *val(const heed_import_batch *b, const heed_import_row *r, int i)
{
    return r->v[i] == (size_t)-1 ? NULL : b->store.ptr + r->v[i];
}

static const char *val_nonempty(const heed_import_batch *b, const heed_import_row *r, int i)
{
    const char *v = val(b, r, i);
    return v && *v ? v : NULL;
}

void heed_import_row_bad(heed_import_batch *b, heed_import_row *r, const char *msg)
{
    r->bad = 1;
    r->msg = b->store.len;
    heed__buf_adds(&b->store, msg);
    heed__buf_addc(&b->store, '\0');
}

__attribute__((format(printf, 3, 4))) static void bad(heed_import_batch *b, heed_import_row *r,
                                                      const char *fmt, ...)
{
    char m[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    heed_import_row_bad(b, r, m);
}

/* A required time field: parsed into *t, *tz. 0, or -1 (row marked bad). */
static int need_time(heed_import_batch *b, heed_import_row *r, int i, const char *name,
                     int64_t *t, int *tz)
{
    const char *v = val_nonempty(b, r, i);
    if (!v) {
        bad(b, r, "the '%s' field is missing", name);
        return -1;
    }
    if (heed_parse_time(v, strlen(v), t, tz)) {
        bad(b, r, "'%s' is not a time (want ISO 8601 such as 2026-09-01T07:42:00Z, or Unix "
                  "seconds): '%.40s'",
            name, v);
        return -1;
    }
    return 0;
}

static int need_id(heed_import_batch *b, heed_import_row *r, int i)
{
    if (val_nonempty(b, r, i))
        return 0;
    bad(b, r, "the 'id' field is missing or empty");
    return -1;
}

static int parse_num(const char *v, double *out)
{
    if (!v || !*v)
        return -1;
    char *end;
    *out = strtod(v, &end);
    return *end ? -1 : 0;
}

static int parse_flag(const char *v)
{
    if (!v || !*v)
        return 0;
    if (!strcasecmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
        !strcasecmp(v, "y"))
        return 1;
    if (!strcasecmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
        !strcasecmp(v, "n"))
        return 0;
    return -1;
}

/* Contact keys of a row: the CRM id as given, and the keyed hash of each
 * valid e-mail, phone, handle. An invalid contact value is not a key (and not
 * an error: the record still imports). */
static void make_keys(heed_import *im, heed_import_batch *b, heed_import_row *r, int crm,
                      int email, int phone, int handle)
{
    r->n_keys = 0;
    const char *c = crm >= 0 ? val_nonempty(b, r, crm) : NULL;
    if (c && strlen(c) < HEED_IMPORT_TOKEN) {
        r->key_kind[r->n_keys] = "crm";
        memcpy(r->keys[r->n_keys++], c, strlen(c) + 1);
    }
    const int idx[] = {email, phone, handle};
    static const char *const kinds[] = {"email", "phone", "handle"};
    for (int i = 0; i < 3; i++) {
        const char *v = idx[i] >= 0 ? val_nonempty(b, r, idx[i]) : NULL;
        if (v && heed_import_key(im, kinds[i], v, r->keys[r->n_keys]) == 1)
            r->key_kind[r->n_keys++] = kinds[i];
    }
}

/* Replaces field i's value by its redacted form. */
static int redact_field(heed_import *im, heed_import_batch *b, heed_import_row *r, int i,
                        size_t *len_out)
{
    const char *v = val(b, r, i);
    if (!v || im->no_redact)
        return 0;
    size_t len = len_out && *len_out ? *len_out : strlen(v);
    heed_buf out;
    heed__buf_init(&out, 0);
    /* the store may move while appending: redact from a stable offset */
    size_t off = r->v[i];
    int rc = heed_import_redact(im, b->store.ptr + off, len, &out);
    if (rc || out.err) {
        heed__buf_release(&out);
        return -1;
    }
    r->v[i] = b->store.len;
    heed__buf_add(&b->store, out.ptr ? out.ptr : "", out.len);
    heed__buf_addc(&b->store, '\0');
    if (len_out)
        *len_out = out.len;
    heed__buf_release(&out);
    return b->store.err ? -1 : 0;
}

static int role_value(heed_import *im, const char *v)
{
    v = heed_import_value(im, K_MESSAGES, M_ROLE, v);
    if (!v || !*v || !strcasecmp(v, "customer") || !strcasecmp(v, "end-user") ||
        !strcasecmp(v, "end_user") || !strcasecmp(v, "requester") || !strcasecmp(v, "user"))
        return HEED_ROLE_CUSTOMER;
    if (!strcasecmp(v, "agent") || !strcasecmp(v, "staff") || !strcasecmp(v, "support") ||
        !strcasecmp(v, "admin"))
        return HEED_ROLE_AGENT;
    return HEED_ROLE_UNKNOWN;
}

static const char *const EVENT_TYPES[] = {
    "order",    "shipment", "delivery", "delivery_failed", "refund", "payment",
    "payment_failed", "callback", "replacement", "repair", "message_sent", NULL};

static int check_message(heed_import *im, heed_import_batch *b, heed_import_row *r)
{
    if (need_id(b, r, M_ID) || need_time(b, r, M_TIME, "time", &r->time, &r->tz))
        return 0;
    const char *role = val(b, r, M_ROLE);
    r->role = role_value(im, role);
    if (r->role == HEED_ROLE_UNKNOWN) {
        bad(b, r, "role '%.40s' is neither customer nor agent (map it with --map)", role);
        return 0;
    }
    if (redact_field(im, b, r, M_TEXT, &r->text_len) || redact_field(im, b, r, M_SUBJECT, NULL))
        return -1;
    if (r->role == HEED_ROLE_CUSTOMER)
        make_keys(im, b, r, M_CUSTOMER, M_EMAIL, M_PHONE, M_HANDLE);
    const char *conv = val_nonempty(b, r, M_CONV);
    if (!conv)
        conv = val(b, r, M_ID);
    size_t cl = strlen(conv);
    if (r->role == HEED_ROLE_CUSTOMER)
        return heed_context_customer(im->ctx, conv, cl, b->store.ptr + r->v[M_TEXT], r->text_len);
    const char *c;
    size_t n;
    heed_context_agent(im->ctx, conv, cl, &c, &n);
    if (n) {
        /* c is the context's memory: copy before the store can move */
        r->ctx = b->store.len;
        heed__buf_add(&b->store, c, n);
        heed__buf_addc(&b->store, '\0');
        r->ctx_len = n;
    }
    return b->store.err ? -1 : 0;
}

int heed_import_row_check(heed_import *im, heed_import_batch *b, heed_import_row *r,
                          const heed_record *rec)
{
    (void)rec;
    switch (b->kind->id) {
    case K_MESSAGES:
        return check_message(im, b, r);
    case K_CUSTOMERS: {
        if (need_id(b, r, 0))
            return 0;
        int f = parse_flag(val(b, r, 5));
        if (f < 0) {
            bad(b, r, "'vulnerable' must be 1/0, true/false or yes/no, not '%.20s'", val(b, r, 5));
            return 0;
        }
        r->flag = f;
        const char *created = val_nonempty(b, r, 7);
        if (created && need_time(b, r, 7, "created", &r->time, &r->tz))
            return 0;
        r->has_num = created != NULL; /* has_created */
        make_keys(im, b, r, 0, 2, 3, 4);
        return 0;
    }
    case K_EVENTS: {
        if (need_id(b, r, 0) || need_time(b, r, 5, "time", &r->time, &r->tz))
            return 0;
        const char *type = heed_import_value(im, K_EVENTS, 1, val_nonempty(b, r, 1));
        int known = 0;
        for (int i = 0; type && EVENT_TYPES[i]; i++)
            known |= !strcmp(type, EVENT_TYPES[i]);
        if (!known) {
            bad(b, r,
                "event type '%.40s' is not one heed knows (order, shipment, delivery, "
                "delivery_failed, refund, payment, payment_failed, callback, replacement, "
                "repair, message_sent; map others with --map)",
                type ? type : "");
            return 0;
        }
        if (type != val(b, r, 1)) { /* mapped: keep the heed name */
            r->v[1] = b->store.len;
            heed__buf_adds(&b->store, type);
            heed__buf_addc(&b->store, '\0');
        }
        const char *amount = val_nonempty(b, r, 7);
        if (amount && parse_num(amount, &r->num)) {
            bad(b, r, "'amount' is not a number: '%.20s'", amount);
            return 0;
        }
        r->has_num = amount != NULL;
        make_keys(im, b, r, 2, 3, 4, -1);
        if (!r->n_keys)
            bad(b, r, "no customer: give 'customer' (CRM id), 'email' or 'phone'");
        return redact_field(im, b, r, 10, NULL);
    }
    case K_SURVEYS: {
        if (need_id(b, r, 0) || need_time(b, r, 4, "time", &r->time, &r->tz))
            return 0;
        const char *kind = val_nonempty(b, r, 5);
        double lo = 0, hi = 0;
        if (kind && !strcasecmp(kind, "csat"))
            lo = 1, hi = 5;
        else if (kind && !strcasecmp(kind, "nps"))
            lo = 0, hi = 10;
        else if (kind && !strcasecmp(kind, "ces"))
            lo = 1, hi = 7;
        else {
            bad(b, r, "survey kind '%.20s' is not csat, nps or ces", kind ? kind : "");
            return 0;
        }
        if (parse_num(val(b, r, 6), &r->num) || r->num < lo || r->num > hi) {
            bad(b, r, "%s score must be a number from %.0f to %.0f, not '%.20s'", kind, lo, hi,
                val(b, r, 6) ? val(b, r, 6) : "");
            return 0;
        }
        make_keys(im, b, r, 1, 2, 3, -1);
        if (!r->n_keys)
            bad(b, r, "no customer: give 'customer' (CRM id), 'email' or 'phone'");
        r->text_len = val(b, r, 7) ? strlen(val(b, r, 7)) : 0;
        return redact_field(im, b, r, 7, &r->text_len);
    }
    case K_AGENTS:
        need_id(b, r, 0);
        return 0;
    case K_SHIFTS: {
        if (need_id(b, r, 0) || need_time(b, r, 2, "start", &r->time, &r->tz) ||
            need_time(b, r, 3, "end", &r->time2, &r->tz))
            return 0;
        if (!val_nonempty(b, r, 1))
            bad(b, r, "the 'agent' field is missing");
        else if (r->time2 <= r->time)
            bad(b, r, "the shift ends before it starts");
        return 0;
    }
    }
    return 0;
}

void heed_import_note_customer(heed_import *im, const char *conv, size_t conv_len,
                               const char *text, size_t len)
{
    if (!conv || !conv_len || !text)
        return;
    /* the context must hold what a full run gave it: the text as stored
     * (redacted), or the agent's echo of a detail reads as jargon */
    heed_buf red;
    heed__buf_init(&red, 0);
    if (!im->no_redact) {
        if (heed_import_redact(im, text, len, &red)) {
            heed__buf_release(&red);
            return; /* memory failure only loses context: not fatal */
        }
        text = red.ptr ? red.ptr : "";
        len = red.len;
    }
    (void)heed_context_customer(im->ctx, conv, conv_len, text, len);
    heed__buf_release(&red);
}

void heed_import_note_agent(heed_import *im, const char *conv, size_t conv_len)
{
    const char *c;
    size_t n;
    if (conv && conv_len)
        heed_context_agent(im->ctx, conv, conv_len, &c, &n);
}

void heed_import_note_skipped(heed_import *im, heed_import_batch *b, const heed_record *rec)
{
    (void)b;
    /* only what the import of it touched the context with: a record it
     * rejected (no id, no time, an unknown role) touched nothing */
    heed_view role = rec->field[HEED_F_ROLE], id = rec->field[HEED_F_ID],
              time = rec->field[HEED_F_TIME];
    char rv[16] = "";
    if (role.ptr && role.len >= sizeof rv)
        return; /* no role name is this long: rejected */
    if (role.ptr)
        memcpy(rv, role.ptr, role.len);
    int rl = role_value(im, rv);
    int64_t t;
    int tz;
    if (rl == HEED_ROLE_UNKNOWN || !id.ptr || !id.len || !time.ptr || !time.len ||
        heed_parse_time(time.ptr, time.len, &t, &tz))
        return;
    heed_view conv = rec->field[HEED_F_CONVERSATION];
    if (!conv.ptr || !conv.len)
        conv = id;
    if (rl == HEED_ROLE_CUSTOMER) {
        heed_view text = rec->field[HEED_F_TEXT];
        heed_import_note_customer(im, conv.ptr, conv.len, text.ptr ? text.ptr : "", text.len);
    } else {
        heed_import_note_agent(im, conv.ptr, conv.len);
    }
}

/* ------------------------------------------------------------ analysis */

/* The analysis summary of res into r->m (and r->promises). -1: memory. */
int heed_import_summarize(const heed_result *res, heed_import_row *r)
{
    heed_st_message *m = &r->m;
    m->scored = res->language.scored || !res->language.code[0];
    m->valence = res->valence;
    m->stress = res->stress.available ? res->stress.score : 0;
    for (int c = 0; c < HEED_STRESS_COUNT; c++)
        m->stress_c[c] = res->stress.available ? res->stress.component[c] : 0;
    m->emotion = -1;
    if (res->emotions.available) {
        float best = 0;
        for (int c = 0; c < HEED_CX_COUNT; c++)
            if ((res->emotions.cx_labels & (1u << c)) && res->emotions.cx[c] > best) {
                best = res->emotions.cx[c];
                m->emotion = c;
            }
    }
    m->need = res->needs.available && res->needs.labels ? res->needs.top : -1;
    m->n_asks = (int)res->needs.n_asks;
    for (int c = 0; c < HEED_EMPATHY_COUNT; c++)
        m->empathy[c] = res->empathy.available ? res->empathy.level[c] : -1;
    m->compassion = res->compassion.available ? res->compassion.score : -1;
    m->comp_signals = res->compassion.available ? res->compassion.signals : 0;
    m->addressed = res->addressed.available ? res->addressed.status : -1;
    m->n_jargon = res->familiar.available ? (int)res->familiar.n_jargon : 0;
    m->grade = res->familiar.available ? res->familiar.grade : 0;
    m->simhash = res->familiar.available ? res->familiar.simhash : 0;
    r->n_promises = 0;
    if (!res->promises.available || !res->promises.n)
        return 0;
    size_t n = res->promises.n, bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += res->promises.items[i].len + res->promises.items[i].object_len + 2;
    r->promises = calloc(n, sizeof *r->promises);
    r->strings = malloc(bytes);
    if (!r->promises || !r->strings)
        return -1;
    char *p = r->strings;
    for (size_t i = 0; i < n; i++) {
        const heed_promise *pr = &res->promises.items[i];
        heed_st_promise *o = &r->promises[i];
        o->kind = pr->kind;
        o->has_due = pr->has_due;
        o->due = pr->due;
        o->text = p;
        memcpy(p, res->text + pr->start, pr->len);
        p += pr->len;
        *p++ = '\0';
        o->object = NULL;
        if (pr->object_len) {
            o->object = p;
            memcpy(p, res->text + pr->object_start, pr->object_len);
            p += pr->object_len;
            *p++ = '\0';
        } else {
            *p++ = '\0';
        }
    }
    r->n_promises = n;
    return 0;
}

/* One worker's analyses: w->last is the last customer message's analysis,
 * the context of the reply usually right after it (the engine checks that it
 * is); w->spare an analysis done with, whose memory the next one reuses. */
static void analyse_row(heed_import *im, heed_import_worker *w, heed_import_batch *b,
                        heed_import_row *r)
{
    int text_field = b->kind->id == K_MESSAGES ? M_TEXT : 7;
    if (r->bad || r->v[text_field] == (size_t)-1 || !r->text_len)
        return;
    heed_analyze_opts ao = {
        .role = b->kind->id == K_MESSAGES ? r->role : HEED_ROLE_CUSTOMER,
        .context = r->ctx_len ? b->store.ptr + r->ctx : NULL,
        .context_len = r->ctx_len,
        .context_analysis = r->ctx_len ? w->last : NULL, /* used when it is the context */
        .has_time = 1,
        .time = r->time,
        .tz_offset_min = r->tz,
        .flags = HEED_ANALYZE_REPLACE_INVALID,
    };
    heed_analysis *an = w->spare;
    w->spare = NULL;
    heed_error err = {0};
    int rc = heed_analyze_again(im->eng, b->store.ptr + r->v[text_field], r->text_len, &ao, &an,
                                &err);
    if (rc == HEED_ENOMEM) {
        w->oom = 1;
        return;
    }
    if (rc != HEED_OK) { /* made a bad row later: the store is shared */
        r->werr = rc;
        snprintf(r->werr_msg, sizeof r->werr_msg, "%s", err.msg[0] ? err.msg : heed_strerror(rc));
        return;
    }
    if (heed_import_summarize(heed_analysis_result(an), r))
        w->oom = 1;
    r->analysed = 1;
    if (ao.role == HEED_ROLE_AGENT) {
        w->spare = an;
    } else {
        w->spare = w->last;
        w->last = an;
    }
}

int heed_import_analyse_rows(heed_import *im, heed_import_worker *w, heed_import_batch *b,
                             size_t from, size_t to)
{
    if (b->kind->id != K_MESSAGES && b->kind->id != K_SURVEYS)
        return 0;
    for (size_t i = from; i < to && !w->oom; i++)
        analyse_row(im, w, b, &b->rows[i]);
    return w->oom ? -1 : 0;
}

void heed_import_worker_release(heed_import_worker *w)
{
    heed_analysis_free(w->last);
    heed_analysis_free(w->spare);
    w->last = w->spare = NULL;
}

int heed_import_analysed(heed_import_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->rows[i].werr)
            bad(b, &b->rows[i], "%s", b->rows[i].werr_msg);
    return b->store.err ? -1 : 0;
}

typedef struct work {
    heed_import *im;
    heed_import_batch *b;
    size_t from, to; /* the rows of one thread: a run, so that a reply comes
                      * right after the customer message it answers */
    heed_import_worker w;
} work;

static void *worker(void *arg)
{
    work *w = arg;
    (void)heed_import_analyse_rows(w->im, &w->w, w->b, w->from, w->to);
    heed_import_worker_release(&w->w);
    return NULL;
}

/* Analyses every good row with text on im->threads threads; the workers only
 * read the batch's store, and a row that fails is marked bad after the join. */
int heed_import_analyse(heed_import *im, heed_import_batch *b)
{
    size_t nt = im->threads ? im->threads : 1;
    if (nt > b->n)
        nt = b->n ? b->n : 1;
    work w[64];
    pthread_t th[64];
    if (nt > 64)
        nt = 64;
    size_t started = 0;
    for (size_t t = 0; t < nt; t++)
        w[t] = (work){.im = im, .b = b, .from = b->n * t / nt, .to = b->n * (t + 1) / nt};
    for (size_t t = 1; t < nt; t++) {
        if (pthread_create(&th[t], NULL, worker, &w[t]))
            break;
        started = t;
    }
    /* rows of threads that could not start are done here */
    for (size_t t = started + 1; t < nt; t++)
        worker(&w[t]);
    worker(&w[0]);
    int oom = w[0].w.oom;
    for (size_t t = 1; t <= started; t++) {
        pthread_join(th[t], NULL);
        oom |= w[t].w.oom;
    }
    for (size_t t = started + 1; t < nt; t++)
        oom |= w[t].w.oom;
    return heed_import_analysed(b) || oom ? -1 : 0;
}

/* ------------------------------------------------------------ storing */

/* The other names of an agent row: its e-mail and its aliases (separated by
 * ';', ',', '|' or spaces), each NUL-terminated in buf. Returns the count. */
#define AGENT_NAMES_MAX 16
static size_t agent_names(heed_import_batch *b, heed_import_row *r, char *buf, size_t cap,
                          const char **names)
{
    size_t n = 0;
    const char *email = val_nonempty(b, r, 3), *aliases = val_nonempty(b, r, 4);
    snprintf(buf, cap, "%s;%s", email ? email : "", aliases ? aliases : "");
    for (char *save = NULL, *t = strtok_r(buf, ";,| \t", &save); t && n < AGENT_NAMES_MAX;
         t = strtok_r(NULL, ";,| \t", &save))
        names[n++] = t;
    return n;
}

/* An agents row: every alias is checked before anything is written, so a
 * row naming another agent's alias is rejected whole (HEED_EINVAL). */
static int put_agent_row(heed_import *im, heed_import_batch *b, heed_import_row *r, int *added,
                         heed_error *err)
{
    char buf[2048];
    const char *names[AGENT_NAMES_MAX];
    const char *id = val(b, r, 0);
    size_t n = agent_names(b, r, buf, sizeof buf, names);
    for (size_t i = 0; i < n; i++) {
        int rc = heed_store_check_agent_alias(im->st, id, names[i], err);
        if (rc)
            return rc;
    }
    int rc = heed_store_put_agent(im->st, id, val_nonempty(b, r, 1), val_nonempty(b, r, 2), added,
                                  err);
    for (size_t i = 0; i < n && !rc; i++) {
        size_t moved = 0;
        rc = heed_store_put_agent_alias(im->st, id, names[i], &moved, err);
        im->agent_moved += moved;
    }
    return rc;
}

int heed_import_put_row(heed_import *im, heed_import_batch *b, heed_import_row *r, int *added,
                        heed_error *err)
{
    heed_st_key keys[HEED_IMPORT_MAX_KEYS];
    for (size_t i = 0; i < r->n_keys; i++)
        keys[i] = (heed_st_key){r->key_kind[i], r->keys[i]};
    switch (b->kind->id) {
    case K_MESSAGES: {
        heed_st_message *m = &r->m;
        m->source = im->source;
        m->id = val(b, r, M_ID);
        m->conversation = val_nonempty(b, r, M_CONV);
        m->customer = val_nonempty(b, r, M_CUSTOMER);
        m->role = r->role;
        m->agent = val_nonempty(b, r, M_AGENT);
        m->time = r->time;
        m->tz_min = r->tz;
        m->channel = val_nonempty(b, r, M_CHANNEL);
        m->status = val_nonempty(b, r, M_STATUS);
        m->subject = val_nonempty(b, r, M_SUBJECT);
        m->text = val(b, r, M_TEXT);
        m->text_len = r->text_len;
        m->model = im->model;
        int rc = heed_store_put_message(im->st, m, r->promises, r->n_promises, keys, r->n_keys,
                                        added, err);
        if (!rc && m->agent) {
            int a;
            rc = heed_store_put_agent(im->st, m->agent, NULL, NULL, &a, err);
        }
        return rc;
    }
    case K_CUSTOMERS: {
        heed_st_customer c = {.source = im->source,
                              .id = val(b, r, 0),
                              .name = val_nonempty(b, r, 1),
                              .segment = val_nonempty(b, r, 6),
                              .vulnerable = r->flag,
                              .has_created = r->has_num,
                              .created = r->time};
        return heed_store_put_customer(im->st, &c, keys, r->n_keys, added, err);
    }
    case K_EVENTS: {
        heed_st_event e = {.source = im->source,
                           .id = val(b, r, 0),
                           .type = val(b, r, 1),
                           .order = val_nonempty(b, r, 6),
                           .currency = val_nonempty(b, r, 8),
                           .agent = val_nonempty(b, r, 9),
                           .detail = val_nonempty(b, r, 10),
                           .time = r->time,
                           .has_amount = r->has_num,
                           .amount = r->num};
        return heed_store_put_event(im->st, &e, keys, r->n_keys, added, err);
    }
    case K_SURVEYS: {
        const char *kind = val(b, r, 5);
        char lk[8] = "";
        for (size_t i = 0; kind[i] && i < sizeof lk - 1; i++)
            lk[i] = (char)(kind[i] | 0x20);
        heed_st_survey s = {.source = im->source,
                            .id = val(b, r, 0),
                            .kind = lk,
                            .comment = val_nonempty(b, r, 7),
                            .conversation = val_nonempty(b, r, 8),
                            .time = r->time,
                            .score = r->num,
                            .has_analysis = r->analysed,
                            .valence = r->m.valence,
                            .stress = r->m.stress};
        return heed_store_put_survey(im->st, &s, keys, r->n_keys, added, err);
    }
    case K_AGENTS:
        return put_agent_row(im, b, r, added, err);
    case K_SHIFTS: {
        heed_st_shift s = {.source = im->source,
                           .id = val(b, r, 0),
                           .agent = val(b, r, 1),
                           .team = val_nonempty(b, r, 4),
                           .start = r->time,
                           .end = r->time2};
        return heed_store_put_shift(im->st, &s, added, err);
    }
    }
    return HEED_EINVAL;
}

