/*
 * contests.c: contest admission, definitions and leaderboard reads (contests.h). The standings
 * themselves are maintained by the triggers of migrations/050_standings.sql.
 */
#include "db/contests.h"

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
                 "         WHERE cp.contest_id = c.id AND cp.problem_id = $3)"
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
        r = -EACCES;
        msg = "you are not a participant of this contest";
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
