/* jsonout.h - writes analysis results as JSON (schema in docs/schema.md) into a
 * heed_buf. Our own writer: output is the hot path and needs no DOM. */
#ifndef HEED_JSONOUT_H
#define HEED_JSONOUT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "heed/heed.h"

/* Appends s[0..n) as a JSON string literal (quotes included). s must be valid
 * UTF-8; control characters, quotes and backslashes are escaped, and U+2028/9
 * too so the output is also valid JavaScript. */
void heed_json_string(heed_buf *b, const char *s, size_t n);

/* Appends an unsigned integer. */
void heed_json_uint(heed_buf *b, uint64_t v);

/* Writes v in decimal at p, unchecked, for a writer that has made room
 * (heed__buf_reserve) for HEED_JSON_UINT_ROOM bytes: up to 20 digits, and
 * bytes past them may be overwritten. Returns the position after the
 * digits. */
#define HEED_JSON_UINT_ROOM 24
char *heed__json_raw_uint(char *p, uint64_t v);

/* Appends a number with up to 4 decimals ("0.4213", "-1", "0"). */
void heed_json_number(heed_buf *b, double v);

/* What heed_json_result includes beyond the scores. */
typedef struct heed_json_opts {
    int tokens; /* the token list */
    int text;   /* the analysed text */
} heed_json_opts;

/* Stress bands (docs/stress.md): calm < 30 <= watch < 50 <= high < 70 <= act now. */
#define HEED_STRESS_WATCH   30.0
#define HEED_STRESS_HIGH    50.0
#define HEED_STRESS_ACT_NOW 70.0

/* The names the output uses, by index (HEED_EMO_*, HEED_CX_*, HEED_STRESS_*,
 * HEED_NEED_*). */
extern const char *const heed_json_emo_names[HEED_EMO_COUNT];
extern const char *const heed_json_cx_names[HEED_CX_COUNT];
extern const char *const heed_json_stress_names[HEED_STRESS_COUNT];
extern const char *const heed_json_need_names[HEED_NEED_COUNT];
extern const char *const heed_json_empathy_names[HEED_EMPATHY_COUNT];
extern const char *const heed_json_comp_names[HEED_COMP_COUNT];
extern const char *const heed_json_promise_names[HEED_PROMISE_COUNT];
extern const char *const heed_json_addr_names[HEED_ADDR_COUNT];
extern const char *const heed_json_level_names[3]; /* "none", "weak", "strong" */

/* Appends a Unix time as a JSON string "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void heed_json_time(heed_buf *b, int64_t t);

/* "calm", "watch", "high" or "act_now". */
const char *heed_json_stress_band(double score);

/* round(v) (halves away from zero, the sign of v, NaN and the infinities as
 * they are) without the library call: the scores written as whole numbers
 * (stress and its components, compassion). */
static inline double heed_json_round(double v)
{
    if (v > 0 && v < 4503599627370496.0) {   /* 2^52: positive scores, one test */
        const double t = (double)(int64_t)v; /* toward zero; v - t is exact */
        return t + (double)(v - t >= 0.5);
    }
    if (!(fabs(v) < 4503599627370496.0)) /* whole already, or NaN */
        return v;
    double t = (double)(int64_t)v;
    if (v - t <= -0.5)
        t -= 1.0;
    return copysign(t, v); /* -0.4 and -0: -0 */
}

/* Appends the analysis members (no braces): "valence":...,"positive":...,
 * "negative":...,"sentences":[...],"evidence":[...], "language", then for
 * scored text "emotions" and "intensity" (when the engine has those models),
 * "stress" and "needs" (or "unscored":true), and, when asked, "text", "tokens";
 * "reply" on an agent turn when a reply stage ran (empathy, compassion,
 * promises, familiar, addressed); "warnings" when there are any. */
void heed_json_result(heed_buf *b, const heed_result *r, const heed_json_opts *o);

/* Appends the reply checker's object (`heed check-reply --json`, the HTTP
 * API's POST /v1/check-reply) for a heed_check_reply result, with a final
 * newline: {"schema":..,"suggestions":[..],"draft":{..},"customer":{..}}. */
void heed_json_check_reply(heed_buf *b, const heed_result *r);

#endif
