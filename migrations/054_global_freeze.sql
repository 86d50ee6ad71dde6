-- The global leaderboard must not tell what a contest's freeze hides: a submission made at or
-- after its contest's freeze_at counts there (as on a public profile) only once the contest is
-- unfrozen, or loses its freeze, or is deleted (its submissions then belong to no contest).
-- Those changes re-count the cells of the contest's submitters; a verdict recorded for a frozen
-- submission leaves the global leaderboard as it was.

-- Whether a submission counts outside its contest now.
CREATE FUNCTION submission_unfrozen(p_contest bigint, p_created timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_contest IS NULL OR NOT EXISTS (
        SELECT 1 FROM contests c
         WHERE c.id = p_contest AND c.freeze_at IS NOT NULL AND NOT c.unfrozen
           AND p_created >= c.freeze_at)
$$;

CREATE OR REPLACE FUNCTION global_refresh(p_user bigint, p_problem bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO global_rows (user_id) VALUES (p_user) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM global_rows WHERE user_id = p_user FOR UPDATE;
    INSERT INTO global_cells AS g (user_id, problem_id, best, solved)
    SELECT p_user, p_problem, coalesce(max(score) FILTER (WHERE verdict IS NOT NULL), 0),
           coalesce(bool_or(verdict = 'AC'), false)
      FROM submissions
     WHERE user_id = p_user AND problem_id = p_problem
       AND submission_unfrozen(contest_id, created_at)
    ON CONFLICT (user_id, problem_id) DO UPDATE SET best = EXCLUDED.best,
                                                    solved = EXCLUDED.solved;
    PERFORM global_row_refresh(p_user);
END $$;

-- A submission moved out of its contest (the contest deleted: ON DELETE SET NULL) or into
-- another one is counted again.
DROP TRIGGER submissions_global ON submissions;
CREATE TRIGGER submissions_global
    AFTER UPDATE OF verdict, score, user_id, problem_id, contest_id ON submissions
    FOR EACH ROW WHEN (NEW.verdict IS DISTINCT FROM OLD.verdict
                       OR NEW.score IS DISTINCT FROM OLD.score
                       OR NEW.user_id IS DISTINCT FROM OLD.user_id
                       OR NEW.problem_id IS DISTINCT FROM OLD.problem_id
                       OR NEW.contest_id IS DISTINCT FROM OLD.contest_id)
    EXECUTE FUNCTION global_on_submission();

-- Unfreezing, or moving or dropping the freeze, re-counts the contest's submitters' cells.
CREATE FUNCTION global_on_contest_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    FOR x IN SELECT DISTINCT s.user_id, s.problem_id
               FROM submissions s JOIN users u ON u.id = s.user_id AND u.role = 'student'
              WHERE s.contest_id = NEW.id AND s.verdict IS NOT NULL
              ORDER BY s.user_id, s.problem_id LOOP
        PERFORM global_refresh(x.user_id, x.problem_id);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER contests_global_freeze AFTER UPDATE OF freeze_at, unfrozen ON contests
    FOR EACH ROW WHEN (NEW.freeze_at IS DISTINCT FROM OLD.freeze_at
                       OR NEW.unfrozen IS DISTINCT FROM OLD.unfrozen)
    EXECUTE FUNCTION global_on_contest_freeze();

-- The global leaderboard from scratch (tests): the same rule.
CREATE OR REPLACE FUNCTION global_compute()
RETURNS TABLE (user_id bigint, score bigint, solved integer)
LANGUAGE sql STABLE AS $$
    SELECT b.user_id, coalesce(sum(b.best) FILTER (WHERE b.visibility = 'public'), 0)::bigint,
           (count(*) FILTER (WHERE b.solved AND b.visibility = 'public'))::integer
      FROM (SELECT s.user_id, s.problem_id, p.visibility,
                   coalesce(max(s.score) FILTER (WHERE s.shown), 0) AS best,
                   coalesce(bool_or(s.verdict = 'AC') FILTER (WHERE s.shown), false) AS solved
              FROM (SELECT *, submission_unfrozen(contest_id, created_at) AS shown
                      FROM submissions WHERE verdict IS NOT NULL) s
              JOIN users u ON u.id = s.user_id AND u.role = 'student'
              JOIN problems p ON p.id = s.problem_id
             GROUP BY s.user_id, s.problem_id, p.visibility) b
     GROUP BY b.user_id
$$;
