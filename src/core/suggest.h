/* suggest.h - the reply checker's rules: from a draft reply's analysis (its
 * reply stages) and the customer's (listening stages), suggestions in plain
 * words tied to evidence. Pure: no I/O. Rules in docs/check-reply.md. */
#ifndef HEED_SUGGEST_H
#define HEED_SUGGEST_H

#include "arena.h"
#include "heed/heed.h"

/* Fills r->suggestions (most important first). cust is the customer's
 * message analysed with the listening stages, or NULL. HEED_OK or
 * HEED_ENOMEM. */
HEED_NODISCARD int heed__suggest(heed_arena *a, heed_result *r, const heed_result *cust);

#endif
