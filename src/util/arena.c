/* arena.c - bump allocator in growing chunks (see arena.h). */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define ARENA_MIN_CHUNK ((size_t)16 * 1024)

void heed__arena_init(heed_arena *a, size_t limit)
{
    a->head = NULL;
    a->total = 0;
    a->limit = limit;
}

size_t heed__arena_first_size(size_t n)
{
    return sizeof(heed_arena_chunk) + n;
}

void heed__arena_init_in(heed_arena *a, size_t limit, void *mem, size_t n)
{
    heed_arena_chunk *c = mem;
    c->next = NULL;
    c->size = n;
    c->used = 0;
    c->borrowed = 1;
    a->head = c;
    a->total = n;
    a->limit = limit;
}

void heed__arena_release(heed_arena *a)
{
    heed_arena_chunk *c = a->head;
    while (c) {
        heed_arena_chunk *next = c->next;
        if (!c->borrowed)
            heed__free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

void *heed__arena_alloc_slow(heed_arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n)
        return NULL;
    heed_arena_chunk *c = a->head;
    if (c && c->size - c->used >= need) {
        void *p = c->data + c->used;
        c->used += need;
        return p;
    }
    size_t size = c ? c->size * 2 : ARENA_MIN_CHUNK;
    if (size < need)
        size = need;
    if (size > SIZE_MAX - sizeof(*c))
        return NULL;
    if (a->limit && (a->total + size > a->limit || a->total + size < a->total))
        return NULL;
    heed_arena_chunk *nc = heed__malloc(sizeof(*nc) + size);
    if (!nc)
        return NULL;
    nc->next = c;
    nc->size = size;
    nc->used = need;
    nc->borrowed = 0;
    a->head = nc;
    a->total += size;
    return nc->data;
}

void *heed__arena_calloc(heed_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = heed__arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *heed__arena_memdup(heed_arena *a, const void *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = heed__arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}
