/* Legit: reads all of standard input (the test gives 50 MB) and prints its size and sum. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    static unsigned char buf[1 << 16];
    unsigned long long total = 0, sum = 0;
    ssize_t n;

    while ((n = read(0, buf, sizeof(buf))) > 0) {
        total += (unsigned long long)n;
        for (ssize_t i = 0; i < n; i++)
            sum += buf[i];
    }
    printf("%llu %llu\n", total, sum);
    return n < 0;
}
