/*
 * test_verdict.c: the rules that turn what a run did into its status and message
 * (sandbox/verdict.c), without a box: wait statuses are made up, and the program's output
 * files are memory files of the size a rule looks at. Needs nothing: label "unit".
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"
#include "sandbox/sandbox.h"
#include "tests/harness.h"

static const struct sb_limits limits = {
    .time_ms = 1000, .wall_ms = 3000, .memory_kb = 65536, .output_kb = 64, .procs = 64};

/* An outcome of a program that ran to its end, with no output files. */
static struct sb_outcome exited(int code)
{
    return (struct sb_outcome){.wait_status = W_EXITCODE(code, 0), .out_fd = -1, .err_fd = -1};
}

static struct sb_outcome killed(int sig)
{
    return (struct sb_outcome){.wait_status = W_EXITCODE(0, sig), .out_fd = -1, .err_fd = -1};
}

static struct sb_result judge(const struct sb_outcome *o, enum sb_profile profile, uint64_t cpu_ms)
{
    struct sb_result res;

    memset(&res, 0x5a, sizeof(res)); /* whatever the keeper left there before */
    res.cpu_ms = cpu_ms;
    sb_verdict_decide(&res, &limits, profile, o);
    return res;
}

/* A memory file of size bytes, text at offset at (NULL: zeros only). -1 on failure. */
static int file_with(size_t size, const char *text, size_t at)
{
    int fd = memfd_create("verdict", MFD_CLOEXEC);

    if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
        return -1;
    if (text && pwrite(fd, text, strlen(text), (off_t)at) != (ssize_t)strlen(text))
        return -1;
    return fd;
}

TEST(exit_zero_is_ok)
{
    struct sb_outcome o = exited(0);
    struct sb_result r = judge(&o, SB_NATIVE, 10);

    CHECK_INT(r.status, SB_OK);
    CHECK_INT(r.exit_code, 0);
    CHECK_INT(r.signal, 0);
    CHECK_STR(r.message, "");
}

TEST(non_zero_exit_is_re)
{
    struct sb_outcome o = exited(3);
    struct sb_result r = judge(&o, SB_NATIVE, 10);

    CHECK_INT(r.status, SB_RE);
    CHECK_INT(r.exit_code, 3);
    CHECK_INT(r.signal, 0);
    CHECK_STR(r.message, "exited with code 3");
}

TEST(signal_is_re_with_its_name)
{
    struct sb_outcome o = killed(SIGSEGV);
    struct sb_result r = judge(&o, SB_NATIVE, 10);

    CHECK_INT(r.status, SB_RE);
    CHECK_INT(r.exit_code, -1);
    CHECK_INT(r.signal, SIGSEGV);
    CHECK_STR(r.message, "killed by signal 11 (SIGSEGV)");
    o = killed(SIGUSR1);
    r = judge(&o, SB_NATIVE, 10);
    CHECK_STR(r.message, "killed by signal 10 (signal)");
}

TEST(cpu_time_is_tle)
{
    struct sb_outcome o = exited(0);
    struct sb_result r = judge(&o, SB_NATIVE, 1001); /* over the limit, yet exited */

    CHECK_INT(r.status, SB_TLE);
    CHECK_STR(r.message, "CPU time limit exceeded");
    r = judge(&o, SB_NATIVE, 1000); /* at the limit is within it */
    CHECK_INT(r.status, SB_OK);
    o = killed(SIGKILL);
    o.cpu_over = 1;
    r = judge(&o, SB_NATIVE, 990);
    CHECK_INT(r.status, SB_TLE);
    CHECK_INT(r.signal, SIGKILL);
    o = killed(SIGXCPU);
    r = judge(&o, SB_NATIVE, 10);
    CHECK_INT(r.status, SB_TLE);
    CHECK_STR(r.message, "CPU time limit exceeded");
}

TEST(wall_clock_is_tle_after_cpu)
{
    struct sb_outcome o = killed(SIGKILL);

    o.wall_over = 1;
    struct sb_result r = judge(&o, SB_NATIVE, 10);
    CHECK_INT(r.status, SB_TLE);
    CHECK_STR(r.message, "wall clock limit exceeded");
    o.cpu_over = 1;
    o.oom = 1;
    r = judge(&o, SB_NATIVE, 10);
    CHECK_STR(r.message, "CPU time limit exceeded");
}

TEST(oom_kill_is_mle_before_ole)
{
    struct sb_outcome o = killed(SIGXFSZ);

    o.oom = 1;
    struct sb_result r = judge(&o, SB_NATIVE, 10);
    CHECK_INT(r.status, SB_MLE);
    CHECK_STR(r.message, "memory limit exceeded");
    o = exited(0); /* an OOM kill of a child counts even if the program exits well */
    o.oom = 1;
    r = judge(&o, SB_NATIVE, 10);
    CHECK_INT(r.status, SB_MLE);
}

TEST(death_at_the_memory_peak_is_mle)
{
    uint64_t at = limits.memory_kb * 1024 / 100 * 95;
    struct sb_outcome o = killed(SIGSEGV);

    o.prog_mem = at;
    CHECK_INT(judge(&o, SB_NATIVE, 10).status, SB_MLE);
    o.prog_mem = at - 1;
    CHECK_INT(judge(&o, SB_NATIVE, 10).status, SB_RE);
    o = exited(0); /* a program that used all its memory and ended well is fine */
    o.prog_mem = at;
    CHECK_INT(judge(&o, SB_NATIVE, 10).status, SB_OK);
}

TEST(jvm_out_of_memory_is_mle)
{
    const char *text = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space";
    int fd = file_with(100, text, 10);
    REQUIRE(fd >= 0);
    struct sb_outcome o = exited(1);

    o.err_fd = fd;
    CHECK_INT(judge(&o, SB_JVM, 10).status, SB_MLE);
    CHECK_INT(judge(&o, SB_NATIVE, 10).status, SB_RE); /* only a JVM's says so */
    o.wait_status = W_EXITCODE(0, 0);
    CHECK_INT(judge(&o, SB_JVM, 10).status, SB_OK);
    close(fd);

    /* Only the last 8 KiB are read; NULs before the text do not hide it. */
    fd = file_with(20000, text, 0);
    REQUIRE(fd >= 0);
    o = exited(1);
    o.err_fd = fd;
    CHECK_INT(judge(&o, SB_JVM, 10).status, SB_RE);
    close(fd);
    fd = file_with(20000, text, 20000 - strlen(text));
    REQUIRE(fd >= 0);
    o.err_fd = fd;
    CHECK_INT(judge(&o, SB_JVM, 10).status, SB_MLE);
    close(fd);

    /* A thread the process cap refused is not memory; with a heap error as well, it is. */
    const char *threads = "Exception in thread \"main\" java.lang.OutOfMemoryError: unable to "
                          "create native thread: possibly out of memory or process/resource "
                          "limits reached";
    fd = file_with(300, threads, 10);
    REQUIRE(fd >= 0);
    o = exited(1);
    o.err_fd = fd;
    CHECK_INT(judge(&o, SB_JVM, 10).status, SB_RE);
    close(fd);
    fd = file_with(300, threads, 10);
    REQUIRE(fd >= 0 && pwrite(fd, text, strlen(text), 200) == (ssize_t)strlen(text));
    o.err_fd = fd;
    CHECK_INT(judge(&o, SB_JVM, 10).status, SB_MLE);
    close(fd);
}

TEST(output_at_the_cap_is_ole)
{
    uint64_t cap = limits.output_kb * 1024;
    int full = file_with(cap, NULL, 0), short_ = file_with(cap - 1, NULL, 0);
    int pipe_fds[2];
    REQUIRE(full >= 0 && short_ >= 0);
    REQUIRE(pipe(pipe_fds) == 0);
    struct sb_outcome o = exited(0);

    o.out_fd = full;
    struct sb_result r = judge(&o, SB_NATIVE, 10);
    CHECK_INT(r.status, SB_OLE);
    CHECK_STR(r.message, "output limit exceeded");
    o.out_fd = short_;
    o.err_fd = full;
    CHECK_INT(judge(&o, SB_NATIVE, 10).status, SB_OLE);
    o.err_fd = short_;
    CHECK_INT(judge(&o, SB_NATIVE, 10).status, SB_OK);
    o.out_fd = pipe_fds[1]; /* not a regular file: never over */
    CHECK_INT(judge(&o, SB_NATIVE, 10).status, SB_OK);
    o = killed(SIGXFSZ);
    CHECK_INT(judge(&o, SB_NATIVE, 10).status, SB_OLE);
    close(full);
    close(short_);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

TEST(no_limits_no_verdicts)
{
    struct sb_limits none = {0};
    struct sb_result r;
    int full = file_with(1 << 20, NULL, 0);
    REQUIRE(full >= 0);
    struct sb_outcome o = killed(SIGSEGV);

    o.prog_mem = UINT64_MAX / 2;
    o.out_fd = full;
    r.cpu_ms = 1000000;
    sb_verdict_decide(&r, &none, SB_NATIVE, &o);
    CHECK_INT(r.status, SB_RE);
    close(full);
}

TEST(memory_from_the_peak_or_the_program)
{
    const uint64_t mib = 1 << 20;
    struct sb_memory_reading m = {
        .peak_known = 1, .peak_reset = 1, .peak = 50 * mib, .base = 2 * mib, .maxrss_kb = 9999};

    /* A peak reset before the run: this run's, less the box's base. */
    CHECK_INT(sb_verdict_memory(&m), 48 * mib);
    m.peak = mib;
    CHECK_INT(sb_verdict_memory(&m), 0);
    /* The page cache of what the run wrote is not the program's: 2 MiB held, 200 MiB written. */
    m = (struct sb_memory_reading){.peak_known = 1,
                                   .peak_reset = 1,
                                   .peak = 204 * mib,
                                   .base = 2 * mib,
                                   .maxrss_kb = 1024,
                                   .cache_known = 1,
                                   .cache_before = 1 * mib,
                                   .cache_after = 201 * mib,
                                   .limit = 0};
    CHECK_INT(sb_verdict_memory(&m), 2 * mib);
    /* Under a 64 MiB limit the kernel reclaims the output's pages as it goes: what stays at
     * the end is what is taken off. */
    m.peak = 66 * mib;
    m.cache_after = 63 * mib;
    m.limit = 66 * mib;
    CHECK_INT(sb_verdict_memory(&m), 2 * mib);
    /* Cache left by earlier runs, reclaimed to make room for this one at its limit: its
     * memory is what it took, counted back in. */
    m = (struct sb_memory_reading){.peak_known = 1,
                                   .peak_reset = 1,
                                   .peak = 66 * mib,
                                   .base = 60 * mib, /* 58 MiB of it stale cache */
                                   .maxrss_kb = 1024,
                                   .cache_known = 1,
                                   .cache_before = 58 * mib,
                                   .cache_after = 4 * mib,
                                   .limit = 66 * mib};
    CHECK_INT(sb_verdict_memory(&m), 60 * mib);
    /* Far from the limit, cache the machine reclaimed elsewhere is not counted in. */
    m.limit = 1024 * mib;
    CHECK_INT(sb_verdict_memory(&m), 6 * mib);
    /* v2 before Linux 6.12: the box's peak since creation. A run that raised it set it. */
    m = (struct sb_memory_reading){.peak_known = 1,
                                   .peak_before = 300 * mib,
                                   .peak = 301 * mib,
                                   .base = 2 * mib,
                                   .maxrss_kb = 4096};
    CHECK_INT(sb_verdict_memory(&m), 299 * mib);
    /* One that did not may have used anything below it: a earlier run's 300 MiB is not this
     * one's, whose own high-water mark stands in. */
    m.peak = 300 * mib;
    CHECK_INT(sb_verdict_memory(&m), 4 * mib);
    /* No peak at all (v2 before 5.19). */
    m = (struct sb_memory_reading){.peak_known = 0, .maxrss_kb = 1024};
    CHECK_INT(sb_verdict_memory(&m), mib);
    m.maxrss_kb = -1;
    CHECK_INT(sb_verdict_memory(&m), 0);
}

int main(int argc, char **argv)
{
    return harness_main(argc, argv);
}
