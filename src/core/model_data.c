/* model_data.c - embeds models/<name>.model with .incbin when the build found
 * the file (HEED_MODEL_<NAME>_PATH), so a user needs no file at run time. */
#include "model_data.h"

#define EMBED(sym, path)                                                                       \
    __asm__(".section .rodata\n"                                                               \
            ".balign 16\n"                                                                     \
            ".globl " #sym "\n"                                                                \
            ".hidden " #sym "\n" #sym ":\n"                                                    \
            ".incbin \"" path "\"\n"                                                           \
            ".globl " #sym "_end\n"                                                            \
            ".hidden " #sym "_end\n" #sym "_end:\n"                                            \
            ".byte 0\n"                                                                        \
            ".previous\n");                                                                    \
    extern const unsigned char sym[];                                                          \
    extern const unsigned char sym##_end[];

#ifdef HEED_MODEL_EMOTIONS_PATH
EMBED(heed__emotions_model, HEED_MODEL_EMOTIONS_PATH)
heed_blob heed__model_emotions(void)
{
    return (heed_blob){heed__emotions_model,
                       (size_t)(heed__emotions_model_end - heed__emotions_model)};
}
#else
heed_blob heed__model_emotions(void)
{
    return (heed_blob){0, 0};
}
#endif

#ifdef HEED_MODEL_NEEDS_PATH
EMBED(heed__needs_model, HEED_MODEL_NEEDS_PATH)
heed_blob heed__model_needs(void)
{
    return (heed_blob){heed__needs_model, (size_t)(heed__needs_model_end - heed__needs_model)};
}
#else
heed_blob heed__model_needs(void)
{
    return (heed_blob){0, 0};
}
#endif

#ifdef HEED_MODEL_INTENSITY_PATH
EMBED(heed__intensity_model, HEED_MODEL_INTENSITY_PATH)
heed_blob heed__model_intensity(void)
{
    return (heed_blob){heed__intensity_model,
                       (size_t)(heed__intensity_model_end - heed__intensity_model)};
}
#else
heed_blob heed__model_intensity(void)
{
    return (heed_blob){0, 0};
}
#endif

#ifdef HEED_MODEL_EMPATHY_PATH
EMBED(heed__empathy_model, HEED_MODEL_EMPATHY_PATH)
heed_blob heed__model_empathy(void)
{
    return (heed_blob){heed__empathy_model,
                       (size_t)(heed__empathy_model_end - heed__empathy_model)};
}
#else
heed_blob heed__model_empathy(void)
{
    return (heed_blob){0, 0};
}
#endif
