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
#include "person.h"
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
    "  --json         JSON lines\n";

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

/* Agents are named by text ids in the store and by numbers in care.h: the
 * index in a sorted table of the period's agent ids. */
typedef struct names {
    char **v;
    size_t n, cap;
} names;

static int64_t name_id(names *N, const char *s)
{
    for (size_t i = N->n; i-- > 0;)
        if (!strcmp(N->v[i], s))
            return (int64_t)i;
    if (N->n == N->cap) {
        size_t c = N->cap ? N->cap * 2 : 64;
        char **v = realloc(N->v, c * sizeof *v);
        if (!v)
            return -1;
        N->v = v;
        N->cap = c;
    }
    N->v[N->n] = strdup(s);
    return N->v[N->n] ? (int64_t)N->n++ : -1;
}

static void names_free(names *N)
{
    for (size_t i = 0; i < N->n; i++)
        free(N->v[i]);
    free(N->v);
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

typedef struct period_set {
    heed_care_convo *c;
    size_t n, cap;
    heed_care_shift *s;
    size_t ns, caps;
} period_set;

static int load_periods(heed_store *st, const char *agent, int64_t from, int64_t to, names *N,
                        period_set *P, heed_error *err)
{
    heed_st_cursor *c = NULL;
    int rc = heed_store_agent_convos(st, agent, from, to, &c, err), r;
    heed_st_agentconv ac;
    while (!rc && (r = heed_st_next_agentconv(c, &ac)) == 1) {
        if (P->n == P->cap) {
            size_t cap = P->cap ? P->cap * 2 : 256;
            heed_care_convo *v = realloc(P->c, cap * sizeof *v);
            if (!v) {
                rc = HEED_ENOMEM;
                break;
            }
            P->c = v;
            P->cap = cap;
        }
        int64_t id = name_id(N, ac.agent);
        if (id < 0) {
            rc = HEED_ENOMEM;
            break;
        }
        P->c[P->n++] = (heed_care_convo){.agent = id,
                                         .conversation = ac.conversation,
                                         .start = ac.start,
                                         .end = ac.end,
                                         .peak_stress = ac.peak_stress};
    }
    if (!rc && r < 0)
        rc = HEED_EIO;
    heed_st_cursor_free(c);
    c = NULL;
    if (!rc)
        rc = heed_store_shifts(st, agent, from, to, &c, err);
    heed_st_shiftrow sr;
    while (!rc && (r = heed_st_next_shift(c, &sr)) == 1) {
        if (P->ns == P->caps) {
            size_t cap = P->caps ? P->caps * 2 : 64;
            heed_care_shift *v = realloc(P->s, cap * sizeof *v);
            if (!v) {
                rc = HEED_ENOMEM;
                break;
            }
            P->s = v;
            P->caps = cap;
        }
        int64_t id = name_id(N, sr.agent);
        if (id < 0) {
            rc = HEED_ENOMEM;
            break;
        }
        P->s[P->ns++] = (heed_care_shift){.agent = id, .start = sr.start, .end = sr.end};
    }
    if (!rc && r < 0)
        rc = HEED_EIO;
    heed_st_cursor_free(c);
    return rc;
}

static void print_period(const heed_care_period *p, const names *N, long tz, int json)
{
    char a[32], b[32];
    fmt_local(a, sizeof a, p->start, tz, F_DATETIME);
    fmt_local(b, sizeof b, p->end, tz, F_TIME);
    if (json) {
        heed_buf o;
        heed__buf_init(&o, 0);
        heed__buf_adds(&o, "{\"agent\":");
        heed_json_string(&o, N->v[p->agent], strlen(N->v[p->agent]));
        heed__buf_printf(&o, ",\"period\":\"%s\",\"start\":", p->shift == (size_t)-1 ? "day"
                                                                                     : "shift");
        heed_json_time(&o, p->start);
        heed__buf_adds(&o, ",\"end\":");
        heed_json_time(&o, p->end);
        heed__buf_printf(&o,
                         ",\"conversations\":%zu,\"high_stress\":%zu,\"distress_sum\":%.1f,"
                         "\"distress_peak\":%.1f,\"longest_streak\":%zu,\"suggestions\":[",
                         p->conversations, p->high, p->stress_sum, p->stress_peak,
                         p->longest_streak);
        for (size_t i = 0; i < p->n_suggestions; i++) {
            if (i)
                heed__buf_addc(&o, ',');
            heed_json_string(&o, p->suggestion[i], strlen(p->suggestion[i]));
        }
        heed__buf_adds(&o, "]}\n");
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
    int64_t local = day + o->tz * 60;
    int64_t d0 = local / 86400 - (local % 86400 < 0);
    long days = o->days > 0 ? o->days : dflt_days;
    *to = (d0 + 1) * 86400 - o->tz * 60;
    *from = *to - days * 86400;
    return 0;
}

/* Periods of the agents (all, or o->agent) in [from, to), printed. */
static int care(const char *cmd, heed_store *st, const opts *o, int64_t from, int64_t to)
{
    names N = {0};
    period_set P = {0};
    heed_error err = {0};
    heed_care_period *out = NULL;
    size_t n_out = 0;
    heed_care_opts co = {.tz_offset_min = (int)o->tz};
    int rc = load_periods(st, o->agent, from, to, &N, &P, &err);
    if (!rc)
        rc = heed_care_periods(P.c, P.n, P.s, P.ns, &co, &out, &n_out, &err);
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
    free(P.c);
    free(P.s);
    names_free(&N);
    return rc ? HEED_EXIT_USAGE : HEED_EXIT_OK;
}

/* Empathy and compassion per team and ISO week: every reply in the period,
 * its agent's team (agents without one: "(no team)"). */
static int teams(heed_store *st, const opts *o, int64_t from, int64_t to)
{
    names agents = {0}, teamn = {0};
    int64_t *team_of = NULL;
    heed_care_reply *rep = NULL;
    heed_care_week *weeks = NULL;
    size_t nr = 0, cap = 0, nw = 0;
    heed_error err = {0};
    heed_st_cursor *c = NULL;
    int ret = HEED_EXIT_INTERNAL, r;
    if (heed_store_agents(st, NULL, &c, &err) != HEED_OK)
        goto fail;
    heed_st_agentrow ar;
    while ((r = heed_st_next_agent(c, &ar)) == 1) {
        int64_t a = name_id(&agents, ar.id), t = name_id(&teamn, ar.team ? ar.team : "(no team)");
        if (a < 0 || t < 0)
            goto out;
        int64_t *v = realloc(team_of, agents.n * sizeof *v);
        if (!v)
            goto out;
        team_of = v;
        team_of[a] = t;
    }
    heed_st_cursor_free(c);
    c = NULL;
    size_t known = agents.n;
    if (r < 0 || heed_store_replies(st, NULL, from, to, &c, &err) != HEED_OK)
        goto fail;
    heed_st_reply rr;
    while ((r = heed_st_next_reply(c, &rr)) == 1) {
        if (rr.empathy[0] < 0)
            continue;
        int64_t a = name_id(&agents, rr.agent);
        if (a < 0)
            goto out;
        if ((size_t)a >= known) { /* not in the agents table: no team */
            int64_t *v = realloc(team_of, agents.n * sizeof *v);
            if (!v)
                goto out;
            team_of = v;
            int64_t t = name_id(&teamn, "(no team)");
            if (t < 0)
                goto out;
            team_of[a] = t;
            known = agents.n;
        }
        if (nr == cap) {
            cap = cap ? cap * 2 : 1024;
            heed_care_reply *v = realloc(rep, cap * sizeof *v);
            if (!v)
                goto out;
            rep = v;
        }
        rep[nr] = (heed_care_reply){.agent = team_of[a],
                                    .time = rr.time,
                                    .compassion = rr.compassion < 0 ? 0 : rr.compassion};
        memcpy(rep[nr].empathy, rr.empathy, sizeof rep[nr].empathy);
        nr++;
    }
    if (r < 0 || heed_care_weeks(rep, nr, (int)o->tz, &weeks, &nw, &err) != HEED_OK)
        goto fail;
    if (!o->json)
        printf("Replies by team and ISO week: empathy (reaction / interpretation / "
               "exploration, 0-2) and compassion (0-100), measured apart\n");
    for (size_t i = 0; i < nw; i++) {
        const char *team = teamn.v[weeks[i].agent];
        if (o->json) {
            heed_buf b;
            heed__buf_init(&b, 0);
            heed__buf_adds(&b, "{\"team\":");
            heed_json_string(&b, team, strlen(team));
            heed__buf_printf(&b,
                             ",\"week\":\"%d-W%02d\",\"replies\":%zu,\"empathy\":[%.2f,%.2f,"
                             "%.2f],\"compassion\":%.1f}\n",
                             weeks[i].iso_year, weeks[i].iso_week, weeks[i].replies,
                             weeks[i].empathy_mean[0], weeks[i].empathy_mean[1],
                             weeks[i].empathy_mean[2], weeks[i].compassion_mean);
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
    ret = HEED_EXIT_OK;
    goto out;
fail:
    fprintf(stderr, "heed agents: %s\n", err.msg[0] ? err.msg : "reading the store failed");
    ret = HEED_EXIT_USAGE;
out:
    heed_st_cursor_free(c);
    heed_care_free(weeks);
    free(rep);
    free(team_of);
    names_free(&agents);
    names_free(&teamn);
    return ret;
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

typedef struct example {
    double key;
    int64_t time;
    char *text, *conv;
    double stress, compassion;
    int empathy[HEED_EMPATHY_COUNT];
} example;

static void keep_example(example *ex, size_t *n, size_t max, const heed_st_reply *r, double key)
{
    size_t at = *n;
    if (*n == max) {
        /* replace the weakest */
        size_t w = 0;
        for (size_t i = 1; i < max; i++)
            if (ex[i].key < ex[w].key)
                w = i;
        if (ex[w].key >= key)
            return;
        free(ex[w].text);
        free(ex[w].conv);
        at = w;
    } else {
        ++*n;
    }
    ex[at] = (example){.key = key,
                       .time = r->time,
                       .text = strdup(r->text ? r->text : ""),
                       .conv = strdup(r->conv_ext ? r->conv_ext : ""),
                       .stress = r->customer_stress,
                       .compassion = r->compassion};
    memcpy(ex[at].empathy, r->empathy, sizeof ex[at].empathy);
}

static int ex_cmp(const void *a, const void *b)
{
    const example *x = a, *y = b;
    return x->key < y->key ? 1 : x->key > y->key ? -1 : (x->time > y->time) - (x->time < y->time);
}

static void print_examples(const char *title, example *ex, size_t n, int json, const char *agent,
                           const char *kind)
{
    qsort(ex, n, sizeof *ex, ex_cmp);
    if (!json && n)
        printf("\n%s\n", title);
    for (size_t i = 0; i < n; i++) {
        if (json) {
            heed_buf o;
            heed__buf_init(&o, 0);
            heed__buf_adds(&o, "{\"agent\":");
            heed_json_string(&o, agent, strlen(agent));
            heed__buf_printf(&o, ",\"example\":\"%s\",\"conversation\":", kind);
            heed_json_string(&o, ex[i].conv, ex[i].conv ? strlen(ex[i].conv) : 0);
            heed__buf_adds(&o, ",\"time\":");
            heed_json_time(&o, ex[i].time);
            heed__buf_printf(&o,
                             ",\"customer_stress\":%.0f,\"empathy\":[%d,%d,%d],\"compassion\":"
                             "%.0f,\"text\":",
                             ex[i].stress, ex[i].empathy[0], ex[i].empathy[1], ex[i].empathy[2],
                             ex[i].compassion);
            heed_json_string(&o, ex[i].text, ex[i].text ? strlen(ex[i].text) : 0);
            heed__buf_adds(&o, "}\n");
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
        free(ex[i].text);
        free(ex[i].conv);
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
    heed_st_cursor *c = NULL;
    heed_care_reply *rep = NULL;
    heed_care_week *weeks = NULL;
    size_t nr = 0, cap = 0, nw = 0;
    example good[3], grow_ex[3];
    size_t ng = 0, ngr = 0;
    heed_error err = {0};
    if (period("agent", st, &o, 28, &from, &to))
        goto out;
    heed_st_agentrow ar;
    int found = 0, r;
    if (heed_store_agents(st, o.agent, &c, &err) == HEED_OK) {
        while ((r = heed_st_next_agent(c, &ar)) == 1) {
            found = 1;
            if (!o.json)
                printf("Agent %s%s%s%s%s%s\n\n", ar.id, ar.name ? " (" : "",
                       ar.name ? ar.name : "", ar.name && ar.team ? ", team " : "",
                       ar.name && ar.team ? ar.team : "", ar.name ? ")" : "");
        }
    }
    heed_st_cursor_free(c);
    c = NULL;
    if (!found) {
        fprintf(stderr, "heed agent: no agent '%s' in the store\n", o.agent);
        goto out;
    }
    if ((ret = care("agent", st, &o, from, to)) != HEED_EXIT_OK)
        goto out;
    ret = HEED_EXIT_USAGE;
    if (heed_store_replies(st, o.agent, from, to, &c, &err) != HEED_OK) {
        fprintf(stderr, "heed agent: %s\n", err.msg);
        goto out;
    }
    heed_st_reply rr;
    while ((r = heed_st_next_reply(c, &rr)) == 1) {
        if (rr.empathy[0] < 0)
            continue;
        if (nr == cap) {
            cap = cap ? cap * 2 : 256;
            heed_care_reply *v = realloc(rep, cap * sizeof *v);
            if (!v) {
                ret = HEED_EXIT_INTERNAL;
                goto out;
            }
            rep = v;
        }
        rep[nr] = (heed_care_reply){.agent = 0, .time = rr.time,
                                    .compassion = rr.compassion < 0 ? 0 : rr.compassion};
        memcpy(rep[nr].empathy, rr.empathy, sizeof rep[nr].empathy);
        nr++;
        /* coaching: the best answers to stressed customers, and the replies
         * where warm words came without action (or neither) */
        int emp = rr.empathy[0] + rr.empathy[1] + rr.empathy[2];
        double s = rr.customer_stress;
        if (s >= 30 && emp >= 2 && rr.compassion >= 60)
            keep_example(good, &ng, 3, &rr, s + rr.compassion + 10 * emp);
        else if (s >= 30 && rr.compassion < 30)
            keep_example(grow_ex, &ngr, 3, &rr, s - rr.compassion);
    }
    if (r < 0) {
        fprintf(stderr, "heed agent: reading replies failed\n");
        goto out;
    }
    if (heed_care_weeks(rep, nr, (int)o.tz, &weeks, &nw, &err) != HEED_OK) {
        fprintf(stderr, "heed agent: %s\n", err.msg);
        goto out;
    }
    if (!o.json)
        printf("\nReplies by ISO week: empathy (reaction / interpretation / exploration, 0-2) "
               "and compassion (0-100), measured apart\n");
    for (size_t i = 0; i < nw; i++) {
        if (o.json) {
            heed_buf b;
            heed__buf_init(&b, 0);
            heed__buf_adds(&b, "{\"agent\":");
            heed_json_string(&b, o.agent, strlen(o.agent));
            heed__buf_printf(&b,
                             ",\"week\":\"%d-W%02d\",\"replies\":%zu,\"empathy\":[%.2f,%.2f,"
                             "%.2f],\"compassion\":%.1f}\n",
                             weeks[i].iso_year, weeks[i].iso_week, weeks[i].replies,
                             weeks[i].empathy_mean[0], weeks[i].empathy_mean[1],
                             weeks[i].empathy_mean[2], weeks[i].compassion_mean);
            fwrite(b.ptr, 1, b.len, stdout);
            heed__buf_release(&b);
        } else {
            printf("  %d-W%02d  %3zu replies  empathy %.2f / %.2f / %.2f  compassion %5.1f\n",
                   weeks[i].iso_year, weeks[i].iso_week, weeks[i].replies,
                   weeks[i].empathy_mean[0], weeks[i].empathy_mean[1], weeks[i].empathy_mean[2],
                   weeks[i].compassion_mean);
        }
    }
    print_examples("What worked (stressed customer, warm words and concrete action):", good, ng,
                   o.json, o.agent, "worked");
    ng = 0;
    print_examples("To work on (stressed customer, little concrete action):", grow_ex, ngr, o.json,
                   o.agent, "to_work_on");
    ngr = 0;
    ret = HEED_EXIT_OK;
out:
    for (size_t i = 0; i < ng; i++)
        free(good[i].text), free(good[i].conv);
    for (size_t i = 0; i < ngr; i++)
        free(grow_ex[i].text), free(grow_ex[i].conv);
    heed_care_free(weeks);
    free(rep);
    heed_st_cursor_free(c);
    heed_store_close(st);
    return ret;
}
