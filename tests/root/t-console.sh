# shellcheck shell=bash
# process.terminal as real root: /dev/console is the container's pty (the
# same device as its stdin), through a console socket and in a foreground
# run. In a host /dev bound in (a scratch stand-in here) burrow binds over
# the node that is there, makes only the mount point (an empty file, as
# runc's O_CREAT) when there is none, and refuses a symlink; nothing else
# there changes.
rt() { "$RUNTIME" --root "$STATE_ROOT" "$@"; }
fail() { echo "$*"; exit 1; }
cfg() { jq "$@" "$BUNDLE/config.json" > "$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"; }

# The shell's view: major:minor (hex) of /dev/console and of its stdin.
STAT_SH='echo "console=$(stat -L -c %t:%T /dev/console) stdin=$(stat -L -c %t:%T /proc/self/fd/0)"'
check_console() {
    local line
    line=$(tr -d '\r' <<< "$1" | grep -o 'console=[0-9a-f:]* stdin=[0-9a-f:]*') || fail "no stat line in: $1"
    case $line in console=88:*) ;; *) fail "/dev/console is not a pty (major 0x88): $line" ;; esac
    [ "${line%% *}" = "console=${line##*stdin=}" ] || fail "/dev/console is not stdin's device: $line"
}
fg_run() {
    command -v script >/dev/null || { echo "util-linux script missing"; exit 77; }
    script -qec "$RUNTIME --root $STATE_ROOT run --bundle $BUNDLE $CID" /dev/null
}

test_console_is_the_pty_as_root_foreground() {
    cfg --arg c "$STAT_SH" '.process.terminal = true | .process.args = ["/bin/sh", "-c", $c]'
    out=$(fg_run) || fail "run failed: $out"
    check_console "$out"
}

test_console_is_the_pty_as_root_console_socket() {
    local recvtty=$BURROW_TEST_DIR/recvtty r i
    [ -x "$recvtty" ] || fail "$recvtty missing (tests/rootless/run builds it)"
    cfg --arg c "$STAT_SH" '.process.terminal = true | .process.args = ["/bin/sh", "-c", $c]'
    "$recvtty" --timeout 20 "$WORK/t.sock" "$WORK/t.tty" </dev/null >/dev/null 2>"$WORK/recvtty.err" &
    r=$!
    for i in $(seq 50); do [ -S "$WORK/t.sock" ] && break; sleep 0.1; done
    rt create --bundle "$BUNDLE" --console-socket "$WORK/t.sock" "$CID" </dev/null >/dev/null 2>"$WORK/err" ||
        fail "create failed: $(cat "$WORK/err")"
    rt start "$CID" || fail "start failed"
    wait "$r" || fail "recvtty failed: $(cat "$WORK/recvtty.err")"
    check_console "$(cat "$WORK/t.tty")"
}

test_no_console_as_root_without_terminal() {
    cfg '.process.args = ["/probe", "stat", "/dev/console"]'
    out=$(rt run --bundle "$BUNDLE" "$CID" </dev/null) || fail "run failed: $out"
    case $out in *"stat:/dev/console=ENOENT"*) ;; *) fail "/dev/console exists without a terminal: $out" ;; esac
}

# A scratch host /dev bound onto /dev; CONSOLE: node, none or link.
host_dev_run() {
    HOSTDEV=$WORK/hostdev
    mkdir -m 0755 "$HOSTDEV" "$HOSTDEV/pts" "$HOSTDEV/shm" "$HOSTDEV/mqueue"
    mknod -m 0666 "$HOSTDEV/null" c 1 3
    ln -s pts/ptmx "$HOSTDEV/ptmx"
    echo host > "$HOSTDEV/marker"
    case $1 in
        node) mknod -m 0600 "$HOSTDEV/console" c 5 1 && chown 7:7 "$HOSTDEV/console" ;;
        link) ln -s ../marker "$HOSTDEV/console" ;;
    esac
    BEFORE=$(cd "$HOSTDEV" && find . -printf '%p %y %m %U:%G %s %l\n' | sort; cat marker)
    cfg --arg d "$HOSTDEV" --arg c "$STAT_SH" '.mounts |= map(if .destination == "/dev" then
            {destination: "/dev", type: "bind", source: $d, options: ["rbind"]} else . end)
        | .process.terminal = true | .process.args = ["/bin/sh", "-c", $c]'
    OUT=$(fg_run)
    RC=$?
    AFTER=$(cd "$HOSTDEV" && find . -printf '%p %y %m %U:%G %s %l\n' | sort; cat marker)
}

test_console_in_host_dev_bound_over_its_node() {
    host_dev_run node
    [ "$RC" = 0 ] || fail "run failed: $OUT"
    check_console "$OUT"
    [ "$AFTER" = "$BEFORE" ] || fail "the bound-in /dev changed: $(diff <(echo "$BEFORE") <(echo "$AFTER"))"
}

test_console_in_host_dev_only_a_mount_point() {
    host_dev_run none
    [ "$RC" = 0 ] || fail "run failed: $OUT"
    check_console "$OUT"
    local made
    made=$(diff <(echo "$BEFORE") <(echo "$AFTER") | grep '^>')
    [ "$made" = "> ./console f 666 0:0 0 " ] || [ "$made" = "> ./console f 644 0:0 0 " ] ||
        fail "expected only an empty file ./console (the mount point), got: $made"
}

test_console_in_host_dev_symlink_refused() {
    host_dev_run link
    [ "$RC" != 0 ] || fail "run followed or replaced a symlink /dev/console in a host /dev: $OUT"
    case $OUT in *"/dev/console"*) ;; *) fail "the error does not name /dev/console: $OUT" ;; esac
    [ "$AFTER" = "$BEFORE" ] || fail "the bound-in /dev changed: $(diff <(echo "$BEFORE") <(echo "$AFTER"))"
}
