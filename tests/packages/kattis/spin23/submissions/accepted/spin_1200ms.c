/* Accepted, but slower than C's 1 s default: the derived limit lets it in. */
#include <stdio.h>
#include <time.h>

int main(void)
{
    volatile unsigned long spins = 0;
    long n;

    if (scanf("%ld", &n) != 1)
        return 1;
    /* spin for a fixed amount of CPU time, whatever the machine's speed */
    while (clock() < (clock_t)(1.2 * CLOCKS_PER_SEC))
        spins++;
    printf("%ld\n", n * 2);
    return 0;
}
