/* fuzz_csv.c - fuzz target for the record reader in CSV mode (header row,
 * RFC 4180 quoting). The checks are those of fuzz_jsonl.c, included here. */
#define FUZZ_FORMAT HEED_FMT_CSV
#include "fuzz_jsonl.c"
