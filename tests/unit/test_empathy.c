/* test_empathy.c - the empathy stage (src/core/empathy.c): the committed model
 * (models/empathy.model, embedded at build time) on customer-service replies
 * through the public API, negated near-misses, evidence spans, the checks that
 * reject corrupt model bytes, the EPITOME loader and split
 * (src/io/datasets.c) on the fixture under tests/data/empathy, and the word
 * features handed on from the needs stage against the stage's own. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "datasets.h"
#include "empathy.h"
#include "heed/heed.h"
#include "linmodel.h"
#include "model_data.h"

enum {
    ER = HEED_EMPATHY_REACTION,
    IP = HEED_EMPATHY_INTERPRETATION,
    EX = HEED_EMPATHY_EXPLORATION
};

static const heed_result *reply(heed_engine *eng, const char *ctx, const char *text,
                                heed_analysis **an)
{
    heed_error err;
    heed_analyze_opts o = {0};
    o.role = HEED_ROLE_AGENT;
    o.context = ctx;
    o.context_len = ctx ? strlen(ctx) : 0;
    assert_int_equal(heed_analyze(eng, text, strlen(text), &o, an, &err), HEED_OK);
    return heed_analysis_result(*an);
}

/* Has r a span of mechanism k inside its text? */
static int has_span(const heed_result *r, int k)
{
    for (size_t i = 0; i < r->empathy.n_spans; i++) {
        const heed_cue *c = &r->empathy.spans[i];
        assert_true(c->start + c->len <= r->text_len && c->len > 0 && c->what);
        if (c->component == k)
            return 1;
    }
    return 0;
}

/* want[k]: 1 the mechanism must be above none, 0 it must be none, -1 either. */
static void test_customer_service_replies(void **state)
{
    (void)state;
    assert_true(heed__model_empathy().len > 0);
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    static const struct {
        const char *ctx, *text;
        int want[HEED_EMPATHY_COUNT];
    } cases[] = {
        {"My parcel still hasn't arrived.",
         "I'm sorry to hear your parcel hasn't arrived.",
         {1, -1, 0}},
        {"I have been waiting three weeks for my order.",
         "I understand how frustrating it is to wait three weeks.",
         {-1, 1, 0}},
        {"I can't log in to my account.",
         "Could you tell me what happened when you tried to log in?",
         {-1, -1, 1}},
        {"I opened a ticket yesterday.", "Your ticket number is 4471.", {0, 0, 0}},
        {"How do I reset the router?",
         "I don't understand why you didn't read the manual.",
         {-1, 0, -1}},
        {"The app crashes every time.",
         "I can't understand how you managed to break it.",
         {-1, 0, -1}},
        /* only the replier's own "don't understand" is a near-miss: someone
         * else's is no veto of a shared experience */
        {"My family keeps telling me to just get over the anxiety.",
         "I had the same thing with my family, they don't understand that anxiety is not a "
         "choice.",
         {-1, 1, -1}},
        {NULL, "I'm sorry to hear your parcel hasn't arrived.", {1, -1, 0}},
        {"Where is my refund?", "Could you please send me your order number?", {-1, -1, 0}},
        {"I feel awful about this.", "Oh no. How are you feeling about it now?", {1, -1, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heed_analysis *an;
        const heed_result *r = reply(eng, cases[i].ctx, cases[i].text, &an);
        assert_int_equal(r->empathy.available, 1);
        for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
            int lv = r->empathy.level[k];
            float sum = 0;
            for (int l = 0; l < 3; l++)
                sum += r->empathy.prob[k][l];
            assert_float_equal(sum, 1.0f, 1e-3f);
            for (int l = 0; l < 3; l++) /* the level is the most probable */
                assert_true(r->empathy.prob[k][lv] >= r->empathy.prob[k][l]);
            int want = cases[i].want[k];
            if (want >= 0 && (lv > 0) != want)
                fprintf(stderr, "\"%s\": mechanism %d level %d, want %s\n", cases[i].text, k, lv,
                        want ? "> none" : "none");
            if (want >= 0)
                assert_int_equal(lv > 0, want);
            assert_int_equal(has_span(r, k), lv > 0); /* evidence iff above none */
        }
        heed_analysis_free(an);
    }
    heed_engine_free(eng);
}

/* Has r a "question" cue span (a cue that counts only in a sentence with a
 * question mark)? */
static int has_question_cue(const heed_result *r)
{
    for (size_t i = 0; i < r->empathy.n_spans; i++)
        if (r->empathy.spans[i].component == EX && !strcmp(r->empathy.spans[i].what, "question"))
            return 1;
    return 0;
}

/* A question mark anywhere in a punctuation token makes its sentence a
 * question ("?", "!?", "?!", "...?"), other punctuation does not. */
static void test_question_marks(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    static const struct {
        const char *text;
        int question;
    } cases[] = {
        {"So what happened?", 1},     {"So what happened!?", 1},   {"So what happened?!", 1},
        {"So what happened...?", 1},  {"So what happened??", 1},   {"So what happened.", 0},
        {"So what happened!", 0},     {"So what happened!!", 0},   {"So what happened...", 0},
        {"So what happened? Ok.", 1}, {"Ok. So what happened", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heed_analysis *an;
        const heed_result *r = reply(eng, "My card was declined.", cases[i].text, &an);
        if (has_question_cue(r) != cases[i].question)
            fail_msg("\"%s\": question cue %d, want %d", cases[i].text, has_question_cue(r),
                     cases[i].question);
        heed_analysis_free(an);
    }
    heed_engine_free(eng);
}

/* The stage runs on agent turns only, and the skip bit turns it off. */
static void test_agent_turns_only(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    const char *t = "I'm so sorry, that sounds awful.";
    heed_analysis *an;
    assert_int_equal(heed_analyze(eng, t, strlen(t), NULL, &an, &err), HEED_OK);
    assert_int_equal(heed_analysis_result(an)->empathy.available, 0);
    heed_analysis_free(an);
    heed_analyze_opts o = {.role = HEED_ROLE_AGENT, .skip = HEED_STAGE_EMPATHY};
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    assert_int_equal(heed_analysis_result(an)->empathy.available, 0);
    heed_analysis_free(an);
    o.skip = 0;
    assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &an, &err), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->empathy.available, 1);
    assert_true(r->empathy.level[ER] > 0);
    heed_analysis_free(an);
    assert_int_equal(heed_analyze(eng, "", 0, &o, &an, &err), HEED_OK); /* empty reply */
    assert_int_equal(heed_analysis_result(an)->empathy.n_spans, 0);
    heed_analysis_free(an);
    heed_engine_free(eng);
}

/* The reply's word features the needs stage made and hands on give what the
 * stage's own make: the same scores to the bit, levels and spans with the
 * needs stage run and skipped, on replies with and without a customer
 * message (valence words, negation, questions, several sentences, capitals,
 * numbers and links). */
static void test_shared_word_features(void **state)
{
    (void)state;
    heed_engine *eng;
    heed_error err;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    static const struct {
        const char *ctx, *text;
    } cases[] = {
        {"My parcel never arrived and I'm really upset.",
         "I'm so sorry to hear that, it must be frustrating. I've sent a replacement today."},
        {"Why was I charged twice?", "I understand. Could you tell me more about what happened?"},
        {NULL, "That sounds awful!!! We don't want you to feel ignored."},
        {"hello", "Thanks for waiting. Your refund of $25.00 is on its way; see https://x.io/r/1."},
        {"The app keeps crashing :( what should I do?",
         "It sounds like you've had a hard week. Have you tried reinstalling it? I'm not sure "
         "why it isn't working, but I can't imagine how annoying this is."},
        {"I can't log in.", "PLEASE RESET YOUR PASSWORD. Then try again?"},
        {"", "Ok."},
        {"My order 12345 is late", "I see how worrying this is - no one likes waiting. Order "
                                   "12345 ships tomorrow. Is there anything else I can do?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heed_analyze_opts o = {0};
        o.role = HEED_ROLE_AGENT;
        o.context = cases[i].ctx;
        o.context_len = cases[i].ctx ? strlen(cases[i].ctx) : 0;
        heed_analysis *a1, *a2;
        const char *t = cases[i].text;
        assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &a1, &err), HEED_OK);
        o.skip = HEED_STAGE_NEEDS;
        assert_int_equal(heed_analyze(eng, t, strlen(t), &o, &a2, &err), HEED_OK);
        const heed_empathy *e1 = &heed_analysis_result(a1)->empathy;
        const heed_empathy *e2 = &heed_analysis_result(a2)->empathy;
        assert_true(heed_analysis_result(a1)->needs.available);
        assert_false(heed_analysis_result(a2)->needs.available);
        assert_int_equal(e1->available, 1);
        assert_int_equal(e2->available, 1);
        if (memcmp(e1->prob, e2->prob, sizeof e1->prob))
            fail_msg("case %zu: the scores differ", i);
        assert_memory_equal(e1->level, e2->level, sizeof e1->level);
        assert_int_equal(e1->n_spans, e2->n_spans);
        for (size_t k = 0; k < e1->n_spans; k++) {
            assert_int_equal(e1->spans[k].start, e2->spans[k].start);
            assert_int_equal(e1->spans[k].len, e2->spans[k].len);
            assert_int_equal(e1->spans[k].component, e2->spans[k].component);
            assert_memory_equal(&e1->spans[k].weight, &e2->spans[k].weight, sizeof(float));
            assert_string_equal(e1->spans[k].what, e2->spans[k].what);
        }
        heed_analysis_free(a1);
        heed_analysis_free(a2);
    }
    heed_engine_free(eng);
}

/* The model alone (no cues) on a flat reply is none everywhere, and the cues
 * only ever raise a level from none or veto interpretation. */
static void test_cues_against_model(void **state)
{
    (void)state;
    heed_blob b = heed__model_empathy();
    heed_empathy_model *m;
    heed_error err;
    assert_int_equal(heed__empathy_new(b.ptr, b.len, 0, &m, &err), HEED_OK);
    assert_non_null(m);
    heed_engine *eng;
    assert_int_equal(heed_engine_new(NULL, &eng, &err), HEED_OK);
    const char *texts[] = {"I apologise for the inconvenience.", "Your ticket number is 4471.",
                           "I don't understand why you did that. It sounds like a bug."};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        heed_analysis *an;
        const heed_result *r = reply(eng, NULL, texts[i], &an);
        heed_result alone = *r, with = *r;
        heed_arena a;
        heed__arena_init(&a, 0);
        assert_int_equal(heed__empathy_run(m, &a, &alone, NULL, HEED_EMPATHY_NO_CUES), HEED_OK);
        assert_int_equal(heed__empathy_run(m, &a, &with, NULL, 0), HEED_OK);
        for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
            assert_int_equal(with.empathy.level[k], r->empathy.level[k]);
            if (alone.empathy.level[k] > 0 && with.empathy.level[k] != alone.empathy.level[k])
                assert_int_equal(k, IP); /* only the veto lowers a level */
            if (alone.empathy.level[k] == 0 && with.empathy.level[k] > 0)
                assert_true(with.empathy.prob[k][0] < 0.5f);
        }
        heed__arena_release(&a);
        heed_analysis_free(an);
    }
    assert_int_equal(heed__empathy_run(NULL, NULL, NULL, NULL, 0), HEED_OK); /* no model */
    heed_engine_free(eng);
    heed__empathy_free(m);
    heed__empathy_free(NULL);
}

static int load_fails(const void *p, size_t n, const char *want)
{
    heed_empathy_model *m = (heed_empathy_model *)1;
    heed_error err = {0};
    int rc = heed__empathy_new(p, n, 0, &m, &err);
    assert_null(m);
    if (want && !strstr(err.msg, want))
        fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, want);
    if (want)
        assert_non_null(strstr(err.msg, want));
    return rc;
}

static void test_reject_corrupt(void **state)
{
    (void)state;
    heed_blob b = heed__model_empathy();
    heed_empathy_model *m = (heed_empathy_model *)1;
    assert_int_equal(heed__empathy_new(NULL, 0, 0, &m, NULL), HEED_OK); /* no model */
    assert_null(m);
    assert_int_equal(load_fails("not a model", 11, "bad magic"), HEED_EMODEL);
    assert_int_equal(load_fails(HEED_EMPATHY_MAGIC, 8, "truncated"), HEED_EMODEL);
    assert_int_equal(load_fails(b.ptr, 8 + 4 + 100, "truncated"), HEED_EMODEL);
    assert_int_equal(load_fails(b.ptr, b.len - 1, "empathy model:"), HEED_EMODEL);
    unsigned char *copy = malloc(b.len + 1);
    assert_non_null(copy);
    memcpy(copy, b.ptr, b.len);
    copy[b.len] = 0;
    assert_int_equal(load_fails(copy, b.len + 1, "trailing bytes"), HEED_EMODEL);
    /* flip one bit in each mechanism's weights: the checksum catches it */
    size_t pos = 8;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        uint32_t n = (uint32_t)copy[pos] | (uint32_t)copy[pos + 1] << 8 |
                     (uint32_t)copy[pos + 2] << 16 | (uint32_t)copy[pos + 3] << 24;
        size_t at = pos + 4 + n / 2;
        copy[at] ^= 0x10;
        assert_int_equal(load_fails(copy, b.len, "empathy model:"), HEED_EMODEL);
        copy[at] ^= 0x10;
        pos += 4 + n;
    }
    assert_int_equal(pos, b.len);
    /* a length that runs past the end */
    copy[8] = 0xff, copy[9] = 0xff, copy[10] = 0xff, copy[11] = 0x7f;
    assert_int_equal(load_fails(copy, b.len, "truncated"), HEED_EMODEL);
    free(copy);
}

/* A model of the wrong shape is neither packed nor loaded. */
static void test_reject_mismatch(void **state)
{
    (void)state;
    static const uint32_t idx[] = {1, 2};
    static const float val[] = {1, 1};
    heed_sparse X[2] = {{idx, val, 1}, {idx + 1, val + 1, 1}};
    float Y[2 * 3] = {1, 0, 0, 0, 0, 1};
    heed_lm_opts lo = {0};
    lo.kind = HEED_LM_MULTICLASS;
    lo.n_outputs = 3;
    lo.dim_bits = 8;
    lo.feature_set = heed__empathy_feature_set();
    static const char *const labels[3] = {"none", "weak", "strong"};
    lo.labels = labels;
    heed_lm *lm;
    heed_error err;
    assert_int_equal(heed__lm_train(&lo, X, Y, 2, &lm, &err), HEED_OK);
    heed_lm *three[3] = {lm, lm, lm};
    heed_buf b;
    heed__buf_init(&b, 0);
    assert_int_equal(heed__empathy_pack(three, &b), HEED_EINVAL); /* no version in aux */
    const float aux[1] = {(float)HEED_EMPATHY_FEATURES_VERSION};
    assert_int_equal(heed__lm_set_aux(lm, aux, 1), HEED_OK);
    assert_int_equal(heed__empathy_pack(three, &b), HEED_OK);
    heed_empathy_model *m;
    assert_int_equal(heed__empathy_new(b.ptr, b.len, 0, &m, &err), HEED_OK);
    heed__empathy_free(m);
    /* a sentence weight (aux[1]) in [0, 1) is taken; one out of range, not a
     * number, or more settings than the code knows are refused (packing and
     * loading share the check) */
    const float with_w[2] = {(float)HEED_EMPATHY_FEATURES_VERSION, 0.65f};
    assert_int_equal(heed__lm_set_aux(lm, with_w, 2), HEED_OK);
    heed__buf_reset(&b);
    assert_int_equal(heed__empathy_pack(three, &b), HEED_OK);
    assert_int_equal(heed__empathy_new(b.ptr, b.len, 0, &m, &err), HEED_OK);
    heed__empathy_free(m);
    const float bad_w[][3] = {{(float)HEED_EMPATHY_FEATURES_VERSION, 1.0f, 0},
                              {(float)HEED_EMPATHY_FEATURES_VERSION, -0.1f, 0},
                              {(float)HEED_EMPATHY_FEATURES_VERSION, NAN, 0},
                              {(float)HEED_EMPATHY_FEATURES_VERSION, 0.5f, 0}};
    for (size_t i = 0; i < sizeof bad_w / sizeof bad_w[0]; i++) {
        assert_int_equal(heed__lm_set_aux(lm, bad_w[i], i == 3 ? 3 : 2), HEED_OK);
        heed__buf_reset(&b);
        assert_int_equal(heed__empathy_pack(three, &b), HEED_EINVAL);
    }
    heed__lm_free(lm);
    /* other labels */
    static const char *const other[3] = {"a", "b", "c"};
    lo.labels = other;
    assert_int_equal(heed__lm_train(&lo, X, Y, 2, &lm, &err), HEED_OK);
    assert_int_equal(heed__lm_set_aux(lm, aux, 1), HEED_OK);
    heed_lm *bad[3] = {lm, lm, lm};
    assert_int_equal(heed__empathy_pack(bad, &b), HEED_EINVAL);
    heed__lm_free(lm);
    heed__buf_release(&b);
}

static void count_report(void *ctx, const char *msg)
{
    (void)msg;
    (*(int *)ctx)++;
}

static void test_epitome_loader(void **state)
{
    (void)state;
    heed_epitome ep = {0};
    int reports = 0;
    for (int k = 0; k < HEED_EMPATHY_COUNT; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/empathy/epitome/%s", HEED_TEST_DATA, heed_epitome_files[k]);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        heed_error err;
        assert_int_equal(heed_epitome_load(&ep, k, f, path, count_report, &reports, &err), HEED_OK);
        fclose(f);
    }
    assert_int_equal(ep.n, 3 * 24);
    assert_int_equal(ep.n_bad, 2);
    assert_int_equal(reports, 2);
    const heed_ep_row *r = &ep.rows[0];
    assert_string_equal(heed_epitome_str(&ep, r->sp_off), "s01");
    assert_int_equal(r->level, 2);
    assert_int_equal(r->mech, ER);
    assert_int_equal(r->line, 2);
    assert_string_equal(heed_epitome_str(&ep, r->rat_off), "I'm so sorry");
    assert_int_equal(ep.rows[24].mech, IP);
    /* one seeker post, one side, in every file; both sides are used */
    size_t dev = 0;
    for (size_t i = 0; i < ep.n; i++) {
        const heed_ep_row *a = &ep.rows[i];
        dev += a->is_dev;
        assert_int_equal(a->is_dev,
                         heed_epitome_is_dev(heed_epitome_str(&ep, a->sp_off), a->sp_len));
        for (size_t j = 0; j < ep.n; j++)
            if (!strcmp(heed_epitome_str(&ep, a->sp_off), heed_epitome_str(&ep, ep.rows[j].sp_off)))
                assert_int_equal(a->is_dev, ep.rows[j].is_dev);
    }
    assert_int_equal(dev, 3 * 5);
    /* the rule itself, pinned: a change would move rows between the sides */
    assert_int_equal(heed_epitome_is_dev("s06", 3), 1);
    assert_int_equal(heed_epitome_is_dev("s01", 3), 0);
    heed_epitome_release(&ep);

    /* a file without the columns is refused as a whole */
    FILE *f = tmpfile();
    assert_non_null(f);
    fputs("text,label\nhello,1\n", f);
    rewind(f);
    heed_error err;
    assert_int_equal(heed_epitome_load(&ep, 0, f, "x.csv", count_report, &reports, &err),
                     HEED_EPARSE);
    assert_non_null(strstr(err.msg, "x.csv:1"));
    assert_int_equal(heed_epitome_load(&ep, 3, f, "x.csv", NULL, NULL, &err), HEED_EINVAL);
    fclose(f);
    heed_epitome_release(&ep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customer_service_replies),
        cmocka_unit_test(test_question_marks),
        cmocka_unit_test(test_agent_turns_only),
        cmocka_unit_test(test_cues_against_model),
        cmocka_unit_test(test_reject_corrupt),
        cmocka_unit_test(test_reject_mismatch),
        cmocka_unit_test(test_epitome_loader),
        cmocka_unit_test(test_shared_word_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
