/* timeparse.c - see timeparse.h. */
#include "timeparse.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads exactly `w` digits at s[*i]. */
static int digits(const char *s, size_t n, size_t *i, int w, int *out)
{
    int v = 0;
    for (int k = 0; k < w; k++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[(*i)++] - '0');
    }
    *out = v;
    return 0;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int heed_parse_time(const char *s, size_t n, int64_t *t, int *tz_min)
{
    while (n && (s[0] == ' ' || s[0] == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return -1;
    size_t i = 0;
    /* Unix seconds: all digits (and not a date) */
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == n && n <= 12) {
        int64_t v = 0;
        for (size_t k = 0; k < n; k++)
            v = v * 10 + (s[k] - '0');
        *t = v;
        *tz_min = 0;
        return 0;
    }
    i = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (digits(s, n, &i, 4, &y) || i >= n || s[i++] != '-' || digits(s, n, &i, 2, &mo) || i >= n ||
        s[i++] != '-' || digits(s, n, &i, 2, &d))
        return -1;
    static const int MDAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > MDAYS[mo - 1] + (mo == 2 && leap(y)))
        return -1;
    int off = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return -1;
        i++;
        if (digits(s, n, &i, 2, &h) || i >= n || s[i++] != ':' || digits(s, n, &i, 2, &mi))
            return -1;
        if (i < n && s[i] == ':') {
            i++;
            if (digits(s, n, &i, 2, &se))
                return -1;
            if (i < n && (s[i] == '.' || s[i] == ',')) { /* fraction: ignored */
                i++;
                size_t f0 = i;
                while (i < n && s[i] >= '0' && s[i] <= '9')
                    i++;
                if (i == f0)
                    return -1;
            }
        }
        if (h > 23 || mi > 59 || se > 60)
            return -1;
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
            if (digits(s, n, &i, 2, &oh))
                return -1;
            if (i < n && s[i] == ':')
                i++;
            if (i < n && digits(s, n, &i, 2, &om))
                return -1;
            if (oh > 23 || om > 59)
                return -1;
            off = sign * (oh * 60 + om);
        }
        if (i != n)
            return -1;
    }
    *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
    *tz_min = off;
    return 0;
}
