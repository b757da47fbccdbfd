/* helpdesk.c - the helpdesk ticket export reader of helpdesk.h. Every line
 * (or every value of the document) passes heed__jsonl_check first, so errors
 * point at the wrong byte; cJSON then builds the tree the fields are taken
 * from, one ticket at a time. */
#include "helpdesk.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "arena.h"
#include "buf.h"
#include "heed_limits.h"
#include "ioerr.h"
#include "jsonl.h"
#include "lines.h"
#include "timeparse.h"

/* A user of the document's "users" side-load, by id: its name, e-mail and
 * phone (ptr NULL: absent), NUL-terminated copies in the reader's arena. */
typedef struct uentry {
    char id[32];
    heed_view f[3];
} uentry;

enum { N_TICKET_ID, N_REQUESTER_ID, N_COMMENT_ID, N_AUTHOR_ID, N_COUNT };

/* The document form's reader: a window over the file, its position, line and
 * the offset where that line starts (offsets count from the document's
 * first byte). */
typedef struct dsrc {
    FILE *f;
    size_t pos, len; /* unread bytes are win[pos..len) */
    uint64_t base;   /* offset of win[0] */
    size_t line;
    uint64_t line_start;
    bool eof, failed;
    char win[HEED_HELPDESK_WINDOW];
} dsrc;

struct heed_helpdesk {
    heed_lines lr;
    heed_buf line;
    bool is_doc;
    bool have_pending; /* the first line (read to detect the form) is in `line` */
    size_t pending_line;
    cJSON *doc;           /* the current ticket (JSON lines: its line's) */
    /* document form: the file (or its temporary copy) read a window at a
     * time, where its "tickets" array starts, one value at a time in piece */
    dsrc src;
    FILE *spool;          /* the copy of input that cannot be read twice */
    int64_t start;        /* the document's offset in the file */
    uint64_t tickets_at, tickets_line_start;
    size_t tickets_line;
    bool doc_done;
    heed_buf piece;
    const cJSON *ticket;  /* the current ticket; NULL: none */
    const cJSON *comment; /* its next comment */
    size_t comment_index;
    size_t ticket_index;  /* of the current ticket; SIZE_MAX before the first */
    size_t ticket_line;
    uentry *users;        /* document "users", sorted by id */
    size_t n_users, cap_users;
    heed_arena mem;       /* the users' fields */
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

/* A user's name, e-mail and phone (ptr NULL: absent). */
typedef struct ufields {
    heed_view f[3];
} ufields;

static int ucmp(const void *a, const void *b);

/* The user with id `id`: first in the ticket's own "users", then in the
 * document's. Returns false when there is none. */
static bool find_user(const heed_helpdesk *h, const cJSON *ticket, heed_view id, ufields *out)
{
    char tmp[32];
    heed_view v;
    memset(out, 0, sizeof *out);
    const cJSON *own = cJSON_GetObjectItemCaseSensitive(ticket, "users");
    const cJSON *u;
    cJSON_ArrayForEach(u, own)
    {
        if (id_text(cJSON_GetObjectItemCaseSensitive(u, "id"), tmp, sizeof tmp, &v) &&
            view_eq(v, id)) {
            out->f[0] = str(u, "name");
            out->f[1] = str(u, "email");
            out->f[2] = str(u, "phone");
            return true;
        }
    }
    if (!h->n_users || id.len >= sizeof tmp)
        return false;
    uentry key;
    memcpy(key.id, id.ptr, id.len);
    key.id[id.len] = '\0';
    const uentry *e = bsearch(&key, h->users, h->n_users, sizeof *h->users, ucmp);
    if (!e)
        return false;
    memcpy(out->f, e->f, sizeof out->f);
    return true;
}

/* ------------------------------------------------------------ tickets */

/* "FILE:LINE: ticket N (id X), comment M: what": the ticket by its place in
 * the export and its id once known, the comment by its place in the ticket
 * (comment 0: the ticket itself). The importer reports that as it is. */
static int ticket_fail(heed_helpdesk *h, heed_error *err, int code, size_t comment,
                       const char *what)
{
    char id[64] = "", cm[32] = "";
    if (h->tk.ticket_id.ptr)
        snprintf(id, sizeof id, " (id %.*s)",
                 (int)(h->tk.ticket_id.len < 40 ? h->tk.ticket_id.len : 40), h->tk.ticket_id.ptr);
    if (comment)
        snprintf(cm, sizeof cm, ", comment %zu", comment);
    return heed_io_fail(err, code, 0, "%s:%zu: ticket %zu%s%s: %s", h->name, h->ticket_line,
                        h->ticket_index + 1, id, cm, what);
}

/* Checks a ticket and takes its fields into h->tk. */
static int start_ticket(heed_helpdesk *h, const cJSON *t, heed_error *err)
{
    h->ticket = NULL;
    memset(&h->tk, 0, sizeof h->tk);
    h->tk.line = h->ticket_line;
    h->tk.ticket_index = h->ticket_index;
    if (!cJSON_IsObject(t))
        return ticket_fail(h, err, HEED_EFIELD, 0, "not a JSON object");
    if (!id_text(cJSON_GetObjectItemCaseSensitive(t, "id"), h->num[N_TICKET_ID],
                 sizeof h->num[0], &h->tk.ticket_id))
        return ticket_fail(h, err, HEED_EFIELD, 0,
                           "no \"id\" (expected a number or a string)");
    const cJSON *comments = cJSON_GetObjectItemCaseSensitive(t, "comments");
    if (!cJSON_IsArray(comments))
        return ticket_fail(h, err, HEED_EFIELD, 0, "no \"comments\" array");
    h->tk.subject = str(t, "subject");
    h->tk.status = str(t, "status");
    h->tk.channel = str(t, "channel");
    if (!h->tk.channel.ptr)
        h->tk.channel = str(cJSON_GetObjectItemCaseSensitive(t, "via"), "channel");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(t, "requester");
    const cJSON *rid = cJSON_IsObject(req) ? cJSON_GetObjectItemCaseSensitive(req, "id")
                                           : cJSON_GetObjectItemCaseSensitive(t, "requester_id");
    const bool has_rid = id_text(rid, h->num[N_REQUESTER_ID], sizeof h->num[0],
                                 &h->tk.requester_id);
    ufields uf;
    if (cJSON_IsObject(req)) {
        h->tk.requester_name = str(req, "name");
        h->tk.requester_email = str(req, "email");
        h->tk.requester_phone = str(req, "phone");
    } else if (has_rid && find_user(h, t, h->tk.requester_id, &uf)) {
        h->tk.requester_name = uf.f[0];
        h->tk.requester_email = uf.f[1];
        h->tk.requester_phone = uf.f[2];
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
    const size_t at = c->comment_index + 1;
    if (!cJSON_IsObject(cm))
        return ticket_fail(h, err, HEED_EFIELD, at, "not a JSON object");
    const cJSON *pub = cJSON_GetObjectItemCaseSensitive(cm, "public");
    if (cJSON_IsFalse(pub)) {
        h->n_private++;
        return 0;
    }
    c->body = str(cm, "body");
    if (!c->body.ptr)
        c->body = str(cm, "plain_body");
    if (!c->body.ptr)
        return ticket_fail(h, err, HEED_EFIELD, at, "no \"body\" (expected a string)");
    id_text(cJSON_GetObjectItemCaseSensitive(cm, "id"), h->num[N_COMMENT_ID], sizeof h->num[0],
            &c->comment_id);
    if (!id_text(cJSON_GetObjectItemCaseSensitive(cm, "author_id"), h->num[N_AUTHOR_ID],
                 sizeof h->num[0], &c->author_id))
        return ticket_fail(h, err, HEED_EFIELD, at,
                           "no \"author_id\" (expected a number or a string)");
    heed_view when = str(cm, "created_at");
    if (!when.ptr)
        when = str(h->ticket, "created_at");
    if (when.ptr) {
        if (heed_parse_time(when.ptr, when.len, &c->time, &c->tz_min) != 0) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "created_at \"%.*s\" is not a time, expected ISO 8601 such as "
                     "2026-09-01T07:42:00Z",
                     (int)(when.len < 40 ? when.len : 40), when.ptr);
            return ticket_fail(h, err, HEED_EFIELD, at, msg);
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
    ufields uf;
    if (!c->author_name.ptr && find_user(h, h->ticket, c->author_id, &uf)) {
        c->author_name = uf.f[0];
        c->author_email = uf.f[1];
    }
    return 1;
}

/* ------------------------------------------------------------ reading */

/* ------------------------------------------------------------ the document form
 *
 * The document is read twice, a window at a time, never whole. The first pass
 * (read_doc) walks its top-level object and checks every value on its own:
 * each element of a top-level array, and each other member, is collected
 * (HEED_MAX_RECORD bytes at most) and passed to heed__jsonl_check, so a
 * syntax error anywhere is reported, with its line and column, before any
 * ticket is read; it also keeps the "users" side-load, wherever it is, as
 * id -> name, e-mail, phone. The second pass (next_doc_ticket) goes back to
 * the "tickets" array and parses one ticket at a time. Input that cannot be
 * read twice (a pipe) is copied to a temporary file first. */

static int d_fill(dsrc *s)
{
    if (s->pos < s->len)
        return 1;
    if (s->eof)
        return 0;
    s->base += s->len;
    s->pos = 0;
    s->len = fread(s->win, 1, sizeof s->win, s->f);
    if (!s->len) {
        s->eof = true;
        if (ferror(s->f)) {
            s->failed = true;
            return HEED_EIO;
        }
        return 0;
    }
    return 1;
}

/* The next byte, -1 at the end, -2 on a read error. */
static inline int d_peek(dsrc *s)
{
    if (s->pos == s->len) {
        const int rc = d_fill(s);
        if (rc <= 0)
            return rc == 0 ? -1 : -2;
    }
    return (unsigned char)s->win[s->pos];
}

/* Consumes the next n bytes of the window, counting lines. */
static inline void d_take(dsrc *s, size_t n)
{
    const char *p = s->win + s->pos, *e = p + n, *nl;
    while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        s->line++;
        p = nl + 1;
        s->line_start = s->base + (uint64_t)(p - s->win);
    }
    s->pos += n;
}

static inline uint64_t d_off(const dsrc *s)
{
    return s->base + s->pos;
}

static void d_start(dsrc *s, FILE *f, uint64_t at, size_t line, uint64_t line_start)
{
    s->f = f;
    s->pos = s->len = 0;
    s->base = at;
    s->line = line;
    s->line_start = line_start;
    s->eof = s->failed = false;
}

/* Skips blanks; returns the next byte as d_peek. */
static int d_skip_ws(dsrc *s)
{
    for (;;) {
        const int c = d_peek(s);
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return c;
        d_take(s, 1);
    }
}

static int read_failed(heed_helpdesk *h, heed_error *err)
{
    return heed_io_fail(err, HEED_EIO, 0, "%s: read error at line %zu", h->name, h->src.line);
}

/* A syntax error at the reader's position: c the byte found (-1: the end). */
static int doc_unexpected(heed_helpdesk *h, int c, const char *expected, heed_error *err)
{
    const dsrc *s = &h->src;
    if (c == -2)
        return read_failed(h, err);
    const size_t pos = (size_t)d_off(s), col = (size_t)(d_off(s) - s->line_start) + 1;
    if (c == -1)
        return heed_io_fail(err, HEED_EPARSE, pos,
                            "%s:%zu:%zu: JSON: unexpected end of the document at byte %zu, "
                            "expected %s",
                            h->name, s->line, col, pos, expected);
    if (c >= 0x20 && c < 0x7f)
        return heed_io_fail(err, HEED_EPARSE, pos,
                            "%s:%zu:%zu: JSON: unexpected character '%c' at byte %zu, expected %s",
                            h->name, s->line, col, c, pos, expected);
    return heed_io_fail(err, HEED_EPARSE, pos,
                        "%s:%zu:%zu: JSON: unexpected byte 0x%02X at byte %zu, expected %s",
                        h->name, s->line, col, (unsigned)c, pos, expected);
}

/* Where a piece starts: for its errors. */
typedef struct ploc {
    uint64_t off;
    size_t line, col;
} ploc;

/* Reads the JSON value at the reader into h->piece as {"":VALUE}, the form
 * heed__jsonl_check takes; at most HEED_MAX_RECORD bytes of the value are
 * kept (*too_big when it is longer: it is read to its end all the same). The
 * value ends where its brackets or its string close, or, for a number or a
 * literal, at the next delimiter; whether it is valid is for the check to
 * say. Returns HEED_OK, HEED_EIO, or HEED_EPARSE for a value the document
 * ends in. */
static int read_piece(heed_helpdesk *h, ploc *at, bool *too_big, heed_error *err)
{
    dsrc *s = &h->src;
    heed_buf *b = &h->piece;
    heed__buf_reset(b);
    heed__buf_add(b, "{\"\":", 4);
    at->off = d_off(s);
    at->line = s->line;
    at->col = (size_t)(at->off - s->line_start) + 1;
    *too_big = false;
    size_t depth = 0, kept = 0;
    bool in_str = false, esc = false, done = false;
    const bool scalar = s->win[s->pos] != '"' && s->win[s->pos] != '{' && s->win[s->pos] != '[';
    while (!done) {
        const int c = d_peek(s);
        if (c == -2)
            return read_failed(h, err);
        if (c == -1) {
            if (scalar)
                break;
            return doc_unexpected(h, -1, in_str ? "the end of a string" : "a closing bracket",
                                  err);
        }
        const char *w = s->win + s->pos;
        const size_t avail = s->len - s->pos;
        size_t i = 0;
        for (; i < avail; i++) {
            const char ch = w[i];
            if (in_str) {
                if (esc) {
                    esc = false;
                    continue;
                }
                /* most bytes are inside strings: on to the next '"' or '\\' */
                const char *q = memchr(w + i, '"', avail - i);
                const size_t end = q ? (size_t)(q - w) : avail;
                const char *bs = memchr(w + i, '\\', end - i);
                if (bs) {
                    i = (size_t)(bs - w);
                    esc = true;
                    continue;
                }
                i = end;
                if (!q)
                    break;
                in_str = false;
                if (!depth) {
                    i++;
                    done = true;
                    break;
                }
            } else if (ch == '"') {
                in_str = true;
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if (ch == '}' || ch == ']') {
                if (!depth) { /* the end of a number or literal */
                    done = true;
                    break;
                }
                if (!--depth) {
                    i++;
                    done = true;
                    break;
                }
            } else if (!depth && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\r' ||
                                  ch == '\n')) {
                done = true;
                break;
            }
        }
        if (kept + i <= HEED_MAX_RECORD)
            heed__buf_add(b, w, i);
        else
            *too_big = true;
        kept += i;
        d_take(s, i);
    }
    heed__buf_addc(b, '}');
    if (b->err)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    return HEED_OK;
}

/* The value of h->piece, without its wrapping. */
static const char *piece_ptr(const heed_helpdesk *h, size_t *n)
{
    *n = h->piece.len - 5;
    return h->piece.ptr + 4;
}

/* Checks the piece read at `at` (UTF-8 and JSON); errors name the document's
 * line and column, and the bytes they speak of count from its start. */
static int check_piece(heed_helpdesk *h, const ploc *at, heed_error *err)
{
    size_t n;
    const char *v = piece_ptr(h, &n);
    size_t bad = 0, line, col;
    heed_error e = {0};
    int rc = heed_utf8_validate(v, n, &bad);
    if (rc == HEED_OK) {
        rc = heed__jsonl_check(h->piece.ptr, h->piece.len, &e);
        if (rc == HEED_OK)
            return HEED_OK;
        bad = e.pos >= 4 ? e.pos - 4 : 0;
        if (bad > n)
            bad = n;
    } else {
        rc = HEED_EUTF8;
    }
    line = at->line;
    col = at->col;
    for (size_t i = 0; i < bad; i++) {
        if (v[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    const size_t pos = (size_t)at->off + bad;
    if (rc == HEED_EUTF8)
        return heed_io_fail(err, HEED_EUTF8, pos, "%s:%zu:%zu: invalid UTF-8 (byte %zu)", h->name,
                            line, col, pos);
    /* the check counts bytes from the wrapped piece: count them from the
     * document's start */
    char msg[sizeof e.msg];
    size_t w = 0;
    for (const char *m = e.msg; *m && w + 24 < sizeof msg;) {
        if (!strncmp(m, "byte ", 5) && m[5] >= '0' && m[5] <= '9') {
            char *end;
            const unsigned long long p = strtoull(m + 5, &end, 10);
            w += (size_t)snprintf(msg + w, sizeof msg - w, "byte %llu",
                                  (unsigned long long)at->off + (p >= 4 ? p - 4 : 0));
            m = end;
        } else {
            msg[w++] = *m++;
        }
    }
    msg[w] = '\0';
    return heed_io_fail(err, rc, pos, "%s:%zu:%zu: %s", h->name, line, col, msg);
}

static int ucmp(const void *a, const void *b)
{
    return strcmp(((const uentry *)a)->id, ((const uentry *)b)->id);
}

/* Keeps one element of the "users" side-load (the piece) by its id. */
static int add_user(heed_helpdesk *h, heed_error *err)
{
    size_t n;
    const char *v = piece_ptr(h, &n);
    cJSON *u = cJSON_ParseWithLength(v, n);
    if (!u)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    heed_view id;
    char tmp[32];
    int rc = HEED_OK;
    if (cJSON_IsObject(u) &&
        id_text(cJSON_GetObjectItemCaseSensitive(u, "id"), tmp, sizeof tmp, &id) &&
        id.len < sizeof tmp) {
        if (h->n_users == h->cap_users) {
            const size_t cap = h->cap_users ? 2 * h->cap_users : 64;
            uentry *nu = heed__realloc(h->users, cap * sizeof *nu);
            if (!nu) {
                rc = heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
                goto out;
            }
            h->users = nu;
            h->cap_users = cap;
        }
        uentry *e = &h->users[h->n_users];
        memcpy(e->id, id.ptr, id.len);
        e->id[id.len] = '\0';
        const char *const keys[3] = {"name", "email", "phone"};
        for (int k = 0; k < 3; k++) {
            const heed_view f = str(u, keys[k]);
            e->f[k] = f;
            if (f.ptr && !(e->f[k].ptr = heed__arena_memdup(&h->mem, f.ptr, f.len + 1))) {
                rc = heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
                goto out;
            }
        }
        h->n_users++;
    }
out:
    cJSON_Delete(u);
    return rc;
}

/* The first pass: checks the whole document and notes where its "tickets"
 * array starts; keeps the "users" side-load. */
static int read_doc(heed_helpdesk *h, heed_error *err)
{
    dsrc *s = &h->src;
    ploc at;
    bool too_big, tickets_seen = false, tickets_array = false, users_seen = false;
    size_t keys = 0;
    int c = d_skip_ws(s), rc;
    if (c != '{')
        return doc_unexpected(h, c, "an object ('{')", err);
    d_take(s, 1);
    for (bool first = true;; first = false) {
        c = d_skip_ws(s);
        if (c == '}' && first)
            break;
        if (c != '"')
            return doc_unexpected(h, c, first ? "a key or '}'" : "a key", err);
        if ((rc = read_piece(h, &at, &too_big, err)) != HEED_OK ||
            (rc = check_piece(h, &at, err)) != HEED_OK)
            return rc;
        if (++keys > HEED_MAX_FIELDS)
            return heed_io_fail(err, HEED_EPARSE, (size_t)at.off,
                                "%s:%zu:%zu: JSON: more than %d keys in the document", h->name,
                                at.line, at.col, HEED_MAX_FIELDS);
        size_t kn;
        const char *key = piece_ptr(h, &kn);
        const bool is_tickets = kn == 9 && !memcmp(key, "\"tickets\"", 9) && !tickets_seen;
        const bool is_users = kn == 7 && !memcmp(key, "\"users\"", 7) && !users_seen;
        c = d_skip_ws(s);
        if (c != ':')
            return doc_unexpected(h, c, "':'", err);
        d_take(s, 1);
        c = d_skip_ws(s);
        if (c < 0 || !strchr("\"{[-0123456789tfn", c))
            return doc_unexpected(h, c, "a value", err);
        tickets_seen |= is_tickets;
        users_seen |= is_users;
        if (c == '[') {
            d_take(s, 1);
            if (is_tickets) {
                tickets_array = true;
                h->tickets_at = d_off(s);
                h->tickets_line = s->line;
                h->tickets_line_start = s->line_start;
            }
            for (bool efirst = true;; efirst = false) {
                c = d_skip_ws(s);
                if (c == ']' && efirst)
                    break;
                if (c < 0 || !strchr("\"{[-0123456789tfn", c))
                    return doc_unexpected(h, c, efirst ? "a value or ']'" : "a value", err);
                if ((rc = read_piece(h, &at, &too_big, err)) != HEED_OK)
                    return rc;
                /* a ticket over the limit is reported when it is read */
                if (!too_big && (rc = check_piece(h, &at, err)) != HEED_OK)
                    return rc;
                if (!too_big && is_users && (rc = add_user(h, err)) != HEED_OK)
                    return rc;
                c = d_skip_ws(s);
                if (c == ']')
                    break;
                if (c != ',')
                    return doc_unexpected(h, c, "',' or ']'", err);
                d_take(s, 1);
            }
            d_take(s, 1);
        } else {
            if ((rc = read_piece(h, &at, &too_big, err)) != HEED_OK)
                return rc;
            if (!too_big && (rc = check_piece(h, &at, err)) != HEED_OK)
                return rc;
        }
        c = d_skip_ws(s);
        if (c == '}')
            break;
        if (c != ',')
            return doc_unexpected(h, c, "',' or '}'", err);
        d_take(s, 1);
    }
    d_take(s, 1);
    c = d_skip_ws(s);
    if (c != -1)
        return doc_unexpected(h, c, "the end of the document", err);
    if (!tickets_array)
        return heed_io_fail(err, HEED_EFIELD, 0,
                            "%s: expected a \"tickets\" array in the export document", h->name);
    if (h->n_users)
        qsort(h->users, h->n_users, sizeof *h->users, ucmp);
    return HEED_OK;
}

/* Input that cannot be read twice: what was read to tell the form (n_blank
 * blank lines, then the first line in h->line), the rest of the reader's
 * window and of the file go to a temporary file, at most max_doc bytes. */
static int spool(heed_helpdesk *h, size_t n_blank, size_t max_doc, heed_error *err)
{
    h->spool = tmpfile();
    if (!h->spool)
        return heed_io_fail(err, HEED_EIO, 0,
                            "%s: cannot create a temporary file for the export document", h->name);
    size_t total = n_blank + h->line.len + 1;
    bool ok = total <= max_doc;
    for (size_t k = 0; ok && k < n_blank; k++)
        ok = fputc('\n', h->spool) != EOF;
    ok = ok && fwrite(h->line.ptr ? h->line.ptr : "", 1, h->line.len, h->spool) == h->line.len &&
         fputc('\n', h->spool) != EOF;
    heed_lines *lr = &h->lr;
    for (;;) {
        const size_t n = lr->len - lr->pos;
        total += n;
        if (!ok || total > max_doc)
            break;
        if (n && fwrite(lr->win + lr->pos, 1, n, h->spool) != n) {
            ok = false;
            break;
        }
        lr->pos = lr->len = 0;
        if (lr->eof)
            break;
        lr->len = fread(lr->win, 1, sizeof lr->win, lr->f);
        if (!lr->len) {
            if (ferror(lr->f))
                return heed_io_fail(err, HEED_EIO, 0, "%s: read error", h->name);
            break;
        }
    }
    if (total > max_doc)
        return heed_io_fail(err, HEED_ETOOBIG, 0,
                            "%s: the {\"tickets\": [...]} export is over %zu bytes; export "
                            "JSON lines (one ticket per line) instead, they are streamed",
                            h->name, max_doc);
    if (!ok || fflush(h->spool) || fseeko(h->spool, 0, SEEK_SET))
        return heed_io_fail(err, HEED_EIO, 0,
                            "%s: cannot write a temporary copy of the export document", h->name);
    return HEED_OK;
}

/* The second pass: the next ticket of the "tickets" array into h->doc.
 * Returns 1, 0 at the array's end, or an error for this ticket. */
static int next_doc_ticket(heed_helpdesk *h, heed_error *err)
{
    dsrc *s = &h->src;
    if (h->doc_done)
        return 0;
    int c = d_skip_ws(s);
    if (c == -2)
        return read_failed(h, err);
    if (c == ']' || c == -1) {
        h->doc_done = true;
        return 0;
    }
    ploc at;
    bool too_big;
    h->ticket_index++;
    h->ticket_line = s->line;
    int rc = read_piece(h, &at, &too_big, err);
    if (rc == HEED_EIO || rc == HEED_ENOMEM)
        return rc;
    if (rc == HEED_OK) {
        c = d_skip_ws(s);
        if (c == ',')
            d_take(s, 1);
        else if (c != ']')
            rc = HEED_EPARSE;
    }
    if (rc != HEED_OK) { /* the first pass found the array whole */
        h->doc_done = true;
        return heed_io_fail(err, HEED_EIO, 0, "%s:%zu: the file changed while it was read",
                            h->name, s->line);
    }
    cJSON_Delete(h->doc);
    h->doc = NULL; /* no tree of the ticket before stands for this one */
    if (too_big)
        return heed_io_fail(err, HEED_ETOOBIG, 0, "%s:%zu: ticket %zu: over %zu bytes, skipped",
                            h->name, h->ticket_line, h->ticket_index + 1,
                            (size_t)HEED_MAX_RECORD);
    size_t n;
    const char *v = piece_ptr(h, &n);
    h->doc = cJSON_ParseWithLength(v, n);
    if (!h->doc) {
        if (check_piece(h, &at, err) != HEED_OK) {
            h->doc_done = true;
            return heed_io_fail(err, HEED_EIO, 0, "%s:%zu: the file changed while it was read",
                                h->name, h->ticket_line);
        }
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    }
    return 1;
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
    heed__arena_init(&h->mem, 0);
    heed__buf_init(&h->piece, 0);
    if (!max_doc)
        max_doc = HEED_MAX_HELPDESK_DOC;
    /* a file can be read again from where it is now; a pipe cannot, so its
     * first line, which may be a whole one-line document, is read up to
     * max_doc */
    h->start = ftello(f);
    const bool seekable = h->start >= 0 && fseeko(f, h->start, SEEK_SET) == 0;
    heed__buf_init(&h->line, !seekable && max_doc > HEED_MAX_RECORD ? max_doc : HEED_MAX_RECORD);
    h->ticket_index = SIZE_MAX;
    snprintf(h->name, sizeof h->name, "%s", name ? name : "export");
    int rc;
    size_t n_blank = 0;
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
        n_blank++;
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
            h->have_pending = false;
            if (h->line.err == HEED_ENOMEM) {
                rc = heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
                goto fail;
            }
            if (!seekable && h->line.err) {
                rc = heed_io_fail(err, HEED_ETOOBIG, 0,
                                  "%s: the {\"tickets\": [...]} export is over %zu bytes; "
                                  "export JSON lines (one ticket per line) instead, they are "
                                  "streamed",
                                  h->name, max_doc);
                goto fail;
            }
            if (!seekable && (rc = spool(h, n_blank, max_doc, err)) != HEED_OK)
                goto fail;
            heed__buf_release(&h->line);
            FILE *df = seekable ? f : h->spool;
            const int64_t at = seekable ? h->start : 0;
            if (seekable && fseeko(f, at, SEEK_SET) != 0) {
                rc = heed_io_fail(err, HEED_EIO, 0, "%s: cannot read the file again", h->name);
                goto fail;
            }
            d_start(&h->src, df, 0, 1, 0);
            if ((rc = read_doc(h, err)) != HEED_OK)
                goto fail;
            /* the second pass starts at the tickets */
            if (fseeko(df, at + (int64_t)h->tickets_at, SEEK_SET) != 0) {
                rc = heed_io_fail(err, HEED_EIO, 0, "%s: cannot read the file again", h->name);
                goto fail;
            }
            d_start(&h->src, df, h->tickets_at, h->tickets_line, h->tickets_line_start);
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
    heed__buf_release(&h->piece);
    if (h->spool)
        fclose(h->spool);
    cJSON_Delete(h->doc);
    heed__free(h->users);
    heed__arena_release(&h->mem);
    heed__free(h);
}

int heed_helpdesk_ticket_text(const heed_helpdesk *h, heed_buf *out)
{
    if (!h->is_doc) {
        if (h->line.err || !h->line.len)
            return 0;
        heed__buf_add(out, h->line.ptr, h->line.len);
        return out->err ? -1 : 1;
    }
    if (!h->doc)
        return 0;
    char *t = cJSON_PrintUnformatted(h->doc);
    if (!t)
        return -1;
    heed__buf_adds(out, t);
    cJSON_free(t);
    return out->err ? -1 : 1;
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
            memset(c, 0, sizeof *c);
            const int rc = next_doc_ticket(h, err);
            c->line = h->ticket_line;
            c->ticket_index = h->ticket_index;
            c->whole_ticket = rc < 0;
            if (rc <= 0)
                return rc;
            t = h->doc;
        } else {
            memset(c, 0, sizeof *c);
            const int rc = next_line_ticket(h, err);
            c->line = h->ticket_line;
            c->ticket_index = h->ticket_index;
            c->whole_ticket = rc < 0;
            if (rc <= 0)
                return rc;
            t = h->doc;
        }
        const int rc = start_ticket(h, t, err);
        if (rc != HEED_OK) {
            *c = h->tk;
            c->whole_ticket = true;
            return rc;
        }
    }
}
