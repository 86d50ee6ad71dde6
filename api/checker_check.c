/*
 * checker_check.c: asking a judge to compile a custom checker (checker_check.h).
 *
 * The first call of a request inserts the build and remembers its id in the request; every call
 * then waits for it through api_wait (the same parking as ?wait=), and once it is done or the
 * wait is over, reads and deletes the row. Deleting an unfinished row fences off a judge that
 * holds it (its record finds nothing), so a late answer is simply dropped.
 */
#include "api/checker_check.h"

#include <errno.h>
#include <string.h>

#include "api/server.h"

/* Takes the build back; a failure is logged and left to the judges' hourly sweep. */
static void drop(struct api_req *req, struct db_conn *c, const char *idtext)
{
    if (db_query(c, NULL, "DELETE FROM checker_builds WHERE id = $1", 1,
                 (const char *const[]){idtext}) < 0)
        (void)api_db_fail(req, -EIO, "checker build delete");
}

int api_checker_check(struct api_req *req, const char *language, const char *source,
                      const char *language_field, const char *file)
{
    return api_program_check(req, 0, language, source, language_field, file);
}

int api_program_check(struct api_req *req, int which, const char *language, const char *source,
                      const char *language_field, const char *file)
{
    int64_t *build = which ? &req->interactor_build : &req->checker_build;
    struct db_conn *c;
    PGresult *res = NULL;
    const char *idtext;
    int r;

    /* A handler that checks two programs runs again after each wait: the first one's answer
     * is kept, its row gone already. */
    if (req->builds_ok & (1u << which))
        return 0;
    if ((r = api_db(req, &c)) < 0)
        return r;
    if (!*build) {
        r = db_query(
            c, &res,
            "INSERT INTO checker_builds (language_id, source)"
            " SELECT id, $2 FROM languages WHERE id = $1 AND enabled AND installed RETURNING id",
            2, (const char *const[]){language, source});
        if (r < 0)
            return api_db_fail(req, r, "checker build");
        if (PQntuples(res) != 1) {
            PQclear(res);
            return api_fail(req, -EINVAL, language_field, "no enabled language %s for the checker",
                            language);
        }
        *build = db_int64(res, 0, 0);
        PQclear(res);
        res = NULL;
    }
    r = api_wait(req, 'c', *build, (int)req->srv->cfg.checker_wait_s);
    if (r < 0)
        return r; /* parked, or the database failed (answered) */
    if ((r = api_db(req, &c)) < 0)
        return r;
    idtext = api_printf(req, "%lld", (long long)*build);
    if (!idtext)
        return -ENOMEM;
    r = db_query(c, &res,
                 "SELECT status, verdict, coalesce(compile_output, ''), coalesce(message, '')"
                 " FROM checker_builds WHERE id = $1",
                 1, (const char *const[]){idtext});
    if (r < 0)
        return api_db_fail(req, r, "checker build read");
    if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "done") != 0) {
        PQclear(res);
        drop(req, c, idtext);
        api_retry_after(req, 30);
        return api_fail(req, -EAGAIN, file,
                        "no judge compiled the checker within %lld s (is a judge running?):"
                        " nothing was stored, send it again",
                        (long long)req->srv->cfg.checker_wait_s);
    }
    if (!strcmp(PQgetvalue(res, 0, 1), "OK")) {
        r = 0;
        req->builds_ok |= 1u << which;
    } else if (!strcmp(PQgetvalue(res, 0, 1), "CE")) {
        /* The compiler's whole message (capped by the judge), not api_fail's short one. */
        r = api_fail(req, -EINVAL, file, "%s does not compile", file);
        req->err_message = api_printf(req, "%s does not compile; nothing was stored:\n%s", file,
                                      PQgetvalue(res, 0, 2));
        if (!req->err_message)
            r = -ENOMEM;
    } else {
        api_retry_after(req, 30);
        r = api_fail(req, -EAGAIN, file,
                     "the judges could not build the checker (%s): nothing was stored",
                     PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    drop(req, c, idtext);
    return r;
}
