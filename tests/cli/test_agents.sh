#!/usr/bin/env bash
# test_agents.sh - agent care (tests/data/journey/agents.jsonl): four
# high-stress conversations in a row within minutes suggest a break; a calm
# agent gets no suggestion; `heed agent ID --json` gives the period, weekly
# empathy and compassion rows and coaching examples from the agent's replies.
. "$(dirname "$0")/lib.sh"
J=$2/journey
DB=$TMP/a.db
"$HEED" import messages "$J/agents.jsonl" --db "$DB" -q
expect_eq "import" "$?" 0

"$HEED" agents --db "$DB" --now data --json >"$TMP/a.json" 2>"$TMP/err"
expect_eq "agents exit" "$?" 0
expect_eq "one row per agent" "$(wc -l <"$TMP/a.json")" 2
grep '"agent":"ag-streak"' "$TMP/a.json" >"$TMP/streak"
expect_grep "streak counted" "$TMP/streak" '"conversations":4,"high_stress":4,'
expect_grep "longest streak" "$TMP/streak" '"longest_streak":4,'
expect_grep "break suggested" "$TMP/streak" '"4 high-stress conversations in a row: offer a 15-minute break"'
expect_grep "calm agent: nothing" "$TMP/a.json" '"agent":"ag-calm","period":"day","start":"2026-10-06T00:00:00Z","end":"2026-10-07T00:00:00Z","conversations":1,"high_stress":0,'
expect_eq "calm agent: no suggestion" "$(grep '"agent":"ag-calm"' "$TMP/a.json" | grep -c '"suggestions":\[\]')" 1
"$HEED" agents --db "$DB" --now data >"$TMP/a.txt" 2>&1
expect_grep "text suggestion" "$TMP/a.txt" "      -> 4 high-stress conversations in a row: offer a 15-minute break"
# another day: nothing handled
"$HEED" agents --db "$DB" --day 2026-10-01 --json >"$TMP/none" 2>&1
expect_eq "other day: no rows" "$(grep -c '"agent"' "$TMP/none")" 0

"$HEED" agent ag-streak --db "$DB" --now data --json >"$TMP/one.json" 2>"$TMP/err"
expect_eq "agent exit" "$?" 0
expect_grep "agent period" "$TMP/one.json" '{"agent":"ag-streak","period":"day",'
expect_grep "weekly row" "$TMP/one.json" '{"agent":"ag-streak","week":"2026-W41","replies":4,'
expect_grep "worked example" "$TMP/one.json" '{"agent":"ag-streak","example":"worked","conversation":"st-1"'
expect_grep "to work on" "$TMP/one.json" '"example":"to_work_on","conversation":"st-2"'
expect_grep "to work on (2)" "$TMP/one.json" '"example":"to_work_on","conversation":"st-4"'
expect_eq "examples are this agent's" "$(grep -c '"conversation":"calm-1"' "$TMP/one.json")" 0
"$HEED" agent nobody --db "$DB" --now data >/dev/null 2>"$TMP/err"
expect_eq "unknown agent exit" "$?" 2
expect_grep "unknown agent" "$TMP/err" "no agent 'nobody' in the store"
finish
