/*
 * cli.h: the `gavel` admin command line. Each command is a function in its own file under
 * judge/cli/, listed in the table of main.c.
 *
 *     gavel [--database URL] COMMAND [ARGS...]
 *
 * The database comes from --database or GAVEL_DATABASE_URL, else the embedded cluster of
 * `./gavel.sh run` in GAVEL_DATA_DIR. Commands return a process exit status: 0 success,
 * 1 failure (already reported on stderr), 2 bad usage.
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
int cli_rejudge(struct cli_ctx *ctx, int argc, char **argv);
int cli_import(struct cli_ctx *ctx, int argc, char **argv);
int cli_verify(struct cli_ctx *ctx, int argc, char **argv);
int cli_export(struct cli_ctx *ctx, int argc, char **argv);

/* Reports bad usage of command cmd: "gavel CMD: message" and the command's usage line, on
 * stderr. Returns 2, the exit status of bad usage. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct db_pkg_error;

/* Package helpers shared by import, verify and export (import.c). */
/* The slug a package path suggests: its last component without .zip, .tar.gz, .tgz, .tar. */
void cli_default_slug(const char *path, char *out, size_t size);
/* A user's id by name: 0 or -ENOENT. */
int cli_user_id(struct db_conn *conn, const char *username, int64_t *ret_id) DB_WUR;
/* Prints why a package was refused: "gavel CMD: PATH: FILE:LINE: message". */
void cli_pkg_error(const char *cmd, const char *path, const struct db_pkg_error *err, int r);
/* Imports one package (created or replaced); prints the outcome; returns 0 or a negative
 * errno, with the problem's id in *ret_id. */
int cli_import_one(struct db_conn *conn, const char *path, int64_t owner, int64_t *ret_id,
                   const char *cmd) DB_WUR;

#endif
