-- Problems and their tests. Test data lives once in content-addressed blobs (sha256, hex), so
-- judges cache it on disk by hash and a re-upload of the same data costs nothing.
CREATE TABLE blobs (
    hash       text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    size       bigint NOT NULL CHECK (size >= 0),
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (size = octet_length(data))
);

CREATE TABLE problems (
    id                    bigserial PRIMARY KEY,
    slug                  text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    title                 text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    statement             text NOT NULL DEFAULT '',
    visibility            text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'hidden')),
    owner_id              bigint REFERENCES users (id) ON DELETE SET NULL,
    memory_limit_mb       integer CHECK (memory_limit_mb BETWEEN 1 AND 8192), -- NULL: language's
    time_limits_ms        jsonb NOT NULL DEFAULT '{}'::jsonb,  -- {"cpp": 1500}: per-language overrides
    checker_kind          text NOT NULL DEFAULT 'tokens'
                          CHECK (checker_kind IN ('exact', 'tokens', 'float', 'custom')),
    checker_params        jsonb NOT NULL DEFAULT '{}'::jsonb,  -- float: {abs, rel}; tokens: flags
    checker_language      text REFERENCES languages (id),
    checker_source        text,
    stop_on_first_failure boolean NOT NULL DEFAULT false,
    max_score             integer NOT NULL DEFAULT 0,
    version               integer NOT NULL DEFAULT 1,           -- bumped on every replacement
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (checker_kind <> 'custom' OR (checker_language IS NOT NULL AND checker_source IS NOT NULL))
);
CREATE INDEX problems_owner ON problems (owner_id);

CREATE TABLE test_cases (
    problem_id  bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    ordinal     integer NOT NULL CHECK (ordinal >= 1),
    name        text NOT NULL DEFAULT '',
    input_hash  text NOT NULL REFERENCES blobs (hash),
    output_hash text NOT NULL REFERENCES blobs (hash),
    points      integer NOT NULL DEFAULT 1 CHECK (points >= 0),
    is_sample   boolean NOT NULL DEFAULT false,
    group_name  text,                                  -- NULL: scored alone; else all-or-nothing
    PRIMARY KEY (problem_id, ordinal)
);
CREATE INDEX test_cases_input ON test_cases (input_hash);
CREATE INDEX test_cases_output ON test_cases (output_hash);
