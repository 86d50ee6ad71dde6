#include <stdio.h>
#include "lib/op.h"

int main(void)
{
    long a, b;
    if (scanf("%ld %ld", &a, &b) != 2)
        return 1;
    printf("%ld\n", op(a, b));
    return 0;
}
