"""Helpers shared by the job-script tests (no tests here): fake cluster programs, running a script."""

from __future__ import annotations

import subprocess
from pathlib import Path

FAKE_PROGRAMS = ("apptainer", "module", "hq", "sbatch", "python")


def fake_bin(root: Path) -> Path:
    """Programs that record their arguments (one per line, then a blank line) in $CALLS and succeed."""
    folder = root / "fakebin"
    folder.mkdir(exist_ok=True)
    for name in FAKE_PROGRAMS:
        program = folder / name
        program.write_text(f'#!/bin/bash\n{{ echo {name}; printf "%s\\n" "$@"; echo; }} >> "$CALLS"\n')
        program.chmod(0o755)
    return folder


def run_script(text: str, workdir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Write `text` to workdir/job.sh and run it in workdir/cwd with bash, fake programs first on PATH.

    The script runs in a folder of its own, so that no value can name the test's own files.
    """
    script = workdir / "job.sh"
    script.write_text(text, encoding="utf-8")
    (workdir / "cwd").mkdir(exist_ok=True)
    full_env = {"PATH": f"{fake_bin(workdir)}:/usr/bin:/bin", "HOME": str(workdir), "CALLS": str(workdir / "calls"),
                "MARKER": str(workdir / "MARKER"), "LANG": "C.UTF-8", **(env or {})}
    return subprocess.run(["bash", str(script)], cwd=workdir / "cwd", env=full_env, capture_output=True, text=True,
                          timeout=20, stdin=subprocess.DEVNULL)


def bash_syntax_ok(text: str, workdir: Path) -> subprocess.CompletedProcess:
    script = workdir / "syntax.sh"
    script.write_text(text, encoding="utf-8")
    return subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=20)


def calls(workdir: Path) -> list[list[str]]:
    """The recorded calls: [[program, arg, ...], ...]."""
    path = workdir / "calls"
    if not path.exists():
        return []
    return [block.split("\n") for block in path.read_text().split("\n\n") if block]
