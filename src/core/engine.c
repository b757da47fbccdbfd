/* engine.c - the public API of libheed (heed.h): engines, analyses, errors and
 * names. Glues UTF-8 checks, the tokenizer, the sentence splitter and the
 * valence rules together; each analysis owns one arena. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "arena.h"
#include "asks.h"
#include "compassion.h"
#include "empathy.h"
#include "emotions.h"
#include "familiar.h"
#include "featurize.h"
#include "freqwords.h"
#include "hash.h"
#include "heed/heed.h"
#include "intensity.h"
#include "langid.h"
#include "lexicon.h"
#include "model_data.h"
#include "needs.h"
#include "sentence.h"
#include "stress.h"
#include "suggest.h"
#include "tokenize.h"
#include "utf8.h"
#include "valence.h"

struct heed_engine {
    heed_lexicon *lex;
    heed_langid *lid;                /* language identification tables */
    heed_lm *emotions;               /* NULL: no emotion model */
    heed_feat_opts emotions_fo;      /* the emotion model's feature options */
    int emotions_pair; /* its features are the needs stage's and n-grams (heed__features_pair) */
    heed_emo_sums *emo_sums; /* the model's n-gram rows summed per word of `words`, or NULL */
    heed_words *words; /* frequent words (freqwords.h); NULL when needs are skipped */
    heed_intensity_model *intensity; /* NULL: built without models/intensity.model */
    heed_stress_index *stress;
    heed_asks_index *asks;       /* NULL when the needs stage is skipped */
    heed_lm *needs;              /* NULL: no needs model was built in */
    heed_empathy_model *empathy; /* NULL: no empathy model was built in */
    heed_compassion_index *compassion;
    heed_familiar_index *familiar;
    unsigned skip; /* HEED_STAGE_* this engine prepared nothing for */
};

/* Whether the tokens' words in the frequent-word table (freqwords.h) and
 * their hashes are looked up under `skip`: when the needs stage runs, whose
 * features are made from the hashes (and the emotions' with them) and whose
 * asks read the words. Valence and language identification read the words
 * too, but alone gain less than the lookups cost. */
static int word_stages(unsigned skip)
{
    return !(skip & HEED_STAGE_NEEDS);
}

/* Arena room allocated with each analysis: enough for most messages. */
#define FIRST_CHUNK ((size_t)16 * 1024)

struct heed_analysis {
    heed_arena arena;
    heed_result result;
    heed_analysis *customer;   /* heed_check_reply: the customer's analysis */
    const heed_engine *engine; /* that made it */
    unsigned skip;             /* the stages it skipped */
    const uint64_t *th;        /* the tokens' hashes (heed__hash of each norm), or NULL */
};

const char *heed_strerror(int code)
{
    switch (code) {
#define HEED_X_(name, num, msg)                                                                    \
    case num:                                                                                      \
        return msg;
        HEED_ERRNO_MAP(HEED_X_)
#undef HEED_X_
    }
    return "unknown error";
}

const char *heed_version(void)
{
    return HEED_VERSION_STRING;
}

const char *heed_rule_name(uint32_t rule)
{
    switch (rule) {
#define HEED_X_(name, bit, str)                                                                    \
    case 1u << (bit):                                                                              \
        return str;
        HEED_RULE_MAP(HEED_X_)
#undef HEED_X_
    }
    return NULL;
}

const char *heed_token_kind_name(int kind)
{
    static const char *const names[HEED_TOK_KIND_COUNT] = {
        "word",  "number",  "money",   "date",  "time",     "id",    "url",
        "email", "mention", "hashtag", "emoji", "emoticon", "punct", "symbol",
    };
    return kind >= 0 && kind < HEED_TOK_KIND_COUNT ? names[kind] : "unknown";
}

static int set_err(heed_error *err, int code, size_t pos, const char *msg)
{
    if (err) {
        err->code = code;
        err->pos = pos;
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
    return code;
}

int heed_engine_new(const heed_engine_opts *opts, heed_engine **out, heed_error *err)
{
    if (!out)
        return set_err(err, HEED_EINVAL, 0, "heed_engine_new: out is NULL");
    *out = NULL;
    const char *lex = heed__vader_lexicon;
    size_t lex_len = (size_t)(heed__vader_lexicon_end - heed__vader_lexicon);
    const char *extra = heed__cs_lexicon;
    size_t extra_len = (size_t)(heed__cs_lexicon_end - heed__cs_lexicon);
    if (opts && opts->lexicon) {
        lex = opts->lexicon;
        lex_len = opts->lexicon_len;
        extra = NULL;
        extra_len = 0;
    }
    heed_engine *eng = heed__malloc(sizeof(*eng));
    if (!eng)
        return set_err(err, HEED_ENOMEM, 0, "out of memory");
    memset(eng, 0, sizeof(*eng)); /* heed_engine_free takes any part built */
    int rc = heed__lexicon_new(lex, lex_len, extra, extra_len, &eng->lex, err);
    if (rc) {
        heed__free(eng);
        return rc;
    }
    unsigned skip = opts ? opts->skip & HEED_STAGE_ALL : 0;
    if (opts && (opts->flags & HEED_ENGINE_NO_EMOTIONS))
        skip |= HEED_STAGE_EMOTIONS;
    eng->skip = skip;
    if (!(skip & HEED_STAGE_LANGUAGE) && (rc = heed__langid_new(&eng->lid))) {
        heed_engine_free(eng);
        return set_err(err, rc, 0, rc == HEED_ENOMEM ? "out of memory" : "language tables");
    }
    heed_blob ib = heed__model_intensity();
    if (ib.len && !(skip & HEED_STAGE_INTENSITY)) {
        rc = heed__intensity_load(ib.ptr, ib.len, HEED_LM_EMBEDDED, &eng->intensity, err);
        if (rc) {
            heed_engine_free(eng);
            return rc == HEED_ENOMEM ? set_err(err, rc, 0, "out of memory") : rc;
        }
    }
    if (!(skip & HEED_STAGE_STRESS) && heed__stress_index_new(&eng->stress)) {
        heed_engine_free(eng);
        return set_err(err, HEED_ENOMEM, 0, "out of memory");
    }
    if (!(skip & HEED_STAGE_NEEDS) && (rc = heed__asks_index_new(&eng->asks))) {
        heed_engine_free(eng);
        return set_err(err, rc, 0, rc == HEED_ENOMEM ? "out of memory" : "asks tables");
    }
    heed_blob nb = heed__model_needs();
    if (!(skip & HEED_STAGE_NEEDS) &&
        (rc = heed__needs_new(nb.ptr, nb.len, HEED_LM_EMBEDDED, &eng->needs, err))) {
        heed_engine_free(eng);
        return rc;
    }
    if (!(skip & HEED_STAGE_EMOTIONS)) {
        heed_blob mb = heed__model_emotions();
        unsigned mflags = HEED_LM_EMBEDDED;
        if (opts && opts->emotions_model) { /* the caller's: checked in full */
            mb = (heed_blob){opts->emotions_model, opts->emotions_model_len};
            mflags = 0;
        }
        rc = mb.ptr ? heed__emotions_load(mb.ptr, mb.len, mflags, &eng->emotions, err) : HEED_OK;
        if (rc) {
            heed_engine_free(eng);
            return rc;
        }
        if (eng->emotions) { /* worked out once, not per message */
            const heed_feat_opts fo = {HEED_NEEDS_FEAT_FLAGS};
            eng->emotions_fo = heed__emotions_feat_opts(eng->emotions);
            eng->emotions_pair = heed__features_can_pair(&fo, &eng->emotions_fo);
        }
    }
    /* the frequent words, for the stages that read them (with the emotion
     * features' n-grams when they are made with heed__features_pair) */
    if (word_stages(skip) &&
        heed__freqwords_new(eng->lex, eng->lid, eng->asks,
                            eng->emotions_pair ? &eng->emotions_fo : NULL, &eng->words)) {
        heed_engine_free(eng);
        return set_err(err, HEED_ENOMEM, 0, "out of memory");
    }
    if (eng->words && eng->stress)
        heed__freqwords_set_stress(eng->words, eng->stress);
    /* the words' n-gram rows of the emotion model, when its features are
     * made with heed__features_pair and the words hold their keys */
    if (eng->emotions_pair && eng->words &&
        heed__freqwords_char_flags(eng->words) ==
            (eng->emotions_fo.flags & (HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4)) &&
        (rc = heed__emo_sums_new(eng->emotions, eng->words, &eng->emo_sums))) {
        heed_engine_free(eng);
        return set_err(err, rc, 0, rc == HEED_ENOMEM ? "out of memory" : "emotion word sums");
    }
    heed_blob eb = heed__model_empathy();
    if (!(skip & HEED_STAGE_EMPATHY) &&
        (rc = heed__empathy_new(eb.ptr, eb.len, HEED_LM_EMBEDDED, &eng->empathy, err))) {
        heed_engine_free(eng);
        return rc;
    }
    if ((!(skip & HEED_STAGE_COMPASSION) && heed__compassion_new(&eng->compassion)) ||
        ((skip & (HEED_STAGE_FAMILIAR | HEED_STAGE_ADDRESSED)) !=
             (HEED_STAGE_FAMILIAR | HEED_STAGE_ADDRESSED) &&
         heed__familiar_new(&eng->familiar))) {
        heed_engine_free(eng);
        return set_err(err, HEED_ENOMEM, 0, "out of memory");
    }
    *out = eng;
    return HEED_OK;
}

void heed_engine_free(heed_engine *eng)
{
    if (!eng)
        return;
    heed__lexicon_free(eng->lex);
    heed__langid_free(eng->lid);
    heed__lm_free(eng->emotions);
    heed__freqwords_free(eng->words);
    heed__emo_sums_free(eng->emo_sums);
    heed__intensity_free(eng->intensity);
    heed__stress_index_free(eng->stress);
    heed__asks_index_free(eng->asks);
    heed__lm_free(eng->needs);
    heed__empathy_free(eng->empathy);
    heed__compassion_free(eng->compassion);
    heed__familiar_free(eng->familiar);
    heed__free(eng);
}

size_t heed_engine_lexicon_size(const heed_engine *eng)
{
    return eng ? heed__lexicon_size(eng->lex) : 0;
}

/* heed__hash of the normalised form of each token of r, in arena memory;
 * NULL when out of memory. */
static const uint64_t *token_hashes(heed_arena *a, const heed_result *r)
{
    uint64_t *th = heed__arena_alloc(a, (r->n_tokens ? r->n_tokens : 1) * sizeof *th);
    if (th)
        for (size_t i = 0; i < r->n_tokens; i++)
            th[i] = heed__hash(r->tokens[i].norm, r->tokens[i].norm_len);
    return th;
}

/* The listening stages on an English text whose valence is known. Order
 * matters: needs read the asks and valence; stress reads valence and, when
 * set, the emotions. th: the tokens' hashes, wr their words
 * (heed__freqwords_find), both NULL unless word_stages(skip). */
static int listen(const heed_engine *eng, unsigned skip, heed_arena *a, heed_result *r,
                  heed_token *toks, size_t n_toks, heed_sentence *sents, size_t n_sents,
                  const uint64_t *th, const heed_word *const *wr, heed_sparse *words)
{
    int rc;
    if (!(skip & HEED_STAGE_NEEDS)) {
        heed_cue *asks;
        rc = heed__asks_words(eng->asks, a, toks, n_toks, wr, sents, n_sents, &asks,
                              &r->needs.n_asks);
        if (rc)
            return rc;
        r->needs.asks = asks;
        r->needs.asks_available = 1;
    }
    /* needs and intensity read the same features when their models were
     * trained with the same extractor options: make them once */
    heed_sparse x = {0};
    int have_x = 0;
    const int emotions = eng->emotions && !(skip & HEED_STAGE_EMOTIONS);
    heed_lm_side side;
    int fused = 0;
    if (eng->needs && !(skip & HEED_STAGE_NEEDS)) {
        const heed_feat_opts fo = {HEED_NEEDS_FEAT_FLAGS};
        /* when intensity reads them from a table of its own, the needs
         * model's pass over the features sums that table's rows as well
         * (side) */
        const int may_fuse =
            eng->intensity && !(skip & HEED_STAGE_INTENSITY) &&
            heed__intensity_feat_opts(eng->intensity).flags == HEED_NEEDS_FEAT_FLAGS &&
            heed__intensity_side(eng->intensity, &side);
        if (emotions && eng->emotions_pair) {
            /* the emotion model's features are these plus character n-grams:
             * make both at once, from the tokens' hashes and words */
            heed_sparse xe;
            /* the table's words' n-grams as one summed row each (emo_sums) */
            const uint32_t *ids = NULL;
            size_t n_ids = 0;
            float char_val = 0;
            if ((rc = eng->emo_sums && wr
                          ? heed__features_pair_summed(a, &fo, &eng->emotions_fo, r, th,
                                                       eng->words, wr, &x, &xe, &ids, &n_ids,
                                                       &char_val)
                          : heed__features_pair_words(a, &fo, &eng->emotions_fo, r, th,
                                                      eng->words, wr, &x, &xe)))
                return rc;
            if (!(fused = may_fuse && heed__needs_predict_side(eng->needs, x, r, &side)))
                heed__needs_predict_x(eng->needs, x, r);
            if (ids)
                heed__emotions_predict_sums(eng->emotions, eng->emo_sums, xe, ids, n_ids,
                                            char_val, r);
            else
                heed__emotions_predict_x(eng->emotions, xe, r);
            have_x = 2;
        } else {
            /* from the tokens' hashes (made: the needs stage runs) */
            const size_t cap = heed__features_bound(&fo, r);
            uint32_t *idx = heed__arena_alloc(a, cap * sizeof *idx);
            float *val = heed__arena_alloc(a, cap * sizeof *val);
            if (!idx || !val)
                return HEED_ENOMEM;
            x = (heed_sparse){idx, val, heed__features_write_hashed(&fo, r, th, idx, val, cap)};
            if (!(fused = may_fuse && heed__needs_predict_side(eng->needs, x, r, &side)))
                heed__needs_predict_x(eng->needs, x, r);
            have_x = 1;
        }
    }
    if (have_x && words)
        *words = x;
    if (emotions && have_x != 2 && (rc = heed__emotions_predict(eng->emotions, a, r)))
        return rc;
    if (eng->intensity && !(skip & HEED_STAGE_INTENSITY)) {
        if (fused)
            heed__intensity_fill_side(eng->intensity, &side, &r->intensity);
        else if (have_x &&
                 heed__intensity_feat_opts(eng->intensity).flags == HEED_NEEDS_FEAT_FLAGS)
            heed__intensity_fill(eng->intensity, x, &r->intensity);
        else if ((rc = heed__intensity_predict(eng->intensity, a, r, &r->intensity)))
            return rc;
    }
    if (skip & HEED_STAGE_STRESS)
        return HEED_OK;
    return heed__freqwords_holds_stress(eng->words) ? heed__stress_words_held(a, eng->stress, wr, r)
                                                    : heed__stress_words(a, eng->stress, wr, r);
}

/* Tokens, sentences, valence, language and (on English) the listening stages
 * of r->text, which is set. *words (when words is not NULL) gets the word
 * features (HEED_NEEDS_FEAT_FLAGS) the needs stage made, or stays empty;
 * *th (when th is not NULL) the tokens' hashes (heed__hash of each norm),
 * by which the stages look words up, when word_stages(skip), else NULL. */
static int analyze_text(const heed_engine *eng, unsigned skip, heed_arena *a, heed_result *r,
                        heed_sparse *words, const uint64_t **th)
{
    heed_token *toks;
    size_t n_toks;
    /* each token's hash and word, found once for the stages below */
    uint64_t *h = NULL;
    const heed_word **wr = NULL;
    int rc = word_stages(skip) ? heed__tokenize_words(a, r->text, r->text_len, eng->words, &toks,
                                                      &n_toks, &h, &wr)
                               : heed__tokenize(a, r->text, r->text_len, &toks, &n_toks);
    if (rc)
        return rc;
    if (th)
        *th = h;
    heed_sentence *sents;
    size_t n_sents;
    rc = heed__sentences(a, r->text, r->text_len, toks, n_toks, &sents, &n_sents);
    if (rc)
        return rc;
    heed_valence_out vo;
    rc = heed__valence_words(a, eng->lex, r->text, toks, n_toks, wr, h, sents, n_sents, &vo);
    if (rc)
        return rc;
    r->tokens = toks;
    r->n_tokens = n_toks;
    r->sentences = sents;
    r->n_sentences = n_sents;
    r->evidence = vo.evidence;
    r->n_evidence = vo.n_evidence;
    r->valence = vo.valence;
    r->positive = vo.positive;
    r->negative = vo.negative;
    if (skip & HEED_STAGE_LANGUAGE)
        r->language.scored = 1; /* taken as English, not detected: code stays "" */
    else
        heed__langid_detect_words(eng->lid, r->text, toks, n_toks, wr, &r->language);
    if (!r->language.scored) {
        /* Not English: the English lexicon's valence would be noise ("die" is
         * an article in German), so no valence, no evidence and no listening
         * stage; tokens and sentences stay. See docs/language.md. */
        for (size_t i = 0; i < n_sents; i++)
            sents[i].valence = 0;
        r->n_evidence = 0;
        r->valence = r->positive = r->negative = 0;
        return HEED_OK;
    }
    return listen(eng, skip, a, r, toks, n_toks, sents, n_sents, h, wr, words);
}

/* Whether a caller's analysis of the context (heed_analyze_opts.
 * context_analysis) holds what analysing the context here would: the same
 * bytes, no repair, scored (so valence and the listening stages ran), the
 * needs stage run exactly when this call runs it. The reply stages read only
 * the context's text, tokens, sentences, asks and needs. */
static int context_reusable(const heed_engine *eng, unsigned skip, const heed_analysis *ca,
                            const char *text, size_t len)
{
    if (!ca || ca->engine != eng || ca->customer)
        return 0;
    const heed_result *cr = &ca->result;
    return cr->role != HEED_ROLE_AGENT && cr->text_len == len && memcmp(cr->text, text, len) == 0 &&
           !(cr->warnings & HEED_WARN_REPLACED_UTF8) && cr->language.scored &&
           (ca->skip & HEED_STAGE_NEEDS) == (skip & HEED_STAGE_NEEDS);
}

/* The reply stages on an agent turn that was scored as English. The customer
 * message it answers (opts->context), when given, is analysed first with the
 * needs stage (asks and needs) for empathy, addressed and personal cues. */
static int reply(const heed_engine *eng, unsigned skip, const heed_analyze_opts *opts,
                 heed_arena *a, heed_result *r, const heed_sparse *words, const uint64_t *rth)
{
    const heed_result *ctx = NULL;
    const uint64_t *cth = NULL; /* the context's tokens' hashes, when made already */
    heed_result c = {0};
    int rc;
    if (opts->context) {
        size_t len = opts->context_len > HEED_MAX_TEXT ? HEED_MAX_TEXT : opts->context_len;
        size_t bad = heed__utf8_valid_prefix(opts->context, len);
        size_t n_rep = 0;
        c.text = bad < len ? heed__utf8_repair(a, opts->context, len, &c.text_len, &n_rep)
                           : heed__arena_memdup(a, opts->context, len);
        if (bad >= len)
            c.text_len = len;
        if (!c.text)
            return HEED_ENOMEM;
        r->context = c.text;
        r->context_len = c.text_len;
        if (bad >= len && context_reusable(eng, skip, opts->context_analysis, c.text, len)) {
            ctx = &opts->context_analysis->result;
            cth = opts->context_analysis->th;
        } else {
            /* the context needs asks and needs; language is taken as the reply's */
            unsigned cskip = skip | HEED_STAGE_LANGUAGE | HEED_STAGE_EMOTIONS |
                             HEED_STAGE_INTENSITY | HEED_STAGE_STRESS;
            if ((rc = analyze_text(eng, cskip, a, &c, NULL, &cth)))
                return rc;
            ctx = &c;
        }
    }
    /* the reply's word features, when the needs stage made them with the
     * options the empathy stage reads */
    const heed_sparse *ew =
        words && words->idx && HEED_NEEDS_FEAT_FLAGS == HEED_EMPATHY_FEAT_FLAGS ? words : NULL;
    /* the tokens' hashes, which the stages below all look words up by (the
     * needs stage made them when it ran) */
    if (!rth)
        rth = token_hashes(a, r);
    if (ctx && !cth)
        cth = token_hashes(a, ctx);
    if (!rth || (ctx && !cth))
        return HEED_ENOMEM;
    if (eng->empathy && !(skip & HEED_STAGE_EMPATHY) &&
        (rc = heed__empathy_with(eng->empathy, a, r, ctx, ew, rth, cth)))
        return rc;
    const size_t *ends; /* the clause ends, found once for both */
    if (!(skip & HEED_STAGE_COMPASSION) &&
        ((rc = heed__compassion_ends(eng->compassion, a, r, ctx, rth, &ends)) ||
         (rc = heed__promises_ends(eng->compassion, a, r, opts, ends))))
        return rc;
    if (!(skip & HEED_STAGE_FAMILIAR) &&
        (rc = heed__familiar_th(eng->familiar, a, r, ctx, rth, cth)))
        return rc;
    if (ctx && !(skip & HEED_STAGE_ADDRESSED) &&
        (rc = heed__addressed_th(eng->familiar, a, r, ctx, rth, cth)))
        return rc;
    return HEED_OK;
}

/* The checks of heed_analyze's arguments and text; HEED_OK or the error, set
 * in err. *bad: the offset of the first invalid byte, or len. */
static int check_input(const heed_engine *eng, const char *text, size_t len,
                       const heed_analyze_opts *opts, size_t *bad, heed_error *err)
{
    if (!eng || (!text && len))
        return set_err(err, HEED_EINVAL, 0, "heed_analyze: engine or text is NULL");
    if (opts && !opts->context && opts->context_len)
        return set_err(err, HEED_EINVAL, 0, "heed_analyze: context is NULL");
    size_t max =
        opts && opts->max_len && opts->max_len < HEED_MAX_TEXT ? opts->max_len : HEED_MAX_TEXT;
    if (len > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "text of %zu bytes is over the limit of %zu bytes", len, max);
        return set_err(err, HEED_ETOOBIG, max, msg);
    }
    unsigned flags = opts ? opts->flags : 0;
    *bad = heed__utf8_valid_prefix(text, len);
    if (*bad < len && !(flags & HEED_ANALYZE_REPLACE_INVALID)) {
        char msg[96];
        snprintf(msg, sizeof msg, "invalid UTF-8 at byte %zu", *bad);
        return set_err(err, HEED_EUTF8, *bad, msg);
    }
    return HEED_OK;
}

/* The analysis and its arena's first chunk are one allocation. */
#define ANALYSIS_OFF ((sizeof(heed_analysis) + 15) & ~(size_t)15)

static void analysis_start(heed_analysis *an)
{
    memset(an, 0, sizeof(*an));
    heed__arena_init_in(&an->arena, 0, (char *)an + ANALYSIS_OFF, FIRST_CHUNK);
}

/* Analyses checked text into an (fresh from analysis_start); frees an on
 * failure. */
static int analyze_into(const heed_engine *eng, const char *text, size_t len, size_t bad,
                        const heed_analyze_opts *opts, heed_analysis *an, heed_analysis **out,
                        heed_error *err)
{
    heed_result *r = &an->result;
    int rc = HEED_ENOMEM;
    if (bad < len) {
        r->text = heed__utf8_repair(&an->arena, text, len, &r->text_len, &r->n_replaced);
        r->warnings |= HEED_WARN_REPLACED_UTF8;
        r->first_bad = bad;
    } else {
        r->text = heed__arena_memdup(&an->arena, text ? text : "", len);
        r->text_len = len;
    }
    if (!r->text)
        goto fail;
    unsigned skip = (opts ? opts->skip & HEED_STAGE_ALL : 0) | eng->skip;
    an->engine = eng;
    an->skip = skip;
    r->role = opts && opts->role >= HEED_ROLE_UNKNOWN && opts->role <= HEED_ROLE_AGENT
                  ? opts->role
                  : HEED_ROLE_UNKNOWN;
    heed_sparse words = {0};
    /* the tokens' hashes are kept for the reply stages: of an agent turn,
     * and of a customer message, which may be the context of the next turn
     * (heed_analyze_opts.context_analysis); without a role, neither is
     * likely */
    if ((rc = analyze_text(eng, skip, &an->arena, r, &words,
                           r->role != HEED_ROLE_UNKNOWN ? &an->th : NULL)))
        goto fail;
    if (r->role == HEED_ROLE_AGENT && r->language.scored &&
        (rc = reply(eng, skip, opts, &an->arena, r, &words, an->th)))
        goto fail;
    *out = an;
    return HEED_OK;
fail:
    heed_analysis_free(an);
    if (rc == HEED_ETOOBIG)
        return set_err(err, rc, 0, "text has more tokens than the limit");
    return set_err(err, rc, 0, rc == HEED_ENOMEM ? "out of memory" : heed_strerror(rc));
}

int heed_analyze(const heed_engine *eng, const char *text, size_t len,
                 const heed_analyze_opts *opts, heed_analysis **out, heed_error *err)
{
    if (!out)
        return set_err(err, HEED_EINVAL, 0, "heed_analyze: out is NULL");
    *out = NULL;
    size_t bad;
    int rc = check_input(eng, text, len, opts, &bad, err);
    if (rc)
        return rc;
    heed_analysis *an = heed__malloc(ANALYSIS_OFF + heed__arena_first_size(FIRST_CHUNK));
    if (!an)
        return set_err(err, HEED_ENOMEM, 0, "out of memory");
    analysis_start(an);
    return analyze_into(eng, text, len, bad, opts, an, out, err);
}

int heed_analyze_again(const heed_engine *eng, const char *text, size_t len,
                       const heed_analyze_opts *opts, heed_analysis **an, heed_error *err)
{
    if (!an)
        return set_err(err, HEED_EINVAL, 0, "heed_analyze_again: an is NULL");
    heed_analysis *old = *an;
    *an = NULL;
    if (!old)
        return heed_analyze(eng, text, len, opts, an, err);
    if (old->customer) {
        heed_analysis_free(old);
        return set_err(err, HEED_EINVAL, 0, "heed_analyze_again: a heed_check_reply analysis");
    }
    size_t bad;
    int rc = check_input(eng, text, len, opts, &bad, err);
    if (rc) {
        heed_analysis_free(old);
        return rc;
    }
    heed__arena_release(&old->arena); /* the chunks it grew; the first is old's own */
    if (old->result.role == HEED_ROLE_AGENT) {
        analysis_start(old);
    } else {
        /* analysis_start, but the reply stages' part of the result (empathy
         * to its end) is written on agent turns only (reply) and, like the
         * check_reply fields (old->customer is NULL), is still zero */
        memset(old, 0, offsetof(heed_analysis, result) + offsetof(heed_result, empathy));
        memset(&old->result + 1, 0, sizeof *old - offsetof(heed_analysis, result) - sizeof old->result);
        heed__arena_init_in(&old->arena, 0, (char *)old + ANALYSIS_OFF, FIRST_CHUNK);
    }
    return analyze_into(eng, text, len, bad, opts, old, an, err);
}

int heed_check_reply(const heed_engine *eng, const char *customer, size_t customer_len,
                     const char *draft, size_t draft_len, const heed_analyze_opts *opts,
                     heed_analysis **out, heed_error *err)
{
    if (!out)
        return set_err(err, HEED_EINVAL, 0, "heed_check_reply: out is NULL");
    *out = NULL;
    if (!customer && customer_len)
        return set_err(err, HEED_EINVAL, 0, "heed_check_reply: customer text is NULL");
    heed_analyze_opts o = opts ? *opts : (heed_analyze_opts){0};
    o.role = HEED_ROLE_CUSTOMER;
    o.context = NULL;
    o.context_len = 0;
    heed_analysis *ca = NULL;
    int rc = heed_analyze(eng, customer ? customer : "", customer_len, &o, &ca, err);
    if (rc) {
        if (err) {
            static const char pre[] = "customer message: ";
            size_t n = strnlen(err->msg, sizeof err->msg - 1);
            if (n > sizeof err->msg - sizeof pre)
                n = sizeof err->msg - sizeof pre;
            memmove(err->msg + sizeof pre - 1, err->msg, n);
            memcpy(err->msg, pre, sizeof pre - 1);
            err->msg[sizeof pre - 1 + n] = 0;
        }
        return rc;
    }
    o.role = HEED_ROLE_AGENT;
    o.context = ca->result.text;
    o.context_len = ca->result.text_len;
    o.context_analysis = ca; /* the customer's analysis serves as the context's */
    heed_analysis *an = NULL;
    rc = heed_analyze(eng, draft, draft_len, &o, &an, err);
    if (rc) {
        heed_analysis_free(ca);
        return rc;
    }
    an->customer = ca;
    an->result.customer = &ca->result;
    if ((rc = heed__suggest(&an->arena, &an->result, &ca->result))) {
        heed_analysis_free(an);
        return set_err(err, rc, 0, "out of memory");
    }
    *out = an;
    return HEED_OK;
}

const heed_result *heed_analysis_result(const heed_analysis *an)
{
    return an ? &an->result : NULL;
}

void heed_analysis_free(heed_analysis *an)
{
    if (!an)
        return;
    heed_analysis_free(an->customer);
    heed__arena_release(&an->arena);
    heed__free(an);
}
