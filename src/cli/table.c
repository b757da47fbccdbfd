/* table.c - rows and summary for `heed analyze --table`. */
#include "table.h"

#include "jsonout.h"

#include <math.h>
#include <string.h>

/* Copies at most `max_cp` code points of UTF-8 text into out (size cap),
 * turning line breaks and tabs into spaces and marking a cut with "...". */
size_t heed_excerpt(char *out, size_t cap, const char *s, size_t n, size_t max_cp)
{
    size_t o = 0, cps = 0, i = 0;
    while (i < n && cps < max_cp) {
        unsigned char c = (unsigned char)s[i];
        size_t l = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + l > n || o + l + 4 > cap)
            break;
        if (c == '\n' || c == '\r' || c == '\t' || c < 0x20) {
            if (o == 0 || out[o - 1] != ' ')
                out[o++] = ' ';
        } else {
            memcpy(out + o, s + i, l);
            o += l;
        }
        i += l;
        cps++;
    }
    if (i < n && o + 4 <= cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return o;
}

static const char *band(double v)
{
    return v <= HEED_BAND_NEGATIVE ? "negative" : v >= HEED_BAND_POSITIVE ? "positive" : "neutral";
}

void heed_table_header(FILE *f)
{
    fprintf(f, "%6s  %-10s %-9s %-15s %-11s %-30s  %s\n", "#", "id", "role", "valence", "stress",
            "evidence", "text");
}

void heed_table_row(heed_buf *b, size_t index, const char *id, size_t id_len, const char *role,
                    size_t role_len, const heed_result *r)
{
    char idb[64], roleb[32], text[256], ev[128] = "";
    heed_excerpt(idb, sizeof idb, id ? id : "-", id ? id_len : 1, 10);
    heed_excerpt(roleb, sizeof roleb, role ? role : "-", role ? role_len : 1, 9);
    heed_excerpt(text, sizeof text, r->text, r->text_len, 48);
    /* the three evidence items that moved valence most */
    size_t pick[3];
    size_t n_pick = 0;
    for (size_t k = 0; k < 3; k++) {
        size_t best = (size_t)-1;
        for (size_t i = 0; i < r->n_evidence; i++) {
            int taken = 0;
            for (size_t j = 0; j < n_pick; j++)
                taken |= pick[j] == i;
            if (taken || r->evidence[i].score == 0)
                continue;
            if (best == (size_t)-1 || fabs(r->evidence[i].score) > fabs(r->evidence[best].score))
                best = i;
        }
        if (best == (size_t)-1)
            break;
        pick[n_pick++] = best;
    }
    size_t o = 0;
    for (size_t k = 0; k < n_pick; k++) {
        const heed_evidence *e = &r->evidence[pick[k]];
        char w[48];
        heed_excerpt(w, sizeof w, r->text + e->start, e->len, 14);
        int m = snprintf(ev + o, sizeof ev - o, "%s%s%+.1f", k ? " " : "", w, e->score);
        if (m < 0 || (size_t)m >= sizeof ev - o)
            break;
        o += (size_t)m;
    }
    char ev_cut[64];
    heed_excerpt(ev_cut, sizeof ev_cut, ev, strlen(ev), 27); /* + "..." fits 30 */
    char val[32];
    if (r->language.code[0] && !r->language.scored)
        snprintf(val, sizeof val, "unscored %.4s", r->language.code);
    else
        snprintf(val, sizeof val, "%+.2f %s", r->valence, band(r->valence));
    /* Pad by code points, not bytes, so multi-byte text keeps the columns. */
    heed__buf_printf(b, "%6zu  ", index + 1);
    char st[24] = "-";
    if (r->stress.available)
        snprintf(st, sizeof st, "%.0f %s", round(r->stress.score),
                 heed_json_stress_band(round(r->stress.score)));
    const char *cols[5] = {idb, roleb, val, st, ev_cut};
    const int widths[5] = {10, 9, 15, 11, 30};
    for (int c = 0; c < 5; c++) {
        size_t cps = 0;
        for (const char *p = cols[c]; *p; p++)
            cps += ((unsigned char)*p & 0xC0) != 0x80;
        heed__buf_adds(b, cols[c]);
        for (size_t k = cps; k < (size_t)widths[c]; k++)
            heed__buf_addc(b, ' ');
        heed__buf_adds(b, c == 4 ? "  " : " ");
    }
    heed__buf_adds(b, text);
    heed__buf_addc(b, '\n');
}

heed_table_fact heed_table_fact_of(const heed_result *r)
{
    heed_table_fact f = {
        .valence = r->valence,
        .stress = -1.0,
        .unscored = r->language.code[0] && !r->language.scored,
        .empathy = -1,
        .compassion = -1.0,
        .addressed = -1,
    };
    if (r->empathy.available) {
        f.reply = 1;
        for (int m = 0; m < HEED_EMPATHY_COUNT; m++)
            if (r->empathy.level[m] > f.empathy)
                f.empathy = r->empathy.level[m];
    }
    if (r->compassion.available) {
        f.reply = 1;
        f.compassion = r->compassion.score;
        f.against = (r->compassion.signals & HEED_COMPASSION_NEGATIVE) != 0;
    }
    if (r->promises.available) {
        f.reply = 1;
        f.promises = (unsigned)r->promises.n;
        for (size_t i = 0; i < r->promises.n; i++)
            f.promises_due += r->promises.items[i].has_due != 0;
    }
    if (r->familiar.available) {
        f.reply = 1;
        f.jargon = (unsigned)r->familiar.n_jargon;
    }
    if (r->addressed.available) {
        f.reply = 1;
        f.addressed = r->addressed.status;
    }
    if (r->stress.available) {
        f.stress = r->stress.score;
        float best = 0;
        for (size_t i = 0; i < r->stress.n_cues; i++) {
            const heed_cue *c = &r->stress.cues[i];
            if (!(c->flags & HEED_CUE_SUPPRESSED) && c->weight > best) {
                best = c->weight;
                f.why = c->what;
            }
        }
    }
    return f;
}

/* Inserts into a list of at most HEED_TABLE_WORST entries ordered by key,
 * ascending (lowest first) or descending. */
static void keep(heed_table_entry *list, size_t *n, int ascending, size_t index, double key,
                 const char *why, const char *id, size_t id_len, const char *text, size_t text_len)
{
    size_t pos = *n;
    while (pos > 0 && (ascending ? list[pos - 1].key > key : list[pos - 1].key < key))
        pos--;
    if (pos >= HEED_TABLE_WORST)
        return;
    size_t last = *n < HEED_TABLE_WORST ? *n : HEED_TABLE_WORST - 1;
    memmove(&list[pos + 1], &list[pos], (last - pos) * sizeof(list[0]));
    if (*n < HEED_TABLE_WORST)
        (*n)++;
    heed_table_entry *e = &list[pos];
    e->index = index;
    e->key = key;
    e->why = why;
    heed_excerpt(e->id, sizeof e->id, id ? id : "-", id ? id_len : 1, 16);
    heed_excerpt(e->text, sizeof e->text, text, text_len, 70);
}

void heed_table_note(heed_table_stats *s, size_t index, const char *id, size_t id_len,
                     const char *text, size_t text_len, const heed_table_fact *f)
{
    if (f->unscored) {
        s->unscored++;
        return;
    }
    if (f->reply) {
        s->n_reply++;
        if (f->empathy >= 0) {
            s->n_empathy_scored++;
            s->empathy_shown += f->empathy > 0;
        }
        if (f->compassion >= 0) {
            s->n_comp++;
            s->comp_sum += f->compassion;
            s->against += f->against != 0;
        }
        s->promises += f->promises;
        s->promises_due += f->promises_due;
        s->with_jargon += f->jargon > 0;
        if (f->addressed >= 0 && f->addressed < HEED_ADDR_COUNT) {
            s->addr_scored++;
            s->addr[f->addressed]++;
        }
    }
    double v = f->valence;
    if (v <= HEED_BAND_NEGATIVE)
        s->negative++;
    else if (v >= HEED_BAND_POSITIVE)
        s->positive++;
    else
        s->neutral++;
    s->sum += v;
    if (v <= HEED_BAND_NEGATIVE && !f->agent)
        keep(s->worst, &s->n_worst, 1, index, v, NULL, id, id_len, text, text_len);
    if (f->stress >= 0 && !f->agent) {
        s->n_stress++;
        double st = round(f->stress); /* the band of the printed score, as the writer */
        s->band[st >= HEED_STRESS_ACT_NOW ? 3
                : st >= HEED_STRESS_HIGH  ? 2
                : st >= HEED_STRESS_WATCH ? 1
                                          : 0]++;
        if (st >= HEED_STRESS_WATCH)
            keep(s->urgent, &s->n_urgent, 0, index, f->stress, f->why, id, id_len, text, text_len);
    }
}

static double pct(size_t k, size_t n)
{
    return n ? 100.0 * (double)k / (double)n : 0.0;
}

void heed_table_summary(FILE *f, const heed_table_stats *s, size_t n_read, size_t n_ok,
                        size_t n_bad)
{
    size_t n = s->negative + s->neutral + s->positive;
    fprintf(f, "\nSummary\n");
    fprintf(f, "  records read %zu = analysed %zu + rejected %zu\n", n_read, n_ok, n_bad);
    if (s->unscored)
        fprintf(f, "  not scored (not English): %zu\n", s->unscored);
    if (n == 0)
        return;
    fprintf(f,
            "  valence: %zu negative (%.0f%%), %zu neutral (%.0f%%), %zu positive (%.0f%%);"
            " mean %+.2f\n",
            s->negative, pct(s->negative, n), s->neutral, pct(s->neutral, n), s->positive,
            pct(s->positive, n), s->sum / (double)n);
    if (s->n_stress)
        fprintf(f,
                "  stress (customer turns): %zu act now (%.0f%%), %zu high, %zu watch, %zu calm\n",
                s->band[3], pct(s->band[3], s->n_stress), s->band[2], s->band[1], s->band[0]);
    if (s->n_urgent) {
        fprintf(f, "  highest stress (customer turns):\n");
        for (size_t i = 0; i < s->n_urgent; i++)
            fprintf(f, "    %3.0f  #%-5zu %-12s %-16s %s\n", s->urgent[i].key,
                    s->urgent[i].index + 1, s->urgent[i].id,
                    s->urgent[i].why ? s->urgent[i].why : "", s->urgent[i].text);
    }
    if (s->n_reply) {
        fprintf(f, "  agent replies: %zu", s->n_reply);
        if (s->n_empathy_scored)
            fprintf(f, "; empathy shown in %zu (%.0f%%)", s->empathy_shown,
                    pct(s->empathy_shown, s->n_empathy_scored));
        if (s->n_comp)
            fprintf(f,
                    "; compassion mean %.0f/100, %zu with deflection, policy, blame or "
                    "a bare apology",
                    s->comp_sum / (double)s->n_comp, s->against);
        fputc('\n', f);
        fprintf(f, "  promises: %zu (%zu with a due time); jargon in %zu replies", s->promises,
                s->promises_due, s->with_jargon);
        if (s->addr_scored)
            fprintf(f, "; customer asks answered in %zu, partly %zu, ignored %zu replies",
                    s->addr[HEED_ADDR_ANSWERED], s->addr[HEED_ADDR_PARTLY],
                    s->addr[HEED_ADDR_IGNORED]);
        fputc('\n', f);
    }
    if (s->n_worst) {
        fprintf(f, "  most negative (customer turns):\n");
        for (size_t i = 0; i < s->n_worst; i++)
            fprintf(f, "    %+.2f  #%-5zu %-12s %s\n", s->worst[i].key, s->worst[i].index + 1,
                    s->worst[i].id, s->worst[i].text);
    }
}

void heed_table_stats_release(heed_table_stats *s)
{
    memset(s, 0, sizeof(*s));
}
