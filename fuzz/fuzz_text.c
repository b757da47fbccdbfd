/* fuzz_text.c - fuzz target for the record reader in plain-text mode (one
 * message per line); its second run uses format auto-detection, so detection
 * sees every input too. The checks are those of fuzz_jsonl.c, included here. */
#define FUZZ_FORMAT HEED_FMT_TEXT
#define FUZZ_FORMAT2 HEED_FMT_AUTO
#include "fuzz_jsonl.c"
