/* openapi_data.c - docs/openapi.json embedded with .incbin (like the models in
 * src/core/model_data.c), served at GET /v1/openapi.json. */
#include <stddef.h>

#include "server_int.h"

#ifndef HEED_OPENAPI_PATH
#error "HEED_OPENAPI_PATH must name docs/openapi.json (set by CMakeLists.txt)"
#endif

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl heed__openapi_json\n"
        ".hidden heed__openapi_json\n"
        "heed__openapi_json:\n"
        ".incbin \"" HEED_OPENAPI_PATH "\"\n"
        ".globl heed__openapi_json_end\n"
        ".hidden heed__openapi_json_end\n"
        "heed__openapi_json_end:\n"
        ".byte 0\n"
        ".previous\n");
extern const char heed__openapi_json[];
extern const char heed__openapi_json_end[];

const char *heed_srv_openapi(size_t *len)
{
    *len = (size_t)(heed__openapi_json_end - heed__openapi_json);
    return heed__openapi_json;
}
