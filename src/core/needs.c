/* needs.c - the needs stage (needs.h).
 *
 * prob: the model's softmax over the 11 needs, as learned from BANKING77,
 * Bitext and heed's own examples (docs/needs.md).
 * top:  the need with the highest probability.
 * labels, the predicted set:
 *   - top, and every need with prob >= HEED_NEEDS_LABEL_MIN;
 *   - the need of every explicit ask (asks.c) other than "other": an ask that
 *     names a need is direct evidence of it;
 *   - complaint when the message is clearly negative (valence <= -0.5): a
 *     complaint usually comes with another need, which the softmax, choosing
 *     one, would hide;
 *   - praise when the message is clearly positive (valence >= 0.5) and asks
 *     for nothing.
 * prob is left as the model gives it; only labels take the cues. */
#include "needs.h"

#include <stdio.h>
#include <string.h>
#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif

static const char *const NEED_NAMES[HEED_NEED_COUNT] = {
#define HEED_X_(name, num, str) str,
    HEED_NEED_MAP(HEED_X_)
#undef HEED_X_
};

static int model_err(heed_error *err, const char *msg)
{
    if (err) {
        err->code = HEED_EMODEL;
        err->pos = 0;
        snprintf(err->msg, sizeof err->msg, "needs model: %s", msg);
    }
    return HEED_EMODEL;
}

int heed__needs_check(const heed_lm *m, heed_error *err)
{
    if (heed__lm_kind(m) != HEED_LM_MULTICLASS)
        return model_err(err, "not a multi-class model");
    if (heed__lm_n_outputs(m) != HEED_NEED_COUNT)
        return model_err(err, "wrong number of outputs (want 11)");
    for (uint32_t i = 0; i < HEED_NEED_COUNT; i++)
        if (strcmp(heed__lm_label(m, i), NEED_NAMES[i]))
            return model_err(err, "output labels are not heed's needs in order");
    heed_feat_opts fo;
    if (heed__features_opts_from_id(heed__lm_feature_set(m), &fo) != HEED_OK ||
        fo.flags != HEED_NEEDS_FEAT_FLAGS)
        return model_err(err, "made with other feature options or extractor version");
    return HEED_OK;
}

int heed__needs_new(const void *bytes, size_t len, unsigned flags, heed_lm **out, heed_error *err)
{
    *out = NULL;
    if (!len)
        return HEED_OK;
    heed_lm *m;
    heed_error lerr;
    int rc = heed__lm_load_flags(bytes, len, flags, &m, &lerr);
    if (rc) {
        if (err) {
            *err = lerr;
            /* "needs model: " + as much of the loader's message as fits */
            snprintf(err->msg, sizeof err->msg, "needs model: %.*s", (int)(sizeof err->msg - 14),
                     lerr.msg);
        }
        return rc;
    }
    rc = heed__needs_check(m, err);
    if (rc) {
        heed__lm_free(m);
        return rc;
    }
    *out = m;
    return HEED_OK;
}

uint32_t heed__needs_labels(const float *prob, double valence, const heed_cue *asks, size_t n_asks,
                            int *top)
{
    int t = 0;
    uint32_t labels;
#ifdef HEED_SSE2
    /* the 11 scores as 0..3, 4..7 and 7..10; without a NaN, the first score
     * equal to the largest is the one the loop below keeps (it moves on a
     * larger score only), and the labels are the lanes' comparisons */
    _Static_assert(HEED_NEED_COUNT == 11, "three vectors of four");
    const __m128 v0 = _mm_loadu_ps(prob), v1 = _mm_loadu_ps(prob + 4),
                 v2 = _mm_loadu_ps(prob + 7);
    const __m128 nan = _mm_or_ps(_mm_or_ps(_mm_cmpunord_ps(v0, v0), _mm_cmpunord_ps(v1, v1)),
                                 _mm_cmpunord_ps(v2, v2));
    if (!_mm_movemask_ps(nan)) {
        __m128 mx = _mm_max_ps(_mm_max_ps(v0, v1), v2);
        mx = _mm_max_ps(mx, _mm_shuffle_ps(mx, mx, _MM_SHUFFLE(1, 0, 3, 2)));
        mx = _mm_max_ps(mx, _mm_shuffle_ps(mx, mx, _MM_SHUFFLE(2, 3, 0, 1)));
        const uint32_t eq = (uint32_t)_mm_movemask_ps(_mm_cmpeq_ps(v0, mx)) |
                            (uint32_t)_mm_movemask_ps(_mm_cmpeq_ps(v1, mx)) << 4 |
                            (uint32_t)_mm_movemask_ps(_mm_cmpeq_ps(v2, mx)) << 7;
        t = __builtin_ctz(eq);
        const __m128 min = _mm_set1_ps(HEED_NEEDS_LABEL_MIN);
        labels = 1u << t | (uint32_t)_mm_movemask_ps(_mm_cmpge_ps(v0, min)) |
                 (uint32_t)_mm_movemask_ps(_mm_cmpge_ps(v1, min)) << 4 |
                 (uint32_t)_mm_movemask_ps(_mm_cmpge_ps(v2, min)) << 7;
    } else
#endif
    {
        for (int i = 1; i < HEED_NEED_COUNT; i++)
            if (prob[i] > prob[t])
                t = i;
        labels = 1u << t;
        for (int i = 0; i < HEED_NEED_COUNT; i++)
            if (prob[i] >= HEED_NEEDS_LABEL_MIN)
                labels |= 1u << i;
    }
    for (size_t i = 0; i < n_asks; i++)
        if (asks[i].component < HEED_NEED_OTHER)
            labels |= 1u << asks[i].component;
    if (valence <= -0.5)
        labels |= 1u << HEED_NEED_COMPLAINT;
    if (valence >= 0.5 && n_asks == 0)
        labels |= 1u << HEED_NEED_PRAISE;
    *top = t;
    return labels;
}

int heed__needs_predict(const heed_lm *m, heed_arena *a, heed_result *r)
{
    if (!m)
        return HEED_OK;
    const heed_feat_opts fo = {HEED_NEEDS_FEAT_FLAGS};
    heed_sparse x;
    int rc = heed__features(a, &fo, r, &x);
    if (rc)
        return rc;
    heed__needs_predict_x(m, x, r);
    return HEED_OK;
}

/* The labels and the rest of r->needs from r->needs.prob. */
static void set_labels(heed_result *r)
{
    r->needs.labels = heed__needs_labels(r->needs.prob, r->valence, r->needs.asks, r->needs.n_asks,
                                         &r->needs.top);
    r->needs.available = 1;
}

void heed__needs_predict_x(const heed_lm *m, heed_sparse x, heed_result *r)
{
    heed__lm_predict(m, x, r->needs.prob);
    set_labels(r);
}

int heed__needs_predict_side(const heed_lm *m, heed_sparse x, heed_result *r, heed_lm_side *side)
{
    if (!heed__lm_predict_side(m, x, r->needs.prob, side))
        return 0;
    set_labels(r);
    return 1;
}
