#!/bin/bash
# guest.sh: inside the cgroup v2 VM (tests/vm/vm.sh), runs the privileged suite from every
# cgroup placement Gavel meets in the field, prints one line per placement
#   GAVEL-VM: placement NAME pass|fail SECONDS [what failed]
# then "GAVEL-VM: done" and powers the VM off. The VM is ours: every process and cgroup in
# it may be moved and changed.
#
# Plain boot (this script is PID 1, no systemd):
#   root        the suite from the root cgroup
#   service     the sandbox tests alone in a service's cgroup (system.slice/gavel.service):
#               the library moves itself into the gavel-host leaf
#   container   a cgroup namespace of its own, cgroup2 mounted afresh: `gavel.sh ctest` as
#               the container's first process delegates itself (the entrypoint's way), an
#               operator-given GAVEL_CGROUP, and the refusal where the mount shows the outer
#               hierarchy (root /..)
# systemd boot (PID 1 is systemd):
#   scope       the sandbox tests in a transient scope with Delegate=yes
#   login       from a login session's scope: gavel-run alone is refused with the command that
#               works, and `gavel.sh ctest` (what `gavel.sh test` runs) passes
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

arg() {
    local w
    for w in $(cat /proc/cmdline); do
        case $w in "gavel.$1="*) echo "${w#*=}" ;; esac
    done
}
MODE=$(arg mode)
SRC=$(arg src)
BUILD=$(arg build)
FACTOR=$(arg factor)
[ -n "$(arg ci)" ] && export CI=true
CG=/sys/fs/cgroup
LOG=/tmp/gavel-vm
mkdir -p $LOG

power_off() {
    echo "GAVEL-VM: done"
    sync
    echo 1 >/proc/sys/kernel/sysrq
    echo o >/proc/sysrq-trigger
    sleep 60
}

if [ "$(arg cgroup)" = v1 ]; then
    mount -t tmpfs -o mode=755 cgroup $CG
    for c in memory pids cpuacct; do
        mkdir $CG/$c && mount -t cgroup -o $c $c $CG/$c
    done
elif [ "$MODE" != systemd ]; then
    mount -t cgroup2 -o nsdelegate cgroup2 $CG
fi
if [ "$MODE" != systemd ]; then
    mkdir -p /dev/pts /dev/shm /run/lock
    mount -t devpts devpts /dev/pts 2>/dev/null
    mount -t tmpfs -o mode=1777 shm /dev/shm
    hostname gavel-vm
fi
if [ "$MODE" = exec ]; then
    echo "GAVEL-VM: Linux $(uname -r), cgroup $(arg cgroup), running $(arg script)"
    bash "$(arg script)"
    power_off
fi
if [ "$MODE" = shell ]; then
    echo "cgroup v2 VM: $(uname -r); the suite is in $BUILD. Ctrl-A X quits."
    setsid -c bash -l
    power_off
fi

# --- what every placement runs --------------------------------------------------------------

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export GAVEL_TEST_TIME_FACTOR=$FACTOR
export GAVEL_TEST_PG_DIR=/tmp/gavel-vm-pg GAVEL_BIN_DIR=$BUILD/bin GAVEL_SOURCE_DIR=$SRC
export PYTHONPATH=$SRC/tests/lib:$SRC/tests/judge PYTHONDONTWRITEBYTECODE=1

SANDBOX=$BUILD/bin/test_sandbox
# The quick set, for the placements after the first: boxes made, limited (a fork and a memory
# bomb, a busy loop) and removed from there. The whole suite runs from the root cgroup.
export QUICK="hello_c python_stdlib fork_bombs memory_bombs busy_loop_tle_on_cpu"
[ -x "$SANDBOX" ] || SANDBOX=$(find "$BUILD" -name test_sandbox -type f | head -n 1)

# Every language: AC, TLE, MLE, RE (and WA, CE) through real gavel-judge processes.
judge_languages() {
    "$SRC/gavel.sh" pg-start "$GAVEL_TEST_PG_DIR" >/dev/null &&
        python3 "$SRC/tests/judge/test_languages.py" Languages.test_c Languages.test_cpp \
            Languages.test_python Languages.test_java
}

# No cgroup of a box, nor a leaf of ours, may be left anywhere.
no_cgroup_left() {
    local left
    left=$(find $CG -mindepth 1 -type d \( -name 'gavel-box*' -o -name gavel-host \) 2>/dev/null)
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# placement NAME COMMAND...: runs COMMAND (its output on the console, each line marked), then
# prints the placement's line.
placement() {
    local name=$1 t0 result=pass detail=''
    shift
    echo "GAVEL-VM: begin $name"
    t0=$SECONDS
    "$@" 2>&1 | tee $LOG/$name.log | while IFS= read -r line; do
        printf '[%s] %4ds %s\n' "$name" $((SECONDS - t0)) "$line"
    done
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
        result=fail
        detail=$(grep -E '^FAIL |FAILED|REQUIRE failed|CHECK failed|^not |left' $LOG/$name.log |
            head -n 3 | cut -c1-120 | tr '\n' ' ')
    fi
    echo "GAVEL-VM: placement $name $result $((SECONDS - t0)) $detail"
}

# --- plain boot ------------------------------------------------------------------------------

place_root() {
    local r=0
    "$SANDBOX" || r=1
    judge_languages || r=1
    no_cgroup_left || r=1
    return $r
}

place_service() {
    local svc=$CG/system.slice/gavel.service
    echo "+memory +pids +cpu" >$CG/cgroup.subtree_control
    mkdir -p $svc
    echo "+memory +pids" >$CG/system.slice/cgroup.subtree_control
    # The test alone in the service's cgroup, as a unit's main process is.
    bash -c "echo \$\$ >$svc/cgroup.procs && exec $SANDBOX $QUICK" || return 1
    [ -d $svc/gavel-host ] || { echo "no gavel-host leaf"; return 1; }
    rmdir $svc/gavel-host $svc && no_cgroup_left
}

# ns_enter CGROUP COMMAND: COMMAND (shell words) in a cgroup and mount namespace rooted at
# CGROUP, with cgroup2 mounted afresh there, as a container runtime makes it.
ns_enter() {
    bash -c 'echo $$ >"$1/cgroup.procs" && exec unshare --cgroup --mount --propagation private \
        bash -c "umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && $2"' _ "$1" "$2"
}

place_container() {
    local ctr=$CG/ctr r=0 out
    echo "+memory +pids" >$CG/cgroup.subtree_control
    mkdir -p $ctr
    # 1. `gavel.sh ctest` as the container's first process: it moves itself (and so what it
    #    starts) into a leaf and gives the tests a delegated cgroup (what `run` does as an
    #    entrypoint).
    ns_enter $ctr "cd $SRC && HARNESS_TESTS='$QUICK' ./gavel.sh ctest $BUILD -R '^sandbox\$' \
        --output-on-failure" || r=1
    [ -z "$(ls -d $ctr/*/ 2>/dev/null)" ] || { echo "left in ctr: $(ls -d $ctr/*/)"; r=1; }
    # 2. An operator-given cgroup: the container's processes in one leaf, Gavel's cgroup beside.
    ns_enter $ctr "mkdir /sys/fs/cgroup/init /sys/fs/cgroup/gavel &&
        echo \$\$ >/sys/fs/cgroup/init/cgroup.procs &&
        echo +memory +pids >/sys/fs/cgroup/cgroup.subtree_control &&
        GAVEL_CGROUP=/gavel $SANDBOX $QUICK" || r=1
    rmdir $ctr/gavel/gavel-host $ctr/gavel $ctr/init 2>/dev/null
    # 3. The outer hierarchy left mounted (mount root /..): refused, and no box anywhere.
    mkdir -p $ctr/init
    out=$(bash -c 'echo $$ >"$1/cgroup.procs" && exec unshare --cgroup "$2" -- /bin/true' _ \
        $ctr/init $BUILD/bin/gavel-run 2>&1)
    echo "outer hierarchy: $out"
    case $out in *'"SE"'*'does not show'*) ;; *) echo "not refused"; r=1 ;; esac
    rmdir $ctr/init $ctr 2>/dev/null
    no_cgroup_left || r=1
    return $r
}

# --- systemd boot ----------------------------------------------------------------------------

place_scope() {
    systemd-run --scope --quiet --collect -p Delegate=yes -- "$SANDBOX" $QUICK && no_cgroup_left
}

place_login() {
    local out r=0
    # A login session's scope, shared with the login shell: gavel-run alone is refused, names
    # the command that works, and leaves no cgroup behind.
    out=$(runuser -l root -c "cat /proc/self/cgroup; $BUILD/bin/gavel-run -- /bin/true" 2>&1)
    echo "$out"
    case $out in *session-*'"SE"'*'systemd-run --scope -p Delegate=yes -- '*) ;;
    *) echo "gavel-run in a session was not refused as it should be"; r=1 ;; esac
    no_cgroup_left || r=1
    # The command it names works.
    out=$(runuser -l root -c "systemd-run --scope --quiet -p Delegate=yes -- $BUILD/bin/gavel-run -- /bin/echo hi" 2>&1)
    echo "$out"
    case $out in *'"OK"'*) ;; *) r=1 ;; esac
    # What `./gavel.sh test` runs after its build, from the session.
    runuser -l root -c "cd $SRC && CI=${CI:-} HARNESS_TESTS='$QUICK' GAVEL_TEST_TIME_FACTOR=$FACTOR \
        ./gavel.sh ctest $BUILD -R '^sandbox\$' --output-on-failure" || r=1
    no_cgroup_left || r=1
    return $r
}

# Only the placements named in gavel.places (comma-separated), when given.
PLACES=$(arg places)
wanted() { [ -z "$PLACES" ] || [[ ",$PLACES," == *",$1,"* ]]; }

echo "GAVEL-VM: Linux $(uname -r), $MODE boot, cgroup controllers: $(cat $CG/cgroup.controllers)"
if [ "$MODE" = systemd ]; then
    for p in scope login; do wanted $p && placement $p place_$p; done
else
    for p in root service container; do wanted $p && placement $p place_$p; done
fi
power_off
