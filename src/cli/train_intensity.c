/* train_intensity.c - `heed train intensity` and `heed eval intensity` (placeholder until the
 * intensity model lands: both say so and exit 2). */
#include <stdio.h>

#include "cli.h"

int heed_train_intensity(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("heed train intensity: not available in this build\n", stderr);
    return HEED_EXIT_USAGE;
}

int heed_eval_intensity(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("heed eval intensity: not available in this build\n", stderr);
    return HEED_EXIT_USAGE;
}
