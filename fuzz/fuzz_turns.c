/* fuzz_turns.c - fuzz target for what `heed analyze` reads per turn: the time
 * parser (any bytes; a success must be a time that formats back to a date
 * the parser accepts) and the turn context (a script of customer and agent
 * turns in a few conversations; every answer must be one of the texts given,
 * joined, and never longer than the bound). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t t;
    int tz;
    if (heed_parse_time((const char *)data, size, &t, &tz) == 0) {
        if (tz < -24 * 60 || tz > 24 * 60)
            abort();
        /* the UTC form of a parsed time parses back to the same instant */
        time_t tt = (time_t)t;
        struct tm tm;
        char s[40];
        if (gmtime_r(&tt, &tm) && tm.tm_year + 1900 >= 0 && tm.tm_year + 1900 <= 9999) {
            snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
            int64_t t2;
            int tz2;
            if (heed_parse_time(s, strlen(s), &t2, &tz2) != 0 || t2 != t || tz2 != 0)
                abort();
        }
    }
    /* script: byte 0 of each step: bit 0 agent/customer, bits 1-2 conversation,
     * bits 3-7 text length */
    heed_context *c = heed_context_new();
    if (!c)
        return 0;
    size_t i = 0;
    while (i < size) {
        unsigned op = data[i++];
        char conv[2] = {(char)('a' + ((op >> 1) & 3)), 0};
        size_t len = op >> 3;
        if (len > size - i)
            len = size - i;
        if (op & 1) {
            const char *txt;
            size_t n;
            heed_context_agent(c, conv, 1, &txt, &n);
            if (n > HEED_CONTEXT_MAX || (n && !txt))
                abort();
        } else if (heed_context_customer(c, conv, 1, (const char *)data + i, len)) {
            break; /* out of memory */
        }
        i += len;
    }
    heed_context_free(c);
    return 0;
}
