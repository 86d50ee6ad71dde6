#include "op.h"
long op(long a, long b)
{
    return a - b;
}
