/* Legit: about 100 MiB of recursion stack (RLIMIT_STACK follows the memory limit). */
#include <stdio.h>
#include <string.h>

static long down(int depth)
{
    volatile char frame[1024];
    memset((char *)frame, depth & 0xff, sizeof(frame));
    if (depth == 0)
        return frame[10];
    return down(depth - 1) + frame[depth % 1024];
}

int main(void)
{
    printf("%ld\n", down(100 * 1024)); /* 100 Ki frames of just over 1 KiB */
    return 0;
}
