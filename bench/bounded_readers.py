"""Peak memory of `hptune-tui lint` and `hptune-tui results` on 1 GB inputs (issue 13 item 1).

Makes, in a temporary folder, inputs of 1 GB that cost no disk and no time (sparse files: a real
head, then a hole that reads as NUL bytes), runs each command in its own child process, and takes
that child's peak RSS from os.wait4's rusage. Children get an address-space limit (--max-gb), so
a reader that is not bounded fails with MemoryError instead of taking the machine's memory.

Prints one JSON object: {case: {"argv", "exit", "peak_rss_mb", "seconds", "said"}}, plus
"target_mb" and "all_under_target". Target: every peak under 100 MB.
Cases:
    lint_1gb_script    a 1 GB job script (#!/bin/bash, #SBATCH lines, then NULs)
    lint_dev_zero      /dev/zero, which never ends
    lint_50mb_script   a 50 MB script (the issue's example)
    results_1gb_run    a run whose trial has 4 MiB of real metrics lines, then NULs up to 1 GB

Usage: python bench/bounded_readers.py [--root CHECKOUT] [--max-gb 4]
(--root runs another checkout's `tui`, e.g. an older commit, for a before/after comparison.)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 100
GB = 1 << 30


def sparse(path: Path, head: bytes, size: int) -> Path:
    """A file of `size` bytes: `head`, then a hole (NUL bytes that take no disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


def make_inputs(root: Path) -> dict[str, list[str]]:
    script = b"#!/bin/bash\n#SBATCH --time=10\n#SBATCH --array=0-3\npython train.py\n"
    big = sparse(root / "big.sh", script, GB)
    medium = sparse(root / "medium.sh", script, 50 * 10**6)
    trial = root / "run" / "trials" / "0000"
    line = json.dumps({"step": 1, "time": 1.7e9, "val_acc": 0.5, "val_loss": 0.7, "train_loss": 0.6,
                       "samples_per_s": 1234.5, "elapsed_s": 12.3}) + "\n"
    lines = "".join(line.replace('"step": 1', f'"step": {i}') for i in range(4 * 2**20 // len(line)))
    sparse(trial / "metrics.jsonl", lines.encode(), GB)
    (trial / "params.json").write_text(json.dumps({"lr": 0.01, "hidden": 64}))
    return {"lint_1gb_script": ["lint", str(big)], "lint_dev_zero": ["lint", "/dev/zero"],
            "lint_50mb_script": ["lint", str(medium)], "results_1gb_run": ["results", str(root / "run")]}


def measure(argv: list[str], cwd: Path, max_bytes: int) -> dict:
    """Run `python -m tui ARGV` from `cwd`; its exit code, peak RSS, seconds and last line of stderr."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))

    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "tui", *argv], cwd=cwd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limit,
                             env={**os.environ, "PYTHONPATH": str(cwd)})
    err = child.stderr.read()  # bounded in practice: one line, or a traceback
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    said = err.decode(errors="replace").strip().splitlines()
    return {"argv": ["hptune-tui", *argv], "exit": child.returncode, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "seconds": round(time.perf_counter() - start, 2), "said": said[-1][:200] if said else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the checkout whose tui package runs (default: this one)")
    parser.add_argument("--max-gb", type=float, default=4.0, help="address-space limit of each child")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bounded-readers-") as folder:
        cases = make_inputs(Path(folder))
        out = {name: measure(argv, args.root, int(args.max_gb * GB)) for name, argv in cases.items()}
    out["target_mb"] = TARGET_MB
    out["all_under_target"] = all(case["peak_rss_mb"] < TARGET_MB for case in out.values()
                                  if isinstance(case, dict))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
