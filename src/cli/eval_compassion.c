/* eval_compassion.c - `heed eval compassion`: precision, recall and F1 of the
 * compassion signals and of the promises (kind; kind and time expression) on
 * heed's own labelled replies (data/replies, format in docs/compassion.md),
 * dev and test printed apart. There is nothing to train: the stage is rules. */
#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "heed/heed.h"

static const char *const SIGNAL_NAMES[HEED_COMP_COUNT] = {
#define HEED_X_(name, num, str) str,
    HEED_COMPASSION_MAP(HEED_X_)
#undef HEED_X_
};

static const char *const KIND_NAMES[HEED_PROMISE_COUNT] = {
#define HEED_X_(name, num, str) str,
    HEED_PROMISE_MAP(HEED_X_)
#undef HEED_X_
};

/* Every reply is read as written at this instant (UTC), so that the time
 * expressions resolve the same way on every run. */
#define EVAL_TIME 1788254240 /* 2026-09-01T09:17:20Z, a Tuesday */

typedef struct counts {
    long tp, fp, fn;
} counts;

typedef struct tally {
    counts sig[HEED_COMP_COUNT];
    counts kind, kind_due;
    long n;
} tally;

#define MAX_PROMISES 16

typedef struct key {
    int kind;
    char due[64]; /* normalised time expression, "" for none */
} key;

/* Lower case, one space between words, and a leading by/on/at/the dropped
 * ("by end of the day" and "end of the day" are the same promise). */
static void norm_due(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < cap)
            out[o++] = ' ';
        space = 0;
        out[o++] = (char)tolower(c);
    }
    out[o] = 0;
    static const char *const LEADS[] = {"by ", "on ", "at ", "the ", NULL};
    for (int again = 1; again;) {
        again = 0;
        for (int k = 0; LEADS[k]; k++) {
            size_t l = strlen(LEADS[k]);
            if (!strncmp(out, LEADS[k], l)) {
                memmove(out, out + l, strlen(out + l) + 1);
                again = 1;
            }
        }
    }
}

static void add(counts *c, long tp, long fp, long fn)
{
    c->tp += tp;
    c->fp += fp;
    c->fn += fn;
}

/* Multiset match of gold and predicted keys; by_due also compares the time. */
static void match_keys(const key *g, size_t ng, const key *p, size_t np, int by_due, counts *c)
{
    int used[MAX_PROMISES] = {0};
    long tp = 0;
    for (size_t i = 0; i < ng; i++)
        for (size_t j = 0; j < np; j++)
            if (!used[j] && g[i].kind == p[j].kind && (!by_due || !strcmp(g[i].due, p[j].due))) {
                used[j] = 1;
                tp++;
                break;
            }
    add(c, tp, (long)np - tp, (long)ng - tp);
}

static int kind_of(const char *s)
{
    for (int k = 0; k < HEED_PROMISE_COUNT; k++)
        if (!strcmp(s, KIND_NAMES[k]))
            return k;
    return -1;
}

/* One record: compare, add to t, print the differences when verbose. */
static int eval_record(const heed_engine *eng, const cJSON *rec, tally *t, int verbose,
                       const char *where)
{
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(rec, "text");
    const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(rec, "signals");
    const cJSON *proms = cJSON_GetObjectItemCaseSensitive(rec, "promises");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "id");
    if (!cJSON_IsString(text) || !cJSON_IsArray(sigs) || !cJSON_IsArray(proms)) {
        fprintf(stderr, "heed eval compassion: %s: need \"text\", \"signals\" and \"promises\"\n",
                where);
        return -1;
    }
    uint32_t gold = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, sigs)
    {
        int found = 0;
        for (int k = 0; k < HEED_COMP_COUNT && cJSON_IsString(it); k++)
            if (!strcmp(it->valuestring, SIGNAL_NAMES[k])) {
                gold |= 1u << k;
                found = 1;
            }
        if (!found) {
            fprintf(stderr, "heed eval compassion: %s: unknown signal\n", where);
            return -1;
        }
    }
    key g[MAX_PROMISES], p[MAX_PROMISES];
    size_t ng = 0, np = 0;
    cJSON_ArrayForEach(it, proms)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, "kind");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "due_text");
        int kind = cJSON_IsString(k) ? kind_of(k->valuestring) : -1;
        if (kind < 0 || ng >= MAX_PROMISES) {
            fprintf(stderr, "heed eval compassion: %s: bad promise\n", where);
            return -1;
        }
        g[ng].kind = kind;
        g[ng].due[0] = 0;
        if (cJSON_IsString(d))
            norm_due(d->valuestring, strlen(d->valuestring), g[ng].due, sizeof g[ng].due);
        ng++;
    }
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    o.has_time = 1;
    o.time = EVAL_TIME;
    heed_analysis *an;
    heed_error err;
    const char *s = text->valuestring;
    if (heed_analyze(eng, s, strlen(s), &o, &an, &err) != HEED_OK) {
        fprintf(stderr, "heed eval compassion: %s: %s\n", where, err.msg);
        return -1;
    }
    const heed_result *r = heed_analysis_result(an);
    uint32_t pred = r->compassion.signals;
    for (size_t i = 0; i < r->promises.n && np < MAX_PROMISES; i++) {
        const heed_promise *q = &r->promises.items[i];
        p[np].kind = q->kind;
        norm_due(r->text + q->due_start, q->due_len, p[np].due, sizeof p[np].due);
        np++;
    }
    for (int k = 0; k < HEED_COMP_COUNT; k++) {
        int a = gold >> k & 1u, b = pred >> k & 1u;
        add(&t->sig[k], a && b, !a && b, a && !b);
        if (verbose && a != b)
            printf("  %s %-18s %s: %s\n", a ? "missed" : "extra ", SIGNAL_NAMES[k],
                   cJSON_IsString(id) ? id->valuestring : where, s);
    }
    counts before = t->kind_due;
    match_keys(g, ng, p, np, 0, &t->kind);
    match_keys(g, ng, p, np, 1, &t->kind_due);
    if (verbose && (t->kind_due.fp != before.fp || t->kind_due.fn != before.fn)) {
        printf("  promise %s: gold", cJSON_IsString(id) ? id->valuestring : where);
        for (size_t i = 0; i < ng; i++)
            printf(" [%s|%s]", KIND_NAMES[g[i].kind], g[i].due);
        printf(" got");
        for (size_t i = 0; i < np; i++)
            printf(" [%s|%s]", KIND_NAMES[p[i].kind], p[i].due);
        printf("\n");
    }
    t->n++;
    heed_analysis_free(an);
    return 0;
}

static void row(const char *name, const counts *c)
{
    double p = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 0;
    double r = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 0;
    double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
    printf("  %-20s %6.3f %6.3f %6.3f %6ld %6ld\n", name, p, r, f, c->tp + c->fn, c->tp + c->fp);
}

static int eval_file(const heed_engine *eng, const char *dir, const char *split, int verbose)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.jsonl", dir, split);
    size_t len;
    char *buf = heed_cli_read_file(path, (size_t)64 << 20, &len);
    if (!buf) {
        fprintf(stderr, "heed eval compassion: %s: %s\n", path, strerror(errno));
        return HEED_EXIT_USAGE;
    }
    tally t;
    memset(&t, 0, sizeof t);
    long line = 0, n_bad = 0;
    for (char *s = buf, *e; *s; s = e + (*e != 0)) {
        e = strchr(s, '\n');
        if (!e)
            e = s + strlen(s);
        line++;
        if (e == s)
            continue;
        char where[4200];
        snprintf(where, sizeof where, "%s:%ld", path, line);
        /* a bad record is reported (eval_record names what is wrong),
         * counted and skipped; the rest are scored */
        cJSON *rec = cJSON_ParseWithLength(s, (size_t)(e - s));
        if (!rec) {
            fprintf(stderr, "heed eval compassion: %s: not a JSON object\n", where);
            n_bad++;
            continue;
        }
        n_bad += eval_record(eng, rec, &t, verbose, where) != 0;
        cJSON_Delete(rec);
    }
    free(buf);
    printf("%s: %ld replies (%s)\n", split, t.n, path);
    printf("  %-20s %6s %6s %6s %6s %6s\n", "signal", "P", "R", "F1", "gold", "pred");
    counts all = {0, 0, 0};
    for (int k = 0; k < HEED_COMP_COUNT; k++) {
        row(SIGNAL_NAMES[k], &t.sig[k]);
        add(&all, t.sig[k].tp, t.sig[k].fp, t.sig[k].fn);
    }
    row("all signals (micro)", &all);
    row("promise kind", &t.kind);
    row("promise kind + due", &t.kind_due);
    if (n_bad)
        printf("malformed records skipped: %ld\n", n_bad);
    printf("\n");
    return n_bad ? HEED_EXIT_REJECTED : HEED_EXIT_OK;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: heed eval compassion [--data DIR] [--split dev|test|both] [--errors]\n"
               "Precision, recall and F1 per compassion signal and for promises (kind; kind\n"
               "and time expression) on DIR/dev.jsonl and DIR/test.jsonl (default DIR:\n"
               "data/replies). --errors lists each difference. Format: docs/compassion.md.\n"
               "\n"
               "A record that is not valid is reported with its file and line, skipped and\n"
               "counted.\n"
               "Exit codes: 0 done, 1 done with malformed records skipped, 2 usage or I/O\n"
               "error, 3 internal error.\n");
}

int heed_eval_compassion(int argc, char **argv)
{
    const char *dir = "data/replies", *split = "both";
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strcmp(argv[i], "--split") && i + 1 < argc) {
            split = argv[++i];
        } else if (!strcmp(argv[i], "--errors")) {
            verbose = 1;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return HEED_EXIT_OK;
        } else {
            usage(stderr);
            return HEED_EXIT_USAGE;
        }
    }
    if (strcmp(split, "dev") && strcmp(split, "test") && strcmp(split, "both")) {
        usage(stderr);
        return HEED_EXIT_USAGE;
    }
    heed_engine *eng;
    heed_error err;
    heed_engine_opts eo = {0};
    eo.skip = HEED_STAGE_EMOTIONS | HEED_STAGE_NEEDS | HEED_STAGE_INTENSITY | HEED_STAGE_STRESS |
              HEED_STAGE_EMPATHY | HEED_STAGE_FAMILIAR | HEED_STAGE_ADDRESSED;
    if (heed_engine_new(&eo, &eng, &err) != HEED_OK) {
        fprintf(stderr, "heed eval compassion: %s\n", err.msg);
        return HEED_EXIT_INTERNAL;
    }
    int rc = HEED_EXIT_OK;
    if (strcmp(split, "test"))
        rc = eval_file(eng, dir, "dev", verbose);
    if (rc <= HEED_EXIT_REJECTED && strcmp(split, "dev")) {
        int r = eval_file(eng, dir, "test", verbose);
        rc = r > rc ? r : rc;
    }
    heed_engine_free(eng);
    return rc;
}

/* Nothing to train: the compassion stage is rules (docs/compassion.md). */
int heed_train_compassion(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "heed train compassion: nothing to train, the stage is rule-based; "
                    "see 'heed eval compassion'\n");
    return HEED_EXIT_USAGE;
}
