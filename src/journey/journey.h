/* journey.h - the journey layer's decision logic in one include: identity
 * resolution, promise checking, the act-now queue and agent care. Plain
 * arrays of structs in, caller-owned results out; no I/O, no global state,
 * every function safe to call from several threads on different data. */
#ifndef HEED_JOURNEY_H
#define HEED_JOURNEY_H

#include "identity.h"
#include "promises_match.h"
#include "queue.h"
#include "care.h"

#endif
