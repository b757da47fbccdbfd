/* reanalyze.c - `heed reanalyze`: after a model or rule upgrade, re-scores
 * every stored message analysed by other models (each message keeps the name
 * of the models that scored it), from its stored text, with each reply's
 * context rebuilt from the conversation. Runs on all cores, commits in
 * batches; stopping and running it again carries on where it stopped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "context.h"
#include "import.h"
#include "person.h"
#include "store.h"

static const char HELP[] =
    "Usage: heed reanalyze [OPTIONS]\n"
    "\n"
    "Re-scores the stored messages that were analysed by other models than this\n"
    "heed's (after an upgrade), then recomputes the act-now queue lazily.\n"
    "\n"
    "  --db PATH      the store (default: heed.db, or $HEED_DB)\n"
    "  --all          re-score every message, not only the outdated ones\n"
    "  -j, --threads N  analysis threads (default: all cores)\n"
    "  -q, --quiet    no summary\n"
    "\n"
    "Exit codes: 0 done, 1 some messages could not be re-scored, 2 usage or store\n"
    "error, 3 internal error.\n";

extern const heed_import_kind heed_import_kinds[];

/* Adds a row for message m (text copied) to the batch. */
static int add(heed_import_batch *b, const heed_st_msgrow *m, const char *ctx, size_t ctx_len)
{
    heed_import_row *r = heed_import_batch_add(b, NULL);
    if (!r)
        return -1;
    for (int i = 0; i < HEED_IMPORT_MAX_FIELDS; i++)
        r->v[i] = (size_t)-1;
    r->v[M_TEXT] = b->store.len;
    r->text_len = strlen(m->text ? m->text : "");
    heed__buf_add(&b->store, m->text ? m->text : "", r->text_len);
    heed__buf_addc(&b->store, '\0');
    if (ctx_len) {
        r->ctx = b->store.len;
        heed__buf_add(&b->store, ctx, ctx_len);
        heed__buf_addc(&b->store, '\0');
        r->ctx_len = ctx_len;
    }
    r->role = m->role;
    r->time = m->time;
    r->tz = m->tz_min;
    r->m.time = m->time;
    r->line = (size_t)m->id; /* the store's message id rides in line */
    return b->store.err ? -1 : 0;
}

static int flush(heed_import *im, heed_import_batch *b, size_t *done, size_t *failed)
{
    if (!b->n)
        return 0;
    if (heed_import_analyse(im, b))
        return -1;
    heed_error err = {0};
    if (heed_store_begin(im->st, &err) != HEED_OK) {
        fprintf(stderr, "heed reanalyze: %s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < b->n; i++) {
        heed_import_row *r = &b->rows[i];
        if (r->bad || !r->analysed) {
            fprintf(stderr, "heed reanalyze: message %zu: %s\n", r->line,
                    r->bad ? b->store.ptr + r->msg : "not analysed");
            ++*failed;
            continue;
        }
        r->m.model = im->model;
        r->m.role = r->role;
        r->m.time = r->time;
        if (heed_store_update_analysis(im->st, (int64_t)r->line, &r->m, r->promises,
                                       r->n_promises, &err) != HEED_OK) {
            heed_store_rollback(im->st);
            fprintf(stderr, "heed reanalyze: %s\n", err.msg);
            return -1;
        }
        ++*done;
    }
    if (heed_store_commit(im->st, &err) != HEED_OK) {
        heed_store_rollback(im->st);
        fprintf(stderr, "heed reanalyze: %s\n", err.msg);
        return -1;
    }
    heed_import_batch_reset(b);
    return 0;
}

int heed_cmd_reanalyze(int argc, char **argv)
{
    const char *db = getenv("HEED_DB");
    int all = 0, quiet = 0;
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(HELP, stdout);
            return HEED_EXIT_OK;
        } else if (!strcmp(a, "--all")) {
            all = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (((!strcmp(a, "--db") || !strcmp(a, "-j") || !strcmp(a, "--threads")) &&
                    i + 1 < argc) ||
                   (!strncmp(a, "-j", 2) && a[2])) {
            const char *v = a[1] == 'j' && a[2] ? a + 2 : argv[++i];
            if (!strcmp(a, "--db")) {
                db = v;
            } else {
                char *end;
                threads = strtol(v, &end, 10);
                if (*end || threads < 1 || threads > 256) {
                    fprintf(stderr, "heed reanalyze: --threads wants 1 to 256, not '%s'\n", v);
                    return HEED_EXIT_USAGE;
                }
            }
        } else {
            fprintf(stderr, "heed reanalyze: unknown or incomplete option '%s'\nTry 'heed "
                            "reanalyze --help'.\n",
                    a);
            return HEED_EXIT_USAGE;
        }
    }
    heed_import im = {.threads = (size_t)threads, .quiet = quiet, .batch = 2000};
    heed_error err = {0};
    const char *path = db ? db : "heed.db";
    if (access(path, R_OK)) {
        fprintf(stderr, "heed reanalyze: %s: no such store\n", path);
        return HEED_EXIT_USAGE;
    }
    if (heed_store_open(path, &im.st, &err) != HEED_OK) {
        fprintf(stderr, "heed reanalyze: %s\n", err.msg);
        return HEED_EXIT_USAGE;
    }
    int ret = HEED_EXIT_INTERNAL;
    heed_st_cursor *c = NULL;
    heed_import_batch *b = NULL;
    if (heed_import_setup(&im, &err)) {
        fprintf(stderr, "heed reanalyze: %s\n", err.msg[0] ? err.msg : "setting up failed");
        goto out;
    }
    /* before the first re-scored batch, so that a run stopped half-way does
     * not leave the queue's stored rows looking current */
    if (heed_store_meta_set(im.st, "queue_as_of", "", &err) != HEED_OK) {
        fprintf(stderr, "heed reanalyze: %s\n", err.msg);
        goto out;
    }
    b = heed_import_batch_new(&im, &heed_import_kinds[K_MESSAGES]);
    if (!b)
        goto out;
    if (heed_store_all_messages(im.st, HEED_ST_TEXT, &c, &err) != HEED_OK) {
        fprintf(stderr, "heed reanalyze: %s\n", err.msg);
        ret = HEED_EXIT_USAGE;
        goto out;
    }
    size_t seen = 0, done = 0, failed = 0;
    heed_st_msgrow m;
    int r;
    while ((r = heed_st_next_message(c, &m)) == 1) {
        seen++;
        char key[32];
        /* the store's conversation number keys the context: ids repeat
         * across sources */
        snprintf(key, sizeof key, "%lld", (long long)m.conversation);
        const char *ctx = NULL;
        size_t ctx_len = 0;
        if (m.role == HEED_ROLE_AGENT)
            heed_context_agent(im.ctx, key, strlen(key), &ctx, &ctx_len);
        else if (m.text && heed_context_customer(im.ctx, key, strlen(key), m.text, strlen(m.text)))
            goto out;
        if (!all && m.model && !strcmp(m.model, im.model))
            continue;
        if (add(b, &m, ctx, ctx_len))
            goto out;
        if (b->n >= im.batch && flush(&im, b, &done, &failed))
            goto out;
    }
    if (r < 0) {
        fprintf(stderr, "heed reanalyze: reading messages failed\n");
        ret = HEED_EXIT_USAGE;
        goto out;
    }
    if (flush(&im, b, &done, &failed))
        goto out;
    if ((done && heed_store_rebuild_agent_convs(im.st, &err) != HEED_OK) ||
        heed_store_meta_set(im.st, "queue_as_of", "", &err) != HEED_OK) {
        fprintf(stderr, "heed reanalyze: %s\n", err.msg);
        goto out;
    }
    if (!quiet)
        fprintf(stderr, "heed reanalyze: %zu messages, %zu re-scored with %s, %zu failed\n",
                seen, done, im.model, failed);
    ret = failed ? HEED_EXIT_REJECTED : HEED_EXIT_OK;
out:
    heed_st_cursor_free(c);
    heed_import_batch_free(b);
    heed_import_teardown(&im);
    heed_store_close(im.st);
    return ret;
}
