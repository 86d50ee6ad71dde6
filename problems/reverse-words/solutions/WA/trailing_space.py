# Right words, but a space after the last one: the exact checker refuses it.
import sys

lines = sys.stdin.read().split("\n")
for line in lines[1:1 + int(lines[0])]:
    for word in reversed(line.split(" ")):
        print(word, end=" ")
    print()
