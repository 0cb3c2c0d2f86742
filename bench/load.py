"""Load for the benches: CPU-bound processes beside a measurement (a login node shared by a class)."""

from __future__ import annotations

import contextlib
import subprocess
import sys


@contextlib.contextmanager
def hogs(n: int):
    """n busy processes (`while True: pass`) for the block's duration, killed after it by their own ids."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
