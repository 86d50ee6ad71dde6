/*
 * package-internal.h: what the package_*.c files share (the parsers of both formats, the
 * store and the exporter) and the unit tests may reach. Not a public interface.
 */
#ifndef GAVEL_DB_PACKAGE_INTERNAL_H
#define GAVEL_DB_PACKAGE_INTERNAL_H

#include "db/package.h"

/* Caps on what a package may declare. */
#define PKG_MAX_TESTS     2000
#define PKG_MAX_SOLUTIONS 200
#define PKG_MAX_NAME      64 /* a test or group name */
/* What the judge passes on to a Kattis output validator (judge/checker.h): more flags, or a
 * longer one, and it could not judge the problem at all. */
#define PKG_MAX_FLAGS    32
#define PKG_MAX_FLAG_LEN 127

/* Keeps a copy of s (len bytes, or strlen when len is (size_t)-1) owned by prob; NULL on
 * allocation failure. */
char *pkg_keep(struct db_pkg_problem *prob, const char *s, size_t len);

/* Appends a test whose data are the files' bytes (borrowed). name and group are copied. */
int pkg_add_test(struct db_pkg_problem *prob, const char *name, const struct db_pkg_file *in,
                 const struct db_pkg_file *out, int points, int is_sample, const char *group);

/* Appends a shipped solution, its source copied. expected is a comma-separated verdict set
 * ("AC", "AC,TLE"); a DOMjudge "@EXPECTED_RESULTS@: A, B" line in the source replaces it. */
int pkg_add_solution(struct db_pkg_problem *prob, const char *path, const char *expected,
                     const struct db_pkg_file *src, struct db_pkg_error *err);

/* Adds the solution of several files in folder dir (every file under dir/, in path order, named
 * relative to it; names as common/source_name.h wants them, at most SOURCE_FILES_MAX files).
 * *ret_next is the index of the first file past the folder (files are sorted by path, so a
 * folder's files are together). */
int pkg_add_solution_dir(struct db_pkg_problem *prob, const struct db_pkg_files *files,
                         size_t first, const char *dir, const char *expected, size_t *ret_next,
                         struct db_pkg_error *err);
/* Verdict sets as bit masks, in the order AC WA TLE MLE RE CE OLE. */
enum {
    PKG_V_AC = 1,
    PKG_V_WA = 2,
    PKG_V_TLE = 4,
    PKG_V_MLE = 8,
    PKG_V_RE = 16,
    PKG_V_CE = 32,
    PKG_V_OLE = 64,
};
/* The verdicts one name stands for: Gavel's (AC, RE...), the Kattis ones (ACCEPTED,
 * WRONG_ANSWER, TIME_LIMIT_EXCEEDED, RUN_TIME_ERROR or RTE: RE or MLE, ...) and DOMjudge's
 * (CORRECT, WRONG-ANSWER, TIMELIMIT, RUN-ERROR, NO-OUTPUT, COMPILER-ERROR, OUTPUT-LIMIT), case,
 * '-', '_' and ' ' aside. len bytes of name; 0 when unknown. */
unsigned pkg_verdict_mask(const char *name, size_t len);
/* Writes mask as "AC,TLE" into out (at least 32 bytes). */
void pkg_verdict_list(unsigned mask, char *out, size_t size);
/* The mask of a comma- (or '+'-) separated list; 0 when a name is unknown or it is empty. */
unsigned pkg_verdict_parse(const char *list);

/* The 1-based line of position pos in text. */
int pkg_line_of(const char *text, size_t pos);

/* 0 when data (len bytes) is text a database column takes: UTF-8 without NUL bytes; else
 * -EINVAL with err naming file, the line of the first bad byte and `what` ("a solution"). */
int pkg_text_check(const void *data, size_t len, const char *file, const char *what,
                   struct db_pkg_error *err);

/* The extension of a path ("cpp" for "a/b.cpp"), or "" when it has none. */
const char *pkg_ext(const char *path);

/* Whether name is a valid test or group name: 1..64 of [A-Za-z0-9._-]. */
int pkg_name_valid(const char *name, size_t len);

/* The C/C++ source of path with every #include "x" of a file beside it in the package pasted
 * in (once each), so a checker split over a few files becomes one source. Owned by prob. */
int pkg_inline_source(struct db_pkg_problem *prob, const struct db_pkg_files *files,
                      const char *path, char **ret_source, struct db_pkg_error *err);

int pkg_parse_gavel(const struct db_pkg_files *files, struct db_pkg_problem *prob,
                    struct db_pkg_error *err);
int pkg_parse_kattis(const struct db_pkg_files *files, struct db_pkg_problem *prob,
                     struct db_pkg_error *err);

#endif
