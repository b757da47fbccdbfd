/* redact.h - PII redaction on ingest: finds e-mail addresses, phone numbers,
 * payment card numbers, IBANs and street addresses in UTF-8 text and replaces
 * each with a token "[kind:hash]", where hash is the keyed hash (keys.h) of the
 * value's normal form. The findings carry the same hashes, so `heed import` can
 * link a customer's records by contact without storing the raw value. Pure: no
 * I/O, no global state; thread-safe. What is and is not detected:
 * docs/privacy.md. */
#ifndef HEED_REDACT_H
#define HEED_REDACT_H

#include <stddef.h>

#include "heed/heed.h"
#include "keys.h"

/* Kinds of finding; the names are the token prefixes. */
typedef enum heed_pii_kind {
    HEED_PII_EMAIL = 0, /* "email": hash of heed_key_email's form */
    HEED_PII_PHONE,     /* "phone": hash of heed_key_phone's E.164 form */
    HEED_PII_CARD,      /* "card": hash of the digits */
    HEED_PII_IBAN,      /* "iban": hash of the upper-case IBAN without spaces */
    HEED_PII_ADDRESS,   /* "address": hash of the lower-cased span, spaces
                         * collapsed, commas and dots dropped */
    HEED_PII_KIND_COUNT
} heed_pii_kind;

/* Bit flags of heed_redact_opts.kinds. */
#define HEED_REDACT_EMAIL (1u << HEED_PII_EMAIL)
#define HEED_REDACT_PHONE (1u << HEED_PII_PHONE)
#define HEED_REDACT_CARD (1u << HEED_PII_CARD)
#define HEED_REDACT_IBAN (1u << HEED_PII_IBAN)
#define HEED_REDACT_ADDRESS (1u << HEED_PII_ADDRESS)
#define HEED_REDACT_ALL 0x1fu

/* Longest text heed_redact accepts, bytes (HEED_ETOOBIG past it). */
#define HEED_REDACT_MAX_TEXT HEED_MAX_TEXT

/* Options; all zero means the defaults. */
typedef struct heed_redact_opts {
    unsigned kinds;         /* HEED_REDACT_* bits to redact; 0: all */
    const char *default_cc; /* country calling code for national phone numbers
                             * ("44"), as heed_key_phone; NULL: a national
                             * number is still redacted but its hash is of its
                             * digits (is_normalised 0) */
} heed_redact_opts;

typedef struct heed_finding {
    int kind;                   /* heed_pii_kind */
    size_t start, len;          /* byte span in the original text */
    char hash[HEED_KEY_HEX + 1]; /* keyed hash of the normal form: the token's */
    int is_normalised;          /* 1: hash == heed_key_hash(h, kind name, normal
                                 * form), the contact's identity key. 0 only for a
                                 * phone number that has no E.164 form (a local
                                 * number without area code, or a national one
                                 * with no default_cc): its hash is of its digits
                                 * (after "+" when written), so it is redacted
                                 * but will not link */
} heed_finding;

/* The result of heed_redact; release with heed_redaction_release. */
typedef struct heed_redaction {
    char *text;              /* the redacted text, NUL-terminated, owned */
    size_t len;              /* its length in bytes, NUL excluded */
    heed_finding *findings;  /* in text order, non-overlapping; owned */
    size_t n_findings;
} heed_redaction;

/* "email", "phone", "card", "iban", "address"; "unknown" out of range. */
const char *heed_pii_kind_name(int kind);

/* Redacts [text, text+len). text must be valid UTF-8 (the caller validates,
 * e.g. with heed_utf8_validate); other bytes are never read out of bounds but
 * may be copied as they are. Runs in time linear in len.
 *
 * h: the hasher (required). opts: NULL or all zero for the defaults. out:
 * receives the text and findings, which the caller releases with
 * heed_redaction_release (also after an error: out is then empty). Returns
 * HEED_OK, HEED_EINVAL (NULL h/out, or NULL text with len > 0), HEED_ETOOBIG
 * (len > HEED_REDACT_MAX_TEXT) or HEED_ENOMEM, with err (may be NULL) filled.
 * No error message quotes the text. */
HEED_NODISCARD int heed_redact(const heed_hasher *h, const char *text, size_t len,
                               const heed_redact_opts *opts, heed_redaction *out,
                               heed_error *err);

/* Frees what heed_redact put in r and empties it; NULL does nothing. */
void heed_redaction_release(heed_redaction *r);

#endif
