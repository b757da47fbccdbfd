/* empathy.h - the empathy stage: three EPITOME mechanisms (emotional reaction,
 * interpretation, exploration), each none/weak/strong, scored on the pair
 * (customer message, reply), with evidence spans in the reply. Pure: no I/O;
 * a model is immutable after loading and may be shared by threads. */
#ifndef HEED_EMPATHY_H
#define HEED_EMPATHY_H

#include <stddef.h>

#include "arena.h"
#include "heed/heed.h"

typedef struct heed_empathy_model heed_empathy_model;

/* Loads an empathy model from [bytes, bytes+len) (copied). len 0 is "no model":
 * HEED_OK with *out NULL. Errors: HEED_EMODEL with err->msg, HEED_ENOMEM. */
HEED_NODISCARD int heed__empathy_new(const void *bytes, size_t len, heed_empathy_model **out,
                                     heed_error *err);
void heed__empathy_free(heed_empathy_model *m);

/* Fills r->empathy for the reply in r (tokens, sentences, valence set); ctx is
 * the analysed customer message it answers, or NULL. m NULL leaves
 * empathy.available 0. Returns HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__empathy(const heed_empathy_model *m, heed_arena *a, heed_result *r,
                                 const heed_result *ctx);

#endif
