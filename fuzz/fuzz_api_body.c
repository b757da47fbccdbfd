/* fuzz_api_body.c - the HTTP API's request body parsers (src/server/reqbody.c)
 * on arbitrary bytes: the first byte picks the parser (analyze or check-reply),
 * the rest is the body. Every result must be a clean success or an error with a
 * status in 4xx/5xx, and the error object must serialise. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "reqbody.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] & 1;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    heed_srv_error e = {0};
    heed_buf b;
    heed__buf_init(&b, 0);
    if (which == 0) {
        heed_srv_analyze_req r;
        int st = heed_srv_parse_analyze(body, len, 3, &r, &e);
        assert(st == 0 || (st >= 400 && st < 600));
        if (st)
            heed_srv_error_json(&b, &e, "rid");
        for (size_t i = 0; !st && i < r.n; i++) {
            if (r.msgs[i].is_bad)
                heed_srv_error_json(&b, &r.msgs[i].err, NULL);
            else
                assert(r.msgs[i].text && strlen(r.msgs[i].text) == r.msgs[i].text_len);
        }
        heed_srv_analyze_release(&r);
    } else {
        heed_srv_check_req r;
        int st = heed_srv_parse_check(body, len, &r, &e);
        assert(st == 0 || (st >= 400 && st < 600));
        if (st)
            heed_srv_error_json(&b, &e, NULL);
        else
            assert(r.customer && r.reply);
        heed_srv_check_release(&r);
    }
    heed__buf_release(&b);
    return 0;
}
