/*
 * bodies.c: decoding of the request bodies of the account, problem, submission and run routes
 * (bodies.h). Field tables are built per call because their caps are settings.
 */
#include "api/bodies.h"
#include "common/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <sodium.h>
#include <string.h>

#include "common/source_name.h"
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

/* The length of a string field that may hold n bytes in base64 (line breaks allowed): the
 * bytes themselves are checked once decoded. */
static double b64_room(size_t n)
{
    return (double)(n / 3 * 4 + 4 + n / 38);
}

/* encoding: absent or "utf-8" (0), "base64" (1), else refused naming it. */
static int body_encoding(const char *encoding, struct api_json_error *err)
{
    if (!encoding || !strcmp(encoding, "utf-8"))
        return 0;
    if (!strcmp(encoding, "base64"))
        return 1;
    snprintf(err->field, sizeof(err->field), "encoding");
    err->message = "must be \"utf-8\" (the default) or \"base64\"";
    return -EINVAL;
}

/* Decodes the base64 (RFC 4648, padded; spaces and line breaks ignored) of field into the arena:
 * at most max bytes, and for a source, no NUL byte. */
static int from_base64(struct api_arena *a, const char *field, const char *text, size_t max,
                       int source, const char **ret, size_t *ret_len, struct api_json_error *err)
{
    size_t n = strlen(text), cap = n / 4 * 3 + 3, len = 0;
    char *buf = api_arena_alloc(a, cap + 1);

    snprintf(err->field, sizeof(err->field), "%s", field);
    if (!buf)
        return -ENOMEM;
    if (sodium_base642bin((unsigned char *)buf, cap, text, n, " \t\r\n", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        err->message = "is not base64 (RFC 4648, with padding), as encoding says";
        return -EINVAL;
    }
    if (len > max) {
        err->message = api_arena_printf(a, "is longer than %zu bytes once decoded", max);
        return -E2BIG;
    }
    buf[len] = '\0';
    if (source && memchr(buf, '\0', len)) {
        err->message = "holds a NUL byte once decoded: a source is text";
        return -EINVAL;
    }
    *ret = buf;
    if (ret_len)
        *ret_len = len;
    err->field[0] = '\0';
    return 0;
}

/* The file fields of a submission or run. */
static const struct api_field file_fields[] = {
    API_FIELD_STR(struct api_source_file, name, API_REQUIRED, 1, SOURCE_NAME_MAX),
    /* The total is capped by the caller; one file alone may take all of it. */
    API_FIELD_STR(struct api_source_file, content, API_REQUIRED | API_TOOBIG, 0, 1e9),
    API_FIELD_END,
};

/* After the decode: exactly one of source and files, the files' names and total size, and the
 * JSON text they are stored as. *source becomes "" when files are given. */
static int check_sources(struct api_arena *a, const struct api_limits *lim, const char **source,
                         const struct api_source_file *files, size_t n_files, const char **ret_json,
                         struct api_json_error *err)
{
    const char **names, *why;
    struct api_json j;
    size_t total = 0;
    long k;

    *ret_json = NULL;
    if (*source && files)
        return bad(err, "files", "give either source or files, not both");
    if (!*source && !files)
        return bad(err, "source", "is required (or files, for several files)");
    if (!files)
        return 0;
    names = api_arena_alloc(a, (n_files + 1) * sizeof(*names));
    if (!names)
        return -ENOMEM;
    for (size_t i = 0; i < n_files; i++) {
        why = source_name_check(files[i].name);
        if (why) {
            snprintf(err->field, sizeof(err->field), "files[%zu].name", i);
            err->message = why;
            return -EINVAL;
        }
        names[i] = files[i].name;
        total += strlen(files[i].content);
    }
    k = source_names_clash(names, n_files, &why);
    if (k >= 0) {
        snprintf(err->field, sizeof(err->field), "files[%ld].name", k);
        err->message = why;
        return -EINVAL;
    }
    if (total > lim->max_source) {
        snprintf(err->field, sizeof(err->field), "files");
        err->message = "is too long: the files together exceed the source cap";
        return -E2BIG;
    }
    api_json_init(&j, total * 6 + n_files * 1024 + 64);
    api_json_arr(&j);
    for (size_t i = 0; i < n_files; i++) {
        api_json_obj(&j);
        api_json_kstr(&j, "name", files[i].name);
        api_json_kstr(&j, "content", files[i].content);
        if (files[i].content_b64)
            api_json_kstr(&j, "content_base64", files[i].content_b64);
        api_json_end(&j);
    }
    api_json_end(&j);
    if (api_json_error(&j) < 0) {
        api_json_release(&j);
        return -ENOMEM;
    }
    *ret_json = api_arena_strndup(a, j.buf.data, j.buf.len);
    api_json_release(&j);
    if (!*ret_json)
        return -ENOMEM;
    *source = "";
    return 0;
}

/* A decode error about the number of files is a 400 like any other hostile count, not a 413. */
static int files_count_error(int r, struct api_json_error *err)
{
    if (r == -E2BIG && !strcmp(err->field, "files")) {
        err->message = "has too many files (at most 32)";
        return -EINVAL;
    }
    return r;
}

/* A decoded source of n bytes that is not UTF-8: its text copy (U+FFFD for each bad byte) in
 * *text, and in *ret_exact its bytes as a bytea parameter (hex) or, with b64, in base64. */
static int not_utf8_source(struct api_arena *a, const char **text, size_t n, int b64,
                           const char **ret_exact)
{
    char *copy = api_arena_alloc(a, 3 * n + 1), *exact;
    size_t size = b64 ? sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) : 2 * n + 3;

    exact = api_arena_alloc(a, size);
    if (!copy || !exact)
        return -ENOMEM;
    if (b64) {
        sodium_bin2base64(exact, size, (const unsigned char *)*text, n,
                          sodium_base64_VARIANT_ORIGINAL);
    } else {
        memcpy(exact, "\\x", 2);
        sodium_bin2hex(exact + 2, size - 2, (const unsigned char *)*text, n);
    }
    utf8_lossy(*text, n, copy);
    *text = copy;
    *ret_exact = exact;
    return 0;
}

/* The encoding of a body's source, files and stdin: base64 ones decoded in place. A source or
 * file that is not UTF-8 once decoded keeps its exact bytes beside a text copy (*ret_bytes, a
 * file's content_b64). In UTF-8 the source's own cap checked, which the decode leaves a third
 * wider for base64. */
static int decode_sources(struct api_arena *a, const struct api_limits *lim, const char *encoding,
                          const char **source, const char **ret_bytes,
                          struct api_source_file *files, size_t n_files, struct api_json_error *err)
{
    int r, b64 = body_encoding(encoding, err);
    size_t len = 0;

    if (b64 < 0)
        return b64;
    if (!b64) {
        if (*source && strlen(*source) > lim->max_source) {
            snprintf(err->field, sizeof(err->field), "source");
            err->message = "is too long";
            return -E2BIG;
        }
        return 0;
    }
    if (*source) {
        r = from_base64(a, "source", *source, lim->max_source, 1, source, &len, err);
        if (r == 0 && !utf8_valid(*source, len))
            r = not_utf8_source(a, source, len, 0, ret_bytes);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < n_files; i++) {
        char field[48];
        snprintf(field, sizeof(field), "files[%zu].content", i);
        r = from_base64(a, field, files[i].content, lim->max_source, 1, &files[i].content, &len,
                        err);
        if (r == 0 && !utf8_valid(files[i].content, len))
            r = not_utf8_source(a, &files[i].content, len, 1, &files[i].content_b64);
        if (r < 0)
            return r;
    }
    return 0;
}

int api_body_submission(struct api_arena *a, const char *text, size_t len,
                        const struct api_limits *lim, struct api_submission_in *out,
                        struct api_json_error *err)
{
    struct api_field f[] = {
        API_FIELD_STR(struct api_submission_in, problem, API_REQUIRED, 1, API_SLUG_MAX),
        API_FIELD_STR(struct api_submission_in, language, API_REQUIRED, 1, API_LANGUAGE_MAX),
        API_FIELD_STR(struct api_submission_in, source, API_TOOBIG, 1, (double)lim->max_source),
        API_FIELD_STR(struct api_submission_in, contest, 0, 1, API_SLUG_MAX),
        API_FIELD_STR(struct api_submission_in, encoding, 0, 1, 16),
        API_FIELD_ARR(struct api_submission_in, files, 0, 1, SOURCE_FILES_MAX, file_fields,
                      struct api_source_file, n_files),
        API_FIELD_STR(struct api_submission_in, callback_url, 0, 1, API_CALLBACK_URL_MAX),
        API_FIELD_END,
    };
    int r;

    memset(out, 0, sizeof(*out));
    /* In base64 the source may be a third longer than its bytes. */
    f[2].max = b64_room(lim->max_source);
    r = files_count_error(api_json_decode(a, text, len, lim, f, out, err), err);
    if (r == 0)
        r = decode_sources(a, lim, out->encoding, &out->source, &out->source_bytes, out->files,
                           out->n_files, err);
    if (r < 0)
        return r;
    return check_sources(a, lim, &out->source, out->files, out->n_files, &out->files_json, err);
}

/* A batch run's inputs: not with stdin, at most the cap, each decoded when base64, together at
 * most max_stdin bytes; inputs_json made for the database. */
static int batch_inputs(struct api_arena *a, const struct api_limits *lim, int b64,
                        struct api_run_in *out, struct api_json_error *err)
{
    size_t total = 0;
    struct api_json j;
    int r = 0;

    snprintf(err->field, sizeof(err->field), "inputs");
    if (out->stdin_data) {
        err->message = "give stdin or inputs (a batch), not both";
        return -EINVAL;
    }
    if (out->n_inputs < 1 || (int64_t)out->n_inputs > lim->run_max_inputs) {
        err->message = api_arena_printf(a, "must hold 1 to %lld inputs (GAVEL_RUN_MAX_INPUTS)",
                                        (long long)lim->run_max_inputs);
        return -EINVAL;
    }
    out->input_lens = api_arena_alloc(a, out->n_inputs * sizeof(*out->input_lens));
    if (!out->input_lens)
        return -ENOMEM;
    for (size_t i = 0; i < out->n_inputs; i++) {
        char field[32];
        snprintf(field, sizeof(field), "inputs[%zu]", i);
        if (b64) {
            r = from_base64(a, field, out->inputs[i], lim->max_stdin, 0, &out->inputs[i],
                            &out->input_lens[i], err);
            if (r < 0)
                return r;
        } else {
            out->input_lens[i] = strlen(out->inputs[i]);
        }
        total += out->input_lens[i];
    }
    if (total > lim->max_stdin) {
        snprintf(err->field, sizeof(err->field), "inputs");
        err->message = api_arena_printf(a, "are longer than %zu bytes together", lim->max_stdin);
        return -E2BIG;
    }
    api_json_init(&j, total / 3 * 4 + out->n_inputs * 8 + 64);
    api_json_arr(&j);
    for (size_t i = 0; i < out->n_inputs; i++) {
        size_t size = sodium_base64_ENCODED_LEN(out->input_lens[i], sodium_base64_VARIANT_ORIGINAL);
        char *text = api_arena_alloc(a, size);
        if (!text) {
            r = -ENOMEM;
            break;
        }
        sodium_bin2base64(text, size, (const unsigned char *)out->inputs[i], out->input_lens[i],
                          sodium_base64_VARIANT_ORIGINAL);
        api_json_str(&j, text);
    }
    api_json_end(&j);
    if (r == 0 && api_json_error(&j) < 0)
        r = -ENOMEM;
    if (r == 0 && !(out->inputs_json = api_arena_strndup(a, j.buf.data, j.buf.len)))
        r = -ENOMEM;
    api_json_release(&j);
    err->field[0] = '\0';
    return r;
}

int api_body_run(struct api_arena *a, const char *text, size_t len, const struct api_limits *lim,
                 struct api_run_in *out, struct api_json_error *err)
{
    struct api_field f[] = {
        API_FIELD_STR(struct api_run_in, language, API_REQUIRED, 1, API_LANGUAGE_MAX),
        API_FIELD_STR(struct api_run_in, source, API_TOOBIG, 1, (double)lim->max_source),
        API_FIELD_STR(struct api_run_in, stdin_data, API_TOOBIG, 0, (double)lim->max_stdin),
        API_FIELD_INT(struct api_run_in, time_limit_ms, 0, 1, (double)lim->run_max_time_ms),
        API_FIELD_INT(struct api_run_in, wall_limit_ms, 0, 1, (double)lim->run_max_wall_ms),
        API_FIELD_INT(struct api_run_in, memory_limit_mb, 0, 1, (double)lim->run_max_memory_mb),
        API_FIELD_INT(struct api_run_in, output_limit_kb, 0, 1, (double)lim->run_max_output_kb),
        API_FIELD_STR(struct api_run_in, encoding, 0, 1, 16),
        API_FIELD_STRS(struct api_run_in, inputs, 0, 0, 1e9, 1000, n_inputs),
        API_FIELD_ARR(struct api_run_in, files, 0, 1, SOURCE_FILES_MAX, file_fields,
                      struct api_source_file, n_files),
        API_FIELD_STR(struct api_run_in, callback_url, 0, 1, API_CALLBACK_URL_MAX),
        API_FIELD_END,
    };
    int r, b64;

    f[2].name = "stdin";
    /* In base64 the source and the input may be a third longer than their bytes. */
    f[1].max = b64_room(lim->max_source);
    f[2].max = b64_room(lim->max_stdin);
    memset(out, 0, sizeof(*out));
    r = files_count_error(api_json_decode(a, text, len, lim, f, out, err), err);
    if (r == 0)
        r = decode_sources(a, lim, out->encoding, &out->source, &out->source_bytes, out->files,
                           out->n_files, err);
    if (r < 0)
        return r;
    b64 = out->encoding && !strcmp(out->encoding, "base64");
    if (out->inputs && (r = batch_inputs(a, lim, b64, out, err)) < 0)
        return r;
    if (!out->stdin_data)
        out->stdin_data = "";
    if (b64) {
        r = from_base64(a, "stdin", out->stdin_data, lim->max_stdin, 0, &out->stdin_data,
                        &out->stdin_len, err);
        if (r < 0)
            return r;
    } else {
        out->stdin_len = strlen(out->stdin_data);
        if (out->stdin_len > lim->max_stdin) {
            snprintf(err->field, sizeof(err->field), "stdin");
            err->message = "is too long";
            return -E2BIG;
        }
    }
    return check_sources(a, lim, &out->source, out->files, out->n_files, &out->files_json, err);
}

struct interactor_in {
    const char *language, *source, *protocol;
};

struct checker_in {
    const char *kind;
    double abs, rel;
    int case_sensitive, space_change_sensitive; /* -1 when absent */
    const char *language, *source;
    const char *protocol; /* a custom checker's: testlib or kattis */
    const char **flags;   /* a kattis checker's flags, passed on to it as they are */
    size_t n_flags;
    struct interactor_in interactor;
};

/* The most flags a checker takes, and the longest (the judge's and packages' caps). */
#define CHECKER_MAX_FLAGS    32
#define CHECKER_MAX_FLAG_LEN 127

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

/* The checker's params as packages store them (db/package_gavel.c, db/package_kattis.c) and
 * the judge reads them (judge/checker.h): float tolerances "abs" and "rel" (1e-6 when left
 * out), "case_sensitive" and "space_change_sensitive" where given, a custom checker's
 * "protocol" (testlib when left out) and its "flags". *ret NULL ({}) when there is nothing to
 * say. */
static int checker_params(struct api_arena *a, const char *kind, const struct checker_in *in,
                          const char **ret)
{
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    int r = -ENOMEM;

    *ret = NULL;
    if (!o)
        return -ENOMEM;
    if (!strcmp(kind, "float") &&
        (!cJSON_AddNumberToObject(o, "abs", in->abs >= 0 ? in->abs : 1e-6) ||
         !cJSON_AddNumberToObject(o, "rel", in->rel >= 0 ? in->rel : 1e-6)))
        goto out;
    if (in->case_sensitive >= 0 && !cJSON_AddBoolToObject(o, "case_sensitive", in->case_sensitive))
        goto out;
    if (in->space_change_sensitive >= 0 &&
        !cJSON_AddBoolToObject(o, "space_change_sensitive", in->space_change_sensitive))
        goto out;
    if (!strcmp(kind, "custom")) {
        cJSON *flags;
        if (!cJSON_AddStringToObject(o, "protocol", in->protocol ? in->protocol : "testlib"))
            goto out;
        if (in->flags) {
            flags = cJSON_AddArrayToObject(o, "flags");
            if (!flags)
                goto out;
            for (size_t i = 0; i < in->n_flags; i++) {
                cJSON *f = cJSON_CreateString(in->flags[i]);
                if (!f || !cJSON_AddItemToArray(flags, f)) {
                    cJSON_Delete(f);
                    goto out;
                }
            }
        }
    }
    r = 0;
    if (!o->child)
        goto out;
    text = cJSON_PrintUnformatted(o);
    if (!text) {
        r = -ENOMEM;
        goto out;
    }
    *ret = api_arena_strndup(a, text, strlen(text));
    r = *ret ? 0 : -ENOMEM;
out:
    cJSON_free(text);
    cJSON_Delete(o);
    return r;
}

/* CREATE and PUT decode a whole body, MERGED a PATCH already merged onto the stored form;
 * PATCH only checks a PATCH body's members (their types and bounds) before it is merged. */
enum problem_mode { CREATE, PUT, MERGED, PATCH };

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
    /* points -1: left out, 1 for a secret test and 0 for a sample, as packages give them. */
    static const struct test_in test_defaults = {.points = -1};
    const struct api_field interactor_f[] = {
        API_FIELD_STR(struct interactor_in, language, API_REQUIRED, 1, API_LANGUAGE_MAX),
        API_FIELD_STR(struct interactor_in, source, API_REQUIRED | API_TOOBIG, 1,
                      (double)lim->max_source),
        API_FIELD_STR(struct interactor_in, protocol, 0, 1, 16),
        API_FIELD_END,
    };
    const struct api_field checker_f[] = {
        API_FIELD_STR(struct checker_in, kind, API_REQUIRED, 1, 16),
        API_FIELD_NUM(struct checker_in, abs, 0, 0, 1e9),
        API_FIELD_NUM(struct checker_in, rel, 0, 0, 1e9),
        API_FIELD_BOOL(struct checker_in, case_sensitive, 0),
        API_FIELD_BOOL(struct checker_in, space_change_sensitive, 0),
        API_FIELD_STR(struct checker_in, protocol, 0, 1, 16),
        API_FIELD_STRS(struct checker_in, flags, 0, 1, CHECKER_MAX_FLAG_LEN, CHECKER_MAX_FLAGS,
                       n_flags),
        API_FIELD_STR(struct checker_in, language, 0, 1, API_LANGUAGE_MAX),
        API_FIELD_STR(struct checker_in, source, API_TOOBIG, 1, (double)lim->max_source),
        API_FIELD_OBJ(struct checker_in, interactor, 0, interactor_f),
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
    if (mode == PATCH)
        return api_json_decode_patch(a, text, len, lim, f, &in, NULL, err);
    in.checker.abs = -1;
    in.checker.rel = -1;
    in.checker.case_sensitive = -1;
    in.checker.space_change_sensitive = -1;
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
    /* A PATCH merged onto the stored form carries the parameters GET shows of the old kind:
     * changing the kind drops those the new one does not use, rather than refusing them. */
    if (mode == MERGED && strcmp(kind, "tokens") && strcmp(kind, "float"))
        in.checker.case_sensitive = in.checker.space_change_sensitive = -1;
    if (mode == MERGED && strcmp(kind, "custom")) {
        in.checker.protocol = NULL;
        in.checker.flags = NULL;
    }
    if (strcmp(kind, "tokens") && strcmp(kind, "float") &&
        (in.checker.case_sensitive >= 0 || in.checker.space_change_sensitive >= 0))
        return bad(err,
                   in.checker.case_sensitive >= 0 ? "checker.case_sensitive"
                                                  : "checker.space_change_sensitive",
                   "is only for the tokens and float checkers");
    if (strcmp(kind, "custom") && (in.checker.protocol || in.checker.flags))
        return bad(err, in.checker.protocol ? "checker.protocol" : "checker.flags",
                   "is only for the custom checker");
    if (in.checker.protocol && strcmp(in.checker.protocol, "testlib") &&
        strcmp(in.checker.protocol, "kattis"))
        return bad(err, "checker.protocol", "must be testlib or kattis");
    if (in.checker.flags && (!in.checker.protocol || strcmp(in.checker.protocol, "kattis")))
        return bad(err, "checker.flags", "are only for a checker of the kattis protocol");
    if (!strcmp(kind, "custom") && !in.checker.language)
        return bad(err, "checker.language", "is required");
    if (!strcmp(kind, "custom") && !in.checker.source)
        return bad(err, "checker.source", "is required");
    const struct interactor_in *ia = &in.checker.interactor;
    const char *protocol = ia->protocol ? ia->protocol : "testlib";
    if (ia->source && strcmp(protocol, "testlib") && strcmp(protocol, "kattis"))
        return bad(err, "checker.interactor.protocol", "must be testlib or kattis");
    /* A Kattis interactor is the whole judge: no checker reads an output after it. */
    if (ia->source && !strcmp(protocol, "kattis") && strcmp(kind, "tokens"))
        return bad(err, "checker.kind",
                   "must be tokens (unused) with a kattis interactor, which judges alone");

    memset(def, 0, sizeof(*def));
    def->slug = in.slug;
    def->title = in.title;
    def->statement = in.statement ? in.statement : "";
    def->visibility = in.visibility ? in.visibility : "public";
    def->memory_limit_mb = (int)in.memory_limit_mb;
    def->time_limits_json = in.time_limits_ms;
    def->checker_kind = kind;
    r = checker_params(a, kind, &in.checker, &def->checker_params_json);
    if (r < 0)
        return r;
    def->checker_language = in.checker.language;
    def->checker_source = in.checker.source;
    if (ia->source) {
        def->interactor_language = ia->language;
        def->interactor_source = ia->source;
        def->interactor_protocol = protocol;
    }
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
        tests[i].points = t->points >= 0 ? (int)t->points : t->sample ? 0 : 1;
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
    return problem_body(a, text, len, lim, NULL, PATCH, NULL, err);
}
