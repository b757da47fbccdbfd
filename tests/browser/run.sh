#!/usr/bin/env bash
# run.sh - ctest's entry to the browser test (browser/dashboard):
#   run.sh HEED_BINARY SOURCE_DIR OUT_DIR
# Exits 77 (skipped) when node or chromium is not installed; installs the
# pinned playwright-core (package-lock.json) with `npm ci` when it is missing.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "SKIP: no node (scripts/test.sh installs it)"; exit 77; }
[ -x "${HEED_CHROMIUM:-/usr/bin/chromium}" ] ||
    { echo "SKIP: no chromium (scripts/test.sh installs Debian's)"; exit 77; }
if [ ! -f "$dir/node_modules/playwright-core/package.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --prefer-offline >&2)
fi
exec node "$dir/dashboard.test.mjs" "$@"
