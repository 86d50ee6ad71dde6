#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[4096];
    char *words[2048];
    int n;

    if (!fgets(line, sizeof(line), stdin) || sscanf(line, "%d", &n) != 1)
        return 1;
    while (n-- > 0 && fgets(line, sizeof(line), stdin)) {
        int k = 0;
        char *p = line;
        line[strcspn(line, "\r\n")] = '\0';
        while (*p) {
            words[k++] = p;
            p += strcspn(p, " ");
            if (*p)
                *p++ = '\0';
        }
        for (int i = k - 1; i >= 0; i--)
            printf("%s%s", words[i], i ? " " : "\n");
    }
    return 0;
}
