/* ingest_pii.c - redaction and contact keys for `heed import` and the API's ingest, with the
 * store's secret key (docs/privacy.md). Contact keys come from the records'
 * contact fields only: an address or number mentioned inside a message is
 * redacted but links nothing, since customers also write other people's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "keys.h"
#include "redact.h"

int heed_import_pii_setup(heed_import *im, heed_error *err)
{
    unsigned char key[HEED_STORE_SECRET_LEN];
    _Static_assert(HEED_STORE_SECRET_LEN == HEED_KEY_BYTES, "one key size");
    int rc = HEED_OK;
    if (im->secret)
        memcpy(key, im->secret, sizeof key);
    else
        rc = heed_store_secret(im->st, key, err);
    heed_hasher *h = NULL;
    if (!rc)
        rc = heed_hasher_new(key, sizeof key, &h, err);
    memset(key, 0, sizeof key);
    if (rc) {
        if (!err->msg[0])
            snprintf(err->msg, sizeof err->msg, "%s", heed_strerror(rc));
        return -1;
    }
    im->pii = h;
    return 0;
}

void heed_import_pii_teardown(heed_import *im)
{
    heed_hasher_free(im->pii);
    im->pii = NULL;
}

int heed_import_redact(heed_import *im, const char *text, size_t len, heed_buf *out)
{
    heed_redact_opts o = {.default_cc = im->country};
    heed_redaction r = {0};
    int rc = heed_redact(im->pii, text, len, &o, &r, NULL);
    if (rc == HEED_OK)
        heed__buf_add(out, r.text, r.len);
    heed_redaction_release(&r);
    return rc == HEED_OK && !out->err ? 0 : -1;
}

int heed_import_key(heed_import *im, const char *kind, const char *value,
                    char out[HEED_IMPORT_TOKEN])
{
    char norm[HEED_KEY_NORM_MAX];
    size_t n = strlen(value);
    int rc;
    if (!strcmp(kind, "email"))
        rc = heed_key_email(value, n, norm, NULL);
    else if (!strcmp(kind, "phone"))
        rc = heed_key_phone(value, n, im->country, norm, NULL);
    else if (!strcmp(kind, "handle"))
        rc = heed_key_handle(value, n, norm, NULL);
    else
        return 0;
    _Static_assert(HEED_KEY_HEX + 1 <= HEED_IMPORT_TOKEN, "a token fits");
    if (rc != HEED_OK || heed_key_hash(im->pii, kind, norm, out) != HEED_OK)
        return 0;
    return 1;
}
