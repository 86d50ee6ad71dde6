#!/bin/sh
# queue_claim.sh: the claim query of the judging queue on 10,000 pending submissions of 200
# users (plus 100,000 judged ones), with EXPLAIN ANALYZE, run by hand:
#
#   tests/bench/queue_claim.sh postgresql://...   # a throwaway, migrated database
#
# It inserts through the turn trigger (migration 090) as the API would, then shows the plan and
# time of the row choice of db/queue.c's claim, and of the insert trigger itself per row.
set -eu
URL=${1:?a database URL}
psql "$URL" -Xq -v ON_ERROR_STOP=1 <<'SQL'
TRUNCATE submissions, runs, problems, users CASCADE;
INSERT INTO users (id, username, password_hash, role)
    SELECT i, 'u' || i, 'x', 'instructor' FROM generate_series(1, 200) i;
INSERT INTO problems (id, slug, title) VALUES (1, 'p', 'P');
INSERT INTO submissions (user_id, problem_id, language_id, source, status, verdict)
    SELECT 1 + i % 200, 1, 'c', 'x', 'done', 'AC' FROM generate_series(1, 100000) i;
\timing on
INSERT INTO submissions (user_id, problem_id, language_id, source)
    SELECT 1 + (i * 7919) % 200, 1, 'c', 'x' FROM generate_series(1, 10000) i;
\timing off
ANALYZE submissions;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT id FROM submissions WHERE status = 'queued'
 ORDER BY (verdict IS NOT NULL), turn, id FOR UPDATE SKIP LOCKED LIMIT 1;
EXPLAIN (ANALYZE, COSTS OFF)
UPDATE submissions SET status = 'judging', judge_id = 'bench', attempts = attempts + 1,
       lease_expires_at = now() + interval '30 s'
 WHERE id = (SELECT id FROM submissions WHERE status = 'queued'
              ORDER BY (verdict IS NOT NULL), turn, id FOR UPDATE SKIP LOCKED LIMIT 1)
   AND status = 'queued' RETURNING id, attempts;
SELECT count(DISTINCT user_id) AS users_in_first_200_claims FROM
    (SELECT user_id FROM submissions WHERE status = 'queued'
      ORDER BY (verdict IS NOT NULL), turn, id LIMIT 200) f;
SQL
