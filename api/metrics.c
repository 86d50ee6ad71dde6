/*
 * metrics.c: request counters and latency histograms per route, in Prometheus text.
 *
 * Plain atomic counters indexed by route and by a short list of status codes, so recording a
 * request takes no lock. Queue depth and verdict counts are read from the database by the
 * /metrics handler; their text is kept here a few seconds (API_METRICS_DB_MS), so that scrapes,
 * however many and from whoever (the route needs no token), cost the database one count that
 * often.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/server.h"

static const int statuses[] = {200, 201, 202, 204, 400, 401, 403, 404,
                               405, 409, 413, 415, 429, 500, 503, 0};
#define N_STATUS (sizeof(statuses) / sizeof(statuses[0]))

static const double bounds[API_METRIC_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.05,
                                                  0.1,   0.25,   0.5,   1,    2.5,  5};

struct route_metrics {
    atomic_ulong by_status[N_STATUS];
    atomic_ulong buckets[API_METRIC_BUCKETS + 1]; /* the last is +Inf */
    atomic_ulong sum_us;
};

struct api_metrics {
    pthread_mutex_t db_lock; /* guards the three below */
    char *db_text;           /* the database's part of the last scrape that read it, or NULL */
    size_t db_len;
    int64_t db_at_ms; /* when it was read (monotonic) */
    size_t n;
    struct route_metrics routes[];
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int api_metrics_new(size_t n_routes, struct api_metrics **ret)
{
    struct api_metrics *m = calloc(1, sizeof(*m) + (n_routes + 1) * sizeof(struct route_metrics));

    if (!m)
        return -ENOMEM;
    pthread_mutex_init(&m->db_lock, NULL);
    m->n = n_routes + 1;
    *ret = m;
    return 0;
}

void api_metrics_free(struct api_metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->db_lock);
    free(m->db_text);
    free(m);
}

int api_metrics_db_recent(struct api_metrics *m, struct api_buf *out)
{
    int r = 0;

    pthread_mutex_lock(&m->db_lock);
    if (m->db_text && now_ms() - m->db_at_ms < API_METRICS_DB_MS)
        r = api_buf_append(out, m->db_text, m->db_len) < 0 ? -ENOMEM : 1;
    pthread_mutex_unlock(&m->db_lock);
    return r;
}

void api_metrics_db_keep(struct api_metrics *m, const char *text, size_t len)
{
    char *copy = malloc(len + 1);

    if (!copy)
        return; /* the next scrape reads the database again */
    memcpy(copy, text, len);
    copy[len] = '\0';
    pthread_mutex_lock(&m->db_lock);
    free(m->db_text);
    m->db_text = copy;
    m->db_len = len;
    m->db_at_ms = now_ms();
    pthread_mutex_unlock(&m->db_lock);
}

void api_metrics_record(struct api_metrics *m, size_t route, int status, double seconds)
{
    struct route_metrics *r;
    size_t s = N_STATUS - 1, b = API_METRIC_BUCKETS;

    if (!m || route >= m->n)
        return;
    r = &m->routes[route];
    for (size_t i = 0; i + 1 < N_STATUS; i++) {
        if (statuses[i] == status) {
            s = i;
            break;
        }
    }
    for (size_t i = 0; i < API_METRIC_BUCKETS; i++) {
        if (seconds <= bounds[i]) {
            b = i;
            break;
        }
    }
    atomic_fetch_add_explicit(&r->by_status[s], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->sum_us, (unsigned long)(seconds * 1e6), memory_order_relaxed);
}

static int line(struct api_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int line(struct api_buf *out, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(b, sizeof(b), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(b))
        return -EINVAL;
    return api_buf_append(out, b, (size_t)n);
}

int api_metrics_write(struct api_metrics *m, struct api_buf *out)
{
    int r = 0;

    r |= line(out, "# HELP gavel_http_requests_total Requests answered, by route and status.\n"
                   "# TYPE gavel_http_requests_total counter\n");
    for (size_t i = 0; i < m->n; i++) {
        const char *method = i < api_n_routes ? api_routes[i].method : "";
        const char *route = i < api_n_routes ? api_routes[i].pattern : "unmatched";
        for (size_t s = 0; s < N_STATUS; s++) {
            unsigned long v =
                atomic_load_explicit(&m->routes[i].by_status[s], memory_order_relaxed);
            if (!v)
                continue;
            if (statuses[s])
                r |= line(
                    out,
                    "gavel_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %lu\n",
                    method, route, statuses[s], v);
            else
                r |= line(out,
                          "gavel_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} "
                          "%lu\n",
                          method, route, v);
        }
    }
    r |= line(out, "# HELP gavel_http_request_duration_seconds Time from request to answer.\n"
                   "# TYPE gavel_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < m->n; i++) {
        const char *method = i < api_n_routes ? api_routes[i].method : "";
        const char *route = i < api_n_routes ? api_routes[i].pattern : "unmatched";
        unsigned long cum = 0;
        for (size_t b = 0; b <= API_METRIC_BUCKETS; b++)
            cum += atomic_load_explicit(&m->routes[i].buckets[b], memory_order_relaxed);
        if (!cum)
            continue;
        cum = 0;
        for (size_t b = 0; b <= API_METRIC_BUCKETS; b++) {
            char le[32];
            cum += atomic_load_explicit(&m->routes[i].buckets[b], memory_order_relaxed);
            if (b < API_METRIC_BUCKETS)
                snprintf(le, sizeof(le), "%g", bounds[b]);
            else
                snprintf(le, sizeof(le), "+Inf");
            r |= line(out,
                      "gavel_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                      "le=\"%s\"} %lu\n",
                      method, route, le, cum);
        }
        r |= line(out, "gavel_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
                  method, route,
                  (double)atomic_load_explicit(&m->routes[i].sum_us, memory_order_relaxed) / 1e6);
        r |=
            line(out, "gavel_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %lu\n",
                 method, route, cum);
    }
    return r ? -ENOMEM : 0;
}
