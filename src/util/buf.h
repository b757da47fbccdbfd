/* buf.h - one growable byte buffer with a maximum size and a sticky error: after
 * a failed append every later append is a no-op and `err` stays set, so callers
 * check once at the end. The contents are always NUL-terminated when non-empty. */
#ifndef HEED_BUF_H
#define HEED_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct heed_buf {
    char *ptr;
    size_t len, cap;
    size_t max; /* 0: no limit */
    int err;    /* 0, HEED_ENOMEM or HEED_ETOOBIG; sticky */
} heed_buf;

void heed__buf_init(heed_buf *b, size_t max);
void heed__buf_release(heed_buf *b);
/* Empties the buffer and clears its error; keeps the memory. */
void heed__buf_reset(heed_buf *b);
/* heed__buf_reserve when the room is not there: grows the buffer or sets
 * the sticky error. */
int heed__buf_reserve_slow(heed_buf *b, size_t n);
/* Grows the memory to hold n more bytes when it can, so that appends up to
 * that size need no growth (and no copy of what they wrote); a failure is
 * not an error: later appends grow the buffer as they need. */
void heed__buf_hint(heed_buf *b, size_t n);
/* Appends: inline when the bytes fit (the writers' hot path), else through
 * heed__buf_add_slow, which grows the buffer or sets the sticky error. */
void heed__buf_add_slow(heed_buf *b, const void *p, size_t n);

static inline int heed__buf_fits(const heed_buf *b, size_t n)
{
    return !b->err && n < b->cap - b->len && (!b->max || n <= b->max - b->len);
}

/* Makes room for n more bytes; returns 0 or the sticky error. Inline when
 * the room is there: the writers reserve once per object. */
static inline int heed__buf_reserve(heed_buf *b, size_t n)
{
    return heed__buf_fits(b, n) ? 0 : heed__buf_reserve_slow(b, n);
}

static inline void heed__buf_add(heed_buf *b, const void *p, size_t n)
{
    if (!heed__buf_fits(b, n)) {
        heed__buf_add_slow(b, p, n);
        return;
    }
    memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

static inline void heed__buf_addc(heed_buf *b, char c)
{
    heed__buf_add(b, &c, 1);
}

static inline void heed__buf_adds(heed_buf *b, const char *s)
{
    heed__buf_add(b, s, strlen(s));
}
void heed__buf_printf(heed_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Moves the contents out (caller frees with free()); the buffer is left empty. */
char *heed__buf_take(heed_buf *b, size_t *len);

#endif
