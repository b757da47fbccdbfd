/* fuzz_lexicon.c - fuzz target for the lexicon (model file) parser: any bytes
 * either build an engine that then analyses text, or fail with HEED_EMODEL /
 * HEED_ENOMEM and a message; never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heed/heed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    heed_engine_opts o = {.lexicon = (const char *)data, .lexicon_len = size};
    if (size == 0)
        o.lexicon = "";
    heed_engine *eng = NULL;
    heed_error err = {0};
    int rc = heed_engine_new(&o, &eng, &err);
    if (rc != HEED_OK) {
        if (eng || (rc != HEED_EMODEL && rc != HEED_ENOMEM) || err.msg[0] == '\0')
            abort();
        return 0;
    }
    heed_analysis *an = NULL;
    const char *text = "not very good but GREAT :) no help at all";
    if (heed_analyze(eng, text, strlen(text), NULL, &an, &err) != HEED_OK)
        abort();
    double v = heed_analysis_result(an)->valence;
    if (!(v >= -1.0 && v <= 1.0))
        abort();
    heed_analysis_free(an);
    heed_engine_free(eng);
    return 0;
}
