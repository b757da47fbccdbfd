/* lm_train.c - training of the linear model of linmodel.h (AdaGrad SGD with
 * averaged weights) and the tuning of its thresholds.
 *
 * Training keeps three arrays per (row, output): weight, AdaGrad accumulator,
 * and the running sum for averaging (w_avg = w - u / c, with u the sum of
 * c * step over time c), so rows are the distinct hashed features of the
 * training set and the averaging costs no extra pass per step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "linmodel_int.h"

/* ---------------------------------------------------------------- training */

/* splitmix64: the shuffling PRNG. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A growing open-addressing map from masked feature keys to dense row ids,
 * used while training only. */
typedef struct keymap {
    uint32_t *key, *row;
    size_t cap, n;
} keymap;

static int keymap_grow(keymap *km)
{
    size_t ncap = km->cap ? km->cap * 2 : 1024;
    uint32_t *nk = heed__malloc(ncap * sizeof *nk);
    uint32_t *nr = heed__malloc(ncap * sizeof *nr);
    if (!nk || !nr) {
        heed__free(nk);
        heed__free(nr);
        return HEED_ENOMEM;
    }
    memset(nr, 0xff, ncap * sizeof *nr);
    for (size_t i = 0; i < km->cap; i++) {
        if (km->row[i] == EMPTY_SLOT)
            continue;
        uint32_t s = slot_of(km->key[i], ncap - 1);
        while (nr[s] != EMPTY_SLOT)
            s = (s + 1) & (uint32_t)(ncap - 1);
        nk[s] = km->key[i];
        nr[s] = km->row[i];
    }
    heed__free(km->key);
    heed__free(km->row);
    km->key = nk;
    km->row = nr;
    km->cap = ncap;
    return HEED_OK;
}

static int keymap_get(keymap *km, uint32_t key, uint32_t *row)
{
    if ((km->n + 1) * 2 > km->cap && keymap_grow(km) != HEED_OK)
        return HEED_ENOMEM;
    uint32_t s = slot_of(key, km->cap - 1);
    while (km->row[s] != EMPTY_SLOT) {
        if (km->key[s] == key) {
            *row = km->row[s];
            return HEED_OK;
        }
        s = (s + 1) & (uint32_t)(km->cap - 1);
    }
    km->key[s] = key;
    km->row[s] = (uint32_t)km->n;
    *row = (uint32_t)km->n++;
    return HEED_OK;
}

static int check_opts(const heed_lm_opts *o, heed_error *err)
{
    if (o->kind != HEED_LM_MULTILABEL && o->kind != HEED_LM_MULTICLASS &&
        o->kind != HEED_LM_REGRESSION)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: unknown model kind");
    if (o->n_outputs < 1 || o->n_outputs > HEED_LM_MAX_OUTPUTS ||
        (o->kind == HEED_LM_MULTICLASS && o->n_outputs < 2))
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: bad number of outputs");
    if (o->dim_bits && (o->dim_bits < HEED_LM_MIN_BITS || o->dim_bits > HEED_LM_MAX_BITS))
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: dim_bits out of range");
    if (!(o->lr >= 0) || !isfinite(o->lr) || !(o->l2 >= 0) || !isfinite(o->l2) ||
        !(o->prune >= 0) || !isfinite(o->prune))
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: lr, l2 and prune must be finite and >= 0");
    if (o->balance < HEED_LM_BALANCE_NONE || o->balance > HEED_LM_BALANCE_FULL)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: unknown balance mode");
    if (o->encoding != HEED_LM_ENC_F32 && o->encoding != HEED_LM_ENC_Q8)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: unknown encoding");
    return HEED_OK;
}

static float class_weight(double r, int balance)
{
    if (balance == HEED_LM_BALANCE_NONE || !(r > 0))
        return 1.0f;
    double w = balance == HEED_LM_BALANCE_SQRT ? sqrt(r) : r;
    if (w > HEED_LM_MAX_CLASS_WEIGHT)
        w = HEED_LM_MAX_CLASS_WEIGHT;
    return (float)w;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Quantises/prunes the averaged weights `w` (n_rows x K) into m. */
static int finish_model(heed_lm *m, const uint32_t *keys, const float *w, size_t n_rows,
                        float prune, int encoding)
{
    const uint32_t K = m->n_out;
    /* Rows kept, in increasing key order. */
    size_t *order = heed__malloc((n_rows ? n_rows : 1) * sizeof *order);
    if (!order)
        return HEED_ENOMEM;
    size_t kept = 0;
    for (size_t r = 0; r < n_rows; r++) {
        float mx = 0;
        for (uint32_t k = 0; k < K; k++) {
            float a = fabsf(w[r * K + k]);
            if (a > mx)
                mx = a;
        }
        if (mx > 0 && mx >= prune)
            order[kept++] = r;
    }
    /* Kept rows sorted by key: (key << 32 | row) pairs. */
    uint64_t *pairs = heed__malloc((kept ? kept : 1) * sizeof *pairs);
    if (!pairs) {
        heed__free(order);
        return HEED_ENOMEM;
    }
    for (size_t i = 0; i < kept; i++)
        pairs[i] = (uint64_t)keys[order[i]] << 32 | (uint64_t)order[i];
    heed__free(order);
    qsort(pairs, kept, sizeof *pairs, cmp_u64);

    m->n_rows = kept;
    m->encoding = encoding;
    m->keys = heed__malloc((kept ? kept : 1) * sizeof *m->keys);
    if (encoding == HEED_LM_ENC_F32) {
        m->wf = heed__malloc((kept ? kept : 1) * K * sizeof *m->wf);
    } else {
        m->wq = heed__malloc((kept ? kept : 1) * K * sizeof *m->wq);
        m->scale = heed__malloc((kept ? kept : 1) * sizeof *m->scale);
    }
    if (!m->keys || (encoding == HEED_LM_ENC_F32 ? !m->wf : (!m->wq || !m->scale))) {
        heed__free(pairs);
        return HEED_ENOMEM;
    }
    for (size_t i = 0; i < kept; i++) {
        size_t r = (size_t)(pairs[i] & 0xffffffffu);
        m->keys[i] = (uint32_t)(pairs[i] >> 32);
        const float *src = w + r * K;
        if (encoding == HEED_LM_ENC_F32) {
            memcpy(m->wf + i * K, src, K * sizeof *src);
        } else {
            float mx = 0;
            for (uint32_t k = 0; k < K; k++)
                if (fabsf(src[k]) > mx)
                    mx = fabsf(src[k]);
            float sc = mx / 127.0f;
            m->scale[i] = sc;
            for (uint32_t k = 0; k < K; k++) {
                long q = sc > 0 ? lrintf(src[k] / sc) : 0;
                if (q > 127)
                    q = 127;
                if (q < -127)
                    q = -127;
                m->wq[i * K + k] = (int8_t)q;
            }
        }
    }
    heed__free(pairs);
    return heed__lm_build_slots(m, 0);
}

int heed__lm_train(const heed_lm_opts *opts, const heed_sparse *X, const float *Y, size_t n,
                   heed_lm **out, heed_error *err)
{
    if (out)
        *out = NULL;
    if (!opts || !X || !Y || !out)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: NULL argument");
    if (n == 0)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: no training examples");
    if (n > UINT32_MAX)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: too many training examples");
    int rc = check_opts(opts, err);
    if (rc != HEED_OK)
        return rc;

    const uint32_t K = opts->n_outputs;
    const uint32_t bits = opts->dim_bits ? opts->dim_bits : 20;
    const uint32_t mask = (uint32_t)((1ull << bits) - 1);
    const uint32_t epochs = opts->epochs ? opts->epochs : 10;
    const float lr = opts->lr > 0 ? opts->lr : 0.2f;
    const float l2 = opts->l2;

    /* Validate the data. */
    size_t total_nnz = 0;
    for (size_t i = 0; i < n; i++) {
        if (X[i].n && (!X[i].idx || !X[i].val))
            return heed__lm_fail(err, HEED_EINVAL, i, "linmodel: NULL feature arrays");
        for (size_t j = 0; j < X[i].n; j++)
            if (!isfinite(X[i].val[j]))
                return heed__lm_fail(err, HEED_EINVAL, i, "linmodel: non-finite feature value");
        total_nnz += X[i].n;
        int pos = 0;
        for (uint32_t k = 0; k < K; k++) {
            float y = Y[i * K + k];
            if (!isfinite(y))
                return heed__lm_fail(err, HEED_EINVAL, i, "linmodel: non-finite target");
            if (opts->kind != HEED_LM_REGRESSION && (y < 0 || y > 1))
                return heed__lm_fail(err, HEED_EINVAL, i, "linmodel: target outside 0..1");
            if (y > 0)
                pos = 1;
        }
        if (opts->kind == HEED_LM_MULTICLASS && !pos)
            return heed__lm_fail(err, HEED_EINVAL, i, "linmodel: multi-class row without a class");
    }

    heed_lm *m = heed__lm_new_model(opts, K, bits);
    if (!m)
        return heed__lm_fail(err, HEED_ENOMEM, 0, "linmodel: out of memory");

    keymap km = {0};
    uint32_t *rows = heed__malloc((total_nnz ? total_nnz : 1) * sizeof *rows);
    size_t *start = heed__malloc((n + 1) * sizeof *start);
    uint32_t *perm = heed__malloc(n * sizeof *perm);
    float *cw = heed__malloc(K * sizeof *cw);     /* positive / class weights */
    float *g = heed__malloc(K * sizeof *g);       /* per-output gradient */
    float *z = heed__malloc(K * sizeof *z);
    float *w = NULL, *acc = NULL, *avg = NULL;
    float *b = heed__malloc(K * sizeof *b), *bacc = heed__malloc(K * sizeof *bacc),
          *bavg = heed__malloc(K * sizeof *bavg);
    rc = HEED_ENOMEM;
    if (!rows || !start || !perm || !cw || !g || !z || !b || !bacc || !bavg)
        goto fail;
    m->bias = heed__malloc(K * sizeof *m->bias);
    m->thr = heed__malloc(K * sizeof *m->thr);
    if (!m->bias || !m->thr || heed__lm_set_labels(m, opts->labels) != HEED_OK)
        goto fail;

    /* Dense row ids of every feature occurrence. */
    size_t p = 0;
    for (size_t i = 0; i < n; i++) {
        start[i] = p;
        for (size_t j = 0; j < X[i].n; j++)
            if (keymap_get(&km, X[i].idx[j] & mask, &rows[p++]) != HEED_OK)
                goto fail;
    }
    start[n] = p;
    const size_t n_rows = km.n;
    const size_t cells = (n_rows ? n_rows : 1) * K;
    w = heed__malloc(cells * sizeof *w);
    acc = heed__malloc(cells * sizeof *acc);
    avg = heed__malloc(cells * sizeof *avg);
    if (!w || !acc || !avg)
        goto fail;
    memset(w, 0, cells * sizeof *w);
    memset(acc, 0, cells * sizeof *acc);
    memset(avg, 0, cells * sizeof *avg);
    memset(b, 0, K * sizeof *b);
    memset(bacc, 0, K * sizeof *bacc);
    memset(bavg, 0, K * sizeof *bavg);

    /* Class weights. */
    for (uint32_t k = 0; k < K; k++) {
        double pos = 0;
        for (size_t i = 0; i < n; i++)
            pos += Y[i * K + k] > 0 ? (opts->kind == HEED_LM_MULTILABEL ? 1.0 : Y[i * K + k]) : 0;
        double r = 0;
        if (opts->kind == HEED_LM_MULTILABEL && pos > 0)
            r = ((double)n - pos) / pos;
        else if (opts->kind == HEED_LM_MULTICLASS && pos > 0)
            r = (double)n / ((double)K * pos);
        cw[k] = opts->kind == HEED_LM_REGRESSION ? 1.0f : class_weight(r, opts->balance);
    }

    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    uint64_t rng = opts->seed;
    double c = 1; /* step counter for averaging */
    const float eps = 1e-6f;
    for (uint32_t ep = 0; ep < epochs; ep++) {
        for (size_t i = n - 1; i > 0; i--) {
            size_t jx = (size_t)(next_rand(&rng) % (uint64_t)(i + 1));
            uint32_t t = perm[i];
            perm[i] = perm[jx];
            perm[jx] = t;
        }
        double loss = 0;
        for (size_t ii = 0; ii < n; ii++) {
            const size_t i = perm[ii];
            const heed_sparse *x = &X[i];
            const uint32_t *rr = rows + start[i];
            const float *y = Y + i * K;
            for (uint32_t k = 0; k < K; k++)
                z[k] = b[k];
            for (size_t j = 0; j < x->n; j++) {
                const float v = x->val[j];
                const float *wr = w + (size_t)rr[j] * K;
                for (uint32_t k = 0; k < K; k++)
                    z[k] += v * wr[k];
            }
            if (opts->kind == HEED_LM_MULTILABEL) {
                for (uint32_t k = 0; k < K; k++) {
                    float pk = sigmoidf_(z[k]);
                    float wt = y[k] > 0 ? cw[k] : 1.0f;
                    g[k] = wt * (pk - y[k]);
                    loss -= wt * (y[k] * log(pk + 1e-12) + (1 - y[k]) * log(1 - pk + 1e-12));
                }
            } else if (opts->kind == HEED_LM_MULTICLASS) {
                float mx = z[0];
                for (uint32_t k = 1; k < K; k++)
                    if (z[k] > mx)
                        mx = z[k];
                double s = 0;
                for (uint32_t k = 0; k < K; k++) {
                    z[k] = expf(z[k] - mx);
                    s += z[k];
                }
                float wt = 0;
                for (uint32_t k = 0; k < K; k++)
                    wt += y[k] * cw[k];
                for (uint32_t k = 0; k < K; k++) {
                    float pk = (float)(z[k] / s);
                    g[k] = wt * (pk - y[k]);
                    if (y[k] > 0)
                        loss -= wt * y[k] * log(pk + 1e-12);
                }
            } else {
                for (uint32_t k = 0; k < K; k++) {
                    g[k] = z[k] - y[k];
                    loss += 0.5 * g[k] * g[k];
                }
            }
            const float cf = (float)c;
            for (size_t j = 0; j < x->n; j++) {
                const float v = x->val[j];
                const size_t base = (size_t)rr[j] * K;
                for (uint32_t k = 0; k < K; k++) {
                    float gr = g[k] * v + l2 * w[base + k];
                    if (gr == 0)
                        continue;
                    acc[base + k] += gr * gr;
                    float step = lr * gr / sqrtf(acc[base + k] + eps);
                    w[base + k] -= step;
                    avg[base + k] -= cf * step;
                }
            }
            for (uint32_t k = 0; k < K; k++) {
                float gr = g[k];
                if (gr == 0)
                    continue;
                bacc[k] += gr * gr;
                float step = lr * gr / sqrtf(bacc[k] + eps);
                b[k] -= step;
                bavg[k] -= cf * step;
            }
            c += 1;
        }
        if (opts->progress && opts->progress(opts->progress_ctx, ep + 1, loss / (double)n))
            break;
    }

    /* Averaged weights: w - u / c (u accumulated c * step with the sign of
     * the step), unless the caller wants the last iterate. */
    if (!opts->no_average) {
        const float inv = (float)(1.0 / c);
        for (size_t q = 0; q < n_rows * K; q++)
            w[q] -= avg[q] * inv;
        for (uint32_t k = 0; k < K; k++)
            b[k] -= bavg[k] * inv;
    }
    for (uint32_t k = 0; k < K; k++) {
        m->bias[k] = b[k];
        m->thr[k] = opts->kind == HEED_LM_MULTILABEL ? 0.5f : 0.0f;
    }
    /* Row keys in dense order. */
    heed__free(acc);
    acc = NULL;
    uint32_t *keys = heed__malloc((n_rows ? n_rows : 1) * sizeof *keys);
    if (!keys)
        goto fail;
    for (size_t s = 0; s < km.cap; s++)
        if (km.row[s] != EMPTY_SLOT)
            keys[km.row[s]] = km.key[s];
    rc = finish_model(m, keys, w, n_rows, opts->prune, opts->encoding);
    heed__free(keys);
    if (rc != HEED_OK)
        goto fail;
    rc = HEED_OK;
    *out = m;
    m = NULL;
fail:
    heed__free(km.key);
    heed__free(km.row);
    heed__free(rows);
    heed__free(start);
    heed__free(perm);
    heed__free(cw);
    heed__free(g);
    heed__free(z);
    heed__free(w);
    heed__free(acc);
    heed__free(avg);
    heed__free(b);
    heed__free(bacc);
    heed__free(bavg);
    heed__lm_free(m);
    if (rc != HEED_OK)
        return heed__lm_fail(err, rc, 0, "linmodel: out of memory");
    return HEED_OK;
}

int heed__lm_from_weights(const heed_lm_opts *opts, const uint32_t *keys, const float *w,
                          size_t n_rows, const float *bias, heed_lm **out, heed_error *err)
{
    if (out)
        *out = NULL;
    if (!opts || (n_rows && (!keys || !w)) || !bias || !out)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: NULL argument");
    int rc = check_opts(opts, err);
    if (rc != HEED_OK)
        return rc;
    const uint32_t K = opts->n_outputs;
    const uint32_t bits = opts->dim_bits ? opts->dim_bits : 20;
    const uint64_t mask = (1ull << bits) - 1;
    for (size_t r = 0; r < n_rows; r++) {
        if (keys[r] > mask || (r && keys[r] <= keys[r - 1]))
            return heed__lm_fail(err, HEED_EINVAL, r, "linmodel: keys not increasing inside 2^dim_bits");
        for (uint32_t k = 0; k < K; k++)
            if (!isfinite(w[r * K + k]))
                return heed__lm_fail(err, HEED_EINVAL, r, "linmodel: non-finite weight");
    }
    for (uint32_t k = 0; k < K; k++)
        if (!isfinite(bias[k]))
            return heed__lm_fail(err, HEED_EINVAL, k, "linmodel: non-finite bias");
    heed_lm *m = heed__lm_new_model(opts, K, bits);
    if (!m)
        return heed__lm_fail(err, HEED_ENOMEM, 0, "linmodel: out of memory");
    m->bias = heed__malloc(K * sizeof *m->bias);
    m->thr = heed__malloc(K * sizeof *m->thr);
    rc = HEED_ENOMEM;
    if (!m->bias || !m->thr || heed__lm_set_labels(m, opts->labels) != HEED_OK)
        goto fail;
    for (uint32_t k = 0; k < K; k++) {
        m->bias[k] = bias[k];
        m->thr[k] = opts->kind == HEED_LM_MULTILABEL ? 0.5f : 0.0f;
    }
    if ((rc = finish_model(m, keys, w, n_rows, opts->prune, opts->encoding)) != HEED_OK)
        goto fail;
    *out = m;
    return HEED_OK;
fail:
    heed__lm_free(m);
    return heed__lm_fail(err, rc, 0, "linmodel: out of memory");
}

/* ---------------------------------------------------------------- thresholds */

typedef struct scored {
    float p;
    float y;
} scored;

static int cmp_scored_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return (x->y < y->y) - (x->y > y->y);
}

int heed__lm_best_threshold(const float *score, const float *gold, size_t n, size_t stride,
                            float *thr, float *f1)
{
    if (!score || !gold || !n || !stride)
        return HEED_EINVAL;
    scored *s = heed__malloc(n * sizeof *s);
    if (!s)
        return HEED_ENOMEM;
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        s[i].p = score[i * stride];
        s[i].y = gold[i * stride] > 0.5f ? 1.0f : 0.0f;
        npos += s[i].y > 0;
    }
    float t = 0.5f;
    double best = 0;
    if (npos > 0) {
        qsort(s, n, sizeof *s, cmp_scored_desc);
        /* Predict positive for the first k examples (k at a boundary between
         * distinct scores): F1 = 2 tp / (k + npos). */
        best = -1;
        size_t best_k = 0, tp = 0;
        for (size_t k = 1; k <= n; k++) {
            tp += s[k - 1].y > 0;
            if (k < n && s[k].p == s[k - 1].p)
                continue;
            double f = 2.0 * (double)tp / (double)(k + npos);
            if (f > best) {
                best = f;
                best_k = k;
            }
        }
        float lo = best_k < n ? s[best_k].p : 0.0f;
        float hi = s[best_k - 1].p;
        t = lo + (hi - lo) * 0.5f;
        if (!(t > lo) || !(t <= hi)) /* adjacent floats */
            t = hi;
    }
    heed__free(s);
    if (thr)
        *thr = t;
    if (f1)
        *f1 = (float)best;
    return HEED_OK;
}

int heed__lm_tune_thresholds(heed_lm *m, const heed_sparse *X, const float *Y, size_t n, float *f1,
                             heed_error *err)
{
    if (!m || !X || !Y)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: NULL argument");
    if (m->kind != HEED_LM_MULTILABEL)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: thresholds are for multi-label models");
    if (n == 0)
        return heed__lm_fail(err, HEED_EINVAL, 0, "linmodel: no tuning examples");
    const uint32_t K = m->n_out;
    float *P = heed__malloc(n * K * sizeof *P);
    if (!P)
        return heed__lm_fail(err, HEED_ENOMEM, 0, "linmodel: out of memory");
    for (size_t i = 0; i < n; i++)
        heed__lm_predict(m, X[i], P + i * K);
    for (uint32_t k = 0; k < K; k++) {
        float t, f;
        if (heed__lm_best_threshold(P + k, Y + k, n, K, &t, &f) != HEED_OK) {
            heed__free(P);
            return heed__lm_fail(err, HEED_ENOMEM, 0, "linmodel: out of memory");
        }
        m->thr[k] = t;
        if (f1)
            f1[k] = f;
    }
    heed__free(P);
    return HEED_OK;
}
