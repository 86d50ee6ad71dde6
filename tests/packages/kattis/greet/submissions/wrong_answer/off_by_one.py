name = input().strip()
print("hello", name)
print("length", len(name) + 1)
