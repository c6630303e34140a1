#!/bin/bash
# Capabilities through the inheritable and ambient sets (CVE-2022-29162: a
# setcap'd or setuid program gains what the inheritable set holds), and
# no_new_privs honoured by exec (a setuid-root program in the container stays
# unprivileged under it).
. "$(dirname "${BASH_SOURCE[0]}")/../rootless/lib.sh"

start_sleeper() {
    probe_args sleep 60
    rtc run -d --bundle "$BUNDLE" "$CID"
    assert_ok
}

test_run_inheritable_empty_by_default() {
    probe_ok
    assert_line CapInh 0000000000000000
    assert_line CapAmb 0000000000000000
}

test_run_inheritable_only_as_configured() {
    cfg '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL", "CAP_CHOWN"], "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'
    probe_ok
    assert_line CapInh "$(capmask CAP_KILL)"
    assert_line CapAmb "$(capmask CAP_KILL)"
}

test_exec_cap_not_inheritable() {
    start_sleeper
    rtc exec --cap CAP_CHOWN "$CID" /probe
    assert_ok
    assert_line CapInh 0000000000000000
    assert_line CapAmb 0000000000000000
    assert_eq "$(( 0x$(pv CapEff) & 1 ))" 1 "CAP_CHOWN in the effective set"
    rtc exec "$CID" /probe
    assert_line CapInh 0000000000000000
    kill_and_delete "$CID"
}

test_exec_cap_ambient_only_with_configured_inheritable() {
    cfg '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"], "inheritable": ["CAP_KILL"]}'
    start_sleeper
    rtc exec --cap CAP_CHOWN "$CID" /probe
    assert_ok
    assert_line CapInh "$(capmask CAP_KILL)"
    kill_and_delete "$CID"
}

test_exec_no_new_privs_from_config() {
    cfg '.process.noNewPrivileges = true'
    start_sleeper
    rtc exec "$CID" /probe
    assert_ok
    assert_line NoNewPrivs 1
    kill_and_delete "$CID"
}

test_exec_no_new_privs_flag() {
    cfg '.process.noNewPrivileges = false'
    start_sleeper
    rtc exec "$CID" /probe
    assert_line NoNewPrivs 0
    rtc exec --no-new-privs "$CID" /probe
    assert_ok
    assert_line NoNewPrivs 1
    kill_and_delete "$CID"
}

# A setuid-root program (made by the container's root in its writable rootfs)
# run by uid 1000: root without no_new_privs, uid 1000 and no capabilities with it.
test_exec_no_new_privs_blocks_setuid() {
    writable_rootfs
    userns_full
    [ "$SUBUID_COUNT" -gt 1000 ] || skip "needs a subordinate uid range"
    cfg '.process.noNewPrivileges = false'
    start_sleeper
    rtc exec "$CID" sh -c 'cp /probe /suid-probe && chown 0:0 /suid-probe && chmod 4755 /suid-probe'
    assert_ok
    rtc exec -u 1000:1000 "$CID" /suid-probe
    assert_ok
    assert_line euid 0
    rtc exec -u 1000:1000 --no-new-privs "$CID" /suid-probe
    assert_ok
    assert_line euid 1000
    assert_line CapEff 0000000000000000
    kill_and_delete "$CID"
    cfg '.process.noNewPrivileges = true'
    start_sleeper
    rtc exec -u 1000:1000 "$CID" /suid-probe
    assert_ok
    assert_line euid 1000
    assert_line CapEff 0000000000000000
    kill_and_delete "$CID"
}

run_tests "$@"
