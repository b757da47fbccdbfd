/* arena.h - a bump allocator: one analysis allocates its tokens and tables here
 * and frees them all at once. Not thread-safe; one arena belongs to one thread. */
#ifndef HEED_ARENA_H
#define HEED_ARENA_H

#include <stddef.h>

typedef struct heed_arena_chunk heed_arena_chunk;

/* A chunk: in the header so that the common allocation (room left in the
 * newest chunk) inlines into its callers. */
struct heed_arena_chunk {
    heed_arena_chunk *next;
    size_t size, used;
    int borrowed; /* the caller's memory (heed__arena_init_in): not freed */
    _Alignas(16) unsigned char data[];
};

typedef struct heed_arena {
    heed_arena_chunk *head; /* newest chunk first */
    size_t total;           /* bytes obtained from malloc */
    size_t limit;           /* 0: no limit; else allocations past it fail */
} heed_arena;

/* An all-zero arena is empty and ready. */
void heed__arena_init(heed_arena *a, size_t limit);
/* Bytes a caller-provided first chunk needs for `n` bytes of room (its header
 * included), and an arena that starts in such memory (aligned like malloc's,
 * owned by the caller, never freed by the arena): one allocation fewer for a
 * short-lived arena that lives inside another object. */
size_t heed__arena_first_size(size_t n);
void heed__arena_init_in(heed_arena *a, size_t limit, void *mem, size_t n);
/* Frees every chunk; the arena is empty and reusable afterwards. */
void heed__arena_release(heed_arena *a);
/* The allocation that needs a new chunk (or fails). */
void *heed__arena_alloc_slow(heed_arena *a, size_t n);

/* Aligned (16) memory of n bytes, or NULL when out of memory or past the limit. */
static inline void *heed__arena_alloc(heed_arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    heed_arena_chunk *c = a->head;
    if (need >= n && c && c->size - c->used >= need) {
        void *p = c->data + c->used;
        c->used += need;
        return p;
    }
    return heed__arena_alloc_slow(a, n);
}
/* Like alloc, zero-filled. */
void *heed__arena_calloc(heed_arena *a, size_t count, size_t size);
/* Copy of [p, p+n) plus a NUL byte, or NULL. */
char *heed__arena_memdup(heed_arena *a, const void *p, size_t n);

#endif
