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

# --image with keep-id for a user without ranges: the map is the caller's
# own id alone (no root inside), so the FUSE mount belongs to that id.
test_image_keep_id_without_ranges() {
    command -v mksquashfs >/dev/null && command -v squashfuse >/dev/null || { echo "needs squashfs-tools and squashfuse"; exit 77; }
    grep -qE '^(nobody|65534):' /etc/subuid /etc/subgid 2>/dev/null && fail "nobody has ranges here: cannot test"
    mksquashfs "$ROOTFS" "$WORK/img.sqfs" -all-root -noappend -quiet -no-progress -processors 1 >/dev/null || fail "mksquashfs"
    chmod 0711 "$WORK" && chmod 0644 "$WORK/img.sqfs" && chown nobody "$WORK/bundle" && mkdir -m 0700 "$WORK/state-nobody" && chown nobody "$WORK/state-nobody"
    cfg '.process.args = ["/bin/sh", "-c", "busybox cat /etc/hostname >/dev/null && echo read-ok; id -u"]
        | .root.readonly = false
        | del(.linux.uidMappings, .linux.gidMappings) | del(.linux.resources)
        | .linux.namespaces |= (map(select(.type != "network" and .type != "cgroup")) + [{type: "user"}])
        | .mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "none", source: "/sys", options: ["rbind", "ro"]} else . end)
        | .mounts |= map(if .destination == "/dev/pts" then .options -= ["gid=5"] else . end)'
    local out
    out=$(cd "$WORK" && as_rangeless BURROW_IMAGE_IDLE=0 "$RUNTIME" --root "$WORK/state-nobody" run --userns keep-id --image "$WORK/img.sqfs" \
        --bundle "$BUNDLE" "$CID" </dev/null 2>"$WORK/err") || fail "run failed: $(cat "$WORK/err")"
    [ "$out" = "$(printf 'read-ok\n65534')" ] || fail "container output: $out"
    # the image's holder ends as soon as it is unused (BURROW_IMAGE_IDLE=0), squashfuse with it
    local i
    for i in $(seq 50); do pgrep -u nobody -x 'burrow-image|squashfuse' >/dev/null || break; sleep 0.1; done
    ! pgrep -u nobody -x 'burrow-image|squashfuse' >/dev/null || fail "the image's holder or squashfuse left behind"
    [ -z "$(ls -A "$WORK/state-nobody" 2>/dev/null)" ] || fail "state left behind: $(ls -A "$WORK/state-nobody")"
}

# Subordinate ids served by an nsswitch service (as SSSD serves them): a
# stand-in libsubid module, and /etc/nsswitch.conf replaced in a mount
# namespace of this test's own, where burrow runs as nobody.
test_subid_from_nsswitch_service() {
    command -v gcc >/dev/null && [ -e /usr/include/shadow/subid.h ] || fail "needs gcc and libsubid-dev"
    mkdir "$WORK/lib"
    cat > "$WORK/lib/mod.c" <<'MOD'
#include <shadow/subid.h>
#include <stdlib.h>
enum subid_status shadow_subid_list_owner_ranges(const char *owner, enum subid_type t, struct subid_range **r, int *n) {
    *n = 1; *r = malloc(sizeof **r);
    (*r)[0].start = t == ID_TYPE_UID ? 500000 : 600000; (*r)[0].count = 70000;
    return SUBID_STATUS_SUCCESS;
}
enum subid_status shadow_subid_has_range(const char *o, unsigned long s, unsigned long c, enum subid_type t, bool *res) {
    *res = false; return SUBID_STATUS_SUCCESS;
}
enum subid_status shadow_subid_find_subid_owners(unsigned long id, enum subid_type t, uid_t **u, int *n) {
    *n = 0; return SUBID_STATUS_SUCCESS;
}
void shadow_subid_free(void *p) { free(p); }
MOD
    gcc -shared -fPIC -o "$WORK/lib/libsubid_burrowtest.so" "$WORK/lib/mod.c" || fail "cannot build the module"
    { grep -v '^subid:' /etc/nsswitch.conf; echo 'subid: burrowtest'; } > "$WORK/nsswitch.conf"
    chmod 0755 "$WORK" "$WORK/lib" && chown nobody "$WORK/bundle" && rm -f "$WORK/bundle/config.json"
    local out
    out=$(unshare -m --propagation private sh -c 'mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf &&
        cd "$1/bundle" && setpriv --reuid=nobody --regid=nogroup --clear-groups env -i LD_LIBRARY_PATH="$1/lib" \
        "$2" spec --rootless --keep-id 2>&1' sh "$WORK" "$RUNTIME") || fail "spec --keep-id failed: $out"
    local maps
    maps=$(jq -c '[.linux.uidMappings, .linux.gidMappings]' "$WORK/bundle/config.json")
    [ "$maps" = '[[{"containerID":0,"hostID":500000,"size":65534},{"containerID":65534,"hostID":65534,"size":1},{"containerID":65535,"hostID":565534,"size":4466}],[{"containerID":0,"hostID":600000,"size":65534},{"containerID":65534,"hostID":65534,"size":1},{"containerID":65535,"hostID":665534,"size":4466}]]' ] ||
        fail "not the service's ranges: $maps"
    case $out in *"no subordinate"*) fail "warned of no ranges: $out" ;; esac
    return 0
}
