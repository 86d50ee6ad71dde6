-- Who may read a problem's statement and samples: everyone a public one; staff any; and a
-- student a hidden one through a contest that has it, has started and that they may see
-- (public, or private with them a participant), so that a contest's problems can stay hidden
-- until it starts and be read during it and after.
CREATE FUNCTION problem_readable(p_problem bigint, p_user bigint, p_staff boolean)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT p_staff
        OR EXISTS (SELECT 1 FROM problems WHERE id = p_problem AND visibility = 'public')
        OR EXISTS (SELECT 1 FROM contest_problems cp JOIN contests c ON c.id = cp.contest_id
                    WHERE cp.problem_id = p_problem AND now() >= c.starts_at
                      AND (c.visibility = 'public'
                           OR EXISTS (SELECT 1 FROM contest_participants pa
                                       WHERE pa.contest_id = c.id AND pa.user_id = p_user)))
$$;
