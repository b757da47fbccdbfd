/* fvecs.h - the feature vectors of a whole training set, one row after another
 * (CSR: row i is idx/val[start[i] .. start[i+1])), shared by the trainers. */
#ifndef HEED_FVECS_H
#define HEED_FVECS_H

#include <stddef.h>
#include <stdint.h>

#include "featurize.h"

typedef struct heed_fvecs {
    uint32_t *idx;
    float *val;
    size_t *start; /* n + 1 */
    size_t n, nnz, cap;
} heed_fvecs;

/* Makes room for `rows` rows (all empty so far). Returns 0, or -1 when out of
 * memory. */
int heed_fvecs_init(heed_fvecs *v, size_t rows);

/* Makes room for `more` further values. Returns 0, or -1 when out of memory. */
int heed_fvecs_reserve(heed_fvecs *v, size_t more);

/* Ends row i: what was appended since the previous row is its vector. */
static inline void heed_fvecs_end_row(heed_fvecs *v, size_t i)
{
    v->start[i + 1] = v->nnz;
    v->n = i + 1;
}

void heed_fvecs_release(heed_fvecs *v);

static inline heed_sparse heed_fvec(const heed_fvecs *v, size_t i)
{
    return (heed_sparse){v->idx + v->start[i], v->val + v->start[i], v->start[i + 1] - v->start[i]};
}

#endif
