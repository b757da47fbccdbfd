/* gentext.h - the text `heed generate` writes: one template table per
 * scenario and the shared lines (empathy, policy walls, jargon, pushback,
 * thanks). Templates take [a|b|c] alternatives and {x} slots, expanded by
 * generate.c; the tables are data only. */
#ifndef HEED_GENTEXT_H
#define HEED_GENTEXT_H

/* What a scenario's agent action promises, and so which event keeps it. */
typedef enum {
    GEN_K_NONE,
    GEN_K_REFUND,
    GEN_K_CALLBACK,
    GEN_K_DELIVERY,
    GEN_K_REPAIR,
    GEN_K_REPLACEMENT,
    GEN_K_PAYMENT
} gen_kind;

typedef enum { GEN_TEAM_ORDERS, GEN_TEAM_BILLING, GEN_TEAM_TECH } gen_team;

typedef enum {
    GEN_S_LATE_PARCEL,
    GEN_S_FAILED_DELIVERY,
    GEN_S_DOUBLE_CHARGE,
    GEN_S_FAILED_PAYMENT,
    GEN_S_REFUND,
    GEN_S_CALLBACK,
    GEN_S_OUTAGE,
    GEN_S_DAMAGED,
    GEN_S_BEREAVEMENT,
    GEN_S_ILLNESS,
    GEN_S_HARDSHIP,
    GEN_S_CONFUSED,
    GEN_S_HAPPY,
    GEN_S_COUNT
} gen_scenario;

/* Lists are NULL-terminated. Slots: {n} customer's first name, {N} full
 * name, {g} agent's first name, {o} order ("#48213"), {a} amount ("€49.99"),
 * {p} product, {d} the promised time ("within 3 working days"), {D} order
 * date ("26 August"), {r} case reference, {c} contact count ("third"),
 * {x} detail (failure reason, carrier). */
typedef struct gen_scen {
    const char *name;
    gen_team team;
    gen_kind kind;
    int stress; /* 0 calm, 1 upset, 2 high-stress (routed to front-line agents) */
    int vulnerable; /* the situation is a vulnerability (bereavement, illness, hardship) */
    const char *const *subject;
    const char *const *open;     /* the customer's first message */
    const char *const *detail;   /* the customer's answer to an exploring question */
    const char *const *explore;  /* the agent asks about the situation */
    const char *const *action;   /* concrete action with a time frame ({d}) */
    const char *const *deflect;  /* sends the customer elsewhere */
    const char *const *followup; /* the customer again after the promise was not kept ({d}) */
} gen_scen;

extern const gen_scen gen_scens[GEN_S_COUNT];

extern const char *const gen_products[];
extern const char *const gen_first_names[];
extern const char *const gen_last_names[];
extern const char *const gen_carriers[];
extern const char *const gen_delivery_failures[];
extern const char *const gen_payment_failures[];

/* Agent replies by style (each scenario supplies its action / deflection). */
extern const char *const gen_empathy_high[];  /* for high-stress and vulnerable */
extern const char *const gen_empathy[];       /* ordinary acknowledgement */
extern const char *const gen_nothing_to_do[]; /* empathy without action */
extern const char *const gen_policy[];
extern const char *const gen_jargon[];
extern const char *const gen_canned[]; /* reused verbatim */
extern const char *const gen_curt_refund[];
extern const char *const gen_agent_close[];

/* The customer's later turns. */
extern const char *const gen_pushback[];
extern const char *const gen_threats[];
extern const char *const gen_followup_again[]; /* no promise to refer back to */
extern const char *const gen_giving_up[];
extern const char *const gen_thanks[];
extern const char *const gen_ok_thanks[];

/* Surveys. */
extern const char *const gen_survey_good[];
extern const char *const gen_survey_bad[];
extern const char *const gen_survey_mid[];

/* E-mail details. */
extern const char *const gen_private_notes[];

#endif
