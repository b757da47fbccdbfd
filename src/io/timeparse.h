/* timeparse.h - reads the `time` field of a record: ISO 8601 / RFC 3339
 * ("2026-09-01T07:42:00Z", "2026-09-01 09:42:00+02:00", "2026-09-01") or Unix
 * seconds ("1788248520"). */
#ifndef HEED_TIMEPARSE_H
#define HEED_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parses s[0..n). On success returns 0 and sets *t (Unix seconds, UTC) and
 * *tz_min (the writer's UTC offset in minutes; 0 for "Z", Unix seconds and a
 * time with no offset, which is taken as UTC). Returns -1 when s is not a time
 * in one of the forms above (fields out of range included). */
int heed_parse_time(const char *s, size_t n, int64_t *t, int *tz_min);

#endif
