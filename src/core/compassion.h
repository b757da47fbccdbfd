/* compassion.h - the compassion stage: signals of concrete action that solves
 * the customer's problem (ownership, action, next step, time frame,
 * resolution, offer of help) and their opposites (deflection, policy wall,
 * blame, "nothing we can do", generic apology), each with evidence; and the
 * promises in a reply. Pure: no I/O; the index is immutable after creation. */
#ifndef HEED_COMPASSION_H
#define HEED_COMPASSION_H

#include <string.h>

#include "arena.h"
#include "heed/heed.h"

typedef struct heed_compassion_index heed_compassion_index;

/* Builds the phrase tables. HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__compassion_new(heed_compassion_index **out);
void heed__compassion_free(heed_compassion_index *x);

/* Fills r->compassion (tokens and sentences of r set; ctx, the customer's
 * message, or NULL). HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__compassion(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                                    const heed_result *ctx);

/* The same given th, the heed__hash of the normalised form of each token of
 * r, made already (NULL: as heed__compassion). */
HEED_NODISCARD int heed__compassion_th(const heed_compassion_index *x, heed_arena *a,
                                       heed_result *r, const heed_result *ctx, const uint64_t *th);

/* heed__compassion_th that also gives the clause ends it found (*ends, in
 * a's memory): (*ends)[cs] = heed__reply_clause_end(r->tokens, cs, hi) for
 * each clause start cs of each sentence [lo, hi) of r, walking from lo; the
 * other entries are not set. */
HEED_NODISCARD int heed__compassion_ends(const heed_compassion_index *x, heed_arena *a,
                                         heed_result *r, const heed_result *ctx, const uint64_t *th,
                                         const size_t **ends);

/* Fills r->promises; opts gives the message time for resolving due times.
 * HEED_OK or HEED_ENOMEM. */
HEED_NODISCARD int heed__promises(const heed_compassion_index *x, heed_arena *a, heed_result *r,
                                  const heed_analyze_opts *opts);

/* The same given the clause ends of heed__compassion_ends on r (NULL: as
 * heed__promises), which the promises walk too. */
HEED_NODISCARD int heed__promises_ends(const heed_compassion_index *x, heed_arena *a,
                                       heed_result *r, const heed_analyze_opts *opts,
                                       const size_t *ends);

/* Rules shared with the promises (promises.c). */

/* Is t the word w (normalised form)? Inline: the rules call it for most
 * tokens with a literal w, whose first byte and length are then constants. */
static inline int heed__reply_word(const heed_token *t, const char *w)
{
    if (!t->norm_len || t->norm[0] != w[0])
        return 0; /* the usual case, decided without strlen */
    size_t n = strlen(w);
    return t->norm_len == n && !memcmp(t->norm, w, n);
}

/* The end (exclusive) of the clause that starts at toks[i], within [i, hi):
 * clauses break at , ; : ( - and before and, but, or, so, because, although,
 * though, however, which, while, whereas. */
size_t heed__reply_clause_end(const heed_token *toks, size_t i, size_t hi);

/* Is t one of the words before which a clause breaks (and, but, ... above)?
 * The same answer as a scan of heed__reply_clause_words() (for tests: the
 * list, NULL-terminated). */
int heed__reply_clause_word(const heed_token *t);
const char *const *heed__reply_clause_words(void);

/* Is a match at toks[i] in the clause starting at toks[cs] negated (a negator
 * among the 6 words before it) or hypothetical (if, unless, once, until,
 * whether, in case, usually, normally, would without like/love/be happy
 * before it)? Returns the static reason ("negated", "hypothetical") or NULL. */
const char *heed__reply_suppressed(const heed_token *toks, size_t cs, size_t i);

#endif
