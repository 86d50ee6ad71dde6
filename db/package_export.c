/*
 * package_export.c: a stored problem written back as a package in Gavel's format (package.h).
 *
 * The archive holds one folder named after the slug. problem.json lists samples and groups by
 * exact test names and gives points test by test where an even split would not give them
 * back, so importing the archive yields the same tests, points, samples and groups. Test names
 * are kept when they are valid and already in order; otherwise each gets its ordinal in front.
 */
#include "db/package-internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct membuf {
    unsigned char *p;
    size_t n, cap;
};

static la_ssize_t mem_write(struct archive *a, void *arg, const void *buf, size_t len)
{
    struct membuf *m = arg;

    if (m->n + len > m->cap) {
        size_t cap = (m->n + len) * 2;
        unsigned char *np = realloc(m->p, cap);
        if (!np) {
            archive_set_error(a, ENOMEM, "out of memory");
            return -1;
        }
        m->p = np;
        m->cap = cap;
    }
    memcpy(m->p + m->n, buf, len);
    m->n += len;
    return (la_ssize_t)len;
}

static int add_entry(struct archive *a, const char *slug, const char *path, const void *data,
                     size_t len)
{
    struct archive_entry *e = archive_entry_new();
    char full[DB_PKG_MAX_PATH + 80];
    int r = 0;

    if (!e)
        return -ENOMEM;
    snprintf(full, sizeof(full), "%s/%s", slug, path);
    archive_entry_set_pathname(e, full);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, time(NULL), 0);
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        (len && archive_write_data(a, data, len) != (la_ssize_t)len))
        r = -EIO;
    archive_entry_free(e);
    return r;
}

static int add_blob(struct db_conn *c, struct archive *a, const char *slug, const char *path,
                    const char *hash)
{
    PGresult *res = NULL;
    int r;

    r = db_blob_get(c, hash, &res);
    if (r < 0)
        return r;
    r = add_entry(a, slug, path, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    PQclear(res);
    return r;
}

/* The name a test is exported under (see the top of the file). */
static void export_name(PGresult *tests, int i, int renamed, char *out, size_t size)
{
    const char *name = PQgetvalue(tests, i, 1);
    int width = PQntuples(tests) >= 1000 ? 4 : 3;

    if (!renamed)
        snprintf(out, size, "%s", name);
    else if (pkg_name_valid(name, strlen(name)) && strlen(name) <= PKG_MAX_NAME - 5)
        snprintf(out, size, "%0*d-%s", width, i + 1, name);
    else
        snprintf(out, size, "%0*d", width, i + 1);
}

/* problem.json's test part: samples, default points, groups, test_points. */
static int describe_tests(PGresult *t, int renamed, cJSON *root)
{
    cJSON *samples = cJSON_AddArrayToObject(root, "samples");
    cJSON *groups = cJSON_CreateArray(), *tpoints = cJSON_CreateObject();
    int n = PQntuples(t), r = 0;
    char name[PKG_MAX_NAME + 8];

    if (!samples || !groups || !tpoints) {
        r = -ENOMEM;
        goto out;
    }
    cJSON_AddNumberToObject(root, "points", 1);
    for (int i = 0; i < n; i++) {
        int pts = (int)db_int64(t, i, 4), sample = PQgetvalue(t, i, 5)[0] == 't';
        export_name(t, i, renamed, name, sizeof(name));
        if (sample)
            cJSON_AddItemToArray(samples, cJSON_CreateString(name));
        if (db_isnull(t, i, 6) && pts != (sample ? 0 : 1))
            cJSON_AddNumberToObject(tpoints, name, pts);
    }
    for (int i = 0; i < n; i++) {
        const char *g = PQgetvalue(t, i, 6);
        cJSON *grp, *list;
        int total = 0, count = 0, k = 0, even = 1, seen = 0;

        if (db_isnull(t, i, 6))
            continue;
        for (int j = 0; j < i && !seen; j++)
            seen = !db_isnull(t, j, 6) && !strcmp(PQgetvalue(t, j, 6), g);
        if (seen)
            continue;
        for (int j = i; j < n; j++)
            if (!db_isnull(t, j, 6) && !strcmp(PQgetvalue(t, j, 6), g)) {
                total += (int)db_int64(t, j, 4);
                count++;
            }
        for (int j = i; j < n && count > 0; j++)
            if (!db_isnull(t, j, 6) && !strcmp(PQgetvalue(t, j, 6), g))
                even &= db_int64(t, j, 4) == total / count + (k++ < total % count ? 1 : 0);
        grp = cJSON_CreateObject();
        if (!grp) {
            r = -ENOMEM;
            goto out;
        }
        cJSON_AddItemToArray(groups, grp);
        cJSON_AddStringToObject(grp, "name", g);
        if (even)
            cJSON_AddNumberToObject(grp, "points", total);
        list = cJSON_AddArrayToObject(grp, "tests");
        for (int j = i; j < n; j++) {
            if (db_isnull(t, j, 6) || strcmp(PQgetvalue(t, j, 6), g) != 0)
                continue;
            export_name(t, j, renamed, name, sizeof(name));
            cJSON_AddItemToArray(list, cJSON_CreateString(name));
            if (!even)
                cJSON_AddNumberToObject(tpoints, name, (double)db_int64(t, j, 4));
        }
    }
    if (cJSON_GetArraySize(groups) > 0) {
        cJSON_AddItemToObject(root, "groups", groups);
        groups = NULL;
    }
    if (cJSON_GetArraySize(tpoints) > 0) {
        cJSON_AddItemToObject(root, "test_points", tpoints);
        tpoints = NULL;
    }
out:
    cJSON_Delete(groups);
    cJSON_Delete(tpoints);
    return r;
}

/* The checker part of problem.json; *ret_file gets the checker's file name (or ""). */
static int describe_checker(struct db_conn *c, PGresult *p, cJSON *root, char *ret_file,
                            size_t size)
{
    cJSON *chk = cJSON_AddObjectToObject(root, "checker");
    cJSON *params = cJSON_Parse(PQgetvalue(p, 0, 6));
    PGresult *res = NULL;
    int r = 0;

    ret_file[0] = '\0';
    if (!chk || !params) {
        cJSON_Delete(params);
        return -ENOMEM;
    }
    cJSON_AddStringToObject(chk, "kind", PQgetvalue(p, 0, 5));
    if (!strcmp(PQgetvalue(p, 0, 5), "custom")) {
        cJSON *proto = cJSON_DetachItemFromObjectCaseSensitive(params, "protocol");
        r = db_query(c, &res, "SELECT source_file FROM languages WHERE id = $1", 1,
                     (const char *const[]){PQgetvalue(p, 0, 7)});
        if (r >= 0 && PQntuples(res) == 1)
            snprintf(ret_file, size, "checker.%s", pkg_ext(PQgetvalue(res, 0, 0)));
        else if (r >= 0)
            r = -ENOENT;
        PQclear(res);
        cJSON_AddStringToObject(chk, "source", ret_file);
        cJSON_AddStringToObject(chk, "protocol",
                                cJSON_IsString(proto) ? proto->valuestring : "testlib");
        cJSON_Delete(proto);
    }
    if (cJSON_GetArraySize(params) > 0)
        cJSON_AddItemToObject(chk, "params", params);
    else
        cJSON_Delete(params);
    return r;
}

int db_pkg_export(struct db_conn *c, const char *slug, int tar_gz, unsigned char **ret_data,
                  size_t *ret_len)
{
    PGresult *p = NULL, *t = NULL, *sols = NULL;
    struct archive *a = NULL;
    struct membuf m = {0};
    cJSON *root = NULL;
    char *json = NULL, checker_file[32], interactor_file[32], name[PKG_MAX_NAME + 16],
         path[DB_PKG_MAX_PATH + 1];
    int r, renamed = 0;

    *ret_data = NULL;
    *ret_len = 0;
    r = db_query(c, &p,
                 "SELECT p.id, p.slug, p.title, p.statement, p.visibility, p.checker_kind,"
                 " p.checker_params::text, p.checker_language, p.checker_source,"
                 " p.stop_on_first_failure, coalesce(p.memory_limit_mb, 0),"
                 " p.time_limits_ms::text, coalesce(m.meta->>'time_multiplier', ''),"
                 " coalesce(p.interactor_protocol, ''), p.interactor_source,"
                 " coalesce((SELECT source_file FROM languages l"
                 "           WHERE l.id = p.interactor_language), '')"
                 " FROM problems p LEFT JOIN package_meta m ON m.problem_id = p.id"
                 " WHERE p.slug = $1",
                 1, (const char *const[]){slug});
    if (r < 0)
        goto out;
    if (PQntuples(p) != 1) {
        r = -ENOENT;
        goto out;
    }
    r = db_query(c, &t,
                 "SELECT ordinal, name, input_hash, output_hash, points, is_sample, group_name"
                 " FROM test_cases WHERE problem_id = $1 ORDER BY ordinal",
                 1, (const char *const[]){PQgetvalue(p, 0, 0)});
    if (r >= 0)
        r = db_query(
            c, &sols,
            "SELECT path, replace(expected, ',', '+'), source, files::text FROM package_solutions"
            " WHERE problem_id = $1 ORDER BY position",
            1, (const char *const[]){PQgetvalue(p, 0, 0)});
    if (r < 0)
        goto out;
    for (int i = 0; i < PQntuples(t) && !renamed; i++) {
        const char *n = PQgetvalue(t, i, 1);
        renamed =
            !pkg_name_valid(n, strlen(n)) || (i > 0 && strcmp(PQgetvalue(t, i - 1, 1), n) >= 0);
    }

    root = cJSON_CreateObject();
    if (!root) {
        r = -ENOMEM;
        goto out;
    }
    cJSON_AddStringToObject(root, "slug", PQgetvalue(p, 0, 1));
    cJSON_AddStringToObject(root, "title", PQgetvalue(p, 0, 2));
    cJSON_AddStringToObject(root, "visibility", PQgetvalue(p, 0, 4));
    if (db_int64(p, 0, 10) > 0)
        cJSON_AddNumberToObject(root, "memory_limit_mb", (double)db_int64(p, 0, 10));
    if (strcmp(PQgetvalue(p, 0, 11), "{}") != 0)
        cJSON_AddItemToObject(root, "time_limits_ms", cJSON_Parse(PQgetvalue(p, 0, 11)));
    cJSON_AddBoolToObject(root, "stop_on_first_failure", PQgetvalue(p, 0, 9)[0] == 't');
    r = describe_checker(c, p, root, checker_file, sizeof(checker_file));
    interactor_file[0] = '\0';
    if (r >= 0 && PQgetvalue(p, 0, 13)[0]) {
        cJSON *ia = cJSON_AddObjectToObject(root, "interactor");
        snprintf(interactor_file, sizeof(interactor_file), "interactor.%s",
                 pkg_ext(PQgetvalue(p, 0, 15)));
        if (!ia || !cJSON_AddStringToObject(ia, "source", interactor_file) ||
            !cJSON_AddStringToObject(ia, "protocol", PQgetvalue(p, 0, 13)))
            r = -ENOMEM;
    }
    if (r >= 0)
        r = describe_tests(t, renamed, root);
    if (r < 0)
        goto out;
    if (PQgetvalue(p, 0, 12)[0]) {
        cJSON *v = cJSON_AddObjectToObject(root, "verify");
        cJSON_AddNumberToObject(v, "time_multiplier", strtod(PQgetvalue(p, 0, 12), NULL));
    }
    json = cJSON_Print(root);
    if (!json) {
        r = -ENOMEM;
        goto out;
    }

    a = archive_write_new();
    if (!a) {
        r = -ENOMEM;
        goto out;
    }
    if (tar_gz) {
        archive_write_set_format_pax_restricted(a);
        archive_write_add_filter_gzip(a);
    } else {
        archive_write_set_format_zip(a);
    }
    archive_write_set_bytes_in_last_block(a, 1);
    if (archive_write_open2(a, &m, NULL, mem_write, NULL, NULL) != ARCHIVE_OK) {
        r = -EIO;
        goto out;
    }
    r = add_entry(a, slug, "problem.json", json, strlen(json));
    if (r >= 0)
        r = add_entry(a, slug, "statement.md", PQgetvalue(p, 0, 3), strlen(PQgetvalue(p, 0, 3)));
    if (r >= 0 && checker_file[0])
        r = add_entry(a, slug, checker_file, PQgetvalue(p, 0, 8), strlen(PQgetvalue(p, 0, 8)));
    if (r >= 0 && interactor_file[0])
        r = add_entry(a, slug, interactor_file, PQgetvalue(p, 0, 14), strlen(PQgetvalue(p, 0, 14)));
    for (int i = 0; r >= 0 && i < PQntuples(t); i++) {
        export_name(t, i, renamed, name, sizeof(name));
        snprintf(path, sizeof(path), "tests/%s.in", name);
        r = add_blob(c, a, slug, path, PQgetvalue(t, i, 2));
        snprintf(path, sizeof(path), "tests/%s.out", name);
        if (r >= 0)
            r = add_blob(c, a, slug, path, PQgetvalue(t, i, 3));
    }
    for (int i = 0; r >= 0 && i < PQntuples(sols); i++) {
        const char *base = strrchr(PQgetvalue(sols, i, 0), '/');
        int dup = 0;
        base = base ? base + 1 : PQgetvalue(sols, i, 0);
        for (int j = 0; j < i; j++) {
            const char *b2 = strrchr(PQgetvalue(sols, j, 0), '/');
            dup |= !strcmp(b2 ? b2 + 1 : PQgetvalue(sols, j, 0), base) &&
                   !strcmp(PQgetvalue(sols, j, 1), PQgetvalue(sols, i, 1));
        }
        if (dup)
            snprintf(path, sizeof(path), "solutions/%s/%d-%s", PQgetvalue(sols, i, 1), i + 1, base);
        else
            snprintf(path, sizeof(path), "solutions/%s/%s", PQgetvalue(sols, i, 1), base);
        if (PQgetisnull(sols, i, 3)) {
            r = add_entry(a, slug, path, PQgetvalue(sols, i, 2), strlen(PQgetvalue(sols, i, 2)));
            continue;
        }
        /* Several files: a folder of them, which import reads back as one solution. */
        cJSON *fl = cJSON_Parse(PQgetvalue(sols, i, 3)), *f;
        if (!fl) {
            r = -ENOMEM;
            break;
        }
        cJSON_ArrayForEach(f, fl)
        {
            const char *fname = cJSON_GetStringValue(cJSON_GetObjectItem(f, "name"));
            const char *content = cJSON_GetStringValue(cJSON_GetObjectItem(f, "content"));
            char fpath[DB_PKG_MAX_PATH * 2 + 2];
            if (!fname || !content)
                continue;
            snprintf(fpath, sizeof(fpath), "%s/%s", path, fname);
            r = add_entry(a, slug, fpath, content, strlen(content));
            if (r < 0)
                break;
        }
        cJSON_Delete(fl);
    }
    if (r >= 0 && archive_write_close(a) != ARCHIVE_OK)
        r = -EIO;
    if (r < 0)
        goto out;
    *ret_data = m.p;
    *ret_len = m.n;
    m.p = NULL;
out:
    if (a)
        archive_write_free(a);
    free(m.p);
    cJSON_free(json);
    cJSON_Delete(root);
    PQclear(p);
    PQclear(t);
    PQclear(sols);
    return r;
}
