# fish completion for burrow(1)
# SPDX-License-Identifier: Apache-2.0
#
# Completes the commands, the options of each, the values of --format,
# --log-format and --rootless, signal names for `burrow kill`, capability
# names for `burrow exec --cap`, directories for --root and --bundle, files for
# --log, --pid-file, --console-socket and --process, and container ids from
# `burrow list -q` (with the --root given earlier on the line, if any). After
# the id of `burrow exec` the words are the command's own, and after the id of
# `burrow ps` those of ps(1): nothing is offered. burrow also takes
# single-dash long options (-root DIR): they are understood here, but not
# offered.

# Prints one fact about the words before the cursor: `cmd` (the burrow
# command, or nothing), `root` (the value of --root, or nothing), `npos` (how
# many arguments follow the command) or `expect` (what the option just before
# the cursor takes as its value: dir, file, log-format, rootless, format,
# number, signal, cap or value; nothing when the cursor is not on an option's
# value).
function __burrow_parse -a what
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmd
    set -l root
    set -l npos 0
    set -l expect
    set -l dashdash 0
    for t in $tokens
        if test -n "$expect"
            test "$expect" = root; and set root $t
            set expect
            continue
        end
        if test -z "$cmd"
            switch $t
                case '--root=*' '-root=*'
                    set root (string replace -r '^[^=]*=' '' -- $t)
                case --root -root
                    set expect root
                case --log -log
                    set expect file
                case --log-format -log-format
                    set expect log-format
                case --rootless -rootless
                    set expect rootless
                    # Accepted by burrow for wrappers written for runc or
                    # crun, and ignored; not offered.
                case --criu -criu --cgroup-manager -cgroup-manager --log-level -log-level
                    set expect value
                case '-*'
                case '*'
                    set cmd $t
            end
        else if test $dashdash = 0; and test "$t" = --
            set dashdash 1
        else if test $dashdash = 0; and string match -q -- '-?*' $t
            switch "$cmd:$t"
                case 'spec:-b' 'spec:--bundle' 'spec:-bundle' \
                    'create:-b' 'create:--bundle' 'create:-bundle' \
                    'run:-b' 'run:--bundle' 'run:-bundle' \
                    'unit:-b' 'unit:--bundle' 'unit:-bundle'
                    set expect dir
                case 'unit:--restart' 'unit:-restart'
                    set expect restart
                case 'create:--console-socket' 'create:-console-socket' \
                    'run:--console-socket' 'run:-console-socket' \
                    'create:--pid-file' 'create:-pid-file' \
                    'run:--pid-file' 'run:-pid-file'
                    set expect file
                case 'create:--preserve-fds' 'create:-preserve-fds' \
                    'run:--preserve-fds' 'run:-preserve-fds' \
                    'run:--stop-timeout' 'run:-stop-timeout'
                    set expect number
                case 'create:--overlay-lower' 'create:-overlay-lower' \
                    'run:--overlay-lower' 'run:-overlay-lower' \
                    'create:--overlay-upper' 'create:-overlay-upper' \
                    'run:--overlay-upper' 'run:-overlay-upper'
                    set expect dir
                case 'create:--overlay-driver' 'create:-overlay-driver' \
                    'run:--overlay-driver' 'run:-overlay-driver'
                    set expect overlay-driver
                case 'create:--image' 'create:-image' 'run:--image' 'run:-image'
                    set expect file
                case 'create:--userns' 'create:-userns' 'run:--userns' 'run:-userns'
                    set expect userns
                case 'create:--device' 'create:-device' 'run:--device' 'run:-device'
                    set expect value
                case 'create:--rootfs' 'create:-rootfs' 'run:--rootfs' 'run:-rootfs'
                    set expect dir
                case 'create:-v' 'create:--volume' 'create:-volume' 'run:-v' 'run:--volume' 'run:-volume'
                    set expect file
                case 'create:-e' 'create:--env' 'create:-env' 'run:-e' 'run:--env' 'run:-env' \
                    'create:--cwd' 'create:-cwd' 'run:--cwd' 'run:-cwd'
                    set expect value
                case 'list:-f' 'list:--format' 'list:-format' \
                    'ps:-f' 'ps:--format' 'ps:-format'
                    set expect format
                case 'create:--notify-socket' 'create:-notify-socket' \
                    'run:--notify-socket' 'run:-notify-socket'
                    set expect file
                case 'check-host:-f' 'check-host:--format' 'check-host:-format'
                    set expect log-format
                case 'kill:-s' 'kill:--signal' 'kill:-signal'
                    set expect signal
                case 'exec:-p' 'exec:--process' 'exec:-process' \
                    'exec:--console-socket' 'exec:-console-socket' \
                    'exec:--pid-file' 'exec:-pid-file'
                    set expect file
                case 'exec:--preserve-fds' 'exec:-preserve-fds'
                    set expect number
                case 'exec:-c' 'exec:--cap' 'exec:-cap'
                    set expect cap
                    # Values inside the container, and the values of options
                    # accepted for compatibility with runc: nothing to offer.
                case 'exec:--cwd' 'exec:-cwd' 'exec:-e' 'exec:--env' 'exec:-env' \
                    'exec:-u' 'exec:--user' 'exec:-user' \
                    'exec:-g' 'exec:--additional-gids' 'exec:-additional-gids' \
                    'exec:--apparmor' 'exec:-apparmor' \
                    'exec:--process-label' 'exec:-process-label' \
                    'exec:--cgroup' 'exec:-cgroup'
                    set expect value
                case 'update:-r' 'update:--resources' 'update:-resources'
                    set expect file
                case 'update:--*' 'update:-*' 'events:--interval' 'events:-interval'
                    # every other option of update takes a value
                    set expect value
            end
        else
            set npos (math $npos + 1)
            # exec, ps: the words after the id are the command's or ps(1)'s,
            # not options of burrow.
            contains -- "$cmd" exec ps; and set dashdash 1
        end
    end
    switch $what
        case cmd
            echo $cmd
        case root
            echo $root
        case npos
            echo $npos
        case expect
            test "$expect" = root; and set expect dir
            echo $expect
    end
end

# True when the option just before the cursor takes a value of kind $argv[1].
function __burrow_expects -a kind
    test (__burrow_parse expect) = "$kind"
end

# True when the cursor is on a new word, not on the value of an option.
function __burrow_free
    set -l expect (__burrow_parse expect)
    test -z "$expect"
end

function __burrow_no_command
    set -l cmd (__burrow_parse cmd)
    test -z "$cmd"; and __burrow_free
end

# True when the command on the line is one of the arguments.
function __burrow_command_is
    set -l cmd (__burrow_parse cmd)
    test -n "$cmd"; and contains -- "$cmd" $argv; and __burrow_free
end

# True when the next argument is the id of an existing container.
function __burrow_wants_id
    __burrow_command_is start state delete kill exec ps pause resume update events
    and test (__burrow_parse npos) = 0
end

# True when options of `burrow exec` may come: before the id.
function __burrow_exec_options
    __burrow_command_is exec
    and test (__burrow_parse npos) = 0
end

# True when options of `burrow ps` may come: before the id.
function __burrow_ps_options
    __burrow_command_is ps
    and test (__burrow_parse npos) = 0
end

function __burrow_wants_signal
    __burrow_command_is kill
    and test (__burrow_parse npos) = 1
end

function __burrow_ids
    set -l prog (commandline -opc)[1]
    set -l root (__burrow_parse root)
    set prog (string replace -r '^~(?=/|$)' $HOME -- $prog)
    set root (string replace -r '^~(?=/|$)' $HOME -- $root)
    if test -n "$root"
        $prog --root=$root list -q 2>/dev/null
    else
        $prog list -q 2>/dev/null
    end
end

function __burrow_signals
    set -l names HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE \
        ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM \
        PROF WINCH IO PWR SYS RTMIN RTMAX
    if string match -qi 'sig*' -- (commandline -ct)
        printf 'SIG%s\n' $names
    else
        printf '%s\n' $names
    end
end

function __burrow_caps
    printf '%s\n' CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER \
        CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP \
        CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST \
        CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE \
        CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT \
        CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME \
        CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE \
        CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN \
        CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ \
        CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE
end

complete -c burrow -f

# Values of options written with a single dash (-root DIR), which fish does
# not know as options; the double-dash forms are declared below.
complete -c burrow -n '__burrow_expects dir' -x -a '(__fish_complete_directories)'
complete -c burrow -n '__burrow_expects file' -r -F
complete -c burrow -n '__burrow_expects log-format' -x -a 'text json'
complete -c burrow -n '__burrow_expects rootless' -x -a 'true false auto'
complete -c burrow -n '__burrow_expects userns' -x -a 'keep-id keep-id:single'
complete -c burrow -n '__burrow_expects format' -x -a 'table json'
complete -c burrow -n '__burrow_expects overlay-driver' -x -a 'kernel fuse'
complete -c burrow -n '__burrow_expects restart' -x -a 'on-failure always no'
complete -c burrow -n '__burrow_expects signal' -x -a '(__burrow_signals)'
complete -c burrow -n '__burrow_expects cap' -x -a '(__burrow_caps)'

# Global options, before the command.
complete -c burrow -n __burrow_no_command -l root -x -a '(__fish_complete_directories)' -d 'Directory for the state of containers'
complete -c burrow -n __burrow_no_command -l log -r -F -d 'Write log messages to a file instead of stderr'
complete -c burrow -n __burrow_no_command -l log-format -x -a 'text json' -d 'Format of log messages'
complete -c burrow -n __burrow_no_command -l debug -d 'Log debug messages as well'
complete -c burrow -n __burrow_no_command -l systemd-cgroup -d 'Manage cgroups through systemd'
complete -c burrow -n __burrow_no_command -l cgroup-manager -x -a 'cgroupfs systemd disabled' -d 'Cgroup manager'
complete -c burrow -n __burrow_no_command -l rootless -x -a 'true false auto' -d 'Accepted for compatibility, ignored'
complete -c burrow -n __burrow_no_command -s v -l version -d 'Print the version'
complete -c burrow -n __burrow_no_command -s h -l help -d 'Print a summary of commands and options'

# Commands.
complete -c burrow -n __burrow_no_command -a spec -d 'Write a starting config.json into a bundle'
complete -c burrow -n __burrow_no_command -a create -d 'Set up a container, waiting to be started'
complete -c burrow -n __burrow_no_command -a start -d 'Run the program of a created container'
complete -c burrow -n __burrow_no_command -a run -d 'Create and start a container, and wait for it'
complete -c burrow -n __burrow_no_command -a exec -d 'Run a new process in a container'
complete -c burrow -n __burrow_no_command -a state -d 'Print the state of a container as JSON'
complete -c burrow -n __burrow_no_command -a list -d 'List containers'
complete -c burrow -n __burrow_no_command -a ps -d 'List the processes of a container'
complete -c burrow -n __burrow_no_command -a kill -d 'Send a signal to a container'
complete -c burrow -n __burrow_no_command -a delete -d 'Remove a container'
complete -c burrow -n __burrow_no_command -a features -d 'Print what this burrow supports, as JSON'
complete -c burrow -n __burrow_no_command -a check-host -d 'Check that this host can run rootless containers'
complete -c burrow -n __burrow_no_command -a pause -d 'Freeze every process of a container'
complete -c burrow -n __burrow_no_command -a resume -d 'Thaw a paused container'
complete -c burrow -n __burrow_no_command -a update -d 'Change the resource limits of a container'
complete -c burrow -n __burrow_no_command -a events -d 'Print resource usage and OOM events as JSON'
complete -c burrow -n __burrow_no_command -a unit -d 'Print or install a user service that runs a container'

# update, events
complete -c burrow -n '__burrow_command_is update' -s r -l resources -r -F -d 'Read linux.resources JSON from a file (- for stdin)'
complete -c burrow -n '__burrow_command_is update' -l memory -x -d 'Memory limit'
complete -c burrow -n '__burrow_command_is update' -l memory-swap -x -d 'Memory+swap limit'
complete -c burrow -n '__burrow_command_is update' -l memory-reservation -x -d 'Memory soft limit'
complete -c burrow -n '__burrow_command_is update' -l kernel-memory -x -d 'Ignored'
complete -c burrow -n '__burrow_command_is update' -l kernel-memory-tcp -x -d 'Ignored'
complete -c burrow -n '__burrow_command_is update' -l cpu-quota -x -d 'CPU time per period (us)'
complete -c burrow -n '__burrow_command_is update' -l cpu-period -x -d 'CPU period (us)'
complete -c burrow -n '__burrow_command_is update' -l cpu-shares -x -d 'Relative CPU weight'
complete -c burrow -n '__burrow_command_is update' -l cpu-rt-period -x -d 'Real-time period (us)'
complete -c burrow -n '__burrow_command_is update' -l cpu-rt-runtime -x -d 'Real-time runtime (us)'
complete -c burrow -n '__burrow_command_is update' -l cpuset-cpus -x -d 'CPUs allowed'
complete -c burrow -n '__burrow_command_is update' -l cpuset-mems -x -d 'Memory nodes allowed'
complete -c burrow -n '__burrow_command_is update' -l pids-limit -x -d 'Most processes'
complete -c burrow -n '__burrow_command_is update' -l blkio-weight -x -d 'Block I/O weight (10-1000)'
complete -c burrow -n '__burrow_command_is events' -l stats -d 'Print one stats event and exit'
complete -c burrow -n '__burrow_command_is events' -l interval -x -d 'Time between stats events (5s)'

# spec
complete -c burrow -n '__burrow_command_is spec' -l rootless -d 'Write a configuration for a user other than root'
complete -c burrow -n '__burrow_command_is spec' -l keep-id -d "The caller's ids inside, with keep-id maps"

# spec, create, run
complete -c burrow -n '__burrow_command_is spec create run' -s b -l bundle -x -a '(__fish_complete_directories)' -d 'Bundle directory (default: the current one)'

# create, run
complete -c burrow -n '__burrow_command_is create run' -l console-socket -r -F -d 'Send the pseudoterminal master to this socket'
complete -c burrow -n '__burrow_command_is create run' -l pid-file -r -F -d 'Write the process id of the container to a file'
complete -c burrow -n '__burrow_command_is create run' -l no-pivot -d 'Enter the root file system with chroot, not pivot_root'
complete -c burrow -n '__burrow_command_is create run' -l no-new-keyring -d 'Keep the session keyring of the caller'
complete -c burrow -n '__burrow_command_is create run' -l preserve-fds -x -d 'Pass this many more file descriptors'
complete -c burrow -n '__burrow_command_is create run' -l overlay -d 'Keep the rootfs read-only: write to an upper layer'
complete -c burrow -n '__burrow_command_is create run' -l overlay-lower -x -a '(__fish_complete_directories)' -d 'Another lower layer, below the rootfs'
complete -c burrow -n '__burrow_command_is create run' -l overlay-upper -x -a '(__fish_complete_directories)' -d 'The upper layer, kept after delete'
complete -c burrow -n '__burrow_command_is create run' -l overlay-driver -x -a 'kernel fuse' -d 'Force kernel overlayfs or fuse-overlayfs'
complete -c burrow -n '__burrow_command_is create run' -l image -r -F -d 'A squashfs image as the rootfs, with an overlay on top'
complete -c burrow -n '__burrow_command_is create run' -l network -x -a 'none loopback slirp4netns pasta slirp4netns:allow_host_loopback=true pasta:allow_host_loopback=true' -d 'Network namespace of its own: none, loopback, slirp4netns, pasta'
complete -c burrow -n '__burrow_command_is create run' -s p -l publish -x -d 'Forward a host port: [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp]'

# run
complete -c burrow -n '__burrow_command_is run' -s d -l detach -d 'Return once the program has started'
complete -c burrow -n '__burrow_command_is run' -l keep -d 'Keep the stopped container instead of deleting it'
complete -c burrow -n '__burrow_command_is run' -l stop-timeout -x -d 'SIGKILL this many seconds after passing on SIGTERM'
complete -c burrow -n '__burrow_command_is create run' -l userns -x -a 'keep-id keep-id:single' -d 'User namespace mode'
complete -c burrow -n '__burrow_command_is create run' -l rootfs -x -a '(__fish_complete_directories)' -d 'This directory as the rootfs (no config.json)'
complete -c burrow -n '__burrow_command_is create run' -s v -l volume -r -F -d 'Bind SRC at DST: SRC:DST[:ro]'
complete -c burrow -n '__burrow_command_is create run' -s e -l env -x -d 'Set VAR=VALUE in the environment'
complete -c burrow -n '__burrow_command_is create run' -l env-host -d 'Pass the caller\'s environment on'
complete -c burrow -n '__burrow_command_is create run' -l cwd -x -d 'The working directory inside the container'
complete -c burrow -n '__burrow_command_is create run' -s w -l writable -d 'The rootfs or image read-write'
complete -c burrow -n '__burrow_command_is run' -l join -d 'Ranks with the same id share one container'
complete -c burrow -n '__burrow_command_is create run' -l device -x -d 'Add a CDI device (vendor.com/class=name)'

# exec, before the id
complete -c burrow -n __burrow_exec_options -s p -l process -r -F -d 'Read the process to run from a JSON file'
complete -c burrow -n __burrow_exec_options -s t -l tty -d 'Give the process a pseudoterminal'
complete -c burrow -n __burrow_exec_options -l cwd -x -d 'Working directory in the container'
complete -c burrow -n __burrow_exec_options -s e -l env -x -d 'Set an environment variable (NAME=VALUE)'
complete -c burrow -n __burrow_exec_options -s u -l user -x -d 'Run as this user (UID[:GID])'
complete -c burrow -n __burrow_exec_options -s g -l additional-gids -x -d 'Add a supplementary group'
complete -c burrow -n __burrow_exec_options -s c -l cap -x -a '(__burrow_caps)' -d 'Add a capability to every set'
complete -c burrow -n __burrow_exec_options -l no-new-privs -d 'Set no_new_privs for the process'
complete -c burrow -n __burrow_exec_options -l apparmor -x -d 'Run under this AppArmor profile'
complete -c burrow -n __burrow_exec_options -s d -l detach -d 'Return once the process has started'
complete -c burrow -n __burrow_exec_options -l console-socket -r -F -d 'Send the pseudoterminal master to this socket'
complete -c burrow -n __burrow_exec_options -l pid-file -r -F -d 'Write the process id of the new process to a file'
complete -c burrow -n __burrow_exec_options -l preserve-fds -x -d 'Pass this many more file descriptors'
complete -c burrow -n __burrow_exec_options -l cgroup -x -d 'Run in this sub-cgroup of the container ([CONTROLLER:]SUBPATH)'

# list
complete -c burrow -n '__burrow_command_is list' -s f -l format -x -a 'table json' -d 'Output format'
complete -c burrow -n '__burrow_command_is list' -s q -l quiet -d 'Print only the container ids'

# ps, before the id
complete -c burrow -n __burrow_ps_options -s f -l format -x -a 'table json' -d 'Output format'

# kill
complete -c burrow -n '__burrow_command_is kill' -s a -l all -d 'Send the signal to every process of the container'
complete -c burrow -n __burrow_wants_signal -a '(__burrow_signals)' -d Signal

# check-host
complete -c burrow -n '__burrow_command_is check-host' -s f -l format -x -a 'text json' -d 'Output format'

# unit
complete -c burrow -n '__burrow_command_is unit' -s b -l bundle -x -a '(__fish_complete_directories)' -d 'Bundle directory (default: the current one)'
complete -c burrow -n '__burrow_command_is unit' -l restart -x -a 'on-failure always no' -d "The service's Restart= policy"
complete -c burrow -n '__burrow_command_is unit' -l notify -d 'Type=notify: active once the program says READY=1'
complete -c burrow -n '__burrow_command_is unit' -l exec -d 'Type=exec: active once burrow runs'
complete -c burrow -n '__burrow_command_is unit' -l systemd-cgroup -d "The container's cgroup below the service's"
complete -c burrow -n '__burrow_command_is unit' -l install -d 'Write ~/.config/systemd/user/ID.service, reload the user manager'
complete -c burrow -n '__burrow_command_is unit' -l enable -d 'Install, and enable the service'

# delete
complete -c burrow -n '__burrow_command_is delete' -s f -l force -d 'Kill a running container first'

# Container ids.
complete -c burrow -n __burrow_wants_id -a '(__burrow_ids)' -d Container
