#!/usr/bin/env bash
# test_analyze.sh - golden tests of `heed analyze` on good and broken inputs:
# output, stderr reports, rejects files, exit codes and the counts invariant
# (records read = analysed + rejected, with analysed = lines written).
. "$(dirname "$0")/lib.sh"

# --- good inputs, each format, compared with golden output -------------------
for f in good.jsonl good.csv good.txt; do
    "$HEED" analyze "$DATA/$f" >"$TMP/out" 2>"$TMP/err"
    expect_eq "$f exit" "$?" 0
    golden "$f" "$TMP/out"
    n=$(wc -l <"$TMP/out")
    read -r r a j < <(summary_counts "$TMP/err")
    expect_eq "$f counts" "$r $a $j" "$n $n 0"
done
expect_eq "jsonl records" "$(wc -l <"$DATA/good.jsonl.golden")" 6   # the blank line is no record
expect_eq "csv records" "$(wc -l <"$DATA/good.csv.golden")" 3        # embedded CRLF kept in one record
expect_eq "text records" "$(wc -l <"$DATA/good.txt.golden")" 3

# format detection from standard input gives the same output as the file
"$HEED" analyze <"$DATA/good.csv" >"$TMP/stdin" 2>/dev/null
expect_eq "stdin csv" "$(cmp -s "$TMP/stdin" "$DATA/good.csv.golden" && echo same)" same
"$HEED" analyze --format text <"$DATA/good.jsonl" >"$TMP/as_text" 2>/dev/null
expect_grep "forced text format" "$TMP/as_text" '"line":1,"valence"'

# --- broken JSON lines: good records go on, bad ones reported and set aside ----
"$HEED" analyze --rejects "$TMP/rej" "$DATA/bad.jsonl" >"$TMP/out" 2>"$TMP/err"
expect_eq "bad.jsonl exit" "$?" 1
golden bad.jsonl "$TMP/out"
read -r r a j < <(summary_counts "$TMP/err")
expect_eq "bad.jsonl counts" "$r $a $j" "7 2 5"
expect_eq "bad.jsonl analysed lines" "$(wc -l <"$TMP/out")" 2
for line in 2 3 4 5 6; do expect_grep "report line $line" "$TMP/err" "bad.jsonl:$line: "; done
expect_grep "utf8 offset named" "$TMP/err" "UTF-8"
expect_eq "rejects count" "$(wc -l <"$TMP/rej")" 5
expect_eq "rejects verbatim" "$(sed -n 2p "$TMP/rej" | od -An -tx1 | tr -d ' \n' | grep -c c328)" 1

# --- broken CSV ---------------------------------------------------------------
"$HEED" analyze --rejects "$TMP/rejc" "$DATA/bad.csv" >"$TMP/out" 2>"$TMP/err"
expect_eq "bad.csv exit" "$?" 1
read -r r a j < <(summary_counts "$TMP/err")
expect_eq "bad.csv counts" "$r $a $j" "4 2 2"
expect_grep "csv column count" "$TMP/err" "bad.csv:3: "
expect_grep "csv short row" "$TMP/err" "bad.csv:5: "
expect_eq "csv rejects" "$(cat "$TMP/rejc")" "$(printf 'x2,too,many,fields\nx4')"

# a quote never closed makes only its own line a bad record: the lines after it
# are still read (before, they were all swallowed into one reject)
printf 'id,text\nq1,fine thanks\nq2,"never closed\nq3,a,b,c\nq4,still good\n' >"$TMP/quote.csv"
"$HEED" analyze --rejects "$TMP/rejq" "$TMP/quote.csv" >"$TMP/out" 2>"$TMP/err"
expect_eq "unclosed quote exit" "$?" 1
read -r r a j < <(summary_counts "$TMP/err")
expect_eq "unclosed quote counts" "$r $a $j" "4 2 2"
expect_grep "unclosed quote named" "$TMP/err" "quote.csv:3: unterminated quoted field"
expect_grep "next line on its own" "$TMP/err" "quote.csv:4: expected 2 fields as in the header, found 4"
expect_grep "good record after it" "$TMP/out" '"line":5,"id":"q4"'
expect_eq "unclosed quote rejects" "$(cat "$TMP/rejq")" "$(printf 'q2,"never closed\nq3,a,b,c')"

# a time that is not one is warned about, with its line; the record is analysed
# (without a due time for its promise) and the exit code stays 0
printf '{"id":"t1","role":"agent","time":"soon","text":"We will refund you by Friday."}\n{"id":"t2","role":"agent","time":"2026-09-01T09:00:00Z","text":"We will refund you by Friday."}\n{"id":"t3","time":null,"text":"ok"}\n' \
    >"$TMP/time.jsonl"
"$HEED" analyze "$TMP/time.jsonl" >"$TMP/out" 2>"$TMP/err"
expect_eq "bad time exit" "$?" 0
expect_grep "bad time warned" "$TMP/err" "time.jsonl:1: warning: 'time' is not a time"
expect_eq "one warning" "$(grep -c warning "$TMP/err")" 1
read -r r a j < <(summary_counts "$TMP/err")
expect_eq "bad time counts" "$r $a $j" "3 3 0"
expect_eq "no due without a time" "$(sed -n 1p "$TMP/out" | grep -c '"due":')" 0
expect_eq "due with a time" "$(sed -n 2p "$TMP/out" | grep -c '"due":"2026-09-04')" 1

# --- strict mode stops at the first bad record --------------------------------
"$HEED" analyze --strict "$DATA/bad.jsonl" >"$TMP/out" 2>"$TMP/err"
expect_eq "strict exit" "$?" 1
expect_eq "strict output" "$(wc -l <"$TMP/out")" 1
read -r r a j < <(summary_counts "$TMP/err")
expect_eq "strict counts" "$r $a $j" "2 1 1"

# --- oversized records ----------------------------------------------------------
"$HEED" analyze --max-record 200 "$DATA/big.jsonl" >"$TMP/out" 2>"$TMP/err"
expect_eq "oversized exit" "$?" 1
expect_grep "oversized reported" "$TMP/err" "big.jsonl:1: "
expect_grep "small still analysed" "$TMP/out" '"id":"small"'

# --- order and determinism across thread counts --------------------------------
for i in $(seq 1 400); do cat "$DATA/good.jsonl"; done >"$TMP/many.jsonl"
"$HEED" analyze --threads 1 "$TMP/many.jsonl" >"$TMP/t1" 2>/dev/null
"$HEED" analyze --threads 4 "$TMP/many.jsonl" >"$TMP/t4" 2>/dev/null
expect_eq "threads same output" "$(cmp -s "$TMP/t1" "$TMP/t4" && echo same)" same
expect_eq "threads count" "$(wc -l <"$TMP/t4")" 2400
expect_eq "index order" "$(sed -n '2400s/.*"index":\([0-9]*\),.*/\1/p' "$TMP/t4")" 2399
"$HEED" analyze -j3 "$TMP/many.jsonl" >"$TMP/t3" 2>/dev/null
expect_eq "-jN written together" "$(cmp -s "$TMP/t1" "$TMP/t3" && echo same)" same

# --- several files, --keep, --field, --text, --tokens ---------------------------
"$HEED" analyze "$DATA/good.txt" "$DATA/good.csv" >"$TMP/out" 2>/dev/null
expect_grep "source named" "$TMP/out" '"source":"'
"$HEED" analyze --keep priority,missing --text "$DATA/good.jsonl" >"$TMP/out" 2>/dev/null
expect_grep "kept field" "$TMP/out" '"keep":{"priority":"low"}'
expect_grep "text echoed" "$TMP/out" '"text":"Kindly stop calling me."'
printf '{"body":"great stuff","key":"k9"}\n' | "$HEED" analyze --field text=body --field id=key --tokens >"$TMP/out" 2>/dev/null
expect_grep "renamed id" "$TMP/out" '"id":"k9"'
expect_grep "tokens listed" "$TMP/out" '"tokens":[{"text":"great"'
# a CSV column named by --field or --keep that the header lacks is warned about
"$HEED" analyze --field id=key --keep prio,id "$DATA/good.csv" >"$TMP/out" 2>"$TMP/err"
expect_eq "missing columns exit" "$?" 0
expect_grep "missing --field column" "$TMP/err" "good.csv: warning: the CSV header has no \"key\" column (--field id=key)"
expect_grep "missing --keep column" "$TMP/err" "good.csv: warning: the CSV header has no \"prio\" column (--keep)"
expect_eq "present columns not warned about" "$(grep -c warning "$TMP/err")" 2

# --- live input: a line is answered while the writer is still pausing --------------
# (before, the reader waited for 64 KiB or the end of input)
{ echo 'great service'; sleep 4; echo 'awful'; } | "$HEED" analyze --format text 2>/dev/null |
    { if read -r -t 3 first; then echo "$first"; fi; cat >/dev/null; } >"$TMP/live"
expect_grep "live stream answered before the pause ends" "$TMP/live" '"index":0,"line":1'

# --- --stages: valence only, or a chosen few --------------------------------
"$HEED" analyze --stages valence "$DATA/good.jsonl" >"$TMP/out" 2>/dev/null
expect_eq "stages valence: no listening fields" "$(grep -c '"language"\|"stress"\|"emotions"\|"needs"\|"intensity"' "$TMP/out")" 0
expect_eq "stages valence: same valence" "$(grep -o '"valence":[-0-9.]*,"positive"' "$TMP/out")" \
    "$(grep -o '"valence":[-0-9.]*,"positive"' "$DATA/good.jsonl.golden")"
"$HEED" analyze --stages language,stress "$DATA/good.jsonl" >"$TMP/out" 2>/dev/null
expect_eq "stages language,stress: stress on every line" "$(grep -c '"stress"' "$TMP/out")" 6
expect_eq "stages language,stress: no emotions" "$(grep -c '"emotions"' "$TMP/out")" 0
"$HEED" analyze --stages valence,bogus "$DATA/good.jsonl" >/dev/null 2>"$TMP/err"
expect_eq "stages unknown name exit" "$?" 2
expect_grep "stages unknown name message" "$TMP/err" "--stages wants a comma list"

# --- --explain: every score beside the words behind it -------------------------
"$HEED" analyze --explain "$DATA/good.jsonl" >"$TMP/out" 2>/dev/null
expect_eq "explain exit" "$?" 0
expect_eq "explain blocks" "$(grep -c '^#[0-9]' "$TMP/out")" 6
expect_grep "explain header" "$TMP/out" "#4 m4 [customer]"
expect_grep "explain rule" "$TMP/out" '"stop" -1.20 -> -1.50  lexicon, polite-negative-request'
expect_grep "explain cue" "$TMP/out" '"worst" -3.10 -> +0.93  lexicon, negated (by "Not")'

# --- table for a person -----------------------------------------------------------
"$HEED" analyze --table "$DATA/good.jsonl" >"$TMP/out" 2>/dev/null
expect_eq "table exit" "$?" 0
expect_grep "table summary" "$TMP/out" "records read 6 = analysed 6 + rejected 0"
expect_grep "table worst" "$TMP/out" "most negative (customer turns):"
# m2 (an agent, valence -0.15) is negative but not a customer turn; m1 is both
expect_eq "table worst: no agent turn" "$(sed -n '/most negative/,$p' "$TMP/out" | grep -c ' m2 ')" 0
expect_eq "table worst: customer turn" "$(sed -n '/most negative/,$p' "$TMP/out" | grep -c ' m1 ')" 1
expect_grep "table stress column" "$TMP/out" "65 high"
# agent turns stay out of the stress summary: m2 is an agent; m1, m3, m4 are
# customers and m5, m6 have no role, so 5 of the 6 records count
expect_grep "table stress summary" "$TMP/out" "stress (customer turns): 0 act now (0%), 1 high, 0 watch, 4 calm"
# the one agent turn (m2) is summed up as a reply
expect_grep "table replies" "$TMP/out" "agent replies: 1; empathy shown in 1 (100%)"

# --- usage and I/O errors -----------------------------------------------------------
"$HEED" analyze --format xml "$DATA/good.txt" >/dev/null 2>"$TMP/err"
expect_eq "bad format exit" "$?" 2
expect_grep "bad format message" "$TMP/err" "unknown format 'xml'"
"$HEED" analyze "$TMP/does-not-exist" >/dev/null 2>"$TMP/err"
expect_eq "missing file exit" "$?" 2
expect_grep "missing file named" "$TMP/err" "does-not-exist"
# an input that cannot be read, or whose CSV header is bad, is named once
"$HEED" analyze "$TMP" >/dev/null 2>"$TMP/err"
expect_eq "directory exit" "$?" 2
expect_eq "directory named once" "$(head -1 "$TMP/err")" "heed: $TMP: read error: Is a directory"
printf 'id,body\nh1,hello\n' >"$TMP/nohead.csv"
"$HEED" analyze --format csv "$TMP/nohead.csv" >/dev/null 2>"$TMP/err"
expect_eq "no text column exit" "$?" 2
expect_eq "no text column named once" "$(head -1 "$TMP/err")" \
    "heed: $TMP/nohead.csv:1: the CSV header has no \"text\" column (the text field); found \"id\", \"body\""
"$HEED" analyze --threads 9999 </dev/null >/dev/null 2>&1
expect_eq "bad threads exit" "$?" 2
"$HEED" frobnicate >/dev/null 2>&1
expect_eq "unknown command exit" "$?" 2
"$HEED" --help | grep -q "analyze"
expect_eq "help" "$?" 0
"$HEED" analyze --help | grep -q -- "--rejects"
expect_eq "analyze help" "$?" 0
expect_eq "version" "$("$HEED" --version | cut -d' ' -f1)" heed
if [ -w /dev/full ]; then
    # the error of the write that failed, not a stale one of another call
    "$HEED" analyze "$DATA/good.jsonl" >/dev/full 2>"$TMP/err"
    expect_eq "full disk exit" "$?" 2
    expect_grep "full disk said" "$TMP/err" "heed: write error: No space left on device"
    "$HEED" analyze --table "$DATA/good.jsonl" >/dev/full 2>"$TMP/err"
    expect_eq "full disk table exit" "$?" 2
fi
"$HEED" analyze </dev/null >"$TMP/out" 2>"$TMP/err"
expect_eq "empty input exit" "$?" 0
read -r r a j < <(summary_counts "$TMP/err")
expect_eq "empty counts" "$r $a $j" "0 0 0"

finish
