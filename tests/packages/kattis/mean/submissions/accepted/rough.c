/* Five significant digits: inside the relative tolerance of 1e-4. */
#include <stdio.h>

int main(void)
{
    long long n, x, s = 0;
    if (scanf("%lld", &n) != 1)
        return 1;
    for (long long i = 0; i < n; i++)
        if (scanf("%lld", &x) == 1)
            s += x;
    printf("%.5g\n", (double)s / n);
    return 0;
}
