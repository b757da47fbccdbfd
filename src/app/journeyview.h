/* journeyview.h - the act-now queue and one customer's journey as JSON
 * (journeyview.c): the objects `heed queue --json` and `heed journey --json`
 * print and GET /v1/queue and /v1/customers/{ref}/journey answer. */
#ifndef HEED_JOURNEYVIEW_H
#define HEED_JOURNEYVIEW_H

#include <stdint.h>

#include "buf.h"
#include "person.h"
#include "store.h"

/* The time the materialised queue was last computed as of; 0: never. */
int64_t heed_queue_as_of(heed_store *st);

/* One queue entry {"rank","customer","crm","score",...} appended to b. */
void heed_view_queue_item(heed_buf *b, int rank, const heed_st_state *s);

/* The customer's stress over time: their messages in time order, each with
 * the highest faded stress up to it. Fading is a factor per second, so the
 * running maximum faded from one message to the next equals the maximum over
 * every earlier message faded to a later time (heed_queue_stress_now), and a
 * lookup is a binary search: recomputed for every line, a journey of n
 * messages took O(n^2) fades (74 ms for 2,001 messages). */
typedef struct heed_stress_curve {
    int64_t *t;
    double *peak;
    size_t n;
} heed_stress_curve;

/* Builds the curve; on allocation failure it is empty and reads 0. */
void heed_stress_curve_init(heed_stress_curve *c, const heed_person *P);
void heed_stress_curve_release(heed_stress_curve *c);
/* The customer's stress at time t: their messages up to t, faded. */
double heed_stress_curve_at(const heed_stress_curve *c, int64_t t);

/* One timeline entry of a loaded person. */
typedef struct heed_tl_item {
    int64_t time;
    int kind; /* 0 message, 1 event, 2 survey */
    size_t i; /* index into P's msgs, events or surveys */
} heed_tl_item;

/* The person's messages, events and surveys up to now in timeline order:
 * *out malloc'd (free()), *n_out entries. 0, or -1 when out of memory. */
int heed_journey_timeline(const heed_person *P, int64_t now, heed_tl_item **out, size_t *n_out);

/* The journey object of a loaded and decided person, appended to b. */
void heed_view_journey_json(heed_buf *b, const heed_person *P, const heed_tl_item *tl, size_t n,
                            int64_t now);

/* Names of needs and promise kinds by number. */
extern const char *const heed_view_need_names[];
extern const char *const heed_view_promise_names[];

#endif
