/*
 * import.c: `gavel import [--owner USERNAME] PATH...` — problem packages (folders, zip or
 * tar.gz archives, Gavel's or the Kattis format) into the database, each created or replaced
 * as a whole. A package that is refused changes nothing; the others are still imported.
 *
 * A custom checker is compiled before its package is stored, as an upload's is: the API asks a
 * judge through the database, the CLI compiles it itself with the judge's library, in a sandbox
 * box of its own under GAVEL_DATA_DIR (which also leaves it compiled in that host's cache).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "db/package.h"
#include "judge/cli/cli.h"
#include "judge/judge.h"

/* The worker that compiles checkers, made on first use and kept for the process. */
static struct judge_shared check_shared;
static struct judge_worker check_worker;
static int check_ready; /* 1: made; -1: could not be made */

static void check_worker_release(void)
{
    judge_worker_release(&check_worker);
    judge_shared_release(&check_shared);
}

/* Compiles the package's custom checker, if any: 0 when it compiles (or there is none), else
 * -EINVAL (it does not compile: the compiler's messages printed) or the judge's failure. */
static int check_checker(struct db_conn *conn, struct db_pkg_problem *p, const char *path,
                         const char *cmd, struct db_pkg_error *err)
{
    const char *file = p->checker_path ? p->checker_path : "checker";
    char *output = NULL;
    int ok = 0, r;

    r = db_pkg_checker_language(conn, p, err);
    /* An interactive problem's interactor is compiled and checked the same way. */
    const char *lang =
        p->def.checker_language ? p->def.checker_language : p->def.interactor_language;
    const char *source = p->def.checker_language ? p->def.checker_source : p->def.interactor_source;
    if (r < 0 || !lang)
        return r;
    if (check_ready == 0) {
        const char *dir = getenv("GAVEL_DATA_DIR");
        judge_shared_init(&check_shared, dir && *dir ? dir : "./var");
        r = judge_worker_init(&check_worker, &check_shared, 0);
        check_ready = r < 0 ? -1 : 1;
        if (r < 0) {
            fprintf(stderr, "gavel %s: %s: cannot compile the checker to check it: %s\n", cmd, path,
                    check_worker.error);
            judge_worker_release(&check_worker);
            judge_shared_release(&check_shared);
            return -EAGAIN;
        }
        atexit(check_worker_release);
    }
    if (check_ready < 0) {
        fprintf(stderr, "gavel %s: %s: cannot compile the checker to check it\n", cmd, path);
        return -EAGAIN;
    }
    r = judge_checker_build(&check_worker, conn, lang, source, &ok, &output);
    if (r < 0) {
        fprintf(stderr, "gavel %s: %s: cannot compile the checker to check it: %s\n", cmd, path,
                check_worker.error);
        return r;
    }
    if (!ok) {
        fprintf(stderr, "gavel %s: %s: %s does not compile; nothing was stored:\n%s\n", cmd, path,
                file, output ? output : "");
        r = -EINVAL;
    }
    free(output);
    return r;
}

void cli_default_slug(const char *path, char *out, size_t size)
{
    static const char *const exts[] = {".tar.gz", ".tgz", ".zip", ".tar", NULL};
    const char *base;
    size_t len = strlen(path);

    while (len > 1 && path[len - 1] == '/')
        len--;
    base = path + len;
    while (base > path && base[-1] != '/')
        base--;
    len = (size_t)(path + len - base);
    for (size_t i = 0; exts[i]; i++) {
        size_t el = strlen(exts[i]);
        if (len > el && !strncmp(base + len - el, exts[i], el)) {
            len -= el;
            break;
        }
    }
    snprintf(out, size, "%.*s", (int)len, base);
}

int cli_user_id(struct db_conn *conn, const char *username, int64_t *ret_id)
{
    PGresult *res = NULL;
    int r;

    r = db_query(conn, &res, "SELECT id FROM users WHERE lower(username) = lower($1)", 1,
                 (const char *const[]){username});
    if (r < 0)
        return r;
    r = PQntuples(res) == 1 ? 0 : -ENOENT;
    if (r == 0)
        *ret_id = db_int64(res, 0, 0);
    PQclear(res);
    return r;
}

void cli_pkg_error(const char *cmd, const char *path, const struct db_pkg_error *err, int r)
{
    /* A failure to open the package itself names the package as the file: say it once. */
    if (err->file[0] && !strcmp(err->file, path) && err->line <= 0)
        fprintf(stderr, "gavel %s: %s: %s\n", cmd, path,
                err->message[0] ? err->message : strerror(-r));
    else if (err->file[0] && err->line > 0)
        fprintf(stderr, "gavel %s: %s: %s:%d: %s\n", cmd, path, err->file, err->line, err->message);
    else if (err->file[0])
        fprintf(stderr, "gavel %s: %s: %s: %s\n", cmd, path, err->file, err->message);
    else if (err->message[0])
        fprintf(stderr, "gavel %s: %s: %s\n", cmd, path, err->message);
    else
        fprintf(stderr, "gavel %s: %s: %s\n", cmd, path, strerror(-r));
}

/* The fingerprint of a package: sha256 over every file's path, length and bytes, in the
 * files' (sorted) order, as hex into out[65]. */
static void package_fingerprint(const struct db_pkg_files *files, char *out)
{
    crypto_hash_sha256_state st;
    unsigned char digest[crypto_hash_sha256_BYTES];

    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < files->n; i++) {
        uint64_t len = files->v[i].len;
        crypto_hash_sha256_update(&st, (const unsigned char *)files->v[i].path,
                                  strlen(files->v[i].path) + 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)&len, sizeof(len));
        crypto_hash_sha256_update(&st, files->v[i].data, files->v[i].len);
    }
    crypto_hash_sha256_final(&st, digest);
    sodium_bin2hex(out, 65, digest, sizeof(digest));
}

int cli_import_one(struct db_conn *conn, const char *path, int64_t owner, int64_t *ret_id,
                   const char *cmd)
{
    char fingerprint[65];
    struct db_pkg_files files = {0};
    struct db_pkg_problem prob = {0};
    struct db_pkg_error err = {0};
    char slug[128];
    int r;

    cli_default_slug(path, slug, sizeof(slug));
    r = db_pkg_read_path(path, NULL, &files, &err);
    if (r >= 0)
        r = db_pkg_parse(&files, slug, 0, &prob, &err);
    if (r >= 0) {
        r = check_checker(conn, &prob, path, cmd, &err);
        if (r < 0 && !err.file[0] && !err.message[0])
            goto out; /* said already */
    }
    if (r >= 0) {
        package_fingerprint(&files, fingerprint);
        prob.def.content_hash = fingerprint;
        r = db_pkg_save(conn, &prob, owner, DB_PROBLEM_UPSERT, ret_id, &err);
    }
    if (r < 0)
        cli_pkg_error(cmd, path, &err, r);
    else if (r == 1)
        printf("%s is up to date (from %s)\n", prob.def.slug, path);
    else
        printf("imported %s (%s format, %zu tests, %zu solutions) from %s\n", prob.def.slug,
               prob.format, prob.def.n_tests, prob.n_solutions, path);
    if (r >= 0 && prob.meta_json && strstr(prob.meta_json, "\"time_limit_pending\":true"))
        printf("%s: no time limit in the package: gavel verify derives it from the accepted"
               " solutions; until then %d ms, scaled per language\n",
               prob.def.slug, DB_PKG_MEASURE_MS);
out:
    db_pkg_problem_release(&prob);
    db_pkg_files_release(&files);
    return r;
}

int cli_import(struct cli_ctx *ctx, int argc, char **argv)
{
    int64_t owner = 0, id;
    int failed = 0, n = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--owner")) {
            if (++i >= argc)
                return cli_usage("import", "--owner needs a USERNAME");
        } else if (argv[i][0] == '-') {
            return cli_usage("import", "unknown option %s", argv[i]);
        } else {
            n++;
        }
    }
    if (!n)
        return cli_usage("import", "no PATH given");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--owner") && cli_user_id(ctx->conn, argv[++i], &owner) < 0) {
            fprintf(stderr, "gavel import: no user %s\n", argv[i]);
            return 1;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--owner")) {
            i++;
            continue;
        }
        if (cli_import_one(ctx->conn, argv[i], owner, &id, "import") < 0)
            failed++;
    }
    return failed ? 1 : 0;
}
