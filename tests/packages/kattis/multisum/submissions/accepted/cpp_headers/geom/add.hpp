#pragma once
namespace geom {
long add(long a, long b);
}
