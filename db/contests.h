/*
 * contests.h: contests and assignments, who may submit to them, and their standings.
 *
 * A contest is a window of time [starts_at, ends_at), a set of problems with labels (and, for
 * IOI scoring, the points each is scaled to) and a scoring rule, icpc or ioi. Public contests
 * admit any student who submits; private ones only their participants. Instructors and admins
 * may submit to any contest at any time, but their submissions never enter the standings.
 *
 * Standings live in the tables of migrations/050_standings.sql and are kept current by
 * triggers on submissions, in the very transaction that records a verdict: nothing here needs
 * calling for them to be right. A leaderboard read is an index scan of one page of rows.
 *
 * Errors are negative errno values from db.h, and:
 *   -ENOENT  no such contest (or one this user may not see)
 *   -EACCES  the user may see the contest but not do this
 *   -EINVAL  a rule of the contest refuses it (with a reason where the call has ret_message)
 */
#ifndef GAVEL_DB_CONTESTS_H
#define GAVEL_DB_CONTESTS_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* 1 for the roles that run contests ("instructor", "admin"), 0 for anyone else (NULL too). */
int db_role_is_staff(const char *role);

/* Decides whether a new submission by user_id (whose role is `role`) to problem_id counts for
 * the contest `contest_slug`, and records a student as a participant of a public contest on
 * their first submission. Call it in the transaction that inserts the submission, so that the
 * time it checks is the submission's created_at (both are the transaction's now()).
 *
 * Returns 0 and the contest's id when admitted. Otherwise:
 *   -ENOENT  no such contest
 *   -EACCES  a student who is not a participant of a private contest
 *   -EINVAL  before the start, at or after the end, or a problem that is not in the contest
 * and *ret_message (when not NULL) is a static, human-readable reason for the refusal. */
int db_contest_admit(struct db_conn *conn, const char *contest_slug, int64_t user_id,
                     const char *role, int64_t problem_id, int64_t *ret_contest_id,
                     const char **ret_message) DB_WUR;

#endif
