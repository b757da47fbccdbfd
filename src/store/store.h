/* store.h - the one door to heed's database. Every read and write of stored
 * data goes through these functions; the SQLite implementation is store.c,
 * and a PostgreSQL backend would implement the same functions without
 * touching the callers. The schema is documented in docs/store.md.
 *
 * A store handle is used by one thread at a time (open one per thread).
 * Strings given to put functions are copied; NULL means absent. Times are Unix
 * seconds, UTC. Functions return HEED_OK or a negative HEED_E* code with
 * err->msg saying what failed (HEED_EIO for database errors). */
#ifndef HEED_STORE_H
#define HEED_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

#define HEED_STORE_SCHEMA 17    /* the schema version migrations lead to */
#define HEED_STORE_SECRET_LEN 32 /* bytes of the redaction / identity key */

typedef struct heed_store heed_store;

/* Opens (creating when absent) the store at path and migrates it to
 * HEED_STORE_SCHEMA. A store written by a newer heed is refused. */
int heed_store_open(const char *path, heed_store **out, heed_error *err);
void heed_store_close(heed_store *st);

/* For an import into a store without messages: drops the indexes no
 * message put reads (the message, promise, agent_conv and conversation
 * indexes the readers use), in one transaction, so the import does not keep
 * them row by row; *deferred 1 when it did (the store held no message), 0
 * when the store is left as it was. heed_store_restore_indexes builds them
 * again once the rows are in; meta indexes_deferred names this process
 * meanwhile. Queries answer the same without them, slower. Call outside a
 * transaction. */
int heed_store_defer_indexes(heed_store *st, int *deferred, heed_error *err);
/* Builds the indexes heed_store_defer_indexes dropped that are missing, in
 * one transaction (nothing when none is), and forgets the process that
 * dropped them (meta indexes_deferred). wait 0: while that process is alive
 * (another one: an import still running), or when another connection holds
 * the write lock, does nothing and returns 0; heed_store_open does this, so
 * a store an import left without them (killed) gets them back at the next
 * open that can write. Call outside a transaction. */
int heed_store_restore_indexes(heed_store *st, int wait, heed_error *err);

/* Transactions. Writes outside a transaction each commit on their own. */
int heed_store_begin(heed_store *st, heed_error *err);
int heed_store_commit(heed_store *st, heed_error *err);
/* Opens a read transaction, so that several queries read one snapshot and
 * the file is locked (and its cache checked) once instead of per query:
 * 1 opened (end it with heed_store_commit), 0 when a transaction was already
 * open (nothing to end), or an error. */
int heed_store_begin_read(heed_store *st, heed_error *err);
void heed_store_rollback(heed_store *st);
/* A savepoint inside the open transaction, so that one part of it can be
 * undone and the rest kept (the server's writer: one savepoint per request of
 * a group commit). Savepoints do not nest here: release or roll back one
 * before the next. heed_store_savepoint_rollback undoes the writes since the
 * savepoint and ends it; heed_store_in_transaction then says whether the
 * transaction itself is still open (an I/O error or a full disk can end it
 * whole, taking the earlier parts with it). */
int heed_store_savepoint(heed_store *st, heed_error *err);
int heed_store_savepoint_release(heed_store *st, heed_error *err);
void heed_store_savepoint_rollback(heed_store *st);
/* 1 while a transaction is open on st, else 0. */
int heed_store_in_transaction(heed_store *st);
/* Whether commits on st copy the journal back into the database when it has
 * grown (on by default). A writer that commits often under a lock of its own
 * turns it off and calls heed_store_checkpoint after giving the lock up, so
 * the copying is not done while others wait. */
int heed_store_autocheckpoint(heed_store *st, int on, heed_error *err);
/* Turns SQLite's foreign key checks off (on 0) or on again (on 1, what every
 * handle starts with). Outside a transaction only (SQLite ignores the setting
 * inside one): HEED_EINVAL then. For a writer whose every reference is an id
 * it looked up or made in the same transaction (`heed import`'s files); each
 * check is a lookup in the parent table, about 8 % of the import's writer. */
int heed_store_foreign_keys(heed_store *st, int on, heed_error *err);
/* With on, a small page cache (4 MiB) and temporary data (sorts) in files,
 * for one pass over most of the store (the deferred index build, the full
 * identity pass): with the handle's 16 MiB cache and temporary data in
 * memory, such a pass fills the cache with pages it reads once and sorts in
 * memory (the full identity pass of 1.37M parties: 65.7 -> 53.2 MB, as
 * fast). Off: the usual settings back. Outside a transaction: inside one,
 * SQLite keeps temporary data where it is (only the cache changes). */
void heed_store_lean(heed_store *st, int on);
/* With on, a 32 MiB page cache instead of 16 MiB (heed_store_lean's off
 * comes back to it), for a writer that puts rows by the hundred thousand
 * into a store that holds many: each transaction changes pages all over
 * the indexes that are not in the order of the rows (by time, by agent),
 * and once those pages outgrow the cache each change is a page written out
 * to the journal and read back (docs/store.md, "Imports"). Off: 16 MiB
 * again; the pages beyond it are freed. */
void heed_store_bulk_cache(heed_store *st, int on);
/* On: the agent rows of the messages put from now on (agent_reply,
 * agent_conv) go to the stage tables, keyed by conversation, instead: an
 * import of a file (messages in another order than by agent) changed pages
 * all over those two tables in every commit. The process is noted in meta
 * (agents_staged), so opens elsewhere leave the rows to it. Off: moves
 * every staged row into the two tables in one transaction (a crash leaves
 * them staged: heed_store_open moves them when that process has ended).
 * No transaction may be open. Until they move, the agent summaries do not
 * count the staged rows; every other update of the two tables (a customer
 * message arriving after the replies it precedes, an alias, the rebuild)
 * keeps the staged rows too. */
int heed_store_stage_agents(heed_store *st, int on, heed_error *err);
/* Moves the staged agent rows, if any, in one transaction. wait 0: while
 * the process that staged them is alive, or when another connection holds
 * the write lock, does nothing and returns 0. */
int heed_store_unstage_agents(heed_store *st, int wait, heed_error *err);
/* Frees the pages of the handle's cache that no statement holds (they are
 * read again when needed): for a process about to need its memory for
 * something else (an import's identity pass after its files). */
void heed_store_release_memory(heed_store *st);
/* Copies what it can of the journal back into the database without waiting
 * for readers or writers. */
int heed_store_checkpoint(heed_store *st, heed_error *err);

/* The store's secret key for keyed hashes (redaction tokens, identity keys):
 * made from the system's random source when the store is created, or taken
 * from HEED_SECRET (64 hex digits) at creation. */
int heed_store_secret(heed_store *st, unsigned char key[HEED_STORE_SECRET_LEN], heed_error *err);

/* A meta value (schema_version, created, ...); *out malloc'd or NULL. */
int heed_store_meta_get(heed_store *st, const char *key, char **out, heed_error *err);
int heed_store_meta_set(heed_store *st, const char *key, const char *value, heed_error *err);

/* ------------------------------------------------------------ imports */

/* Progress of one input file, identified by kind + fingerprint (a hash of its
 * first bytes and size computed by the importer): the records committed so
 * far, so a second run skips them without reading them again. */
typedef struct heed_st_file {
    uint64_t records; /* records done (imported + rejected), in file order */
    uint64_t imported, rejected;
    int finished;
} heed_st_file;

int heed_store_file_get(heed_store *st, const char *kind, const char *fingerprint,
                        heed_st_file *out, int *found, heed_error *err);
int heed_store_file_put(heed_store *st, const char *kind, const char *fingerprint,
                        const char *path, const heed_st_file *f, heed_error *err);

/* ------------------------------------------------------------ records */

/* A contact key of a record, for identity resolution: kind is "crm", "email",
 * "phone" or "handle"; token is the normalised value (for e-mail, phone and
 * handle: its keyed hash, never the raw value). */
typedef struct heed_st_key {
    const char *kind;
    const char *token;
} heed_st_key;

/* A promise an agent made, as stored. */
typedef struct heed_st_promise {
    int kind;          /* HEED_PROMISE_* */
    const char *text;  /* the commitment clause */
    const char *object;
    int has_due;
    int64_t due;
} heed_st_promise;

/* A message with the summary of its analysis. The evidence is not stored: it
 * is recomputed from the stored text when shown (same text, same models, same
 * evidence); `model` names the models that produced the summary. */
typedef struct heed_st_message {
    const char *source, *id;   /* unique together */
    const char *conversation;  /* external id; NULL: the message's own */
    const char *customer;      /* CRM id given on the record, or NULL */
    int role;                  /* HEED_ROLE_* */
    const char *agent;
    int64_t time;
    int tz_min;
    const char *channel, *status, *subject;
    const char *text;          /* redacted when redaction is on */
    size_t text_len;
    const char *model;
    /* analysis summary */
    int scored;                /* language stage: English, scores meaningful */
    double valence;
    double stress, stress_c[HEED_STRESS_COUNT];
    int emotion;               /* top CX group (HEED_CX_*), -1 none */
    int need;                  /* top need (HEED_NEED_*), -1 none */
    int n_asks;
    int empathy[HEED_EMPATHY_COUNT]; /* agent turns: 0..2, -1 not scored */
    double compassion;         /* agent turns: 0..100, -1 not scored */
    uint32_t comp_signals;
    int addressed;             /* HEED_ADDR_*, -1 not scored */
    int n_jargon;
    double grade;
    uint64_t simhash;
} heed_st_message;

/* Stores a message (idempotent on source+id: *added 0 when it was there) with
 * its promises and contact keys (keys belong to its conversation). */
int heed_store_put_message(heed_store *st, const heed_st_message *m,
                           const heed_st_promise *p, size_t np, const heed_st_key *keys,
                           size_t nk, int *added, heed_error *err);

/* Replaces the analysis summary (and promises) of a stored message, for
 * `heed reanalyze`. id is the store's message id. */
int heed_store_update_analysis(heed_store *st, int64_t id, const heed_st_message *m,
                               const heed_st_promise *p, size_t np, heed_error *err);

typedef struct heed_st_customer {
    const char *source, *id, *name, *segment;
    int vulnerable;
    int has_created;
    int64_t created;
} heed_st_customer;

int heed_store_put_customer(heed_store *st, const heed_st_customer *c, const heed_st_key *keys,
                            size_t nk, int *added, heed_error *err);

typedef struct heed_st_event {
    const char *source, *id, *type, *order, *currency, *agent, *detail;
    int64_t time;
    int has_amount;
    double amount;
} heed_st_event;

int heed_store_put_event(heed_store *st, const heed_st_event *e, const heed_st_key *keys,
                         size_t nk, int *added, heed_error *err);

typedef struct heed_st_survey {
    const char *source, *id, *kind, *comment, *conversation;
    int64_t time;
    double score;
    int has_analysis; /* the comment was analysed */
    double valence, stress;
} heed_st_survey;

int heed_store_put_survey(heed_store *st, const heed_st_survey *s, const heed_st_key *keys,
                          size_t nk, int *added, heed_error *err);

int heed_store_put_agent(heed_store *st, const char *id, const char *name, const char *team,
                         int *added, heed_error *err);

#define HEED_STORE_AGENT_MAX 256 /* an agent id or alias, with its NUL */

/* Agents by any name. An agent id that holds '@' is an e-mail address and is
 * stored in lower case. An alias is another name of one agent (its e-mail
 * address, its user id in a helpdesk): every record put with the alias as
 * its agent is stored under the agent's id, and records stored under the
 * alias before are moved to the agent (messages, the agent summaries,
 * events, shifts, API keys; the alias's bare agent row goes). Returns
 * HEED_OK (*moved: the messages moved), or HEED_EINVAL with err->msg when
 * the alias is already another agent's, is the id of an agent that has
 * aliases of its own, or agent is itself an alias. */
int heed_store_put_agent_alias(heed_store *st, const char *agent, const char *alias,
                               size_t *moved, heed_error *err);
/* HEED_OK when heed_store_put_agent_alias(agent, alias) would succeed, else
 * its error; changes nothing. */
int heed_store_check_agent_alias(heed_store *st, const char *agent, const char *alias,
                                 heed_error *err);
/* The agent id records of `id` are stored under, into buf (cap bytes):
 * the agent of alias id, else id (an e-mail address in lower case). */
int heed_store_agent_id(heed_store *st, const char *id, char *buf, size_t cap, heed_error *err);
/* Calls fn with every e-mail address that names an agent (an agent id or an
 * alias holding '@', in lower case as stored), in order; fn returning
 * non-zero stops and is returned. HEED_OK or HEED_EIO. */
int heed_store_agent_addresses(heed_store *st, int (*fn)(void *ctx, const char *addr), void *ctx,
                               heed_error *err);

typedef struct heed_st_shift {
    const char *source, *id, *agent, *team;
    int64_t start, end;
} heed_st_shift;

int heed_store_put_shift(heed_store *st, const heed_st_shift *s, int *added, heed_error *err);

/* Counts of stored rows, for summaries and tests. */
typedef struct heed_st_counts {
    int64_t messages, conversations, customers, events, surveys, agents, shifts, promises,
        parties, persons;
} heed_st_counts;

int heed_store_counts(heed_store *st, heed_st_counts *out, heed_error *err);

/* ------------------------------------------------------------ identity */

/* Every record that can belong to a customer is a "party" (a CRM row, a
 * conversation, an event, a survey) with its keys. */
typedef struct heed_st_party {
    int64_t id;
    const char *kind;  /* "customer", "conversation", "event", "survey" */
    const char *label; /* the record's source id, for explanations */
    const char *crm;   /* the CRM id this party carries, or NULL */
    int64_t person;    /* its person as last linked; 0: not linked (new, or its
                        * keys or CRM id changed since) */
} heed_st_party;

/* Calls fn once per party (in id order), with its keys. Strings are valid
 * during the call only. */
typedef int (*heed_st_party_fn)(void *ctx, const heed_st_party *p, const heed_st_key *keys,
                                size_t nk);
int heed_store_parties(heed_store *st, heed_st_party_fn fn, void *ctx, heed_error *err);

/* The full identity pass's input, streamed so that it never needs every key
 * as a string at once. heed_store_party_rows: every party in id order with
 * its kind and whether it has a CRM id of its own (party.crm).
 * heed_store_key_rows: every (kind, token, party) row, grouped: all rows of
 * one key value are consecutive, parties ascending, and the values of one
 * kind come in byte order. Kind "crm" first: the parties' own CRM ids
 * (from_key 0) merged with the keys of kind crm (from_key 1; a party may come
 * twice in one group, once each way), then the other kinds. Both read through
 * indexes (party_crm, party_key_token), with no sort and no temporary table.
 * Strings are valid during the call only; a non-zero return from fn stops
 * the listing and is returned. */
typedef int (*heed_st_party_row_fn)(void *ctx, int64_t id, const char *kind, int has_crm);
int heed_store_party_rows(heed_store *st, heed_st_party_row_fn fn, void *ctx, heed_error *err);
typedef int (*heed_st_key_row_fn)(void *ctx, const char *kind, const char *token, size_t len,
                                  int64_t party, int from_key);
int heed_store_key_rows(heed_store *st, heed_st_key_row_fn fn, void *ctx, heed_error *err);

/* Every party in id order with its person as last linked (0: not linked),
 * through the table's rowid order: no sort. fn gets (ctx, party, person); a
 * non-zero return stops the listing and is returned. */
typedef int (*heed_st_pair_fn)(void *ctx, int64_t a, int64_t b);
int heed_store_party_persons(heed_store *st, heed_st_pair_fn fn, void *ctx, heed_error *err);

/* One party with its keys (fn is not called when there is no such party). */
int heed_store_party(heed_store *st, int64_t id, heed_st_party_fn fn, void *ctx,
                     heed_error *err);

/* A party id with the CRM id it stands for (its own, else its key of kind
 * "crm"; NULL: none). Strings are valid during the call only. A non-zero
 * return stops the listing and is returned. */
typedef int (*heed_st_id_fn)(void *ctx, int64_t party, const char *crm);

/* Parties not linked to a person (person NULL), in id order: those added since
 * the last identity pass and those that gained a key or a CRM id since (the
 * store unlinks them when it happens); crm is NULL. */
int heed_store_unlinked(heed_store *st, heed_st_id_fn fn, void *ctx, heed_error *err);
/* *any: 1 when some party is linked to a person (a pass has run), else 0. */
int heed_store_any_linked(heed_store *st, int *any, heed_error *err);
/* *max: the highest party id, 0 when there is none: at least the number of
 * parties (ids are distinct and positive), read from the end of the table. */
int heed_store_party_max(heed_store *st, int64_t *max, heed_error *err);

/* The parties carrying the key (kind, token), in id order, each with the CRM
 * id it stands for. Kind "crm": the parties whose CRM id or key of kind crm
 * is token. Through the party_key and party_crm indexes. */
int heed_store_key_parties(heed_store *st, const char *kind, const char *token,
                           heed_st_id_fn fn, void *ctx, heed_error *err);

/* Sets the person (resolved customer) of a party. Call inside a transaction. */
int heed_store_set_person(heed_store *st, int64_t party, int64_t person, heed_error *err);

/* The rule that two parties must never be in one person (`heed customer
 * unmerge`), and the list of such rules. */
int heed_store_add_unmerge(heed_store *st, int64_t a, int64_t b, heed_error *err);
int heed_store_unmerges(heed_store *st, heed_st_pair_fn fn, void *ctx, heed_error *err);

/* The person a CRM id, a conversation id or a party id belongs to; 0 when
 * none. `ref` is tried as a CRM id, then as a conversation id, then as a
 * number (person or party id). */
int heed_store_find_person(heed_store *st, const char *ref, int64_t *person, heed_error *err);

/* Parties of one person, with keys (for `heed customer why`). */
int heed_store_person_parties(heed_store *st, int64_t person, heed_st_party_fn fn, void *ctx,
                              heed_error *err);

/* ------------------------------------------------------------ reading */

/* Cursors over stored rows, one person's (person > 0) or every person's
 * ordered by person (person 0; rows of parties not yet linked to a person are
 * left out). heed_st_next_* returns 1 with a row, 0 at the end, or a negative
 * HEED_E* code; the row's strings are valid until the next call. */
typedef struct heed_st_cursor heed_st_cursor;
void heed_st_cursor_free(heed_st_cursor *c);

typedef struct heed_st_msgrow {
    int64_t person, id, conversation;
    const char *ext_id, *conv_ext, *agent, *channel, *status, *subject;
    const char *text; /* with HEED_ST_TEXT, else NULL */
    int role;
    int64_t time;
    int tz_min;
    double valence, stress, stress_c[HEED_STRESS_COUNT];
    int emotion, need, n_asks; /* -1: none */
    int empathy[HEED_EMPATHY_COUNT]; /* -1: not scored */
    double compassion;               /* -1: not scored */
    uint32_t comp_signals;
    int addressed, n_jargon;         /* addressed -1: not scored */
    const char *model;
} heed_st_msgrow;

#define HEED_ST_TEXT 0x01u /* messages: also read the text */
#define HEED_ST_AGENT_ONLY 0x02u /* messages: only the agent replies */

/* The readers below that take a person read one person (> 0), every linked
 * person (0), or the persons last given to heed_store_person_set on this
 * handle (HEED_ST_PERSON_SET), ordered by person. */
#define HEED_ST_PERSON_SET ((int64_t)-1)
/* Replaces the set of persons HEED_ST_PERSON_SET reads (a temporary table of
 * this connection). HEED_OK or HEED_EIO. */
int heed_store_person_set(heed_store *st, const int64_t *persons, size_t n, heed_error *err);

/* Messages ordered by person, conversation's first time, conversation, time. */
int heed_store_messages(heed_store *st, int64_t person, unsigned flags, heed_st_cursor **out,
                        heed_error *err);
int heed_st_next_message(heed_st_cursor *c, heed_st_msgrow *row);

/* The last `limit` messages of conversation `conv` of `source` before time
 * `before`, oldest first, each to fn (role, stored text); a non-zero return
 * of fn stops and is returned. For the API's ingest, which rebuilds a reply's
 * context from the customer's earlier turns. HEED_OK, or an error. */
typedef int (*heed_st_turn_fn)(void *ctx, int role, const char *text, size_t len);
int heed_store_conversation_turns(heed_store *st, const char *source, const char *conv,
                                  int64_t before, size_t limit, heed_st_turn_fn fn, void *ctx,
                                  heed_error *err);

/* For trends: the customer messages with time in [from, to), linked or not,
 * in time order: time, conversation, the message's own channel (NULL none;
 * always NULL unless with_channel), need (-1 none) and stress (-1 not
 * scored). Read from one covering index; the caller joins each conversation
 * (heed_store_trend_conversations). */
typedef struct heed_st_custmsg {
    int64_t time, conversation;
    const char *channel;
    int need;
    double stress;
} heed_st_custmsg;
int heed_store_customer_messages(heed_store *st, int64_t from, int64_t to, int with_channel,
                                 heed_st_cursor **out, heed_error *err);
int heed_st_next_custmsg(heed_st_cursor *c, heed_st_custmsg *row);

/* For trends: the conversations with id in [lo, hi], ordered by id: channel
 * (NULL none; always NULL unless with_channel), top need (the most frequent
 * need of its customer messages, ties to the one seen first; -1 none) and
 * person (0: not linked). */
typedef struct heed_st_trend_conv {
    int64_t id, person;
    const char *channel;
    int need;
} heed_st_trend_conv;
int heed_store_trend_conversations(heed_store *st, int64_t lo, int64_t hi, int with_channel,
                                   heed_st_cursor **out, heed_error *err);
/* The same for the conversations last given to heed_store_conversation_set
 * on this handle (a temporary table; HEED_OK or HEED_EIO), ordered by id: a
 * lookup each, for a few conversations spread over many ids. */
int heed_store_conversation_set(heed_store *st, const int64_t *ids, size_t n, heed_error *err);
int heed_store_trend_conversation_set(heed_store *st, int with_channel, heed_st_cursor **out,
                                      heed_error *err);
int heed_st_next_trend_conversation(heed_st_cursor *c, heed_st_trend_conv *row);

/* Surveys of linked persons answered in [from, to), for trends: time, kind,
 * score, and the conversation named by its conversation_ext among the same
 * person's conversations (0 and NULL channel, need -1 when none) with that
 * conversation's channel and top need (-1 none). */
typedef struct heed_st_trend_survey {
    int64_t time, conversation;
    const char *kind, *channel;
    double score;
    int need;
} heed_st_trend_survey;
int heed_store_trend_surveys(heed_store *st, int64_t from, int64_t to, heed_st_cursor **out,
                             heed_error *err);
int heed_st_next_trend_survey(heed_st_cursor *c, heed_st_trend_survey *row);

/* Promises made in [from, to), linked or not, for trends, in no particular
 * order: id, time made and conversation (the caller joins it). */
typedef struct heed_st_trend_promise {
    int64_t id, made, conversation;
} heed_st_trend_promise;
int heed_store_trend_promises(heed_store *st, int64_t from, int64_t to, heed_st_cursor **out,
                              heed_error *err);
int heed_st_next_trend_promise(heed_st_cursor *c, heed_st_trend_promise *row);

/* What the last queue refresh stored about a promise (promise_state): its
 * due time and, when every event and reply then known is counted, the time
 * of the one that kept it (has_kept 0: none). Its status as of any time
 * follows (heed_pm_status_at); valid while nothing came in since. */
typedef struct heed_st_promise_state {
    int64_t promise, due, kept;
    int has_kept;
} heed_st_promise_state;
/* The stored rows of promises with id in [lo, hi], ordered by promise. */
int heed_store_promise_states(heed_store *st, int64_t lo, int64_t hi, heed_st_cursor **out,
                              heed_error *err);
int heed_st_next_promise_state(heed_st_cursor *c, heed_st_promise_state *row);

/* Every message, linked or not, ordered by conversation then time (for
 * `heed reanalyze`, which rebuilds each reply's context as it goes); the row's
 * person is 0. */
int heed_store_all_messages(heed_store *st, unsigned flags, heed_st_cursor **out,
                            heed_error *err);

typedef struct heed_st_promrow {
    int64_t person, id, message, conversation;
    const char *text, *object, *agent, *conv_ext, *msg_ext;
    int kind;
    int64_t made;
    int has_due;
    int64_t due;
} heed_st_promrow;

int heed_store_promises(heed_store *st, int64_t person, heed_st_cursor **out, heed_error *err);
int heed_st_next_promise(heed_st_cursor *c, heed_st_promrow *row);

typedef struct heed_st_eventrow {
    int64_t person, id;
    const char *ext_id, *type, *order, *currency, *agent, *detail;
    int64_t time;
    int has_amount;
    double amount;
} heed_st_eventrow;

int heed_store_events(heed_store *st, int64_t person, heed_st_cursor **out, heed_error *err);
int heed_st_next_event(heed_st_cursor *c, heed_st_eventrow *row);

typedef struct heed_st_surveyrow {
    int64_t person;
    const char *ext_id, *kind, *comment, *conv_ext;
    double score;
    int64_t time;
    int has_analysis;
    double stress;
} heed_st_surveyrow;

int heed_store_surveys(heed_store *st, int64_t person, heed_st_cursor **out, heed_error *err);
int heed_st_next_survey(heed_st_cursor *c, heed_st_surveyrow *row);

/* People: each person with the CRM row that names it, if any. */
typedef struct heed_st_personrow {
    int64_t person;
    const char *crm, *name, *segment;
    int vulnerable;
} heed_st_personrow;

int heed_store_persons(heed_store *st, int64_t person, heed_st_cursor **out, heed_error *err);
int heed_st_next_person(heed_st_cursor *c, heed_st_personrow *row);

/* The latest time of any stored message, event or survey (0 when empty). */
int heed_store_latest_time(heed_store *st, int64_t *t, heed_error *err);

/* ------------------------------------------------------------ the act-now queue */

/* The queue is materialised: a refresh scores every person as of a time and
 * keeps the result, so reading the top is one indexed query. */
typedef struct heed_st_state {
    int64_t person;
    double score, stress_now;
    int64_t waiting_since; /* 0: not waiting */
    int broken, pending, kept, vulnerable;
    const char *reasons;   /* one reason per line, most weight first */
    int64_t as_of;
    int64_t last_activity; /* latest customer message, event or survey */
    /* filled when read */
    const char *crm, *name;
    int64_t handled;       /* latest time marked handled, 0 none */
} heed_st_state;

/* Clears the materialised queue: every person's state, every stored
 * promise status and every person's mark for deciding again. */
int heed_store_state_clear(heed_store *st, heed_error *err);

/* The persons to decide again (queue_dirty, schema 10): every write that can
 * change a linked person's decision marks the person in its own transaction
 * (a message, promise, event, survey or CRM row put for them, a re-scoring, a
 * party the identity pass moves to or from them); the queue refresh that
 * decides them again unmarks them. */

/* Makes the persons HEED_ST_PERSON_SET reads the marked ones, and with
 * with_due also those with a state row whose stored promise changes status
 * between the row's as_of and now (its due time between the two, nothing
 * having kept it by the earlier), at most max (0: no limit), the smallest
 * ids first; *n gets their number. */
int heed_store_dirty_set(heed_store *st, int64_t now, int with_due, size_t max, size_t *n,
                         heed_error *err);
/* Makes the persons HEED_ST_PERSON_SET reads the next max linked persons
 * after person `after`, in order: *n of them, the last *last (0: none). */
int heed_store_range_set(heed_store *st, int64_t after, size_t max, size_t *n, int64_t *last,
                         heed_error *err);
/* Before deciding the persons of the set again: removes their state rows and
 * marks, and the state rows of persons in (lo, hi] (those are of persons
 * that exist no more when the set holds every person of the range). */
int heed_store_state_drop(heed_store *st, int64_t lo, int64_t hi, heed_error *err);
/* Removes the stored status of every promise of a party not linked to a
 * person (a full refresh stores none for them). */
int heed_store_promise_state_prune(heed_store *st, heed_error *err);
/* The oldest and newest as_of of the state rows (0 when none) and how many
 * persons are marked for deciding again. */
int heed_store_queue_span(heed_store *st, int64_t *oldest, int64_t *newest, int64_t *dirty,
                          heed_error *err);
/* The marked persons, ascending (malloc'd; NULL when none). */
int heed_store_dirty_persons(heed_store *st, int64_t **out, size_t *n, heed_error *err);
int heed_store_state_put(heed_store *st, const heed_st_state *s, heed_error *err);
/* Stores what decides a promise's status (the queue refresh). */
int heed_store_promise_state_put(heed_store *st, const heed_st_promise_state *v,
                                 heed_error *err);
/* The k highest scores (ties: smaller person first), leaving out people
 * marked handled after their last activity unless with_handled. */
int heed_store_queue(heed_store *st, size_t k, int with_handled, heed_st_cursor **out,
                     heed_error *err);
int heed_st_next_state(heed_st_cursor *c, heed_st_state *row);
int heed_store_state_get(heed_store *st, int64_t person, heed_st_state *out, int *found,
                         heed_error *err);
/* Marks a person handled at time t (the act-now queue's "done"). */
int heed_store_mark_handled(heed_store *st, int64_t person, int64_t t, const char *note,
                            heed_error *err);

/* ------------------------------------------------------------ agents */

/* One agent's work in one conversation whose first reply by that agent falls
 * in [from, to): the first and last reply, the replies' count, and the peak
 * stress of the conversation's customer messages up to the last reply.
 * Ordered by agent, then start. Kept current by every put (a table, so a day
 * of a large store is a few thousand rows to read). */
typedef struct heed_st_agentconv {
    const char *agent;
    int64_t conversation;
    int64_t start, end;
    int replies;
    double peak_stress;
} heed_st_agentconv;

int heed_store_agent_convos(heed_store *st, const char *agent, int64_t from, int64_t to,
                            heed_st_cursor **out, heed_error *err);
/* Recomputes every agent summary (agent_conv, agent_reply) from the messages
 * (after `heed reanalyze` changed their scores). */
int heed_store_rebuild_agent_convs(heed_store *st, heed_error *err);
int heed_st_next_agentconv(heed_st_cursor *c, heed_st_agentconv *row);

/* One agent's replies in [from, to), ordered by time then id: the scores
 * and the customer stress each answered (that of the conversation's latest
 * customer message at or before it), without the text.
 * Read from agent_reply, kept by every put: one index range, no lookups. */
typedef struct heed_st_replyscore {
    int64_t id, time;
    int empathy[HEED_EMPATHY_COUNT]; /* -1: not scored */
    double compassion;               /* -1: not scored */
    double customer_stress;          /* 0 when none answered */
} heed_st_replyscore;

int heed_store_reply_scores(heed_store *st, const char *agent, int64_t from, int64_t to,
                            heed_st_cursor **out, heed_error *err);
int heed_st_next_reply_score(heed_st_cursor *c, heed_st_replyscore *row);

/* Every agent's replies in [from, to), ordered by agent, time, message, as
 * heed_store_reply_scores reads one agent's (no text): agent_reply's key
 * seeked agent by agent, one index range each, so the rows read are the
 * period's and nothing is sorted. fn gets each row with its agent (valid
 * during the call); a non-zero return stops the listing and is returned. */
typedef int (*heed_st_replyscore_fn)(void *ctx, const char *agent,
                                     const heed_st_replyscore *row);
int heed_store_period_reply_scores(heed_store *st, int64_t from, int64_t to,
                                   heed_st_replyscore_fn fn, void *ctx, heed_error *err);

/* The text of message id and its conversation's id (both malloc'ed; NULL
 * when there is no such message). HEED_OK, HEED_ENOMEM or HEED_EIO. */
int heed_store_reply_text(heed_store *st, int64_t id, char **text, char **conv_ext,
                          heed_error *err);

typedef struct heed_st_shiftrow {
    const char *agent, *team;
    int64_t start, end;
} heed_st_shiftrow;

int heed_store_shifts(heed_store *st, const char *agent, int64_t from, int64_t to,
                      heed_st_cursor **out, heed_error *err);
int heed_st_next_shift(heed_st_cursor *c, heed_st_shiftrow *row);

/* Agents with their team and name (agent NULL: all), ordered by id. */
typedef struct heed_st_agentrow {
    const char *id, *name, *team;
} heed_st_agentrow;

int heed_store_agents(heed_store *st, const char *agent, heed_st_cursor **out, heed_error *err);
int heed_st_next_agent(heed_st_cursor *c, heed_st_agentrow *row);

/* ------------------------------------------------------------ API keys */

/* An API key of `heed serve`. The key itself is never stored: only `hash`, a
 * keyed hash of it made by the caller, and `prefix`, its first characters, so
 * a person can tell keys apart in `heed key list`. */
#define HEED_ST_KEYHASH_LEN 32
typedef struct heed_st_apikey {
    int64_t id;
    unsigned char hash[HEED_ST_KEYHASH_LEN];
    const char *prefix;
    const char *role;   /* "admin", "lead" or "agent" */
    const char *team;   /* NULL: none */
    const char *agent;  /* NULL: none */
    const char *name;   /* a label; NULL: none */
    int64_t created;
    int64_t last_used;  /* 0: never */
    int64_t revoked;    /* 0: active */
} heed_st_apikey;

/* Stores a new key (k->id, last_used and revoked are ignored); *id is its id. */
int heed_store_apikey_put(heed_store *st, const heed_st_apikey *k, int64_t *id,
                          heed_error *err);
/* Calls fn with the key of this hash, revoked or not, and *found 1; *found 0
 * when there is none. Returns fn's result or an error. */
typedef int (*heed_st_apikey_fn)(void *ctx, const heed_st_apikey *k);
int heed_store_apikey_find(heed_store *st, const unsigned char hash[HEED_ST_KEYHASH_LEN],
                           heed_st_apikey_fn fn, void *ctx, int *found, heed_error *err);
/* Revokes key id at time t; *found 0 when there is no such active key. */
int heed_store_apikey_revoke(heed_store *st, int64_t id, int64_t t, int *found,
                             heed_error *err);
/* Records that key id was last used at time t (never moves back). */
int heed_store_apikey_touch(heed_store *st, int64_t id, int64_t t, heed_error *err);
/* Calls fn once per key in id order, revoked ones included; a non-zero return
 * of fn stops the walk and is returned. Strings are valid during the call. */
int heed_store_apikeys(heed_store *st, heed_st_apikey_fn fn, void *ctx, heed_error *err);

/* ------------------------------------------------------------ webhooks */

/* An outgoing webhook of `heed serve` (docs/api.md, "Webhooks"). events is a
 * comma-separated list ("queue.entered,promise.broken"); secret is the HMAC
 * key, kept as given (it is needed in clear to sign). */
typedef struct heed_st_webhook {
    int64_t id;
    const char *url, *events, *secret;
    int64_t created;
    int64_t disabled; /* 0: active; else when it was removed */
} heed_st_webhook;

/* Stores a new webhook; *id is its id. */
int heed_store_webhook_add(heed_store *st, const heed_st_webhook *w, int64_t *id,
                           heed_error *err);
/* Removes webhook id at time t (kept, disabled, so its log stays readable;
 * its undelivered announcements are dropped); *found 0 when there is no such
 * active webhook. */
int heed_store_webhook_remove(heed_store *st, int64_t id, int64_t t, int *found,
                              heed_error *err);
/* Calls fn once per webhook in id order (only active ones with active_only);
 * a non-zero return of fn stops the walk and is returned. Strings are valid
 * during the call. */
typedef int (*heed_st_webhook_fn)(void *ctx, const heed_st_webhook *w);
int heed_store_webhooks(heed_store *st, int active_only, heed_st_webhook_fn fn, void *ctx,
                        heed_error *err);

/* Remembers that (event, customer, key) was announced at time t; *is_new 1
 * when it was not remembered before (announce it), 0 when it was. */
int heed_store_webhook_seen_add(heed_store *st, const char *event, int64_t customer,
                                const char *key, int64_t t, int *is_new, heed_error *err);
/* Forgets the queue.entered announcements of customers whose materialised
 * queue score (person_state) is now below min_score, so that they are
 * announced again when they come back. */
int heed_store_webhook_seen_prune(heed_store *st, double min_score, heed_error *err);

/* One announcement to deliver and its last attempt. Times are Unix seconds
 * but next_try, which is Unix milliseconds (retries are seconds apart). */
typedef struct heed_st_delivery {
    int64_t id, webhook;
    const char *event;
    int64_t customer;
    const char *payload;
    int attempt;          /* attempts made */
    int status_code;      /* of the last attempt; 0 none (no answer) */
    const char *error;    /* of the last attempt; NULL none */
    int64_t next_try;     /* ms; 0: nothing more to try (delivered or given up) */
    int64_t delivered;    /* 0: not delivered */
    int64_t created;
    /* filled when listing due deliveries: the webhook's */
    const char *url, *secret;
} heed_st_delivery;

/* Queues an announcement for webhook d->webhook, first try at d->next_try. */
int heed_store_delivery_add(heed_store *st, const heed_st_delivery *d, int64_t *id,
                            heed_error *err);
/* Deliveries whose next_try is at or before now_ms, of active webhooks, at most
 * limit, earliest first, with the webhook's url and secret; fn as above. */
typedef int (*heed_st_delivery_fn)(void *ctx, const heed_st_delivery *d);
int heed_store_deliveries_due(heed_store *st, int64_t now_ms, size_t limit,
                              heed_st_delivery_fn fn, void *ctx, heed_error *err);
/* The earliest next_try of an active webhook's delivery; *any 0 when none. */
int heed_store_delivery_next(heed_store *st, int64_t *next_ms, int *any, heed_error *err);
/* Records attempt number `attempt` of delivery id at time t: its HTTP status
 * (0 none) and error (NULL none), the next try (ms; 0 none) and when it was
 * delivered (0 not). One transaction. */
int heed_store_delivery_attempt(heed_store *st, int64_t id, int attempt, int64_t t,
                                int status_code, const char *error, int64_t next_try,
                                int64_t delivered, heed_error *err);

/* One attempt with its delivery, for `heed webhook log`. */
typedef struct heed_st_attemptrow {
    int64_t delivery, webhook, customer, time;
    const char *event;
    int attempt, status_code;
    const char *error;
    int64_t next_try, delivered; /* the delivery's, now */
} heed_st_attemptrow;
typedef int (*heed_st_attempt_fn)(void *ctx, const heed_st_attemptrow *a);
/* The latest `limit` attempts, newest first; fn as above. */
int heed_store_webhook_log(heed_store *st, size_t limit, heed_st_attempt_fn fn, void *ctx,
                           heed_error *err);

#endif
