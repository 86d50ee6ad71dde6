/*
 * bodies.c: decoding of the request bodies of the account, problem, submission and run routes
 * (bodies.h). Field tables are built per call because their caps are settings.
 */
#include "api/bodies.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "db/accounts.h"

static int bad(struct api_json_error *err, const char *field, const char *msg)
{
    snprintf(err->field, sizeof(err->field), "%s", field);
    err->message = msg;
    return -EINVAL;
}

int api_username_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 1 || n > API_USERNAME_MAX)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return -EINVAL;
    }
    return 0;
}

static int role_valid(const char *r)
{
    return r && (!strcmp(r, "student") || !strcmp(r, "instructor") || !strcmp(r, "admin"));
}

int api_body_user(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                  struct api_user_in *out, struct api_json_error *err)
{
    const struct api_field f[] = {
        API_FIELD_STR(struct api_user_in, username, API_REQUIRED, 1, API_USERNAME_MAX),
        API_FIELD_STR(struct api_user_in, password, API_REQUIRED, DB_PASSWORD_MIN, DB_PASSWORD_MAX),
        API_FIELD_STR(struct api_user_in, display_name, API_CHARS | API_PLAIN, 0,
                      API_DISPLAY_NAME_MAX),
        API_FIELD_STR(struct api_user_in, role, 0, 1, 16),
        API_FIELD_END,
    };
    int r;

    memset(out, 0, sizeof(*out));
    r = api_json_decode(a, text, len, lim, f, out, err);
    if (r < 0)
        return r;
    if (api_username_valid(out->username) < 0)
        return bad(err, "username", "must be 1-32 of A-Z a-z 0-9 _ . -");
    if (out->role && !role_valid(out->role))
        return bad(err, "role", "must be student, instructor or admin");
    return 0;
}

int api_body_user_patch(struct api_arena *a, const char *text, size_t len,
                        const struct api_limits *lim, struct api_user_patch_in *out,
                        struct api_json_error *err)
{
    const struct api_field f[] = {
        API_FIELD_STR(struct api_user_patch_in, display_name, API_CHARS | API_PLAIN, 0,
                      API_DISPLAY_NAME_MAX),
        API_FIELD_STR(struct api_user_patch_in, password, 0, DB_PASSWORD_MIN, DB_PASSWORD_MAX),
        API_FIELD_STR(struct api_user_patch_in, role, 0, 1, 16),
        API_FIELD_STR(struct api_user_patch_in, current_password, 0, 1, DB_PASSWORD_MAX),
        API_FIELD_BOOL(struct api_user_patch_in, disabled, 0),
        API_FIELD_STR(struct api_user_patch_in, username, 0, 1, API_USERNAME_MAX),
        API_FIELD_END,
    };
    uint64_t nulls = 0;
    int r;

    memset(out, 0, sizeof(*out));
    out->disabled = -1;
    r = api_json_decode_patch(a, text, len, lim, f, out, &nulls, err);
    if (r < 0)
        return r;
    /* Merge-patch rules: null removes a value, which only the display name has ("" then);
     * anything else given as null is refused by name rather than ignored. */
    for (size_t i = 1; i < sizeof(f) / sizeof(f[0]) - 1; i++) {
        if (nulls & (1ull << i))
            return bad(err, f[i].name, "cannot be null");
    }
    if (nulls & 1)
        out->display_name = "";
    if (out->role && !role_valid(out->role))
        return bad(err, "role", "must be student, instructor or admin");
    if (out->current_password && !out->password)
        return bad(err, "current_password", "goes only with a new password");
    if (!out->display_name && !out->password && !out->role && out->disabled < 0)
        return bad(err, "", "nothing to change: give display_name, password, role or disabled");
    return 0;
}

int api_body_login(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                   struct api_login_in *out, struct api_json_error *err)
{
    const struct api_field f[] = {
        API_FIELD_STR(struct api_login_in, username, API_REQUIRED, 1, API_USERNAME_MAX),
        API_FIELD_STR(struct api_login_in, password, API_REQUIRED, 1, DB_PASSWORD_MAX),
        API_FIELD_END,
    };

    memset(out, 0, sizeof(*out));
    return api_json_decode(a, text, len, lim, f, out, err);
}

int api_body_submission(struct api_arena *a, const char *text, size_t len,
                        const struct api_limits *lim, struct api_submission_in *out,
                        struct api_json_error *err)
{
    const struct api_field f[] = {
        API_FIELD_STR(struct api_submission_in, problem, API_REQUIRED, 1, API_SLUG_MAX),
        API_FIELD_STR(struct api_submission_in, language, API_REQUIRED, 1, API_LANGUAGE_MAX),
        API_FIELD_STR(struct api_submission_in, source, API_REQUIRED | API_TOOBIG, 1,
                      (double)lim->max_source),
        API_FIELD_STR(struct api_submission_in, contest, 0, 1, API_SLUG_MAX),
        API_FIELD_STR(struct api_submission_in, callback_url, 0, 1, API_CALLBACK_URL_MAX),
        API_FIELD_END,
    };

    memset(out, 0, sizeof(*out));
    return api_json_decode(a, text, len, lim, f, out, err);
}

int api_body_run(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                 struct api_run_in *out, struct api_json_error *err)
{
    struct api_field f[] = {
        API_FIELD_STR(struct api_run_in, language, API_REQUIRED, 1, API_LANGUAGE_MAX),
        API_FIELD_STR(struct api_run_in, source, API_REQUIRED | API_TOOBIG, 1,
                      (double)lim->max_source),
        API_FIELD_STR(struct api_run_in, stdin_data, API_TOOBIG, 0, (double)lim->max_stdin),
        API_FIELD_STR(struct api_run_in, callback_url, 0, 1, API_CALLBACK_URL_MAX),
        API_FIELD_END,
    };
    int r;

    f[2].name = "stdin";
    memset(out, 0, sizeof(*out));
    r = api_json_decode(a, text, len, lim, f, out, err);
    if (r == 0 && !out->stdin_data)
        out->stdin_data = "";
    return r;
}

struct checker_in {
    const char *kind;
    double abs, rel;
    const char *language, *source;
};

struct test_in {
    const char *input, *output, *group, *name;
    int64_t points, ordinal; /* ordinal: 0 when absent */
    int sample;
};

struct problem_in {
    const char *slug, *title, *statement, *visibility;
    int64_t memory_limit_mb;
    const char *time_limits_ms;
    struct checker_in checker;
    int stop_on_first_failure;
    struct test_in *tests;
    size_t n_tests;
    int archived; /* -1 when absent */
    const char **staff;
    size_t n_staff;
};

enum problem_mode { CREATE, PUT, MERGED };

static int problem_body(struct api_arena *a, const char *text, size_t len,
                        const struct api_limits *lim, const char *path_slug, enum problem_mode mode,
                        struct db_problem_def *def, struct api_json_error *err)
{
    /* A replacement takes nothing from defaults: what it would reset must be there (null
     * allowed where null means "none"). A merged PATCH keeps the stored tests when it names
     * none. */
    const unsigned req = mode == CREATE ? 0 : API_REQUIRED;
    const unsigned present = mode == CREATE ? 0 : API_PRESENT;
    const unsigned tests_req = mode == MERGED ? 0 : API_REQUIRED;
    const double big = (double)lim->max_upload;
    static const struct test_in test_defaults = {.points = 1};
    const struct api_field checker_f[] = {
        API_FIELD_STR(struct checker_in, kind, API_REQUIRED, 1, 16),
        API_FIELD_NUM(struct checker_in, abs, 0, 0, 1e9),
        API_FIELD_NUM(struct checker_in, rel, 0, 0, 1e9),
        API_FIELD_STR(struct checker_in, language, 0, 1, API_LANGUAGE_MAX),
        API_FIELD_STR(struct checker_in, source, API_TOOBIG, 1, (double)lim->max_source),
        API_FIELD_END,
    };
    const struct api_field test_f[] = {
        API_FIELD_STR(struct test_in, input, API_REQUIRED | API_TOOBIG, 0, big),
        API_FIELD_STR(struct test_in, output, API_REQUIRED | API_TOOBIG, 0, big),
        API_FIELD_INT(struct test_in, points, 0, 0, 1000000),
        API_FIELD_BOOL(struct test_in, sample, 0),
        API_FIELD_STR(struct test_in, group, 0, 1, 64),
        API_FIELD_STR(struct test_in, name, 0, 0, 200),
        API_FIELD_INT(struct test_in, ordinal, 0, 1, 1e9),
        API_FIELD_END,
    };
    const struct api_field f[] = {
        API_FIELD_STR(struct problem_in, slug, path_slug ? 0 : API_REQUIRED, 1, API_SLUG_MAX),
        API_FIELD_STR(struct problem_in, title, API_REQUIRED | API_CHARS, 1, API_TITLE_MAX),
        API_FIELD_STR(struct problem_in, statement, API_TOOBIG | req, 0, (double)lim->max_string),
        API_FIELD_STR(struct problem_in, visibility, req, 1, 16),
        API_FIELD_INT(struct problem_in, memory_limit_mb, present, 1, 8192),
        API_FIELD_JSON(struct problem_in, time_limits_ms, req),
        API_FIELD_OBJ(struct problem_in, checker, req, checker_f),
        API_FIELD_BOOL(struct problem_in, stop_on_first_failure, req),
        API_FIELD_ARR_DEF(struct problem_in, tests, tests_req, 1, (double)lim->max_tests, test_f,
                          struct test_in, n_tests, &test_defaults),
        API_FIELD_BOOL(struct problem_in, archived, 0),
        API_FIELD_STRS(struct problem_in, staff, 0, 1, API_USERNAME_MAX, API_STAFF_MAX, n_staff),
        API_FIELD_END,
    };
    struct problem_in in;
    struct db_test_def *tests;
    const char *kind;
    int r;

    memset(&in, 0, sizeof(in));
    in.checker.abs = -1;
    in.checker.rel = -1;
    in.archived = -1;
    in.stop_on_first_failure = DB_STOP_DEFAULT;
    r = api_json_decode(a, text, len, lim, f, &in, err);
    if (r < 0)
        return r;
    if (path_slug && in.slug && strcmp(in.slug, path_slug) != 0)
        return bad(err, "slug", "must match the slug in the path (or be left out)");
    if (path_slug)
        in.slug = path_slug;
    if (in.visibility && strcmp(in.visibility, "public") && strcmp(in.visibility, "hidden"))
        return bad(err, "visibility", "must be public or hidden");
    kind = in.checker.kind ? in.checker.kind : "tokens";
    if (strcmp(kind, "tokens") && strcmp(kind, "exact") && strcmp(kind, "float") &&
        strcmp(kind, "custom"))
        return bad(err, "checker.kind", "must be tokens, exact, float or custom");
    if (strcmp(kind, "float") && (in.checker.abs >= 0 || in.checker.rel >= 0))
        return bad(err, in.checker.abs >= 0 ? "checker.abs" : "checker.rel",
                   "is only for the float checker");
    if (strcmp(kind, "custom") && (in.checker.language || in.checker.source))
        return bad(err, in.checker.language ? "checker.language" : "checker.source",
                   "is only for the custom checker");
    if (!strcmp(kind, "custom") && !in.checker.language)
        return bad(err, "checker.language", "is required");
    if (!strcmp(kind, "custom") && !in.checker.source)
        return bad(err, "checker.source", "is required");

    memset(def, 0, sizeof(*def));
    def->slug = in.slug;
    def->title = in.title;
    def->statement = in.statement ? in.statement : "";
    def->visibility = in.visibility ? in.visibility : "public";
    def->memory_limit_mb = (int)in.memory_limit_mb;
    def->time_limits_json = in.time_limits_ms;
    def->checker_kind = kind;
    if (!strcmp(kind, "float")) {
        double abs_ = in.checker.abs >= 0 ? in.checker.abs : 1e-6;
        double rel_ = in.checker.rel >= 0 ? in.checker.rel : 1e-6;
        def->checker_params_json =
            api_arena_printf(a, "{\"abs\": %.17g, \"rel\": %.17g}", abs_, rel_);
        if (!def->checker_params_json)
            return -ENOMEM;
    }
    def->checker_language = in.checker.language;
    def->checker_source = in.checker.source;
    def->stop_on_first_failure = in.stop_on_first_failure;
    def->archived_set = in.archived >= 0;
    def->archived = in.archived > 0;
    def->staff_set = in.staff != NULL;
    def->staff = in.staff;
    def->n_staff = in.n_staff;
    def->keep_tests = !in.tests;
    tests = api_arena_alloc(a, in.n_tests * sizeof(*tests) + 1);
    if (!tests)
        return -ENOMEM;
    for (size_t i = 0; i < in.n_tests; i++) {
        const struct test_in *t = &in.tests[i];
        /* GET gives each test's ordinal: taken back when it is the test's place. */
        if (t->ordinal && t->ordinal != (int64_t)i + 1) {
            char field[48];
            snprintf(field, sizeof(field), "tests[%zu].ordinal", i);
            return bad(err, field, "is read-only: tests are numbered in the order given");
        }
        tests[i].name = t->name ? t->name : "";
        tests[i].input = (const unsigned char *)t->input;
        tests[i].input_len = strlen(t->input);
        tests[i].output = (const unsigned char *)t->output;
        tests[i].output_len = strlen(t->output);
        tests[i].points = (int)t->points;
        tests[i].is_sample = t->sample;
        tests[i].group = t->group;
    }
    def->tests = tests;
    def->n_tests = in.n_tests;
    return 0;
}

int api_body_problem(struct api_arena *a, const char *text, size_t len,
                     const struct api_limits *lim, const char *path_slug,
                     struct db_problem_def *def, struct api_json_error *err)
{
    return problem_body(a, text, len, lim, path_slug, path_slug ? PUT : CREATE, def, err);
}

int api_body_problem_merged(struct api_arena *a, const char *text, size_t len,
                            const struct api_limits *lim, const char *path_slug,
                            struct db_problem_def *def, struct api_json_error *err)
{
    return problem_body(a, text, len, lim, path_slug, MERGED, def, err);
}

int api_body_problem_patch(struct api_arena *a, const char *text, size_t len,
                           const struct api_limits *lim, struct api_json_error *err)
{
    static const struct test_in test_defaults = {.points = 1};
    const double big = (double)lim->max_upload;
    const struct api_field checker_f[] = {
        API_FIELD_STR(struct checker_in, kind, 0, 1, 16),
        API_FIELD_NUM(struct checker_in, abs, 0, 0, 1e9),
        API_FIELD_NUM(struct checker_in, rel, 0, 0, 1e9),
        API_FIELD_STR(struct checker_in, language, 0, 1, API_LANGUAGE_MAX),
        API_FIELD_STR(struct checker_in, source, API_TOOBIG, 1, (double)lim->max_source),
        API_FIELD_END,
    };
    const struct api_field test_f[] = {
        API_FIELD_STR(struct test_in, input, API_REQUIRED | API_TOOBIG, 0, big),
        API_FIELD_STR(struct test_in, output, API_REQUIRED | API_TOOBIG, 0, big),
        API_FIELD_INT(struct test_in, points, 0, 0, 1000000),
        API_FIELD_BOOL(struct test_in, sample, 0),
        API_FIELD_STR(struct test_in, group, 0, 1, 64),
        API_FIELD_STR(struct test_in, name, 0, 0, 200),
        API_FIELD_INT(struct test_in, ordinal, 0, 1, 1e9),
        API_FIELD_END,
    };
    const struct api_field f[] = {
        API_FIELD_STR(struct problem_in, slug, 0, 1, API_SLUG_MAX),
        API_FIELD_STR(struct problem_in, title, API_CHARS, 1, API_TITLE_MAX),
        API_FIELD_STR(struct problem_in, statement, API_TOOBIG, 0, (double)lim->max_string),
        API_FIELD_STR(struct problem_in, visibility, 0, 1, 16),
        API_FIELD_INT(struct problem_in, memory_limit_mb, 0, 1, 8192),
        API_FIELD_JSON(struct problem_in, time_limits_ms, 0),
        API_FIELD_OBJ(struct problem_in, checker, 0, checker_f),
        API_FIELD_BOOL(struct problem_in, stop_on_first_failure, 0),
        API_FIELD_ARR_DEF(struct problem_in, tests, 0, 1, (double)lim->max_tests, test_f,
                          struct test_in, n_tests, &test_defaults),
        API_FIELD_BOOL(struct problem_in, archived, 0),
        API_FIELD_STRS(struct problem_in, staff, 0, 1, API_USERNAME_MAX, API_STAFF_MAX, n_staff),
        API_FIELD_END,
    };
    struct problem_in in;

    memset(&in, 0, sizeof(in));
    return api_json_decode_patch(a, text, len, lim, f, &in, NULL, err);
}
