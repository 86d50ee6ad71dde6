-- Accounts: users with an argon2id password hash and a role; bearer tokens stored as hashes.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{1,32}$'),
    display_name  text NOT NULL DEFAULT '' CHECK (length(display_name) <= 100),
    password_hash text NOT NULL,
    role          text NOT NULL DEFAULT 'student'
                  CHECK (role IN ('student', 'instructor', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Only a hash of each token is kept: a stolen table yields no usable token.
CREATE TABLE api_tokens (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE INDEX api_tokens_expiry ON api_tokens (expires_at);
