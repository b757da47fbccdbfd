/* langid_speed.c - the cost of language detection inside heed_analyze: times
 * heed_analyze over a file of texts (one per line), then the language detector
 * alone (heed__langid_detect) over the same analyses' tokens, best of RUNS
 * runs each. Built and run by bench/langid_speed.sh against a build tree's
 * static library (the detector is internal, so it links libheed.a).
 *
 *   langid_speed FILE PASSES RUNS
 *
 * Prints texts, bytes, both times and the detector's share of analyze. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heed/heed.h"
#include "langid.h"

#define MAX_TEXTS 100000

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: langid_speed FILE PASSES RUNS\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static char *texts[MAX_TEXTS];
    static size_t lens[MAX_TEXTS];
    static heed_analysis *an[MAX_TEXTS];
    size_t n = 0, cap = 0, bytes = 0;
    char *line = NULL;
    ssize_t got;
    while (n < MAX_TEXTS && (got = getline(&line, &cap, f)) >= 0) {
        if (got && line[got - 1] == '\n')
            line[--got] = 0;
        texts[n] = strdup(line);
        lens[n++] = (size_t)got;
        bytes += (size_t)got;
    }
    free(line);
    fclose(f);
    int passes = atoi(argv[2]), runs = atoi(argv[3]);
    heed_engine *eng;
    heed_langid *lid;
    if (heed_engine_new(NULL, &eng, NULL) || heed__langid_new(&lid))
        return 1;
    double best_an = 1e9, best_id = 1e9, sink = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (int p = 0; p < passes; p++)
            for (size_t i = 0; i < n; i++) {
                heed_analysis *a;
                if (heed_analyze(eng, texts[i], lens[i], NULL, &a, NULL))
                    return 1;
                sink += heed_analysis_result(a)->valence;
                heed_analysis_free(a);
            }
        double t1 = now();
        if (t1 - t0 < best_an)
            best_an = t1 - t0;
    }
    for (size_t i = 0; i < n; i++)
        if (heed_analyze(eng, texts[i], lens[i], NULL, &an[i], NULL))
            return 1;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (int p = 0; p < passes; p++)
            for (size_t i = 0; i < n; i++) {
                const heed_result *res = heed_analysis_result(an[i]);
                heed_language l;
                heed__langid_detect(lid, res->text, res->tokens, res->n_tokens, &l);
                sink += l.confidence;
            }
        double t1 = now();
        if (t1 - t0 < best_id)
            best_id = t1 - t0;
    }
    printf("texts %zu x %d passes, %.1f MB: heed_analyze %.3f s (%.1f MB/s), language "
           "detection %.3f s = %.1f%% of analyze (best of %d; checksum %.0f)\n",
           n, passes, (double)bytes * passes / 1e6, best_an,
           (double)bytes * passes / 1e6 / best_an, best_id, 100.0 * best_id / best_an, runs,
           sink);
    for (size_t i = 0; i < n; i++) {
        heed_analysis_free(an[i]);
        free(texts[i]);
    }
    heed__langid_free(lid);
    heed_engine_free(eng);
    return 0;
}
