/* An interactive submission: finds the judge's number in 1..n by binary search, asking
 * "? x" and reading "<", ">" or "="; with "linear" it asks 1, 2, 3... instead; with "quit" it
 * closes both streams at once and then sleeps a little, with "flood" it writes without end and
 * never reads. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long lo = 1, hi = 1000000000;
    char reply[8];

    if (argc > 1 && !strcmp(argv[1], "quit")) {
        close(0);
        close(1);
        sleep(1);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "linear")) { /* one question per number: the benchmark's */
        for (long x = 1;; x++) {
            printf("? %ld\n", x);
            fflush(stdout);
            if (scanf("%7s", reply) != 1)
                return 1;
            if (reply[0] == '=')
                return 0;
        }
    }
    if (argc > 1 && !strcmp(argv[1], "flood")) {
        static char line[4096];
        memset(line, 'x', sizeof(line) - 1);
        for (;;)
            fputs(line, stdout);
    }
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        printf("? %ld\n", mid);
        fflush(stdout);
        if (scanf("%7s", reply) != 1)
            return 1;
        if (reply[0] == '=')
            return 0;
        if (reply[0] == '<')
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return 1;
}
