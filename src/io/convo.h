/* convo.h - conversation records for `heed analyze --conversations`: a small
 * summary per conversation id, fed one message's facts at a time in input
 * order, written as one JSON line per conversation ("type":"conversation").
 * The rules (trajectory, resolution, repeat contact, flags) and the limits are
 * in docs/conversations.md. Not thread-safe: one caller (the writer thread). */
#ifndef HEED_CONVO_H
#define HEED_CONVO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "heed/heed.h"

/* Conversations open at once by default; beyond it the one that has been
 * quiet longest is written early with "partial":true. */
#define HEED_CONVO_OPEN 4096
/* Bytes kept of a message or customer id and of a status (cut at a UTF-8
 * character boundary); the conversation id is kept whole. */
#define HEED_CONVO_ID_MAX 40
/* Messages named per flag (and promises listed); later ones are counted. */
#define HEED_CONVO_LIST_MAX 8
/* Bytes of a quoted piece of evidence. */
#define HEED_CONVO_QUOTE_MAX 80
/* Points of customer stress, last minus first, that make a direction. */
#define HEED_CONVO_STRESS_STEP 10.0
/* Customer stress at which a confirmation phrase is doubted and not counted
 * ("arrived broken, again!"; the "high" band). */
#define HEED_CONVO_DOUBT 50.0
/* Customer stress at which a reply answers a stressed customer (the "watch"
 * band, docs/stress.md). */
#define HEED_CONVO_STRESSED 30.0

/* One promise of an agent reply, kept without its text. */
typedef struct heed_convo_promise {
    int kind;    /* HEED_PROMISE_* */
    int has_due; /* 1: due is set */
    int64_t due; /* Unix seconds */
} heed_convo_promise;

/* What a conversation needs of one analysed message. heed_convo_fact_of fills
 * it from a result (in a worker, before the analysis is freed); it holds no
 * pointer into the analysis. Spans are byte offsets into the message text. */
typedef struct heed_convo_fact {
    double stress;                       /* customer stress 0..100; < 0: not available */
    int asks;                            /* explicit asks; -1: the asks stage did not run */
    int negative;                        /* valence <= -0.05 */
    uint32_t confirm_start, confirm_len; /* the customer confirms a fix
                                          * ("that worked"); len 0: none */
    uint32_t repeat_start, repeat_len;   /* the customer says they wrote or
                                          * called before; len 0: none */
    int empathy;                         /* agent: highest empathy level 0..2; -1: n/a */
    int compassion;                      /* agent: 1 when a positive compassion signal was
                                          * found, 0 none; -1: n/a */
    int addressed;                       /* agent: HEED_ADDR_*; -1: n/a */
    size_t n_promises;                   /* all promises; the first HEED_CONVO_LIST_MAX kept */
    heed_convo_promise promises[HEED_CONVO_LIST_MAX];
    int has_simhash; /* agent: familiar.simhash is set */
    uint64_t simhash;
} heed_convo_fact;

/* Fills *f from an analysed message. Customer turns are scanned for
 * confirmations and repeat-contact cues; agent turns give the reply facts. */
void heed_convo_fact_of(heed_convo_fact *f, const heed_result *r);

/* Finds a customer's confirmation in r (tokens and sentences): sets *start
 * and *len to the phrase and returns 1, or returns 0. Exposed for tests. */
int heed_convo_confirmation(const heed_result *r, uint32_t *start, uint32_t *len);

/* One message as the conversation sees it: the fact plus the record's fields
 * (views valid during the heed_convo_add call only; NULL: absent). */
typedef struct heed_convo_msg {
    size_t index;   /* the record's "index" */
    const char *id; /* message id */
    size_t id_len;
    const char *customer; /* customer id */
    size_t customer_len;
    int role; /* HEED_ROLE_* */
    int has_time;
    int64_t time;
    const char *status; /* explicit status field, decoded */
    size_t status_len;
    const char *text; /* the message text (for quotes) */
    size_t text_len;
    const heed_convo_fact *fact;
} heed_convo_msg;

/* Totals over the conversations written, for the --table summary. */
typedef struct heed_convo_stats {
    size_t n, partial;
    size_t resolved, unresolved, unknown, repeat;
    size_t falling, rising, steady, single;
    size_t flag[4]; /* in the order of heed_convo_flag_names */
    struct {
        double peak;
        char conv[24];
        char id[24];
        const char *resolution;
    } worst[5]; /* highest peak stress among conversations not resolved */
    size_t n_worst;
} heed_convo_stats;

extern const char *const heed_convo_flag_names[4];

typedef struct heed_convo heed_convo;

/* A tracker keeping at most max_open conversations (0: HEED_CONVO_OPEN).
 * NULL when out of memory. */
heed_convo *heed_convo_new(size_t max_open);
void heed_convo_free(heed_convo *c);

/* Adds a message of conversation conv (conv NULL: the record has no
 * conversation; it is ignored). When a new conversation does not fit, the
 * one quiet longest is appended to out first, as a JSON line with
 * "partial":true. Returns 0, or -1 when out of memory (or out's error). */
int heed_convo_add(heed_convo *c, const char *conv, size_t conv_len, const heed_convo_msg *m,
                   heed_buf *out);

/* Appends every open conversation to out as JSON lines, in the order they
 * were first seen, and forgets them. Returns 0 or -1 (out's error). */
int heed_convo_finish(heed_convo *c, heed_buf *out);

/* The totals of the conversations written so far. */
const heed_convo_stats *heed_convo_totals(const heed_convo *c);

/* The --table section of the totals. */
void heed_convo_summary(FILE *f, const heed_convo_stats *s);

#endif
