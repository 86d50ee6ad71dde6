/*
 * sp->c: the spare, the next program's process, made ahead of time.
 *
 * The spare is already under the seccomp filter of its profile and blocked on its socket. A run
 * hands it the standard streams; it takes the box's uid and execs at once, so that making it
 * and loading the filter (the costliest steps of a run) happen between runs, while the judge
 * looks at the last result.
 *
 * It is cloned with CLONE_VM, on a stack of its own, like posix_spawn's child: it shares the
 * keeper's memory until its exec instead of copying the page tables (a fork costs about as much
 * as the whole of a small program's run here), and adds no pages to the box's memory. So it
 * writes nothing the keeper uses, calls only thin system-call wrappers, and leaves its
 * oom_score_adj alone (a shared memory shares it): the keeper raises the program's after exec.
 * A failure before the exec comes back to the keeper through a close-on-exec pipe, as a
 * struct sb_child_error. Each spare gets a fresh IPC namespace, so that nothing a program made
 * with System V IPC or POSIX message queues outlives its run.
 */
#include "sandbox/sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp.h>

#define SPARE_STACK_SIZE (256u << 10)

static const char *const stage_names[] = {"",         "stdio",   "chdir", "rlimit",
                                          "identity", "seccomp", "exec"};

const char *sb_stage_name(int stage)
{
    return stage >= 0 && stage <= SB_STAGE_EXEC ? stage_names[stage] : "";
}

/* Closes every descriptor but the ones in keep (sorted in place). */
void sb_close_others(int *keep, int n)
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
    struct sb_child_error ce = {stage, err};

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
__attribute__((noreturn)) static void spare_main(const struct sb_spare *sp, int sock, int pipe_w,
                                                 uint32_t profile)
{
    sigset_t none;
    int fds[3];
    char byte;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Of the keeper's descriptors (its socket to the host, the cgroups' control files) the
     * spare keeps none: they would pass the uid check they had at open. */
    int keep[] = {sock, pipe_w};
    sb_close_others(keep, 2);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_fail(pipe_w, SB_STAGE_IDENTITY, errno);
    const struct sb_filter *f = &sp->config->filters[profile];
    struct sock_fprog prog = {.len = f->len, .filter = f->insns};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        child_fail(pipe_w, SB_STAGE_SECCOMP, errno);
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
    if (syscall(SYS_setgroups, 0, NULL) < 0 ||
        syscall(SYS_setresgid, sp->config->gid, sp->config->gid, sp->config->gid) < 0 ||
        syscall(SYS_setresuid, sp->config->uid, sp->config->uid, sp->config->uid) < 0)
        child_fail(pipe_w, SB_STAGE_IDENTITY, errno);
    if (dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 2) < 0)
        child_fail(pipe_w, SB_STAGE_STDIO, errno);
    /* Everything else closes at exec; the error pipe stays open until then. */
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        child_fail(pipe_w, SB_STAGE_STDIO, errno);

    const struct sb_limits *lim = &sp->cur->req.limits;
    uint64_t cpu_s = lim->time_ms ? (lim->time_ms + 999) / 1000 + 1 : RLIM_INFINITY;
    uint64_t fsize = lim->output_kb ? lim->output_kb * 1024 : RLIM_INFINITY;
    uint64_t stack = lim->memory_kb ? lim->memory_kb * 1024 : RLIM_INFINITY;
    uint64_t nofile = sp->cur->req.profile == SB_NATIVE ? 256 : 1024;
    if (set_limit(RLIMIT_CPU, cpu_s, cpu_s == RLIM_INFINITY ? cpu_s : cpu_s + 1) < 0 ||
        set_limit(RLIMIT_FSIZE, fsize, fsize) < 0 || set_limit(RLIMIT_STACK, stack, stack) < 0 ||
        set_limit(RLIMIT_CORE, 0, 0) < 0 || set_limit(RLIMIT_NOFILE, nofile, nofile) < 0 ||
        set_limit(RLIMIT_MEMLOCK, 0, 0) < 0 || set_limit(RLIMIT_MSGQUEUE, 0, 0) < 0)
        child_fail(pipe_w, SB_STAGE_RLIMIT, errno);
    if (chdir(SB_BOX_WORK) < 0)
        child_fail(pipe_w, SB_STAGE_CHDIR, errno);
    execve(sp->cur->argv[0], sp->cur->argv, sp->cur->envp);
    child_fail(pipe_w, SB_STAGE_EXEC, errno);
    _exit(127);
}

static int spare_entry(void *arg)
{
    const struct sb_spare *sp = arg;

    /* The keeper's ends are open in this copy of its descriptor table: only ours stay. */
    spare_main(sp, sp->args.sock, sp->args.pipe_w, sp->args.profile);
}

static void drop_spare(struct sb_spare *sp)
{
    if (sp->pid > 0) {
        (void)kill(sp->pid, SIGKILL);
        while (waitpid(sp->pid, NULL, __WALL) < 0 && errno == EINTR)
            ;
    }
    if (sp->sock >= 0)
        close(sp->sock);
    if (sp->err_r >= 0)
        close(sp->err_r);
    sp->pid = -1;
    sp->sock = sp->err_r = -1;
    sp->ready = 0;
}

/* Forks a spare for profile; it gets ready on its own, in parallel with the keeper. */
int sb_spare_make(struct sb_spare *sp, uint32_t profile)
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
    (void)sb_cgroup_read_usage(sp->config->cg, &sp->base_usage);
    sp->args.sock = sv[1];
    sp->args.pipe_w = ep[1];
    sp->args.profile = profile;
    /* An IPC namespace of its own: System V objects and POSIX message queues a program makes
     * die with it, with the memory they hold, and the next program of the box finds none. */
    pid_t pid =
        clone(spare_entry, sp->stack + SPARE_STACK_SIZE, CLONE_VM | CLONE_NEWIPC | SIGCHLD, sp);
    int e = errno;
    close(sv[1]);
    close(ep[1]);
    if (pid < 0) {
        close(sv[0]);
        close(ep[0]);
        return -e;
    }
    sp->pid = pid;
    sp->sock = sv[0];
    sp->err_r = ep[0];
    sp->profile = profile;
    sp->ready = 0;
    return 0;
}

/* A spare of this profile, ready to go; made now if the last one does not fit or died. */
int sb_spare_get(struct sb_spare *sp, uint32_t profile, struct sb_child_error *ce)
{
    char byte;

    for (int attempt = 0; attempt < 2; attempt++) {
        if (sp->pid > 0 && sp->profile != profile)
            drop_spare(sp);
        if (sp->pid < 0) {
            int r = sb_spare_make(sp, profile);
            if (r < 0)
                return r;
        }
        if (sp->ready)
            return 0;
        ssize_t n;
        while ((n = read(sp->sock, &byte, 1)) < 0 && errno == EINTR)
            ;
        if (n == 1) {
            sp->ready = 1;
            return 0;
        }
        /* It died before getting ready: say why if it could, else try a fresh one. */
        n = read(sp->err_r, ce, sizeof(*ce));
        drop_spare(sp);
        if (n == (ssize_t)sizeof(*ce))
            return -ce->err;
    }
    return -ECHILD;
}

int sb_spare_init(struct sb_spare *sp, const struct sb_keeper_config *config,
                  const struct sb_current *cur)
{
    sp->pid = -1;
    sp->sock = sp->err_r = -1;
    sp->profile = 0;
    sp->ready = 0;
    sp->base_usage = 0;
    sp->config = config;
    sp->cur = cur;
    sp->stack = mmap(NULL, SPARE_STACK_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (sp->stack == MAP_FAILED)
        return -errno;
    if (mprotect(sp->stack, 4096, PROT_NONE) < 0)
        return -errno;
    return 0;
}

int sb_spare_go(struct sb_spare *sp, const int streams[3], pid_t *ret_pid, int *ret_err_r)
{
    union {
        char buf[CMSG_SPACE(3 * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct iovec iov = {.iov_base = "g", .iov_len = 1};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(3 * sizeof(int));
    memcpy(CMSG_DATA(c), streams, 3 * sizeof(int));
    *ret_pid = sp->pid;
    *ret_err_r = sp->err_r;
    ssize_t n = sendmsg(sp->sock, &mh, MSG_NOSIGNAL);
    int send_err = errno;
    close(sp->sock);
    sp->pid = -1;
    sp->sock = sp->err_r = -1;
    sp->ready = 0;
    if (n != 1)
        return -(send_err ? send_err : EPIPE);
    return 0;
}
