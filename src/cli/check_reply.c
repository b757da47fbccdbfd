/* check_reply.c - `heed check-reply`: a draft reply checked against the
 * customer's message before it is sent; suggestions in plain words, each tied
 * to evidence, and the scores the reply would get. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "explain.h"
#include "heed/heed.h"
#include "jsonout.h"
#include "timeparse.h"

static const char HELP[] =
    "Usage: heed check-reply --customer TEXT|@FILE [--reply TEXT|@FILE] [OPTIONS]\n"
    "\n"
    "Checks a draft reply against the customer's message (or messages) before it is\n"
    "sent: what to change, in plain words and most important first, each tied to\n"
    "the words behind it, then the scores the reply would get (empathy, compassion,\n"
    "promises, readability and jargon, whether it answers what was asked).\n"
    "\n"
    "  --customer TEXT|@FILE  the customer's message; @FILE reads a file (@- stdin)\n"
    "  --reply TEXT|@FILE     the draft reply (default: standard input)\n"
    "  --time TIME            when the reply is sent (ISO 8601 or Unix seconds), to\n"
    "                         resolve promised times (\"by Friday\"); default: none\n"
    "  --json                 one JSON object instead of the readable report\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 checked (whatever the suggestions), 2 usage or I/O error,\n"
    "3 internal error. Suggestion codes and rules: docs/check-reply.md.\n";

/* TEXT, @FILE or @- (stdin); malloc'd. */
static char *arg_text(const char *v, size_t *len)
{
    if (v[0] != '@') {
        *len = strlen(v);
        char *s = malloc(*len + 1);
        if (s)
            memcpy(s, v, *len + 1);
        return s;
    }
    if (strcmp(v, "@-") != 0)
        return heed_cli_read_file(v + 1, (size_t)16 << 20, len);
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    while (s) {
        size_t k = fread(s + n, 1, cap - n - 1, stdin);
        n += k;
        if (k == 0)
            break;
        if (n + 1 == cap) {
            char *t = realloc(s, cap * 2);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
            cap *= 2;
        }
    }
    if (s && ferror(stdin)) {
        free(s);
        errno = EIO;
        return NULL;
    }
    if (s)
        s[n] = 0;
    *len = n;
    return s;
}

static void json_report(heed_buf *b, const heed_result *r)
{
    heed_json_check_reply(b, r);
}

static void text_report(heed_buf *b, const heed_result *r)
{
    static const char *const PRI[] = {"", "fix", "improve", "consider"};
    if (!r->empathy.available && !r->compassion.available && !r->familiar.available)
        heed__buf_adds(b, "No checks ran: the draft was not scored (not English) or this "
                          "build has no reply stages.\n");
    else if (!r->n_suggestions)
        heed__buf_adds(b, "No suggestions: the draft answers, acknowledges and acts.\n");
    else
        heed__buf_printf(b, "Suggestions (%zu, most important first):\n", r->n_suggestions);
    for (size_t i = 0; i < r->n_suggestions; i++) {
        const heed_suggestion *s = &r->suggestions[i];
        int p = s->priority >= 1 && s->priority <= 3 ? s->priority : 3;
        heed__buf_printf(b, "  %zu. [%s] %s\n", i + 1, PRI[p], s->text);
    }
    const heed_result *c = r->customer;
    if (c && c->language.scored) {
        heed__buf_adds(b, "\nThe customer:");
        if (c->stress.available)
            heed__buf_printf(b, " stress %.0f (%s)", round(c->stress.score),
                             heed_json_stress_band(round(c->stress.score)));
        if (c->needs.available && c->needs.top >= 0 && c->needs.top < HEED_NEED_COUNT)
            heed__buf_printf(b, "; needs %s", heed_json_need_names[c->needs.top]);
        heed__buf_printf(b, "; asks %zu\n", c->needs.n_asks);
    }
    heed__buf_adds(b, "\nThe draft would get:\n");
    if (!r->language.scored)
        heed__buf_adds(b, "  not scored: the draft is not in English\n");
    heed_explain_reply(b, r);
}

int heed_cmd_check_reply(int argc, char **argv)
{
    const char *cust_arg = NULL, *reply_arg = NULL, *time_arg = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(HELP, stdout);
            return HEED_EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--customer") || !strcmp(a, "--reply") || !strcmp(a, "--time")) {
            if (!v) {
                fprintf(stderr, "heed check-reply: option %s needs a value\n", a);
                return HEED_EXIT_USAGE;
            }
            *(a[2] == 'c' ? &cust_arg : a[2] == 'r' ? &reply_arg : &time_arg) = v;
            i++;
        } else {
            fprintf(stderr,
                    "heed check-reply: unknown argument '%s'\nTry 'heed check-reply "
                    "--help'.\n",
                    a);
            return HEED_EXIT_USAGE;
        }
    }
    if (!cust_arg) {
        fputs("heed check-reply: --customer is required\nTry 'heed check-reply --help'.\n", stderr);
        return HEED_EXIT_USAGE;
    }
    if (cust_arg && reply_arg && !strcmp(cust_arg, "@-") && !strcmp(reply_arg, "@-")) {
        fputs("heed check-reply: only one of --customer and --reply can read stdin\n", stderr);
        return HEED_EXIT_USAGE;
    }
    heed_analyze_opts ao = {.flags = 0};
    if (time_arg && heed_parse_time(time_arg, strlen(time_arg), &ao.time, &ao.tz_offset_min)) {
        fprintf(stderr, "heed check-reply: --time wants ISO 8601 or Unix seconds: '%s'\n",
                time_arg);
        return HEED_EXIT_USAGE;
    }
    ao.has_time = time_arg != NULL;
    size_t cl = 0, rl = 0;
    char *cust = arg_text(cust_arg, &cl);
    if (!cust) {
        fprintf(stderr, "heed check-reply: %s: %s\n", cust_arg, strerror(errno));
        return HEED_EXIT_USAGE;
    }
    char *draft = arg_text(reply_arg ? reply_arg : "@-", &rl);
    if (!draft) {
        fprintf(stderr, "heed check-reply: %s: %s\n", reply_arg ? reply_arg : "stdin",
                strerror(errno));
        free(cust);
        return HEED_EXIT_USAGE;
    }
    int ret = HEED_EXIT_OK;
    heed_engine *eng = NULL;
    heed_analysis *an = NULL;
    heed_error err = {0};
    int rc = heed_engine_new(NULL, &eng, &err);
    if (rc == HEED_OK)
        rc = heed_check_reply(eng, cust, cl, draft, rl, &ao, &an, &err);
    if (rc != HEED_OK) {
        fprintf(stderr, "heed check-reply: %s\n", err.msg[0] ? err.msg : heed_strerror(rc));
        ret = rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    } else {
        heed_buf b;
        heed__buf_init(&b, 0);
        (json ? json_report : text_report)(&b, heed_analysis_result(an));
        if (b.err) {
            ret = HEED_EXIT_INTERNAL;
        } else if (fwrite(b.ptr, 1, b.len, stdout) != b.len || fflush(stdout)) {
            fprintf(stderr, "heed check-reply: write error: %s\n", strerror(errno));
            ret = HEED_EXIT_USAGE;
        }
        heed__buf_release(&b);
    }
    heed_analysis_free(an);
    heed_engine_free(eng);
    free(cust);
    free(draft);
    return ret;
}
