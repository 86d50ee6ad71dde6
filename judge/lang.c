/*
 * lang.c: languages from the database, command templates, the Java file and class names
 * (lang.h).
 */
#include "judge/lang.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void judge_lang_release(struct judge_lang *l)
{
    for (int i = 0; i < l->n_compile; i++)
        free(l->compile_argv[i]);
    for (int i = 0; i < l->n_run; i++)
        free(l->run_argv[i]);
    for (int i = 0; i < l->n_pch; i++)
        free(l->pch_argv[i]);
    for (int i = 0; i < l->n_archive; i++)
        free(l->archive_argv[i]);
    for (int i = 0; i < l->n_binds; i++)
        free(l->binds[i]);
    l->n_compile = l->n_run = l->n_pch = l->n_archive = l->n_binds = 0;
}

static int profile_parse(const char *s)
{
    if (!strcmp(s, "native"))
        return SB_NATIVE;
    if (!strcmp(s, "python"))
        return SB_PYTHON;
    if (!strcmp(s, "jvm"))
        return SB_JVM;
    return -EINVAL;
}

int judge_lang_load(struct db_conn *conn, const char *id, struct judge_lang *ret)
{
    PGresult *res = NULL;
    int r, p;

    memset(ret, 0, sizeof(*ret));
    r = db_query(conn, &res,
                 "SELECT source_file, sandbox_profile, time_limit_ms, memory_limit_mb,"
                 " compile_time_ms, compile_memory_mb, coalesce(pch_header, ''),"
                 " coalesce(array_to_string(source_exts, ' '), ''), version"
                 " FROM languages WHERE id = $1",
                 1, (const char *[]){id});
    if (r < 0)
        return r;
    if (PQntuples(res) != 1) {
        r = -ENOENT;
        goto out;
    }
    snprintf(ret->id, sizeof(ret->id), "%s", id);
    snprintf(ret->source_file, sizeof(ret->source_file), "%s", PQgetvalue(res, 0, 0));
    p = profile_parse(PQgetvalue(res, 0, 1));
    if (p < 0) {
        r = p;
        goto out;
    }
    ret->profile = (enum sb_profile)p;
    ret->time_limit_ms = (int)db_int64(res, 0, 2);
    ret->memory_limit_mb = (int)db_int64(res, 0, 3);
    ret->compile_time_ms = (int)db_int64(res, 0, 4);
    ret->compile_memory_mb = (int)db_int64(res, 0, 5);
    snprintf(ret->pch_header, sizeof(ret->pch_header), "%s", PQgetvalue(res, 0, 6));
    snprintf(ret->version, sizeof(ret->version), "%s", PQgetvalue(res, 0, 8));
    {
        /* Space-separated: extensions hold no space (see source_name.h's characters). */
        char exts[256], *save = NULL;
        snprintf(exts, sizeof(exts), "%s", PQgetvalue(res, 0, 7));
        for (char *e = strtok_r(exts, " ", &save); e && ret->n_exts < JUDGE_MAX_EXTS;
             e = strtok_r(NULL, " ", &save))
            snprintf(ret->source_exts[ret->n_exts++], sizeof(ret->source_exts[0]), "%s", e);
    }
    PQclear(res);
    res = NULL;

    /* The four templates and the binds, one argument per row, in order. */
    r = db_query(conn, &res,
                 "SELECT k, a FROM languages l, LATERAL ("
                 " SELECT 0 AS k, a, o FROM unnest(l.compile_argv) WITH ORDINALITY u(a, o)"
                 " UNION ALL SELECT 1, a, o FROM unnest(l.run_argv) WITH ORDINALITY u(a, o)"
                 " UNION ALL SELECT 2, a, o FROM unnest(l.pch_argv) WITH ORDINALITY u(a, o)"
                 " UNION ALL SELECT 3, a, o FROM unnest(l.binds) WITH ORDINALITY u(a, o)"
                 " UNION ALL SELECT 4, a, o FROM unnest(l.archive_argv) WITH ORDINALITY u(a, o)"
                 ") t WHERE l.id = $1 ORDER BY k, o",
                 1, (const char *[]){id});
    if (r < 0)
        goto out;
    for (int i = 0; i < PQntuples(res); i++) {
        int k = (int)db_int64(res, i, 0);
        char **argv = k == 0   ? ret->compile_argv
                      : k == 1 ? ret->run_argv
                      : k == 2 ? ret->pch_argv
                      : k == 3 ? ret->binds
                               : ret->archive_argv;
        int *n = k == 0   ? &ret->n_compile
                 : k == 1 ? &ret->n_run
                 : k == 2 ? &ret->n_pch
                 : k == 3 ? &ret->n_binds
                          : &ret->n_archive;
        if (*n >= (k == 3 ? JUDGE_MAX_BINDS : JUDGE_MAX_ARGS - 1)) {
            r = -E2BIG;
            goto out;
        }
        argv[*n] = strdup(PQgetvalue(res, i, 1));
        if (!argv[*n]) {
            r = -ENOMEM;
            goto out;
        }
        (*n)++;
    }
    if (ret->n_run == 0)
        r = -EINVAL;
out:
    PQclear(res);
    if (r < 0)
        judge_lang_release(ret);
    return r;
}

size_t judge_lang_binds(const struct judge_lang *lang, struct sb_bind *ret, size_t n, size_t max)
{
    for (int i = 0; i < lang->n_binds && n < max; i++)
        ret[n++] = (struct sb_bind){.src = lang->binds[i], .dst = NULL};
    return n;
}

/* Java's rules for file and class names apply to Java sources, not to every JVM language. */
static int is_java(const struct judge_lang *lang)
{
    size_t n = strlen(lang->source_file);

    return n > 5 && strcmp(lang->source_file + n - 5, ".java") == 0;
}

void judge_argv_free(char **argv)
{
    if (!argv)
        return;
    for (int i = 0; argv[i]; i++)
        free(argv[i]);
    argv[0] = NULL;
}

/* Appends s to buf[*len..size), failing when it does not fit. */
static int put(char *buf, size_t size, size_t *len, const char *s)
{
    size_t n = strlen(s);

    if (*len + n >= size)
        return -E2BIG;
    memcpy(buf + *len, s, n + 1);
    *len += n;
    return 0;
}

static int expand_one(const char *t, const struct judge_vars *v, char **ret)
{
    char buf[4096], num[16];
    size_t len = 0;
    int r = 0;

    buf[0] = '\0';
    while (*t && r == 0) {
        const char *val = NULL;
        size_t skip = 0;
        if (!strncmp(t, "{src}", 5)) {
            val = v->src, skip = 5;
        } else if (!strncmp(t, "{name}", 6)) {
            val = v->name, skip = 6;
        } else if (!strncmp(t, "{memory_mb}", 11)) {
            snprintf(num, sizeof(num), "%d", v->memory_mb);
            val = num, skip = 11;
        } else if (!strncmp(t, "{header}", 8)) {
            val = v->header, skip = 8;
        } else if (!strncmp(t, "{out}", 5)) {
            val = v->out, skip = 5;
        } else if (!strncmp(t, "{archive}", 9)) {
            val = v->archive, skip = 9;
        }
        if (skip) {
            r = put(buf, sizeof(buf), &len, val ? val : "");
            t += skip;
        } else {
            char one[2] = {*t++, '\0'};
            r = put(buf, sizeof(buf), &len, one);
        }
    }
    if (r < 0)
        return r;
    *ret = strdup(buf);
    return *ret ? 0 : -ENOMEM;
}

int judge_expand(char *const *tmpl, int n, const struct judge_vars *vars, char **ret_argv)
{
    int r = 0, k = 0;

    if (n >= JUDGE_MAX_ARGS)
        return -E2BIG;
    for (int i = 0; i < n && r == 0; i++) {
        if ((!vars->archive || !vars->archive[0]) && strstr(tmpl[i], "{archive}"))
            continue; /* no archive on this host: run without it */
        if (!strcmp(tmpl[i], "{files}") && vars->files) {
            for (size_t f = 0; vars->files[f] && r == 0; f++) {
                if (k >= JUDGE_MAX_ARGS - 1) {
                    r = -E2BIG;
                    break;
                }
                ret_argv[k] = strdup(vars->files[f]);
                r = ret_argv[k] ? 0 : -ENOMEM;
                k += r == 0;
            }
            continue;
        }
        if (k >= JUDGE_MAX_ARGS - 1) {
            r = -E2BIG;
            break;
        }
        /* Without a list of files, {files} is the one source: {src}. */
        r = expand_one(strcmp(tmpl[i], "{files}") ? tmpl[i] : "{src}", vars, &ret_argv[k]);
        k += r == 0;
    }
    ret_argv[k] = NULL;
    if (r < 0)
        judge_argv_free(ret_argv);
    return r;
}

/* --- Java --- */

static int ident_start(int c)
{
    return isalpha(c) || c == '_' || c == '$';
}

static int ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '$';
}

/* The next token of Java source from *p, skipping whitespace, comments and literals (text
 * blocks included): identifiers go into tok, a symbol as a one-character string, a literal as "".
 * 0 at the end. */
static int java_token(const char **p, char *tok, size_t size)
{
    const char *s = *p;

    for (;;) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (s[0] == '/' && s[1] == '/') {
            while (*s && *s != '\n')
                s++;
        } else if (s[0] == '/' && s[1] == '*') {
            s += 2;
            while (*s && !(s[0] == '*' && s[1] == '/'))
                s++;
            if (*s)
                s += 2;
        } else {
            break;
        }
    }
    if (!*s)
        return 0;
    tok[0] = '\0';
    if (!strncmp(s, "\"\"\"", 3)) {
        s += 3;
        while (*s && strncmp(s, "\"\"\"", 3)) {
            if (*s == '\\' && s[1])
                s++;
            s++;
        }
        s += *s ? 3 : 0;
    } else if (*s == '"' || *s == '\'') {
        char q = *s++;
        while (*s && *s != q) {
            if (*s == '\\' && s[1])
                s++;
            s++;
        }
        if (*s)
            s++;
    } else if (ident_start((unsigned char)*s)) {
        size_t n = 0;
        while (ident_char((unsigned char)*s)) {
            if (n + 1 < size)
                tok[n++] = *s;
            s++;
        }
        tok[n] = '\0';
    } else {
        tok[0] = *s++;
        tok[1] = '\0';
    }
    *p = s;
    return 1;
}

static int one_of(const char *tok, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(tok, words[i]))
            return 1;
    return 0;
}

static int java_name_ok(const char *tok)
{
    size_t n = strlen(tok);
    return n > 0 && n <= 60 && ident_start((unsigned char)tok[0]);
}

/* The first public top-level type (ret_public) and the first top-level type that declares a
 * `void main` method (ret_main) of a Java source; "" for none. */
static void java_scan(const char *source, char *ret_public, char *ret_main, size_t size)
{
    static const char *const modifiers[] = {"final", "abstract", "static", "strictfp", "sealed"};
    static const char *const kinds[] = {"class", "interface", "enum", "record"};
    const char *p = source;
    char tok[80], prev[80] = "", top[80] = "";
    int depth = 0, after_public = 0, want_name = 0, public_kind = 0;

    ret_public[0] = ret_main[0] = '\0';
    /* Only declarations at depth 0 (outside every brace) are top-level types. */
    while (java_token(&p, tok, sizeof(tok))) {
        if (!strcmp(tok, "{")) {
            depth++;
        } else if (!strcmp(tok, "}")) {
            depth -= depth > 0;
        } else if (depth == 0 && want_name) {
            want_name = 0;
            if (!java_name_ok(tok))
                break;
            if (public_kind && !ret_public[0])
                snprintf(ret_public, size, "%s", tok);
            snprintf(top, sizeof(top), "%s", tok);
        } else if (depth == 0) {
            if (!strcmp(tok, "public")) {
                after_public = 1;
            } else if (one_of(tok, kinds, sizeof(kinds) / sizeof(kinds[0]))) {
                want_name = 1;
                public_kind = after_public;
                after_public = 0;
            } else if (!one_of(tok, modifiers, sizeof(modifiers) / sizeof(modifiers[0]))) {
                after_public = 0;
            }
        } else if (depth == 1 && !ret_main[0] && top[0] && !strcmp(prev, "void") &&
                   !strcmp(tok, "main")) {
            snprintf(ret_main, size, "%s", top);
        }
        snprintf(prev, sizeof(prev), "%s", tok);
    }
}

void judge_java_source_name(const char *source, const char *fallback, char *ret, size_t size)
{
    char pub[80], with_main[80];

    java_scan(source, pub, with_main, sizeof(pub));
    if (pub[0])
        snprintf(ret, size, "%s.java", pub);
    else if (with_main[0])
        snprintf(ret, size, "%s.java", with_main);
    else
        snprintf(ret, size, "%s", fallback);
}

void judge_java_package(const char *source, char *ret, size_t size)
{
    const char *p = source;
    char tok[80];
    size_t len = 0;

    ret[0] = '\0';
    if (!java_token(&p, tok, sizeof(tok)) || strcmp(tok, "package"))
        return;
    /* identifier ( "." identifier )* ";" */
    for (;;) {
        size_t n;
        if (!java_token(&p, tok, sizeof(tok)) || !java_name_ok(tok))
            break;
        n = strlen(tok);
        if (len + n + 2 > size)
            break;
        memcpy(ret + len, tok, n);
        len += n;
        ret[len] = '\0';
        if (!java_token(&p, tok, sizeof(tok)))
            break;
        if (!strcmp(tok, ";"))
            return;
        if (strcmp(tok, "."))
            break;
        ret[len++] = '.';
        ret[len] = '\0';
    }
    ret[0] = '\0';
}

void judge_source_names(const struct judge_lang *lang, const char *source, char *ret_src,
                        size_t src_size, char *ret_name, size_t name_size)
{
    char pkg[256];
    char *dot;
    size_t p, n;

    if (is_java(lang))
        judge_java_source_name(source, lang->source_file, ret_src, src_size);
    else
        snprintf(ret_src, src_size, "%s", lang->source_file);
    snprintf(ret_name, name_size, "%s", ret_src);
    dot = strrchr(ret_name, '.');
    if (dot)
        *dot = '\0';
    if (!is_java(lang))
        return;
    judge_java_package(source, pkg, sizeof(pkg));
    p = strlen(pkg);
    n = strlen(ret_name);
    if (p == 0 || p + 1 + n >= name_size)
        return;
    memmove(ret_name + p + 1, ret_name, n + 1);
    memcpy(ret_name, pkg, p);
    ret_name[p] = '.';
}

/* --- several files --- */

int judge_is_source(const struct judge_lang *lang, const char *name)
{
    const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');

    if (!dot || (slash && dot < slash) || dot == name || dot[-1] == '/')
        return 0;
    if (lang->n_exts == 0) {
        const char *own = strrchr(lang->source_file, '.');
        return own && !strcmp(dot, own);
    }
    for (int i = 0; i < lang->n_exts; i++)
        if (!strcmp(dot, lang->source_exts[i]))
            return 1;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 when the file's base name is main.EXT, ignoring case: Kattis's main file. */
static int is_main_file(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    return strncasecmp(base, "main.", 5) == 0;
}

static const char *skip_bom(const char *s)
{
    return strncmp(s, "\xEF\xBB\xBF", 3) == 0 ? s + 3 : s;
}

static const char *content_of(const struct judge_file *files, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (files[i].name == name)
            return files[i].content;
    return "";
}

/* {name} for Java: the class to run, qualified by its package (judge_sources_choose). */
static void java_main_class(const struct judge_file *files, size_t n, const char **sources,
                            size_t n_src, const char *entry, char *ret, size_t size)
{
    char pub[80], with_main[80], pkg[256], cls[80] = "";
    const char *from = NULL;

    for (size_t i = 0; i < n_src; i++) {
        java_scan(skip_bom(content_of(files, n, sources[i])), pub, with_main, sizeof(pub));
        if (!with_main[0])
            continue;
        if (!from || (is_main_file(sources[i]) && !is_main_file(from))) {
            from = sources[i];
            snprintf(cls, sizeof(cls), "%s", with_main);
        }
    }
    if (!from) {
        /* No main anywhere: the entry file's name, which java then reports missing. */
        const char *base = strrchr(entry, '/'), *dot;
        from = entry;
        snprintf(cls, sizeof(cls), "%s", base ? base + 1 : entry);
        dot = strrchr(cls, '.');
        if (dot)
            cls[dot - cls] = '\0';
    }
    judge_java_package(skip_bom(content_of(files, n, from)), pkg, sizeof(pkg));
    if (pkg[0] && strlen(pkg) + 1 + strlen(cls) < size)
        snprintf(ret, size, "%s.%s", pkg, cls);
    else
        snprintf(ret, size, "%s", cls);
}

int judge_sources_choose(const struct judge_lang *lang, const struct judge_file *files, size_t n,
                         const char **ret_sources, char *ret_src, size_t src_size, char *ret_name,
                         size_t name_size)
{
    const char *entry = NULL;
    size_t k = 0;
    char *dot;

    for (size_t i = 0; i < n; i++)
        if (judge_is_source(lang, files[i].name))
            ret_sources[k++] = files[i].name;
    ret_sources[k] = NULL;
    if (k == 0)
        return -ENOENT;
    qsort(ret_sources, k, sizeof(*ret_sources), by_name);
    for (size_t i = 0; i < k && !entry; i++)
        if (is_main_file(ret_sources[i]))
            entry = ret_sources[i];
    if (!entry)
        entry = ret_sources[0];
    snprintf(ret_src, src_size, "%s", entry);
    if (is_java(lang)) {
        java_main_class(files, n, ret_sources, k, entry, ret_name, name_size);
        return 0;
    }
    snprintf(ret_name, name_size, "%s", entry);
    dot = strrchr(ret_name, '.');
    if (dot && !strchr(dot, '/'))
        *dot = '\0';
    return 0;
}
