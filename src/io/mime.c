/* mime.c - heed_mail_parse (see mail.h): RFC 5322 header fields, dates and
 * addresses, and the MIME multipart walk that picks the body; the text
 * decodings are in mailtext.c. Pure: bytes in, fields out. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "heed_limits.h"
#include "ioerr.h"
#include "mail.h"
#include "mailtext.h"
#include "timeparse.h"
#include "utf8.h"

typedef struct hdr {
    const char *name;
    size_t nlen;
    const char *val; /* unfolded */
    size_t vlen;
} hdr;

typedef struct hdrs {
    hdr *h;
    size_t n;
} hdrs;

/* The text part chosen for the body. */
typedef struct part {
    const char *body;
    size_t len;
    char cte[24];     /* lower case */
    char charset[64]; /* lower case; "" when not given */
    bool found;
} part;

typedef struct walk {
    heed_mail *m;
    heed_error *err;
    size_t n_parts;
    part plain, html;
} walk;

static int oom(heed_error *err)
{
    return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
}

static void trim(const char **s, size_t *n)
{
    while (*n && heed__mail_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && heed__mail_ws((*s)[*n - 1]))
        (*n)--;
}

/* ------------------------------------------------------------ header */

/* Reads the header at s[0..n) (LF line ends): fields up to the first empty
 * line, continuation lines unfolded. Lines that are neither a field nor a
 * continuation are skipped. *body_off is where the body starts. */
static int parse_header(heed_arena *a, const char *s, size_t n, hdrs *out, size_t *body_off)
{
    size_t lines = 1;
    size_t end = n;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\n')
            continue;
        lines++;
        if (i + 1 < n && s[i + 1] == '\n') {
            end = i + 1;
            break;
        }
    }
    if (n && s[0] == '\n')
        end = 0;
    *body_off = end < n ? end + 1 : n;
    if (lines > HEED_MAX_MAIL_HEADERS)
        lines = HEED_MAX_MAIL_HEADERS;
    out->n = 0;
    out->h = heed__arena_alloc(a, lines * sizeof *out->h);
    if (!out->h)
        return HEED_ENOMEM;
    size_t i = 0;
    while (i < end && out->n < lines) {
        const char *nl = memchr(s + i, '\n', end - i);
        size_t le = nl ? (size_t)(nl - s) : end;
        const char *colon = memchr(s + i, ':', le - i);
        if (!colon || colon == s + i || heed__mail_ws(s[i])) {
            i = le + 1;
            continue;
        }
        size_t nlen = (size_t)(colon - (s + i));
        while (nlen && heed__mail_ws(s[i + nlen - 1]))
            nlen--;
        bool ok = true;
        for (size_t k = 0; k < nlen; k++)
            if ((unsigned char)s[i + k] <= ' ' || (unsigned char)s[i + k] >= 0x7f)
                ok = false;
        /* the value runs over continuation lines */
        size_t ve = le;
        while (ve + 1 < end && (s[ve + 1] == ' ' || s[ve + 1] == '\t')) {
            const char *nx = memchr(s + ve + 1, '\n', end - ve - 1);
            ve = nx ? (size_t)(nx - s) : end;
        }
        if (ok && nlen) {
            const size_t vs = (size_t)(colon - s) + 1;
            char *v = heed__arena_alloc(a, ve - vs + 1);
            if (!v)
                return HEED_ENOMEM;
            size_t vl = 0;
            for (size_t k = vs; k < ve; k++)
                if (s[k] != '\n' && s[k] != '\r')
                    v[vl++] = s[k];
            const char *vp = v;
            trim(&vp, &vl);
            out->h[out->n++] = (hdr){s + i, nlen, vp, vl};
        }
        i = ve + 1;
    }
    return HEED_OK;
}

static const hdr *get(const hdrs *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (heed__mail_ieq(h->h[i].name, h->h[i].nlen, name))
            return &h->h[i];
    return NULL;
}

/* The value of parameter `name` in a Content-Type / Content-Disposition value
 * (after the first ';'), unquoted, copied to out (cut to cap-1) lower-cased
 * when `lower`. Returns false when absent. */
static bool param(const char *v, size_t n, const char *name, char *out, size_t cap, bool lower)
{
    size_t i = 0;
    bool in_q = false;
    while (i < n) {
        /* find the next ';' outside quotes */
        for (; i < n; i++) {
            if (v[i] == '"')
                in_q = !in_q;
            else if (v[i] == ';' && !in_q)
                break;
        }
        if (i >= n)
            return false;
        i++;
        while (i < n && heed__mail_ws(v[i]))
            i++;
        const size_t ks = i;
        while (i < n && v[i] != '=' && v[i] != ';')
            i++;
        size_t kl = i - ks;
        while (kl && heed__mail_ws(v[ks + kl - 1]))
            kl--;
        if (i >= n || v[i] != '=')
            continue;
        i++;
        while (i < n && heed__mail_ws(v[i]))
            i++;
        size_t o = 0;
        if (i < n && v[i] == '"') {
            i++;
            while (i < n && v[i] != '"') {
                if (v[i] == '\\' && i + 1 < n)
                    i++;
                if (o + 1 < cap)
                    out[o++] = lower ? (char)tolower((unsigned char)v[i]) : v[i];
                i++;
            }
            if (i < n)
                i++;
        } else {
            while (i < n && v[i] != ';' && !heed__mail_ws(v[i])) {
                if (o + 1 < cap)
                    out[o++] = lower ? (char)tolower((unsigned char)v[i]) : v[i];
                i++;
            }
        }
        out[o] = '\0';
        if (heed__mail_ieq(v + ks, kl, name))
            return true;
    }
    return false;
}

/* The value's first token (before ';'), lower-cased into out. */
static void main_value(const char *v, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && v[i] != ';'; i++)
        if (!heed__mail_ws(v[i]) && o + 1 < cap)
            out[o++] = (char)tolower((unsigned char)v[i]);
    out[o] = '\0';
}

/* ------------------------------------------------------------ MIME walk */

static int walk_entity(walk *w, const hdrs *h, const char *body, size_t len, int depth);

static int walk_multipart(walk *w, const char *ctype, const char *boundary, const char *body,
                          size_t len, int depth)
{
    const size_t bl = strlen(boundary);
    size_t part_start = SIZE_MAX;
    size_t i = 0;
    bool any = false;
    while (i < len) {
        const char *nl = memchr(body + i, '\n', len - i);
        const size_t le = nl ? (size_t)(nl - body) : len;
        if (le - i >= bl + 2 && body[i] == '-' && body[i + 1] == '-' &&
            !memcmp(body + i + 2, boundary, bl)) {
            size_t k = i + 2 + bl;
            const bool last = le - k >= 2 && body[k] == '-' && body[k + 1] == '-';
            if (last)
                k += 2;
            while (k < le && heed__mail_ws(body[k]))
                k++;
            if (k == le) {
                any = true;
                if (part_start != SIZE_MAX) {
                    /* the line break before the boundary belongs to it */
                    size_t pe = i > part_start ? i - 1 : part_start;
                    if (++w->n_parts > HEED_MAX_MIME_PARTS)
                        return heed_io_fail(w->err, HEED_ETOOBIG, 0,
                                            "more than %d MIME parts in one mail",
                                            HEED_MAX_MIME_PARTS);
                    hdrs ph;
                    size_t boff;
                    if (parse_header(&w->m->mem, body + part_start, pe - part_start, &ph,
                                     &boff) != HEED_OK)
                        return oom(w->err);
                    const int rc = walk_entity(w, &ph, body + part_start + boff,
                                               pe - part_start - boff, depth + 1);
                    if (rc != HEED_OK)
                        return rc;
                }
                if (last)
                    return HEED_OK;
                part_start = le + 1 <= len ? le + 1 : len;
            }
        }
        i = le + 1;
    }
    if (!any)
        return heed_io_fail(w->err, HEED_EPARSE, 0,
                            "%s: the boundary \"%.60s\" never appears in the body", ctype,
                            boundary);
    if (part_start != SIZE_MAX && part_start < len) {
        /* no closing boundary: the last part runs to the end */
        hdrs ph;
        size_t boff;
        if (parse_header(&w->m->mem, body + part_start, len - part_start, &ph, &boff) != HEED_OK)
            return oom(w->err);
        return walk_entity(w, &ph, body + part_start + boff, len - part_start - boff, depth + 1);
    }
    return HEED_OK;
}

static int walk_entity(walk *w, const hdrs *h, const char *body, size_t len, int depth)
{
    if (depth > HEED_MAX_MIME_DEPTH)
        return heed_io_fail(w->err, HEED_ETOOBIG, 0, "MIME parts nested deeper than %d levels",
                            HEED_MAX_MIME_DEPTH);
    char ctype[64] = "text/plain";
    const hdr *ct = get(h, "Content-Type");
    if (ct) {
        main_value(ct->val, ct->vlen, ctype, sizeof ctype);
        if (!strchr(ctype, '/'))
            strcpy(ctype, "text/plain"); /* RFC 2045 5.2: the default */
    }
    if (!strncmp(ctype, "multipart/", 10)) {
        char boundary[80];
        if (!param(ct->val, ct->vlen, "boundary", boundary, sizeof boundary, false) ||
            !boundary[0])
            return heed_io_fail(w->err, HEED_EPARSE, 0,
                                "%s without a boundary parameter in its Content-Type", ctype);
        return walk_multipart(w, ctype, boundary, body, len, depth);
    }
    const bool plain = !strcmp(ctype, "text/plain");
    const bool is_html = !strcmp(ctype, "text/html");
    if (!plain && !is_html)
        return HEED_OK;
    const hdr *cd = get(h, "Content-Disposition");
    if (cd) {
        char disp[32];
        main_value(cd->val, cd->vlen, disp, sizeof disp);
        if (!strcmp(disp, "attachment"))
            return HEED_OK;
    }
    part *p = plain ? &w->plain : &w->html;
    if (p->found)
        return HEED_OK;
    p->found = true;
    p->body = body;
    p->len = len;
    p->charset[0] = '\0';
    if (ct)
        param(ct->val, ct->vlen, "charset", p->charset, sizeof p->charset, true);
    strcpy(p->cte, "7bit");
    const hdr *te = get(h, "Content-Transfer-Encoding");
    if (te)
        main_value(te->val, te->vlen, p->cte, sizeof p->cte);
    return HEED_OK;
}

/* ------------------------------------------------------------ fields */

static heed_view dup_view(heed_mail *m, const char *s, size_t n)
{
    char *p = heed__arena_memdup(&m->mem, s, n);
    return (heed_view){p, p ? n : 0};
}

/* A copy of header bytes in the arena with invalid UTF-8 replaced (raw
 * 8-bit headers are not rare). */
static heed_view dup_text(heed_mail *m, const char *s, size_t n)
{
    if (heed__utf8_valid_prefix(s, n) == n)
        return dup_view(m, s, n);
    heed_buf b;
    heed__buf_init(&b, 0);
    size_t bad;
    heed__mail_copy_utf8(s, n, true, &b, &m->n_replaced, &bad);
    heed_view v = {NULL, 0};
    if (!b.err)
        v = dup_view(m, b.ptr, b.len);
    heed__buf_release(&b);
    return v;
}

/* Decoded text of a header value, in the arena. */
static heed_view decoded(heed_mail *m, const char *s, size_t n)
{
    heed_buf b;
    heed__buf_init(&b, 0);
    heed__mail_decode_words(s, n, &b, &m->n_replaced);
    heed_view v = {NULL, 0};
    if (!b.err)
        v = dup_view(m, b.len ? b.ptr : "", b.len);
    heed__buf_release(&b);
    return v;
}

/* The id inside the first <...> of s, or its first word. */
static bool first_id(const char *s, size_t n, const char **id, size_t *idl, size_t *next)
{
    size_t i = 0;
    while (i < n && heed__mail_ws(s[i]))
        i++;
    if (i >= n)
        return false;
    if (s[i] == '<') {
        const char *gt = memchr(s + i, '>', n - i);
        const size_t e = gt ? (size_t)(gt - s) : n;
        *id = s + i + 1;
        *idl = e - i - 1;
        *next = gt ? e + 1 : n;
    } else {
        size_t e = i;
        while (e < n && !heed__mail_ws(s[e]) && s[e] != '<')
            e++;
        *id = s + i;
        *idl = e - i;
        *next = e;
    }
    trim(id, idl);
    return true;
}

static int parse_ids(heed_mail *m, const hdr *h)
{
    heed_view tmp[HEED_MAX_REFERENCES];
    size_t cnt = 0, total = 0;
    size_t i = 0;
    const char *id;
    size_t idl, next;
    while (first_id(h->val + i, h->vlen - i, &id, &idl, &next)) {
        i += next;
        if (!idl)
            continue;
        /* keep the first (the root) and the newest ones */
        if (cnt == HEED_MAX_REFERENCES) {
            memmove(tmp + 1, tmp + 2, (HEED_MAX_REFERENCES - 2) * sizeof tmp[0]);
            cnt--;
        }
        tmp[cnt++] = (heed_view){id, idl};
        total++;
    }
    if (!cnt)
        return HEED_OK;
    m->references = heed__arena_alloc(&m->mem, cnt * sizeof *m->references);
    if (!m->references)
        return HEED_ENOMEM;
    for (size_t k = 0; k < cnt; k++) {
        m->references[k] = dup_text(m, tmp[k].ptr, tmp[k].len);
        if (!m->references[k].ptr)
            return HEED_ENOMEM;
    }
    m->n_references = cnt;
    return HEED_OK;
}

/* The first address of an address list: *addr and *name (decoded). */
static int parse_address(heed_mail *m, const hdr *h, heed_view *addr, heed_view *name)
{
    const char *s = h->val;
    size_t n = h->vlen;
    /* the first address ends at a ',' outside quotes, <> and () */
    bool q = false;
    int angle = 0, paren = 0;
    size_t e = 0;
    for (; e < n; e++) {
        const char c = s[e];
        if (c == '\\' && e + 1 < n) {
            e++;
            continue;
        }
        if (c == '"')
            q = !q;
        else if (!q && c == '<')
            angle++;
        else if (!q && c == '>' && angle)
            angle--;
        else if (!q && c == '(')
            paren++;
        else if (!q && c == ')' && paren)
            paren--;
        else if (!q && !angle && !paren && c == ',')
            break;
    }
    n = e;
    const char *lt = NULL;
    q = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            q = !q;
        else if (!q && s[i] == '<') {
            lt = s + i;
            break;
        }
    }
    const char *a, *nm = NULL;
    size_t al, nml = 0;
    if (lt) {
        const char *gt = memchr(lt, '>', (size_t)(s + n - lt));
        a = lt + 1;
        al = gt ? (size_t)(gt - a) : (size_t)(s + n - a);
        nm = s;
        nml = (size_t)(lt - s);
    } else {
        const char *op = memchr(s, '(', n);
        a = s;
        al = op ? (size_t)(op - s) : n;
        if (op) {
            const char *cp = memchr(op, ')', (size_t)(s + n - op));
            nm = op + 1;
            nml = cp ? (size_t)(cp - nm) : (size_t)(s + n - nm);
        }
    }
    trim(&a, &al);
    if (al && memchr(a, ':', al) == NULL && memchr(a, '@', al)) {
        const heed_view v = dup_text(m, a, al);
        if (!v.ptr)
            return HEED_ENOMEM;
        /* the domain is case-insensitive: lower-cased for matching */
        char *p = (char *)v.ptr;
        size_t at = v.len;
        while (at > 0 && p[at - 1] != '@')
            at--;
        for (char *c = p + at; at > 0 && c < p + v.len; c++)
            *c = (char)tolower((unsigned char)*c);
        *addr = v;
    }
    if (nm) {
        trim(&nm, &nml);
        if (nml >= 2 && nm[0] == '"' && nm[nml - 1] == '"') {
            char *p = heed__arena_alloc(&m->mem, nml);
            if (!p)
                return HEED_ENOMEM;
            size_t o = 0;
            for (size_t i = 1; i + 1 < nml; i++) {
                if (nm[i] == '\\' && i + 2 < nml)
                    i++;
                p[o++] = nm[i];
            }
            nm = p;
            nml = o;
        }
        if (nml) {
            *name = decoded(m, nm, nml);
            if (!name->ptr)
                return HEED_ENOMEM;
        }
    }
    return HEED_OK;
}

static int64_t days_from_civil(int64_t y, unsigned mo, unsigned d)
{
    y -= mo <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (mo + (mo > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int num(const char *s, size_t n, size_t *i, int max_digits)
{
    int v = 0, d = 0;
    while (*i < n && isdigit((unsigned char)s[*i]) && d < max_digits) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        d++;
    }
    return d ? v : -1;
}

static void skip_cfws(const char *s, size_t n, size_t *i)
{
    for (;;) {
        while (*i < n && heed__mail_ws(s[*i]))
            (*i)++;
        if (*i < n && s[*i] == '(') {
            int depth = 0;
            for (; *i < n; (*i)++) {
                if (s[*i] == '(')
                    depth++;
                else if (s[*i] == ')' && --depth == 0) {
                    (*i)++;
                    break;
                }
            }
            continue;
        }
        return;
    }
}

/* RFC 5322 3.3 date-time (with the obsolete zones and 2-digit years of 4.3);
 * an ISO 8601 time is accepted too. Returns 0 or -1. */
static int parse_date(const char *s, size_t n, int64_t *t, int *tz)
{
    if (heed_parse_time(s, n, t, tz) == 0)
        return 0;
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    size_t i = 0;
    skip_cfws(s, n, &i);
    if (i < n && isalpha((unsigned char)s[i])) { /* day name */
        while (i < n && isalpha((unsigned char)s[i]))
            i++;
        skip_cfws(s, n, &i);
        if (i < n && s[i] == ',')
            i++;
        skip_cfws(s, n, &i);
    }
    const int day = num(s, n, &i, 2);
    skip_cfws(s, n, &i);
    if (day < 1 || day > 31 || n - i < 3)
        return -1;
    int mon = -1;
    for (int k = 0; k < 12; k++)
        if (heed__mail_ieq(s + i, 3, months[k]))
            mon = k + 1;
    if (mon < 0)
        return -1;
    i += 3;
    while (i < n && isalpha((unsigned char)s[i]))
        i++; /* "September" */
    skip_cfws(s, n, &i);
    const size_t ys = i;
    int year = num(s, n, &i, 4);
    if (year < 0)
        return -1;
    if (i - ys <= 2)
        year += year < 50 ? 2000 : 1900;
    else if (i - ys == 3)
        year += 1900;
    skip_cfws(s, n, &i);
    const int hh = num(s, n, &i, 2);
    if (hh < 0 || i >= n || s[i] != ':')
        return -1;
    i++;
    const int mm = num(s, n, &i, 2);
    int ss = 0;
    if (i < n && s[i] == ':') {
        i++;
        ss = num(s, n, &i, 2);
    }
    if (mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 60)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > mdays[mon - 1] || (mon == 2 && day == 29 && !leap))
        return -1;
    skip_cfws(s, n, &i);
    int off = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        const int sign = s[i] == '-' ? -1 : 1;
        i++;
        const size_t zs = i;
        const int z = num(s, n, &i, 4);
        if (z < 0 || i - zs != 4 || z % 100 > 59 || z / 100 > 23)
            return -1;
        off = sign * (z / 100 * 60 + z % 100);
    } else if (i < n && isalpha((unsigned char)s[i])) {
        static const struct {
            const char *name;
            int off;
        } zones[] = {{"ut", 0},        {"gmt", 0},       {"utc", 0},       {"z", 0},
                     {"est", -5 * 60}, {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60},
                     {"mst", -7 * 60}, {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60}};
        size_t ze = i;
        while (ze < n && isalpha((unsigned char)s[ze]))
            ze++;
        for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++)
            if (heed__mail_ieq(s + i, ze - i, zones[k].name))
                off = zones[k].off;
        /* other names (military letters, "CEST") are taken as UTC (RFC 5322 4.3) */
    }
    *t = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + hh * 3600 + mm * 60 +
         ss - (int64_t)off * 60;
    *tz = off;
    return 0;
}

/* ------------------------------------------------------------ the body */

/* Undoes the transfer encoding and charset of p into out (UTF-8). */
static int decode_part(heed_mail *m, const part *p, heed_buf *out, heed_error *err)
{
    heed_buf raw;
    heed__buf_init(&raw, 0);
    const char *bytes = p->body;
    size_t n = p->len;
    if (!strcmp(p->cte, "quoted-printable")) {
        heed__mail_qp_decode(p->body, p->len, false, &raw);
        bytes = raw.ptr;
        n = raw.len;
    } else if (!strcmp(p->cte, "base64")) {
        heed__mail_b64_decode(p->body, p->len, &raw);
        bytes = raw.ptr;
        n = raw.len;
    } /* 7bit, 8bit, binary and unknown encodings: as they are */
    if (raw.err) {
        heed__buf_release(&raw);
        return oom(err);
    }
    /* line ends to LF */
    heed_buf conv;
    heed__buf_init(&conv, 0);
    size_t bad = 0;
    int rc = n ? heed__mail_to_utf8(p->charset, bytes, n, (m->flags & HEED_MAIL_REPLACE_UTF8) != 0, &conv,
                         &m->n_replaced, &bad)
               : HEED_OK;
    heed__buf_release(&raw);
    if (rc == HEED_EPARSE) {
        heed__buf_release(&conv);
        return heed_io_fail(err, HEED_EPARSE, 0,
                            "unknown charset \"%.60s\" (iconv cannot convert it to UTF-8)",
                            p->charset);
    }
    if (rc == HEED_EUTF8) {
        heed__buf_release(&conv);
        return heed_io_fail(err, HEED_EUTF8, bad,
                            "the body is not valid %.60s at byte %zu of its decoded text",
                            p->charset[0] ? p->charset : "UTF-8 (no charset given)", bad);
    }
    if (rc != HEED_OK || conv.err) {
        heed__buf_release(&conv);
        return oom(err);
    }
    for (size_t i = 0; i < conv.len; i++)
        if (conv.ptr[i] != '\r' || (i + 1 < conv.len && conv.ptr[i + 1] != '\n'))
            heed__buf_addc(out, conv.ptr[i] == '\r' ? '\n' : conv.ptr[i]);
    heed__buf_release(&conv);
    return out->err ? oom(err) : HEED_OK;
}

void heed_mail_init(heed_mail *m, unsigned flags)
{
    memset(m, 0, sizeof *m);
    m->flags = flags;
    heed__arena_init(&m->mem, 0);
}

void heed_mail_release(heed_mail *m)
{
    const unsigned flags = m->flags;
    heed__arena_release(&m->mem);
    heed_mail_init(m, flags);
}

int heed_mail_parse(const char *raw, size_t len, heed_mail *m, heed_error *err)
{
    heed_mail_release(m);
    heed_buf text, tmp;
    heed__buf_init(&text, 0);
    heed__buf_init(&tmp, 0);
    int rc = HEED_OK;
    if (len == 0) {
        rc = heed_io_fail(err, HEED_EPARSE, 0, "empty mail: expected header fields");
        goto fail;
    }
    /* a copy with LF line ends */
    char *s = heed__arena_alloc(&m->mem, len + 1);
    if (!s)
        goto nomem;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!(raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n'))
            s[n++] = raw[i];
    s[n] = '\0';

    hdrs h;
    size_t boff;
    if (parse_header(&m->mem, s, n, &h, &boff) != HEED_OK)
        goto nomem;
    if (h.n == 0) {
        rc = heed_io_fail(err, HEED_EPARSE, 0,
                          "no header: a mail starts with \"Name: value\" lines, then a blank line");
        goto fail;
    }
    const hdr *f;
    const char *id;
    size_t idl, next;
    if ((f = get(&h, "Message-ID")) && first_id(f->val, f->vlen, &id, &idl, &next) && idl)
        if (!(m->message_id = dup_text(m, id, idl)).ptr)
            goto nomem;
    if ((f = get(&h, "In-Reply-To")) && first_id(f->val, f->vlen, &id, &idl, &next) && idl)
        if (!(m->in_reply_to = dup_text(m, id, idl)).ptr)
            goto nomem;
    if ((f = get(&h, "References")) && parse_ids(m, f) != HEED_OK)
        goto nomem;
    if ((f = get(&h, "From")) && parse_address(m, f, &m->from_addr, &m->from_name) != HEED_OK)
        goto nomem;
    heed_view to_name = {NULL, 0};
    if ((f = get(&h, "To")) && parse_address(m, f, &m->to_addr, &to_name) != HEED_OK)
        goto nomem;
    if ((f = get(&h, "Subject")) && !(m->subject = decoded(m, f->val, f->vlen)).ptr)
        goto nomem;
    if ((f = get(&h, "Date"))) {
        if (!(m->date_raw = decoded(m, f->val, f->vlen)).ptr)
            goto nomem;
        m->has_time = parse_date(f->val, f->vlen, &m->time, &m->tz_min) == 0;
    }

    walk w = {m, err, 0, {0}, {0}};
    rc = walk_entity(&w, &h, s + boff, n - boff, 0);
    if (rc != HEED_OK)
        goto fail;
    if (w.plain.found) {
        rc = decode_part(m, &w.plain, &text, err);
    } else if (w.html.found) {
        rc = decode_part(m, &w.html, &tmp, err);
        if (rc == HEED_OK) {
            heed__mail_html_to_text(tmp.ptr ? tmp.ptr : "", tmp.len, &text);
            m->body_from_html = true;
        }
    }
    if (rc != HEED_OK)
        goto fail;
    if (text.err)
        goto nomem;
    m->body = dup_view(m, text.len ? text.ptr : "", text.len);
    if (!m->body.ptr)
        goto nomem;
    heed__buf_release(&text);
    heed__buf_release(&tmp);
    return HEED_OK;
nomem:
    rc = oom(err);
fail:
    heed__buf_release(&text);
    heed__buf_release(&tmp);
    return rc;
}
