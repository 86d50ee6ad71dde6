#include <iostream>
#include <string>

int main()
{
    long long n, q;
    std::cin >> n >> q;
    long long lo = 1, hi = n;
    std::string r;
    while (lo <= hi) {
        long long m = lo + (hi - lo) / 2;
        std::cout << "? " << m << std::endl; // endl flushes
        if (!(std::cin >> r) || r == "=")
            return 0;
        if (r == "<")
            hi = m - 1;
        else
            lo = m + 1;
    }
}
