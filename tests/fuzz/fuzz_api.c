/*
 * fuzz_api.c: a libFuzzer target for gavel-api's request parsers.
 *
 * The first byte chooses what the rest is fed to: a request target (split, decoded, routed
 * against every pattern of routes.def, its query values read as integers and cursors), a
 * cursor, or a JSON body for each route's decoder (users, sessions, submissions, runs,
 * problems). The JSON writer is checked on the way: whatever bytes it is given, its output
 * must parse back as JSON. Caps are set low so that the fuzzer reaches them.
 *
 * Built with -fsanitize=fuzzer when GAVEL_FUZZ=ON; fuzz_replay.c runs the same entry point over
 * the seed corpus under plain ctest.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/bodies.h"
#include "api/json.h"
#include "api/parse.h"
#include "common/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const patterns[] = {
#define API_ROUTE(method, pattern, handler, flags) pattern,
#include "api/routes.def"
#undef API_ROUTE
};

static const struct api_limits limits = {
    .max_body = 1 << 16,
    .max_upload = 1 << 16,
    .max_source = 256,
    .max_stdin = 256,
    .max_string = 1024,
    .max_tests = 8,
    .max_depth = 8,
};

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #x);                                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Writes s through the JSON writer and checks the result parses back to a string. */
static void write_roundtrip(const char *s, size_t n)
{
    struct api_json j;
    cJSON *back;

    api_json_init(&j, 1 << 20);
    api_json_obj(&j);
    api_json_key(&j, "k");
    api_json_strn(&j, s, n);
    api_json_end(&j);
    CHECK(api_json_error(&j) == 0);
    CHECK(utf8_valid(j.buf.data, j.buf.len));
    back = cJSON_ParseWithLength(j.buf.data, j.buf.len);
    CHECK(back && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(back, "k")));
    cJSON_Delete(back);
    api_json_release(&j);
}

static void target(struct api_arena *a, const char *s, size_t n)
{
    struct api_uri u;
    const char *field = NULL;

    if (api_uri_parse(a, s, n, &u, &field) < 0)
        return;
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        const char *names[4], *values[4];
        int k = 0;
        if (api_route_match(patterns[i], &u, names, values, 4, &k))
            CHECK(k >= 0 && k <= 4);
    }
    for (int i = 0; i < u.n_query; i++) {
        int64_t v = -1, id = 0;
        if (api_parse_int64(u.query[i].value, 0, 100, &v) == 0)
            CHECK(v >= 0 && v <= 100);
        if (api_cursor_to_id(u.query[i].value, strlen(u.query[i].value), &id) == 0)
            CHECK(id > 0);
    }
}

static void cursor(struct api_arena *a, const char *s, size_t n)
{
    char key[API_CURSOR_MAX + 1];
    const char *again;

    if (api_cursor_decode(s, n, key) < 0)
        return;
    /* A cursor that decodes is exactly the one its key encodes to. */
    again = api_cursor_encode(a, key);
    CHECK(again && strlen(again) == n && memcmp(again, s, n) == 0);
}

static void bodies(struct api_arena *a, const char *s, size_t n, int which)
{
    struct api_json_error err;
    int r = 0;

    switch (which) {
    case 0: {
        struct api_user_in in;
        r = api_body_user(a, s, n, &limits, &in, &err);
        if (r == 0)
            CHECK(api_username_valid(in.username) == 0);
        break;
    }
    case 1: {
        struct api_user_patch_in in;
        r = api_body_user_patch(a, s, n, &limits, &in, &err);
        break;
    }
    case 2: {
        struct api_login_in in;
        r = api_body_login(a, s, n, &limits, &in, &err);
        break;
    }
    case 3: {
        struct api_submission_in in;
        r = api_body_submission(a, s, n, &limits, &in, &err);
        if (r == 0)
            CHECK(strlen(in.source) <= limits.max_source);
        break;
    }
    case 4: {
        struct api_run_in in;
        r = api_body_run(a, s, n, &limits, &in, &err);
        if (r == 0)
            CHECK(in.stdin_data && strlen(in.stdin_data) <= limits.max_stdin);
        break;
    }
    default: {
        struct db_problem_def def;
        r = api_body_problem(a, s, n, &limits, which == 5 ? NULL : "path-slug", &def, &err);
        if (r == 0) {
            CHECK(def.n_tests >= 1 && def.n_tests <= limits.max_tests);
            CHECK(def.slug && def.title && def.checker_kind);
        }
        break;
    }
    }
    CHECK(r == 0 || r == -EINVAL || r == -E2BIG || r == -ENOMEM);
    if (r == -EINVAL || r == -E2BIG)
        CHECK(err.message != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_arena a;
    const char *s = (const char *)data + 1;
    size_t n;

    if (size < 1)
        return 0;
    n = size - 1;
    api_arena_init(&a, 64 << 20);
    switch (data[0] % 10) {
    case 0:
        target(&a, s, n);
        break;
    case 1:
        cursor(&a, s, n);
        break;
    case 2:
        write_roundtrip(s, n);
        break;
    default:
        bodies(&a, s, n, data[0] % 10 - 3);
        break;
    }
    api_arena_release(&a);
    return 0;
}
