#!/usr/bin/env bash
# test_pgo_train.sh - the training run of the profile-guided release build
# (scripts/pgo-train.sh, run by scripts/build.sh for the README's first
# command and the benchmarks) works with this heed: every command it runs
# exists and succeeds, on a small generated set. A training run that fails
# would stop the release build.
. "$(dirname "$0")/lib.sh"
ROOT=$2/../..

HEED_PGO_CUSTOMERS=40 bash "$ROOT/scripts/pgo-train.sh" "$HEED" >"$TMP/out" 2>"$TMP/err"
expect_eq "training run exit" "$?" 0
expect_eq "training run prints nothing" "$(cat "$TMP/out" "$TMP/err")" ""
# a command it cannot run makes it fail (the script stops at the first error)
printf '#!/bin/sh\nexec "%s" "$@"\n' "$HEED" >"$TMP/heed-ok"
printf '#!/bin/sh\n[ "$1" = trends ] && exit 2\nexec "%s" "$@"\n' "$HEED" >"$TMP/heed-broken"
chmod +x "$TMP/heed-ok" "$TMP/heed-broken"
HEED_PGO_CUSTOMERS=40 bash "$ROOT/scripts/pgo-train.sh" "$TMP/heed-ok" >/dev/null 2>&1
expect_eq "through a wrapper" "$?" 0
if HEED_PGO_CUSTOMERS=40 bash "$ROOT/scripts/pgo-train.sh" "$TMP/heed-broken" >/dev/null 2>&1; then
    bad "a failing command did not fail the run"
else ok; fi
finish
