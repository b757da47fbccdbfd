/* langid.c - language identification without training data: knowledge written
 * down as static tables (see docs/language.md for the method and its limits).
 *
 * 1. Script: the letters of word tokens are counted per Unicode script. When a
 *    non-Latin script holds most of them, the script names the language
 *    (Cyrillic -> ru/uk, Hangul -> ko, kana -> ja, Han alone -> zh, ...).
 * 2. Latin script: every word votes for the languages whose list of frequent
 *    function words holds it (a word shared by k languages gives each 1/k);
 *    letters with diacritics (ß, ñ, ł, ř, å, ...) and a few spelling patterns
 *    ("sch", "ij", "ção") add smaller votes. Names (capitalised words inside a
 *    sentence) give no letter votes; numbers, ids, URLs, e-mails, mentions,
 *    hashtags and emoji are not words and never vote.
 * 3. Decision: English unless another language has clear evidence (at least
 *    MIN_FOREIGN votes) and beats English by FOREIGN_RATIO, so short or
 *    ambiguous texts ("ok", "thx!!", an order number) stay English-scored
 *    with low confidence, and an English message quoting a foreign sentence
 *    stays English when English dominates. */
#include "langid.h"

#include <math.h>
#include <string.h>
#include "simd.h"

#ifdef HEED_SSE2
#include <emmintrin.h>
#endif

#include "alloc.h"
#include "freqwords.h"
#include "hash.h"
#include "utf8.h"

/* The Latin-script languages scored by words; the order is the bit order. */
enum {
    L_EN,
    L_DE,
    L_FR,
    L_ES,
    L_IT,
    L_PT,
    L_NL,
    L_SV,
    L_DA,
    L_NO,
    L_PL,
    L_TR,
    L_ID,
    L_RO,
    L_CS,
    L_COUNT
};

static const char LATIN_CODES[L_COUNT][3] = {"en", "de", "fr", "es", "it", "pt", "nl", "sv",
                                             "da", "no", "pl", "tr", "id", "ro", "cs"};

#define B(l) (1u << (l))

/* Function words and the most frequent short words of customer messages, as
 * heed normalises them (NFKC + case folding: "ß" is "ss"). Written for heed. */
static const char *const WORDS[L_COUNT] = {
    [L_EN] = "ya yo war one door open wants takes man go down oh yeah ok okay lol says said gets shows see take make per day week time account number service card payment delivery package parcel item "
             "money email phone problem issue update good great nice bad perfect now today "
             "tomorrow yesterday new same last next back okay sure thing stuff guys "
             "help the a an and or but if of to in on at for with from by about as into over "
             "after before up out off is are was were be been being am do does did done "
             "have has had i me my mine you your yours we us our they them their he him "
             "his she her it its this that these those there here what which who whose "
             "when where why how not no yes can could will would should may might must "
             "just also very so too than then because please thanks thank thx hi hello "
             "dear still already yet again any some all every each more most much many "
             "get got want need order refund received don't can't i'm it's i've won't "
             "didn't doesn't isn't wasn't haven't i'll you're that's there's what's "
             "couldn't wouldn't i'd let's hasn't aren't weren't hey sorry asap",
    [L_DE] =
        "ihnen seit wieder etwas nichts alles man wann sein seine schnell kommt angekommen "
        "bekommen der die das den dem des ein eine einen einem einer eines und oder aber ich du "
        "er sie es wir ihr mich mir dich dir uns euch ihnen ihre ihren ihrem mein "
        "meine meinen meinem meiner dein nicht kein keine keinen ist sind war waren "
        "bin bist hat habe haben hatte hatten wird werden wurde würde kann können "
        "könnte muss müssen soll sollte will möchte mit von zu zum zur bei nach für "
        "auf aus an am im in über unter vor noch schon auch nur sehr bitte danke dass "
        "wenn weil wie was wo warum wer hier da dann jetzt heute gestern immer nie "
        "mehr ja nein doch mal gibt leider bestellung paket geld hallo guten tag "
        "grüsse freundlichen vielen dank sich diese dieser dieses",
    [L_FR] = "devant sous avant après depuis veux peux voudrais pouvez vais fois personne le la "
             "les l' un une des du de d' et ou mais je j' tu il elle nous vous ils "
             "elles me m' te t' se s' moi toi lui leur leurs mon ma mes ton ta tes son sa "
             "ses notre nos votre vos ce cet cette ces c' qui que qu' quoi dont où est sont "
             "suis sommes êtes ai avons avez ont était été avoir être fait faire pas ne "
             "n' plus rien jamais très bien avec pour par sur dans sans chez aussi encore "
             "déjà toujours merci bonjour bonsoir madame monsieur oui non parce comme "
             "quand comment pourquoi commande colis remboursement reçu aujourd'hui hier "
             "demain au aux y cordialement svp",
    [L_ES] = "quiero puedo pueden puede llevo semana caja falta vez veces mismo el la los las un "
             "una unos unas y o pero de del al a en con por para sin sobre "
             "entre desde hasta que qué quien cuando cuándo donde dónde como cómo porque yo "
             "tú él ella nosotros ustedes usted ellos me te se le les lo nos mi mis tu tus "
             "su sus nuestro es son está están estoy estaba fue ser estar he ha han hemos "
             "había tengo tiene tienen hacer hace no sí muy más ya todavía también nada "
             "algo todo hoy ayer mañana gracias hola buenos buenas días favor pedido "
             "reembolso recibido dinero aún esta este esto eso mucho",
    [L_IT] = "aspetto settimana voglio mille tutto buona buon sto il lo la i gli le un uno una l' "
             "di del della dei delle dello da dal dalla in "
             "nel nella con su per tra fra e ed o ma che chi non è sono sei siamo siete era "
             "ho hai ha abbiamo avete hanno avevo mi ti ci vi si mio mia miei mie tuo tua "
             "suo sua nostro vostro loro questo questa quello quella come quando dove "
             "perché anche ancora già molto più poco niente sempre mai oggi ieri domani "
             "grazie ciao buongiorno salve ordine pacco rimborso ricevuto essere fatto "
             "stato posso può potete vorrei dell' all' nell' un' sul alla al",
    [L_PT] = "vez mesmo quero podem pode vezes caixa falta semana o a os as um uma uns umas e ou "
             "mas de do da dos das no na nos nas em com por "
             "para pelo pela sem sobre entre até que quem quando onde como porque eu tu "
             "você vocês ele ela nós eles elas me te se lhe meu minha meus minhas seu sua "
             "seus suas é são está estão estou era foi ser estar tenho tem têm tinha fazer "
             "não sim muito mais já ainda também nada tudo hoje ontem amanhã obrigado "
             "obrigada olá bom boa dia favor pedido reembolso recebi dinheiro encomenda "
             "isso isto esse essa este esta ao aos",
    [L_NL] = "hetzelfde steeds sinds keer alles de het een en of maar ik jij je u hij zij ze wij "
             "we jullie mij me mijn jouw uw "
             "zijn haar ons onze hun dit dat deze die wat wie waar wanneer waarom hoe is "
             "ben bent was waren heb hebt heeft hebben had wordt worden werd kan kunnen "
             "kunt wil wilt moet moeten zal zou niet geen wel ook nog al alleen heel erg "
             "veel meer met van voor op in aan bij naar uit over om te tot door zonder "
             "dank bedankt alstublieft graag hallo goedemorgen bestelling pakket "
             "terugbetaling ontvangen geld vandaag gisteren morgen nu er hier daar",
    [L_SV] = "saknas utanför sedan gången samma väldigt och att det som en ett den de jag du han "
             "hon vi ni dem mig dig oss er min "
             "mitt mina din ditt sin sitt hans hennes vår vårt deras är var varit har hade "
             "ha kan kunde ska skulle vill måste inte ingen inget också bara mycket mer med "
             "av för på i till från om utan efter vid hos när vad vem varför hur här där nu "
             "idag igår imorgon tack hej hejsan snälla beställning paket återbetalning "
             "pengar fått fick någon något ännu redan alltid aldrig hjälp",
    [L_DA] =
        "mangler pakken sende udenfor ind ud op stadig blevet gerne uge gange svaret jer jeres "
        "hele virker og at det som en et den de jeg du han hun vi dem mig dig os jer min mit mine "
        "din dit sin sit hans hendes vores deres er var været har havde have kan "
        "kunne skal skulle vil må ikke ingen intet også kun meget mere med af for på "
        "i til fra om uden efter ved hos når hvor hvad hvem hvorfor hvordan her der nu "
        "tak hej venligst bestilling pakke refusion penge fået fik endnu allerede "
        "altid aldrig noget nogen hjælp mange",
    [L_NO] = "mangler pakken sende utenfor satte inn ut opp fortsatt blitt lurer tusen ganger uke "
             "svart og at det som en et ei den de jeg du han hun vi dere dem meg deg oss min mitt "
             "mine din ditt sin sitt hans hennes vår vårt deres er var vært har hadde ha "
             "kan kunne skal skulle vil må ikke ingen også bare veldig mye mer med av for "
             "på i til fra om uten etter ved hos når hvor hva hvem hvorfor hvordan her der "
             "nå takk hei vennligst bestilling pakke refusjon penger fått fikk ennå "
             "allerede alltid aldri noe noen hjelp mange",
    [L_PL] = "brakuje nadal czekam chcę możecie mogę i w z na do od po za o u że się nie tak jest "
             "są był była było być mam ma mamy "
             "macie mają miałem miałam jestem jesteś ja ty on ona ono my wy oni one mnie "
             "mi cię ci go jej mu nas was ich mój moja moje mojego twój swój ten ta to te "
             "tego tej który która które co kto jak gdzie kiedy dlaczego czy ale lub albo "
             "bardzo już jeszcze też tylko dziękuję dzięki proszę dzień dobry witam "
             "zamówienie paczka paczki zwrot pieniądze otrzymałem dzisiaj wczoraj jutro "
             "można może przez dla bez",
    [L_TR] =
        "eksik kez hesabım ve veya ile ama fakat bir bu şu o ben sen biz siz onlar beni bana benim "
        "senin onun bizim sizin de da mi mı mu mü ne neden nasıl nerede kim için gibi "
        "kadar daha çok en hiç değil yok var evet hayır ise ki sonra önce şimdi bugün "
        "dün yarın teşekkür teşekkürler merhaba lütfen sipariş siparişim kargo iade "
        "para aldım geldi gelmedi hala hâlâ olarak oldu olan olur ediyorum istiyorum "
        "yardım sayın bey hanım",
    [L_ID] = "depan meninggalkan kurang sejak seminggu tentang dan atau tetapi tapi yang di ke "
             "dari untuk dengan pada dalam oleh karena jika "
             "kalau saya aku kamu anda dia kami kita mereka ini itu ada tidak bukan belum "
             "sudah akan bisa dapat mau ingin harus sangat lebih juga hanya saja lagi masih "
             "apa siapa kapan dimana mana bagaimana mengapa kenapa terima kasih tolong "
             "mohon halo selamat pagi pesanan paket uang pengembalian dana hari kemarin "
             "besok sekali banyak sedikit semua barang sampai sekarang",
    [L_RO] = "vreau să pot și şi sau dar de la în pe cu din pentru prin fără despre până că ce "
             "cine când "
             "unde cum eu tu el ea noi voi ei ele mă te se îmi îți mi ți îl o le mea meu "
             "mei mele tău ta său sa nostru vostru este sunt era am ai are avem aveți au "
             "fost fi nu da foarte mai deja încă tot nimic azi astăzi ieri mâine "
             "mulțumesc mulţumesc mersi bună ziua vă rog comanda comandă colet rambursare "
             "bani primit acest această acum aici",
    [L_CS] = "chci můžete mohu moc a i v ve na do od po za o u s se z že je jsou byl byla bylo být "
             "mám má máme "
             "máte mají jsem jsi já ty on ona ono my vy oni mě mi tě ti ho jí mu nás vás "
             "jich můj moje moji tvůj svůj ten ta to toho té který která které co kdo jak "
             "kde kdy proč ale nebo velmi už ještě také jen děkuji díky prosím dobrý den "
             "objednávka objednávku balík vrácení peníze dnes včera zítra ani není nemám "
             "pro bez přes",
};

/* Letters with diacritics and the languages that write them. */
typedef struct {
    uint32_t cp;
    uint16_t mask;
} diacritic;

static const diacritic DIACRITICS[] = {
    {0xE4, B(L_DE) | B(L_SV)},                               /* ä */
    {0xF6, B(L_DE) | B(L_SV) | B(L_TR)},                     /* ö */
    {0xFC, B(L_DE) | B(L_TR)},                               /* ü */
    {0xDF, B(L_DE)},                                         /* ß */
    {0xE9, B(L_FR) | B(L_ES) | B(L_IT) | B(L_PT) | B(L_CS)}, /* é */
    {0xE8, B(L_FR) | B(L_IT)},                               /* è */
    {0xEA, B(L_FR) | B(L_PT)},                               /* ê */
    {0xE0, B(L_FR) | B(L_IT) | B(L_PT)},                     /* à */
    {0xE2, B(L_FR) | B(L_PT) | B(L_RO)},                     /* â */
    {0xE7, B(L_FR) | B(L_PT) | B(L_TR)},                     /* ç */
    {0xF9, B(L_FR) | B(L_IT)},                               /* ù */
    {0xFB, B(L_FR)},                                         /* û */
    {0xEE, B(L_FR) | B(L_RO)},                               /* î */
    {0xF4, B(L_FR) | B(L_PT)},                               /* ô */
    {0xEB, B(L_FR) | B(L_NL)},                               /* ë */
    {0xEF, B(L_FR) | B(L_NL)},                               /* ï */
    {0x153, B(L_FR)},                                        /* œ */
    {0xF1, B(L_ES)},                                         /* ñ */
    {0xE1, B(L_ES) | B(L_PT) | B(L_CS)},                     /* á */
    {0xED, B(L_ES) | B(L_PT) | B(L_CS)},                     /* í */
    {0xF3, B(L_ES) | B(L_PT) | B(L_PL) | B(L_CS)},           /* ó */
    {0xFA, B(L_ES) | B(L_PT) | B(L_CS)},                     /* ú */
    {0xEC, B(L_IT)},                                         /* ì */
    {0xF2, B(L_IT)},                                         /* ò */
    {0xE3, B(L_PT)},                                         /* ã */
    {0xF5, B(L_PT)},                                         /* õ */
    {0xE5, B(L_SV) | B(L_DA) | B(L_NO)},                     /* å */
    {0xE6, B(L_DA) | B(L_NO)},                               /* æ */
    {0xF8, B(L_DA) | B(L_NO)},                               /* ø */
    {0x105, B(L_PL)},                                        /* ą */
    {0x107, B(L_PL)},                                        /* ć */
    {0x119, B(L_PL)},                                        /* ę */
    {0x142, B(L_PL)},                                        /* ł */
    {0x144, B(L_PL)},                                        /* ń */
    {0x15B, B(L_PL)},                                        /* ś */
    {0x17A, B(L_PL)},                                        /* ź */
    {0x17C, B(L_PL)},                                        /* ż */
    {0x11F, B(L_TR)},                                        /* ğ */
    {0x131, B(L_TR)},                                        /* ı */
    {0x130, B(L_TR)},                                        /* İ */
    {0x15F, B(L_TR) | B(L_RO)},                              /* ş (Romanian with a cedilla, too) */
    {0x103, B(L_RO)},                                        /* ă */
    {0x219, B(L_RO)},                                        /* ș */
    {0x21B, B(L_RO)},                                        /* ț */
    {0x163, B(L_RO)},                                        /* ţ */
    {0x10D, B(L_CS)},                                        /* č */
    {0x10F, B(L_CS)},                                        /* ď */
    {0x11B, B(L_CS)},                                        /* ě */
    {0x148, B(L_CS)},                                        /* ň */
    {0x159, B(L_CS)},                                        /* ř */
    {0x161, B(L_CS)},                                        /* š */
    {0x165, B(L_CS)},                                        /* ť */
    {0x16F, B(L_CS)},                                        /* ů */
    {0xFD, B(L_CS)},                                         /* ý */
    {0x17E, B(L_CS)},                                        /* ž */
};

/* Spelling patterns typical of one language or two, in lower-case ASCII/UTF-8;
 * `at_end` patterns only count at the end of a word. */
typedef struct {
    const char *s;
    uint8_t at_end;
    uint16_t mask;
} pattern;

static const pattern PATTERNS[] = {
    {"th", 0, B(L_EN)},
    {"wh", 0, B(L_EN)},
    {"ing", 1, B(L_EN)},
    {"ly", 1, B(L_EN)},
    {"sch", 0, B(L_DE) | B(L_NL)},
    {"cht", 0, B(L_DE) | B(L_NL)},
    {"ung", 1, B(L_DE)},
    {"lich", 1, B(L_DE)},
    {"tz", 0, B(L_DE)},
    {"ij", 0, B(L_NL)},
    {"aa", 0, B(L_NL)},
    {"sz", 0, B(L_PL)},
    {"cz", 0, B(L_PL)},
    {"rz", 0, B(L_PL)},
    {"zione", 1, B(L_IT)},
    {"gli", 0, B(L_IT)},
    {"cch", 0, B(L_IT)},
    {"ção", 0, B(L_PT)},
    {"nh", 0, B(L_PT)},
    {"lh", 0, B(L_PT)},
    {"eau", 0, B(L_FR)},
    {"oux", 1, B(L_FR)},
    {"ais", 1, B(L_FR)},
    {"ait", 1, B(L_FR)},
    {"ción", 1, B(L_ES)},
    {"nya", 1, B(L_ID)},
    {"kan", 1, B(L_ID)},
    {"mek", 1, B(L_TR)},
    {"lar", 1, B(L_TR)},
    {"ler", 1, B(L_TR)},
};

#define HIGH_BITS 0x8080808080808080ull
#define BYTES_01  0x0101010101010101ull

#define TABLE_BITS       12
#define N_SPREADS        256 /* rows of heed_langid.spread */
#define TABLE_SIZE       (1u << TABLE_BITS)
#define MIN_FOREIGN      2.0 /* votes another language needs to be chosen */
#define FOREIGN_RATIO    1.5 /* ... and its lead over English */
#define MIN_VOTERS       3   /* ... or half of it in a text of 3+ words */
#define PATTERN_WEIGHT   0.3
#define SHORT_CONFIDENCE 0.1 /* English by default: nothing voted */
#define N_EN_EXP         256 /* English votes of k/4, k < N_EN_EXP, with exp precomputed */

/* 16 bytes, so the table stays small in cache: the word itself is needed only
 * past its first 8 bytes (struct heed_langid.word). */
typedef struct {
    uint64_t head; /* the first 8 bytes, zero-padded: most words are shorter */
    uint16_t len;  /* 0: empty slot */
    uint16_t mask;
} slot;

#define N_PATTERNS (sizeof PATTERNS / sizeof PATTERNS[0])
_Static_assert(N_PATTERNS <= 32, "pattern sets are 32-bit masks");

struct heed_langid {
    slot table[TABLE_SIZE];
    const char *word[TABLE_SIZE]; /* the slot's word, in WORDS */
    uint32_t first[256];         /* bit p: PATTERNS[p] starts with this byte */
    uint8_t pat_len[N_PATTERNS]; /* strlen of each pattern */
    size_t max_len;              /* of the listed words: longer ones are skipped */
    /* The votes of the lists' words of several languages as rows of 16 (15
     * languages, one unused): row spread_of[m] holds 1/k at each of the k
     * languages of m, 0.0 elsewhere; spread_of[m] is 0 for a mask without a
     * row (row 0 is unused). */
    uint8_t spread_of[1u << L_COUNT];
    _Alignas(16) double spread[N_SPREADS][16];
    /* en_exp[k] = exp(-(k * 0.25) / 4.0), the factor of the confidence of
     * English with k/4 votes (words vote 1, "I" 0.5, a word of two or four
     * lists 1/2 or 1/4) */
    double en_exp[N_EN_EXP];
};

/* Whether the bytes of w[0..len) past its first 8 are those of slot i's
 * word; with heed__hash below, out of line: short words, nearly all, look
 * up without a call. */
__attribute__((noinline)) static int tail_eq(const heed_langid *lid, size_t i, const char *w,
                                             size_t len)
{
    return memcmp(lid->word[i] + 8, w + 8, len - 8) == 0;
}

__attribute__((noinline)) static uint64_t long_hash(const char *w, size_t len)
{
    return heed__hash(w, len);
}

/* The table's hash of w[0..len) (len > 0) whose first 8 bytes are head and
 * next 8 tail (heed__head8 of each, tail 0 for a word of 8 bytes or less):
 * words of up to 16 bytes from those two numbers, longer ones by
 * heed__hash. */
static inline uint64_t slot_hash(const char *w, size_t len, uint64_t head, uint64_t tail)
{
    if (len <= 16)
        return (head ^ tail * 0xC2B2AE3D27D4EB4Full ^ len) * 0x9E3779B97F4A7C15ull;
    return long_hash(w, len);
}

/* The slot of w (len > 0): where it is, or the empty slot where it would go. */
static inline size_t find_slot(const heed_langid *lid, const char *w, size_t len)
{
    const slot *t = lid->table;
    uint64_t head = heed__head8(w, len);
    uint64_t h = slot_hash(w, len, head, len > 8 ? heed__head8(w + 8, len - 8) : 0);
    size_t i = (size_t)(h >> (64 - TABLE_BITS));
    while (t[i].len && !(t[i].head == head && t[i].len == len &&
                         (len <= 8 || tail_eq(lid, i, w, len))))
        i = (i + 1) & (TABLE_SIZE - 1);
    return i;
}

static uint16_t lookup(const heed_langid *lid, const char *w, size_t len)
{
    if (len == 0 || len > lid->max_len)
        return 0;
    return lid->table[find_slot(lid, w, len)].mask; /* empty slots have mask 0 */
}

int heed__langid_new(heed_langid **out)
{
    *out = NULL;
    heed_langid *lid = heed__malloc(sizeof(*lid));
    if (!lid)
        return HEED_ENOMEM;
    memset(lid, 0, sizeof(*lid));
    size_t used = 0;
    for (int l = 0; l < L_COUNT; l++) {
        const char *p = WORDS[l];
        while (*p) {
            while (*p == ' ')
                p++;
            const char *e = p;
            while (*e && *e != ' ')
                e++;
            if (e > p) {
                size_t i = find_slot(lid, p, (size_t)(e - p));
                slot *s = &lid->table[i];
                if (!s->len) {
                    /* The table is sized for the lists: kept under half full
                     * so probes stay short (a test fails first if not). */
                    if (++used > TABLE_SIZE / 2) {
                        heed__free(lid);
                        return HEED_EINVAL;
                    }
                    lid->word[i] = p;
                    s->len = (uint16_t)(e - p);
                    s->head = heed__head8(p, s->len);
                    if (s->len > lid->max_len)
                        lid->max_len = s->len;
                }
                s->mask |= (uint16_t)B(l);
            }
            p = e;
        }
    }
    size_t rows = 1;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        const unsigned m = lid->table[i].mask;
        if (!(m & (m - 1)) || lid->spread_of[m] || rows == N_SPREADS)
            continue;
        int k = 0;
        for (unsigned b = m; b; b &= b - 1)
            k++;
        for (unsigned b = m; b; b &= b - 1)
            lid->spread[rows][__builtin_ctz(b)] = 1.0 / k;
        lid->spread_of[m] = (uint8_t)rows++;
    }
    for (size_t k = 0; k < N_EN_EXP; k++)
        lid->en_exp[k] = exp(-((double)k * 0.25) / 4.0);
    for (size_t p = 0; p < N_PATTERNS; p++) {
        lid->pat_len[p] = (uint8_t)strlen(PATTERNS[p].s);
        lid->first[(unsigned char)PATTERNS[p].s[0]] |= 1u << p;
    }
    *out = lid;
    return HEED_OK;
}

void heed__langid_free(heed_langid *lid)
{
    heed__free(lid);
}

/* ---------------------------------------------------------------- scripts */

enum {
    S_LATIN,
    S_CYRILLIC,
    S_GREEK,
    S_ARMENIAN,
    S_HEBREW,
    S_ARABIC,
    S_DEVANAGARI,
    S_BENGALI,
    S_GURMUKHI,
    S_GUJARATI,
    S_TAMIL,
    S_TELUGU,
    S_KANNADA,
    S_MALAYALAM,
    S_THAI,
    S_LAO,
    S_MYANMAR,
    S_GEORGIAN,
    S_HANGUL,
    S_ETHIOPIC,
    S_KHMER,
    S_KANA,
    S_HAN,
    S_OTHER, /* letters of a script not listed */
    S_NONE,  /* not a letter: digits, marks, symbols */
    S_COUNT
};

/* The language a script names; S_LATIN, S_CYRILLIC, S_ARABIC and S_HAN are
 * refined in code. */
static const char SCRIPT_LANG[S_COUNT][4] = {
    [S_LATIN] = "en",    [S_CYRILLIC] = "ru",  [S_GREEK] = "el",      [S_ARMENIAN] = "hy",
    [S_HEBREW] = "he",   [S_ARABIC] = "ar",    [S_DEVANAGARI] = "hi", [S_BENGALI] = "bn",
    [S_GURMUKHI] = "pa", [S_GUJARATI] = "gu",  [S_TAMIL] = "ta",      [S_TELUGU] = "te",
    [S_KANNADA] = "kn",  [S_MALAYALAM] = "ml", [S_THAI] = "th",       [S_LAO] = "lo",
    [S_MYANMAR] = "my",  [S_GEORGIAN] = "ka",  [S_HANGUL] = "ko",     [S_ETHIOPIC] = "am",
    [S_KHMER] = "km",    [S_KANA] = "ja",      [S_HAN] = "zh",        [S_OTHER] = "und",
    [S_NONE] = "und",
};

static int script_of(uint32_t c)
{
    if (c < 0x80)
        return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? S_LATIN : S_NONE;
    if (c < 0x250)
        return (c >= 0xC0 && c != 0xD7 && c != 0xF7) ? S_LATIN : S_NONE;
    if (c >= 0x1E00 && c <= 0x1EFF)
        return S_LATIN;
    if (c >= 0x370 && c <= 0x3FF)
        return S_GREEK;
    if (c >= 0x1F00 && c <= 0x1FFF)
        return S_GREEK;
    if (c >= 0x400 && c <= 0x52F)
        return S_CYRILLIC;
    if (c >= 0x530 && c <= 0x58F)
        return S_ARMENIAN;
    if (c >= 0x590 && c <= 0x5FF)
        return S_HEBREW;
    if ((c >= 0x600 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F) || (c >= 0xFB50 && c <= 0xFDFF) ||
        (c >= 0xFE70 && c <= 0xFEFF))
        return S_ARABIC;
    if (c >= 0x900 && c <= 0x97F)
        return S_DEVANAGARI;
    if (c >= 0x980 && c <= 0x9FF)
        return S_BENGALI;
    if (c >= 0xA00 && c <= 0xA7F)
        return S_GURMUKHI;
    if (c >= 0xA80 && c <= 0xAFF)
        return S_GUJARATI;
    if (c >= 0xB80 && c <= 0xBFF)
        return S_TAMIL;
    if (c >= 0xC00 && c <= 0xC7F)
        return S_TELUGU;
    if (c >= 0xC80 && c <= 0xCFF)
        return S_KANNADA;
    if (c >= 0xD00 && c <= 0xD7F)
        return S_MALAYALAM;
    if (c >= 0xE00 && c <= 0xE7F)
        return S_THAI;
    if (c >= 0xE80 && c <= 0xEFF)
        return S_LAO;
    if (c >= 0x1000 && c <= 0x109F)
        return S_MYANMAR;
    if (c >= 0x10A0 && c <= 0x10FF)
        return S_GEORGIAN;
    if ((c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
        (c >= 0xAC00 && c <= 0xD7AF))
        return S_HANGUL;
    if (c >= 0x1200 && c <= 0x137F)
        return S_ETHIOPIC;
    if (c >= 0x1780 && c <= 0x17FF)
        return S_KHMER;
    if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
        (c >= 0xFF66 && c <= 0xFF9F))
        return S_KANA;
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
        (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF))
        return S_HAN;
    if (c >= 0x3000 && c <= 0x303F)
        return S_NONE; /* CJK punctuation */
    return S_OTHER;
}

static uint16_t diacritic_mask(uint32_t c)
{
    for (size_t i = 0; i < sizeof DIACRITICS / sizeof DIACRITICS[0]; i++)
        if (DIACRITICS[i].cp == c)
            return DIACRITICS[i].mask;
    return 0;
}

static int popcount16(uint16_t m)
{
    int n = 0;
    for (; m; m &= (uint16_t)(m - 1))
        n++;
    return n;
}

/* Languages whose spelling patterns occur in the word w[0..n). */
static uint16_t pattern_mask(const heed_langid *lid, const char *w, size_t n)
{
    uint16_t mask = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cand = lid->first[(unsigned char)w[i]];
        while (cand) {
            int p = __builtin_ctz(cand);
            cand &= cand - 1;
            size_t m = lid->pat_len[p];
            if (i + m > n || (PATTERNS[p].at_end && i + m != n))
                continue;
            if (heed__mem_eq(w + i, PATTERNS[p].s, m))
                mask |= PATTERNS[p].mask;
        }
    }
    return mask;
}

static void set_code(heed_language *out, const char *code)
{
    memset(out->code, 0, sizeof out->code);
    memcpy(out->code, code, strlen(code) < sizeof out->code ? strlen(code) : sizeof out->code - 1);
}

/* English clitics after an apostrophe: "Moore's", "they're", "we've". */
static int english_clitic(const char *t, size_t n)
{
    static const char *const C[] = {"s", "re", "ve", "ll", "d", "m", "t"};
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++)
        if (strlen(C[i]) == n && memcmp(C[i], t, n) == 0)
            return 1;
    return 0;
}

/* The slot mask of a word of 1..8 bytes whose first bytes are head (as
 * heed__head8 makes them): lookup without the length checks. */
static inline uint16_t lookup_short(const heed_langid *lid, uint64_t head, size_t len)
{
    const slot *t = lid->table;
    size_t i = (size_t)(slot_hash(NULL, len, head, 0) >> (64 - TABLE_BITS));
    while (t[i].len && !(t[i].head == head && t[i].len == len))
        i = (i + 1) & (TABLE_SIZE - 1);
    return t[i].mask;
}

/* lookup_short for a word w of 9..16 bytes whose bytes past the first 8 are
 * tail. */
static inline uint16_t lookup_mid(const heed_langid *lid, const char *w, uint64_t head,
                                  uint64_t tail, size_t len)
{
    const slot *t = lid->table;
    size_t i = (size_t)(slot_hash(w, len, head, tail) >> (64 - TABLE_BITS));
    while (t[i].len && !(t[i].head == head && t[i].len == len && tail_eq(lid, i, w, len)))
        i = (i + 1) & (TABLE_SIZE - 1);
    return t[i].mask;
}

/* Whether one of the 8 bytes of x is an apostrophe (exact: the zero-byte
 * test on x with 0x27 xored into each byte errs only in which byte it
 * marks, never in whether there is one). */
static inline int has_apostrophe8(uint64_t x)
{
    const uint64_t v = x ^ 0x2727272727272727ull;
    return ((v - BYTES_01) & ~v & HIGH_BITS) != 0;
}

/* The votes of w[0..n) given after its first apostrophe ap (NULL: none),
 * for a word that is not listed itself: word_votes past its lookup. */
__attribute__((noinline)) static uint16_t apostrophe_votes(const heed_langid *lid, const char *w,
                                                           size_t n, const char *ap)
{
    if (!ap || ap == w || (size_t)(ap - w) + 1 >= n)
        return 0;
    const size_t head = (size_t)(ap - w) + 1;
    if (english_clitic(ap + 1, n - head))
        return B(L_EN);
    const uint16_t mh = lookup(lid, w, head);
    const uint16_t mt = mh ? lookup(lid, ap + 1, n - head) : 0;
    return (mh & mt) ? (uint16_t)(mh & mt) : mh;
}

/* Votes of the function-word lists for one word (norm form): the whole word;
 * else, for a word with an apostrophe, an English clitic ("'s", "'re") votes
 * English, and an elided head in a list ("l'", "qu'", "dell'") votes with its
 * rest. A word in k lists gives each 1/k. Words of up to 8 bytes (nearly
 * all) are looked up and searched for the apostrophe in one 8-byte number,
 * words of up to 16 in two. */
__attribute__((always_inline)) static inline uint16_t word_votes(const heed_langid *lid,
                                                                 const char *w, size_t n)
{
    uint16_t m;
    const char *ap;
    if (n - 1 < 8) { /* 1..8 bytes */
        const uint64_t head = heed__head8(w, n);
        m = n <= lid->max_len ? lookup_short(lid, head, n) : 0;
        if (m || !has_apostrophe8(head))
            return m;
        ap = memchr(w, '\'', n);
    } else if (n <= 16) {
        const uint64_t head = heed__head8(w, 8), tail = heed__head8(w + 8, n - 8);
        m = n <= lid->max_len ? lookup_mid(lid, w, head, tail, n) : 0;
        if (m || !(has_apostrophe8(head) | has_apostrophe8(tail)))
            return m;
        ap = memchr(w, '\'', n);
    } else {
        m = lookup(lid, w, n);
        if (m)
            return m;
        ap = memchr(w, '\'', n);
    }
    return apostrophe_votes(lid, w, n, ap);
}

/* word_votes of a word w[0..n) known not to be listed (not in the engine's
 * table of frequent words, which holds every listed word): only a word with
 * an apostrophe may have votes. */
static inline uint16_t unlisted_votes(const heed_langid *lid, const char *w, size_t n)
{
    if (n - 1 < 8) {
        if (!has_apostrophe8(heed__head8(w, n)))
            return 0;
    } else if (n - 1 < 16) {
        if (!(has_apostrophe8(heed__head8(w, 8)) | has_apostrophe8(heed__head8(w + 8, n - 8))))
            return 0;
    }
    return apostrophe_votes(lid, w, n, memchr(w, '\'', n));
}

uint16_t heed__langid_word_votes(const heed_langid *lid, const char *w, size_t n)
{
    return word_votes(lid, w, n);
}

const char *heed__langid_list_word(const heed_langid *lid, size_t *i, size_t *n)
{
    for (size_t k = *i; k < TABLE_SIZE; k++)
        if (lid->table[k].len) {
            *n = lid->table[k].len;
            *i = k + 1;
            return lid->word[k];
        }
    *i = TABLE_SIZE;
    return NULL;
}

uint16_t heed__langid_word_votes_general(const heed_langid *lid, const char *w, size_t n)
{
    uint16_t m = lookup(lid, w, n);
    const char *ap = m ? NULL : memchr(w, '\'', n);
    if (!m && ap && ap > w && (size_t)(ap - w) + 1 < n) {
        size_t head = (size_t)(ap - w) + 1;
        if (english_clitic(ap + 1, n - head)) {
            m = B(L_EN);
        } else {
            uint16_t mh = lookup(lid, w, head);
            uint16_t mt = mh ? lookup(lid, ap + 1, n - head) : 0;
            m = (mh & mt) ? (uint16_t)(mh & mt) : mh;
        }
    }
    return m;
}

/* 1/k for the k languages of a vote, k = 0..15 (0 for none). */
_Static_assert(L_COUNT < 16, "a vote's languages are counted up to 15");
static const double SHARE[16] = {0,        1.0,      1.0 / 2,  1.0 / 3, 1.0 / 4,  1.0 / 5,
                                 1.0 / 6,  1.0 / 7,  1.0 / 8,  1.0 / 9, 1.0 / 10, 1.0 / 11,
                                 1.0 / 12, 1.0 / 13, 1.0 / 14, 1.0 / 15};

/* The votes of word_votes' languages m: 1/k each of k (one language, most
 * words that vote, without counting). */
static inline void vote(uint16_t m, double *votes)
{
    if (!(m & (m - 1))) {
        if (m)
            votes[__builtin_ctz(m)] += 1.0;
        return;
    }
    const double w1 = SHARE[popcount16(m)];
    for (unsigned b = m; b; b &= b - 1)
        votes[__builtin_ctz(b)] += w1;
}

/* What one pass over the tokens gathers. */
typedef struct {
    _Alignas(16) double votes[16]; /* L_COUNT of them; the rest stay 0 (vote_rows) */
    double letters[S_COUNT];       /* per script (Han, kana, Hangul count double) */
    int cyr_uk, arab_fa;
    int other_letters;      /* letters[] has counts besides S_LATIN's */
    double other_total;     /* their sum (with S_NONE's): whole numbers, exact */
    size_t n_voters;        /* Latin words that are not names */
    size_t n_pattern_words; /* words that the spelling patterns may vote on */
} scan_state;

/* The letters among 8 ASCII bytes (no high bit set): per byte, (b | 0x20)
 * in 'a'..'z', tested as b + 0x1f and b + 0x05 reaching 0x80 (no byte
 * carries into the next: b | 0x20 <= 0x7f); the bytes' 0/1 summed by one
 * product. */
static inline size_t letters8(uint64_t w)
{
    const uint64_t x = w | 0x2020202020202020ull;
    const uint64_t m = (x + 0x1f1f1f1f1f1f1f1full) & ~(x + 0x0505050505050505ull) & HIGH_BITS;
    return (size_t)(((m >> 7) * BYTES_01) >> 56);
}

/* The ASCII letters of s[0..n) before its first byte of 0x80 and more, a
 * whole word of up to 8 bytes or 8-byte blocks of a longer one at a time:
 * returns their count, *done the bytes it read past (0..n), after which the
 * caller counts byte by byte. */
static inline size_t ascii_letters(const unsigned char *s, size_t n, size_t *done)
{
    if (n <= 8) {
        const uint64_t w = heed__head8((const char *)s, n);
        *done = w & HIGH_BITS ? 0 : n;
        return *done ? letters8(w) : 0;
    }
    size_t k = 0, count = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t w;
        memcpy(&w, s + k, 8);
        if (w & HIGH_BITS)
            break;
        count += letters8(w);
    }
    *done = k;
    return count;
}

size_t heed__langid_ascii_letters(const char *s, size_t n, size_t *done)
{
    return ascii_letters((const unsigned char *)s, n, done);
}

/* The Latin letters of the word token s[0..n) (flags: its HEED_TF_*) and
 * the scan's counts of its other letters; *is_name: a capitalised word
 * inside a sentence; dia: the languages of its letters with diacritics. */
__attribute__((always_inline)) static inline size_t
word_letters(scan_state *st, const unsigned char *s, size_t n, unsigned flags,
             int first_in_sentence, int *is_name_out, uint16_t dia[3])
{
    uint32_t c0 = n ? s[0] : 0;
    size_t k0 = n && c0 < 0x80 ? 1 : heed__utf8_decode(s, n, &c0);
    int capital = k0 && c0 != 0xFFFD &&
                  ((c0 >= 'A' && c0 <= 'Z') || (c0 >= 0xC0 && c0 <= 0xDE && c0 != 0xD7) ||
                   (c0 >= 0x100 && c0 < 0x180 && !(c0 & 1)));
    /* A name: a capitalised word inside a sentence ("Marta", "Müller"),
     * but not an all-caps shout nor the pronoun "I". */
    int is_name = capital && !first_in_sentence && !(flags & HEED_TF_ALLCAPS) && n > 1;
    /* Letters per script, and the letters with diacritics: dia[0] holds
     * the languages of letters unique to one language, dia[1] to two,
     * dia[2] to more (weights 1, 0.6, 0.3; a word counts once each). */
    size_t k = 0;
    size_t latin = ascii_letters(s, n, &k);
    while (k < n) {
        if (s[k] < 0x80) { /* ASCII: letters are Latin, the rest nothing */
            latin += (unsigned)((s[k] | 0x20) - 'a') < 26u;
            k++;
            continue;
        }
        uint32_t c;
        size_t step = heed__utf8_decode(s + k, n - k, &c);
        if (!step)
            step = 1;
        k += step;
        int sc = script_of(c);
        if (sc != S_LATIN) { /* Latin letters are counted in `latin` */
            const double w = (sc == S_HAN || sc == S_KANA || sc == S_HANGUL) ? 2.0 : 1.0;
            st->letters[sc] += w;
            st->other_total += w;
            st->other_letters = 1;
        }
        if (sc == S_LATIN) {
            latin++;
            if (!is_name) {
                uint16_t m = diacritic_mask(c);
                int pc = popcount16(m);
                dia[pc <= 1 ? 0 : pc == 2 ? 1 : 2] |= m;
            }
        } else if (sc == S_CYRILLIC) {
            /* і ї є ґ (and capitals) are Ukrainian, not Russian. */
            if (c == 0x456 || c == 0x457 || c == 0x454 || c == 0x491 || c == 0x406 || c == 0x407 ||
                c == 0x404 || c == 0x490)
                st->cyr_uk = 1;
        } else if (sc == S_ARABIC) {
            /* پ چ ژ گ are Persian letters, not Arabic ones. */
            if (c == 0x67E || c == 0x686 || c == 0x698 || c == 0x6AF)
                st->arab_fa = 1;
        }
    }
    *is_name_out = is_name;
    return latin;
}

static void scan(const heed_langid *lid, const char *text, const heed_token *toks, size_t n_toks,
                 const heed_word *const *wr, int with_patterns, scan_state *st)
{
    memset(st, 0, sizeof *st);
    size_t latin_total = 0; /* letters[S_LATIN], a sum of whole numbers */
    uint32_t cur_sentence = UINT32_MAX;
    int first_in_sentence = 0;
    for (size_t i = 0; i < n_toks; i++) {
        const heed_token *t = &toks[i];
        if (t->kind == HEED_TOK_PUNCT || t->kind == HEED_TOK_SYMBOL) {
            /* Spanish opening marks ¿ ¡ (U+00BF, U+00A1: C2 BF, C2 A1). */
            const unsigned char *s = (const unsigned char *)text + t->start;
            for (uint32_t k = 0; k + 1 < t->len; k++)
                if (s[k] == 0xC2 && (s[k + 1] == 0xBF || s[k + 1] == 0xA1))
                    st->votes[L_ES] += 1.0;
            continue;
        }
        if (t->kind != HEED_TOK_WORD)
            continue;
        if (t->sentence != cur_sentence) {
            cur_sentence = t->sentence;
            first_in_sentence = 1;
        } else {
            first_in_sentence = 0;
        }
        const unsigned char *s = (const unsigned char *)text + t->start;
        const heed_word *wd = wr ? wr[i] : NULL;
        size_t latin;
        int is_name;
        uint16_t dia[3] = {0, 0, 0};
        if (wd && wd->ascii && t->norm == (const char *)s && (unsigned)(s[0] - 'A') >= 26u) {
            /* an ASCII word of the table written as it is normalised, not
             * capitalised: no name, no diacritic, no other script; its
             * letters counted by the table */
            latin = wd->letters;
            is_name = 0;
        } else {
            latin = word_letters(st, s, t->len, t->flags, first_in_sentence, &is_name, dia);
        }
        latin_total += latin;
        if (latin == 0)
            continue;
        if (!is_name)
            st->n_voters++;
        int hit = 0;
        if (t->len == 1 && s[0] == 'I') {
            /* The pronoun, upper case in English only (Danish "I" is "you"). */
            st->votes[L_EN] += 0.5;
            hit = 1;
        } else {
            const uint16_t m = !wr     ? word_votes(lid, t->norm, t->norm_len)
                               : wr[i] ? wr[i]->lang_votes
                                       : unlisted_votes(lid, t->norm, t->norm_len);
            vote(m, st->votes);
            hit = m != 0;
        }
        if (is_name)
            continue;
        if (dia[0] | dia[1] | dia[2]) {
            for (int l = 0; l < L_COUNT; l++)
                st->votes[l] += (dia[0] & B(l))   ? 1.0
                                : (dia[1] & B(l)) ? 0.6
                                : (dia[2] & B(l)) ? 0.3
                                                  : 0.0;
        }
        if (hit || t->norm_len < 3)
            continue;
        st->n_pattern_words++;
        if (!with_patterns)
            continue;
        uint16_t pm = pattern_mask(lid, t->norm, t->norm_len);
        for (unsigned b = pm; b; b &= b - 1)
            st->votes[__builtin_ctz(b)] += PATTERN_WEIGHT;
    }
    st->letters[S_LATIN] = (double)latin_total;
}

/* heed__langid_top2, inlined into decide */
static inline int top2(const double *votes, int n, double *second)
{
    /* one pass: a vote that takes the lead hands the old leader's on as a
     * candidate for second */
    int best = 1;
    double sec = 0;
    for (int l = 2; l < n; l++) {
        if (votes[l] > votes[best]) {
            if (votes[best] > sec)
                sec = votes[best];
            best = l;
        } else if (votes[l] > sec) {
            sec = votes[l];
        }
    }
    *second = sec;
    return best;
}

int heed__langid_top2(const double *votes, size_t n, double *second)
{
    return top2(votes, (int)n, second);
}

/* Whether a foreign language with fb votes beats English with en votes
 * among n_voters words. */
static inline int leads(double fb, double en, size_t n_voters)
{
    return fb > FOREIGN_RATIO * en &&
           (fb >= MIN_FOREIGN || (fb >= MIN_FOREIGN / 2 && n_voters >= MIN_VOTERS));
}

/* The Latin-script decision: the index of the foreign language chosen, or
 * L_EN. */
static int decide(const double *votes, size_t n_voters, int *best_out, double *second_out)
{
    double second;
    const int best = top2(votes, L_COUNT, &second);
    *best_out = best;
    *second_out = second;
    return leads(votes[best], votes[L_EN], n_voters) ? best : L_EN;
}

/* Whether the spelling patterns, at most `bound` votes per language, could
 * change the decision made without them: they are consulted only then (they
 * cost a third of the time, and most messages are clear without them). */
static int patterns_matter(const double *votes, size_t n_voters, double bound)
{
    if (bound <= 0)
        return 0;
    double v[L_COUNT];
    int best, best2;
    double second, second2;
    int d = decide(votes, n_voters, &best, &second);
    /* Every foreign language up by the bound, English not. */
    memcpy(v, votes, sizeof v);
    for (int l = 1; l < L_COUNT; l++)
        v[l] += bound;
    if (d == L_EN)
        return decide(v, n_voters, &best2, &second2) != L_EN;
    /* Foreign: English up by the bound, or the runner-up close enough. */
    memcpy(v, votes, sizeof v);
    v[L_EN] += bound;
    if (decide(v, n_voters, &best2, &second2) == L_EN)
        return 1;
    return votes[best] - second <= bound;
}

/* Step 1 for a scan that found letters of other scripts: when one of them
 * holds more letters than Latin, fills *out and returns 1; else 0. */
static int script_decides(const scan_state *st, heed_language *out)
{
    const double *letters = st->letters;
    if (!(st->other_total > letters[S_LATIN]))
        return 0; /* no script can hold more than all of them together */
    double total = 0, best_script_n = 0;
    int best_script = S_LATIN;
    for (int sc = 0; sc < S_NONE; sc++) {
        total += letters[sc];
        if (sc != S_LATIN && letters[sc] > best_script_n) {
            best_script_n = letters[sc];
            best_script = sc;
        }
    }
    if (!(best_script_n > letters[S_LATIN]))
        return 0;
    const char *code = SCRIPT_LANG[best_script];
    if (best_script == S_CYRILLIC && st->cyr_uk)
        code = "uk";
    else if (best_script == S_ARABIC && st->arab_fa)
        code = "fa";
    else if (best_script == S_HAN && letters[S_KANA] > 0)
        code = "ja"; /* Japanese writes Han with kana */
    else if (best_script == S_KANA)
        code = "ja";
    set_code(out, code);
    double share = (best_script == S_HAN || best_script == S_KANA ? letters[S_HAN] + letters[S_KANA]
                                                                  : best_script_n) /
                   total;
    if (share > 1)
        share = 1;
    out->confidence = (float)(share * (1.0 - exp(-best_script_n / 4.0)));
    out->scored = 0;
    return 1;
}

/* The output of step 3 given the decision d (L_EN or the foreign language
 * chosen), English's votes en, the leading foreign language's fb and the
 * runner-up's second (read only when d is foreign); exp of English's votes
 * from en_exp (heed_langid's) when not NULL and it holds them, else by
 * exp(): the same value. */
__attribute__((always_inline)) static inline void latin_out(int d, double en, double fb,
                                                            double second, const double *en_exp,
                                                            heed_language *out)
{
    if (d != L_EN) {
        set_code(out, LATIN_CODES[d]);
        out->confidence = (float)(fb / (fb + en + second) * (1.0 - exp(-fb / 2.0)));
        out->scored = 0;
        return;
    }
    set_code(out, "en");
    out->scored = 1;
    if (en <= 0) {
        out->confidence = (float)SHORT_CONFIDENCE;
        return;
    }
    const double q = en * 4.0; /* exact */
    const double e = en_exp && q < N_EN_EXP && q == (double)(unsigned)q
                         ? en_exp[(unsigned)q]
                         : exp(-en / 4.0);
    double c = en / (en + fb) * (1.0 - e);
    out->confidence = (float)(c < SHORT_CONFIDENCE ? SHORT_CONFIDENCE : c);
}

void heed__langid_detect_general(const heed_langid *lid, const char *text, const heed_token *toks,
                                 size_t n_toks, const heed_word *const *wr, heed_language *out)
{
    scan_state st;
    scan(lid, text, toks, n_toks, wr, 0, &st);
    if (st.other_letters && script_decides(&st, out))
        return;
    const double *votes = st.votes;
    if (patterns_matter(votes, st.n_voters, PATTERN_WEIGHT * (double)st.n_pattern_words))
        scan(lid, text, toks, n_toks, wr, 1, &st);
    int best;
    double second;
    int d = decide(votes, st.n_voters, &best, &second);
    latin_out(d, votes[L_EN], votes[best], second, NULL, out);
}

void heed__langid_detect(const heed_langid *lid, const char *text, const heed_token *toks,
                         size_t n_toks, heed_language *out)
{
    heed__langid_detect_words(lid, text, toks, n_toks, NULL, out);
}

/* Whether the bytes s[0..n) are all ASCII: 16 at a time, the rest in two
 * loads of 8 that overlap what was read (nothing read past s[n)). */
static inline int all_ascii(const unsigned char *s, size_t n)
{
    if (n < 8)
        return !(heed__head8((const char *)s, n) & HIGH_BITS);
    uint64_t acc = 0, a, b;
    for (size_t k = 0; k + 16 <= n; k += 16) {
        memcpy(&a, s + k, 8);
        memcpy(&b, s + k + 8, 8);
        acc |= a | b;
    }
    /* the last 16 bytes, or 8 when fewer, read again if the loop did */
    memcpy(&a, s + n - 8, 8);
    memcpy(&b, s + (n >= 16 ? n - 16 : 0), 8);
    acc |= a | b;
    return !(acc & HIGH_BITS);
}

int heed__langid_all_ascii(const char *s, size_t n)
{
    return all_ascii((const unsigned char *)s, n);
}

/* vote for 16 votes v (15 languages, the last unused; 16-byte aligned):
 * a mask of several languages added as its row of heed_langid.spread, 8
 * pairs at a time (adding 0.0 to a vote, never -0.0, leaves its bits). */
static inline void vote_rows(const heed_langid *lid, uint16_t m, double *v)
{
    if (!(m & (m - 1))) {
        if (m)
            v[__builtin_ctz(m)] += 1.0;
        return;
    }
    const unsigned row = lid->spread_of[m];
    if (!row) {
        vote(m, v);
        return;
    }
    const double *w = lid->spread[row];
#ifdef HEED_SSE2
    for (int k = 0; k < 16; k += 2)
        _mm_store_pd(v + k, _mm_add_pd(_mm_load_pd(v + k), _mm_load_pd(w + k)));
#else
    for (int k = 0; k < L_COUNT; k++)
        v[k] += w[k];
#endif
}

/* scan without the spelling patterns, for tokens whose bytes are all ASCII:
 * no letter of another script nor with a diacritic, no Spanish mark, so
 * only the words' function-word votes and the counts of voters and of words
 * the patterns may vote on are gathered, in scan's order (the same sums).
 * letters[] is left unset: other_letters is 0. has_wr: wr is not NULL;
 * with_patterns as scan's.
 * mixed: for any text, as scan would do it: a word with a byte of 0x80 or
 * more goes through word_letters (its letters, diacritics, other scripts),
 * a punct or symbol may hold a Spanish mark; letters[S_LATIN] then gets
 * the Latin letters of those words alone, a lower bound of scan's (the
 * all-ASCII words are not counted). */
__attribute__((always_inline)) static inline void
scan_ascii_in(const heed_langid *lid, const char *text, const heed_token *toks, size_t n_toks,
              const heed_word *const *wr, const int has_wr, const int with_patterns,
              const int mixed, scan_state *st)
{
    double *votes = st->votes;
#ifdef HEED_SSE2
    /* eight stores written out: as a loop it is made a memset (rep stos,
     * one instruction per 8 bytes) */
    const __m128d zero = _mm_setzero_pd();
    _mm_store_pd(votes + 0, zero);
    _mm_store_pd(votes + 2, zero);
    _mm_store_pd(votes + 4, zero);
    _mm_store_pd(votes + 6, zero);
    _mm_store_pd(votes + 8, zero);
    _mm_store_pd(votes + 10, zero);
    _mm_store_pd(votes + 12, zero);
    _mm_store_pd(votes + 14, zero);
#else
    memset(votes, 0, sizeof st->votes);
#endif
    st->cyr_uk = st->arab_fa = st->other_letters = 0;
    st->other_total = 0;
    if (mixed)
        memset(st->letters, 0, sizeof st->letters);
    size_t n_voters = 0, n_pattern_words = 0, latin_other = 0;
    const heed_token *last_word = NULL;
    for (size_t i = 0; i < n_toks; i++) {
        const heed_token *t = &toks[i];
        if (mixed && (t->kind == HEED_TOK_PUNCT || t->kind == HEED_TOK_SYMBOL)) {
            /* Spanish opening marks ¿ ¡ (U+00BF, U+00A1: C2 BF, C2 A1). */
            const unsigned char *s = (const unsigned char *)text + t->start;
            for (uint32_t k = 0; k + 1 < t->len; k++)
                if (s[k] == 0xC2 && (s[k + 1] == 0xBF || s[k + 1] == 0xA1))
                    votes[L_ES] += 1.0;
            continue;
        }
        if (t->kind != HEED_TOK_WORD)
            continue;
        const heed_token *before = last_word;
        last_word = t;
        const unsigned char *s = (const unsigned char *)text + t->start;
        const size_t n = t->len;
        if (!n)
            continue;
        const unsigned c0 = s[0];
        int is_name = 0, is_i = 0;
        uint16_t dia[3] = {0, 0, 0};
        if (mixed && !(n <= 8 ? !(heed__head8((const char *)s, n) & HIGH_BITS) : all_ascii(s, n))) {
            const int first_in_sentence = !before || before->sentence != t->sentence;
            const size_t latin = word_letters(st, s, n, t->flags, first_in_sentence, &is_name, dia);
            latin_other += latin;
            if (latin == 0)
                continue;
        } else if (c0 - 'a' >= 26u) {
            if (c0 - 'A' < 26u) {
                /* a capital inside its sentence, not a shout nor "I" */
                is_name = before && before->sentence == t->sentence &&
                          !(t->flags & HEED_TF_ALLCAPS) && n > 1;
                is_i = n == 1 && c0 == 'I';
            } else {
                /* no Latin letter, no vote: "2nd" has some */
                size_t k = 1;
                while (k < n && (unsigned)((s[k] | 0x20) - 'a') >= 26u)
                    k++;
                if (k == n)
                    continue;
            }
        }
        int hit;
        if (is_i) {
            votes[L_EN] += 0.5;
            hit = 1;
        } else {
            /* a word the table lacks votes only by an apostrophe, and the
             * tokenizer marks each word with one CONTRACTION */
            const uint16_t m = !has_wr ? word_votes(lid, t->norm, t->norm_len)
                               : wr[i] ? wr[i]->lang_votes
                               : t->flags & HEED_TF_CONTRACTION
                                   ? unlisted_votes(lid, t->norm, t->norm_len)
                                   : 0;
            vote_rows(lid, m, votes);
            hit = m != 0;
        }
        if (is_name)
            continue;
        n_voters++;
        if (mixed && (dia[0] | dia[1] | dia[2])) {
            for (int l = 0; l < L_COUNT; l++)
                votes[l] += (dia[0] & B(l))   ? 1.0
                            : (dia[1] & B(l)) ? 0.6
                            : (dia[2] & B(l)) ? 0.3
                                              : 0.0;
        }
        if (!with_patterns) {
            n_pattern_words += !hit && t->norm_len >= 3;
            continue;
        }
        if (hit || t->norm_len < 3)
            continue;
        n_pattern_words++;
        const uint16_t pm = pattern_mask(lid, t->norm, t->norm_len);
        for (unsigned b = pm; b; b &= b - 1)
            votes[__builtin_ctz(b)] += PATTERN_WEIGHT;
    }
    st->n_voters = n_voters;
    st->n_pattern_words = n_pattern_words;
    if (mixed)
        st->letters[S_LATIN] = (double)latin_other;
}

static void scan_ascii(const heed_langid *lid, const char *text, const heed_token *toks,
                       size_t n_toks, const heed_word *const *wr, int with_patterns, scan_state *st)
{
    if (with_patterns)
        scan_ascii_in(lid, text, toks, n_toks, wr, wr != NULL, 1, 0, st);
    else if (wr)
        scan_ascii_in(lid, text, toks, n_toks, wr, 1, 0, 0, st);
    else
        scan_ascii_in(lid, text, toks, n_toks, NULL, 0, 0, 0, st);
}

/* scan_ascii_in's mixed pass, for a text with bytes of 0x80 and more (out
 * of line: one in ten). */
__attribute__((noinline)) static void scan_mixed(const heed_langid *lid, const char *text,
                                                 const heed_token *toks, size_t n_toks,
                                                 const heed_word *const *wr, int with_patterns,
                                                 scan_state *st)
{
    if (with_patterns)
        scan_ascii_in(lid, text, toks, n_toks, wr, wr != NULL, 1, 1, st);
    else
        scan_ascii_in(lid, text, toks, n_toks, wr, wr != NULL, 0, 1, st);
}

/* The largest of the foreign languages' votes (what top2 leads with), of
 * scan_state's 16 aligned votes: with SSE2 two at a time from votes[2], the
 * rest 0 (votes are never negative nor -0.0, so the value is the same). */
static inline double max_foreign(const double *votes)
{
#ifdef HEED_SSE2
    __m128d m = _mm_load_pd(votes + 2);
    for (int k = 4; k < 16; k += 2)
        m = _mm_max_pd(m, _mm_load_pd(votes + k));
    const double a = _mm_cvtsd_f64(m), b = _mm_cvtsd_f64(_mm_unpackhi_pd(m, m));
    double fb = a > b ? a : b;
    return votes[1] > fb ? votes[1] : fb;
#else
    double fb = votes[1];
    for (int l = 2; l < L_COUNT; l++)
        fb = votes[l] > fb ? votes[l] : fb;
    return fb;
#endif
}

/* heed__langid_detect_general with less work for the same output: an
 * all-ASCII text is scanned by scan_ascii, and the decision for English
 * needs only the largest foreign vote, fb. With English decided, the
 * patterns' bound b raises every foreign vote by b, so the largest becomes
 * fb + b (rounding keeps order), all decide looks at. */
void heed__langid_detect_words(const heed_langid *lid, const char *text, const heed_token *toks,
                               size_t n_toks, const heed_word *const *wr, heed_language *out)
{
    scan_state st;
    const int ascii =
        n_toks && all_ascii((const unsigned char *)text + toks[0].start,
                            toks[n_toks - 1].start + toks[n_toks - 1].len - toks[0].start);
    int exact = 0; /* the general scan was made */
    if (ascii) {
        scan_ascii(lid, text, toks, n_toks, wr, 0, &st);
    } else {
        scan_mixed(lid, text, toks, n_toks, wr, 0, &st);
        /* letters[S_LATIN] is a lower bound: when the other scripts' letters
         * pass it, scan counts them all for script_decides */
        if (st.other_letters && st.other_total > st.letters[S_LATIN]) {
            scan(lid, text, toks, n_toks, wr, 0, &st);
            exact = 1;
            if (script_decides(&st, out))
                return;
        }
    }
    const double *votes = st.votes;
    double fb = max_foreign(votes);
    int foreign = leads(fb, votes[L_EN], st.n_voters);
    const double bound = PATTERN_WEIGHT * (double)st.n_pattern_words;
    if (bound > 0 && (foreign ? patterns_matter(votes, st.n_voters, bound)
                              : leads(fb + bound, votes[L_EN], st.n_voters))) {
        if (ascii)
            scan_ascii(lid, text, toks, n_toks, wr, 1, &st);
        else if (exact)
            scan(lid, text, toks, n_toks, wr, 1, &st);
        else
            scan_mixed(lid, text, toks, n_toks, wr, 1, &st);
        fb = max_foreign(votes);
        foreign = leads(fb, votes[L_EN], st.n_voters);
    }
    int best = L_EN;
    double second = 0;
    if (foreign)
        best = top2(votes, L_COUNT, &second);
    latin_out(best, votes[L_EN], fb, second, lid->en_exp, out);
}
