/* Hostile: sleeps forever; with an argument, stops itself with SIGSTOP instead. */
#include <signal.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1)
        raise(SIGSTOP);
    for (;;)
        pause();
}
