/* Hostile: leaves children sleeping (one double-forked into a new session) and exits 0. */
#include <unistd.h>

int main(void)
{
    for (int i = 0; i < 3; i++)
        if (fork() == 0) {
            if (i == 2 && fork() != 0)
                _exit(0);
            setsid();
            sleep(1000);
            _exit(0);
        }
    return 0;
}
