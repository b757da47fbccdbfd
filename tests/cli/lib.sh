# lib.sh - helpers for golden CLI tests: run the real binary, compare with files
# under tests/data/cli/, count checks. HEED_UPDATE_GOLDEN=1 rewrites goldens.
set -u
HEED=$1
DATA=$2/cli
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILS=0
PASSES=0

ok() { PASSES=$((PASSES + 1)); }
bad() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# expect_eq WHAT GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }

# expect_grep WHAT FILE PATTERN
expect_grep() { if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in $2:"; cat "$2" >&2; fi; }

# golden NAME FILE: FILE must equal $DATA/NAME.golden
golden() {
    if [ "${HEED_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$2" "$DATA/$1.golden"
        ok
        return
    fi
    if diff -u "$DATA/$1.golden" "$2" >"$TMP/diff"; then ok; else
        bad "$1 differs from golden:"
        head -40 "$TMP/diff" >&2
    fi
}

# summary_counts FILE -> "read analysed rejected" from the final stderr line
summary_counts() {
    sed -n 's/^heed: \([0-9]*\) records read = \([0-9]*\) analysed + \([0-9]*\) rejected.*/\1 \2 \3/p' "$1" | tail -1
}

# start_server NAME ARGS...: starts `heed serve --db $DB --listen 127.0.0.1:0
# ARGS` in the background, its output in $TMP/NAME.out and .err, and waits for
# its address; sets PID and URL and adds the PID to PIDS (for the caller's trap).
start_server() {
    local name=$1
    shift
    "$HEED" serve --db "$DB" --listen 127.0.0.1:0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PID=$!
    PIDS+=("$PID")
    URL=
    for _ in $(seq 1 300); do
        URL=$(sed -n 's/^heed serve: listening on \(http:.*\)$/\1/p' "$TMP/$name.out")
        [ -n "$URL" ] && break
        sleep 0.1
    done
    [ -n "$URL" ] || { bad "$name did not start"; cat "$TMP/$name.err" >&2; finish; exit 1; }
}

# doc_lists_routes SPEC: the OpenAPI document lists exactly the routes the
# server answers (`heed serve --routes`, the router's own table), each with
# the roles that may call it (x-roles; none: public).
doc_lists_routes() {
    "$HEED" serve --routes | sort >"$TMP/routes.served"
    jq -r '.paths | to_entries[] | .key as $p | .value | to_entries[]
        | select(.key | test("^(get|put|post|patch|delete)$"))
        | "\(.key | ascii_upcase) \($p) \(if (.value["x-roles"] // [] | length) == 0
            then "public" else (.value["x-roles"] | join(",")) end)"' "$1" |
        sort >"$TMP/routes.doc"
    if diff -u "$TMP/routes.doc" "$TMP/routes.served" >"$TMP/routes.diff"; then ok; else
        bad "the routes of docs/openapi.json (-) differ from what the server answers (+):"
        cat "$TMP/routes.diff" >&2
    fi
}

# doc_lists_statuses SPEC METRICS: every route and status the server answered
# (the scrape of /metrics in the file METRICS) has a response in the document;
# 408 is counted but never sent (the connection is dropped).
doc_lists_statuses() {
    local m p s
    while read -r m p s; do
        [ "$s" = 408 ] && continue
        if jq -e --arg p "$p" --arg m "${m,,}" --arg s "$s" \
            '.paths[$p][$m].responses | has($s) or has("default")' "$1" >/dev/null; then ok; else
            bad "$m $p answered $s, which docs/openapi.json does not list"
        fi
    done < <(sed -n 's/^heed_http_requests_total{route="\([A-Z]*\) \([^"]*\)",status="\([0-9]*\)"} .*/\1 \2 \3/p' "$2")
}

# gen_newest_first: a generated set (300 customers, seed 5) in $TMP/g, its
# messages newest first in three files $TMP/m.00, m.01, m.02, so that many
# replies arrive before the customer messages they answer.
gen_newest_first() {
    "$HEED" generate --customers 300 --seed 5 --out "$TMP/g" >/dev/null 2>&1
    expect_eq "generate" "$?" 0
    tac "$TMP/g/messages.jsonl" >"$TMP/rev.jsonl"
    split -n l/3 -d "$TMP/rev.jsonl" "$TMP/m."
}

finish() {
    echo "$PASSES passed, $FAILS failed"
    [ "$FAILS" -eq 0 ]
}
