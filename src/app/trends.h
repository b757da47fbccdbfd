/* trends.h - customer messages of a period grouped by ISO week, channel or
 * top need: volume, customers, stress and needs, and the outcomes of the same
 * rows: conversations, repeat contact, surveys and promises kept or broken.
 * One loader and one JSON writer for `heed trends --json` and GET /v1/trends. */
#ifndef HEED_TRENDS_H
#define HEED_TRENDS_H

#include <stdint.h>

#include "buf.h"
#include "heed/heed.h"
#include "store.h"

#define HEED_TRENDS_HIGH_STRESS 60.0 /* a message at or above this is high-stress */

enum { HEED_TRENDS_WEEK, HEED_TRENDS_CHANNEL, HEED_TRENDS_NEED };

/* Promise figures of a row: made, then one per HEED_PM_* status. */
enum {
    HEED_TRENDS_PROM_MADE,
    HEED_TRENDS_PROM_KEPT,
    HEED_TRENDS_PROM_KEPT_LATE,
    HEED_TRENDS_PROM_BROKEN,
    HEED_TRENDS_PROM_PENDING,
    HEED_TRENDS_PROM_COUNT
};

typedef struct heed_trend_row {
    char key[64];
    size_t messages, customers, scored, high_stress;
    double stress_sum;
    size_t needs[HEED_NEED_COUNT];
    /* outcomes */
    size_t conversations;    /* with a customer message in the row */
    size_t repeat_customers; /* customers who wrote in 2+ of those */
    size_t surveys, csat_n, nps_n, nps_promoters, nps_detractors, ces_n;
    double csat_sum, ces_sum;
    size_t promises[HEED_TRENDS_PROM_COUNT];
} heed_trend_row;

/* "week", "channel", "need" -> HEED_TRENDS_*; -1 otherwise. */
int heed_trends_by(const char *name);
/* The rows of [from, to) grouped by `by`, ordered by key: *out (free()).
 * Messages and surveys of the period count by their own time (week) or their
 * conversation's channel and top need (the most frequent need of its customer
 * messages, ties to the one seen first; "(none)" without a conversation);
 * promises made in the period up to `now` likewise by the time they were made,
 * each kept, kept late, broken or pending as of `now` as the customer's
 * journey decides it (heed_person_decide). HEED_OK or an error. */
int heed_trends_load(heed_store *st, int64_t from, int64_t to, int64_t now, int by,
                     heed_trend_row **out, size_t *n, heed_error *err);
/* The row's CSAT (mean), NPS (% promoters 9-10 minus % detractors 0-6) or
 * CES (mean) for kind HEED_SURVEY_CSAT, _NPS or _CES into *v: 1, or 0 when
 * the row has no survey of that kind. */
int heed_trend_survey_score(const heed_trend_row *t, int kind, double *v);

/* Appends {"from","to","by","rows":[{"key","messages","customers","mean_stress",
 * "high_stress","needs":{"refund":n,...},"outcomes":{"conversations",
 * "repeat_customers","surveys":{"n","csat","nps","ces"},"promises":{"made",
 * "kept","kept_late","broken","pending"}}}]} (no newline). */
void heed_view_trends_json(heed_buf *b, int64_t from, int64_t to, int by,
                           const heed_trend_row *rows, size_t n);

#endif
