/* heed.h - the public C API of libheed, heed's analysis core.
 *
 * libheed turns customer-service text into scores with evidence. It does no I/O:
 * bytes go in, results and error codes come out. Everything here is safe to call
 * from many threads as documented per function; there is no global mutable state.
 *
 * Typical use:
 *
 *     heed_engine *eng;
 *     heed_error err;
 *     if (heed_engine_new(NULL, &eng, &err) != HEED_OK) { ...err.msg... }
 *     heed_analysis *an;
 *     if (heed_analyze(eng, text, len, NULL, &an, &err) == HEED_OK) {
 *         const heed_result *r = heed_analysis_result(an);
 *         ... r->valence, r->evidence[i] ...
 *         heed_analysis_free(an);
 *     }
 *     heed_engine_free(eng);
 */
#ifndef HEED_HEED_H
#define HEED_HEED_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HEED_BUILDING) && defined(__GNUC__)
#define HEED_API __attribute__((visibility("default")))
#else
#define HEED_API
#endif

#if defined(__GNUC__)
#define HEED_NODISCARD __attribute__((warn_unused_result))
#else
#define HEED_NODISCARD
#endif

#define HEED_VERSION_MAJOR 0
#define HEED_VERSION_MINOR 1
#define HEED_VERSION_PATCH 0
#define HEED_VERSION_STRING "0.1.0"

/* Version of the analysis output (the JSON schema in docs/schema.md and the
 * meaning of the fields of heed_result). Bumped when a field changes meaning. */
#define HEED_SCHEMA_VERSION 2

/* ---------------------------------------------------------------- errors */

/* Error codes: 0 is success, every error is negative. The list is append-only:
 * a code never changes its number. X(name, number, message). */
#define HEED_ERRNO_MAP(X)                                                      \
    X(OK, 0, "success")                                                        \
    X(EINVAL, -1, "invalid argument")                                          \
    X(ENOMEM, -2, "out of memory")                                             \
    X(EUTF8, -3, "invalid UTF-8")                                              \
    X(ETOOBIG, -4, "input exceeds a size limit")                               \
    X(EMODEL, -5, "invalid model or lexicon data")                             \
    X(EPARSE, -6, "malformed input")                                           \
    X(EFIELD, -7, "required field missing or of the wrong type")               \
    X(EIO, -8, "input/output error")

typedef enum heed_errno {
#define HEED_X_(name, num, msg) HEED_##name = (num),
    HEED_ERRNO_MAP(HEED_X_)
#undef HEED_X_
} heed_errno;

/* Detail of an error, filled by functions that take a `heed_error *err` as their
 * last argument when err is not NULL. `pos` is a byte offset into the input the
 * function was given (0 when it does not apply); `msg` is a NUL-terminated
 * sentence a user can act on. */
typedef struct heed_error {
    int code;
    size_t pos;
    char msg[200];
} heed_error;

/* A static English description of `code`; never NULL, also for unknown codes. */
HEED_API const char *heed_strerror(int code);

/* "0.1.0"; the library's version, which may differ from the header's. */
HEED_API const char *heed_version(void);

/* ---------------------------------------------------------------- UTF-8 */

/* Checks that [s, s+len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). NUL bytes are valid. Returns HEED_OK, or
 * HEED_EUTF8 with *bad_pos (if not NULL) set to the offset of the first byte of
 * the first invalid sequence. Thread-safe. */
HEED_API int heed_utf8_validate(const char *s, size_t len, size_t *bad_pos);

/* ---------------------------------------------------------------- tokens */

typedef enum heed_token_kind {
    HEED_TOK_WORD = 0,  /* letters, with inner apostrophes/hyphens: don't, y'all */
    HEED_TOK_NUMBER,    /* 42, 3.5, 1,200 */
    HEED_TOK_MONEY,     /* €49.99, $1,200, 20 EUR, 5.50£ */
    HEED_TOK_DATE,      /* 2024-03-01, 01/03/2024, 3rd, 14th */
    HEED_TOK_TIME,      /* 10:30, 9am, 5.30pm, 17:45:10 */
    HEED_TOK_ID,        /* order/ticket numbers: #12345, ORD-88123, A1B2C3D4 */
    HEED_TOK_URL,       /* https://example.com/x, www.example.com */
    HEED_TOK_EMAIL,     /* jane@example.com */
    HEED_TOK_MENTION,   /* @support */
    HEED_TOK_HASHTAG,   /* #fail */
    HEED_TOK_EMOJI,     /* one grapheme: ZWJ sequences, skin tones, flags */
    HEED_TOK_EMOTICON,  /* :-(  :/  <3  ^^  :D */
    HEED_TOK_PUNCT,     /* . , ! ? ... !!! ?! */
    HEED_TOK_SYMBOL,    /* anything else */
    HEED_TOK_KIND_COUNT
} heed_token_kind;

/* Token flags (bit set in heed_token.flags). */
#define HEED_TF_ALLCAPS 0x01u    /* word of >= 2 letters, all upper case */
#define HEED_TF_ELONGATED 0x02u  /* a letter repeated 3+ times: sooooo */
#define HEED_TF_REPEATED 0x04u   /* punctuation repeated: !!!, ???, ?!, ... */
#define HEED_TF_NEGATOR 0x08u    /* the token is a negator (not, never, n't...) */
#define HEED_TF_NEGATED 0x10u    /* the token is inside a negation scope */
#define HEED_TF_CONTRACTION 0x20u /* word with an apostrophe: don't, I'm */

typedef struct heed_token {
    uint32_t start;    /* byte offset into heed_result.text */
    uint32_t len;      /* bytes */
    uint16_t kind;     /* heed_token_kind */
    uint16_t flags;    /* HEED_TF_* */
    uint32_t sentence; /* index into heed_result.sentences */
    const char *norm;  /* normalised form: NFKC, case-folded, letter runs of 3+
                        * cut to 2 ("SOOOO" -> "soo"); not NUL-terminated */
    uint32_t norm_len;
} heed_token;

/* "word", "number", ...; "unknown" for values out of range. */
HEED_API const char *heed_token_kind_name(int kind);

/* ---------------------------------------------------------------- results */

typedef struct heed_sentence {
    uint32_t start, len;       /* byte span in heed_result.text */
    uint32_t first_token;      /* index into heed_result.tokens */
    uint32_t n_tokens;
    double valence;            /* [-1, 1]: compound valence of the sentence */
} heed_sentence;

/* Rules applied to an evidence token (bit set in heed_evidence.rules). */
#define HEED_RULE_MAP(X)                                                       \
    X(LEXICON, 0, "lexicon")          /* valence from the lexicon */            \
    X(EMOJI, 1, "emoji")              /* valence of an emoji */                  \
    X(NEGATED, 2, "negated")          /* flipped/damped by a negator */          \
    X(INTENSIFIED, 3, "intensified")  /* "very", "so", "extremely" before it */  \
    X(DIMINISHED, 4, "diminished")    /* "slightly", "kind of" before it */      \
    X(ALLCAPS, 5, "allcaps")          /* shouted among non-shouted words */      \
    X(ELONGATED, 6, "elongated")      /* "sooo goood" */                         \
    X(EXCLAIM, 7, "exclaim")          /* !!! at the end of the sentence */       \
    X(CONTRAST_BEFORE, 8, "contrast-before") /* damped: before "but" */         \
    X(CONTRAST_AFTER, 9, "contrast-after")   /* stressed: after "but" */         \
    X(POLITE_REQUEST, 10, "polite-negative-request") /* "kindly stop ..." */     \
    X(POLITENESS, 11, "politeness-neutralised") /* "please", "kindly" in a    \
                                                 * request carry no valence */  \
    X(IDIOM, 12, "idiom")             /* fixed phrase with its own valence */    \
    /* bit 13 is reserved */                                                    \
    X(EMOTICON, 14, "emoticon")       /* valence of an emoticon */

enum {
#define HEED_X_(name, bit, str) HEED_RULE_##name = 1u << (bit),
    HEED_RULE_MAP(HEED_X_)
#undef HEED_X_
};

/* The name of one rule bit ("negated"); NULL when `rule` is not exactly one
 * known bit. */
HEED_API const char *heed_rule_name(uint32_t rule);

/* One token that moved valence, and how. */
typedef struct heed_evidence {
    uint32_t token;    /* index into heed_result.tokens (first token of a phrase) */
    uint32_t sentence; /* index into heed_result.sentences */
    uint32_t start, len; /* byte span in heed_result.text (a phrase may span tokens) */
    float base;        /* lexicon valence, -4..+4 */
    float score;       /* valence after every rule; what the sentence sums */
    uint32_t rules;    /* HEED_RULE_* bits */
    uint32_t cue;      /* index of the token that triggered the main rule
                        * (negator, intensifier, "but"); UINT32_MAX if none */
} heed_evidence;

/* ---------------------------------------------------------------- listening */

/* GoEmotions' 28 labels (Demszky et al. 2020), in the dataset's order. */
#define HEED_EMOTION_MAP(X)                                                    \
    X(ADMIRATION, 0, "admiration") X(AMUSEMENT, 1, "amusement")                \
    X(ANGER, 2, "anger") X(ANNOYANCE, 3, "annoyance")                          \
    X(APPROVAL, 4, "approval") X(CARING, 5, "caring")                          \
    X(CONFUSION, 6, "confusion") X(CURIOSITY, 7, "curiosity")                  \
    X(DESIRE, 8, "desire") X(DISAPPOINTMENT, 9, "disappointment")              \
    X(DISAPPROVAL, 10, "disapproval") X(DISGUST, 11, "disgust")                \
    X(EMBARRASSMENT, 12, "embarrassment") X(EXCITEMENT, 13, "excitement")      \
    X(FEAR, 14, "fear") X(GRATITUDE, 15, "gratitude") X(GRIEF, 16, "grief")    \
    X(JOY, 17, "joy") X(LOVE, 18, "love") X(NERVOUSNESS, 19, "nervousness")    \
    X(OPTIMISM, 20, "optimism") X(PRIDE, 21, "pride")                          \
    X(REALIZATION, 22, "realization") X(RELIEF, 23, "relief")                  \
    X(REMORSE, 24, "remorse") X(SADNESS, 25, "sadness")                        \
    X(SURPRISE, 26, "surprise") X(NEUTRAL, 27, "neutral")

enum {
#define HEED_X_(name, num, str) HEED_EMO_##name = (num),
    HEED_EMOTION_MAP(HEED_X_)
#undef HEED_X_
    HEED_EMO_COUNT = 28
};

/* The groups a support team thinks in (mapping in docs/emotions.md). */
#define HEED_CX_MAP(X)                                                         \
    X(ANGER, 0, "anger") X(FRUSTRATION, 1, "frustration")                      \
    X(ANXIETY, 2, "anxiety") X(SADNESS, 3, "sadness")                          \
    X(CONFUSION, 4, "confusion") X(GRATITUDE, 5, "gratitude")                  \
    X(NEUTRAL, 6, "neutral")

enum {
#define HEED_X_(name, num, str) HEED_CX_##name = (num),
    HEED_CX_MAP(HEED_X_)
#undef HEED_X_
    HEED_CX_COUNT = 7
};

typedef struct heed_emotions {
    int available;                 /* 0 when the engine has no emotion model */
    float prob[HEED_EMO_COUNT];    /* per-label probability, 0..1 */
    uint32_t labels;               /* bit i: label i is predicted (its tuned
                                    * threshold passed) */
    float cx[HEED_CX_COUNT];       /* per-group score, 0..1 */
    uint32_t cx_labels;            /* bit i: group i is predicted */
} heed_emotions;

/* Stress components, each scored 0..100 with evidence cues. */
#define HEED_STRESS_MAP(X)                                                     \
    X(DISTRESS, 0, "distress") X(URGENCY, 1, "urgency")                        \
    X(EFFORT, 2, "effort") X(VULNERABILITY, 3, "vulnerability")                \
    X(ESCALATION, 4, "escalation")

enum {
#define HEED_X_(name, num, str) HEED_STRESS_##name = (num),
    HEED_STRESS_MAP(HEED_X_)
#undef HEED_X_
    HEED_STRESS_COUNT = 5
};

/* One cue behind a stress component or a need: a span of the text. */
typedef struct heed_cue {
    uint32_t start, len;   /* byte span in heed_result.text */
    uint16_t component;    /* HEED_STRESS_* (stress cues) or HEED_NEED_* */
    uint16_t flags;        /* HEED_CUE_* */
    float weight;          /* how much it added, in points of the component */
    const char *what;      /* static short label: "deadline", "repeat contact",
                            * "bereavement", "chargeback", ... */
} heed_cue;

#define HEED_CUE_SUPPRESSED 0x01u /* found but not counted: negated or
                                   * hypothetical ("not urgent", "if it breaks") */

typedef struct heed_stress {
    int available;                      /* 0 when the stress stage did not run */
    double score;                       /* 0..100; bands in docs/stress.md */
    double component[HEED_STRESS_COUNT]; /* 0..100 each */
    const heed_cue *cues;
    size_t n_cues;
} heed_stress;

/* What the customer wants (mapping from intent data in docs/needs.md). */
#define HEED_NEED_MAP(X)                                                       \
    X(REFUND, 0, "refund") X(DELIVERY, 1, "delivery")                          \
    X(BILLING, 2, "billing") X(ACCOUNT, 3, "account_access")                   \
    X(CANCELLATION, 4, "cancellation") X(FAULT, 5, "technical_fault")          \
    X(CHANGE, 6, "change_or_update") X(PRODUCT, 7, "product_question")         \
    X(COMPLAINT, 8, "complaint") X(PRAISE, 9, "praise") X(OTHER, 10, "other")

enum {
#define HEED_X_(name, num, str) HEED_NEED_##name = (num),
    HEED_NEED_MAP(HEED_X_)
#undef HEED_X_
    HEED_NEED_COUNT = 11
};

typedef struct heed_needs {
    int available;                 /* 0 when the engine has no needs model */
    float prob[HEED_NEED_COUNT];   /* 0..1 */
    uint32_t labels;               /* bit i: need i predicted */
    int top;                       /* the most likely need (HEED_NEED_*) */
    int asks_available;            /* 1 when the asks stage ran (asks may
                                    * still be empty) */
    const heed_cue *asks;          /* explicit questions and requests, e.g.
                                    * "can you refund me?"; component is the
                                    * need it points to or HEED_NEED_OTHER */
    size_t n_asks;
} heed_needs;

/* Intensity regressors (EmoBank valence/arousal, Empathic Reactions distress). */
typedef struct heed_intensity {
    int available;   /* 0 when the engine has no intensity model or the text
                      * is not scored (not English); see docs/intensity.md */
    float valence;   /* EmoBank scale 1..5 (3 neutral) */
    float arousal;   /* EmoBank scale 1..5 (3 neutral) */
    float distress;  /* Empathic Reactions scale 1..7 */
} heed_intensity;

typedef struct heed_language {
    char code[4];        /* ISO 639-1 ("en", "es", "de", ...) or "und" */
    float confidence;    /* 0..1 */
    int scored;          /* 1 when the text is English (or too short to tell
                          * and English-looking): its scores are meaningful.
                          * 0: valence, emotions, stress and needs are zeroed,
                          * the evidence list is empty
                          * and the record says "unscored". */
} heed_language;

/* ---------------------------------------------------------------- replies */

/* Who wrote a message (heed_analyze_opts.role, heed_result.role). The reply
 * stages (empathy, compassion, promises, familiar language, addressed) run on
 * agent turns only. */
#define HEED_ROLE_UNKNOWN 0
#define HEED_ROLE_CUSTOMER 1
#define HEED_ROLE_AGENT 2

/* Empathy mechanisms (EPITOME, Sharma et al. 2020), each none/weak/strong. */
#define HEED_EMPATHY_MAP(X)                                                    \
    X(REACTION, 0, "emotional_reaction")                                       \
    X(INTERPRETATION, 1, "interpretation") X(EXPLORATION, 2, "exploration")

enum {
#define HEED_X_(name, num, str) HEED_EMPATHY_##name = (num),
    HEED_EMPATHY_MAP(HEED_X_)
#undef HEED_X_
    HEED_EMPATHY_COUNT = 3
};

typedef struct heed_empathy {
    int available;                          /* 0: the stage did not run or the
                                             * engine has no empathy model */
    int level[HEED_EMPATHY_COUNT];          /* 0 none, 1 weak, 2 strong */
    float prob[HEED_EMPATHY_COUNT][3];      /* per level, 0..1 */
    const heed_cue *spans;                  /* evidence spans in the reply;
                                             * component = HEED_EMPATHY_* */
    size_t n_spans;
} heed_empathy;

/* Compassion: concrete action that solves the problem, and its opposites.
 * Positive signals first, then the negative ones (HEED_COMPASSION_NEGATIVE). */
#define HEED_COMPASSION_MAP(X)                                                 \
    X(OWNERSHIP, 0, "ownership") X(ACTION, 1, "action")                        \
    X(NEXT_STEP, 2, "next_step") X(TIME_FRAME, 3, "time_frame")                \
    X(RESOLUTION, 4, "resolution") X(OFFER_HELP, 5, "offer_help")              \
    X(DEFLECTION, 6, "deflection") X(POLICY_WALL, 7, "policy_wall")            \
    X(BLAME, 8, "blame") X(NOTHING_WE_CAN_DO, 9, "nothing_we_can_do")          \
    X(GENERIC_APOLOGY, 10, "generic_apology")

enum {
#define HEED_X_(name, num, str) HEED_COMP_##name = (num),
    HEED_COMPASSION_MAP(HEED_X_)
#undef HEED_X_
    HEED_COMP_COUNT = 11
};
#define HEED_COMPASSION_NEGATIVE 0x7C0u /* bits of the negative signals */

typedef struct heed_compassion {
    int available;          /* 0: the stage did not run */
    double score;           /* 0..100; see docs/compassion.md */
    uint32_t signals;       /* bit i: signal HEED_COMP_i found (not suppressed) */
    const heed_cue *cues;   /* component = HEED_COMP_*; suppressed ones (negated,
                             * hypothetical) carry HEED_CUE_SUPPRESSED */
    size_t n_cues;
} heed_compassion;

/* Kinds of commitment in a reply. */
#define HEED_PROMISE_MAP(X)                                                    \
    X(REFUND, 0, "refund") X(CALLBACK, 1, "callback")                          \
    X(REPLACEMENT, 2, "replacement") X(REPAIR, 3, "repair")                    \
    X(FOLLOW_UP, 4, "follow_up") X(INFORMATION, 5, "information")

enum {
#define HEED_X_(name, num, str) HEED_PROMISE_##name = (num),
    HEED_PROMISE_MAP(HEED_X_)
#undef HEED_X_
    HEED_PROMISE_COUNT = 6
};

typedef struct heed_promise {
    uint32_t start, len;         /* the commitment (a clause) in heed_result.text */
    int kind;                    /* HEED_PROMISE_* */
    uint32_t object_start, object_len; /* what is promised ("the refund of
                                  * €49.99"); object_len 0: none found */
    uint32_t due_start, due_len; /* the time expression; due_len 0: none */
    int has_due;                 /* 1 when `due` is set: the expression was
                                  * resolved against heed_analyze_opts.time */
    int64_t due;                 /* Unix seconds, UTC: the end of the promised
                                  * window ("by Friday" is Friday 23:59:59 in the
                                  * message's own time zone) */
} heed_promise;

typedef struct heed_promises {
    int available;               /* 0: the stage did not run */
    const heed_promise *items;
    size_t n;
} heed_promises;

/* One finding of unfamiliar language in a reply. */
typedef struct heed_jargon {
    uint32_t start, len;   /* byte span in heed_result.text */
    const char *what;      /* static: "internal acronym", "error code", ... */
    const char *plain;     /* static plain-language suggestion, or NULL */
} heed_jargon;

typedef struct heed_familiar {
    int available;          /* 0: the stage did not run */
    double grade;           /* readability: Flesch-Kincaid grade level */
    double reading_ease;    /* Flesch reading ease, 0..100 (higher is easier) */
    const heed_jargon *jargon;
    size_t n_jargon;
    const heed_cue *personal; /* the customer's details echoed (order number,
                               * name, product, their own words); needs
                               * heed_analyze_opts.context */
    size_t n_personal;
    uint64_t simhash;       /* fingerprint for near-duplicate ("canned") reply
                             * detection across a corpus: Hamming distance */
} heed_familiar;

/* Does the reply address what the customer asked (heed_analyze_opts.context)? */
#define HEED_ADDRESSED_MAP(X)                                                  \
    X(NOTHING_ASKED, 0, "nothing_asked") X(ANSWERED, 1, "answered")            \
    X(PARTLY, 2, "partly") X(IGNORED, 3, "ignored")

enum {
#define HEED_X_(name, num, str) HEED_ADDR_##name = (num),
    HEED_ADDRESSED_MAP(HEED_X_)
#undef HEED_X_
    HEED_ADDR_COUNT = 4
};

/* One ask or need of the customer and how the reply met it. */
typedef struct heed_ask_match {
    uint32_t ask_start, ask_len;     /* span in heed_result.context */
    int need;                        /* HEED_NEED_* the ask points to */
    int status;                      /* HEED_ADDR_ANSWERED, _PARTLY, _IGNORED */
    uint32_t reply_start, reply_len; /* the reply's evidence; len 0: none */
    const char *why;                 /* static short reason */
} heed_ask_match;

typedef struct heed_addressed {
    int available;                   /* 0: no context given or stage skipped */
    int status;                      /* HEED_ADDR_*: overall */
    const heed_ask_match *items;
    size_t n;
} heed_addressed;

/* One suggestion of the reply checker (heed_check_reply), in plain words. */
typedef struct heed_suggestion {
    const char *code;     /* static: "answer_question", "acknowledge_feelings",
                           * "say_what_you_will_do", "give_time_frame",
                           * "replace_jargon", "own_it", "drop_policy_wall",
                           * "drop_blame", "offer_alternative",
                           * "back_apology_with_action", "simplify",
                           * "personalise", "offer_more_help" (docs/check-reply.md) */
    const char *text;     /* the suggestion, NUL-terminated, owned by the analysis */
    int priority;         /* 1 (fix before sending) .. 3 (nice to have) */
    int in_context;       /* 1: the span is in heed_result.context (the
                           * customer's words), 0: in the draft reply */
    uint32_t start, len;  /* the evidence span; len 0: none */
} heed_suggestion;

/* Warnings (bit set in heed_result.warnings). */
#define HEED_WARN_REPLACED_UTF8 0x01u /* invalid UTF-8 replaced by U+FFFD */

typedef struct heed_result {
    const char *text;   /* the analysed text: the input, or its repaired copy */
    size_t text_len;
    const heed_token *tokens;
    size_t n_tokens;
    const heed_sentence *sentences;
    size_t n_sentences;
    const heed_evidence *evidence;
    size_t n_evidence;
    double valence;     /* [-1, 1]: the message's valence (see docs/schema.md) */
    double positive;    /* [0, 1]: share of valence mass that is positive */
    double negative;    /* [0, 1]: share that is negative; pos + neg <= 1 */
    unsigned warnings;  /* HEED_WARN_* */
    size_t n_replaced;  /* invalid sequences replaced (with HEED_WARN_REPLACED_UTF8) */
    size_t first_bad;   /* offset in the *input* of the first replaced sequence */
    heed_language language;
    heed_emotions emotions;
    heed_intensity intensity;
    heed_stress stress;
    heed_needs needs;
    /* reply stages (agent turns; see HEED_ROLE_AGENT) */
    int role;               /* HEED_ROLE_*, from heed_analyze_opts */
    const char *context;    /* copy of heed_analyze_opts.context, or NULL */
    size_t context_len;
    heed_empathy empathy;
    heed_compassion compassion;
    heed_promises promises;
    heed_familiar familiar;
    heed_addressed addressed;
    /* heed_check_reply only: what to change, most important first */
    const heed_suggestion *suggestions;
    size_t n_suggestions;
    /* heed_check_reply only: the customer's message analysed with every
     * listening stage (stress, needs, emotions), or NULL */
    const struct heed_result *customer;
} heed_result;

/* ---------------------------------------------------------------- engine */

typedef struct heed_engine heed_engine;
typedef struct heed_analysis heed_analysis;

/* Stages after tokens, sentences and valence (which always run), for
 * heed_engine_opts.skip and heed_analyze_opts.skip. A skipped stage leaves its result fields zero (its
 * `available` flag 0; a skipped language stage leaves language.code empty and
 * the text is treated as English). Asks run with needs; stress reads the
 * emotions when that stage ran. */
#define HEED_STAGE_LANGUAGE 0x01u
#define HEED_STAGE_EMOTIONS 0x02u
#define HEED_STAGE_NEEDS 0x04u     /* the needs model and the asks */
#define HEED_STAGE_INTENSITY 0x08u
#define HEED_STAGE_STRESS 0x10u
#define HEED_STAGE_EMPATHY 0x20u    /* reply stages: agent turns only */
#define HEED_STAGE_COMPASSION 0x40u /* compassion signals and promises */
#define HEED_STAGE_FAMILIAR 0x80u   /* jargon, readability, personal, simhash */
#define HEED_STAGE_ADDRESSED 0x100u /* needs heed_analyze_opts.context */
#define HEED_STAGE_ALL 0x1FFu

/* Options for heed_engine_new. All zero (or a NULL pointer) means defaults. */
typedef struct heed_engine_opts {
    /* A valence lexicon in VADER's text format (token TAB mean [TAB ...] per
     * line). NULL: the lexicons built into the library (VADER's, filled in by
     * heed's customer-service supplement). The engine copies what it needs; the
     * caller may free the text after the call. */
    const char *lexicon;
    size_t lexicon_len;
    /* An emotion model in the HEEDLM format (made by `heed train emotions`).
     * NULL: the model built into the library, if any. Copied. */
    const void *emotions_model;
    size_t emotions_model_len;
    unsigned flags; /* HEED_ENGINE_* */
    unsigned skip;  /* HEED_STAGE_* the engine prepares nothing for:
                     * their tables and models are not loaded and analyses
                     * on this engine never run them (less memory, faster
                     * start for a caller that needs valence only) */
} heed_engine_opts;

/* Flags for heed_engine_opts.flags. */
#define HEED_ENGINE_NO_EMOTIONS 0x01u /* load no emotion model: emotions are
                                       * not available (as skip with
                                       * HEED_STAGE_EMOTIONS) */

/* Creates an engine: the immutable tables (lexicon, word lists) analyses use.
 * On success returns HEED_OK and sets *out (free with heed_engine_free). On
 * failure returns HEED_ENOMEM, or HEED_EMODEL with err->pos the byte offset of
 * the bad lexicon line or of the bad field of a model (err->msg says which, and
 * a model trained for another feature extractor or label set is refused too);
 * *out is set to NULL.
 * Thread-safety: an engine is never modified after creation and may be shared by
 * any number of threads calling heed_analyze at once. */
HEED_API HEED_NODISCARD int heed_engine_new(const heed_engine_opts *opts, heed_engine **out,
                                           heed_error *err);

/* Frees an engine. NULL does nothing. No analysis may be running on it. */
HEED_API void heed_engine_free(heed_engine *eng);

/* Number of entries in the engine's valence lexicon. */
HEED_API size_t heed_engine_lexicon_size(const heed_engine *eng);

/* Flags for heed_analyze_opts.flags. */
#define HEED_ANALYZE_REPLACE_INVALID 0x01u /* repair invalid UTF-8 with U+FFFD
                                            * and warn, instead of failing */

/* Options for heed_analyze. All zero (or NULL) means defaults. */
typedef struct heed_analyze_opts {
    unsigned flags;  /* HEED_ANALYZE_* */
    size_t max_len;  /* longest text accepted in bytes; 0 means HEED_MAX_TEXT */
    unsigned skip;   /* HEED_STAGE_* bits of stages not to run (0: run all);
                      * HEED_STAGE_ALL: valence only, the fastest */
    int role;        /* HEED_ROLE_*: the reply stages run for HEED_ROLE_AGENT */
    /* For a reply: the customer message(s) it answers (UTF-8, copied). Used by
     * empathy (scored on the pair), addressed and personal cues. NULL: none. */
    const char *context;
    size_t context_len;
    /* Optional, with context: an analysis of exactly the context's text (by
     * heed_analyze on this engine, as a customer message), for the engine to
     * use instead of analysing the context again: the reply stages read its
     * tokens, sentences, asks and needs. Used only when it gives what a fresh
     * analysis of the context would (the same bytes, valid UTF-8, scored as
     * English, the needs stage run or skipped as in this call); otherwise the
     * context is analysed as usual. Read during the call only. NULL: none. */
    const heed_analysis *context_analysis;
    /* When the message was written, for resolving promised times ("by
     * Friday"): Unix seconds, and the writer's UTC offset in minutes.
     * has_time 0: promises keep their time expression but no `due`. */
    int has_time;
    int64_t time;
    int tz_offset_min;
} heed_analyze_opts;

/* Default and hard upper limit of one text given to heed_analyze (bytes). */
#define HEED_MAX_TEXT ((size_t)16 << 20)

/* Analyses one message. `text` need not be NUL-terminated and may contain NUL
 * bytes. On success returns HEED_OK and sets *out; the analysis owns all its
 * memory, including a copy of the text, and is freed with heed_analysis_free.
 * Errors: HEED_EINVAL (NULL eng/out, or text NULL with len > 0), HEED_ETOOBIG
 * (len over the limit), HEED_EUTF8 (invalid UTF-8, err->pos its byte offset;
 * not returned with HEED_ANALYZE_REPLACE_INVALID), HEED_ENOMEM. *out is NULL on
 * failure. Thread-safe: any number of calls may run at once on one engine. */
HEED_API HEED_NODISCARD int heed_analyze(const heed_engine *eng, const char *text, size_t len,
                                        const heed_analyze_opts *opts, heed_analysis **out,
                                        heed_error *err);

/* heed_analyze, reusing the memory of an earlier analysis: *an is an analysis
 * (from heed_analyze or this call; not from heed_check_reply) or NULL. Its
 * result is discarded and the new one takes its place, without returning its
 * first block of memory to the allocator and asking for it again, which
 * matters when one thread analyses many short messages. On success *an is
 * the new analysis; on failure it has been freed and is NULL. Errors as
 * heed_analyze, and HEED_EINVAL for a heed_check_reply analysis. Thread-safe
 * like heed_analyze, as long as no other thread uses *an. */
HEED_API HEED_NODISCARD int heed_analyze_again(const heed_engine *eng, const char *text,
                                              size_t len, const heed_analyze_opts *opts,
                                              heed_analysis **an, heed_error *err);

/* The reply checker: analyses a draft reply (as an agent turn answering
 * `customer`, the customer's message or messages) and adds suggestions in
 * plain words, each tied to evidence in the draft or in the customer's words
 * (heed_result.suggestions), and the customer's own analysis
 * (heed_result.customer). opts as for heed_analyze (role and context are set
 * by this call; skip, time and flags are used). Errors as heed_analyze, for
 * either text. Thread-safe like heed_analyze. */
HEED_API HEED_NODISCARD int heed_check_reply(const heed_engine *eng, const char *customer,
                                            size_t customer_len, const char *draft,
                                            size_t draft_len, const heed_analyze_opts *opts,
                                            heed_analysis **out, heed_error *err);

/* The result of an analysis; valid until heed_analysis_free. Never NULL for a
 * non-NULL analysis. */
HEED_API const heed_result *heed_analysis_result(const heed_analysis *an);

/* Frees an analysis and everything its result points to. NULL does nothing. */
HEED_API void heed_analysis_free(heed_analysis *an);

#ifdef __cplusplus
}
#endif
#endif /* HEED_HEED_H */
