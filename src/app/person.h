/* person.h - one customer's stored rows, loaded for the journey, the act-now
 * queue and the reply-quality views, and the decisions made on them (person.c):
 * promises kept or broken, the queue state, score and reasons. */
#ifndef HEED_PERSON_H
#define HEED_PERSON_H

#include <stdint.h>

#include "buf.h"
#include "journey.h"
#include "store.h"

typedef struct heed_pmsg {
    int64_t id, conversation, time;
    int role, tz_min, need, emotion, n_asks, addressed, n_jargon;
    int empathy[HEED_EMPATHY_COUNT];
    double stress, stress_c[HEED_STRESS_COUNT], valence, compassion;
    uint32_t comp_signals;
    int is_phone, open; /* the conversation's channel is phone; status not closed */
    size_t ext_id, conv_ext, agent, channel, status, text; /* offsets in pool, or -1 */
} heed_pmsg;

typedef struct heed_pprom {
    int64_t id, conversation;
    heed_pm_promise p;
    size_t text, object, agent, conv_ext, msg_ext;
} heed_pprom;

typedef struct heed_pevent {
    int64_t id, time;
    int type; /* HEED_EVENT_* */
    int has_amount;
    double amount;
    size_t ext_id, order, currency, agent, detail;
} heed_pevent;

typedef struct heed_psurvey {
    int64_t time;
    int kind; /* HEED_SURVEY_* */
    double score;
    size_t ext_id, comment;
} heed_psurvey;

typedef struct heed_person {
    int64_t person;
    int vulnerable;
    size_t crm, name;
    heed_pmsg *msgs;
    size_t n_msgs, cap_msgs;
    heed_pprom *proms;
    size_t n_proms, cap_proms;
    heed_pevent *events;
    size_t n_events, cap_events;
    heed_psurvey *surveys;
    size_t n_surveys, cap_surveys;
    heed_buf pool; /* every string, NUL-terminated */
    /* decisions (heed_person_decide) */
    heed_pm_result *pm;
    /* set by the caller: heed_person_decide also decides the promises with
     * every event and reply known, whatever `now` (pm_all), which gives
     * their status as of any time (heed_pm_status_at) */
    int decide_all;
    heed_pm_result *pm_all;
    heed_queue_state qs;
    heed_queue_score score;
    int broken, pending, kept;
    int64_t last_activity;
} heed_person;

/* A string of the pool; NULL for (size_t)-1. */
const char *heed_person_str(const heed_person *P, size_t off);

void heed_person_init(heed_person *P);
void heed_person_clear(heed_person *P); /* empties, keeps the memory */
void heed_person_release(heed_person *P);

/* Loads one person's rows (texts too with HEED_ST_TEXT). */
int heed_person_load(heed_store *st, int64_t person, unsigned flags, heed_person *P,
                     heed_error *err);

/* Decides promises and the queue state and score as of now (and pm_all when
 * P->decide_all). */
int heed_person_decide(heed_person *P, int64_t now, heed_error *err);

/* Loads each person of `which` (0: every linked person; HEED_ST_PERSON_SET:
 * the set given to heed_store_person_set) in person order, without texts, and
 * calls fn with it; a non-zero return of fn stops the walk and is returned.
 * Five cursors in step: memory holds one person at a time, and the store is
 * read in five queries however many persons there are. */
typedef int (*heed_person_fn)(void *ctx, heed_person *P, heed_error *err);
/* flags: 0, or HEED_WALK_PROMISES: only what deciding the promises needs (the
 * promises, the events and the agent replies; no customer messages, no
 * surveys), so P's promise results are right and the rest is not. */
#define HEED_WALK_PROMISES 0x01u
int heed_person_walk(heed_store *st, int64_t which, unsigned flags, heed_person_fn fn, void *ctx,
                     heed_error *err);

/* Recomputes the materialised queue: every person's state as of now, in one
 * transaction. Streams: memory holds one person at a time. *n_out: persons. */
int heed_queue_refresh(heed_store *st, int64_t now, size_t *n_out, heed_error *err);


#endif
