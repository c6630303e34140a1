# shellcheck shell=bash
# The documentation cannot drift from the binary: every command and flag that
# `burrow --help` and `burrow COMMAND --help` list has its entry in man/, and
# the other way round; the completions in completions/ offer the same
# commands and flags, container ids from `burrow list -q` and signal names
# (bash through complete -p and _burrow with COMP_WORDS in a non-interactive
# shell, fish through `complete -C`, zsh loaded with compinit).
# Each test lists every mismatch it finds, not only the first.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAN=$REPO_DIR/man
COMP=$REPO_DIR/completions

# Flags in runc's OPTIONS layout read from stdin ("   --bundle value, -b value  text"),
# or with $1 = 2 from burrow --help's "Global options:" ("  --root DIR   text"): one per line, sorted.
help_flags() {
    awk -v ind="${1:-3}" '{ l = substr($0, ind + 1); i = index(l, "  "); if (i) l = substr(l, 1, i - 1); print l }' |
        grep -oE '(^|[ ,])-{1,2}[A-Za-z0-9][-A-Za-z0-9]*' | sed -E 's/^[ ,]+//' | sort -u
}
cmd_help_flags() { "$RUNTIME" "$1" --help | sed -n '/^OPTIONS:/,$p' | tail -n +2 | help_flags | grep -vxE -- '--help|-h'; }
global_help_flags() { "$RUNTIME" --help | sed -n '/^Global options:/,/^$/p' | sed '1d;/^$/d' | help_flags 2; }
commands() { "$RUNTIME" --help | sed -n '/^Commands:/,/^$/p' | sed '1d;/^$/d' | awk '{print $1}'; }

# The flags a man page documents in its OPTIONS section (the tag lines after .TP/.TQ).
man_flags() {
    awk '/^\.SH OPTIONS/ {o = 1; next} /^\.SH/ {o = 0} o && prev ~ /^\.(TP|TQ)/ {print} {prev = $0}' "$1" |
        sed 's/\\%//g; s/\\-/-/g; s/\\f[BIRP]//g' |
        grep -oE '(^\.[A-Z]+ |[ "])-{1,2}[A-Za-z0-9][-A-Za-z0-9]*' | sed -E 's/^(\.[A-Z]+ |[ "])//' | sort -u
}

PROBLEMS=""
problem() { PROBLEMS+="$*"$'\n'; note "$*"; }
check_problems() { [ -z "$PROBLEMS" ] || fail "$(printf '%s' "$PROBLEMS" | wc -l) mismatches:"$'\n'"$PROBLEMS"; }

# compare WHAT LEFT_NAME LEFT RIGHT_NAME RIGHT: each word of one missing from the other.
compare() {
    local w
    for w in $3; do grep -qxF -- "$w" <<< "$5" || problem "$1: $w is in $2 but not in $4"; done
    for w in $5; do grep -qxF -- "$w" <<< "$3" || problem "$1: $w is in $4 but not in $2"; done
}

test_docs_man_pages_match_help() {
    burrow_only "burrow's own documentation"
    local cmds c
    cmds=$(commands)
    [ -n "$cmds" ] || fail "burrow --help lists no commands"
    # burrow(1)'s COMMANDS section, the man pages present and installed.
    local man_cmds
    man_cmds=$(awk '/^\.SH COMMANDS/ {o = 1; next} /^\.SH/ {o = 0} o && prev ~ /^\.(TP|TQ)/ {print $2} {prev = $0}' \
        "$MAN/burrow.1" | sed 's/\\-/-/g')
    compare "commands" "burrow --help" "$cmds" "burrow(1) COMMANDS" "$man_cmds"
    local pages
    pages=$(cd "$MAN" && ls burrow-*.1 | sed 's/^burrow-//; s/\.1$//')
    compare "man pages" "burrow --help" "$cmds" "man/burrow-*.1" "$pages"
    for c in $pages; do
        grep -q "'burrow-$c.1'" "$MAN/meson.build" || problem "man/meson.build does not install burrow-$c.1"
    done
    compare "global options" "burrow --help" "$(global_help_flags)" "burrow(1) OPTIONS" "$(man_flags "$MAN/burrow.1")"
    for c in $cmds; do
        [ -f "$MAN/burrow-$c.1" ] || continue
        compare "$c" "burrow $c --help" "$(cmd_help_flags "$c")" "burrow-$c(1) OPTIONS" "$(man_flags "$MAN/burrow-$c.1")"
    done
    check_problems
}

test_docs_help_every_command() {
    burrow_only "burrow's own help"
    local c
    for c in $(commands); do
        capture "$RUNTIME" "$c" --help
        assert_rc 0
        assert_contains "$OUT" "NAME:
   burrow $c - " "burrow $c --help"
        assert_contains "$OUT" "USAGE:
   burrow $c" "burrow $c --help"
        assert_contains "$OUT" "OPTIONS:" "burrow $c --help"
        capture "$RUNTIME" "$c" -h
        assert_contains "$OUT" "NAME:" "burrow $c -h"
    done
}

# bcomp WORD...: COMPREPLY of bash's _burrow for the line WORD... (the last
# word is the one being completed), one per line, sorted.
bcomp() {
    bash --norc --noprofile -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _burrow
        printf "%s\n" "${COMPREPLY[@]}"' bcomp "$COMP/burrow.bash" "$@" | sed '/^$/d' | sort -u
}

# Flags that the completions do not offer on purpose: runc's, accepted for its callers.
not_offered() { grep -vxE -- '--process-label|--ignore-paused|--criu|--log-level'; }
long_only() { grep -E '^--' | not_offered; }

test_docs_bash_completion() {
    burrow_only "burrow's own completions"
    local out c
    out=$(bash --norc --noprofile -c 'source "$1" && complete -p burrow' x "$COMP/burrow.bash" 2>&1)
    assert_eq "$out" "complete -F _burrow burrow" "complete -p burrow"
    compare "bash: commands" "burrow --help" "$(commands | sort)" "bash completion" "$(bcomp "$RUNTIME" "")"
    compare "bash: global options" "burrow --help" "$(global_help_flags | long_only)" "bash completion" \
        "$(bcomp "$RUNTIME" --)"
    for c in $(commands); do
        compare "bash: $c" "burrow $c --help" "$(cmd_help_flags "$c" | long_only)" "bash completion" \
            "$(bcomp "$RUNTIME" "$c" --)"
    done
    check_problems
    # Values: formats, signals after the id of kill.
    assert_eq "$(bcomp "$RUNTIME" check-host --format "")" $'json\ntext' "check-host --format"
    assert_eq "$(bcomp "$RUNTIME" kill c1 SIGK)" "SIGKILL" "kill c1 SIGK"
    out=$(bcomp "$RUNTIME" kill c1 "")
    assert_contains "$out" $'KILL\n' "signals"
    assert_contains "$out" $'TERM\n' "signals"
    # Container ids from `burrow list -q`, with the --root of the line.
    rt create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "create failed"
    assert_eq "$(bcomp "$RUNTIME" --root "$STATE_ROOT" start "")" "$CID" "ids for start"
    assert_eq "$(bcomp "$RUNTIME" --root="$STATE_ROOT" kill "${CID:0:3}")" "$CID" "ids for kill"
    assert_eq "$(bcomp "$RUNTIME" --root "$STATE_ROOT" delete -f "")" "$CID" "ids for delete -f"
    rt delete -f "$CID"
}

test_docs_fish_completion() {
    burrow_only "burrow's own completions"
    command -v fish >/dev/null || skip "fish is not installed (tests/rootless/run installs it)"
    # fcomp LINE: fish's completions for LINE, the words only, sorted.
    fcomp() { fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$COMP/burrow.fish" "$1" | cut -f1 | sort -u; }
    local err c
    err=$(fish --no-config -c 'source $argv[1]' "$COMP/burrow.fish" 2>&1)
    assert_eq "$err" "" "loading burrow.fish"
    compare "fish: commands" "burrow --help" "$(commands | sort)" "fish completion" "$(fcomp "$RUNTIME ")"
    for c in $(commands); do
        compare "fish: $c" "burrow $c --help" "$(cmd_help_flags "$c" | long_only)" "fish completion" \
            "$(fcomp "$RUNTIME $c --" | grep -E '^--')"
    done
    check_problems
    assert_contains "$(fcomp "$RUNTIME kill c1 SIGK")" "SIGKILL" "fish: kill c1 SIGK"
    rt create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "create failed"
    assert_eq "$(fcomp "$RUNTIME --root $STATE_ROOT state ")" "$CID" "fish: ids for state"
    rt delete -f "$CID"
}

test_docs_zsh_completion() {
    burrow_only "burrow's own completions"
    command -v zsh >/dev/null || skip "zsh is not installed (tests/rootless/run installs it)"
    local out c f
    out=$(zsh -f -c 'autoload -Uz compinit && compinit -u -d "$1" && source "$2" && print -r -- ${_comps[burrow]}' \
        x "$TEST_DIR/zcompdump" "$COMP/_burrow" 2>&1)
    assert_eq "$out" "_burrow" "loading _burrow"
    # zsh offers completions only to a terminal: the text must name every command and flag.
    for c in $(commands); do
        grep -q "'$c:" "$COMP/_burrow" || problem "zsh: command $c is not in _burrow"
        for f in $(cmd_help_flags "$c" | long_only); do
            grep -qE -- "(^|[^-a-z])$f([^-a-z]|\$)" "$COMP/_burrow" || problem "zsh: $c $f is not in _burrow"
        done
    done
    check_problems
}

run_tests "$@"
