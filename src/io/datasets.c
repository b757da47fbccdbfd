/* datasets.c - loaders for the intent data behind the needs model (BANKING77,
 * Bitext, heed's own examples), the intent -> need tables and the dev split
 * rule (datasets.h). The reasons for each mapping are in docs/needs.md. Also
 * the EPITOME loader and its split, for the empathy models (docs/empathy.md). */
#include "datasets.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define R HEED_NEED_REFUND
#define D HEED_NEED_DELIVERY
#define B HEED_NEED_BILLING
#define A HEED_NEED_ACCOUNT
#define C HEED_NEED_CANCELLATION
#define F HEED_NEED_FAULT
#define U HEED_NEED_CHANGE
#define P HEED_NEED_PRODUCT
#define K HEED_NEED_COMPLAINT
#define O HEED_NEED_OTHER

/* In the order of banking77/categories.json (the model's class order). */
const heed_intent_need heed_banking77_needs[HEED_BANKING77_INTENTS] = {
    {"card_arrival", D},
    {"card_linking", P},
    {"exchange_rate", P},
    {"card_payment_wrong_exchange_rate", B},
    {"extra_charge_on_statement", B},
    {"pending_cash_withdrawal", B},
    {"fiat_currency_support", P},
    {"card_delivery_estimate", D},
    {"automatic_top_up", P},
    {"card_not_working", F},
    {"exchange_via_app", P},
    {"lost_or_stolen_card", A},
    {"age_limit", P},
    {"pin_blocked", A},
    {"contactless_not_working", F},
    {"top_up_by_bank_transfer_charge", B},
    {"pending_top_up", B},
    {"cancel_transfer", C},
    {"top_up_limits", P},
    {"wrong_amount_of_cash_received", B},
    {"card_payment_fee_charged", B},
    {"transfer_not_received_by_recipient", B},
    {"supported_cards_and_currencies", P},
    {"getting_virtual_card", P},
    {"card_acceptance", P},
    {"top_up_reverted", B},
    {"balance_not_updated_after_cheque_or_cash_deposit", B},
    {"card_payment_not_recognised", B},
    {"edit_personal_details", U},
    {"why_verify_identity", P},
    {"unable_to_verify_identity", A},
    {"get_physical_card", P},
    {"visa_or_mastercard", P},
    {"topping_up_by_card", P},
    {"disposable_card_limits", P},
    {"compromised_card", A},
    {"atm_support", P},
    {"direct_debit_payment_not_recognised", B},
    {"passcode_forgotten", A},
    {"declined_cash_withdrawal", B},
    {"pending_card_payment", B},
    {"lost_or_stolen_phone", A},
    {"request_refund", R},
    {"declined_transfer", B},
    {"Refund_not_showing_up", R},
    {"declined_card_payment", B},
    {"pending_transfer", B},
    {"terminate_account", C},
    {"card_swallowed", F},
    {"transaction_charged_twice", B},
    {"verify_source_of_funds", P},
    {"transfer_timing", P},
    {"reverted_card_payment?", B},
    {"change_pin", U},
    {"beneficiary_not_allowed", F},
    {"transfer_fee_charged", B},
    {"receiving_money", P},
    {"failed_transfer", B},
    {"transfer_into_account", P},
    {"verify_top_up", P},
    {"getting_spare_card", P},
    {"top_up_by_cash_or_cheque", P},
    {"order_physical_card", P},
    {"virtual_card_not_working", F},
    {"wrong_exchange_rate_for_cash_withdrawal", B},
    {"get_disposable_virtual_card", P},
    {"top_up_failed", B},
    {"balance_not_updated_after_bank_transfer", B},
    {"cash_withdrawal_not_recognised", B},
    {"exchange_charge", B},
    {"top_up_by_card_charge", B},
    {"activate_my_card", P},
    {"cash_withdrawal_charge", B},
    {"card_about_to_expire", U},
    {"apple_pay_or_google_pay", P},
    {"verify_my_identity", A},
    {"country_support", P},
};

/* Bitext's 27 intents, grouped by its categories. */
const heed_intent_need heed_bitext_needs[HEED_BITEXT_INTENTS] = {
    {"create_account", A},
    {"delete_account", C},
    {"edit_account", U},
    {"recover_password", A},
    {"registration_problems", A},
    {"switch_account", U},
    {"check_cancellation_fee", C},
    {"contact_customer_service", O},
    {"contact_human_agent", O},
    {"delivery_options", D},
    {"delivery_period", D},
    {"complaint", K},
    {"review", O},
    {"check_invoice", B},
    {"get_invoice", B},
    {"newsletter_subscription", U},
    {"cancel_order", C},
    {"change_order", U},
    {"place_order", P},
    {"track_order", D},
    {"check_payment_methods", B},
    {"payment_issue", B},
    {"check_refund_policy", R},
    {"get_refund", R},
    {"track_refund", R},
    {"change_shipping_address", U},
    {"set_up_shipping_address", U},
};

#undef R
#undef D
#undef B
#undef A
#undef C
#undef F
#undef U
#undef P
#undef K
#undef O

static const char *const NEED_NAMES[HEED_NEED_COUNT] = {
#define HEED_X_(name, num, str) str,
    HEED_NEED_MAP(HEED_X_)
#undef HEED_X_
};

const char *heed_need_name(int need)
{
    return need >= 0 && need < HEED_NEED_COUNT ? NEED_NAMES[need] : NULL;
}

int heed_need_from_name(const char *s, size_t n)
{
    for (int i = 0; i < HEED_NEED_COUNT; i++)
        if (strlen(NEED_NAMES[i]) == n && !memcmp(NEED_NAMES[i], s, n))
            return i;
    return -1;
}

size_t heed_datasets_n_intents(heed_ds_source src)
{
    return src == HEED_DS_BANKING77 ? HEED_BANKING77_INTENTS
           : src == HEED_DS_BITEXT  ? HEED_BITEXT_INTENTS
                                    : 0;
}

const heed_intent_need *heed_datasets_table(heed_ds_source src)
{
    return src == HEED_DS_BANKING77 ? heed_banking77_needs
           : src == HEED_DS_BITEXT  ? heed_bitext_needs
                                    : NULL;
}

int heed_datasets_intent(heed_ds_source src, const char *s, size_t n)
{
    const heed_intent_need *t = heed_datasets_table(src);
    size_t k = heed_datasets_n_intents(src);
    for (size_t i = 0; i < k; i++)
        if (strlen(t[i].intent) == n && !memcmp(t[i].intent, s, n))
            return (int)i;
    return -1;
}

const char *heed_datasets_tag(heed_ds_source src)
{
    switch (src) {
    case HEED_DS_BANKING77:
        return "banking77";
    case HEED_DS_BITEXT:
        return "bitext_cs";
    case HEED_DS_EXTRA:
        return "needs_extra";
    default:
        return "unknown";
    }
}

static uint32_t fnv1a(uint32_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

int heed_datasets_is_dev(const char *tag, const char *text, size_t len)
{
    uint32_t h = fnv1a(2166136261u, "heed-dev-v1:", 12);
    h = fnv1a(h, tag, strlen(tag));
    h = fnv1a(h, ":", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= '0' && c <= '9') {
            while (i + 1 < len && text[i + 1] >= '0' && text[i + 1] <= '9')
                i++;
            c = '#';
        } else if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c - 'A' + 'a');
        }
        h = fnv1a(h, &c, 1);
    }
    return h % 100u < HEED_DEV_PERCENT;
}

void heed_datasets_release(heed_dataset *ds)
{
    if (!ds)
        return;
    heed__buf_release(&ds->text);
    free(ds->rows);
    memset(ds, 0, sizeof(*ds));
}

/* ---------------------------------------------------------------- loading */

/* Where a loader reports bad rows: the input's name, the caller's callback
 * (NULL: stderr) and the counter of skipped rows. */
typedef struct row_sink {
    const char *name;
    heed_ds_report_fn report;
    void *rctx;
    size_t *n_bad;
} row_sink;

static void report_bad(const row_sink *k, size_t line, const char *what, const char *detail)
{
    char msg[400];
    snprintf(msg, sizeof msg, "%s:%zu: %s%s%s", k->name, line, what, detail ? ": " : "",
             detail ? detail : "");
    (*k->n_bad)++;
    if (k->report)
        k->report(k->rctx, msg);
    else
        fprintf(stderr, "heed: %s (row skipped)\n", msg);
}

typedef struct load_ctx {
    heed_dataset *ds;
    heed_ds_source src;
    row_sink sink;
} load_ctx;

static void bad_row(load_ctx *c, size_t line, const char *what, const char *detail)
{
    report_bad(&c->sink, line, what, detail);
}

/* Adds one example; returns HEED_OK or HEED_ENOMEM. */
static int add_row(load_ctx *c, size_t line, const char *text, size_t len, int intent, int need)
{
    heed_dataset *ds = c->ds;
    if (ds->n == ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 1024;
        heed_ds_row *r = realloc(ds->rows, cap * sizeof(*r));
        if (!r)
            return HEED_ENOMEM;
        ds->rows = r;
        ds->cap = cap;
    }
    /* Offset 0 would be ambiguous with "empty buffer"; start texts at 1. */
    if (ds->text.len == 0)
        heed__buf_addc(&ds->text, '\0');
    size_t off = ds->text.len;
    heed__buf_add(&ds->text, text, len);
    heed__buf_addc(&ds->text, '\0');
    if (ds->text.err)
        return HEED_ENOMEM;
    heed_ds_row *r = &ds->rows[ds->n++];
    r->text_off = off;
    r->text_len = len;
    r->line = line;
    r->source = (uint8_t)c->src;
    r->is_dev = (uint8_t)heed_datasets_is_dev(heed_datasets_tag(c->src), text, len);
    r->intent = (int16_t)intent;
    r->need = (int16_t)need;
    return HEED_OK;
}

/* Trims ASCII blanks (and a CR) at both ends. */
static void trim(const char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t' || (*s)[0] == '\r')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

/* Checks the text and label of a row and adds it, or reports it. */
static int take(load_ctx *c, size_t line, const char *text, size_t tlen, const char *label,
                size_t llen)
{
    size_t bad;
    trim(&text, &tlen);
    trim(&label, &llen);
    if (heed_utf8_validate(text, tlen, &bad) != HEED_OK ||
        heed_utf8_validate(label, llen, &bad) != HEED_OK) {
        bad_row(c, line, "invalid UTF-8", NULL);
        return HEED_OK;
    }
    if (!tlen) {
        bad_row(c, line, "empty text", NULL);
        return HEED_OK;
    }
    char lab[80];
    snprintf(lab, sizeof lab, "%.*s", (int)(llen < 60 ? llen : 60), label);
    int intent = -1, need;
    if (c->src == HEED_DS_EXTRA) {
        need = heed_need_from_name(label, llen);
        if (need < 0) {
            bad_row(c, line, "unknown need", lab);
            return HEED_OK;
        }
    } else {
        intent = heed_datasets_intent(c->src, label, llen);
        if (intent < 0) {
            bad_row(c, line, "unknown intent", lab);
            return HEED_OK;
        }
        need = heed_datasets_table(c->src)[intent].need;
    }
    return add_row(c, line, text, tlen, intent, need);
}

/* Reads all of f into *out (malloc'd, NUL-terminated). */
static int slurp(FILE *f, const char *name, char **out, size_t *n, heed_error *err)
{
    heed_buf b;
    heed__buf_init(&b, HEED_DS_MAX_FILE);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        heed__buf_add(&b, chunk, got);
    if (ferror(f)) {
        heed__buf_release(&b);
        snprintf(err->msg, sizeof err->msg, "%s: read error", name);
        return err->code = HEED_EIO;
    }
    if (b.err) {
        int rc = b.err;
        heed__buf_release(&b);
        snprintf(err->msg, sizeof err->msg, "%s: %s", name,
                 rc == HEED_ETOOBIG ? "file is over the size limit" : "out of memory");
        return err->code = rc;
    }
    heed__buf_addc(&b, '\0');
    *out = heed__buf_take(&b, n);
    if (!*out) {
        *out = malloc(1);
        if (!*out)
            return err->code = HEED_ENOMEM;
        (*out)[0] = 0;
        *n = 0;
        return HEED_OK;
    }
    (*n)--; /* not counting the NUL */
    return HEED_OK;
}

/* The heed_need TAB text format: one example per line, '#' comments. */
static int load_tsv(load_ctx *c, const char *s, size_t n)
{
    size_t line = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        const char *p = s + i;
        size_t len = end - i;
        line++;
        i = end + 1;
        const char *q = p;
        size_t ql = len;
        trim(&q, &ql);
        if (!ql || q[0] == '#')
            continue;
        const char *tab = memchr(p, '\t', len);
        if (!tab) {
            bad_row(c, line, "expected NEED<TAB>TEXT", NULL);
            continue;
        }
        int rc = take(c, line, tab + 1, (size_t)(p + len - tab - 1), p, (size_t)(tab - p));
        if (rc)
            return rc;
    }
    return HEED_OK;
}

static size_t count_lines(const char *s, size_t from, size_t to)
{
    size_t k = 0;
    for (const char *p = s + from; (p = memchr(p, '\n', (size_t)(s + to - p))); p++)
        k++;
    return k;
}

#define CSV_WANT_MAX 8

/* Called with the wanted fields of one good record, in the order asked;
 * returns HEED_OK, or HEED_ENOMEM to stop. */
typedef int (*csv_row_fn)(void *ctx, size_t line, const char **v, size_t *l);

/* Reads s[0..n) as CSV whose header row names at least the n_want (at most
 * CSV_WANT_MAX) columns `want`, and calls row for each record after it. A
 * malformed record or one with the wrong number of fields is reported to k and
 * skipped. Returns HEED_OK, HEED_ENOMEM, or HEED_EPARSE (no header, or one
 * without a wanted column) with err->msg. */
static int csv_table(const char *s, size_t n, const char *const *want, size_t n_want,
                     const row_sink *k, csv_row_fn row, void *ctx, heed_error *err)
{
    heed_buf fields;
    heed__buf_init(&fields, 0);
    size_t off[HEED_MAX_DS_FIELDS], len[HEED_MAX_DS_FIELDS];
    size_t n_header = 0, col[CSV_WANT_MAX];
    size_t line = 1, pos = 0;
    int rc = HEED_OK;
    while (pos < n) {
        heed_csv_scan st = {0};
        size_t e = pos + heed__csv_scan(&st, s + pos, n - pos);
        size_t rec_end = e;
        if (rec_end > pos && s[rec_end - 1] == '\r')
            rec_end--;
        size_t rec_line = line;
        line += count_lines(s, pos, e < n ? e + 1 : n);
        const char *rec = s + pos;
        size_t rec_len = rec_end - pos;
        pos = e < n ? e + 1 : n;
        if (rec_len == 0)
            continue; /* blank line */
        heed__buf_reset(&fields);
        size_t nf = 0;
        heed_error ferr;
        int src = heed__csv_split(rec, rec_len, &fields, off, len, HEED_MAX_DS_FIELDS, &nf,
                                  rec_line, &ferr);
        if (src == HEED_ENOMEM || fields.err) {
            rc = HEED_ENOMEM;
            snprintf(err->msg, sizeof err->msg, "%s: out of memory", k->name);
            break;
        }
        if (src) {
            report_bad(k, rec_line, "malformed CSV", ferr.msg);
            continue;
        }
        if (!n_header) {
            n_header = nf;
            char missing[128] = "";
            for (size_t w = 0; w < n_want; w++) {
                col[w] = SIZE_MAX;
                for (size_t j = 0; j < nf && j < HEED_MAX_DS_FIELDS; j++)
                    if (len[j] == strlen(want[w]) && !memcmp(fields.ptr + off[j], want[w], len[j]))
                        col[w] = j;
                if (col[w] == SIZE_MAX) {
                    size_t m = strlen(missing);
                    snprintf(missing + m, sizeof missing - m, "%s'%s'", m ? ", " : "", want[w]);
                }
            }
            if (missing[0]) {
                snprintf(err->msg, sizeof err->msg, "%s:%zu: the header has no %s column", k->name,
                         rec_line, missing);
                rc = HEED_EPARSE;
                break;
            }
            continue;
        }
        if (nf != n_header) {
            char d[64];
            snprintf(d, sizeof d, "%zu fields, the header has %zu", nf, n_header);
            report_bad(k, rec_line, "wrong number of fields", d);
            continue;
        }
        const char *v[CSV_WANT_MAX];
        size_t l[CSV_WANT_MAX];
        for (size_t w = 0; w < n_want; w++) {
            v[w] = fields.ptr + off[col[w]];
            l[w] = len[col[w]];
        }
        if ((rc = row(ctx, rec_line, v, l))) {
            snprintf(err->msg, sizeof err->msg, "%s: out of memory", k->name);
            break;
        }
    }
    if (rc == HEED_OK && !n_header) {
        snprintf(err->msg, sizeof err->msg, "%s: empty file (no CSV header)", k->name);
        rc = HEED_EPARSE;
    }
    heed__buf_release(&fields);
    return rc;
}

static int intent_row(void *ctx, size_t line, const char **v, size_t *l)
{
    return take(ctx, line, v[0], l[0], v[1], l[1]);
}

static int load_csv(load_ctx *c, const char *s, size_t n, heed_error *err)
{
    const char *const want[2] = {c->src == HEED_DS_BANKING77 ? "text" : "instruction",
                                 c->src == HEED_DS_BANKING77 ? "category" : "intent"};
    return csv_table(s, n, want, 2, &c->sink, intent_row, c, err);
}

int heed_datasets_load(heed_dataset *ds, heed_ds_source src, FILE *f, const char *name,
                       heed_ds_report_fn report, void *ctx, heed_error *err)
{
    heed_error dummy;
    if (!err)
        err = &dummy;
    err->code = HEED_OK;
    err->pos = 0;
    err->msg[0] = 0;
    if (!ds || !f || (unsigned)src >= HEED_DS_SOURCE_COUNT) {
        snprintf(err->msg, sizeof err->msg, "heed_datasets_load: invalid argument");
        return err->code = HEED_EINVAL;
    }
    if (!name)
        name = "-";
    char *s;
    size_t n;
    int rc = slurp(f, name, &s, &n, err);
    if (rc)
        return rc;
    load_ctx c = {ds, src, {name, report, ctx, &ds->n_bad}};
    if (src == HEED_DS_EXTRA) {
        rc = load_tsv(&c, s, n);
        if (rc)
            snprintf(err->msg, sizeof err->msg, "%s: out of memory", name);
    } else {
        rc = load_csv(&c, s, n, err);
    }
    free(s);
    err->code = rc;
    return rc;
}

/* ---------------------------------------------------------------- EPITOME */

const char *const heed_epitome_files[HEED_EMPATHY_COUNT] = {
    "emotional-reactions-reddit.csv",
    "interpretations-reddit.csv",
    "explorations-reddit.csv",
};

int heed_epitome_is_dev(const char *sp_id, size_t len)
{
    uint32_t h = fnv1a(2166136261u, "heed-dev-v1:epitome:", 20);
    h = fnv1a(h, sp_id, len);
    return h % 100u < HEED_EPITOME_DEV_PERCENT;
}

void heed_epitome_release(heed_epitome *ep)
{
    if (!ep)
        return;
    heed__buf_release(&ep->text);
    free(ep->rows);
    memset(ep, 0, sizeof(*ep));
}

enum { EP_SP, EP_RP, EP_SEEKER, EP_REPLY, EP_LEVEL, EP_RAT, EP_NCOLS };
static const char *const EP_COLS[EP_NCOLS] = {"sp_id",         "rp_id", "seeker_post",
                                              "response_post", "level", "rationales"};

typedef struct ep_ctx {
    heed_epitome *ep;
    int mech;
    row_sink sink;
} ep_ctx;

static void ep_bad(ep_ctx *c, size_t line, const char *what, const char *detail)
{
    report_bad(&c->sink, line, what, detail);
}

/* Appends s[0..n) and a NUL to the text buffer; returns its offset. */
static size_t ep_add(heed_epitome *ep, const char *s, size_t n)
{
    if (ep->text.len == 0)
        heed__buf_addc(&ep->text, '\0'); /* offset 0 stays "nothing" */
    size_t off = ep->text.len;
    heed__buf_add(&ep->text, s, n);
    heed__buf_addc(&ep->text, '\0');
    return off;
}

/* Checks one record's fields (v[k], l[k] in column order) and adds the row. */
static int ep_take(void *ctx, size_t line, const char **v, size_t *l)
{
    ep_ctx *c = ctx;
    int mech = c->mech;
    size_t bad;
    for (int k = 0; k < EP_NCOLS; k++) {
        trim(&v[k], &l[k]);
        if (heed_utf8_validate(v[k], l[k], &bad) != HEED_OK) {
            ep_bad(c, line, "invalid UTF-8 in", EP_COLS[k]);
            return HEED_OK;
        }
    }
    if (!l[EP_SP] || !l[EP_REPLY]) {
        ep_bad(c, line, "empty", l[EP_SP] ? "response_post" : "sp_id");
        return HEED_OK;
    }
    if (l[EP_LEVEL] != 1 || v[EP_LEVEL][0] < '0' || v[EP_LEVEL][0] > '2') {
        char d[40];
        snprintf(d, sizeof d, "'%.*s'", (int)(l[EP_LEVEL] < 20 ? l[EP_LEVEL] : 20), v[EP_LEVEL]);
        ep_bad(c, line, "level is not 0, 1 or 2", d);
        return HEED_OK;
    }
    heed_epitome *ep = c->ep;
    if (ep->n == ep->cap) {
        size_t cap = ep->cap ? ep->cap * 2 : 1024;
        heed_ep_row *r = realloc(ep->rows, cap * sizeof(*r));
        if (!r)
            return HEED_ENOMEM;
        ep->rows = r;
        ep->cap = cap;
    }
    heed_ep_row row = {0};
    row.sp_off = ep_add(ep, v[EP_SP], l[EP_SP]);
    row.sp_len = l[EP_SP];
    row.seeker_off = ep_add(ep, v[EP_SEEKER], l[EP_SEEKER]);
    row.seeker_len = l[EP_SEEKER];
    row.reply_off = ep_add(ep, v[EP_REPLY], l[EP_REPLY]);
    row.reply_len = l[EP_REPLY];
    row.rat_off = ep_add(ep, v[EP_RAT], l[EP_RAT]);
    row.rat_len = l[EP_RAT];
    if (ep->text.err)
        return HEED_ENOMEM;
    row.line = line;
    row.mech = (uint8_t)mech;
    row.level = (uint8_t)(v[EP_LEVEL][0] - '0');
    row.is_dev = (uint8_t)heed_epitome_is_dev(v[EP_SP], l[EP_SP]);
    ep->rows[ep->n++] = row;
    return HEED_OK;
}

int heed_epitome_load(heed_epitome *ep, int mech, FILE *f, const char *name,
                      heed_ds_report_fn report, void *ctx, heed_error *err)
{
    heed_error dummy;
    if (!err)
        err = &dummy;
    err->code = HEED_OK;
    err->pos = 0;
    err->msg[0] = 0;
    if (!ep || !f || mech < 0 || mech >= HEED_EMPATHY_COUNT) {
        snprintf(err->msg, sizeof err->msg, "heed_epitome_load: invalid argument");
        return err->code = HEED_EINVAL;
    }
    if (!name)
        name = "-";
    char *s;
    size_t n;
    int rc = slurp(f, name, &s, &n, err);
    if (rc)
        return rc;
    ep_ctx c = {ep, mech, {name, report, ctx, &ep->n_bad}};
    rc = csv_table(s, n, EP_COLS, EP_NCOLS, &c.sink, ep_take, &c, err);
    free(s);
    err->code = rc;
    return rc;
}
