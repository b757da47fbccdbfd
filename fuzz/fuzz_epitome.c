/* fuzz_epitome.c - fuzz target for the EPITOME loader (src/io/datasets.c):
 * the first byte picks the mechanism, the rest is the file. Any bytes either
 * load rows with a level of 0..2 and non-empty ids and responses, with every
 * bad row reported exactly once, or fail with a message; never a crash, an
 * over-read or a leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets.h"

static void count(void *ctx, const char *msg)
{
    if (!msg[0])
        abort();
    ++*(size_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mech = data[0] % HEED_EMPATHY_COUNT;
    static char empty[1];
    FILE *f = size > 1 ? fmemopen((void *)(data + 1), size - 1, "rb") : fmemopen(empty, 0, "rb");
    if (!f)
        return 0;
    heed_epitome ep = {0};
    size_t reported = 0;
    heed_error err = {0};
    int rc = heed_epitome_load(&ep, mech, f, "fuzz.csv", count, &reported, &err);
    fclose(f);
    if (rc != HEED_OK && !err.msg[0])
        abort();
    if (reported != ep.n_bad)
        abort();
    for (size_t i = 0; i < ep.n; i++) {
        const heed_ep_row *r = &ep.rows[i];
        if (r->level > 2 || r->mech != mech || !r->sp_len || !r->reply_len ||
            heed_epitome_str(&ep, r->reply_off)[r->reply_len] != '\0' ||
            r->is_dev != heed_epitome_is_dev(heed_epitome_str(&ep, r->sp_off), r->sp_len))
            abort();
    }
    heed_epitome_release(&ep);
    return 0;
}
