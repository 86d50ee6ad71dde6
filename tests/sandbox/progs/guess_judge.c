/* An interactor: holds the number argv[1] and answers "? x" with "<" (the number is less),
 * ">" or "="; exits 42 when it is found, 43 on anything else or at end of input. With the
 * argument "quit" it leaves at once without reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long secret = argc > 1 ? strtol(argv[1], NULL, 10) : 1, x;
    int queries = 0;

    if (argc > 1 && !strcmp(argv[1], "quit"))
        return 43;
    while (scanf(" ? %ld", &x) == 1) {
        queries++;
        printf("%s\n", x == secret ? "=" : secret < x ? "<" : ">");
        fflush(stdout);
        if (x == secret) {
            fprintf(stderr, "found in %d queries\n", queries);
            return 42;
        }
    }
    return 43;
}
