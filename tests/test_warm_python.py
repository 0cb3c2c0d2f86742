"""The warm Python of exercise 3 (tui.runtime.warm): one server imports once, each task is a thin client.

Run for real: the server is `python -m tui.runtime.tiny_tasks --serve SOCKET` in its own process,
the clients are `python -m tui.runtime.warm SOCKET` with HyperQueue's variables, as HyperQueue
would start them. How much it saves, bench/hq_warm.py measures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.waiting import poll
from tui.results.tiny_stats import load_tasks
from tui.runtime import tiny_tasks

ROOT = Path(__file__).resolve().parents[1]
SWEEP = [{"batch_size": b, "threads": 1, "packing": False, "budget_s": 0.001, "warmup": 0} for b in (1, 2, 4, 8)]


def client(sock: Path, task: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "HQ_TASK_ID": task, "HQ_JOB_ID": "7", **env}
    return subprocess.run([sys.executable, "-m", "tui.runtime.warm", str(sock)], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def server(tmp_path):
    run = tmp_path / "runs" / "warm"
    tiny_tasks.save_sweep(run, SWEEP)
    sock = tmp_path / "warm.sock"
    proc = subprocess.Popen([sys.executable, "-m", "tui.runtime.tiny_tasks", "--run-dir", "runs/warm", "--serve",
                             str(sock), "--engine", "toy", "--idle", "120"], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    assert poll(lambda: sock.exists() or proc.poll() is not None, timeout=60, step=0.05)
    assert sock.exists(), f"the warm Python never opened its socket (exit {proc.poll()})"
    yield run, sock, proc
    proc.terminate()
    proc.wait(timeout=30)


def test_tasks_run_in_forks_of_the_warm_python_with_the_clients_scheduler_variables(server, tmp_path):
    run, sock, proc = server
    elsewhere = tmp_path / "elsewhere"  # HyperQueue may start a task in another folder
    elsewhere.mkdir()
    with ThreadPoolExecutor(4) as pool:  # at the same time, as a worker's CPU slots would
        done = list(pool.map(lambda t: client(sock, str(t), elsewhere, HQ_CPUS="0"), range(4)))
    assert [d.returncode for d in done] == [0, 0, 0, 0], [d.stderr for d in done]
    records, broken = load_tasks(run)
    assert not broken and sorted(r.task for r in records) == [0, 1, 2, 3]
    assert {r.mode for r in records} == {tiny_tasks.WARM_MODE} and {r.runner for r in records} == {"hyperqueue"}
    assert {r.cpus for r in records} == {1}  # HQ_CPUS of the client
    assert all(r.status == "complete" and r.launched <= r.ready <= r.ended for r in records)
    assert not (elsewhere / "runs").exists()  # the run folder is the server's, wherever the task started
    assert proc.poll() is None  # the server goes on serving


def test_a_bad_task_fails_that_task_only_and_says_why(server, tmp_path):
    run, sock, _ = server
    bad = client(sock, "9", tmp_path)
    assert bad.returncode == 1 and "task 9 is not in the sweep" in bad.stderr
    assert client(sock, "1", tmp_path).returncode == 0
    assert json.loads((run / "trials" / "00001" / "result.json").read_text())["status"] == "complete"


def test_without_a_server_the_client_waits_a_while_then_says_how_to_start_one(tmp_path):
    done = client(tmp_path / "none.sock", "0", tmp_path, HPTUNE_WARM_WAIT_S="0.3")
    assert done.returncode == 2 and "start it first" in done.stderr and "--serve" in done.stderr
    usage = subprocess.run([sys.executable, "-m", "tui.runtime.warm"], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT), "HQ_TASK_ID": ""}, timeout=60)
    assert usage.returncode == 2 and "usage" in usage.stderr


def test_an_idle_server_stops_and_removes_its_socket(tmp_path):
    run = tmp_path / "run"
    tiny_tasks.save_sweep(run, SWEEP)
    sock = tmp_path / "idle.sock"
    done = subprocess.run([sys.executable, "-m", "tui.runtime.tiny_tasks", "--run-dir", str(run), "--serve",
                           str(sock), "--engine", "toy", "--idle", "0.5"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0 and "serving" in done.stdout
    assert not sock.exists()


def test_the_socket_is_the_owners_only(server):
    _, sock, _ = server
    assert oct(sock.stat().st_mode & 0o777) == "0o600"


def test_a_task_started_before_its_server_waits_for_it(tmp_path):
    run = tmp_path / "run"
    tiny_tasks.save_sweep(run, SWEEP)
    sock = tmp_path / "late.sock"
    with ThreadPoolExecutor(1) as pool:
        task = pool.submit(client, sock, "3", tmp_path)  # HyperQueue started the task first
        server = subprocess.Popen([sys.executable, "-m", "tui.runtime.tiny_tasks", "--run-dir", str(run), "--serve",
                                   str(sock), "--engine", "toy", "--idle", "120"], stdout=subprocess.DEVNULL,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            done = task.result(timeout=120)
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads((run / "trials" / "00003" / "result.json").read_text())["status"] == "complete"


def test_a_path_that_is_not_the_learners_socket_is_neither_removed_nor_asked(tmp_path):
    planted = tmp_path / "planted.sock"
    planted.write_text("a classmate's file")
    run = tmp_path / "run"
    tiny_tasks.save_sweep(run, SWEEP)
    served = subprocess.run([sys.executable, "-m", "tui.runtime.tiny_tasks", "--run-dir", str(run), "--serve",
                             str(planted), "--engine", "toy", "--idle", "1"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert served.returncode == 2 and "not a socket" in served.stderr
    assert planted.read_text() == "a classmate's file"
    asked = client(planted, "0", tmp_path)
    assert asked.returncode == 2 and "not a socket" in asked.stderr


def test_a_socket_of_another_user_is_not_asked(server, tmp_path):
    _, sock, _ = server
    if os.getuid() != 0:
        pytest.skip("making a socket another user's needs root (CI runs as root)")
    os.chown(sock, 65534, -1)  # nobody's, as a classmate's would be
    asked = client(sock, "0", tmp_path)
    assert asked.returncode == 2 and "belongs to user 65534" in asked.stderr
