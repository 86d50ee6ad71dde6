/* Overflows: int holds at most 2^31 - 1. */
#include <stdio.h>

int main(void)
{
    long long a, b;
    if (scanf("%lld %lld", &a, &b) != 2)
        return 1;
    printf("%d\n", (int)((unsigned)a + (unsigned)b));
    return 0;
}
