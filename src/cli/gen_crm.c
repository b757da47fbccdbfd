/* gen_crm.c - `heed generate`'s people: agents and their shifts (who is on
 * duty when a reply is due), customers with their contact details and main
 * situation, and the CRM rows written for them. Part of generate.c. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"

const char *const gen_team_names[3] = {"orders", "billing", "tech"};

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
int gen_find_agent(const gen *g, int team, int64_t *t, int keep, int front, rng *r)
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

void gen_make_agents(gen *g)
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
        gen_csv_field(b, nm.ptr);
        heed__buf_release(&nm);
        /* the helpdesk export names the agent by its user id (gen_mail.c) */
        heed__buf_printf(b, ",%s,%s,%" PRIu64 "\n", gen_team_names[a->team], a->email,
                         GEN_ZD_AGENT_BASE + (uint64_t)i);
    }
    int64_t d0 = g->start / DAY;
    for (int64_t d = d0; d < d0 + g->days; d++) {
        for (unsigned a = 0; a < g->n_agents; a++) {
            if (!works(a, d))
                continue;
            int64_t s = d * DAY + (early(a, d) ? 7 : 13) * HOUR;
            char ts[24], te[24];
            gen_iso_time(ts, s);
            gen_iso_time(te, s + 8 * HOUR);
            heed__buf_printf(&g->o[O_SHIFTS].b, "shift-%07" PRIu64 ",%s,%s,%s,%s\n",
                             ++g->n_shift, g->agents[a].id, ts, te,
                             gen_team_names[g->agents[a].team]);
        }
        if (g->o[O_SHIFTS].b.len > (1u << 16))
            gen_out_flush(&g->o[O_SHIFTS]);
    }
}

/* ---- customers ---------------------------------------------------------- */

/* Fictional phone numbers, from ranges reserved for drama and fiction: the
 * UK's Ofcom drama ranges (1,000 numbers each) and US 555-0100..0199 under
 * any area code. Customers 1..1998 keep the first scheme (even: +44 7700
 * 900000.., odd: US slot i/2), so small runs and samples/journey are stable;
 * later customers with a phone take the next number of a pool that alternates
 * UK and US while the UK ranges last. +44 7700 900999 is the switchboard two
 * business customers share, so nobody else gets it. */
#define SWITCHBOARD "+44 7700 900999"
static const char *const UK_BLOCK[] = {
    "+44 7700 900", "+44 1632 960", "+44 20 7946 0", "+44 113 496 0", "+44 114 496 0",
    "+44 115 496 0", "+44 116 496 0", "+44 117 496 0", "+44 118 496 0", "+44 121 496 0",
    "+44 131 496 0", "+44 141 496 0", "+44 151 496 0", "+44 161 496 0", "+44 191 498 0",
    "+44 28 9649 6", "+44 29 2018 0"};
#define UK_BLOCKS  (sizeof UK_BLOCK / sizeof *UK_BLOCK)
#define FIRST_SCHEME 1998u /* customers numbered by index: UK 900000..900998 */
#define US_LISTED  40
static const unsigned US_AREA[US_LISTED] = {
    202, 212, 213, 305, 312, 314, 404, 415, 503, 512, 602, 614, 617, 702, 713, 720, 808, 816, 901, 919,
    206, 210, 216, 301, 303, 317, 402, 412, 414, 502, 504, 513, 515, 612, 615, 616, 701, 704, 803, 813};

/* The US area codes in use order: the listed ones, then every other NXX
 * code (N 2-9) except the N11 service codes. */
void gen_phone_init(gen *g)
{
    unsigned n = 0;
    for (unsigned k = 0; k < US_LISTED; k++)
        g->us_areas[n++] = US_AREA[k];
    for (unsigned a = 200; a <= 999 && n < GEN_US_AREAS; a++) {
        int listed = a % 100 == 11;
        for (unsigned k = 0; k < US_LISTED && !listed; k++)
            listed = US_AREA[k] == a;
        if (!listed)
            g->us_areas[n++] = a;
    }
    g->n_us_areas = n;
}

static void us_phone(const gen *g, person *p, unsigned k)
{
    snprintf(p->phone, sizeof p->phone, "+1 %u 555 01%02u", g->us_areas[k / 100], k % 100);
    p->cur = 'U';
}

/* Customer i's phone (i >= FIRST_SCHEME: the pool's next number, if any). */
static void assign_phone(gen *g, unsigned i, person *p)
{
    if (i < FIRST_SCHEME) {
        if (i % 2 == 0) {
            snprintf(p->phone, sizeof p->phone, "+44 7700 900%03u", i / 2);
            p->cur = 'G';
        } else {
            us_phone(g, p, i / 2);
        }
        return;
    }
    /* the pool: UK blocks 1.. and US slots 1000.. (below are the first scheme's) */
    const uint64_t uk = (UK_BLOCKS - 1) * 1000, us = (uint64_t)g->n_us_areas * 100 - 1000;
    uint64_t j = g->n_pool_phones;
    if (j >= uk + us)
        return; /* the fictional ranges are used up: no phone */
    g->n_pool_phones++;
    if (j < 2 * uk && j % 2 == 0) {
        uint64_t u = 1000 + j / 2;
        snprintf(p->phone, sizeof p->phone, "%s%03u", UK_BLOCK[u / 1000], (unsigned)(u % 1000));
        p->cur = 'G';
    } else {
        us_phone(g, p, (unsigned)(1000 + (j < 2 * uk ? j / 2 : j - uk)));
    }
}

static const int SCEN_WEIGHT[GEN_S_COUNT] = {14, 8, 8, 6, 12, 8, 10, 8, 3, 3, 4, 9, 7};

gen_scenario gen_pick_scenario(rng *r)
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

void gen_lower_ascii(char *s)
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
    gen_lower_ascii(out);
}

void gen_make_person(gen *g, unsigned i, rng *r, person *p)
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
    if (rpct(r, 88))
        assign_phone(g, i, p);
    if (rpct(r, 30))
        snprintf(p->handle, sizeof p->handle, "@%s_%s%u", af, al, (i * 37 + 11) % 100);
    p->primary = gen_pick_scenario(r);
    /* two small businesses behind one company switchboard: same phone, two
     * different customers that identity resolution must keep apart */
    if (g->customers >= 10 && (i == 7 || i == 8)) {
        p->business = 1;
        snprintf(p->phone, sizeof p->phone, "%s", SWITCHBOARD);
        p->cur = 'G';
    }
    p->vulnerable = (gen_scens[p->primary].vulnerable && rpct(r, 60)) || rpct(r, 2);
}

void gen_write_person(gen *g, const person *p)
{
    heed_buf *b = &g->o[O_CUST].b;
    heed__buf_printf(b, "%s,", p->id);
    heed__buf_printf(&g->tmp, "%s %s", p->first, p->last);
    gen_csv_field(b, g->tmp.ptr);
    heed__buf_reset(&g->tmp);
    char created[24];
    gen_iso_time(created, g->start - (int64_t)(30 + p->idx % 1500) * DAY + (p->idx * 7919) % DAY);
    heed__buf_printf(b, ",%s,%s,%s,%d,%s,%s\n", p->email, p->phone, p->handle, p->vulnerable,
                     p->business ? "business" : "consumer", created);
}

