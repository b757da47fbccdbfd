/* emotions_speed.c - prediction speed of the emotion stage: times heed_analyze
 * over every line of a text file (one message per line, text before the first
 * TAB), on one thread, with the emotion model and without it, and prints MB/s
 * of each and of the emotion stage alone. Time is the thread's CPU time, so
 * that other jobs on a shared machine do not count (their cache pressure
 * still does). Built and run by
 * bench/emotions_fasttext.sh. Usage: emotions_speed FILE MODEL [REPEATS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heed/heed.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0, got;
    char *p = malloc(cap);
    while (p && (got = fread(p + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            p = realloc(p, cap *= 2);
    }
    fclose(f);
    *len = n;
    return p;
}

/* Seconds for `reps` passes of heed_analyze over the lines; bytes analysed. */
static double run(heed_engine *eng, const char *buf, size_t len, int reps, size_t *bytes,
                  size_t *msgs, double *sink)
{
    double t0 = now();
    *bytes = 0;
    *msgs = 0;
    for (int r = 0; r < reps; r++) {
        for (size_t p = 0; p < len;) {
            const char *s = buf + p;
            const char *nl = memchr(s, '\n', len - p);
            size_t l = nl ? (size_t)(nl - s) : len - p;
            p += l + 1;
            const char *tab = memchr(s, '\t', l);
            size_t tl = tab ? (size_t)(tab - s) : l;
            heed_analysis *an;
            if (heed_analyze(eng, s, tl, NULL, &an, NULL) != HEED_OK)
                continue;
            *sink += heed_analysis_result(an)->emotions.prob[0];
            heed_analysis_free(an);
            *bytes += tl;
            (*msgs)++;
        }
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FILE MODEL [REPEATS]\n", argv[0]);
        return 2;
    }
    int reps = argc > 3 ? atoi(argv[3]) : 5;
    size_t len, mlen;
    char *buf = slurp(argv[1], &len), *model = slurp(argv[2], &mlen);
    if (!buf || !model) {
        fprintf(stderr, "cannot read %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    heed_engine_opts with = {.emotions_model = model, .emotions_model_len = mlen};
    heed_engine_opts without = {.flags = HEED_ENGINE_NO_EMOTIONS};
    heed_engine *a, *b;
    heed_error err;
    if (heed_engine_new(&with, &a, &err) || heed_engine_new(&without, &b, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double sink = 0;
    size_t bytes, msgs;
    run(a, buf, len, 1, &bytes, &msgs, &sink); /* warm up */
    double tb = 1e30, ta = 1e30;
    for (int i = 0; i < 3; i++) { /* best of 3 of each, interleaved */
        double x = run(b, buf, len, reps, &bytes, &msgs, &sink);
        double y = run(a, buf, len, reps, &bytes, &msgs, &sink);
        tb = x < tb ? x : tb;
        ta = y < ta ? y : ta;
    }
    double mb = (double)bytes / 1e6;
    printf("analyze without emotions: %.1f MB/s\n", mb / tb);
    printf("analyze with emotions:    %.1f MB/s\n", mb / ta);
    printf("emotion stage alone:      %.1f MB/s (%.2f us per message, %zu messages of %.0f "
           "bytes on average)\n",
           mb / (ta - tb), (ta - tb) * 1e6 / (double)msgs, msgs / (size_t)reps,
           (double)bytes / (double)msgs);
    fprintf(stderr, "(checksum %g)\n", sink);
    heed_engine_free(a);
    heed_engine_free(b);
    free(buf);
    free(model);
    return 0;
}
