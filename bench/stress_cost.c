/* stress_cost.c - what the stress stage costs inside heed_analyze, and how the
 * messages of a JSON-lines file spread over the stress bands.
 *
 *   stress_cost TEXTS ROUNDS
 *
 * TEXTS holds one message text per record as a 4-byte little-endian length and
 * the bytes (bench/stress_cost.sh makes it from samples/messages.jsonl). Each
 * round analyses every text with heed_analyze (which runs the stress stage) and
 * then runs the stress stage once more on the same result with a scratch
 * arena, timing both; the best of 5 runs of ROUNDS rounds is printed. The
 * stress time is taken on warm data, so it is a floor: the stage also costs
 * some cache misses to the stages after it. Uses the library's internal
 * header stress.h, so it is built against the static library. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "heed/heed.h"
#include "stress.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: stress_cost TEXTS ROUNDS\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        return 3;
    size_t m = 0, bytes = 0, pos = 0, tcap = 1024;
    const char **txt = malloc(tcap * sizeof *txt);
    uint32_t *len = malloc(tcap * sizeof *len);
    while (txt && len && pos + 4 <= n) {
        uint32_t l;
        memcpy(&l, buf + pos, 4);
        pos += 4;
        if (l > n - pos)
            break;
        if (m == tcap) {
            tcap *= 2;
            txt = realloc(txt, tcap * sizeof *txt);
            len = realloc(len, tcap * sizeof *len);
            if (!txt || !len)
                return 3;
        }
        txt[m] = buf + pos;
        len[m++] = l;
        pos += l;
        bytes += l;
    }
    int rounds = atoi(argv[2]);
    heed_engine *eng;
    heed_stress_index *ix;
    if (heed_engine_new(NULL, &eng, NULL) || heed__stress_index_new(&ix))
        return 3;
    double best_all = 1e30, best_stress = 1e30;
    size_t band[4] = {0};
    for (int run = 0; run < 5; run++) {
        double t_all = 0, t_stress = 0;
        for (int r = 0; r < rounds; r++) {
            for (size_t i = 0; i < m; i++) {
                heed_analysis *an;
                double t0 = now();
                if (heed_analyze(eng, txt[i], len[i], NULL, &an, NULL))
                    return 4;
                double t1 = now();
                heed_result copy = *heed_analysis_result(an);
                heed_arena a = {0};
                if (heed__stress(&a, ix, &copy))
                    return 4;
                double t2 = now();
                t_all += t1 - t0;
                t_stress += t2 - t1;
                if (run == 0 && r == 0) {
                    double s = heed_analysis_result(an)->stress.score + 0.5;
                    band[s >= 70 ? 3 : s >= 50 ? 2 : s >= 30 ? 1 : 0]++;
                }
                heed__arena_release(&a);
                heed_analysis_free(an);
            }
        }
        if (t_all < best_all)
            best_all = t_all;
        if (t_stress < best_stress)
            best_stress = t_stress;
    }
    double per = 1e6 / ((double)rounds * (double)m);
    printf("%zu texts, %zu bytes, %d rounds, best of 5\n", m, bytes, rounds);
    printf("heed_analyze (with stress): %.2f us/msg, %.1f MB/s\n", best_all * per,
           (double)bytes * rounds / best_all / 1e6);
    printf("stress stage alone:         %.2f us/msg = %.1f%% of the rest of heed_analyze\n",
           best_stress * per, 100.0 * best_stress / (best_all - best_stress));
    printf(
        "bands: calm %zu (%.1f%%), watch %zu (%.1f%%), high %zu (%.1f%%), act_now %zu (%.1f%%)\n",
        band[0], 100.0 * band[0] / m, band[1], 100.0 * band[1] / m, band[2], 100.0 * band[2] / m,
        band[3], 100.0 * band[3] / m);
    heed__stress_index_free(ix);
    heed_engine_free(eng);
    free(txt);
    free(len);
    free(buf);
    return 0;
}
