/*
 * judge.h: judging one claimed submission, run or checker build, start to finish
 * (libgavel_judge).
 *
 * A worker owns one sandbox box and a private folder under the data folder:
 *
 *     DATA/workers/W/box     the program's working folder (source, binary; /box in the box),
 *                            a tmpfs of work_mb MiB
 *     DATA/workers/W/check   the custom checker's working folder (/box in its box), a tmpfs of
 *                            work_mb MiB like box: a checker cannot fill the host's disk either
 *     DATA/workers/W/check-data
 *                            the test's input, output and answer for the checker, linked to
 *                            the cache and bound read-only at /data in its box; the names in
 *                            its working folder are symbolic links to them
 *     DATA/workers/W/tests   links to the test data of the job at hand, made as it is fetched
 *                            and removed when the job ends: eviction from the cache never
 *                            takes a file from under a run
 *     DATA/workers/W/...txt  stdout/stderr of the last run, the compiler's output
 *     DATA/cache/tests       test data by hash (cache.h), least recently used evicted beyond
 *                            GAVEL_JUDGE_CACHE_MB
 *     DATA/cache/pch         precompiled headers, one folder per language and command; folders
 *                            no language row names any more are removed
 *     DATA/cache/checkers    compiled custom checkers, one folder per checker source
 *
 *     struct judge_worker w;
 *     r = judge_worker_init(&w, &shared, 0);      // creates the box: call from the thread
 *     r = judge_job(&w, conn, &job);              // that will use it, and keep it alive
 *     judge_worker_release(&w);
 *
 * judge_job loads what the job needs, compiles once, runs every test, checks, scores and
 * records the result with the fenced writes of db/queue.h. It returns 0 when a result was
 * recorded (whatever the verdict), -ESTALE when the job was lost to another judge (nothing was
 * written), -ECANCELED when the process is stopping (the caller releases the job), or another
 * negative errno for a failure of the judge itself, with a reason in w->error (the caller gives
 * the job back with db_queue_retry, which ends in IE after the third attempt).
 */
#ifndef GAVEL_JUDGE_JUDGE_H
#define GAVEL_JUDGE_JUDGE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "db/db.h"
#include "db/queue.h"
#include "sandbox/sandbox.h"

/* Bytes of compiler output kept in the record. */
#define JUDGE_COMPILE_OUTPUT_MAX 16384
/* Bytes of a run's stdout and stderr kept in the record: one more than GET /runs shows (1 MiB
 * and 64 KiB), so that it can tell an output that was cut from one that fits. */
#define JUDGE_RUN_STDOUT_MAX ((1 << 20) + 1)
#define JUDGE_RUN_STDERR_MAX ((64 << 10) + 1)

/* What all workers of a process share. The caller fills the settings; the rest is private. */
struct judge_shared {
    char data_dir[PATH_MAX];
    uint64_t output_kb;  /* cap on a test's output (raised to 2 x its answer + 1 MiB); 0 = 64 MiB */
    unsigned work_mb;    /* size of the tmpfs holding a program's folder; 0 = a plain folder */
    atomic_int stopping; /* set when the process stops: jobs end with -ECANCELED */
    /* private */
    pthread_mutex_t build_lock; /* one build of a precompiled header or checker at a time */
    int pch_failed;             /* a precompiled header failed to build: compile without */
    int archive_failed;         /* a host archive failed to build: compile and run without */
    pthread_mutex_t build_pid_lock;
    pid_t build_pid; /* a precompiled header's compiler running outside the sandbox, or 0 */
};

void judge_shared_init(struct judge_shared *s, const char *data_dir);
void judge_shared_release(struct judge_shared *s);

/* Kills a precompiled header's build in progress (call after setting stopping). */
void judge_shared_cancel_builds(struct judge_shared *s);

struct judge_worker {
    int index;
    struct judge_shared *shared;
    struct sb_box *box;
    struct sb_box *ibox; /* an interactive problem's interactor's, made on first use, or NULL */
    int lock_fd;         /* holds the work folder against other judges sharing the data folder */
    int mounted;         /* box_dir is our tmpfs */
    int check_mounted;   /* check_dir is our tmpfs */
    char judge_id[128];
    char dir[PATH_MAX];
    char box_dir[PATH_MAX];
    char check_dir[PATH_MAX];
    char check_data_dir[PATH_MAX];
    atomic_int lost; /* set by the heartbeat when the current job's lease was lost */
    char error[512]; /* why the last judge_job failed */
};

/* Sets up worker `index`: its folders and its sandbox box. Returns 0 or a negative errno with
 * w->error saying why. */
int judge_worker_init(struct judge_worker *w, struct judge_shared *shared, int index)
    __attribute__((warn_unused_result));

/* Replaces the worker's box with a new one, after a job failed with -EPIPE (the box died). */
int judge_worker_renew_box(struct judge_worker *w) __attribute__((warn_unused_result));

/*
 * Empties dir, one of the worker's folders a program or checker writes (box_dir, check_dir or
 * a folder beneath them). When what a program left cannot be removed, the folder is renewed
 * instead: a fresh tmpfs (or a fresh folder, the old one set aside and removed as far as it
 * goes) and a fresh sandbox box, so that one submission never makes later ones fail. Returns 0
 * or a negative errno with w->error saying why.
 */
int judge_worker_clear(struct judge_worker *w, const char *dir) __attribute__((warn_unused_result));

/* Frees the box. Accepts a worker whose init failed. */
void judge_worker_release(struct judge_worker *w);

/* Builds what is built once per host (the precompiled headers and host archives of the
 * enabled languages) so
 * that the first submission does not wait for it. Failures are logged, not returned: judging
 * works without, only slower. Needs only w->shared and a w->index no worker uses (no box). */
void judge_warm_up(struct judge_worker *w, struct db_conn *conn);

/* Compiles a custom checker, `source` in language_id, in the worker's box as judging would,
 * keeping it in the host's cache of compiled checkers (a checker already there compiled
 * before). *ret_ok is 1 when it compiles; else 0 with the compiler's messages in *ret_output
 * (sanitized and capped, the caller frees). A negative errno is a failure of the judge, with
 * w->error saying why. Used for checker builds (checked at upload) and by `gavel import`. */
int judge_checker_build(struct judge_worker *w, struct db_conn *conn, const char *language_id,
                        const char *source, int *ret_ok, char **ret_output)
    __attribute__((warn_unused_result));

/* Judges a claimed job and records its result; see the top of this file for the returns. */
int judge_job(struct judge_worker *w, struct db_conn *conn, const struct db_job *job)
    __attribute__((warn_unused_result));

#endif
