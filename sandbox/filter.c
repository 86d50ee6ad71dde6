/*
 * filter.c: the rules of the four profiles' seccomp filters, compiled with libseccomp into raw
 * BPF. The build compiles them once (filter_gen.c) into a table the library is linked with, so
 * neither a box nor a run ever compiles one (about 0.4 ms a profile) and each run only loads
 * it; libseccomp allocates, so it could not run in the keeper anyway.
 *
 * The native profile is an allow-list; anything else fails with ENOSYS, as on an older kernel,
 * so that a new libc probing a new call falls back instead of dying. The interpreter, JVM and
 * compiler profiles allow everything but a list of calls that touch the kernel's attack
 * surface or other processes, which fail with EPERM. Both refuse namespace-creating clone,
 * and answer clone3 with ENOSYS (its flags live in memory seccomp cannot read), which makes
 * libc fall back to clone, whose flags it can.
 */
#include "sandbox/sandbox-internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#define NS_FLAGS                                                                                   \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |     \
     CLONE_NEWCGROUP | 0x00000080 /* CLONE_NEWTIME */)

/* What compiled C and C++ programs use: memory, files, time, threads, processes, signals. */
static const char *const native_allow[] = {
    "read",
    "recvmsg",
    "setgroups", /* the spare drops to the box's identity after its filter is loaded; */
    "setresgid", /* for the program itself these fail, as it has no capabilities */
    "setresuid",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "open",
    "openat",
    "openat2",
    "close",
    "close_range",
    "creat",
    "fstat",
    "stat",
    "lstat",
    "newfstatat",
    "statx",
    "statfs",
    "fstatfs",
    "lseek",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents",
    "getdents64",
    "getcwd",
    "chdir",
    "fchdir",
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "ftruncate",
    "truncate",
    "fsync",
    "fdatasync",
    "fcntl",
    "flock",
    "dup",
    "dup2",
    "dup3",
    "pipe",
    "pipe2",
    "ioctl",
    "umask",
    "chmod",
    "fchmod",
    "fchmodat",
    "symlink",
    "symlinkat",
    "link",
    "linkat",
    "utimensat",
    "futimesat",
    "fadvise64",
    "sendfile",
    "copy_file_range",
    "splice",
    "tee",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd",
    "eventfd2",
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "msync",
    "mincore",
    "mlock",
    "munlock",
    "memfd_create",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigpending",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "sigaltstack",
    "kill",
    "tkill",
    "tgkill",
    "pause",
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "times",
    "alarm",
    "setitimer",
    "getitimer",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    "getpid",
    "getppid",
    "gettid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "getpgid",
    "getpgrp",
    "getsid",
    "setsid",
    "setpgid",
    "getrlimit",
    "setrlimit",
    "prlimit64",
    "getrusage",
    "sysinfo",
    "uname",
    "arch_prctl",
    "prctl",
    "set_tid_address",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "futex",
    "futex_waitv",
    "sched_yield",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getparam",
    "sched_getscheduler",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "getpriority",
    "getrandom",
    "membarrier",
    "exit",
    "exit_group",
    "execve",
    "execveat",
    "fork",
    "vfork",
    "wait4",
    "waitid",
    "restart_syscall",
    "getcpu",
};

/* Calls an interpreter, the JVM or a compiler never needs and that reach too far. */
static const char *const dangerous[] = {
    "ptrace",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "kexec_load",
    "kexec_file_load",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "userfaultfd",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "pidfd_getfd",
    "kcmp",
    "swapon",
    "swapoff",
    "reboot",
    "init_module",
    "finit_module",
    "delete_module",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "syslog",
    "quotactl",
    "quotactl_fd",
    "name_to_handle_at",
    "open_by_handle_at",
    "lookup_dcookie",
    "fanotify_init",
    "iopl",
    "ioperm",
    "vhangup",
    "uselib",
    "modify_ldt",
    "nfsservctl",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "open_tree",
    "move_mount",
    "mount_setattr",
    "sethostname",
    "setdomainname",
    "move_pages",
    "migrate_pages",
    "mbind",
    "set_mempolicy",
    "set_mempolicy_home_node",
    "vmsplice",
    /* Shared memory, queues and semaphores outliving a process: no runtime here needs them
     * (Python's multiprocessing locks are futexes), and each run has its own IPC namespace. */
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
};

static int add_by_name(scmp_filter_ctx ctx, uint32_t action, const char *name)
{
    int nr = seccomp_syscall_resolve_name(name);

    if (nr == __NR_SCMP_ERROR)
        return 0; /* not on this architecture or too new for this libseccomp */
    return seccomp_rule_add(ctx, action, nr, 0);
}

static int add_rules(scmp_filter_ctx ctx, enum sb_profile profile)
{
    int r = 0;

    if (profile == SB_NATIVE) {
        for (size_t i = 0; r == 0 && i < sizeof(native_allow) / sizeof(native_allow[0]); i++)
            r = add_by_name(ctx, SCMP_ACT_ALLOW, native_allow[i]);
        /* Threads and plain fork, but no namespaces. */
        if (r == 0)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                 SCMP_A0(SCMP_CMP_MASKED_EQ, NS_FLAGS, 0));
        /* A C program has no use for sockets: fail them plainly rather than as unknown. */
        if (r == 0)
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
        if (r == 0)
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 0);
        return r;
    }
    for (size_t i = 0; r == 0 && i < sizeof(dangerous) / sizeof(dangerous[0]); i++)
        r = add_by_name(ctx, SCMP_ACT_ERRNO(EPERM), dangerous[i]);
    /* libseccomp allows one comparison per argument and rule: one rule per namespace flag. */
    for (unsigned long bit = 1; r == 0 && bit; bit <<= 1)
        if (NS_FLAGS & bit)
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                 SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    return r;
}

int sb_filter_compile(enum sb_profile profile, struct sb_filter *ret_filter)
{
    uint32_t def = profile == SB_NATIVE ? SCMP_ACT_ERRNO(ENOSYS) : SCMP_ACT_ALLOW;
    scmp_filter_ctx ctx = seccomp_init(def);
    struct stat st;
    int fd = -1, r;

    ret_filter->insns = NULL;
    ret_filter->len = 0;
    if (!ctx)
        return -ENOMEM;
    r = add_rules(ctx, profile);
    if (r == 0 && profile != SB_NATIVE) /* native answers ENOSYS to it by default */
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    /* The keeper sets no_new_privs itself, just before loading. */
    if (r == 0)
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    /*
     * A binary search over the syscall numbers rather than a chain: loading a filter makes the
     * kernel run it once per syscall number to build its cache of always-allowed calls, so the
     * load (once per run) costs about a quarter as much (native: 350 -> 90 us here), and calls
     * the cache does not cover are decided in fewer steps.
     */
    if (r == 0)
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (r < 0)
        goto out;
    fd = memfd_create("sb-filter", MFD_CLOEXEC);
    if (fd < 0) {
        r = -errno;
        goto out;
    }
    r = seccomp_export_bpf(ctx, fd);
    if (r < 0)
        goto out;
    if (fstat(fd, &st) < 0) {
        r = -errno;
        goto out;
    }
    if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
        st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
        r = -E2BIG;
        goto out;
    }
    ret_filter->insns = malloc((size_t)st.st_size);
    if (!ret_filter->insns) {
        r = -ENOMEM;
        goto out;
    }
    if (pread(fd, ret_filter->insns, (size_t)st.st_size, 0) != st.st_size) {
        r = -EIO;
        free(ret_filter->insns);
        ret_filter->insns = NULL;
        goto out;
    }
    ret_filter->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
    r = 0;
out:
    if (fd >= 0)
        close(fd);
    seccomp_release(ctx);
    return r;
}
