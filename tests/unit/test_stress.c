/* test_stress.c - the stress stage through heed_analyze: per component,
 * positives, negatives and near-misses; suppressed (negated, hypothetical)
 * cues; cue spans; ordering of whole messages; the emotion-model hook. */
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
#include "arena.h"
#include "freqwords.h"
#include "heed/heed.h"
#include "stress.h"

#include "engine_fixture.h"

static heed_analysis *run(const char *text)
{
    heed_analysis *an = NULL;
    heed_error err;
    assert_int_equal(heed_analyze(eng, text, strlen(text), NULL, &an, &err), HEED_OK);
    assert_int_equal(heed_analysis_result(an)->stress.available, 1);
    return an;
}

static double component(const char *text, int comp)
{
    heed_analysis *an = run(text);
    double v = heed_analysis_result(an)->stress.component[comp];
    heed_analysis_free(an);
    return v;
}

static double score(const char *text)
{
    heed_analysis *an = run(text);
    double v = heed_analysis_result(an)->stress.score;
    heed_analysis_free(an);
    return v;
}

/* The cue of component `comp` whose span is exactly `span` (first match), or
 * NULL. *an_out keeps the analysis alive for the caller to free. */
static const heed_cue *find_cue(heed_analysis *an, const char *span, int comp)
{
    const heed_result *r = heed_analysis_result(an);
    size_t n = strlen(span);
    for (size_t i = 0; i < r->stress.n_cues; i++) {
        const heed_cue *c = &r->stress.cues[i];
        if (c->component == comp && c->len == n && !memcmp(r->text + c->start, span, n))
            return c;
    }
    return NULL;
}

typedef struct band_case {
    const char *text;
    double lo, hi; /* the component must be in [lo, hi] */
} band_case;

static void check_cases(const band_case *cs, size_t n, int comp)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double v = component(cs[i].text, comp);
        if (v < cs[i].lo || v > cs[i].hi) {
            print_error("component %d of \"%s\" = %.1f, want %.0f..%.0f\n", comp, cs[i].text, v,
                        cs[i].lo, cs[i].hi);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}
#define CHECK(cs, comp) check_cases(cs, sizeof cs / sizeof cs[0], comp)

static void table_sorted(void **state)
{
    (void)state;
    assert_int_equal(heed__stress_table_check(), -1);
    assert_int_equal(heed__stress_lists_check(), -1);
}

static void urgency(void **state)
{
    (void)state;
    static const band_case cs[] = {
        /* positives */
        {"I need this urgently, please.", 50, 100},
        {"Please send the replacement asap", 45, 100},
        {"This is an emergency, the heating is off.", 55, 100},
        {"I need it by Friday.", 35, 100},
        {"I really need the bag before my flight.", 45, 100},
        {"Please fix it immediately", 40, 100},
        {"I need a reply right now", 35, 100},
        {"Our deadline is tomorrow morning", 60, 100},
        {"Can you deliver by 5pm?", 35, 100},
        {"It's time-sensitive.", 45, 100},
        {"I need it as soon as possible", 40, 100},
        {"I'm stranded at the airport", 45, 100},
        {"It's her birthday tomorrow and it still hasn't come", 30, 100},
        {"Can I exchange them in time for the wedding?", 45, 100},
        /* negatives and near-misses */
        {"I ordered it today, it's fine.", 0, 15},
        {"It's not urgent.", 0, 0},
        {"No rush at all.", 0, 0},
        {"There's no hurry", 0, 0},
        {"Whenever you get a chance is fine", 0, 0},
        {"What is your returns policy?", 0, 0},
        {"I bought it last Friday", 0, 0},
        {"Is the birthday card range back in stock?", 0, 25},
        {"Not by Friday, next month is fine", 0, 0},
        {"Could you check the order status when you can?", 0, 0},
    };
    CHECK(cs, HEED_STRESS_URGENCY);
}

static void effort(void **state)
{
    (void)state;
    static const band_case cs[] = {
        {"This is the third time I'm writing", 45, 100},
        {"I still haven't received my refund", 35, 100},
        {"I've been on hold for 2 hours", 50, 100},
        {"I waited 3 weeks for a reply", 45, 100},
        {"You keep transferring me to other departments", 45, 100},
        {"I already sent that document", 35, 100},
        {"For the 5th time, my address is wrong", 45, 100},
        {"Nobody gets back to me", 40, 100},
        {"I have called 4 times about this", 40, 100},
        {"Still waiting for an answer", 40, 100},
        {"I've been chasing this for a month", 60, 100},
        {"It's been 3 weeks.", 45, 100},
        {"Been trying to get through to you for 2 weeks", 60, 100},
        {"It happened again", 30, 100},
        {"My broadband has been down for 3 days", 35, 100},
        {"I've sent this information twice already", 25, 100},
        /* negatives and near-misses */
        {"Thanks again for your help", 0, 0},
        {"If it breaks again I'll let you know", 0, 0},
        {"This is the first time I've ordered", 0, 0},
        {"I've been a customer for 10 years", 0, 0},
        {"Please try again later", 0, 0},
        {"The 3rd of May works for me", 0, 0},
        {"It took 2 days to arrive, great", 0, 0},
        {"It has a 2 year warranty", 0, 0},
        {"It's 3 times the price of the old one", 0, 0},
        {"I haven't been waiting long", 0, 0},
        {"It costs twice the price of the old one", 0, 0},
        {"My account was set up 3 days ago", 0, 0},
    };
    CHECK(cs, HEED_STRESS_EFFORT);
}

static void vulnerability(void **state)
{
    (void)state;
    static const band_case cs[] = {
        {"My mother passed away last week", 55, 100},
        {"My dog died and I can't deal with this", 55, 100},
        {"I lost my job and can't afford the payment", 65, 100},
        {"I can't afford this overdraft fee", 60, 100},
        {"I'm in hospital until Monday", 40, 100},
        {"I am disabled and cannot get to the post office", 35, 100},
        {"I'm scared, my ex is stalking me", 50, 100},
        {"I need this for my mum's funeral", 45, 100},
        {"I was made redundant last month", 45, 100},
        {"We have no heating and a newborn", 40, 100},
        {"I'm a wheelchair user", 35, 100},
        {"I'm registered blind", 35, 100},
        {"I'm afraid for my safety", 45, 100},
        {"My 88-year-old father uses a walking frame", 30, 100},
        {"The debt collector keeps calling me", 35, 100},
        {"I'm struggling to keep up with my bills", 35, 100},
        /* negatives and near-misses */
        {"The battery died after a week", 0, 0},
        {"I'm afraid the item is out of stock", 0, 0},
        {"I'm sick of waiting", 0, 0},
        {"My phone passed the water test", 0, 0},
        {"I'd like to rent a car", 0, 0},
        {"I lost my password", 0, 0},
        {"Where can I see my bills online?", 0, 0},
        {"Is it safe to use abroad?", 0, 0},
        {"The app is dead", 0, 0},
        {"Which terminal do I collect it from?", 0, 0},
        {"The roller blind arrived without its chain", 0, 0},
        {"I'm not scared of a little paperwork", 0, 0},
    };
    CHECK(cs, HEED_STRESS_VULNERABILITY);
}

static void escalation(void **state)
{
    (void)state;
    static const band_case cs[] = {
        {"I'll cancel my subscription if this isn't fixed", 50, 100},
        {"If this isn't fixed by Friday I will cancel", 50, 100},
        {"I'm switching to another provider", 45, 100},
        {"I will file a chargeback", 55, 100},
        {"I'm contacting my lawyer", 60, 100},
        {"I'll be reporting you to trading standards", 80, 100},
        {"I'm going to a competitor", 45, 100},
        {"I'm going to the ombudsman", 60, 100},
        {"I'll be posting this everywhere", 55, 100},
        {"Expect a one star review on Trustpilot", 50, 100},
        {"Enjoy your 1 star review", 35, 100},
        {"I want to speak to a manager", 35, 100},
        {"This is your last chance", 35, 100},
        {"I will take legal action", 65, 100},
        /* negatives and near-misses */
        {"Please cancel my order", 0, 0},
        {"I'm not going to cancel", 0, 0},
        {"I would never cancel", 0, 0},
        {"In case I need to cancel, how do I do it?", 0, 0},
        {"How do I switch to the annual plan?", 0, 0},
        {"I'd like to leave a review for the kettle", 0, 0},
        {"What is your cancellation policy?", 0, 0},
        {"Your manager was helpful", 0, 0},
        {"I'm leaving for holiday tomorrow", 0, 0},
        {"I won't be posting this everywhere, don't worry", 0, 0},
        {"There is no need to speak to a manager", 0, 0},
    };
    CHECK(cs, HEED_STRESS_ESCALATION);
}

static void distress(void **state)
{
    (void)state;
    static const band_case cs[] = {
        {"This is absolutely terrible, I'm furious!!!", 45, 100},
        {"WHERE IS MY ORDER you useless company 😡", 40, 100},
        {"I'm devastated and so angry", 35, 100},
        {"Worst service ever. Disgusting.", 35, 100},
        {"I am absolutely livid, this is a disgrace", 35, 100},
        {"You people are useless and pathetic!!!", 45, 100},
        {"I'm so upset and stressed, I've cried twice today 😭", 35, 100},
        {"This is terrible >:(", 30, 100},
        {"I hate this stupid app, it's a total nightmare", 35, 100},
        {"Thanks, that's great", 0, 0},
        {"What time do you open?", 0, 0},
        {"My order number is 12345.", 0, 0},
        {"Not bad at all, thanks", 0, 0},
        {"Could you resend the invoice to my new email?", 0, 0},
        {"I love it, thank you so much!!!", 0, 0},
        {"Great news 😭 I'm so happy", 0, 20},
        {"The UPS DHL tracking shows delivered", 0, 0},
        {"Slightly annoying, but fine", 0, 20},
    };
    CHECK(cs, HEED_STRESS_DISTRESS);
    /* each intensity marker adds to distress on its own */
    assert_true(component("This is terrible!!!", HEED_STRESS_DISTRESS) >
                component("This is terrible.", HEED_STRESS_DISTRESS));
    assert_true(component("This is terrible 😡", HEED_STRESS_DISTRESS) >
                component("This is terrible", HEED_STRESS_DISTRESS));
    assert_true(component("the app is THIS IS TERRIBLE", HEED_STRESS_DISTRESS) >
                component("the app is this is terrible", HEED_STRESS_DISTRESS));
}

/* Plain customer-service signals, one table per component: positives first,
 * then near-misses that must stay low. */
static void service_effort(void **state)
{
    (void)state;
    static const band_case cs[] = {
        {"Order #48069 is 6 days late now.", 35, 100},
        {"My parcel is a week late", 40, 100},
        {"It was supposed to be here two days ago", 30, 100},
        {"It should have arrived on Monday", 30, 100},
        {"Nobody has told me anything.", 35, 100},
        {"No one got back to me", 40, 100},
        {"It still has not arrived", 35, 100},
        {"The parcel never arrived", 35, 100},
        {"delivery failed for #48020?? i was in.", 35, 100},
        {"I was at home all day and nobody knocked", 50, 100},
        {"I've been in all day twice waiting for it. Nothing came", 60, 100},
        {"I've been in three times waiting for it", 30, 100},
        {"the tracking says nothing", 20, 100},
        {"That doesn't help me at all.", 25, 100},
        {"That's the same message I got last time. Is anyone actually reading this?", 40, 100},
        {"Nobody takes responsibility.", 30, 100},
        {"It drops every evening and nobody fixes it", 45, 100},
        {"My broadband has been down since yesterday", 25, 100},
        {"Nobody turned up.", 30, 100},
        {"I was charged and I've called twice", 25, 100},
        /* near-misses */
        {"It's not 6 days late", 0, 0},
        {"If it's 3 days late, can I get a refund?", 0, 0},
        {"The delivery was 3 days late, but Sam fixed it. Thanks so much!", 0, 0},
        {"Can I get a late checkout?", 0, 0},
        {"My late-night order arrived fine", 0, 0},
        {"It's supposed to be here tomorrow, can I change the address?", 0, 0},
        {"I was in the shop yesterday and saw it", 0, 0},
        {"I'm in all day tomorrow if that helps", 0, 0},
        {"I take it twice a day", 0, 0},
        {"Thank you, that was really helpful", 0, 0},
        {"The same discount as last time, please", 0, 0},
        {"I'm leaving for holiday tomorrow", 0, 0},
    };
    CHECK(cs, HEED_STRESS_EFFORT);
}

static void service_vulnerability(void **state)
{
    (void)state;
    static const band_case cs[] = {
        {"I'm writing about my late husband's account.", 45, 100},
        {"It's my late wife's phone contract", 45, 100},
        {"Our late father's account needs closing", 45, 100},
        {"My husband passed in June", 45, 100},
        {"Since mum died I can't keep up with the post", 50, 100},
        {"Her late partner set it up", 40, 100},
        /* near-misses: 'late' alone is not bereavement */
        {"My late order still hasn't come", 0, 0},
        {"Can I get a late checkout?", 0, 0},
        {"My late-night order arrived fine", 0, 0},
        {"I lost my husband's card", 0, 0},
        {"My husband is running late", 0, 0},
    };
    CHECK(cs, HEED_STRESS_VULNERABILITY);
}

static void service_escalation(void **state)
{
    (void)state;
    static const band_case cs[] = {
        {"I've had enough. Cancel everything.", 55, 100},
        {"Cancel everything.", 40, 100},
        {"I want to cancel", 30, 100},
        {"I want to cancel my subscription.", 30, 100},
        {"I have had enough of this", 30, 100},
        {"That's it, I'm leaving.", 35, 100},
        {"I'm switching to another provider", 45, 100},
        {"I'm posting about this on every review site I can find.", 60, 100},
        /* near-misses */
        {"I don't want to cancel", 0, 0},
        {"I don't want to cancel my order", 0, 0},
        {"I want to cancel my order, I ordered the wrong size", 0, 0},
        {"If I want to cancel later, how do I do it?", 0, 0},
        {"I'm leaving for holiday tomorrow", 0, 0},
        {"I'm leaving a review for the kettle", 0, 0},
        {"I'm not leaving", 0, 0},
        {"We had enough time to try it", 0, 0},
    };
    CHECK(cs, HEED_STRESS_ESCALATION);
}

static void service_distress(void **state)
{
    (void)state;
    static const band_case cs[] = {
        {"why have i been charged £69.99 twice?? i only ordered once", 30, 100},
        {"I was charged twice for my plan", 25, 100},
        {"I've been double charged", 25, 100},
        {"So what am I supposed to do?", 15, 100},
        {"I'm asking YOU to sort it out.", 7, 100},
        {"where is it??", 4, 100},
        {"where is my refund?!", 7, 100},
        {"Order #5 is late. What is happening?", 15, 100},
        /* near-misses */
        {"It's twice the price of the old one", 0, 0},
        {"I've taken it to the depot twice", 0, 0},
        {"I was charged and I've called twice", 0, 5},
        {"I wasn't charged twice, all good", 0, 0},
        {"Can I pay with PayPal??", 0, 10},
        {"I LOVE YOU guys!!", 0, 0},
        {"Can you ask UPS and DHL?", 0, 0},
        {"My USB cable is 2m long", 0, 0},
        {"Thank you, that's exactly what I needed", 0, 0},
        {"Hi! Quick one: can I order a second one with the same discount?", 0, 0},
    };
    CHECK(cs, HEED_STRESS_DISTRESS);
    /* "??" and a stressed word add to distress on their own */
    assert_true(component("where is it??", HEED_STRESS_DISTRESS) >
                component("where is it?", HEED_STRESS_DISTRESS));
    assert_true(component("I'm asking YOU to fix it", HEED_STRESS_DISTRESS) >
                component("I'm asking you to fix it", HEED_STRESS_DISTRESS));
}

/* Whole messages from the bundled journey sample: the band a support lead
 * would give them. */
static void service_bands(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double lo, hi;
    } cs[] = {
        {"I'm writing about my late husband's account. I don't know the password or account "
         "number. I just want the letters to stop.",
         45, 69},
        {"So what am I supposed to do? Nobody takes responsibility. I've had enough. Cancel "
         "everything.",
         50, 100},
        {"Order #48069 is 6 days late now. Nobody has told me anything. What is happening?", 30,
         69},
        {"where is my order #48215?? it was supposed to be here two days ago and the tracking says "
         "nothing",
         30, 69},
        {"delivery failed for #48020?? i was in. can someone actually bring it", 30, 69},
        {"I've been in all day twice waiting for it. Nothing came and no card was left.", 30, 69},
        {"why have i been charged £69.99 twice?? i only ordered once", 25, 49},
        {"That doesn't help me at all. I'm asking YOU to sort it out.", 25, 49},
        /* calm */
        {"Thank you, that's exactly what I needed", 0, 0},
        {"Hi! Quick one: the winter coat is brilliant, can I order a second one with the same "
         "discount?",
         0, 5},
        {"Could I have a late checkout on Friday?", 0, 29},
        {"I don't want to cancel, I just want to change the date.", 0, 29},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        double v = score(cs[i].text);
        if (v < cs[i].lo || v > cs[i].hi) {
            print_error("score of \"%s\" = %.1f, want %.0f..%.0f\n", cs[i].text, v, cs[i].lo,
                        cs[i].hi);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void suppressed_cues(void **state)
{
    (void)state;
    static const struct {
        const char *text, *span;
        int comp;
    } cs[] = {
        {"It's not urgent.", "urgent", HEED_STRESS_URGENCY},
        {"No rush.", "rush", HEED_STRESS_URGENCY},
        {"If it breaks again, I'll let you know", "again", HEED_STRESS_EFFORT},
        {"I would never cancel", "cancel", HEED_STRESS_ESCALATION},
        {"I'm not going to cancel", "going to cancel", HEED_STRESS_ESCALATION},
        {"In case I need to cancel, what do I do?", "cancel", HEED_STRESS_ESCALATION},
        {"If I get made redundant, can I pause payments?", "made redundant",
         HEED_STRESS_VULNERABILITY},
        {"I don't want to cancel", "want to cancel", HEED_STRESS_ESCALATION},
        {"It's not 6 days late", "6 days late", HEED_STRESS_EFFORT},
        {"If it's 3 days late, can I get a refund?", "3 days late", HEED_STRESS_EFFORT},
        {"I wasn't charged twice", "charged twice", HEED_STRESS_DISTRESS},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        heed_analysis *an = run(cs[i].text);
        const heed_cue *c = find_cue(an, cs[i].span, cs[i].comp);
        if (!c)
            print_error("no cue \"%s\" in \"%s\"\n", cs[i].span, cs[i].text);
        assert_non_null(c);
        assert_true(c->flags & HEED_CUE_SUPPRESSED);
        assert_true(c->weight == 0.0f);
        assert_true(heed_analysis_result(an)->stress.component[cs[i].comp] == 0.0);
        heed_analysis_free(an);
    }
    /* and the same words without the negation count */
    heed_analysis *an = run("I'm going to cancel");
    const heed_cue *c = find_cue(an, "going to cancel", HEED_STRESS_ESCALATION);
    assert_non_null(c);
    assert_false(c->flags & HEED_CUE_SUPPRESSED);
    assert_true(c->weight > 40.0f);
    heed_analysis_free(an);
}

static void spans(void **state)
{
    (void)state;
    static const struct {
        const char *text, *span, *what;
        int comp;
        uint32_t start;
    } cs[] = {
        {"Please, this is urgent", "urgent", "urgent", HEED_STRESS_URGENCY, 16},
        {"I waited 3 weeks", "3 weeks", "long wait", HEED_STRESS_EFFORT, 9},
        {"Ok. For the THIRD time: no.", "THIRD time", "repeat contact", HEED_STRESS_EFFORT, 12},
        {"Sadly my grandmother passed away.", "my grandmother passed away", "bereavement",
         HEED_STRESS_VULNERABILITY, 6},
        {"Héllo — I’ll cancel", "I’ll cancel", "cancel threat", HEED_STRESS_ESCALATION, 11},
        {"It broke 😡", "😡", "angry emoji", HEED_STRESS_DISTRESS, 9},
        {"About my late husband's account", "my late husband's", "bereavement",
         HEED_STRESS_VULNERABILITY, 6},
        {"It is 6 days late", "6 days late", "late delivery", HEED_STRESS_EFFORT, 6},
        {"Charged £9 twice??", "twice", "double charge", HEED_STRESS_DISTRESS, 12},
        {"Where is it?!", "?!", "exasperated punctuation", HEED_STRESS_DISTRESS, 11},
        {"I'm asking YOU", "YOU", "stressed word", HEED_STRESS_DISTRESS, 11},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        heed_analysis *an = run(cs[i].text);
        const heed_cue *c = find_cue(an, cs[i].span, cs[i].comp);
        if (!c)
            print_error("no cue \"%s\" in \"%s\"\n", cs[i].span, cs[i].text);
        assert_non_null(c);
        assert_int_equal(c->start, cs[i].start);
        assert_string_equal(c->what, cs[i].what);
        assert_true(c->weight > 0.0f);
        heed_analysis_free(an);
    }
}

/* Cues are in text order; weights of counted cues add up (noisy-OR
 * marginals) to their component; listed cues per component are capped. */
static void cue_accounting(void **state)
{
    (void)state;
    heed_analysis *an = run("Third time writing. Still waiting, been on hold for 2 hours, "
                            "you keep transferring me. I need it by Friday, it's urgent!!!");
    const heed_stress *st = &heed_analysis_result(an)->stress;
    double sum[HEED_STRESS_COUNT] = {0};
    for (size_t i = 0; i < st->n_cues; i++) {
        if (i)
            assert_true(st->cues[i].start >= st->cues[i - 1].start);
        assert_true(st->cues[i].component < HEED_STRESS_COUNT);
        assert_non_null(st->cues[i].what);
        sum[st->cues[i].component] += st->cues[i].weight;
    }
    for (int k = 0; k < HEED_STRESS_COUNT; k++)
        assert_true(fabs(sum[k] - st->component[k]) < 0.01);
    assert_true(st->component[HEED_STRESS_EFFORT] > 80);
    heed_analysis_free(an);

    /* a long text: many cues, the list stays capped, the score stays in range */
    size_t n = 0, cap = 40 * 4000;
    char *big = malloc(cap);
    assert_non_null(big);
    for (int i = 0; i < 4000; i++)
        n += (size_t)snprintf(big + n, cap - n, "still waiting. ");
    heed_analysis *bn = NULL;
    assert_int_equal(heed_analyze(eng, big, n, NULL, &bn, NULL), HEED_OK);
    const heed_stress *bs = &heed_analysis_result(bn)->stress;
    assert_true(bs->n_cues <= (size_t)HEED_STRESS_COUNT * 32);
    assert_true(bs->score >= 0 && bs->score <= 100);
    assert_true(bs->component[HEED_STRESS_EFFORT] <= 100);
    heed_analysis_free(bn);
    free(big);
}

static void ordering(void **state)
{
    (void)state;
    double bereaved = score("My husband passed away last month and this is the third time I'm "
                            "writing about his account. I need it closed by Friday.");
    assert_true(bereaved >= 70); /* act now */
    double polite = score("Hi, could you tell me which sizes the blue jacket comes in? Thanks!");
    assert_true(polite < 30); /* calm */
    assert_true(score("Hello, where is my order?") < 30);
    double threat = score("Third time asking. If this isn't fixed by Friday I'm going to "
                          "the ombudsman and doing a chargeback!!!");
    assert_true(threat >= 70);
    /* one strong component alone reaches act-now; a weak one stays calm */
    assert_true(score("My wife passed away and I'm scared I can't afford the rent") >= 70);
    assert_true(score("I ordered it today.") < 30);
    /* several moderate components add up */
    double one = score("I still haven't got it.");
    double two = score("I still haven't got it and I need it tomorrow morning.");
    double three = score("I still haven't got it and I need it tomorrow morning or I'll "
                         "cancel.");
    assert_true(one < two && two < three);
    /* a negated version scores lower than the plain one */
    assert_true(score("It's not urgent") < score("It's urgent"));
    assert_true(score("Empty text") >= 0);
    assert_true(score("") == 0);
}

/* Failing the k-th allocation for every k, on a text with more cues than the
 * stage keeps on the stack: a clean HEED_ENOMEM, no leak (ASan), then success
 * with every cue counted. */
static void allocation_failures(void **state)
{
    (void)state;
    char text[4096];
    size_t n = 0;
    for (int i = 0; i < 80; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "still waiting!! ");
    int saw_enomem = 0;
    for (long k = 0;; k++) {
        heed_analysis *an = NULL;
        heed__alloc_fail_after(k);
        int rc = heed_analyze(eng, text, n, NULL, &an, NULL);
        heed__alloc_fail_after(-1);
        if (rc == HEED_OK) {
            const heed_stress *st = &heed_analysis_result(an)->stress;
            assert_int_equal(st->available, 1);
            assert_true(st->n_cues > 48);
            heed_analysis_free(an);
            break;
        }
        assert_int_equal(rc, HEED_ENOMEM);
        assert_null(an);
        saw_enomem = 1;
        assert_true(k < 10000);
    }
    assert_true(saw_enomem);
}

/* The emotion model, when a later stage fills it, adds to distress with a cue
 * over the whole text; without it nothing changes. */
static void emotion_hook(void **state)
{
    (void)state;
    static const char text[] = "Where is my parcel";
    heed_analysis *an = run(text);
    heed_result r = *heed_analysis_result(an);
    double before = r.stress.component[HEED_STRESS_DISTRESS];
    heed_stress_index *ix = NULL;
    assert_int_equal(heed__stress_index_new(&ix), HEED_OK);
    heed_arena a = {0};
    r.emotions.available = 1;
    r.emotions.prob[HEED_EMO_ANGER] = 0.9f;
    assert_int_equal(heed__stress(&a, ix, &r), HEED_OK);
    assert_true(r.stress.component[HEED_STRESS_DISTRESS] > before + 50);
    int found = 0;
    for (size_t i = 0; i < r.stress.n_cues; i++)
        if (!strcmp(r.stress.cues[i].what, "anger (emotion model)") &&
            r.stress.cues[i].start == 0 && r.stress.cues[i].len == sizeof text - 1)
            found = 1;
    assert_true(found);
    /* a low probability adds nothing */
    r.emotions.prob[HEED_EMO_ANGER] = 0.05f;
    assert_int_equal(heed__stress(&a, ix, &r), HEED_OK);
    assert_true(fabs(r.stress.component[HEED_STRESS_DISTRESS] - before) < 1e-9);
    heed__arena_release(&a);
    heed__stress_index_free(ix);
    heed_analysis_free(an);
}

/* The emotion model's cue on random probabilities and predicted labels,
 * many near its 0.2 threshold, against the rule written out here: the
 * strongest weighted negative emotion (a predicted label counts at least
 * 0.35), 70 points per unit, when it reaches 0.2. */
static void emotion_cue_random(void **state)
{
    (void)state;
    static const struct {
        int label;
        float w;
        const char *what;
    } EMO[] = {
        {HEED_EMO_ANGER, 1.0f, "anger (emotion model)"},
        {HEED_EMO_ANNOYANCE, 0.4f, "annoyance (emotion model)"},
        {HEED_EMO_DISGUST, 0.8f, "disgust (emotion model)"},
        {HEED_EMO_FEAR, 1.0f, "fear (emotion model)"},
        {HEED_EMO_NERVOUSNESS, 0.9f, "nervousness (emotion model)"},
        {HEED_EMO_SADNESS, 0.9f, "sadness (emotion model)"},
        {HEED_EMO_GRIEF, 1.0f, "grief (emotion model)"},
        {HEED_EMO_DISAPPOINTMENT, 0.5f, "disappointment (emotion model)"},
    };
    static const float NEAR[] = {0.0f, 0.19999999f, 0.2f, 0.20000001f, 0.25f, 0.34999999f,
                                 0.35f, 0.4f, 0.5f, 0.22222222f, 0.44444445f, 1.0f};
    heed_analysis *an = run("ok");
    heed_result r = *heed_analysis_result(an);
    assert_int_equal(r.stress.n_cues, 0);
    heed_stress_index *ix = NULL;
    assert_int_equal(heed__stress_index_new(&ix), HEED_OK);
    heed_arena a = {0};
    uint64_t seed = 3;
    size_t cues = 0;
    for (int round = 0; round < 20000; round++) {
        r.emotions.available = 1;
        r.emotions.labels = 0;
        for (int k = 0; k < HEED_EMO_COUNT; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const uint64_t x = seed >> 20;
            r.emotions.prob[k] = x % 17 ? (float)(x % 1000) / 5500.0f
                                        : NEAR[(x >> 12) % (sizeof NEAR / sizeof NEAR[0])];
            if ((x >> 20) % 23 == 0)
                r.emotions.labels |= 1u << k;
        }
        float best = 0;
        const char *what = NULL;
        for (size_t k = 0; k < sizeof EMO / sizeof EMO[0]; k++) {
            float p = r.emotions.prob[EMO[k].label];
            if ((r.emotions.labels & (1u << EMO[k].label)) && p < 0.35f)
                p = 0.35f;
            p *= EMO[k].w;
            if (p > best) {
                best = p;
                what = EMO[k].what;
            }
        }
        assert_int_equal(heed__stress(&a, ix, &r), HEED_OK);
        if (what && best >= 0.2f) {
            assert_int_equal(r.stress.n_cues, 1);
            assert_string_equal(r.stress.cues[0].what, what);
            const float pts = 70.0f * best;
            assert_true(r.stress.component[HEED_STRESS_DISTRESS] ==
                        100.0 - 100.0 * (1.0 - (pts > 100 ? 100 : (double)pts) / 100.0));
            cues++;
        } else {
            assert_int_equal(r.stress.n_cues, 0);
        }
        heed__arena_release(&a);
    }
    if (cues < 2000 || cues > 18000)
        fail_msg("%zu cues in 20000", cues);
    heed__stress_index_free(ix);
    heed_analysis_free(an);
}

/* The cues come out sorted by start, component, length and label, whether a
 * text has a few (sorted by insertion) or many (qsort): random texts of cue
 * phrases, up to well past the insertion sort's limit. */
static void cues_sorted(void **state)
{
    (void)state;
    static const char *const parts[] = {"It's urgent. ",
                                        "I need it ASAP! ",
                                        "I've called 3 times. ",
                                        "This is NOT OK!! ",
                                        "terrible, awful service. ",
                                        "My husband died last week. ",
                                        "I will cancel. ",
                                        "I'm going to the ombudsman. ",
                                        "I waited 3 weeks for this. ",
                                        "\xF0\x9F\x98\xA1 ",
                                        "Why?? ",
                                        "charged twice. ",
                                        "thanks, fine. ",
                                        "not urgent. ",
                                        "if it breaks again. ",
                                        "I can't afford this. ",
                                        "for the third time. "};
    uint64_t seed = 99;
    char text[4096];
    for (int round = 0; round < 60; round++) {
        size_t n = 0;
        int pieces = 1 + round % 50;
        for (int k = 0; k < pieces; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const char *p = parts[(seed >> 33) % (sizeof parts / sizeof parts[0])];
            size_t l = strlen(p);
            if (n + l >= sizeof text)
                break;
            memcpy(text + n, p, l);
            n += l;
        }
        text[n] = '\0';
        heed_analysis *an = run(text);
        const heed_stress *st = &heed_analysis_result(an)->stress;
        for (size_t i = 1; i < st->n_cues; i++) {
            const heed_cue *a = &st->cues[i - 1], *b = &st->cues[i];
            int order = a->start != b->start           ? (a->start < b->start ? -1 : 1)
                        : a->component != b->component ? (a->component < b->component ? -1 : 1)
                        : a->len != b->len             ? (a->len < b->len ? -1 : 1)
                                                       : strcmp(a->what, b->what);
            assert_true(order <= 0);
        }
        heed_analysis_free(an);
    }
}

/* Fills `text` (cap bytes) with `pieces` pieces drawn by *seed: cue phrases
 * and rule cues, whose neighbours and look-alikes, and made-up words;
 * returns its length. */
static size_t random_text(uint64_t *seed, char *text, size_t cap, int pieces)
{
    static const char *const vocab[] = {
        "my husband died", "my late husband's", "lost my dog", "our mum passed away",
        "when dad died", "since losing my wife", "her late son's", "my cat is dying",
        "my order died", "my late order", "since Friday", "by Friday", "before tomorrow",
        "by noon", "before 2024-03-01", "by 10:30", "need it by Monday", "due today",
        "3 days late", "1 day late", "waited 5 hrs", "a week late", "20 minutes late", "2 hours late", "it was 3 days late",
        "arrived 6 weeks overdue", "called 3 times", "emailed twice", "charged twice",
        "twice the price", "tried 5 times", "for the third time", "for the 3rd time",
        "second time", "waited 2 hours", "on hold for 40 mins", "been 3 weeks",
        "been a customer for 10 years", "waiting for a month", "down for 2 days",
        "no one has replied", "nobody has got back", "no one", "I'm leaving", "I'm leaving for",
        "I am leaving.", "what now", "what now?", "1 star", "one star", "section 75", "I will sue",
        "I'll cancel", "I would never cancel", "if I cancel", "not urgent", "no rush",
        "in case it breaks again", "thanks again", "try again", "still waiting", "still not",
        "can't afford", "can not afford", "my rent", "not safe", "I'm afraid", "I'm afraid for my",
        "as soon as possible", "as soon as", "ASAP", "URGENT", "I NEED THIS NOW", "DO NOT",
        "UPS DHL", "OK", "HELLO WORLD AGAIN", "again and again", "over and over", "I", "my",
        "the", "a", "an", "for", "in", "on", "is", "was", "it", "and", "but", "so", "then",
        "if", "not", "never", "no", "please", "help", "thanks", "great", "love it", "terrible",
        "awful", "hate", "today", "tomorrow", "times", "time", "days", "day", "hrs", "minutes",
        "years", "husband", "mum", "friday", "3", "12", "1", "75", "3rd", "twice", "few",
        "couple", "several", "three", "late", "overdue", "!!", "!!!", "??", "?!", "!", "?", ".",
        ",", ";", "...", "!?!", "?.", "\xF0\x9F\x98\xA1", "\xF0\x9F\x98\xAD", "\xF0\x9F\x98\x80", ">:(", ":(", ":)",
        "#fail", "@support", "\xE2\x82\xAC" "49.99",
    };
    size_t n = 0;
    for (int k = 0; k < pieces; k++) {
        *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
        const uint64_t r = *seed >> 24;
        char made[16];
        const char *w;
        if (r % 6 == 0) { /* a made-up word of 1..8 letters, sometimes in capitals */
            size_t l = 1 + (r >> 8) % 8;
            for (size_t i = 0; i < l; i++)
                made[i] = (char)((r >> 12) % 7 == 0 ? 'A' : 'a') + (char)((r >> (16 + i)) % 26);
            made[l] = '\0';
            w = made;
        } else {
            w = vocab[(r >> 8) % (sizeof vocab / sizeof vocab[0])];
        }
        size_t l = strlen(w);
        if (n + l + 2 >= cap)
            break;
        memcpy(text + n, w, l);
        n += l;
        text[n++] = (r >> 40) % 9 == 0 ? '\n' : ' ';
    }
    text[n] = '\0';
    return n;
}

/* Fails unless x and y are the same stress result, bit for bit. */
static void same_stress(const heed_stress *x, const heed_stress *y, const char *text)
{
    if (x->n_cues != y->n_cues || memcmp(&x->score, &y->score, sizeof x->score) ||
        memcmp(x->component, y->component, sizeof x->component))
        fail_msg("stress differs on \"%s\"", text);
    for (size_t i = 0; i < x->n_cues; i++) {
        const heed_cue *c = &x->cues[i], *d = &y->cues[i];
        if (c->start != d->start || c->len != d->len || c->component != d->component ||
            c->flags != d->flags || memcmp(&c->weight, &d->weight, sizeof c->weight) ||
            strcmp(c->what, d->what))
            fail_msg("cue %zu differs on \"%s\"", i, text);
    }
}

/* heed__stress, heed__stress_words (the classes of the frequent-word table
 * ws, set from ix), heed__stress_words_held (the same, a word not in ws
 * taken for no cue word) and heed__stress_ungated give the same result on
 * text[0, n), cue for cue and bit for bit; with the emotion model's cue too
 * when with_emotion. Returns the number of cues. */
static size_t gates_same(const heed_stress_index *ix, const heed_words *ws, heed_arena *a,
                         const char *text, size_t n, int with_emotion)
{
    heed_analysis *an = NULL;
    assert_int_equal(heed_analyze(eng, text, n, NULL, &an, NULL), HEED_OK);
    heed_result fast = *heed_analysis_result(an), full = fast;
    if (with_emotion) {
        fast.emotions.available = full.emotions.available = 1;
        fast.emotions.prob[HEED_EMO_SADNESS] = full.emotions.prob[HEED_EMO_SADNESS] = 0.5f;
    }
    heed_result words = fast, held = fast;
    const size_t nt = words.n_tokens ? words.n_tokens : 1;
    uint64_t *th = heed__arena_alloc(a, nt * sizeof *th);
    const heed_word **wr = heed__arena_alloc(a, nt * sizeof *wr);
    assert_non_null(th);
    assert_non_null(wr);
    heed__freqwords_find(ws, words.tokens, words.n_tokens, th, wr);
    assert_int_equal(heed__stress(a, ix, &fast), HEED_OK);
    assert_int_equal(heed__stress_words(a, ix, wr, &words), HEED_OK);
    assert_true(heed__freqwords_holds_stress(ws));
    assert_int_equal(heed__stress_words_held(a, ix, wr, &held), HEED_OK);
    assert_int_equal(heed__stress_ungated(a, ix, &full), HEED_OK);
    same_stress(&fast.stress, &full.stress, text);
    same_stress(&words.stress, &full.stress, text);
    same_stress(&held.stress, &full.stress, text);
    const size_t cues = fast.stress.n_cues;
    heed_analysis_free(an);
    heed__arena_release(a);
    return cues;
}

/* The per-token gates and the index's fast paths (heed__stress), and the
 * classes of the frequent-word table's words (heed__stress_words), give what
 * looking at every token in full gives (heed__stress_ungated), cue for cue
 * and bit for bit, on thousands of random texts of cue words. */
static void gated_same_as_ungated(void **state)
{
    (void)state;
    heed_stress_index *ix = NULL;
    assert_int_equal(heed__stress_index_new(&ix), HEED_OK);
    heed_words *ws = NULL;
    assert_int_equal(heed__freqwords_new(NULL, NULL, NULL, NULL, &ws), HEED_OK);
    heed__freqwords_set_stress(ws, ix);
    heed_arena a = {0};
    uint64_t seed = 7;
    char text[2048];
    size_t cues = 0;
    for (int round = 0; round < 4000; round++) {
        const size_t n = random_text(&seed, text, sizeof text, 1 + round % 80);
        cues += gates_same(ix, ws, &a, text, n, round % 3 == 0);
    }
    assert_true(cues > 4000); /* the texts hold cues of every kind */
    heed__freqwords_free(ws);
    heed__stress_index_free(ix);
}

/* The same for every phrase of the table: alone, at the end, before
 * punctuation, an emoji or a word, in capitals, after a negator or "if", and
 * two phrases in a row; then random runs of phrases, punctuation and
 * made-up words. */
static void every_phrase_gated_same(void **state)
{
    (void)state;
    heed_stress_index *ix = NULL;
    assert_int_equal(heed__stress_index_new(&ix), HEED_OK);
    heed_words *ws = NULL;
    assert_int_equal(heed__freqwords_new(NULL, NULL, NULL, NULL, &ws), HEED_OK);
    heed__freqwords_set_stress(ws, ix);
    heed_arena a = {0};
    static const char *const FRAME[][2] = {
        {"", ""},        {"", "."},          {"", "!!"},     {"I said ", " \xF0\x9F\x98\xA1"},
        {"", " now"},    {"not ", ""},       {"if ", " ok"}, {"so ", ", the end"},
        {"", " x"},      {"", " for"},       {"", " 3"},     {"", " 10:30"},
        {"", " #tag"},   {"", " :("},        {"", "?!"},     {"\"", "\""},
    };
    char p1[256], p2[256], text[1024];
    size_t k = 0, cues = 0;
    for (; heed__stress_phrase_text(k, 0, p1, sizeof p1); k++) {
        for (unsigned v = 0; v < 4; v++) {
            assert_true(heed__stress_phrase_text(k, v * 7, p1, sizeof p1) > 0);
            for (size_t f = 0; f < sizeof FRAME / sizeof FRAME[0]; f++) {
                int n = snprintf(text, sizeof text, "%s%s%s", FRAME[f][0], p1, FRAME[f][1]);
                cues += gates_same(ix, ws, &a, text, (size_t)n, 0);
            }
            for (char *c = p1; *c; c++) /* in capitals */
                if (*c >= 'a' && *c <= 'z')
                    *c = (char)(*c - 'a' + 'A');
            int n = snprintf(text, sizeof text, "WHY %s!", p1);
            cues += gates_same(ix, ws, &a, text, (size_t)n, 0);
            assert_true(heed__stress_phrase_text((k * 31 + v) % (k + 1), v, p2, sizeof p2) > 0);
            n = snprintf(text, sizeof text, "%s %s", p2, p1);
            cues += gates_same(ix, ws, &a, text, (size_t)n, v == 1);
        }
    }
    assert_true(k > 500); /* the whole table */
    uint64_t seed = 11;
    static const char *const FILL[] = {".", ",", "!!", "?", "i", "the", "my", "and",
                                       "times", "days", "twice", "3", "BIG", "\xF0\x9F\x98\xAD"};
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        for (int w = 0; w < 1 + round % 24; w++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const uint64_t r = seed >> 24;
            const char *put = FILL[(r >> 8) % (sizeof FILL / sizeof FILL[0])];
            if (r % 3 == 0 && heed__stress_phrase_text((r >> 16) % k, (unsigned)(r >> 40), p1,
                                                       sizeof p1))
                put = p1;
            const size_t l = strlen(put);
            if (n + l + 2 >= sizeof text)
                break;
            memcpy(text + n, put, l);
            n += l;
            text[n++] = ' ';
        }
        text[n ? n - 1 : 0] = '\0';
        cues += gates_same(ix, ws, &a, text, n ? n - 1 : 0, round % 5 == 0);
    }
    assert_true(cues > 10000);
    heed__freqwords_free(ws);
    heed__stress_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_sorted),
        cmocka_unit_test(urgency),
        cmocka_unit_test(effort),
        cmocka_unit_test(vulnerability),
        cmocka_unit_test(escalation),
        cmocka_unit_test(distress),
        cmocka_unit_test(suppressed_cues),
        cmocka_unit_test(spans),
        cmocka_unit_test(cue_accounting),
        cmocka_unit_test(ordering),
        cmocka_unit_test(cues_sorted),
        cmocka_unit_test(gated_same_as_ungated),
        cmocka_unit_test(every_phrase_gated_same),
        cmocka_unit_test(emotion_hook),
        cmocka_unit_test(emotion_cue_random),
        cmocka_unit_test(allocation_failures),
        cmocka_unit_test(service_effort),
        cmocka_unit_test(service_vulnerability),
        cmocka_unit_test(service_escalation),
        cmocka_unit_test(service_distress),
        cmocka_unit_test(service_bands),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
