/* compassion.c - the compassion stage (compassion.h). Placeholder: reports the
 * stage as not available. */
#include "compassion.h"

#include <stddef.h>

int heed__compassion_new(heed_compassion_index **out)
{
    *out = NULL;
    return HEED_OK;
}

void heed__compassion_free(heed_compassion_index *x)
{
    (void)x;
}

int heed__compassion(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                     const heed_result *ctx)
{
    (void)x;
    (void)a;
    (void)r;
    (void)ctx;
    return HEED_OK;
}

int heed__promises(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                   const heed_analyze_opts *opts)
{
    (void)x;
    (void)a;
    (void)r;
    (void)opts;
    return HEED_OK;
}
