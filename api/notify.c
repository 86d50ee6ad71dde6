/*
 * notify.c: one LISTEN connection for the whole server, waking the requests parked by ?wait=.
 *
 * A request waiting for its submission or run is not a blocked thread: the handler parks it
 * (api_hub_park) and libmicrohttpd suspends its connection, so thousands of waiters cost
 * neither threads nor database connections. This thread LISTENs on `gavel_done`; a notice
 * resumes the waiters of that (kind, id) (and on `gavel_progress`, a test of a submission done,
 * those of its waiters that wait for the next change), and every waiter is also resumed at its wake
 * time (its deadline, or a few seconds on, so that a lost notice or a LISTEN connection that went
 * down costs a short delay, never a stuck request). A resumed request runs its handler again,
 * which looks at its row and answers or parks once more.
 *
 * Race: a notice may arrive after the handler has looked at its row but before the connection
 * is suspended. The waiter is registered first (api_hub_register), the row checked after; a
 * notice in between marks it fired, and api_hub_park then refuses to suspend it. Suspending and
 * resuming happen under the hub's lock, so a connection is never resumed before it is suspended.
 */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/server.h"
#include "common/log.h"

#define BUCKETS   256
#define TICK_MS   100
#define RECHECK_S 5 /* a parked request looks at its row at least this often */

struct api_hub {
    pthread_mutex_t lock;
    struct api_waiter *buckets[BUCKETS];
    size_t n_waiters;
    char *conninfo;
    pthread_t thread;
    int started;
    atomic_int stop;
    atomic_int listening;
};

static size_t bucket_of(char kind, int64_t id)
{
    return (size_t)(((uint64_t)id * 2 + (kind == 'r')) % BUCKETS);
}

static int before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void unlink_waiter(struct api_hub *h, struct api_waiter *w)
{
    struct api_waiter **p = &h->buckets[bucket_of(w->kind, w->id)];

    while (*p && *p != w)
        p = &(*p)->next;
    if (*p) {
        *p = w->next;
        h->n_waiters--;
    }
    w->next = NULL;
    w->registered = 0;
}

/* Under the lock: resumes a suspended waiter, or marks a not yet suspended one fired. */
static void fire(struct api_hub *h, struct api_waiter *w)
{
    if (w->suspended) {
        unlink_waiter(h, w);
        w->suspended = 0;
        MHD_resume_connection(w->conn);
    } else {
        w->fired = 1;
    }
}

static void fire_id(struct api_hub *h, char kind, int64_t id, int progress)
{
    struct api_waiter *w, *next;

    pthread_mutex_lock(&h->lock);
    for (w = h->buckets[bucket_of(kind, id)]; w; w = next) {
        next = w->next;
        if (w->kind == kind && w->id == id && (!progress || w->progress))
            fire(h, w);
    }
    pthread_mutex_unlock(&h->lock);
}

/* Resumes every waiter whose wake time has come (all of them when everything is). */
static void fire_due(struct api_hub *h, int everything)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&h->lock);
    for (size_t i = 0; i < BUCKETS && h->n_waiters; i++) {
        struct api_waiter *w, *next;
        for (w = h->buckets[i]; w; w = next) {
            next = w->next;
            if (everything || !before(&now, &w->wake))
                fire(h, w);
        }
    }
    pthread_mutex_unlock(&h->lock);
}

static void *hub_main(void *arg)
{
    struct api_hub *h = arg;
    struct db_conn *c = NULL;
    struct timespec retry_at = {0, 0};
    int pause_s = 1;

    while (!atomic_load(&h->stop)) {
        char channel[64], payload[64];
        struct timespec now;
        int r = 0;

        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!c && !before(&now, &retry_at)) {
            if (db_conn_open(h->conninfo, &c) < 0 ||
                db_exec_script(c, "LISTEN gavel_done; LISTEN gavel_progress") < 0) {
                db_conn_close(c);
                c = NULL;
                retry_at = now;
                retry_at.tv_sec += pause_s;
                pause_s = pause_s < 5 ? pause_s * 2 : 5;
            } else {
                pause_s = 1;
                atomic_store(&h->listening, 1);
                fire_due(h, 1); /* whatever finished while we were away */
            }
        }
        if (c) {
            r = db_wait_notify(c, TICK_MS, channel, sizeof(channel), payload, sizeof(payload));
            if (r < 0) {
                log_msg(LOG_WARN, "notice connection lost: %s", db_error(c));
                atomic_store(&h->listening, 0);
                db_conn_close(c);
                c = NULL;
            }
        } else {
            struct timespec tick = {0, TICK_MS * 1000000L};
            nanosleep(&tick, NULL);
        }
        if (r == 1 && strchr("src", payload[0]) && payload[0] && payload[1] == ':') {
            int64_t id;
            if (api_parse_int64(payload + 2, 1, INT64_MAX, &id) == 0)
                fire_id(h, payload[0], id, !strcmp(channel, "gavel_progress"));
        }
        if (r != 1)
            fire_due(h, 0);
    }
    db_conn_close(c);
    return NULL;
}

int api_hub_new(const char *conninfo, struct api_hub **ret)
{
    struct api_hub *h = calloc(1, sizeof(*h));

    if (!h)
        return -ENOMEM;
    h->conninfo = strdup(conninfo);
    if (!h->conninfo) {
        free(h);
        return -ENOMEM;
    }
    pthread_mutex_init(&h->lock, NULL);
    if (pthread_create(&h->thread, NULL, hub_main, h) != 0) {
        api_hub_free(h);
        return -EAGAIN;
    }
    h->started = 1;
    *ret = h;
    return 0;
}

void api_hub_shutdown(struct api_hub *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    atomic_store(&h->stop, 1);
    pthread_mutex_unlock(&h->lock);
    fire_due(h, 1);
}

void api_hub_free(struct api_hub *h)
{
    if (!h)
        return;
    atomic_store(&h->stop, 1);
    if (h->started)
        pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->lock);
    free(h->conninfo);
    free(h);
}

int api_hub_register(struct api_hub *h, struct api_waiter *w)
{
    size_t b = bucket_of(w->kind, w->id);
    int r = 0;

    pthread_mutex_lock(&h->lock);
    if (atomic_load(&h->stop)) {
        r = -ECANCELED;
    } else if (!w->registered) {
        w->fired = 0;
        w->suspended = 0;
        w->next = h->buckets[b];
        h->buckets[b] = w;
        h->n_waiters++;
        w->registered = 1;
    }
    pthread_mutex_unlock(&h->lock);
    return r;
}

void api_hub_unregister(struct api_hub *h, struct api_waiter *w)
{
    pthread_mutex_lock(&h->lock);
    if (w->registered)
        unlink_waiter(h, w);
    pthread_mutex_unlock(&h->lock);
}

int api_hub_park(struct api_hub *h, struct api_waiter *w)
{
    int r = 0;

    pthread_mutex_lock(&h->lock);
    if (!w->registered || w->fired || atomic_load(&h->stop)) {
        if (w->registered)
            unlink_waiter(h, w);
        r = -ECANCELED;
    } else {
        w->suspended = 1;
        MHD_suspend_connection(w->conn);
    }
    pthread_mutex_unlock(&h->lock);
    return r;
}

int api_hub_listening(struct api_hub *h)
{
    return h && atomic_load(&h->listening);
}
