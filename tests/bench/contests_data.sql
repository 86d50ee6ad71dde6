-- Benchmark data for contests_bench.sh, generated directly in SQL (psql -v n_users=... ).
--
-- Contest "bench": :n_users students, 12 problems (A-L), :n_subs submissions, ICPC, public,
-- 4 hours in, frozen 30 minutes ago. Contest "bench-small": 100 students and n_subs / 100 *
-- 100 / n_users submissions, i.e. the same number of submissions per (user, problem) cell as
-- "bench" but 100 times fewer in all, to show that recording a verdict costs the same.
--
-- Submissions are loaded with the standings triggers off (a bulk load, not a contest), then
-- each contest's standings are rebuilt once; after that every verdict goes through the
-- triggers.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

INSERT INTO users (username, display_name, password_hash, role)
SELECT 'bench' || g, 'Bench User ' || g, 'x', 'student' FROM generate_series(1, :n_users) g;
INSERT INTO users (username, display_name, password_hash, role)
SELECT 'small' || g, 'Small User ' || g, 'x', 'student' FROM generate_series(1, 100) g;
INSERT INTO problems (slug, title, max_score)
SELECT 'bench-p' || g, 'Bench problem ' || g, 100 FROM generate_series(1, 12) g;

INSERT INTO contests (slug, title, starts_at, ends_at, freeze_at, scoring, visibility) VALUES
    ('bench', 'Benchmark', now() - interval '4 hours', now() + interval '1 hour',
     now() - interval '30 minutes', 'icpc', 'public'),
    ('bench-small', 'Benchmark (small)', now() - interval '4 hours', now() + interval '1 hour',
     now() - interval '30 minutes', 'icpc', 'public');
INSERT INTO contest_problems (contest_id, problem_id, label)
SELECT c.id, p.id, chr(64 + substr(p.slug, 8)::integer)
  FROM contests c, problems p WHERE c.slug LIKE 'bench%' AND p.slug LIKE 'bench-p%';
INSERT INTO contest_participants (contest_id, user_id)
SELECT c.id, u.id FROM contests c JOIN users u
    ON (c.slug = 'bench' AND u.username LIKE 'bench%')
    OR (c.slug = 'bench-small' AND u.username LIKE 'small%');

ALTER TABLE submissions DISABLE TRIGGER USER;
-- Verdicts: about 1 in 6 AC, then WA, TLE, RE, CE, MLE; times spread over the 4 hours so far.
CREATE TEMP TABLE bench_users AS
SELECT row_number() OVER (ORDER BY u.id) - 1 AS k, u.id, c.id AS contest_id, c.starts_at,
       CASE WHEN c.slug = 'bench' THEN :n_users ELSE 100 END AS n
  FROM users u JOIN contest_participants cp ON cp.user_id = u.id
  JOIN contests c ON c.id = cp.contest_id
 WHERE c.slug IN ('bench', 'bench-small');
CREATE TEMP TABLE bench_problems AS
SELECT row_number() OVER (ORDER BY p.id) - 1 AS k, p.id FROM problems p
 WHERE p.slug LIKE 'bench-p%';

INSERT INTO submissions (user_id, problem_id, contest_id, language_id, source, status, verdict,
                         score, max_score, created_at, judged_at)
SELECT u.id, p.id, u.contest_id, 'cpp', '', 'done', v.verdict,
       CASE WHEN v.verdict = 'AC' THEN 100 ELSE 0 END, 100, t.at, t.at
  FROM (SELECT g, g % :n_users AS uk, (g / :n_users) % 12 AS pk,
               (hashint4(g) & 2147483647) % 14400 AS sec
          FROM generate_series(1, :n_subs) g) s
  JOIN bench_users u ON u.k = s.uk
  JOIN bench_problems p ON p.k = s.pk
  CROSS JOIN LATERAL (SELECT u.starts_at + s.sec * interval '1 second' AS at) t
  CROSS JOIN LATERAL (SELECT (ARRAY['AC', 'WA', 'WA', 'TLE', 'RE', 'CE', 'MLE', 'WA', 'AC',
                                    'WA', 'TLE', 'WA'])[1 + (hashint4(s.g + 1) & 1023) % 12]
                             AS verdict) v
 WHERE u.contest_id = (SELECT id FROM contests WHERE slug = 'bench');

INSERT INTO submissions (user_id, problem_id, contest_id, language_id, source, status, verdict,
                         score, max_score, created_at, judged_at)
SELECT u.id, p.id, u.contest_id, 'cpp', '', 'done',
       (ARRAY['AC', 'WA', 'WA', 'TLE', 'RE', 'CE'])[1 + (hashint4(g) & 1023) % 6],
       0, 100, u.starts_at + ((hashint4(g) & 2147483647) % 14400) * interval '1 second', now()
  FROM generate_series(1, (:n_subs / :n_users) * 100) g
  JOIN bench_users u ON u.k = :n_users + g % 100
  JOIN bench_problems p ON p.k = (g / 100) % 12;
ALTER TABLE submissions ENABLE TRIGGER USER;

SELECT standings_rebuild(id) FROM contests WHERE slug IN ('bench', 'bench-small');
VACUUM ANALYZE;
