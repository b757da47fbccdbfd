/* test_familiar.c - the familiar-language stage (src/core/familiar.c) through
 * the public API on agent turns: jargon with its plain suggestions, the
 * unknown-acronym and code heuristics, what the customer said first, the
 * syllable counter (on hand-counted words, and against its first plain form on
 * random ones) and Flesch scores on hand-counted sentences, personal cues
 * and the SimHash of templated replies (its bit counts against a plain count). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "familiar.h"
#include "heed/heed.h"

int heed__familiar_lists_ok(void);
int heed__familiar_word_lists(const heed_familiar_index *x, const char *w, size_t n);
const char *heed__familiar_table_word(const heed_familiar_index *x, size_t k, size_t *n);
unsigned heed__familiar_syllables(const heed_familiar_index *x, const char *w, size_t n);
int heed__familiar_greeting(const char *w, size_t n, int *plain);

#include "engine_fixture.h"
#include "test_words.h"

/* Analyses reply as an agent turn answering ctx (NULL: none). */
static heed_analysis *reply(const char *text, const char *ctx)
{
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    o.context = ctx;
    o.context_len = ctx ? strlen(ctx) : 0;
    heed_analysis *an = NULL;
    heed_error err;
    assert_int_equal(heed_analyze(eng, text, strlen(text), &o, &an, &err), HEED_OK);
    assert_true(heed_analysis_result(an)->familiar.available);
    return an;
}

static void test_tables(void **state)
{
    (void)state;
    assert_true(heed__familiar_lists_ok());
    heed_familiar_index *x;
    assert_int_equal(heed__familiar_new(&x), HEED_OK);
    assert_true(heed__familiar_entries(x) >= 120);
    assert_int_equal(heed__familiar_bad_lines(x), 0); /* every line of jargon.tsv parses */
    heed__familiar_free(x);
    heed__familiar_free(NULL);
}

/* The context's word lists looked up in the engine's table against a search
 * of the whole lists (no table): words of both lists, the first and last
 * words of each first byte, their neighbours one byte off, cut short or one
 * longer, every word of one or two bytes, and random words. */
static void test_word_lists(void **state)
{
    (void)state;
    heed_familiar_index *x;
    assert_int_equal(heed__familiar_new(&x), HEED_OK);
    static const struct {
        const char *w;
        int want; /* 1 common, 2 generic noun, 0 neither */
    } KNOWN[] = {
        {"about", 1},    {"above", 1},  {"your", 1},    {"you're", 1},    {"i", 1},
        {"i'd", 1},      {"yet", 1},    {"account", 1}, {"thanks", 1},    {"address", 2},
        {"username", 2}, {"ticket", 2}, {"bank", 2},    {"refund", 2},    {"zebra", 0},
        {"abou", 0},     {"aboutt", 0}, {"Order", 0},   {"", 0},          {"\xff", 0},
        {"a", 0},        {"zz", 0},     {"yours", 0},   {"usernames", 0},
    };
    for (size_t k = 0; k < sizeof KNOWN / sizeof *KNOWN; k++) {
        const char *w = KNOWN[k].w;
        assert_int_equal(heed__familiar_word_lists(x, w, strlen(w)), KNOWN[k].want);
        assert_int_equal(heed__familiar_word_lists(NULL, w, strlen(w)), KNOWN[k].want);
    }
    static const char *const SEEDS[] = {
        "about",      "always",    "back",         "by",     "call",     "customer",
        "day",        "done",      "each",         "even",   "every",    "first",
        "from",       "get",       "great",        "had",    "hey",      "his",
        "how",        "i",         "i've",         "if",     "its",      "just",
        "know",       "last",      "looking",      "made",   "my",       "need",
        "number",     "of",        "out",          "over",   "please",   "problem",
        "question",   "really",    "reply",        "said",   "sure",     "take",
        "two",        "under",     "use",          "very",   "want",     "yet",
        "your",       "account",   "address",      "bank",   "bill",     "card",
        "contract",   "delivery",  "invoice",      "item",   "items",    "login",
        "membership", "money",     "name",         "order",  "orders",   "package",
        "password",   "situation", "subscription", "ticket", "username", "things",
        "you'll",     "can't",
    };
    const size_t ns = sizeof SEEDS / sizeof *SEEDS;
    char w[24];
    for (size_t k = 0; k < ns; k++) {
        size_t n = strlen(SEEDS[k]);
        memcpy(w, SEEDS[k], n);
        for (size_t cut = 0; cut <= n; cut++) /* every prefix */
            assert_int_equal(heed__familiar_word_lists(x, w, cut),
                             heed__familiar_word_lists(NULL, w, cut));
        for (size_t i = 0; i < n; i++) /* every byte one off, and 's' there */
            for (int d = -1; d <= 1; d++) {
                char keep = w[i];
                w[i] = d ? (char)(keep + d) : 's';
                assert_int_equal(heed__familiar_word_lists(x, w, n),
                                 heed__familiar_word_lists(NULL, w, n));
                w[i] = keep;
            }
        w[n] = 's';
        assert_int_equal(heed__familiar_word_lists(x, w, n + 1),
                         heed__familiar_word_lists(NULL, w, n + 1));
    }
    for (int c = 0; c < 256; c++)
        for (int d = 0; d < 256; d++) {
            char p[2] = {(char)c, (char)d};
            for (size_t n = 1; n <= 2; n++)
                assert_int_equal(heed__familiar_word_lists(x, p, n),
                                 heed__familiar_word_lists(NULL, p, n));
        }
    static const char ALPHA[] = "abcdefghilmnoprstuvwy'";
    unsigned long long seed = 2463534242ull;
    for (int it = 0; it < 200000; it++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        size_t n = 1 + (size_t)(seed % 6);
        for (size_t k = 0; k < n; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            w[k] = ALPHA[(seed >> 24) % (sizeof ALPHA - 1)];
        }
        assert_int_equal(heed__familiar_word_lists(x, w, n), heed__familiar_word_lists(NULL, w, n));
    }
    heed__familiar_free(x);
}

/* ---------------------------------------------------------------- jargon */

typedef struct jcase {
    const char *reply, *ctx;
    const char *want; /* findings as "text|what|plain" joined by newlines */
} jcase;

static const jcase JARGON[] = {
    {"Please fill in the RMA form.", NULL, "RMA|internal acronym|return"},
    {"Two RMAs were opened.", NULL, "RMAs|internal acronym|return"},
    {"Your ETA is Friday and the POD is attached.", NULL,
     "ETA|internal acronym|expected arrival time\nPOD|internal acronym|proof of delivery"},
    {"I have escalated this to L2.", NULL, "L2|internal acronym|specialist team"},
    {"It is with our escalation tier now.", NULL, "escalation tier|internal term|specialist team"},
    {"Tier 2 will call you.", NULL, "Tier 2|internal term|specialist team"},
    {"Please see our T&Cs.", NULL, "T&Cs|internal acronym|terms"},
    {"The bank raised a chargeback.", NULL, "chargeback|internal term|card payment dispute"},
    {"Provisioning takes a day.", NULL, "Provisioning|internal term|setting up"},
    {"Your request has been actioned.", NULL, "actioned|internal term|done"},
    {"The ticket is pending closure.", NULL, "pending closure|internal status|about to be closed"},
    {"KYC checks are needed.", NULL, "KYC|internal acronym|identity check"},
    /* codes */
    {"The app shows ERR_5012 when it fails.", NULL,
     "ERR_5012|error code|say what went wrong in plain words"},
    {"You saw E-4012 on the screen.", NULL, "E-4012|error code|say what went wrong in plain words"},
    {"I logged it as INC0012345 for the team.", NULL,
     "INC0012345|internal reference|say what this reference is, or leave it out"},
    {"Part SKU-1234 is out.", NULL,
     "SKU-1234|internal reference|say what this reference is, or leave it out"},
    /* unknown acronyms */
    {"The DSLM node is down.", NULL, "DSLM|unexplained acronym|spell it out in plain words"},
    /* not jargon */
    {"Your case number is CS-40123.", NULL, ""}, /* a reference introduced to the customer */
    {"Your order ORD-88123 is on its way.", "Where is ORD-88123?", ""}, /* theirs */
    {"The RMA you mentioned is approved.", "I have an RMA for my TV", ""},
    {"Use a USB cable, then enter your PIN. OK?", NULL, ""},
    {"This is NOT acceptable and I am SORRY.", NULL, ""},
    {"Return it with a returns label (RMA) inside.", NULL, ""},
    {"The 100GB plan has 4G and a 24-hour pass.", NULL, ""},
    {"I WILL FIX THIS TODAY ASAP", NULL, ""}, /* shouting, not acronyms */
    {"rma is not how agents write it; the pod of coffee.", NULL, ""},
};

static void test_jargon(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof JARGON / sizeof *JARGON; i++) {
        heed_analysis *an = reply(JARGON[i].reply, JARGON[i].ctx);
        const heed_result *r = heed_analysis_result(an);
        char got[1024] = "";
        for (size_t k = 0; k < r->familiar.n_jargon; k++) {
            const heed_jargon *j = &r->familiar.jargon[k];
            char one[256];
            snprintf(one, sizeof one, "%s%.*s|%s|%s", k ? "\n" : "", (int)j->len,
                     r->text + j->start, j->what, j->plain ? j->plain : "");
            strncat(got, one, sizeof got - strlen(got) - 1);
        }
        if (strcmp(got, JARGON[i].want))
            fail_msg("reply '%s':\n got  '%s'\n want '%s'", JARGON[i].reply, got, JARGON[i].want);
        heed_analysis_free(an);
    }
}

/* The plain suggestion belongs to the result: it outlives the engine. */
static void test_plain_outlives_engine(void **state)
{
    (void)state;
    heed_engine *e;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &e, &err), HEED_OK);
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    heed_analysis *an;
    const char *t = "Your RMA is ready.";
    assert_int_equal(heed_analyze(e, t, strlen(t), &o, &an, &err), HEED_OK);
    heed_engine_free(e);
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->familiar.n_jargon, 1);
    assert_string_equal(r->familiar.jargon[0].plain, "return");
    heed_analysis_free(an);
}

/* ---------------------------------------------------------------- readability */

typedef struct syl {
    const char *w;
    unsigned n;
} syl;

/* Dictionary syllable counts the counter gets right (docs/familiar.md lists
 * the kinds of word it gets wrong). */
static const syl SYLLABLES[] = {
    {"the", 1},           {"cat", 1},          {"make", 1},
    {"makes", 1},         {"table", 2},        {"tables", 2},
    {"boxes", 2},         {"charged", 1},      {"wanted", 2},
    {"processed", 2},     {"agreed", 2},       {"refund", 2},
    {"refunded", 3},      {"customer", 3},     {"delivery", 4},
    {"tomorrow", 3},      {"readability", 5},  {"apologise", 4},
    {"unfortunately", 5}, {"verification", 5}, {"documentation", 5},
    {"additional", 4},    {"requires", 2},     {"you", 1},
    {"yes", 1},           {"day", 1},          {"money", 2},
    {"easy", 2},          {"period", 3},       {"video", 3},
    {"quality", 3},       {"because", 2},      {"please", 1},
    {"receive", 2},       {"arrive", 2},       {"completely", 3},
    {"didn't", 2},        {"couldn't", 2},     {"don't", 1},
    {"can't", 1},         {"follow-up", 3},    {"i'm", 1},
    {"queue", 1},         {"café", 2},         {"x", 1},
    {"hmm", 1},
};

static void test_syllables(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof SYLLABLES / sizeof *SYLLABLES; i++) {
        unsigned got = heed__syllables(SYLLABLES[i].w, strlen(SYLLABLES[i].w));
        if (got != SYLLABLES[i].n)
            fail_msg("'%s': %u syllables, want %u", SYLLABLES[i].w, got, SYLLABLES[i].n);
    }
}

/* The counter as first written (two vowel tests per letter, a copy of the
 * letters), kept here as the reference for the one-pass heed__syllables. */
static int ref_is_vowel(unsigned char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' || c >= 0xC0;
}

static unsigned ref_part(const unsigned char *w, size_t n)
{
    unsigned char s[64];
    size_t m = 0;
    for (size_t i = 0; i < n && m < sizeof s; i++)
        if ((w[i] >= 'a' && w[i] <= 'z') || w[i] >= 0xC0)
            s[m++] = w[i];
    if (!m)
        return 0;
    unsigned count = 0;
    for (size_t i = 0; i < m; i++) {
        int v = ref_is_vowel(s[i]) && !(i == 0 && s[i] == 'y');
        int pv = i > 0 && ref_is_vowel(s[i - 1]) && !(i == 1 && s[0] == 'y');
        if (v && !pv)
            count++;
        if (v && pv && i >= 1) {
            unsigned char a = s[i - 1], b = s[i];
            int split = (a == 'i' && (b == 'a' || b == 'o' || b == 'u')) ||
                        (a == 'e' && b == 'o') || (a == 'u' && (b == 'a' || b == 'o'));
            if (split && a == 'i' && i >= 2 &&
                (s[i - 2] == 't' || s[i - 2] == 's' || s[i - 2] == 'c' || s[i - 2] == 'g' ||
                 s[i - 2] == 'x'))
                split = 0;
            if (split && a == 'u' && i >= 2 && (s[i - 2] == 'q' || s[i - 2] == 'g'))
                split = 0;
            count += (unsigned)split;
        }
    }
    int cons2 = m >= 3 && !ref_is_vowel(s[m - 3]);
    if (m >= 2 && s[m - 1] == 'e' && !ref_is_vowel(s[m - 2]) && count > 1 &&
        !(s[m - 2] == 'l' && m >= 3 && !ref_is_vowel(s[m - 3])))
        count--;
    else if (m >= 3 && s[m - 2] == 'e' && (s[m - 1] == 's' || s[m - 1] == 'd') && cons2 &&
             count > 1) {
        unsigned char c = s[m - 3];
        int keep = s[m - 1] == 'd' ? (c == 't' || c == 'd')
                                   : (c == 's' || c == 'x' || c == 'z' || c == 'h' || c == 'c' ||
                                      c == 'g' || (c == 'l' && m >= 4 && !ref_is_vowel(s[m - 4])));
        if (!keep)
            count--;
    } else if (m >= 4 && s[m - 1] == 'y' && s[m - 2] == 'l' && s[m - 3] == 'e' &&
               !ref_is_vowel(s[m - 4]) && count > 2)
        count--;
    return count ? count : 1;
}

static unsigned ref_syllables(const char *w, size_t n)
{
    const unsigned char *u = (const unsigned char *)w;
    unsigned total = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && u[j] != '-' && u[j] != '_')
            j++;
        size_t k = i, ap = j;
        while (k < j && u[k] != '\'')
            k++;
        if (k < j)
            ap = k;
        total += ref_part(u + i, ap - i);
        if (ap + 2 < j + 1 && ap >= i + 2 && j - ap == 2 && u[ap + 1] == 't' && u[ap - 1] == 'n' &&
            !ref_is_vowel(u[ap - 2]))
            total++;
        i = j + 1;
    }
    return total ? total : 1;
}

/* The one-pass counter against the reference: 400,000 random words of the
 * letters that matter (vowels, the consonants the rules name, separators,
 * apostrophes, digits, UTF-8 bytes) or of any byte, some over 64 letters;
 * and every pair of bytes in short words. */
static void test_syllables_random(void **state)
{
    (void)state;
    static const char ALPHA[] = "aeiouyaeiouytsdlcgxqzhnmrbkeeiyy--__''09\xc3\xa9\xe2\x80\x99\x7f";
    unsigned long long seed = 88172645463325252ull;
    char w[160];
    for (int it = 0; it < 400000; it++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        size_t n = (size_t)(seed % 12);
        if (it % 50 == 0)
            n = (size_t)(seed % 150); /* long words: past the 64 letters kept */
        for (size_t k = 0; k < n; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            w[k] = it % 7 == 0 ? (char)(seed >> 24) : ALPHA[(seed >> 24) % (sizeof ALPHA - 1)];
        }
        unsigned got = heed__syllables(w, n), want = ref_syllables(w, n);
        if (got != want)
            fail_msg("word %d (%zu bytes): %u syllables, want %u", it, n, got, want);
    }
    for (int c = 0; c < 256; c++)
        for (int d = 0; d < 256; d++) {
            char p[4] = {(char)c, (char)d, 'e', (char)c};
            for (size_t n = 0; n <= 4; n++)
                assert_int_equal(heed__syllables(p, n), ref_syllables(p, n));
        }
}

/* The syllables readability reads from the word table against the counter
 * (and its reference): every word the table holds, each with a byte cut off,
 * added or changed (words it does not hold), and random words; then the
 * grade and ease of replies made of table words and random words against
 * heed__readability, which counts every word. */
static void test_syllables_table(void **state)
{
    (void)state;
    heed_familiar_index *x = NULL;
    assert_int_equal(heed__familiar_new(&x), HEED_OK);
    const char *w;
    size_t n, k = 0;
    char b[64];
    for (; (w = heed__familiar_table_word(x, k, &n)) != NULL; k++) {
        assert_true(n + 1 < sizeof b);
        assert_int_equal(heed__familiar_syllables(x, w, n), heed__syllables(w, n));
        assert_int_equal(heed__familiar_syllables(x, w, n), ref_syllables(w, n));
        memcpy(b, w, n);
        b[n] = 'e';
        assert_int_equal(heed__familiar_syllables(x, b, n + 1), heed__syllables(b, n + 1));
        assert_int_equal(heed__familiar_syllables(x, b, n - 1), heed__syllables(b, n - 1));
        b[0] = 'y';
        assert_int_equal(heed__familiar_syllables(x, b, n), heed__syllables(b, n));
    }
    assert_true(k > 300); /* COMMON, GENERIC_NOUNS and SYLLABLE_WORDS */
    static const char ALPHA[] = "aeiouytsdlcgxqzhnmrbke-'";
    unsigned long long seed = 0x9E3779B97F4A7C15ull;
    char text[2048];
    int scored = 0;
    for (int it = 0; it < 3000; it++) {
        size_t m = 0;
        int words = 1 + (int)(seed % 40);
        for (int j = 0; j < words && m + 80 < sizeof text; j++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            if (seed % 3) { /* a table word, sometimes capitalised */
                w = heed__familiar_table_word(x, (size_t)(seed >> 20) % k, &n);
                memcpy(text + m, w, n);
                if (seed % 5 == 0 && text[m] >= 'a' && text[m] <= 'z')
                    text[m] = (char)(text[m] - 'a' + 'A');
                m += n;
            } else {
                size_t len = 1 + (size_t)(seed >> 40) % 10;
                for (size_t q = 0; q < len; q++) {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    text[m++] = ALPHA[(seed >> 24) % (sizeof ALPHA - 1)];
                }
                assert_int_equal(heed__familiar_syllables(x, text + m - len, len),
                                 heed__syllables(text + m - len, len));
            }
            text[m++] = seed % 11 == 0 ? '.' : ' ';
            if (text[m - 1] == '.')
                text[m++] = ' ';
        }
        text[m] = '\0';
        heed_analyze_opts o = {0};
        o.role = HEED_ROLE_AGENT;
        heed_analysis *an = NULL;
        assert_int_equal(heed_analyze(eng, text, m, &o, &an, NULL), HEED_OK);
        const heed_result *r = heed_analysis_result(an);
        if (!r->familiar.available) { /* not scored as English */
            heed_analysis_free(an);
            continue;
        }
        scored++;
        double grade, ease;
        heed__readability(r->tokens, r->n_tokens, r->sentences, r->n_sentences, &grade, &ease);
        if (grade != r->familiar.grade || ease != r->familiar.reading_ease)
            fail_msg("reply %d: grade %.17g ease %.17g, want %.17g %.17g: %s", it,
                     r->familiar.grade, r->familiar.reading_ease, grade, ease, text);
        heed_analysis_free(an);
    }
    assert_true(scored > 1500);
    heed__familiar_free(x);
}

static void check_greeting(const char *w, size_t n)
{
    int plain, got = heed__familiar_greeting(w, n, &plain);
    if (got != plain)
        fail_msg("'%.*s': greeting %d, the list says %d", (int)n, w, got, plain);
}

/* The greeting test by length and bytes against the sorted list: each
 * greeting whole, cut, grown and with each byte changed; random words of
 * its letters; every word of one and two bytes. */
static void test_greetings(void **state)
{
    (void)state;
    static const char *const G[] = {"afternoon", "dear", "evening", "hello",
                                    "hey",       "hi",   "hiya",    "morning"};
    char w[32];
    int found = 0;
    for (size_t g = 0; g < sizeof G / sizeof *G; g++) {
        size_t n = strlen(G[g]);
        int plain;
        found += heed__familiar_greeting(G[g], n, &plain) && plain;
        for (size_t k = 0; k <= n; k++)
            check_greeting(G[g], k);
        memcpy(w, G[g], n);
        w[n] = 's';
        check_greeting(w, n + 1);
        for (size_t k = 0; k < n; k++) {
            memcpy(w, G[g], n);
            w[k] ^= 1;
            check_greeting(w, n);
        }
    }
    assert_int_equal(found, 8);
    test_words(check_greeting, "adehilmnortvy", 5);
}

/* The SimHash's bit counts in eight lanes per word against a plain count
 * of each bit of each shingle: random word hashes, from 1 to 1,200 of them
 * (past the 255 shingles a lane holds), and hashes all ones or all zeros. */
static uint64_t ref_shingles(const uint64_t *wh, size_t m)
{
    if (!m)
        return 0;
    size_t w = m < 3 ? m : 3, n_sh = 0, ones[64] = {0};
    for (size_t i = 0; i + w <= m; i++) {
        uint64_t h = 0x9e3779b97f4a7c15ull;
        for (size_t k = 0; k < w; k++) {
            h = (h ^ wh[i + k]) * 0xff51afd7ed558ccdull;
            h ^= h >> 32;
        }
        for (int b = 0; b < 64; b++)
            ones[b] += (h >> b) & 1;
        n_sh++;
    }
    uint64_t out = 0;
    for (int b = 0; b < 64; b++)
        if (2 * ones[b] > n_sh)
            out |= (uint64_t)1 << b;
    return out;
}

static void test_shingles(void **state)
{
    (void)state;
    static uint64_t wh[1200];
    unsigned long long seed = 0x2545F4914F6CDD1Dull;
    assert_true(heed__familiar_shingles(wh, 0) == 0);
    for (int it = 0; it < 3000; it++) {
        size_t m = it < 20        ? (size_t)it + 1
                   : it % 10 == 0 ? 1 + (size_t)(seed % 1200)
                                  : 1 + (size_t)(seed % 40);
        for (size_t i = 0; i < m; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            wh[i] = it % 97 == 1 ? ~0ull : it % 97 == 2 ? 0 : it % 5 == 3 ? wh[i % 4] : seed;
        }
        uint64_t got = heed__familiar_shingles(wh, m), want = ref_shingles(wh, m);
        if (got != want)
            fail_msg("%zu words: %016llx, want %016llx", m, (unsigned long long)got,
                     (unsigned long long)want);
    }
    /* around 254 shingles, where the counts stop fitting a byte lane: every
     * hash alike (each count the whole number of shingles), or random */
    for (size_t m = 250; m <= 262; m++)
        for (int kind = 0; kind < 3; kind++) {
            for (size_t i = 0; i < m; i++) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                wh[i] = kind == 0 ? 7 : kind == 1 ? wh[i % 2] ^ (i % 2) : seed;
            }
            uint64_t got = heed__familiar_shingles(wh, m), want = ref_shingles(wh, m);
            if (got != want)
                fail_msg("%zu words (%d): %016llx, want %016llx", m, kind, (unsigned long long)got,
                         (unsigned long long)want);
        }
}

static void test_readability(void **state)
{
    (void)state;
    /* 13 words, 17 syllables (hand-counted), 2 sentences:
     * grade = 0.39*6.5 + 11.8*17/13 - 15.59, ease = 206.835 - 1.015*6.5 - 84.6*17/13 */
    heed_analysis *an =
        reply("Your refund was processed today. It will reach your card within five days.", NULL);
    const heed_result *r = heed_analysis_result(an);
    assert_true(fabs(r->familiar.grade - (0.39 * 6.5 + 11.8 * 17 / 13 - 15.59)) < 1e-9);
    assert_true(fabs(r->familiar.reading_ease - (206.835 - 1.015 * 6.5 - 84.6 * 17 / 13)) < 1e-9);
    heed_analysis_free(an);
    /* 8 words, 31 syllables, one sentence: hard (grade 31.3, ease clamped) */
    an = reply("Unfortunately, the reimbursement authorisation requires additional verification "
               "documentation.",
               NULL);
    r = heed_analysis_result(an);
    assert_true(fabs(r->familiar.grade - (0.39 * 8 + 11.8 * 31 / 8 - 15.59)) < 1e-9);
    assert_true(r->familiar.reading_ease == 0);
    heed_analysis_free(an);
    /* short words: grade clamped at 0, ease at 100 */
    an = reply("We got it. It is on the way.", NULL);
    r = heed_analysis_result(an);
    assert_true(r->familiar.grade == 0 && r->familiar.reading_ease == 100);
    heed_analysis_free(an);
    /* no words */
    an = reply("👍", NULL);
    r = heed_analysis_result(an);
    assert_true(r->familiar.grade == 0 && r->familiar.reading_ease == 100);
    assert_int_equal(r->familiar.n_jargon, 0);
    heed_analysis_free(an);
}

/* ---------------------------------------------------------------- personal */

typedef struct pcase {
    const char *ctx, *reply;
    const char *want; /* "text|what" joined by newlines */
} pcase;

static const pcase PERSONAL[] = {
    {"Hi, I'm Jane. Where is order #12345? The blender I bought is broken.\n\nThanks,\nJane Smith",
     "Hi Jane, order #12345 left today and a new blender is on its way.",
     "Jane|their name\n#12345|their reference\nblender|their words"},
    {"My name is Omar and my Pixel will not charge. Ticket INC0099123.",
     "Sorry Omar, I have added a note to INC0099123 about your Pixel.",
     "Omar|their name\nINC0099123|their reference\nPixel|their product"},
    {"order 99812345 arrived with a cracked screen - Priya",
     "Hello Priya, I am sorry the screen on order 99812345 was cracked.",
     "Priya|their name\nscreen|their words\n99812345|their reference\ncracked|their words"},
    {"jane@example.com never got the invoice", "We sent it to jane@example.com again.",
     "jane@example.com|their e-mail"},
    /* generic words are not personal */
    {"Where is my order? I want my money back.", "Your order and your money are safe.", ""},
};

static void test_personal(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof PERSONAL / sizeof *PERSONAL; i++) {
        heed_analysis *an = reply(PERSONAL[i].reply, PERSONAL[i].ctx);
        const heed_result *r = heed_analysis_result(an);
        char got[1024] = "";
        for (size_t k = 0; k < r->familiar.n_personal; k++) {
            const heed_cue *c = &r->familiar.personal[k];
            char one[256];
            snprintf(one, sizeof one, "%s%.*s|%s", k ? "\n" : "", (int)c->len, r->text + c->start,
                     c->what);
            strncat(got, one, sizeof got - strlen(got) - 1);
        }
        if (strcmp(got, PERSONAL[i].want))
            fail_msg("reply '%s':\n got  '%s'\n want '%s'", PERSONAL[i].reply, got,
                     PERSONAL[i].want);
        heed_analysis_free(an);
    }
    /* no context: no personal cues */
    heed_analysis *an = reply("Hi Jane, order #12345 left today.", NULL);
    assert_int_equal(heed_analysis_result(an)->familiar.n_personal, 0);
    heed_analysis_free(an);
}

/* ---------------------------------------------------------------- simhash */

static int hamming(uint64_t a, uint64_t b)
{
    int n = 0;
    for (uint64_t x = a ^ b; x; x &= x - 1)
        n++;
    return n;
}

static uint64_t hash_of(const char *text, const char *ctx)
{
    heed_analysis *an = reply(text, ctx);
    uint64_t h = heed_analysis_result(an)->familiar.simhash;
    heed_analysis_free(an);
    return h;
}

static void test_simhash(void **state)
{
    (void)state;
    /* one template, other names, order numbers, dates and amounts */
    uint64_t a = hash_of("Hi Jane, thank you for contacting us about order #12345. We have "
                         "processed a refund of €49.99 on 2026-03-01 and it will reach your "
                         "account within 5 working days. Kind regards, Tom",
                         "I'm Jane, where is my refund for #12345?");
    uint64_t b = hash_of("Hello Mohammed, thank you for contacting us about order ORD-88123. We "
                         "have processed a refund of $120 on 14th and it will reach your account "
                         "within 10 working days. Kind regards, Sara",
                         "My name is Mohammed. Refund for ORD-88123 please");
    uint64_t c = hash_of("Dear Ann, thank you for contacting us about order 77123456. We have "
                         "processed a refund of 20 EUR on 03/04/2026 and it will reach your "
                         "account within 3 working days. Kind regards, Lee",
                         NULL);
    assert_true(hamming(a, b) <= 3);
    assert_true(hamming(a, c) <= 3);
    /* different replies are far apart */
    uint64_t d = hash_of("I am so sorry the blender arrived broken. I have sent a new one by "
                         "courier and you can keep the old one.",
                         NULL);
    uint64_t e = hash_of("To reset your password, open the app, tap Settings and choose Security. "
                         "Then follow the link we e-mail you.",
                         NULL);
    assert_true(hamming(a, d) > 12);
    assert_true(hamming(a, e) > 12);
    assert_true(hamming(d, e) > 12);
    /* a long reply (more shingles than one counter lane holds) */
    static const char *const WORDS[] = {"parcel", "refund", "we",      "will", "send",    "today",
                                        "sorry",  "the",    "courier", "card", "account", "help"};
    char longa[8192] = "", longb[8192] = "", longc[8192] = "";
    unsigned seed = 7;
    for (int i = 0; i < 600; i++) {
        seed = seed * 1103515245u + 12345u;
        const char *wd = WORDS[(seed >> 8) % 12];
        char num[16];
        snprintf(num, sizeof num, " %d ", i % 50 == 0 ? 1000 + i : -1);
        strcat(longa, wd);
        strcat(longb, wd);
        strcat(longa, i % 50 == 0 ? num : " ");
        strcat(longb, i % 50 == 0 ? " 42 " : " ");
        strcat(longc, WORDS[(seed >> 16) % 12]);
        strcat(longc, " ");
    }
    assert_true(hash_of(longa, NULL) == hash_of(longb, NULL));
    assert_true(hamming(hash_of(longa, NULL), hash_of(longc, NULL)) > 12);
    /* the same text hashes the same; an empty reply hashes to 0 */
    assert_true(hash_of("Thanks, we are on it.", NULL) == hash_of("Thanks, we are on it.", NULL));
    assert_true(hash_of("", NULL) == 0);
}

/* The stage runs on agent turns only, and skip turns it off. */
static void test_roles_and_skip(void **state)
{
    (void)state;
    heed_analysis *an;
    heed_error err;
    const char *t = "Your RMA is ready.";
    assert_int_equal(heed_analyze(eng, t, strlen(t), NULL, &an, &err), HEED_OK);
    assert_false(heed_analysis_result(an)->familiar.available);
    heed_analysis_free(an);
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    o.skip = HEED_STAGE_FAMILIAR;
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    assert_false(heed_analysis_result(an)->familiar.available);
    heed_analysis_free(an);
}

/* Random mixes of the tokens the rules look at (names, ids, brackets,
 * acronyms, questions, sign-offs, emoji), as reply and context: every
 * result is well formed (spans inside their texts, statuses in range). Run
 * under ASan by scripts/test.sh --sanitize. */
static void test_random_mixes(void **state)
{
    (void)state;
    static const char *const PIECES[] = {
        "RMA",      "RMAs",     "(",
        ")",        "#12345",   "ORD-88123",
        "E-4012",   "ERR_5012", "Hi",
        "Jane",     ",",        "Thanks",
        "Regards",  "-",        "?",
        "!",        ".",        "when",
        "where",    "how",      "much",
        "why",      "can",      "I",
        "get",      "a",        "refund",
        "parcel",   "my",       "blender",
        "tier",     "2",        "T&Cs",
        "👍",        "\n",       "NOT",
        "DSLM",     "today",    "within",
        "5",        "days",     "I'll",
        "send",     "yes",      "it",
        "is",       "Go",       "to",
        "Settings", "tap",      "https://x.example/a",
        "€49.99",   "L2",       "pending",
        "closure",  "my",       "name",
        "I'm",      "Omar",     "escalation",
    };
    const size_t np = sizeof PIECES / sizeof *PIECES;
    unsigned seed = 12345;
    for (int round = 0; round < 400; round++) {
        char text[2][600];
        for (int w = 0; w < 2; w++) {
            size_t len = 0, n = (seed >> 3) % 40;
            text[w][0] = '\0';
            for (size_t k = 0; k < n; k++) {
                seed = seed * 1103515245u + 12345u;
                const char *p = PIECES[(seed >> 8) % np];
                len += (size_t)snprintf(text[w] + len, sizeof text[w] - len, "%s%s", p,
                                        (seed >> 20) & 1 ? " " : "");
                if (len >= sizeof text[w] - 40)
                    break;
            }
        }
        heed_analysis *an = reply(text[0], text[1]);
        const heed_result *r = heed_analysis_result(an);
        const heed_familiar *f = &r->familiar;
        for (size_t k = 0; k < f->n_jargon; k++)
            assert_true(f->jargon[k].start + f->jargon[k].len <= r->text_len && f->jargon[k].len);
        for (size_t k = 0; k < f->n_personal; k++)
            assert_true(f->personal[k].start + f->personal[k].len <= r->text_len);
        assert_true(f->grade >= 0 && f->reading_ease >= 0 && f->reading_ease <= 100);
        const heed_addressed *ad = &r->addressed;
        if (ad->available) {
            assert_true(ad->status >= 0 && ad->status < HEED_ADDR_COUNT);
            for (size_t k = 0; k < ad->n; k++) {
                const heed_ask_match *m = &ad->items[k];
                assert_true(m->ask_start + m->ask_len <= r->context_len);
                assert_true(m->reply_start + m->reply_len <= r->text_len);
                assert_true(m->need >= 0 && m->need < HEED_NEED_COUNT);
            }
        }
        heed_analysis_free(an);
    }
}

/* Failing the k-th allocation of an agent turn with context: a clean
 * HEED_ENOMEM, no leak (ASan), and then success. */
static void test_alloc_failure(void **state)
{
    (void)state;
    char text[8192] = "", ctx[8192] = "";
    for (int i = 0; i < 40; i++) {
        strcat(text, "Hi Jane, your RMA for order #12345 is pending closure; I'll refund it. ");
        strcat(ctx, "I'm Jane. Where is my refund for #12345? When will it arrive? ");
    }
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    o.context = ctx;
    o.context_len = strlen(ctx);
    heed_error err;
    for (long k = 0;; k++) {
        heed_analysis *an = NULL;
        heed__alloc_fail_after(k);
        int rc = heed_analyze(eng, text, strlen(text), &o, &an, &err);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK) {
            assert_true(heed_analysis_result(an)->familiar.n_jargon > 0);
            heed_analysis_free(an);
            break;
        }
        assert_int_equal(rc, HEED_ENOMEM);
        assert_null(an);
        assert_true(k < 10000);
    }
    for (long k = 0;; k++) { /* the jargon index of a new engine */
        heed_familiar_index *x = NULL;
        heed__alloc_fail_after(k);
        int rc = heed__familiar_new(&x);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK) {
            heed__familiar_free(x);
            break;
        }
        assert_int_equal(rc, HEED_ENOMEM);
        assert_null(x);
        assert_true(k < 10000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),          cmocka_unit_test(test_word_lists),
        cmocka_unit_test(test_jargon),          cmocka_unit_test(test_plain_outlives_engine),
        cmocka_unit_test(test_syllables),       cmocka_unit_test(test_syllables_random),
        cmocka_unit_test(test_syllables_table), cmocka_unit_test(test_greetings),
        cmocka_unit_test(test_shingles),        cmocka_unit_test(test_readability),
        cmocka_unit_test(test_personal),        cmocka_unit_test(test_simhash),
        cmocka_unit_test(test_roles_and_skip),  cmocka_unit_test(test_random_mixes),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
