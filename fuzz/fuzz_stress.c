/* fuzz_stress.c - libFuzzer target for the stress stage through heed_analyze:
 * any bytes (invalid UTF-8 repaired) must give a stress result that keeps its
 * documented invariants: there exactly when the text is scored (English),
 * score and components in 0..100, cues in text order inside the text, known
 * components, suppressed cues worth nothing, and the weights of a fully listed
 * component summing to it. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heed/heed.h"
#include "heed_limits.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond))                                                                           \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > ((size_t)1 << 20))
        return 0;
    static heed_engine *eng; /* built once: the fuzzer calls this many times */
    if (!eng && heed_engine_new(NULL, &eng, NULL) != HEED_OK)
        abort();
    heed_analyze_opts o = {.flags = HEED_ANALYZE_REPLACE_INVALID};
    heed_analysis *an = NULL;
    int rc = heed_analyze(eng, (const char *)data, size, &o, &an, NULL);
    if (rc == HEED_ETOOBIG)
        return 0;
    CHECK(rc == HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    const heed_stress *st = &r->stress;
    /* the stage runs on every text read as English, and on no other
     * (docs/language.md: another language's text is unscored) */
    CHECK(st->available == (r->language.scored != 0));
    CHECK(st->score >= 0.0 && st->score <= 100.0);
    CHECK((st->n_cues == 0) == (st->cues == NULL));
    double sum[HEED_STRESS_COUNT] = {0};
    size_t listed[HEED_STRESS_COUNT] = {0};
    int any = 0;
    for (int k = 0; k < HEED_STRESS_COUNT; k++) {
        CHECK(st->component[k] >= 0.0 && st->component[k] <= 100.0);
        any |= st->component[k] > 0.0;
    }
    CHECK(any || st->score == 0.0);
    for (size_t i = 0; i < st->n_cues; i++) {
        const heed_cue *c = &st->cues[i];
        CHECK(c->component < HEED_STRESS_COUNT);
        CHECK(c->what != NULL && c->what[0]);
        CHECK(c->len > 0 && (size_t)c->start + c->len <= r->text_len);
        CHECK(i == 0 || c->start >= st->cues[i - 1].start);
        CHECK(c->weight >= 0.0f);
        if (c->flags & HEED_CUE_SUPPRESSED)
            CHECK(c->weight == 0.0f);
        sum[c->component] += c->weight;
        listed[c->component]++;
    }
    for (int k = 0; k < HEED_STRESS_COUNT; k++) {
        CHECK(listed[k] <= HEED_MAX_STRESS_CUES);
        if (listed[k] < HEED_MAX_STRESS_CUES)
            CHECK(fabs(sum[k] - st->component[k]) < 0.01);
    }
    heed_analysis_free(an);
    return 0;
}
