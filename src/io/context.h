/* context.h - what an agent turn answers: per conversation, the customer's
 * text since the last agent turn. Used by `heed analyze` in input order (the
 * reader thread), so it needs no lock. Memory is bounded: each conversation
 * keeps at most HEED_CONTEXT_MAX bytes (the latest), and at most
 * HEED_CONTEXT_CONVERSATIONS conversations are open at once, holding about
 * HEED_CONTEXT_BYTES together (past either bound, the conversations touched
 * longest ago are dropped first; one message may take the total past the
 * budget until the next one). */
#ifndef HEED_CONTEXT_H
#define HEED_CONTEXT_H

#include <stddef.h>

#define HEED_CONTEXT_MAX           ((size_t)16 << 10)
#define HEED_CONTEXT_CONVERSATIONS 65536
#define HEED_CONTEXT_BYTES         ((size_t)8 << 20) /* keys and texts, about */

typedef struct heed_context heed_context;

heed_context *heed_context_new(void);
void heed_context_free(heed_context *c);

/* A customer message in conversation conv (NULL/0: the one unnamed
 * conversation). Returns 0, or -1 when out of memory. */
int heed_context_customer(heed_context *c, const char *conv, size_t conv_len, const char *text,
                          size_t len);

/* An agent turn in conv: sets *text and *len to the customer text it answers
 * (the customer's messages since the previous exchange, joined by a blank
 * line; valid until the next call on c; *len 0 when there is none). Further
 * agent turns answer the same text until the customer writes again. */
void heed_context_agent(heed_context *c, const char *conv, size_t conv_len, const char **text,
                        size_t *len);

/* The bytes held now (keys and text buffers), for tests. */
size_t heed_context_bytes(const heed_context *c);

#endif
