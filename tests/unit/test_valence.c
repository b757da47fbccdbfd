/* test_valence.c - valence rules through the public API, including the
 * failures users report in lexicon tools (each a case below). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "heed/heed.h"

#include "engine_fixture.h"
#include "lexicon.h"
#include "test_words.h"

static double valence_of(const char *text)
{
    heed_analysis *an = NULL;
    heed_error err;
    int rc = heed_analyze(eng, text, strlen(text), NULL, &an, &err);
    assert_int_equal(rc, HEED_OK);
    double v = heed_analysis_result(an)->valence;
    heed_analysis_free(an);
    return v;
}

/* Has the analysis an evidence item over `word` carrying rule `rule`? */
static int has_rule(const char *text, const char *word, uint32_t rule)
{
    heed_analysis *an = NULL;
    heed_error err;
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, &err), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    int found = 0;
    for (size_t i = 0; i < r->n_evidence; i++) {
        const heed_evidence *e = &r->evidence[i];
        if (e->len == strlen(word) && !memcmp(r->text + e->start, word, e->len) &&
            (e->rules & rule))
            found = 1;
    }
    heed_analysis_free(an);
    return found;
}

typedef struct range_case {
    const char *text;
    double lo, hi;
} range_case;

/* Each row: a text and the interval its valence must fall in. */
static const range_case RANGES[] = {
    /* reported failures of lexicon tools */
    {"No problems or complaints", 0.0, 0.5}, /* not negative */
    {"Not the worst service", 0.05, 0.45},   /* mildly positive */
    {"Kindly stop calling me", -1.0, -0.1},  /* polite but negative */
    {"Please stop sending me these emails.", -1.0, -0.1},
    {"I would appreciate it if you stopped charging me twice.", -1.0, -0.05},
    {"I never liked how they treat me", -1.0, -0.1},
    {"no help at all", -1.0, -0.1}, /* "no" as a negator */
    {"There was no help at all from your agent.", -1.0, -0.1},
    /* plain cases */
    {"The service was great", 0.3, 1.0},
    {"The service was terrible", -1.0, -0.3},
    {"The service was not great", -1.0, -0.05},
    {"not bad at all", 0.05, 0.6},
    {"I love it", 0.3, 1.0},
    {"I would like a refund", -0.05, 0.05}, /* a want, not liking */
    {"I like it", 0.2, 1.0},                /* liking after a subject */
    {"I LIKE it", 0.2, 1.0},                /* capitals fold: the same "like" */
    {"It looks like my parcel is lost", -1.0, -0.05},
    {"Please help me, I cannot log in", -0.6, 0.05}, /* a request, not praise */
    {"Can you help me with my order?", -0.05, 0.05},
    {"", 0.0, 0.0},
    {"Order #12345 was shipped on 2024-03-01.", -0.05, 0.05},
    {"No problem, thanks!", 0.3, 1.0},
    {"Oh no.", -1.0, -0.05},                  /* a negator negating nothing */
    {"I have no idea lol", 0.05, 1.0},        /* laughter is not negated */
    {"What a pretty lady", 0.2, 1.0},         /* a booster with no target */
    {"I hate how they treat me", -1.0, -0.2}, /* "treat" as a verb */
    {"The app keeps crashing", -1.0, -0.1},   /* customer-service supplement */
};

static void test_ranges(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof RANGES / sizeof RANGES[0]; i++) {
        double v = valence_of(RANGES[i].text);
        if (v < RANGES[i].lo || v > RANGES[i].hi) {
            print_error("\"%s\": valence %.3f not in [%.2f, %.2f]\n", RANGES[i].text, v,
                        RANGES[i].lo, RANGES[i].hi);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Ordered pairs: the first text must score strictly higher than the second. */
static const char *const ORDER[][2] = {
    {"The food was very good", "The food was good"},
    {"The food was good", "The food was slightly good"},
    {"The food was GOOD", "The food was good"},
    {"The food was goooood", "The food was good"},
    {"The food was good!!!", "The food was good"},
    {"The food was bad", "The food was VERY bad"},
    {"The staff were great", "The staff were great but the wait was awful"},
    {"What a treat", "I hate how they treat me"},
    {"The food was pretty good", "The food was good"},
    {"great", "#great"}, /* a tag is half a statement */
    {"The staff were great but it was slow", "It was slow"},
    {"not the worst service", "the worst service"},
    {"Although delivery was late, the staff were great", "Delivery was late"},
    {"Thanks :)", "Thanks :("},
    {"ok :)))", "ok"}, /* a repeated mouth still smiles */
    {"Great service 👍🏽", "Great service 😡"},
};

static void test_ordering(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof ORDER / sizeof ORDER[0]; i++) {
        double a = valence_of(ORDER[i][0]), b = valence_of(ORDER[i][1]);
        if (!(a > b)) {
            print_error("expected \"%s\" (%.3f) > \"%s\" (%.3f)\n", ORDER[i][0], a, ORDER[i][1], b);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

typedef struct rule_case {
    const char *text, *word;
    uint32_t rule;
} rule_case;

static const rule_case RULES[] = {
    {"The service was not great", "great", HEED_RULE_NEGATED},
    {"I never liked how they treat me", "liked", HEED_RULE_NEGATED},
    {"The food was very good", "good", HEED_RULE_INTENSIFIED},
    {"The food was slightly good", "good", HEED_RULE_DIMINISHED},
    {"The food was GOOD", "GOOD", HEED_RULE_ALLCAPS},
    {"The food was goooood", "goooood", HEED_RULE_ELONGATED},
    {"It was okay but the staff were awful", "awful", HEED_RULE_CONTRAST_AFTER},
    {"It was okay but the staff were awful", "okay", HEED_RULE_CONTRAST_BEFORE},
    {"Kindly stop calling me", "Kindly", HEED_RULE_POLITENESS},
    {"Kindly stop calling me", "stop", HEED_RULE_POLITE_REQUEST},
    {"Thanks :)", ":)", HEED_RULE_EMOTICON},
    {"Great service 😡", "😡", HEED_RULE_EMOJI},
    {"What a waste of time", "waste of time", HEED_RULE_IDIOM},
    {"The food was good!!!", "!!!", HEED_RULE_EXCLAIM},
};

static void test_evidence_rules(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++)
        if (!has_rule(RULES[i].text, RULES[i].word, RULES[i].rule)) {
            print_error("\"%s\": no evidence \"%s\" with rule %s\n", RULES[i].text, RULES[i].word,
                        heed_rule_name(RULES[i].rule));
            failures++;
        }
    assert_int_equal(failures, 0);
}

/* The negator is named as the cue of a negated word, and flags are set. */
static void test_negation_cue_and_flags(void **state)
{
    (void)state;
    const char *text = "This is not good";
    heed_analysis *an;
    heed_error err;
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, &err), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->n_evidence, 1);
    const heed_evidence *e = &r->evidence[0];
    assert_true(e->score < 0 && e->base > 0);
    assert_true(e->cue < r->n_tokens);
    const heed_token *cue = &r->tokens[e->cue];
    assert_memory_equal(r->text + cue->start, "not", 3);
    assert_true(cue->flags & HEED_TF_NEGATOR);
    assert_true(r->tokens[e->token].flags & HEED_TF_NEGATED);
    heed_analysis_free(an);
}

/* Long texts do not saturate: past three scored sentences the sum is scaled to
 * three average ones, so 200 mild sentences score as three do. */
static void test_no_saturation(void **state)
{
    (void)state;
    char *buf = malloc(100000);
    assert_non_null(buf);
    buf[0] = '\0';
    for (int i = 0; i < 200; i++)
        strcat(buf, "The delivery was good. ");
    double many = valence_of(buf);
    double three = valence_of("The delivery was good. The delivery was good. "
                              "The delivery was good.");
    double one = valence_of("The delivery was good.");
    assert_true(fabs(many - three) < 1e-9);
    assert_true(many > one);
    assert_true(many < 0.9);
    /* one complaint among many neutral sentences is not extreme */
    buf[0] = '\0';
    for (int i = 0; i < 50; i++)
        strcat(buf, "I ordered a lamp on Monday. ");
    strcat(buf, "It arrived broken.");
    double mixed = valence_of(buf);
    assert_true(mixed > -0.6 && mixed < -0.1);
    free(buf);
}

static void test_sentences_scored(void **state)
{
    (void)state;
    const char *text = "The agent was lovely. The refund was late.";
    heed_analysis *an;
    heed_error err;
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, &err), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->n_sentences, 2);
    assert_true(r->sentences[0].valence > 0.2);
    assert_true(r->valence < r->sentences[0].valence);
    assert_true(r->positive > 0 && r->positive <= 1);
    assert_true(r->positive + r->negative <= 1.0 + 1e-9);
    heed_analysis_free(an);
}

/* HTML entities left in exported text are symbols: "&gt;" must not read as
 * the lexicon word "gt" (+1.1), "&amp;" not as "amp". */
static void test_entities_are_not_words(void **state)
{
    (void)state;
    assert_true(valence_of("I hate it &gt; 3 times") == valence_of("I hate it > 3 times"));
    assert_true(valence_of("I hate it &gt; 3 times") < 0);
    assert_true(valence_of("gt") > 0); /* the word itself is in the lexicon */
    assert_true(valence_of("&gt;") == 0);
}

/* heed__lexicon_decimal against strtod: where it takes a string, the same
 * double to the bit and strtod reads the whole string. */
static void decimal_is_strtod(const char *s, size_t n)
{
    double v;
    if (!heed__lexicon_decimal(s, n, &v))
        return;
    char tmp[64];
    assert_true(n < sizeof tmp);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    const double want = strtod(tmp, &end);
    if (end != tmp + n || memcmp(&v, &want, sizeof v) != 0)
        fail_msg("'%s': %.17g, strtod %.17g (read %zu of %zu)", tmp, v, want, (size_t)(end - tmp),
                 n);
}

static void test_lexicon_decimals(void **state)
{
    (void)state;
    /* every valence of the embedded lexicon takes the fast path */
    const char *p = heed__vader_lexicon, *end = heed__vader_lexicon_end;
    size_t lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *t1 = memchr(p, '\t', (size_t)(le - p));
        if (t1 && p[0] != '#') {
            const char *v = t1 + 1;
            const char *t2 = memchr(v, '\t', (size_t)(le - v));
            const size_t n = (size_t)((t2 ? t2 : le) - v);
            double d;
            assert_int_equal(heed__lexicon_decimal(v, n, &d), 1);
            decimal_is_strtod(v, n);
            lines++;
        }
        p = le + 1;
    }
    assert_true(lines > 7000);
    /* clang-format off */
    static const char *const cases[] = {
        "0", "-0", "4", "-4", "0.1", "-3.95", ".5", "5.", "-.5", "1.25", "0.0001",
        "3.3333333333333", "123456789012345", "0.00000000000001", "1234567890123456",
        "-", ".", "1.2.3", "1e2", "+1", " 1", "1 ", "", "0x1p-2", "inf", "nan",
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        decimal_is_strtod(cases[i], strlen(cases[i]));
    /* long random digit strings with points and signs */
    test_words(decimal_is_strtod, "0123456789.-", 11);
    uint64_t seed = 5;
    char w[24];
    for (int it = 0; it < 200000; it++) {
        size_t n = 0;
        if (test_rand(&seed) % 2)
            w[n++] = '-';
        const size_t nd = 1 + (size_t)(test_rand(&seed) % 17),
                     at = (size_t)(test_rand(&seed) % (nd + 1));
        for (size_t k = 0; k < nd; k++) {
            if (k == at)
                w[n++] = '.';
            w[n++] = (char)('0' + test_rand(&seed) % 10);
        }
        decimal_is_strtod(w, n);
    }
}

/* The lexicon the lookup test reads (made from the embedded lexicons). */
static heed_lexicon *lookup_lx;

/* heed__lexicon_get of w is NULL, or the entry whose key is w exactly. */
static void lookup_is_exact(const char *w, size_t n)
{
    const heed_lexent *e = heed__lexicon_get(lookup_lx, w, n);
    if (!e)
        return;
    const heed_lexrd *r =
        (const heed_lexrd *)(const void *)((const char *)e - offsetof(heed_lexrd, ent));
    const size_t k = (size_t)(r - lookup_lx->ents);
    assert_true(k < lookup_lx->used);
    if (lookup_lx->keys[k].len != n || memcmp(lookup_lx->keys[k].key, w, n) != 0)
        fail_msg("'%.*s' found the entry of '%.*s'", (int)n, w, (int)lookup_lx->keys[k].len,
                 lookup_lx->keys[k].key);
}

static void test_lexicon_lookup(void **state)
{
    (void)state;
    heed_error err;
    assert_int_equal(
        heed__lexicon_new(heed__vader_lexicon,
                          (size_t)(heed__vader_lexicon_end - heed__vader_lexicon), heed__cs_lexicon,
                          (size_t)(heed__cs_lexicon_end - heed__cs_lexicon), &lookup_lx, &err),
        HEED_OK);
    /* every key finds its own entry */
    assert_true(lookup_lx->used > 7000);
    for (size_t k = 0; k < lookup_lx->used; k++)
        assert_ptr_equal(
            heed__lexicon_get(lookup_lx, lookup_lx->keys[k].key, lookup_lx->keys[k].len),
            &lookup_lx->ents[k].ent);
    /* any other word finds none: random words, every one- and two-byte word,
     * and each key with one byte changed, one byte added or the last dropped */
    test_words(lookup_is_exact, "abcdeilnorstuy'-", 13);
    test_words(lookup_is_exact, "aeiou", 17);
    char w[72];
    for (size_t k = 0; k < lookup_lx->used; k++) {
        const size_t n = lookup_lx->keys[k].len;
        if (n + 1 > sizeof w)
            continue;
        memcpy(w, lookup_lx->keys[k].key, n);
        for (size_t j = 0; j < n; j++) {
            const char c = w[j];
            w[j] = (char)(c ^ 1);
            lookup_is_exact(w, n);
            w[j] = c;
        }
        w[n] = 's';
        lookup_is_exact(w, n + 1);
        lookup_is_exact(w, n - 1);
    }
    heed__lexicon_free(lookup_lx);
    lookup_lx = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_ordering),
        cmocka_unit_test(test_evidence_rules),
        cmocka_unit_test(test_negation_cue_and_flags),
        cmocka_unit_test(test_no_saturation),
        cmocka_unit_test(test_sentences_scored),
        cmocka_unit_test(test_entities_are_not_words),
        cmocka_unit_test(test_lexicon_decimals),
        cmocka_unit_test(test_lexicon_lookup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
