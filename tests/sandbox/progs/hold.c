/* hold HOLD_MB WRITE_MB EXIT: holds HOLD_MB of memory it touched, writes WRITE_MB of output to
 * stdout (page cache, not memory it holds), then exits with EXIT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long hold = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    long write_mb = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    int code = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 0;
    static char buf[1 << 16];
    char *p = hold ? malloc((size_t)hold << 20) : NULL;

    if (hold && !p)
        return 3;
    if (p)
        memset(p, 1, (size_t)hold << 20);
    memset(buf, 'x', sizeof(buf));
    for (long i = 0; i < (write_mb << 20) / (long)sizeof(buf); i++)
        if (fwrite(buf, 1, sizeof(buf), stdout) != sizeof(buf))
            return 4;
    if (fflush(stdout) != 0)
        return 4;
    return code + (p && p[12345] != 1);
}
