#!/usr/bin/env bash
# demo.sh - README command 1: installs what heed needs, builds it, imports the
# bundled multi-silo sample (messages, e-mail, tickets, CRM, orders and
# deliveries, refunds, surveys) into a store and prints the act-now queue with
# its reasons and one customer's journey; then `heed analyze` on the sample
# messages and `heed check-reply` on a sample draft; last, starts `heed serve`
# on the store in the background and prints the web dashboard's address and a
# key for it (HEED_DEMO_SERVE=0: only print the command). Idempotent: the store
# is made afresh in build/demo.db and the server of an earlier run is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
heed_install "${HEED_BUILD_PKGS[@]}"
echo "heed: building (release, profile-guided: scripts/build.sh)" >&2
bash scripts/build.sh build
pidfile=build/demo-serve.pid
# the server of an earlier run of this script is stopped first (idempotent)
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    sleep 0.5
fi
rm -f "$pidfile"
db=build/demo.db
rm -f "$db" "$db-wal" "$db-shm"
echo "heed $(./build/heed --version | cut -d' ' -f2): importing samples/journey (synthetic) into $db" >&2
./build/heed import dir samples/journey --db "$db" --agent-domain northwind.example.com
echo >&2
./build/heed queue --db "$db" --now data --top 5
first=$(./build/heed queue --db "$db" --now data --top 1 --json | sed -n 's/.*"crm":"\([^"]*\)".*/\1/p')
if [ -n "$first" ]; then
    echo
    ./build/heed journey "$first" --db "$db" --now data
fi
echo
echo "heed analyze: samples/messages.jsonl" >&2
./build/heed analyze --table samples/messages.jsonl | tail -25
echo >&2
echo "heed check-reply: a weak draft (samples/check-draft.txt) to the customer's message (samples/check-customer.txt)" >&2
./build/heed check-reply --customer @samples/check-customer.txt --reply @samples/check-draft.txt \
    --time 2026-11-05T10:00:00Z
echo
key=$(./build/heed key create --db "$db" --role admin --name demo 2>/dev/null)
listen=${HEED_DEMO_LISTEN:-127.0.0.1:8080}
if [ "${HEED_DEMO_SERVE:-1}" = 0 ]; then
    echo "heed dashboard: run ./build/heed serve --db $db --listen $listen"
    echo "  then open http://$listen/ and sign in with $key (As of: 2026-09-30T23:59:59Z)"
    exit 0
fi
./build/heed serve --db "$db" --listen "$listen" --quiet >build/demo-serve.log 2>&1 &
echo $! >"$pidfile"
sleep 1
if kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "heed dashboard: http://$listen/ (heed serve runs in the background, pid $(cat "$pidfile"))"
    echo "  sign in with the key $key and set 'As of' to 2026-09-30T23:59:59Z (the sample's last day)"
    echo "  stop it with: kill \$(cat $pidfile)"
else
    echo "heed dashboard: heed serve could not start on $listen:" >&2
    cat build/demo-serve.log >&2
    echo "  choose another address with HEED_DEMO_LISTEN=127.0.0.1:PORT bash scripts/demo.sh" >&2
    rm -f "$pidfile"
    exit 1
fi
