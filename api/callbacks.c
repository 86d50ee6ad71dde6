/*
 * callbacks.c: the callback senders and the check of a callback_url (callbacks.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/callbacks.h"
#include "api/resources.h"
#include "api/server.h"
#include "common/log.h"
#include "db/db.h"

#define MAX_SENDERS     16
#define MAX_RULES       64
#define LEASE_MARGIN_MS 30000
#define MAX_GAP_MS      (10 * 60 * 1000)
#define IDLE_WAIT_MS    1000
#define BODY_CAP        (16 << 20)
#define REPLY_CAP       (64 << 10)

/* One GAVEL_CALLBACK_ALLOW entry: a host name (host[0] set, leading "*." for a suffix), an
 * address block (family set), or `*` (any public address). */
struct rule {
    char host[256];
    int family; /* AF_INET, AF_INET6 or 0 */
    unsigned char addr[16];
    int prefix;
    int any_public;
};

struct api_callbacks {
    char *conninfo;
    char *secret;
    size_t secret_len;
    struct rule rules[MAX_RULES];
    int n_rules;
    int64_t backoff_ms, max_s, timeout_ms, senders;
    pthread_t threads[MAX_SENDERS];
    int started;
    atomic_int stop;
};

/* --- addresses --- */

/* An address as 16 bytes and its family; IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4. */
static void normalize(const struct sockaddr *sa, int *family, unsigned char out[16])
{
    memset(out, 0, 16);
    if (sa->sa_family == AF_INET) {
        *family = AF_INET;
        memcpy(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return;
    }
    *family = AF_INET6;
    memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
    if (!memcmp(out, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
        *family = AF_INET;
        memmove(out, out + 12, 4);
        memset(out + 4, 0, 12);
    }
}

static int in_block(const unsigned char *a, const unsigned char *net, int prefix)
{
    int full = prefix / 8, rest = prefix % 8;

    if (memcmp(a, net, (size_t)full) != 0)
        return 0;
    return rest == 0 || ((a[full] ^ net[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* Why an address is not a public one (NULL when it is). */
static const char *not_public(int family, const unsigned char *a)
{
    static const struct {
        const char *net;
        int prefix;
        const char *why;
    } v4[] =
        {
            {"\x00\0\0\0", 8, "an unspecified address"},  {"\x7f\0\0\0", 8, "a loopback address"},
            {"\x0a\0\0\0", 8, "a private address"},       {"\xac\x10\0\0", 12, "a private address"},
            {"\xc0\xa8\0\0", 16, "a private address"},    {"\x64\x40\0\0", 10, "a shared address"},
            {"\xa9\xfe\0\0", 16, "a link-local address"}, {"\xe0\0\0\0", 4, "a multicast address"},
            {"\xf0\0\0\0", 4, "a reserved address"},      {"\xc0\0\0\0", 24, "a reserved address"},
        },
      v6[] = {
          {"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 128, "an unspecified address"},
          {"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 128, "a loopback address"},
          {"\xfe\x80", 10, "a link-local address"},
          {"\xfc\x00", 7, "a private address"},
          {"\xff\x00", 8, "a multicast address"},
          {"\0\0\0\0\0\0\0\0\0\0\0\0", 96, "an IPv4-compatible address"},
          {"\x00\x64\xff\x9b\0\0\0\0\0\0\0\0", 96, "a translated IPv4 address"},
          {"\x20\x01\x0d\xb8", 32, "a documentation address"},
      };

    if (family == AF_INET) {
        for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
            if (in_block(a, (const unsigned char *)v4[i].net, v4[i].prefix))
                return v4[i].why;
        }
        return NULL;
    }
    for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
        if (in_block(a, (const unsigned char *)v6[i].net, v6[i].prefix))
            return v6[i].why;
    }
    return NULL;
}

/* Whether an address is in a block the allow-list names. */
static int listed_address(const struct api_callbacks *cb, int family, const unsigned char *a)
{
    for (int i = 0; i < cb->n_rules; i++) {
        if (cb->rules[i].family == family && in_block(a, cb->rules[i].addr, cb->rules[i].prefix))
            return 1;
    }
    return 0;
}

/* Whether a host name (lower case) is one the allow-list names. */
static int listed_host(const struct api_callbacks *cb, const char *host)
{
    size_t n = strlen(host);

    for (int i = 0; i < cb->n_rules; i++) {
        const char *h = cb->rules[i].host;
        size_t m = strlen(h);
        if (!h[0])
            continue;
        if (h[0] == '*' && h[1] == '.' && n > m - 1 && !strcmp(host + n - (m - 1), h + 1))
            return 1;
        if (!strcmp(h, host))
            return 1;
    }
    return 0;
}

static int any_public(const struct api_callbacks *cb)
{
    for (int i = 0; i < cb->n_rules; i++) {
        if (cb->rules[i].any_public)
            return 1;
    }
    return 0;
}

/* Whether a connection to an address may be made for a URL of host (lower case); why not in
 * why (NULL when it may). */
static int address_allowed(const struct api_callbacks *cb, const char *host, int family,
                           const unsigned char *a, const char **why)
{
    *why = NULL;
    if (listed_address(cb, family, a))
        return 1;
    if ((*why = not_public(family, a)))
        return 0;
    if (any_public(cb) || listed_host(cb, host))
        return 1;
    *why = "an address";
    return 0;
}

static int parse_address(const char *text, int *family, unsigned char out[16])
{
    struct sockaddr_in6 s6 = {0};
    struct sockaddr_in s4 = {0};

    if (inet_pton(AF_INET, text, &s4.sin_addr) == 1) {
        s4.sin_family = AF_INET;
        normalize((struct sockaddr *)&s4, family, out);
        return 0;
    }
    if (inet_pton(AF_INET6, text, &s6.sin6_addr) == 1) {
        s6.sin6_family = AF_INET6;
        normalize((struct sockaddr *)&s6, family, out);
        return 0;
    }
    return -EINVAL;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static int parse_rules(struct api_callbacks *cb, const char *text)
{
    char *copy = strdup(text), *save = NULL, *tok;
    int r = 0;

    if (!copy)
        return -ENOMEM;
    for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        struct rule *ru;
        char *slash = strchr(tok, '/');
        if (cb->n_rules == MAX_RULES) {
            log_msg(LOG_ERROR, "GAVEL_CALLBACK_ALLOW: at most %d entries", MAX_RULES);
            r = -EINVAL;
            break;
        }
        ru = &cb->rules[cb->n_rules];
        memset(ru, 0, sizeof(*ru));
        if (!strcmp(tok, "*")) {
            ru->any_public = 1;
        } else {
            if (slash)
                *slash = '\0';
            if (parse_address(tok, &ru->family, ru->addr) == 0) {
                int max = ru->family == AF_INET ? 32 : 128;
                int64_t p = max;
                if (slash && (api_parse_int64(slash + 1, 0, max, &p) < 0 ||
                              (strchr(tok, ':') && !strchr(tok, '.') && ru->family == AF_INET))) {
                    log_msg(LOG_ERROR, "GAVEL_CALLBACK_ALLOW: bad block %s/%s", tok, slash + 1);
                    r = -EINVAL;
                    break;
                }
                ru->prefix = (int)p;
            } else if (!slash && strlen(tok) < sizeof(ru->host) && !strchr(tok, ':')) {
                snprintf(ru->host, sizeof(ru->host), "%s", tok);
                lower(ru->host);
            } else {
                log_msg(LOG_ERROR, "GAVEL_CALLBACK_ALLOW: %s is no host, address or block", tok);
                r = -EINVAL;
                break;
            }
        }
        cb->n_rules++;
    }
    free(copy);
    return r;
}

/* --- settings --- */

static int setting(const char *name, int64_t min, int64_t max, int64_t def, int64_t *ret)
{
    const char *v = getenv(name);

    *ret = def;
    if (v && *v && api_parse_int64(v, min, max, ret) < 0) {
        log_msg(LOG_ERROR, "%s must be an integer from %lld to %lld", name, (long long)min,
                (long long)max);
        return -EINVAL;
    }
    return 0;
}

int api_callbacks_new(const char *conninfo, struct api_callbacks **ret)
{
    struct api_callbacks *cb = calloc(1, sizeof(*cb));
    const char *secret = getenv("GAVEL_CALLBACK_SECRET");
    const char *allow = getenv("GAVEL_CALLBACK_ALLOW");
    int r = 0;

    *ret = NULL;
    if (!cb)
        return -ENOMEM;
    atomic_init(&cb->stop, 0);
    cb->conninfo = strdup(conninfo);
    if (!cb->conninfo) {
        free(cb);
        return -ENOMEM;
    }
    if (secret && *secret) {
        cb->secret = strdup(secret);
        cb->secret_len = strlen(secret);
        if (!cb->secret)
            r = -ENOMEM;
    }
    if (r == 0)
        r = parse_rules(cb, allow && *allow ? allow : "*");
    r |= setting("GAVEL_CALLBACK_BACKOFF_MS", 1, MAX_GAP_MS, 1000, &cb->backoff_ms);
    r |= setting("GAVEL_CALLBACK_MAX_S", 1, 7 * 86400, 3600, &cb->max_s);
    r |= setting("GAVEL_CALLBACK_TIMEOUT_MS", 100, 600000, 10000, &cb->timeout_ms);
    r |= setting("GAVEL_CALLBACK_SENDERS", 1, MAX_SENDERS, 2, &cb->senders);
    if (r < 0) {
        api_callbacks_free(cb);
        return r == -ENOMEM ? r : -EINVAL;
    }
    *ret = cb;
    return 0;
}

/* --- the URL --- */

/* Splits url into its host (lower case, no brackets); NULL *ret_msg when it may be used. */
static int url_host(const char *url, char *host, size_t size, const char **ret_msg)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL, *user = NULL, *pw = NULL;
    size_t n;
    int r = -EINVAL;

    *ret_msg = "is not a valid http or https URL";
    if (!u)
        return -ENOMEM;
    /* The parser would also read "http:/host" and "http:///host"; only the plain form is. */
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
        *ret_msg = "must be an http or https URL";
        goto out;
    }
    if (url[strncasecmp(url, "http://", 7) == 0 ? 7 : 8] == '/') {
        *ret_msg = "has no host";
        goto out;
    }
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        goto out;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        *ret_msg = "must be an http or https URL";
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
        *ret_msg = "must not carry a user name or password";
        goto out;
    }
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || !h[0]) {
        *ret_msg = "has no host";
        goto out;
    }
    n = strlen(h);
    if (h[0] == '[' && n >= 2) {
        memmove(h, h + 1, n - 2);
        h[n - 2] = '\0';
    }
    if (strlen(h) >= size) {
        *ret_msg = "has too long a host";
        goto out;
    }
    snprintf(host, size, "%s", h);
    lower(host);
    *ret_msg = NULL;
    r = 0;
out:
    curl_free(scheme);
    curl_free(h);
    curl_free(user);
    curl_free(pw);
    curl_url_cleanup(u);
    return r;
}

int api_callback_url_check(struct api_req *req, const char *url)
{
    const struct api_callbacks *cb = req->srv->callbacks;
    char host[256];
    unsigned char a[16];
    const char *msg, *why;
    int family, r;

    if (!cb || !cb->secret)
        return api_fail(req, -EINVAL, "callback_url",
                        "callbacks are not configured on this server (no GAVEL_CALLBACK_SECRET)");
    r = url_host(url, host, sizeof(host), &msg);
    if (r == -ENOMEM)
        return api_fail(req, r, NULL, "out of memory");
    if (r < 0)
        return api_fail(req, -EINVAL, "callback_url", "%s", msg);
    if (parse_address(host, &family, a) == 0 && !address_allowed(cb, host, family, a, &why))
        return api_fail(req, -EINVAL, "callback_url",
                        "%s is %s this server does not send callbacks to (GAVEL_CALLBACK_ALLOW)",
                        host, why);
    return 0;
}

/* --- one attempt --- */

struct attempt {
    struct api_callbacks *cb;
    char host[256];
    char refused[256]; /* set when the allow-list refused an address */
    size_t reply_len;
};

static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *sa)
{
    struct attempt *at = clientp;
    unsigned char a[16];
    char text[INET6_ADDRSTRLEN] = "?";
    const char *why;
    int family;

    if (purpose != CURLSOCKTYPE_IPCXN || (sa->family != AF_INET && sa->family != AF_INET6))
        return CURL_SOCKET_BAD;
    normalize(&sa->addr, &family, a);
    if (!address_allowed(at->cb, at->host, family, a, &why)) {
        inet_ntop(family, a, text, sizeof(text));
        snprintf(at->refused, sizeof(at->refused),
                 "refused: %s is %s this server does not send callbacks to"
                 " (GAVEL_CALLBACK_ALLOW)",
                 text, why);
        return CURL_SOCKET_BAD;
    }
    return socket(sa->family, sa->socktype, sa->protocol);
}

static size_t discard(char *data, size_t size, size_t n, void *clientp)
{
    struct attempt *at = clientp;

    at->reply_len += size * n;
    return at->reply_len > REPLY_CAP ? 0 : size * n;
}

static int progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                    curl_off_t ulnow)
{
    const struct attempt *at = clientp;

    return atomic_load(&at->cb->stop) ? 1 : 0;
}

enum outcome { DELIVERED, RETRY, REFUSED, STOPPED };

/* POSTs body to url, signed. *status: the HTTP status (0 when none came); err: why not 2xx. */
static enum outcome post(struct api_callbacks *cb, const char *url, const char *body, size_t len,
                         long *status, char *err, size_t err_size)
{
    struct attempt at = {.cb = cb};
    char curl_err[CURL_ERROR_SIZE] = "", header[160], hex[crypto_auth_hmacsha256_BYTES * 2 + 1],
         stamp[32];
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    struct curl_slist *headers = NULL;
    const char *msg;
    enum outcome o = RETRY;
    CURL *h = NULL;
    CURLcode rc;

    *status = 0;
    if (url_host(url, at.host, sizeof(at.host), &msg) < 0) {
        snprintf(err, err_size, "refused: callback_url %s", msg ? msg : "could not be read");
        return REFUSED;
    }
    snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)cb->secret, cb->secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, strlen(stamp));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(header, sizeof(header), "Gavel-Signature: t=%s,v1=%s", stamp, hex);
    h = curl_easy_init();
    if (!h)
        goto nomem;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    if (headers)
        headers = curl_slist_append(headers, header);
    if (headers)
        headers = curl_slist_append(headers, "Expect:");
    if (!headers)
        goto nomem;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* never a proxy: the address checked is the peer */
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cb->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)cb->timeout_ms);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "gavel-callback/1");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &at);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &at);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &at);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    if (*status >= 200 && *status < 300 && (rc == CURLE_OK || rc == CURLE_WRITE_ERROR)) {
        err[0] = '\0';
        o = DELIVERED;
    } else if (at.refused[0]) {
        snprintf(err, err_size, "%s", at.refused);
        o = REFUSED;
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        snprintf(err, err_size, "interrupted: the sender stopped");
        o = STOPPED;
    } else if (*status) {
        snprintf(err, err_size, "the receiver answered HTTP %ld%s", *status,
                 *status >= 300 && *status < 400 ? " (redirects are not followed)" : "");
    } else {
        snprintf(err, err_size, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return o;
nomem:
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    snprintf(err, err_size, "out of memory");
    return RETRY;
}

/* --- the senders --- */

/* The resource as its author's GET shows it, without the callback member. */
static int render(struct db_conn *c, const char *run_id, const char *submission_id,
                  struct api_json *j)
{
    PGresult *res = NULL, *who = NULL;
    int r;

    api_json_init(j, BODY_CAP);
    if (run_id) {
        r = db_query(c, &res, api_run_sql, 1, (const char *const[]){run_id});
        if (r < 0)
            goto out;
        if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 3), "done") != 0) {
            r = -ESTALE;
            goto out;
        }
        api_json_obj(j);
        r = api_run_members(j, res, 0, c);
        api_json_end(j);
    } else {
        r = db_query(c, &who,
                     "SELECT s.user_id::text, u.role FROM submissions s"
                     " JOIN users u ON u.id = s.user_id WHERE s.id = $1",
                     1, (const char *const[]){submission_id});
        if (r < 0)
            goto out;
        if (PQntuples(who) != 1) {
            r = -ESTALE;
            goto out;
        }
        r = db_query(
            c, &res, api_submission_sql, 3,
            (const char *const[]){submission_id, PQgetvalue(who, 0, 0), PQgetvalue(who, 0, 1)});
        if (r < 0)
            goto out;
        if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 5), "done") != 0) {
            r = -ESTALE;
            goto out;
        }
        api_json_obj(j);
        (void)api_submission_members(j, res, db_int64(who, 0, 0), 0);
        api_json_end(j);
    }
    if (r == 0)
        r = api_json_error(j);
out:
    PQclear(res);
    PQclear(who);
    return r;
}

/* Claims one due delivery and makes its attempt. 1: one was made, 0: none was due. */
static int deliver_one(struct api_callbacks *cb, struct db_conn *c)
{
    PGresult *res = NULL;
    struct api_json j;
    char err[512] = "", lease[32], gap[32], status_text[16];
    const char *id, *gen;
    int64_t attempts, elapsed_ms, wait_ms;
    enum outcome o;
    long status = 0;
    int r;

    snprintf(lease, sizeof(lease), "%lld", (long long)(cb->timeout_ms * 2 + LEASE_MARGIN_MS));
    r = db_query(c, &res,
                 "UPDATE callbacks c SET attempts = c.attempts + 1,"
                 " due_at = now() + $1::bigint * interval '1 millisecond'"
                 " FROM (SELECT id FROM callbacks WHERE state = 'pending' AND due_at <= now()"
                 "       ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED) d WHERE c.id = d.id"
                 " RETURNING c.id, c.run_id, c.submission_id, c.url, c.generation, c.attempts,"
                 " (extract(epoch FROM now() - c.first_due_at) * 1000)::bigint",
                 1, (const char *const[]){lease});
    if (r < 0)
        return r;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return 0;
    }
    id = PQgetvalue(res, 0, 0);
    gen = PQgetvalue(res, 0, 4);
    attempts = db_int64(res, 0, 5);
    elapsed_ms = db_int64(res, 0, 6);
    r = render(c, api_col(res, 0, 1), api_col(res, 0, 2), &j);
    if (r == -ESTALE) {
        /* No longer final (a rejudge) or gone: the trigger has moved the row on already. */
        r = 1;
        goto out;
    }
    if (r < 0) {
        snprintf(err, sizeof(err), "the result could not be written (%s)", strerror(-r));
        o = r == -ENOTCONN || r == -ECONNRESET ? STOPPED : REFUSED;
    } else {
        o = post(cb, PQgetvalue(res, 0, 3), j.buf.data ? j.buf.data : "", j.buf.len, &status, err,
                 sizeof(err));
    }
    snprintf(status_text, sizeof(status_text), "%ld", status);
    wait_ms = cb->backoff_ms;
    for (int64_t k = 1; k < attempts && wait_ms < MAX_GAP_MS; k++)
        wait_ms *= 2;
    if (wait_ms > MAX_GAP_MS)
        wait_ms = MAX_GAP_MS;
    if (o == RETRY && elapsed_ms + wait_ms > cb->max_s * 1000) {
        size_t n = strlen(err);
        snprintf(err + n, sizeof(err) - n, "; gave up after %lld attempts", (long long)attempts);
        o = REFUSED;
    }
    snprintf(gap, sizeof(gap), "%lld", (long long)wait_ms);
    /* The outcome, recorded only while the generation sent is current (a rejudge moves the
     * row on). A stopped attempt was not the receiver's fault: due again at once, for
     * whichever sender comes next, and not counted. */
    {
        /* In the order of enum outcome. */
        static const char *const names[] = {"delivered", "retry", "failed", "stopped"};
        PGresult *done = NULL;
        r = db_query(c, &done,
                     "UPDATE callbacks SET"
                     " state = CASE $6 WHEN 'delivered' THEN 'delivered' WHEN 'failed'"
                     "   THEN 'failed' ELSE state END,"
                     " delivered_at = CASE WHEN $6 = 'delivered' THEN now() END,"
                     " due_at = CASE $6 WHEN 'retry' THEN now() + $5::bigint"
                     "   * interval '1 millisecond' WHEN 'stopped' THEN now() END,"
                     " attempts = attempts - CASE WHEN $6 = 'stopped' THEN 1 ELSE 0 END,"
                     " last_status = nullif($3::int, 0), last_error = nullif($4, '')"
                     " WHERE id = $1 AND generation = $2",
                     6, (const char *const[]){id, gen, status_text, err, gap, names[o]});
        PQclear(done);
    }
    if (r == 0) {
        log_msg(o == DELIVERED ? LOG_INFO : LOG_WARN, "callback %s attempt %lld: %s", id,
                (long long)attempts, o == DELIVERED ? "delivered" : err);
        r = 1;
    }
out:
    api_json_release(&j);
    PQclear(res);
    return r;
}

/* How long to sleep before the next due delivery (at most IDLE_WAIT_MS). */
static int idle_ms(struct db_conn *c)
{
    PGresult *res = NULL;
    int ms = IDLE_WAIT_MS;

    if (db_query(c, &res,
                 "SELECT greatest(0, least($1::int, ceil(extract(epoch FROM min(due_at) - now())"
                 " * 1000)))::int FROM callbacks WHERE state = 'pending'",
                 1, (const char *const[]){API_STR(IDLE_WAIT_MS)}) == 0 &&
        !db_isnull(res, 0, 0))
        ms = (int)db_int64(res, 0, 0);
    PQclear(res);
    return ms;
}

static void *sender(void *arg)
{
    struct api_callbacks *cb = arg;
    struct db_conn *c = NULL;

    while (!atomic_load(&cb->stop)) {
        char channel[64], payload[64];
        int r, ms;
        if (!c) {
            if (db_conn_open(cb->conninfo, &c) < 0 ||
                db_exec_script(c, "LISTEN gavel_callback") < 0) {
                db_conn_close(c);
                c = NULL;
                sleep(1);
                continue;
            }
        }
        r = deliver_one(cb, c);
        if (r > 0)
            continue;
        if (r < 0) {
            log_msg(LOG_WARN, "callbacks: database error %d; reconnecting", r);
            db_conn_close(c);
            c = NULL;
            sleep(1);
            continue;
        }
        ms = idle_ms(c);
        while (ms > 0 && !atomic_load(&cb->stop)) {
            int step = ms < 200 ? ms : 200; /* short steps: shutdown is seen at once */
            r = db_wait_notify(c, step, channel, sizeof(channel), payload, sizeof(payload));
            if (r != 0)
                break;
            ms -= step;
        }
        if (r < 0) {
            db_conn_close(c);
            c = NULL;
        }
    }
    db_conn_close(c);
    return NULL;
}

int api_callbacks_start(struct api_callbacks *cb)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -ENOMEM;
    for (int64_t i = 0; i < cb->senders; i++) {
        if (pthread_create(&cb->threads[cb->started], NULL, sender, cb) != 0) {
            api_callbacks_shutdown(cb);
            return -EAGAIN;
        }
        cb->started++;
    }
    return 0;
}

void api_callbacks_shutdown(struct api_callbacks *cb)
{
    if (!cb)
        return;
    atomic_store(&cb->stop, 1);
    for (int i = 0; i < cb->started; i++)
        pthread_join(cb->threads[i], NULL);
    cb->started = 0;
}

void api_callbacks_free(struct api_callbacks *cb)
{
    if (!cb)
        return;
    api_callbacks_shutdown(cb);
    free(cb->conninfo);
    if (cb->secret)
        sodium_memzero(cb->secret, cb->secret_len);
    free(cb->secret);
    free(cb);
}
