/*
 * h_users.c: accounts and sessions: POST and GET /users, GET and PATCH /users/{username},
 * POST /sessions, DELETE /sessions/current, GET /me.
 *
 * Password hashing (argon2id, 64 MiB, ~0.1 s each) never runs on an HTTP worker: logins,
 * registrations and password changes queue on the hashing line (pwhash.h), their connections
 * suspended meanwhile, so a class signing in together is served in turn while every other
 * request goes on; 503 with Retry-After only when the wait would pass GAVEL_PWHASH_WAIT_MS.
 * Their handlers therefore run twice: once to queue, once with the result, and do nothing
 * before the hash that cannot be done twice. An unknown username costs the same hash check as
 * a wrong password.
 */
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/bodies.h"
#include "api/handlers.h"
#include "api/pwhash.h"
#include "api/server.h"
#include "common/log.h"
#include "db/accounts.h"

static void wipe(const char *secret)
{
    if (secret)
        sodium_memzero((char *)secret, strlen(secret));
}

static void user_object(struct api_json *j, const PGresult *res, int row)
{
    /* Columns: id, username, display_name, role, created_at. */
    api_json_obj(j);
    api_json_kint(j, "id", db_int64(res, row, 0));
    api_json_kstr(j, "username", PQgetvalue(res, row, 1));
    api_json_kstr(j, "display_name", PQgetvalue(res, row, 2));
    api_json_kstr(j, "role", PQgetvalue(res, row, 3));
    api_json_kstr(j, "created_at", PQgetvalue(res, row, 4));
    if (PQfnumber(res, "disabled") >= 0)
        api_json_kbool(j, "disabled", PQgetvalue(res, row, PQfnumber(res, "disabled"))[0] == 't');
    api_json_end(j);
}

#define USER_COLUMNS "id, username, display_name, role, " API_SQL_TIME("created_at")

/* Hashes on the hashing line (pwhash.h): 0, -EINPROGRESS (parked: the handler runs again
 * from the start), or an error answered (503 when the line is too long). */
static int hash_password(struct api_req *req, const char *password, char *hash, size_t size)
{
    return api_password_hash(req, password, hash, size);
}

int api_h_user_create(struct api_req *req)
{
    struct api_user_in in;
    struct api_json_error err;
    struct db_conn *c;
    PGresult *res = NULL;
    const char *body;
    size_t len;
    int64_t id = 0;
    char hash[128];
    int r;

    body = api_body(req, &len);
    r = api_body_user(api_arena(req), body, len, api_limits(req), &in, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    r = api_auth_optional(req);
    if (r < 0)
        goto out;
    if (!req->srv->cfg.open_registration && api_user(req)->role != API_ROLE_ADMIN) {
        r = api_user(req)->id ? api_fail(req, -EACCES, NULL, "only admins create accounts")
                              : api_fail(req, -EPERM, NULL, "registration is closed: sign in");
        goto out;
    }
    if (in.role && strcmp(in.role, "student") && api_user(req)->role != API_ROLE_ADMIN) {
        r = api_fail(req, -EACCES, "role", "only admins give roles");
        goto out;
    }
    r = hash_password(req, in.password, hash, sizeof(hash));
    if (r == -EINVAL)
        r = api_fail(req, r, "password", "must be 8-128 bytes");
    if (r < 0)
        goto out;
    r = api_db(req, &c);
    if (r == 0)
        r = db_user_insert(c, in.username, hash, in.display_name ? in.display_name : "",
                           in.role ? in.role : "student", &id);
    sodium_memzero(hash, sizeof(hash));
    if (r == -EEXIST) {
        r = api_fail(req, r, "username", "is taken");
        goto out;
    }
    if (r == -EINVAL) {
        r = api_fail(req, r, "body", "refused by the database");
        goto out;
    }
    if (r < 0) {
        r = req->db ? api_db_fail(req, r, "user create") : r;
        goto out;
    }
    r = db_query(c, &res, "SELECT " USER_COLUMNS " FROM users WHERE id = $1", 1,
                 (const char *const[]){api_printf(req, "%lld", (long long)id)});
    if (r < 0 || PQntuples(res) != 1) {
        r = api_db_fail(req, r < 0 ? r : -EIO, "user read back");
        goto out;
    }
    user_object(api_reply_json(req, 201), res, 0);
out:
    PQclear(res);
    wipe(in.password);
    return r;
}

int api_h_session_create(struct api_req *req)
{
    struct api_login_in in;
    struct api_json_error err;
    struct db_conn *c;
    PGresult *res = NULL;
    char token[64], hash[128];
    unsigned char token_hash[32];
    const char *body;
    size_t len;
    int r, ok;

    body = api_body(req, &len);
    r = api_body_login(api_arena(req), body, len, api_limits(req), &in, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    r = api_db(req, &c);
    if (r < 0)
        goto out;
    r = db_query(c, &res,
                 "SELECT " USER_COLUMNS ", password_hash, disabled FROM users"
                 " WHERE lower(username) = lower($1)",
                 1, (const char *const[]){in.username});
    if (r < 0) {
        r = api_db_fail(req, r, "login");
        goto out;
    }
    snprintf(hash, sizeof(hash), "%s",
             PQntuples(res) == 1 ? PQgetvalue(res, 0, 5) : req->srv->dummy_hash);
    api_db_release(req);
    if ((r = api_password_verify(req, hash, in.password, &ok)) < 0)
        goto out; /* parked (-EINPROGRESS) or 503 */
    ok = ok && PQntuples(res) == 1;
    if (!ok) {
        r = api_fail(req, -EPERM, NULL, "wrong username or password");
        goto out;
    }
    /* Told only to whoever knows the password: the account exists, and is closed. */
    if (PQgetvalue(res, 0, 6)[0] == 't') {
        r = api_fail(req, -EACCES, "username",
                     "this account is disabled: ask an admin to enable it again");
        goto out;
    }
    api_token_new(token, sizeof(token), token_hash);
    r = api_db(req, &c);
    if (r < 0)
        goto out;
    {
        PGresult *ins = NULL;
        const char *vals[3] = {(const char *)token_hash, PQgetvalue(res, 0, 0),
                               api_printf(req, "%lld", (long long)req->srv->cfg.token_ttl_s)};
        r = db_query_bin(c, &ins,
                         "INSERT INTO api_tokens (token_hash, user_id, expires_at)"
                         " VALUES ($1, $2::bigint, now() + $3::bigint * interval '1 second')"
                         " RETURNING " API_SQL_TIME("expires_at"),
                         3, vals, (const int[]){32, 0, 0}, (const int[]){1, 0, 0});
        if (r < 0) {
            r = api_db_fail(req, r, "token insert");
            goto out;
        }
        {
            struct api_json *j = api_reply_json(req, 201);
            api_json_obj(j);
            api_json_kstr(j, "token", token);
            api_json_kstr(j, "expires_at", PQgetvalue(ins, 0, 0));
            api_json_key(j, "user");
            user_object(j, res, 0);
            api_json_end(j);
        }
        PQclear(ins);
        /* Expired tokens of this user go now; nothing else ever needs them. */
        if (db_query(c, NULL, "DELETE FROM api_tokens WHERE user_id = $1 AND expires_at <= now()",
                     1, (const char *const[]){PQgetvalue(res, 0, 0)}) < 0)
            log_msg(LOG_WARN, "expired tokens not removed: %s", db_error(c));
    }
out:
    PQclear(res);
    sodium_memzero(token, sizeof(token));
    wipe(in.password);
    return r;
}

int api_h_session_delete(struct api_req *req)
{
    const unsigned char *hash;
    struct db_conn *c;
    size_t n = 0;
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    hash = api_token_hash(req, &n);
    if ((r = api_db(req, &c)) < 0)
        return r;
    r = db_query_bin(c, NULL, "DELETE FROM api_tokens WHERE token_hash = $1", 1,
                     (const char *const[]){(const char *)hash}, (const int[]){(int)n},
                     (const int[]){1});
    if (r < 0)
        return api_db_fail(req, r, "logout");
    api_auth_forget(req->srv, hash, 0);
    api_reply_empty(req, 204);
    return 0;
}

int api_h_me(struct api_req *req)
{
    struct db_conn *c;
    PGresult *res = NULL;
    int r = api_auth(req, API_ROLE_STUDENT);

    if (r < 0)
        return r;
    if ((r = api_db(req, &c)) < 0)
        return r;
    r = db_query(c, &res, "SELECT " USER_COLUMNS " FROM users WHERE id = $1", 1,
                 (const char *const[]){api_printf(req, "%lld", (long long)api_user(req)->id)});
    if (r < 0)
        return api_db_fail(req, r, "me");
    if (PQntuples(res) != 1) {
        PQclear(res);
        return api_fail(req, -EPERM, NULL, "the account is gone");
    }
    user_object(api_reply_json(req, 200), res, 0);
    PQclear(res);
    return 0;
}

int api_h_user_get(struct api_req *req)
{
    const char *username = api_param(req, "username");
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int r;

    if (api_username_valid(username) < 0)
        return api_fail(req, -ENOENT, "username", "no such user");
    if ((r = api_db(req, &c)) < 0)
        return r;
    /* Score: the best score on each problem, summed; solved: problems with an AC. A rejudge in
     * progress keeps the old verdict, so verdict, not status, says what counts. A profile is
     * public: it counts public problems only (as the global leaderboard does), and not what a
     * contest's freeze still hides from its leaderboard. */
    /* clang-format off */
    static const char sql[] =
        "SELECT u.id, u.username, u.display_name, u.role, " API_SQL_TIME("u.created_at") ","
        "       coalesce(s.solved, 0), coalesce(s.score, 0), u.disabled"
        "  FROM users u LEFT JOIN LATERAL ("
        "       SELECT count(*) FILTER (WHERE ac) AS solved, sum(best) AS score"
        "         FROM (SELECT bool_or(sb.verdict = 'AC') AS ac,"
        "                      max(coalesce(sb.score, 0)) AS best"
        "                 FROM submissions sb JOIN problems p ON p.id = sb.problem_id"
        "                 LEFT JOIN contests c ON c.id = sb.contest_id"
        "                WHERE sb.user_id = u.id AND sb.verdict IS NOT NULL"
        "                  AND p.visibility = 'public'"
        "                  AND submission_shown(sb.created_at, c.freeze_at, c.unfrozen)"
        "                GROUP BY sb.problem_id) p) s ON true"
        " WHERE lower(u.username) = lower($1)";
    /* clang-format on */
    r = db_query(c, &res, sql, 1, (const char *const[]){username});
    if (r < 0)
        return api_db_fail(req, r, "user profile");
    if (PQntuples(res) != 1) {
        PQclear(res);
        return api_fail(req, -ENOENT, "username", "no such user");
    }
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_kstr(j, "username", PQgetvalue(res, 0, 1));
    api_json_kstr(j, "display_name", PQgetvalue(res, 0, 2));
    api_json_kstr(j, "role", PQgetvalue(res, 0, 3));
    api_json_kstr(j, "created_at", PQgetvalue(res, 0, 4));
    api_json_kint(j, "solved", db_int64(res, 0, 5));
    api_json_kint(j, "score", db_int64(res, 0, 6));
    api_json_kbool(j, "disabled", PQgetvalue(res, 0, 7)[0] == 't');
    api_json_end(j);
    PQclear(res);
    return 0;
}

/* GET /users (admins): every account, newest first, by cursor; ?role= keeps one role, ?q= the
 * usernames and display names that contain it (any letter case). A disabled account is listed
 * with disabled: true. */
int api_h_user_list(struct api_req *req)
{
    const char *role = api_query(req, "role"), *q = api_query(req, "q");
    struct db_conn *c;
    PGresult *res = NULL;
    struct api_json *j;
    int64_t before;
    int limit, n, r = api_auth(req, API_ROLE_ADMIN);

    if (r < 0)
        return r;
    if ((r = api_query_only(req, (const char *const[]){"role", "q", "limit", "cursor", NULL})) < 0)
        return r;
    if ((r = api_list_params(req, &limit, &before)) < 0)
        return r;
    if (role && api_role_parse(role) == API_ROLE_NONE)
        return api_fail(req, -EINVAL, "role", "must be student, instructor or admin");
    if (q && (!q[0] || strlen(q) > 64))
        return api_fail(req, -EINVAL, "q", "must be 1 to 64 bytes");
    if ((r = api_db(req, &c)) < 0)
        return r;
    /* strpos, not LIKE: what the admin types is text, never a pattern. */
    r = db_query(c, &res,
                 "SELECT " USER_COLUMNS ", disabled FROM users WHERE id < $1::bigint"
                 " AND ($2::text IS NULL OR role = $2)"
                 " AND ($3::text IS NULL OR strpos(lower(username), lower($3)) > 0"
                 "      OR strpos(lower(display_name), lower($3)) > 0)"
                 " ORDER BY id DESC LIMIT $4::int",
                 4,
                 (const char *const[]){api_printf(req, "%lld", (long long)before), role, q,
                                       api_printf(req, "%d", limit + 1)});
    if (r < 0)
        return api_db_fail(req, r, "user list");
    n = PQntuples(res);
    j = api_reply_json(req, 200);
    api_json_obj(j);
    api_json_key(j, "items");
    api_json_arr(j);
    for (int i = 0; i < n && i < limit; i++)
        user_object(j, res, i);
    api_json_end(j);
    api_json_kstr(j, "next_cursor",
                  n > limit ? api_cursor_from_id(api_arena(req), db_int64(res, limit - 1, 0))
                            : NULL);
    api_json_end(j);
    PQclear(res);
    return 0;
}

/* 1 when an account of that name exists (in any letter case), 0 when not, or a negative errno. */
static int user_exists(struct db_conn *c, const char *username)
{
    PGresult *res = NULL;
    int r;

    r = db_query(c, &res, "SELECT 1 FROM users WHERE lower(username) = lower($1)", 1,
                 (const char *const[]){username});
    if (r < 0)
        return r;
    r = PQntuples(res) > 0;
    PQclear(res);
    return r;
}

/* One's own password change: the current password checked and the new one hashed in one
 * place on the hashing line (0 with hash made, -EINPROGRESS parked, or an answer: 403 naming
 * current_password, 400 naming password). */
static int change_own_password(struct api_req *req, const char *current, const char *password,
                               char *hash, size_t size)
{
    struct db_conn *c;
    PGresult *res = NULL;
    char stored[128];
    int r, ok = 0;

    if (strlen(current) > DB_PASSWORD_MAX) /* no password is that long: no hash needed */
        return api_fail(req, -EACCES, "current_password", "is not your current password");
    if ((r = api_db(req, &c)) < 0)
        return r;
    r = db_query(c, &res, "SELECT password_hash FROM users WHERE id = $1", 1,
                 (const char *const[]){api_printf(req, "%lld", (long long)api_user(req)->id)});
    if (r < 0)
        return api_db_fail(req, r, "password check");
    snprintf(stored, sizeof(stored), "%s",
             PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : req->srv->dummy_hash);
    PQclear(res);
    api_db_release(req);
    r = api_password_change(req, stored, current, password, hash, size, &ok);
    sodium_memzero(stored, sizeof(stored));
    if (r == -EINVAL)
        return api_fail(req, r, "password", "must be 8-128 bytes");
    if (r < 0)
        return r; /* parked (-EINPROGRESS) or answered */
    if (!ok)
        return api_fail(req, -EACCES, "current_password", "is not your current password");
    return 0;
}

int api_h_user_patch(struct api_req *req)
{
    const char *username = api_param(req, "username");
    struct api_user_patch_in in;
    struct api_json_error err;
    struct db_conn *c;
    PGresult *res = NULL;
    char hash[128];
    const char *body;
    size_t len;
    int r, self, admin;

    r = api_auth(req, API_ROLE_STUDENT);
    if (r < 0)
        return r;
    body = api_body(req, &len);
    r = api_body_user_patch(api_arena(req), body, len, api_limits(req), &in, &err);
    if (r < 0)
        return api_body_error(req, r, &err);
    if (in.username && strcasecmp(in.username, username) != 0) {
        r = api_fail(req, -EINVAL, "username", "is read-only: leave it out, or send it as it is");
        goto out;
    }
    self = !strcasecmp(api_user(req)->username, username); /* names are ASCII */
    admin = api_user(req)->role == API_ROLE_ADMIN;
    if (!self && !admin) {
        r = api_fail(req, -EACCES, NULL, "you may change only your own account");
        goto out;
    }
    if (in.role && !admin) {
        r = api_fail(req, -EACCES, "role", "only admins change roles");
        goto out;
    }
    if (in.disabled >= 0 && !admin) {
        r = api_fail(req, -EACCES, "disabled", "only admins disable or enable accounts");
        goto out;
    }
    /* An admin locking themself out would need another admin to undo it, and ends the very
     * session that asked. */
    if (in.disabled > 0 && self) {
        r = api_fail(req, -EEXIST, "disabled",
                     "you cannot disable your own account: another admin may");
        goto out;
    }
    if (in.password && self) {
        /* One's own password changes with the current one: a bearer token alone (left on a
         * shared machine, say) must not be enough to take the account over. */
        if (!in.current_password) {
            r = api_fail(req, -EINVAL, "current_password",
                         "is required to change your own password");
            goto out;
        }
        api_db_release(req);
        r = change_own_password(req, in.current_password, in.password, hash, sizeof(hash));
        if (r < 0)
            goto out;
    } else if (in.password) {
        api_db_release(req);
        r = hash_password(req, in.password, hash, sizeof(hash));
        if (r < 0) {
            r = r == -EINVAL ? api_fail(req, r, "password", "must be 8-128 bytes") : r;
            goto out;
        }
    }
    if ((r = api_db(req, &c)) < 0)
        goto out;
    /* The enabled admins' rows are locked (in id order, so two demotions cannot deadlock)
     * before the count is taken: of two admins demoting or disabling each other at once, the
     * second sees the first's change and is refused, and an enabled admin always remains. */
    r = db_query(c, &res,
                 "WITH admins AS (SELECT id FROM users WHERE role = 'admin' AND NOT disabled"
                 "                AND ($4::text IS NOT NULL OR $5::boolean) ORDER BY id FOR UPDATE)"
                 " UPDATE users SET display_name = coalesce($2, display_name),"
                 " password_hash = coalesce($3, password_hash), role = coalesce($4, role),"
                 " disabled = coalesce($5::boolean, disabled)"
                 " WHERE lower(username) = lower($1)"
                 " AND (role <> 'admin' OR disabled"
                 "      OR ((($4 IS NULL OR $4 = 'admin') AND $5::boolean IS NOT TRUE))"
                 "      OR EXISTS (SELECT 1 FROM admins a WHERE a.id <> users.id))"
                 " RETURNING " USER_COLUMNS ", disabled",
                 5,
                 (const char *const[]){username, in.display_name, in.password ? hash : NULL,
                                       in.role,
                                       in.disabled < 0 ? NULL
                                       : in.disabled   ? "true"
                                                       : "false"});
    if (r < 0) {
        r = api_db_fail(req, r, "user update");
        goto out;
    }
    if (PQntuples(res) != 1) {
        r = in.role || in.disabled > 0 ? user_exists(c, username) : 0;
        if (r > 0 && in.disabled > 0)
            r = api_fail(req, -EEXIST, "disabled", "the last admin cannot be disabled");
        else if (r > 0)
            r = api_fail(req, -EEXIST, "role", "the last admin cannot lose the role");
        else if (r == 0)
            r = api_fail(req, -ENOENT, "username", "no such user");
        else
            r = api_db_fail(req, r, "user lookup");
        goto out;
    }
    if (in.password || in.role || in.disabled >= 0)
        api_auth_forget(req->srv, NULL, db_int64(res, 0, 0));
    if (in.password || in.disabled > 0) {
        /* A new password ends every other session of the account (all of them when an admin
         * set it); disabling ends them all. */
        size_t n = 0;
        const unsigned char *keep = self && in.disabled <= 0 ? api_token_hash(req, &n) : NULL;
        r = db_query_bin(c, NULL,
                         "DELETE FROM api_tokens WHERE user_id = $1::bigint"
                         " AND ($2::bytea IS NULL OR token_hash <> $2::bytea)",
                         2, (const char *const[]){PQgetvalue(res, 0, 0), (const char *)keep},
                         (const int[]){0, (int)n}, (const int[]){0, 1});
        if (r < 0) {
            r = api_db_fail(req, r, "token revoke");
            goto out;
        }
    }
    user_object(api_reply_json(req, 200), res, 0);
out:
    PQclear(res);
    wipe(in.password);
    wipe(in.current_password);
    sodium_memzero(hash, sizeof(hash));
    return r;
}
