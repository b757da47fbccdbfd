/* compassion.c - the compassion stage (compassion.h): rule-based signals of
 * concrete action in an agent's reply, and their opposites, each with its
 * evidence span. Rules work clause by clause on the tokens' normalised forms
 * (case-folded, ASCII apostrophes); docs/compassion.md lists them.
 *
 * - Fixed phrases (PHRASES): resolution, offer of help, next steps, deflection,
 *   policy wall, blame, "nothing we can do". A pattern is words separated by
 *   spaces; "a|b" is either word, "*" any one word, "@x" a word of class x.
 * - Ownership: a first-person commitment ("I'll", "I've", "let me", "I'm going
 *   to", "leave it with me") followed within two words by an action verb.
 * - Action: a commitment ("I'll", "we've", "has been", "will be", ...) then an
 *   action verb within four words, or a refund/replacement "on its way"; the
 *   label comes from the verb and the nouns of the clause.
 * - Next step: a clause that opens with an imperative of a small step ("reply
 *   with", "click", "restart") or asks for one ("could you send me").
 * - Time frame: a time expression (timexpr.h) that looks forward by its form,
 *   or any in a clause with a future marker.
 * - Generic apology: an apology when no action-bearing signal (ownership,
 *   action, next step, time frame, resolution) is in the reply.
 * Every match before which the clause holds a negator or a hypothetical is kept
 * as a suppressed cue (HEED_CUE_SUPPRESSED) and does not count. */
#include "compassion.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"

#define N_PHRASES_MAX 256 /* room for PHRASES (checked at compile time below) */
#include "timexpr.h"

/* Built once per engine: the words that can start a phrase, each with the
 * set of phrases (bit k for PHRASES[k]) whose first word lists it, by open
 * addressing on the word's hash; and the phrases whose first word is any
 * word ("*", "@class"). A token visits only the phrases that can start with
 * it, in PHRASES order. FIRST_CAP is twice the distinct words allowed (first
 * words and the list words below). */
#define PHRASE_WORDS ((N_PHRASES_MAX + 63) / 64)
#define FIRST_CAP    1024u

/* The same table holds the words of the lists the clause rules test most
 * tokens against, each with its lists as LB_* bits: a reply's tokens are
 * looked up once (their entries serve the phrases too) and a rule tests a
 * bit where it scanned a list. */
enum {
    LB_CONTACT = 1,  /* CONTACT_VERBS */
    LB_THIRD = 2,    /* THIRD_PARTIES */
    LB_SMALL = 4,    /* SMALL_STEPS */
    LB_OWN = 8,      /* OWN_VERBS */
    LB_SKIP = 16,    /* ACT_SKIP */
    LB_ACT = 32,     /* a word of ACT_VERBS */
    LB_APOLOGY = 64, /* APOLOGY */
    LB_TIME = 128    /* a word a time expression can start with (heed__timexpr_start_word) */
};

typedef struct first_word {
    const char *s; /* NULL: an empty entry */
    size_t len;
    uint64_t h;
    uint64_t phrases[PHRASE_WORDS];
    uint32_t lists; /* LB_* */
} first_word;

/* Each phrase's pattern read once: per word (slot) of the pattern, its
 * alternatives, or "*", or a class. PAT_SLOTS and PAT_ALTS bound the slots
 * and alternatives of all PHRASES. */
#define PAT_SLOTS 1024u
#define PAT_ALTS  2048u
enum { SLOT_ALTS, SLOT_ANY, SLOT_CLASS };

typedef struct pat_alt {
    const char *s;
    size_t len;
} pat_alt;

typedef struct pat_slot {
    uint16_t first, n;      /* alts[first .. first + n) */
    uint8_t kind;           /* SLOT_* */
    const char *const *cls; /* SLOT_CLASS: its words (NULL: an unknown class) */
} pat_slot;

struct heed_compassion_index {
    first_word first[FIRST_CAP];
    size_t n_first;
    uint64_t any[PHRASE_WORDS];
    uint16_t pat_first[N_PHRASES_MAX], pat_n[N_PHRASES_MAX]; /* slots of PHRASES[k] */
    pat_slot slots[PAT_SLOTS];
    pat_alt alts[PAT_ALTS];
    size_t n_slots, n_alts;
};

/* ---------------------------------------------------------------- words */

static int in_list(const heed_token *t, const char *const *list)
{
    for (; *list; list++)
        if (heed__reply_word(t, *list))
            return 1;
    return 0;
}

static const char *const NEGATORS[] = {
    "not",     "no",      "never",   "can't",    "cannot",   "cant",      "won't",  "wont",
    "don't",   "dont",    "doesn't", "didn't",   "isn't",    "aren't",    "wasn't", "weren't",
    "haven't", "hasn't",  "hadn't",  "couldn't", "wouldn't", "shouldn't", "unable", "nor",
    "without", "neither", "mustn't", "refuse",   "refused",  NULL};

static const char *const HYPOTHETICALS[] = {
    "if",        "unless",    "once",     "until",     "whether", "usually", "normally",
    "typically", "generally", "whenever", "otherwise", "till",    NULL};

static const char *const CLAUSE_WORDS[] = {"and",      "but",       "or",      "so",    "because",
                                           "although", "though",    "however", "which", "while",
                                           "whereas",  "meanwhile", NULL};

const char *const *heed__reply_clause_words(void)
{
    return CLAUSE_WORDS;
}

int heed__reply_clause_word(const heed_token *t)
{
    /* CLAUSE_WORDS by length, then bytes: one switch, not a scan of the list */
    const char *w = t->norm;
    switch (t->norm_len) {
    case 2:
        return (w[0] == 'o' && w[1] == 'r') || (w[0] == 's' && w[1] == 'o');
    case 3:
        return !memcmp(w, "and", 3) || !memcmp(w, "but", 3);
    case 5:
        return !memcmp(w, "which", 5) || !memcmp(w, "while", 5);
    case 6:
        return !memcmp(w, "though", 6);
    case 7:
        return !memcmp(w, "because", 7) || !memcmp(w, "however", 7) || !memcmp(w, "whereas", 7);
    case 8:
        return !memcmp(w, "although", 8);
    case 9:
        return !memcmp(w, "meanwhile", 9);
    default:
        return 0;
    }
}

size_t heed__reply_clause_end(const heed_token *toks, size_t i, size_t hi)
{
    for (size_t j = i + 1; j < hi; j++) {
        const heed_token *p = &toks[j - 1];
        if ((p->kind == HEED_TOK_PUNCT || p->kind == HEED_TOK_SYMBOL) && p->norm_len &&
            strchr(",;:(-\xe2", p->norm[0]))
            return j;
        if (toks[j].kind == HEED_TOK_WORD && heed__reply_clause_word(&toks[j]) &&
            !heed__reply_clause_word(p))
            return j;
    }
    return hi;
}

const char *heed__reply_suppressed(const heed_token *toks, size_t cs, size_t i)
{
    size_t from = i > cs + 6 ? i - 6 : cs;
    for (size_t j = from; j < i; j++)
        if (in_list(&toks[j], NEGATORS))
            return "negated";
    for (size_t j = cs; j < i; j++) {
        if (in_list(&toks[j], HYPOTHETICALS) || (heed__reply_word(&toks[j], "in") && j + 1 < i &&
                                                 heed__reply_word(&toks[j + 1], "case")))
            return "hypothetical";
        if ((heed__reply_word(&toks[j], "would") || heed__reply_word(&toks[j], "we'd") ||
             heed__reply_word(&toks[j], "might") || heed__reply_word(&toks[j], "may")) &&
            !(j + 1 < i &&
              (heed__reply_word(&toks[j + 1], "like") || heed__reply_word(&toks[j + 1], "love") ||
               heed__reply_word(&toks[j + 1], "be") || heed__reply_word(&toks[j + 1], "now"))))
            return "hypothetical";
    }
    return NULL;
}

/* ---------------------------------------------------------------- classes */

static const char *const OWN_VERBS[] = {
    "check",        "look",       "investigate", "chase",       "follow",     "make",
    "sort",         "fix",        "contact",     "call",        "ring",       "email",
    "e-mail",       "raise",      "keep",        "update",      "take",       "handle",
    "get",          "see",        "review",      "monitor",     "speak",      "talk",
    "reach",        "arrange",    "ensure",      "organise",    "organize",   "find",
    "issue",        "refund",     "send",        "process",     "escalate",   "cancel",
    "unlock",       "reset",      "book",        "credit",      "apply",      "waive",
    "replace",      "ship",       "dispatch",    "resend",      "reactivate", "restore",
    "rebook",       "add",        "expedite",    "flag",        "submit",     "log",
    "open",         "put",        "push",        "extend",      "upgrade",    "reverse",
    "correct",      "amend",      "change",      "transfer",    "reissue",    "reinstate",
    "resolve",      "place",      "cover",       "honour",      "honor",      "confirm",
    "remove",       "unblock",    "gone",        "go",          "went",       "arranged",
    "issued",       "sent",       "processed",   "escalated",   "cancelled",  "canceled",
    "unlocked",     "booked",     "credited",    "applied",     "waived",     "replaced",
    "shipped",      "dispatched", "resent",      "reactivated", "restored",   "rebooked",
    "added",        "checked",    "looked",      "contacted",   "called",     "raised",
    "spoken",       "reached",    "submitted",   "logged",      "opened",     "fixed",
    "sorted",       "refunded",   "chased",      "reviewed",    "updated",    "taken",
    "made",         "flagged",    "expedited",   "extended",    "upgraded",   "reversed",
    "corrected",    "amended",    "changed",     "transferred", "reissued",   "reinstated",
    "investigated", "resolved",   "placed",      "covered",     "honoured",   "removed",
    "unblocked",    "personally", "asked",       "requested",   "ask",        "reship",
    "reshipped",    "approve",    "approved",    "move",        "moved",      "order",
    "ordered",      "request",    "emailed",     "booked",      "pass",       "passed",
    "notified",     "notify",     NULL};

/* Action verbs: a verb and the label it gives when no noun says better. */
typedef struct act_verb {
    const char *w;
    const char *what;
} act_verb;

static const act_verb ACT_VERBS[] = {{"refund", "refund issued"},
                                     {"refunded", "refund issued"},
                                     {"reimburse", "refund issued"},
                                     {"reimbursed", "refund issued"},
                                     {"issue", "action taken"},
                                     {"issued", "action taken"},
                                     {"process", "action taken"},
                                     {"processed", "action taken"},
                                     {"send", "action taken"},
                                     {"sent", "action taken"},
                                     {"resend", "action taken"},
                                     {"resent", "action taken"},
                                     {"dispatch", "action taken"},
                                     {"dispatched", "action taken"},
                                     {"ship", "action taken"},
                                     {"shipped", "action taken"},
                                     {"post", "action taken"},
                                     {"posted", "action taken"},
                                     {"replace", "replacement sent"},
                                     {"replaced", "replacement sent"},
                                     {"escalate", "escalated"},
                                     {"escalated", "escalated"},
                                     {"raise", "escalated"},
                                     {"raised", "escalated"},
                                     {"unlock", "account unlocked"},
                                     {"unlocked", "account unlocked"},
                                     {"unblock", "account unlocked"},
                                     {"unblocked", "account unlocked"},
                                     {"reactivate", "account unlocked"},
                                     {"reactivated", "account unlocked"},
                                     {"reset", "account unlocked"},
                                     {"cancel", "order cancelled"},
                                     {"cancelled", "order cancelled"},
                                     {"canceled", "order cancelled"},
                                     {"credit", "credit applied"},
                                     {"credited", "credit applied"},
                                     {"apply", "credit applied"},
                                     {"applied", "credit applied"},
                                     {"waive", "credit applied"},
                                     {"waived", "credit applied"},
                                     {"reverse", "credit applied"},
                                     {"reversed", "credit applied"},
                                     {"arrange", "action taken"},
                                     {"arranged", "action taken"},
                                     {"book", "action taken"},
                                     {"booked", "action taken"},
                                     {"rebook", "action taken"},
                                     {"rebooked", "action taken"},
                                     {"reissue", "action taken"},
                                     {"reissued", "action taken"},
                                     {"restore", "action taken"},
                                     {"restored", "action taken"},
                                     {"reinstate", "action taken"},
                                     {"reinstated", "action taken"},
                                     {"upgrade", "action taken"},
                                     {"upgraded", "action taken"},
                                     {"extend", "action taken"},
                                     {"extended", "action taken"},
                                     {"correct", "action taken"},
                                     {"corrected", "action taken"},
                                     {"amend", "action taken"},
                                     {"amended", "action taken"},
                                     {"expedite", "action taken"},
                                     {"expedited", "action taken"},
                                     {"transfer", "action taken"},
                                     {"transferred", "action taken"},
                                     {"remove", "action taken"},
                                     {"removed", "action taken"},
                                     {"repair", "repair arranged"},
                                     {"repaired", "repair arranged"},
                                     {"reship", "replacement sent"},
                                     {"reshipped", "replacement sent"},
                                     {"approve", "action taken"},
                                     {"approved", "action taken"},
                                     {"move", "action taken"},
                                     {"moved", "action taken"},
                                     {"order", "action taken"},
                                     {"ordered", "action taken"},
                                     {"replacement", "replacement sent"},
                                     {NULL, NULL}};

/* Commitment markers before an action verb (one or two words). */
static const char *const COMMIT1[] = {"i'll",    "we'll",  "i've",  "we've", "i'd",   "i",
                                      "we",      "i'm",    "we're", "let",   "it's",  "it'll",
                                      "they'll", "that's", "will",  "been",  "being", NULL};

/* in_list(t, COMMIT1) by the word's first byte: the words of the list
 * starting with it are tested, not the whole list (test_compassion compares
 * the two). */
static int is_commit1(const heed_token *t)
{
    if (!t->norm_len)
        return 0;
    switch (t->norm[0]) {
    case 'i':
        return heed__reply_word(t, "i") || heed__reply_word(t, "i'll") ||
               heed__reply_word(t, "i've") || heed__reply_word(t, "i'd") ||
               heed__reply_word(t, "i'm") || heed__reply_word(t, "it's") ||
               heed__reply_word(t, "it'll");
    case 'w':
        return heed__reply_word(t, "we") || heed__reply_word(t, "we'll") ||
               heed__reply_word(t, "we've") || heed__reply_word(t, "we're") ||
               heed__reply_word(t, "will");
    case 'l':
        return heed__reply_word(t, "let");
    case 't':
        return heed__reply_word(t, "they'll") || heed__reply_word(t, "that's");
    case 'b':
        return heed__reply_word(t, "been") || heed__reply_word(t, "being");
    default:
        return 0;
    }
}

static const char *const ACT_SKIP[] = {
    "now",      "just",  "already",  "also",        "personally",   "gone",
    "ahead",    "and",   "go",       "went",        "be",           "been",
    "have",     "will",  "me",       "us",          "successfully", "fully",
    "going",    "to",    "happily",  "immediately", "today",        "am",
    "are",      "is",    "also",     "get",         "got",          "quickly",
    "straight", "away",  "actually", "finally",     "could",        "can",
    "would",    "might", "may",      "not",         "can't",        "cannot",
    "won't",    "don't", "usually",  "normally",    "promise",      "guarantee",
    "a",        "any",   "able",     NULL};

static const char *const SMALL_STEPS[] = {
    "reply",  "click",     "tap",      "confirm", "restart",  "print",   "drop",    "upload",
    "attach", "enter",     "open",     "select",  "choose",   "scan",    "forward", "use",
    "bring",  "pop",       "try",      "visit",   "download", "install", "clear",   "unplug",
    "log",    "sign",      "check",    "follow",  "send",     "share",   "text",    "update",
    "turn",   "switch",    "complete", "fill",    "verify",   "reboot",  "hold",    "keep",
    "return", "pack",      "post",     "book",    "respond",  "head",    "go",      "refresh",
    "show",   "reinstall", "reset",    "approve", NULL};

static const char *const THIRD_PARTIES[] = {
    "bank",      "courier",   "manufacturer", "seller", "retailer", "department",  "airline",
    "provider",  "carrier",   "insurer",      "vendor", "merchant", "store",       "shop",
    "branch",    "agency",    "partner",      "hotel",  "dealer",   "marketplace", "issuer",
    "insurance", "landlord",  "network",      "post",   "operator", "depot",       "embassy",
    "developer", "publisher", "supplier",     "brand",  "company",  "distributor", "driver",
    "council",   "app",       "reseller",     NULL};

/* ---------------------------------------------------------------- phrases */

typedef struct phrase {
    int signal;
    const char *what;
    const char *pat;
} phrase;

static const char *const *class_of(const char *name, size_t n)
{
    if (n == 4 && !memcmp(name, "step", 4))
        return SMALL_STEPS;
    if (n == 5 && !memcmp(name, "party", 5))
        return THIRD_PARTIES;
    return NULL;
}

static const phrase PHRASES[] = {
    /* resolution offered or confirmed */
    {HEED_COMP_RESOLUTION, "resolved", "is|has|have|been now resolved"},
    {HEED_COMP_RESOLUTION, "resolved", "has|have been resolved"},
    {HEED_COMP_RESOLUTION, "resolved", "i've|we've resolved"},
    {HEED_COMP_RESOLUTION, "resolved", "is resolved"},
    {HEED_COMP_RESOLUTION, "fixed", "has|have been fixed"},
    {HEED_COMP_RESOLUTION, "fixed", "is|are now fixed"},
    {HEED_COMP_RESOLUTION, "fixed", "i've|we've fixed"},
    {HEED_COMP_RESOLUTION, "fixed", "is fixed"},
    {HEED_COMP_RESOLUTION, "fixed", "has|have been sorted"},
    {HEED_COMP_RESOLUTION, "fixed", "i've|we've sorted"},
    {HEED_COMP_RESOLUTION, "fixed", "all sorted"},
    {HEED_COMP_RESOLUTION, "fixed", "is|are sorted"},
    {HEED_COMP_RESOLUTION, "working again", "should now work"},
    {HEED_COMP_RESOLUTION, "working again", "should now be working"},
    {HEED_COMP_RESOLUTION, "working again", "is|are working again"},
    {HEED_COMP_RESOLUTION, "working again", "should be working again"},
    {HEED_COMP_RESOLUTION, "working again", "back up and running"},
    {HEED_COMP_RESOLUTION, "working again", "is|are back online"},
    {HEED_COMP_RESOLUTION, "working again", "has|have been restored"},
    {HEED_COMP_RESOLUTION, "working again", "is|are now restored"},
    {HEED_COMP_RESOLUTION, "working again", "should now be able to"},
    {HEED_COMP_RESOLUTION, "working again", "you can now"},
    {HEED_COMP_RESOLUTION, "working again", "you're all set"},
    {HEED_COMP_RESOLUTION, "working again", "you are all set"},
    {HEED_COMP_RESOLUTION, "resolution offered", "i|we can offer"},
    {HEED_COMP_RESOLUTION, "resolution offered", "i'd|we'd like to offer"},
    {HEED_COMP_RESOLUTION, "resolution offered", "i|we would like to offer"},
    {HEED_COMP_RESOLUTION, "resolution offered", "happy to offer"},
    {HEED_COMP_RESOLUTION, "resolution offered", "i'm|we're happy to"},
    {HEED_COMP_RESOLUTION, "resolution offered", "would you prefer"},
    {HEED_COMP_RESOLUTION, "resolution offered", "would you like a|us|me"},
    {HEED_COMP_RESOLUTION, "resolution offered", "i|we can either"},
    {HEED_COMP_RESOLUTION, "resolution offered", "your choice of"},
    /* an open offer of help */
    {HEED_COMP_OFFER_HELP, "offer of help", "how else can i|we help"},
    {HEED_COMP_OFFER_HELP, "offer of help", "anything else i|we can"},
    {HEED_COMP_OFFER_HELP, "offer of help", "is there anything else"},
    {HEED_COMP_OFFER_HELP, "offer of help", "if you need anything"},
    {HEED_COMP_OFFER_HELP, "offer of help", "if there's|theres anything"},
    {HEED_COMP_OFFER_HELP, "offer of help", "if there is anything"},
    {HEED_COMP_OFFER_HELP, "offer of help", "don't hesitate to"},
    {HEED_COMP_OFFER_HELP, "offer of help", "do not hesitate to"},
    {HEED_COMP_OFFER_HELP, "offer of help", "feel free to"},
    {HEED_COMP_OFFER_HELP, "offer of help", "happy to help"},
    {HEED_COMP_OFFER_HELP, "offer of help", "here to help"},
    {HEED_COMP_OFFER_HELP, "offer of help", "here if you need"},
    {HEED_COMP_OFFER_HELP, "offer of help", "any other questions"},
    {HEED_COMP_OFFER_HELP, "offer of help", "any further questions"},
    {HEED_COMP_OFFER_HELP, "offer of help", "if you have any questions"},
    {HEED_COMP_OFFER_HELP, "offer of help", "if you have any other"},
    {HEED_COMP_OFFER_HELP, "offer of help", "can i help with anything"},
    {HEED_COMP_OFFER_HELP, "offer of help", "what else can i|we do"},
    {HEED_COMP_OFFER_HELP, "offer of help", "anything more i|we can do"},
    /* next steps for the customer */
    {HEED_COMP_NEXT_STEP, "next step", "all you need to do is|now"},
    {HEED_COMP_NEXT_STEP, "next step", "all you have to do is"},
    {HEED_COMP_NEXT_STEP, "next step", "you just need to @step"},
    {HEED_COMP_NEXT_STEP, "next step", "you'll just need to @step"},
    {HEED_COMP_NEXT_STEP, "next step", "you can track"},
    {HEED_COMP_NEXT_STEP, "next step", "could|can you please @step"},
    {HEED_COMP_NEXT_STEP, "next step", "could|can you @step"},
    {HEED_COMP_NEXT_STEP, "next step", "if you could @step"},
    {HEED_COMP_NEXT_STEP, "next step", "if you could please @step"},
    {HEED_COMP_NEXT_STEP, "next step", "the next step is"},
    {HEED_COMP_NEXT_STEP, "next step", "the only thing you need"},
    /* deflection */
    {HEED_COMP_DEFLECTION, "not our department", "not our department"},
    {HEED_COMP_DEFLECTION, "not our department", "not something we handle|deal|cover"},
    {HEED_COMP_DEFLECTION, "not our department", "not something we can help|handle|deal"},
    {HEED_COMP_DEFLECTION, "not our department", "outside our remit"},
    {HEED_COMP_DEFLECTION, "not our department", "outside of our remit"},
    {HEED_COMP_DEFLECTION, "not our department", "we don't handle|deal|cover"},
    {HEED_COMP_DEFLECTION, "not our department", "we do not handle|deal|cover"},
    {HEED_COMP_DEFLECTION, "not our department", "that's handled by"},
    {HEED_COMP_DEFLECTION, "not our department", "is handled by another|a|the|our"},
    {HEED_COMP_DEFLECTION, "not our department", "we're not responsible for"},
    {HEED_COMP_DEFLECTION, "not our department", "we are not responsible for"},
    {HEED_COMP_DEFLECTION, "not our department", "take it up with"},
    {HEED_COMP_DEFLECTION, "not our department", "take this up with"},
    {HEED_COMP_DEFLECTION, "not our department", "a matter for the|your"},
    /* policy wall */
    {HEED_COMP_POLICY_WALL, "policy wall", "unfortunately our|the * policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "unfortunately our|the policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "unfortunately * policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "as per our|the * policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "as per our|the policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "per our policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "company policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "according to our|the policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "according to our|the * policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "against our|the policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "in line with our|the policy"},
    {HEED_COMP_POLICY_WALL, "policy wall", "policy does|doesn't not|allow|permit"},
    {HEED_COMP_POLICY_WALL, "policy wall", "policy doesn't allow|permit"},
    {HEED_COMP_POLICY_WALL, "policy wall", "policy is clear"},
    {HEED_COMP_POLICY_WALL, "policy wall", "policy states"},
    {HEED_COMP_POLICY_WALL, "policy wall", "our policy is"},
    {HEED_COMP_POLICY_WALL, "policy wall", "our terms and conditions state|do"},
    {HEED_COMP_POLICY_WALL, "policy wall", "unable to make an|any exception|exceptions"},
    {HEED_COMP_POLICY_WALL, "policy wall", "can't|cannot make an|any exception|exceptions"},
    {HEED_COMP_POLICY_WALL, "policy wall", "can't|cannot make exceptions"},
    {HEED_COMP_POLICY_WALL, "policy wall", "we don't make exceptions"},
    {HEED_COMP_POLICY_WALL, "policy wall", "no exceptions"},
    {HEED_COMP_POLICY_WALL, "policy wall", "rules are rules"},
    /* blame */
    {HEED_COMP_BLAME, "blame", "you should have"},
    {HEED_COMP_BLAME, "blame", "you should've"},
    {HEED_COMP_BLAME, "blame", "you ought to have"},
    {HEED_COMP_BLAME, "blame", "you failed to"},
    {HEED_COMP_BLAME, "blame", "you didn't read"},
    {HEED_COMP_BLAME, "blame", "you did not read"},
    {HEED_COMP_BLAME, "blame", "you didn't follow"},
    {HEED_COMP_BLAME, "blame", "you did not follow"},
    {HEED_COMP_BLAME, "blame", "you were supposed to"},
    {HEED_COMP_BLAME, "blame", "you were told"},
    {HEED_COMP_BLAME, "blame", "you agreed to"},
    {HEED_COMP_BLAME, "blame", "as stated in the|our terms"},
    {HEED_COMP_BLAME, "blame", "as clearly stated"},
    {HEED_COMP_BLAME, "blame", "as we told you"},
    {HEED_COMP_BLAME, "blame", "as previously explained"},
    {HEED_COMP_BLAME, "blame", "as i already explained"},
    {HEED_COMP_BLAME, "blame", "as already explained"},
    {HEED_COMP_BLAME, "blame", "your responsibility"},
    {HEED_COMP_BLAME, "blame", "your own fault"},
    {HEED_COMP_BLAME, "blame", "your fault"},
    {HEED_COMP_BLAME, "blame", "user error"},
    {HEED_COMP_BLAME, "blame", "you entered the wrong|an|incorrect"},
    {HEED_COMP_BLAME, "blame", "you provided the|an wrong|incorrect"},
    {HEED_COMP_BLAME, "blame", "if you had read"},
    {HEED_COMP_BLAME, "blame", "had you read"},
    {HEED_COMP_BLAME, "blame", "if you had checked"},
    /* nothing we can do */
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "nothing we|i can do"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "nothing more|else|further we|i can do"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "nothing we|i are|am able to do"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "isn't anything|much we|i can do"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "isn't anything more|else we|i can do"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "not much we|i can do"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "little we|i can do"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "our hands are tied"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "out of our hands"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "we're unable to help"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "we are unable to help"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "i'm unable to help"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "we can't|cannot help"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "i can't|cannot help"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "we can't|cannot do anything"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "i can't|cannot do anything"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "there's no way for us"},
    {HEED_COMP_NOTHING_WE_CAN_DO, "nothing we can do", "there is no way for us"},
};

_Static_assert(sizeof PHRASES / sizeof PHRASES[0] <= N_PHRASES_MAX, "N_PHRASES_MAX too small");
#define N_PHRASES (sizeof PHRASES / sizeof PHRASES[0])

/* The first phrase of the set at or after `from`, or PHRASE_WORDS * 64. */
static size_t next_phrase(const uint64_t *set, size_t from)
{
    size_t w = from / 64;
    if (w >= PHRASE_WORDS)
        return PHRASE_WORDS * 64;
    uint64_t b = set[w] & (UINT64_MAX << (from % 64));
    while (!b) {
        if (++w == PHRASE_WORDS)
            return PHRASE_WORDS * 64;
        b = set[w];
    }
    return w * 64 + (size_t)__builtin_ctzll(b);
}

/* Bytes of s before its first NUL, `a` or `b`: strcspn for the patterns'
 * short words, inline (the library call costs more than the scan). */
static size_t until2(const char *s, char a, char b)
{
    size_t n = 0;
    while (s[n] && s[n] != a && s[n] != b)
        n++;
    return n;
}

/* Length in tokens of pattern p matched at toks[i..hi), or 0. */
static size_t match_pat(const heed_token *toks, size_t i, size_t hi, const char *p)
{
    size_t n = 0;
    while (*p) {
        size_t wl = until2(p, ' ', ' ');
        if (i + n >= hi)
            return 0;
        const heed_token *t = &toks[i + n];
        int ok = 0;
        if (wl == 1 && *p == '*') {
            ok = t->kind == HEED_TOK_WORD;
        } else if (*p == '@') {
            const char *const *cls = class_of(p + 1, wl - 1);
            ok = cls && t->kind == HEED_TOK_WORD && in_list(t, cls);
        } else {
            for (const char *a = p; a < p + wl && !ok;) {
                size_t al = until2(a, '|', ' ');
                if (al > (size_t)(p + wl - a))
                    al = (size_t)(p + wl - a);
                ok = t->norm_len == al && heed__mem_eq(t->norm, a, al);
                a += al + 1;
            }
        }
        if (!ok)
            return 0;
        n++;
        p += wl;
        if (*p == ' ')
            p++;
    }
    return n;
}

/* Reads pattern p into x's slots as match_pat reads it; -1 when the
 * slots or alternatives run out. */
static int pat_compile(heed_compassion_index *x, const char *p)
{
    while (*p) {
        size_t wl = until2(p, ' ', ' ');
        if (x->n_slots >= PAT_SLOTS)
            return -1;
        pat_slot *sl = &x->slots[x->n_slots++];
        *sl = (pat_slot){(uint16_t)x->n_alts, 0, SLOT_ALTS, NULL};
        if (wl == 1 && *p == '*') {
            sl->kind = SLOT_ANY;
        } else if (*p == '@') {
            sl->kind = SLOT_CLASS;
            sl->cls = class_of(p + 1, wl - 1);
        } else {
            for (const char *a = p; a < p + wl;) {
                size_t al = until2(a, '|', ' ');
                if (al > (size_t)(p + wl - a))
                    al = (size_t)(p + wl - a);
                if (x->n_alts >= PAT_ALTS)
                    return -1;
                x->alts[x->n_alts++] = (pat_alt){a, al};
                sl->n++;
                a += al + 1;
            }
        }
        p += wl;
        if (*p == ' ')
            p++;
    }
    return 0;
}

/* match_pat of PHRASES[k] from its slots in x, the first `from` of them
 * taken as matched at i (the caller knows: toks[i] is among the first
 * slot's words, and i < hi). */
static size_t match_phrase(const heed_compassion_index *x, size_t k, const heed_token *toks,
                           size_t i, size_t hi, size_t from)
{
    const size_t ns = x->pat_n[k];
    const pat_slot *sl = &x->slots[x->pat_first[k] + (from < ns ? from : ns)];
    for (size_t n = from; n < ns; n++, sl++) {
        if (i + n >= hi)
            return 0;
        const heed_token *t = &toks[i + n];
        int ok = 0;
        if (sl->kind == SLOT_ANY) {
            ok = t->kind == HEED_TOK_WORD;
        } else if (sl->kind == SLOT_CLASS) {
            ok = sl->cls && t->kind == HEED_TOK_WORD && in_list(t, sl->cls);
        } else {
            for (const pat_alt *a = &x->alts[sl->first], *e = a + sl->n; a < e && !ok; a++)
                ok = t->norm_len == a->len && heed__mem_eq(t->norm, a->s, a->len);
        }
        if (!ok)
            return 0;
    }
    return ns;
}

static size_t first_find(const heed_compassion_index *x, uint64_t h, const char *s, size_t len);

/* For tests: PHRASES[k] matched at toks[i..hi) from x's slots as the stage
 * does (the return) and by match_pat (*plain); NULL pattern past the last
 * phrase. */
const char *heed__compassion_phrase_at(const heed_compassion_index *x, size_t k,
                                       const heed_token *toks, size_t i, size_t hi, size_t *got,
                                       size_t *plain);
const char *heed__compassion_phrase_at(const heed_compassion_index *x, size_t k,
                                       const heed_token *toks, size_t i, size_t hi, size_t *got,
                                       size_t *plain)
{
    if (k >= N_PHRASES)
        return NULL;
    /* as the stage matches: from the second slot when the word's entry
     * lists the phrase (and no word at all could start it) */
    size_t from = 0;
    if (i < hi && toks[i].kind == HEED_TOK_WORD && !(x->any[k / 64] >> (k % 64) & 1u)) {
        const heed_token *t = &toks[i];
        const uint64_t h = heed__hash(t->norm, t->norm_len);
        from = x->first[first_find(x, h, t->norm, t->norm_len)].phrases[k / 64] >> (k % 64) & 1u;
    }
    *got = match_phrase(x, k, toks, i, hi, from);
    *plain = match_pat(toks, i, hi, PHRASES[k].pat);
    return PHRASES[k].pat;
}

/* ---------------------------------------------------------------- cues */

typedef struct cues {
    heed_cue *v;
    size_t n, cap;
} cues;

static const float POINTS[HEED_COMP_COUNT] = {15, 30, 10, 15, 20, 5, 20, 20, 30, 30, 15};

static void push(cues *c, const heed_token *toks, size_t a, size_t b, int sig, const char *what,
                 int suppressed)
{
    if (c->n >= c->cap || b <= a)
        return;
    heed_cue *q = &c->v[c->n++];
    q->start = toks[a].start;
    q->len = toks[b - 1].start + toks[b - 1].len - toks[a].start;
    q->component = (uint16_t)sig;
    q->flags = suppressed ? HEED_CUE_SUPPRESSED : 0;
    q->weight = 0;
    q->what = what;
}

/* Is [a, b) already covered by a cue of signal sig? */
static int covered(const cues *c, const heed_token *toks, size_t a, int sig)
{
    for (size_t k = 0; k < c->n; k++)
        if (c->v[k].component == sig && toks[a].start >= c->v[k].start &&
            toks[a].start < c->v[k].start + c->v[k].len)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- rules */

static const act_verb *act_verb_of(const heed_token *t)
{
    for (const act_verb *v = ACT_VERBS; v->w; v++)
        if (heed__reply_word(t, v->w))
            return v;
    return NULL;
}

static int clause_has(const heed_token *toks, size_t cs, size_t ce, const char *const *words)
{
    for (size_t j = cs; j < ce; j++)
        if (in_list(&toks[j], words))
            return 1;
    return 0;
}

static const char *const REFUND_NOUNS[] = {"refund", "refunds",    "reimbursement",
                                           "money",  "chargeback", NULL};
static const char *const REPLACE_NOUNS[] = {"replacement", "replacements", NULL};
static const char *const CREDIT_NOUNS[] = {
    "credit", "fee", "fees", "charge", "charges", "voucher", "compensation", "discount", NULL};
static const char *const ACCOUNT_NOUNS[] = {"account", "card", "password", "login",
                                            "access",  "pin",  NULL};
static const char *const CANCEL_NOUNS[] = {"order",    "subscription", "booking",
                                           "contract", "plan",         "membership",
                                           "payment",  "direct",       NULL};
static const char *const REF_WORDS[] = {"reference", "ref", "case", "ticket", "number", NULL};

static int has_reference(const heed_token *toks, size_t lo, size_t hi)
{
    for (size_t j = lo; j < hi; j++) {
        if (toks[j].kind == HEED_TOK_ID || toks[j].kind == HEED_TOK_HASHTAG)
            return 1;
        if (toks[j].kind == HEED_TOK_NUMBER && toks[j].norm_len >= 4)
            return 1;
        if (in_list(&toks[j], REF_WORDS))
            return 1;
    }
    return 0;
}

/* The label of an action at verb v in the clause [cs, ce) of sentence [lo, hi). */
static const char *action_label(const heed_token *toks, const act_verb *v, size_t cs, size_t ce,
                                size_t lo, size_t hi)
{
    const char *w = v->what;
    if (!strcmp(w, "escalated"))
        return has_reference(toks, lo, hi) ? "escalated with reference" : "escalated";
    if (!strcmp(w, "order cancelled") && !clause_has(toks, cs, ce, CANCEL_NOUNS))
        return "action taken";
    if (!strcmp(w, "order cancelled") || !strcmp(w, "account unlocked") ||
        !strcmp(w, "repair arranged"))
        return w;
    if (clause_has(toks, cs, ce, REFUND_NOUNS))
        return "refund issued";
    if (clause_has(toks, cs, ce, REPLACE_NOUNS))
        return "replacement sent";
    if (clause_has(toks, cs, ce, CREDIT_NOUNS))
        return "credit applied";
    if (!strcmp(w, "credit applied") || !strcmp(w, "refund issued") ||
        !strcmp(w, "replacement sent"))
        return w;
    if (clause_has(toks, cs, ce, ACCOUNT_NOUNS) && heed__reply_word(&toks[cs], "i"))
        return "account unlocked";
    return w;
}

/* Ownership and action in the clause [cs, ce). */
static void own_and_act(const heed_token *toks, const uint8_t *lb, size_t cs, size_t ce, size_t lo,
                        size_t hi, cues *c)
{
    for (size_t i = cs; i < ce; i++) {
        const heed_token *t = &toks[i];
        if (t->kind != HEED_TOK_WORD)
            continue;
        /* ownership: a first-person commitment and an action verb */
        size_t m = 0;
        if (heed__reply_word(t, "i'll") || heed__reply_word(t, "i've"))
            m = 1;
        else if (heed__reply_word(t, "i") && i + 1 < ce &&
                 (heed__reply_word(&toks[i + 1], "will") ||
                  heed__reply_word(&toks[i + 1], "have") ||
                  heed__reply_word(&toks[i + 1], "personally")))
            m = 2;
        else if (heed__reply_word(t, "let") && i + 1 < ce && heed__reply_word(&toks[i + 1], "me"))
            m = 2;
        else if ((heed__reply_word(t, "i'm") && i + 2 < ce &&
                  heed__reply_word(&toks[i + 1], "going") && heed__reply_word(&toks[i + 2], "to")))
            m = 3;
        else if (heed__reply_word(t, "leave") && match_pat(toks, i, ce, "leave it|this with me"))
            m = 0, push(c, toks, i, i + 4, HEED_COMP_OWNERSHIP, "ownership",
                        heed__reply_suppressed(toks, cs, i) != NULL);
        if (m) {
            for (size_t j = i + m; j < ce && j <= i + m + 2; j++) {
                if (lb[j] & LB_OWN) {
                    if (!covered(c, toks, i, HEED_COMP_OWNERSHIP))
                        push(c, toks, i, j + 1, HEED_COMP_OWNERSHIP, "ownership",
                             heed__reply_suppressed(toks, cs, i) != NULL);
                    break;
                }
                if (!(lb[j] & LB_SKIP) && !heed__reply_word(&toks[j], "personally"))
                    break;
            }
        }
        /* action: a commitment, then an action verb within four words */
        if (is_commit1(t) && !(heed__reply_word(t, "let") &&
                               !(i + 1 < ce && heed__reply_word(&toks[i + 1], "me")))) {
            for (size_t j = i + 1; j < ce && j <= i + 4; j++) {
                const act_verb *v = lb[j] & LB_ACT ? act_verb_of(&toks[j]) : NULL;
                if (v) {
                    /* "we've sent you an email" is no action; "I'd send" needs like */
                    if (covered(c, toks, j, HEED_COMP_ACTION))
                        break;
                    const char *why = heed__reply_suppressed(toks, cs, j);
                    push(c, toks, i, j + 1, HEED_COMP_ACTION, action_label(toks, v, cs, ce, lo, hi),
                         why != NULL);
                    break;
                }
                if (!(lb[j] & LB_SKIP) && !is_commit1(&toks[j]) &&
                    !(toks[j].kind == HEED_TOK_WORD && toks[j].norm_len > 2 &&
                      !memcmp(toks[j].norm + toks[j].norm_len - 2, "ly", 2)))
                    break;
            }
        }
        /* "a replacement is on its way", "your refund is on the way" */
        if (heed__reply_word(t, "on") && i + 2 < ce &&
            (heed__reply_word(&toks[i + 1], "its") || heed__reply_word(&toks[i + 1], "the") ||
             heed__reply_word(&toks[i + 1], "their")) &&
            heed__reply_word(&toks[i + 2], "way") && !covered(c, toks, cs, HEED_COMP_ACTION)) {
            const char *lab = clause_has(toks, cs, i, REFUND_NOUNS)    ? "refund issued"
                              : clause_has(toks, cs, i, REPLACE_NOUNS) ? "replacement sent"
                                                                       : "action taken";
            push(c, toks, cs, i + 3, HEED_COMP_ACTION, lab,
                 heed__reply_suppressed(toks, cs, i) != NULL);
        }
    }
}

/* A clause that opens with a small step: "please reply with", "click the link". */
static void next_step(const heed_token *toks, const uint8_t *lb, size_t cs, size_t ce, cues *c)
{
    size_t p = cs;
    if (heed__reply_word(&toks[cs], "and"))
        return; /* "... and follow up with you": the verb of the clause before */
    while (p < ce && (toks[p].kind != HEED_TOK_WORD || heed__reply_word(&toks[p], "please") ||
                      heed__reply_word(&toks[p], "kindly") || heed__reply_word(&toks[p], "just") ||
                      heed__reply_word(&toks[p], "simply") || heed__reply_word(&toks[p], "then") ||
                      heed__reply_word(&toks[p], "now") || heed__reply_word(&toks[p], "first") ||
                      heed__reply_word(&toks[p], "and") || heed__reply_word(&toks[p], "so")))
        p++;
    if (p >= ce || !(lb[p] & LB_SMALL) || p + 1 >= ce)
        return;
    /* an imperative is followed by an object or a particle, not a verb form */
    const heed_token *n = &toks[p + 1];
    if (heed__reply_word(n, "is") || heed__reply_word(n, "was") || heed__reply_word(n, "has") ||
        heed__reply_word(n, "will") || heed__reply_word(n, "you") || n->kind == HEED_TOK_PUNCT)
        return;
    /* "please contact your bank" is a deflection, handled elsewhere */
    size_t e = p + 4 < ce ? p + 4 : ce;
    push(c, toks, p, e, HEED_COMP_NEXT_STEP, "next step",
         heed__reply_suppressed(toks, cs, p) != NULL);
}

/* Deflection: "you'll need to contact your bank", "please call the courier". */
static const char *const CONTACT_VERBS[] = {
    "contact", "call",  "ring", "phone", "email", "e-mail", "speak", "talk",  "reach",
    "ask",     "write", "get",  "go",    "raise", "direct", "refer", "check", NULL};

static void deflection(const heed_token *toks, const uint8_t *lb, size_t cs, size_t ce, cues *c)
{
    for (size_t i = cs; i < ce; i++) {
        if (!(lb[i] & LB_CONTACT))
            continue;
        /* a third party within the next five words */
        size_t e = i + 6 < ce ? i + 6 : ce, j;
        int other = 0;
        for (j = i + 1; j < e; j++) {
            if (heed__reply_word(&toks[j], "us") || heed__reply_word(&toks[j], "me"))
                break;
            if (heed__reply_word(&toks[j], "other") || heed__reply_word(&toks[j], "another") ||
                heed__reply_word(&toks[j], "their") || heed__reply_word(&toks[j], "different") ||
                heed__reply_word(&toks[j], "separate"))
                other = 1;
            if ((lb[j] & LB_THIRD) || (other && (heed__reply_word(&toks[j], "team") ||
                                                 heed__reply_word(&toks[j], "teams"))))
                break;
        }
        /* "you'll need to contact Apple": told to go elsewhere, whoever it is */
        int must =
            i >= cs + 2 && heed__reply_word(&toks[i - 1], "to") &&
            (heed__reply_word(&toks[i - 2], "need") || heed__reply_word(&toks[i - 2], "have"));
        if (j < e && (heed__reply_word(&toks[j], "us") || heed__reply_word(&toks[j], "me")))
            continue;
        if (j >= e && !must)
            continue;
        if (j >= e)
            j = i + 1 < ce ? i + 1 : i;
        /* told to the customer: "you'll need to", "you have to", "please", an
         * imperative opening the clause */
        size_t s = i > cs + 5 ? i - 5 : cs;
        int told = 0;
        for (size_t k = s; k < i && !told; k++)
            told = heed__reply_word(&toks[k], "you") || heed__reply_word(&toks[k], "you'll") ||
                   heed__reply_word(&toks[k], "you'd") || heed__reply_word(&toks[k], "please") ||
                   heed__reply_word(&toks[k], "kindly") || heed__reply_word(&toks[k], "best");
        size_t p = cs;
        while (p < i && toks[p].kind != HEED_TOK_WORD)
            p++;
        told = told || p == i;
        if (!told)
            continue;
        size_t a = s;
        while (a < i &&
               !(heed__reply_word(&toks[a], "you") || heed__reply_word(&toks[a], "you'll") ||
                 heed__reply_word(&toks[a], "you'd") || heed__reply_word(&toks[a], "please") ||
                 heed__reply_word(&toks[a], "kindly") || heed__reply_word(&toks[a], "best")))
            a++;
        push(c, toks, a, j + 1, HEED_COMP_DEFLECTION, "sent elsewhere",
             heed__reply_suppressed(toks, cs, i) != NULL);
        return;
    }
}

/* Near-misses of blame: "you should have received an email" is information. */
static int blame_near_miss(const heed_token *toks, size_t j, size_t ce)
{
    static const char *const INFO[] = {"received", "got",    "gotten", "been",    "seen",
                                       "had",      "access", "a",      "an",      "the",
                                       "your",     "one",    "heard",  "already", NULL};
    return j < ce && in_list(&toks[j], INFO);
}

static const char *const FUTURE[] = {
    "will",   "i'll",    "we'll",   "it'll",   "you'll",   "shall",    "going",
    "should", "expect",  "arrive",  "arrives", "arriving", "due",      "scheduled",
    "aim",    "planned", "they'll", "be",      "reach",    "expected", NULL};

static void time_frames(const heed_token *toks, const uint8_t *lb, size_t cs, size_t ce, size_t lo,
                        size_t hi, cues *c)
{
    heed_timebase tb = {0, 0, 0};
    for (size_t i = cs; i < ce; i++) {
        /* no expression starts at any other token */
        if (!(lb[i] & LB_TIME) && toks[i].kind != HEED_TOK_DATE && toks[i].kind != HEED_TOK_NUMBER)
            continue;
        heed_timexpr te;
        size_t n = heed__timexpr_at(toks, i, ce, &tb, &te);
        if (!n)
            continue;
        if (te.forward || clause_has(toks, lo, hi, FUTURE) || clause_has(toks, cs, ce, COMMIT1))
            push(c, toks, i, i + n, HEED_COMP_TIME_FRAME, "time frame",
                 heed__reply_suppressed(toks, cs, i) != NULL);
        i += n - 1;
    }
}

static const char *const APOLOGY[] = {"sorry",       "apologise", "apologize",
                                      "apologies",   "apology",   "apologising",
                                      "apologizing", "regret",    NULL};

static int cue_cmp(const void *pa, const void *pb)
{
    const heed_cue *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return (a->component > b->component) - (a->component < b->component);
}

/* The lists of the LB_* bits (list NULL: the words of ACT_VERBS, or for
 * LB_TIME heed__timexpr_start_word). */
static const struct {
    const char *const *list;
    unsigned bit;
} LISTS[] = {{CONTACT_VERBS, LB_CONTACT}, {THIRD_PARTIES, LB_THIRD},
             {SMALL_STEPS, LB_SMALL},     {OWN_VERBS, LB_OWN},
             {ACT_SKIP, LB_SKIP},         {NULL, LB_ACT},
             {APOLOGY, LB_APOLOGY},       {NULL, LB_TIME}};

/* The k-th word of LISTS[l], NULL past the last. */
static const char *list_word(size_t l, size_t k)
{
    if (LISTS[l].list)
        return LISTS[l].list[k];
    return LISTS[l].bit == LB_ACT ? ACT_VERBS[k].w : heed__timexpr_start_word(k);
}

/* The LB_* bits of the token t by scanning the lists: the stage's way
 * without an index, and the reference its table is tested against. */
static unsigned list_bits_scan(const heed_token *t)
{
    unsigned b = 0;
    for (size_t l = 0; l < sizeof LISTS / sizeof *LISTS; l++)
        for (size_t k = 0, hit = 0; !hit && list_word(l, k); k++)
            if ((hit = heed__reply_word(t, list_word(l, k))) != 0)
                b |= LISTS[l].bit;
    return b;
}

/* ---------------------------------------------------------------- stage */

/* The index of the word s[0..len) (h: its hash) in the first-word table:
 * its entry, or the empty one where it would go. */
static size_t first_find(const heed_compassion_index *x, uint64_t h, const char *s, size_t len)
{
    size_t i = (size_t)(h ^ (h >> 32)) & (FIRST_CAP - 1);
    while (x->first[i].s &&
           !(x->first[i].h == h && x->first[i].len == len && heed__mem_eq(x->first[i].s, s, len)))
        i = (i + 1) & (FIRST_CAP - 1);
    return i;
}

int heed__compassion_new(heed_compassion_index **out)
{
    heed_compassion_index *x = heed__malloc(sizeof *x);
    *out = x;
    if (!x)
        return HEED_ENOMEM;
    memset(x, 0, sizeof *x);
    for (size_t k = 0; k < sizeof PHRASES / sizeof PHRASES[0]; k++) {
        const char *p = PHRASES[k].pat;
        x->pat_first[k] = (uint16_t)x->n_slots;
        if (pat_compile(x, p)) { /* a bug: PHRASES outgrew the slots */
            heed__free(x);
            *out = NULL;
            return HEED_EINVAL;
        }
        x->pat_n[k] = (uint16_t)(x->n_slots - x->pat_first[k]);
        size_t wl = strcspn(p, " ");
        for (const char *a = p; a < p + wl; a += strcspn(a, "| ") + 1) {
            size_t al = strcspn(a, "| ");
            if (*a == '*' || *a == '@') {
                x->any[k / 64] |= 1ull << (k % 64); /* any word */
            } else {
                const uint64_t h = heed__hash(a, al);
                first_word *f = &x->first[first_find(x, h, a, al)];
                if (!f->s) {
                    if (++x->n_first > FIRST_CAP / 2) { /* a bug: PHRASES outgrew the table */
                        heed__free(x);
                        *out = NULL;
                        return HEED_EINVAL;
                    }
                    *f = (first_word){a, al, h, {0}, 0};
                }
                f->phrases[k / 64] |= 1ull << (k % 64);
            }
            if (a[al] != '|')
                break;
        }
    }
    for (size_t l = 0; l < sizeof LISTS / sizeof *LISTS; l++)
        for (size_t k = 0;; k++) {
            const char *w = list_word(l, k);
            if (!w)
                break;
            const size_t n = strlen(w);
            const uint64_t h = heed__hash(w, n);
            first_word *f = &x->first[first_find(x, h, w, n)];
            if (!f->s) {
                /* a bug: the lists outgrew the table, or a word does not
                 * start with a-z (the stage looks up only such tokens) */
                if (++x->n_first > FIRST_CAP / 2 || !(w[0] >= 'a' && w[0] <= 'z')) {
                    heed__free(x);
                    *out = NULL;
                    return HEED_EINVAL;
                }
                *f = (first_word){w, n, h, {0}, 0};
            }
            f->lists |= LISTS[l].bit;
        }
    return HEED_OK;
}

/* For tests: the LB_* bits of t from x's table, as the stage finds them,
 * and (*scan) from the lists. */
unsigned heed__compassion_list_bits(const heed_compassion_index *x, const heed_token *t,
                                    unsigned *scan);
unsigned heed__compassion_list_bits(const heed_compassion_index *x, const heed_token *t,
                                    unsigned *scan)
{
    *scan = list_bits_scan(t);
    if (t->kind != HEED_TOK_WORD && !(t->norm_len && t->norm[0] >= 'a' && t->norm[0] <= 'z'))
        return 0;
    return x->first[first_find(x, heed__hash(t->norm, t->norm_len), t->norm, t->norm_len)].lists;
}

/* For tests: the k-th word of the l-th list of LB_* bits (NULL past the last
 * word, or the last list). */
const char *heed__compassion_list_word(size_t l, size_t k);
const char *heed__compassion_list_word(size_t l, size_t k)
{
    if (l >= sizeof LISTS / sizeof *LISTS)
        return NULL;
    return list_word(l, k);
}

void heed__compassion_free(heed_compassion_index *x)
{
    heed__free(x);
}

int heed__compassion(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                     const heed_result *ctx)
{
    return heed__compassion_th(x, a, r, ctx, NULL);
}

int heed__compassion_th(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                        const heed_result *ctx, const uint64_t *th)
{
    const size_t *ends;
    return heed__compassion_ends(x, a, r, ctx, th, &ends);
}

int heed__compassion_ends(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                          const heed_result *ctx, const uint64_t *th, const size_t **ends)
{
    *ends = NULL;
    (void)ctx; /* the signals are read from the reply alone */
    const heed_token *toks = r->tokens;
    size_t cap = 2 * r->n_tokens + 8; /* a token opens at most a few cues */
    cues c = {heed__arena_alloc(a, cap * sizeof(heed_cue)), 0, cap};
    /* end[cs]: the end of the clause that starts at cs, found in the first
     * walk over a sentence's clauses and read in the second */
    size_t *end = heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof *end);
    /* each token's lists (LB_*) and, with an index, its entry in it */
    uint8_t *lb = heed__arena_alloc(a, r->n_tokens ? r->n_tokens : 1);
    const first_word **fw =
        x ? heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof *fw) : NULL;
    if (!c.v || !end || !lb || (x && !fw))
        return HEED_ENOMEM;
    for (size_t i = 0; i < r->n_tokens; i++) {
        const heed_token *t = &toks[i];
        if (!x) {
            lb[i] = (uint8_t)list_bits_scan(t);
            continue;
        }
        /* a list word starts with a-z (heed__compassion_new checks): other
         * tokens need an entry only for the phrases, which start at words */
        static const first_word none = {0};
        if (t->kind == HEED_TOK_WORD || (t->norm_len && t->norm[0] >= 'a' && t->norm[0] <= 'z')) {
            const uint64_t h = th ? th[i] : heed__hash(t->norm, t->norm_len);
            fw[i] = &x->first[first_find(x, h, t->norm, t->norm_len)];
        } else {
            fw[i] = &none;
        }
        lb[i] = (uint8_t)fw[i]->lists;
    }
    size_t apology = SIZE_MAX;
    for (size_t s = 0; s < r->n_sentences; s++) {
        size_t lo = r->sentences[s].first_token, hi = lo + r->sentences[s].n_tokens;
        for (size_t cs = lo, ce; cs < hi; cs = ce) {
            ce = end[cs] = heed__reply_clause_end(toks, cs, hi);
            own_and_act(toks, lb, cs, ce, lo, hi, &c);
            next_step(toks, lb, cs, ce, &c);
            deflection(toks, lb, cs, ce, &c);
            time_frames(toks, lb, cs, ce, lo, hi, &c);
        }
        /* fixed phrases: matched over the sentence, suppressed by their clause */
        for (size_t cs = lo, ce; cs < hi; cs = ce) {
            ce = end[cs];
            for (size_t i = cs; i < hi; i++) {
                if (toks[i].kind != HEED_TOK_WORD)
                    continue;
                if (i < ce && apology == SIZE_MAX && (lb[i] & LB_APOLOGY) &&
                    !heed__reply_suppressed(toks, cs, i))
                    apology = i;
                if (i >= ce)
                    break;
                /* the phrases that can start at this word (without an
                 * index: all of them), in PHRASES order */
                uint64_t cand[PHRASE_WORDS];
                if (x) {
                    const first_word *f = fw[i];
                    for (size_t w = 0; w < PHRASE_WORDS; w++)
                        cand[w] = x->any[w] | f->phrases[w];
                } else {
                    for (size_t w = 0; w < PHRASE_WORDS; w++) {
                        const size_t left = N_PHRASES - w * 64;
                        cand[w] = w * 64 >= N_PHRASES ? 0
                                  : left >= 64        ? UINT64_MAX
                                                      : (1ull << left) - 1;
                    }
                }
                for (size_t k = next_phrase(cand, 0); k < N_PHRASES; k = next_phrase(cand, k + 1)) {
                    const phrase *ph = &PHRASES[k];
                    /* a phrase found by the word's entry, not as one any word
                     * starts, has the word among its first slot's: matched */
                    const size_t from = x && !(x->any[k / 64] >> (k % 64) & 1u) ? 1 : 0;
                    size_t n =
                        x ? match_phrase(x, k, toks, i, hi, from) : match_pat(toks, i, hi, ph->pat);
                    if (!n || covered(&c, toks, i, ph->signal))
                        continue;
                    if (ph->signal == HEED_COMP_BLAME && ph->pat[0] == 'y' &&
                        strstr(ph->pat, "have") && blame_near_miss(toks, i + n, hi))
                        continue;
                    if (ph->signal == HEED_COMP_POLICY_WALL && i >= 2 &&
                        heed__reply_word(&toks[i - 1], "to") &&
                        (heed__reply_word(&toks[i - 2], "exception") ||
                         heed__reply_word(&toks[i - 2], "exceptions")))
                        continue; /* "an exception to our policy" */
                    const char *why = heed__reply_suppressed(toks, cs, i);
                    /* "once it is delivered there's nothing we can do" is
                     * still a refusal: only a negator stops a negative one */
                    if (why && (HEED_COMPASSION_NEGATIVE >> ph->signal & 1u) &&
                        strcmp(why, "negated"))
                        why = NULL;
                    push(&c, toks, i, i + n, ph->signal, ph->what, why != NULL);
                }
            }
        }
    }
    uint32_t sig = 0;
    for (size_t k = 0; k < c.n; k++)
        if (!(c.v[k].flags & HEED_CUE_SUPPRESSED))
            sig |= 1u << c.v[k].component;
    /* a next step that only sends the customer elsewhere is no next step */
    const uint32_t action_bearing = 1u << HEED_COMP_OWNERSHIP | 1u << HEED_COMP_ACTION |
                                    1u << HEED_COMP_NEXT_STEP | 1u << HEED_COMP_TIME_FRAME |
                                    1u << HEED_COMP_RESOLUTION;
    if (apology != SIZE_MAX && !(sig & action_bearing)) {
        size_t e = apology + 1;
        const heed_token *t = &toks[apology];
        size_t hi = r->sentences[t->sentence].first_token + r->sentences[t->sentence].n_tokens;
        while (e < hi && e < apology + 5 && toks[e].kind == HEED_TOK_WORD)
            e++;
        push(&c, toks, apology, e, HEED_COMP_GENERIC_APOLOGY, "apology without action", 0);
        sig |= 1u << HEED_COMP_GENERIC_APOLOGY;
    }
    qsort(c.v, c.n, sizeof *c.v, cue_cmp);
    /* weights: the points each signal adds or takes, on its first cue */
    double score = 20;
    uint32_t weighted = 0;
    for (size_t k = 0; k < c.n; k++) {
        heed_cue *q = &c.v[k];
        if ((q->flags & HEED_CUE_SUPPRESSED) || (weighted >> q->component & 1u))
            continue;
        weighted |= 1u << q->component;
        int neg = (HEED_COMPASSION_NEGATIVE >> q->component) & 1u;
        q->weight = neg ? -POINTS[q->component] : POINTS[q->component];
        score += q->weight;
    }
    r->compassion.available = 1;
    r->compassion.score = score < 0 ? 0 : score > 100 ? 100 : score;
    r->compassion.signals = sig;
    r->compassion.cues = c.n ? c.v : NULL;
    r->compassion.n_cues = c.n;
    *ends = end;
    return HEED_OK;
}

/* For tests: is_commit1 (the return) and in_list of COMMIT1 (*plain). */
int heed__reply_commit1(const heed_token *t, int *plain);
int heed__reply_commit1(const heed_token *t, int *plain)
{
    *plain = in_list(t, COMMIT1);
    return is_commit1(t);
}
