"""Start-up figures of the app, printed as one JSON object (targets in issue 2; not asserted in tests).

- help_s: `hptune-tui --help` wall time (target < 0.3 s)
- export_home_s: `hptune-tui export home -o x.svg` wall time (target < 1.0 s and < 4x textual_import_s)
- textual_import_s: `python -c "import textual.app"` wall time, measured in the same run
- idle_rss_mb: resident memory of the app idle on its home screen, in a real pseudo-terminal (target < 120)
Each time is the median of several runs.
"""

from __future__ import annotations

import json
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = [sys.executable, "-m", "tui"]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def wall(cmd: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def idle_rss_mb(env: dict[str, str]) -> tuple[float, bool]:
    """Run the app in a pty, wait until the home screen is drawn and settled, read VmRSS, quit."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(EXE[0], EXE, {**env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"})
    seen, deadline = b"", time.time() + 30
    while time.time() < deadline and b"Course map" not in seen:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    time.sleep(2.0)  # idle
    while select.select([fd], [], [], 0)[0]:
        os.read(fd, 65536)
    rss_kb = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
    os.write(fd, b"q")
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    return round(rss_kb / 1024, 1), b"Course map" in seen


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HPTUNE_WORKSPACE": f"{tmp}/ws", "HPTUNE_CONFIG": f"{tmp}/config.toml",
               "HPTUNE_BACKEND": "local"}
        subprocess.run(EXE + ["init"], env=env, check=True, stdout=subprocess.DEVNULL)
        help_s = wall(EXE + ["--help"], env)
        textual_s = wall([sys.executable, "-c", "import textual.app"], env)
        export_s = wall(EXE + ["export", "home", "-o", f"{tmp}/home.svg"], env)
        rss, drawn = idle_rss_mb(env)
    print(json.dumps({
        "help_s": help_s, "export_home_s": export_s, "textual_import_s": textual_s,
        "export_over_textual_import": round(export_s / textual_s, 2), "idle_rss_mb": rss, "home_drawn": drawn,
        "targets": {"help_s": 0.3, "export_home_s": 1.0, "export_over_textual_import": 4.0, "idle_rss_mb": 120},
        "runs": RUNS, "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
