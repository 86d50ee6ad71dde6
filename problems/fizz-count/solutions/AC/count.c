#include <stdio.h>

int main(void)
{
    long long n;
    if (scanf("%lld", &n) != 1)
        return 1;
    printf("%lld\n", n / 3 + n / 5 - n / 15);
    return 0;
}
