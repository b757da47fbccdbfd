/* fuzz_mail.c - fuzz target for the mail readers: the input is parsed as one
 * mail (both UTF-8 modes) with its body stripped, then read as an mbox with a
 * small size limit taken from its first byte, each mail parsed and threaded
 * twice: with every id in memory, and with the ids moved to a map at every
 * mail (the keys must be the same). Contract violations abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heed/heed.h"
#include "mail.h"

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

static void check_text(heed_view v)
{
    if (v.ptr)
        CHECK(heed_utf8_validate(v.ptr, v.len, NULL) == HEED_OK);
}

static int message_ok(const heed_error *e)
{
    const char *end = memchr(e->msg, '\0', sizeof e->msg);
    return end && end > e->msg;
}

/* The threader's map: ids and roots (NUL bytes and all), looked through in
 * turn. */
typedef struct amap {
    heed_view *id, *root;
    size_t n, cap;
} amap;

static int amap_get(void *ctx, heed_view id, heed_view *root, heed_error *err)
{
    (void)err;
    const amap *m = ctx;
    for (size_t i = 0; i < m->n; i++)
        if (m->id[i].len == id.len && !memcmp(m->id[i].ptr, id.ptr, id.len)) {
            *root = m->root[i];
            return 1;
        }
    return 0;
}

static heed_view copy(heed_view v)
{
    char *p = malloc(v.len + 1);
    CHECK(p != NULL);
    memcpy(p, v.ptr, v.len);
    return (heed_view){p, v.len};
}

static int amap_put(void *ctx, heed_view id, heed_view root, heed_error *err)
{
    (void)err;
    amap *m = ctx;
    heed_view had;
    CHECK(amap_get(m, id, &had, NULL) == 0); /* only ids it does not hold */
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->id = realloc(m->id, m->cap * sizeof *m->id);
        m->root = realloc(m->root, m->cap * sizeof *m->root);
        CHECK(m->id && m->root);
    }
    m->id[m->n] = copy(id);
    m->root[m->n] = copy(root);
    m->n++;
    return HEED_OK;
}

static void amap_free(amap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free((char *)m->id[i].ptr);
        free((char *)m->root[i].ptr);
    }
    free(m->id);
    free(m->root);
}

/* Parses one mail and checks the result; threads it when t is not NULL (and
 * with t2, whose key must be the same). */
static void parse_one(const char *raw, size_t len, unsigned flags, heed_mail_threader *t,
                      heed_mail_threader *t2)
{
    heed_mail m;
    heed_mail_init(&m, flags);
    heed_error err;
    memset(&err, 0, sizeof err);
    const int rc = heed_mail_parse(raw, len, &m, &err);
    CHECK(rc == HEED_OK || rc == HEED_EPARSE || rc == HEED_EUTF8 || rc == HEED_ETOOBIG);
    if (rc != HEED_OK) {
        CHECK(err.code == rc && message_ok(&err));
        CHECK(!(flags & HEED_MAIL_REPLACE_UTF8) || rc != HEED_EUTF8);
        heed_mail_release(&m);
        return;
    }
    check_text(m.message_id);
    check_text(m.in_reply_to);
    check_text(m.from_addr);
    check_text(m.from_name);
    check_text(m.to_addr);
    check_text(m.subject);
    for (size_t i = 0; i < m.n_references; i++)
        CHECK(m.references[i].ptr != NULL);
    CHECK(m.body.ptr != NULL);
    check_text(m.body);
    char *out = malloc(m.body.len + 1);
    CHECK(out != NULL);
    const size_t k = heed_mail_strip_quoted(m.body.ptr, m.body.len, out);
    CHECK(k <= m.body.len);
    check_text((heed_view){out, k});
    /* stripping is idempotent in place */
    const size_t k2 = heed_mail_strip_quoted(out, k, out);
    CHECK(k2 <= k);
    free(out);
    if (t) {
        heed_view key, key2;
        CHECK(heed_mail_thread_key(t, &m, &key, &err) == HEED_OK);
        CHECK(key.ptr != NULL && key.len > 0);
        CHECK(heed_mail_thread_key(t2, &m, &key2, &err) == HEED_OK);
        CHECK(key2.len == key.len && !memcmp(key2.ptr, key.ptr, key.len));
    }
    heed_mail_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_one((const char *)data, size, 0, NULL, NULL);
    parse_one((const char *)data, size, HEED_MAIL_REPLACE_UTF8, NULL, NULL);

    FILE *f = fmemopen((void *)data, size ? size : 1, "r");
    if (!f)
        return 0;
    if (!size)
        fgetc(f);
    const size_t max = size && data[0] < 64 ? 16 + (size_t)data[0] * 8 : 0;
    heed_mbox *mb;
    heed_mail_threader *t, *t2;
    heed_error err;
    amap map = {0};
    const heed_mail_idmap im = {&map, amap_get, amap_put};
    CHECK(heed_mbox_new(f, "fuzz", max, &mb, &err) == HEED_OK);
    CHECK(heed_mail_threader_new(&t, &err) == HEED_OK);
    CHECK(heed_mail_threader_new(&t2, &err) == HEED_OK);
    heed_mail_threader_spill(t2, &im, 1);
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    heed_view raw;
    size_t line, last = 0, n = 0;
    int rc;
    while ((rc = heed_mbox_next(mb, &raw, &line, &err)) != 0) {
        CHECK(rc == 1 || rc == HEED_ETOOBIG);
        CHECK(n++ <= size);
        CHECK(line > last && line <= lines);
        last = line;
        CHECK(raw.ptr != NULL && raw.len <= size + n);
        if (rc == 1)
            parse_one(raw.ptr, raw.len, HEED_MAIL_REPLACE_UTF8, t, t2);
        else
            CHECK(message_ok(&err) && (!max || raw.len <= max));
    }
    CHECK(heed_mbox_next(mb, &raw, &line, &err) == 0);
    heed_mail_threader_free(t);
    heed_mail_threader_free(t2);
    amap_free(&map);
    heed_mbox_free(mb);
    fclose(f);
    return 0;
}
