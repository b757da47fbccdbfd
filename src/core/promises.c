/* promises.c - the promises in an agent's reply (heed__promises in
 * compassion.h): each commitment as data, with its kind, its object and its
 * time expression resolved to a due time (timexpr.h). Rules, per clause:
 *  1. The clause commits: "I'll", "we'll", "I will", "I'm going to", "let me",
 *     "will" ("an engineer will call"), "you'll receive|get|hear|see", "you
 *     should receive|get|hear|see", "is on its way", "I promise"; or it states a
 *     finished action ("I've", "we've", "has been") and the sentence holds a
 *     time expression ("I've issued a refund, it will reach you by Friday").
 *     A negated or hypothetical commitment ("I can't promise a refund", "if we
 *     could refund you we would") is no promise.
 *  2. The kind is that of the first kind word after the commitment (KINDS); a
 *     clause with none is no promise.
 *  3. The time: the first time expression in the clause, else in the rest of
 *     the sentence, else in its first clause. */
#include <string.h>

#include "compassion.h"
#include "timexpr.h"

#define is_w heed__reply_word

typedef struct kind_word {
    const char *pat; /* one or two words */
    int kind;
    int noun; /* 1: the word itself opens the object ("the refund of ...") */
} kind_word;

static const kind_word KINDS[] = {
    {"refund", HEED_PROMISE_REFUND, 1},
    {"refunds", HEED_PROMISE_REFUND, 1},
    {"refunded", HEED_PROMISE_REFUND, 0},
    {"reimburse", HEED_PROMISE_REFUND, 0},
    {"reimbursed", HEED_PROMISE_REFUND, 0},
    {"reimbursement", HEED_PROMISE_REFUND, 1},
    {"money back", HEED_PROMISE_REFUND, 1},
    {"credit", HEED_PROMISE_REFUND, 1},
    {"credited", HEED_PROMISE_REFUND, 0},
    {"compensation", HEED_PROMISE_REFUND, 1},
    {"call you", HEED_PROMISE_CALLBACK, 0},
    {"call back", HEED_PROMISE_CALLBACK, 0},
    {"callback", HEED_PROMISE_CALLBACK, 1},
    {"call-back", HEED_PROMISE_CALLBACK, 1},
    {"ring you", HEED_PROMISE_CALLBACK, 0},
    {"phone you", HEED_PROMISE_CALLBACK, 0},
    {"a call", HEED_PROMISE_CALLBACK, 1},
    {"a ring", HEED_PROMISE_CALLBACK, 1},
    {"replacement", HEED_PROMISE_REPLACEMENT, 1},
    {"replace", HEED_PROMISE_REPLACEMENT, 0},
    {"replaced", HEED_PROMISE_REPLACEMENT, 0},
    {"new one", HEED_PROMISE_REPLACEMENT, 1},
    {"new card", HEED_PROMISE_REPLACEMENT, 1},
    {"new device", HEED_PROMISE_REPLACEMENT, 1},
    {"new phone", HEED_PROMISE_REPLACEMENT, 1},
    {"new router", HEED_PROMISE_REPLACEMENT, 1},
    {"new unit", HEED_PROMISE_REPLACEMENT, 1},
    {"new pair", HEED_PROMISE_REPLACEMENT, 1},
    {"new sim", HEED_PROMISE_REPLACEMENT, 1},
    {"reship", HEED_PROMISE_REPLACEMENT, 0},
    {"reshipped", HEED_PROMISE_REPLACEMENT, 0},
    {"repair", HEED_PROMISE_REPAIR, 1},
    {"repaired", HEED_PROMISE_REPAIR, 0},
    {"fix", HEED_PROMISE_REPAIR, 0},
    {"engineer", HEED_PROMISE_REPAIR, 1},
    {"technician", HEED_PROMISE_REPAIR, 1},
    {"follow up", HEED_PROMISE_FOLLOW_UP, 0},
    {"get back", HEED_PROMISE_FOLLOW_UP, 0},
    {"come back", HEED_PROMISE_FOLLOW_UP, 0},
    {"update you", HEED_PROMISE_FOLLOW_UP, 0},
    {"an update", HEED_PROMISE_FOLLOW_UP, 1},
    {"keep you", HEED_PROMISE_FOLLOW_UP, 0},
    {"be in", HEED_PROMISE_FOLLOW_UP, 0},
    {"let you", HEED_PROMISE_FOLLOW_UP, 0},
    {"check back", HEED_PROMISE_FOLLOW_UP, 0},
    {"contact you", HEED_PROMISE_FOLLOW_UP, 0},
    {"reach out", HEED_PROMISE_FOLLOW_UP, 0},
    {"hear from", HEED_PROMISE_FOLLOW_UP, 0},
    {"hear back", HEED_PROMISE_FOLLOW_UP, 0},
    {"link", HEED_PROMISE_INFORMATION, 1},
    {"tracking", HEED_PROMISE_INFORMATION, 1},
    {"label", HEED_PROMISE_INFORMATION, 1},
    {"invoice", HEED_PROMISE_INFORMATION, 1},
    {"receipt", HEED_PROMISE_INFORMATION, 1},
    {"details", HEED_PROMISE_INFORMATION, 1},
    {"confirmation", HEED_PROMISE_INFORMATION, 1},
    {"instructions", HEED_PROMISE_INFORMATION, 1},
    {"information", HEED_PROMISE_INFORMATION, 1},
    {"statement", HEED_PROMISE_INFORMATION, 1},
    {"quote", HEED_PROMISE_INFORMATION, 1},
    {"code", HEED_PROMISE_INFORMATION, 1},
    {"email", HEED_PROMISE_INFORMATION, 1},
    {"e-mail", HEED_PROMISE_INFORMATION, 1},
    {"a text", HEED_PROMISE_INFORMATION, 1},
    {"send you", HEED_PROMISE_INFORMATION, 0},
};

/* Length in tokens of the one- or two-word pattern at toks[i], or 0. */
static size_t kind_at(const heed_token *toks, size_t i, size_t hi, const char *pat)
{
    if (toks[i].norm_len == 0 || toks[i].norm[0] != pat[0])
        return 0; /* most tokens against most patterns: no scan of the pattern */
    const char *sp = strchr(pat, ' ');
    size_t l1 = sp ? (size_t)(sp - pat) : strlen(pat);
    if (toks[i].norm_len != l1 || memcmp(toks[i].norm, pat, l1))
        return 0;
    if (!sp)
        return 1;
    return i + 1 < hi && is_w(&toks[i + 1], sp + 1) ? 2 : 0;
}

/* A commitment at toks[i] in the clause [cs, ce): its length, or 0. *done is
 * set for a finished action (which needs a time to be a promise). */
/* Is toks[i + 1] (before ce) one of the words of list? */
static int next_is(const heed_token *toks, size_t i, size_t ce, const char *const *list)
{
    if (i + 1 >= ce)
        return 0;
    for (; *list; list++)
        if (is_w(&toks[i + 1], *list))
            return 1;
    return 0;
}

/* Do toks[i + 1..] (before ce) read "going to"? */
static int going_to(const heed_token *toks, size_t i, size_t ce)
{
    return i + 2 < ce && is_w(&toks[i + 1], "going") && is_w(&toks[i + 2], "to");
}

/* Tokens of the commitment opening at toks[i] (clause end ce), or 0; *done
 * is set for a finished action ("I've", "has been"). Each word is one case of
 * the switch on its first byte at most. */
static size_t commit_at(const heed_token *toks, size_t i, size_t ce, int *done)
{
    static const char *const YOU_NEED[] = {"you", "need", NULL};
    static const char *const RECEIVE[] = {"receive", "get",   "hear", "see", "have",
                                          "arrive",  "reach", "be",   NULL};
    static const char *const ITS_THE[] = {"its", "the", NULL};
    static const char *const BEEN[] = {"been", NULL};
    static const char *const ME[] = {"me", NULL};
    const heed_token *t = &toks[i];
    *done = 0;
    if (!t->norm_len)
        return 0;
    switch (t->norm[0]) {
    case 'i':
        if (is_w(t, "i'll") || is_w(t, "it'll"))
            return 1;
        if (is_w(t, "i'm"))
            return going_to(toks, i, ce) ? 3 : 0;
        if (is_w(t, "i've"))
            return *done = 1, 1;
        return 0;
    case 'w':
        if (is_w(t, "we'll"))
            return 1;
        if (is_w(t, "will"))
            return !next_is(toks, i, ce, YOU_NEED);
        if (is_w(t, "we're"))
            return going_to(toks, i, ce) ? 3 : 0;
        if (is_w(t, "we've"))
            return *done = 1, 1;
        return 0;
    case 't':
        return is_w(t, "they'll");
    case 's':
        if (is_w(t, "shall"))
            return 1;
        return is_w(t, "should") && next_is(toks, i, ce, RECEIVE);
    case 'p':
        return is_w(t, "promise");
    case 'g':
        return is_w(t, "guarantee");
    case 'l':
        return is_w(t, "let") && next_is(toks, i, ce, ME) ? 2 : 0;
    case 'y':
        return is_w(t, "you'll") && next_is(toks, i, ce, RECEIVE);
    case 'o':
        return is_w(t, "on") && next_is(toks, i, ce, ITS_THE) && i + 2 < ce &&
                       is_w(&toks[i + 2], "way")
                   ? 3
                   : 0;
    case 'h':
        if ((is_w(t, "has") || is_w(t, "have")) && next_is(toks, i, ce, BEEN))
            return *done = 1, 1;
        return 0;
    default:
        return 0;
    }
}

/* For tests: commit_at. */
size_t heed__promises_commit_at(const heed_token *toks, size_t i, size_t ce, int *done);
size_t heed__promises_commit_at(const heed_token *toks, size_t i, size_t ce, int *done)
{
    return commit_at(toks, i, ce, done);
}

static const char *const OBJ_STOP[] = {
    "to",   "by",      "within", "in",       "on",   "before", "until", "as",   "so",
    "once", "when",    "today",  "tomorrow", "and",  "which",  "that",  "for",  "at",
    "over", "shortly", "soon",   "asap",     "if",   "this",   "next",  "from", "with",
    "via",  "while",   "via",    "is",       "will", "should", "has",   "have", NULL};

static int in_list(const heed_token *t, const char *const *l)
{
    for (; *l; l++)
        if (is_w(t, *l))
            return 1;
    return 0;
}

/* Object span of a kind word at toks[k] (n tokens) in [cs, ce). */
static void object_of(const heed_token *toks, size_t k, size_t n, int noun, size_t cs, size_t ce,
                      const heed_timebase *tb, heed_promise *p)
{
    size_t a = k, b = k + n;
    if (noun) {
        while (a > cs && a + 3 > k &&
               (is_w(&toks[a - 1], "a") || is_w(&toks[a - 1], "an") || is_w(&toks[a - 1], "the") ||
                is_w(&toks[a - 1], "your") || is_w(&toks[a - 1], "full") ||
                is_w(&toks[a - 1], "partial") || is_w(&toks[a - 1], "new") ||
                toks[a - 1].kind == HEED_TOK_MONEY))
            a--;
        if (b < ce && (is_w(&toks[b], "of") || is_w(&toks[b], "for")) && b + 1 < ce &&
            (toks[b + 1].kind == HEED_TOK_MONEY || toks[b + 1].kind == HEED_TOK_ID ||
             is_w(&toks[b + 1], "your") || is_w(&toks[b + 1], "the"))) {
            size_t e = b + 1;
            while (e < ce && e < b + 5 && toks[e].kind != HEED_TOK_PUNCT &&
                   !in_list(&toks[e], OBJ_STOP)) {
                heed_timexpr te;
                if (heed__timexpr_at(toks, e, ce, tb, &te))
                    break;
                e++;
            }
            b = e;
        }
    } else {
        size_t s = b;
        while (s < ce && (is_w(&toks[s], "you") || is_w(&toks[s], "back") || is_w(&toks[s], "up")))
            s++;
        size_t e = s;
        while (e < ce && e < s + 6 && toks[e].kind != HEED_TOK_PUNCT &&
               !in_list(&toks[e], OBJ_STOP)) {
            heed_timexpr te;
            if (heed__timexpr_at(toks, e, ce, tb, &te))
                break;
            e++;
        }
        if (e == s) {
            a = k;
            b = k + n;
        } else {
            a = s;
            b = e;
        }
    }
    p->object_start = toks[a].start;
    p->object_len = toks[b - 1].start + toks[b - 1].len - toks[a].start;
}

/* The first time expression in [lo, hi), or 0. */
static size_t find_time(const heed_token *toks, size_t lo, size_t hi, const heed_timebase *tb,
                        heed_timexpr *te)
{
    for (size_t i = lo; i < hi; i++)
        if (heed__timexpr_at(toks, i, hi, tb, te))
            return 1;
    return 0;
}

int heed__promises(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                   const heed_analyze_opts *opts)
{
    return heed__promises_ends(x, a, r, opts, NULL);
}

/* The end of the clause that starts at cs within [cs, hi): from ends (the
 * compassion stage's, set at every clause start) when given. Past the last
 * token of a sentence there is no entry, and none is needed: the end is hi. */
static size_t clause_end(const size_t *ends, const heed_token *toks, size_t cs, size_t hi)
{
    return ends && cs < hi ? ends[cs] : heed__reply_clause_end(toks, cs, hi);
}

int heed__promises_ends(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                        const heed_analyze_opts *opts, const size_t *ends)
{
    (void)x;
    const heed_token *toks = r->tokens;
    heed_timebase tb = {0, 0, 0};
    if (opts && opts->has_time) {
        tb.has_time = 1;
        tb.time = opts->time;
        tb.tz_offset_min = opts->tz_offset_min;
    }
    size_t cap = r->n_tokens / 2 + 1, n = 0;
    heed_promise *items = heed__arena_calloc(a, cap, sizeof *items);
    if (!items)
        return HEED_ENOMEM;
    for (size_t s = 0; s < r->n_sentences && n < cap; s++) {
        size_t lo = r->sentences[s].first_token, hi = lo + r->sentences[s].n_tokens;
        size_t first_ce = clause_end(ends, toks, lo, hi);
        size_t sent_first = n;             /* the promises of this sentence start here */
        int carried = 0, carried_done = 0; /* a commitment "and" carries on */
        for (size_t cs = lo, ce; cs < hi && n < cap; cs = ce) {
            ce = clause_end(ends, toks, cs, hi);
            size_t m = 0, mlen = 0;
            int done = 0;
            for (m = cs; m < ce; m++)
                if ((mlen = commit_at(toks, m, ce, &done)))
                    break;
            if (!mlen && carried && (is_w(&toks[cs], "and") || is_w(&toks[cs], "then"))) {
                m = cs; /* "I'll call the depot and ring you back today" */
                mlen = 1;
                done = carried_done;
            }
            carried = 0;
            if (!mlen || heed__reply_suppressed(toks, cs, m))
                continue;
            carried = 1;
            carried_done = done;
            /* the first kind word of the clause */
            const kind_word *kw = NULL;
            size_t k, kn = 0;
            for (k = cs; k < ce && !kw; k++)
                for (size_t j = 0; j < sizeof KINDS / sizeof KINDS[0]; j++)
                    if ((kn = kind_at(toks, k, ce, KINDS[j].pat))) {
                        kw = &KINDS[j];
                        break;
                    }
            if (!kw)
                continue;
            k--;
            if (heed__reply_suppressed(toks, cs, k))
                continue;
            heed_timexpr te;
            int has_te = find_time(toks, cs, ce, &tb, &te) || find_time(toks, ce, hi, &tb, &te) ||
                         (cs > lo && find_time(toks, lo, first_ce, &tb, &te));
            if (!has_te && s + 1 < r->n_sentences) {
                /* "I've refunded the charge. You'll see it within 3 days." */
                size_t lo2 = r->sentences[s + 1].first_token;
                size_t hi2 = lo2 + r->sentences[s + 1].n_tokens;
                size_t ce2 = clause_end(ends, toks, lo2, hi2);
                int d2;
                int refers = 0;
                for (size_t j = lo2; j < ce2; j++)
                    refers |=
                        is_w(&toks[j], "it") || is_w(&toks[j], "this") || is_w(&toks[j], "them");
                size_t j;
                for (j = lo2; j < ce2 && !commit_at(toks, j, ce2, &d2); j++)
                    ;
                if (refers && j < ce2)
                    has_te = find_time(toks, lo2, ce2, &tb, &te);
            }
            if (done && !has_te && kw->kind != HEED_PROMISE_REFUND &&
                kw->kind != HEED_PROMISE_REPLACEMENT && kw->kind != HEED_PROMISE_REPAIR &&
                kw->kind != HEED_PROMISE_CALLBACK)
                continue;
            /* one promise per kind and sentence: a later clause only adds the
             * time ("I've booked a call, who will call you at 3pm") */
            heed_promise *same = NULL;
            for (size_t j = sent_first; j < n; j++)
                if (items[j].kind == kw->kind)
                    same = &items[j];
            if (same) {
                if (has_te && !same->due_len) {
                    const heed_token *t0 = &toks[te.first], *t1 = &toks[te.first + te.n - 1];
                    same->due_start = t0->start;
                    same->due_len = t1->start + t1->len - t0->start;
                    same->has_due = te.has_due;
                    same->due = te.due;
                }
                continue;
            }
            heed_promise *p = &items[n++];
            p->start = toks[cs].start;
            p->len = toks[ce - 1].start + toks[ce - 1].len - toks[cs].start;
            size_t pe = ce;
            while (pe - 1 > cs && toks[pe - 1].kind == HEED_TOK_PUNCT) {
                pe--;
                p->len = toks[pe - 1].start + toks[pe - 1].len - toks[cs].start;
            }
            p->kind = kw->kind;
            object_of(toks, k, kn, kw->noun, cs, ce, &tb, p);
            if (has_te) {
                const heed_token *t0 = &toks[te.first], *t1 = &toks[te.first + te.n - 1];
                p->due_start = t0->start;
                p->due_len = t1->start + t1->len - t0->start;
                p->has_due = te.has_due;
                p->due = te.due;
            }
        }
    }
    r->promises.available = 1;
    r->promises.items = n ? items : NULL;
    r->promises.n = n;
    return HEED_OK;
}
