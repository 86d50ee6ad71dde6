import sys

lines = sys.stdin.read().split("\n")
for line in lines[1:1 + int(lines[0])]:
    print(" ".join(reversed(line.split(" "))))
