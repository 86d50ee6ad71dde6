/*
 * main.c: gavel-api's settings and life cycle.
 *
 * Settings come from GAVEL_* environment variables, or the same names as flags
 * (--listen=127.0.0.1:8080 sets GAVEL_LISTEN):
 *   GAVEL_LISTEN             host:port to serve on (127.0.0.1:8080)
 *   GAVEL_DATABASE_URL       PostgreSQL connection string (required)
 *   GAVEL_API_THREADS        HTTP worker threads (4 per core, 4 to 32)
 *   GAVEL_DB_POOL            database connections at most (as many as worker threads)
 *   GAVEL_MAX_CONNECTIONS    HTTP connections at most, waiting ones included (4096)
 *   GAVEL_OPEN_REGISTRATION  1: anyone may create a student account; 0: admins only (1)
 *   GAVEL_TOKEN_TTL          seconds a session token lives (86400)
 *   GAVEL_AUTH_CACHE_MS      how long a verified token is remembered in memory (1000; 0: off)
 *   GAVEL_RATE_BURST         submissions and runs a user may send at once (10)
 *   GAVEL_RATE_PER_SEC       and then per second (1)
 *   GAVEL_MAX_BODY           request body cap in bytes (1 MiB)
 *   GAVEL_MAX_UPLOAD         body cap of problem and package uploads (64 MiB)
 *   GAVEL_MAX_SOURCE         source of a submission or run (64 KiB)
 *   GAVEL_MAX_STDIN          stdin of a run (1 MiB)
 *   GAVEL_MAX_STRING         any other string, e.g. a statement (1 MiB)
 *   GAVEL_MAX_TESTS          tests of one problem (1000)
 *   GAVEL_MAX_JSON_DEPTH     JSON nesting (32)
 *   GAVEL_CALLBACK_*         callbacks: the secret, the allow-list, retries (callbacks.h)
 *   GAVEL_CORS_ORIGINS       origins whose pages may call the API, comma-separated (none)
 * SIGTERM or SIGINT stops the server: waiting requests are answered, then it exits 0.
 */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/callbacks.h"
#include "api/page_cache.h"
#include "api/server.h"
#include "common/log.h"
#include "db/accounts.h"

static int setting_int(const char *name, int64_t min, int64_t max, int64_t def, int64_t *ret)
{
    const char *v = getenv(name);

    *ret = def;
    if (!v || !*v)
        return 0;
    if (api_parse_int64(v, min, max, ret) < 0) {
        log_msg(LOG_ERROR, "%s must be an integer from %lld to %lld", name, (long long)min,
                (long long)max);
        return -EINVAL;
    }
    return 0;
}

static int setting_num(const char *name, double min, double def, double *ret)
{
    const char *v = getenv(name);
    char *end = NULL;

    *ret = def;
    if (!v || !*v)
        return 0;
    *ret = strtod(v, &end);
    if (!end || *end || *ret < min) {
        log_msg(LOG_ERROR, "%s must be a number of at least %g", name, min);
        return -EINVAL;
    }
    return 0;
}

/* --name=value flags become GAVEL_NAME=value, so flags and variables are the same settings. */
static int apply_flags(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char name[96];
        const char *a = argv[i], *eq;
        size_t n;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("usage: gavel-api [--listen=HOST:PORT] [--database-url=URL] [--NAME=VALUE]\n"
                   "Every --NAME=VALUE sets GAVEL_NAME (dashes become underscores).\n");
            exit(0);
        }
        eq = strchr(a, '=');
        if (strncmp(a, "--", 2) != 0 || !eq || (size_t)(eq - a) - 2 > 80) {
            log_msg(LOG_ERROR, "unknown argument %s", a);
            return -EINVAL;
        }
        n = (size_t)snprintf(name, sizeof(name), "GAVEL_%.*s", (int)(eq - a - 2), a + 2);
        for (size_t k = 6; k < n; k++)
            name[k] = name[k] == '-'
                          ? '_'
                          : (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
        if (setenv(name, eq + 1, 1) != 0)
            return -errno;
    }
    return 0;
}

static int load_settings(struct api_settings *s)
{
    const char *listen = getenv("GAVEL_LISTEN");
    int64_t v;
    int r = 0;

    memset(s, 0, sizeof(*s));
    snprintf(s->listen, sizeof(s->listen), "%s", listen && *listen ? listen : "127.0.0.1:8080");
    s->database_url = getenv("GAVEL_DATABASE_URL");
    if (!s->database_url || !*s->database_url) {
        log_msg(LOG_ERROR, "GAVEL_DATABASE_URL is not set");
        return -EINVAL;
    }
    s->limits = api_default_limits;
    {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        int64_t def = cores > 0 ? cores * 4 : 8;
        r |= setting_int("GAVEL_API_THREADS", 1, 1024, def < 4 ? 4 : def > 32 ? 32 : def, &v);
        s->threads = (int)v;
    }
    r |= setting_int("GAVEL_DB_POOL", 1, 1000, s->threads, &v);
    s->db_pool_size = (int)v;
    r |= setting_int("GAVEL_MAX_CONNECTIONS", 1, 100000, 4096, &v);
    s->max_connections = (int)v;
    r |= setting_int("GAVEL_OPEN_REGISTRATION", 0, 1, 1, &v);
    s->open_registration = (int)v;
    r |= setting_int("GAVEL_TOKEN_TTL", 60, 365LL * 86400, 86400, &s->token_ttl_s);
    r |= setting_int("GAVEL_AUTH_CACHE_MS", 0, 60000, 1000, &s->auth_cache_ms);
    r |= setting_int("GAVEL_CHECKER_WAIT_S", 1, 600, 30, &s->checker_wait_s);
    {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        r |= setting_int("GAVEL_PWHASH_THREADS", 1, 256, cores > 0 ? cores : 1, &s->pwhash_threads);
    }
    r |= setting_int("GAVEL_PWHASH_WAIT_MS", 1, 600000, 30000, &s->pwhash_wait_ms);
    r |= setting_num("GAVEL_RATE_BURST", 1, 10, &s->rate_burst);
    r |= setting_num("GAVEL_RATE_PER_SEC", 0.001, 1, &s->rate_per_s);
    r |= setting_int("GAVEL_MAX_BODY", 1024, 1LL << 32, (int64_t)s->limits.max_body, &v);
    s->limits.max_body = (size_t)v;
    r |= setting_int("GAVEL_MAX_UPLOAD", 1024, 1LL << 34, (int64_t)s->limits.max_upload, &v);
    s->limits.max_upload = (size_t)v;
    r |= setting_int("GAVEL_MAX_SOURCE", 1, 1LL << 30, (int64_t)s->limits.max_source, &v);
    s->limits.max_source = (size_t)v;
    r |= setting_int("GAVEL_MAX_STDIN", 0, 1LL << 30, (int64_t)s->limits.max_stdin, &v);
    s->limits.max_stdin = (size_t)v;
    r |= setting_int("GAVEL_MAX_STRING", 1, 1LL << 30, (int64_t)s->limits.max_string, &v);
    s->limits.max_string = (size_t)v;
    r |= setting_int("GAVEL_MAX_TESTS", 1, 1000000, (int64_t)s->limits.max_tests, &v);
    s->limits.max_tests = (size_t)v;
    r |= setting_int("GAVEL_MAX_JSON_DEPTH", 2, 1000, s->limits.max_depth, &v);
    s->limits.max_depth = (int)v;
    r |= setting_int("GAVEL_RUN_MAX_TIME_MS", 1, 600000, s->limits.run_max_time_ms,
                     &s->limits.run_max_time_ms);
    r |= setting_int("GAVEL_RUN_MAX_WALL_MS", 1, 3600000, s->limits.run_max_wall_ms,
                     &s->limits.run_max_wall_ms);
    r |= setting_int("GAVEL_RUN_MAX_MEMORY_MB", 1, 8192, s->limits.run_max_memory_mb,
                     &s->limits.run_max_memory_mb);
    r |= setting_int("GAVEL_RUN_MAX_OUTPUT_KB", 1, 1LL << 30, s->limits.run_max_output_kb,
                     &s->limits.run_max_output_kb);
    r |= setting_int("GAVEL_RUN_MAX_INPUTS", 1, 1000, s->limits.run_max_inputs,
                     &s->limits.run_max_inputs);
    if (api_cors_parse(getenv("GAVEL_CORS_ORIGINS"), &s->cors) < 0)
        r = -EINVAL;
    return r ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
    struct api_server srv;
    void *daemon = NULL;
    sigset_t sigs;
    int sig = 0, r, code = 1;
    double hash_ms = 100;

    log_init("gavel-api", LOG_INFO);
    memset(&srv, 0, sizeof(srv));
    pthread_mutex_init(&srv.pool_lock, NULL);
    if (apply_flags(argc, argv) < 0 || load_settings(&srv.cfg) < 0)
        return 2;
    if (sodium_init() < 0) {
        log_msg(LOG_ERROR, "libsodium failed to start");
        return 1;
    }
    {
        char pw[] = "not a real password";
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (db_password_hash(pw, srv.dummy_hash, sizeof(srv.dummy_hash)) < 0) {
            log_msg(LOG_ERROR, "password hashing does not work");
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        /* The first measure of a hash's cost, for the line's wait estimate. */
        hash_ms =
            (double)(t1.tv_sec - t0.tv_sec) * 1000.0 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    /* Every thread made from here on inherits the mask; only sigwait below takes them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    {
        struct db_pool *pool = NULL;
        r = db_pool_new(srv.cfg.database_url, srv.cfg.db_pool_size, &pool);
        atomic_store(&srv.pool, pool);
    }
    if (r < 0) {
        /* Not fatal: /healthz answers 503 until the database comes back. */
        log_msg(LOG_WARN, "database unavailable at start (%d); retrying per request", r);
    }
    r = api_metrics_new(api_n_routes, &srv.metrics);
    if (r >= 0)
        r = api_ratelimit_new(srv.cfg.rate_burst, srv.cfg.rate_per_s, &srv.rl);
    if (r >= 0)
        r = api_auth_cache_new(srv.cfg.auth_cache_ms, &srv.auth_cache);
    if (r >= 0)
        r = api_page_cache_new(&srv.pages);
    if (r >= 0)
        r = api_hub_new(srv.cfg.database_url, &srv.hub);
    if (r >= 0)
        r = api_pwhash_new((int)srv.cfg.pwhash_threads, srv.cfg.pwhash_wait_ms, hash_ms,
                           &srv.pwhash);
    if (r >= 0)
        r = api_callbacks_new(srv.cfg.database_url, &srv.callbacks);
    if (r >= 0)
        r = api_callbacks_start(srv.callbacks);
    if (r >= 0)
        r = api_server_start(&srv, &daemon);
    if (r < 0)
        goto out;
    log_msg(LOG_INFO, "listening on %s", srv.cfg.listen);
    while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
        ;
    log_msg(LOG_INFO, "stopping (signal %d)", sig);
    atomic_store(&srv.stopping, 1);
    code = 0;
out:
    /* No new connections; parked requests answer with what they have; then wait for them. */
    api_server_quiesce(daemon);
    api_hub_shutdown(srv.hub);
    api_pwhash_shutdown(srv.pwhash);
    api_callbacks_shutdown(srv.callbacks);
    api_server_stop(&srv, daemon, 5000);
    api_hub_free(srv.hub);
    api_pwhash_free(srv.pwhash);
    api_callbacks_free(srv.callbacks);
    api_ratelimit_free(srv.rl);
    api_auth_cache_free(srv.auth_cache);
    api_page_cache_free(srv.pages);
    api_metrics_free(srv.metrics);
    db_pool_free(atomic_load(&srv.pool));
    api_cors_release(&srv.cfg.cors);
    return code;
}
