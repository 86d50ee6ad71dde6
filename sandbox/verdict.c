/*
 * verdict.c: what happened to a run, as the status and message of its sb_result.
 *
 * The keeper measures (the wait status, its own CPU and wall-clock stops, the cgroup's OOM
 * count and peak) and this file judges, by the order sandbox.h promises: TLE, MLE, OLE, RE, OK.
 * It keeps nothing from one run to the next: the same outcome always gets the same verdict,
 * which is what lets the rules be tested without a box. Like all the keeper's code it never
 * allocates.
 */
#include "sandbox/sandbox-internal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t sb_verdict_memory(const struct sb_memory_reading *m)
{
    uint64_t rss = m->maxrss_kb > 0 ? (uint64_t)m->maxrss_kb * 1024 : 0;

    if (!m->peak_known || (!m->peak_reset && m->peak <= m->peak_before))
        return rss; /* the only figure left, though it counts the keeper's pages too */
    uint64_t held = m->peak > m->base ? m->peak - m->base : 0;
    if (m->cache_known && m->cache_after >= m->cache_before) {
        uint64_t added = m->cache_after - m->cache_before;
        held = held > added ? held - added : 0;
    } else if (m->cache_known && m->limit && m->peak >= m->limit / 100 * 95) {
        /* Cache left by earlier runs made room for this one's memory under the limit. */
        held += m->cache_before - m->cache_after;
        if (held > m->limit)
            held = m->limit;
    }
    return held;
}

static const char *signal_name(int sig)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {{SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGFPE, "SIGFPE"},
                 {SIGKILL, "SIGKILL"}, {SIGBUS, "SIGBUS"},   {SIGILL, "SIGILL"},
                 {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGPIPE, "SIGPIPE"},
                 {SIGTERM, "SIGTERM"}, {SIGSYS, "SIGSYS"},   {SIGTRAP, "SIGTRAP"}};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].sig == sig)
            return names[i].name;
    return "signal";
}

/* True when the tail of a JVM's standard error shows an OutOfMemoryError of memory: not the
 * one a JVM throws when it "cannot create native thread", which is the process cap (--procs)
 * refusing a thread; a real lack of memory there shows in the cgroup's peak. */
static int jvm_oom(int fd)
{
    static char tail[8193];
    struct stat st;

    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return 0;
    off_t off = st.st_size > 8192 ? st.st_size - 8192 : 0;
    ssize_t n = pread(fd, tail, 8192, off);
    if (n <= 0)
        return 0;
    tail[n] = '\0';
    for (ssize_t i = 0; i < n; i++)
        if (tail[i] == '\0')
            tail[i] = ' ';
    static const char oom[] = "java.lang.OutOfMemoryError";
    for (const char *p = tail; (p = strstr(p, oom)) != NULL; p += sizeof(oom) - 1)
        if (strncmp(p + sizeof(oom) - 1, ": unable to create native thread", 32) != 0)
            return 1;
    return 0;
}

static int over_cap(int fd, uint64_t cap)
{
    struct stat st;

    return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size >= cap;
}

void sb_verdict_decide(struct sb_result *res, const struct sb_limits *lim, enum sb_profile profile,
                       const struct sb_outcome *o)
{
    int status = o->wait_status, err_fd = o->err_fd;
    int signaled = WIFSIGNALED(status);
    int sig = signaled ? WTERMSIG(status) : 0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int abnormal = signaled || code != 0;

    res->exit_code = signaled ? -1 : code;
    res->signal = sig;
    res->message[0] = '\0';
    if (o->cpu_over || (lim->time_ms && res->cpu_ms > lim->time_ms) || sig == SIGXCPU) {
        res->status = SB_TLE;
        snprintf(res->message, sizeof(res->message), "CPU time limit exceeded");
    } else if (o->wall_over) {
        res->status = SB_TLE;
        snprintf(res->message, sizeof(res->message), "wall clock limit exceeded");
    } else if (o->oom ||
               (abnormal && lim->memory_kb && o->prog_mem >= lim->memory_kb * 1024 / 100 * 95) ||
               (abnormal && profile == SB_JVM && jvm_oom(err_fd))) {
        res->status = SB_MLE;
        snprintf(res->message, sizeof(res->message), "memory limit exceeded");
    } else if (sig == SIGXFSZ || (lim->output_kb && (over_cap(o->out_fd, lim->output_kb * 1024) ||
                                                     over_cap(err_fd, lim->output_kb * 1024)))) {
        res->status = SB_OLE;
        snprintf(res->message, sizeof(res->message), "output limit exceeded");
    } else if (signaled) {
        res->status = SB_RE;
        snprintf(res->message, sizeof(res->message), "killed by signal %d (%s)", sig,
                 signal_name(sig));
    } else if (code != 0) {
        res->status = SB_RE;
        snprintf(res->message, sizeof(res->message), "exited with code %d", code);
    } else {
        res->status = SB_OK;
    }
}
