#include "add.hpp"
namespace geom {
long add(long a, long b) { return a + b; }
}
