/*
 * auth.c: bearer tokens and roles.
 *
 * A token is 32 bytes from randombytes_buf, shown to its owner once as "gv_" + URL-safe base64.
 * Only its BLAKE2b-256 hash is stored (api_tokens.token_hash), so a copy of the table opens no
 * session. The row is found by the hash and the hashes are compared again in constant time.
 * last_used_at is written at most once a minute per token, so reads stay reads.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/server.h"
#include "common/log.h"

#define TOKEN_PREFIX "gv_"
#define TOKEN_BYTES  32

static const char *const role_names[] = {"", "student", "instructor", "admin"};

enum api_role api_role_parse(const char *name)
{
    for (int i = API_ROLE_STUDENT; i <= API_ROLE_ADMIN; i++) {
        if (name && !strcmp(name, role_names[i]))
            return (enum api_role)i;
    }
    return API_ROLE_NONE;
}

void api_token_new(char *ret_text, size_t text_size, unsigned char ret_hash[32])
{
    unsigned char raw[TOKEN_BYTES];
    size_t p = strlen(TOKEN_PREFIX);

    randombytes_buf(raw, sizeof(raw));
    snprintf(ret_text, text_size, "%s", TOKEN_PREFIX);
    sodium_bin2base64(ret_text + p, text_size - p, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_generichash(ret_hash, 32, raw, sizeof(raw), NULL, 0);
    sodium_memzero(raw, sizeof(raw));
}

int api_token_hash_text(const char *text, unsigned char ret_hash[32])
{
    unsigned char raw[TOKEN_BYTES];
    size_t p = strlen(TOKEN_PREFIX), bin_len = 0, n = strlen(text);

    if (n != p + sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) -
                 1 ||
        strncmp(text, TOKEN_PREFIX, p) != 0)
        return -EINVAL;
    if (sodium_base642bin(raw, sizeof(raw), text + p, n - p, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        bin_len != TOKEN_BYTES)
        return -EINVAL;
    crypto_generichash(ret_hash, 32, raw, sizeof(raw), NULL, 0);
    sodium_memzero(raw, sizeof(raw));
    return 0;
}

int api_auth_check(struct api_req *req)
{
    const char *h = api_header(req, "Authorization");
    struct db_conn *c;
    PGresult *res = NULL;
    char hex[65];
    int r;

    req->user = (struct api_user){0, NULL, NULL, API_ROLE_NONE, ""};
    if (!h)
        return 0;
    while (*h == ' ')
        h++;
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return api_fail(req, -EPERM, NULL, "use Authorization: Bearer TOKEN");
    h += 7;
    while (*h == ' ')
        h++;
    if (api_token_hash_text(h, req->token_hash) < 0)
        return api_fail(req, -EPERM, NULL, "invalid or expired token");
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = db_query_bin(c, &res,
                     "SELECT u.id, u.username, u.display_name, u.role, encode(t.token_hash, 'hex'),"
                     " t.last_used_at IS NULL OR t.last_used_at < now() - interval '60 seconds'"
                     " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                     " WHERE t.token_hash = $1 AND t.expires_at > now()",
                     1, (const char *const[]){(const char *)req->token_hash}, (const int[]){32},
                     (const int[]){1});
    if (r < 0)
        return api_db_fail(req, r, "token lookup");
    sodium_bin2hex(hex, sizeof(hex), req->token_hash, 32);
    if (PQntuples(res) != 1 || strlen(PQgetvalue(res, 0, 4)) != 64 ||
        sodium_memcmp(PQgetvalue(res, 0, 4), hex, 64) != 0) {
        PQclear(res);
        return api_fail(req, -EPERM, NULL, "invalid or expired token");
    }
    req->user.id = db_int64(res, 0, 0);
    req->user.username = api_strdup(req, PQgetvalue(res, 0, 1));
    req->user.display_name = api_strdup(req, PQgetvalue(res, 0, 2));
    req->user.role = api_role_parse(PQgetvalue(res, 0, 3));
    req->user.role_name = role_names[req->user.role];
    req->has_token = 1;
    if (db_int64(res, 0, 5)) {
        PQclear(res);
        r = db_query_bin(c, NULL,
                         "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1", 1,
                         (const char *const[]){(const char *)req->token_hash}, (const int[]){32},
                         (const int[]){1});
        if (r < 0)
            log_msg(LOG_WARN, "token last use not recorded: %s", db_error(c));
    } else {
        PQclear(res);
    }
    if (!req->user.username || !req->user.display_name)
        return -ENOMEM;
    if (req->user.role == API_ROLE_NONE)
        return api_fail(req, -EACCES, NULL, "unknown role");
    return 0;
}

int api_auth_optional(struct api_req *req)
{
    if (!req->auth_done) {
        req->auth_err = api_auth_check(req);
        req->auth_done = 1;
    }
    return req->auth_err;
}

int api_auth(struct api_req *req, enum api_role min_role)
{
    int r = api_auth_optional(req);

    if (r < 0)
        return r;
    if (req->user.id == 0)
        return api_fail(req, -EPERM, NULL, "authentication required");
    if (req->user.role < min_role)
        return api_fail(req, -EACCES, NULL, "requires the %s role", role_names[min_role]);
    return 0;
}

const struct api_user *api_user(struct api_req *req)
{
    return &req->user;
}

const unsigned char *api_token_hash(struct api_req *req, size_t *ret_len)
{
    if (!req->has_token)
        return NULL;
    *ret_len = sizeof(req->token_hash);
    return req->token_hash;
}
