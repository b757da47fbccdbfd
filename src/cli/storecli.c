/* storecli.c - what the commands that read the store share: opening an
 * existing store, and usage errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "store.h"

heed_store *heed_cli_open_store(const char *cmd, const char *db)
{
    const char *path = db ? db : "heed.db";
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "heed %s: %s: %s (import something first: heed import)\n", cmd, path,
                strerror(errno));
        return NULL;
    }
    fclose(f);
    heed_store *st = NULL;
    heed_error err = {0};
    if (heed_store_open(path, &st, &err) != HEED_OK) {
        fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
        return NULL;
    }
    return st;
}

int heed_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "heed %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'heed %s --help'.\n", cmd);
    return HEED_EXIT_USAGE;
}
