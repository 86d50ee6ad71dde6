# Differs from the answer only in letter case and in the amount and kind of whitespace.
import sys

name = input().strip()
sys.stdout.write("  HELLO \t %s\n\n\nlength    %d" % (name.swapcase(), len(name)))
