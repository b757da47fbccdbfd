/* fuzz_intensity.c - fuzz target for the intensity model loader (HEEDINT1
 * container of three HEEDLM regressors): any bytes either load a model whose
 * predictions stay on their scales, or fail with HEED_EMODEL / HEED_ENOMEM and
 * a message; never a crash, an over-read or a leak. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "intensity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    heed_intensity_model *m = NULL;
    heed_error err = {0};
    int rc = heed__intensity_load(size ? (const void *)data : "", size, 0, &m, &err);
    if (rc != HEED_OK) {
        if (m || (rc != HEED_EMODEL && rc != HEED_ENOMEM) || err.msg[0] == '\0' ||
            err.pos > size)
            abort();
        return 0;
    }
    const uint32_t idx[4] = {0, 1, 0xffffffffu, 12345};
    const float val[4] = {1, 0.5f, 2, -1};
    float out[HEED_INT_COUNT];
    heed__intensity_predict_x(m, (heed_sparse){idx, val, 4}, out);
    for (int k = 0; k < HEED_INT_COUNT; k++) {
        float lo, hi;
        heed__intensity_range(k, &lo, &hi);
        if (!(out[k] >= lo && out[k] <= hi))
            abort();
    }
    heed__intensity_free(m);
    return 0;
}
