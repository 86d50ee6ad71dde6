// Output validator for "Pair with a given sum": validator input answer feedback_dir [flags]
// with the team's output on stdin. Exits 42 when the pair is valid, 43 otherwise.
// The flag "lenient" (problem.yaml's validator_flags) accepts the two indices in either order;
// any other flag is a mistake of the package (exit 1).
#include "verdict.h"
#include <cstdio>
#include <cstring>
#include <utility>
#include <string>
#include <vector>

static int reject(const char *dir, const char *why)
{
    std::string path = std::string(dir) + "/judgemessage.txt";
    if (FILE *f = std::fopen(path.c_str(), "w")) {
        std::fputs(why, f);
        std::fclose(f);
    }
    return REJECT;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 1;
    bool lenient = false;
    for (int k = 4; k < argc; k++) {
        if (std::strcmp(argv[k], "lenient") != 0)
            return 1;
        lenient = true;
    }
    FILE *in = std::fopen(argv[1], "r");
    long long n, t;
    if (!in || std::fscanf(in, "%lld %lld", &n, &t) != 2)
        return 1;
    std::vector<long long> a(n);
    for (auto &x : a)
        if (std::fscanf(in, "%lld", &x) != 1)
            return 1;
    long long i, j;
    char extra;
    if (std::scanf("%lld %lld", &i, &j) != 2)
        return reject(argv[3], "expected two indices");
    if (std::scanf(" %c", &extra) == 1)
        return reject(argv[3], "extra output");
    if (lenient && i > j)
        std::swap(i, j);
    if (i < 1 || j > n || i >= j)
        return reject(argv[3], "indices out of range or not increasing");
    if (a[i - 1] + a[j - 1] != t)
        return reject(argv[3], "the pair does not sum to t");
    return ACCEPT;
}
