/* engine_fixture.h - the shared cmocka group fixture of the unit tests that
 * analyse through one default engine: `eng`, built by setup and freed by
 * teardown (cmocka_run_group_tests(tests, setup, teardown)). Included by one
 * test file each, after <cmocka.h>. */
#ifndef HEED_ENGINE_FIXTURE_H
#define HEED_ENGINE_FIXTURE_H

#include "heed/heed.h"

static heed_engine *eng;

static int setup(void **state)
{
    (void)state;
    heed_error err;
    return heed_engine_new(NULL, &eng, &err) == HEED_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    heed_engine_free(eng);
    return 0;
}

#endif
