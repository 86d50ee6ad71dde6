/* Prints the IPC namespace it runs in, and whether System V shared memory can be made. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

int main(void)
{
    char ns[64] = "";
    ssize_t n = readlink("/proc/self/ns/ipc", ns, sizeof(ns) - 1);

    if (n > 0)
        ns[n] = '\0';
    int id = shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600);
    printf("%s shm=%s\n", ns, id >= 0 ? "made" : strerror(errno));
    return 0;
}
