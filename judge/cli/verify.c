/*
 * verify.c: `gavel verify [--as USERNAME] [--timeout SECONDS] [--json] PATH|SLUG...` — the
 * self-check of problem packages, as problemtools' verifyproblem does it.
 *
 * Each PATH is imported (created or replaced), then every solution it ships is queued as a
 * submission and this command waits for the judges (gavel-judge against the same database)
 * to record them. A SLUG that is no path verifies the problem as stored. The submissions
 * belong to --as, else the problem's owner, else the first admin. Exit status 0 when every
 * solution got one of the verdicts it expects. The report also says which limits are in force
 * and where each comes from, a derived time limit included (db_pkg_verify_report).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "db/package.h"
#include "judge/cli/cli.h"

static int owner_of(struct db_conn *conn, int64_t problem_id, int64_t *ret_id)
{
    PGresult *res = NULL;
    char pid[24];
    int r;

    snprintf(pid, sizeof(pid), "%lld", (long long)problem_id);
    r = db_query(conn, &res,
                 "SELECT coalesce((SELECT owner_id FROM problems WHERE id = $1),"
                 " (SELECT min(id) FROM users WHERE role = 'admin'),"
                 " (SELECT min(id) FROM users WHERE role = 'instructor'))",
                 1, (const char *const[]){pid});
    if (r < 0)
        return r;
    r = db_isnull(res, 0, 0) ? -ENOENT : 0;
    if (r == 0)
        *ret_id = db_int64(res, 0, 0);
    PQclear(res);
    return r;
}

/* The limits of a Kattis package and where they come from: the package, the format's default,
 * or derived from the solutions' times by the format's rule. */
static void print_limits(const cJSON *l)
{
    const char *from = cJSON_GetStringValue(cJSON_GetObjectItem(l, "time_limit_from"));
    const cJSON *tl = cJSON_GetObjectItem(l, "time_limit_ms");

    if (!l)
        return;
    if (cJSON_IsTrue(cJSON_GetObjectItem(l, "time_limit_pending")))
        printf("time limit: pending, derived when every solution is judged\n");
    else if (from && !strcmp(from, "derived") && cJSON_IsNumber(tl) &&
             cJSON_IsString(cJSON_GetObjectItem(l, "slowest_accepted")))
        printf("time limit %.0f ms, derived (%s rule: slowest accepted %s, %.0f ms, x %g;"
               " time-limit-exceeded solutions checked at %.0f ms)\n",
               tl->valuedouble, cJSON_GetStringValue(cJSON_GetObjectItem(l, "rule")),
               cJSON_GetStringValue(cJSON_GetObjectItem(l, "slowest_accepted")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(l, "slowest_accepted_ms")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(l, "time_multiplier")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(l, "tle_margin_ms")));
    else if (from && cJSON_IsNumber(tl))
        printf("time limit %.0f ms, from %s\n", tl->valuedouble, from);
    if (cJSON_IsNumber(cJSON_GetObjectItem(l, "memory_mb")) &&
        cJSON_IsString(cJSON_GetObjectItem(l, "memory_from")))
        printf("memory limit %.0f MiB, from %s\n",
               cJSON_GetNumberValue(cJSON_GetObjectItem(l, "memory_mb")),
               cJSON_GetStringValue(cJSON_GetObjectItem(l, "memory_from")));
}

static void print_report(const char *json)
{
    cJSON *root = cJSON_Parse(json), *s;
    const cJSON *slow, *w;
    int n = 0, good = 0;

    if (!root)
        return;
    printf("%-4s %-6s %9s %8s %10s  %-8s %s\n", "exp", "actual", "score", "time", "memory", "lang",
           "file");
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(root, "solutions"))
    {
        const cJSON *actual = cJSON_GetObjectItem(s, "actual");
        n++;
        good += cJSON_IsTrue(cJSON_GetObjectItem(s, "ok"));
        printf("%-4s %-6s %4.0f/%-4.0f %5.0f ms %7.0f KB  %-8s %s%s\n",
               cJSON_GetStringValue(cJSON_GetObjectItem(s, "expected")),
               cJSON_IsString(actual) ? actual->valuestring : "-",
               cJSON_GetNumberValue(cJSON_GetObjectItem(s, "score")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(s, "max_score")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(s, "time_ms")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(s, "memory_kb")),
               cJSON_GetStringValue(cJSON_GetObjectItem(s, "language")),
               cJSON_GetStringValue(cJSON_GetObjectItem(s, "path")),
               cJSON_IsTrue(cJSON_GetObjectItem(s, "ok")) ? "" : "   <-- MISMATCH");
    }
    slow = cJSON_GetObjectItem(root, "slowest_accepted");
    if (slow)
        printf("slowest accepted: %s, %.0f ms of %.0f ms (%.0f%% of the time limit)\n",
               cJSON_GetStringValue(cJSON_GetObjectItem(slow, "path")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(slow, "time_ms")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(slow, "time_limit_ms")),
               100 * cJSON_GetNumberValue(cJSON_GetObjectItem(slow, "fraction")));
    print_limits(cJSON_GetObjectItem(root, "limits"));
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(root, "warnings"))
        printf("warning: %s\n", cJSON_GetStringValue(w));
    printf("%s: %s (%d of %d solutions as expected)\n",
           cJSON_GetStringValue(cJSON_GetObjectItem(root, "problem")),
           cJSON_IsTrue(cJSON_GetObjectItem(root, "passed")) ? "PASSED" : "FAILED", good, n);
    cJSON_Delete(root);
}

static int problem_by_slug(struct db_conn *conn, const char *slug, int64_t *ret_id)
{
    PGresult *res = NULL;
    int r;

    r = db_query(conn, &res, "SELECT id FROM problems WHERE slug = $1", 1,
                 (const char *const[]){slug});
    if (r < 0)
        return r;
    r = PQntuples(res) == 1 ? 0 : -ENOENT;
    if (r == 0)
        *ret_id = db_int64(res, 0, 0);
    PQclear(res);
    return r;
}

struct target {
    const char *name;
    int64_t problem_id, verification_id;
    int done, passed;
    char *report;
};

/* Imports (or finds) one target and queues its solutions. */
static int verify_start(struct db_conn *conn, struct target *t, int64_t as_user)
{
    struct stat st;
    int64_t uid = as_user;
    int r;

    if (stat(t->name, &st) == 0) {
        r = cli_import_one(conn, t->name, 0, &t->problem_id, "verify");
        if (r < 0)
            return r;
    } else if (problem_by_slug(conn, t->name, &t->problem_id) < 0) {
        fprintf(stderr, "gavel verify: %s: neither a package nor a stored problem\n", t->name);
        return -ENOENT;
    }
    if (!uid && owner_of(conn, t->problem_id, &uid) < 0) {
        fprintf(stderr, "gavel verify: no user to own the submissions: give --as USERNAME\n");
        return -ENOENT;
    }
    r = db_pkg_verify_start(conn, t->problem_id, uid, &t->verification_id);
    if (r == -ENOENT)
        fprintf(stderr, "gavel verify: %s ships no solutions\n", t->name);
    else if (r < 0)
        fprintf(stderr, "gavel verify: %s: %s\n", t->name, db_error(conn));
    return r;
}

/* Starts every target first, so that all judges work at once, then waits for them all. */
static int verify_all(struct db_conn *conn, struct target *t, size_t n, int64_t as_user,
                      int timeout_s, int json)
{
    struct timespec start, now;
    int failed = 0, pending;

    for (size_t i = 0; i < n; i++)
        if (verify_start(conn, &t[i], as_user) < 0)
            t[i].verification_id = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        pending = 0;
        for (size_t i = 0; i < n; i++) {
            if (!t[i].verification_id || t[i].done)
                continue;
            free(t[i].report);
            t[i].report = NULL;
            if (db_pkg_verify_report(conn, t[i].problem_id, t[i].verification_id, &t[i].report,
                                     &t[i].done, &t[i].passed) < 0) {
                fprintf(stderr, "gavel verify: %s: %s\n", t[i].name, db_error(conn));
                t[i].verification_id = 0;
                continue;
            }
            pending += !t[i].done;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (pending && now.tv_sec - start.tv_sec < timeout_s)
            usleep(200 * 1000);
    } while (pending && now.tv_sec - start.tv_sec < timeout_s);
    for (size_t i = 0; i < n; i++) {
        if (!t[i].verification_id) {
            failed++;
            continue;
        }
        if (json)
            printf("%s\n", t[i].report);
        else
            print_report(t[i].report);
        if (!t[i].done)
            fprintf(stderr,
                    "gavel verify: %s: not judged within %d s (is a gavel-judge running?)\n",
                    t[i].name, timeout_s);
        failed += !t[i].passed;
    }
    return failed;
}

int cli_verify(struct cli_ctx *ctx, int argc, char **argv)
{
    struct target *targets;
    int64_t as_user = 0;
    int timeout_s = 600, json = 0, failed = 0;
    size_t n = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--as") || !strcmp(argv[i], "--timeout")) {
            if (i + 1 >= argc)
                return cli_usage("verify", "%s needs a value", argv[i]);
            i++;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] == '-') {
            return cli_usage("verify", "unknown option %s", argv[i]);
        } else {
            n++;
        }
    }
    if (!n)
        return cli_usage("verify", "no PATH or SLUG given");
    for (int i = 1; i + 1 < argc; i++) {
        if (!strcmp(argv[i], "--timeout")) {
            char *end = NULL;
            long v = strtol(argv[++i], &end, 10);
            if (!*argv[i] || *end || v < 1 || v > 86400)
                return cli_usage("verify", "--timeout takes 1 to 86400 seconds");
            timeout_s = (int)v;
        } else if (!strcmp(argv[i], "--as")) {
            if (cli_user_id(ctx->conn, argv[++i], &as_user) < 0) {
                fprintf(stderr, "gavel verify: no user %s\n", argv[i]);
                return 1;
            }
        }
    }
    targets = calloc(n, sizeof(*targets));
    if (!targets)
        return 1;
    n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--as") || !strcmp(argv[i], "--timeout"))
            i++;
        else if (argv[i][0] != '-')
            targets[n++].name = argv[i];
    }
    failed = verify_all(ctx->conn, targets, n, as_user, timeout_s, json);
    for (size_t i = 0; i < n; i++)
        free(targets[i].report);
    free(targets);
    return failed ? 1 : 0;
}
