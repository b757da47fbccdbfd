/* storecli.c - what the commands that read the store share: opening an
 * existing store, usage errors, "now" from --now, re-linking with a report. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "import.h"
#include "resolve.h"
#include "store.h"
#include "timeparse.h"

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

int heed_cli_now(heed_store *st, const char *cmd, const char *v, int64_t *now)
{
    if (!v) {
        *now = (int64_t)time(NULL);
        return 0;
    }
    if (!strcmp(v, "data")) {
        heed_error err = {0};
        if (heed_store_latest_time(st, now, &err) != HEED_OK) {
            fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
            return -1;
        }
        if (!*now)
            *now = (int64_t)time(NULL);
        return 0;
    }
    int tz;
    if (heed_parse_time(v, strlen(v), now, &tz)) {
        fprintf(stderr,
                "heed %s: --now wants a time (2026-09-30T18:00:00Z, Unix seconds) or 'data', "
                "not '%s'\n",
                cmd, v);
        return -1;
    }
    return 0;
}

int heed_relink(heed_store *st, const char *cmd, int quiet, int full)
{
    heed_relink_stats s;
    heed_error err = {0};
    const char *max = getenv("HEED_RELINK_MAX");
    int rc = full ? heed_relink_store(st, &s, &err)
                  : heed_relink_incremental(st, max ? strtoull(max, NULL, 10) : 0, &s, &err);
    if (rc) {
        fprintf(stderr, "heed %s: linking records into customers failed: %s\n", cmd,
                err.msg[0] ? err.msg : heed_strerror(rc));
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    /* persons moved: the queue and the promise statuses it stored are
     * recomputed by the next `heed queue` */
    if (heed_store_meta_set(st, "queue_as_of", "", &err) != HEED_OK) {
        fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
        return HEED_EXIT_USAGE;
    }
    if (!quiet && s.full)
        fprintf(stderr,
                "heed %s: %zu records linked into %zu customers (%zu shared keys not "
                "used, %zu conflicts)\n",
                cmd, s.records, s.customers, s.shared_unused, s.conflicts);
    else if (!quiet)
        fprintf(stderr,
                "heed %s: %zu records linked into %zu customers (%zu re-linked: %zu shared "
                "keys not used, %zu conflicts among them)\n",
                cmd, s.records, s.customers, s.relinked, s.shared_unused, s.conflicts);
    return HEED_EXIT_OK;
}

int heed_import_resolve(heed_import *im)
{
    return heed_relink(im->st, "import", im->quiet, 0);
}

void heed_cli_gmt(char *buf, size_t cap, int64_t t, int form)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    size_t n = form == HEED_CLI_DATE     ? strftime(buf, cap, "%Y-%m-%d", &tm)
               : form == HEED_CLI_MINUTE ? strftime(buf, cap, "%Y-%m-%d %H:%M", &tm)
                                         : strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!n && cap)
        buf[0] = '\0';
}

void heed_cli_utc(char *buf, size_t cap, int64_t t)
{
    if (!t)
        snprintf(buf, cap, "-");
    else
        heed_cli_gmt(buf, cap, t, HEED_CLI_ISO);
}
