/*
 * metrics.c: request counters and latency histograms per route, in Prometheus text.
 *
 * Plain atomic counters indexed by route and by a short list of status codes, so recording a
 * request takes no lock. Queue depth and verdict counts are read from the database at scrape
 * time by the /metrics handler, not kept here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

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
    size_t n;
    struct route_metrics routes[];
};

int api_metrics_new(size_t n_routes, struct api_metrics **ret)
{
    struct api_metrics *m = calloc(1, sizeof(*m) + (n_routes + 1) * sizeof(struct route_metrics));

    if (!m)
        return -ENOMEM;
    m->n = n_routes + 1;
    *ret = m;
    return 0;
}

void api_metrics_free(struct api_metrics *m)
{
    free(m);
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
