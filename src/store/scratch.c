/* scratch.c - the temporary key-value map of scratch.h: one table, keys and
 * values as blobs, in a database opened with an empty name (SQLite's private
 * temporary database), one transaction from open to close, no journal. */
#include "scratch.h"

#include <sqlite3.h>
#include <stdio.h>

#include "alloc.h"

struct heed_scratch {
    sqlite3 *db;
    sqlite3_stmt *get, *put;
};

static int fail(heed_scratch *s, heed_error *err, const char *what)
{
    if (err) {
        err->code = HEED_EIO;
        err->pos = 0;
        snprintf(err->msg, sizeof err->msg, "temporary map: %s: %s", what,
                 s && s->db ? sqlite3_errmsg(s->db) : "cannot open");
    }
    return HEED_EIO;
}

int heed_scratch_open(heed_scratch **out, heed_error *err)
{
    *out = NULL;
    heed_scratch *s = heed__malloc(sizeof *s);
    if (!s) {
        if (err) {
            err->code = HEED_ENOMEM;
            snprintf(err->msg, sizeof err->msg, "out of memory");
        }
        return HEED_ENOMEM;
    }
    s->db = NULL;
    s->get = s->put = NULL;
    char sql[256];
    snprintf(sql, sizeof sql,
             "PRAGMA cache_size=-%zu; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
             "CREATE TABLE m(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID; BEGIN;",
             HEED_SCRATCH_CACHE >> 10);
    if (sqlite3_open_v2("", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "SELECT v FROM m WHERE k = ?1", -1, &s->get, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO m VALUES (?1, ?2)", -1, &s->put,
                           NULL) != SQLITE_OK) {
        const int rc = fail(s, err, "open");
        heed_scratch_close(s);
        return rc;
    }
    *out = s;
    return HEED_OK;
}

int heed_scratch_get(heed_scratch *s, const char *k, size_t kn, const char **v, size_t *vn,
                     heed_error *err)
{
    sqlite3_reset(s->get);
    sqlite3_bind_blob(s->get, 1, kn ? k : "", (int)kn, SQLITE_STATIC);
    const int rc = sqlite3_step(s->get);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return fail(s, err, "read");
    *v = sqlite3_column_blob(s->get, 0);
    *vn = (size_t)sqlite3_column_bytes(s->get, 0);
    if (!*v)
        *v = "";
    return 1;
}

int heed_scratch_put(heed_scratch *s, const char *k, size_t kn, const char *v, size_t vn,
                     heed_error *err)
{
    sqlite3_reset(s->put);
    sqlite3_bind_blob(s->put, 1, kn ? k : "", (int)kn, SQLITE_STATIC);
    sqlite3_bind_blob(s->put, 2, vn ? v : "", (int)vn, SQLITE_STATIC);
    const int rc = sqlite3_step(s->put);
    sqlite3_reset(s->put);
    return rc == SQLITE_DONE ? HEED_OK : fail(s, err, "write");
}

void heed_scratch_close(heed_scratch *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->get);
    sqlite3_finalize(s->put);
    sqlite3_close(s->db);
    heed__free(s);
}
