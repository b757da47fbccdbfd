/* table.c - rows and summary for `heed analyze --table`. */
#include "table.h"

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
    return v <= HEED_BAND_NEGATIVE ? "negative" : v >= HEED_BAND_POSITIVE ? "positive"
                                                                           : "neutral";
}

void heed_table_header(FILE *f)
{
    fprintf(f, "%6s  %-10s %-9s %-15s  %-30s  %s\n", "#", "id", "role", "valence", "evidence",
            "text");
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
    heed_excerpt(ev_cut, sizeof ev_cut, ev, strlen(ev), 30);
    char val[32];
    snprintf(val, sizeof val, "%+.2f %s", r->valence, band(r->valence));
    /* Pad by code points, not bytes, so multi-byte text keeps the columns. */
    heed__buf_printf(b, "%6zu  ", index + 1);
    const char *cols[4] = {idb, roleb, val, ev_cut};
    const int widths[4] = {10, 9, 15, 30};
    for (int c = 0; c < 4; c++) {
        size_t cps = 0;
        for (const char *p = cols[c]; *p; p++)
            cps += ((unsigned char)*p & 0xC0) != 0x80;
        heed__buf_adds(b, cols[c]);
        for (size_t k = cps; k < (size_t)widths[c]; k++)
            heed__buf_addc(b, ' ');
        heed__buf_adds(b, c == 3 ? "  " : " ");
    }
    heed__buf_adds(b, text);
    heed__buf_addc(b, '\n');
}

void heed_table_note(heed_table_stats *s, size_t index, const char *id, size_t id_len,
                     const char *text, size_t text_len, double valence)
{
    if (valence <= HEED_BAND_NEGATIVE)
        s->negative++;
    else if (valence >= HEED_BAND_POSITIVE)
        s->positive++;
    else
        s->neutral++;
    s->sum += valence;
    /* keep the most negative few, sorted ascending */
    size_t pos = s->n_worst;
    while (pos > 0 && s->worst[pos - 1].valence > valence)
        pos--;
    if (pos >= HEED_TABLE_WORST || valence > HEED_BAND_NEGATIVE)
        return;
    size_t last = s->n_worst < HEED_TABLE_WORST ? s->n_worst : HEED_TABLE_WORST - 1;
    memmove(&s->worst[pos + 1], &s->worst[pos], (last - pos) * sizeof(s->worst[0]));
    if (s->n_worst < HEED_TABLE_WORST)
        s->n_worst++;
    heed_table_entry *e = &s->worst[pos];
    e->index = index;
    e->valence = valence;
    heed_excerpt(e->id, sizeof e->id, id ? id : "-", id ? id_len : 1, 16);
    heed_excerpt(e->text, sizeof e->text, text, text_len, 70);
}

void heed_table_summary(FILE *f, const heed_table_stats *s, size_t n_read, size_t n_ok,
                        size_t n_bad)
{
    size_t n = s->negative + s->neutral + s->positive;
    fprintf(f, "\nSummary\n");
    fprintf(f, "  records read %zu = analysed %zu + rejected %zu\n", n_read, n_ok, n_bad);
    if (n == 0)
        return;
    fprintf(f, "  valence: %zu negative (%.0f%%), %zu neutral (%.0f%%), %zu positive (%.0f%%);"
               " mean %+.2f\n",
            s->negative, 100.0 * (double)s->negative / (double)n, s->neutral,
            100.0 * (double)s->neutral / (double)n, s->positive,
            100.0 * (double)s->positive / (double)n, s->sum / (double)n);
    if (s->n_worst) {
        fprintf(f, "  most negative:\n");
        for (size_t i = 0; i < s->n_worst; i++)
            fprintf(f, "    %+.2f  #%-5zu %-12s %s\n", s->worst[i].valence, s->worst[i].index + 1,
                    s->worst[i].id, s->worst[i].text);
    }
}

void heed_table_stats_release(heed_table_stats *s)
{
    memset(s, 0, sizeof(*s));
}
