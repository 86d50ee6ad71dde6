/* Searches down from n - 1: about n / p steps, far too many for large n. */
#include <stdio.h>

int main(void)
{
    long long n;
    if (scanf("%lld", &n) != 1)
        return 1;
    for (volatile long long d = n - 1; d > 1; d = d - 1)
        if (n % d == 0) {
            printf("%lld\n", (long long)d);
            return 0;
        }
    return 1;
}
