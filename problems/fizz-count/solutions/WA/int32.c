/* 32-bit arithmetic: right for the small group only (30 points). */
#include <stdio.h>

int main(void)
{
    long long big;
    if (scanf("%lld", &big) != 1)
        return 1;
    int n = (int)big;
    printf("%d\n", n / 3 + n / 5 - n / 15);
    return 0;
}
