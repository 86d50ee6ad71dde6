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
    int r;

    if (argc == 3 && !strcmp(argv[1], "--submission")) {
        errno = 0;
        submission_id = strtoll(argv[2], &end, 10);
        if (errno || *end || submission_id <= 0) {
            fprintf(stderr, "gavel rejudge: bad submission id %s\n", argv[2]);
            return 2;
        }
    } else if (argc == 2 && argv[1][0] != '-') {
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
    } else {
        fprintf(stderr, "usage: gavel rejudge PROBLEM_SLUG | --submission ID\n");
        return 2;
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
