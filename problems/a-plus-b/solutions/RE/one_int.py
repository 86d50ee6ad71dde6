# Reads the whole line as one integer: a ValueError.
a = int(input())
print(a)
