/* test_tokenize.c - the tokenizer (src/core/tokenize.c) on real-world customer
 * text: each table row is an input and the tokens expected from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "heed/heed.h"
#include "tokenize.h"

static const char *const kind_names[] = {"word",  "number",   "money", "date",    "time",
                                         "id",    "url",      "email", "mention", "hashtag",
                                         "emoji", "emoticon", "punct", "symbol"};

/* Renders tokens as "kind:text kind:text ..." into buf. */
static void render(const char *s, const heed_token *t, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++) {
        int w = snprintf(buf + o, cap - o, "%s%s:%.*s", i ? " " : "", kind_names[t[i].kind],
                         (int)t[i].len, s + t[i].start);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

typedef struct kind_case {
    const char *in;
    const char *want;
} kind_case;

static const kind_case kind_cases[] = {
    /* words, contractions, hyphens */
    {"I don't know", "word:I word:don't word:know"},
    {"I'm here, y'all", "word:I'm word:here punct:, word:y'all"},
    {"I\xE2\x80\x99m fine", "word:I\xE2\x80\x99m word:fine"},
    {"a follow-up e-mail", "word:a word:follow-up word:e-mail"},
    {"'quoted' students' cats", "punct:' word:quoted punct:' word:students punct:' word:cats"},
    {"caf\xC3\xA9 na\xC3\xAFve", "word:caf\xC3\xA9 word:na\xC3\xAFve"},
    {"cafe\xCC\x81!", "word:cafe\xCC\x81 punct:!"},
    {"\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80",
     "word:\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 word:\xD0\xBC\xD0\xB8\xD1\x80"},
    {"\xE6\x88\x91\xE5\xBE\x88\xE5\xA5\xBD", /* 我很好: one token per ideograph */
     "word:\xE6\x88\x91 word:\xE5\xBE\x88 word:\xE5\xA5\xBD"},
    {"e.g. this, i.e. that", "word:e.g. word:this punct:, word:i.e. word:that"},
    {"the U.S.A. team", "word:the word:U.S.A. word:team"},
    {"100GB 24-hour 2fa", "word:100GB word:24-hour word:2fa"},
    /* numbers and money */
    {"42 3.5 1,200 1.200.000 50%", "number:42 number:3.5 number:1,200 number:1.200.000 number:50%"},
    {"\xE2\x82\xAC"
     "49.99 $1,200 \xC2\xA3"
     "5",
     "money:\xE2\x82\xAC"
     "49.99 money:$1,200 money:\xC2\xA3"
     "5"},
    {"5.50\xC2\xA3 49,99\xE2\x82\xAC 20$", "money:5.50\xC2\xA3 money:49,99\xE2\x82\xAC money:20$"},
    {"20 EUR and USD 30", "money:20 word:EUR word:and word:USD money:30"},
    {"20EUR EUR20 50 euros", "money:20EUR money:EUR20 money:50 word:euros"},
    {"$ 5 or 5 \xE2\x82\xAC", "symbol:$ money:5 word:or money:5 symbol:\xE2\x82\xAC"},
    {"paid 5. Then", "word:paid number:5 punct:. word:Then"},
    /* dates and times */
    {"2024-03-01 01/03/2024 3/14 1.3.24", "date:2024-03-01 date:01/03/2024 date:3/14 date:1.3.24"},
    {"the 14th or 3rd, 1st", "word:the date:14th word:or date:3rd punct:, date:1st"},
    {"100th 24/7", "word:100th word:24/7"},
    {"10:30 9am 5.30pm 17:45:10 10:30pm 14h30",
     "time:10:30 time:9am time:5.30pm time:17:45:10 time:10:30pm time:14h30"},
    {"at 9 a.m. or 5 PM", "word:at time:9 word:a.m. word:or time:5 word:PM"},
    {"I am 5 am I", "word:I word:am time:5 word:am word:I"},
    {"ratio 3:1", "word:ratio number:3 punct:: number:1"},
    /* ids */
    {"order #12345 ORD-88123 INC0012345", "word:order id:#12345 id:ORD-88123 id:INC0012345"},
    {"A1B2C3D4 ERR_5012 mp3", "id:A1B2C3D4 id:ERR_5012 word:mp3"},
    {"order#123", "word:order id:#123"},
    /* urls, e-mails, mentions, hashtags */
    {"see https://example.com/x?a=1.", "word:see url:https://example.com/x?a=1 punct:."},
    {"(https://en.wikipedia.org/wiki/Foo_(bar))",
     "punct:( url:https://en.wikipedia.org/wiki/Foo_(bar) punct:)"},
    {"go to www.example.co.uk, now", "word:go word:to url:www.example.co.uk punct:, word:now"},
    {"A &amp; B &gt; C &#39;x&#x27;",
     "word:A symbol:&amp; word:B symbol:&gt; word:C symbol:&#39; word:x symbol:&#x27;"},
    {"R&D & co;", "word:R symbol:& word:D symbol:& word:co punct:;"},
    {"HTTP://X.COM!", "url:HTTP://X.COM punct:!"},
    {"ftp://files.example.org/a", "url:ftp://files.example.org/a"},
    {"mail jane.doe+cs@example.com.", "word:mail email:jane.doe+cs@example.com punct:."},
    {"bob@gmail is @support_team", "word:bob punct:@ word:gmail word:is mention:@support_team"},
    {"#fail #CustomerService", "hashtag:#fail hashtag:#CustomerService"},
    {"C# #", "word:C punct:# punct:#"},
    /* emoji */
    {"\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 ok",
     "emoji:\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 word:ok"},
    {"\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD\xF0\x9F\x91\x8D", /* 👍🏽👍 */
     "emoji:\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD emoji:\xF0\x9F\x91\x8D"},
    {"I \xE2\x9D\xA4\xEF\xB8\x8F it", "word:I emoji:\xE2\x9D\xA4\xEF\xB8\x8F word:it"},
    {"\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7", /* 🇩🇪🇫🇷 */
     "emoji:\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA emoji:\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"},
    {"1\xEF\xB8\x8F\xE2\x83\xA3 #\xEF\xB8\x8F\xE2\x83\xA3",
     "emoji:1\xEF\xB8\x8F\xE2\x83\xA3 emoji:#\xEF\xB8\x8F\xE2\x83\xA3"},
    {"great\xF0\x9F\x98\x8A\xF0\x9F\x98\x8A",
     "word:great emoji:\xF0\x9F\x98\x8A emoji:\xF0\x9F\x98\x8A"},
    {"Brand\xE2\x84\xA2 \xC2\xA9", "word:Brand symbol:\xE2\x84\xA2 symbol:\xC2\xA9"},
    {"\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5\xF3\xA0\x81\xAE\xF3\xA0\x81"
     "\xA7\xF3\xA0\x81\xBF",
     "emoji:"
     "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5\xF3\xA0\x81\xAE\xF3\xA0\x81"
     "\xA7\xF3\xA0\x81\xBF"},
    /* emoticons */
    {"bad :-( :( :/ :-/", "word:bad emoticon::-( emoticon::( emoticon::/ emoticon::-/"},
    {":) :-) ;) :D xD XD :P",
     "emoticon::) emoticon::-) emoticon:;) emoticon::D emoticon:xD emoticon:XD emoticon::P"},
    {":'( <3 </3 ^^ ^_^ -_- :| :o >:(",
     "emoticon::'( emoticon:<3 emoticon:</3 emoticon:^^ emoticon:^_^ emoticon:-_- emoticon::| "
     "emoticon::o emoticon:>:("},
    {"D: no", "emoticon:D: word:no"},
    {"Drive D:\\x", "word:Drive word:D punct:: punct:\\ word:x"},
    {"thanks:) o_O T_T", "word:thanks emoticon::) emoticon:o_O emoticon:T_T"},
    {"so good :)))", "word:so word:good emoticon::)))"},
    {"Note:Delivery Re:Problem", "word:Note punct:: word:Delivery word:Re punct:: word:Problem"},
    {"a=(b) x=1", "word:a symbol:= punct:( word:b punct:) word:x symbol:= number:1"},
    {"score 2:3 :3", "word:score number:2 punct:: number:3 emoticon::3"},
    /* punctuation */
    {"What?! No!!! Hmm... ok\xE2\x80\xA6",
     "word:What punct:?! word:No punct:!!! word:Hmm punct:... word:ok punct:\xE2\x80\xA6"},
    {"wait -- what ***", "word:wait punct:-- word:what punct:***"},
    {"\xE2\x80\x9Cquoted\xE2\x80\x9D", "punct:\xE2\x80\x9C word:quoted punct:\xE2\x80\x9D"},
    {"\xE5\xA5\xBD\xE3\x80\x82\xEF\xBC\x81", "word:\xE5\xA5\xBD punct:\xE3\x80\x82\xEF\xBC\x81"},
    /* white space */
    {"a\tc\r\nd\xC2\xA0"
     "e\xE2\x80\x8B"
     "f\xE2\x80\x8E"
     "g",
     "word:a word:c word:d word:e word:f word:g"},
    {"   ", ""},
    {"", ""},
};

static void test_kinds(void **state)
{
    (void)state;
    char got[2048];
    for (size_t k = 0; k < sizeof(kind_cases) / sizeof(kind_cases[0]); k++) {
        const kind_case *c = &kind_cases[k];
        size_t n = strlen(c->in);
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *t;
        size_t nt;
        assert_int_equal(heed__tokenize(&a, c->in, n, &t, &nt), HEED_OK);
        render(c->in, t, nt, got, sizeof got);
        if (strcmp(got, c->want) != 0) {
            print_error("case %zu: %s\n  want: %s\n  got:  %s\n", k, c->in, c->want, got);
            heed__arena_release(&a);
            fail();
        }
        heed__arena_release(&a);
    }
}

/* NUL bytes are white space, also inside what would be one token. */
static void test_nul_bytes(void **state)
{
    (void)state;
    static const char text[] = "don\0't \0\0:)\0"
                               "42";
    heed_arena a;
    heed__arena_init(&a, 0);
    heed_token *t;
    size_t nt;
    char got[256];
    assert_int_equal(heed__tokenize(&a, text, sizeof text - 1, &t, &nt), HEED_OK);
    render(text, t, nt, got, sizeof got);
    assert_string_equal(got, "word:don punct:' word:t emoticon::) number:42");
    heed__arena_release(&a);
}

typedef struct flag_case {
    const char *in;
    size_t index;   /* which token */
    unsigned flags; /* exact HEED_TF_* set expected */
    const char *norm;
} flag_case;

static const flag_case flag_cases[] = {
    {"sooooo good", 0, HEED_TF_ELONGATED, "soo"},
    {"SOOOO", 0, HEED_TF_ALLCAPS | HEED_TF_ELONGATED, "soo"},
    {"NOT happy", 0, HEED_TF_ALLCAPS, "not"},
    {"I am", 0, 0, "i"},
    {"OK", 0, HEED_TF_ALLCAPS, "ok"},
    {"Good", 0, 0, "good"},
    {"DON'T", 0, HEED_TF_ALLCAPS | HEED_TF_CONTRACTION, "don't"},
    {"don\xE2\x80\x99t", 0, HEED_TF_CONTRACTION, "don't"},
    {"too", 0, 0, "too"},
    {"hmmm", 0, HEED_TF_ELONGATED, "hmm"},
    {"!!!", 0, HEED_TF_REPEATED, "!!!"},
    {"?!", 0, HEED_TF_REPEATED, "?!"},
    {"...", 0, HEED_TF_REPEATED, "..."},
    {"\xE2\x80\xA6", 0, HEED_TF_REPEATED, "..."},
    {"!", 0, 0, "!"},
    {"\xC3\x9C"
     "BER",
     0, HEED_TF_ALLCAPS,
     "\xC3\xBC"
     "ber"},
    {":)))", 0, HEED_TF_ELONGATED, ":)))"},
    {"ORD-88123", 0, 0, "ord-88123"},
    {"www.aaa-shop.example", 0, 0, "www.aaa-shop.example"},              /* no squashing in URLs */
    {"ZZZZ-11111", 0, 0, "zzzz-11111"},                                  /* nor in ids */
    {"\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3", 0, HEED_TF_ALLCAPS, "abc"}, /* fullwidth ＡＢＣ */
};

static void test_flags_and_norms(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(flag_cases) / sizeof(flag_cases[0]); k++) {
        const flag_case *c = &flag_cases[k];
        heed_arena a;
        heed__arena_init(&a, 0);
        heed_token *t;
        size_t nt;
        assert_int_equal(heed__tokenize(&a, c->in, strlen(c->in), &t, &nt), HEED_OK);
        assert_true(c->index < nt);
        const heed_token *tk = &t[c->index];
        if (tk->flags != c->flags || tk->norm_len != strlen(c->norm) ||
            memcmp(tk->norm, c->norm, tk->norm_len) != 0) {
            print_error("case %zu: %s: flags %#x want %#x, norm '%.*s' want '%s'\n", k, c->in,
                        tk->flags, c->flags, (int)tk->norm_len, tk->norm, c->norm);
            heed__arena_release(&a);
            fail();
        }
        heed__arena_release(&a);
    }
}

/* The array grows past its first estimate; offsets and order stay right. */
static void test_growth_and_order(void **state)
{
    (void)state;
    size_t n = 600000;
    char *s = malloc(n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (i % 3 == 2) ? ' ' : (i % 3 == 0 ? 'a' : ',');
    heed_arena a;
    heed__arena_init(&a, 0);
    heed_token *t;
    size_t nt;
    assert_int_equal(heed__tokenize(&a, s, n, &t, &nt), HEED_OK);
    assert_int_equal(nt, n / 3 * 2);
    for (size_t i = 0; i < nt; i++) {
        assert_int_equal(t[i].start, i / 2 * 3 + i % 2);
        assert_int_equal(t[i].len, 1);
        assert_int_equal(t[i].kind, i % 2 ? HEED_TOK_PUNCT : HEED_TOK_WORD);
    }
    heed__arena_release(&a);
    free(s);
}

/* Running out of arena is HEED_ENOMEM, never a crash. */
static void test_out_of_memory(void **state)
{
    (void)state;
    size_t n = 200000;
    char *s = malloc(n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (i % 2) ? ' ' : 'x';
    for (size_t limit = 1024; limit <= ((size_t)1 << 20); limit *= 4) {
        heed_arena a;
        heed__arena_init(&a, limit);
        heed_token *t;
        size_t nt;
        assert_int_equal(heed__tokenize(&a, s, n, &t, &nt), HEED_ENOMEM);
        heed__arena_release(&a);
    }
    free(s);
}

/* Tokens never contain white space and never split a UTF-8 sequence, on text
 * that mixes every rule. */
static void test_invariants_mixed(void **state)
{
    (void)state;
    static const char *const parts[] = {"Hi!!! ",
                                        "don't ",
                                        "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB",
                                        ":-(",
                                        " $5 ",
                                        "https://x.y/z).",
                                        "\xCC\x81",
                                        "#1",
                                        "@a",
                                        "\xE2\x80\x8D",
                                        "\n\n",
                                        "10:30",
                                        "\xE6\x97\xA5",
                                        "e.g.",
                                        "\xF0\x9F\x87\xA9",
                                        "...",
                                        "a@b.cd",
                                        "\xC2\xA0",
                                        "\0"};
    char buf[4096];
    size_t o = 0;
    unsigned seed = 12345;
    while (o < sizeof buf - 64) {
        seed = seed * 1103515245u + 12345u;
        const char *p = parts[(seed >> 16) % (sizeof parts / sizeof parts[0])];
        size_t l = *p ? strlen(p) : 1;
        memcpy(buf + o, p, l);
        o += l;
    }
    heed_arena a;
    heed__arena_init(&a, 0);
    heed_token *t;
    size_t nt;
    assert_int_equal(heed__tokenize(&a, buf, o, &t, &nt), HEED_OK);
    size_t prev_end = 0;
    for (size_t i = 0; i < nt; i++) {
        assert_true(t[i].len > 0);
        assert_true(t[i].start >= prev_end);
        assert_true((size_t)t[i].start + t[i].len <= o);
        assert_true(t[i].kind < HEED_TOK_KIND_COUNT);
        assert_true(((unsigned char)buf[t[i].start] & 0xC0) != 0x80);
        size_t e = t[i].start + t[i].len;
        assert_true(e == o || ((unsigned char)buf[e] & 0xC0) != 0x80);
        for (size_t k = t[i].start; k < e; k++)
            assert_true((unsigned char)buf[k] > 0x20);
        prev_end = e;
    }
    heed__arena_release(&a);
}

/* The fast path's tokens of buf[0..len) are the general path's. */
static void same_tokens(const char *buf, size_t len)
{
    heed_arena a;
    heed__arena_init(&a, 0);
    heed_token *t1, *t2;
    size_t n1, n2;
    assert_int_equal(heed__tokenize(&a, buf, len, &t1, &n1), HEED_OK);
    assert_int_equal(heed__tokenize_general(&a, buf, len, &t2, &n2), HEED_OK);
    assert_int_equal(n1, n2);
    for (size_t k = 0; k < n1; k++) {
        assert_int_equal(t1[k].start, t2[k].start);
        assert_int_equal(t1[k].len, t2[k].len);
        assert_int_equal(t1[k].kind, t2[k].kind);
        assert_int_equal(t1[k].flags, t2[k].flags);
        assert_int_equal(t1[k].norm_len, t2[k].norm_len);
        assert_memory_equal(t1[k].norm, t2[k].norm, t1[k].norm_len);
    }
    heed__arena_release(&a);
}

/* The fast path for plain words gives the very tokens the general scanners
 * give: random texts of words (capitals, elongations, contractions, ids,
 * dotted abbreviations, addresses, emoticons, numbers) and separators. */
static void test_fast_path_same_tokens(void **state)
{
    (void)state;
    static const char *const parts[] = {
        "hello", "Hello", "I", "i", "sooo", "Sooo", "SOOO", "noo", "The", "don't", "I'm",
        "follow-up", "a_b", "ERR_5012", "e.g.", "U.S.A.", "www.x.com", "http://a.b/c", "a@b.cd",
        "x@", "D:", "xD", "P:", "o.O", "EUR20", "USD", "9", "am", "pm", "20", "euros", "$", "Ab1",
        "abc123", "caf\xC3\xA9", "\xC3\x89t\xC3\xA9", "na\xC3\xAFve", "a\xCC\x81", "ok\xE2\x80\x8D",
        " ", "  ", ",", ".", "!", "?", "...", ":", ";", "-", "'", "\"", "(", ")", "\n", "\t",
        "\xC2\xA0", "#", "@", "&amp;", ":)", "<3", "^^", "\xF0\x9F\x98\x80",
        /* capitals anywhere, contractions, and what may follow a word */
        "THE", "OK", "iPhone", "McDonald", "ADD", "UPS", "XP", "Don't", "DON'T", "y'all'd",
        "it's", "I'd", "dooon't", "can'tt", "sooo'", "'s", "x'", "www", "WWW", "Www", "http",
        "https", "com", "a.", "ab.", "ab:", "://", "//", "'\xC3\xA9", "\xE2\x80\x99", "_x", "-x",
        "1", "e", "S", "TT", "x.x", ",,", "((", ")", "\"\"", "''", "?!", "!", ".\xE2\x80\xA6",
        "!\xCC\x81", ",\xE2\x80\x8D", "5", "$", "\xE2\x82\xAC"};
    enum { ROUNDS = 3000 };
    char buf[512];
    uint64_t seed = 7;
    for (int r = 0; r < ROUNDS; r++) {
        size_t o = 0;
        while (o < sizeof buf - 32) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if ((seed >> 60) == 0 && o > 0)
                break; /* texts of every length */
            const char *p = parts[(seed >> 33) % (sizeof parts / sizeof parts[0])];
            size_t l = strlen(p);
            memcpy(buf + o, p, l);
            o += l;
        }
        same_tokens(buf, o);
    }
}

/* The same for words of few letters (elongations at every position, across
 * capitals and apostrophes) of every length, so that the eight-byte fast
 * path meets words that end inside, at and past its load, with and without
 * eight bytes of text after them. */
static void test_fast_path_letters(void **state)
{
    (void)state;
    static const char letters[] = "aabbAB'c";
    static const char *const seps[] = {" ", ".", ",", "!", "'", "-", "9", ":", "\xC3\xA9", "  "};
    enum { ROUNDS = 4000 };
    char buf[256];
    uint64_t seed = 11;
    for (int r = 0; r < ROUNDS; r++) {
        size_t o = 0;
        for (;;) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t wl = 1 + (size_t)(seed >> 59) % 20;
            if (o + wl + 4 > sizeof buf || ((seed >> 40) & 15) == 0)
                break;
            for (size_t k = 0; k < wl; k++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                buf[o++] = letters[(seed >> 61) & 7];
            }
            const char *sp = seps[(seed >> 20) % (sizeof seps / sizeof seps[0])];
            memcpy(buf + o, sp, strlen(sp));
            o += strlen(sp);
        }
        size_t cut = o ? (size_t)(seed >> 8) % (o + 1) : 0; /* any end but inside a character */
        if (cut < o && ((unsigned char)buf[cut] & 0xC0) == 0x80)
            cut--;
        same_tokens(buf, cut);
    }
}

/* Words of letters from a small alphabet (so that triples of a letter,
 * capitals and apostrophes fall anywhere) of every length up to well past
 * two of the fast path's chunks, each after one of many starts and before
 * one of many ends, ASCII or not: the fast path's tokens are the general
 * path's, with the text cut anywhere, so that words meet the end of the text
 * at every position of a chunk. */
static void test_fast_path_long_words(void **state)
{
    (void)state;
    static const char letters[] = "aAbBc'eE";
    static const char *const seps[] = {
        " ",  ".",  ". ", ".a", ".9", ".\xC3\xA9", ",",  "!",  "?",  "'",  "'a", "'\xC3\xA9",
        "-",  "_",  "9",  ":",  ":/", ": ", ";",  "\"", "(",  ")",  "[",  "]",  "{",  "}",
        "/",  "\\", "*",  "+",  "|",  "~",  "`",  "%",  "#",  "$",  "&",  "<",  ">",  "=",
        "^",  "@",  "\t", "\n", "\r\n", "\xC3\xA9", "\xCC\x81", "\xE2\x80\x99s", "\xE2\x80\xA6",
        "\xF0\x9F\x98\x80", "\xC2\xA0", "  ", "x", "X"};
    enum { ROUNDS = 6000 };
    char buf[512];
    uint64_t seed = 13;
    for (int r = 0; r < ROUNDS; r++) {
        size_t o = 0;
        for (;;) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t wl = 1 + (size_t)(seed >> 58) % 40;
            if (o + wl + 8 > sizeof buf || ((seed >> 40) & 7) == 0)
                break;
            static const char *const starts[] = {"www", "WWW", "http", "e", "ab"};
            if (((seed >> 36) & 15) == 0) { /* words the scanners read on from */
                const char *w = starts[(seed >> 44) % 5];
                memcpy(buf + o, w, strlen(w));
                o += strlen(w);
                wl = 0;
            }
            for (size_t k = 0; k < wl; k++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                /* mostly small letters, as in text */
                unsigned pick = (unsigned)(seed >> 59);
                buf[o++] = pick < 24 ? (char)('a' + (seed >> 33) % 3) : letters[pick & 7];
            }
            const char *sp = seps[(seed >> 20) % (sizeof seps / sizeof seps[0])];
            memcpy(buf + o, sp, strlen(sp));
            o += strlen(sp);
        }
        size_t cut = o ? (size_t)(seed >> 8) % (o + 1) : 0;
        while (cut < o && ((unsigned char)buf[cut] & 0xC0) == 0x80)
            cut--;
        same_tokens(buf, cut);
        same_tokens(buf, o);
    }
}

/* Runs of marks, the fast path's other tokens: every ASCII mark, alone and
 * repeated, mixed with terminal marks, before ASCII and non-ASCII bytes and
 * the end of the text, after words and numbers (neighbour links). */
static void test_fast_path_marks(void **state)
{
    (void)state;
    static const char *const parts[] = {
        "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";",
        "<", "=", ">", "?", "@", "[", "\\", "]", "^", "_", "`", "{", "|", "}", "~", "...",
        "?!", "!!!", "\"\"", "[[", "]]", "~~", "++", "__", "%%", "``", "||", "\xE2\x80\xA6",
        "\xCC\x81", "\xE2\x80\x8D", "\xE2\x82\xAC", "\xEF\xBC\x81", "\xC2\xA0", " ",
        " ", " ", "\n", "a", "ab", "Ab", "9", "20", "3.5", "am", "EUR", "USD"};
    enum { ROUNDS = 4000 };
    char buf[256];
    uint64_t seed = 17;
    for (int r = 0; r < ROUNDS; r++) {
        size_t o = 0;
        while (o < sizeof buf - 16) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if ((seed >> 59) == 0 && o > 0)
                break;
            const char *p = parts[(seed >> 33) % (sizeof parts / sizeof parts[0])];
            size_t l = strlen(p);
            memcpy(buf + o, p, l);
            o += l;
        }
        same_tokens(buf, o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_flags_and_norms),
        cmocka_unit_test(test_growth_and_order),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_invariants_mixed),
        cmocka_unit_test(test_fast_path_same_tokens),
        cmocka_unit_test(test_fast_path_letters),
        cmocka_unit_test(test_fast_path_long_words),
        cmocka_unit_test(test_fast_path_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
