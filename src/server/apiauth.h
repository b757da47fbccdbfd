/* apiauth.h - API keys of the HTTP API: making a key, its keyed hash, and the
 * server's in-memory table of the store's keys with a token bucket per key.
 *
 * A key is "heed_" + 52 base32 characters (32 random bytes). Keys are random
 * and high-entropy, not passwords a person chose, so a slow password hash would
 * add cost without adding safety: the store keeps BLAKE2b (libsodium's
 * crypto_generichash) of the key, keyed with the store's secret, and a request
 * costs one such hash (well under a microsecond). */
#ifndef HEED_APIAUTH_H
#define HEED_APIAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define HEED_SRV_KEY_PREFIX "heed_"
#define HEED_SRV_KEY_LEN 57       /* "heed_" + 52 */
#define HEED_SRV_KEY_SHOWN 9      /* characters kept as the key's prefix: "heed_abcd" */

/* Writes a new random key, NUL-terminated. Returns 0 or -1 (libsodium failed
 * to initialise). */
int heed_srv_key_generate(char out[HEED_SRV_KEY_LEN + 1]);
/* The keyed hash the store keeps. */
void heed_srv_key_hash(const char *key, size_t len, const unsigned char secret[HEED_STORE_SECRET_LEN],
                       unsigned char out[HEED_ST_KEYHASH_LEN]);

/* Who a request's key belongs to. */
typedef struct heed_srv_identity {
    int64_t id;      /* the key's id (heed key list) */
    unsigned role;   /* one HEED_SRV_ROLE_* bit */
    char team[64];   /* "" none */
    char agent[64];  /* "" none */
} heed_srv_identity;

typedef struct heed_srv_keys heed_srv_keys;

/* rate: requests per second per key (0: no limit); burst: the bucket's size
 * (0: max(rate, 1)). */
int heed_srv_keys_new(const unsigned char secret[HEED_STORE_SECRET_LEN], double rate,
                      double burst, heed_srv_keys **out);
void heed_srv_keys_free(heed_srv_keys *k);
/* Replaces the table with the store's active keys; keys that stay keep their
 * bucket and last-used time. Safe while requests are being checked. */
int heed_srv_keys_load(heed_srv_keys *k, heed_store *st, heed_error *err);
/* Writes the last-used times that moved since the last flush. */
int heed_srv_keys_flush(heed_srv_keys *k, heed_store *st, heed_error *err);

enum { HEED_SRV_AUTH_OK = 0, HEED_SRV_AUTH_UNKNOWN = 1, HEED_SRV_AUTH_LIMITED = 2 };

/* Checks a presented key and takes one token from its bucket. Returns
 * HEED_SRV_AUTH_OK with *who filled, HEED_SRV_AUTH_UNKNOWN (no such active
 * key) or HEED_SRV_AUTH_LIMITED with *who filled and *retry_after the seconds
 * until a token is back (at least 1). Thread-safe. */
int heed_srv_keys_check(heed_srv_keys *k, const char *key, size_t len, heed_srv_identity *who,
                        int *retry_after);

#endif
