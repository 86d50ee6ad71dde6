-- Problem packages: what an imported package carries beyond the problem and its tests, and the
-- self-check (verification) of a package's shipped solutions.
--
-- package_solutions holds the solutions shipped with a package and the verdict each is expected
-- to get; it is rewritten, in the same transaction, every time the problem is saved from a
-- package. package_meta keeps the format the package came in and the few settings that only
-- the self-check reads (Kattis time_multiplier and time_safety_margin, validator flags).
CREATE TABLE package_solutions (
    problem_id  bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position >= 1),
    path        text NOT NULL CHECK (length(path) BETWEEN 1 AND 255),
    expected    text NOT NULL CHECK (expected IN ('AC', 'WA', 'TLE', 'MLE', 'RE', 'CE', 'OLE')),
    language_id text NOT NULL REFERENCES languages (id),
    source      text NOT NULL,
    PRIMARY KEY (problem_id, position),
    UNIQUE (problem_id, path)
);

CREATE TABLE package_meta (
    problem_id bigint PRIMARY KEY REFERENCES problems (id) ON DELETE CASCADE,
    format     text NOT NULL CHECK (format IN ('gavel', 'kattis')),
    meta       jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- A verification queues every shipped solution as an ordinary submission outside any contest,
-- owned by the person who asked (or the problem's owner), so it never enters standings.
CREATE TABLE package_verifications (
    id              bigserial PRIMARY KEY,
    problem_id      bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    problem_version integer NOT NULL,
    requested_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX package_verifications_problem ON package_verifications (problem_id, id DESC);

CREATE TABLE package_verification_items (
    verification_id bigint NOT NULL REFERENCES package_verifications (id) ON DELETE CASCADE,
    position        integer NOT NULL,
    path            text NOT NULL,
    expected        text NOT NULL,
    submission_id   bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    PRIMARY KEY (verification_id, position)
);
CREATE INDEX package_verification_items_submission ON package_verification_items (submission_id);
