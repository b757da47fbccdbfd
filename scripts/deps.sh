#!/usr/bin/env bash
# deps.sh - installs the Debian packages heed needs to build and test, only those
# missing, so running it again is quick. Sourced by demo.sh and test.sh.
set -euo pipefail

HEED_BUILD_PKGS=(build-essential cmake pkg-config libutf8proc-dev libcjson-dev libsqlite3-dev libsodium-dev libmicrohttpd-dev)
# sqlite3: tests/cli/test_resume.sh compares stores; curl, jq: tests/cli/test_serve.sh;
# chromium, nodejs, npm: tests/browser (the dashboard). A node and npm that are
# already installed from elsewhere are used as they are.
HEED_TEST_PKGS=(libcmocka-dev sqlite3 curl jq chromium)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    HEED_TEST_PKGS+=(nodejs npm)
fi

# The browser test's pinned playwright-core (tests/browser/package-lock.json);
# `npm ci` only when it is not there yet, so later runs need no network.
heed_browser_deps() {
    local dir
    dir="$(dirname "${BASH_SOURCE[0]}")/../tests/browser"
    [ -f "$dir/node_modules/playwright-core/package.json" ] && return 0
    echo "heed: npm ci in tests/browser (playwright-core)" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --prefer-offline >&2)
}

heed_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

heed_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "heed: installing ${missing[*]}" >&2
    heed_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    heed_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
