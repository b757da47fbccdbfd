/* asks.c - explicit questions and requests as spans (asks.h). Works sentence
 * by sentence on the tokens' normalised forms (case-folded, ASCII apostrophes).
 *
 * A sentence is cut into clauses at , ; : - and at the conjunctions and, but,
 * so, also, or. Leading fillers of a clause ("hi", "ok", "so", "just", a
 * @mention) are skipped. Then, first match wins, one ask per sentence:
 *  1. A clause opening with a rhetorical phrase ("are you kidding", "what is
 *     wrong with you", a lone "really?") is skipped, and the sentence's "?" no
 *     longer counts for rule 4.
 *  2. A clause that opens an ask:
 *     - wh-question: where/when/what/why/how/which/who + "?" at the end, or
 *       followed by an auxiliary ("when will it arrive", "how do I reset"),
 *       or a wh-contraction ("where's my order");
 *     - inverted auxiliary + subject ("can you", "is it", "did the parcel"):
 *       a question; "can/could/would/will you|anyone" and "can/could/may I
 *       get|have" are requests;
 *     - want/need: (I|we) [adverbs] need|want|require|request|would like|'d
 *       like|would appreciate|wish to|am asking|am looking for, not negated
 *       ("I don't need") and not after if/when/unless/once; "want to say /
 *       thank / let you know" is not an ask;
 *     - imperative: a request verb (send, refund, cancel, tell, fix, ...)
 *       that is not followed by an auxiliary (which makes it a noun: "refund
 *       was never processed"); "please"/"kindly" opening the clause.
 *  3. Anywhere in a non-rhetorical clause: please/kindly/pls/plz (with some
 *     other word), "wondering if", "if you could/can/would", or the want/need
 *     frame; the ask starts at the clause.
 *  4. A sentence ending in "?" with no match: a question from its last clause.
 * The need of an ask: the strongest cue word of NEED_CUES inside its span. */
#include "asks.h"

#include <string.h>

typedef struct span_ctx {
    const char *text;
    const heed_token *t;
    size_t lo, hi; /* the sentence's tokens */
} span_ctx;

/* ---------------------------------------------------------------- word tests */

static int is_word(const heed_token *t, const char *w)
{
    size_t n = strlen(w);
    return t->norm_len == n && !memcmp(t->norm, w, n) &&
           (t->kind == HEED_TOK_WORD || t->kind == HEED_TOK_NUMBER);
}

/* A word of a list, with its length. */
typedef struct word {
    const char *s;
    size_t n;
} word;
#define W(lit)                                                                                     \
    {                                                                                              \
        lit, sizeof(lit) - 1                                                                       \
    }

/* Is t one of the list (ended by {NULL, 0})? */
static int in_list(const heed_token *t, const word *list)
{
    if (t->kind != HEED_TOK_WORD)
        return 0;
    for (; list->s; list++)
        if (t->norm_len == list->n && t->norm[0] == list->s[0] &&
            !memcmp(t->norm, list->s, list->n))
            return 1;
    return 0;
}

/* Length in tokens of the space-separated phrase p matched at toks[i..hi), or 0. */
static size_t match_phrase(const heed_token *toks, size_t i, size_t hi, const char *p)
{
    size_t n = 0;
    if (i >= hi || !toks[i].norm_len || toks[i].norm[0] != p[0])
        return 0; /* the usual case, decided without scanning p */
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t wl = sp ? (size_t)(sp - p) : strlen(p);
        if (i + n >= hi)
            return 0;
        const heed_token *t = &toks[i + n];
        if (t->norm_len != wl || memcmp(t->norm, p, wl))
            return 0;
        n++;
        p += wl;
        if (*p == ' ')
            p++;
    }
    return n;
}

static int is_punct_char(const heed_token *t, char c)
{
    return (t->kind == HEED_TOK_PUNCT || t->kind == HEED_TOK_SYMBOL) &&
           memchr(t->norm, c, t->norm_len) != NULL;
}

static const word FILLERS[] = {
    W("hi"),        W("hello"),    W("hey"),    W("dear"), W("ok"),    W("okay"), W("so"),
    W("and"),       W("but"),      W("also"),   W("well"), W("then"),  W("now"),  W("just"),
    W("um"),        W("btw"),      W("anyway"), W("yes"),  W("yeah"),  W("oh"),   W("honestly"),
    W("basically"), W("actually"), W("guys"),   W("team"), W("again"), {NULL, 0},
};

static const word CONJUNCTIONS[] = {W("and"), W("but"), W("so"), W("also"), W("or"), {NULL, 0}};

static const word WH[] = {W("where"), W("when"), W("what"), W("why"),   W("how"),
                          W("which"), W("who"),  W("whom"), W("whose"), {NULL, 0}};

static const word WH_CONTRACTED[] = {W("where's"), W("what's"), W("when's"), W("how's"), W("who's"),
                                     W("why's"),   W("wheres"), W("whats"),  W("hows"),  {NULL, 0}};

static const word AUX[] = {
    W("is"),     W("are"),       W("was"),     W("were"),    W("am"),       W("do"),
    W("does"),   W("did"),       W("will"),    W("would"),   W("can"),      W("could"),
    W("should"), W("shall"),     W("may"),     W("might"),   W("must"),     W("has"),
    W("have"),   W("had"),       W("can't"),   W("won't"),   W("couldn't"), W("wouldn't"),
    W("isn't"),  W("aren't"),    W("doesn't"), W("didn't"),  W("don't"),    W("haven't"),
    W("hasn't"), W("shouldn't"), W("wasn't"),  W("weren't"), W("cant"),     W("wont"),
    W("dont"),   W("doesnt"),    W("didnt"),   W("isnt"),    {NULL, 0},
};

static const word SUBJECTS[] = {
    W("you"),    W("u"),       W("ya"),       W("i"),       W("it"),       W("we"),
    W("they"),   W("he"),      W("she"),      W("this"),    W("that"),     W("these"),
    W("those"),  W("there"),   W("my"),       W("your"),    W("our"),      W("the"),
    W("anyone"), W("someone"), W("somebody"), W("anybody"), W("anything"), W("y'all"),
    W("ur"),     W("his"),     W("her"),      W("their"),   {NULL, 0},
};

static const word ASKEE[] = {W("you"),      W("u"),       W("ya"),    W("someone"), W("anyone"),
                             W("somebody"), W("anybody"), W("y'all"), {NULL, 0}};

static const word REQUEST_AUX[] = {W("can"), W("could"), W("would"), W("will"), {NULL, 0}};

static const word REQUEST_VERBS[] = {
    W("send"),     W("give"),        W("refund"),    W("cancel"),     W("tell"),
    W("fix"),      W("call"),        W("help"),      W("change"),     W("update"),
    W("reset"),    W("resend"),      W("reply"),     W("respond"),    W("email"),
    W("e-mail"),   W("text"),        W("let"),       W("check"),      W("contact"),
    W("explain"),  W("stop"),        W("remove"),    W("delete"),     W("close"),
    W("return"),   W("replace"),     W("process"),   W("issue"),      W("confirm"),
    W("provide"),  W("show"),        W("sort"),      W("get"),        W("put"),
    W("add"),      W("unsubscribe"), W("reverse"),   W("credit"),     W("reimburse"),
    W("escalate"), W("transfer"),    W("connect"),   W("book"),       W("arrange"),
    W("ship"),     W("deliver"),     W("activate"),  W("deactivate"), W("unlock"),
    W("unblock"),  W("verify"),      W("look"),      W("advise"),     W("forward"),
    W("waive"),    W("honour"),      W("honor"),     W("correct"),    W("investigate"),
    W("refund"),   W("ring"),        W("find"),      W("sign"),       W("switch"),
    W("upgrade"),  W("downgrade"),   W("terminate"), W("exchange"),   {NULL, 0},
};

/* After a request verb, these make it a noun or a statement ("refund was
 * never processed", "change of address"). */
static const word NOUN_MARKERS[] = {
    W("is"),      W("was"),   W("are"),   W("were"),  W("has"),     W("have"),   W("had"),
    W("will"),    W("would"), W("can"),   W("could"), W("should"),  W("did"),    W("does"),
    W("do"),      W("never"), W("still"), W("isn't"), W("wasn't"),  W("hasn't"), W("didn't"),
    W("doesn't"), W("of"),    W("been"),  W("being"), W("already"), W("'s"),     {NULL, 0},
};

static const word PARTICLES[] = {W("up"),  W("in"), W("out"),  W("back"),
                                 W("off"), W("on"), W("over"), {NULL, 0}};

static const word WANT_SUBJ[] = {W("i"), W("we"), {NULL, 0}};
static const word WANT_SUBJ_D[] = {W("i'd"), W("we'd"), {NULL, 0}};
static const word WANT_ADVERBS[] = {
    W("really"),     W("just"),       W("still"),       W("urgently"), W("also"),
    W("only"),       W("now"),        W("simply"),      W("actually"), W("honestly"),
    W("definitely"), W("absolutely"), W("desperately"), {NULL, 0}};
static const word WANT_VERBS[] = {W("need"),    W("want"),   W("require"),
                                  W("request"), W("demand"), {NULL, 0}};
static const word LIKE_VERBS[] = {W("like"), W("love"), W("appreciate"), {NULL, 0}};
static const word HYPOTHETICAL[] = {W("if"),   W("when"),   W("whenever"), W("unless"), W("once"),
                                    W("case"), W("should"), W("incase"),   {NULL, 0}};
/* "I want to say thanks": not an ask. */
static const word NOT_ASK_AFTER_TO[] = {W("say"),    W("thank"), W("share"), W("mention"),
                                        W("add"),    W("note"),  W("point"), W("express"),
                                        W("praise"), {NULL, 0}};

static const word PLEASE[] = {W("please"), W("kindly"), W("pls"), W("plz"), W("plez"), {NULL, 0}};

/* Rhetorical or sarcastic openings. Entries starting with '=' must be the whole
 * clause (apart from punctuation): "Really?", "What?!". */
static const char *const RHETORICAL[] = {
    "are you kidding",
    "are u kidding",
    "you kidding",
    "you're kidding",
    "are you serious",
    "are you joking",
    "you've got to be kidding",
    "you have got to be kidding",
    "is this a joke",
    "is this some kind of joke",
    "is this some sort of joke",
    "what is wrong with you",
    "what's wrong with you",
    "what the hell",
    "what the heck",
    "what the fuck",
    "wtf",
    "who does that",
    "how hard can it be",
    "how hard is it",
    "how difficult can it be",
    "how difficult is it",
    "how is this acceptable",
    "how is that acceptable",
    "how is this ok",
    "how is this okay",
    "how dare you",
    "why would i",
    "why should i",
    "why me",
    "why bother",
    "do you think i'm stupid",
    "do you think i am stupid",
    "do you even",
    "are you even",
    "can't you read",
    "can you not read",
    "who cares",
    "how many times do i have to",
    "how many times have i",
    "how many more times",
    "what is the point",
    "what's the point",
    "what a",
    "what kind of service",
    "what kind of company",
    "what kind of business",
    "how stupid",
    "how incompetent",
    "how pathetic",
    "how could you",
    "are you people",
    "what were you thinking",
    "are you out of your mind",
    "who thought",
    "do you people",
    "is anyone even",
    "=really",
    "=seriously",
    "=huh",
    "=what",
    "=excuse me",
    "=hello",
    "=wow",
    "=why not",
    "=ok",
    NULL,
};

/* Need cue words and phrases with a strength: the strongest cue in an ask
 * decides its need, the first one on ties. */
typedef struct need_cue {
    const char *phrase;
    uint8_t need;
    uint8_t strength;
} need_cue;

static const need_cue NEED_CUES[] = {
    /* refund: money back, returns and replacements */
    {"refund", HEED_NEED_REFUND, 2},
    {"refunded", HEED_NEED_REFUND, 2},
    {"refunds", HEED_NEED_REFUND, 2},
    {"reimburse", HEED_NEED_REFUND, 2},
    {"reimbursement", HEED_NEED_REFUND, 2},
    {"money back", HEED_NEED_REFUND, 3},
    {"return", HEED_NEED_REFUND, 2},
    {"returns", HEED_NEED_REFUND, 2},
    {"replacement", HEED_NEED_REFUND, 2},
    {"replace", HEED_NEED_REFUND, 2},
    {"compensation", HEED_NEED_REFUND, 2},
    /* delivery */
    {"delivery", HEED_NEED_DELIVERY, 2},
    {"deliver", HEED_NEED_DELIVERY, 2},
    {"delivered", HEED_NEED_DELIVERY, 2},
    {"arrive", HEED_NEED_DELIVERY, 2},
    {"arrived", HEED_NEED_DELIVERY, 2},
    {"arriving", HEED_NEED_DELIVERY, 2},
    {"parcel", HEED_NEED_DELIVERY, 2},
    {"package", HEED_NEED_DELIVERY, 2},
    {"shipping", HEED_NEED_DELIVERY, 2},
    {"shipment", HEED_NEED_DELIVERY, 2},
    {"shipped", HEED_NEED_DELIVERY, 2},
    {"ship", HEED_NEED_DELIVERY, 2},
    {"tracking", HEED_NEED_DELIVERY, 2},
    {"track", HEED_NEED_DELIVERY, 2},
    {"courier", HEED_NEED_DELIVERY, 2},
    {"dispatched", HEED_NEED_DELIVERY, 2},
    {"dispatch", HEED_NEED_DELIVERY, 2},
    {"order", HEED_NEED_DELIVERY, 1},
    {"label", HEED_NEED_DELIVERY, 1},
    /* billing */
    {"invoice", HEED_NEED_BILLING, 2},
    {"invoices", HEED_NEED_BILLING, 2},
    {"bill", HEED_NEED_BILLING, 2},
    {"billed", HEED_NEED_BILLING, 2},
    {"billing", HEED_NEED_BILLING, 2},
    {"charge", HEED_NEED_BILLING, 2},
    {"charged", HEED_NEED_BILLING, 2},
    {"charges", HEED_NEED_BILLING, 2},
    {"overcharged", HEED_NEED_BILLING, 2},
    {"payment", HEED_NEED_BILLING, 2},
    {"payments", HEED_NEED_BILLING, 2},
    {"pay", HEED_NEED_BILLING, 2},
    {"paid", HEED_NEED_BILLING, 2},
    {"fee", HEED_NEED_BILLING, 2},
    {"fees", HEED_NEED_BILLING, 2},
    {"receipt", HEED_NEED_BILLING, 2},
    {"statement", HEED_NEED_BILLING, 2},
    {"debit", HEED_NEED_BILLING, 2},
    /* account access */
    {"password", HEED_NEED_ACCOUNT, 3},
    {"login", HEED_NEED_ACCOUNT, 3},
    {"log in", HEED_NEED_ACCOUNT, 3},
    {"sign in", HEED_NEED_ACCOUNT, 3},
    {"locked", HEED_NEED_ACCOUNT, 2},
    {"username", HEED_NEED_ACCOUNT, 3},
    {"2fa", HEED_NEED_ACCOUNT, 3},
    {"verification code", HEED_NEED_ACCOUNT, 3},
    {"pin", HEED_NEED_ACCOUNT, 2},
    {"account", HEED_NEED_ACCOUNT, 1},
    {"reset", HEED_NEED_ACCOUNT, 1},
    /* cancellation */
    {"cancel", HEED_NEED_CANCELLATION, 2},
    {"cancelled", HEED_NEED_CANCELLATION, 2},
    {"canceled", HEED_NEED_CANCELLATION, 2},
    {"cancellation", HEED_NEED_CANCELLATION, 2},
    {"unsubscribe", HEED_NEED_CANCELLATION, 2},
    {"terminate", HEED_NEED_CANCELLATION, 2},
    {"close my account", HEED_NEED_CANCELLATION, 4},
    {"delete my account", HEED_NEED_CANCELLATION, 4},
    /* technical fault */
    {"broken", HEED_NEED_FAULT, 2},
    {"not working", HEED_NEED_FAULT, 2},
    {"doesn't work", HEED_NEED_FAULT, 2},
    {"does not work", HEED_NEED_FAULT, 2},
    {"isn't working", HEED_NEED_FAULT, 2},
    {"stopped working", HEED_NEED_FAULT, 2},
    {"error", HEED_NEED_FAULT, 2},
    {"crash", HEED_NEED_FAULT, 2},
    {"crashes", HEED_NEED_FAULT, 2},
    {"crashing", HEED_NEED_FAULT, 2},
    {"bug", HEED_NEED_FAULT, 2},
    {"fix", HEED_NEED_FAULT, 2},
    {"faulty", HEED_NEED_FAULT, 2},
    {"defective", HEED_NEED_FAULT, 2},
    {"damaged", HEED_NEED_FAULT, 2},
    {"glitch", HEED_NEED_FAULT, 2},
    {"outage", HEED_NEED_FAULT, 2},
    /* change or update */
    {"change", HEED_NEED_CHANGE, 2},
    {"update", HEED_NEED_CHANGE, 2},
    {"edit", HEED_NEED_CHANGE, 2},
    {"modify", HEED_NEED_CHANGE, 2},
    {"switch", HEED_NEED_CHANGE, 2},
    {"upgrade", HEED_NEED_CHANGE, 2},
    {"downgrade", HEED_NEED_CHANGE, 2},
    {"address", HEED_NEED_CHANGE, 1},
    /* product question */
    {"available", HEED_NEED_PRODUCT, 2},
    {"availability", HEED_NEED_PRODUCT, 2},
    {"in stock", HEED_NEED_PRODUCT, 2},
    {"stock", HEED_NEED_PRODUCT, 1},
    {"size", HEED_NEED_PRODUCT, 2},
    {"compatible", HEED_NEED_PRODUCT, 2},
    {"warranty", HEED_NEED_PRODUCT, 2},
    {"specs", HEED_NEED_PRODUCT, 2},
    {"feature", HEED_NEED_PRODUCT, 2},
    {"features", HEED_NEED_PRODUCT, 2},
    {"colour", HEED_NEED_PRODUCT, 2},
    {"color", HEED_NEED_PRODUCT, 2},
    {"how much", HEED_NEED_PRODUCT, 2},
    {"price", HEED_NEED_PRODUCT, 2},
    {"cost", HEED_NEED_PRODUCT, 2},
    /* complaint */
    {"complain", HEED_NEED_COMPLAINT, 2},
    {"complaint", HEED_NEED_COMPLAINT, 2},
    {"manager", HEED_NEED_COMPLAINT, 2},
    {"supervisor", HEED_NEED_COMPLAINT, 2},
    {"escalate", HEED_NEED_COMPLAINT, 2},
    /* a status question, not a change: "any update?" */
    {"any update", HEED_NEED_OTHER, 3},
    {"any updates", HEED_NEED_OTHER, 3},
    {"an update", HEED_NEED_OTHER, 3},
    /* praise */
    {"review", HEED_NEED_PRAISE, 1},
    {"feedback", HEED_NEED_PRAISE, 1},
};

/* ---------------------------------------------------------------- clauses */

/* Is toks[j] the first token of a clause other than the sentence's first? */
static int clause_break(const span_ctx *c, size_t j)
{
    if (j <= c->lo)
        return 0;
    const heed_token *p = &c->t[j - 1];
    if (is_punct_char(p, ',') || is_punct_char(p, ';') || is_punct_char(p, ':') ||
        (p->kind == HEED_TOK_PUNCT && p->norm_len == 1 && p->norm[0] == '-'))
        return 1;
    return in_list(&c->t[j], CONJUNCTIONS) && !in_list(p, CONJUNCTIONS);
}

static size_t clause_end(const span_ctx *c, size_t start)
{
    size_t j = start + 1;
    while (j < c->hi && !clause_break(c, j))
        j++;
    return j;
}

static size_t skip_fillers(const span_ctx *c, size_t i, size_t e)
{
    while (i < e && (in_list(&c->t[i], FILLERS) || c->t[i].kind == HEED_TOK_MENTION ||
                     c->t[i].kind == HEED_TOK_PUNCT || c->t[i].kind == HEED_TOK_EMOJI ||
                     c->t[i].kind == HEED_TOK_EMOTICON))
        i++;
    return i;
}

static int has_word(const span_ctx *c, size_t i, size_t e)
{
    for (; i < e; i++)
        if (c->t[i].kind == HEED_TOK_WORD)
            return 1;
    return 0;
}

static int is_rhetorical(const span_ctx *c, size_t p, size_t e)
{
    for (const char *const *r = RHETORICAL; *r; r++) {
        int whole = **r == '=';
        size_t n = match_phrase(c->t, p, e, *r + whole);
        if (!n)
            continue;
        if (!whole)
            return 1;
        /* The phrase must be all the words of the clause. */
        if (!has_word(c, p + n, e))
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- patterns */

/* The want/need frame at subject token s: returns 1 when it asks. */
static int want_frame(const span_ctx *c, size_t s, size_t e)
{
    const heed_token *t = c->t;
    if (s > c->lo && in_list(&t[s - 1], HYPOTHETICAL))
        return 0;
    size_t i = s + 1;
    int d = in_list(&t[s], WANT_SUBJ_D); /* "I'd" */
    if (!d && !in_list(&t[s], WANT_SUBJ))
        return 0;
    while (i < e && in_list(&t[i], WANT_ADVERBS))
        i++;
    if (i >= e)
        return 0;
    int ok = 0;
    if (d) {
        ok = in_list(&t[i], LIKE_VERBS);
    } else if (in_list(&t[i], WANT_VERBS)) {
        ok = 1;
    } else if (is_word(&t[i], "would") && i + 1 < e && in_list(&t[i + 1], LIKE_VERBS)) {
        i++;
        ok = 1;
    } else if (is_word(&t[i], "wish") && i + 1 < e && is_word(&t[i + 1], "to")) {
        ok = 1;
    } else if (is_word(&t[i], "am") && i + 1 < e &&
               (is_word(&t[i + 1], "asking") || is_word(&t[i + 1], "requesting") ||
                (is_word(&t[i + 1], "looking") && i + 2 < e && is_word(&t[i + 2], "for")))) {
        i++;
        ok = 1;
    }
    if (!ok || !has_word(c, i + 1, e)) /* "that is what I want." */
        return 0;
    /* "want to say thanks", "would like to thank you" */
    if (i + 2 < e && is_word(&t[i + 1], "to") &&
        (in_list(&t[i + 2], NOT_ASK_AFTER_TO) ||
         (is_word(&t[i + 2], "let") && i + 3 < e && is_word(&t[i + 3], "you"))))
        return 0;
    return 1;
}

/* "I'm asking", "I'm looking for" (one token "i'm"). */
static int im_frame(const span_ctx *c, size_t s, size_t e)
{
    const heed_token *t = c->t;
    if (!is_word(&t[s], "i'm") && !is_word(&t[s], "we're"))
        return 0;
    if (s > c->lo && in_list(&t[s - 1], HYPOTHETICAL))
        return 0;
    return s + 1 < e && (is_word(&t[s + 1], "asking") || is_word(&t[s + 1], "requesting") ||
                         (is_word(&t[s + 1], "looking") && s + 2 < e && is_word(&t[s + 2], "for")));
}

/* Clause-opening patterns at p (fillers skipped). Sets *what. */
static int opens_ask(const span_ctx *c, size_t p, size_t e, int qmark, int after_conj,
                     const char **what)
{
    const heed_token *t = c->t;
    if (in_list(&t[p], WH_CONTRACTED)) {
        *what = "question";
        return 1;
    }
    if (in_list(&t[p], WH)) {
        if (qmark || (p + 1 < e && in_list(&t[p + 1], AUX)) ||
            (is_word(&t[p], "how") && p + 1 < e &&
             (is_word(&t[p + 1], "much") || is_word(&t[p + 1], "long") ||
              is_word(&t[p + 1], "many")))) {
            *what = "question";
            return 1;
        }
        return 0;
    }
    if (in_list(&t[p], AUX) && p + 1 < e && in_list(&t[p + 1], SUBJECTS)) {
        *what = "question";
        if (in_list(&t[p], REQUEST_AUX) && in_list(&t[p + 1], ASKEE))
            *what = "request";
        if ((is_word(&t[p], "can") || is_word(&t[p], "could") || is_word(&t[p], "may")) &&
            (is_word(&t[p + 1], "i") || is_word(&t[p + 1], "we")) && p + 2 < e &&
            (is_word(&t[p + 2], "get") || is_word(&t[p + 2], "have") ||
             is_word(&t[p + 2], "receive") || is_word(&t[p + 2], "request")))
            *what = "request";
        return 1;
    }
    if (want_frame(c, p, e) || im_frame(c, p, e)) {
        *what = "request";
        return 1;
    }
    if (in_list(&t[p], PLEASE) && has_word(c, p + 1, e)) {
        *what = "request";
        return 1;
    }
    size_t q = p + 1; /* a particle may follow: "sign up", "look into" */
    if (q < e && in_list(&t[q], PARTICLES))
        q++;
    if (!after_conj && in_list(&t[p], REQUEST_VERBS) && !(q < e && in_list(&t[q], NOUN_MARKERS)) &&
        !(p + 1 < e && t[p + 1].kind == HEED_TOK_WORD && t[p + 1].norm_len > 2 &&
          !memcmp(t[p + 1].norm + t[p + 1].norm_len - 2, "ed", 2) && !is_word(&t[p + 1], "need"))) {
        *what = "request";
        return 1;
    }
    return 0;
}

/* Patterns anywhere in a clause. */
static int asks_inside(const span_ctx *c, size_t p, size_t e)
{
    const heed_token *t = c->t;
    for (size_t i = p; i < e; i++) {
        if (in_list(&t[i], PLEASE) && (has_word(c, p, i) || has_word(c, i + 1, e)))
            return 1;
        if ((is_word(&t[i], "wondering") || is_word(&t[i], "wonder")) && i + 1 < e &&
            (is_word(&t[i + 1], "if") || is_word(&t[i + 1], "whether")))
            return 1;
        if (is_word(&t[i], "if") && i + 2 < e && is_word(&t[i + 1], "you") &&
            (is_word(&t[i + 2], "could") || is_word(&t[i + 2], "can") ||
             is_word(&t[i + 2], "would")))
            return 1;
        if (want_frame(c, i, e) || im_frame(c, i, e))
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- spans */

static int need_of(const span_ctx *c, size_t from, size_t to)
{
    int best = HEED_NEED_OTHER, best_s = 0;
    for (size_t i = from; i < to; i++) {
        if (c->t[i].kind != HEED_TOK_WORD)
            continue;
        for (size_t k = 0; k < sizeof NEED_CUES / sizeof NEED_CUES[0]; k++) {
            const need_cue *q = &NEED_CUES[k];
            if (q->phrase[0] != c->t[i].norm[0] || q->strength <= best_s)
                continue;
            if (match_phrase(c->t, i, to, q->phrase)) {
                best = q->need;
                best_s = q->strength;
            }
        }
    }
    return best;
}

/* Fills *cue with the span from token p to the end of the sentence. */
static void make_cue(const span_ctx *c, size_t p, const char *what, heed_cue *cue)
{
    size_t end = c->hi;
    while (end > p + 1 &&
           (c->t[end - 1].kind == HEED_TOK_EMOJI || c->t[end - 1].kind == HEED_TOK_EMOTICON))
        end--;
    if (end > p + 1 && c->t[end - 1].kind == HEED_TOK_PUNCT && !is_punct_char(&c->t[end - 1], '?'))
        end--;
    while (end > p + 1 &&
           (c->t[end - 1].kind == HEED_TOK_EMOJI || c->t[end - 1].kind == HEED_TOK_EMOTICON))
        end--;
    const heed_token *last = &c->t[end - 1];
    cue->start = c->t[p].start;
    cue->len = last->start + last->len - c->t[p].start;
    cue->component = (uint16_t)need_of(c, p, end);
    cue->flags = 0;
    cue->weight = 1.0f;
    cue->what = what;
}

/* The ask of one sentence, if any. */
static int sentence_ask(const span_ctx *c, heed_cue *cue)
{
    int qmark = 0;
    for (size_t i = c->hi; i > c->lo; i--) {
        const heed_token *t = &c->t[i - 1];
        if (t->kind == HEED_TOK_EMOJI || t->kind == HEED_TOK_EMOTICON)
            continue;
        qmark = t->kind == HEED_TOK_PUNCT && is_punct_char(t, '?');
        break;
    }
    int rhetorical = 0;
    const char *what = NULL;
    for (size_t s = c->lo, e; s < c->hi; s = e) {
        e = clause_end(c, s);
        size_t p = skip_fillers(c, s, e);
        if (p >= e)
            continue;
        if (is_rhetorical(c, p, e)) {
            rhetorical = 1;
            continue;
        }
        /* A wh-word owns the sentence's "?" when it opens the sentence or the
         * last clause; an imperative does not open a clause after "and"
         * ("... for holding and exchange?"). */
        int conj = s > c->lo && in_list(&c->t[s], CONJUNCTIONS);
        if (opens_ask(c, p, e, qmark && (e == c->hi || s == c->lo), conj, &what)) {
            make_cue(c, p, what, cue);
            return 1;
        }
    }
    size_t last = c->hi;
    for (size_t s = c->lo, e; s < c->hi; s = e) {
        e = clause_end(c, s);
        size_t p = skip_fillers(c, s, e);
        if (p >= e || !has_word(c, p, e))
            continue;
        if (is_rhetorical(c, p, e))
            continue;
        last = p;
        if (asks_inside(c, p, e)) {
            make_cue(c, p, "request", cue);
            return 1;
        }
    }
    if (qmark && !rhetorical && last < c->hi) {
        make_cue(c, last, "question", cue);
        return 1;
    }
    return 0;
}

int heed__asks(heed_arena *a, const char *text, const heed_token *toks, size_t n_toks,
               const heed_sentence *sents, size_t n_sents, heed_cue **out, size_t *n_out)
{
    (void)n_toks;
    *out = NULL;
    *n_out = 0;
    if (!n_sents)
        return HEED_OK;
    heed_cue *cues = heed__arena_alloc(a, n_sents * sizeof(*cues));
    if (!cues)
        return HEED_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < n_sents; i++) {
        span_ctx c = {text, toks, sents[i].first_token, sents[i].first_token + sents[i].n_tokens};
        if (c.hi > c.lo && sentence_ask(&c, &cues[n]))
            n++;
    }
    *out = n ? cues : NULL;
    *n_out = n;
    return HEED_OK;
}
