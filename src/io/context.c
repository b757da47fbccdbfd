/* context.c - see context.h. An open-addressing table keyed by conversation
 * id; when it fills up, the older half of the conversations is dropped in one
 * sweep. */
#include "context.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

typedef struct entry {
    char *key; /* NULL: empty slot */
    size_t key_len;
    uint64_t hash;
    uint64_t tick; /* last use */
    char *text;
    size_t len, cap;
    int answered; /* an agent turn came after the text: the next customer
                   * message starts a new exchange */
} entry;

struct heed_context {
    entry *slots;
    size_t cap; /* power of two, twice HEED_CONTEXT_CONVERSATIONS at most */
    size_t n;
    uint64_t tick;
    size_t bytes; /* keys and text buffers of all entries */
};

heed_context *heed_context_new(void)
{
    heed_context *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->cap = 64;
    c->slots = calloc(c->cap, sizeof(entry));
    if (!c->slots) {
        free(c);
        return NULL;
    }
    return c;
}

static void entry_free(entry *e)
{
    free(e->key);
    free(e->text);
    memset(e, 0, sizeof(*e));
}

void heed_context_free(heed_context *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        entry_free(&c->slots[i]);
    free(c->slots);
    free(c);
}

static entry *find(heed_context *c, const char *k, size_t n, uint64_t h)
{
    for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        entry *e = &c->slots[i];
        if (!e->key || (e->hash == h && e->key_len == n && !memcmp(e->key, k, n)))
            return e;
    }
}

/* Moves the entries with tick >= keep_from into a table of new_cap slots. */
static int rehash(heed_context *c, size_t new_cap, uint64_t keep_from)
{
    entry *old = c->slots;
    size_t old_cap = c->cap;
    entry *ns = calloc(new_cap, sizeof(entry));
    if (!ns)
        return -1;
    c->slots = ns;
    c->cap = new_cap;
    c->n = 0;
    for (size_t i = 0; i < old_cap; i++) {
        entry *e = &old[i];
        if (!e->key)
            continue;
        if (e->tick < keep_from) {
            c->bytes -= e->key_len + 1 + e->cap;
            entry_free(e);
            continue;
        }
        *find(c, e->key, e->key_len, e->hash) = *e;
        c->n++;
    }
    free(old);
    return 0;
}

static entry *get(heed_context *c, const char *k, size_t n, int create)
{
    if (!k)
        k = "", n = 0;
    uint64_t h = heed__hash(k, n);
    entry *e = find(c, k, n, h);
    if (e->key || !create)
        return e->key ? e : NULL;
    if (c->n >= HEED_CONTEXT_CONVERSATIONS) {
        /* drop the conversations not touched in the last half of the ticks */
        if (rehash(c, c->cap, c->tick - HEED_CONTEXT_CONVERSATIONS / 2))
            return NULL;
    } else if ((c->n + 1) * 2 > c->cap) {
        if (rehash(c, c->cap * 2, 0))
            return NULL;
    }
    e = find(c, k, n, h);
    e->key = malloc(n + 1);
    if (!e->key)
        return NULL;
    memcpy(e->key, k, n);
    e->key[n] = 0;
    e->key_len = n;
    e->hash = h;
    c->bytes += n + 1;
    c->n++;
    return e;
}

int heed_context_customer(heed_context *c, const char *conv, size_t conv_len, const char *text,
                          size_t len)
{
    /* over the byte budget: drop the conversations not touched in the last
     * n/2 ticks (at least half of them: every entry has its own tick) */
    if (c->bytes > HEED_CONTEXT_BYTES && rehash(c, c->cap, c->tick - c->n / 2))
        return -1;
    entry *e = get(c, conv, conv_len, 1);
    if (!e)
        return -1;
    e->tick = ++c->tick;
    if (e->answered) {
        e->len = 0;
        e->answered = 0;
    }
    if (!len)
        return 0;                 /* an empty message adds nothing to answer */
    if (len > HEED_CONTEXT_MAX) { /* keep the latest part */
        text += len - HEED_CONTEXT_MAX;
        len = HEED_CONTEXT_MAX;
    }
    size_t sep = e->len ? 2 : 0;
    size_t need = e->len + sep + len;
    if (need > HEED_CONTEXT_MAX) { /* drop the oldest bytes */
        size_t drop = need - HEED_CONTEXT_MAX;
        if (drop >= e->len) {
            e->len = 0;
            sep = 0;
        } else {
            memmove(e->text, e->text + drop, e->len - drop);
            e->len -= drop;
        }
        need = e->len + sep + len;
    }
    if (need > e->cap) {
        size_t cap = e->cap ? e->cap : 256;
        while (cap < need)
            cap *= 2;
        char *t = realloc(e->text, cap);
        if (!t)
            return -1;
        e->text = t;
        c->bytes += cap - e->cap;
        e->cap = cap;
    }
    if (sep) {
        memcpy(e->text + e->len, "\n\n", 2);
        e->len += 2;
    }
    memcpy(e->text + e->len, text, len);
    e->len += len;
    return 0;
}

void heed_context_agent(heed_context *c, const char *conv, size_t conv_len, const char **text,
                        size_t *len)
{
    *text = NULL;
    *len = 0;
    entry *e = get(c, conv, conv_len, 0);
    if (!e || !e->len)
        return;
    e->tick = ++c->tick;
    e->answered = 1; /* a second agent turn in a row answers the same text */
    *text = e->text;
    *len = e->len;
}

size_t heed_context_bytes(const heed_context *c)
{
    return c->bytes;
}
