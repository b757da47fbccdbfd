/* train_intensity.c - `heed train intensity` (learns the valence and arousal
 * regressors from EmoBank and the distress regressor from Empathic Reactions,
 * writes one HEEDINT1 model file) and `heed eval intensity` (Pearson r of a
 * model on the dev parts, beside a lexicon-only baseline). docs/intensity.md. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "featurize.h"
#include "heed/heed.h"
#include "intensity.h"
#include "linmodel.h"
#include "model_data.h"
#include "reader.h"

static const char TRAIN_HELP[] =
    "Usage: heed train intensity --emobank FILE --empathic FILE -o MODEL [OPTIONS]\n"
    "\n"
    "Learns three linear regressors over heed's features: valence and arousal\n"
    "from EmoBank (CSV with columns id, split, V, A, text; rows with split\n"
    "'train' train, 'dev' rows are only reported) and distress from Empathic\n"
    "Reactions (CSV with message_id, response_id, distress, essay; a participant's\n"
    "essays go to dev when FNV-1a(response_id) %% 5 == 0, else to train).\n"
    "Writes one model file (HEEDINT1) and prints Pearson r on the dev parts.\n"
    "Deterministic given --seed.\n"
    "\n"
    "Options:\n"
    "  --emobank FILE    EmoBank emobank.csv\n"
    "  --empathic FILE   Empathic Reactions messages.csv\n"
    "  -o, --out MODEL   where to write the model\n"
    "  --epochs N        passes over the data (default 10)\n"
    "  --bits N          hash space 2^N (default 16)\n"
    "  --l2 X            L2 penalty (default 1e-5)\n"
    "  --lr X            AdaGrad step (default 0.1)\n"
    "  --chargrams       add character 3-5-grams to the features\n"
    "  --prune X         drop features whose |weight| is below X (default 0.03)\n"
    "  --q8              store int8 weights with a scale per feature (default float32;\n"
    "                    no smaller for one-output models)\n"
    "  --seed N          shuffling seed (default 1)\n"
    "\n"
    "Rows that cannot be read are reported on stderr, skipped and counted.\n"
    "Exit codes: 0 done, 1 done with malformed rows skipped, 2 usage or I/O\n"
    "error, 3 internal error.\n";

static const char EVAL_HELP[] =
    "Usage: heed eval intensity [--emobank FILE] [--empathic FILE] [--model MODEL]\n"
    "\n"
    "Pearson r between the model's predictions and the ratings on the dev parts\n"
    "(EmoBank split 'dev'; Empathic Reactions by the hash rule of 'heed train\n"
    "intensity --help'), beside a lexicon-only baseline: heed's valence for\n"
    "valence, the lexicon's emotional mass squash(sum |evidence score|) for\n"
    "arousal, heed's negative share for distress. Without --model, the model\n"
    "built into this heed.\n"
    "\n"
    "Rows that cannot be read are reported on stderr, skipped and counted.\n"
    "Exit codes: 0 done, 1 done with malformed rows skipped, 2 usage or I/O\n"
    "error, 3 internal error.\n";

/* One rated text, with its features and baseline scores. */
typedef struct {
    heed_sparse x;
    float y[2];    /* EmoBank: V, A; Empathic Reactions: distress */
    float base[3]; /* lexicon baselines: valence, mass, negative share */
    int dev;
} item;

typedef struct {
    item *v;
    size_t n, cap;
    size_t bad; /* records skipped */
} items;

/* Dev rule of Empathic Reactions: all essays of one participant on one side. */
static int empathic_dev(const char *id, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)id[i]) * 16777619u;
    return h % 5 == 0;
}

/* A kept CSV value arrives as a JSON string: strips the quotes. Values with
 * escapes are not expected in these columns and are refused. */
static int kept_value(heed_view v, char *out, size_t cap)
{
    if (!v.ptr || v.len < 2 || v.ptr[0] != '"' || v.ptr[v.len - 1] != '"' ||
        v.len - 2 >= cap || memchr(v.ptr, '\\', v.len))
        return -1;
    memcpy(out, v.ptr + 1, v.len - 2);
    out[v.len - 2] = 0;
    return 0;
}

static int parse_float(const char *s, float *out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(d))
        return -1;
    *out = (float)d;
    return 0;
}

static double squash(double s)
{
    return s / sqrt(s * s + 15.0);
}

/* Analyses text and appends an item with its features (in arena a). */
static int add_item(const heed_engine *eng, heed_arena *a, const heed_feat_opts *fo,
                    const char *text, size_t len, items *it, item proto)
{
    heed_analysis *an;
    heed_error err = {0};
    int rc = heed_analyze(eng, text, len, NULL, &an, &err);
    if (rc)
        return rc;
    const heed_result *r = heed_analysis_result(an);
    rc = heed__features(a, fo, r, &proto.x);
    double mass = 0;
    for (size_t i = 0; i < r->n_evidence; i++)
        mass += fabs(r->evidence[i].score);
    proto.base[0] = (float)r->valence;
    proto.base[1] = (float)squash(mass);
    proto.base[2] = (float)r->negative;
    heed_analysis_free(an);
    if (rc)
        return rc;
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 1024;
        item *v = realloc(it->v, cap * sizeof *v);
        if (!v)
            return HEED_ENOMEM;
        it->v = v;
        it->cap = cap;
    }
    it->v[it->n++] = proto;
    return HEED_OK;
}

/* Reads a ratings CSV. emobank: columns id, split, V, A, text; else Empathic
 * Reactions: message_id, response_id, distress, essay. */
static int load(const char *path, int emobank, const heed_engine *eng, heed_arena *a,
                const heed_feat_opts *fo, items *it)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "heed: %s: %s\n", path, strerror(errno));
        return HEED_EXIT_USAGE;
    }
    static const char *const KEEP_EB[] = {"split", "V", "A"};
    static const char *const KEEP_ER[] = {"response_id", "distress"};
    heed_reader_opts ro = {0};
    ro.format = HEED_FMT_CSV;
    ro.name = path;
    ro.fields[HEED_F_TEXT] = emobank ? "text" : "essay";
    ro.fields[HEED_F_ID] = emobank ? "id" : "message_id";
    ro.keep = emobank ? KEEP_EB : KEEP_ER;
    ro.n_keep = emobank ? 3 : 2;
    heed_reader *rd;
    heed_error err = {0};
    int rc = heed_reader_new(f, &ro, &rd, &err);
    if (rc) {
        fprintf(stderr, "heed: %s: %s\n", path, err.msg);
        fclose(f);
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    heed_record rec;
    int got, status = HEED_EXIT_OK;
    while ((got = heed_reader_next(rd, &rec, &err)) != 0) {
        if (got < 0) {
            if (got == HEED_EIO) {
                fprintf(stderr, "heed: %s: read error\n", path);
                status = HEED_EXIT_USAGE;
                break;
            }
            fprintf(stderr, "%s:%zu: %s\n", path, rec.line, err.msg);
            it->bad++;
            continue;
        }
        char v[3][128];
        item proto = {0};
        int ok = 1;
        for (size_t k = 0; k < ro.n_keep && ok; k++)
            ok = kept_value(rec.kept[k], v[k], sizeof v[k]) == 0;
        if (ok && emobank) {
            ok = (!strcmp(v[0], "train") || !strcmp(v[0], "dev")) &&
                 parse_float(v[1], &proto.y[0]) == 0 && parse_float(v[2], &proto.y[1]) == 0;
            proto.dev = !strcmp(v[0], "dev");
        } else if (ok) {
            ok = v[0][0] && parse_float(v[1], &proto.y[0]) == 0;
            proto.dev = empathic_dev(v[0], strlen(v[0]));
        }
        if (!ok) {
            fprintf(stderr, "%s:%zu: missing or bad %s\n", path, rec.line,
                    emobank ? "split, V or A" : "response_id or distress");
            it->bad++;
            continue;
        }
        rc = add_item(eng, a, fo, rec.field[HEED_F_TEXT].ptr, rec.field[HEED_F_TEXT].len, it,
                      proto);
        if (rc == HEED_ENOMEM) {
            fputs("heed: out of memory\n", stderr);
            status = HEED_EXIT_INTERNAL;
            break;
        }
        if (rc) {
            fprintf(stderr, "%s:%zu: %s\n", path, rec.line, heed_strerror(rc));
            it->bad++;
        }
    }
    heed_reader_free(rd);
    fclose(f);
    if (status == HEED_EXIT_OK && it->n == 0) {
        fprintf(stderr, "heed: %s: no usable rows\n", path);
        status = HEED_EXIT_USAGE;
    }
    return status;
}

static double pearson(const double *a, const double *b, size_t n)
{
    if (n < 2)
        return NAN;
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

/* Dev rows of it: r of the model's output k against target column t, and of
 * baseline column b. */
static int dev_r(const heed_intensity_model *m, const items *it, int k, int t, int b,
                 size_t *n_dev, double *r_model, double *r_base)
{
    double *y = malloc((it->n + 1) * sizeof *y), *p = malloc((it->n + 1) * sizeof *p),
           *q = malloc((it->n + 1) * sizeof *q);
    if (!y || !p || !q) {
        free(y);
        free(p);
        free(q);
        return HEED_ENOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < it->n; i++) {
        if (!it->v[i].dev)
            continue;
        float out[HEED_INT_COUNT];
        heed__intensity_predict_x(m, it->v[i].x, out);
        y[n] = it->v[i].y[t];
        p[n] = out[k];
        q[n] = it->v[i].base[b];
        n++;
    }
    *n_dev = n;
    *r_model = pearson(p, y, n);
    *r_base = pearson(q, y, n);
    free(y);
    free(p);
    free(q);
    return HEED_OK;
}

static void print_table(const heed_intensity_model *m, const items *eb, const items *er)
{
    static const char *const BASE[] = {"heed valence", "lexicon mass squash(sum |score|)",
                                       "heed negative share"};
    printf("%-9s %-32s %6s %8s %10s  %s\n", "target", "dev data", "n", "model r", "lexicon r",
           "lexicon baseline");
    for (int k = 0; k < HEED_INT_COUNT; k++) {
        const items *it = k == HEED_INT_DISTRESS ? er : eb;
        if (!it)
            continue;
        size_t n;
        double rm, rb;
        if (dev_r(m, it, k, k == HEED_INT_DISTRESS ? 0 : k, k, &n, &rm, &rb) != HEED_OK) {
            fputs("heed: out of memory\n", stderr);
            return;
        }
        printf("%-9s %-32s %6zu %8.3f %10.3f  %s\n", heed__intensity_names[k],
               k == HEED_INT_DISTRESS ? "Empathic Reactions (hash dev)" : "EmoBank dev", n, rm,
               rb, BASE[k]);
    }
}


typedef struct {
    const char *emobank, *empathic, *out, *model;
    uint32_t epochs, bits;
    float l2, lr, prune;
    uint64_t seed;
    int chargrams, q8;
} args;

static int parse_args(int argc, char **argv, args *a, const char *help, int train)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            fputs(help, stdout);
            return -1;
        }
        if (train && !strcmp(o, "--chargrams")) {
            a->chargrams = 1;
            continue;
        }
        if (train && !strcmp(o, "--q8")) {
            a->q8 = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "heed: %s needs a value (see --help)\n", o);
            return HEED_EXIT_USAGE;
        }
        const char *v = argv[++i];
        char *end = NULL;
        if (!strcmp(o, "--emobank"))
            a->emobank = v;
        else if (!strcmp(o, "--empathic"))
            a->empathic = v;
        else if (train && (!strcmp(o, "-o") || !strcmp(o, "--out")))
            a->out = v;
        else if (!train && !strcmp(o, "--model"))
            a->model = v;
        else if (train && !strcmp(o, "--epochs"))
            a->epochs = (uint32_t)strtoul(v, &end, 10);
        else if (train && !strcmp(o, "--bits"))
            a->bits = (uint32_t)strtoul(v, &end, 10);
        else if (train && !strcmp(o, "--l2"))
            a->l2 = strtof(v, &end);
        else if (train && !strcmp(o, "--prune"))
            a->prune = strtof(v, &end);
        else if (train && !strcmp(o, "--lr"))
            a->lr = strtof(v, &end);
        else if (train && !strcmp(o, "--seed"))
            a->seed = strtoull(v, &end, 10);
        else {
            fprintf(stderr, "heed: unknown option '%s' (see --help)\n", o);
            return HEED_EXIT_USAGE;
        }
        if (end && (*end || end == v)) {
            fprintf(stderr, "heed: bad value '%s' for %s\n", v, o);
            return HEED_EXIT_USAGE;
        }
    }
    return 0;
}

/* Trains regressor k on the train rows of it (target column t). */
static int train_one(const args *a, const heed_feat_opts *fo, const items *it, int k, int t,
                     heed_lm **out)
{
    size_t n = 0;
    double mean = 0, var = 0;
    for (size_t i = 0; i < it->n; i++)
        if (!it->v[i].dev) {
            mean += it->v[i].y[t];
            n++;
        }
    if (n == 0) {
        fprintf(stderr, "heed: no training rows for %s\n", heed__intensity_names[k]);
        return HEED_EXIT_USAGE;
    }
    mean /= (double)n;
    for (size_t i = 0; i < it->n; i++)
        if (!it->v[i].dev)
            var += (it->v[i].y[t] - mean) * (it->v[i].y[t] - mean);
    double sd = n > 1 ? sqrt(var / (double)(n - 1)) : 0;
    if (!(sd > 1e-6))
        sd = 1; /* constant targets: nothing to scale */
    heed_sparse *X = malloc(n * sizeof *X);
    float *Y = malloc(n * sizeof *Y);
    if (!X || !Y) {
        free(X);
        free(Y);
        fputs("heed: out of memory\n", stderr);
        return HEED_EXIT_INTERNAL;
    }
    size_t j = 0;
    for (size_t i = 0; i < it->n; i++)
        if (!it->v[i].dev) {
            X[j] = it->v[i].x;
            Y[j++] = (float)((it->v[i].y[t] - mean) / sd);
        }
    const char *label = heed__intensity_names[k];
    heed_lm_opts o = {0};
    o.kind = HEED_LM_REGRESSION;
    o.n_outputs = 1;
    o.dim_bits = a->bits;
    o.epochs = a->epochs;
    o.lr = a->lr;
    o.l2 = a->l2;
    o.seed = a->seed + (uint64_t)k;
    o.prune = a->prune;
    o.encoding = a->q8 ? HEED_LM_ENC_Q8 : HEED_LM_ENC_F32;
    o.feature_set = heed__features_id(fo);
    o.labels = &label;
    heed_error err = {0};
    int rc = heed__lm_train(&o, X, Y, n, out, &err);
    free(X);
    free(Y);
    if (rc == HEED_OK) {
        const float aux[2] = {(float)mean, (float)sd};
        rc = heed__lm_set_aux(*out, aux, 2);
    }
    if (rc) {
        fprintf(stderr, "heed: training %s: %s\n", label, err.msg[0] ? err.msg : heed_strerror(rc));
        heed__lm_free(*out);
        *out = NULL;
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    fprintf(stderr, "heed: %s: %zu training rows, target mean %.3f sd %.3f\n", label, n, mean, sd);
    return HEED_EXIT_OK;
}

int heed_train_intensity(int argc, char **argv)
{
    args a = {0};
    a.epochs = 10;
    a.bits = 16;
    a.l2 = 1e-5f;
    a.lr = 0.1f;
    a.prune = 0.03f;
    a.seed = 1;
    int rc = parse_args(argc, argv, &a, TRAIN_HELP, 1);
    if (rc)
        return rc < 0 ? HEED_EXIT_OK : rc;
    if (!a.emobank || !a.empathic || !a.out) {
        fputs("heed train intensity: --emobank, --empathic and -o are required (see --help)\n",
              stderr);
        return HEED_EXIT_USAGE;
    }
    if (a.bits < HEED_LM_MIN_BITS || a.bits > HEED_LM_MAX_BITS || a.epochs == 0 ||
        !(a.lr > 0) || !(a.l2 >= 0) || !(a.prune >= 0)) {
        fputs("heed train intensity: --bits, --epochs, --lr, --l2 or --prune out of range\n",
              stderr);
        return HEED_EXIT_USAGE;
    }
    heed_feat_opts fo = {a.chargrams ? HEED_FEAT_CHARGRAMS : 0u};
    heed_engine *eng;
    heed_error err = {0};
    if (heed_engine_new(&HEED_TRAIN_ENGINE, &eng, &err)) {
        fprintf(stderr, "heed: %s\n", err.msg);
        return HEED_EXIT_INTERNAL;
    }
    heed_arena arena;
    heed__arena_init(&arena, 0);
    items eb = {0}, er = {0};
    heed_lm *lm[HEED_INT_COUNT] = {0};
    heed_intensity_model *m = NULL;
    heed_buf out;
    heed__buf_init(&out, 0);
    int status = load(a.emobank, 1, eng, &arena, &fo, &eb);
    if (!status)
        status = load(a.empathic, 0, eng, &arena, &fo, &er);
    for (int k = 0; k < HEED_INT_COUNT && !status; k++)
        status = train_one(&a, &fo, k == HEED_INT_DISTRESS ? &er : &eb, k,
                           k == HEED_INT_DISTRESS ? 0 : k, &lm[k]);
    if (!status) {
        rc = heed__intensity_save((const heed_lm *const *)lm, &out);
        if (!rc)
            rc = heed__intensity_load(out.ptr, out.len, 0, &m, &err); /* check the round trip */
        if (rc) {
            fprintf(stderr, "heed: writing the model: %s\n", heed_strerror(rc));
            status = HEED_EXIT_INTERNAL;
        }
    }
    if (!status) {
        FILE *f = fopen(a.out, "wb");
        if (!f || fwrite(out.ptr, 1, out.len, f) != out.len || fclose(f) != 0) {
            fprintf(stderr, "heed: %s: %s\n", a.out, strerror(errno));
            if (f)
                fclose(f);
            status = HEED_EXIT_USAGE;
        } else {
            fprintf(stderr, "heed: wrote %s (%zu bytes); %zu + %zu rows, %zu + %zu skipped\n",
                    a.out, out.len, eb.n, er.n, eb.bad, er.bad);
            print_table(m, &eb, &er);
            if (eb.bad || er.bad)
                status = HEED_EXIT_REJECTED;
        }
    }
    heed__intensity_free(m);
    heed__buf_release(&out);
    for (int k = 0; k < HEED_INT_COUNT; k++)
        heed__lm_free(lm[k]);
    free(eb.v);
    free(er.v);
    heed__arena_release(&arena);
    heed_engine_free(eng);
    return status;
}

int heed_eval_intensity(int argc, char **argv)
{
    args a = {0};
    int rc = parse_args(argc, argv, &a, EVAL_HELP, 0);
    if (rc)
        return rc < 0 ? HEED_EXIT_OK : rc;
    if (!a.emobank && !a.empathic) {
        fputs("heed eval intensity: give --emobank and/or --empathic (see --help)\n", stderr);
        return HEED_EXIT_USAGE;
    }
    unsigned char *bytes = NULL;
    size_t len = 0;
    const void *model = NULL;
    if (a.model) {
        bytes = (unsigned char *)heed_cli_read_file(a.model, (size_t)1 << 30, &len);
        if (!bytes) {
            fprintf(stderr, "heed: %s: %s\n", a.model, strerror(errno));
            return HEED_EXIT_USAGE;
        }
        model = bytes;
    } else {
        heed_blob b = heed__model_intensity();
        if (!b.len) {
            fputs("heed: no intensity model in this build; pass --model FILE\n", stderr);
            return HEED_EXIT_USAGE;
        }
        model = b.ptr;
        len = b.len;
    }
    heed_intensity_model *m = NULL;
    heed_error err = {0};
    rc = heed__intensity_load(model, len, 0, &m, &err);
    free(bytes);
    if (rc) {
        fprintf(stderr, "heed: %s: %s\n", a.model ? a.model : "built-in model",
                rc == HEED_ENOMEM ? "out of memory" : err.msg);
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    heed_feat_opts fo = heed__intensity_feat_opts(m);
    heed_engine *eng;
    if (heed_engine_new(&HEED_TRAIN_ENGINE, &eng, &err)) {
        fprintf(stderr, "heed: %s\n", err.msg);
        heed__intensity_free(m);
        return HEED_EXIT_INTERNAL;
    }
    heed_arena arena;
    heed__arena_init(&arena, 0);
    items eb = {0}, er = {0};
    int status = HEED_EXIT_OK;
    if (a.emobank)
        status = load(a.emobank, 1, eng, &arena, &fo, &eb);
    if (!status && a.empathic)
        status = load(a.empathic, 0, eng, &arena, &fo, &er);
    if (!status) {
        print_table(m, a.emobank ? &eb : NULL, a.empathic ? &er : NULL);
        if (eb.bad || er.bad)
            status = HEED_EXIT_REJECTED;
    }
    free(eb.v);
    free(er.v);
    heed__arena_release(&arena);
    heed_engine_free(eng);
    heed__intensity_free(m);
    return status;
}
