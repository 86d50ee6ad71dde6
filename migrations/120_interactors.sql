-- Interactive problems: a program of the problem's own, the interactor, talks with the
-- submission through pipes while it runs (problems/README.md, interactive problems).
--
-- interactor_protocol 'kattis': the interactor is a Kattis output validator run as
-- `interactor input answer feedback_dir [flags]` (the flags are checker_params' "flags"), and
-- its exit (42 accept, 43 reject) is the test's verdict; the checker is not used.
-- 'testlib': run as `interactor input output`, its exit (0 ok, 1 WA, 2 PE, 3 fail, 7 points)
-- first, then the problem's checker judges the file it wrote against the answer.
ALTER TABLE problems
    ADD COLUMN interactor_language text REFERENCES languages (id),
    ADD COLUMN interactor_source   text,
    ADD COLUMN interactor_protocol text CHECK (interactor_protocol IN ('kattis', 'testlib')),
    ADD CONSTRAINT problems_interactor_whole
        CHECK ((interactor_language IS NULL) = (interactor_source IS NULL)
               AND (interactor_language IS NULL) = (interactor_protocol IS NULL));
