/* promises_match.h - promises made in agent replies (docs/promises.md) checked
 * against what other systems say happened afterwards: kept, kept late, broken
 * or pending, each with the event that decided it and a sentence. Pure logic
 * over plain arrays; rules and default windows in docs/journey.md. */
#ifndef HEED_PROMISES_MATCH_H
#define HEED_PROMISES_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

/* Event types of the `events` import (docs/import.md). */
#define HEED_EVENT_MAP(X)                                                      \
    X(ORDER, 0, "order") X(SHIPMENT, 1, "shipment") X(DELIVERY, 2, "delivery")  \
    X(DELIVERY_FAILED, 3, "delivery_failed") X(REFUND, 4, "refund")            \
    X(PAYMENT, 5, "payment") X(PAYMENT_FAILED, 6, "payment_failed")            \
    X(CALLBACK, 7, "callback") X(REPLACEMENT, 8, "replacement")                \
    X(REPAIR, 9, "repair") X(MESSAGE_SENT, 10, "message_sent")

enum {
#define HEED_X_(name, num, str) HEED_EVENT_##name = (num),
    HEED_EVENT_MAP(HEED_X_)
#undef HEED_X_
    HEED_EVENT_COUNT = 11
};

/* "refund", ...; "unknown" out of range. */
const char *heed_event_type_name(int type);
/* The HEED_EVENT_* named s[0..len) (exact, lower case), or -1. */
int heed_event_type_parse(const char *s, size_t len);

/* A promise to check. `customer` is any number the caller uses for one
 * customer (e.g. the customer number of heed_identity_resolve). */
typedef struct heed_pm_promise {
    const char *id; /* NUL-terminated, for the sentence; NULL: "?" */
    int64_t customer;
    int kind;       /* HEED_PROMISE_* */
    int64_t made;   /* time of the reply that made it, Unix seconds UTC */
    int has_due;
    int64_t due;    /* has_due: end of the promised window; else the default
                     * window of the kind applies (heed_pm_default_window) */
    const char *order; /* order ref; NULL or order_len 0: none */
    size_t order_len;
} heed_pm_promise;

typedef struct heed_pm_event {
    const char *id; /* NUL-terminated, for the sentence; NULL: "?" */
    int64_t customer;
    int type;       /* HEED_EVENT_* */
    int64_t time;
    const char *order;
    size_t order_len;
} heed_pm_event;

/* An agent message to the customer after the promise (a reply, a call). */
typedef struct heed_pm_agent_msg {
    const char *id; /* NULL: "?" */
    int64_t customer;
    int64_t time;
    int is_phone;   /* 1: a phone call (counts as a callback) */
} heed_pm_agent_msg;

enum {
    HEED_PM_PENDING = 0,   /* not due yet, nothing happened */
    HEED_PM_KEPT = 1,      /* a matching event after made, no later than due */
    HEED_PM_KEPT_LATE = 2, /* the first matching event came after due */
    HEED_PM_BROKEN = 3     /* due has passed, nothing matching happened */
};
/* "pending", "kept", "kept_late", "broken"; "unknown" out of range. */
const char *heed_pm_status_name(int status);

enum { HEED_PM_EVIDENCE_NONE = 0, HEED_PM_EVIDENCE_EVENT = 1, HEED_PM_EVIDENCE_AGENT_MSG = 2 };

#define HEED_PM_SENTENCE_MAX 200

/* The decision on one promise (caller-owned, one per promise). */
typedef struct heed_pm_result {
    int status;          /* HEED_PM_* */
    int due_is_default;  /* 1: due came from the kind's default window */
    int64_t due;         /* the due time used */
    int evidence;        /* HEED_PM_EVIDENCE_* */
    size_t index;        /* index into events or agent_msgs; (size_t)-1 none */
    int64_t evidence_time;
    int64_t late_s;      /* KEPT_LATE: event time - due; BROKEN: now - due; else 0 */
    char sentence[HEED_PM_SENTENCE_MAX]; /* "refund promised on 2 Sep by 5 Sep;
                                          * refund event r-991 on 4 Sep: kept" */
} heed_pm_result;

typedef struct heed_pm_opts {
    int64_t window_s[HEED_PROMISE_COUNT]; /* default window per kind when a
                                           * promise has no due; 0: the default
                                           * (refund 5 d, callback 1 d,
                                           * replacement 7 d, repair 10 d,
                                           * follow_up 2 d, information 2 d) */
    int64_t lookback_s; /* events this long before `made` still count (a refund
                         * issued while the reply was written); 0: none */
    int tz_offset_min;  /* dates in the sentences are written in this offset */
} heed_pm_opts;

/* The default window of a promise kind in seconds (0 for a bad kind). */
int64_t heed_pm_default_window(int kind);

/* Decides every promise as of `now`. Events and messages later than `now` are
 * ignored. Matching (docs/journey.md): refund <- refund; callback <- callback
 * event or an agent phone message; replacement <- replacement or shipment;
 * repair <- repair; follow_up and information <- any agent message, a
 * message_sent or a callback event. Same customer; same order ref when both
 * sides have one. Promises take events earliest due first (ties: made, then
 * index), each the earliest unused match at or after made - lookback (an
 * agent message only when later than made: the promising reply itself does
 * not keep a follow-up); one event or message satisfies at most one promise.
 * O((P + E + M) log (P + E + M)).
 *
 * out[0..n_promises) is filled. Returns HEED_OK, HEED_EINVAL (NULL arrays
 * with a count, a bad kind or type; err->pos = the index) or HEED_ENOMEM.
 * Thread-safe. */
HEED_NODISCARD int heed_pm_check(const heed_pm_promise *promises, size_t n_promises,
                                 const heed_pm_event *events, size_t n_events,
                                 const heed_pm_agent_msg *msgs, size_t n_msgs, int64_t now,
                                 const heed_pm_opts *opts, heed_pm_result *out,
                                 heed_error *err);

/* A promise's status as of `now` from a decision made with every event and
 * message known (heed_pm_check with `now` at or after the latest of them):
 * its due time and the time of what kept it (has_kept 0: nothing). The same
 * status heed_pm_check gives as of `now` (any `now`, earlier or later): the
 * promises take events in an order that does not depend on `now`, and each
 * takes the earliest free match, so leaving out the events after `now` only
 * leaves unkept the promises whose match came after it (the induction is in
 * promises_match.c). Kept or kept late when kept at or before now; otherwise
 * broken when now is past due, else pending. */
int heed_pm_status_at(int64_t due, int has_kept, int64_t kept, int64_t now);

#endif
