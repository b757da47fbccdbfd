/* gen_convo.c - `heed generate`'s conversations: templates expanded into
 * the customer's and the agents' turns, the agent's reply style after their
 * profile, promises with a due time. Fills g->cv; generate.c writes it out. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"

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
static const int STYLE_BY_PROFILE[N_PROFILES][ST_COUNT] = {
    {55, 5, 30, 5, 2, 1, 1, 1},   {35, 10, 15, 12, 10, 8, 5, 5}, {15, 5, 5, 20, 10, 20, 5, 20},
    {25, 15, 10, 5, 5, 10, 25, 5}, {20, 35, 3, 7, 20, 10, 2, 3},
};

/* ---- templates ---------------------------------------------------------- */

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
void gen_expand(heed_buf *b, const char *tmpl, const slots *s, rng *r)
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

/* ---- conversations ------------------------------------------------------ */

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
    civil c = gen_to_civil(at);
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
            unsigned w = gen_to_civil(d).wday;
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
    unsigned w = gen_to_civil(d0 + ahead * DAY).wday;
    if (w == 0 || w == 6)
        ahead += w == 6 ? 2 : 1;
    w = gen_to_civil(d0 + ahead * DAY).wday;
    snprintf(out, 48, "%s %s", kind == GEN_K_REPAIR || kind == GEN_K_PAYMENT || form == 2 ? "on" : "by",
             gen_wdays[w]);
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
        gen_lower_ascii(body->ptr);
    heed__buf_add(out, body->ptr ? body->ptr : "", body->len);
    if (first && (ch == CH_EMAIL || ch == CH_WEB) && rpct(r, 60))
        heed__buf_printf(out, "\n\n%s\n%s", rpct(r, 50) ? "Thanks," : "Kind regards,",
                         rpct(r, 50) ? s->n : s->N);
    heed__buf_reset(body);
}

/* One conversation: fills g->cv, returns the promise it made. */
promise gen_build_convo(gen *g, rng *r, gen_scenario sc, int64_t t,
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
        gen_expand(&body, pick(r, s->promised ? S->followup : gen_followup_again), s, r);
    else
        gen_expand(&body, pick(r, S->open), s, r);
    if ((contact >= 2 && rpct(r, 60)) || (S->stress >= 2 && rpct(r, 15))) {
        heed__buf_addc(&body, ' ');
        gen_expand(&body, pick(r, gen_threats), s, r);
    }
    customer_text(&txt, c->ch, s, &body, 1, r);
    add_turn(g, -1, t, &txt);

    if (rpct(r, 4)) /* never answered */
        goto done;
    int64_t ta = t + agent_delay(c->ch, r);
    int ag = gen_find_agent(g, team, &ta, -1, front && rpct(r, 60), r);
    s->g = g->agents[ag].first;
    style st = pick_style(&g->agents[ag], r);
    int warm = S->stress >= 2 || S->vulnerable || contact >= 2;

    if (st == ST_EXPLORE) {
        gen_expand(&body, pick(r, S->explore), s, r);
        agent_text(&txt, c->ch, s, &body, 1, r);
        add_turn(g, ag, ta, &txt);
        t = ta + customer_delay(c->ch, r);
        gen_expand(&body, pick(r, S->detail), s, r);
        customer_text(&txt, c->ch, s, &body, 0, r);
        add_turn(g, -1, t, &txt);
        ta = t + agent_delay(c->ch, r);
        ag = gen_find_agent(g, team, &ta, ag, 0, r);
        s->g = g->agents[ag].first;
        st = ST_GOOD;
    } else if (st >= ST_EMPATHY) {
        /* a reply that does not solve */
        switch (st) {
        case ST_EMPATHY: gen_expand(&body, pick(r, gen_nothing_to_do), s, r); break;
        case ST_DEFLECT:
            gen_expand(&body, pick(r, gen_empathy), s, r);
            heed__buf_addc(&body, ' ');
            gen_expand(&body, pick(r, S->deflect), s, r);
            break;
        case ST_POLICY: gen_expand(&body, pick(r, gen_policy), s, r); break;
        case ST_JARGON:
            gen_expand(&body, pick(r, gen_jargon), s, r);
            heed__buf_printf(&body, " Ref: %s.", s->r);
            break;
        default: gen_expand(&body, pick(r, gen_canned), s, r); break;
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
        gen_expand(&body, pick(r, gen_pushback), s, r);
        if (rpct(r, 45)) {
            heed__buf_addc(&body, ' ');
            gen_expand(&body, pick(r, gen_threats), s, r);
        }
        customer_text(&txt, c->ch, s, &body, 0, r);
        add_turn(g, -1, t, &txt);
        if (!rpct(r, 55)) {
            if (rpct(r, 40)) {
                t += customer_delay(c->ch, r);
                gen_expand(&body, pick(r, gen_giving_up), s, r);
                customer_text(&txt, c->ch, s, &body, 0, r);
                add_turn(g, -1, t, &txt);
            }
            goto done;
        }
        /* a colleague (often the front-line agent) picks it up and solves it */
        ta = t + agent_delay(c->ch, r);
        ag = gen_find_agent(g, team, &ta, -1, 1, r);
        s->g = g->agents[ag].first;
        st = ST_GOOD;
        warm = 1;
    }

    /* the solving reply: concrete action, a time frame when it promises */
    if (S->kind != GEN_K_NONE)
        make_due(S->kind, ta, r, s->d, &pr.due);
    if (st == ST_CURT && S->kind == GEN_K_REFUND) {
        gen_expand(&body, pick(r, gen_curt_refund), s, r);
    } else {
        if (st == ST_GOOD && sc != GEN_S_HAPPY) {
            heed__buf_adds(&body, pick(r, warm ? gen_empathy_high : gen_empathy));
            heed__buf_addc(&body, ' ');
        }
        gen_expand(&body, pick(r, S->action), s, r);
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
        gen_expand(&body, pick(r, st == ST_GOOD ? gen_thanks : gen_ok_thanks), s, r);
        customer_text(&txt, c->ch, s, &body, 0, r);
        add_turn(g, -1, t, &txt);
        if (c->ch != CH_EMAIL && rpct(r, 50)) {
            ta = t + agent_delay(c->ch, r);
            ag = gen_find_agent(g, team, &ta, ag, 0, r);
            heed__buf_adds(&txt, pick(r, gen_agent_close));
            add_turn(g, ag, ta, &txt);
        }
    }
done:
    heed__buf_release(&body);
    heed__buf_release(&txt);
    return pr;
}

