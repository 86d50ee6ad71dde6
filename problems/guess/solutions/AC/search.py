n, q = map(int, input().split())
lo, hi = 1, n
while lo <= hi:
    m = (lo + hi) // 2
    print("?", m, flush=True)
    r = input().strip()
    if r == "=":
        break
    if r == "<":
        hi = m - 1
    else:
        lo = m + 1
