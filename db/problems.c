/*
 * problems.c: validating and saving problems, and the blob store (problems.h).
 */
#include "db/problems.h"
#include "db/accounts.h"
#include "common/utf8.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Names tests[index] + suffix (".points", "") as the offending field. */
static const char *field_error(const char **ret_field, char *buf, size_t size, size_t index,
                               const char *suffix)
{
    if (buf && size) {
        snprintf(buf, size, "tests[%zu]%s", index, suffix);
        if (ret_field)
            *ret_field = buf;
        return buf;
    }
    if (ret_field)
        *ret_field = "tests";
    return "tests";
}

int db_slug_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 1 || n > 64)
        return -EINVAL;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return -EINVAL;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return -EINVAL;
    return 0;
}

int db_blob_put(struct db_conn *c, const unsigned char *data, size_t len, char *ret_hash)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char size[24];
    static const unsigned char empty[1] = {0};

    if (len > (size_t)1 << 30)
        return -E2BIG;
    if (sodium_init() < 0)
        return -EIO;
    crypto_hash_sha256(digest, data ? data : empty, len);
    sodium_bin2hex(ret_hash, 65, digest, sizeof(digest));
    snprintf(size, sizeof(size), "%zu", len);
    return db_query_bin(c, NULL,
                        "INSERT INTO blobs (hash, size, data) VALUES ($1, $2, $3)"
                        " ON CONFLICT (hash) DO NOTHING",
                        3,
                        (const char *const[]){ret_hash, size, (const char *)(data ? data : empty)},
                        (const int[]){0, 0, (int)len}, (const int[]){0, 0, 1});
}

int db_blob_get(struct db_conn *c, const char *hash, PGresult **ret_res)
{
    PGresult *res = NULL;
    int r;

    *ret_res = NULL;
    r = db_query_bin(c, NULL, "SELECT 1", 0, NULL, NULL, NULL); /* reconnect if needed */
    if (r < 0)
        return r;
    res = PQexecParams(db_pg(c), "SELECT data FROM blobs WHERE hash = $1", 1, NULL,
                       (const char *const[]){hash}, NULL, NULL, 1);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return -EIO;
    }
    if (PQntuples(res) != 1) {
        PQclear(res);
        return -ENOENT;
    }
    *ret_res = res;
    return 0;
}

static int validate(const struct db_problem_def *d, const char **ret_field, char *buf, size_t size)
{
    const char *kind = d->checker_kind ? d->checker_kind : "tokens";
    /* Characters, as the schema's length() counts them (a UTF-8 title; the database refuses
     * any other). */
    size_t title_len = d->title ? utf8_chars(d->title, strlen(d->title)) : 0;

#define BAD(name)                                                                                  \
    do {                                                                                           \
        if (ret_field)                                                                             \
            *ret_field = name;                                                                     \
        return -EINVAL;                                                                            \
    } while (0)
    if (db_slug_valid(d->slug) < 0)
        BAD("slug");
    if (title_len < 1 || title_len > 200)
        BAD("title");
    if (d->visibility && strcmp(d->visibility, "public") && strcmp(d->visibility, "hidden"))
        BAD("visibility");
    if (d->memory_limit_mb < 0 || d->memory_limit_mb > 8192)
        BAD("memory_limit_mb");
    if (strcmp(kind, "exact") && strcmp(kind, "tokens") && strcmp(kind, "float") &&
        strcmp(kind, "custom"))
        BAD("checker.kind");
    if (!strcmp(kind, "custom") && (!d->checker_language || !*d->checker_language))
        BAD("checker.language");
    if (!strcmp(kind, "custom") && (!d->checker_source || !*d->checker_source))
        BAD("checker.source");
    if (d->interactor_source && (!d->interactor_language || !*d->interactor_language))
        BAD("checker.interactor.language");
    if (d->interactor_source && !*d->interactor_source)
        BAD("checker.interactor.source");
    if (d->interactor_source &&
        (!d->interactor_protocol ||
         (strcmp(d->interactor_protocol, "kattis") && strcmp(d->interactor_protocol, "testlib"))))
        BAD("checker.interactor.protocol");
    if (!d->keep_tests && (d->n_tests < 1 || !d->tests))
        BAD("tests");
    for (size_t i = 0; !d->keep_tests && i < d->n_tests; i++) {
        const struct db_test_def *t = &d->tests[i];
        if (t->points < 0 || t->points > 1000000) {
            field_error(ret_field, buf, size, i, ".points");
            return -EINVAL;
        }
        if (t->group && (strlen(t->group) < 1 || strlen(t->group) > 64)) {
            field_error(ret_field, buf, size, i, ".group");
            return -EINVAL;
        }
    }
#undef BAD
    return 0;
}

/* Which field a database refusal points at, judged from the constraint that failed. */
static const char *field_of_refusal(struct db_conn *c)
{
    const char *e = db_error(c);

    if (strstr(e, "interactor"))
        return "checker.interactor.language";
    if (strstr(e, "checker_language") || strstr(e, "languages"))
        return "checker.language";
    if (strstr(e, "jsonb") || strstr(e, "json"))
        return strstr(e, "time") ? "time_limits_ms" : "checker";
    if (strstr(e, "slug"))
        return "slug";
    if (strstr(e, "title"))
        return "title";
    return "problem";
}

/* Every key of time_limits_ms must be a language and every value 1..60000 ms. */
static int check_time_limits(struct db_conn *c, const char *json, const char **ret_field, char *buf,
                             size_t size)
{
    PGresult *res = NULL;
    int r;

    r = db_query(c, &res,
                 "SELECT k FROM jsonb_each($1::jsonb) AS e(k, v)"
                 " WHERE NOT EXISTS (SELECT 1 FROM languages WHERE id = k)"
                 " OR jsonb_typeof(v) <> 'number' OR v::text::numeric NOT BETWEEN 1 AND 60000"
                 " OR v::text::numeric <> trunc(v::text::numeric) LIMIT 1",
                 1, (const char *const[]){json});
    if (r < 0) {
        if (ret_field)
            *ret_field = "time_limits_ms";
        return r == -EIO ? -EINVAL : r;
    }
    if (PQntuples(res) > 0) {
        snprintf(buf, size, "time_limits_ms.%s", PQgetvalue(res, 0, 0));
        if (ret_field)
            *ret_field = buf;
        r = -EINVAL;
    }
    PQclear(res);
    return r;
}

int db_problem_save(struct db_conn *c, const struct db_problem_def *d, int64_t owner_id,
                    enum db_save_mode mode, int64_t *ret_id, int *ret_version,
                    const char **ret_field, char *buf, size_t size)
{
    char owner[24], memory[16], id_text[24], ordinal[24], points[16], max_score[24];
    const char *kind = d->checker_kind ? d->checker_kind : "tokens";
    const char *limits = d->time_limits_json ? d->time_limits_json : "{}";
    const char *params = d->checker_params_json ? d->checker_params_json : "{}";
    const int custom = !strcmp(kind, "custom");
    PGresult *res = NULL;
    long long total = 0;
    int stop_first;
    int64_t problem_id;
    int r;

    if (ret_field)
        *ret_field = NULL;
    if (d->keep_tests && mode != DB_PROBLEM_REPLACE)
        return -EINVAL;
    r = validate(d, ret_field, buf, size);
    if (r < 0)
        return r;
    for (size_t i = 0; i < d->n_tests; i++)
        total += d->tests[i].points;
    snprintf(owner, sizeof(owner), "%lld", (long long)owner_id);
    snprintf(memory, sizeof(memory), "%d", d->memory_limit_mb);
    snprintf(max_score, sizeof(max_score), "%lld", total);
    /* A problem with no points to give is judged pass or fail (ICPC style): by default its
     * first failed test settles the verdict. */
    stop_first =
        d->stop_on_first_failure == DB_STOP_DEFAULT ? total == 0 : d->stop_on_first_failure != 0;

    r = db_begin(c, NULL);
    if (r < 0)
        return r;
    if (mode != DB_PROBLEM_CREATE && d->content_hash) {
        r = db_query(c, &res,
                     "SELECT id, version FROM problems WHERE slug = $1"
                     " AND content_hash = $2",
                     2, (const char *const[]){d->slug, d->content_hash});
        if (r < 0)
            goto fail;
        if (PQntuples(res) == 1) {
            if (ret_id)
                *ret_id = db_int64(res, 0, 0);
            if (ret_version)
                *ret_version = (int)db_int64(res, 0, 1);
            snprintf(id_text, sizeof(id_text), "%s", PQgetvalue(res, 0, 0));
            PQclear(res);
            res = NULL;
            /* Unchanged content, but an owner named now still takes the problem over, as it
             * would with new content. */
            if (owner_id > 0) {
                r = db_query(c, NULL,
                             "UPDATE problems SET owner_id = $2::bigint"
                             " WHERE id = $1 AND owner_id IS DISTINCT FROM $2::bigint",
                             2, (const char *const[]){id_text, owner});
                if (r < 0 || (r = db_commit(c)) < 0)
                    goto fail;
                return 1;
            }
            db_rollback(c);
            return 1;
        }
        PQclear(res);
        res = NULL;
    }
    r = check_time_limits(c, limits, ret_field, buf, size);
    if (r < 0)
        goto fail;
    {
        const char *const values[] = {d->slug,
                                      d->title,
                                      d->statement ? d->statement : "",
                                      d->visibility ? d->visibility : "public",
                                      owner,
                                      memory,
                                      limits,
                                      kind,
                                      params,
                                      custom ? d->checker_language : NULL,
                                      custom ? d->checker_source : NULL,
                                      stop_first ? "true" : "false",
                                      max_score,
                                      d->interactor_source ? d->interactor_language : NULL,
                                      d->interactor_source,
                                      d->interactor_source ? d->interactor_protocol : NULL};
        const char *sql;
        if (mode == DB_PROBLEM_CREATE)
            sql = "INSERT INTO problems (slug, title, statement, visibility, owner_id,"
                  " memory_limit_mb, time_limits_ms, checker_kind, checker_params,"
                  " checker_language, checker_source, stop_on_first_failure, max_score,"
                  " interactor_language, interactor_source, interactor_protocol)"
                  " VALUES ($1, $2, $3, $4, nullif($5::bigint, 0), nullif($6::int, 0), $7::jsonb,"
                  " $8, $9::jsonb, $10, $11, $12::boolean, $13::int, $14, $15, $16)"
                  " RETURNING id, version";
        else if (mode == DB_PROBLEM_REPLACE)
            sql = "UPDATE problems SET title = $2, statement = $3, visibility = $4,"
                  " owner_id = coalesce(nullif($5::bigint, 0), owner_id),"
                  " memory_limit_mb = nullif($6::int, 0), time_limits_ms = $7::jsonb,"
                  " checker_kind = $8, checker_params = $9::jsonb, checker_language = $10,"
                  " checker_source = $11, stop_on_first_failure = $12::boolean,"
                  " max_score = $13::int, interactor_language = $14, interactor_source = $15,"
                  " interactor_protocol = $16, version = version + 1, updated_at = now()"
                  " WHERE slug = $1 RETURNING id, version";
        else
            sql = "INSERT INTO problems (slug, title, statement, visibility, owner_id,"
                  " memory_limit_mb, time_limits_ms, checker_kind, checker_params,"
                  " checker_language, checker_source, stop_on_first_failure, max_score,"
                  " interactor_language, interactor_source, interactor_protocol)"
                  " VALUES ($1, $2, $3, $4, nullif($5::bigint, 0), nullif($6::int, 0), $7::jsonb,"
                  " $8, $9::jsonb, $10, $11, $12::boolean, $13::int, $14, $15, $16)"
                  " ON CONFLICT (slug) DO UPDATE SET title = EXCLUDED.title,"
                  " statement = EXCLUDED.statement, visibility = EXCLUDED.visibility,"
                  " owner_id = coalesce(EXCLUDED.owner_id, problems.owner_id),"
                  " memory_limit_mb = EXCLUDED.memory_limit_mb,"
                  " time_limits_ms = EXCLUDED.time_limits_ms,"
                  " checker_kind = EXCLUDED.checker_kind,"
                  " checker_params = EXCLUDED.checker_params,"
                  " checker_language = EXCLUDED.checker_language,"
                  " checker_source = EXCLUDED.checker_source,"
                  " stop_on_first_failure = EXCLUDED.stop_on_first_failure,"
                  " max_score = EXCLUDED.max_score,"
                  " interactor_language = EXCLUDED.interactor_language,"
                  " interactor_source = EXCLUDED.interactor_source,"
                  " interactor_protocol = EXCLUDED.interactor_protocol,"
                  " version = problems.version + 1,"
                  " updated_at = now() RETURNING id, version";
        r = db_query(c, &res, sql, 16, values);
    }
    if (r < 0) {
        if (ret_field && !*ret_field)
            *ret_field = r == -EEXIST ? "slug" : field_of_refusal(c);
        goto fail;
    }
    if (PQntuples(res) != 1) {
        r = -ENOENT;
        if (ret_field)
            *ret_field = "slug";
        goto fail;
    }
    if (ret_id)
        *ret_id = db_int64(res, 0, 0);
    if (ret_version)
        *ret_version = (int)db_int64(res, 0, 1);
    problem_id = db_int64(res, 0, 0);
    snprintf(id_text, sizeof(id_text), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    res = NULL;

    r = db_query(c, NULL, "UPDATE problems SET content_hash = $2 WHERE id = $1", 2,
                 (const char *const[]){id_text, d->content_hash});
    if (r < 0)
        goto fail;
    if (d->archived_set) {
        r = db_query(c, NULL, "UPDATE problems SET archived = $2::boolean WHERE id = $1", 2,
                     (const char *const[]){id_text, d->archived ? "true" : "false"});
        if (r < 0)
            goto fail;
    }
    if (d->staff_set) {
        size_t bad = 0;
        r = db_staff_set(c, DB_STAFF_PROBLEM, problem_id, d->staff, d->n_staff, &bad, NULL);
        if (r == -EINVAL) {
            if (buf && size) {
                snprintf(buf, size, "staff[%zu]", bad);
                if (ret_field)
                    *ret_field = buf;
            } else if (ret_field) {
                *ret_field = "staff";
            }
        }
        if (r < 0)
            goto fail;
    }
    if (d->keep_tests) {
        /* The score is still the sum of the points of the tests kept. */
        r = db_query(c, NULL,
                     "UPDATE problems SET max_score = (SELECT coalesce(sum(points), 0)"
                     " FROM test_cases WHERE problem_id = $1) WHERE id = $1",
                     1, (const char *const[]){id_text});
        if (r < 0)
            goto fail;
        goto extra;
    }
    r = db_query(c, NULL, "DELETE FROM test_cases WHERE problem_id = $1", 1,
                 (const char *const[]){id_text});
    if (r < 0)
        goto fail;
    for (size_t i = 0; i < d->n_tests; i++) {
        const struct db_test_def *t = &d->tests[i];
        char in_hash[65], out_hash[65];
        r = db_blob_put(c, t->input, t->input_len, in_hash);
        if (r >= 0)
            r = db_blob_put(c, t->output, t->output_len, out_hash);
        if (r < 0) {
            field_error(ret_field, buf, size, i, "");
            goto fail;
        }
        snprintf(ordinal, sizeof(ordinal), "%zu", i + 1);
        snprintf(points, sizeof(points), "%d", t->points);
        r = db_query(c, NULL,
                     "INSERT INTO test_cases (problem_id, ordinal, name, input_hash, output_hash,"
                     " points, is_sample, group_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                     8,
                     (const char *const[]){id_text, ordinal, t->name ? t->name : "", in_hash,
                                           out_hash, points, t->is_sample ? "true" : "false",
                                           t->group});
        if (r < 0) {
            field_error(ret_field, buf, size, i, "");
            goto fail;
        }
    }
extra:
    if (d->save_extra) {
        r = d->save_extra(c, problem_id, d->save_extra_arg);
        if (r < 0)
            goto fail;
    }
    return db_commit(c);
fail:
    PQclear(res);
    db_rollback(c);
    return r;
}
