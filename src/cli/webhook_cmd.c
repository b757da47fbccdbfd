/* webhook_cmd.c - `heed webhook`: the outgoing webhooks `heed serve` posts to
 * (docs/api.md, "Webhooks"): add, list, remove, and the delivery log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "httpout.h"
#include "store.h"
#include "webhooks.h"

static const char HELP[] =
    "Usage: heed webhook add URL --event queue.entered|promise.broken [--event ...]\n"
    "                        [--secret S] [--public] [--db PATH]\n"
    "       heed webhook list [--db PATH]\n"
    "       heed webhook remove ID [--db PATH]\n"
    "       heed webhook log [--limit N] [--db PATH]\n"
    "\n"
    "Webhooks `heed serve` posts to when a customer enters the act-now queue\n"
    "(queue.entered) or a promise breaks (promise.broken), signed with the\n"
    "webhook's secret (docs/api.md, \"Webhooks\"). Only http:// URLs: heed has no\n"
    "TLS client, put a relay in front for https. A URL whose host is not a\n"
    "loopback address needs --public. Without --secret a secret is made from the\n"
    "system's random source and printed once.\n"
    "  --db PATH   the store (default: heed.db, or $HEED_DB)\n"
    "Exit codes: 0 done, 1 no such webhook (remove), 2 usage or store error.\n";

static int list_row(void *ctx, const heed_st_webhook *w)
{
    (void)ctx;
    char c[32];
    heed_cli_utc(c, sizeof c, w->created);
    printf("%-5lld %-30s %-20s %s%s\n", (long long)w->id, w->events, c, w->url,
           w->disabled ? "  (removed)" : "");
    return 0;
}

static int log_row(void *ctx, const heed_st_attemptrow *a)
{
    (void)ctx;
    char t[32], code[8];
    heed_cli_utc(t, sizeof t, a->time);
    snprintf(code, sizeof code, "%d", a->status_code);
    const char *state = a->delivered ? "delivered" : a->next_try ? "retrying" : "given-up";
    printf("%-8lld %-7d %-20s %-7lld %-15s %-8lld %-6s %-9s %s\n", (long long)a->delivery,
           a->attempt, t, (long long)a->webhook, a->event ? a->event : "",
           (long long)a->customer, a->status_code ? code : "-", state,
           a->error ? a->error : "");
    return 0;
}

int heed_cmd_webhook(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
        fputs(HELP, sub ? stdout : stderr);
        return sub ? HEED_EXIT_OK : HEED_EXIT_USAGE;
    }
    const char *db = getenv("HEED_DB"), *secret = NULL, *arg = NULL, *limit_s = NULL;
    int is_public = 0, on_queue = 0, on_promise = 0;
    if (!db || !*db)
        db = "heed.db";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--public")) {
            is_public = 1;
        } else if (!strcmp(a, "--db") || !strcmp(a, "--secret") || !strcmp(a, "--limit") ||
                   !strcmp(a, "--event")) {
            if (!v) {
                fprintf(stderr, "heed webhook: %s needs a value\n", a);
                return HEED_EXIT_USAGE;
            }
            if (!strcmp(a, "--db"))
                db = v;
            else if (!strcmp(a, "--secret"))
                secret = v;
            else if (!strcmp(a, "--limit"))
                limit_s = v;
            else if (!strcmp(v, HEED_WH_EVENT_QUEUE))
                on_queue = 1;
            else if (!strcmp(v, HEED_WH_EVENT_PROMISE))
                on_promise = 1;
            else {
                fprintf(stderr, "heed webhook: unknown event '%s' (queue.entered or "
                                "promise.broken)\n", v);
                return HEED_EXIT_USAGE;
            }
            i++;
        } else if (a[0] != '-' && !arg) {
            arg = a;
        } else {
            fprintf(stderr, "heed webhook: unknown argument '%s'\nTry 'heed webhook --help'.\n",
                    a);
            return HEED_EXIT_USAGE;
        }
    }
    int add = !strcmp(sub, "add"), list = !strcmp(sub, "list"), rm = !strcmp(sub, "remove"),
        lg = !strcmp(sub, "log");
    if (!add && !list && !rm && !lg) {
        fprintf(stderr, "heed webhook: unknown command '%s'\nTry 'heed webhook --help'.\n", sub);
        return HEED_EXIT_USAGE;
    }
    char gen[HEED_WH_SECRET_LEN + 1];
    if (add) {
        char msg[256];
        heed_httpout_url u;
        if (!arg || heed_httpout_parse(arg, &u, msg, sizeof msg)) {
            fprintf(stderr, "heed webhook add: %s\n", arg ? msg : "give the URL to post to");
            return HEED_EXIT_USAGE;
        }
        if (!on_queue && !on_promise) {
            fputs("heed webhook add: give --event queue.entered and/or --event "
                  "promise.broken\n", stderr);
            return HEED_EXIT_USAGE;
        }
        if (!is_public) {
            int lo = heed_httpout_is_loopback(&u, msg, sizeof msg);
            if (lo != 1) {
                fprintf(stderr, "heed webhook add: %s\n",
                        lo < 0 ? msg
                               : "the host is not a loopback address: give --public to post "
                                 "to other machines");
                return HEED_EXIT_USAGE;
            }
        }
        if (secret && strlen(secret) < 16) {
            fputs("heed webhook add: the secret must have at least 16 characters\n", stderr);
            return HEED_EXIT_USAGE;
        }
        if (!secret) {
            if (heed_wh_secret_generate(gen)) {
                fputs("heed webhook add: no random source\n", stderr);
                return HEED_EXIT_USAGE;
            }
            secret = gen;
        }
    }
    char *end = NULL;
    long long id = arg ? strtoll(arg, &end, 10) : 0;
    if (rm && (!arg || *end || id <= 0)) {
        fputs("heed webhook remove: give the webhook's ID (heed webhook list)\n", stderr);
        return HEED_EXIT_USAGE;
    }
    long long limit = limit_s ? strtoll(limit_s, &end, 10) : 50;
    if (limit_s && (*end || limit < 1 || limit > 1000000)) {
        fputs("heed webhook log: --limit wants a number from 1 to 1000000\n", stderr);
        return HEED_EXIT_USAGE;
    }
    if ((list || lg) && arg) {
        fprintf(stderr, "heed webhook: unknown argument '%s'\n", arg);
        return HEED_EXIT_USAGE;
    }
    heed_store *st = NULL;
    heed_error err = {0};
    int rc = heed_store_open(db, &st, &err), ret = HEED_EXIT_OK;
    if (rc == HEED_OK && add) {
        char events[64];
        snprintf(events, sizeof events, "%s%s%s", on_queue ? HEED_WH_EVENT_QUEUE : "",
                 on_queue && on_promise ? "," : "", on_promise ? HEED_WH_EVENT_PROMISE : "");
        heed_st_webhook w = {.url = arg, .events = events, .secret = secret,
                             .created = (int64_t)time(NULL)};
        int64_t nid = 0;
        rc = heed_store_webhook_add(st, &w, &nid, &err);
        if (rc == HEED_OK) {
            if (secret == gen)
                printf("%s\n", secret);
            fprintf(stderr, "heed webhook: added webhook %lld (%s)%s\n", (long long)nid, events,
                    secret == gen ? "; its secret is shown only this once" : "");
        }
    } else if (rc == HEED_OK && list) {
        printf("%-5s %-30s %-20s %s\n", "ID", "EVENTS", "CREATED", "URL");
        rc = heed_store_webhooks(st, 0, list_row, NULL, &err);
    } else if (rc == HEED_OK && rm) {
        int found = 0;
        rc = heed_store_webhook_remove(st, id, (int64_t)time(NULL), &found, &err);
        if (rc == HEED_OK && !found) {
            fprintf(stderr, "heed webhook remove: no webhook %lld\n", id);
            ret = HEED_EXIT_REJECTED;
        } else if (rc == HEED_OK) {
            fprintf(stderr, "heed webhook: removed webhook %lld\n", id);
        }
    } else if (rc == HEED_OK && lg) {
        printf("%-8s %-7s %-20s %-7s %-15s %-8s %-6s %-9s %s\n", "DELIVERY", "ATTEMPT", "TIME",
               "WEBHOOK", "EVENT", "CUSTOMER", "STATUS", "STATE", "ERROR");
        rc = heed_store_webhook_log(st, (size_t)limit, log_row, NULL, &err);
    }
    if (rc != HEED_OK) {
        fprintf(stderr, "heed webhook: %s\n", err.msg[0] ? err.msg : heed_strerror(rc));
        ret = HEED_EXIT_USAGE;
    }
    heed_store_close(st);
    return ret;
}
