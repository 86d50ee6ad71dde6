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
#
# Settings: GAVEL_LISTEN (127.0.0.1:8080), GAVEL_DATA_DIR (./var), GAVEL_DATABASE_URL,
# GAVEL_ADMIN_PASSWORD, GAVEL_JUDGE_WORKERS (number of cores). GAVEL_BIN_DIR makes `run` use
# binaries built elsewhere (the test suite's) instead of building.
#
# Internal commands used by the tests: pg-start DIR (prints the database URL), pg-stop DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_USER=gavel

# Everything the build, the runtime (compilers the judge runs) and the tests need.
APT_PACKAGES=(
    build-essential cmake pkg-config git ca-certificates
    libpq-dev libcjson-dev libmicrohttpd-dev libseccomp-dev libsodium-dev libarchive-dev
    libyaml-dev wrk
    postgresql postgresql-contrib
    gcc g++ python3 openjdk-17-jdk-headless nodejs
    clang libclang-rt-14-dev curl procps iproute2 util-linux
)

say() { printf 'gavel: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

install_missing() {
    local missing=() p
    for p in "${APT_PACKAGES[@]}"; do
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

cmd_test() {
    install_missing
    build "$ROOT/build-test" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAVEL_SANITIZE=address,undefined
    cd "$ROOT/build-test"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    ctest --output-on-failure --timeout 900 "$@"
}

# How to start the judge. On cgroup v2 its sandbox needs a cgroup of its own with the memory
# and pids controllers delegated: v2 hands controllers down only from a cgroup without
# processes, and this shell, PostgreSQL and the API share ours. Under systemd a transient scope
# with Delegate=yes is one (systemd-run execs the judge in it: same pid, same environment).
judge_launcher() {
    [ -f /sys/fs/cgroup/cgroup.controllers ] || return 0 # cgroup v1 or hybrid: nothing needed
    if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
        echo "systemd-run --scope --quiet --collect -p Delegate=yes --"
    else
        say "cgroup v2 without systemd: start the judge in a cgroup of its own with memory" \
            "and pids delegated, or its sandbox cannot limit programs (see README)"
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
build) shift; cmd_build "$@" ;;
pg-start) pg_start "${2:?usage: gavel.sh pg-start DIR}" ;;
pg-stop) pg_stop "${2:?usage: gavel.sh pg-stop DIR}" ;;
*)
    if [ -n "${1:-}" ]; then say "unknown command $1"; else say "no command given"; fi
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
