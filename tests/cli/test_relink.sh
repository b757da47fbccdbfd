#!/usr/bin/env bash
# test_relink.sh - the identity pass after an import re-links only what the
# import can have moved, with the result of a full pass: a generated data set
# and the journey samples imported in chunks (customers in the middle or last)
# are checked against a full pass after every import (`heed customer check`)
# and against a store built with full passes only; a new record bridges two
# persons through two keys; a key that becomes shared splits its old carriers;
# a key added to an existing conversation moves it; unmerge rules still hold.
# The full pass, which reads the keys grouped from the store's indexes and
# holds none as a string, gives back every person from scratch and agrees with
# `heed customer check`, also on key layouts imports rarely make (a CRM id
# only as a key, a second CRM id as a key, a party with more than 64 keys),
# and refuses a party of two CRM ids like check does. (That the compact pass
# equals the resolution of every key as a string is tests/unit/test_links.c
# and test_identity.c.)
. "$(dirname "$0")/lib.sh"
J=$2/journey

# imp DB KIND FILE: import quietly, then the store must equal a full pass
imp() {
    "$HEED" import "$2" "$3" --db "$1" 2>"$TMP/imp.err" >/dev/null
    local rc=$?
    expect_eq "import $2 $3 exit" "$rc" 0
    "$HEED" customer check --db "$1" >"$TMP/check" 2>&1
    rc=$?
    expect_eq "check after $3 exit" "$rc" 0
    expect_grep "check after $(basename "$3")" "$TMP/check" "0 records differ from a full pass"
}
persons() { sqlite3 "$1" "SELECT id || ' ' || person FROM party ORDER BY id"; }
person_of() { sqlite3 "$1" "SELECT p.person FROM conversation c JOIN party p ON p.id = c.party WHERE c.ext_id = '$2'"; }

# ---- a generated data set in chunks, customers in the middle
"$HEED" generate --customers 400 --seed 3 --out "$TMP/g" >/dev/null 2>&1
expect_eq "generate" "$?" 0
split -n l/3 -d "$TMP/g/messages.jsonl" "$TMP/m."
split -n l/2 -d "$TMP/g/events.jsonl" "$TMP/e."
for step in messages:m.00 events:e.00 messages:m.01 customers:g/customers.csv events:e.01 \
    messages:m.02 surveys:g/surveys.csv mbox:g/mail.mbox; do
    imp "$TMP/inc.db" "${step%%:*}" "$TMP/${step#*:}"
done
expect_grep "incremental" "$TMP/imp.err" "re-linked:"
# a first import (no party linked yet) runs the full pass at once, not a walk
# from every party
"$HEED" import messages "$TMP/m.00" --db "$TMP/first.db" 2>"$TMP/first.err" >/dev/null
expect_eq "first import exit" "$?" 0
expect_grep "first import: linked" "$TMP/first.err" "records linked into"
if grep -q "re-linked:" "$TMP/first.err"; then bad "a first import walked from every party"; else ok; fi
"$HEED" customer check --db "$TMP/first.db" >"$TMP/check" 2>&1
expect_grep "first import equals a full pass" "$TMP/check" "0 records differ from a full pass"
# the same imports with the full pass every time (a limit of 1 party)
for step in messages:m.00 events:e.00 messages:m.01 customers:g/customers.csv events:e.01 \
    messages:m.02 surveys:g/surveys.csv mbox:g/mail.mbox; do
    HEED_RELINK_MAX=1 "$HEED" import "${step%%:*}" "$TMP/${step#*:}" --db "$TMP/full.db" -q
done
persons "$TMP/inc.db" >"$TMP/p.inc"
persons "$TMP/full.db" >"$TMP/p.full"
expect_eq "parties" "$(wc -l <"$TMP/p.inc")" "$(wc -l <"$TMP/p.full")"
if cmp -s "$TMP/p.inc" "$TMP/p.full"; then ok; else
    bad "incremental and full passes differ"; diff "$TMP/p.full" "$TMP/p.inc" | head >&2; fi
expect_eq "no party left unlinked" "$(sqlite3 "$TMP/inc.db" "SELECT count(*) FROM party WHERE person IS NULL")" 0

# ---- many parties not linked (HEED_RELINK_FULL_SEEDS, 1024) that are a
# quarter of the store's or more: the full pass runs instead of the walk;
# fewer than a quarter: the walk. Both leave what a full pass gives.
"$HEED" generate --customers 600 --seed 5 --out "$TMP/q" >/dev/null 2>&1
"$HEED" generate --customers 2000 --seed 6 --out "$TMP/r" >/dev/null 2>&1
imp "$TMP/q.db" customers "$TMP/q/customers.csv"
imp "$TMP/q.db" messages "$TMP/q/messages.jsonl"
expect_eq "new parties" "$(sqlite3 "$TMP/q.db" "SELECT count(*) FROM party WHERE kind = 'conversation'")" 1166
expect_grep "a quarter new: the full pass" "$TMP/imp.err" "records linked into 600 customers (1 shared"
imp "$TMP/r.db" customers "$TMP/r/customers.csv"
imp "$TMP/r.db" messages "$TMP/r/messages.jsonl"
"$HEED" import messages --source other "$TMP/q/messages.jsonl" --db "$TMP/r.db" 2>"$TMP/imp.err" >/dev/null
expect_eq "import other exit" "$?" 0
expect_grep "fewer than a quarter new: the walk" "$TMP/imp.err" "7106 records linked into 2097 customers (2839 re-linked:"
"$HEED" customer check --db "$TMP/r.db" >"$TMP/check" 2>&1
expect_grep "the walk equals a full pass" "$TMP/check" "0 records differ from a full pass"
expect_eq "no reference dangles" "$(sqlite3 "$TMP/r.db" "PRAGMA foreign_key_check" | wc -l)" 0

# ---- the journey samples (a switchboard number, CRM conflicts), customers last
head -8 "$J/messages.jsonl" >"$TMP/j1.jsonl"
tail -n +9 "$J/messages.jsonl" >"$TMP/j2.jsonl"
imp "$TMP/j.db" events "$J/events.jsonl"
imp "$TMP/j.db" messages "$TMP/j1.jsonl"
imp "$TMP/j.db" messages "$TMP/j2.jsonl"
imp "$TMP/j.db" customers "$J/customers.csv"
expect_grep "journey counts" "$TMP/imp.err" "20 records linked into 9 customers"

# ---- a new record bridges two persons through a record of two keys
B=$TMP/b.db
cat >"$TMP/b1.jsonl" <<'EOF'
{"id":"x1","conversation":"bx","role":"customer","time":"2026-09-01T09:00:00Z","channel":"chat","email":"xavi@example.com","text":"Where is my parcel?"}
{"id":"y1","conversation":"by","role":"customer","time":"2026-09-01T10:00:00Z","channel":"chat","phone":"07700 900555","text":"My order has not arrived."}
{"id":"y2","conversation":"by2","role":"customer","time":"2026-09-01T11:00:00Z","channel":"chat","phone":"+44 7700 900555","text":"Still nothing."}
EOF
imp "$B" messages "$TMP/b1.jsonl"
px=$(person_of "$B" bx) py=$(person_of "$B" by)
if [ -n "$px" ] && [ -n "$py" ] && [ "$px" != "$py" ]; then ok; else bad "bx ($px) and by ($py) should be apart"; fi
expect_eq "by2 with by" "$(person_of "$B" by2)" "$py"
cat >"$TMP/b2.jsonl" <<'EOF'
{"id":"z1","conversation":"bz","role":"customer","time":"2026-09-02T09:00:00Z","channel":"chat","email":"XAVI@example.com","phone":"07700900555","text":"Both of my messages are about one order."}
EOF
imp "$B" messages "$TMP/b2.jsonl"
pz=$(person_of "$B" bz)
expect_eq "bridged bx" "$(person_of "$B" bx)" "$pz"
expect_eq "bridged by" "$(person_of "$B" by)" "$pz"
expect_eq "bridged by2" "$(person_of "$B" by2)" "$pz"
expect_eq "first party names the person" "$pz" "$(sqlite3 "$B" "SELECT party FROM conversation WHERE ext_id='bx'")"

# ---- a CRM row arrives: the person is renumbered by it
cat >"$TMP/c1.csv" <<'EOF'
id,name,email,phone,handle,vulnerable,segment,created
C900,Xavi Ex,xavi@example.com,,,0,consumer,2026-01-01
EOF
imp "$B" customers "$TMP/c1.csv"
crm=$(sqlite3 "$B" "SELECT party FROM customer WHERE ext_id='C900'")
expect_eq "CRM row names the person" "$(person_of "$B" by)" "$crm"
# ---- a second CRM id on the same e-mail: the key becomes shared and links
# nothing, so the chats that only it joined leave the customer
cat >"$TMP/c2.csv" <<'EOF'
id,name,email,phone,handle,vulnerable,segment,created
C901,Xena Ex,xavi@example.com,,,0,consumer,2026-01-01
EOF
imp "$B" customers "$TMP/c2.csv"
expect_eq "shared key unlinks bx" "$(person_of "$B" bx)" "$(sqlite3 "$B" "SELECT party FROM conversation WHERE ext_id='bx'")"
if [ "$(person_of "$B" by)" != "$crm" ]; then ok; else bad "by should have left C900"; fi
# ---- an existing conversation gains a key: it moves
cat >"$TMP/b3.jsonl" <<'EOF'
{"id":"w1","conversation":"bw","role":"customer","time":"2026-09-03T09:00:00Z","channel":"chat","text":"Hello?"}
EOF
imp "$B" messages "$TMP/b3.jsonl"
cat >"$TMP/b4.jsonl" <<'EOF'
{"id":"w2","conversation":"bw","role":"customer","time":"2026-09-03T09:05:00Z","channel":"chat","phone":"07700 900555","text":"It is me again, same number."}
EOF
imp "$B" messages "$TMP/b4.jsonl"
expect_eq "bw joins by" "$(person_of "$B" bw)" "$(person_of "$B" by)"
# ---- an unmerge rule, then more records: the rule still holds
by=$(sqlite3 "$B" "SELECT party FROM conversation WHERE ext_id='by'")
by2=$(sqlite3 "$B" "SELECT party FROM conversation WHERE ext_id='by2'")
"$HEED" customer unmerge "$by" "$by2" --db "$B" >/dev/null 2>&1
expect_eq "unmerge exit" "$?" 0
cat >"$TMP/b5.jsonl" <<'EOF'
{"id":"v1","conversation":"bv","role":"customer","time":"2026-09-04T09:00:00Z","channel":"chat","phone":"07700 900555","text":"Any news?"}
EOF
imp "$B" messages "$TMP/b5.jsonl"
if [ "$(person_of "$B" by)" != "$(person_of "$B" by2)" ]; then ok; else bad "unmerged by and by2 met again"; fi

# ---- the full pass from scratch: the same persons, and check agrees
# full_pass DB NAME: forget every person, run the full pass, compare
full_pass() {
    persons "$1" >"$TMP/fp.before"
    sqlite3 "$1" "UPDATE party SET person = NULL"
    "$HEED" customer relink --db "$1" --now data >/dev/null 2>"$TMP/fp.err"
    expect_eq "full pass $2 exit" "$?" 0
    persons "$1" >"$TMP/fp.after"
    if cmp -s "$TMP/fp.before" "$TMP/fp.after"; then ok; else
        bad "full pass $2 changed persons"; diff "$TMP/fp.before" "$TMP/fp.after" | head >&2; fi
    "$HEED" customer check --db "$1" >"$TMP/check" 2>&1
    expect_eq "check $2 exit" "$?" 0
    expect_grep "check $2" "$TMP/check" "0 records differ from a full pass"
}
full_pass "$B" "bridges, shared key, unmerge"
full_pass "$TMP/inc.db" "generated"
full_pass "$TMP/j.db" "journey samples"
expect_grep "full pass counts" "$TMP/fp.err" "20 records linked into 9 customers"

# key layouts that imports rarely make, written into a copy of the samples
E=$TMP/edge.db
cp "$TMP/j.db" "$E"
lone=$(sqlite3 "$E" "INSERT INTO party(kind, label) VALUES('conversation', 'edge-1') RETURNING id")
lone2=$(sqlite3 "$E" "INSERT INTO party(kind, label) VALUES('event', 'edge-2') RETURNING id")
c100=$(sqlite3 "$E" "SELECT party FROM customer WHERE ext_id = 'C100'")
c200=$(sqlite3 "$E" "SELECT party FROM customer WHERE ext_id = 'C200'")
if [ -n "$lone" ] && [ -n "$lone2" ] && [ -n "$c100" ] && [ -n "$c200" ]; then ok; else
    bad "edge parties not found ($lone $lone2 $c100 $c200)"; fi
sqlite3 "$E" "INSERT INTO party_key(party, kind, token) VALUES($lone, 'crm', 'C100');
  INSERT INTO party_key(party, kind, token) VALUES($c200, 'crm', 'C100');
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 69)
  INSERT INTO party_key(party, kind, token) SELECT $lone2, 'email', printf('zz%03d', i) FROM n;
  INSERT INTO party_key(party, kind, token) VALUES($c100, 'email', 'zz069')"
"$HEED" customer relink --db "$E" --now data >/dev/null 2>&1
expect_eq "edge relink exit" "$?" 0
pe() { sqlite3 "$E" "SELECT person FROM party WHERE id = $1"; }
expect_eq "a CRM id only as a key links" "$(pe "$lone")" "$(pe "$c100")"
expect_eq "a second CRM id as a key is ignored" "$(pe "$c200")" "$c200"
expect_eq "the 70th key of a party links" "$(pe "$lone2")" "$(pe "$c100")"
"$HEED" customer check --db "$E" >"$TMP/check" 2>&1
expect_grep "edge check" "$TMP/check" "0 records differ from a full pass"
# a party with two CRM ids as keys and none of its own: both passes refuse
sqlite3 "$E" "INSERT INTO party_key(party, kind, token) VALUES($lone, 'crm', 'C300')"
"$HEED" customer relink --db "$E" --now data >/dev/null 2>"$TMP/two.err"
if [ "$?" -ne 0 ]; then ok; else bad "relink took a party of two CRM ids"; fi
expect_grep "relink says why" "$TMP/two.err" "two different CRM ids"
"$HEED" customer check --db "$E" >/dev/null 2>"$TMP/two.err"
if [ "$?" -ne 0 ]; then ok; else bad "check took a party of two CRM ids"; fi
expect_grep "check says why" "$TMP/two.err" "two different CRM ids"

finish
