/* Hostile: a 1 GiB static array, touched page by page. */
#include <stdio.h>

static char big[1u << 30];

int main(void)
{
    for (size_t i = 0; i < sizeof(big); i += 4096)
        big[i] = 1;
    printf("%d\n", big[4096]);
    return 0;
}
