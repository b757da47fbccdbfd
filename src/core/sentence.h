/* sentence.h - groups the tokenizer's tokens into sentences for the valence
 * rules. Pure: no I/O, no global state. */
#ifndef HEED_SENTENCE_H
#define HEED_SENTENCE_H

#include <stddef.h>

#include "arena.h"
#include "heed/heed.h"

/* A word the splitter looks for (sentence.c): its bytes zero-padded to 8,
 * and the lists it is on. */
enum {
    HEED_SW_INNER = 1,
    HEED_SW_NUMERIC = 2,
    HEED_SW_FINAL = 4,
    HEED_SW_DOTTED = 8,
    HEED_SW_CONT = 16
};
typedef struct heed_sentence_word {
    char word[8];
    unsigned char kinds;
} heed_sentence_word;

/* The splitter's word table, sorted by memcmp of the 8 bytes (for tests). */
const heed_sentence_word *heed__sentence_words(size_t *n);

/* Groups tokens into sentences: a sentence ends at . ! ? … (and runs of them),
 * at a line break that follows a complete clause or two line breaks, and at the
 * end of text; not after abbreviations (e.g. i.e. Mr. Dr. approx. etc. vs. no.
 * a.m.), decimal points, initials ("J. Smith") or inside URLs/e-mails. Sets
 * toks[i].sentence. Every token belongs to exactly one sentence; sentences are
 * non-empty and in order. Returns HEED_OK with *out and *n_out (0 sentences for 0
 * tokens), or HEED_ENOMEM.
 *
 * Details: closing quotes and brackets glued to the end mark, and emoticons,
 * emoji and further end marks on the same line, stay in the sentence they end
 * ("Thanks! :)"). An emoticon or emoji run followed by a capitalised word ends
 * a sentence without punctuation ("Great service :) Thanks"), unless the run
 * opens the sentence or follows the word "I" ("I ❤️ Paris"). An ellipsis ends a
 * sentence only before a capitalised word or a line break. After a title (Mr.
 * Dr. St.) or most abbreviations the dot never ends a sentence; after etc.,
 * Inc., Ltd., Co. and a.m./p.m. it does before a capitalised word. "1." opening
 * a sentence is a list number. A single line break ends a sentence unless the
 * line ends in , ; - ( & / or a function word (and, the, to, ...), or the next
 * line starts in lower case after a line of 40+ bytes (hard-wrapped text).
 * `s`/`n` is the text the tokens point into; sentence valence is left 0. */
int heed__sentences(heed_arena *a, const char *s, size_t n, heed_token *toks, size_t n_toks,
                    heed_sentence **out, size_t *n_out);

#endif
