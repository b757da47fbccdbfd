/* webhooks.h - outgoing webhooks of `heed serve` (docs/api.md, "Webhooks"):
 * announcing customers who enter the act-now queue and promises that break,
 * signed, retried with backoff and logged, from a thread of their own so that
 * no request ever waits for a receiver. */
#ifndef HEED_WEBHOOKS_H
#define HEED_WEBHOOKS_H

#include <stddef.h>
#include <stdint.h>

/* An act-now score at or above this is "in the queue" for queue.entered. */
#define HEED_WH_QUEUE_SCORE 60.0
#define HEED_WH_ATTEMPTS 5            /* tries of one announcement before giving up */
#define HEED_WH_BACKOFF_MS 10000u     /* first retry delay; each next one is 3 times longer */
#define HEED_WH_INTERVAL_S 60u        /* detection also runs this often (promises break
                                       * by the passing of time) */
#define HEED_WH_TIMEOUT_MS 5000       /* to connect, and for each read and write */
#define HEED_WH_BATCH 50              /* deliveries taken per round */
#define HEED_WH_SECRET_LEN 64         /* characters of a generated secret (hex) */

#define HEED_WH_EVENT_QUEUE "queue.entered"
#define HEED_WH_EVENT_PROMISE "promise.broken"

/* A new webhook secret: 32 bytes of the system's random source as 64 hex
 * digits. 0, or -1 when there is no random source. */
int heed_wh_secret_generate(char out[HEED_WH_SECRET_LEN + 1]);

/* The signature header's value: "sha256=" and the hex HMAC-SHA256 with key
 * secret (its bytes as given) of timestamp "." body. */
#define HEED_WH_SIGNATURE_LEN (7 + 64)
void heed_wh_sign(const char *secret, const char *timestamp, const char *body, size_t len,
                  char out[HEED_WH_SIGNATURE_LEN + 1]);

/* The delay before retry number `retry` (1 = the first retry) with base ms. */
int64_t heed_wh_backoff_ms(unsigned base_ms, int retry);

#endif
