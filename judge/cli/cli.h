/*
 * cli.h: the `gavel` admin command line. Each command is a function in its own file under
 * judge/cli/, listed in the table of main.c.
 *
 *     gavel [--database URL] COMMAND [ARGS...]
 *
 * The database comes from --database or GAVEL_DATABASE_URL. Commands return a process exit
 * status: 0 success, 1 failure (already reported on stderr), 2 bad usage.
 */
#ifndef GAVEL_CLI_H
#define GAVEL_CLI_H

#include "db/db.h"

struct cli_ctx {
    const char *database_url;
    struct db_conn *conn; /* opened before the command runs when it needs the database */
};

struct cli_command {
    const char *name;
    const char *usage; /* the arguments, e.g. "USERNAME [--role ROLE]" */
    const char *help;  /* one line */
    int needs_db;
    int (*run)(struct cli_ctx *ctx, int argc, char **argv); /* argv[0] is the command name */
};

int cli_migrate(struct cli_ctx *ctx, int argc, char **argv);
int cli_user(struct cli_ctx *ctx, int argc, char **argv);
int cli_status(struct cli_ctx *ctx, int argc, char **argv);

#endif
