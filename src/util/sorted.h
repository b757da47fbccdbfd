/* sorted.h - lookups in sorted arrays. */
#ifndef HEED_SORTED_H
#define HEED_SORTED_H

#include <stddef.h>
#include <stdint.h>

/* The position of x in v[0..n), sorted ascending, or SIZE_MAX. */
static inline size_t heed__i64_index(const int64_t *v, size_t n, int64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x ? lo : SIZE_MAX;
}

#endif
