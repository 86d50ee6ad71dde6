#!/usr/bin/env bash
# contests_bench.sh: the leaderboard of a large contest under load, and the cost of recording
# one verdict as the submissions grow. Run by hand, on a Release build:
#
#     cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel -j
#     tests/bench/contests_bench.sh build-rel
#
# It starts a throwaway PostgreSQL (gavel.sh pg-start) and gavel-api on loopback, generates a
# contest of USERS participants, 12 problems and SUBS submissions directly in SQL
# (contests_data.sql), then measures, in the same session:
#   1. wrk, CONNS connections: GET /contests/bench/leaderboard?limit=50 at offset 0 and 5000,
#      anonymous (the frozen view); then the same while verdicts land at VERDICT_RATE per second
#      (every landing changes the standings, so pages are recomputed, not served again);
#   2. pgbench -S (select-only) on the same database, CONNS clients, for scale;
#   3. recording one verdict (the judge's UPDATE, whose trigger refreshes the standings) with
#      pgbench -r: in "bench" (SUBS submissions) and in "bench-small" (100 times fewer, the same
#      number per user and problem), and without a contest.
# Settings (environment): USERS=10000 SUBS=1000000 DURATION=20 CONNS=64 VERDICT_RATE=50.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$ROOT/build}
BIN=$(cd "$BUILD/bin" && pwd)
USERS=${USERS:-10000}
SUBS=${SUBS:-1000000}
DURATION=${DURATION:-20}
CONNS=${CONNS:-64}
VERDICT_RATE=${VERDICT_RATE:-50}

for tool in wrk pgbench psql curl; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/gavel-bench-XXXXXX)
chmod 755 "$WORK"
API_PID=
WRITER_PID=
cleanup() {
    [ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null || true
    [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true
    "$ROOT/gavel.sh" pg-stop "$WORK" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }

say "PostgreSQL and schema"
URL=$("$ROOT/gavel.sh" pg-start "$WORK" | tail -n 1)
export GAVEL_DATABASE_URL=$URL
"$BIN/gavel" migrate >/dev/null
q() { psql "$URL" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

say "Generating $USERS participants, 12 problems, $SUBS submissions"
start=$(date +%s)
psql "$URL" -Xq -v n_users="$USERS" -v n_subs="$SUBS" -f "$ROOT/tests/bench/contests_data.sql" \
    >/dev/null
echo "generated and standings built in $(( $(date +%s) - start )) s"
q "SELECT 'submissions: ' || count(*) FROM submissions"
q "SELECT c.slug || ': ' || count(*) || ' standing rows' FROM standing_rows r
     JOIN contests c ON c.id = r.contest_id GROUP BY c.slug ORDER BY c.slug"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
GAVEL_LISTEN=127.0.0.1:$PORT GAVEL_LOG_LEVEL=warn GAVEL_DB_POOL=${GAVEL_DB_POOL:-16} \
    "$BIN/gavel-api" >"$WORK/api.log" 2>&1 &
API_PID=$!
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
BASE="http://127.0.0.1:$PORT/api/v1/contests/bench/leaderboard"
curl -fs "$BASE?limit=2&offset=5000" | head -c 300
echo

declare -A RPS P99
read_bench() { # name url
    local out
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$2")
    echo "$out" | grep -E "Requests/sec|Latency  |99%|50%|Non-2xx|errors"
    RPS[$1]=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    P99[$1]=$(echo "$out" | awk '$1 == "99%" {print $2}')
    if echo "$out" | grep -q "Non-2xx"; then
        echo "non-2xx answers: see $WORK/api.log" >&2
        exit 1
    fi
}

say "wrk: leaderboard, $CONNS connections, ${DURATION}s"
echo "-- offset 0"
read_bench off0 "$BASE?limit=50"
echo "-- offset 5000"
read_bench off5000 "$BASE?limit=50&offset=5000"

# Verdicts landing during the reads: each one bumps the standings' version.
IDS=$(q "SELECT min(u.id) || ' ' || max(u.id) FROM users u WHERE u.username LIKE 'bench%'")
PIDS=$(q "SELECT min(id) || ' ' || max(id) FROM problems WHERE slug LIKE 'bench-p%'")
BIG=$(q "SELECT id FROM contests WHERE slug = 'bench'")
SMALL=$(q "SELECT id FROM contests WHERE slug = 'bench-small'")
SIDS=$(q "SELECT min(u.id) || ' ' || max(u.id) FROM users u WHERE u.username LIKE 'small%'")
cat >"$WORK/verdict.sql" <<'EOF'
\set u random(:umin, :umax)
\set p random(:pmin, :pmax)
INSERT INTO submissions (user_id, problem_id, contest_id, language_id, source) VALUES (:u, :p, :cid, 'cpp', '') RETURNING id AS sid \gset
UPDATE submissions SET status = 'done', verdict = (ARRAY['WA', 'AC', 'TLE'])[1 + :u % 3], score = 0, max_score = 100, judged_at = now() WHERE id = :sid;
EOF
cat >"$WORK/verdict_nocontest.sql" <<'EOF'
\set u random(:umin, :umax)
\set p random(:pmin, :pmax)
INSERT INTO submissions (user_id, problem_id, language_id, source) VALUES (:u, :p, 'cpp', '') RETURNING id AS sid \gset
UPDATE submissions SET status = 'done', verdict = (ARRAY['WA', 'AC', 'TLE'])[1 + :u % 3], score = 0, max_score = 100, judged_at = now() WHERE id = :sid;
EOF
vars() { # users-range cid
    set -- $1 "$2"
    echo "-D umin=$1 -D umax=$2 -D cid=$3 -D pmin=${PIDS% *} -D pmax=${PIDS#* }"
}

say "wrk while $VERDICT_RATE verdicts/s land in the contest"
# shellcheck disable=SC2046
pgbench -n -f "$WORK/verdict.sql" $(vars "$IDS" "$BIG") -c 2 -j 1 -R "$VERDICT_RATE" \
    -T $((2 * DURATION + 10)) "$URL" >"$WORK/writer.log" 2>&1 &
WRITER_PID=$!
sleep 2
echo "-- offset 0, verdicts landing"
read_bench live0 "$BASE?limit=50"
echo "-- offset 5000, verdicts landing"
read_bench live5000 "$BASE?limit=50&offset=5000"
wait "$WRITER_PID" || { cat "$WORK/writer.log"; exit 1; }
WRITER_PID=
grep -E "number of transactions actually processed|failed" "$WORK/writer.log" || true

say "pgbench -S, $CONNS clients, same database"
pgbench -i -s 10 -q "$URL" >/dev/null 2>&1
out=$(pgbench -S -n -c "$CONNS" -j 2 -T "$DURATION" "$URL")
echo "$out" | grep -E "tps|latency average"
PGB_TPS=$(echo "$out" | awk '/^tps/ {print $3}')

say "Recording one verdict (pgbench -r, 1 client, 10 s each)"
verdict_bench() { # label script users cid
    local out
    # shellcheck disable=SC2046
    out=$(pgbench -n -r -f "$2" $(vars "$3" "$4") -c 1 -T 10 "$URL")
    echo "-- $1"
    echo "$out" | grep -E "latency average|INSERT|UPDATE" | sed 's/^ *//'
}
verdict_bench "contest bench-small ($(q "SELECT count(*) FROM submissions WHERE contest_id = $SMALL") submissions)" \
    "$WORK/verdict.sql" "$SIDS" "$SMALL"
verdict_bench "contest bench ($(q "SELECT count(*) FROM submissions WHERE contest_id = $BIG") submissions)" \
    "$WORK/verdict.sql" "$IDS" "$BIG"
verdict_bench "no contest (global leaderboard only)" "$WORK/verdict_nocontest.sql" "$IDS" 0
echo "-- 4 judges at once in contest bench (no deadlock, no serialization failure)"
# shellcheck disable=SC2046
pgbench -n -f "$WORK/verdict.sql" $(vars "$IDS" "$BIG") -c 4 -j 2 -T 10 "$URL" |
    grep -E "tps|latency average|failed"

say "Summary"
printf '%-34s %12s %10s\n' "" "req/s" "p99"
printf '%-34s %12s %10s\n' "leaderboard offset=0" "${RPS[off0]}" "${P99[off0]}"
printf '%-34s %12s %10s\n' "leaderboard offset=5000" "${RPS[off5000]}" "${P99[off5000]}"
printf '%-34s %12s %10s\n' "offset=0, verdicts landing" "${RPS[live0]}" "${P99[live0]}"
printf '%-34s %12s %10s\n' "offset=5000, verdicts landing" "${RPS[live5000]}" "${P99[live5000]}"
printf '%-34s %12s\n' "pgbench -S (tps)" "$PGB_TPS"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
