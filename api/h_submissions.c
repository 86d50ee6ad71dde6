/*
 * h_submissions.c: POST /submissions, GET /submissions/{id}, GET /submissions,
 * POST /submissions/{id}/rejudge.
 *
 * A submission is queued with one INSERT ... SELECT that also checks the problem and the
 * language; only when it inserts nothing does a second query find out which field was wrong.
 * A contest submission goes through db_contest_admit in the inserting transaction. Students
 * see their own submissions only; instructors theirs and those sent to the problems and
 * contests they run (as owner or staff), with their source; admins all. An archived problem
 * or contest takes no new submission.
 */
#include <string.h>
#include <strings.h>

#include "api/bodies.h"
#include "api/callbacks.h"
#include "api/edit.h"
#include "api/handlers.h"
#include "api/resources.h"
#include "api/sources.h"
#include "api/server.h"
#include "api/submission_sql.h"
#include "db/contests.h"
#include "db/problems.h"
#include "db/queue.h"

static int is_staff(struct api_req *req)
{
    return api_user(req)->role >= API_ROLE_INSTRUCTOR;
}

#define ARCHIVED_MESSAGE                                                                           \
    "the problem is archived: it takes no new submissions (its past ones stay readable)"

int api_rate_check(struct api_req *req)
{
    int wait = api_ratelimit_take(req->srv->rl, api_user(req)->id);

    if (wait == 0)
        return 0;
    api_retry_after(req, wait);
    return api_fail(req, -EBUSY, NULL, "too many submissions: retry in %d s", wait);
}

/* Which of problem and language made an insert find nothing. */
static int explain_refusal(struct api_req *req, struct db_conn *c, const char *problem,
                           const char *language)
{
    PGresult *res = NULL;
    int r = db_query(c, &res,
                     "SELECT EXISTS (SELECT 1 FROM problems WHERE slug = $1"
                     "  AND (visibility = 'public' OR $3::boolean)),"
                     " EXISTS (SELECT 1 FROM languages WHERE id = $2 AND enabled AND installed),"
                     " EXISTS (SELECT 1 FROM problems WHERE slug = $1 AND archived)",
                     3, (const char *const[]){problem, language, is_staff(req) ? "true" : "false"});

    if (r < 0)
        return api_db_fail(req, r, "submission check");
    if (!db_int64(res, 0, 0))
        r = api_fail(req, -ENOENT, "problem", "no such problem");
    else if (db_int64(res, 0, 2))
        r = api_fail(req, -EINVAL, "problem", ARCHIVED_MESSAGE);
    else if (!db_int64(res, 0, 1))
        r = api_fail(req, -EINVAL, "language", "no such language");
    else
        r = api_fail(req, -EAGAIN, NULL, "try again");
    PQclear(res);
    return r;
}

/* The callback row of the submission a CTE named s inserts, when url (a parameter) is set. */
#define CALLBACK_INSERT(url)                                                                       \
    " cb AS (INSERT INTO callbacks (submission_id, url) SELECT id, " url "::text FROM s"           \
    " WHERE " url "::text IS NOT NULL)"

static int submit_to_contest(struct api_req *req, struct db_conn *c,
                             const struct api_submission_in *in, PGresult **ret_res)
{
    PGresult *res = NULL;
    const char *msg = NULL;
    int64_t problem_id, contest_id;
    int r;

    r = db_begin(c, NULL);
    if (r < 0)
        return api_db_fail(req, r, "begin");
    /* A hidden problem exists for a student only through a contest that shows it: one they
     * may see, that has started and has the problem. Otherwise it is as missing as a slug
     * that names nothing, whatever the contest would have said. */
    r = db_query(
        c, &res,
        "SELECT p.id, EXISTS (SELECT 1 FROM languages WHERE id = $2 AND enabled AND installed),"
        " p.archived FROM problems p WHERE p.slug = $1 AND (p.visibility = 'public' OR $3::boolean"
        " OR EXISTS (SELECT 1 FROM contests ct"
        "   JOIN contest_problems cp ON cp.contest_id = ct.id AND cp.problem_id = p.id"
        "   WHERE ct.slug = $4 AND now() >= ct.starts_at AND (ct.visibility = 'public'"
        "   OR EXISTS (SELECT 1 FROM contest_participants pa"
        "              WHERE pa.contest_id = ct.id AND pa.user_id = $5::bigint))))",
        5,
        (const char *const[]){in->problem, in->language, is_staff(req) ? "true" : "false",
                              in->contest, api_printf(req, "%lld", (long long)api_user(req)->id)});
    if (r < 0) {
        r = api_db_fail(req, r, "submission check");
        goto out;
    }
    if (PQntuples(res) != 1) {
        r = api_fail(req, -ENOENT, "problem", "no such problem");
        goto out;
    }
    if (PQgetvalue(res, 0, 2)[0] == 't') {
        r = api_fail(req, -EINVAL, "problem", ARCHIVED_MESSAGE);
        goto out;
    }
    if (!db_int64(res, 0, 1)) {
        r = api_fail(req, -EINVAL, "language", "no such language");
        goto out;
    }
    problem_id = db_int64(res, 0, 0);
    PQclear(res);
    res = NULL;
    r = db_contest_admit(c, in->contest, api_user(req)->id, api_user(req)->role_name, problem_id,
                         &contest_id, &msg);
    if (r == -ENOENT || r == -EACCES || r == -EINVAL) {
        r = api_fail(req, r, "contest", "%s", msg ? msg : "refused by the contest");
        goto out;
    }
    if (r < 0) {
        r = api_db_fail(req, r, "contest admit");
        goto out;
    }
    r = db_query(c, &res,
                 "WITH s AS (INSERT INTO submissions (user_id, problem_id, contest_id, language_id,"
                 " source, files, source_bytes) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $8::bytea)"
                 " RETURNING id)," CALLBACK_INSERT("$7") " SELECT id FROM s",
                 8,
                 (const char *const[]){api_printf(req, "%lld", (long long)api_user(req)->id),
                                       api_printf(req, "%lld", (long long)problem_id),
                                       api_printf(req, "%lld", (long long)contest_id), in->language,
                                       in->source, in->files_json, in->callback_url,
                                       in->source_bytes});
    if (r < 0) {
        r = api_db_fail(req, r, "submission insert");
        goto out;
    }
    r = db_commit(c);
    if (r < 0) {
        r = api_db_fail(req, r, "commit");
        goto out;
    }
    *ret_res = res;
    res = NULL;
out:
    if (r < 0)
        db_rollback(c);
    PQclear(res);
    return r;
}

int api_h_submission_create(struct api_req *req)
{
    struct api_submission_in in;
    struct api_json_error err;
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    const char *body;
    size_t len;
    int64_t wait = 0;
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if (req->created_id) /* resumed from ?wait= */
        return api_created_answer(req, req->created_id, api_h_submission_get);
    if ((r = api_created_wait_param(req, &wait)) < 0)
        return r;
    body = api_body(req, &len);
    r = api_body_submission(api_arena(req), body, len, api_limits(req), &in, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    if (db_slug_valid(in.problem) < 0)
        return api_fail(req, -ENOENT, "problem", "no such problem");
    if (in.contest && db_slug_valid(in.contest) < 0)
        return api_fail(req, -ENOENT, "contest", "no such contest");
    if (in.callback_url && (r = api_callback_url_check(req, in.callback_url)) < 0)
        return r;
    if ((r = api_rate_check(req)) < 0)
        return r;
    if ((r = api_db(req, &c)) < 0)
        return r;
    if (in.contest) {
        r = submit_to_contest(req, c, &in, &res);
        if (r < 0)
            return r;
    } else {
        r = db_query(c, &res,
                     "WITH s AS (INSERT INTO submissions (user_id, problem_id, language_id, source,"
                     " files, source_bytes) SELECT $1::bigint, p.id, l.id, $4, $6::jsonb,"
                     " $8::bytea FROM problems p,"
                     " languages l WHERE p.slug = $2 AND (p.visibility = 'public' OR $5::boolean)"
                     " AND NOT p.archived AND l.id = $3 AND l.enabled AND l.installed"
                     " RETURNING id)," CALLBACK_INSERT("$7") " SELECT id FROM s",
                     8,
                     (const char *const[]){api_printf(req, "%lld", (long long)api_user(req)->id),
                                           in.problem, in.language, in.source,
                                           is_staff(req) ? "true" : "false", in.files_json,
                                           in.callback_url, in.source_bytes});
        if (r < 0)
            return api_db_fail(req, r, "submission insert");
        if (PQntuples(res) != 1) {
            PQclear(res);
            return explain_refusal(req, c, in.problem, in.language);
        }
    }
    api_reply_header(req, "Location",
                     api_printf(req, "/api/v1/submissions/%s", PQgetvalue(res, 0, 0)));
    if (wait > 0) {
        int64_t id = db_int64(res, 0, 0);
        PQclear(res);
        return api_created_answer(req, id, api_h_submission_get);
    }
    j = api_reply_json(req, 202);
    api_json_obj(j);
    api_json_kint(j, "id", db_int64(res, 0, 0));
    api_json_kstr(j, "status", "queued");
    api_json_end(j);
    PQclear(res);
    return 0;
}

static void int_or_null(struct api_json *j, const char *key, const PGresult *res, int row, int col)
{
    api_json_key(j, key);
    if (db_isnull(res, row, col))
        api_json_null(j);
    else
        api_json_int(j, db_int64(res, row, col));
}

/* The columns of SUBMISSION_COLUMNS as JSON members (inside an open object). live: res is
 * api_submission_sql's, whose judging progress gives the score so far and the problem's
 * max_score while a submission is judged for the first time (a rejudge shows its old result
 * until the new one lands). */
static void submission_members(struct api_json *j, const PGresult *res, int i, int live)
{
    int first = live && !db_isnull(res, i, API_SUBMISSION_PROGRESS_COL) && db_isnull(res, i, 6);

    api_json_kint(j, "id", db_int64(res, i, 0));
    api_json_kstr(j, "user", PQgetvalue(res, i, 1));
    api_json_kstr(j, "problem", PQgetvalue(res, i, 2));
    api_json_kstr(j, "contest", api_col(res, i, 3));
    api_json_kstr(j, "language", PQgetvalue(res, i, 4));
    api_json_kstr(j, "status", PQgetvalue(res, i, 5));
    api_json_kstr(j, "verdict", api_col(res, i, 6));
    int_or_null(j, "score", res, i, first ? API_SUBMISSION_PROGRESS_COL + 2 : 7);
    int_or_null(j, "max_score", res, i, first ? API_SUBMISSION_PROGRESS_COL + 3 : 8);
    int_or_null(j, "time_ms", res, i, 9);
    int_or_null(j, "memory_kb", res, i, 10);
    api_json_kstr(j, "created_at", PQgetvalue(res, i, 11));
    api_json_kstr(j, "judged_at", api_col(res, i, 12));
}

/* Whether the caller ($2 their id, $3 their role) runs the submission's problem or contest:
 * they read every submission to it, source and judge's messages included. */
#define RUNS_SUBMISSION                                                                            \
    "(" API_SQL_RUNS_PROBLEM("$2::bigint", "$3::text") " OR " API_SQL_RUNS_CONTEST("$2::bigint",   \
                                                                                   "$3::text") ")"

/* A submission with its tests and its callback, as the caller reads it: $1 the id, $2 the
 * caller's id, $3 their role. Column 18 says whether they run its problem or contest. */
const char api_submission_sql[] =
    "SELECT " SUBMISSION_COLUMNS ", s.compile_output, s.source,"
    " (SELECT json_agg(json_build_object('ordinal', st.ordinal, 'verdict', st.verdict,"
    "   'time_ms', st.time_ms, 'memory_kb', st.memory_kb, 'points', st.points,"
    "   'group', tc.group_name, 'message',"
    "   CASE WHEN " RUNS_SUBMISSION " OR tc.is_sample THEN st.checker_message END)"
    "   ORDER BY st.ordinal)::text"
    "  FROM submission_tests st LEFT JOIN test_cases tc"
    "  ON tc.problem_id = s.problem_id AND tc.ordinal = st.ordinal"
    "  WHERE st.submission_id = s.id), s.message, " RUNS_SUBMISSION
    ", s.fault, s.files::text, " API_SQL_CALLBACK(
        "submission_id = s.id") ","
                                " j.tests_done, j.tests_total, j.score, j.max_score,"
                                " CASE WHEN j.submission_id IS NOT NULL THEN (SELECT "
                                "coalesce(json_agg(json_build_object("
                                "   'ordinal', jt.ordinal, 'verdict', jt.verdict, 'time_ms', "
                                "jt.time_ms, 'memory_kb',"
                                "   jt.memory_kb, 'points', jt.points, 'group', tc.group_name, "
                                "'message', NULL)"
                                "   ORDER BY jt.ordinal), '[]')::text"
                                "  FROM submission_judging_tests jt LEFT JOIN test_cases tc"
                                "  ON tc.problem_id = s.problem_id AND tc.ordinal = jt.ordinal"
                                "  WHERE jt.submission_id = s.id) END, "
                                "s.source_bytes" SUBMISSION_FROM
                                " LEFT JOIN submission_judging j ON j.submission_id = s.id AND "
                                "s.status = 'judging'"
                                " AND j.attempts = s.attempts WHERE s.id = $1";

static int read_submission(struct api_req *req, const char *idtext, PGresult **ret_res)
{
    struct db_conn *c;
    int r = api_db(req, &c);

    if (r < 0)
        return r;
    r = db_query(c, ret_res, api_submission_sql, 3,
                 (const char *const[]){idtext,
                                       api_printf(req, "%lld", (long long)api_user(req)->id),
                                       api_user(req)->role_name});
    if (r < 0)
        return api_db_fail(req, r, "submission read");
    if (PQntuples(*ret_res) != 1 ||
        (PQgetvalue(*ret_res, 0, 18)[0] != 't' && db_int64(*ret_res, 0, 13) != api_user(req)->id)) {
        PQclear(*ret_res);
        *ret_res = NULL;
        return api_fail(req, -ENOENT, "id", "no such submission");
    }
    return 0;
}

int api_submission_members(struct api_json *j, const PGresult *res, int64_t viewer_id, int b64)
{
    int r, lossy = 0, lossy_source = 0;
    uint64_t lossy_files = 0;

    int judging = !db_isnull(res, 0, API_SUBMISSION_PROGRESS_COL);

    submission_members(j, res, 0, 1);
    /* While judged: the tests done of the tests to run (those a stop skips count as done when
     * the result lands) and the score so far, of this judging (a rejudge's too). */
    api_json_key(j, "progress");
    if (judging) {
        api_json_obj(j);
        api_json_kint(j, "tests_done", db_int64(res, 0, API_SUBMISSION_PROGRESS_COL));
        api_json_kint(j, "tests_total", db_int64(res, 0, API_SUBMISSION_PROGRESS_COL + 1));
        api_json_kint(j, "score", db_int64(res, 0, API_SUBMISSION_PROGRESS_COL + 2));
        api_json_kint(j, "max_score", db_int64(res, 0, API_SUBMISSION_PROGRESS_COL + 3));
        api_json_end(j);
    } else {
        api_json_null(j);
    }
    api_json_kstr(j, "encoding", b64 ? "base64" : "utf-8");
    api_json_key(j, "compile_output"); /* text already: base64 only when asked */
    if (db_isnull(res, 0, 14))
        api_json_null(j);
    else if ((r = api_json_bytes(j, PQgetvalue(res, 0, 14), strlen(PQgetvalue(res, 0, 14)), b64,
                                 &lossy)) < 0)
        return r;
    /* The tests of the result; during a first judging, those done so far. */
    api_json_key(j, "tests");
    if (judging && db_isnull(res, 0, 6))
        api_json_raw(j, PQgetvalue(res, 0, API_SUBMISSION_PROGRESS_COL + 4));
    else
        api_json_raw(j, db_isnull(res, 0, 16) ? "[]" : PQgetvalue(res, 0, 16));
    /* The judge's word on the submission (why it is IE) and each test's (the checker's, a
     * wall-clock stop) may quote hidden data or a checker's source: staff read them all, the
     * author those of sample tests only. */
    if (PQgetvalue(res, 0, 18)[0] == 't')
        api_json_kstr(j, "message", api_col(res, 0, 17));
    else if (!strcmp(api_col(res, 0, 6) ? api_col(res, 0, 6) : "", "IE") && api_col(res, 0, 19))
        api_json_kstr(j, "message",
                      !strcmp(api_col(res, 0, 19) ? api_col(res, 0, 19) : "", "problem")
                          ? "The problem is at fault, not your program: its checker or tests"
                            " failed. Your submission will be judged again once staff fix it."
                          : "The judge failed, not your program: it could not judge this"
                            " submission. Staff can have it judged again.");
    /* Whose fault an IE is: "problem" or "judge"; null for every other verdict. */
    api_json_kstr(j, "fault", api_col(res, 0, 19));
    /* Only its author and those who run its problem or contest get here at all; the check
     * stays beside the field it guards. */
    if (PQgetvalue(res, 0, 18)[0] == 't' || db_int64(res, 0, 13) == viewer_id) {
        /* Several files: the files, each {"name", "content"}, and no one source. */
        if (db_isnull(res, 0, 20)) {
            api_json_key(j, "source");
            r = api_json_source(j, res, 15, API_SUBMISSION_SOURCE_BYTES_COL, b64, &lossy_source);
        } else {
            api_json_knull(j, "source");
            api_json_key(j, "files");
            r = api_json_files(j, PQgetvalue(res, 0, 20), b64, &lossy_files);
        }
        if (r < 0)
            return r;
    }
    api_json_not_utf8(
        j, (const char *const[]){lossy ? "compile_output" : NULL, lossy_source ? "source" : NULL},
        2, lossy_files);
    return 0;
}

int api_h_submission_get(struct api_req *req)
{
    PGresult *res = NULL;
    struct api_json *j;
    int b64 = 0, r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_encoding_param(req, &b64)) < 0)
        return r;
    if ((r = api_read_waiting(req, 's', read_submission, 5, &res)) < 0)
        return r;
    j = api_reply_json(req, 200);
    api_json_obj(j);
    r = api_submission_members(j, res, api_user(req)->id, b64);
    api_json_kraw(j, "callback", api_col(res, 0, API_SUBMISSION_CALLBACK_COL));
    api_json_end(j);
    PQclear(res);
    return r;
}

static const struct api_field no_fields[] = {
    API_FIELD_END,
};

/* POST /submissions/{id}/rejudge: the one submission judged again, by those who run its problem
 * or its contest (who read all of it). The same rejudge as the problem's and `gavel rejudge
 * --submission`: queued again after every submission never judged, its old result visible
 * until the new one is recorded, a judge holding it fenced off. */
int api_h_submission_rejudge(struct api_req *req)
{
    const char *idtext = api_param(req, "id");
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    size_t len = 0;
    int64_t id;
    int runs, own, r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if (api_parse_int64(idtext, 1, INT64_MAX, &id) < 0)
        return api_fail(req, -ENOENT, "id", "no such submission");
    if ((r = api_query_only(req, (const char *const[]){NULL})) < 0)
        return r;
    (void)api_body(req, &len);
    if (len > 0 && (r = api_body_json(req, no_fields, NULL)) < 0)
        return r; /* no body, or {} */
    if ((r = api_db(req, &c)) < 0)
        return r;
    r = db_query(
        c, &res,
        "SELECT " RUNS_SUBMISSION ", s.user_id = $2::bigint" SUBMISSION_FROM " WHERE s.id = $1", 3,
        (const char *const[]){idtext, api_printf(req, "%lld", (long long)api_user(req)->id),
                              api_user(req)->role_name});
    if (r < 0)
        return api_db_fail(req, r, "rejudge check");
    runs = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    own = PQntuples(res) == 1 && PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (!runs && !own)
        return api_fail(req, -ENOENT, "id", "no such submission");
    if (!runs)
        return api_fail(req, -EACCES, NULL,
                        "only those who run its problem or contest, and admins, rejudge it");
    r = db_queue_rejudge(c, 0, id);
    if (r < 0)
        return api_db_fail(req, r, "rejudge");
    j = api_reply_json(req, 202);
    api_json_obj(j);
    api_json_kint(j, "id", id);
    api_json_kstr(j, "status", "queued");
    api_json_end(j);
    return 0;
}

static int verdict_valid(const char *v)
{
    static const char *const verdicts[] = {"AC", "WA", "TLE", "MLE", "RE", "CE", "OLE", "IE"};

    for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
        if (!strcmp(v, verdicts[i]))
            return 1;
    }
    return 0;
}

/* An RFC 3339 date and time (2026-05-01T09:00:00Z, with seconds, fraction and offset optional),
 * the form the API writes; PostgreSQL's other spellings ("now", "epoch") are not accepted. */
static int time_form_valid(const char *s)
{
    size_t i = 0;
    static const char shape[] = "dddd-dd-ddTdd:dd";

    for (; shape[i]; i++) {
        if (shape[i] == 'd'   ? !(s[i] >= '0' && s[i] <= '9')
            : shape[i] == 'T' ? (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
                              : s[i] != shape[i])
            return 0;
    }
    if (s[i] == ':') {
        if (!(s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' && s[i + 2] <= '9'))
            return 0;
        i += 3;
        if (s[i] == '.') {
            size_t n = 0;
            for (i++; s[i] >= '0' && s[i] <= '9'; i++)
                n++;
            if (n == 0 || n > 9)
                return 0;
        }
    }
    if ((s[i] == 'Z' || s[i] == 'z') && !s[i + 1])
        return 1;
    if (s[i] != '+' && s[i] != '-')
        return 0;
    i++;
    for (int k = 0; k < 5; k++, i++) {
        if (k == 2 ? s[i] != ':' : !(s[i] >= '0' && s[i] <= '9'))
            return 0;
    }
    return !s[i];
}

/* A language id's shape (languages.id); which ones exist is the table's. */
static int language_form_valid(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-' || s[i] == '+'))
            return 0;
    }
    return 1;
}

int api_h_submission_list(struct api_req *req)
{
    const char *problem = api_query(req, "problem"), *user = api_query(req, "user");
    const char *verdict = api_query(req, "verdict"), *contest = api_query(req, "contest");
    const char *language = api_query(req, "language"), *status = api_query(req, "status");
    const char *since = api_query(req, "since");
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int64_t before;
    int limit, n, r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_list_params(req, &limit, &before)) < 0)
        return r;
    r = api_query_only(req,
                       (const char *const[]){"problem", "user", "verdict", "contest", "language",
                                             "status", "since", "limit", "cursor", NULL});
    if (r < 0)
        return r;
    if (problem && db_slug_valid(problem) < 0)
        return api_fail(req, -EINVAL, "problem", "is not a problem slug");
    if (user && api_username_valid(user) < 0)
        return api_fail(req, -EINVAL, "user", "is not a username");
    if (verdict && !verdict_valid(verdict))
        return api_fail(req, -EINVAL, "verdict", "must be AC, WA, TLE, MLE, RE, CE, OLE or IE");
    if (contest && db_slug_valid(contest) < 0)
        return api_fail(req, -EINVAL, "contest", "is not a contest slug");
    if (language && !language_form_valid(language))
        return api_fail(req, -EINVAL, "language", "is not a language id");
    if (status && strcmp(status, "queued") && strcmp(status, "judging") && strcmp(status, "done"))
        return api_fail(req, -EINVAL, "status", "must be queued, judging or done");
    if (since && !time_form_valid(since))
        return api_fail(req, -EINVAL, "since",
                        "must be a date and time such as 2026-05-01T09:00:00Z");
    if (!is_staff(req)) {
        /* Usernames are one whatever their ASCII case (user was checked to be a username). */
        if (user && strcasecmp(user, api_user(req)->username) != 0)
            return api_fail(req, -EACCES, "user", "students see only their own submissions");
        user = api_user(req)->username;
    }
    if ((r = api_db(req, &c)) < 0)
        return r;
    if (contest) {
        r = db_query(c, &res, "SELECT id FROM contests WHERE slug = $1", 1,
                     (const char *const[]){contest});
        if (r < 0)
            return api_db_fail(req, r, "submission list");
        /* No such contest: no submission to it either. */
        contest = PQntuples(res) == 1 ? api_strdup(req, PQgetvalue(res, 0, 0)) : "0";
        PQclear(res);
        res = NULL;
        if (!contest)
            return -ENOMEM;
    }
    r = db_query(c, &res, API_SUBMISSION_LIST_SQL, 11,
                 (const char *const[]){api_printf(req, "%lld", (long long)before), problem, user,
                                       verdict, api_printf(req, "%d", limit + 1),
                                       api_printf(req, "%lld", (long long)api_user(req)->id),
                                       api_user(req)->role_name, contest, language, status, since});
    /* The shape of since was checked; a date that does not exist (02-30) is the database's to
     * find, and the only value it may refuse. */
    if (r == -EINVAL)
        return api_fail(req, r, "since", "is not a date and time");
    if (r < 0)
        return api_db_fail(req, r, "submission list");
    n = PQntuples(res);
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_key(j, "items");
    api_json_arr(j);
    for (int i = 0; i < n && i < limit; i++) {
        api_json_obj(j);
        submission_members(j, res, i, 0);
        api_json_end(j);
    }
    api_json_end(j);
    api_json_kstr(j, "next_cursor",
                  n > limit ? api_cursor_from_id(api_arena(req), db_int64(res, limit - 1, 0))
                            : NULL);
    api_json_end(j);
    PQclear(res);
    return 0;
}
