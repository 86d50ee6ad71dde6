/*
 * package_store.c: saving a parsed package through db_problem_save (package.h).
 *
 * Everything a package holds beyond the problem and its tests (shipped solutions, package
 * settings) is written by the save's own transaction through its save_extra hook, so an import
 * is all or nothing. Languages are data: a file's language is the one whose source_file has
 * the same extension (.cc and .cxx read as .cpp).
 */
#include "db/package-internal.h"

#include "common/source_name.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LANGS 64

struct lang_ext {
    char id[17];
    char ext[16];
};

struct save_ctx {
    struct db_pkg_problem *prob;
    const char **solution_lang; /* per solution; NULL = not stored */
};

static int load_langs(struct db_conn *c, struct lang_ext *langs, size_t *ret_n)
{
    PGresult *res = NULL;
    size_t n = 0;
    int r;

    r = db_query(c, &res,
                 "SELECT id, source_file FROM languages WHERE enabled AND installed"
                 " ORDER BY extension_rank, id",
                 0, NULL);
    if (r < 0)
        return r;
    for (int i = 0; i < PQntuples(res) && n < MAX_LANGS; i++) {
        snprintf(langs[n].id, sizeof(langs[n].id), "%s", PQgetvalue(res, i, 0));
        snprintf(langs[n].ext, sizeof(langs[n].ext), "%s", pkg_ext(PQgetvalue(res, i, 1)));
        n++;
    }
    PQclear(res);
    *ret_n = n;
    return 0;
}

static const char *lang_of(const struct lang_ext *langs, size_t n, const char *ext)
{
    if (!strcmp(ext, "cc") || !strcmp(ext, "cxx") || !strcmp(ext, "C") || !strcmp(ext, "c++"))
        ext = "cpp";
    for (size_t i = 0; i < n; i++)
        if (!strcmp(langs[i].ext, ext))
            return langs[i].id;
    return NULL;
}

static int save_extra(struct db_conn *c, int64_t problem_id, void *arg)
{
    const struct save_ctx *s = arg;
    const struct db_pkg_problem *p = s->prob;
    char id[24], pos[16];
    int r, k = 0;

    snprintf(id, sizeof(id), "%lld", (long long)problem_id);
    r = db_query(c, NULL, "DELETE FROM package_solutions WHERE problem_id = $1", 1,
                 (const char *const[]){id});
    for (size_t i = 0; r >= 0 && i < p->n_solutions; i++) {
        if (!s->solution_lang[i])
            continue;
        snprintf(pos, sizeof(pos), "%d", ++k);
        r = db_query(c, NULL,
                     "INSERT INTO package_solutions (problem_id, position, path, expected,"
                     " language_id, source, files) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
                     7,
                     (const char *const[]){id, pos, p->solutions[i].path, p->solutions[i].expected,
                                           s->solution_lang[i], p->solutions[i].source,
                                           p->solutions[i].files_json});
    }
    if (r >= 0)
        r = db_query(c, NULL,
                     "INSERT INTO package_meta (problem_id, format, meta) VALUES ($1, $2, $3)"
                     " ON CONFLICT (problem_id) DO UPDATE SET format = EXCLUDED.format,"
                     " meta = EXCLUDED.meta",
                     3,
                     (const char *const[]){id, p->format ? p->format : "gavel",
                                           p->meta_json ? p->meta_json : "{}"});
    return r;
}

/* Scales the base time limit to every language (each language's default times base over the
 * smallest default), then applies the explicit per-language limits on top. */
static int resolve_time_limits(struct db_conn *c, struct db_pkg_problem *p)
{
    PGresult *res = NULL;
    char base[16];
    int r;

    if (p->time_limit_ms <= 0)
        return 0;
    snprintf(base, sizeof(base), "%d", p->time_limit_ms);
    r = db_query(c, &res,
                 "SELECT (coalesce((SELECT jsonb_object_agg(id, least(60000, greatest(1,"
                 " round(time_limit_ms * $1::numeric / (SELECT min(time_limit_ms)"
                 " FROM languages WHERE enabled))))) FROM languages WHERE enabled),"
                 " '{}'::jsonb) || $2::jsonb)::text",
                 2, (const char *const[]){base, p->time_limits_json ? p->time_limits_json : "{}"});
    if (r < 0)
        return r;
    p->time_limits_json = pkg_keep(p, PQgetvalue(res, 0, 0), (size_t)-1);
    p->def.time_limits_json = p->time_limits_json;
    PQclear(res);
    return p->time_limits_json ? 0 : -ENOMEM;
}

static int checker_language(struct db_pkg_problem *p, const struct lang_ext *langs, size_t n_langs,
                            struct db_pkg_error *err)
{
    const char *cfile =
        !strcmp(p->format ? p->format : "", "kattis") ? "output_validators" : "problem.json";

    if (p->interactor_ext && !p->def.interactor_language) {
        const char *iid = lang_of(langs, n_langs, p->interactor_ext);
        if (!iid)
            return db_pkg_fail(err, "problem.json", 0,
                               "no language for an interactor written in .%s", p->interactor_ext);
        p->def.interactor_language = pkg_keep(p, iid, (size_t)-1);
        if (!p->def.interactor_language)
            return -ENOMEM;
    }
    if (p->interactive && p->def.interactor_language)
        return 0; /* moved already */
    if (!p->def.checker_kind || strcmp(p->def.checker_kind, "custom") != 0)
        return 0;
    const char *id = lang_of(langs, n_langs, p->checker_ext ? p->checker_ext : "");
    if (!id)
        return db_pkg_fail(err, cfile, 0, "no language for a checker written in .%s",
                           p->checker_ext ? p->checker_ext : "");
    /* A copy the problem owns: langs is the caller's, gone when it returns. */
    p->def.checker_language = pkg_keep(p, id, (size_t)-1);
    if (!p->def.checker_language)
        return -ENOMEM;
    if (p->interactive) {
        /* The validator talks with the submission: it is the interactor, and no checker reads
         * an output after it (its flags stay in the checker's parameters). */
        p->def.interactor_language = p->def.checker_language;
        p->def.interactor_source = p->def.checker_source;
        p->def.interactor_protocol = "kattis";
        p->def.checker_kind = "tokens";
        p->def.checker_language = p->def.checker_source = NULL;
    }
    return 0;
}

int db_pkg_checker_language(struct db_conn *c, struct db_pkg_problem *p, struct db_pkg_error *err)
{
    struct lang_ext langs[MAX_LANGS];
    size_t n_langs = 0;
    int r = load_langs(c, langs, &n_langs);

    return r < 0 ? r : checker_language(p, langs, n_langs, err);
}

int db_pkg_save(struct db_conn *c, struct db_pkg_problem *p, int64_t owner_id,
                enum db_save_mode mode, int64_t *ret_id, struct db_pkg_error *err)
{
    struct lang_ext langs[MAX_LANGS];
    struct save_ctx s = {.prob = p};
    const char *field = NULL;
    char field_buf[64];
    size_t n_langs = 0;
    int r;

    r = load_langs(c, langs, &n_langs);
    if (r >= 0)
        r = checker_language(p, langs, n_langs, err);
    if (r < 0)
        return r;
    s.solution_lang = calloc(p->n_solutions + 1, sizeof(*s.solution_lang));
    if (!s.solution_lang)
        return -ENOMEM;
    for (size_t i = 0; i < p->n_solutions; i++) {
        s.solution_lang[i] = lang_of(langs, n_langs, pkg_ext(p->solutions[i].path));
        if (p->solutions[i].exts) {
            /* Several files: the language of the first whose extension names one (a header
             * names none). */
            char exts[SOURCE_FILES_MAX * 17 + 1], *save = NULL;
            snprintf(exts, sizeof(exts), "%s", p->solutions[i].exts);
            s.solution_lang[i] = NULL;
            for (char *e = strtok_r(exts, " ", &save); e && !s.solution_lang[i];
                 e = strtok_r(NULL, " ", &save))
                s.solution_lang[i] = lang_of(langs, n_langs, e);
        }
        if (!s.solution_lang[i] && strcmp(p->format ? p->format : "", "kattis") != 0) {
            r = db_pkg_fail(err, p->solutions[i].path, 0, "no language has the extension .%s",
                            pkg_ext(p->solutions[i].path));
            goto out;
        }
    }
    r = resolve_time_limits(c, p);
    if (r < 0)
        goto out;
    p->def.save_extra = save_extra;
    p->def.save_extra_arg = &s;
    r = db_problem_save(c, &p->def, owner_id, mode, ret_id, NULL, &field, field_buf,
                        sizeof(field_buf));
    p->def.save_extra = NULL;
    p->def.save_extra_arg = NULL;
    if (r == -EINVAL)
        db_pkg_fail(err,
                    p->format && !strcmp(p->format, "kattis") ? "problem.yaml" : "problem.json", 0,
                    "refused: invalid %s", field ? field : "problem");
    else if (r == -EEXIST)
        db_pkg_fail(err, "", 0, "a problem named %s exists already", p->def.slug);
    else if (r == -ENOENT)
        db_pkg_fail(err, "", 0, "there is no problem named %s", p->def.slug);
    else if (r < 0)
        db_pkg_fail(err, "", 0, "the database refused the problem: %s", db_error(c));
out:
    free(s.solution_lang);
    return r;
}
