/* httpout.h - the small HTTP/1.1 client the webhooks post with: plain http://
 * over POSIX sockets, one request per connection, the status line read back.
 * No TLS: an https endpoint needs a relay in front (docs/api.md, "Webhooks"). */
#ifndef HEED_HTTPOUT_H
#define HEED_HTTPOUT_H

#include <stddef.h>

#define HEED_HTTPOUT_HOST_MAX 255
#define HEED_HTTPOUT_PATH_MAX 2048
#define HEED_HTTPOUT_URL_MAX 2300

typedef struct heed_httpout_url {
    char host[HEED_HTTPOUT_HOST_MAX + 1]; /* without IPv6 brackets */
    char port[6];
    char path[HEED_HTTPOUT_PATH_MAX + 1]; /* "/" when the URL has none */
    int is_v6_literal;
} heed_httpout_url;

/* Parses "http://HOST[:PORT][/PATH]". 0, or -1 with msg saying what is wrong
 * (https, another scheme, user info, bad port, too long). */
int heed_httpout_parse(const char *url, heed_httpout_url *u, char *msg, size_t cap);

/* 1 when every address the host resolves to is a loopback address, 0 when one
 * is not, -1 (msg set) when it does not resolve. */
int heed_httpout_is_loopback(const heed_httpout_url *u, char *msg, size_t cap);

/* POSTs body to u with the extra header lines (each "Name: value", no CRLF),
 * waiting at most timeout_ms to connect and as long for each read and write.
 * Returns 0 with *status the answer's HTTP status, or -1 with msg saying why
 * no status came (refused, timed out, not HTTP). */
int heed_httpout_post(const heed_httpout_url *u, const char *const *headers, size_t n_headers,
                      const char *body, size_t len, int timeout_ms, int *status, char *msg,
                      size_t cap);

#endif
