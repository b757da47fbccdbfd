/* jtime.h - calendar arithmetic shared by the journey modules: Unix seconds to
 * civil dates and ISO weeks, and short date phrases for the sentences the
 * journey layer writes. Pure functions, no time zone database: a fixed UTC
 * offset in minutes is all a caller can ask for. */
#ifndef HEED_JTIME_H
#define HEED_JTIME_H

#include <stddef.h>
#include <stdint.h>

#define HEED_DAY_S 86400

/* Floor division of t by d (d > 0), correct for negative t. */
int64_t heed__floor_div(int64_t t, int64_t d);


/* ISO 8601 week of a day number: *iso_year and *week (1..53). */
void heed__iso_week(int64_t days, int *iso_year, int *week);

/* Writes "2 Sep" (with_time: "2 Sep 14:05") for t shifted by tz_offset_min
 * into buf (NUL-terminated, truncated to cap). */
void heed__fmt_day(char *buf, size_t cap, int64_t t, int tz_offset_min, int with_time);

/* Writes a rounded span: "45 min", "26 h", "3 days". */
void heed__fmt_span(char *buf, size_t cap, int64_t seconds);

#endif
