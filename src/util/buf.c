/* buf.c - growable buffer with a limit and a sticky error (see buf.h). */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "heed/heed.h"

void heed__buf_init(heed_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->err = 0;
}

void heed__buf_release(heed_buf *b)
{
    heed__free(b->ptr);
    heed__buf_init(b, b->max);
}

void heed__buf_reset(heed_buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

int heed__buf_reserve_slow(heed_buf *b, size_t n)
{
    if (b->err)
        return b->err;
    if (n >= (size_t)-1 - b->len) {
        b->err = HEED_ETOOBIG;
        return b->err;
    }
    size_t need = b->len + n + 1;
    if (b->max && need - 1 > b->max) {
        b->err = HEED_ETOOBIG;
        return b->err;
    }
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    char *p = heed__realloc(b->ptr, cap);
    if (!p) {
        b->err = HEED_ENOMEM;
        return b->err;
    }
    b->ptr = p;
    b->cap = cap;
    return 0;
}

void heed__buf_hint(heed_buf *b, size_t n)
{
    if (b->err || n >= (size_t)-1 - b->len || b->len + n + 1 <= b->cap)
        return;
    size_t need = b->len + n + 1;
    if (b->max && need - 1 > b->max)
        need = b->max + 1;
    char *p = heed__realloc(b->ptr, need);
    if (!p)
        return;
    b->ptr = p;
    b->cap = need;
}

void heed__buf_add_slow(heed_buf *b, const void *p, size_t n)
{
    if (heed__buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void heed__buf_printf(heed_buf *b, const char *fmt, ...)
{
    if (b->err)
        return;
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        heed__buf_add(b, tmp, (size_t)n);
        return;
    }
    if (heed__buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *heed__buf_take(heed_buf *b, size_t *len)
{
    char *p = b->ptr;
    if (len)
        *len = b->len;
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}
