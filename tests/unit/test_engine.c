/* test_engine.c - the public API contract: arguments, errors, UTF-8 handling,
 * limits, allocation failures and concurrent use of one engine. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "buf.h"
#include "emotions.h"
#include "empathy.h"
#include "heed/heed.h"
#include "intensity.h"
#include "linmodel.h"
#include "model_data.h"
#include "needs.h"

static void test_strerror_and_names(void **state)
{
    (void)state;
    assert_string_equal(heed_strerror(HEED_OK), "success");
    assert_string_equal(heed_strerror(HEED_EUTF8), "invalid UTF-8");
    assert_string_equal(heed_strerror(-9999), "unknown error");
    assert_string_equal(heed_rule_name(HEED_RULE_NEGATED), "negated");
    assert_null(heed_rule_name(HEED_RULE_NEGATED | HEED_RULE_LEXICON));
    assert_null(heed_rule_name(0));
    assert_string_equal(heed_token_kind_name(HEED_TOK_MONEY), "money");
    assert_string_equal(heed_token_kind_name(99), "unknown");
    assert_string_equal(heed_version(), HEED_VERSION_STRING);
}

static void test_null_arguments(void **state)
{
    (void)state;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, NULL, &err), HEED_EINVAL);
    heed_engine *eng;
    assert_int_equal(heed_engine_new(NULL, &eng, NULL), HEED_OK);
    assert_true(heed_engine_lexicon_size(eng) > 7000);
    heed_analysis *an = (heed_analysis *)1;
    assert_int_equal(heed_analyze(NULL, "x", 1, NULL, &an, &err), HEED_EINVAL);
    assert_null(an);
    assert_int_equal(heed_analyze(eng, NULL, 3, NULL, &an, &err), HEED_EINVAL);
    assert_int_equal(heed_analyze(eng, "x", 1, NULL, NULL, &err), HEED_EINVAL);
    /* NULL text with length 0 is the empty message */
    assert_int_equal(heed_analyze(eng, NULL, 0, NULL, &an, &err), HEED_OK);
    assert_int_equal(heed_analysis_result(an)->n_tokens, 0);
    heed_analysis_free(an);
    heed_analysis_free(NULL);
    heed_engine_free(NULL);
    assert_null(heed_analysis_result(NULL));
    heed_engine_free(eng);
}

/* The parts of two results that must agree when both analysed the same text. */
static void assert_same_result(const heed_result *a, const heed_result *b)
{
    assert_int_equal(a->text_len, b->text_len);
    assert_memory_equal(a->text, b->text, a->text_len);
    assert_true(a->valence == b->valence);
    assert_int_equal(a->n_tokens, b->n_tokens);
    assert_int_equal(a->n_sentences, b->n_sentences);
    assert_int_equal(a->n_evidence, b->n_evidence);
    for (size_t i = 0; i < a->n_evidence; i++) {
        assert_int_equal(a->evidence[i].start, b->evidence[i].start);
        assert_int_equal(a->evidence[i].len, b->evidence[i].len);
        assert_true(a->evidence[i].score == b->evidence[i].score);
        assert_int_equal(a->evidence[i].rules, b->evidence[i].rules);
    }
    for (int m = 0; m < 3; m++)
        assert_int_equal(a->empathy.level[m], b->empathy.level[m]);
    /* the reply stages' part, which a reused analysis clears only after an
     * agent turn */
    assert_int_equal(a->context_len, b->context_len);
    assert_int_equal(!a->context, !b->context);
    assert_int_equal(a->empathy.available, b->empathy.available);
    assert_int_equal(a->empathy.n_spans, b->empathy.n_spans);
    assert_int_equal(a->compassion.available, b->compassion.available);
    assert_int_equal(a->compassion.n_cues, b->compassion.n_cues);
    assert_int_equal(a->promises.available, b->promises.available);
    assert_int_equal(a->promises.n, b->promises.n);
    assert_int_equal(a->familiar.available, b->familiar.available);
    assert_int_equal(a->familiar.n_jargon, b->familiar.n_jargon);
    assert_int_equal(a->familiar.n_personal, b->familiar.n_personal);
    assert_true(a->familiar.simhash == b->familiar.simhash);
    assert_int_equal(a->addressed.available, b->addressed.available);
    assert_int_equal(a->addressed.n, b->addressed.n);
    assert_int_equal(a->n_suggestions, b->n_suggestions);
    assert_null(a->customer);
    assert_null(b->customer);
    assert_int_equal(a->role, b->role);
    assert_int_equal(a->warnings, b->warnings);
    assert_int_equal(a->n_replaced, b->n_replaced);
}

/* heed_analyze_again: the same results as heed_analyze, in reused memory,
 * after short and long texts, agent turns and errors. */
static void test_analyze_again(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    /* a long text grows the arena past its first chunk; the next reuses it */
    size_t long_len = 200000;
    char *long_text = malloc(long_len);
    assert_non_null(long_text);
    for (size_t i = 0; i < long_len; i++)
        long_text[i] = "Not good at all!! "[i % 18];
    static const char *const TEXTS[] = {
        "Thanks so much, the refund arrived :)",
        "",
        "Bad byte \xff here",
        "It was not the worst service.",
        NULL, /* the long text */
        "I'm so sorry to hear that, could you tell me what happened?",
        "ok",
        "We will send the refund tomorrow, I understand how frustrating this is.",
        "fine then"};
    /* agent turns (answering TEXTS[0]) between customer turns and one
     * without a role */
    static const int ROLES[] = {HEED_ROLE_CUSTOMER, HEED_ROLE_CUSTOMER, HEED_ROLE_CUSTOMER,
                                HEED_ROLE_CUSTOMER, HEED_ROLE_CUSTOMER, HEED_ROLE_AGENT,
                                HEED_ROLE_CUSTOMER, HEED_ROLE_AGENT,    HEED_ROLE_UNKNOWN};
    _Static_assert(sizeof ROLES / sizeof ROLES[0] == sizeof TEXTS / sizeof TEXTS[0],
                   "a role per text");
    heed_analysis *an = NULL;
    for (size_t i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++) {
        const char *t = TEXTS[i] ? TEXTS[i] : long_text;
        size_t n = TEXTS[i] ? strlen(TEXTS[i]) : long_len;
        const int agent = ROLES[i] == HEED_ROLE_AGENT;
        heed_analyze_opts o = {.role = ROLES[i],
                               .context = agent ? TEXTS[0] : NULL,
                               .context_len = agent ? strlen(TEXTS[0]) : 0,
                               .flags = HEED_ANALYZE_REPLACE_INVALID};
        heed_analysis *fresh;
        assert_int_equal(heed_analyze(eng, t, n, &o, &fresh, &err), HEED_OK);
        heed_analysis *before = an;
        assert_int_equal(heed_analyze_again(eng, t, n, &o, &an, &err), HEED_OK);
        assert_non_null(an);
        if (before)
            assert_ptr_equal(an, before); /* the same memory */
        assert_same_result(heed_analysis_result(an), heed_analysis_result(fresh));
        heed_analysis_free(fresh);
    }
    /* an error frees the analysis */
    assert_int_equal(heed_analyze_again(eng, "bad \xff", 5, NULL, &an, &err), HEED_EUTF8);
    assert_null(an);
    assert_int_equal(err.pos, 4);
    /* NULL: a new analysis */
    assert_int_equal(heed_analyze_again(eng, "fine", 4, NULL, &an, &err), HEED_OK);
    assert_non_null(an);
    assert_true(heed_analysis_result(an)->n_tokens == 1);
    heed_analysis_free(an);
    /* a reply checker's analysis is refused, and freed */
    assert_int_equal(heed_check_reply(eng, "where is it?", 12, "on its way", 10, NULL, &an, &err),
                     HEED_OK);
    assert_int_equal(heed_analyze_again(eng, "x", 1, NULL, &an, &err), HEED_EINVAL);
    assert_null(an);
    assert_int_equal(heed_analyze_again(eng, "x", 1, NULL, NULL, &err), HEED_EINVAL);
    free(long_text);
    heed_engine_free(eng);
}

typedef struct utf8_case {
    const char *bytes;
    size_t len;
    int ok;
    size_t bad_pos;
} utf8_case;

static const utf8_case UTF8[] = {
    {"plain", 5, 1, 0},
    {"caf\xc3\xa9", 5, 1, 0},
    {"nul\0inside", 10, 1, 0},
    {"\xf0\x9f\x98\xa1", 4, 1, 0}, /* emoji */
    {"ab\xc0\xaf", 4, 0, 2},       /* overlong '/' */
    {"ab\xe0\x80\xaf", 5, 0, 2},   /* overlong 3-byte */
    {"x\xed\xa0\x80y", 5, 0, 1},   /* lone surrogate U+D800 */
    {"\xf4\x90\x80\x80", 4, 0, 0}, /* above U+10FFFF */
    {"abc\xe2\x82", 5, 0, 3},      /* truncated */
    {"\xff", 1, 0, 0},
    {"ok\x80", 3, 0, 2}, /* stray continuation */
};

static void test_utf8_validate(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof UTF8 / sizeof UTF8[0]; i++) {
        size_t pos = 12345;
        int rc = heed_utf8_validate(UTF8[i].bytes, UTF8[i].len, &pos);
        if (UTF8[i].ok) {
            assert_int_equal(rc, HEED_OK);
        } else {
            assert_int_equal(rc, HEED_EUTF8);
            assert_int_equal(pos, UTF8[i].bad_pos);
        }
    }
}

static void test_invalid_utf8_error_and_repair(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    const char bad[] = "great \xed\xa0\x80 service \xc0\xaf!";
    heed_analysis *an;
    assert_int_equal(heed_analyze(eng, bad, sizeof bad - 1, NULL, &an, &err), HEED_EUTF8);
    assert_int_equal(err.code, HEED_EUTF8);
    assert_int_equal(err.pos, 6);
    assert_non_null(strstr(err.msg, "byte 6"));
    heed_analyze_opts o = {.flags = HEED_ANALYZE_REPLACE_INVALID};
    assert_int_equal(heed_analyze(eng, bad, sizeof bad - 1, &o, &an, &err), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    assert_true(r->warnings & HEED_WARN_REPLACED_UTF8);
    assert_int_equal(r->first_bad, 6);
    /* ED A0 80 is three maximal subparts and C0 AF two (Unicode 3.9) */
    assert_int_equal(r->n_replaced, 5);
    assert_int_equal(heed_utf8_validate(r->text, r->text_len, NULL), HEED_OK);
    assert_non_null(strstr(r->text, "\xef\xbf\xbd"));
    assert_true(r->valence > 0); /* "great" still counts */
    heed_analysis_free(an);
    heed_engine_free(eng);
}

static void test_size_limit(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    heed_analyze_opts o = {.max_len = 10};
    heed_analysis *an;
    assert_int_equal(heed_analyze(eng, "this is longer than ten", 23, &o, &an, &err), HEED_ETOOBIG);
    assert_null(an);
    assert_non_null(strstr(err.msg, "limit"));
    assert_int_equal(heed_analyze(eng, "short", 5, &o, &an, &err), HEED_OK);
    heed_analysis_free(an);
    heed_engine_free(eng);
}

/* heed_analyze_opts.skip: each skipped stage leaves its fields unset, the
 * others and valence are unchanged. */
static void test_skip_stages(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    const char *t = "This is the third time I'm writing. Where is my refund? I'm furious!";
    heed_analysis *all, *part, *none;
    heed_analyze_opts skip_some = {.skip = HEED_STAGE_EMOTIONS | HEED_STAGE_NEEDS};
    heed_analyze_opts skip_all = {.skip = HEED_STAGE_ALL};
    assert_int_equal(heed_analyze(eng, t, strlen(t), NULL, &all, &err), HEED_OK);
    assert_int_equal(heed_analyze(eng, t, strlen(t), &skip_some, &part, &err), HEED_OK);
    assert_int_equal(heed_analyze(eng, t, strlen(t), &skip_all, &none, &err), HEED_OK);
    const heed_result *a = heed_analysis_result(all), *p = heed_analysis_result(part),
                      *n = heed_analysis_result(none);
    /* all stages ran (the models are built into the library in this repo) */
    assert_string_equal(a->language.code, "en");
    assert_true(a->stress.available && a->needs.available && a->needs.asks_available);
    assert_true(a->emotions.available && a->intensity.available);
    assert_true(a->needs.n_asks >= 1);
    /* some skipped */
    assert_false(p->emotions.available);
    assert_false(p->needs.available || p->needs.asks_available);
    assert_int_equal(p->needs.n_asks, 0);
    assert_true(p->stress.available && p->intensity.available);
    assert_string_equal(p->language.code, "en");
    /* valence only: no language detected, taken as English */
    assert_string_equal(n->language.code, "");
    assert_int_equal(n->language.scored, 1);
    assert_false(n->stress.available || n->emotions.available || n->intensity.available);
    assert_false(n->needs.available || n->needs.asks_available);
    /* valence and its evidence do not depend on the stages */
    assert_true(a->valence == p->valence && a->valence == n->valence);
    assert_int_equal(a->n_evidence, n->n_evidence);
    heed_analysis_free(all);
    heed_analysis_free(part);
    heed_analysis_free(none);
    heed_engine_free(eng);

    /* an engine made without some stages never runs them, whatever the
     * analysis asks */
    heed_engine_opts eo = {.skip = HEED_STAGE_LANGUAGE | HEED_STAGE_STRESS};
    assert_int_equal(heed_engine_new(&eo, &eng, &err), HEED_OK);
    assert_int_equal(heed_analyze(eng, t, strlen(t), NULL, &all, &err), HEED_OK);
    a = heed_analysis_result(all);
    assert_string_equal(a->language.code, "");
    assert_false(a->stress.available);
    assert_true(a->needs.available && a->emotions.available && a->intensity.available);
    heed_analysis_free(all);
    heed_engine_free(eng);
}

static void test_bad_lexicon(void **state)
{
    (void)state;
    static const char *const BAD[] = {
        "good\t2.0\nbad\tnotanumber\n",
        "good\t2.0\nnotab\n",
        "good\t9.5\n",
        "\t1.0\n",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        heed_engine_opts o = {.lexicon = BAD[i], .lexicon_len = strlen(BAD[i])};
        heed_engine *eng = (heed_engine *)1;
        heed_error err = {0};
        assert_int_equal(heed_engine_new(&o, &eng, &err), HEED_EMODEL);
        assert_null(eng);
        assert_non_null(strstr(err.msg, "lexicon line"));
    }
    const char good[] = "# comment\n\ngood\t2.0\t0.5\t[2, 2]\r\nBAD\t-2.5\n";
    heed_engine_opts o = {.lexicon = good, .lexicon_len = sizeof good - 1};
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(&o, &eng, &err), HEED_OK);
    assert_int_equal(heed_engine_lexicon_size(eng), 2);
    heed_analysis *an;
    assert_int_equal(heed_analyze(eng, "bad", 3, NULL, &an, &err), HEED_OK);
    assert_true(heed_analysis_result(an)->valence < 0);
    heed_analysis_free(an);
    heed_engine_free(eng);
}

static double lex_valence(const heed_engine *eng, const char *w)
{
    heed_analysis *an;
    heed_error err;
    assert_int_equal(heed_analyze(eng, w, strlen(w), NULL, &an, &err), HEED_OK);
    double v = heed_analysis_result(an)->valence;
    heed_analysis_free(an);
    return v;
}

/* The lexicon's read table: every key found, at every length (short keys by
 * their hash alone, long ones by their bytes), near misses not found, and a
 * table large enough to need more entry bits than the built-in one. */
static void test_lexicon_lookup(void **state)
{
    (void)state;
    enum { N = 40000 };
    heed_buf text = {0};
    char w[24];
    for (int i = 0; i < N; i++) {
        /* "zq" + i in base 13, digits a-m and n-z in turn (no letter run, which
         * normalising would cut): lengths 3 to 7, plus long keys */
        int n = 0, v = i;
        w[n++] = 'z';
        w[n++] = 'q';
        do {
            w[n] = (char)((n % 2 ? 'n' : 'a') + v % 13);
            n++;
            v /= 13;
        } while (v);
        if (i % 7 == 0) /* long keys: the same first and last bytes */
            n += snprintf(w + n, sizeof w - (size_t)n, "mnopqrstk");
        w[n] = '\0';
        heed__buf_add(&text, w, (size_t)n);
        heed__buf_add(&text, i % 2 ? "\t2.0\n" : "\t-2.0\n", 5 + (i % 2 == 0));
    }
    assert_int_equal(text.err, 0);
    heed_engine_opts o = {.lexicon = text.ptr, .lexicon_len = text.len};
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(&o, &eng, &err), HEED_OK);
    assert_int_equal(heed_engine_lexicon_size(eng), N);
    /* keys as written: the sign says the entry was the right one */
    static const char *const KEYS[] = {"zqb",          "zqc",  "zqamnopqrstk",
                                       "zqhmnopqrstk", "zqao", "zqkte"};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
        assert_true(lex_valence(eng, KEYS[i]) != 0);
    assert_true(lex_valence(eng, "zqamnopqrstk") < 0); /* i = 0 */
    assert_true(lex_valence(eng, "zqb") > 0);          /* i = 1 */
    assert_true(lex_valence(eng, "zqc") < 0);          /* i = 2 */
    assert_true(lex_valence(eng, "zqhmnopqrstk") > 0); /* i = 7 */
    assert_true(lex_valence(eng, "zqkte") < 0);        /* i = 764 */
    /* near misses: the short form of a long key, a byte changed inside a
     * long key, one byte more or fewer, a prefix, a key never written */
    static const char *const MISS[] = {
        "zqa", "zqamnopxrstk", "zqbmnopqrstk", "zqamnopqrstuk", "zqamnopqrsk", "zq", "zqaa"};
    for (size_t i = 0; i < sizeof MISS / sizeof MISS[0]; i++)
        assert_true(lex_valence(eng, MISS[i]) == 0);
    heed_engine_free(eng);
    heed__buf_release(&text);
}

/* Fail the k-th allocation for every k: a clean HEED_ENOMEM, no leak (ASan),
 * and success once k passes the number of allocations needed. */
static void test_allocation_failures(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    int saw_enomem = 0;
    for (long k = 0;; k++) {
        heed__alloc_fail_after(k);
        int rc = heed_engine_new(NULL, &eng, &err);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK)
            break;
        assert_int_equal(rc, HEED_ENOMEM);
        assert_null(eng);
        saw_enomem = 1;
        assert_true(k < 10000);
    }
    assert_true(saw_enomem);
    const char *text = "I'm NOT happy :( the refund of €49.99 for order #12345 never came!!! "
                       "Please call me at 10:30.";
    for (long k = 0;; k++) {
        heed_analysis *an = NULL;
        heed__alloc_fail_after(k);
        int rc = heed_analyze(eng, text, strlen(text), NULL, &an, &err);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK) {
            heed_analysis_free(an);
            break;
        }
        assert_int_equal(rc, HEED_ENOMEM);
        assert_null(an);
        assert_true(k < 10000);
    }
    heed_engine_free(eng);
}

typedef struct job {
    const heed_engine *eng;
    double sum;
    int failed;
} job;

static const char *const TEXTS[] = {
    "Thank you so much, the replacement arrived today!",
    "This is the third time I'm writing. Still no refund!!!",
    "Kindly stop calling me.",
    "not the worst service, but not great either",
    "😡😡 my parcel is LOST and nobody helps",
};

static void *run_job(void *arg)
{
    job *j = arg;
    for (int rep = 0; rep < 200; rep++) {
        for (size_t i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++) {
            heed_analysis *an;
            heed_error err;
            if (heed_analyze(j->eng, TEXTS[i], strlen(TEXTS[i]), NULL, &an, &err) != HEED_OK) {
                j->failed = 1;
                return NULL;
            }
            j->sum += heed_analysis_result(an)->valence;
            heed_analysis_free(an);
        }
    }
    return NULL;
}

static void test_threads_share_engine(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    job ref = {.eng = eng};
    run_job(&ref);
    assert_false(ref.failed);
    enum { N = 4 };
    pthread_t th[N];
    job jobs[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (job){.eng = eng};
        assert_int_equal(pthread_create(&th[i], NULL, run_job, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        assert_false(jobs[i].failed);
        assert_true(jobs[i].sum == ref.sum); /* same results, bit for bit */
    }
    heed_engine_free(eng);
}

/* Loads blob b as model `which` (0 emotions, 1 needs, 2 intensity, 3
 * empathy) with flags; frees it. */
static int load_model(int which, const unsigned char *p, size_t len, unsigned flags)
{
    heed_error err = {0};
    int rc;
    if (which == 0) {
        heed_lm *m = NULL;
        rc = heed__emotions_load(p, len, flags, &m, &err);
        heed__lm_free(m);
    } else if (which == 1) {
        heed_lm *m = NULL;
        rc = heed__needs_new(p, len, flags, &m, &err);
        heed__lm_free(m);
    } else if (which == 2) {
        heed_intensity_model *m = NULL;
        rc = heed__intensity_load(p, len, flags, &m, &err);
        heed__intensity_free(m);
    } else {
        heed_empathy_model *m = NULL;
        rc = heed__empathy_new(p, len, flags, &m, &err);
        heed__empathy_free(m);
    }
    return rc;
}

/* The engine loads the models built in with HEED_LM_EMBEDDED, which skips
 * their checksums: here each passes every check, its checksums included.
 * With its last byte (a checksum's) changed, the full check refuses it and
 * the embedded load does not look. */
static void test_embedded_models_checked(void **state)
{
    (void)state;
    const heed_blob blobs[4] = {heed__model_emotions(), heed__model_needs(),
                                heed__model_intensity(), heed__model_empathy()};
    for (int w = 0; w < 4; w++) {
        if (!blobs[w].len)
            continue;
        assert_int_equal(load_model(w, blobs[w].ptr, blobs[w].len, 0), HEED_OK);
        assert_int_equal(load_model(w, blobs[w].ptr, blobs[w].len, HEED_LM_EMBEDDED), HEED_OK);
        unsigned char *c = malloc(blobs[w].len);
        assert_non_null(c);
        memcpy(c, blobs[w].ptr, blobs[w].len);
        c[blobs[w].len - 1] ^= 1;
        assert_int_equal(load_model(w, c, blobs[w].len, 0), HEED_EMODEL);
        assert_int_equal(load_model(w, c, blobs[w].len, HEED_LM_EMBEDDED), HEED_OK);
        free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_and_names),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_utf8_validate),
        cmocka_unit_test(test_invalid_utf8_error_and_repair),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_skip_stages),
        cmocka_unit_test(test_bad_lexicon),
        cmocka_unit_test(test_lexicon_lookup),
        cmocka_unit_test(test_analyze_again),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_threads_share_engine),
        cmocka_unit_test(test_embedded_models_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
