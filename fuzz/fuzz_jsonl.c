/* fuzz_jsonl.c - fuzz target for the record reader in JSON-lines mode, and the
 * invariant checks shared by all three reader targets: fuzz_csv.c and
 * fuzz_text.c include this file with another FUZZ_FORMAT (each target must be
 * one file for fuzz/CMakeLists.txt).
 *
 * Each input is read twice: with the default record limit, and with a small one
 * taken from its first byte plus kept fields. Both runs must keep the reader's
 * contract (codes, lines, views, UTF-8), and every record the small run does not
 * reject as too big must come out of both runs alike. Violations abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heed/heed.h"
#include "reader.h"

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT HEED_FMT_JSONL
#endif
#ifndef FUZZ_FORMAT2 /* the second run's format */
#define FUZZ_FORMAT2 FUZZ_FORMAT
#endif

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

typedef struct seen {
    size_t line;
    int rc;
    size_t text_len;
} seen;

static int is_valid_utf8(heed_view v)
{
    return heed_utf8_validate(v.ptr, v.len, NULL) == HEED_OK;
}

static int message_ok(const heed_error *e)
{
    const char *end = memchr(e->msg, '\0', sizeof e->msg);
    return end && end > e->msg;
}

/* Reads all of data; returns the records in *out (caller frees) or NULL when
 * heed_reader_new refused the input. */
static seen *read_all(const uint8_t *data, size_t size, heed_format fmt, size_t max_record,
                      int keep_fields, size_t *n_out)
{
    static const char *const keep[] = {"text", "meta", "id", "x"};
    *n_out = 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return NULL; /* not the reader's fault */
    heed_reader_opts o = {0};
    o.format = fmt;
    o.max_record = max_record;
    if (keep_fields) {
        o.keep = keep;
        o.n_keep = sizeof keep / sizeof keep[0];
    }
    heed_reader *r = NULL;
    heed_error err;
    memset(&err, 0, sizeof err);
    int rc = heed_reader_new(f, &o, &r, &err);
    if (rc != HEED_OK) {
        CHECK(r == NULL);
        CHECK(rc == HEED_EPARSE || rc == HEED_EUTF8 || rc == HEED_ETOOBIG);
        CHECK(fmt == HEED_FMT_CSV);
        CHECK(message_ok(&err));
        fclose(f);
        return NULL;
    }
    const heed_format used = heed_reader_format(r);
    CHECK(fmt == HEED_FMT_AUTO ? used != HEED_FMT_AUTO : used == fmt);
    const size_t limit = max_record ? max_record : (size_t)-1;

    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    seen *out = malloc((size + 1) * sizeof *out);
    CHECK(out != NULL);
    size_t n = 0, last_line = 0;
    heed_record rec;
    while ((rc = heed_reader_next(r, &rec, &err)) != 0) {
        /* Each record takes at least one byte: no more records than bytes. */
        CHECK(n < size);
        CHECK(rc == 1 || rc == HEED_EUTF8 || rc == HEED_EPARSE || rc == HEED_EFIELD ||
              rc == HEED_ETOOBIG);
        CHECK(rec.index == n);
        CHECK(rec.line > last_line && rec.line <= lines);
        last_line = rec.line;
        CHECK(rec.raw.ptr != NULL && rec.raw.len <= size && rec.raw.len <= limit);
        if (used != HEED_FMT_CSV)
            CHECK(memchr(rec.raw.ptr, '\n', rec.raw.len) == NULL);
        if (rc == 1) {
            const heed_view t = rec.field[HEED_F_TEXT];
            CHECK(t.ptr != NULL && t.len <= rec.raw.len);
            for (size_t k = 0; k < HEED_F_COUNT; k++)
                if (rec.field[k].ptr)
                    CHECK(is_valid_utf8(rec.field[k]));
            if (used == HEED_FMT_TEXT) {
                CHECK(t.ptr == rec.raw.ptr && t.len == rec.raw.len);
                CHECK(rec.field[HEED_F_ID].ptr == NULL);
            }
            for (size_t k = 0; k < o.n_keep; k++) {
                const heed_view v = rec.kept[k];
                if (!v.ptr)
                    continue;
                CHECK(v.len > 0 && is_valid_utf8(v));
                if (used != HEED_FMT_JSONL)
                    CHECK(v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"');
            }
        } else {
            CHECK(err.code == rc && message_ok(&err));
            if (rc == HEED_EUTF8)
                CHECK(err.pos < rec.raw.len);
            if (rc == HEED_EPARSE)
                CHECK(err.pos <= rec.raw.len);
            if (rc == HEED_ETOOBIG)
                CHECK(rec.raw.len == limit);
        }
        out[n].line = rec.line;
        out[n].rc = rc;
        out[n].text_len = rc == 1 ? rec.field[HEED_F_TEXT].len : 0;
        n++;
    }
    /* The end stays the end. */
    CHECK(heed_reader_next(r, &rec, &err) == 0);
    heed_reader_free(r);
    fclose(f);
    *n_out = n;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n_full, n_small;
    seen *full = read_all(data, size, FUZZ_FORMAT, 0, 0, &n_full);
    const size_t small = 1 + (size ? data[0] % 48 : 0);
    seen *part = read_all(data, size, FUZZ_FORMAT2, small, 1, &n_small);
    if (full && part && FUZZ_FORMAT == FUZZ_FORMAT2) {
        /* Same record boundaries: a record not too big in the small run is the
         * record on the same line in the full run, with the same outcome. */
        size_t j = 0;
        for (size_t i = 0; i < n_small; i++) {
            if (part[i].rc == HEED_ETOOBIG)
                continue;
            while (j < n_full && full[j].line < part[i].line)
                j++;
            CHECK(j < n_full && full[j].line == part[i].line);
            CHECK(full[j].rc == part[i].rc && full[j].text_len == part[i].text_len);
        }
    }
    free(full);
    free(part);
    return 0;
}
