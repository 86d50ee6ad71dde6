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
#include "api/sources.h"
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
    int64_t wait = 0;
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if (req->created_id) /* resumed from ?wait= */
        return api_created_answer(req, req->created_id, api_h_run_get);
    if ((r = api_created_wait_param(req, &wait)) < 0)
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
        "WITH r AS (INSERT INTO runs (user_id, language_id, source, stdin, time_limit_ms,"
        " wall_limit_ms, memory_limit_mb, output_limit_kb, files, inputs, source_bytes)"
        " SELECT $1::bigint, l.id, $3, $4::bytea, nullif($5::int, 0), nullif($6::int, 0),"
        " nullif($7::int, 0), nullif($8::int, 0), $9::jsonb,"
        " (SELECT array_agg(decode(x, 'base64') ORDER BY o)"
        "  FROM jsonb_array_elements_text($10::jsonb) WITH ORDINALITY t(x, o)), $12::bytea"
        " FROM languages l WHERE l.id = $2 AND l.enabled AND l.installed RETURNING id),"
        " cb AS (INSERT INTO callbacks (run_id, url)"
        "        SELECT id, $11::text FROM r WHERE $11::text IS NOT NULL)"
        " SELECT id FROM r",
        12,
        (const char *const[]){uid, in.language, in.source, in.stdin_data,
                              api_printf(req, "%lld", (long long)in.time_limit_ms),
                              api_printf(req, "%lld", (long long)in.wall_limit_ms),
                              api_printf(req, "%lld", (long long)in.memory_limit_mb),
                              api_printf(req, "%lld", (long long)in.output_limit_kb), in.files_json,
                              in.inputs_json, in.callback_url, in.source_bytes},
        (const int[]){0, 0, 0, (int)in.stdin_len, 0, 0, 0, 0, 0, 0, 0, 0},
        (const int[]){0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
    if (r < 0)
        return api_db_fail(req, r, "run insert");
    if (PQntuples(res) != 1) {
        PQclear(res);
        return api_fail(req, -EINVAL, "language", "no such language");
    }
    api_reply_header(req, "Location", api_printf(req, "/api/v1/runs/%s", PQgetvalue(res, 0, 0)));
    if (wait > 0) {
        int64_t id = db_int64(res, 0, 0);
        PQclear(res);
        return api_created_answer(req, id, api_h_run_get);
    }
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
    "SELECT r.id, r.user_id, r.language_id, r.status, r.verdict,"
    " substring(stdout FROM 1 FOR " STDOUT_CAP_SQL "),"
    " substring(stderr FROM 1 FOR " STDERR_CAP_SQL "),"
    " exit_code, time_ms, memory_kb, compile_output, " CREATED_AT ", " JUDGED_AT ","
    " coalesce(octet_length(stdout) > " STDOUT_CAP_SQL ", false),"
    " coalesce(octet_length(stderr) > " STDERR_CAP_SQL ", false),"
    " coalesce(r.time_limit_ms, l.time_limit_ms), r.wall_limit_ms,"
    " coalesce(r.memory_limit_mb, l.memory_limit_mb), r.output_limit_kb, r.files::text,"
    " r.inputs IS NOT NULL, " API_SQL_CALLBACK(
        "run_id = r.id") " FROM runs r JOIN languages l ON l.id = r.language_id WHERE r.id = $1";

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

/* A program's bytes: as text (what is not UTF-8 replaced, and *ret_lossy set), or base64. */
static int bytes_or_null(struct api_json *j, const char *key, const PGresult *res, int col, int b64,
                         int *ret_lossy)
{
    size_t n = 0;
    unsigned char *bytes;
    int r;

    api_json_key(j, key);
    *ret_lossy = 0;
    if (db_isnull(res, 0, col)) {
        api_json_null(j);
        return 0;
    }
    bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col), &n);
    if (!bytes)
        return -ENOMEM;
    r = api_json_bytes(j, (const char *)bytes, n, b64, ret_lossy);
    PQfreemem(bytes);
    return r;
}

/* "not_utf8" (sources.h): the fields whose bytes were not all UTF-8 and were shown with
 * U+FFFD; ?encoding=base64 gives them exactly. */
static void not_utf8(struct api_json *j, int out, int err, int comp, uint64_t files)
{
    api_json_not_utf8(j,
                      (const char *const[]){out ? "stdout" : NULL, err ? "stderr" : NULL,
                                            comp ? "compile_output" : NULL},
                      3, files);
}

/* The results of a batch run, one object per input with a single run's fields. */
static int batch_results(struct db_conn *c, struct api_json *j, const char *idtext, int b64)
{
    PGresult *res = NULL;
    int r = db_query(c, &res,
                     "SELECT ordinal, verdict, exit_code, time_ms, memory_kb,"
                     " substring(stdout FROM 1 FOR " STDOUT_CAP_SQL "),"
                     " substring(stderr FROM 1 FOR " STDERR_CAP_SQL "),"
                     " octet_length(stdout) > " STDOUT_CAP_SQL
                     ", octet_length(stderr) > " STDERR_CAP_SQL
                     ", message FROM run_results WHERE run_id = $1 ORDER BY ordinal",
                     1, (const char *const[]){idtext});
    if (r < 0)
        return r;
    api_json_key(j, "results");
    api_json_arr(j);
    for (int i = 0; i < PQntuples(res) && r == 0; i++) {
        int lossy_out = 0, lossy_err = 0;
        api_json_obj(j);
        api_json_kint(j, "input", db_int64(res, i, 0));
        api_json_kstr(j, "verdict", PQgetvalue(res, i, 1));
        api_json_key(j, "exit_code");
        if (db_isnull(res, i, 2))
            api_json_null(j);
        else
            api_json_int(j, db_int64(res, i, 2));
        api_json_kint(j, "time_ms", db_int64(res, i, 3));
        api_json_kint(j, "memory_kb", db_int64(res, i, 4));
        for (int k = 0; k < 2 && r == 0; k++) {
            size_t n = 0;
            unsigned char *bytes =
                PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 5 + k), &n);
            if (!bytes) {
                r = -ENOMEM;
                break;
            }
            api_json_key(j, k ? "stderr" : "stdout");
            r = api_json_bytes(j, (const char *)bytes, n, b64, k ? &lossy_err : &lossy_out);
            PQfreemem(bytes);
        }
        api_json_kbool(j, "stdout_truncated", PQgetvalue(res, i, 7)[0] == 't');
        api_json_kbool(j, "stderr_truncated", PQgetvalue(res, i, 8)[0] == 't');
        api_json_kstr(j, "message", api_col(res, i, 9));
        not_utf8(j, lossy_out, lossy_err, 0, 0);
        api_json_end(j);
    }
    api_json_end(j);
    PQclear(res);
    return r;
}

int api_run_members(struct api_json *j, const PGresult *res, int b64, struct db_conn *c)
{
    int lossy_out = 0, lossy_err = 0, lossy_comp = 0, r;
    uint64_t lossy_files = 0;

    api_json_kint(j, "id", db_int64(res, 0, 0));
    api_json_kstr(j, "language", PQgetvalue(res, 0, 2));
    api_json_kstr(j, "status", PQgetvalue(res, 0, 3));
    api_json_kstr(j, "verdict", api_col(res, 0, 4));
    api_json_kstr(j, "encoding", b64 ? "base64" : "utf-8");
    r = bytes_or_null(j, "stdout", res, 5, b64, &lossy_out);
    if (r == 0)
        r = bytes_or_null(j, "stderr", res, 6, b64, &lossy_err);
    api_json_kbool(j, "stdout_truncated", (int)db_int64(res, 0, 13));
    api_json_kbool(j, "stderr_truncated", (int)db_int64(res, 0, 14));
    int_or_null(j, "exit_code", res, 7);
    int_or_null(j, "time_ms", res, 8);
    int_or_null(j, "memory_kb", res, 9);
    api_json_key(j, "compile_output");
    if (db_isnull(res, 0, 10))
        api_json_null(j);
    else if (r == 0)
        r = api_json_bytes(j, PQgetvalue(res, 0, 10), strlen(PQgetvalue(res, 0, 10)), b64,
                           &lossy_comp);
    api_json_kstr(j, "created_at", PQgetvalue(res, 0, 11));
    api_json_kstr(j, "judged_at", api_col(res, 0, 12));
    /* What it ran under: asked for, or the language's; null wall and output: the judge's. */
    api_json_key(j, "limits");
    api_json_obj(j);
    int_or_null(j, "time_limit_ms", res, 15);
    int_or_null(j, "wall_limit_ms", res, 16);
    int_or_null(j, "memory_limit_mb", res, 17);
    int_or_null(j, "output_limit_kb", res, 18);
    api_json_end(j);
    /* A run of several files shows them to whoever reads it: its author or an admin. */
    if (!db_isnull(res, 0, 19) && r == 0) {
        api_json_key(j, "files");
        r = api_json_files(j, PQgetvalue(res, 0, 19), b64, &lossy_files);
    }
    not_utf8(j, lossy_out, lossy_err, lossy_comp, lossy_files);
    /* A batch: each input's result, in order, once it is done. */
    if (r == 0 && PQgetvalue(res, 0, 20)[0] == 't')
        r = batch_results(c, j, PQgetvalue(res, 0, 0), b64);
    return r;
}

int api_h_run_get(struct api_req *req)
{
    PGresult *res = NULL;
    struct api_json *j;
    struct db_conn *c;
    int b64 = 0, r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_encoding_param(req, &b64)) < 0)
        return r;
    if ((r = api_read_waiting(req, 'r', read_run, 3, &res)) < 0)
        return r;
    if ((r = api_db(req, &c)) < 0) {
        PQclear(res);
        return r;
    }
    j = api_reply_json(req, 200);
    api_json_obj(j);
    r = api_run_members(j, res, b64, c);
    api_json_kraw(j, "callback", api_col(res, 0, API_RUN_CALLBACK_COL));
    api_json_end(j);
    PQclear(res);
    return r < 0 && r != -ENOMEM ? api_db_fail(req, r, "run results") : r;
}
