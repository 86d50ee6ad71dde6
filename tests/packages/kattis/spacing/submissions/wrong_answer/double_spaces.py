# Right tokens, but two spaces between them.
n = int(input())
print("Count:", *range(1, n + 1), sep="  ")
print("done")
