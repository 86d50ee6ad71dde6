/* Accepted: needs 300 MiB, more than the languages' 256 MiB default but well within the
 * format's 2048 MiB when the package sets no limits.memory.
 * @EXPECTED_RESULTS@: CORRECT */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    size_t size = (size_t)300 << 20;
    volatile char *p = malloc(size); /* volatile: every page is really written */
    long n, sum = 0;

    if (!p || scanf("%ld", &n) != 1)
        return 1;
    for (size_t i = 0; i < size; i += 4096)
        p[i] = 1;
    for (size_t i = 0; i < size; i += 4096)
        sum += p[i];
    printf("%ld\n", n * 2 + (sum == (long)(size / 4096) ? 0 : 1));
    return 0;
}
