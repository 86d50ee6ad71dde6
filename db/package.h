/*
 * package.h: problem packages — reading, importing, exporting and self-checking them.
 *
 * A package is a set of files: a folder, a zip or a tar.gz archive. Two formats are read:
 *
 *   Gavel's own   problem.json, statement.md, tests/NAME.in + tests/NAME.out, an optional
 *                 checker source, solutions/<EXPECTED>/FILE (problems/README.md documents it)
 *   Kattis/ICPC   problem.yaml, problem_statement/, data/sample, data/secret/... (nested
 *                 groups), output_validators/, submissions/<accepted|wrong_answer|...>/
 *
 * and Gavel's own is written back (export). The three steps are apart so each can be tested
 * without the others:
 *
 *     struct db_pkg_files files;                      // 1. bytes in memory, checked for safety
 *     struct db_pkg_problem prob;                     // 2. parsed, nothing stored yet
 *     struct db_pkg_error err;
 *     r = db_pkg_read_path("problems/sum", NULL, &files, &err);
 *     if (r >= 0) r = db_pkg_parse(&files, "sum", &prob, &err);
 *     if (r >= 0) r = db_pkg_save(conn, &prob, owner_id, DB_PROBLEM_UPSERT, &id, &err);  // 3.
 *     if (r < 0) fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
 *     db_pkg_problem_release(&prob);
 *     db_pkg_files_release(&files);
 *
 * Safety: nothing from an archive is ever written to disk. Every entry is read into memory
 * under caps (struct db_pkg_limits): entries whose path is absolute or holds "..", symbolic
 * and hard links, devices, fifos and sockets are refused; per-file and total sizes and the
 * number of entries are capped while decompressing (never trusting the sizes an archive
 * claims), and an archive that expands more than max_ratio times is refused as a bomb.
 *
 * Errors are negative errno values: -EINVAL a malformed or unsafe package (err says which file,
 * which line when known, and why), -E2BIG a cap was exceeded, -ENOENT no such path or
 * problem, -ENOMEM, -EIO, and those of db.h and problems.h for the database steps.
 */
#ifndef GAVEL_DB_PACKAGE_H
#define GAVEL_DB_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "db/problems.h"

/* Caps applied while reading a package. Zero fields take the defaults below. */
struct db_pkg_limits {
    size_t max_file;    /* bytes of one file */
    size_t max_total;   /* bytes of all files together */
    size_t max_entries; /* entries of an archive or folder, directories included */
    size_t max_ratio;   /* expanded size / archive size, checked past 16 MiB expanded */
};
#define DB_PKG_MAX_FILE    ((size_t)64 << 20)
#define DB_PKG_MAX_TOTAL   ((size_t)256 << 20)
#define DB_PKG_MAX_ENTRIES ((size_t)10000)
#define DB_PKG_MAX_RATIO   ((size_t)1000)
#define DB_PKG_MAX_PATH    255 /* bytes of a path inside a package */

/* Where and why a package was refused. line is 1-based; 0 when no line applies. */
struct db_pkg_error {
    char file[DB_PKG_MAX_PATH + 1]; /* a path inside the package, or the package itself */
    int line;
    char message[256];
};

/* One regular file of a package. path is relative, '/'-separated, normalised. */
struct db_pkg_file {
    char *path;
    unsigned char *data; /* len bytes, followed by a NUL that is not counted */
    size_t len;
};

/* The files of a package, sorted by path. Owns every path and buffer. */
struct db_pkg_files {
    struct db_pkg_file *v;
    size_t n;
    size_t cap;
    size_t total; /* bytes of all files */
};

/* Reads a folder (recursively; names starting with '.' are skipped) or, when path is a regular
 * file, a zip or tar.gz archive. A single top-level folder holding the whole package is
 * stripped. limits may be NULL (defaults). On success *ret is filled and owned by the caller:
 * db_pkg_files_release. On failure *ret is empty and err says why. */
int db_pkg_read_path(const char *path, const struct db_pkg_limits *limits, struct db_pkg_files *ret,
                     struct db_pkg_error *err) DB_WUR;

/* Reads an archive (zip, tar, tar.gz, ...) held in memory, e.g. an upload's body. */
int db_pkg_read_archive(const void *data, size_t len, const struct db_pkg_limits *limits,
                        struct db_pkg_files *ret, struct db_pkg_error *err) DB_WUR;

/* Frees what a db_pkg_read_* call filled. Accepts an empty or zeroed set. */
void db_pkg_files_release(struct db_pkg_files *files);

/* The file at path, or NULL. */
const struct db_pkg_file *db_pkg_file_get(const struct db_pkg_files *files, const char *path);

/* A solution shipped with a package and the verdict it must get. */
struct db_pkg_solution {
    char *path; /* inside the package, e.g. "solutions/TLE/slow.py", or the folder of a
                   solution of several files ("submissions/accepted/multi") */
    /* The verdicts it may get, comma-separated in the order AC WA TLE MLE RE CE OLE: "AC",
     * or "AC,TLE" for a solution that may be accepted or time out (DOMjudge's
     * @EXPECTED_RESULTS@, the Kattis submissions.yaml, the rejected/ and brute_force/ folders) */
    char expected[32];
    char *source;     /* NUL-terminated copy; "" for a solution of several files */
    char *files_json; /* several files: [{"name", "content"}], names relative to path; or NULL */
    char *exts;       /* several files: their extensions in order, space-separated ("h cpp") */
};

/* A parsed package: def is ready for db_problem_save (its pointers point into this struct and
 * into the files it was parsed from, which must outlive it). */
struct db_pkg_problem {
    struct db_problem_def def;
    const char *format;   /* "gavel" or "kattis" */
    int time_limit_ms;    /* base limit scaled to every language at save; 0 = none */
    char *meta_json;      /* settings only the self-check reads, e.g. {"time_multiplier":5} */
    char *checker_ext;    /* custom checker: the source's extension ("cpp"), for its language */
    char *checker_path;   /* custom checker: its source's path in the package ("checker.cpp") */
    char *interactor_ext; /* Gavel's format: the interactor's extension, for its language */
    int interactive;      /* Kattis: the output validator is the interactor (once the language
                             is known it moves to def.interactor_*, protocol kattis) */
    struct db_pkg_solution *solutions;
    size_t n_solutions;
    /* owned storage behind def */
    char *slug, *title, *statement, *time_limits_json, *checker_params_json, *checker_source;
    char *interactor_source;
    struct db_test_def *tests;
    char **names; /* test and group names */
    size_t n_names;
};

/* Parses the files as Gavel's format (problem.json at the top) or else as a Kattis package
 * (problem.yaml). slug names the problem when the package does not (Kattis) or overrides it
 * when not NULL and override is set. On success *ret is owned by the caller
 * (db_pkg_problem_release); on -EINVAL err names the file and line at fault. */
int db_pkg_parse(const struct db_pkg_files *files, const char *slug, int override,
                 struct db_pkg_problem *ret, struct db_pkg_error *err) DB_WUR;

/* Frees what db_pkg_parse filled. Accepts a zeroed struct. */
void db_pkg_problem_release(struct db_pkg_problem *prob);

/* Sets prob->def.checker_language from the custom checker's extension (db_pkg_save does too),
 * so that the checker can be compiled before the package is saved. 0 (also when there is no
 * custom checker) or -EINVAL with err naming the checker's file. */
int db_pkg_checker_language(struct db_conn *conn, struct db_pkg_problem *prob,
                            struct db_pkg_error *err) DB_WUR;

/* Saves a parsed package: problem, tests, checker, shipped solutions and package settings in
 * one transaction (db_problem_save), so a refused package changes nothing. Languages of the
 * checker and the solutions come from their extensions, matched against the languages table.
 * owner_id 0 keeps the current owner (none for a new problem). */
int db_pkg_save(struct db_conn *conn, struct db_pkg_problem *prob, int64_t owner_id,
                enum db_save_mode mode, int64_t *ret_id, struct db_pkg_error *err) DB_WUR;

/* Exports problem `slug` in Gavel's format as a zip (tar_gz = 0) or tar.gz archive in memory,
 * owned by the caller (free). Importing it gives back the same problem: settings, statement,
 * tests with their names, points, samples and groups, checker and shipped solutions. */
int db_pkg_export(struct db_conn *conn, const char *slug, int tar_gz, unsigned char **ret_data,
                  size_t *ret_len) DB_WUR;

/* Starts a self-check of problem_id: every shipped solution is queued as a submission of
 * user_id outside any contest, in one transaction. Returns the verification's id, or -ENOENT
 * when the problem ships no solutions. */
int db_pkg_verify_start(struct db_conn *conn, int64_t problem_id, int64_t user_id,
                        int64_t *ret_verification_id) DB_WUR;

/* The report of a verification (verification_id 0 = the problem's latest), as JSON text owned
 * by the caller (free):
 *   {"verification": 7, "problem": "sum", "done": true, "passed": false,
 *    "solutions": [{"path": "solutions/AC/sol.c", "language": "c", "expected": "AC",
 *                   "actual": "AC", "ok": true, "status": "done", "score": 100, "max_score":
 *                   100, "time_ms": 12, "memory_kb": 1400, "time_limit_ms": 1000,
 *                   "submission": 41}, ...],
 *    "slowest_accepted": {"path": ..., "time_ms": 120, "time_limit_ms": 1000,
 *                         "fraction": 0.12},
 *    "warnings": ["..."]}
 * done: every submission is judged; passed: done and every actual verdict is one of the
 * expected ones ("expected" is a comma-separated set, e.g. "AC,TLE").
 *
 * A Kattis package without a time limit (limits.time_limit, .timelimit,
 * domjudge-problem.ini) is stored with a measuring limit (DB_PKG_MEASURE_MS, scaled per
 * language) until a verification derives it: once every submission of a verification started
 * while the limit was pending is judged, the report derives the limit by the package's rule
 * (problems/README.md), stores it in the problem (and in the verification), and judges every
 * solution as at that limit from its per-test times ("actual"; "measured" is the verdict it got
 * at the measuring limit). The report then has
 *   "limits": {"time_limit_ms": 2000, "time_limit_from": "derived", "rule": "legacy",
 *              "slowest_accepted_ms": 310, "time_multiplier": 5, "time_safety_margin": 2,
 *              "time_limits_ms": {"c": 2000, ...}, "memory_mb": 2048, "memory_from": ...}
 * so that "derived" is visible whichever way the limit came. This report is therefore not
 * read-only: its first call after the last judgement stores the derived limit.
 * -ENOENT when there is no such verification. */
int db_pkg_verify_report(struct db_conn *conn, int64_t problem_id, int64_t verification_id,
                         char **ret_json, int *ret_done, int *ret_passed) DB_WUR;

/* The base time limit a Kattis package without one is judged with until a verification derives
 * it: generous, so that the accepted solutions' times can be measured. */
#define DB_PKG_MEASURE_MS 10000

/* Sets err (printf-style message); returns -EINVAL for `return db_pkg_fail(...)`. */
int db_pkg_fail(struct db_pkg_error *err, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
