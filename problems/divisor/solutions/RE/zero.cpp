// Starts the search at 0: n % 0 is a division by zero (SIGFPE).
#include <iostream>

int main()
{
    long long n;
    std::cin >> n;
    for (volatile long long d = 0; d < n; d = d + 1)
        if (n % d == 0 && d > 1) {
            std::cout << d << "\n";
            return 0;
        }
}
