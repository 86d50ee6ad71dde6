-- Contests and assignments: a window of time, a set of problems, a scoring rule.
CREATE TABLE contests (
    id         bigserial PRIMARY KEY,
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    freeze_at  timestamptz,
    unfrozen   boolean NOT NULL DEFAULT false,     -- set by unfreeze: everyone sees live standings
    scoring    text NOT NULL DEFAULT 'icpc' CHECK (scoring IN ('icpc', 'ioi')),
    visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
    owner_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (freeze_at IS NULL OR (freeze_at >= starts_at AND freeze_at <= ends_at))
);

CREATE TABLE contest_problems (
    contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    label      text NOT NULL CHECK (label ~ '^[A-Za-z0-9]{1,8}$'),
    points     integer CHECK (points >= 0),       -- IOI: the problem's score scaled to this
    PRIMARY KEY (contest_id, label),
    UNIQUE (contest_id, problem_id)
);
CREATE INDEX contest_problems_problem ON contest_problems (problem_id);

CREATE TABLE contest_participants (
    contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contest_id, user_id)
);
CREATE INDEX contest_participants_user ON contest_participants (user_id);
