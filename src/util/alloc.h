/* alloc.h - the library's one door to malloc, so tests can make the k-th
 * allocation fail (failure injection) and check that every path cleans up. */
#ifndef HEED_ALLOC_H
#define HEED_ALLOC_H

#include <stddef.h>

void *heed__malloc(size_t n);
/* n zeroed items of `size` bytes (calloc: fresh pages are not written). */
void *heed__calloc(size_t n, size_t size);
void *heed__realloc(void *p, size_t n);
void heed__free(void *p);

/* Test hook: after `n` more successful allocations, every allocation fails
 * until reset with a negative n. Thread-local, so concurrent tests and
 * analyses on other threads are untouched. */
void heed__alloc_fail_after(long n);

#endif
