-- What a leaderboard read needs to know before it reads a page, in one primary-key lookup: the
-- contest, whether this viewer may see it, which view they get, and the standings' version.
-- Staff (instructors, admins) see the live view; everyone else sees the frozen view from
-- freeze_at until the contest is unfrozen. Private contests are visible to staff and their
-- participants only.
CREATE FUNCTION contest_view(p_slug text, p_user bigint, p_staff boolean,
                             OUT id bigint, OUT visible boolean, OUT frozen boolean,
                             OUT version bigint)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
    SELECT c.id,
           c.visibility = 'public' OR p_staff
               OR EXISTS (SELECT 1 FROM contest_participants p
                           WHERE p.contest_id = c.id AND p.user_id = p_user),
           NOT p_staff AND NOT c.unfrozen AND c.freeze_at IS NOT NULL AND now() >= c.freeze_at,
           coalesce(v.version, 0)
      FROM contests c LEFT JOIN standing_versions v ON v.contest_id = c.id
     WHERE c.slug = p_slug
$$;
