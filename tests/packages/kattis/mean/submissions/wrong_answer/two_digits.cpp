// Two significant digits: outside the tolerance.
#include <cstdio>

int main()
{
    long long n, x, s = 0;
    std::scanf("%lld", &n);
    for (long long i = 0; i < n; i++)
        if (std::scanf("%lld", &x) == 1)
            s += x;
    std::printf("%.2g\n", (double)s / n);
}
