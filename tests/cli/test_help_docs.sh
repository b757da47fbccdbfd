#!/usr/bin/env bash
# test_help_docs.sh - each command's --help against itself and the docs: every
# command `heed --help` lists answers --help with exit 0 and states its exit
# codes (train and eval: each of their tasks); no option's description stops
# mid-sentence; the option tables of docs/api.md (heed serve) and
# docs/generate.md, and the README's synopses of `heed analyze` and `heed
# check-reply`, name exactly the options their --help names. `heed --help`
# into a full disk is an error.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# the options a --help text describes: the first option of each option line
help_opts() { sed -n 's/^ \{1,6\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' "$1" |
    grep -vx -- '--help' | sort -u; }

# same_opts WHAT WANT_FILE GOT_FILE
same_opts() {
    if diff -u "$2" "$3" >"$TMP/optdiff"; then ok; else
        bad "$1: the options differ (-: --help, +: the doc):"
        cat "$TMP/optdiff" >&2
    fi
}

"$HEED" --help >"$TMP/main"
if [ -w /dev/full ]; then
    "$HEED" --help >/dev/full 2>"$TMP/err"
    expect_eq "--help into a full disk: exit" "$?" 2
    expect_grep "--help into a full disk: said" "$TMP/err" "heed --help: write error"
fi
sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$TMP/main" >"$TMP/cmds"
expect_eq "commands listed" "$(wc -l <"$TMP/cmds")" 16
while read -r cmd; do
    "$HEED" "$cmd" --help >"$TMP/$cmd.help" 2>"$TMP/err"
    expect_eq "$cmd --help exit" "$?" 0
    case $cmd in
    train | eval) # each task's own --help states them (train compassion: none to train)
        for task in $(sed -n '/^Tasks:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$TMP/$cmd.help"); do
            [ "$cmd $task" = "train compassion" ] && continue
            "$HEED" "$cmd" "$task" --help >"$TMP/task.help" 2>&1
            expect_grep "$cmd $task --help: exit codes" "$TMP/task.help" "Exit codes: 0 "
        done ;;
    *) expect_grep "$cmd --help: exit codes" "$TMP/$cmd.help" "Exit codes: 0 " ;;
    esac
    # a description cut off before the next option ("... it touched are")
    awk -v cmd="$cmd" 'p != "" && /^  +-/ { n = split(p, w, " ")
            if (w[n] ~ /^(a|an|the|are|is|of|to|and|or|with|by|for|in|from|that|as)$/)
                print cmd " --help: a sentence stops at \"" p "\"" }
        { p = $0 }' "$TMP/$cmd.help" >"$TMP/cut"
    if [ -s "$TMP/cut" ]; then bad "$(cat "$TMP/cut")"; else ok; fi
done <"$TMP/cmds"

# heed serve --help and docs/api.md's table of options
help_opts "$TMP/serve.help" >"$TMP/serve.want"
sed -n '/^## Running/,/^## /s/^| `\(--[a-z][a-z0-9-]*\).*/\1/p' "$ROOT/docs/api.md" | sort -u \
    >"$TMP/serve.doc"
same_opts "heed serve --help vs docs/api.md" "$TMP/serve.want" "$TMP/serve.doc"

# heed generate --help and docs/generate.md's table
help_opts "$TMP/generate.help" >"$TMP/gen.want"
sed -n 's/^| `\(--[a-z][a-z0-9-]*\).*/\1/p' "$ROOT/docs/generate.md" | sort -u >"$TMP/gen.doc"
same_opts "heed generate --help vs docs/generate.md" "$TMP/gen.want" "$TMP/gen.doc"

# the README's synopses
help_opts "$TMP/analyze.help" >"$TMP/an.want"
sed -n '/^heed analyze \[/,/^```$/p' "$ROOT/README.md" | grep -o -- '--[a-z][a-z0-9-]*' |
    sort -u >"$TMP/an.doc"
same_opts "heed analyze --help vs the README" "$TMP/an.want" "$TMP/an.doc"
help_opts "$TMP/check-reply.help" >"$TMP/cr.want"
grep '^heed check-reply --' "$ROOT/README.md" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u \
    >"$TMP/cr.doc"
same_opts "heed check-reply --help vs the README" "$TMP/cr.want" "$TMP/cr.doc"

finish
