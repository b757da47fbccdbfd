#!/usr/bin/env bash
# demo.sh - README command 1: installs what heed needs, builds it, imports the
# bundled multi-silo sample (messages, e-mail, tickets, CRM, orders and
# deliveries, refunds, surveys) into a store and prints the act-now queue with
# its reasons and one customer's journey; then `heed analyze` on the sample
# messages and `heed check-reply` on a sample draft; last, the web dashboard's
# address and a key for it (HEED_DEMO_SERVE=1: serve it until Ctrl-C).
# Idempotent: the store is made afresh in build/demo.db each time.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
heed_install "${HEED_BUILD_PKGS[@]}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHEED_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
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
if [ "${HEED_DEMO_SERVE:-0}" = 1 ]; then
    echo "heed dashboard: http://$listen/ - sign in with $key, set 'As of' to 2026-09-30T23:59:59Z (Ctrl-C stops)"
    exec ./build/heed serve --db "$db" --listen "$listen"
fi
echo "heed dashboard: run ./build/heed serve --db $db --listen $listen"
echo "  then open http://$listen/ and sign in with $key (As of: 2026-09-30T23:59:59Z)"
