/* resolve.h - parties resolved into persons (resolve.c): the full and the
 * incremental identity pass, the check of the store against a full pass, and
 * one party's component with the explanations for `heed customer why`. */
#ifndef HEED_RESOLVE_H
#define HEED_RESOLVE_H

#include <stdint.h>

#include "buf.h"
#include "identity.h"
#include "store.h"

/* Parties resolved with the explanations (heed_identity_resolve): the
 * component of the key graph one party belongs to, for `heed customer why`
 * and the incremental pass. */
typedef struct heed_parties {
    size_t n;
    int64_t *id;          /* party ids, ascending */
    char *silo;           /* HEED_SILO_* */
    heed_id_record *rec;  /* rec[i]: party id[i], without its shared keys */
    heed_id_key *keys;    /* the records' keys */
    heed_id_key *shared;  /* party i's keys shared by several CRM ids (they link
                           * nothing): shared[shared_first[i] .. shared_first[i + 1]) */
    size_t *shared_first; /* [n + 1] */
    heed_id_unmerge *rules;
    size_t n_rules;
    heed_id_result res;
    int64_t *person; /* indexed by customer number (res.customer[i]) */
    heed_buf pool;   /* the tokens, NUL-terminated */
} heed_parties;

/* Resolves the component of party's key graph (every party joined to it by
 * a CRM id or by a key that is not shared, transitively; docs/store.md,
 * "Identity") with its unmerge rules. Its customers, links and conflicts are
 * those a full pass gives them (the proof is in resolve.c). Reads only that
 * component through the store's indexes, so memory grows with it, not with
 * the store. P->n is 0 when there is no such party. Release with
 * heed_parties_release, also after a failure. HEED_OK or an error. */
int heed_parties_component(heed_store *st, int64_t party, heed_parties *P, heed_error *err);
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
/* From this many new or changed parties on, the incremental pass runs the
 * full pass instead when they are at least a quarter of the store's. */
#define HEED_RELINK_FULL_SEEDS 1024

/* Re-links every party into persons and stores the result in one
 * transaction (rolled back on failure). out (may be NULL) gets the counts.
 * Returns HEED_OK or an error with err set. */
int heed_relink_store(heed_store *st, heed_relink_stats *out, heed_error *err);

/* The identity pass after an import: re-links only the parties not linked
 * yet (new, or whose keys changed) and the components of the key graph they
 * reach, with the result a full pass would give (why: resolve.c). Falls back
 * to heed_relink_store when no party is linked yet, when the parties not
 * linked are many (HEED_RELINK_FULL_SEEDS) and a quarter of all, or when the
 * walk means more than max_parties parties (0: HEED_RELINK_MAX_PARTIES).
 * Needs every other party to hold the person a full
 * pass gives, which every pass leaves. out NULL: no counts (the store's are
 * not read). Returns as heed_relink_store. */
int heed_relink_incremental(heed_store *st, size_t max_parties, heed_relink_stats *out,
                            heed_error *err);

/* Runs a full pass without writing (as heed_relink_store: no key held as a
 * string) and calls fn, in party id order, for each party whose stored
 * person differs from it (stored 0: not linked); *n_diff gets their number.
 * For tests and `heed customer check`. */
typedef int (*heed_relink_diff_fn)(void *ctx, int64_t party, int64_t stored, int64_t full);
int heed_relink_check(heed_store *st, heed_relink_diff_fn fn, void *ctx, size_t *n_diff,
                      heed_error *err);

#endif
