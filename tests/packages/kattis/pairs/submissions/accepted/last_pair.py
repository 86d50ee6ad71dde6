# Prints the last pair found, not the first: the validator accepts any pair.
n, t = map(int, input().split())
a = list(map(int, input().split()))
best = None
for i in range(n):
    for j in range(i + 1, n):
        if a[i] + a[j] == t:
            best = (i + 1, j + 1)
print(*best)
