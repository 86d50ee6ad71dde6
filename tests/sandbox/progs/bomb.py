# Hostile: keeps every block it allocates.
keep = []
while True:
    keep.append(bytearray(1 << 20))
