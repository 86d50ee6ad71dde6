// Checker for "Any divisor": called as `checker input output answer`; exit 0 accepts, 1
// rejects (testlib's codes), 3 reports a broken test. The answer file holds one valid divisor
// and is not needed: any proper divisor is right.
#include <cstdio>

int main(int argc, char **argv)
{
    if (argc < 4)
        return 3;
    FILE *in = std::fopen(argv[1], "r"), *out = std::fopen(argv[2], "r");
    long long n, d;
    char extra;
    if (!in || !out || std::fscanf(in, "%lld", &n) != 1)
        return 3;
    if (std::fscanf(out, "%lld", &d) != 1) {
        std::puts("expected an integer");
        return 1;
    }
    if (std::fscanf(out, " %c", &extra) == 1) {
        std::puts("extra output after the divisor");
        return 1;
    }
    if (d <= 1 || d >= n || n % d != 0) {
        std::printf("%lld is not a divisor of %lld strictly between 1 and n\n", d, n);
        return 1;
    }
    return 0;
}
