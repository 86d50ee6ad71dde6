/*
 * package_kattis.c: the Kattis / ICPC problem package format (problemtools, DOMjudge).
 *
 * How a Kattis package becomes a Gavel problem:
 *   problem.yaml name            title ("en" when it is a map of languages)
 *   limits.time_limit (s), else  base time limit, scaled to every language at save; with none,
 *   .timelimit, else             the measuring limit until a verification derives one by the
 *   domjudge-problem.ini         format's rule (package_verify.c)
 *   limits.memory (MiB)          memory_limit_mb; 2048 (the format's default) when absent
 *   limits.time_multiplier,      the rule's multiplier and margin (legacy: 5 and 2), or
 *   limits.time_safety_margin    time_multipliers' ac_to_time_limit and time_limit_to_tle and
 *                                time_resolution (2023-07: 2, 1.5 and 1 s)
 *   validation: default          checker tokens (or float with a tolerance flag) and
 *     + validator_flags          params {"case_sensitive", "space_change_sensitive", "abs",
 *                                "rel"}: case- and space-insensitive unless the flags say
 *   validation: custom           checker custom, the one output validator, params
 *                                {"protocol": "kattis", "flags": [validator_flags...]}
 *   validation: custom           the output validator is the interactor (protocol kattis,
 *     interactive (or type:      its flags in the checker's params); the checker is tokens,
 *     interactive)               unused
 *   problem_statement/ or        the statement, kept as is (problem.en.md, problem.md,
 *   statement/                   then .tex, then any problem.*.md, .tex or .txt)
 *   data/sample/NAME.in + .ans   sample tests, 0 points
 *   data/secret/G/...            first-level folder G = one all-or-nothing group holding every
 *                                test below it (nested folders flattened in path order); its
 *                                points are accept_score of G/testdata.yaml, else its number
 *                                of tests; tests right under data/secret score 1 each
 *   submissions/accepted/...     shipped solutions with the verdicts they may get: their
 *                                folder's, narrowed by submissions/submissions.yaml, replaced
 *                                by an @EXPECTED_RESULTS@ line in the source; a folder below
 *                                a category is one submission of several files
 * Multi-pass problems and custom score validators are refused: the judge runs neither.
 */
#include "db/package-internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* The folders of submissions/ and the verdicts a solution in each may get: the legacy format's
 * and DOMjudge's one-verdict folders, and the 2023-07 format's rejected/ and brute_force/ (its
 * default submissions.yaml: rejected is any of WA, TLE, RTE; brute_force TLE or RTE). */
static const struct {
    const char *dir;
    unsigned verdicts;
} categories[] = {
    {"accepted", PKG_V_AC},
    {"wrong_answer", PKG_V_WA},
    {"time_limit_exceeded", PKG_V_TLE},
    {"run_time_error", PKG_V_RE | PKG_V_MLE},
    {"memory_limit_exceeded", PKG_V_MLE},
    {"output_limit_exceeded", PKG_V_OLE},
    {"compile_error", PKG_V_CE},
    {"rejected", PKG_V_WA | PKG_V_TLE | PKG_V_RE | PKG_V_MLE},
    {"brute_force", PKG_V_TLE | PKG_V_RE | PKG_V_MLE},
};

struct ydoc {
    yaml_document_t doc;
    const char *file;
    struct db_pkg_error *err;
};

static int yaml_load(const struct db_pkg_file *f, struct ydoc *y, struct db_pkg_error *err)
{
    yaml_parser_t parser;
    int r = 0;

    y->file = f->path;
    y->err = err;
    if (!yaml_parser_initialize(&parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&parser, f->data, f->len);
    if (!yaml_parser_load(&parser, &y->doc))
        r = db_pkg_fail(err, f->path, (int)parser.problem_mark.line + 1, "invalid YAML: %s",
                        parser.problem ? parser.problem : "parse error");
    yaml_parser_delete(&parser);
    return r;
}

static yaml_node_t *yroot(struct ydoc *y)
{
    return yaml_document_get_root_node(&y->doc);
}

static int yline(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

static const char *yscalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of key in mapping m, or NULL. */
static yaml_node_t *yget(struct ydoc *y, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = yscalar(yaml_document_get_node(&y->doc, p->key));
        if (k && !strcmp(k, key))
            return yaml_document_get_node(&y->doc, p->value);
    }
    return NULL;
}

/* A number-valued key: 0 absent, 1 read, or -EINVAL naming the line. */
static int ynumber(struct ydoc *y, yaml_node_t *m, const char *key, double lo, double hi,
                   double *ret)
{
    yaml_node_t *n = yget(y, m, key);
    const char *s = yscalar(n);
    char *end = NULL;
    double v;

    if (!n)
        return 0;
    if (s)
        v = strtod(s, &end);
    if (!s || !*s || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return db_pkg_fail(y->err, y->file, yline(n), "%s must be a number from %g to %g", key, lo,
                           hi);
    *ret = v;
    return 1;
}

/* Splits validator_flags into words and maps the default validator's flags to a checker. */
static int default_validator(struct ydoc *y, const yaml_node_t *flags_node, const char *flags,
                             struct db_pkg_problem *p)
{
    int case_sensitive = 0, space_sensitive = 0, is_float = 0;
    double abs_tol = 0, rel_tol = 0;
    char word[64], params[256];
    const char *s = flags ? flags : "";

    for (;;) {
        size_t len;
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (!*s)
            break;
        len = strcspn(s, " \t\n\r");
        if (len >= sizeof(word))
            return db_pkg_fail(y->err, y->file, yline(flags_node), "unknown validator flag");
        memcpy(word, s, len);
        word[len] = '\0';
        s += len;
        if (!strcmp(word, "case_sensitive")) {
            case_sensitive = 1;
        } else if (!strcmp(word, "space_change_sensitive")) {
            space_sensitive = 1;
        } else if (!strcmp(word, "float_tolerance") || !strcmp(word, "float_absolute_tolerance") ||
                   !strcmp(word, "float_relative_tolerance")) {
            char *end = NULL;
            double v;
            while (*s == ' ' || *s == '\t')
                s++;
            v = strtod(s, &end);
            if (end == s || !isfinite(v) || v < 0 || (*end && !strchr(" \t\n\r", *end)))
                return db_pkg_fail(y->err, y->file, yline(flags_node),
                                   "%s needs a non-negative number after it", word);
            s = end;
            is_float = 1;
            if (word[6] == 't') {
                abs_tol = rel_tol = v;
            } else if (word[6] == 'a') {
                abs_tol = v;
            } else {
                rel_tol = v;
            }
        } else {
            return db_pkg_fail(y->err, y->file, yline(flags_node),
                               "unknown validator flag \"%s\" (case_sensitive,"
                               " space_change_sensitive, float_tolerance,"
                               " float_absolute_tolerance, float_relative_tolerance)",
                               word);
        }
    }
    if (is_float)
        snprintf(params, sizeof(params),
                 "{\"abs\":%.17g,\"rel\":%.17g,\"case_sensitive\":%s,"
                 "\"space_change_sensitive\":%s}",
                 abs_tol, rel_tol, case_sensitive ? "true" : "false",
                 space_sensitive ? "true" : "false");
    else
        snprintf(params, sizeof(params), "{\"case_sensitive\":%s,\"space_change_sensitive\":%s}",
                 case_sensitive ? "true" : "false", space_sensitive ? "true" : "false");
    p->def.checker_kind = is_float ? "float" : "tokens";
    p->def.checker_params_json = p->checker_params_json = pkg_keep(p, params, (size_t)-1);
    return p->checker_params_json ? 0 : -ENOMEM;
}

static int is_source(const char *path)
{
    static const char *const exts[] = {"c", "cpp", "cc", "cxx", "py", "java", NULL};
    const char *e = pkg_ext(path);

    for (size_t i = 0; exts[i]; i++)
        if (!strcmp(e, exts[i]))
            return 1;
    return 0;
}

/* Finds the one output validator and reads it (local headers pasted in). */
static int custom_validator(struct ydoc *y, const yaml_node_t *flags_node, const char *flags,
                            const struct db_pkg_files *files, struct db_pkg_problem *p)
{
    const char *main_path = NULL, *dir = NULL;
    size_t dirlen = 0;
    int main_has_main = 0;
    cJSON *params = NULL, *arr;
    char *text;
    int r;

    for (size_t i = 0; i < files->n; i++) {
        const char *path = files->v[i].path, *rest, *slash;
        if (strncmp(path, "output_validators/", 18) != 0)
            continue;
        rest = path + 18;
        slash = strchr(rest, '/');
        if (slash) {
            if (dir && (strncmp(dir, rest, dirlen) != 0 || (size_t)(slash - rest) != dirlen))
                return db_pkg_fail(y->err, path, 0,
                                   "more than one output validator (only one is supported)");
            dir = rest;
            dirlen = (size_t)(slash - rest);
        }
        if (!is_source(path))
            continue;
        if (!main_path || (!main_has_main && strstr((const char *)files->v[i].data, "main("))) {
            main_path = path;
            main_has_main = strstr((const char *)files->v[i].data, "main(") != NULL;
        }
    }
    if (!main_path)
        return db_pkg_fail(y->err, "output_validators", 0,
                           "validation is custom but there is no output validator source"
                           " (.c, .cpp, .py, .java)");
    r = pkg_inline_source(p, files, main_path, &p->checker_source, y->err);
    if (r < 0)
        return r;
    p->def.checker_kind = "custom";
    p->def.checker_source = p->checker_source;
    p->checker_path = pkg_keep(p, main_path, (size_t)-1);
    p->checker_ext = pkg_ext(main_path)[0] == 'c' && strcmp(pkg_ext(main_path), "c") != 0
                         ? pkg_keep(p, "cpp", 3)
                         : pkg_keep(p, pkg_ext(main_path), (size_t)-1);
    params = cJSON_CreateObject();
    if (!params)
        return -ENOMEM;
    cJSON_AddStringToObject(params, "protocol", "kattis");
    arr = cJSON_AddArrayToObject(params, "flags");
    for (const char *s = flags ? flags : ""; arr && *s;) {
        size_t len;
        char word[PKG_MAX_FLAG_LEN + 1];
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        len = strcspn(s, " \t\n\r");
        if (!len)
            break;
        /* The judge hands the validator these flags as they are: refuse what it could not. */
        if (len > PKG_MAX_FLAG_LEN || cJSON_GetArraySize(arr) >= PKG_MAX_FLAGS) {
            cJSON_Delete(params);
            return db_pkg_fail(y->err, y->file, yline(flags_node),
                               "validator_flags: at most %d flags of at most %d bytes each",
                               PKG_MAX_FLAGS, PKG_MAX_FLAG_LEN);
        }
        snprintf(word, sizeof(word), "%.*s", (int)len, s);
        cJSON_AddItemToArray(arr, cJSON_CreateString(word));
        s += len;
    }
    text = cJSON_PrintUnformatted(params);
    cJSON_Delete(params);
    if (!text)
        return -ENOMEM;
    p->def.checker_params_json = p->checker_params_json = pkg_keep(p, text, (size_t)-1);
    cJSON_free(text);
    return p->checker_params_json && p->checker_ext ? 0 : -ENOMEM;
}

/* An explicit time limit in seconds outside problem.yaml: the .timelimit file of DOMjudge and
 * BAPCtools, or the timelimit of DOMjudge's domjudge-problem.ini. 0 none, 1 found, -EINVAL. */
static int side_time_limit(const struct db_pkg_files *files, double *ret, const char **ret_from,
                           struct db_pkg_error *err)
{
    const struct db_pkg_file *f = db_pkg_file_get(files, ".timelimit");
    const char *s = NULL;
    char *end = NULL;
    double v;

    if (f) {
        s = (const char *)f->data;
        *ret_from = ".timelimit";
    } else if ((f = db_pkg_file_get(files, "domjudge-problem.ini"))) {
        const char *t = (const char *)f->data;
        for (const char *line = t, *next; line && *line; line = next ? next + 1 : NULL) {
            next = strchr(line, '\n');
            while (*line == ' ' || *line == '\t')
                line++;
            if (!strncmp(line, "timelimit", 9)) {
                const char *q = line + 9;
                while (*q == ' ' || *q == '\t')
                    q++;
                if (*q == '=') {
                    q++;
                    while (*q == ' ' || *q == '\t' || *q == '\'' || *q == '"')
                        q++;
                    s = q;
                    break;
                }
            }
        }
        if (!s)
            return 0;
        *ret_from = "domjudge-problem.ini";
    } else {
        return 0;
    }
    v = strtod(s, &end);
    while (end && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\'' || *end == '"'))
        end++;
    if (end == s || (*end && *end != '\n') || !isfinite(v) || v < 0.001 || v > 60)
        return db_pkg_fail(err, f->path, 0,
                           "the time limit must be a number of seconds, 0.001 to 60");
    *ret = v;
    return 1;
}

/* The limits: which version of the format the package follows decides the defaults of the
 * time multipliers (legacy: time_multiplier 5 and time_safety_margin 2; 2023-07 and later:
 * time_multipliers ac_to_time_limit 2.0 and time_limit_to_tle 1.5, time_resolution 1.0). A
 * package without a time limit anywhere gets the measuring limit until a verification derives
 * its own (package_verify.c); one without limits.memory gets the format's 2048 MiB. */
static int parse_limits(const struct db_pkg_files *files, struct ydoc *y, yaml_node_t *root,
                        yaml_node_t *limits, struct db_pkg_problem *p)
{
    static const struct {
        const char *key;
        double def, hi;
    } others[] = {
        {"output", 8, 1024},
        {"code", 128, 1 << 20},
        {"compilation_time", 60, 3600},
        {"compilation_memory", 2048, 65536},
        {"validation_time", 60, 3600},
        {"validation_memory", 2048, 65536},
        {"validation_output", 8, 1024},
    };
    const char *version = "legacy", *tl_from = NULL;
    yaml_node_t *n;
    double tmul, tmargin, tres = 1, mem = 2048, tl = 0;
    int legacy, has_mem, r;
    cJSON *meta;
    char *text;

    n = yget(y, root, "problem_format_version");
    if (n && !(version = yscalar(n)))
        return db_pkg_fail(y->err, y->file, yline(n), "problem_format_version must be a string");
    if (strlen(version) > 32)
        return db_pkg_fail(y->err, y->file, yline(n), "problem_format_version is too long");
    legacy = !strncmp(version, "legacy", 6);
    tmul = legacy ? 5 : 2;
    tmargin = legacy ? 2 : 1.5;
    /* time_multiplier is a number in the legacy format; a map in some 2023 drafts */
    n = yget(y, limits, "time_multiplier");
    if (n && n->type == YAML_MAPPING_NODE) {
        if ((r = ynumber(y, n, "ac_to_time_limit", 1, 100, &tmul)) < 0 ||
            (r = ynumber(y, n, "time_limit_to_tle", 1, 100, &tmargin)) < 0)
            return r;
    } else if ((r = ynumber(y, limits, "time_multiplier", 1, 100, &tmul)) < 0) {
        return r;
    }
    if ((r = ynumber(y, limits, "time_safety_margin", 1, 100, &tmargin)) < 0 ||
        (r = ynumber(y, limits, "time_resolution", 0.001, 60, &tres)) < 0 ||
        (r = has_mem = ynumber(y, limits, "memory", 1, 8192, &mem)) < 0)
        return r;
    n = yget(y, limits, "time_multipliers");
    if (n && ((r = ynumber(y, n, "ac_to_time_limit", 1, 100, &tmul)) < 0 ||
              (r = ynumber(y, n, "time_limit_to_tle", 1, 100, &tmargin)) < 0))
        return r;
    r = ynumber(y, limits, "time_limit", 0.001, 60, &tl);
    if (r < 0)
        return r;
    if (r > 0)
        tl_from = "limits.time_limit";
    else if ((r = side_time_limit(files, &tl, &tl_from, y->err)) < 0)
        return r;
    meta = cJSON_CreateObject();
    if (!meta)
        return -ENOMEM;
    cJSON_AddStringToObject(meta, "format_version", version);
    cJSON_AddStringToObject(meta, "rule", legacy ? "legacy" : "2023-07");
    cJSON_AddNumberToObject(meta, "time_multiplier", tmul);
    cJSON_AddNumberToObject(meta, "time_safety_margin", tmargin);
    if (!legacy)
        cJSON_AddNumberToObject(meta, "time_resolution", tres);
    if (tl_from) {
        p->time_limit_ms = (int)(tl * 1000 + 0.5);
        cJSON_AddStringToObject(meta, "time_limit_from", tl_from);
        cJSON_AddNumberToObject(meta, "time_limit_ms", p->time_limit_ms);
    } else {
        p->time_limit_ms = DB_PKG_MEASURE_MS;
        cJSON_AddStringToObject(meta, "time_limit_from", "derived");
        cJSON_AddBoolToObject(meta, "time_limit_pending", 1);
        cJSON_AddNumberToObject(meta, "measure_ms", DB_PKG_MEASURE_MS);
    }
    p->def.memory_limit_mb = (int)mem;
    cJSON_AddNumberToObject(meta, "memory_mb", (int)mem);
    cJSON_AddStringToObject(meta, "memory_from", has_mem ? "limits.memory" : "default");
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        double v = others[i].def;
        r = ynumber(y, limits, others[i].key, 1, others[i].hi, &v);
        if (r < 0) {
            cJSON_Delete(meta);
            return r;
        }
        cJSON_AddNumberToObject(meta, others[i].key, v);
    }
    text = cJSON_PrintUnformatted(meta);
    cJSON_Delete(meta);
    if (!text)
        return -ENOMEM;
    p->meta_json = pkg_keep(p, text, (size_t)-1);
    cJSON_free(text);
    return p->meta_json ? 0 : -ENOMEM;
}

static int parse_yaml(const struct db_pkg_files *files, struct db_pkg_problem *p,
                      struct db_pkg_error *err)
{
    const struct db_pkg_file *f = db_pkg_file_get(files, "problem.yaml");
    struct ydoc y = {0};
    yaml_node_t *root, *n, *limits;
    const char *validation = "default", *flags = NULL, *type = NULL;
    int r;

    r = yaml_load(f, &y, err);
    if (r < 0)
        return r;
    root = yroot(&y);
    if (root && root->type == YAML_SCALAR_NODE && !*yscalar(root))
        root = NULL; /* an empty problem.yaml is allowed */
    if (root && root->type != YAML_MAPPING_NODE) {
        r = db_pkg_fail(err, "problem.yaml", yline(root), "problem.yaml must be a mapping");
        goto out;
    }
    n = yget(&y, root, "name");
    if (n && n->type == YAML_MAPPING_NODE) {
        yaml_node_t *en = yget(&y, n, "en");
        if (!en && n->data.mapping.pairs.start < n->data.mapping.pairs.top)
            en = yaml_document_get_node(&y.doc, n->data.mapping.pairs.start->value);
        n = en;
    }
    if (n) {
        const char *name = yscalar(n);
        if (!name || !*name || strlen(name) > 200) {
            r = db_pkg_fail(err, "problem.yaml", yline(n), "name must be 1 to 200 characters");
            goto out;
        }
        p->def.title = p->title = pkg_keep(p, name, (size_t)-1);
    }
    n = yget(&y, root, "type");
    if (n && !(type = yscalar(n))) {
        r = db_pkg_fail(err, "problem.yaml", yline(n), "type must be a string");
        goto out;
    }
    if (type && strstr(type, "multi-pass")) {
        r = db_pkg_fail(err, "problem.yaml", yline(n),
                        "%s problems are not supported (multi-pass: each pass's nextpass.in is"
                        " not carried to a next run)",
                        type);
        goto out;
    }
    p->interactive = type && strstr(type, "interactive");
    /* A pass-fail problem (Kattis's default type) is judged as a whole: its first failed test
     * settles it, as on Kattis and DOMjudge. A scoring one runs what its score needs. */
    p->def.stop_on_first_failure = !(type && strstr(type, "scoring"));
    n = yget(&y, root, "validation");
    if (n && !(validation = yscalar(n))) {
        r = db_pkg_fail(err, "problem.yaml", yline(n), "validation must be a string");
        goto out;
    }
    /* "custom", then options: "interactive" (judged), "score", "multi-pass" (refused). */
    int custom = !strncmp(validation, "custom", 6) &&
                 (validation[6] == '\0' || validation[6] == ' ' || validation[6] == '\t');
    if (custom) {
        for (const char *w = validation + 6; *w;) {
            size_t len;
            while (*w == ' ' || *w == '\t')
                w++;
            len = strcspn(w, " \t");
            if (len == 11 && !strncmp(w, "interactive", 11))
                p->interactive = 1;
            else if (len) {
                r = db_pkg_fail(err, "problem.yaml", yline(n),
                                "validation \"%.60s\" is not supported (\"%.*s\": only"
                                " default, custom and custom interactive)",
                                validation, (int)(len > 20 ? 20 : len), w);
                goto out;
            }
            w += len;
        }
    }
    /* The 2023 format says type: interactive, and has no validation key. */
    if (p->interactive && !n)
        custom = 1;
    if (strcmp(validation, "default") != 0 && !custom) {
        r = db_pkg_fail(err, "problem.yaml", yline(n),
                        "validation \"%.60s\" is not supported (default or custom)", validation);
        goto out;
    }
    if (p->interactive && !custom) {
        r = db_pkg_fail(err, "problem.yaml", yline(n),
                        "an interactive problem needs validation: custom interactive");
        goto out;
    }
    n = yget(&y, root, "validator_flags");
    if (n && !(flags = yscalar(n))) {
        r = db_pkg_fail(err, "problem.yaml", yline(n), "validator_flags must be a string");
        goto out;
    }
    if (!custom)
        r = default_validator(&y, n, flags, p);
    else
        r = custom_validator(&y, n, flags, files, p);
    if (r < 0)
        goto out;
    limits = yget(&y, root, "limits");
    if (limits && limits->type != YAML_MAPPING_NODE) {
        r = db_pkg_fail(err, "problem.yaml", yline(limits), "limits must be a mapping");
        goto out;
    }
    r = parse_limits(files, &y, root, limits, p);
out:
    yaml_document_delete(&y.doc);
    return r;
}

/* accept_score of a group's testdata.yaml; *ret unchanged when it gives none. */
static int group_score(const struct db_pkg_files *files, const char *dir, int *ret,
                       struct db_pkg_error *err)
{
    char path[DB_PKG_MAX_PATH + 1];
    const struct db_pkg_file *f;
    struct ydoc y = {0};
    double v = 0;
    int r;

    snprintf(path, sizeof(path), "%s/testdata.yaml", dir);
    f = db_pkg_file_get(files, path);
    if (!f)
        return 0;
    r = yaml_load(f, &y, err);
    if (r < 0)
        return r;
    r = ynumber(&y, yroot(&y), "accept_score", 0, 1000000, &v);
    if (r > 0)
        *ret = (int)(v + 0.5);
    yaml_document_delete(&y.doc);
    return r < 0 ? r : 0;
}

/* A test name from its path below data/: '/' becomes '.', other odd bytes '_', and a name
 * longer than 64 keeps its end. */
static void test_name(const char *rel, size_t len, char *out)
{
    size_t start = len > PKG_MAX_NAME ? len - PKG_MAX_NAME : 0, k = 0;

    for (size_t i = start; i < len; i++) {
        char c = rel[i];
        if (c == '/')
            c = '.';
        else if (!pkg_name_valid(&c, 1))
            c = '_';
        out[k++] = c;
    }
    out[k] = '\0';
}

static int parse_data(const struct db_pkg_files *files, struct db_pkg_problem *p,
                      struct db_pkg_error *err)
{
    char group[PKG_MAX_NAME + 1] = "", gdir[DB_PKG_MAX_PATH + 1];
    int r, pass;

    /* pass 0: samples; pass 1: secret */
    for (pass = 0; pass < 2; pass++) {
        const char *prefix = pass ? "data/secret/" : "data/sample/";
        size_t plen = strlen(prefix);
        for (size_t i = 0; i < files->n; i++) {
            const struct db_pkg_file *in = &files->v[i], *ans;
            const char *rel = in->path + plen, *slash;
            char path[DB_PKG_MAX_PATH + 1], name[PKG_MAX_NAME + 1];
            size_t len = strlen(in->path);
            int points = pass ? 1 : 0;

            if (strncmp(in->path, prefix, plen) != 0 || len < plen + 4 ||
                strcmp(in->path + len - 3, ".in") != 0)
                continue;
            snprintf(path, sizeof(path), "%.*s.ans", (int)(len - 3), in->path);
            ans = db_pkg_file_get(files, path);
            if (!ans)
                return db_pkg_fail(err, in->path, 0, "no matching %s", path);
            slash = pass ? strchr(rel, '/') : NULL;
            if (slash && (!*group || strncmp(group, rel, (size_t)(slash - rel)) != 0 ||
                          group[slash - rel] != '\0')) {
                /* a new first-level group: give the previous one its points */
                if ((size_t)(slash - rel) > PKG_MAX_NAME)
                    return db_pkg_fail(err, in->path, 0, "group folder name longer than 64");
                snprintf(group, sizeof(group), "%.*s", (int)(slash - rel), rel);
                if (!pkg_name_valid(group, strlen(group)))
                    return db_pkg_fail(err, in->path, 0,
                                       "a group folder name is A-Z a-z 0-9 . _ - only");
            } else if (!slash) {
                group[0] = '\0';
                if (pass && (r = group_score(files, "data/secret", &points, err)) < 0)
                    return r;
            }
            test_name(in->path + 5, len - 5 - 3, name);
            r = pkg_add_test(p, name, in, ans, points, !pass, slash ? group : NULL);
            if (r == -E2BIG)
                return db_pkg_fail(err, in->path, 0, "more than %d tests", PKG_MAX_TESTS);
            if (r < 0)
                return r;
        }
    }
    /* group points: accept_score of data/secret/G/testdata.yaml, else one per test */
    for (size_t i = 0; i < p->def.n_tests;) {
        size_t j = i, count;
        int total, k = 0;
        if (!p->tests[i].group) {
            i++;
            continue;
        }
        while (j < p->def.n_tests && p->tests[j].group &&
               !strcmp(p->tests[j].group, p->tests[i].group))
            j++;
        count = j - i;
        total = (int)count;
        snprintf(gdir, sizeof(gdir), "data/secret/%s", p->tests[i].group);
        r = group_score(files, gdir, &total, err);
        if (r < 0)
            return r;
        for (size_t t = i; t < j; t++)
            p->tests[t].points = total / (int)count + (k++ < total % (int)count ? 1 : 0);
        i = j;
    }
    return 0;
}

static int parse_statement(const struct db_pkg_files *files, struct db_pkg_problem *p,
                           struct db_pkg_error *err)
{
    static const char *const names[] = {"problem_statement/problem.en.md",
                                        "problem_statement/problem.md",
                                        "statement/problem.en.md",
                                        "statement/problem.md",
                                        "problem_statement/problem.en.tex",
                                        "problem_statement/problem.tex",
                                        "statement/problem.en.tex",
                                        "statement/problem.tex",
                                        NULL};
    const struct db_pkg_file *f = NULL;

    for (size_t i = 0; names[i] && !f; i++)
        f = db_pkg_file_get(files, names[i]);
    for (size_t i = 0; i < files->n && !f; i++)
        if (!strncmp(files->v[i].path, "problem_statement/problem.", 26) &&
            (!strcmp(pkg_ext(files->v[i].path), "md") ||
             !strcmp(pkg_ext(files->v[i].path), "tex") ||
             !strcmp(pkg_ext(files->v[i].path), "txt")))
            f = &files->v[i];
    p->statement = pkg_keep(p, f ? (const char *)f->data : "", f ? f->len : 0);
    p->def.statement = p->statement;
    if (!p->statement)
        return -ENOMEM;
    if (f)
        return pkg_text_check(f->data, f->len, f->path, "the statement", err);
    return 0;
}

/* A verdict list of submissions.yaml (permitted or required): its mask, or -EINVAL. */
static int yverdicts(struct ydoc *y, yaml_node_t *n, unsigned *ret)
{
    unsigned mask = 0;

    if (!n || n->type != YAML_SEQUENCE_NODE)
        return db_pkg_fail(y->err, y->file, yline(n), "permitted and required are lists");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        const char *v = yscalar(yaml_document_get_node(&y->doc, *it));
        unsigned m = v ? pkg_verdict_mask(v, strlen(v)) : 0;
        if (!m)
            return db_pkg_fail(y->err, y->file, yline(n),
                               "unknown verdict in a list (AC, WA, TLE, RTE)");
        mask |= m;
    }
    *ret = mask;
    return 0;
}

/* Whether a submissions.yaml glob matches the submission at rel (below submissions/): the file
 * itself or one of its folders. */
static int glob_matches(const char *glob, const char *rel)
{
    char prefix[DB_PKG_MAX_PATH + 1];

    if (!fnmatch(glob, rel, FNM_PATHNAME))
        return 1;
    for (const char *slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
        snprintf(prefix, sizeof(prefix), "%.*s", (int)(slash - rel), rel);
        if (!fnmatch(glob, prefix, FNM_PATHNAME))
            return 1;
    }
    return 0;
}

/* Applies submissions/submissions.yaml (the 2023-07 format; BAPCtools' expectations.yaml has
 * the same shape) to the verdict set of the submission at rel: a key naming the folder itself
 * replaces the folder's default, any other matching glob narrows it. A rule allows the verdicts
 * both in its `permitted` and its `required` list (a whole submission has one verdict here:
 * its first failing test's). Rules for single test groups are not checked. */
static int apply_expectations(const struct db_pkg_files *files, const char *rel, unsigned *mask,
                              struct db_pkg_error *err)
{
    static const char *const names[] = {"submissions/submissions.yaml",
                                        "submissions/expectations.yaml"};
    const size_t dirlen = strcspn(rel, "/");
    int r = 0;

    for (size_t k = 0; k < 2 && r >= 0; k++) {
        const struct db_pkg_file *f = db_pkg_file_get(files, names[k]);
        struct ydoc y = {0};
        yaml_node_t *root;

        if (!f)
            continue;
        r = yaml_load(f, &y, err);
        if (r < 0)
            return r;
        root = yroot(&y);
        for (yaml_node_pair_t *pr =
                 root && root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
             pr && pr < root->data.mapping.pairs.top && r >= 0; pr++) {
            const char *glob = yscalar(yaml_document_get_node(&y.doc, pr->key));
            yaml_node_t *rule = yaml_document_get_node(&y.doc, pr->value), *n;
            unsigned permitted = ~0u, required = ~0u;

            if (!glob || !glob_matches(glob, rel))
                continue;
            if ((n = yget(&y, rule, "permitted")) && (r = yverdicts(&y, n, &permitted)) < 0)
                break;
            if ((n = yget(&y, rule, "required")) && (r = yverdicts(&y, n, &required)) < 0)
                break;
            if ((strlen(glob) == dirlen && !strncmp(glob, rel, dirlen)) || !*mask)
                *mask = permitted & required & 0x7f; /* the folder's rule, or a first one */
            else
                *mask &= permitted & required;
            if (!*mask)
                r = db_pkg_fail(err, f->path, yline(rule),
                                "no verdict is left for submissions/%s by this rule", rel);
        }
        yaml_document_delete(&y.doc);
    }
    return r;
}

static int parse_submissions(const struct db_pkg_files *files, struct db_pkg_problem *p,
                             struct db_pkg_error *err)
{
    for (size_t i = 0; i < files->n; i++) {
        const char *path = files->v[i].path, *rest = path + 12, *slash, *sub;
        char expected[32];
        unsigned mask;
        size_t k;
        int r;

        /* JavaScript counts for submissions only: an output validator is never one. */
        if (strncmp(path, "submissions/", 12) != 0 ||
            (!is_source(path) && strcmp(pkg_ext(path), "js") != 0))
            continue;
        slash = strchr(rest, '/');
        if (!slash)
            continue; /* loose files are not run */
        for (k = 0; k < sizeof(categories) / sizeof(categories[0]); k++)
            if ((size_t)(slash - rest) == strlen(categories[k].dir) &&
                !strncmp(rest, categories[k].dir, strlen(categories[k].dir)))
                break;
        mask = k < sizeof(categories) / sizeof(categories[0]) ? categories[k].verdicts : 0;
        r = apply_expectations(files, rest, &mask, err);
        if (r < 0)
            return r;
        if (!mask)
            continue; /* partially_accepted and unknown folders: no verdict to check */
        pkg_verdict_list(mask, expected, sizeof(expected));
        sub = strchr(slash + 1, '/');
        if (sub) {
            /* A folder is one submission of several files: all of it, headers included. */
            char dir[DB_PKG_MAX_PATH + 1];
            size_t next = i, first = i;
            snprintf(dir, sizeof(dir), "%.*s", (int)(sub - path), path);
            while (first > 0 && !strncmp(files->v[first - 1].path, dir, strlen(dir)) &&
                   files->v[first - 1].path[strlen(dir)] == '/')
                first--;
            r = pkg_add_solution_dir(p, files, first, dir, expected, &next, err);
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

int pkg_parse_kattis(const struct db_pkg_files *files, struct db_pkg_problem *p,
                     struct db_pkg_error *err)
{
    int r;

    r = parse_yaml(files, p, err);
    if (r >= 0)
        r = parse_statement(files, p, err);
    if (r >= 0)
        r = parse_data(files, p, err);
    if (r >= 0)
        r = parse_submissions(files, p, err);
    return r;
}
