#!/usr/bin/env bash
# test_import.sh - `heed import` (tests/data/journey, samples/journey):
# importing the same records again adds nothing; bad records are reported as
# FILE:LINE: problem, written unchanged to --rejects, counted, exit 1, and the
# good records still go in; --map renames columns and maps event types; mbox
# threads and zendesk tickets become conversations (private notes left out,
# agent mail known by --agent-domain); `heed import dir` on the samples.
. "$(dirname "$0")/lib.sh"
J=$2/journey
SAMPLES=$2/../../samples/journey
DB=$TMP/i.db
NOW=2026-10-05T12:00:00Z
# summary FILE KIND: "read imported there rejected" of that kind's summary line
summary() {
    sed -n "s/^heed import: .* ($2): \([0-9]*\) read = \([0-9]*\) imported + \([0-9]*\) already there + \([0-9]*\) rejected.*/\1 \2 \3 \4/p" "$1" | tail -1
}

# ---- idempotence
"$HEED" import customers "$J/customers.csv" --db "$DB" 2>"$TMP/e1"
expect_eq "customers exit" "$?" 0
expect_eq "customers" "$(summary "$TMP/e1" customers)" "8 8 0 0"
"$HEED" import messages "$J/messages.jsonl" --db "$DB" 2>"$TMP/e2"
expect_eq "messages" "$(summary "$TMP/e2" messages)" "15 15 0 0"
"$HEED" import events "$J/events.jsonl" --db "$DB" 2>"$TMP/e3"
expect_eq "events" "$(summary "$TMP/e3" events)" "6 6 0 0"
expect_grep "linked" "$TMP/e3" "heed import: 20 records linked into 9 customers"
"$HEED" queue --db "$DB" --now "$NOW" --json --top 100 >"$TMP/q1" 2>/dev/null
# the same file again: skipped as done
"$HEED" import messages "$J/messages.jsonl" --db "$DB" 2>"$TMP/e4"
expect_eq "again exit" "$?" 0
expect_grep "again: skipped" "$TMP/e4" "0 read = 0 imported + 0 already there + 0 rejected; 15 skipped, done by an earlier run"
# the same records through a pipe (no file to skip): each one already there
for f in customers.csv messages.jsonl events.jsonl; do
    k=${f%.*}
    cat "$J/$f" | "$HEED" import "$k" - --db "$DB" 2>"$TMP/e5"
    expect_eq "pipe $k exit" "$?" 0
    n=$(grep -c . "$J/$f")
    [ "$k" = customers ] && n=$((n - 1))
    expect_eq "pipe $k: all already there" "$(summary "$TMP/e5" "$k")" "$n 0 $n 0"
done
# a copy with one more record: the new one only
cp "$J/messages.jsonl" "$TMP/more.jsonl"
cat "$J/wendy-again.jsonl" >>"$TMP/more.jsonl"
"$HEED" import messages "$TMP/more.jsonl" --db "$DB" 2>"$TMP/e6"
expect_eq "one more" "$(summary "$TMP/e6" messages)" "16 1 15 0"
# nothing changed but that message: the queue as of before it is the same
"$HEED" queue --db "$DB" --now "$NOW" --json --top 100 >"$TMP/q2" 2>/dev/null
if cmp -s "$TMP/q1" "$TMP/q2"; then ok; else bad "queue changed by re-imports"; diff "$TMP/q1" "$TMP/q2" | head >&2; fi

# ---- bad records
B=$TMP/b.db
"$HEED" import customers "$J/customers.csv" --db "$B" -q
"$HEED" import messages "$J/bad-messages.jsonl" --db "$B" --rejects "$TMP/rej" 2>"$TMP/bm"
expect_eq "bad messages exit" "$?" 1
F=$J/bad-messages.jsonl
expect_grep "broken JSON" "$TMP/bm" "$F:2: JSON: unterminated string"
expect_grep "invalid UTF-8" "$TMP/bm" "$F:3: invalid UTF-8 at byte"
expect_grep "missing time" "$TMP/bm" "$F:4: the 'time' field is missing"
expect_grep "unknown role" "$TMP/bm" "$F:5: role 'robot' is neither customer nor agent"
expect_eq "bad messages counted" "$(summary "$TMP/bm" messages)" "6 2 0 4"
# the rejects are the bad records, byte for byte
sed -n 2,5p "$F" >"$TMP/rej.want"
if cmp -s "$TMP/rej" "$TMP/rej.want"; then ok; else bad "rejects differ from lines 2-5"; fi
"$HEED" journey bad-1 --db "$B" --json >"$TMP/bj" 2>/dev/null
expect_grep "good customer message kept" "$TMP/bj" '"id":"b1"'
expect_grep "good reply kept" "$TMP/bj" '"id":"b6"'
expect_eq "bad ones not stored" "$(grep -c '"id":"b[2345]"' "$TMP/bj")" 0

"$HEED" import events "$J/bad-events.jsonl" --db "$B" --rejects "$TMP/rej" 2>"$TMP/be"
expect_eq "bad events exit" "$?" 1
expect_grep "unknown event type" "$TMP/be" "$J/bad-events.jsonl:2: event type 'teleport' is not one heed knows"
expect_eq "bad events counted" "$(summary "$TMP/be" events)" "3 2 0 1"
"$HEED" import surveys "$J/bad-surveys.csv" --db "$B" --rejects "$TMP/rej" 2>"$TMP/bs"
expect_eq "bad surveys exit" "$?" 1
expect_grep "score out of range" "$TMP/bs" "$J/bad-surveys.csv:3: csat score must be a number from 1 to 5, not '9'"
expect_grep "wrong column count" "$TMP/bs" "$J/bad-surveys.csv:5: expected 8 fields as in the header, found 4"
expect_eq "bad surveys counted" "$(summary "$TMP/bs" surveys)" "4 2 0 2"
expect_eq "all rejects appended" "$(wc -l <"$TMP/rej")" 7
# a CSV quote never closed rejects its own line only; the rows after it go in
printf 'id,name,email\nq1,Quinn,q1@example.com\nq2,"Quill,q2@example.com\nq3,Qiana,q3@example.com\n' \
    >"$TMP/quote.csv"
"$HEED" import customers "$TMP/quote.csv" --db "$B" 2>"$TMP/bq"
expect_eq "unclosed quote exit" "$?" 1
expect_grep "unclosed quote named" "$TMP/bq" "$TMP/quote.csv:3: unterminated quoted field"
expect_eq "unclosed quote counted" "$(summary "$TMP/bq" customers)" "3 2 0 1"
"$HEED" journey C100 --db "$B" --json >"$TMP/bj2" 2>/dev/null
expect_grep "good event kept" "$TMP/bj2" '"event":"order","id":"BE3"'
expect_grep "good survey kept" "$TMP/bj2" '"survey":"nps","score":10'
expect_eq "bad event not stored" "$(grep -c 'BE2' "$TMP/bj2")" 0

# ---- --map: renamed columns, a mapped event type
"$HEED" import events "$J/mapped-events.csv" --db "$B" 2>"$TMP/mx"
expect_eq "unmapped exit" "$?" 2
expect_grep "unmapped: no id column" "$TMP/mx" "mapped-events.csv: not JSON lines, nor CSV with a header naming the 'id' column"
"$HEED" import events "$J/mapped-events.csv" --map "$J/shop.map" --db "$B" 2>"$TMP/mp"
expect_eq "mapped exit" "$?" 0
expect_eq "mapped counted" "$(summary "$TMP/mp" events)" "2 2 0 0"
"$HEED" journey C100 --db "$B" --json >"$TMP/bj3" 2>/dev/null
expect_grep "mapped type" "$TMP/bj3" '"event":"delivery_failed","id":"ME1","order":"NW2001"'
# the same file under another source is other records: read again, not skipped
"$HEED" import events "$J/mapped-events.csv" --source shop2 --map "$J/shop.map" --db "$B" 2>"$TMP/mp2"
expect_eq "other source" "$(summary "$TMP/mp2" events)" "2 2 0 0"
"$HEED" import events "$J/mapped-events.csv" --source shop2 --map "$J/shop.map" --db "$B" 2>"$TMP/mp3"
expect_grep "other source again: skipped" "$TMP/mp3" "2 skipped, done by an earlier run"
printf 'events.colour = x\n' >"$TMP/bad.map"
"$HEED" import events "$J/mapped-events.csv" --map "$TMP/bad.map" --db "$B" 2>"$TMP/bmap"
expect_eq "bad map exit" "$?" 2
expect_grep "bad map line" "$TMP/bmap" "$TMP/bad.map:1: events has no field 'colour'"
printf 'event.type = kind\n' >"$TMP/bad2.map"
"$HEED" import events "$J/mapped-events.csv" --map "$TMP/bad2.map" --db "$B" 2>"$TMP/bmap2"
expect_grep "bad map kind" "$TMP/bmap2" "$TMP/bad2.map:1: unknown kind 'event'"

# ---- mbox and zendesk
M=$TMP/m.db
"$HEED" import mbox "$J/mail.mbox" --agent-domain example.org --db "$M" 2>"$TMP/mb"
expect_eq "mbox exit" "$?" 0
expect_eq "mbox counted" "$(summary "$TMP/mb" mbox)" "4 4 0 0"
"$HEED" journey m1@example.com --db "$M" --now 2026-10-02T00:00:00Z --json >"$TMP/mj" 2>/dev/null
expect_eq "thread: 3 mails in one conversation" "$(grep -o '"type":"message","role":"[a-z]*","id":"[^"]*","conversation":"m1@example.com"' "$TMP/mj" | wc -l)" 3
expect_grep "agent mail" "$TMP/mj" '"role":"agent","id":"m2@example.org"'
expect_eq "quoted reply stripped" "$(grep -c 'wrote:' "$TMP/mj")" 0
expect_grep "replacement promise from mail" "$TMP/mj" '{"kind":"replacement","status":"pending"'
"$HEED" journey m4@example.com --db "$M" --json >"$TMP/mj2" 2>/dev/null
expect_eq "other thread apart" "$(grep -c 'm1@example.com' "$TMP/mj2")" 0
"$HEED" import zendesk "$J/tickets.json" --db "$M" 2>"$TMP/zd"
expect_eq "zendesk exit" "$?" 0
expect_eq "zendesk counted" "$(summary "$TMP/zd" zendesk)" "2 2 0 0"
expect_grep "private note reported" "$TMP/zd" "tickets.json: 1 private notes not imported"
"$HEED" journey 31001 --db "$M" --json >"$TMP/zj" 2>/dev/null
expect_grep "ticket: requester" "$TMP/zj" '"role":"customer","id":"31001/1","conversation":"31001"'
expect_grep "ticket: agent" "$TMP/zj" '"role":"agent","id":"31001/2","conversation":"31001"'
expect_eq "private note not stored" "$(grep -c 'Internal note' "$TMP/zj")" 0
expect_eq "private note not in the store" "$(cat "$M" "$M-wal" 2>/dev/null | grep -a -c 'courier lost it')" 0
# a ticket document from a pipe, larger than the reader's 64 KiB window: the
# ticket without an id is reported with its line, the rest imported, the
# agent named by the users side-load after the tickets
{
    printf '{\n"tickets": [\n'
    for i in $(seq 1 400); do
        [ "$i" = 1 ] || printf ',\n'
        id="\"id\": $((90000 + i))"
        [ "$i" = 250 ] && id='"nid": 0'
        printf '{%s, "requester": {"id": 7, "email": "pipe@example.com"}, "comments": [' "$id"
        printf '{"id": 1, "author_id": 7, "body": "My order %s has not come. %0200d", "created_at": "2026-09-01T10:00:00Z"},' "$i" 0
        printf '{"id": 2, "author_id": 8, "body": "We are sending it today.", "created_at": "2026-09-01T11:00:00Z"}]}'
    done
    printf '\n],\n"users": [{"id": 8, "name": "Pat Agent", "email": "pat@example.org"}]}\n'
} >"$TMP/big_tickets.json"
expect_eq "big document over the window" "$(( $(wc -c <"$TMP/big_tickets.json") > 65536 ))" 1
cat "$TMP/big_tickets.json" | "$HEED" import zendesk - --db "$TMP/z.db" --rejects "$TMP/zb.rej" \
    2>"$TMP/zb"
expect_eq "piped document exit" "$?" 1
expect_eq "piped document counted" "$(summary "$TMP/zb" zendesk)" "799 798 0 1"
expect_grep "bad ticket with its line, once" "$TMP/zb" "-:252: ticket 250: no \"id\" (expected a number or a string)"
expect_eq "agent named by the users after the tickets" \
    "$(sqlite3 "$TMP/z.db" "SELECT count(*) FROM message WHERE role = 2 AND agent = 'pat@example.org'")" 399
# rejects of a ticket export are its tickets, unchanged (JSON lines) or
# compact (document), so the file is an export again; a bad comment and a
# ticket with a byte that is not UTF-8 are reported apart, the good comment
# of the first ticket still imported
{
    printf '{"id": 1, "requester": {"id": 5, "email": "a@example.com"}, "comments": [{"id": 1, "author_id": 5, "body": "Where is my parcel?", "created_at": "2026-09-01T10:00:00Z"}, {"id": 2, "author_id": 5, "created_at": "2026-09-01T10:01:00Z"}]}\n'
    printf '{"id": 2, "requester": {"id": 6, "email": "b@example.com"}, "comments": [{"id": 1, "author_id": 6, "body": "bad \xff byte", "created_at": "2026-09-01T10:00:00Z"}]}\n'
} >"$TMP/zr.jsonl"
"$HEED" import zendesk "$TMP/zr.jsonl" --db "$TMP/zr.db" --rejects "$TMP/zr.rej" 2>"$TMP/zr.err"
expect_eq "ticket rejects: exit" "$?" 1
expect_eq "ticket rejects: counted" "$(summary "$TMP/zr.err" zendesk)" "3 1 0 2"
expect_grep "ticket rejects: the comment" "$TMP/zr.err" "zr.jsonl:1: ticket 1 (id 1), comment 2: no \"body\" (expected a string)"
expect_grep "ticket rejects: the ticket" "$TMP/zr.err" "zr.jsonl:2: ticket 2: invalid UTF-8"
if cmp -s "$TMP/zr.jsonl" "$TMP/zr.rej"; then ok; else bad "ticket rejects: not the tickets unchanged"; fi
# a document that is not JSON: no ticket imported, its place said once
printf '{"tickets": [ {"id": 1,, } ]}\n' >"$TMP/zbad.json"
"$HEED" import zendesk "$TMP/zbad.json" --db "$TMP/zbad.db" 2>"$TMP/zbad.err"
expect_eq "broken document: exit" "$?" 2
expect_grep "broken document: place once" "$TMP/zbad.err" \
    "heed import: $TMP/zbad.json:1:24: JSON: unexpected character ','"
expect_eq "document ticket set aside as one JSON line" \
    "$(wc -l <"$TMP/zb.rej") $(jq -c '[has("id"), (.comments | length)]' "$TMP/zb.rej")" "1 [false,2]"

# ---- heed import dir on the samples
S=$TMP/s.db
"$HEED" import dir "$SAMPLES" --db "$S" --agent-domain northwind.example.com 2>"$TMP/sd"
expect_eq "dir exit" "$?" 0
# the sample's own line counts: every record is imported
n_msg=$(wc -l <"$SAMPLES/messages.jsonl")
n_ev=$(wc -l <"$SAMPLES/events.jsonl")
expect_eq "dir: customers" "$(summary "$TMP/sd" customers)" "60 60 0 0"
expect_eq "dir: messages" "$(summary "$TMP/sd" messages)" "$n_msg $n_msg 0 0"
expect_eq "dir: events" "$(summary "$TMP/sd" events)" "$n_ev $n_ev 0 0"
expect_eq "dir: mbox" "$(summary "$TMP/sd" mbox)" "22 22 0 0"
expect_eq "dir: zendesk" "$(summary "$TMP/sd" zendesk)" "25 25 0 0"
expect_grep "dir: linked" "$TMP/sd" "linked into 60 customers"
# the files are stored with SQLite's foreign key checks off (every reference
# is an id the writer looked up or made): none dangles
expect_eq "dir: foreign keys" "$(sqlite3 "$S" "PRAGMA foreign_key_check" | wc -l)" 0
"$HEED" import dir "$SAMPLES" --db "$S" --agent-domain northwind.example.com 2>"$TMP/sd2"
expect_eq "dir again exit" "$?" 0
expect_eq "dir again: nothing new" "$(grep -c ' 0 read = 0 imported' "$TMP/sd2")" 8
"$HEED" queue --db "$S" --now data --top 3 --json >"$TMP/sq" 2>/dev/null
expect_eq "samples queue" "$(wc -l <"$TMP/sq")" 3
"$HEED" import dir "$TMP/nothing-here" --db "$S" 2>"$TMP/nh.err"
expect_eq "dir that is not there" "$?" 2
expect_grep "dir that is not there: said so" "$TMP/nh.err" "nothing-here: No such file or directory"
mkdir "$TMP/empty-dir"
"$HEED" import dir "$TMP/empty-dir" --db "$S" 2>"$TMP/ed.err"
expect_eq "dir without files" "$?" 2
expect_grep "dir without files: said so" "$TMP/ed.err" "empty-dir: no known files"
# a file that cannot be read stops nothing else: the next is imported and
# linked, and the exit code says a file was missing
"$HEED" import customers "$TMP/no-such.csv" "$SAMPLES/customers.csv" --db "$TMP/miss.db" -q \
    2>"$TMP/miss.err"
expect_eq "a missing file among others: exit" "$?" 2
expect_grep "a missing file among others: named" "$TMP/miss.err" "no-such.csv"
expect_eq "a missing file among others: the next imported and linked" \
    "$(sqlite3 "$TMP/miss.db" "SELECT count(*), count(person) FROM party")" "60|60"
# a mail from a known agent's address (the agents file's email) is an agent's
# reply without --agent-domain too: the same roles as with it
"$HEED" import dir "$SAMPLES" --db "$TMP/known.db" -q 2>/dev/null
expect_eq "dir without --agent-domain" "$?" 0
roles="SELECT role, count(*) FROM message WHERE source = 'mbox' GROUP BY role"
expect_eq "mail from known agents: agent replies" "$(sqlite3 "$TMP/known.db" "$roles")" \
    "$(sqlite3 "$S" "$roles")"
expect_eq "mail: some agent replies" \
    "$(sqlite3 "$TMP/known.db" "SELECT count(*) > 0 FROM message WHERE source = 'mbox' AND role = 2")" 1
finish
