#include <iostream>
#include "geom/add.hpp"

int main() {
    long a, b;
    std::cin >> a >> b;
    std::cout << geom::add(a, b) << "\n";
}
