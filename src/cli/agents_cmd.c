/* agents_cmd.c - `heed agents` and `heed agent ID`: agent care (the distress
 * each agent absorbed per shift or day, streaks of high-stress conversations,
 * break and rotation suggestions) and growth (empathy and compassion by week,
 * coaching examples from their own replies). Everything comes from the
 * customer side and from workload: heed never infers an agent's own emotions. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "jsonout.h"
#include "agentview.h"
#include "store.h"
#include "timeparse.h"

static const char AGENTS_HELP[] =
    "Usage: heed agents [OPTIONS]\n"
    "       heed agent ID [OPTIONS]\n"
    "\n"
    "agents: per agent and shift (or calendar day without shift data) in the\n"
    "period: conversations handled, distress absorbed (sum and peak of the\n"
    "customer stress they faced), the longest streak of high-stress\n"
    "conversations (stress 60 and up), and suggestions (a break, a rotation).\n"
    "agent: the same for one agent, plus empathy and compassion by ISO week and\n"
    "coaching examples from their own replies.\n"
    "Derived from the customers' side and workload only; heed never infers an\n"
    "agent's own emotions.\n"
    "\n"
    "  --db PATH      the store (default: heed.db, or $HEED_DB)\n"
    "  --day DATE     the period is this calendar day (default: the day of --now)\n"
    "  --days N       the period is the N days ending with --day (default 1;\n"
    "                 `heed agent`: 28)\n"
    "  --now T        as of T (ISO 8601, Unix seconds, or 'data')\n"
    "  --tz MINUTES   calendar days in this UTC offset (default 0)\n"
    "  --teams        agents: empathy and compassion by team and ISO week instead\n"
    "                 (default period 28 days)\n"
    "  --json         JSON lines\n"
    "\n"
    "Exit codes: 0 done, 2 usage or store error or no such agent, 3 internal\n"
    "error.\n";

typedef struct opts {
    const char *db, *now_s, *day, *agent;
    long days, tz;
    int json, teams;
} opts;

static int parse(const char *cmd, int argc, char **argv, opts *o, int *help)
{
    memset(o, 0, sizeof *o);
    o->db = getenv("HEED_DB");
    o->days = -1;
    *help = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            *help = 1;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--teams") && !strcmp(cmd, "agents")) {
            o->teams = 1;
        } else if (!strcmp(a, "--db") || !strcmp(a, "--now") || !strcmp(a, "--day") ||
                   !strcmp(a, "--days") || !strcmp(a, "--tz")) {
            if (!v)
                return heed_cli_usage(cmd, "%s needs a value", a);
            i++;
            if (!strcmp(a, "--db"))
                o->db = v;
            else if (!strcmp(a, "--now"))
                o->now_s = v;
            else if (!strcmp(a, "--day"))
                o->day = v;
            else {
                char *end;
                long n = strtol(v, &end, 10);
                int days = !strcmp(a, "--days");
                if (*end || (days ? (n < 1 || n > 3660) : (n < -840 || n > 840)))
                    return heed_cli_usage(cmd, "%s wants %s, not '%s'", a,
                                 days ? "a number of days from 1 to 3660"
                                      : "minutes from -840 to 840",
                                 v);
                if (days)
                    o->days = n;
                else
                    o->tz = n;
            }
        } else if (a[0] == '-' && a[1]) {
            return heed_cli_usage(cmd, "unknown option '%s'", a);
        } else if (!o->agent && !strcmp(cmd, "agent")) {
            o->agent = a;
        } else {
            return heed_cli_usage(cmd, "unexpected argument '%s'", a);
        }
    }
    return 0;
}

enum { F_DATE, F_DATETIME, F_TIME };

static void fmt_local(char *b, size_t n, int64_t t, long tz, int what)
{
    time_t tt = (time_t)(t + tz * 60);
    struct tm tm;
    gmtime_r(&tt, &tm);
    if (what == F_DATE)
        strftime(b, n, "%Y-%m-%d", &tm);
    else if (what == F_DATETIME)
        strftime(b, n, "%Y-%m-%d %H:%M", &tm);
    else
        strftime(b, n, "%H:%M", &tm);
}

static void print_period(const heed_care_period *p, const heed_names *N, long tz, int json)
{
    char a[32], b[32];
    fmt_local(a, sizeof a, p->start, tz, F_DATETIME);
    fmt_local(b, sizeof b, p->end, tz, F_TIME);
    if (json) {
        heed_buf o;
        heed__buf_init(&o, 0);
        heed_view_period_json(&o, p, N);
        heed__buf_addc(&o, '\n');
        fwrite(o.ptr, 1, o.len, stdout);
        heed__buf_release(&o);
        return;
    }
    printf("  %-12s %s-%s %-5s  %3zu conv, %3zu high-stress, distress %6.0f (peak %3.0f), "
           "longest streak %zu\n",
           N->v[p->agent], a, b, p->shift == (size_t)-1 ? "day" : "shift", p->conversations,
           p->high, p->stress_sum, p->stress_peak, p->longest_streak);
    for (size_t i = 0; i < p->n_suggestions; i++)
        printf("      -> %s\n", p->suggestion[i]);
}

/* The period [from, to): --day (or the day of now) and --days back. */
static int period(const char *cmd, heed_store *st, const opts *o, long dflt_days, int64_t *from,
                  int64_t *to)
{
    int64_t now;
    if (heed_cli_now(st, cmd, o->now_s, &now))
        return -1;
    int64_t day = now;
    if (o->day) {
        int tz;
        if (heed_parse_time(o->day, strlen(o->day), &day, &tz)) {
            fprintf(stderr, "heed %s: --day wants a date such as 2026-09-30, not '%s'\n", cmd,
                    o->day);
            return -1;
        }
    }
    heed_view_range(day, o->days > 0 ? o->days : dflt_days, o->tz, from, to);
    return 0;
}

/* Periods of the agents (all, or o->agent) in [from, to), printed. */
static int care(const char *cmd, heed_store *st, const opts *o, int64_t from, int64_t to)
{
    heed_names N = {0};
    heed_error err = {0};
    heed_care_period *out = NULL;
    size_t n_out = 0;
    int rc = heed_view_periods(st, o->agent, from, to, o->tz, &N, &out, &n_out, &err);
    if (rc) {
        fprintf(stderr, "heed %s: %s\n", cmd, err.msg[0] ? err.msg : heed_strerror(rc));
    } else {
        if (!o->json) {
            char a[32], b[32];
            fmt_local(a, sizeof a, from, o->tz, F_DATE);
            fmt_local(b, sizeof b, to - 1, o->tz, F_DATE);
            printf("Agent care, %s to %s (exposure to customer stress; high-stress = 60+)\n", a,
                   b);
            if (!n_out)
                printf("  no conversations handled in this period\n");
        }
        for (size_t i = 0; i < n_out; i++)
            print_period(&out[i], &N, o->tz, o->json);
    }
    heed_care_free(out);
    heed_names_free(&N);
    return rc ? HEED_EXIT_USAGE : HEED_EXIT_OK;
}

/* Empathy and compassion per team and ISO week: every reply in the period,
 * its agent's team (agents without one: "(no team)"). */
static int teams(heed_store *st, const opts *o, int64_t from, int64_t to)
{
    heed_names teamn = {0};
    heed_care_week *weeks = NULL;
    size_t nw = 0;
    heed_error err = {0};
    int rc = heed_view_team_weeks(st, from, to, o->tz, &teamn, &weeks, &nw, &err);
    if (rc) {
        fprintf(stderr, "heed agents: %s\n", err.msg[0] ? err.msg : "reading the store failed");
        heed_names_free(&teamn);
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    if (!o->json)
        printf("Replies by team and ISO week: empathy (reaction / interpretation / "
               "exploration, 0-2) and compassion (0-100), measured apart\n");
    for (size_t i = 0; i < nw; i++) {
        const char *team = teamn.v[weeks[i].agent];
        if (o->json) {
            heed_buf b;
            heed__buf_init(&b, 0);
            heed_view_week_json(&b, "team", team, &weeks[i]);
            heed__buf_addc(&b, '\n');
            fwrite(b.ptr, 1, b.len, stdout);
            heed__buf_release(&b);
        } else {
            printf("  %-12s %d-W%02d  %4zu replies  empathy %.2f / %.2f / %.2f  compassion "
                   "%5.1f\n",
                   team, weeks[i].iso_year, weeks[i].iso_week, weeks[i].replies,
                   weeks[i].empathy_mean[0], weeks[i].empathy_mean[1], weeks[i].empathy_mean[2],
                   weeks[i].compassion_mean);
        }
    }
    heed_care_free(weeks);
    heed_names_free(&teamn);
    return HEED_EXIT_OK;
}

int heed_cmd_agents(int argc, char **argv)
{
    opts o;
    int help, rc = parse("agents", argc, argv, &o, &help);
    if (rc)
        return rc;
    if (help) {
        fputs(AGENTS_HELP, stdout);
        return HEED_EXIT_OK;
    }
    heed_store *st = heed_cli_open_store("agents", o.db);
    if (!st)
        return HEED_EXIT_USAGE;
    int64_t from, to;
    int ret = period("agents", st, &o, o.teams ? 28 : 1, &from, &to) ? HEED_EXIT_USAGE
              : o.teams                                               ? teams(st, &o, from, to)
                                                                      : care("agents", st, &o, from, to);
    heed_store_close(st);
    return ret;
}

/* ------------------------------------------------------------ one agent */

static void print_examples(const char *title, const heed_view_example *ex, size_t n, int json,
                           const char *agent, const char *kind)
{
    if (!json && n)
        printf("\n%s\n", title);
    for (size_t i = 0; i < n; i++) {
        if (json) {
            heed_buf o;
            heed__buf_init(&o, 0);
            heed_view_example_json(&o, agent, kind, &ex[i]);
            heed__buf_addc(&o, '\n');
            fwrite(o.ptr, 1, o.len, stdout);
            heed__buf_release(&o);
        } else {
            char t[32];
            fmt_local(t, sizeof t, ex[i].time, 0, F_DATE);
            printf("  %s conversation %s, customer stress %.0f, empathy %d/%d/%d, compassion "
                   "%.0f:\n    \"",
                   t, ex[i].conv, ex[i].stress, ex[i].empathy[0], ex[i].empathy[1],
                   ex[i].empathy[2], ex[i].compassion);
            for (const char *p = ex[i].text; p && *p; p++)
                putchar(*p == '\n' ? ' ' : *p);
            printf("\"\n");
        }
    }
}

int heed_cmd_agent(int argc, char **argv)
{
    opts o;
    int help, rc = parse("agent", argc, argv, &o, &help);
    if (rc)
        return rc;
    if (help) {
        fputs(AGENTS_HELP, stdout);
        return HEED_EXIT_OK;
    }
    if (!o.agent)
        return heed_cli_usage("agent", "which agent? (an id from `heed agents`)");
    heed_store *st = heed_cli_open_store("agent", o.db);
    if (!st)
        return HEED_EXIT_USAGE;
    int ret = HEED_EXIT_USAGE;
    int64_t from, to;
    heed_agent_view V;
    memset(&V, 0, sizeof V);
    heed_error err = {0};
    if (period("agent", st, &o, 28, &from, &to))
        goto out;
    rc = heed_agent_view_load(st, o.agent, from, to, o.tz, &V, &err);
    if (!rc && !V.found) {
        fprintf(stderr, "heed agent: no agent '%s' in the store\n", o.agent);
        goto out;
    }
    if (rc) {
        fprintf(stderr, "heed agent: %s\n", err.msg);
        ret = rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
        goto out;
    }
    if (!o.json)
        printf("Agent %s%s%s%s%s%s\n\n", o.agent, V.name ? " (" : "", V.name ? V.name : "",
               V.name && V.team ? ", team " : "", V.name && V.team ? V.team : "",
               V.name ? ")" : "");
    if ((ret = care("agent", st, &o, from, to)) != HEED_EXIT_OK)
        goto out;
    if (!o.json)
        printf("\nReplies by ISO week: empathy (reaction / interpretation / exploration, 0-2) "
               "and compassion (0-100), measured apart\n");
    for (size_t i = 0; i < V.n_weeks; i++) {
        const heed_care_week *w = &V.weeks[i];
        if (o.json) {
            heed_buf b;
            heed__buf_init(&b, 0);
            heed_view_week_json(&b, "agent", o.agent, w);
            heed__buf_addc(&b, '\n');
            fwrite(b.ptr, 1, b.len, stdout);
            heed__buf_release(&b);
        } else {
            printf("  %d-W%02d  %3zu replies  empathy %.2f / %.2f / %.2f  compassion %5.1f\n",
                   w->iso_year, w->iso_week, w->replies, w->empathy_mean[0], w->empathy_mean[1],
                   w->empathy_mean[2], w->compassion_mean);
        }
    }
    print_examples("What worked (stressed customer, warm words and concrete action):", V.good,
                   V.n_good, o.json, o.agent, "worked");
    print_examples("To work on (stressed customer, little concrete action):", V.grow, V.n_grow,
                   o.json, o.agent, "to_work_on");
    ret = HEED_EXIT_OK;
out:
    heed_agent_view_release(&V);
    heed_store_close(st);
    return ret;
}
