/*
 * wait.c: holding a request until its submission or run is done (?wait=S).
 *
 * The request's database connection is given back while it sleeps, so a thousand waiting
 * clients hold a thousand threads but no database connections.
 */
#include <string.h>
#include <time.h>

#include "api/server.h"

int api_wait_done(struct api_req *req, char kind, int64_t id, int seconds)
{
    struct timespec deadline;
    const char *sql = kind == 'r' ? "SELECT status = 'done' FROM runs WHERE id = $1"
                                  : "SELECT status = 'done' FROM submissions WHERE id = $1";
    const char *idtext = api_printf(req, "%lld", (long long)id);
    int r;

    if (!idtext)
        return -ENOMEM;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += seconds;
    for (;;) {
        struct db_conn *c;
        PGresult *res = NULL;
        uint64_t gen = api_hub_generation(req->srv->hub, kind, id);
        int done;

        if ((r = api_db(req, &c)) < 0)
            return r;
        r = db_query(c, &res, sql, 1, (const char *const[]){idtext});
        if (r < 0)
            return api_db_fail(req, r, "wait");
        done = PQntuples(res) != 1 || db_int64(res, 0, 0);
        PQclear(res);
        if (done)
            return 0;
        api_db_release(req);
        if (!api_hub_wait(req->srv->hub, kind, id, gen, &deadline))
            return 0;
    }
}
