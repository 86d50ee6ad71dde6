/*
 * test_sandbox.c: real programs in C, C++, Python 3 and Java through libgavel_sandbox, each
 * with the status it must get and, afterwards, checks on the host: no process of the box's uid
 * left, no cgroup of ours left, nothing written outside the working folder, and a loopback
 * listener on the host that received nothing. Needs root (ctest label "privileged"); skipped
 * otherwise. The programs live in progs/; C ones are compiled on the host with gcc, the C++
 * and Java ones inside a box with g++ and javac.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"
#include "sandbox/sandbox.h"
#include "tests/harness.h"

extern char **environ;

static char root[256];    /* host scratch folder of this test run */
static char bin_dir[320]; /* compiled test programs, bound read-only at /progs */
static int ready = -1;    /* 1 set up, 0 skip */

static const struct sb_bind progs_binds[] = {{.src = bin_dir, .dst = "/progs"},
                                             {.src = GAVEL_SANDBOX_PROGS, .dst = "/src"}};

/* --- host helpers -------------------------------------------------------------------------- */

static int spawn_wait(const char *const *argv)
{
    pid_t pid;
    int st;

    if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0)
        return -1;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void remove_tree(const char *path)
{
    const char *argv[] = {"/bin/rm", "-rf", path, NULL};
    (void)spawn_wait(argv);
}

static int setup(void)
{
    if (ready >= 0)
        return ready;
    ready = 0;
    if (geteuid() != 0)
        return 0;
    snprintf(root, sizeof(root), "/tmp/gavel-sbtest-XXXXXX");
    if (!mkdtemp(root))
        return 0;
    chmod(root, 0755);
    snprintf(bin_dir, sizeof(bin_dir), "%s/bin", root);
    if (mkdir(bin_dir, 0755) < 0)
        return 0;
    ready = 1;
    return 1;
}

__attribute__((destructor)) static void teardown(void)
{
    if (root[0])
        remove_tree(root);
}

/* Compiles progs/<name>.c on the host into bin/<name> (once). */
static int compile_c(const char *name)
{
    char src[512], out[512];
    struct stat st;

    snprintf(src, sizeof(src), "%s/%s.c", GAVEL_SANDBOX_PROGS, name);
    snprintf(out, sizeof(out), "%s/%s", bin_dir, name);
    if (stat(out, &st) == 0)
        return 0;
    const char *argv[] = {"/usr/bin/gcc", "-O2", "-pthread", "-o", out, src, NULL};
    return spawn_wait(argv) == 0 ? 0 : -1;
}

/* A fresh, empty working folder for one test. */
static void make_work(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/w-%s", root, name);
    remove_tree(buf);
    mkdir(buf, 0755);
}

static int read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n;

    buf[0] = '\0';
    if (fd < 0)
        return -errno;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return (int)n;
}

/* Processes on the host running as uid (the box's): there must be none after a run. */
static int procs_of_uid(unsigned uid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int count = 0;

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        char path[300], buf[4096];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
        if (read_text(path, buf, sizeof(buf)) <= 0)
            continue;
        char *u = strstr(buf, "\nUid:");
        if (u && strtoul(u + 5, NULL, 10) == uid)
            count++;
    }
    closedir(d);
    return count;
}

/* Counts the cgroups this process created ("gavel-box*-<our pid>") in dir. */
static int our_cgroups_in(const char *dir)
{
    char suffix[32];
    int left = 0;
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return 0;
    snprintf(suffix, sizeof(suffix), "-%d", (int)getpid());
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name), sl = strlen(suffix);
        if (strncmp(e->d_name, "gavel-box", 9) == 0 && n > sl &&
            strcmp(e->d_name + n - sl, suffix) == 0)
            left++;
    }
    closedir(d);
    return left;
}

/*
 * Cgroups this process created still present anywhere they could be: beneath our cgroup in
 * each hierarchy; on v2 also beside the "gavel-host" leaf we moved into, and beneath
 * GAVEL_CGROUP. Paths are taken as under /sys/fs/cgroup, as in the VM and on hosts.
 */
static int our_cgroups_left(void)
{
    char line[512];
    int left = 0;
    FILE *f = fopen("/proc/self/cgroup", "re");
    const char *given = getenv("GAVEL_CGROUP");

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        static const char *const ctrls[] = {"memory", "pids", "cpuacct", ""};
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        for (int i = 0; i < 4; i++) {
            char dir[700];
            if (i < 3 && !strstr(c1 + 1, ctrls[i]))
                continue;
            if (i == 3 && c1[1] != '\0')
                continue;
            snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s%s", ctrls[i], c2 + 1);
            left += our_cgroups_in(dir);
            char *leaf = strrchr(dir, '/');
            if (i == 3 && leaf && strcmp(leaf, "/gavel-host") == 0) {
                *leaf = '\0';
                left += our_cgroups_in(dir);
            }
            if (given && given[0] == '/' && strncmp(given, "/sys/", 5) != 0) {
                snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s%s", ctrls[i], given);
                left += our_cgroups_in(dir);
            }
        }
    }
    fclose(f);
    return left;
}

/* A TCP and a UDP socket on the host's loopback, same port. */
struct listener {
    int tcp, udp, port;
};

static int listener_open(struct listener *l)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    l->tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    l->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->tcp < 0 || l->udp < 0 || bind(l->tcp, (void *)&a, sizeof(a)) < 0 ||
        listen(l->tcp, 8) < 0 || getsockname(l->tcp, (void *)&a, &len) < 0 ||
        bind(l->udp, (void *)&a, sizeof(a)) < 0)
        return -1;
    l->port = ntohs(a.sin_port);
    return 0;
}

/* True when the listener saw nothing at all. */
static int listener_quiet(struct listener *l)
{
    char b[16];
    int c = accept(l->tcp, NULL, NULL);
    ssize_t n = recv(l->udp, b, sizeof(b), 0);

    if (c >= 0)
        close(c);
    close(l->tcp);
    close(l->udp);
    return c < 0 && errno == EAGAIN && n < 0;
}

/*
 * Runs spec in a fresh box and checks the host afterwards: no process of the box's uid during
 * teardown is left, no cgroup of ours is left. Returns sb_box_run's result.
 */
static int run_checked(struct sb_spec *spec, struct sb_result *res)
{
    struct sb_box *box = NULL;
    char msg[256];
    int r = sb_box_new_msg(&(struct sb_box_options){.slot = -1}, &box, msg, sizeof(msg));

    if (r < 0) {
        fprintf(stderr, "sb_box_new: %s\n", msg);
        memset(res, 0, sizeof(*res));
        res->status = SB_SE;
        return r;
    }
    unsigned uid = sb_box_uid(box);
    r = sb_box_run(box, spec, res);
    fprintf(stderr, "  -> %s exit=%d sig=%d cpu=%llu wall=%llu mem=%llukB %s\n",
            sb_status_name(res->status), res->exit_code, res->signal,
            (unsigned long long)res->cpu_ms, (unsigned long long)res->wall_ms,
            (unsigned long long)res->memory_kb, res->message);
    /* Between runs the keeper has already killed and reaped everything the program made. */
    CHECK_INT(procs_of_uid(uid), 0);
    sb_box_free(box);
    CHECK_INT(procs_of_uid(uid), 0);
    CHECK_INT(our_cgroups_left(), 0);
    return r;
}

/*
 * A time limit for a legitimate program (a compiler, an interpreter starting): times
 * GAVEL_TEST_TIME_FACTOR on a machine slower than these assume (the emulated cgroup v2 VM).
 * Limits a test expects to be hit are not scaled.
 */
static uint32_t legit_ms(uint32_t ms)
{
    const char *f = getenv("GAVEL_TEST_TIME_FACTOR");
    unsigned long factor = f ? strtoul(f, NULL, 10) : 1;

    return factor > 1 && factor < 100 ? ms * (uint32_t)factor : ms;
}

/* A spec running /progs/<name> (compiled from progs/<name>.c) in work. */
static void native_spec(struct sb_spec *spec, const char *const *argv, const char *work)
{
    memset(spec, 0, sizeof(*spec));
    spec->argv = argv;
    spec->work_dir = work;
    spec->binds = progs_binds;
    spec->n_binds = 2;
    spec->profile = SB_NATIVE;
    spec->limits = (struct sb_limits){.time_ms = legit_ms(1000), .memory_kb = 128 * 1024};
}

#define NEED(...)                                                                                  \
    do {                                                                                           \
        if (!setup())                                                                              \
            SKIP("needs root");                                                                    \
        const char *need_[] = {__VA_ARGS__};                                                       \
        for (size_t i_ = 0; i_ < sizeof(need_) / sizeof(need_[0]); i_++)                           \
            REQUIRE(compile_c(need_[i_]) == 0);                                                    \
    } while (0)

/* Runs /progs/<argv[0]> with the given limits in a fresh work folder; returns the status. */
static enum sb_status run_native(const char *test, const char *const *argv, struct sb_limits lim,
                                 struct sb_result *res, char *work, size_t work_size)
{
    char path[128], out[700];
    const char *args[8] = {path};
    struct sb_spec spec;

    snprintf(path, sizeof(path), "/progs/%s", argv[0]);
    for (int i = 1; argv[i] && i < 7; i++)
        args[i] = argv[i];
    make_work(test, work, work_size);
    snprintf(out, sizeof(out), "%s/out.txt", work);
    native_spec(&spec, args, work);
    spec.limits = lim;
    spec.stdout_path = out;
    if (run_checked(&spec, res) < 0)
        return SB_SE;
    return res->status;
}

/* --- legit programs ------------------------------------------------------------------------ */

TEST(hello_c)
{
    struct sb_result res;
    char work[512], out[700], text[64];

    NEED("hello");
    CHECK_INT(run_native("hello", (const char *[]){"hello", NULL},
                         (struct sb_limits){.time_ms = 1000, .memory_kb = 65536}, &res, work,
                         sizeof(work)),
              SB_OK);
    CHECK_INT(res.exit_code, 0);
    CHECK_INT(res.signal, 0);
    snprintf(out, sizeof(out), "%s/out.txt", work);
    read_text(out, text, sizeof(text));
    CHECK_STR(text, "hello\n");
    CHECK(res.memory_kb < 16 * 1024);
}

TEST(deep_recursion_100mib_stack)
{
    struct sb_result res;
    char work[512];

    NEED("stack");
    CHECK_INT(run_native("stack", (const char *[]){"stack", NULL},
                         (struct sb_limits){.time_ms = legit_ms(10000), .memory_kb = 256 * 1024},
                         &res, work, sizeof(work)),
              SB_OK);
    CHECK(res.memory_kb >= 100 * 1024);
}

TEST(stdin_50mb)
{
    struct sb_result res;
    struct sb_spec spec;
    char work[512], in[700], out[700], text[128], expect[128];
    static char block[1 << 20];

    NEED("stdin_sum");
    make_work("stdin", work, sizeof(work));
    snprintf(in, sizeof(in), "%s/in.txt", root);
    snprintf(out, sizeof(out), "%s/out.txt", work);
    int fd = open(in, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    memset(block, 'a', sizeof(block));
    for (int i = 0; i < 50; i++)
        REQUIRE(write(fd, block, sizeof(block)) == (ssize_t)sizeof(block));
    close(fd);
    native_spec(&spec, (const char *[]){"/progs/stdin_sum", NULL}, work);
    spec.stdin_path = in;
    spec.stdout_path = out;
    spec.limits.memory_kb = 32 * 1024;
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_OK);
    read_text(out, text, sizeof(text));
    snprintf(expect, sizeof(expect), "%llu %llu\n", 50ull << 20, (50ull << 20) * 'a');
    CHECK_STR(text, expect);
    unlink(in);
}

TEST(write_file_in_work_folder)
{
    struct sb_result res;
    char work[512], path[700], text[64];
    struct stat before, after;
    int had = stat("/tmp/scratch", &before) == 0;

    NEED("write_file");
    CHECK_INT(run_native("write", (const char *[]){"write_file", NULL},
                         (struct sb_limits){.time_ms = 1000, .memory_kb = 65536}, &res, work,
                         sizeof(work)),
              SB_OK);
    snprintf(path, sizeof(path), "%s/result.txt", work);
    read_text(path, text, sizeof(text));
    CHECK_STR(text, "42\n");
    /* The box's /tmp is its own. */
    int has = stat("/tmp/scratch", &after) == 0;
    CHECK_INT(has, had);
    if (had && has)
        CHECK(before.st_mtime == after.st_mtime && before.st_size == after.st_size);
}

TEST(box_reuse_fresh_tmp_and_many_runs)
{
    struct sb_box *box = NULL;
    struct sb_result res;
    struct sb_spec spec;
    char work[512], out[700], text[64];

    NEED("write_file", "hello");
    REQUIRE(sb_box_new(&(struct sb_box_options){.slot = -1}, &box) == 0);
    make_work("reuse", work, sizeof(work));
    snprintf(out, sizeof(out), "%s/out.txt", work);
    native_spec(&spec, (const char *[]){"/progs/write_file", NULL}, work);
    CHECK(sb_box_run(box, &spec, &res) == 0 && res.status == SB_OK);
    /* A later run must not find what an earlier one left in /tmp. */
    const char *py[] = {"/usr/bin/python3", "-c",
                        "import os; print(os.path.exists('/tmp/scratch'))", NULL};
    spec.argv = py;
    spec.profile = SB_PYTHON;
    spec.stdout_path = out;
    CHECK(sb_box_run(box, &spec, &res) == 0 && res.status == SB_OK);
    read_text(out, text, sizeof(text));
    CHECK_STR(text, "False\n");
    /* /tmp is as large as the memory limit, whichever limit the run before had. */
    const char *tmp_mb[] = {"/usr/bin/python3", "-c",
                            "import os; s = os.statvfs('/tmp'); "
                            "print(s.f_blocks * s.f_frsize >> 20, s.f_files - s.f_ffree)",
                            NULL};
    spec.argv = tmp_mb;
    const uint64_t limits_mb[] = {96, 160, 160, 64};
    const char *expect[] = {"96 1\n", "160 1\n", "160 1\n", "64 1\n"};
    for (int i = 0; i < 4; i++) {
        spec.limits.memory_kb = limits_mb[i] * 1024;
        CHECK(sb_box_run(box, &spec, &res) == 0 && res.status == SB_OK);
        read_text(out, text, sizeof(text));
        CHECK_STR(text, expect[i]);
    }
    spec.limits.memory_kb = 65536;
    spec.argv = (const char *[]){"/progs/hello", NULL};
    spec.profile = SB_NATIVE;
    for (int i = 0; i < 50; i++) {
        if (sb_box_run(box, &spec, &res) != 0 || res.status != SB_OK) {
            CHECK(!"run of a reused box failed");
            break;
        }
    }
    read_text(out, text, sizeof(text));
    CHECK_STR(text, "hello\n");
    /* The folder removed and made again (perhaps with the same inode): the new one is used. */
    spec.argv = (const char *[]){"/progs/write_file", NULL};
    spec.stdout_path = NULL;
    for (int i = 0; i < 3; i++) {
        char result[700];
        make_work("reuse", work, sizeof(work));
        CHECK(sb_box_run(box, &spec, &res) == 0 && res.status == SB_OK);
        snprintf(result, sizeof(result), "%s/result.txt", work);
        text[0] = '\0';
        read_text(result, text, sizeof(text));
        CHECK_STR(text, "42\n");
    }
    unsigned uid = sb_box_uid(box);
    sb_box_free(box);
    CHECK_INT(procs_of_uid(uid), 0);
    CHECK_INT(our_cgroups_left(), 0);
}

TEST(two_boxes_two_identities)
{
    struct sb_box *a = NULL, *b = NULL;

    if (!setup())
        SKIP("needs root");
    REQUIRE(sb_box_new(&(struct sb_box_options){.slot = -1}, &a) == 0);
    CHECK(sb_box_new(&(struct sb_box_options){.slot = -1}, &b) == 0);
    if (b)
        CHECK(sb_box_uid(a) != sb_box_uid(b));
    struct sb_box *c = NULL;
    CHECK_INT(sb_box_new(&(struct sb_box_options){.slot = (int)sb_box_uid(a) - 60000}, &c), -EBUSY);
    sb_box_free(c);
    sb_box_free(b);
    sb_box_free(a);
    CHECK_INT(our_cgroups_left(), 0);
}

TEST(cpp_compiled_in_box)
{
    struct sb_result res;
    struct sb_spec spec;
    char work[512], out[700], text[64];

    if (!setup())
        SKIP("needs root");
    make_work("cpp", work, sizeof(work));
    snprintf(out, sizeof(out), "%s/out.txt", work);
    native_spec(&spec,
                (const char *[]){"/usr/bin/g++", "-O2", "-o", "hello", "/src/hello.cpp", NULL},
                work);
    spec.profile = SB_COMPILER;
    spec.stderr_path = out;
    spec.limits =
        (struct sb_limits){.time_ms = legit_ms(10000), .memory_kb = 512 * 1024, .procs = 32};
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_OK);
    spec.argv = (const char *[]){"./hello", NULL};
    spec.profile = SB_NATIVE;
    spec.stdout_path = out;
    spec.stderr_path = NULL;
    spec.limits = (struct sb_limits){.time_ms = 1000, .memory_kb = 65536};
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_OK);
    read_text(out, text, sizeof(text));
    CHECK_STR(text, "hello 1\n");

    native_spec(&spec,
                (const char *[]){"/usr/bin/g++", "-O2", "-o", "bomb", "/src/vector_bomb.cpp", NULL},
                work);
    spec.profile = SB_COMPILER;
    spec.limits =
        (struct sb_limits){.time_ms = legit_ms(10000), .memory_kb = 512 * 1024, .procs = 32};
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_OK);
    spec.argv = (const char *[]){"./bomb", NULL};
    spec.profile = SB_NATIVE;
    spec.limits = (struct sb_limits){.time_ms = 5000, .memory_kb = 64 * 1024};
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_MLE);
}

TEST(python_stdlib)
{
    struct sb_result res;
    struct sb_spec spec;
    char work[512], out[700], text[128];

    if (!setup())
        SKIP("needs root");
    make_work("pystd", work, sizeof(work));
    snprintf(out, sizeof(out), "%s/out.txt", work);
    native_spec(&spec, (const char *[]){"/usr/bin/python3", "/src/stdlib.py", NULL}, work);
    spec.profile = SB_PYTHON;
    spec.stdout_path = out;
    spec.limits = (struct sb_limits){.time_ms = legit_ms(2000), .memory_kb = 128 * 1024};
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_OK);
    read_text(out, text, sizeof(text));
    CHECK_STR(text, "6 3628800 4/3 1\n");
}

/* javac Threads.java and Oom.java into work, inside a box. */
static int javac(const char *work)
{
    struct sb_result res;
    struct sb_spec spec;
    char err[700];

    snprintf(err, sizeof(err), "%s/javac.txt", work);
    native_spec(
        &spec,
        (const char *[]){"/usr/bin/javac", "-d", ".", "/src/Threads.java", "/src/Oom.java", NULL},
        work);
    spec.profile = SB_COMPILER;
    spec.stderr_path = err;
    spec.limits =
        (struct sb_limits){.time_ms = legit_ms(20000), .memory_kb = 1024 * 1024, .procs = 256};
    if (run_checked(&spec, &res) < 0)
        return -1;
    return res.status == SB_OK ? 0 : -1;
}

TEST(java_threads_and_oom)
{
    struct sb_result res;
    struct sb_spec spec;
    char work[512], out[700], text[128];

    if (!setup())
        SKIP("needs root");
    make_work("java", work, sizeof(work));
    REQUIRE(javac(work) == 0);
    snprintf(out, sizeof(out), "%s/out.txt", work);
    native_spec(&spec, (const char *[]){"/usr/bin/java", "-Xmx256m", "-cp", ".", "Threads", NULL},
                work);
    spec.profile = SB_JVM;
    spec.stdout_path = out;
    spec.limits =
        (struct sb_limits){.time_ms = legit_ms(5000), .memory_kb = 256 * 1024, .procs = 128};
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_OK);
    read_text(out, text, sizeof(text));
    CHECK_STR(text, "threads 239999988\n");
    /* CPU of every thread counted: 80 million loop steps are not free. */
    CHECK(res.cpu_ms >= 100);

    spec.argv = (const char *[]){"/usr/bin/java", "-Xmx64m", "-cp", ".", "Oom", NULL};
    spec.limits.memory_kb = 64 * 1024;
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_MLE);
}

/* --- hostile programs ---------------------------------------------------------------------- */

/* A fork bomb ends on CPU time, or on memory when its processes' kernel memory reaches the
 * limit first; either way the box survives it and nothing of it is left. */
static int bomb_stopped(enum sb_status s)
{
    return s == SB_TLE || s == SB_MLE;
}

TEST(fork_bombs)
{
    struct sb_result res;
    char work[512];
    struct sb_limits lim = {.time_ms = 500, .wall_ms = 1500, .memory_kb = 64 * 1024, .procs = 32};

    NEED("fork_bomb");
    CHECK(bomb_stopped(
        run_native("fork", (const char *[]){"fork_bomb", NULL}, lim, &res, work, sizeof(work))));
    CHECK(bomb_stopped(run_native("forks", (const char *[]){"fork_bomb", "setsid", NULL}, lim, &res,
                                  work, sizeof(work))));
}

TEST(python_fork_bomb)
{
    struct sb_result res;
    struct sb_spec spec;
    char work[512];

    if (!setup())
        SKIP("needs root");
    make_work("pyfork", work, sizeof(work));
    native_spec(&spec, (const char *[]){"/usr/bin/python3", "/src/fork_bomb.py", NULL}, work);
    spec.profile = SB_PYTHON;
    spec.limits =
        (struct sb_limits){.time_ms = 500, .wall_ms = 1500, .memory_kb = 128 * 1024, .procs = 32};
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK(bomb_stopped(res.status));
}

TEST(orphans_do_not_outlive_the_run)
{
    struct sb_result res;
    char work[512];

    NEED("orphans");
    CHECK_INT(run_native("orphans", (const char *[]){"orphans", NULL},
                         (struct sb_limits){.time_ms = 1000, .memory_kb = 65536}, &res, work,
                         sizeof(work)),
              SB_OK);
    CHECK(res.wall_ms < 1000); /* the run ends with the main process, not the sleepers */
}

TEST(memory_bombs)
{
    struct sb_result res;
    char work[512];
    struct sb_limits lim = {.time_ms = 5000, .memory_kb = 64 * 1024};

    NEED("heap_bomb", "static_bomb");
    CHECK_INT(
        run_native("heap", (const char *[]){"heap_bomb", NULL}, lim, &res, work, sizeof(work)),
        SB_MLE);
    CHECK_INT(
        run_native("static", (const char *[]){"static_bomb", NULL}, lim, &res, work, sizeof(work)),
        SB_MLE);
}

TEST(python_memory_bomb)
{
    struct sb_result res;
    struct sb_spec spec;
    char work[512];

    if (!setup())
        SKIP("needs root");
    make_work("pybomb", work, sizeof(work));
    native_spec(&spec, (const char *[]){"/usr/bin/python3", "/src/bomb.py", NULL}, work);
    spec.profile = SB_PYTHON;
    spec.limits = (struct sb_limits){.time_ms = 5000, .memory_kb = 64 * 1024};
    REQUIRE(run_checked(&spec, &res) == 0);
    CHECK_INT(res.status, SB_MLE);
}

/* Whether the IPC namespace link text is that of one of our children (the keeper, its spare). */
static int ipc_ns_of_a_child(const char *ns)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;

    while (d && (e = readdir(d)) && !found) {
        char path[300], line[256], link[64];
        int pid = atoi(e->d_name), ppid = -1;
        if (pid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        FILE *f = fopen(path, "re");
        while (f && fgets(line, sizeof(line), f))
            if (sscanf(line, "PPid: %d", &ppid) == 1)
                break;
        if (f)
            fclose(f);
        if (ppid != getpid())
            continue;
        snprintf(path, sizeof(path), "/proc/%d/ns/ipc", pid);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        if (n > 0) {
            link[n] = '\0';
            found = strncmp(ns, link, strlen(link)) == 0;
        }
    }
    if (d)
        closedir(d);
    return found;
}

/* Nothing of System V IPC outlives a run: each program has an IPC namespace of its own (not the
 * keeper's, which outlives runs), and no profile may make such objects at all. */
TEST(ipc_fresh_every_run)
{
    struct sb_box *box = NULL;
    struct sb_result res;
    struct sb_spec spec;
    char work[512], out[700], first[128], text[128];

    NEED("ipc_ns");
    REQUIRE(sb_box_new(&(struct sb_box_options){.slot = -1}, &box) == 0);
    make_work("ipc", work, sizeof(work));
    snprintf(out, sizeof(out), "%s/out.txt", work);
    native_spec(&spec, (const char *[]){"/progs/ipc_ns", NULL}, work);
    spec.stdout_path = out;
    CHECK(sb_box_run(box, &spec, &res) == 0 && res.status == SB_OK);
    read_text(out, first, sizeof(first));
    CHECK(strstr(first, "ipc:[") == first);
    CHECK(strstr(first, "shm=made") == NULL);
    CHECK(!ipc_ns_of_a_child(first));
    CHECK(sb_box_run(box, &spec, &res) == 0 && res.status == SB_OK);
    read_text(out, text, sizeof(text));
    CHECK(strstr(text, "ipc:[") == text);
    CHECK(!ipc_ns_of_a_child(text));
    const char *py[] = {"/usr/bin/python3", "-c",
                        "import ctypes\n"
                        "libc = ctypes.CDLL(None, use_errno=True)\n"
                        "r = libc.shmget(0, 1 << 20, 0o1600)\n"
                        "q = libc.msgget(0, 0o1600)\n"
                        "print(r, q, ctypes.get_errno())\n",
                        NULL};
    spec.argv = py;
    spec.profile = SB_PYTHON;
    spec.limits.time_ms = 5000;
    CHECK(sb_box_run(box, &spec, &res) == 0 && res.status == SB_OK);
    read_text(out, text, sizeof(text));
    CHECK_STR(text, "-1 -1 1\n"); /* EPERM */
    unsigned uid = sb_box_uid(box);
    sb_box_free(box);
    CHECK_INT(procs_of_uid(uid), 0);
    CHECK_INT(our_cgroups_left(), 0);
}

/* memory_kb is what the program held: not the page cache of what it wrote, whatever earlier
 * runs of the box left, and the same figure run after run. */
TEST(memory_figures_are_what_the_program_holds)
{
    struct sb_box *box = NULL;
    struct sb_result res;
    struct sb_spec spec;
    char work[512], out[700];
    const uint64_t mib = 1024;

    NEED("hold");
    REQUIRE(sb_box_new(&(struct sb_box_options){.slot = -1}, &box) == 0);
    make_work("hold", work, sizeof(work));
    snprintf(out, sizeof(out), "%s/out.txt", work);
    /* 2 MiB held, 200 MiB written, under a 64 MiB limit: not MLE, and about 2 MiB. */
    native_spec(&spec, (const char *[]){"/progs/hold", "2", "200", "1", NULL}, work);
    spec.stdout_path = out;
    spec.limits = (struct sb_limits){.time_ms = 20000, .memory_kb = 64 * mib};
    /* Only a disk's pages can be reclaimed: on a tmpfs (or an overlay on one, as in the VM leg)
     * what a program writes is memory it holds, and 200 MiB under 64 MiB is rightly MLE. */
    struct statfs fs;
    if (statfs(work, &fs) == 0 &&
        (fs.f_type == 0x01021994 /* tmpfs */ || fs.f_type == 0x794c7630 /* overlayfs */)) {
        fprintf(stderr, "  the scratch folder is in memory: no page cache to leave out\n");
    } else {
        CHECK(sb_box_run(box, &spec, &res) == 0);
        fprintf(stderr, "  write 200 MiB, exit 1: %s %llu kB\n", sb_status_name(res.status),
                (unsigned long long)res.memory_kb);
        CHECK_INT(res.status, SB_RE);
        CHECK(res.memory_kb >= 2 * mib && res.memory_kb < 16 * mib);
        spec.argv = (const char *[]){"/progs/hold", "2", "200", "0", NULL};
        CHECK(sb_box_run(box, &spec, &res) == 0);
        fprintf(stderr, "  write 200 MiB, exit 0: %s %llu kB\n", sb_status_name(res.status),
                (unsigned long long)res.memory_kb);
        CHECK_INT(res.status, SB_OK);
        CHECK(res.memory_kb >= 2 * mib && res.memory_kb < 16 * mib);
    }
    /* 40 MiB held under 64 MiB, where the runs before left their output's pages. */
    spec.argv = (const char *[]){"/progs/hold", "40", "0", "0", NULL};
    CHECK(sb_box_run(box, &spec, &res) == 0);
    fprintf(stderr, "  hold 40 MiB after them: %s %llu kB\n", sb_status_name(res.status),
            (unsigned long long)res.memory_kb);
    CHECK_INT(res.status, SB_OK);
    CHECK(res.memory_kb >= 40 * mib && res.memory_kb < 48 * mib);
    /* 100 MiB, three times: the same figure each time. */
    uint64_t figures[3];
    spec.argv = (const char *[]){"/progs/hold", "100", "1", "0", NULL};
    spec.limits.memory_kb = 256 * mib;
    for (int i = 0; i < 3; i++) {
        CHECK(sb_box_run(box, &spec, &res) == 0 && res.status == SB_OK);
        figures[i] = res.memory_kb;
        fprintf(stderr, "  hold 100 MiB: %llu kB\n", (unsigned long long)res.memory_kb);
        CHECK(res.memory_kb >= 96 * mib && res.memory_kb < 110 * mib);
    }
    for (int i = 1; i < 3; i++)
        CHECK(figures[i] * 100 >= figures[0] * 97 && figures[i] * 100 <= figures[0] * 103);
    unsigned uid = sb_box_uid(box);
    sb_box_free(box);
    CHECK_INT(procs_of_uid(uid), 0);
    CHECK_INT(our_cgroups_left(), 0);
}

TEST(tmp_filled_is_bounded)
{
    struct sb_result res;
    struct sb_spec spec;
    char work[512];

    if (!setup())
        SKIP("needs root");
    make_work("tmpfill", work, sizeof(work));
    native_spec(&spec,
                (const char *[]){"/usr/bin/python3", "-c",
                                 "f = open('/tmp/fill', 'wb')\n"
                                 "for i in range(256): f.write(b'x' * (1 << 20))\n",
                                 NULL},
                work);
    spec.profile = SB_PYTHON;
    spec.limits = (struct sb_limits){.time_ms = 5000, .memory_kb = 64 * 1024};
    REQUIRE(run_checked(&spec, &res) == 0);
    /* 256 MiB cannot land in a 64 MiB box: the tmpfs is full or the cgroup kills. */
    CHECK(res.status == SB_MLE || res.status == SB_RE);
}

TEST(busy_loop_tle_on_cpu)
{
    struct sb_result res;
    char work[512];

    NEED("busy");
    CHECK_INT(run_native("busy", (const char *[]){"busy", NULL},
                         (struct sb_limits){.time_ms = 300, .memory_kb = 65536}, &res, work,
                         sizeof(work)),
              SB_TLE);
    CHECK(res.cpu_ms >= 300 && res.cpu_ms < 400);
    CHECK(res.wall_ms < 1600); /* the CPU limit fired, not the wall clock */
}

TEST(sleep_forever_and_sigstop_tle_on_wall)
{
    struct sb_result res;
    char work[512];
    /* The CPU limit well above what starting takes on an emulated CPU, so that the wall clock
     * (500 ms) is what stops the sleeper. */
    struct sb_limits lim = {.time_ms = legit_ms(200), .wall_ms = 500, .memory_kb = 65536};

    NEED("sleeper");
    CHECK_INT(run_native("sleep", (const char *[]){"sleeper", NULL}, lim, &res, work, sizeof(work)),
              SB_TLE);
    CHECK(res.wall_ms >= 500 && res.wall_ms < 1000);
    CHECK_INT(run_native("stop", (const char *[]){"sleeper", "stop", NULL}, lim, &res, work,
                         sizeof(work)),
              SB_TLE);
    CHECK(res.wall_ms >= 500 && res.wall_ms < 1000);
}

TEST(endless_output_ole)
{
    struct sb_result res;
    char work[512], out[700];
    struct stat st;

    NEED("flood");
    CHECK_INT(run_native("flood", (const char *[]){"flood", NULL},
                         (struct sb_limits){.time_ms = 2000, .memory_kb = 65536, .output_kb = 1024},
                         &res, work, sizeof(work)),
              SB_OLE);
    snprintf(out, sizeof(out), "%s/out.txt", work);
    CHECK(stat(out, &st) == 0 && st.st_size <= 1024 * 1024);
}

TEST(cpu_in_threads_and_children_counted)
{
    struct sb_result res;
    char work[512];
    struct sb_limits lim = {.time_ms = 400, .wall_ms = 3000, .memory_kb = 65536};

    NEED("cpu_threads");
    CHECK_INT(
        run_native("threads", (const char *[]){"cpu_threads", NULL}, lim, &res, work, sizeof(work)),
        SB_TLE);
    CHECK(res.cpu_ms >= 400 && res.wall_ms < 2000);
    CHECK_INT(run_native("children", (const char *[]){"cpu_threads", "fork", NULL}, lim, &res, work,
                         sizeof(work)),
              SB_TLE);
    CHECK(res.cpu_ms >= 400 && res.wall_ms < 2000);
}

TEST(cpu_time_matches_bare_run)
{
    struct sb_result res;
    char work[512], prog[400];
    struct rusage ru;
    int st;

    if (legit_ms(1) > 1)
        SKIP("an emulated CPU: CPU time is too noisy to compare within 5%");
    NEED("busy");
    snprintf(prog, sizeof(prog), "%s/busy", bin_dir);
    for (int ms = 100; ms <= 1000; ms *= 10) {
        char arg[16];
        snprintf(arg, sizeof(arg), "%d", ms);
        pid_t pid;
        const char *argv[] = {prog, arg, NULL};
        REQUIRE(posix_spawn(&pid, prog, NULL, NULL, (char *const *)argv, environ) == 0);
        REQUIRE(wait4(pid, &st, 0, &ru) == pid);
        double bare = (double)ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000.0 +
                      (double)ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000.0;
        CHECK_INT(run_native("cpu", (const char *[]){"busy", arg, NULL},
                             (struct sb_limits){.time_ms = 5000, .memory_kb = 65536}, &res, work,
                             sizeof(work)),
                  SB_OK);
        fprintf(stderr, "  bare %.1f ms, box %llu ms\n", bare, (unsigned long long)res.cpu_ms);
        CHECK((double)res.cpu_ms >= bare * 0.95 - 1 && (double)res.cpu_ms <= bare * 1.05 + 1);
    }
}

static void escape_in(enum sb_profile profile, const char *name)
{
    struct sb_result res;
    struct sb_spec spec;
    struct listener l;
    char work[512], out[700], port[16], text[4096], outside[700];
    struct stat st;
    int fd = -1;

    REQUIRE(listener_open(&l) == 0);
    snprintf(port, sizeof(port), "%d", l.port);
    make_work(name, work, sizeof(work));
    snprintf(out, sizeof(out), "%s/out.txt", work);
    native_spec(&spec, (const char *[]){"/progs/escape", port, root, NULL}, work);
    spec.profile = profile;
    spec.stdout_path = out;
    REQUIRE(run_checked(&spec, &res) == 0);
    read_text(out, text, sizeof(text));
    CHECK_INT(res.status, SB_OK);
    CHECK(strstr(text, "LEAK") == NULL);
    CHECK(strstr(text, "udp send to host: blocked") != NULL);
    if (strstr(text, "LEAK"))
        fputs(text, stderr);
    CHECK(listener_quiet(&l));
    /* Nothing written beside the working folder. */
    snprintf(outside, sizeof(outside), "%s/pwned", root);
    CHECK(stat(outside, &st) < 0);
    CHECK(stat("/pwned", &st) < 0);
    /* Reading back never follows what the program planted. */
    CHECK_INT(sb_open_result(work, "link", &fd), -ELOOP);
    CHECK_INT(sb_open_result(work, "result_link", &fd), -ELOOP);
    CHECK_INT(sb_open_result(work, "../bin/escape", &fd), -EXDEV);
    CHECK(sb_open_result(work, "out.txt", &fd) == 0);
    if (fd >= 0)
        close(fd);
    /* A result path that became a symlink is not written through either. */
    struct sb_box *box = NULL;
    char link[700];
    snprintf(link, sizeof(link), "%s/link", work);
    REQUIRE(sb_box_new(&(struct sb_box_options){.slot = -1}, &box) == 0);
    spec.stdout_path = link;
    spec.argv = (const char *[]){"/progs/escape", NULL};
    CHECK_INT(sb_box_run(box, &spec, &res), -ELOOP);
    CHECK_INT(res.status, SB_SE);
    sb_box_free(box);
}

TEST(escapes_native)
{
    NEED("escape");
    escape_in(SB_NATIVE, "escape-native");
}

TEST(escapes_compiler_profile)
{
    NEED("escape");
    escape_in(SB_COMPILER, "escape-compiler");
}

/* --- the box's own errors ------------------------------------------------------------------ */

/* The filters the library runs with are the build's compilation of today's rules. */
TEST(filter_table_matches_rules)
{
    for (int p = 0; p < SB_PROFILE_COUNT; p++) {
        struct sb_filter built, compiled;
        CHECK_INT(sb_filter_build((enum sb_profile)p, &built), 0);
        CHECK_INT(sb_filter_compile((enum sb_profile)p, &compiled), 0);
        CHECK(built.len > 0);
        CHECK_INT(built.len, compiled.len);
        if (built.len == compiled.len)
            CHECK(memcmp(built.insns, compiled.insns, built.len * sizeof(*built.insns)) == 0);
        sb_filter_release(&built);
        sb_filter_release(&compiled);
    }
    struct sb_filter none;
    CHECK_INT(sb_filter_build((enum sb_profile)SB_PROFILE_COUNT, &none), -EINVAL);
}

TEST(missing_program_is_se)
{
    struct sb_result res;
    struct sb_spec spec;
    char work[512];

    if (!setup())
        SKIP("needs root");
    make_work("missing", work, sizeof(work));
    native_spec(&spec, (const char *[]){"./nothing-here", NULL}, work);
    CHECK_INT(run_checked(&spec, &res), -ENOENT);
    CHECK_INT(res.status, SB_SE);
    CHECK(strstr(res.message, "nothing-here") != NULL);
    spec.work_dir = "/nonexistent-gavel-dir";
    CHECK(run_checked(&spec, &res) < 0);
    CHECK_INT(res.status, SB_SE);
}

/* Starts gavel-run with args, its stdout into a pipe: the pid, *ret_out the pipe's read end. */
static pid_t gavel_run_start(const char *const *args, int *ret_out)
{
    const char *argv[32] = {GAVEL_RUN_PATH};
    int p[2];
    pid_t pid;
    posix_spawn_file_actions_t fa;

    for (int i = 0; args[i] && i < 30; i++)
        argv[i + 1] = args[i];
    if (pipe(p) < 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    int r = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (r != 0) {
        close(p[0]);
        return -1;
    }
    *ret_out = p[0];
    return pid;
}

/* Reads a started gavel-run's stdout to the end and reaps it: its exit status. */
static int gavel_run_finish(pid_t pid, int out_fd, char *out, size_t size)
{
    size_t got = 0;
    ssize_t n;
    int st;

    while (got + 1 < size && (n = read(out_fd, out + got, size - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(out_fd);
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs gavel-run with args; captures its stdout; returns its exit status. */
static int gavel_run(const char *const *args, char *out, size_t size)
{
    int fd;
    pid_t pid = gavel_run_start(args, &fd);

    return pid < 0 ? -1 : gavel_run_finish(pid, fd, out, size);
}

/* Whether a lingering box still serves at one of the pool's sockets. */
static int pool_sockets_left(void)
{
    DIR *d = opendir("/run/gavel-sandbox");
    struct dirent *e;
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, "gavel-run-", 10) == 0 && strstr(e->d_name, ".sock"))
            n++;
    closedir(d);
    return n;
}

/* How many entries of dir start with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

TEST(gavel_run_cli)
{
    char work[512], out[1024], bind[400], stdout_path[700];

    NEED("hello", "busy", "deep_tree");
    make_work("cli", work, sizeof(work));
    snprintf(bind, sizeof(bind), "%s:/progs", bin_dir);
    snprintf(stdout_path, sizeof(stdout_path), "%s/o.txt", work);
    CHECK_INT(gavel_run((const char *[]){"--dir", work, "--bind", bind, "--stdout", stdout_path,
                                         "--time-ms", "1000", "--memory-mb", "64", "--",
                                         "/progs/hello", NULL},
                        out, sizeof(out)),
              0);
    CHECK(strncmp(out, "{\"status\":\"OK\",\"exit_code\":0,\"signal\":null,\"cpu_ms\":", 51) == 0);
    CHECK(strstr(out, "\"message\":\"\"}\n") != NULL);
    CHECK_INT(gavel_run((const char *[]){"--dir", work, "--bind", bind, "--time-ms", "100", "--",
                                         "/progs/busy", NULL},
                        out, sizeof(out)),
              0);
    CHECK(strstr(out, "\"status\":\"TLE\",\"exit_code\":null,\"signal\":9,") != NULL);
    CHECK(gavel_run((const char *[]){"--dir", work, "--", "./missing", NULL}, out, sizeof(out)) !=
          0);
    CHECK(strstr(out, "\"status\":\"SE\"") != NULL);
    CHECK(gavel_run((const char *[]){"--time-ms", "ten", "--", "/progs/hello", NULL}, out,
                    sizeof(out)) != 0);
    CHECK(strstr(out, "\"status\":\"SE\"") != NULL);
    CHECK(gavel_run((const char *[]){"--profile", "cobol", "--", "/progs/hello", NULL}, out,
                    sizeof(out)) != 0);
    CHECK(strstr(out, "\"status\":\"SE\"") != NULL);

    /* The folder of --dir is the box's for the run only: its owner and mode come back. */
    struct stat before, after;
    REQUIRE(chmod(work, 0751) == 0 && stat(work, &before) == 0);
    CHECK_INT(gavel_run((const char *[]){"--dir", work, "--", "/bin/sh", "-c", "touch made", NULL},
                        out, sizeof(out)),
              0);
    REQUIRE(stat(work, &after) == 0);
    CHECK_INT(after.st_uid, before.st_uid);
    CHECK_INT(after.st_gid, before.st_gid);
    CHECK_INT(after.st_mode, before.st_mode);
    CHECK(strncmp(out, "{\"status\":\"OK\",", 15) == 0);
    /* Without --dir the box works in a new empty folder, removed after; never the current
     * folder, which might be / or a home. */
    int tmp_before = count_prefixed("/tmp", "gavel-run-");
    CHECK_INT(
        gavel_run((const char *[]){"--", "/bin/sh", "-c", "test -z \"$(ls -A)\" && touch x", NULL},
                  out, sizeof(out)),
        0);
    CHECK(strncmp(out, "{\"status\":\"OK\",", 15) == 0);
    CHECK_INT(count_prefixed("/tmp", "gavel-run-"), tmp_before);
    /* Even a tree far deeper than a recursive removal takes, closed to everyone at the bottom. */
    CHECK_INT(gavel_run((const char *[]){"--bind", bind, "--time-ms", "20000", "--",
                                         "/progs/deep_tree", "60000", NULL},
                        out, sizeof(out)),
              0);
    CHECK(strncmp(out, "{\"status\":\"OK\",", 15) == 0);
    CHECK_INT(count_prefixed("/tmp", "gavel-run-"), tmp_before);

    /* A lingering box serves the next gavel-run, then goes away with its cgroups. */
    for (int i = 0; i < 3; i++) {
        CHECK_INT(gavel_run((const char *[]){"--linger-ms", "300", "--dir", work, "--bind", bind,
                                             "--stdout", stdout_path, "--", "/progs/hello", NULL},
                            out, sizeof(out)),
                  0);
        CHECK(strncmp(out, "{\"status\":\"OK\",", 15) == 0);
    }
    CHECK_INT(gavel_run((const char *[]){"--linger-ms", "300", "--dir", work, "--bind", bind,
                                         "--time-ms", "100", "--", "/progs/busy", NULL},
                        out, sizeof(out)),
              0);
    CHECK(strstr(out, "\"status\":\"TLE\"") != NULL);

    /* Concurrent gavel-runs each take a lingering box of their own: a short run started while
     * a long one holds the first box is done before the long one. */
    char long_out[1024];
    int long_fd = -1;
    pid_t long_pid =
        gavel_run_start((const char *[]){"--linger-ms", "300", "--dir", work, "--bind", bind,
                                         "--time-ms", "5000", "--", "/progs/busy", "700", NULL},
                        &long_fd);
    REQUIRE(long_pid > 0);
    usleep(150 * 1000);
    CHECK_INT(gavel_run((const char *[]){"--linger-ms", "2000", "--dir", work, "--bind", bind, "--",
                                         "/progs/hello", NULL},
                        out, sizeof(out)),
              0);
    CHECK(strncmp(out, "{\"status\":\"OK\",", 15) == 0);
    CHECK_INT(waitpid(long_pid, NULL, WNOHANG), 0); /* the long run is still going */
    CHECK_INT(gavel_run_finish(long_pid, long_fd, long_out, sizeof(long_out)), 0);
    CHECK(strncmp(long_out, "{\"status\":\"OK\",", 15) == 0);
    CHECK_INT(pool_sockets_left(), 2); /* the short run's box was a second one, still there */

    /* Idle boxes go away by themselves, with their cgroups. */
    for (int i = 0; i < 100 && pool_sockets_left() > 0; i++)
        usleep(50 * 1000);
    CHECK_INT(pool_sockets_left(), 0);
}

/* --- two boxes joined by pipes (interactive problems) ------------------------------------- */

/*
 * Runs /progs/guess_solve (sub_arg) and /progs/guess_judge (judge_arg) in two boxes, the
 * solver's stdout into the judge's stdin and back, both started before either is waited for.
 * *ret_first is 0 when the solver's result came first, 1 the judge's.
 */
static int run_pair(const char *sub_arg, const char *judge_arg, uint32_t wall_ms,
                    struct sb_result *rs, struct sb_result *rj, int *ret_first)
{
    struct sb_box *a = NULL, *b = NULL;
    int to_judge[2] = {-1, -1}, to_sub[2] = {-1, -1}, r = -1;
    char wa[512], wb[512], err_path[700];

    make_work("pair-sub", wa, sizeof(wa));
    make_work("pair-judge", wb, sizeof(wb));
    snprintf(err_path, sizeof(err_path), "%s/err.txt", wb);
    if (sb_box_new(&(struct sb_box_options){.slot = -1}, &a) < 0 ||
        sb_box_new(&(struct sb_box_options){.slot = -1}, &b) < 0 ||
        pipe2(to_judge, O_CLOEXEC) < 0 || pipe2(to_sub, O_CLOEXEC) < 0)
        goto out;
    struct sb_spec ss, sj;
    const char *sargv[] = {"/progs/guess_solve", sub_arg, NULL};
    const char *jargv[] = {"/progs/guess_judge", judge_arg, NULL};
    native_spec(&ss, sargv, wa);
    native_spec(&sj, jargv, wb);
    ss.fd_streams = sj.fd_streams = SB_STDIN_FD | SB_STDOUT_FD;
    ss.stdin_fd = to_sub[0];
    ss.stdout_fd = to_judge[1];
    sj.stdin_fd = to_judge[0];
    sj.stdout_fd = to_sub[1];
    sj.stderr_path = err_path;
    ss.limits.wall_ms = sj.limits.wall_ms = wall_ms;
    if (sb_box_start(a, &ss, rs) < 0)
        goto out;
    if (sb_box_start(b, &sj, rj) < 0) {
        if (sb_box_wait(a, rs) < 0)
            fprintf(stderr, "wait: %s\n", rs->message);
        goto out;
    }
    /* Our ends must go, or neither program ever sees end of file. */
    for (int i = 0; i < 2; i++) {
        close(to_judge[i]);
        close(to_sub[i]);
        to_judge[i] = to_sub[i] = -1;
    }
    struct pollfd p[2] = {{.fd = sb_box_wait_fd(a), .events = POLLIN},
                          {.fd = sb_box_wait_fd(b), .events = POLLIN}};
    while (poll(p, 2, -1) < 0)
        ;
    *ret_first = (p[0].revents & POLLIN) ? 0 : 1;
    int ra = sb_box_wait(a, rs), rb = sb_box_wait(b, rj);
    r = ra < 0 ? ra : rb;
    fprintf(stderr, "  -> solver %s exit=%d sig=%d wall=%llu; judge %s exit=%d wall=%llu %s\n",
            sb_status_name(rs->status), rs->exit_code, rs->signal, (unsigned long long)rs->wall_ms,
            sb_status_name(rj->status), rj->exit_code, (unsigned long long)rj->wall_ms,
            rj->message);
out:
    for (int i = 0; i < 2; i++) {
        if (to_judge[i] >= 0)
            close(to_judge[i]);
        if (to_sub[i] >= 0)
            close(to_sub[i]);
    }
    sb_box_free(a);
    sb_box_free(b);
    return r;
}

TEST(pipes_between_two_boxes)
{
    struct sb_result rs, rj;
    int first = -1;

    NEED("guess_solve", "guess_judge");
    /* A whole binary search over 1..1e9: some 30 round trips. */
    REQUIRE(run_pair("", "123456789", 20000, &rs, &rj, &first) == 0);
    CHECK_INT(rs.status, SB_OK);
    CHECK_INT(rj.status, SB_RE);
    CHECK_INT(rj.exit_code, 42);
    CHECK(rs.wall_ms < 10000 && rj.wall_ms < 10000);

    /* The solver closes both streams and lingers: the judge sees end of file at once, long
     * before the solver ends (the box holds no copy of the solver's ends). */
    REQUIRE(run_pair("quit", "5", 20000, &rs, &rj, &first) == 0);
    CHECK_INT(rs.status, SB_OK);
    CHECK_INT(rj.exit_code, 43);
    CHECK_INT(first, 1);
    CHECK(rj.wall_ms < 900);

    /* The judge leaves without reading a byte: the solver writing without end gets SIGPIPE,
     * not a wall clock, and nothing waits on a full pipe. */
    REQUIRE(run_pair("flood", "quit", 20000, &rs, &rj, &first) == 0);
    CHECK_INT(rj.exit_code, 43);
    CHECK_INT(rs.status, SB_RE);
    CHECK_INT(rs.signal, SIGPIPE);
    CHECK(rs.wall_ms < 10000);
    CHECK_INT(our_cgroups_left(), 0);
}

TEST(start_wait_misuse)
{
    struct sb_box *box = NULL;
    struct sb_result res;
    struct sb_spec spec;
    char work[512];

    NEED("hello");
    REQUIRE(sb_box_new(&(struct sb_box_options){.slot = -1}, &box) == 0);
    make_work("misuse", work, sizeof(work));
    native_spec(&spec, (const char *[]){"/progs/hello", NULL}, work);
    CHECK_INT(sb_box_wait(box, &res), -EINVAL); /* nothing started */
    spec.fd_streams = SB_STDIN_FD;
    spec.stdin_fd = -1;
    CHECK_INT(sb_box_start(box, &spec, &res), -EINVAL); /* a bad descriptor */
    spec.fd_streams = 8;
    CHECK_INT(sb_box_start(box, &spec, &res), -EINVAL);
    spec.fd_streams = 0;
    CHECK_INT(sb_box_start(box, &spec, &res), 0);
    CHECK_INT(sb_box_start(box, &spec, &res), -EINVAL); /* one run at a time */
    CHECK_INT(sb_box_wait(box, &res), 0);
    CHECK_INT(res.status, SB_OK);
    sb_box_free(box);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    return harness_main(argc, argv);
}
