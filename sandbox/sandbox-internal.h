/*
 * sandbox-internal.h: what the files of libgavel_sandbox share with one another and with their
 * tests. Nothing here is part of the public interface; the judge uses sandbox.h only.
 *
 * The library is three parts: the host side (box.c) that the judge calls, the keeper
 * (keeper.c), a long-lived process living inside the box's namespaces and cgroups that starts
 * every program, and two helpers for the kernel objects both sides touch: cgroups (cgroup.c)
 * and seccomp filters (filter.c). The keeper's other jobs each have a file: the box's root
 * filesystem and the mounts of each run (root.c), the next program's process made ahead of
 * time (spare.c), and turning what a run did into a status (verdict.c). Everything the keeper
 * calls must be safe after a fork of a multi-threaded process: no malloc, no stdio, no locks;
 * only system calls and stack buffers.
 */
#ifndef GAVEL_SANDBOX_INTERNAL_H
#define GAVEL_SANDBOX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <linux/filter.h>

#include "sandbox/sandbox.h"

/* Box identities: uid and gid SB_UID_BASE + slot, never a real account. */
#define SB_UID_BASE  60000
#define SB_MAX_SLOTS 1000

/* Limits of one request to the keeper. */
#define SB_MAX_STRINGS 65536 /* argv, envp and bind destinations together, NULs included */
#define SB_MAX_ARGS    1024  /* argv or envp entries */
#define SB_MAX_BINDS   16

/* Inside the box. */
#define SB_BOX_WORK "/box"

/* --- cgroup.c ---------------------------------------------------------------------------- */

/*
 * The box's cgroups, one per controller on v1 (memory, pids, cpuacct), one on v2. The paths
 * are only used by the host side; the keeper works through the descriptors, which it inherits
 * (its own mount namespace shows no /sys). Descriptors not available are -1.
 */
struct sb_cgroup {
    int version;             /* 1 or 2; 0 when not created */
    char mem_dir[512];       /* v2: the single directory */
    char pids_dir[512];      /* v1 only */
    char cpu_dir[512];       /* v1 only */
    int fd_mem_limit;        /* memory.limit_in_bytes / memory.max */
    int fd_memsw_limit;      /* memory.memsw.limit_in_bytes / memory.swap.max */
    int fd_mem_peak;         /* memory.max_usage_in_bytes / memory.peak */
    int fd_mem_usage;        /* memory.usage_in_bytes / memory.current */
    int fd_mem_events;       /* memory.oom_control / memory.events */
    int fd_mem_stat;         /* memory.stat: the page cache inside the usage; -1 if unreadable */
    int fd_pids_max;         /* pids.max */
    int fd_cpu;              /* cpuacct.usage (ns) / cpu.stat (usage_usec) */
    int fd_join[3];          /* v1: tasks of memory, pids, cpuacct; v2: cgroup.procs */
    uint64_t mem_limit_now;  /* last limit written, to skip rewrites */
    uint32_t pids_limit_now; /* likewise */
};

/* Sets every descriptor to -1. */
void sb_cgroup_init(struct sb_cgroup *cg);

/*
 * Creates the box's cgroups named `name` beneath the cgroups this process is in, as read from
 * /proc/self/cgroup now, or beneath GAVEL_CGROUP when that is set (a cgroup made for Gavel: a
 * path in the hierarchy as /proc/self/cgroup shows it, like "/gavel", or its directory under
 * the mount), and opens their control files. On v2 memory and pids must be handed down: when
 * our cgroup holds this process, or we were given one, this process (no other) moves itself
 * into a leaf "gavel-host" beneath it first; a failed attempt moves it back and removes the
 * leaf. Writes a reason into msg on failure, naming the command that would work.
 * Errors: -ENOENT no usable memory/pids/cpu accounting hierarchy, or no GAVEL_CGROUP there;
 * -EBUSY (v2) the controllers cannot be delegated below our cgroup (other processes share it);
 * -EXDEV the cgroup mount does not show our cgroup (or GAVEL_CGROUP) inside it, such as a
 * cgroup namespace with the outer hierarchy mounted (root "/.."): no box is made outside it;
 * or the errno of mkdir/open.
 */
int sb_cgroup_create(struct sb_cgroup *cg, const char *name, char *msg, size_t msg_size)
    __attribute__((warn_unused_result));

/*
 * Moves the calling process into every cgroup of the box and closes the join descriptors; the
 * keeper calls it first thing, while it is still single-threaded. On v1 it writes "0" to each
 * `tasks` file: a thread moving itself skips the kernel's global attach lock, which is what
 * makes writing a pid into cgroup.procs cost 5-13 ms on an idle machine (tens of µs this way).
 * Errors: the errno of the write.
 */
int sb_cgroup_join(struct sb_cgroup *cg) __attribute__((warn_unused_result));

/*
 * Where a box named `name` goes in one hierarchy (controller, e.g. "memory" on v1; NULL: the
 * v2 unified one), given the text of /proc/self/mountinfo and /proc/self/cgroup and the value
 * of GAVEL_CGROUP (NULL or "": none): the mount point, then the given cgroup or our own path
 * in the hierarchy (less a trailing "gavel-host" leaf on v2: we moved ourselves there), less
 * the part the mount hides (a container's cgroup root), then name. sb_cgroup_create works on
 * this; it is exposed for tests. -ENOENT without such a hierarchy, -EXDEV when the mount does
 * not show that cgroup (its root is outside our cgroup namespace, "/..", or elsewhere),
 * -ENAMETOOLONG.
 */
int sb_cgroup_box_dir(const char *mountinfo, const char *cgroups, const char *controller,
                      const char *given, const char *name, char *ret_dir, size_t size)
    __attribute__((warn_unused_result));

/* Closes the descriptors and removes the directories, retrying while dying tasks leave. */
void sb_cgroup_destroy(struct sb_cgroup *cg);

/* The remaining functions use only the descriptors: safe in the keeper. */
int sb_cgroup_set_memory(struct sb_cgroup *cg, uint64_t bytes); /* 0 = unlimited */
int sb_cgroup_set_pids(struct sb_cgroup *cg, uint32_t n);
/* -EOPNOTSUPP when the peak cannot be reset: v2 before Linux 6.12 (its peak is the box's
 * since creation), or no peak at all. */
int sb_cgroup_reset_peak(struct sb_cgroup *cg);
/* -EOPNOTSUPP on a v2 kernel older than 5.19, which has no memory.peak. */
int sb_cgroup_read_peak(struct sb_cgroup *cg, uint64_t *ret_bytes);
int sb_cgroup_read_usage(struct sb_cgroup *cg, uint64_t *ret_bytes);
int sb_cgroup_read_cpu_ns(struct sb_cgroup *cg, uint64_t *ret_ns);
int sb_cgroup_read_oom_kills(struct sb_cgroup *cg, uint64_t *ret_count);
/* The page cache of files charged to the box (memory.stat's file pages less shmem: tmpfs and
 * shared memory are what a program holds, and stay out of this). -EBADF without memory.stat. */
int sb_cgroup_read_file_cache(struct sb_cgroup *cg, uint64_t *ret_bytes);

/* --- filter.c ----------------------------------------------------------------------------- */

#define SB_PROFILE_COUNT 4 /* the values of enum sb_profile */

/* A compiled seccomp filter, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
struct sb_filter {
    struct sock_filter *insns; /* malloc'd */
    unsigned short len;
};

/* A copy of the filter of one profile, as the build compiled it. Free with sb_filter_release.
 * Errors: -EINVAL no such profile, -ENOMEM. */
int sb_filter_build(enum sb_profile profile, struct sb_filter *ret_filter)
    __attribute__((warn_unused_result));
void sb_filter_release(struct sb_filter *filter);

/* Compiles the filter of one profile from its rules with libseccomp (malloc'd insns). The
 * build runs it (filter_gen.c); the tests check the table against it. */
int sb_filter_compile(enum sb_profile profile, struct sb_filter *ret_filter)
    __attribute__((warn_unused_result));

/* The table the build generated: one filter per profile. */
struct sb_filter_code {
    const struct sock_filter *insns;
    unsigned short len;
};
extern const struct sb_filter_code sb_filter_table[SB_PROFILE_COUNT];

/* --- keeper.c ----------------------------------------------------------------------------- */

/* What the host sends the keeper for one run; the descriptors travel beside it. */
struct sb_request {
    uint32_t op;             /* SB_OP_RUN, or SB_OP_ADOPT (from the box's owner only) */
    struct sb_limits limits; /* normalised: wall_ms and procs filled in */
    uint32_t profile;
    uint32_t has_stdin, has_stdout, has_stderr; /* has_stderr 2: the same file as stdout */
    uint32_t streams_given; /* SB_STDIN_FD | SB_STDOUT_FD: the caller's descriptors (pipes to
                               another box), which the keeper closes once the program has them */
    uint32_t work_is_tree;  /* 1: the work descriptor is a detached mount to attach on /box;
                               0: the same folder as the last run, already there */
    uint32_t n_argv, n_envp, n_binds;
    uint32_t strings_len;
    char strings[SB_MAX_STRINGS]; /* argv..., envp..., bind destinations..., each NUL-ended */
};

/* The keeper's answer: a result, and the errno of a box failure (0 when the box worked). */
/* SB_OP_ADOPT: serve the connection passed along (a client of sb_box_serve) directly until it
 * hangs up, then answer the owner with an empty reply. Saves a relay hop per run. */
enum { SB_OP_RUN = 0, SB_OP_ADOPT = 1 };

struct sb_reply {
    int err;
    struct sb_result result;
};

/* Everything the keeper needs, prepared by the host before the clone. */
struct sb_keeper_config {
    int sock;   /* the keeper's end of the SOCK_SEQPACKET pair */
    int net_fd; /* the slot's network namespace to join, or -1: the clone made a fresh one */
    uid_t uid;
    gid_t gid;
    struct sb_cgroup *cg;                       /* descriptors inherited */
    struct sb_filter filters[SB_PROFILE_COUNT]; /* by profile */
    uint64_t mem_slack;     /* set by the keeper: bytes it adds to every memory limit */
    char etc_names[24][48]; /* entries of the host's /etc shown in the box; "" ends */
};

/* The keeper's body, run in the fresh namespaces as root. Never returns. */
__attribute__((noreturn)) void sb_keeper_main(struct sb_keeper_config *config);

/*
 * The current request, unpacked, which the spare reads its argv and environment from once it
 * is told to go.
 */
struct sb_current {
    struct sb_request req;
    char *argv[SB_MAX_ARGS + 1];
    char *envp[SB_MAX_ARGS + 1];
};

/* --- spare.c: the next program's process, made ahead of time --------------------------- */

/* Failure of the program's process before exec, passed through the pipe. */
struct sb_child_error {
    int stage; /* SB_STAGE_... */
    int err;
};

enum {
    SB_STAGE_STDIO = 1,
    SB_STAGE_CHDIR,
    SB_STAGE_RLIMIT,
    SB_STAGE_IDENTITY,
    SB_STAGE_SECCOMP,
    SB_STAGE_EXEC,
};

/* The stage as messages name it: "stdio", "chdir", ... */
const char *sb_stage_name(int stage);

/* The keeper's spare, and what it needs to make the next one. */
struct sb_spare {
    pid_t pid; /* -1: none */
    int sock;  /* the keeper's end: "ready" comes in, "go" with the streams goes out */
    int err_r; /* read end of the spare's close-on-exec error pipe */
    uint32_t profile;
    int ready;           /* the ready byte was read */
    uint64_t base_usage; /* the cgroup's usage with no spare: measured as a spare is made */
    const struct sb_keeper_config *config; /* the filters, the box's uid and gid, the cgroup */
    const struct sb_current *cur;          /* what a spare runs once told to go */
    char *stack;                           /* the spare's stack, lowest page a guard */
    struct {
        int sock, pipe_w;
        uint32_t profile;
    } args; /* read by a new spare only, before the keeper can make another */
};

/* No spare yet; maps the stack every spare runs on. Errors: the errno of mmap or mprotect. */
int sb_spare_init(struct sb_spare *sp, const struct sb_keeper_config *config,
                  const struct sb_current *cur) __attribute__((warn_unused_result));

/* Clones a spare for profile; it gets ready on its own, in parallel with the keeper.
 * Errors: the errno of socketpair, pipe2 or clone. */
int sb_spare_make(struct sb_spare *sp, uint32_t profile);

/*
 * A spare of this profile, ready to go; made now if the last one does not fit or died.
 * Errors: -ce->err when a spare failed before it was ready (ce says at which stage), -ECHILD
 * when two died without a word, or the errno of making one (ce->stage left 0).
 */
int sb_spare_get(struct sb_spare *sp, uint32_t profile, struct sb_child_error *ce)
    __attribute__((warn_unused_result));

/*
 * Go: hands the ready spare the program's stdin, stdout and stderr, and it becomes the program.
 * Returns the program's pid and the read end of its error pipe (the caller's to close), and
 * forgets the spare either way. Errors: the errno of sendmsg; the caller then kills it.
 */
int sb_spare_go(struct sb_spare *sp, const int streams[3], pid_t *ret_pid, int *ret_err_r)
    __attribute__((warn_unused_result));

/* Closes every descriptor but the ones in keep (sorted in place). */
void sb_close_others(int *keep, int n);

/* The keeper's way to fail: "what arg: reason" into msg, and -err. */
static inline int sb_fail(char *msg, size_t size, int err, const char *what, const char *arg)
{
    snprintf(msg, size, "%s %s: %s", what, arg ? arg : "", strerror(err));
    return -err;
}

/* --- root.c: the box's root filesystem and the mounts of each run ------------------------- */

/* The mounts the keeper keeps from one run to the next. Zero: none yet. */
struct sb_mounts {
    int work_mounted; /* the working folder currently on /box, to skip remounting it */
    dev_t work_dev;
    ino_t work_ino;
    uint64_t tmp_size; /* the size /tmp is mounted with; 0 before the first run */
};

/*
 * Builds the box's root in the keeper's mount namespace and pivots into it: read-only binds
 * of the host's /usr, /bin, /lib... and of config->etc_names, a passwd and group that know the
 * box's uid only, a fresh /proc, a /dev of four devices, the mount points /tmp and /box. Writes
 * a reason into msg on failure. Errors: the errno of the call that failed.
 */
int sb_root_build(const struct sb_keeper_config *config, char *msg, size_t size)
    __attribute__((warn_unused_result));

/*
 * Attaches the working folder fd (a detached mount made by the host) on /box, unless the same
 * folder is already there. is_tree says whether fd is such a mount; when it is not and another
 * folder is on /box, fails with -ESTALE. Writes a reason into msg on failure.
 */
int sb_root_mount_work(struct sb_mounts *m, int fd, int is_tree, char *msg, size_t size)
    __attribute__((warn_unused_result));

/*
 * Attaches the detached mounts fds[i] read-only at dsts[i], creating their mount points.
 * Errors: -EINVAL a destination that is not absolute, has a "." or ".." component, or lies
 * over the box's own mounts; else the errno of the call that failed. Whether it fails or not,
 * sb_root_unmount_binds(dsts, n) undoes it.
 */
int sb_root_mount_binds(const int *fds, char *const *dsts, uint32_t n, char *msg, size_t size)
    __attribute__((warn_unused_result));
void sb_root_unmount_binds(char *const *dsts, uint32_t n);

/* Gives the run an empty /tmp of size_bytes. Errors: the errno of umount or mount. */
int sb_root_renew_tmp(struct sb_mounts *m, uint64_t size_bytes) __attribute__((warn_unused_result));

/* --- verdict.c: what happened to a run, as a status and a message ------------------------ */

/* What the keeper saw of a run. */
struct sb_outcome {
    int wait_status;    /* the program's, as wait4 gave it */
    int cpu_over;       /* stopped because the cgroup's CPU time passed the limit */
    int wall_over;      /* stopped by the wall clock */
    int oom;            /* the cgroup counted an OOM kill during the run */
    uint64_t prog_mem;  /* bytes: the cgroup's peak over the box's baseline */
    int out_fd, err_fd; /* the program's stdout and stderr, read back for the caps; -1 none */
};

/*
 * Fills res->status, exit_code, signal and message from what happened, by the rules of
 * sandbox.h: TLE, MLE, OLE, RE, OK in that order. res->cpu_ms must already hold the run's CPU
 * time. Reads only the two descriptors (their size, and the tail of a JVM's stderr).
 */
void sb_verdict_decide(struct sb_result *res, const struct sb_limits *lim, enum sb_profile profile,
                       const struct sb_outcome *o);

/* What the keeper could read of a run's memory. */
struct sb_memory_reading {
    int peak_known;       /* the cgroup's peak was read after the run (peak) */
    int peak_reset;       /* it was reset before the run; else peak_before is the peak then */
    uint64_t peak_before; /* bytes */
    uint64_t peak;        /* bytes */
    uint64_t base;        /* bytes the box held before the program: the keeper and the spare */
    long maxrss_kb;       /* the program's own high-water mark (rusage) */
    int cache_known;      /* the file cache was read before and after the run */
    uint64_t cache_before, cache_after; /* bytes of page cache of files charged to the box */
    uint64_t limit;                     /* bytes: the cgroup's limit during the run; 0 none */
};

/*
 * The program's memory in bytes: what it held, never the page cache of files it wrote or read.
 * From the cgroup: the peak over the run less the box's base, less the page cache the run
 * added (output files, files read); when the run pushed the box to its limit, cache the kernel
 * reclaimed to make room counts back in. When the peak could not be reset (cgroup v2 before
 * Linux 6.12), it tells this run's peak only if the run raised it; otherwise, and without a
 * peak at all, the program's own resident high-water mark stands in (its children are not in
 * it, and it counts the keeper's pages it started as, recorded when it exec'd).
 */
uint64_t sb_verdict_memory(const struct sb_memory_reading *m);

#endif
