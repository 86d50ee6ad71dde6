# Divides by the count of a list it never filled.
n = int(input())
print(sum([]) / len([]))
