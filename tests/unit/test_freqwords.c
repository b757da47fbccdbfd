/* test_freqwords.c - the engine's table of frequent words: what it holds for
 * a word is what the stages would look up (lexicon entry, language votes,
 * asks index place, n-gram keys), and valence, language identification and
 * asks given the tokens' words give what they give without them, on fixed and random texts;
 * allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "arena.h"
#include "asks.h"
#include "featurize.h"
#include "freqwords.h"
#include "hash.h"
#include "langid.h"
#include "lexicon.h"
#include "sentence.h"
#include "test_words.h"
#include "tokenize.h"
#include "valence.h"
#include "words_fixture.h"

static size_t asks_found; /* by check_text: the comparison saw asks */

/* heed__tokenize_words(w) on text[0..n) gives the tokens of heed__tokenize
 * and the hashes and words heed__freqwords_find(w) gives for them. */
static void check_words_with(const heed_words *w, const char *text, size_t n)
{
    heed_arena a, b;
    heed__arena_init(&a, 0);
    heed__arena_init(&b, 0);
    heed_token *ta, *tb;
    size_t na, nb;
    uint64_t *tha;
    const heed_word **wra;
    assert_int_equal(heed__tokenize_words(&a, text, n, w, &ta, &na, &tha, &wra), HEED_OK);
    assert_int_equal(heed__tokenize(&b, text, n, &tb, &nb), HEED_OK);
    assert_int_equal(na, nb);
    assert_non_null(tha);
    assert_non_null(wra);
    uint64_t *thb = heed__arena_alloc(&b, (nb ? nb : 1) * sizeof *thb);
    const heed_word **wrb = heed__arena_alloc(&b, (nb ? nb : 1) * sizeof *wrb);
    assert_non_null(thb);
    assert_non_null(wrb);
    heed__freqwords_find(w, tb, nb, thb, wrb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(ta[i].start, tb[i].start);
        assert_int_equal(ta[i].len, tb[i].len);
        assert_int_equal(ta[i].kind, tb[i].kind);
        assert_int_equal(ta[i].flags, tb[i].flags);
        assert_int_equal(ta[i].sentence, tb[i].sentence);
        assert_int_equal(ta[i].norm_len, tb[i].norm_len);
        assert_memory_equal(ta[i].norm, tb[i].norm, ta[i].norm_len);
        assert_true(tha[i] == thb[i]);
        assert_ptr_equal(wra[i], wrb[i]);
    }
    heed__arena_release(&a);
    heed__arena_release(&b);
}

static void check_words(const char *text, size_t n)
{
    check_words_with(ws, text, n);
    check_words_with(NULL, text, n);
}

/* Analyses text[0..n) with and without the tokens' words and checks both
 * give the same tokens, valence, evidence and language; returns how many
 * tokens had a word. */
static size_t check_text(const char *text, size_t n)
{
    heed_arena a, b;
    heed__arena_init(&a, 0);
    heed__arena_init(&b, 0);
    heed_token *ta, *tb;
    size_t na, nb;
    assert_int_equal(heed__tokenize(&a, text, n, &ta, &na), HEED_OK);
    assert_int_equal(heed__tokenize(&b, text, n, &tb, &nb), HEED_OK);
    assert_int_equal(na, nb);
    uint64_t *th = heed__arena_alloc(&b, (nb ? nb : 1) * sizeof *th);
    const heed_word **wr = heed__arena_alloc(&b, (nb ? nb : 1) * sizeof *wr);
    assert_non_null(th);
    assert_non_null(wr);
    heed__freqwords_find(ws, tb, nb, th, wr);
    size_t found = 0;
    uint32_t keys[3 * (HEED_FEAT_WORD_BYTES + 2)];
    for (size_t i = 0; i < nb; i++) {
        const heed_token *t = &tb[i];
        assert_true(th[i] == heed__hash(t->norm, t->norm_len));
        if (!wr[i]) {
            /* the table holds every word of the asks index and language lists */
            assert_int_equal(heed__asks_word_id(asks, t->norm, t->norm_len), 0);
            continue;
        }
        found++;
        /* the word's facts: those of its norm */
        assert_true(t->kind == HEED_TOK_WORD || t->kind == HEED_TOK_HASHTAG);
        assert_int_equal(wr[i]->len, t->norm_len);
        assert_ptr_equal(wr[i]->lex, heed__lexicon_get(lx, t->norm, t->norm_len));
        assert_int_equal(wr[i]->lex_cls, wr[i]->lex ? wr[i]->lex->cls : 0);
        assert_int_equal(wr[i]->lang_votes, heed__langid_word_votes(lid, t->norm, t->norm_len));
        assert_int_equal(wr[i]->asks_id, heed__asks_word_id(asks, t->norm, t->norm_len));
        assert_true(wr[i]->asks_cls == heed__asks_word_cls(asks, wr[i]->asks_id));
        const size_t k = heed__features_word_keys(&CHAR4, t->norm, t->norm_len, keys,
                                                  sizeof keys / sizeof keys[0]);
        assert_int_equal(wr[i]->n_keys, k);
        assert_memory_equal(wr[i]->keys, keys, k * sizeof *keys);
    }
    heed_sentence *sa, *sb;
    size_t nsa, nsb;
    assert_int_equal(heed__sentences(&a, text, n, ta, na, &sa, &nsa), HEED_OK);
    assert_int_equal(heed__sentences(&b, text, n, tb, nb, &sb, &nsb), HEED_OK);
    heed_valence_out va, vb;
    assert_int_equal(heed__valence(&a, lx, text, ta, na, sa, nsa, &va), HEED_OK);
    assert_int_equal(heed__valence_words(&b, lx, text, tb, nb, wr, th, sb, nsb, &vb), HEED_OK);
    assert_true(va.valence == vb.valence && va.positive == vb.positive &&
                va.negative == vb.negative);
    assert_int_equal(va.n_evidence, vb.n_evidence);
    for (size_t i = 0; i < va.n_evidence; i++) {
        const heed_evidence *x = &va.evidence[i], *y = &vb.evidence[i];
        assert_true(x->token == y->token && x->sentence == y->sentence && x->start == y->start &&
                    x->len == y->len && x->base == y->base && x->score == y->score &&
                    x->rules == y->rules && x->cue == y->cue);
    }
    for (size_t i = 0; i < nsa; i++)
        assert_true(sa[i].valence == sb[i].valence);
    for (size_t i = 0; i < na; i++)
        assert_int_equal(ta[i].flags, tb[i].flags);
    heed_cue *ca, *cb;
    size_t nca, ncb;
    assert_int_equal(heed__asks(asks, &a, ta, na, sa, nsa, &ca, &nca), HEED_OK);
    assert_int_equal(heed__asks_words(asks, &b, tb, nb, wr, sb, nsb, &cb, &ncb), HEED_OK);
    assert_int_equal(nca, ncb);
    asks_found += nca;
    for (size_t i = 0; i < nca; i++)
        assert_true(ca[i].start == cb[i].start && ca[i].len == cb[i].len &&
                    ca[i].component == cb[i].component && ca[i].what == cb[i].what);
    heed_language la, lb;
    memset(&la, 0, sizeof la);
    memset(&lb, 0, sizeof lb);
    heed__langid_detect(lid, text, ta, na, &la);
    heed__langid_detect_words(lid, text, tb, nb, wr, &lb);
    assert_string_equal(la.code, lb.code);
    assert_true(la.confidence == lb.confidence);
    assert_int_equal(la.scored, lb.scored);
    heed__arena_release(&a);
    heed__arena_release(&b);
    check_words(text, n);
    return found;
}

/* Every word of the table: its entry is the lexicon's for its bytes, and its
 * lex_cls that entry's classes (what the valence scan reads in place of the
 * entry's). */
static void test_word_lex_cls(void **state)
{
    (void)state;
    size_t with_entry = 0, with_cls = 0;
    for (size_t k = 0; k < ws->n_words; k++) {
        const heed_word *w = &ws->word[k];
        const heed_lexent *e = heed__lexicon_get(lx, ws->text + w->text_off, w->len);
        assert_ptr_equal(w->lex, e);
        assert_int_equal(w->lex_cls, e ? e->cls : 0);
        with_entry += e != NULL;
        with_cls += e && e->cls != 0;
    }
    assert_true(with_entry > 100); /* the check had entries and classes to compare */
    assert_true(with_cls > 100);
}

static void test_same_results(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",
        "ok",
        "I'm NOT happy with this at all, the refund never came :(",
        "Thank you so much!!! You guys are great, really great.",
        "Sooooo bad. Worst. Service. Ever. #fail #sad",
        "I don't like it and I can't say I'm not disappointed, but thanks anyway",
        "Ich bin nicht zufrieden mit der Lieferung, das Paket ist kaputt.",
        "No estoy contento con el servicio. \xc2\xbfPor qu\xc3\xa9 no llega mi pedido?",
        "c'est l'heure, qu'est-ce que vous faites? dell'ordine",
        "caf\xc3\xa9 na\xc3\xafve I I I i you're they've won't",
        "kind of a let down tbh, hardly helpful, not bad though",
        "Can you refund my order? I need the invoice please. Why is it late?",
        "could you send me the label, i want to cancel. what are you doing?? are you kidding me?",
    };
    size_t found = 0;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
        found += check_text(texts[t], strlen(texts[t]));
    assert_true(found > 40);
    assert_true(asks_found >= 4);
    /* random texts of table words, words it lacks, elongated, capitalised and
     * shouted ones, hashtags, contractions and foreign function words */
    static const char *const words[] = {
        "the",      "I",           "not",         "never",       "good",         "GOOD",
        "goooood",  "happy",       "Happy",       "sad",         "refund",       "order",
        "#love",    "#fail",       "don't",       "isn't",       "can't",        "you're",
        "l'ordre",  "qu'il",       "dell'",       "the's",       "and",          "but",
        "very",     "so",          "kinda",       "zxqv",        "frobnicated",  "der",
        "und",      "nicht",       "que",         "pas",         "niet",         "och",
        "jest",     "ve",          "bir",         "caf\xc3\xa9", "na\xc3\xafve", "gro\xc3\x9f",
        "!",        "?!",          ":)",          "LOL",         "lol",          "thanks",
        "Thanks",   "THANKS",      "please",      "help",        "helpless",     "no",
        "nope",     "without",     "hardly",      "barely",      "kind of",      "sort of",
        ".",        "can",         "you",         "could",       "send",         "me",
        "need",     "want",        "?",           "why",         "what",         "how",
        "I'm",      "invoice",     "cancel",      "Can",         "Please",       "j'ai",
        "d'accord", "aujourd'hui", "nell'ordine", "all'",        "s'il",         "zxq'v",
        "sie",      "wir",         "nous",        "dass",        "w\xc3\xa4re",  "f\xc3\xbcr",
    };
    uint64_t seed = 42;
    char text[1024];
    for (int it = 0; it < 3000; it++) {
        const size_t n =
            test_text(text, sizeof text, words, sizeof words / sizeof words[0], 30, &seed);
        check_text(text, n);
    }
}

/* heed__tokenize_words against heed__tokenize and heed__freqwords_find on
 * texts of the table's long words (past 8 and 16 bytes) and words that share
 * their first 8 bytes, capitals, marks, numbers and other kinds, many tokens
 * (the arrays grow), at every offset from the start and the end (the fast
 * pass's two phases). */
static void test_tokenize_words(void **state)
{
    (void)state;
    static const char *const words[] = {
        "everything",     "EVERYTHING",    "Everything",   "everythingg",  "everythin",
        "information",    "Information",   "informations", "transactions", "TRANSACTIONS",
        "subscription",   "verification",  "Verification", "verificationx", "understanding",
        "unfortunately",  "notwithstanding", "responsibilities", "internationalization",
        "the",            "The",           "THE",          "a",            "A",
        "i",              "I",             "x",            "xD",           "XD",
        "u",              "ur",            "thx",          "ok",           "OK",
        "refund",         "Refund",        "REFUND",       "order",        "zxqv",
        "sooooo",         "SOOOO",         "goood",        "don't",        "I'M",
        "y'all",          "can't",         "#fail",        "#love",        "@joe",
        "a@b.co",         "http://x.io/a", "www.example.com", "e.g.",      "U.S.A.",
        "20",             "$5",            "20 EUR",       "9am",          "10:30",
        "2024-03-01",     "ORD-88123",     "100GB",        "24/7",         "follow-up",
        "!",              "!!!",           "?!",           "...",          ",",
        "---",            "***",           "(",            ")",            ":)",
        ":-(",            "<3",            "^^",           "+",            "|",
        "caf\xc3\xa9",  "na\xc3\xafve", "\xe2\x80\xa6", "\xf0\x9f\x98\x80", "\xe4\xb8\xad",
        "it\xe2\x80\x99s", "\xc2\xa0",  "\t",          "\n",          ".",
    };
    uint64_t seed = 7;
    char text[1200];
    for (int it = 0; it < 20000; it++) {
        size_t n = test_text(text, sizeof text - 40, words, sizeof words / sizeof words[0], 40,
                             &seed);
        /* some spaces become a dot or a line break */
        for (size_t k = 0; k < n; k++)
            if (text[k] == ' ' && test_rand(&seed) % 8 == 0)
                text[k] = test_rand(&seed) % 2 ? '.' : '\n';
        check_words(text, n);
        /* every start and end offset on the ASCII prefix, for the two phases */
        if (it % 50 == 0)
            for (size_t k = 0; k < n && k < 40; k++) {
                if ((unsigned char)text[k] >= 0x80 || (unsigned char)text[n - 1 - k] >= 0x80)
                    break;
                check_words(text + k, n - k);
                check_words(text, n - k);
            }
    }
    /* many short tokens: more than the first arrays hold */
    memset(text, 0, sizeof text);
    for (size_t k = 0; k + 1 < 1000; k += 2) {
        text[k] = (char)"aIx!.,?u"[k / 2 % 8];
        text[k + 1] = ' ';
    }
    check_words(text, 1000);
    for (size_t k = 0; k < 1000; k++)
        text[k] = (char)"a!,.?"[k % 5];
    check_words(text, 1000);
}

/* Without a lexicon, language tables or n-gram options the table still
 * holds the built-in words, with no entries, votes nor keys; NULL finds
 * nothing. */
static void test_parts_left_out(void **state)
{
    (void)state;
    heed_words *w = NULL;
    assert_int_equal(heed__freqwords_new(NULL, NULL, NULL, NULL, &w), HEED_OK);
    assert_non_null(w);
    assert_int_equal(heed__freqwords_char_flags(w), 0);
    assert_int_equal(heed__freqwords_char_flags(NULL), 0);
    heed_arena a;
    heed__arena_init(&a, 0);
    heed_token *t;
    size_t n;
    assert_int_equal(heed__tokenize(&a, "the refund", 10, &t, &n), HEED_OK);
    assert_int_equal(n, 2);
    uint64_t th[2];
    const heed_word *wr[2];
    heed__freqwords_find(w, t, n, th, wr);
    assert_non_null(wr[0]);
    assert_non_null(wr[1]);
    assert_null(wr[0]->lex);
    assert_int_equal(wr[0]->lang_votes, 0);
    assert_int_equal(wr[0]->n_keys, 0);
    heed__freqwords_find(NULL, t, n, th, wr);
    assert_null(wr[0]);
    assert_true(th[1] == heed__hash("refund", 6));
    heed__arena_release(&a);
    heed__freqwords_free(w);
    heed__freqwords_free(NULL);
}

/* Every word of the asks index and of the language lists is in the table,
 * with its place and votes; so is every frequent word, and a word next to a
 * listed one (a byte changed, cut or added) is there only when listed. */
static void test_holds_lists(void **state)
{
    (void)state;
    size_t n, count = 0;
    const char *w;
    heed_token t = {0};
    t.kind = HEED_TOK_WORD;
    uint64_t th;
    const heed_word *wr;
    char buf[300];
    for (size_t pass = 0; pass < 2; pass++) {
        const size_t n_asks = pass ? 0 : heed__asks_n_words(asks);
        size_t k = 0, i = 0;
        while ((w = pass         ? heed__langid_list_word(lid, &i, &n)
                    : k < n_asks ? heed__asks_word(asks, k++, &n)
                                 : NULL)) {
            count++;
            t.norm = w;
            t.norm_len = (uint32_t)n;
            heed__freqwords_find(ws, &t, 1, &th, &wr);
            assert_non_null(wr);
            assert_int_equal(wr->len, n);
            assert_int_equal(wr->asks_id, heed__asks_word_id(asks, w, n));
            assert_true(wr->asks_cls == heed__asks_word_cls(asks, wr->asks_id));
            assert_int_equal(wr->lang_votes, heed__langid_word_votes(lid, w, n));
            if (!pass)
                assert_int_not_equal(wr->asks_id, 0);
            assert_true(n + 1 < sizeof buf);
            /* its neighbours: in the table, or in neither list */
            for (int v = 0; v < 4; v++) {
                size_t m = n;
                memcpy(buf, w, n);
                if (v == 0)
                    buf[n - 1] ^= 1;
                else if (v == 1)
                    m = n - 1;
                else if (v == 2)
                    buf[m++] = 's';
                else
                    buf[m++] = '\'';
                if (!m)
                    continue;
                t.norm = buf;
                t.norm_len = (uint32_t)m;
                heed__freqwords_find(ws, &t, 1, &th, &wr);
                if (wr) {
                    assert_int_equal(wr->asks_id, heed__asks_word_id(asks, buf, m));
                    assert_int_equal(wr->lang_votes, heed__langid_word_votes(lid, buf, m));
                } else {
                    assert_int_equal(heed__asks_word_id(asks, buf, m), 0);
                    assert_int_equal(
                        heed__langid_word_votes_general(lid, buf, m) && !memchr(buf, '\'', m), 0);
                }
            }
        }
    }
    assert_true(count > 1000);
}

/* Every allocation failure while building: HEED_ENOMEM, nothing leaked (the
 * sanitizer build checks), *out NULL. */
static void test_alloc_failures(void **state)
{
    (void)state;
    for (long k = 0; k < 16; k++) {
        heed_words *w = (heed_words *)1;
        heed__alloc_fail_after(k);
        const int rc = heed__freqwords_new(lx, lid, asks, &CHAR4, &w);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK) {
            assert_non_null(w);
            heed__freqwords_free(w);
            break;
        }
        assert_int_equal(rc, HEED_ENOMEM);
        assert_null(w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_results),
        cmocka_unit_test(test_word_lex_cls),
        cmocka_unit_test(test_tokenize_words),
        cmocka_unit_test(test_parts_left_out),
        cmocka_unit_test(test_holds_lists),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
