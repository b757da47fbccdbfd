/* trends.c - customer messages of a period grouped for trends (trends.h). */
#include "trends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journeyview.h"
#include "jsonout.h"
#include "jtime.h"

static const char *const BY[] = {"week", "channel", "need"};

int heed_trends_by(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, BY[i]))
            return i;
    return -1;
}

typedef struct pair {
    size_t row;
    int64_t person;
} pair;

static int by_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return (x->person > y->person) - (x->person < y->person);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const heed_trend_row *)a)->key, ((const heed_trend_row *)b)->key);
}

int heed_trends_load(heed_store *st, int64_t from, int64_t to, int by, heed_trend_row **out,
                     size_t *n_out, heed_error *err)
{
    *out = NULL;
    *n_out = 0;
    heed_st_cursor *c = NULL;
    heed_trend_row *rows = NULL;
    pair *pairs = NULL;
    size_t n = 0, cap = 0, np = 0, pcap = 0;
    int rc = heed_store_customer_messages(st, from, to, &c, err);
    if (rc)
        return rc;
    heed_st_custmsg m;
    int r;
    while ((r = heed_st_next_custmsg(c, &m)) == 1) {
        char key[64];
        if (by == HEED_TRENDS_WEEK) {
            int y, w;
            heed__iso_week(m.time >= 0 ? m.time / 86400 : (m.time - 86399) / 86400, &y, &w);
            snprintf(key, sizeof key, "%d-W%02d", y, w);
        } else if (by == HEED_TRENDS_CHANNEL) {
            snprintf(key, sizeof key, "%s", m.channel && *m.channel ? m.channel : "(none)");
        } else {
            snprintf(key, sizeof key, "%s",
                     m.need >= 0 && m.need < HEED_NEED_COUNT ? heed_view_need_names[m.need]
                                                             : "(none)");
        }
        size_t i = 0;
        while (i < n && strcmp(rows[i].key, key))
            i++;
        if (i == n) {
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 16;
                heed_trend_row *x = realloc(rows, nc * sizeof *x);
                if (!x)
                    goto oom;
                rows = x;
                cap = nc;
            }
            memset(&rows[n], 0, sizeof rows[n]);
            memcpy(rows[n].key, key, sizeof key);
            n++;
        }
        heed_trend_row *t = &rows[i];
        t->messages++;
        if (m.stress >= 0) {
            t->scored++;
            t->stress_sum += m.stress;
            t->high_stress += m.stress >= HEED_TRENDS_HIGH_STRESS;
        }
        if (m.need >= 0 && m.need < HEED_NEED_COUNT)
            t->needs[m.need]++;
        if (np == pcap) {
            size_t nc = pcap ? pcap * 2 : 256;
            pair *x = realloc(pairs, nc * sizeof *x);
            if (!x)
                goto oom;
            pairs = x;
            pcap = nc;
        }
        pairs[np++] = (pair){i, m.person};
    }
    heed_st_cursor_free(c);
    c = NULL;
    if (r < 0) {
        rc = r;
        goto fail;
    }
    /* distinct customers per row */
    if (np)
        qsort(pairs, np, sizeof *pairs, by_pair);
    for (size_t i = 0; i < np; i++)
        if (!i || pairs[i].row != pairs[i - 1].row || pairs[i].person != pairs[i - 1].person)
            rows[pairs[i].row].customers++;
    free(pairs);
    if (n)
        qsort(rows, n, sizeof *rows, by_key);
    *out = rows;
    *n_out = n;
    return HEED_OK;
oom:
    rc = HEED_ENOMEM;
fail:
    heed_st_cursor_free(c);
    free(rows);
    free(pairs);
    return rc;
}

void heed_view_trends_json(heed_buf *b, int64_t from, int64_t to, int by,
                           const heed_trend_row *rows, size_t n)
{
    heed__buf_adds(b, "{\"from\":");
    heed_json_time(b, from);
    heed__buf_adds(b, ",\"to\":");
    heed_json_time(b, to);
    heed__buf_printf(b, ",\"by\":\"%s\",\"rows\":[", BY[by]);
    for (size_t i = 0; i < n; i++) {
        const heed_trend_row *t = &rows[i];
        heed__buf_adds(b, i ? ",{\"key\":" : "{\"key\":");
        heed_json_string(b, t->key, strlen(t->key));
        heed__buf_printf(b, ",\"messages\":%zu,\"customers\":%zu,\"mean_stress\":", t->messages,
                         t->customers);
        if (t->scored)
            heed__buf_printf(b, "%.1f", t->stress_sum / (double)t->scored);
        else
            heed__buf_adds(b, "null");
        heed__buf_printf(b, ",\"high_stress\":%zu,\"needs\":{", t->high_stress);
        int k = 0;
        for (int j = 0; j < HEED_NEED_COUNT; j++)
            if (t->needs[j])
                heed__buf_printf(b, "%s\"%s\":%zu", k++ ? "," : "", heed_view_need_names[j],
                                 t->needs[j]);
        heed__buf_adds(b, "}}");
    }
    heed__buf_adds(b, "]}");
}
