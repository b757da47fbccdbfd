/* table.h - the human-readable form of `heed analyze --table`: one row per
 * message and a summary a person can read at a glance. */
#ifndef HEED_TABLE_H
#define HEED_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "heed/heed.h"

#define HEED_TABLE_WORST 5

/* What the summary keeps of one analysed message (the analysis itself is
 * freed before the summary sees it). */
typedef struct heed_table_fact {
    double valence;
    double stress;   /* 0..100, or < 0 when no stress stage ran */
    int unscored;    /* a language other than English was detected */
    int agent;       /* written by an agent (role "agent"): stress is the
                      * customer's, so agent turns stay out of its summary */
    const char *why; /* static label of the strongest stress cue, or NULL */
    /* reply stages (agent turns) */
    int reply;                       /* 1 when any reply stage ran */
    int empathy;                     /* highest empathy level, -1 when not scored */
    double compassion;               /* 0..100, or < 0 when not scored */
    int against;                     /* a deflection, policy wall, blame, "nothing we
                                      * can do" or generic apology signal */
    unsigned promises, promises_due; /* promises, those with a due time */
    unsigned jargon;                 /* jargon findings */
    int addressed;                   /* HEED_ADDR_*, or -1 when not scored */
} heed_table_fact;

/* The fact for a result. */
heed_table_fact heed_table_fact_of(const heed_result *r);

typedef struct heed_table_entry {
    size_t index;
    double key; /* valence (most negative list) or stress (highest list) */
    const char *why;
    char id[32];
    char text[96];
} heed_table_entry;

typedef struct heed_table_stats {
    size_t negative, neutral, positive, unscored;
    double sum;
    size_t band[4], n_stress;                 /* calm, watch, high, act now */
    heed_table_entry worst[HEED_TABLE_WORST]; /* most negative first */
    size_t n_worst;
    heed_table_entry urgent[HEED_TABLE_WORST]; /* highest stress first */
    size_t n_urgent;
    /* agent replies */
    size_t n_reply, n_empathy_scored, empathy_shown, n_comp, against, with_jargon;
    double comp_sum;
    size_t promises, promises_due;
    size_t addr_scored, addr[HEED_ADDR_COUNT];
} heed_table_stats;

/* Valence bands shared by the table and docs/schema.md. */
#define HEED_BAND_NEGATIVE (-0.05)
#define HEED_BAND_POSITIVE 0.05

/* Copies at most max_cp code points of s[0..n) into out (capacity cap, NUL
 * terminated), line breaks and tabs turned into spaces, a cut marked "...". */
size_t heed_excerpt(char *out, size_t cap, const char *s, size_t n, size_t max_cp);

void heed_table_header(FILE *f);
void heed_table_row(heed_buf *b, size_t index, const char *id, size_t id_len, const char *role,
                    size_t role_len, const heed_result *r);
/* Counts one analysed message into the summary. */
void heed_table_note(heed_table_stats *s, size_t index, const char *id, size_t id_len,
                     const char *text, size_t text_len, const heed_table_fact *f);
void heed_table_summary(FILE *f, const heed_table_stats *s, size_t n_read, size_t n_ok,
                        size_t n_bad);
void heed_table_stats_release(heed_table_stats *s);

#endif
