/* jargon_data.c - models/jargon.tsv (customer-service jargon with plain-language
 * suggestions, written for heed) embedded as read-only bytes, so the library
 * needs no file at run time. The build passes the file's path. */
#include "familiar.h"

#ifndef HEED_JARGON_PATH
#error "HEED_JARGON_PATH must name models/jargon.tsv"
#endif

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl heed__jargon_tsv\n"
        ".hidden heed__jargon_tsv\n"
        "heed__jargon_tsv:\n"
        ".incbin \"" HEED_JARGON_PATH "\"\n"
        ".globl heed__jargon_tsv_end\n"
        ".hidden heed__jargon_tsv_end\n"
        "heed__jargon_tsv_end:\n"
        ".byte 0\n"
        ".previous\n");
