/*
 * rejudge.c: `gavel rejudge PROBLEM_SLUG | --submission ID`: queue submissions again.
 *
 * Every submission of the problem (or the one given) goes back to the queue; each keeps its
 * old result visible until a judge records the new one, which replaces it atomically
 * (db_queue_rejudge). Standings follow through the database's triggers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/queue.h"
#include "judge/cli/cli.h"

int cli_rejudge(struct cli_ctx *ctx, int argc, char **argv)
{
    int64_t problem_id = 0, submission_id = 0;
    PGresult *res = NULL;
    char *end;
    int r, by_id, n_args;

    if (argc < 2)
        return cli_usage("rejudge", "missing PROBLEM_SLUG or --submission ID");
    by_id = !strcmp(argv[1], "--submission");
    n_args = by_id ? 3 : 2;
    if (!by_id && argv[1][0] == '-')
        return cli_usage("rejudge", "unknown option %s", argv[1]);
    if (argc < n_args)
        return cli_usage("rejudge", "--submission needs an ID");
    if (argc > n_args)
        return cli_usage("rejudge", "unexpected argument %s", argv[n_args]);
    if (by_id) {
        errno = 0;
        submission_id = strtoll(argv[2], &end, 10);
        if (errno || *end || submission_id <= 0)
            return cli_usage("rejudge", "bad submission id %s", argv[2]);
    } else {
        r = db_query(ctx->conn, &res, "SELECT id FROM problems WHERE slug = $1", 1,
                     (const char *[]){argv[1]});
        if (r < 0) {
            fprintf(stderr, "gavel rejudge: %s\n", db_error(ctx->conn));
            return 1;
        }
        if (PQntuples(res) != 1) {
            PQclear(res);
            fprintf(stderr, "gavel rejudge: no problem %s\n", argv[1]);
            return 1;
        }
        problem_id = db_int64(res, 0, 0);
        PQclear(res);
    }
    r = db_queue_rejudge(ctx->conn, problem_id, submission_id);
    if (r < 0) {
        fprintf(stderr, "gavel rejudge: %s\n", db_error(ctx->conn));
        return 1;
    }
    if (submission_id && r == 0) {
        fprintf(stderr, "gavel rejudge: no submission %lld\n", (long long)submission_id);
        return 1;
    }
    printf("%d submission(s) queued for judging\n", r);
    return 0;
}
