/* explain.h - the readable per-message evidence of `heed analyze --explain`. */
#ifndef HEED_EXPLAIN_H
#define HEED_EXPLAIN_H

#include <stddef.h>

#include "buf.h"
#include "heed/heed.h"

/* Appends one message's block: header (#n id [role]), the text, then each
 * stage that ran with its scores and the spans behind them. */
void heed_explain(heed_buf *b, size_t index, const char *id, size_t id_len, const char *role,
                  size_t role_len, const heed_result *r);

/* Appends the reply stages' lines (empathy, compassion, promises, readability
 * and jargon, personal cues, addressed) of an agent turn; nothing when none
 * ran. */
void heed_explain_reply(heed_buf *b, const heed_result *r);

#endif
