# Letter case does not matter, nor does the final newline.
import sys

n = int(input())
sys.stdout.write("COUNT: " + " ".join(map(str, range(1, n + 1))) + "\nDone")
