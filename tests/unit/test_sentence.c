/* test_sentence.c - the sentence splitter (src/core/sentence.c) on tokens from
 * the real tokenizer: each table row is a text and its sentences, bracketed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "heed/heed.h"
#include "sentence.h"
#include "tokenize.h"

typedef struct sent_case {
    const char *in;
    const char *want; /* "[first sentence][second sentence]" */
} sent_case;

static const sent_case cases[] = {
    /* plain ends */
    {"The agent was lovely. The refund never came.",
     "[The agent was lovely.][The refund never came.]"},
    {"Why?! Nobody answered!!! Call me", "[Why?!][Nobody answered!!!][Call me]"},
    {"no capital after. the next one", "[no capital after.][the next one]"},
    {"Really? yes", "[Really?][yes]"},
    {"\xE5\xA5\xBD\xE3\x80\x82\xE5\x9D\x8F", "[\xE5\xA5\xBD\xE3\x80\x82][\xE5\x9D\x8F]"},
    /* abbreviations, initials, numbers */
    {"Mr. Smith and Dr. Jones came.", "[Mr. Smith and Dr. Jones came.]"},
    {"Fruit, e.g. apples, i.e. food.", "[Fruit, e.g. apples, i.e. food.]"},
    {"It costs approx. 5 euros vs. 7 before.", "[It costs approx. 5 euros vs. 7 before.]"},
    {"Order no. 5 is late.", "[Order no. 5 is late.]"},
    {"I said no. He left.", "[I said no.][He left.]"},
    {"See Fig. 3 and tel. 555-1234.", "[See Fig. 3 and tel. 555-1234.]"},
    {"Apples, pears etc. Then more.", "[Apples, pears etc.][Then more.]"},
    {"Apples, pears etc., and more.", "[Apples, pears etc., and more.]"},
    {"Acme Inc. is slow.", "[Acme Inc. is slow.]"},
    {"Call at 9 a.m. Then wait.", "[Call at 9 a.m.][Then wait.]"},
    {"Call at 9 a.m. tomorrow.", "[Call at 9 a.m. tomorrow.]"},
    {"J. Smith replied.", "[J. Smith replied.]"},
    {"Mrs. Brown of St. Ives, Ltd. Ok.", "[Mrs. Brown of St. Ives, Ltd.][Ok.]"},
    {"It was 3.5 stars. Meh.", "[It was 3.5 stars.][Meh.]"},
    {"1. Open the app\n2. Click send", "[1. Open the app][2. Click send]"},
    /* URLs, e-mails */
    {"See https://example.com/a.b. Then go.", "[See https://example.com/a.b.][Then go.]"},
    {"Mail jane.doe@example.com now. Thanks", "[Mail jane.doe@example.com now.][Thanks]"},
    {"visit example.com today", "[visit example.com today]"},
    /* ellipsis */
    {"I waited... and waited", "[I waited... and waited]"},
    {"I waited\xE2\x80\xA6 Nothing.", "[I waited\xE2\x80\xA6][Nothing.]"},
    /* closers and trailing emoticons/emoji */
    {"He said \"no.\" Then left.", "[He said \"no.\"][Then left.]"},
    {"(It broke.) Fix it.", "[(It broke.)][Fix it.]"},
    {"Thanks! :) See you", "[Thanks! :)][See you]"},
    {"Bad service. \xF0\x9F\x98\xA1\xF0\x9F\x98\xA1 Never again",
     "[Bad service. \xF0\x9F\x98\xA1\xF0\x9F\x98\xA1][Never again]"},
    {"Great service :)  Thanks", "[Great service :)][Thanks]"},
    {"Great service \xF0\x9F\x91\x8D Thanks a lot",
     "[Great service \xF0\x9F\x91\x8D][Thanks a lot]"},
    {"I \xE2\x9D\xA4\xEF\xB8\x8F Paris", "[I \xE2\x9D\xA4\xEF\xB8\x8F Paris]"},
    {"\xF0\x9F\x98\x80 Hello there", "[\xF0\x9F\x98\x80 Hello there]"},
    {"so good :) really", "[so good :) really]"},
    /* line breaks */
    {"Hi\nMy order never arrived\nPlease help", "[Hi][My order never arrived][Please help]"},
    {"Hello,\nmy order", "[Hello,\nmy order]"},
    {"I ordered it and\nit never came", "[I ordered it and\nit never came]"},
    {"one line\n\nanother and\n\nthird", "[one line][another and][third]"},
    {"Dear support:\r\nMy order", "[Dear support:][My order]"},
    {"This is a long line of hard-wrapped e-mail text that\ngoes on below",
     "[This is a long line of hard-wrapped e-mail text that\ngoes on below]"},
    {"This is a long line of hard-wrapped e-mail text here\ngoes on below",
     "[This is a long line of hard-wrapped e-mail text here\ngoes on below]"},
    {"short line here\ngoes on", "[short line here][goes on]"},
    {"ok\xE2\x80\xA8"
     "b",
     "[ok][b]"},
    /* edge cases */
    {"", ""},
    {"   \n\n ", ""},
    {"word", "[word]"},
    {"...", "[...]"},
    {"!!! ??? ...", "[!!!][???][...]"},
};

static void render(const char *s, const heed_sentence *se, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++) {
        int w = snprintf(buf + o, cap - o, "[%.*s]", (int)se[i].len, s + se[i].start);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* The contract: every token in exactly one sentence, sentences non-empty, in
 * order, spans matching their tokens. */
static void check_invariants(const heed_token *t, size_t nt, const heed_sentence *se, size_t ns)
{
    assert_int_equal(ns == 0, nt == 0);
    size_t next = 0;
    for (size_t k = 0; k < ns; k++) {
        assert_int_equal(se[k].first_token, next);
        assert_true(se[k].n_tokens > 0);
        size_t last = se[k].first_token + se[k].n_tokens - 1;
        assert_true(last < nt);
        assert_int_equal(se[k].start, t[se[k].first_token].start);
        assert_int_equal(se[k].start + se[k].len, t[last].start + t[last].len);
        for (size_t i = se[k].first_token; i <= last; i++)
            assert_int_equal(t[i].sentence, k);
        next = last + 1;
    }
    assert_int_equal(next, nt);
}

static void split(heed_arena *a, const char *s, size_t n, heed_token **t, size_t *nt,
                  heed_sentence **se, size_t *ns)
{
    assert_int_equal(heed__tokenize(a, s, n, t, nt), HEED_OK);
    assert_int_equal(heed__sentences(a, s, n, *t, *nt, se, ns), HEED_OK);
    check_invariants(*t, *nt, *se, *ns);
}

static void test_cases(void **state)
{
    (void)state;
    char got[1024];
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *t;
        heed_sentence *se;
        size_t nt, ns;
        split(&a, cases[k].in, strlen(cases[k].in), &t, &nt, &se, &ns);
        render(cases[k].in, se, ns, got, sizeof got);
        if (strcmp(got, cases[k].want) != 0) {
            print_error("case %zu: %s\n  want: %s\n  got:  %s\n", k, cases[k].in, cases[k].want,
                        got);
            heed__arena_release(&a);
            fail();
        }
        heed__arena_release(&a);
    }
}

/* A long text without any punctuation or line break is one sentence. */
static void test_long_unpunctuated(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *s = malloc(n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (i % 5 == 4) ? ' ' : "word"[i % 5];
    heed_arena a;
    heed__arena_init(&a, 0);
    heed_token *t;
    heed_sentence *se;
    size_t nt, ns;
    split(&a, s, n, &t, &nt, &se, &ns);
    assert_int_equal(ns, 1);
    assert_int_equal(se[0].n_tokens, nt);
    heed__arena_release(&a);
    free(s);
}

/* Many short sentences: the count is exact and the arena limit is honoured. */
static void test_many_and_oom(void **state)
{
    (void)state;
    static const char unit[] = "Ok! Fine. ";
    size_t reps = 20000, n = reps * (sizeof unit - 1);
    char *s = malloc(n);
    assert_non_null(s);
    for (size_t r = 0; r < reps; r++)
        memcpy(s + r * (sizeof unit - 1), unit, sizeof unit - 1);
    heed_arena a;
    heed__arena_init(&a, 0);
    heed_token *t;
    heed_sentence *se;
    size_t nt, ns;
    split(&a, s, n, &t, &nt, &se, &ns);
    assert_int_equal(ns, reps * 2);
    heed__arena_release(&a);

    /* Enough arena for the tokens, not for the sentences. */
    heed__arena_init(&a, 0);
    assert_int_equal(heed__tokenize(&a, s, n, &t, &nt), HEED_OK);
    heed_arena small;
    heed__arena_init(&small, 4096);
    assert_int_equal(heed__sentences(&small, s, n, t, nt, &se, &ns), HEED_ENOMEM);
    heed__arena_release(&small);
    heed__arena_release(&a);
    free(s);
}

/* Around the number of sentences whose first tokens pass 1 keeps for pass 2
 * (32): spans from that list and from the scan after it meet exactly. */
static void test_counts_around_kept(void **state)
{
    (void)state;
    static const char *const units[] = {"Ok! ", "It broke, sadly. ", "Why?? ", "No :( ",
                                        "Thanks.\n\n"};
    char s[4096];
    for (size_t want = 1; want <= 70; want++) {
        size_t n = 0;
        for (size_t k = 0; k < want; k++) {
            const char *u = units[(k * 7 + want) % (sizeof units / sizeof units[0])];
            memcpy(s + n, u, strlen(u));
            n += strlen(u);
        }
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *t;
        heed_sentence *se;
        size_t nt, ns;
        split(&a, s, n, &t, &nt, &se, &ns);
        assert_int_equal(ns, want);
        heed__arena_release(&a);
    }
}

/* The splitter's word table is what its binary search needs: strictly
 * increasing by memcmp of the zero-padded 8 bytes, each word lower case with
 * nothing after its end, each on a list; and a sample of each list acts. */
static void test_word_table(void **state)
{
    (void)state;
    size_t n;
    const heed_sentence_word *w = heed__sentence_words(&n);
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        size_t len = strnlen(w[i].word, 8);
        assert_true(len > 0);
        for (size_t k = len; k < 8; k++)
            assert_int_equal(w[i].word[k], 0);
        for (size_t k = 0; k < len; k++)
            assert_false(w[i].word[k] >= 'A' && w[i].word[k] <= 'Z');
        assert_true(w[i].kinds != 0);
        if (i > 0)
            assert_true(memcmp(w[i - 1].word, w[i].word, 8) < 0);
    }
    heed_arena a;
    heed__arena_init(&a, 0);
    static const struct {
        const char *text;
        size_t sentences;
    } samples[] = {
        {"Ask Dr. Who about it. Thanks", 2},       /* inner: first and last words */
        {"I met Mr. Smith. He was kind", 2},       /* inner */
        {"It was approx. 5 days. Then more", 2},   /* inner, 6 letters */
        {"See ref. 12 for it. Then go", 2},        /* numeric before a number */
        {"I said no. Then I left", 2},             /* numeric, no number after */
        {"We sell pens etc. They work", 2},        /* final before a capital */
        {"Call Acme Ltd. Today", 2},               /* final */
        {"It opens at 9 a.m. Come early", 2},      /* dotted */
        {"I went to the\nshop yesterday", 1},      /* continuation word */
        {"I went to the shop\nYesterday it rained", 2},
        {"Zoe came by thurs. and left", 1},         /* inner, late in the table */
    };
    for (size_t c = 0; c < sizeof samples / sizeof samples[0]; c++) {
        heed_token *t;
        size_t nt;
        heed_sentence *se;
        size_t ns;
        split(&a, samples[c].text, strlen(samples[c].text), &t, &nt, &se, &ns);
        if (ns != samples[c].sentences)
            fail_msg("\"%s\": %zu sentences, expected %zu", samples[c].text, ns,
                     samples[c].sentences);
    }
    heed__arena_release(&a);
}

/* The tokenizer's fast path marks tokens that end no sentence
 * (HEED__TOK_QUIET), which the splitter then does not read; its general path
 * marks none. Both give the same sentences on generated texts of words,
 * marks, spaces and line breaks, abbreviations and emoticons. */
static void test_quiet_hints(void **state)
{
    (void)state;
    static const char *const parts[] = {
        "hello", "Thanks", "I", "the", "and", "e.g.", "a.m.", "Mr.", "etc.", "no", "5", "J.",
        " ", " ", " ", "  ", "\n", "\n\n", "\r\n", ".", ". ", "!", "?", "...", ",", ";",
        "-", "(", ")", "\"", "'", ":)", "\xE2\x9D\xA4\xEF\xB8\x8F", "\xE2\x80\xA6",
        "\xC2\xA0", "don't", "sooo", "\xE2\x80\x9D", "1.", "[", "]", "~", "+"};
    enum { ROUNDS = 4000 };
    char buf[300];
    uint64_t seed = 23;
    for (int r = 0; r < ROUNDS; r++) {
        size_t o = 0;
        while (o < sizeof buf - 16) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if ((seed >> 59) == 0 && o > 0)
                break;
            const char *p = parts[(seed >> 33) % (sizeof parts / sizeof parts[0])];
            memcpy(buf + o, p, strlen(p));
            o += strlen(p);
        }
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *t1, *t2;
        size_t n1, n2, m1, m2;
        heed_sentence *s1, *s2;
        assert_int_equal(heed__tokenize(&a, buf, o, &t1, &n1), HEED_OK);
        assert_int_equal(heed__tokenize_general(&a, buf, o, &t2, &n2), HEED_OK);
        assert_int_equal(n1, n2);
        assert_int_equal(heed__sentences(&a, buf, o, t1, n1, &s1, &m1), HEED_OK);
        assert_int_equal(heed__sentences(&a, buf, o, t2, n2, &s2, &m2), HEED_OK);
        assert_int_equal(m1, m2);
        for (size_t k = 0; k < n1; k++)
            assert_int_equal(t1[k].sentence, t2[k].sentence);
        for (size_t k = 0; k < m1; k++) {
            assert_int_equal(s1[k].start, s2[k].start);
            assert_int_equal(s1[k].len, s2[k].len);
            assert_int_equal(s1[k].first_token, s2[k].first_token);
            assert_int_equal(s1[k].n_tokens, s2[k].n_tokens);
        }
        heed__arena_release(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),        cmocka_unit_test(test_long_unpunctuated),
        cmocka_unit_test(test_many_and_oom), cmocka_unit_test(test_counts_around_kept),
        cmocka_unit_test(test_word_table),
        cmocka_unit_test(test_quiet_hints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
