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
 * mount point /box), pivots into it, and then waits on its socket for requests.
 *
 * A request carries the argv, the environment, the limits and, as descriptors, the working
 * folder, the standard streams and any extra binds. For each one the keeper:
 *   1. binds the working folder on /box (kept while the same folder comes back), mounts the
 *      extra binds, and renews /tmp if the last run left anything in it;
 *   2. takes the spare: a process cloned after the previous run (sharing the keeper's memory
 *      until it execs) that already set no_new_privs and loaded the precompiled seccomp filter
 *      of the profile, and waits on a socket (making a process and loading a filter are the
 *      costliest steps of a run: they happen between runs); a spare of another profile is
 *      replaced;
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
 *      and OOM kills, decides the status, answers, and makes the next spare.
 * If the judge goes away, the keeper dies (PDEATHSIG), and with PID 1 the whole namespace.
 *
 * The keeper was cloned from a process that may have threads: it never allocates, never uses
 * stdio and calls setuid-family functions as raw system calls, which glibc would otherwise try
 * to broadcast to threads that do not exist here.
 */
#include "sandbox/sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/seccomp.h>

static struct sb_keeper_config *K;
/*
 * The current request, which the spare (below) reads its argv and environment from once it
 * is told to go.
 */
struct shared {
    struct sb_request req;
    char *argv[SB_MAX_ARGS + 1];
    char *envp[SB_MAX_ARGS + 1];
};
static struct shared *S;

/*
 * The spare: the next program's process, made ahead of time, already under the seccomp filter
 * of its profile and blocked on its socket. A run hands it the standard streams; it takes the
 * box's uid and execs at once, so that making it and loading the filter (the costliest steps
 * of a run) happen between runs, while the judge looks at the last result.
 *
 * It is cloned with CLONE_VM, on a stack of its own, like posix_spawn's child: it shares the
 * keeper's memory until its exec instead of copying the page tables (a fork costs about as much
 * as the whole of a small program's run here), and adds no pages to the box's memory. So it
 * writes nothing the keeper uses, calls only thin system-call wrappers, and leaves its
 * oom_score_adj alone (a shared memory shares it): the keeper raises the program's after exec.
 */
static struct {
    pid_t pid; /* -1: none */
    int sock;  /* the keeper's end: "ready" comes in, "go" with the streams goes out */
    int err_r; /* read end of the spare's close-on-exec error pipe */
    uint32_t profile;
    int ready; /* the ready byte was read */
} spare = {-1, -1, -1, 0, 0};
#define SPARE_STACK_SIZE (256u << 10)
static char *spare_stack; /* lowest page a guard */
static struct {
    int sock, pipe_w;
    uint32_t profile;
} spare_args; /* read by a new spare only, before the keeper can make another */
static char *bind_dsts[SB_MAX_BINDS];
static int ncpus = 1;
static uint64_t keeper_usage; /* the keeper's own charge in the memory cgroup */

static struct sb_mounts mounts; /* what stays mounted from one run to the next */
static uint64_t base_usage;     /* the cgroup's usage with no spare: measured as a spare is made */

/* Failure of the program's process before exec, passed through the pipe. */
struct child_error {
    int stage;
    int err;
};

enum {
    STAGE_STDIO = 1,
    STAGE_CHDIR,
    STAGE_RLIMIT,
    STAGE_IDENTITY,
    STAGE_SECCOMP,
    STAGE_EXEC,
};

static const char *const stage_names[] = {"",         "stdio",   "chdir", "rlimit",
                                          "identity", "seccomp", "exec"};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Closes every descriptor but the ones in keep (sorted in place). */
static void close_others(int *keep, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    unsigned int from = 3;
    for (int i = 0; i < n; i++) {
        if (keep[i] < 0 || (unsigned int)keep[i] < from)
            continue;
        if ((unsigned int)keep[i] > from)
            (void)syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
        from = (unsigned int)keep[i] + 1;
    }
    (void)syscall(SYS_close_range, from, ~0U, 0);
}

static void child_fail(int pipe_w, int stage, int err)
{
    struct child_error ce = {stage, err};

    (void)!write(pipe_w, &ce, sizeof(ce));
    _exit(127);
}

/* Sets a limit, never above the hard limit the keeper itself has (the spare cannot raise). */
static int set_limit(int resource, uint64_t soft, uint64_t hard)
{
    struct rlimit rl;

    if (getrlimit(resource, &rl) < 0)
        return -1;
    if (rl.rlim_max != RLIM_INFINITY && (hard == RLIM_INFINITY || hard > rl.rlim_max))
        hard = rl.rlim_max;
    rl.rlim_cur = soft < hard ? soft : hard;
    rl.rlim_max = hard;
    return setrlimit(resource, &rl);
}

/* The spare's life, from clone to exec. Only system calls: the keeper's memory is shared, and
 * nothing here may take a lock or write anything but its own stack. */
__attribute__((noreturn)) static void spare_main(int sock, int pipe_w, uint32_t profile)
{
    sigset_t none;
    int fds[3];
    char byte;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Of the keeper's descriptors (its socket to the host, the cgroups' control files) the
     * spare keeps none: they would pass the uid check they had at open. */
    int keep[] = {sock, pipe_w};
    close_others(keep, 2);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_fail(pipe_w, STAGE_IDENTITY, errno);
    struct sb_filter *f = &K->filters[profile];
    struct sock_fprog prog = {.len = f->len, .filter = f->insns};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        child_fail(pipe_w, STAGE_SECCOMP, errno);
    if (write(sock, "r", 1) != 1)
        _exit(127);

    /* Wait for a run: one byte and the three standard streams. */
    union {
        char buf[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
    ssize_t n;
    while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (n != 1 || !c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(fds)))
        _exit(0); /* the keeper dropped this spare */
    memcpy(fds, CMSG_DATA(c), sizeof(fds));
    /* The box's identity only now: between runs no process of the box's uid exists at all.
     * Leaving uid 0 for good clears every capability. */
    if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, K->gid, K->gid, K->gid) < 0 ||
        syscall(SYS_setresuid, K->uid, K->uid, K->uid) < 0)
        child_fail(pipe_w, STAGE_IDENTITY, errno);
    if (dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 2) < 0)
        child_fail(pipe_w, STAGE_STDIO, errno);
    /* Everything else closes at exec; the error pipe stays open until then. */
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        child_fail(pipe_w, STAGE_STDIO, errno);

    const struct sb_limits *lim = &S->req.limits;
    uint64_t cpu_s = lim->time_ms ? (lim->time_ms + 999) / 1000 + 1 : RLIM_INFINITY;
    uint64_t fsize = lim->output_kb ? lim->output_kb * 1024 : RLIM_INFINITY;
    uint64_t stack = lim->memory_kb ? lim->memory_kb * 1024 : RLIM_INFINITY;
    uint64_t nofile = S->req.profile == SB_NATIVE ? 256 : 1024;
    if (set_limit(RLIMIT_CPU, cpu_s, cpu_s == RLIM_INFINITY ? cpu_s : cpu_s + 1) < 0 ||
        set_limit(RLIMIT_FSIZE, fsize, fsize) < 0 || set_limit(RLIMIT_STACK, stack, stack) < 0 ||
        set_limit(RLIMIT_CORE, 0, 0) < 0 || set_limit(RLIMIT_NOFILE, nofile, nofile) < 0 ||
        set_limit(RLIMIT_MEMLOCK, 0, 0) < 0 || set_limit(RLIMIT_MSGQUEUE, 0, 0) < 0)
        child_fail(pipe_w, STAGE_RLIMIT, errno);
    if (chdir(SB_BOX_WORK) < 0)
        child_fail(pipe_w, STAGE_CHDIR, errno);
    execve(S->argv[0], S->argv, S->envp);
    child_fail(pipe_w, STAGE_EXEC, errno);
    _exit(127);
}

static int spare_entry(void *unused)
{
    (void)unused;
    /* The keeper's ends are open in this copy of its descriptor table: only ours stay. */
    spare_main(spare_args.sock, spare_args.pipe_w, spare_args.profile);
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

static void drop_spare(void)
{
    if (spare.pid > 0) {
        (void)kill(spare.pid, SIGKILL);
        while (waitpid(spare.pid, NULL, __WALL) < 0 && errno == EINTR)
            ;
    }
    if (spare.sock >= 0)
        close(spare.sock);
    if (spare.err_r >= 0)
        close(spare.err_r);
    spare.pid = -1;
    spare.sock = spare.err_r = -1;
    spare.ready = 0;
}

/* Forks a spare for profile; it gets ready on its own, in parallel with the keeper. */
static int make_spare(uint32_t profile)
{
    int sv[2], ep[2];

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    if (pipe2(ep, O_CLOEXEC) < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return -e;
    }
    (void)sb_cgroup_read_usage(K->cg, &base_usage);
    spare_args.sock = sv[1];
    spare_args.pipe_w = ep[1];
    spare_args.profile = profile;
    pid_t pid = clone(spare_entry, spare_stack + SPARE_STACK_SIZE, CLONE_VM | SIGCHLD, NULL);
    int e = errno;
    close(sv[1]);
    close(ep[1]);
    if (pid < 0) {
        close(sv[0]);
        close(ep[0]);
        return -e;
    }
    spare.pid = pid;
    spare.sock = sv[0];
    spare.err_r = ep[0];
    spare.profile = profile;
    spare.ready = 0;
    return 0;
}

/* A spare of this profile, ready to go; made now if the last one does not fit or died. */
static int get_spare(uint32_t profile, struct child_error *ce)
{
    char byte;

    for (int attempt = 0; attempt < 2; attempt++) {
        if (spare.pid > 0 && spare.profile != profile)
            drop_spare();
        if (spare.pid < 0) {
            int r = make_spare(profile);
            if (r < 0)
                return r;
        }
        if (spare.ready)
            return 0;
        ssize_t n;
        while ((n = read(spare.sock, &byte, 1)) < 0 && errno == EINTR)
            ;
        if (n == 1) {
            spare.ready = 1;
            return 0;
        }
        /* It died before getting ready: say why if it could, else try a fresh one. */
        n = read(spare.err_r, ce, sizeof(*ce));
        drop_spare();
        if (n == (ssize_t)sizeof(*ce))
            return -ce->err;
    }
    return -ECHILD;
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
static int run(const int *fds, int nfds, struct sb_reply *rep)
{
    struct sb_result *res = &rep->result;
    const struct sb_limits *lim = &S->req.limits;
    char *msg = res->message;
    size_t msz = sizeof(res->message);
    int k = 1, in = -1, out = -1, err = -1, own_in = -1, own_out = -1, own_err = -1;
    int pipe_fds[2] = {-1, -1}, r;
    uint32_t binds_done = 0;
    uint64_t cpu0 = 0, cpu1 = 0, oom0 = 0, oom1 = 0, peak = 0, start_usage = 0;
    pid_t pid = -1;
    int status = 0, main_done = 0, cpu_over = 0, wall_over = 0;
    struct rusage ru;

    memset(&ru, 0, sizeof(ru));
    if (S->req.has_stdin)
        in = fds[k++];
    if (S->req.has_stdout)
        out = fds[k++];
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
    struct child_error ce = {0, 0};
    r = get_spare(S->req.profile, &ce);
    if (r < 0) {
        if (ce.stage)
            snprintf(msg, msz, "cannot prepare the program's process (%s): %s",
                     stage_names[ce.stage], strerror(ce.err));
        else
            r = sb_fail(msg, msz, -r, "fork", NULL);
        goto out;
    }
    r = sb_cgroup_set_memory(K->cg, lim->memory_kb ? lim->memory_kb * 1024 + K->mem_slack : 0);
    if (r == 0)
        r = sb_cgroup_set_pids(K->cg, lim->procs + 1);
    if (r == 0)
        r = sb_cgroup_reset_peak(K->cg);
    if (r == 0)
        r = sb_cgroup_read_usage(K->cg, &start_usage);
    if (r == 0)
        r = sb_cgroup_read_cpu_ns(K->cg, &cpu0);
    if (r == 0)
        r = sb_cgroup_read_oom_kills(K->cg, &oom0);
    if (r < 0) {
        r = sb_fail(msg, msz, -r, "cgroup", "limits");
        goto out;
    }

    /* Go: the spare becomes the program. */
    int streams[3] = {in, out, err};
    union {
        char buf[CMSG_SPACE(sizeof(streams))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct iovec iov = {.iov_base = "g", .iov_len = 1};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(streams));
    memcpy(CMSG_DATA(c), streams, sizeof(streams));
    uint64_t t0 = now_ns();
    pid = spare.pid;
    pipe_fds[0] = spare.err_r;
    ssize_t n = sendmsg(spare.sock, &mh, MSG_NOSIGNAL);
    int send_err = errno;
    close(spare.sock);
    spare.pid = -1;
    spare.sock = spare.err_r = -1;
    spare.ready = 0;
    if (n != 1) {
        kill_all(pid, &status, &ru, &main_done);
        r = sb_fail(msg, msz, send_err, "start", NULL);
        goto out;
    }

    while ((n = read(pipe_fds[0], &ce, sizeof(ce))) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof(ce)) {
        kill_all(pid, &status, &ru, &main_done);
        res->wall_ms = (now_ns() - t0) / 1000000;
        if (ce.stage == STAGE_EXEC && ce.err == ENOMEM) {
            res->status = SB_MLE;
            res->exit_code = -1;
            snprintf(msg, msz, "program too large to load");
            r = 0;
        } else {
            snprintf(msg, msz, "cannot start %s (%s): %s", S->argv[0], stage_names[ce.stage],
                     strerror(ce.err));
            r = -ce.err;
        }
        goto out;
    }
    raise_oom_score(pid);

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
    kill_all(pid, &status, &ru, &main_done);
    res->wall_ms = (now_ns() - t0) / 1000000;

    (void)sb_cgroup_read_cpu_ns(K->cg, &cpu1);
    (void)sb_cgroup_read_peak(K->cg, &peak);
    (void)sb_cgroup_read_oom_kills(K->cg, &oom1);
    res->cpu_ms = (cpu1 - cpu0) / 1000000;
    /*
     * The cgroup's peak over this run, less what the box held before it (the keeper and the
     * spare, which shares the keeper's pages). The process's rusage would count every page of
     * the keeper it started as.
     */
    if (base_usage > start_usage)
        base_usage = start_usage;
    uint64_t prog_mem = peak > base_usage ? peak - base_usage : 0;
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
            close(fds[j]);
        send_reply(from, &rep);
        /* The next run's process, prepared while the judge reads this result. */
        if (spare.pid < 0)
            (void)make_spare(S->req.profile <= SB_COMPILER ? S->req.profile : SB_NATIVE);
    }
}

void sb_keeper_main(struct sb_keeper_config *config)
{
    static struct sb_reply rep;
    struct sb_cgroup *cg = config->cg;
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
    spare_stack = mmap(NULL, SPARE_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (spare_stack == MAP_FAILED || mprotect(spare_stack, 4096, PROT_NONE) < 0)
        _exit(1);
    /* Nothing of the host's stays open here. */
    int keep[] = {config->sock,     cg->fd_mem_limit,  cg->fd_memsw_limit, cg->fd_mem_peak,
                  cg->fd_mem_usage, cg->fd_mem_events, cg->fd_pids_max,    cg->fd_cpu,
                  cg->fd_join[0],   cg->fd_join[1],    cg->fd_join[2]};
    close_others(keep, (int)(sizeof(keep) / sizeof(keep[0])));
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
    (void)make_spare(SB_NATIVE);
    serve();
    _exit(0);
}
