/* freqwords.c - the engine's table of frequent words (freqwords.h): built
 * once from a list of frequent English words, looked up per token by its
 * norm's first 8 bytes and length. */
#include "freqwords.h"

#include <string.h>

#include "alloc.h"
#include "featurize.h"
#include "stress.h"

/* Frequent English words, as the tokenizer normalises them, whose n-gram keys
 * heed__freqwords_new keeps: a word out of it costs its lookups per message,
 * one in it some 700 instructions when the engine is made, so the list
 * holds the words of nearly every message and not, say, the lexicon's.
 * Written for heed: function words, pronouns and their contractions, common
 * verbs, adverbs and nouns of everyday and customer-service text. */
static const char FREQUENT_WORDS[] =
    "the a an and or but if of to in on at for with from by about as into over after before "
    "up out off down than then so too very just also only even still already yet again "
    "not no nor never is are was were be been being am do does did done doing have has had "
    "having i me my mine myself you your yours yourself we us our ours they them their "
    "theirs he him his she her hers it its itself this that these those there here what "
    "which who whom whose when where why how can could will would shall should may might "
    "must ok okay yes yeah yep nope oh hi hello hey dear thanks thank thx please sorry "
    "lol haha i'm i've i'll i'd you're you've you'll you'd we're we've we'll we'd they're "
    "they've they'll they'd he's she's it's that's there's what's who's here's let's "
    "don't doesn't didn't can't couldn't won't wouldn't shouldn't isn't aren't wasn't "
    "weren't haven't hasn't hadn't ain't y'all any some all every each more most much "
    "many few little lot lots other another same such own both either neither none "
    "nothing something anything everything someone anyone everyone nobody somebody "
    "one two three four five first second last next new old good great nice bad better "
    "best worse worst big small long short high low right wrong real sure true full free "
    "quick fast slow late early hard easy able whole get got gets getting go goes going "
    "gone went come comes coming came make makes making made take takes taking took "
    "taken give gives given gave see sees seen saw look looks looking looked know knows "
    "knew known think thinks thought want wants wanted need needs needed say says said "
    "tell told ask asked asking use used using try tried trying call called keep kept "
    "put let feel felt seem seems find found work works working worked help helps "
    "mean means meant show shows read pay paid buy bought send sent wait waiting "
    "check change start stop open close leave left like love hate hope wish believe "
    "understand understood happen happened happens guess sound sounds talk talking "
    "really actually probably maybe always usually often sometimes ever now today "
    "tomorrow yesterday soon later ago since while until because though although "
    "through around without within against between under away back well enough "
    "almost instead else rather quite pretty kind sort thing things stuff way time "
    "times day days week weeks month months year years hour hours minute minutes "
    "people person man men woman women guy guys kid kids friend friends family life "
    "world home house car name number money account order orders item items product "
    "service support team customer email phone card payment price delivery package "
    "refund problem problems issue issues question questions answer reason point "
    "fact case part place story post game movie video job company store app website "
    "information update message reply side end idea word words head hand eyes "
    /* as typed without the apostrophe, and chat spellings */
    "dont cant im didnt doesnt isnt wasnt wont thats ive ill id youre theyre whats "
    "u ur r ya yea gonna wanna gotta kinda tho tbh omg btw pls plz asap "
    /* more of everyday English */
    "least far less bit mind different possible once sense hear heard thinking imagine "
    "half extra amount expect top stay age feels seeing absolutely online cause couple "
    "night set especially country ones young others run finally correct hit past "
    "showing quality completely single deal add realize complete system line noticed "
    "however forgot parents totally state become screen bill together child children "
    "cannot opinion during experience anymore except details started turn history level "
    "report standard pass course morning entire list action hold explain photo rest "
    "business likely themselves double unless figure direct apparently break sign "
    "available bring style difference type art water receive control moment situation "
    "posted speak reading basically twice recently machine drive delete power changed "
    "attention simply several piece book area normal move otherwise cost listen option "
    "future effort obviously himself wondering forward longer turned despite verify "
    "date anyway points arrive claim hands tonight class running eye above earlier "
    "behind learn calling brother mostly reality cold source ending balance offer "
    "somehow actual pick advice whatever lives front along happening response living "
    "status choose plan room based writing walk anywhere process supposed version "
    "indeed across similar feelings afraid ended touch allowed gotten expecting fall "
    "group stand current places notice common somewhere deserve content paying spent "
    "barely purchased withdraw trade debit average keeps personally verification "
    "watch live remember rate saying exactly literally comment charge transaction "
    "assistance declined pin purchase identity cards received address transfer "
    "transfers exchange cash fee fees pending statement funds bank currency "
    "payments transactions withdrawal account's accounts login password reset "
    "cancel cancelled canceled subscription invoice receipt shipping shipped tracking "
    "arrived arriving delivered missing damaged broken wrong replacement return "
    "returned exchange warranty store online contact agent manager supervisor "
    "complaint email emails phone call calls chat waiting waited hold minutes "
    "charged double overcharged billing billed credit debit limit fraud blocked "
    "locked verify verified code link app website site page error crash crashes "
    "working fixed issue resolved solution respond responded response ticket "
    "case number asked request requested days business weekend monday tuesday "
    "wednesday thursday friday saturday sunday week month ago since already yet "
    /* more of everyday and customer-service English: common nouns, verbs
     * and their forms, adjectives and adverbs */
    "accept accepted access accident accidentally according acted actions active activity "
    "added adding addresses admin admit adult advance advantage affect affected afford "
    "afternoon agree agreed agreement ahead air allow allows alone alright amazing amazon "
    "angry annoyed annoying answered answers anybody anyhow apart apologies apologise "
    "apologize appear appears apple application applied apply appointment appreciate "
    "appreciated approach approved april argument arm army arrange arrival arrives article "
    "asks asleep assume attack attempt attempts august aware awesome awful baby background "
    "badly bag bags banking bar base basic bathroom battery bay beautiful beauty became bed "
    "beginning begin believed belong benefit beside beyond bike billion birth birthday black "
    "blame blue board body booked booking books born boss bother bothered bottom box boxes "
    "boy boyfriend brain brand brilliant broke brought brown budget build building built "
    "bunch bus busy buying cable calm camera campaign cancelling cancellation capital care "
    "careful carefully carry cases cat caught center central centre certain certainly chance "
    "chances changes changing channel chapter character charges charging cheap cheaper "
    "checked checking choice chose church city claims clean clear clearly click clicked "
    "client clients clock closed closing clothes club coffee collect collected college color "
    "colour comfortable comments community companies complain complained complaining "
    "complaints completed computer concern concerned condition confirm confirmation confirmed "
    "confused confusing connect connected connection consider considered constantly contacted "
    "contacting continue contract conversation cool copy corner costs couldnt cover covered "
    "crazy create created crime cry culture cup curious customers cut cute daily damage dark "
    "data daughter dead death december decide decided decision deep definitely degree delay "
    "delayed delays deliver delivering department deposit describe description design desk "
    "detail development device devices die died dinner direction directly dirty disappointed "
    "disappointing discount discuss disease dispute doctor document documents dog dollar "
    "dollars door doubt download drink driver driving drop dropped due dumb duty earn easier "
    "easily east eat eating economy edit education effect eight election electric elsewhere "
    "emergency employee employees empty energy engine enjoy enjoyed entirely environment "
    "episode equal errors evening event events eventually evidence evil exact example "
    "examples excellent excited exciting excuse exist expected expensive experienced "
    "explained explanation face facebook failed fails failure fair fairly faith fake familiar "
    "famous fan fans fantastic father fault favorite favourite fear february federal feed "
    "feedback feeling female field fight file filled final financial fine finish finished "
    "fire firm fit fix fixing flight floor fly follow followed following food foot force form "
    "former forms fortunately forever freedom fresh friendly fully fun funny gas gender "
    "general generally gift girl girlfriend girls giving glad global goal god gold golf goods "
    "google government grade grand green ground grow growing guarantee guaranteed hair handle "
    "handled hang happier happily happy harder hardly hated health healthy heart heavy hell "
    "helped helpful helping hidden hide higher highly hire holiday honest honestly horrible "
    "hospital hot hotel huge human hundred hungry hurt husband ignore ignored ignoring image "
    "immediately impossible important improve include included including income increase "
    "incredible incorrect individual industry info inside install installed insurance "
    "interest interested interesting internet interview involved island january joke journey "
    "judge july jump june justice key kill killed kitchen knowledge lack lady land language "
    "large largely latest laugh law lawyer lead leader learned learning leaving led legal "
    "letter letters lie lied light likes limited lines linked listed loan local location lock "
    "lonely lose losing loss lost loud lovely lower luck lucky lunch mad mail main mainly "
    "major male manage managed manner march mark market marriage married match matter matters "
    "meal meaning meanwhile measure media medical medicine meet meeting member members memory "
    "mental mention mentioned menu mess method middle mile miles military million minor "
    "mistake mistakes mobile model modern mom moments mood mother mouth moved movement movies "
    "moving mum music nature near nearly necessary neck negative neighbor network noise "
    "normally north note notification notifications november nowhere nurse obvious occur "
    "october odd offered offering office officer official oil older opened opening operation "
    "operator opportunity options orange ordered ordering organization original originally "
    "outside overall owe owner pages pain paper parcel park parking particular particularly "
    "partner party passed patience patient pattern paypal peace perfect perfectly perhaps "
    "period permission personal pet photos physical picked picture pictures pizza plans "
    "platform play played player players playing pleasant pleased pleasure plenty pocket "
    "police policy political poor popular position positive possibly postal potential pound "
    "pounds practice prefer premium prepared present president pressure prevent previous "
    "previously print priority private processed processing produce professional profile "
    "program progress project promise promised proof proper properly protect protection proud "
    "provide provided provider public pull purpose push putting quickly quiet quit race radio "
    "raise random rarely reach reached react ready realise realised realized reasons "
    "receiving recent recommend record red refunded refunds refuse refused regarding region "
    "regular regularly related relationship release remain remove removed renew rent repair "
    "repaired repeat replace replaced replied reported requests require required research "
    "resolve respect responsible result results retail review reviews rich ride ring risk "
    "road rock role rude rule rules rush sad safe safety sale sales save saved saving scared "
    "school science score sea search season seat seconds secret section secure security "
    "seemed sell selling separate september serious seriously served server services session "
    "setting settings setup seven sex shame share shared ship shipment shit shoe shoes shop "
    "shopping shot shouldnt shut sick signed silly simple sir sister sites sitting size skin "
    "sleep slightly slowly smart smile social society soft sold solve son song sorted south "
    "space speaking special specific speed spend spending sport staff stage standing star "
    "stars starting station stayed step stolen stopped stopping straight strange street "
    "stress strong student students study stupid subject success successful suddenly suffer "
    "suggest suggestion summer sun super supply suppose surely surprise surprised survey "
    "sweet switch table talked tax tea teacher teaching tech technical technology telling "
    "term terms terrible test tested text texted thanked thankful therefore third thousand "
    "threat throughout tickets till tired title toilet tone tool total tough towards town "
    "track traffic train training transferred travel treat treated treatment tree trial trip "
    "trouble truck trust truth tv typical ugly ultimately unable unclear uncle unfortunate "
    "unfortunately unhappy union unit university unknown unlike unlikely upset upon upgrade "
    "urgent usa useful useless user username users usual value various via view visit voice "
    "vote wake walked wall war warm wash waste wasted watching weather weight weird welcome "
    "west white wife wild willing win window windows winter wise wonder wonderful wood wooden "
    "worker workers worried worry worth wow write written wrote yellow younger zero";

typedef heed_words_cell cell;

const heed_word *heed__freqwords_probe(const heed_words *ws, uint64_t head, const char *w, size_t n)
{
    for (size_t i = heed__freqwords_cell(ws, head, n); ws->cells[i].word; i = (i + 1) & ws->mask) {
        const cell *c = &ws->cells[i];
        if (c->head == head && c->len == n) {
            const heed_word *e = &ws->word[c->word - 1];
            if (n <= 8 || heed__mem_eq(ws->text + e->text_off + 8, w + 8, n - 8))
                return e;
        }
    }
    return NULL;
}

/* The word w[0..n), or NULL. */
static inline const heed_word *find(const heed_words *ws, const char *w, size_t n)
{
    return heed__freqwords_get(ws, heed__head8(w, n), w, n);
}

/* Building: where the next word's bytes and keys go, and the room for keys. */
typedef struct builder {
    size_t text_len, n_keys, key_cap;
} builder;

/* Adds w[0..n) unless it is there already (the cells have room). */
static void add(heed_words *ws, builder *b, const heed_lexicon *lx, const heed_langid *lid,
                const heed_asks_index *asks, const heed_feat_opts *chars, const char *w, size_t n)
{
    if (!n || n > UINT16_MAX || find(ws, w, n))
        return;
    const unsigned asks_id = asks ? heed__asks_word_id(asks, w, n) : 0;
    heed_word *e = &ws->word[ws->n_words];
    *e = (heed_word){.hash = heed__hash(w, n),
                     .lex = lx ? heed__lexicon_get(lx, w, n) : NULL,
                     .keys = ws->keys + b->n_keys,
                     .text_off = (uint32_t)b->text_len,
                     .len = (uint16_t)n,
                     .lang_votes = lid ? heed__langid_word_votes(lid, w, n) : 0,
                     .asks_cls = asks ? heed__asks_word_cls(asks, asks_id) : 0,
                     .asks_id = (uint16_t)asks_id,
                     .negator = (uint8_t)heed__features_negator(w, n),
                     .uni_key = heed__features_unigram(w, n, 0),
                     .neg_key = heed__features_unigram(w, n, 1)};
    e->lex_cls = e->lex ? e->lex->cls : 0;
    size_t letters = 0, high = 0;
    for (size_t k = 0; k < n; k++) {
        letters += (unsigned)(((unsigned char)w[k] | 0x20) - 'a') < 26u;
        high |= (unsigned char)w[k] & 0x80;
    }
    e->ascii = !high && n <= 255;
    e->letters = e->ascii ? (uint8_t)letters : 0;
    if (chars) {
        const size_t room = b->key_cap - b->n_keys;
        if (room < 3 * ((n > HEED_FEAT_WORD_BYTES ? HEED_FEAT_WORD_BYTES : n) + 2))
            return; /* no room: the word is left out */
        e->n_keys = (uint16_t)heed__features_word_keys(chars, w, n, ws->keys + b->n_keys, room);
        b->n_keys += e->n_keys;
    }
    memcpy(ws->text + b->text_len, w, n);
    b->text_len += n;
    const uint64_t head = heed__head8(w, n);
    size_t i = heed__freqwords_cell(ws, head, n);
    while (ws->cells[i].word)
        i = (i + 1) & ws->mask;
    ws->cells[i] = (cell){head, (uint32_t)n, (uint32_t)++ws->n_words};
}

/* heed__stress_each_word's callbacks: count the words and their bytes, add
 * them, see that each is there. */
typedef struct stress_words {
    heed_words *ws;
    builder *b;
    const heed_lexicon *lx;
    const heed_langid *lid;
    const heed_asks_index *asks;
    const heed_feat_opts *chars;
    size_t n_words, bytes;
    int missing;
} stress_words;

static void count_stress_word(void *ctx, const char *w, size_t n)
{
    stress_words *s = ctx;
    (void)w;
    s->n_words++;
    s->bytes += n;
}

static void add_stress_word(void *ctx, const char *w, size_t n)
{
    stress_words *s = ctx;
    add(s->ws, s->b, s->lx, s->lid, s->asks, s->chars, w, n);
}

static void find_stress_word(void *ctx, const char *w, size_t n)
{
    stress_words *s = ctx;
    s->missing |= !find(s->ws, w, n);
}

/* The next word of the space-separated list at *p: its length, *p moved on. */
static size_t next_word(const char **p, const char **w)
{
    const char *s = *p, *e = strchr(s, ' ');
    const size_t n = e ? (size_t)(e - s) : strlen(s);
    *w = s;
    *p = s + n + (e != NULL);
    return n;
}

int heed__freqwords_new(const heed_lexicon *lx, const heed_langid *lid, const heed_asks_index *asks,
                        const struct heed_feat_opts *chars, heed_words **out)
{
    *out = NULL;
    if (chars && !(chars->flags & (HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4)))
        chars = NULL;
    size_t n_words = 0, bytes = 0;
    const char *w;
    for (const char *p = FREQUENT_WORDS; *p; n_words++)
        bytes += next_word(&p, &w);
    /* and every word of the asks index and of the language lists, so that a
     * word token not in the table is known to be in neither */
    const size_t n_asks = asks ? heed__asks_n_words(asks) : 0;
    size_t n;
    for (size_t k = 0; k < n_asks; k++, n_words++) {
        heed__asks_word(asks, k, &n);
        bytes += n;
    }
    for (size_t i = 0; lid && heed__langid_list_word(lid, &i, &n); n_words++)
        bytes += n;
    /* and the stress stage's words (heed__freqwords_holds_stress) */
    stress_words sw = {NULL, NULL, lx, lid, asks, chars, 0, 0, 0};
    heed__stress_each_word(count_stress_word, &sw);
    n_words += sw.n_words;
    bytes += sw.bytes;
    size_t cap = 16;
    unsigned shift = 60;
    while (cap < 2 * n_words) {
        cap *= 2;
        shift--;
    }
    /* keys: at most 3 (n + 2) a word */
    builder b = {0, 0, chars ? 3 * (bytes + 2 * n_words) : 0};
    heed_words *ws = heed__calloc(1, sizeof *ws);
    if (!ws)
        return HEED_ENOMEM;
    for (unsigned c = 0; c < 256; c++) {
        const char one = (char)c;
        ws->hash1[c] = heed__hash(&one, 1);
    }
    ws->char_flags = chars ? chars->flags & (HEED_FEAT_CHARGRAMS | HEED_FEAT_CHAR4) : 0;
    ws->mask = cap - 1;
    ws->shift = shift;
    ws->cells = heed__calloc(cap, sizeof *ws->cells);
    /* the words on 64-byte boundaries: a word's facts in as few cache lines
     * as its size allows (one, at 64 bytes) */
    ws->word_mem = heed__malloc((n_words ? n_words : 1) * sizeof *ws->word + 63);
    ws->word = ws->word_mem ? (heed_word *)(void *)(((uintptr_t)ws->word_mem + 63) & ~(uintptr_t)63)
                            : NULL;
    ws->text = heed__malloc(bytes ? bytes : 1);
    ws->keys = heed__calloc(b.key_cap + 8, sizeof *ws->keys); /* + 8: write_chars reads 8 */
    if (!ws->cells || !ws->word || !ws->text || !ws->keys) {
        heed__freqwords_free(ws);
        return HEED_ENOMEM;
    }
    for (const char *p = FREQUENT_WORDS; *p;) {
        n = next_word(&p, &w);
        add(ws, &b, lx, lid, asks, chars, w, n);
    }
    for (size_t k = 0; k < n_asks; k++) {
        w = heed__asks_word(asks, k, &n);
        add(ws, &b, lx, lid, asks, chars, w, n);
    }
    for (size_t i = 0; lid && (w = heed__langid_list_word(lid, &i, &n));)
        add(ws, &b, lx, lid, asks, chars, w, n);
    sw.ws = ws;
    sw.b = &b;
    heed__stress_each_word(add_stress_word, &sw);
    heed__stress_each_word(find_stress_word, &sw); /* a word may lack room for its keys */
    ws->holds_stress = !sw.missing;
    *out = ws;
    return HEED_OK;
}

void heed__freqwords_free(heed_words *ws)
{
    if (!ws)
        return;
    heed__free(ws->cells);
    heed__free(ws->word_mem);
    heed__free(ws->text);
    heed__free(ws->keys);
    heed__free(ws);
}

void heed__freqwords_set_stress(heed_words *ws, const heed_stress_index *ix)
{
    for (size_t i = 0; i < ws->n_words; i++)
        ws->word[i].stress =
            heed__stress_word_class(ix, ws->text + ws->word[i].text_off, ws->word[i].len);
}

uint32_t heed__freqwords_char_flags(const heed_words *ws)
{
    return ws ? ws->char_flags : 0;
}

int heed__freqwords_holds_stress(const heed_words *ws)
{
    return ws && ws->holds_stress;
}

void heed__freqwords_find(const heed_words *ws, const heed_token *toks, size_t n, uint64_t *th,
                          const heed_word **wr)
{
    for (size_t i = 0; i < n; i++) {
        const heed_token *t = &toks[i];
        /* a word of the table has its hash, and the table those of one byte */
        const heed_word *e = ws && (t->kind == HEED_TOK_WORD || t->kind == HEED_TOK_HASHTAG)
                                 ? find(ws, t->norm, t->norm_len)
                                 : NULL;
        wr[i] = e;
        th[i] = e    ? e->hash
                : ws ? heed__freqwords_hash(ws, t->norm, t->norm_len)
                     : heed__hash(t->norm, t->norm_len);
    }
}
