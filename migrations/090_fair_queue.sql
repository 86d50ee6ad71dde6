-- Fair judging: the queue serves users in turn.
--
-- Every queued submission and run gets a turn when it is inserted; judges claim the lowest
-- turn first, oldest first within a turn. A user's first pending row takes the turn being
-- served now, and each further row of theirs the turn after their previous one, so one user's
-- burst of ten waits behind every other user's first row (and second, ...), not in front of
-- them: a student cannot hold every worker while others wait. Within a user, oldest first.
--
-- The turn being served is the highest turn of any row a judge has claimed (status judging or
-- done), read from the index submissions_served / runs_served in one step. That is the virtual
-- clock of start-time fair queueing: a user who comes back after a pause starts at the current
-- turn, not at a turn they "saved" while away, so nobody can bank turns to jump the queue
-- later. Two rows of one user inserted at the same moment may share a turn; the id orders them.
--
-- A row given back by a judge, or whose lease expired, keeps its turn and so its place.
-- Rejudged rows keep the turn they had: they are still claimed after every row never judged
-- (verdict IS NOT NULL sorts them last, see 070), and among themselves in their old order.
ALTER TABLE submissions ADD COLUMN turn bigint NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN turn bigint NOT NULL DEFAULT 0;

CREATE INDEX submissions_served ON submissions (turn) WHERE status <> 'queued';
CREATE INDEX runs_served ON runs (turn) WHERE status <> 'queued';

DROP INDEX submissions_queue;
CREATE INDEX submissions_queue ON submissions ((verdict IS NOT NULL), turn, id)
    WHERE status = 'queued';
CREATE INDEX runs_queue ON runs (turn, id) WHERE status = 'queued';

CREATE FUNCTION gavel_queue_turn() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    served bigint;
    last   bigint;
BEGIN
    -- Two branches rather than a dynamic statement: each is planned once and kept.
    IF TG_TABLE_NAME = 'runs' THEN
        SELECT max(turn) INTO served FROM runs WHERE status <> 'queued';
        SELECT turn INTO last FROM runs WHERE user_id = NEW.user_id ORDER BY id DESC LIMIT 1;
    ELSE
        SELECT max(turn) INTO served FROM submissions WHERE status <> 'queued';
        SELECT turn INTO last FROM submissions WHERE user_id = NEW.user_id
         ORDER BY id DESC LIMIT 1;
    END IF;
    NEW.turn := greatest(coalesce(served, 0), coalesce(last + 1, 0));
    RETURN NEW;
END $$;

CREATE TRIGGER submissions_turn BEFORE INSERT ON submissions
    FOR EACH ROW EXECUTE FUNCTION gavel_queue_turn();
CREATE TRIGGER runs_turn BEFORE INSERT ON runs
    FOR EACH ROW EXECUTE FUNCTION gavel_queue_turn();
