/* test_timexpr.c - time expressions over tokens (src/core/timexpr.c): the
 * check of the words an expression can start with changes no match. Random
 * texts of the grammar's words, their near-misses, numbers, dates and plain
 * words are tokenized; at every token heed__timexpr_at must give what every
 * rule tried there (heed__timexpr_match) gives, for several message times. */
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
#include "timexpr.h"
#include "tokenize.h"

/* Every word the grammar reads, some near-misses (one letter off, a prefix,
 * other case), and filler. */
static const char *const WORDS[] = {
    "by",       "before",   "until",    "till",     "no",        "later",       "than",
    "on",       "at",       "within",   "in",       "the",       "end",         "of",
    "this",     "next",     "coming",   "today",    "tonight",   "tomorrow",    "eod",
    "cob",      "close",    "business", "morning",  "afternoon", "evening",     "night",
    "day",      "week",     "month",    "monday",   "tuesday",   "wednesday",   "thursday",
    "friday",   "saturday", "sunday",   "mon",      "tue",       "wed",         "thu",
    "fri",      "sat",      "sun",      "january",  "february",  "march",       "april",
    "may",      "june",     "july",     "august",   "september", "october",     "november",
    "december", "jan",      "feb",      "mar",      "apr",       "jun",         "jul",
    "aug",      "sep",      "oct",      "nov",      "dec",       "a",           "an",
    "one",      "two",      "three",    "ten",      "twelve",    "twenty-four", "forty-eight",
    "working",  "minutes",  "minute",   "mins",     "hours",     "hour",        "hrs",
    "h",        "days",     "weeks",    "to",       "or",        "-",           "am",
    "pm",       "a.m.",     "p.m.",     "noon",     "midday",    "midnight",    "1pm",
    "10:30",    "5.30pm",   "3.50",     "12",       "14th",      "1st",         "22nd",
    "3rd",      "31",       "2",        "24h",      "48hrs",     "2026-09-01",  "9/14",
    "By",       "BEFORE",   "Monday",   "March",    "bye",       "befor",       "ends",
    "thes",     "tomorow",  "nexts",    "mayday",   "decembers", "wednesdays",  "inn",
    "o",        "t",        "we",       "will",     "send",      "it",          "refund",
    "your",     "order",    "please",   "thanks",   "!",         ",",           ".",
    "?",        "x",        "zz",       "tuesdays", "sept",      "tues"};

static const heed_timebase BASES[] = {
    {0, 0, 0},
    {1, 1788254240, 0},    /* 2026-09-01 09:17:20 UTC, a Tuesday */
    {1, 1798761599, -300}, /* 2026-12-31 23:59:59 UTC, a Thursday, New York */
    {1, 1772323200, 330},  /* 2026-03-01 00:00 UTC, a Sunday, India */
};

static void same_everywhere(void **state)
{
    (void)state;
    srand(7);
    char text[2048];
    size_t matched = 0;
    for (int round = 0; round < 6000; round++) {
        size_t o = 0;
        int n = 1 + rand() % 14;
        for (int k = 0; k < n; k++) {
            const char *w = WORDS[(size_t)rand() % (sizeof WORDS / sizeof WORDS[0])];
            o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", k ? " " : "", w);
        }
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *toks;
        size_t nt;
        assert_int_equal(heed__tokenize(&a, text, o, &toks, &nt), HEED_OK);
        for (size_t b = 0; b < sizeof BASES / sizeof BASES[0]; b++)
            for (size_t i = 0; i <= nt; i++) {
                heed_timexpr fast, plain;
                memset(&fast, 0xa5, sizeof fast);
                memset(&plain, 0x5a, sizeof plain);
                size_t nf = heed__timexpr_at(toks, i, nt, &BASES[b], &fast);
                size_t np = heed__timexpr_match(toks, i, nt, &BASES[b], &plain);
                if (nf != np)
                    fail_msg("\"%s\" at token %zu: %zu tokens, every rule %zu", text, i, nf, np);
                assert_int_equal(fast.first, plain.first);
                assert_int_equal(fast.n, plain.n);
                assert_int_equal(fast.forward, plain.forward);
                assert_int_equal(fast.has_due, plain.has_due);
                assert_true(fast.due == plain.due);
                matched += np != 0;
            }
        heed__arena_release(&a);
    }
    assert_true(matched > 5000); /* the texts do reach the rules */
}

/* Each word of the grammar alone and after a lead. */
static void grammar_words(void **state)
{
    (void)state;
    static const char *const LEADS[] = {"",     "by ",   "on ",   "within ", "in ",
                                        "the ", "this ", "next ", "end of ", "no later than "};
    char text[128];
    for (size_t l = 0; l < sizeof LEADS / sizeof LEADS[0]; l++)
        for (size_t w = 0; w < sizeof WORDS / sizeof WORDS[0]; w++)
            for (size_t f = 0; f < sizeof WORDS / sizeof WORDS[0]; f += 7) {
                int n = snprintf(text, sizeof text, "%s%s %s", LEADS[l], WORDS[w], WORDS[f]);
                heed_arena a;
                heed__arena_init(&a, 0);
                heed_token *toks;
                size_t nt;
                assert_int_equal(heed__tokenize(&a, text, (size_t)n, &toks, &nt), HEED_OK);
                for (size_t i = 0; i < nt; i++) {
                    heed_timexpr fast, plain;
                    size_t nf = heed__timexpr_at(toks, i, nt, &BASES[1], &fast);
                    size_t np = heed__timexpr_match(toks, i, nt, &BASES[1], &plain);
                    if (nf != np || memcmp(&fast, &plain, sizeof fast))
                        fail_msg("\"%s\" at token %zu: %zu tokens, every rule %zu", text, i, nf,
                                 np);
                }
                heed__arena_release(&a);
            }
}

/* "by May N": a day of the month only for 1..31; a run of digits too long
 * for a long is none (it once overflowed the day's number: UBSan in CI). */
static void month_then_number(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int date; /* 1: a due date */
    } cases[] = {
        {"by May 14", 1},
        {"by May 31", 1},
        {"by May 1", 1},
        {"by May 32", 0},
        {"by May 0", 0},
        {"by May 00000000000000000000000000000014", 1},
        {"by May 1111111111111111111111111111111111111111111111114", 0},
        {"by May 99999999999999999999999999999999999999999", 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *text = cases[c].text;
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *toks;
        size_t nt;
        assert_int_equal(heed__tokenize(&a, text, strlen(text), &toks, &nt), HEED_OK);
        heed_timexpr e, plain;
        memset(&e, 0, sizeof e);
        const size_t n = heed__timexpr_at(toks, 0, nt, &BASES[1], &e);
        assert_int_equal(heed__timexpr_match(toks, 0, nt, &BASES[1], &plain), n);
        if ((n != 0 && e.has_due) != cases[c].date)
            fail_msg("\"%s\": %zu tokens, due %d, expected a date: %d", text, n, e.has_due,
                     cases[c].date);
        heed__arena_release(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(month_then_number),
        cmocka_unit_test(same_everywhere),
        cmocka_unit_test(grammar_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
