/* test_writer.c - the server's ingest writer (src/server/writer.h) on a fresh
 * store, with jobs that write meta values: the jobs waiting go into one
 * transaction, a job that fails is undone alone, a job whose error ends the
 * whole transaction fails alone while the others are written again in a new
 * one, and a stopped writer refuses jobs after writing those it holds. The
 * test holds the writers' lock while it hands jobs over, so they wait
 * together; nothing is timed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "writer.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum { OK, FAILS, LOSES_TXN };

typedef struct tjob {
    heed_srv_job job; /* first */
    int kind;
    int runs; /* times write ran */
    char key[16];
} tjob;

typedef struct fixture {
    char dir[64], path[128];
    heed_srv_writer w;
    pthread_mutex_t write_mu;
    pthread_mutex_t mu; /* the wakes */
    pthread_cond_t cv;
    size_t woken;
    size_t committed_calls, committed_added;
} fixture;

static fixture *F;

static int job_write(heed_srv_job *jb, heed_store *st, size_t *added, heed_error *err)
{
    tjob *j = (tjob *)jb;
    j->runs++;
    int rc = heed_store_meta_set(st, j->key, "1", err);
    if (rc)
        return rc;
    if (j->kind == FAILS)
        return HEED_EIO;
    if (j->kind == LOSES_TXN) {
        heed_store_rollback(st); /* as an I/O error that ends the transaction */
        return HEED_EIO;
    }
    *added = 1;
    return HEED_OK;
}

static void job_wake(heed_srv_job *jb)
{
    (void)jb;
    pthread_mutex_lock(&F->mu);
    F->woken++;
    pthread_cond_broadcast(&F->cv);
    pthread_mutex_unlock(&F->mu);
}

static void committed(void *arg, size_t added)
{
    fixture *f = arg;
    f->committed_calls++; /* the writer thread only */
    f->committed_added += added;
}

static void wait_woken(size_t n)
{
    pthread_mutex_lock(&F->mu);
    while (F->woken < n)
        pthread_cond_wait(&F->cv, &F->mu);
    pthread_mutex_unlock(&F->mu);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/heed-test-writer-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/s.db", f->dir);
    pthread_mutex_init(&f->write_mu, NULL);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    heed_error err = {0};
    if (heed_srv_writer_start(&f->w, f->path, &f->write_mu, committed, f, &err) != HEED_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    F = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    heed_srv_writer_stop(&f->w);
    heed_srv_writer_release(&f->w);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    pthread_mutex_destroy(&f->write_mu);
    char p[160];
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < N(suffix); i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Hands over jobs of the given kinds while holding the writers' lock, so
 * they all wait for one transaction, and waits for every wake. */
static void run(tjob *jobs, const int *kinds, size_t n)
{
    size_t before = F->woken;
    pthread_mutex_lock(&F->write_mu);
    for (size_t i = 0; i < n; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].kind = kinds[i];
        jobs[i].job.write = job_write;
        jobs[i].job.wake = job_wake;
        snprintf(jobs[i].key, sizeof jobs[i].key, "job%zu", before + i);
        assert_int_equal(heed_srv_writer_submit(&F->w, &jobs[i].job), HEED_OK);
    }
    pthread_mutex_unlock(&F->write_mu);
    wait_woken(before + n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(atomic_load(&jobs[i].job.done), 1);
}

/* 1 when the job's meta value is in the store (read through a handle of
 * the test's own). */
static int stored(const tjob *j)
{
    heed_store *st;
    heed_error err = {0};
    assert_int_equal(heed_store_open(F->path, &st, &err), HEED_OK);
    char *v = NULL;
    assert_int_equal(heed_store_meta_get(st, j->key, &v, &err), HEED_OK);
    int found = v != NULL;
    free(v);
    heed_store_close(st);
    return found;
}

static void test_group(void **state)
{
    (void)state;
    tjob jobs[20];
    int kinds[N(jobs)] = {0};
    run(jobs, kinds, N(jobs));
    for (size_t i = 0; i < N(jobs); i++) {
        assert_int_equal(jobs[i].job.rc, HEED_OK);
        assert_int_equal(jobs[i].runs, 1);
        assert_true(stored(&jobs[i]));
    }
    assert_int_equal(atomic_load(&F->w.commits), 1);
    assert_int_equal(atomic_load(&F->w.committed_jobs), N(jobs));
    assert_int_equal(atomic_load(&F->w.pending), 0);
    assert_int_equal(F->committed_calls, 1);
    assert_int_equal(F->committed_added, N(jobs));
}

static void test_one_fails(void **state)
{
    (void)state;
    tjob jobs[5];
    const int kinds[N(jobs)] = {OK, OK, FAILS, OK, OK};
    run(jobs, kinds, N(jobs));
    for (size_t i = 0; i < N(jobs); i++) {
        assert_int_equal(jobs[i].job.rc, kinds[i] == FAILS ? HEED_EIO : HEED_OK);
        assert_int_equal(stored(&jobs[i]), kinds[i] == OK);
    }
    assert_int_equal(atomic_load(&F->w.commits), 1);
    assert_int_equal(atomic_load(&F->w.committed_jobs), 4);
    assert_int_equal(F->committed_added, 4);
}

static void test_transaction_lost(void **state)
{
    (void)state;
    tjob jobs[5];
    const int kinds[N(jobs)] = {OK, OK, LOSES_TXN, OK, FAILS};
    run(jobs, kinds, N(jobs));
    for (size_t i = 0; i < N(jobs); i++) {
        assert_int_equal(jobs[i].job.rc, kinds[i] == OK ? HEED_OK : HEED_EIO);
        assert_int_equal(stored(&jobs[i]), kinds[i] == OK);
    }
    /* the two before the lost transaction were written again, with the one
     * after it, in the next transaction */
    assert_int_equal(jobs[0].runs, 2);
    assert_int_equal(jobs[1].runs, 2);
    assert_int_equal(jobs[2].runs, 1);
    assert_int_equal(jobs[3].runs, 1);
    assert_int_equal(atomic_load(&F->w.commits), 1);
    assert_int_equal(atomic_load(&F->w.committed_jobs), 3);
    assert_int_equal(F->committed_added, 3);
}

static void test_stop(void **state)
{
    (void)state;
    tjob jobs[3];
    size_t before = F->woken;
    pthread_mutex_lock(&F->write_mu);
    for (size_t i = 0; i < N(jobs); i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].job.write = job_write;
        jobs[i].job.wake = job_wake;
        snprintf(jobs[i].key, sizeof jobs[i].key, "stop%zu", i);
        assert_int_equal(heed_srv_writer_submit(&F->w, &jobs[i].job), HEED_OK);
    }
    pthread_mutex_unlock(&F->write_mu);
    /* stop writes and wakes what it holds before it returns */
    heed_srv_writer_stop(&F->w);
    assert_int_equal(F->woken, before + N(jobs));
    for (size_t i = 0; i < N(jobs); i++) {
        assert_int_equal(jobs[i].job.rc, HEED_OK);
        assert_true(stored(&jobs[i]));
    }
    tjob late = {.job = {.write = job_write, .wake = job_wake}};
    assert_int_equal(heed_srv_writer_submit(&F->w, &late.job), 1);
    assert_int_equal(late.runs, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
