/* lexicon.h - the engine's word table: valences from a VADER-format lexicon plus
 * the word classes the valence rules need (negators, boosters, contrast words,
 * politeness markers, ...) and a few customer-service idioms. Built once per
 * engine, read-only afterwards, so any number of threads may look words up. */
#ifndef HEED_LEXICON_H
#define HEED_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "hash.h"
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
    LX_LAUGH = 1u << 16,      /* lol, haha: not negated ("no idea lol") */
    LX_VALENCE = 1u << 17     /* has_valence, in the read table's entries */
};

typedef struct heed_lexent {
    uint64_t idioms;   /* bit k: IDIOMS[k] starts with this word */
    float valence;     /* -4..+4; meaningful when has_valence */
    float scalar;      /* booster (+) / dampener (-) strength */
    uint32_t cls;      /* LX_* */
    uint8_t has_valence;
    uint8_t key_len8;  /* the key's length when 8 bytes or fewer, else 0xFF (lookup) */
    uint16_t idiom_next; /* bit (b & 15) for the first byte b of the second word
                          * of each idiom in `idioms` */
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

/* The lexicon's numbers, [-]digits[.digits] with 1 to 15 digits: 1 and *out
 * the value strtod gives for s[0..n), without its call (the digits as an
 * integer over a power of ten, both exact in a double, so that the one
 * rounding of the division is strtod's); 0 for any other form, which the
 * loader hands to strtod. */
int heed__lexicon_decimal(const char *s, size_t n, double *out);

/* The read side, here so that a lookup (one per word of every message)
 * inlines into its callers. Built once the table is complete (lexicon.c,
 * build_index); the build slots are freed then. Lookups are most of a valence
 * pass's cache misses, so everything a lookup touches is packed: `cells`, 4
 * bytes a position, under half full, hold the top bits of the key's hash (the
 * tag) above the entry's number + 1 (0 is empty); `ents` hold the entries in
 * one dense array, 32 bytes each, the word-class entries (function words, the
 * most frequent) first; the keys are compared only for keys longer than 8
 * bytes. */
typedef struct heed_lexrd {
    uint64_t hash;
    heed_lexent ent;
} heed_lexrd;

typedef struct heed_lexkey {
    const char *key;
    size_t len;
} heed_lexkey;

struct heed_lexicon {
    heed_arena arena;
    struct heed_lexslot *slots; /* while building (lexicon.c) */
    size_t cap;                 /* power of two */
    size_t used;
    size_t n_valence;
    uint32_t *cells;
    size_t cell_mask;
    unsigned idx_bits;  /* low bits of a cell: entry number + 1 */
    unsigned tag_shift; /* the tag: hash >> tag_shift */
    heed_lexrd *ents;
    heed_lexkey *keys;
    /* One bit per 16-bit slice of the hash, set for every key: 8 KB that stay
     * in the L1 cache and turn away most words the lexicon lacks before the
     * cells are touched (they miss the cache for rarer words). */
    uint64_t filter[1u << 10];
};

/* heed_lexent.key_len8 of a key longer than 8 bytes */
#define HEED_LEX_LONG_KEY 0xFF

#define HEED_LEX_FILTER_BIT(h) ((uint32_t)((h) >> 20) & 0xFFFFu)

/* The table's hash: most looked-up words are 8 bytes or shorter, and most are
 * not in the lexicon, so a miss costs little more than this. Two overlapping
 * loads (or three bytes) and the length identify a short key exactly; one
 * multiply and one xorshift spread them (each step is one-to-one, so the hash
 * still identifies the key): the cell index takes the low bits, which the
 * xorshift fills from the product's high half, the tag the product's top bits.
 * Longer keys use heed__hash. */
static inline uint64_t heed__lex_hash(const char *k, size_t n)
{
    if (n > 8)
        return heed__hash(k, n);
    uint64_t w;
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, k, 4);
        memcpy(&b, k + n - 4, 4);
        w = a | (uint64_t)b << 32;
    } else if (n) {
        const unsigned char *u = (const unsigned char *)k;
        w = u[0] | (uint64_t)u[n / 2] << 8 | (uint64_t)u[n - 1] << 16;
    } else {
        w = 0;
    }
    w ^= (uint64_t)n * 0x9E3779B97F4A7C15ull;
    w *= 0xff51afd7ed558ccdull;
    w ^= w >> 32;
    return w;
}

/* The entry for a normalised word whose heed__lex_hash is h, or NULL. */
static inline const heed_lexent *heed__lexicon_get_h(const heed_lexicon *lx, uint64_t h,
                                                     const char *key, size_t len)
{
    if (!(lx->filter[HEED_LEX_FILTER_BIT(h) >> 6] >> (HEED_LEX_FILTER_BIT(h) & 63) & 1))
        return NULL;
    uint32_t tag = (uint32_t)(h >> lx->tag_shift);
    uint32_t idx_mask = (1u << lx->idx_bits) - 1;
    for (size_t i = h & lx->cell_mask;; i = (i + 1) & lx->cell_mask) {
        uint32_t c = lx->cells[i];
        if (!c)
            return NULL;
        if (c >> lx->idx_bits != tag)
            continue;
        size_t n = (c & idx_mask) - 1;
        const heed_lexrd *r = &lx->ents[n];
        if (r->hash != h)
            continue;
        /* the hash is one-to-one on keys of up to 8 bytes of one length */
        if (len <= 8 ? r->ent.key_len8 == len
                     : r->ent.key_len8 == HEED_LEX_LONG_KEY && lx->keys[n].len == len &&
                           memcmp(lx->keys[n].key, key, len) == 0)
            return &r->ent;
    }
}

/* The entry for a normalised word, or NULL. */
static inline const heed_lexent *heed__lexicon_get(const heed_lexicon *lx, const char *key,
                                                   size_t len)
{
    return heed__lexicon_get_h(lx, heed__lex_hash(key, len), key, len);
}

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
