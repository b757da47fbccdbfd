/* www.c - serves the web dashboard's static files (src/server/www/, embedded
 * in the binary by the table CMake generates): GET / is index.html, GET
 * /ui/{file} the rest. No key is needed for them; the page asks for one and
 * sends it with its API calls. Every file carries an ETag (a hash of its
 * content made at build time) and is revalidated on each load, so a new binary
 * never leaves a browser with a stale script. */
#include <string.h>

#include "server_int.h"

static const heed_srv_file *find(const char *name)
{
    for (size_t i = 0; i < heed_srv_n_www; i++)
        if (!strcmp(heed_srv_www[i].name, name))
            return &heed_srv_www[i];
    return NULL;
}

/* 1 when an If-None-Match value lists etag (or is "*"). */
static int etag_matches(const char *inm, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = inm; *p; p++) {
        if (*p == '*')
            return 1;
        if (!strncmp(p, etag, n))
            return 1;
        if (!strncmp(p, "W/", 2) && !strncmp(p + 2, etag, n))
            return 1;
    }
    return 0;
}

void heed_srv_h_www(heed_srv_req *rq)
{
    const char *name = rq->params.n ? rq->params.value[0] : "index.html";
    const heed_srv_file *f = find(name);
    if (!f) {
        heed_srv_error e;
        heed_srv_error_set(&e, 404, "not_found", NULL, "the dashboard has no file '%s'", name);
        heed_srv_reply_error(rq, &e);
        return;
    }
    rq->ctype = f->ctype;
    rq->etag = f->etag;
    rq->cache_control = "no-cache"; /* keep it, but revalidate each time */
    rq->is_page = 1;
    if (rq->if_none_match && etag_matches(rq->if_none_match, f->etag)) {
        rq->status = 304;
        return;
    }
    rq->status = 200;
    heed__buf_add(&rq->out, f->data, (size_t)(f->end - f->data));
}
