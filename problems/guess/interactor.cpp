// The judge of "guess" (Kattis output validator protocol, run as an interactor): input,
// answer, feedback folder as arguments; the submission's questions on stdin, answers on stdout.
// Input: "n q x"; x = 0 is an adversary keeping the larger part of the range.
#include <cstdio>
#include <cstdlib>
#include <string>

static FILE *msg;

static void verdict(bool ok, const char *why)
{
    if (msg) {
        fprintf(msg, "%s\n", why);
        fclose(msg);
    }
    exit(ok ? 42 : 43);
}

int main(int argc, char **argv)
{
    long long n, q, x, lo = 1, hi, y, used = 0;
    FILE *in = argc > 3 ? fopen(argv[1], "r") : nullptr;
    if (!in || fscanf(in, "%lld %lld %lld", &n, &q, &x) != 3)
        return 3;
    msg = fopen((std::string(argv[3]) + "judgemessage.txt").c_str(), "w");
    hi = n;
    printf("%lld %lld\n", n, q);
    fflush(stdout);
    char op[4];
    while (scanf(" %3s %lld", op, &y) == 2) {
        if (std::string(op) != "?" || y < 1 || y > n)
            verdict(false, "expected \"? y\" with 1 <= y <= n");
        if (++used > q)
            verdict(false, "more questions than allowed");
        const char *a;
        if (x)
            a = y == x ? "=" : x < y ? "<" : ">";
        else if (lo == hi && y == lo)
            a = "=";
        else if (y - lo > hi - y) {
            a = "<";
            if (y - 1 < hi)
                hi = y - 1;
        } else {
            a = ">";
            if (y + 1 > lo)
                lo = y + 1;
        }
        printf("%s\n", a);
        fflush(stdout);
        if (*a == '=')
            verdict(true, "found");
    }
    verdict(false, "the program ended before it found the number");
}
