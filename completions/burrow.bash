# bash completion for burrow(1)                             -*- shell-script -*-
# SPDX-License-Identifier: Apache-2.0
#
# Completes the commands, the options of each, the values of --format,
# --log-format and --rootless, signal names for `burrow kill`, capability
# names for `burrow exec --cap`, directories for --root and --bundle, files for
# --log, --pid-file, --console-socket and --process, and container ids from
# `burrow list -q` (with the --root given earlier on the line, if any). After
# the id of `burrow exec` the words are the command's own, and after the id of
# `burrow ps` those of ps(1): nothing is offered.
# Works with or without the bash-completion package loaded.
# burrow takes `--opt value`, `--opt=value` and single-dash long options
# (`-root DIR`); all three are understood here, but only the double-dash
# forms are offered.

# The signals of signal(7) that kill(1) knows on Linux, without "SIG"
# (burrow also takes RTMIN+n and RTMAX-n, and numbers).
__burrow_signals='HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE
ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH
IO PWR SYS RTMIN RTMAX'

# The capabilities of capabilities(7), as burrow takes them (upper case, with
# the CAP_ prefix).
__burrow_caps='CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER
CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE
CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK
CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE
CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE
CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE
CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG
CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF
CAP_CHECKPOINT_RESTORE'

# Sets `kind` (a local of _burrow) to what the option $2 of command $1 ("" for
# the global options) takes as its value, or to "" when it takes none.
__burrow_option_kind() {
    kind=''
    local opt=${2%%=*}
    [[ $opt == --* ]] && opt=${opt#-}
    if [[ -z $1 ]]; then
        case $opt in
        -root) kind='dir' ;;
        -log) kind='file' ;;
        -log-format) kind=log-format ;;
        -rootless) kind=rootless ;;
        # Accepted for the sake of wrappers written for runc or crun, and
        # ignored: known here only so that their values are skipped.
        -criu | -cgroup-manager | -log-level) kind=value ;;
        esac
        return
    fi
    case $1:$opt in
    spec:-b | spec:-bundle | create:-b | create:-bundle | run:-b | run:-bundle | unit:-b | unit:-bundle) kind='dir' ;;
    unit:-restart) kind=restart ;;
    create:-console-socket | run:-console-socket | exec:-console-socket) kind='file' ;;
    create:-pid-file | run:-pid-file | exec:-pid-file) kind='file' ;;
    create:-preserve-fds | run:-preserve-fds | exec:-preserve-fds | run:-stop-timeout) kind=number ;;
    create:-overlay-lower | run:-overlay-lower | create:-overlay-upper | run:-overlay-upper) kind='dir' ;;
    create:-overlay-driver | run:-overlay-driver) kind=overlay-driver ;;
    create:-image | run:-image) kind='file' ;;
    create:-network | run:-network) kind=network ;;
    create:-p | create:-publish | run:-p | run:-publish) kind=value ;; # [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp]
    create:-userns | run:-userns) kind=userns ;;
    create:-device | run:-device) kind=cdi ;;
    create:-rootfs | run:-rootfs) kind='dir' ;;
    create:-v | create:-volume | run:-v | run:-volume) kind='file' ;; # SRC:DST[:ro]: the source from here
    # Inside the container: nothing to offer, but skipped.
    create:-e | create:-env | run:-e | run:-env | create:-cwd | run:-cwd) kind=value ;;
    exec:-p | exec:-process) kind='file' ;;
    exec:-c | exec:-cap) kind=cap ;;
    # Values inside the container (a directory, a variable, ids, a profile):
    # nothing to offer from here, but they are skipped.
    exec:-cwd | exec:-e | exec:-env | exec:-u | exec:-user | exec:-g | \
        exec:-additional-gids | exec:-apparmor) kind=value ;;
    list:-f | list:-format | ps:-f | ps:-format) kind=format ;;
    check-host:-f | check-host:-format) kind=log-format ;; # text or json too
    # Not offered, but accepted by burrow (as by runc).
    create:-notify-socket | run:-notify-socket) kind='file' ;;
    kill:-s | kill:-signal) kind=signal ;;
    # Accepted for compatibility with runc (refused or ignored), not offered.
    exec:-process-label | exec:-cgroup) kind=value ;;
    update:-r | update:-resources) kind='file' ;;
    update:-memory | update:-memory-swap | update:-memory-reservation | update:-kernel-memory | \
        update:-kernel-memory-tcp | update:-cpu-quota | update:-cpu-period | update:-cpu-shares | \
        update:-cpu-rt-period | update:-cpu-rt-runtime | update:-cpuset-cpus | update:-cpuset-mems | \
        update:-pids-limit | update:-blkio-weight | events:-interval) kind=value ;;
    esac
}

# Sets COMPREPLY to the values of kind `kind` that start with `cur`, each with
# `pfx` in front.
__burrow_complete_value() {
    local -a list=()
    case $kind in
    dir)
        compopt -o filenames 2>/dev/null
        mapfile -t list < <(compgen -d -- "$cur")
        ;;
    file)
        compopt -o filenames 2>/dev/null
        mapfile -t list < <(compgen -f -- "$cur")
        ;;
    format) mapfile -t list < <(compgen -W 'table json' -- "$cur") ;;
    log-format) mapfile -t list < <(compgen -W 'text json' -- "$cur") ;;
    rootless) mapfile -t list < <(compgen -W 'true false auto' -- "$cur") ;;
    overlay-driver) mapfile -t list < <(compgen -W 'kernel fuse' -- "$cur") ;;
    restart) mapfile -t list < <(compgen -W 'on-failure always no' -- "$cur") ;;
    network) mapfile -t list < <(compgen -W 'none loopback slirp4netns pasta
        slirp4netns:allow_host_loopback=true pasta:allow_host_loopback=true' -- "$cur") ;;
    userns) mapfile -t list < <(compgen -W 'keep-id keep-id:single' -- "$cur") ;;
    cdi)
        # vendor.com/class=name of the JSON CDI specs (jq, where installed)
        local d IFS=:
        for d in ${BURROW_CDI_DIRS:-/etc/cdi:/var/run/cdi}; do
            command -v jq >/dev/null && [ -d "$d" ] || continue
            mapfile -t -O "${#list[@]}" list < <(compgen -W "$(jq -r '.kind + "=" + .devices[].name' "$d"/*.json 2>/dev/null)" -- "$cur")
        done
        ;;
    signal)
        __burrow_complete_signals
        list=("${COMPREPLY[@]}")
        ;;
    cap)
        __burrow_complete_caps
        list=("${COMPREPLY[@]}")
        ;;
    esac
    COMPREPLY=("${list[@]/#/$pfx}")
}

# Sets COMPREPLY to the ids of the containers that start with `cur`.
__burrow_complete_ids() {
    local prog=${words[0]} dir=$root id
    # A "~" typed on the line is still literal here: expand it.
    # shellcheck disable=SC2088
    [[ $prog == '~/'* ]] && prog=$HOME/${prog#'~/'}
    [[ $dir == '~' ]] && dir=$HOME
    # shellcheck disable=SC2088
    [[ $dir == '~/'* ]] && dir=$HOME/${dir#'~/'}
    while IFS= read -r id; do
        [[ -n $id && $id == "$cur"* ]] && COMPREPLY+=("$id")
    done < <("$prog" ${dir:+--root="$dir"} list -q 2>/dev/null)
}

# Sets COMPREPLY to the signal names that start with `cur` (in any case).
__burrow_complete_signals() {
    local up=${cur^^} s
    for s in $__burrow_signals; do
        [[ $s == "$up"* ]] && COMPREPLY+=("$s")
        [[ -n $up && SIG$s == "$up"* ]] && COMPREPLY+=("SIG$s")
    done
}

# Sets COMPREPLY to the capability names that start with `cur` (in any case,
# with or without the CAP_ prefix).
__burrow_complete_caps() {
    local up=${cur^^} c
    for c in $__burrow_caps; do
        [[ $c == "$up"* || ${c#CAP_} == "$up"* ]] && COMPREPLY+=("$c")
    done
}

_burrow() {
    local -a words=()
    local cword=-1 i w glue=0

    # Put back together "--opt" "=" "value", which bash splits at the "="
    # of COMP_WORDBREAKS.
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        if ((glue)); then
            words[-1]+=$w
            glue=0
        elif [[ $w == = && ${#words[@]} -gt 1 && ${words[-1]} == -?* && ${words[-1]} != *=* ]]; then
            words[-1]+='='
            glue=1
        else
            words+=("$w")
        fi
        ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
    done
    if ((cword < 0)); then
        words+=("")
        cword=$((${#words[@]} - 1))
    fi

    # Walk the words before the cursor: global options, the command, then
    # its options and arguments.
    local cmd='' root='' expect='' kind='' npos=0 dashdash=0
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ -n $expect ]]; then
            [[ $expect == root ]] && root=$w
            expect=''
            continue
        fi
        if [[ -z $cmd ]]; then
            case $w in
            --root=* | -root=*) root=${w#*=} ;;
            -*=*) ;;
            -*)
                __burrow_option_kind "" "$w"
                if [[ -n $kind ]]; then
                    expect=$kind
                    [[ $w == --root || $w == -root ]] && expect=root
                fi
                ;;
            *) cmd=$w ;;
            esac
        elif ((!dashdash)) && [[ $w == -- ]]; then
            dashdash=1
        elif ((!dashdash)) && [[ $w == -?* ]]; then
            if [[ $w != *=* ]]; then
                __burrow_option_kind "$cmd" "$w"
                expect=$kind
            fi
        else
            ((npos++))
            # exec, ps: the words after the id are the command's or ps(1)'s,
            # not options of burrow.
            [[ $cmd == exec || $cmd == ps ]] && dashdash=1
        fi
    done

    local cur=${words[cword]} pfx=''
    COMPREPLY=()

    # The value of an option given as the previous word.
    if [[ -n $expect ]]; then
        kind=$expect
        [[ $kind == root ]] && kind=dir
        __burrow_complete_value
        return 0
    fi

    # The value of an option in the same word: --opt=value.
    if ((!dashdash)) && [[ $cur == -?*=* ]]; then
        __burrow_option_kind "$cmd" "$cur"
        [[ $COMP_WORDBREAKS == *=* ]] || pfx=${cur%%=*}=
        cur=${cur#*=}
        __burrow_complete_value
        return 0
    fi

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W '--root --log --log-format
                --debug --systemd-cgroup --cgroup-manager --rootless --version --help' -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W 'spec create start run exec
                state list ps kill delete features pause resume update events
                check-host unit' -- "$cur")
        fi
        return 0
    fi

    local opts=
    case $cmd in
    spec) opts='--rootless --keep-id --bundle' ;;
    create) opts='--bundle --console-socket --pid-file --no-pivot
        --no-new-keyring --preserve-fds --network --publish
        --overlay --overlay-lower --overlay-upper --overlay-driver --image --userns --device
        --rootfs --volume --env --env-host --cwd --writable' ;;
    run) opts='--bundle --console-socket --pid-file --no-pivot
        --no-new-keyring --preserve-fds --network --publish --detach --keep
        --overlay --overlay-lower --overlay-upper --overlay-driver --image --userns --device --stop-timeout
        --rootfs --volume --env --env-host --cwd --writable --join' ;;
    exec) opts='--process --tty --cwd --env --user --additional-gids --cap
        --no-new-privs --apparmor --detach --console-socket --pid-file
        --preserve-fds --cgroup' ;;
    list) opts='--format --quiet' ;;
    ps) opts='--format' ;;
    kill) opts='--all' ;;
    delete) opts='--force' ;;
    check-host) opts='--format' ;;
    unit) opts='--bundle --restart --notify --exec --systemd-cgroup --install --enable' ;;
    update) opts='--resources --memory --memory-swap --memory-reservation
        --kernel-memory --kernel-memory-tcp --cpu-quota --cpu-period --cpu-shares
        --cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems --pids-limit
        --blkio-weight' ;;
    events) opts='--stats --interval' ;;
    start | state | features | pause | resume) ;;
    *) return 0 ;;
    esac

    if ((!dashdash)) && [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        return 0
    fi

    case $cmd:$npos in
    start:0 | state:0 | delete:0 | kill:0 | exec:0 | ps:0 | pause:0 | resume:0 | update:0 | events:0)
        __burrow_complete_ids ;;
    kill:1) __burrow_complete_signals ;;
    spec:* | list:* | check-host:*)
        # No arguments to complete: offer the options instead.
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        ;;
    esac
    return 0
}

complete -F _burrow burrow
