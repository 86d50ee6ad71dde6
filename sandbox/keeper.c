/*
 * keeper.c: the process that lives inside a box and starts every program run in it.
 *
 * Theory of operation
 * -------------------
 * sb_box_new clones the keeper into fresh PID, mount, IPC, UTS and network namespaces (the
 * network one made once per slot and joined), and the keeper moves itself into the box's
 * cgroups: the costly kernel objects are made once per box, not once per run. The keeper is PID 1
 * of its namespace. It builds the box's root (a small tmpfs with read-only binds of /usr and the
 * few /etc entries runtimes read, a fresh /proc, a /dev of four devices, a bounded /tmp and the
 * mount point /box; root.c), pivots into it, and then waits on its socket for requests.
 *
 * A request carries the argv, the environment, the limits and, as descriptors, the working
 * folder, the standard streams and any extra binds. For each one the keeper:
 *   1. binds the working folder on /box (kept while the same folder comes back), mounts the
 *      extra binds, and renews /tmp if the last run left anything in it (root.c);
 *   2. takes the spare: a process cloned after the previous run (sharing the keeper's memory
 *      until it execs) that already set no_new_privs and loaded the precompiled seccomp filter
 *      of the profile, and waits on a socket (making a process and loading a filter are the
 *      costliest steps of a run: they happen between runs); a spare of another profile is
 *      replaced (spare.c);
 *   3. writes the cgroup limits that changed, resets the memory peak, notes the CPU counter,
 *      and hands the spare the standard streams: it drops to the box's uid/gid (no groups,
 *      no capabilities left), sets its rlimits, enters /box and execs; a failure before the
 *      exec comes back through a close-on-exec pipe; the keeper then raises the program's
 *      oom_score_adj, so that an OOM kill in the box picks the program;
 *   4. sleeps in sigtimedwait for SIGCHLD until the program ends, the wall clock fires or the
 *      cgroup's CPU counter passes the limit (it wakes exactly when the remaining CPU time, spent
 *      on every core at once, could have run out);
 *   5. kills every process of the namespace but itself (kill(-1) from PID 1 reaches setsid and
 *      double-forked children, stopped ones too), reaps them all, reads CPU time, memory peak
 *      and OOM kills, decides the status (verdict.c), answers, and makes the next spare.
 * If the judge goes away, the keeper dies (PDEATHSIG), and with PID 1 the whole namespace.
 *
 * The keeper was cloned from a process that may have threads: it never allocates, never uses
 * stdio and calls setuid-family functions as raw system calls, which glibc would otherwise try
 * to broadcast to threads that do not exist here.
 */
#include "sandbox/sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The keeper's state: one keeper per process, which never returns from sb_keeper_main. */
static struct sb_keeper_config *K;
static struct sb_current *S; /* mapped shared: the spare reads its argv and envp there */
static struct sb_spare spare;
static struct sb_mounts mounts; /* what stays mounted from one run to the next */
static char *bind_dsts[SB_MAX_BINDS];
static int ncpus = 1;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The OOM killer of the box's cgroup must pick the program, never the keeper (which may lack
 * CAP_SYS_RESOURCE to shield itself with -1000): raising another's score needs nothing. */
static void raise_oom_score(pid_t pid)
{
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)!write(fd, "1000", 4);
        close(fd);
    }
}

/*
 * What the limit of a run adds to the program's: what the box holds now (the keeper and the
 * spare, whose pages the program replaces), not the page cache earlier runs left, which the
 * kernel reclaims as the program needs room, plus a margin. The keeper's own charge may grow
 * after it started (pages it touches first, huge pages the kernel assembles for it), so it is
 * read each run, in whole MiB so that the limit is rarely written again.
 */
static uint64_t box_slack(void)
{
    uint64_t usage = 0, cache = 0, held;

    if (sb_cgroup_read_usage(K->cg, &usage) < 0)
        return K->mem_slack;
    if (sb_cgroup_read_file_cache(K->cg, &cache) < 0 || cache > usage)
        cache = 0;
    held = usage - cache + (1u << 20);
    held = (held + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
    return held > K->mem_slack ? held : K->mem_slack;
}

/* Kills everything in the namespace but the keeper, and reaps it all. */
static void kill_all(pid_t main_pid, int *main_status, struct rusage *main_ru, int *main_done)
{
    int st;
    struct rusage ru;
    pid_t p;

    (void)kill(-1, SIGKILL);
    for (;;) {
        p = wait4(-1, &st, __WALL, &ru);
        if (p < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p == main_pid && !*main_done) {
            *main_status = st;
            *main_ru = ru;
            *main_done = 1;
        }
    }
}

/* Runs the program of req; fds are [work, stdin?, stdout?, stderr?, binds...]. */
static int run(int *fds, int nfds, struct sb_reply *rep)
{
    struct sb_result *res = &rep->result;
    const struct sb_limits *lim = &S->req.limits;
    char *msg = res->message;
    size_t msz = sizeof(res->message);
    int k = 1, in = -1, out = -1, err = -1, own_in = -1, own_out = -1, own_err = -1;
    int pipe_fds[2] = {-1, -1}, r;
    uint32_t binds_done = 0;
    uint64_t cpu0 = 0, cpu1 = 0, oom0 = 0, oom1 = 0, start_usage = 0;
    struct sb_memory_reading mem = {0};
    pid_t pid = -1;
    int status = 0, main_done = 0, cpu_over = 0, wall_over = 0;
    struct rusage ru;

    memset(&ru, 0, sizeof(ru));
    int in_k = -1, out_k = -1;
    if (S->req.has_stdin)
        in = fds[in_k = k++];
    if (S->req.has_stdout)
        out = fds[out_k = k++];
    if (S->req.has_stderr == 1)
        err = fds[k++];
    else if (S->req.has_stderr == 2)
        err = out;
    if (k + (int)S->req.n_binds != nfds) {
        r = sb_fail(msg, msz, EPROTO, "request", "descriptors");
        goto out;
    }
    if (in < 0 && (in = own_in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        r = sb_fail(msg, msz, errno, "open", "/dev/null");
        goto out;
    }
    if (out < 0 && (out = own_out = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
        r = sb_fail(msg, msz, errno, "open", "/dev/null");
        goto out;
    }
    if (err < 0) {
        /* A JVM's standard error is kept to recognise an OutOfMemoryError. */
        if (S->req.profile == SB_JVM)
            err = own_err = memfd_create("stderr", MFD_CLOEXEC);
        else
            err = own_err = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (err < 0) {
            r = sb_fail(msg, msz, errno, "open", "stderr");
            goto out;
        }
    }

    r = sb_root_mount_work(&mounts, fds[0], (int)S->req.work_is_tree, msg, msz);
    if (r < 0)
        goto out;
    r = sb_root_mount_binds(fds + k, bind_dsts, S->req.n_binds, msg, msz);
    binds_done = S->req.n_binds;
    if (r < 0)
        goto out;
    r = sb_root_renew_tmp(&mounts, lim->memory_kb ? lim->memory_kb * 1024 : 256u << 20);
    if (r < 0) {
        r = sb_fail(msg, msz, -r, "mount", "/tmp");
        goto out;
    }
    struct sb_child_error ce = {0, 0};
    r = sb_spare_get(&spare, S->req.profile, &ce);
    if (r < 0) {
        if (ce.stage)
            snprintf(msg, msz, "cannot prepare the program's process (%s): %s",
                     sb_stage_name(ce.stage), strerror(ce.err));
        else
            r = sb_fail(msg, msz, -r, "fork", NULL);
        goto out;
    }
    r = sb_cgroup_set_memory(K->cg, lim->memory_kb ? lim->memory_kb * 1024 + box_slack() : 0);
    if (r == 0)
        r = sb_cgroup_set_pids(K->cg, lim->procs + 1);
    if (r == 0) {
        r = sb_cgroup_reset_peak(K->cg);
        mem.peak_reset = r == 0;
        if (r == -EOPNOTSUPP) {
            /* Unknown, the peak after the run cannot be told to be this run's. */
            if (sb_cgroup_read_peak(K->cg, &mem.peak_before) < 0)
                mem.peak_before = UINT64_MAX;
            r = 0;
        }
    }
    if (r == 0)
        r = sb_cgroup_read_usage(K->cg, &start_usage);
    if (r == 0)
        r = sb_cgroup_read_cpu_ns(K->cg, &cpu0);
    if (r == 0)
        r = sb_cgroup_read_oom_kills(K->cg, &oom0);
    mem.cache_known = sb_cgroup_read_file_cache(K->cg, &mem.cache_before) == 0;
    mem.limit = K->cg->mem_limit_now;
    if (r < 0) {
        r = sb_fail(msg, msz, -r, "cgroup", "limits");
        goto out;
    }

    /* Go: the spare becomes the program. */
    int streams[3] = {in, out, err};
    uint64_t t0 = now_ns();
    r = sb_spare_go(&spare, streams, &pid, &pipe_fds[0]);
    if (r < 0) {
        kill_all(pid, &status, &ru, &main_done);
        r = sb_fail(msg, msz, -r, "start", NULL);
        goto out;
    }

    ssize_t n;
    while ((n = read(pipe_fds[0], &ce, sizeof(ce))) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof(ce)) {
        kill_all(pid, &status, &ru, &main_done);
        res->wall_ms = (now_ns() - t0) / 1000000;
        if (ce.stage == SB_STAGE_EXEC && ce.err == ENOMEM) {
            res->status = SB_MLE;
            res->exit_code = -1;
            snprintf(msg, msz, "program too large to load");
            r = 0;
        } else {
            snprintf(msg, msz, "cannot start %s (%s): %s", S->argv[0], sb_stage_name(ce.stage),
                     strerror(ce.err));
            r = -ce.err;
        }
        goto out;
    }
    raise_oom_score(pid);
    /* A pipe to another box: the program holds the only end here, so that its peer sees end
     * of file or EPIPE as soon as the program closes it or dies, not when this run ends. */
    if ((S->req.streams_given & SB_STDIN_FD) && in_k >= 0) {
        close(in);
        fds[in_k] = in = -1;
    }
    if ((S->req.streams_given & SB_STDOUT_FD) && out_k >= 0) {
        close(out);
        fds[out_k] = out = -1;
    }

    uint64_t wall_ns = (uint64_t)lim->wall_ms * 1000000u;
    uint64_t cpu_ns_lim = (uint64_t)lim->time_ms * 1000000u;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        pid_t p;
        int st;
        struct rusage pru;
        while ((p = wait4(-1, &st, WNOHANG | __WALL, &pru)) > 0)
            if (p == pid) {
                status = st;
                ru = pru;
                main_done = 1;
            }
        if (main_done)
            break;
        uint64_t t = now_ns(), cpu = cpu0;
        if (t - t0 >= wall_ns) {
            wall_over = 1;
            break;
        }
        uint64_t wait_ns = wall_ns - (t - t0);
        if (cpu_ns_lim) {
            (void)sb_cgroup_read_cpu_ns(K->cg, &cpu);
            if (cpu - cpu0 > cpu_ns_lim) {
                cpu_over = 1;
                break;
            }
            /* The soonest the limit can be passed: every core busy from now on. */
            uint64_t cpu_wait = (cpu_ns_lim - (cpu - cpu0)) / (uint64_t)ncpus + 1000000u;
            if (cpu_wait < wait_ns)
                wait_ns = cpu_wait;
        }
        struct timespec ts = {.tv_sec = (time_t)(wait_ns / 1000000000u),
                              .tv_nsec = (long)(wait_ns % 1000000000u)};
        (void)sigtimedwait(&chld, NULL, &ts);
    }
    res->end_ns = now_ns();
    kill_all(pid, &status, &ru, &main_done);
    res->wall_ms = (now_ns() - t0) / 1000000;

    (void)sb_cgroup_read_cpu_ns(K->cg, &cpu1);
    mem.peak_known = sb_cgroup_read_peak(K->cg, &mem.peak) == 0;
    (void)sb_cgroup_read_oom_kills(K->cg, &oom1);
    if (mem.cache_known)
        mem.cache_known = sb_cgroup_read_file_cache(K->cg, &mem.cache_after) == 0;
    res->cpu_ms = (cpu1 - cpu0) / 1000000;
    /*
     * The cgroup's peak over this run, less what the box held before it (the keeper and the
     * spare, which shares the keeper's pages). The process's rusage would count every page of
     * the keeper it started as: it only stands in where the peak cannot tell (verdict.c).
     */
    if (spare.base_usage > start_usage)
        spare.base_usage = start_usage;
    mem.base = spare.base_usage;
    mem.maxrss_kb = ru.ru_maxrss;
    uint64_t prog_mem = sb_verdict_memory(&mem);
    res->memory_kb = prog_mem / 1024;
    struct sb_outcome outcome = {.wait_status = status,
                                 .cpu_over = cpu_over,
                                 .wall_over = wall_over,
                                 .oom = oom1 > oom0,
                                 .prog_mem = prog_mem,
                                 .out_fd = out,
                                 .err_fd = err};
    sb_verdict_decide(res, lim, S->req.profile, &outcome);
    r = 0;
out:
    if (pipe_fds[0] >= 0)
        close(pipe_fds[0]);
    if (pipe_fds[1] >= 0)
        close(pipe_fds[1]);
    if (own_in >= 0)
        close(own_in);
    if (own_out >= 0)
        close(own_out);
    if (own_err >= 0)
        close(own_err);
    sb_root_unmount_binds(bind_dsts, binds_done);
    return r;
}

/* --- the request loop ----------------------------------------------------------------------- */

/* Splits S->req.strings into argv, envp and bind destinations; checks every count and bound. */
static int unpack(void)
{
    uint32_t total = S->req.n_argv + S->req.n_envp + S->req.n_binds, i = 0;
    char *p = S->req.strings, *end = S->req.strings + S->req.strings_len;

    if (S->req.strings_len > SB_MAX_STRINGS || S->req.n_argv == 0 || S->req.n_argv > SB_MAX_ARGS ||
        S->req.n_envp > SB_MAX_ARGS || S->req.n_binds > SB_MAX_BINDS ||
        S->req.profile > SB_COMPILER)
        return -EINVAL;
    for (; i < total; i++) {
        char *nul = memchr(p, '\0', (size_t)(end - p));
        if (p >= end || !nul)
            return -EINVAL;
        if (i < S->req.n_argv)
            S->argv[i] = p;
        else if (i < S->req.n_argv + S->req.n_envp)
            S->envp[i - S->req.n_argv] = p;
        else
            bind_dsts[i - S->req.n_argv - S->req.n_envp] = p;
        p = nul + 1;
    }
    S->argv[S->req.n_argv] = NULL;
    S->envp[S->req.n_envp] = NULL;
    return 0;
}

static void send_reply(int sock, struct sb_reply *rep)
{
    while (send(sock, rep, sizeof(*rep), MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
}

static void serve(void)
{
    static struct sb_reply rep;
    int fds[4 + SB_MAX_BINDS];
    union {
        char buf[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } ctl;

    int client = -1; /* an adopted connection, served instead of the owner's socket */

    for (;;) {
        int from = client >= 0 ? client : K->sock;
        struct iovec iov = {.iov_base = &S->req, .iov_len = sizeof(S->req)};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.buf,
                            .msg_controllen = sizeof(ctl.buf)};
        ssize_t n = recvmsg(from, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 && client >= 0) {
            /* The client hung up: back to the owner, who waits for this empty reply. */
            close(client);
            client = -1;
            memset(&rep, 0, sizeof(rep));
            send_reply(K->sock, &rep);
            continue;
        }
        if (n <= 0)
            _exit(0); /* the host closed the box */
        int nfds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t j = 0; j < cnt && nfds < (int)(sizeof(fds) / sizeof(fds[0])); j++)
                    memcpy(&fds[nfds++], CMSG_DATA(c) + j * sizeof(int), sizeof(int));
            }
        if (from == K->sock && (size_t)n >= sizeof(uint32_t) && S->req.op == SB_OP_ADOPT &&
            nfds == 1) {
            client = fds[0];
            continue;
        }
        memset(&rep, 0, sizeof(rep));
        rep.result.status = SB_SE;
        rep.result.exit_code = -1;
        if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || nfds < 1 ||
            (size_t)n < offsetof(struct sb_request, strings) || S->req.op != SB_OP_RUN ||
            (size_t)n < offsetof(struct sb_request, strings) + S->req.strings_len || unpack() < 0) {
            rep.err = -EPROTO;
            snprintf(rep.result.message, sizeof(rep.result.message), "malformed request");
        } else {
            rep.err = run(fds, nfds, &rep);
            if (rep.err < 0 && rep.result.status != SB_SE)
                rep.result.status = SB_SE;
        }
        for (int j = 0; j < nfds; j++)
            if (fds[j] >= 0)
                close(fds[j]);
        send_reply(from, &rep);
        /* The next run's process, prepared while the judge reads this result. */
        if (spare.pid < 0)
            (void)sb_spare_make(&spare, S->req.profile <= SB_COMPILER ? S->req.profile : SB_NATIVE);
    }
}

void sb_keeper_main(struct sb_keeper_config *config)
{
    static struct sb_reply rep;
    struct sb_cgroup *cg = config->cg;
    uint64_t keeper_usage = 0; /* the keeper's own charge in the memory cgroup */
    char go;
    int r;

    K = config;
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The slot's kept network namespace instead of a fresh one; failing that, no box. */
    if (config->net_fd >= 0 && setns(config->net_fd, CLONE_NEWNET) < 0)
        _exit(1);
    S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (S == MAP_FAILED)
        _exit(1);
    if (sb_spare_init(&spare, config, S) < 0)
        _exit(1);
    /* Nothing of the host's stays open here. */
    int keep[] = {config->sock,     cg->fd_mem_limit,  cg->fd_memsw_limit, cg->fd_mem_peak,
                  cg->fd_mem_usage, cg->fd_mem_events, cg->fd_pids_max,    cg->fd_cpu,
                  cg->fd_join[0],   cg->fd_join[1],    cg->fd_join[2],     cg->fd_mem_stat};
    sb_close_others(keep, (int)(sizeof(keep) / sizeof(keep[0])));
    /* Into the box's cgroups before anything else, while single-threaded. */
    int joined = sb_cgroup_join(cg);
    /* Wait until the host has recorded us; EOF means it died. */
    if (recv(config->sock, &go, 1, 0) != 1)
        _exit(1);
    if (joined < 0) {
        memset(&rep, 0, sizeof(rep));
        rep.err = joined;
        snprintf(rep.result.message, sizeof(rep.result.message),
                 "cannot move into the box's cgroups");
        send_reply(K->sock, &rep);
        _exit(1);
    }

    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)signal(sig, SIG_DFL);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_SETMASK, &chld, NULL);

    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)!write(fd, "-1000", 5);
        close(fd);
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        ncpus = CPU_COUNT(&set);

    memset(&rep, 0, sizeof(rep));
    r = sb_root_build(config, rep.result.message, sizeof(rep.result.message));
    /* The keeper never execs; an empty bounding set still keeps programs from regaining. */
    for (int cap = 0; cap <= 63; cap++)
        (void)prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (r == 0 && sb_cgroup_read_usage(cg, &keeper_usage) == 0)
        rep.result.memory_kb = keeper_usage / 1024;
    /* The keeper's own pages share the limit: every limit is raised by them and a margin. */
    config->mem_slack = keeper_usage + (1u << 20);
    rep.err = r;
    send_reply(K->sock, &rep);
    if (r < 0)
        _exit(1);
    (void)sb_spare_make(&spare, SB_NATIVE);
    serve();
    _exit(0);
}
