/* ioerr.c - see ioerr.h. */
#include "ioerr.h"

#include <stdarg.h>
#include <stdio.h>

int heed_io_fail(heed_error *err, int code, size_t pos, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
        err->pos = pos;
    }
    return code;
}
