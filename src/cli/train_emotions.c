/* train_emotions.c - `heed train emotions` and `heed eval emotions` (placeholder until the
 * emotions model lands: both say so and exit 2). */
#include <stdio.h>

#include "cli.h"

int heed_train_emotions(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("heed train emotions: not available in this build\n", stderr);
    return HEED_EXIT_USAGE;
}

int heed_eval_emotions(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("heed eval emotions: not available in this build\n", stderr);
    return HEED_EXIT_USAGE;
}
