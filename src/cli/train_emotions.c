/* train_emotions.c - `heed train emotions` (learns the emotion model from
 * GoEmotions-style TSV files, tunes its thresholds on dev, writes a HEEDLM
 * file) and `heed eval emotions` (per-label and grouped precision, recall and
 * F1 of a model on a TSV file, through the engine's emotion stage). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "emotions.h"
#include "featurize.h"
#include "heed/heed.h"
#include "linmodel.h"
#include "model_data.h"

static const char TRAIN_HELP[] =
    "Usage: heed train emotions --train FILE --dev FILE -o MODEL [OPTIONS]\n"
    "\n"
    "Learns the emotion model (28 GoEmotions labels) from TSV lines\n"
    "  text TAB label ids (comma-separated, 0..27) [TAB id]\n"
    "tunes each label's threshold and the group thresholds on --dev, and\n"
    "writes the model (HEEDLM format) to MODEL. Deterministic given --seed.\n"
    "Bad lines are reported as FILE:LINE, skipped and counted.\n"
    "\n"
    "Options:\n"
    "  --train FILE      training data (required)\n"
    "  --dev FILE        tuning data (required)\n"
    "  -o, --output M    model file to write (required)\n"
    "  --seed N          shuffling seed (default 1)\n"
    "  --epochs N        passes over the training data (default 10)\n"
    "  --lr X            AdaGrad step (default 0.2)\n"
    "  --l2 X            L2 penalty (default 0.005)\n"
    "  --bits N          hash space 2^N (default 15)\n"
    "  --balance MODE    none | sqrt | full: weight of rare labels (default none)\n"
    "  --chars MODE      character n-grams of words: 4 (4-grams, default),\n"
    "                    3-5 (3- to 5-grams) or none\n"
    "  --no-bigrams      leave word bigrams out\n"
    "  --encoding ENC    q8 | f32 (default q8)\n"
    "  --prune X         drop feature rows whose weights are all below X (default 0)\n"
    "  -q, --quiet       no progress on stderr\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit codes: 0 done, 1 done with bad lines skipped, 2 usage or I/O error,\n"
    "3 internal error.\n";

static const char EVAL_HELP[] =
    "Usage: heed eval emotions FILE [--model MODEL]\n"
    "\n"
    "Runs the emotion stage on every line of FILE (text TAB label ids [TAB id])\n"
    "and prints per-label precision, recall, F1 and support, macro-F1 and\n"
    "micro-F1 on the 28 labels, then the same on Ekman's groups and heed's CX\n"
    "groups (docs/emotions.md). Bad lines are reported, skipped and counted.\n"
    "\n"
    "Options:\n"
    "  --model MODEL     a model file (default: the model built into heed)\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit codes: 0 done, 1 done with bad lines skipped, 2 usage or I/O error,\n"
    "3 internal error.\n";

/* ------------------------------------------------------------------ data */

typedef struct dataset {
    size_t n;
    size_t *off;    /* n + 1 offsets into idx/val */
    uint32_t *idx;
    float *val;
    size_t nnz, cap_nnz, cap_n;
    uint32_t *gold; /* label bit mask per example */
    float *prob;    /* eval: n x 28 probabilities */
    uint32_t *pred; /* eval: predicted label mask */
    uint32_t *cx;   /* eval: predicted CX group mask */
    size_t bad;     /* lines skipped */
} dataset;

static void dataset_free(dataset *d)
{
    free(d->off);
    free(d->idx);
    free(d->val);
    free(d->gold);
    free(d->prob);
    free(d->pred);
    free(d->cx);
    memset(d, 0, sizeof *d);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("heed: out of memory\n", stderr);
        exit(HEED_EXIT_INTERNAL);
    }
    return q;
}


/* Parses "3,27" into a mask; -1 when malformed. */
static int parse_labels(const char *s, size_t n, uint32_t *mask)
{
    *mask = 0;
    size_t i = 0;
    if (n == 0)
        return -1;
    while (i < n) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned v = 0;
        size_t digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 3) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            digits++;
        }
        if (v >= HEED_EMO_COUNT || (i < n && s[i] != ','))
            return -1;
        *mask |= 1u << v;
        if (i < n && ++i == n)
            return -1; /* trailing comma */
    }
    return 0;
}

/* Reads a TSV file, analyses each text with `eng` and keeps its features (and,
 * when `eval` is set, the engine's emotion predictions). Returns 0, or -1 when
 * the file cannot be read. */
static int load_tsv(const char *path, heed_engine *eng, const heed_feat_opts *fo, int eval,
                    dataset *d)
{
    size_t len;
    char *buf = heed_cli_read_file(path, 0, &len);
    if (!buf) {
        fprintf(stderr, "heed: %s: %s\n", path, strerror(errno));
        return -1;
    }
    memset(d, 0, sizeof *d);
    size_t line = 0;
    uint32_t *fidx = NULL;
    float *fval = NULL;
    size_t fcap = 0;
    for (size_t p = 0; p < len;) {
        const char *s = buf + p;
        const char *nl = memchr(s, '\n', len - p);
        size_t l = nl ? (size_t)(nl - s) : len - p;
        p += l + (nl != NULL);
        line++;
        if (l && s[l - 1] == '\r')
            l--;
        const char *tab = memchr(s, '\t', l);
        const char *why = NULL;
        uint32_t mask = 0;
        if (!tab) {
            why = l ? "no TAB after the text" : "empty line";
        } else {
            const char *lab = tab + 1;
            const char *tab2 = memchr(lab, '\t', (size_t)(s + l - lab));
            size_t ll = tab2 ? (size_t)(tab2 - lab) : (size_t)(s + l - lab);
            if (parse_labels(lab, ll, &mask) != 0)
                why = "labels must be comma-separated ids 0..27";
            else if (tab == s)
                why = "empty text";
        }
        heed_analysis *an = NULL;
        heed_error err = {0};
        if (!why && heed_analyze(eng, s, (size_t)(tab - s), NULL, &an, &err) != HEED_OK)
            why = err.msg;
        if (why) {
            fprintf(stderr, "%s:%zu: %s; line skipped\n", path, line, why);
            d->bad++;
            continue;
        }
        const heed_result *r = heed_analysis_result(an);
        size_t bound = eval ? 0 : heed__features_bound(fo, r);
        if (bound > fcap) {
            fcap = bound * 2;
            fidx = xrealloc(fidx, fcap * sizeof *fidx);
            fval = xrealloc(fval, fcap * sizeof *fval);
        }
        size_t nf = eval ? 0 : heed__features_write(fo, r, fidx, fval, fcap);
        if (d->n + 2 > d->cap_n) {
            d->cap_n = d->cap_n ? d->cap_n * 2 : 4096;
            d->off = xrealloc(d->off, d->cap_n * sizeof *d->off);
            d->gold = xrealloc(d->gold, d->cap_n * sizeof *d->gold);
            if (eval) {
                d->prob = xrealloc(d->prob, d->cap_n * HEED_EMO_COUNT * sizeof *d->prob);
                d->pred = xrealloc(d->pred, d->cap_n * sizeof *d->pred);
                d->cx = xrealloc(d->cx, d->cap_n * sizeof *d->cx);
            }
        }
        if (d->nnz + nf > d->cap_nnz) {
            d->cap_nnz = (d->nnz + nf) * 2;
            d->idx = xrealloc(d->idx, d->cap_nnz * sizeof *d->idx);
            d->val = xrealloc(d->val, d->cap_nnz * sizeof *d->val);
        }
        d->off[d->n] = d->nnz;
        if (nf) {
            memcpy(d->idx + d->nnz, fidx, nf * sizeof *fidx);
            memcpy(d->val + d->nnz, fval, nf * sizeof *fval);
        }
        d->nnz += nf;
        d->gold[d->n] = mask;
        if (eval) {
            memcpy(d->prob + d->n * HEED_EMO_COUNT, r->emotions.prob, sizeof r->emotions.prob);
            d->pred[d->n] = r->emotions.labels;
            d->cx[d->n] = r->emotions.cx_labels;
        }
        d->n++;
        d->off[d->n] = d->nnz;
        heed_analysis_free(an);
    }
    free(fidx);
    free(fval);
    free(buf);
    if (d->bad)
        fprintf(stderr, "heed: %s: %zu bad line%s skipped, %zu examples read\n", path, d->bad,
                d->bad == 1 ? "" : "s", d->n);
    return 0;
}

static heed_sparse *sparse_view(const dataset *d)
{
    heed_sparse *x = xrealloc(NULL, (d->n ? d->n : 1) * sizeof *x);
    for (size_t i = 0; i < d->n; i++)
        x[i] = (heed_sparse){d->idx + d->off[i], d->val + d->off[i], d->off[i + 1] - d->off[i]};
    return x;
}

/* Gold mask of the groups given by `members` (any member label is gold). */
static uint32_t group_mask(uint32_t labels, const uint32_t *members, int n_groups)
{
    uint32_t m = 0;
    for (int g = 0; g < n_groups; g++)
        if (labels & members[g])
            m |= 1u << g;
    return m;
}

/* ------------------------------------------------------------------ metrics */

typedef struct scores {
    double macro_f1, micro_f1;
} scores;

/* Precision/recall/F1 per class over n examples of predicted and gold masks;
 * prints a table when `out` is not NULL. */
static scores report(FILE *out, const char *title, int n_classes, const char *(*name)(int),
                     const uint32_t *pred, const uint32_t *gold, size_t n)
{
    size_t TP = 0, FP = 0, FN = 0;
    double sum_f1 = 0;
    if (out)
        fprintf(out, "%s\n%-16s %9s %9s %9s %8s\n", title, "label", "precision", "recall", "f1",
                "support");
    for (int c = 0; c < n_classes; c++) {
        size_t tp = 0, fp = 0, fn = 0;
        for (size_t i = 0; i < n; i++) {
            int p = pred[i] >> c & 1u, g = gold[i] >> c & 1u;
            tp += p && g;
            fp += p && !g;
            fn += !p && g;
        }
        double pr = tp + fp ? (double)tp / (double)(tp + fp) : 0;
        double rc = tp + fn ? (double)tp / (double)(tp + fn) : 0;
        double f1 = pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0;
        sum_f1 += f1;
        TP += tp;
        FP += fp;
        FN += fn;
        if (out)
            fprintf(out, "%-16s %9.3f %9.3f %9.3f %8zu\n", name(c), pr, rc, f1, tp + fn);
    }
    scores s;
    s.macro_f1 = sum_f1 / n_classes;
    double P = TP + FP ? (double)TP / (double)(TP + FP) : 0;
    double R = TP + FN ? (double)TP / (double)(TP + FN) : 0;
    s.micro_f1 = P + R > 0 ? 2 * P * R / (P + R) : 0;
    if (out)
        fprintf(out, "macro-F1 %.4f  micro-F1 %.4f  (%d classes, %zu examples)\n\n", s.macro_f1,
                s.micro_f1, n_classes, n);
    return s;
}

/* Predicted group masks from probabilities and group thresholds. */
static void group_preds(const float *prob, size_t n, const uint32_t *members, int n_groups,
                        const float *thr, uint32_t *out)
{
    for (size_t i = 0; i < n; i++) {
        float sc[HEED_EMO_COUNT];
        heed__emo_group_scores(prob + i * HEED_EMO_COUNT, members, n_groups, sc);
        out[i] = 0;
        for (int g = 0; g < n_groups; g++)
            if (sc[g] >= thr[g])
                out[i] |= 1u << g;
    }
}

/* Macro-F1 on the 28 labels with thresholds tuned on one half of dev (odd or
 * even lines) and scored on the other, both ways, averaged: an estimate that
 * does not see its own tuning data. */
static double crossfold_macro_f1(const float *prob, const uint32_t *gold, size_t n)
{
    if (n < 4)
        return 0;
    double total = 0;
    float *sc = xrealloc(NULL, (n / 2 + 1) * sizeof *sc);
    float *gg = xrealloc(NULL, (n / 2 + 1) * sizeof *gg);
    uint32_t *pred = xrealloc(NULL, n * sizeof *pred), *gd = xrealloc(NULL, n * sizeof *gd);
    for (size_t fold = 0; fold < 2; fold++) {
        size_t m, t = 0;
        for (size_t i = 0; i < n; i++)
            if (i % 2 != fold) {
                gd[t] = gold[i];
                pred[t++] = 0;
            }
        for (int k = 0; k < HEED_EMO_COUNT; k++) {
            m = 0;
            for (size_t i = fold; i < n; i += 2) {
                sc[m] = prob[i * HEED_EMO_COUNT + (size_t)k];
                gg[m++] = (float)(gold[i] >> k & 1u);
            }
            float thr;
            if (heed__lm_best_threshold(sc, gg, m, 1, &thr, NULL) != HEED_OK)
                thr = 0.5f;
            t = 0;
            for (size_t i = 0; i < n; i++)
                if (i % 2 != fold)
                    pred[t++] |= (prob[i * HEED_EMO_COUNT + (size_t)k] >= thr) ? 1u << k : 0;
        }
        total += report(NULL, NULL, HEED_EMO_COUNT, heed__emo_label_name, pred, gd, t).macro_f1;
    }
    free(sc);
    free(gg);
    free(pred);
    free(gd);
    return total / 2;
}

/* ------------------------------------------------------------------ options */

__attribute__((format(printf, 2, 3))) static int usage_error(const char *cmd, const char *fmt,
                                                             ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "heed %s emotions: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'heed %s emotions --help'.\n", cmd);
    return HEED_EXIT_USAGE;
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

typedef struct train_opts {
    const char *train, *dev, *out;
    heed_lm_opts lm;
    heed_feat_opts fo;
    int quiet;
} train_opts;

static int progress_cb(void *ctx, uint32_t epoch, double loss)
{
    const train_opts *o = ctx;
    if (!o->quiet)
        fprintf(stderr, "heed train emotions: epoch %u, training loss %.5f\n", epoch, loss);
    return 0;
}

static int parse_train(int argc, char **argv, train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->lm.kind = HEED_LM_MULTILABEL;
    o->lm.n_outputs = HEED_EMO_COUNT;
    o->lm.dim_bits = 15;
    o->lm.epochs = 10;
    o->lm.l2 = 0.005f;
    o->fo.flags = HEED_FEAT_CHAR4;
    o->lm.lr = 0.2f;
    o->lm.seed = 1;
    o->lm.balance = HEED_LM_BALANCE_NONE;
    o->lm.encoding = HEED_LM_ENC_Q8;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x;
#define NEEDV()                                                                                \
    do {                                                                                       \
        if (!v)                                                                                \
            return usage_error("train", "%s needs a value", a);                                \
        i++;                                                                                   \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(TRAIN_HELP, stdout);
            return -1;
        } else if (!strcmp(a, "--train")) {
            NEEDV();
            o->train = v;
        } else if (!strcmp(a, "--dev")) {
            NEEDV();
            o->dev = v;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEEDV();
            o->out = v;
        } else if (!strcmp(a, "--seed")) {
            NEEDV();
            if (parse_num(v, 0, 1e15, &x))
                return usage_error("train", "bad --seed '%s'", v);
            o->lm.seed = (uint64_t)x;
        } else if (!strcmp(a, "--epochs")) {
            NEEDV();
            if (parse_num(v, 1, 1000, &x) || x != floor(x))
                return usage_error("train", "bad --epochs '%s' (1..1000)", v);
            o->lm.epochs = (uint32_t)x;
        } else if (!strcmp(a, "--lr")) {
            NEEDV();
            if (parse_num(v, 1e-6, 100, &x))
                return usage_error("train", "bad --lr '%s'", v);
            o->lm.lr = (float)x;
        } else if (!strcmp(a, "--l2")) {
            NEEDV();
            if (parse_num(v, 0, 10, &x))
                return usage_error("train", "bad --l2 '%s'", v);
            o->lm.l2 = (float)x;
        } else if (!strcmp(a, "--bits")) {
            NEEDV();
            if (parse_num(v, HEED_LM_MIN_BITS, HEED_LM_MAX_BITS, &x) || x != floor(x))
                return usage_error("train", "bad --bits '%s' (%u..%u)", v, HEED_LM_MIN_BITS,
                                   HEED_LM_MAX_BITS);
            o->lm.dim_bits = (uint32_t)x;
        } else if (!strcmp(a, "--prune")) {
            NEEDV();
            if (parse_num(v, 0, 100, &x))
                return usage_error("train", "bad --prune '%s'", v);
            o->lm.prune = (float)x;
        } else if (!strcmp(a, "--balance")) {
            NEEDV();
            if (!strcmp(v, "none"))
                o->lm.balance = HEED_LM_BALANCE_NONE;
            else if (!strcmp(v, "sqrt"))
                o->lm.balance = HEED_LM_BALANCE_NONE;
            else if (!strcmp(v, "full"))
                o->lm.balance = HEED_LM_BALANCE_FULL;
            else
                return usage_error("train", "bad --balance '%s' (none, sqrt, full)", v);
        } else if (!strcmp(a, "--encoding")) {
            NEEDV();
            if (!strcmp(v, "q8"))
                o->lm.encoding = HEED_LM_ENC_Q8;
            else if (!strcmp(v, "f32"))
                o->lm.encoding = HEED_LM_ENC_F32;
            else
                return usage_error("train", "bad --encoding '%s' (q8, f32)", v);
        } else if (!strcmp(a, "--chars")) {
            NEEDV();
            o->fo.flags &= ~(HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4);
            if (!strcmp(v, "4"))
                o->fo.flags |= HEED_FEAT_CHAR4;
            else if (!strcmp(v, "3-5"))
                o->fo.flags |= HEED_FEAT_CHARGRAMS;
            else if (strcmp(v, "none") != 0)
                return usage_error("train", "bad --chars '%s' (4, 3-5, none)", v);
        } else if (!strcmp(a, "--no-bigrams")) {
            o->fo.flags |= HEED_FEAT_NO_BIGRAMS;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else {
            return usage_error("train", "unknown option '%s'", a);
        }
#undef NEEDV
    }
    if (!o->train || !o->dev || !o->out)
        return usage_error("train", "--train, --dev and -o are required");
    return 0;
}

/* ------------------------------------------------------------------ train */

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(p, 1, n, f) == n;
    ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}

/* Tunes the group thresholds on dev probabilities into thr. */
static int tune_groups(const float *prob, const uint32_t *gold, size_t n, const uint32_t *members,
                       int n_groups, float *thr)
{
    float *sc = xrealloc(NULL, n * (size_t)n_groups * sizeof *sc);
    float *gg = xrealloc(NULL, n * (size_t)n_groups * sizeof *gg);
    for (size_t i = 0; i < n; i++) {
        heed__emo_group_scores(prob + i * HEED_EMO_COUNT, members, n_groups,
                               sc + i * (size_t)n_groups);
        uint32_t gm = group_mask(gold[i], members, n_groups);
        for (int g = 0; g < n_groups; g++)
            gg[i * (size_t)n_groups + (size_t)g] = (float)(gm >> g & 1u);
    }
    int rc = 0;
    for (int g = 0; g < n_groups && !rc; g++)
        rc = heed__lm_best_threshold(sc + g, gg + g, n, (size_t)n_groups, &thr[g], NULL);
    free(sc);
    free(gg);
    return rc;
}

int heed_train_emotions(int argc, char **argv)
{
    train_opts o;
    int prc = parse_train(argc, argv, &o);
    if (prc)
        return prc < 0 ? HEED_EXIT_OK : prc;
    heed_engine_opts eo = HEED_TRAIN_ENGINE;
    heed_engine *eng = NULL;
    heed_error err = {0};
    if (heed_engine_new(&eo, &eng, &err) != HEED_OK) {
        fprintf(stderr, "heed train emotions: %s\n", err.msg);
        return HEED_EXIT_INTERNAL;
    }
    clock_t t0 = clock();
    dataset tr, dv;
    int ret = HEED_EXIT_USAGE;
    heed_lm *m = NULL;
    heed_sparse *xt = NULL, *xd = NULL;
    float *yt = NULL, *yd = NULL, *prob = NULL;
    memset(&dv, 0, sizeof dv);
    if (load_tsv(o.train, eng, &o.fo, 0, &tr) != 0) {
        heed_engine_free(eng);
        return HEED_EXIT_USAGE;
    }
    if (load_tsv(o.dev, eng, &o.fo, 0, &dv) != 0)
        goto done;
    if (tr.n == 0 || dv.n == 0) {
        fprintf(stderr, "heed train emotions: %s has no usable example\n",
                tr.n == 0 ? o.train : o.dev);
        goto done;
    }
    if (!o.quiet)
        fprintf(stderr, "heed train emotions: %zu train, %zu dev examples, %.1f features each; "
                        "features in %.2fs\n",
                tr.n, dv.n, (double)tr.nnz / (double)tr.n,
                (double)(clock() - t0) / CLOCKS_PER_SEC);
    xt = sparse_view(&tr);
    xd = sparse_view(&dv);
    yt = xrealloc(NULL, tr.n * HEED_EMO_COUNT * sizeof *yt);
    yd = xrealloc(NULL, dv.n * HEED_EMO_COUNT * sizeof *yd);
    for (size_t i = 0; i < tr.n; i++)
        for (int k = 0; k < HEED_EMO_COUNT; k++)
            yt[i * HEED_EMO_COUNT + (size_t)k] = (float)(tr.gold[i] >> k & 1u);
    for (size_t i = 0; i < dv.n; i++)
        for (int k = 0; k < HEED_EMO_COUNT; k++)
            yd[i * HEED_EMO_COUNT + (size_t)k] = (float)(dv.gold[i] >> k & 1u);
    const char *names[HEED_EMO_COUNT];
    for (int k = 0; k < HEED_EMO_COUNT; k++)
        names[k] = heed__emo_label_name(k);
    o.lm.labels = names;
    o.lm.feature_set = heed__features_id(&o.fo);
    o.lm.progress = progress_cb;
    o.lm.progress_ctx = &o;
    clock_t t1 = clock();
    ret = HEED_EXIT_INTERNAL;
    if (heed__lm_train(&o.lm, xt, yt, tr.n, &m, &err) != HEED_OK) {
        fprintf(stderr, "heed train emotions: %s\n", err.msg);
        goto done;
    }
    if (heed__lm_tune_thresholds(m, xd, yd, dv.n, NULL, &err) != HEED_OK) {
        fprintf(stderr, "heed train emotions: %s\n", err.msg);
        goto done;
    }
    prob = xrealloc(NULL, dv.n * HEED_EMO_COUNT * sizeof *prob);
    for (size_t i = 0; i < dv.n; i++)
        heed__lm_predict(m, xd[i], prob + i * HEED_EMO_COUNT);
    float aux[HEED_EMO_AUX_COUNT];
    if (tune_groups(prob, dv.gold, dv.n, heed__emo_cx_members, HEED_CX_COUNT, aux) ||
        tune_groups(prob, dv.gold, dv.n, heed__emo_ekman_members, HEED_EKMAN_COUNT,
                    aux + HEED_CX_COUNT) ||
        heed__lm_set_aux(m, aux, HEED_EMO_AUX_COUNT) != HEED_OK) {
        fputs("heed train emotions: out of memory\n", stderr);
        goto done;
    }
    heed_buf b;
    heed__buf_init(&b, 0);
    if (heed__lm_save(m, &b) != HEED_OK) {
        heed__buf_release(&b);
        fputs("heed train emotions: out of memory\n", stderr);
        goto done;
    }
    if (write_file(o.out, b.ptr, b.len) != 0) {
        fprintf(stderr, "heed train emotions: cannot write %s: %s\n", o.out, strerror(errno));
        heed__buf_release(&b);
        ret = HEED_EXIT_USAGE;
        goto done;
    }
    /* Dev scores with the tuned thresholds (the same rule as the engine). */
    uint32_t *pred = xrealloc(NULL, dv.n * sizeof *pred);
    const float *thr = heed__lm_thresholds(m);
    for (size_t i = 0; i < dv.n; i++) {
        pred[i] = 0;
        for (int k = 0; k < HEED_EMO_COUNT; k++)
            if (prob[i * HEED_EMO_COUNT + (size_t)k] >= thr[k])
                pred[i] |= 1u << k;
    }
    scores s = report(NULL, NULL, HEED_EMO_COUNT, heed__emo_label_name, pred, dv.gold, dv.n);
    free(pred);
    printf("wrote %s: %zu bytes, %zu feature rows, %s weights; trained in %.1fs\n", o.out, b.len,
           heed__lm_n_rows(m), o.lm.encoding == HEED_LM_ENC_Q8 ? "q8" : "f32",
           (double)(clock() - t1) / CLOCKS_PER_SEC);
    printf("dev (thresholds tuned on it): macro-F1 %.4f  micro-F1 %.4f  (28 labels, %zu "
           "examples)\n",
           s.macro_f1, s.micro_f1, dv.n);
    printf("dev 2-fold (thresholds tuned on the other half): macro-F1 %.4f\n",
           crossfold_macro_f1(prob, dv.gold, dv.n));
    heed__buf_release(&b);
    ret = tr.bad || dv.bad ? HEED_EXIT_REJECTED : HEED_EXIT_OK;
done:
    heed__lm_free(m);
    free(xt);
    free(xd);
    free(yt);
    free(yd);
    free(prob);
    dataset_free(&tr);
    dataset_free(&dv);
    heed_engine_free(eng);
    return ret;
}

/* ------------------------------------------------------------------ eval */

int heed_eval_emotions(int argc, char **argv)
{
    const char *file = NULL, *model = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(EVAL_HELP, stdout);
            return HEED_EXIT_OK;
        } else if (!strcmp(argv[i], "--model")) {
            if (i + 1 >= argc)
                return usage_error("eval", "--model needs a value");
            model = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("eval", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return usage_error("eval", "one FILE only");
        }
    }
    if (!file)
        return usage_error("eval", "FILE is required");
    size_t mlen = 0;
    char *mbytes = NULL;
    heed_blob blob = heed__model_emotions();
    if (model) {
        mbytes = heed_cli_read_file(model, 0, &mlen);
        if (!mbytes) {
            fprintf(stderr, "heed eval emotions: %s: %s\n", model, strerror(errno));
            return HEED_EXIT_USAGE;
        }
        blob = (heed_blob){(const unsigned char *)mbytes, mlen};
    } else if (!blob.ptr) {
        fputs("heed eval emotions: this heed has no built-in emotion model; pass --model\n",
              stderr);
        return HEED_EXIT_USAGE;
    }
    const char *mname = model ? model : "built-in";
    heed_error err = {0};
    heed_lm *m = NULL;
    heed_engine *eng = NULL;
    heed_engine_opts eo = {.emotions_model = blob.ptr, .emotions_model_len = blob.len};
    if (heed__emotions_load(blob.ptr, blob.len, 0, &m, &err) != HEED_OK ||
        heed_engine_new(&eo, &eng, &err) != HEED_OK) {
        fprintf(stderr, "heed eval emotions: %s: %s\n", model ? model : "built-in model", err.msg);
        heed__lm_free(m);
        free(mbytes);
        return err.code == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    heed_feat_opts fo;
    if (heed__features_opts_from_id(heed__lm_feature_set(m), &fo) != HEED_OK)
        fo.flags = 0; /* ruled out by heed__emotions_load */
    dataset d;
    int ret = HEED_EXIT_USAGE;
    if (load_tsv(file, eng, &fo, 1, &d) != 0)
        goto done;
    if (d.n == 0) {
        fprintf(stderr, "heed eval emotions: %s has no usable example\n", file);
        dataset_free(&d);
        goto done;
    }
    printf("heed eval emotions: %s, %zu examples (%zu bad lines skipped), model %s\n\n", file,
           d.n, d.bad, mname);
    report(stdout, "GoEmotions labels", HEED_EMO_COUNT, heed__emo_label_name, d.pred, d.gold,
           d.n);
    uint32_t *gp = xrealloc(NULL, d.n * sizeof *gp);
    uint32_t *gg = xrealloc(NULL, d.n * sizeof *gg);
    const float *aux = heed__lm_aux(m, NULL);
    group_preds(d.prob, d.n, heed__emo_ekman_members, HEED_EKMAN_COUNT, aux + HEED_CX_COUNT, gp);
    for (size_t i = 0; i < d.n; i++)
        gg[i] = group_mask(d.gold[i], heed__emo_ekman_members, HEED_EKMAN_COUNT);
    report(stdout, "Ekman groups", HEED_EKMAN_COUNT, heed__emo_ekman_name, gp, gg, d.n);
    for (size_t i = 0; i < d.n; i++)
        gg[i] = group_mask(d.gold[i], heed__emo_cx_members, HEED_CX_COUNT);
    report(stdout, "CX groups", HEED_CX_COUNT, heed__emo_cx_name, d.cx, gg, d.n);
    free(gp);
    free(gg);
    ret = d.bad ? HEED_EXIT_REJECTED : HEED_EXIT_OK;
    dataset_free(&d);
done:
    heed_engine_free(eng);
    heed__lm_free(m);
    free(mbytes);
    return ret;
}
