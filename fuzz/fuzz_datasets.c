/* fuzz_datasets.c - fuzz target for the intent data loaders (src/io/datasets.c):
 * the first byte picks the format (BANKING77 CSV, Bitext CSV, heed's TSV), the
 * rest is the file. Any bytes either load rows that are valid UTF-8 with a
 * known need, with every bad row reported exactly once, or fail with a message;
 * never a crash, an over-read or a leak. */
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
    heed_ds_source src = (heed_ds_source)(data[0] % HEED_DS_SOURCE_COUNT);
    static char empty[1];
    FILE *f = size > 1 ? fmemopen((void *)(data + 1), size - 1, "rb") : fmemopen(empty, 0, "rb");
    if (!f)
        return 0;
    heed_dataset ds = {0};
    size_t reported = 0;
    heed_error err;
    int rc = heed_datasets_load(&ds, src, f, "fuzz", count, &reported, &err);
    fclose(f);
    if (rc != HEED_OK && (rc != HEED_EPARSE && rc != HEED_ENOMEM && rc != HEED_EIO))
        abort();
    if (rc != HEED_OK && !err.msg[0])
        abort();
    if (reported != ds.n_bad)
        abort();
    for (size_t i = 0; i < ds.n; i++) {
        const heed_ds_row *r = &ds.rows[i];
        const char *t = heed_datasets_text(&ds, i);
        if (!r->text_len || r->need < 0 || r->need >= HEED_NEED_COUNT ||
            heed_utf8_validate(t, r->text_len, NULL) != HEED_OK || t[r->text_len] != '\0')
            abort();
        if (src != HEED_DS_EXTRA &&
            (r->intent < 0 || (size_t)r->intent >= heed_datasets_n_intents(src)))
            abort();
    }
    heed_datasets_release(&ds);
    return 0;
}
