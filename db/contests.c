/*
 * contests.c: contest admission, definitions and leaderboard reads (contests.h). The standings
 * themselves are maintained by the triggers of migrations/050_standings.sql.
 */
#include "db/contests.h"
#include "db/accounts.h"
#include "db/problems.h"
#include "common/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int db_role_is_staff(const char *role)
{
    return role && (strcmp(role, "instructor") == 0 || strcmp(role, "admin") == 0);
}

int db_contest_admit(struct db_conn *c, const char *slug, int64_t user_id, const char *role,
                     int64_t problem_id, int64_t *ret_contest_id, const char **ret_message)
{
    char uid[24], pid[24];
    PGresult *res = NULL;
    const char *msg = NULL;
    int64_t contest_id;
    int staff = db_role_is_staff(role);
    int r;

    snprintf(uid, sizeof(uid), "%" PRId64, user_id);
    snprintf(pid, sizeof(pid), "%" PRId64, problem_id);
    r = db_query(c, &res,
                 "SELECT c.id, c.visibility = 'private', now() < c.starts_at,"
                 " now() >= c.ends_at,"
                 " EXISTS (SELECT 1 FROM contest_participants p"
                 "         WHERE p.contest_id = c.id AND p.user_id = $2),"
                 " EXISTS (SELECT 1 FROM contest_problems cp"
                 "         WHERE cp.contest_id = c.id AND cp.problem_id = $3),"
                 " c.archived, EXISTS (SELECT 1 FROM contest_removed rm"
                 "         WHERE rm.contest_id = c.id AND rm.user_id = $2)"
                 " FROM contests c WHERE c.slug = $1",
                 3, (const char *const[]){slug ? slug : "", uid, pid});
    if (r < 0) {
        msg = "the contest could not be read";
        goto out;
    }
    if (PQntuples(res) != 1) {
        r = -ENOENT;
        msg = "no such contest";
        goto out;
    }
    contest_id = db_int64(res, 0, 0);
    if (!staff && PQgetvalue(res, 0, 1)[0] == 't' && PQgetvalue(res, 0, 4)[0] != 't') {
        /* A private contest is missing to all but its participants, as on every other route. */
        r = -ENOENT;
        msg = "no such contest";
        goto out;
    }
    if (PQgetvalue(res, 0, 6)[0] == 't') {
        r = -EINVAL;
        msg = "the contest is archived: it takes no new submissions";
        goto out;
    }
    if (!staff && PQgetvalue(res, 0, 7)[0] == 't') {
        r = -EACCES;
        msg = "you were removed from this contest: its staff may add you again";
        goto out;
    }
    if (!staff && PQgetvalue(res, 0, 2)[0] == 't') {
        r = -EINVAL;
        msg = "the contest has not started yet";
        goto out;
    }
    if (!staff && PQgetvalue(res, 0, 3)[0] == 't') {
        r = -EINVAL;
        msg = "the contest is over";
        goto out;
    }
    if (PQgetvalue(res, 0, 5)[0] != 't') {
        r = -EINVAL;
        msg = "this problem is not part of the contest";
        goto out;
    }
    if (!staff && PQgetvalue(res, 0, 4)[0] != 't') {
        char cid[24];

        snprintf(cid, sizeof(cid), "%" PRId64, contest_id);
        r = db_query(c, NULL,
                     "INSERT INTO contest_participants (contest_id, user_id) VALUES ($1, $2)"
                     " ON CONFLICT DO NOTHING",
                     2, (const char *const[]){cid, uid});
        if (r < 0) {
            msg = "the participant could not be recorded";
            goto out;
        }
    }
    if (ret_contest_id)
        *ret_contest_id = contest_id;
    r = 0;
out:
    PQclear(res);
    if (ret_message)
        *ret_message = msg;
    return r;
}

static int label_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 1 || n > 8)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

/* Names problems[i].member as the offending field. */
static const char *problem_field(char *buf, size_t size, size_t i, const char *member)
{
    if (!buf || !size)
        return "problems";
    snprintf(buf, size, "problems[%zu].%s", i, member);
    return buf;
}

/* The checks that need no database. 0 or -EINVAL with the field and message set. */
static int def_check(const struct db_contest_def *d, const char **f, const char **m, char *buf,
                     size_t size)
{
    if (db_slug_valid(d->slug) < 0) {
        *f = "slug";
        *m = "must be 1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit";
        return -EINVAL;
    }
    if (!d->title || utf8_chars(d->title, strlen(d->title)) < 1 ||
        utf8_chars(d->title, strlen(d->title)) > 200) {
        *f = "title";
        *m = "must be 1-200 characters";
        return -EINVAL;
    }
    if (!d->starts_at || !d->ends_at) {
        *f = d->starts_at ? "ends_at" : "starts_at";
        *m = "is required";
        return -EINVAL;
    }
    if (d->scoring && strcmp(d->scoring, "icpc") && strcmp(d->scoring, "ioi")) {
        *f = "scoring";
        *m = "must be icpc or ioi";
        return -EINVAL;
    }
    if (d->visibility && strcmp(d->visibility, "public") && strcmp(d->visibility, "private")) {
        *f = "visibility";
        *m = "must be public or private";
        return -EINVAL;
    }
    if (d->n_problems > DB_CONTEST_MAX_PROBLEMS) {
        *f = "problems";
        *m = "too many problems";
        return -EINVAL;
    }
    for (size_t i = 0; i < d->n_problems; i++) {
        const struct db_contest_problem *p = &d->problems[i];

        if (db_slug_valid(p->problem) < 0) {
            *f = problem_field(buf, size, i, "problem");
            *m = "must be a problem's slug";
            return -EINVAL;
        }
        if (!label_valid(p->label)) {
            *f = problem_field(buf, size, i, "label");
            *m = "must be 1-8 of A-Z, a-z, 0-9";
            return -EINVAL;
        }
        if (p->points < -1 || p->points > 1000000) {
            *f = problem_field(buf, size, i, "points");
            *m = "must be 0..1000000";
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(d->problems[j].label, p->label) == 0) {
                *f = problem_field(buf, size, i, "label");
                *m = "is used twice";
                return -EINVAL;
            }
            if (strcmp(d->problems[j].problem, p->problem) == 0) {
                *f = problem_field(buf, size, i, "problem");
                *m = "is listed twice";
                return -EINVAL;
            }
        }
    }
    return 0;
}

/* Whether s is n digits from position *i on (advancing *i past them). */
static int digits(const char *s, size_t *i, int n)
{
    for (int k = 0; k < n; k++, (*i)++)
        if (s[*i] < '0' || s[*i] > '9')
            return 0;
    return 1;
}

/* RFC 3339 with an explicit zone: YYYY-MM-DD(T| )HH:MM[:SS[.frac]](Z|+HH[:MM]|-HH[:MM]). The
 * database parses what passes (and refuses 2026-02-30); words like "tomorrow" never reach it. */
static int time_form_valid(const char *s)
{
    size_t i = 0;

    if (!digits(s, &i, 4) || s[i++] != '-' || !digits(s, &i, 2) || s[i++] != '-' ||
        !digits(s, &i, 2) || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
        return 0;
    i++;
    if (!digits(s, &i, 2) || s[i++] != ':' || !digits(s, &i, 2))
        return 0;
    if (s[i] == ':') {
        i++;
        if (!digits(s, &i, 2))
            return 0;
        if (s[i] == '.') {
            i++;
            if (!digits(s, &i, 1))
                return 0;
            while (s[i] >= '0' && s[i] <= '9')
                i++;
        }
    }
    if (s[i] == 'Z' || s[i] == 'z')
        return s[i + 1] == 0;
    if (s[i] != '+' && s[i] != '-')
        return 0;
    i++;
    if (!digits(s, &i, 2))
        return 0;
    if (s[i] == ':')
        i++;
    if (s[i] && !digits(s, &i, 2))
        return 0;
    return s[i] == 0;
}

/* Checks that each time parses and that they are in order. 0, -EINVAL, or a database error. */
static int times_check(struct db_conn *c, const struct db_contest_def *d, const char **f,
                       const char **m)
{
    const char *names[3] = {"starts_at", "ends_at", "freeze_at"};
    const char *vals[3] = {d->starts_at, d->ends_at, d->freeze_at};
    PGresult *res = NULL;
    int r;

    for (int i = 0; i < 3; i++) {
        if (!vals[i])
            continue;
        r = time_form_valid(vals[i])
                ? db_query(c, NULL, "SELECT $1::timestamptz", 1, (const char *const[]){vals[i]})
                : -EINVAL;
        if (r == -EINVAL || r == -EIO) {
            *f = names[i];
            *m = "must be a date and time such as 2026-05-01T09:00:00Z";
            return -EINVAL;
        }
        if (r < 0)
            return r;
    }
    r = db_query(c, &res,
                 "SELECT $2::timestamptz > $1::timestamptz, $3::timestamptz IS NULL"
                 " OR ($3::timestamptz >= $1::timestamptz AND $3::timestamptz <= $2::timestamptz),"
                 " $2::timestamptz <= $1::timestamptz + interval '" DB_CONTEST_MAX_YEARS " years'",
                 3, vals);
    if (r < 0)
        return r;
    if (PQgetvalue(res, 0, 0)[0] != 't') {
        *f = "ends_at";
        *m = "must be after starts_at";
        r = -EINVAL;
    } else if (PQgetvalue(res, 0, 2)[0] != 't') {
        /* Penalties count minutes from the start: a window of centuries (a mistyped year)
         * would overflow them, and no verdict of the contest could then be recorded. */
        *f = "ends_at";
        *m = "must be at most " DB_CONTEST_MAX_YEARS " years after starts_at";
        r = -EINVAL;
    } else if (PQgetvalue(res, 0, 1)[0] != 't') {
        *f = "freeze_at";
        *m = "must be between starts_at and ends_at";
        r = -EINVAL;
    }
    PQclear(res);
    return r;
}

int db_contest_save(struct db_conn *c, const struct db_contest_def *d, int64_t owner_id,
                    int64_t replace_id, int64_t *ret_id, const char **ret_field, char *field_buf,
                    size_t field_size, const char **ret_message)
{
    const char *f = NULL, *m = NULL;
    char owner[24], rid[24], cid[24], points[24], archived[8];
    PGresult *res = NULL;
    int64_t id = 0;
    int r;

    r = def_check(d, &f, &m, field_buf, field_size);
    if (r < 0)
        goto out;
    r = times_check(c, d, &f, &m);
    if (r < 0)
        goto out;
    snprintf(owner, sizeof(owner), "%" PRId64, owner_id);
    snprintf(rid, sizeof(rid), "%" PRId64, replace_id);
    snprintf(archived, sizeof(archived), "%d", d->archived);
    r = db_begin(c, NULL);
    if (r < 0)
        goto out;
    if (replace_id == 0)
        r = db_query(c, &res,
                     "INSERT INTO contests (slug, title, starts_at, ends_at, freeze_at, scoring,"
                     " visibility, owner_id, archived) VALUES ($1, $2, $3, $4, $5,"
                     " coalesce($6, 'icpc'), coalesce($7, 'public'), NULLIF($8::bigint, 0),"
                     " $9::int > 0) RETURNING id",
                     9,
                     (const char *const[]){d->slug, d->title, d->starts_at, d->ends_at,
                                           d->freeze_at, d->scoring, d->visibility, owner,
                                           archived});
    else
        r = db_query(c, &res,
                     "UPDATE contests SET title = $2, starts_at = $3, ends_at = $4,"
                     " freeze_at = $5, scoring = coalesce($6, 'icpc'),"
                     " visibility = coalesce($7, 'public'),"
                     " unfrozen = unfrozen AND freeze_at IS NOT DISTINCT FROM $5::timestamptz,"
                     " archived = CASE WHEN $8::int < 0 THEN archived ELSE $8::int > 0 END"
                     " WHERE id = $1 RETURNING id",
                     8,
                     (const char *const[]){rid, d->title, d->starts_at, d->ends_at, d->freeze_at,
                                           d->scoring, d->visibility, archived});
    if (r == -EEXIST) {
        f = "slug";
        m = "is taken";
    }
    if (r < 0)
        goto out;
    if (PQntuples(res) != 1) {
        r = -ENOENT;
        m = "no such contest";
        goto out;
    }
    id = db_int64(res, 0, 0);
    PQclear(res);
    res = NULL;
    snprintf(cid, sizeof(cid), "%" PRId64, id);
    r = db_query(c, NULL, "DELETE FROM contest_problems WHERE contest_id = $1", 1,
                 (const char *const[]){cid});
    if (r < 0)
        goto out;
    for (size_t i = 0; i < d->n_problems; i++) {
        const struct db_contest_problem *p = &d->problems[i];

        snprintf(points, sizeof(points), "%" PRId64, p->points);
        r = db_query(c, &res,
                     "INSERT INTO contest_problems (contest_id, problem_id, label, points)"
                     " SELECT $1, id, $3, NULLIF($4::integer, -1) FROM problems WHERE slug = $2"
                     " RETURNING 1",
                     4, (const char *const[]){cid, p->problem, p->label, points});
        if (r < 0)
            goto out;
        if (PQntuples(res) != 1) {
            r = -EINVAL;
            f = problem_field(field_buf, field_size, i, "problem");
            m = "no such problem";
            goto out;
        }
        PQclear(res);
        res = NULL;
    }
    if (d->staff_set) {
        size_t bad = 0;
        r = db_staff_set(c, DB_STAFF_CONTEST, id, d->staff, d->n_staff, &bad, &m);
        if (r == -EINVAL) {
            if (field_buf && field_size) {
                snprintf(field_buf, field_size, "staff[%zu]", bad);
                f = field_buf;
            } else {
                f = "staff";
            }
        }
        if (r < 0)
            goto out;
    }
    if (replace_id != 0) {
        r = db_query(c, NULL, "SELECT standings_rebuild($1)", 1, (const char *const[]){cid});
        if (r < 0)
            goto out;
    }
    r = db_commit(c);
    if (r < 0)
        goto out;
    if (ret_id)
        *ret_id = id;
out:
    PQclear(res);
    if (r < 0)
        db_rollback(c);
    if (ret_field)
        *ret_field = f;
    if (ret_message)
        *ret_message = m;
    return r;
}

int db_contest_access(struct db_conn *c, const char *slug, int64_t user_id, const char *role,
                      struct db_contest_access *ret)
{
    char uid[24];
    PGresult *res = NULL;
    int staff = db_role_is_staff(role);
    int admin = role && strcmp(role, "admin") == 0;
    int r;

    snprintf(uid, sizeof(uid), "%" PRId64, user_id);
    r = db_query(c, &res,
                 "SELECT c.id, coalesce(c.owner_id, 0), c.visibility = 'public',"
                 " EXISTS (SELECT 1 FROM contest_participants p"
                 "         WHERE p.contest_id = c.id AND p.user_id = $2),"
                 " now() >= c.starts_at, c.archived,"
                 " EXISTS (SELECT 1 FROM contest_staff s"
                 "         WHERE s.contest_id = c.id AND s.user_id = $2)"
                 " FROM contests c WHERE c.slug = $1",
                 2, (const char *const[]){slug ? slug : "", uid});
    if (r < 0)
        return r;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return -ENOENT;
    }
    ret->id = db_int64(res, 0, 0);
    ret->owner_id = db_int64(res, 0, 1);
    ret->visible = staff || PQgetvalue(res, 0, 2)[0] == 't' || PQgetvalue(res, 0, 3)[0] == 't';
    ret->own = admin || (staff && user_id != 0 && ret->owner_id == user_id);
    /* Staff by role, and on its staff list: an instructor who was demoted keeps the row but
     * runs nothing. */
    ret->manage = ret->own || (staff && PQgetvalue(res, 0, 6)[0] == 't');
    ret->started = PQgetvalue(res, 0, 4)[0] == 't';
    ret->archived = PQgetvalue(res, 0, 5)[0] == 't';
    PQclear(res);
    return 0;
}

int db_contest_add_participants(struct db_conn *c, int64_t contest_id, const char *const *usernames,
                                size_t n, size_t *ret_bad)
{
    char cid[24];
    PGresult *res = NULL;
    int added = 0;
    int r;

    snprintf(cid, sizeof(cid), "%" PRId64, contest_id);
    r = db_begin(c, NULL);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        r = db_query(c, &res,
                     "WITH u AS (SELECT id FROM users WHERE lower(username) = lower($2)),"
                     " ins AS (INSERT INTO contest_participants (contest_id, user_id)"
                     "         SELECT $1, id FROM u ON CONFLICT DO NOTHING RETURNING 1)"
                     " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM ins)",
                     2, (const char *const[]){cid, usernames[i] ? usernames[i] : ""});
        if (r < 0)
            goto out;
        if (db_int64(res, 0, 0) != 1) {
            if (ret_bad)
                *ret_bad = i;
            r = -EINVAL;
            goto out;
        }
        added += (int)db_int64(res, 0, 1);
        PQclear(res);
        res = NULL;
    }
    r = db_commit(c);
    if (r >= 0)
        r = added;
out:
    PQclear(res);
    if (r < 0)
        db_rollback(c);
    return r;
}

const char *db_contest_phase_name(const char *text)
{
    static const char *const names[] = {"upcoming", "running", "frozen", "ended"};

    for (size_t i = 0; text && i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(text, names[i]))
            return names[i];
    return "running";
}

int db_contest_view(struct db_conn *c, const char *slug, int64_t user_id, const char *role,
                    struct db_contest_view *ret)
{
    char uid[24];
    PGresult *res = NULL;
    int r;

    snprintf(uid, sizeof(uid), "%" PRId64, user_id);
    r = db_query(
        c, &res,
        "SELECT v.id, v.visible, v.frozen, v.version, now() >= c.starts_at, " DB_CONTEST_PHASE_SQL
        " FROM contest_view($1, $2, $3) v"
        " JOIN contests c ON c.id = v.id",
        3, (const char *const[]){slug ? slug : "", uid, db_role_is_staff(role) ? "t" : "f"});
    if (r < 0)
        return r;
    if (PQntuples(res) != 1)
        r = -ENOENT;
    else if (PQgetvalue(res, 0, 1)[0] != 't')
        r = -ENOENT;
    else
        *ret = (struct db_contest_view){db_int64(res, 0, 0), PQgetvalue(res, 0, 2)[0] == 't',
                                        db_int64(res, 0, 3), PQgetvalue(res, 0, 4)[0] == 't',
                                        db_contest_phase_name(PQgetvalue(res, 0, 5))};
    PQclear(res);
    return r;
}

int db_contest_page(struct db_conn *c, int64_t contest_id, int frozen, int limit, int offset,
                    int64_t *ret_version, PGresult **ret_res)
{
    char cid[24], lim[16], off[16];
    PGresult *res = NULL;
    int r;

    snprintf(cid, sizeof(cid), "%" PRId64, contest_id);
    snprintf(lim, sizeof(lim), "%d", limit);
    snprintf(off, sizeof(off), "%d", offset);
    /* One statement, one snapshot: the version is the one of the page. */
    r = db_query(c, &res,
                 "SELECT standings_page($1, $2, $3, $4),"
                 " coalesce((SELECT version FROM standing_versions WHERE contest_id = $1), 0),"
                 " (SELECT count(*) FROM standing_rows WHERE contest_id = $1),"
                 " (SELECT coalesce(json_agg(json_build_object('label', cp.label, 'problem',"
                 "    p.slug, 'title', p.title, 'points', cp.points) ORDER BY cp.label), '[]')"
                 "    FROM contest_problems cp JOIN problems p ON p.id = cp.problem_id"
                 "   WHERE cp.contest_id = $1)::text,"
                 " (SELECT coalesce(json_agg(json_build_object('label', cp.label, 'points',"
                 "    cp.points) ORDER BY cp.label), '[]')"
                 "    FROM contest_problems cp WHERE cp.contest_id = $1)::text",
                 4, (const char *const[]){cid, frozen ? "t" : "f", lim, off});
    if (r < 0)
        return r;
    if (ret_version)
        *ret_version = db_int64(res, 0, 1);
    *ret_res = res;
    return 0;
}

int db_global_leaderboard(struct db_conn *c, int limit, int offset, PGresult **ret_res)
{
    char lim[16], off[16];

    snprintf(lim, sizeof(lim), "%d", limit);
    snprintf(off, sizeof(off), "%d", offset);
    return db_query(c, ret_res, "SELECT global_page($1, $2), (SELECT count(*) FROM global_rows)", 2,
                    (const char *const[]){lim, off});
}

int db_contest_rebuild(struct db_conn *c, int64_t contest_id)
{
    char cid[24];

    snprintf(cid, sizeof(cid), "%" PRId64, contest_id);
    return db_query(c, NULL, "SELECT standings_rebuild($1)", 1, (const char *const[]){cid});
}

int db_contest_remove_participant(struct db_conn *c, int64_t contest_id, const char *username)
{
    char cid[24];
    PGresult *res = NULL;
    int r;

    snprintf(cid, sizeof(cid), "%" PRId64, contest_id);
    r = db_query(c, &res,
                 "SELECT u.id, contest_participant_remove($1, u.id) FROM users u"
                 " WHERE lower(u.username) = lower($2)",
                 2, (const char *const[]){cid, username ? username : ""});
    if (r < 0)
        return r;
    r = PQntuples(res) != 1 ? -ENOENT : PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    return r;
}
