/* datasets.h - the labelled intent data the needs model learns from: loaders
 * for BANKING77 and Bitext CSV files and for heed's own TSV of extra examples,
 * the static tables that map their intents onto heed's 11 needs (HEED_NEED_*,
 * justified in docs/needs.md), and the deterministic dev split rule. Used by
 * `heed train needs` / `heed eval needs` and by the tests. At the end: the
 * EPITOME loader and split behind `heed train|eval empathy`. */
#ifndef HEED_DATASETS_H
#define HEED_DATASETS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "heed/heed.h"

typedef enum heed_ds_source {
    HEED_DS_BANKING77 = 0, /* CSV: text,category (77 intents) */
    HEED_DS_BITEXT = 1,    /* CSV: ...,instruction,intent,... (27 intents) */
    HEED_DS_EXTRA = 2,     /* TSV: need TAB text (heed's own examples) */
    HEED_DS_SOURCE_COUNT
} heed_ds_source;

/* One row of a mapping table: a dataset's intent name and the need it means. */
typedef struct heed_intent_need {
    const char *intent;
    int need; /* HEED_NEED_* */
} heed_intent_need;

#define HEED_BANKING77_INTENTS 77
#define HEED_BITEXT_INTENTS    27

/* The tables, in the datasets' own orders (BANKING77: categories.json). */
extern const heed_intent_need heed_banking77_needs[HEED_BANKING77_INTENTS];
extern const heed_intent_need heed_bitext_needs[HEED_BITEXT_INTENTS];

/* "refund", "delivery", ... (heed.h's HEED_NEED_MAP); NULL out of range. */
const char *heed_need_name(int need);

/* The HEED_NEED_* named s[0..n), or -1. */
int heed_need_from_name(const char *s, size_t n);

/* Index of intent s[0..n) in the source's table, or -1 (also for
 * HEED_DS_EXTRA, which has no intents). */
int heed_datasets_intent(heed_ds_source src, const char *s, size_t n);

/* Number of intents of a source (77, 27, 0) and the table itself (NULL for
 * HEED_DS_EXTRA). */
size_t heed_datasets_n_intents(heed_ds_source src);
const heed_intent_need *heed_datasets_table(heed_ds_source src);

/* The short tag of a source used by the split rule: "banking77", "bitext_cs",
 * "needs_extra". */
const char *heed_datasets_tag(heed_ds_source src);

/* The dev split rule (docs/needs.md), reproducible in any language:
 *   key = the text with ASCII letters lower-cased and every run of ASCII
 *         digits replaced by one '#'
 *   h   = FNV-1a 32-bit of the bytes "heed-dev-v1:" tag ":" key
 *   dev <=> h mod 100 < HEED_DEV_PERCENT
 * Returns 1 for a dev row, 0 for a training row. */
#define HEED_DEV_PERCENT 10u
int heed_datasets_is_dev(const char *tag, const char *text, size_t len);

/* One example. The text is NUL-terminated in the dataset's text buffer. */
typedef struct heed_ds_row {
    size_t text_off, text_len; /* into heed_dataset.text.ptr */
    size_t line;               /* 1-based line of the file where it starts */
    uint8_t source;            /* heed_ds_source */
    uint8_t is_dev;            /* the split rule's verdict */
    int16_t intent;            /* index in the source's table; -1 for extra */
    int16_t need;              /* HEED_NEED_* */
} heed_ds_row;

/* A growing set of examples from any number of files. All-zero is empty. */
typedef struct heed_dataset {
    heed_buf text;
    heed_ds_row *rows;
    size_t n, cap;
    size_t n_bad; /* malformed rows reported and skipped by the loads so far */
} heed_dataset;

void heed_datasets_release(heed_dataset *ds);

/* The text of row i (NUL-terminated). */
static inline const char *heed_datasets_text(const heed_dataset *ds, size_t i)
{
    return ds->text.ptr + ds->rows[i].text_off;
}

/* Receives one message "NAME:LINE: problem" per malformed row. */
typedef void (*heed_ds_report_fn)(void *ctx, const char *msg);

/* Appends every good example of `f` (read to its end, not closed) to ds.
 * `name` is the file's name for messages. A malformed row (wrong number of
 * fields, broken quoting, invalid UTF-8, empty text, an unknown intent or need
 * name) is never silently dropped: it is reported through `report` (NULL:
 * printed to stderr as "heed: NAME:LINE: problem"), counted in ds->n_bad and
 * skipped. Returns HEED_OK; or, when the file cannot be used at all, HEED_EIO
 * (read error), HEED_ETOOBIG (over HEED_DS_MAX_FILE), HEED_EPARSE (a CSV header
 * without the needed columns) or HEED_ENOMEM, with err->msg. Rows already
 * appended stay. */
#define HEED_DS_MAX_FILE   ((size_t)256 << 20) /* bytes of one file */
#define HEED_MAX_DS_FIELDS 64                  /* CSV columns looked at */
HEED_NODISCARD int heed_datasets_load(heed_dataset *ds, heed_ds_source src, FILE *f,
                                      const char *name, heed_ds_report_fn report, void *ctx,
                                      heed_error *err);

#endif

/* ---------------------------------------------------------------- EPITOME */

/* EPITOME (Sharma et al. 2020, Reddit part): one CSV per empathy mechanism,
 * columns sp_id,rp_id,seeker_post,response_post,level,rationales; the three
 * files hold the same (seeker post, response) pairs. The files under a data
 * directory, indexed by HEED_EMPATHY_*. */
extern const char *const heed_epitome_files[HEED_EMPATHY_COUNT];

/* The EPITOME dev split rule (docs/empathy.md), reproducible in any language:
 *   h   = FNV-1a 32-bit of the bytes "heed-dev-v1:epitome:" sp_id
 *   dev <=> h mod 100 < HEED_EPITOME_DEV_PERCENT
 * Keyed on the seeker post id alone, so every response to one post, in every
 * mechanism's file, is on the same side. Returns 1 for dev, 0 for training. */
#define HEED_EPITOME_DEV_PERCENT 20u
int heed_epitome_is_dev(const char *sp_id, size_t len);

/* One labelled pair of one mechanism. Strings are NUL-terminated in the
 * set's text buffer (offsets into heed_epitome.text.ptr). */
typedef struct heed_ep_row {
    size_t sp_off, sp_len;         /* seeker post id */
    size_t seeker_off, seeker_len; /* the seeker's post (the customer side) */
    size_t reply_off, reply_len;   /* the response (the reply side) */
    size_t rat_off, rat_len;       /* rationales: reply spans joined by '|' */
    size_t line;                   /* 1-based line where the record starts */
    uint8_t mech;                  /* HEED_EMPATHY_* */
    uint8_t level;                 /* 0 none, 1 weak, 2 strong */
    uint8_t is_dev;                /* the split rule's verdict */
} heed_ep_row;

/* A growing set of EPITOME rows from any number of files. All-zero is empty. */
typedef struct heed_epitome {
    heed_buf text;
    heed_ep_row *rows;
    size_t n, cap;
    size_t n_bad; /* malformed rows reported and skipped so far */
} heed_epitome;

void heed_epitome_release(heed_epitome *ep);

static inline const char *heed_epitome_str(const heed_epitome *ep, size_t off)
{
    return ep->text.ptr + off;
}

/* Appends every good row of `f` (an EPITOME CSV of mechanism `mech`) to ep,
 * as heed_datasets_load does: malformed rows (wrong field count, broken
 * quoting, invalid UTF-8, empty response or id, a level other than 0/1/2) are
 * reported through `report` (NULL: stderr), counted in ep->n_bad and skipped.
 * Returns HEED_OK, or HEED_EIO, HEED_ETOOBIG, HEED_EPARSE (no header with the
 * six columns), HEED_EINVAL, HEED_ENOMEM with err->msg. */
HEED_NODISCARD int heed_epitome_load(heed_epitome *ep, int mech, FILE *f, const char *name,
                                     heed_ds_report_fn report, void *ctx, heed_error *err);
