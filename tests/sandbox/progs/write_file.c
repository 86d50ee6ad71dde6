/* Legit: writes a file in the working folder and in /tmp. */
#include <stdio.h>

int main(void)
{
    FILE *f = fopen("result.txt", "w");
    FILE *t = fopen("/tmp/scratch", "w");
    if (!f || !t)
        return 1;
    fputs("42\n", f);
    fputs("scratch\n", t);
    return fclose(f) != 0 || fclose(t) != 0;
}
