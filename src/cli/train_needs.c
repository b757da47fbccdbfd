/* train_needs.c - `heed train needs`, `heed eval needs`, `heed train intents`
 * and `heed eval intents`: the 11-need model learnt from BANKING77, Bitext and
 * heed's own examples mapped onto the needs (src/io/datasets.c), and a 77-way
 * BANKING77 intent model used to compare heed's learner with other work. Both
 * are linear models (src/core/linmodel.c) over the shared features
 * (src/core/featurize.c). The CLI reaches into the core's internal headers here
 * because training is not part of the public API. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/featurize.h"
#include "../core/linmodel.h"
#include "../core/model_data.h"
#include "../core/needs.h"
#include "cli.h"
#include "fvecs.h"
#include "datasets.h"

#define BITEXT_FILE    "bitext_cs/Bitext_Sample_Customer_Support_Training_Dataset.csv"
#define BANKING77_FILE "banking77/train.csv"

/* The 77-way intent model is only evaluated, never run by the engine, so it
 * can afford character n-grams (docs/needs.md: 0.8754 with them, 0.8247
 * without, on the BANKING77 dev rows). */
#define HEED_INTENTS_FEAT_FLAGS HEED_FEAT_CHARGRAMS

typedef enum split { SPLIT_DEV, SPLIT_TRAIN, SPLIT_ALL } split;

typedef struct opts {
    const char *b77, *bitext, *extra, *out, *intents_out, *model, *export_ft;
    char b77_buf[1024], bitext_buf[1024];
    split split;
    uint64_t seed;
    uint32_t epochs;
    uint32_t dim_bits;
} opts;

static void usage(FILE *f, const char *cmd)
{
    int train = !strncmp(cmd, "train", 5);
    int intents = strstr(cmd, "intents") != NULL;
    fprintf(f, "Usage: heed %s [OPTIONS]\n\n", cmd);
    if (train && !intents)
        fputs("Trains the 11-need model on the training part of the data (and, with\n"
              "--intents-out, the 77-way BANKING77 intent model), then reports both on\n"
              "the dev part (docs/needs.md).\n\n",
              f);
    else if (train)
        fputs("Trains the 77-way BANKING77 intent model on its training part and reports\n"
              "it on the dev part.\n\n",
              f);
    else if (intents)
        fputs("Reports 77-way accuracy and macro-F1 of an intent model on BANKING77.\n\n", f);
    else
        fputs("Reports per-need precision, recall and F1 of a needs model (default: the\n"
              "one built into heed) on the mapped data.\n\n",
              f);
    fputs("Data:\n"
          "  --data DIR        DIR/" BANKING77_FILE " and DIR/" BITEXT_FILE "\n"
          "  --banking77 FILE  BANKING77 CSV (text,category)\n",
          f);
    if (!intents)
        fputs(
            "  --bitext FILE     Bitext CSV (instruction,intent,...)\n"
            "  --extra FILE      heed's own examples (NEED<TAB>TEXT), e.g. data/needs_extra.tsv\n",
            f);
    fputs("  --split S         rows to evaluate: dev (default), train or all\n", f);
    if (train) {
        fputs("Training:\n"
              "  -o FILE           write the model here\n",
              f);
        if (!intents)
            fputs("  --intents-out FILE  also train the BANKING77 intent model, write it here\n",
                  f);
        fputs("  --seed N          shuffling seed (default 1); same seed and data: same bytes\n"
              "  --epochs N        passes over the data (default 20)\n"
              "  --dim-bits N      hash space 2^N (default 18; the engine keeps a table of\n"
              "                    2^N rows of the needs model in memory, 6 MB at 18)\n",
              f);
    } else {
        fputs("  --model FILE      the model to evaluate\n"
              "  --export-fasttext FILE  instead of evaluating, write the rows of the split\n"
              "                    as fastText lines (__label__CLASS TEXT) for a peer run\n",
              f);
    }
    fputs("\nMalformed rows are reported on stderr with file:line, skipped and counted.\n"
          "Exit codes: 0 done, 1 done with malformed rows skipped, 2 usage or I/O\n"
          "error, 3 internal error.\n",
          f);
}

static int parse_u(const char *s, unsigned long long max, unsigned long long *v)
{
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return !errno && *s && !*end && *v <= max;
}

/* Returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, const char *cmd, opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout, cmd);
            return HEED_EXIT_OK;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "heed %s: unknown option or missing value: %s\n", cmd, a);
            return HEED_EXIT_USAGE;
        }
        const char *v = argv[++i];
        unsigned long long u;
        if (!strcmp(a, "--data")) {
            snprintf(o->b77_buf, sizeof o->b77_buf, "%s/%s", v, BANKING77_FILE);
            snprintf(o->bitext_buf, sizeof o->bitext_buf, "%s/%s", v, BITEXT_FILE);
            o->b77 = o->b77_buf;
            o->bitext = o->bitext_buf;
        } else if (!strcmp(a, "--banking77")) {
            o->b77 = v;
        } else if (!strcmp(a, "--bitext")) {
            o->bitext = v;
        } else if (!strcmp(a, "--extra")) {
            o->extra = v;
        } else if (!strcmp(a, "-o")) {
            o->out = v;
        } else if (!strcmp(a, "--intents-out")) {
            o->intents_out = v;
        } else if (!strcmp(a, "--model")) {
            o->model = v;
        } else if (!strcmp(a, "--export-fasttext")) {
            o->export_ft = v;
        } else if (!strcmp(a, "--split")) {
            if (!strcmp(v, "dev"))
                o->split = SPLIT_DEV;
            else if (!strcmp(v, "train"))
                o->split = SPLIT_TRAIN;
            else if (!strcmp(v, "all"))
                o->split = SPLIT_ALL;
            else {
                fprintf(stderr, "heed %s: --split must be dev, train or all\n", cmd);
                return HEED_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--seed") && parse_u(v, UINT64_MAX, &u)) {
            o->seed = u;
        } else if (!strcmp(a, "--epochs") && parse_u(v, 1000, &u) && u > 0) {
            o->epochs = (uint32_t)u;
        } else if (!strcmp(a, "--dim-bits") && parse_u(v, HEED_LM_MAX_BITS, &u) &&
                   u >= HEED_LM_MIN_BITS) {
            o->dim_bits = (uint32_t)u;
        } else {
            fprintf(stderr, "heed %s: unknown option or bad value: %s %s\n", cmd, a, v);
            return HEED_EXIT_USAGE;
        }
    }
    return -1;
}

/* ---------------------------------------------------------------- data */

static int load_one(heed_dataset *ds, heed_ds_source src, const char *path, const char *cmd)
{
    if (!path)
        return HEED_EXIT_OK;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "heed %s: cannot open %s: %s\n", cmd, path, strerror(errno));
        return HEED_EXIT_USAGE;
    }
    heed_error err;
    size_t before = ds->n_bad;
    int rc = heed_datasets_load(ds, src, f, path, NULL, NULL, &err);
    fclose(f);
    if (rc) {
        fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    if (ds->n_bad > before)
        fprintf(stderr, "heed %s: %s: %zu malformed rows skipped\n", cmd, path, ds->n_bad - before);
    return HEED_EXIT_OK;
}

static int load_data(heed_dataset *ds, const opts *o, int intents, const char *cmd)
{
    if (!o->b77 && (intents || (!o->bitext && !o->extra))) {
        fprintf(stderr, "heed %s: no data: give --data DIR or the files (see --help)\n", cmd);
        return HEED_EXIT_USAGE;
    }
    int rc = load_one(ds, HEED_DS_BANKING77, o->b77, cmd);
    if (!rc && !intents)
        rc = load_one(ds, HEED_DS_BITEXT, o->bitext, cmd);
    if (!rc && !intents)
        rc = load_one(ds, HEED_DS_EXTRA, o->extra, cmd);
    return rc;
}

static int in_split(const heed_ds_row *r, split s)
{
    return s == SPLIT_ALL || (s == SPLIT_DEV) == (r->is_dev != 0);
}

/* ---------------------------------------------------------------- features */

/* Features (extractor flags `flags`) of every row of ds (all splits), in row
 * order; with `intents`, rows not from BANKING77 get an empty vector. */
static int featurize_all(const heed_dataset *ds, uint32_t flags, int intents, heed_fvecs *v,
                         const char *cmd)
{
    heed_engine *eng;
    heed_error err;
    if (heed_engine_new(&HEED_TRAIN_ENGINE, &eng, &err) != HEED_OK) {
        fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
        return HEED_EXIT_INTERNAL;
    }
    const heed_feat_opts fo = {flags};
    int rc = HEED_EXIT_INTERNAL;
    if (heed_fvecs_init(v, ds->n))
        goto done;
    for (size_t i = 0; i < ds->n; i++) {
        if (intents && ds->rows[i].source != HEED_DS_BANKING77) {
            heed_fvecs_end_row(v, i);
            continue;
        }
        heed_analysis *an;
        const char *t = heed_datasets_text(ds, i);
        if (heed_analyze(eng, t, ds->rows[i].text_len, NULL, &an, &err) != HEED_OK) {
            fprintf(stderr, "heed %s: line %zu: %s\n", cmd, ds->rows[i].line, err.msg);
            goto done;
        }
        const heed_result *r = heed_analysis_result(an);
        size_t bound = heed__features_bound(&fo, r);
        if (heed_fvecs_reserve(v, bound)) {
            heed_analysis_free(an);
            goto done;
        }
        v->nnz += heed__features_write(&fo, r, v->idx + v->nnz, v->val + v->nnz, bound);
        heed_fvecs_end_row(v, i);
        heed_analysis_free(an);
    }
    rc = HEED_EXIT_OK;
done:
    if (rc == HEED_EXIT_INTERNAL && !v->n && ds->n)
        fprintf(stderr, "heed %s: out of memory\n", cmd);
    heed_engine_free(eng);
    return rc;
}

/* ---------------------------------------------------------------- metrics */

/* Class of row i: its need, or its BANKING77 intent. */
static int gold(const heed_ds_row *r, int intents)
{
    return intents ? r->intent : r->need;
}

typedef struct scores {
    size_t n, correct;
    double macro_f1;
} scores;

/* Predicts every row of the split and prints per-class P/R/F1 (needs) or the
 * summary (intents). */
static scores evaluate(const heed_lm *m, const heed_dataset *ds, const heed_fvecs *v, split s,
                       int intents, int per_class)
{
    const uint32_t K = heed__lm_n_outputs(m);
    size_t *tp = calloc(K, sizeof *tp), *fp = calloc(K, sizeof *fp), *fn = calloc(K, sizeof *fn);
    float *p = malloc(K * sizeof *p);
    scores sc = {0, 0, 0};
    if (!tp || !fp || !fn || !p)
        goto done;
    for (size_t i = 0; i < ds->n; i++) {
        const heed_ds_row *r = &ds->rows[i];
        if (!in_split(r, s) || (intents && r->source != HEED_DS_BANKING77))
            continue;
        heed__lm_predict(m, heed_fvec(v, i), p);
        uint32_t best = 0;
        for (uint32_t k = 1; k < K; k++)
            if (p[k] > p[best])
                best = k;
        uint32_t g = (uint32_t)gold(r, intents);
        sc.n++;
        if (best == g) {
            sc.correct++;
            tp[g]++;
        } else {
            fp[best]++;
            fn[g]++;
        }
    }
    if (per_class)
        printf("%-18s %7s %7s %7s %8s\n", "need", "P", "R", "F1", "support");
    size_t n_cls = 0;
    for (uint32_t k = 0; k < K; k++) {
        size_t support = tp[k] + fn[k];
        double P = tp[k] + fp[k] ? (double)tp[k] / (double)(tp[k] + fp[k]) : 0;
        double R = support ? (double)tp[k] / (double)support : 0;
        double F = P + R > 0 ? 2 * P * R / (P + R) : 0;
        if (support) {
            sc.macro_f1 += F;
            n_cls++;
        }
        if (per_class)
            printf("%-18s %7.3f %7.3f %7.3f %8zu\n", heed__lm_label(m, k), P, R, F, support);
    }
    sc.macro_f1 = n_cls ? sc.macro_f1 / (double)n_cls : 0;
done:
    free(tp);
    free(fp);
    free(fn);
    free(p);
    return sc;
}

static const char *split_name(split s)
{
    return s == SPLIT_DEV ? "dev" : s == SPLIT_TRAIN ? "train" : "all";
}

static void print_summary(const char *what, const scores *sc, split s, int intents)
{
    if (!sc->n) {
        printf("%s: no %s rows to evaluate\n", what, split_name(s));
        return;
    }
    printf("%s: %s accuracy %.4f  macro-F1 %.4f  (%zu %s rows%s)\n", what,
           intents ? "77-way" : "top-1", (double)sc->correct / (double)sc->n, sc->macro_f1, sc->n,
           split_name(s), intents ? " of BANKING77" : "");
}

/* ---------------------------------------------------------------- training */

static int write_model(const heed_lm *m, const char *path, const char *cmd)
{
    heed_buf b;
    heed__buf_init(&b, 0);
    if (heed__lm_save(m, &b) != HEED_OK) {
        heed__buf_release(&b);
        fprintf(stderr, "heed %s: out of memory\n", cmd);
        return HEED_EXIT_INTERNAL;
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b.ptr, 1, b.len, f) == b.len;
    if (f && fclose(f))
        ok = 0;
    if (!ok)
        fprintf(stderr, "heed %s: cannot write %s: %s\n", cmd, path, strerror(errno));
    else
        fprintf(stderr, "heed %s: wrote %s (%zu bytes, %zu feature rows)\n", cmd, path, b.len,
                heed__lm_n_rows(m));
    heed__buf_release(&b);
    return ok ? HEED_EXIT_OK : HEED_EXIT_USAGE;
}

/* Trains a multi-class model on the training rows (intents: BANKING77 only). */
static int train_model(const heed_dataset *ds, const heed_fvecs *v, const opts *o, int intents,
                       heed_lm **out, const char *cmd)
{
    const uint32_t K = intents ? HEED_BANKING77_INTENTS : HEED_NEED_COUNT;
    const char *labels[HEED_BANKING77_INTENTS];
    for (uint32_t k = 0; k < K; k++)
        labels[k] = intents ? heed_banking77_needs[k].intent : heed_need_name((int)k);
    size_t n = 0;
    heed_sparse *X = malloc((ds->n ? ds->n : 1) * sizeof *X);
    float *Y = calloc((ds->n ? ds->n : 1) * K, sizeof *Y);
    int rc = HEED_EXIT_INTERNAL;
    if (!X || !Y)
        goto done;
    for (size_t i = 0; i < ds->n; i++) {
        const heed_ds_row *r = &ds->rows[i];
        if (r->is_dev || (intents && r->source != HEED_DS_BANKING77))
            continue;
        X[n] = heed_fvec(v, i);
        Y[n * K + (size_t)gold(r, intents)] = 1.0f;
        n++;
    }
    if (!n) {
        fprintf(stderr, "heed %s: no training rows\n", cmd);
        rc = HEED_EXIT_USAGE;
        goto done;
    }
    const heed_feat_opts fo = {intents ? HEED_INTENTS_FEAT_FLAGS : HEED_NEEDS_FEAT_FLAGS};
    heed_lm_opts lo = {0};
    lo.kind = HEED_LM_MULTICLASS;
    lo.n_outputs = K;
    lo.dim_bits = o->dim_bits ? o->dim_bits : 18;
    lo.epochs = o->epochs ? o->epochs : 20;
    lo.seed = o->seed;
    lo.balance = HEED_LM_BALANCE_SQRT;
    lo.encoding = HEED_LM_ENC_Q8;
    lo.prune = intents ? 0.0f : 0.3f;
    lo.feature_set = heed__features_id(&fo);
    lo.labels = labels;
    heed_error err;
    if (heed__lm_train(&lo, X, Y, n, out, &err) != HEED_OK) {
        fprintf(stderr, "heed %s: training failed: %s\n", cmd, err.msg);
        goto done;
    }
    fprintf(stderr, "heed %s: trained the %s model on %zu rows\n", cmd,
            intents ? "BANKING77 intent" : "needs", n);
    rc = HEED_EXIT_OK;
done:
    free(X);
    free(Y);
    return rc;
}

/* The intent model must be a 77-way BANKING77 model made by our extractor. */
static int check_intents(const heed_lm *m, heed_error *err)
{
    heed_feat_opts fo;
    int ok = heed__lm_kind(m) == HEED_LM_MULTICLASS &&
             heed__lm_n_outputs(m) == HEED_BANKING77_INTENTS &&
             heed__features_opts_from_id(heed__lm_feature_set(m), &fo) == HEED_OK &&
             fo.flags == HEED_INTENTS_FEAT_FLAGS;
    for (uint32_t k = 0; ok && k < HEED_BANKING77_INTENTS; k++)
        ok = !strcmp(heed__lm_label(m, k), heed_banking77_needs[k].intent);
    if (!ok) {
        err->code = HEED_EMODEL;
        snprintf(err->msg, sizeof err->msg,
                 "not a BANKING77 intent model of this heed (kind, labels or features differ)");
    }
    return ok ? HEED_OK : HEED_EMODEL;
}

static int read_model(const char *path, int intents, heed_lm **out, const char *cmd)
{
    *out = NULL;
    heed_error err;
    if (!path) {
        heed_blob b = heed__model_needs();
        if (intents || !b.len) {
            fprintf(stderr, "heed %s: no model: give --model FILE\n", cmd);
            return HEED_EXIT_USAGE;
        }
        if (heed__needs_new(b.ptr, b.len, 0, out, &err) != HEED_OK) {
            fprintf(stderr, "heed %s: built-in model: %s\n", cmd, err.msg);
            return HEED_EXIT_INTERNAL;
        }
        return HEED_EXIT_OK;
    }
    size_t len;
    char *bytes = heed_cli_read_file(path, (size_t)1 << 30, &len);
    if (!bytes) {
        fprintf(stderr, "heed %s: cannot read %s: %s\n", cmd, path, strerror(errno));
        return errno == ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    int rc = HEED_OK;
    if (intents) {
        rc = heed__lm_load(bytes, len, out, &err);
        if (!rc && check_intents(*out, &err)) {
            heed__lm_free(*out);
            *out = NULL;
            rc = HEED_EMODEL;
        }
    } else {
        rc = len ? heed__needs_new(bytes, len, 0, out, &err) : HEED_EMODEL;
        if (!len)
            snprintf(err.msg, sizeof err.msg, "needs model: empty file");
    }
    free(bytes);
    if (rc) {
        fprintf(stderr, "heed %s: %s: %s\n", cmd, path, err.msg);
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    return HEED_EXIT_OK;
}

/* Writes the split's rows as "__label__CLASS TEXT" lines (class: the intent,
 * or the need), line breaks and tabs in the text turned into spaces. */
static int export_fasttext(const heed_dataset *ds, const opts *o, int intents, const char *cmd)
{
    FILE *f = fopen(o->export_ft, "wb");
    if (!f) {
        fprintf(stderr, "heed %s: cannot write %s: %s\n", cmd, o->export_ft, strerror(errno));
        return HEED_EXIT_USAGE;
    }
    size_t n = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const heed_ds_row *r = &ds->rows[i];
        if (!in_split(r, o->split) || (intents && r->source != HEED_DS_BANKING77))
            continue;
        fprintf(f, "__label__%s ",
                intents ? heed_banking77_needs[r->intent].intent : heed_need_name(r->need));
        const char *t = heed_datasets_text(ds, i);
        for (size_t k = 0; k < r->text_len; k++)
            fputc(t[k] == '\n' || t[k] == '\r' || t[k] == '\t' ? ' ' : t[k], f);
        fputc('\n', f);
        n++;
    }
    if (fclose(f)) {
        fprintf(stderr, "heed %s: cannot write %s: %s\n", cmd, o->export_ft, strerror(errno));
        return HEED_EXIT_USAGE;
    }
    fprintf(stderr, "heed %s: wrote %zu %s rows to %s\n", cmd, n, split_name(o->split),
            o->export_ft);
    return HEED_EXIT_OK;
}

/* ---------------------------------------------------------------- commands */

static int run(int argc, char **argv, int train, int intents)
{
    const char *cmd = train ? (intents ? "train intents" : "train needs")
                            : (intents ? "eval intents" : "eval needs");
    opts o;
    int rc = parse(argc, argv, cmd, &o);
    if (rc >= 0)
        return rc;
    if (train && !o.out) {
        fprintf(stderr, "heed %s: give -o MODEL (see --help)\n", cmd);
        return HEED_EXIT_USAGE;
    }
    heed_dataset ds = {0};
    heed_fvecs v = {0}, vi = {0};
    heed_lm *m = NULL, *mi = NULL;
    if (!train && !o.export_ft && (rc = read_model(o.model, intents, &m, cmd)))
        goto done;
    if ((rc = load_data(&ds, &o, intents, cmd)))
        goto done;
    if (o.export_ft) {
        rc = export_fasttext(&ds, &o, intents, cmd);
        if (!rc && ds.n_bad)
            rc = HEED_EXIT_REJECTED;
        goto done;
    }
    if ((rc = featurize_all(&ds, intents ? HEED_INTENTS_FEAT_FLAGS : HEED_NEEDS_FEAT_FLAGS, intents,
                            &v, cmd)))
        goto done;
    if (train) {
        if ((rc = train_model(&ds, &v, &o, intents, &m, cmd)))
            goto done;
        if ((rc = write_model(m, o.out, cmd)))
            goto done;
        if (!intents && o.intents_out) {
            if (!o.b77) {
                fprintf(stderr, "heed %s: --intents-out needs BANKING77 data\n", cmd);
                rc = HEED_EXIT_USAGE;
                goto done;
            }
            if ((rc = featurize_all(&ds, HEED_INTENTS_FEAT_FLAGS, 1, &vi, cmd)) ||
                (rc = train_model(&ds, &vi, &o, 1, &mi, cmd)) ||
                (rc = write_model(mi, o.intents_out, cmd)))
                goto done;
        }
    }
    scores sc = evaluate(m, &ds, &v, o.split, intents, !intents);
    print_summary(intents ? "intents" : "needs", &sc, o.split, intents);
    if (mi) {
        sc = evaluate(mi, &ds, &vi, o.split, 1, 0);
        print_summary("intents", &sc, o.split, 1);
    }
    if (ds.n_bad)
        printf("malformed rows skipped: %zu\n", ds.n_bad);
    rc = ds.n_bad ? HEED_EXIT_REJECTED : HEED_EXIT_OK;
done:
    heed__lm_free(m);
    heed__lm_free(mi);
    heed_fvecs_release(&v);
    heed_fvecs_release(&vi);
    heed_datasets_release(&ds);
    return rc;
}

int heed_train_needs(int argc, char **argv)
{
    return run(argc, argv, 1, 0);
}

int heed_eval_needs(int argc, char **argv)
{
    return run(argc, argv, 0, 0);
}

int heed_train_intents(int argc, char **argv)
{
    return run(argc, argv, 1, 1);
}

int heed_eval_intents(int argc, char **argv)
{
    return run(argc, argv, 0, 1);
}
