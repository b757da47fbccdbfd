/* train_needs.c - `heed train needs` and `heed eval needs` (placeholder until the
 * needs model lands: both say so and exit 2). */
#include <stdio.h>

#include "cli.h"

int heed_train_needs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("heed train needs: not available in this build\n", stderr);
    return HEED_EXIT_USAGE;
}

int heed_eval_needs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("heed eval needs: not available in this build\n", stderr);
    return HEED_EXIT_USAGE;
}
