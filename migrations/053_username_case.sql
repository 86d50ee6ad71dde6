-- Usernames are one name whatever their case: "Bob" cannot register beside "bob" and pass for
-- them on a leaderboard, and "bob" finds "Bob" (logging in, a profile, a participant list). A
-- name keeps the case it was registered with.
DO $$
DECLARE
    dups text;
BEGIN
    SELECT string_agg(names, '; ') INTO dups
      FROM (SELECT string_agg(username, ', ' ORDER BY id) AS names
              FROM users GROUP BY lower(username) HAVING count(*) > 1) d;
    IF dups IS NOT NULL THEN
        RAISE EXCEPTION 'usernames that differ only in case: %', dups
            USING HINT = 'rename all but one of each (UPDATE users SET username = ...), then start again';
    END IF;
END $$;

CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
