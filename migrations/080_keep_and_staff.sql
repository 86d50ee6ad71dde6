-- Nothing a student made is deleted by someone else's action, and staff see what they run.
--
-- archived: a problem or contest that is done with. It leaves the lists and takes no new
-- submissions, but it and every submission, result and standing on it stay readable by their
-- owners and staff. Deleting is for what has no submissions at all: the API refuses the rest
-- (409), and the foreign key below refuses it too, so that no other path can take students'
-- submissions with a problem.
ALTER TABLE problems ADD COLUMN archived boolean NOT NULL DEFAULT false;
ALTER TABLE contests ADD COLUMN archived boolean NOT NULL DEFAULT false;

ALTER TABLE submissions DROP CONSTRAINT submissions_problem_id_fkey;
ALTER TABLE submissions ADD CONSTRAINT submissions_problem_id_fkey
    FOREIGN KEY (problem_id) REFERENCES problems (id) ON DELETE RESTRICT;

-- disabled: an account that may no longer sign in. Its sessions are ended when it is set; its
-- submissions, results and standings stay. Accounts are never deleted through the API.
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;

-- The staff of a problem or contest: instructors (or admins) its owner or an admin added. With
-- the owner and the admins they read its secret tests and the sources sent to it, rejudge,
-- export, verify and edit it.
CREATE TABLE problem_staff (
    problem_id bigint NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (problem_id, user_id)
);
CREATE INDEX problem_staff_user ON problem_staff (user_id);

CREATE TABLE contest_staff (
    contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (contest_id, user_id)
);
CREATE INDEX contest_staff_user ON contest_staff (user_id);
