/* lexicon.h - the engine's word table: valences from a VADER-format lexicon plus
 * the word classes the valence rules need (negators, boosters, contrast words,
 * politeness markers, ...) and a few customer-service idioms. Built once per
 * engine, read-only afterwards, so any number of threads may look words up. */
#ifndef HEED_LEXICON_H
#define HEED_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "heed/heed.h"

/* Word classes (bits of heed_lexent.cls). */
enum {
    LX_NEGATOR = 1u << 0,    /* not, no, never, n't, without, hardly, ... */
    LX_BOOSTER = 1u << 1,    /* very, so, extremely: scalar > 0 */
    LX_DAMPENER = 1u << 2,   /* slightly, barely-ish: scalar < 0 */
    LX_BUT = 1u << 3,        /* but, however: damp before, stress after */
    LX_ALTHOUGH = 1u << 4,   /* although, though, even though: damp the clause */
    LX_POLITE = 1u << 5,     /* please, kindly: no valence of their own */
    LX_STOPVERB = 1u << 6,   /* stop, cease, quit: "stop calling me" */
    LX_REQUEST = 1u << 7,    /* help, assist, support: neutral when requested */
    LX_NEED = 1u << 8,       /* need, want, require, please: request frames */
    LX_SUBJECT = 1u << 9,    /* i, we, you, they, really, don't: "I like" */
    LX_WOULD = 1u << 10,     /* would, 'd: "would like" is a want */
    LX_IDIOM = 1u << 11,     /* first word of an idiom */
    LX_CLAUSE = 1u << 12,    /* ends a negation scope: and-then, because, ... */
    LX_APPRECIATE = 1u << 13, /* appreciate, grateful: "would appreciate it if" */
    LX_NOUNONLY = 1u << 14,   /* "treat": valence only as a noun, after a determiner */
    LX_DETERMINER = 1u << 15, /* a, the, my, this, ... */
    LX_LAUGH = 1u << 16       /* lol, haha: not negated ("no idea lol") */
};

typedef struct heed_lexent {
    uint64_t idioms;   /* bit k: IDIOMS[k] starts with this word */
    float valence;     /* -4..+4; meaningful when has_valence */
    float scalar;      /* booster (+) / dampener (-) strength */
    uint32_t cls;      /* LX_* */
    uint8_t has_valence;
    uint8_t key_len8;  /* the key's length when 8 bytes or fewer, else 0xFF (lookup) */
} heed_lexent;

typedef struct heed_idiom {
    const char *words[4]; /* normalised words, NULL-terminated when < 4 */
    float valence;        /* the phrase's valence; replaces its words' */
} heed_idiom;

/* Most idioms the table may hold (heed_lexent.idioms is a 64-bit set). */
#define HEED_MAX_IDIOMS 64

typedef struct heed_lexicon heed_lexicon;

/* Builds a table from VADER-format text (one entry a line: token TAB mean
 * [TAB anything]; '#' lines and blank lines are skipped) plus the built-in word
 * classes and idioms. `extra` (may be NULL) is a second text in the same format
 * whose entries only fill tokens the first lacks. Returns HEED_OK, HEED_ENOMEM,
 * or HEED_EMODEL with err->pos the offset of the bad line and err->msg naming
 * the line number and problem. */
int heed__lexicon_new(const char *text, size_t len, const char *extra, size_t extra_len,
                      heed_lexicon **out, heed_error *err);
void heed__lexicon_free(heed_lexicon *lx);

/* The entry for a normalised word, or NULL. */
const heed_lexent *heed__lexicon_get(const heed_lexicon *lx, const char *key, size_t len);

/* Number of entries with a valence. */
size_t heed__lexicon_size(const heed_lexicon *lx);

/* The idiom table (static); entry k is bit k of heed_lexent.idioms. */
const heed_idiom *heed__idioms(size_t *n);

/* The embedded VADER lexicon: [heed__vader_lexicon, heed__vader_lexicon_end). */
extern const char heed__vader_lexicon[];
extern const char heed__vader_lexicon_end[];
/* heed's customer-service supplement: [heed__cs_lexicon, heed__cs_lexicon_end). */
extern const char heed__cs_lexicon[];
extern const char heed__cs_lexicon_end[];

#endif
