/* generate.c - `heed generate`: writes a deterministic, synthetic multi-silo
 * data set for Northwind Shop (CRM, agents, shifts, messages, events,
 * surveys, an mbox and a helpdesk ticket export) in the formats of
 * docs/import.md. Customers are generated one at a time and written as they
 * go, so memory does not grow with --customers. Text templates: gentext.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cli.h"
#include "gentext.h"
#include "jsonout.h"

static const char HELP[] =
    "Usage: heed generate --out DIR [OPTIONS]\n"
    "\n"
    "Writes a synthetic, deterministic data set for the fictional Northwind Shop into\n"
    "DIR (created if missing): customers.csv, agents.csv, shifts.csv, messages.jsonl,\n"
    "events.jsonl, surveys.csv, mail.mbox and tickets.json, in the formats of\n"
    "docs/import.md. The same options always give byte-identical files.\n"
    "\n"
    "  --out DIR        where to write (required)\n"
    "  --customers N    customers to generate (default 100, 1..10000000)\n"
    "  --seed S         random seed, an unsigned integer (default 1)\n"
    "  --start DATE     first day, YYYY-MM-DD (default 2026-09-01)\n"
    "  --days D         length of the period in days (default 30, 1..3650)\n"
    "  --agents A       agents (default customers/10, at least 4, at most 500;\n"
    "                   1..9999)\n"
    "  -h, --help       this help\n"
    "\n"
    "Exit codes: 0 written, 2 usage or I/O error, 3 internal error.\n"
    "What is generated: docs/generate.md.\n";

/* ---- random numbers: splitmix64, one stream per customer ---------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rnext(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static rng rfork(uint64_t seed, uint64_t stream)
{
    rng r = {seed * 0x100000001b3ULL ^ (stream + 0x632be59bd9b4e019ULL)};
    rnext(&r);
    return r;
}

/* Uniform in [0, n); n > 0. The modulo bias is below 2^-32 for our n. */
static uint32_t rbelow(rng *r, uint32_t n)
{
    return (uint32_t)(rnext(r) % n);
}

static int64_t rrange(rng *r, int64_t lo, int64_t hi) /* [lo, hi] */
{
    return lo + (int64_t)(rnext(r) % (uint64_t)(hi - lo + 1));
}

static int rpct(rng *r, int pct)
{
    return (int)rbelow(r, 100) < pct;
}

static size_t list_len(const char *const *l)
{
    size_t n = 0;
    while (l[n])
        n++;
    return n;
}

static const char *pick(rng *r, const char *const *l)
{
    return l[rbelow(r, (uint32_t)list_len(l))];
}

/* ---- time: UTC only, civil dates by Howard Hinnant's algorithm ---------- */

#define DAY  86400
#define HOUR 3600

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

typedef struct civil {
    int64_t y;
    unsigned m, d, hh, mm, ss, wday; /* wday 0 = Sunday */
} civil;

static civil to_civil(int64_t t)
{
    int64_t z = (t >= 0 ? t : t - (DAY - 1)) / DAY;
    int64_t sec = t - z * DAY;
    civil c;
    c.wday = (unsigned)((z % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
    c.hh = (unsigned)(sec / HOUR);
    c.mm = (unsigned)(sec / 60 % 60);
    c.ss = (unsigned)(sec % 60);
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    c.d = doy - (153 * mp + 2) / 5 + 1;
    c.m = mp < 10 ? mp + 3 : mp - 9;
    c.y = (int64_t)yoe + era * 400 + (c.m <= 2);
    return c;
}

static const char *const MONTHS[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};
static const char *const WDAYS[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                    "Thursday", "Friday", "Saturday"};

static void iso_time(char out[24], int64_t t)
{
    civil c = to_civil(t);
    char b[80]; /* room for any field values, so the format cannot truncate */
    snprintf(b, sizeof b, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", c.y, c.m, c.d, c.hh, c.mm,
             c.ss);
    memcpy(out, b, 23);
    out[23] = '\0';
}

static void rfc_date(char out[40], int64_t t)
{
    civil c = to_civil(t);
    snprintf(out, 40, "%.3s, %02u %.3s %04" PRId64 " %02u:%02u:%02u +0000", WDAYS[c.wday], c.d,
             MONTHS[c.m - 1], c.y, c.hh, c.mm, c.ss);
}

static void day_month(char out[24], int64_t t)
{
    civil c = to_civil(t);
    snprintf(out, 24, "%u %s", c.d, MONTHS[c.m - 1]);
}

static int64_t day_start(int64_t t)
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
static const char *const OUT_NAMES[O_COUNT] = {"customers.csv",  "agents.csv",   "shifts.csv",
                                               "messages.jsonl", "events.jsonl", "surveys.csv",
                                               "mail.mbox",      "tickets.json"};

static int out_flush(outfile *o)
{
    if (o->b.err)
        return -1;
    if (o->b.len && fwrite(o->b.ptr, 1, o->b.len, o->f) != o->b.len)
        return -1;
    heed__buf_reset(&o->b);
    return 0;
}

/* ---- the model ---------------------------------------------------------- */

typedef struct agent {
    char id[24], first[32], last[32], email[96];
    int team;
    int profile; /* see STYLE_BY_PROFILE */
} agent;

typedef enum {
    ST_GOOD,      /* empathy + concrete action with a time frame */
    ST_CURT,      /* action without warmth */
    ST_EXPLORE,   /* asks about the situation first */
    ST_EMPATHY,   /* sympathy, "nothing we can do" */
    ST_DEFLECT,   /* "contact the courier" */
    ST_POLICY,    /* policy wall */
    ST_JARGON,    /* internal acronyms */
    ST_CANNED,    /* a template reused verbatim */
    ST_COUNT
} style;

/* Percent per style for each agent profile: coach, mixed, script, techie, rushed. */
#define N_PROFILES 5
static const int STYLE_BY_PROFILE[N_PROFILES][ST_COUNT] = {
    {55, 5, 30, 5, 2, 1, 1, 1},   {35, 10, 15, 12, 10, 8, 5, 5}, {15, 5, 5, 20, 10, 20, 5, 20},
    {25, 15, 10, 5, 5, 10, 25, 5}, {20, 35, 3, 7, 20, 10, 2, 3},
};

typedef enum { ID_CRM, ID_EMAIL, ID_PHONE, ID_HANDLE } id_mode;
typedef enum { CH_EMAIL, CH_CHAT, CH_PHONE, CH_SOCIAL, CH_WEB, CH_COUNT } channel;
static const char *const CH_NAMES[CH_COUNT] = {"email", "chat", "phone", "social", "web"};

typedef struct person {
    unsigned idx;
    char id[24], first[32], last[32], email[96], phone[32], handle[96];
    int vulnerable, business;
    char cur; /* 'E' euro, 'G' pound, 'U' dollar */
    gen_scenario primary;
} person;

#define MAX_TURNS 10

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
    uint64_t seed;
    int64_t start, end;
    agent *agents;
    outfile o[O_COUNT];
    uint64_t n_msg, n_conv, n_ev, n_surv, n_mail, n_tick, n_order, n_shift;
    int private_note_done, latin1_done;
    heed_buf tmp; /* scratch for expansions */
    convo cv;
} gen;

static const char *const TEAM_NAMES[3] = {"orders", "billing", "tech"};

/* The team that answers a scenario when there are fewer than three teams. */
static int team_of(const gen *g, gen_team t)
{
    return (int)t % (int)g->n_teams;
}

/* ---- templates ---------------------------------------------------------- */

typedef struct slots {
    const char *n, *N, *g, *p, *x;
    char o[16], a[24], d[48], D[24], r[16], c[12];
} slots;

static void add_slot(heed_buf *b, const slots *s, char k)
{
    const char *v = "";
    switch (k) {
    case 'n': v = s->n; break;
    case 'N': v = s->N; break;
    case 'g': v = s->g; break;
    case 'p': v = s->p; break;
    case 'x': v = s->x; break;
    case 'o': v = s->o; break;
    case 'a': v = s->a; break;
    case 'd': v = s->d; break;
    case 'D': v = s->D; break;
    case 'r': v = s->r; break;
    case 'c': v = s->c; break;
    default: break;
    }
    heed__buf_adds(b, v ? v : "");
}

/* Appends tmpl with [a|b] alternatives chosen and {k} slots filled. */
static void expand(heed_buf *b, const char *tmpl, const slots *s, rng *r)
{
    for (const char *p = tmpl; *p;) {
        if (*p == '{' && p[1] && p[2] == '}') {
            add_slot(b, s, p[1]);
            p += 3;
        } else if (*p == '[') {
            const char *q = p + 1;
            unsigned alts = 1;
            while (*q && *q != ']') {
                if (*q == '|')
                    alts++;
                q++;
            }
            unsigned want = rbelow(r, alts), k = 0;
            const char *a = p + 1;
            for (const char *e = p + 1; e <= q; e++) {
                if (e == q || *e == '|') {
                    if (k++ == want) {
                        /* an alternative may hold slots but no brackets */
                        for (const char *z = a; z < e;) {
                            if (*z == '{' && z + 2 < e && z[2] == '}') {
                                add_slot(b, s, z[1]);
                                z += 3;
                            } else {
                                heed__buf_addc(b, *z++);
                            }
                        }
                        break;
                    }
                    a = e + 1;
                }
            }
            p = *q ? q + 1 : q;
        } else {
            heed__buf_addc(b, *p++);
        }
    }
}

static void money(char out[24], char cur, unsigned cents)
{
    const char *sym = cur == 'G' ? "£" : cur == 'U' ? "$" : "€";
    snprintf(out, 24, "%s%u.%02u", sym, cents / 100, cents % 100);
}

static const char *currency(char cur)
{
    return cur == 'G' ? "GBP" : cur == 'U' ? "USD" : "EUR";
}

static const char *const ORDINALS[] = {"first", "second", "third", "fourth", "fifth", "sixth"};

/* ---- CSV and JSON helpers ----------------------------------------------- */

static void csv_field(heed_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        heed__buf_adds(b, s);
        return;
    }
    heed__buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            heed__buf_addc(b, '"');
        heed__buf_addc(b, *s);
    }
    heed__buf_addc(b, '"');
}

static void json_kv(heed_buf *b, const char *k, const char *v)
{
    heed__buf_printf(b, ",\"%s\":", k);
    heed_json_string(b, v, strlen(v));
}

/* ---- agents and shifts -------------------------------------------------- */

/* Agent a works on day d five days in seven, early (07-15) or late (13-21)
 * alternating by week: deterministic, so replies can be placed in shifts. */
static int works(unsigned a, int64_t day)
{
    return (unsigned)((day + a) % 7) < 5;
}

static int early(unsigned a, int64_t day)
{
    return (unsigned)((day / 7 + a) % 2) == 0;
}

static int on_shift(unsigned a, int64_t t)
{
    int64_t day = t / DAY, h = (t % DAY) / HOUR;
    if (!works(a, day))
        return 0;
    return early(a, day) ? h >= 7 && h < 15 : h >= 13 && h < 21;
}

/* An agent of the team on shift at *t (moved forward to the next covered
 * hour if nobody is); keep is preferred when on shift, then the team's
 * front-line agent when front is set (streaks of high-stress work). */
static int find_agent(const gen *g, int team, int64_t *t, int keep, int front, rng *r)
{
    unsigned members = (g->n_agents - (unsigned)team + g->n_teams - 1) / g->n_teams;
    for (int tries = 0; tries < 24 * 8; tries++) {
        if (keep >= 0 && on_shift((unsigned)keep, *t))
            return keep;
        if (front && on_shift((unsigned)team, *t))
            return team;
        unsigned s = rbelow(r, members);
        for (unsigned k = 0; k < members; k++) {
            unsigned a = (unsigned)team + ((s + k) % members) * g->n_teams;
            if (on_shift(a, *t))
                return (int)a;
        }
        *t = (*t / HOUR + 1) * HOUR + rrange(r, 0, 1800);
    }
    return team;
}

static void make_agents(gen *g)
{
    rng r = rfork(g->seed, 0xA6E17);
    for (unsigned i = 0; i < g->n_agents; i++) {
        agent *a = &g->agents[i];
        snprintf(a->id, sizeof a->id, "agent-%04u", i + 1);
        const char *f = gen_first_names[(i * 7 + rbelow(&r, 3)) % list_len(gen_first_names)];
        const char *l = pick(&r, gen_last_names);
        snprintf(a->first, sizeof a->first, "%s", f);
        snprintf(a->last, sizeof a->last, "%s", l);
        snprintf(a->email, sizeof a->email, "agent%04u@northwind.example.com", i + 1);
        a->team = (int)(i % g->n_teams);
        a->profile = (int)rbelow(&r, N_PROFILES);
        if (i < g->n_teams)
            a->profile = 0; /* front-line agents answer well and absorb the hard cases */
        heed_buf *b = &g->o[O_AGENTS].b;
        heed__buf_printf(b, "%s,", a->id);
        heed_buf nm;
        heed__buf_init(&nm, 0);
        heed__buf_printf(&nm, "%s %s", a->first, a->last);
        csv_field(b, nm.ptr);
        heed__buf_release(&nm);
        heed__buf_printf(b, ",%s\n", TEAM_NAMES[a->team]);
    }
    int64_t d0 = g->start / DAY;
    for (int64_t d = d0; d < d0 + g->days; d++) {
        for (unsigned a = 0; a < g->n_agents; a++) {
            if (!works(a, d))
                continue;
            int64_t s = d * DAY + (early(a, d) ? 7 : 13) * HOUR;
            char ts[24], te[24];
            iso_time(ts, s);
            iso_time(te, s + 8 * HOUR);
            heed__buf_printf(&g->o[O_SHIFTS].b, "shift-%07" PRIu64 ",%s,%s,%s,%s\n",
                             ++g->n_shift, g->agents[a].id, ts, te,
                             TEAM_NAMES[g->agents[a].team]);
        }
        if (g->o[O_SHIFTS].b.len > (1u << 16))
            out_flush(&g->o[O_SHIFTS]);
    }
}

/* ---- customers ---------------------------------------------------------- */

/* Fictional phone numbers: UK +44 7700 900000-900999 and US 555-0100-0199
 * under 40 area codes; customer i gets slot i while the pool lasts. */
#define UK_PHONES 1000
#define US_AREAS  40
#define US_PHONES (US_AREAS * 100)
static const unsigned US_AREA[US_AREAS] = {
    202, 212, 213, 305, 312, 314, 404, 415, 503, 512, 602, 614, 617, 702, 713, 720, 808, 816, 901, 919,
    206, 210, 216, 301, 303, 317, 402, 412, 414, 502, 504, 513, 515, 612, 615, 616, 701, 704, 803, 813};

static const int SCEN_WEIGHT[GEN_S_COUNT] = {14, 8, 8, 6, 12, 8, 10, 8, 3, 3, 4, 9, 7};

static gen_scenario pick_scenario(rng *r)
{
    int total = 0;
    for (int i = 0; i < GEN_S_COUNT; i++)
        total += SCEN_WEIGHT[i];
    int k = (int)rbelow(r, (uint32_t)total);
    for (int i = 0; i < GEN_S_COUNT; i++) {
        if (k < SCEN_WEIGHT[i])
            return (gen_scenario)i;
        k -= SCEN_WEIGHT[i];
    }
    return GEN_S_HAPPY;
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* ASCII-only form of a name for addresses and handles (accents dropped). */
static void ascii_name(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            out[n++] = (char)c;
        else if (c == 0xC3 && s[1]) {
            unsigned char d = (unsigned char)*++s;
            const char *map = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYPsaaaaaaaceeeeiiiidnooooo/ouuuuypy";
            char m = (d >= 0x80 && d < 0xC0) ? map[d - 0x80] : 'x';
            out[n++] = m;
        }
    }
    out[n] = 0;
    lower_ascii(out);
}

static void make_person(gen *g, unsigned i, rng *r, person *p)
{
    memset(p, 0, sizeof *p);
    p->idx = i;
    snprintf(p->id, sizeof p->id, "cust-%06u", i + 1);
    snprintf(p->first, sizeof p->first, "%s", pick(r, gen_first_names));
    snprintf(p->last, sizeof p->last, "%s", pick(r, gen_last_names));
    char af[32], al[32];
    ascii_name(af, sizeof af, p->first);
    ascii_name(al, sizeof al, p->last);
    static const char *const DOMAINS[] = {"example.com", "example.org", "example.net"};
    switch (rbelow(r, 3)) {
    case 0:
        snprintf(p->email, sizeof p->email, "%s.%s%u@%s", af, al, i + 1, DOMAINS[i % 3]);
        break;
    case 1:
        snprintf(p->email, sizeof p->email, "%c%s%u@%s", af[0], al, i + 1, DOMAINS[i % 3]);
        break;
    default:
        snprintf(p->email, sizeof p->email, "%s_%u@%s", af, i + 1, DOMAINS[i % 3]);
    }
    p->cur = 'E';
    if (i < UK_PHONES + US_PHONES && rpct(r, 88)) {
        if (i % 2 == 0 && i / 2 < UK_PHONES) {
            snprintf(p->phone, sizeof p->phone, "+44 7700 900%03u", i / 2);
            p->cur = 'G';
        } else {
            unsigned k = i / 2 + (i % 2 ? 0 : UK_PHONES) % US_PHONES;
            k %= US_PHONES;
            snprintf(p->phone, sizeof p->phone, "+1 %u 555 01%02u", US_AREA[k / 100], k % 100);
            p->cur = 'U';
        }
    }
    if (rpct(r, 30))
        snprintf(p->handle, sizeof p->handle, "@%s_%s%u", af, al, (i * 37 + 11) % 100);
    p->primary = pick_scenario(r);
    /* two small businesses behind one company switchboard: same phone, two
     * different customers that identity resolution must keep apart */
    if (g->customers >= 10 && (i == 7 || i == 8)) {
        p->business = 1;
        snprintf(p->phone, sizeof p->phone, "+44 7700 900999");
        p->cur = 'G';
    }
    p->vulnerable = (gen_scens[p->primary].vulnerable && rpct(r, 60)) || rpct(r, 2);
}

static void write_person(gen *g, const person *p)
{
    heed_buf *b = &g->o[O_CUST].b;
    heed__buf_printf(b, "%s,", p->id);
    heed__buf_printf(&g->tmp, "%s %s", p->first, p->last);
    csv_field(b, g->tmp.ptr);
    heed__buf_reset(&g->tmp);
    char created[24];
    iso_time(created, g->start - (int64_t)(30 + p->idx % 1500) * DAY + (p->idx * 7919) % DAY);
    heed__buf_printf(b, ",%s,%s,%s,%d,%s,%s\n", p->email, p->phone, p->handle, p->vulnerable,
                     p->business ? "business" : "consumer", created);
}

/* ---- events ------------------------------------------------------------- */

typedef struct evx {
    const char *order, *amount, *cur, *agent, *detail;
} evx;

static void event(gen *g, const person *p, rng *r, const char *type, int64_t t, evx x)
{
    if (t >= g->end || t < g->start - 60 * DAY)
        return;
    heed_buf *b = &g->o[O_EV].b;
    char ts[24];
    iso_time(ts, t);
    heed__buf_printf(b, "{\"id\":\"ev-%08" PRIu64 "\",\"type\":\"%s\"", ++g->n_ev, type);
    /* systems outside the CRM (couriers, the payment provider) know the
     * customer only by a contact detail */
    int k = (int)rbelow(r, 100);
    if (k < 10 && p->phone[0] && !p->business)
        json_kv(b, "phone", p->phone);
    else if (k < 20)
        json_kv(b, "email", p->email);
    else
        json_kv(b, "customer", p->id);
    json_kv(b, "time", ts);
    if (x.order)
        json_kv(b, "order", x.order);
    if (x.amount)
        heed__buf_printf(b, ",\"amount\":%s,\"currency\":\"%s\"", x.amount, x.cur);
    if (x.agent)
        json_kv(b, "agent", x.agent);
    if (x.detail)
        json_kv(b, "detail", x.detail);
    heed__buf_adds(b, "}\n");
}

/* ---- conversations ------------------------------------------------------ */

typedef struct promise {
    int turn; /* -1: none */
    gen_kind kind;
    int64_t made, due;
    int outcome; /* 0 kept, 1 late, 2 broken */
} promise;

typedef struct outcome {
    int64_t last;  /* time of the last turn written */
    int64_t next;  /* when a follow-up contact would come */
    int followup;  /* the customer will contact again about the same thing */
} outcome;

static void add_turn(gen *g, int agent_idx, int64_t t, heed_buf *text)
{
    convo *c = &g->cv;
    if (c->n >= MAX_TURNS)
        return;
    turn *tu = &c->turns[c->n++];
    tu->agent = agent_idx;
    tu->t = t;
    tu->off = c->text.len;
    heed__buf_add(&c->text, text->ptr ? text->ptr : "", text->len);
    tu->len = text->len;
    heed__buf_reset(text);
}

static int64_t customer_delay(channel ch, rng *r)
{
    switch (ch) {
    case CH_CHAT: return rrange(r, 40, 240);
    case CH_PHONE: return rrange(r, 20, 120);
    case CH_SOCIAL: return rrange(r, 300, 3 * HOUR);
    default: return rrange(r, 20 * 60, 20 * HOUR);
    }
}

static int64_t agent_delay(channel ch, rng *r)
{
    switch (ch) {
    case CH_CHAT: return rrange(r, 60, 480);
    case CH_PHONE: return rrange(r, 20, 150);
    case CH_SOCIAL: return rrange(r, 600, 5 * HOUR);
    default: return rrange(r, 40 * 60, 30 * HOUR);
    }
}

static style pick_style(const agent *a, rng *r)
{
    int k = (int)rbelow(r, 100);
    for (int s = 0; s < ST_COUNT; s++) {
        if (k < STYLE_BY_PROFILE[a->profile][s])
            return (style)s;
        k -= STYLE_BY_PROFILE[a->profile][s];
    }
    return ST_GOOD;
}

/* The promised time as written and when it falls due. */
static void make_due(gen_kind kind, int64_t at, rng *r, char out[48], int64_t *due)
{
    int64_t d0 = day_start(at);
    civil c = to_civil(at);
    int form = (int)rbelow(r, 3);
    if (kind == GEN_K_CALLBACK) {
        if (form == 0 && c.hh < 14) {
            snprintf(out, 48, "this afternoon");
            *due = d0 + 18 * HOUR - 1;
        } else if (form == 1) {
            snprintf(out, 48, "tomorrow morning");
            *due = d0 + DAY + 12 * HOUR - 1;
        } else {
            snprintf(out, 48, "tomorrow before 5pm");
            *due = d0 + DAY + 17 * HOUR;
        }
        return;
    }
    if (kind == GEN_K_DELIVERY && form == 0) {
        snprintf(out, 48, "tomorrow before 1pm");
        *due = d0 + DAY + 13 * HOUR;
        return;
    }
    if ((kind == GEN_K_REFUND || kind == GEN_K_REPLACEMENT) && form == 0) {
        unsigned n = kind == GEN_K_REFUND && rpct(r, 50) ? 5 : 3;
        int64_t d = d0;
        for (unsigned k = 0; k < n;) {
            d += DAY;
            unsigned w = to_civil(d).wday;
            if (w != 0 && w != 6)
                k++;
        }
        snprintf(out, 48, "within %u working days", n);
        *due = d + DAY - 1;
        return;
    }
    if (kind == GEN_K_REPAIR && form == 0) {
        snprintf(out, 48, "within 48 hours");
        *due = at + 48 * HOUR;
        return;
    }
    int64_t ahead = rrange(r, 2, 5);
    unsigned w = to_civil(d0 + ahead * DAY).wday;
    if (w == 0 || w == 6)
        ahead += w == 6 ? 2 : 1;
    w = to_civil(d0 + ahead * DAY).wday;
    snprintf(out, 48, "%s %s", kind == GEN_K_REPAIR || kind == GEN_K_PAYMENT || form == 2 ? "on" : "by",
             WDAYS[w]);
    *due = d0 + ahead * DAY + DAY - 1;
}

/* Wraps an agent's body for the channel: greeting and sign-off in e-mail. */
static void agent_text(heed_buf *out, channel ch, const slots *s, heed_buf *body, int first,
                       rng *r)
{
    if (ch == CH_EMAIL || ch == CH_WEB) {
        heed__buf_printf(out, "%s %s,\n\n", rpct(r, 70) ? "Hi" : "Dear", s->n);
        heed__buf_add(out, body->ptr, body->len);
        heed__buf_printf(out, "\n\n%s\nNorthwind Shop Customer Care", s->g);
    } else if (ch == CH_SOCIAL) {
        if (first)
            heed__buf_printf(out, "Hi %s, ", s->n);
        heed__buf_add(out, body->ptr, body->len);
        heed__buf_printf(out, " ^%.1s", s->g);
    } else {
        if (first && ch == CH_CHAT)
            heed__buf_printf(out, "Hi %s, I'm %s. ", s->n, s->g);
        heed__buf_add(out, body->ptr, body->len);
    }
    heed__buf_reset(body);
}

static void customer_text(heed_buf *out, channel ch, const slots *s, heed_buf *body, int first,
                          rng *r)
{
    if ((ch == CH_CHAT || ch == CH_SOCIAL) && rpct(r, 35) && body->ptr)
        lower_ascii(body->ptr);
    heed__buf_add(out, body->ptr ? body->ptr : "", body->len);
    if (first && (ch == CH_EMAIL || ch == CH_WEB) && rpct(r, 60))
        heed__buf_printf(out, "\n\n%s\n%s", rpct(r, 50) ? "Thanks," : "Kind regards,",
                         rpct(r, 50) ? s->n : s->N);
    heed__buf_reset(body);
}

/* One conversation: fills g->cv, returns the promise it made. */
static promise build_convo(gen *g, rng *r, gen_scenario sc, int64_t t,
                           int contact, slots *s)
{
    const gen_scen *S = &gen_scens[sc];
    convo *c = &g->cv;
    heed_buf body, txt;
    heed__buf_init(&body, 0);
    heed__buf_init(&txt, 0);
    promise pr = {.turn = -1, .kind = S->kind};
    int team = team_of(g, S->team);
    int front = S->stress >= 2 || contact >= 2;

    /* the customer opens */
    if (contact >= 2)
        expand(&body, pick(r, S->followup), s, r);
    else
        expand(&body, pick(r, S->open), s, r);
    if ((contact >= 2 && rpct(r, 60)) || (S->stress >= 2 && rpct(r, 15))) {
        heed__buf_addc(&body, ' ');
        expand(&body, pick(r, gen_threats), s, r);
    }
    customer_text(&txt, c->ch, s, &body, 1, r);
    add_turn(g, -1, t, &txt);

    if (rpct(r, 4)) /* never answered */
        goto done;
    int64_t ta = t + agent_delay(c->ch, r);
    int ag = find_agent(g, team, &ta, -1, front && rpct(r, 60), r);
    s->g = g->agents[ag].first;
    style st = pick_style(&g->agents[ag], r);
    int warm = S->stress >= 2 || S->vulnerable || contact >= 2;

    if (st == ST_EXPLORE) {
        expand(&body, pick(r, S->explore), s, r);
        agent_text(&txt, c->ch, s, &body, 1, r);
        add_turn(g, ag, ta, &txt);
        t = ta + customer_delay(c->ch, r);
        expand(&body, pick(r, S->detail), s, r);
        customer_text(&txt, c->ch, s, &body, 0, r);
        add_turn(g, -1, t, &txt);
        ta = t + agent_delay(c->ch, r);
        ag = find_agent(g, team, &ta, ag, 0, r);
        s->g = g->agents[ag].first;
        st = ST_GOOD;
    } else if (st >= ST_EMPATHY) {
        /* a reply that does not solve */
        switch (st) {
        case ST_EMPATHY: expand(&body, pick(r, gen_nothing_to_do), s, r); break;
        case ST_DEFLECT:
            expand(&body, pick(r, gen_empathy), s, r);
            heed__buf_addc(&body, ' ');
            expand(&body, pick(r, S->deflect), s, r);
            break;
        case ST_POLICY: expand(&body, pick(r, gen_policy), s, r); break;
        case ST_JARGON:
            expand(&body, pick(r, gen_jargon), s, r);
            heed__buf_printf(&body, " Ref: %s.", s->r);
            break;
        default: expand(&body, pick(r, gen_canned), s, r); break;
        }
        if (st == ST_CANNED)
            heed__buf_add(&txt, body.ptr, body.len), heed__buf_reset(&body);
        else
            agent_text(&txt, c->ch, s, &body, 1, r);
        add_turn(g, ag, ta, &txt);
        heed__buf_reset(&body);
        c->quality = -1;
        if (!rpct(r, 75))
            goto done;
        t = ta + customer_delay(c->ch, r);
        expand(&body, pick(r, gen_pushback), s, r);
        if (rpct(r, 45)) {
            heed__buf_addc(&body, ' ');
            expand(&body, pick(r, gen_threats), s, r);
        }
        customer_text(&txt, c->ch, s, &body, 0, r);
        add_turn(g, -1, t, &txt);
        if (!rpct(r, 55)) {
            if (rpct(r, 40)) {
                t += customer_delay(c->ch, r);
                expand(&body, pick(r, gen_giving_up), s, r);
                customer_text(&txt, c->ch, s, &body, 0, r);
                add_turn(g, -1, t, &txt);
            }
            goto done;
        }
        /* a colleague (often the front-line agent) picks it up and solves it */
        ta = t + agent_delay(c->ch, r);
        ag = find_agent(g, team, &ta, -1, 1, r);
        s->g = g->agents[ag].first;
        st = ST_GOOD;
        warm = 1;
    }

    /* the solving reply: concrete action, a time frame when it promises */
    if (S->kind != GEN_K_NONE)
        make_due(S->kind, ta, r, s->d, &pr.due);
    if (st == ST_CURT && S->kind == GEN_K_REFUND) {
        expand(&body, pick(r, gen_curt_refund), s, r);
    } else {
        if (st == ST_GOOD && sc != GEN_S_HAPPY) {
            heed__buf_adds(&body, pick(r, warm ? gen_empathy_high : gen_empathy));
            heed__buf_addc(&body, ' ');
        }
        expand(&body, pick(r, S->action), s, r);
    }
    agent_text(&txt, c->ch, s, &body, c->n < 2, r);
    add_turn(g, ag, ta, &txt);
    if (S->kind != GEN_K_NONE) {
        pr.turn = c->n - 1;
        pr.made = ta;
        int k = (int)rbelow(r, 100);
        pr.outcome = k < 60 ? 0 : k < 80 ? 1 : 2;
    }
    c->quality = st == ST_GOOD && c->quality >= 0 ? 1 : 0;
    if (rpct(r, 75)) {
        t = ta + customer_delay(c->ch, r);
        expand(&body, pick(r, st == ST_GOOD ? gen_thanks : gen_ok_thanks), s, r);
        customer_text(&txt, c->ch, s, &body, 0, r);
        add_turn(g, -1, t, &txt);
        if (c->ch != CH_EMAIL && rpct(r, 50)) {
            ta = t + agent_delay(c->ch, r);
            ag = find_agent(g, team, &ta, ag, 0, r);
            heed__buf_adds(&txt, pick(r, gen_agent_close));
            add_turn(g, ag, ta, &txt);
        }
    }
done:
    heed__buf_release(&body);
    heed__buf_release(&txt);
    return pr;
}

/* ---- sinks: JSON lines, mbox, helpdesk tickets -------------------------- */

static void write_jsonl(gen *g, const person *p, int n)
{
    convo *c = &g->cv;
    heed_buf *b = &g->o[O_MSG].b;
    for (int i = 0; i < n; i++) {
        const turn *tu = &c->turns[i];
        char ts[24];
        iso_time(ts, tu->t);
        heed__buf_printf(b, "{\"id\":\"msg-%08" PRIu64 "\",\"conversation\":\"%s\"", ++g->n_msg,
                         c->id);
        if (c->ident == ID_CRM)
            json_kv(b, "customer", p->id);
        heed__buf_printf(b, ",\"role\":\"%s\"", tu->agent < 0 ? "customer" : "agent");
        if (tu->agent >= 0)
            json_kv(b, "agent", g->agents[tu->agent].id);
        json_kv(b, "time", ts);
        json_kv(b, "channel", CH_NAMES[c->ch]);
        heed__buf_adds(b, ",\"text\":");
        heed_json_string(b, c->text.ptr + tu->off, tu->len);
        if (tu->agent < 0 && c->ident == ID_EMAIL) {
            /* as typed in the mail client: case differs from the CRM */
            char e[96];
            snprintf(e, sizeof e, "%s", p->email);
            if (p->idx % 3 == 0 && e[0] >= 'a' && e[0] <= 'z')
                e[0] = (char)(e[0] - 'a' + 'A');
            json_kv(b, "email", e);
        } else if (tu->agent < 0 && c->ident == ID_PHONE) {
            json_kv(b, "phone", p->phone);
        } else if (tu->agent < 0 && c->ident == ID_HANDLE) {
            json_kv(b, "handle", p->handle);
        }
        if (i == n - 1)
            json_kv(b, "status", c->status);
        heed__buf_adds(b, "}\n");
    }
}

static void qp_encode(heed_buf *b, const char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n') {
            heed__buf_addc(b, '\n');
            col = 0;
            continue;
        }
        int lit = (ch >= 33 && ch <= 126 && ch != '=') ||
                  ((ch == ' ' || ch == '\t') && i + 1 < n && s[i + 1] != '\n');
        size_t w = lit ? 1 : 3;
        if (col + w > 75) {
            heed__buf_adds(b, "=\n");
            col = 0;
        }
        if (lit)
            heed__buf_addc(b, (char)ch);
        else
            heed__buf_printf(b, "=%02X", ch);
        col += w;
    }
    heed__buf_addc(b, '\n');
}

static void b64_encode(heed_buf *b, const unsigned char *s, size_t n)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char q[4] = {A[v >> 18 & 63], A[v >> 12 & 63], i + 1 < n ? A[v >> 6 & 63] : '=',
                     i + 2 < n ? A[v & 63] : '='};
        heed__buf_add(b, q, 4);
        if ((col += 4) >= 76) {
            heed__buf_addc(b, '\n');
            col = 0;
        }
    }
    if (col)
        heed__buf_addc(b, '\n');
}

/* UTF-8 to ISO-8859-1 when every character fits; 0 when one does not. */
static int to_latin1(heed_buf *out, const char *s, size_t n, int *non_ascii)
{
    *non_ascii = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            heed__buf_addc(out, (char)ch);
        } else if ((ch == 0xC2 || ch == 0xC3) && i + 1 < n) {
            heed__buf_addc(out, (char)(((ch & 3) << 6) | ((unsigned char)s[++i] & 0x3F)));
            *non_ascii = 1;
        } else {
            return 0;
        }
    }
    return 1;
}

static int is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

static void mbox_body_line_safe(heed_buf *b, const char *s, size_t n)
{
    /* mboxrd: a body line starting with "From " (after any '>') gets one more '>' */
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && s[e] != '\n')
            e++;
        size_t k = i;
        while (k < e && s[k] == '>')
            k++;
        if (e - k >= 5 && !memcmp(s + k, "From ", 5))
            heed__buf_addc(b, '>');
        heed__buf_add(b, s + i, e - i);
        heed__buf_addc(b, '\n');
        i = e + 1;
    }
}

static void write_mbox(gen *g, const person *p, int n, const char *subject)
{
    convo *c = &g->cv;
    heed_buf *b = &g->o[O_MBOX].b;
    heed_buf refs, body, lat;
    heed__buf_init(&refs, 0);
    heed__buf_init(&body, 0);
    heed__buf_init(&lat, 0);
    char prev_from[256] = "";
    for (int i = 0; i < n; i++) {
        const turn *tu = &c->turns[i];
        int cust = tu->agent < 0;
        const agent *a = cust ? NULL : &g->agents[tu->agent];
        char from[256], to[256], date[40], mid[128];
        if (cust)
            snprintf(from, sizeof from, "%s %s <%s>", p->first, p->last, p->email);
        else
            snprintf(from, sizeof from, "%s %s <%s>", a->first, a->last, a->email);
        if (cust)
            snprintf(to, sizeof to, "Northwind Shop Customer Care <care@northwind.example.com>");
        else
            snprintf(to, sizeof to, "%s %s <%s>", p->first, p->last, p->email);
        rfc_date(date, tu->t);
        snprintf(mid, sizeof mid, "<%s.%d.%" PRIu64 "@%s>", c->id, i + 1, g->seed,
                 cust ? "mail.example.net" : "northwind.example.com");
        civil cv = to_civil(tu->t);
        heed__buf_printf(b, "From %s %.3s %.3s %2u %02u:%02u:%02u %04" PRId64 "\n",
                         cust ? p->email : a->email, WDAYS[cv.wday], MONTHS[cv.m - 1], cv.d,
                         cv.hh, cv.mm, cv.ss, cv.y);
        heed__buf_printf(b, "From: %s\nTo: %s\nSubject: %s%s\nDate: %s\nMessage-ID: %s\n", from,
                         to, i ? "Re: " : "", subject, date, mid);
        if (i) {
            const char *last = strrchr(refs.ptr, '<');
            heed__buf_printf(b, "In-Reply-To: %s\nReferences: %s\n", last, refs.ptr);
        }
        heed__buf_printf(&refs, "%s%s", i ? " " : "", mid);
        heed__buf_adds(b, "MIME-Version: 1.0\n");

        /* the body: this turn, the quoted previous mail, a signature */
        heed__buf_add(&body, c->text.ptr + tu->off, tu->len);
        if (!cust)
            heed__buf_printf(&body, "\n\n-- \n%s %s\nNorthwind Shop Customer Care\n"
                                    "https://help.northwind.example.com",
                             a->first, a->last);
        else if (p->idx % 4 == 1)
            heed__buf_adds(&body, "\n\n-- \nSent from my phone");
        if (i) {
            const turn *pt = &c->turns[i - 1];
            char pd[40];
            rfc_date(pd, pt->t);
            heed__buf_printf(&body, "\n\nOn %s, %s wrote:\n", pd, prev_from);
            const char *q = c->text.ptr + pt->off, *qe = q + pt->len;
            while (q < qe) {
                const char *e = memchr(q, '\n', (size_t)(qe - q));
                if (!e)
                    e = qe;
                heed__buf_adds(&body, e > q ? "> " : ">");
                heed__buf_add(&body, q, (size_t)(e - q));
                heed__buf_addc(&body, '\n');
                q = e + 1;
            }
        }
        snprintf(prev_from, sizeof prev_from, "%s", from);
        int non_ascii = 0;
        heed__buf_reset(&lat);
        if (is_ascii(body.ptr, body.len)) {
            heed__buf_adds(b, "Content-Type: text/plain; charset=us-ascii\n"
                              "Content-Transfer-Encoding: 7bit\n\n");
            mbox_body_line_safe(b, body.ptr, body.len);
        } else if (cust && to_latin1(&lat, body.ptr, body.len, &non_ascii) && non_ascii &&
                   (!g->latin1_done || g->n_mail % 3 == 0)) {
            /* an older mail client: Latin-1 text part in base64, HTML in QP */
            g->latin1_done = 1;
            heed__buf_printf(b,
                             "Content-Type: multipart/alternative; boundary=\"=_nw%" PRIu64
                             "\"\n\nThis is a multi-part message in MIME format.\n\n"
                             "--=_nw%" PRIu64 "\nContent-Type: text/plain; charset=ISO-8859-1\n"
                             "Content-Transfer-Encoding: base64\n\n",
                             g->n_mail, g->n_mail);
            b64_encode(b, (const unsigned char *)lat.ptr, lat.len);
            heed__buf_printf(b, "\n--=_nw%" PRIu64 "\nContent-Type: text/html; charset=UTF-8\n"
                                "Content-Transfer-Encoding: quoted-printable\n\n",
                             g->n_mail);
            heed__buf_reset(&lat);
            heed__buf_adds(&lat, "<html><body><p>");
            for (size_t k = 0; k < body.len; k++) {
                char ch = body.ptr[k];
                if (ch == '<')
                    heed__buf_adds(&lat, "&lt;");
                else if (ch == '>')
                    heed__buf_adds(&lat, "&gt;");
                else if (ch == '&')
                    heed__buf_adds(&lat, "&amp;");
                else if (ch == '\n')
                    heed__buf_adds(&lat, "<br>\n");
                else
                    heed__buf_addc(&lat, ch);
            }
            heed__buf_adds(&lat, "</p></body></html>");
            qp_encode(b, lat.ptr, lat.len);
            heed__buf_printf(b, "\n--=_nw%" PRIu64 "--\n", g->n_mail);
        } else if (g->n_mail % 4 != 3) {
            heed__buf_adds(b, "Content-Type: text/plain; charset=UTF-8\n"
                              "Content-Transfer-Encoding: quoted-printable\n\n");
            qp_encode(&lat, body.ptr, body.len);
            mbox_body_line_safe(b, lat.ptr, lat.len - 1);
        } else {
            heed__buf_adds(b, "Content-Type: text/plain; charset=UTF-8\n"
                              "Content-Transfer-Encoding: 8bit\n\n");
            mbox_body_line_safe(b, body.ptr, body.len);
        }
        heed__buf_addc(b, '\n');
        heed__buf_reset(&body);
        g->n_mail++;
    }
    heed__buf_release(&refs);
    heed__buf_release(&body);
    heed__buf_release(&lat);
}

#define ZD_USER_BASE    ((uint64_t)361000000)
#define ZD_AGENT_BASE   ((uint64_t)9000000)
#define ZD_TICKET_BASE  ((uint64_t)20000)
#define ZD_COMMENT_BASE ((uint64_t)700000000)

static void write_ticket(gen *g, const person *p, int n, const char *subject, rng *r)
{
    convo *c = &g->cv;
    heed_buf *b = &g->o[O_TICK].b;
    char ts[24];
    iso_time(ts, c->turns[0].t);
    heed__buf_printf(b, "%s\n{\"id\":%" PRIu64 ",\"subject\":", g->n_tick ? "," : "",
                     ZD_TICKET_BASE + g->n_tick + 1);
    heed_json_string(b, subject, strlen(subject));
    heed__buf_printf(b, ",\"status\":\"%s\",\"via\":{\"channel\":\"%s\"},"
                        "\"requester\":{\"id\":%" PRIu64 ",\"name\":",
                     c->status, c->ch == CH_EMAIL ? "email" : "web", ZD_USER_BASE + p->idx);
    heed__buf_printf(&g->tmp, "%s %s", p->first, p->last);
    heed_json_string(b, g->tmp.ptr, g->tmp.len);
    heed__buf_reset(&g->tmp);
    json_kv(b, "email", p->email);
    if (p->phone[0])
        json_kv(b, "phone", p->phone);
    heed__buf_printf(b, "},\"created_at\":\"%s\",\"comments\":[", ts);
    for (int i = 0; i < n; i++) {
        const turn *tu = &c->turns[i];
        iso_time(ts, tu->t);
        uint64_t author = tu->agent < 0 ? ZD_USER_BASE + p->idx : ZD_AGENT_BASE + (uint64_t)tu->agent;
        heed__buf_printf(b, "%s{\"id\":%" PRIu64 ",\"author_id\":%" PRIu64 ",\"body\":",
                         i ? "," : "", ZD_COMMENT_BASE + g->n_tick * 16 + (uint64_t)i * 2,
                         author);
        heed_json_string(b, c->text.ptr + tu->off, tu->len);
        heed__buf_printf(b, ",\"public\":true,\"created_at\":\"%s\"}", ts);
        if (tu->agent >= 0 && (!g->private_note_done || rpct(r, 15))) {
            g->private_note_done = 1;
            iso_time(ts, tu->t + 60);
            heed__buf_printf(b, ",{\"id\":%" PRIu64 ",\"author_id\":%" PRIu64 ",\"body\":",
                             ZD_COMMENT_BASE + g->n_tick * 16 + (uint64_t)i * 2 + 1, author);
            const char *note = pick(r, gen_private_notes);
            heed_json_string(b, note, strlen(note));
            heed__buf_printf(b, ",\"public\":false,\"created_at\":\"%s\"}", ts);
        }
    }
    heed__buf_adds(b, "]}");
    g->n_tick++;
}

/* ---- surveys ------------------------------------------------------------ */

static void survey(gen *g, const person *p, rng *r, int64_t t)
{
    convo *c = &g->cv;
    if (t >= g->end)
        return;
    static const char *const KINDS[] = {"csat", "nps", "ces"};
    int kind = (int)rbelow(r, 3), q = c->quality, score;
    if (kind == 0)
        score = q > 0 ? (int)rrange(r, 4, 5) : q == 0 ? (int)rrange(r, 3, 4) : (int)rrange(r, 1, 2);
    else if (kind == 1)
        score = q > 0 ? (int)rrange(r, 8, 10) : q == 0 ? (int)rrange(r, 5, 8) : (int)rrange(r, 0, 4);
    else
        score = q > 0 ? (int)rrange(r, 1, 3) : q == 0 ? (int)rrange(r, 3, 5) : (int)rrange(r, 5, 7);
    heed_buf *b = &g->o[O_SURV].b;
    char ts[24];
    iso_time(ts, t);
    heed__buf_printf(b, "srv-%07" PRIu64 ",", ++g->n_surv);
    if (rpct(r, 85))
        heed__buf_printf(b, "%s,,", p->id);
    else
        heed__buf_printf(b, ",%s,", p->email);
    heed__buf_printf(b, "%s,%s,%d,", ts, KINDS[kind], score);
    if (rpct(r, 55)) {
        slots s = {.g = c->turns[1].agent >= 0 ? g->agents[c->turns[1].agent].first : ""};
        expand(&g->tmp, pick(r, q > 0 ? gen_survey_good : q == 0 ? gen_survey_mid : gen_survey_bad),
               &s, r);
        csv_field(b, g->tmp.ptr ? g->tmp.ptr : "");
        heed__buf_reset(&g->tmp);
    }
    heed__buf_printf(b, ",%s\n", c->id);
}

/* ---- one customer's journey --------------------------------------------- */

static channel pick_channel(gen_scenario sc, rng *r)
{
    static const int W[GEN_S_COUNT][CH_COUNT] = {
        [GEN_S_OUTAGE] = {15, 30, 30, 20, 5},  [GEN_S_BEREAVEMENT] = {50, 5, 35, 0, 10},
        [GEN_S_CALLBACK] = {30, 30, 20, 5, 15}, [GEN_S_HARDSHIP] = {35, 30, 25, 0, 10},
    };
    const int *w = W[sc];
    static const int DEF[CH_COUNT] = {35, 25, 15, 10, 15};
    if (!w[0] && !w[1] && !w[2])
        w = DEF;
    int k = (int)rbelow(r, 100);
    for (int i = 0; i < CH_COUNT; i++) {
        if (k < w[i])
            return (channel)i;
        k -= w[i];
    }
    return CH_EMAIL;
}

static void order_no(gen *g, rng *r, char out[16])
{
    g->n_order++;
    snprintf(out, 16, "#%" PRIu64, 48000 + g->n_order * 3 + rbelow(r, 3));
}

/* Events the other systems logged before the customer got in touch. */
static void pre_events(gen *g, const person *p, rng *r, gen_scenario sc, int64_t t0, slots *s,
                       unsigned cents)
{
    char amt[24];
    snprintf(amt, sizeof amt, "%u.%02u", cents / 100, cents % 100);
    const char *cur = currency(p->cur), *o = s->o + 1;
    int64_t od = t0 - rrange(r, 3 * DAY, 12 * DAY);
    switch (sc) {
    case GEN_S_LATE_PARCEL:
    case GEN_S_FAILED_DELIVERY:
    case GEN_S_DAMAGED:
    case GEN_S_REFUND:
    case GEN_S_ILLNESS:
    case GEN_S_HAPPY:
        event(g, p, r, "order", od, (evx){o, amt, cur, NULL, NULL});
        event(g, p, r, "payment", od + 40, (evx){o, amt, cur, NULL, NULL});
        event(g, p, r, "shipment", od + rrange(r, 6 * HOUR, 2 * DAY),
              (evx){o, NULL, NULL, NULL, s->x});
        if (sc == GEN_S_FAILED_DELIVERY)
            event(g, p, r, "delivery_failed", t0 - rrange(r, HOUR, 8 * HOUR),
                  (evx){o, NULL, NULL, NULL, s->x});
        else if (sc != GEN_S_LATE_PARCEL)
            event(g, p, r, "delivery", od + rrange(r, 2 * DAY, 3 * DAY - 1),
                  (evx){o, NULL, NULL, NULL, s->x});
        break;
    case GEN_S_DOUBLE_CHARGE: {
        int64_t pt = t0 - rrange(r, 3 * HOUR, 2 * DAY);
        event(g, p, r, "payment", pt, (evx){o, amt, cur, NULL, "monthly plan"});
        event(g, p, r, "payment", pt + rrange(r, 30, 3600), (evx){o, amt, cur, NULL, "monthly plan"});
        break;
    }
    case GEN_S_FAILED_PAYMENT:
    case GEN_S_HARDSHIP:
        event(g, p, r, "payment_failed", t0 - rrange(r, 2 * HOUR, 3 * DAY),
              (evx){NULL, amt, cur, NULL, s->x});
        event(g, p, r, "message_sent", t0 - rrange(r, 60, 2 * HOUR),
              (evx){NULL, NULL, NULL, NULL, "E-mail: your payment could not be taken"});
        break;
    case GEN_S_OUTAGE:
        event(g, p, r, "message_sent", t0 - rrange(r, HOUR, 10 * HOUR),
              (evx){NULL, NULL, NULL, NULL, "SMS: we're aware of a broadband fault in your area"});
        break;
    case GEN_S_BEREAVEMENT:
        event(g, p, r, "payment", t0 - rrange(r, 2 * DAY, 9 * DAY),
              (evx){NULL, amt, cur, NULL, "direct debit"});
        break;
    default:
        break;
    }
}

/* Events that keep (on time or late) or break the agent's promise. */
static void promise_events(gen *g, const person *p, rng *r, const promise *pr, const slots *s,
                           unsigned cents, int agent_idx)
{
    if (pr->turn < 0 || pr->outcome == 2)
        return;
    int64_t at;
    if (pr->outcome == 0) {
        int64_t span = pr->due - pr->made - 20 * 60;
        at = pr->made + 10 * 60 + (span > 0 ? rrange(r, 0, span) : 0);
    } else {
        at = pr->due + rrange(r, 6 * HOUR, 4 * DAY);
    }
    char amt[24];
    snprintf(amt, sizeof amt, "%u.%02u", cents / 100, cents % 100);
    const char *cur = currency(p->cur), *o = s->o + 1;
    switch (pr->kind) {
    case GEN_K_REFUND:
        event(g, p, r, "refund", at, (evx){o, amt, cur, NULL, NULL});
        if (rpct(r, 50))
            event(g, p, r, "message_sent", at + 120,
                  (evx){NULL, NULL, NULL, NULL, "E-mail: your refund is on its way"});
        break;
    case GEN_K_CALLBACK:
        event(g, p, r, "callback", at, (evx){NULL, NULL, NULL, g->agents[agent_idx].id, NULL});
        break;
    case GEN_K_DELIVERY:
        event(g, p, r, "delivery", at, (evx){o, NULL, NULL, NULL, s->x});
        break;
    case GEN_K_REPAIR:
        event(g, p, r, "repair", at,
              (evx){NULL, NULL, NULL, NULL, "Engineer visit: line fault fixed at the cabinet"});
        event(g, p, r, "message_sent", at + 600,
              (evx){NULL, NULL, NULL, NULL, "SMS: your broadband is working again"});
        break;
    case GEN_K_REPLACEMENT:
        event(g, p, r, "replacement", at - rrange(r, HOUR, 20 * HOUR), (evx){o, NULL, NULL, NULL, NULL});
        event(g, p, r, "delivery", at, (evx){o, NULL, NULL, NULL, s->x});
        break;
    case GEN_K_PAYMENT:
        event(g, p, r, "payment", at, (evx){NULL, amt, cur, NULL, "payment plan"});
        break;
    default:
        break;
    }
}

static outcome run_convo(gen *g, const person *p, rng *r, gen_scenario sc, int64_t t0,
                         int contact, slots *keep)
{
    convo *c = &g->cv;
    const gen_scen *S = &gen_scens[sc];
    outcome res = {0};
    c->n = 0;
    c->sc = sc;
    c->quality = 0;
    heed__buf_reset(&c->text);
    snprintf(c->id, sizeof c->id, "conv-%07" PRIu64, ++g->n_conv);
    c->ch = pick_channel(sc, r);
    c->ident = ID_CRM;
    if (c->ch == CH_EMAIL && rpct(r, 25))
        c->ident = ID_EMAIL;
    else if (c->ch == CH_PHONE && p->phone[0] && !p->business && rpct(r, 35))
        c->ident = ID_PHONE;
    else if (c->ch == CH_SOCIAL && p->handle[0] && rpct(r, 60))
        c->ident = ID_HANDLE;
    else if (c->ch == CH_SOCIAL && !p->handle[0])
        c->ch = CH_CHAT;

    /* chats and calls happen while someone is on shift */
    if (c->ch == CH_CHAT || c->ch == CH_PHONE) {
        t0 = day_start(t0) + rrange(r, 7 * HOUR, 20 * HOUR);
        int a = find_agent(g, team_of(g, S->team), &t0, -1, 0, r);
        (void)a;
    } else if (rpct(r, 75)) {
        t0 = day_start(t0) + rrange(r, 7 * HOUR, 23 * HOUR);
    }

    slots s;
    unsigned cents;
    if (contact >= 2) {
        s = *keep; /* the same order, amount and promise as last time */
        cents = 0;
        for (const char *q = s.a; *q; q++)
            if (*q >= '0' && *q <= '9')
                cents = cents * 10 + (unsigned)(*q - '0');
    } else {
        memset(&s, 0, sizeof s);
        order_no(g, r, s.o);
        cents = (unsigned)rrange(r, 899, 34999);
        if (sc == GEN_S_DOUBLE_CHARGE || sc == GEN_S_OUTAGE || sc == GEN_S_HARDSHIP ||
            sc == GEN_S_BEREAVEMENT)
            cents = (unsigned)(rrange(r, 2, 8) * 1000 - 1);
        money(s.a, p->cur, cents);
        day_month(s.D, t0 - rrange(r, 3 * DAY, 20 * DAY));
        snprintf(s.r, sizeof s.r, "CX-%05u", (unsigned)rrange(r, 10000, 99999));
        s.p = pick(r, gen_products);
        s.x = sc == GEN_S_FAILED_DELIVERY  ? pick(r, gen_delivery_failures)
              : sc == GEN_S_FAILED_PAYMENT || sc == GEN_S_HARDSHIP ? pick(r, gen_payment_failures)
                                                                    : pick(r, gen_carriers);
        pre_events(g, p, r, sc, t0, &s, cents);
    }
    s.n = p->first;
    heed__buf_printf(&g->tmp, "%s %s", p->first, p->last);
    char full[72];
    snprintf(full, sizeof full, "%s", g->tmp.ptr);
    heed__buf_reset(&g->tmp);
    s.N = full;
    snprintf(s.c, sizeof s.c, "%s", ORDINALS[contact - 1 < 5 ? contact - 1 : 5]);
    s.g = g->agents[0].first;
    char due_before[48];
    snprintf(due_before, sizeof due_before, "%s", s.d);

    promise pr = build_convo(g, r, sc, t0, contact, &s);

    /* what the period holds: later turns fall outside and are left out */
    int n = 0;
    while (n < c->n && c->turns[n].t < g->end)
        n++;
    if (n == 0) {
        g->n_conv--;
        res.last = g->end;
        return res;
    }
    const turn *last = &c->turns[n - 1];
    int solved = (pr.turn >= 0 && pr.turn < n) || c->quality > 0;
    c->status = solved ? "solved" : last->agent < 0 ? "open" : "pending";
    if (pr.turn >= n)
        pr.turn = -1;
    int promise_agent = pr.turn >= 0 ? c->turns[pr.turn].agent : 0;
    promise_events(g, p, r, &pr, &s, cents, promise_agent);

    const char *subject_t = pick(r, S->subject);
    heed_buf subj;
    heed__buf_init(&subj, 0);
    expand(&subj, subject_t, &s, r);
    if (c->ch == CH_EMAIL && rpct(r, 15))
        write_mbox(g, p, n, subj.ptr);
    else if (c->ch == CH_WEB && rpct(r, 30))
        write_ticket(g, p, n, subj.ptr, r);
    else
        write_jsonl(g, p, n);
    heed__buf_release(&subj);
    if (n == c->n && last->agent >= 0 && rpct(r, 35))
        survey(g, p, r, last->t + rrange(r, HOUR, 30 * HOUR));

    res.last = last->t;
    /* the customer comes back when the promise slipped or nothing was solved */
    if (pr.turn >= 0 && pr.outcome > 0 && rpct(r, 80)) {
        res.followup = 1;
        res.next = pr.due + rrange(r, 4 * HOUR, 2 * DAY);
        snprintf(keep->d, sizeof keep->d, "%s", s.d);
    } else if ((pr.turn < 0 && S->kind != GEN_K_NONE && rpct(r, 50)) ||
               (sc == GEN_S_OUTAGE && rpct(r, 35))) {
        res.followup = 1;
        res.next = res.last + rrange(r, DAY, 3 * DAY);
        if (pr.turn < 0)
            snprintf(keep->d, sizeof keep->d, "%s", due_before[0] ? due_before : "last week");
        else
            snprintf(keep->d, sizeof keep->d, "%s", s.d);
    }
    if (contact < 2) {
        char d[48];
        snprintf(d, sizeof d, "%s", keep->d);
        *keep = s;
        snprintf(keep->d, sizeof keep->d, "%s", d);
    }
    if (!keep->d[0])
        snprintf(keep->d, sizeof keep->d, "last week");
    return res;
}

static void journey(gen *g, const person *p, rng *r)
{
    int k = (int)rbelow(r, 100);
    int nconv = k < 40 ? 1 : k < 70 ? 2 : k < 88 ? 3 : 4;
    int64_t span = (int64_t)g->days * DAY;
    int64_t t = g->start + rrange(r, 0, span - span / 6 - 1);
    gen_scenario sc = p->primary;
    int contact = 1;
    slots keep;
    memset(&keep, 0, sizeof keep);
    for (int i = 0; i < nconv + 3 && t < g->end; i++) {
        if (i >= nconv && contact < 2)
            break;
        outcome o = run_convo(g, p, r, sc, t, contact, &keep);
        if (o.followup && contact < 5) {
            contact++;
            t = o.next;
        } else {
            contact = 1;
            memset(&keep, 0, sizeof keep);
            sc = pick_scenario(r);
            t = o.last + rrange(r, 2 * DAY, 12 * DAY);
        }
    }
}

/* ---- the command -------------------------------------------------------- */

static int parse_uint(const char *v, unsigned long long max, unsigned long long *out)
{
    if (!v || !*v || *v == '-' || *v == '+')
        return -1;
    char *e;
    errno = 0;
    unsigned long long x = strtoull(v, &e, 10);
    if (errno || *e || x > max)
        return -1;
    *out = x;
    return 0;
}

static int parse_date(const char *v, int64_t *out)
{
    unsigned y, m, d;
    char tail;
    if (!v || strlen(v) != 10 || sscanf(v, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || y < 1971 ||
        y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    int64_t days = days_from_civil(y, m, d);
    civil c = to_civil(days * DAY);
    if (c.d != d)
        return -1; /* 31 April and the like */
    *out = days * DAY;
    return 0;
}

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "heed generate: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    fputs("Try 'heed generate --help'.\n", stderr);
    return HEED_EXIT_USAGE;
}

int heed_cmd_generate(int argc, char **argv)
{
    const char *dir = NULL;
    unsigned long long customers = 100, seed = 1, days = 30, agents = 0;
    int64_t start = 0;
    parse_date("2026-09-01", &start);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(HELP, stdout);
            return HEED_EXIT_OK;
        }
        if (strcmp(a, "--out") && strcmp(a, "--customers") && strcmp(a, "--seed") &&
            strcmp(a, "--start") && strcmp(a, "--days") && strcmp(a, "--agents"))
            return usage("unknown option", a);
        if (!v)
            return usage("option needs a value", a);
        i++;
        if (!strcmp(a, "--out"))
            dir = v;
        else if (!strcmp(a, "--customers") && (parse_uint(v, 10000000, &customers) || !customers))
            return usage("--customers wants a whole number from 1 to 10000000", v);
        else if (!strcmp(a, "--seed") && parse_uint(v, UINT64_MAX, &seed))
            return usage("--seed wants an unsigned integer", v);
        else if (!strcmp(a, "--days") && (parse_uint(v, 3650, &days) || !days))
            return usage("--days wants a whole number from 1 to 3650", v);
        else if (!strcmp(a, "--agents") && (parse_uint(v, 9999, &agents) || !agents))
            return usage("--agents wants a whole number from 1 to 9999", v);
        else if (!strcmp(a, "--start") && parse_date(v, &start))
            return usage("--start wants a date YYYY-MM-DD", v);
    }
    if (!dir || !*dir)
        return usage("--out DIR is required", NULL);
    if (!agents) {
        agents = customers / 10;
        agents = agents < 4 ? 4 : agents > 500 ? 500 : agents;
    }
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "heed generate: cannot create %s: %s\n", dir, strerror(errno));
        return HEED_EXIT_USAGE;
    }

    gen *g = calloc(1, sizeof *g);
    if (!g) {
        fputs("heed generate: out of memory\n", stderr);
        return HEED_EXIT_INTERNAL;
    }
    int rc = HEED_EXIT_OK;
    g->customers = (unsigned)customers;
    g->days = (unsigned)days;
    g->seed = seed;
    g->start = start;
    g->end = start + (int64_t)days * DAY;
    g->n_agents = (unsigned)agents;
    g->n_teams = agents >= 6 ? 3 : agents >= 2 ? 2 : 1;
    g->agents = calloc(agents, sizeof *g->agents);
    heed__buf_init(&g->tmp, 0);
    heed__buf_init(&g->cv.text, 0);
    for (int i = 0; i < O_COUNT; i++) {
        outfile *o = &g->o[i];
        heed__buf_init(&o->b, 0);
        snprintf(o->path, sizeof o->path, "%s/%s", dir, OUT_NAMES[i]);
        o->f = fopen(o->path, "wb");
        if (!o->f) {
            fprintf(stderr, "heed generate: cannot write %s: %s\n", o->path, strerror(errno));
            rc = HEED_EXIT_USAGE;
            goto done;
        }
    }
    if (!g->agents) {
        rc = HEED_EXIT_INTERNAL;
        goto done;
    }
    heed__buf_adds(&g->o[O_CUST].b, "id,name,email,phone,handle,vulnerable,segment,created\n");
    heed__buf_adds(&g->o[O_AGENTS].b, "id,name,team\n");
    heed__buf_adds(&g->o[O_SHIFTS].b, "id,agent,start,end,team\n");
    heed__buf_adds(&g->o[O_SURV].b, "id,customer,email,time,kind,score,comment,conversation\n");
    heed__buf_adds(&g->o[O_TICK].b, "{\"tickets\":[");
    make_agents(g);

    for (unsigned i = 0; i < g->customers; i++) {
        rng r = rfork(seed, (uint64_t)i + 1);
        person p;
        make_person(g, i, &r, &p);
        write_person(g, &p);
        journey(g, &p, &r);
        for (int k = 0; k < O_COUNT; k++) {
            if (g->o[k].b.len > (1u << 16) && out_flush(&g->o[k])) {
                rc = g->o[k].b.err ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
                fprintf(stderr, "heed generate: cannot write %s\n", g->o[k].path);
                goto done;
            }
        }
    }
    heed__buf_adds(&g->o[O_TICK].b, "\n]}\n");
    for (int k = 0; k < O_COUNT; k++) {
        if (out_flush(&g->o[k]) || fflush(g->o[k].f)) {
            fprintf(stderr, "heed generate: cannot write %s\n", g->o[k].path);
            rc = HEED_EXIT_USAGE;
            goto done;
        }
    }
    fprintf(stderr,
            "heed generate: %u customers, %u agents, %" PRIu64 " conversations, %" PRIu64
            " messages, %" PRIu64 " mails, %" PRIu64 " tickets, %" PRIu64 " events, %" PRIu64
            " surveys, %" PRIu64 " shifts in %s\n",
            g->customers, g->n_agents, g->n_conv, g->n_msg, g->n_mail, g->n_tick, g->n_ev,
            g->n_surv, g->n_shift, dir);
done:
    for (int k = 0; k < O_COUNT; k++) {
        if (g->o[k].f && fclose(g->o[k].f) && rc == HEED_EXIT_OK) {
            fprintf(stderr, "heed generate: cannot write %s\n", g->o[k].path);
            rc = HEED_EXIT_USAGE;
        }
        heed__buf_release(&g->o[k].b);
    }
    heed__buf_release(&g->tmp);
    heed__buf_release(&g->cv.text);
    free(g->agents);
    free(g);
    return rc;
}
