/*
 * notify.c: one LISTEN connection for the whole server, fanning `gavel_done` notices out to the
 * requests waiting with ?wait=.
 *
 * Waiters are spread over buckets by (kind, id); a notice bumps its bucket's generation and
 * wakes that bucket only. A waiter reads the generation before it checks its row, and sleeps
 * only if the generation has not moved since, so a notice between the check and the sleep is
 * never lost. While the connection is down, waiters still wake every few seconds and look at
 * their row themselves, and the thread reconnects with a growing pause.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/server.h"
#include "common/log.h"

#define BUCKETS   64
#define POLL_MS   1000
#define RECHECK_S 5 /* a waiter looks at its row at least this often, notices or not */

struct bucket {
    pthread_cond_t cond;
    uint64_t gen;
};

struct api_hub {
    pthread_mutex_t lock;
    struct bucket b[BUCKETS];
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

static void wake(struct api_hub *h, size_t i)
{
    pthread_mutex_lock(&h->lock);
    h->b[i].gen++;
    pthread_cond_broadcast(&h->b[i].cond);
    pthread_mutex_unlock(&h->lock);
}

static void wake_all(struct api_hub *h)
{
    for (size_t i = 0; i < BUCKETS; i++)
        wake(h, i);
}

static void *hub_main(void *arg)
{
    struct api_hub *h = arg;
    struct db_conn *c = NULL;
    int pause_ms = 100;

    while (!atomic_load(&h->stop)) {
        char channel[64], payload[64];
        int r;

        if (!c) {
            if (db_conn_open(h->conninfo, &c) < 0 || db_exec_script(c, "LISTEN gavel_done") < 0) {
                db_conn_close(c);
                c = NULL;
                for (int waited = 0; waited < pause_ms && !atomic_load(&h->stop); waited += 100) {
                    struct timespec ts = {0, 100 * 1000000L};
                    nanosleep(&ts, NULL);
                }
                pause_ms = pause_ms < 5000 ? pause_ms * 2 : 5000;
                continue;
            }
            pause_ms = 100;
            atomic_store(&h->listening, 1);
            wake_all(h); /* whatever finished while we were away */
        }
        r = db_wait_notify(c, POLL_MS, channel, sizeof(channel), payload, sizeof(payload));
        if (r < 0) {
            log_msg(LOG_WARN, "notice connection lost: %s", db_error(c));
            atomic_store(&h->listening, 0);
            db_conn_close(c);
            c = NULL;
            continue;
        }
        if (r == 1 && (payload[0] == 's' || payload[0] == 'r') && payload[1] == ':') {
            int64_t id;
            if (api_parse_int64(payload + 2, 1, INT64_MAX, &id) == 0)
                wake(h, bucket_of(payload[0], id));
        }
    }
    db_conn_close(c);
    return NULL;
}

int api_hub_new(const char *conninfo, struct api_hub **ret)
{
    struct api_hub *h = calloc(1, sizeof(*h));
    pthread_condattr_t attr;

    if (!h)
        return -ENOMEM;
    h->conninfo = strdup(conninfo);
    if (!h->conninfo) {
        free(h);
        return -ENOMEM;
    }
    pthread_mutex_init(&h->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    for (size_t i = 0; i < BUCKETS; i++)
        pthread_cond_init(&h->b[i].cond, &attr);
    pthread_condattr_destroy(&attr);
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
    atomic_store(&h->stop, 1);
    wake_all(h);
}

void api_hub_free(struct api_hub *h)
{
    if (!h)
        return;
    atomic_store(&h->stop, 1);
    if (h->started)
        pthread_join(h->thread, NULL);
    wake_all(h);
    for (size_t i = 0; i < BUCKETS; i++)
        pthread_cond_destroy(&h->b[i].cond);
    pthread_mutex_destroy(&h->lock);
    free(h->conninfo);
    free(h);
}

uint64_t api_hub_generation(struct api_hub *h, char kind, int64_t id)
{
    uint64_t g;

    pthread_mutex_lock(&h->lock);
    g = h->b[bucket_of(kind, id)].gen;
    pthread_mutex_unlock(&h->lock);
    return g;
}

int api_hub_wait(struct api_hub *h, char kind, int64_t id, uint64_t gen,
                 const struct timespec *deadline)
{
    struct bucket *b = &h->b[bucket_of(kind, id)];
    struct timespec now, until;
    int woken = 0;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (atomic_load(&h->stop) || now.tv_sec > deadline->tv_sec ||
        (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
        return 0;
    until = now;
    until.tv_sec += RECHECK_S;
    if (until.tv_sec > deadline->tv_sec ||
        (until.tv_sec == deadline->tv_sec && until.tv_nsec > deadline->tv_nsec))
        until = *deadline;
    pthread_mutex_lock(&h->lock);
    while (b->gen == gen && !atomic_load(&h->stop)) {
        if (pthread_cond_timedwait(&b->cond, &h->lock, &until) == ETIMEDOUT)
            break;
    }
    woken = 1; /* woken, timed out for a recheck, or stopping: the caller looks at its row */
    pthread_mutex_unlock(&h->lock);
    return atomic_load(&h->stop) ? 0 : woken;
}

int api_hub_listening(struct api_hub *h)
{
    return h && atomic_load(&h->listening);
}
