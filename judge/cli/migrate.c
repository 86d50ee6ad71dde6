/*
 * migrate.c: `gavel migrate` and `gavel status`.
 */
#include <errno.h>
#include <stdio.h>

#include "db/migrate.h"
#include "judge/cli/cli.h"

int cli_migrate(struct cli_ctx *ctx, int argc, char **argv)
{
    int r;

    if (argc > 1)
        return cli_usage("migrate", "unexpected argument %s", argv[1]);
    r = db_migrate(ctx->conn);

    if (r == -EPROTO) {
        fprintf(stderr,
                "gavel: the database schema is newer than this build knows (%d);"
                " upgrade gavel\n",
                db_latest_version());
        return 1;
    }
    if (r < 0) {
        fprintf(stderr, "gavel: migration failed: %s\n", db_error(ctx->conn));
        return 1;
    }
    printf("schema at version %d (%d applied)\n", db_latest_version(), r);
    return 0;
}

int cli_status(struct cli_ctx *ctx, int argc, char **argv)
{
    PGresult *res = NULL;
    int version;

    if (argc > 1)
        return cli_usage("status", "unexpected argument %s", argv[1]);
    version = db_schema_version(ctx->conn);

    if (version < 0) {
        fprintf(stderr, "gavel: %s\n", db_error(ctx->conn));
        return 1;
    }
    printf("schema version %d (this build knows %d)\n", version, db_latest_version());
    if (version == 0)
        return 0;
    if (db_query(ctx->conn, &res,
                 "SELECT (SELECT count(*) FROM submissions WHERE status <> 'done'),"
                 " (SELECT count(*) FROM runs WHERE status <> 'done')",
                 0, NULL) < 0) {
        fprintf(stderr, "gavel: %s\n", db_error(ctx->conn));
        return 1;
    }
    printf("pending submissions %s, pending runs %s\n", PQgetvalue(res, 0, 0),
           PQgetvalue(res, 0, 1));
    PQclear(res);
    return 0;
}
