/* Hostile: writes to standard output without end. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    static char line[4096];
    memset(line, 'x', sizeof(line) - 1);
    for (;;)
        fputs(line, stdout);
}
