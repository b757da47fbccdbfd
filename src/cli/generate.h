/* generate.h - what the files of `heed generate` share: the PRNG, UTC time,
 * the output files, the model (agents, customers, conversations) and the
 * functions each file offers. generate.c runs a customer's journey and the
 * command; gen_crm.c writes agents, shifts and customers; gen_convo.c builds
 * a conversation's turns; gen_mail.c writes the mbox and the ticket export. */
#ifndef HEED_GENERATE_H
#define HEED_GENERATE_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "gentext.h"

/* ---- random numbers: splitmix64, one stream per customer ---------------- */

typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t rnext(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline rng rfork(uint64_t seed, uint64_t stream)
{
    rng r = {seed * 0x100000001b3ULL ^ (stream + 0x632be59bd9b4e019ULL)};
    rnext(&r);
    return r;
}

/* Uniform in [0, n); n > 0. The modulo bias is below 2^-32 for our n. */
static inline uint32_t rbelow(rng *r, uint32_t n)
{
    return (uint32_t)(rnext(r) % n);
}

static inline int64_t rrange(rng *r, int64_t lo, int64_t hi) /* [lo, hi] */
{
    return lo + (int64_t)(rnext(r) % (uint64_t)(hi - lo + 1));
}

static inline int rpct(rng *r, int pct)
{
    return (int)rbelow(r, 100) < pct;
}

static inline size_t list_len(const char *const *l)
{
    size_t n = 0;
    while (l[n])
        n++;
    return n;
}

static inline const char *pick(rng *r, const char *const *l)
{
    return l[rbelow(r, (uint32_t)list_len(l))];
}

/* ---- time: UTC only, civil dates by Howard Hinnant's algorithm ---------- */

#define DAY  86400
#define HOUR 3600

typedef struct civil {
    int64_t y;
    unsigned m, d, hh, mm, ss, wday; /* wday 0 = Sunday */
} civil;

extern const char *const gen_months[12]; /* "January".. */
extern const char *const gen_wdays[7];   /* "Sunday".. */

civil gen_to_civil(int64_t t);
void gen_iso_time(char out[24], int64_t t); /* 2026-09-01T07:00:00Z */
void gen_rfc_date(char out[40], int64_t t); /* Tue, 01 Sep 2026 07:00:00 +0000 */

static inline int64_t day_start(int64_t t)
{
    return t - (t % DAY + DAY) % DAY;
}

/* ---- output files: one buffer each, flushed as it fills ----------------- */

typedef struct outfile {
    FILE *f;
    heed_buf b;
    char path[4096];
} outfile;

enum { O_CUST, O_AGENTS, O_SHIFTS, O_MSG, O_EV, O_SURV, O_MBOX, O_TICK, O_COUNT };

/* Writes o's buffer to its file; -1 on a write or buffer error. */
int gen_out_flush(outfile *o);

/* ---- the model ---------------------------------------------------------- */

typedef struct agent {
    char id[24], first[32], last[32], email[96];
    int team;
    int profile; /* 0..N_PROFILES-1, see STYLE_BY_PROFILE in gen_convo.c */
} agent;

#define N_PROFILES 5 /* coach, mixed, script, techie, rushed: gen_convo.c */
/* the helpdesk export (gen_mail.c) names agent i by user id GEN_ZD_AGENT_BASE + i;
 * agents.csv gives it as the agent's alias */
#define GEN_ZD_AGENT_BASE ((uint64_t)9000000)

typedef enum { ID_CRM, ID_EMAIL, ID_PHONE, ID_HANDLE } id_mode;
typedef enum { CH_EMAIL, CH_CHAT, CH_PHONE, CH_SOCIAL, CH_WEB, CH_COUNT } channel;

typedef struct person {
    unsigned idx;
    char id[24], first[32], last[32], email[96], phone[32], handle[96];
    int vulnerable, business;
    char cur; /* 'E' euro, 'G' pound, 'U' dollar */
    gen_scenario primary;
} person;

#define MAX_TURNS 10
#define GEN_US_AREAS 800 /* room for every NXX area code */

typedef struct turn {
    int agent; /* -1: the customer */
    int64_t t;
    size_t off, len;
} turn;

typedef struct convo {
    char id[24];
    channel ch;
    id_mode ident;
    int n;
    turn turns[MAX_TURNS];
    heed_buf text;
    const char *status;
    int quality; /* -1 bad, 0 middling, 1 good: drives surveys */
    gen_scenario sc;
} convo;

typedef struct gen {
    unsigned customers, days, n_agents, n_teams;
    unsigned scale; /* contacts per customer in 1/1000 of the natural mix; 0: the mix */
    uint64_t seed;
    int64_t start, end;
    agent *agents;
    outfile o[O_COUNT];
    uint64_t n_msg, n_conv, n_ev, n_surv, n_mail, n_tick, n_order, n_shift;
    int private_note_done, latin1_done;
    heed_buf tmp; /* scratch for expansions */
    convo cv;
    unsigned us_areas[GEN_US_AREAS], n_us_areas; /* gen_phone_init */
    uint64_t n_pool_phones;                       /* phones taken from the pool */
} gen;

extern const char *const gen_team_names[3];

/* The team that answers a scenario when there are fewer than three teams. */
static inline int team_of(const gen *g, gen_team t)
{
    return (int)t % (int)g->n_teams;
}

typedef struct slots {
    const char *n, *N, *g, *p, *x;
    char o[16], a[24], d[48], D[24], r[16], c[12];
    int promised; /* a follow-up: an earlier contact's promise {d} was not kept */
} slots;

typedef struct promise {
    int turn; /* -1: none */
    gen_kind kind;
    int64_t made, due;
    int outcome; /* 0 kept, 1 late, 2 broken */
} promise;

/* Shared text helpers (generate.c, gen_convo.c). */
void gen_csv_field(heed_buf *b, const char *s);
void gen_json_kv(heed_buf *b, const char *k, const char *v);
/* Appends tmpl with [a|b] alternatives chosen and {k} slots filled. */
void gen_expand(heed_buf *b, const char *tmpl, const slots *s, rng *r);
void gen_lower_ascii(char *s);

/* gen_crm.c: agents, shifts and customers. */
int gen_find_agent(const gen *g, int team, int64_t *t, int keep, int front, rng *r);
void gen_make_agents(gen *g);
void gen_phone_init(gen *g); /* before the first gen_make_person */
gen_scenario gen_pick_scenario(rng *r);
void gen_make_person(gen *g, unsigned i, rng *r, person *p);
void gen_write_person(gen *g, const person *p);

/* gen_convo.c: one conversation into g->cv; returns the promise it made. */
promise gen_build_convo(gen *g, rng *r, gen_scenario sc, int64_t t, int contact, slots *s);

/* gen_mail.c: the first n turns of g->cv as mails or as a helpdesk ticket. */
void gen_write_mbox(gen *g, const person *p, int n, const char *subject);
void gen_write_ticket(gen *g, const person *p, int n, const char *subject, rng *r);

#endif
