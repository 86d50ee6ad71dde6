name = input().strip()
print("Hello", name)
print("Length", len(name))
