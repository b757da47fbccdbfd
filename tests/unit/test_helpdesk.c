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
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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
      {HEED_EFIELD, 3, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "tickets.jsonl:3: ticket 2 (id 35437): no \"comments\" array"},
      {HEED_EPARSE, 4, 2, NULL, NULL, 0, NULL, NULL, NULL, 0, "tickets.jsonl:4: JSON: unexpected"},
      {1, 5, 3, "T-9", "1", C, "I cannot log in since yesterday.", "Marta Silva", "web",
       1788339600, NULL},
      {HEED_EFIELD, 5, 3, NULL, NULL, 0, NULL, NULL, NULL, 0, "tickets.jsonl:5: ticket 4 (id T-9), comment 2: created_at \"yesterday\""},
      {1, 5, 3, "T-9", "3", A, "Did the reset work?", "Ravi Kumar", "web", 1788346800, NULL},
      {0}}},
    {"document_fixture",
     "export.json",
     NULL,
     0,
     HEED_OK,
     NULL,
     1,
     {{1, 3, 0, "501", "1", C, "I ordered a medium and got a small.",
       "\xC3\x89lodie Fran\xC3\xA7ois", "web", 1788422400, NULL},
      {1, 3, 0, "501", "3", A, "A medium is on its way to you today.", "Sam Agent", "web",
       1788423300, NULL},
      {HEED_EFIELD, 16, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "export.json:16: ticket 2: not a JSON object"},
      {1, 17, 2, "502", "10", C, "Why was I charged twice?", "Jo Bloggs", "email",
       1788519600, NULL},
      {0}}},
    /* a document that cannot be read twice is copied first, up to max_doc;
     * a file is read in place, whatever its size */
    {"piped_document_too_big", "export.json", NULL, 100, HEED_ETOOBIG, "over 100 bytes", 0, {{0}}},
    {"document_limit_not_for_files", NULL, "{\"tickets\": [ ]}\n", 5, HEED_OK, NULL, 0, {{0}}},
    {"piped_document",
     "export.json",
     NULL,
     0,
     HEED_OK,
     NULL,
     1,
     {{1, 3, 0, "501", "1", C, "I ordered a medium and got a small.",
       "\xC3\x89lodie Fran\xC3\xA7ois", "web", 1788422400, NULL},
      {1, 3, 0, "501", "3", A, "A medium is on its way to you today.", "Sam Agent", "web",
       1788423300, NULL},
      {HEED_EFIELD, 16, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "export.json:16: ticket 2: not a JSON object"},
      {1, 17, 2, "502", "10", C, "Why was I charged twice?", "Jo Bloggs", "email",
       1788519600, NULL},
      {0}}},
    {"piped_blank_lines_then_document", NULL, "\n \n{\"tickets\":\n[{\"id\":1,\"requester_id\":5,\"comments\":[{\"author_id\":5,\"body\":\"hi\"}]}]}", 0,
     HEED_OK, NULL, 0,
     {{1, 4, 0, "1", NULL, C, "hi", NULL, NULL, 0, NULL}, {0}}},
    {"piped_broken", NULL, "{\n  \"tickets\": [\n    {\"id\": 1,}\n  ]\n}\n", 0, HEED_EPARSE,
     "test:3:14: JSON", 0, {{0}}},
    {"document_broken", NULL, "{\n  \"tickets\": [\n    {\"id\": 1,}\n  ]\n}\n", 0, HEED_EPARSE,
     "test:3:14: JSON", 0, {{0}}},
    {"document_tickets_not_array", NULL, "{\"tickets\": {}}\n", 0, HEED_EFIELD,
     "expected a \"tickets\" array", 0, {{0}}},
    {"one_line_document", NULL,
     "{\"tickets\":[{\"id\":1,\"requester_id\":5,\"comments\":[{\"author_id\":5,\"body\":\"hi\"}]}]}", 0,
     HEED_OK, NULL, 0,
     {{1, 1, 0, "1", NULL, C, "hi", NULL, NULL, 0, NULL}, {0}}},
    {"no_requester_role_unknown", NULL,
     "{\"id\":1,\"comments\":[{\"author_id\":5,\"body\":\"hi\",\"public\":true}]}\n", 0, HEED_OK,
     NULL, 0, {{1, 1, 0, "1", NULL, HEED_ROLE_UNKNOWN, "hi", NULL, NULL, 0, NULL}, {0}}},
    {"missing_id_and_body", NULL,
     "{\"subject\":\"x\",\"comments\":[]}\n{\"id\":2,\"comments\":[{\"author_id\":1},{\"body\":\"b\"}]}\n",
     0, HEED_OK, NULL, 0,
     {{HEED_EFIELD, 1, 0, NULL, NULL, 0, NULL, NULL, NULL, 0, "ticket 1: no \"id\""},
      {HEED_EFIELD, 2, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "ticket 2 (id 2), comment 1: no \"body\""},
      {HEED_EFIELD, 2, 1, NULL, NULL, 0, NULL, NULL, NULL, 0, "ticket 2 (id 2), comment 2: no \"author_id\""},
      {0}}},
    {"piped_one_line_document_too_big", NULL,
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
     {{1, 5, 0, "7", "1", C, "[hi]", "Cy Customer", NULL, 0, NULL},
      {1, 5, 0, "7", "2", A, "hello {there}", "Al Agent", NULL, 0, NULL},
      {1, 7, 1, "8", "3", A, "again", "Al Agent", NULL, 0, NULL},
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

/* A stream of data[0..n) through a pipe, written by a child process. */
static FILE *open_pipe(const char *data, size_t n)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        size_t done = 0;
        while (done < n) {
            const ssize_t w = write(fd[1], data + done, n - done);
            if (w <= 0)
                _exit(1);
            done += (size_t)w;
        }
        _exit(0);
    }
    close(fd[1]);
    return fdopen(fd[0], "rb");
}

/* The whole file path, malloc'd; *n its length. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *p = malloc(1 << 20);
    assert_non_null(p);
    *n = fread(p, 1, 1 << 20, f);
    fclose(f);
    return p;
}

/* Cases named "piped..." are read through a pipe: input that cannot be read
 * twice. */
static bool is_piped(const hd_case *c)
{
    return !strncmp(c->name, "piped", 5);
}

static void run_case(const hd_case *c)
{
    FILE *f;
    char path[1024];
    if (is_piped(c)) {
        size_t n = c->text ? strlen(c->text) : 0;
        char *data = NULL;
        if (c->file) {
            snprintf(path, sizeof path, "%s/helpdesk/%s", HEED_TEST_DATA, c->file);
            data = slurp(path, &n);
        }
        f = open_pipe(data ? data : c->text, n);
        free(data);
    } else if (c->file) {
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
        if (is_piped(c))
            while (wait(NULL) > 0)
                ;
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
    if (is_piped(c))
        while (wait(NULL) > 0)
            ;
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

/* A document of n tickets, one per line from line 4 (ticket i on line 4 + i),
 * with the "users" side-load after them: customer 5 and agent 6 are named
 * only there. Ticket `bad` has no id; bodies of ticket i are i % 97 * 40
 * bytes long and end in escapes, so tickets and escapes straddle the
 * reader's window. broken_at > 0 puts
 * a syntax error on that ticket's line instead. */
static char *big_doc(size_t n, size_t bad, size_t broken_at, size_t *len)
{
    size_t cap = n * 4200 + 1024, w = 0;
    char *d = malloc(cap);
    assert_non_null(d);
    w += (size_t)snprintf(d + w, cap - w, "{\n\"count\": %zu,\n\"tickets\": [\n", n);
    for (size_t i = 0; i < n; i++) {
        char body[4000];
        const size_t bl = i % 97 * 40;
        memset(body, 'a' + (int)(i % 26), bl);
        body[bl] = '\0';
        if (i == broken_at && broken_at)
            w += (size_t)snprintf(d + w, cap - w, "{\"id\": %zu, \"comments\": [}", i);
        else
            w += (size_t)snprintf(d + w, cap - w,
                                  "{%s%zu, \"requester_id\": 5, \"comments\": [{\"id\": 1, "
                                  "\"author_id\": 5, \"body\": \"q%s\\\"x\\\\\"}, {\"id\": 2, "
                                  "\"author_id\": 6, \"body\": \"a%zu\"}]}",
                                  i == bad ? "\"nid\": " : "\"id\": ", i + 1, body, i);
        w += (size_t)snprintf(d + w, cap - w, "%s\n", i + 1 < n ? "," : "");
    }
    w += (size_t)snprintf(d + w, cap - w,
                          "],\n\"users\": [{\"id\": 6, \"name\": \"Al Agent\", \"email\": "
                          "\"al@example.org\"}, {\"id\": 5, \"name\": \"Cy Customer\"}]}\n");
    *len = w;
    return d;
}

/* Reads a big document to its end: every comment named from the users after
 * the tickets, the ticket without an id reported with its line, the rest
 * read. */
static void read_big(FILE *f, size_t n, size_t bad)
{
    heed_helpdesk *h = NULL;
    heed_error err = {0};
    assert_int_equal(heed_helpdesk_new(f, "big.json", 0, &h, &err), HEED_OK);
    heed_hd_comment cm;
    size_t got = 0, errors = 0;
    int rc;
    while ((rc = heed_helpdesk_next(h, &cm, &err)) != 0) {
        if (rc < 0) {
            if (rc != HEED_EFIELD)
                fail_msg("ticket %zu: %s", cm.ticket_index, err.msg);
            assert_int_equal(cm.ticket_index, bad);
            assert_int_equal(cm.line, 4 + bad);
            char want[64];
            snprintf(want, sizeof want, "big.json:%zu: ticket %zu: no \"id\"", 4 + bad, bad + 1);
            if (!strstr(err.msg, want))
                fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
            errors++;
            continue;
        }
        const size_t i = cm.ticket_index;
        assert_int_equal(cm.line, 4 + i);
        char id[32];
        snprintf(id, sizeof id, "%zu", i + 1);
        check_view("ticket_id", cm.ticket_id, id);
        if (cm.role == C) {
            check_view("author_name", cm.author_name, "Cy Customer");
            check_view("requester_name", cm.requester_name, "Cy Customer");
            assert_int_equal(cm.body.len, 1 + i % 97 * 40 + 3); /* q..."x\\ */
            assert_memory_equal(cm.body.ptr + cm.body.len - 3, "\"x\\", 3);
        } else {
            check_view("author_name", cm.author_name, "Al Agent");
            check_view("author_email", cm.author_email, "al@example.org");
        }
        got++;
    }
    assert_int_equal(errors, 1);
    assert_int_equal(got, 2 * (n - 1));
    heed_helpdesk_free(h);
}

/* A document many times the reader's window, from a file and from a pipe. */
static void test_big_document(void **state)
{
    (void)state;
    const size_t n = 3000, bad = 1777;
    size_t len;
    char *d = big_doc(n, bad, 0, &len);
    assert_true(len > 20 * HEED_HELPDESK_WINDOW);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, len, f), len);
    rewind(f);
    read_big(f, n, bad);
    fclose(f);
    f = open_pipe(d, len);
    assert_non_null(f);
    read_big(f, n, bad);
    fclose(f);
    while (wait(NULL) > 0)
        ;
    free(d);
}

/* A syntax error deep in a big document: no ticket is read, the error names
 * its line and column and counts bytes from the document's start. */
static void test_big_document_broken(void **state)
{
    (void)state;
    const size_t n = 3000, broken = 2500;
    size_t len;
    char *d = big_doc(n, SIZE_MAX, broken, &len);
    const char *at = strstr(d, "\"comments\": [}");
    assert_non_null(at);
    const size_t pos = (size_t)(at - d) + 13;
    FILE *f = fmemopen(d, len, "r");
    assert_non_null(f);
    heed_helpdesk *h = NULL;
    heed_error err = {0};
    const int rc = heed_helpdesk_new(f, "big.json", 0, &h, &err);
    if (rc != HEED_EPARSE)
        fail_msg("new gave %d: %s", rc, err.msg);
    assert_null(h);
    char want[96];
    /* the column: after "{\"id\": 2500, \"comments\": [" on its own line */
    const char *ls = at;
    while (ls > d && ls[-1] != '\n')
        ls--;
    snprintf(want, sizeof want, "big.json:%zu:%zu: JSON: unexpected character '}' at byte %zu",
             4 + broken, (size_t)(at - ls) + 14, pos);
    if (!strstr(err.msg, want))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
    assert_int_equal(err.pos, pos);
    fclose(f);
    free(d);
}

/* A string whose escape (\" or \\) falls on the reader's window edge, at
 * each byte around it: the string goes on past the escaped quote. */
static void test_escape_at_window_edge(void **state)
{
    (void)state;
    static const char head[] =
        "{\"tickets\": [{\"id\": 1, \"requester_id\": 5, \"comments\": [{\"author_id\": 5, "
        "\"body\": \"";
    for (int esc = 0; esc < 2; esc++)
        for (size_t at = HEED_HELPDESK_WINDOW - 3; at <= HEED_HELPDESK_WINDOW + 1; at++) {
            /* the backslash at byte `at` */
            const size_t pad = at - (sizeof head - 1);
            const size_t cap = at + 128;
            char *d = malloc(cap);
            assert_non_null(d);
            memcpy(d, head, sizeof head - 1);
            memset(d + sizeof head - 1, 'a', pad);
            const int n = snprintf(d + at, cap - at, "%s, \\\"tail]}\"}]}]}\n",
                                   esc ? "\\\\" : "\\\"");
            FILE *f = fmemopen(d, at + (size_t)n, "r");
            assert_non_null(f);
            heed_helpdesk *h = NULL;
            heed_error err = {0};
            assert_int_equal(heed_helpdesk_new(f, "edge.json", 0, &h, &err), HEED_OK);
            heed_hd_comment cm;
            assert_int_equal(heed_helpdesk_next(h, &cm, &err), 1);
            assert_int_equal(cm.body.len, pad + 10);
            assert_memory_equal(cm.body.ptr + pad, esc ? "\\, \"tail]}" : "\", \"tail]}", 10);
            assert_int_equal(heed_helpdesk_next(h, &cm, &err), 0);
            heed_helpdesk_free(h);
            fclose(f);
            free(d);
        }
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
        cmocka_unit_test(test_big_document),
        cmocka_unit_test(test_big_document_broken),
        cmocka_unit_test(test_escape_at_window_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
