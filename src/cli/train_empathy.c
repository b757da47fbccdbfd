/* train_empathy.c - `heed train empathy` and `heed eval empathy`: the three
 * EPITOME mechanism models (src/core/empathy.c) learnt from the Reddit part of
 * EPITOME (src/io/datasets.c has the loader and the split), and their report
 * on the dev part: accuracy and macro-F1 per mechanism beside the majority
 * class and the published anchors, and the token F1 of the evidence spans
 * against the annotated rationales (docs/empathy.md). The CLI reaches into the
 * core's internal headers here because training is not part of the public
 * API. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/empathy.h"
#include "../core/linmodel.h"
#include "../core/model_data.h"
#include "arena.h"
#include "cli.h"
#include "fvecs.h"
#include "datasets.h"

typedef enum split { SPLIT_DEV, SPLIT_TRAIN, SPLIT_ALL } split;

typedef struct opts {
    const char *data, *out, *model;
    split split;
    uint64_t seed;
    uint32_t epochs, dim_bits;
    uint32_t cv;    /* train: k-fold cross-validation on the training part, no model */
    float nb_beta;  /* interpolation towards the mean weight magnitude (NBSVM) */
    float nb_alpha; /* count smoothing of the log-count ratios */
    /* Per mechanism: the settings of its model. */
    struct mech_opts {
        int nb;       /* NB-weighted one-vs-rest models instead of one softmax */
        float nb_mix; /* weight of the NB model's scores against the plain one's */
        float lr, l2; /* AdaGrad step and L2 penalty */
        float balance; /* class weighting: a heed_lm_balance (0 none, 1 sqrt, 2 full) */
        float sent_w;  /* weight of the best sentence in the decision (aux[1]) */
    } mech[HEED_EMPATHY_COUNT];
} opts;

static const char *const MECH[HEED_EMPATHY_COUNT] = {
#define HEED_X_(name, num, str) str,
    HEED_EMPATHY_MAP(HEED_X_)
#undef HEED_X_
};

/* Accuracy of EPITOME's RoBERTa model as published (Sharma et al. 2020). */
static const char *const ANCHOR[HEED_EMPATHY_COUNT] = {".79-.82", ".84", ".91-.93"};

static void usage(FILE *f, int train)
{
    fprintf(f, "Usage: heed %s empathy --data DIR [OPTIONS]\n\n", train ? "train" : "eval");
    if (train)
        fputs("Trains the three empathy mechanism models (emotional reaction,\n"
              "interpretation, exploration; none/weak/strong) on the training part of\n"
              "EPITOME, writes them as one model file, then reports them on the dev part.\n\n",
              f);
    else
        fputs("Reports an empathy model (default: the one built into heed) on EPITOME:\n"
              "accuracy and macro-F1 per mechanism, the majority class and the published\n"
              "anchors beside them, and the token F1 of the evidence spans against the\n"
              "annotated rationales.\n\n",
              f);
    fputs("  --data DIR        the EPITOME folder: DIR/emotional-reactions-reddit.csv,\n"
          "                    DIR/interpretations-reddit.csv, DIR/explorations-reddit.csv\n"
          "  --split S         rows to evaluate: dev (default), train or all; the split is\n"
          "                    a hash of sp_id, 20% dev (docs/empathy.md)\n",
          f);
    if (train)
        fputs("  -o FILE           write the model here (required)\n"
              "  --seed N          shuffling seed (default 1); same seed and data: same bytes\n"
              "  --epochs N        passes over the data (default 30)\n"
              "  --dim-bits N      hash space 2^N (default 16)\n"
              "  --lr V            AdaGrad step (default 0.2)\n"
              "  --l2 V            L2 penalty (default 1e-4)\n"
              "  --balance B       class weighting: none, sqrt (default) or full\n"
              "  --sent-weight W   weight of the best sentence's score in the decision\n"
              "                    above none (0..0.95; default 0: the reply's score\n"
              "                    alone), stored in the model (docs/empathy.md)\n"
              "  --nb BETA         NB-weighted features (NBSVM): one-vs-rest models over\n"
              "                    features scaled by log-count ratios, interpolated with\n"
              "                    weight BETA (0..1; 1: no interpolation), folded into\n"
              "                    one 3-class model (docs/empathy.md); all mechanisms\n"
              "                    unless --nb-mech says which\n"
              "  --nb-mech LIST    the mechanisms with NB-weighted models (er, ip, ex or\n"
              "                    their full names, comma-separated; the others keep the\n"
              "                    plain model; BETA is 1 without --nb)\n"
              "  --nb-alpha A      smoothing of the NB counts (default 1)\n"
              "  --nb-mix M        scores M * NB model + (1 - M) * plain model (default 1);\n"
              "                    --nb-alpha and --nb-mix need --nb or --nb-mech\n"
              "                    --lr, --l2, --balance, --sent-weight and --nb-mix take\n"
              "                    one value for every mechanism or a list such as\n"
              "                    er=0.5,ip=0.75 (the mechanisms not named keep the\n"
              "                    default)\n"
              "  --cv K            instead: K-fold cross-validation (K from 2 to 20) inside\n"
              "                    the training part (folds by sp_id; dev rows unused): the\n"
              "                    folds' dev figures summed into one report, no model\n"
              "                    written, no -o needed\n",
              f);
    else
        fputs("  --model FILE      the model to evaluate\n", f);
    fputs("\nMalformed rows are reported on stderr with file:line, skipped and counted.\n"
          "Exit codes: 0 done, 1 done with malformed rows skipped, 2 usage or I/O\n"
          "error, 3 internal error.\n",
          f);
}

static int parse_f(const char *s, float lo, float hi, float *v)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno || !*s || *end || !(d >= lo && d <= hi))
        return 0;
    *v = (float)d;
    return 1;
}

static int parse_u(const char *s, unsigned long long max, unsigned long long *v)
{
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return !errno && *s && !*end && *v <= max;
}

/* A mechanism by its short (er, ip, ex) or full name, n bytes of s; -1 for
 * none. */
static int mech_index(const char *s, size_t n)
{
    static const char *const SHORT[HEED_EMPATHY_COUNT] = {"er", "ip", "ex"};
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        if ((strlen(SHORT[k]) == n && !memcmp(s, SHORT[k], n)) ||
            (strlen(MECH[k]) == n && !memcmp(s, MECH[k], n)))
            return k;
    return -1;
}

/* A comma-separated list of mechanisms into a bit set (bit k: mechanism k);
 * returns 0 on an unknown or repeated name or an empty item. */
static int parse_mechs(const char *s, unsigned *set)
{
    *set = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        int k = mech_index(s, n);
        if (k < 0 || (*set & 1u << k))
            return 0;
        *set |= 1u << k;
        if (!comma)
            return 1;
        s = comma + 1;
    }
}

/* A per-mechanism value: either one value V for every mechanism, or a list
 * MECH=V[,MECH=V...]; the field at byte offset `off` of each struct
 * mech_opts named is set. Returns 0 on a bad value or name. */
static int parse_per_mech(const char *s, float lo, float hi, opts *o, size_t off)
{
    float v;
    if (!strchr(s, '=')) {
        if (!parse_f(s, lo, hi, &v))
            return 0;
        for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
            memcpy((char *)&o->mech[k] + off, &v, sizeof v);
        return 1;
    }
    unsigned seen = 0;
    for (;;) {
        const char *eq = strchr(s, '='), *comma = strchr(s, ',');
        if (!eq || (comma && comma < eq))
            return 0;
        int k = mech_index(s, (size_t)(eq - s));
        if (k < 0 || (seen & 1u << k))
            return 0;
        seen |= 1u << k;
        char num[64];
        size_t n = comma ? (size_t)(comma - eq - 1) : strlen(eq + 1);
        if (n >= sizeof num)
            return 0;
        memcpy(num, eq + 1, n);
        num[n] = 0;
        if (!parse_f(num, lo, hi, &v))
            return 0;
        memcpy((char *)&o->mech[k] + off, &v, sizeof v);
        if (!comma)
            return 1;
        s = comma + 1;
    }
}

/* --balance: none, sqrt or full, for every mechanism or as a list such as
 * ip=none,ex=full; the names become their heed_lm_balance numbers and go
 * through parse_per_mech. Returns 0 on a bad name. */
static int parse_balance(const char *s, opts *o)
{
    static const char *const NAMES[3] = {"none", "sqrt", "full"};
    char num[256];
    size_t n = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t l = comma ? (size_t)(comma - s) : strlen(s);
        const char *eq = memchr(s, '=', l);
        const char *name = eq ? eq + 1 : s;
        size_t nl = l - (size_t)(name - s), head = (size_t)(name - s);
        int b = -1;
        for (int i = 0; i < 3; i++)
            if (strlen(NAMES[i]) == nl && !memcmp(name, NAMES[i], nl))
                b = i;
        if (b < 0 || n + head + 3 > sizeof num)
            return 0;
        memcpy(num + n, s, head);
        n += head;
        num[n++] = (char)('0' + b);
        if (!comma)
            break;
        num[n++] = ',';
        s = comma + 1;
    }
    num[n] = 0;
    return parse_per_mech(num, 0, 2, o, offsetof(struct mech_opts, balance));
}

_Static_assert(HEED_LM_MIN_BITS == 8u && HEED_LM_MAX_BITS == 26u, "update the --dim-bits hint");

/* What a train option with a value takes, for the message on a bad value;
 * NULL for an option `heed train empathy` does not have. */
static const char *train_value_hint(const char *opt)
{
    static const char *const HINT[][2] = {
        {"--seed", "a whole number"},
        {"--epochs", "a whole number from 1 to 1000"},
        {"--dim-bits", "a whole number from 8 to 26"},
        {"--lr", "a number from 0.0001 to 10, or a list such as er=0.1,ip=0.05"},
        {"--l2", "a number from 0 to 1, or a list such as er=3e-4,ex=1e-4"},
        {"--nb", "a number from 0 to 1"},
        {"--nb-mech", "a comma-separated list of er, ip, ex or their full names, each once"},
        {"--nb-alpha", "a number from 0.001 to 100"},
        {"--nb-mix", "a number from 0 to 1, or a list such as er=0.5,ip=0.75"},
        {"--balance", "none, sqrt or full, or a list such as ip=none,ex=full"},
        {"--sent-weight", "a number from 0 to 0.95, or a list such as ip=0.65"},
        {"--cv", "a whole number from 2 to 20"},
    };
    for (size_t i = 0; i < sizeof HINT / sizeof HINT[0]; i++)
        if (!strcmp(opt, HINT[i][0]))
            return HINT[i][1];
    return NULL;
}

/* Returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, int train, const char *cmd, opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->nb_beta = 1;
    o->nb_alpha = 1;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        o->mech[k].nb_mix = 1;
        o->mech[k].lr = 0.2f;
        o->mech[k].l2 = 1e-4f;
        o->mech[k].balance = HEED_LM_BALANCE_SQRT;
    }
    int nb_all = 0, nb_list = 0, nb_tuned = 0;
    unsigned nb_set = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout, train);
            return HEED_EXIT_OK;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "heed %s: unknown option or missing value: %s\n", cmd, a);
            return HEED_EXIT_USAGE;
        }
        const char *v = argv[++i];
        unsigned long long u;
        if (!strcmp(a, "--data")) {
            o->data = v;
        } else if (train && !strcmp(a, "-o")) {
            o->out = v;
        } else if (!train && !strcmp(a, "--model")) {
            o->model = v;
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
        } else if (train && !strcmp(a, "--seed") && parse_u(v, UINT64_MAX, &u)) {
            o->seed = u;
        } else if (train && !strcmp(a, "--epochs") && parse_u(v, 1000, &u) && u > 0) {
            o->epochs = (uint32_t)u;
        } else if (train && !strcmp(a, "--lr") &&
                   parse_per_mech(v, 1e-4f, 10, o, offsetof(struct mech_opts, lr))) {
        } else if (train && !strcmp(a, "--l2") &&
                   parse_per_mech(v, 0, 1, o, offsetof(struct mech_opts, l2))) {
        } else if (train && !strcmp(a, "--balance") && parse_balance(v, o)) {
        } else if (train && !strcmp(a, "--sent-weight") &&
                   parse_per_mech(v, 0, 0.95f, o, offsetof(struct mech_opts, sent_w))) {
        } else if (train && !strcmp(a, "--nb") && parse_f(v, 0, 1, &o->nb_beta)) {
            nb_all = 1;
        } else if (train && !strcmp(a, "--nb-mech") && parse_mechs(v, &nb_set)) {
            nb_list = 1;
        } else if (train && !strcmp(a, "--nb-alpha") && parse_f(v, 1e-3f, 100, &o->nb_alpha)) {
            nb_tuned = 1;
        } else if (train && !strcmp(a, "--nb-mix") &&
                   parse_per_mech(v, 0, 1, o, offsetof(struct mech_opts, nb_mix))) {
            nb_tuned = 1;
        } else if (train && !strcmp(a, "--cv") && parse_u(v, 20, &u) && u >= 2) {
            o->cv = (uint32_t)u;
        } else if (train && !strcmp(a, "--dim-bits") && parse_u(v, HEED_LM_MAX_BITS, &u) &&
                   u >= HEED_LM_MIN_BITS) {
            o->dim_bits = (uint32_t)u;
        } else {
            const char *hint = train ? train_value_hint(a) : NULL;
            if (hint)
                fprintf(stderr, "heed %s: bad value for %s: '%s' (expected %s)\n", cmd, a, v, hint);
            else
                fprintf(stderr, "heed %s: unknown option: %s\n", cmd, a);
            return HEED_EXIT_USAGE;
        }
    }
    int nb_any = 0;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        o->mech[k].nb = nb_list ? (int)(nb_set >> k & 1) : nb_all;
        nb_any |= o->mech[k].nb;
    }
    /* Without an NB-weighted mechanism these would change nothing, silently. */
    if (nb_tuned && !nb_any) {
        fprintf(stderr,
                "heed %s: --nb-mix and --nb-alpha apply to NB-weighted models only: give --nb "
                "BETA or --nb-mech LIST too\n",
                cmd);
        return HEED_EXIT_USAGE;
    }
    if (!o->data) {
        fprintf(stderr, "heed %s: no data: give --data DIR (see --help)\n", cmd);
        return HEED_EXIT_USAGE;
    }
    if (train && !o->out && !o->cv) {
        fprintf(stderr, "heed %s: give -o MODEL (see --help)\n", cmd);
        return HEED_EXIT_USAGE;
    }
    return -1;
}

static int in_split(const heed_ep_row *r, split s)
{
    return s == SPLIT_ALL || (s == SPLIT_DEV) == (r->is_dev != 0);
}

static const char *split_name(split s)
{
    return s == SPLIT_DEV ? "dev" : s == SPLIT_TRAIN ? "train" : "all";
}

static int load_data(heed_epitome *ep, const opts *o, const char *cmd)
{
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", o->data, heed_epitome_files[k]);
        FILE *f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "heed %s: cannot open %s: %s\n", cmd, path, strerror(errno));
            return HEED_EXIT_USAGE;
        }
        heed_error err;
        size_t before = ep->n_bad;
        int rc = heed_epitome_load(ep, k, f, path, NULL, NULL, &err);
        fclose(f);
        if (rc) {
            fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
            return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
        }
        if (ep->n_bad > before)
            fprintf(stderr, "heed %s: %s: %zu malformed rows skipped\n", cmd, path,
                    ep->n_bad - before);
    }
    return HEED_EXIT_OK;
}

/* ---------------------------------------------------------------- one pair */

/* The analysed reply and seeker post of one row, as the engine would have
 * them: the reply with the language stage, the customer side without it. */
typedef struct pair {
    heed_analysis *reply, *seeker;
    heed_result r; /* a copy of the reply's result the empathy stage may fill */
} pair;

static void pair_free(pair *p)
{
    heed_analysis_free(p->reply);
    heed_analysis_free(p->seeker);
    memset(p, 0, sizeof *p);
}

static int pair_analyze(const heed_engine *eng, const heed_epitome *ep, const heed_ep_row *row,
                        pair *p, const char *cmd)
{
    memset(p, 0, sizeof *p);
    heed_error err;
    const heed_analyze_opts co = {.skip = HEED_STAGE_LANGUAGE};
    if (heed_analyze(eng, heed_epitome_str(ep, row->reply_off), row->reply_len, NULL, &p->reply,
                     &err) ||
        heed_analyze(eng, heed_epitome_str(ep, row->seeker_off), row->seeker_len, &co, &p->seeker,
                     &err)) {
        fprintf(stderr, "heed %s: line %zu: %s\n", cmd, row->line, err.msg);
        pair_free(p);
        return err.code == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    p->r = *heed_analysis_result(p->reply);
    return HEED_EXIT_OK;
}

/* ---------------------------------------------------------------- training */

/* Features of every training row (dev rows get an empty vector). */
static int featurize_train(const heed_engine *eng, const heed_epitome *ep, heed_fvecs *v,
                           const char *cmd)
{
    if (heed_fvecs_init(v, ep->n))
        return HEED_EXIT_INTERNAL;
    for (size_t i = 0; i < ep->n; i++) {
        heed_fvecs_end_row(v, i);
        if (ep->rows[i].is_dev)
            continue;
        pair p;
        int rc = pair_analyze(eng, ep, &ep->rows[i], &p, cmd);
        if (rc)
            return rc;
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_sparse x;
        rc = heed__empathy_features(NULL, &a, &p.r, heed_analysis_result(p.seeker), &x);
        if (!rc && heed_fvecs_reserve(v, x.n))
            rc = HEED_ENOMEM;
        if (!rc) {
            memcpy(v->idx + v->nnz, x.idx, x.n * sizeof *x.idx);
            memcpy(v->val + v->nnz, x.val, x.n * sizeof *x.val);
            v->nnz += x.n;
            heed_fvecs_end_row(v, i);
        }
        heed__arena_release(&a);
        pair_free(&p);
        if (rc) {
            fprintf(stderr, "heed %s: out of memory\n", cmd);
            return HEED_EXIT_INTERNAL;
        }
    }
    return HEED_EXIT_OK;
}

/* NB-weighted features (NBSVM, Wang and Manning 2012), per class c one
 * against the rest: r_cj = log((p_j / |p|_1) / (q_j / |q|_1)) with p_j
 * (q_j) alpha plus the number of class-c (other) rows in which hashed feature
 * j occurs; a binary model learns on the values scaled by r_c, its weights
 * are interpolated towards their mean magnitude (w' = (1 - beta) mean|w| +
 * beta w), and since the model is linear, r_c is folded into the weights:
 * the result is one 3-class model over the unscaled features, so analysis
 * needs neither the ratios nor a different extractor. */
static int train_nb(const heed_lm_opts *base, const opts *o, float mix, const heed_sparse *X,
                    const float *Y, size_t n, heed_lm **out, const char *cmd)
{
    const uint32_t bits = base->dim_bits, D = 1u << bits, mask = D - 1;
    float *cnt = calloc((size_t)D * 3, sizeof *cnt); /* [j * 3 + c] */
    size_t *stamp = malloc((size_t)D * sizeof *stamp);
    float *r = malloc((size_t)D * sizeof *r);
    float *W = calloc((size_t)D * 3, sizeof *W);
    uint32_t *keys = malloc((size_t)D * sizeof *keys);
    size_t nnz = 0;
    for (size_t i = 0; i < n; i++)
        nnz += X[i].n;
    float *val = malloc((nnz ? nnz : 1) * sizeof *val);
    heed_sparse *Xs = malloc(n * sizeof *Xs);
    float *Yb = malloc(n * sizeof *Yb);
    float wr[1], bias[3];
    heed_lm *bin = NULL;
    int rc = HEED_EXIT_INTERNAL;
    if (!cnt || !stamp || !r || !W || !keys || !val || !Xs || !Yb)
        goto done;
    for (uint32_t j = 0; j < D; j++)
        stamp[j] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        int c = Y[i * 3 + 1] > 0.5f ? 1 : Y[i * 3 + 2] > 0.5f ? 2 : 0;
        for (size_t t = 0; t < X[i].n; t++) {
            uint32_t j = X[i].idx[t] & mask;
            if (stamp[j] != i && X[i].val[t] != 0) {
                stamp[j] = i;
                cnt[(size_t)j * 3 + (size_t)c] += 1;
            }
        }
    }
    size_t n_keys = 0;
    for (uint32_t j = 0; j < D; j++)
        if (cnt[(size_t)j * 3] + cnt[(size_t)j * 3 + 1] + cnt[(size_t)j * 3 + 2] > 0)
            keys[n_keys++] = j;
    for (int c = 0; c < 3; c++) {
        double sp = 0, sq = 0;
        for (size_t q = 0; q < n_keys; q++) {
            const float *k3 = cnt + (size_t)keys[q] * 3;
            sp += o->nb_alpha + k3[c];
            sq += o->nb_alpha + k3[0] + k3[1] + k3[2] - k3[c];
        }
        for (size_t q = 0; q < n_keys; q++) {
            const float *k3 = cnt + (size_t)keys[q] * 3;
            double pj = (o->nb_alpha + k3[c]) / sp;
            double qj = (o->nb_alpha + k3[0] + k3[1] + k3[2] - k3[c]) / sq;
            r[keys[q]] = (float)log(pj / qj);
        }
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            for (size_t t = 0; t < X[i].n; t++)
                val[at + t] = X[i].val[t] * r[X[i].idx[t] & mask];
            Xs[i] = (heed_sparse){X[i].idx, val + at, X[i].n};
            at += X[i].n;
            Yb[i] = Y[i * 3 + (size_t)c];
        }
        heed_lm_opts lo = *base;
        lo.kind = HEED_LM_MULTILABEL;
        lo.n_outputs = 1;
        lo.encoding = HEED_LM_ENC_F32;
        lo.prune = 0;
        lo.labels = NULL;
        lo.seed = base->seed * 3 + (uint64_t)c;
        heed_error err;
        if (heed__lm_train(&lo, Xs, Yb, n, &bin, &err) != HEED_OK) {
            fprintf(stderr, "heed %s: training failed: %s\n", cmd, err.msg);
            goto done;
        }
        double mean = 0;
        size_t rows = heed__lm_n_rows(bin);
        for (size_t q = 0; q < rows; q++) {
            uint32_t key;
            if (heed__lm_row(bin, q, &key, wr) != HEED_OK)
                goto done;
            mean += fabs(wr[0]);
        }
        mean = rows ? mean / (double)rows : 0;
        for (size_t q = 0; q < rows; q++) {
            uint32_t key;
            if (heed__lm_row(bin, q, &key, wr) != HEED_OK)
                goto done;
            W[(size_t)key * 3 + (size_t)c] =
                r[key] * (float)((1 - o->nb_beta) * mean + o->nb_beta * wr[0]);
        }
        bias[c] = heed__lm_bias(bin)[0];
        heed__lm_free(bin);
        bin = NULL;
    }
    /* Mixed with the plain softmax model's scores: still one linear model. */
    if (mix < 1) {
        heed_lm_opts lo = *base;
        lo.encoding = HEED_LM_ENC_F32;
        lo.prune = 0;
        heed_error err;
        float w3[3];
        if (heed__lm_train(&lo, X, Y, n, &bin, &err) != HEED_OK) {
            fprintf(stderr, "heed %s: training failed: %s\n", cmd, err.msg);
            goto done;
        }
        for (size_t q = 0; q < (size_t)D * 3; q++)
            W[q] *= mix;
        for (size_t q = 0; q < heed__lm_n_rows(bin); q++) {
            uint32_t key;
            if (heed__lm_row(bin, q, &key, w3) != HEED_OK)
                goto done;
            for (int c = 0; c < 3; c++)
                W[(size_t)key * 3 + (size_t)c] += (1 - mix) * w3[c];
        }
        for (int c = 0; c < 3; c++)
            bias[c] = mix * bias[c] + (1 - mix) * heed__lm_bias(bin)[c];
        heed__lm_free(bin);
        bin = NULL;
    }
    /* Compact to the seen keys, in increasing order. */
    for (size_t q = 0; q < n_keys; q++)
        memmove(W + q * 3, W + (size_t)keys[q] * 3, 3 * sizeof *W);
    heed_error err;
    heed_lm_opts lo = *base;
    if (heed__lm_from_weights(&lo, keys, W, n_keys, bias, out, &err) != HEED_OK) {
        fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
        goto done;
    }
    rc = HEED_EXIT_OK;
done:
    heed__lm_free(bin);
    free(cnt);
    free(stamp);
    free(r);
    free(W);
    free(keys);
    free(val);
    free(Xs);
    free(Yb);
    return rc;
}

static int train_models(const heed_epitome *ep, const heed_fvecs *v, const opts *o,
                        heed_lm *lm[HEED_EMPATHY_COUNT], const char *cmd)
{
    static const char *const labels[3] = {"none", "weak", "strong"};
    heed_sparse *X = malloc((ep->n ? ep->n : 1) * sizeof *X);
    float *Y = malloc((ep->n ? ep->n : 1) * 3 * sizeof *Y);
    int rc = HEED_EXIT_INTERNAL;
    if (!X || !Y)
        goto done;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        size_t n = 0;
        for (size_t i = 0; i < ep->n; i++) {
            const heed_ep_row *r = &ep->rows[i];
            if (r->is_dev || r->mech != k)
                continue;
            X[n] = heed_fvec(v, i);
            for (int l = 0; l < 3; l++)
                Y[n * 3 + (size_t)l] = l == r->level ? 1.0f : 0.0f;
            n++;
        }
        if (!n) {
            fprintf(stderr, "heed %s: no training rows for %s\n", cmd, MECH[k]);
            rc = HEED_EXIT_USAGE;
            goto done;
        }
        heed_lm_opts lo = {0};
        lo.kind = HEED_LM_MULTICLASS;
        lo.n_outputs = 3;
        lo.dim_bits = o->dim_bits ? o->dim_bits : 16;
        lo.epochs = o->epochs ? o->epochs : 30;
        lo.seed = o->seed + (uint64_t)k;
        lo.balance = (heed_lm_balance)(int)o->mech[k].balance;
        lo.encoding = HEED_LM_ENC_Q8;
        lo.lr = o->mech[k].lr;
        lo.l2 = o->mech[k].l2;
        lo.prune = 0.02f;
        lo.feature_set = heed__empathy_feature_set();
        lo.labels = labels;
        heed_error err;
        if (o->mech[k].nb) {
            if ((rc = train_nb(&lo, o, o->mech[k].nb_mix, X, Y, n, &lm[k], cmd)))
                goto done;
            rc = HEED_EXIT_INTERNAL;
        } else if (heed__lm_train(&lo, X, Y, n, &lm[k], &err) != HEED_OK) {
            fprintf(stderr, "heed %s: training %s failed: %s\n", cmd, MECH[k], err.msg);
            goto done;
        }
        /* the sentence weight only when there is one, so that a model made
         * without it has the bytes it had before the option existed */
        const float aux[2] = {(float)HEED_EMPATHY_FEATURES_VERSION, o->mech[k].sent_w};
        if (heed__lm_set_aux(lm[k], aux, o->mech[k].sent_w > 0 ? 2 : 1) != HEED_OK)
            goto done;
        fprintf(stderr, "heed %s: trained %s on %zu rows (%zu feature rows%s)\n", cmd, MECH[k], n,
                heed__lm_n_rows(lm[k]), o->mech[k].nb ? ", NB-weighted" : "");
    }
    rc = HEED_EXIT_OK;
done:
    if (rc == HEED_EXIT_INTERNAL)
        fprintf(stderr, "heed %s: out of memory\n", cmd);
    free(X);
    free(Y);
    return rc;
}

/* ---------------------------------------------------------------- metrics */

typedef struct confusion {
    size_t c[3][3]; /* [gold][predicted] */
} confusion;

static void conf_scores(const confusion *m, double *acc, double *macro_f1)
{
    size_t n = 0, ok = 0;
    double f = 0;
    int k = 0;
    for (int g = 0; g < 3; g++)
        for (int p = 0; p < 3; p++) {
            n += m->c[g][p];
            ok += g == p ? m->c[g][p] : 0;
        }
    for (int l = 0; l < 3; l++) {
        size_t tp = m->c[l][l], gold = 0, pred = 0;
        for (int j = 0; j < 3; j++) {
            gold += m->c[l][j];
            pred += m->c[j][l];
        }
        if (!gold && !pred)
            continue; /* a level absent from both sides does not count */
        k++;
        f += gold + pred ? 2.0 * (double)tp / (double)(gold + pred) : 0;
    }
    *acc = n ? (double)ok / (double)n : 0;
    *macro_f1 = k ? f / k : 0;
}

/* Byte ranges of the rationales ('|'-separated) found in the reply, as
 * marks on the reply's tokens; returns how many tokens are marked. */
static size_t mark_rationales(const char *reply, size_t rlen, const char *rat, size_t n,
                              const heed_result *r, unsigned char *mark)
{
    size_t marked = 0;
    while (n) {
        const char *bar = memchr(rat, '|', n);
        size_t l = bar ? (size_t)(bar - rat) : n;
        const char *s = rat;
        size_t sl = l;
        while (sl && (*s == ' ' || *s == '\t'))
            s++, sl--;
        while (sl && (s[sl - 1] == ' ' || s[sl - 1] == '\t'))
            sl--;
        for (size_t at = 0; sl && at + sl <= rlen; at++) {
            if (memcmp(reply + at, s, sl))
                continue;
            for (size_t t = 0; t < r->n_tokens; t++) {
                const heed_token *tk = &r->tokens[t];
                if (tk->start < at + sl && tk->start + tk->len > at && !mark[t]) {
                    mark[t] = 1;
                    marked++;
                }
            }
            break;
        }
        if (!bar)
            break;
        n -= l + 1;
        rat = bar + 1;
    }
    return marked;
}

/* Token F1 between the rationale tokens (gold) and the tokens covered by the
 * stage's spans of mechanism k; punctuation is left out on both sides. */
static double span_f1(const heed_epitome *ep, const heed_ep_row *row, const heed_result *r, int k,
                      int *has_gold)
{
    *has_gold = 0;
    if (!r->n_tokens)
        return 0;
    unsigned char *gold = calloc(r->n_tokens, 2);
    if (!gold)
        return 0;
    unsigned char *pred = gold + r->n_tokens;
    mark_rationales(heed_epitome_str(ep, row->reply_off), row->reply_len,
                    heed_epitome_str(ep, row->rat_off), row->rat_len, r, gold);
    for (size_t s = 0; s < r->empathy.n_spans; s++) {
        const heed_cue *c = &r->empathy.spans[s];
        if (c->component != k)
            continue;
        for (size_t t = 0; t < r->n_tokens; t++)
            if (r->tokens[t].start >= c->start &&
                r->tokens[t].start + r->tokens[t].len <= c->start + c->len)
                pred[t] = 1;
    }
    size_t tp = 0, g = 0, p = 0;
    for (size_t t = 0; t < r->n_tokens; t++) {
        if (r->tokens[t].kind == HEED_TOK_PUNCT)
            continue;
        tp += gold[t] && pred[t];
        g += gold[t];
        p += pred[t];
    }
    free(gold);
    *has_gold = g > 0;
    return g + p ? 2.0 * (double)tp / (double)(g + p) : 0;
}

typedef struct report {
    confusion model[HEED_EMPATHY_COUNT], final[HEED_EMPATHY_COUNT], major[HEED_EMPATHY_COUNT];
    double f1_sum[HEED_EMPATHY_COUNT], f1_both[HEED_EMPATHY_COUNT];
    size_t f1_n[HEED_EMPATHY_COUNT], both_n[HEED_EMPATHY_COUNT];
    size_t n[HEED_EMPATHY_COUNT];
} report;

static int evaluate(const heed_engine *eng, const heed_empathy_model *m, const heed_epitome *ep,
                    split s, report *rep, const char *cmd)
{
    /* the majority level of each mechanism's training rows */
    size_t count[HEED_EMPATHY_COUNT][3] = {{0}};
    int major[HEED_EMPATHY_COUNT];
    for (size_t i = 0; i < ep->n; i++)
        if (!ep->rows[i].is_dev)
            count[ep->rows[i].mech][ep->rows[i].level]++;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        major[k] = 0;
        for (int l = 1; l < 3; l++)
            if (count[k][l] > count[k][major[k]])
                major[k] = l;
    }
    memset(rep, 0, sizeof *rep);
    for (size_t i = 0; i < ep->n; i++) {
        const heed_ep_row *row = &ep->rows[i];
        if (!in_split(row, s))
            continue;
        pair p;
        int rc = pair_analyze(eng, ep, row, &p, cmd);
        if (rc)
            return rc;
        const heed_result *ctx = heed_analysis_result(p.seeker);
        heed_arena a;
        heed__arena_init(&a, 0);
        int k = row->mech;
        heed_result alone = p.r;
        rc = heed__empathy_run(m, &a, &alone, ctx, HEED_EMPATHY_NO_CUES | HEED_EMPATHY_NO_SPANS);
        if (!rc)
            rc = heed__empathy_run(m, &a, &p.r, ctx, 0);
        if (!rc) {
            rep->n[k]++;
            rep->model[k].c[row->level][alone.empathy.level[k]]++;
            rep->final[k].c[row->level][p.r.empathy.level[k]]++;
            rep->major[k].c[row->level][major[k]]++;
            if (row->level > 0) {
                int has_gold;
                double f = span_f1(ep, row, &p.r, k, &has_gold);
                if (has_gold) {
                    rep->f1_sum[k] += f;
                    rep->f1_n[k]++;
                    if (p.r.empathy.level[k] > 0) {
                        rep->f1_both[k] += f;
                        rep->both_n[k]++;
                    }
                }
            }
        }
        heed__arena_release(&a);
        pair_free(&p);
        if (rc) {
            fprintf(stderr, "heed %s: out of memory\n", cmd);
            return HEED_EXIT_INTERNAL;
        }
    }
    return HEED_EXIT_OK;
}

static void print_report(const report *rep, split s)
{
    printf("empathy on EPITOME %s rows (split: FNV-1a of sp_id, %u%% dev)\n", split_name(s),
           HEED_EPITOME_DEV_PERCENT);
    printf("%-19s %5s | %-13s | %-13s | %-13s | %s\n", "", "", "heed", "model alone", "majority",
           "RoBERTa");
    printf("%-19s %5s | %6s %6s | %6s %6s | %6s %6s | %s\n", "mechanism", "rows", "acc", "F1",
           "acc", "F1", "acc", "F1", "acc (paper)");
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        double a1, f1, a2, f2, a3, f3;
        conf_scores(&rep->final[k], &a1, &f1);
        conf_scores(&rep->model[k], &a2, &f2);
        conf_scores(&rep->major[k], &a3, &f3);
        printf("%-19s %5zu | %6.3f %6.3f | %6.3f %6.3f | %6.3f %6.3f | %s\n", MECH[k], rep->n[k],
               a1, f1, a2, f2, a3, f3, ANCHOR[k]);
    }
    printf("F1 is macro-F1 over none/weak/strong. Evidence spans vs rationales (token F1,\n"
           "rows with gold level > 0 | and of those, rows heed also scores > 0):\n");
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        printf("%-19s span F1 %.3f (%zu rows) | %.3f (%zu rows)\n", MECH[k],
               rep->f1_n[k] ? rep->f1_sum[k] / (double)rep->f1_n[k] : 0, rep->f1_n[k],
               rep->both_n[k] ? rep->f1_both[k] / (double)rep->both_n[k] : 0, rep->both_n[k]);
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        printf("confusion %s (rows gold none/weak/strong, columns predicted):", MECH[k]);
        for (int g = 0; g < 3; g++)
            printf(" [%zu %zu %zu]", rep->final[k].c[g][0], rep->final[k].c[g][1],
                   rep->final[k].c[g][2]);
        printf("\n");
    }
}

/* ---------------------------------------------------------------- cross-validation */

/* The fold of a row among k: FNV-1a of "heed-cv-v1:" + sp_id, so that every
 * response to one post, in all three files, is in one fold. */
static uint32_t cv_fold(const heed_epitome *ep, const heed_ep_row *r, uint32_t k)
{
    uint32_t h = 2166136261u;
    const char *salt = "heed-cv-v1:";
    for (const char *c = salt; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    const char *s = heed_epitome_str(ep, r->sp_off);
    for (size_t i = 0; i < r->sp_len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h % k;
}

static void report_add(report *to, const report *r)
{
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        for (int g = 0; g < 3; g++)
            for (int p = 0; p < 3; p++) {
                to->model[k].c[g][p] += r->model[k].c[g][p];
                to->final[k].c[g][p] += r->final[k].c[g][p];
                to->major[k].c[g][p] += r->major[k].c[g][p];
            }
        to->f1_sum[k] += r->f1_sum[k];
        to->f1_both[k] += r->f1_both[k];
        to->f1_n[k] += r->f1_n[k];
        to->both_n[k] += r->both_n[k];
        to->n[k] += r->n[k];
    }
}

/* K-fold cross-validation inside the training part: the dev rows are dropped,
 * then each fold in turn plays "dev" (is_dev) for models trained on the
 * others; the report sums the folds. Settings are chosen on this, never on
 * dev. */
static int cross_validate(const heed_engine *eng, heed_epitome *ep, const opts *o, report *sum,
                          const char *cmd)
{
    size_t n = 0;
    for (size_t i = 0; i < ep->n; i++)
        if (!ep->rows[i].is_dev)
            ep->rows[n++] = ep->rows[i];
    ep->n = n;
    memset(sum, 0, sizeof *sum);
    report *one = malloc(sizeof *one);
    if (!one)
        return HEED_EXIT_INTERNAL;
    int rc = HEED_EXIT_OK;
    for (uint32_t f = 0; f < o->cv && !rc; f++) {
        for (size_t i = 0; i < ep->n; i++)
            ep->rows[i].is_dev = cv_fold(ep, &ep->rows[i], o->cv) == f;
        heed_fvecs v = {0};
        heed_lm *lm[HEED_EMPATHY_COUNT] = {0};
        heed_empathy_model *m = NULL;
        heed_buf b;
        heed__buf_init(&b, 0);
        heed_error err;
        if (!(rc = featurize_train(eng, ep, &v, cmd)) && !(rc = train_models(ep, &v, o, lm, cmd))) {
            if (heed__empathy_pack(lm, &b) != HEED_OK ||
                heed__empathy_new(b.ptr, b.len, 0, &m, &err) != HEED_OK)
                rc = HEED_EXIT_INTERNAL;
            else if (!(rc = evaluate(eng, m, ep, SPLIT_DEV, one, cmd)))
                report_add(sum, one);
        }
        heed__buf_release(&b);
        heed__empathy_free(m);
        for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
            heed__lm_free(lm[k]);
        heed_fvecs_release(&v);
    }
    free(one);
    return rc;
}

/* ---------------------------------------------------------------- commands */

static int read_model(const char *path, heed_empathy_model **out, const char *cmd)
{
    heed_error err;
    if (!path) {
        heed_blob b = heed__model_empathy();
        if (!b.len) {
            fprintf(stderr, "heed %s: no built-in model: give --model FILE\n", cmd);
            return HEED_EXIT_USAGE;
        }
        if (heed__empathy_new(b.ptr, b.len, 0, out, &err) != HEED_OK) {
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
    int rc = len ? heed__empathy_new(bytes, len, 0, out, &err) : HEED_EMODEL;
    if (!len)
        snprintf(err.msg, sizeof err.msg, "empathy model: empty file");
    free(bytes);
    if (rc) {
        fprintf(stderr, "heed %s: %s: %s\n", cmd, path, err.msg);
        return rc == HEED_ENOMEM ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
    }
    return HEED_EXIT_OK;
}

static int write_model(heed_lm *const lm[HEED_EMPATHY_COUNT], const char *path,
                       heed_empathy_model **m, const char *cmd)
{
    heed_buf b;
    heed__buf_init(&b, 0);
    if (heed__empathy_pack(lm, &b) != HEED_OK) {
        heed__buf_release(&b);
        fprintf(stderr, "heed %s: out of memory\n", cmd);
        return HEED_EXIT_INTERNAL;
    }
    heed_error err;
    if (heed__empathy_new(b.ptr, b.len, 0, m, &err) != HEED_OK) {
        fprintf(stderr, "heed %s: the packed model does not load: %s\n", cmd, err.msg);
        heed__buf_release(&b);
        return HEED_EXIT_INTERNAL;
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b.ptr, 1, b.len, f) == b.len;
    if (f && fclose(f))
        ok = 0;
    if (!ok)
        fprintf(stderr, "heed %s: cannot write %s: %s\n", cmd, path, strerror(errno));
    else
        fprintf(stderr, "heed %s: wrote %s (%zu bytes)\n", cmd, path, b.len);
    heed__buf_release(&b);
    return ok ? HEED_EXIT_OK : HEED_EXIT_USAGE;
}

static int run(int argc, char **argv, int train)
{
    const char *cmd = train ? "train empathy" : "eval empathy";
    opts o;
    int rc = parse(argc, argv, train, cmd, &o);
    if (rc >= 0)
        return rc;
    heed_epitome ep = {0};
    heed_fvecs v = {0};
    heed_lm *lm[HEED_EMPATHY_COUNT] = {0};
    heed_empathy_model *m = NULL;
    heed_engine *eng = NULL;
    report *rep = NULL;
    heed_error err;
    if (!train && (rc = read_model(o.model, &m, cmd)))
        goto done;
    if ((rc = load_data(&ep, &o, cmd)))
        goto done;
    if (heed_engine_new(&HEED_TRAIN_ENGINE, &eng, &err) != HEED_OK) {
        fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
        rc = HEED_EXIT_INTERNAL;
        goto done;
    }
    if (train && o.cv) {
        rep = malloc(sizeof *rep);
        if (!rep || (rc = cross_validate(eng, &ep, &o, rep, cmd))) {
            rc = rep ? rc : HEED_EXIT_INTERNAL;
            goto done;
        }
        printf("%u-fold cross-validation inside the training part (dev rows unused)\n", o.cv);
        print_report(rep, SPLIT_TRAIN);
        rc = ep.n_bad ? HEED_EXIT_REJECTED : HEED_EXIT_OK;
        goto done;
    }
    if (train &&
        ((rc = featurize_train(eng, &ep, &v, cmd)) || (rc = train_models(&ep, &v, &o, lm, cmd)) ||
         (rc = write_model(lm, o.out, &m, cmd))))
        goto done;
    rep = malloc(sizeof *rep);
    if (!rep) {
        rc = HEED_EXIT_INTERNAL;
        goto done;
    }
    if ((rc = evaluate(eng, m, &ep, o.split, rep, cmd)))
        goto done;
    print_report(rep, o.split);
    if (ep.n_bad)
        printf("malformed rows skipped: %zu\n", ep.n_bad);
    rc = ep.n_bad ? HEED_EXIT_REJECTED : HEED_EXIT_OK;
done:
    free(rep);
    heed_engine_free(eng);
    heed__empathy_free(m);
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        heed__lm_free(lm[k]);
    heed_fvecs_release(&v);
    heed_epitome_release(&ep);
    return rc;
}

int heed_train_empathy(int argc, char **argv)
{
    return run(argc, argv, 1);
}

int heed_eval_empathy(int argc, char **argv)
{
    return run(argc, argv, 0);
}
