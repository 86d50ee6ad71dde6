/*
 * wait.c: api_wait (http.h), parking a request until its submission or run is done, or, for a
 * submission read with ?tests_done=N, until its progress is no longer the N tests done its
 * client has seen (the next test done, or the end).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "api/resources.h"
#include "api/server.h"

#define RECHECK_S 5

static int passed(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* seen >= 0: a submission's waiter that also wakes when its tests done are no longer seen. */
static int wait_for(struct api_req *req, char kind, int64_t id, int seconds, int64_t seen)
{
    struct api_waiter *w = &req->waiter;
    struct db_conn *c;
    PGresult *res = NULL;
    const char *sql = kind == 'r'   ? "SELECT status = 'done' FROM runs WHERE id = $1"
                      : kind == 'c' ? "SELECT status = 'done' FROM checker_builds WHERE id = $1"
                                    : "SELECT status = 'done' FROM submissions WHERE id = $1";
    const char *idtext, *seentext = NULL;
    struct timespec now;
    int r, done;

    if (kind == 's' && seen >= 0)
        sql = "SELECT s.status = 'done' OR coalesce(j.tests_done, 0) <> $2::int FROM submissions s"
              " LEFT JOIN submission_judging j ON j.submission_id = s.id"
              " AND s.status = 'judging' AND j.attempts = s.attempts WHERE s.id = $1";

    if (seconds <= 0 || atomic_load(&req->srv->stopping))
        return 0;
    if (!req->waiting) {
        clock_gettime(CLOCK_MONOTONIC, &req->wait_deadline);
        req->wait_deadline.tv_sec += seconds;
        req->waiting = 1;
    }
    if (passed(&req->wait_deadline))
        return 0;
    idtext = api_printf(req, "%lld", (long long)id);
    if (seen >= 0)
        seentext = api_printf(req, "%lld", (long long)seen);
    if (!idtext || (seen >= 0 && !seentext))
        return -ENOMEM;
    clock_gettime(CLOCK_MONOTONIC, &now);
    w->kind = kind;
    w->id = id;
    w->progress = seen >= 0;
    w->conn = req->conn;
    w->wake = now;
    w->wake.tv_sec += RECHECK_S;
    if (req->wait_deadline.tv_sec < w->wake.tv_sec ||
        (req->wait_deadline.tv_sec == w->wake.tv_sec &&
         req->wait_deadline.tv_nsec < w->wake.tv_nsec))
        w->wake = req->wait_deadline;
    /* Listen first, look second: a result recorded in between is not missed. */
    if (api_hub_register(req->srv->hub, w) < 0)
        return 0;
    if ((r = api_db(req, &c)) < 0)
        goto out;
    r = db_query(c, &res, sql, seentext ? 2 : 1, (const char *const[]){idtext, seentext});
    if (r < 0) {
        r = api_db_fail(req, r, "wait");
        goto out;
    }
    done = PQntuples(res) != 1 || db_int64(res, 0, 0);
    PQclear(res);
    if (done)
        goto out; /* r is 0: answer now */
    api_db_release(req);
    if (api_hub_park(req->srv->hub, w) < 0)
        return 0;
    return -EINPROGRESS;
out:
    api_hub_unregister(req->srv->hub, w);
    return r;
}

int api_wait(struct api_req *req, char kind, int64_t id, int seconds)
{
    return wait_for(req, kind, id, seconds, -1);
}

/* Whether a row read for a ?wait= is the answer: done, or (seen >= 0) a submission whose tests
 * done are no longer those the client has seen. */
static int ready(const PGresult *res, char kind, int status_col, int64_t seen)
{
    if (!strcmp(PQgetvalue(res, 0, status_col), "done"))
        return 1;
    if (kind != 's' || seen < 0)
        return 0;
    return (db_isnull(res, 0, API_SUBMISSION_PROGRESS_COL)
                ? 0
                : db_int64(res, 0, API_SUBMISSION_PROGRESS_COL)) != seen;
}

int api_read_waiting(struct api_req *req, char kind, api_row_reader read, int status_col,
                     PGresult **ret_res)
{
    /* A POST ...?wait= reads what it created; a GET, its path's id. */
    const char *idtext = req->created_id ? api_printf(req, "%lld", (long long)req->created_id)
                                         : api_param(req, "id");
    int64_t id, wait, seen = -1;
    int r;

    *ret_res = NULL;
    if (api_parse_int64(idtext, 1, INT64_MAX, &id) < 0)
        return api_fail(req, -ENOENT, "id", kind == 'r' ? "no such run" : "no such submission");
    r = api_query_only(req, kind == 's' && !req->created_id
                                ? (const char *const[]){"wait", "encoding", "tests_done", NULL}
                                : (const char *const[]){"wait", "encoding", NULL});
    if (r < 0)
        return r;
    if ((r = api_query_int(req, "wait", 0, 60, 0, &wait)) < 0)
        return r;
    /* ?tests_done=N: the progress the client has (0 before any test): answer at a change. */
    if (api_query(req, "tests_done") &&
        (r = api_query_int(req, "tests_done", 0, 1000000, 0, &seen)) < 0)
        return r;
    if ((r = read(req, idtext, ret_res)) < 0)
        return r;
    if (wait > 0 && !ready(*ret_res, kind, status_col, seen)) {
        PQclear(*ret_res);
        *ret_res = NULL;
        if ((r = wait_for(req, kind, id, (int)wait, seen)) < 0)
            return r; /* -EINPROGRESS: parked, the handler runs again when resumed */
        if ((r = read(req, idtext, ret_res)) < 0)
            return r;
    }
    return 0;
}

int api_created_wait_param(struct api_req *req, int64_t *ret_wait)
{
    int b64, r = api_query_only(req, (const char *const[]){"wait", "encoding", NULL});

    if (r < 0 || (r = api_encoding_param(req, &b64)) < 0)
        return r;
    return api_query_int(req, "wait", 0, 60, 0, ret_wait);
}

int api_encoding_param(struct api_req *req, int *ret_base64)
{
    const char *e = api_query(req, "encoding");

    *ret_base64 = e && !strcmp(e, "base64");
    if (e && !*ret_base64 && strcmp(e, "utf-8") != 0)
        return api_fail(req, -EINVAL, "encoding", "must be utf-8 (the default) or base64");
    return 0;
}

int api_created_answer(struct api_req *req, int64_t id, int (*get)(struct api_req *req))
{
    int r;

    req->created_id = id; /* what api_read_waiting reads in the GET handler */
    r = get(req);
    if (r == 0 && req->status == 200)
        req->status = 201;
    return r;
}
