/*
 * pwhash.c: the password-hashing line (pwhash.h).
 *
 * Race: a job is put in line and its connection suspended in one critical section, and a
 * thread resumes it under the same lock after marking it done, so a connection is never
 * resumed before it was suspended. After resuming, the thread touches the job no more: the
 * request may run, answer and be freed at once.
 */
#include "api/pwhash.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/server.h"
#include "common/log.h"
#include "db/accounts.h"

#define OP_VERIFY 1
#define OP_HASH   2
#define OP_CHANGE 3

struct api_pwhash {
    pthread_mutex_t lock;
    pthread_cond_t work;
    struct api_pwjob *head, *tail;
    int queued;  /* jobs in line */
    int running; /* jobs being hashed */
    int stopping;
    int threads;
    int64_t wait_ms;
    double cost_ms; /* moving average of one hash */
    pthread_t *tids;
    int started;
};

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void *hash_thread(void *arg)
{
    struct api_pwhash *p = arg;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        struct api_pwjob *job;
        double t0;
        int result;

        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        if (!p->head)
            break;
        job = p->head;
        p->head = job->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        p->running++;
        pthread_mutex_unlock(&p->lock);

        t0 = now_ms();
        if (job->op == OP_VERIFY)
            result = db_password_check(job->hash, job->password);
        else if (job->op == OP_HASH)
            result = db_password_hash(job->password, job->hash, sizeof(job->hash));
        else if (!db_password_check(job->hash, job->current))
            result = 0;
        else if ((result = db_password_hash(job->password, job->hash, sizeof(job->hash))) == 0)
            result = 1;
        sodium_memzero(job->password, sizeof(job->password));
        sodium_memzero(job->current, sizeof(job->current));
        if (job->op == OP_CHANGE && result != 1)
            sodium_memzero(job->hash, sizeof(job->hash));

        pthread_mutex_lock(&p->lock);
        p->cost_ms = p->cost_ms * 0.9 + (now_ms() - t0) * 0.1;
        p->running--;
        job->result = result;
        job->state = 2;
        MHD_resume_connection(job->conn);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int api_pwhash_new(int threads, int64_t wait_ms, double cost_ms, struct api_pwhash **ret)
{
    struct api_pwhash *p = calloc(1, sizeof(*p));

    if (!p)
        return -ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    p->threads = threads;
    p->wait_ms = wait_ms;
    p->cost_ms = cost_ms > 1 ? cost_ms : 100;
    p->tids = calloc((size_t)threads, sizeof(*p->tids));
    if (!p->tids) {
        api_pwhash_free(p);
        return -ENOMEM;
    }
    for (; p->started < threads; p->started++) {
        if (pthread_create(&p->tids[p->started], NULL, hash_thread, p) != 0) {
            api_pwhash_free(p);
            return -EAGAIN;
        }
    }
    *ret = p;
    return 0;
}

void api_pwhash_shutdown(struct api_pwhash *p)
{
    struct api_pwjob *job;

    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    while ((job = p->head)) {
        p->head = job->next;
        p->queued--;
        sodium_memzero(job->password, sizeof(job->password));
        sodium_memzero(job->current, sizeof(job->current));
        job->result = -ECANCELED;
        job->state = 2;
        MHD_resume_connection(job->conn);
    }
    p->tail = NULL;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
}

void api_pwhash_free(struct api_pwhash *p)
{
    if (!p)
        return;
    api_pwhash_shutdown(p);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->tids[i], NULL);
    free(p->tids);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Puts the request's job in line and suspends its connection, or answers 503 when its wait
 * would pass the bound. */
static int enqueue(struct api_req *req, int op, const char *password, const char *hash,
                   const char *current)
{
    struct api_pwhash *p = req->srv->pwhash;
    struct api_pwjob *job = &req->pwjob;
    size_t n = strlen(password);
    double wait_ms;
    int ahead;

    if (n >= sizeof(job->password) || (hash && strlen(hash) >= sizeof(job->hash)) ||
        (current && strlen(current) >= sizeof(job->current)))
        return api_fail(req, -EINVAL, "password", "is too long");
    pthread_mutex_lock(&p->lock);
    /* Every job ahead and being hashed, shared by the threads, then this one. */
    ahead = p->queued + p->running;
    wait_ms = ((double)(ahead / p->threads) + 1.0) * p->cost_ms;
    if (p->stopping || wait_ms > (double)p->wait_ms) {
        int retry = (int)(wait_ms / 1000.0) + 1;
        pthread_mutex_unlock(&p->lock);
        api_retry_after(req, retry);
        return api_fail(req, -EAGAIN, NULL,
                        "%d sign-ins are waiting for a password check: retry in %d s", ahead,
                        retry);
    }
    memset(job, 0, sizeof(*job));
    job->op = op;
    job->state = 1;
    job->conn = req->conn;
    memcpy(job->password, password, n);
    if (hash)
        memcpy(job->hash, hash, strlen(hash));
    if (current)
        memcpy(job->current, current, strlen(current));
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    p->queued++;
    MHD_suspend_connection(req->conn);
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return -EINPROGRESS;
}

/* The result of a finished job, for the handler run after it was resumed. */
static int finished(struct api_req *req)
{
    if (req->pwjob.result == -ECANCELED) {
        api_retry_after(req, 1);
        return api_fail(req, -EAGAIN, NULL, "the server is stopping: retry in a moment");
    }
    return 0;
}

int api_password_verify(struct api_req *req, const char *hash, const char *password, int *ret_ok)
{
    int r;

    *ret_ok = 0;
    if (req->pwjob.state == 2) {
        if ((r = finished(req)) < 0)
            return r;
        *ret_ok = req->pwjob.result == 1;
        return 0;
    }
    return enqueue(req, OP_VERIFY, password, hash, NULL);
}

int api_password_hash(struct api_req *req, const char *password, char *ret_hash, size_t size)
{
    int r;

    if (req->pwjob.state == 2) {
        if ((r = finished(req)) < 0)
            return r;
        if (req->pwjob.result < 0)
            return req->pwjob.result;
        if (size <= strlen(req->pwjob.hash))
            return -EINVAL;
        memcpy(ret_hash, req->pwjob.hash, strlen(req->pwjob.hash) + 1);
        sodium_memzero(req->pwjob.hash, sizeof(req->pwjob.hash));
        return 0;
    }
    /* Refused here as db_password_hash would, without taking a place in line. */
    if (strlen(password) < DB_PASSWORD_MIN || strlen(password) > DB_PASSWORD_MAX)
        return -EINVAL;
    return enqueue(req, OP_HASH, password, NULL, NULL);
}

int api_password_change(struct api_req *req, const char *hash, const char *current,
                        const char *new_password, char *ret_hash, size_t size, int *ret_ok)
{
    int r;

    *ret_ok = 0;
    if (req->pwjob.state == 2) {
        if ((r = finished(req)) < 0)
            return r;
        if (req->pwjob.result < 0)
            return req->pwjob.result;
        if (req->pwjob.result == 1) {
            if (size <= strlen(req->pwjob.hash))
                return -EINVAL;
            memcpy(ret_hash, req->pwjob.hash, strlen(req->pwjob.hash) + 1);
            sodium_memzero(req->pwjob.hash, sizeof(req->pwjob.hash));
            *ret_ok = 1;
        }
        return 0;
    }
    if (strlen(new_password) < DB_PASSWORD_MIN || strlen(new_password) > DB_PASSWORD_MAX)
        return -EINVAL;
    return enqueue(req, OP_CHANGE, new_password, hash, current);
}
