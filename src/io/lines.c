/* lines.c - see lines.h. */
#include "lines.h"

#include <string.h>

#include "heed/heed.h"

void heed__lines_init(heed_lines *lr, FILE *f)
{
    lr->f = f;
    lr->pos = lr->len = 0;
    lr->line = 0;
    lr->eof = lr->failed = false;
}

static int refill(heed_lines *lr)
{
    if (lr->eof)
        return 0;
    lr->pos = 0;
    lr->len = fread(lr->win, 1, sizeof lr->win, lr->f);
    if (lr->len == 0) {
        lr->eof = true;
        if (ferror(lr->f)) {
            lr->failed = true;
            return HEED_EIO;
        }
        return 0;
    }
    return 1;
}

int heed__lines_next(heed_lines *lr, heed_buf *out)
{
    if (lr->failed)
        return HEED_EIO;
    bool any = false;
    for (;;) {
        if (lr->pos == lr->len) {
            const int rc = refill(lr);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                if (!any)
                    return 0;
                lr->line++;
                return 1;
            }
        }
        any = true;
        const char *s = lr->win + lr->pos;
        const size_t n = lr->len - lr->pos;
        const char *nl = memchr(s, '\n', n);
        const size_t take = nl ? (size_t)(nl - s) : n;
        heed__buf_add(out, s, take);
        lr->pos += take;
        if (nl) {
            lr->pos++;
            lr->line++;
            return 1;
        }
    }
}
