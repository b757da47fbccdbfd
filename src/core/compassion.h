/* compassion.h - the compassion stage: signals of concrete action that solves
 * the customer's problem (ownership, action, next step, time frame,
 * resolution, offer of help) and their opposites (deflection, policy wall,
 * blame, "nothing we can do", generic apology), each with evidence; and the
 * promises in a reply. Pure: no I/O; the index is immutable after creation. */
#ifndef HEED_COMPASSION_H
#define HEED_COMPASSION_H

#include "arena.h"
#include "heed/heed.h"

typedef struct heed_compassion_index heed_compassion_index;

/* Builds the phrase tables. HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__compassion_new(heed_compassion_index **out);
void heed__compassion_free(heed_compassion_index *x);

/* Fills r->compassion (tokens and sentences of r set; ctx, the customer's
 * message, or NULL). HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__compassion(const heed_compassion_index *x, heed_arena *a,
                                    heed_result *r, const heed_result *ctx);

/* Fills r->promises; opts gives the message time for resolving due times.
 * HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__promises(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                                  const heed_analyze_opts *opts);

#endif
