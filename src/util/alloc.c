/* alloc.c - malloc wrappers with thread-local failure injection for tests. */
#include "alloc.h"

#include <stdlib.h>

static _Thread_local long fail_after = -1;

void heed__alloc_fail_after(long n)
{
    fail_after = n;
}

static int should_fail(void)
{
    if (fail_after < 0)
        return 0;
    if (fail_after == 0)
        return 1;
    fail_after--;
    return 0;
}

void *heed__malloc(size_t n)
{
    return should_fail() ? NULL : malloc(n ? n : 1);
}

void *heed__calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *heed__realloc(void *p, size_t n)
{
    return should_fail() ? NULL : realloc(p, n ? n : 1);
}

void heed__free(void *p)
{
    free(p);
}
