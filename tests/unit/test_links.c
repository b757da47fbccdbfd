/* test_links.c - `heed customer why` and `heed customer check` (src/app/links.c,
 * src/app/resolve.c) against the way they used to work, kept here as the
 * reference: every party of the store loaded with its keys as strings and
 * resolved at once with heed_identity_resolve. On random stores (CRM rows,
 * events with random e-mails, phones and handles from small pools, so keys
 * are shared, CRM ids conflict and components chain; unmerge rules), the JSON
 * of every party's customer and the list of parties whose stored person
 * differs from a full pass must be byte-identical to the reference's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "buf.h"
#include "identity.h"
#include "jsonout.h"
#include "links.h"
#include "resolve.h"
#include "store.h"

/* ------------------------------------------------------------ the reference */

typedef struct ref {
    size_t n;
    int64_t *id;
    char *silo;
    heed_id_record *rec;
    int64_t *person; /* by customer number */
    heed_buf pool;   /* the strings; offsets until loaded */
    size_t *crm_off, *key_first, *key_off;
    heed_id_key *keys;
    size_t n_keys;
    heed_id_unmerge *rules;
    size_t n_rules;
    heed_id_result res;
} ref;

static int kind_of(const char *k)
{
    static const char *const names[] = {"crm", "email", "phone", "handle"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(k, names[i]))
            return i;
    return -1;
}

static int silo_of(const char *kind)
{
    return !strcmp(kind, "customer")       ? HEED_SILO_CRM
           : !strcmp(kind, "conversation") ? HEED_SILO_MESSAGE
           : !strcmp(kind, "event")        ? HEED_SILO_EVENT
           : !strcmp(kind, "survey")       ? HEED_SILO_SURVEY
                                           : HEED_SILO_OTHER;
}

static int ref_party(void *ctx, const heed_st_party *p, const heed_st_key *keys, size_t nk)
{
    ref *R = ctx;
    R->id = realloc(R->id, (R->n + 1) * sizeof *R->id);
    R->silo = realloc(R->silo, R->n + 1);
    R->crm_off = realloc(R->crm_off, (R->n + 1) * sizeof *R->crm_off);
    R->key_first = realloc(R->key_first, (R->n + 1) * sizeof *R->key_first);
    assert_non_null(R->id && R->silo && R->crm_off && R->key_first);
    R->id[R->n] = p->id;
    R->silo[R->n] = (char)silo_of(p->kind);
    R->crm_off[R->n] = (size_t)-1;
    if (p->crm) {
        R->crm_off[R->n] = R->pool.len;
        heed__buf_add(&R->pool, p->crm, strlen(p->crm) + 1);
    }
    R->key_first[R->n] = R->n_keys;
    for (size_t i = 0; i < nk; i++) {
        int k = kind_of(keys[i].kind);
        if (k < 0 || (k == HEED_KEY_CRM && p->crm && strcmp(keys[i].token, p->crm)))
            continue;
        R->keys = realloc(R->keys, (R->n_keys + 1) * sizeof *R->keys);
        R->key_off = realloc(R->key_off, (R->n_keys + 1) * sizeof *R->key_off);
        assert_non_null(R->keys && R->key_off);
        R->key_off[R->n_keys] = R->pool.len;
        R->keys[R->n_keys++] = (heed_id_key){k, NULL, strlen(keys[i].token)};
        heed__buf_add(&R->pool, keys[i].token, strlen(keys[i].token) + 1);
    }
    R->n++;
    return 0;
}

static size_t ref_index(const ref *R, int64_t id)
{
    for (size_t i = 0; i < R->n; i++)
        if (R->id[i] == id)
            return i;
    return (size_t)-1;
}

static int ref_rule(void *ctx, int64_t a, int64_t b)
{
    ref *R = ctx;
    size_t ia = ref_index(R, a), ib = ref_index(R, b);
    if (ia == (size_t)-1 || ib == (size_t)-1)
        return 0;
    R->rules = realloc(R->rules, (R->n_rules + 1) * sizeof *R->rules);
    assert_non_null(R->rules);
    R->rules[R->n_rules++] = (heed_id_unmerge){ia, ib};
    return 0;
}

static void ref_load(heed_store *st, ref *R)
{
    memset(R, 0, sizeof *R);
    heed__buf_init(&R->pool, 0);
    heed_error err = {0};
    assert_int_equal(heed_store_parties(st, ref_party, R, &err), HEED_OK);
    R->rec = calloc(R->n + 1, sizeof *R->rec);
    R->person = calloc(R->n + 1, sizeof *R->person);
    assert_non_null(R->rec && R->person);
    for (size_t i = 0; i < R->n_keys; i++)
        R->keys[i].value = R->pool.ptr + R->key_off[i];
    for (size_t i = 0; i < R->n; i++) {
        size_t end = i + 1 < R->n ? R->key_first[i + 1] : R->n_keys;
        const char *crm = R->crm_off[i] == (size_t)-1 ? NULL : R->pool.ptr + R->crm_off[i];
        R->rec[i] = (heed_id_record){R->silo[i], crm, crm ? strlen(crm) : 0,
                                     R->keys + R->key_first[i], end - R->key_first[i]};
    }
    assert_int_equal(heed_store_unmerges(st, ref_rule, R, &err), HEED_OK);
    assert_int_equal(heed_identity_resolve(R->rec, R->n, R->rules, R->n_rules, NULL, &R->res,
                                           &err),
                     HEED_OK);
    /* a person: its first CRM party, else its first party */
    for (size_t i = 0; i < R->n; i++)
        if (R->silo[i] == HEED_SILO_CRM && !R->person[R->res.customer[i]])
            R->person[R->res.customer[i]] = R->id[i];
    for (size_t i = 0; i < R->n; i++)
        if (!R->person[R->res.customer[i]])
            R->person[R->res.customer[i]] = R->id[R->res.customer[i]];
}

static void ref_free(ref *R)
{
    heed_identity_release(&R->res);
    free(R->id), free(R->silo), free(R->rec), free(R->person), free(R->crm_off);
    free(R->key_first), free(R->key_off), free(R->keys), free(R->rules);
    heed__buf_release(&R->pool);
}

static int ref_record(void *ctx, const heed_st_party *p, const heed_st_key *keys, size_t nk)
{
    heed_buf *b = ctx;
    heed_links_record_json(b, b->ptr[b->len - 1] == '[', p, keys, nk);
    return 0;
}

static void ref_pair(heed_buf *b, const ref *R, size_t a, size_t bb, int kind, const char *v,
                     size_t len)
{
    heed__buf_printf(b, "{\"a\":%lld,\"b\":%lld,\"kind\":\"%s\",\"token\":", (long long)R->id[a],
                     (long long)R->id[bb], heed_key_kind_name(kind));
    heed_json_string(b, v, len);
}

/* The JSON `heed customer why --json` used to print for person. */
static void ref_json(heed_buf *b, heed_store *st, const ref *R, int64_t person)
{
    heed_error err = {0};
    size_t idx = ref_index(R, person), c = idx == (size_t)-1 ? (size_t)-1 : R->res.customer[idx];
    heed__buf_printf(b, "{\"customer\":%lld,\"records\":[", (long long)person);
    assert_int_equal(heed_store_person_parties(st, person, ref_record, b, &err), HEED_OK);
    heed__buf_adds(b, "],\"links\":[");
    if (c != (size_t)-1) {
        size_t first, n = heed_identity_links_of(&R->res, c, &first);
        for (size_t i = first; i < first + n; i++) {
            const heed_id_link *l = &R->res.links[i];
            if (i > first)
                heed__buf_addc(b, ',');
            ref_pair(b, R, l->a, l->b, l->kind, l->value, l->len);
            heed__buf_addc(b, '}');
        }
    }
    heed__buf_adds(b, "],\"not_linked\":[");
    size_t k = 0;
    for (size_t i = 0; c != (size_t)-1 && i < R->res.n_conflicts; i++) {
        const heed_id_conflict *x = &R->res.conflicts[i];
        if (R->res.customer[x->a] != c && R->res.customer[x->b] != c)
            continue;
        if (k++)
            heed__buf_addc(b, ',');
        ref_pair(b, R, x->a, x->b, x->kind, x->value, x->len);
        heed__buf_printf(b, ",\"reason\":\"%s\"}",
                         x->reason == HEED_ID_CRM_CONFLICT ? "crm_conflict" : "unmerged");
    }
    for (size_t i = 0; c != (size_t)-1 && i < R->res.n_shared; i++) {
        const heed_id_shared *s = &R->res.shared[i];
        int mine = 0;
        for (size_t r = 0; r < R->n && !mine; r++)
            for (size_t j = 0; R->res.customer[r] == c && j < R->rec[r].n_keys && !mine; j++)
                mine = R->rec[r].keys[j].kind == s->kind && R->rec[r].keys[j].len == s->len &&
                       !memcmp(R->rec[r].keys[j].value, s->value, s->len);
        if (!mine)
            continue;
        if (k++)
            heed__buf_addc(b, ',');
        heed__buf_printf(b, "{\"kind\":\"%s\",\"token\":", heed_key_kind_name(s->kind));
        heed_json_string(b, s->value, s->len);
        heed__buf_printf(b, ",\"shared_by_records\":%zu,\"shared_by_customers\":%zu}",
                         s->n_records, s->n_crm);
    }
    heed__buf_adds(b, "]}");
}

/* ------------------------------------------------------------ random stores */

typedef struct fixture {
    char dir[64], path[128];
    heed_store *st;
} fixture;

static unsigned next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static void open_store(fixture *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/heed-test-links-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/s.db", f->dir);
    heed_error err = {0};
    assert_int_equal(heed_store_open(f->path, &f->st, &err), HEED_OK);
}

static void close_store(fixture *f)
{
    heed_store_close(f->st);
    char p[160];
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
}

/* CRM rows and events whose keys come from small pools: n parties. */
static void fill(heed_store *st, unsigned seed, int n)
{
    heed_error err = {0};
    int added, n_crm = n / 8 + 1;
    char tok[4][32], id[32];
    heed_st_key keys[4];
    for (int i = 0; i < n; i++) {
        size_t nk = 0;
        int is_crm = next(&seed) % 5 == 0;
        if (!is_crm && next(&seed) % 3 == 0) {
            snprintf(tok[nk], sizeof tok[nk], "C%d", (int)(next(&seed) % n_crm));
            keys[nk] = (heed_st_key){"crm", tok[nk]}, nk++;
        }
        static const char *const kinds[] = {"email", "phone", "handle"};
        static const int pool[] = {2, 3, 5}; /* pool sizes: n / this */
        for (int k = 0; k < 3; k++) {
            if (next(&seed) % 2)
                continue;
            snprintf(tok[nk], sizeof tok[nk], "%c%d", kinds[k][0],
                     (int)(next(&seed) % (unsigned)(n / pool[k] + 1)));
            keys[nk] = (heed_st_key){kinds[k], tok[nk]}, nk++;
        }
        if (is_crm) {
            snprintf(id, sizeof id, "C%d", (int)(next(&seed) % n_crm));
            heed_st_customer c = {.source = "crm", .id = id};
            assert_int_equal(heed_store_put_customer(st, &c, keys, nk, &added, &err), HEED_OK);
        } else {
            snprintf(id, sizeof id, "ev%d", i);
            heed_st_event e = {.source = "ev", .id = id, .type = "order", .time = 1000 + i};
            assert_int_equal(heed_store_put_event(st, &e, keys, nk, &added, &err), HEED_OK);
        }
    }
}

static int64_t n_parties(heed_store *st)
{
    heed_st_counts c;
    heed_error err = {0};
    assert_int_equal(heed_store_counts(st, &c, &err), HEED_OK);
    return c.parties;
}

/* Every party's `why` JSON equals the reference's. */
static void why_all(heed_store *st)
{
    ref R;
    ref_load(st, &R);
    heed_buf a, b;
    heed__buf_init(&a, 0);
    heed__buf_init(&b, 0);
    int64_t n = n_parties(st);
    for (int64_t p = 1; p <= n + 1; p++) { /* n + 1: no such party */
        heed_links L;
        heed_error err = {0};
        heed__buf_reset(&a);
        heed__buf_reset(&b);
        assert_int_equal(heed_links_load(st, p, &L, &err), HEED_OK);
        assert_int_equal(heed_view_links_json(&a, st, &L, &err), HEED_OK);
        heed_links_release(&L);
        ref_json(&b, st, &R, p);
        heed__buf_addc(&a, 0);
        heed__buf_addc(&b, 0);
        if (strcmp(a.ptr, b.ptr))
            fail_msg("party %lld:\n new %s\n old %s", (long long)p, a.ptr, b.ptr);
    }
    heed__buf_release(&a);
    heed__buf_release(&b);
    ref_free(&R);
}

typedef struct diffs {
    heed_buf b;
} diffs;

static int on_diff(void *ctx, int64_t party, int64_t stored, int64_t full)
{
    heed__buf_printf(&((diffs *)ctx)->b, "%lld %lld %lld\n", (long long)party, (long long)stored,
                     (long long)full);
    return 0;
}

typedef struct ref_check {
    const ref *R;
    heed_buf *b;
} ref_check;

static int ref_check_party(void *ctx, const heed_st_party *p, const heed_st_key *k, size_t nk)
{
    (void)k, (void)nk;
    ref_check *C = ctx;
    size_t i = ref_index(C->R, p->id);
    int64_t full = i == (size_t)-1 ? 0 : C->R->person[C->R->res.customer[i]];
    if (full != p->person)
        heed__buf_printf(C->b, "%lld %lld %lld\n", (long long)p->id, (long long)p->person,
                         (long long)full);
    return 0;
}

/* `check` lists the parties the reference lists, in the same order. */
static void check_equal(heed_store *st)
{
    ref R;
    ref_load(st, &R);
    diffs D;
    heed__buf_init(&D.b, 0);
    heed_buf want;
    heed__buf_init(&want, 0);
    ref_check C = {&R, &want};
    heed_error err = {0};
    size_t n_diff = 0;
    assert_int_equal(heed_store_parties(st, ref_check_party, &C, &err), HEED_OK);
    assert_int_equal(heed_relink_check(st, on_diff, &D, &n_diff, &err), HEED_OK);
    heed__buf_addc(&D.b, 0);
    heed__buf_addc(&want, 0);
    assert_string_equal(D.b.ptr, want.ptr);
    size_t lines = 0;
    for (const char *s = want.ptr; *s; s++)
        lines += *s == '\n';
    assert_int_equal(n_diff, lines);
    heed__buf_release(&D.b);
    heed__buf_release(&want);
    ref_free(&R);
}

static void relink(heed_store *st)
{
    heed_error err = {0};
    heed_relink_stats s;
    int rc = heed_relink_store(st, &s, &err);
    if (rc)
        fail_msg("relink: %s", err.msg);
}

/* Parties deleted behind the store's back (no command deletes one): the
 * full pass holds the ids as runs of consecutive ids, and gaps make several. */
static void punch_gaps(fixture *f, unsigned seed)
{
    sqlite3 *db;
    char sql[200];
    heed_error err = {0};
    heed_store_close(f->st);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    snprintf(sql, sizeof sql,
             "DELETE FROM party_key WHERE party %% 7 = %u OR party %% 11 = 0;"
             "DELETE FROM party WHERE id %% 7 = %u OR id %% 11 = 0;",
             seed % 7, seed % 7);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(heed_store_open(f->path, &f->st, &err), HEED_OK);
}

static int gone(unsigned seed, int64_t id)
{
    return seed % 3 == 0 && (id % 7 == seed % 7 || id % 11 == 0);
}

static void test_random_stores(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 12; seed++) {
        fixture f;
        open_store(&f);
        unsigned s = seed * 7919;
        int n = 60 + (int)(next(&s) % 200);
        fill(f.st, seed, n);
        if (seed % 3 == 0)
            punch_gaps(&f, seed);
        heed_error err = {0};
        /* before any pass every stored person differs */
        check_equal(f.st);
        relink(f.st);
        check_equal(f.st);
        why_all(f.st);
        /* unmerge rules between random parties, then more records: the
         * stored persons are stale until the next pass */
        int64_t np = n_parties(f.st);
        for (int r = 0; r < 6; r++) {
            int64_t a = 1 + (int64_t)(next(&s) % (unsigned)np), b = 1 + (int64_t)(next(&s) % (unsigned)np);
            if (a != b && !gone(seed, a) && !gone(seed, b))
                assert_int_equal(heed_store_add_unmerge(f.st, a, b, &err), HEED_OK);
        }
        fill(f.st, seed + 100, n / 4);
        check_equal(f.st);
        why_all(f.st);
        /* stored persons moved by hand */
        assert_int_equal(heed_store_begin(f.st, &err), HEED_OK);
        for (int r = 0; r < 10; r++)
            assert_int_equal(heed_store_set_person(f.st, 1 + (int64_t)(next(&s) % (unsigned)np),
                                                   1 + (int64_t)(next(&s) % (unsigned)np), &err),
                             HEED_OK);
        assert_int_equal(heed_store_commit(f.st, &err), HEED_OK);
        check_equal(f.st);
        relink(f.st);
        check_equal(f.st);
        why_all(f.st);
        close_store(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_stores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
