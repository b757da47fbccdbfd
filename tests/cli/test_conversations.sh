#!/usr/bin/env bash
# test_conversations.sh - `heed analyze --conversations` on a small fixture of
# three interleaved conversations (and one record with no conversation):
# grouping, first-seen order, counts, the customer's stress trajectory,
# resolution and repeat contact, the bound on open conversations (--max-open),
# the --table section, and that message records keep their shape.
. "$(dirname "$0")/lib.sh"

IN="$DATA/convo.jsonl"
conv_ids() { grep '"type":"conversation"' "$1" | sed 's/.*"type":"conversation","schema":[0-9]*,"conversation":"\([^"]*\)".*/\1/' | tr '\n' ' '; }

"$HEED" analyze --conversations "$IN" >"$TMP/out" 2>"$TMP/err"
expect_eq "exit" "$?" 0
read -r r a j < <(summary_counts "$TMP/err")
expect_eq "counts" "$r $a $j" "11 11 0"
expect_eq "message records" "$(grep -vc '"type":"conversation"' "$TMP/out")" 11
expect_eq "conversation records" "$(grep -c '"type":"conversation"' "$TMP/out")" 3
# first-seen order, written after every message record (at the end of input)
expect_eq "order" "$(conv_ids "$TMP/out")" "A B C "
expect_eq "conversations last" "$(sed -n '12,14p' "$TMP/out" | grep -c '"type":"conversation"')" 3
grep '"type":"conversation"' "$TMP/out" >"$TMP/conv"
golden convo.jsonl "$TMP/conv"
sed -n 1p "$TMP/conv" >"$TMP/A"
sed -n 2p "$TMP/conv" >"$TMP/B"
sed -n 3p "$TMP/conv" >"$TMP/C"
# grouping of interleaved records; n1 (no conversation) is in none
expect_grep "A counts" "$TMP/A" '"messages":{"total":3,"customer":2,"agent":1,"other":0},"first_index":0,"last_index":6'
expect_grep "B counts" "$TMP/B" '"messages":{"total":4,"customer":2,"agent":2,"other":0},"first_index":1,"last_index":10'
expect_grep "C counts" "$TMP/C" '"messages":{"total":3,"customer":2,"agent":1,"other":0},"first_index":5,"last_index":9'
expect_eq "no-conversation record left out" "$(grep -c '"id":"n1"' "$TMP/conv")" 0
expect_grep "A times" "$TMP/A" '"first_time":"2026-09-01T08:00:00Z","last_time":"2026-09-02T11:00:00Z"'
# stress trajectory: A's peak is its first message, and it falls
expect_grep "A peak" "$TMP/A" '"peak":{"score":'
expect_grep "A peak message" "$TMP/A" ',"message":{"index":0,"id":"a1"}},"last"'
expect_grep "A last message" "$TMP/A" '"message":{"index":6,"id":"a3"}},"change":-'
expect_grep "A falling" "$TMP/A" '"direction":"falling"'
expect_grep "B steady" "$TMP/B" '"direction":"steady"'
# resolution: customer confirms (A), explicit status (B closed, C pending)
expect_grep "A resolved" "$TMP/A" '"resolution":{"status":"resolved","by":"customer","message":{"index":6,"id":"a3"},"text":"Arrived"}'
expect_grep "B closed" "$TMP/B" '"resolution":{"status":"resolved","by":"status","message":{"index":10,"id":"b4"},"text":"closed"}'
expect_grep "C pending" "$TMP/C" '"resolution":{"status":"unresolved","by":"status"'
# repeat contact: said (A, C), and two contacts (C); B none
expect_grep "A said" "$TMP/A" '"said":{"message":{"index":0,"id":"a1"},"text":"already called"}'
expect_grep "C contacts" "$TMP/C" '"contacts":2,"messages":[{"index":5,"id":"c1"},{"index":9,"id":"c3"}]'
expect_grep "B no repeat" "$TMP/B" '"repeat_contact":{"repeat":false'

# message records keep their shape: the same lines as without --conversations
"$HEED" analyze "$IN" >"$TMP/plain" 2>/dev/null
grep -v '"type":"conversation"' "$TMP/out" >"$TMP/msgs"
expect_eq "message records unchanged" "$(cmp -s "$TMP/plain" "$TMP/msgs" && echo same)" same
expect_eq "no conversations without the option" "$(grep -c '"type":"conversation"' "$TMP/plain")" 0

# the same output whatever the thread count
for i in $(seq 1 60); do sed "s/\"conversation\":\"\([A-C]\)\"/\"conversation\":\"\1$i\"/" "$IN"; done >"$TMP/many.jsonl"
"$HEED" analyze --conversations --threads 1 "$TMP/many.jsonl" >"$TMP/t1" 2>/dev/null
"$HEED" analyze --conversations --threads 4 "$TMP/many.jsonl" >"$TMP/t4" 2>/dev/null
expect_eq "threads same output" "$(cmp -s "$TMP/t1" "$TMP/t4" && echo same)" same
expect_eq "many conversations" "$(grep -c '"type":"conversation"' "$TMP/t4")" 180
expect_eq "many first" "$(conv_ids "$TMP/t4" | cut -d' ' -f1-4)" "A1 B1 C1 A2"

# the bound: with 2 open, C's arrival writes A early (quiet longest) right
# after c1; then each returning conversation pushes out the quietest one;
# the two still open are written at the end in first-seen order
"$HEED" analyze --conversations --max-open 2 "$IN" >"$TMP/b2" 2>"$TMP/err"
expect_eq "bound exit" "$?" 0
expect_eq "bound order" "$(conv_ids "$TMP/b2")" "A B C A B C "
expect_eq "bound partial" "$(grep '"type":"conversation"' "$TMP/b2" | grep -c '"partial":true')" 4
expect_eq "bound after c1" "$(sed -n 6p "$TMP/b2" | grep -c '"id":"c1"')" 1
expect_eq "bound early A" "$(sed -n 7p "$TMP/b2" | grep -c '"conversation":"A","partial":true')" 1
expect_eq "bound early A counts" "$(sed -n 7p "$TMP/b2" | grep -c '"total":2,')" 1
expect_eq "bound early B" "$(sed -n 9p "$TMP/b2" | grep -c '"conversation":"B","partial":true')" 1
expect_eq "bound end not partial" "$(sed -n '16,17p' "$TMP/b2" | grep -c '"partial"')" 0
expect_eq "bound lines" "$(wc -l <"$TMP/b2")" 17
"$HEED" analyze --conversations --max-open 1 "$IN" >"$TMP/b1" 2>/dev/null
expect_eq "bound 1 order" "$(conv_ids "$TMP/b1")" "A B A B C A B C B "
"$HEED" analyze --conversations --max-open 0 "$IN" >/dev/null 2>"$TMP/err"
expect_eq "bound 0 refused" "$?" 2

# --status-field reads the status from another field
sed 's/"status"/"state"/' "$IN" | "$HEED" analyze --conversations --status-field state >"$TMP/st" 2>/dev/null
expect_grep "status field renamed" "$TMP/st" '"text":"closed"'
sed 's/"status"/"state"/' "$IN" | "$HEED" analyze --conversations >"$TMP/st" 2>/dev/null
expect_eq "other field ignored" "$(grep -c '"by":"status"' "$TMP/st")" 0

# --table: a conversations section, no JSON
"$HEED" analyze --table --conversations "$IN" >"$TMP/table" 2>/dev/null
expect_grep "table section" "$TMP/table" "Conversations: 3"
expect_grep "table resolution" "$TMP/table" "resolution: 2 resolved (67%), 1 unresolved, 0 unknown"
expect_grep "table repeat" "$TMP/table" "repeat contact: 2 (67%)"
expect_grep "table worst" "$TMP/table" "C "
expect_eq "table no json" "$(grep -c '"type"' "$TMP/table")" 0
"$HEED" analyze --help >"$TMP/help"
expect_grep "help" "$TMP/help" "--conversations"
expect_grep "help bound" "$TMP/help" "--max-open N"
finish
