/* familiar.h - the familiar-language stage: jargon and internal codes with
 * plain-language suggestions, readability, the customer's details echoed
 * (personalisation) and a SimHash fingerprint for canned-reply detection; and
 * the addressed stage: does the reply meet what the customer asked. Pure: no
 * I/O; the index is immutable after creation. */
#ifndef HEED_FAMILIAR_H
#define HEED_FAMILIAR_H

#include "arena.h"
#include "heed/heed.h"

typedef struct heed_familiar_index heed_familiar_index;

HEED_NODISCARD int heed__familiar_new(heed_familiar_index **out);
void heed__familiar_free(heed_familiar_index *x);

/* Fills r->familiar; ctx (the customer's message) or NULL. HEED_OK or
 * HEED_ENOMEM. */
HEED_NODISCARD int heed__familiar(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                                  const heed_result *ctx);

/* Fills r->addressed from ctx's asks and needs (ctx analysed with the needs
 * stage) and the reply r (its compassion and promises set when those stages
 * ran). ctx NULL leaves addressed.available 0. HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__addressed(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                                   const heed_result *ctx);

#endif
