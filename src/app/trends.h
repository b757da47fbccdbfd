/* trends.h - customer messages of a period grouped by ISO week, channel or
 * top need: volume, customers, stress and needs. One loader and one JSON
 * writer for `heed trends --json` and GET /v1/trends. */
#ifndef HEED_TRENDS_H
#define HEED_TRENDS_H

#include <stdint.h>

#include "buf.h"
#include "heed/heed.h"
#include "store.h"

#define HEED_TRENDS_HIGH_STRESS 60.0 /* a message at or above this is high-stress */

enum { HEED_TRENDS_WEEK, HEED_TRENDS_CHANNEL, HEED_TRENDS_NEED };

typedef struct heed_trend_row {
    char key[64];
    size_t messages, customers, scored, high_stress;
    double stress_sum;
    size_t needs[HEED_NEED_COUNT];
} heed_trend_row;

/* "week", "channel", "need" -> HEED_TRENDS_*; -1 otherwise. */
int heed_trends_by(const char *name);
/* The rows of [from, to) grouped by `by`, ordered by key: *out (free()).
 * HEED_OK or an error. */
int heed_trends_load(heed_store *st, int64_t from, int64_t to, int by, heed_trend_row **out,
                     size_t *n, heed_error *err);
/* Appends {"from","to","by","rows":[{"key","messages","customers","mean_stress",
 * "high_stress","needs":{"refund":n,...}}]} (no newline). */
void heed_view_trends_json(heed_buf *b, int64_t from, int64_t to, int by,
                           const heed_trend_row *rows, size_t n);

#endif
