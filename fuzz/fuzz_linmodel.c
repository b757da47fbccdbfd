/* fuzz_linmodel.c - fuzz target for the HEEDLM model loader: any bytes either
 * load a model that predicts and saves back to the same bytes,
 * or fail with HEED_EMODEL / HEED_ENOMEM and a message; never a crash, an
 * over-read or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "linmodel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    heed_lm *m = NULL;
    heed_error err = {0};
    int rc = heed__lm_load(size ? (const void *)data : "", size, &m, &err);
    if (rc != HEED_OK) {
        if (m || (rc != HEED_EMODEL && rc != HEED_ENOMEM) || err.msg[0] == '\0' ||
            err.pos > size)
            abort();
        return 0;
    }
    uint32_t n = heed__lm_n_outputs(m);
    float *out = malloc(n * sizeof *out);
    const uint32_t idx[4] = {0, 1, 0xffffffffu, 12345};
    const float val[4] = {1, 0.5f, 2, -1};
    heed_sparse x = {idx, val, 4};
    if (!out)
        abort();
    heed__lm_predict(m, x, out); /* outputs may overflow on absurd weights */
    free(out);
    heed_buf b;
    heed__buf_init(&b, 0);
    if (heed__lm_save(m, &b) != HEED_OK || b.len != size || memcmp(b.ptr, data, size) != 0)
        abort();
    heed__buf_release(&b);
    heed__lm_free(m);
    return 0;
}
