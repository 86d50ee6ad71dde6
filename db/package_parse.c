/*
 * package_parse.c: recognising a package's format and what both parsers share (package.h).
 */
#include "db/package-internal.h"
#include "common/source_name.h"
#include "common/utf8.h"
#include <cjson/cJSON.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pkg_keep(struct db_pkg_problem *p, const char *s, size_t len)
{
    char **v;
    char *copy;

    if (len == (size_t)-1)
        len = strlen(s);
    v = realloc(p->names, (p->n_names + 1) * sizeof(*v));
    if (!v)
        return NULL;
    p->names = v;
    copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    p->names[p->n_names++] = copy;
    return copy;
}

int pkg_add_test(struct db_pkg_problem *p, const char *name, const struct db_pkg_file *in,
                 const struct db_pkg_file *out, int points, int is_sample, const char *group)
{
    struct db_test_def *v;
    struct db_test_def *t;

    if (p->def.n_tests >= PKG_MAX_TESTS)
        return -E2BIG;
    v = realloc(p->tests, (p->def.n_tests + 1) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    p->tests = v;
    p->def.tests = v;
    t = &v[p->def.n_tests];
    *t = (struct db_test_def){.input = in->data,
                              .input_len = in->len,
                              .output = out->data,
                              .output_len = out->len,
                              .points = points,
                              .is_sample = is_sample};
    t->name = pkg_keep(p, name, (size_t)-1);
    if (!t->name)
        return -ENOMEM;
    if (group) {
        t->group = pkg_keep(p, group, (size_t)-1);
        if (!t->group)
            return -ENOMEM;
    }
    p->def.n_tests++;
    return 0;
}

static const char *const verdict_names[] = {"AC", "WA", "TLE", "MLE", "RE", "CE", "OLE"};

unsigned pkg_verdict_mask(const char *name, size_t len)
{
    static const struct {
        const char *name;
        unsigned mask;
    } names[] = {
        {"AC", PKG_V_AC},
        {"ACCEPTED", PKG_V_AC},
        {"CORRECT", PKG_V_AC},
        {"WA", PKG_V_WA},
        {"WRONGANSWER", PKG_V_WA},
        {"NOOUTPUT", PKG_V_WA},
        {"TLE", PKG_V_TLE},
        {"TIMELIMITEXCEEDED", PKG_V_TLE},
        {"TIMELIMIT", PKG_V_TLE},
        {"MLE", PKG_V_MLE},
        {"MEMORYLIMITEXCEEDED", PKG_V_MLE},
        {"MEMORYLIMIT", PKG_V_MLE},
        {"RE", PKG_V_RE},
        /* Kattis and DOMjudge judge running out of memory as a run-time error */
        {"RTE", PKG_V_RE | PKG_V_MLE},
        {"RUNTIMEERROR", PKG_V_RE | PKG_V_MLE},
        {"RUNERROR", PKG_V_RE | PKG_V_MLE},
        {"CE", PKG_V_CE},
        {"COMPILEERROR", PKG_V_CE},
        {"COMPILERERROR", PKG_V_CE},
        {"OLE", PKG_V_OLE},
        {"OUTPUTLIMITEXCEEDED", PKG_V_OLE},
        {"OUTPUTLIMIT", PKG_V_OLE},
    };
    char key[32];
    size_t k = 0;

    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == ' ')
            continue;
        if (k + 1 >= sizeof(key))
            return 0;
        key[k++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    key[k] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(key, names[i].name))
            return names[i].mask;
    return 0;
}

void pkg_verdict_list(unsigned mask, char *out, size_t size)
{
    size_t n = 0;

    out[0] = '\0';
    for (size_t i = 0; i < sizeof(verdict_names) / sizeof(verdict_names[0]); i++)
        if (mask & (1u << i)) {
            int w = snprintf(out + n, size - n, "%s%s", n ? "," : "", verdict_names[i]);
            if (w < 0 || (size_t)w >= size - n)
                return;
            n += (size_t)w;
        }
}

unsigned pkg_verdict_parse(const char *list)
{
    unsigned mask = 0;

    while (*list) {
        size_t len = strcspn(list, ",+");
        const char *s = list, *e = list + len;
        unsigned m;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        m = pkg_verdict_mask(s, (size_t)(e - s));
        if (!m)
            return 0;
        mask |= m;
        list += len;
        if (*list)
            list++;
    }
    return mask;
}

/* DOMjudge's "@EXPECTED_RESULTS@: CORRECT, TIMELIMIT" line: 0 none, 1 found (*ret set), or
 * -EINVAL naming the line. */
static int expected_results(const struct db_pkg_file *src, const char *path, unsigned *ret,
                            struct db_pkg_error *err)
{
    static const char tag[] = "@EXPECTED_RESULTS@";
    const char *text = (const char *)src->data, *at = strstr(text, tag), *s, *eol;
    char list[256];
    unsigned mask;

    if (!at)
        return 0;
    s = at + sizeof(tag) - 1;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == ':')
        s++;
    eol = s + strcspn(s, "\r\n");
    /* a comment closer on the same line is not a verdict */
    for (const char *c = s; c < eol; c++)
        if (c[0] == '*' && c[1] == '/') {
            eol = c;
            break;
        }
    snprintf(list, sizeof(list), "%.*s", (int)(eol - s), s);
    mask = pkg_verdict_parse(list);
    if (!mask)
        return db_pkg_fail(err, path, pkg_line_of(text, (size_t)(at - text)),
                           "@EXPECTED_RESULTS@ lists an unknown verdict or none (CORRECT,"
                           " WRONG-ANSWER, TIMELIMIT, RUN-ERROR, COMPILER-ERROR, NO-OUTPUT,"
                           " OUTPUT-LIMIT, or the Kattis names)");
    *ret = mask;
    return 1;
}

int pkg_add_solution(struct db_pkg_problem *p, const char *path, const char *expected,
                     const struct db_pkg_file *src, struct db_pkg_error *err)
{
    struct db_pkg_solution *v, *s;
    unsigned mask = 0;
    int r;

    if (p->n_solutions >= PKG_MAX_SOLUTIONS)
        return db_pkg_fail(err, path, 0, "more than %d solutions", PKG_MAX_SOLUTIONS);
    if (pkg_text_check(path, strlen(path), path, "a file name", err) < 0 ||
        pkg_text_check(src->data, src->len, path, "a solution", err) < 0)
        return -EINVAL;
    r = expected_results(src, path, &mask, err);
    if (r < 0)
        return r;
    v = realloc(p->solutions, (p->n_solutions + 1) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    p->solutions = v;
    s = &v[p->n_solutions];
    *s = (struct db_pkg_solution){0};
    if (mask)
        pkg_verdict_list(mask, s->expected, sizeof(s->expected));
    else
        snprintf(s->expected, sizeof(s->expected), "%s", expected);
    s->path = strdup(path);
    s->source = strndup((const char *)src->data, src->len);
    p->n_solutions++;
    if (!s->path || !s->source)
        return -ENOMEM;
    return 0;
}

int pkg_add_solution_dir(struct db_pkg_problem *p, const struct db_pkg_files *files, size_t first,
                         const char *dir, const char *expected, size_t *ret_next,
                         struct db_pkg_error *err)
{
    size_t dlen = strlen(dir), i, n = 0, elen = 0;
    const char *names[SOURCE_FILES_MAX], *why;
    struct db_pkg_solution *v, *s;
    cJSON *arr = NULL;
    char *exts = NULL;
    long k;
    int r = 0;

    if (p->n_solutions >= PKG_MAX_SOLUTIONS)
        return db_pkg_fail(err, dir, 0, "more than %d solutions", PKG_MAX_SOLUTIONS);
    arr = cJSON_CreateArray();
    exts = calloc(1, (size_t)SOURCE_FILES_MAX * 17 + 1);
    if (!arr || !exts) {
        r = -ENOMEM;
        goto out;
    }
    for (i = first; i < files->n; i++) {
        const struct db_pkg_file *f = &files->v[i];
        const char *name = f->path + dlen + 1;
        cJSON *o;
        if (strncmp(f->path, dir, dlen) != 0 || f->path[dlen] != '/')
            break;
        if (n == SOURCE_FILES_MAX) {
            r = db_pkg_fail(err, dir, 0, "a solution of several files has more than %d files",
                            SOURCE_FILES_MAX);
            goto out;
        }
        why = source_name_check(name);
        if (why) {
            r = db_pkg_fail(err, f->path, 0, "a file name of a solution of several files %s", why);
            goto out;
        }
        r = pkg_text_check(f->data, f->len, f->path, "a solution", err);
        if (r < 0)
            goto out;
        names[n++] = name;
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o) || !cJSON_AddStringToObject(o, "name", name) ||
            !cJSON_AddStringToObject(o, "content", (const char *)f->data)) {
            cJSON_Delete(o);
            r = -ENOMEM;
            goto out;
        }
        elen += (size_t)snprintf(exts + elen, 18, "%s%.16s", elen ? " " : "", pkg_ext(name));
    }
    *ret_next = i;
    k = source_names_clash(names, n, &why);
    if (k >= 0) {
        r = db_pkg_fail(err, dir, 0, "%s %s", names[k], why);
        goto out;
    }
    v = realloc(p->solutions, (p->n_solutions + 1) * sizeof(*v));
    if (!v) {
        r = -ENOMEM;
        goto out;
    }
    p->solutions = v;
    s = &v[p->n_solutions];
    *s = (struct db_pkg_solution){0};
    snprintf(s->expected, sizeof(s->expected), "%s", expected);
    s->path = strdup(dir);
    s->source = strdup("");
    s->files_json = cJSON_PrintUnformatted(arr);
    s->exts = exts;
    exts = NULL;
    p->n_solutions++;
    if (!s->path || !s->source || !s->files_json)
        r = -ENOMEM;
out:
    cJSON_Delete(arr);
    free(exts);
    return r;
}

int pkg_line_of(const char *text, size_t pos)
{
    int line = 1;

    for (size_t i = 0; i < pos && text[i]; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

int pkg_text_check(const void *data, size_t len, const char *file, const char *what,
                   struct db_pkg_error *err)
{
    size_t good = utf8_valid_prefix(data, len);

    if (good < len && ((const char *)data)[good] == '\0')
        return db_pkg_fail(err, file, pkg_line_of(data, good),
                           "%s must be text (it holds a NUL byte)", what);
    if (good < len)
        return db_pkg_fail(err, file, pkg_line_of(data, good),
                           "%s must be text in UTF-8 (byte %zu is not)", what, good + 1);
    return 0;
}

const char *pkg_ext(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');

    return dot && dot[1] ? dot + 1 : "";
}

int pkg_name_valid(const char *s, size_t len)
{
    if (len < 1 || len > PKG_MAX_NAME)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

/* ---- inlining a checker's local headers ---- */

struct sbuf {
    char *p;
    size_t n, cap;
};

static int sbuf_put(struct sbuf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        size_t cap = (b->n + len + 1) * 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return -ENOMEM;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
    return 0;
}

static int inline_into(struct sbuf *b, const struct db_pkg_files *files, const char *path,
                       char (*seen)[DB_PKG_MAX_PATH + 1], size_t *n_seen, int depth,
                       struct db_pkg_error *err)
{
    const struct db_pkg_file *f = db_pkg_file_get(files, path);
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *s, *end;
    int r = 0;

    if (!f)
        return db_pkg_fail(err, path, 0, "no such file");
    if (depth > 8)
        return db_pkg_fail(err, path, 0, "includes nested too deep");
    if (b->n + f->len > ((size_t)4 << 20))
        return db_pkg_fail(err, path, 0, "the checker source is larger than 4 MiB");
    s = (const char *)f->data;
    end = s + f->len;
    while (s < end && r >= 0) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *eol = nl ? nl + 1 : end;
        const char *q = s, *open, *close;
        char inc[DB_PKG_MAX_PATH + 1];
        int done = 0;

        while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
        if (eol - q > 9 && !strncmp(q, "#include", 8) && (open = memchr(q, '"', eol - q)) &&
            (close = memchr(open + 1, '"', eol - open - 1)) &&
            dirlen + (size_t)(close - open - 1) < sizeof(inc)) {
            size_t k;
            memcpy(inc, path, dirlen);
            memcpy(inc + dirlen, open + 1, (size_t)(close - open - 1));
            inc[dirlen + (size_t)(close - open - 1)] = '\0';
            if (db_pkg_file_get(files, inc)) {
                done = 1;
                for (k = 0; k < *n_seen; k++)
                    if (!strcmp(seen[k], inc))
                        break;
                if (k == *n_seen && *n_seen < 32) {
                    snprintf(seen[(*n_seen)++], DB_PKG_MAX_PATH + 1, "%s", inc);
                    r = inline_into(b, files, inc, seen, n_seen, depth + 1, err);
                    if (r >= 0)
                        r = sbuf_put(b, "\n", 1);
                }
            }
        }
        if (!done && r >= 0)
            r = sbuf_put(b, s, (size_t)(eol - s));
        s = eol;
    }
    return r;
}

int pkg_inline_source(struct db_pkg_problem *p, const struct db_pkg_files *files, const char *path,
                      char **ret_source, struct db_pkg_error *err)
{
    char seen[32][DB_PKG_MAX_PATH + 1];
    size_t n_seen = 0;
    struct sbuf b = {0};
    const char *ext = pkg_ext(path);
    int r;

    if (strcmp(ext, "c") != 0 && strcmp(ext, "cpp") != 0 && strcmp(ext, "cc") != 0 &&
        strcmp(ext, "cxx") != 0 && strcmp(ext, "h") != 0 && strcmp(ext, "hpp") != 0) {
        const struct db_pkg_file *f = db_pkg_file_get(files, path);
        if (!f)
            return db_pkg_fail(err, path, 0, "no such file");
        r = sbuf_put(&b, (const char *)f->data, f->len);
    } else {
        r = sbuf_put(&b, "", 0);
        if (r >= 0)
            r = inline_into(&b, files, path, seen, &n_seen, 0, err);
    }
    if (r >= 0 && (r = pkg_text_check(b.p, b.n, path, "a checker", err)) < 0)
        err->line = 0; /* a line of the checker with its headers pasted in */
    if (r >= 0) {
        *ret_source = pkg_keep(p, b.p, b.n);
        if (!*ret_source)
            r = -ENOMEM;
    }
    free(b.p);
    return r;
}

/* ---- entry points ---- */

void db_pkg_problem_release(struct db_pkg_problem *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_names; i++)
        free(p->names[i]);
    for (size_t i = 0; i < p->n_solutions; i++) {
        free(p->solutions[i].path);
        free(p->solutions[i].source);
        cJSON_free(p->solutions[i].files_json);
        free(p->solutions[i].exts);
    }
    free(p->names);
    free(p->solutions);
    free(p->tests);
    *p = (struct db_pkg_problem){0};
}

int db_pkg_parse(const struct db_pkg_files *files, const char *slug, int override,
                 struct db_pkg_problem *ret, struct db_pkg_error *err)
{
    int r;

    *ret = (struct db_pkg_problem){0};
    if (err)
        *err = (struct db_pkg_error){0};
    if (db_pkg_file_get(files, "problem.json")) {
        ret->format = "gavel";
        r = pkg_parse_gavel(files, ret, err);
    } else if (db_pkg_file_get(files, "problem.yaml")) {
        ret->format = "kattis";
        r = pkg_parse_kattis(files, ret, err);
    } else {
        r = db_pkg_fail(err, "", 0,
                        "neither problem.json (Gavel) nor problem.yaml (Kattis)"
                        " at the top of the package");
    }
    if (r >= 0 && slug && (override || !ret->def.slug)) {
        ret->slug = pkg_keep(ret, slug, (size_t)-1);
        ret->def.slug = ret->slug;
        if (!ret->slug)
            r = -ENOMEM;
    }
    if (r >= 0 && !ret->def.title && ret->def.slug)
        ret->def.title = ret->title = pkg_keep(ret, ret->def.slug, (size_t)-1);
    if (r >= 0 && !ret->def.slug)
        r = db_pkg_fail(err, "", 0, "the problem has no slug");
    if (r >= 0 && db_slug_valid(ret->def.slug) < 0)
        r = db_pkg_fail(err, "", 0, "invalid slug \"%.64s\" (a-z, 0-9, - and _, at most 64)",
                        ret->def.slug);
    if (r >= 0 && ret->def.n_tests == 0)
        r = db_pkg_fail(err, ret->format[0] == 'g' ? "tests" : "data", 0, "no tests");
    if (r < 0)
        db_pkg_problem_release(ret);
    return r;
}
