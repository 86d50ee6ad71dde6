# Forgets to flush: the question stays in its buffer, and both sides wait.
import sys
n, q = map(int, input().split())
sys.stdout.write("? %d\n" % ((n + 1) // 2))
print(input())
