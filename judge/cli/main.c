/*
 * main.c: `gavel`, the admin command line: dispatches to the commands of cli.h.
 *
 * The database is --database or GAVEL_DATABASE_URL; with neither, it is the embedded cluster
 * that `./gavel.sh run` keeps in GAVEL_DATA_DIR (./var), reached through its unix socket as
 * the cluster's owner, so the commands the README shows work beside a running `gavel.sh run`.
 */
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "judge/cli/cli.h"

static const struct cli_command commands[] = {
    {"migrate", "", "apply pending database migrations (idempotent)", 1, cli_migrate},
    {"user",
     "create USERNAME [--role student|instructor|admin] [--display-name NAME] [--password-stdin]"
     " [--if-missing]",
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
    fprintf(f, "\nThe database is --database or GAVEL_DATABASE_URL, else the embedded one of\n"
               "`./gavel.sh run` in GAVEL_DATA_DIR (./var).\n");
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "gavel %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, cmd))
            fprintf(stderr, "usage: gavel %s%s%s\n", cmd, commands[i].usage[0] ? " " : "",
                    commands[i].usage);
    return 2;
}

/* Appends 'value' to a conninfo string, quoted as libpq wants (\ and ' escaped). */
static void append_quoted(char *out, size_t size, const char *value)
{
    size_t len = strlen(out);

    if (len + 1 < size)
        out[len++] = '\'';
    for (; *value && len + 3 < size; value++) {
        if (*value == '\'' || *value == '\\')
            out[len++] = '\\';
        out[len++] = *value;
    }
    if (len + 1 < size)
        out[len++] = '\'';
    out[len] = '\0';
}

/* The conninfo of the embedded cluster in GAVEL_DATA_DIR (./var): its socket folder is DIR/pg,
 * its superuser the owner of that folder. 0, or -1 when there is no such cluster. */
static int embedded_conninfo(char *out, size_t size)
{
    const char *dir = getenv("GAVEL_DATA_DIR");
    char path[PATH_MAX], pgdata[PATH_MAX];
    struct passwd *pw;
    struct stat st;

    if (!dir || !*dir)
        dir = "var";
    if (snprintf(path, sizeof(path), "%s/pg/PG_VERSION", dir) >= (int)sizeof(path) ||
        access(path, F_OK) < 0)
        return -1;
    if (snprintf(path, sizeof(path), "%s/pg", dir) >= (int)sizeof(path) ||
        !realpath(path, pgdata) || stat(pgdata, &st) < 0)
        return -1;
    pw = getpwuid(st.st_uid);
    if (!pw)
        return -1;
    snprintf(out, size, "dbname=gavel host=");
    append_quoted(out, size, pgdata);
    snprintf(out + strlen(out), size - strlen(out), " user=");
    append_quoted(out, size, pw->pw_name);
    return 0;
}

/* Says why a connection failed, in one line: db_conn_open keeps no message once it fails. */
static void connect_failed(const char *conninfo, int embedded)
{
    PGconn *pg = PQconnectdb(conninfo);
    const char *msg = pg && PQstatus(pg) != CONNECTION_OK ? PQerrorMessage(pg) : "";
    int len = (int)strcspn(msg, "\n");

    fprintf(stderr, "gavel: cannot connect to the database%s%.*s%s\n", len ? ": " : "", len, msg,
            embedded ? " (is `./gavel.sh run` running on this GAVEL_DATA_DIR?)" : "");
    PQfinish(pg);
}

int main(int argc, char **argv)
{
    struct cli_ctx ctx = {.database_url = getenv("GAVEL_DATABASE_URL")};
    const struct cli_command *cmd = NULL;
    char embedded[2 * PATH_MAX + 64];
    int i = 1, r, is_embedded = 0;

    log_init("gavel", LOG_INFO);
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--database")) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                fprintf(stderr, "gavel: --database needs a URL\n");
                usage(stderr);
                return 2;
            }
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
        fprintf(stderr, "gavel: no command given\n");
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
            if (embedded_conninfo(embedded, sizeof(embedded)) < 0) {
                fprintf(stderr, "gavel: no database: set GAVEL_DATABASE_URL or --database, or"
                                " GAVEL_DATA_DIR to the data folder of `./gavel.sh run`\n");
                return 2;
            }
            ctx.database_url = embedded;
            is_embedded = 1;
        }
        r = db_conn_open(ctx.database_url, &ctx.conn);
        if (r < 0) {
            connect_failed(ctx.database_url, is_embedded);
            return 1;
        }
    }
    r = cmd->run(&ctx, argc - i, argv + i);
    db_conn_close(ctx.conn);
    return r;
}
