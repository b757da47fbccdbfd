/* json_libs.c - measures the three JSON libraries Debian ships (cJSON, jansson,
 * json-c) on heed's real job: parse one JSON-lines message record per line and
 * pull out its "text" string. Used once to choose the library src/io links.
 *
 * Built once per library with -DBENCH_LIB=1 (cJSON), 2 (jansson), 3 (json-c) or
 * 0 (no parser: only line splitting, the floor every library sits on), because
 * jansson and json-c export clashing symbols (json_object_get, ...) and cannot
 * share one binary. bench/json_libs.sh does the builds.
 *
 *   json_libs gen FILE MB     write ~MB megabytes of deterministic records
 *   json_libs FILE [N]        parse FILE, best of N runs (default 3)
 *
 * Prints one line: library, MB/s, records/s, checksum, peak RSS (of this
 * process, so of this library alone). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#ifndef BENCH_LIB
#define BENCH_LIB 0
#endif
#if BENCH_LIB == 1
#include <cJSON.h>
#define LIB_NAME "cjson"
#elif BENCH_LIB == 2
#include <jansson.h>
#define LIB_NAME "jansson"
#elif BENCH_LIB == 3
#include <json.h>
#define LIB_NAME "json-c"
#else
#define LIB_NAME "none"
#endif

/* ------------------------------------------------------------ generator */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rng(void)
{
    /* xorshift64*: deterministic across machines and libcs. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static const char *const words[] = {
    "my", "order", "has", "not", "arrived", "yet", "and", "it", "is", "been",
    "two", "weeks", "please", "help", "thanks", "the", "package", "was",
    "damaged", "I", "want", "a", "refund", "your", "service", "is", "great",
    "terrible", "never", "again", "can", "you", "check", "status", "of",
    "ticket", "#48213", "ORD-88123", "\\u20ac49.99", "today", "tomorrow",
    "caf\xc3\xa9", "na\xc3\xafve", "\xe2\x80\x9cquoted\xe2\x80\x9d", "\xf0\x9f\x98\xa1",
    "\xf0\x9f\x91\x8d", ":-(", "<3", "sooooo", "ANGRY", "don't", "won't",
    "\\\"really\\\"", "line\\nbreak", "https://example.com/track?id=1",
    "jane@example.com", "10:30", "2024-03-01", "!!!", "?!", "kindly",
    "disappointed", "happy", "waiting", "support", "agent", "manager",
};

static const char *const roles[] = {"customer", "agent"};
static const char *const channels[] = {"email", "chat", "phone", "twitter"};

static int gen(const char *path, long mb)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 1;
    }
    const size_t n_words = sizeof words / sizeof words[0];
    const uint64_t target = (uint64_t)mb << 20;
    uint64_t written = 0;
    for (unsigned long i = 1; written < target; i++) {
        char text[4096];
        size_t t = 0;
        /* Message lengths skewed short, with a tail up to ~120 words. */
        unsigned n = 3 + rng() % 20;
        if (rng() % 8 == 0)
            n += rng() % 100;
        for (unsigned w = 0; w < n && t + 64 < sizeof text; w++) {
            const char *s = words[rng() % n_words];
            int k = snprintf(text + t, sizeof text - t, "%s%s", w ? " " : "", s);
            if (k > 0)
                t += (size_t)k;
        }
        int k = fprintf(f,
                        "{\"id\":\"m%lu\",\"text\":\"%.*s\",\"role\":\"%s\","
                        "\"conversation\":\"c%lu\",\"time\":\"2024-03-%02uT%02u:%02u:%02uZ\","
                        "\"channel\":\"%s\",\"meta\":{\"a\":%u,\"tags\":[\"x\",\"y\"]}}\n",
                        i, (int)t, text, roles[rng() % 2], i / 7 + 1, 1 + rng() % 28,
                        rng() % 24, rng() % 60, rng() % 60, channels[rng() % 4], rng() % 1000);
        if (k < 0)
            break;
        written += (uint64_t)k;
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "%s: write failed\n", path);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ parsers */

/* Each returns the length of the "text" string, or (size_t)-1 on failure; the
 * lengths are summed into a checksum so no parse can be optimised away and all
 * three libraries are seen to agree. */

#if BENCH_LIB == 1
static size_t parse_text(const char *line, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(line, len);
    if (!root)
        return (size_t)-1;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "text");
    size_t n = cJSON_IsString(t) ? strlen(t->valuestring) : (size_t)-1;
    cJSON_Delete(root);
    return n;
}

#elif BENCH_LIB == 2
static size_t parse_text(const char *line, size_t len)
{
    json_error_t e;
    json_t *root = json_loadb(line, len, JSON_ALLOW_NUL, &e);
    if (!root)
        return (size_t)-1;
    const json_t *t = json_object_get(root, "text");
    size_t n = json_is_string(t) ? json_string_length(t) : (size_t)-1;
    json_decref(root);
    return n;
}

#elif BENCH_LIB == 3
static struct json_tokener *jsonc_tok;

static size_t parse_text(const char *line, size_t len)
{
    json_tokener_reset(jsonc_tok);
    struct json_object *root = json_tokener_parse_ex(jsonc_tok, line, (int)len);
    if (!root)
        return (size_t)-1;
    struct json_object *t;
    size_t n = (size_t)-1;
    if (json_object_object_get_ex(root, "text", &t) && json_object_is_type(t, json_type_string))
        n = (size_t)json_object_get_string_len(t);
    json_object_put(root);
    return n;
}

#else
static size_t parse_text(const char *line, size_t len)
{
    (void)line;
    return len;
}
#endif

/* ------------------------------------------------------------ driver */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], strtol(argv[3], NULL, 10));
    if (argc < 2) {
        fprintf(stderr, "usage: %s gen FILE MB | %s FILE [RUNS]\n", argv[0], argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1)
        runs = 1;
#if BENCH_LIB == 3
    jsonc_tok = json_tokener_new();
    if (!jsonc_tok)
        return 1;
#endif

    /* Streaming like the reader: one line at a time, never the whole file. */
    double best = 1e30;
    unsigned long long bytes = 0, records = 0, checksum = 0, failures = 0;
    char *line = NULL;
    size_t cap = 0;
    for (int r = 0; r < runs; r++) {
        FILE *f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "%s: %s\n", path, strerror(errno));
            return 1;
        }
        bytes = records = checksum = failures = 0;
        double t0 = now();
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
            bytes += (unsigned long long)n;
            size_t len = (size_t)n;
            if (line[len - 1] == '\n')
                len--;
            size_t k = parse_text(line, len);
            if (k == (size_t)-1)
                failures++;
            else
                checksum += k;
            records++;
        }
        double dt = now() - t0;
        fclose(f);
        if (dt < best)
            best = dt;
    }
    free(line);
#if BENCH_LIB == 3
    json_tokener_free(jsonc_tok);
#endif
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%-8s %8.1f MB/s %10.0f records/s  %llu records  checksum %llu  failures %llu"
           "  peak RSS %ld KiB\n",
           LIB_NAME, (double)bytes / 1e6 / best, (double)records / best, records, checksum,
           failures, ru.ru_maxrss);
    return failures ? 1 : 0;
}
