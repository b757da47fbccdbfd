/* empathy.c - the empathy stage (empathy.h). Placeholder until the trained
 * model lands: reports the stage as not available. */
#include "empathy.h"

#include <stddef.h>

int heed__empathy_new(const void *bytes, size_t len, heed_empathy_model **out, heed_error *err)
{
    (void)bytes;
    (void)len;
    (void)err;
    *out = NULL;
    return HEED_OK;
}

void heed__empathy_free(heed_empathy_model *m)
{
    (void)m;
}

int heed__empathy(const heed_empathy_model *m, heed_arena *a, heed_result *r,
                  const heed_result *ctx)
{
    (void)m;
    (void)a;
    (void)r;
    (void)ctx;
    return HEED_OK;
}
