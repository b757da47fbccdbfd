/* lexicon_data.c - the VADER lexicon file (models/vader_lexicon.txt, MIT licence,
 * Hutto & Gilbert 2014) and heed's customer-service supplement
 * (models/heed_cs_lexicon.txt) embedded as read-only bytes, so the library
 * needs no file at run time. The build passes the files' paths. */
#include "lexicon.h"

#if !defined(HEED_LEXICON_PATH) || !defined(HEED_CS_LEXICON_PATH)
#error "HEED_LEXICON_PATH and HEED_CS_LEXICON_PATH must name the models/ files"
#endif

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl heed__vader_lexicon\n"
        ".hidden heed__vader_lexicon\n"
        "heed__vader_lexicon:\n"
        ".incbin \"" HEED_LEXICON_PATH "\"\n"
        ".globl heed__vader_lexicon_end\n"
        ".hidden heed__vader_lexicon_end\n"
        "heed__vader_lexicon_end:\n"
        ".byte 0\n"
        ".globl heed__cs_lexicon\n"
        ".hidden heed__cs_lexicon\n"
        "heed__cs_lexicon:\n"
        ".incbin \"" HEED_CS_LEXICON_PATH "\"\n"
        ".globl heed__cs_lexicon_end\n"
        ".hidden heed__cs_lexicon_end\n"
        "heed__cs_lexicon_end:\n"
        ".byte 0\n"
        ".previous\n");
