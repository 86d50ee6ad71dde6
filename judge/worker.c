/*
 * worker.c: a worker's folders and sandbox box (judge.h), and the helpers every step of a job
 * uses to name the worker's files, read what a program wrote and say why it failed
 * (judge-internal.h).
 */
#include "judge/judge-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "common/utf8.h"
#include "judge/cache.h"

void judge_fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    (void)vsnprintf(buf, size, f, ap);
    va_end(ap);
}

int judge_fail(struct judge_worker *w, int r, const char *f, ...)
{
    char what[384];
    va_list ap;

    va_start(ap, f);
    (void)vsnprintf(what, sizeof(what), f, ap);
    va_end(ap);
    judge_fmt(w->error, sizeof(w->error), "%s: %s", what, strerror(-r));
    return r;
}

int64_t judge_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void judge_worker_path(const struct judge_worker *w, const char *name, char *ret, size_t size)
{
    judge_fmt(ret, size, "%s/%s", w->dir, name);
}

int judge_read_capped(const char *path, size_t max, char **ret, size_t *ret_len)
{
    char *buf = malloc(max + 1);
    size_t got = 0;
    int fd;

    if (!buf)
        return -ENOMEM;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        while (got < max) {
            ssize_t n = read(fd, buf + got, max - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        close(fd);
    }
    *ret = buf;
    *ret_len = got;
    return 0;
}

char *judge_read_text(const char *path, size_t max)
{
    char *buf;
    size_t n;

    if (judge_read_capped(path, max, &buf, &n) < 0)
        return NULL;
    buf[n] = '\0';
    utf8_sanitize(buf, n);
    /* A cut in the middle of a UTF-8 sequence became '?'s; that is fine for a log. */
    return buf;
}

/* --- the worker --- */

void judge_shared_init(struct judge_shared *s, const char *data_dir)
{
    memset(s, 0, sizeof(*s));
    judge_fmt(s->data_dir, sizeof(s->data_dir), "%s", data_dir);
    pthread_mutex_init(&s->build_lock, NULL);
    pthread_mutex_init(&s->build_pid_lock, NULL);
}

void judge_shared_release(struct judge_shared *s)
{
    pthread_mutex_destroy(&s->build_lock);
    pthread_mutex_destroy(&s->build_pid_lock);
}

int judge_worker_init(struct judge_worker *w, struct judge_shared *shared, int index)
{
    char path[PATH_MAX + 16], msg[256] = "";
    int r, fd = -1;

    memset(w, 0, sizeof(*w));
    w->index = index;
    w->shared = shared;
    w->box = NULL;
    w->lock_fd = -1;
    w->error[0] = '\0';
    judge_fmt(path, sizeof(path), "%s/workers", shared->data_dir);
    r = judge_mkdirs(path);
    if (r < 0)
        return judge_fail(w, r, "cannot create %s", path);
    /* Judges sharing a data folder each take free worker folders by lock. */
    for (int k = 0; k < 4096; k++) {
        judge_fmt(path, sizeof(path), "%s/workers/%d.lock", shared->data_dir, k);
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return judge_fail(w, -errno, "cannot open %s", path);
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            w->lock_fd = fd;
            judge_fmt(w->dir, sizeof(w->dir), "%s/workers/%d", shared->data_dir, k);
            break;
        }
        close(fd);
    }
    if (w->lock_fd < 0)
        return judge_fail(w, -EBUSY, "no free work folder");
    judge_fmt(w->box_dir, sizeof(w->box_dir), "%s/box", w->dir);
    judge_fmt(w->check_dir, sizeof(w->check_dir), "%s/check", w->dir);
    judge_fmt(w->check_data_dir, sizeof(w->check_data_dir), "%s/check-data", w->dir);
    /* A judge killed before may have left its folders mounted. */
    while (umount2(w->box_dir, MNT_DETACH) == 0)
        ;
    while (umount2(w->check_dir, MNT_DETACH) == 0)
        ;
    r = judge_mkdirs(w->dir);
    if (r >= 0)
        r = fs_clear_dir(w->dir);
    if (r >= 0)
        r = judge_mkdirs(w->box_dir);
    if (r >= 0)
        r = judge_mkdirs(w->check_dir);
    if (r >= 0)
        r = judge_mkdirs(w->check_data_dir);
    if (r < 0)
        return judge_fail(w, r, "cannot prepare %s", w->dir);
    /* The sandbox bounds each file a program writes, not their number: the program's folder
     * and the custom checker's are each a tmpfs of bounded size, so that neither a program nor
     * a checker can fill the host's disk. */
    if (shared->work_mb > 0) {
        char opts[64];
        judge_fmt(opts, sizeof(opts), "size=%um,mode=0755", shared->work_mb);
        if (mount("gavel-work", w->box_dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
            return judge_fail(w, -errno, "cannot mount a tmpfs on %s", w->box_dir);
        w->mounted = 1;
        if (mount("gavel-check", w->check_dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
            return judge_fail(w, -errno, "cannot mount a tmpfs on %s", w->check_dir);
        w->check_mounted = 1;
    }
    r = sb_box_new_msg(&(struct sb_box_options){.slot = -1}, &w->box, msg, sizeof(msg));
    if (r < 0)
        return judge_fail(w, r, "cannot create a sandbox box (%s)", msg);
    return 0;
}

int judge_worker_renew_box(struct judge_worker *w)
{
    char msg[256] = "";
    int r;

    sb_box_free(w->box);
    w->box = NULL;
    sb_box_free(w->ibox); /* made again when next needed */
    w->ibox = NULL;
    r = sb_box_new_msg(&(struct sb_box_options){.slot = -1}, &w->box, msg, sizeof(msg));
    if (r < 0)
        return judge_fail(w, r, "cannot create a sandbox box (%s)", msg);
    return 0;
}

/* Puts a fresh folder at dir: a new tmpfs over a detached old one, or, on a plain folder, the
 * old one renamed aside (and removed as far as it goes) and a new one made. */
static int renew_dir(struct judge_worker *w, const char *dir, int mounted)
{
    char opts[64], aside[PATH_MAX + 32];
    int r;

    if (mounted) {
        if (umount2(dir, MNT_DETACH) < 0)
            return -errno;
        judge_fmt(opts, sizeof(opts), "size=%um,mode=0755", w->shared->work_mb);
        if (mount(dir == w->box_dir ? "gavel-work" : "gavel-check", dir, "tmpfs",
                  MS_NOSUID | MS_NODEV, opts) < 0) {
            r = -errno;
            if (dir == w->box_dir)
                w->mounted = 0;
            else
                w->check_mounted = 0;
            return r;
        }
        return 0;
    }
    for (int k = 0;; k++) {
        judge_fmt(aside, sizeof(aside), "%s.stale-%d", dir, k);
        if (rename(dir, aside) == 0)
            break;
        if (errno != EEXIST && errno != ENOTEMPTY)
            return -errno;
        if (k > 100)
            return -EEXIST;
    }
    r = fs_remove_tree(aside);
    if (r < 0)
        log_msg(LOG_WARN, "cannot remove %s: %s", aside, strerror(-r));
    return judge_mkdirs(dir);
}

int judge_worker_clear(struct judge_worker *w, const char *dir)
{
    int r = fs_clear_dir(dir);

    if (r >= 0)
        return 0;
    log_msg(LOG_WARN, "worker %d: cannot empty %s (%s): renewing the folder and the box", w->index,
            dir, strerror(-r));
    /* The whole mounted folder goes when anything beneath it is stuck. */
    const char *top = dir;
    int mounted = 0;
    if (strncmp(dir, w->box_dir, strlen(w->box_dir)) == 0) {
        top = w->box_dir;
        mounted = w->mounted;
    } else if (strncmp(dir, w->check_dir, strlen(w->check_dir)) == 0) {
        top = w->check_dir;
        mounted = w->check_mounted;
    }
    r = renew_dir(w, top, mounted);
    if (r < 0)
        return judge_fail(w, r, "cannot renew %s", top);
    if (top != dir) {
        r = judge_mkdirs(dir);
        if (r < 0)
            return judge_fail(w, r, "cannot create %s", dir);
    }
    r = judge_worker_renew_box(w);
    if (r < 0)
        return r;
    r = fs_clear_dir(dir);
    if (r < 0)
        return judge_fail(w, r, "cannot empty %s even after renewing it", dir);
    return 0;
}

void judge_worker_release(struct judge_worker *w)
{
    sb_box_free(w->box);
    w->box = NULL;
    sb_box_free(w->ibox);
    w->ibox = NULL;
    if (w->mounted && umount2(w->box_dir, MNT_DETACH) < 0)
        log_msg(LOG_WARN, "cannot unmount %s: %s", w->box_dir, strerror(errno));
    w->mounted = 0;
    if (w->check_mounted && umount2(w->check_dir, MNT_DETACH) < 0)
        log_msg(LOG_WARN, "cannot unmount %s: %s", w->check_dir, strerror(errno));
    w->check_mounted = 0;
    if (w->lock_fd >= 0)
        close(w->lock_fd);
    w->lock_fd = -1;
}
