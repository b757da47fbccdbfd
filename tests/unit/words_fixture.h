/* words_fixture.h - the shared cmocka group fixture of the unit tests that
 * read the engine's table of frequent words: the built-in lexicons `lx`, the
 * language lists `lid`, the asks index `asks` and the table `ws` made from
 * them with the character 4-gram keys of CHAR4, built by setup and freed by
 * teardown (cmocka_run_group_tests(tests, setup, teardown)). Included by one
 * test file each, after <cmocka.h>. */
#ifndef HEED_WORDS_FIXTURE_H
#define HEED_WORDS_FIXTURE_H

#include "asks.h"
#include "featurize.h"
#include "freqwords.h"
#include "langid.h"
#include "lexicon.h"

static heed_lexicon *lx;
static heed_langid *lid;
static heed_asks_index *asks;
static heed_words *ws;
static const heed_feat_opts CHAR4 = {HEED_FEAT_CHAR4};

static int setup(void **state)
{
    (void)state;
    if (heed__lexicon_new(heed__vader_lexicon,
                          (size_t)(heed__vader_lexicon_end - heed__vader_lexicon), heed__cs_lexicon,
                          (size_t)(heed__cs_lexicon_end - heed__cs_lexicon), &lx, NULL) ||
        heed__langid_new(&lid) || heed__asks_index_new(&asks) ||
        heed__freqwords_new(lx, lid, asks, &CHAR4, &ws))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    heed__freqwords_free(ws);
    heed__asks_index_free(asks);
    heed__langid_free(lid);
    heed__lexicon_free(lx);
    return 0;
}

#endif
