/* ioerr.h - the one way the readers fill a heed_error. */
#ifndef HEED_IOERR_H
#define HEED_IOERR_H

#include <stddef.h>

#include "heed/heed.h"

/* Sets err (when not NULL) to code, pos and the printf-style message (cut
 * to fit err->msg); returns code. */
int heed_io_fail(heed_error *err, int code, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
