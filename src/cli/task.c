/* task.c - `heed train TASK ...` and `heed eval TASK ...`: dispatch to the
 * per-task commands (train_<task>.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct task {
    const char *name;
    int (*train)(int, char **);
    int (*eval)(int, char **);
    const char *what;
} task;

static const task TASKS[] = {
    {"emotions", heed_train_emotions, heed_eval_emotions,
     "28 GoEmotions labels and the CX groups (data: goemotions/*.tsv)"},
    {"needs", heed_train_needs, heed_eval_needs,
     "customer needs and BANKING77 intents (data: banking77, bitext_cs)"},
    {"intents", heed_train_intents, heed_eval_intents,
     "77 BANKING77 intents, to compare learners (data: banking77)"},
    {"intensity", heed_train_intensity, heed_eval_intensity,
     "valence/arousal (EmoBank) and distress (Empathic Reactions)"},
    {"empathy", heed_train_empathy, heed_eval_empathy,
     "reply empathy: 3 mechanisms, none/weak/strong (data: epitome/*.csv)"},
    {"compassion", heed_train_compassion, heed_eval_compassion,
     "compassion signals and promises in replies (data: data/replies; eval only)"},
};

static int dispatch(const char *verb, int argc, char **argv)
{
    const size_t n = sizeof TASKS / sizeof TASKS[0];
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "Usage: heed %s TASK [OPTIONS]   (heed %s TASK --help for details)\n\nTasks:\n",
                verb, verb);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "  %-10s %s\n", TASKS[i].name, TASKS[i].what);
        return argc < 2 ? HEED_EXIT_USAGE : HEED_EXIT_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (!strcmp(argv[1], TASKS[i].name))
            return (verb[0] == 't' ? TASKS[i].train : TASKS[i].eval)(argc - 1, argv + 1);
    fprintf(stderr, "heed %s: unknown task '%s' (try 'heed %s --help')\n", verb, argv[1], verb);
    return HEED_EXIT_USAGE;
}

int heed_cmd_train(int argc, char **argv)
{
    return dispatch("train", argc, argv);
}

int heed_cmd_eval(int argc, char **argv)
{
    return dispatch("eval", argc, argv);
}
