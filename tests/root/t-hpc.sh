# shellcheck shell=bash
# Shared hosts (issue 10) from root's side: a user with no subordinate ranges
# at all (as on a cluster whose accounts come from LDAP/SSSD with none given).
# The test runs burrow as that user itself.
fail() { echo "$*"; exit 1; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }

# as_rangeless CMD...: runs CMD as nobody (no line in /etc/subuid or /etc/subgid).
as_rangeless() { setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH="$PATH" "$@"; }

test_keep_id_without_ranges() {
    grep -qE '^(nobody|65534):' /etc/subuid /etc/subgid 2>/dev/null && fail "nobody has ranges here: cannot test"
    chmod 0711 "$WORK" && chown nobody "$WORK/bundle" && mkdir -m 0700 "$WORK/shared" "$WORK/state-nobody" && chown nobody "$WORK/shared" "$WORK/state-nobody"
    cfg --arg s "$WORK/shared" '.process.args = ["/bin/sh", "-c", "/probe dump write /home/f; chown 0:0 /home/f 2>/dev/null && echo chown=ok || echo chown=failed"]
        | .mounts += [{destination: "/home", type: "none", source: $s, options: ["rbind", "rw"]}]
        | del(.linux.uidMappings, .linux.gidMappings) | del(.linux.resources)
        | .linux.namespaces |= (map(select(.type != "network" and .type != "cgroup")) + [{type: "user"}])
        | .mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "none", source: "/sys", options: ["rbind", "ro"]} else . end)
        | .mounts |= map(if .destination == "/dev/pts" then .options -= ["gid=5"] else . end)'
    local out err
    out=$(cd "$WORK" && as_rangeless "$RUNTIME" --root "$WORK/state-nobody" run --userns keep-id --bundle "$BUNDLE" "$CID" \
        </dev/null 2>"$WORK/err") || fail "run failed: $(cat "$WORK/err")"
    err=$(cat "$WORK/err")
    case $out in *"uid=65534"*) ;; *) fail "not the caller's uid inside: $out" ;; esac
    case $out in *"uid_map=65534 65534 1"*) ;; *) fail "not a single-id map: $out" ;; esac
    [ "$(stat -c %u "$WORK/shared/f")" = 65534 ] || fail "the file is not the user's on the host"
    # what will not work is said once, and does not work
    [ "$(grep -c 'no subordinate' <<< "$err")" = 1 ] || fail "expected one note, got: $err"
    case $err in *"chown to another id fails"*) ;; *) fail "the note does not say what fails: $err" ;; esac
    case $out in *"chown=failed"*) ;; *) fail "chown to an unmapped id did not fail: $out" ;; esac
    [ -z "$(ls -A "$WORK/state-nobody" 2>/dev/null)" ] || fail "state left behind"
}
