/* stress_phrases.h - the stress stage's phrase table (stress_phrases.c):
 * its row type, the components and flags a row names, and its length. For
 * stress.c and stress_phrases.c only. */
#ifndef HEED_STRESS_PHRASES_H
#define HEED_STRESS_PHRASES_H

#include "stress.h"

enum {
    D = HEED_STRESS_DISTRESS,
    U = HEED_STRESS_URGENCY,
    E = HEED_STRESS_EFFORT,
    V = HEED_STRESS_VULNERABILITY,
    X = HEED_STRESS_ESCALATION
};

/* Phrase flags. */
enum {
    P_NOHYPO = 1,  /* a deadline stays a deadline inside an "if" clause */
    P_MAIN = 2,    /* first-person main clause ("I'll cancel"): a conditional
                    * threat is still a threat */
    P_IGNORE = 4,  /* consumes its words and yields no cue ("thanks again") */
    P_NEGONLY = 8, /* not a cue when plain ("cancel my order" is a need); kept
                    * as a suppressed cue when negated or hypothetical so a
                    * reader sees it was considered ("I would never cancel") */
    P_END = 16     /* only when no word follows it directly: "I'm leaving."
                    * is a threat, "I'm leaving for holiday" is not */
};

typedef struct phrase {
    const char *first; /* first normalised word */
    unsigned char first_len;
    const char *rest; /* the other words, separated by one space ("" for
                       * none); special words: #num #dt #day #rel #relp
                       * (see match_special) */
    unsigned char comp;
    unsigned char weight; /* points of the component, 0..100 */
    unsigned char flags;
    const char *what;
} phrase;

/* Rows of heed__stress_phrases (stress_phrases.c asserts it): the stage's
 * index has arrays of this length. */
#define HEED__STRESS_N_PHRASES 639

/* The phrases, sorted by first word (bytes), then by the rest
 * (heed__stress_table_check; test_stress checks it). */
extern const phrase heed__stress_phrases[];

#endif
