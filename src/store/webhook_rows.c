/* webhook_rows.c - the outgoing webhooks of `heed serve` in the SQLite store:
 * the configured URLs, the announcements to deliver with every attempt, and
 * what was already announced (store.h, "webhooks"). Statements are prepared
 * per call: these run a few times a second at most. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Prepares sql; NULL with err set on failure. */
static sqlite3_stmt *prep(heed_store *st, const char *sql, const char *what, heed_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        heed__st_fail(st, err, what);
        return NULL;
    }
    return s;
}

/* Steps a write statement to its end and finalizes it. */
static int run(heed_store *st, sqlite3_stmt *s, const char *what, heed_error *err)
{
    int r = sqlite3_step(s);
    int rc = r == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, what);
    sqlite3_finalize(s);
    return rc;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

int heed_store_webhook_add(heed_store *st, const heed_st_webhook *w, int64_t *id,
                           heed_error *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO webhook(url, events, secret, created) VALUES(?,?,?,?)",
                           "add webhook", err);
    if (!s)
        return HEED_EIO;
    heed__st_text(s, 1, w->url);
    heed__st_text(s, 2, w->events);
    heed__st_text(s, 3, w->secret);
    sqlite3_bind_int64(s, 4, w->created);
    int rc = run(st, s, "add webhook", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int heed_store_webhook_remove(heed_store *st, int64_t id, int64_t t, int *found,
                              heed_error *err)
{
    *found = 0;
    int rc = heed_store_begin(st, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = prep(st, "UPDATE webhook SET disabled=? WHERE id=? AND disabled IS NULL",
                           "remove webhook", err);
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_int64(s, 2, id);
    if ((rc = run(st, s, "remove webhook", err)))
        goto fail;
    *found = sqlite3_changes(st->db) > 0;
    s = prep(st,
             "UPDATE webhook_delivery SET next_try=NULL, error='webhook removed' "
             "WHERE webhook=? AND next_try IS NOT NULL",
             "remove webhook", err);
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    if ((rc = run(st, s, "remove webhook", err)))
        goto fail;
    return heed_store_commit(st, err);
fail:
    heed_store_rollback(st);
    return HEED_EIO;
}

int heed_store_webhooks(heed_store *st, int active_only, heed_st_webhook_fn fn, void *ctx,
                        heed_error *err)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, url, events, secret, created, disabled FROM webhook "
                           "WHERE ?1 = 0 OR disabled IS NULL ORDER BY id",
                           "list webhooks", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int(s, 1, active_only);
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        heed_st_webhook w = {.id = sqlite3_column_int64(s, 0),
                             .url = col_text(s, 1),
                             .events = col_text(s, 2),
                             .secret = col_text(s, 3),
                             .created = sqlite3_column_int64(s, 4),
                             .disabled = sqlite3_column_int64(s, 5)};
        if ((rc = fn(ctx, &w)) != 0)
            break;
    }
    if (rc == HEED_OK && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "list webhooks");
    sqlite3_finalize(s);
    return rc;
}

int heed_store_webhook_seen_add(heed_store *st, const char *event, int64_t customer,
                                const char *key, int64_t t, int *is_new, heed_error *err)
{
    *is_new = 0;
    sqlite3_stmt *s = prep(st,
                           "INSERT OR IGNORE INTO webhook_seen(event, customer, key, time) "
                           "VALUES(?,?,?,?)",
                           "remember announcement", err);
    if (!s)
        return HEED_EIO;
    heed__st_text(s, 1, event);
    sqlite3_bind_int64(s, 2, customer);
    heed__st_text(s, 3, key);
    sqlite3_bind_int64(s, 4, t);
    int rc = run(st, s, "remember announcement", err);
    if (!rc)
        *is_new = sqlite3_changes(st->db) > 0;
    return rc;
}

int heed_store_webhook_seen_prune(heed_store *st, double min_score, heed_error *err)
{
    sqlite3_stmt *s = prep(st,
                           "DELETE FROM webhook_seen WHERE event='queue.entered' AND customer "
                           "NOT IN (SELECT person FROM person_state WHERE score >= ?)",
                           "forget announcements", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_double(s, 1, min_score);
    return run(st, s, "forget announcements", err);
}

int heed_store_delivery_add(heed_store *st, const heed_st_delivery *d, int64_t *id,
                            heed_error *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO webhook_delivery(webhook, event, customer, payload, "
                           "next_try, created) VALUES(?,?,?,?,?,?)",
                           "queue delivery", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, d->webhook);
    heed__st_text(s, 2, d->event);
    sqlite3_bind_int64(s, 3, d->customer);
    heed__st_text(s, 4, d->payload);
    sqlite3_bind_int64(s, 5, d->next_try);
    sqlite3_bind_int64(s, 6, d->created);
    int rc = run(st, s, "queue delivery", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int heed_store_deliveries_due(heed_store *st, int64_t now_ms, size_t limit,
                              heed_st_delivery_fn fn, void *ctx, heed_error *err)
{
    sqlite3_stmt *s = prep(
        st,
        "SELECT d.id, d.webhook, d.event, d.customer, d.payload, d.attempt, d.status_code, "
        "d.error, d.next_try, d.delivered, d.created, w.url, w.secret FROM webhook_delivery d "
        "JOIN webhook w ON w.id = d.webhook WHERE d.next_try IS NOT NULL AND d.next_try <= ? "
        "AND w.disabled IS NULL ORDER BY d.next_try, d.id LIMIT ?",
        "list deliveries", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, now_ms);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)(limit > INT32_MAX ? INT32_MAX : limit));
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        heed_st_delivery d = {.id = sqlite3_column_int64(s, 0),
                              .webhook = sqlite3_column_int64(s, 1),
                              .event = col_text(s, 2),
                              .customer = sqlite3_column_int64(s, 3),
                              .payload = col_text(s, 4),
                              .attempt = sqlite3_column_int(s, 5),
                              .status_code = sqlite3_column_int(s, 6),
                              .error = col_text(s, 7),
                              .next_try = sqlite3_column_int64(s, 8),
                              .delivered = sqlite3_column_int64(s, 9),
                              .created = sqlite3_column_int64(s, 10),
                              .url = col_text(s, 11),
                              .secret = col_text(s, 12)};
        if ((rc = fn(ctx, &d)) != 0)
            break;
    }
    if (rc == HEED_OK && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "list deliveries");
    sqlite3_finalize(s);
    return rc;
}

int heed_store_delivery_next(heed_store *st, int64_t *next_ms, int *any, heed_error *err)
{
    *any = 0;
    *next_ms = 0;
    sqlite3_stmt *s = prep(st,
                           "SELECT min(d.next_try) FROM webhook_delivery d JOIN webhook w ON "
                           "w.id = d.webhook WHERE d.next_try IS NOT NULL AND "
                           "w.disabled IS NULL",
                           "next delivery", err);
    if (!s)
        return HEED_EIO;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        *any = 1;
        *next_ms = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return r == SQLITE_ROW || r == SQLITE_DONE ? HEED_OK : heed__st_fail(st, err, "next delivery");
}

int heed_store_delivery_attempt(heed_store *st, int64_t id, int attempt, int64_t t,
                                int status_code, const char *error, int64_t next_try,
                                int64_t delivered, heed_error *err)
{
    int rc = heed_store_begin(st, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = prep(st,
                           "INSERT OR REPLACE INTO webhook_attempt(delivery, attempt, time, "
                           "status_code, error) VALUES(?,?,?,?,?)",
                           "log delivery attempt", err);
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, attempt);
    sqlite3_bind_int64(s, 3, t);
    if (status_code)
        sqlite3_bind_int(s, 4, status_code);
    else
        sqlite3_bind_null(s, 4);
    heed__st_text(s, 5, error);
    if ((rc = run(st, s, "log delivery attempt", err)))
        goto fail;
    s = prep(st,
             "UPDATE webhook_delivery SET attempt=?, status_code=?, error=?, next_try=?, "
             "delivered=? WHERE id=?",
             "log delivery attempt", err);
    if (!s)
        goto fail;
    sqlite3_bind_int(s, 1, attempt);
    if (status_code)
        sqlite3_bind_int(s, 2, status_code);
    else
        sqlite3_bind_null(s, 2);
    heed__st_text(s, 3, error);
    if (next_try)
        sqlite3_bind_int64(s, 4, next_try);
    else
        sqlite3_bind_null(s, 4);
    if (delivered)
        sqlite3_bind_int64(s, 5, delivered);
    else
        sqlite3_bind_null(s, 5);
    sqlite3_bind_int64(s, 6, id);
    if ((rc = run(st, s, "log delivery attempt", err)))
        goto fail;
    return heed_store_commit(st, err);
fail:
    heed_store_rollback(st);
    return HEED_EIO;
}

int heed_store_webhook_log(heed_store *st, size_t limit, heed_st_attempt_fn fn, void *ctx,
                           heed_error *err)
{
    sqlite3_stmt *s = prep(
        st,
        "SELECT a.delivery, d.webhook, d.customer, a.time, d.event, a.attempt, a.status_code, "
        "a.error, d.next_try, d.delivered FROM webhook_attempt a JOIN webhook_delivery d ON "
        "d.id = a.delivery ORDER BY a.time DESC, a.delivery DESC, a.attempt DESC LIMIT ?",
        "read delivery log", err);
    if (!s)
        return HEED_EIO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)(limit > INT32_MAX ? INT32_MAX : limit));
    int rc = HEED_OK, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        heed_st_attemptrow a = {.delivery = sqlite3_column_int64(s, 0),
                                .webhook = sqlite3_column_int64(s, 1),
                                .customer = sqlite3_column_int64(s, 2),
                                .time = sqlite3_column_int64(s, 3),
                                .event = col_text(s, 4),
                                .attempt = sqlite3_column_int(s, 5),
                                .status_code = sqlite3_column_int(s, 6),
                                .error = col_text(s, 7),
                                .next_try = sqlite3_column_int64(s, 8),
                                .delivered = sqlite3_column_int64(s, 9)};
        if ((rc = fn(ctx, &a)) != 0)
            break;
    }
    if (rc == HEED_OK && r != SQLITE_DONE)
        rc = heed__st_fail(st, err, "read delivery log");
    sqlite3_finalize(s);
    return rc;
}
