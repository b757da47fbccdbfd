/* lexicon.c - parses a VADER-format lexicon into an open-addressing hash table
 * and adds heed's own word classes and idioms (written for customer-service
 * text; see docs/valence.md for why each exists). */
#include "lexicon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "arena.h"
#include "hash.h"
#include "utf8.h"

typedef struct heed_lexslot {
    uint64_t hash;
    const char *key; /* arena copy, NUL-terminated */
    uint32_t key_len;
    uint8_t lower_origin; /* the lexicon line was already lower case */
    heed_lexent ent;
} slot;

/* Entries beyond this do not fit a cell's entry number next to a useful tag. */
#define LEX_MAX_ENTRIES ((1u << 24) - 1)

typedef struct wordclass {
    const char *word;
    uint32_t cls;
    float scalar;
} wordclass;

/* Boosters and dampeners: the increments follow VADER's published constant
 * (0.293) so intensities stay on the lexicon's scale. */
#define BOOST 0.293f
#define DAMP  (-0.293f)

static const wordclass CLASSES[] = {
    /* negators */
    {"not", LX_NEGATOR, 0},
    {"no", LX_NEGATOR, 0},
    {"never", LX_NEGATOR, 0},
    {"none", LX_NEGATOR, 0},
    {"nobody", LX_NEGATOR, 0},
    {"nothing", LX_NEGATOR, 0},
    {"neither", LX_NEGATOR, 0},
    {"nor", LX_NEGATOR, 0},
    {"nowhere", LX_NEGATOR, 0},
    {"without", LX_NEGATOR, 0},
    {"hardly", LX_NEGATOR, 0},
    {"barely", LX_NEGATOR, 0},
    {"scarcely", LX_NEGATOR, 0},
    {"cannot", LX_NEGATOR, 0},
    {"nope", LX_NEGATOR, 0},
    {"dont", LX_NEGATOR, 0},
    {"doesnt", LX_NEGATOR, 0},
    {"didnt", LX_NEGATOR, 0},
    {"isnt", LX_NEGATOR, 0},
    {"wasnt", LX_NEGATOR, 0},
    {"arent", LX_NEGATOR, 0},
    {"werent", LX_NEGATOR, 0},
    {"cant", LX_NEGATOR, 0},
    {"couldnt", LX_NEGATOR, 0},
    {"wouldnt", LX_NEGATOR, 0},
    {"shouldnt", LX_NEGATOR, 0},
    {"havent", LX_NEGATOR, 0},
    {"hasnt", LX_NEGATOR, 0},
    {"hadnt", LX_NEGATOR, 0},
    {"aint", LX_NEGATOR, 0},
    {"lack", LX_NEGATOR, 0},
    {"lacks", LX_NEGATOR, 0},
    {"lacking", LX_NEGATOR, 0},
    /* boosters */
    {"very", LX_BOOSTER, BOOST},
    {"really", LX_BOOSTER | LX_SUBJECT, BOOST},
    {"so", LX_BOOSTER, BOOST},
    {"extremely", LX_BOOSTER, BOOST},
    {"incredibly", LX_BOOSTER, BOOST},
    {"absolutely", LX_BOOSTER, BOOST},
    {"completely", LX_BOOSTER, BOOST},
    {"totally", LX_BOOSTER | LX_SUBJECT, BOOST},
    {"utterly", LX_BOOSTER, BOOST},
    {"entirely", LX_BOOSTER, BOOST},
    {"highly", LX_BOOSTER, BOOST},
    {"hugely", LX_BOOSTER, BOOST},
    {"truly", LX_BOOSTER, BOOST},
    {"super", LX_BOOSTER, BOOST},
    {"too", LX_BOOSTER, BOOST},
    {"most", LX_BOOSTER, BOOST},
    {"more", LX_BOOSTER, BOOST},
    {"especially", LX_BOOSTER, BOOST},
    {"exceptionally", LX_BOOSTER, BOOST},
    {"remarkably", LX_BOOSTER, BOOST},
    {"seriously", LX_BOOSTER, BOOST},
    {"deeply", LX_BOOSTER, BOOST},
    {"terribly", LX_BOOSTER, BOOST},
    {"awfully", LX_BOOSTER, BOOST},
    {"insanely", LX_BOOSTER, BOOST},
    {"ridiculously", LX_BOOSTER, BOOST},
    {"beyond", LX_BOOSTER, BOOST},
    {"such", LX_BOOSTER, BOOST},
    {"quite", LX_BOOSTER, BOOST * 0.5f},
    {"pretty", LX_BOOSTER, BOOST * 0.5f},
    {"fully", LX_BOOSTER, BOOST},
    {"thoroughly", LX_BOOSTER, BOOST},
    {"frickin", LX_BOOSTER, BOOST},
    {"freaking", LX_BOOSTER, BOOST},
    {"effing", LX_BOOSTER, BOOST},
    {"soo", LX_BOOSTER, BOOST * 1.5f},
    {"veryy", LX_BOOSTER, BOOST},
    /* dampeners */
    {"slightly", LX_DAMPENER, DAMP},
    {"somewhat", LX_DAMPENER, DAMP},
    {"fairly", LX_DAMPENER, DAMP},
    {"rather", LX_DAMPENER, DAMP},
    {"bit", LX_DAMPENER, DAMP},
    {"marginally", LX_DAMPENER, DAMP},
    {"occasionally", LX_DAMPENER, DAMP},
    {"partly", LX_DAMPENER, DAMP},
    {"almost", LX_DAMPENER, DAMP},
    {"kinda", LX_DAMPENER, DAMP},
    {"sorta", LX_DAMPENER, DAMP},
    {"less", LX_DAMPENER, DAMP},
    {"mildly", LX_DAMPENER, DAMP},
    {"sort", LX_DAMPENER, DAMP},
    {"kind", LX_DAMPENER, DAMP},
    /* contrast */
    {"but", LX_BUT, 0},
    {"however", LX_BUT, 0},
    {"nevertheless", LX_BUT, 0},
    {"nonetheless", LX_BUT, 0},
    {"although", LX_ALTHOUGH, 0},
    {"though", LX_ALTHOUGH, 0},
    {"despite", LX_ALTHOUGH, 0},
    {"whereas", LX_ALTHOUGH, 0},
    /* politeness and requests */
    {"please", LX_POLITE | LX_NEED, 0},
    {"pls", LX_POLITE | LX_NEED, 0},
    {"plz", LX_POLITE | LX_NEED, 0},
    {"kindly", LX_POLITE, 0},
    {"stop", LX_STOPVERB, 0},
    {"cease", LX_STOPVERB, 0},
    {"quit", LX_STOPVERB, 0},
    {"help", LX_REQUEST, 0},
    {"assist", LX_REQUEST, 0},
    {"support", LX_REQUEST, 0},
    {"assistance", LX_REQUEST, 0},
    {"need", LX_NEED, 0},
    {"needs", LX_NEED, 0},
    {"needed", LX_NEED, 0},
    {"want", LX_NEED, 0},
    {"require", LX_NEED, 0},
    {"requesting", LX_NEED, 0},
    {"request", LX_NEED, 0},
    {"some", LX_NEED, 0},
    {"any", LX_NEED, 0},
    {"appreciate", LX_APPRECIATE, 0},
    {"grateful", LX_APPRECIATE, 0},
    {"thankful", LX_APPRECIATE, 0},
    /* subjects before "like" as a verb of liking */
    {"i", LX_SUBJECT, 0},
    {"me", LX_SUBJECT, 0},
    {"we", LX_SUBJECT, 0},
    {"you", LX_SUBJECT, 0},
    {"they", LX_SUBJECT, 0},
    {"he", LX_SUBJECT, 0},
    {"she", LX_SUBJECT, 0},
    {"also", LX_SUBJECT, 0},
    {"always", LX_SUBJECT, 0},
    {"still", LX_SUBJECT, 0},
    {"honestly", LX_SUBJECT, 0},
    {"do", LX_SUBJECT, 0},
    {"does", LX_SUBJECT, 0},
    {"did", LX_SUBJECT, 0},
    {"who", LX_SUBJECT, 0},
    {"people", LX_SUBJECT, 0},
    {"would", LX_WOULD, 0},
    {"i'd", LX_WOULD, 0},
    {"we'd", LX_WOULD, 0},
    {"you'd", LX_WOULD, 0},
    {"should", LX_WOULD, 0},
    {"could", LX_WOULD, 0},
    /* words whose valence belongs to their noun sense ("a treat"), not the verb
     * ("how they treat me") */
    {"treat", LX_NOUNONLY, 0},
    {"treats", LX_NOUNONLY, 0},
    {"a", LX_DETERMINER, 0},
    {"an", LX_DETERMINER, 0},
    {"the", LX_DETERMINER, 0},
    {"my", LX_DETERMINER, 0},
    {"your", LX_DETERMINER, 0},
    {"our", LX_DETERMINER, 0},
    {"their", LX_DETERMINER, 0},
    {"this", LX_DETERMINER, 0},
    {"that", LX_DETERMINER, 0},
    {"his", LX_DETERMINER, 0},
    {"her", LX_DETERMINER, 0},
    {"special", LX_DETERMINER, 0},
    {"real", LX_DETERMINER, 0},
    {"little", LX_DETERMINER | LX_DAMPENER, DAMP},
    /* laughter is not negated by an earlier "no" */
    {"lol", LX_LAUGH, 0},
    {"lmao", LX_LAUGH, 0},
    {"rofl", LX_LAUGH, 0},
    {"haha", LX_LAUGH, 0},
    {"hahaha", LX_LAUGH, 0},
    {"hehe", LX_LAUGH, 0},
    {"lolz", LX_LAUGH, 0},
    {"lmfao", LX_LAUGH, 0},
    /* words that end a negation scope */
    {"because", LX_CLAUSE, 0},
    {"since", LX_CLAUSE, 0},
    {"then", LX_CLAUSE, 0},
    {"which", LX_CLAUSE, 0},
    {"when", LX_CLAUSE, 0},
    {"while", LX_CLAUSE, 0},
    {"until", LX_CLAUSE, 0},
    {"unless", LX_CLAUSE, 0},
    {"if", LX_CLAUSE, 0},
};

/* Phrases whose meaning is not the sum of their words. */
static const heed_idiom IDIOMS[] = {
    {{"no", "problem", NULL, NULL}, 1.2f},       {{"no", "worries", NULL, NULL}, 1.2f},
    {{"no", "doubt", NULL, NULL}, 0.5f},         {{"not", "only", NULL, NULL}, 0.0f},
    {{"not", "just", NULL, NULL}, 0.0f},         {{"no", "matter", NULL, NULL}, 0.0f},
    {{"can't", "complain", NULL, NULL}, 1.0f},   {{"cannot", "complain", NULL, NULL}, 1.0f},
    {{"can't", "wait", NULL, NULL}, 1.5f},       {{"cannot", "wait", NULL, NULL}, 1.5f},
    {{"thanks", "for", "nothing", NULL}, -2.0f}, {{"thank", "you", "for", "nothing"}, -2.0f},
    {{"yeah", "right", NULL, NULL}, -1.0f},      {{"waste", "of", "time", NULL}, -2.2f},
    {{"waste", "of", "money", NULL}, -2.2f},     {{"waste", "of", "my", "time"}, -2.4f},
    {{"fed", "up", NULL, NULL}, -2.0f},          {{"sick", "of", NULL, NULL}, -1.8f},
    {{"sick", "and", "tired", NULL}, -2.4f},     {{"had", "enough", NULL, NULL}, -1.8f},
    {{"never", "again", NULL, NULL}, -2.0f},     {{"last", "straw", NULL, NULL}, -2.0f},
    {{"the", "last", "straw", NULL}, -2.0f},     {{"a", "joke", NULL, NULL}, -1.5f},
    {{"kind", "of", NULL, NULL}, 0.0f},          {{"sort", "of", NULL, NULL}, 0.0f},
    {{"at", "least", NULL, NULL}, 0.0f},         {{"works", "perfectly", NULL, NULL}, 2.5f},
    {{"well", "done", NULL, NULL}, 2.0f},        {{"going", "above", "and", "beyond"}, 2.5f},
    {{"above", "and", "beyond", NULL}, 2.5f},    {{"bad", "ass", NULL, NULL}, 1.5f},
    {{"the", "bomb", NULL, NULL}, 3.0f},         {{"the", "shit", NULL, NULL}, 3.0f},
    {{"kiss", "of", "death", NULL}, -1.5f},      {{"to", "die", "for", NULL}, 3.0f},
    {{"under", "the", "weather", NULL}, -1.5f},  {{"on", "the", "ball", NULL}, 2.0f},
    {{"in", "the", "red", NULL}, -1.5f},         {{"hand", "to", "mouth", NULL}, -2.0f},
    {{"blowing", "smoke", NULL, NULL}, -2.0f},   {{"customer", "service", NULL, NULL}, 0.0f},
    {{"customer", "support", NULL, NULL}, 0.0f}, {{"help", "desk", NULL, NULL}, 0.0f},
    {{"support", "team", NULL, NULL}, 0.0f},
};

_Static_assert(sizeof IDIOMS / sizeof IDIOMS[0] <= HEED_MAX_IDIOMS, "too many idioms");
_Static_assert(sizeof(heed_lexrd) == 32, "a read entry stays 32 bytes (lexicon.h)");

static int grow(heed_lexicon *lx);

static slot *find(const heed_lexicon *lx, uint64_t h, const char *key, size_t len)
{
    size_t mask = lx->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        slot *s = &lx->slots[i];
        if (!s->key)
            return s;
        if (s->hash == h && s->key_len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

/* The slot for key, created empty when absent; NULL when out of memory. */
static slot *upsert(heed_lexicon *lx, const char *key, size_t len)
{
    if ((lx->used + 1) * 4 >= lx->cap * 3 && grow(lx))
        return NULL;
    uint64_t h = heed__lex_hash(key, len);
    slot *s = find(lx, h, key, len);
    if (!s->key) {
        char *k = heed__arena_memdup(&lx->arena, key, len);
        if (!k)
            return NULL;
        s->hash = h;
        s->key = k;
        s->key_len = (uint32_t)len;
        lx->used++;
    }
    return s;
}

static int grow(heed_lexicon *lx)
{
    size_t ncap = lx->cap ? lx->cap * 2 : 1024;
    slot *ns = heed__malloc(ncap * sizeof(*ns));
    if (!ns)
        return HEED_ENOMEM;
    memset(ns, 0, ncap * sizeof(*ns));
    slot *old = lx->slots;
    size_t ocap = lx->cap;
    lx->slots = ns;
    lx->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key)
            *find(lx, old[i].hash, old[i].key, old[i].key_len) = old[i];
    heed__free(old);
    return 0;
}

static void put_entry(heed_lexicon *lx, const slot *sl, size_t n)
{
    heed_lexrd *r = &lx->ents[n];
    r->hash = sl->hash;
    r->ent = sl->ent;
    r->ent.key_len8 = sl->key_len <= 8 ? (uint8_t)sl->key_len : HEED_LEX_LONG_KEY;
    if (r->ent.has_valence)
        r->ent.cls |= LX_VALENCE;
    lx->keys[n] = (heed_lexkey){sl->key, sl->key_len};
    uint32_t tag = (uint32_t)(sl->hash >> lx->tag_shift);
    size_t i = sl->hash & lx->cell_mask;
    while (lx->cells[i])
        i = (i + 1) & lx->cell_mask;
    lx->cells[i] = tag << lx->idx_bits | (uint32_t)(n + 1);
    uint32_t bit = HEED_LEX_FILTER_BIT(sl->hash);
    lx->filter[bit >> 6] |= 1ull << (bit & 63);
}

/* Builds the read table from the slots and frees them. */
static int build_index(heed_lexicon *lx)
{
    size_t cap = 1024;
    while (cap < lx->used * 2 + 2)
        cap *= 2;
    unsigned bits = 1;
    while (((size_t)1 << bits) <= lx->used)
        bits++;
    lx->idx_bits = bits;
    lx->tag_shift = 64 - (32 - bits);
    lx->cells = heed__malloc(cap * sizeof(*lx->cells));
    lx->ents = heed__malloc((lx->used ? lx->used : 1) * sizeof(*lx->ents));
    lx->keys = heed__malloc((lx->used ? lx->used : 1) * sizeof(*lx->keys));
    if (!lx->cells || !lx->ents || !lx->keys)
        return HEED_ENOMEM;
    memset(lx->cells, 0, cap * sizeof(*lx->cells));
    lx->cell_mask = cap - 1;
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < lx->cap; k++) {
            const slot *sl = &lx->slots[k];
            if (sl->key && (sl->ent.cls != 0) == (pass == 0))
                put_entry(lx, sl, n++);
        }
    heed__free(lx->slots);
    lx->slots = NULL;
    return HEED_OK;
}

static int fail(heed_error *err, int code, size_t pos, size_t line, const char *what)
{
    if (err) {
        err->code = code;
        err->pos = pos;
        if (line)
            snprintf(err->msg, sizeof err->msg, "lexicon line %zu: %s", line, what);
        else
            snprintf(err->msg, sizeof err->msg, "lexicon: %s", what);
    }
    return code;
}

int heed__lexicon_decimal(const char *s, size_t n, double *out)
{
    static const double P10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = n && s[0] == '-';
    uint64_t m = 0;
    int digits = 0, frac = 0, point = 0;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            m = m * 10 + (uint64_t)(s[i] - '0');
            digits++;
            frac += point;
        } else if (s[i] == '.' && !point) {
            point = 1;
        } else {
            return 0;
        }
        if (digits > 15)
            return 0;
    }
    if (!digits)
        return 0;
    const double v = (double)m / P10[frac];
    *out = n && s[0] == '-' ? -v : v;
    return 1;
}

/* Parses a valence like "-1.5" strictly; returns 0 on success. */
static int parse_valence(const char *s, size_t n, float *out)
{
    char tmp[32];
    double v;
    if (!heed__lexicon_decimal(s, n, &v)) {
        if (n == 0 || n >= sizeof tmp)
            return -1;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        char *end;
        v = strtod(tmp, &end);
        if (end != tmp + n)
            return -1;
    }
    if (!isfinite(v) || v < -4.0 || v > 4.0)
        return -1;
    *out = (float)v;
    return 0;
}

static int parse_lines(heed_lexicon *lx, const char *text, size_t len, int fill_only,
                       heed_error *err)
{
    size_t pos = 0, line = 0;
    while (pos < len) {
        line++;
        const char *l = text + pos;
        const char *nl = memchr(l, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - l) : len - pos;
        size_t start = pos;
        pos += ll + (nl ? 1 : 0);
        if (ll && l[ll - 1] == '\r')
            ll--;
        if (ll == 0 || l[0] == '#')
            continue;
        const char *tab = memchr(l, '\t', ll);
        if (!tab || tab == l)
            return fail(err, HEED_EMODEL, start, line, "expected 'token<TAB>valence'");
        size_t klen = (size_t)(tab - l);
        const char *v = tab + 1;
        const char *vend = memchr(v, '\t', ll - klen - 1);
        size_t vlen = vend ? (size_t)(vend - v) : ll - klen - 1;
        float val;
        if (parse_valence(v, vlen, &val))
            return fail(err, HEED_EMODEL, start, line, "valence is not a number between -4 and 4");
        if (heed__utf8_valid_prefix(l, klen) != klen)
            return fail(err, HEED_EMODEL, start, line, "token is not valid UTF-8");
        size_t nlen;
        char *norm = heed__utf8_normalize(&lx->arena, l, klen, 1, &nlen);
        if (!norm)
            return fail(err, HEED_ENOMEM, start, line, "out of memory");
        int lower = nlen == klen && memcmp(norm, l, klen) == 0;
        slot *s = upsert(lx, norm, nlen);
        if (!s)
            return fail(err, HEED_ENOMEM, start, line, "out of memory");
        if (fill_only && s->ent.has_valence)
            continue;
        /* "OK" and "ok" fold together: the lower-case line wins. */
        if (!s->ent.has_valence || (lower && !s->lower_origin)) {
            if (!s->ent.has_valence)
                lx->n_valence++;
            s->ent.valence = val;
            s->ent.has_valence = 1;
            s->lower_origin = (uint8_t)lower;
        }
    }
    return HEED_OK;
}

int heed__lexicon_new(const char *text, size_t len, const char *extra, size_t extra_len,
                      heed_lexicon **out, heed_error *err)
{
    *out = NULL;
    heed_lexicon *lx = heed__malloc(sizeof(*lx));
    if (!lx)
        return fail(err, HEED_ENOMEM, 0, 0, "out of memory");
    memset(lx, 0, sizeof(*lx));
    heed__arena_init(&lx->arena, 0);
    int rc = grow(lx);
    if (rc) {
        fail(err, rc, 0, 0, "out of memory");
        goto fail;
    }
    rc = parse_lines(lx, text, len, 0, err);
    if (rc == HEED_OK && extra)
        rc = parse_lines(lx, extra, extra_len, 1, err);
    if (rc)
        goto fail;
    for (size_t i = 0; i < sizeof CLASSES / sizeof CLASSES[0]; i++) {
        const wordclass *w = &CLASSES[i];
        slot *s = upsert(lx, w->word, strlen(w->word));
        if (!s) {
            rc = fail(err, HEED_ENOMEM, 0, 0, "out of memory");
            goto fail;
        }
        s->ent.cls |= w->cls;
        if (w->scalar != 0)
            s->ent.scalar = w->scalar;
    }
    for (size_t i = 0; i < sizeof IDIOMS / sizeof IDIOMS[0]; i++) {
        const char *w = IDIOMS[i].words[0];
        slot *s = upsert(lx, w, strlen(w));
        if (!s) {
            rc = fail(err, HEED_ENOMEM, 0, 0, "out of memory");
            goto fail;
        }
        s->ent.cls |= LX_IDIOM;
        s->ent.idioms |= 1ull << i;
        const char *w1 = IDIOMS[i].words[1];
        s->ent.idiom_next |= w1 ? (uint16_t)(1u << (w1[0] & 15)) : 0xFFFF;
    }
    if (lx->used > LEX_MAX_ENTRIES) {
        rc = fail(err, HEED_EMODEL, 0, 0, "more than 16,777,215 lexicon entries");
        goto fail;
    }
    if (build_index(lx)) {
        rc = fail(err, HEED_ENOMEM, 0, 0, "out of memory");
        goto fail;
    }
    *out = lx;
    return HEED_OK;
fail:
    heed__lexicon_free(lx);
    return rc;
}

void heed__lexicon_free(heed_lexicon *lx)
{
    if (!lx)
        return;
    heed__free(lx->slots);
    heed__free(lx->cells);
    heed__free(lx->ents);
    heed__free(lx->keys);
    heed__arena_release(&lx->arena);
    heed__free(lx);
}


size_t heed__lexicon_size(const heed_lexicon *lx)
{
    return lx->n_valence;
}

const heed_idiom *heed__idioms(size_t *n)
{
    *n = sizeof IDIOMS / sizeof IDIOMS[0];
    return IDIOMS;
}
