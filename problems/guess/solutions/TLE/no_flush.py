# Forgets to flush: the question stays in its buffer, and both sides wait for each other.
# (input() would flush first; readline does not.)
import sys
n, q = map(int, sys.stdin.readline().split())
sys.stdout.write("? %d\n" % ((n + 1) // 2))
print(sys.stdin.readline())
