#!/usr/bin/env bash
# gavel.sh: the one entry point of a Gavel checkout.
#
#   ./gavel.sh run     install what is missing, build, start an embedded PostgreSQL (unless
#                      GAVEL_DATABASE_URL is set), migrate, create the admin account, import
#                      problems/ as the admin's, then run gavel-api and gavel-judge until Ctrl-C
#                      or SIGTERM
#   ./gavel.sh test    install what is missing, build with AddressSanitizer and UBSan, run the
#                      whole suite through ctest
#   ./gavel.sh build   install what is missing and build the release binaries into build/bin
#   ./gavel.sh languages [ID...|all]
#                      install the Debian toolchains of more languages (cpp20 pypy3 go rust
#                      kotlin csharp haskell pascal ruby); without an argument, list them. A
#                      judge started afterwards finds them and the API offers them.
#
# Settings: GAVEL_LISTEN (127.0.0.1:8080), GAVEL_DATA_DIR (./var), GAVEL_DATABASE_URL,
# GAVEL_ADMIN_PASSWORD, GAVEL_JUDGE_WORKERS (number of cores). GAVEL_BIN_DIR makes `run` use
# binaries built elsewhere (the test suite's) instead of building.
#
# Internal commands used by the tests: pg-start DIR (prints the database URL), pg-stop DIR,
# ctest BUILD_DIR [options] (what `test` runs after its build, in a cgroup fit for boxes).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_USER=gavel

# Everything the build, the runtime (compilers the judge runs) and the tests need.
APT_PACKAGES=(
    build-essential cmake pkg-config git ca-certificates
    libpq-dev libcjson-dev libmicrohttpd-dev libseccomp-dev libsodium-dev libarchive-dev
    libcurl4-openssl-dev libyaml-dev libcmark-dev wrk
    postgresql postgresql-contrib
    gcc g++ python3 openjdk-17-jdk-headless nodejs
    clang libclang-rt-14-dev curl procps iproute2 util-linux
    qemu-system-x86 busybox-static cpio xz-utils
)

# The languages beyond the five above, and the Debian packages of each one's toolchain. `test`
# installs them all under CI, where every language is tested.
declare -A LANG_PACKAGES=(
    [cpp20]="g++" [pypy3]="pypy3" [go]="golang-go" [rust]="rustc" [kotlin]="kotlin"
    [csharp]="mono-mcs mono-runtime" [haskell]="ghc" [pascal]="fp-compiler" [ruby]="ruby"
)
LANG_IDS=(cpp20 pypy3 go rust kotlin csharp haskell pascal ruby)

# What only the test command needs: a real browser and its driver for the pages' tests, and a
# JSON Schema validator that checks the API's answers against its OpenAPI document.
TEST_PACKAGES=(chromium chromium-driver python3-selenium python3-jsonschema)

say() { printf 'gavel: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

install_missing() { # install_missing [extra packages...]
    local missing=() p
    for p in "${APT_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

jobs_count() { nproc 2>/dev/null || echo 2; }

build() { # build DIR [cmake options...]
    local dir=$1
    shift
    cmake -S "$ROOT" -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j "$(jobs_count)"
}

pg_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] || die "PostgreSQL server binaries not found"
    echo "$d"
}

# Runs a PostgreSQL server command as the unprivileged owner of the cluster.
as_pg_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

ensure_pg_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id -u "$PG_USER" >/dev/null 2>&1 ||
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            "$PG_USER"
}

# pg_start DIR: a PostgreSQL cluster in DIR/pg, reachable only through a unix socket in that
# folder (no TCP port). Creates it on first use; prints the database URL of database "gavel".
pg_start() {
    local dir pgdata bin owner
    mkdir -p "$1"
    dir=$(cd "$1" && pwd)
    pgdata=$dir/pg
    bin=$(pg_bin)
    ensure_pg_user
    owner=$PG_USER
    [ "$(id -u)" -eq 0 ] || owner=$(id -un)
    if [ "$(id -u)" -eq 0 ] && ! runuser -u "$PG_USER" -- test -x "$dir"; then
        die "the database user '$PG_USER' cannot reach $dir: choose a GAVEL_DATA_DIR whose" \
            "parent folders are searchable by others (e.g. under /var/lib or /srv)"
    fi
    if [ ! -s "$pgdata/PG_VERSION" ]; then
        mkdir -p "$pgdata"
        [ "$(id -u)" -eq 0 ] && chown "$owner" "$pgdata"
        chmod 700 "$pgdata"
        as_pg_user "$bin/initdb" -D "$pgdata" -U "$owner" --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            die "initdb failed in $pgdata (is every parent folder searchable by $owner?)"
        }
        cat >>"$pgdata/postgresql.conf" <<EOF
# Gavel's embedded cluster: a unix socket in this folder, no TCP.
listen_addresses = ''
unix_socket_directories = '$pgdata'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = off
log_min_messages = warning
EOF
    fi
    if ! as_pg_user "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
        as_pg_user "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 start \
            >/dev/null || { tail -n 20 "$pgdata/server.log" >&2; die "PostgreSQL did not start"; }
    fi
    as_pg_user "$bin/psql" -h "$pgdata" -U "$owner" -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = 'gavel'" | grep -q 1 ||
        as_pg_user "$bin/createdb" -h "$pgdata" -U "$owner" gavel
    echo "postgresql:///gavel?host=$pgdata&user=$owner"
}

pg_stop() {
    local dir pgdata
    [ -d "$1/pg" ] || return 0
    dir=$(cd "$1" && pwd)
    pgdata=$dir/pg
    as_pg_user "$(pg_bin)/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
}

cmd_build() {
    install_missing
    build "$ROOT/build" -DCMAKE_BUILD_TYPE=Release -DGAVEL_SANITIZE=
    say "binaries in build/bin"
}

# languages [ID...|all]: installs the toolchains of the languages named, or lists them.
cmd_languages() {
    local ids=("$@") pkgs=() id p state
    if [ ${#ids[@]} -eq 0 ]; then
        for id in "${LANG_IDS[@]}"; do
            state=installed
            for p in ${LANG_PACKAGES[$id]}; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
                    state="not installed"
            done
            printf '%-8s %-14s (%s)\n' "$id" "$state" "${LANG_PACKAGES[$id]}"
        done
        return 0
    fi
    [ "${ids[0]}" = all ] && ids=("${LANG_IDS[@]}")
    for id in "${ids[@]}"; do
        [ -n "${LANG_PACKAGES[$id]:-}" ] || die "unknown language $id (known: ${LANG_IDS[*]})"
        # shellcheck disable=SC2206 # package names are words
        pkgs+=(${LANG_PACKAGES[$id]})
    done
    install_missing "${pkgs[@]}"
    say "installed: ${ids[*]}; restart the judge to offer them"
}

cmd_test() {
    if [ -n "${CI:-}" ]; then
        # Every language is tested in CI (tests/judge/test_more_languages.py).
        local id pkgs=()
        for id in "${LANG_IDS[@]}"; do
            # shellcheck disable=SC2206 # package names are words
            pkgs+=(${LANG_PACKAGES[$id]})
        done
        install_missing "${TEST_PACKAGES[@]}" "${pkgs[@]}"
    else
        install_missing "${TEST_PACKAGES[@]}"
    fi
    build "$ROOT/build-test" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAVEL_SANITIZE=address,undefined
    # The kernels of the cgroup v2 leg (tests/vm), downloaded once into a cache.
    "$ROOT/tests/vm/vm.sh" fetch || [ -z "${CI:-}" ] || die "cannot fetch the VM leg's kernels"
    cmd_ctest "$ROOT/build-test" --output-on-failure --timeout 900 "$@"
}

# ctest DIR [ctest options]: the suite of a build, in a cgroup where its boxes can be made.
cmd_ctest() {
    local dir=${1:?usage: gavel.sh ctest BUILD_DIR [ctest options]} status=0
    shift
    if [ "$(v2_placement)" = scope ]; then
        export GAVEL_IN_SCOPE=1
        exec systemd-run --scope --quiet --collect -p Delegate=yes -- "$ROOT/gavel.sh" ctest \
            "$dir" "$@"
    fi
    v2_delegate_self
    cd "$dir"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    rm -f vm-logs/summary.txt
    ctest "$@" || status=$?
    v2_undelegate
    # The cgroup v2 leg's kernels, placements and times (tests/vm), if it ran.
    [ ! -s vm-logs/summary.txt ] || { echo; cat vm-logs/summary.txt; }
    return $status
}

# --- cgroup v2 --------------------------------------------------------------------------------
# The sandbox makes its boxes beneath the cgroup Gavel runs in, and v2 hands the memory and pids
# controllers down only from a cgroup without processes. So on v2 the programs that make boxes
# need a cgroup of their own: under systemd a transient scope with Delegate=yes; elsewhere (a
# container's entrypoint, the root cgroup) this script moves itself, and so what it starts
# afterwards, into a leaf "gavel-sh" and gives its programs a cgroup "gavel" beside it
# (GAVEL_CGROUP), where each moves itself into a leaf of its own. GAVEL_CGROUP set by the
# operator is used as it is.

CG_MNT=/sys/fs/cgroup

# What this run needs: "none" (cgroup v1, or GAVEL_CGROUP given), "scope" (a systemd scope
# first), or "self" (delegate from the cgroup we are in).
v2_placement() {
    if [ ! -f $CG_MNT/cgroup.controllers ] || [ -n "${GAVEL_CGROUP:-}" ]; then
        echo none
    elif [ -z "${GAVEL_IN_SCOPE:-}" ] && [ -d /run/systemd/system ] &&
        command -v systemd-run >/dev/null 2>&1; then
        echo scope
    else
        echo self
    fi
}

# Our cgroup in the unified hierarchy, as /proc/self/cgroup shows it.
own_cgroup() { sed -n 's/^0:://p' "/proc/$BASHPID/cgroup"; }

V2_FROM='' V2_HOME='' V2_ENABLED=''
v2_delegate_self() {
    [ "$(v2_placement)" = self ] || return 0
    local cur dir
    cur=$(own_cgroup)
    case $cur in /*) ;; *) die "cannot find our cgroup (/proc/self/cgroup: $cur)" ;; esac
    case $cur in */..*) die "our cgroup $cur is outside the cgroup namespace: mount cgroup2 afresh inside it" ;; esac
    dir=$CG_MNT${cur%/}
    [ -w "$dir/cgroup.procs" ] || die "cannot write $dir/cgroup.procs: run as root"
    mkdir -p "$dir/gavel-sh"
    if ! echo $$ >"$dir/gavel-sh/cgroup.procs" 2>/dev/null; then
        rmdir "$dir/gavel-sh" 2>/dev/null
        die "cannot move into a leaf of $dir"
    fi
    V2_ENABLED=''
    grep -qw memory "$dir/cgroup.subtree_control" || V2_ENABLED+=' -memory'
    grep -qw pids "$dir/cgroup.subtree_control" || V2_ENABLED+=' -pids'
    if ! echo "+memory +pids" >"$dir/cgroup.subtree_control" 2>/dev/null; then
        echo $$ >"$dir/cgroup.procs"
        rmdir "$dir/gavel-sh" 2>/dev/null
        if [ -d /run/systemd/system ]; then
            die "cgroup $cur is shared with other processes, so its boxes cannot be limited;" \
                "start it in a scope of its own: systemd-run --scope -p Delegate=yes -- $0 ..."
        fi
        die "cgroup $cur is shared with other processes ($(tr '\n' ' ' <"$dir/cgroup.procs"))," \
            "so its boxes cannot be limited. Move them into a leaf first, as container" \
            "runtimes do: mkdir $dir/init; for p in \$(cat $dir/cgroup.procs); do echo \$p" \
            ">$dir/init/cgroup.procs; done; or give Gavel a cgroup: mkdir $dir/gavel;" \
            "GAVEL_CGROUP=${cur%/}/gavel $0 ..."
    fi
    mkdir -p "$dir/gavel"
    V2_FROM=$dir V2_HOME=${cur%/}/gavel
    export GAVEL_CGROUP=$V2_HOME
}

# Undoes v2_delegate_self once its programs have ended: removes what it made, hands back the
# controllers it enabled (a cgroup that hands them down cannot hold a process), moves back.
v2_undelegate() {
    [ -n "$V2_FROM" ] || return 0
    rmdir "$V2_FROM/gavel/gavel-host" "$V2_FROM/gavel" 2>/dev/null || true
    # shellcheck disable=SC2086 # words
    [ -z "$V2_ENABLED" ] || echo $V2_ENABLED >"$V2_FROM/cgroup.subtree_control" 2>/dev/null || true
    echo $$ >"$V2_FROM/cgroup.procs" 2>/dev/null || true
    rmdir "$V2_FROM/gavel-sh" 2>/dev/null || true
    unset GAVEL_CGROUP
    V2_FROM=''
}

# How to start the judge. On cgroup v2 under systemd, a transient scope with Delegate=yes of its
# own (systemd-run execs the judge in it: same pid, same environment); elsewhere `run` has
# delegated itself first (v2_delegate_self) and the judge gets GAVEL_CGROUP.
judge_launcher() {
    if [ "$(v2_placement)" = scope ]; then
        echo "systemd-run --scope --quiet --collect -p Delegate=yes --"
    fi
}

cmd_run() {
    local data url api_pid judge_pid status=0 bin
    if [ -n "${GAVEL_BIN_DIR:-}" ]; then
        bin=$GAVEL_BIN_DIR
    else
        install_missing
        build "$ROOT/build" -DCMAKE_BUILD_TYPE=Release -DGAVEL_SANITIZE=
        bin=$ROOT/build/bin
    fi
    # A container's entrypoint on cgroup v2: this script and what it starts into a leaf, and a
    # cgroup for the judge's boxes (nothing to do under systemd, on v1, or with GAVEL_CGROUP).
    v2_delegate_self
    data=${GAVEL_DATA_DIR:-$ROOT/var}
    mkdir -p "$data"
    data=$(cd "$data" && pwd)
    export GAVEL_DATA_DIR=$data
    export GAVEL_LISTEN=${GAVEL_LISTEN:-127.0.0.1:8080}

    local started_pg=0
    if [ -n "${GAVEL_DATABASE_URL:-}" ]; then
        url=$GAVEL_DATABASE_URL
        say "using the database at GAVEL_DATABASE_URL"
    else
        url=$(pg_start "$data")
        started_pg=1
        say "embedded PostgreSQL running in $data/pg"
    fi
    export GAVEL_DATABASE_URL=$url

    api_pid='' judge_pid=''
    stop_all() {
        trap - INT TERM EXIT
        [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null || true
        [ -n "$judge_pid" ] && kill -TERM "$judge_pid" 2>/dev/null || true
        [ -n "$api_pid" ] && wait "$api_pid" 2>/dev/null || true
        [ -n "$judge_pid" ] && wait "$judge_pid" 2>/dev/null || true
        if [ "$started_pg" -eq 1 ]; then
            pg_stop "$data"
            say "PostgreSQL stopped"
        fi
        v2_undelegate
    }
    trap 'stop_all; exit 0' INT TERM
    trap 'stop_all' EXIT

    "$bin/gavel" migrate
    GAVEL_PASSWORD=${GAVEL_ADMIN_PASSWORD:-} "$bin/gavel" user create admin --role admin \
        --display-name Administrator --if-missing
    # The sample problems belong to the admin: their secret tests, edits and rejudges are the
    # admin's (and the staff the admin names), not every instructor's.
    if "$bin/gavel" --help | grep -q '^  import '; then
        "$bin/gavel" import --owner admin "$ROOT"/problems/*/
    fi

    [ -x "$bin/gavel-api" ] || die "gavel-api was not built"
    "$bin/gavel-api" &
    api_pid=$!
    if [ -x "$bin/gavel-judge" ]; then
        # shellcheck disable=SC2046 # the launcher is words, or nothing
        $(judge_launcher) "$bin/gavel-judge" &
        judge_pid=$!
    fi
    say "API on http://$GAVEL_LISTEN (Ctrl-C stops everything)"
    # Wait until either program ends (or a signal arrives), then stop the rest.
    wait -n || status=$?
    stop_all
    exit "$status"
}

case "${1:-}" in
run) shift; cmd_run "$@" ;;
test) shift; cmd_test "$@" ;;
ctest) shift; cmd_ctest "$@" ;;
build) shift; cmd_build "$@" ;;
languages) shift; cmd_languages "$@" ;;
pg-start) pg_start "${2:?usage: gavel.sh pg-start DIR}" ;;
pg-stop) pg_stop "${2:?usage: gavel.sh pg-stop DIR}" ;;
*)
    if [ -n "${1:-}" ]; then say "unknown command $1"; else say "no command given"; fi
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
