/* timexpr.h - time expressions in a reply ("by Friday", "within 3 working
 * days", "tomorrow before 1pm", "by the 14th") found over tokens and resolved
 * against the message time and the writer's UTC offset. Used by the compassion
 * stage (the time-frame signal) and the promises. Pure: no I/O, no state. */
#ifndef HEED_TIMEXPR_H
#define HEED_TIMEXPR_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

/* The message time a due date is resolved against. */
typedef struct heed_timebase {
    int has_time;      /* 0: nothing is resolved (has_due stays 0) */
    int64_t time;      /* Unix seconds, UTC */
    int tz_offset_min; /* the writer's offset from UTC, minutes */
} heed_timebase;

typedef struct heed_timexpr {
    size_t first, n; /* tokens of the expression */
    int forward;     /* 1: looks forward by its form ("by", "within", "in 2
                      * hours", "tomorrow", "next week"); 0: needs a future
                      * clause to be a time frame ("today", "on Monday") */
    int has_due;     /* 1: due is set */
    int64_t due;     /* Unix seconds, UTC: end of the window (docs/promises.md) */
} heed_timexpr;

/* Matches a time expression that starts at toks[i], within [i, hi). Returns
 * the number of tokens matched and fills *out, or 0 when none starts there. */
size_t heed__timexpr_at(const heed_token *toks, size_t i, size_t hi, const heed_timebase *tb,
                        heed_timexpr *out);

/* The k-th word (NUL-terminated, static) an expression can start with when
 * its first token is no number or date, NULL past the last: a token whose
 * norm is none of these words (nor a number or date) starts no expression,
 * so a caller that knows it may skip heed__timexpr_at there. */
const char *heed__timexpr_start_word(size_t k);

/* heed__timexpr_at through every rule at every token, without its check of
 * the words an expression can start with (tests compare the two). */
size_t heed__timexpr_match(const heed_token *toks, size_t i, size_t hi, const heed_timebase *tb,
                           heed_timexpr *out);

/* Civil date helpers (proleptic Gregorian), exposed for tests. */
int64_t heed__days_from_civil(int64_t y, int m, int d);
void heed__civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
