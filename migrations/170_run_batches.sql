-- A batch run: one source, several inputs (POST /runs with `inputs`), compiled once and run on
-- each input in order. `inputs` holds them (NULL for a run of one stdin); each one's result is
-- a row of run_results, written with the run's own in one transaction.
ALTER TABLE runs ADD COLUMN inputs bytea[];

CREATE TABLE run_results (
    run_id     bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ordinal    integer NOT NULL CHECK (ordinal >= 1),
    verdict    text NOT NULL,
    exit_code  integer,
    time_ms    integer NOT NULL,
    memory_kb  bigint NOT NULL,
    stdout     bytea NOT NULL,
    stderr     bytea NOT NULL,
    message    text,
    PRIMARY KEY (run_id, ordinal)
);
