n, t = map(int, input().split())
a = list(map(int, input().split()))
print(a[n + 5])
