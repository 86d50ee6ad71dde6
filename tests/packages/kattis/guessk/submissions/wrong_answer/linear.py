# Asks 1, 2, 3, ...: over the budget as soon as n is large.
n, q = map(int, input().split())
for y in range(1, n + 1):
    print("?", y, flush=True)
    if input().strip() == "=":
        break
