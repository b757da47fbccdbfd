#!/usr/bin/env bash
# test_agent_aliases.sh - one agent across silos: the agents file's `email`
# and `aliases` columns name the agent as the mail and helpdesk exports do, so
# chat replies (agent-0002), mails (agent0002@northwind.example.com) and
# helpdesk comments (user 9000001) are one agent's; the same whether the
# agents file comes first or last; e-mail aliases in any case; an alias that
# is already another agent's rejects the row, nothing of it written.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { bad "sqlite3 is missing (scripts/deps.sh installs it)"; finish; exit 1; }
S=$2/../../samples/journey
AD=(--agent-domain northwind.example.com)

agents_of() { sqlite3 "$1" "SELECT agent, count(*) FROM message WHERE agent IS NOT NULL
    GROUP BY agent ORDER BY agent"; }

# ---- the agents file first (as `heed import dir` orders it)
"$HEED" import dir "$S" --db "$TMP/first.db" "${AD[@]}" -q
expect_eq "import dir" "$?" 0
agents_of "$TMP/first.db" >"$TMP/first"
expect_eq "six agents, every reply under its agent's id" \
    "$(cut -d'|' -f1 "$TMP/first" | tr '\n' ' ')" \
    "agent-0001 agent-0002 agent-0003 agent-0004 agent-0005 agent-0006 "
expect_eq "the mails' and tickets' replies are counted" \
    "$(awk -F'|' '{ n += $2 } END { print n }' "$TMP/first")" \
    "$(sqlite3 "$TMP/first.db" "SELECT count(*) FROM message WHERE role = 2")"
expect_eq "no bare agent rows for the aliases" \
    "$(sqlite3 "$TMP/first.db" "SELECT count(*) FROM agent")" 6

# ---- the agents file last: the replies stored under the aliases move
for f in customers.csv messages.jsonl mail.mbox tickets.json events.jsonl surveys.csv \
    shifts.csv; do
    kind=${f%%.*}
    case $f in mail.mbox) kind=mbox ;; tickets.json) kind=zendesk ;; esac
    "$HEED" import "$kind" "$S/$f" --db "$TMP/last.db" "${AD[@]}" -q
done
before=$(sqlite3 "$TMP/last.db" "SELECT count(*) FROM message WHERE agent LIKE '%@%' OR
    agent GLOB '900000[0-9]'")
if [ "$before" -gt 0 ]; then ok; else bad "no reply stored under an alias before the agents file"; fi
"$HEED" import agents "$S/agents.csv" --db "$TMP/last.db" 2>"$TMP/e-last"
expect_eq "agents last" "$?" 0
expect_grep "moved, counted" "$TMP/e-last" "heed import: $before earlier messages moved to their agent's id by its aliases"
agents_of "$TMP/last.db" >"$TMP/last"
if cmp -s "$TMP/first" "$TMP/last"; then ok; else bad "agents last: other agents than agents first"; diff "$TMP/first" "$TMP/last" >&2; fi
for day in 2026-09-30 2026-09-26; do
    "$HEED" agents --db "$TMP/first.db" --day "$day" --days 7 --json >"$TMP/a1" 2>&1
    "$HEED" agents --db "$TMP/last.db" --day "$day" --days 7 --json >"$TMP/a2" 2>&1
    if [ -s "$TMP/a1" ] && cmp -s "$TMP/a1" "$TMP/a2"; then ok; else bad "heed agents --day $day differs by import order"; fi
done
"$HEED" agent agent-0002 --db "$TMP/first.db" --day 2026-09-30 --json >"$TMP/g1" 2>&1
"$HEED" agent agent-0002 --db "$TMP/last.db" --day 2026-09-30 --json >"$TMP/g2" 2>&1
if [ -s "$TMP/g1" ] && cmp -s "$TMP/g1" "$TMP/g2"; then ok; else bad "heed agent agent-0002 differs by import order"; fi
# the summaries equal their recomputation (the definitions in docs/store.md)
expect_eq "agent_conv recomputed" "$(sqlite3 "$TMP/last.db" "SELECT count(*) FROM (
    SELECT a.ag, a.cv, a.s, a.e, a.n, coalesce((SELECT max(x.stress) FROM message x
    WHERE x.conversation = a.cv AND x.role = 1 AND x.time <= a.e), 0) FROM (SELECT m.agent ag,
    m.conversation cv, min(m.time) s, max(m.time) e, count(*) n FROM message m
    WHERE m.agent IS NOT NULL AND m.role = 2 GROUP BY m.agent, m.conversation) a
    EXCEPT SELECT agent, conversation, start, end, replies, peak_stress FROM agent_conv)")" 0
expect_eq "agent_reply follows" "$(sqlite3 "$TMP/last.db" "SELECT count(*) FROM agent_reply r
    JOIN message m ON m.id = r.message WHERE r.agent <> m.agent")" 0
expect_eq "no bare agent rows left" "$(sqlite3 "$TMP/last.db" "SELECT count(*) FROM agent")" 6

# ---- later records under an alias, in another case, go to the agent
cat >"$TMP/late.jsonl" <<'EOF'
{"id":"late-1","conversation":"late-c","role":"customer","time":"2026-10-01T09:00:00Z","email":"late@example.com","text":"Where is my order?"}
{"id":"late-2","conversation":"late-c","role":"agent","agent":"Agent0003@Northwind.Example.com","time":"2026-10-01T09:05:00Z","text":"It left our warehouse this morning."}
EOF
"$HEED" import messages "$TMP/late.jsonl" --db "$TMP/last.db" -q
expect_eq "a reply under an alias in capitals" \
    "$(sqlite3 "$TMP/last.db" "SELECT agent FROM message WHERE ext_id = 'late-2'")" agent-0003
# an API key for an alias is the agent's key
"$HEED" key create --db "$TMP/last.db" --role agent --agent 9000004 --name t >/dev/null 2>&1
expect_eq "a key created for an alias" \
    "$(sqlite3 "$TMP/last.db" "SELECT agent FROM api_key WHERE name = 't'")" agent-0005

# ---- conflicts: the row is rejected whole, the rest goes on
printf 'id,name,team,email,aliases\nagent-0099,New Person,tech,new@northwind.example.com,9000001\nagent-0007,Other,tech,,agent0007@northwind.example.com\n' >"$TMP/conflict.csv"
"$HEED" import agents "$TMP/conflict.csv" --db "$TMP/last.db" --rejects "$TMP/rej" 2>"$TMP/e-c"
expect_eq "a conflicting alias: exit 1" "$?" 1
expect_grep "names the agent who has it" "$TMP/e-c" "conflict.csv:2: '9000001' is already an alias of agent 'agent-0002'"
expect_grep "counted" "$TMP/e-c" "2 read = 1 imported + 0 already there + 1 rejected"
expect_eq "the rejected row wrote nothing" \
    "$(sqlite3 "$TMP/last.db" "SELECT count(*) FROM agent WHERE id = 'agent-0099';
        SELECT count(*) FROM agent_alias WHERE alias = 'new@northwind.example.com'" | tr '\n' ' ')" "0 0 "
expect_eq "the rejects file has the row" "$(cat "$TMP/rej")" \
    "agent-0099,New Person,tech,new@northwind.example.com,9000001"
expect_eq "the good row imported" \
    "$(sqlite3 "$TMP/last.db" "SELECT agent FROM agent_alias WHERE alias = 'agent0007@northwind.example.com'")" \
    agent-0007
# an alias that is itself an agent with aliases
printf 'id,name,team,email,aliases\nagent-0008,X,tech,,agent-0001\n' >"$TMP/chain.csv"
"$HEED" import agents "$TMP/chain.csv" --db "$TMP/last.db" 2>"$TMP/e-ch"
expect_eq "an agent with aliases as an alias: exit 1" "$?" 1
expect_grep "says why" "$TMP/e-ch" "'agent-0001' is an agent with aliases of its own, not an alias of 'agent-0008'"
finish
