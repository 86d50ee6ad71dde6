// Hostile: grows a vector until the box's memory runs out.
#include <cstdio>
#include <vector>

int main()
{
    std::vector<long> v;
    for (;;)
        v.push_back(static_cast<long>(v.size()));
}
