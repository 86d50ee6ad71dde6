#include <iostream>
#include <sstream>
#include <string>
#include <vector>

int main()
{
    std::string line;
    int n;
    std::getline(std::cin, line);
    n = std::stoi(line);
    while (n-- > 0 && std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::vector<std::string> words;
        for (std::string w; in >> w;)
            words.push_back(w);
        for (size_t i = words.size(); i-- > 0;)
            std::cout << words[i] << (i ? " " : "\n");
    }
}
