/* care.h - agent care: the distress each agent absorbed per shift (or per
 * calendar day), streaks of high-stress conversations, and suggestions of a
 * break or a rotation; plus weekly empathy and compassion trends.
 *
 * Everything here is derived from the customer side (the stress of the
 * customers an agent faced) and from workload. It never infers the agent's
 * own emotions: it measures exposure, not how the agent feels. Pure logic. */
#ifndef HEED_CARE_H
#define HEED_CARE_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

#define HEED_CARE_HIGH_STRESS 60.0      /* a conversation is high-stress from here */
#define HEED_CARE_STREAK_ALERT 4        /* a streak this long suggests a break */
#define HEED_CARE_BREAK_GAP_S (15 * 60) /* a gap this long between conversations
                                         * is a break: the streak starts again */

typedef struct heed_care_convo {
    int64_t agent;
    int64_t conversation;
    int64_t start, end;  /* Unix seconds UTC */
    double peak_stress;  /* highest customer stress in it, 0..100 */
} heed_care_convo;

typedef struct heed_care_shift {
    int64_t agent;
    int64_t start, end; /* [start, end) */
} heed_care_shift;

typedef struct heed_care_opts {
    double high_stress;  /* 0: HEED_CARE_HIGH_STRESS */
    size_t streak_alert; /* 0: HEED_CARE_STREAK_ALERT */
    int64_t break_gap_s; /* 0: HEED_CARE_BREAK_GAP_S */
    int tz_offset_min;   /* calendar days (no shift data) in this UTC offset */
} heed_care_opts;

#define HEED_CARE_MAX_SUGGESTIONS 3
#define HEED_CARE_SUGGESTION_MAX 128

/* One agent's shift, or one local calendar day when the conversation falls in
 * none of the agent's shifts (or there are no shifts). */
typedef struct heed_care_period {
    int64_t agent;
    size_t shift;         /* index into shifts; (size_t)-1: a calendar day */
    int64_t start, end;   /* the shift, or the local day [00:00, 24:00) in UTC */
    size_t conversations; /* handled (started) in the period */
    size_t high;          /* of them high-stress */
    double stress_sum;    /* distress absorbed: sum of peak customer stress */
    double stress_peak;   /* highest */
    size_t longest_streak; /* most high-stress conversations in a row with no
                            * break gap between them */
    size_t n_suggestions;
    char suggestion[HEED_CARE_MAX_SUGGESTIONS][HEED_CARE_SUGGESTION_MAX];
} heed_care_period;

/* Groups conversations by agent and period (a conversation belongs to the
 * agent's shift in which it starts; the latest-starting one if shifts
 * overlap) and fills *out with one period per agent and period, ordered by
 * agent then start. Within a period, conversations are taken in start order.
 * *out is the caller's, freed with heed_care_free (NULL when *n_out is 0).
 * Returns HEED_OK, HEED_EINVAL or HEED_ENOMEM. O(n log n + s log s). */
HEED_NODISCARD int heed_care_periods(const heed_care_convo *convos, size_t n,
                                     const heed_care_shift *shifts, size_t n_shifts,
                                     const heed_care_opts *opts, heed_care_period **out,
                                     size_t *n_out, heed_error *err);

/* One agent reply's scores, for trends (from heed_result.empathy/compassion). */
typedef struct heed_care_reply {
    int64_t agent;
    int64_t time;
    int empathy[HEED_EMPATHY_COUNT]; /* levels 0..2 */
    double compassion;               /* the caller's compassion score */
} heed_care_reply;

typedef struct heed_care_week {
    int64_t agent;
    int iso_year, iso_week; /* ISO 8601 week in the given offset */
    size_t replies;
    double empathy_mean[HEED_EMPATHY_COUNT];
    double compassion_mean;
} heed_care_week;

/* Means per agent and ISO week, ordered by agent then week. *out as above. */
HEED_NODISCARD int heed_care_weeks(const heed_care_reply *replies, size_t n, int tz_offset_min,
                                   heed_care_week **out, size_t *n_out, heed_error *err);

/* Frees what heed_care_periods or heed_care_weeks returned; NULL is fine. */
void heed_care_free(void *p);

#endif
