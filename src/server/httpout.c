/* httpout.c - a minimal HTTP/1.1 POST over POSIX sockets for the webhooks
 * (httpout.h): connect with a timeout, send the request, read the status line
 * and close. The answer's body is not read. */
#include "httpout.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"

#define STATUS_LINE_MAX 512

int heed_httpout_parse(const char *url, heed_httpout_url *u, char *msg, size_t cap)
{
    memset(u, 0, sizeof *u);
    if (!url || strlen(url) > HEED_HTTPOUT_URL_MAX) {
        snprintf(msg, cap, "the URL is missing or longer than %d bytes", HEED_HTTPOUT_URL_MAX);
        return -1;
    }
    if (!strncmp(url, "https://", 8)) {
        snprintf(msg, cap, "https is not supported (heed has no TLS client): give an http:// "
                            "URL of a relay that forwards to the https endpoint");
        return -1;
    }
    if (strncmp(url, "http://", 7)) {
        snprintf(msg, cap, "the URL must start with http://");
        return -1;
    }
    const char *h = url + 7, *end = h + strcspn(h, "/?#");
    const char *hs = h, *he;
    const char *port = NULL;
    if (memchr(h, '@', (size_t)(end - h))) {
        snprintf(msg, cap, "user names or passwords in the URL are not supported");
        return -1;
    }
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(end - h));
        if (!rb) {
            snprintf(msg, cap, "an IPv6 address must end with ]");
            return -1;
        }
        hs = h + 1;
        he = rb;
        u->is_v6_literal = 1;
        if (rb + 1 < end) {
            if (rb[1] != ':') {
                snprintf(msg, cap, "bad characters after the IPv6 address");
                return -1;
            }
            port = rb + 2;
        }
    } else {
        const char *colon = memchr(h, ':', (size_t)(end - h));
        he = colon ? colon : end;
        port = colon ? colon + 1 : NULL;
    }
    if (he == hs || (size_t)(he - hs) > HEED_HTTPOUT_HOST_MAX) {
        snprintf(msg, cap, "the URL has no host");
        return -1;
    }
    memcpy(u->host, hs, (size_t)(he - hs));
    if (port) {
        size_t n = (size_t)(end - port);
        long p = 0;
        for (size_t i = 0; i < n; i++) {
            if (port[i] < '0' || port[i] > '9' || p > 65535) {
                p = -1;
                break;
            }
            p = p * 10 + (port[i] - '0');
        }
        if (!n || p < 1 || p > 65535) {
            snprintf(msg, cap, "the port must be a number from 1 to 65535");
            return -1;
        }
        snprintf(u->port, sizeof u->port, "%ld", p);
    } else {
        snprintf(u->port, sizeof u->port, "80");
    }
    const char *path = end;
    size_t plen = strcspn(path, "#");
    if (plen > HEED_HTTPOUT_PATH_MAX) {
        snprintf(msg, cap, "the path is too long");
        return -1;
    }
    if (!plen || path[0] != '/') {
        u->path[0] = '/';
        memcpy(u->path + 1, path, plen < HEED_HTTPOUT_PATH_MAX ? plen : HEED_HTTPOUT_PATH_MAX - 1);
    } else {
        memcpy(u->path, path, plen);
    }
    for (const char *c = u->path; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f) {
            snprintf(msg, cap, "the path has a space or a control character");
            return -1;
        }
    return 0;
}

static int resolve(const heed_httpout_url *u, struct addrinfo **out, char *msg, size_t cap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int r = getaddrinfo(u->host, u->port, &hints, out);
    if (r) {
        snprintf(msg, cap, "cannot resolve %s: %s", u->host, gai_strerror(r));
        return -1;
    }
    return 0;
}

int heed_httpout_is_loopback(const heed_httpout_url *u, char *msg, size_t cap)
{
    struct addrinfo *ai = NULL;
    if (resolve(u, &ai, msg, cap))
        return -1;
    int all = 1;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            const struct sockaddr_in *s = (const struct sockaddr_in *)(const void *)a->ai_addr;
            if ((ntohl(s->sin_addr.s_addr) >> 24) != 127)
                all = 0;
        } else if (a->ai_family == AF_INET6) {
            const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)(const void *)a->ai_addr;
            if (!IN6_IS_ADDR_LOOPBACK(&s->sin6_addr))
                all = 0;
        } else {
            all = 0;
        }
    }
    freeaddrinfo(ai);
    return all;
}

/* Connects to one address within timeout_ms; the socket, or -1 with errno. */
static int connect_one(const struct addrinfo *a, int timeout_ms)
{
    int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (connect(fd, a->ai_addr, a->ai_addrlen) && errno != EINPROGRESS)
        goto fail;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0) {
        errno = r == 0 ? ETIMEDOUT : errno;
        goto fail;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
        errno = soerr ? soerr : errno;
        goto fail;
    }
    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
fail:;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int heed_httpout_post(const heed_httpout_url *u, const char *const *headers, size_t n_headers,
                      const char *body, size_t len, int timeout_ms, int *status, char *msg,
                      size_t cap)
{
    *status = 0;
    struct addrinfo *ai = NULL;
    if (resolve(u, &ai, msg, cap))
        return -1;
    int fd = -1, e = 0;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = connect_one(a, timeout_ms);
        if (fd < 0)
            e = errno;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        snprintf(msg, cap, "cannot connect to %s:%s: %s", u->host, u->port, strerror(e));
        return -1;
    }
    heed_buf req;
    heed__buf_init(&req, 0);
    int dflt = !strcmp(u->port, "80");
    heed__buf_printf(&req, "POST %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n", u->path,
                     u->is_v6_literal ? "[" : "", u->host, u->is_v6_literal ? "]" : "",
                     dflt ? "" : ":", dflt ? "" : u->port);
    heed__buf_printf(&req,
                     "User-Agent: heed-webhook\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n",
                     len);
    for (size_t i = 0; i < n_headers; i++)
        heed__buf_printf(&req, "%s\r\n", headers[i]);
    heed__buf_adds(&req, "\r\n");
    heed__buf_add(&req, body, len);
    int rc = -1;
    if (req.err) {
        snprintf(msg, cap, "out of memory");
        goto out;
    }
    if (send_all(fd, req.ptr, req.len)) {
        snprintf(msg, cap, "sending failed: %s", strerror(errno));
        goto out;
    }
    char line[STATUS_LINE_MAX + 1];
    size_t got = 0;
    while (got < STATUS_LINE_MAX && !memchr(line, '\n', got)) {
        ssize_t r = recv(fd, line + got, STATUS_LINE_MAX - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(msg, cap, "no answer: %s",
                     errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    line[got] = 0;
    int code = 0;
    if (strncmp(line, "HTTP/1.", 7) || sscanf(line + 8, " %3d", &code) != 1 || code < 100 ||
        code > 599) {
        snprintf(msg, cap, got ? "the answer is not HTTP" : "the connection closed unanswered");
        goto out;
    }
    *status = code;
    rc = 0;
out:
    heed__buf_release(&req);
    close(fd);
    return rc;
}
