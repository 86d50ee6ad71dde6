/*
 * h_leaderboard.c: the contest leaderboard and the global one, the most frequent reads of a
 * live contest. Each is one prepared statement whose result already is the JSON of the rows
 * (db/contests.h): the handler only wraps it. Public contests need no token.
 */
#include <errno.h>
#include <stdint.h>

#include "api/handlers.h"
#include "db/contests.h"

#define PAGE_MAX   200
#define PAGE_DEF   50
#define OFFSET_MAX 10000000

/* ?limit= and ?offset=, checked and naming the offending one. */
static int page_params(struct api_req *req, int *ret_limit, int *ret_offset)
{
    int64_t limit, offset;
    int r = api_query_int(req, "limit", 1, PAGE_MAX, PAGE_DEF, &limit);

    if (r < 0)
        return r;
    r = api_query_int(req, "offset", 0, OFFSET_MAX, 0, &offset);
    if (r < 0)
        return r;
    *ret_limit = (int)limit;
    *ret_offset = (int)offset;
    return 0;
}

int api_h_contest_leaderboard(struct api_req *req)
{
    const struct api_user *u;
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int limit, offset;
    int r = api_auth_optional(req);

    if (r < 0)
        return r;
    r = page_params(req, &limit, &offset);
    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    u = api_user(req);
    r = db_contest_leaderboard(c, api_param(req, "slug"), u->id, u->role_name, limit, offset, &res);
    if (r == -ENOENT)
        return api_fail(req, r, NULL, "no such contest");
    if (r == -EPERM)
        return api_fail(req, r, NULL, "sign in to see this contest");
    if (r < 0)
        return api_db_fail(req, r, "read a leaderboard");
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kbool(j, "frozen", api_col(res, 0, 0)[0] == 't');
    api_json_kraw(j, "rows", api_col(res, 0, 1));
    api_json_end(j);
    PQclear(res);
    return 0;
}

int api_h_leaderboard(struct api_req *req)
{
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int limit, offset;
    int r = page_params(req, &limit, &offset);

    if (r < 0)
        return r;
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = db_global_leaderboard(c, limit, offset, &res);
    if (r < 0)
        return api_db_fail(req, r, "read the leaderboard");
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kraw(j, "rows", api_col(res, 0, 0));
    api_json_end(j);
    PQclear(res);
    return 0;
}
