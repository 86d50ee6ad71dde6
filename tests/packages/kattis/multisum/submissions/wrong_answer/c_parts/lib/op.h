long op(long a, long b);
