/* identity.h - identity resolution: which records from the company's silos
 * (CRM, messages, events, surveys) belong to one customer, and why. Pure
 * decision logic over plain arrays; the store loads the records and keeps the
 * result. Rules and their reasons: docs/journey.md. */
#ifndef HEED_IDENTITY_H
#define HEED_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

/* Where a record comes from (informational: the rules treat every silo alike). */
enum {
    HEED_SILO_CRM = 0,
    HEED_SILO_MESSAGE = 1,
    HEED_SILO_EVENT = 2,
    HEED_SILO_SURVEY = 3,
    HEED_SILO_OTHER = 4
};

/* Kinds of key. Only strong keys exist: a name is never a key. */
enum {
    HEED_KEY_CRM = 0,    /* the CRM id (same as heed_id_record.crm_id) */
    HEED_KEY_EMAIL = 1,  /* e-mail address, normalised and hashed by the caller */
    HEED_KEY_PHONE = 2,  /* E.164 phone number, hashed */
    HEED_KEY_HANDLE = 3, /* social handle, hashed */
    HEED_KEY_COUNT = 4
};

/* "crm", "email", "phone", "handle"; "unknown" out of range. */
const char *heed_key_kind_name(int kind);

/* One key: an opaque token (not NUL-terminated, compared byte for byte). */
typedef struct heed_id_key {
    int kind; /* HEED_KEY_* */
    const char *value;
    size_t len; /* 0: the key is ignored */
} heed_id_key;

typedef struct heed_id_record {
    int silo;           /* HEED_SILO_* */
    const char *crm_id; /* the record's CRM id; NULL or crm_len 0: none */
    size_t crm_len;
    const heed_id_key *keys; /* may include HEED_KEY_CRM keys: they must equal
                              * crm_id when both are set (else HEED_EINVAL) */
    size_t n_keys;
} heed_id_record;

/* A rule "records a and b (indices) are never the same customer", e.g. the
 * undo of a wrong merge. Indices must be < n_records. */
typedef struct heed_id_unmerge {
    size_t a, b;
} heed_id_unmerge;

/* A link that joined two records: record b joined the customer that record a
 * was in, through the key (kind, value). value borrows the input. */
typedef struct heed_id_link {
    size_t a, b;
    int kind;
    const char *value;
    size_t len;
} heed_id_link;

/* Why a link that the keys suggested was not used. */
enum {
    HEED_ID_CRM_CONFLICT = 1, /* the two sides carry different CRM ids */
    HEED_ID_UNMERGE = 2       /* it would join the two records of an unmerge rule */
};

typedef struct heed_id_conflict {
    size_t a, b; /* the two records the key would have joined */
    int kind;    /* the key */
    const char *value;
    size_t len;
    int reason;  /* HEED_ID_CRM_CONFLICT or HEED_ID_UNMERGE */
    size_t rule; /* HEED_ID_UNMERGE: index of the rule; else 0 */
} heed_id_conflict;

/* A key carried by records of more than max_crm_per_key CRM ids: "shared, not
 * used" (a switchboard number, a family e-mail). */
typedef struct heed_id_shared {
    int kind;
    const char *value;
    size_t len;
    size_t n_records; /* records carrying it */
    size_t n_crm;     /* distinct CRM ids among them */
} heed_id_shared;

typedef struct heed_id_opts {
    size_t max_crm_per_key; /* 0: 1. A key seen with more distinct CRM ids than
                             * this links nothing */
    int explain_one;        /* 1: explain only the customer of record
                             * explain_record: links, conflicts and shared keys
                             * that touch no record of it are left out (the
                             * resolution runs twice; customer[] is whole) */
    size_t explain_record;
} heed_id_opts;

/* The outcome. Owned by the caller, released with heed_identity_release;
 * the value pointers borrow the input records, which must outlive it. */
typedef struct heed_id_result {
    size_t n_records;
    size_t *customer;   /* [n_records]: the customer of each record, numbered by
                         * the smallest record index in it */
    size_t n_customers;
    heed_id_link *links; /* sorted by customer, then in the order they were
                          * made (CRM keys first, then e-mail, phone, handle) */
    size_t n_links;
    heed_id_conflict *conflicts; /* in the order they were met */
    size_t n_conflicts;
    heed_id_shared *shared; /* by kind, then first record carrying it */
    size_t n_shared;
} heed_id_result;

/* Resolves records[0..n) into customers, honouring the unmerge rules.
 * Deterministic: the keys are tried in the order (key kind, the first record
 * carrying the key), never by the key's value (a keyed hash that differs from
 * store to store), so a given set of records, numbered the same, always gives
 * the same result whatever the tokens. O((K + U) log (K + U)) for K keys and U rules.
 *
 * Returns HEED_OK and fills *out (release with heed_identity_release), or
 * HEED_EINVAL (NULL arguments, a bad kind, a rule index out of range, a record
 * with two CRM ids; err->pos = the record or rule index) or HEED_ENOMEM; on
 * failure *out is zeroed. Thread-safe: no shared state. */
HEED_NODISCARD int heed_identity_resolve(const heed_id_record *records, size_t n,
                                         const heed_id_unmerge *rules, size_t n_rules,
                                         const heed_id_opts *opts, heed_id_result *out,
                                         heed_error *err);

/* ---- The compact form, for stores too big to hold every key as a string.
 * Records are 0..n-1; the caller has already grouped the keys: one group per
 * key value, listing the records that carry it. Nothing here sees a token, so
 * no hashing (and no collision) is involved: the caller groups by the tokens
 * themselves (the store streams them sorted from its index). */

#define HEED_ID_NO_CRM UINT32_MAX

typedef struct heed_id_group {
    uint32_t start, end; /* members[start..end): the distinct records carrying
                          * the key, ascending */
    uint32_t ref;        /* the caller's (heed_identity_resolve: the key's entry) */
    int kind;            /* HEED_KEY_*; every record of a HEED_KEY_CRM group has
                          * the CRM number of that group in crm[] */
} heed_id_group;

typedef struct heed_id_counts {
    size_t n_customers, n_links, n_conflicts, n_shared;
} heed_id_counts;

/* Resolves records 0..n) as heed_identity_resolve does (the same rules and
 * order, so the same customers for the same keys), without the explanations:
 * crm[i] is record i's CRM number (equal numbers: the same CRM id;
 * HEED_ID_NO_CRM: none); groups (reordered in place) are taken in the order
 * (kind, first record, start), so groups of one kind must be laid out in
 * members in the order of their key values, as heed_identity_resolve does, for
 * the two to agree on every tie. Writes customer[0..n) (the smallest record
 * index of each customer; the array is also the union-find's) and *counts.
 * Working memory: 4 bytes per record (16 with unmerge rules), plus the
 * caller's arrays.
 * Returns HEED_OK, HEED_EINVAL (NULL arguments, n or members past UINT32_MAX,
 * a group out of bounds or not ascending, a bad kind, a rule index out of
 * range; err->pos = the group or rule index) or HEED_ENOMEM. Thread-safe. */
HEED_NODISCARD int heed_identity_resolve_groups(size_t n, const uint32_t *crm,
                                                heed_id_group *groups, size_t n_groups,
                                                const uint32_t *members,
                                                const heed_id_unmerge *rules, size_t n_rules,
                                                const heed_id_opts *opts, uint32_t *customer,
                                                heed_id_counts *counts, heed_error *err);

/* heed_identity_resolve_groups with max_crm_per_key 1, in 4 bytes per
 * record less, for a caller that has left out every group that can link
 * nothing: a group of one record, and a group of a kind other than crm whose
 * records carry two CRM numbers or more (a shared key: the caller counts
 * those). crm[] is the union-find's CRM per set as well: on return it holds
 * nothing of use. The same customers and counts as
 * heed_identity_resolve_groups given every group, but n_shared, which is 0.
 * Returns as heed_identity_resolve_groups, and HEED_EINVAL for a group of one
 * record or a shared one. Thread-safe. */
HEED_NODISCARD int heed_identity_resolve_unshared(size_t n, uint32_t *crm, heed_id_group *groups,
                                                  size_t n_groups, const uint32_t *members,
                                                  const heed_id_unmerge *rules, size_t n_rules,
                                                  uint32_t *customer, heed_id_counts *counts,
                                                  heed_error *err);

/* The links that explain customer c (a customer number from res->customer):
 * sets *first to an index into res->links and returns how many follow. A
 * customer of one record has none. */
size_t heed_identity_links_of(const heed_id_result *res, size_t c, size_t *first);

/* Frees what res holds and zeroes it; NULL or a zeroed result is fine. */
void heed_identity_release(heed_id_result *res);

#endif
