n = int(input())
print("Count:", *range(1, n + 1))
print("done")
