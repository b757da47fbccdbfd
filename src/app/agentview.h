/* agentview.h - the agent-care and reply-quality views of the store, shared by
 * `heed agents` / `heed agent` and the HTTP API (agentview.c): loading the
 * periods, team and agent weeks and coaching examples, and the JSON object of
 * each (the lines `--json` prints, without the newline). */
#ifndef HEED_AGENTVIEW_H
#define HEED_AGENTVIEW_H

#include <stdint.h>

#include "buf.h"
#include "care.h"
#include "store.h"

/* Agents (and teams) are named by text ids in the store and by numbers in
 * care.h: the index in this table. */
typedef struct heed_names {
    char **v;
    size_t n, cap;
} heed_names;

/* The number of s in N, added when new; -1 when out of memory. */
int64_t heed_names_id(heed_names *N, const char *s);
void heed_names_free(heed_names *N);

/* The period [*from, *to): the local calendar day (offset tz minutes) that
 * holds day, and days-1 days before it. */
void heed_view_range(int64_t day, long days, long tz, int64_t *from, int64_t *to);

/* The care periods of the agents (all, or agent) in [from, to): *out (free
 * with heed_care_free) ordered by agent then start; agent numbers in N.
 * HEED_OK or an error with err set. */
int heed_view_periods(heed_store *st, const char *agent, int64_t from, int64_t to, long tz,
                      heed_names *N, heed_care_period **out, size_t *n_out, heed_error *err);
void heed_view_period_json(heed_buf *b, const heed_care_period *p, const heed_names *N);

/* Empathy and compassion by team and ISO week (agents without a team: "(no
 * team)"); week.agent numbers teams in T. */
int heed_view_team_weeks(heed_store *st, int64_t from, int64_t to, long tz, heed_names *T,
                         heed_care_week **out, size_t *n_out, heed_error *err);
void heed_view_week_json(heed_buf *b, const char *who_field, const char *who,
                         const heed_care_week *w);

/* One coaching example of an agent's replies. */
typedef struct heed_view_example {
    double key;
    int64_t id, time; /* the reply's message id */
    char *text, *conv;
    double stress, compassion;
    int empathy[HEED_EMPATHY_COUNT];
} heed_view_example;

#define HEED_VIEW_EXAMPLES 3
typedef struct heed_agent_view {
    int found;
    char *name, *team;
    heed_care_week *weeks;
    size_t n_weeks;
    heed_view_example good[HEED_VIEW_EXAMPLES], grow[HEED_VIEW_EXAMPLES]; /* best first */
    size_t n_good, n_grow;
} heed_agent_view;

/* One agent's weeks and examples in [from, to). found is 0 for an agent not
 * in the store. Release with heed_agent_view_release (also after failure). */
int heed_agent_view_load(heed_store *st, const char *agent, int64_t from, int64_t to, long tz,
                         heed_agent_view *V, heed_error *err);
void heed_agent_view_release(heed_agent_view *V);
void heed_view_example_json(heed_buf *b, const char *agent, const char *kind,
                            const heed_view_example *e);

#endif
