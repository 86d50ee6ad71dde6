# Right tokens, but a space where the answer has a newline.
n = int(input())
print("Count:", *range(1, n + 1), "done")
