-- Submissions and runs, which are both the record and the judges' work queue.
--
-- Queue protocol (db/queue.h): a judge claims the oldest queued row with FOR UPDATE SKIP LOCKED,
-- sets status 'judging', judge_id, a lease and attempts + 1. It records the result only while
-- the row still says 'judging' with its judge_id and attempts, so a judge whose lease expired
-- and whose work was taken again can never write a second result. Expired leases go back to
-- 'queued'; after 3 attempts the verdict is IE.
CREATE TABLE submissions (
    id               bigserial PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    problem_id       bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    contest_id       bigint REFERENCES contests (id) ON DELETE SET NULL,
    language_id      text NOT NULL REFERENCES languages (id),
    source           text NOT NULL,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'judging', 'done')),
    verdict          text CHECK (verdict IN ('AC', 'WA', 'TLE', 'MLE', 'RE', 'CE', 'OLE', 'IE')),
    score            integer,
    max_score        integer,
    time_ms          integer,
    memory_kb        bigint,
    compile_output   text,
    message          text,                   -- why an IE happened
    problem_version  integer,                -- the version of the problem it was judged against
    judge_id         text,                   -- host:pid of the judge holding or having held it
    lease_expires_at timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    judged_at        timestamptz,
    -- A rejudge queues the row again but keeps the old result visible until the new one lands.
    CHECK (status <> 'done' OR verdict IS NOT NULL)
);
CREATE INDEX submissions_pending ON submissions (id) WHERE status <> 'done';
CREATE INDEX submissions_user ON submissions (user_id, id DESC);
CREATE INDEX submissions_problem ON submissions (problem_id, id DESC);
CREATE INDEX submissions_contest ON submissions (contest_id, id) WHERE contest_id IS NOT NULL;

CREATE TABLE submission_tests (
    submission_id   bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    ordinal         integer NOT NULL,
    verdict         text NOT NULL CHECK (verdict IN ('AC', 'WA', 'TLE', 'MLE', 'RE', 'OLE', 'IE',
                                                     'SKIPPED')),
    time_ms         integer NOT NULL DEFAULT 0,
    memory_kb       bigint NOT NULL DEFAULT 0,
    points          integer NOT NULL DEFAULT 0,
    checker_message text,
    PRIMARY KEY (submission_id, ordinal)
);

-- Runs: a program executed once on a given input, no tests. Judged before submissions.
CREATE TABLE runs (
    id               bigserial PRIMARY KEY,
    user_id          bigint REFERENCES users (id) ON DELETE CASCADE,
    language_id      text NOT NULL REFERENCES languages (id),
    source           text NOT NULL,
    stdin            bytea NOT NULL DEFAULT ''::bytea,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'judging', 'done')),
    verdict          text CHECK (verdict IN ('OK', 'TLE', 'MLE', 'RE', 'OLE', 'CE', 'IE')),
    stdout           bytea,
    stderr           bytea,
    exit_code        integer,
    time_ms          integer,
    memory_kb        bigint,
    compile_output   text,
    message          text,
    judge_id         text,
    lease_expires_at timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    judged_at        timestamptz,
    CHECK (status <> 'done' OR verdict IS NOT NULL)
);
CREATE INDEX runs_pending ON runs (id) WHERE status <> 'done';
CREATE INDEX runs_user ON runs (user_id, id DESC);

-- Wake-ups. Channel gavel_queue: new work ('s:ID' or 'r:ID'). Channel gavel_done: a result was
-- recorded ('s:ID' or 'r:ID'), which lets ?wait= answer at once. NOTIFY is sent at commit.
CREATE FUNCTION gavel_notify_queue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tag text := CASE TG_TABLE_NAME WHEN 'runs' THEN 'r:' ELSE 's:' END;
BEGIN
    IF NEW.status = 'queued' AND (TG_OP = 'INSERT' OR OLD.status <> 'queued') THEN
        PERFORM pg_notify('gavel_queue', tag || NEW.id);
    ELSIF NEW.status = 'done' AND (TG_OP = 'INSERT' OR OLD.status <> 'done') THEN
        PERFORM pg_notify('gavel_done', tag || NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER submissions_notify AFTER INSERT OR UPDATE OF status ON submissions
    FOR EACH ROW EXECUTE FUNCTION gavel_notify_queue();
CREATE TRIGGER runs_notify AFTER INSERT OR UPDATE OF status ON runs
    FOR EACH ROW EXECUTE FUNCTION gavel_notify_queue();
