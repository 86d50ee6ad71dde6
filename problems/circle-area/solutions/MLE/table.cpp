// Builds a needless table of 1 GiB: far beyond the 64 MiB limit, which it reaches in
// milliseconds (long before the time limit, however busy the machine).
#include <cmath>
#include <cstdio>
#include <vector>

int main()
{
    double r;
    if (std::scanf("%lf", &r) != 1)
        return 1;
    std::vector<char> table((size_t)1 << 30, 1);
    std::printf("%.9f\n", std::acos(-1.0) * r * r + (table[12345] - 1));
}
