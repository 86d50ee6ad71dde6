/* Hostile: burns CPU in two threads, or (argument "fork") in two child processes. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static void *spin(void *arg)
{
    volatile unsigned long x = 0;
    for (;;)
        x++;
    return arg;
}

int main(int argc, char **argv)
{
    pthread_t t[2];
    if (argc > 1 && strcmp(argv[1], "fork") == 0) {
        for (int i = 0; i < 2; i++)
            if (fork() == 0)
                spin(NULL);
        for (;;)
            pause();
    }
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, spin, NULL);
    pthread_join(t[0], NULL);
    return 0;
}
