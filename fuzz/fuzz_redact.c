/* fuzz_redact.c - fuzz target for PII redaction (src/journey/redact.c). Valid
 * UTF-8 inputs are redacted with a fixed key, once with all kinds and once with
 * the kinds and default country taken from the first byte. Checks: findings in
 * order, inside the text and not overlapping; the output is the text with each
 * span replaced by its token; redacting the output again finds nothing inside
 * or across a token. Violations abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heed/heed.h"
#include "redact.h"

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

/* Checks r against text; when spans is not NULL, sets spans[2i], spans[2i + 1] to
 * where finding i's token starts and ends in r->text. */
static void check(const char *text, size_t len, const heed_redaction *r, size_t *spans)
{
    size_t pos = 0, o = 0;
    CHECK(r->text && r->text[r->len] == '\0');
    for (size_t i = 0; i < r->n_findings; i++) {
        const heed_finding *f = &r->findings[i];
        CHECK(f->kind >= 0 && f->kind < HEED_PII_KIND_COUNT);
        CHECK(f->start >= pos && f->len > 0 && f->start + f->len <= len);
        CHECK(strlen(f->hash) == HEED_KEY_HEX);
        size_t gap = f->start - pos;
        CHECK(o + gap <= r->len && !memcmp(r->text + o, text + pos, gap));
        o += gap;
        char tok[64];
        int n = snprintf(tok, sizeof tok, "[%s:%s]", heed_pii_kind_name(f->kind), f->hash);
        CHECK(n > 0 && o + (size_t)n <= r->len && !memcmp(r->text + o, tok, (size_t)n));
        if (spans) {
            spans[2 * i] = o;
            spans[2 * i + 1] = o + (size_t)n;
        }
        o += (size_t)n;
        pos = f->start + f->len;
    }
    CHECK(r->len - o == len - pos && !memcmp(r->text + o, text + pos, len - pos));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char key[HEED_KEY_BYTES] = "fuzz key: not a secret, 32 bytes";
    const char *text = (const char *)data;
    if (heed_utf8_validate(text, size, NULL) != HEED_OK)
        return 0;
    heed_hasher *h = NULL;
    if (heed_hasher_new(key, HEED_KEY_BYTES, &h, NULL) != HEED_OK)
        abort();
    heed_redaction r;
    CHECK(heed_redact(h, text, size, NULL, &r, NULL) == HEED_OK);
    size_t *spans = malloc((2 * r.n_findings + 1) * sizeof *spans);
    if (!spans)
        abort();
    check(text, size, &r, spans);
    /* redacting the output again touches no token: every token survives (a
     * finding between tokens may be new: what the first pass read as part of
     * a longer run) */
    heed_redaction r2;
    CHECK(heed_redact(h, r.text, r.len, NULL, &r2, NULL) == HEED_OK);
    for (size_t i = 0; i < r2.n_findings; i++) {
        const heed_finding *f = &r2.findings[i];
        for (size_t t = 0; t < r.n_findings; t++)
            CHECK(f->start + f->len <= spans[2 * t] || f->start >= spans[2 * t + 1]);
    }
    free(spans);
    heed_redaction_release(&r2);
    heed_redaction_release(&r);

    heed_redact_opts o = {0};
    if (size) {
        o.kinds = data[0] & HEED_REDACT_ALL;
        o.default_cc = (data[0] & 0x20) ? "44" : (data[0] & 0x40) ? "1" : NULL;
    }
    CHECK(heed_redact(h, text, size, &o, &r, NULL) == HEED_OK);
    check(text, size, &r, NULL);
    for (size_t i = 0; i < r.n_findings; i++)
        CHECK(!o.kinds || (o.kinds & (1u << r.findings[i].kind)));
    heed_redaction_release(&r);
    heed_hasher_free(h);
    return 0;
}
