/*
 * problems.h: the one way a problem and its tests are written to the database.
 *
 * POST/PUT /problems (JSON), package uploads and `gavel import` all build a db_problem_def and
 * call db_problem_save, so every path validates and stores the same way. Test data goes into
 * the content-addressed blobs table (sha256, hex); identical data is stored once.
 *
 * The whole save is one transaction: on any error nothing is changed. A replacement bumps the
 * problem's version, which judges use to key their caches (custom checkers, test data).
 *
 * The def and everything it points to stay owned by the caller; nothing is kept.
 */
#ifndef GAVEL_DB_PROBLEMS_H
#define GAVEL_DB_PROBLEMS_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct db_test_def {
    const char *name;           /* "" allowed; shown to instructors */
    const unsigned char *input; /* input_len bytes, any content (NUL bytes too) */
    size_t input_len;
    const unsigned char *output; /* the expected answer */
    size_t output_len;
    int points;        /* >= 0 */
    int is_sample;     /* samples are shown with the statement */
    const char *group; /* NULL: scored alone; else all-or-nothing with its group */
};

/* stop_on_first_failure left to the default: a problem whose tests give no points (judged pass
 * or fail, ICPC style) stops at its first failed test; one with points runs every test its
 * score needs. */
#define DB_STOP_DEFAULT (-1)

struct db_problem_def {
    const char *slug;                /* ^[a-z0-9][a-z0-9_-]{0,63}$ */
    const char *title;               /* 1..200 characters */
    const char *statement;           /* markdown, may be "" */
    const char *visibility;          /* "public" or "hidden"; NULL = public */
    int memory_limit_mb;             /* 0 = each language's default */
    const char *time_limits_json;    /* {"cpp": 1500, ...} or NULL; ids must be languages */
    const char *checker_kind;        /* exact | tokens | float | custom; NULL = tokens */
    const char *checker_params_json; /* e.g. {"abs":1e-6,"rel":1e-6}; NULL = {} */
    const char *checker_language;    /* custom only: a language id */
    const char *checker_source;      /* custom only */
    /* An interactive problem's interactor (all three, or none): a language id, its source and
     * its protocol, "kattis" or "testlib" (problems/README.md). */
    const char *interactor_language, *interactor_source, *interactor_protocol;
    int stop_on_first_failure; /* 1, 0, or DB_STOP_DEFAULT: 1 when no test has points */
    const struct db_test_def *tests;
    size_t n_tests; /* at least 1, unless keep_tests */
    /* REPLACE only: the stored tests stay as they are (tests and n_tests unused). */
    int keep_tests;
    /* archived_set: archived (1: out of the lists, no new submissions; 0: not) is written;
     * otherwise it stays as it was (not archived on create). */
    int archived_set, archived;
    /* staff_set: the staff (instructors who run it with its owner) become these usernames;
     * otherwise they stay as they were (none on create). */
    int staff_set;
    const char *const *staff;
    size_t n_staff;
    /* Optional: more rows to write with the problem (a package's shipped solutions). Called
     * inside the save's transaction once the problem and its tests are written, with the
     * problem's id; a negative return aborts the whole save and is returned as is. */
    int (*save_extra)(struct db_conn *conn, int64_t problem_id, void *arg);
    void *save_extra_arg;
    /* A fingerprint of the whole source of this definition (e.g. a package's files), or NULL.
     * With REPLACE or UPSERT, a stored problem with the same fingerprint is left as it is. */
    const char *content_hash;
};

enum db_save_mode {
    DB_PROBLEM_CREATE,  /* -EEXIST if the slug is taken */
    DB_PROBLEM_REPLACE, /* -ENOENT if there is no such problem */
    DB_PROBLEM_UPSERT,  /* create or replace */
};

/* Validates def and saves it in one transaction (the caller must not be inside one). On
 * success returns 0 with the problem's id and version, or 1 when def->content_hash matched
 * the stored problem's and nothing else was written (id and version are those stored; a
 * non-zero owner_id still becomes the owner).
 * Errors: -EINVAL with ret_field set to the offending field's name ("slug", "tests[3].points",
 * "time_limits_ms.cobol", "staff[1]", ...), -EEXIST, -ENOENT, -ENOTCONN. owner_id 0 = no owner
 * (kept as it was on replace). ret_field may be NULL; otherwise it points to a static string or
 * into field_buf. */
int db_problem_save(struct db_conn *conn, const struct db_problem_def *def, int64_t owner_id,
                    enum db_save_mode mode, int64_t *ret_id, int *ret_version,
                    const char **ret_field, char *field_buf, size_t field_buf_size) DB_WUR;

/* Stores one blob (sha256 of data, hex, written to ret_hash[65]) unless it is already there. */
int db_blob_put(struct db_conn *conn, const unsigned char *data, size_t len, char *ret_hash) DB_WUR;

/* Reads a blob by hash. On success *ret_res holds one row, column 0 the data in binary
 * (PQgetvalue/PQgetlength), owned by the caller (PQclear). -ENOENT if there is none. */
int db_blob_get(struct db_conn *conn, const char *hash, PGresult **ret_res) DB_WUR;

/* Checks a slug against the schema's rule. 0 or -EINVAL. */
int db_slug_valid(const char *slug) DB_WUR;

#endif
