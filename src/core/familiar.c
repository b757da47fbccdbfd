/* familiar.c - the familiar-language and addressed stages (familiar.h).
 * Placeholder: reports the stages as not available. */
#include "familiar.h"

#include <stddef.h>

int heed__familiar_new(heed_familiar_index **out)
{
    *out = NULL;
    return HEED_OK;
}

void heed__familiar_free(heed_familiar_index *x)
{
    (void)x;
}

int heed__familiar(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                   const heed_result *ctx)
{
    (void)x;
    (void)a;
    (void)r;
    (void)ctx;
    return HEED_OK;
}

int heed__addressed(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                    const heed_result *ctx)
{
    (void)x;
    (void)a;
    (void)r;
    (void)ctx;
    return HEED_OK;
}
