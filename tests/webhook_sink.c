/* webhook_sink.c - a loopback HTTP receiver for tests/cli/test_webhooks.sh.
 *   webhook_sink serve PORTFILE DIR [STATUS,...]: listens on 127.0.0.1 (a free
 *     port, written to PORTFILE), answers request i with the i-th STATUS (200
 *     once the list is used up) and writes its head to DIR/N.head and its body
 *     to DIR/N.body (N from 1). Verifies nothing. Runs until killed.
 *   webhook_sink sign SECRET TIMESTAMP BODYFILE: prints sha256=<hex
 *     HMAC-SHA256(SECRET, TIMESTAMP "." body)>, to check a signature. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *n = len;
    return b;
}

static int sign(const char *secret, const char *ts, const char *path)
{
    size_t n;
    char *body = slurp(path, &n);
    if (!body || sodium_init() < 0)
        return 1;
    crypto_auth_hmacsha256_state s;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[65];
    crypto_auth_hmacsha256_init(&s, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&s, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&s, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&s, (const unsigned char *)body, n);
    crypto_auth_hmacsha256_final(&s, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    printf("sha256=%s\n", hex);
    free(body);
    return 0;
}

static void save(const char *dir, int n, const char *ext, const char *p, size_t len)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/.%d.%s", dir, n, ext);
    snprintf(path, sizeof path, "%s/%d.%s", dir, n, ext);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return;
    fwrite(p, 1, len, f);
    fclose(f);
    rename(tmp, path);
}

static int serve(const char *portfile, const char *dir, const char *statuses)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 16) ||
        getsockname(fd, (struct sockaddr *)&a, &al))
        return 1;
    FILE *pf = fopen(portfile, "w");
    if (!pf)
        return 1;
    fprintf(pf, "%d\n", ntohs(a.sin_port));
    fclose(pf);
    const char *st = statuses ? statuses : "";
    static char buf[1 << 20];
    for (int n = 1;; n++) {
        int c = accept(fd, NULL, NULL);
        if (c < 0)
            continue;
        size_t got = 0, head = 0, want = 0;
        for (;;) {
            ssize_t r = recv(c, buf + got, sizeof buf - 1 - got, 0);
            if (r <= 0)
                break;
            got += (size_t)r;
            buf[got] = 0;
            if (!head) {
                char *e = strstr(buf, "\r\n\r\n");
                if (!e)
                    continue;
                head = (size_t)(e - buf) + 4;
                const char *cl = strstr(buf, "Content-Length: ");
                want = cl ? strtoul(cl + 16, NULL, 10) : 0;
            }
            if (got >= head + want)
                break;
        }
        int code = 200;
        if (*st) {
            code = atoi(st);
            st += strcspn(st, ",");
            st += *st == ',';
        }
        save(dir, n, "body", buf + head, got > head ? got - head : 0);
        save(dir, n, "head", buf, head);
        char ans[128];
        int l = snprintf(ans, sizeof ans,
                         "HTTP/1.1 %d Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                         code);
        if (send(c, ans, (size_t)l, 0) < 0)
            perror("send");
        close(c);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "serve"))
        return serve(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
    if (argc == 5 && !strcmp(argv[1], "sign"))
        return sign(argv[2], argv[3], argv[4]);
    fputs("usage: webhook_sink serve PORTFILE DIR [STATUS,...] | sign SECRET TS BODYFILE\n",
          stderr);
    return 2;
}
