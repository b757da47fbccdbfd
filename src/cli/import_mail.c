/* import_mail.c - `heed import mbox` and `heed import zendesk`: e-mail and
 * helpdesk ticket exports turned into message rows of the same batches as
 * JSON lines and CSV, so redaction, analysis, idempotence and resuming work
 * the same way. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "helpdesk.h"
#include "import.h"
#include "mail.h"
#include "scratch.h"

extern const heed_import_kind heed_import_kinds[];

/* Sets message field f of row r to s[0..n). */
static void set(heed_import_batch *b, heed_import_row *r, int f, const char *s, size_t n)
{
    if (!s)
        return;
    r->v[f] = b->store.len;
    heed__buf_add(&b->store, s, n);
    heed__buf_addc(&b->store, '\0');
    if (f == M_TEXT)
        r->text_len = n;
}

static void sets(heed_import_batch *b, heed_import_row *r, int f, const char *s)
{
    if (s)
        set(b, r, f, s, strlen(s));
}

/* A time with its offset as RFC 3339, which check_message parses back. */
static void set_time(heed_import_batch *b, heed_import_row *r, int64_t t, int tz_min)
{
    time_t local = (time_t)(t + (int64_t)tz_min * 60);
    struct tm tm;
    gmtime_r(&local, &tm);
    char s[48], day[32];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    int off = (tz_min < 0 ? -tz_min : tz_min) % (24 * 60);
    snprintf(s, sizeof s, "%s%c%02d:%02d", day, tz_min < 0 ? '-' : '+', off / 60, off % 60);
    sets(b, r, M_TIME, s);
}

static heed_import_row *new_row(heed_import_batch *b, size_t line, const char *raw, size_t n,
                                const char *prefix)
{
    heed_record rec = {.line = line};
    heed_import_row *r = heed_import_batch_add(b, &rec);
    if (!r)
        return NULL;
    for (int i = 0; i < HEED_IMPORT_MAX_FIELDS; i++)
        r->v[i] = (size_t)-1;
    /* the raw bytes for --rejects, with the separator that keeps them a
     * file of the same kind */
    r->raw = b->store.len;
    if (prefix)
        heed__buf_adds(&b->store, prefix);
    heed__buf_add(&b->store, raw, n);
    r->raw_len = b->store.len - r->raw;
    heed__buf_addc(&b->store, '\0');
    return b->store.err ? NULL : r;
}

/* The e-mail addresses of the known agents (ids and aliases in the store,
 * lower case, sorted), read before the pipeline takes the store handle. */
typedef struct agent_addrs {
    char **a;
    size_t n, cap;
} agent_addrs;

static int add_addr(void *ctx, const char *addr)
{
    agent_addrs *A = ctx;
    if (A->n == A->cap) {
        size_t c = A->cap ? 2 * A->cap : 64;
        char **q = realloc(A->a, c * sizeof *q);
        if (!q)
            return HEED_ENOMEM;
        A->a = q, A->cap = c;
    }
    if (!(A->a[A->n] = strdup(addr)))
        return HEED_ENOMEM;
    A->n++;
    return HEED_OK;
}

static void free_addrs(agent_addrs *A)
{
    for (size_t i = 0; i < A->n; i++)
        free(A->a[i]);
    free(A->a);
}

static int cmp_addr(const void *key, const void *elem)
{
    return strcmp(key, *(char *const *)elem);
}

/* A mail is an agent's when its sender's domain is an --agent-domain or its
 * address is a known agent's (the agents file's email or aliases). */
static int is_agent_addr(const heed_import *im, const agent_addrs *A, heed_view addr)
{
    const char *at = addr.ptr ? memchr(addr.ptr, '@', addr.len) : NULL;
    if (!at)
        return 0;
    size_t dl = addr.len - (size_t)(at + 1 - addr.ptr);
    for (size_t i = 0; i < im->n_agent_domains; i++)
        if (strlen(im->agent_domains[i]) == dl && !strncasecmp(at + 1, im->agent_domains[i], dl))
            return 1;
    char low[HEED_STORE_AGENT_MAX];
    if (!A->n || addr.len >= sizeof low)
        return 0;
    for (size_t i = 0; i < addr.len; i++)
        low[i] = (char)tolower((unsigned char)addr.ptr[i]);
    low[addr.len] = '\0';
    return bsearch(low, A->a, A->n, sizeof *A->a, cmp_addr) != NULL;
}

/* 1 when a reader's message starts with "NAME:" (the helpdesk reader's name
 * their file, and their line when they have one). */
static int names_file(const char *msg, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(msg, name, n) && msg[n] == ':';
}

/* A reader's message without the "NAME:LINE: " it starts with (the report
 * of a bad record names its file and line itself); of "NAME:LINE:COL: msg",
 * "column COL: msg" (written over the place). msg itself when it starts
 * otherwise. */
static const char *without_place(char *msg, const char *name)
{
    static const char word[] = "column ";
    size_t n = strlen(name);
    if (!names_file(msg, name) || !isdigit((unsigned char)msg[n + 1]))
        return msg;
    char *p = msg + n + 1;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p != ':')
        return msg;
    char *col = p + 1, *q = col;
    while (isdigit((unsigned char)*q))
        q++;
    if (q == col) /* no column */
        return col[0] == ' ' ? col + 1 : col;
    if (*q != ':')
        return msg;
    if ((size_t)(col - msg) < sizeof word - 1) /* no room: the message alone */
        return q[1] == ' ' ? q + 2 : q + 1;
    memcpy(col - (sizeof word - 1), word, sizeof word - 1);
    return col - (sizeof word - 1);
}

/* The threader's ids past HEED_MAIL_THREAD_IDS: a temporary map, opened when
 * the first ones move there. */
static int ids_get(void *ctx, heed_view id, heed_view *root, heed_error *err)
{
    heed_scratch *s = *(heed_scratch **)ctx;
    return s ? heed_scratch_get(s, id.ptr, id.len, &root->ptr, &root->len, err) : 0;
}

static int ids_put(void *ctx, heed_view id, heed_view root, heed_error *err)
{
    heed_scratch **s = ctx;
    int rc;
    if (!*s && (rc = heed_scratch_open(s, err)) != HEED_OK)
        return rc;
    return heed_scratch_put(*s, id.ptr, id.len, root.ptr, root.len, err);
}

int heed_import_mbox(heed_import *im, const char *path)
{
    heed_import_file fs;
    int ret = heed_import_open(im, &fs, "mbox", path);
    if (ret) {
        heed_import_close(&fs);
        return ret;
    }
    heed_mbox *mb = NULL;
    heed_mail_threader *th = NULL;
    heed_scratch *ids = NULL;
    const heed_mail_idmap idmap = {&ids, ids_get, ids_put};
    heed_error err = {0};
    heed_mail mail;
    heed_mail_init(&mail, HEED_MAIL_REPLACE_UTF8);
    /* before the pipeline, which takes the store handle */
    agent_addrs agents = {0};
    int known = heed_store_agent_addresses(im->st, add_addr, &agents, &err);
    heed_import_pipe *p =
        known ? NULL : heed_import_pipe_new(im, &fs, &heed_import_kinds[K_MESSAGES]);
    heed_import_batch *b = p ? heed_import_pipe_batch(p) : NULL;
    if (!b || heed_mbox_new(fs.f, path, 0, &mb, &err) != HEED_OK ||
        heed_mail_threader_new(&th, &err) != HEED_OK) {
        ret = HEED_EXIT_INTERNAL;
        goto out;
    }
    heed_mail_threader_spill(th, &idmap, 0);
    uint64_t index = 0;
    char read_error[sizeof err.msg + 16] = "";
    for (;;) {
        heed_view raw;
        size_t line = 0;
        memset(&err, 0, sizeof err);
        int rc = heed_mbox_next(mb, &raw, &line, &err);
        if (rc == 0)
            break;
        if (rc == HEED_EIO) { /* reported after the batches before it are stored */
            snprintf(read_error, sizeof read_error, "read error: %s",
                     err.msg[0] ? err.msg : strerror(errno));
            ret = HEED_EXIT_USAGE;
            break;
        }
        /* parse even the mails done before: threading needs every mail */
        int prc = rc == 1 ? heed_mail_parse(raw.ptr, raw.len, &mail, &err) : rc;
        heed_view key = {0};
        int trc;
        if (prc == HEED_OK && (trc = heed_mail_thread_key(th, &mail, &key, &err)) != HEED_OK) {
            if (trc == HEED_EIO) { /* the temporary map: reported as a read error */
                snprintf(read_error, sizeof read_error, "%s", err.msg);
                ret = HEED_EXIT_USAGE;
            } else {
                ret = HEED_EXIT_INTERNAL;
            }
            break;
        }
        if (index++ < fs.skipped) {
            /* done by an earlier run; its turn still sets the context
             * later agent replies are scored against */
            if (prc == HEED_OK && mail.has_time) {
                char *body = malloc(mail.body.len + 1);
                if (body) { /* a mail with no text left was rejected: touched nothing */
                    size_t bl = heed_mail_strip_quoted(mail.body.ptr, mail.body.len, body);
                    if (bl && is_agent_addr(im, &agents, mail.from_addr))
                        heed_import_note_agent(im, key.ptr, key.len);
                    else if (bl)
                        heed_import_note_customer(im, key.ptr, key.len, body, bl);
                    free(body);
                }
            }
            continue;
        }
        heed_import_row *r = new_row(b, line, raw.ptr, raw.len, "From heed-rejects\n");
        if (!r) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
        if (prc != HEED_OK) {
            heed_import_row_bad(b, r, err.msg[0] ? err.msg : heed_strerror(prc));
        } else if (!mail.has_time) {
            heed_import_row_bad(b, r, "the mail has no readable Date header");
        } else {
            char *body = malloc(mail.body.len + 1);
            if (!body) {
                ret = HEED_EXIT_INTERNAL;
                break;
            }
            size_t bl = heed_mail_strip_quoted(mail.body.ptr, mail.body.len, body);
            set(b, r, M_ID, mail.message_id.ptr, mail.message_id.len);
            if (!mail.message_id.ptr) /* the threader's synthetic id names it */
                set(b, r, M_ID, key.ptr, key.len);
            set(b, r, M_TEXT, body, bl);
            free(body);
            int agent = is_agent_addr(im, &agents, mail.from_addr);
            sets(b, r, M_ROLE, agent ? "agent" : "customer");
            set(b, r, M_CONV, key.ptr, key.len);
            if (agent)
                set(b, r, M_AGENT, mail.from_addr.ptr, mail.from_addr.len);
            else
                set(b, r, M_EMAIL, mail.from_addr.ptr, mail.from_addr.len);
            set_time(b, r, mail.time, mail.tz_min);
            sets(b, r, M_CHANNEL, "email");
            set(b, r, M_SUBJECT, mail.subject.ptr, mail.subject.len);
            if (!bl)
                heed_import_row_bad(b, r, "the mail has no text once quotes and signature are removed");
            else if (heed_import_row_check(im, b, r, NULL)) {
                ret = HEED_EXIT_INTERNAL;
                break;
            }
        }
        if (b->store.err || heed_import_pipe_flush(p, &b)) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
    }
    if (heed_import_pipe_end(p, !ret) && !ret)
        ret = HEED_EXIT_INTERNAL;
    p = NULL;
    if (read_error[0])
        fprintf(stderr, "heed import: %s: %s\n", path, read_error);
    heed_import_summary(im, &fs);
out:
    if (p) /* set-up failed: no batch was handed on */
        (void)heed_import_pipe_end(p, 0);
    if (fs.st.rejected > fs.rejected_before)
        im->any_rejected = 1;
    if (ret == HEED_EXIT_INTERNAL && err.msg[0])
        fprintf(stderr, "heed import: %s: %s\n", path, err.msg);
    heed_mail_release(&mail);
    heed_mail_threader_free(th);
    heed_scratch_close(ids);
    free_addrs(&agents);
    heed_mbox_free(mb);
    heed_import_close(&fs);
    return ret;
}

static void set_view(heed_import_batch *b, heed_import_row *r, int f, heed_view v)
{
    if (v.ptr)
        set(b, r, f, v.ptr, v.len);
}

int heed_import_zendesk(heed_import *im, const char *path)
{
    heed_import_file fs;
    int ret = heed_import_open(im, &fs, "zendesk", path);
    if (ret) {
        heed_import_close(&fs);
        return ret;
    }
    heed_helpdesk *hd = NULL;
    heed_error err = {0};
    heed_buf ticket; /* a bad record's ticket, for the rejects */
    heed__buf_init(&ticket, 0);
    heed_import_pipe *p = heed_import_pipe_new(im, &fs, &heed_import_kinds[K_MESSAGES]);
    if (!p) {
        ret = HEED_EXIT_INTERNAL;
        goto out;
    }
    heed_import_batch *b = heed_import_pipe_batch(p);
    int rc = heed_helpdesk_new(fs.f, path, 0, &hd, &err);
    if (rc != HEED_OK) {
        if (err.msg[0] && names_file(err.msg, path)) /* its place given once */
            fprintf(stderr, "heed import: %s\n", err.msg);
        else
            fprintf(stderr, "heed import: %s: %s\n", path,
                    err.msg[0] ? err.msg : heed_strerror(rc));
        ret = rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
        goto out;
    }
    uint64_t index = 0;
    char read_error[sizeof err.msg + 16] = "";
    for (;;) {
        heed_hd_comment c;
        memset(&err, 0, sizeof err);
        rc = heed_helpdesk_next(hd, &c, &err);
        if (rc == 0)
            break;
        if (rc == HEED_EIO || rc == HEED_ENOMEM) { /* reported after the batches before */
            snprintf(read_error, sizeof read_error, "%s", err.msg[0] ? err.msg : heed_strerror(rc));
            ret = rc == HEED_EIO ? HEED_EXIT_USAGE : HEED_EXIT_INTERNAL;
            break;
        }
        if (index++ < fs.skipped) {
            /* done by an earlier run: its turn still sets the reply
             * context */
            if (rc == 1 && c.has_time && c.role == HEED_ROLE_CUSTOMER && c.body.len)
                heed_import_note_customer(im, c.ticket_id.ptr, c.ticket_id.len, c.body.ptr,
                                          c.body.len);
            else if (rc == 1 && c.has_time && c.role == HEED_ROLE_AGENT && c.body.len)
                heed_import_note_agent(im, c.ticket_id.ptr, c.ticket_id.len);
            continue;
        }
        /* a record bad as read is set aside as its ticket, one JSON line (the
         * rejects file is a ticket export again); the raw bytes of a good one
         * (kept in case the store refuses it) and of a ticket that could not
         * be read at all (a line over the limit) are a line naming it: a
         * ticket's text per comment would make a long ticket's cost grow
         * with the square of its comments */
        heed__buf_reset(&ticket);
        int bad_now = rc != 1 || !c.has_time || c.role == HEED_ROLE_UNKNOWN;
        int tt = bad_now ? heed_helpdesk_ticket_text(hd, &ticket) : 0;
        if (tt < 0) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
        if (!tt) {
            char where[96];
            snprintf(where, sizeof where, "{\"ticket_number\":%zu,\"comment_number\":%zu}",
                     c.ticket_index + 1, c.comment_index + 1);
            heed__buf_adds(&ticket, where);
        }
        heed_import_row *r = new_row(b, c.line, ticket.ptr, ticket.len, NULL);
        if (!r || ticket.err) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
        if (rc != 1) {
            char m[256];
            const char *what = err.msg[0] ? without_place(err.msg, path) : heed_strerror(rc);
            if (!strncmp(what, "ticket ", 7))
                snprintf(m, sizeof m, "%s", what); /* the reader's: it names the ticket */
            else if (c.whole_ticket)
                snprintf(m, sizeof m, "ticket %zu: %s", c.ticket_index + 1, what);
            else
                snprintf(m, sizeof m, "ticket %zu, comment %zu: %s", c.ticket_index + 1,
                         c.comment_index + 1, what);
            heed_import_row_bad(b, r, m);
        } else if (!c.has_time) {
            heed_import_row_bad(b, r, "the comment has no readable created_at");
        } else if (c.role == HEED_ROLE_UNKNOWN) {
            heed_import_row_bad(b, r, "the ticket names no requester, so the comment's author is unknown");
        } else {
            char id[128];
            snprintf(id, sizeof id, "%.*s/%.*s", (int)c.ticket_id.len, c.ticket_id.ptr,
                     (int)c.comment_id.len, c.comment_id.ptr ? c.comment_id.ptr : "");
            if (!c.comment_id.ptr)
                snprintf(id, sizeof id, "%.*s/#%zu", (int)c.ticket_id.len, c.ticket_id.ptr,
                         c.comment_index);
            sets(b, r, M_ID, id);
            set_view(b, r, M_TEXT, c.body);
            int agent = c.role == HEED_ROLE_AGENT;
            sets(b, r, M_ROLE, agent ? "agent" : "customer");
            set_view(b, r, M_CONV, c.ticket_id);
            if (agent) {
                set_view(b, r, M_AGENT, c.author_email.ptr ? c.author_email : c.author_id);
            } else {
                set_view(b, r, M_EMAIL, c.requester_email);
                set_view(b, r, M_PHONE, c.requester_phone);
            }
            set_time(b, r, c.time, c.tz_min);
            set_view(b, r, M_CHANNEL, c.channel);
            set_view(b, r, M_STATUS, c.status);
            set_view(b, r, M_SUBJECT, c.subject);
            if (!c.body.len)
                heed_import_row_bad(b, r, "the comment has an empty body");
            else if (heed_import_row_check(im, b, r, NULL)) {
                ret = HEED_EXIT_INTERNAL;
                break;
            }
        }
        if (b->store.err || heed_import_pipe_flush(p, &b)) {
            ret = HEED_EXIT_INTERNAL;
            break;
        }
    }
    if (heed_import_pipe_end(p, !ret) && !ret)
        ret = HEED_EXIT_INTERNAL;
    p = NULL;
    if (read_error[0])
        fprintf(stderr, "heed import: %s: %s\n", path, read_error);
    heed_import_summary(im, &fs);
    if (!im->quiet && hd && heed_helpdesk_private_skipped(hd))
        fprintf(stderr, "heed import: %s: %zu private notes not imported\n", path,
                heed_helpdesk_private_skipped(hd));
out:
    if (fs.st.rejected > fs.rejected_before)
        im->any_rejected = 1;
    if (p) /* set-up failed: no batch was handed on */
        (void)heed_import_pipe_end(p, 0);
    heed__buf_release(&ticket);
    heed_helpdesk_free(hd);
    heed_import_close(&fs);
    return ret;
}
