/* serve.c - `heed serve` (the HTTP API, src/server) and `heed key` (its API
 * keys: create, list, revoke). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apiauth.h"
#include "cli.h"
#include "router.h"
#include "server.h"
#include "store.h"
#include "timeparse.h"

static const char SERVE_HELP[] =
    "Usage: heed serve --db PATH [OPTIONS]\n"
    "\n"
    "Serves the HTTP API (docs/api.md, OpenAPI at /v1/openapi.json): POST /v1/analyze,\n"
    "POST /v1/check-reply, GET /v1/keys (admin), /healthz and /metrics. Every /v1\n"
    "route but the OpenAPI document needs an API key (heed key create).\n"
    "\n"
    "  --db PATH          the store holding the API keys (required)\n"
    "  --listen HOST:PORT address to serve (default 127.0.0.1:8080; port 0 picks\n"
    "                     a free one); a non-loopback address needs --public\n"
    "  --public           allow a non-loopback address (put TLS in front)\n"
    "  --threads N        request threads (default: the number of cores)\n"
    "  --max-body BYTES   largest request body (default 1048576); larger: 413\n"
    "  --max-batch N      most messages in one analyze batch (default 100)\n"
    "  --rate N           requests per second per key (default 100; 0: no limit)\n"
    "  --burst N          requests a key may send at once (default: the rate)\n"
    "  --timeout SECONDS  idle time before a connection is dropped (default 10)\n"
    "  --cors ORIGIN      answer browsers from ORIGIN (or *); default: no CORS\n"
    "  --quiet            no access log on stderr\n"
    "  --now TIME         decide the act-now queue and detect webhook events as\n"
    "                     of TIME (ISO 8601), not the clock (for tests and replays)\n"
    "  --queue-interval SECONDS  decide every customer of the act-now queue again\n"
    "                     this often (default 300), in the background: time alone\n"
    "                     moves the queue (stress fades, waits grow, promises fall\n"
    "                     due); after an ingest only the customers it touched are\n"
    "                     decided again, when the queue is next read\n"
    "  --queue-chunk N    customers per transaction of that pass (default 500);\n"
    "                     ingest waits for at most one part\n"
    "  --webhook-interval SECONDS  detect webhook events at least this often\n"
    "                     (default 60); also after every ingest\n"
    "  --routes           print every route the server answers (METHOD PATH and\n"
    "                     the roles that may call it, 'public' without a key) and\n"
    "                     exit; docs/openapi.json describes each\n"
    "  -h, --help         this help\n"
    "\n"
    "HEED_WEBHOOK_BACKOFF_MS sets the first webhook retry's delay (default 10000;\n"
    "each next one is 3 times longer; 5 attempts in all).\n"
    "SIGINT or SIGTERM stop the server once in-flight requests are answered;\n"
    "requests that begin later get 503 and idle connections are closed.\n"
    "Exit codes: 0 stopped cleanly, 2 usage error or cannot start.\n";

static const char KEY_HELP[] =
    "Usage: heed key create --db PATH --role admin|lead|agent|ingest [--team T] [--agent ID]\n"
    "                       [--name LABEL]\n"
    "       heed key list --db PATH\n"
    "       heed key revoke --db PATH ID\n"
    "\n"
    "API keys of `heed serve`. create prints the new key once: the store keeps only\n"
    "a keyed hash of it. Roles: agent (analysis, the reply checker, their own\n"
    "stats), lead (+ their team's data), admin (everything, keys included),\n"
    "ingest (may only post messages and events: a helpdesk webhook's key).\n"
    "Exit codes: 0 done, 1 no such key (revoke), 2 usage or store error.\n";

static int num_arg(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = v ? strtod(v, &end) : 0;
    if (!v || end == v || *end || errno || d < lo || d > hi) {
        fprintf(stderr, "heed serve: %s wants a number from %g to %g\n", opt, lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

/* `heed serve --routes`: the router's table, one route a line. */
static int print_routes(void)
{
    static const unsigned ROLES[] = {HEED_SRV_ROLE_ADMIN, HEED_SRV_ROLE_LEAD,
                                     HEED_SRV_ROLE_AGENT, HEED_SRV_ROLE_INGEST};
    for (size_t i = 0; i < heed_srv_n_routes; i++) {
        const heed_srv_route *r = &heed_srv_routes[i];
        printf("%s %s ", r->method, r->pattern);
        if (r->roles == HEED_SRV_PUBLIC)
            fputs("public", stdout);
        for (size_t k = 0, n = 0; k < sizeof ROLES / sizeof ROLES[0]; k++)
            if (r->roles & ROLES[k])
                printf("%s%s", n++ ? "," : "", heed_srv_role_name(ROLES[k]));
        putchar('\n');
    }
    if (fflush(stdout) || ferror(stdout)) {
        fputs("heed serve: cannot write the output\n", stderr);
        return HEED_EXIT_USAGE;
    }
    return HEED_EXIT_OK;
}

int heed_cmd_serve(int argc, char **argv)
{
    heed_server_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(SERVE_HELP, stdout);
            return HEED_EXIT_OK;
        } else if (!strcmp(a, "--routes")) {
            return print_routes();
        } else if (!strcmp(a, "--public")) {
            o.is_public = 1;
        } else if (!strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (!strcmp(a, "--db") || !strcmp(a, "--listen") || !strcmp(a, "--cors")) {
            if (!v) {
                fprintf(stderr, "heed serve: %s needs a value\n", a);
                return HEED_EXIT_USAGE;
            }
            *(a[2] == 'd' ? &o.db_path : a[2] == 'l' ? &o.listen : &o.cors_origin) = v;
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (num_arg(a, v, 1, 256, &d))
                return HEED_EXIT_USAGE;
            o.threads = (unsigned)d;
            i++;
        } else if (!strcmp(a, "--max-body")) {
            if (num_arg(a, v, 64, (double)HEED_MAX_TEXT, &d))
                return HEED_EXIT_USAGE;
            o.max_body = (size_t)d;
            i++;
        } else if (!strcmp(a, "--max-batch")) {
            if (num_arg(a, v, 1, 10000, &d))
                return HEED_EXIT_USAGE;
            o.max_batch = (size_t)d;
            i++;
        } else if (!strcmp(a, "--rate")) {
            if (num_arg(a, v, 0, 1e9, &d))
                return HEED_EXIT_USAGE;
            o.rate = d > 0 ? d : -1;
            i++;
        } else if (!strcmp(a, "--burst")) {
            if (num_arg(a, v, 1, 1e9, &d))
                return HEED_EXIT_USAGE;
            o.burst = d;
            i++;
        } else if (!strcmp(a, "--now")) {
            int tz;
            if (!v || heed_parse_time(v, strlen(v), &o.now, &tz)) {
                fputs("heed serve: --now wants a time like 2026-09-30T23:59:59Z\n", stderr);
                return HEED_EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--queue-interval")) {
            if (num_arg(a, v, 1, 86400, &d))
                return HEED_EXIT_USAGE;
            o.queue_interval_s = (unsigned)d;
            i++;
        } else if (!strcmp(a, "--queue-chunk")) {
            if (num_arg(a, v, 1, 1000000, &d))
                return HEED_EXIT_USAGE;
            o.queue_chunk = (unsigned)d;
            i++;
        } else if (!strcmp(a, "--webhook-interval")) {
            if (num_arg(a, v, 1, 86400, &d))
                return HEED_EXIT_USAGE;
            o.webhook_interval_s = (unsigned)d;
            i++;
        } else if (!strcmp(a, "--timeout")) {
            if (num_arg(a, v, 1, 3600, &d))
                return HEED_EXIT_USAGE;
            o.timeout_s = (unsigned)d;
            i++;
        } else {
            fprintf(stderr, "heed serve: unknown argument '%s'\nTry 'heed serve --help'.\n", a);
            return HEED_EXIT_USAGE;
        }
    }
    if (!o.db_path) {
        fputs("heed serve: --db is required\nTry 'heed serve --help'.\n", stderr);
        return HEED_EXIT_USAGE;
    }
    const char *bo = getenv("HEED_WEBHOOK_BACKOFF_MS");
    if (bo && *bo) {
        double d;
        if (num_arg("HEED_WEBHOOK_BACKOFF_MS", bo, 1, 86400000, &d))
            return HEED_EXIT_USAGE;
        o.webhook_backoff_ms = (unsigned)d;
    }
    heed_error err = {0};
    int rc = heed_server_run(&o, &err);
    if (rc) {
        fprintf(stderr, "heed serve: %s\n", err.msg[0] ? err.msg : heed_strerror(rc));
        return HEED_EXIT_USAGE;
    }
    return HEED_EXIT_OK;
}

/* ------------------------------------------------------------ heed key */

static int list_row(void *ctx, const heed_st_apikey *k)
{
    (void)ctx;
    char c[32], u[32];
    heed_cli_utc(c, sizeof c, k->created);
    heed_cli_utc(u, sizeof u, k->last_used);
    printf("%-5lld %-10s %-6s %-10s %-10s %-20s %-20s %-20s%s\n", (long long)k->id,
           k->prefix ? k->prefix : "", k->role ? k->role : "", k->team ? k->team : "-",
           k->agent ? k->agent : "-", c, u, k->name ? k->name : "-",
           k->revoked ? "  (revoked)" : "");
    return 0;
}

int heed_cmd_key(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
        fputs(KEY_HELP, sub ? stdout : stderr);
        return sub ? HEED_EXIT_OK : HEED_EXIT_USAGE;
    }
    const char *db = NULL, *role = NULL, *team = NULL, *agent = NULL, *name = NULL, *id = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **dst = !strcmp(a, "--db")      ? &db
                           : !strcmp(a, "--role")  ? &role
                           : !strcmp(a, "--team")  ? &team
                           : !strcmp(a, "--agent") ? &agent
                           : !strcmp(a, "--name")  ? &name
                                                   : NULL;
        if (dst) {
            if (!v) {
                fprintf(stderr, "heed key: %s needs a value\n", a);
                return HEED_EXIT_USAGE;
            }
            *dst = v;
            i++;
        } else if (a[0] != '-' && !id) {
            id = a;
        } else {
            fprintf(stderr, "heed key: unknown argument '%s'\nTry 'heed key --help'.\n", a);
            return HEED_EXIT_USAGE;
        }
    }
    if (!db) {
        fputs("heed key: --db is required\n", stderr);
        return HEED_EXIT_USAGE;
    }
    int create = !strcmp(sub, "create"), list = !strcmp(sub, "list"),
        revoke = !strcmp(sub, "revoke");
    if (!create && !list && !revoke) {
        fprintf(stderr, "heed key: unknown command '%s'\nTry 'heed key --help'.\n", sub);
        return HEED_EXIT_USAGE;
    }
    if (create && (!role || !heed_srv_role_bit(role))) {
        fputs("heed key create: --role admin, lead, agent or ingest is required\n", stderr);
        return HEED_EXIT_USAGE;
    }
    char *end = NULL;
    long long kid = id ? strtoll(id, &end, 10) : 0;
    if (revoke && (!id || *end || kid <= 0)) {
        fputs("heed key revoke: give the key's ID (heed key list)\n", stderr);
        return HEED_EXIT_USAGE;
    }
    heed_store *st = NULL;
    heed_error err = {0};
    int rc = heed_store_open(db, &st, &err);
    int ret = HEED_EXIT_OK;
    if (rc == HEED_OK && create) {
        unsigned char secret[HEED_STORE_SECRET_LEN];
        char key[HEED_SRV_KEY_LEN + 1], prefix[HEED_SRV_KEY_SHOWN + 1];
        rc = heed_store_secret(st, secret, &err);
        if (rc == HEED_OK && heed_srv_key_generate(key)) {
            rc = HEED_EIO;
            snprintf(err.msg, sizeof err.msg, "no random source");
        }
        if (rc == HEED_OK) {
            heed_st_apikey k = {.role = role, .team = team, .agent = agent, .name = name,
                                .created = (int64_t)time(NULL), .prefix = prefix};
            memcpy(prefix, key, HEED_SRV_KEY_SHOWN);
            prefix[HEED_SRV_KEY_SHOWN] = 0;
            heed_srv_key_hash(key, strlen(key), secret, k.hash);
            int64_t nid = 0;
            rc = heed_store_apikey_put(st, &k, &nid, &err);
            if (rc == HEED_OK) {
                printf("%s\n", key);
                fprintf(stderr,
                        "heed key: created key %lld (%s); it is shown only this once\n",
                        (long long)nid, role);
            }
        }
    } else if (rc == HEED_OK && list) {
        printf("%-5s %-10s %-6s %-10s %-10s %-20s %-20s %s\n", "ID", "PREFIX", "ROLE", "TEAM",
               "AGENT", "CREATED", "LAST USED", "NAME");
        rc = heed_store_apikeys(st, list_row, NULL, &err);
    } else if (rc == HEED_OK && revoke) {
        int found = 0;
        rc = heed_store_apikey_revoke(st, kid, (int64_t)time(NULL), &found, &err);
        if (rc == HEED_OK && !found) {
            fprintf(stderr, "heed key revoke: no active key %lld\n", kid);
            ret = HEED_EXIT_REJECTED;
        } else if (rc == HEED_OK) {
            fprintf(stderr, "heed key: revoked key %lld\n", kid);
        }
    }
    if (rc != HEED_OK) {
        fprintf(stderr, "heed key: %s\n", err.msg[0] ? err.msg : heed_strerror(rc));
        ret = HEED_EXIT_USAGE;
    }
    heed_store_close(st);
    return ret;
}
