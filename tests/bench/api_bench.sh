#!/bin/sh
# api_bench.sh: gavel-api throughput and latency with wrk on loopback, beside pgbench on the
# same database in the same session, so the figures can be read as ratios of what the
# database alone does on this machine. Run by hand, not by ctest:
#
#   tests/bench/api_bench.sh                  # 15 s per run, 64 connections
#   DURATION=30 CONNECTIONS=64 tests/bench/api_bench.sh
#
# It builds a Release gavel-api in build-api-rel (no sanitizers) unless BUILD names another
# build folder, starts a throwaway PostgreSQL with `gavel.sh pg-start` in a temporary folder,
# and removes everything it started when it ends. The per-user rate limit is lifted for the
# run (GAVEL_RATE_BURST): the benchmark measures the server, not the limiter. VERBOSE=1 shows
# wrk's whole report; GAVEL_* variables in the environment reach the server (e.g.
# GAVEL_API_THREADS).
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-api-rel}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PG_CLIENTS=${PG_CLIENTS:-16}
PORT=${PORT:-18181}
PASSWORD="bench password 1"

for tool in wrk pgbench curl python3; do
    command -v "$tool" >/dev/null || { echo "api_bench: $tool is needed" >&2; exit 1; }
done

if [ ! -x "$BUILD/bin/gavel-api" ] || [ ! -x "$BUILD/bin/gavel" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGAVEL_SANITIZE= >/dev/null
fi
cmake --build "$BUILD" --target gavel-api gavel -j"$(nproc)" >/dev/null

DIR=$(mktemp -d /tmp/gavel-bench.XXXXXX)
chmod 755 "$DIR"
API_PID=
cleanup() {
    [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null
    "$ROOT/gavel.sh" pg-stop "$DIR" >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

URL=$("$ROOT/gavel.sh" pg-start "$DIR" | tail -n 1)
export GAVEL_DATABASE_URL="$URL" GAVEL_LOG_LEVEL=warn GAVEL_PASSWORD="$PASSWORD"
"$BUILD/bin/gavel" migrate >/dev/null
"$BUILD/bin/gavel" user create teacher --role instructor >/dev/null
"$BUILD/bin/gavel" user create student >/dev/null

GAVEL_LISTEN=127.0.0.1:$PORT GAVEL_RATE_BURST=1000000000 GAVEL_RATE_PER_SEC=1000000000 \
    "$BUILD/bin/gavel-api" >"$DIR/api.log" 2>&1 &
API_PID=$!
BASE=http://127.0.0.1:$PORT
i=0
until curl -fs "$BASE/healthz" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 100 ] || { cat "$DIR/api.log" >&2; exit 1; }
    sleep 0.1
done

login() {
    curl -fs -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/sessions" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
TEACHER=$(login teacher)
STUDENT=$(login student)
curl -fs -o /dev/null -H "Authorization: Bearer $TEACHER" -H 'Content-Type: application/json' \
    -d '{"slug":"bench","title":"A+B","statement":"Print the sum of two integers.",
         "tests":[{"input":"1 2\n","output":"3\n","sample":true},
                  {"input":"2 2\n","output":"4\n","sample":true},
                  {"input":"5 7\n","output":"12\n","points":3}]}' \
    "$BASE/api/v1/problems"

cat >"$DIR/submit.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"problem":"bench","language":"cpp","source":"#include <cstdio>\nint main(){int a,b;scanf(\\"%d %d\\",&a,&b);printf(\\"%d\\\\n\\",a+b);}"}'
LUA

# wrk's summary: requests/s, p99 latency, non-2xx count.
run_wrk() {
    name=$1
    shift
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" >"$DIR/$name.txt"
    [ -z "${VERBOSE:-}" ] || cat "$DIR/$name.txt"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$DIR/$name.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$DIR/$name.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$DIR/$name.txt")
    bad=$(awk '/Non-2xx/ {print $NF}' "$DIR/$name.txt")
    printf '%-28s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" \
        "${bad:-0}"
    eval "RPS_$name=$rps"
}

echo "gavel-api, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on loopback ($(nproc) cores," \
    "$(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/load /')):"
run_wrk get_problem -H "Authorization: Bearer $STUDENT" "$BASE/api/v1/problems/bench"
run_wrk post_submission -H "Authorization: Bearer $STUDENT" -s "$DIR/submit.lua" \
    "$BASE/api/v1/submissions"
# The server's own view of the same requests, from its latency histogram (request line read to
# answer queued): how much of wrk's latency is spent inside gavel-api and the database.
curl -fs "$BASE/metrics" | python3 -c '
import re, sys
hist = {}
for line in sys.stdin:
    m = re.match(r"gavel_http_request_duration_seconds_bucket\{method=\"(\w+)\",route=\"([^\"]+)\",le=\"([^\"]+)\"\} (\d+)", line)
    if m and (m[1], m[2]) in (("GET", "/api/v1/problems/{slug}"), ("POST", "/api/v1/submissions")):
        hist.setdefault(m[1] + " " + m[2], []).append((m[3], int(m[4])))
for route, buckets in hist.items():
    total = buckets[-1][1]
    le = lambda q: next(b for b, n in buckets if n >= q * total)
    print("server-side %-30s p50 <= %ss   p99 <= %ss   p99.9 <= %ss" % (route, le(0.5), le(0.99), le(0.999)))
'
queued=$(psql "$URL" -XAtqc "SELECT count(*) FROM submissions")
echo "submissions stored: $queued"

echo "pgbench on the same database (-c $PG_CLIENTS -j $THREADS -T $DURATION, scale 10):"
pgbench -i -q -s 10 "$URL" >/dev/null 2>&1
sel=$(pgbench -n -S -c "$PG_CLIENTS" -j "$THREADS" -T "$DURATION" "$URL" 2>/dev/null |
    awk '/^tps/ {print $3; exit}')
tpcb=$(pgbench -n -c "$PG_CLIENTS" -j "$THREADS" -T "$DURATION" "$URL" 2>/dev/null |
    awk '/^tps/ {print $3; exit}')
printf '%-28s %10s tps\n%-28s %10s tps\n' "pgbench select-only" "$sel" "pgbench tpcb-like" "$tpcb"
python3 - "$RPS_get_problem" "$sel" "$RPS_post_submission" "$tpcb" <<'PY'
import sys
reads, sel, subs, tpcb = map(float, sys.argv[1:])
print("ratios: GET /problems/{slug} = %.2f x pgbench select-only;"
      " POST /submissions = %.2f x pgbench tpcb" % (reads / sel, subs / tpcb))
print("targets: reads >= 10000 req/s: %s; submissions >= 2000/s: %s" % (
    "met" if reads >= 10000 else "NOT met", "met" if subs >= 2000 else "NOT met"))
PY
