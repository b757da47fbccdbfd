/* jtime.c - civil dates, ISO weeks and date phrases for the journey layer
 * (the civil date arithmetic is the core's, timexpr.h). */
#include "jtime.h"

#include <stdio.h>

#include "timexpr.h" /* the civil date helpers of the core */

int64_t heed__floor_div(int64_t t, int64_t d)
{
    int64_t q = t / d;
    if ((t % d != 0) && ((t < 0) != (d < 0)))
        q--;
    return q;
}

void heed__iso_week(int64_t days, int *iso_year, int *week)
{
    /* 1970-01-01 was a Thursday; ISO weekday 1 = Monday .. 7 = Sunday. */
    int64_t monday = days - (days + 3 - heed__floor_div(days + 3, 7) * 7);
    int64_t thursday = monday + 3;
    int64_t y;
    int m, d;
    heed__civil_from_days(thursday, &y, &m, &d);
    *iso_year = (int)y;
    *week = (int)((thursday - heed__days_from_civil(y, 1, 1)) / 7 + 1);
}

void heed__fmt_day(char *buf, size_t cap, int64_t t, int tz_offset_min, int with_time)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t local = t + (int64_t)tz_offset_min * 60;
    int64_t days = heed__floor_div(local, HEED_DAY_S);
    int64_t sec = local - days * HEED_DAY_S;
    int64_t y;
    int m, d;
    heed__civil_from_days(days, &y, &m, &d);
    (void)y;
    if (with_time)
        snprintf(buf, cap, "%d %s %02d:%02d", d, mon[m - 1], (int)(sec / 3600),
                 (int)(sec % 3600 / 60));
    else
        snprintf(buf, cap, "%d %s", d, mon[m - 1]);
}

void heed__fmt_span(char *buf, size_t cap, int64_t s)
{
    if (s < 0)
        s = -s;
    if (s < 3600)
        snprintf(buf, cap, "%d min", (int)((s + 30) / 60));
    else if (s < 2 * HEED_DAY_S)
        snprintf(buf, cap, "%d h", (int)((s + 1800) / 3600));
    else {
        int64_t days = (s + HEED_DAY_S / 2) / HEED_DAY_S;
        snprintf(buf, cap, "%lld days", (long long)days);
    }
}
