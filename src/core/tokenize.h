/* tokenize.h - splits customer text into typed tokens (words, money, dates,
 * ids, URLs, e-mails, mentions, hashtags, emoji graphemes, emoticons, punctuation).
 * Pure: no I/O, no global state. Sentences are grouped by sentence.h. */
#ifndef HEED_TOKENIZE_H
#define HEED_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "heed/heed.h"

/* Tokenizes [s, s+n), which must be valid UTF-8 (NUL bytes allowed, treated as
 * white space). Tokens are in text order, cover no white space, and never
 * overlap. Each gets kind, flags (ALLCAPS, ELONGATED, REPEATED, CONTRACTION;
 * negation flags are set later by the valence module), start/len and norm
 * (heed__utf8_normalize of the token, allocated in `a`; or, when the token is
 * already in normal form, a pointer into `s` itself, so `s` must live as long
 * as the tokens). `sentence` is left 0, or HEED__TOK_QUIET in a token that
 * ends no sentence whatever follows (see below); heed__sentences sets it.
 * Returns HEED_OK with *out and *n_out set (arena memory; *out may be NULL when
 * *n_out is 0), HEED_ENOMEM, or HEED_ETOOBIG past HEED_MAX_TOKENS (or when n
 * does not fit the 32-bit offsets).
 *
 * The rules, in the order they are tried at a token start:
 * - White space: ASCII controls and space, NUL, Unicode Z* and Cc, and the
 *   invisible Cf characters (ZWSP, BOM, bidi marks). Marks, variation
 *   selectors, ZWJ and tags glue to the token before them; a token never ends
 *   inside a grapheme cluster.
 * - EMOJI, one per grapheme: a pictograph with skin tone, U+FE0F, tags and
 *   ZWJ-joined pictographs (👩‍👩‍👧 👍🏽 ❤️); a regional-indicator pair (🇩🇪); a
 *   keycap (1️⃣ #️⃣). © ® ™ ‼ ⁉ ℹ are emoji only with U+FE0F.
 * - EMOTICON from a built-in grammar: [>] eyes(: ; =) [tear '] [nose - ^]
 *   mouth, e.g. :-( :( :/ :) ;) :D :P :'( :| :o >:( ; hearts <3 </3; faces
 *   ^^ ^_^ -_- o_O T_T >_< x_x; xD XD; "D:" only between spaces. Never glued
 *   to a following letter or digit; "=)" and letter faces need a clean left
 *   edge; ":" right after a digit (10:30, 2:3) is never eyes. A repeated mouth
 *   (":)))", ":DDD") stays in the token and sets ELONGATED; the norm keeps it.
 * - URL: scheme:// (2-10 ASCII letters) or www. + word; ends at white space,
 *   <>"` or a non-word non-ASCII character; trailing . , ; : ! ? ' * and
 *   unbalanced closing brackets are not part of it.
 * - EMAIL: ASCII local@domain.tld (TLD of 2+ letters). MENTION: @ + word
 *   characters, not after a word character. HASHTAG: # + a letter + word
 *   characters. ID: # + digits (#12345).
 * - Numbers starting with an ASCII digit: DATE for 2024-03-01, 01/03/2024,
 *   1.3.24, 3/14 (plausible day/month) and ordinals 1st..31st ("100th" is a
 *   WORD; "24/7" is a WORD); TIME for 10:30, 17:45:10, 10:30pm, 9am, 5.30pm,
 *   14h30; MONEY for a number with a currency symbol or ISO code glued on
 *   either side ($1,200 €49.99 5.50£ 20EUR EUR20); NUMBER for digits with
 *   inner . or , groups (42 3.5 1,200 49,99) and an optional %. Digits glued to
 *   letters are scanned as a word (100GB, 24-hour, 2fa).
 * - Across a space, a neighbour decides the kind of a number: "20 EUR",
 *   "USD 30", "20 euros", "$ 5", "5 €" make the number MONEY (the code or word
 *   stays a WORD); "9 am", "9 a.m.", "5.30 pm" make it TIME (the "am" stays a
 *   WORD: tokens never span white space).
 * - WORD: letters, digits and marks with inner apostrophes (' ’ ‘ ʼ) before a
 *   letter (don't, I’m, y'all: one token, CONTRACTION), inner hyphens and
 *   underscores (follow-up). Dotted acronyms of single letters are one token
 *   with their last dot (e.g. i.e. a.m. U.S.A.). Each CJK ideograph is its own
 *   token. ID instead when the word is 5+ bytes with a digit after a letter
 *   (ORD-88123, INC0012345, A1B2C3D4, ERR_5012); NUMBER when it has only
 *   (non-ASCII) digits. ALLCAPS: 2+ upper-case letters and no lower-case one.
 *   ELONGATED: one letter 3+ times in a row (sooooo), ignoring case.
 * - PUNCT: a run of sentence-final marks in any mix (. ! ? … ‼ 。 ！ ？) is one
 *   token, REPEATED when it has 2+ marks or an ellipsis character ("...",
 *   "?!", "…"). Any other character repeated ("---", "***") is one token,
 *   REPEATED from 2. ASCII $ + < = > ^ ` | ~ and Unicode S* are SYMBOL. */
int heed__tokenize(heed_arena *a, const char *s, size_t n, heed_token **out, size_t *n_out);

/* heed__tokenize, and for each token i what heed__freqwords_find(ws, ...)
 * gives: (*th)[i] the heed__hash of its norm and (*wr)[i] its word in ws
 * (ws may be NULL: every word NULL). The arrays are arena memory of *n_out
 * entries (at least one); found as the tokens are cut, so that no pass
 * reads the norms again. Returns as heed__tokenize. */
struct heed_words;
struct heed_word;
int heed__tokenize_words(heed_arena *a, const char *s, size_t n, const struct heed_words *ws,
                         heed_token **out, size_t *n_out, uint64_t **th,
                         const struct heed_word ***wr);

/* The `sentence` of a token the fast path marks for heed__sentences: a word
 * of ASCII letters and apostrophes, or a run of ASCII marks other than
 * . ! ?, with the next token right after it or after one space. No such
 * token ends a sentence (heed__sentences would find the same by reading it
 * and the gap); never a sentence's number. */
#define HEED__TOK_QUIET 0xFFFFFFFFu

/* heed__tokenize without its fast path for plain words: every token through
 * the general scanners. The same tokens; for the tests that prove it. */
int heed__tokenize_general(heed_arena *a, const char *s, size_t n, heed_token **out,
                           size_t *n_out);

#endif
