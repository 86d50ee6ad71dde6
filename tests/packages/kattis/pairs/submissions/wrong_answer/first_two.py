# Always 1 2.
input()
print(1, 2)
