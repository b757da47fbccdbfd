#!/usr/bin/env bash
# test_familiar.sh - familiar language and addressed in `heed analyze` output:
# an agent turn after a customer turn in the same conversation gets both, an
# agent turn with no customer text before it gets familiar only, customer
# turns get neither; jargon carries its plain words, the customer's details
# are echoed, the refund question nobody answered is "ignored", and two
# templated replies with other names, numbers and amounts have SimHashes a
# few bits apart.
. "$(dirname "$0")/lib.sh"

"$HEED" analyze "$DATA/familiar.jsonl" >"$TMP/out" 2>"$TMP/err"
expect_eq "exit" "$?" 0
expect_eq "lines" "$(wc -l <"$TMP/out")" 9
line() { sed -n "$1p" "$TMP/out" >"$TMP/l$1"; echo "$TMP/l$1"; }

# customer turns carry no reply object
expect_eq "customer: no reply" "$(grep -c '"reply":' "$(line 1)")" 0
expect_eq "customer: no reply (2)" "$(grep -c '"reply":' "$(line 3)")" 0

# the agent's answer to a customer turn: familiar and addressed
L2=$(line 2)
expect_grep "familiar" "$L2" '"familiar":{"grade":'
expect_grep "addressed" "$L2" '"addressed":{"status":"answered","asks":[{"ask":"Where is my order #12345?"'
expect_grep "jargon L2" "$L2" '{"text":"L2","start":92,"end":94,"what":"internal acronym","plain":"specialist team"}'
expect_grep "jargon RMA" "$L2" '{"text":"RMA","start":110,"end":113,"what":"internal acronym","plain":"return"}'
expect_grep "personal name" "$L2" '{"text":"Jane","start":3,"end":7,"what":"their name"}'
expect_grep "personal reference" "$L2" '{"text":"#12345","start":35,"end":41,"what":"their reference"}'

# the refund question answered with thanks only
L4=$(line 4)
expect_grep "ignored" "$L4" '"addressed":{"status":"ignored","asks":[{"ask":"Can I get a refund?","ask_start":0,"ask_end":19,"need":"refund","status":"ignored","why":"not taken up in the reply"}]}'

# an agent turn that answers nothing yet: familiar, no addressed
L5=$(line 5)
expect_grep "first agent turn: familiar" "$L5" '"familiar":{'
expect_eq "first agent turn: no addressed" "$(grep -c '"addressed"' "$L5")" 0

# templated replies: other names, numbers and amounts, SimHash within 3 bits
h1=$(grep -o '"simhash":"[0-9a-f]*"' "$(line 7)" | cut -d'"' -f4)
h2=$(grep -o '"simhash":"[0-9a-f]*"' "$(line 9)" | cut -d'"' -f4)
h3=$(grep -o '"simhash":"[0-9a-f]*"' "$L2" | cut -d'"' -f4)
bits() {
    local x=$((0x$1 ^ 0x$2)) n=0 i
    for ((i = 0; i < 64; i++)); do n=$((n + ((x >> i) & 1))); done
    echo "$n"
}
expect_eq "simhash printed" "${#h1}/${#h2}" "16/16"
expect_eq "templates collide" "$(((b = $(bits "$h1" "$h2")) <= 3 ? 1 : 0))" 1
expect_eq "other replies differ" "$(((b = $(bits "$h1" "$h3")) > 12 ? 1 : 0))" 1

# --role agent on records without roles: familiar on every line, no addressed
printf '%s\n' "Our SLA is 48h, see T&Cs." >"$TMP/in.txt"
"$HEED" analyze --role agent "$TMP/in.txt" >"$TMP/t" 2>/dev/null
expect_grep "text input" "$TMP/t" '{"text":"SLA","start":4,"end":7,"what":"internal acronym","plain":"the time we promise to answer in"}'
expect_eq "text input: no addressed" "$(grep -c '"addressed"' "$TMP/t")" 0

finish
