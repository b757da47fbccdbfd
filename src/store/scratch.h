/* scratch.h - a key-value map kept in a private temporary SQLite database
 * (deleted when closed) with a small page cache, so that a map that grows
 * with an import's input stays out of memory: `heed import mbox` keeps its
 * mail threads here (mail.h, heed_mail_idmap). Nothing of it is in the store. */
#ifndef HEED_SCRATCH_H
#define HEED_SCRATCH_H

#include <stddef.h>

#include "heed/heed.h"

/* Page cache of a scratch map. */
#define HEED_SCRATCH_CACHE ((size_t)1 << 20)

typedef struct heed_scratch heed_scratch;

/* Opens an empty map. Its file is made only once the cache is full, in
 * SQLite's temporary directory (SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp,
 * /tmp). Returns HEED_OK and *out, HEED_EIO or HEED_ENOMEM. */
HEED_NODISCARD int heed_scratch_open(heed_scratch **out, heed_error *err);

/* The value of key k[0..kn): 1 and *v, *vn (valid until the next call on s),
 * 0 when there is none, or HEED_EIO. */
HEED_NODISCARD int heed_scratch_get(heed_scratch *s, const char *k, size_t kn, const char **v,
                                    size_t *vn, heed_error *err);

/* Sets k -> v unless k has a value already (which it keeps). Returns HEED_OK
 * or HEED_EIO (a full disk included). */
HEED_NODISCARD int heed_scratch_put(heed_scratch *s, const char *k, size_t kn, const char *v,
                                    size_t vn, heed_error *err);

/* Closes and deletes the map; NULL does nothing. */
void heed_scratch_close(heed_scratch *s);

#endif
