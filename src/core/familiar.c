/* familiar.c - the familiar-language stage (familiar.h): curated jargon from
 * models/jargon.tsv (first-word hash table over the tokenizer's own tokens of
 * each term), heuristics for unknown acronyms and internal codes, Flesch
 * readability, the customer's details echoed in the reply, and a 64-bit
 * SimHash over word shingles. See docs/familiar.md. */
#include "familiar.h"

#include <string.h>

#include "alloc.h"
#include "hash.h"
#include "tokenize.h"

extern const char heed__jargon_tsv[];
extern const char heed__jargon_tsv_end[];

/* ---------------------------------------------------------------- index */

enum { K_ACRONYM, K_TERM, K_STATUS };
static const char *const KIND_NAMES[] = {"acronym", "term", "status"};
static const char *const KIND_WHAT[] = {"internal acronym", "internal term", "internal status"};

typedef struct jterm {
    const char *raw;        /* the term as written (arena, NUL-terminated) */
    const heed_token *toks; /* its tokens; offsets into raw */
    uint32_t n_toks;
    uint32_t next;          /* next term in the same bucket, index + 1; 0 ends */
    const char *plain;      /* NUL-terminated */
    uint8_t kind;           /* K_* */
    uint8_t case_sensitive; /* the term has a capital letter */
} jterm;

/* A word of the lists a customer's word is looked up in: 1 in COMMON, 2 in
 * GENERIC_NOUNS, or both, or neither (0: a word of SYLLABLE_WORDS only);
 * with its heed__syllables, which readability reads from here for the
 * words the table holds. WORDS_CAP is over twice the words of all three. */
#define WORDS_CAP 1024u
enum { W_COMMON = 1, W_GENERIC = 2 };
typedef struct list_word {
    uint64_t h;
    const char *w; /* NULL: an empty entry */
    uint32_t len;
    uint16_t lists; /* W_* */
    uint16_t syl;   /* heed__syllables(w, len) */
} list_word;

struct heed_familiar_index {
    heed_arena arena;
    jterm *terms;
    size_t n_terms;
    uint32_t *heads; /* per bucket: first term, index + 1; 0 empty */
    size_t mask;
    size_t bad_lines;
    uint32_t cue_starts[HEED_CUE_STARTS]; /* heed__addressed_cue_starts */
    /* COMMON and GENERIC_NOUNS in one table, by open addressing on the
     * word's heed__hash (word_lists_index) */
    list_word words[WORDS_CAP];
};

static size_t bucket(const heed_familiar_index *x, const char *norm, size_t len)
{
    return (size_t)heed__hash(norm, len) & x->mask;
}

/* Parses one TSV line into *t. 0 when it is not a valid entry. */
static int parse_line(heed_arena *a, const char *p, size_t n, jterm *t)
{
    const char *tab1 = memchr(p, '\t', n);
    if (!tab1)
        return 0;
    const char *tab2 = memchr(tab1 + 1, '\t', (size_t)(p + n - tab1 - 1));
    if (!tab2 || tab1 == p || tab2 + 1 >= p + n)
        return 0;
    size_t kl = (size_t)(tab2 - tab1 - 1);
    int kind = -1;
    for (int k = 0; k < 3; k++)
        if (strlen(KIND_NAMES[k]) == kl && !memcmp(KIND_NAMES[k], tab1 + 1, kl))
            kind = k;
    if (kind < 0)
        return 0;
    t->raw = heed__arena_memdup(a, p, (size_t)(tab1 - p));
    t->plain = heed__arena_memdup(a, tab2 + 1, (size_t)(p + n - tab2 - 1));
    if (!t->raw || !t->plain)
        return -1;
    heed_token *toks;
    size_t nt;
    int rc = heed__tokenize(a, t->raw, (size_t)(tab1 - p), &toks, &nt);
    if (rc)
        return rc == HEED_ENOMEM ? -1 : 0;
    if (!nt)
        return 0;
    t->toks = toks;
    t->n_toks = (uint32_t)nt;
    t->kind = (uint8_t)kind;
    t->case_sensitive = 0;
    for (const char *c = t->raw; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            t->case_sensitive = 1;
    return 1;
}

static void word_lists_index(heed_familiar_index *x);

int heed__familiar_new(heed_familiar_index **out)
{
    *out = NULL;
    heed_familiar_index *x = heed__malloc(sizeof(*x));
    if (!x)
        return HEED_ENOMEM;
    memset(x, 0, sizeof(*x));
    heed__arena_init(&x->arena, 0);
    heed__addressed_cue_starts(x->cue_starts);
    word_lists_index(x);
    const char *s = heed__jargon_tsv, *end = heed__jargon_tsv_end;
    size_t lines = 0;
    for (const char *p = s; p < end; p++)
        lines += *p == '\n';
    x->terms = heed__arena_calloc(&x->arena, lines + 1, sizeof(*x->terms));
    size_t nb = 16;
    while (nb < 2 * (lines + 1))
        nb *= 2;
    x->heads = heed__arena_calloc(&x->arena, nb, sizeof(*x->heads));
    if (!x->terms || !x->heads)
        goto fail;
    x->mask = nb - 1;
    for (const char *p = s; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t n = (size_t)(e - p);
        if (n && p[n - 1] == '\r')
            n--;
        if (n && p[0] != '#') {
            jterm *t = &x->terms[x->n_terms];
            int rc = parse_line(&x->arena, p, n, t);
            if (rc < 0)
                goto fail;
            if (rc == 0) {
                x->bad_lines++;
            } else {
                size_t b = bucket(x, t->toks[0].norm, t->toks[0].norm_len);
                t->next = x->heads[b];
                x->heads[b] = (uint32_t)++x->n_terms;
            }
        }
        p = e + 1;
    }
    *out = x;
    return HEED_OK;
fail:
    heed__familiar_free(x);
    return HEED_ENOMEM;
}

void heed__familiar_free(heed_familiar_index *x)
{
    if (!x)
        return;
    heed__arena_release(&x->arena);
    heed__free(x);
}

const uint32_t *heed__familiar_cue_starts(const heed_familiar_index *x)
{
    return x->cue_starts;
}

size_t heed__familiar_entries(const heed_familiar_index *x)
{
    return x ? x->n_terms : 0;
}

size_t heed__familiar_bad_lines(const heed_familiar_index *x)
{
    return x ? x->bad_lines : 0;
}

/* ---------------------------------------------------------------- word lists */

static int eq(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    return an == bn && !memcmp(a, b, an);
}

static int tok_is(const heed_token *t, const char *w)
{
    return eq(t->norm, t->norm_len, w);
}

/* Bytewise order of the NUL-terminated s against [w, w+wl), without strlen. */
static int cmp_word(const char *s, const char *w, size_t wl)
{
    size_t k = 0;
    for (; k < wl; k++) {
        unsigned char a = (unsigned char)s[k], b = (unsigned char)w[k];
        if (a != b)
            return a < b ? -1 : 1; /* also when s ends first (a == 0) */
        if (!a)
            return -1; /* s ends where w has a NUL byte: w is longer */
    }
    return s[k] != '\0';
}

/* Binary search of a sorted list of NUL-terminated words. */
static int in_list(const char *const *list, size_t n, const char *w, size_t wl)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = cmp_word(list[mid], w, wl);
        if (!d)
            return 1;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
#define IN(list, w, n) in_list(list, sizeof(list) / sizeof(list[0]), w, n)

/* All-caps words that are not jargon: everyday abbreviations, units, couriers
 * and words written in capitals for emphasis. Sorted (test_familiar checks). */
static const char *const CAPS_OK[] = {
    "about", "after", "again", "ai",   "all",   "am",   "amex",  "an",    "and",   "any",   "api",
    "app",   "are",   "asap",  "at",   "atm",   "bbc",  "be",    "best",  "bic",   "bst",   "but",
    "can",   "cd",    "ce",    "ceo",  "cet",   "cpu",  "dhl",   "diy",   "dm",    "do",    "dpd",
    "dr",    "dvd",   "est",   "eu",   "eur",   "ev",   "ever",  "every", "faq",   "fedex", "first",
    "for",   "free",  "fyi",   "gb",   "gbp",   "gls",  "gmt",   "gps",   "gpu",   "hd",    "hdd",
    "hdmi",  "hi",    "hmrc",  "hr",   "i",     "iban", "id",    "if",    "in",    "ios",   "ip",
    "irs",   "is",    "it",    "last", "lcd",   "led",  "mac",   "mb",    "me",    "more",  "mot",
    "mr",    "mrs",   "ms",    "must", "my",    "nb",   "never", "new",   "nfc",   "nhs",   "no",
    "not",   "note",  "now",   "nz",   "of",    "off",  "ok",    "okay",  "on",    "one",   "only",
    "or",    "os",    "our",   "pc",   "pdf",   "pin",  "pm",    "po",    "ps",    "pst",   "qr",
    "ram",   "sim",   "sms",   "so",   "sorry", "ssd",  "still", "tb",    "thank", "the",   "tnt",
    "to",    "today", "tv",    "two",  "uae",   "uk",   "up",    "ups",   "url",   "us",    "usa",
    "usb",   "usd",   "usps",  "utc",  "very",  "vip",  "visa",  "vpn",   "we",    "wifi",  "will",
    "www",   "xl",    "xs",    "xxl",  "xxs",   "yes",  "you",   "your",  "zip",
};

/* Function words and words every support message uses: never "their own
 * words". Sorted (test_familiar checks). */
static const char *const COMMON[] = {
    "about",      "above",     "account",  "actually", "after",       "again",      "agent",
    "all",        "already",   "also",     "always",   "am",          "an",         "and",
    "another",    "any",       "anyone",   "anything", "are",         "around",     "as",
    "ask",        "asked",     "at",       "back",     "be",          "because",    "been",
    "before",     "being",     "best",     "both",     "but",         "by",         "call",
    "can",        "can't",     "cannot",   "case",     "check",       "contact",    "contacted",
    "contacting", "could",     "couldn't", "customer", "day",         "days",       "dear",
    "did",        "didn't",    "do",       "does",     "doesn't",     "doing",      "don't",
    "done",       "each",      "email",    "even",     "ever",        "every",      "first",
    "for",        "from",      "get",      "getting",  "give",        "go",         "going",
    "good",       "got",       "great",    "had",      "has",         "have",       "having",
    "he",         "hello",     "help",     "her",      "here",        "hey",        "hi",
    "him",        "his",       "how",      "i",        "i'd",         "i'll",       "i'm",
    "i've",       "if",        "in",       "info",     "information", "into",       "is",
    "isn't",      "issue",     "it",       "it's",     "its",         "just",       "know",
    "last",       "let",       "like",     "look",     "looking",     "made",       "make",
    "many",       "may",       "me",       "message",  "might",       "more",       "most",
    "much",       "must",      "my",       "need",     "needs",       "never",      "new",
    "no",         "not",       "now",      "number",   "of",          "off",        "ok",
    "okay",       "on",        "once",     "one",      "only",        "or",         "order",
    "ordered",    "other",     "our",      "out",      "over",        "please",     "problem",
    "question",   "really",    "regards",  "reply",    "said",        "same",       "see",
    "send",       "sent",      "service",  "she",      "should",      "since",      "so",
    "some",       "something", "soon",     "sorry",    "still",       "support",    "sure",
    "take",       "team",      "tell",     "than",     "thank",       "thanks",     "that",
    "that's",     "the",       "their",    "them",     "then",        "there",      "these",
    "they",       "thing",     "things",   "think",    "this",        "those",      "time",
    "to",         "today",     "too",      "two",      "under",       "understand", "until",
    "up",         "us",        "use",      "very",     "want",        "was",        "wasn't",
    "way",        "we",        "we'll",    "we're",    "we've",       "week",       "well",
    "were",       "what",      "when",     "where",    "which",       "while",      "who",
    "why",        "will",      "with",     "without",  "won't",       "would",      "yes",
    "yet",        "you",       "you'll",   "you're",   "your",
};

int heed__familiar_common(const char *w, size_t n)
{
    return IN(COMMON, w, n);
}

/* Nouns too general to make a reply personal when echoed ("your order"). */
static const char *const GENERIC_NOUNS[] = {
    "account",  "address",    "bank",      "bill",      "card",         "company", "contract",
    "delivery", "details",    "email",     "invoice",   "issue",        "item",    "items",
    "login",    "membership", "money",     "name",      "number",       "order",   "orders",
    "package",  "parcel",     "password",  "payment",   "problem",      "product", "receipt",
    "refund",   "request",    "situation", "statement", "subscription", "thing",   "things",
    "ticket",   "username",
};

/* Frequent words of replies outside COMMON and GENERIC_NOUNS, in the word
 * table only for their syllable count: a cache of heed__syllables (a word's
 * count is the same with or without it), so what the list holds changes
 * only the cost of readability. Picked by frequency in heed's two-turn test
 * conversations. Sorted (test_familiar checks). */
static const char *const SYLLABLE_WORDS[] = {
    "a",          "against",    "ago",      "almost",     "asking",      "assistance", "away",
    "bad",        "believe",    "better",   "between",    "big",         "bit",        "care",
    "cash",       "change",     "charge",   "charged",    "come",        "comes",      "coming",
    "definitely", "dont",       "down",     "easy",       "else",        "end",        "enough",
    "everyone",   "everything", "exactly",  "exchange",   "expect",      "fact",       "far",
    "fee",        "feel",       "few",      "find",       "free",        "frustrated", "gets",
    "glad",       "guess",      "happened", "happy",      "hard",        "haven't",    "he's",
    "heard",      "home",       "hope",     "idea",       "interesting", "job",        "keep",
    "kind",       "least",      "left",     "less",       "little",      "live",       "long",
    "looks",      "lost",       "lot",      "makes",      "making",      "maybe",      "mean",
    "mind",       "next",       "nice",     "nothing",    "old",         "own",        "part",
    "pay",        "pending",    "people",   "person",     "phone",       "place",      "point",
    "possible",   "post",       "pretty",   "probably",   "put",         "quick",      "rate",
    "read",       "real",       "reason",   "remember",   "removed",     "right",      "saw",
    "say",        "saying",     "second",   "seems",      "seen",        "show",       "someone",
    "sounds",     "stop",       "such",     "takes",      "talking",     "there's",    "they're",
    "third",      "though",     "thought",  "through",    "times",       "transfer",   "tried",
    "true",       "try",        "trying",   "update",     "used",        "using",      "wait",
    "went",       "what's",     "whole",    "withdrawal", "work",        "wrong",      "year",
    "years",      "yourself",
};

/* Puts COMMON, GENERIC_NOUNS and SYLLABLE_WORDS into x's word table, each
 * word with its syllables. */
static void word_lists_index(heed_familiar_index *x)
{
    static const char *const *const lists[3] = {COMMON, GENERIC_NOUNS, SYLLABLE_WORDS};
    static const size_t ns[3] = {sizeof COMMON / sizeof *COMMON,
                                 sizeof GENERIC_NOUNS / sizeof *GENERIC_NOUNS,
                                 sizeof SYLLABLE_WORDS / sizeof *SYLLABLE_WORDS};
    static const uint16_t flag[3] = {W_COMMON, W_GENERIC, 0};
    _Static_assert(2 * (sizeof COMMON / sizeof *COMMON +
                        sizeof GENERIC_NOUNS / sizeof *GENERIC_NOUNS +
                        sizeof SYLLABLE_WORDS / sizeof *SYLLABLE_WORDS) <=
                       WORDS_CAP,
                   "the word table is under half full");
    for (size_t l = 0; l < 3; l++)
        for (size_t k = 0; k < ns[l]; k++) {
            const char *w = lists[l][k];
            const size_t n = strlen(w);
            const uint64_t h = heed__hash(w, n);
            size_t i = (size_t)h & (WORDS_CAP - 1);
            while (x->words[i].w && !(x->words[i].len == n && !memcmp(x->words[i].w, w, n)))
                i = (i + 1) & (WORDS_CAP - 1);
            x->words[i] = (list_word){h, w, (uint32_t)n, (uint16_t)(x->words[i].lists | flag[l]),
                                      (uint16_t)heed__syllables(w, n)};
        }
}

/* 1 when the word w[0..n) is common (heed__familiar_common), else 2 when it
 * is a generic noun, else 0: by x's word table (h: heed__hash of the word),
 * or when x is NULL by searching both lists. */
static int common_or_generic(const heed_familiar_index *x, const char *w, size_t n, uint64_t h)
{
    if (!x) {
        if (IN(COMMON, w, n))
            return 1;
        return IN(GENERIC_NOUNS, w, n) ? 2 : 0;
    }
    for (size_t i = (size_t)h & (WORDS_CAP - 1);; i = (i + 1) & (WORDS_CAP - 1)) {
        const list_word *e = &x->words[i];
        if (!e->w)
            return 0;
        if (e->h == h && e->len == n && !memcmp(e->w, w, n))
            return e->lists & W_COMMON ? 1 : e->lists & W_GENERIC ? 2 : 0;
    }
}

/* heed__syllables of the word w[0..n) (h: heed__hash of it): from x's word
 * table when it holds the word, else counted. */
static unsigned syllables_h(const heed_familiar_index *x, const char *w, size_t n, uint64_t h)
{
    for (size_t i = (size_t)h & (WORDS_CAP - 1);; i = (i + 1) & (WORDS_CAP - 1)) {
        const list_word *e = &x->words[i];
        if (!e->w)
            return heed__syllables(w, n);
        if (e->h == h && e->len == n && !memcmp(e->w, w, n))
            return e->syl;
    }
}

/* For tests: the k-th word of x's word table in table order (NULL past the
 * last), its length in *n. */
const char *heed__familiar_table_word(const heed_familiar_index *x, size_t k, size_t *n);
const char *heed__familiar_table_word(const heed_familiar_index *x, size_t k, size_t *n)
{
    for (size_t i = 0; i < WORDS_CAP; i++)
        if (x->words[i].w && !k--) {
            *n = x->words[i].len;
            return x->words[i].w;
        }
    return NULL;
}

/* For tests: syllables_h (the count from the table when x holds the word). */
unsigned heed__familiar_syllables(const heed_familiar_index *x, const char *w, size_t n);
unsigned heed__familiar_syllables(const heed_familiar_index *x, const char *w, size_t n)
{
    return syllables_h(x, w, n, heed__hash(w, n));
}

/* For tests: common_or_generic with and without the table. */
int heed__familiar_word_lists(const heed_familiar_index *x, const char *w, size_t n);
int heed__familiar_word_lists(const heed_familiar_index *x, const char *w, size_t n)
{
    return common_or_generic(x, w, n, heed__hash(w, n));
}

/* Words that open a customer's sign-off, before their name. */
static const char *const SIGN_OFFS[] = {
    "best", "br",    "cheers", "many", "regards", "sincerely",
    "ta",   "thank", "thanks", "thx",  "wishes",
};

static const char *const GREETINGS[] = {"afternoon", "dear", "evening", "hello",
                                        "hey",       "hi",   "hiya",    "morning"};

/* IN(GREETINGS, w, n) by length, then bytes: the SimHash asks it of every
 * word of a reply, most of which it turns away by their length alone
 * (test_familiar compares the two). */
static int is_greeting(const char *w, size_t n)
{
    switch (n) {
    case 2:
        return w[0] == 'h' && w[1] == 'i';
    case 3:
        return !memcmp(w, "hey", 3);
    case 4:
        return !memcmp(w, "dear", 4) || !memcmp(w, "hiya", 4);
    case 5:
        return !memcmp(w, "hello", 5);
    case 7:
        return !memcmp(w, "evening", 7) || !memcmp(w, "morning", 7);
    case 9:
        return !memcmp(w, "afternoon", 9);
    default:
        return 0;
    }
}

/* For tests: is_greeting (the return) and IN(GREETINGS) (*plain). */
int heed__familiar_greeting(const char *w, size_t n, int *plain);
int heed__familiar_greeting(const char *w, size_t n, int *plain)
{
    *plain = IN(GREETINGS, w, n);
    return is_greeting(w, n);
}

/* For tests: are the lists sorted as their binary search needs? */
int heed__familiar_lists_ok(void);
int heed__familiar_lists_ok(void)
{
    const char *const *lists[] = {CAPS_OK,   COMMON,    GENERIC_NOUNS,
                                  SIGN_OFFS, GREETINGS, SYLLABLE_WORDS};
    const size_t ns[] = {sizeof CAPS_OK / sizeof *CAPS_OK,
                         sizeof COMMON / sizeof *COMMON,
                         sizeof GENERIC_NOUNS / sizeof *GENERIC_NOUNS,
                         sizeof SIGN_OFFS / sizeof *SIGN_OFFS,
                         sizeof GREETINGS / sizeof *GREETINGS,
                         sizeof SYLLABLE_WORDS / sizeof *SYLLABLE_WORDS};
    for (size_t l = 0; l < 6; l++)
        for (size_t k = 1; k < ns[l]; k++)
            if (strcmp(lists[l][k - 1], lists[l][k]) >= 0)
                return 0;
    return 1;
}

/* ---------------------------------------------------------------- readability */

/* What a byte is to the syllable counter: a sound letter (a-z, or a UTF-8
 * byte from 0xC0 up: the lead byte of an accented letter), a vowel (a e i o
 * u y and those lead bytes), a separator of parts (- _) or an apostrophe. */
enum { SY_LETTER = 1, SY_VOWEL = 2, SY_SEP = 4, SY_APOS = 8 };
static const unsigned char SY_CLASS[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 10 */
    0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 4, 0, 0, /* 20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, /* 50 */
    0, 3, 1, 1, 1, 3, 1, 1, 1, 3, 1, 1, 1, 1, 1, 3, /* 60 */
    1, 1, 1, 1, 1, 3, 1, 1, 1, 3, 1, 0, 0, 0, 0, 0, /* 70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* A0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* B0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* C0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* D0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* E0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* F0 */
};

static int is_vowel(unsigned char c)
{
    return SY_CLASS[c] & SY_VOWEL;
}

/* The end of one part's count (the silent endings), given its number of
 * letters m (at most 64), the groups counted and its last four letters c1
 * (the last) to c4, 0 where there are fewer. */
static unsigned part_end(size_t m, unsigned count, unsigned c1, unsigned c2, unsigned c3,
                         unsigned c4)
{
    if (!m)
        return 0;
    int cons2 = m >= 3 && !is_vowel((unsigned char)c3); /* consonant before the final pair */
    if (m >= 2 && c1 == 'e' && !is_vowel((unsigned char)c2) && count > 1 &&
        !(c2 == 'l' && m >= 3 && !is_vowel((unsigned char)c3)))
        count--; /* silent final e: make, arrive (but table, simple) */
    else if (m >= 3 && c2 == 'e' && (c1 == 's' || c1 == 'd') && cons2 && count > 1) {
        unsigned c = c3;
        int keep = c1 == 'd' ? (c == 't' || c == 'd')
                             : (c == 's' || c == 'x' || c == 'z' || c == 'h' || c == 'c' ||
                                c == 'g' || (c == 'l' && m >= 4 && !is_vowel((unsigned char)c4)));
        if (!keep)
            count--; /* makes, charged (but boxes, wanted, tables) */
    } else if (m >= 4 && c1 == 'y' && c2 == 'l' && c3 == 'e' && !is_vowel((unsigned char)c4) &&
               count > 2)
        count--; /* lately, completely */
    return count ? count : 1;
}

/* One pass over the word: a part runs to a separator (- _); its letters are
 * counted up to an apostrophe (a contraction: the stem) and only the first
 * 64 of them; the last four letters are kept for the silent endings. UTF-8
 * continuation bytes and digits are not sounds. */
unsigned heed__syllables(const char *w, size_t n)
{
    const unsigned char *u = (const unsigned char *)w;
    unsigned total = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i, m = 0;
        unsigned count = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0;
        int pv = 0; /* the previous letter was a vowel sound */
        for (; j < n; j++) {
            unsigned c = u[j], k = SY_CLASS[c];
            if (k & (SY_SEP | SY_APOS))
                break;
            if (!(k & SY_LETTER) || m >= 64)
                continue;
            int v = (k & SY_VOWEL) && !(m == 0 && c == 'y');
            if (v && !pv)
                count++;
            else if (v && m >= 2) {
                /* two vowels heard apart: ratio, period, create, video,
                 * actual, duo (not -tion/-sion/-cial/-gion/-xious, where i
                 * is silent) */
                unsigned a = c1;
                int split = (a == 'i' && (c == 'a' || c == 'o' || c == 'u')) ||
                            (a == 'e' && c == 'o') || (a == 'u' && (c == 'a' || c == 'o'));
                if (split && a == 'i' &&
                    (c2 == 't' || c2 == 's' || c2 == 'c' || c2 == 'g' || c2 == 'x'))
                    split = 0;
                if (split && a == 'u' && (c2 == 'q' || c2 == 'g'))
                    split = 0; /* quality, guard */
                count += (unsigned)split;
            } else if (v) { /* the second letter, after a vowel first */
                unsigned a = c1;
                count += (a == 'i' && (c == 'a' || c == 'o' || c == 'u')) ||
                         (a == 'e' && c == 'o') || (a == 'u' && (c == 'a' || c == 'o'));
            }
            pv = v;
            c4 = c3;
            c3 = c2;
            c2 = c1;
            c1 = c;
            m++;
        }
        size_t ap = j; /* the apostrophe, or the end of the part */
        while (j < n && !(SY_CLASS[u[j]] & SY_SEP))
            j++;
        total += part_end(m, count, c1, c2, c3, c4);
        /* n't after a consonant is a syllable of its own (didn't,
         * couldn't; not don't, can't) */
        if (ap + 2 < j + 1 && ap >= i + 2 && j - ap == 2 && u[ap + 1] == 't' && u[ap - 1] == 'n' &&
            !is_vowel(u[ap - 2]))
            total++;
        i = j + 1;
    }
    return total ? total : 1;
}

static unsigned syllables_h(const heed_familiar_index *x, const char *w, size_t n, uint64_t h);

/* heed__readability, the words' syllables read from x's word table where it
 * holds them (th: the tokens' heed__hash; NULL x or th: all counted). */
static void readability_th(const heed_familiar_index *x, const uint64_t *th, const heed_token *toks,
                           size_t n_toks, const heed_sentence *sents, size_t n_sents, double *grade,
                           double *ease)
{
    double words = 0, syll = 0, sentences = 0;
    for (size_t s = 0; s < n_sents; s++) {
        size_t w = 0;
        for (size_t i = sents[s].first_token;
             i < sents[s].first_token + sents[s].n_tokens && i < n_toks; i++) {
            if (toks[i].kind != HEED_TOK_WORD)
                continue;
            w++;
            syll += x && th ? syllables_h(x, toks[i].norm, toks[i].norm_len, th[i])
                            : heed__syllables(toks[i].norm, toks[i].norm_len);
        }
        words += (double)w;
        sentences += w > 0;
    }
    if (words <= 0) {
        *grade = 0;
        *ease = 100;
        return;
    }
    double wps = words / sentences, spw = syll / words;
    double g = 0.39 * wps + 11.8 * spw - 15.59;
    double e = 206.835 - 1.015 * wps - 84.6 * spw;
    *grade = g < 0 ? 0 : g;
    *ease = e < 0 ? 0 : e > 100 ? 100 : e;
}

void heed__readability(const heed_token *toks, size_t n_toks, const heed_sentence *sents,
                       size_t n_sents, double *grade, double *ease)
{
    readability_th(NULL, NULL, toks, n_toks, sents, n_sents, grade, ease);
}

/* ---------------------------------------------------------------- ctx words */

/* What a customer's word is to the reply: its details, by priority. */
enum { C_NONE, C_WORD, C_PRODUCT, C_NAME, C_EMAIL, C_REF };
static const char *const CUE_WHAT[] = {NULL,         "their words",  "their product",
                                       "their name", "their e-mail", "their reference"};

typedef struct slot {
    const char *key;
    uint32_t len;
    uint8_t type; /* C_* */
    uint8_t seen; /* echoed in the reply already */
} slot;

typedef struct wordset {
    slot *s;
    size_t mask;
} wordset;

static int set_init(heed_arena *a, wordset *ws, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 16)
        cap *= 2;
    ws->s = heed__arena_calloc(a, cap, sizeof(*ws->s));
    ws->mask = cap - 1;
    return ws->s ? HEED_OK : HEED_ENOMEM;
}

/* The slot of [k, k+n) whose heed__hash is h, or NULL. */
static slot *set_find_h(const wordset *ws, const char *k, size_t n, uint64_t h)
{
    if (!ws->s)
        return NULL;
    for (size_t i = (size_t)h & ws->mask;; i = (i + 1) & ws->mask) {
        slot *s = &ws->s[i];
        if (!s->key)
            return NULL;
        if (s->len == n && !memcmp(s->key, k, n))
            return s;
    }
}

static slot *set_find(const wordset *ws, const char *k, size_t n)
{
    return ws->s ? set_find_h(ws, k, n, heed__hash(k, n)) : NULL;
}

/* Adds k with type t, keeping the higher type when present. The caller sized
 * the set for every add. */
static void set_add_h(wordset *ws, const char *k, size_t n, int t, uint64_t h)
{
    for (size_t i = (size_t)h & ws->mask;; i = (i + 1) & ws->mask) {
        slot *s = &ws->s[i];
        if (!s->key) {
            s->key = k;
            s->len = (uint32_t)n;
            s->type = (uint8_t)t;
            return;
        }
        if (s->len == n && !memcmp(s->key, k, n)) {
            if (t > s->type)
                s->type = (uint8_t)t;
            return;
        }
    }
}

static void set_add(wordset *ws, const char *k, size_t n, int t)
{
    set_add_h(ws, k, n, t, heed__hash(k, n));
}

/* The key of a reference token: its norm without a leading '#'. */
static void ref_key(const heed_token *t, const char **k, size_t *n)
{
    *k = t->norm;
    *n = t->norm_len;
    if (*n > 1 && **k == '#') {
        (*k)++;
        (*n)--;
    }
}

static int is_cap_word(const char *text, const heed_token *t)
{
    unsigned char c = (unsigned char)text[t->start];
    return t->kind == HEED_TOK_WORD && c >= 'A' && c <= 'Z' && !(t->flags & HEED_TF_ALLCAPS);
}

static int digits_in(const heed_token *t)
{
    int d = 0;
    for (uint32_t i = 0; i < t->norm_len; i++)
        d += t->norm[i] >= '0' && t->norm[i] <= '9';
    return d;
}

static int is_reference(const heed_token *t)
{
    return t->kind == HEED_TOK_ID || (t->kind == HEED_TOK_NUMBER && digits_in(t) >= 5);
}

/* The customer's name from "I'm Jane", "my name is Jane", "this is Jane" or a
 * sign-off at the end ("Thanks, Jane Smith", "Regards,\nJane"). Adds the name
 * words to ws as C_NAME. */
static void find_names(const heed_result *c, wordset *ws)
{
    const heed_token *t = c->tokens;
    size_t n = c->n_tokens;
    for (size_t i = 0; i + 1 < n; i++) {
        size_t j = 0;
        if (tok_is(&t[i], "i'm") || tok_is(&t[i], "im"))
            j = i + 1;
        else if ((tok_is(&t[i], "i") && tok_is(&t[i + 1], "am")) ||
                 (tok_is(&t[i], "this") && tok_is(&t[i + 1], "is")))
            j = i + 2;
        else if (i + 2 < n && tok_is(&t[i], "name") && tok_is(&t[i + 1], "is"))
            j = i + 2;
        if (j && j < n && is_cap_word(c->text, &t[j]) &&
            !heed__familiar_common(t[j].norm, t[j].norm_len))
            set_add(ws, t[j].norm, t[j].norm_len, C_NAME);
    }
    /* sign-off: the last one or two words, capitalised, after a sign-off
     * word or a dash */
    size_t last = n;
    while (last > 0 && t[last - 1].kind != HEED_TOK_WORD)
        last--;
    if (!last)
        return;
    size_t first = last - 1;
    if (first > 0 && t[first - 1].kind == HEED_TOK_WORD && is_cap_word(c->text, &t[first - 1]))
        first--;
    for (size_t k = first; k < last; k++)
        if (!is_cap_word(c->text, &t[k]) || heed__familiar_common(t[k].norm, t[k].norm_len))
            return;
    size_t p = first;
    while (p > 0 && (t[p - 1].kind == HEED_TOK_PUNCT || t[p - 1].kind == HEED_TOK_SYMBOL))
        p--;
    int signed_off = p < first && p > 0 && IN(SIGN_OFFS, t[p - 1].norm, t[p - 1].norm_len);
    for (size_t k = p; k < first; k++)
        if (t[k].norm_len == 1 && (t[k].norm[0] == '-' || t[k].norm[0] == '~'))
            signed_off = 1;
    if (p < first && p == 0)
        signed_off = 1; /* "- Jane" alone */
    if (p == first && p > 0 && t[p - 1].sentence != t[p].sentence &&
        IN(SIGN_OFFS, t[p - 1].norm, t[p - 1].norm_len))
        signed_off = 1; /* "Thanks\nJane" */
    if (!signed_off)
        return;
    for (size_t k = first; k < last; k++)
        set_add(ws, t[k].norm, t[k].norm_len, C_NAME);
}

/* Adds the customer's details from ctx to ws. */
/* cth: the heed__hash of each token of c, or NULL. */
static int ctx_details(const heed_familiar_index *x, heed_arena *a, const heed_result *c,
                       const uint64_t *cth, wordset *ws)
{
    int rc = set_init(a, ws, 2 * c->n_tokens);
    if (rc)
        return rc;
    const heed_token *t = c->tokens;
    for (size_t i = 0; i < c->n_tokens; i++) {
        const heed_token *k = &t[i];
        uint64_t h = 0; /* a word's heed__hash */
        if (is_reference(k)) {
            const char *key;
            size_t kn;
            ref_key(k, &key, &kn);
            set_add(ws, key, kn, C_REF);
        } else if (k->kind == HEED_TOK_EMAIL) {
            set_add(ws, k->norm, k->norm_len, C_EMAIL);
        } else if (k->kind == HEED_TOK_WORD) {
            /* every word, so the jargon check knows what the customer said */
            h = cth ? cth[i] : heed__hash(k->norm, k->norm_len);
            set_add_h(ws, k->norm, k->norm_len, C_NONE, h);
        }
        if (k->kind == HEED_TOK_WORD && k->norm_len >= 3 &&
            !common_or_generic(x, k->norm, k->norm_len, h)) {
            /* product: after my/our/new, or a capitalised word
             * inside a sentence (a brand) */
            int product = 0;
            if (i > 0 &&
                (tok_is(&t[i - 1], "my") || tok_is(&t[i - 1], "our") || tok_is(&t[i - 1], "new")))
                product = 1;
            if (i > 0 && t[i - 1].sentence == k->sentence && t[i - 1].kind == HEED_TOK_WORD &&
                is_cap_word(c->text, k))
                product = 1;
            if (product || k->norm_len >= 5)
                set_add_h(ws, k->norm, k->norm_len, product ? C_PRODUCT : C_WORD, h);
            if (k->norm_len > 4 && k->norm[k->norm_len - 1] == 's' &&
                k->norm[k->norm_len - 2] != 's')
                set_add(ws, k->norm, k->norm_len - 1, product ? C_PRODUCT : C_WORD);
        }
    }
    find_names(c, ws); /* names win over the word entries added above */
    return HEED_OK;
}

/* ---------------------------------------------------------------- jargon */

/* Does term t match the reply's tokens at i? Returns the tokens it covers. */
static size_t term_match(const jterm *t, const char *text, const heed_token *toks, size_t n,
                         size_t i)
{
    if (i + t->n_toks > n)
        return 0;
    for (uint32_t k = 0; k < t->n_toks; k++) {
        const heed_token *r = &toks[i + k], *q = &t->toks[k];
        const char *rp = t->case_sensitive ? text + r->start : r->norm;
        size_t rl = t->case_sensitive ? r->len : r->norm_len;
        const char *qp = t->case_sensitive ? t->raw + q->start : q->norm;
        size_t ql = t->case_sensitive ? q->len : q->norm_len;
        int last = k + 1 == t->n_toks;
        if (rl == ql && !memcmp(rp, qp, ql))
            continue;
        if (last && rl == ql + 1 && !memcmp(rp, qp, ql) && (rp[ql] == 's' || rp[ql] == 'S'))
            continue; /* plural: RMAs, chargebacks */
        return 0;
    }
    return t->n_toks;
}

/* th[i]: the heed__hash of toks[i]'s normalised form. */
static const jterm *find_term(const heed_familiar_index *x, const char *text,
                              const heed_token *toks, const uint64_t *th, size_t n, size_t i,
                              size_t *len)
{
    const jterm *best = NULL;
    *len = 0;
    const heed_token *k = &toks[i];
    for (int pass = 0; pass < 2; pass++) {
        size_t kl = k->norm_len - (size_t)pass; /* pass 1: without a plural s */
        if (pass && (k->norm_len < 3 || k->norm[k->norm_len - 1] != 's'))
            break;
        size_t b = pass ? bucket(x, k->norm, kl) : (size_t)th[i] & x->mask;
        for (uint32_t e = x->heads[b]; e; e = x->terms[e - 1].next) {
            const jterm *t = &x->terms[e - 1];
            size_t m = term_match(t, text, toks, n, i);
            if (m > *len) {
                best = t;
                *len = m;
            }
        }
    }
    return best;
}

static int is_paren(const heed_token *t, char c)
{
    return t->norm_len == 1 && t->norm[0] == c;
}

/* An acronym defined where it stands: "RMA (return)" or "... (RMA)". */
static int defined_here(const heed_token *toks, size_t n, size_t i, size_t j)
{
    if (j < n && is_paren(&toks[j], '('))
        return 1;
    return i > 0 && j < n && is_paren(&toks[i - 1], '(') && is_paren(&toks[j], ')');
}

/* Per sentence: 1 when as many of its words are in capitals as not (shouting). */
static uint8_t *shouted_sentences(heed_arena *a, const heed_result *r)
{
    uint8_t *sh = heed__arena_calloc(a, r->n_sentences ? r->n_sentences : 1, 1);
    if (!sh)
        return NULL;
    for (size_t s = 0; s < r->n_sentences; s++) {
        const heed_sentence *sn = &r->sentences[s];
        size_t caps = 0, lower = 0;
        for (size_t k = sn->first_token; k < sn->first_token + sn->n_tokens && k < r->n_tokens; k++)
            if (r->tokens[k].kind == HEED_TOK_WORD)
                (r->tokens[k].flags & HEED_TF_ALLCAPS) ? caps++ : lower++;
        sh[s] = caps >= lower;
    }
    return sh;
}

/* Is the word an unknown acronym: 2-5 capitals among words that are not
 * shouted, not an everyday abbreviation? */
static int unknown_acronym(const heed_result *r, size_t i, const uint8_t *shouted)
{
    const heed_token *t = &r->tokens[i];
    if (t->kind != HEED_TOK_WORD || !(t->flags & HEED_TF_ALLCAPS) || t->norm_len < 2 ||
        t->norm_len > 5 || IN(CAPS_OK, t->norm, t->norm_len))
        return 0;
    for (uint32_t k = 0; k < t->len; k++) {
        unsigned char c = (unsigned char)r->text[t->start + k];
        if (!(c >= 'A' && c <= 'Z'))
            return 0;
    }
    return t->sentence < r->n_sentences && !shouted[t->sentence];
}

/* Is the token an internal code (ERR_5012, E-4012, INC0012345, #12345)?
 * Sets *error for error codes. */
static int code_token(const char *text, const heed_token *t, int *error)
{
    *error = 0;
    if (t->kind == HEED_TOK_ID) {
        /* "e-4012", "err_5012", "error-12", "0x80070005" */
        const char *p = t->norm;
        size_t n = t->norm_len;
        if ((n > 2 && p[0] == 'e' &&
             (p[1] == '-' || p[1] == '_' || (p[1] >= '0' && p[1] <= '9'))) ||
            (n > 3 && !memcmp(p, "err", 3)) || (n > 2 && !memcmp(p, "0x", 2)))
            *error = 1;
        return 1;
    }
    /* a word of fewer than 4 bytes or without digits is no code: most words
     * stop here, before their letters are counted */
    if (t->kind != HEED_TOK_WORD || t->len < 4 || !digits_in(t))
        return 0;
    int letters = 0, upper = 0, under = 0;
    for (uint32_t k = 0; k < t->len; k++) {
        unsigned char c = (unsigned char)text[t->start + k];
        letters += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        upper += c >= 'A' && c <= 'Z';
        under += c == '_';
    }
    if (!letters)
        return 0;
    /* a word mixing capitals and digits with an underscore or in the shape
     * LETTERS[-]DIGITS: "E4012", "AB_12"; not units (100GB, 24-hour, 4G) */
    if (!upper)
        return 0;
    if (under)
        return 1;
    uint32_t k = 0;
    while (k < t->len && ((text[t->start + k] >= 'A' && text[t->start + k] <= 'Z')))
        k++;
    if (!k)
        return 0;
    if (k < t->len && text[t->start + k] == '-')
        k++;
    uint32_t d0 = k;
    while (k < t->len && text[t->start + k] >= '0' && text[t->start + k] <= '9')
        k++;
    if (k == t->len && k > d0) {
        *error = text[t->start] == 'E';
        return 1;
    }
    return 0;
}

/* Words that introduce a reference to the customer: "your case number
 * CS-4012" is explained, not jargon. */
static int introduced(const heed_token *toks, size_t i)
{
    static const char *const INTRO[] = {"booking", "case",   "claim",   "confirmation", "invoice",
                                        "no",      "no.",    "number",  "order",        "reference",
                                        "ref",     "ticket", "tracking"};
    for (size_t k = i; k > 0 && k + 3 > i; k--) {
        const heed_token *p = &toks[k - 1];
        if (p->kind == HEED_TOK_WORD) {
            for (size_t q = 0; q < sizeof INTRO / sizeof *INTRO; q++)
                if (tok_is(p, INTRO[q]))
                    return 1;
        }
    }
    return 0;
}

static int jargon(const heed_familiar_index *x, heed_arena *a, heed_result *r, const wordset *cws,
                  const uint64_t *th)
{
    const heed_token *t = r->tokens;
    size_t n = r->n_tokens, count = 0;
    heed_jargon *out = NULL;
    const uint8_t *shouted = shouted_sentences(a, r);
    if (!shouted)
        return HEED_ENOMEM;
    for (size_t i = 0; i < n && count < HEED_MAX_JARGON;) {
        size_t len = 0;
        const jterm *term = x ? find_term(x, r->text, t, th, n, i, &len) : NULL;
        const char *what = NULL, *plain = NULL;
        int known = 0;
        if (term) {
            /* the customer used it first: they know it */
            known = set_find(cws, t[i].norm, t[i].norm_len) != NULL &&
                    set_find(cws, t[i + len - 1].norm, t[i + len - 1].norm_len) != NULL;
            what = KIND_WHAT[term->kind];
            plain = term->plain;
        } else {
            len = 1;
            int error;
            if (unknown_acronym(r, i, shouted)) {
                what = "unexplained acronym";
                plain = "spell it out in plain words";
                known = set_find(cws, t[i].norm, t[i].norm_len) != NULL;
            } else if (code_token(r->text, &t[i], &error)) {
                const char *k;
                size_t kn;
                ref_key(&t[i], &k, &kn);
                known = set_find(cws, k, kn) != NULL || (!error && introduced(t, i));
                what = error ? "error code" : "internal reference";
                plain = error ? "say what went wrong in plain words"
                              : "say what this reference is, or leave it out";
            }
        }
        if (what && !known && !defined_here(t, n, i, i + len)) {
            if (!out && !(out = heed__arena_alloc(a, HEED_MAX_JARGON * sizeof(*out))))
                return HEED_ENOMEM;
            heed_jargon *j = &out[count++];
            j->start = t[i].start;
            j->len = t[i + len - 1].start + t[i + len - 1].len - t[i].start;
            j->what = what;
            j->plain = plain;
            if (term && !(j->plain = heed__arena_memdup(a, plain, strlen(plain))))
                return HEED_ENOMEM; /* the result must not point into the engine */
        }
        i += len ? len : 1;
    }
    r->familiar.jargon = out;
    r->familiar.n_jargon = count;
    return HEED_OK;
}

/* ---------------------------------------------------------------- personal */

static int personal(heed_arena *a, heed_result *r, const wordset *cws, const uint64_t *th)
{
    if (!cws->s)
        return HEED_OK;
    heed_cue *out = NULL;
    size_t count = 0;
    for (size_t i = 0; i < r->n_tokens && count < HEED_MAX_PERSONAL; i++) {
        const heed_token *t = &r->tokens[i];
        const char *k = t->norm;
        size_t kn = t->norm_len;
        uint64_t h = th[i];
        if (is_reference(t)) {
            ref_key(t, &k, &kn);
            h = heed__hash(k, kn);
        } else if (t->kind != HEED_TOK_WORD && t->kind != HEED_TOK_EMAIL)
            continue;
        slot *s = set_find_h(cws, k, kn, h);
        if (!s && t->kind == HEED_TOK_WORD && kn > 4 && k[kn - 1] == 's')
            s = set_find(cws, k, kn - 1);
        if (!s || s->seen || s->type == C_NONE)
            continue;
        if (s->type == C_REF && !is_reference(t))
            continue;
        s->seen = 1; /* the first echo of each detail */
        if (!out && !(out = heed__arena_alloc(a, HEED_MAX_PERSONAL * sizeof(*out))))
            return HEED_ENOMEM;
        heed_cue *c = &out[count++];
        c->start = t->start;
        c->len = t->len;
        c->component = 0;
        c->flags = 0;
        c->weight = 1;
        c->what = CUE_WHAT[s->type];
    }
    r->familiar.personal = out;
    r->familiar.n_personal = count;
    return HEED_OK;
}

/* ---------------------------------------------------------------- simhash */

/* The words a template keeps: ids, numbers, dates, names and greetings are
 * left out, so a canned reply with other details hashes the same. */
static int template_word(const heed_result *r, size_t i, const wordset *cws, const uint64_t *th)
{
    const heed_token *t = r->tokens;
    const heed_token *k = &t[i];
    if (k->kind != HEED_TOK_WORD)
        return 0;
    if (is_greeting(k->norm, k->norm_len))
        return 0;
    if ((k->flags & HEED_TF_ALLCAPS) && ((i > 0 && t[i - 1].kind == HEED_TOK_MONEY) ||
                                         (i + 1 < r->n_tokens && t[i + 1].kind == HEED_TOK_MONEY)))
        return 0; /* the currency of an amount: "20 EUR" */
    slot *s = set_find_h(cws, k->norm, k->norm_len, th[i]);
    if (s && s->type == C_NAME)
        return 0;
    if (!is_cap_word(r->text, k) || tok_is(k, "i") || k->sentence >= r->n_sentences)
        return 1;
    const heed_sentence *sn = &r->sentences[k->sentence];
    if (i > sn->first_token)
        return 0; /* a capitalised word inside a sentence: a name */
    /* a sentence's first word: a name when it follows a greeting or stands
     * in a sentence of one or two words (a signature) */
    if (i > 0 && is_greeting(t[i - 1].norm, t[i - 1].norm_len))
        return 0;
    size_t words = 0;
    for (size_t q = sn->first_token; q < sn->first_token + sn->n_tokens; q++)
        words += t[q].kind == HEED_TOK_WORD;
    return words > 2 || heed__familiar_common(k->norm, k->norm_len);
}

static uint64_t simhash(heed_arena *a, const heed_result *r, const wordset *cws, const uint64_t *th,
                        int *rc)
{
    *rc = HEED_OK;
    uint32_t *keep = heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof(*keep));
    if (!keep) {
        *rc = HEED_ENOMEM;
        return 0;
    }
    uint64_t *wh = heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof(*wh));
    if (!wh) {
        *rc = HEED_ENOMEM;
        return 0;
    }
    size_t m = 0;
    for (size_t i = 0; i < r->n_tokens; i++)
        if (template_word(r, i, cws, th)) {
            keep[m] = (uint32_t)i;
            wh[m++] = th[i];
        }
    return heed__familiar_shingles(wh, m);
}

/* The hash of the shingle of the w word hashes at wh. */
static inline uint64_t shingle_hash(const uint64_t *wh, size_t w)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t k = 0; k < w; k++) {
        h = (h ^ wh[k]) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}

uint64_t heed__familiar_shingles(const uint64_t *wh, size_t m)
{
    if (!m)
        return 0;
    /* per bit, how many shingle hashes have it set: eight 8-bit counters in
     * one uint64 (lane j of acc[k] counts bit 8j+k, one shift and mask adds
     * a hash's bits k, k+8, ... k+56), emptied into ones[] before a lane can
     * overflow */
    uint64_t acc[8] = {0};
    size_t w = m < 3 ? m : 3, n_sh = 0; /* shingles of three words (fewer in a short reply) */
    if (m - w + 1 < 255) {
        /* no lane can overflow: the counts stay in acc, and lane j of acc[k]
         * (bit 8j+k) is over half of n_sh when it passes n_sh / 2, that is
         * when adding 127 - n_sh / 2 sets its top bit (at most 254: no carry
         * into the next lane, as a count is at most n_sh) */
        for (size_t i = 0; i + w <= m; i++) {
            uint64_t h = shingle_hash(wh + i, w);
            for (int k = 0; k < 8; k++)
                acc[k] += h >> k & 0x0101010101010101ull;
        }
        n_sh = m - w + 1;
        const uint64_t bias = 0x0101010101010101ull * (127 - n_sh / 2);
        uint64_t out = 0;
        for (int k = 0; k < 8; k++)
            out |= ((acc[k] + bias) & 0x8080808080808080ull) >> 7 << k;
        return out;
    }
    uint64_t ones[64] = {0};
    for (size_t i = 0; i + w <= m; i++) {
        uint64_t h = shingle_hash(wh + i, w);
        for (int k = 0; k < 8; k++)
            acc[k] += h >> k & 0x0101010101010101ull;
        if (++n_sh % 255 == 0 || i + w == m)
            for (int k = 0; k < 8; k++) {
                for (int j = 0; j < 8; j++)
                    ones[8 * j + k] += acc[k] >> (8 * j) & 0xFF;
                acc[k] = 0;
            }
    }
    uint64_t out = 0;
    for (int b = 0; b < 64; b++) /* the majority of the shingles */
        out |= (uint64_t)(2 * ones[b] > n_sh) << b;
    return out;
}

/* ---------------------------------------------------------------- stage */

int heed__familiar(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                   const heed_result *ctx)
{
    return heed__familiar_th(x, a, r, ctx, NULL, NULL);
}

int heed__familiar_th(const heed_familiar_index *x, heed_arena *a, heed_result *r,
                      const heed_result *ctx, const uint64_t *rth, const uint64_t *cth)
{
    wordset cws = {0};
    int rc;
    if (ctx && (rc = ctx_details(x, a, ctx, cth, &cws)))
        return rc;
    /* each token's hash, for the syllables, the jargon index, the
     * customer's words (looked up twice) and the SimHash */
    const uint64_t *th = rth;
    if (!th) {
        uint64_t *h = heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof(*h));
        if (!h)
            return HEED_ENOMEM;
        for (size_t i = 0; i < r->n_tokens; i++)
            h[i] = heed__hash(r->tokens[i].norm, r->tokens[i].norm_len);
        th = h;
    }
    readability_th(x, th, r->tokens, r->n_tokens, r->sentences, r->n_sentences, &r->familiar.grade,
                   &r->familiar.reading_ease);
    if ((rc = jargon(x, a, r, &cws, th)) || (ctx && (rc = personal(a, r, &cws, th))))
        return rc;
    r->familiar.simhash = simhash(a, r, &cws, th, &rc);
    if (rc)
        return rc;
    r->familiar.available = 1;
    return HEED_OK;
}
