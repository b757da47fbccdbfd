/* links.h - why one customer is the records it is: the records, the keys that
 * linked them and the keys that linked nothing. One loader and one JSON writer
 * for `heed customer why` and GET /v1/customers/{ref}/links, so both agree. */
#ifndef HEED_LINKS_H
#define HEED_LINKS_H

#include <stdint.h>

#include "buf.h"
#include "resolve.h"
#include "store.h"

typedef struct heed_links {
    int64_t person;
    heed_parties P; /* the component of party `person` (resolve.h) */
    size_t c;       /* the customer number in P.res; (size_t)-1: not linked yet */
    heed_id_shared *shared; /* the shared keys this customer's records carry,
                             * counted over the whole store, in a full pass's
                             * order (kind, first record carrying it, token) */
    size_t n_shared;
} heed_links;

/* Resolves the component of party `person` (what a full pass gives it,
 * reading only that component and the carriers of its shared keys) and
 * finds the customer of that party. Release with heed_links_release, also
 * after a failure. HEED_OK or an error. */
int heed_links_load(heed_store *st, int64_t person, heed_links *L, heed_error *err);
void heed_links_release(heed_links *L);
/* 1 when the conflict touches this customer's records. */
int heed_links_conflict_is_mine(const heed_links *L, const heed_id_conflict *k);

/* Appends {"customer":N,"records":[{"record","kind","label","crm","keys":[{"kind",
 * "token"}]}],"links":[{"a","b","kind","token"}],"not_linked":[{"a","b","kind",
 * "token","reason":"crm_conflict"|"unmerged"} | {"kind","token",
 * "shared_by_records","shared_by_customers"}]} (no newline). */
int heed_view_links_json(heed_buf *b, heed_store *st, const heed_links *L, heed_error *err);

/* One record of the "records" array of heed_view_links_json (`first`: no
 * comma before it). */
void heed_links_record_json(heed_buf *b, int first, const heed_st_party *p,
                            const heed_st_key *keys, size_t nk);

#endif
