/*
 * package_gavel.c: Gavel's own package format (problems/README.md is its manual).
 *
 *     problem.json         slug, title, limits, checker, samples, groups and points
 *     statement.md         the statement (markdown), optional
 *     tests/NAME.in/.out   the tests, in the order of their names (strcmp)
 *     checker.EXT          a custom checker's source (or the file checker.source names)
 *     interactor.EXT       an interactive problem's interactor (or interactor.source's file),
 *                          problem.json "interactor": {"source", "protocol": testlib|kattis}
 *     solutions/EXP/FILE   shipped solutions; EXP is the verdict each must get
 *
 * cJSON keeps no positions, so a mistake found after parsing is placed at the line of the
 * first occurrence of its key in problem.json: good enough to find it.
 */
#include "db/package-internal.h"
#include "common/json_scan.h"
#include "common/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdicts[] = {"AC", "WA", "TLE", "MLE", "RE", "CE", "OLE"};

struct gctx {
    const char *text; /* problem.json */
    size_t len;
    struct db_pkg_error *err;
};

/* The line of "key" in problem.json (1 when not found). */
static int key_line(const struct gctx *g, const char *key)
{
    char quoted[80];
    const char *at;

    snprintf(quoted, sizeof(quoted), "\"%s\"", key);
    at = strstr(g->text, quoted);
    return at ? pkg_line_of(g->text, (size_t)(at - g->text)) : 1;
}

#define FAIL(g, key, ...) db_pkg_fail((g)->err, "problem.json", key_line((g), (key)), __VA_ARGS__)

static int get_int(const struct gctx *g, const cJSON *obj, const char *key, int lo, int hi,
                   int *ret)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long long)v->valuedouble ||
        v->valuedouble < lo || v->valuedouble > hi)
        return FAIL(g, key, "\"%s\" must be an integer from %d to %d", key, lo, hi);
    *ret = (int)v->valuedouble;
    return 1;
}

static int get_str(const struct gctx *g, const cJSON *obj, const char *key, const char **ret)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (!v)
        return 0;
    if (!cJSON_IsString(v))
        return FAIL(g, key, "\"%s\" must be a string", key);
    *ret = v->valuestring;
    return 1;
}

static int check_keys(const struct gctx *g, const cJSON *obj, const char *const *allowed,
                      const char *where)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, obj)
    {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], it->string) != 0)
            k++;
        if (!allowed[k])
            return FAIL(g, it->string, "unknown key \"%.60s\" in %s", it->string, where);
    }
    return 0;
}

/* Whether name matches one of the glob patterns of the array. */
static int matches(const cJSON *patterns, const char *name)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, patterns)
    {
        if (cJSON_IsString(p) && !fnmatch(p->valuestring, name, 0))
            return 1;
    }
    return 0;
}

static int check_patterns(const struct gctx *g, const cJSON *arr, const char *key)
{
    const cJSON *p;

    if (!cJSON_IsArray(arr))
        return FAIL(g, key, "\"%s\" must be an array of name patterns", key);
    cJSON_ArrayForEach(p, arr)
    {
        if (!cJSON_IsString(p) || !*p->valuestring || strlen(p->valuestring) > 128)
            return FAIL(g, key, "\"%s\" must hold name patterns (strings)", key);
    }
    return 0;
}

/* The params of a checker kind, checked the way the judge reads them, so that a package the
 * judge could not read (every submission IE) or a misspelt tolerance that would silently fall
 * back to the default is refused at import. A custom checker's params are kept as given, but
 * its Kattis flags must be what the judge passes on. */
static int check_params(const struct gctx *g, const char *kind, const cJSON *params)
{
    static const char *const tokens_keys[] = {"case_sensitive", "space_change_sensitive", NULL};
    static const char *const float_keys[] = {"abs", "rel", "case_sensitive",
                                             "space_change_sensitive", NULL};
    static const char *const none[] = {NULL};
    const char *const *allowed;
    const cJSON *it, *flags;
    char where[32];
    int n = 0;

    if (!strcmp(kind, "custom")) {
        flags = cJSON_GetObjectItemCaseSensitive(params, "flags");
        if (!flags)
            return 0;
        if (!cJSON_IsArray(flags))
            return FAIL(g, "flags", "checker \"flags\" must be an array of strings");
        cJSON_ArrayForEach(it, flags)
        {
            if (!cJSON_IsString(it) || !*it->valuestring ||
                strlen(it->valuestring) > PKG_MAX_FLAG_LEN)
                return FAIL(g, "flags", "each checker flag is a string of 1 to %d bytes",
                            PKG_MAX_FLAG_LEN);
            if (++n > PKG_MAX_FLAGS)
                return FAIL(g, "flags", "a checker takes at most %d flags", PKG_MAX_FLAGS);
        }
        return 0;
    }
    allowed = !strcmp(kind, "float") ? float_keys : !strcmp(kind, "tokens") ? tokens_keys : none;
    snprintf(where, sizeof(where), "the params of a %s checker", kind);
    if (check_keys(g, params, allowed, where) < 0)
        return -EINVAL;
    cJSON_ArrayForEach(it, params)
    {
        if (!strcmp(it->string, "abs") || !strcmp(it->string, "rel")) {
            /* A number, or a number spelt as a string as some stored problems have it (the
             * judge reads both), so that their export imports back. */
            double v = it->valuedouble;
            char *end = NULL;
            if (cJSON_IsString(it)) {
                v = strtod(it->valuestring, &end);
                if (end == it->valuestring || *end)
                    v = NAN;
            } else if (!cJSON_IsNumber(it)) {
                v = NAN;
            }
            if (!isfinite(v) || v < 0 || v > 1e9)
                return FAIL(g, it->string, "checker \"%s\" must be a number from 0 to 1e9",
                            it->string);
        } else if (!cJSON_IsBool(it)) {
            return FAIL(g, it->string, "checker \"%s\" must be true or false", it->string);
        }
    }
    return 0;
}

static int parse_checker(const struct gctx *g, const cJSON *c, const struct db_pkg_files *files,
                         struct db_pkg_problem *p)
{
    static const char *const keys[] = {"kind", "params", "source", "protocol", NULL};
    const char *kind = "tokens", *source = NULL, *protocol = NULL;
    cJSON *params = NULL;
    int r;

    if (!cJSON_IsObject(c))
        return FAIL(g, "checker", "\"checker\" must be an object");
    r = check_keys(g, c, keys, "checker");
    if (r >= 0)
        r = get_str(g, c, "kind", &kind);
    if (r >= 0)
        r = get_str(g, c, "source", &source);
    if (r >= 0)
        r = get_str(g, c, "protocol", &protocol);
    if (r < 0)
        return r;
    if (strcmp(kind, "exact") != 0 && strcmp(kind, "tokens") != 0 && strcmp(kind, "float") != 0 &&
        strcmp(kind, "custom") != 0)
        return FAIL(g, "kind", "checker kind must be exact, tokens, float or custom");
    p->def.checker_kind = pkg_keep(p, kind, (size_t)-1);
    if (cJSON_GetObjectItemCaseSensitive(c, "params") &&
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(c, "params")))
        return FAIL(g, "params", "checker params must be an object");
    params = cJSON_GetObjectItemCaseSensitive(c, "params")
                 ? cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "params"), 1)
                 : cJSON_CreateObject();
    if (!params)
        return -ENOMEM;
    r = check_params(g, kind, params);
    if (r < 0) {
        cJSON_Delete(params);
        return r;
    }
    if (strcmp(kind, "custom") != 0) {
        if (source || protocol) {
            cJSON_Delete(params);
            return FAIL(g, source ? "source" : "protocol",
                        "only a custom checker has a source or a protocol");
        }
    } else {
        if (protocol && strcmp(protocol, "testlib") != 0 && strcmp(protocol, "kattis") != 0) {
            cJSON_Delete(params);
            return FAIL(g, "protocol", "checker protocol must be testlib or kattis");
        }
        cJSON_DeleteItemFromObjectCaseSensitive(params, "protocol");
        cJSON_AddStringToObject(params, "protocol", protocol ? protocol : "testlib");
        if (!source) {
            for (size_t i = 0; i < files->n && !source; i++)
                if (!strncmp(files->v[i].path, "checker.", 8))
                    source = files->v[i].path;
            if (!source) {
                cJSON_Delete(params);
                return FAIL(g, "custom",
                            "a custom checker needs a source: checker.cpp or"
                            " \"source\"");
            }
        } else if (!db_pkg_file_get(files, source)) {
            cJSON_Delete(params);
            return FAIL(g, "source", "checker source %.100s is not in the package", source);
        }
        r = pkg_inline_source(p, files, source, &p->checker_source, g->err);
        if (r < 0) {
            cJSON_Delete(params);
            return r;
        }
        p->def.checker_source = p->checker_source;
        p->checker_ext = pkg_keep(p, pkg_ext(source), (size_t)-1);
        p->checker_path = pkg_keep(p, source, (size_t)-1);
    }
    {
        char *text = cJSON_PrintUnformatted(params);
        cJSON_Delete(params);
        if (!text)
            return -ENOMEM;
        p->checker_params_json = pkg_keep(p, text, (size_t)-1);
        cJSON_free(text);
        p->def.checker_params_json = p->checker_params_json;
    }
    return p->def.checker_kind ? 0 : -ENOMEM;
}

/* "interactor": {"source": FILE, "protocol": "testlib" | "kattis"}: an interactive problem. */
static int parse_interactor(const struct gctx *g, const cJSON *c, const struct db_pkg_files *files,
                            struct db_pkg_problem *p)
{
    static const char *const keys[] = {"source", "protocol", NULL};
    const char *source = NULL, *protocol = "testlib";
    int r;

    if (!cJSON_IsObject(c))
        return FAIL(g, "interactor", "\"interactor\" must be an object");
    r = check_keys(g, c, keys, "interactor");
    if (r >= 0)
        r = get_str(g, c, "source", &source);
    if (r >= 0)
        r = get_str(g, c, "protocol", &protocol);
    if (r < 0)
        return r;
    if (strcmp(protocol, "testlib") != 0 && strcmp(protocol, "kattis") != 0)
        return FAIL(g, "protocol", "interactor protocol must be testlib or kattis");
    if (!strcmp(protocol, "kattis") && p->def.checker_kind && strcmp(p->def.checker_kind, "tokens"))
        return FAIL(g, "interactor",
                    "a kattis interactor judges alone: the checker must be left out (or tokens)");
    if (!source)
        for (size_t i = 0; i < files->n && !source; i++)
            if (!strncmp(files->v[i].path, "interactor.", 11))
                source = files->v[i].path;
    if (!source)
        return FAIL(g, "interactor", "an interactor needs a source: interactor.cpp or \"source\"");
    if (!db_pkg_file_get(files, source))
        return FAIL(g, "source", "interactor source %.100s is not in the package", source);
    r = pkg_inline_source(p, files, source, &p->interactor_source, g->err);
    if (r < 0)
        return r;
    p->def.interactor_source = p->interactor_source;
    p->def.interactor_protocol = !strcmp(protocol, "kattis") ? "kattis" : "testlib";
    p->interactor_ext = pkg_keep(p, pkg_ext(source), (size_t)-1);
    return p->interactor_ext ? 0 : -ENOMEM;
}

/* Finds tests/NAME.in + .out pairs in name order and gives each its sample flag, group and
 * points from problem.json. */
static int parse_tests(const struct gctx *g, const cJSON *root, const struct db_pkg_files *files,
                       struct db_pkg_problem *p)
{
    const cJSON *samples = cJSON_GetObjectItemCaseSensitive(root, "samples");
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(root, "groups");
    const cJSON *tpoints = cJSON_GetObjectItemCaseSensitive(root, "test_points");
    const cJSON *grp, *tp;
    cJSON *default_samples = NULL;
    int dflt = 1, r = 0, n_groups = 0;
    size_t first = p->def.n_tests;

    r = get_int(g, root, "points", 0, 1000000, &dflt);
    if (r < 0)
        return r;
    if (samples && (r = check_patterns(g, samples, "samples")) < 0)
        return r;
    if (!samples) {
        default_samples = cJSON_CreateArray();
        if (!default_samples)
            return -ENOMEM;
        cJSON_AddItemToArray(default_samples, cJSON_CreateString("*sample*"));
        samples = default_samples;
    }
    if (tpoints && !cJSON_IsObject(tpoints)) {
        r = FAIL(g, "test_points", "\"test_points\" must map test names to points");
        goto out;
    }
    for (size_t i = 0; i < files->n; i++) {
        const struct db_pkg_file *in = &files->v[i], *out;
        const char *name = in->path + 6;
        char outpath[DB_PKG_MAX_PATH + 1];
        size_t nlen;

        if (strncmp(in->path, "tests/", 6) != 0)
            continue;
        nlen = strlen(name);
        if (strchr(name, '/')) {
            r = db_pkg_fail(g->err, in->path, 0, "tests/ holds files only, no folders");
            goto out;
        }
        if (nlen > 4 && !strcmp(name + nlen - 4, ".out")) {
            snprintf(outpath, sizeof(outpath), "tests/%.*s.in", (int)(nlen - 4), name);
            if (!db_pkg_file_get(files, outpath)) {
                r = db_pkg_fail(g->err, in->path, 0, "no matching %s", outpath);
                goto out;
            }
            continue;
        }
        if (nlen <= 3 || strcmp(name + nlen - 3, ".in") != 0) {
            r = db_pkg_fail(g->err, in->path, 0, "a test file must end in .in or .out");
            goto out;
        }
        if (!pkg_name_valid(name, nlen - 3)) {
            r = db_pkg_fail(g->err, in->path, 0,
                            "a test name is 1 to 64 of A-Z a-z 0-9 . _ - (before .in)");
            goto out;
        }
        snprintf(outpath, sizeof(outpath), "tests/%.*s.out", (int)(nlen - 3), name);
        out = db_pkg_file_get(files, outpath);
        if (!out) {
            r = db_pkg_fail(g->err, in->path, 0, "no matching %s", outpath);
            goto out;
        }
        snprintf(outpath, sizeof(outpath), "%.*s", (int)(nlen - 3), name);
        r = pkg_add_test(p, outpath, in, out, 0, matches(samples, outpath), NULL);
        if (r == -E2BIG)
            r = db_pkg_fail(g->err, in->path, 0, "more than %d tests", PKG_MAX_TESTS);
        if (r < 0)
            goto out;
    }
    if (p->def.n_tests == first) {
        r = db_pkg_fail(g->err, "tests", 0, "no tests: put tests/NAME.in and tests/NAME.out");
        goto out;
    }
    /* ungrouped points first: the default, 0 for samples, then test_points */
    for (size_t i = first; i < p->def.n_tests; i++)
        p->tests[i].points = p->tests[i].is_sample ? 0 : dflt;
    if (groups && !cJSON_IsArray(groups)) {
        r = FAIL(g, "groups", "\"groups\" must be an array");
        goto out;
    }
    cJSON_ArrayForEach(grp, groups)
    {
        static const char *const keys[] = {"name", "points", "tests", NULL};
        const char *gname = NULL;
        const cJSON *pats = cJSON_GetObjectItemCaseSensitive(grp, "tests");
        int gpoints = -1, count = 0, k = 0;
        char *kept;

        n_groups++;
        if (!cJSON_IsObject(grp)) {
            r = FAIL(g, "groups", "group %d must be an object", n_groups);
            goto out;
        }
        if ((r = check_keys(g, grp, keys, "a group")) < 0 ||
            (r = get_str(g, grp, "name", &gname)) < 0 ||
            (r = get_int(g, grp, "points", 0, 1000000, &gpoints)) < 0)
            goto out;
        if (!gname || !pkg_name_valid(gname, strlen(gname))) {
            r = FAIL(g, "groups", "group %d needs a \"name\" of 1 to 64 of A-Z a-z 0-9 . _ -",
                     n_groups);
            goto out;
        }
        if (!pats || (r = check_patterns(g, pats, "tests")) < 0) {
            if (r >= 0)
                r = FAIL(g, gname, "group %s needs \"tests\": an array of name patterns", gname);
            goto out;
        }
        kept = pkg_keep(p, gname, (size_t)-1);
        if (!kept) {
            r = -ENOMEM;
            goto out;
        }
        for (size_t i = first; i < p->def.n_tests; i++) {
            if (!matches(pats, p->tests[i].name))
                continue;
            if (p->tests[i].group) {
                r = FAIL(g, gname, "test %s is in two groups (%s and %s)", p->tests[i].name,
                         p->tests[i].group, gname);
                goto out;
            }
            p->tests[i].group = kept;
            count++;
        }
        if (!count) {
            r = FAIL(g, gname, "group %s matches no test", gname);
            goto out;
        }
        if (gpoints < 0)
            continue;
        for (size_t i = first; i < p->def.n_tests; i++)
            if (p->tests[i].group == kept)
                p->tests[i].points = gpoints / count + (k++ < gpoints % count ? 1 : 0);
    }
    cJSON_ArrayForEach(tp, tpoints)
    {
        size_t i = first;
        while (i < p->def.n_tests && strcmp(p->tests[i].name, tp->string) != 0)
            i++;
        if (i == p->def.n_tests) {
            r = FAIL(g, tp->string, "test_points names %.64s, which is not a test", tp->string);
            goto out;
        }
        if (!cJSON_IsNumber(tp) || tp->valuedouble < 0 || tp->valuedouble > 1000000 ||
            tp->valuedouble != (double)(int)tp->valuedouble) {
            r = FAIL(g, tp->string, "test_points of %.64s must be an integer from 0 to 1000000",
                     tp->string);
            goto out;
        }
        p->tests[i].points = (int)tp->valuedouble;
    }
    r = 0;
out:
    cJSON_Delete(default_samples);
    return r;
}

static int parse_solutions(const struct db_pkg_files *files, struct db_pkg_problem *p,
                           struct db_pkg_error *err)
{
    for (size_t i = 0; i < files->n; i++) {
        const char *path = files->v[i].path, *rest, *slash;
        char expected[32];
        unsigned mask;
        size_t k;
        int r;

        if (strncmp(path, "solutions/", 10) != 0)
            continue;
        rest = path + 10;
        slash = strchr(rest, '/');
        /* one verdict, or several joined by '+' (AC+TLE: either is right) */
        mask = 0;
        for (const char *w = rest; slash && w < slash;) {
            size_t len = strcspn(w, "+/");
            for (k = 0; k < sizeof(verdicts) / sizeof(verdicts[0]); k++)
                if (len == strlen(verdicts[k]) && !strncmp(w, verdicts[k], len))
                    break;
            if (k == sizeof(verdicts) / sizeof(verdicts[0])) {
                mask = 0;
                break;
            }
            mask |= 1u << k;
            w += len + (w[len] == '+');
        }
        if (!mask)
            return db_pkg_fail(err, path, 0,
                               "a solution goes in solutions/AC, WA, TLE, MLE, RE, CE or OLE"
                               " (or several joined by +, e.g. AC+TLE)");
        pkg_verdict_list(mask, expected, sizeof(expected));
        if (strchr(slash + 1, '/')) {
            /* solutions/EXP/NAME/...: one solution of several files, all of NAME. */
            char dir[DB_PKG_MAX_PATH + 1];
            size_t next = i;
            snprintf(dir, sizeof(dir), "%.*s", (int)(strchr(slash + 1, '/') - path), path);
            r = pkg_add_solution_dir(p, files, i, dir, expected, &next, err);
            if (r < 0)
                return r;
            i = next - 1;
            continue;
        }
        r = pkg_add_solution(p, path, expected, &files->v[i], err);
        if (r < 0)
            return r;
    }
    return 0;
}

int pkg_parse_gavel(const struct db_pkg_files *files, struct db_pkg_problem *p,
                    struct db_pkg_error *err)
{
    static const char *const keys[] = {"slug",
                                       "title",
                                       "visibility",
                                       "memory_limit_mb",
                                       "time_limit_ms",
                                       "time_limits_ms",
                                       "checker",
                                       "interactor",
                                       "stop_on_first_failure",
                                       "samples",
                                       "points",
                                       "groups",
                                       "test_points",
                                       "verify",
                                       NULL};
    const struct db_pkg_file *pj = db_pkg_file_get(files, "problem.json");
    const struct db_pkg_file *st = db_pkg_file_get(files, "statement.md");
    struct gctx g = {(const char *)pj->data, pj->len, err};
    const char *parse_end = NULL, *s = NULL;
    const cJSON *v;
    cJSON *root;
    int r, mem = 0;

    /* cJSON takes any bytes in a string: a title the database refuses is named here */
    r = pkg_text_check(pj->data, pj->len, "problem.json", "problem.json", err);
    if (r < 0)
        return r;
    /* cJSON would also cut a string at a \u0000 escape: the rest would be lost unseen */
    const char *why;
    size_t at;
    if (json_prescan(g.text, g.len, 64, &why, &at) < 0)
        return db_pkg_fail(err, "problem.json", pkg_line_of(g.text, at), "%s", why);
    root = cJSON_ParseWithLengthOpts((const char *)pj->data, pj->len, &parse_end, 0);
    if (!root) {
        size_t pos = parse_end ? (size_t)(parse_end - (const char *)pj->data) : 0;
        return db_pkg_fail(err, "problem.json", pkg_line_of(g.text, pos), "invalid JSON");
    }
    if (!cJSON_IsObject(root)) {
        r = db_pkg_fail(err, "problem.json", 1, "problem.json must hold an object");
        goto out;
    }
    r = check_keys(&g, root, keys, "problem.json");
    if (r < 0)
        goto out;
    if ((r = get_str(&g, root, "slug", &s)) < 0)
        goto out;
    if (s && !(p->slug = pkg_keep(p, s, (size_t)-1))) {
        r = -ENOMEM;
        goto out;
    }
    p->def.slug = p->slug;
    s = NULL;
    if ((r = get_str(&g, root, "title", &s)) < 0)
        goto out;
    if (!s || !*s || utf8_chars(s, strlen(s)) > 200) {
        r = FAIL(&g, "title", "\"title\" is required: 1 to 200 characters");
        goto out;
    }
    p->def.title = p->title = pkg_keep(p, s, (size_t)-1);
    s = NULL;
    if ((r = get_str(&g, root, "visibility", &s)) < 0)
        goto out;
    if (s && strcmp(s, "public") != 0 && strcmp(s, "hidden") != 0) {
        r = FAIL(&g, "visibility", "\"visibility\" is public or hidden");
        goto out;
    }
    if (s)
        p->def.visibility = pkg_keep(p, s, (size_t)-1);
    if ((r = get_int(&g, root, "memory_limit_mb", 1, 8192, &mem)) < 0)
        goto out;
    p->def.memory_limit_mb = mem;
    if ((r = get_int(&g, root, "time_limit_ms", 1, 60000, &p->time_limit_ms)) < 0)
        goto out;
    v = cJSON_GetObjectItemCaseSensitive(root, "time_limits_ms");
    if (v) {
        const cJSON *it;
        char *text;
        if (!cJSON_IsObject(v)) {
            r = FAIL(&g, "time_limits_ms", "\"time_limits_ms\" maps language ids to ms");
            goto out;
        }
        cJSON_ArrayForEach(it, v)
        {
            if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 60000) {
                r = FAIL(&g, it->string, "time limit of %.16s must be 1 to 60000 ms", it->string);
                goto out;
            }
        }
        text = cJSON_PrintUnformatted(v);
        if (!text) {
            r = -ENOMEM;
            goto out;
        }
        p->def.time_limits_json = p->time_limits_json = pkg_keep(p, text, (size_t)-1);
        cJSON_free(text);
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "stop_on_first_failure");
    if (v && !cJSON_IsBool(v)) {
        r = FAIL(&g, "stop_on_first_failure", "\"stop_on_first_failure\" is true or false");
        goto out;
    }
    p->def.stop_on_first_failure = v ? cJSON_IsTrue(v) : DB_STOP_DEFAULT;
    v = cJSON_GetObjectItemCaseSensitive(root, "verify");
    if (v) {
        static const char *const vkeys[] = {"time_multiplier", NULL};
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, "time_multiplier");
        char meta[64];
        if (!cJSON_IsObject(v) || (r = check_keys(&g, v, vkeys, "verify")) < 0) {
            if (r >= 0)
                r = FAIL(&g, "verify", "\"verify\" must be an object");
            goto out;
        }
        if (m && (!cJSON_IsNumber(m) || m->valuedouble < 1 || m->valuedouble > 100)) {
            r = FAIL(&g, "time_multiplier", "\"time_multiplier\" must be a number from 1 to 100");
            goto out;
        }
        if (m) {
            snprintf(meta, sizeof(meta), "{\"time_multiplier\":%g}", m->valuedouble);
            p->meta_json = pkg_keep(p, meta, (size_t)-1);
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "checker");
    if (v && (r = parse_checker(&g, v, files, p)) < 0)
        goto out;
    v = cJSON_GetObjectItemCaseSensitive(root, "interactor");
    if (v && (r = parse_interactor(&g, v, files, p)) < 0)
        goto out;
    p->statement = pkg_keep(p, st ? (const char *)st->data : "", st ? st->len : 0);
    p->def.statement = p->statement;
    if (!p->title || !p->statement) {
        r = -ENOMEM;
        goto out;
    }
    if (st && (r = pkg_text_check(st->data, st->len, "statement.md", "the statement", err)) < 0)
        goto out;
    r = parse_tests(&g, root, files, p);
    if (r >= 0)
        r = parse_solutions(files, p, err);
out:
    cJSON_Delete(root);
    return r;
}
