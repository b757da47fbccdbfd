/* fuzz_empathy.c - fuzz target for the empathy model loader (HEEDEMP1
 * container of three HEEDLM models, src/core/empathy.c): any bytes either load
 * a model that scores a reply into probabilities that sum to 1, or fail with
 * HEED_EMODEL / HEED_ENOMEM and a message; never a crash, an over-read or a
 * leak. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "empathy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    heed_empathy_model *m = NULL;
    heed_error err = {0};
    int rc = heed__empathy_new(size ? (const void *)data : "", size, 0, &m, &err);
    if (rc != HEED_OK) {
        if (m || (rc != HEED_EMODEL && rc != HEED_ENOMEM) || err.msg[0] == '\0' || err.pos > size)
            abort();
        return 0;
    }
    if (!m)
        return size == 0 ? 0 : (abort(), 0);
    /* a reply of no tokens: the models' priors, no spans */
    heed_result r = {0};
    r.text = "";
    heed_arena a;
    heed__arena_init(&a, 0);
    if (heed__empathy(m, &a, &r, NULL) != HEED_OK || !r.empathy.available || r.empathy.n_spans)
        abort();
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        float sum = 0;
        for (int l = 0; l < 3; l++)
            sum += r.empathy.prob[k][l];
        if (!(fabsf(sum - 1.0f) < 1e-3f))
            abort();
    }
    heed__arena_release(&a);
    heed__empathy_free(m);
    return 0;
}
