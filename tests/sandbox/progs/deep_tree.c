/* deep_tree [LEVELS]: a folder chain far deeper than a recursive removal can take, a file and
 * a folder closed to everyone along the way; what a cleanup holding a descriptor per level
 * cannot remove. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long levels = argc > 1 ? strtol(argv[1], NULL, 10) : 50000;

    for (long i = 0; i < levels; i++) {
        if (mkdir("d", 0700) < 0 || chdir("d") < 0) {
            printf("stopped at %ld\n", i);
            return 1;
        }
        if (i % 5000 == 0) {
            int fd = open("f", O_WRONLY | O_CREAT, 0600);
            if (fd >= 0)
                close(fd);
            (void)mkfifo("fifo", 0600);
        }
    }
    (void)chmod(".", 0);
    printf("%ld levels\n", levels);
    return 0;
}
