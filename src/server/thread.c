/* thread.c - the server's own threads beside libmicrohttpd's (the identity
 * pass, the webhooks, the queue's periodic pass): started and stopped the
 * same way. */
#include <stdio.h>

#include "server_int.h"

int heed_srv_thread_start(heed_srv_thread *th, void *(*fn)(void *), void *arg, const char *what,
                          heed_error *err)
{
    pthread_mutex_init(&th->mu, NULL);
    pthread_cond_init(&th->cv, NULL);
    th->stop = 0;
    if (pthread_create(&th->t, NULL, fn, arg)) {
        snprintf(err->msg, sizeof err->msg, "cannot start the %s thread", what);
        err->code = HEED_ENOMEM;
        pthread_cond_destroy(&th->cv);
        pthread_mutex_destroy(&th->mu);
        return HEED_ENOMEM;
    }
    th->started = 1;
    return HEED_OK;
}

void heed_srv_thread_stop(heed_srv_thread *th)
{
    if (!th->started)
        return;
    pthread_mutex_lock(&th->mu);
    th->stop = 1;
    pthread_cond_broadcast(&th->cv);
    pthread_mutex_unlock(&th->mu);
    pthread_join(th->t, NULL);
    pthread_cond_destroy(&th->cv);
    pthread_mutex_destroy(&th->mu);
    th->started = 0;
}
