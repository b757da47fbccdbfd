/* apikeys.c - the API keys of `heed serve` in the SQLite store: put, find by
 * hash, revoke, touch, list. Only a keyed hash of a key is ever stored. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static void row(sqlite3_stmt *s, heed_st_apikey *k)
{
    memset(k, 0, sizeof *k);
    k->id = sqlite3_column_int64(s, 0);
    const void *h = sqlite3_column_blob(s, 1);
    if (h && sqlite3_column_bytes(s, 1) == HEED_ST_KEYHASH_LEN)
        memcpy(k->hash, h, HEED_ST_KEYHASH_LEN);
    k->prefix = (const char *)sqlite3_column_text(s, 2);
    k->role = (const char *)sqlite3_column_text(s, 3);
    k->team = (const char *)sqlite3_column_text(s, 4);
    k->agent = (const char *)sqlite3_column_text(s, 5);
    k->name = (const char *)sqlite3_column_text(s, 6);
    k->created = sqlite3_column_int64(s, 7);
    k->last_used = sqlite3_column_int64(s, 8);
    k->revoked = sqlite3_column_int64(s, 9);
}

#define KEY_COLUMNS "id, hash, prefix, role, team, agent, name, created, last_used, revoked"

int heed_store_apikey_put(heed_store *st, const heed_st_apikey *k, int64_t *id,
                          heed_error *err)
{
    char agent[HEED_STORE_AGENT_MAX];
    if (k->agent && strlen(k->agent) < sizeof agent) {
        int rc = heed_store_agent_id(st, k->agent, agent, sizeof agent, err);
        if (rc)
            return rc;
    }
    sqlite3_stmt *s = heed__st_prep(st, ST_KEY_PUT,
                                    "INSERT INTO api_key(hash, prefix, role, team, agent, name, "
                                    "created) VALUES(?,?,?,?,?,?,?)",
                                    err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_blob(s, 1, k->hash, HEED_ST_KEYHASH_LEN, SQLITE_TRANSIENT);
    heed__st_text(s, 2, k->prefix ? k->prefix : "");
    heed__st_text(s, 3, k->role);
    heed__st_text(s, 4, k->team);
    heed__st_text(s, 5, k->agent && strlen(k->agent) < sizeof agent ? agent : k->agent);
    heed__st_text(s, 6, k->name);
    sqlite3_bind_int64(s, 7, k->created);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "add API key");
    if (id)
        *id = sqlite3_last_insert_rowid(st->db);
    return HEED_OK;
}

int heed_store_apikey_find(heed_store *st, const unsigned char hash[HEED_ST_KEYHASH_LEN],
                           heed_st_apikey_fn fn, void *ctx, int *found, heed_error *err)
{
    *found = 0;
    sqlite3_stmt *s = heed__st_prep(st, ST_KEY_FIND,
                                    "SELECT " KEY_COLUMNS " FROM api_key WHERE hash=?", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_blob(s, 1, hash, HEED_ST_KEYHASH_LEN, SQLITE_TRANSIENT);
    int r = sqlite3_step(s), rc = HEED_OK;
    if (r == SQLITE_ROW) {
        heed_st_apikey k;
        row(s, &k);
        *found = 1;
        rc = fn(ctx, &k);
    } else if (r != SQLITE_DONE) {
        rc = heed__st_fail(st, err, "find API key");
    }
    sqlite3_reset(s); /* no read left open */
    return rc;
}

int heed_store_apikey_revoke(heed_store *st, int64_t id, int64_t t, int *found,
                             heed_error *err)
{
    *found = 0;
    sqlite3_stmt *s = heed__st_prep(
        st, ST_KEY_REVOKE, "UPDATE api_key SET revoked=? WHERE id=? AND revoked IS NULL", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_int64(s, 2, id);
    if (sqlite3_step(s) != SQLITE_DONE)
        return heed__st_fail(st, err, "revoke API key");
    *found = sqlite3_changes(st->db) > 0;
    return HEED_OK;
}

int heed_store_apikey_touch(heed_store *st, int64_t id, int64_t t, heed_error *err)
{
    sqlite3_stmt *s = heed__st_prep(
        st, ST_KEY_TOUCH,
        "UPDATE api_key SET last_used=?1 WHERE id=?2 AND (last_used IS NULL OR last_used<?1)",
        err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_int64(s, 2, id);
    return sqlite3_step(s) == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "touch API key");
}

int heed_store_apikeys(heed_store *st, heed_st_apikey_fn fn, void *ctx, heed_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT " KEY_COLUMNS " FROM api_key ORDER BY id", -1, &s,
                           NULL) != SQLITE_OK)
        return heed__st_fail(st, err, "list API keys");
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        heed_st_apikey k;
        row(s, &k);
        if ((rc = fn(ctx, &k)) != 0)
            break;
    }
    if (rc == HEED_OK && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "list API keys");
    sqlite3_finalize(s);
    return rc;
}
