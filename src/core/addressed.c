/* addressed.c - the addressed stage (familiar.h): does the reply meet what the
 * customer asked? Each reply sentence gets lexical evidence (need topic words,
 * a time, a place or link, steps, an amount, a reason, a clear yes/no, an
 * action; and the compassion cues and promises when those stages ran); each of
 * the customer's asks is matched to the sentence that best answers its need
 * and question type. See docs/familiar.md. */
#include "familiar.h"

#include <string.h>

#include "hash.h"

/* Evidence a reply sentence carries. */
enum {
    EV_TIME = 1u << 0,
    EV_PLACE = 1u << 1,
    EV_STEPS = 1u << 2,
    EV_AMOUNT = 1u << 3,
    EV_REASON = 1u << 4,
    EV_YESNO = 1u << 5,
    EV_ACTION = 1u << 6,
    EV_STEP_VERB = 1u << 7, /* steps only when it opens the sentence */
};

#define NONE 0
#define B(n) (1u << (n))

typedef struct cue_word {
    const char *phrase; /* normalised words, one space apart */
    uint8_t ev;         /* EV_* */
    uint16_t needs;     /* bits of the HEED_NEED_* whose topic it names */
} cue_word;

enum {
    RF = HEED_NEED_REFUND,
    DL = HEED_NEED_DELIVERY,
    BL = HEED_NEED_BILLING,
    AC = HEED_NEED_ACCOUNT,
    CN = HEED_NEED_CANCELLATION,
    FT = HEED_NEED_FAULT,
    CH = HEED_NEED_CHANGE,
    PR = HEED_NEED_PRODUCT,
    CP = HEED_NEED_COMPLAINT,
    PS = HEED_NEED_PRAISE,
};

/* Sorted bytewise (test_addressed checks): the entries starting with one
 * word are contiguous, found by binary search. */
static const cue_word CUES[] = {
    {"2fa", 0, B(AC)},
    {"able to", EV_YESNO, NONE},
    {"absolutely", EV_YESNO, NONE},
    {"access", 0, B(AC)},
    {"account", 0, B(AC)},
    {"added", EV_ACTION, NONE},
    {"address", EV_PLACE, B(CH)},
    {"afraid", EV_YESNO, NONE},
    {"afternoon", EV_TIME, NONE},
    {"amend", 0, B(CH)},
    {"amended", EV_ACTION, B(CH)},
    {"amount", EV_AMOUNT, B(BL)},
    {"app", EV_PLACE, NONE},
    {"applied", EV_ACTION, NONE},
    {"appreciate", 0, B(PS)},
    {"approved", EV_ACTION, NONE},
    {"april", EV_TIME, NONE},
    {"are being", EV_ACTION, NONE},
    {"arrange", 0, NONE},
    {"arranged", EV_ACTION, NONE},
    {"arrival", 0, B(DL)},
    {"arrive", 0, B(DL)},
    {"arrived", 0, B(DL)},
    {"arrives", 0, B(DL)},
    {"arriving", 0, B(DL)},
    {"as a result", EV_REASON, NONE},
    {"august", EV_TIME, NONE},
    {"availability", 0, B(PR)},
    {"available", 0, B(PR)},
    {"because", EV_REASON, NONE},
    {"bill", 0, B(BL)},
    {"billing", EV_PLACE, B(BL)},
    {"booked", EV_ACTION, NONE},
    {"branch", EV_PLACE, NONE},
    {"broken", 0, B(FT)},
    {"bug", 0, B(FT)},
    {"business days", EV_TIME, NONE},
    {"by the end", EV_TIME, NONE},
    {"cancel", 0, B(CN)},
    {"canceled", EV_ACTION, B(CN)},
    {"cancellation", 0, B(CN)},
    {"cancelled", EV_ACTION, B(CN)},
    {"caused", EV_REASON, NONE},
    {"certainly", EV_YESNO, NONE},
    {"change", 0, B(CH)},
    {"changed", EV_ACTION, B(CH)},
    {"charge", 0, B(BL)},
    {"charged", 0, B(BL)},
    {"charges", 0, B(BL)},
    {"check", EV_STEP_VERB, NONE},
    {"choose", EV_STEP_VERB, NONE},
    {"clear", EV_STEP_VERB, NONE},
    {"click", EV_STEP_VERB, NONE},
    {"collection point", EV_PLACE, B(DL)},
    {"color", 0, B(PR)},
    {"colour", 0, B(PR)},
    {"compatible", 0, B(PR)},
    {"compensation", 0, B(RF)},
    {"complaint", 0, B(CP)},
    {"confirmed", EV_ACTION, NONE},
    {"contract", 0, B(CN)},
    {"corrected", EV_ACTION, NONE},
    {"cost", EV_AMOUNT, B(PR)},
    {"costs", EV_AMOUNT, B(PR)},
    {"courier", EV_PLACE, B(DL)},
    {"crash", 0, B(FT)},
    {"crashing", 0, B(FT)},
    {"credit", 0, B(RF)},
    {"credited", EV_ACTION, B(RF)},
    {"days", EV_TIME, NONE},
    {"december", EV_TIME, NONE},
    {"definitely", EV_YESNO, NONE},
    {"deliver", 0, B(DL)},
    {"delivered", 0, B(DL)},
    {"delivers", 0, B(DL)},
    {"delivery", 0, B(DL)},
    {"depot", EV_PLACE, B(DL)},
    {"details", 0, B(CH)},
    {"dispatch", 0, B(DL)},
    {"dispatched", EV_ACTION, B(DL)},
    {"download", EV_STEP_VERB, NONE},
    {"driver", 0, B(DL)},
    {"due to", EV_REASON, NONE},
    {"edit", 0, B(CH)},
    {"engineer", 0, B(FT)},
    {"enter", EV_STEP_VERB, NONE},
    {"error", 0, B(FT)},
    {"escalated", EV_ACTION, B(CP)},
    {"evening", EV_TIME, NONE},
    {"exchange", 0, B(RF)},
    {"faulty", 0, B(FT)},
    {"feature", 0, B(PR)},
    {"features", 0, B(PR)},
    {"february", EV_TIME, NONE},
    {"fee", EV_AMOUNT, B(BL)},
    {"feedback", 0, B(CP)},
    {"fees", EV_AMOUNT, B(BL)},
    {"finally", EV_STEPS, NONE},
    {"first,", EV_STEPS, NONE},
    {"fix", 0, B(FT)},
    {"fixed", EV_ACTION, B(FT)},
    {"follow", EV_STEPS, NONE},
    {"free", EV_AMOUNT, NONE},
    {"friday", EV_TIME, NONE},
    {"glad", 0, B(PS)},
    {"go to", EV_STEPS, NONE},
    {"has been", EV_ACTION, NONE},
    {"have been", EV_ACTION, NONE},
    {"hours", EV_TIME, NONE},
    {"i am going to", EV_ACTION, NONE},
    {"i have", EV_ACTION, NONE},
    {"i will", EV_ACTION, NONE},
    {"i'll", EV_ACTION, NONE},
    {"i'm going to", EV_ACTION, NONE},
    {"i've", EV_ACTION, NONE},
    {"in transit", EV_PLACE, B(DL)},
    {"install", EV_STEP_VERB, NONE},
    {"instructions", EV_STEPS, NONE},
    {"invoice", 0, B(BL)},
    {"is being", EV_ACTION, NONE},
    {"issued", EV_ACTION, NONE},
    {"it is", EV_YESNO, NONE},
    {"it isn't", EV_YESNO, NONE},
    {"it's", EV_YESNO, NONE},
    {"january", EV_TIME, NONE},
    {"july", EV_TIME, NONE},
    {"june", EV_TIME, NONE},
    {"let me", EV_ACTION, NONE},
    {"link", EV_PLACE | EV_STEPS, NONE},
    {"locked", 0, B(AC)},
    {"locker", EV_PLACE, B(DL)},
    {"log in", EV_STEPS, B(AC)},
    {"log out", EV_STEP_VERB, NONE},
    {"login", 0, B(AC)},
    {"make sure", EV_STEP_VERB, NONE},
    {"manager", 0, B(CP)},
    {"march", EV_TIME, NONE},
    {"may", EV_TIME, NONE},
    {"membership", 0, B(CN)},
    {"minutes", EV_TIME, NONE},
    {"model", 0, B(PR)},
    {"modify", 0, B(CH)},
    {"monday", EV_TIME, NONE},
    {"money back", 0, B(RF)},
    {"month", EV_TIME, NONE},
    {"months", EV_TIME, NONE},
    {"morning", EV_TIME, NONE},
    {"neighbor", EV_PLACE, B(DL)},
    {"neighbour", EV_PLACE, B(DL)},
    {"next week", EV_TIME, NONE},
    {"no", EV_YESNO, NONE},
    {"no charge", EV_AMOUNT, B(BL)},
    {"not possible", EV_YESNO, NONE},
    {"november", EV_TIME, NONE},
    {"october", EV_TIME, NONE},
    {"of course", EV_YESNO, NONE},
    {"on its way", EV_ACTION, B(DL)},
    {"on the way", EV_ACTION, B(DL)},
    {"open", EV_STEP_VERB, NONE},
    {"out for delivery", EV_PLACE | EV_TIME, B(DL)},
    {"outage", 0, B(FT)},
    {"overcharged", 0, B(BL)},
    {"package", 0, B(DL)},
    {"page", EV_PLACE, NONE},
    {"paid", 0, B(BL)},
    {"parcel", 0, B(DL)},
    {"password", 0, B(AC)},
    {"pay", 0, B(BL)},
    {"payment", 0, B(BL)},
    {"pin", 0, B(AC)},
    {"portal", EV_PLACE, NONE},
    {"possible", EV_YESNO, NONE},
    {"post office", EV_PLACE, B(DL)},
    {"posted", EV_ACTION, B(DL)},
    {"press", EV_STEP_VERB, NONE},
    {"price", EV_AMOUNT, B(PR)},
    {"processed", EV_ACTION, NONE},
    {"reason", EV_REASON, NONE},
    {"receipt", 0, B(BL)},
    {"refund", 0, B(RF)},
    {"refunded", EV_ACTION, B(RF)},
    {"refunds", 0, B(RF)},
    {"reimburse", 0, B(RF)},
    {"reimbursed", EV_ACTION, B(RF)},
    {"reimbursement", 0, B(RF)},
    {"reinstall", EV_STEP_VERB, NONE},
    {"removed", EV_ACTION, NONE},
    {"renewal", 0, B(CN)},
    {"repair", 0, B(FT)},
    {"repaired", EV_ACTION, B(FT)},
    {"replace", 0, B(RF) | B(FT)},
    {"replaced", EV_ACTION, B(RF) | B(FT)},
    {"replacement", 0, B(RF) | B(FT)},
    {"reset", EV_STEP_VERB, B(AC)},
    {"resolved", EV_ACTION, NONE},
    {"restart", EV_STEP_VERB, B(FT)},
    {"restored", EV_ACTION, B(FT)},
    {"return", 0, B(RF)},
    {"returned", 0, B(RF)},
    {"returns", 0, B(RF)},
    {"reversed", EV_ACTION, B(RF)},
    {"saturday", EV_TIME, NONE},
    {"scheduled", EV_ACTION, NONE},
    {"section", EV_PLACE, NONE},
    {"select", EV_STEP_VERB, NONE},
    {"sent", EV_ACTION, NONE},
    {"september", EV_TIME, NONE},
    {"settings", EV_PLACE, NONE},
    {"ship", 0, B(DL)},
    {"shipment", 0, B(DL)},
    {"shipped", EV_ACTION, B(DL)},
    {"shipping", 0, B(DL)},
    {"ships", 0, B(DL)},
    {"sign in", EV_STEPS, B(AC)},
    {"sign out", EV_STEP_VERB, NONE},
    {"since", EV_REASON, NONE},
    {"size", 0, B(PR)},
    {"specs", 0, B(PR)},
    {"statement", 0, B(BL)},
    {"step", EV_STEPS, NONE},
    {"steps", EV_STEPS, NONE},
    {"stock", 0, B(PR)},
    {"store", EV_PLACE, NONE},
    {"subscription", 0, B(CN)},
    {"sunday", EV_TIME, NONE},
    {"supervisor", 0, B(CP)},
    {"sure", EV_YESNO, NONE},
    {"switch", 0, B(CH)},
    {"tab", EV_PLACE, NONE},
    {"tap", EV_STEP_VERB, NONE},
    {"terminate", 0, B(CN)},
    {"terminated", EV_ACTION, B(CN)},
    {"thursday", EV_TIME, NONE},
    {"today", EV_TIME, NONE},
    {"tomorrow", EV_TIME, NONE},
    {"tonight", EV_TIME, NONE},
    {"track", EV_PLACE, B(DL)},
    {"tracking", EV_PLACE, B(DL)},
    {"transaction", 0, B(BL)},
    {"try", EV_STEP_VERB, NONE},
    {"tuesday", EV_TIME, NONE},
    {"turn", EV_STEP_VERB, NONE},
    {"unable", EV_YESNO, NONE},
    {"unfortunately", EV_YESNO, NONE},
    {"uninstall", EV_STEP_VERB, NONE},
    {"unlock", 0, B(AC)},
    {"unlocked", EV_ACTION, B(AC)},
    {"unplug", EV_STEP_VERB, NONE},
    {"unsubscribe", 0, B(CN)},
    {"update", EV_STEP_VERB, B(CH)},
    {"updated", EV_ACTION, B(CH)},
    {"upgrade", 0, B(CH)},
    {"username", 0, B(AC)},
    {"verification", 0, B(AC)},
    {"visit", EV_STEP_VERB, NONE},
    {"voucher", 0, B(RF)},
    {"waived", EV_ACTION, B(BL)},
    {"warehouse", EV_PLACE, B(DL)},
    {"warranty", 0, B(PR)},
    {"we are unable", EV_YESNO, NONE},
    {"we can", EV_YESNO, NONE},
    {"we can't", EV_YESNO, NONE},
    {"we cannot", EV_YESNO, NONE},
    {"we do", EV_YESNO, NONE},
    {"we don't", EV_YESNO, NONE},
    {"we have", EV_ACTION, NONE},
    {"we will", EV_ACTION, NONE},
    {"we'll", EV_ACTION, NONE},
    {"we're unable", EV_YESNO, NONE},
    {"we've", EV_ACTION, NONE},
    {"wednesday", EV_TIME, NONE},
    {"week", EV_TIME, NONE},
    {"weeks", EV_TIME, NONE},
    {"within", EV_TIME, NONE},
    {"working days", EV_TIME, NONE},
    {"yes", EV_YESNO, NONE},
    {"you can", EV_YESNO | EV_STEPS, NONE},
    {"you can't", EV_YESNO, NONE},
    {"you cannot", EV_YESNO, NONE},
};

/* For tests: is CUES sorted? */
int heed__addressed_table_ok(void);
int heed__addressed_table_ok(void)
{
    for (size_t k = 1; k < sizeof CUES / sizeof *CUES; k++)
        if (strcmp(CUES[k - 1].phrase, CUES[k].phrase) >= 0)
            return 0;
    return 1;
}

/* The length bit of a first word of n bytes in a cue_starts mask. */
static uint32_t start_bit(size_t n)
{
    return 1u << (n < 31 ? n : 31);
}

/* The first cue >= the word w[0..n) (bytewise) in CUES[lo, up). */
static size_t cue_lower_bound(const char *w, size_t n, size_t lo, size_t up)
{
    while (lo < up) {
        size_t mid = (lo + up) / 2;
        const char *p = CUES[mid].phrase;
        size_t k = 0;
        while (k < n && p[k] == w[k])
            k++;
        /* p < word when it differs lower or ends first */
        int d = k < n ? ((unsigned char)p[k] < (unsigned char)w[k] ? -1 : 1) : p[k] != '\0';
        if (d < 0)
            lo = mid + 1;
        else
            up = mid;
    }
    return lo;
}

/* Does the cue p start with the word w[0..n), followed by its end, a space
 * or a comma? */
static int cue_starts_with(const char *p, const char *w, size_t n)
{
    return !strncmp(p, w, n) && (p[n] == '\0' || p[n] == ' ' || p[n] == ',');
}

/* The key table of heed__addressed_cue_starts: a slot is the prefix's hash
 * (low 32 bits), the cue it was taken from << 16 | its length (0: an empty
 * slot), and the cues a word equal to it starts, first << 16 | count. */
#define CUE_KEYS_OK 512
#define CUE_KEYS    513

/* The slot of the prefix w[0..n) (h: heed__hash of it), or the empty slot
 * where it would go. */
static const uint32_t *cue_key_find(const uint32_t *starts, uint64_t h, const char *w, size_t n)
{
    for (size_t i = (size_t)(h ^ h >> 32) & (HEED_CUE_KEYS - 1);;
         i = (i + 1) & (HEED_CUE_KEYS - 1)) {
        const uint32_t *s = starts + CUE_KEYS + 3 * i;
        if (!(s[1] & 0xFFFFu) || (s[0] == (uint32_t)h && (s[1] & 0xFFFFu) == n &&
                                  heed__mem_eq(CUES[s[1] >> 16].phrase, w, n)))
            return s;
    }
}

void heed__addressed_cue_starts(uint32_t starts[HEED_CUE_STARTS])
{
    memset(starts, 0, HEED_CUE_STARTS * sizeof *starts);
    _Static_assert(sizeof CUES / sizeof *CUES < 0xFFFF, "cue positions fit in 16 bits");
    uint32_t *range = starts + 256;
    for (size_t k = sizeof CUES / sizeof *CUES; k-- > 0;) { /* the first of each byte last */
        uint32_t b = (unsigned char)CUES[k].phrase[0];
        if (!range[b])
            range[b] = (uint32_t)(k + 1);
        range[b] = (uint32_t)k << 16 | (range[b] & 0xFFFFu);
    }
    /* cues_at tries a phrase when the word is its first n bytes and a space,
     * a comma or the end follows: every such n, not only the first word's */
    for (size_t k = 0; k < sizeof CUES / sizeof *CUES; k++) {
        const char *p = CUES[k].phrase;
        for (size_t n = 1; p[0]; n++)
            if (p[n] == ' ' || p[n] == ',' || p[n] == '\0') {
                starts[(unsigned char)p[0]] |= start_bit(n);
                if (!p[n])
                    break;
            }
    }
    /* each such prefix with the cues cues_at tries for a word equal to it:
     * from the first cue >= the word, those that start with it */
    size_t n_keys = 0;
    const size_t n_cues = sizeof CUES / sizeof *CUES;
    for (size_t k = 0; k < n_cues; k++) {
        const char *p = CUES[k].phrase;
        for (size_t n = 1; p[0]; n++) {
            if (p[n] != ' ' && p[n] != ',' && p[n] != '\0')
                continue;
            const uint64_t h = heed__hash(p, n);
            uint32_t *s = (uint32_t *)cue_key_find(starts, h, p, n);
            if (!(s[1] & 0xFFFFu)) {
                if (n > 0xFFFFu || ++n_keys > HEED_CUE_KEYS / 2)
                    return; /* starts[CUE_KEYS_OK] stays 0: no key table */
                size_t lo = cue_lower_bound(p, n, 0, n_cues), e = lo;
                while (e < n_cues && cue_starts_with(CUES[e].phrase, p, n))
                    e++;
                s[0] = (uint32_t)h;
                s[1] = (uint32_t)k << 16 | (uint32_t)n;
                s[2] = (uint32_t)lo << 16 | (uint32_t)(e - lo);
            }
            if (!p[n])
                break;
        }
    }
    starts[CUE_KEYS_OK] = 1;
}

/* Tokens of the phrase p matched at toks[i..hi), or 0. */
static size_t match_at(const heed_token *toks, size_t i, size_t hi, const char *p)
{
    size_t n = 0;
    while (*p) {
        size_t wl = 0; /* the word: up to a space or the end */
        while (p[wl] && p[wl] != ' ')
            wl++;
        if (i + n >= hi)
            return 0;
        const heed_token *t = &toks[i + n];
        /* "first," is the word and its comma */
        if (wl > 1 && p[wl - 1] == ',') {
            if (t->norm_len != wl - 1 || !heed__mem_eq(t->norm, p, wl - 1) || i + n + 1 >= hi ||
                toks[i + n + 1].norm_len != 1 || toks[i + n + 1].norm[0] != ',')
                return 0;
            n++;
        } else if (t->norm_len != wl || !heed__mem_eq(t->norm, p, wl)) {
            return 0;
        }
        n++;
        p += wl;
        if (*p == ' ')
            p++;
    }
    return n;
}

/* cues_at past its first tests (a word that can start a cue). */
static size_t cues_from(const uint32_t *starts, const heed_token *toks, const uint64_t *th,
                        size_t i, size_t hi, uint32_t *ev, uint32_t *topics)
{
    const heed_token *t = &toks[i];
    size_t lo, end;
    if (starts && starts[CUE_KEYS_OK]) {
        /* a word that is no cue's prefix starts none; one that is starts
         * the cues its key lists */
        const uint64_t h = th ? th[i] : heed__hash(t->norm, t->norm_len);
        const uint32_t *s = cue_key_find(starts, h, t->norm, t->norm_len);
        if (!(s[1] & 0xFFFFu))
            return 0;
        lo = s[2] >> 16;
        end = lo + (s[2] & 0xFFFFu);
    } else {
        size_t up = sizeof CUES / sizeof *CUES;
        lo = 0;
        if (starts) { /* the cues with the word's first byte: the entry is among them */
            lo = starts[256 + (unsigned char)t->norm[0]] >> 16;
            up = starts[256 + (unsigned char)t->norm[0]] & 0xFFFFu;
        }
        lo = cue_lower_bound(t->norm, t->norm_len, lo, up);
        end = lo;
        while (end < sizeof CUES / sizeof *CUES &&
               cue_starts_with(CUES[end].phrase, t->norm, t->norm_len))
            end++;
    }
    size_t best = 0;
    const cue_word *bc = NULL;
    for (size_t k = lo; k < end; k++) {
        const char *p = CUES[k].phrase;
        size_t m = match_at(toks, i, hi, p);
        if (m > best) {
            best = m;
            bc = &CUES[k];
        }
    }
    if (bc) {
        *ev |= bc->ev;
        *topics |= bc->needs;
    }
    return best;
}

/* Evidence bits and need topics found at token i (the longest phrase wins).
 * starts: heed__addressed_cue_starts, or NULL to search for every word.
 * Inline: most tokens are turned away by the tests here, without a call. */
static inline size_t cues_at(const uint32_t *starts, const heed_token *toks, const uint64_t *th,
                             size_t i, size_t hi, uint32_t *ev, uint32_t *topics)
{
    const heed_token *t = &toks[i];
    if (t->kind != HEED_TOK_WORD || !t->norm_len)
        return 0;
    /* a cue matches only where the word is its first word, followed by the
     * end, a space or a comma: most words start none */
    if (starts && !(starts[(unsigned char)t->norm[0]] & start_bit(t->norm_len)))
        return 0;
    return cues_from(starts, toks, th, i, hi, ev, topics);
}

/* For tests: cues_at, and the k-th phrase (NULL past the last). */
size_t heed__addressed_cues_at(const uint32_t *starts, const heed_token *toks, size_t i,
                               size_t hi, uint32_t *ev, uint32_t *topics);
const char *heed__addressed_cue(size_t k);
const char *heed__addressed_cue(size_t k)
{
    return k < sizeof CUES / sizeof *CUES ? CUES[k].phrase : NULL;
}

size_t heed__addressed_cues_at(const uint32_t *starts, const heed_token *toks, size_t i,
                               size_t hi, uint32_t *ev, uint32_t *topics)
{
    return cues_at(starts, toks, NULL, i, hi, ev, topics);
}

/* Per reply sentence: evidence and topics. */
typedef struct sent_ev {
    uint32_t ev, topics;
    int question; /* ends with "?" */
    int refuses;  /* a deflection cue: the customer is sent elsewhere (a
                   * plain "no" still answers a question) */
    int commits;  /* a compassion action, resolution, ownership or next-step
                   * cue, or a promise */
} sent_ev;

static int tok_is(const heed_token *t, const char *w)
{
    size_t n = strlen(w);
    return t->norm_len == n && !memcmp(t->norm, w, n);
}

/* Words before an imperative that keep it first: "Please click", "Just tap". */
static int tok_skip_word(const heed_token *t)
{
    return tok_is(t, "please") || tok_is(t, "just") || tok_is(t, "simply") || tok_is(t, "then") ||
           tok_is(t, "now") || tok_is(t, "kindly");
}

static int is_q(const heed_token *t)
{
    return t->kind == HEED_TOK_PUNCT && memchr(t->norm, '?', t->norm_len) != NULL;
}

static void scan_sentence(const uint32_t *starts, const heed_result *r, const uint64_t *th,
                          size_t s, sent_ev *out)
{
    const heed_sentence *sn = &r->sentences[s];
    const heed_token *t = r->tokens;
    size_t lo = sn->first_token, hi = lo + sn->n_tokens;
    if (hi > r->n_tokens)
        hi = r->n_tokens;
    uint32_t ev = 0, topics = 0;
    size_t first_word = hi;
    for (size_t i = lo; i < hi; i++) {
        const heed_token *k = &t[i];
        switch (k->kind) {
        case HEED_TOK_DATE:
        case HEED_TOK_TIME:
            ev |= EV_TIME;
            break;
        case HEED_TOK_MONEY:
            ev |= EV_AMOUNT;
            break;
        case HEED_TOK_NUMBER:
            ev |= EV_AMOUNT;
            break;
        case HEED_TOK_URL:
            ev |= EV_PLACE | EV_STEPS;
            break;
        case HEED_TOK_WORD: {
            if (first_word == hi && !tok_skip_word(k))
                first_word = i;
            uint32_t e = 0;
            size_t m = cues_at(starts, t, th, i, hi, &e, &topics);
            if ((e & EV_STEP_VERB) && i == first_word)
                e |= EV_STEPS;
            ev |= e & ~(uint32_t)EV_STEP_VERB;
            if (m > 1)
                i += m - 1;
            break;
        }
        default:
            break;
        }
    }
    int q = 0;
    for (size_t i = hi; i > lo; i--) {
        const heed_token *k = &t[i - 1];
        if (k->kind == HEED_TOK_EMOJI || k->kind == HEED_TOK_EMOTICON)
            continue;
        q = is_q(k);
        break;
    }
    out->ev = ev;
    out->topics = topics;
    out->question = q;
}

/* ---------------------------------------------------------------- asks */

/* What kind of answer an ask wants. */
enum { Q_WHEN, Q_WHERE, Q_HOW, Q_AMOUNT, Q_WHY, Q_WHAT, Q_YESNO, Q_REQUEST, Q_NEED };

static const uint32_t WANT[] = {
    [Q_WHEN] = EV_TIME,
    [Q_WHERE] = EV_PLACE | EV_TIME | EV_ACTION, /* "where is my order?" asks for its status */
    [Q_HOW] = EV_STEPS | EV_PLACE,
    [Q_AMOUNT] = EV_AMOUNT,
    [Q_WHY] = EV_REASON,
    [Q_WHAT] = 0, /* any statement on the topic */
    [Q_YESNO] = EV_YESNO | EV_ACTION,
    [Q_REQUEST] = EV_ACTION | EV_YESNO | EV_STEPS,
    [Q_NEED] = EV_ACTION | EV_TIME | EV_STEPS | EV_YESNO,
};

static const char *const WHY_ANSWERED[] = {
    [Q_WHEN] = "gives a time",
    [Q_WHERE] = "says where or when: a place, link, tracking or time",
    [Q_HOW] = "gives steps",
    [Q_AMOUNT] = "gives an amount",
    [Q_WHY] = "gives a reason",
    [Q_WHAT] = "answers on the topic",
    [Q_YESNO] = "gives a clear yes/no or an action",
    [Q_REQUEST] = "acts on the request or answers it",
    [Q_NEED] = "acts on the customer's need",
};

static const char *const WHY_TOPIC_ONLY[] = {
    [Q_WHEN] = "on topic, but gives no time",
    [Q_WHERE] = "on topic, but says neither where nor when",
    [Q_HOW] = "on topic, but gives no steps",
    [Q_AMOUNT] = "on topic, but gives no amount",
    [Q_WHY] = "on topic, but gives no reason",
    [Q_WHAT] = "only asks back about it",
    [Q_YESNO] = "on topic, but no clear yes/no or action",
    [Q_REQUEST] = "on topic, but no action or answer",
    [Q_NEED] = "mentions it, but no action",
};

/* Is the ask's word at i a wh-word that sets its type: the ask's first word,
 * or after "tell me", "know", "wondering", ...? */
static int wh_position(const heed_token *t, size_t lo, size_t i)
{
    if (i == lo)
        return 1;
    size_t p = i;
    while (p > lo && t[p - 1].kind != HEED_TOK_WORD)
        p--;
    if (p == lo)
        return 1;
    const heed_token *w = &t[p - 1];
    return tok_is(w, "me") || tok_is(w, "know") || tok_is(w, "wondering") || tok_is(w, "ask") ||
           tok_is(w, "asking") || tok_is(w, "advise") || tok_is(w, "confirm") ||
           tok_is(w, "explain") || tok_is(w, "out") || tok_is(w, "us");
}

/* The first token of c starting at or after pos (binary search). */
static size_t token_at(const heed_result *c, uint32_t pos)
{
    size_t lo = 0, hi = c->n_tokens;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->tokens[mid].start < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int question_type(const heed_result *c, const heed_cue *ask)
{
    const heed_token *t = c->tokens;
    size_t hi = c->n_tokens, lo = token_at(c, ask->start);
    size_t end = lo;
    while (end < hi && t[end].start < (size_t)ask->start + ask->len)
        end++;
    for (size_t i = lo; i < end; i++) {
        if (t[i].kind != HEED_TOK_WORD || !wh_position(t, lo, i))
            continue;
        const heed_token *nx = i + 1 < end ? &t[i + 1] : NULL;
        if (tok_is(&t[i], "when") || tok_is(&t[i], "when's") ||
            (tok_is(&t[i], "how") && nx && (tok_is(nx, "long") || tok_is(nx, "soon"))) ||
            (tok_is(&t[i], "what") && nx && (tok_is(nx, "time") || tok_is(nx, "day"))))
            return Q_WHEN;
        if (tok_is(&t[i], "where") || tok_is(&t[i], "where's") || tok_is(&t[i], "wheres"))
            return Q_WHERE;
        if (tok_is(&t[i], "how") && nx && (tok_is(nx, "much") || tok_is(nx, "many")))
            return Q_AMOUNT;
        if (tok_is(&t[i], "why") || tok_is(&t[i], "why's"))
            return Q_WHY;
        if (tok_is(&t[i], "how") || tok_is(&t[i], "how's"))
            return Q_HOW;
        if (tok_is(&t[i], "what") || tok_is(&t[i], "what's") || tok_is(&t[i], "which") ||
            tok_is(&t[i], "who") || tok_is(&t[i], "whats"))
            return Q_WHAT;
    }
    return ask->what && !strcmp(ask->what, "request") ? Q_REQUEST : Q_YESNO;
}

#define ACTIONABLE                                                                                 \
    (((1u << HEED_NEED_COUNT) - 1) & ~(1u << HEED_NEED_OTHER) & ~(1u << HEED_NEED_PRAISE))

static int actionable(int need)
{
    return need >= 0 && need < HEED_NEED_COUNT && need != HEED_NEED_OTHER &&
           need != HEED_NEED_PRAISE;
}

/* The length of a word's stem: without -ing, -ed, -es, -s or -e, keeping at
 * least three letters ("arrived" and "arrive" share "arriv"). */
static size_t stem_len(const char *w, size_t n)
{
    static const char *const SUFFIXES[] = {"ing", "ed", "es", "s", "e"};
    for (size_t k = 0; k < sizeof SUFFIXES / sizeof *SUFFIXES; k++) {
        size_t l = strlen(SUFFIXES[k]);
        if (n >= l + 3 && !memcmp(w + n - l, SUFFIXES[k], l))
            return n - l;
    }
    return n;
}

/* The content words of an ask (at most MAX_KEYS): words the reply may echo. */
#define MAX_KEYS 8
typedef struct keys {
    const heed_token *k[MAX_KEYS];
    uint32_t stem[MAX_KEYS]; /* stem_len of each */
    size_t n;
} keys;

static int is_wh(const heed_token *t)
{
    return tok_is(t, "when") || tok_is(t, "where") || tok_is(t, "how") || tok_is(t, "why") ||
           tok_is(t, "what") || tok_is(t, "which") || tok_is(t, "who");
}

/* Adds the content words of [start, start+len) of c to ks. */
static void ask_keys(const heed_result *c, uint32_t start, uint32_t len, keys *ks)
{
    for (size_t i = token_at(c, start); i < c->n_tokens && ks->n < MAX_KEYS; i++) {
        const heed_token *t = &c->tokens[i];
        if (t->start >= (size_t)start + len)
            break;
        if (t->kind == HEED_TOK_WORD && t->norm_len >= 3 && !is_wh(t) &&
            !heed__familiar_common(t->norm, t->norm_len)) {
            ks->stem[ks->n] = (uint32_t)stem_len(t->norm, t->norm_len);
            ks->k[ks->n++] = t;
        }
    }
}

/* Does sentence s of the reply echo one of the ask's words, up to its
 * inflection (refund, refunds, refunded)? rstem: the stem length of every
 * reply token. */
static int echoes(const heed_result *r, size_t s, const keys *ks, const uint32_t *rstem)
{
    const heed_sentence *sn = &r->sentences[s];
    for (size_t i = sn->first_token; i < sn->first_token + sn->n_tokens && i < r->n_tokens; i++) {
        const heed_token *t = &r->tokens[i];
        if (t->kind != HEED_TOK_WORD)
            continue;
        for (size_t k = 0; k < ks->n; k++)
            if (rstem[i] == ks->stem[k] && t->norm[0] == ks->k[k]->norm[0] &&
                !memcmp(t->norm, ks->k[k]->norm, rstem[i]))
                return 1;
    }
    return 0;
}

/* Needs a kind of promise speaks to. */
static uint32_t promise_topics(int kind)
{
    switch (kind) {
    case HEED_PROMISE_REFUND:
        return 1u << HEED_NEED_REFUND | 1u << HEED_NEED_BILLING;
    case HEED_PROMISE_REPLACEMENT:
        return 1u << HEED_NEED_REFUND | 1u << HEED_NEED_FAULT | 1u << HEED_NEED_DELIVERY;
    case HEED_PROMISE_REPAIR:
        return 1u << HEED_NEED_FAULT;
    default:
        return 0;
    }
}

static size_t sentence_of(const heed_result *r, uint32_t pos)
{
    size_t lo = 0, hi = r->n_sentences;
    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->sentences[mid].start <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Folds the compassion cues and promises (when those stages ran) into the
 * sentences' evidence. */
static void fold_reply_stages(const heed_result *r, sent_ev *se)
{
    if (!r->n_sentences)
        return;
    if (r->compassion.available) {
        for (size_t i = 0; i < r->compassion.n_cues; i++) {
            const heed_cue *c = &r->compassion.cues[i];
            if (c->flags & HEED_CUE_SUPPRESSED)
                continue;
            size_t s = sentence_of(r, c->start);
            if (c->component == HEED_COMP_ACTION || c->component == HEED_COMP_RESOLUTION ||
                c->component == HEED_COMP_OWNERSHIP) {
                se[s].ev |= EV_ACTION;
                se[s].commits = 1;
            } else if (c->component == HEED_COMP_NEXT_STEP) {
                se[s].ev |= EV_STEPS | EV_ACTION;
                se[s].commits = 1;
            } else if (c->component == HEED_COMP_TIME_FRAME) {
                se[s].ev |= EV_TIME;
            } else if (c->component == HEED_COMP_DEFLECTION) {
                se[s].refuses = 1;
            }
        }
    }
    if (r->promises.available) {
        for (size_t i = 0; i < r->promises.n; i++) {
            const heed_promise *p = &r->promises.items[i];
            size_t s = sentence_of(r, p->start);
            se[s].ev |= EV_ACTION | (p->due_len ? EV_TIME : 0);
            se[s].topics |= promise_topics(p->kind);
            se[s].commits = 1;
        }
    }
}

/* Answer types specific enough to count on their own, off topic: a time
 * answers "when?" even without the topic's words ("Tomorrow by noon."). */
#define SPECIFIC                                                                                   \
    ((1u << Q_WHEN) | (1u << Q_WHERE) | (1u << Q_HOW) | (1u << Q_AMOUNT) | (1u << Q_WHY))

/* Matches one ask (or need) against the reply's sentences: topics is the mask
 * of needs whose words put a sentence on topic, ks the ask's own words. */
static void match_one(const heed_result *r, const sent_ev *se, const uint32_t *rstem,
                      uint32_t topics, int qt, const keys *ks, heed_ask_match *m)
{
    uint32_t want = WANT[qt];
    int best = 0;
    size_t best_s = 0;
    /* an ask with no words of its own ("how much will I get back?") cannot be
     * checked for its topic: the kind of answer is enough */
    int free_topic = !ks->n && (SPECIFIC >> qt & 1u);
    for (size_t s = 0; s < r->n_sentences; s++) {
        int topic = (se[s].topics & topics) != 0 || echoes(r, s, ks, rstem) ||
                    /* a complaint is met by acting on it */
                    ((topics >> HEED_NEED_COMPLAINT & 1u) && (se[s].ev & EV_ACTION));
        int type = !se[s].question && (want ? (se[s].ev & want) != 0 : topic);
        /* 3: on topic and the kind of answer asked; 2: on topic; 1: the kind
         * of answer, about something else (only for specific kinds) */
        int score = topic && type ? 3 : type && free_topic ? 3 : topic ? 2 : 0;
        if (!score && type && (SPECIFIC >> qt & 1u))
            score = 1;
        if (score > best) {
            best = score;
            best_s = s;
        }
    }
    m->reply_start = m->reply_len = 0;
    if (!best) {
        m->status = HEED_ADDR_IGNORED;
        m->why = "not taken up in the reply";
        return;
    }
    m->reply_start = r->sentences[best_s].start;
    m->reply_len = r->sentences[best_s].len;
    if (best == 3 && se[best_s].refuses && !se[best_s].commits) {
        /* "refunds are handled by our billing team, please contact them":
         * on topic, but sending the customer elsewhere is not an answer */
        m->status = HEED_ADDR_PARTLY;
        m->why = "on topic, but sends them elsewhere";
    } else if (best == 3) {
        m->status = HEED_ADDR_ANSWERED;
        m->why = WHY_ANSWERED[qt];
    } else if (best == 2) {
        m->status = HEED_ADDR_PARTLY;
        m->why = WHY_TOPIC_ONLY[qt];
    } else {
        m->status = HEED_ADDR_PARTLY;
        m->why = "answers, but not about what was asked";
    }
}

/* Per need, the customer's first sentence that names it (a topic word) and
 * every need that sentence names. */
typedef struct need_spans {
    uint32_t start[HEED_NEED_COUNT], len[HEED_NEED_COUNT], topics[HEED_NEED_COUNT];
    uint32_t have; /* bit per need found */
} need_spans;

static void find_need_spans(const uint32_t *starts, const heed_result *c, const uint64_t *th,
                            need_spans *ns)
{
    memset(ns, 0, sizeof(*ns));
    for (size_t s = 0; s < c->n_sentences; s++) {
        const heed_sentence *sn = &c->sentences[s];
        size_t hi = sn->first_token + sn->n_tokens;
        uint32_t ev = 0, topics = 0;
        for (size_t i = sn->first_token; i < hi && i < c->n_tokens; i++)
            cues_at(starts, c->tokens, th, i, hi, &ev, &topics);
        uint32_t fresh = topics & ~ns->have;
        for (int k = 0; k < HEED_NEED_COUNT; k++) {
            if (!(fresh >> k & 1u))
                continue;
            ns->start[k] = sn->start;
            ns->len[k] = sn->len;
            ns->topics[k] = topics;
        }
        ns->have |= fresh;
    }
}

/* The first of the spans of the needs in mask; -1 when none. */
static int first_span(const need_spans *ns, uint32_t mask)
{
    int best = -1;
    for (int k = 0; k < HEED_NEED_COUNT; k++)
        if ((ns->have & mask) >> k & 1u && (best < 0 || ns->start[k] < ns->start[best]))
            best = k;
    return best;
}

int heed__addressed(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                    const heed_result *ctx)
{
    return heed__addressed_th(x, a, r, ctx, NULL, NULL);
}

int heed__addressed_th(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                       const heed_result *ctx, const uint64_t *rth, const uint64_t *cth)
{
    const uint32_t *starts = x ? heed__familiar_cue_starts(x) : NULL;
    heed_addressed *ad = &r->addressed;
    if (!ctx || (!ctx->needs.asks_available && !ctx->needs.available))
        return HEED_OK;
    sent_ev *se = heed__arena_calloc(a, r->n_sentences ? r->n_sentences : 1, sizeof(*se));
    heed_ask_match *items = heed__arena_calloc(a, HEED_MAX_ADDRESSED + 1, sizeof(*items));
    if (!se || !items)
        return HEED_ENOMEM;
    uint32_t *rstem = heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof(*rstem));
    if (!rstem)
        return HEED_ENOMEM;
    for (size_t i = 0; i < r->n_tokens; i++)
        rstem[i] = (uint32_t)stem_len(r->tokens[i].norm, r->tokens[i].norm_len);
    for (size_t s = 0; s < r->n_sentences; s++)
        scan_sentence(starts, r, rth, s, &se[s]);
    fold_reply_stages(r, se);

    int top = -1;          /* the customer's main need, when the model is sure of it */
    uint32_t labelled = 0; /* every actionable need the model predicts */
    if (ctx->needs.available) {
        for (int k = 0; k < HEED_NEED_COUNT; k++)
            if (actionable(k) && (ctx->needs.labels >> k & 1u))
                labelled |= 1u << k;
        if (actionable(ctx->needs.top) && (labelled >> ctx->needs.top & 1u))
            top = ctx->needs.top;
    }
    need_spans ns; /* the customer's sentences naming each need, found once */
    find_need_spans(starts, ctx, cth, &ns);
    size_t n = 0;
    for (size_t i = 0; i < ctx->needs.n_asks && n < HEED_MAX_ADDRESSED; i++) {
        const heed_cue *ask = &ctx->needs.asks[i];
        int need = ask->component;
        uint32_t topics = need >= 0 && need < HEED_NEED_COUNT ? 1u << need : 0;
        int resolved = 0;
        if (!actionable(need) && need != HEED_NEED_PRAISE && top >= 0) {
            need = top; /* "can you help?" points to what the message is about */
            topics = labelled;
            resolved = 1;
        }
        if (need == HEED_NEED_OTHER)
            topics = 0; /* "other" has no topic words: the ask's own words decide */
        keys ks = {{0}, {0}, 0};
        ask_keys(ctx, ask->start, ask->len, &ks);
        if ((resolved || need == top) && need >= 0 && need < HEED_NEED_COUNT &&
            (ns.have >> need & 1u)) {
            /* the message is about this need: the words that named it count */
            ask_keys(ctx, ns.start[need], ns.len[need], &ks);
            if (resolved)
                topics |= ns.topics[need]; /* and, for "can you help?", its topics */
        }
        heed_ask_match *m = &items[n++];
        m->ask_start = ask->start;
        m->ask_len = ask->len;
        m->need = need;
        match_one(r, se, rstem, topics, question_type(ctx, ask), &ks, m);
    }
    int first = top < 0 ? -1 : first_span(&ns, top == HEED_NEED_COMPLAINT ? ACTIONABLE : labelled);
    if (!n && first >= 0) {
        /* no ask, but a need its own words name ("my parcel never came."):
         * the reply should still act on it. A need only the model sees is
         * not judged; a complaint is about whatever its words name. */
        heed_ask_match *m = &items[n++];
        m->ask_start = ns.start[first];
        m->ask_len = ns.len[first];
        keys ks = {{0}, {0}, 0};
        ask_keys(ctx, m->ask_start, m->ask_len, &ks);
        m->need = top;
        match_one(r, se, rstem, labelled | ns.topics[first], Q_NEED, &ks, m);
    }
    int seen[HEED_ADDR_COUNT] = {0};
    for (size_t i = 0; i < n; i++)
        seen[items[i].status]++;
    ad->status = !n                                   ? HEED_ADDR_NOTHING_ASKED
                 : seen[HEED_ADDR_ANSWERED] == (int)n ? HEED_ADDR_ANSWERED
                 : seen[HEED_ADDR_IGNORED] == (int)n  ? HEED_ADDR_IGNORED
                                                      : HEED_ADDR_PARTLY;
    ad->items = n ? items : NULL;
    ad->n = n;
    ad->available = 1;
    return HEED_OK;
}
