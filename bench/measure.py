#!/usr/bin/env python3
"""Runs a command and prints `seconds peak_rss_mib` for it (wall time, peak resident memory of
the child process tree's largest process)."""
import resource
import subprocess
import sys
import time

start = time.monotonic()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
elapsed = time.monotonic() - start
if done.returncode != 0:
    sys.exit(f"command failed ({done.returncode}): {' '.join(sys.argv[1:])}")
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{elapsed:.2f} {peak_kib / 1024:.0f}")
