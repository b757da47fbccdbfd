/* simindex.c - see simindex.h. Entries live in insertion order in one array,
 * so "earliest" is the lowest entry number; each band has 65536 chain heads
 * (entry number + 1, 0 for none) and a next link per entry. Only the first
 * reply of each group is an entry: copies of a template would otherwise
 * lengthen its chains with every variant and fill the cap. */
#include "simindex.h"

#include <stdlib.h>

#include "jsonout.h"

#define BANDS       4
#define BAND_VALUES 65536u

typedef struct entry {
    uint64_t fp;
    uint64_t payload;
    uint64_t count;
    uint32_t next[BANDS]; /* next entry (+ 1) with the same band value */
} entry;

struct heed_simindex {
    uint32_t *head[BANDS]; /* BAND_VALUES chain heads per band */
    entry *e;
    size_t n, alloc, cap;
};

unsigned heed_simindex_distance(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ b;
    unsigned d = 0;
    while (x) {
        x &= x - 1;
        d++;
    }
    return d;
}

static unsigned band(uint64_t fp, int k)
{
    return (unsigned)(fp >> (16 * k)) & 0xFFFFu;
}

heed_simindex *heed_simindex_new(size_t cap)
{
    if (cap == 0)
        cap = HEED_SIMINDEX_CAP;
    if (cap >= UINT32_MAX)
        cap = UINT32_MAX - 1;
    heed_simindex *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->cap = cap;
    for (int k = 0; k < BANDS; k++) {
        x->head[k] = calloc(BAND_VALUES, sizeof(uint32_t));
        if (!x->head[k]) {
            heed_simindex_free(x);
            return NULL;
        }
    }
    return x;
}

void heed_simindex_free(heed_simindex *x)
{
    if (!x)
        return;
    for (int k = 0; k < BANDS; k++)
        free(x->head[k]);
    free(x->e);
    free(x);
}

void heed_simindex_json(heed_buf *b, const heed_simmatch *m)
{
    heed__buf_adds(b, ",\"canned\":{\"like\":");
    heed_json_uint(b, m->like);
    heed__buf_adds(b, ",\"distance\":");
    heed_json_uint(b, m->distance);
    heed__buf_adds(b, ",\"count\":");
    heed_json_uint(b, m->count);
    heed__buf_addc(b, '}');
}

size_t heed_simindex_size(const heed_simindex *x)
{
    return x->n;
}

int heed_simindex_add(heed_simindex *x, uint64_t fp, uint64_t payload, heed_simmatch *m)
{
    size_t best = SIZE_MAX;
    unsigned best_d = 0;
    for (int k = 0; k < BANDS; k++) {
        for (uint32_t i = x->head[k][band(fp, k)]; i; i = x->e[i - 1].next[k]) {
            size_t at = i - 1;
            unsigned d = heed_simindex_distance(fp, x->e[at].fp);
            if (d <= HEED_SIMINDEX_DISTANCE && at < best) {
                best = at;
                best_d = d;
            }
        }
    }
    if (best == SIZE_MAX && x->n < x->cap) {
        if (x->n == x->alloc) {
            size_t na = x->alloc ? x->alloc * 2 : 256;
            if (na > x->cap)
                na = x->cap;
            entry *ne = realloc(x->e, na * sizeof(*ne));
            if (!ne)
                return -1;
            x->e = ne;
            x->alloc = na;
        }
        entry *e = &x->e[x->n];
        e->fp = fp;
        e->payload = payload;
        e->count = 1;
        for (int k = 0; k < BANDS; k++) {
            e->next[k] = x->head[k][band(fp, k)];
            x->head[k][band(fp, k)] = (uint32_t)(x->n + 1);
        }
        x->n++;
    }
    if (best == SIZE_MAX)
        return 0;
    entry *b = &x->e[best];
    b->count++;
    m->like = b->payload;
    m->distance = best_d;
    m->count = b->count;
    return 1;
}
