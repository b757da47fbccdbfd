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

#include "alloc.h"
#include "freqwords.h"
#include "hash.h"

typedef struct span_ctx {
    const heed_asks_index *ix;
    const heed_token *t;
    /* per token: its word classes (below, 0 if none) in the low 32 bits,
     * and 1 + its entry in ix->words (0 if none) from bit PLACE_SHIFT */
    const uint64_t *cls;
    size_t lo, hi;        /* the sentence's tokens */
    int plain;            /* 1: heed__asks_plain (words and phrases by their bytes,
                           * cls holds only word classes and BREAK_BEFORE);
                           * 0: heed__asks_words (by ids, cls holds the T_ bits) */
    uint32_t sm;          /* when not plain: the OR of the sentence's cls */
} span_ctx;

/* ---------------------------------------------------------------- word tests */

static int is_word(const heed_token *t, const char *w)
{
    size_t n = strlen(w);
    return t->norm_len == n && !memcmp(t->norm, w, n) &&
           (t->kind == HEED_TOK_WORD || t->kind == HEED_TOK_NUMBER);
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

/* Word classes: each word of WORDS carries the classes it belongs to. */
enum {
    FILLERS = 1u << 0,           /* skipped at the start of a clause */
    CONJUNCTIONS = 1u << 1,      /* start a new clause */
    WH = 1u << 2,                /* open a wh-question */
    WH_CONTRACTED = 1u << 3,     /* wh-word + 's: a question on its own */
    AUX = 1u << 4,               /* auxiliaries (an inverted one opens a question) */
    SUBJECTS = 1u << 5,          /* what may follow an inverted auxiliary */
    ASKEE = 1u << 6,             /* "can you|anyone ...": a request */
    REQUEST_AUX = 1u << 7,       /* can could would will */
    REQUEST_VERBS = 1u << 8,     /* imperatives that ask for something */
    NOUN_MARKERS = 1u << 9,      /* after a request verb: it is a noun ("refund was never") */
    PARTICLES = 1u << 10,        /* may follow a request verb ("sign up") */
    WANT_SUBJ = 1u << 11,        /* I, we */
    WANT_SUBJ_D = 1u << 12,      /* I'd, we'd */
    WANT_ADVERBS = 1u << 13,     /* may stand between subject and want verb */
    WANT_VERBS = 1u << 14,       /* need, want, ... */
    LIKE_VERBS = 1u << 15,       /* after would / 'd */
    HYPOTHETICAL = 1u << 16,     /* before the subject: no ask ("if I need") */
    NOT_ASK_AFTER_TO = 1u << 17, /* "want to say thanks": no ask */
    PLEASE = 1u << 18,           /* please, kindly, ... */
    RHETORICAL_FIRST = 1u << 19, /* first words of the RHETORICAL phrases */
    IM = 1u << 20,               /* i'm, we're: "I'm asking", "we're looking for" */
    WONDER = 1u << 21,           /* wonder, wondering: "wondering if" */
    /* (FRAME2 below) */
    /* Set per token by heed__asks_words (never in WORDS), from its kind and
     * word: */
    T_SKIP = 1u << 22,    /* skip_fillers passes it: a FILLERS word, mention, punct, emoji, emoticon */
    T_WORD = 1u << 23,    /* a HEED_TOK_WORD */
    T_WORDNUM = 1u << 24, /* a HEED_TOK_WORD or HEED_TOK_NUMBER (what is_word accepts) */
    T_EMO = 1u << 25,     /* an emoji or emoticon */
    T_PUNCT = 1u << 26,   /* a HEED_TOK_PUNCT */
    T_QPUNCT = 1u << 27,  /* a HEED_TOK_PUNCT holding a '?' */
    T_NUMWORD = 1u << 28, /* a number whose norm is a word of the index (is_word could see it) */
    T_CUE = 1u << 29,     /* a word that starts NEED_CUES */
    T_BRK_AFTER = 1u << 30, /* a punct or symbol holding , ; or : or a punct "-": a clause ends */
    FRAME2 = 1u << 31,      /* wish, asking, requesting, looking: a want/need frame's verb */
};
/* Set per token by heed__asks_plain, not in WORDS: clause_break's test on
 * the whole token array. */
#define BREAK_BEFORE ((uint64_t)1 << 32)
/* A token's cls holds its place in the index from this bit on. */
#define PLACE_SHIFT 40

/* The classes one of which a clause's first word (after fillers) needs for
 * opens_ask to match, and those of which asks_inside needs a token in the
 * clause (T_NUMWORD: a number that is_word might take for "if" or "wonder"). */
#define OPENERS                                                                                    \
    (WH | WH_CONTRACTED | AUX | WANT_SUBJ | WANT_SUBJ_D | IM | PLEASE | REQUEST_VERBS)
#define INSIDE (PLEASE | WONDER | HYPOTHETICAL | WANT_SUBJ | WANT_SUBJ_D | IM | T_NUMWORD)

/* Can asks_inside match in a clause whose tokens' cls OR to m? Each of its
 * patterns needs: please; wonder(ing); "if you could|can|would"; a subject
 * and the verb of a want/need frame (a want verb, like after would/'d,
 * wish, or asking/requesting/looking for "am", "i'm"); T_NUMWORD: a number
 * is_word might take for any of those words. */
static inline int inside_possible(uint64_t m)
{
    return (m & (PLEASE | WONDER | T_NUMWORD)) ||
           ((m & HYPOTHETICAL) && (m & REQUEST_AUX) && (m & ASKEE)) ||
           ((m & (WANT_SUBJ | WANT_SUBJ_D | IM)) && (m & (WANT_VERBS | LIKE_VERBS | FRAME2)));
}

typedef struct word {
    const char *s;
    uint8_t n;
    uint32_t cls;
} word;
#define W(lit, cls)                                                                                \
    {                                                                                              \
        lit, sizeof(lit) - 1, cls                                                                  \
    }

/* Every word the patterns test, sorted bytewise (binary search; the asks
 * test checks the order), with its classes. */
static const word WORDS[] = {
    W("'s", NOUN_MARKERS),
    W("absolutely", WANT_ADVERBS),
    W("activate", REQUEST_VERBS),
    W("actually", FILLERS | WANT_ADVERBS),
    W("add", REQUEST_VERBS | NOT_ASK_AFTER_TO),
    W("advise", REQUEST_VERBS),
    W("again", FILLERS),
    W("already", NOUN_MARKERS),
    W("also", FILLERS | CONJUNCTIONS | WANT_ADVERBS),
    W("am", AUX),
    W("and", FILLERS | CONJUNCTIONS),
    W("anybody", SUBJECTS | ASKEE),
    W("anyone", SUBJECTS | ASKEE),
    W("anything", SUBJECTS),
    W("anyway", FILLERS),
    W("appreciate", LIKE_VERBS),
    W("are", AUX | NOUN_MARKERS | RHETORICAL_FIRST),
    W("aren't", AUX),
    W("arrange", REQUEST_VERBS),
    W("asking", FRAME2),
    W("back", PARTICLES),
    W("basically", FILLERS),
    W("been", NOUN_MARKERS),
    W("being", NOUN_MARKERS),
    W("book", REQUEST_VERBS),
    W("btw", FILLERS),
    W("but", FILLERS | CONJUNCTIONS),
    W("call", REQUEST_VERBS),
    W("can", AUX | REQUEST_AUX | NOUN_MARKERS | RHETORICAL_FIRST),
    W("can't", AUX | RHETORICAL_FIRST),
    W("cancel", REQUEST_VERBS),
    W("cant", AUX),
    W("case", HYPOTHETICAL),
    W("change", REQUEST_VERBS),
    W("check", REQUEST_VERBS),
    W("close", REQUEST_VERBS),
    W("confirm", REQUEST_VERBS),
    W("connect", REQUEST_VERBS),
    W("contact", REQUEST_VERBS),
    W("correct", REQUEST_VERBS),
    W("could", AUX | REQUEST_AUX | NOUN_MARKERS),
    W("couldn't", AUX),
    W("credit", REQUEST_VERBS),
    W("deactivate", REQUEST_VERBS),
    W("dear", FILLERS),
    W("definitely", WANT_ADVERBS),
    W("delete", REQUEST_VERBS),
    W("deliver", REQUEST_VERBS),
    W("demand", WANT_VERBS),
    W("desperately", WANT_ADVERBS),
    W("did", AUX | NOUN_MARKERS),
    W("didn't", AUX | NOUN_MARKERS),
    W("didnt", AUX),
    W("do", AUX | NOUN_MARKERS | RHETORICAL_FIRST),
    W("does", AUX | NOUN_MARKERS),
    W("doesn't", AUX | NOUN_MARKERS),
    W("doesnt", AUX),
    W("don't", AUX),
    W("dont", AUX),
    W("downgrade", REQUEST_VERBS),
    W("e-mail", REQUEST_VERBS),
    W("email", REQUEST_VERBS),
    W("escalate", REQUEST_VERBS),
    W("exchange", REQUEST_VERBS),
    W("excuse", RHETORICAL_FIRST),
    W("explain", REQUEST_VERBS),
    W("express", NOT_ASK_AFTER_TO),
    W("find", REQUEST_VERBS),
    W("fix", REQUEST_VERBS),
    W("forward", REQUEST_VERBS),
    W("get", REQUEST_VERBS),
    W("give", REQUEST_VERBS),
    W("guys", FILLERS),
    W("had", AUX | NOUN_MARKERS),
    W("has", AUX | NOUN_MARKERS),
    W("hasn't", AUX | NOUN_MARKERS),
    W("have", AUX | NOUN_MARKERS),
    W("haven't", AUX),
    W("he", SUBJECTS),
    W("hello", FILLERS | RHETORICAL_FIRST),
    W("help", REQUEST_VERBS),
    W("her", SUBJECTS),
    W("hey", FILLERS),
    W("hi", FILLERS),
    W("his", SUBJECTS),
    W("honestly", FILLERS | WANT_ADVERBS),
    W("honor", REQUEST_VERBS),
    W("honour", REQUEST_VERBS),
    W("how", WH | RHETORICAL_FIRST),
    W("how's", WH_CONTRACTED),
    W("hows", WH_CONTRACTED),
    W("huh", RHETORICAL_FIRST),
    W("i", SUBJECTS | WANT_SUBJ),
    W("i'd", WANT_SUBJ_D),
    W("i'm", IM),
    W("if", HYPOTHETICAL),
    W("in", PARTICLES),
    W("incase", HYPOTHETICAL),
    W("investigate", REQUEST_VERBS),
    W("is", AUX | NOUN_MARKERS | RHETORICAL_FIRST),
    W("isn't", AUX | NOUN_MARKERS),
    W("isnt", AUX),
    W("issue", REQUEST_VERBS),
    W("it", SUBJECTS),
    W("just", FILLERS | WANT_ADVERBS),
    W("kindly", PLEASE),
    W("let", REQUEST_VERBS),
    W("like", LIKE_VERBS),
    W("look", REQUEST_VERBS),
    W("looking", FRAME2),
    W("love", LIKE_VERBS),
    W("may", AUX),
    W("mention", NOT_ASK_AFTER_TO),
    W("might", AUX),
    W("must", AUX),
    W("my", SUBJECTS),
    W("need", WANT_VERBS),
    W("never", NOUN_MARKERS),
    W("note", NOT_ASK_AFTER_TO),
    W("now", FILLERS | WANT_ADVERBS),
    W("of", NOUN_MARKERS),
    W("off", PARTICLES),
    W("oh", FILLERS),
    W("ok", FILLERS | RHETORICAL_FIRST),
    W("okay", FILLERS),
    W("on", PARTICLES),
    W("once", HYPOTHETICAL),
    W("only", WANT_ADVERBS),
    W("or", CONJUNCTIONS),
    W("our", SUBJECTS),
    W("out", PARTICLES),
    W("over", PARTICLES),
    W("please", PLEASE),
    W("plez", PLEASE),
    W("pls", PLEASE),
    W("plz", PLEASE),
    W("point", NOT_ASK_AFTER_TO),
    W("praise", NOT_ASK_AFTER_TO),
    W("process", REQUEST_VERBS),
    W("provide", REQUEST_VERBS),
    W("put", REQUEST_VERBS),
    W("really", WANT_ADVERBS | RHETORICAL_FIRST),
    W("refund", REQUEST_VERBS | REQUEST_VERBS),
    W("reimburse", REQUEST_VERBS),
    W("remove", REQUEST_VERBS),
    W("replace", REQUEST_VERBS),
    W("reply", REQUEST_VERBS),
    W("request", WANT_VERBS),
    W("requesting", FRAME2),
    W("require", WANT_VERBS),
    W("resend", REQUEST_VERBS),
    W("reset", REQUEST_VERBS),
    W("respond", REQUEST_VERBS),
    W("return", REQUEST_VERBS),
    W("reverse", REQUEST_VERBS),
    W("ring", REQUEST_VERBS),
    W("say", NOT_ASK_AFTER_TO),
    W("send", REQUEST_VERBS),
    W("seriously", RHETORICAL_FIRST),
    W("shall", AUX),
    W("share", NOT_ASK_AFTER_TO),
    W("she", SUBJECTS),
    W("ship", REQUEST_VERBS),
    W("should", AUX | NOUN_MARKERS | HYPOTHETICAL),
    W("shouldn't", AUX),
    W("show", REQUEST_VERBS),
    W("sign", REQUEST_VERBS),
    W("simply", WANT_ADVERBS),
    W("so", FILLERS | CONJUNCTIONS),
    W("somebody", SUBJECTS | ASKEE),
    W("someone", SUBJECTS | ASKEE),
    W("sort", REQUEST_VERBS),
    W("still", NOUN_MARKERS | WANT_ADVERBS),
    W("stop", REQUEST_VERBS),
    W("switch", REQUEST_VERBS),
    W("team", FILLERS),
    W("tell", REQUEST_VERBS),
    W("terminate", REQUEST_VERBS),
    W("text", REQUEST_VERBS),
    W("thank", NOT_ASK_AFTER_TO),
    W("that", SUBJECTS),
    W("the", SUBJECTS),
    W("their", SUBJECTS),
    W("then", FILLERS),
    W("there", SUBJECTS),
    W("these", SUBJECTS),
    W("they", SUBJECTS),
    W("this", SUBJECTS),
    W("those", SUBJECTS),
    W("transfer", REQUEST_VERBS),
    W("u", SUBJECTS | ASKEE),
    W("um", FILLERS),
    W("unblock", REQUEST_VERBS),
    W("unless", HYPOTHETICAL),
    W("unlock", REQUEST_VERBS),
    W("unsubscribe", REQUEST_VERBS),
    W("up", PARTICLES),
    W("update", REQUEST_VERBS),
    W("upgrade", REQUEST_VERBS),
    W("ur", SUBJECTS),
    W("urgently", WANT_ADVERBS),
    W("verify", REQUEST_VERBS),
    W("waive", REQUEST_VERBS),
    W("want", WANT_VERBS),
    W("was", AUX | NOUN_MARKERS),
    W("wasn't", AUX | NOUN_MARKERS),
    W("we", SUBJECTS | WANT_SUBJ),
    W("we'd", WANT_SUBJ_D),
    W("we're", IM),
    W("well", FILLERS),
    W("were", AUX | NOUN_MARKERS),
    W("weren't", AUX),
    W("what", WH | RHETORICAL_FIRST),
    W("what's", WH_CONTRACTED | RHETORICAL_FIRST),
    W("whats", WH_CONTRACTED),
    W("when", WH | HYPOTHETICAL),
    W("when's", WH_CONTRACTED),
    W("whenever", HYPOTHETICAL),
    W("where", WH),
    W("where's", WH_CONTRACTED),
    W("wheres", WH_CONTRACTED),
    W("which", WH),
    W("who", WH | RHETORICAL_FIRST),
    W("who's", WH_CONTRACTED),
    W("whom", WH),
    W("whose", WH),
    W("why", WH | RHETORICAL_FIRST),
    W("why's", WH_CONTRACTED),
    W("will", AUX | REQUEST_AUX | NOUN_MARKERS),
    W("wish", FRAME2),
    W("won't", AUX),
    W("wonder", WONDER),
    W("wondering", WONDER),
    W("wont", AUX),
    W("would", AUX | REQUEST_AUX | NOUN_MARKERS),
    W("wouldn't", AUX),
    W("wow", RHETORICAL_FIRST),
    W("wtf", RHETORICAL_FIRST),
    W("y'all", SUBJECTS | ASKEE),
    W("ya", SUBJECTS | ASKEE),
    W("yeah", FILLERS),
    W("yes", FILLERS),
    W("you", SUBJECTS | ASKEE | RHETORICAL_FIRST),
    W("you're", RHETORICAL_FIRST),
    W("you've", RHETORICAL_FIRST),
    W("your", SUBJECTS),
};

/* Does token i belong to any of the classes? */
static inline int has(const span_ctx *c, size_t i, uint32_t classes)
{
    return ((uint32_t)c->cls[i] & classes) != 0;
}

/* 1 + the entry of token i in ix->words, or 0. */
static inline unsigned wid(const span_ctx *c, size_t i)
{
    return (unsigned)(c->cls[i] >> PLACE_SHIFT);
}

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

/* Sorted by phrase (bytewise) so need_of finds a letter's entries by binary
 * search; keep it sorted when adding (the asks test checks). */
static const need_cue NEED_CUES[] = {
    {"2fa", HEED_NEED_ACCOUNT, 3},
    {"account", HEED_NEED_ACCOUNT, 1},
    {"address", HEED_NEED_CHANGE, 1},
    {"an update", HEED_NEED_OTHER, 3},
    {"any update", HEED_NEED_OTHER, 3},
    {"any updates", HEED_NEED_OTHER, 3},
    {"arrive", HEED_NEED_DELIVERY, 2},
    {"arrived", HEED_NEED_DELIVERY, 2},
    {"arriving", HEED_NEED_DELIVERY, 2},
    {"availability", HEED_NEED_PRODUCT, 2},
    {"available", HEED_NEED_PRODUCT, 2},
    {"bill", HEED_NEED_BILLING, 2},
    {"billed", HEED_NEED_BILLING, 2},
    {"billing", HEED_NEED_BILLING, 2},
    {"broken", HEED_NEED_FAULT, 2},
    {"bug", HEED_NEED_FAULT, 2},
    {"cancel", HEED_NEED_CANCELLATION, 2},
    {"canceled", HEED_NEED_CANCELLATION, 2},
    {"cancellation", HEED_NEED_CANCELLATION, 2},
    {"cancelled", HEED_NEED_CANCELLATION, 2},
    {"change", HEED_NEED_CHANGE, 2},
    {"charge", HEED_NEED_BILLING, 2},
    {"charged", HEED_NEED_BILLING, 2},
    {"charges", HEED_NEED_BILLING, 2},
    {"close my account", HEED_NEED_CANCELLATION, 4},
    {"color", HEED_NEED_PRODUCT, 2},
    {"colour", HEED_NEED_PRODUCT, 2},
    {"compatible", HEED_NEED_PRODUCT, 2},
    {"compensation", HEED_NEED_REFUND, 2},
    {"complain", HEED_NEED_COMPLAINT, 2},
    {"complaint", HEED_NEED_COMPLAINT, 2},
    {"cost", HEED_NEED_PRODUCT, 2},
    {"courier", HEED_NEED_DELIVERY, 2},
    {"crash", HEED_NEED_FAULT, 2},
    {"crashes", HEED_NEED_FAULT, 2},
    {"crashing", HEED_NEED_FAULT, 2},
    {"damaged", HEED_NEED_FAULT, 2},
    {"debit", HEED_NEED_BILLING, 2},
    {"defective", HEED_NEED_FAULT, 2},
    {"delete my account", HEED_NEED_CANCELLATION, 4},
    {"deliver", HEED_NEED_DELIVERY, 2},
    {"delivered", HEED_NEED_DELIVERY, 2},
    {"delivery", HEED_NEED_DELIVERY, 2},
    {"dispatch", HEED_NEED_DELIVERY, 2},
    {"dispatched", HEED_NEED_DELIVERY, 2},
    {"does not work", HEED_NEED_FAULT, 2},
    {"doesn't work", HEED_NEED_FAULT, 2},
    {"downgrade", HEED_NEED_CHANGE, 2},
    {"edit", HEED_NEED_CHANGE, 2},
    {"error", HEED_NEED_FAULT, 2},
    {"escalate", HEED_NEED_COMPLAINT, 2},
    {"faulty", HEED_NEED_FAULT, 2},
    {"feature", HEED_NEED_PRODUCT, 2},
    {"features", HEED_NEED_PRODUCT, 2},
    {"fee", HEED_NEED_BILLING, 2},
    {"feedback", HEED_NEED_PRAISE, 1},
    {"fees", HEED_NEED_BILLING, 2},
    {"fix", HEED_NEED_FAULT, 2},
    {"glitch", HEED_NEED_FAULT, 2},
    {"how much", HEED_NEED_PRODUCT, 2},
    {"in stock", HEED_NEED_PRODUCT, 2},
    {"invoice", HEED_NEED_BILLING, 2},
    {"invoices", HEED_NEED_BILLING, 2},
    {"isn't working", HEED_NEED_FAULT, 2},
    {"label", HEED_NEED_DELIVERY, 1},
    {"locked", HEED_NEED_ACCOUNT, 2},
    {"log in", HEED_NEED_ACCOUNT, 3},
    {"login", HEED_NEED_ACCOUNT, 3},
    {"manager", HEED_NEED_COMPLAINT, 2},
    {"modify", HEED_NEED_CHANGE, 2},
    {"money back", HEED_NEED_REFUND, 3},
    {"not working", HEED_NEED_FAULT, 2},
    {"order", HEED_NEED_DELIVERY, 1},
    {"outage", HEED_NEED_FAULT, 2},
    {"overcharged", HEED_NEED_BILLING, 2},
    {"package", HEED_NEED_DELIVERY, 2},
    {"paid", HEED_NEED_BILLING, 2},
    {"parcel", HEED_NEED_DELIVERY, 2},
    {"password", HEED_NEED_ACCOUNT, 3},
    {"pay", HEED_NEED_BILLING, 2},
    {"payment", HEED_NEED_BILLING, 2},
    {"payments", HEED_NEED_BILLING, 2},
    {"pin", HEED_NEED_ACCOUNT, 2},
    {"price", HEED_NEED_PRODUCT, 2},
    {"receipt", HEED_NEED_BILLING, 2},
    {"refund", HEED_NEED_REFUND, 2},
    {"refunded", HEED_NEED_REFUND, 2},
    {"refunds", HEED_NEED_REFUND, 2},
    {"reimburse", HEED_NEED_REFUND, 2},
    {"reimbursement", HEED_NEED_REFUND, 2},
    {"replace", HEED_NEED_REFUND, 2},
    {"replacement", HEED_NEED_REFUND, 2},
    {"reset", HEED_NEED_ACCOUNT, 1},
    {"return", HEED_NEED_REFUND, 2},
    {"returns", HEED_NEED_REFUND, 2},
    {"review", HEED_NEED_PRAISE, 1},
    {"ship", HEED_NEED_DELIVERY, 2},
    {"shipment", HEED_NEED_DELIVERY, 2},
    {"shipped", HEED_NEED_DELIVERY, 2},
    {"shipping", HEED_NEED_DELIVERY, 2},
    {"sign in", HEED_NEED_ACCOUNT, 3},
    {"size", HEED_NEED_PRODUCT, 2},
    {"specs", HEED_NEED_PRODUCT, 2},
    {"statement", HEED_NEED_BILLING, 2},
    {"stock", HEED_NEED_PRODUCT, 1},
    {"stopped working", HEED_NEED_FAULT, 2},
    {"supervisor", HEED_NEED_COMPLAINT, 2},
    {"switch", HEED_NEED_CHANGE, 2},
    {"terminate", HEED_NEED_CANCELLATION, 2},
    {"track", HEED_NEED_DELIVERY, 2},
    {"tracking", HEED_NEED_DELIVERY, 2},
    {"unsubscribe", HEED_NEED_CANCELLATION, 2},
    {"update", HEED_NEED_CHANGE, 2},
    {"upgrade", HEED_NEED_CHANGE, 2},
    {"username", HEED_NEED_ACCOUNT, 3},
    {"verification code", HEED_NEED_ACCOUNT, 3},
    {"warranty", HEED_NEED_PRODUCT, 2},
};

/* ---------------------------------------------------------------- the index */

/* The words the patterns test one at a time (is_word), by name: NAMED[N_x]. */
enum {
    N_AM, N_ASKING, N_CAN, N_COULD, N_FOR, N_GET, N_HAVE, N_HOW, N_I, N_IF, N_LET, N_LONG,
    N_LOOKING, N_MANY, N_MAY, N_MUCH, N_NEED, N_RECEIVE, N_REQUEST, N_REQUESTING, N_TO, N_WE,
    N_WHETHER, N_WISH, N_WONDER, N_WONDERING, N_WOULD, N_YOU, N_NAMED
};
static const char *const NAMED[N_NAMED] = {
    "am",    "asking", "can",     "could",   "for",        "get",     "have",   "how",
    "i",     "if",     "let",     "long",    "looking",    "many",    "may",    "much",
    "need",  "receive", "request", "requesting", "to",     "we",      "whether", "wish",
    "wonder", "wondering", "would", "you",
};

/* Every word the rules look up (WORDS, NAMED, every word of NEED_CUES and
 * of RHETORICAL) in an open-addressing table made once per engine: a token
 * costs one probe (none for a word of the engine's frequent-word table,
 * which holds its place), and then the rules compare places, not bytes: a
 * phrase search starts from the phrases of the token's own word and
 * compares the places of the words that follow. */
#define IX_BITS 11
#define IX_SLOTS ((size_t)1 << IX_BITS)
#define IX_MAX_WORDS 1024
#define N_RHET (sizeof RHETORICAL / sizeof RHETORICAL[0] - 1)
#define N_CUES (sizeof NEED_CUES / sizeof NEED_CUES[0])
#define PHRASE_MAX 8 /* words in a phrase */

typedef struct ix_word {
    const char *s;
    uint8_t n;
    uint32_t cls;              /* its classes from WORDS, 0 if none */
    uint16_t cue_from, cue_to; /* the NEED_CUES it is the first word of */
    uint64_t rhet[2];          /* bit k: RHETORICAL[k] starts with it */
} ix_word;

typedef struct ix_slot_ {
    uint64_t head; /* the word's first 8 bytes (heed__head8) */
    uint16_t len;
    uint16_t word; /* 1 + the entry in words; 0: empty */
} ix_slot_;

/* A phrase as the places of its words (1 + entries in words). */
typedef struct ix_phrase {
    uint16_t id[PHRASE_MAX];
    uint8_t n;
} ix_phrase;

struct heed_asks_index {
    ix_slot_ slots[IX_SLOTS];
    ix_word words[IX_MAX_WORDS];
    /* by 1 + entry (0: a word not in the index): the cls of a word token of
     * it in heed__asks_words, its classes with T_WORD, T_WORDNUM, T_SKIP
     * (FILLERS) and T_CUE, and 1 + entry in the high 32 bits */
    uint64_t tok_cls[IX_MAX_WORDS + 1];
    uint16_t named[N_NAMED]; /* 1 + the entry of NAMED[k] */
    ix_phrase rhet[N_RHET];  /* RHETORICAL[k] without its '=' */
    ix_phrase cue[N_CUES];   /* NEED_CUES[k].phrase */
    /* bit ix_sketch(w, n) set for each word of the index: a word whose bit
     * is clear is not in it */
    uint64_t sketch[128];
    size_t n_words, max_len;
};

/* ---------------------------------------------------------------- clauses */

/* Is toks[j] the first token of a clause other than the sentence's first?
 * (BREAK_BEFORE: after , ; : or a lone -, or at a conjunction that does not
 * follow one; set by heed__asks_plain for the whole token array.) */
static inline int clause_break(const span_ctx *c, size_t j)
{
    return j > c->lo && (c->cls[j] & BREAK_BEFORE);
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
    while (i < e && (has(c, i, FILLERS) || c->t[i].kind == HEED_TOK_MENTION ||
                     c->t[i].kind == HEED_TOK_PUNCT || c->t[i].kind == HEED_TOK_EMOJI ||
                     c->t[i].kind == HEED_TOK_EMOTICON))
        i++;
    return i;
}

static int has_word(const span_ctx *c, size_t i, size_t e)
{
    if (!c->plain) {
        for (; i < e; i++)
            if (c->cls[i] & T_WORD)
                return 1;
        return 0;
    }
    for (; i < e; i++)
        if (c->t[i].kind == HEED_TOK_WORD)
            return 1;
    return 0;
}

/* is_word(&c->t[i], NAMED[name]). */
static inline int word_is(const span_ctx *c, size_t i, unsigned name)
{
    if (c->plain)
        return is_word(&c->t[i], NAMED[name]);
    return wid(c, i) == c->ix->named[name] && (c->cls[i] & T_WORDNUM);
}

/* Whether the words of phrase ph after its first match the tokens from
 * i + 1 on, all before hi (match_phrase by places: a token holds the place
 * of its norm whenever that is a word of the index). */
static inline int phrase_rest(const span_ctx *c, size_t i, size_t hi, const ix_phrase *ph)
{
    if (i + ph->n > hi)
        return 0;
    for (size_t k = 1; k < ph->n; k++)
        if (wid(c, i + k) != ph->id[k])
            return 0;
    return 1;
}

static int is_rhetorical(const span_ctx *c, size_t p, size_t e)
{
    if (!has(c, p, RHETORICAL_FIRST))
        return 0;
    /* only the phrases whose first word this token is can match here */
    const ix_word *w = &c->ix->words[wid(c, p) - 1];
    for (size_t h = 0; h < 2; h++) {
        for (uint64_t m = w->rhet[h]; m; m &= m - 1) {
            const size_t k = h * 64 + (size_t)__builtin_ctzll(m);
            const char *r = RHETORICAL[k];
            int whole = *r == '=';
            size_t n;
            if (c->plain)
                n = match_phrase(c->t, p, e, r + whole);
            else
                n = phrase_rest(c, p, e, &c->ix->rhet[k]) ? c->ix->rhet[k].n : 0;
            if (!n)
                continue;
            if (!whole)
                return 1;
            /* The phrase must be all the words of the clause. */
            if (!has_word(c, p + n, e))
                return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- patterns */

/* The want/need frame at subject token s: returns 1 when it asks. */
static int want_frame(const span_ctx *c, size_t s, size_t e)
{
    size_t i = s + 1;
    int d = has(c, s, WANT_SUBJ_D); /* "I'd" */
    if (!d && !has(c, s, WANT_SUBJ))
        return 0;
    if (s > c->lo && has(c, s - 1, HYPOTHETICAL))
        return 0;
    while (i < e && has(c, i, WANT_ADVERBS))
        i++;
    if (i >= e)
        return 0;
    int ok = 0;
    if (d) {
        ok = has(c, i, LIKE_VERBS);
    } else if (has(c, i, WANT_VERBS)) {
        ok = 1;
    } else if (word_is(c, i, N_WOULD) && i + 1 < e && has(c, i + 1, LIKE_VERBS)) {
        i++;
        ok = 1;
    } else if (word_is(c, i, N_WISH) && i + 1 < e && word_is(c, i + 1, N_TO)) {
        ok = 1;
    } else if (word_is(c, i, N_AM) && i + 1 < e &&
               (word_is(c, i + 1, N_ASKING) || word_is(c, i + 1, N_REQUESTING) ||
                (word_is(c, i + 1, N_LOOKING) && i + 2 < e && word_is(c, i + 2, N_FOR)))) {
        i++;
        ok = 1;
    }
    if (!ok || !has_word(c, i + 1, e)) /* "that is what I want." */
        return 0;
    /* "want to say thanks", "would like to thank you" */
    if (i + 2 < e && word_is(c, i + 1, N_TO) &&
        (has(c, i + 2, NOT_ASK_AFTER_TO) ||
         (word_is(c, i + 2, N_LET) && i + 3 < e && word_is(c, i + 3, N_YOU))))
        return 0;
    return 1;
}

/* "I'm asking", "I'm looking for" (one token "i'm"). */
static int im_frame(const span_ctx *c, size_t s, size_t e)
{
    if (!has(c, s, IM)) /* "i'm", "we're" */
        return 0;
    if (s > c->lo && has(c, s - 1, HYPOTHETICAL))
        return 0;
    return s + 1 < e &&
           (word_is(c, s + 1, N_ASKING) || word_is(c, s + 1, N_REQUESTING) ||
            (word_is(c, s + 1, N_LOOKING) && s + 2 < e && word_is(c, s + 2, N_FOR)));
}

/* Clause-opening patterns at p (fillers skipped). Sets *what. Only a word
 * with one of the OPENERS classes opens an ask. */
static int opens_ask(const span_ctx *c, size_t p, size_t e, int qmark, int after_conj,
                     const char **what)
{
    const heed_token *t = c->t;
    if (has(c, p, WH_CONTRACTED)) {
        *what = "question";
        return 1;
    }
    if (has(c, p, WH)) {
        if (qmark || (p + 1 < e && has(c, p + 1, AUX)) ||
            (word_is(c, p, N_HOW) && p + 1 < e &&
             (word_is(c, p + 1, N_MUCH) || word_is(c, p + 1, N_LONG) ||
              word_is(c, p + 1, N_MANY)))) {
            *what = "question";
            return 1;
        }
        return 0;
    }
    if (has(c, p, AUX) && p + 1 < e && has(c, p + 1, SUBJECTS)) {
        *what = "question";
        if (has(c, p, REQUEST_AUX) && has(c, p + 1, ASKEE))
            *what = "request";
        if ((word_is(c, p, N_CAN) || word_is(c, p, N_COULD) || word_is(c, p, N_MAY)) &&
            (word_is(c, p + 1, N_I) || word_is(c, p + 1, N_WE)) && p + 2 < e &&
            (word_is(c, p + 2, N_GET) || word_is(c, p + 2, N_HAVE) ||
             word_is(c, p + 2, N_RECEIVE) || word_is(c, p + 2, N_REQUEST)))
            *what = "request";
        return 1;
    }
    if (has(c, p, WANT_SUBJ | WANT_SUBJ_D | IM) && (want_frame(c, p, e) || im_frame(c, p, e))) {
        *what = "request";
        return 1;
    }
    if (has(c, p, PLEASE) && has_word(c, p + 1, e)) {
        *what = "request";
        return 1;
    }
    size_t q = p + 1; /* a particle may follow: "sign up", "look into" */
    if (q < e && has(c, q, PARTICLES))
        q++;
    if (!after_conj && has(c, p, REQUEST_VERBS) && !(q < e && has(c, q, NOUN_MARKERS)) &&
        !(p + 1 < e && t[p + 1].kind == HEED_TOK_WORD && t[p + 1].norm_len > 2 &&
          !memcmp(t[p + 1].norm + t[p + 1].norm_len - 2, "ed", 2) && !word_is(c, p + 1, N_NEED))) {
        *what = "request";
        return 1;
    }
    return 0;
}

/* Patterns anywhere in a clause. Only a token with one of the INSIDE bits
 * starts one. */
static int asks_inside(const span_ctx *c, size_t p, size_t e)
{
    for (size_t i = p; i < e; i++) {
        if (!c->plain && !(c->cls[i] & INSIDE))
            continue;
        if (has(c, i, PLEASE) && (has_word(c, p, i) || has_word(c, i + 1, e)))
            return 1;
        if ((word_is(c, i, N_WONDERING) || word_is(c, i, N_WONDER)) && i + 1 < e &&
            (word_is(c, i + 1, N_IF) || word_is(c, i + 1, N_WHETHER)))
            return 1;
        if (word_is(c, i, N_IF) && i + 2 < e && word_is(c, i + 1, N_YOU) &&
            (word_is(c, i + 2, N_COULD) || word_is(c, i + 2, N_CAN) ||
             word_is(c, i + 2, N_WOULD)))
            return 1;
        /* (both frames start with a subject word: most tokens go without
         * the calls) */
        if (has(c, i, WANT_SUBJ_D | WANT_SUBJ | IM) && (want_frame(c, i, e) || im_frame(c, i, e)))
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- spans */

static int need_of(const span_ctx *c, size_t from, size_t to)
{
    int best = HEED_NEED_OTHER, best_s = 0;
    if (!c->plain && !(c->sm & T_CUE))
        return best; /* no cue word in the sentence */
    for (size_t i = from; i < to; i++) {
        if (c->plain ? c->t[i].kind != HEED_TOK_WORD || !wid(c, i) : !(c->cls[i] & T_CUE))
            continue;
        /* the cues whose first word this token is, in table order */
        const ix_word *w = &c->ix->words[wid(c, i) - 1];
        for (size_t k = w->cue_from; k < w->cue_to; k++) {
            const need_cue *q = &NEED_CUES[k];
            if (q->strength > best_s &&
                (c->plain ? match_phrase(c->t, i, to, q->phrase) != 0
                          : phrase_rest(c, i, to, &c->ix->cue[k]))) {
                best = q->need;
                best_s = q->strength;
            }
        }
    }
    return best;
}

/* ---------------------------------------------------------------- the index */

/* The length of a phrase's first word. */
static size_t first_word_len(const char *p)
{
    return strcspn(p, " ");
}

static inline size_t ix_slot(uint64_t head, size_t n)
{
    return (size_t)(((head ^ n) * 0x9E3779B97F4A7C15ull) >> (64 - IX_BITS));
}

/* 13 bits of a word of n > 0 bytes w from its first, second (its first
 * again when it has one) and last byte and its length (an index word's bit
 * in ix->sketch). */
static inline unsigned ix_sketch(const char *w, size_t n)
{
    const uint32_t key = (uint32_t)(unsigned char)w[0] | (uint32_t)(unsigned char)w[n > 1] << 8 |
                         (uint32_t)(unsigned char)w[n - 1] << 16 | (uint32_t)n << 24;
    return (key * 0x9E3779B1u) >> 19;
}

/* Whether the bytes of w[0..n) past its first 8 are those of entry - 1
 * (out of line: the lookup of every token inlines without a call). */
__attribute__((noinline)) static int ix_tail_eq(const heed_asks_index *ix, unsigned entry,
                                                const char *w, size_t n)
{
    return !memcmp(ix->words[entry - 1].s + 8, w + 8, n - 8);
}

/* 1 + the entry of w[0..n) in ix->words, or 0. */
static inline unsigned ix_find(const heed_asks_index *ix, const char *w, size_t n)
{
    if (!n || n > ix->max_len)
        return 0;
    const uint64_t head = heed__head8(w, n);
    for (size_t s = ix_slot(head, n);; s = (s + 1) & (IX_SLOTS - 1)) {
        const ix_slot_ *sl = &ix->slots[s];
        if (!sl->word)
            return 0;
        if (sl->head == head && sl->len == n && (n <= 8 || ix_tail_eq(ix, sl->word, w, n)))
            return sl->word;
    }
}

/* The entry of w[0..n), added when missing; NULL when the index is full. */
static ix_word *ix_add(heed_asks_index *ix, const char *w, size_t n)
{
    const unsigned found = ix_find(ix, w, n);
    if (found)
        return &ix->words[found - 1];
    if (!n || ix->n_words >= IX_MAX_WORDS || n > 255)
        return NULL;
    const uint64_t head = heed__head8(w, n);
    size_t s = ix_slot(head, n);
    while (ix->slots[s].word)
        s = (s + 1) & (IX_SLOTS - 1);
    ix_word *e = &ix->words[ix->n_words++];
    e->s = w;
    e->n = (uint8_t)n;
    const unsigned b = ix_sketch(w, n);
    ix->sketch[b / 64] |= (uint64_t)1 << (b % 64);
    ix->slots[s] = (ix_slot_){head, (uint16_t)n, (uint16_t)ix->n_words};
    if (n > ix->max_len)
        ix->max_len = n;
    return e;
}

/* Adds the words of the space-separated phrase p and sets *ph to their
 * places; HEED_EINVAL when it has more than PHRASE_MAX words, a word after
 * the first that does not start with a-z (heed__asks_words looks up the
 * norms of tokens other than words only when they do), or the index is
 * full. */
static int ix_add_phrase(heed_asks_index *ix, const char *p, ix_phrase *ph)
{
    ph->n = 0;
    while (*p) {
        const size_t wl = first_word_len(p);
        ix_word *e = ix_add(ix, p, wl);
        if (!e || ph->n >= PHRASE_MAX || (ph->n && (unsigned char)(p[0] - 'a') >= 26))
            return HEED_EINVAL;
        ph->id[ph->n++] = (uint16_t)(e - ix->words + 1);
        p += wl;
        if (*p == ' ')
            p++;
    }
    return ph->n ? HEED_OK : HEED_EINVAL;
}

/* Fills the index; HEED_EINVAL when the tables do not fit it (a word listed
 * twice in WORDS, a first word's need cues not adjacent, too many words or
 * phrases, phrases too long), which the asks test shows. */
static int ix_build(heed_asks_index *ix)
{
    memset(ix, 0, sizeof *ix);
    for (size_t k = 0; k < sizeof WORDS / sizeof WORDS[0]; k++) {
        ix_word *e = ix_add(ix, WORDS[k].s, WORDS[k].n);
        if (!e || e->cls)
            return HEED_EINVAL;
        e->cls = WORDS[k].cls;
    }
    for (size_t k = 0; k < N_CUES; k++) {
        ix_word *e = ix_add(ix, NEED_CUES[k].phrase, first_word_len(NEED_CUES[k].phrase));
        if (!e || (e->cue_to && e->cue_to != k))
            return HEED_EINVAL;
        if (!e->cue_to)
            e->cue_from = (uint16_t)k;
        e->cue_to = (uint16_t)(k + 1);
    }
    for (size_t k = 0; RHETORICAL[k]; k++) {
        const char *p = RHETORICAL[k] + (RHETORICAL[k][0] == '=');
        ix_word *e = ix_add(ix, p, first_word_len(p));
        if (!e || k >= 128)
            return HEED_EINVAL;
        e->rhet[k / 64] |= (uint64_t)1 << (k % 64);
    }
    for (size_t k = 0; k < N_CUES; k++)
        if (ix_add_phrase(ix, NEED_CUES[k].phrase, &ix->cue[k]))
            return HEED_EINVAL;
    for (size_t k = 0; k < N_RHET; k++)
        if (ix_add_phrase(ix, RHETORICAL[k] + (RHETORICAL[k][0] == '='), &ix->rhet[k]))
            return HEED_EINVAL;
    for (size_t k = 0; k < N_NAMED; k++) {
        ix_word *e = ix_add(ix, NAMED[k], strlen(NAMED[k]));
        if (!e || (unsigned char)(NAMED[k][0] - 'a') >= 26)
            return HEED_EINVAL;
        ix->named[k] = (uint16_t)(e - ix->words + 1);
    }
    ix->tok_cls[0] = T_WORD | T_WORDNUM;
    for (size_t k = 0; k < ix->n_words; k++) {
        const ix_word *e = &ix->words[k];
        ix->tok_cls[k + 1] = e->cls | T_WORD | T_WORDNUM | (e->cls & FILLERS ? T_SKIP : 0) |
                             (e->cue_to > e->cue_from ? T_CUE : 0) | (uint64_t)(k + 1) << PLACE_SHIFT;
    }
    return HEED_OK;
}

int heed__asks_index_new(heed_asks_index **out)
{
    *out = NULL;
    heed_asks_index *ix = heed__malloc(sizeof *ix);
    if (!ix)
        return HEED_ENOMEM;
    int rc = ix_build(ix);
    if (rc) {
        heed__free(ix);
        return rc;
    }
    *out = ix;
    return HEED_OK;
}

void heed__asks_index_free(heed_asks_index *ix)
{
    heed__free(ix);
}

const char *heed__asks_index_word(const heed_asks_index *ix, size_t k, size_t *n)
{
    if (k >= ix->n_words)
        return NULL;
    *n = ix->words[k].n;
    return ix->words[k].s;
}

/* The entry of w[0..n) by a plain search (the reference of the tests). */
static unsigned ix_find_slow(const heed_asks_index *ix, const char *w, size_t n)
{
    for (size_t k = 0; k < ix->n_words; k++)
        if (ix->words[k].n == n && !memcmp(ix->words[k].s, w, n))
            return (unsigned)k + 1;
    return 0;
}

/* Whether the words of ph are those of the space-separated phrase p. */
static int phrase_is(const heed_asks_index *ix, const ix_phrase *ph, const char *p)
{
    for (size_t k = 0; k < ph->n; k++) {
        const size_t wl = first_word_len(p);
        const ix_word *e = &ix->words[ph->id[k] - 1];
        if (!ph->id[k] || e->n != wl || memcmp(e->s, p, wl))
            return 0;
        p += wl + (p[wl] == ' ');
    }
    return !*p;
}

/* For tests: are NEED_CUES and WORDS sorted, does RHETORICAL_FIRST hold the
 * first word of every RHETORICAL phrase, are the phrases' and NAMED's places
 * those of their words, and does the index find what a plain search finds:
 * every word with its classes, need cues and phrases, and for words one
 * byte off (shorter, longer, a byte changed) the same as the plain search? */
int heed__asks_table_ok(void)
{
    for (size_t k = 1; k < N_CUES; k++)
        if (strcmp(NEED_CUES[k - 1].phrase, NEED_CUES[k].phrase) >= 0)
            return 0;
    for (size_t k = 1; k < sizeof WORDS / sizeof WORDS[0]; k++) {
        size_t n = WORDS[k - 1].n < WORDS[k].n ? WORDS[k - 1].n : WORDS[k].n;
        int d = memcmp(WORDS[k - 1].s, WORDS[k].s, n);
        if (d > 0 || (!d && WORDS[k - 1].n >= WORDS[k].n))
            return 0;
    }
    heed_asks_index *ix;
    if (heed__asks_index_new(&ix))
        return 0;
    int ok = 1;
    for (size_t k = 0; ok && k < sizeof WORDS / sizeof WORDS[0]; k++) {
        const unsigned w = ix_find(ix, WORDS[k].s, WORDS[k].n);
        ok = w && ix->words[w - 1].cls == WORDS[k].cls;
    }
    for (size_t k = 0; ok && k < N_CUES; k++) {
        const unsigned w = ix_find(ix, NEED_CUES[k].phrase, first_word_len(NEED_CUES[k].phrase));
        ok = w && ix->words[w - 1].cue_from <= k && k < ix->words[w - 1].cue_to &&
             phrase_is(ix, &ix->cue[k], NEED_CUES[k].phrase) && ix->cue[k].id[0] == w;
    }
    for (size_t k = 0; ok && RHETORICAL[k]; k++) {
        const char *p = RHETORICAL[k] + (RHETORICAL[k][0] == '=');
        const unsigned w = ix_find(ix, p, first_word_len(p));
        ok = w && (ix->words[w - 1].cls & RHETORICAL_FIRST) &&
             (ix->words[w - 1].rhet[k / 64] >> (k % 64) & 1) && phrase_is(ix, &ix->rhet[k], p) &&
             ix->rhet[k].id[0] == w;
    }
    for (size_t k = 0; ok && k < N_NAMED; k++)
        ok = ix->named[k] && ix->named[k] == ix_find_slow(ix, NAMED[k], strlen(NAMED[k]));
    char buf[257];
    for (size_t k = 0; ok && k < ix->n_words; k++) {
        const ix_word *e = &ix->words[k];
        ok = ix_find(ix, e->s, e->n) == k + 1 &&
             ix_find(ix, e->s, e->n - 1u) == ix_find_slow(ix, e->s, e->n - 1u);
        memcpy(buf, e->s, e->n);
        for (unsigned c = 1; ok && c < 256; c += 6) {
            buf[e->n] = (char)c;
            ok = ix_find(ix, buf, e->n + 1u) == ix_find_slow(ix, buf, e->n + 1u);
            for (size_t i = 0; ok && i < e->n; i++) {
                buf[i] = (char)(e->s[i] ^ c);
                ok = ix_find(ix, buf, e->n) == ix_find_slow(ix, buf, e->n);
                buf[i] = e->s[i];
            }
        }
    }
    heed__asks_index_free(ix);
    return ok;
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

/* The ask of one sentence, if any (heed__asks_plain: the rules as the
 * header of this file states them, clause by clause). */
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
        int conj = s > c->lo && has(c, s, CONJUNCTIONS);
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

/* Does a new clause start at token j, given cls x of it and prev of the
 * token before (clause_break)? */
static inline int starts_clause(uint32_t prev, uint32_t x)
{
    return ((x & ~prev & CONJUNCTIONS) | (prev & T_BRK_AFTER)) != 0;
}

/* sentence_ask given the OR of the sentence's cls, sm, with c->cls holding
 * the T_ bits. The same ask: it visits the clauses once, in order, and
 * works out the first clause-opening ask while it notes the first ask
 * inside a clause and the last clause that can hold a question, and it
 * skips what cannot ask: a sentence without "?" where no word could open
 * an ask and asks_inside could match nowhere (inside_possible), and in a
 * sentence without "?" a clause that neither opens with an OPENERS word
 * nor passes inside_possible (rhetorical or not, it would change neither
 * the answer nor, with no "?", rule 4). */
static int sentence_ask_fast(const span_ctx *c, uint32_t sm, heed_cue *cue)
{
    const uint64_t *cls = c->cls;
    size_t i = c->hi;
    while (i > c->lo && (cls[i - 1] & T_EMO))
        i--;
    const int qmark = i > c->lo && (cls[i - 1] & T_QPUNCT);
    if (!qmark && !(sm & (WH | WH_CONTRACTED | AUX | PLEASE | REQUEST_VERBS)) &&
        !inside_possible(sm))
        return 0; /* (a want/need frame that opens a clause is one inside it too) */
    int rhetorical = 0;
    const char *what = NULL;
    size_t last = c->hi, inside = c->hi;
    /* without a conjunction or a token that ends a clause, the sentence is
     * one clause */
    const int one = !(sm & (CONJUNCTIONS | T_BRK_AFTER));
    for (size_t s = c->lo, e; s < c->hi; s = e) {
        /* the clause [s, e) and the OR of its cls */
        uint32_t m = sm;
        e = c->hi;
        if (!one) {
            uint32_t prev = m = (uint32_t)cls[s];
            for (e = s + 1; e < c->hi; e++) {
                const uint32_t x = (uint32_t)cls[e];
                if (starts_clause(prev, x))
                    break;
                m |= x;
                prev = x;
            }
        }
        const int inside_ok = inside_possible(m);
        if (!qmark && !(m & OPENERS) && !inside_ok)
            continue;
        size_t p = s;
        while (p < e && (cls[p] & T_SKIP))
            p++;
        if (p >= e)
            continue;
        const int opener = (cls[p] & OPENERS) != 0;
        if (!qmark && !opener && !inside_ok)
            continue;
        if (is_rhetorical(c, p, e)) {
            rhetorical = 1;
            continue;
        }
        const int conj = s > c->lo && has(c, s, CONJUNCTIONS);
        if (opener && opens_ask(c, p, e, qmark && (e == c->hi || s == c->lo), conj, &what)) {
            make_cue(c, p, what, cue);
            return 1;
        }
        if (!has_word(c, p, e))
            continue;
        last = p;
        if (inside == c->hi && inside_ok && asks_inside(c, p, e))
            inside = p;
    }
    if (inside < c->hi) {
        make_cue(c, inside, "request", cue);
        return 1;
    }
    if (qmark && !rhetorical && last < c->hi) {
        make_cue(c, last, "question", cue);
        return 1;
    }
    return 0;
}

unsigned heed__asks_word_id(const heed_asks_index *ix, const char *w, size_t n)
{
    return ix_find(ix, w, n);
}

uint64_t heed__asks_word_cls(const heed_asks_index *ix, unsigned id)
{
    return ix->tok_cls[id];
}

size_t heed__asks_n_words(const heed_asks_index *ix)
{
    return ix->n_words;
}

const char *heed__asks_word(const heed_asks_index *ix, size_t k, size_t *n)
{
    *n = ix->words[k].n;
    return ix->words[k].s;
}

int heed__asks(const heed_asks_index *ix, heed_arena *a, const heed_token *toks, size_t n_toks,
               const heed_sentence *sents, size_t n_sents, heed_cue **out, size_t *n_out)
{
    return heed__asks_words(ix, a, toks, n_toks, NULL, sents, n_sents, out, n_out);
}

int heed__asks_plain(const heed_asks_index *ix, heed_arena *a, const heed_token *toks,
                     size_t n_toks, const heed_sentence *sents, size_t n_sents, heed_cue **out,
                     size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!n_sents)
        return HEED_OK;
    /* one allocation: the cues, then cls per token */
    heed_cue *cues = heed__arena_alloc(a, n_sents * sizeof(*cues) + n_toks * sizeof(uint64_t));
    if (!cues)
        return HEED_ENOMEM;
    uint64_t *cls = (uint64_t *)(cues + n_sents);
    for (size_t i = 0; i < n_toks; i++) {
        unsigned w = 0;
        if (toks[i].kind == HEED_TOK_WORD)
            w = ix_find_slow(ix, toks[i].norm, toks[i].norm_len);
        cls[i] = (w ? ix->words[w - 1].cls : 0) | (uint64_t)w << PLACE_SHIFT;
    }
    /* clause breaks, as clause_break reads them */
    for (size_t j = 1; j < n_toks; j++) {
        const heed_token *p = &toks[j - 1];
        int brk = (cls[j] & CONJUNCTIONS) && !(cls[j - 1] & CONJUNCTIONS);
        if (!brk && (p->kind == HEED_TOK_PUNCT || p->kind == HEED_TOK_SYMBOL)) {
            for (size_t k = 0; k < p->norm_len && !brk; k++)
                brk = p->norm[k] == ',' || p->norm[k] == ';' || p->norm[k] == ':';
            brk |= p->kind == HEED_TOK_PUNCT && p->norm_len == 1 && p->norm[0] == '-';
        }
        if (brk)
            cls[j] |= BREAK_BEFORE;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_sents; i++) {
        span_ctx c = {ix,
                      toks,
                      cls,
                      sents[i].first_token,
                      sents[i].first_token + sents[i].n_tokens,
                      1,
                      ~0u};
        if (c.hi > c.lo && sentence_ask(&c, &cues[n]))
            n++;
    }
    *out = n ? cues : NULL;
    *n_out = n;
    return HEED_OK;
}

/* cls bits of a token other than a word, by kind (a punct's '?' aside). */
static const uint32_t KIND_BITS[HEED_TOK_KIND_COUNT] = {
    [HEED_TOK_NUMBER] = T_WORDNUM,        [HEED_TOK_MENTION] = T_SKIP,
    [HEED_TOK_EMOJI] = T_SKIP | T_EMO,    [HEED_TOK_EMOTICON] = T_SKIP | T_EMO,
    [HEED_TOK_PUNCT] = T_SKIP | T_PUNCT,
};

/* The place of a word token not in the engine's table of frequent words:
 * most such words fail ix->sketch, the rest take the search out of line
 * (the token loop keeps its registers). */
__attribute__((noinline)) static unsigned word_find(const heed_asks_index *ix, const heed_token *t)
{
    return ix_find(ix, t->norm, t->norm_len);
}

static inline unsigned word_place(const heed_asks_index *ix, const heed_token *t)
{
    if (!t->norm_len)
        return 0;
    const unsigned b = ix_sketch(t->norm, t->norm_len);
    if (!(ix->sketch[b / 64] >> (b % 64) & 1))
        return 0;
    return word_find(ix, t);
}

/* What other_token gives a punct of one byte c, past T_SKIP | T_PUNCT. */
static const uint32_t PUNCT1[256] = {
    [','] = T_BRK_AFTER, [';'] = T_BRK_AFTER, [':'] = T_BRK_AFTER,
    ['-'] = T_BRK_AFTER, ['?'] = T_QPUNCT,
};

/* The cls of token t, not a word, and its place in *w. */
__attribute__((noinline)) static uint32_t other_token(const heed_asks_index *ix,
                                                      const heed_token *t, unsigned *w)
{
    const unsigned kind = t->kind;
    const char *s = t->norm;
    const size_t n = t->norm_len;
    /* the words of phrases and NAMED start with a-z */
    *w = n && (unsigned char)(s[0] - 'a') < 26 ? ix_find(ix, s, n) : 0;
    uint32_t k = kind < HEED_TOK_KIND_COUNT ? KIND_BITS[kind] : 0;
    if (kind == HEED_TOK_NUMBER && *w)
        k |= T_NUMWORD;
    if (kind == HEED_TOK_PUNCT || kind == HEED_TOK_SYMBOL) {
        int brk = 0, q = 0;
        for (size_t j = 0; j < n; j++) {
            brk |= s[j] == ',' || s[j] == ';' || s[j] == ':';
            q |= s[j] == '?';
        }
        if (kind == HEED_TOK_PUNCT) {
            brk |= n == 1 && s[0] == '-';
            if (q)
                k |= T_QPUNCT;
        }
        if (brk)
            k |= T_BRK_AFTER;
    }
    return k;
}

/* Each token of [lo, hi): its cls (with its place) in cls; returns the OR
 * of the cls. have_wr: wr is not NULL (a constant in each call, so that
 * the loop is made twice). */
static inline __attribute__((always_inline)) uint32_t
token_pass(const heed_asks_index *ix, const heed_token *toks, const heed_word *const *wr,
           int have_wr, size_t lo, size_t hi, uint64_t *cls)
{
    uint64_t sm = 0;
    for (size_t i = lo; i < hi; i++) {
        const heed_token *t = &toks[i];
        uint64_t k;
        if (t->kind == HEED_TOK_WORD) {
            /* a word of the table knows its place; the table holds every
             * word of the index, so one not there has none */
            if (have_wr) {
                const heed_word *hw = wr[i];
                k = hw ? hw->asks_cls : ix->tok_cls[0];
            } else {
                k = ix->tok_cls[word_place(ix, t)];
            }
        } else if (t->kind == HEED_TOK_PUNCT && t->norm_len == 1 &&
                   (unsigned char)(t->norm[0] - 'a') >= 26) {
            /* ',' '.' '?' '!' ... */
            k = (T_SKIP | T_PUNCT) | PUNCT1[(unsigned char)t->norm[0]];
        } else {
            unsigned w;
            k = other_token(ix, t, &w);
            k |= (uint64_t)w << PLACE_SHIFT;
        }
        sm |= k;
        cls[i] = k;
    }
    return (uint32_t)sm;
}

int heed__asks_words(const heed_asks_index *ix, heed_arena *a, const heed_token *toks,
                     size_t n_toks, const heed_word *const *wr, const heed_sentence *sents,
                     size_t n_sents, heed_cue **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!n_sents)
        return HEED_OK;
    /* one allocation: the cues, then cls per token */
    heed_cue *cues = heed__arena_alloc(a, n_sents * sizeof(*cues) + n_toks * sizeof(uint64_t));
    if (!cues)
        return HEED_ENOMEM;
    uint64_t *cls = (uint64_t *)(cues + n_sents);
    size_t n = 0;
    span_ctx c = {ix, toks, cls, 0, 0, 0, 0};
    for (size_t si = 0; si < n_sents; si++) {
        const size_t lo = sents[si].first_token, hi = lo + sents[si].n_tokens;
        if (hi <= lo)
            continue;
        const uint32_t sm = wr ? token_pass(ix, toks, wr, 1, lo, hi, cls)
                               : token_pass(ix, toks, NULL, 0, lo, hi, cls);
        c.lo = lo;
        c.hi = hi;
        c.sm = sm;
        if (sentence_ask_fast(&c, sm, &cues[n]))
            n++;
    }
    *out = n ? cues : NULL;
    *n_out = n;
    return HEED_OK;
}
