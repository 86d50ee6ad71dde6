/*
 * server.h: the inside of gavel-api, shared by server.c, main.c and the service modules
 * (authentication, metrics, the NOTIFY hub, the rate limiter). Handlers use http.h only.
 */
#ifndef GAVEL_API_SERVER_H
#define GAVEL_API_SERVER_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "api/http.h"
#include "api/pwhash.h"
#include "api/web.h"

/* Settings, read once in main from GAVEL_* variables (main.c lists them). */
struct api_settings {
    char listen[128]; /* host:port */
    int threads;      /* HTTP worker threads */
    const char *database_url;
    int db_pool_size;
    int max_connections;
    int open_registration;
    int64_t token_ttl_s;
    int64_t auth_cache_ms;  /* how long a verified token is remembered; 0: not at all */
    int64_t checker_wait_s; /* how long an upload waits for a judge to compile its checker */
    int64_t pwhash_threads; /* threads hashing passwords (the number of cores) */
    int64_t pwhash_wait_ms; /* a login or registration is refused when its wait would pass it */
    double rate_burst;      /* submissions and runs a user may send at once */
    double rate_per_s;      /* and then per second */
    struct api_cors cors;   /* origins whose pages may call the API (GAVEL_CORS_ORIGINS) */
    struct api_limits limits;
};

struct api_route {
    const char *method;
    const char *pattern;
    api_handler_fn handler;
    unsigned flags;
};

extern const struct api_route api_routes[];
extern const size_t api_n_routes;

/* --- metrics (metrics.c) --- */
#define API_METRIC_BUCKETS 12
struct api_metrics;
int api_metrics_new(size_t n_routes, struct api_metrics **ret);
void api_metrics_free(struct api_metrics *m);
/* route: index into api_routes, or n_routes for unmatched requests. */
void api_metrics_record(struct api_metrics *m, size_t route, int status, double seconds);
/* Appends the Prometheus text of the counters to j's buffer (j used as a plain buffer). */
int api_metrics_write(struct api_metrics *m, struct api_buf *out);
/* The database's part of /metrics is read at most once per API_METRICS_DB_MS: _recent appends
 * the kept text to out when it is that fresh (1), else appends nothing (0), or -ENOMEM;
 * _keep stores a newly read one (dropped if memory is short). */
#define API_METRICS_DB_MS 5000
int api_metrics_db_recent(struct api_metrics *m, struct api_buf *out);
void api_metrics_db_keep(struct api_metrics *m, const char *text, size_t len);

/* --- completion notices (notify.c): one LISTEN connection waking parked requests --- */
struct api_hub;

/* A request waiting for a submission ('s'), run ('r') or checker build ('c') to be done. Lives
 * in its request. */
struct api_waiter {
    struct api_waiter *next; /* private to notify.c, as are the flags */
    char kind;
    int64_t id;
    struct timespec wake; /* CLOCK_MONOTONIC: resumed then at the latest */
    void *conn;           /* struct MHD_Connection * */
    int progress;         /* woken by a test done (gavel_progress) too, not only by the end */
    int registered, suspended, fired;
};

int api_hub_new(const char *conninfo, struct api_hub **ret);
/* Resumes every parked request for good (they answer with what they have); parks no more. */
void api_hub_shutdown(struct api_hub *h);
void api_hub_free(struct api_hub *h); /* stops the thread and frees */
/* Starts listening for w's notice; the caller checks its row after. -ECANCELED when stopping. */
int api_hub_register(struct api_hub *h, struct api_waiter *w);
/* Stops listening for w (its row was done after all). */
void api_hub_unregister(struct api_hub *h, struct api_waiter *w);
/* Suspends w's connection until its notice or wake time; -ECANCELED (and w unregistered) if
 * its notice came since api_hub_register or the server is stopping: answer at once then. */
int api_hub_park(struct api_hub *h, struct api_waiter *w);
/* 1 while the LISTEN connection is up. */
int api_hub_listening(struct api_hub *h);

/* --- per-user rate limit (ratelimit.c): a token bucket per user --- */
struct api_ratelimit;
int api_ratelimit_new(double burst, double per_s, struct api_ratelimit **ret);
void api_ratelimit_free(struct api_ratelimit *rl);
/* 0 when the user may go on (one token taken), else the seconds to wait (>= 1). */
int api_ratelimit_take(struct api_ratelimit *rl, int64_t user_id);

struct api_server {
    struct api_settings cfg;
    _Atomic(struct db_pool *) pool; /* NULL until the database has been reached once */
    pthread_mutex_t pool_lock;
    struct api_metrics *metrics;
    struct api_hub *hub;
    struct api_ratelimit *rl;
    struct api_auth_cache *auth_cache;
    struct api_page_cache *pages; /* recent leaderboard pages */
    atomic_int stopping;
    atomic_int active;         /* requests begun and not yet completed */
    struct api_pwhash *pwhash; /* argon2id off the HTTP workers, in line (pwhash.h) */
    char dummy_hash[128];      /* checked against for unknown users, so timing tells nothing */
    /* The callback senders (callbacks.h). */
    struct api_callbacks *callbacks;
};

#define API_MAX_PARAMS  4
#define API_MAX_HEADERS 4

struct api_req {
    struct api_server *srv;
    void *conn; /* struct MHD_Connection * */
    struct api_arena arena;
    struct timespec started;
    const char *method;
    const char *target; /* raw request target, in the arena */
    struct api_uri uri;
    const struct api_route *route;
    size_t route_index;
    int early_status; /* set when the request is refused before its body is read */
    int early_err;
    const char *param_names[API_MAX_PARAMS];
    const char *param_values[API_MAX_PARAMS];
    int n_params;
    struct api_buf body;
    int body_too_big;
    /* authentication */
    int auth_done;
    int auth_err;
    struct api_user user;
    unsigned char token_hash[32];
    int has_token;
    /* the answer */
    struct db_conn *db;
    int status;
    int replied;
    struct api_json out;
    const char *content_type;
    char *raw_body;
    size_t raw_len;
    const char *headers[API_MAX_HEADERS][2];
    int n_headers;
    const char *err_field;
    const char *err_message;
    int retry_after;
    const char *cors_origin; /* the request's Origin when it may read the answer (CORS) */
    /* ?wait= */
    struct api_waiter waiter;
    int64_t checker_build;    /* the checker build this request waits on (checker_check.c), or 0 */
    int64_t interactor_build; /* the same for an interactive problem's interactor */
    unsigned builds_ok;       /* bit 0 the checker, bit 1 the interactor: compiled (answered) */
    struct api_pwjob pwjob;   /* its password hash in line (pwhash.c) */
    struct timespec wait_deadline; /* set on the first api_wait of the request */
    int waiting;
    int64_t created_id; /* POST ...?wait=: what this request created, once it has */
};

/* auth.c: a short-lived in-memory cache of verified tokens (NULL when ttl_ms is 0). */
struct api_auth_cache;
int api_auth_cache_new(int64_t ttl_ms, struct api_auth_cache **ret);
void api_auth_cache_free(struct api_auth_cache *c);
/* Forgets the cached token with this hash, or (hash NULL) every token of user_id. */
void api_auth_forget(struct api_server *srv, const unsigned char *hash, int64_t user_id);

/* auth.c: checks the bearer token of req, filling req->user. */
int api_auth_check(struct api_req *req);
/* A new token: 32 random bytes, URL-safe base64 in ret_text (at least 48 bytes), and its hash. */
void api_token_new(char *ret_text, size_t text_size, unsigned char ret_hash[32]);
/* The hash of a presented token text; -EINVAL if it is not a token's shape. */
int api_token_hash_text(const char *text, unsigned char ret_hash[32]);

/* h_submissions.c: the rate limit shared by submissions and runs, for the authenticated
 * caller: 0, or -EBUSY (429) with Retry-After set. */
int api_rate_check(struct api_req *req);

/* server.c */
int api_server_start(struct api_server *srv, void **ret_daemon);
/* Stops accepting connections; requests in progress go on. */
void api_server_quiesce(void *daemon);
/* Waits up to ms for the requests in progress to complete, then stops the server. */
void api_server_stop(struct api_server *srv, void *daemon, int ms);

#endif
