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
#include "generate.h"
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
    "  --messages-per-customer M\n"
    "                   aim at about M messages per customer in messages.jsonl\n"
    "                   (1..100; default: the natural mix, about 6.8 over 30 days)\n"
    "  -h, --help       this help\n"
    "\n"
    "Exit codes: 0 written, 2 usage or I/O error, 3 internal error.\n"
    "What is generated: docs/generate.md.\n";

/* ---- time: UTC only, civil dates by Howard Hinnant's algorithm ---------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

civil gen_to_civil(int64_t t)
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

const char *const gen_months[12] = {"January", "February", "March",     "April",
                                    "May",     "June",     "July",      "August",
                                    "September", "October", "November", "December"};
const char *const gen_wdays[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                  "Thursday", "Friday", "Saturday"};

void gen_iso_time(char out[24], int64_t t)
{
    civil c = gen_to_civil(t);
    char b[80]; /* room for any field values, so the format cannot truncate */
    snprintf(b, sizeof b, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", c.y, c.m, c.d, c.hh, c.mm,
             c.ss);
    memcpy(out, b, 23);
    out[23] = '\0';
}

void gen_rfc_date(char out[40], int64_t t)
{
    civil c = gen_to_civil(t);
    char b[128]; /* room for any field values, so the format cannot truncate */
    snprintf(b, sizeof b, "%.3s, %02u %.3s %04" PRId64 " %02u:%02u:%02u +0000", gen_wdays[c.wday],
             c.d, gen_months[c.m - 1], c.y, c.hh, c.mm, c.ss);
    memcpy(out, b, 39);
    out[39] = '\0';
}

static void day_month(char out[24], int64_t t)
{
    civil c = gen_to_civil(t);
    snprintf(out, 24, "%u %s", c.d, gen_months[c.m - 1]);
}

/* ---- output files ------------------------------------------------------- */

static const char *const OUT_NAMES[O_COUNT] = {"customers.csv",  "agents.csv",   "shifts.csv",
                                               "messages.jsonl", "events.jsonl", "surveys.csv",
                                               "mail.mbox",      "tickets.json"};

int gen_out_flush(outfile *o)
{
    if (o->b.err)
        return -1;
    if (o->b.len && fwrite(o->b.ptr, 1, o->b.len, o->f) != o->b.len)
        return -1;
    heed__buf_reset(&o->b);
    return 0;
}

/* ---- amounts ------------------------------------------------------------ */

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

void gen_csv_field(heed_buf *b, const char *s)
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

void gen_json_kv(heed_buf *b, const char *k, const char *v)
{
    heed__buf_printf(b, ",\"%s\":", k);
    heed_json_string(b, v, strlen(v));
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
    gen_iso_time(ts, t);
    heed__buf_printf(b, "{\"id\":\"ev-%08" PRIu64 "\",\"type\":\"%s\"", ++g->n_ev, type);
    /* systems outside the CRM (couriers, the payment provider) know the
     * customer only by a contact detail */
    int k = (int)rbelow(r, 100);
    if (k < 10 && p->phone[0] && !p->business)
        gen_json_kv(b, "phone", p->phone);
    else if (k < 20)
        gen_json_kv(b, "email", p->email);
    else
        gen_json_kv(b, "customer", p->id);
    gen_json_kv(b, "time", ts);
    if (x.order)
        gen_json_kv(b, "order", x.order);
    if (x.amount)
        heed__buf_printf(b, ",\"amount\":%s,\"currency\":\"%s\"", x.amount, x.cur);
    if (x.agent)
        gen_json_kv(b, "agent", x.agent);
    if (x.detail)
        gen_json_kv(b, "detail", x.detail);
    heed__buf_adds(b, "}\n");
}

/* ---- the JSON lines sink (mbox and tickets: gen_mail.c) ----------------- */

static const char *const CH_NAMES[CH_COUNT] = {"email", "chat", "phone", "social", "web"};

static void write_jsonl(gen *g, const person *p, int n)
{
    convo *c = &g->cv;
    heed_buf *b = &g->o[O_MSG].b;
    for (int i = 0; i < n; i++) {
        const turn *tu = &c->turns[i];
        char ts[24];
        gen_iso_time(ts, tu->t);
        heed__buf_printf(b, "{\"id\":\"msg-%08" PRIu64 "\",\"conversation\":\"%s\"", ++g->n_msg,
                         c->id);
        if (c->ident == ID_CRM)
            gen_json_kv(b, "customer", p->id);
        heed__buf_printf(b, ",\"role\":\"%s\"", tu->agent < 0 ? "customer" : "agent");
        if (tu->agent >= 0)
            gen_json_kv(b, "agent", g->agents[tu->agent].id);
        gen_json_kv(b, "time", ts);
        gen_json_kv(b, "channel", CH_NAMES[c->ch]);
        heed__buf_adds(b, ",\"text\":");
        heed_json_string(b, c->text.ptr + tu->off, tu->len);
        if (tu->agent < 0 && c->ident == ID_EMAIL) {
            /* as typed in the mail client: case differs from the CRM */
            char e[96];
            snprintf(e, sizeof e, "%s", p->email);
            if (p->idx % 3 == 0 && e[0] >= 'a' && e[0] <= 'z')
                e[0] = (char)(e[0] - 'a' + 'A');
            gen_json_kv(b, "email", e);
        } else if (tu->agent < 0 && c->ident == ID_PHONE) {
            gen_json_kv(b, "phone", p->phone);
        } else if (tu->agent < 0 && c->ident == ID_HANDLE) {
            gen_json_kv(b, "handle", p->handle);
        }
        if (i == n - 1)
            gen_json_kv(b, "status", c->status);
        heed__buf_adds(b, "}\n");
    }
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
    gen_iso_time(ts, t);
    heed__buf_printf(b, "srv-%07" PRIu64 ",", ++g->n_surv);
    if (rpct(r, 85))
        heed__buf_printf(b, "%s,,", p->id);
    else
        heed__buf_printf(b, ",%s,", p->email);
    heed__buf_printf(b, "%s,%s,%d,", ts, KINDS[kind], score);
    if (rpct(r, 55)) {
        slots s = {.g = c->turns[1].agent >= 0 ? g->agents[c->turns[1].agent].first : ""};
        gen_expand(&g->tmp, pick(r, q > 0 ? gen_survey_good : q == 0 ? gen_survey_mid : gen_survey_bad),
               &s, r);
        gen_csv_field(b, g->tmp.ptr ? g->tmp.ptr : "");
        heed__buf_reset(&g->tmp);
    }
    heed__buf_printf(b, ",%s\n", c->id);
}

/* ---- one customer's journey --------------------------------------------- */

typedef struct outcome {
    int64_t last;  /* time of the last turn written */
    int64_t next;  /* when a follow-up contact would come */
    int followup;  /* the customer will contact again about the same thing */
} outcome;

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
        int a = gen_find_agent(g, team_of(g, S->team), &t0, -1, 0, r);
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

    promise pr = gen_build_convo(g, r, sc, t0, contact, &s);

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
    gen_expand(&subj, subject_t, &s, r);
    if (c->ch == CH_EMAIL && rpct(r, 15))
        gen_write_mbox(g, p, n, subj.ptr);
    else if (c->ch == CH_WEB && rpct(r, 30))
        gen_write_ticket(g, p, n, subj.ptr, r);
    else
        write_jsonl(g, p, n);
    heed__buf_release(&subj);
    if (n == c->n && last->agent >= 0 && rpct(r, 35))
        survey(g, p, r, last->t + rrange(r, HOUR, 30 * HOUR));

    res.last = last->t;
    int promised = 0; /* the follow-up may say "you said {d}" */
    /* the customer comes back when the promise slipped or nothing was solved */
    if (pr.turn >= 0 && pr.outcome > 0 && rpct(r, 80)) {
        res.followup = 1;
        res.next = pr.due + rrange(r, 4 * HOUR, 2 * DAY);
        snprintf(keep->d, sizeof keep->d, "%s", s.d);
        promised = 1;
    } else if ((pr.turn < 0 && S->kind != GEN_K_NONE && rpct(r, 50)) ||
               (sc == GEN_S_OUTAGE && rpct(r, 35))) {
        res.followup = 1;
        res.next = res.last + rrange(r, DAY, 3 * DAY);
        if (pr.turn < 0) {
            snprintf(keep->d, sizeof keep->d, "%s", due_before[0] ? due_before : "last week");
            promised = s.promised; /* an earlier contact's promise, if any */
        } else {
            snprintf(keep->d, sizeof keep->d, "%s", s.d);
            promised = pr.outcome > 0;
        }
    }
    if (contact < 2) {
        char d[48];
        snprintf(d, sizeof d, "%s", keep->d);
        *keep = s;
        snprintf(keep->d, sizeof keep->d, "%s", d);
    }
    keep->promised = promised;
    if (!keep->d[0])
        snprintf(keep->d, sizeof keep->d, "last week");
    return res;
}

static void journey(gen *g, const person *p, rng *r)
{
    int k = (int)rbelow(r, 100);
    int nconv = k < 40 ? 1 : k < 70 ? 2 : k < 88 ? 3 : 4;
    if (g->scale) {
        /* --messages-per-customer: more (or fewer) contacts, closer together */
        unsigned x = (unsigned)nconv * g->scale;
        nconv = (int)(x / 1000 + (rbelow(r, 1000) < x % 1000));
        if (nconv < 1)
            nconv = 1;
    }
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
            sc = gen_pick_scenario(r);
            int64_t gap = rrange(r, 2 * DAY, 12 * DAY);
            if (g->scale > 1000) /* squared: more contacts must also fit the period */
                gap = gap * 1000 / g->scale * 1000 / g->scale;
            t = o.last + gap;
        }
    }
}

/* ---- the command -------------------------------------------------------- */

/* messages.jsonl lines per customer of the natural mix (x10), measured over
 * the default 30 days: --messages-per-customer scales the contacts by the
 * ratio to it. */
#define MSGS_PER_CUSTOMER_X10 68

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
    civil c = gen_to_civil(days * DAY);
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
    unsigned long long customers = 100, seed = 1, days = 30, agents = 0, per_customer = 0;
    int64_t start = 0;
    parse_date("2026-09-01", &start);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(HELP, stdout);
            return HEED_EXIT_OK;
        }
        if (strcmp(a, "--out") && strcmp(a, "--customers") && strcmp(a, "--seed") &&
            strcmp(a, "--start") && strcmp(a, "--days") && strcmp(a, "--agents") &&
            strcmp(a, "--messages-per-customer"))
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
        else if (!strcmp(a, "--messages-per-customer") &&
                 (parse_uint(v, 100, &per_customer) || !per_customer))
            return usage("--messages-per-customer wants a whole number from 1 to 100", v);
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
    if (per_customer)
        g->scale = (unsigned)(per_customer * 1000 * 10 / MSGS_PER_CUSTOMER_X10);
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
    heed__buf_adds(&g->o[O_AGENTS].b, "id,name,team,email,aliases\n");
    heed__buf_adds(&g->o[O_SHIFTS].b, "id,agent,start,end,team\n");
    heed__buf_adds(&g->o[O_SURV].b, "id,customer,email,time,kind,score,comment,conversation\n");
    heed__buf_adds(&g->o[O_TICK].b, "{\"tickets\":[");
    gen_make_agents(g);
    gen_phone_init(g);

    for (unsigned i = 0; i < g->customers; i++) {
        rng r = rfork(seed, (uint64_t)i + 1);
        person p;
        gen_make_person(g, i, &r, &p);
        gen_write_person(g, &p);
        journey(g, &p, &r);
        for (int k = 0; k < O_COUNT; k++) {
            if (g->o[k].b.len > (1u << 16) && gen_out_flush(&g->o[k])) {
                rc = g->o[k].b.err ? HEED_EXIT_INTERNAL : HEED_EXIT_USAGE;
                fprintf(stderr, "heed generate: cannot write %s\n", g->o[k].path);
                goto done;
            }
        }
    }
    heed__buf_adds(&g->o[O_TICK].b, "\n]}\n");
    for (int k = 0; k < O_COUNT; k++) {
        if (gen_out_flush(&g->o[k]) || fflush(g->o[k].f)) {
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
