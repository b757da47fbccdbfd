/* helpdesk.c - the helpdesk ticket export reader of helpdesk.h. Every line
 * (or the whole document) passes heed__jsonl_check first, so errors point at
 * the wrong byte; cJSON then builds the tree the fields are taken from. */
#include "helpdesk.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "heed_limits.h"
#include "ioerr.h"
#include "jsonl.h"
#include "lines.h"
#include "timeparse.h"

/* A user of the document's "users" side-load, by id. */
typedef struct uentry {
    char id[32];
    const cJSON *user;
} uentry;

enum { N_TICKET_ID, N_REQUESTER_ID, N_COMMENT_ID, N_AUTHOR_ID, N_COUNT };

struct heed_helpdesk {
    heed_lines lr;
    heed_buf line;
    bool is_doc;
    bool have_pending; /* the first line (read to detect the form) is in `line` */
    size_t pending_line;
    cJSON *doc;           /* the current ticket (JSON lines: its line's) */
    /* document form: the text, checked whole, and where in its "tickets"
     * array the next ticket starts; each ticket is parsed on its own, so the
     * tree of only one ticket is held at a time */
    heed_buf text;
    size_t next_at;       /* 0: no more tickets */
    cJSON *users_doc;     /* the document's "users" array */
    const cJSON *ticket;  /* the current ticket; NULL: none */
    const cJSON *comment; /* its next comment */
    size_t comment_index;
    size_t ticket_index;  /* of the current ticket; SIZE_MAX before the first */
    size_t ticket_line;
    uentry *users;        /* document "users", sorted by id */
    size_t n_users;
    size_t n_private;
    heed_hd_comment tk;   /* the current ticket's fields */
    char num[N_COUNT][32];
    char name[128];
};

/* ------------------------------------------------------------ values */

/* The text of an id: a string as it is, an integral number as digits. */
static bool id_text(const cJSON *v, char *buf, size_t cap, heed_view *out)
{
    if (cJSON_IsString(v) && v->valuestring[0]) {
        *out = (heed_view){v->valuestring, strlen(v->valuestring)};
        return true;
    }
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        const double d = v->valuedouble;
        const int n = d == floor(d) && fabs(d) < 9007199254740992.0
                          ? snprintf(buf, cap, "%.0f", d)
                          : snprintf(buf, cap, "%.17g", d);
        *out = (heed_view){buf, (size_t)n};
        return true;
    }
    return false;
}

static heed_view str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v))
        return (heed_view){v->valuestring, strlen(v->valuestring)};
    return (heed_view){NULL, 0};
}

static bool view_eq(heed_view a, heed_view b)
{
    return a.ptr && b.ptr && a.len == b.len && !memcmp(a.ptr, b.ptr, a.len);
}

static int ucmp(const void *a, const void *b)
{
    return strcmp(((const uentry *)a)->id, ((const uentry *)b)->id);
}

/* The user with id `id`: first in the ticket's own "users", then in the
 * document's. */
static const cJSON *find_user(const heed_helpdesk *h, const cJSON *ticket, heed_view id)
{
    char tmp[32];
    heed_view v;
    const cJSON *own = cJSON_GetObjectItemCaseSensitive(ticket, "users");
    const cJSON *u;
    cJSON_ArrayForEach(u, own)
    {
        if (id_text(cJSON_GetObjectItemCaseSensitive(u, "id"), tmp, sizeof tmp, &v) &&
            view_eq(v, id))
            return u;
    }
    if (!h->n_users || id.len >= sizeof tmp)
        return NULL;
    uentry key;
    memcpy(key.id, id.ptr, id.len);
    key.id[id.len] = '\0';
    const uentry *e = bsearch(&key, h->users, h->n_users, sizeof *h->users, ucmp);
    return e ? e->user : NULL;
}

/* ------------------------------------------------------------ tickets */

static int ticket_fail(heed_helpdesk *h, heed_error *err, int code, const char *what)
{
    if (h->is_doc)
        return heed_io_fail(err, code, 0, "%s: ticket #%zu: %s", h->name, h->ticket_index + 1,
                            what);
    return heed_io_fail(err, code, 0, "%s:%zu: %s", h->name, h->ticket_line, what);
}

/* Checks a ticket and takes its fields into h->tk. */
static int start_ticket(heed_helpdesk *h, const cJSON *t, heed_error *err)
{
    h->ticket = NULL;
    memset(&h->tk, 0, sizeof h->tk);
    h->tk.line = h->is_doc ? 0 : h->ticket_line;
    h->tk.ticket_index = h->ticket_index;
    if (!cJSON_IsObject(t))
        return ticket_fail(h, err, HEED_EFIELD, "a ticket must be a JSON object");
    if (!id_text(cJSON_GetObjectItemCaseSensitive(t, "id"), h->num[N_TICKET_ID],
                 sizeof h->num[0], &h->tk.ticket_id))
        return ticket_fail(h, err, HEED_EFIELD,
                           "the ticket has no \"id\" (expected a number or a string)");
    const cJSON *comments = cJSON_GetObjectItemCaseSensitive(t, "comments");
    if (!cJSON_IsArray(comments)) {
        char msg[160];
        snprintf(msg, sizeof msg, "ticket %.40s has no \"comments\" array", h->tk.ticket_id.ptr);
        return ticket_fail(h, err, HEED_EFIELD, msg);
    }
    h->tk.subject = str(t, "subject");
    h->tk.status = str(t, "status");
    h->tk.channel = str(t, "channel");
    if (!h->tk.channel.ptr)
        h->tk.channel = str(cJSON_GetObjectItemCaseSensitive(t, "via"), "channel");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(t, "requester");
    const cJSON *rid = cJSON_IsObject(req) ? cJSON_GetObjectItemCaseSensitive(req, "id")
                                           : cJSON_GetObjectItemCaseSensitive(t, "requester_id");
    if (id_text(rid, h->num[N_REQUESTER_ID], sizeof h->num[0], &h->tk.requester_id) &&
        !cJSON_IsObject(req))
        req = find_user(h, t, h->tk.requester_id);
    if (cJSON_IsObject(req)) {
        h->tk.requester_name = str(req, "name");
        h->tk.requester_email = str(req, "email");
        h->tk.requester_phone = str(req, "phone");
    }
    h->ticket = t;
    h->comment = comments->child;
    h->comment_index = 0;
    return HEED_OK;
}

/* Fills c from the comment cm of the current ticket. Returns 1, 0 for a
 * private comment (skipped), or an error. */
static int make_record(heed_helpdesk *h, const cJSON *cm, heed_hd_comment *c, heed_error *err)
{
    *c = h->tk;
    c->comment_index = h->comment_index++;
    char msg[200];
    if (!cJSON_IsObject(cm)) {
        snprintf(msg, sizeof msg, "comment #%zu of ticket %.40s is not a JSON object",
                 c->comment_index + 1, c->ticket_id.ptr);
        return ticket_fail(h, err, HEED_EFIELD, msg);
    }
    const cJSON *pub = cJSON_GetObjectItemCaseSensitive(cm, "public");
    if (cJSON_IsFalse(pub)) {
        h->n_private++;
        return 0;
    }
    c->body = str(cm, "body");
    if (!c->body.ptr)
        c->body = str(cm, "plain_body");
    if (!c->body.ptr) {
        snprintf(msg, sizeof msg,
                 "comment #%zu of ticket %.40s has no \"body\" (expected a string)",
                 c->comment_index + 1, c->ticket_id.ptr);
        return ticket_fail(h, err, HEED_EFIELD, msg);
    }
    id_text(cJSON_GetObjectItemCaseSensitive(cm, "id"), h->num[N_COMMENT_ID], sizeof h->num[0],
            &c->comment_id);
    if (!id_text(cJSON_GetObjectItemCaseSensitive(cm, "author_id"), h->num[N_AUTHOR_ID],
                 sizeof h->num[0], &c->author_id)) {
        snprintf(msg, sizeof msg,
                 "comment #%zu of ticket %.40s has no \"author_id\" (expected a number or a "
                 "string)",
                 c->comment_index + 1, c->ticket_id.ptr);
        return ticket_fail(h, err, HEED_EFIELD, msg);
    }
    heed_view when = str(cm, "created_at");
    if (!when.ptr)
        when = str(h->ticket, "created_at");
    if (when.ptr) {
        if (heed_parse_time(when.ptr, when.len, &c->time, &c->tz_min) != 0) {
            snprintf(msg, sizeof msg,
                     "comment #%zu of ticket %.40s: created_at \"%.40s\" is not a time, "
                     "expected ISO 8601 such as 2026-09-01T07:42:00Z",
                     c->comment_index + 1, c->ticket_id.ptr, when.ptr);
            return ticket_fail(h, err, HEED_EFIELD, msg);
        }
        c->has_time = true;
    }
    if (!c->requester_id.ptr)
        c->role = HEED_ROLE_UNKNOWN;
    else if (view_eq(c->author_id, c->requester_id)) {
        c->role = HEED_ROLE_CUSTOMER;
        c->author_name = c->requester_name;
        c->author_email = c->requester_email;
    } else
        c->role = HEED_ROLE_AGENT;
    if (!c->author_name.ptr) {
        const cJSON *u = find_user(h, h->ticket, c->author_id);
        c->author_name = str(u, "name");
        c->author_email = str(u, "email");
    }
    return 1;
}

/* ------------------------------------------------------------ reading */

/* "line L, column C" of byte pos in s. */
static void line_col(const char *s, size_t pos, size_t *line, size_t *col)
{
    *line = 1;
    size_t start = 0;
    for (size_t i = 0; i < pos; i++)
        if (s[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    *col = pos - start + 1;
}

/* The document was checked whole (heed__jsonl_check), so these walk valid
 * JSON: the first non-blank at or after i; the end of the value at i. */
static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

static size_t skip_value(const char *s, size_t n, size_t i)
{
    size_t depth = 0;
    bool in_str = false;
    for (; i < n; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"') {
                in_str = false;
                if (!depth)
                    return i + 1;
            }
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (!depth)
                return i; /* the end of the enclosing value */
            if (!--depth)
                return i + 1;
        } else if (!depth && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')) {
            return i; /* the end of a number, true, false or null */
        }
    }
    return n;
}

static int read_doc(heed_helpdesk *h, size_t max_doc, heed_error *err)
{
    if (h->line.err == HEED_ENOMEM)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    if (h->line.err)
        return heed_io_fail(err, HEED_ETOOBIG, 0,
                            "%s: the {\"tickets\": [...]} export is over %zu bytes; export "
                            "JSON lines (one ticket per line) instead, they are streamed",
                            h->name, max_doc);
    heed_buf all;
    heed__buf_init(&all, max_doc);
    heed__buf_add(&all, h->line.ptr ? h->line.ptr : "", h->line.len);
    heed__buf_addc(&all, '\n');
    int rc;
    while ((rc = heed__lines_next(&h->lr, &all)) == 1)
        heed__buf_addc(&all, '\n');
    h->have_pending = false;
    if (rc < 0) {
        heed__buf_release(&all);
        return heed_io_fail(err, HEED_EIO, 0, "%s: read error", h->name);
    }
    if (all.err == HEED_ETOOBIG) {
        heed__buf_release(&all);
        return heed_io_fail(err, HEED_ETOOBIG, 0,
                            "%s: the {\"tickets\": [...]} export is over %zu bytes; export "
                            "JSON lines (one ticket per line) instead, they are streamed",
                            h->name, max_doc);
    }
    if (all.err) {
        heed__buf_release(&all);
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    }
    heed_error e = {0};
    size_t bad;
    if (heed_utf8_validate(all.ptr, all.len, &bad) != HEED_OK) {
        size_t l, col;
        line_col(all.ptr, bad, &l, &col);
        heed__buf_release(&all);
        return heed_io_fail(err, HEED_EUTF8, bad, "%s:%zu:%zu: invalid UTF-8 (byte %zu)",
                            h->name, l, col, bad);
    }
    rc = heed__jsonl_check(all.ptr, all.len, &e);
    if (rc != HEED_OK) {
        size_t l, col;
        line_col(all.ptr, e.pos, &l, &col);
        rc = heed_io_fail(err, rc, e.pos, "%s:%zu:%zu: %s", h->name, l, col, e.msg);
        heed__buf_release(&all);
        return rc;
    }
    h->text = all;
    size_t tickets_at = 0;
    const char *t = h->text.ptr;
    size_t i = skip_ws(t, all.len, 0) + 1; /* past the '{' (checked above) */
    for (;;) {
        i = skip_ws(t, all.len, i);
        if (i >= all.len || t[i] != '"')
            break; /* '}' */
        size_t key = i + 1, key_end = skip_value(t, all.len, i) - 1;
        i = skip_ws(t, all.len, key_end + 1) + 1; /* past the ':' */
        i = skip_ws(t, all.len, i);
        size_t end = skip_value(t, all.len, i);
        bool is_tickets = key_end - key == 7 && !memcmp(t + key, "tickets", 7);
        bool is_users = key_end - key == 5 && !memcmp(t + key, "users", 5);
        if (is_tickets && !tickets_at) {
            if (t[i] != '[')
                return heed_io_fail(err, HEED_EFIELD, 0,
                                    "%s: expected a \"tickets\" array in the export document",
                                    h->name);
            tickets_at = i + 1;
        } else if (is_users && !h->users_doc) {
            h->users_doc = cJSON_ParseWithLengthOpts(t + i, end - i, NULL, false);
            if (!h->users_doc)
                return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
        }
        i = skip_ws(t, all.len, end);
        if (i < all.len && t[i] == ',')
            i++;
    }
    if (!tickets_at)
        return heed_io_fail(err, HEED_EFIELD, 0,
                            "%s: expected a \"tickets\" array in the export document", h->name);
    h->next_at = tickets_at;
    const cJSON *users = h->users_doc;
    const int nu = cJSON_GetArraySize(users);
    if (cJSON_IsArray(users) && nu > 0) {
        h->users = heed__malloc((size_t)nu * sizeof *h->users);
        if (!h->users)
            return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
        const cJSON *u;
        cJSON_ArrayForEach(u, users)
        {
            heed_view v;
            uentry *e2 = &h->users[h->n_users];
            if (id_text(cJSON_GetObjectItemCaseSensitive(u, "id"), e2->id, sizeof e2->id, &v) &&
                v.len < sizeof e2->id) {
                if (v.ptr != e2->id)
                    memcpy(e2->id, v.ptr, v.len);
                e2->id[v.len] = '\0';
                e2->user = u;
                h->n_users++;
            }
        }
        qsort(h->users, h->n_users, sizeof *h->users, ucmp);
    }
    return HEED_OK;
}

/* True when the first line opens a {"tickets": ...} document; `whole` says
 * whether s holds all of it (else only its start is looked at). */
static bool opens_doc(const char *s, size_t n, bool whole)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    if (i >= n || s[i] != '{')
        return false;
    i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    if (i == n)
        return true;
    if (whole && heed__jsonl_check(s, n, NULL) == HEED_OK) {
        cJSON *d = cJSON_ParseWithLength(s, n);
        const bool yes = cJSON_GetObjectItemCaseSensitive(d, "tickets") != NULL;
        cJSON_Delete(d);
        return yes;
    }
    return (n - i >= 9 && !memcmp(s + i, "\"tickets\"", 9)) ||
           (n - i >= 7 && !memcmp(s + i, "\"users\"", 7));
}

int heed_helpdesk_new(FILE *f, const char *name, size_t max_doc, heed_helpdesk **out,
                      heed_error *err)
{
    *out = NULL;
    heed_helpdesk *h = heed__malloc(sizeof *h);
    if (!h)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    memset(h, 0, sizeof *h);
    heed__lines_init(&h->lr, f);
    if (!max_doc)
        max_doc = HEED_MAX_HELPDESK_DOC;
    /* the first line may be a whole one-line document */
    heed__buf_init(&h->line, max_doc > HEED_MAX_RECORD ? max_doc : HEED_MAX_RECORD);
    h->ticket_index = SIZE_MAX;
    snprintf(h->name, sizeof h->name, "%s", name ? name : "export");
    int rc;
    /* the first non-blank line tells the form */
    for (;;) {
        heed__buf_reset(&h->line);
        rc = heed__lines_next(&h->lr, &h->line);
        if (rc <= 0)
            break;
        size_t k = 0;
        while (k < h->line.len && strchr(" \t\r", h->line.ptr[k]))
            k++;
        if (k < h->line.len)
            break;
    }
    if (rc < 0) {
        rc = heed_io_fail(err, HEED_EIO, 0, "%s: read error", h->name);
        goto fail;
    }
    if (rc == 1) {
        h->have_pending = true;
        h->pending_line = h->lr.line;
        if (opens_doc(h->line.len ? h->line.ptr : "", h->line.len, !h->line.err)) {
            h->is_doc = true;
            rc = read_doc(h, max_doc, err);
            if (rc != HEED_OK)
                goto fail;
        } else if (h->line.len > HEED_MAX_RECORD && !h->line.err) {
            h->line.err = HEED_ETOOBIG; /* reported by the first heed_helpdesk_next */
        }
    }
    h->line.max = HEED_MAX_RECORD;
    if (!h->is_doc && h->line.err == HEED_ETOOBIG && h->have_pending) {
        /* keep the memory bound of JSON lines: only the error is needed */
        heed__buf_release(&h->line);
        heed__buf_init(&h->line, HEED_MAX_RECORD);
        h->line.err = HEED_ETOOBIG;
    }
    *out = h;
    return HEED_OK;
fail:
    heed_helpdesk_free(h);
    return rc;
}

void heed_helpdesk_free(heed_helpdesk *h)
{
    if (!h)
        return;
    heed__buf_release(&h->line);
    heed__buf_release(&h->text);
    cJSON_Delete(h->doc);
    cJSON_Delete(h->users_doc);
    heed__free(h->users);
    heed__free(h);
}

size_t heed_helpdesk_private_skipped(const heed_helpdesk *h)
{
    return h->n_private;
}

/* JSON lines: reads and parses the next ticket line into h->doc. Returns 1,
 * 0 at the end, or an error for this line. */
static int next_line_ticket(heed_helpdesk *h, heed_error *err)
{
    for (;;) {
        if (h->have_pending) {
            h->have_pending = false;
        } else {
            heed__buf_reset(&h->line);
            const int rc = heed__lines_next(&h->lr, &h->line);
            if (rc < 0)
                return heed_io_fail(err, HEED_EIO, 0, "%s: read error after line %zu", h->name,
                                    h->lr.line);
            if (rc == 0)
                return 0;
        }
        h->ticket_line = h->lr.line;
        const char *s = h->line.len ? h->line.ptr : "";
        size_t n = h->line.len;
        size_t k = 0;
        while (k < n && strchr(" \t\r", s[k]))
            k++;
        if (k == n && !h->line.err)
            continue; /* blank line */
        h->ticket_index++;
        if (h->line.err == HEED_ETOOBIG)
            return heed_io_fail(err, HEED_ETOOBIG, 0, "%s:%zu: line over %zu bytes, skipped",
                                h->name, h->ticket_line, (size_t)HEED_MAX_RECORD);
        if (h->line.err)
            return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
        size_t bad;
        if (heed_utf8_validate(s, n, &bad) != HEED_OK)
            return heed_io_fail(err, HEED_EUTF8, bad, "%s:%zu: invalid UTF-8 at byte %zu",
                                h->name, h->ticket_line, bad);
        heed_error e = {0};
        const int rc = heed__jsonl_check(s, n, &e);
        if (rc != HEED_OK)
            return heed_io_fail(err, rc, e.pos, "%s:%zu: %s", h->name, h->ticket_line, e.msg);
        cJSON_Delete(h->doc);
        h->doc = cJSON_ParseWithLength(s, n);
        if (!h->doc)
            return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
        return 1;
    }
}

int heed_helpdesk_next(heed_helpdesk *h, heed_hd_comment *c, heed_error *err)
{
    for (;;) {
        if (h->ticket && h->comment) {
            const cJSON *cm = h->comment;
            h->comment = cm->next;
            const int rc = make_record(h, cm, c, err);
            if (rc == 0)
                continue;
            return rc;
        }
        h->ticket = NULL;
        const cJSON *t;
        if (h->is_doc) {
            const char *tx = h->text.ptr;
            size_t at = h->next_at ? skip_ws(tx, h->text.len, h->next_at) : h->text.len;
            if (at >= h->text.len || tx[at] == ']') {
                h->next_at = 0;
                return 0;
            }
            const char *end = NULL;
            cJSON_Delete(h->doc);
            h->doc = cJSON_ParseWithLengthOpts(tx + at, h->text.len - at, &end, false);
            if (!h->doc)
                return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
            at = skip_ws(tx, h->text.len, (size_t)(end - tx));
            h->next_at = at < h->text.len && tx[at] == ',' ? at + 1 : 0;
            t = h->doc;
            h->ticket_index++;
        } else {
            memset(c, 0, sizeof *c);
            const int rc = next_line_ticket(h, err);
            c->line = h->ticket_line;
            c->ticket_index = h->ticket_index;
            if (rc <= 0)
                return rc;
            t = h->doc;
        }
        const int rc = start_ticket(h, t, err);
        if (rc != HEED_OK) {
            *c = h->tk;
            return rc;
        }
    }
}
