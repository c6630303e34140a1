# shellcheck shell=bash
# `burrow spec` as root: runc 1.1's template's namespaces, no cgroup one
# (tools add it themselves; a second would be "given twice").
fail() { echo "$*"; exit 1; }

test_spec_namespaces_as_runc_as_root() {
    mkdir "$WORK/s" && cd "$WORK/s" || fail "mkdir"
    "$RUNTIME" spec || fail "spec failed"
    got=$(jq -c '[.linux.namespaces[].type]' config.json)
    [ "$got" = '["pid","network","ipc","uts","mount"]' ] || fail "spec's namespaces: $got"
    # what the tools do with it: a cgroup namespace added runs
    jq --arg r "$ROOTFS" '.root = {path: $r, readonly: true} | .process.terminal = false
        | .process.args = ["/probe"] | .linux.namespaces += [{type: "cgroup"}]' config.json > c && mv c config.json
    out=$("$RUNTIME" --root "$STATE_ROOT" run --bundle "$WORK/s" "$CID" </dev/null 2>&1) || fail "run with a cgroup namespace added: $out"
    [ "$(grep '^ns.cgroup=' <<< "$out")" != "ns.cgroup=$(readlink /proc/self/ns/cgroup | tr -dc 0-9)" ] ||
        fail "no cgroup namespace of its own: $out"
}
