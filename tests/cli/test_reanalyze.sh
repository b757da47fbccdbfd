#!/usr/bin/env bash
# test_reanalyze.sh - `heed reanalyze` on samples/journey: a fresh import is
# up to date (0 re-scored); messages scored by another model are re-scored and
# only those; --all re-scores everything and, the analysis being
# deterministic and each reply's context rebuilt as at import, journeys and
# the queue come out byte-identical.
. "$(dirname "$0")/lib.sh"
SAMPLES=$2/../../samples/journey
DB=$TMP/r.db
"$HEED" import dir "$SAMPLES" --db "$DB" --agent-domain northwind.example.com -q
expect_eq "import" "$?" 0
n=$(( $(grep -c . "$SAMPLES/messages.jsonl") + 22 + 25 )) # + mails + ticket comments

snapshot() { # OUT: the queue, 30 customers' journeys and the agents' month
    "$HEED" queue --db "$DB" --now data --json --top 30 >"$1" 2>/dev/null
    # the agent summaries kept row by row at import equal those rebuilt from
    # every message by reanalyze
    "$HEED" agents --db "$DB" --now data --days 40 --json >>"$1" 2>/dev/null
    local c
    for c in $(grep -o '"customer":[0-9]*' "$1" | cut -d: -f2); do
        "$HEED" journey "$c" --db "$DB" --now data --json >>"$1" 2>&1
    done
}
snapshot "$TMP/before"
expect_eq "snapshot size" "$(grep -c '"timeline"' "$TMP/before")" 30

"$HEED" reanalyze --db "$DB" 2>"$TMP/e1"
expect_eq "fresh: exit" "$?" 0
expect_grep "fresh: nothing to do" "$TMP/e1" "heed reanalyze: $n messages, 0 re-scored with heed "

# two messages scored by an older model: only those are redone
if command -v sqlite3 >/dev/null; then
    sqlite3 "$DB" "UPDATE message SET model='heed 0.0.1 r0 000000000000', stress=0, compassion=NULL
                   WHERE ext_id IN ('msg-00000001', 'msg-00000002')"
    "$HEED" reanalyze --db "$DB" 2>"$TMP/e2"
    expect_eq "outdated: exit" "$?" 0
    expect_grep "outdated: two" "$TMP/e2" "heed reanalyze: $n messages, 2 re-scored with heed "
    snapshot "$TMP/mid"
    if cmp -s "$TMP/before" "$TMP/mid"; then ok; else bad "outdated messages not restored"; fi
else
    bad "sqlite3 is missing (scripts/deps.sh installs it)"
fi

"$HEED" reanalyze --all --db "$DB" 2>"$TMP/e3"
expect_eq "all: exit" "$?" 0
expect_grep "all: every message" "$TMP/e3" "heed reanalyze: $n messages, $n re-scored with heed "
snapshot "$TMP/after"
if cmp -s "$TMP/before" "$TMP/after"; then ok; else
    bad "journeys changed by reanalyze --all"
    diff "$TMP/before" "$TMP/after" | head -4 | cut -c1-300 >&2
fi
"$HEED" reanalyze --db "$TMP/missing.db" 2>/dev/null
expect_eq "missing store" "$?" 2
finish
