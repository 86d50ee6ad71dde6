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

struct sb_limits {
    uint32_t time_ms;    /* CPU time of all threads and children together; 0 = none */
    uint32_t wall_ms;    /* wall clock; 0 = 2 x time_ms + 1000 */
    uint64_t memory_kb;  /* memory of the whole box; 0 = none */
    uint64_t output_kb;  /* cap on bytes written (stdout, stderr and files); 0 = none */
    uint32_t procs;      /* processes and threads; 0 = 64 */
};

/* An extra read-only folder inside the box: host path src appears at dst (NULL = src). */
struct sb_bind {
    const char *src;
    const char *dst;
};

struct sb_spec {
    const char *const *argv;     /* argv[0] resolved inside the box: "./x" or an absolute path */
    const char *const *envp;     /* NULL-terminated "K=V"; NULL = a minimal clean environment */
    const char *stdin_path;      /* host path; NULL = empty input */
    const char *stdout_path;     /* host path, created or truncated; NULL = discarded */
    const char *stderr_path;     /* likewise */
    const char *work_dir;        /* host folder: the writable working folder inside the box */
    const struct sb_bind *binds; /* n_binds extra read-only folders */
    size_t n_binds;
    enum sb_profile profile;
    struct sb_limits limits;
};

struct sb_result {
    enum sb_status status;
    int exit_code;      /* -1 when killed by a signal */
    int signal;         /* 0 when it exited */
    uint64_t cpu_ms;    /* user + system time of every thread and child */
    uint64_t wall_ms;
    uint64_t memory_kb; /* peak memory of the box */
    char message[256];  /* a human-readable reason, "" when OK */
};

struct sb_box_options {
    int slot; /* 0..N-1, one per concurrent box: picks its uid and cgroup name */
};

struct sb_box;

/* Prepares a reusable box (namespaces, cgroups, helper). Owned by the caller: sb_box_free. */
int sb_box_new(const struct sb_box_options *opts, struct sb_box **ret_box)
    __attribute__((warn_unused_result));

/* Runs one program in the box and waits for it; nothing it started survives the call. */
int sb_box_run(struct sb_box *box, const struct sb_spec *spec, struct sb_result *ret_result)
    __attribute__((warn_unused_result));

/* Kills whatever is left and removes the box's cgroups and files. Accepts NULL. */
void sb_box_free(struct sb_box *box);

/* The status as the JSON and the judge spell it: "OK", "TLE", ... */
const char *sb_status_name(enum sb_status status);

#endif
