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
 * calling for them to be right. A leaderboard read is an index scan of one page of rows, and
 * each change bumps the contest's standings version so that readers may keep pages.
 *
 * Errors are negative errno values from db.h, and:
 *   -ENOENT  no such contest (or one this user may not see)
 *   -EINVAL  a rule of the contest refuses it (with a reason where the call has ret_message)
 * A private contest is -ENOENT to everyone but staff and its participants, anonymous readers
 * included, so that no answer tells it apart from a contest that does not exist.
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
 *   -ENOENT  no such contest, or a private one and a student who is not its participant
 *   -EINVAL  before the start, at or after the end, an archived contest, or a problem that is
 *            not in the contest
 *   -EACCES  a student its staff removed from the contest (until they are added again)
 * and *ret_message (when not NULL) is a static, human-readable reason for the refusal. */
int db_contest_admit(struct db_conn *conn, const char *contest_slug, int64_t user_id,
                     const char *role, int64_t problem_id, int64_t *ret_contest_id,
                     const char **ret_message) DB_WUR;

/* The most problems a contest may have. */
#define DB_CONTEST_MAX_PROBLEMS 100
/* The longest a contest may run, in years (a string, for messages and SQL): with at most
 * DB_CONTEST_MAX_PROBLEMS problems, an ICPC penalty in minutes stays far within an integer. */
#define DB_CONTEST_MAX_YEARS "10"

/* One problem of a contest definition. */
struct db_contest_problem {
    const char *problem; /* the problem's slug */
    const char *label;   /* 1-8 of [A-Za-z0-9], unique in the contest */
    int64_t points;      /* IOI: the problem's score is scaled to this; -1 = not scaled */
};

/* A contest as POST and PUT /contests take it. Times are ISO 8601 / RFC 3339 text. */
struct db_contest_def {
    const char *slug;       /* ^[a-z0-9][a-z0-9_-]{0,63}$ */
    const char *title;      /* 1..200 characters */
    const char *starts_at;  /* required */
    const char *ends_at;    /* required, after starts_at, at most DB_CONTEST_MAX_YEARS later */
    const char *freeze_at;  /* NULL = no freeze; else within [starts_at, ends_at] */
    const char *scoring;    /* "icpc" or "ioi"; NULL = icpc */
    const char *visibility; /* "public" or "private"; NULL = public */
    const struct db_contest_problem *problems;
    size_t n_problems;
    int archived; /* 1 archived (no new submissions, out of the lists), 0 not, -1 as it was */
    /* The staff: instructors who run it with its owner. staff_set 0: as it was (none on
     * create). */
    int staff_set;
    const char *const *staff;
    size_t n_staff;
};

/* Creates a contest (replace_id 0) or replaces the definition of contest replace_id (its slug
 * and owner stay; its participants too), in one transaction that the caller must not be in. A
 * replacement rebuilds the contest's standings, since times, freeze, scoring, points and labels
 * all shape them; it also clears an unfreeze when the freeze changed.
 *
 * Returns 0 and the contest's id. Errors: -EINVAL with *ret_field naming the offending field
 * ("slug", "ends_at", "problems[2].label", ...) and *ret_message why; -EEXIST when the slug is
 * taken (field "slug"); -ENOENT when replace_id is gone; -ENOTCONN. ret_field points to a static
 * string or into field_buf (field_size bytes); ret_message is static. */
int db_contest_save(struct db_conn *conn, const struct db_contest_def *def, int64_t owner_id,
                    int64_t replace_id, int64_t *ret_id, const char **ret_field, char *field_buf,
                    size_t field_size, const char **ret_message) DB_WUR;

/* What a caller may do with a contest, from db_contest_access. */
struct db_contest_access {
    int64_t id;
    int64_t owner_id; /* 0 when none */
    int visible;      /* public, staff, or a participant */
    int manage;       /* its owner, staff or an admin: may change it, add participants, unfreeze */
    int own;          /* its owner or an admin: may also delete it and change its staff */
    int started;      /* now() >= starts_at */
    int archived;     /* takes no new submissions */
};

/* Looks a contest up by slug for a viewer (user_id 0 = anonymous). -ENOENT when there is none;
 * visibility is reported, not enforced. */
int db_contest_access(struct db_conn *conn, const char *slug, int64_t user_id, const char *role,
                      struct db_contest_access *ret) DB_WUR;

/* Adds participants by username to a contest, all or none, in one transaction. Those already
 * in are left as they are. Returns the number newly added, or -EINVAL with *ret_bad the index
 * of the first username that names no user. */
int db_contest_add_participants(struct db_conn *conn, int64_t contest_id,
                                const char *const *usernames, size_t n, size_t *ret_bad) DB_WUR;

/* Removes the participant `username` (any letter case) from a contest and from its standings,
 * in one transaction; their submissions stay, and stay out of the standings until they are
 * added again (migration 190). Returns 1 when removed, 0 when the user is not a participant,
 * -ENOENT when no user has that name, or a negative errno. */
int db_contest_remove_participant(struct db_conn *conn, int64_t contest_id,
                                  const char *username) DB_WUR;

/* Which leaderboard a viewer gets, from db_contest_view. */
struct db_contest_view {
    int64_t id;
    int frozen;        /* the frozen view: a non-staff viewer during a freeze not yet lifted */
    int64_t version;   /* changes with every change to the contest's standings */
    int started;       /* now() >= starts_at: its problems may be named to everyone */
    const char *phase; /* DB_CONTEST_PHASE_SQL's answer, a static string */
};

/* A contest's phase, for everyone the same (a staff viewer's live view does not change it):
 * "upcoming" before starts_at, "running" until ends_at, "frozen" while running from freeze_at
 * on unless unfrozen, "ended" from ends_at on (a freeze that outlives the end shows in the
 * leaderboard's "frozen", not here). An SQL expression over a contests row named c. */
#define DB_CONTEST_PHASE_SQL                                                                       \
    "CASE WHEN now() < c.starts_at THEN 'upcoming' WHEN now() >= c.ends_at THEN 'ended'"           \
    " WHEN c.freeze_at IS NOT NULL AND now() >= c.freeze_at AND NOT c.unfrozen THEN 'frozen'"      \
    " ELSE 'running' END"

/* The phase names DB_CONTEST_PHASE_SQL gives, as static strings ("running" for anything
 * else). */
const char *db_contest_phase_name(const char *text);

/* Looks up the contest `slug` for a viewer (user_id 0 = anonymous; staff by role): one
 * primary-key lookup, so that a reader holding a page computed for this version and view can
 * serve it again. -ENOENT: no such contest, or private and the viewer is neither staff nor a
 * participant (anonymous readers too). */
int db_contest_view(struct db_conn *conn, const char *slug, int64_t user_id, const char *role,
                    struct db_contest_view *ret) DB_WUR;

/* One page of a contest's leaderboard, frozen or live view. On success *ret_res holds one row,
 * owned by the caller (PQclear): column 0 the rows as a JSON array of {rank, username,
 * display_name, solved, penalty, score, problems: {LABEL: {solved, attempts, pending, score,
 * time_min}}}, column 2 the number of rows of the whole leaderboard, column 3 its columns as
 * a JSON array of {label, problem, title, points} in label order, column 4 the same with
 * label and points only (for readers who may not see the problems yet); and *ret_version the
 * standings' version that page shows (all columns are of the same snapshot). */
int db_contest_page(struct db_conn *conn, int64_t contest_id, int frozen, int limit, int offset,
                    int64_t *ret_version, PGresult **ret_res) DB_WUR;

/* One page of the global leaderboard over public problems (students only): on success
 * *ret_res holds one row, column 0 a JSON array of {rank, username, display_name, solved,
 * score}, column 1 the number of rows of the whole leaderboard, owned by the caller. */
int db_global_leaderboard(struct db_conn *conn, int limit, int offset, PGresult **ret_res) DB_WUR;

/* Recomputes a contest's standings from its submissions (after a change the triggers do not
 * see, e.g. a user's role). */
int db_contest_rebuild(struct db_conn *conn, int64_t contest_id) DB_WUR;

#endif
