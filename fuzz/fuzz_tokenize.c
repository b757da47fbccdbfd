/* fuzz_tokenize.c - libFuzzer target for the tokenizer and the sentence
 * splitter: any bytes (repaired to UTF-8 first, as heed_analyze does) must
 * give tokens and sentences that keep every documented invariant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "heed/heed.h"
#include "sentence.h"
#include "tokenize.h"
#include "utf8.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond))                                                                           \
            abort();                                                                           \
    } while (0)

static int is_space_byte(unsigned char c)
{
    return c <= 0x20 || c == 0x7F;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Bigger inputs only slow the fuzzer down; the rules are all local. */
    if (size > ((size_t)1 << 20))
        return 0;
    heed_arena a;
    heed__arena_init(&a, 0);
    const char *text = (const char *)data;
    size_t len = size, bad = 0;
    if (heed_utf8_validate(text, len, &bad) != HEED_OK) {
        CHECK(bad < len);
        size_t replaced = 0;
        text = heed__utf8_repair(&a, text, len, &len, &replaced);
        CHECK(text != NULL && replaced > 0);
        CHECK(heed_utf8_validate(text, len, NULL) == HEED_OK);
    }

    heed_token *toks;
    size_t n_toks;
    CHECK(heed__tokenize(&a, text, len, &toks, &n_toks) == HEED_OK);
    const unsigned char *u = (const unsigned char *)text;
    size_t prev_end = 0;
    for (size_t i = 0; i < n_toks; i++) {
        const heed_token *t = &toks[i];
        size_t end = (size_t)t->start + t->len;
        CHECK(t->len > 0 && t->start >= prev_end && end <= len); /* ordered, disjoint */
        CHECK(t->kind < HEED_TOK_KIND_COUNT);
        CHECK(t->norm != NULL || t->norm_len == 0);
        CHECK(heed_utf8_validate(t->norm, t->norm_len, NULL) == HEED_OK);
        CHECK((u[t->start] & 0xC0) != 0x80);     /* starts on a code point */
        CHECK(end == len || (u[end] & 0xC0) != 0x80);
        for (size_t k = t->start; k < end; k++)
            CHECK(!is_space_byte(u[k]));         /* no white space, no NUL */
        prev_end = end;
    }

    heed_sentence *sents;
    size_t n_sents;
    CHECK(heed__sentences(&a, text, len, toks, n_toks, &sents, &n_sents) == HEED_OK);
    CHECK((n_sents == 0) == (n_toks == 0));
    size_t next = 0;
    for (size_t k = 0; k < n_sents; k++) {
        const heed_sentence *s = &sents[k];
        CHECK(s->first_token == next && s->n_tokens > 0);
        size_t last = (size_t)s->first_token + s->n_tokens - 1;
        CHECK(last < n_toks);
        CHECK(s->start == toks[s->first_token].start);
        CHECK((size_t)s->start + s->len == (size_t)toks[last].start + toks[last].len);
        for (size_t i = s->first_token; i <= last; i++)
            CHECK(toks[i].sentence == k); /* every token in exactly one sentence */
        next = last + 1;
    }
    CHECK(next == n_toks);
    heed__arena_release(&a);
    return 0;
}
