# shellcheck shell=bash
# CVE-2019-5736 as root (no user namespace: the container's root may write
# any host file it can reach): burrow's binary, in a directory root writes,
# must come out unchanged from a container that execs a "#!/proc/self/exe"
# script and watches /proc for the runtime (tests/security/attack-self-exe.c;
# the rootless form is tests/security/t-self-exe.sh).
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }
wait_file() { for _ in $(seq 1 "$2"0); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }

evil_setup() {
    EVIL=$WORK/evil
    mkdir -p "$EVIL" "$WORK/bin"
    gcc -static -O2 -o "$EVIL/attack" \
        "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/security/attack-self-exe.c" ||
        fail "cannot build the attacker"
    mkfifo "$EVIL/fifo"
    printf '#!/proc/self/exe --log=/home/user/fifo\n' > "$EVIL/evil.sh"
    chmod 0755 "$EVIL/evil.sh"
    cp "$RUNTIME" "$WORK/bin/burrow"
    B=$WORK/bin/burrow
    cfg --arg e "$EVIL" '.mounts += [{destination: "/home/user", type: "bind", source: $e, options: ["rbind", "rw"]}]
        | .process.args = ["/home/user/attack", "8", "/home/user"]'
}

unchanged() {
    cmp -s "$RUNTIME" "$B" || fail "burrow's binary was changed from inside the container ($(cat "$EVIL/result"))"
    echo "attacker: $(cat "$EVIL/result")"
}

test_exec_script_interpreted_by_proc_self_exe_as_root() {
    evil_setup
    "$B" --root "$STATE_ROOT" run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
    wait_file "$EVIL/ready" 10 || fail "the attacker did not start"
    timeout 20 "$B" --root "$STATE_ROOT" exec "$CID" /home/user/evil.sh </dev/null >/dev/null 2>&1
    # the exec child itself, before it executes anything: a second chance for the attacker
    timeout 20 "$B" --root "$STATE_ROOT" exec "$CID" /bin/true </dev/null >/dev/null 2>&1
    sleep 1
    touch "$EVIL/stop"
    wait_file "$EVIL/result" 15 || fail "the attacker gave no result"
    unchanged
    rt delete --force "$CID"
}
