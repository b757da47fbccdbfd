/* test_asks.c - explicit questions and requests (src/core/asks.c) through the
 * public API: positives with their exact spans, needs and kinds, near-misses
 * that look like asks but are not, and rhetorical questions; and the stage
 * (with and without the tokens' frequent words) against its plain reference
 * on random texts of the rules' words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "asks.h"
#include "freqwords.h"
#include "heed/heed.h"
#include "sentence.h"
#include "test_words.h"
#include "tokenize.h"

#include "engine_fixture.h"

/* One case: the text, then its asks in order as "span|need|what", separated by
 * newlines; "" for a text with no ask. */
typedef struct ask_case {
    const char *text;
    const char *want;
} ask_case;

static const ask_case CASES[] = {
    /* the brief's examples */
    {"can you refund me?", "can you refund me?|refund|request"},
    {"I need the invoice", "I need the invoice|billing|request"},
    {"please send a replacement", "please send a replacement|refund|request"},
    {"where is my order?", "where is my order?|delivery|question"},
    {"Could you tell me when the store opens?",
     "Could you tell me when the store opens?|other|request"},
    {"I want to cancel", "I want to cancel|cancellation|request"},
    {"how do I reset my password", "how do I reset my password|account_access|question"},
    {"Send me the label.", "Send me the label|delivery|request"},
    {"when will it arrive", "when will it arrive|delivery|question"},
    /* position inside the sentence, fillers and clauses */
    {"Hi there, where is my parcel?", "where is my parcel?|delivery|question"},
    {"Hello! Can you check my account please?",
     "Can you check my account please?|account_access|request"},
    {"I ordered two weeks ago, any update?", "any update?|other|question"},
    {"I don't want a refund, I want a replacement.", "I want a replacement|refund|request"},
    {"I was wondering if you could send the invoice again.",
     "I was wondering if you could send the invoice again|billing|request"},
    {"It would be great if you could fix the app 🙏",
     "It would be great if you could fix the app|technical_fault|request"},
    {"I'd like to close my account.", "I'd like to close my account|cancellation|request"},
    {"Where's my money?!", "Where's my money?!|other|question"},
    {"Is the blue one in stock?", "Is the blue one in stock?|product_question|question"},
    {"Can I get my money back?", "Can I get my money back?|refund|request"},
    {"The app keeps crashing. Please fix it!", "Please fix it|technical_fault|request"},
    {"My card was charged twice. Why? Please reverse it.",
     "Why?|other|question\nPlease reverse it|other|request"},
    {"Kindly update my address", "Kindly update my address|change_or_update|request"},
    {"I would like to speak to a manager.", "I would like to speak to a manager|complaint|request"},
    {"We need to change the delivery address",
     "We need to change the delivery address|change_or_update|request"},
    {"Are you kidding me? Where is my refund?", "Where is my refund?|refund|question"},
    /* typographic apostrophes, capitals, text-speak, several asks */
    {"I’d like a refund", "I’d like a refund|refund|request"},
    {"WHERE IS MY ORDER", "WHERE IS MY ORDER|delivery|question"},
    {"Can u send me the invoice pls", "Can u send me the invoice pls|billing|request"},
    {"How do I change my address? Also, when will the parcel arrive?",
     "How do I change my address?|change_or_update|question\n"
     "when will the parcel arrive?|delivery|question"},
    {"@support where's my package?", "where's my package?|delivery|question"},
    {"why hasn't my refund arrived yet", "why hasn't my refund arrived yet|refund|question"},
    {"I need help!!! 😡", "I need help|other|request"},
    /* negatives: statements, narratives, negated or hypothetical wants */
    {"I received my order yesterday.", ""},
    {"Thank you so much for your help!", ""},
    {"I don't need a refund.", ""},
    {"I do not want to cancel my plan.", ""},
    {"I needed the invoice last week.", ""},
    {"The refund was never processed.", ""},
    {"When I called, they hung up on me.", ""},
    {"I know where my parcel is.", ""},
    {"You told me to send the photos.", ""},
    {"I just want to say thank you.", ""},
    {"I would like to thank the driver.", ""},
    {"If I need help I will call.", ""},
    {"Great service, thanks.", ""},
    {"Called them yesterday and nobody answered.", ""},
    {"Oh please.", ""},
    {"Sign up was easy.", ""},
    {"That is what I want.", ""},
    {"Which currencies do you support for holding and exchange?",
     "Which currencies do you support for holding and exchange?|other|question"},
    {"Cancel my order and send me the label",
     "Cancel my order and send me the label|cancellation|request"},
    {"Change of plans, the package arrived.", ""},
    {"Any update on my order?", "Any update on my order?|other|question"},
    {"Refund me now!!!", "Refund me now|refund|request"},
    {"pls help my login is broken", "pls help my login is broken|account_access|request"},
    {"", ""},
    /* rhetorical and sarcastic questions */
    {"Are you kidding me?", ""},
    {"are you serious??", ""},
    {"What is wrong with you people?", ""},
    {"Really?", ""},
    {"Seriously?!", ""},
    {"How hard can it be to deliver a parcel?", ""},
    {"What a joke.", ""},
    {"Is this some kind of joke?", ""},
    {"How many times do I have to call you?", ""},
};

static void describe(const heed_result *r, char *out, size_t cap)
{
    static const char *const needs[HEED_NEED_COUNT] = {
#define HEED_X_(name, num, str) str,
        HEED_NEED_MAP(HEED_X_)
#undef HEED_X_
    };
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < r->needs.n_asks; i++) {
        const heed_cue *c = &r->needs.asks[i];
        assert_true(c->start + c->len <= r->text_len);
        assert_true(c->component < HEED_NEED_COUNT);
        n += (size_t)snprintf(out + n, cap - n, "%s%.*s|%s|%s", i ? "\n" : "", (int)c->len,
                              r->text + c->start, needs[c->component], c->what);
        assert_true(n < cap);
    }
}

static void test_cases(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        heed_analysis *an = NULL;
        heed_error err;
        const char *text = CASES[k].text;
        assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, &err), HEED_OK);
        const heed_result *r = heed_analysis_result(an);
        assert_int_equal(r->needs.asks_available, 1);
        char got[1024];
        describe(r, got, sizeof got);
        if (strcmp(got, CASES[k].want)) {
            fprintf(stderr, "case %zu \"%s\":\n  want [%s]\n  got  [%s]\n", k, text, CASES[k].want,
                    got);
            failed++;
        }
        heed_analysis_free(an);
    }
    assert_int_equal(failed, 0);
}

/* Asks are cues with weight 1 and no flags; one per sentence at most. */
static void test_cue_fields(void **state)
{
    (void)state;
    const char *text = "Can you refund me? Can you refund me and send a label?";
    heed_analysis *an = NULL;
    heed_error err;
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, &err), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->needs.n_asks, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_float_equal(r->needs.asks[i].weight, 1.0f, 0.0f);
        assert_int_equal(r->needs.asks[i].flags, 0);
    }
    assert_int_equal(r->needs.asks[1].start, 19);
    heed_analysis_free(an);
}

/* The word tables keep the order and coverage their lookups rely on. */
static void test_tables(void **state)
{
    (void)state;
    assert_int_equal(heed__asks_table_ok(), 1);
}

/* The asks of text[0..n) by heed__asks_words with the tokens' words of ws,
 * by heed__asks (no words) and by heed__asks_plain are the same; returns
 * how many. */
static size_t check_same(const heed_asks_index *ix, const heed_words *ws, const char *text,
                         size_t n)
{
    heed_arena a;
    heed__arena_init(&a, 0);
    heed_token *t;
    size_t nt, ns;
    heed_sentence *s;
    assert_int_equal(heed__tokenize(&a, text, n, &t, &nt), HEED_OK);
    assert_int_equal(heed__sentences(&a, text, n, t, nt, &s, &ns), HEED_OK);
    uint64_t *th = heed__arena_alloc(&a, (nt ? nt : 1) * sizeof *th);
    const heed_word **wr = heed__arena_alloc(&a, (nt ? nt : 1) * sizeof *wr);
    assert_non_null(th);
    assert_non_null(wr);
    heed__freqwords_find(ws, t, nt, th, wr);
    heed_cue *c[3];
    size_t nc[3];
    assert_int_equal(heed__asks_plain(ix, &a, t, nt, s, ns, &c[0], &nc[0]), HEED_OK);
    assert_int_equal(heed__asks_words(ix, &a, t, nt, wr, s, ns, &c[1], &nc[1]), HEED_OK);
    assert_int_equal(heed__asks(ix, &a, t, nt, s, ns, &c[2], &nc[2]), HEED_OK);
    for (int k = 1; k < 3; k++) {
        if (nc[k] != nc[0])
            fprintf(stderr, "\"%.*s\": %zu asks, plain %zu\n", (int)n, text, nc[k], nc[0]);
        assert_int_equal(nc[k], nc[0]);
        for (size_t i = 0; i < nc[0]; i++) {
            const heed_cue *x = &c[0][i], *y = &c[k][i];
            if (x->start != y->start || x->len != y->len || x->component != y->component ||
                x->what != y->what)
                fprintf(stderr, "\"%.*s\": ask %zu differs\n", (int)n, text, i);
            assert_true(x->start == y->start && x->len == y->len &&
                        x->component == y->component && x->what == y->what &&
                        x->flags == y->flags && x->weight == y->weight);
        }
    }
    heed__arena_release(&a);
    return nc[0];
}

/* Random texts of every word the rules look up (as they are, capitalised,
 * with a '?' or ',' stuck on), punctuation, emoji, emoticons, mentions,
 * numbers and other words: the fast stage finds what the plain one finds. */
static void test_same_as_plain(void **state)
{
    (void)state;
    heed_asks_index *ix;
    heed_words *ws;
    assert_int_equal(heed__asks_index_new(&ix), HEED_OK);
    assert_int_equal(heed__freqwords_new(NULL, NULL, ix, NULL, &ws), HEED_OK);
    static const char *const extra[] = {
        ",",      ";",       ":",      "-",      "?",        "!",       ".",        "?!",
        "...",    "\xf0\x9f\x99\x8f", ":)", "xD", ":-(",    "@support", "#fail",   "42",
        "2fa",    "zxqv",    "blah",   "order",  "Really?",  "What?!",  "me?",      "now,",
        "it.",    "I'm",     "I\xe2\x80\x99" "d", "Can't", "WHERE", "sooo", "&amp;", "$5",
        "\xe2\x80\x94", "A1B2C3D4", "wonder", "whether", "processed", "need", "-",   "?",
        /* symbols whose norm is a letter or a word: circled i and u, telephone */
        "\xe2\x92\xbe", "\xe2\x93\xa4", "\xe2\x84\xa1",
    };
    enum { CAP = 8192 };
    static const char *vocab[CAP];
    static char spelled[CAP / 2][64];
    size_t nv = 0, wn;
    const char *w;
    for (size_t k = 0; (w = heed__asks_index_word(ix, k, &wn)) != NULL; k++) {
        assert_true(wn < 60 && nv + 4 <= CAP / 2);
        /* as it is, capitalised, with '?' and with ',' */
        for (int form = 0; form < 4; form++) {
            char *o = spelled[nv];
            memcpy(o, w, wn);
            o[wn] = 0;
            if (form == 1 && o[0] >= 'a' && o[0] <= 'z')
                o[0] = (char)(o[0] - 'a' + 'A');
            if (form >= 2)
                memcpy(o + wn, form == 2 ? "?" : ",", 2);
            vocab[nv++] = o;
        }
    }
    for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++)
        for (int r = 0; r < 20; r++) { /* as often as a word in its four forms */
            assert_true(nv < CAP);
            vocab[nv++] = extra[k];
        }
    /* the rules' phrases and frames, and near misses of them, a third of
     * the draws */
    static const char *const frames[] = {
        "if you could", "if you can", "If you would", "wondering if", "wonder whether",
        "I was wondering if", "i need", "I want", "we need", "I'd like", "we'd love",
        "I would like", "i would appreciate", "I wish to", "I am asking", "i am requesting",
        "I am looking for", "I'm asking", "we're looking for", "i'm requesting", "I don't need",
        "if I need", "when I want", "I really need", "I just want", "want to say",
        "want to thank", "would like to thank", "want to let you know", "to let you",
        "Can you", "could you", "would you", "will anyone", "can I get", "could we have",
        "may I receive", "can i request", "how much", "How long", "how many", "where is",
        "when will", "what's", "where's", "how do I", "please", "Kindly", "pls", "plz",
        "please send", "send me", "refund was", "refund processed", "sign up", "look into",
        "check the", "fix it", "cancel my", "is it", "are you kidding", "you've got to be kidding",
        "what is wrong with you", "really", "seriously", "huh", "why not", "excuse me", "hello",
        "wow", "ok", "how many times do i have to", "close my account", "delete my account",
        "money back", "log in", "sign in", "in stock", "any update", "any updates", "an update",
        "not working", "isn't working", "stopped working", "doesn't work", "does not work",
        "verification code", "and", "but", "so", "also", "or", "hi", "just", "@support",
        "what the", "who cares", "is this some kind of joke", "how hard can it be", "what a",
        "are \xe2\x93\xa4 kidding", "why would \xe2\x92\xbe", "how many times do \xe2\x92\xbe have to",
    };
    const size_t nf = sizeof frames / sizeof frames[0], share = nv / 2 / nf + 1;
    for (size_t k = 0; k < nf; k++)
        for (size_t r = 0; r < share; r++) {
            assert_true(nv < CAP);
            vocab[nv++] = frames[k];
        }
    uint64_t seed = 7;
    char text[2048];
    size_t asks = 0;
    for (int it = 0; it < 20000; it++) {
        const size_t n = test_text(text, sizeof text, vocab, nv, 16, &seed);
        asks += check_same(ix, ws, text, n);
    }
    /* the texts of the cases too */
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++)
        asks += check_same(ix, ws, CASES[k].text, strlen(CASES[k].text));
    assert_true(asks > 5000);
    heed__freqwords_free(ws);
    heed__asks_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_cue_fields),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_same_as_plain),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
