/*
 * h_runs.c: POST /runs and GET /runs/{id}: a program run once on a given stdin, no tests.
 *
 * Runs share the submissions' rate limit. Their output is shown to their author (and admins)
 * only, capped here again whatever the judge stored.
 */
#include <string.h>

#include "api/bodies.h"
#include "api/callbacks.h"
#include "api/handlers.h"
#include "api/resources.h"
#include "api/server.h"

#define STDOUT_CAP (1 << 20)
#define STDERR_CAP (64 << 10)

int api_h_run_create(struct api_req *req)
{
    struct api_run_in in;
    struct api_json_error err;
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    const char *body, *uid;
    size_t len;
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    body = api_body(req, &len);
    r = api_body_run(api_arena(req), body, len, api_limits(req), &in, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    if (in.callback_url && (r = api_callback_url_check(req, in.callback_url)) < 0)
        return r;
    if ((r = api_rate_check(req)) < 0)
        return r;
    if ((r = api_db(req, &c)) < 0)
        return r;
    uid = api_printf(req, "%lld", (long long)api_user(req)->id);
    r = db_query_bin(
        c, &res,
        "WITH r AS (INSERT INTO runs (user_id, language_id, source, stdin)"
        " SELECT $1::bigint, l.id, $3, $4::bytea FROM languages l"
        " WHERE l.id = $2 AND l.enabled AND l.installed RETURNING id),"
        " cb AS (INSERT INTO callbacks (run_id, url) SELECT id, $5::text FROM r WHERE $5::text IS "
        "NOT NULL)"
        " SELECT id FROM r",
        5, (const char *const[]){uid, in.language, in.source, in.stdin_data, in.callback_url},
        (const int[]){0, 0, 0, (int)strlen(in.stdin_data), 0}, (const int[]){0, 0, 0, 1, 0});
    if (r < 0)
        return api_db_fail(req, r, "run insert");
    if (PQntuples(res) != 1) {
        PQclear(res);
        return api_fail(req, -EINVAL, "language", "no such language");
    }
    api_reply_header(req, "Location", api_printf(req, "/api/v1/runs/%s", PQgetvalue(res, 0, 0)));
    j = api_reply_json(req, 202);
    api_json_obj(j);
    api_json_kint(j, "id", db_int64(res, 0, 0));
    api_json_kstr(j, "status", "queued");
    api_json_end(j);
    PQclear(res);
    return 0;
}

#define STDOUT_CAP_SQL API_STR(STDOUT_CAP)
#define STDERR_CAP_SQL API_STR(STDERR_CAP)
#define CREATED_AT     API_SQL_TIME("created_at")
#define JUDGED_AT      API_SQL_TIME("judged_at")

/* A run with its output cut to the caps, whether it was cut, and its callback. $1: the id. */
const char api_run_sql[] =
    "SELECT id, user_id, language_id, status, verdict,"
    " substring(stdout FROM 1 FOR " STDOUT_CAP_SQL "),"
    " substring(stderr FROM 1 FOR " STDERR_CAP_SQL "),"
    " exit_code, time_ms, memory_kb, compile_output, " CREATED_AT ", " JUDGED_AT ","
    " coalesce(octet_length(stdout) > " STDOUT_CAP_SQL ", false),"
    " coalesce(octet_length(stderr) > " STDERR_CAP_SQL ", false),"
    " " API_SQL_CALLBACK("run_id = runs.id") " FROM runs WHERE id = $1";

static int read_run(struct api_req *req, const char *idtext, PGresult **ret_res)
{
    struct db_conn *c;
    int r = api_db(req, &c);

    if (r < 0)
        return r;
    r = db_query(c, ret_res, api_run_sql, 1, (const char *const[]){idtext});
    if (r < 0)
        return api_db_fail(req, r, "run read");
    if (PQntuples(*ret_res) != 1 ||
        (api_user(req)->role != API_ROLE_ADMIN && db_int64(*ret_res, 0, 1) != api_user(req)->id)) {
        PQclear(*ret_res);
        *ret_res = NULL;
        return api_fail(req, -ENOENT, "id", "no such run");
    }
    return 0;
}

static void int_or_null(struct api_json *j, const char *key, const PGresult *res, int col)
{
    api_json_key(j, key);
    if (db_isnull(res, 0, col))
        api_json_null(j);
    else
        api_json_int(j, db_int64(res, 0, col));
}

static int bytes_or_null(struct api_json *j, const char *key, const PGresult *res, int col)
{
    size_t n = 0;
    unsigned char *bytes;

    api_json_key(j, key);
    if (db_isnull(res, 0, col)) {
        api_json_null(j);
        return 0;
    }
    bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col), &n);
    if (!bytes)
        return -ENOMEM;
    api_json_strn(j, (const char *)bytes, n);
    PQfreemem(bytes);
    return 0;
}

int api_run_members(struct api_json *j, const PGresult *res)
{
    int r;

    api_json_kint(j, "id", db_int64(res, 0, 0));
    api_json_kstr(j, "language", PQgetvalue(res, 0, 2));
    api_json_kstr(j, "status", PQgetvalue(res, 0, 3));
    api_json_kstr(j, "verdict", api_col(res, 0, 4));
    r = bytes_or_null(j, "stdout", res, 5);
    if (r == 0)
        r = bytes_or_null(j, "stderr", res, 6);
    api_json_kbool(j, "stdout_truncated", (int)db_int64(res, 0, 13));
    api_json_kbool(j, "stderr_truncated", (int)db_int64(res, 0, 14));
    int_or_null(j, "exit_code", res, 7);
    int_or_null(j, "time_ms", res, 8);
    int_or_null(j, "memory_kb", res, 9);
    api_json_kstr(j, "compile_output", api_col(res, 0, 10));
    api_json_kstr(j, "created_at", PQgetvalue(res, 0, 11));
    api_json_kstr(j, "judged_at", api_col(res, 0, 12));
    return r;
}

int api_h_run_get(struct api_req *req)
{
    PGresult *res = NULL;
    struct api_json *j;
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_read_waiting(req, 'r', read_run, 3, &res)) < 0)
        return r;
    j = api_reply_json(req, 200);
    api_json_obj(j);
    r = api_run_members(j, res);
    api_json_kraw(j, "callback", api_col(res, 0, API_RUN_CALLBACK_COL));
    api_json_end(j);
    PQclear(res);
    return r;
}
