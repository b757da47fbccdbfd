#!/usr/bin/env bash
# deps.sh - installs the Debian packages heed needs to build and test, only those
# missing, so running it again is quick. Sourced by demo.sh and test.sh.
set -euo pipefail

HEED_BUILD_PKGS=(build-essential cmake pkg-config libutf8proc-dev libcjson-dev libsqlite3-dev libsodium-dev libmicrohttpd-dev)
# sqlite3: tests/cli/test_resume.sh compares stores; curl, jq: tests/cli/test_serve.sh
HEED_TEST_PKGS=(libcmocka-dev sqlite3 curl jq)

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
