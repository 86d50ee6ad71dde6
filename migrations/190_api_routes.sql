-- What the routes of a front end need: removing a contest's participants, filtering the
-- submissions, and following a submission's judging test by test.

-- Removing a participant from a contest (DELETE /contests/{slug}/participants/{username}).
--
-- Their submissions stay (an author keeps everything they made), so the standings, which are
-- computed from the submissions of the contest, must be told to leave them out: a removed
-- participant is a row here. Every insert into the standings of a removed participant is
-- skipped by the triggers below, which covers every path that writes standings (a new verdict,
-- a rejudge, a rebuild after the contest changed) without redefining any of them. Adding the
-- participant again deletes the row and recomputes their cells from their submissions.
CREATE TABLE contest_removed (
    contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contest_id, user_id)
);

CREATE FUNCTION standings_skip_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM contest_removed
                WHERE contest_id = NEW.contest_id AND user_id = NEW.user_id) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER standing_rows_skip_removed BEFORE INSERT ON standing_rows
    FOR EACH ROW EXECUTE FUNCTION standings_skip_removed();
CREATE TRIGGER standing_cells_skip_removed BEFORE INSERT ON standing_cells
    FOR EACH ROW EXECUTE FUNCTION standings_skip_removed();

-- Removes a participant: true when they were one. Their standings go in the same transaction,
-- under the contest's version lock (standings_bump), as every other standings change.
CREATE FUNCTION contest_participant_remove(p_contest bigint, p_user bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM standings_bump(p_contest);
    DELETE FROM contest_participants WHERE contest_id = p_contest AND user_id = p_user;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO contest_removed (contest_id, user_id) VALUES (p_contest, p_user)
        ON CONFLICT DO NOTHING;
    DELETE FROM standing_cells WHERE contest_id = p_contest AND user_id = p_user;
    DELETE FROM standing_rows WHERE contest_id = p_contest AND user_id = p_user;
    RETURN true;
END $$;

-- Added again: their submissions count again. Runs before contest_participants_standings
-- (triggers fire in name order), which then gives them their row.
CREATE FUNCTION contest_participant_readmit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    DELETE FROM contest_removed WHERE contest_id = NEW.contest_id AND user_id = NEW.user_id;
    IF FOUND AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND role = 'student') THEN
        FOR x IN SELECT DISTINCT s.problem_id FROM submissions s
                  WHERE s.contest_id = NEW.contest_id AND s.user_id = NEW.user_id
                  ORDER BY s.problem_id
        LOOP
            PERFORM standing_refresh(NEW.contest_id, NEW.user_id, x.problem_id);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER contest_participants_readmit AFTER INSERT ON contest_participants
    FOR EACH ROW EXECUTE FUNCTION contest_participant_readmit();

-- GET /submissions?language=&since=: each filter reads an index in the list's order (id), or a
-- range of creation times when that is the smaller set. ?contest= has submissions_contest,
-- ?status=queued|judging submissions_pending.
CREATE INDEX submissions_language ON submissions (language_id, id);
CREATE INDEX submissions_created ON submissions (created_at);

-- Judging progress: while a judge runs a submission's tests it records each one here as it
-- lands (db_queue_progress), so that GET /submissions/{id} shows "test 3 of 10", the score so
-- far and the tests done, and a ?wait= may answer at the next test. A rejudge keeps showing
-- the old result meanwhile: the new one's progress is here, apart from submission_tests. The
-- row belongs to one attempt (attempts, as the claim numbered it) and goes when the
-- submission leaves 'judging' (recorded, given back, taken over, rejudged).
CREATE TABLE submission_judging (
    submission_id bigint PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
    attempts      integer NOT NULL,
    tests_total   integer NOT NULL,
    tests_done    integer NOT NULL DEFAULT 0,
    score         integer NOT NULL DEFAULT 0,   -- the points of the groups passed whole so far
    max_score     integer NOT NULL
);

-- The tests done, as submission_tests holds the final ones (the checker's messages come with
-- the final result only).
CREATE TABLE submission_judging_tests (
    submission_id bigint NOT NULL REFERENCES submission_judging (submission_id) ON DELETE CASCADE,
    ordinal       integer NOT NULL,
    verdict       text NOT NULL,
    time_ms       integer NOT NULL,
    memory_kb     bigint NOT NULL,
    points        integer NOT NULL,
    PRIMARY KEY (submission_id, ordinal)
);

CREATE FUNCTION submission_judging_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM submission_judging WHERE submission_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER submissions_judging_end AFTER UPDATE OF status ON submissions
    FOR EACH ROW WHEN (OLD.status = 'judging' AND NEW.status <> 'judging')
    EXECUTE FUNCTION submission_judging_end();

-- A test done wakes the requests that wait for the next change ('s:ID' on gavel_progress, at
-- commit); those that wait for the end keep waiting for gavel_done.
CREATE FUNCTION submission_judging_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gavel_progress', 's:' || NEW.submission_id);
    RETURN NULL;
END $$;

CREATE TRIGGER submission_judging_notify AFTER UPDATE ON submission_judging
    FOR EACH ROW EXECUTE FUNCTION submission_judging_notify();
