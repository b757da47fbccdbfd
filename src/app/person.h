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
 * transaction, and meta queue_as_of = now. Streams: memory holds one person
 * at a time, and the store's reads sort the rows of HEED_QUEUE_WALK_PERSONS
 * persons at a time. *n_out: persons. */
int heed_queue_refresh(heed_store *st, int64_t now, size_t *n_out, heed_error *err);
#define HEED_QUEUE_WALK_PERSONS 2048
/* The same, per_part persons at a time (0: HEED_QUEUE_WALK_PERSONS); the rows
 * written do not depend on it. */
int heed_queue_refresh_parts(heed_store *st, int64_t now, size_t per_part, size_t *n_out,
                             heed_error *err);

/* What the stored queue is as of. */
typedef struct heed_queue_info {
    int64_t as_of;          /* meta queue_as_of: the last full refresh; 0 never, or
                             * forgotten (an import, a re-scoring or a relink from
                             * the command line): the rows are not complete */
    int64_t oldest, newest; /* the state rows' as_of; 0 when there is none */
    int64_t dirty;          /* customers marked for deciding again */
} heed_queue_info;
int heed_queue_info_get(heed_store *st, heed_queue_info *q, heed_error *err);
/* 1 when the stored rows are those a full refresh as of t writes, but for the
 * marked customers (heed_queue_refresh_dirty as of t decides those). */
int heed_queue_is_at(const heed_queue_info *q, int64_t t);
/* The time the stored queue is current as of: every row was decided as of it
 * or later (the oldest row's as_of; queue_as_of when there is no row). */
int64_t heed_queue_info_as_of(const heed_queue_info *q);

/* The incremental refresh: decides again, as of now, the persons marked since
 * they were last decided (heed_store_dirty_set; with with_due also those with
 * a stored promise that fell due, or is no longer due, between their row's
 * as_of and now), at most max of them (0: all), the smallest ids first, with
 * the code of the full refresh (state row and promise rows each), unmarks
 * them, and removes the rows of persons that exist no more, in one
 * transaction: the same rows a full refresh as of now writes for them; the
 * others are left as they were. *n_out: persons decided; *more 1 when max
 * stopped it (call again). */
int heed_queue_refresh_dirty(heed_store *st, int64_t now, int with_due, size_t max,
                             size_t *n_out, int *more, heed_error *err);

/* One part of a full refresh made in parts (the server's periodic pass): the
 * next max linked persons after person *after, decided as of now in one
 * transaction (and unmarked), the state rows of persons gone from that range
 * removed; *after becomes the last of them. *done 1 when this was the last
 * part (no person after it: every state row after *after went). Start with
 * *after 0. Each part reads and writes in its own transaction, so a write
 * between two parts is either in a part's reading or marks its person. */
int heed_queue_refresh_chunk(heed_store *st, int64_t now, int64_t *after, size_t max,
                             size_t *n_out, int *done, heed_error *err);


#endif
