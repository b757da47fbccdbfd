/* trends_cmd.c - `heed trends`: the customer messages of a period grouped by
 * ISO week, channel or top need (volume, customers, stress, needs) with the
 * outcomes of each row (conversations, repeat contact, surveys, promises), as
 * tables or as the JSON GET /v1/trends answers (src/app/trends.c makes both). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentview.h"
#include "buf.h"
#include "cli.h"
#include "journeyview.h"
#include "store.h"
#include "timeparse.h"
#include "trends.h"

static const char TRENDS_HELP[] =
    "Usage: heed trends [OPTIONS]\n"
    "\n"
    "The customer messages of linked customers in a period, grouped by ISO week,\n"
    "channel (the message's, else its conversation's) or top need: messages,\n"
    "distinct customers, mean stress (over the scored messages), high-stress\n"
    "messages (stress 60 and up) and the top needs; then the outcomes of the\n"
    "same rows: conversations, repeat customers (2+ conversations in the row),\n"
    "the surveys answered in the period (CSAT and CES means, NPS) and the\n"
    "promises agents made in it, kept, kept late, broken or pending as of --now\n"
    "as the customer's journey decides them. Surveys and promises count by\n"
    "their own time, or by their conversation's channel and top need (its most\n"
    "frequent need, ties to the earliest); (none) without one. The same figures\n"
    "as GET /v1/trends of heed serve; --json prints its JSON.\n"
    "\n"
    "  --db PATH      the store (default: heed.db, or $HEED_DB)\n"
    "  --by KEY       week, channel or need (default week)\n"
    "  --day DATE     the period ends with this UTC calendar day (default: the\n"
    "                 day of --now)\n"
    "  --days N       the period is the N days ending with --day (1 to 366,\n"
    "                 default 28)\n"
    "  --now T        as of T (ISO 8601, Unix seconds, or 'data': the latest\n"
    "                 stored record; default the clock)\n"
    "  --json         one JSON object, as GET /v1/trends answers\n"
    "\n"
    "Exit codes: 0 done, 2 usage or store error, 3 out of memory.\n";

#define CMD           "trends"
#define MAX_TOP_NEEDS 3

typedef struct opts {
    const char *db, *now_s, *day, *by;
    long days;
    int json;
} opts;

static int parse(int argc, char **argv, opts *o, int *help)
{
    memset(o, 0, sizeof *o);
    o->db = getenv("HEED_DB");
    o->days = 28;
    *help = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            *help = 1;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--db") || !strcmp(a, "--now") || !strcmp(a, "--day") ||
                   !strcmp(a, "--days") || !strcmp(a, "--by")) {
            if (!v)
                return heed_cli_usage(CMD, "%s needs a value", a);
            i++;
            if (!strcmp(a, "--db")) {
                o->db = v;
            } else if (!strcmp(a, "--now")) {
                o->now_s = v;
            } else if (!strcmp(a, "--day")) {
                o->day = v;
            } else if (!strcmp(a, "--by")) {
                if (heed_trends_by(v) < 0)
                    return heed_cli_usage(CMD, "--by wants week, channel or need, not '%s'", v);
                o->by = v;
            } else {
                char *end;
                long n = strtol(v, &end, 10);
                if (!*v || *end || n < 1 || n > 366)
                    return heed_cli_usage(CMD,
                                          "--days wants a number of days from 1 to 366, "
                                          "not '%s'",
                                          v);
                o->days = n;
            }
        } else if (a[0] == '-' && a[1]) {
            return heed_cli_usage(CMD, "unknown option '%s'", a);
        } else {
            return heed_cli_usage(CMD, "unexpected argument '%s'", a);
        }
    }
    return 0;
}

/* "refund 40, delivery 12, billing 3": the most frequent needs, most first
 * (ties in the needs' order). */
static void top_needs(char *b, size_t cap, const heed_trend_row *t)
{
    int used[HEED_NEED_COUNT] = {0};
    size_t len = 0;
    b[0] = 0;
    for (int k = 0; k < MAX_TOP_NEEDS; k++) {
        int best = -1;
        for (int j = 0; j < HEED_NEED_COUNT; j++)
            if (t->needs[j] && !used[j] && (best < 0 || t->needs[j] > t->needs[best]))
                best = j;
        if (best < 0)
            break;
        used[best] = 1;
        int w = snprintf(b + len, cap - len, "%s%s %zu", k ? ", " : "", heed_view_need_names[best],
                         t->needs[best]);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
    }
}

static void print_table(int64_t from, int64_t to, int by, const char *by_name,
                        const heed_trend_row *rows, size_t n)
{
    char a[16], b[16];
    heed_cli_gmt(a, sizeof a, from, HEED_CLI_DATE);
    heed_cli_gmt(b, sizeof b, to - 1, HEED_CLI_DATE);
    printf("Customer messages, %s to %s, by %s (high-stress = stress 60+)\n", a, b, by_name);
    if (!n) {
        printf("  no customer messages, surveys or promises of linked customers in this "
               "period\n");
        return;
    }
    const char *head = by == HEED_TRENDS_WEEK      ? "week"
                       : by == HEED_TRENDS_CHANNEL ? "channel"
                                                   : "need";
    /* grouped by need, a row's top need is its key */
    int show_needs = by != HEED_TRENDS_NEED;
    printf("  %-20s %8s %9s %11s %11s%s\n", head, "messages", "customers", "mean stress",
           "high-stress", show_needs ? "  top needs" : "");
    size_t tm = 0, th = 0;
    for (size_t i = 0; i < n; i++) {
        const heed_trend_row *t = &rows[i];
        char mean[16], needs[160];
        if (t->scored)
            snprintf(mean, sizeof mean, "%.1f", t->stress_sum / (double)t->scored);
        else
            snprintf(mean, sizeof mean, "-");
        top_needs(needs, sizeof needs, t);
        printf("  %-20s %8zu %9zu %11s %11zu", t->key, t->messages, t->customers, mean,
               t->high_stress);
        if (show_needs)
            printf("  %s", needs[0] ? needs : "-");
        putchar('\n');
        tm += t->messages;
        th += t->high_stress;
    }
    printf("  %-20s %8zu %9s %11s %11zu\n", "total", tm, "", "", th);

    /* outcomes of the same rows */
    printf("\nOutcomes: conversations, repeat contact (customers in 2+ conversations),\n"
           "surveys answered (CSAT mean 1-5, NPS -100..100, CES mean 1-7), promises made\n"
           "and their status as of now\n");
    printf("  %-20s %6s %6s %7s %5s %6s %5s %8s %5s %5s %6s %7s\n", head, "convs", "repeat",
           "surveys", "CSAT", "NPS", "CES", "promises", "kept", "late", "broken", "pending");
    for (size_t i = 0; i < n; i++) {
        const heed_trend_row *t = &rows[i];
        char sc[3][16];
        for (int k = 0; k < 3; k++) {
            double v;
            if (!heed_trend_survey_score(t, HEED_SURVEY_CSAT + k, &v))
                snprintf(sc[k], sizeof sc[k], "-");
            else if (k == 1)
                snprintf(sc[k], sizeof sc[k], "%.0f", v);
            else
                snprintf(sc[k], sizeof sc[k], "%.2f", v);
        }
        const size_t *f = t->promises;
        printf("  %-20s %6zu %6zu %7zu %5s %6s %5s %8zu %5zu %5zu %6zu %7zu\n", t->key,
               t->conversations, t->repeat_customers, t->surveys, sc[0], sc[1], sc[2],
               f[HEED_TRENDS_PROM_MADE], f[HEED_TRENDS_PROM_KEPT], f[HEED_TRENDS_PROM_KEPT_LATE],
               f[HEED_TRENDS_PROM_BROKEN], f[HEED_TRENDS_PROM_PENDING]);
    }
}

int heed_cmd_trends(int argc, char **argv)
{
    opts o;
    int help;
    int rc = parse(argc, argv, &o, &help);
    if (rc)
        return rc;
    if (help) {
        fputs(TRENDS_HELP, stdout);
        return HEED_EXIT_OK;
    }
    const char *by_name = o.by ? o.by : "week";
    int by = heed_trends_by(by_name);
    heed_store *st = heed_cli_open_store(CMD, o.db);
    if (!st)
        return HEED_EXIT_USAGE;
    int64_t now, day, from, to;
    if (heed_cli_now(st, CMD, o.now_s, &now)) {
        heed_store_close(st);
        return HEED_EXIT_USAGE;
    }
    day = now;
    if (o.day) {
        int tz;
        if (heed_parse_time(o.day, strlen(o.day), &day, &tz)) {
            heed_store_close(st);
            return heed_cli_usage(CMD, "--day wants a date such as 2026-09-30, not '%s'", o.day);
        }
    }
    heed_view_range(day, o.days, 0, &from, &to);
    heed_trend_row *rows = NULL;
    size_t n = 0;
    heed_error err = {0};
    rc = heed_trends_load(st, from, to, now, by, &rows, &n, &err);
    heed_store_close(st);
    if (rc) {
        fprintf(stderr, "heed %s: %s\n", CMD, err.msg[0] ? err.msg : heed_strerror(rc));
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    int out = HEED_EXIT_OK;
    if (o.json) {
        heed_buf b;
        heed__buf_init(&b, 0);
        heed_view_trends_json(&b, from, to, by, rows, n);
        heed__buf_addc(&b, '\n');
        if (b.err) {
            fprintf(stderr, "heed %s: out of memory\n", CMD);
            out = HEED_EXIT_INTERNAL;
        } else {
            fwrite(b.ptr, 1, b.len, stdout);
        }
        heed__buf_release(&b);
    } else {
        print_table(from, to, by, by_name, rows, n);
    }
    free(rows);
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "heed %s: cannot write the output\n", CMD);
        return HEED_EXIT_USAGE;
    }
    return out;
}
