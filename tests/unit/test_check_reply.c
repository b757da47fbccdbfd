/* test_check_reply.c - the reply checker (heed_check_reply, suggest.c) on
 * fixture drafts: each rule fires on the draft that needs it, with its
 * evidence, and stays quiet on a draft that does the job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "heed/heed.h"

#include "engine_fixture.h"

static heed_analysis *check(const char *customer, const char *draft)
{
    heed_analyze_opts o = {.has_time = 1, .time = 1788254240}; /* Tue 2026-09-01 09:17Z */
    heed_analysis *an = NULL;
    heed_error err = {0};
    int rc = heed_check_reply(eng, customer, strlen(customer), draft, strlen(draft), &o, &an, &err);
    if (rc != HEED_OK)
        fail_msg("heed_check_reply: %s", err.msg);
    return an;
}

/* The first suggestion with this code, or NULL. */
static const heed_suggestion *find(const heed_result *r, const char *code)
{
    for (size_t i = 0; i < r->n_suggestions; i++)
        if (!strcmp(r->suggestions[i].code, code))
            return &r->suggestions[i];
    return NULL;
}

static void expect(const heed_result *r, const char *code, int priority, const char *in_text)
{
    const heed_suggestion *s = find(r, code);
    if (!s) {
        for (size_t i = 0; i < r->n_suggestions; i++)
            print_message("  have %s: %s\n", r->suggestions[i].code, r->suggestions[i].text);
        fail_msg("no '%s' suggestion", code);
    }
    assert_int_equal(s->priority, priority);
    if (in_text && !strstr(s->text, in_text))
        fail_msg("'%s' does not mention '%s': %s", code, in_text, s->text);
}

static void dump(const heed_result *r)
{
    for (size_t i = 0; i < r->n_suggestions; i++)
        print_message("  %s (%d): %s\n", r->suggestions[i].code, r->suggestions[i].priority,
                      r->suggestions[i].text);
}

static const char UPSET[] =
    "This is the third time I'm writing. I've been waiting three weeks for my refund for "
    "order #48213 and I'm really upset. Can I get my money back or not?";

static void test_ignored_question_and_reference(void **state)
{
    (void)state;
    heed_analysis *an = check("Can I get a refund for order #77123? The blender arrived broken.",
                              "Thanks for contacting us, we value your feedback.");
    const heed_result *r = heed_analysis_result(an);
    expect(r, "answer_question", 1, "Can I get a refund for order #77123?");
    const heed_suggestion *s = find(r, "answer_question");
    assert_int_equal(s->in_context, 1);
    assert_memory_equal(r->context + s->start, "Can I get a refund", 18);
    expect(r, "personalise", 3, "#77123");
    /* most important first */
    for (size_t i = 1; i < r->n_suggestions; i++)
        assert_true(r->suggestions[i - 1].priority <= r->suggestions[i].priority);
    assert_non_null(r->customer);
    assert_int_equal(r->customer->needs.top, HEED_NEED_REFUND);
    heed_analysis_free(an);
}

static void test_upset_customer_flat_reply(void **state)
{
    (void)state;
    heed_analysis *an = check(UPSET, "Refunds are processed by the RMA team in 5-7 business days.");
    const heed_result *r = heed_analysis_result(an);
    expect(r, "acknowledge_feelings", 1, "Acknowledge");
    const heed_suggestion *s = find(r, "acknowledge_feelings");
    assert_int_equal(s->in_context, 1);
    assert_true(s->len > 0);
    expect(r, "replace_jargon", 2, "\"RMA\" with \"return\"");
    s = find(r, "replace_jargon");
    assert_int_equal(s->in_context, 0);
    assert_memory_equal(r->text + s->start, "RMA", 3);
    heed_analysis_free(an);
}

static void test_good_reply_has_nothing_to_fix(void **state)
{
    (void)state;
    heed_analysis *an =
        check(UPSET, "Hi, I'm so sorry about the wait on order #48213, and that you "
                     "had to write three times. I've issued your refund of EUR "
                     "49.99 today; it will reach your card within 3 working days. "
                     "Is there anything else I can help with?");
    const heed_result *r = heed_analysis_result(an);
    for (size_t i = 0; i < r->n_suggestions; i++)
        if (r->suggestions[i].priority == 1) {
            dump(r);
            fail_msg("a good reply got a priority-1 suggestion: %s", r->suggestions[i].code);
        }
    assert_null(find(r, "acknowledge_feelings"));
    assert_null(find(r, "answer_question"));
    assert_null(find(r, "personalise"));
    heed_analysis_free(an);
}

static void test_action_rules(void **state)
{
    (void)state;
    /* a policy wall and no action on a refund request */
    heed_analysis *an =
        check(UPSET, "Thank you for contacting us. Unfortunately our policy is that "
                     "refunds are processed by the RMA team.");
    const heed_result *r = heed_analysis_result(an);
    expect(r, "say_what_you_will_do", 1, "the refund");
    expect(r, "drop_policy_wall", 1, "Unfortunately our policy");
    const heed_suggestion *s = find(r, "drop_policy_wall");
    assert_int_equal(s->in_context, 0);
    assert_true(s->len > 0 && !memcmp(r->text + s->start, "Unfortunately", 13));
    heed_analysis_free(an);
    /* a promise with no time */
    an = check(UPSET, "I'm so sorry about the wait. I'll process your refund.");
    r = heed_analysis_result(an);
    expect(r, "give_time_frame", 1, "the refund will arrive");
    assert_null(find(r, "say_what_you_will_do"));
    assert_null(find(r, "acknowledge_feelings"));
    heed_analysis_free(an);
    /* sending the customer elsewhere */
    an = check("My card was charged twice for one order. Can you fix it?",
               "You will need to contact your bank about this.");
    r = heed_analysis_result(an);
    expect(r, "own_it", 1, "instead of sending them elsewhere");
    heed_analysis_free(an);
}

static void test_hard_to_read(void **state)
{
    (void)state;
    heed_analysis *an =
        check("Why was I charged twice?",
              "Subsequent to comprehensive investigation, the aforementioned duplicate "
              "authorisation constitutes a provisional pre-authorisation reservation "
              "automatically relinquished by your issuing institution, consequently "
              "necessitating no additional intervention whatsoever on your part.");
    const heed_result *r = heed_analysis_result(an);
    expect(r, "simplify", 2, "grade");
    heed_analysis_free(an);
}

static void test_not_english_and_errors(void **state)
{
    (void)state;
    heed_analysis *an = check("Hallo, wo ist mein Paket?",
                              "Wir haben Ihr Paket gestern verschickt und es kommt morgen an.");
    const heed_result *r = heed_analysis_result(an);
    assert_int_equal(r->language.scored, 0);
    assert_int_equal(r->n_suggestions, 0);
    assert_int_equal(r->empathy.available, 0);
    heed_analysis_free(an);

    heed_error err = {0};
    an = (heed_analysis *)1;
    assert_int_equal(heed_check_reply(eng, "bad \xff", 5, "ok", 2, NULL, &an, &err), HEED_EUTF8);
    assert_null(an);
    assert_non_null(strstr(err.msg, "customer message: invalid UTF-8 at byte 4"));
    assert_int_equal(heed_check_reply(eng, "ok", 2, "bad \xff", 5, NULL, &an, &err), HEED_EUTF8);
    assert_int_equal(heed_check_reply(eng, NULL, 3, "ok", 2, NULL, &an, &err), HEED_EINVAL);
    assert_int_equal(heed_check_reply(eng, "ok", 2, "ok", 2, NULL, NULL, &err), HEED_EINVAL);
    /* an empty customer message is allowed: nothing to answer */
    an = check("", "We have sent the replacement.");
    assert_null(find(heed_analysis_result(an), "answer_question"));
    heed_analysis_free(an);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ignored_question_and_reference),
        cmocka_unit_test(test_upset_customer_flat_reply),
        cmocka_unit_test(test_good_reply_has_nothing_to_fix),
        cmocka_unit_test(test_action_rules),
        cmocka_unit_test(test_hard_to_read),
        cmocka_unit_test(test_not_english_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
