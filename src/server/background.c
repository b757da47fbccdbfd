/* background.c - the server's background thread: after ingests it runs the
 * identity pass (heed_relink_incremental) over what they added, debounced so a burst
 * of webhook posts costs one pass. Requests
 * never wait for it (docs/api.md, "Ingest"). After each pass it nudges the
 * webhook thread (webhooks.c). */
#include <stdio.h>
#include <time.h>

#include "resolve.h"
#include "server_int.h"

/* a pass starts this long after the first ingest that asks for one, taking
 * in every ingest that arrives meanwhile */
#define DEBOUNCE_MS 200

static void relink_pass(heed_server *S, heed_store *st)
{
    heed_error err = {0};
    pthread_mutex_lock(&S->write_mu);
    /* only the parties new since the last pass and what they reach (the
     * result a full pass would give; a full pass when they are too many):
     * the writer waits while this holds the lock, and a full pass grows with
     * the whole store */
    /* the customers it moves records to or from are marked for deciding
     * again in its own transaction (store schema 10): the next reader of the
     * queue decides only those */
    int rc = heed_relink_incremental(st, 0, NULL, &err);
    pthread_mutex_unlock(&S->write_mu);
    if (rc)
        fprintf(stderr, "heed serve: identity pass failed: %s\n", err.msg);
    else
        heed_srv_wh_kick(S);
}

static void *bg_main(void *arg)
{
    heed_server *S = arg;
    heed_store *st = NULL;
    heed_error err = {0};
    if (heed_store_open(S->o.db_path, &st, &err)) {
        fprintf(stderr, "heed serve: background thread: %s\n", err.msg);
        return NULL;
    }
    pthread_mutex_lock(&S->bg.mu);
    for (;;) {
        while (!S->bg_pending && !S->bg.stop)
            pthread_cond_wait(&S->bg.cv, &S->bg.mu);
        if (!S->bg_pending && S->bg.stop)
            break;
        if (!S->bg.stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += DEBOUNCE_MS * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            while (!S->bg.stop &&
                   pthread_cond_timedwait(&S->bg.cv, &S->bg.mu, &until) == 0)
                ;
        }
        S->bg_pending = 0;
        pthread_mutex_unlock(&S->bg.mu);
        relink_pass(S, st);
        pthread_mutex_lock(&S->bg.mu);
    }
    pthread_mutex_unlock(&S->bg.mu);
    heed_store_close(st);
    return NULL;
}

int heed_srv_bg_start(heed_server *S, heed_error *err)
{
    return heed_srv_thread_start(&S->bg, bg_main, S, "background", err);
}

void heed_srv_bg_stop(heed_server *S)
{
    heed_srv_thread_stop(&S->bg);
}

void heed_srv_ingested(heed_server *S)
{
    pthread_mutex_lock(&S->bg.mu);
    S->bg_pending = 1;
    pthread_cond_signal(&S->bg.cv);
    pthread_mutex_unlock(&S->bg.mu);
}
