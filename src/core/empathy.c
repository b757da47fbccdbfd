/* empathy.c - the empathy stage (empathy.h): features of a (customer message,
 * reply) pair, three 3-class linear models learnt from EPITOME, a curated cue
 * list for customer-service phrasing, and evidence spans.
 *
 * Levels. Each mechanism's model gives p(none), p(weak), p(strong); the level
 * is the most probable. A model may carry a sentence weight w (aux[1]): then
 * the mechanism is above "none" when (1 - w) times the reply's p(weak) +
 * p(strong) plus w times the best sentence's (each sentence scored alone by
 * the same model) reaches 0.5, and at the more probable of "weak" and
 * "strong". Then the cues (CUES below): a mechanism with a cue
 * that is not negated and a level of "none" takes the more probable of "weak"
 * and "strong" (interpretation and exploration are nearly binary in EPITOME:
 * their "weak" is rare). A near-miss cue (CUE_VETO) with no counted cue of
 * its mechanism sets that mechanism to "none": a negated understanding ("I
 * don't understand why you...") for interpretation, and a request for
 * account details ("could you send me your order number?") for exploration,
 * which in support is paperwork, not asking about the customer's experience.
 * When the sentence weight or a cue moves the level to L, the scores become
 * (p + onehot(L)) / 2, so the reported level stays the most probable.
 *
 * Spans. For a mechanism above "none": its cues' phrases, and each sentence
 * (of the first HEED_EMPATHY_MAX_SENTENCES) whose own features, scored alone,
 * give p(weak) + p(strong) >= 0.5; when neither exists, the best sentence. */
#include "empathy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "featurize.h"
#include "hash.h"

/* The cue patterns and word lists below, compiled once per model: each slot's
 * alternatives as (hash, text) so a token is compared by its hash first. */
#define IDX_MAX_ALTS  1024u
#define IDX_MAX_SLOTS 256u
enum { L_YOU, L_ME, L_FEEL, L_STOP, N_LISTS };

typedef struct alt {
    uint64_t h;
    const char *s;
    uint32_t len;
} alt;

typedef struct slot {
    uint16_t first, n; /* alts[first .. first + n) */
    uint8_t any;       /* "*": any token */
} slot;

/* The words that can start a cue or are in a word list, each with the set
 * of cues (bit c for CUES[c]) whose first slot lists it and the lists (bit
 * L_*) that hold it: open addressing on the word's hash, so a token costs
 * one probe instead of a test of every pattern and list. Twice the
 * alternatives there can be: the table is never more than half full. */
#define IDX_WORDS_CAP (2u * IDX_MAX_ALTS)

typedef struct word_entry {
    const alt *a; /* NULL: an empty entry */
    uint64_t cues;
    uint8_t lists;
} word_entry;

/* The pair features pair_features() gives every reply, each with a small
 * bucket as its value: their hashes are made once per model. */
enum {
    P_BIAS,
    P_Q,
    P_QYOU,
    P_YOU,
    P_I,
    P_FEEL,
    P_FEELYOU,
    P_LEN,
    P_SHARED,
    P_SHARED_Q,
    P_SHAREDPCT,
    P_SHAREDPCT_Q,
    N_PAIR
};
#define PAIR_VALUES 6 /* buckets 0..5: the most edges a pair feature has is 5 */
static const char *const PAIR_NAMES[N_PAIR] = {
    "bias",    "q",   "qyou",   "you",      "i",         "feel",
    "feelyou", "len", "shared", "shared-q", "sharedpct", "sharedpct-q",
};

typedef struct cue_index {
    alt alts[IDX_MAX_ALTS];
    slot slots[IDX_MAX_SLOTS];
    uint16_t n_alts, n_slots;
    uint16_t pat_first[64], pat_n[64];       /* slots of CUES[i] */
    uint32_t feat_on[64], feat_neg[64];      /* the feature of CUES[i], counted / not */
    uint32_t feat_pair[N_PAIR][PAIR_VALUES]; /* feat(PAIR_NAMES[f], v) */
    slot list[N_LISTS];
    word_entry words[IDX_WORDS_CAP];
    uint64_t first_any; /* the cues whose first slot is "*" */
} cue_index;

struct heed_empathy_model {
    heed_lm *lm[HEED_EMPATHY_COUNT];
    /* Weight of the best sentence's score in the decision above "none"
     * (aux[1] of the mechanism's model; 0: the reply's score alone). */
    float sent_w[HEED_EMPATHY_COUNT];
    cue_index idx;
};

static const char *const LEVEL_NAMES[3] = {"none", "weak", "strong"};
static const char *const MECH_NAMES[HEED_EMPATHY_COUNT] = {
#define HEED_X_(name, num, str) str,
    HEED_EMPATHY_MAP(HEED_X_)
#undef HEED_X_
};

/* ---------------------------------------------------------------- cues */

#define ER HEED_EMPATHY_REACTION
#define IP HEED_EMPATHY_INTERPRETATION
#define EX HEED_EMPATHY_EXPLORATION

#define CUE_QUESTION 0x01u /* counts only in a sentence with a question mark */
/* A near-miss: found, never counted, and it vetoes the model's level of its
 * mechanism when no counted cue of that mechanism is there (see the top). */
#define CUE_VETO 0x02u

/* Feeling words a support reply names when it shows understanding. */
#define FEEL                                                                                       \
    "frustrating/frustrated/annoying/annoyed/stressful/stressed/hard/difficult/tough/"             \
    "upsetting/upset/worrying/worried/scary/painful/awful/terrible/disappointing/"                 \
    "disappointed/inconvenient/overwhelming/exhausting/confusing/worrying/horrible"

/* One cue: a sequence of word slots over token norms, separated by spaces; a
 * slot lists alternatives separated by '/'; "*" is any one token. Curated for
 * customer-service replies and peer support alike; `what` is the label the
 * evidence span carries. Order matters within a mechanism: the first pattern
 * that matches at a position wins. */
typedef struct cue_pat {
    uint8_t mech;
    uint8_t flags;
    const char *what;
    const char *pat;
} cue_pat;

static const cue_pat CUES[] = {
    {ER, 0, "sorry to hear", "i'm/am sorry to hear/read/learn"},
    {ER, 0, "sorry to hear", "sorry to hear/read/learn"},
    {ER, 0, "sorry", "i'm so/very/really/truly/terribly/genuinely sorry"},
    {ER, 0, "sorry", "i am so/very/really/truly/terribly/genuinely sorry"},
    {ER, 0, "sorry", "i'm/am sorry"},
    {ER, 0, "sorry", "so/very/really/truly sorry"},
    {ER, 0, "sorry", "sorry about/that/for"},
    {ER, 0, "apology", "apologise/apologize/apologies for"},
    {ER, 0, "apology", "my/our sincere/sincerest/deepest apologies"},
    {ER, 0, "concern", "oh no"},
    {ER, 0, "concern",
     "that's/that/how/what awful/terrible/horrible/frustrating/annoying/"
     "upsetting/rough/sad/unfair"},
    {ER, 0, "concern", "what a pain/nightmare/shame/hassle"},
    {ER, 0, "warmth", "my heart goes out"},
    {ER, 0, "warmth", "i feel for you"},
    {ER, 0, "warmth", "i'm/am here for you"},
    {ER, 0, "warmth", "sending hugs/love"},
    {ER, 0, "concern", "i hate that"},
    {IP, CUE_VETO, "no understanding", "i don't/can't/cannot/couldn't/didn't/won't understand"},
    {IP, CUE_VETO, "no understanding", "i do/can/could/did not understand"},
    {IP, 0, "understanding", "i completely/totally/fully/really/do/can/absolutely understand"},
    {IP, 0, "understanding", "i understand"},
    {IP, 0, "understanding", "i can see why/how/that"},
    {IP, 0, "understanding", "i can only imagine"},
    {IP, 0, "understanding", "i can imagine"},
    {IP, 0, "understanding", "i know how it/that/you feels/feel/felt"},
    {IP, 0, "understanding", "i know how " FEEL},
    {IP, 0, "understanding", "i know what it's/you're/you"},
    {IP, 0, "understanding", "i hear you"},
    {IP, 0, "understanding", "i get it"},
    {IP, 0, "understanding", "understandably"},
    {IP, 0, "understanding", "it's/that's/is understandable"},
    {IP, 0, "sounds like", "it/that sounds like you/you're/your/you've"},
    {IP, 0, "sounds like", "it/that sounds so/really/very/incredibly " FEEL},
    {IP, 0, "sounds like", "it/that sounds " FEEL},
    {IP, 0, "sounds like", "sounds like you"},
    {IP, 0, "must be", "must be/feel " FEEL},
    {IP, 0, "must be", "must have been " FEEL},
    {IP, 0, "naming the feeling", "how " FEEL " it/this/that"},
    {IP, 0, "shared experience", "i've/i been there"},
    {IP, 0, "shared experience", "i went through"},
    {IP, 0, "understanding", "i realise/realize how/that"},
    {IP, 0, "understanding", "i appreciate how"},
    {EX, CUE_VETO, "details request",
     "send/provide/confirm/share/give me/us your/the order/account/ticket/reference/"
     "tracking/case/invoice/booking/email/e-mail/phone/number/details/postcode/address"},
    {EX, CUE_VETO, "details request",
     "send/provide/confirm/share/give your/the order/account/ticket/reference/tracking/case/"
     "invoice/booking/email/e-mail/phone/number/details/postcode/address"},
    {EX, CUE_VETO, "details request",
     "what's/what is your order/account/ticket/reference/tracking/case/invoice/booking/email/"
     "e-mail/phone/postcode/address"},
    {EX, CUE_QUESTION, "question", "could/can/would you tell me"},
    {EX, CUE_QUESTION, "question", "could/can/would you describe/explain"},
    {EX, 0, "question", "tell me more"},
    {EX, CUE_QUESTION, "question", "what happened"},
    {EX, CUE_QUESTION, "question", "what/which did you"},
    {EX, CUE_QUESTION, "question", "what do you mean"},
    {EX, CUE_QUESTION, "question", "how are/do/did you feel/feeling/doing/holding/cope/coping"},
    {EX, CUE_QUESTION, "question", "when did/does it/this/that/you"},
    {EX, CUE_QUESTION, "question", "how long have/has"},
    {EX, CUE_QUESTION, "question", "what's/what is going on"},
    {EX, CUE_QUESTION, "question", "what makes/made you"},
};
#define N_CUES (sizeof CUES / sizeof CUES[0])

typedef struct hit {
    uint32_t first, end; /* tokens [first, end) */
    uint16_t pat;        /* index in CUES */
    uint8_t mech;
    uint8_t suppressed; /* a token of the match is negated */
} hit;

#define MAX_HITS 256u

/* The token hashes of a call: th[i] for r->tokens[i]. */
static uint64_t tok_hash(const heed_token *t)
{
    return heed__hash(t->norm, t->norm_len);
}

static int slot_has(const cue_index *x, const slot *sl, uint64_t th, const heed_token *t)
{
    if (sl->any)
        return 1;
    for (uint32_t k = sl->first; k < (uint32_t)sl->first + sl->n; k++) {
        const alt *a = &x->alts[k];
        if (a->h == th && a->len == t->norm_len && heed__mem_eq(a->s, t->norm, a->len))
            return 1;
    }
    return 0;
}

static int is_question_mark(const heed_token *t)
{
    /* most punctuation is one byte: memchr only past the first */
    return t->kind == HEED_TOK_PUNCT && t->norm_len &&
           (t->norm[0] == '?' ||
            (t->norm_len > 1 && memchr(t->norm + 1, '?', t->norm_len - 1) != NULL));
}

/* The index in the word table of the word s[0..len) (th: its hash): its
 * entry, or the empty one where it would go. */
static size_t word_find(const cue_index *x, uint64_t th, const char *s, size_t len)
{
    size_t i = (size_t)(th ^ (th >> 32)) & (IDX_WORDS_CAP - 1);
    for (;;) {
        const word_entry *f = &x->words[i];
        if (!f->a || (f->a->h == th && f->a->len == len && heed__mem_eq(f->a->s, s, len)))
            return i;
        i = (i + 1) & (IDX_WORDS_CAP - 1);
    }
}

/* Finds the cues of r (th: its token hashes, wi: their entries in the word
 * table, from hash_side) sentence by sentence: at each token, the first
 * pattern of each mechanism that matches, then that mechanism skips to the
 * end of the match. At most MAX_HITS are kept. */
static size_t find_cues(const cue_index *x, const heed_result *r, const uint64_t *th,
                        const uint16_t *wi, hit *hits)
{
    size_t n = 0;
    for (size_t si = 0; si < r->n_sentences && n < MAX_HITS; si++) {
        const heed_sentence *se = &r->sentences[si];
        size_t first = se->first_token, end = first + se->n_tokens;
        if (end > r->n_tokens)
            end = r->n_tokens;
        int has_q = 0;
        for (size_t i = first; i < end; i++)
            has_q |= is_question_mark(&r->tokens[i]);
        size_t next[HEED_EMPATHY_COUNT] = {first, first, first};
        for (size_t i = first; i < end && n < MAX_HITS; i++) {
            if (r->tokens[i].kind != HEED_TOK_WORD)
                continue;
            /* in pattern order, only the patterns that can start here: those
             * whose first slot accepts the token */
            for (uint64_t set = x->first_any | x->words[wi[i]].cues; set && n < MAX_HITS;
                 set &= set - 1) {
                const size_t c = (size_t)__builtin_ctzll(set);
                const cue_pat *cp = &CUES[c];
                if (i < next[cp->mech] || ((cp->flags & CUE_QUESTION) && !has_q))
                    continue;
                size_t e = i, k = 0;
                for (; k < x->pat_n[c] && e < end; k++, e++)
                    if (!slot_has(x, &x->slots[x->pat_first[c] + k], th[e], &r->tokens[e]))
                        break;
                if (k < x->pat_n[c])
                    continue;
                int neg = (cp->flags & CUE_VETO) != 0;
                for (size_t t = i; t < e; t++)
                    neg |= (r->tokens[t].flags & HEED_TF_NEGATED) != 0;
                hits[n++] = (hit){(uint32_t)i, (uint32_t)e, (uint16_t)c, cp->mech, (uint8_t)neg};
                next[cp->mech] = e;
            }
        }
    }
    return n;
}

/* ---------------------------------------------------------------- features */

/* Words too common to say that the reply echoes the customer. */
#define STOP_WORDS                                                                                 \
    "that/this/with/have/what/your/just/they/them/from/been/like/about/would/there/their/will/"    \
    "know/really/when/were/want/some/more/than/then/also/because/it's/i'm/don't/very/much/even/"   \
    "only/into/could/should/being/thing/things/feel/think/going/people/make/time/good/well/here"
#define SECOND_PERSON "you/your/you're/yours/yourself/you've/you'll/you'd/u/ur"
#define FIRST_PERSON  "i/i'm/i've/i'd/i'll/me/my/myself"
#define FEEL_WORDS    FEEL "/feel/feeling/feelings/sad/lonely/alone/anxious/scared/hurt"

/* The text of a feature, "emp<version>:<name>:<value>", hashed. Built by
 * hand, not with snprintf: a reply's features are made once per sentence and
 * formatting dominated them. The text is cut at FEAT_TEXT_MAX bytes. */
#define FEAT_TEXT_MAX 511u

static size_t feat_put(char *b, size_t n, const char *s)
{
    while (*s && n < FEAT_TEXT_MAX)
        b[n++] = *s++;
    return n;
}

/* Writes v in decimal, NUL-terminated, into the bytes before end (22 are
 * enough with a sign); returns where the digits start. */
static char *feat_digits(char *end, unsigned long v)
{
    *--end = '\0';
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

static uint32_t feat_str(const char *name, const char *v)
{
    char b[FEAT_TEXT_MAX + 1], d[24];
    size_t n = feat_put(b, 0, "emp");
    n = feat_put(b, n, feat_digits(d + sizeof d, HEED_EMPATHY_FEATURES_VERSION));
    n = feat_put(b, n, ":");
    n = feat_put(b, n, name);
    n = feat_put(b, n, ":");
    n = feat_put(b, n, v);
    uint64_t h = heed__hash(b, n);
    return (uint32_t)(h ^ (h >> 32));
}

static uint32_t feat(const char *name, long v)
{
    char d[24];
    char *s = feat_digits(d + sizeof d, v < 0 ? 0ul - (unsigned long)v : (unsigned long)v);
    if (v < 0)
        *--s = '-';
    return feat_str(name, s);
}

static long bucket(size_t v, const size_t *edges, size_t n_edges)
{
    long b = 0;
    while ((size_t)b < n_edges && v >= edges[b])
        b++;
    return b;
}

/* This stage's own features of the pair; at most PAIR_MAX + n_hits. */
#define PAIR_MAX 24u
/* One side of a pair with its token hashes and the word classes of its
 * tokens (C_* bits), both worked out once per call. */
enum { C_YOU = 1, C_ME = 2, C_FEEL = 4, C_CONTENT = 8, C_SHARED = 16 };
typedef struct side {
    const heed_result *r;
    const uint64_t *th;
    uint8_t *cls;
    const uint16_t *wi; /* each token's entry in the word table */
} side;

static size_t pair_features(const cue_index *x, side rs, side cs, const hit *hits, size_t n_hits,
                            uint32_t *idx, float *val)
{
    size_t n = 0;
#define ADD(f, v)                                                                                  \
    do {                                                                                           \
        idx[n] = x->feat_pair[f][v];                                                               \
        val[n++] = 1.0f;                                                                           \
    } while (0)
    ADD(P_BIAS, 0);
    /* a cue's feature is named by its pattern, so that adding a cue leaves the
     * others' features as they were */
    for (size_t i = 0; i < n_hits; i++) {
        idx[n] = hits[i].suppressed ? x->feat_neg[hits[i].pat] : x->feat_on[hits[i].pat];
        val[n++] = 1.0f;
    }
    const heed_result *r = rs.r, *ctx = cs.r;
    size_t n_q = 0, n_you = 0, n_i = 0, n_feel = 0, n_words = 0, q_you = 0, feel_you = 0;
    for (size_t si = 0; si < r->n_sentences; si++) {
        const heed_sentence *se = &r->sentences[si];
        size_t end = (size_t)se->first_token + se->n_tokens;
        if (end > r->n_tokens)
            end = r->n_tokens;
        int q = 0, you = 0, fe = 0;
        for (size_t i = se->first_token; i < end; i++) {
            const heed_token *t = &r->tokens[i];
            q |= is_question_mark(t);
            if (t->kind != HEED_TOK_WORD)
                continue;
            n_words++;
            if (rs.cls[i] & C_YOU)
                you = 1, n_you++;
            else if (rs.cls[i] & C_ME)
                n_i++;
            if (rs.cls[i] & C_FEEL)
                fe = 1, n_feel++;
        }
        n_q += q;
        q_you += q && you;
        feel_you += fe && you;
    }
    static const size_t E_Q[] = {1, 2, 3}, E_CNT[] = {1, 2, 3, 5}, E_LEN[] = {8, 20, 40, 80, 160};
    ADD(P_Q, bucket(n_q, E_Q, 3));
    ADD(P_QYOU, bucket(q_you, E_Q, 3));
    ADD(P_YOU, bucket(n_you, E_CNT, 4));
    ADD(P_I, bucket(n_i, E_CNT, 4));
    ADD(P_FEEL, bucket(n_feel, E_CNT, 4));
    ADD(P_FEELYOU, bucket(feel_you, E_CNT, 4));
    ADD(P_LEN, bucket(n_words, E_LEN, 5));
    /* content words of the reply that the customer used too; with no
     * customer message, as with one that shares nothing (a missing context
     * must not look like a rare feature value the models never saw) */
    size_t shared = 0, content = 0, seen = 0;
    for (size_t i = 0; ctx && i < r->n_tokens && seen < HEED_EMPATHY_MAX_OVERLAP; i++) {
        if (!(rs.cls[i] & C_CONTENT))
            continue;
        seen++;
        content++;
        shared += (rs.cls[i] & C_SHARED) != 0; /* mark_shared */
    }
    static const size_t E_SH[] = {1, 2, 3, 6}, E_PCT[] = {1, 10, 25, 50};
    /* apart for replies with and without a question: echoing the customer
     * inside a question is how exploration often reads, outside one it is not */
    ADD(n_q ? P_SHARED_Q : P_SHARED, bucket(shared, E_SH, 4));
    ADD(n_q ? P_SHAREDPCT_Q : P_SHAREDPCT, bucket(content ? shared * 100 / content : 0, E_PCT, 4));
#undef ADD
    return n;
}

uint32_t heed__empathy_feature_set(void)
{
    const heed_feat_opts fo = {HEED_EMPATHY_FEAT_FLAGS};
    return heed__features_id(&fo);
}

/* Token hashes and classes of r into arena memory (NULL r: an empty side);
 * given: the token hashes made already, or NULL. */
static int hash_side(heed_arena *a, const cue_index *x, const heed_result *r, const uint64_t *given,
                     side *out)
{
    out->r = r;
    out->th = NULL;
    out->cls = NULL;
    out->wi = NULL;
    if (!r || !r->n_tokens)
        return HEED_OK;
    uint64_t *th = given ? NULL : heed__arena_alloc(a, r->n_tokens * sizeof *th);
    uint8_t *cls = heed__arena_alloc(a, r->n_tokens * sizeof *cls);
    uint16_t *wi = heed__arena_alloc(a, r->n_tokens * sizeof *wi);
    if ((!given && !th) || !cls || !wi)
        return HEED_ENOMEM;
    _Static_assert(IDX_WORDS_CAP <= 0x10000u, "an entry's index fits in 16 bits");
    for (size_t i = 0; i < r->n_tokens; i++) {
        const heed_token *t = &r->tokens[i];
        const uint64_t h = given ? given[i] : (th[i] = tok_hash(t));
        wi[i] = (uint16_t)word_find(x, h, t->norm, t->norm_len);
        const unsigned l = x->words[wi[i]].lists; /* the lists (bit L_*) that hold t */
        /* content: a word of 4 bytes or more that is not a stop word */
        const int content = t->kind == HEED_TOK_WORD && t->norm_len >= 4 && !(l & 1u << L_STOP);
        cls[i] = (uint8_t)((l & 1u << L_YOU ? C_YOU : 0) | (l & 1u << L_ME ? C_ME : 0) |
                           (l & 1u << L_FEEL ? C_FEEL : 0) | (content ? C_CONTENT : 0));
    }
    out->th = given ? given : th;
    out->cls = cls;
    out->wi = wi;
    return HEED_OK;
}

/* Sets C_SHARED on the content words of rs that are among the first
 * HEED_EMPATHY_MAX_OVERLAP content words of cs (the customer's), once per
 * call: the reply and each of its sentences then count them. */
static int mark_shared(heed_arena *a, side rs, side cs)
{
    const heed_result *r = rs.r, *ctx = cs.r;
    if (!r || !r->n_tokens || !ctx || !ctx->n_tokens)
        return HEED_OK;
    size_t nc = 0;
    uint32_t *cc = heed__arena_alloc(a, ctx->n_tokens * sizeof *cc);
    if (!cc)
        return HEED_ENOMEM;
    for (size_t j = 0; j < ctx->n_tokens && nc < HEED_EMPATHY_MAX_OVERLAP; j++)
        if (cs.cls[j] & C_CONTENT)
            cc[nc++] = (uint32_t)j;
    for (size_t i = 0; i < r->n_tokens; i++) {
        if (!(rs.cls[i] & C_CONTENT))
            continue;
        const heed_token *t = &r->tokens[i];
        for (size_t k = 0; k < nc; k++) {
            const heed_token *u = &ctx->tokens[cc[k]];
            if (cs.th[cc[k]] == rs.th[i] && u->norm_len == t->norm_len &&
                heed__mem_eq(u->norm, t->norm, t->norm_len)) {
                rs.cls[i] |= C_SHARED;
                break;
            }
        }
    }
    return HEED_OK;
}

/* Features of the pair given its cues. */
static int features_with(heed_arena *a, const cue_index *x, side rs, side cs, const hit *hits,
                         size_t n_hits, const heed_sparse *words, heed_sparse *out)
{
    const heed_feat_opts fo = {HEED_EMPATHY_FEAT_FLAGS};
    size_t cap = heed__features_bound(&fo, rs.r) + PAIR_MAX + n_hits;
    uint32_t *idx = heed__arena_alloc(a, cap * sizeof *idx);
    float *val = heed__arena_alloc(a, cap * sizeof *val);
    if (!idx || !val)
        return HEED_ENOMEM;
    size_t n;
    if (words && words->n <= cap - PAIR_MAX - n_hits) { /* made already: the same vector */
        memcpy(idx, words->idx, words->n * sizeof *idx);
        memcpy(val, words->val, words->n * sizeof *val);
        n = words->n;
    } else {
        n = rs.th ? heed__features_write_hashed(&fo, rs.r, rs.th, idx, val, cap - PAIR_MAX - n_hits)
                  : heed__features_write(&fo, rs.r, idx, val, cap - PAIR_MAX - n_hits);
    }
    n += pair_features(x, rs, cs, hits, n_hits, idx + n, val + n);
    *out = (heed_sparse){idx, val, n};
    return HEED_OK;
}

static int index_build(cue_index *x);

int heed__empathy_features(const heed_empathy_model *m, heed_arena *a, const heed_result *r,
                           const heed_result *ctx, heed_sparse *out)
{
    const cue_index *x = m ? &m->idx : NULL;
    if (!x) {
        cue_index *nx = heed__arena_alloc(a, sizeof *nx);
        if (!nx)
            return HEED_ENOMEM;
        if (index_build(nx))
            return HEED_EINVAL;
        x = nx;
    }
    hit *hits = heed__arena_alloc(a, MAX_HITS * sizeof *hits);
    side rs, cs;
    if (!hits || hash_side(a, x, r, NULL, &rs) || hash_side(a, x, ctx, NULL, &cs) ||
        mark_shared(a, rs, cs))
        return HEED_ENOMEM;
    size_t n_hits = find_cues(x, r, rs.th, rs.wi, hits);
    return features_with(a, x, rs, cs, hits, n_hits, NULL, out);
}

/* ---------------------------------------------------------------- cue index */

/* Adds the alternatives of s[0..n) ('/'-separated, or "*") as one slot. */
static int index_slot(cue_index *x, const char *s, size_t n, slot *out)
{
    *out = (slot){x->n_alts, 0, 0};
    if (n == 1 && s[0] == '*') {
        out->any = 1;
        return 0;
    }
    while (n) {
        const char *bar = memchr(s, '/', n);
        size_t l = bar ? (size_t)(bar - s) : n;
        if (x->n_alts >= IDX_MAX_ALTS)
            return -1;
        x->alts[x->n_alts++] = (alt){heed__hash(s, l), s, (uint32_t)l};
        out->n++;
        if (!bar)
            break;
        n -= l + 1;
        s = bar + 1;
    }
    return 0;
}

/* Compiles CUES and the word lists. Returns 0, or -1 when a table outgrows
 * the index (a bug caught by the tests, never by input). */
static int index_build(cue_index *x)
{
    memset(x, 0, sizeof *x);
    if (N_CUES > 64)
        return -1;
    for (size_t c = 0; c < N_CUES; c++) {
        const char *p = CUES[c].pat;
        x->pat_first[c] = x->n_slots;
        while (*p) {
            const char *sp = strchr(p, ' ');
            size_t l = sp ? (size_t)(sp - p) : strlen(p);
            if (x->n_slots >= IDX_MAX_SLOTS || index_slot(x, p, l, &x->slots[x->n_slots]))
                return -1;
            x->n_slots++;
            p += l + (sp != NULL);
        }
        x->pat_n[c] = (uint16_t)(x->n_slots - x->pat_first[c]);
        const slot *f = &x->slots[x->pat_first[c]];
        if (!x->pat_n[c] || f->any) {
            x->first_any |= 1ull << c;
        } else {
            for (uint32_t k = f->first; k < (uint32_t)f->first + f->n; k++) {
                const alt *a = &x->alts[k];
                word_entry *w = &x->words[word_find(x, a->h, a->s, a->len)];
                w->a = a;
                w->cues |= 1ull << c;
            }
        }
        /* a cue's feature is named by its pattern, so that adding a cue leaves
         * the others' features as they were */
        x->feat_on[c] = feat_str("cue", CUES[c].pat);
        x->feat_neg[c] = feat_str("cue-neg", CUES[c].pat);
    }
    for (int f = 0; f < N_PAIR; f++)
        for (long v = 0; v < PAIR_VALUES; v++)
            x->feat_pair[f][v] = feat(PAIR_NAMES[f], v);
    static const char *const lists[N_LISTS] = {SECOND_PERSON, FIRST_PERSON, FEEL_WORDS, STOP_WORDS};
    for (int k = 0; k < N_LISTS; k++) {
        if (index_slot(x, lists[k], strlen(lists[k]), &x->list[k]))
            return -1;
        for (uint32_t i = x->list[k].first; i < (uint32_t)x->list[k].first + x->list[k].n; i++) {
            const alt *a = &x->alts[i];
            word_entry *w = &x->words[word_find(x, a->h, a->s, a->len)];
            w->a = a;
            w->lists |= (uint8_t)(1u << k);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- model file */

static int model_err(heed_error *err, size_t pos, const char *msg)
{
    if (err) {
        err->code = HEED_EMODEL;
        err->pos = pos;
        snprintf(err->msg, sizeof err->msg, "empathy model: %.170s", msg);
    }
    return HEED_EMODEL;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A mechanism's model has the shape and features this code expects; its
 * sentence weight (aux[1], 0 when there is none) into *sent_w. */
static int check_lm(const heed_lm *lm, int mech, size_t pos, float *sent_w, heed_error *err)
{
    char msg[160];
    if (heed__lm_kind(lm) != HEED_LM_MULTICLASS || heed__lm_n_outputs(lm) != 3) {
        snprintf(msg, sizeof msg, "%s: not a 3-class model", MECH_NAMES[mech]);
        return model_err(err, pos, msg);
    }
    for (uint32_t k = 0; k < 3; k++)
        if (strcmp(heed__lm_label(lm, k), LEVEL_NAMES[k])) {
            snprintf(msg, sizeof msg, "%s: labels are not none/weak/strong", MECH_NAMES[mech]);
            return model_err(err, pos, msg);
        }
    size_t n_aux;
    const float *aux = heed__lm_aux(lm, &n_aux);
    if (heed__lm_feature_set(lm) != heed__empathy_feature_set() || n_aux < 1 ||
        aux[0] != (float)HEED_EMPATHY_FEATURES_VERSION) {
        snprintf(msg, sizeof msg, "%s: made with other features or extractor version",
                 MECH_NAMES[mech]);
        return model_err(err, pos, msg);
    }
    *sent_w = n_aux > 1 ? aux[1] : 0.0f;
    if (n_aux > 2 || !(*sent_w >= 0.0f && *sent_w < 1.0f)) {
        snprintf(msg, sizeof msg, "%s: bad decision settings (sentence weight)", MECH_NAMES[mech]);
        return model_err(err, pos, msg);
    }
    return HEED_OK;
}

int heed__empathy_new(const void *bytes, size_t len, unsigned flags, heed_empathy_model **out,
                      heed_error *err)
{
    *out = NULL;
    if (!len)
        return HEED_OK;
    const unsigned char *p = bytes;
    const size_t ml = sizeof HEED_EMPATHY_MAGIC - 1;
    if (!bytes || len < ml || memcmp(p, HEED_EMPATHY_MAGIC, ml))
        return model_err(err, 0, "bad magic (not a heed empathy model)");
    heed_empathy_model *m = heed__malloc(sizeof *m);
    if (!m) {
        if (err) {
            err->code = HEED_ENOMEM;
            snprintf(err->msg, sizeof err->msg, "out of memory");
        }
        return HEED_ENOMEM;
    }
    memset(m, 0, sizeof *m);
    size_t pos = ml;
    int rc = HEED_OK;
    if (index_build(&m->idx)) {
        rc = model_err(err, 0, "cue tables outgrow the index (a bug)");
        goto fail;
    }
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        if (len - pos < 4) {
            rc = model_err(err, pos, "truncated (length of a mechanism's model)");
            goto fail;
        }
        uint32_t n = get_u32(p + pos);
        pos += 4;
        if (n > len - pos) {
            rc = model_err(err, pos, "truncated (a mechanism's model is cut short)");
            goto fail;
        }
        heed_error lerr = {0};
        rc = heed__lm_load_flags(p + pos, n, flags, &m->lm[k], &lerr);
        if (rc) {
            if (rc == HEED_EMODEL) {
                char msg[200];
                snprintf(msg, sizeof msg, "%s: %.150s", MECH_NAMES[k], lerr.msg);
                model_err(err, pos + lerr.pos, msg);
            } else if (err) {
                *err = lerr;
            }
            goto fail;
        }
        if ((rc = check_lm(m->lm[k], k, pos, &m->sent_w[k], err)))
            goto fail;
        pos += n;
    }
    if (pos != len) {
        rc = model_err(err, pos, "trailing bytes after the three models");
        goto fail;
    }
    *out = m;
    return HEED_OK;
fail:
    heed__empathy_free(m);
    return rc;
}

void heed__empathy_free(heed_empathy_model *m)
{
    if (!m)
        return;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        heed__lm_free(m->lm[k]);
    heed__free(m);
}

int heed__empathy_pack(heed_lm *const lm[HEED_EMPATHY_COUNT], heed_buf *out)
{
    float w;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        if (!lm[k] || check_lm(lm[k], k, 0, &w, NULL))
            return HEED_EINVAL;
    heed__buf_add(out, HEED_EMPATHY_MAGIC, sizeof HEED_EMPATHY_MAGIC - 1);
    heed_buf one;
    heed__buf_init(&one, 0);
    int rc = HEED_OK;
    for (int k = 0; k < HEED_EMPATHY_COUNT && !rc; k++) {
        heed__buf_reset(&one);
        if ((rc = heed__lm_save(lm[k], &one)))
            break;
        if (one.len > UINT32_MAX) {
            rc = HEED_ETOOBIG;
            break;
        }
        unsigned char n[4] = {(unsigned char)one.len, (unsigned char)(one.len >> 8),
                              (unsigned char)(one.len >> 16), (unsigned char)(one.len >> 24)};
        heed__buf_add(out, n, 4);
        heed__buf_add(out, one.ptr, one.len);
    }
    heed__buf_release(&one);
    return rc ? rc : out->err;
}

/* ---------------------------------------------------------------- prediction */

static int argmax3(const float *p)
{
    int b = 0;
    for (int l = 1; l < 3; l++)
        if (p[l] > p[b])
            b = l;
    return b;
}

/* Moves the level of mechanism k to lv, scores to (p + onehot(lv)) / 2. */
static void set_level(heed_empathy *em, int k, int lv)
{
    for (int l = 0; l < 3; l++)
        em->prob[k][l] = 0.5f * (em->prob[k][l] + (l == lv ? 1.0f : 0.0f));
    em->level[k] = lv;
}

/* The sentence si of r alone, as a result the extractor can read, into *s:
 * the fields set here; the others are left as they are (zero: the caller
 * clears s once for all the sentences). */
static void sentence_alone(const heed_result *r, size_t si, heed_sentence *one, heed_result *s)
{
    *one = r->sentences[si];
    size_t first = one->first_token, n = one->n_tokens;
    if (first > r->n_tokens)
        first = r->n_tokens;
    if (n > r->n_tokens - first)
        n = r->n_tokens - first;
    one->first_token = 0;
    one->n_tokens = (uint32_t)n;
    s->text = r->text;
    s->text_len = r->text_len;
    s->tokens = r->tokens + first;
    s->n_tokens = n;
    s->sentences = one;
    s->n_sentences = 1;
    s->valence = one->valence;
}

static int add_span(heed_cue *spans, size_t *n, const heed_result *r, size_t first, size_t end,
                    int mech, float weight, const char *what)
{
    if (*n >= HEED_EMPATHY_MAX_SPANS || first >= end || end > r->n_tokens)
        return 0;
    const heed_token *a = &r->tokens[first], *b = &r->tokens[end - 1];
    spans[(*n)++] =
        (heed_cue){a->start, b->start + b->len - a->start, (uint16_t)mech, 0, weight, what};
    return 1;
}

/* The sentences of a reply scored alone (the first
 * HEED_EMPATHY_MAX_SENTENCES): their feature vectors, made at most once per
 * call and kept in the arena, and p(weak) + p(strong) of the mechanisms
 * asked for so far. The decision (sentence weight) and the spans both read
 * them. */
typedef struct sent_set {
    size_t n;       /* sentences considered */
    heed_sparse *x; /* NULL until made; x[si].idx NULL: an empty sentence */
    float *sc;      /* sc[si * HEED_EMPATHY_COUNT + k], for k in `have` */
    unsigned have;  /* the mechanisms (bit k) scored */
} sent_set;

/* Scores the mechanisms in `mask` that ss lacks, making the sentences'
 * features first if they are not there yet. */
static int sentence_scores(const heed_empathy_model *m, heed_arena *a, const heed_result *r,
                           side rs, side cs, const hit *hits, size_t n_hits, unsigned mask,
                           sent_set *ss)
{
    mask &= ~ss->have;
    if (!mask || !ss->n)
        return HEED_OK;
    if (!ss->x) {
        ss->x = heed__arena_alloc(a, ss->n * sizeof *ss->x);
        ss->sc = heed__arena_alloc(a, ss->n * HEED_EMPATHY_COUNT * sizeof *ss->sc);
        if (!ss->x || !ss->sc)
            return HEED_ENOMEM;
        size_t h0 = 0; /* the hits are in sentence order: those of si start at h0 */
        heed_sentence one;
        heed_result s = {0}; /* cleared once: sentence_alone sets the same fields each time */
        for (size_t si = 0; si < ss->n; si++) {
            sentence_alone(r, si, &one, &s);
            size_t first = (size_t)(s.tokens - r->tokens), h1 = h0;
            while (h0 < n_hits && hits[h0].first < first)
                h0++;
            for (h1 = h0; h1 < n_hits && hits[h1].first < first + s.n_tokens;)
                h1++;
            ss->x[si] = (heed_sparse){NULL, NULL, 0};
            if (!s.n_tokens)
                continue;
            /* the sentence's result lives on the stack: its features do not
             * keep pointers into it */
            const side sd = {&s, rs.th + first, rs.cls + first, rs.wi + first};
            int rc = features_with(a, &m->idx, sd, cs, hits + h0, h1 - h0, NULL, &ss->x[si]);
            if (rc)
                return rc;
            h0 = h1;
        }
    }
    /* the mechanisms asked for, predicted together on each sentence */
    const heed_lm *ms[HEED_EMPATHY_COUNT];
    float p[HEED_EMPATHY_COUNT][3], *po[HEED_EMPATHY_COUNT];
    size_t ks[HEED_EMPATHY_COUNT], n_ms = 0;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        if (mask & 1u << k) {
            ms[n_ms] = m->lm[k];
            po[n_ms] = p[n_ms];
            ks[n_ms++] = (size_t)k;
        }
    for (size_t si = 0; si < ss->n; si++) {
        if (!ss->x[si].idx)
            continue;
        heed__lm_predict_each(ms, n_ms, ss->x[si], po);
        for (size_t t = 0; t < n_ms; t++)
            ss->sc[si * HEED_EMPATHY_COUNT + ks[t]] = p[t][1] + p[t][2];
    }
    ss->have |= mask;
    return HEED_OK;
}

/* The spans of the mechanisms above "none". */
static int make_spans(const heed_empathy_model *m, heed_arena *a, heed_result *r, side rs, side cs,
                      const hit *hits, size_t n_hits, unsigned flags, sent_set *ss)
{
    heed_empathy *em = &r->empathy;
    heed_cue *spans = heed__arena_alloc(a, HEED_EMPATHY_MAX_SPANS * sizeof *spans);
    if (!spans)
        return HEED_ENOMEM;
    size_t n = 0;
    int got[HEED_EMPATHY_COUNT] = {0};
    if (!(flags & HEED_EMPATHY_NO_CUES))
        for (size_t i = 0; i < n_hits; i++)
            if (!hits[i].suppressed && em->level[hits[i].mech] > 0)
                got[hits[i].mech] |= add_span(spans, &n, r, hits[i].first, hits[i].end,
                                              hits[i].mech, 1.0f, CUES[hits[i].pat].what);
    unsigned want = 0;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        if (em->level[k] > 0)
            want |= 1u << k;
    int rc = sentence_scores(m, a, r, rs, cs, hits, n_hits, want, ss);
    if (rc)
        return rc;
    float best[HEED_EMPATHY_COUNT] = {-1, -1, -1};
    size_t best_si[HEED_EMPATHY_COUNT] = {0};
    for (size_t si = 0; want && si < ss->n; si++) {
        if (!ss->x[si].idx)
            continue;
        const heed_sentence *se = &r->sentences[si];
        size_t end = (size_t)se->first_token + se->n_tokens;
        if (end > r->n_tokens)
            end = r->n_tokens;
        for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
            if (em->level[k] == 0)
                continue;
            float v = ss->sc[si * HEED_EMPATHY_COUNT + (size_t)k];
            if (v >= 0.5f)
                got[k] |= add_span(spans, &n, r, se->first_token, end, k, v, "sentence (model)");
            if (v > best[k]) {
                best[k] = v;
                best_si[k] = si;
            }
        }
    }
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        if (em->level[k] > 0 && !got[k] && best[k] >= 0) {
            const heed_sentence *se = &r->sentences[best_si[k]];
            size_t end = (size_t)se->first_token + se->n_tokens;
            add_span(spans, &n, r, se->first_token, end < r->n_tokens ? end : r->n_tokens, k,
                     best[k], "best sentence (model)");
        }
    em->spans = spans;
    em->n_spans = n;
    return HEED_OK;
}

static int run(const heed_empathy_model *m, heed_arena *a, heed_result *r, const heed_result *ctx,
               unsigned flags, const heed_sparse *words, const uint64_t *rth, const uint64_t *cth)
{
    if (!m)
        return HEED_OK;
    hit *hits = heed__arena_alloc(a, MAX_HITS * sizeof *hits);
    side rs, cs;
    if (!hits || hash_side(a, &m->idx, r, rth, &rs) || hash_side(a, &m->idx, ctx, cth, &cs) ||
        mark_shared(a, rs, cs))
        return HEED_ENOMEM;
    size_t n_hits = find_cues(&m->idx, r, rs.th, rs.wi, hits);
    heed_sparse x;
    int rc = features_with(a, &m->idx, rs, cs, hits, n_hits, words, &x);
    if (rc)
        return rc;
    heed_empathy *em = &r->empathy;
    memset(em, 0, sizeof *em);
    const heed_lm *ms[HEED_EMPATHY_COUNT];
    float *po[HEED_EMPATHY_COUNT];
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        ms[k] = m->lm[k];
        po[k] = em->prob[k];
    }
    heed__lm_predict_each(ms, HEED_EMPATHY_COUNT, x, po);
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++)
        em->level[k] = argmax3(em->prob[k]);
    sent_set ss = {0};
    ss.n =
        r->n_sentences < HEED_EMPATHY_MAX_SENTENCES ? r->n_sentences : HEED_EMPATHY_MAX_SENTENCES;
    /* The best sentence's say (sent_w): a mechanism is above "none" when
     * q = (1 - w) (p(weak) + p(strong)) + w max_sentence (p(weak) + p(strong))
     * reaches 0.5, so that one sentence that shows it clearly counts in a
     * long reply whose score as a whole it hardly moves. The sentences are
     * scored only when the decision could change: at "none" when q can reach
     * 0.5 with a sentence at 1, above it when q can fall under 0.5. */
    unsigned blend = 0;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        const float w = m->sent_w[k], any = em->prob[k][1] + em->prob[k][2];
        if (w > 0.0f &&
            (em->level[k] == 0 ? (1.0f - w) * any + w >= 0.5f : (1.0f - w) * any < 0.5f))
            blend |= 1u << k;
    }
    if ((rc = sentence_scores(m, a, r, rs, cs, hits, n_hits, blend, &ss)))
        return rc;
    for (int k = 0; k < HEED_EMPATHY_COUNT && ss.n; k++) {
        if (!(blend & 1u << k))
            continue;
        float best = 0.0f;
        for (size_t si = 0; si < ss.n; si++)
            if (ss.x[si].idx && ss.sc[si * HEED_EMPATHY_COUNT + (size_t)k] > best)
                best = ss.sc[si * HEED_EMPATHY_COUNT + (size_t)k];
        const float w = m->sent_w[k];
        const int above = (1.0f - w) * (em->prob[k][1] + em->prob[k][2]) + w * best >= 0.5f;
        if (above && em->level[k] == 0)
            set_level(em, k, em->prob[k][2] > em->prob[k][1] ? 2 : 1);
        else if (!above && em->level[k] > 0)
            set_level(em, k, 0);
    }
    if (!(flags & HEED_EMPATHY_NO_CUES)) {
        int cue[HEED_EMPATHY_COUNT] = {0}, veto[HEED_EMPATHY_COUNT] = {0};
        for (size_t i = 0; i < n_hits; i++) {
            if (!hits[i].suppressed)
                cue[hits[i].mech] = 1;
            else if (CUES[hits[i].pat].flags & CUE_VETO)
                veto[hits[i].mech] = 1;
        }
        for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
            if (cue[k] && em->level[k] == 0)
                set_level(em, k, em->prob[k][2] > em->prob[k][1] ? 2 : 1);
            else if (veto[k] && !cue[k] && em->level[k] > 0)
                set_level(em, k, 0);
        }
    }
    em->available = 1;
    if (flags & HEED_EMPATHY_NO_SPANS)
        return HEED_OK;
    return make_spans(m, a, r, rs, cs, hits, n_hits, flags, &ss);
}

int heed__empathy_run(const heed_empathy_model *m, heed_arena *a, heed_result *r,
                      const heed_result *ctx, unsigned flags)
{
    return run(m, a, r, ctx, flags, NULL, NULL, NULL);
}

int heed__empathy(const heed_empathy_model *m, heed_arena *a, heed_result *r,
                  const heed_result *ctx)
{
    return run(m, a, r, ctx, 0, NULL, NULL, NULL);
}

int heed__empathy_with(const heed_empathy_model *m, heed_arena *a, heed_result *r,
                       const heed_result *ctx, const heed_sparse *words, const uint64_t *rth,
                       const uint64_t *cth)
{
    return run(m, a, r, ctx, 0, words, rth, cth);
}
