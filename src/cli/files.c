/* files.c - reading a whole (small) file for the train/eval commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cli.h"

char *heed_cli_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    heed_buf b;
    heed__buf_init(&b, max);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        heed__buf_add(&b, chunk, got);
    int err = ferror(f) ? EIO : b.err == HEED_ETOOBIG ? EFBIG : b.err ? ENOMEM : 0;
    fclose(f);
    if (err) {
        heed__buf_release(&b);
        errno = err;
        return NULL;
    }
    char *p = heed__buf_take(&b, len);
    if (!p && !(p = calloc(1, 1))) /* an empty file: zero bytes, not an error */
        errno = ENOMEM;
    return p;
}
