/* mail.c - the mbox reader, quoted-reply stripping and the threader of
 * mail.h; the parser of one mail is in mime.c. */
#include "mail.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "hash.h"
#include "heed_limits.h"
#include "ioerr.h"
#include "lines.h"

/* ------------------------------------------------------------ mbox */

struct heed_mbox {
    heed_lines lr;
    heed_buf line, mail;
    bool have_next;   /* the next mail's "From " line has been read */
    size_t next_line; /* its line number */
    bool prev_blank;
    char name[128];
};

int heed_mbox_new(FILE *f, const char *name, size_t max_mail, heed_mbox **out, heed_error *err)
{
    *out = NULL;
    heed_mbox *mb = heed__malloc(sizeof *mb);
    if (!mb)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    heed__lines_init(&mb->lr, f);
    if (!max_mail)
        max_mail = HEED_MAX_MAIL;
    heed__buf_init(&mb->line, max_mail);
    heed__buf_init(&mb->mail, max_mail);
    mb->have_next = false;
    mb->next_line = 0;
    mb->prev_blank = false;
    snprintf(mb->name, sizeof mb->name, "%s", name ? name : "mbox");
    *out = mb;
    return HEED_OK;
}

void heed_mbox_free(heed_mbox *mb)
{
    if (!mb)
        return;
    heed__buf_release(&mb->line);
    heed__buf_release(&mb->mail);
    heed__free(mb);
}

int heed_mbox_next(heed_mbox *mb, heed_view *raw, size_t *line, heed_error *err)
{
    heed__buf_reset(&mb->mail);
    bool started = false;
    size_t start = 0;
    if (mb->have_next) {
        started = true;
        start = mb->next_line;
        mb->have_next = false;
    }
    for (;;) {
        heed__buf_reset(&mb->line);
        const int rc = heed__lines_next(&mb->lr, &mb->line);
        if (rc < 0)
            return heed_io_fail(err, HEED_EIO, 0, "%s: read error after line %zu", mb->name,
                                mb->lr.line);
        if (rc == 0) {
            if (!started)
                return 0;
            break;
        }
        const char *p = mb->line.len ? mb->line.ptr : "";
        size_t l = mb->line.len;
        const bool blank = l == 0 || (l == 1 && p[0] == '\r');
        /* a separator is a "From " line at the start or after a blank line;
         * elsewhere it is body text a writer forgot to quote */
        if (l >= 5 && !memcmp(p, "From ", 5) && (mb->prev_blank || mb->lr.line == 1)) {
            mb->prev_blank = false;
            if (started) {
                mb->have_next = true;
                mb->next_line = mb->lr.line;
                break;
            }
            started = true;
            start = mb->lr.line;
            continue;
        }
        mb->prev_blank = blank;
        if (!started) {
            if (blank)
                continue;
            started = true; /* no "From " line: an .eml file */
            start = mb->lr.line;
        }
        size_t q = 0;
        while (q < l && p[q] == '>')
            q++;
        if (q > 0 && l - q >= 5 && !memcmp(p + q, "From ", 5)) {
            p++;
            l--;
        }
        if (mb->line.err && !mb->mail.err)
            mb->mail.err = mb->line.err;
        heed__buf_add(&mb->mail, p, l);
        heed__buf_addc(&mb->mail, '\n');
    }
    *line = start;
    /* the blank line before the next separator belongs to the mbox */
    if (mb->mail.len >= 2 && mb->mail.ptr[mb->mail.len - 1] == '\n' &&
        mb->mail.ptr[mb->mail.len - 2] == '\n')
        mb->mail.len--;
    else if (mb->mail.len >= 3 && !memcmp(mb->mail.ptr + mb->mail.len - 3, "\n\r\n", 3))
        mb->mail.len -= 2;
    *raw = (heed_view){mb->mail.len ? mb->mail.ptr : "", mb->mail.len};
    if (mb->mail.err == HEED_ETOOBIG)
        return heed_io_fail(err, HEED_ETOOBIG, 0,
                            "%s:%zu: mail larger than the limit of %zu bytes, skipped", mb->name,
                            start, mb->mail.max);
    if (mb->mail.err)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    return 1;
}

/* ------------------------------------------------------------ stripping */

typedef struct sline {
    const char *p;
    size_t n; /* without '\n' and a final '\r' */
} sline;

static sline line_at(const char *s, size_t len, size_t i, size_t *next)
{
    const char *nl = memchr(s + i, '\n', len - i);
    const size_t e = nl ? (size_t)(nl - s) : len;
    *next = nl ? e + 1 : len;
    sline l = {s + i, e - i};
    if (l.n && l.p[l.n - 1] == '\r')
        l.n--;
    return l;
}

static sline trimmed(sline l)
{
    while (l.n && (l.p[0] == ' ' || l.p[0] == '\t')) {
        l.p++;
        l.n--;
    }
    while (l.n && (l.p[l.n - 1] == ' ' || l.p[l.n - 1] == '\t'))
        l.n--;
    return l;
}

static bool starts_i(sline l, const char *pre)
{
    const size_t n = strlen(pre);
    if (l.n < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)l.p[i]) != tolower((unsigned char)pre[i]))
            return false;
    return true;
}

static bool ends_with(sline l, const char *suf)
{
    const size_t n = strlen(suf);
    return l.n >= n && !memcmp(l.p + l.n - n, suf, n);
}

static bool contains(sline l, const char *what)
{
    const size_t n = strlen(what);
    for (size_t i = 0; i + n <= l.n; i++)
        if (!memcmp(l.p + i, what, n))
            return true;
    return false;
}

/* Attribution openers and their closing words; an attribution may wrap onto
 * the next two lines. */
static const struct {
    const char *open, *close, *close2;
} attributions[] = {
    {"On ", "wrote:", "wrote :"},
    {"Le ", "a \xC3\xA9" "crit :", "a \xC3\xA9" "crit:"},
    {"Am ", "schrieb:", "geschrieben:"},
    {"El ", "escribi\xC3\xB3:", "escribi\xC3\xB3 :"},
    {"Op ", "geschreven:", "schreef:"},
};

/* The number of lines (1..3) of an attribution starting at s[i], or 0. */
static int attribution(const char *s, size_t len, size_t i)
{
    size_t next;
    sline l = trimmed(line_at(s, len, i, &next));
    for (size_t a = 0; a < sizeof attributions / sizeof attributions[0]; a++) {
        if (!starts_i(l, attributions[a].open))
            continue;
        size_t j = i;
        for (int k = 1; k <= 3 && j < len; k++) {
            sline m = trimmed(line_at(s, len, j, &next));
            if (k > 1 && (m.n == 0 || m.p[0] == '>'))
                break;
            if (ends_with(m, attributions[a].close) || ends_with(m, attributions[a].close2))
                return k;
            j = next;
        }
    }
    return 0;
}

static bool original_message(sline l)
{
    return contains(l, "-----Original Message-----") ||
           contains(l, "----- Original Message -----") ||
           contains(l, "-----Urspr\xC3\xBCngliche Nachricht-----") ||
           contains(l, "Message d'origine --") || contains(l, "-----Mensaje original-----");
}

/* An Outlook reply header: "From:" with "Sent:" or "Date:" within 4 lines. */
static bool outlook_header(const char *s, size_t len, size_t i)
{
    size_t next;
    sline l = trimmed(line_at(s, len, i, &next));
    if (!(starts_i(l, "From:") || starts_i(l, "De :") || starts_i(l, "De:") ||
          starts_i(l, "Von:")))
        return false;
    size_t j = next;
    for (int k = 0; k < 4 && j < len; k++) {
        sline m = trimmed(line_at(s, len, j, &next));
        if (starts_i(m, "Sent:") || starts_i(m, "Date:") || starts_i(m, "Envoy\xC3\xA9 :") ||
            starts_i(m, "Gesendet:"))
            return true;
        j = next;
    }
    return false;
}

static bool mobile_footer(sline l)
{
    static const char *const footers[] = {
        "Sent from my ",    "Sent from Outlook", "Sent from Mail for ", "Get Outlook for ",
        "Sent from Yahoo",  "Sent via ",         "Envoy\xC3\xA9 de mon ",
        "Von meinem ",      "Enviado desde mi ", "Inviato da ",
    };
    if (l.n > 80)
        return false;
    for (size_t k = 0; k < sizeof footers / sizeof footers[0]; k++)
        if (starts_i(l, footers[k]))
            return true;
    return false;
}

size_t heed_mail_strip_quoted(const char *in, size_t len, char *out)
{
    size_t i = 0, w = 0;
    bool kept_any = false, blank_pending = false, after_attr = false;
    while (i < len) {
        size_t next;
        const sline raw = line_at(in, len, i, &next);
        const sline t = trimmed(raw);
        if ((raw.n == 3 && !memcmp(raw.p, "-- ", 3)) || (raw.n == 2 && !memcmp(raw.p, "--", 2)))
            break; /* the signature separator */
        if (original_message(t) || outlook_header(in, len, i))
            break;
        const int attr = attribution(in, len, i);
        if (attr) {
            for (int k = 0; k < attr; k++) {
                i = next;
                line_at(in, len, i, &next);
            }
            after_attr = true;
            continue;
        }
        if ((t.n && t.p[0] == '>') || mobile_footer(t)) {
            i = next;
            continue;
        }
        if (t.n == 0) {
            if (!after_attr)
                blank_pending = kept_any;
            i = next;
            continue;
        }
        after_attr = false;
        if (kept_any) {
            out[w++] = '\n';
            if (blank_pending)
                out[w++] = '\n';
        }
        memmove(out + w, raw.p, raw.n);
        w += raw.n;
        kept_any = true;
        blank_pending = false;
        i = next;
    }
    return w;
}

/* ------------------------------------------------------------ threading */

typedef struct tentry {
    uint64_t h;
    const char *id; /* NULL: empty slot */
    size_t idl;
    const char *root;
    size_t rootl;
} tentry;

/* The ids moved to the map are noted in a Bloom filter of this many bits
 * (256 KiB), so that most ids not there (every new Message-ID) are not
 * looked for in it: about 1 in 11,000 such ids with 10,000 in the map, 1 in
 * 120 with 100,000, 1 in 3 with a million. */
#define THREAD_BLOOM_BITS ((size_t)1 << 21)

static bool bloom_test(const uint64_t *b, uint64_t h)
{
    const size_t i = (size_t)h & (THREAD_BLOOM_BITS - 1),
                 j = (size_t)(h >> 32) & (THREAD_BLOOM_BITS - 1);
    return (b[i / 64] >> (i % 64) & 1) && (b[j / 64] >> (j % 64) & 1);
}

static void bloom_set(uint64_t *b, uint64_t h)
{
    const size_t i = (size_t)h & (THREAD_BLOOM_BITS - 1),
                 j = (size_t)(h >> 32) & (THREAD_BLOOM_BITS - 1);
    b[i / 64] |= (uint64_t)1 << (i % 64);
    b[j / 64] |= (uint64_t)1 << (j % 64);
}

struct heed_mail_threader {
    tentry *t;
    size_t cap, n; /* cap a power of two */
    heed_arena mem;
    const heed_mail_idmap *map; /* where the ids go past max_ids; NULL: none */
    size_t max_ids;
    bool spilled;  /* the map holds some */
    uint64_t *bloom; /* THREAD_BLOOM_BITS: two bits set per id in the map */
    heed_error *err;
};

int heed_mail_threader_new(heed_mail_threader **out, heed_error *err)
{
    *out = NULL;
    heed_mail_threader *t = heed__malloc(sizeof *t);
    if (!t)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    memset(t, 0, sizeof *t);
    t->cap = 256;
    t->t = heed__malloc(t->cap * sizeof *t->t);
    if (!t->t) {
        heed__free(t);
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    }
    memset(t->t, 0, t->cap * sizeof *t->t);
    heed__arena_init(&t->mem, 0);
    *out = t;
    return HEED_OK;
}

void heed_mail_threader_spill(heed_mail_threader *t, const heed_mail_idmap *map, size_t max_ids)
{
    t->map = map;
    t->max_ids = max_ids ? max_ids : HEED_MAIL_THREAD_IDS;
}

void heed_mail_threader_free(heed_mail_threader *t)
{
    if (!t)
        return;
    heed__free(t->t);
    heed__free(t->bloom);
    heed__arena_release(&t->mem);
    heed__free(t);
}

static tentry *slot(tentry *tab, size_t cap, uint64_t h, const char *id, size_t idl)
{
    size_t i = (size_t)h & (cap - 1);
    while (tab[i].id && !(tab[i].h == h && tab[i].idl == idl && !memcmp(tab[i].id, id, idl)))
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

/* The root of id: 1 and *root (in the arena), 0 when unknown, or an error
 * of the map. An id found in the map has its root copied to the arena, so
 * that the views of one call stay valid. */
static int lookup(heed_mail_threader *t, heed_view id, heed_view *root)
{
    const uint64_t h = heed__hash(id.ptr, id.len);
    const tentry *e = slot(t->t, t->cap, h, id.ptr, id.len);
    if (e->id) {
        *root = (heed_view){e->root, e->rootl};
        return 1;
    }
    if (!t->spilled || !bloom_test(t->bloom, h))
        return 0;
    heed_view r;
    const int rc = t->map->get(t->map->ctx, id, &r, t->err);
    if (rc <= 0)
        return rc;
    char *p = heed__arena_memdup(&t->mem, r.ptr, r.len);
    if (!p)
        return heed_io_fail(t->err, HEED_ENOMEM, 0, "out of memory");
    *root = (heed_view){p, r.len};
    return 1;
}

/* Adds id -> root (root.ptr NULL: the id is its own root; else in the
 * arena); sets *out to the root the id has (an id already present keeps its
 * own). Returns HEED_OK or an error. Roots live in the arena: they survive
 * the table growing. */
static int insert(heed_mail_threader *t, heed_view id, heed_view root, heed_view *out)
{
    if (2 * (t->n + 1) > t->cap) {
        const size_t cap = t->cap * 2;
        tentry *nt = heed__malloc(cap * sizeof *nt);
        if (!nt)
            return heed_io_fail(t->err, HEED_ENOMEM, 0, "out of memory");
        memset(nt, 0, cap * sizeof *nt);
        for (size_t k = 0; k < t->cap; k++)
            if (t->t[k].id)
                *slot(nt, cap, t->t[k].h, t->t[k].id, t->t[k].idl) = t->t[k];
        heed__free(t->t);
        t->t = nt;
        t->cap = cap;
    }
    const uint64_t h = heed__hash(id.ptr, id.len);
    tentry *e = slot(t->t, t->cap, h, id.ptr, id.len);
    if (!e->id) {
        if (t->spilled) {
            const int rc = lookup(t, id, out);
            if (rc)
                return rc < 0 ? rc : HEED_OK;
        }
        char *p = heed__arena_memdup(&t->mem, id.ptr, id.len);
        if (!p)
            return heed_io_fail(t->err, HEED_ENOMEM, 0, "out of memory");
        e->h = h;
        e->id = p;
        e->idl = id.len;
        e->root = root.ptr ? root.ptr : p;
        e->rootl = root.ptr ? root.len : id.len;
        t->n++;
    }
    *out = (heed_view){e->root, e->rootl};
    return HEED_OK;
}

/* Moves every id held to the map and empties the table and the arena. */
static int spill(heed_mail_threader *t)
{
    if (!t->bloom && !(t->bloom = heed__calloc(THREAD_BLOOM_BITS / 64, sizeof *t->bloom)))
        return heed_io_fail(t->err, HEED_ENOMEM, 0, "out of memory");
    for (size_t k = 0; k < t->cap; k++) {
        const tentry *e = &t->t[k];
        if (!e->id)
            continue;
        bloom_set(t->bloom, e->h);
        const int rc = t->map->put(t->map->ctx, (heed_view){e->id, e->idl},
                                   (heed_view){e->root, e->rootl}, t->err);
        if (rc != HEED_OK)
            return rc;
    }
    memset(t->t, 0, t->cap * sizeof *t->t);
    t->n = 0;
    heed__arena_release(&t->mem);
    heed__arena_init(&t->mem, 0);
    t->spilled = true;
    return HEED_OK;
}

int heed_mail_thread_key(heed_mail_threader *t, const heed_mail *m, heed_view *key,
                         heed_error *err)
{
    char synth[48];
    int rc;
    t->err = err;
    if (t->map && t->n >= t->max_ids && (rc = spill(t)) != HEED_OK)
        return rc;
    heed_view own = m->message_id;
    if (!own.ptr || !own.len) {
        uint64_t h = 0x9e3779b97f4a7c15ull;
        const heed_view parts[3] = {m->from_addr, m->date_raw, m->subject};
        for (int k = 0; k < 3; k++)
            h = heed__hash(parts[k].ptr ? parts[k].ptr : "", parts[k].len) ^ (h * 31);
        const int n = snprintf(synth, sizeof synth, "heed-%016" PRIx64 "@synthetic", h);
        own = (heed_view){synth, (size_t)n};
    }
    heed_view root = {NULL, 0};
    if ((rc = lookup(t, own, &root)) != 0) { /* seen before (a duplicate, or
                                                 * referred to by an earlier mail) */
        if (rc < 0)
            return rc;
        *key = root;
        return HEED_OK;
    }
    if (m->in_reply_to.ptr && (rc = lookup(t, m->in_reply_to, &root)) < 0)
        return rc;
    for (size_t k = m->n_references; !root.ptr && k-- > 0;)
        if ((rc = lookup(t, m->references[k], &root)) < 0)
            return rc;
    if (!root.ptr) {
        /* no known ancestor: the oldest one named is the root */
        const heed_view first = m->n_references ? m->references[0] : m->in_reply_to;
        if (first.ptr && (rc = insert(t, first, root, &root)) != HEED_OK)
            return rc;
    }
    if ((rc = insert(t, own, root, &root)) != HEED_OK)
        return rc;
    /* ancestors not seen yet join this thread when they turn up */
    heed_view ignored;
    if (m->in_reply_to.ptr && (rc = insert(t, m->in_reply_to, root, &ignored)) != HEED_OK)
        return rc;
    for (size_t k = 0; k < m->n_references; k++)
        if ((rc = insert(t, m->references[k], root, &ignored)) != HEED_OK)
            return rc;
    *key = root;
    return HEED_OK;
}

