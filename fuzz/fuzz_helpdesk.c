/* fuzz_helpdesk.c - fuzz target for the helpdesk export reader: the input is
 * read as an export (one ticket per line, or a {"tickets": [...]} document)
 * with the default and a tiny document limit; every comment must keep the
 * reader's contract (codes, UTF-8 views, indexes). Violations abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heed/heed.h"
#include "helpdesk.h"

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

static void read_all(const uint8_t *data, size_t size, size_t max_doc)
{
    FILE *f = fmemopen((void *)data, size ? size : 1, "r");
    if (!f)
        return;
    if (!size)
        fgetc(f);
    heed_helpdesk *h = NULL;
    heed_error err;
    memset(&err, 0, sizeof err);
    int rc = heed_helpdesk_new(f, "fuzz", max_doc, &h, &err);
    if (rc != HEED_OK) {
        CHECK(h == NULL && message_ok(&err));
        CHECK(rc == HEED_ETOOBIG || rc == HEED_EPARSE || rc == HEED_EUTF8 || rc == HEED_EFIELD);
        fclose(f);
        return;
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    heed_hd_comment c;
    size_t n = 0;
    while ((rc = heed_helpdesk_next(h, &c, &err)) != 0) {
        CHECK(n++ <= size);
        CHECK(c.line <= lines);
        /* the rejects' text of the ticket: one line when there is one */
        heed_buf t;
        heed__buf_init(&t, 0);
        int tt = heed_helpdesk_ticket_text(h, &t);
        CHECK(tt >= 0);
        CHECK(!tt || (t.len && !memchr(t.ptr, '\n', t.len)));
        heed__buf_release(&t);
        if (rc < 0) {
            CHECK(rc == HEED_EPARSE || rc == HEED_EFIELD || rc == HEED_EUTF8 ||
                  rc == HEED_ETOOBIG);
            CHECK(err.code == rc && message_ok(&err));
            continue;
        }
        CHECK(rc == 1);
        CHECK(c.ticket_id.ptr && c.body.ptr && c.author_id.ptr);
        check_text(c.ticket_id);
        check_text(c.subject);
        check_text(c.status);
        check_text(c.channel);
        check_text(c.requester_name);
        check_text(c.requester_email);
        check_text(c.author_name);
        check_text(c.body);
        CHECK(c.role == HEED_ROLE_CUSTOMER || c.role == HEED_ROLE_AGENT ||
              c.role == HEED_ROLE_UNKNOWN);
    }
    CHECK(heed_helpdesk_next(h, &c, &err) == 0);
    heed_helpdesk_free(h);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size, 0);
    read_all(data, size, 1 + (size ? data[0] : 0));
    return 0;
}
