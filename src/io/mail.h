/* mail.h - e-mail for `heed import mbox`: a streaming mbox reader, a pure
 * RFC 5322 / MIME parser that turns one raw mail into header fields and a UTF-8
 * body, quoted-reply and signature stripping, and a threader that gives each
 * mail a conversation key. Only the mbox reader does I/O. See docs/mail.md. */
#ifndef HEED_MAIL_H
#define HEED_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "heed/heed.h"
#include "reader.h" /* heed_view */

/* ---------------------------------------------------------------- mbox */

typedef struct heed_mbox heed_mbox;

/* Starts reading the mbox `f` (not closed by the reader). `name` labels
 * messages (NULL: "mbox"); max_mail bounds one mail (0: HEED_MAX_MAIL). A
 * file that does not start with a "From " line is read as one mail (an .eml
 * file) up to the first "From " line after a blank line. Returns HEED_OK and
 * *out, or HEED_ENOMEM. */
HEED_NODISCARD int heed_mbox_new(FILE *f, const char *name, size_t max_mail, heed_mbox **out,
                                 heed_error *err);

/* Reads the next mail. *raw gets its bytes (without the "From " separator and
 * the blank line before the next one; ">From " lines unquoted, mboxrd and
 * mboxo alike: one '>' removed), valid until the next call; *line the 1-based
 * line of its "From " separator (or of its first line in an .eml file).
 * Returns 1 for a mail, 0 at the end, HEED_ETOOBIG for a mail over max_mail
 * (*raw holds its first bytes, *line its line; the reader has skipped it, call
 * again) or HEED_EIO (nothing more can be read). Memory is bounded by twice
 * the largest mail read. */
HEED_NODISCARD int heed_mbox_next(heed_mbox *mb, heed_view *raw, size_t *line, heed_error *err);

/* Frees the reader; NULL does nothing. */
void heed_mbox_free(heed_mbox *mb);

/* ---------------------------------------------------------------- parsing */

/* heed_mail.flags set by the caller before heed_mail_parse. */
#define HEED_MAIL_REPLACE_UTF8 0x01u /* replace bytes that are not valid in the
                                      * declared charset by U+FFFD instead of
                                      * failing with HEED_EUTF8 */

/* One parsed mail. Every view is UTF-8 text owned by the mail (ptr NULL: the
 * field is absent) and valid until the next heed_mail_parse on it or
 * heed_mail_release. Ids are without their angle brackets. */
typedef struct heed_mail {
    unsigned flags;               /* HEED_MAIL_*; kept by parse */
    heed_view message_id;         /* "Message-ID" */
    heed_view in_reply_to;        /* the first id of "In-Reply-To" */
    heed_view *references;        /* "References", oldest first */
    size_t n_references;
    heed_view from_addr;          /* "From": "jane@example.com" */
    heed_view from_name;          /* its display name, decoded ("Jane Doe") */
    heed_view to_addr;            /* the first address of "To" */
    heed_view subject;            /* encoded words decoded */
    heed_view date_raw;           /* the "Date" field as written */
    bool has_time;                /* the Date parsed: time and tz_min are set */
    int64_t time;                 /* Unix seconds, UTC */
    int tz_min;                   /* the writer's UTC offset in minutes */
    heed_view body;               /* text/plain (or text/html as text), UTF-8,
                                   * lines ending in '\n'; never NULL after a
                                   * successful parse (may be empty) */
    bool body_from_html;          /* the body was converted from text/html */
    size_t n_replaced;            /* sequences replaced (HEED_MAIL_REPLACE_UTF8) */
    heed_arena mem;               /* owns everything above */
} heed_mail;

/* Prepares an empty mail (flags as given); release with heed_mail_release. */
void heed_mail_init(heed_mail *m, unsigned flags);
/* Frees what the mail owns; it can be parsed into again. */
void heed_mail_release(heed_mail *m);

/* Parses raw[0..len) (header, blank line, body; LF or CRLF line ends) into m,
 * which must have been initialised; no I/O. Header fields are unfolded and
 * encoded words (RFC 2047, B and Q, any charset iconv knows) decoded. The body
 * is the first text/plain part that is not an attachment, else the first
 * text/html part converted to text, walking nested multiparts; transfer
 * encodings (quoted-printable, base64, 7bit, 8bit, binary) are undone and the
 * charset converted to UTF-8 with iconv. Returns HEED_OK; HEED_EPARSE (no
 * header, a multipart without its boundary, an unknown charset, ...);
 * HEED_EUTF8 (bytes not valid in the charset; err->pos their offset in the
 * decoded part) unless m->flags has HEED_MAIL_REPLACE_UTF8; HEED_ETOOBIG (MIME
 * nested deeper than HEED_MAX_MIME_DEPTH or more than HEED_MAX_MIME_PARTS
 * parts); HEED_ENOMEM. On error the fields are unspecified but the mail can be
 * released or parsed into again. Thread-safe on distinct mails. */
HEED_NODISCARD int heed_mail_parse(const char *raw, size_t len, heed_mail *m, heed_error *err);

/* Strips quoted replies, signatures and mobile footers from a body in[0..len)
 * (UTF-8, LF or CRLF): attribution lines ("On <date>, <name> wrote:", "Le ...
 * a écrit :", "Am ... schrieb ...:", "El ... escribió:") and the '>'-quoted
 * lines after them, any other '>'-quoted line, everything from
 * "-----Original Message-----" or an Outlook "From: ... / Sent: ..." header
 * block on, everything from the "-- " signature separator on, and lines such
 * as "Sent from my iPhone". Writes the kept text to out (room for len bytes;
 * out may be in itself) without leading and trailing blank lines, and returns
 * its length. Pure and thread-safe. */
size_t heed_mail_strip_quoted(const char *in, size_t len, char *out);

/* ---------------------------------------------------------------- threading */

typedef struct heed_mail_threader heed_mail_threader;

/* Returns HEED_OK and a threader in *out, or HEED_ENOMEM. */
HEED_NODISCARD int heed_mail_threader_new(heed_mail_threader **out, heed_error *err);

/* Gives m, fed in file order, its conversation key in *key: the Message-ID of
 * the root of its thread, found through In-Reply-To and References (the
 * nearest known ancestor's root; References[0], else In-Reply-To, when no
 * ancestor has been seen). A mail that refers to nothing starts its own
 * thread. A mail without a Message-ID gets a stable synthetic one,
 * "heed-<16 hex digits>@synthetic", from a hash of its From address, Date and
 * Subject. The key is owned by the threader and valid until the next call.
 * Returns HEED_OK, HEED_ENOMEM, or the error of the map given to
 * heed_mail_threader_spill. Not thread-safe. */
HEED_NODISCARD int heed_mail_thread_key(heed_mail_threader *t, const heed_mail *m, heed_view *key,
                                        heed_error *err);

/* Where a threader keeps the ids it knows once it holds too many: id -> the
 * root of its thread. get returns 1 with *root (valid until the next call on
 * the map), 0 when the id is not there, or a HEED_E* code; put adds an id
 * that is not there and returns HEED_OK or a code. */
typedef struct heed_mail_idmap {
    void *ctx;
    int (*get)(void *ctx, heed_view id, heed_view *root, heed_error *err);
    int (*put)(void *ctx, heed_view id, heed_view root, heed_error *err);
} heed_mail_idmap;

/* Bounds t's memory: whenever it holds max_ids ids (0: HEED_MAIL_THREAD_IDS)
 * at the start of a heed_mail_thread_key call, they move to `map` (borrowed:
 * it must outlive t), which is looked in after the ids held. The keys given
 * are the same as without a map. */
void heed_mail_threader_spill(heed_mail_threader *t, const heed_mail_idmap *map, size_t max_ids);

/* Frees the threader; NULL does nothing. */
void heed_mail_threader_free(heed_mail_threader *t);

#endif
