-- Standings, kept current by triggers in the transaction that records a verdict, so that a
-- leaderboard read is an index scan of one page and never an aggregate over submissions.
--
-- Which submissions count: those of students (instructors and admins never enter standings),
-- with a contest, for one of its problems, created in [starts_at, ends_at). A submission counts
-- by its current verdict: a rejudge keeps the old verdict until the new one lands, so it changes
-- the standings once, when the new verdict replaces the old. A submission with no verdict yet
-- is pending.
--
-- ICPC: a cell is solved by its first AC (ordered by created_at, then id); its attempts are the
-- rejected tries before it (CE and IE never count) plus the AC itself; its penalty is the
-- minutes from the start to the first AC + 20 per rejected try before it. A row ranks by solved
-- desc, penalty asc, then the earlier last first-AC.
-- IOI: a cell's score is the best score of the contest's submissions, scaled to the contest's
-- points for the problem when given; time is when that best was first reached. A row ranks by
-- total desc, then the earlier time the total was reached (the latest of its cells' times).
--
-- Freeze: every cell and row also keeps the frozen view (columns f_*): the same rules over the
-- submissions created before freeze_at only, and as pending every submission the frozen view
-- does not show (created at or after freeze_at, or not judged yet). Readers choose the view;
-- unfreezing is a flag on the contest.
--
-- Ranks: rank_a, rank_b, rank_c are the sort key (smaller is better) of both rules:
-- ICPC (-solved, penalty, last AC), IOI (-total, 0, time reached); 'infinity' when there is no
-- time. Rows with equal keys share a rank, which is 1 + the number of rows with a strictly
-- smaller key: counted on the index, never by sorting the contest.
--
-- Versions: every change to a contest's standings bumps its row in standing_versions, in the
-- same transaction, so a reader can tell in one primary-key lookup whether a page it computed
-- before is still current (gavel-api keeps such pages).
--
-- Concurrency: each refresh first bumps the contest's version, then locks the (contest, user)
-- row: changes to one contest's standings are applied one after the other (in that lock order,
-- so they never deadlock), and each statement after the locks sees the other's commit.

CREATE INDEX submissions_standing ON submissions (contest_id, user_id, problem_id)
    WHERE contest_id IS NOT NULL;
CREATE INDEX submissions_user_problem ON submissions (user_id, problem_id);

CREATE TABLE standing_versions (
    contest_id bigint PRIMARY KEY REFERENCES contests (id) ON DELETE CASCADE,
    version    bigint NOT NULL DEFAULT 0
);

-- Marks a contest's standings changed (and holds its version's lock until commit).
CREATE FUNCTION standings_bump(p_contest bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO standing_versions AS v (contest_id, version) VALUES (p_contest, 1)
    ON CONFLICT (contest_id) DO UPDATE SET version = v.version + 1
$$;

CREATE TABLE standing_cells (
    contest_id   bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    problem_id   bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    solved       boolean NOT NULL DEFAULT false,
    attempts     integer NOT NULL DEFAULT 0,
    pending      integer NOT NULL DEFAULT 0,
    score        numeric NOT NULL DEFAULT 0,
    penalty      integer NOT NULL DEFAULT 0,
    reached_at   timestamptz,          -- ICPC: the first AC; IOI: when the best score came
    f_solved     boolean NOT NULL DEFAULT false,
    f_attempts   integer NOT NULL DEFAULT 0,
    f_pending    integer NOT NULL DEFAULT 0,
    f_score      numeric NOT NULL DEFAULT 0,
    f_penalty    integer NOT NULL DEFAULT 0,
    f_reached_at timestamptz,
    PRIMARY KEY (contest_id, user_id, problem_id)
);

CREATE TABLE standing_rows (
    contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    solved     integer NOT NULL DEFAULT 0,
    penalty    integer NOT NULL DEFAULT 0,
    score      numeric NOT NULL DEFAULT 0,
    doc        text NOT NULL DEFAULT '{}',  -- the row's JSON but its rank (standing_doc)
    rank_a     numeric NOT NULL DEFAULT 0,
    rank_b     integer NOT NULL DEFAULT 0,
    rank_c     timestamptz NOT NULL DEFAULT 'infinity',
    f_solved   integer NOT NULL DEFAULT 0,
    f_penalty  integer NOT NULL DEFAULT 0,
    f_score    numeric NOT NULL DEFAULT 0,
    f_doc      text NOT NULL DEFAULT '{}',
    f_rank_a   numeric NOT NULL DEFAULT 0,
    f_rank_b   integer NOT NULL DEFAULT 0,
    f_rank_c   timestamptz NOT NULL DEFAULT 'infinity',
    PRIMARY KEY (contest_id, user_id)
) WITH (fillfactor = 70, toast_tuple_target = 8160);
-- fillfactor: room for HOT updates, as most verdicts leave the rank keys alone; the documents
-- stay inline and uncompressed, as a page read sends them as they are.
CREATE INDEX standing_rows_live ON standing_rows (contest_id, rank_a, rank_b, rank_c, user_id);
CREATE INDEX standing_rows_frozen ON standing_rows
    (contest_id, f_rank_a, f_rank_b, f_rank_c, user_id);
CREATE INDEX standing_rows_user ON standing_rows (user_id);

-- A submission's score scaled to the contest's points (IOI). Without a known maximum, an AC is
-- worth the full points and anything else nothing.
CREATE FUNCTION standing_scaled(score integer, max_score integer, points integer, verdict text)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN points IS NULL THEN coalesce(score, 0)::numeric
        WHEN coalesce(max_score, 0) <= 0 THEN CASE WHEN verdict = 'AC' THEN points ELSE 0 END
        ELSE trim_scale(round(coalesce(score, 0)::numeric * points / max_score, 2))
    END
$$;

-- Whole minutes from a to b.
CREATE FUNCTION standing_minutes(a timestamptz, b timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT floor(extract(epoch FROM (b - a)) / 60)::integer
$$;

-- A row of the leaderboard as JSON, all but its rank, which a read puts in front:
-- {"username", "display_name", "solved", "penalty", "score",
--  "problems": {LABEL: {solved, attempts, pending, score, time_min}}}, the problems being those
-- with an attempt or a pending submission.
CREATE FUNCTION standing_doc(username text, display_name text, solved integer, penalty integer,
                             score numeric, cells jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '{"username":' || to_json(username) || ',"display_name":' || to_json(display_name)
           || ',"solved":' || solved || ',"penalty":' || penalty || ',"score":' || score
           || ',"problems":' || cells || '}'
$$;

-- Recomputes one row's totals, keys and documents from its cells.
CREATE FUNCTION standing_row_refresh(p_contest bigint, p_user bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_ioi boolean;
    v_start timestamptz;
BEGIN
    SELECT scoring = 'ioi', starts_at INTO v_ioi, v_start FROM contests WHERE id = p_contest;
    UPDATE standing_rows r SET
        solved = t.solved, penalty = t.penalty, score = t.score,
        doc = standing_doc(u.username, u.display_name, t.solved, t.penalty, t.score, t.cells),
        rank_a = t.rank_a, rank_b = t.penalty, rank_c = t.rank_c,
        f_solved = t.f_solved, f_penalty = t.f_penalty, f_score = t.f_score,
        f_doc = standing_doc(u.username, u.display_name, t.f_solved, t.f_penalty, t.f_score,
                             t.f_cells),
        f_rank_a = t.f_rank_a, f_rank_b = t.f_penalty, f_rank_c = t.f_rank_c
    FROM (
        SELECT x.*,
               CASE WHEN v_ioi THEN -x.score ELSE -x.solved END AS rank_a,
               CASE WHEN v_ioi THEN -x.f_score ELSE -x.f_solved END AS f_rank_a
        FROM (
            SELECT count(*) FILTER (WHERE c.solved)::integer AS solved,
                   CASE WHEN v_ioi THEN 0 ELSE coalesce(sum(c.penalty), 0)::integer END AS penalty,
                   CASE WHEN v_ioi THEN coalesce(sum(c.score), 0)
                        ELSE count(*) FILTER (WHERE c.solved) END AS score,
                   coalesce(max(c.reached_at) FILTER (WHERE CASE WHEN v_ioi THEN c.score > 0
                                                       ELSE c.solved END), 'infinity') AS rank_c,
                   coalesce(jsonb_object_agg(cp.label, jsonb_build_object(
                       'solved', c.solved, 'attempts', c.attempts, 'pending', c.pending,
                       'score', c.score,
                       'time_min', standing_minutes(v_start, c.reached_at)))
                       FILTER (WHERE c.attempts > 0 OR c.pending > 0), '{}') AS cells,
                   count(*) FILTER (WHERE c.f_solved)::integer AS f_solved,
                   CASE WHEN v_ioi THEN 0 ELSE coalesce(sum(c.f_penalty), 0)::integer END
                       AS f_penalty,
                   CASE WHEN v_ioi THEN coalesce(sum(c.f_score), 0)
                        ELSE count(*) FILTER (WHERE c.f_solved) END AS f_score,
                   coalesce(max(c.f_reached_at) FILTER (WHERE CASE WHEN v_ioi THEN c.f_score > 0
                                                         ELSE c.f_solved END), 'infinity')
                       AS f_rank_c,
                   coalesce(jsonb_object_agg(cp.label, jsonb_build_object(
                       'solved', c.f_solved, 'attempts', c.f_attempts, 'pending', c.f_pending,
                       'score', c.f_score,
                       'time_min', standing_minutes(v_start, c.f_reached_at)))
                       FILTER (WHERE c.f_attempts > 0 OR c.f_pending > 0), '{}') AS f_cells
            FROM standing_cells c
            JOIN contest_problems cp ON cp.contest_id = c.contest_id
                                    AND cp.problem_id = c.problem_id
            WHERE c.contest_id = p_contest AND c.user_id = p_user
        ) x
    ) t, users u
    WHERE r.contest_id = p_contest AND r.user_id = p_user AND u.id = p_user;
END $$;

-- Recomputes one (contest, user, problem) cell from that user's submissions to that problem in
-- the contest, then the user's row. Work is bounded by those submissions and the contest's
-- problems, whatever the size of the contest.
CREATE FUNCTION standing_refresh(p_contest bigint, p_user bigint, p_problem bigint,
                                 p_row boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    c record;
    s record;
    v_vis boolean;
    v_val numeric;
    -- live view
    l_solved boolean := false; l_rej integer := 0; l_att integer := 0; l_pend integer := 0;
    l_score numeric := 0; l_at timestamptz;
    -- frozen view
    f_solved boolean := false; f_rej integer := 0; f_att integer := 0; f_pend integer := 0;
    f_score numeric := 0; f_at timestamptz;
BEGIN
    SELECT k.scoring = 'ioi' AS ioi, k.starts_at, k.ends_at, k.freeze_at, cp.points,
           p.max_score
      INTO c
      FROM contests k
      JOIN contest_problems cp ON cp.contest_id = k.id AND cp.problem_id = p_problem
      JOIN problems p ON p.id = p_problem
     WHERE k.id = p_contest;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM standings_bump(p_contest);
    INSERT INTO standing_rows (contest_id, user_id) VALUES (p_contest, p_user)
        ON CONFLICT DO NOTHING;
    PERFORM 1 FROM standing_rows WHERE contest_id = p_contest AND user_id = p_user FOR UPDATE;

    FOR s IN SELECT created_at, verdict, score, coalesce(max_score, c.max_score) AS max_score
               FROM submissions
              WHERE contest_id = p_contest AND user_id = p_user AND problem_id = p_problem
                AND created_at >= c.starts_at AND created_at < c.ends_at
              ORDER BY created_at, id
    LOOP
        v_vis := c.freeze_at IS NULL OR s.created_at < c.freeze_at;
        IF s.verdict IS NULL THEN
            l_pend := l_pend + 1;
            f_pend := f_pend + 1;
            CONTINUE;
        END IF;
        IF NOT v_vis THEN
            f_pend := f_pend + 1;
        END IF;
        IF c.ioi THEN
            v_val := standing_scaled(s.score, s.max_score, c.points, s.verdict);
            IF s.verdict NOT IN ('CE', 'IE') THEN
                l_att := l_att + 1;
                f_att := f_att + CASE WHEN v_vis THEN 1 ELSE 0 END;
            END IF;
            l_solved := l_solved OR s.verdict = 'AC';
            IF v_val > l_score THEN
                l_score := v_val;
                l_at := s.created_at;
            END IF;
            IF v_vis THEN
                f_solved := f_solved OR s.verdict = 'AC';
                IF v_val > f_score THEN
                    f_score := v_val;
                    f_at := s.created_at;
                END IF;
            END IF;
        ELSE
            IF NOT l_solved THEN
                IF s.verdict = 'AC' THEN
                    l_solved := true;
                    l_at := s.created_at;
                ELSIF s.verdict NOT IN ('CE', 'IE') THEN
                    l_rej := l_rej + 1;
                END IF;
            END IF;
            IF v_vis AND NOT f_solved THEN
                IF s.verdict = 'AC' THEN
                    f_solved := true;
                    f_at := s.created_at;
                ELSIF s.verdict NOT IN ('CE', 'IE') THEN
                    f_rej := f_rej + 1;
                END IF;
            END IF;
        END IF;
    END LOOP;
    IF NOT c.ioi THEN
        l_att := l_rej + CASE WHEN l_solved THEN 1 ELSE 0 END;
        f_att := f_rej + CASE WHEN f_solved THEN 1 ELSE 0 END;
        l_score := CASE WHEN l_solved THEN 1 ELSE 0 END;
        f_score := CASE WHEN f_solved THEN 1 ELSE 0 END;
    END IF;

    INSERT INTO standing_cells AS x (contest_id, user_id, problem_id,
                                     solved, attempts, pending, score, penalty, reached_at,
                                     f_solved, f_attempts, f_pending, f_score, f_penalty,
                                     f_reached_at)
    VALUES (p_contest, p_user, p_problem,
            l_solved, l_att, l_pend, l_score,
            CASE WHEN l_solved AND NOT c.ioi
                 THEN standing_minutes(c.starts_at, l_at) + 20 * l_rej ELSE 0 END, l_at,
            f_solved, f_att, f_pend, f_score,
            CASE WHEN f_solved AND NOT c.ioi
                 THEN standing_minutes(c.starts_at, f_at) + 20 * f_rej ELSE 0 END, f_at)
    ON CONFLICT (contest_id, user_id, problem_id) DO UPDATE SET
        solved = EXCLUDED.solved, attempts = EXCLUDED.attempts, pending = EXCLUDED.pending,
        score = EXCLUDED.score, penalty = EXCLUDED.penalty, reached_at = EXCLUDED.reached_at,
        f_solved = EXCLUDED.f_solved, f_attempts = EXCLUDED.f_attempts,
        f_pending = EXCLUDED.f_pending, f_score = EXCLUDED.f_score,
        f_penalty = EXCLUDED.f_penalty, f_reached_at = EXCLUDED.f_reached_at;
    IF p_row THEN
        PERFORM standing_row_refresh(p_contest, p_user);
    END IF;
END $$;

-- Every cell of a contest computed from scratch, set-based and independent of the incremental
-- path: one per student and problem with a counted submission, in the columns of
-- standing_cells (and the problem's label).
CREATE FUNCTION standings_compute_cells(p_contest bigint)
RETURNS TABLE (user_id bigint, problem_id bigint, label text,
               solved boolean, attempts integer, pending integer, score numeric,
               penalty integer, reached_at timestamptz,
               f_solved boolean, f_attempts integer, f_pending integer, f_score numeric,
               f_penalty integer, f_reached_at timestamptz)
LANGUAGE sql STABLE AS $$
WITH k AS (
    SELECT id, scoring = 'ioi' AS ioi, starts_at, ends_at, freeze_at FROM contests
     WHERE id = p_contest
), s AS (
    SELECT s.user_id, s.problem_id, s.created_at, s.verdict,
           (k.freeze_at IS NULL OR s.created_at < k.freeze_at) AS vis,
           s.verdict IS NOT NULL AND s.verdict NOT IN ('AC', 'CE', 'IE') AS rejected,
           standing_scaled(s.score, coalesce(s.max_score, p.max_score), cp.points, s.verdict)
               AS val,
           row_number() OVER (PARTITION BY s.user_id, s.problem_id ORDER BY s.created_at, s.id)
               AS pos
      FROM submissions s
      JOIN k ON s.contest_id = k.id
      JOIN users u ON u.id = s.user_id AND u.role = 'student'
      JOIN contest_problems cp ON cp.contest_id = k.id AND cp.problem_id = s.problem_id
      JOIN problems p ON p.id = s.problem_id
     WHERE s.created_at >= k.starts_at AND s.created_at < k.ends_at
), firsts AS (
    SELECT s.*,
           min(pos) FILTER (WHERE verdict = 'AC') OVER w AS ac_pos,
           min(pos) FILTER (WHERE verdict = 'AC' AND vis) OVER w AS f_ac_pos,
           max(val) FILTER (WHERE verdict IS NOT NULL) OVER w AS best,
           max(val) FILTER (WHERE verdict IS NOT NULL AND vis) OVER w AS f_best
      FROM s
    WINDOW w AS (PARTITION BY user_id, problem_id)
), cell AS (
    SELECT f.user_id, f.problem_id,
           coalesce(bool_or(verdict = 'AC'), false) AS any_ac,
           coalesce(bool_or(verdict = 'AC' AND vis), false) AS f_any_ac,
           count(*) FILTER (WHERE rejected AND (ac_pos IS NULL OR pos < ac_pos)) AS rej,
           count(*) FILTER (WHERE rejected AND vis AND (f_ac_pos IS NULL OR pos < f_ac_pos))
               AS f_rej,
           count(*) FILTER (WHERE verdict IS NOT NULL AND verdict NOT IN ('CE', 'IE')) AS judged,
           count(*) FILTER (WHERE verdict IS NOT NULL AND verdict NOT IN ('CE', 'IE') AND vis)
               AS f_judged,
           count(*) FILTER (WHERE verdict IS NULL) AS pend,
           count(*) FILTER (WHERE verdict IS NULL OR NOT vis) AS f_pend,
           min(created_at) FILTER (WHERE pos = ac_pos) AS ac_at,
           min(created_at) FILTER (WHERE pos = f_ac_pos) AS f_ac_at,
           coalesce(max(best), 0) AS best,
           coalesce(max(f_best), 0) AS f_best,
           min(created_at) FILTER (WHERE verdict IS NOT NULL AND val = best AND best > 0)
               AS best_at,
           min(created_at) FILTER (WHERE verdict IS NOT NULL AND vis AND val = f_best
                                   AND f_best > 0) AS f_best_at
      FROM firsts f
     GROUP BY f.user_id, f.problem_id
)
SELECT cell.user_id, cell.problem_id, cp.label,
       CASE WHEN k.ioi THEN any_ac ELSE ac_at IS NOT NULL END AS solved,
       (CASE WHEN k.ioi THEN judged ELSE rej + (ac_at IS NOT NULL)::integer END)::integer
           AS attempts,
       pend::integer AS pending,
       CASE WHEN k.ioi THEN best ELSE (ac_at IS NOT NULL)::integer END AS score,
       CASE WHEN NOT k.ioi AND ac_at IS NOT NULL
            THEN standing_minutes(k.starts_at, ac_at) + 20 * rej::integer ELSE 0 END AS penalty,
       CASE WHEN k.ioi THEN best_at ELSE ac_at END AS reached_at,
       CASE WHEN k.ioi THEN f_any_ac ELSE f_ac_at IS NOT NULL END AS f_solved,
       (CASE WHEN k.ioi THEN f_judged ELSE f_rej + (f_ac_at IS NOT NULL)::integer END)::integer
           AS f_attempts,
       f_pend::integer AS f_pending,
       CASE WHEN k.ioi THEN f_best ELSE (f_ac_at IS NOT NULL)::integer END AS f_score,
       CASE WHEN NOT k.ioi AND f_ac_at IS NOT NULL
            THEN standing_minutes(k.starts_at, f_ac_at) + 20 * f_rej::integer ELSE 0 END
           AS f_penalty,
       CASE WHEN k.ioi THEN f_best_at ELSE f_ac_at END AS f_reached_at
  FROM cell
  JOIN k ON true
  JOIN contest_problems cp ON cp.contest_id = k.id AND cp.problem_id = cell.problem_id
$$;

-- The whole contest computed from scratch, set-based and independent of the incremental path:
-- one row per student with a standing (a participant, or a submission to one of its problems),
-- in the columns of standing_rows. standings_rebuild stores it; the tests compare it with what
-- the triggers left.
CREATE FUNCTION standings_compute(p_contest bigint)
RETURNS TABLE (user_id bigint, solved integer, penalty integer, score numeric, doc text,
               rank_a numeric, rank_b integer, rank_c timestamptz,
               f_solved integer, f_penalty integer, f_score numeric, f_doc text,
               f_rank_a numeric, f_rank_b integer, f_rank_c timestamptz)
LANGUAGE sql STABLE AS $$
WITH k AS (
    SELECT id, scoring = 'ioi' AS ioi, starts_at FROM contests WHERE id = p_contest
), c AS (
    SELECT * FROM standings_compute_cells(p_contest)
), who AS (
    SELECT cp.user_id FROM contest_participants cp JOIN users u ON u.id = cp.user_id
     WHERE cp.contest_id = p_contest AND u.role = 'student'
    UNION
    SELECT s.user_id FROM submissions s
      JOIN users u ON u.id = s.user_id AND u.role = 'student'
      JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id
     WHERE s.contest_id = p_contest
), t AS (
    SELECT who.user_id,
           count(*) FILTER (WHERE c.solved)::integer AS solved,
           CASE WHEN k.ioi THEN 0 ELSE coalesce(sum(c.penalty), 0)::integer END AS penalty,
           CASE WHEN k.ioi THEN coalesce(sum(c.score), 0)
                ELSE count(*) FILTER (WHERE c.solved) END AS score,
           coalesce(max(c.reached_at) FILTER (WHERE CASE WHEN k.ioi THEN c.score > 0
                                               ELSE c.solved END), 'infinity') AS rank_c,
           coalesce(jsonb_object_agg(c.label, jsonb_build_object(
               'solved', c.solved, 'attempts', c.attempts, 'pending', c.pending,
               'score', c.score, 'time_min', standing_minutes(k.starts_at, c.reached_at)))
               FILTER (WHERE c.attempts > 0 OR c.pending > 0), '{}') AS cells,
           count(*) FILTER (WHERE c.f_solved)::integer AS f_solved,
           CASE WHEN k.ioi THEN 0 ELSE coalesce(sum(c.f_penalty), 0)::integer END AS f_penalty,
           CASE WHEN k.ioi THEN coalesce(sum(c.f_score), 0)
                ELSE count(*) FILTER (WHERE c.f_solved) END AS f_score,
           coalesce(max(c.f_reached_at) FILTER (WHERE CASE WHEN k.ioi THEN c.f_score > 0
                                                 ELSE c.f_solved END), 'infinity') AS f_rank_c,
           coalesce(jsonb_object_agg(c.label, jsonb_build_object(
               'solved', c.f_solved, 'attempts', c.f_attempts, 'pending', c.f_pending,
               'score', c.f_score, 'time_min', standing_minutes(k.starts_at, c.f_reached_at)))
               FILTER (WHERE c.f_attempts > 0 OR c.f_pending > 0), '{}') AS f_cells,
           bool_or(k.ioi) AS ioi
      FROM who
      JOIN k ON true
      LEFT JOIN c ON c.user_id = who.user_id
     GROUP BY who.user_id, k.ioi, k.starts_at
)
SELECT t.user_id, t.solved, t.penalty, t.score,
       standing_doc(u.username, u.display_name, t.solved, t.penalty, t.score, t.cells),
       CASE WHEN t.ioi THEN -t.score ELSE -t.solved END, t.penalty, t.rank_c,
       t.f_solved, t.f_penalty, t.f_score,
       standing_doc(u.username, u.display_name, t.f_solved, t.f_penalty, t.f_score, t.f_cells),
       CASE WHEN t.ioi THEN -t.f_score ELSE -t.f_solved END, t.f_penalty, t.f_rank_c
  FROM t JOIN users u ON u.id = t.user_id
$$;

-- Rebuilds a contest's cells and rows from scratch, set-based: after its times, freeze,
-- scoring or problems change (gavel-api calls it on every replacement). Changes to the
-- contest's standings wait for it, as it holds the contest's version.
CREATE FUNCTION standings_rebuild(p_contest bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM contests WHERE id = p_contest FOR UPDATE;
    PERFORM standings_bump(p_contest);
    DELETE FROM standing_cells WHERE contest_id = p_contest;
    DELETE FROM standing_rows WHERE contest_id = p_contest;
    INSERT INTO standing_cells (contest_id, user_id, problem_id, solved, attempts, pending, score,
                                penalty, reached_at, f_solved, f_attempts, f_pending, f_score,
                                f_penalty, f_reached_at)
    SELECT p_contest, c.user_id, c.problem_id, c.solved, c.attempts, c.pending, c.score,
           c.penalty, c.reached_at, c.f_solved, c.f_attempts, c.f_pending, c.f_score,
           c.f_penalty, c.f_reached_at
      FROM standings_compute_cells(p_contest) c;
    INSERT INTO standing_rows (contest_id, user_id, solved, penalty, score, doc, rank_a, rank_b,
                               rank_c, f_solved, f_penalty, f_score, f_doc, f_rank_a, f_rank_b,
                               f_rank_c)
    SELECT p_contest, t.* FROM standings_compute(p_contest) t;
END $$;

-- Triggers: a new submission (a pending attempt) and a changed verdict or score refresh the one
-- cell they touch. A rejudge that only queues the row again changes nothing until its verdict.
CREATE FUNCTION standings_on_submission() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.contest_id IS NOT NULL
       AND (OLD.contest_id, OLD.user_id, OLD.problem_id)
           IS DISTINCT FROM (NEW.contest_id, NEW.user_id, NEW.problem_id)
       AND EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id AND role = 'student') THEN
        PERFORM standing_refresh(OLD.contest_id, OLD.user_id, OLD.problem_id);
    END IF;
    IF NEW.contest_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND role = 'student') THEN
        PERFORM standing_refresh(NEW.contest_id, NEW.user_id, NEW.problem_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER submissions_standings_insert AFTER INSERT ON submissions
    FOR EACH ROW WHEN (NEW.contest_id IS NOT NULL)
    EXECUTE FUNCTION standings_on_submission();
CREATE TRIGGER submissions_standings_update
    AFTER UPDATE OF verdict, score, max_score, contest_id, user_id, problem_id, created_at
    ON submissions
    FOR EACH ROW WHEN ((NEW.contest_id IS NOT NULL OR OLD.contest_id IS NOT NULL)
                       AND (NEW.verdict IS DISTINCT FROM OLD.verdict
                            OR NEW.score IS DISTINCT FROM OLD.score
                            OR NEW.max_score IS DISTINCT FROM OLD.max_score
                            OR NEW.contest_id IS DISTINCT FROM OLD.contest_id
                            OR NEW.user_id IS DISTINCT FROM OLD.user_id
                            OR NEW.problem_id IS DISTINCT FROM OLD.problem_id
                            OR NEW.created_at IS DISTINCT FROM OLD.created_at))
    EXECUTE FUNCTION standings_on_submission();

-- A participant has a row from the start (all zeros), so registered students are listed.
CREATE FUNCTION standings_on_participant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND role = 'student') THEN
        PERFORM standings_bump(NEW.contest_id);
        INSERT INTO standing_rows (contest_id, user_id) VALUES (NEW.contest_id, NEW.user_id)
            ON CONFLICT DO NOTHING;
        PERFORM standing_row_refresh(NEW.contest_id, NEW.user_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER contest_participants_standings AFTER INSERT ON contest_participants
    FOR EACH ROW EXECUTE FUNCTION standings_on_participant();

-- A renamed user's rows carry the new names.
CREATE FUNCTION standings_on_user() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    FOR x IN SELECT contest_id FROM standing_rows WHERE user_id = NEW.id ORDER BY contest_id
    LOOP
        PERFORM standings_bump(x.contest_id);
        PERFORM 1 FROM standing_rows WHERE contest_id = x.contest_id AND user_id = NEW.id
            FOR UPDATE;
        PERFORM standing_row_refresh(x.contest_id, NEW.id);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER users_standings AFTER UPDATE OF username, display_name ON users
    FOR EACH ROW WHEN (NEW.username IS DISTINCT FROM OLD.username
                       OR NEW.display_name IS DISTINCT FROM OLD.display_name)
    EXECUTE FUNCTION standings_on_user();

-- One page of a contest's leaderboard as a JSON array, live or frozen view. The page's keys
-- come from an index-only scan; only its own rows are read from the table. Rank of a row =
-- 1 + rows with a strictly smaller key: for the page's first row that is the offset less the
-- rows tied with it before the page (a scan bounded by the size of the tie); for the others it
-- follows from their place in the page.
CREATE FUNCTION standings_page(p_contest bigint, p_frozen boolean, p_limit integer,
                               p_offset integer) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v text;
BEGIN
    IF p_frozen THEN
        WITH page AS MATERIALIZED (
            SELECT r.user_id, r.f_rank_a AS a, r.f_rank_b AS b, r.f_rank_c AS c
              FROM standing_rows r WHERE r.contest_id = p_contest
             ORDER BY r.f_rank_a, r.f_rank_b, r.f_rank_c, r.user_id
             LIMIT p_limit OFFSET p_offset
        ), head AS (
            SELECT * FROM page ORDER BY a, b, c, user_id LIMIT 1
        ), tied AS (
            SELECT count(*) AS n FROM head, standing_rows r
             WHERE r.contest_id = p_contest AND r.f_rank_a = head.a AND r.f_rank_b = head.b
               AND r.f_rank_c = head.c AND r.user_id < head.user_id
        ), ranked AS (
            SELECT page.*, CASE WHEN (page.a, page.b, page.c) = (head.a, head.b, head.c)
                                THEN p_offset - tied.n + 1
                                ELSE p_offset + rank() OVER (ORDER BY page.a, page.b, page.c)
                           END AS rank
              FROM page, head, tied
        )
        SELECT '[' || string_agg('{"rank":' || x.rank || ',' || substr(o.doc, 2), ','
                                 ORDER BY x.a, x.b, x.c, x.user_id) || ']'
          INTO v
          FROM ranked x
          CROSS JOIN LATERAL (
              SELECT r.f_doc AS doc FROM standing_rows r
               WHERE r.contest_id = p_contest AND r.user_id = x.user_id
              OFFSET 0   -- kept apart: one index lookup per row of the page
          ) o;
    ELSE
        WITH page AS MATERIALIZED (
            SELECT r.user_id, r.rank_a AS a, r.rank_b AS b, r.rank_c AS c
              FROM standing_rows r WHERE r.contest_id = p_contest
             ORDER BY r.rank_a, r.rank_b, r.rank_c, r.user_id
             LIMIT p_limit OFFSET p_offset
        ), head AS (
            SELECT * FROM page ORDER BY a, b, c, user_id LIMIT 1
        ), tied AS (
            SELECT count(*) AS n FROM head, standing_rows r
             WHERE r.contest_id = p_contest AND r.rank_a = head.a AND r.rank_b = head.b
               AND r.rank_c = head.c AND r.user_id < head.user_id
        ), ranked AS (
            SELECT page.*, CASE WHEN (page.a, page.b, page.c) = (head.a, head.b, head.c)
                                THEN p_offset - tied.n + 1
                                ELSE p_offset + rank() OVER (ORDER BY page.a, page.b, page.c)
                           END AS rank
              FROM page, head, tied
        )
        SELECT '[' || string_agg('{"rank":' || x.rank || ',' || substr(o.doc, 2), ','
                                 ORDER BY x.a, x.b, x.c, x.user_id) || ']'
          INTO v
          FROM ranked x
          CROSS JOIN LATERAL (
              SELECT r.doc AS doc FROM standing_rows r
               WHERE r.contest_id = p_contest AND r.user_id = x.user_id
              OFFSET 0   -- kept apart: one index lookup per row of the page
          ) o;
    END IF;
    RETURN coalesce(v, '[]');
END $$;

-- The global leaderboard over public problems: per student the best score and whether solved,
-- per problem (all problems, so that a change of visibility only re-sums rows), and per
-- student the totals over public problems. Kept by the same kind of trigger.
CREATE TABLE global_cells (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    best       integer NOT NULL DEFAULT 0,
    solved     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, problem_id)
);
CREATE INDEX global_cells_problem ON global_cells (problem_id);

CREATE TABLE global_rows (
    user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    score   bigint NOT NULL DEFAULT 0,
    solved  integer NOT NULL DEFAULT 0,
    rank_a  bigint NOT NULL DEFAULT 0,   -- -score
    rank_b  integer NOT NULL DEFAULT 0   -- -solved
);
CREATE INDEX global_rows_rank ON global_rows (rank_a, rank_b, user_id);

CREATE FUNCTION global_row_refresh(p_user bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE global_rows r SET score = t.score, solved = t.solved,
                             rank_a = -t.score, rank_b = -t.solved
      FROM (SELECT coalesce(sum(c.best), 0) AS score,
                   (count(*) FILTER (WHERE c.solved))::integer AS solved
              FROM global_cells c JOIN problems p ON p.id = c.problem_id
             WHERE c.user_id = p_user AND p.visibility = 'public') t
     WHERE r.user_id = p_user;
END $$;

CREATE FUNCTION global_refresh(p_user bigint, p_problem bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO global_rows (user_id) VALUES (p_user) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM global_rows WHERE user_id = p_user FOR UPDATE;
    INSERT INTO global_cells AS g (user_id, problem_id, best, solved)
    SELECT p_user, p_problem, coalesce(max(score) FILTER (WHERE verdict IS NOT NULL), 0),
           coalesce(bool_or(verdict = 'AC'), false)
      FROM submissions WHERE user_id = p_user AND problem_id = p_problem
    ON CONFLICT (user_id, problem_id) DO UPDATE SET best = EXCLUDED.best,
                                                    solved = EXCLUDED.solved;
    PERFORM global_row_refresh(p_user);
END $$;

CREATE FUNCTION global_on_submission() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.user_id, OLD.problem_id)
                            IS DISTINCT FROM (NEW.user_id, NEW.problem_id)
       AND EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id AND role = 'student') THEN
        PERFORM global_refresh(OLD.user_id, OLD.problem_id);
    END IF;
    IF EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND role = 'student') THEN
        PERFORM global_refresh(NEW.user_id, NEW.problem_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER submissions_global AFTER UPDATE OF verdict, score, user_id, problem_id
    ON submissions
    FOR EACH ROW WHEN (NEW.verdict IS DISTINCT FROM OLD.verdict
                       OR NEW.score IS DISTINCT FROM OLD.score
                       OR NEW.user_id IS DISTINCT FROM OLD.user_id
                       OR NEW.problem_id IS DISTINCT FROM OLD.problem_id)
    EXECUTE FUNCTION global_on_submission();
CREATE TRIGGER submissions_global_insert AFTER INSERT ON submissions
    FOR EACH ROW WHEN (NEW.verdict IS NOT NULL)
    EXECUTE FUNCTION global_on_submission();

-- A problem made public or hidden re-sums the rows of those who tried it.
CREATE FUNCTION global_on_problem() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    FOR x IN SELECT c.user_id FROM global_cells c WHERE c.problem_id = NEW.id
              ORDER BY c.user_id LOOP
        PERFORM 1 FROM global_rows WHERE user_id = x.user_id FOR UPDATE;
        PERFORM global_row_refresh(x.user_id);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER problems_global AFTER UPDATE OF visibility ON problems
    FOR EACH ROW WHEN (NEW.visibility IS DISTINCT FROM OLD.visibility)
    EXECUTE FUNCTION global_on_problem();

-- The global leaderboard from scratch (tests): the columns of global_rows.
CREATE FUNCTION global_compute() RETURNS TABLE (user_id bigint, score bigint, solved integer)
LANGUAGE sql STABLE AS $$
    SELECT b.user_id, coalesce(sum(b.best) FILTER (WHERE b.visibility = 'public'), 0)::bigint,
           (count(*) FILTER (WHERE b.solved AND b.visibility = 'public'))::integer
      FROM (SELECT s.user_id, s.problem_id, p.visibility,
                   coalesce(max(s.score) FILTER (WHERE s.verdict IS NOT NULL), 0) AS best,
                   coalesce(bool_or(s.verdict = 'AC'), false) AS solved
              FROM submissions s
              JOIN users u ON u.id = s.user_id AND u.role = 'student'
              JOIN problems p ON p.id = s.problem_id
             WHERE s.verdict IS NOT NULL
             GROUP BY s.user_id, s.problem_id, p.visibility) b
     GROUP BY b.user_id
$$;

-- One page of the global leaderboard as a JSON array (ranks as in standings_page).
CREATE FUNCTION global_page(p_limit integer, p_offset integer) RETURNS text
LANGUAGE sql STABLE AS $$
    WITH page AS MATERIALIZED (
        SELECT r.user_id, r.score, r.solved, r.rank_a AS a, r.rank_b AS b
          FROM global_rows r ORDER BY r.rank_a, r.rank_b, r.user_id
         LIMIT p_limit OFFSET p_offset
    ), head AS (
        SELECT a, b FROM page ORDER BY a, b, user_id LIMIT 1
    ), better AS (
        SELECT count(*) AS n FROM head, global_rows r WHERE (r.rank_a, r.rank_b) < (head.a, head.b)
    ), ranked AS (
        SELECT page.*, CASE WHEN (page.a, page.b) = (head.a, head.b) THEN better.n + 1
                            ELSE p_offset + rank() OVER (ORDER BY page.a, page.b) END AS rank
          FROM page, head, better
    )
    SELECT coalesce(json_agg(json_build_object(
               'rank', x.rank, 'username', u.username, 'display_name', u.display_name,
               'solved', x.solved, 'score', x.score) ORDER BY x.a, x.b, x.user_id), '[]')::text
      FROM ranked x JOIN users u ON u.id = x.user_id
$$;
