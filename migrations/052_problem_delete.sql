-- Deleting a problem takes its submissions with it (ON DELETE CASCADE), and with them its cells
-- in every contest's standings and in the global leaderboard. The rows above those cells keep
-- totals, and a contest's kept pages are tagged with its version: both would go on counting
-- the problem. Before the problem goes, this takes it out of its contests (rebuilding their
-- standings, which bumps their versions) and out of its solvers' global totals.
CREATE FUNCTION problems_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    FOR x IN SELECT cp.contest_id FROM contest_problems cp WHERE cp.problem_id = OLD.id
              ORDER BY cp.contest_id LOOP
        DELETE FROM contest_problems WHERE contest_id = x.contest_id AND problem_id = OLD.id;
        PERFORM standings_rebuild(x.contest_id);
    END LOOP;
    FOR x IN SELECT c.user_id FROM global_cells c WHERE c.problem_id = OLD.id
              ORDER BY c.user_id LOOP
        PERFORM 1 FROM global_rows WHERE user_id = x.user_id FOR UPDATE;
        DELETE FROM global_cells WHERE user_id = x.user_id AND problem_id = OLD.id;
        PERFORM global_row_refresh(x.user_id);
    END LOOP;
    RETURN OLD;
END $$;

CREATE TRIGGER problems_delete BEFORE DELETE ON problems
    FOR EACH ROW EXECUTE FUNCTION problems_before_delete();
