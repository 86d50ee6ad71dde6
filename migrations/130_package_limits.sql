-- Problem packages judged as their authors meant: a shipped solution may expect one of several
-- verdicts ("AC,TLE", from DOMjudge's @EXPECTED_RESULTS@ or a Kattis submissions.yaml), and a
-- verification of a package whose time limit is to be derived records the limit it derived.
ALTER TABLE package_solutions DROP CONSTRAINT IF EXISTS package_solutions_expected_check;
ALTER TABLE package_solutions ADD CONSTRAINT package_solutions_expected_check
    CHECK (expected ~ '^(AC|WA|TLE|MLE|RE|CE|OLE)(,(AC|WA|TLE|MLE|RE|CE|OLE))*$');

-- measured: started while the problem's time limit was still to be derived, so its
-- submissions ran at the measuring limit; derived: what the report derived from them
-- ({"time_limit_ms": base, "time_limits_ms": {...}, "slowest_accepted_ms": ..., ...}).
ALTER TABLE package_verifications ADD COLUMN measured boolean NOT NULL DEFAULT false;
ALTER TABLE package_verifications ADD COLUMN derived jsonb;
