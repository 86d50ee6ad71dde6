/*
 * auth.c: bearer tokens and roles.
 *
 * A token is 32 bytes from randombytes_buf, shown to its owner once as "gv_" + URL-safe base64.
 * Only its BLAKE2b-256 hash is stored (api_tokens.token_hash), so a copy of the table opens no
 * session. The row is found by the hash and the hashes are compared again in constant time.
 * last_used_at is written at most once a minute per token, so reads stay reads.
 *
 * A verified token is remembered in memory for GAVEL_AUTH_CACHE_MS (1 s by default; 0 turns
 * this off), which halves the database round trips of a read. Logout, a password change and a
 * role change made through this server drop its entries at once; made elsewhere (another
 * server, the CLI), they take effect here within that time. An entry never outlives its token.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

#define CACHE_SLOTS 4096

struct cache_entry {
    unsigned char hash[32];
    int64_t user_id;
    int64_t valid_until_ms; /* monotonic; 0: empty */
    enum api_role role;
    char username[40];
    char display_name[104];
};

struct api_auth_cache {
    pthread_rwlock_t lock; /* hits only read: they never wait for each other */
    int64_t ttl_ms;
    struct cache_entry slots[CACHE_SLOTS];
};

static int64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int api_auth_cache_new(int64_t ttl_ms, struct api_auth_cache **ret)
{
    struct api_auth_cache *c;

    *ret = NULL;
    if (ttl_ms <= 0)
        return 0;
    c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    pthread_rwlock_init(&c->lock, NULL);
    c->ttl_ms = ttl_ms;
    *ret = c;
    return 0;
}

void api_auth_cache_free(struct api_auth_cache *c)
{
    if (!c)
        return;
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

static struct cache_entry *slot_of(struct api_auth_cache *c, const unsigned char hash[32])
{
    uint32_t i;

    memcpy(&i, hash, sizeof(i));
    return &c->slots[i % CACHE_SLOTS];
}

/* Fills req->user from the cache; 1 on a hit. */
static int cache_get(struct api_req *req)
{
    struct api_auth_cache *c = req->srv->auth_cache;
    struct cache_entry *e, copy;

    if (!c)
        return 0;
    e = slot_of(c, req->token_hash);
    pthread_rwlock_rdlock(&c->lock);
    copy = *e;
    pthread_rwlock_unlock(&c->lock);
    if (copy.valid_until_ms <= now_ms() || sodium_memcmp(copy.hash, req->token_hash, 32) != 0)
        return 0;
    req->user.id = copy.user_id;
    req->user.username = api_strdup(req, copy.username);
    req->user.display_name = api_strdup(req, copy.display_name);
    req->user.role = copy.role;
    req->user.role_name = role_names[copy.role];
    return req->user.username && req->user.display_name;
}

static void cache_put(struct api_req *req, int64_t token_left_ms)
{
    struct api_auth_cache *c = req->srv->auth_cache;
    struct cache_entry e = {0}, *slot;

    if (!c || strlen(req->user.username) >= sizeof(e.username) ||
        strlen(req->user.display_name) >= sizeof(e.display_name))
        return;
    memcpy(e.hash, req->token_hash, 32);
    e.user_id = req->user.id;
    e.role = req->user.role;
    e.valid_until_ms = now_ms() + (token_left_ms < c->ttl_ms ? token_left_ms : c->ttl_ms);
    snprintf(e.username, sizeof(e.username), "%s", req->user.username);
    snprintf(e.display_name, sizeof(e.display_name), "%s", req->user.display_name);
    slot = slot_of(c, req->token_hash);
    pthread_rwlock_wrlock(&c->lock);
    *slot = e;
    pthread_rwlock_unlock(&c->lock);
}

void api_auth_forget(struct api_server *srv, const unsigned char *hash, int64_t user_id)
{
    struct api_auth_cache *c = srv->auth_cache;

    if (!c)
        return;
    pthread_rwlock_wrlock(&c->lock);
    if (hash) {
        struct cache_entry *e = slot_of(c, hash);
        if (!memcmp(e->hash, hash, 32))
            e->valid_until_ms = 0;
    } else {
        for (size_t i = 0; i < CACHE_SLOTS; i++) {
            if (c->slots[i].user_id == user_id)
                c->slots[i].valid_until_ms = 0;
        }
    }
    pthread_rwlock_unlock(&c->lock);
}

int api_auth_check(struct api_req *req)
{
    const char *h = api_header(req, "Authorization");
    struct db_conn *c;
    PGresult *res = NULL;
    char hex[65];
    int64_t left_ms;
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
    if (cache_get(req)) {
        req->has_token = 1;
        return 0;
    }
    r = api_db(req, &c);
    if (r < 0)
        return r;
    r = db_query_bin(c, &res,
                     "SELECT u.id, u.username, u.display_name, u.role, encode(t.token_hash, 'hex'),"
                     " t.last_used_at IS NULL OR t.last_used_at < now() - interval '60 seconds',"
                     " (extract(epoch FROM t.expires_at - now()) * 1000)::bigint"
                     " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                     " WHERE t.token_hash = $1 AND t.expires_at > now() AND NOT u.disabled",
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
    left_ms = db_int64(res, 0, 6);
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
    cache_put(req, left_ms);
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
