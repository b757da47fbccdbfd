/* apiauth.c - API keys (apiauth.h): generation, keyed hash, and the table the
 * server checks requests against: sorted by hash behind a read-write lock,
 * reloaded from the store in the background, one token bucket per key. */
#include "apiauth.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "router.h"

typedef struct entry {
    unsigned char hash[HEED_ST_KEYHASH_LEN];
    heed_srv_identity who;
    pthread_mutex_t mu; /* the bucket */
    double tokens, last;
    _Atomic int64_t used;
    int64_t used_stored;
} entry;

struct heed_srv_keys {
    unsigned char secret[HEED_STORE_SECRET_LEN];
    double rate, burst;
    pthread_rwlock_t lock;
    entry *e;
    size_t n;
};

int heed_srv_key_generate(char out[HEED_SRV_KEY_LEN + 1])
{
    static const char B32[] = "abcdefghijklmnopqrstuvwxyz234567";
    if (sodium_init() < 0)
        return -1;
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, HEED_SRV_KEY_PREFIX, 5);
    size_t o = 5;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < sizeof raw; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = B32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits)
        out[o++] = B32[(acc << (5 - bits)) & 31];
    out[o] = 0;
    sodium_memzero(raw, sizeof raw);
    return o == HEED_SRV_KEY_LEN ? 0 : -1;
}

void heed_srv_key_hash(const char *key, size_t len, const unsigned char secret[HEED_STORE_SECRET_LEN],
                       unsigned char out[HEED_ST_KEYHASH_LEN])
{
    crypto_generichash(out, HEED_ST_KEYHASH_LEN, (const unsigned char *)key, len, secret,
                       HEED_STORE_SECRET_LEN);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int heed_srv_keys_new(const unsigned char secret[HEED_STORE_SECRET_LEN], double rate,
                      double burst, heed_srv_keys **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return HEED_EINVAL;
    heed_srv_keys *k = calloc(1, sizeof *k);
    if (!k)
        return HEED_ENOMEM;
    memcpy(k->secret, secret, HEED_STORE_SECRET_LEN);
    k->rate = rate > 0 ? rate : 0;
    k->burst = burst > 0 ? burst : (rate > 1 ? rate : 1);
    pthread_rwlock_init(&k->lock, NULL);
    *out = k;
    return HEED_OK;
}

static void free_entries(entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pthread_mutex_destroy(&e[i].mu);
    free(e);
}

void heed_srv_keys_free(heed_srv_keys *k)
{
    if (!k)
        return;
    free_entries(k->e, k->n);
    pthread_rwlock_destroy(&k->lock);
    sodium_memzero(k->secret, sizeof k->secret);
    free(k);
}

typedef struct loading {
    entry *e;
    size_t n, cap;
    double now, burst;
    int oom;
} loading;

static int collect(void *ctx, const heed_st_apikey *a)
{
    loading *L = ctx;
    unsigned role = heed_srv_role_bit(a->role ? a->role : "");
    if (a->revoked || !role)
        return 0;
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 16;
        entry *e = realloc(L->e, cap * sizeof *e);
        if (!e) {
            L->oom = 1;
            return HEED_ENOMEM;
        }
        L->e = e;
        L->cap = cap;
    }
    entry *x = &L->e[L->n++];
    memset(x, 0, sizeof *x);
    memcpy(x->hash, a->hash, sizeof x->hash);
    x->who.id = a->id;
    x->who.role = role;
    snprintf(x->who.team, sizeof x->who.team, "%s", a->team ? a->team : "");
    snprintf(x->who.agent, sizeof x->who.agent, "%s", a->agent ? a->agent : "");
    x->tokens = L->burst;
    x->last = L->now;
    atomic_init(&x->used, a->last_used);
    x->used_stored = a->last_used;
    return 0;
}

static int by_hash(const void *a, const void *b)
{
    return memcmp(((const entry *)a)->hash, ((const entry *)b)->hash, HEED_ST_KEYHASH_LEN);
}

int heed_srv_keys_load(heed_srv_keys *k, heed_store *st, heed_error *err)
{
    loading L = {.now = mono(), .burst = k->burst};
    int rc = heed_store_apikeys(st, collect, &L, err);
    if (rc) {
        free(L.e);
        return L.oom ? HEED_ENOMEM : rc;
    }
    for (size_t i = 0; i < L.n; i++)
        pthread_mutex_init(&L.e[i].mu, NULL);
    if (L.n)
        qsort(L.e, L.n, sizeof *L.e, by_hash);
    pthread_rwlock_wrlock(&k->lock);
    /* keys that stay keep their bucket and last use (tables are small) */
    for (size_t i = 0; i < L.n; i++)
        for (size_t j = 0; j < k->n; j++)
            if (k->e[j].who.id == L.e[i].who.id) {
                L.e[i].tokens = k->e[j].tokens;
                L.e[i].last = k->e[j].last;
                int64_t u = atomic_load(&k->e[j].used);
                if (u > atomic_load(&L.e[i].used))
                    atomic_store(&L.e[i].used, u);
                break;
            }
    entry *old = k->e;
    size_t old_n = k->n;
    k->e = L.e;
    k->n = L.n;
    pthread_rwlock_unlock(&k->lock);
    free_entries(old, old_n);
    return HEED_OK;
}

int heed_srv_keys_flush(heed_srv_keys *k, heed_store *st, heed_error *err)
{
    int rc = HEED_OK;
    pthread_rwlock_rdlock(&k->lock);
    for (size_t i = 0; i < k->n && !rc; i++) {
        int64_t u = atomic_load(&k->e[i].used);
        if (u > k->e[i].used_stored) {
            rc = heed_store_apikey_touch(st, k->e[i].who.id, u, err);
            if (!rc)
                k->e[i].used_stored = u; /* only the flushing thread writes it */
        }
    }
    pthread_rwlock_unlock(&k->lock);
    return rc;
}

int heed_srv_keys_check(heed_srv_keys *k, const char *key, size_t len, heed_srv_identity *who,
                        int *retry_after)
{
    entry probe;
    heed_srv_key_hash(key, len, k->secret, probe.hash);
    int ret = HEED_SRV_AUTH_UNKNOWN;
    pthread_rwlock_rdlock(&k->lock);
    /* the hashes are keyed with a secret, so the time the search takes tells
     * a caller nothing about which keys exist */
    entry *e = k->n ? bsearch(&probe, k->e, k->n, sizeof *k->e, by_hash) : NULL;
    if (e) {
        *who = e->who;
        ret = HEED_SRV_AUTH_OK;
        if (k->rate > 0) {
            double now = mono();
            pthread_mutex_lock(&e->mu);
            e->tokens += (now - e->last) * k->rate;
            if (e->tokens > k->burst)
                e->tokens = k->burst;
            e->last = now;
            if (e->tokens >= 1.0) {
                e->tokens -= 1.0;
            } else {
                ret = HEED_SRV_AUTH_LIMITED;
                double wait = (1.0 - e->tokens) / k->rate;
                *retry_after = wait < 1 ? 1 : (int)ceil(wait);
            }
            pthread_mutex_unlock(&e->mu);
        }
        int64_t now_s = (int64_t)time(NULL);
        if (atomic_load_explicit(&e->used, memory_order_relaxed) < now_s)
            atomic_store_explicit(&e->used, now_s, memory_order_relaxed);
    }
    pthread_rwlock_unlock(&k->lock);
    return ret;
}
