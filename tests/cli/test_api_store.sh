#!/usr/bin/env bash
# test_api_store.sh - the store-backed HTTP API against the bundled sample
# (samples/journey, ending 2026-09-30): the queue with pagination, done, a
# journey byte-identical to `heed journey --json`, a conversation with its
# analysis, a customer's links, agents, one agent, team trends and trends (the
# bytes of `heed trends --json`); roles (an agent key cannot read
# the queue or another agent; a lead key sees its team only); bad and unknown
# parameters; every body checked against docs/openapi.json.
. "$(dirname "$0")/lib.sh"

CHECK=${HEED_OPENAPI_CHECK:?run through ctest}
SPEC=${HEED_OPENAPI:?run through ctest}
SAMPLES=$(cd "$(dirname "$0")/../../samples/journey" && pwd)
DB=$TMP/t.db
PID=
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

"$HEED" import dir --db "$DB" -q "$SAMPLES" >/dev/null 2>&1
ADMIN=$("$HEED" key create --db "$DB" --role admin 2>/dev/null)
AGENT=$("$HEED" key create --db "$DB" --role agent --agent agent-0002 2>/dev/null)
LEAD=$("$HEED" key create --db "$DB" --role lead --team billing 2>/dev/null)
INGEST=$("$HEED" key create --db "$DB" --role ingest --name hook 2>/dev/null)
NOW=2026-09-30T18:00:00Z

doc_lists_routes "$SPEC"
start_server s --rate 0 --threads 2 --quiet

# get NAME KEY PATH [CURL ARGS]: body in $TMP/NAME.body, status in $ST
get() {
    local name=$1 key=$2 path=$3
    shift 3
    ST=$(curl -s -m 20 -o "$TMP/$name.body" -w '%{http_code}' -H "Authorization: Bearer $key" \
        "$@" "$URL$path")
}
# valid NAME METHOD ROUTE
valid() {
    if "$CHECK" "$SPEC" "$2" "$3" "$ST" "$TMP/$1.body" 2>"$TMP/check.err"; then ok; else
        bad "$1: response does not fit docs/openapi.json: $(cat "$TMP/check.err")"
    fi
}

# --- me: each key's own role, team and agent (the dashboard lands by it)
for who in ADMIN AGENT LEAD INGEST; do
    get me "${!who}" /v1/me
    expect_eq "me $who" "$ST" 200
    valid me GET /v1/me
    cp "$TMP/me.body" "$TMP/me_$who"
done
expect_eq "me admin" "$(jq -c '[.role,.team,.agent]' "$TMP/me_ADMIN")" '["admin",null,null]'
expect_eq "me agent" "$(jq -c '[.role,.team,.agent]' "$TMP/me_AGENT")" '["agent",null,"agent-0002"]'
expect_eq "me lead" "$(jq -c '[.role,.team,.agent]' "$TMP/me_LEAD")" '["lead","billing",null]'
expect_eq "me ingest" "$(jq -r .role "$TMP/me_INGEST")" ingest
expect_eq "me ids differ" "$(cat "$TMP"/me_* | jq .key | sort -u | wc -l)" 4
get me "" /v1/me
expect_eq "me without a key" "$ST" 401
get me "$ADMIN" "/v1/me?x=1"
expect_eq "me unknown parameter" "$ST" 400
valid me GET /v1/me

# --- queue: the items `heed queue --json` prints, paged
"$HEED" queue --db "$DB" --json --top 500 --now "$NOW" 2>/dev/null | jq -c . >"$TMP/cli_queue"
get q "$ADMIN" "/v1/queue?limit=3&now=$NOW"
expect_eq "queue" "$ST" 200
valid q GET /v1/queue
expect_eq "queue as_of" "$(jq -r .as_of "$TMP/q.body")" "$NOW"
expect_eq "queue page 1" "$(jq -c '.items[]' "$TMP/q.body")" "$(head -3 "$TMP/cli_queue")"
expect_eq "queue next" "$(jq .next_offset "$TMP/q.body")" 3
get q2 "$ADMIN" "/v1/queue?limit=3&offset=3&now=$NOW"
expect_eq "queue page 2" "$(jq -c '.items[]' "$TMP/q2.body")" "$(sed -n 4,6p "$TMP/cli_queue")"
N=$(wc -l <"$TMP/cli_queue")
get qa "$ADMIN" "/v1/queue?limit=500&now=$NOW"
expect_eq "queue all" "$(jq '.items|length' "$TMP/qa.body")" "$N"
expect_eq "queue last page" "$(jq .next_offset "$TMP/qa.body")" null
get qbad "$ADMIN" "/v1/queue?limit=0"
expect_eq "queue bad limit" "$ST" 400
valid qbad GET /v1/queue
get qunk "$ADMIN" "/v1/queue?colour=red&limit=2"
expect_eq "queue unknown param" "$ST" 400
expect_eq "unknown param named" "$(jq -r .error.field "$TMP/qunk.body")" colour
get qag "$AGENT" "/v1/queue"
expect_eq "agent cannot read the queue" "$ST" 403
get ql "$LEAD" "/v1/queue?limit=1&now=$NOW"
expect_eq "lead reads the queue" "$ST" 200

# --- done
FIRST=$(jq -r '.items[0].customer' "$TMP/q.body")
get done "$ADMIN" "/v1/queue/$FIRST/done" -X POST -H 'Content-Type: application/json' \
    --data-binary '{"note":"called back"}'
expect_eq "done" "$ST" 200
valid done POST "/v1/queue/{customer}/done"
expect_eq "done customer" "$(jq .customer "$TMP/done.body")" "$FIRST"
get done2 "$ADMIN" "/v1/queue/nobody-here/done" -X POST -H "Content-Length: 0"
expect_eq "done unknown customer" "$ST" 404
get done3 "$ADMIN" "/v1/queue/$FIRST/done" -X POST -H 'Content-Type: application/json' \
    --data-binary '{"nope":1}'
expect_eq "done unknown field" "$ST" 400

# --- journey: byte-identical to the CLI
CRM=$(sed -n 2p "$TMP/cli_queue" | jq -r .crm)
"$HEED" journey --db "$DB" "$CRM" --json --now "$NOW" >"$TMP/cli_journey" 2>/dev/null
get j "$ADMIN" "/v1/customers/$CRM/journey?now=$NOW"
expect_eq "journey" "$ST" 200
valid j GET "/v1/customers/{ref}/journey"
if cmp -s "$TMP/j.body" "$TMP/cli_journey"; then ok; else bad "journey differs from the CLI"; fi
get j404 "$ADMIN" "/v1/customers/nobody-here/journey"
expect_eq "journey unknown" "$ST" 404
valid j404 GET "/v1/customers/{ref}/journey"
get jag "$AGENT" "/v1/customers/$CRM/journey"
expect_eq "agent cannot read a journey" "$ST" 403

# --- links: byte-identical to `heed customer why --json`
for ref in cust-000009 "$CRM"; do
    "$HEED" customer why --db "$DB" "$ref" --json >"$TMP/cli_links" 2>/dev/null
    get l "$ADMIN" "/v1/customers/$ref/links"
    expect_eq "links $ref" "$ST" 200
    valid l GET "/v1/customers/{ref}/links"
    if cmp -s "$TMP/l.body" "$TMP/cli_links"; then ok; else bad "links $ref differ from the CLI"; fi
done
get l "$ADMIN" "/v1/customers/cust-000009/links"
expect_eq "links not linked" "$(jq -c '[.not_linked[]|.reason // "shared"]' "$TMP/l.body")" \
    '["shared"]'
get l404 "$ADMIN" "/v1/customers/nobody-here/links"
expect_eq "links unknown" "$ST" 404
get lag "$AGENT" "/v1/customers/cust-000009/links"
expect_eq "agent cannot read links" "$ST" 403

# --- conversation with analysis
CONV=$(jq -r '[.timeline[]|select(.type=="message")][0].conversation' "$TMP/j.body")
get c "$ADMIN" "/v1/conversations/$CONV"
expect_eq "conversation" "$ST" 200
valid c GET "/v1/conversations/{id}"
expect_eq "conversation messages" "$(jq '.messages|length' "$TMP/c.body")" \
    "$(jq --arg c "$CONV" '[.timeline[]|select(.conversation==$c)]|length' "$TMP/j.body")"
expect_eq "analysis with evidence" "$(jq '[.messages[]|.analysis.evidence|type]|unique' -c "$TMP/c.body")" '["array"]'
get c404 "$ADMIN" "/v1/conversations/no-such-conv"
expect_eq "conversation unknown" "$ST" 404

# --- agents
"$HEED" agents --db "$DB" --json --day 2026-09-29 2>/dev/null | jq -c . >"$TMP/cli_agents"
get a "$ADMIN" "/v1/agents?day=2026-09-29"
expect_eq "agents" "$ST" 200
valid a GET /v1/agents
expect_eq "agents = CLI" "$(jq -c '.periods[]' "$TMP/a.body")" "$(cat "$TMP/cli_agents")"
get ap "$ADMIN" "/v1/agents?day=2026-09-29&limit=1"
expect_eq "agents paged" "$(jq '.periods|length' "$TMP/ap.body")" 1
expect_eq "agents next" "$(jq .next_offset "$TMP/ap.body")" 1
get al "$LEAD" "/v1/agents?day=2026-09-30&days=28"
expect_eq "lead agents" "$ST" 200
TEAMS=$(jq -r '.periods[].agent' "$TMP/al.body" | sort -u | while read -r a; do
    grep "^$a," "$SAMPLES/agents.csv" | cut -d, -f3; done | sort -u | tr '\n' ' ')
expect_eq "lead sees only billing" "$TEAMS" "billing "
get aag "$AGENT" "/v1/agents"
expect_eq "agent cannot list agents" "$ST" 403
get abad "$ADMIN" "/v1/agents?days=9999"
expect_eq "agents bad days" "$ST" 400

# --- one agent
"$HEED" agent agent-0002 --db "$DB" --json --day 2026-09-30 2>/dev/null | jq -c . >"$TMP/cli_agent"
get one "$AGENT" "/v1/agents/agent-0002?day=2026-09-30"
expect_eq "agent own stats" "$ST" 200
valid one GET "/v1/agents/{id}"
expect_eq "agent = CLI" "$(jq -c '.periods[],.weeks[],.examples[]' "$TMP/one.body")" \
    "$(cat "$TMP/cli_agent")"
expect_eq "agent team" "$(jq -r .agent.team "$TMP/one.body")" billing
get other "$AGENT" "/v1/agents/agent-0003"
expect_eq "agent cannot read another" "$ST" 403
OTHER_TEAM=$(awk -F, 'NR>1 && $3!="billing" {print $1; exit}' "$SAMPLES/agents.csv")
get lo "$LEAD" "/v1/agents/$OTHER_TEAM"
expect_eq "lead cannot read another team" "$ST" 403
get a404 "$ADMIN" "/v1/agents/nobody"
expect_eq "agent unknown" "$ST" 404

# --- team trends
get t "$ADMIN" "/v1/teams/trends?day=2026-09-30"
expect_eq "team trends" "$ST" 200
valid t GET /v1/teams/trends
"$HEED" agents --db "$DB" --teams --json --day 2026-09-30 2>/dev/null | jq -c . >"$TMP/cli_teams"
expect_eq "teams = CLI" "$(jq -c '.weeks[]' "$TMP/t.body")" "$(cat "$TMP/cli_teams")"
get tl "$LEAD" "/v1/teams/trends?day=2026-09-30"
expect_eq "lead trends own team" "$(jq -r '[.weeks[].team]|unique|join(",")' "$TMP/tl.body")" billing


# --- trends: every grouping counts the same messages, as the store holds them
for by in week channel need; do
    get tr "$ADMIN" "/v1/trends?day=2026-09-30&days=28&by=$by&now=2026-09-30T18:00:00Z"
    expect_eq "trends by $by" "$ST" 200
    valid tr GET /v1/trends
    jq '[.rows[].messages]|add' "$TMP/tr.body" >>"$TMP/tr_totals"
    expect_eq "trends by $by = heed trends --json" "$(cat "$TMP/tr.body")" \
        "$("$HEED" trends --db "$DB" --day 2026-09-30 --days 28 --by "$by" \
            --now 2026-09-30T18:00:00Z --json 2>&1)"
    jq '[.rows[].outcomes.promises.made]|add' "$TMP/tr.body" >>"$TMP/tr_made"
done
expect_eq "trends promises agree" "$(sort -u "$TMP/tr_made" | wc -l)" 1
# without day, the period ends with the day of now, as in heed trends
get tr "$ADMIN" "/v1/trends?by=channel&now=2026-09-30T18:00:00Z"
expect_eq "trends now = heed trends --now" "$(cat "$TMP/tr.body")" \
    "$("$HEED" trends --db "$DB" --by channel --now 2026-09-30T18:00:00Z --json 2>&1)"
get trb "$ADMIN" "/v1/trends?now=soon"
expect_eq "trends bad now" "$ST" 400
expect_eq "trends bad now names it" "$(jq -r .error.field "$TMP/trb.body" 2>/dev/null)" now
expect_eq "trends totals agree" "$(sort -u "$TMP/tr_totals" | wc -l)" 1
if command -v sqlite3 >/dev/null; then
    expect_eq "trends = store" "$(head -1 "$TMP/tr_totals")" "$(sqlite3 "$DB" \
        "SELECT count(*) FROM message WHERE role = 1 AND time >= strftime('%s','2026-09-03')
         AND time < strftime('%s','2026-10-01')")"
fi
get tr "$ADMIN" "/v1/trends?day=2026-09-30&by=need"
expect_eq "trends need rows hold their need" \
    "$(jq '[.rows[]|select(.key!="(none)")|(.needs[.key] // 0)==.messages]|all' "$TMP/tr.body")" true
get trb "$ADMIN" "/v1/trends?by=colour"
expect_eq "trends bad by" "$ST" 400
get tra "$AGENT" "/v1/trends"
expect_eq "agent cannot read trends" "$ST" 403

# every status answered on a route is one docs/openapi.json lists for it
get metrics "" /metrics
doc_lists_statuses "$SPEC" "$TMP/metrics.body"
finish
