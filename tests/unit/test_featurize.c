/* test_featurize.c - the shared feature extractor over real analyses: word
 * unigrams with negation marking (from the valence stage or the fallback
 * rule), bigrams, character n-grams, emoji, style and lexicon features, the
 * bound, the feature-set id. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "featurize.h"
#include "hash.h"
#include "heed/heed.h"
#include "lexicon.h"
#include "freqwords.h"

#include "engine_fixture.h"

typedef struct fv {
    uint32_t idx[4096];
    float val[4096];
    size_t n;
} fv;

static void feats_of_result(const heed_result *r, uint32_t flags, fv *out)
{
    heed_feat_opts o = {flags};
    size_t bound = heed__features_bound(&o, r);
    assert_true(bound <= 4096);
    out->n = heed__features_write(&o, r, out->idx, out->val, 4096);
    assert_true(out->n <= bound);
}

static void feats(const char *text, uint32_t flags, fv *out)
{
    heed_analysis *an = NULL;
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, NULL), HEED_OK);
    feats_of_result(heed_analysis_result(an), flags, out);
    heed_analysis_free(an);
}

static int has(const fv *f, uint32_t h)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->idx[i] == h)
            return 1;
    return 0;
}

static uint32_t uni(const char *w, int neg)
{
    return heed__features_unigram(w, strlen(w), neg);
}

/* Same multiset of indices (values summed per index)? */
static int same_set(const fv *a, const fv *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!has(b, a->idx[i]))
            return 0;
    for (size_t i = 0; i < b->n; i++)
        if (!has(a, b->idx[i]))
            return 0;
    return 1;
}

static void test_unigrams_lowercased(void **state)
{
    (void)state;
    static fv f;
    feats("Thanks for the Quick reply", 0, &f);
    assert_true(has(&f, uni("thanks", 0)));
    assert_true(has(&f, uni("quick", 0)));
    assert_false(has(&f, uni("Quick", 0)));
    assert_false(has(&f, uni("quick", 1)));
}

static void test_negation_marks_words(void **state)
{
    (void)state;
    static fv f, g;
    feats("This is not good at all.", 0, &f);
    assert_true(has(&f, uni("good", 1)));
    assert_true(has(&f, uni("good", 0))); /* the NOT_ form comes in addition */
    assert_true(has(&f, uni("this", 0))); /* before the negator */
    assert_false(has(&f, uni("this", 1)));
    feats("This is good at all.", 0, &g);
    assert_true(has(&g, uni("good", 0)));
    assert_false(has(&g, uni("good", 1)));
}

static void test_fallback_negation_scope(void **state)
{
    (void)state;
    const char *text = "i never liked it. nice people";
    heed_analysis *an = NULL;
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, NULL), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    /* A copy of the tokens with no negation flags: as if no valence stage ran. */
    heed_token *tk = malloc(r->n_tokens * sizeof *tk);
    memcpy(tk, r->tokens, r->n_tokens * sizeof *tk);
    for (size_t i = 0; i < r->n_tokens; i++)
        tk[i].flags &= (uint16_t) ~(HEED_TF_NEGATOR | HEED_TF_NEGATED);
    heed_result copy = *r;
    copy.tokens = tk;
    static fv f;
    feats_of_result(&copy, 0, &f);
    assert_true(has(&f, uni("liked", 1)));
    assert_true(has(&f, uni("it", 1)));
    assert_false(has(&f, uni("i", 1)));
    assert_true(has(&f, uni("nice", 0))); /* the period ends the scope */
    assert_false(has(&f, uni("nice", 1)));
    free(tk);
    heed_analysis_free(an);
}

static void test_emoji_and_emoticons_are_features(void **state)
{
    (void)state;
    static fv f;
    feats("thanks \xF0\x9F\x98\x80 :(", 0, &f);
    assert_true(has(&f, uni("\xF0\x9F\x98\x80", 0)));
    assert_true(has(&f, uni(":(", 0)));
}

static void test_bigrams_see_order(void **state)
{
    (void)state;
    static fv a, b, c, d;
    feats("dog bites man", 0, &a);
    feats("man bites dog", 0, &b);
    assert_false(same_set(&a, &b));
    feats("dog bites man", HEED_FEAT_NO_BIGRAMS, &c);
    feats("man bites dog", HEED_FEAT_NO_BIGRAMS, &d);
    assert_true(same_set(&c, &d));
    assert_true(c.n < a.n);
}

static void test_chargrams(void **state)
{
    (void)state;
    static fv a, b;
    feats("refunded", 0, &a);
    feats("refunded", HEED_FEAT_CHARGRAMS, &b);
    /* "<refunded>" has 10 code points: 8 + 7 + 6 n-grams of 3..5. */
    assert_int_equal(b.n, a.n + 21);
    /* Each group has unit L2 norm. */
    float v = 0;
    for (size_t i = 0; i < b.n; i++)
        if (fabsf(b.val[i] - 1.0f / sqrtf(21.0f)) < 1e-6f)
            v += b.val[i] * b.val[i];
    assert_float_equal(v, 1.0f, 1e-4);
    /* Non-ASCII words are cut on code points, not bytes. */
    static fv u;
    feats("caf\xC3\xA9", HEED_FEAT_CHARGRAMS, &u);
    static fv u0;
    feats("caf\xC3\xA9", 0, &u0);
    assert_int_equal(u.n, u0.n + 4 + 3 + 2); /* "<café>": 6 code points */
    /* 4-grams only: "<refunded>" has 7. */
    static fv c4;
    feats("refunded", HEED_FEAT_CHAR4, &c4);
    assert_int_equal(c4.n, a.n + 7);
    static fv both;
    feats("refunded", HEED_FEAT_CHAR4 | HEED_FEAT_CHARGRAMS, &both);
    assert_int_equal(both.n, b.n);
}

static void test_style_features(void **state)
{
    (void)state;
    static fv plain, loud, q, elong;
    feats("why is this late", 0, &plain);
    feats("WHY IS THIS LATE!!!", 0, &loud);
    feats("why is this late?", 0, &q);
    feats("why is this soooo late", 0, &elong);
    /* Same words, so only style and punctuation differ: more features. */
    assert_true(loud.n > plain.n);
    assert_true(q.n > plain.n);
    assert_true(elong.n >= plain.n);
    assert_false(same_set(&plain, &elong));
    assert_false(same_set(&loud, &q));
}

static void test_lexicon_features(void **state)
{
    (void)state;
    static fv a, b;
    /* Same shape, one word in the lexicon and one not. */
    feats("this is terrible", HEED_FEAT_NO_BIGRAMS, &a);
    feats("this is tabular", HEED_FEAT_NO_BIGRAMS, &b);
    assert_true(a.n > b.n);
}

static void test_deterministic_and_bounded(void **state)
{
    (void)state;
    static fv a, b;
    const char *t = "I've been waiting 3 weeks for order #12345!!! Not happy :( https://x.y";
    feats(t, HEED_FEAT_CHARGRAMS, &a);
    feats(t, HEED_FEAT_CHARGRAMS, &b);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.idx, b.idx, a.n * sizeof a.idx[0]);
    assert_memory_equal(a.val, b.val, a.n * sizeof a.val[0]);
    /* Numbers and ids stand for their kind. */
    static fv c;
    feats("I've been waiting 5 weeks for order #999!!! Not happy :( https://z.w",
          HEED_FEAT_CHARGRAMS, &c);
    assert_true(same_set(&a, &c));
    /* A small cap never overflows. */
    heed_analysis *an = NULL;
    assert_int_equal(heed_analyze(eng, t, strlen(t), NULL, &an, NULL), HEED_OK);
    uint32_t idx[5 + 1];
    float val[5 + 1];
    idx[5] = 0xabcdu;
    val[5] = 7;
    heed_feat_opts o = {HEED_FEAT_CHARGRAMS};
    assert_int_equal(heed__features_write(&o, heed_analysis_result(an), idx, val, 5), 5);
    assert_int_equal(idx[5], 0xabcdu);
    assert_float_equal(val[5], 7, 0);
    /* The arena form gives the same vector. */
    heed_arena ar;
    heed__arena_init(&ar, 0);
    heed_sparse sp;
    assert_int_equal(heed__features(&ar, &o, heed_analysis_result(an), &sp), HEED_OK);
    assert_int_equal(sp.n, a.n);
    assert_memory_equal(sp.idx, a.idx, a.n * sizeof a.idx[0]);
    heed__arena_release(&ar);
    heed_analysis_free(an);
    /* The empty text. */
    static fv e;
    feats("", 0, &e);
    assert_true(e.n >= 1);
}

/* heed__features_pair gives exactly the two vectors of two heed__features
 * calls, for every option pair it accepts, on texts with and without
 * negators, evidence, emoji, several sentences, and none. */
static void test_pair_equals_two_calls(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",
        "ok",
        "I've been waiting 3 weeks for order #12345!!! Not happy :( https://x.y",
        "This is NOT good. I don't like it at all. Can you help? Thanks so much \xf0\x9f\x98\x8a",
        "Great service, really great. But the app keeps crashing... why?? Fix it!",
        "caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 supercalifragilisticexpialidocious-word",
        /* a word past the 60 bytes n-grams look at, a hashtag */
        "so #fail pneumonoultramicroscopicsilicovolcanoconiosispneumonoultramicroscopicsilico ok",
        /* negators of the fallback scope rule, frequent words and not, a
         * hashtag that is one */
        "I went there without my card, nobody called and nothing came; hardly a word. #not",
        "They can't send it, we didn't get it, nor will they. Neither ok nor fine, nowhere",
    };
    static const uint32_t plain_flags[] = {0, HEED_FEAT_NO_BIGRAMS};
    static const uint32_t char_flags[] = {HEED_FEAT_CHARGRAMS, HEED_FEAT_CHAR4,
                                          HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4};
    static const char lex_text[] =
        "caf\xc3\xa9\t1.5\nhappy\t2.7\ncrashing\t-1.2\nfail\t-2\nzebra\t0.5\n"
        "pneumonoultramicroscopicsilicovolcanoconiosispneumonoultramicroscopicsilico\t-1\n";
    size_t words_found = 0; /* tokens found in the frequent-word tables */
    heed_lexicon *lx = NULL;
    assert_int_equal(heed__lexicon_new(lex_text, sizeof lex_text - 1, NULL, 0, &lx, NULL), HEED_OK);
    heed__freqwords_free(NULL);
    /* each text as analysed, and with no negation flags (the fallback
     * scope rule then decides) */
    for (size_t t = 0; t < 2 * (sizeof texts / sizeof texts[0]); t++) {
        heed_analysis *an = NULL;
        const char *text = texts[t / 2];
        assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, NULL), HEED_OK);
        heed_result copy = *heed_analysis_result(an);
        heed_token tk[64];
        assert_true(copy.n_tokens <= 64);
        if ((t & 1) && copy.n_tokens) { /* an empty text has no token array */
            memcpy(tk, copy.tokens, copy.n_tokens * sizeof *tk);
            for (size_t i = 0; i < copy.n_tokens; i++)
                tk[i].flags &= (uint16_t) ~(HEED_TF_NEGATOR | HEED_TF_NEGATED);
            copy.tokens = tk;
        }
        const heed_result *r = &copy;
        for (size_t p = 0; p < 2; p++)
            for (size_t c = 0; c < 3; c++) {
                heed_feat_opts po = {plain_flags[p]}, co = {plain_flags[p] | char_flags[c]};
                assert_true(heed__features_can_pair(&po, &co));
                heed_arena ar;
                heed__arena_init(&ar, 0);
                heed_sparse xp, xc, wp, wc;
                assert_int_equal(heed__features(&ar, &po, r, &wp), HEED_OK);
                assert_int_equal(heed__features(&ar, &co, r, &wc), HEED_OK);
                assert_int_equal(heed__features_pair(&ar, &po, &co, r, NULL, &xp, &xc), HEED_OK);
                assert_int_equal(xp.n, wp.n);
                assert_int_equal(xc.n, wc.n);
                assert_true(xc.n > xp.n || !r->n_tokens);
                assert_memory_equal(xp.idx, wp.idx, wp.n * sizeof *wp.idx);
                assert_memory_equal(xp.val, wp.val, wp.n * sizeof *wp.val);
                assert_memory_equal(xc.idx, wc.idx, wc.n * sizeof *wc.idx);
                assert_memory_equal(xc.val, wc.val, wc.n * sizeof *wc.val);
                /* the same vectors when the tokens' hashes are made with
                 * them (the engine's way), and those hashes are
                 * heed__hash of each norm (numbers, ids, ... too) */
                uint64_t th[64], th2[64];
                assert_true(r->n_tokens <= 64);
                memset(th, 0, sizeof th);
                memset(th2, 0, sizeof th2);
                heed_sparse tp, tc, tw;
                assert_int_equal(heed__features_pair(&ar, &po, &co, r, th, &tp, &tc), HEED_OK);
                assert_int_equal(heed__features_th(&ar, &po, r, th2, &tw), HEED_OK);
                assert_int_equal(tp.n, wp.n);
                assert_int_equal(tc.n, wc.n);
                assert_int_equal(tw.n, wp.n);
                assert_memory_equal(tp.idx, wp.idx, wp.n * sizeof *wp.idx);
                assert_memory_equal(tp.val, wp.val, wp.n * sizeof *wp.val);
                assert_memory_equal(tc.idx, wc.idx, wc.n * sizeof *wc.idx);
                assert_memory_equal(tc.val, wc.val, wc.n * sizeof *wc.val);
                assert_memory_equal(tw.idx, wp.idx, wp.n * sizeof *wp.idx);
                for (size_t k = 0; k < r->n_tokens; k++) {
                    const uint64_t want = heed__hash(r->tokens[k].norm, r->tokens[k].norm_len);
                    assert_true(th[k] == want);
                    assert_true(th2[k] == want);
                }
                /* and given those hashes, both vectors again */
                uint32_t gi[512];
                float gv[512];
                assert_true(wc.n <= 512);
                assert_int_equal(heed__features_write_hashed(&po, r, th, gi, gv, 512), wp.n);
                assert_memory_equal(gi, wp.idx, wp.n * sizeof *wp.idx);
                assert_memory_equal(gv, wp.val, wp.n * sizeof *wp.val);
                assert_int_equal(heed__features_write_hashed(&co, r, th, gi, gv, 512), wc.n);
                assert_memory_equal(gi, wc.idx, wc.n * sizeof *wc.idx);
                assert_memory_equal(gv, wc.val, wc.n * sizeof *wc.val);
                /* given the hashes and the tokens' words in the table of
                 * frequent words (with their entries of a small lexicon)
                 * whose n-gram keys are made for these options, for others
                 * (then not read) or none: the same vectors */
                for (size_t f = 0; f < 4; f++) {
                    heed_words *ws = NULL;
                    const heed_feat_opts fo = {f < 3 ? char_flags[f] : 0};
                    assert_int_equal(heed__freqwords_new(lx, NULL, NULL, f < 3 ? &fo : NULL, &ws),
                                     HEED_OK);
                    assert_non_null(ws);
                    uint64_t wh[64];
                    const heed_word *wr[64];
                    heed__freqwords_find(ws, r->tokens, r->n_tokens, wh, wr);
                    size_t found = 0;
                    for (size_t k = 0; k < r->n_tokens; k++) {
                        assert_true(wh[k] == th[k]);
                        found += wr[k] != NULL;
                    }
                    words_found += found;
                    heed_sparse fp, fc;
                    assert_int_equal(
                        heed__features_pair_words(&ar, &po, &co, r, wh, ws, wr, &fp, &fc), HEED_OK);
                    assert_int_equal(fp.n, wp.n);
                    assert_int_equal(fc.n, wc.n);
                    assert_memory_equal(fp.idx, wp.idx, wp.n * sizeof *wp.idx);
                    assert_memory_equal(fp.val, wp.val, wp.n * sizeof *wp.val);
                    assert_memory_equal(fc.idx, wc.idx, wc.n * sizeof *wc.idx);
                    assert_memory_equal(fc.val, wc.val, wc.n * sizeof *wc.val);
                    heed__freqwords_free(ws);
                }
                heed__arena_release(&ar);
            }
        heed_analysis_free(an);
    }
    heed__lexicon_free(lx);
    assert_true(words_found > 100);
    /* pairs it refuses: no n-grams on the second side, n-grams on the first,
     * other options differing */
    heed_feat_opts z = {0}, ch = {HEED_FEAT_CHARGRAMS}, c4 = {HEED_FEAT_CHAR4},
                   nb = {HEED_FEAT_NO_BIGRAMS}, chnb = {HEED_FEAT_CHARGRAMS | HEED_FEAT_NO_BIGRAMS};
    assert_false(heed__features_can_pair(&z, &z));
    assert_false(heed__features_can_pair(&ch, &c4));
    assert_false(heed__features_can_pair(&z, &chnb));
    assert_false(heed__features_can_pair(&nb, &ch));
    assert_true(heed__features_can_pair(NULL, &ch));
    heed_analysis *an = NULL;
    assert_int_equal(heed_analyze(eng, "hi", 2, NULL, &an, NULL), HEED_OK);
    heed_arena ar;
    heed__arena_init(&ar, 0);
    heed_sparse a, b;
    assert_int_equal(heed__features_pair(&ar, &ch, &c4, heed_analysis_result(an), NULL, &a, &b),
                     HEED_EINVAL);
    heed__arena_release(&ar);
    heed_analysis_free(an);
}

/* The character n-grams of ASCII words take a fast path (a byte is a code
 * point): on random texts of ASCII words, words with accents, emoji and
 * CJK, words longer than the 60 bytes n-grams look at (cut inside a
 * character too), one to twelve letters or more, the vectors must equal
 * the general path's for every option with n-grams, and with too little
 * room (the cap cuts a word's n-grams short) as well; so must the fast
 * path without its AVX2 form. */
static uint64_t frs = 7;
static uint32_t frnd(void)
{
    frs = frs * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(frs >> 33);
}

static void test_chargrams_fast_path(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "b", "z", "e", "o", "t", "s", "x", "q", "'", "-", "0", "7",
        "\xc3\xa9", "\xc3\xbc", "\xc3\x9f", "\xe2\x80\x99", "\xf0\x9f\x98\x8a",
        "\xe4\xb8\xad", "\xd0\xb4", "E", "Q", "ss",
    };
    static const uint32_t flags[] = {HEED_FEAT_CHAR4, HEED_FEAT_CHARGRAMS,
                                     HEED_FEAT_CHARGRAMS | HEED_FEAT_NO_BIGRAMS,
                                     HEED_FEAT_CHAR4 | HEED_FEAT_NO_BIGRAMS};
    static char text[2048];
    static uint32_t ia[8192], ib[8192];
    static float va[8192], vb[8192];
    size_t words_seen = 0;
    for (int round = 0; round < 600; round++) {
        size_t len = 0;
        const int n_words = 1 + (int)(frnd() % 12);
        for (int w = 0; w < n_words; w++) {
            /* mostly plain words; every fourth may have other characters */
            const int plain = frnd() % 4 != 0;
            const int n_chars = frnd() % 9 == 0 ? 55 + (int)(frnd() % 20) : 1 + (int)(frnd() % 12);
            for (int c = 0; c < n_chars && len < sizeof text - 16; c++) {
                const char *p = plain ? pieces[frnd() % 9] : pieces[frnd() % 23];
                memcpy(text + len, p, strlen(p));
                len += strlen(p);
            }
            text[len++] = frnd() % 7 == 0 ? '.' : ' ';
        }
        heed_analysis *an = NULL;
        assert_int_equal(heed_analyze(eng, text, len, NULL, &an, NULL), HEED_OK);
        const heed_result *r = heed_analysis_result(an);
        words_seen += r->n_tokens;
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
            heed_feat_opts o = {flags[f]};
            const size_t bound = heed__features_bound(&o, r);
            assert_true(bound <= 8192);
            /* the whole vector, then with a cap somewhere inside it */
            const size_t caps[] = {bound, bound ? frnd() % bound : 0};
            for (size_t c = 0; c < 2; c++) {
                const size_t na = heed__features_write(&o, r, ia, va, caps[c]);
                const size_t nb = heed__features_write_general(&o, r, ib, vb, caps[c]);
                assert_int_equal(na, nb);
                assert_memory_equal(ia, ib, na * sizeof *ia);
                assert_memory_equal(va, vb, na * sizeof *va);
                /* the fast path without AVX2 too (with it, when the CPU has
                 * AVX2, it is heed__features_write's) */
                const size_t ns = heed__features_write_scalar(&o, r, ib, vb, caps[c]);
                assert_int_equal(na, ns);
                assert_memory_equal(ia, ib, na * sizeof *ia);
                assert_memory_equal(va, vb, na * sizeof *va);
                /* given the tokens' hashes */
                static uint64_t th[2048];
                assert_true(r->n_tokens <= 2048);
                for (size_t k = 0; k < r->n_tokens; k++)
                    th[k] = heed__hash(r->tokens[k].norm, r->tokens[k].norm_len);
                const size_t nh = heed__features_write_hashed(&o, r, th, ib, vb, caps[c]);
                assert_int_equal(na, nh);
                assert_memory_equal(ia, ib, na * sizeof *ia);
                assert_memory_equal(va, vb, na * sizeof *va);
            }
        }
        heed_analysis_free(an);
    }
    assert_true(words_seen > 3000);
}

/* The word block takes a fast form (its keys gathered, then mixed 4 at a
 * time) for messages of up to 256 tokens whose keys fit: on random texts of
 * frequent words, negators, numbers, ids, hashtags, mentions, emoji,
 * emoticons, ALL CAPS and elongated words and runs of punctuation, from
 * one token to about 400 (past the fast form's 256) and to some 300
 * sentences, with the valence stage's negation flags and without them (the
 * fallback scope rule), with the whole room and less, every vector must
 * equal the general path's (the loop token by token): made from the tokens,
 * without AVX2, from given hashes, and with the table of frequent words. */
static void test_word_block_fast_path(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "the", "not", "never", "don't", "can't", "nothing", "without", "hardly", "good",
        "bad", "refund", "order", "zebra", "HELP", "ANGRY", "sooooo", "happy", "I",
        "42", "$5.99", "#12345", "2024-03-01", "10:30", "@support", "#fail", "#not",
        "x@y.com", "https://a.b/c", "\xf0\x9f\x98\x8a", ":(", "<3", ",", ".", "!",
        "!!!", "?", "?!", "...", ";", "caf\xc3\xa9", "nobody", "wasn't", "nor",
    };
    static const uint32_t flags[] = {0, HEED_FEAT_NO_BIGRAMS, HEED_FEAT_CHARGRAMS,
                                     HEED_FEAT_CHAR4 | HEED_FEAT_NO_BIGRAMS};
    static const uint32_t char_flags[] = {HEED_FEAT_CHARGRAMS, HEED_FEAT_CHAR4};
    static char text[8192];
    static heed_token tk[1024];
    static uint32_t ia[16384], ib[16384];
    static float va[16384], vb[16384];
    static uint64_t th[1024];
    static const heed_word *wr[1024];
    heed_words *ws[2] = {NULL, NULL};
    for (size_t c = 0; c < 2; c++) {
        const heed_feat_opts fo = {char_flags[c]};
        assert_int_equal(heed__freqwords_new(NULL, NULL, NULL, &fo, &ws[c]), HEED_OK);
    }
    size_t long_ones = 0, negated = 0;
    for (int round = 0; round < 1500; round++) {
        size_t len = 0;
        const int n_pieces = round % 10 == 0 ? 200 + (int)(frnd() % 200) : 1 + (int)(frnd() % 30);
        const int many_stops = round % 37 == 0; /* some 300 sentences */
        for (int w = 0; w < n_pieces && len < sizeof text - 64; w++) {
            const char *pc =
                many_stops && w % 2 ? "." : pieces[frnd() % (sizeof pieces / sizeof pieces[0])];
            memcpy(text + len, pc, strlen(pc));
            len += strlen(pc);
            text[len++] = ' ';
        }
        heed_analysis *an = NULL;
        assert_int_equal(heed_analyze(eng, text, len, NULL, &an, NULL), HEED_OK);
        heed_result copy = *heed_analysis_result(an);
        assert_true(copy.n_tokens <= 1024);
        long_ones += copy.n_tokens > 256;
        if (round & 1 && copy.n_tokens) { /* the fallback scope rule */
            memcpy(tk, copy.tokens, copy.n_tokens * sizeof *tk);
            for (size_t i = 0; i < copy.n_tokens; i++)
                tk[i].flags &= (uint16_t) ~(HEED_TF_NEGATOR | HEED_TF_NEGATED);
            copy.tokens = tk;
        }
        const heed_result *r = &copy;
        for (size_t i = 0; i < r->n_tokens; i++) {
            th[i] = heed__hash(r->tokens[i].norm, r->tokens[i].norm_len);
            negated += (r->tokens[i].flags & HEED_TF_NEGATED) != 0;
        }
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
            const heed_feat_opts o = {flags[f]};
            const size_t bound = heed__features_bound(&o, r);
            assert_true(bound <= 16384);
            const size_t caps[] = {bound, bound ? frnd() % bound : 0};
            for (size_t c = 0; c < 2; c++) {
                const size_t nb = heed__features_write_general(&o, r, ib, vb, caps[c]);
                size_t na = heed__features_write(&o, r, ia, va, caps[c]);
                assert_int_equal(na, nb);
                assert_memory_equal(ia, ib, na * sizeof *ia);
                assert_memory_equal(va, vb, na * sizeof *va);
                na = heed__features_write_scalar(&o, r, ia, va, caps[c]);
                assert_int_equal(na, nb);
                assert_memory_equal(ia, ib, na * sizeof *ia);
                assert_memory_equal(va, vb, na * sizeof *va);
                na = heed__features_write_hashed(&o, r, th, ia, va, caps[c]);
                assert_int_equal(na, nb);
                assert_memory_equal(ia, ib, na * sizeof *ia);
                assert_memory_equal(va, vb, na * sizeof *va);
            }
            if (o.flags & (HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4))
                continue;
            /* the pair from the tokens' words, against the general path's
             * two vectors */
            for (size_t c = 0; c < 2; c++) {
                const heed_feat_opts co = {o.flags | char_flags[c]};
                uint64_t wh[1024];
                heed__freqwords_find(ws[c], r->tokens, r->n_tokens, wh, wr);
                heed_arena ar;
                heed__arena_init(&ar, 0);
                heed_sparse xp, xc;
                assert_int_equal(
                    heed__features_pair_words(&ar, &o, &co, r, wh, ws[c], wr, &xp, &xc), HEED_OK);
                size_t n = heed__features_write_general(&o, r, ib, vb, bound);
                assert_int_equal(xp.n, n);
                assert_memory_equal(xp.idx, ib, n * sizeof *ib);
                assert_memory_equal(xp.val, vb, n * sizeof *vb);
                const size_t cb = heed__features_bound(&co, r);
                assert_true(cb <= 16384);
                n = heed__features_write_general(&co, r, ib, vb, cb);
                assert_int_equal(xc.n, n);
                assert_memory_equal(xc.idx, ib, n * sizeof *ib);
                assert_memory_equal(xc.val, vb, n * sizeof *vb);
                heed__arena_release(&ar);
            }
        }
        heed_analysis_free(an);
    }
    heed__freqwords_free(ws[0]);
    heed__freqwords_free(ws[1]);
    assert_true(long_ones > 50);
    assert_true(negated > 1000);
}

static void test_feature_set_id(void **state)
{
    (void)state;
    heed_feat_opts a = {0}, b = {HEED_FEAT_CHARGRAMS}, back;
    assert_int_not_equal(heed__features_id(&a), heed__features_id(&b));
    assert_int_equal(heed__features_id(NULL), heed__features_id(&a));
    assert_int_equal(heed__features_opts_from_id(heed__features_id(&b), &back), HEED_OK);
    assert_int_equal(back.flags, HEED_FEAT_CHARGRAMS);
    assert_int_equal(heed__features_opts_from_id(0, &back), HEED_EMODEL);
    assert_int_equal(heed__features_opts_from_id(heed__features_id(&a) + 0x100, &back),
                     HEED_EMODEL);
    heed_feat_opts c = {HEED_FEAT_CHAR4};
    assert_int_not_equal(heed__features_id(&c), heed__features_id(&b));
    assert_int_equal(heed__features_opts_from_id(heed__features_id(&a) | 0x80, &back), HEED_EMODEL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unigrams_lowercased),
        cmocka_unit_test(test_negation_marks_words),
        cmocka_unit_test(test_fallback_negation_scope),
        cmocka_unit_test(test_emoji_and_emoticons_are_features),
        cmocka_unit_test(test_bigrams_see_order),
        cmocka_unit_test(test_chargrams),
        cmocka_unit_test(test_style_features),
        cmocka_unit_test(test_lexicon_features),
        cmocka_unit_test(test_deterministic_and_bounded),
        cmocka_unit_test(test_pair_equals_two_calls),
        cmocka_unit_test(test_chargrams_fast_path),
        cmocka_unit_test(test_word_block_fast_path),
        cmocka_unit_test(test_feature_set_id),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
