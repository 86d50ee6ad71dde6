# 1 divides everything, but the statement asks for 1 < d < n.
input()
print(1)
