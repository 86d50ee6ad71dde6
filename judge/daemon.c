/*
 * daemon.c: the service loop of gavel-judge (daemon.h).
 *
 * Theory of operation
 * -------------------
 * The calling thread becomes the supervisor; it starts one thread per worker. Each worker
 * creates its own sandbox box (the box's keeper lives as long as the thread that made it),
 * then loops: take a database connection, claim the next job, judge and record it, and when
 * there is nothing to claim, sleep until woken or until the slow poll comes round.
 *
 * The supervisor owns a separate connection that LISTENs on gavel_queue. It waits in poll(2)
 * on that connection's socket and on a signalfd for SIGTERM and SIGINT, and:
 *   - on a NOTIFY, wakes the sleeping workers (all of them: SKIP LOCKED sorts out who wins);
 *   - every third of a lease, extends the lease of every job being judged (the heartbeat); a
 *     lease found lost tells that worker to give up its job at the next test;
 *   - every half lease, puts jobs whose lease ran out (a judge died somewhere) back in the
 *     queue, or finishes them as IE after their third attempt;
 *   - on a signal, sets the stop flag: workers finish the test they are running, release
 *     their job back to the queue untouched, and exit; the supervisor joins them and returns.
 * If the LISTEN connection breaks, the supervisor reconnects with a growing delay; the workers
 * meanwhile find new work through the slow poll.
 *
 * A housekeeping thread keeps the host-wide things: it builds the precompiled headers and host
 * archives at start, and prunes the caches (test data over its cap, precompiled headers and
 * archives no language uses any more) at start and then every prune_s, off the path of any
 * test and of the heartbeat.
 */
#include "judge/daemon.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "db/queue.h"
#include "judge/cache.h"
#include "judge/judge.h"
#include "judge/toolchain.h"

struct worker_slot {
    struct judge_worker w;
    pthread_t thread;
    int started;
    int init_result; /* 1 while starting, then 0 or a negative errno */
    int active;      /* a job is being judged: job is valid */
    struct db_job job;
};

struct daemon {
    const struct judge_daemon_config *cfg;
    struct judge_shared shared;
    struct db_pool *pool;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* workers sleep on it; also signals the end of a worker's start */
    unsigned long wake_gen;
    struct worker_slot *slots;
    pthread_t housekeeping;
    int housekeeping_started;
    char host[64];
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake_workers(struct daemon *d)
{
    pthread_mutex_lock(&d->lock);
    d->wake_gen++;
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->lock);
}

static const char *kind_name(const struct db_job *job)
{
    return job->kind == DB_JOB_RUN       ? "run"
           : job->kind == DB_JOB_CHECKER ? "checker build"
                                         : "submission";
}

/* After judge_job: the job is recorded, lost, to be released, or to be retried. */
static void finish_job(struct daemon *d, struct worker_slot *s, struct db_conn *conn, int r)
{
    const struct db_job *job = &s->job;
    int rr;

    if (r == 0)
        return;
    if (r == -ESTALE) {
        log_msg(LOG_WARN, "%s %lld: lease lost, another judge has it now", kind_name(job),
                (long long)job->id);
        return;
    }
    if (r == -ECANCELED) {
        rr = db_queue_release(conn, job);
        log_msg(LOG_INFO, "%s %lld: released (stopping)%s", kind_name(job), (long long)job->id,
                rr < 0 ? ", but the release failed: its lease will expire" : "");
        return;
    }
    log_msg(LOG_ERROR, "%s %lld: attempt %d failed: %s", kind_name(job), (long long)job->id,
            job->attempts, s->w.error);
    rr = db_queue_retry(conn, job, s->w.error);
    if (rr < 0 && rr != -ESTALE)
        log_msg(LOG_ERROR, "%s %lld: cannot give it back (%s); its lease will expire",
                kind_name(job), (long long)job->id, db_error(conn));
}

struct worker_arg {
    struct daemon *d;
    struct worker_slot *s;
};

static void *worker_thread(void *arg)
{
    struct daemon *d = ((struct worker_arg *)arg)->d;
    struct worker_slot *s = ((struct worker_arg *)arg)->s;
    int index = (int)(s - d->slots);
    struct db_conn *conn = NULL;
    int r;

    free(arg);
    r = judge_worker_init(&s->w, &d->shared, index);
    snprintf(s->w.judge_id, sizeof(s->w.judge_id), "%s:%d/%d", d->host, (int)getpid(), index);
    pthread_mutex_lock(&d->lock);
    s->init_result = r;
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->lock);
    if (r < 0)
        goto out;

    while (!atomic_load(&d->shared.stopping)) {
        struct db_job job;
        unsigned long gen;

        pthread_mutex_lock(&d->lock);
        gen = d->wake_gen;
        pthread_mutex_unlock(&d->lock);

        r = db_acquire(d->pool, &conn);
        if (r >= 0) {
            r = db_queue_claim(conn, s->w.judge_id, d->cfg->lease_s, &job);
            if (r < 0)
                log_msg(LOG_WARN, "worker %d: claim failed: %s", index, db_error(conn));
        } else {
            log_msg(LOG_WARN, "worker %d: no database connection", index);
        }
        if (r == 1) {
            log_msg(LOG_INFO, "%s %lld: claimed by %s (attempt %d)", kind_name(&job),
                    (long long)job.id, s->w.judge_id, job.attempts);
            pthread_mutex_lock(&d->lock);
            s->job = job;
            s->active = 1;
            pthread_mutex_unlock(&d->lock);
            r = judge_job(&s->w, conn, &job);
            finish_job(d, s, conn, r);
            if (r == -EPIPE) {
                /* The box died under the job: the next one gets a fresh box. */
                log_msg(LOG_WARN, "worker %d: sandbox box died, making a new one", index);
                if (judge_worker_renew_box(&s->w) < 0) {
                    log_msg(LOG_ERROR, "worker %d: %s; stopping this worker", index, s->w.error);
                    pthread_mutex_lock(&d->lock);
                    s->active = 0;
                    pthread_mutex_unlock(&d->lock);
                    db_release(d->pool, conn);
                    conn = NULL;
                    break;
                }
            }
            pthread_mutex_lock(&d->lock);
            s->active = 0;
            pthread_mutex_unlock(&d->lock);
            db_release(d->pool, conn);
            conn = NULL;
            continue; /* there may be more: claim again at once */
        }
        if (conn) {
            db_release(d->pool, conn);
            conn = NULL;
        }
        /* Nothing claimed (or the database is away): sleep until woken or the slow poll. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ms = r < 0 ? 1000 : d->cfg->poll_ms;
        until.tv_sec += ms / 1000;
        until.tv_nsec += (ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&d->lock);
        while (gen == d->wake_gen && !atomic_load(&d->shared.stopping))
            if (pthread_cond_timedwait(&d->wake, &d->lock, &until) == ETIMEDOUT)
                break;
        pthread_mutex_unlock(&d->lock);
    }
out:
    judge_worker_release(&s->w);
    return NULL;
}

static void prune_tests(struct daemon *d)
{
    struct judge_cache_usage u;
    char root[PATH_MAX + 16];
    int r;

    snprintf(root, sizeof(root), "%s/cache/tests", d->shared.data_dir);
    r = judge_cache_prune(root, d->cfg->cache_mb * 1024 * 1024, &u);
    if (r == -EBUSY) /* another judge sharing the folder is at it */
        return;
    if (r < 0)
        log_msg(LOG_WARN, "cannot prune the test-data cache: %s", strerror(-r));
    if (u.evicted || u.stale)
        log_msg(LOG_INFO,
                "test-data cache: evicted %llu file(s) (%llu MiB) and %llu stale temporary"
                " file(s); %llu MiB in %llu file(s) left, cap %llu MiB",
                (unsigned long long)u.evicted, (unsigned long long)(u.evicted_bytes >> 20),
                (unsigned long long)u.stale, (unsigned long long)(u.bytes >> 20),
                (unsigned long long)u.files, (unsigned long long)d->cfg->cache_mb);
}

static void prune_builds(struct daemon *d)
{
    struct db_conn *conn = NULL;
    char root[PATH_MAX + 16];
    int r;

    snprintf(root, sizeof(root), "%s/cache/pch", d->shared.data_dir);
    if (db_acquire(d->pool, &conn) < 0)
        return; /* next time */
    r = judge_pch_prune(conn, root);
    if (r < 0)
        log_msg(LOG_WARN, "cannot prune the precompiled headers: %s", strerror(-r));
    else if (r > 0)
        log_msg(LOG_INFO, "removed %d precompiled header folder(s) no language uses", r);
    snprintf(root, sizeof(root), "%s/cache/archive", d->shared.data_dir);
    r = judge_archive_prune(conn, root);
    if (r < 0)
        log_msg(LOG_WARN, "cannot prune the host archives: %s", strerror(-r));
    else if (r > 0)
        log_msg(LOG_INFO, "removed %d host archive folder(s) no language uses", r);
    db_release(d->pool, conn);
}

/* Builds the host-wide artefacts (precompiled headers, host archives) beside the workers, so that
 * neither the first C++ submission nor an idle start waits for them, then prunes the caches now and
 * then until the process stops. */
static void *housekeeping_thread(void *arg)
{
    struct daemon *d = arg;
    struct judge_worker w = {.shared = &d->shared, .index = d->cfg->workers, .lock_fd = -1};
    struct db_conn *conn = NULL;

    prune_tests(d); /* first: needs no database and may free space the workers need */
    if (db_acquire(d->pool, &conn) >= 0) {
        /* Versions first: a host archive is keyed by its toolchain's. */
        if (judge_toolchains_versions(conn) < 0)
            log_msg(LOG_WARN, "language versions not stored: %s", db_error(conn));
        judge_warm_up(&w, conn);
        db_release(d->pool, conn);
    }
    while (!atomic_load(&d->shared.stopping)) {
        struct timespec until;

        prune_builds(d); /* after the warm-up: a folder being built is never in the way */
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += d->cfg->prune_s;
        pthread_mutex_lock(&d->lock);
        while (!atomic_load(&d->shared.stopping))
            if (pthread_cond_timedwait(&d->wake, &d->lock, &until) == ETIMEDOUT)
                break;
        pthread_mutex_unlock(&d->lock);
        if (!atomic_load(&d->shared.stopping))
            prune_tests(d);
    }
    return NULL;
}

/* Extends the leases of the jobs being judged; marks the ones lost. */
static void heartbeat(struct daemon *d, struct db_conn *conn)
{
    for (int i = 0; i < d->cfg->workers; i++) {
        struct worker_slot *s = &d->slots[i];
        struct db_job job;
        int active, r;

        pthread_mutex_lock(&d->lock);
        active = s->active;
        job = s->job;
        pthread_mutex_unlock(&d->lock);
        if (!active)
            continue;
        r = db_queue_heartbeat(conn, &job, d->cfg->lease_s);
        if (r == -ESTALE) {
            pthread_mutex_lock(&d->lock);
            if (s->active && s->job.id == job.id && s->job.kind == job.kind)
                atomic_store(&s->w.lost, 1);
            pthread_mutex_unlock(&d->lock);
        } else if (r < 0) {
            log_msg(LOG_WARN, "heartbeat of %s %lld failed: %s", kind_name(&job), (long long)job.id,
                    db_error(conn));
        }
    }
}

static int listen_on(struct db_conn *conn)
{
    return db_exec_script(conn, "LISTEN gavel_queue");
}

/* The supervisor's loop, until a signal. */
static void supervise(struct daemon *d, int sigfd)
{
    struct db_conn *conn = NULL;
    int64_t next_beat = 0, next_expire = 0, next_poll = 0, next_connect = 0, backoff = 500;
    int64_t beat_ms = (int64_t)d->cfg->lease_s * 1000 / 3, expire_ms = beat_ms * 3 / 2;
    char channel[64], payload[64];

    for (;;) {
        int64_t now = now_ms();
        struct pollfd pfd[2] = {{.fd = sigfd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
        int r;

        if (!conn && now >= next_connect) {
            r = db_conn_open(d->cfg->database_url, &conn);
            if (r >= 0 && listen_on(conn) < 0) {
                db_conn_close(conn);
                conn = NULL;
                r = -ENOTCONN;
            }
            if (r < 0) {
                log_msg(LOG_WARN, "cannot listen for work (database unavailable), retrying");
                next_connect = now + backoff;
                backoff = backoff * 2 > 30000 ? 30000 : backoff * 2;
            } else {
                backoff = 500;
                wake_workers(d); /* work may have arrived while we were not listening */
            }
        }
        if (conn && now >= next_beat) {
            heartbeat(d, conn);
            next_beat = now + beat_ms;
        }
        if (conn && now >= next_expire) {
            r = db_queue_expire(conn);
            if (r > 0) {
                log_msg(LOG_WARN, "%d job(s) whose judge stopped answering were requeued", r);
                wake_workers(d);
            }
            next_expire = now + expire_ms;
        }
        if (now >= next_poll) {
            wake_workers(d);
            next_poll = now + d->cfg->poll_ms;
        }

        if (conn)
            pfd[1].fd = PQsocket(db_pg(conn));
        r = poll(pfd, 2, 250);
        if (r < 0 && errno != EINTR)
            break;
        if (pfd[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                log_msg(LOG_INFO, "signal %u: stopping", si.ssi_signo);
                break;
            }
        }
        if (conn && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            int woke = 0;
            while ((r = db_wait_notify(conn, 0, channel, sizeof(channel), payload,
                                       sizeof(payload))) == 1)
                woke = 1;
            if (woke)
                wake_workers(d);
            if (r < 0) {
                log_msg(LOG_WARN, "lost the database connection that listens for work");
                db_conn_close(conn);
                conn = NULL;
            }
        }
    }
    db_conn_close(conn);
}

/* Starts the workers and waits until each has its box. */
static int start_workers(struct daemon *d)
{
    int r = 0;

    for (int i = 0; i < d->cfg->workers; i++) {
        struct worker_arg *a = malloc(sizeof(*a));
        if (!a)
            return -ENOMEM;
        *a = (struct worker_arg){.d = d, .s = &d->slots[i]};
        d->slots[i].init_result = 1;
        r = -pthread_create(&d->slots[i].thread, NULL, worker_thread, a);
        if (r < 0) {
            d->slots[i].init_result = r;
            free(a);
            return r;
        }
        d->slots[i].started = 1;
    }
    pthread_mutex_lock(&d->lock);
    for (int i = 0; i < d->cfg->workers; i++)
        while (d->slots[i].init_result == 1)
            pthread_cond_wait(&d->wake, &d->lock);
    pthread_mutex_unlock(&d->lock);
    for (int i = 0; i < d->cfg->workers; i++)
        if (d->slots[i].init_result < 0) {
            log_msg(LOG_ERROR, "worker %d cannot start: %s", i, d->slots[i].w.error);
            r = d->slots[i].init_result;
        }
    return r;
}

/* Tells the workers to stop and waits for them: each finishes or releases its job. */
static void stop_workers(struct daemon *d)
{
    atomic_store(&d->shared.stopping, 1);
    judge_shared_cancel_builds(&d->shared);
    wake_workers(d);
    for (int i = 0; i < d->cfg->workers; i++)
        if (d->slots[i].started)
            pthread_join(d->slots[i].thread, NULL);
}

int judge_daemon_run(const struct judge_daemon_config *cfg_in)
{
    struct judge_daemon_config cfg = *cfg_in;
    struct daemon d = {.cfg = &cfg};
    char data_dir[PATH_MAX];
    sigset_t mask;
    int sigfd = -1, r;

    if (cfg.workers < 1)
        cfg.workers = 1;
    if (cfg.lease_s <= 0)
        cfg.lease_s = 30;
    if (cfg.poll_ms <= 0)
        cfg.poll_ms = 5000;
    if (cfg.cache_mb == 0)
        cfg.cache_mb = 4096;
    if (cfg.prune_s <= 0)
        cfg.prune_s = 300;

    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    pthread_sigmask(SIG_BLOCK, &mask, NULL); /* every thread started below inherits this */
    sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sigfd < 0) {
        r = -errno;
        log_msg(LOG_ERROR, "signalfd: %s", strerror(-r));
        return r;
    }
    /* Paths of the cache and work folders are built under it in PATH_MAX buffers. */
    if (strlen(cfg.data_dir) > PATH_MAX / 2) {
        log_msg(LOG_ERROR, "data folder path too long");
        close(sigfd);
        return -ENAMETOOLONG;
    }
    r = judge_mkdirs(cfg.data_dir);
    if (r < 0 || !realpath(cfg.data_dir, data_dir) || strlen(data_dir) > PATH_MAX / 2) {
        r = r < 0 ? r : -errno;
        log_msg(LOG_ERROR, "data folder %s: %s", cfg.data_dir, strerror(-r));
        close(sigfd);
        return r;
    }
    /* A mount namespace of our own: the workers' tmpfs folders are invisible to the host and
     * vanish with the process, however it ends. Without it they are mounted on the host and
     * cleaned up by the next judge that takes the folder. */
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        log_msg(LOG_WARN, "no private mount namespace (%s): work folders are mounted on the host",
                strerror(errno));
    if (gethostname(d.host, sizeof(d.host)) < 0)
        snprintf(d.host, sizeof(d.host), "localhost");
    d.host[sizeof(d.host) - 1] = '\0';
    judge_shared_init(&d.shared, data_dir);
    d.shared.output_kb = cfg.output_kb;
    d.shared.work_mb = cfg.work_mb ? cfg.work_mb : 512;
    pthread_mutex_init(&d.lock, NULL);
    pthread_cond_init(&d.wake, NULL);

    r = db_pool_new(cfg.database_url, cfg.workers + 1, &d.pool);
    if (r < 0) {
        log_msg(LOG_ERROR, "cannot connect to the database");
        goto out;
    }
    d.slots = calloc((size_t)cfg.workers, sizeof(*d.slots));
    if (!d.slots) {
        r = -ENOMEM;
        goto out;
    }
    /* Before any job is claimed: the API offers only the languages a judge can run. */
    {
        struct db_conn *conn = NULL;
        r = db_acquire(d.pool, &conn);
        if (r >= 0) {
            r = judge_toolchains_detect(conn);
            if (r < 0)
                log_msg(LOG_ERROR, "cannot record this host's languages: %s", db_error(conn));
            db_release(d.pool, conn);
        }
        if (r < 0)
            goto out;
    }
    r = start_workers(&d);
    if (r >= 0)
        d.housekeeping_started =
            pthread_create(&d.housekeeping, NULL, housekeeping_thread, &d) == 0;
    if (r >= 0) {
        log_msg(LOG_INFO, "judging with %d worker(s), data in %s, lease %d s", cfg.workers,
                data_dir, cfg.lease_s);
        supervise(&d, sigfd);
    }
    stop_workers(&d);
    if (d.housekeeping_started)
        pthread_join(d.housekeeping, NULL);
    if (r >= 0) {
        log_msg(LOG_INFO, "stopped");
        r = 0;
    }
out:
    free(d.slots);
    db_pool_free(d.pool);
    pthread_cond_destroy(&d.wake);
    pthread_mutex_destroy(&d.lock);
    judge_shared_release(&d.shared);
    close(sigfd);
    return r;
}
