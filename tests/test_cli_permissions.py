"""Another user's workspace, or a read-only one: every command prints one line and exits 1 or 2, never a
traceback (issue 13.10). Root ignores file permissions, so the commands run as `nobody` (setpriv)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tui.cli import os_error_line
from tui.course.workspace import init_workspace

SETPRIV = shutil.which("setpriv")
NOBODY = ["--reuid", "65534", "--regid", "65534", "--clear-groups"]


def as_nobody(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1",
           "HPTUNE_CONFIG": str(home / "no-config.toml"), "LANG": "C.UTF-8"}
    return subprocess.run([SETPRIV, *NOBODY, sys.executable, "-m", "tui", *args], cwd=home, env=env,
                          capture_output=True, text=True, timeout=240)


@pytest.fixture
def base():
    """A folder that `nobody` can enter (pytest's tmp_path is under a 0700 folder of root)."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to run the commands as another user (nobody) with setpriv")
    if SETPRIV is None:
        pytest.skip("setpriv (util-linux) is not installed")
    folder = Path(tempfile.mkdtemp(prefix="hptune-perm-"))
    folder.chmod(0o755)
    probe = as_nobody(folder, "--version")
    if probe.returncode != 0:
        shutil.rmtree(folder)
        pytest.skip(f"nobody cannot run this checkout's Python: {probe.stderr.strip()[-200:]}")
    yield folder
    shutil.rmtree(folder)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode in (1, 2) and len(lines) == 1, (proc.returncode, proc.stderr)
    return lines[0]


COMMANDS = [["status"], ["results", "01"], ["check", "01"], ["export", "home", "-o", "x.svg"], ["init"],
            ["doctor"], ["lint", "job.sh"], ["cancel", "5"], []]


def test_another_users_workspace(base):
    ws = base / "ann"
    init_workspace(ws)
    ws.chmod(0o700)
    (base / "job.sh").write_text("#!/bin/bash\n#SBATCH -t 5\ntrue\n")
    for command in COMMANDS:
        proc = as_nobody(base, "-w", str(ws), *command)
        line = one_line_error(proc)
        assert line.startswith(f"hptune-tui {command[0] if command else ''}".rstrip() + ": permission denied: "), line
        assert str(ws) in line and "choose yours with --workspace" in line


def test_doctor_on_a_read_only_workspace_still_reports(base):
    ws = base / "shared"
    init_workspace(ws)
    for path in [ws, *ws.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # readable by all, writable by root only
    proc = as_nobody(base, "-w", str(ws), "doctor")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert f"Workspace    {ws}" in proc.stdout and "Backend" in proc.stdout
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "the findings were not saved" in proc.stderr and str(ws / ".hptune") in proc.stderr
    assert ".tmp" not in proc.stderr  # the file meant, not the atomic write's temp file


def test_os_error_lines_say_what_to_do(tmp_path):
    ws = tmp_path / "ws"
    line = os_error_line(PermissionError(errno.EACCES, "Permission denied", str(ws / ".progress.json.ab12cd_9.tmp")), ws)
    assert line == f"permission denied: {ws / 'progress.json'} (a workspace of another user? choose yours with --workspace)"
    assert "check who owns it" in os_error_line(PermissionError(errno.EACCES, "Permission denied", "/etc/x"), ws)
    assert "read-only file system" in os_error_line(OSError(errno.EROFS, "Read-only file system", str(ws)), ws)
    assert "disk is full" in os_error_line(OSError(errno.ENOSPC, "No space left on device", str(ws / "a")), ws)


def test_writing_commands_on_a_read_only_workspace_say_which_file(base):
    ws = base / "shared"
    init_workspace(ws)
    (ws / "01_random_search" / "sample.py").unlink()  # init would put it back: it must write
    for path in [ws, *ws.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    for command in (["init"], ["export", "home", "-o", str(ws / "home.svg")]):
        line = one_line_error(as_nobody(base, "-w", str(ws), *command))
        assert ": permission denied: " + str(ws) in line and "--workspace" in line, line
