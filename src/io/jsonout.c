/* jsonout.c - JSON rendering of heed_result (see jsonout.h, docs/schema.md). */
#include "jsonout.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void heed_json_string(heed_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (heed__buf_reserve(b, n + 2))
        return;
    heed__buf_addc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20 || c == 0x7F) {
            u[0] = '\\';
            u[1] = 'u';
            u[2] = '0';
            u[3] = '0';
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            u[6] = '\0';
            esc = u;
        } else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            heed__buf_add(b, s + run, i - run);
            heed__buf_adds(b, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
            i += 2;
            run = i + 1;
            continue;
        }
        if (esc) {
            heed__buf_add(b, s + run, i - run);
            heed__buf_adds(b, esc);
            run = i + 1;
        }
    }
    heed__buf_add(b, s + run, n - run);
    heed__buf_addc(b, '"');
}

void heed_json_number(heed_buf *b, double v)
{
    if (!isfinite(v))
        v = 0;
    double r = round(v * 10000.0) / 10000.0;
    if (r == 0)
        r = 0; /* no "-0" */
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "%.4f", r);
    /* trim trailing zeros and a trailing point */
    while (n > 1 && tmp[n - 1] == '0')
        n--;
    if (n > 1 && tmp[n - 1] == '.')
        n--;
    heed__buf_add(b, tmp, (size_t)n);
}

static void rules_array(heed_buf *b, uint32_t rules)
{
    heed__buf_addc(b, '[');
    int first = 1;
    for (uint32_t bit = 0; bit < 32; bit++) {
        const char *name = heed_rule_name(1u << bit);
        if (!(rules & (1u << bit)) || !name)
            continue;
        if (!first)
            heed__buf_addc(b, ',');
        first = 0;
        heed_json_string(b, name, strlen(name));
    }
    heed__buf_addc(b, ']');
}

static void token_flags(heed_buf *b, unsigned flags)
{
    static const struct {
        unsigned bit;
        const char *name;
    } F[] = {{HEED_TF_ALLCAPS, "allcaps"},   {HEED_TF_ELONGATED, "elongated"},
             {HEED_TF_REPEATED, "repeated"}, {HEED_TF_NEGATOR, "negator"},
             {HEED_TF_NEGATED, "negated"},   {HEED_TF_CONTRACTION, "contraction"}};
    heed__buf_addc(b, '[');
    int first = 1;
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++) {
        if (!(flags & F[i].bit))
            continue;
        if (!first)
            heed__buf_addc(b, ',');
        first = 0;
        heed_json_string(b, F[i].name, strlen(F[i].name));
    }
    heed__buf_addc(b, ']');
}

void heed_json_result(heed_buf *b, const heed_result *r, const heed_json_opts *o)
{
    heed__buf_adds(b, "\"valence\":");
    heed_json_number(b, r->valence);
    heed__buf_adds(b, ",\"positive\":");
    heed_json_number(b, r->positive);
    heed__buf_adds(b, ",\"negative\":");
    heed_json_number(b, r->negative);
    if (o && o->text) {
        heed__buf_adds(b, ",\"text\":");
        heed_json_string(b, r->text, r->text_len);
    }
    heed__buf_adds(b, ",\"sentences\":[");
    for (size_t i = 0; i < r->n_sentences; i++) {
        const heed_sentence *s = &r->sentences[i];
        if (i)
            heed__buf_addc(b, ',');
        heed__buf_printf(b, "{\"start\":%u,\"end\":%u,\"valence\":", (unsigned)s->start,
                         (unsigned)(s->start + s->len));
        heed_json_number(b, s->valence);
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, "],\"evidence\":[");
    for (size_t i = 0; i < r->n_evidence; i++) {
        const heed_evidence *e = &r->evidence[i];
        if (i)
            heed__buf_addc(b, ',');
        heed__buf_adds(b, "{\"text\":");
        heed_json_string(b, r->text + e->start, e->len);
        heed__buf_printf(b, ",\"start\":%u,\"end\":%u,\"sentence\":%u,\"base\":",
                         (unsigned)e->start, (unsigned)(e->start + e->len), (unsigned)e->sentence);
        heed_json_number(b, e->base);
        heed__buf_adds(b, ",\"score\":");
        heed_json_number(b, e->score);
        heed__buf_adds(b, ",\"rules\":");
        rules_array(b, e->rules);
        if (e->cue != UINT32_MAX && e->cue < r->n_tokens) {
            const heed_token *c = &r->tokens[e->cue];
            heed__buf_adds(b, ",\"cue\":");
            heed_json_string(b, r->text + c->start, c->len);
        }
        heed__buf_addc(b, '}');
    }
    heed__buf_addc(b, ']');
    if (o && o->tokens) {
        heed__buf_adds(b, ",\"tokens\":[");
        for (size_t i = 0; i < r->n_tokens; i++) {
            const heed_token *t = &r->tokens[i];
            if (i)
                heed__buf_addc(b, ',');
            heed__buf_adds(b, "{\"text\":");
            heed_json_string(b, r->text + t->start, t->len);
            heed__buf_adds(b, ",\"norm\":");
            heed_json_string(b, t->norm, t->norm_len);
            heed__buf_printf(b, ",\"kind\":\"%s\",\"start\":%u,\"sentence\":%u,\"flags\":",
                             heed_token_kind_name(t->kind), (unsigned)t->start,
                             (unsigned)t->sentence);
            token_flags(b, t->flags);
            heed__buf_addc(b, '}');
        }
        heed__buf_addc(b, ']');
    }
    if (r->warnings & HEED_WARN_REPLACED_UTF8)
        heed__buf_printf(b, ",\"warnings\":[{\"code\":\"replaced_invalid_utf8\",\"count\":%zu,"
                            "\"first_byte\":%zu}]",
                         r->n_replaced, r->first_bad);
}
