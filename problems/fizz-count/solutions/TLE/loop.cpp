// Counts one by one: passes the small group (30 points), far too slow for the large one.
#include <iostream>

int main()
{
    long long n, count = 0;
    std::cin >> n;
    for (volatile long long i = 1; i <= n; i = i + 1)
        if (i % 3 == 0 || i % 5 == 0)
            count++;
    std::cout << count << "\n";
}
