#include <stdio.h>

int main(void)
{
    long long n, q, lo = 1, hi;
    char r[4];
    if (scanf("%lld %lld", &n, &q) != 2)
        return 1;
    hi = n;
    while (lo <= hi) {
        long long m = lo + (hi - lo) / 2;
        printf("? %lld\n", m);
        fflush(stdout);
        if (scanf("%3s", r) != 1 || r[0] == '=')
            return 0;
        if (r[0] == '<')
            hi = m - 1;
        else
            lo = m + 1;
    }
    return 0;
}
