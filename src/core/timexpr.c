/* timexpr.c - time expressions over tokens and their due times (timexpr.h).
 *
 * Grammar, on the tokens' normalised forms (case-folded):
 *   [lead] body [at|by|before TIME]
 *   lead: by, before, until, till, on, at, within, in, no later than
 *   body: today | tonight | later today | this morning|afternoon|evening |
 *         (the) end of (the|today|this) day | eod | close of business |
 *         tomorrow [morning|afternoon|evening] | [this|next|coming] WEEKDAY |
 *         next week | this week | (the) end of (the|this|next) week|month |
 *         next month | the 14th [of March] | 14(th) March | March 14(th) |
 *         [the next] N[-M|to M] [working|business] minutes|hours|days|weeks
 *         (after within/in only) | TIME (after a lead: "by 1pm")
 * Due (the end of the window, in the writer's local time, then UTC):
 *   a day is its 23:59:59; a day with a time is that time; "this morning"
 *   11:59:59, "this afternoon" 17:59:59; a bare time already past today is
 *   tomorrow; a weekday is the next one (today only after by/before/until/
 *   this); "next week" its Sunday; "this week" / "end of the week" Friday (or
 *   today's Sunday at a weekend); "end of the month" its last day; the 14th is
 *   this month or, once passed, the next month with a 14th; "14 March" this
 *   year or, once passed, the next; N minutes/hours are exact; N days/weeks end
 *   on their last day; N working days skip Saturdays and Sundays; of a range
 *   "3-5 days" the upper bound counts. */
#include "timexpr.h"

#include <string.h>

#include "hash.h"

static int is_w(const heed_token *t, const char *w)
{
    if (!t->norm_len || t->norm[0] != w[0])
        return 0; /* the usual case, decided without strlen */
    size_t n = strlen(w);
    return t->norm_len == n && !memcmp(t->norm, w, n);
}

static int w_at(const heed_token *toks, size_t i, size_t hi, const char *w)
{
    return i < hi && is_w(&toks[i], w);
}

static int list_at(const heed_token *toks, size_t i, size_t hi, const char *const *list)
{
    if (i >= hi)
        return -1;
    for (int k = 0; list[k]; k++)
        if (is_w(&toks[i], list[k]))
            return k;
    return -1;
}

static const char *const WEEKDAYS[] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday",    NULL};
static const char *const WEEKDAYS_SHORT[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
static const char *const MONTHS[] = {"january",  "february", "march",  "april",     "may",
                                     "june",     "july",     "august", "september", "october",
                                     "november", "december", NULL};
static const char *const MONTHS_SHORT[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                           "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const NUM_WORDS[] = {"zero", "one",    "two",    "three", "four",
                                        "five", "six",    "seven",  "eight", "nine",
                                        "ten",  "eleven", "twelve", NULL};

/* ---------------------------------------------------------------- dates */

int64_t heed__days_from_civil(int64_t y, int m, int d)
{
    /* Count from 0000-03-01 so that the leap day ends a year; 719468 days
     * separate that origin from 1970-01-01. */
    if (m <= 2)
        y--;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = m > 2 ? m - 3 : m + 9;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void heed__civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = era * 400 + yoe + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int N[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : N[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---------------------------------------------------------------- numbers */

/* A small non-negative number at toks[i] (digits or a word), or -1. */
static long number_at(const heed_token *t)
{
    if (t->kind == HEED_TOK_NUMBER || t->kind == HEED_TOK_TIME) {
        long v = 0;
        for (uint32_t k = 0; k < t->norm_len; k++) {
            char c = t->norm[k];
            if (c < '0' || c > '9' || v > 100000)
                return -1;
            v = v * 10 + (c - '0');
        }
        return t->norm_len ? v : -1;
    }
    if (is_w(t, "a") || is_w(t, "an"))
        return 1;
    for (int k = 0; NUM_WORDS[k]; k++)
        if (is_w(t, NUM_WORDS[k]))
            return k;
    if (is_w(t, "twenty-four"))
        return 24;
    if (is_w(t, "forty-eight"))
        return 48;
    return -1;
}

/* Unit of a word: 60 minutes, 3600 hours, 'd' days, 'w' weeks; 0 none. */
enum { U_MIN = 60, U_HOUR = 3600, U_DAY = 'd', U_WEEK = 'w' };
static int unit_of(const char *s, size_t n)
{
    static const struct {
        const char *w;
        int u;
    } U[] = {{"minute", U_MIN}, {"minutes", U_MIN}, {"min", U_MIN},  {"mins", U_MIN},
             {"hour", U_HOUR},  {"hours", U_HOUR},  {"hr", U_HOUR},  {"hrs", U_HOUR},
             {"h", U_HOUR},     {"day", U_DAY},     {"days", U_DAY}, {"week", U_WEEK},
             {"weeks", U_WEEK}};
    for (size_t k = 0; k < sizeof U / sizeof U[0]; k++)
        if (strlen(U[k].w) == n && !memcmp(U[k].w, s, n))
            return U[k].u;
    return 0;
}

/* "24h", "48hrs": a number glued to its unit (one word token). */
static int glued_duration(const heed_token *t, long *num, int *unit)
{
    uint32_t k = 0;
    long v = 0;
    while (k < t->norm_len && t->norm[k] >= '0' && t->norm[k] <= '9' && v < 100000)
        v = v * 10 + (t->norm[k++] - '0');
    if (!k || k == t->norm_len)
        return 0;
    int u = unit_of(t->norm + k, t->norm_len - k);
    if (!u)
        return 0;
    *num = v;
    *unit = u;
    return 1;
}

/* A clock time at toks[i]: "1pm", "10:30", "5.30pm", "1" + "pm", "noon".
 * Returns tokens used, 0 if none; *sec is seconds after midnight. */
static size_t clock_at(const heed_token *toks, size_t i, size_t hi, long *sec)
{
    if (i >= hi)
        return 0;
    const heed_token *t = &toks[i];
    if (is_w(t, "noon") || is_w(t, "midday")) {
        *sec = 12 * 3600;
        return 1;
    }
    if (is_w(t, "midnight")) {
        *sec = 86399;
        return 1;
    }
    if (t->kind != HEED_TOK_TIME && t->kind != HEED_TOK_NUMBER)
        return 0;
    const char *s = t->norm;
    size_t n = t->norm_len, k = 0;
    long h = 0, mi = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9' && h < 100)
        h = h * 10 + (s[k++] - '0');
    if (!k)
        return 0;
    int has_min = 0;
    if (k < n && (s[k] == ':' || s[k] == '.')) {
        size_t k0 = ++k;
        while (k < n && s[k] >= '0' && s[k] <= '9' && mi < 100)
            mi = mi * 10 + (s[k++] - '0');
        if (k - k0 != 2)
            return 0;
        has_min = 1;
        if (k < n && s[k] == ':') /* seconds: ignored */
            while (++k < n && s[k] >= '0' && s[k] <= '9')
                ;
    }
    int ampm = 0; /* 1 am, 2 pm */
    size_t used = 1;
    if (k < n) {
        if (n - k == 2 && !memcmp(s + k, "am", 2))
            ampm = 1;
        else if (n - k == 2 && !memcmp(s + k, "pm", 2))
            ampm = 2;
        else
            return 0;
    } else if (i + 1 < hi && (is_w(&toks[i + 1], "am") || is_w(&toks[i + 1], "a.m."))) {
        ampm = 1;
        used = 2;
    } else if (i + 1 < hi && (is_w(&toks[i + 1], "pm") || is_w(&toks[i + 1], "p.m."))) {
        ampm = 2;
        used = 2;
    }
    if (!ampm && !has_min)
        return 0; /* a bare number is no clock time */
    if (t->kind == HEED_TOK_NUMBER && !ampm && s[k - 3] == '.')
        return 0; /* 3.50 is a price more often than a time */
    if (mi > 59 || (ampm && (h < 1 || h > 12)) || h > 23)
        return 0;
    if (ampm == 2 && h != 12)
        h += 12;
    if (ampm == 1 && h == 12)
        h = 0;
    *sec = h * 3600 + mi * 60;
    return used;
}

/* ---------------------------------------------------------------- matching */

typedef struct parse {
    enum { K_NONE, K_DAY, K_TIME_ONLY, K_SECONDS, K_WORKDAYS } kind;
    int64_t day;    /* local day number (K_DAY, K_WORKDAYS: the result) */
    long sec;       /* K_DAY: seconds after midnight of the end (86399 default) */
    int64_t offset; /* K_SECONDS: seconds after the message time */
} parse;

/* Optional trailing clock time: "[at|by|before] 1pm". */
static size_t trailing_clock(const heed_token *toks, size_t i, size_t hi, long *sec)
{
    size_t j = i;
    if (w_at(toks, j, hi, "at") || w_at(toks, j, hi, "by") || w_at(toks, j, hi, "before"))
        j++;
    size_t c = clock_at(toks, j, hi, sec);
    return c ? j + c - i : 0;
}

/* The words an expression can start with when toks[i] is no number or date:
 * the leads; the bodies' first words without a lead (the, end, today, tonight,
 * eod, cob, later, close, this, tomorrow, next, coming, a full weekday); a
 * month before its day ("March 14"). Everything else in the grammar comes
 * after one of these: a short weekday after this/next/coming, a clock time
 * after a lead, a duration after within/in. By first letter, then length. */
typedef struct start_word {
    unsigned char len;
    char w[10];
} start_word;
#define SW(s)                                                                                      \
    {                                                                                              \
        sizeof(s) - 1, s                                                                           \
    }
static const start_word START_A[] = {SW("at"),    SW("apr"),    SW("aug"),
                                     SW("april"), SW("august"), {0, ""}};
static const start_word START_B[] = {SW("by"), SW("before"), {0, ""}};
static const start_word START_C[] = {SW("cob"), SW("close"), SW("coming"), {0, ""}};
static const start_word START_D[] = {SW("dec"), SW("december"), {0, ""}};
static const start_word START_E[] = {SW("end"), SW("eod"), {0, ""}};
static const start_word START_F[] = {SW("feb"), SW("friday"), SW("february"), {0, ""}};
static const start_word START_I[] = {SW("in"), {0, ""}};
static const start_word START_J[] = {SW("jan"),  SW("jun"),     SW("jul"), SW("june"),
                                     SW("july"), SW("january"), {0, ""}};
static const start_word START_L[] = {SW("later"), {0, ""}};
static const start_word START_M[] = {SW("may"), SW("mar"), SW("march"), SW("monday"), {0, ""}};
static const start_word START_N[] = {SW("no"), SW("nov"), SW("next"), SW("november"), {0, ""}};
static const start_word START_O[] = {SW("on"), SW("oct"), SW("october"), {0, ""}};
static const start_word START_S[] = {
    SW("sep"), SW("sunday"), SW("saturday"), SW("september"), {0, ""}};
static const start_word START_T[] = {SW("the"),      SW("this"),     SW("till"),
                                     SW("today"),    SW("tonight"),  SW("tuesday"),
                                     SW("tomorrow"), SW("thursday"), {0, ""}};
static const start_word START_U[] = {SW("until"), {0, ""}};
static const start_word START_W[] = {SW("within"), SW("wednesday"), {0, ""}};
#undef SW
static const start_word *const START[26] = {
    ['a' - 'a'] = START_A, ['b' - 'a'] = START_B, ['c' - 'a'] = START_C, ['d' - 'a'] = START_D,
    ['e' - 'a'] = START_E, ['f' - 'a'] = START_F, ['i' - 'a'] = START_I, ['j' - 'a'] = START_J,
    ['l' - 'a'] = START_L, ['m' - 'a'] = START_M, ['n' - 'a'] = START_N, ['o' - 'a'] = START_O,
    ['s' - 'a'] = START_S, ['t' - 'a'] = START_T, ['u' - 'a'] = START_U, ['w' - 'a'] = START_W};
#define START_MAX_LEN 9

/* Whether an expression can start at t: most tokens are words no rule
 * begins with, decided here without going through the rules. */
static int may_start(const heed_token *t)
{
    if (t->kind == HEED_TOK_DATE || t->kind == HEED_TOK_NUMBER)
        return 1;
    if (t->norm_len < 2 || t->norm_len > START_MAX_LEN)
        return 0;
    unsigned c = (unsigned char)t->norm[0] - 'a';
    const start_word *w = c < 26 ? START[c] : NULL;
    if (!w)
        return 0;
    for (; w->len; w++)
        if (w->len == t->norm_len && heed__mem_eq(w->w, t->norm, w->len))
            return 1;
    return 0;
}

const char *heed__timexpr_start_word(size_t k)
{
    for (size_t c = 0; c < 26; c++)
        for (const start_word *w = START[c]; w && w->len; w++)
            if (!k--)
                return w->w;
    return NULL;
}

static size_t match_at(const heed_token *toks, size_t i, size_t hi, const heed_timebase *tb,
                       heed_timexpr *out);

size_t heed__timexpr_at(const heed_token *toks, size_t i, size_t hi, const heed_timebase *tb,
                        heed_timexpr *out)
{
    if (i < hi && !may_start(&toks[i])) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return match_at(toks, i, hi, tb, out);
}

size_t heed__timexpr_match(const heed_token *toks, size_t i, size_t hi, const heed_timebase *tb,
                           heed_timexpr *out)
{
    return match_at(toks, i, hi, tb, out);
}

static size_t match_at(const heed_token *toks, size_t i, size_t hi, const heed_timebase *tb,
                       heed_timexpr *out)
{
    memset(out, 0, sizeof *out);
    if (i >= hi || (toks[i].kind != HEED_TOK_WORD && toks[i].kind != HEED_TOK_TIME &&
                    toks[i].kind != HEED_TOK_DATE && toks[i].kind != HEED_TOK_NUMBER))
        return 0;
    int64_t local = tb->has_time ? tb->time + (int64_t)tb->tz_offset_min * 60 : 0;
    int64_t today = floor_div(local, 86400);
    long now_sec = (long)(local - today * 86400);
    int dow = (int)((today % 7 + 7 + 3) % 7); /* 0 = Monday; 1970-01-01 was a Thursday */
    int64_t ty; /* today's civil date: made where a rule reads it (most tokens
                 * start no time expression) */
    int tm, td;

    size_t p = i;
    int lead = 0; /* 'b' by/before/until, 'o' on/at, 'w' within/in */
    if (w_at(toks, p, hi, "by") || w_at(toks, p, hi, "before") || w_at(toks, p, hi, "until") ||
        w_at(toks, p, hi, "till")) {
        lead = 'b';
        p++;
    } else if (w_at(toks, p, hi, "no") && w_at(toks, p + 1, hi, "later") &&
               w_at(toks, p + 2, hi, "than")) {
        lead = 'b';
        p += 3;
    } else if (w_at(toks, p, hi, "on") || w_at(toks, p, hi, "at")) {
        lead = 'o';
        p++;
    } else if (w_at(toks, p, hi, "within") || w_at(toks, p, hi, "in")) {
        lead = 'w';
        p++;
    }
    parse ps = {K_NONE, 0, 86399, 0};
    int forward = lead == 'b' || lead == 'w';
    size_t q = p; /* end of the body */
    int k;
    if (w_at(toks, q, hi, "the") && w_at(toks, q + 1, hi, "end") && w_at(toks, q + 2, hi, "of"))
        q += 3;
    else if (w_at(toks, q, hi, "end") && w_at(toks, q + 1, hi, "of"))
        q += 2;
    int end_of = q != p;
    if (end_of) {
        int this_ = w_at(toks, q, hi, "the") || w_at(toks, q, hi, "this");
        int next = w_at(toks, q, hi, "next");
        if (w_at(toks, q, hi, "today") || w_at(toks, q, hi, "tomorrow")) {
            ps.kind = K_DAY;
            ps.day = today + w_at(toks, q, hi, "tomorrow");
            q++;
        } else if ((this_ || next) && w_at(toks, q + 1, hi, "day") && !next) {
            ps.kind = K_DAY;
            ps.day = today;
            q += 2;
        } else if (w_at(toks, q, hi, "day")) {
            ps.kind = K_DAY;
            ps.day = today;
            q++;
        } else if ((this_ || next) && w_at(toks, q + 1, hi, "week")) {
            ps.kind = K_DAY;
            ps.day =
                next ? today + (7 - dow) + 4 : (dow <= 4 ? today + (4 - dow) : today + (6 - dow));
            q += 2;
        } else if ((this_ || next) && w_at(toks, q + 1, hi, "month")) {
            heed__civil_from_days(today, &ty, &tm, &td);
            int64_t y = ty;
            int m = tm + next;
            if (m > 12) {
                m = 1;
                y++;
            }
            ps.kind = K_DAY;
            ps.day = heed__days_from_civil(y, m, days_in_month(y, m));
            q += 2;
        } else {
            return 0;
        }
        forward = 1;
    } else if (w_at(toks, q, hi, "today") || w_at(toks, q, hi, "tonight") ||
               w_at(toks, q, hi, "eod") || w_at(toks, q, hi, "cob")) {
        ps.kind = K_DAY;
        ps.day = today;
        forward |= w_at(toks, q, hi, "eod") || w_at(toks, q, hi, "cob");
        q++;
    } else if (w_at(toks, q, hi, "later") && w_at(toks, q + 1, hi, "today")) {
        ps.kind = K_DAY;
        ps.day = today;
        forward = 1;
        q += 2;
    } else if (w_at(toks, q, hi, "close") && w_at(toks, q + 1, hi, "of") &&
               w_at(toks, q + 2, hi, "business")) {
        ps.kind = K_DAY;
        ps.day = today;
        ps.sec = 17 * 3600;
        forward = 1;
        q += 3;
    } else if (w_at(toks, q, hi, "this") &&
               (w_at(toks, q + 1, hi, "morning") || w_at(toks, q + 1, hi, "afternoon") ||
                w_at(toks, q + 1, hi, "evening"))) {
        ps.kind = K_DAY;
        ps.day = today;
        ps.sec = w_at(toks, q + 1, hi, "morning")     ? 12 * 3600 - 1
                 : w_at(toks, q + 1, hi, "afternoon") ? 18 * 3600 - 1
                                                      : 86399;
        q += 2;
    } else if (w_at(toks, q, hi, "tomorrow")) {
        ps.kind = K_DAY;
        ps.day = today + 1;
        forward = 1;
        q++;
        if (w_at(toks, q, hi, "morning")) {
            ps.sec = 12 * 3600 - 1;
            q++;
        } else if (w_at(toks, q, hi, "afternoon")) {
            ps.sec = 18 * 3600 - 1;
            q++;
        } else if (w_at(toks, q, hi, "evening") || w_at(toks, q, hi, "night")) {
            q++;
        }
    } else if ((w_at(toks, q, hi, "next") || w_at(toks, q, hi, "this") ||
                w_at(toks, q, hi, "coming")) &&
               (w_at(toks, q + 1, hi, "week") || w_at(toks, q + 1, hi, "month"))) {
        int next = !w_at(toks, q, hi, "this");
        if (!next && lead != 'b')
            return 0; /* "for this month" is no deadline; "by this week" is */
        ps.kind = K_DAY;
        if (w_at(toks, q + 1, hi, "week")) {
            ps.day =
                next ? today + (7 - dow) + 6 : (dow <= 4 ? today + (4 - dow) : today + (6 - dow));
        } else {
            heed__civil_from_days(today, &ty, &tm, &td);
            int64_t y = ty;
            int m = tm + next;
            if (m > 12) {
                m = 1;
                y++;
            }
            ps.day = heed__days_from_civil(y, m, days_in_month(y, m));
        }
        forward = forward || next;
        q += 2;
    } else {
        int qual = 0; /* 't' this, 'n' next/coming */
        size_t r = q;
        if (w_at(toks, r, hi, "this")) {
            qual = 't';
            r++;
        } else if (w_at(toks, r, hi, "next") || w_at(toks, r, hi, "coming")) {
            qual = 'n';
            r++;
        }
        if ((k = list_at(toks, r, hi, WEEKDAYS)) >= 0 ||
            (r > q && (k = list_at(toks, r, hi, WEEKDAYS_SHORT)) >= 0)) {
            int delta = (k - dow + 7) % 7;
            if (!delta && !(lead == 'b' || qual == 't'))
                delta = 7;
            ps.kind = K_DAY;
            ps.day = today + delta;
            forward = forward || qual == 'n';
            q = r + 1;
        } else if (qual) {
            return 0;
        }
    }
    if (ps.kind == K_NONE) {
        /* dates: "the 14th [of March]", "14(th) March", "March 14(th)" */
        size_t r = q;
        if (w_at(toks, r, hi, "the"))
            r++;
        long dnum = -1;
        int month = -1;
        size_t r2 = r;
        if (r < hi && (toks[r].kind == HEED_TOK_DATE || toks[r].kind == HEED_TOK_NUMBER) &&
            toks[r].norm_len <= 4) {
            const heed_token *t = &toks[r];
            long v = 0;
            uint32_t d = 0;
            while (d < t->norm_len && t->norm[d] >= '0' && t->norm[d] <= '9')
                v = v * 10 + (t->norm[d++] - '0');
            int ord = d < t->norm_len;
            if (d && v >= 1 && v <= 31 &&
                (!ord || (t->norm_len - d == 2 && strchr("snrt", t->norm[d])))) {
                size_t s = r + 1;
                if (w_at(toks, s, hi, "of"))
                    s++;
                if ((month = list_at(toks, s, hi, MONTHS)) >= 0 ||
                    (month = list_at(toks, s, hi, MONTHS_SHORT)) >= 0) {
                    dnum = v;
                    r2 = s + 1;
                } else if (ord && (lead == 'b' || lead == 'o' || r > q)) {
                    dnum = v; /* "by the 14th" */
                    r2 = r + 1;
                }
            }
        } else if (r == q &&
                   ((month = list_at(toks, r, hi, MONTHS)) >= 0 ||
                    (month = list_at(toks, r, hi, MONTHS_SHORT)) >= 0) &&
                   r + 1 < hi &&
                   (toks[r + 1].kind == HEED_TOK_DATE || toks[r + 1].kind == HEED_TOK_NUMBER)) {
            long v = 0;
            uint32_t d = 0;
            const heed_token *t = &toks[r + 1];
            /* past 31 it is no day of a month: stop before a long run of
             * digits overflows */
            while (d < t->norm_len && t->norm[d] >= '0' && t->norm[d] <= '9' && v <= 31)
                v = v * 10 + (t->norm[d++] - '0');
            if (d && v >= 1 && v <= 31 && (month != 4 || lead)) {
                dnum = v;
                r2 = r + 2;
            }
        }
        if (dnum > 0) {
            heed__civil_from_days(today, &ty, &tm, &td);
            int64_t y = ty;
            int m = tm;
            if (month >= 0) {
                m = month + 1;
                if (m < tm || (m == tm && dnum < td))
                    y++;
                if (dnum > days_in_month(y, m))
                    return 0;
            } else {
                if (dnum < td) {
                    m++;
                    if (m > 12) {
                        m = 1;
                        y++;
                    }
                }
                while (dnum > days_in_month(y, m)) { /* the next month that has it */
                    m++;
                    if (m > 12) {
                        m = 1;
                        y++;
                    }
                }
            }
            ps.kind = K_DAY;
            ps.day = heed__days_from_civil(y, m, (int)dnum);
            q = r2;
        }
    }
    if (ps.kind == K_NONE && lead == 'w') {
        /* durations: [the next] N[-M | to M] [working|business] unit */
        size_t r = q;
        if (w_at(toks, r, hi, "the") && w_at(toks, r + 1, hi, "next"))
            r += 2;
        else if (w_at(toks, r, hi, "next"))
            r++;
        long num = -1;
        int unit = 0, work = 0;
        if (r < hi && glued_duration(&toks[r], &num, &unit)) {
            r++;
        } else if (r > q && r < hi && unit_of(toks[r].norm, toks[r].norm_len)) {
            num = 1; /* "within the next hour" */
            unit = unit_of(toks[r].norm, toks[r].norm_len);
            r++;
        } else if (r < hi && (num = number_at(&toks[r])) >= 0) {
            r++;
            if (r + 1 < hi &&
                (is_w(&toks[r], "-") || is_w(&toks[r], "to") || is_w(&toks[r], "or"))) {
                long up = number_at(&toks[r + 1]);
                if (up >= num) {
                    num = up;
                    r += 2;
                }
            }
            if (w_at(toks, r, hi, "working") || w_at(toks, r, hi, "business")) {
                work = 1;
                r++;
            }
            if (r < hi)
                unit = unit_of(toks[r].norm, toks[r].norm_len);
            if (!unit || (work && unit != U_DAY))
                return 0;
            r++;
        } else {
            return 0;
        }
        if (num < 0 || num > 10000)
            return 0;
        if (unit == U_MIN || unit == U_HOUR) {
            ps.kind = K_SECONDS;
            ps.offset = (int64_t)num * unit;
        } else if (work) {
            int64_t d = today;
            for (long left = num; left > 0;) {
                d++;
                int wd = (int)((d % 7 + 7 + 3) % 7);
                if (wd < 5)
                    left--;
            }
            ps.kind = K_DAY;
            ps.day = d;
        } else {
            ps.kind = K_DAY;
            ps.day = today + (unit == U_WEEK ? 7 * num : num);
        }
        forward = 1;
        q = r;
    }
    if (ps.kind == K_NONE && (lead == 'b' || lead == 'o')) {
        long sec;
        size_t c = clock_at(toks, q, hi, &sec);
        if (!c)
            return 0;
        ps.kind = K_DAY;
        ps.day = sec > now_sec ? today : today + 1;
        ps.sec = sec;
        q += c;
        forward = lead == 'b' || sec > now_sec;
    } else if (ps.kind == K_DAY && !end_of) {
        long sec;
        size_t c = trailing_clock(toks, q, hi, &sec);
        if (c) {
            ps.sec = sec;
            q += c;
        }
    }
    if (ps.kind == K_NONE || q == p)
        return 0;
    out->first = i;
    out->n = q - i;
    out->forward = forward;
    if (tb->has_time) {
        out->has_due = 1;
        out->due = ps.kind == K_SECONDS ? tb->time + ps.offset
                                        : ps.day * 86400 + ps.sec - (int64_t)tb->tz_offset_min * 60;
    }
    return out->n;
}
