/* main.c - the `heed` program: dispatches to a subcommand. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "heed/heed.h"

static const char USAGE[] =
    "Usage: heed COMMAND [OPTIONS] [FILE...]\n"
    "\n"
    "heed reads what customers write and what agents answer, and scores it with\n"
    "evidence; it keeps a company's records in one store and says who needs help\n"
    "now and why.\n"
    "\n"
    "Commands:\n"
    "  analyze      score messages (JSON lines, CSV or text) and write JSON lines\n"
    "  check-reply  check a draft reply against the customer's message: what to\n"
    "               change, in plain words, and the scores it would get\n"
    "  import       keep records from a company's systems (messages, e-mail,\n"
    "               tickets, CRM, orders and deliveries, surveys), analysed, in\n"
    "               the store\n"
    "  queue        who needs help now, and why (the act-now queue)\n"
    "  journey      one customer's timeline across silos, with promises kept\n"
    "               or broken\n"
    "  customer     why records were linked into one customer; unmerge, relink,\n"
    "               check\n"
    "  agents       agent care: distress absorbed per shift, streaks, breaks\n"
    "  agent        one agent: care, empathy and compassion by week, coaching\n"
    "  trends       customer messages by week, channel or need: volume, stress,\n"
    "               needs (as GET /v1/trends)\n"
    "  reanalyze    re-score stored messages after a model upgrade\n"
    "  train        train a model from labelled data (emotions, needs, intents,\n"
    "               intensity, empathy)\n"
    "  eval         evaluate on labelled data (emotions, needs, intents, intensity,\n"
    "               empathy, compassion)\n"
    "  serve        the HTTP API and the web dashboard: analysis, the reply\n"
    "               checker, ingest, the queue, journeys, agents (docs/api.md)\n"
    "  key          API keys of the HTTP API: create, list, revoke\n"
    "  webhook      webhooks heed serve posts to: add, list, remove, log\n"
    "  generate     write a synthetic multi-silo sample data set (deterministic)\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help (heed COMMAND --help for a command's)\n"
    "  -V, --version  show the version\n"
    "\n"
    "Exit codes: 0 done (all records analysed or imported), 1 some records rejected,\n"
    "2 usage or I/O error, 3 internal error (e.g. out of memory).\n";

static int run_cmd(const char *cmd, int argc, char **argv);

/* A command whose answer could not be written (a full disk, a closed pipe) has
 * not done its job, whatever it returned: say so and exit 2. Commands that
 * found it themselves have said so and returned 2 or 3 already. */
static int finish(const char *cmd, int ret)
{
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && ret != HEED_EXIT_USAGE &&
        ret != HEED_EXIT_INTERNAL) {
        fprintf(stderr, "heed %s: write error: %s\n", cmd,
                errno ? strerror(errno) : "the output could not be written");
        return HEED_EXIT_USAGE;
    }
    return ret;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return HEED_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(USAGE, stdout);
        return finish(cmd, HEED_EXIT_OK);
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("heed %s (library %s, output schema %d)\n", HEED_VERSION_STRING, heed_version(),
               HEED_SCHEMA_VERSION);
        return finish(cmd, HEED_EXIT_OK);
    }
    return finish(cmd, run_cmd(cmd, argc, argv));
}

static int run_cmd(const char *cmd, int argc, char **argv)
{
    if (!strcmp(cmd, "analyze"))
        return heed_cmd_analyze(argc - 1, argv + 1);
    if (!strcmp(cmd, "check-reply"))
        return heed_cmd_check_reply(argc - 1, argv + 1);
    if (!strcmp(cmd, "import"))
        return heed_cmd_import(argc - 1, argv + 1);
    if (!strcmp(cmd, "queue"))
        return heed_cmd_queue(argc - 1, argv + 1);
    if (!strcmp(cmd, "journey"))
        return heed_cmd_journey(argc - 1, argv + 1);
    if (!strcmp(cmd, "customer"))
        return heed_cmd_customer(argc - 1, argv + 1);
    if (!strcmp(cmd, "agents"))
        return heed_cmd_agents(argc - 1, argv + 1);
    if (!strcmp(cmd, "agent"))
        return heed_cmd_agent(argc - 1, argv + 1);
    if (!strcmp(cmd, "trends"))
        return heed_cmd_trends(argc - 1, argv + 1);
    if (!strcmp(cmd, "reanalyze"))
        return heed_cmd_reanalyze(argc - 1, argv + 1);
    if (!strcmp(cmd, "train"))
        return heed_cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "generate"))
        return heed_cmd_generate(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return heed_cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "key"))
        return heed_cmd_key(argc - 1, argv + 1);
    if (!strcmp(cmd, "webhook"))
        return heed_cmd_webhook(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval"))
        return heed_cmd_eval(argc - 1, argv + 1);
    fprintf(stderr, "heed: unknown command '%s'\n\n%s", cmd, USAGE);
    return HEED_EXIT_USAGE;
}
