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

/* The customer's stress at time t: their messages up to t, faded. */
double heed_view_stress_at(const heed_person *P, int64_t t);

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
