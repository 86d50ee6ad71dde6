# Interactive validator: input, answer, feedback folder and flags as arguments; the
# submission's questions on stdin, the answers on stdout. Exit 42 accepted, 43 wrong.
import sys

n, budget, x = map(int, open(sys.argv[1]).read().split())
strict = "strict" in sys.argv[4:]


def verdict(ok, why):
    with open(sys.argv[3] + "judgemessage.txt", "w") as f:
        f.write(why)
    sys.exit(42 if ok else 43)


print(n, budget, flush=True)
used = 0
for line in sys.stdin:
    parts = line.split()
    if len(parts) != 2 or parts[0] != "?":
        verdict(False, "bad question")
    y = int(parts[1])
    used += 1
    if strict and used > budget:
        verdict(False, "over the budget")
    print("=" if y == x else "<" if x < y else ">", flush=True)
    if y == x:
        verdict(True, "found in %d" % used)
verdict(False, "ended early")
