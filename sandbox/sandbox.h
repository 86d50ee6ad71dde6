/*
 * sandbox.h: run one untrusted command under limits and report what happened.
 *
 * This is the manual of libgavel_sandbox. It knows nothing of submissions, databases or JSON:
 * a spec and limits go in, a result comes out. The judge keeps one box per worker and runs
 * every compile and every test through it; `gavel-run` is the same library behind a CLI.
 *
 *     struct sb_box *box;
 *     int r = sb_box_new(&(struct sb_box_options){.slot = 0}, &box);
 *     struct sb_spec spec = {.argv = argv, .work_dir = "/var/.../w0", .profile = SB_NATIVE,
 *                            .limits = {.time_ms = 1000, .memory_kb = 262144}};
 *     struct sb_result res;
 *     r = sb_box_run(box, &spec, &res);   // r < 0: the box failed (res.status == SB_SE)
 *     sb_box_free(box);
 *
 * Errors: functions return >= 0 on success or a negative errno. A program that crashes, runs
 * out of time or memory is not an error: sb_box_run returns 0 and res.status says what it did.
 *
 * Inside the box a program sees a read-only root with /usr (and /bin, /lib... as on the host),
 * the /etc entries runtimes read (the loader's cache, alternatives, java and python settings),
 * a fresh /proc of its own PID namespace, /dev/{null,zero,random,urandom}, a private /tmp
 * (tmpfs, at most the memory limit, emptied between runs) and its working folder at /box, the
 * current directory. No network (a namespace without interfaces), no /sys, no host /tmp.
 * Each program has an IPC namespace of its own, so no System V object or POSIX message queue
 * outlives its run (and no profile may make them).
 * Statuses follow the order TLE (CPU time over the limit, or the wall clock), MLE (an OOM kill,
 * a death with its memory at the limit, a JVM's OutOfMemoryError), OLE (SIGXFSZ, or stdout or
 * stderr at the cap), RE (a signal or a non-zero exit), OK. cpu_ms is the cgroup's count of
 * every thread and child; memory_kb what the program held at its peak: the cgroup's peak over
 * the box's own baseline less the page cache of files the run wrote or read (anonymous memory,
 * kernel memory and tmpfs count), and never less than its largest process's resident peak.
 */
#ifndef GAVEL_SANDBOX_H
#define GAVEL_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/* What kind of program runs, which picks the seccomp filter. */
enum sb_profile {
    SB_NATIVE = 0, /* compiled C/C++: a tight allow-list, everything else fails with an errno */
    SB_PYTHON,     /* interpreters: a deny-list of dangerous calls */
    SB_JVM,        /* the JVM: a deny-list, memory counted by the cgroup, not address space */
    SB_COMPILER,   /* gcc, g++, javac, py_compile: a deny-list */
};

/* What happened to the program, in the order the rules of the status are checked. */
enum sb_status {
    SB_OK = 0, /* exited with status 0 */
    SB_TLE,    /* CPU time above the limit, or the wall clock fired */
    SB_MLE,    /* the memory limit was hit */
    SB_OLE,    /* the output cap was hit */
    SB_RE,     /* killed by a signal, or a non-zero exit */
    SB_SE,     /* the box itself failed: see message */
};

/* Which of a spec's standard streams are descriptors (struct sb_spec, fd_streams). */
enum {
    SB_STDIN_FD = 1,
    SB_STDOUT_FD = 2,
};

struct sb_limits {
    uint32_t time_ms;   /* CPU time of all threads and children together; 0 = none */
    uint32_t wall_ms;   /* wall clock; 0 = 2 x time_ms + 1000 */
    uint64_t memory_kb; /* memory of the whole box; 0 = none */
    uint64_t output_kb; /* cap on bytes written (stdout, stderr and files); 0 = none */
    uint32_t procs;     /* processes and threads; 0 = 64 */
};

/* An extra read-only folder inside the box: host path src appears at dst (NULL = src). */
struct sb_bind {
    const char *src;
    const char *dst;
};

struct sb_spec {
    const char *const *argv; /* argv[0] resolved inside the box: "./x" or an absolute path */
    const char *const *envp; /* NULL-terminated "K=V"; NULL = a minimal clean environment */
    const char *stdin_path;  /* host path; NULL = empty input */
    const char *stdout_path; /* host path, created or truncated; NULL = discarded */
    const char *stderr_path; /* likewise */
    /*
     * Descriptors instead of paths for stdin and stdout (pipes to a program in another box):
     * SB_STDIN_FD takes stdin_fd in place of stdin_path, SB_STDOUT_FD stdout_fd in place of
     * stdout_path. Each must be a pipe, a regular file or a character device; the box uses a
     * copy (the caller keeps and closes its own) and holds no copy beyond the program's own once
     * it started, so the other end sees end of file or EPIPE when the program closes it or dies.
     * 0 (a zero-initialised spec): the paths, as ever.
     */
    unsigned fd_streams;
    int stdin_fd, stdout_fd;
    const char *work_dir;        /* host folder: the writable working folder inside the box */
    const struct sb_bind *binds; /* n_binds extra read-only folders */
    size_t n_binds;
    enum sb_profile profile;
    struct sb_limits limits;
};

struct sb_result {
    enum sb_status status;
    int exit_code;   /* -1 when killed by a signal */
    int signal;      /* 0 when it exited */
    uint64_t cpu_ms; /* user + system time of every thread and child */
    uint64_t wall_ms;
    uint64_t memory_kb; /* peak memory of the box */
    uint64_t end_ns;    /* CLOCK_MONOTONIC when the program ended or was stopped: which of two
                           boxes' programs ended first; 0 when it never started */
    char message[256];  /* a human-readable reason, "" when OK */
};

struct sb_box_options {
    /*
     * 0..999, one per concurrent box: picks its uid/gid (60000 + slot) and cgroup name. A slot
     * is held by an exclusive lock (under /run/gavel-sandbox) for the life of the box, so two
     * boxes never share an identity; sb_box_new fails with -EBUSY when it is taken. A negative
     * slot takes the first free one.
     */
    int slot;
};

struct sb_box;

/*
 * Prepares a reusable box: takes the slot, copies the build's seccomp filters, creates the cgroups
 * beneath the caller's own (cgroup v1 or v2) and starts the box's keeper, a process living in
 * fresh PID, mount, IPC, UTS and network namespaces that starts every program. Costs a few
 * milliseconds; each run then pays none of it. Needs root. Owned by the caller: sb_box_free.
 *
 * Between runs the box holds two processes, both root: the keeper and the next run's process,
 * made and filtered ahead of time; no process of the box's uid exists outside a run.
 * The keeper is the caller's child: do not reap it with a stray waitpid(-1), and keep alive the
 * thread that created the box (the keeper dies with it, through PR_SET_PDEATHSIG).
 * On cgroup v2 the box's cgroup goes beneath ours, and memory and pids must be enabled for our
 * children: a cgroup holding processes cannot do that, so this process then moves itself (no
 * other) into a leaf "gavel-host" of its cgroup, once.
 * Errors: -EPERM not root, -EBUSY slot taken (or, on cgroup v2, other processes share our
 * cgroup and keep it from delegating controllers), -EINVAL bad slot, -ENOENT no cgroup accounting,
 * or the errno of the kernel call that refused; ret_message (may be NULL) then holds a reason.
 */
int sb_box_new_msg(const struct sb_box_options *opts, struct sb_box **ret_box, char *ret_message,
                   size_t message_size) __attribute__((warn_unused_result));

/* sb_box_new_msg without the reason. */
int sb_box_new(const struct sb_box_options *opts, struct sb_box **ret_box)
    __attribute__((warn_unused_result));

/*
 * Runs one program in the box and waits for it; nothing it started survives the call. The
 * spec's files are opened here, by the caller's process: stdin_path must be a regular file or
 * a character device, stdout_path/stderr_path are created or truncated (the same path for both
 * shares one file), and none of them is followed if its last component is a symlink. The
 * working folder is given to the box's uid; what the program writes there is bounded per file
 * by output_kb (RLIMIT_FSIZE), not in total. One run at a time per box (not thread-safe).
 *
 * Returns 0 when the box worked, whatever the program did; ret_result says what it did.
 * Errors (ret_result->status == SB_SE, message says why): -EINVAL bad spec, -E2BIG argv/envp
 * too long, -ENOENT/-EACCES/-ENOEXEC the program could not be started, -ELOOP a symlink where
 * a file was expected, -EPIPE the box died (free it and make a new one), or another errno.
 */
int sb_box_run(struct sb_box *box, const struct sb_spec *spec, struct sb_result *ret_result)
    __attribute__((warn_unused_result));

/*
 * sb_box_run in two halves, to run programs in two boxes at once (an interactive problem's
 * submission and interactor, joined by pipes) from one thread. sb_box_start hands the run to
 * the box and returns as soon as the box holds its own copies of the spec's files and
 * descriptors: the caller may then close its ends of the pipes, which it must, or the program
 * at the other end never sees end of file. sb_box_wait waits for the run's end and gives its
 * result; sb_box_wait_fd is a descriptor that polls readable once the result is there, to
 * wait for whichever of several boxes ends first. Every start is followed by one wait, with
 * no other run of that box in between. sb_box_start returns what sb_box_run would for a bad
 * spec (ret_result filled; no wait then); sb_box_wait returns what sb_box_run returns.
 */
int sb_box_start(struct sb_box *box, const struct sb_spec *spec, struct sb_result *ret_result)
    __attribute__((warn_unused_result));
int sb_box_wait(struct sb_box *box, struct sb_result *ret_result)
    __attribute__((warn_unused_result));
int sb_box_wait_fd(const struct sb_box *box);

/* Kills whatever is left and removes the box's cgroups and files. Accepts NULL. */
void sb_box_free(struct sb_box *box);

/*
 * Shares a box with other processes: accepts connections on listen_fd (a listening AF_UNIX
 * SOCK_SEQPACKET socket the caller made and protects) and runs their requests in this box,
 * one client at a time, until no client has come for idle_ms (then returns 0). Runs are as
 * isolated from one another as a judge's successive runs in one box. Errors: -EPIPE the box
 * died, -EINVAL.
 */
int sb_box_serve(struct sb_box *box, int listen_fd, int idle_ms)
    __attribute__((warn_unused_result));

/*
 * Connects to a box served at the socket path: the result is used like any box (sb_box_run,
 * sb_box_free, which only disconnects). Errors: -ENOENT/-ECONNREFUSED no server there, or the
 * errno of connect.
 */
int sb_box_connect(const char *path, struct sb_box **ret_box) __attribute__((warn_unused_result));

/* The uid (and gid) programs of this box run as. */
unsigned sb_box_uid(const struct sb_box *box);

/*
 * The minimal environment a program gets when spec.envp is NULL: PATH, HOME=/tmp and
 * LANG=C.UTF-8, NULL-terminated. Static storage; callers may copy it to extend it.
 */
const char *const *sb_default_env(void);

/*
 * Opens a file a program left in a folder it could write, for reading back safely: name must
 * stay beneath dir (no "..", no absolute path) and no symlink is followed on the way (nor a
 * mount crossed); the result must be a regular file. Returns 0 and an O_CLOEXEC descriptor in
 * *ret_fd. Errors: -ELOOP or -EXDEV a symlink on the way, -ENOENT, -EINVAL not a regular file
 * or a bad name, or the errno of open.
 */
int sb_open_result(const char *dir, const char *name, int *ret_fd)
    __attribute__((warn_unused_result));

/* The status as the JSON and the judge spell it: "OK", "TLE", ... */
const char *sb_status_name(enum sb_status status);

#endif
