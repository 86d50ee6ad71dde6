# Whitespace may change, but it may not vanish: "HelloAda" is one token.
name = input().strip()
print("Hello" + name)
print("Length", len(name))
