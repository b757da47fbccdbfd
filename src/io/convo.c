/* convo.c - see convo.h. A chained hash table of open conversations plus a
 * list ordered by last activity (the quietest first, evicted first when the
 * table is full); each conversation holds fixed-size counters and short lists,
 * never the messages. */
#include "convo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "jsonout.h"

enum { FLAG_EWC, FLAG_CWE, FLAG_LTA, FLAG_PROMISE, N_FLAGS };

const char *const heed_convo_flag_names[4] = {
    "empathy_without_compassion",
    "compassion_without_empathy",
    "listened_to_answer",
    "promise_made",
};

/* ------------------------------------------------------------ message facts */

/* Phrases in which a customer confirms that the problem is solved, as
 * normalised words (token norms). Each must not be negated ("hasn't
 * arrived"), asked ("has it arrived?") or hypothetical ("if it arrives"). */
static const char *const CONFIRM[][4] = {
    {"that", "worked"},       {"it", "worked"},        {"this", "worked"},
    {"worked", "perfectly"},  {"works", "now"},        {"working", "now"},
    {"works", "again"},       {"working", "again"},    {"all", "sorted"},
    {"sorted", "now"},        {"is", "sorted"},        {"problem", "solved"},
    {"issue", "solved"},      {"problem", "resolved"}, {"issue", "resolved"},
    {"is", "resolved"},       {"been", "resolved"},    {"is", "fixed"},
    {"been", "fixed"},        {"fixed", "now"},        {"fixed", "it"},
    {"did", "the", "trick"},  {"all", "good", "now"},  {"arrived"},
    {"came", "through"},      {"that", "works"},       {"it", "works"},
    {"got", "the", "refund"}, {"refund", "received"},
};

/* Subjects that make the phrase about the company, not the customer ("you
 * received it on the 18th"). */
static const char *const NOT_CUSTOMER[] = {"you", "u", "they", "we"};

/* Words that make what follows them in the sentence hypothetical. */
static const char *const HYPOTHETICAL[] = {"if",     "once",    "when", "until",
                                           "unless", "whether", "hope", "hopefully"};

static int norm_is(const heed_token *t, const char *w)
{
    size_t n = strlen(w);
    return t->kind == HEED_TOK_WORD && t->norm_len == n && !memcmp(t->norm, w, n);
}

/* 1 when the sentence ends with a question mark. */
static int is_question(const heed_result *r, uint32_t sentence)
{
    if (sentence >= r->n_sentences)
        return 0;
    const heed_sentence *s = &r->sentences[sentence];
    for (uint32_t k = s->n_tokens; k > 0; k--) {
        const heed_token *t = &r->tokens[s->first_token + k - 1];
        if (t->kind != HEED_TOK_PUNCT && t->kind != HEED_TOK_EMOJI && t->kind != HEED_TOK_EMOTICON)
            return 0;
        if (t->kind == HEED_TOK_PUNCT && memchr(r->text + t->start, '?', t->len))
            return 1;
    }
    return 0;
}

int heed_convo_confirmation(const heed_result *r, uint32_t *start, uint32_t *len)
{
    for (size_t i = 0; i < r->n_tokens; i++) {
        if (r->tokens[i].kind != HEED_TOK_WORD || !r->tokens[i].norm_len)
            continue;
        for (size_t p = 0; p < sizeof CONFIRM / sizeof CONFIRM[0]; p++) {
            if (CONFIRM[p][0][0] != r->tokens[i].norm[0])
                continue; /* most words start no phrase: no string compare */
            size_t n = 0, ok = 1;
            while (n < 4 && CONFIRM[p][n])
                n++;
            if (i + n > r->n_tokens)
                continue;
            for (size_t k = 0; k < n && ok; k++) {
                const heed_token *t = &r->tokens[i + k];
                ok = norm_is(t, CONFIRM[p][k]) && !(t->flags & HEED_TF_NEGATED) &&
                     !(t->flags & HEED_TF_NEGATOR);
            }
            if (!ok)
                continue;
            const heed_token *t0 = &r->tokens[i];
            if (is_question(r, t0->sentence))
                continue;
            int hypo = 0;
            for (size_t k = i; k > 0 && !hypo && r->tokens[k - 1].sentence == t0->sentence; k--) {
                const heed_token *b = &r->tokens[k - 1];
                if (b->flags & HEED_TF_NEGATOR)
                    hypo = 1; /* "not yet arrived", "never worked" */
                for (size_t h = 0; h < sizeof HYPOTHETICAL / sizeof HYPOTHETICAL[0]; h++)
                    hypo |= norm_is(b, HYPOTHETICAL[h]);
            }
            if (hypo)
                continue;
            int other = 0;
            if (i > 0 && r->tokens[i - 1].sentence == t0->sentence)
                for (size_t h = 0; h < sizeof NOT_CUSTOMER / sizeof NOT_CUSTOMER[0]; h++)
                    other |= norm_is(&r->tokens[i - 1], NOT_CUSTOMER[h]);
            if (other)
                continue;
            const heed_token *tn = &r->tokens[i + n - 1];
            *start = t0->start;
            *len = tn->start + tn->len - t0->start;
            return 1;
        }
    }
    return 0;
}

void heed_convo_fact_of(heed_convo_fact *f, const heed_result *r)
{
    memset(f, 0, sizeof(*f));
    f->stress = -1;
    f->asks = -1;
    f->empathy = f->compassion = f->addressed = -1;
    f->negative = r->valence <= -0.05;
    if (r->role == HEED_ROLE_AGENT) {
        if (r->empathy.available) {
            f->empathy = 0;
            for (int m = 0; m < HEED_EMPATHY_COUNT; m++)
                if (r->empathy.level[m] > f->empathy)
                    f->empathy = r->empathy.level[m] > 2 ? 2 : r->empathy.level[m];
        }
        if (r->compassion.available)
            f->compassion = (r->compassion.signals & ~HEED_COMPASSION_NEGATIVE &
                             ((1u << HEED_COMP_COUNT) - 1)) != 0;
        if (r->addressed.available)
            f->addressed = r->addressed.status;
        if (r->promises.available) {
            f->n_promises = r->promises.n;
            for (size_t i = 0; i < r->promises.n && i < HEED_CONVO_LIST_MAX; i++) {
                f->promises[i].kind = r->promises.items[i].kind;
                f->promises[i].has_due = r->promises.items[i].has_due;
                f->promises[i].due = r->promises.items[i].due;
            }
        }
        if (r->familiar.available) {
            f->has_simhash = 1;
            f->simhash = r->familiar.simhash;
        }
        return;
    }
    if (r->stress.available) {
        f->stress = r->stress.score;
        for (size_t i = 0; i < r->stress.n_cues; i++) {
            const heed_cue *c = &r->stress.cues[i];
            if (!(c->flags & HEED_CUE_SUPPRESSED) && c->what &&
                !strcmp(c->what, "repeat contact")) {
                f->repeat_start = c->start;
                f->repeat_len = c->len;
                break;
            }
        }
    }
    if (r->needs.asks_available)
        f->asks = r->needs.n_asks > 1000 ? 1000 : (int)r->needs.n_asks;
    if (!f->negative && f->stress < HEED_CONVO_DOUBT)
        heed_convo_confirmation(r, &f->confirm_start, &f->confirm_len);
}

/* ------------------------------------------------------------ conversations */

/* A message named as evidence: its record index and id (cut to fit). */
typedef struct mref {
    size_t index;
    char id[HEED_CONVO_ID_MAX + 1]; /* "" when the record has no id */
} mref;

typedef struct conv {
    struct conv *hnext;       /* hash chain */
    struct conv *prev, *next; /* by last activity, quietest first */
    uint64_t hash, seq;
    char *key;
    size_t key_len;
    char customer[HEED_CONVO_ID_MAX + 1];
    size_t n_customer, n_agent, n_other;
    size_t first_index, last_index;
    int has_time;
    int64_t first_time, last_time;
    int last_role;
    int last_open; /* the customer's last message asks, is stressed or negative */
    /* the customer's stress */
    size_t n_stress;
    double s_first, s_peak, s_last, last_stress; /* last_stress < 0: unknown */
    mref m_first, m_peak, m_last;
    /* resolution */
    int confirmed;
    mref m_confirm;
    char confirm_quote[HEED_CONVO_QUOTE_MAX + 1];
    int has_status;
    char status[HEED_CONVO_ID_MAX + 1];
    mref m_status, m_last_customer;
    /* repeat contact */
    int said;
    mref m_said;
    char said_quote[HEED_CONVO_QUOTE_MAX + 1];
    size_t contacts, contacts_at_confirm;
    mref contact[HEED_CONVO_LIST_MAX];
    /* flags */
    size_t flag_n[N_FLAGS];
    mref flag_m[N_FLAGS][HEED_CONVO_LIST_MAX];
    size_t n_prom;
    heed_convo_promise prom[HEED_CONVO_LIST_MAX];
    mref prom_m[HEED_CONVO_LIST_MAX];
    /* replies with empathy and no action, waiting for the customer's next
     * stress; before < 0: the stress they answered is unknown */
    size_t n_pending;
    mref pending[HEED_CONVO_LIST_MAX];
    double pending_before[HEED_CONVO_LIST_MAX];
} conv;

struct heed_convo {
    conv **buckets;
    size_t n_buckets; /* power of two */
    size_t n, max_open;
    uint64_t seq;
    conv *quiet, *busy; /* list ends */
    heed_convo_stats stats;
};

heed_convo *heed_convo_new(size_t max_open)
{
    heed_convo *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->max_open = max_open ? max_open : HEED_CONVO_OPEN;
    c->n_buckets = 16;
    while (c->n_buckets < c->max_open * 2 && c->n_buckets < ((size_t)1 << 24))
        c->n_buckets *= 2;
    c->buckets = calloc(c->n_buckets, sizeof(conv *));
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    return c;
}

static void conv_free(conv *v)
{
    if (v)
        free(v->key);
    free(v);
}

void heed_convo_free(heed_convo *c)
{
    if (!c)
        return;
    for (conv *v = c->quiet; v;) {
        conv *nx = v->next;
        conv_free(v);
        v = nx;
    }
    free(c->buckets);
    free(c);
}

const heed_convo_stats *heed_convo_totals(const heed_convo *c)
{
    return &c->stats;
}

/* Copies at most cap bytes of s[0..n) into out (size cap + 1), cut at a UTF-8
 * character boundary, NUL-terminated. */
static void copy_cut(char *out, size_t cap, const char *s, size_t n)
{
    if (!s)
        n = 0;
    if (n > cap) {
        n = cap;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
}

static void set_ref(mref *r, const heed_convo_msg *m)
{
    r->index = m->index;
    copy_cut(r->id, HEED_CONVO_ID_MAX, m->id, m->id ? m->id_len : 0);
}

static void quote(char *out, const heed_convo_msg *m, uint32_t start, uint32_t len)
{
    if (!m->text || (size_t)start + len > m->text_len)
        len = 0;
    copy_cut(out, HEED_CONVO_QUOTE_MAX, m->text ? m->text + start : NULL, len);
}

static void flag(conv *v, int which, const heed_convo_msg *m)
{
    if (v->flag_n[which] < HEED_CONVO_LIST_MAX)
        set_ref(&v->flag_m[which][v->flag_n[which]], m);
    v->flag_n[which]++;
}

static void unlink_conv(heed_convo *c, conv *v)
{
    if (v->prev)
        v->prev->next = v->next;
    else
        c->quiet = v->next;
    if (v->next)
        v->next->prev = v->prev;
    else
        c->busy = v->prev;
    v->prev = v->next = NULL;
}

static void append_conv(heed_convo *c, conv *v)
{
    v->prev = c->busy;
    v->next = NULL;
    if (c->busy)
        c->busy->next = v;
    else
        c->quiet = v;
    c->busy = v;
}

static void unhash(heed_convo *c, conv *v)
{
    conv **p = &c->buckets[v->hash & (c->n_buckets - 1)];
    while (*p != v)
        p = &(*p)->hnext;
    *p = v->hnext;
    c->n--;
}

/* ------------------------------------------------------------ writing */

static void ref_json(heed_buf *b, const mref *r)
{
    heed__buf_adds(b, "{\"index\":");
    heed_json_uint(b, r->index);
    if (r->id[0]) {
        heed__buf_adds(b, ",\"id\":");
        heed_json_string(b, r->id, strlen(r->id));
    }
    heed__buf_addc(b, '}');
}

static void refs_json(heed_buf *b, const mref *r, size_t n)
{
    heed__buf_addc(b, '[');
    for (size_t i = 0; i < n && i < HEED_CONVO_LIST_MAX; i++) {
        if (i)
            heed__buf_addc(b, ',');
        ref_json(b, &r[i]);
    }
    heed__buf_addc(b, ']');
}

static void point_json(heed_buf *b, const char *name, double score, const mref *r)
{
    heed__buf_addc(b, '"');
    heed__buf_adds(b, name);
    heed__buf_adds(b, "\":{\"score\":");
    heed_json_number(b, round(score));
    heed__buf_adds(b, ",\"message\":");
    ref_json(b, r);
    heed__buf_addc(b, '}');
}

/* "resolved", "unresolved" or "unknown" for an explicit status value. */
static const char *status_class(const char *s)
{
    static const char *const done[] = {"resolved", "solved",    "closed", "done",
                                       "complete", "completed", "fixed"};
    static const char *const open[] = {"open",    "pending",    "new",         "reopened",
                                       "waiting", "on_hold",    "in_progress", "escalated",
                                       "on hold", "in progress"};
    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
        if (!strcasecmp(s, done[i]))
            return "resolved";
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        if (!strcasecmp(s, open[i]))
            return "unresolved";
    return "unknown";
}

static const char *direction(const conv *v)
{
    if (v->n_stress < 2)
        return "single";
    double d = round(v->s_last) - round(v->s_first);
    return d <= -HEED_CONVO_STRESS_STEP  ? "falling"
           : d >= HEED_CONVO_STRESS_STEP ? "rising"
                                         : "steady";
}

static void note_stats(heed_convo_stats *s, const conv *v, int partial, const char *res, int repeat)
{
    s->n++;
    s->partial += partial != 0;
    if (!strcmp(res, "resolved"))
        s->resolved++;
    else if (!strcmp(res, "unresolved"))
        s->unresolved++;
    else
        s->unknown++;
    s->repeat += repeat != 0;
    if (v->n_stress) {
        const char *d = direction(v);
        if (!strcmp(d, "falling"))
            s->falling++;
        else if (!strcmp(d, "rising"))
            s->rising++;
        else if (!strcmp(d, "steady"))
            s->steady++;
        else
            s->single++;
    }
    for (int f = 0; f < N_FLAGS; f++)
        s->flag[f] += v->flag_n[f] > 0;
    if (strcmp(res, "resolved") != 0 && v->n_stress) {
        size_t cap = sizeof s->worst / sizeof s->worst[0];
        size_t pos = s->n_worst;
        while (pos > 0 && s->worst[pos - 1].peak < v->s_peak)
            pos--;
        if (pos < cap) {
            size_t last = s->n_worst < cap ? s->n_worst : cap - 1;
            memmove(&s->worst[pos + 1], &s->worst[pos], (last - pos) * sizeof(s->worst[0]));
            if (s->n_worst < cap)
                s->n_worst++;
            s->worst[pos].peak = v->s_peak;
            s->worst[pos].resolution = !strcmp(res, "unresolved") ? "unresolved" : "unknown";
            copy_cut(s->worst[pos].conv, sizeof s->worst[pos].conv - 1, v->key, v->key_len);
            copy_cut(s->worst[pos].id, sizeof s->worst[pos].id - 1, v->m_peak.id,
                     strlen(v->m_peak.id));
        }
    }
}

static void write_conv(heed_convo *c, const conv *v, int partial, heed_buf *b)
{
    heed__buf_adds(b, "{\"type\":\"conversation\",\"schema\":");
    heed_json_uint(b, HEED_SCHEMA_VERSION);
    heed__buf_adds(b, ",\"conversation\":");
    heed_json_string(b, v->key, v->key_len);
    if (partial)
        heed__buf_adds(b, ",\"partial\":true");
    if (v->customer[0]) {
        heed__buf_adds(b, ",\"customer\":");
        heed_json_string(b, v->customer, strlen(v->customer));
    }
    heed__buf_adds(b, ",\"messages\":{\"total\":");
    heed_json_uint(b, v->n_customer + v->n_agent + v->n_other);
    heed__buf_adds(b, ",\"customer\":");
    heed_json_uint(b, v->n_customer);
    heed__buf_adds(b, ",\"agent\":");
    heed_json_uint(b, v->n_agent);
    heed__buf_adds(b, ",\"other\":");
    heed_json_uint(b, v->n_other);
    heed__buf_adds(b, "},\"first_index\":");
    heed_json_uint(b, v->first_index);
    heed__buf_adds(b, ",\"last_index\":");
    heed_json_uint(b, v->last_index);
    if (v->has_time) {
        heed__buf_adds(b, ",\"first_time\":");
        heed_json_time(b, v->first_time);
        heed__buf_adds(b, ",\"last_time\":");
        heed_json_time(b, v->last_time);
    }
    /* stress trajectory */
    if (v->n_stress) {
        heed__buf_adds(b, ",\"stress\":{");
        point_json(b, "first", v->s_first, &v->m_first);
        heed__buf_addc(b, ',');
        point_json(b, "peak", v->s_peak, &v->m_peak);
        heed__buf_addc(b, ',');
        point_json(b, "last", v->s_last, &v->m_last);
        heed__buf_adds(b, ",\"change\":");
        heed_json_number(b, round(v->s_last) - round(v->s_first));
        heed__buf_adds(b, ",\"direction\":\"");
        heed__buf_adds(b, direction(v));
        heed__buf_adds(b, "\"}");
    }
    /* resolution */
    const char *res;
    heed__buf_adds(b, ",\"resolution\":{\"status\":");
    if (v->confirmed) {
        res = "resolved";
        heed__buf_adds(b, "\"resolved\",\"by\":\"customer\",\"message\":");
        ref_json(b, &v->m_confirm);
        heed__buf_adds(b, ",\"text\":");
        heed_json_string(b, v->confirm_quote, strlen(v->confirm_quote));
    } else if (v->has_status) {
        res = status_class(v->status);
        heed_json_string(b, res, strlen(res));
        heed__buf_adds(b, ",\"by\":\"status\",\"message\":");
        ref_json(b, &v->m_status);
        heed__buf_adds(b, ",\"text\":");
        heed_json_string(b, v->status, strlen(v->status));
    } else if (v->last_role == HEED_ROLE_CUSTOMER && v->last_open) {
        res = "unresolved";
        heed__buf_adds(b, "\"unresolved\",\"by\":\"customer_open\",\"message\":");
        ref_json(b, &v->m_last_customer);
    } else {
        res = "unknown";
        heed__buf_adds(b, "\"unknown\",\"by\":\"no_confirmation\"");
        if (v->n_customer) {
            heed__buf_adds(b, ",\"message\":");
            ref_json(b, &v->m_last_customer);
        }
    }
    heed__buf_addc(b, '}');
    /* repeat contact */
    size_t contacts = v->confirmed ? v->contacts_at_confirm : v->contacts;
    int repeat = v->said || contacts > 1;
    heed__buf_adds(b, ",\"repeat_contact\":{\"repeat\":");
    heed__buf_adds(b, repeat ? "true" : "false");
    if (v->said) {
        heed__buf_adds(b, ",\"said\":{\"message\":");
        ref_json(b, &v->m_said);
        heed__buf_adds(b, ",\"text\":");
        heed_json_string(b, v->said_quote, strlen(v->said_quote));
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, ",\"contacts\":");
    heed_json_uint(b, contacts);
    heed__buf_adds(b, ",\"messages\":");
    refs_json(b, v->contact, contacts);
    heed__buf_addc(b, '}');
    /* flags */
    heed__buf_adds(b, ",\"flags\":[");
    int first = 1;
    for (int f = 0; f < N_FLAGS; f++) {
        if (!v->flag_n[f])
            continue;
        heed__buf_adds(b, first ? "{\"flag\":\"" : ",{\"flag\":\"");
        first = 0;
        heed__buf_adds(b, heed_convo_flag_names[f]);
        heed__buf_adds(b, "\",\"count\":");
        heed_json_uint(b, v->flag_n[f]);
        heed__buf_adds(b, ",\"messages\":");
        refs_json(b, v->flag_m[f], v->flag_n[f]);
        if (f == FLAG_PROMISE) {
            heed__buf_adds(b, ",\"promises\":[");
            for (size_t i = 0; i < v->n_prom && i < HEED_CONVO_LIST_MAX; i++) {
                const heed_convo_promise *p = &v->prom[i];
                int k =
                    p->kind >= 0 && p->kind < HEED_PROMISE_COUNT ? p->kind : HEED_PROMISE_FOLLOW_UP;
                heed__buf_adds(b, i ? ",{\"kind\":" : "{\"kind\":");
                heed_json_string(b, heed_json_promise_names[k], strlen(heed_json_promise_names[k]));
                heed__buf_adds(b, ",\"message\":");
                ref_json(b, &v->prom_m[i]);
                if (p->has_due) {
                    heed__buf_adds(b, ",\"due\":");
                    heed_json_time(b, p->due);
                }
                heed__buf_addc(b, '}');
            }
            heed__buf_addc(b, ']');
        }
        heed__buf_addc(b, '}');
    }
    heed__buf_adds(b, "]}\n");
    note_stats(&c->stats, v, partial, res, repeat);
}

/* ------------------------------------------------------------ adding */

static void add_customer(conv *v, const heed_convo_msg *m)
{
    const heed_convo_fact *f = m->fact;
    v->n_customer++;
    if (!v->customer[0] && m->customer)
        copy_cut(v->customer, HEED_CONVO_ID_MAX, m->customer, m->customer_len);
    if (f->stress >= 0) {
        if (!v->n_stress++) {
            v->s_first = v->s_peak = f->stress;
            set_ref(&v->m_first, m);
            set_ref(&v->m_peak, m);
        } else if (f->stress > v->s_peak) {
            v->s_peak = f->stress;
            set_ref(&v->m_peak, m);
        }
        v->s_last = f->stress;
        set_ref(&v->m_last, m);
        /* warm words with no action before: did the stress not fall? */
        for (size_t i = 0; i < v->n_pending; i++) {
            if (v->pending_before[i] >= 0 && round(f->stress) >= round(v->pending_before[i])) {
                if (v->flag_n[FLAG_EWC] < HEED_CONVO_LIST_MAX)
                    v->flag_m[FLAG_EWC][v->flag_n[FLAG_EWC]] = v->pending[i];
                v->flag_n[FLAG_EWC]++;
            }
        }
    }
    v->n_pending = 0; /* judged by the customer's next message only */
    v->last_stress = f->stress;
    if (f->confirm_len) {
        if (!v->confirmed)
            v->contacts_at_confirm = v->contacts;
        v->confirmed = 1;
        set_ref(&v->m_confirm, m);
        quote(v->confirm_quote, m, f->confirm_start, f->confirm_len);
    } else {
        if (v->confirmed && (f->asks > 0 || f->stress >= HEED_CONVO_STRESSED))
            v->confirmed = 0; /* the problem is back */
        if (f->asks > 0 || f->stress >= HEED_CONVO_STRESSED || (f->asks < 0 && f->stress < 0)) {
            if (v->contacts < HEED_CONVO_LIST_MAX)
                set_ref(&v->contact[v->contacts], m);
            v->contacts++;
        }
    }
    if (f->repeat_len && !v->said) {
        v->said = 1;
        set_ref(&v->m_said, m);
        quote(v->said_quote, m, f->repeat_start, f->repeat_len);
    }
    set_ref(&v->m_last_customer, m);
    v->last_open = f->asks > 0 || f->stress >= HEED_CONVO_STRESSED || f->negative;
}

static void add_agent(conv *v, const heed_convo_msg *m)
{
    const heed_convo_fact *f = m->fact;
    v->n_agent++;
    if (f->empathy > 0 && f->compassion == 0 && v->n_pending < HEED_CONVO_LIST_MAX) {
        set_ref(&v->pending[v->n_pending], m);
        v->pending_before[v->n_pending++] = v->last_stress;
    }
    if (f->compassion == 1 && f->empathy == 0 && v->last_stress >= HEED_CONVO_STRESSED)
        flag(v, FLAG_CWE, m);
    if (f->addressed == HEED_ADDR_IGNORED)
        flag(v, FLAG_LTA, m);
    if (f->n_promises) {
        flag(v, FLAG_PROMISE, m);
        for (size_t i = 0; i < f->n_promises && i < HEED_CONVO_LIST_MAX; i++) {
            if (v->n_prom < HEED_CONVO_LIST_MAX) {
                v->prom[v->n_prom] = f->promises[i];
                set_ref(&v->prom_m[v->n_prom], m);
            }
            v->n_prom++;
        }
    }
}

int heed_convo_add(heed_convo *c, const char *key, size_t key_len, const heed_convo_msg *m,
                   heed_buf *out)
{
    if (!key)
        return 0;
    uint64_t h = heed__hash(key, key_len);
    conv **slot = &c->buckets[h & (c->n_buckets - 1)];
    conv *v = *slot;
    while (v && !(v->hash == h && v->key_len == key_len && !memcmp(v->key, key, key_len)))
        v = v->hnext;
    if (!v) {
        if (c->n >= c->max_open) { /* write the quietest early */
            conv *q = c->quiet;
            write_conv(c, q, 1, out);
            unlink_conv(c, q);
            unhash(c, q);
            conv_free(q);
        }
        v = calloc(1, sizeof(*v));
        if (!v)
            return -1;
        v->key = malloc(key_len + 1);
        if (!v->key) {
            free(v);
            return -1;
        }
        if (key_len)
            memcpy(v->key, key, key_len);
        v->key[key_len] = '\0';
        v->key_len = key_len;
        v->hash = h;
        v->seq = c->seq++;
        v->first_index = m->index;
        v->last_stress = -1;
        v->hnext = *slot;
        *slot = v;
        c->n++;
    } else {
        unlink_conv(c, v);
    }
    append_conv(c, v);
    v->last_index = m->index;
    if (m->has_time) {
        if (!v->has_time || m->time < v->first_time)
            v->first_time = m->time;
        if (!v->has_time || m->time > v->last_time)
            v->last_time = m->time;
        v->has_time = 1;
    }
    if (m->status) {
        v->has_status = 1;
        copy_cut(v->status, HEED_CONVO_ID_MAX, m->status, m->status_len);
        set_ref(&v->m_status, m);
    }
    if (m->role == HEED_ROLE_CUSTOMER)
        add_customer(v, m);
    else if (m->role == HEED_ROLE_AGENT)
        add_agent(v, m);
    else
        v->n_other++;
    if (m->role != HEED_ROLE_UNKNOWN)
        v->last_role = m->role;
    return out->err ? -1 : 0;
}

static int by_seq(const void *a, const void *b)
{
    const conv *x = *(conv *const *)a, *y = *(conv *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int heed_convo_finish(heed_convo *c, heed_buf *out)
{
    if (c->n) {
        conv **all = malloc(c->n * sizeof(*all));
        if (!all)
            return -1;
        size_t k = 0;
        for (conv *v = c->quiet; v; v = v->next)
            all[k++] = v;
        qsort(all, k, sizeof(*all), by_seq);
        for (size_t i = 0; i < k; i++)
            write_conv(c, all[i], 0, out);
        free(all);
    }
    for (conv *v = c->quiet; v;) {
        conv *nx = v->next;
        conv_free(v);
        v = nx;
    }
    c->quiet = c->busy = NULL;
    memset(c->buckets, 0, c->n_buckets * sizeof(conv *));
    c->n = 0;
    return out->err ? -1 : 0;
}

static double pct(size_t k, size_t n)
{
    return n ? 100.0 * (double)k / (double)n : 0.0;
}

void heed_convo_summary(FILE *f, const heed_convo_stats *s)
{
    fprintf(f, "\nConversations: %zu", s->n);
    if (s->partial)
        fprintf(f, " (%zu written early, partial)", s->partial);
    fputc('\n', f);
    if (!s->n)
        return;
    fprintf(f, "  resolution: %zu resolved (%.0f%%), %zu unresolved, %zu unknown\n", s->resolved,
            pct(s->resolved, s->n), s->unresolved, s->unknown);
    fprintf(f, "  repeat contact: %zu (%.0f%%)\n", s->repeat, pct(s->repeat, s->n));
    fprintf(f, "  customer stress: %zu falling, %zu steady, %zu rising, %zu one reading\n",
            s->falling, s->steady, s->rising, s->single);
    fprintf(f, "  flags:");
    for (int i = 0; i < N_FLAGS; i++)
        fprintf(f, "%s %s %zu", i ? "," : "", heed_convo_flag_names[i], s->flag[i]);
    fputc('\n', f);
    if (s->n_worst) {
        fprintf(f, "  highest peak stress, not resolved:\n");
        for (size_t i = 0; i < s->n_worst; i++)
            fprintf(f, "    %3.0f  %-16s %-12s %s\n", round(s->worst[i].peak), s->worst[i].conv,
                    s->worst[i].id[0] ? s->worst[i].id : "-", s->worst[i].resolution);
    }
}
