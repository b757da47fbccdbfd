/* fvecs.c - see fvecs.h. */
#include "fvecs.h"

#include <stdlib.h>
#include <string.h>

int heed_fvecs_init(heed_fvecs *v, size_t rows)
{
    memset(v, 0, sizeof *v);
    v->start = malloc((rows + 1) * sizeof *v->start);
    if (!v->start)
        return -1;
    v->start[0] = 0;
    return 0;
}

int heed_fvecs_reserve(heed_fvecs *v, size_t more)
{
    if (v->nnz + more <= v->cap)
        return 0;
    size_t cap = v->cap ? v->cap : (size_t)1 << 16;
    while (cap < v->nnz + more)
        cap *= 2;
    uint32_t *ni = realloc(v->idx, cap * sizeof *ni);
    if (ni)
        v->idx = ni;
    float *nv = realloc(v->val, cap * sizeof *nv);
    if (nv)
        v->val = nv;
    if (!ni || !nv)
        return -1;
    v->cap = cap;
    return 0;
}

void heed_fvecs_release(heed_fvecs *v)
{
    free(v->idx);
    free(v->val);
    free(v->start);
    memset(v, 0, sizeof *v);
}
