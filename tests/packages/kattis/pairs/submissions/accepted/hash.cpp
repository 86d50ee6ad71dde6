#include <cstdio>
#include <map>
#include <vector>

int main()
{
    long long n, t;
    std::scanf("%lld %lld", &n, &t);
    std::vector<long long> a(n);
    std::map<long long, long long> seen;
    for (long long k = 0; k < n; k++) {
        std::scanf("%lld", &a[k]);
        auto it = seen.find(t - a[k]);
        if (it != seen.end()) {
            std::printf("%lld %lld\n", it->second + 1, k + 1);
            return 0;
        }
        seen.emplace(a[k], k);
    }
}
