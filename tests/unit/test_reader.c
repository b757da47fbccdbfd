/* test_reader.c - the record reader (src/io/reader.c, csv.c, jsonl.c): a table
 * of inputs, each read to the end through fmemopen, with the expected result of
 * every heed_reader_next call; plus cases that need built inputs (a 1 MB line)
 * or look at more than the table holds (kept fields, a file on disk). */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "heed/heed.h"
#include "jsonl.h"
#include "reader.h"

#define IN(s)      s, sizeof(s) - 1  /* a literal with its length: inputs hold NULs */
#define ABSENT     ((const char *)1) /* expect the field to be absent */
#define MAX_EXPECT 10

typedef struct expect {
    int rc;           /* 1 good record, 0 end, or a HEED_E* code */
    size_t line;      /* rec->line (checked for rc != 0) */
    const char *text; /* text field; NULL: not checked; compared to text_len bytes */
    size_t text_len;  /* 0: strlen(text) */
    const char *id;   /* id field; NULL: not checked; ABSENT: must be absent */
    const char *msg;  /* a substring of err.msg (errors only); NULL: not checked */
    long pos;         /* err.pos; -1: not checked */
} expect;

typedef struct reader_case {
    const char *name;
    const char *input;
    size_t len;
    heed_format format;
    size_t max_record;
    const char *text_name;   /* opts.fields[HEED_F_TEXT] */
    const char *id_name;     /* opts.fields[HEED_F_ID] */
    int new_rc;              /* expected from heed_reader_new */
    heed_format detected;    /* expected heed_reader_format; checked when new succeeds */
    const char *new_msg;     /* substring of err.msg when new fails */
    expect want[MAX_EXPECT]; /* up to and including the first rc 0 */
} reader_case;

/* A line just over 64 KiB, the window's first size, to cross refills. */
static char long_line[70000];

static const reader_case cases[] = {
    /* ---------------------------------------------------------- JSON lines */
    {"jsonl_good",
     IN("{\"id\":\"m1\",\"text\":\"hello\",\"role\":\"customer\"}\n{\"id\":2,\"text\":\"bye\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "hello", 0, "m1", NULL, -1}, {1, 2, "bye", 0, "2", NULL, -1}, {0}}},
    /* numeric ids: integer literals keep every digit (past 2^53 too), other
     * numbers their shortest round-trip form; the first of duplicate keys */
    {"jsonl_numeric_ids",
     IN("{\"id\":12345678901234567890123,\"text\":\"a\"}\n"
        "{\"id\":-9007199254740993,\"text\":\"b\"}\n"
        "{\"id\":1e3,\"text\":\"c\"}\n"
        "{\"id\":0.1,\"text\":\"d\"}\n"
        "{\"id\":7,\"id\":8,\"x\":{\"id\":9},\"text\":\"e\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "a", 0, "12345678901234567890123", NULL, -1},
      {1, 2, "b", 0, "-9007199254740993", NULL, -1},
      {1, 3, "c", 0, "1000", NULL, -1},
      {1, 4, "d", 0, "0.1", NULL, -1},
      {1, 5, "e", 0, "7", NULL, -1},
      {0}}},
    {"jsonl_blank_lines_crlf_no_final_newline",
     IN("\n  \n{\"text\":\"a\"}\r\n\r\n\t\n{\"text\":\"b\"}"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 3, "a", 0, ABSENT, NULL, -1}, {1, 6, "b", 0, NULL, NULL, -1}, {0}}},
    {"jsonl_trailing_comma_then_good",
     IN("{\"text\":\"a\"}\n{\"text\":\"b\",}\n{\"text\":\"c\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "a", 0, NULL, NULL, -1},
      {HEED_EPARSE, 2, NULL, 0, NULL, "JSON: unexpected character '}' at byte 12", 12},
      {1, 3, "c", 0, NULL, NULL, -1},
      {0}}},
    {"jsonl_broken_values",
     IN("{\"text\":}\n{\"text\" \"a\"}\n{\"text\":01}\n{\"text\":tru}\n{\"text\":\"a\"} x\n"
        "{\"text\":\"abc\n{\"text\":1.}\n{\"text\":\"ok\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{HEED_EPARSE, 1, NULL, 0, NULL, "unexpected character '}' at byte 8, expected a value", 8},
      {HEED_EPARSE, 2, NULL, 0, NULL, "expected ':'", 8},
      {HEED_EPARSE, 3, NULL, 0, NULL, "unexpected character '1' at byte 9", 9},
      {HEED_EPARSE, 4, NULL, 0, NULL, "unexpected character 't'", 8},
      {HEED_EPARSE, 5, NULL, 0, NULL, "unexpected character 'x' at byte 13", 13},
      {HEED_EPARSE, 6, NULL, 0, NULL, "unterminated string (opened at byte 8)", 12},
      {HEED_EPARSE, 7, NULL, 0, NULL, "expected a digit at byte 10", 10},
      {1, 8, "ok", 0, NULL, NULL, -1},
      {0}}},
    {"jsonl_not_objects",
     IN("[1,2]\n\"text\"\n42\nnull\n{\"text\":\"ok\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{HEED_EPARSE, 1, NULL, 0, NULL, "unexpected character '[' at byte 0, expected an object", 0},
      {HEED_EPARSE, 2, NULL, 0, NULL, "expected an object", 0},
      {HEED_EPARSE, 3, NULL, 0, NULL, "expected an object", 0},
      {HEED_EPARSE, 4, NULL, 0, NULL, "expected an object", 0},
      {1, 5, "ok", 0, NULL, NULL, -1},
      {0}}},
    {"jsonl_field_types",
     IN("{\"id\":\"a\"}\n{\"text\":5}\n{\"text\":null}\n{\"text\":\"x\",\"role\":[1]}\n"
        "{\"text\":\"x\",\"id\":true}\n{\"text\":\"x\",\"channel\":{}}\n"
        "{\"text\":\"x\",\"id\":1.5,\"time\":1709287200,\"role\":null}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{HEED_EFIELD, 1, NULL, 0, NULL, "field \"text\" is missing", -1},
      {HEED_EFIELD, 2, NULL, 0, NULL, "field \"text\" is a number, expected a string", -1},
      {HEED_EFIELD, 3, NULL, 0, NULL, "field \"text\" is null", -1},
      {HEED_EFIELD, 4, NULL, 0, NULL, "field \"role\" is an array", -1},
      {HEED_EFIELD, 5, NULL, 0, NULL, "field \"id\" is a boolean, expected a string or a number",
       -1},
      {HEED_EFIELD, 6, NULL, 0, NULL, "field \"channel\" is an object", -1},
      {1, 7, "x", 0, "1.5", NULL, -1},
      {0}}},
    {"jsonl_escapes_decoded",
     IN("{\"text\":\"caf\\u00e9 \\\"q\\\" \\ud83d\\ude00 a\\nb\\/\\t\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "caf\xc3\xa9 \"q\" \xf0\x9f\x98\x80 a\nb/\t", 0, NULL, NULL, -1}, {0}}},
    {"jsonl_bad_escapes",
     IN("{\"text\":\"\\x\"}\n{\"text\":\"\\ud800\"}\n{\"text\":\"\\udc00\"}\n{\"text\":\"\\u12\"}\n"
        "{\"text\":\"a\\u0000b\"}\n{\"text\":\"tab\there\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{HEED_EPARSE, 1, NULL, 0, NULL, "invalid escape '\\x' at byte 9", 9},
      {HEED_EPARSE, 2, NULL, 0, NULL, "unpaired high surrogate", 9},
      {HEED_EPARSE, 3, NULL, 0, NULL, "unpaired low surrogate", 9},
      {HEED_EPARSE, 4, NULL, 0, NULL, "expected 4 hex digits", 9},
      {HEED_EPARSE, 5, NULL, 0, NULL, "\\u0000", 10},
      {HEED_EPARSE, 6, NULL, 0, NULL, "control character 0x09", 12},
      {0}}},
    {"jsonl_invalid_utf8_then_good",
     IN("{\"text\":\"ab\xff\"}\n{\"text\":\"\xc3\xa9\xe2\x82\"}\n{\"text\":\"ok\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{HEED_EUTF8, 1, NULL, 0, NULL, "invalid UTF-8 at byte 11", 11},
      {HEED_EUTF8, 2, NULL, 0, NULL, "at byte 11", 11},
      {1, 3, "ok", 0, NULL, NULL, -1},
      {0}}},
    {"jsonl_nul_bytes",
     IN("{\"text\":\"a\0b\"}\n\0{\"text\":\"x\"}\n{\"text\":\"ok\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{HEED_EPARSE, 1, NULL, 0, NULL, "control character 0x00", 10},
      {HEED_EPARSE, 2, NULL, 0, NULL, "unexpected byte 0x00 at byte 0", 0},
      {1, 3, "ok", 0, NULL, NULL, -1},
      {0}}},
    {"jsonl_bom_and_whitespace",
     IN("\xEF\xBB\xBF  {\"text\" : \"x\" , \"id\" : \"1\" }  \n"),
     HEED_FMT_AUTO,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "x", 0, "1", NULL, -1}, {0}}},
    {"jsonl_duplicate_key_first_wins",
     IN("{\"text\":\"first\",\"text\":\"second\"}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "first", 0, NULL, NULL, -1}, {0}}},
    {"jsonl_nested_keys_are_not_fields",
     IN("{\"meta\":{\"text\":\"inner\",\"id\":\"in\",\"a\":[{\"text\":1}]},"
        "\"te\\u0078t\":\"outer\",\"i\\u0064\":\"out\",\"x\":{\"id\":2}}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "outer", 0, "out", NULL, -1}, {0}}},
    {"jsonl_deep_nesting",
     IN("{\"text\":\"x\",\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}\n"
        "{\"text\":\"y\",\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}\n"),
     HEED_FMT_JSONL,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{HEED_EPARSE, 1, NULL, 0, NULL, "nesting deeper than 64 levels at byte 79", 79},
      {1, 2, "y", 0, NULL, NULL, -1},
      {0}}},
    {"jsonl_too_big_then_good",
     IN("{\"text\":\"short\"}\n{\"text\":\"this line is far too long\"}\n{\"text\":\"ok\"}\n"),
     HEED_FMT_JSONL,
     20,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "short", 0, NULL, NULL, -1},
      {HEED_ETOOBIG, 2, NULL, 0, NULL, "longer than 20 bytes", -1},
      {1, 3, "ok", 0, NULL, NULL, -1},
      {0}}},
    {"jsonl_too_big_at_eof",
     IN("{\"text\":\"ok\"}\n{\"text\":\"this line is far too long\"}"),
     HEED_FMT_JSONL,
     16,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "ok", 0, NULL, NULL, -1}, {HEED_ETOOBIG, 2, NULL, 0, NULL, NULL, -1}, {0}}},
    {"jsonl_exactly_max_record_crlf",
     IN("{\"text\":\"12345\"}\r\n{\"text\":\"123456\"}\r\n{\"text\":\"1\"}"),
     HEED_FMT_JSONL,
     16,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "12345", 0, NULL, NULL, -1},
      {HEED_ETOOBIG, 2, NULL, 0, NULL, NULL, -1},
      {1, 3, "1", 0, NULL, NULL, -1},
      {0}}},
    {"jsonl_renamed_fields",
     IN("{\"body\":\"hi\",\"msg\":7,\"text\":\"ignored\"}\n{\"text\":\"no body\"}\n"),
     HEED_FMT_AUTO,
     0,
     "body",
     "msg",
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 1, "hi", 0, "7", NULL, -1},
      {HEED_EFIELD, 2, NULL, 0, NULL, "field \"body\" is missing", -1},
      {0}}},

    /* ---------------------------------------------------------- CSV */
    {"csv_basic_quoted",
     IN("id,text,role\n1,hello,customer\n2,\"quoted, comma\",agent\n3,\"say \"\"hi\"\"\",x\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "hello", 0, "1", NULL, -1},
      {1, 3, "quoted, comma", 0, "2", NULL, -1},
      {1, 4, "say \"hi\"", 0, "3", NULL, -1},
      {0}}},
    {"csv_embedded_newlines",
     IN("id,text\n1,\"line one\nline two\n\"\n2,after\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "line one\nline two\n", 0, "1", NULL, -1}, {1, 5, "after", 0, "2", NULL, -1}, {0}}},
    {"csv_crlf",
     IN("id,text\r\n1,a\r\n2,\"b\r\nc\"\r\n\r\n3,\"d\"\r\n4,e"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "a", 0, "1", NULL, -1},
      {1, 3, "b\r\nc", 0, "2", NULL, -1},
      {1, 6, "d", 0, "3", NULL, -1},
      {1, 7, "e", 0, "4", NULL, -1},
      {0}}},
    {"csv_wrong_column_count",
     IN("a,text,c\n1,2\n1,2,3\n1,2,3,4\n,,\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{HEED_EPARSE, 2, NULL, 0, NULL, "expected 3 fields as in the header, found 2", -1},
      {1, 3, "2", 0, NULL, NULL, -1},
      {HEED_EPARSE, 4, NULL, 0, NULL, "expected 3 fields as in the header, found 4", -1},
      {1, 5, "", 0, NULL, NULL, -1},
      {0}}},
    {"csv_unterminated_quote",
     IN("id,text\n1,ok\n2,\"never closed\n3,x\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "ok", 0, NULL, NULL, -1},
      {HEED_EPARSE, 3, NULL, 0, NULL, "unterminated quoted field: the quote at byte 2 (line 3)", 2},
      {1, 4, "x", 0, "3", NULL, -1}, /* the quote's record is its own line only */
      {0}}},
    {"csv_unterminated_quote_crlf",
     IN("id,text\r\n2,\"never closed\r\n3,x\r\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{HEED_EPARSE, 2, NULL, 0, NULL, "the quote at byte 2 (line 2) is never closed", 2},
      {1, 3, "x", 0, "3", NULL, -1},
      {0}}},
    {"csv_unterminated_quote_last_line",
     IN("id,text\n1,ok\n2,\"never closed"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "ok", 0, NULL, NULL, -1},
      {HEED_EPARSE, 3, NULL, 0, NULL, "the quote at byte 2 (line 3) is never closed", 2},
      {0}}},
    {"csv_text_after_closing_quote",
     IN("id,text\n1,\"a\"b\n2,5\" screen\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{HEED_EPARSE, 2, NULL, 0, NULL, "after a closing quote, found 'b' at byte 5", 5},
      {1, 3, "5\" screen", 0, "2", NULL, -1},
      {0}}},
    {"csv_header_without_text",
     IN("id,body,role\n1,hi,customer\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_EPARSE,
     0,
     "no \"text\" column (the text field); found \"id\", \"body\", \"role\"",
     {{0}}},
    {"csv_header_unterminated",
     IN("id,\"text\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_EPARSE,
     0,
     "CSV header: unterminated",
     {{0}}},
    {"csv_empty_input", IN(""), HEED_FMT_CSV, 0, NULL, NULL, HEED_OK, HEED_FMT_CSV, NULL, {{0}}},
    {"csv_invalid_utf8",
     IN("id,text\n1,\"a\xc0\xaf\"\n2,b\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{HEED_EUTF8, 2, NULL, 0, NULL, "at byte 4", 4}, {1, 3, "b", 0, NULL, NULL, -1}, {0}}},
    {"csv_nul_bytes",
     IN("id,text\n1,a\0b\n"),
     HEED_FMT_CSV,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "a\0b", 3, "1", NULL, -1}, {0}}},
    {"csv_too_big_quoted_newlines_then_good",
     IN("id,text\n1,a\n2,\"0123456789\n0123456789\n0123456789\n0123456789\"\n3,b\n"),
     HEED_FMT_CSV,
     16,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "a", 0, NULL, NULL, -1},
      {HEED_ETOOBIG, 3, NULL, 0, NULL, NULL, -1},
      {1, 7, "b", 0, "3", NULL, -1},
      {0}}},
    {"csv_bom_autodetect_renamed",
     IN("\xEF\xBB\xBFmsg,body\nm1,hello\n"),
     HEED_FMT_AUTO,
     0,
     "body",
     "msg",
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "hello", 0, "m1", NULL, -1}, {0}}},

    /* ---------------------------------------------------------- text */
    {"text_lines",
     IN("hello\r\nworld\n\n  \n\"quoted\", {json}\nlast"),
     HEED_FMT_TEXT,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_TEXT,
     NULL,
     {{1, 1, "hello", 0, ABSENT, NULL, -1},
      {1, 2, "world", 0, ABSENT, NULL, -1},
      {1, 5, "\"quoted\", {json}", 0, ABSENT, NULL, -1},
      {1, 6, "last", 0, ABSENT, NULL, -1},
      {0}}},
    {"text_nul_and_bad_utf8",
     IN("a\0b\nbad \xed\xa0\x80 surrogate\nok\n"),
     HEED_FMT_TEXT,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_TEXT,
     NULL,
     {{1, 1, "a\0b", 3, NULL, NULL, -1},
      {HEED_EUTF8, 2, NULL, 0, NULL, "invalid UTF-8 at byte 4", 4},
      {1, 3, "ok", 0, NULL, NULL, -1},
      {0}}},
    {"text_too_big_then_good",
     IN("0123456789\n0123456789a\nok"),
     HEED_FMT_TEXT,
     10,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_TEXT,
     NULL,
     {{1, 1, "0123456789", 0, NULL, NULL, -1},
      {HEED_ETOOBIG, 2, NULL, 0, NULL, NULL, -1},
      {1, 3, "ok", 0, NULL, NULL, -1},
      {0}}},
    {"text_final_cr",
     IN("x\r"),
     HEED_FMT_TEXT,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_TEXT,
     NULL,
     {{1, 1, "x", 0, NULL, NULL, -1}, {0}}},

    /* ---------------------------------------------------------- detection */
    {"auto_jsonl_after_blank_lines",
     IN("\n \n{\"text\":\"j\"}\n"),
     HEED_FMT_AUTO,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_JSONL,
     NULL,
     {{1, 3, "j", 0, NULL, NULL, -1}, {0}}},
    {"auto_csv",
     IN("id,text\n1,c\n"),
     HEED_FMT_AUTO,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "c", 0, "1", NULL, -1}, {0}}},
    {"auto_csv_one_column",
     IN("text\nhi there\n"),
     HEED_FMT_AUTO,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_CSV,
     NULL,
     {{1, 2, "hi there", 0, ABSENT, NULL, -1}, {0}}},
    {"auto_text",
     IN("my order is late, again\nthanks\n"),
     HEED_FMT_AUTO,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_TEXT,
     NULL,
     {{1, 1, "my order is late, again", 0, NULL, NULL, -1},
      {1, 2, "thanks", 0, NULL, NULL, -1},
      {0}}},
    {"auto_text_unbalanced_quote",
     IN("he said \"text, then\nleft\n"),
     HEED_FMT_AUTO,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_TEXT,
     NULL,
     {{1, 1, "he said \"text, then", 0, NULL, NULL, -1}, {1, 2, "left", 0, NULL, NULL, -1}, {0}}},
    {"auto_text_when_renamed_column_missing",
     IN("id,text\n1,c\n"),
     HEED_FMT_AUTO,
     0,
     "body",
     NULL,
     HEED_OK,
     HEED_FMT_TEXT,
     NULL,
     {{1, 1, "id,text", 0, NULL, NULL, -1}, {1, 2, "1,c", 0, NULL, NULL, -1}, {0}}},
    {"auto_empty", IN(""), HEED_FMT_AUTO, 0, NULL, NULL, HEED_OK, HEED_FMT_TEXT, NULL, {{0}}},
    {"auto_bom_only",
     IN("\xEF\xBB\xBF"),
     HEED_FMT_AUTO,
     0,
     NULL,
     NULL,
     HEED_OK,
     HEED_FMT_TEXT,
     NULL,
     {{0}}},
};

static FILE *open_bytes(const char *s, size_t n)
{
    FILE *f = fmemopen((void *)s, n, "r");
    assert_non_null(f);
    return f;
}

static void check_view(const heed_view *v, const char *want, size_t want_len, const char *what,
                       size_t step)
{
    if (want == ABSENT) {
        if (v->ptr)
            fail_msg("step %zu: %s should be absent, got \"%.*s\"", step, what, (int)v->len,
                     v->ptr);
        return;
    }
    const size_t n = want_len ? want_len : strlen(want);
    if (!v->ptr)
        fail_msg("step %zu: %s absent, expected \"%s\"", step, what, want);
    if (v->len != n || memcmp(v->ptr, want, n) != 0)
        fail_msg("step %zu: %s is \"%.*s\" (%zu bytes), expected \"%s\" (%zu bytes)", step, what,
                 (int)v->len, v->ptr, v->len, want, n);
}

static void run_case(void **state)
{
    const reader_case *c = *state;
    FILE *f = open_bytes(c->input, c->len);
    heed_reader_opts o = {0};
    o.format = c->format;
    o.max_record = c->max_record;
    o.fields[HEED_F_TEXT] = c->text_name;
    o.fields[HEED_F_ID] = c->id_name;
    o.name = c->name;
    heed_reader *r = NULL;
    heed_error err = {0};
    int rc = heed_reader_new(f, &o, &r, &err);
    if (rc != c->new_rc)
        fail_msg("heed_reader_new returned %d (%s), expected %d", rc, err.msg, c->new_rc);
    if (rc != HEED_OK) {
        assert_null(r);
        if (c->new_msg && !strstr(err.msg, c->new_msg))
            fail_msg("message \"%s\" lacks \"%s\"", err.msg, c->new_msg);
        fclose(f);
        return;
    }
    assert_int_equal(heed_reader_format(r), c->detected);
    size_t index = 0;
    for (size_t i = 0; i < MAX_EXPECT; i++) {
        const expect *w = &c->want[i];
        heed_record rec;
        memset(&err, 0, sizeof err);
        rc = heed_reader_next(r, &rec, &err);
        if (rc != w->rc)
            fail_msg("step %zu: heed_reader_next returned %d (%s), expected %d", i, rc, err.msg,
                     w->rc);
        if (rc == 0)
            break;
        if (rec.line != w->line)
            fail_msg("step %zu: line %zu, expected %zu", i, rec.line, w->line);
        assert_int_equal(rec.index, index++);
        assert_non_null(rec.raw.ptr);
        if (rc == 1) {
            assert_non_null(rec.field[HEED_F_TEXT].ptr);
        } else {
            assert_int_equal(err.code, rc);
            if (w->msg && !strstr(err.msg, w->msg))
                fail_msg("step %zu: message \"%s\" lacks \"%s\"", i, err.msg, w->msg);
            if (w->pos >= 0 && err.pos != (size_t)w->pos)
                fail_msg("step %zu: err.pos %zu, expected %ld (%s)", i, err.pos, w->pos, err.msg);
            if (rc == HEED_ETOOBIG)
                assert_true(rec.raw.len == (c->max_record ? c->max_record : rec.raw.len));
        }
        if (w->text)
            check_view(&rec.field[HEED_F_TEXT], w->text, w->text_len, "text", i);
        if (w->id)
            check_view(&rec.field[HEED_F_ID], w->id, 0, "id", i);
    }
    /* The end stays the end. */
    heed_record rec;
    assert_int_equal(heed_reader_next(r, &rec, &err), 0);
    heed_reader_free(r);
    fclose(f);
}

/* Reads every record of `s` and returns the count of good ones. */
static size_t count_good(const char *s, size_t n, heed_format fmt, size_t max_record)
{
    FILE *f = open_bytes(s, n);
    heed_reader_opts o = {0};
    o.format = fmt;
    o.max_record = max_record;
    heed_reader *r;
    heed_error err;
    assert_int_equal(heed_reader_new(f, &o, &r, &err), HEED_OK);
    heed_record rec;
    size_t good = 0;
    int rc;
    while ((rc = heed_reader_next(r, &rec, &err)) != 0)
        if (rc == 1)
            good++;
    heed_reader_free(r);
    fclose(f);
    return good;
}

static void one_megabyte_line(void **state)
{
    (void)state;
    const size_t big = (size_t)1 << 20;
    char *s = malloc(big + 64);
    assert_non_null(s);
    memcpy(s, "{\"text\":\"", 9);
    memset(s + 9, 'a', big);
    memcpy(s + 9 + big, "\"}\n{\"text\":\"b\"}\n", 16);
    const size_t n = 9 + big + 16;

    FILE *f = open_bytes(s, n);
    heed_reader *r;
    heed_error err;
    assert_int_equal(heed_reader_new(f, NULL, &r, &err), HEED_OK);
    assert_int_equal(heed_reader_format(r), HEED_FMT_JSONL);
    heed_record rec;
    assert_int_equal(heed_reader_next(r, &rec, &err), 1);
    assert_int_equal(rec.field[HEED_F_TEXT].len, big);
    assert_int_equal(rec.raw.len, 9 + big + 2);
    assert_int_equal(heed_reader_next(r, &rec, &err), 1);
    assert_int_equal(rec.line, 2);
    assert_int_equal(heed_reader_next(r, &rec, &err), 0);
    heed_reader_free(r);
    fclose(f);

    /* The same line as text, and over a limit just below its size. */
    assert_int_equal(count_good(s, n, HEED_FMT_TEXT, 0), 2);
    assert_int_equal(count_good(s, n, HEED_FMT_JSONL, big), 1);
    free(s);
}

/* A line longer than the window's first size, between good lines. */
static void line_across_refills(void **state)
{
    (void)state;
    memset(long_line, 'x', sizeof long_line);
    const size_t n = sizeof long_line;
    char *s = malloc(n + 16);
    assert_non_null(s);
    memcpy(s, "a\n", 2);
    memcpy(s + 2, long_line, n);
    memcpy(s + 2 + n, "\nb\n", 3);
    assert_int_equal(count_good(s, n + 5, HEED_FMT_TEXT, 0), 3);
    assert_int_equal(count_good(s, n + 5, HEED_FMT_TEXT, 100), 2);
    free(s);
}

static void kept_fields_jsonl(void **state)
{
    (void)state;
    static const char in[] = "{\"id\":\"m1\",\"text\":\"t\",\"meta\":{\"a\":1,\"b\":[true,null]},"
                             "\"n\":2.5,\"s\":\"\\u00e9\\\"\",\"meta\":{\"x\":0}}\n"
                             "{\"text\":\"u\"}\n";
    const char *keep[] = {"meta", "id", "nope", "n", "s"};
    heed_reader_opts o = {0};
    o.keep = keep;
    o.n_keep = 5;
    FILE *f = open_bytes(in, sizeof in - 1);
    heed_reader *r;
    heed_error err;
    assert_int_equal(heed_reader_new(f, &o, &r, &err), HEED_OK);
    heed_record rec;
    assert_int_equal(heed_reader_next(r, &rec, &err), 1);
    check_view(&rec.kept[0], "{\"a\":1,\"b\":[true,null]}", 0, "meta", 0);
    check_view(&rec.kept[1], "\"m1\"", 0, "id", 0);
    check_view(&rec.kept[2], ABSENT, 0, "nope", 0);
    check_view(&rec.kept[3], "2.5", 0, "n", 0);
    check_view(&rec.kept[4], "\"\xc3\xa9\\\"\"", 0, "s", 0);
    assert_int_equal(heed_reader_next(r, &rec, &err), 1);
    for (size_t k = 0; k < 5; k++)
        check_view(&rec.kept[k], ABSENT, 0, keep[k], 1);
    assert_int_equal(heed_reader_next(r, &rec, &err), 0);
    heed_reader_free(r);
    fclose(f);
}

static void kept_fields_csv_and_text(void **state)
{
    (void)state;
    static const char in[] = "id,text,extra\n1,hi,\"x \"\"y\"\"\ttab\\\"\n2,\"a\nb\",\n";
    const char *keep[] = {"extra", "missing", "text"};
    heed_reader_opts o = {0};
    o.keep = keep;
    o.n_keep = 3;
    FILE *f = open_bytes(in, sizeof in - 1);
    heed_reader *r;
    heed_error err;
    assert_int_equal(heed_reader_new(f, &o, &r, &err), HEED_OK);
    assert_int_equal(heed_reader_format(r), HEED_FMT_CSV);
    heed_record rec;
    assert_int_equal(heed_reader_next(r, &rec, &err), 1);
    check_view(&rec.kept[0], "\"x \\\"y\\\"\\ttab\\\\\"", 0, "extra", 0);
    check_view(&rec.kept[1], ABSENT, 0, "missing", 0);
    check_view(&rec.kept[2], "\"hi\"", 0, "text", 0);
    assert_int_equal(heed_reader_next(r, &rec, &err), 1);
    check_view(&rec.kept[0], "\"\"", 0, "extra", 1);
    check_view(&rec.kept[2], "\"a\\nb\"", 0, "text", 1);
    assert_int_equal(heed_reader_next(r, &rec, &err), 0);
    heed_reader_free(r);
    fclose(f);

    static const char txt[] = "line \x01 one\n";
    f = open_bytes(txt, sizeof txt - 1);
    o.format = HEED_FMT_TEXT;
    assert_int_equal(heed_reader_new(f, &o, &r, &err), HEED_OK);
    assert_int_equal(heed_reader_next(r, &rec, &err), 1);
    check_view(&rec.kept[0], ABSENT, 0, "extra", 0);
    check_view(&rec.kept[2], "\"line \\u0001 one\"", 0, "text", 0);
    heed_reader_free(r);
    fclose(f);
}

/* Every bad record is followed by the next good one, with the right line, for
 * each kind of error and each format. */
static void good_after_bad(void **state)
{
    (void)state;
    static const struct {
        heed_format fmt;
        const char *bad; /* one bad record of two lines' worth of line breaks or fewer */
        size_t bad_lines;
        int code;
    } kinds[] = {
        {HEED_FMT_JSONL, "{\"text\":", 1, HEED_EPARSE},
        {HEED_FMT_JSONL, "{\"id\":1}", 1, HEED_EFIELD},
        {HEED_FMT_JSONL, "{\"text\":\"\xff\"}", 1, HEED_EUTF8},
        {HEED_FMT_JSONL, "{\"text\":\"0123456789012345678901234567890123456789\"}", 1,
         HEED_ETOOBIG},
        {HEED_FMT_CSV, "1,2,3", 1, HEED_EPARSE},
        {HEED_FMT_CSV, "1,\"a\nb\"c", 2, HEED_EPARSE},
        {HEED_FMT_CSV, "1,\"\xfe\"", 1, HEED_EUTF8},
        {HEED_FMT_CSV, "1,\"0123456789\n0123456789\n0123456789\n0123456789\"", 4, HEED_ETOOBIG},
        {HEED_FMT_TEXT, "\xc3", 1, HEED_EUTF8},
        {HEED_FMT_TEXT, "0123456789012345678901234567890123456789", 1, HEED_ETOOBIG},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char in[512];
        const char *head = kinds[i].fmt == HEED_FMT_CSV ? "id,text\n" : "";
        const char *good = kinds[i].fmt == HEED_FMT_JSONL ? "{\"text\":\"g\"}"
                           : kinds[i].fmt == HEED_FMT_CSV ? "9,g"
                                                          : "g";
        int n = snprintf(in, sizeof in, "%s%s\n%s\r\n%s\n", head, good, kinds[i].bad, good);
        assert_true(n > 0 && (size_t)n < sizeof in);
        FILE *f = open_bytes(in, (size_t)n);
        heed_reader_opts o = {0};
        o.format = kinds[i].fmt;
        o.max_record = 30;
        heed_reader *r;
        heed_error err;
        assert_int_equal(heed_reader_new(f, &o, &r, &err), HEED_OK);
        const size_t first = *head ? 2 : 1;
        heed_record rec;
        assert_int_equal(heed_reader_next(r, &rec, &err), 1);
        assert_int_equal(rec.line, first);
        int rc = heed_reader_next(r, &rec, &err);
        if (rc != kinds[i].code)
            fail_msg("kind %zu: got %d (%s), expected %d", i, rc, err.msg, kinds[i].code);
        assert_int_equal(rec.line, first + 1);
        assert_int_equal(rec.index, 1);
        assert_int_equal(heed_reader_next(r, &rec, &err), 1);
        if (rec.line != first + 1 + kinds[i].bad_lines)
            fail_msg("kind %zu: good record on line %zu, expected %zu", i, rec.line,
                     first + 1 + kinds[i].bad_lines);
        assert_int_equal(rec.index, 2);
        check_view(&rec.field[HEED_F_TEXT], "g", 0, "text", 2);
        assert_int_equal(heed_reader_next(r, &rec, &err), 0);
        heed_reader_free(r);
        fclose(f);
    }
}

static void reads_a_file(void **state)
{
    (void)state;
    FILE *f = fopen(HEED_TEST_DATA "/reader/mixed.jsonl", "rb");
    assert_non_null(f);
    heed_reader_opts o = {0};
    o.name = "mixed.jsonl";
    heed_reader *r;
    heed_error err;
    assert_int_equal(heed_reader_new(f, &o, &r, &err), HEED_OK);
    heed_record rec;
    size_t good = 0, bad = 0;
    int rc;
    while ((rc = heed_reader_next(r, &rec, &err)) != 0)
        rc == 1 ? good++ : bad++;
    assert_int_equal(good, 4);
    assert_int_equal(bad, 2);
    heed_reader_free(r);
    fclose(f);
}

/* Fails the k-th allocation for every k until a run needs no failure: each run
 * must end in a clean error (ASan reports any leak) or read everything. */
static void allocation_failures(void **state)
{
    (void)state;
    static const struct {
        heed_format fmt;
        const char *in;
    } inputs[] = {
        {HEED_FMT_AUTO, "{\"text\":\"a\",\"id\":5,\"meta\":[1]}\n{\"text\":\"b\"}\n"},
        {HEED_FMT_AUTO, "id,text,meta\n1,\"a\nb\",x\n2,c,y\n"},
        {HEED_FMT_TEXT, "one\ntwo\n"},
    };
    const char *keep[] = {"meta", "text"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        bool completed = false;
        for (long k = 0; !completed && k < 100; k++) {
            FILE *f = open_bytes(inputs[i].in, strlen(inputs[i].in));
            heed_reader_opts o = {0};
            o.format = inputs[i].fmt;
            o.keep = keep;
            o.n_keep = 2;
            heed_reader *r;
            heed_error err;
            size_t good = 0;
            heed__alloc_fail_after(k);
            int rc = heed_reader_new(f, &o, &r, &err);
            if (rc == HEED_OK) {
                heed_record rec;
                while ((rc = heed_reader_next(r, &rec, &err)) != 0 && rc != HEED_ENOMEM)
                    good += rc == 1;
                heed_reader_free(r);
            }
            heed__alloc_fail_after(-1);
            assert_true(rc == 0 || rc == HEED_ENOMEM);
            completed = rc == 0 && good == 2;
            fclose(f);
        }
        assert_true(completed);
    }
}

static void bad_arguments(void **state)
{
    (void)state;
    heed_reader *r = (heed_reader *)1;
    heed_error err;
    assert_int_equal(heed_reader_new(NULL, NULL, &r, &err), HEED_EINVAL);
    assert_null(r);
    FILE *f = open_bytes("x", 1);
    heed_reader_opts o = {0};
    o.n_keep = 1;
    assert_int_equal(heed_reader_new(f, &o, &r, &err), HEED_EINVAL);
    o.n_keep = 0;
    o.format = (heed_format)99;
    assert_int_equal(heed_reader_new(f, &o, &r, &err), HEED_EINVAL);
    heed_reader_free(NULL);
    fclose(f);
    assert_string_equal(heed_field_default_names[HEED_F_TEXT], "text");
    assert_string_equal(heed_field_default_names[HEED_F_CHANNEL], "channel");
}

/* The JSON string check passes over plain bytes 8 at a time: against a byte
 * loop on 300,000 random runs of 0 to 40 bytes (quotes, backslashes, control
 * bytes, DEL, bytes of 0x80 and more, at any offset and near the end). */
static void json_plain_run(void **state)
{
    (void)state;
    static const unsigned char odd[] = {'"', '\\', 0, 0x1f, 0x20, 0x7f, 0x80, 0x9f, 0xa2,
                                        0xdc, 0xff, '\n', '\t', 0x21, 0x5b, 0x5d, 0x02};
    uint64_t rs = 3;
    char b[48];
    for (int round = 0; round < 300000; round++) {
        rs = rs * 6364136223846793005ull + 1442695040888963407ull;
        const size_t n = (size_t)(rs >> 33) % 41;
        const unsigned rate = 2 + (unsigned)(rs >> 20) % 40; /* one odd byte in `rate` */
        for (size_t k = 0; k < n; k++) {
            rs = rs * 6364136223846793005ull + 1442695040888963407ull;
            const unsigned r = (unsigned)(rs >> 33);
            b[k] = (char)(r % rate ? 'a' + r / rate % 26 : odd[r / rate % sizeof odd]);
        }
        rs = rs * 6364136223846793005ull + 1442695040888963407ull;
        const size_t i = n ? (size_t)(rs >> 33) % (n + 1) : 0;
        size_t want = i;
        while (want < n && (unsigned char)b[want] >= 0x20 && b[want] != '"' && b[want] != '\\')
            want++;
        const size_t got = heed__jsonl_plain_run(b, i, n);
        if (got != want)
            fail_msg("round %d: %zu bytes from %zu: stops at %zu, want %zu", round, n, i, got,
                     want);
    }
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(one_megabyte_line),   cmocka_unit_test(line_across_refills),
        cmocka_unit_test(kept_fields_jsonl),   cmocka_unit_test(kept_fields_csv_and_text),
        cmocka_unit_test(good_after_bad),      cmocka_unit_test(reads_a_file),
        cmocka_unit_test(allocation_failures), cmocka_unit_test(bad_arguments),
        cmocka_unit_test(json_plain_run),
    };
    const size_t n_cases = sizeof cases / sizeof cases[0];
    const size_t n_fixed = sizeof fixed / sizeof fixed[0];
    struct CMUnitTest *tests = calloc(n_cases + n_fixed, sizeof *tests);
    if (!tests)
        return 1;
    for (size_t i = 0; i < n_cases; i++) {
        tests[i].name = cases[i].name;
        tests[i].test_func = run_case;
        tests[i].initial_state = (void *)&cases[i];
    }
    memcpy(tests + n_cases, fixed, sizeof fixed);
    /* The table is built at run time, so call what cmocka_run_group_tests
     * expands to with the count given. */
    int failed = _cmocka_run_group_tests("reader", tests, n_cases + n_fixed, NULL, NULL);
    free(tests);
    return failed;
}
