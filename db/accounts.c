/*
 * accounts.c: argon2id hashing and user creation of accounts.h.
 */
#include "db/accounts.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int db_username_valid(const char *u)
{
    size_t n = u ? strlen(u) : 0;

    if (n < 1 || n > 32)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        char ch = u[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-'))
            return -EINVAL;
    }
    return 0;
}

int db_password_hash(const char *password, char *ret_hash, size_t hash_size)
{
    size_t n = password ? strlen(password) : 0;

    if (n < DB_PASSWORD_MIN || n > DB_PASSWORD_MAX || hash_size < crypto_pwhash_STRBYTES)
        return -EINVAL;
    if (sodium_init() < 0)
        return -EIO;
    if (crypto_pwhash_str(ret_hash, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -ENOMEM;
    return 0;
}

int db_password_check(const char *hash, const char *password)
{
    if (!hash || !password || sodium_init() < 0)
        return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static int role_valid(const char *role)
{
    return !strcmp(role, "student") || !strcmp(role, "instructor") || !strcmp(role, "admin");
}

int db_user_create(struct db_conn *c, const char *username, const char *password,
                   const char *display_name, const char *role, int64_t *ret_id)
{
    char hash[crypto_pwhash_STRBYTES];
    int r;

    if (db_username_valid(username) < 0 || !role_valid(role ? role : "student"))
        return -EINVAL;
    r = db_password_hash(password, hash, sizeof(hash));
    if (r < 0)
        return r;
    r = db_user_insert(c, username, hash, display_name, role, ret_id);
    sodium_memzero(hash, sizeof(hash));
    return r;
}

int db_user_insert(struct db_conn *c, const char *username, const char *password_hash,
                   const char *display_name, const char *role, int64_t *ret_id)
{
    PGresult *res = NULL;
    int r;

    if (!role)
        role = "student";
    if (db_username_valid(username) < 0 || !role_valid(role))
        return -EINVAL;
    r = db_query(
        c, &res,
        "INSERT INTO users (username, display_name, password_hash, role)"
        " VALUES ($1, $2, $3, $4) RETURNING id",
        4, (const char *const[]){username, display_name ? display_name : "", password_hash, role});
    if (r < 0)
        return r;
    if (ret_id)
        *ret_id = db_int64(res, 0, 0);
    PQclear(res);
    return 0;
}

int db_staff_set(struct db_conn *c, enum db_staff_of of, int64_t id, const char *const *names,
                 size_t n, size_t *ret_bad, const char **ret_message)
{
    const int problem = of == DB_STAFF_PROBLEM;
    char tid[24];
    PGresult *res = NULL;
    int r;

    snprintf(tid, sizeof(tid), "%" PRId64, id);
    r = db_query(c, NULL,
                 problem ? "DELETE FROM problem_staff WHERE problem_id = $1"
                         : "DELETE FROM contest_staff WHERE contest_id = $1",
                 1, (const char *const[]){tid});
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        r = db_query(c, &res,
                     "SELECT id, role IN ('instructor', 'admin') FROM users"
                     " WHERE lower(username) = lower($1)",
                     1, (const char *const[]){names[i] ? names[i] : ""});
        if (r < 0)
            return r;
        if (PQntuples(res) != 1 || PQgetvalue(res, 0, 1)[0] != 't') {
            if (ret_bad)
                *ret_bad = i;
            if (ret_message)
                *ret_message =
                    PQntuples(res) != 1 ? "no such user" : "must be an instructor or an admin";
            PQclear(res);
            return -EINVAL;
        }
        r = db_query(c, NULL,
                     problem ? "INSERT INTO problem_staff (problem_id, user_id) VALUES ($1, $2)"
                               " ON CONFLICT DO NOTHING"
                             : "INSERT INTO contest_staff (contest_id, user_id) VALUES ($1, $2)"
                               " ON CONFLICT DO NOTHING",
                     2, (const char *const[]){tid, PQgetvalue(res, 0, 0)});
        PQclear(res);
        res = NULL;
        if (r < 0)
            return r;
    }
    return 0;
}
