/*
 * ratelimit.c: a token bucket per user for submissions and runs.
 *
 * An open-addressing table of users guarded by one mutex; each bucket refills at per_s up to
 * burst. When the table fills up, buckets that have refilled completely are dropped (they hold
 * no information), so its size stays bounded by the users active in the last burst/per_s
 * seconds; if none can be dropped the request is let through rather than refused.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "api/server.h"

#define SLOTS 16384

struct slot {
    int64_t user; /* 0: empty */
    double tokens;
    double at; /* when tokens was computed, seconds */
};

struct api_ratelimit {
    pthread_mutex_t lock;
    double burst, per_s;
    size_t used;
    struct slot slots[SLOTS];
};

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int api_ratelimit_new(double burst, double per_s, struct api_ratelimit **ret)
{
    struct api_ratelimit *rl = calloc(1, sizeof(*rl));

    if (!rl)
        return -ENOMEM;
    pthread_mutex_init(&rl->lock, NULL);
    rl->burst = burst < 1 ? 1 : burst;
    rl->per_s = per_s > 0 ? per_s : 1e-9;
    *ret = rl;
    return 0;
}

void api_ratelimit_free(struct api_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static double level(const struct api_ratelimit *rl, const struct slot *s, double t)
{
    return fmin(rl->burst, s->tokens + (t - s->at) * rl->per_s);
}

/* Drops every bucket that is full again, rebuilding the table (probe chains stay intact). */
static void sweep(struct api_ratelimit *rl, double t)
{
    struct slot *keep = malloc(sizeof(struct slot) * SLOTS);
    size_t n = 0;

    if (!keep)
        return;

    for (size_t i = 0; i < SLOTS; i++) {
        if (rl->slots[i].user && level(rl, &rl->slots[i], t) < rl->burst)
            keep[n++] = rl->slots[i];
        rl->slots[i].user = 0;
    }
    rl->used = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = (size_t)((uint64_t)keep[k].user * 0x9e3779b97f4a7c15ull >> 50) % SLOTS;
        while (rl->slots[i].user)
            i = (i + 1) % SLOTS;
        rl->slots[i] = keep[k];
        rl->used++;
    }
    free(keep);
}

int api_ratelimit_take(struct api_ratelimit *rl, int64_t user)
{
    double t = now_s(), have;
    size_t i = (size_t)((uint64_t)user * 0x9e3779b97f4a7c15ull >> 50) % SLOTS;
    int wait = 0;

    pthread_mutex_lock(&rl->lock);
    while (rl->slots[i].user && rl->slots[i].user != user)
        i = (i + 1) % SLOTS;
    if (!rl->slots[i].user) {
        if (rl->used >= SLOTS * 3 / 4) {
            sweep(rl, t);
            if (rl->used >= SLOTS * 3 / 4) {
                pthread_mutex_unlock(&rl->lock);
                return 0;
            }
            i = (size_t)((uint64_t)user * 0x9e3779b97f4a7c15ull >> 50) % SLOTS;
            while (rl->slots[i].user)
                i = (i + 1) % SLOTS;
        }
        rl->slots[i] = (struct slot){user, rl->burst, t};
        rl->used++;
    }
    have = level(rl, &rl->slots[i], t);
    if (have >= 1) {
        rl->slots[i].tokens = have - 1;
        rl->slots[i].at = t;
    } else {
        wait = (int)ceil((1 - have) / rl->per_s);
        if (wait < 1)
            wait = 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}
