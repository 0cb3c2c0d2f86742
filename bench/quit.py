"""Seconds from pressing `q` to the app's exit, from every screen, with its workers running (issue 15).

Each screen is opened in a real pseudo-terminal (the app as `hptune-tui` runs it, started on
that screen) over the large synthetic workspace of bench/screens.py (1000 trials of 100
epochs, so that the data screens are still reading), and `q` is pressed twice per run:
`early` (0.3 s after the first frame: the first read is under way) and `settled` (3 s after
it: the poll timers and their workers run). The figure is the median of `--runs` fresh
processes, the wall time until the process has exited (waitpid), terminal restored and all.
Screens whose first focus is a text field take `q` as a letter; for them Escape goes back first
and the figure is for Escape then `q` (the keys a learner presses).

    .venv/bin/python bench/quit.py [--runs 3] [--screens home,trials:01,...] [--data DIR]

Prints one JSON object. Target: every screen <= 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

SCREENS = ["home", "lesson:01", "grid-random", "bayes", "methods", "priors", "overhead", "quiz:tuning",
           "jobs", "script", "trials:01", "checks:01", "solution-diff:01", "study:02", "class", "throughput:03"]
TYPED = {"script"}  # a text field has the focus: Escape (back), then q
MOMENTS = {"early": 0.3, "settled": 3.0}

CHILD = """
import sys
from tui.app import make_app
from tui.settings import load_settings
app = make_app(load_settings(), start_screen=sys.argv[1], resume=False)
code = app.run() or 0
from tui.commands.open_app import leave
leave(code)
"""


def drain(fd: int, until: float) -> bytes:
    """Read what the app draws until `until` (time.monotonic); the app must never block on a full pty."""
    seen = b""
    while (left := until - time.monotonic()) > 0:
        if select.select([fd], [], [], min(left, 0.05))[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def one(spec: str, moment: float, env: dict) -> float | str:
    """Open `spec`, wait `moment` s after the first frame, press the keys, return the seconds to exit."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(sys.executable, [sys.executable, "-c", CHILD, spec],
                   {**env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"})
    try:
        start = time.monotonic()
        while not drain(fd, time.monotonic() + 0.05):
            if time.monotonic() - start > 60:
                return "no frame after 60 s"
        drain(fd, time.monotonic() + moment)
        if spec.partition(":")[0] in TYPED:
            os.write(fd, b"\x1b")
            drain(fd, time.monotonic() + 0.3)
        pressed = time.monotonic()
        os.write(fd, b"q")
        while True:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return round(time.monotonic() - pressed, 3)
            if time.monotonic() - pressed > 20:
                return "still running 20 s after q"
            drain(fd, time.monotonic() + 0.005)
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)


def main() -> None:
    from screens import workspace  # the synthetic runs of bench/screens.py

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screens", default=",".join(SCREENS))
    parser.add_argument("--data", type=Path, default=Path("/tmp/hptune-bench-screens"))
    args = parser.parse_args()
    ws = workspace(args.data, "large")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HPTUNE_CONFIG": f"{tmp}/config.toml", "HPTUNE_BACKEND": "local",
               "HPTUNE_WORKSPACE": str(ws), "PYTHONPATH": str(ROOT)}
        result: dict = {"cpus": os.cpu_count(), "runs": args.runs, "load_avg_1min": round(os.getloadavg()[0], 2),
                        "screens": {}}
        for spec in args.screens.split(","):
            figures = {}
            for name, moment in MOMENTS.items():
                got = [one(spec, moment, env) for _ in range(args.runs)]
                times = [g for g in got if isinstance(g, float)]
                figures[name] = statistics.median(times) if times else None
                figures.update({f"{name}_error": g for g in got if isinstance(g, str)})
            result["screens"][spec] = figures
    worst = [v for f in result["screens"].values() for k, v in f.items() if k in MOMENTS and v is not None]
    result["worst_s"] = max(worst) if worst else None
    result["target_s"] = 0.5
    print(json.dumps(result))


if __name__ == "__main__":
    main()
