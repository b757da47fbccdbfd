/* suggest.c - the reply checker's rules (suggest.h, docs/check-reply.md).
 * Each rule reads scores the stages already made and, when it fires, adds one
 * suggestion whose text quotes the evidence ("acknowledge 'waited three
 * weeks'", "replace 'RMA' with 'return'"). */
#include "suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_SUGGESTIONS 24
#define QUOTE_MAX       60 /* bytes of quoted text before it is cut with "..." */

typedef struct sugg_list {
    heed_arena *a;
    heed_suggestion items[MAX_SUGGESTIONS];
    size_t n;
    int oom;
} sugg_list;

/* Adds a suggestion (text formatted into the arena). */
__attribute__((format(printf, 7, 8))) static void add(sugg_list *l, const char *code, int priority,
                                                      int in_context, uint32_t start, uint32_t len,
                                                      const char *fmt, ...)
{
    if (l->n == MAX_SUGGESTIONS || l->oom)
        return;
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    size_t n = (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1;
    char *t = heed__arena_alloc(l->a, n + 1);
    if (!t) {
        l->oom = 1;
        return;
    }
    memcpy(t, tmp, n);
    t[n] = 0;
    l->items[l->n++] = (heed_suggestion){
        .code = code,
        .text = t,
        .priority = priority,
        .in_context = in_context,
        .start = start,
        .len = len,
    };
}

/* A span as quoted text: at most QUOTE_MAX bytes, cut at a UTF-8 boundary,
 * line breaks as spaces. */
static const char *quote(char *buf, size_t cap, const char *text, uint32_t start, uint32_t len)
{
    size_t n = len, o = 0;
    int cut = 0;
    if (n > QUOTE_MAX) {
        n = QUOTE_MAX;
        while (n && ((unsigned char)text[start + n] & 0xC0) == 0x80)
            n--;
        cut = 1;
    }
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        char c = text[start + i];
        buf[o++] = c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
    }
    if (cut && o + 4 < cap) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = 0;
    return buf;
}

static const char *need_words(int need)
{
    switch (need) {
    case HEED_NEED_REFUND:
        return "the refund";
    case HEED_NEED_DELIVERY:
        return "the delivery";
    case HEED_NEED_BILLING:
        return "the charge";
    case HEED_NEED_ACCOUNT:
        return "getting them back into their account";
    case HEED_NEED_CANCELLATION:
        return "the cancellation";
    case HEED_NEED_FAULT:
        return "the fault";
    case HEED_NEED_CHANGE:
        return "the change they asked for";
    case HEED_NEED_COMPLAINT:
        return "their complaint";
    default:
        return "their request";
    }
}

static const char *promise_words(int kind)
{
    switch (kind) {
    case HEED_PROMISE_REFUND:
        return "the refund will arrive";
    case HEED_PROMISE_CALLBACK:
        return "you will call";
    case HEED_PROMISE_REPLACEMENT:
        return "the replacement will arrive";
    case HEED_PROMISE_REPAIR:
        return "the repair will be done";
    case HEED_PROMISE_INFORMATION:
        return "they will hear from you";
    default:
        return "you will follow up";
    }
}

/* The customer's strongest counted stress cue, or NULL. */
static const heed_cue *top_stress_cue(const heed_result *c)
{
    const heed_cue *best = NULL;
    for (size_t i = 0; i < c->stress.n_cues; i++) {
        const heed_cue *q = &c->stress.cues[i];
        if (q->flags & HEED_CUE_SUPPRESSED)
            continue;
        if (!best || q->weight > best->weight)
            best = q;
    }
    return best;
}

/* Strong feelings on the customer's side: stress at "watch" or more, or an
 * anger, frustration, anxiety or sadness group predicted. */
static int customer_upset(const heed_result *c)
{
    if (c->stress.available && c->stress.score >= 30.0)
        return 1;
    const uint32_t bad = (1u << HEED_CX_ANGER) | (1u << HEED_CX_FRUSTRATION) |
                         (1u << HEED_CX_ANXIETY) | (1u << HEED_CX_SADNESS);
    return c->emotions.available && (c->emotions.cx_labels & bad);
}

static int has_signal(const heed_result *r, int sig)
{
    return r->compassion.available && (r->compassion.signals & (1u << sig));
}

static const heed_cue *first_cue(const heed_result *r, int sig)
{
    for (size_t i = 0; i < r->compassion.n_cues; i++) {
        const heed_cue *q = &r->compassion.cues[i];
        if (q->component == sig && !(q->flags & HEED_CUE_SUPPRESSED))
            return q;
    }
    return NULL;
}

/* The first id-like token of the customer's message (an order or ticket
 * number) that the reply does not repeat; NULL when there is none. */
static const heed_token *unechoed_id(const heed_result *r, const heed_result *c)
{
    for (size_t i = 0; i < c->n_tokens; i++) {
        const heed_token *t = &c->tokens[i];
        if (t->kind != HEED_TOK_ID)
            continue;
        int seen = 0;
        for (size_t j = 0; j < r->n_tokens && !seen; j++)
            seen = r->tokens[j].norm_len == t->norm_len &&
                   !memcmp(r->tokens[j].norm, t->norm, t->norm_len);
        if (!seen)
            return t;
    }
    return NULL;
}

static void answer_rules(sugg_list *l, const heed_result *r)
{
    char q[QUOTE_MAX + 8];
    const heed_addressed *ad = &r->addressed;
    for (size_t i = 0; ad->available && i < ad->n; i++) {
        const heed_ask_match *m = &ad->items[i];
        if (m->status != HEED_ADDR_IGNORED && m->status != HEED_ADDR_PARTLY)
            continue;
        quote(q, sizeof q, r->context, m->ask_start, m->ask_len);
        if (m->status == HEED_ADDR_IGNORED)
            add(l, "answer_question", 1, 1, m->ask_start, m->ask_len,
                "Answer what they asked: \"%s\"", q);
        else
            add(l, "answer_question", 2, 1, m->ask_start, m->ask_len, "Answer this fully: \"%s\"",
                q);
    }
}

static void empathy_rules(sugg_list *l, const heed_result *r, const heed_result *c)
{
    char q[QUOTE_MAX + 8];
    if (!c || !r->empathy.available || !customer_upset(c))
        return;
    if (r->empathy.level[HEED_EMPATHY_REACTION] || r->empathy.level[HEED_EMPATHY_INTERPRETATION])
        return;
    const heed_cue *cue = top_stress_cue(c);
    if (cue)
        add(l, "acknowledge_feelings", 1, 1, cue->start, cue->len,
            "Acknowledge what they are going through (\"%s\") before the facts, "
            "e.g. \"I'm sorry, I can see how stressful this is\"",
            quote(q, sizeof q, c->text, cue->start, cue->len));
    else
        add(l, "acknowledge_feelings", 2, 0, 0, 0,
            "Acknowledge how they feel before the facts, e.g. \"I'm sorry this has "
            "been so frustrating\"");
}

static void action_rules(sugg_list *l, const heed_result *r, const heed_result *c)
{
    char q[QUOTE_MAX + 8];
    if (!r->compassion.available)
        return;
    const uint32_t act =
        (1u << HEED_COMP_ACTION) | (1u << HEED_COMP_RESOLUTION) | (1u << HEED_COMP_NEXT_STEP);
    int acted = (r->compassion.signals & act) || (r->promises.available && r->promises.n);
    int need = c && c->needs.available ? c->needs.top : HEED_NEED_OTHER;
    int actionable =
        need != HEED_NEED_OTHER && need != HEED_NEED_PRAISE && need != HEED_NEED_PRODUCT;
    if (!acted && actionable)
        add(l, "say_what_you_will_do", 1, 0, 0, 0, "Say what you will do about %s, and when",
            need_words(need));
    for (size_t i = 0; r->promises.available && i < r->promises.n; i++) {
        const heed_promise *p = &r->promises.items[i];
        if (p->due_len)
            continue;
        add(l, "give_time_frame", 1, 0, p->start, p->len, "Say when %s (\"%s\")",
            promise_words(p->kind), quote(q, sizeof q, r->text, p->start, p->len));
    }
    static const struct {
        int sig;
        const char *code;
        int priority;
        const char *before, *after; /* around the quoted evidence */
    } NEG[] = {
        {HEED_COMP_DEFLECTION, "own_it", 1, "Take it on instead of sending them elsewhere (\"",
         "\"): \"I'll contact them for you and come back to you\""},
        {HEED_COMP_POLICY_WALL, "drop_policy_wall", 1,
         "Lead with what you can do, not with the policy (\"", "\")"},
        {HEED_COMP_BLAME, "drop_blame", 1, "Drop the blame (\"", "\"); say what happens next"},
        {HEED_COMP_NOTHING_WE_CAN_DO, "offer_alternative", 1, "Offer an alternative instead of \"",
         "\""},
        {HEED_COMP_GENERIC_APOLOGY, "back_apology_with_action", 2, "Back the apology (\"",
         "\") with a concrete action"},
    };
    for (size_t k = 0; k < sizeof NEG / sizeof NEG[0]; k++) {
        const heed_cue *cue = first_cue(r, NEG[k].sig);
        if (cue)
            add(l, NEG[k].code, NEG[k].priority, 0, cue->start, cue->len, "%s%s%s", NEG[k].before,
                quote(q, sizeof q, r->text, cue->start, cue->len), NEG[k].after);
    }
    if (acted && !has_signal(r, HEED_COMP_OWNERSHIP))
        add(l, "own_it", 3, 0, 0, 0,
            "Say \"I\" for the next step (\"I've asked...\", \"I'll check...\"): it shows "
            "someone owns it");
    if (!has_signal(r, HEED_COMP_OFFER_HELP) && !has_signal(r, HEED_COMP_RESOLUTION))
        add(l, "offer_more_help", 3, 0, 0, 0, "End with an open offer of help");
}

static void language_rules(sugg_list *l, const heed_result *r, const heed_result *c)
{
    char q[QUOTE_MAX + 8];
    const heed_familiar *f = &r->familiar;
    if (!f->available)
        return;
    for (size_t i = 0; i < f->n_jargon; i++) {
        const heed_jargon *j = &f->jargon[i];
        quote(q, sizeof q, r->text, j->start, j->len);
        if (j->plain)
            add(l, "replace_jargon", 2, 0, j->start, j->len, "Replace \"%s\" with \"%s\"", q,
                j->plain);
        else
            add(l, "replace_jargon", 2, 0, j->start, j->len,
                "Explain or drop \"%s\" (%s): the customer may not know it", q,
                j->what ? j->what : "internal term");
    }
    if (f->grade > 10.0 && r->n_tokens >= 20)
        add(l, "simplify", 2, 0, 0, 0,
            "Use shorter sentences and plainer words: it reads at school grade %.0f; "
            "aim for 8 or below",
            f->grade);
    if (c) {
        const heed_token *id = unechoed_id(r, c);
        if (id && !f->n_personal)
            add(l, "personalise", 3, 1, id->start, id->len,
                "Mention their reference %s so they know you looked it up",
                quote(q, sizeof q, c->text, id->start, id->len));
    }
}

int heed__suggest(heed_arena *a, heed_result *r, const heed_result *cust)
{
    sugg_list l = {.a = a};
    answer_rules(&l, r);
    empathy_rules(&l, r, cust);
    action_rules(&l, r, cust);
    language_rules(&l, r, cust);
    if (l.oom)
        return HEED_ENOMEM;
    /* most important first; the rules' order within a priority */
    heed_suggestion *out = heed__arena_alloc(a, (l.n ? l.n : 1) * sizeof(*out));
    if (!out)
        return HEED_ENOMEM;
    size_t k = 0;
    for (int p = 1; p <= 3; p++)
        for (size_t i = 0; i < l.n; i++)
            if (l.items[i].priority == p)
                out[k++] = l.items[i];
    r->suggestions = out;
    r->n_suggestions = k;
    return HEED_OK;
}
