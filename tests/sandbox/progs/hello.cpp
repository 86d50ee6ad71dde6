// Legit: C++ with the standard library, compiled inside the box.
#include <iostream>
#include <map>
#include <string>

int main()
{
    std::map<std::string, int> m{{"hello", 1}};
    std::cout << "hello " << m["hello"] << std::endl;
    return 0;
}
