-- The leaderboard read in one round trip: the contest by slug, whether this viewer may see it
-- and which view they get, and one page of rows (standings_page). Staff (instructors, admins)
-- see the live view; everyone else sees the frozen view from freeze_at until the contest is
-- unfrozen. Private contests are visible to staff and participants only.
CREATE FUNCTION contest_leaderboard(p_slug text, p_user bigint, p_staff boolean,
                                    p_limit integer, p_offset integer,
                                    OUT present boolean, OUT visible boolean, OUT frozen boolean,
                                    OUT rows text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    k record;
BEGIN
    SELECT id, visibility, freeze_at, unfrozen INTO k FROM contests WHERE slug = p_slug;
    present := FOUND;
    visible := false;
    frozen := false;
    IF NOT present THEN
        RETURN;
    END IF;
    visible := k.visibility = 'public' OR p_staff
               OR EXISTS (SELECT 1 FROM contest_participants
                           WHERE contest_id = k.id AND user_id = p_user);
    IF NOT visible THEN
        RETURN;
    END IF;
    frozen := NOT p_staff AND NOT k.unfrozen AND k.freeze_at IS NOT NULL AND now() >= k.freeze_at;
    rows := standings_page(k.id, frozen, p_limit, p_offset);
END $$;
