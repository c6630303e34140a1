# shellcheck shell=bash
# The Debian package (debian/) and installed trees, as root. Run by
# tests/package/run: each test_* in its own bash, in this order; each builds
# or installs what it needs itself (need_deb, need_installed), so that any one
# runs alone. Containers run as the test user (tests/rootless/as-user).
# Environment (from run): REPO, BURROW_TEST_DIR, BURROW_TEST_USER, PKG_WORK.

fail() { echo "FAILED: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
note() { echo "# $*"; }
as_user() { "$REPO/tests/rootless/as-user" "$@"; }

USER_NAME=$BURROW_TEST_USER
VERSION=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
DEB=$PKG_WORK/burrow_${VERSION}_$(dpkg --print-architecture).deb

# The source files: tracked and untracked but not ignored (git), else all but
# build directories.
src_files() {
    if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$REPO" ls-files -z -co --exclude-standard
    else
        (cd "$REPO" && find . \( -path ./.git -o -path './build*' -o -path './obj-*' \) -prune -o -type f -print0)
    fi
}
# The source as a tar stream, with its files' times (lintian refuses 1970).
src_tar() { (cd "$REPO" && src_files | tar --null -T - --ignore-failed-read -c 2>/dev/null); }

# need_deb: $DEB built from the current source, by dpkg-buildpackage in a copy
# under $PKG_WORK (never in the checkout); reused while the source is unchanged
# (tests/ aside: the nocheck build does not use it).
need_deb() {
    local hash
    hash=$( (cd "$REPO" && src_files | grep -zv '^tests/' | tar --null -T - --ignore-failed-read --sort=name \
        --mtime=@0 --owner=0 --group=0 --numeric-owner -c 2>/dev/null) | sha256sum | cut -d' ' -f1)
    if [ -f "$DEB" ] && [ "$(cat "$PKG_WORK/deb.source" 2>/dev/null)" = "$hash" ]; then
        note "reusing $DEB (same source)"
        return 0
    fi
    rm -rf "$PKG_WORK/src" "$PKG_WORK"/burrow_* "$PKG_WORK"/burrow-dbgsym_* "$PKG_WORK/deb.source"
    local src=$PKG_WORK/src/burrow-$VERSION
    mkdir -p "$src"
    src_tar | tar -C "$src" -x || fail "copying the source"
    local t0=$SECONDS
    (cd "$src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=$(nproc)" dpkg-buildpackage -us -uc -b -Pnocheck) \
        > "$PKG_WORK/build.log" 2>&1 || { tail -30 "$PKG_WORK/build.log"; fail "dpkg-buildpackage failed"; }
    note "dpkg-buildpackage took $((SECONDS - t0))s"
    # dpkg-buildpackage writes next to the source directory
    mv "$PKG_WORK/src/${DEB##*/}" "$DEB" || fail "no ${DEB##*/} after the build"
    rm -rf "$PKG_WORK/src" # the build tree is not needed any more
    echo "$hash" > "$PKG_WORK/deb.source"
}

installed() { dpkg-query -W -f='${Status}' burrow 2>/dev/null | grep -q 'ok installed'; }

# need_installed: the .deb installed (with its Depends), its file list kept.
need_installed() {
    need_deb
    installed && [ -f "$PKG_WORK/installed.files" ] && return 0
    installed && dpkg --purge burrow >/dev/null
    apt_get install --no-install-recommends "$DEB" || fail "apt-get install $DEB failed"
    dpkg -L burrow > "$PKG_WORK/installed.files"
}

# user_dir NAME: an empty directory of the test user's under $PKG_WORK.
user_dir() {
    rm -rf "${PKG_WORK:?}/$1"
    install -d -o "$USER_NAME" -m 0755 "$PKG_WORK/$1"
    echo "$PKG_WORK/$1"
}

# bundle BURROW ARGS-JSON: a bundle of the test user's on the shared busybox rootfs.
bundle() {
    local b
    b=$(user_dir bundle)
    as_user "$1" spec --rootless --bundle "$b" || fail "$1 spec failed"
    jq --arg r "$BURROW_TEST_DIR/rootfs" --argjson a "$2" \
        '.root.path = $r | .root.readonly = true | .process.terminal = false | .process.args = $a' \
        "$b/config.json" > "$b/config.tmp" && mv "$b/config.tmp" "$b/config.json" && chown "$USER_NAME" "$b/config.json"
    echo "$b"
}

# ---------------------------------------------------------------- tests

# The package builds from a copy, and the checkout is left as it was.
test_deb_builds_and_source_stays_clean() {
    local before after
    before=$(git -C "$REPO" status --porcelain 2>/dev/null)
    rm -f "$PKG_WORK/deb.source" # build for real, not from an earlier run
    need_deb
    after=$(git -C "$REPO" status --porcelain 2>/dev/null)
    [ "$before" = "$after" ] || fail "the build changed the checkout: $(diff <(echo "$before") <(echo "$after") | tail -5)"
    local f
    for f in "$REPO"/obj-* "$REPO"/debian/.debhelper "$REPO"/debian/burrow "$REPO"/debian/files; do
        [ ! -e "$f" ] || fail "the build left $f in the checkout"
    done
    local deps recs
    deps=$(dpkg-deb -f "$DEB" Depends)
    recs=$(dpkg-deb -f "$DEB" Recommends)
    note "Depends: $deps"
    note "Recommends: $recs"
    [[ $deps == *uidmap* ]] || fail "Depends lacks uidmap: $deps"
    local r
    for r in slirp4netns passt fuse-overlayfs squashfuse; do
        [[ $recs == *"$r"* ]] || fail "Recommends lacks $r: $recs"
    done
}

test_deb_lintian_no_error() {
    command -v lintian >/dev/null || skip "lintian is not installed"
    need_deb
    local out
    out=$(as_user lintian --no-cfg "$DEB" 2>&1)
    note "lintian: $(grep -c '^[EWI]:' <<< "$out") tags"
    printf '%s\n' "$out"
    if grep -q '^E:' <<< "$out"; then fail "lintian errors: $(grep '^E:' <<< "$out" | head -3 | tr '\n' ' ')"; fi
}

# Installed where meson install puts them, and burrow finds its helpers there.
test_deb_install_layout() {
    need_installed
    local f
    for f in /usr/bin/burrow /usr/libexec/burrow/burrow-systemd /usr/libexec/burrow/burrow-subid \
        /usr/libexec/burrow/burrow-cdi-yaml /usr/share/man/man1/burrow.1.gz /usr/share/man/man1/burrow-run.1.gz \
        /usr/share/man/man1/burrow-unit.1.gz /usr/share/bash-completion/completions/burrow \
        /usr/share/zsh/vendor-completions/_burrow /usr/share/fish/vendor_completions.d/burrow.fish \
        /usr/share/doc/burrow/copyright; do
        grep -qxF "$f" "$PKG_WORK/installed.files" || fail "not in the package: $f"
    done
    /usr/bin/burrow --version | grep -q "^burrow version" || fail "burrow --version"
    # burrow-systemd is not next to /usr/bin/burrow: found in /usr/libexec/burrow
    local sd
    sd=$(as_user /usr/bin/burrow features | jq -r .linux.cgroup.systemdUser)
    [ "$sd" = true ] || fail "burrow features: systemdUser $sd (burrow-systemd not found)"
}

test_deb_check_host() {
    need_installed
    local out rc
    out=$(as_user /usr/bin/burrow check-host 2>&1)
    rc=$?
    printf '%s\n' "$out"
    [ "$rc" = 0 ] || fail "burrow check-host exited $rc"
    grep -q "A rootless container can run here" <<< "$out" || fail "no verdict"
}

test_deb_rootless_container() {
    need_installed
    local b st out rc
    b=$(bundle /usr/bin/burrow '["/bin/sh", "-c", "echo hello-from-the-deb; cat /proc/self/uid_map; exit 3"]')
    st=$(user_dir state)
    out=$(as_user /usr/bin/burrow --root "$st" run --bundle "$b" pkg-ct 2>&1 </dev/null)
    rc=$?
    printf '%s\n' "$out"
    [ "$rc" = 3 ] || fail "burrow run exited $rc, not the container's 3"
    grep -q hello-from-the-deb <<< "$out" || fail "no output from the container"
    grep -Eq "^ +0 +$(id -u "$USER_NAME") +1$" <<< "$out" || fail "root in the container is not the user"
    [ -z "$(ls -A "$st")" ] || fail "state left: $(ls -A "$st")"
    rm -rf "$b" "$st"
}

test_deb_man_pages() {
    need_installed
    command -v man >/dev/null || skip "man is not installed (package man-db)"
    local page
    for page in burrow burrow-run burrow-unit; do
        [ "$(man -w "$page" 2>/dev/null)" = "/usr/share/man/man1/$page.1.gz" ] || fail "man -w $page: $(man -w "$page" 2>&1)"
    done
    MANWIDTH=80 man burrow-run 2>/dev/null | grep -q "burrow run" || fail "man burrow-run shows no burrow run"
}

# podman's rootless run with the installed runtime, through the clients suite.
test_deb_podman_runtime() {
    need_installed
    command -v podman >/dev/null || skip "podman is not installed"
    local out
    out=$(RUNTIME=/usr/bin/burrow "$REPO/tests/clients/run" -n 't-podman/test_podman_run_exit_code$' 2>&1)
    printf '%s\n' "$out"
    grep -qx "1 passed, 0 failed" <<< "$out" || fail "podman --runtime /usr/bin/burrow: $(tail -1 <<< "$out")"
}

# burrow unit names the installed burrow, called by name (PATH) or by path.
test_deb_unit_names_installed_path() {
    need_installed
    local b out
    b=$(bundle /usr/bin/burrow '["/bin/true"]')
    out=$(as_user /usr/bin/burrow unit --bundle "$b" pkg-svc) || fail "burrow unit failed"
    grep -qxF "ExecStart=/usr/bin/burrow run --bundle $b pkg-svc" <<< "$out" || fail "ExecStart: $(grep ExecStart <<< "$out")"
    if [ ! -e /usr/local/bin/burrow ]; then
        out=$(as_user sh -c 'burrow unit --bundle "$1" pkg-svc' sh "$b") || fail "burrow unit (by name) failed"
        grep -qxF "ExecStopPost=/usr/bin/burrow delete --force pkg-svc" <<< "$out" ||
            fail "ExecStopPost: $(grep ExecStopPost <<< "$out")"
    fi
    rm -rf "$b"
}

test_deb_purge_leaves_nothing() {
    need_installed
    cp "$PKG_WORK/installed.files" "$PKG_WORK/purged.files"
    dpkg --purge burrow > "$PKG_WORK/purge.log" 2>&1 || { cat "$PKG_WORK/purge.log"; fail "dpkg --purge burrow failed"; }
    rm -f "$PKG_WORK/installed.files"
    ! installed || fail "burrow is still installed"
    local st
    st=$(dpkg-query -W -f='${db:Status-Abbrev}' burrow 2>/dev/null)
    [ -z "$st" ] || [[ $st == [pu]n* ]] || fail "dpkg still knows burrow: $st"
    local f left=""
    while read -r f; do
        [ -d "$f" ] && continue   # directories other packages share stay
        [ -e "$f" ] || [ -L "$f" ] && left="$left $f"
    done < "$PKG_WORK/purged.files"
    [ -z "$left" ] || fail "files left after purge:$left"
    [ ! -e /usr/libexec/burrow ] || fail "/usr/libexec/burrow left after purge"
    [ ! -e /usr/share/doc/burrow ] || fail "/usr/share/doc/burrow left after purge"
    rm -f "$PKG_WORK/purged.files"
}

# meson install --destdir of build/: the staged tree finds its helpers at
# bin/../libexec/burrow, also once moved elsewhere; a YAML CDI spec is read
# through the staged burrow-cdi-yaml.
test_destdir_install_finds_helpers() {
    [ -f "$REPO/build/build.ninja" ] || skip "no build/ (meson setup build && ninja -C build)"
    command -v meson >/dev/null || skip "meson is not installed"
    local d=$PKG_WORK/destdir opt prefix bindir libexecdir mandir datadir
    rm -rf "$d" "$d.moved"
    meson install -C "$REPO/build" --destdir "$d" --no-rebuild --quiet > "$PKG_WORK/install.log" 2>&1 ||
        { cat "$PKG_WORK/install.log"; fail "meson install --destdir failed"; }
    opt=$(meson introspect --buildoptions "$REPO/build")
    prefix=$(jq -r '.[] | select(.name == "prefix") | .value' <<< "$opt")
    bindir=$(jq -r '.[] | select(.name == "bindir") | .value' <<< "$opt")
    libexecdir=$(jq -r '.[] | select(.name == "libexecdir") | .value' <<< "$opt")
    mandir=$(jq -r '.[] | select(.name == "mandir") | .value' <<< "$opt")
    datadir=$(jq -r '.[] | select(.name == "datadir") | .value' <<< "$opt")
    local bin=$d$prefix/$bindir/burrow lib=$d$prefix/$libexecdir/burrow f
    for f in "$bin" "$d$prefix/$mandir/man1/burrow-unit.1" "$d$prefix/$datadir/bash-completion/completions/burrow" \
        "$d$prefix/$datadir/zsh/vendor-completions/_burrow" "$d$prefix/$datadir/fish/vendor_completions.d/burrow.fish"; do
        [ -e "$f" ] || fail "not installed: $f"
    done
    for f in burrow-systemd burrow-subid burrow-cdi-yaml; do
        [ ! -x "$REPO/build/$f" ] || [ -x "$lib/$f" ] || fail "not installed: $lib/$f"
    done
    [ -x "$REPO/build/burrow-systemd" ] || skip "build/ has no burrow-systemd to find"
    [ ! -e "$prefix/$libexecdir/burrow/burrow-systemd" ] ||
        skip "$prefix/$libexecdir/burrow/burrow-systemd is installed on this machine: it would answer for the staged one"
    chmod -R a+rX "$d"
    local sd
    sd=$(as_user "$bin" features | jq -r .linux.cgroup.systemdUser)
    [ "$sd" = true ] || fail "the staged burrow does not find $lib/burrow-systemd"
    mv "$d" "$d.moved"
    sd=$(as_user "$d.moved$prefix/$bindir/burrow" features | jq -r .linux.cgroup.systemdUser)
    [ "$sd" = true ] || fail "the moved tree's burrow does not find its burrow-systemd"
    bin=$d.moved$prefix/$bindir/burrow
    if [ -x "$REPO/build/burrow-cdi-yaml" ]; then
        local cdi b st out
        cdi=$(user_dir cdi)
        cat > "$cdi/pkg.yaml" <<'YAML'
---
cdiVersion: 0.5.0
kind: burrow.test/pkg
devices:
- name: one
  containerEdits:
    env:
    - FROM_YAML=yes
YAML
        chmod 0644 "$cdi/pkg.yaml"
        b=$(bundle "$bin" '["/bin/sh", "-c", "echo cdi=$FROM_YAML"]')
        st=$(user_dir state)
        out=$(as_user env BURROW_CDI_DIRS="$cdi" "$bin" --root "$st" run --device burrow.test/pkg=one \
            --bundle "$b" pkg-cdi 2>&1 </dev/null) || fail "run with a YAML CDI device: $out"
        grep -qx "cdi=yes" <<< "$out" || fail "the YAML spec's env did not arrive: $out"
        rm -rf "$cdi" "$b" "$st"
    fi
    rm -rf "$d.moved"
}
