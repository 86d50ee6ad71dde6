/* Hostile: loops forever; with an argument N, burns N ms of CPU time and exits 0. */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    long ms = argc > 1 ? strtol(argv[1], NULL, 10) : -1;
    volatile unsigned long x = 0;
    for (;;) {
        for (int i = 0; i < 100000; i++)
            x += (unsigned long)i;
        if (ms >= 0 && clock() >= ms * (CLOCKS_PER_SEC / 1000))
            return 0;
    }
}
