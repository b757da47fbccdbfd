/* helpdesk.h - reads a helpdesk ticket export in the shape of Zendesk's for
 * `heed import zendesk`: JSON lines (one ticket per line, streamed) or one
 * document {"tickets": [...], "users": [...]} (streamed too: checked in a
 * first pass, then parsed one ticket at a time in a second), and yields one
 * record per public comment. See docs/import.md and docs/mail.md. */
#ifndef HEED_HELPDESK_H
#define HEED_HELPDESK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "heed/heed.h"
#include "buf.h"
#include "reader.h" /* heed_view */

/* The document form is read through a window of this many bytes. */
#define HEED_HELPDESK_WINDOW 65536

/* One public comment with its ticket's fields. Views are UTF-8 text owned by
 * the reader, valid until the next heed_helpdesk_next (ptr NULL: absent).
 * Numeric ids are given as decimal text. */
typedef struct heed_hd_comment {
    size_t line;          /* the 1-based line the ticket starts on */
    size_t ticket_index;  /* 0-based ticket number in the export */
    size_t comment_index; /* 0-based position in the ticket's comments */
    bool whole_ticket;    /* an error of the ticket, not of one comment */
    heed_view ticket_id, subject, status;
    heed_view channel;    /* "channel", else "via": {"channel"} */
    heed_view requester_id, requester_name, requester_email, requester_phone;
    heed_view comment_id, author_id;
    heed_view author_name, author_email; /* from the requester or a "users" entry */
    int role;             /* HEED_ROLE_CUSTOMER when the author is the requester,
                           * HEED_ROLE_AGENT otherwise, HEED_ROLE_UNKNOWN when
                           * the ticket names no requester */
    bool has_time;        /* created_at (the comment's, else the ticket's) */
    int64_t time;         /* Unix seconds, UTC */
    int tz_min;
    heed_view body;       /* "body", else "plain_body" */
} heed_hd_comment;

typedef struct heed_helpdesk heed_helpdesk;

/* Starts reading `f` (not closed). `name` labels messages (NULL: "export").
 * Lines of the JSON lines form are bounded by HEED_MAX_RECORD. The form is
 * told from the first line: an object with a "tickets" member, or a first line
 * that opens such a document ("{" alone or starting with {"tickets"), is the
 * document form; anything else is JSON lines. The document is read twice
 * from where f stands, a window at a time: first to check all of it (so a
 * document that is not valid JSON yields no ticket) and to keep its "users"
 * side-load, wherever it is (id, name, e-mail, phone of each user: the only
 * memory that grows with the document); then ticket by ticket, each at most
 * HEED_MAX_RECORD bytes. When f cannot be read twice (a pipe), the document
 * is first copied to a temporary file, and max_doc bounds it (0:
 * HEED_MAX_HELPDESK_DOC; also the first line of such input, read whole to
 * tell the form). Returns HEED_OK and *out; HEED_ETOOBIG (piped document
 * over max_doc), HEED_EPARSE or HEED_EUTF8 (document not valid JSON or UTF-8;
 * err->pos its byte offset, the message its line and column), HEED_EFIELD
 * ("tickets" not an array), HEED_EIO, HEED_ENOMEM. */
HEED_NODISCARD int heed_helpdesk_new(FILE *f, const char *name, size_t max_doc,
                                     heed_helpdesk **out, heed_error *err);

/* Reads the next public comment into *c. Returns 1 for a comment, 0 at the
 * end, or a negative code for a bad ticket or comment, with c->line,
 * c->ticket_index (and c->comment_index for a comment) saying which and err
 * what is wrong; the reader has skipped it, call again: HEED_EPARSE (a line
 * that is not JSON), HEED_EUTF8 (a line that is not UTF-8, err->pos the
 * byte), HEED_EFIELD (ticket without an id or a "comments" array,
 * comment without a body, unreadable created_at, ...), HEED_ETOOBIG (a line
 * or a document's ticket over HEED_MAX_RECORD). HEED_EIO (also a document
 * that changed between the two passes) and HEED_ENOMEM end the reading. Private
 * comments ("public": false) are skipped and counted. */
HEED_NODISCARD int heed_helpdesk_next(heed_helpdesk *h, heed_hd_comment *c, heed_error *err);

/* Private comments skipped so far. */
size_t heed_helpdesk_private_skipped(const heed_helpdesk *h);

/* Appends to out the ticket of the record (or error) heed_helpdesk_next gave
 * last, as one JSON line, for a rejects file that is an export again: JSON
 * lines, its line unchanged; the document form, the ticket printed compact.
 * Returns 1, 0 when there is none (a line over the limit, a ticket that could
 * not be read), -1 out of memory. */
int heed_helpdesk_ticket_text(const heed_helpdesk *h, heed_buf *out);

/* Frees the reader; NULL does nothing. */
void heed_helpdesk_free(heed_helpdesk *h);

#endif
