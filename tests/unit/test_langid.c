/* test_langid.c - language identification through the public API: accuracy per
 * language on the fixtures in tests/data/langid/fixtures.tsv (written for heed),
 * no non-English fixture ever scored, short and mixed texts, names/URLs/ids not
 * voting, an unscored result carrying no valence, and the detection's
 * shorter paths against its general one. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "freqwords.h"
#include "heed/heed.h"
#include "langid.h"
#include "sentence.h"
#include "test_words.h"
#include "tokenize.h"

/* The floor each language's accuracy must reach (docs/language.md gives the
 * measured values, which are higher). */
#define MIN_ACCURACY     0.85
#define MIN_PER_LANGUAGE 15 /* Latin-script languages claimed: at least this many */

static heed_engine *ENG;

static int setup(void **state)
{
    (void)state;
    return heed_engine_new(NULL, &ENG, NULL) == HEED_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    heed_engine_free(ENG);
    return 0;
}

/* Language of text; copies the result's language out. */
static heed_language detect(const char *text, double *valence, size_t *n_evidence)
{
    heed_analysis *an = NULL;
    assert_int_equal(heed_analyze(ENG, text, strlen(text), NULL, &an, NULL), HEED_OK);
    const heed_result *r = heed_analysis_result(an);
    heed_language l = r->language;
    if (valence)
        *valence = r->valence;
    if (n_evidence)
        *n_evidence = r->n_evidence;
    heed_analysis_free(an);
    return l;
}

typedef struct {
    char code[4];
    int n, ok;
} tally;

static void test_fixtures(void **state)
{
    (void)state;
    FILE *f = fopen(HEED_TEST_DATA "/langid/fixtures.tsv", "rb");
    assert_non_null(f);
    static const char *const latin[] = {"en", "de", "fr", "es", "it", "pt", "nl", "sv",
                                        "da", "no", "pl", "tr", "id", "ro", "cs"};
    tally t[40];
    int n_t = 0, n_rows = 0, misses = 0;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\r\n")] = 0;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = 0;
        const char *want = line, *text = tab + 1;
        heed_language l = detect(text, NULL, NULL);
        assert_true(l.confidence >= 0.0f && l.confidence <= 1.0f);
        int i;
        for (i = 0; i < n_t && strcmp(t[i].code, want) != 0; i++)
            ;
        if (i == n_t) {
            assert_true(n_t < 40);
            assert_true(strlen(want) < sizeof t[n_t].code);
            memcpy(t[n_t].code, want, strlen(want) + 1);
            t[n_t].n = t[n_t].ok = 0;
            n_t++;
        }
        t[i].n++;
        int ok = strcmp(l.code, want) == 0;
        t[i].ok += ok;
        n_rows++;
        if (!ok) {
            misses++;
            print_message("  %s read as %s (%.2f): %s\n", want, l.code, l.confidence, text);
        }
        /* The decision that matters: English scored, anything else never. */
        if (strcmp(want, "en") == 0) {
            assert_string_equal(l.code, "en");
            assert_int_equal(l.scored, 1);
        } else if (l.scored) {
            fail_msg("non-English fixture scored as %s: %s", l.code, text);
        }
    }
    fclose(f);
    assert_true(n_rows > 250);
    for (size_t k = 0; k < sizeof latin / sizeof latin[0]; k++) {
        int i;
        for (i = 0; i < n_t && strcmp(t[i].code, latin[k]) != 0; i++)
            ;
        assert_true(i < n_t);
        assert_true(t[i].n >= MIN_PER_LANGUAGE);
    }
    for (int i = 0; i < n_t; i++) {
        double acc = (double)t[i].ok / t[i].n;
        print_message("  %s %d/%d\n", t[i].code, t[i].ok, t[i].n);
        if (acc < MIN_ACCURACY)
            fail_msg("%s accuracy %.2f below %.2f", t[i].code, acc, MIN_ACCURACY);
    }
    print_message("  %d/%d fixtures right\n", n_rows - misses, n_rows);
}

/* Short, empty or non-word texts: English, scored, with low confidence. */
static void test_short_defaults_to_english(void **state)
{
    (void)state;
    static const char *const texts[] = {"",
                                        "ok",
                                        "thx!!",
                                        "👍",
                                        "#48213",
                                        "ORD-88123",
                                        "12/03/2024",
                                        "€49.99",
                                        ":)",
                                        "Gracias",
                                        "Danke",
                                        "https://example.de/bestellung",
                                        "jan@example.nl"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        heed_language l = detect(texts[i], NULL, NULL);
        assert_string_equal(l.code, "en");
        assert_int_equal(l.scored, 1);
        assert_true(l.confidence < 0.3f);
    }
    /* An English sentence is more certain than a bare "ok". */
    heed_language a = detect("ok", NULL, NULL);
    heed_language b = detect("Can you please tell me where my order is?", NULL, NULL);
    assert_true(b.confidence > a.confidence + 0.3f);
}

/* Names, URLs, e-mails and ids must not vote: the same English sentence with
 * foreign-looking ones around it stays English; without the English words the
 * German words decide. */
static void test_non_words_do_not_vote(void **state)
{
    (void)state;
    heed_language l = detect("Thanks to Jörg Müller, Łukasz Wąs and Søren Ærø for "
                             "https://shop.example.de/die/der/und/ist/nicht",
                             NULL, NULL);
    assert_string_equal(l.code, "en");
    assert_int_equal(l.scored, 1);
    l = detect("Die Bestellung ist nicht da und ich bin sauer", NULL, NULL);
    assert_string_equal(l.code, "de");
    assert_int_equal(l.scored, 0);
}

/* Mixed texts: scored when English dominates, not when the foreign part does. */
static void test_mixed(void **state)
{
    (void)state;
    heed_language l = detect("My parcel came with a note saying \"Vielen Dank für Ihren "
                             "Einkauf\" but the box was empty and I want a refund now.",
                             NULL, NULL);
    assert_string_equal(l.code, "en");
    assert_int_equal(l.scored, 1);
    l = detect("Hola, mi pedido no ha llegado todavía y nadie me responde. Order 5531, thanks",
               NULL, NULL);
    assert_string_equal(l.code, "es");
    assert_int_equal(l.scored, 0);
}

/* Scripts decide non-Latin text, even short. */
static void test_scripts(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Спасибо", "ru"},    {"Дякую, все працює", "uk"}, {"Ευχαριστώ πολύ", "el"},
        {"شكرا جزيلا", "ar"}, {"תודה רבה", "he"},          {"धन्यवाद", "hi"},
        {"ขอบคุณครับ", "th"},   {"감사합니다", "ko"},        {"ありがとう", "ja"},
        {"谢谢你", "zh"},     {"返品したいです", "ja"},    {"Շնորհակալություն", "hy"},
        {"მადლობა", "ka"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        heed_language l = detect(cases[i][0], NULL, NULL);
        assert_string_equal(l.code, cases[i][1]);
        assert_int_equal(l.scored, 0);
        assert_true(l.confidence > 0.0f && l.confidence <= 1.0f);
    }
    /* English around a few foreign letters stays English. */
    heed_language l =
        detect("The sender name shows as 李 on the label, is that right?", NULL, NULL);
    assert_string_equal(l.code, "en");
}

/* Not English: no valence and no evidence, even where the English lexicon
 * would have found some ("die", "no", "mal" are valenced English words). */
static void test_unscored_has_no_valence(void **state)
{
    (void)state;
    double v;
    size_t n_ev;
    heed_language l = detect("Die Lieferung kam nicht, das ist sehr schlecht, ich bin "
                             "wütend und will mein Geld zurück. Sad!!",
                             &v, &n_ev);
    assert_string_equal(l.code, "de");
    assert_int_equal(l.scored, 0);
    assert_true(v == 0.0);
    assert_int_equal(n_ev, 0);
    l = detect("I am so angry, this is terrible and I want my money back!", &v, &n_ev);
    assert_int_equal(l.scored, 1);
    assert_true(v < -0.3);
    assert_true(n_ev > 0);
}

/* The letter count of ASCII blocks against a byte-by-byte count: 200,000
 * random words of 0 to 40 bytes (letters, the bytes next to 'A'-'Z' and
 * 'a'-'z', digits, NUL, DEL, bytes of 0x80 and more at any place). The
 * covered part must be what the function says: the whole word of up to 8
 * ASCII bytes, or every 8-byte block before the first byte >= 0x80. */
static void test_ascii_letters(void **state)
{
    (void)state;
    static const unsigned char odd[] = {'@', '[', '`', '{', 'A', 'Z', 'a', 'z', 0,   0x7f,
                                        ' ', '\'', '0', '9', '-', 0x80, 0xc3, 0xa9, 0xff, 0x1f};
    uint64_t rs = 11;
    char w[48];
    for (int round = 0; round < 200000; round++) {
        rs = rs * 6364136223846793005ull + 1442695040888963407ull;
        const size_t n = (size_t)(rs >> 33) % 41;
        const int high_odds = (int)((rs >> 20) % 4); /* 0: all ASCII */
        for (size_t i = 0; i < n; i++) {
            rs = rs * 6364136223846793005ull + 1442695040888963407ull;
            const unsigned r = (unsigned)(rs >> 33);
            unsigned char c = r % 3 ? (unsigned char)('a' + r / 3 % 26)
                                    : odd[r / 3 % sizeof odd];
            if (!high_odds && c >= 0x80)
                c = 'Q';
            if (high_odds && r % 97 == 0)
                c = (unsigned char)(0x80 + r / 97 % 128);
            w[i] = (char)c;
        }
        size_t first_high = n;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)w[i] >= 0x80) {
                first_high = i;
                break;
            }
        const size_t want_done =
            n <= 8 ? (first_high == n ? n : 0) : (first_high < n ? first_high : n) / 8 * 8;
        size_t want = 0;
        for (size_t i = 0; i < want_done; i++)
            want += (unsigned)(((unsigned char)w[i] | 0x20) - 'a') < 26u;
        size_t done = 99;
        const size_t got = heed__langid_ascii_letters(w, n, &done);
        if (got != want || done != want_done)
            fail_msg("round %d, %zu bytes: %zu letters over %zu bytes, want %zu over %zu", round,
                     n, got, done, want, want_done);
    }
}

/* The leader and runner-up of the foreign votes in one pass against two
 * passes (the first of the largest; the largest of the rest, at least 0):
 * 100,000 random vote lists of 2 to 20 languages, with many ties and zeros. */
static void test_top2(void **state)
{
    (void)state;
    static const double vals[] = {0, 0, 0.3, 0.5, 0.6, 1, 1, 1.5, 2, 2.5};
    uint64_t rs = 5;
    double v[20];
    for (int round = 0; round < 100000; round++) {
        rs = rs * 6364136223846793005ull + 1442695040888963407ull;
        const size_t n = 2 + (size_t)(rs >> 33) % 19;
        for (size_t l = 0; l < n; l++) {
            rs = rs * 6364136223846793005ull + 1442695040888963407ull;
            v[l] = vals[(rs >> 33) % (sizeof vals / sizeof vals[0])];
        }
        size_t want = 1;
        for (size_t l = 2; l < n; l++)
            if (v[l] > v[want])
                want = l;
        double want2 = 0;
        for (size_t l = 1; l < n; l++)
            if (l != want && v[l] > want2)
                want2 = v[l];
        double got2 = -1;
        const int got = heed__langid_top2(v, n, &got2);
        if ((size_t)got != want || got2 != want2)
            fail_msg("round %d: %d and %g, want %zu and %g", round, got, got2, want, want2);
    }
}

/* Words for random texts, space-separated: English and foreign function
 * words, names and shouts, elongations, contractions and elisions (straight
 * and typographic apostrophes), Spanish marks, letters with diacritics, other
 * scripts, numbers, ids, emoji, hashtags, punctuation, and words the spelling
 * patterns vote on. */
static const char MIXED[] =
    "the I i you a in is me so die de la a to and The THE You Thanks THANKS thx sooooo Soooo "
    "goooood pleeease don't I'm Moore's they're l'ordre qu'il dell'ordine c'est l’heure don’t "
    "d' 's '' x'y aujourd'hui ¿Dónde ¡Hola ¿ groß Müller ça naïve cação łódź ří år øl æ și ğ "
    "привет ї αβ 谢谢 あり 감사 شكرا پ 👍 :) ! ? . ... , 2nd 123 ORD-88123 #love @jan "
    "https://example.de/die/und jan@example.nl _ x_y ok refund order please help Marta Jan "
    "schnell nicht und ist ich schön lich zeitung pourquoi est nous eau beaux pedido gracias "
    "está nación grazie perché stazione gli obrigado não minha het niet een zijn vrij och inte "
    "jag ikke jeg ikkje nie jest szybko rzeka bir ve gelmek yapmak evler tidak yang kirimkan "
    "saya este și nu je že thing what nicely singing zz aa DIE NICHT ES PAS NIET Der Nicht Que "
    "Pas Och Jest HELP ORDER remboursement bestellung terugbetaling cordialement alstublieft "
    "goedemorgen vennligst hetzelfde Terugbetaling utanför";

/* One language's words each, the last English's. */
static const char *const LANG[] = {
    "der die das und ist nicht ich bin Bestellung Paket schnell bitte danke",
    "le la les est pas je vous nous merci bonjour colis aujourd'hui l'ordre",
    "el la los que por para no está gracias pedido ¿dónde",
    "il lo gli che non sono grazie ordine pacco perché dell'ordine",
    "o os que não obrigado pedido você minha encomenda",
    "de het een en niet ik bedankt bestelling pakket graag",
    "och att det som jag inte tack hej paket",
    "og at det som jeg ikke tak hej pakke",
    "og at det jeg ikke takk hei pakke",
    "i w z na nie jest się dziękuję zamówienie",
    "bir ve bu çok teşekkür sipariş",
    "yang dan tidak saya terima kasih pesanan",
    "și nu este mulțumesc comanda",
    "a je to že děkuji objednávka",
    "the you and is not my order refund please thanks",
};

#define MAX_WORDS 200

/* The words of the space-separated list into w (at most MAX_WORDS, copied
 * into store); their count. */
static size_t split_words(const char *list, const char **w, char (*store)[48])
{
    size_t n = 0;
    while (*list && n < MAX_WORDS) {
        const size_t k = strcspn(list, " ");
        assert_true(k < 48);
        memcpy(store[n], list, k);
        store[n][k] = 0;
        w[n] = store[n];
        n++;
        list += k + (list[k] == ' ');
    }
    return n;
}

/* Into text (cap bytes): 1 to 40 words, each from MIXED or, with odds that
 * change from text to text, from one of LANG; separated by a space, ". " or
 * "! "; the length. */
static size_t mixed_text(char *text, size_t cap, uint64_t *seed)
{
    static char mixed_store[MAX_WORDS][48], lang_store[MAX_WORDS][48];
    static const char *mixed[MAX_WORDS];
    static size_t n_mixed;
    const char *lang[MAX_WORDS];
    if (!n_mixed)
        n_mixed = split_words(MIXED, mixed, mixed_store);
    const size_t n_lang =
        split_words(LANG[test_rand(seed) % (sizeof LANG / sizeof LANG[0])], lang, lang_store);
    const unsigned odds = (unsigned)(test_rand(seed) % 101);
    const int n = 1 + (int)(test_rand(seed) % 40);
    size_t o = 0;
    for (int w = 0; w < n; w++) {
        const char *word = test_rand(seed) % 100 < odds ? lang[test_rand(seed) % n_lang]
                                                        : mixed[test_rand(seed) % n_mixed];
        const char *sep = !w ? "" : test_rand(seed) % 8 ? " " : test_rand(seed) % 2 ? ". " : "! ";
        o += (size_t)snprintf(text + o, cap - o, "%s%s", sep, word);
    }
    return o;
}

/* heed__langid_detect_words (with the tokens' frequent words and without)
 * against heed__langid_detect_general: the same code, the same confidence
 * to the bit, the same scored, on 40,000 random texts (about four in five
 * all ASCII) and on their all-ASCII variants (bytes of 0x80 and more
 * replaced by 'x'). The general path calls exp() for English's confidence
 * and looks at every unlisted word's apostrophe; the fast one reads the
 * precomputed exp table and trusts HEED_TF_CONTRACTION, and scans a text
 * with other bytes word by word (scan_mixed), the general scan only when
 * other scripts' letters may outnumber the Latin ones. */
static void test_fast_paths(void **state)
{
    (void)state;
    heed_langid *lid = NULL;
    heed_words *ws = NULL;
    assert_int_equal(heed__langid_new(&lid), HEED_OK);
    assert_int_equal(heed__freqwords_new(NULL, lid, NULL, NULL, &ws), HEED_OK);
    uint64_t seed = 7;
    char text[2048];
    size_t n = 0, foreign = 0, english_with_foreign_votes = 0, ascii = 0;
    for (int it = 0; it < 80000; it++) {
        if (it % 2 == 0) {
            n = mixed_text(text, sizeof text, &seed);
        } else {
            for (size_t k = 0; k < n; k++)
                if ((unsigned char)text[k] >= 0x80)
                    text[k] = 'x';
        }
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *toks;
        size_t n_toks;
        heed_sentence *sents;
        size_t n_sents;
        assert_int_equal(heed__tokenize(&a, text, n, &toks, &n_toks), HEED_OK);
        assert_int_equal(heed__sentences(&a, text, n, toks, n_toks, &sents, &n_sents), HEED_OK);
        uint64_t *th = heed__arena_alloc(&a, (n_toks ? n_toks : 1) * sizeof *th);
        const heed_word **wr = heed__arena_alloc(&a, (n_toks ? n_toks : 1) * sizeof *wr);
        assert_non_null(th);
        assert_non_null(wr);
        heed__freqwords_find(ws, toks, n_toks, th, wr);
        int is_ascii = 1;
        for (size_t k = 0; k < n; k++)
            is_ascii &= (unsigned char)text[k] < 0x80;
        ascii += (size_t)is_ascii;
        for (int with_words = 0; with_words < 2; with_words++) {
            const heed_word *const *w = with_words ? wr : NULL;
            heed_language want, got;
            memset(&want, 0x55, sizeof want);
            memset(&got, 0x55, sizeof got);
            heed__langid_detect_general(lid, text, toks, n_toks, w, &want);
            heed__langid_detect_words(lid, text, toks, n_toks, w, &got);
            if (strcmp(want.code, got.code) != 0 ||
                memcmp(&want.confidence, &got.confidence, sizeof got.confidence) != 0 ||
                want.scored != got.scored)
                fail_msg("text %d (%s): %s %.9g %d, want %s %.9g %d", it, text, got.code,
                         (double)got.confidence, got.scored, want.code, (double)want.confidence,
                         want.scored);
            if (with_words) {
                foreign += !want.scored;
                english_with_foreign_votes +=
                    want.scored && want.confidence < 0.5f && want.confidence > 0.1f;
            }
        }
        heed__arena_release(&a);
    }
    print_message("  %zu foreign, %zu English with doubt, %zu all ASCII\n", foreign,
                  english_with_foreign_votes, ascii);
    assert_true(foreign > 5000);
    assert_true(english_with_foreign_votes > 1000);
    assert_true(ascii > 40000);
    heed__freqwords_free(ws);
    heed__langid_free(lid);
}

static heed_langid *VOTES_LID;
static size_t votes_hits;

static void check_votes(const char *w, size_t n)
{
    const uint16_t got = heed__langid_word_votes(VOTES_LID, w, n);
    const uint16_t want = heed__langid_word_votes_general(VOTES_LID, w, n);
    if (got != want)
        fail_msg("%.*s: votes %#x, want %#x", (int)n, w, got, want);
    votes_hits += got != 0;
}

/* heed__langid_word_votes against its general lookup: the words of the
 * fixtures (lower-cased, whole and every prefix, with and without an
 * apostrophe before their last 1..3 bytes), then random words of letters
 * and apostrophes (test_words). */
static void test_word_votes(void **state)
{
    (void)state;
    assert_int_equal(heed__langid_new(&VOTES_LID), HEED_OK);
    FILE *f = fopen(HEED_TEST_DATA "/langid/fixtures.tsv", "rb");
    assert_non_null(f);
    char line[2048], w[80];
    while (fgets(line, sizeof line, f)) {
        const char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        for (const char *p = tab + 1; *p;) {
            size_t k = strcspn(p, " \t\r\n.,!?;:\"()");
            if (k && k < 40) {
                for (size_t i = 0; i < k; i++)
                    w[i] =
                        (char)((unsigned char)p[i] < 0x80 && p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32
                                                                                        : p[i]);
                for (size_t e = 1; e <= k; e++)
                    check_votes(w, e);
                for (size_t j = 1; j <= 3 && j < k; j++) {
                    char v[84];
                    memcpy(v, w, k - j);
                    v[k - j] = '\'';
                    memcpy(v + k - j + 1, w + k - j, j);
                    check_votes(v, k + 1);
                }
            }
            p += k + (p[k] != 0);
        }
    }
    fclose(f);
    assert_true(votes_hits > 1000);
    test_words(check_votes, "abdeilnorstuz'", 3);
    heed__langid_free(VOTES_LID);
}

/* heed__langid_all_ascii against a byte-by-byte check: every length of 0 to
 * 70 bytes, all ASCII and with one byte of 0x80 or more at each place, in a
 * buffer with high bytes just outside. */
static void test_all_ascii(void **state)
{
    (void)state;
    unsigned char buf[80];
    for (size_t n = 0; n <= 70; n++) {
        for (size_t at = 0; at <= n; at++) { /* at == n: none */
            memset(buf, 0xff, sizeof buf);
            for (size_t i = 0; i < n; i++)
                buf[4 + i] = (unsigned char)('a' + i % 26);
            if (at < n)
                buf[4 + at] = (unsigned char)(0x80 + at);
            const int got = heed__langid_all_ascii((const char *)buf + 4, n);
            if (got != (at == n))
                fail_msg("%zu bytes, high byte at %zu: %d", n, at, got);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_short_defaults_to_english),
        cmocka_unit_test(test_non_words_do_not_vote),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_unscored_has_no_valence),
        cmocka_unit_test(test_ascii_letters),
        cmocka_unit_test(test_top2),
        cmocka_unit_test(test_fast_paths),
        cmocka_unit_test(test_word_votes),
        cmocka_unit_test(test_all_ascii),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
