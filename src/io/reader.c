/* reader.c - streams message records out of a FILE (see reader.h): one input
 * window filled with fread, record boundaries found in it, and the record
 * handed to the format's module (jsonl.c, csv.c) or taken as a line of text.
 *
 * Memory: the window grows to at most max_record + 2 bytes (a record and its
 * CRLF), so a record that does not fit is known to be too big without reading
 * it all; its tail is skipped on the next call. Byte positions in messages and
 * in err->pos are 0-based offsets into the record (rec->raw). */
#include "reader.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "csv.h"
#include "heed_limits.h"
#include "ioerr.h"
#include "jsonl.h"

const char *const heed_field_default_names[HEED_F_COUNT] = {
    "id", "text", "role", "conversation", "customer", "agent", "time", "channel",
};

/* How much the window starts with; reads are as large as its free space. */
#define WINDOW_START ((size_t)64 << 10)
#define NO_COLUMN    SIZE_MAX

struct heed_reader {
    FILE *f;
    heed_format format;
    size_t max_record;

    /* The window: buf[pos, end) is read and not yet consumed. */
    char *buf;
    size_t cap, lim, pos, end;
    bool eof;
    bool io_failed;
    int io_errno;
    size_t line;  /* line number of buf[pos] */
    size_t index; /* records handed out so far */

    /* An oversized record whose end was not in the window: the next call skips
     * the rest of it, `skip_from` bytes past pos, continuing `skip_scan`. */
    bool skipping;
    size_t skip_from;
    heed_csv_scan skip_scan;

    /* Field and keep names (copies in names_mem) and the input's name. */
    char *names_mem;
    const char *names[HEED_F_COUNT];
    const char **keep;
    size_t n_keep;
    const char *name;
    heed_view *kept;  /* rec->kept of every record */
    size_t *keep_off; /* offsets into dec of the kept values (CSV, text) */

    /* CSV: the header's columns and where the current record's values are. */
    size_t n_cols;
    size_t field_col[HEED_F_COUNT]; /* column of each field, or NO_COLUMN */
    size_t *keep_col;               /* column of each keep name, or NO_COLUMN */
    size_t *col_off, *col_len;
    heed_buf dec; /* decoded values of the current CSV / text record */

    heed_jsonl *json;

    /* A pipe or terminal (not a regular file): read with read(2), which
     * returns what has arrived instead of waiting to fill the window. */
    int live_fd;
};

static int fail_io(const heed_reader *r, heed_error *err)
{
    return heed_io_fail(err, HEED_EIO, 0, "%s: read error: %s", r->name, strerror(r->io_errno));
}

/* ------------------------------------------------------------ the window */

/* Reads more input after `end`, first moving the unconsumed bytes to the front
 * and growing the window up to `lim`. Returns 1 when bytes came, 0 at end of
 * input, HEED_EIO or HEED_ENOMEM. Invalidates pointers into the window. */
static int fill(heed_reader *r)
{
    if (r->io_failed)
        return HEED_EIO;
    if (r->eof)
        return 0;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->pos = 0;
    }
    if (r->end == r->cap) {
        /* Callers never ask for more once the window holds lim bytes: a record
         * is known to be too big by then (find_record). */
        assert(r->cap < r->lim);
        size_t cap = r->cap > r->lim / 2 ? r->lim : r->cap * 2;
        char *p = heed__realloc(r->buf, cap);
        if (!p)
            return HEED_ENOMEM;
        r->buf = p;
        r->cap = cap;
    }
    size_t n;
    if (r->live_fd >= 0) {
        ssize_t got;
        do
            got = read(r->live_fd, r->buf + r->end, r->cap - r->end);
        while (got < 0 && errno == EINTR);
        if (got < 0) {
            r->io_failed = true;
            r->io_errno = errno;
            return HEED_EIO;
        }
        n = (size_t)got;
    } else {
        n = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
    }
    r->end += n;
    if (n > 0)
        return 1;
    if (r->live_fd < 0 && ferror(r->f)) {
        r->io_failed = true;
        r->io_errno = errno;
        return HEED_EIO;
    }
    r->eof = true;
    return 0;
}

/* Where the record at pos ends. */
typedef struct span {
    size_t len;   /* raw bytes, the final line break excluded */
    size_t next;  /* offset from pos of the next record; SIZE_MAX: not yet seen */
    size_t lines; /* line breaks up to `next` */
    bool too_big;
} span;

/* Finds the record starting at r->pos without consuming it. In CSV mode line
 * breaks inside quotes do not end it. Returns 1 and *sp, 0 at end of input,
 * HEED_EIO or HEED_ENOMEM. When the record is longer than the window
 * (sp->next == SIZE_MAX) the scan state is left in r->skip_* for skip_rest. */
static int find_record(heed_reader *r, bool csv, span *sp)
{
    heed_csv_scan st = {0};
    size_t scanned = 0;
    const size_t window = r->max_record + 2; /* a record and its CRLF */
    for (;;) {
        const char *p = r->buf + r->pos;
        const size_t avail = r->end - r->pos;
        const size_t stop = avail < window ? avail : window;
        size_t e;
        if (csv) {
            e = scanned + heed__csv_scan(&st, p + scanned, stop - scanned);
        } else {
            const char *nl = memchr(p + scanned, '\n', stop - scanned);
            e = nl ? (size_t)(nl - p) : stop;
        }
        if (e < stop) {
            sp->len = e > 0 && p[e - 1] == '\r' ? e - 1 : e;
            sp->next = e + 1;
            sp->lines = st.lines + 1;
            sp->too_big = sp->len > r->max_record;
            return 1;
        }
        scanned = stop;
        if (scanned >= window) {
            sp->len = r->max_record;
            sp->next = SIZE_MAX;
            sp->lines = 0;
            sp->too_big = true;
            r->skip_from = scanned;
            r->skip_scan = st;
            return 1;
        }
        if (r->eof) {
            if (avail == 0)
                return 0;
            if (csv && heed__csv_in_quotes(&st) && st.lines > 0) {
                /* A quote never closed would make every line after it part of
                 * one bad record: the record ends at its first line break
                 * instead, and the lines after it are read again as records. */
                const size_t nl = (size_t)((const char *)memchr(p, '\n', avail) - p);
                sp->len = nl > 0 && p[nl - 1] == '\r' ? nl - 1 : nl;
                sp->next = nl + 1;
                sp->lines = 1;
                sp->too_big = sp->len > r->max_record;
                return 1;
            }
            /* The last record has no line break; a final CR is still one. */
            sp->len = p[avail - 1] == '\r' ? avail - 1 : avail;
            sp->next = avail;
            sp->lines = st.lines;
            sp->too_big = sp->len > r->max_record;
            return 1;
        }
        int rc = fill(r);
        if (rc < 0)
            return rc;
    }
}

static void consume(heed_reader *r, const span *sp)
{
    if (sp->next == SIZE_MAX) {
        r->skipping = true;
        return;
    }
    r->pos += sp->next;
    r->line += sp->lines;
}

/* Drops the rest of an oversized record (the previous call's rec is dead). */
static int skip_rest(heed_reader *r)
{
    const bool csv = r->format == HEED_FMT_CSV;
    heed_csv_scan st = r->skip_scan;
    r->pos += r->skip_from;
    for (;;) {
        const char *p = r->buf + r->pos;
        const size_t avail = r->end - r->pos;
        size_t e;
        if (csv) {
            e = heed__csv_scan(&st, p, avail);
        } else {
            const char *nl = memchr(p, '\n', avail);
            e = nl ? (size_t)(nl - p) : avail;
        }
        if (e < avail) {
            r->pos += e + 1;
            r->line += st.lines + 1;
            break;
        }
        r->pos = r->end;
        if (r->eof) {
            r->line += st.lines;
            break;
        }
        int rc = fill(r);
        if (rc < 0)
            return rc;
    }
    r->skipping = false;
    return 0;
}

/* ------------------------------------------------------------ set-up */

/* Copies the field, keep and input names into one block. */
static int copy_names(heed_reader *r, const heed_reader_opts *o)
{
    const char *input = o->name ? o->name : "input";
    size_t total = strlen(input) + 1;
    for (size_t f = 0; f < HEED_F_COUNT; f++)
        if (o->fields[f])
            total += strlen(o->fields[f]) + 1;
    for (size_t k = 0; k < o->n_keep; k++)
        total += strlen(o->keep[k]) + 1;
    r->names_mem = heed__malloc(total);
    r->keep = heed__malloc((o->n_keep ? o->n_keep : 1) * sizeof *r->keep);
    if (!r->names_mem || !r->keep)
        return HEED_ENOMEM;
    char *p = r->names_mem;
#define COPY_NAME(dst, src)                                                                        \
    do {                                                                                           \
        size_t n_ = strlen(src) + 1;                                                               \
        memcpy(p, (src), n_);                                                                      \
        (dst) = p;                                                                                 \
        p += n_;                                                                                   \
    } while (0)
    COPY_NAME(r->name, input);
    for (size_t f = 0; f < HEED_F_COUNT; f++) {
        if (o->fields[f])
            COPY_NAME(r->names[f], o->fields[f]);
        else
            r->names[f] = heed_field_default_names[f];
    }
    for (size_t k = 0; k < o->n_keep; k++)
        COPY_NAME(r->keep[k], o->keep[k]);
#undef COPY_NAME
    r->n_keep = o->n_keep;
    return HEED_OK;
}

static bool name_is(const char *name, const char *s, size_t n)
{
    return strlen(name) == n && memcmp(name, s, n) == 0;
}

/* Reads the CSV header (the first non-empty record) and maps its columns. When
 * `probing` a header that does not fit is no error but returns 0 with nothing
 * consumed, to let auto-detection fall back to text. Returns 1 when the input
 * is CSV, 0 as just said (and for empty input), or an error. */
static int read_header(heed_reader *r, bool probing, heed_error *err)
{
    span sp;
    int rc;
    for (;;) {
        rc = find_record(r, true, &sp);
        if (rc < 0)
            return rc == HEED_EIO ? fail_io(r, err) : heed_io_fail(err, rc, 0, "out of memory");
        if (rc == 0)
            return 0;
        if (sp.too_big || sp.len > 0)
            break;
        consume(r, &sp);
    }
    const size_t line = r->line;
    const char *s = r->buf + r->pos;
    if (sp.too_big) {
        return probing
                   ? 0
                   : heed_io_fail(err, HEED_ETOOBIG, 0, "%s:%zu: CSV header longer than %zu bytes",
                                  r->name, line, r->max_record);
    }
    size_t bad;
    if (heed_utf8_validate(s, sp.len, &bad) != HEED_OK)
        return probing ? 0
                       : heed_io_fail(err, HEED_EUTF8, bad,
                                      "%s:%zu: invalid UTF-8 in the CSV header at byte %zu",
                                      r->name, line, bad);
    heed_error e;
    size_t n_cols;
    heed__buf_reset(&r->dec);
    if (heed__buf_reserve(&r->dec, 1) != 0) /* empty names need a non-NULL base */
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    rc = heed__csv_split(s, sp.len, &r->dec, NULL, NULL, 0, &n_cols, line, &e);
    if (rc == HEED_EPARSE)
        return probing ? 0
                       : heed_io_fail(err, HEED_EPARSE, e.pos, "%s:%zu: CSV header: %s", r->name,
                                      line, e.msg);
    if (rc != HEED_OK)
        return heed_io_fail(err, rc, 0, "out of memory");
    if (n_cols > HEED_MAX_FIELDS)
        return probing ? 0
                       : heed_io_fail(err, HEED_EPARSE, 0,
                                      "%s:%zu: CSV header has %zu columns, at most %d allowed",
                                      r->name, line, n_cols, HEED_MAX_FIELDS);
    r->col_off = heed__malloc(n_cols * sizeof *r->col_off);
    r->col_len = heed__malloc(n_cols * sizeof *r->col_len);
    if (!r->col_off || !r->col_len)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    rc = heed__csv_split(s, sp.len, &r->dec, r->col_off, r->col_len, n_cols, &n_cols, line, &e);
    if (rc != HEED_OK)
        return heed_io_fail(err, rc, 0, "out of memory");
    const char *d = r->dec.ptr;
    for (size_t f = 0; f < HEED_F_COUNT; f++) {
        r->field_col[f] = NO_COLUMN;
        for (size_t c = 0; c < n_cols && r->field_col[f] == NO_COLUMN; c++)
            if (name_is(r->names[f], d + r->col_off[c], r->col_len[c]))
                r->field_col[f] = c;
    }
    for (size_t k = 0; k < r->n_keep; k++) {
        r->keep_col[k] = NO_COLUMN;
        for (size_t c = 0; c < n_cols && r->keep_col[k] == NO_COLUMN; c++)
            if (name_is(r->keep[k], d + r->col_off[c], r->col_len[c]))
                r->keep_col[k] = c;
    }
    if (r->field_col[HEED_F_TEXT] == NO_COLUMN) {
        if (probing)
            return 0;
        /* Name the columns found, as many as fit in the message. */
        char cols[120];
        size_t o = 0;
        for (size_t c = 0; c < n_cols && o + 1 < sizeof cols; c++) {
            int k = snprintf(cols + o, sizeof cols - o, "%s\"%.*s\"", c ? ", " : "",
                             (int)(r->col_len[c] > 40 ? 40 : r->col_len[c]), d + r->col_off[c]);
            if (k < 0)
                break;
            o += (size_t)k;
        }
        if (o >= sizeof cols)
            memcpy(cols + sizeof cols - 4, "...", 4);
        return heed_io_fail(
            err, HEED_EPARSE, 0,
            "%s:%zu: the CSV header has no \"%s\" column (the text field); found %s", r->name, line,
            r->names[HEED_F_TEXT], n_cols ? cols : "none");
    }
    r->n_cols = n_cols;
    consume(r, &sp);
    return 1;
}

/* Guesses the format from the first non-blank bytes (see reader.h). */
static int detect(heed_reader *r, heed_error *err)
{
    size_t i = r->pos;
    for (;;) {
        while (i < r->end && strchr(" \t\r\n", r->buf[i]) && r->buf[i] != '\0')
            i++;
        if (i < r->end)
            break;
        if (r->end - r->pos >= r->lim) {
            r->format = HEED_FMT_TEXT; /* a window of blanks: no header here */
            return HEED_OK;
        }
        const size_t done = i - r->pos;
        int rc = fill(r);
        if (rc < 0)
            return rc == HEED_EIO ? fail_io(r, err) : heed_io_fail(err, rc, 0, "out of memory");
        i = r->pos + done;
        if (rc == 0 && i >= r->end) {
            r->format = HEED_FMT_TEXT; /* empty: nothing will be read anyway */
            return HEED_OK;
        }
    }
    if (r->buf[i] == '{') {
        r->format = HEED_FMT_JSONL;
        return HEED_OK;
    }
    int rc = read_header(r, true, err);
    if (rc < 0)
        return rc;
    r->format = rc == 1 ? HEED_FMT_CSV : HEED_FMT_TEXT;
    return HEED_OK;
}

int heed_reader_new(FILE *f, const heed_reader_opts *opts, heed_reader **out, heed_error *err)
{
    static const heed_reader_opts defaults;
    const heed_reader_opts *o = opts ? opts : &defaults;
    if (out)
        *out = NULL;
    if (!f || !out || (unsigned)o->format > HEED_FMT_TEXT || (o->n_keep && !o->keep))
        return heed_io_fail(err, HEED_EINVAL, 0, "invalid argument to heed_reader_new");
    for (size_t k = 0; k < o->n_keep; k++)
        if (!o->keep[k])
            return heed_io_fail(err, HEED_EINVAL, 0, "keep name %zu is NULL", k);

    heed_reader *r = heed__malloc(sizeof *r);
    if (!r)
        return heed_io_fail(err, HEED_ENOMEM, 0, "out of memory");
    memset(r, 0, sizeof *r);
    r->f = f;
    r->live_fd = -1;
    int fd = fileno(f);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
        r->live_fd = fd;
    r->format = o->format;
    r->max_record =
        o->max_record && o->max_record < HEED_MAX_RECORD ? o->max_record : HEED_MAX_RECORD;
    r->lim = r->max_record + 2;
    r->cap = r->lim < WINDOW_START ? r->lim : WINDOW_START;
    r->line = 1;
    heed__buf_init(&r->dec, 0);
    int rc = HEED_ENOMEM;
    r->buf = heed__malloc(r->cap);
    r->kept = heed__malloc((o->n_keep ? o->n_keep : 1) * sizeof *r->kept);
    r->keep_col = heed__malloc((o->n_keep ? o->n_keep : 1) * sizeof *r->keep_col);
    r->keep_off = heed__malloc((o->n_keep ? o->n_keep : 1) * sizeof *r->keep_off);
    r->json = heed__jsonl_new();
    if (!r->buf || !r->kept || !r->keep_col || !r->keep_off || !r->json ||
        copy_names(r, o) != HEED_OK) {
        heed_io_fail(err, rc, 0, "out of memory");
        goto fail;
    }

    /* A UTF-8 byte order mark is not part of the first record. */
    while (r->end < 3 && (rc = fill(r)) > 0)
        ;
    if (rc == HEED_EIO) {
        fail_io(r, err);
        goto fail;
    }
    if (rc < 0) {
        heed_io_fail(err, rc, 0, "out of memory");
        goto fail;
    }
    if (r->end >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;

    if (r->format == HEED_FMT_AUTO)
        rc = detect(r, err);
    else if (r->format == HEED_FMT_CSV)
        rc = read_header(r, false, err);
    else
        rc = HEED_OK;
    if (rc < 0)
        goto fail;
    *out = r;
    return HEED_OK;
fail:
    heed_reader_free(r);
    return rc;
}

heed_format heed_reader_format(const heed_reader *r)
{
    return r->format;
}

bool heed_reader_has_column(const heed_reader *r, int field, size_t keep)
{
    if (r->format != HEED_FMT_CSV)
        return true;
    if (field >= 0)
        return field < HEED_F_COUNT && r->field_col[field] != NO_COLUMN;
    return keep < r->n_keep && r->keep_col[keep] != NO_COLUMN;
}

bool heed_reader_would_wait(const heed_reader *r)
{
    if (r->live_fd < 0 || r->eof || r->io_failed)
        return false;
    if (r->pos < r->end && memchr(r->buf + r->pos, '\n', r->end - r->pos))
        return false; /* a line is waiting in the window */
    struct pollfd p = {.fd = r->live_fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

void heed_reader_free(heed_reader *r)
{
    if (!r)
        return;
    heed__free(r->buf);
    heed__free(r->names_mem);
    heed__free(r->keep);
    heed__free(r->kept);
    heed__free(r->keep_off);
    heed__free(r->keep_col);
    heed__free(r->col_off);
    heed__free(r->col_len);
    heed__buf_release(&r->dec);
    heed__jsonl_free(r->json);
    heed__free(r);
}

/* ------------------------------------------------------------ records */

/* Appends s[0..n) (valid UTF-8) as a JSON string. */
static void add_json_string(heed_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    heed__buf_addc(b, '"');
    size_t run = 0; /* bytes copied as they are */
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        heed__buf_add(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0};
        size_t k = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        heed__buf_add(b, esc, k);
    }
    heed__buf_add(b, s + run, n - run);
    heed__buf_addc(b, '"');
}

static bool is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static int parse_csv(heed_reader *r, heed_record *rec, heed_error *err)
{
    size_t n_found;
    heed__buf_reset(&r->dec);
    (void)heed__buf_reserve(&r->dec, 1); /* empty values need a non-NULL ptr; a
                                          * failure sticks and is seen below */
    int rc = heed__csv_split(rec->raw.ptr, rec->raw.len, &r->dec, r->col_off, r->col_len, r->n_cols,
                             &n_found, rec->line, err);
    if (rc != HEED_OK)
        return rc == HEED_EPARSE ? rc : heed_io_fail(err, rc, 0, "out of memory");
    if (n_found != r->n_cols)
        return heed_io_fail(err, HEED_EPARSE, 0, "expected %zu field%s as in the header, found %zu",
                            r->n_cols, r->n_cols == 1 ? "" : "s", n_found);
    for (size_t k = 0; k < r->n_keep; k++) {
        const size_t c = r->keep_col[k];
        if (c == NO_COLUMN)
            continue;
        /* The value is read from the buffer it is appended to: reserve the worst
         * case first so the buffer cannot move meanwhile. */
        const size_t at = r->col_off[c], n = r->col_len[c];
        r->keep_off[k] = r->dec.len;
        if (heed__buf_reserve(&r->dec, n * 6 + 2) == 0)
            add_json_string(&r->dec, r->dec.ptr + at, n);
        rec->kept[k].len = r->dec.len - r->keep_off[k];
    }
    if (r->dec.err)
        return heed_io_fail(err, r->dec.err, 0, "out of memory");
    for (size_t f = 0; f < HEED_F_COUNT; f++) {
        const size_t c = r->field_col[f];
        if (c != NO_COLUMN)
            rec->field[f] = (heed_view){r->dec.ptr + r->col_off[c], r->col_len[c]};
    }
    for (size_t k = 0; k < r->n_keep; k++)
        if (r->keep_col[k] != NO_COLUMN)
            rec->kept[k].ptr = r->dec.ptr + r->keep_off[k];
    return 1;
}

static int parse_text(heed_reader *r, heed_record *rec, heed_error *err)
{
    rec->field[HEED_F_TEXT] = rec->raw;
    if (!r->n_keep)
        return 1; /* nothing decoded: r->dec is not used */
    heed__buf_reset(&r->dec);
    for (size_t k = 0; k < r->n_keep; k++) {
        if (strcmp(r->keep[k], r->names[HEED_F_TEXT]) != 0)
            continue;
        r->keep_off[k] = r->dec.len;
        add_json_string(&r->dec, rec->raw.ptr, rec->raw.len);
        rec->kept[k].len = r->dec.len - r->keep_off[k];
    }
    if (r->dec.err)
        return heed_io_fail(err, r->dec.err, 0, "out of memory");
    for (size_t k = 0; k < r->n_keep; k++)
        if (rec->kept[k].len)
            rec->kept[k].ptr = r->dec.ptr + r->keep_off[k];
    return 1;
}

int heed_reader_next(heed_reader *r, heed_record *rec, heed_error *err)
{
    memset(rec, 0, sizeof *rec);
    rec->kept = r->n_keep ? r->kept : NULL;
    for (size_t k = 0; k < r->n_keep; k++)
        r->kept[k] = (heed_view){NULL, 0};
    if (r->io_failed)
        return fail_io(r, err);
    int rc;
    if (r->skipping && (rc = skip_rest(r)) < 0)
        return rc == HEED_EIO ? fail_io(r, err) : heed_io_fail(err, rc, 0, "out of memory");

    const bool csv = r->format == HEED_FMT_CSV;
    span sp;
    for (;;) {
        rc = find_record(r, csv, &sp);
        if (rc < 0)
            return rc == HEED_EIO ? fail_io(r, err) : heed_io_fail(err, rc, 0, "out of memory");
        if (rc == 0)
            return 0;
        const char *p = r->buf + r->pos;
        if (sp.too_big || !(csv ? sp.len == 0 : is_blank_line(p, sp.len)))
            break;
        consume(r, &sp);
    }
    rec->raw = (heed_view){r->buf + r->pos, sp.too_big ? r->max_record : sp.len};
    rec->line = r->line;
    rec->index = r->index++;
    /* Consuming only moves pos: the bytes stay put until the next call. */
    consume(r, &sp);
    if (sp.too_big)
        return heed_io_fail(err, HEED_ETOOBIG, 0,
                            "record longer than %zu bytes (the record size limit); skipped",
                            r->max_record);
    size_t bad;
    if (heed_utf8_validate(rec->raw.ptr, rec->raw.len, &bad) != HEED_OK)
        return heed_io_fail(err, HEED_EUTF8, bad, "invalid UTF-8 at byte %zu of the record", bad);
    switch (r->format) {
    case HEED_FMT_JSONL:
        rc = heed__jsonl_parse(r->json, rec->raw.ptr, rec->raw.len, r->names, r->keep, r->n_keep,
                               rec->field, r->kept, err);
        return rc == HEED_OK ? 1 : rc;
    case HEED_FMT_CSV:
        if (r->n_cols == 0) /* CSV without a header: only for empty input */
            return heed_io_fail(err, HEED_EPARSE, 0, "CSV record without a header");
        return parse_csv(r, rec, err);
    default:
        return parse_text(r, rec, err);
    }
}
