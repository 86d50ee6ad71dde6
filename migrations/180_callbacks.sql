-- Callbacks: a run or submission created with a callback_url gets one row here, in the same
-- statement. When the resource becomes final (status 'done') the row becomes due; gavel-api's
-- senders claim due rows (FOR UPDATE SKIP LOCKED, so several API processes share the work), POST
-- the resource there, and record the outcome. A row being sent is leased (due_at pushed past the
-- attempt's time-out): a sender that dies mid-attempt leaves it due again once the lease passes,
-- so a restart loses no delivery.
--
-- state      waiting    the result is not final yet
--            pending    due at due_at (first try, or a retry after a failure)
--            delivered  the receiver answered 2xx (delivered_at)
--            failed     refused by the allow-list, or no 2xx before the retry time ran out
-- generation bumped each time the result becomes final again (a rejudge): an attempt records its
--            outcome only while the generation it sent is current, and a rejudged result is
--            delivered anew.
CREATE TABLE callbacks (
    id            bigserial PRIMARY KEY,
    run_id        bigint UNIQUE REFERENCES runs (id) ON DELETE CASCADE,
    submission_id bigint UNIQUE REFERENCES submissions (id) ON DELETE CASCADE,
    url           text NOT NULL,
    state         text NOT NULL DEFAULT 'waiting'
                  CHECK (state IN ('waiting', 'pending', 'delivered', 'failed')),
    generation    integer NOT NULL DEFAULT 0,
    attempts      integer NOT NULL DEFAULT 0,
    first_due_at  timestamptz,
    due_at        timestamptz,
    last_status   integer,
    last_error    text,
    delivered_at  timestamptz,
    CHECK ((run_id IS NULL) <> (submission_id IS NULL))
);
CREATE INDEX callbacks_due ON callbacks (due_at) WHERE state = 'pending';

-- A result that becomes final makes its callback due (and wakes the senders: NOTIFY
-- gavel_callback at commit); one that stops being final (a rejudge) puts it back to waiting.
CREATE FUNCTION gavel_callback_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'done' AND OLD.status <> 'done' THEN
        IF TG_TABLE_NAME = 'runs' THEN
            UPDATE callbacks SET state = 'pending', generation = generation + 1, attempts = 0,
                first_due_at = now(), due_at = now(), last_status = NULL, last_error = NULL,
                delivered_at = NULL WHERE run_id = NEW.id;
        ELSE
            UPDATE callbacks SET state = 'pending', generation = generation + 1, attempts = 0,
                first_due_at = now(), due_at = now(), last_status = NULL, last_error = NULL,
                delivered_at = NULL WHERE submission_id = NEW.id;
        END IF;
        IF FOUND THEN
            PERFORM pg_notify('gavel_callback', '');
        END IF;
    ELSIF NEW.status <> 'done' AND OLD.status = 'done' THEN
        IF TG_TABLE_NAME = 'runs' THEN
            UPDATE callbacks SET state = 'waiting', generation = generation + 1, due_at = NULL
                WHERE run_id = NEW.id AND state = 'pending';
        ELSE
            UPDATE callbacks SET state = 'waiting', generation = generation + 1, due_at = NULL
                WHERE submission_id = NEW.id AND state = 'pending';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER runs_callback AFTER UPDATE OF status ON runs
    FOR EACH ROW EXECUTE FUNCTION gavel_callback_due();
CREATE TRIGGER submissions_callback AFTER UPDATE OF status ON submissions
    FOR EACH ROW EXECUTE FUNCTION gavel_callback_due();
