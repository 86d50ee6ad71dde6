# Legit: imports a good part of the standard library and uses some of it.
import collections, decimal, fractions, functools, heapq, itertools, json, math, os, random
import re, string, sys, bisect, datetime, statistics, typing, dataclasses, array, struct

data = json.loads(json.dumps({"k": [1, 2, 3]}))
print(sum(data["k"]), math.factorial(10), fractions.Fraction(1, 3) + 1, len(sys.argv))
