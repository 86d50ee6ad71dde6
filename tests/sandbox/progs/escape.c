/*
 * Hostile: tries every way out of the box it knows. Prints one line per attempt and exits 0
 * only when every attempt failed. Arguments: a TCP/UDP port listening on the host's loopback,
 * and a host path that must stay invisible.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int leaks;

static void expect_fail(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "LEAK" : "blocked");
    if (ok)
        leaks++;
}

static int can_open(const char *path, int flags)
{
    int fd = open(path, flags, 0644);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 9;
    const char *host_path = argc > 2 ? argv[2] : "/home";
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    struct stat st;

    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setvbuf(stdout, NULL, _IONBF, 0);

    expect_fail("read /etc/shadow", can_open("/etc/shadow", O_RDONLY));
    expect_fail("read /proc/1/root/etc/shadow", can_open("/proc/1/root/etc/shadow", O_RDONLY));
    expect_fail("read /proc/1/environ", can_open("/proc/1/environ", O_RDONLY));
    for (int i = 0; i < 20; i++)
        (void)!chdir("..");
    expect_fail("see host path after ../ walk", stat(host_path, &st) == 0);
    expect_fail("see /root", stat("/root", &st) == 0);
    expect_fail("see /sys", stat("/sys/fs/cgroup", &st) == 0);
    expect_fail("see /dev/shm", stat("/dev/shm", &st) == 0);
    expect_fail("see /run", stat("/run", &st) == 0);
    (void)!chdir("/box");
    expect_fail("write /pwned", can_open("/pwned", O_WRONLY | O_CREAT));
    expect_fail("write ../pwned", can_open("../pwned", O_WRONLY | O_CREAT));
    expect_fail("write /usr/pwned", can_open("/usr/pwned", O_WRONLY | O_CREAT));
    expect_fail("write /etc/pwned", can_open("/etc/pwned", O_WRONLY | O_CREAT));
    expect_fail("write /proc/sys/kernel/hostname", can_open("/proc/sys/kernel/hostname", O_WRONLY));
    expect_fail("write /dev/pwned", can_open("/dev/pwned", O_WRONLY | O_CREAT));
    expect_fail("symlink to host out of the box",
                symlink("/etc/shadow", "link") == 0 && can_open("link", O_RDONLY));
    (void)!symlink("/etc/passwd", "result_link");
    (void)!symlink("/proc/1/root", "root_link");
    expect_fail("through /proc/1/root link", can_open("root_link/etc/shadow", O_RDONLY));

    expect_fail("setuid(0)", setuid(0) == 0);
    expect_fail("mount tmpfs", mount("none", "/tmp", "tmpfs", 0, NULL) == 0);
    expect_fail("chroot", chroot("/tmp") == 0);
    expect_fail("unshare user namespace", unshare(CLONE_NEWUSER) == 0);
    expect_fail("unshare net namespace", unshare(CLONE_NEWNET) == 0);
    long c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (c == 0)
        _exit(0);
    if (c > 0)
        waitpid((pid_t)c, NULL, 0);
    expect_fail("clone new user namespace", c >= 0);
    expect_fail("ptrace pid 1", ptrace(PTRACE_ATTACH, 1, NULL, NULL) == 0);
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    expect_fail("ptrace own child", child > 0 && ptrace(PTRACE_ATTACH, child, NULL, NULL) == 0);
    expect_fail("signal pid 1", kill(1, SIGKILL) == 0);
    (void)kill(-1, SIGKILL); /* must reach no one outside: the box lives on */

    int s = socket(AF_INET, SOCK_STREAM, 0);
    expect_fail("tcp connect to host", s >= 0 && connect(s, (void *)&to, sizeof(to)) == 0);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    expect_fail("udp send to host", u >= 0 && sendto(u, "x", 1, 0, (void *)&to, sizeof(to)) == 1);
    return leaks ? 1 : 0;
}
