/* journey_cmd.c - `heed queue`, `heed journey` and `heed customer`: who needs
 * help now and why, one customer's timeline across silos, and how their
 * records were linked (and unlinked). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "jsonout.h"
#include "jtime.h"
#include "links.h"
#include "journeyview.h"
#include "person.h"
#include "resolve.h"
#include "store.h"

static const char QUEUE_HELP[] =
    "Usage: heed queue [OPTIONS]\n"
    "       heed queue done CUSTOMER [--note TEXT]\n"
    "\n"
    "The act-now queue: customers ranked by who needs help now, each with its\n"
    "reasons in plain words (ranking: docs/queue.md). The queue is kept in the\n"
    "store and recomputed after `heed import`, by --refresh, and when --now moves;\n"
    "customers something came in for through `heed serve` are decided again.\n"
    "\n"
    "  --db PATH      the store (default: heed.db, or $HEED_DB)\n"
    "  --top N        how many customers (default 20)\n"
    "  --refresh      recompute every customer's state first\n"
    "  --now T        rank as of T (ISO 8601 or Unix seconds; 'data': the latest\n"
    "                 stored record); implies --refresh unless the queue is as of T\n"
    "  --all          include customers marked done since their last activity\n"
    "  --json         one JSON object per customer\n"
    "\n"
    "`heed queue done CUSTOMER` marks a customer handled: they leave the queue\n"
    "until they write again or something happens to them.\n"
    "Exit codes: 0 done, 2 usage or store error or no such customer, 3 internal\n"
    "error.\n";

static const char JOURNEY_HELP[] =
    "Usage: heed journey CUSTOMER [OPTIONS]\n"
    "\n"
    "One customer's timeline across channels and silos: messages, replies,\n"
    "events and surveys in time order, their stress over time (carried across\n"
    "conversations, fading with time), open needs, repeat contacts, and the\n"
    "promises agents made, checked against later events: kept, kept late,\n"
    "broken or pending. CUSTOMER is a CRM id, a conversation id or a customer\n"
    "number from `heed queue`.\n"
    "\n"
    "  --db PATH   the store (default: heed.db, or $HEED_DB)\n"
    "  --now T     as of T (ISO 8601, Unix seconds, or 'data')\n"
    "  --json      one JSON object\n"
    "\n"
    "Exit codes: 0 done, 2 usage or store error or no such customer, 3 internal\n"
    "error.\n";

static const char CUSTOMER_HELP[] =
    "Usage: heed customer why CUSTOMER [--json]\n"
    "       heed customer unmerge RECORD RECORD\n"
    "       heed customer relink\n"
    "       heed customer check\n"
    "\n"
    "why: which records were linked into this customer, by which keys (keys are\n"
    "keyed hashes, never raw contacts), and which keys were not used (shared by\n"
    "several customers, or conflicting CRM ids).\n"
    "unmerge: the two records (numbers from `why`) are never the same customer\n"
    "again; records are re-linked and the queue recomputed.\n"
    "relink: re-links every record (the full pass; an import re-links only the\n"
    "records it can have moved) and recomputes the queue.\n"
    "check: compares every record's customer with a full pass, without writing;\n"
    "lists the differences and exits 1 when there are any.\n"
    "\n"
    "  --db PATH   the store (default: heed.db, or $HEED_DB)\n"
    "  --now T     the time the queue is recomputed as of (as `heed queue`)\n"
    "  --json      why: one JSON object (as GET /v1/customers/{ref}/links)\n"
    "\n"
    "Exit codes: 0 done, 1 check found differences, 2 usage or store error or no\n"
    "such customer or record, 3 internal error.\n";

typedef struct common {
    const char *db, *now_s, *note;
    long top;
    int json, refresh, all, help;
    const char *args[3];
    int n_args;
} common;

static int parse(const char *cmd, int argc, char **argv, common *o)
{
    memset(o, 0, sizeof *o);
    o->db = getenv("HEED_DB");
    o->top = 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            o->help = 1;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--refresh")) {
            o->refresh = 1;
        } else if (!strcmp(a, "--all")) {
            o->all = 1;
        } else if (!strcmp(a, "--db") || !strcmp(a, "--now") || !strcmp(a, "--top") ||
                   !strcmp(a, "--note")) {
            if (!v)
                return heed_cli_usage(cmd, "%s needs a value", a);
            i++;
            if (!strcmp(a, "--db"))
                o->db = v;
            else if (!strcmp(a, "--now"))
                o->now_s = v;
            else if (!strcmp(a, "--note"))
                o->note = v;
            else {
                char *end;
                o->top = strtol(v, &end, 10);
                if (*end || o->top < 1 || o->top > 100000)
                    return heed_cli_usage(cmd, "--top wants a number from 1 to 100000, not '%s'", v);
            }
        } else if (a[0] == '-' && a[1]) {
            return heed_cli_usage(cmd, "unknown option '%s'", a);
        } else if (o->n_args < 3) {
            o->args[o->n_args++] = a;
        } else {
            return heed_cli_usage(cmd, "too many arguments");
        }
    }
    return 0;
}

static int refresh(const char *cmd, heed_store *st, int64_t now, int quiet)
{
    heed_error err = {0};
    size_t n = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    /* $HEED_QUEUE_PART: persons per part of the walk, for tests */
    const char *part = getenv("HEED_QUEUE_PART");
    size_t per_part = part ? (size_t)strtoull(part, NULL, 10) : 0;
    if (heed_queue_refresh_parts(st, now, per_part, &n, &err) != HEED_OK) {
        fprintf(stderr, "heed %s: recomputing the queue failed: %s\n", cmd, err.msg);
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (!quiet)
        fprintf(stderr, "heed %s: queue recomputed for %zu customers in %.2f s\n", cmd, n,
                (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}

/* ------------------------------------------------------------ queue */

static int person_of(const char *cmd, heed_store *st, const char *ref, int64_t *person)
{
    heed_error err = {0};
    if (heed_store_find_person(st, ref, person, &err) != HEED_OK) {
        fprintf(stderr, "heed %s: %s\n", cmd, err.msg);
        return -1;
    }
    if (!*person) {
        fprintf(stderr, "heed %s: no customer '%s' (a CRM id, conversation id or number)\n",
                cmd, ref);
        return -1;
    }
    return 0;
}

int heed_cmd_queue(int argc, char **argv)
{
    common o;
    int rc = parse("queue", argc, argv, &o);
    if (rc)
        return rc;
    if (o.help) {
        fputs(QUEUE_HELP, stdout);
        return HEED_EXIT_OK;
    }
    int done = o.n_args >= 1 && !strcmp(o.args[0], "done");
    if (o.n_args && !done)
        return heed_cli_usage("queue", "unexpected argument '%s'", o.args[0]);
    if (done && o.n_args != 2)
        return heed_cli_usage("queue", "'done' wants one CUSTOMER");
    heed_store *st = heed_cli_open_store("queue", o.db);
    if (!st)
        return HEED_EXIT_USAGE;
    int ret = HEED_EXIT_USAGE;
    int64_t now;
    heed_error err = {0};
    if (heed_cli_now(st, "queue", o.now_s, &now))
        goto out;
    if (done) {
        int64_t person;
        if (person_of("queue", st, o.args[1], &person))
            goto out;
        if (heed_store_mark_handled(st, person, now, o.note, &err) != HEED_OK) {
            fprintf(stderr, "heed queue: %s\n", err.msg);
            goto out;
        }
        printf("customer %lld marked done; back in the queue when something new happens\n",
               (long long)person);
        ret = HEED_EXIT_OK;
        goto out;
    }
    heed_queue_info q;
    if (heed_queue_info_get(st, &q, &err) != HEED_OK) {
        fprintf(stderr, "heed queue: %s\n", err.msg);
        goto out;
    }
    if (o.refresh || !q.as_of || (o.now_s && !heed_queue_is_at(&q, now))) {
        if (refresh("queue", st, now, o.json)) {
            ret = HEED_EXIT_INTERNAL;
            goto out;
        }
    } else if (q.dirty) {
        /* customers something came in for since they were decided (through
         * `heed serve`): only those are decided again */
        size_t n;
        int more;
        if (heed_queue_refresh_dirty(st, now, 0, 0, &n, &more, &err) != HEED_OK) {
            fprintf(stderr, "heed queue: recomputing the queue failed: %s\n", err.msg);
            ret = HEED_EXIT_INTERNAL;
            goto out;
        }
    }
    if (heed_queue_info_get(st, &q, &err) != HEED_OK) {
        fprintf(stderr, "heed queue: %s\n", err.msg);
        goto out;
    }
    int64_t as_of = heed_queue_info_as_of(&q);
    heed_st_cursor *c = NULL;
    if (heed_store_queue(st, (size_t)o.top, o.all, &c, &err) != HEED_OK) {
        fprintf(stderr, "heed queue: %s\n", err.msg);
        goto out;
    }
    heed_st_state s;
    int r, rank = 0;
    heed_buf b;
    heed__buf_init(&b, 0);
    char t[32];
    heed_cli_gmt(t, sizeof t, as_of, HEED_CLI_MINUTE);
    if (!o.json)
        printf("Act now (as of %s UTC)\n\n", t);
    while ((r = heed_st_next_state(c, &s)) == 1) {
        rank++;
        if (o.json) {
            heed__buf_reset(&b);
            heed_view_queue_item(&b, rank, &s);
            heed__buf_addc(&b, '\n');
            fwrite(b.ptr, 1, b.len, stdout);
            continue;
        }
        printf("%2d. %3.0f  %s%s%s  (customer %lld)", rank, s.score, s.crm ? s.crm : "-",
               s.name ? " " : "", s.name ? s.name : "", (long long)s.person);
        printf("  stress %.0f", s.stress_now);
        if (s.waiting_since) {
            char sp[32];
            heed__fmt_span(sp, sizeof sp, s.as_of - s.waiting_since);
            printf(", waiting %s", sp);
        }
        putchar('\n');
        const char *p = s.reasons;
        while (p && *p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            printf("       - %.*s\n", (int)n, p);
            p += n + (nl ? 1 : 0);
        }
    }
    heed__buf_release(&b);
    heed_st_cursor_free(c);
    if (r < 0) {
        fprintf(stderr, "heed queue: reading the queue failed\n");
        goto out;
    }
    if (!o.json && !rank)
        printf("Nobody needs help right now.\n");
    ret = HEED_EXIT_OK;
out:
    heed_store_close(st);
    return ret;
}

/* ------------------------------------------------------------ journey */

/* A one-line excerpt of text into b (at most n characters, whole UTF-8). */
static void excerpt(char *b, size_t n, const char *text)
{
    size_t o = 0;
    for (const char *p = text ? text : ""; *p && o + 4 < n; p++) {
        char ch = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;
        if (ch == ' ' && o && b[o - 1] == ' ')
            continue;
        b[o++] = ch;
    }
    if (text && strlen(text) > o) {
        while (o && ((unsigned char)b[o - 1] & 0xC0) == 0x80)
            o--; /* do not cut a character */
        if (o && (unsigned char)b[o - 1] >= 0xC0)
            o--;
        memcpy(b + o, "...", 3);
        o += 3;
    }
    b[o] = '\0';
}

static void journey_text(const heed_person *P, const heed_tl_item *tl, size_t n, int64_t now)
{
    heed_stress_curve curve;
    heed_stress_curve_init(&curve, P);
    char t[32];
    heed_cli_gmt(t, sizeof t, now, HEED_CLI_MINUTE);
    const char *crm = heed_person_str(P, P->crm), *name = heed_person_str(P, P->name);
    printf("Customer %lld%s%s%s%s%s — as of %s UTC\n", (long long)P->person, crm ? " (" : "",
           crm ? crm : "", name ? ", " : "", name ? name : "", crm ? ")" : "", t);
    if (P->vulnerable)
        printf("Flagged vulnerable in the CRM.\n");
    printf("Act-now score %.0f, stress now %.0f, %d repeat contact%s in 7 days, %d open "
           "need%s\n",
           P->score.score, P->qs.stress_now, P->qs.repeat_contacts,
           P->qs.repeat_contacts == 1 ? "" : "s", P->qs.open_needs,
           P->qs.open_needs == 1 ? "" : "s");
    for (size_t i = 0; i < P->score.n_reasons; i++)
        printf("  - %s\n", P->score.reason[i].text);
    printf("\nTimeline (stress: the message's own, then carried = faded over time)\n");
    int64_t last_conv = -1;
    for (size_t k = 0; k < n; k++) {
        heed_cli_gmt(t, sizeof t, tl[k].time, HEED_CLI_MINUTE);
        char ex[100];
        if (tl[k].kind == 0) {
            const heed_pmsg *m = &P->msgs[tl[k].i];
            if (m->conversation != last_conv) {
                const char *ch = heed_person_str(P, m->channel);
                const char *st = heed_person_str(P, m->status);
                printf("  -- conversation %s (%s%s%s)\n", heed_person_str(P, m->conv_ext),
                       ch ? ch : "channel unknown", st ? ", " : "", st ? st : "");
                last_conv = m->conversation;
            }
            excerpt(ex, sizeof ex, heed_person_str(P, m->text));
            if (m->role == HEED_ROLE_AGENT) {
                const char *ag = heed_person_str(P, m->agent);
                printf("  %s  %-10s reply   empathy %d/%d/%d compassion %3.0f  \"%s\"\n", t,
                       ag ? ag : "agent", m->empathy[0], m->empathy[1], m->empathy[2],
                       m->compassion, ex);
            } else {
                printf("  %s  customer   stress %3.0f carried %3.0f  \"%s\"\n", t, m->stress,
                       heed_stress_curve_at(&curve, m->time), ex);
            }
        } else if (tl[k].kind == 1) {
            const heed_pevent *e = &P->events[tl[k].i];
            const char *ord = heed_person_str(P, e->order), *d = heed_person_str(P, e->detail);
            printf("  %s  event      %s %s%s", t, heed_event_type_name(e->type),
                   heed_person_str(P, e->ext_id), ord ? " order " : "");
            if (ord)
                printf("%s", ord);
            if (e->has_amount)
                printf(" %.2f%s%s", e->amount, e->currency ? " " : "",
                       e->currency != (size_t)-1 ? heed_person_str(P, e->currency) : "");
            if (d) {
                excerpt(ex, 60, d);
                printf(" (%s)", ex);
            }
            putchar('\n');
        } else {
            const heed_psurvey *v = &P->surveys[tl[k].i];
            static const char *const kinds[] = {"survey", "CSAT", "NPS", "CES"};
            printf("  %s  survey     %s %g", t, kinds[v->kind], v->score);
            const char *cm = heed_person_str(P, v->comment);
            if (cm) {
                excerpt(ex, sizeof ex, cm);
                printf("  \"%s\"", ex);
            }
            putchar('\n');
        }
    }
    printf("\nPromises (%zu): %d kept, %d pending, %d broken\n", P->n_proms, P->kept, P->pending,
           P->broken);
    for (size_t i = 0; i < P->n_proms; i++) {
        char ex[100];
        excerpt(ex, sizeof ex, heed_person_str(P, P->proms[i].text));
        printf("  [%s] %s: \"%s\"\n      %s\n", heed_pm_status_name(P->pm[i].status),
               heed_view_promise_names[P->proms[i].p.kind], ex, P->pm[i].sentence);
    }
    heed_stress_curve_release(&curve);
}

int heed_cmd_journey(int argc, char **argv)
{
    common o;
    int rc = parse("journey", argc, argv, &o);
    if (rc)
        return rc;
    if (o.help) {
        fputs(JOURNEY_HELP, stdout);
        return HEED_EXIT_OK;
    }
    if (o.n_args != 1)
        return heed_cli_usage("journey", "which CUSTOMER? (a CRM id, conversation id or number)");
    heed_store *st = heed_cli_open_store("journey", o.db);
    if (!st)
        return HEED_EXIT_USAGE;
    int ret = HEED_EXIT_USAGE;
    int64_t now, person;
    heed_person P;
    heed_person_init(&P);
    heed_error err = {0};
    heed_tl_item *tl = NULL;
    if (heed_cli_now(st, "journey", o.now_s, &now) || person_of("journey", st, o.args[0], &person))
        goto out;
    if (heed_person_load(st, person, HEED_ST_TEXT, &P, &err) != HEED_OK ||
        heed_person_decide(&P, now, &err) != HEED_OK) {
        fprintf(stderr, "heed journey: %s\n", err.msg[0] ? err.msg : "reading the store failed");
        goto out;
    }
    size_t k;
    if (heed_journey_timeline(&P, now, &tl, &k)) {
        ret = HEED_EXIT_INTERNAL;
        goto out;
    }
    if (o.json) {
        heed_buf jb;
        heed__buf_init(&jb, 0);
        heed_view_journey_json(&jb, &P, tl, k, now);
        heed__buf_addc(&jb, '\n');
        fwrite(jb.ptr, 1, jb.len, stdout);
        heed__buf_release(&jb);
    }
    else
        journey_text(&P, tl, k, now);
    ret = HEED_EXIT_OK;
out:
    free(tl);
    heed_person_release(&P);
    heed_store_close(st);
    return ret;
}

/* ------------------------------------------------------------ customer why / unmerge */

static int print_party(void *ctx, const heed_st_party *p, const heed_st_key *keys, size_t nk)
{
    (void)ctx;
    printf("  record %lld: %s %s", (long long)p->id, p->kind, p->label ? p->label : "");
    if (p->crm)
        printf(" (CRM id %s)", p->crm);
    for (size_t i = 0; i < nk; i++)
        printf("%s%s:%s", i ? ", " : "; keys ", keys[i].kind, keys[i].token);
    putchar('\n');
    return 0;
}

static int customer_why(heed_store *st, const char *ref, int json)
{
    int64_t person;
    if (person_of("customer", st, ref, &person))
        return HEED_EXIT_USAGE;
    heed_links L;
    heed_error err = {0};
    int ret = HEED_EXIT_USAGE;
    if (heed_links_load(st, person, &L, &err) != HEED_OK)
        goto fail;
    if (json) {
        heed_buf jb;
        heed__buf_init(&jb, 0);
        int rc = heed_view_links_json(&jb, st, &L, &err);
        if (!rc) {
            heed__buf_addc(&jb, '\n');
            fwrite(jb.ptr, 1, jb.len, stdout);
        }
        heed__buf_release(&jb);
        if (rc)
            goto fail;
        heed_links_release(&L);
        return HEED_EXIT_OK;
    }
    const heed_parties *P = &L.P;
    printf("Customer %lld is these records:\n", (long long)person);
    if (heed_store_person_parties(st, person, print_party, NULL, &err) != HEED_OK)
        goto fail;
    if (L.c == (size_t)-1) {
        printf("(not linked yet: run heed import again to link)\n");
        heed_links_release(&L);
        return HEED_EXIT_OK;
    }
    size_t first, n = heed_identity_links_of(&P->res, L.c, &first);
    printf("\nLinked because:\n");
    if (!n)
        printf("  (one record: nothing to link)\n");
    for (size_t i = first; i < first + n; i++) {
        const heed_id_link *l = &P->res.links[i];
        printf("  record %lld and record %lld share %s %.*s\n", (long long)P->id[l->a],
               (long long)P->id[l->b], heed_key_kind_name(l->kind), (int)l->len, l->value);
    }
    int header = 0;
    for (size_t i = 0; i < P->res.n_conflicts; i++) {
        const heed_id_conflict *k = &P->res.conflicts[i];
        if (!heed_links_conflict_is_mine(&L, k))
            continue;
        if (!header++)
            printf("\nNot linked:\n");
        printf("  record %lld and record %lld share %s %.*s but %s\n", (long long)P->id[k->a],
               (long long)P->id[k->b], heed_key_kind_name(k->kind), (int)k->len, k->value,
               k->reason == HEED_ID_CRM_CONFLICT ? "carry different CRM ids"
                                                 : "were unmerged by hand");
    }
    for (size_t i = 0; i < L.n_shared; i++) {
        const heed_id_shared *s = &L.shared[i]; /* only those this customer's records carry */
        if (!header++)
            printf("\nNot linked:\n");
        printf("  %s %.*s is shared by %zu records of %zu customers (e.g. a switchboard): "
               "not used\n",
               heed_key_kind_name(s->kind), (int)s->len, s->value, s->n_records, s->n_crm);
    }
    heed_links_release(&L);
    return HEED_EXIT_OK;
fail:
    fprintf(stderr, "heed customer: %s\n", err.msg);
    heed_links_release(&L);
    return ret;
}

static int print_diff(void *ctx, int64_t party, int64_t stored, int64_t full)
{
    (void)ctx;
    printf("record %lld: customer %lld, a full pass gives %lld\n", (long long)party,
           (long long)stored, (long long)full);
    return 0;
}

static int customer_check(heed_store *st)
{
    size_t n_diff = 0;
    heed_error err = {0};
    if (heed_relink_check(st, print_diff, NULL, &n_diff, &err) != HEED_OK) {
        fprintf(stderr, "heed customer: %s\n", err.msg);
        return HEED_EXIT_USAGE;
    }
    printf("%zu records differ from a full pass\n", n_diff);
    return n_diff ? HEED_EXIT_REJECTED : HEED_EXIT_OK;
}

static int relink(heed_store *st, const common *o)
{
    int rc = heed_relink(st, "customer", 0, 1);
    if (rc != HEED_EXIT_OK)
        return rc;
    int64_t now;
    if (heed_cli_now(st, "customer", o->now_s, &now) || refresh("customer", st, now, 0))
        return HEED_EXIT_INTERNAL;
    return HEED_EXIT_OK;
}

int heed_cmd_customer(int argc, char **argv)
{
    common o;
    int rc = parse("customer", argc, argv, &o);
    if (rc)
        return rc;
    if (o.help) {
        fputs(CUSTOMER_HELP, stdout);
        return HEED_EXIT_OK;
    }
    int why = o.n_args == 2 && !strcmp(o.args[0], "why");
    int unmerge = o.n_args == 3 && !strcmp(o.args[0], "unmerge");
    int full = o.n_args == 1 && !strcmp(o.args[0], "relink");
    int check = o.n_args == 1 && !strcmp(o.args[0], "check");
    if (!why && !unmerge && !full && !check)
        return heed_cli_usage("customer", "want 'why CUSTOMER', 'unmerge RECORD RECORD', "
                                          "'relink' or 'check'");
    heed_store *st = heed_cli_open_store("customer", o.db);
    if (!st)
        return HEED_EXIT_USAGE;
    int ret;
    if (full) {
        ret = relink(st, &o);
    } else if (check) {
        ret = customer_check(st);
    } else if (why) {
        ret = customer_why(st, o.args[1], o.json);
    } else {
        char *e1, *e2;
        long long a = strtoll(o.args[1], &e1, 10), b = strtoll(o.args[2], &e2, 10);
        heed_error err = {0};
        if (*e1 || *e2 || a <= 0 || b <= 0 || a == b) {
            ret = heed_cli_usage("customer", "unmerge wants two different record numbers (see 'heed "
                                    "customer why')");
        } else if (heed_store_add_unmerge(st, a, b, &err) != HEED_OK) {
            fprintf(stderr, "heed customer: %s (are both record numbers from 'heed customer "
                            "why'?)\n",
                    err.msg);
            ret = HEED_EXIT_USAGE;
        } else {
            printf("records %lld and %lld will not be the same customer again\n", a, b);
            ret = relink(st, &o);
        }
    }
    heed_store_close(st);
    return ret;
}
