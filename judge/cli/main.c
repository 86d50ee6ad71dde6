/*
 * main.c: `gavel`, the admin command line: dispatches to the commands of cli.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "judge/cli/cli.h"

static const struct cli_command commands[] = {
    {"migrate", "", "apply pending database migrations (idempotent)", 1, cli_migrate},
    {"user", "create USERNAME [--role student|instructor|admin] [--password-stdin]",
     "create an account (password from GAVEL_PASSWORD, stdin, or generated and printed)", 1,
     cli_user},
    {"status", "", "schema version and queue depth", 1, cli_status},
    {"rejudge", "PROBLEM_SLUG | --submission ID",
     "queue submissions again; old results stay visible until the new ones land", 1, cli_rejudge},
    {"import", "[--owner USERNAME] PATH...",
     "import problem packages (folders, zip or tar.gz; Gavel or Kattis format)", 1, cli_import},
    {"verify", "[--as USERNAME] [--timeout SECONDS] [--json] PATH|SLUG...",
     "import a package and judge its shipped solutions against their expected verdicts", 1,
     cli_verify},
    {"export", "SLUG [-o FILE] [--tar-gz]", "write a problem as a package in Gavel's format", 1,
     cli_export},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: gavel [--database URL] COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %s %s\n      %s\n", commands[i].name, commands[i].usage, commands[i].help);
    fprintf(f, "\nThe database is --database or GAVEL_DATABASE_URL.\n");
}

int main(int argc, char **argv)
{
    struct cli_ctx ctx = {.database_url = getenv("GAVEL_DATABASE_URL")};
    const struct cli_command *cmd = NULL;
    int i = 1, r;

    log_init("gavel", LOG_INFO);
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--database") && i + 1 < argc) {
            ctx.database_url = argv[++i];
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "gavel: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (!strcmp(argv[i], commands[k].name))
            cmd = &commands[k];
    if (!cmd) {
        fprintf(stderr, "gavel: unknown command %s\n", argv[i]);
        usage(stderr);
        return 2;
    }
    if (cmd->needs_db) {
        if (!ctx.database_url || !*ctx.database_url) {
            fprintf(stderr, "gavel: no database: set GAVEL_DATABASE_URL or --database\n");
            return 2;
        }
        r = db_conn_open(ctx.database_url, &ctx.conn);
        if (r < 0) {
            fprintf(stderr, "gavel: cannot connect to the database\n");
            return 1;
        }
    }
    r = cmd->run(&ctx, argc - i, argv + i);
    db_conn_close(ctx.conn);
    return r;
}
