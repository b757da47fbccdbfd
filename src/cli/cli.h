/* cli.h - the subcommands of the `heed` program and what they share. */
#ifndef HEED_CLI_H
#define HEED_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

/* Exit codes of every subcommand (documented in `heed --help` and README). */
enum {
    HEED_EXIT_OK = 0,       /* every record analysed */
    HEED_EXIT_REJECTED = 1, /* some records rejected (the rest analysed) */
    HEED_EXIT_USAGE = 2,    /* bad options, unreadable input, write error */
    HEED_EXIT_INTERNAL = 3  /* out of memory or another internal failure */
};

int heed_cmd_analyze(int argc, char **argv);
int heed_cmd_train(int argc, char **argv);
int heed_cmd_eval(int argc, char **argv);
int heed_cmd_check_reply(int argc, char **argv);
int heed_cmd_generate(int argc, char **argv);
int heed_cmd_import(int argc, char **argv);

/* The store at db (NULL: heed.db), which must exist: NULL after saying why
 * on stderr as `heed CMD: ...` (storecli.c). */
struct heed_store *heed_cli_open_store(const char *cmd, const char *db);
/* Writes t as "2026-09-30T18:00:00Z" (UTC), or "-" when t is 0. */
void heed_cli_utc(char *buf, size_t cap, int64_t t);
/* t (Unix seconds) as UTC: "2026-09-30" (HEED_CLI_DATE), "2026-09-30 18:00"
 * (HEED_CLI_MINUTE) or "2026-09-30T18:00:00Z" (HEED_CLI_ISO). */
enum { HEED_CLI_DATE, HEED_CLI_MINUTE, HEED_CLI_ISO };
void heed_cli_gmt(char *buf, size_t cap, int64_t t, int form);
/* Says `heed CMD: <message>` and where to get help; returns HEED_EXIT_USAGE. */
int heed_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "now" from an option value: NULL -> the clock; "data" -> the latest stored
 * record; else a time (ISO 8601 or Unix seconds). 0, or -1 (reported). */
int heed_cli_now(struct heed_store *st, const char *cmd, const char *v, int64_t *now);
/* Re-links parties into persons and reports on stderr as `heed CMD: ...`
 * (quiet: errors only): every party (full, heed_relink_store) or the ones an
 * import can have moved (heed_relink_incremental; $HEED_RELINK_MAX overrides
 * its limit, for tests and benchmarks). Returns a HEED_EXIT_*. */
int heed_relink(struct heed_store *st, const char *cmd, int quiet, int full);
int heed_cmd_queue(int argc, char **argv);
int heed_cmd_journey(int argc, char **argv);
int heed_cmd_customer(int argc, char **argv);
int heed_cmd_agents(int argc, char **argv);
int heed_cmd_agent(int argc, char **argv);
int heed_cmd_trends(int argc, char **argv);
int heed_cmd_reanalyze(int argc, char **argv);
int heed_cmd_serve(int argc, char **argv);
int heed_cmd_key(int argc, char **argv);
int heed_cmd_webhook(int argc, char **argv);

/* `heed train TASK` and `heed eval TASK`, one pair per task, each in its own
 * file (train_<task>.c / eval in the same file). argv[0] is the task name. */
/* The engine the trainers featurize with: tokens, valence and the language
 * stage (a text that is not English has no valence evidence, as when the
 * engine analyses it), and no model, so a stale built-in model never stops a
 * retrain. */
#define HEED_TRAIN_ENGINE                                                                  \
    ((heed_engine_opts){.skip = HEED_STAGE_ALL & ~HEED_STAGE_LANGUAGE})

/* Reads all of the file at path, at most max bytes (0: no limit), into
 * malloc'd memory (free()) with *len its size; NUL-terminated, and an empty
 * file gives a valid empty buffer. NULL with errno set when the file cannot be
 * opened (fopen's errno), cannot be read (EIO), is over max (EFBIG), or memory
 * runs out (ENOMEM). */
char *heed_cli_read_file(const char *path, size_t max, size_t *len);

int heed_train_emotions(int argc, char **argv);
int heed_eval_emotions(int argc, char **argv);
int heed_train_needs(int argc, char **argv);
int heed_eval_needs(int argc, char **argv);
int heed_train_intents(int argc, char **argv);
int heed_eval_intents(int argc, char **argv);
int heed_train_intensity(int argc, char **argv);
int heed_eval_intensity(int argc, char **argv);
int heed_train_empathy(int argc, char **argv);
int heed_eval_empathy(int argc, char **argv);
int heed_train_compassion(int argc, char **argv);
int heed_eval_compassion(int argc, char **argv);

#endif
