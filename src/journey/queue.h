/* queue.h - the "act now" queue: a customer's stress carried across
 * conversations and fading with time, a per-customer state, a priority score
 * 0..100 with reasons in plain words, and the top K of many customers.
 * Weights and their reasoning: docs/queue.md. Pure logic, no I/O. */
#ifndef HEED_QUEUE_H
#define HEED_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

#define HEED_QUEUE_HALF_LIFE_S (72 * 3600) /* stress halves every 72 h */
#define HEED_QUEUE_VULNERABLE 40.0         /* vulnerability component that counts
                                            * as vulnerable (bereavement 40-60) */

/* One customer message as the queue sees it (from heed_result.stress). */
typedef struct heed_queue_msg {
    int64_t time;         /* Unix seconds UTC */
    int is_agent;         /* 1: an agent's reply (answers what came before) */
    int64_t conversation; /* any id of the conversation */
    double stress;        /* customer messages: heed_stress.score, 0..100 */
    double vulnerability; /* heed_stress.component[HEED_STRESS_VULNERABILITY] */
    double escalation;    /* heed_stress.component[HEED_STRESS_ESCALATION] */
    const char *vulnerable_what; /* static cue label ("bereavement") or NULL */
} heed_queue_msg;

/* Stress of one customer now: the maximum over their customer messages at or
 * before now of stress * 0.5^((now - time) / half_life). half_life_s 0: 72 h.
 * Messages after now are ignored; returns 0 when there are none. */
double heed_queue_stress_now(const heed_queue_msg *msgs, size_t n, int64_t now,
                             int64_t half_life_s);

enum { HEED_SURVEY_NONE = 0, HEED_SURVEY_CSAT = 1, HEED_SURVEY_NPS = 2, HEED_SURVEY_CES = 3 };

/* What the queue knows about one customer. All zero means "nothing to act on". */
typedef struct heed_queue_state {
    int64_t customer;        /* the caller's id; ranks ties (smaller first) */
    double stress_now;       /* 0..100, decayed (heed_queue_stress_now) */
    double stress_peak_30d;  /* 0..100, highest raw stress in the last 30 days */
    int repeat_contacts;     /* conversations with a customer message in 7 days */
    const char *repeat_about; /* what they are about ("the same order"); NULL */
    int effort;              /* effort signals: CES >= 5, "again", "still", ... */
    int broken_promises;     /* HEED_PM_BROKEN now */
    int overdue_kind;        /* HEED_PROMISE_* of the most overdue; -1 unknown */
    int64_t overdue_s;       /* how long the most overdue is past due */
    int64_t waiting_since;   /* oldest customer message not answered; 0: none */
    int vulnerable;          /* 1: the CRM flags the customer as vulnerable */
    double vulnerability;    /* 0..100, highest recent vulnerability component */
    const char *vulnerable_what; /* cue label ("bereavement") or NULL */
    double escalation;       /* 0..100, escalation threat */
    int open_needs;          /* needs not yet resolved */
    int last_survey;         /* HEED_SURVEY_* of the last answer */
    int last_survey_score;   /* CSAT 1-5, NPS 0-10, CES 1-7 */
} heed_queue_state;

/* Fills the message-derived fields of *st (stress_now, stress_peak_30d,
 * repeat_contacts, waiting_since, vulnerability, vulnerable_what, escalation)
 * from one customer's messages, in any order; leaves the other fields alone.
 * waiting_since: the oldest customer message after the last agent message
 * (any conversation). vulnerability and escalation: highest in the last
 * 30 days. Returns HEED_OK, HEED_EINVAL or HEED_ENOMEM. O(n log n). */
HEED_NODISCARD int heed_queue_state_fill(const heed_queue_msg *msgs, size_t n, int64_t now,
                                         int64_t half_life_s, heed_queue_state *st);

#define HEED_QUEUE_MAX_REASONS 10
#define HEED_QUEUE_REASON_MAX 96

typedef struct heed_queue_reason {
    double points;                    /* what it added to the score */
    char text[HEED_QUEUE_REASON_MAX]; /* "a promised refund is 2 days overdue" */
} heed_queue_reason;

typedef struct heed_queue_score {
    double score; /* 0..100 */
    size_t n_reasons;
    heed_queue_reason reason[HEED_QUEUE_MAX_REASONS]; /* most points first */
} heed_queue_score;

/* Scores one state as of now (weights in docs/queue.md); reasons may be NULL
 * when only the number is wanted. Returns the score 0..100. */
double heed_queue_score_state(const heed_queue_state *st, int64_t now, heed_queue_score *reasons);

/* Ranks states[0..n) and writes the indices of the top k (highest score
 * first; ties: longer waiting, then smaller customer id, then index) to
 * top[0..*n_top), their scores to scores (may be NULL). O(n log k) with a
 * heap of k. Returns HEED_OK, HEED_EINVAL or HEED_ENOMEM. Thread-safe. */
HEED_NODISCARD int heed_queue_top(const heed_queue_state *states, size_t n, int64_t now,
                                  size_t k, size_t *top, double *scores, size_t *n_top,
                                  heed_error *err);

#endif
