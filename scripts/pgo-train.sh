#!/usr/bin/env bash
# pgo-train.sh - the training run of heed's profile-guided build
# (scripts/build.sh): runs an instrumented heed over data made from the
# repository alone (the bundled samples and a generated set; never the
# benchmark's corpus), so the compiler learns which branches are taken on
# customer text, JSON lines, CSV, the store and the reply stages.
#   scripts/pgo-train.sh HEED_BINARY
# Every command runs with one analysis thread, so the profile is the same on
# every run; the outputs are thrown away. HEED_PGO_CUSTOMERS: the size of the
# generated set (default 1500).
set -euo pipefail
heed=$1
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

"$heed" generate --out "$work/gen" --customers "${HEED_PGO_CUSTOMERS:-1500}" --seed 11 >/dev/null 2>&1
msgs=$work/gen/messages.jsonl
# the generated texts one per line, for the plain-text reader: the JSON
# string of each "text" field, unescaped only where it matters here
sed -n 's/.*"text":"\(\([^"\\]\|\\.\)*\)".*/\1/p' "$msgs" | sed 's/\\"/"/g; s/\\n/ /g' \
    >"$work/texts.txt"

a() { "$heed" analyze --threads 1 "$@" >/dev/null 2>&1; }
for f in "$work/texts.txt" samples/messages.txt; do
    a --format text --stages valence "$f"
    a --format text "$f"
done
for f in samples/messages.csv samples/messages.jsonl; do
    a --stages valence "$f"
    a "$f"
    a --table "$f"
done
a --stages valence "$msgs"
a "$msgs"
a --conversations "$msgs"
head -300 "$work/texts.txt" | a --explain
"$heed" check-reply --customer @samples/check-customer.txt --reply @samples/check-draft.txt \
    --time 2026-11-05T10:00:00Z >/dev/null

db=$work/t.db
"$heed" import dir "$work/gen" --db "$db" --agent-domain northwind.example.com -q >/dev/null 2>&1
"$heed" queue --db "$db" --now data --top 20 >/dev/null 2>&1
first=$("$heed" queue --db "$db" --now data --top 1 --json | sed -n 's/.*"crm":"\([^"]*\)".*/\1/p')
[ -n "$first" ] && "$heed" journey "$first" --db "$db" --now data >/dev/null
"$heed" agents --db "$db" --now data >/dev/null
"$heed" trends --db "$db" --now data >/dev/null
exit 0
