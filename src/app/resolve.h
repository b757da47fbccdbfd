/* resolve.h - every party in the store resolved into persons (resolve.c),
 * for the import's identity pass and `heed customer why`. */
#ifndef HEED_RESOLVE_H
#define HEED_RESOLVE_H

#include <stdint.h>

#include "buf.h"
#include "identity.h"
#include "store.h"

typedef struct heed_parties {
    size_t n, cap, rec_cap, kind_cap, crm_off_cap, key_first_cap;
    int64_t *id;           /* party ids, ascending */
    char *kind;            /* HEED_SILO_* */
    size_t *crm_off;       /* offset of the CRM id in pool, or (size_t)-1 */
    size_t *key_first;     /* the party's first key in keys */
    heed_id_record *rec;
    heed_id_key *keys;
    size_t *key_off;
    size_t n_keys, keys_cap, key_off_cap;
    heed_buf pool;
    heed_id_unmerge *rules;
    size_t n_rules;
    heed_id_result res;
    int64_t *person;       /* indexed by customer number (res.customer[i]) */
} heed_parties;

/* Loads and resolves every party; release with heed_parties_release (also
 * after a failure). */
int heed_parties_resolve(heed_store *st, heed_parties *P, heed_error *err);
void heed_parties_release(heed_parties *P);
/* The index of party id in P (ids ascend), or (size_t)-1. */
size_t heed_parties_index(const heed_parties *P, int64_t id);

typedef struct heed_relink_stats {
    size_t records, customers; /* in the store */
    size_t shared_unused, conflicts; /* among the re-linked records */
    size_t relinked;  /* records re-resolved */
    int full;         /* 1: every record was (the full pass ran) */
} heed_relink_stats;

/* The incremental pass's default limit on the parties it re-resolves. */
#define HEED_RELINK_MAX_PARTIES 100000

/* Re-links every party into persons and stores the result in one
 * transaction (rolled back on failure). out (may be NULL) gets the counts.
 * Returns HEED_OK or an error with err set. */
int heed_relink_store(heed_store *st, heed_relink_stats *out, heed_error *err);

/* The identity pass after an import: re-links only the parties not linked
 * yet (new, or whose keys changed) and the components of the key graph they
 * reach, with the result a full pass would give (why: resolve.c). Falls back
 * to heed_relink_store when that means more than max_parties parties (0:
 * HEED_RELINK_MAX_PARTIES). Needs every other party to hold the person a full
 * pass gives, which every pass leaves. Returns as heed_relink_store. */
int heed_relink_incremental(heed_store *st, size_t max_parties, heed_relink_stats *out,
                            heed_error *err);

/* Runs a full resolve without writing and calls fn for each party whose
 * stored person differs from it (stored 0: not linked); *n_diff gets their
 * number. For tests and `heed customer check`. */
typedef int (*heed_relink_diff_fn)(void *ctx, int64_t party, int64_t stored, int64_t full);
int heed_relink_check(heed_store *st, heed_relink_diff_fn fn, void *ctx, size_t *n_diff,
                      heed_error *err);

#endif
