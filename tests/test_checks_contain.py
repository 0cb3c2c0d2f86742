"""Learner code runs contained: the time limit holds whatever it spawns, and nothing it started
outlives the check (issue 13 item 3)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.waiting import poll
from tui.checks.ex01_sample import IDS, sample_checks
from tui.checks.subproc import run_python

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie (a killed child its parent has not reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def pids_in(path) -> list[int]:
    return [int(p) for p in path.read_text().split()] if path.is_file() else []


def test_a_setsid_child_holding_stdout_cannot_stretch_the_time_limit(tmp_path):
    """sample.py starts `setsid sleep 1000 &` with our stdout, then hangs: the check still ends at its limit."""
    pidfile = tmp_path / "pids"
    (tmp_path / "sample.py").write_text(textwrap.dedent(f"""
        import subprocess, time
        child = subprocess.Popen(["setsid", "sleep", "1000"])
        open({str(pidfile)!r}, "a").write(f"{{child.pid}} ")
        time.sleep(1000)
        def sample(task_id, seed=0):
            return {{}}
    """))
    # Without containment this waits for the sleep (1000 s), past the suite's 300 s timeout: a failure.
    results = sample_checks(tmp_path, timeout_s=3)
    assert [r.id for r in results] == list(IDS) and not any(r.passed for r in results)
    assert "did not finish within 3 s" in results[0].message
    pids = pids_in(pidfile)
    assert pids and poll(lambda: not any(alive(p) for p in pids), 10), [p for p in pids if alive(p)]


def test_children_left_by_code_that_exits_normally_are_ended(tmp_path):
    pidfile = tmp_path / "pids"
    script = tmp_path / "leave.py"
    script.write_text(textwrap.dedent(f"""
        import subprocess
        pids = [subprocess.Popen(["sleep", "120"], stdout=subprocess.DEVNULL).pid for _ in range(5)]
        open({str(pidfile)!r}, "w").write(" ".join(map(str, pids)))
        print("left 5 children")
    """))
    outcome = run_python([str(script)], timeout_s=60, cwd=tmp_path)
    assert outcome.ok and "left 5 children" in outcome.stdout
    pids = pids_in(pidfile)
    assert len(pids) == 5
    assert poll(lambda: not any(alive(p) for p in pids), 10), [p for p in pids if alive(p)]


def test_double_forked_session_leaders_are_ended_too(tmp_path):
    """A daemon (fork, setsid, fork again) with its output closed leaves no trace in our pipes."""
    pidfile = tmp_path / "pids"
    script = tmp_path / "daemon.py"
    script.write_text(textwrap.dedent(f"""
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                for fd in (0, 1, 2):
                    os.close(fd)
                open({str(pidfile)!r}, "w").write(str(os.getpid()))
                time.sleep(120)
            os._exit(0)
        time.sleep(0.5)
    """))
    assert run_python([str(script)], timeout_s=60, cwd=tmp_path).ok
    pids = pids_in(pidfile)
    assert pids and poll(lambda: not any(alive(p) for p in pids), 10)


def test_code_that_kills_its_keeper_still_leaves_nothing_behind(tmp_path):
    """Even with the wrapper gone, the learner's processes are found and ended."""
    pidfile = tmp_path / "pids"
    script = tmp_path / "rogue.py"
    script.write_text(textwrap.dedent(f"""
        import os, signal, subprocess, time
        child = subprocess.Popen(["setsid", "sleep", "300"])
        open({str(pidfile)!r}, "w").write(f"{{child.pid}} {{os.getpid()}}")
        keeper = open(f"/proc/{{os.getppid()}}/cmdline", "rb").read()
        if b"contain" in keeper:  # the wrapper; never the test runner itself
            os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(300)
    """))
    outcome = run_python([str(script)], timeout_s=5, cwd=tmp_path)
    assert not outcome.ok
    pids = pids_in(pidfile)
    assert len(pids) == 2 and poll(lambda: not any(alive(p) for p in pids), 10), [p for p in pids if alive(p)]


def test_output_exit_status_and_a_crash_still_come_back(tmp_path):
    script = tmp_path / "crash.py"
    script.write_text("import sys\nprint('out line')\nprint('err line', file=sys.stderr)\nraise SystemExit(3)\n")
    outcome = run_python([str(script)], timeout_s=60, cwd=tmp_path)
    assert outcome.returncode == 3 and not outcome.timed_out
    assert outcome.stdout.strip() == "out line" and "err line" in outcome.stderr
    outcome = run_python(["-c", "import os; print(os.getcwd())"], timeout_s=60, cwd=tmp_path)
    assert outcome.ok and outcome.stdout.strip() == str(tmp_path)


def test_huge_output_is_bounded(tmp_path):
    outcome = run_python(["-c", "import sys\nfor i in range(200000): print('x' * 100)\nprint('the end')"],
                         timeout_s=60, cwd=tmp_path)
    assert outcome.ok and len(outcome.stdout) < 2_000_000 and outcome.stdout.rstrip().endswith("the end")
