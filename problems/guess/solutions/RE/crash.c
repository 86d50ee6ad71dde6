#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    long long n, q;
    if (scanf("%lld %lld", &n, &q) == 2)
        abort();
    return 0;
}
