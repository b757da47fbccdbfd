/* test_helpdesk.c - the helpdesk export reader (src/io/helpdesk.c): each case
 * is an export (a fixture under tests/data/helpdesk/ or an inline text) read
 * to the end, with the expected outcome of every heed_helpdesk_next call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "heed/heed.h"
#include "helpdesk.h"

#define MAX_EXPECT 8

typedef struct expect {
    int rc;               /* 1, 0 (the end) or a HEED_E* code */
    size_t line;          /* JSON lines: the ticket's line */
    size_t ticket_index;
    const char *ticket_id; /* NULL: not checked */
    const char *comment_id;
    int role;
    const char *body;
    const char *author_name;
    const char *channel;
    int64_t time;         /* 0: has_time must be false */
    const char *msg;      /* errors: a substring of err.msg */
} expect;

typedef struct hd_case {
    const char *name;
    const char *file;     /* under tests/data/helpdesk, or NULL */
    const char *text;     /* inline input when file is NULL */
    size_t max_doc;
    int new_rc;
    const char *new_msg;
    size_t n_private;
    expect want[MAX_EXPECT];
} hd_case;

#define C HEED_ROLE_CUSTOMER
#define A HEED_ROLE_AGENT

static const hd_case cases[] = {
    {"jsonl_fixture",
     "tickets.jsonl",
     NULL,
     0,
     HEED_OK,
     NULL,
     1,
     {{1, 1, 0, "35436", "1001", C, "My parcel never arrived. I would like a refund.",
       "Anna Berg", "email", 1788248520, NULL},
      {1, 1, 0, "35436", "1003", A, "I am sorry, Anna. I have issued the refund today.",
       "Tom Lindqvist", "email", 1788249900, NULL},
      {HEED_EFIELD, 3, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "tickets.jsonl:3: ticket 35437 has no \"comments\" array"},
      {HEED_EPARSE, 4, 2, NULL, NULL, 0, NULL, NULL, NULL, 0, "tickets.jsonl:4: JSON: unexpected"},
      {1, 5, 3, "T-9", "1", C, "I cannot log in since yesterday.", "Marta Silva", "web",
       1788339600, NULL},
      {HEED_EFIELD, 5, 3, NULL, NULL, 0, NULL, NULL, NULL, 0, "comment #2 of ticket T-9: created_at \"yesterday\""},
      {1, 5, 3, "T-9", "3", A, "Did the reset work?", "Ravi Kumar", "web", 1788346800, NULL},
      {0}}},
    {"document_fixture",
     "export.json",
     NULL,
     0,
     HEED_OK,
     NULL,
     1,
     {{1, 0, 0, "501", "1", C, "I ordered a medium and got a small.",
       "\xC3\x89lodie Fran\xC3\xA7ois", "web", 1788422400, NULL},
      {1, 0, 0, "501", "3", A, "A medium is on its way to you today.", "Sam Agent", "web",
       1788423300, NULL},
      {HEED_EFIELD, 0, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "export.json: ticket #2: a ticket must be a JSON object"},
      {1, 0, 2, "502", "10", C, "Why was I charged twice?", "Jo Bloggs", "email",
       1788519600, NULL},
      {0}}},
    {"document_too_big", "export.json", NULL, 100, HEED_ETOOBIG, "over 100 bytes", 0, {{0}}},
    {"document_broken", NULL, "{\n  \"tickets\": [\n    {\"id\": 1,}\n  ]\n}\n", 0, HEED_EPARSE,
     "test:3:14: JSON", 0, {{0}}},
    {"document_tickets_not_array", NULL, "{\"tickets\": {}}\n", 0, HEED_EFIELD,
     "expected a \"tickets\" array", 0, {{0}}},
    {"one_line_document", NULL,
     "{\"tickets\":[{\"id\":1,\"requester_id\":5,\"comments\":[{\"author_id\":5,\"body\":\"hi\"}]}]}", 0,
     HEED_OK, NULL, 0,
     {{1, 0, 0, "1", NULL, C, "hi", NULL, NULL, 0, NULL}, {0}}},
    {"no_requester_role_unknown", NULL,
     "{\"id\":1,\"comments\":[{\"author_id\":5,\"body\":\"hi\",\"public\":true}]}\n", 0, HEED_OK,
     NULL, 0, {{1, 1, 0, "1", NULL, HEED_ROLE_UNKNOWN, "hi", NULL, NULL, 0, NULL}, {0}}},
    {"missing_id_and_body", NULL,
     "{\"subject\":\"x\",\"comments\":[]}\n{\"id\":2,\"comments\":[{\"author_id\":1},{\"body\":\"b\"}]}\n",
     0, HEED_OK, NULL, 0,
     {{HEED_EFIELD, 1, 0, NULL, NULL, 0, NULL, NULL, NULL, 0, "has no \"id\""},
      {HEED_EFIELD, 2, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "comment #1 of ticket 2 has no \"body\""},
      {HEED_EFIELD, 2, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "has no \"author_id\""},
      {0}}},
    {"one_line_document_too_big", NULL,
     "{\"tickets\":[{\"id\":1,\"requester_id\":5,\"comments\":[{\"author_id\":5,\"body\":\"hi\"}]}]}",
     40, HEED_ETOOBIG, "export JSON lines", 0, {{0}}},
    /* the document's members in any order: other members (with brackets and
     * quotes inside strings, numbers, literals) skipped, "users" after
     * "tickets" still names the authors, tickets read one at a time */
    {"document_members_any_order", NULL,
     "{\n \"count\": 2, \"next_page\": null, \"note\": \"a ] and } and \\\" inside\",\n"
     " \"meta\": {\"x\": [1, {\"y\": \"]\"}], \"ok\": true},\n"
     " \"tickets\": [\n"
     "  {\"id\": 7, \"requester_id\": 5, \"comments\": [{\"id\": 1, \"author_id\": 5, \"body\": \"[hi]\"},\n"
     "   {\"id\": 2, \"author_id\": 6, \"body\": \"hello {there}\"}]} ,\n"
     "  {\"id\": 8, \"requester_id\": 5, \"comments\": [{\"id\": 3, \"author_id\": 6, \"body\": \"again\"}]}\n"
     " ],\n"
     " \"users\": [{\"id\": 5, \"name\": \"Cy Customer\"}, {\"id\": 6, \"name\": \"Al Agent\"}]}\n",
     0, HEED_OK, NULL, 0,
     {{1, 0, 0, "7", "1", C, "[hi]", "Cy Customer", NULL, 0, NULL},
      {1, 0, 0, "7", "2", A, "hello {there}", "Al Agent", NULL, 0, NULL},
      {1, 0, 1, "8", "3", A, "again", "Al Agent", NULL, 0, NULL},
      {0}}},
    {"document_without_tickets", NULL, "{\n \"users\": [],\n \"tickets_x\": [[]]\n}\n", 0, HEED_EFIELD,
     "expected a \"tickets\" array", 0, {{0}}},
    {"document_empty_tickets", NULL, "{\"tickets\": [ ]}\n", 0, HEED_OK, NULL, 0, {{0}}},
    {"empty", NULL, "", 0, HEED_OK, NULL, 0, {{0}}},
    {"blank_lines_only", NULL, "\n  \n\r\n", 0, HEED_OK, NULL, 0, {{0}}},
};

static void check_view(const char *what, heed_view v, const char *want)
{
    if (!want)
        return;
    if (!v.ptr || v.len != strlen(want) || memcmp(v.ptr, want, v.len) != 0)
        fail_msg("%s: got \"%.*s\", expected \"%s\"", what, v.ptr ? (int)v.len : 6,
                 v.ptr ? v.ptr : "(null)", want);
}

static void run_case(const hd_case *c)
{
    FILE *f;
    char path[1024];
    if (c->file) {
        snprintf(path, sizeof path, "%s/helpdesk/%s", HEED_TEST_DATA, c->file);
        f = fopen(path, "rb");
    } else {
        f = fmemopen((void *)c->text, strlen(c->text) ? strlen(c->text) : 1, "r");
        if (f && !strlen(c->text))
            fgetc(f); /* fmemopen wants a size > 0: start at its end */
    }
    assert_non_null(f);
    heed_helpdesk *h = NULL;
    heed_error err = {0};
    const int rc = heed_helpdesk_new(f, c->file ? c->file : "test", c->max_doc, &h, &err);
    if (rc != c->new_rc)
        fail_msg("%s: new gave %d (%s), expected %d", c->name, rc, err.msg, c->new_rc);
    if (rc != HEED_OK) {
        assert_null(h);
        if (!strstr(err.msg, c->new_msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", c->name, err.msg, c->new_msg);
        fclose(f);
        return;
    }
    for (size_t i = 0; i < MAX_EXPECT; i++) {
        const expect *e = &c->want[i];
        heed_hd_comment cm;
        const int r = heed_helpdesk_next(h, &cm, &err);
        if (r != e->rc)
            fail_msg("%s: call %zu gave %d (%s), expected %d", c->name, i, r,
                     r < 0 ? err.msg : "", e->rc);
        if (r == 0)
            break;
        assert_int_equal(cm.line, e->line);
        assert_int_equal(cm.ticket_index, e->ticket_index);
        if (r < 0) {
            if (!strstr(err.msg, e->msg))
                fail_msg("%s: call %zu: message \"%s\" lacks \"%s\"", c->name, i, err.msg, e->msg);
            continue;
        }
        check_view("ticket_id", cm.ticket_id, e->ticket_id);
        check_view("comment_id", cm.comment_id, e->comment_id);
        check_view("body", cm.body, e->body);
        check_view("author_name", cm.author_name, e->author_name);
        check_view("channel", cm.channel, e->channel);
        assert_int_equal(cm.role, e->role);
        if (e->time) {
            assert_true(cm.has_time);
            assert_int_equal(cm.time, e->time);
        }
    }
    heed_hd_comment cm;
    assert_int_equal(heed_helpdesk_next(h, &cm, &err), 0); /* the end stays the end */
    assert_int_equal(heed_helpdesk_private_skipped(h), c->n_private);
    heed_helpdesk_free(h);
    fclose(f);
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case %s\n", cases[i].name);
        run_case(&cases[i]);
    }
}

/* The requester's details, from the ticket or the side-loaded users. */
static void test_requester_fields(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/helpdesk/export.json", HEED_TEST_DATA);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    heed_helpdesk *h;
    heed_error err;
    assert_int_equal(heed_helpdesk_new(f, NULL, 0, &h, &err), HEED_OK);
    heed_hd_comment cm;
    assert_int_equal(heed_helpdesk_next(h, &cm, &err), 1);
    check_view("requester_id", cm.requester_id, "9001");
    check_view("requester_email", cm.requester_email, "elodie@example.com");
    check_view("requester_phone", cm.requester_phone, "+33 1 00 00 00 00");
    check_view("subject", cm.subject, "Wrong size delivered");
    check_view("status", cm.status, "solved");
    heed_helpdesk_free(h);
    fclose(f);
}

/* Failing the k-th allocation while reading both fixtures: clean errors. */
static void test_alloc_failures(void **state)
{
    (void)state;
    static const char *const files[] = {"tickets.jsonl", "export.json"};
    for (size_t fi = 0; fi < 2; fi++)
        for (long k = 0; k < 40; k++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/helpdesk/%s", HEED_TEST_DATA, files[fi]);
            FILE *f = fopen(path, "rb");
            assert_non_null(f);
            heed_helpdesk *h = NULL;
            heed_error err;
            heed__alloc_fail_after(k);
            int rc = heed_helpdesk_new(f, NULL, 0, &h, &err);
            if (rc == HEED_OK) {
                heed_hd_comment cm;
                while ((rc = heed_helpdesk_next(h, &cm, &err)) != 0 && rc != HEED_ENOMEM)
                    ;
            }
            heed__alloc_fail_after(-1);
            assert_true(rc == HEED_OK || rc == 0 || rc == HEED_ENOMEM);
            heed_helpdesk_free(h);
            fclose(f);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_requester_fields),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
