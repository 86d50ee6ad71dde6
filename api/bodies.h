/*
 * bodies.h: the request bodies of the account, problem, submission and run routes, decoded and
 * checked apart from any database (so the fuzz target can reach every rule here).
 *
 * Each api_body_* call takes the raw body, the caps in force and an arena, and fills a plain
 * struct whose strings live in the arena. It returns 0, or -EINVAL / -E2BIG with err naming
 * the field ("tests[3].output", "checker.abs"), or -ENOMEM. What only the database can check
 * (a slug already taken, an unknown language id) is left to the handler.
 */
#ifndef GAVEL_API_BODIES_H
#define GAVEL_API_BODIES_H

#include <stddef.h>
#include <stdint.h>

#include "api/json.h"
#include "db/problems.h"

#define API_BODY_WUR __attribute__((warn_unused_result))

#define API_USERNAME_MAX     32
#define API_DISPLAY_NAME_MAX 100
#define API_SLUG_MAX         64
#define API_TITLE_MAX        200
#define API_LANGUAGE_MAX     16
#define API_STAFF_MAX        100
#define API_CALLBACK_URL_MAX 2048

/* POST /users */
struct api_user_in {
    const char *username, *password, *display_name, *role; /* display_name, role: NULL if absent */
};
int api_body_user(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                  struct api_user_in *out, struct api_json_error *err) API_BODY_WUR;

/* PATCH /users/{username}: every field optional, NULL (disabled: -1) when absent, with
 * merge-patch rules (display_name null is ""; other nulls are refused). current_password goes
 * with a change of one's own password; username is read-only (the handler checks it is the
 * account's). */
struct api_user_patch_in {
    const char *display_name, *password, *role, *current_password;
    int disabled;
    const char *username;
};
int api_body_user_patch(struct api_arena *a, const char *text, size_t len,
                        const struct api_limits *lim, struct api_user_patch_in *out,
                        struct api_json_error *err) API_BODY_WUR;

/* POST /sessions */
struct api_login_in {
    const char *username, *password;
};
int api_body_login(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                   struct api_login_in *out, struct api_json_error *err) API_BODY_WUR;

/* One file of a submission or run of several files. */
struct api_source_file {
    const char *name, *content;
    /* Sent base64 and not UTF-8 once decoded: content_b64 the exact bytes in base64 (stored as
     * the file's "content_base64"), content a text copy with U+FFFD for each bad byte; else
     * NULL. */
    const char *content_b64;
};

/* POST /submissions. Exactly one of source and files is given: files are 1 to
 * SOURCE_FILES_MAX, their names checked by common/source_name.h (400 naming files[i].name), their
 * contents together at most max_source bytes (413 naming files, as for source). files_json is
 * them as stored, a JSON array of {"name", "content"} in the order given; source is then "". */
struct api_submission_in {
    const char *problem, *language, *source, *contest; /* contest: NULL if absent */
    const char *encoding; /* "base64": source was sent base64 (decoded here); NULL: UTF-8 */
    /* A base64 source that is not UTF-8 once decoded: its exact bytes as a bytea parameter
     * ("\\x" and hex), source then a text copy with U+FFFD for each bad byte; else NULL. */
    const char *source_bytes;
    struct api_source_file *files;
    size_t n_files;
    const char *files_json;   /* NULL for a one-file submission */
    const char *callback_url; /* NULL if absent; checked by api_callback_url_check */
};
int api_body_submission(struct api_arena *a, const char *text, size_t len,
                        const struct api_limits *lim, struct api_submission_in *out,
                        struct api_json_error *err) API_BODY_WUR;

/* POST /runs: source or files as for a submission. */
struct api_run_in {
    const char *language, *source, *stdin_data; /* stdin_data: "" if absent */
    size_t stdin_len;                           /* its bytes: base64 may decode to NUL bytes */
    const char *encoding;     /* "base64": source and stdin were sent base64 (decoded here) */
    const char *source_bytes; /* as a submission's */
    /* Asked for by the run, 0 when absent; within the caps of lim (run_max_*), else 400. */
    int64_t time_limit_ms, wall_limit_ms, memory_limit_mb, output_limit_kb;
    /* A batch: inputs instead of stdin (1 to lim->run_max_inputs, decoded, their bytes in
     * input_lens), and inputs_json, a JSON array of their base64 for the database. */
    const char **inputs;
    size_t n_inputs, *input_lens;
    const char *inputs_json;
    struct api_source_file *files;
    size_t n_files;
    const char *files_json;   /* NULL for a one-file run */
    const char *callback_url; /* NULL if absent; checked by api_callback_url_check */
};
int api_body_run(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                 struct api_run_in *out, struct api_json_error *err) API_BODY_WUR;

/* POST /problems and PUT /problems/{slug}: fills def (tests and strings in the arena). For a
 * PUT, path_slug is the slug of the path: the body's slug may be left out or must equal it,
 * and every field a replacement would otherwise reset is required (statement, visibility,
 * time_limits_ms, checker, stop_on_first_failure, tests; memory_limit_mb may be null). archived
 * and staff are optional (def->archived_set, def->staff_set say whether they were given). */
int api_body_problem(struct api_arena *a, const char *text, size_t len,
                     const struct api_limits *lim, const char *path_slug,
                     struct db_problem_def *def, struct api_json_error *err) API_BODY_WUR;

/* PATCH /problems/{slug}, step 1: checks the patch on its own (types, caps, unknown fields;
 * nothing required), so that a fault is named as the client wrote it. */
int api_body_problem_patch(struct api_arena *a, const char *text, size_t len,
                           const struct api_limits *lim, struct api_json_error *err) API_BODY_WUR;

/* PATCH /problems/{slug}, step 2: the patch merged onto the problem's current form, decoded as
 * a PUT, except that without "tests" the stored tests stay (def->keep_tests). */
int api_body_problem_merged(struct api_arena *a, const char *text, size_t len,
                            const struct api_limits *lim, const char *path_slug,
                            struct db_problem_def *def, struct api_json_error *err) API_BODY_WUR;

/* 0 if s is a username by the schema's rule ([A-Za-z0-9_.-], 1-32), else -EINVAL. */
int api_username_valid(const char *s) API_BODY_WUR;

#endif
