/* simindex.h - an index of 64-bit SimHash fingerprints for finding near
 * duplicates ("canned" replies) across a corpus, in input order. Used by
 * `heed analyze` on agent replies (heed_result.familiar.simhash); see
 * docs/conversations.md.
 *
 * Search is by bands: the 64 bits are cut into 4 bands of 16, and each band
 * value points to the fingerprints that hold it. Two fingerprints at Hamming
 * distance <= 3 differ in at most 3 bands, so they share at least one band
 * exactly: looking up the 4 bands of a fingerprint finds every stored one
 * within distance 3, and no stored fingerprint is compared otherwise.
 *
 * Memory is bounded: a fixed 1 MiB of band heads plus 40 bytes per
 * fingerprint kept (the first reply of each group), at most `cap` of them. Not thread-safe: one
 * caller. */
#ifndef HEED_SIMINDEX_H
#define HEED_SIMINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Largest Hamming distance counted as a near duplicate. 3 of 64 bits is the
 * threshold Manku et al. (2007) found for near-duplicate web pages with 64-bit
 * SimHash; the band index above is exact for it. */
#define HEED_SIMINDEX_DISTANCE 3

/* Default number of fingerprints kept (10 MiB of entries at most). */
#define HEED_SIMINDEX_CAP ((size_t)1 << 18)

typedef struct heed_simindex heed_simindex;

/* A near duplicate found by heed_simindex_add. */
typedef struct heed_simmatch {
    uint64_t like;     /* the payload of the earliest kept fingerprint within
                        * HEED_SIMINDEX_DISTANCE of the new one */
    unsigned distance; /* Hamming distance between the two, 0..3 */
    uint64_t count;    /* replies seen so far that named `like` (the new one
                        * included) plus `like` itself: 2 for the first copy */
} heed_simmatch;

/* A new empty index keeping at most cap distinct fingerprints (0: the
 * default HEED_SIMINDEX_CAP; at most UINT32_MAX - 1). NULL when out of
 * memory. Free with heed_simindex_free. */
heed_simindex *heed_simindex_new(size_t cap);

/* NULL does nothing. */
void heed_simindex_free(heed_simindex *x);

/* Looks fp up. Returns 1 and fills *m when a kept fingerprint is within
 * HEED_SIMINDEX_DISTANCE (the earliest kept one; its count goes up by one).
 * Otherwise keeps fp with `payload` (e.g. a record index) as the first of a
 * new group, unless the index holds `cap` fingerprints already (then later
 * fingerprints are still looked up but no longer kept), and returns 0.
 * Near duplicates are not kept: each is compared with the first reply of a
 * group, never with another copy. Returns -1 when out of memory (the index is
 * unchanged and usable). */
int heed_simindex_add(heed_simindex *x, uint64_t fp, uint64_t payload, heed_simmatch *m);

/* Appends the member `,"canned":{"like":L,"distance":D,"count":N}` that
 * `heed analyze` adds to a reply's record (docs/conversations.md). */
void heed_simindex_json(heed_buf *b, const heed_simmatch *m);

/* Number of fingerprints kept. */
size_t heed_simindex_size(const heed_simindex *x);

/* Hamming distance between two fingerprints. */
unsigned heed_simindex_distance(uint64_t a, uint64_t b);

#endif
