/* explain.c - `heed analyze --explain`: each message as a short block a person
 * reads, with every score beside the words that made it. Prints only the
 * stages that ran (see the `available` flags in heed.h). */
#include "explain.h"

#include <math.h>
#include <string.h>

#include "jsonout.h"
#include "table.h"

/* "word" for the span [start, start+len) of the result's text. */
static void quote(heed_buf *b, const heed_result *r, size_t start, size_t len, size_t max_cp)
{
    char w[160];
    if (start > r->text_len)
        start = r->text_len;
    if (len > r->text_len - start)
        len = r->text_len - start;
    heed_excerpt(w, sizeof w, r->text + start, len, max_cp);
    heed__buf_printf(b, "\"%s\"", w);
}

static void rules(heed_buf *b, uint32_t set)
{
    int first = 1;
    for (; set; set &= set - 1) {
        const char *name = heed_rule_name(set & -set);
        if (!name)
            continue;
        heed__buf_printf(b, "%s%s", first ? "" : ", ", name);
        first = 0;
    }
}

static void valence(heed_buf *b, const heed_result *r)
{
    const char *band = r->valence <= HEED_BAND_NEGATIVE   ? "negative"
                       : r->valence >= HEED_BAND_POSITIVE ? "positive"
                                                          : "neutral";
    heed__buf_printf(b, "  valence %+.2f (%s; positive %.2f, negative %.2f)\n", r->valence, band,
                     r->positive, r->negative);
    for (size_t i = 0; i < r->n_evidence; i++) {
        const heed_evidence *e = &r->evidence[i];
        heed__buf_adds(b, "    ");
        quote(b, r, e->start, e->len, 24);
        heed__buf_printf(b, " %+.2f -> %+.2f  ", e->base, e->score);
        rules(b, e->rules);
        if (e->cue != UINT32_MAX && e->cue < r->n_tokens) {
            heed__buf_adds(b, " (by ");
            quote(b, r, r->tokens[e->cue].start, r->tokens[e->cue].len, 16);
            heed__buf_addc(b, ')');
        }
        heed__buf_addc(b, '\n');
    }
}

static void cues(heed_buf *b, const heed_result *r, const heed_cue *c, size_t n,
                 const char *const *names, int n_names)
{
    for (size_t i = 0; i < n; i++) {
        heed__buf_printf(b, "    %-13s ",
                         names && c[i].component < n_names ? names[c[i].component] : "");
        quote(b, r, c[i].start, c[i].len, 40);
        heed__buf_printf(b, " %s", c[i].what ? c[i].what : "");
        if (c[i].flags & HEED_CUE_SUPPRESSED)
            heed__buf_adds(b, " (not counted: negated or hypothetical)");
        else if (c[i].weight != 0.0f)
            heed__buf_printf(b, " %+.0f", c[i].weight);
        heed__buf_addc(b, '\n');
    }
}

/* Labels in a bit set with their scores, highest first: "anger 0.81, ..." */
static void labels(heed_buf *b, uint32_t set, const float *p, const char *const *names, int n)
{
    int first = 1;
    uint32_t left = set;
    while (left) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if ((left & (1u << i)) && (best < 0 || p[i] > p[best]))
                best = i;
        if (best < 0)
            break;
        heed__buf_printf(b, "%s%s %.2f", first ? "" : ", ", names[best], p[best]);
        first = 0;
        left &= ~(1u << best);
    }
    if (first)
        heed__buf_adds(b, "none");
}

/* "a" for a span of the customer's words (heed_result.context). */
static void quote_ctx(heed_buf *b, const heed_result *r, size_t start, size_t len, size_t max_cp)
{
    char w[160];
    if (!r->context || start > r->context_len)
        start = len = 0;
    else if (len > r->context_len - start)
        len = r->context_len - start;
    heed_excerpt(w, sizeof w, r->context ? r->context + start : "", len, max_cp);
    heed__buf_printf(b, "\"%s\"", w);
}

static void bit_names(heed_buf *b, uint32_t set, const char *const *names, int n)
{
    int first = 1;
    for (int i = 0; i < n; i++)
        if (set & (1u << i)) {
            heed__buf_printf(b, "%s%s", first ? "" : ", ", names[i]);
            first = 0;
        }
    if (first)
        heed__buf_adds(b, "none");
}

void heed_explain_reply(heed_buf *b, const heed_result *r)
{
    const heed_empathy *em = &r->empathy;
    if (em->available) {
        heed__buf_adds(b, "  empathy:");
        for (int m = 0; m < HEED_EMPATHY_COUNT; m++) {
            int lv = em->level[m] >= 0 && em->level[m] <= 2 ? em->level[m] : 0;
            heed__buf_printf(b, " %s %s (%.2f)%s", heed_json_empathy_names[m],
                             heed_json_level_names[lv], em->prob[m][lv],
                             m + 1 < HEED_EMPATHY_COUNT ? "," : "");
        }
        heed__buf_addc(b, '\n');
        cues(b, r, em->spans, em->n_spans, heed_json_empathy_names, HEED_EMPATHY_COUNT);
    }
    const heed_compassion *co = &r->compassion;
    if (co->available) {
        heed__buf_printf(b, "  compassion %.0f/100: ", round(co->score));
        bit_names(b, co->signals & ~HEED_COMPASSION_NEGATIVE, heed_json_comp_names,
                  HEED_COMP_COUNT);
        heed__buf_adds(b, "; against: ");
        bit_names(b, co->signals & HEED_COMPASSION_NEGATIVE, heed_json_comp_names, HEED_COMP_COUNT);
        heed__buf_addc(b, '\n');
        cues(b, r, co->cues, co->n_cues, heed_json_comp_names, HEED_COMP_COUNT);
    }
    const heed_promises *pr = &r->promises;
    if (pr->available) {
        heed__buf_printf(b, "  promises: %zu\n", pr->n);
        for (size_t i = 0; i < pr->n; i++) {
            const heed_promise *p = &pr->items[i];
            int k = p->kind >= 0 && p->kind < HEED_PROMISE_COUNT ? p->kind : HEED_PROMISE_FOLLOW_UP;
            heed__buf_printf(b, "    %-13s ", heed_json_promise_names[k]);
            quote(b, r, p->start, p->len, 60);
            if (p->due_len) {
                heed__buf_adds(b, " due ");
                quote(b, r, p->due_start, p->due_len, 30);
            }
            if (p->has_due) {
                heed__buf_adds(b, " = ");
                heed_json_time(b, p->due);
            }
            heed__buf_addc(b, '\n');
        }
    }
    const heed_familiar *fa = &r->familiar;
    if (fa->available) {
        heed__buf_printf(b, "  readability: grade %.1f, reading ease %.0f; jargon: %zu\n",
                         fa->grade, fa->reading_ease, fa->n_jargon);
        for (size_t i = 0; i < fa->n_jargon; i++) {
            heed__buf_adds(b, "    ");
            quote(b, r, fa->jargon[i].start, fa->jargon[i].len, 30);
            heed__buf_printf(b, " %s%s%s\n", fa->jargon[i].what ? fa->jargon[i].what : "",
                             fa->jargon[i].plain ? " -> " : "",
                             fa->jargon[i].plain ? fa->jargon[i].plain : "");
        }
        if (fa->n_personal) {
            heed__buf_printf(b, "  personal: %zu\n", fa->n_personal);
            cues(b, r, fa->personal, fa->n_personal, NULL, 0);
        }
    }
    const heed_addressed *ad = &r->addressed;
    if (ad->available) {
        int st = ad->status >= 0 && ad->status < HEED_ADDR_COUNT ? ad->status : 0;
        heed__buf_printf(b, "  addressed: %s\n", heed_json_addr_names[st]);
        for (size_t i = 0; i < ad->n; i++) {
            const heed_ask_match *m = &ad->items[i];
            int ms = m->status >= 0 && m->status < HEED_ADDR_COUNT ? m->status : 0;
            heed__buf_printf(b, "    %-13s ", heed_json_addr_names[ms]);
            quote_ctx(b, r, m->ask_start, m->ask_len, 40);
            if (m->reply_len) {
                heed__buf_adds(b, " <- ");
                quote(b, r, m->reply_start, m->reply_len, 40);
            }
            if (m->why)
                heed__buf_printf(b, " (%s)", m->why);
            heed__buf_addc(b, '\n');
        }
    }
}

void heed_explain(heed_buf *b, size_t index, const char *id, size_t id_len, const char *role,
                  size_t role_len, const heed_result *r)
{
    char idb[80], roleb[40];
    heed_excerpt(idb, sizeof idb, id ? id : "-", id ? id_len : 1, 24);
    heed_excerpt(roleb, sizeof roleb, role ? role : "", role ? role_len : 0, 12);
    heed__buf_printf(b, "#%zu %s%s%s%s\n  ", index + 1, idb, role ? " [" : "", roleb,
                     role ? "]" : "");
    quote(b, r, 0, r->text_len, 200);
    heed__buf_addc(b, '\n');
    const heed_language *l = &r->language;
    if (l->code[0]) {
        heed__buf_printf(b, "  language %.4s (confidence %.2f)%s\n", l->code, l->confidence,
                         l->scored ? "" : ": not English, not scored");
        if (!l->scored) {
            heed__buf_addc(b, '\n');
            return;
        }
    }
    valence(b, r);
    if (r->stress.available) {
        const heed_stress *s = &r->stress;
        heed__buf_printf(b, "  stress %.0f (%s):", round(s->score),
                         heed_json_stress_band(round(s->score)));
        for (int i = 0; i < HEED_STRESS_COUNT; i++)
            heed__buf_printf(b, " %s %.0f", heed_json_stress_names[i], round(s->component[i]));
        heed__buf_addc(b, '\n');
        cues(b, r, s->cues, s->n_cues, heed_json_stress_names, HEED_STRESS_COUNT);
    }
    if (r->emotions.available) {
        heed__buf_adds(b, "  emotions: ");
        labels(b, r->emotions.labels, r->emotions.prob, heed_json_emo_names, HEED_EMO_COUNT);
        heed__buf_adds(b, "\n  cx groups: ");
        labels(b, r->emotions.cx_labels, r->emotions.cx, heed_json_cx_names, HEED_CX_COUNT);
        heed__buf_addc(b, '\n');
    }
    if (r->intensity.available)
        heed__buf_printf(b, "  intensity: valence %.2f, arousal %.2f (1-5), distress %.2f (1-7)\n",
                         r->intensity.valence, r->intensity.arousal, r->intensity.distress);
    if (r->needs.available) {
        heed__buf_adds(b, "  needs: ");
        labels(b, r->needs.labels, r->needs.prob, heed_json_need_names, HEED_NEED_COUNT);
        if (r->needs.top >= 0 && r->needs.top < HEED_NEED_COUNT)
            heed__buf_printf(b, " (top: %s)", heed_json_need_names[r->needs.top]);
        heed__buf_addc(b, '\n');
    }
    if (r->needs.asks_available) {
        heed__buf_printf(b, "  asks: %zu\n", r->needs.n_asks);
        cues(b, r, r->needs.asks, r->needs.n_asks, heed_json_need_names, HEED_NEED_COUNT);
    }
    heed_explain_reply(b, r);
    if (r->warnings & HEED_WARN_REPLACED_UTF8)
        heed__buf_printf(b, "  warning: %zu invalid UTF-8 sequence(s) replaced\n", r->n_replaced);
    heed__buf_addc(b, '\n');
}
