-- Checked at upload: a custom checker is compiled by a judge before its problem is stored.
--
-- The API never runs code, and it meets the judges only in PostgreSQL: to check a checker it
-- inserts a row here and waits for it (NOTIFY gavel_done 'c:ID'). A judge claims the row like
-- a run, before any run or submission (someone is waiting on it, and it is short), compiles the
-- source in the sandbox with the checker's language and limits, keeps the result in its cache
-- of compiled checkers, and records OK, or CE with the compiler's messages. The same queue
-- protocol (db/queue.h: lease, fenced writes, three attempts then IE) applies. The API deletes
-- its row once it has the answer, or when it gave up waiting (a judge holding it is then fenced
-- off); rows an API process left behind are removed by the judges an hour on.
CREATE TABLE checker_builds (
    id               bigserial PRIMARY KEY,
    language_id      text NOT NULL REFERENCES languages (id),
    source           text NOT NULL,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'judging', 'done')),
    verdict          text CHECK (verdict IN ('OK', 'CE', 'IE')),
    compile_output   text,
    message          text,
    judge_id         text,
    lease_expires_at timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    judged_at        timestamptz,
    CHECK (status <> 'done' OR verdict IS NOT NULL)
);
CREATE INDEX checker_builds_queue ON checker_builds (id) WHERE status = 'queued';
CREATE INDEX checker_builds_lease ON checker_builds (lease_expires_at) WHERE status = 'judging';

CREATE OR REPLACE FUNCTION gavel_notify_queue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tag text := CASE TG_TABLE_NAME WHEN 'runs' THEN 'r:' WHEN 'checker_builds' THEN 'c:'
                ELSE 's:' END;
BEGIN
    IF NEW.status = 'queued' AND (TG_OP = 'INSERT' OR OLD.status <> 'queued') THEN
        PERFORM pg_notify('gavel_queue', tag || NEW.id);
    ELSIF NEW.status = 'done' AND (TG_OP = 'INSERT' OR OLD.status <> 'done') THEN
        PERFORM pg_notify('gavel_done', tag || NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER checker_builds_notify AFTER INSERT OR UPDATE OF status ON checker_builds
    FOR EACH ROW EXECUTE FUNCTION gavel_notify_queue();

-- Whose fault an IE is, for the student reading it: 'problem' (its checker does not compile
-- or failed, it has no tests) or 'judge' (the judges failed three times). NULL otherwise.
ALTER TABLE submissions ADD COLUMN fault text CHECK (fault IN ('problem', 'judge'));
