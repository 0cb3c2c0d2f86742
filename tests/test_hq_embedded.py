"""The embedded HyperQueue path, for real: a LocalCluster runs task arrays on this machine."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest

from tui.cluster.backend import CANCELLED, COMPLETED, FAILED, RUNNING, BackendError
from tui.cluster.hq_embedded import main as embedded_main
from tui.cluster.hq_embedded import run_array
from tui.cluster.hyperqueue import HyperQueueBackend, script_array
from tui.results.tiny_stats import load_tasks, summarize
from tui.runtime.tiny_tasks import save_sweep

pytestmark = pytest.mark.timeout(120)


def test_two_hundred_tasks_run_each_once_with_its_own_id(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    state = run_array(tmp_path / "job", ["sh", "-c", f'echo "$HQ_TASK_ID" > {out}/"$HQ_TASK_ID"'],
                      list(range(200)), cores=2)
    assert state["state"] == "finished" and state["finished"] == 200 and state["failed"] == 0
    assert sorted(int(p.read_text()) for p in out.iterdir()) == list(range(200))
    assert state["ids"] == "0-199"
    # every task has a start and an end record; a finished task's stderr file is removed
    assert len(list((tmp_path / "job" / "tasks").glob("*.end"))) == 200
    assert list((tmp_path / "job" / "logs").iterdir()) == []


def test_a_failing_task_is_counted_and_keeps_its_stderr(tmp_path):
    state = run_array(tmp_path / "job", ["sh", "-c", 'echo "boom $HQ_TASK_ID" >&2; [ "$HQ_TASK_ID" != 3 ]'],
                      [1, 3, 5], cores=1)
    assert state["state"] == "failed" and state["finished"] == 2 and state["failed"] == 1
    assert (tmp_path / "job" / "logs" / "3.err").read_text() == "boom 3\n"
    assert state["ids"] == "1,3,5"


def test_no_ids_or_no_command_is_refused(tmp_path):
    with pytest.raises(ValueError):
        run_array(tmp_path / "job", ["true"], [])
    with pytest.raises(ValueError):
        run_array(tmp_path / "job", [], [0])


def test_the_command_line_refuses_bad_ids_and_a_missing_command(tmp_path, capsys):
    assert embedded_main(["--job-dir", str(tmp_path / "j"), "--ids", "5-2", "--", "true"]) == 2
    assert "--ids" in capsys.readouterr().err
    assert embedded_main(["--job-dir", str(tmp_path / "j"), "--ids", "0-3"]) == 2
    assert "no command" in capsys.readouterr().err


def test_the_array_line_of_a_script_gives_the_task_ids():
    assert script_array("#!/bin/bash\n#SBATCH --array=0-127%8\nrun\n") == "0-127"
    assert script_array("#!/bin/bash\n#SBATCH -a 1,3,5\n") == "1,3,5"
    assert script_array("#!/bin/bash\necho one task\n") == "0"


def _wait_finished(backend, job_id, timeout=90.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        tasks = backend.status([job_id])
        if tasks and all(t.finished for t in tasks) and len(tasks) > 1:
            return tasks
        time.sleep(0.3)
    raise AssertionError(f"not finished: {[(t.job_id, t.state) for t in backend.status([job_id])]}")


def test_backend_runs_a_sweep_and_the_tasks_write_results(tmp_path):
    run = tmp_path / "runs" / "hq"
    save_sweep(run, [{"batch_size": b, "threads": 1, "packing": p, "budget_s": 0.002, "warmup": 1}
                     for b in (1, 4, 16) for p in (False, True)] * 2)
    script = tmp_path / "hq_tasks.sh"
    script.write_text(f"#!/bin/bash\n#SBATCH --array=0-11\n"
                      f"{sys.executable} -m tui.runtime.tiny_tasks --engine toy --run-dir {run}\n")
    backend = HyperQueueBackend(tmp_path / "ws", embedded=True, cores=2)
    job_id = backend.submit(script, tmp_path).job_id
    tasks = _wait_finished(backend, job_id)
    assert [t.array_task_id for t in tasks] == [str(i) for i in range(12)]
    assert {t.state for t in tasks} == {COMPLETED}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", tasks[0].start_time)
    assert tasks[0].elapsed.startswith("00:00:") and tasks[0].end_time >= tasks[0].start_time
    records, broken = load_tasks(run)
    assert broken == [] and len(records) == 12
    assert {r.mode for r in records} == {"hyperqueue"}
    stats = summarize(records)
    assert stats["complete"] == 12 and stats["tasks_per_s"] > 0 and 1 <= stats["lanes"] <= 2
    assert stats["best"]["params"]["batch_size"] in (1, 4, 16)


def test_backend_reports_failed_tasks_and_cancels(tmp_path):
    backend = HyperQueueBackend(tmp_path / "ws", embedded=True, cores=1)
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/bin/bash\n#SBATCH --array=0-1\nexit 3\n")
    tasks = _wait_finished(backend, backend.submit(bad, tmp_path).job_id)
    assert {t.state for t in tasks} == {FAILED} and tasks[0].exit_code == "3:0"

    slow = tmp_path / "slow.sh"
    slow.write_text("#!/bin/bash\n#SBATCH --array=0-3\nsleep 30\n")
    job_id = backend.submit(slow, tmp_path).job_id
    end = time.monotonic() + 30
    while RUNNING not in {t.state for t in backend.status([job_id])} and time.monotonic() < end:
        time.sleep(0.2)
    backend.cancel(job_id)
    tasks = _wait_finished(backend, job_id, timeout=30)
    assert {t.state for t in tasks} == {CANCELLED}
    state = json.loads((tmp_path / "ws" / ".hptune" / "hq-jobs" / job_id[2:] / "state.json").read_text())
    assert state["state"] == "cancelled"


def test_backend_refuses_test_only_and_unknown_jobs(tmp_path):
    backend = HyperQueueBackend(tmp_path / "ws", embedded=True)
    script = tmp_path / "one.sh"
    script.write_text("#!/bin/bash\ntrue\n")
    with pytest.raises(BackendError, match="test-only"):
        backend.submit(script, tmp_path, test_only=True)
    with pytest.raises(BackendError):
        backend.submit(tmp_path / "missing.sh", tmp_path)
    with pytest.raises(BackendError, match="hq9"):
        backend.cancel("hq9")
    assert backend.read_file(Path(tmp_path / "nope")) == b""


def test_a_driver_that_cannot_start_says_why_in_its_state(tmp_path, monkeypatch):
    import tui.cluster.hq_embedded as embedded

    def broken(*_args, **_kwargs):
        raise OSError("no room for the server")

    monkeypatch.setattr(embedded, "_start_cluster", broken)
    job_dir = tmp_path / "ws" / ".hptune" / "hq-jobs" / "1"
    assert embedded.main(["--job-dir", str(job_dir), "--ids", "0-2", "--", "true"]) == 1
    tasks = HyperQueueBackend(tmp_path / "ws", embedded=True).status(["hq1"])
    assert [t.state for t in tasks] == [CANCELLED] * 3
    assert "no room for the server" in tasks[0].reason


def _intervals(job_dir: Path) -> dict[int, tuple[float, float]]:
    """Each task's (start, end) from the wrapper's records."""
    tasks = job_dir / "tasks"
    return {int(p.stem): (float(p.read_text()), float((tasks / f"{p.stem}.end").read_text().split()[1]))
            for p in tasks.glob("*.start")}


def test_a_job_file_gives_each_task_its_own_cpus(tmp_path):
    from tui.cluster.hq_jobfile import TaskSpec, write

    out = tmp_path / "out"
    out.mkdir()
    command = ["sh", "-c", f'echo "$HQ_CPUS" > {out}/"$HQ_TASK_ID"; sleep 0.3']
    cpus = {0: 1, 1: 2, 2: 1, 3: 1, 4: 2, 5: 1}
    job_file = write(tmp_path / "job.toml", [TaskSpec(i, command, n) for i, n in cpus.items()], "mixed")
    assert embedded_main(["--job-dir", str(tmp_path / "job"), "--job-file", str(job_file), "--cores", "2"]) == 0
    given = {int(p.name): len(p.read_text().strip().split(",")) for p in out.iterdir()}
    assert given == cpus
    spans = _intervals(tmp_path / "job")
    for task, n in cpus.items():  # a 2-CPU task holds both cores: nothing else runs beside it
        if n == 2:
            start, end = spans[task]
            assert not [t for t, (s, e) in spans.items() if t != task and s < end and e > start]


def test_a_task_asking_for_more_cpus_than_a_worker_has_is_refused_before_it_waits_forever(tmp_path, capsys):
    from tui.cluster.hq_embedded import run_tasks
    from tui.cluster.hq_jobfile import TaskSpec

    with pytest.raises(ValueError, match="task 3 asks for 4 CPUs but a worker has 2"):
        run_tasks(tmp_path / "job", [TaskSpec(0, ["true"]), TaskSpec(3, ["true"], 4)], cores=2)
    assert embedded_main(["--job-dir", str(tmp_path / "j"), "--ids", "0-1", "--cpus", "3", "--cores", "2",
                          "--", "true"]) == 1
    assert "asks for 3 CPUs" in capsys.readouterr().err
    assert json.loads((tmp_path / "j" / "state.json").read_text())["state"] == "failed"


def test_the_command_line_refuses_a_bad_job_file_and_a_command_beside_it(tmp_path, capsys):
    job_dir = str(tmp_path / "j")
    assert embedded_main(["--job-dir", job_dir, "--job-file", str(tmp_path / "absent.toml")]) == 2
    assert "--job-file:" in capsys.readouterr().err
    (tmp_path / "ok.toml").write_text('[[task]]\ncommand = ["true"]\n')
    assert embedded_main(["--job-dir", job_dir, "--job-file", str(tmp_path / "ok.toml"), "--", "true"]) == 2
    assert "give no command" in capsys.readouterr().err
    assert embedded_main(["--job-dir", job_dir, "--ids", "0", "--cpus", "0", "--", "true"]) == 2
    assert "--cpus must be at least 1" in capsys.readouterr().err


def test_the_cpus_line_of_a_script_and_a_job_file_reach_the_embedded_tasks(tmp_path):
    from tui.cluster.hyperqueue import script_cpus

    assert script_cpus("#SBATCH --cpus-per-task=2\n") == 2 and script_cpus("#SBATCH -c 4\n") == 4
    assert script_cpus("#!/bin/bash\ntrue\n") == 1
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "two.sh"
    script.write_text(f'#!/bin/bash\n#SBATCH --array=0-1\n#SBATCH --cpus-per-task=2\necho "$HQ_CPUS" > {out}/s$HQ_TASK_ID\n')
    job_file = tmp_path / "job.toml"
    job_file.write_text(f'name = "jf"\n[[task]]\nid = 5\ncommand = ["sh", "-c", "echo $HQ_CPUS > {out}/f5"]\n')
    backend = HyperQueueBackend(tmp_path / "ws", embedded=True, cores=2)
    _wait_finished(backend, backend.submit(script, tmp_path).job_id)
    job_id = backend.submit(job_file, tmp_path).job_id
    end = time.monotonic() + 60
    while not all(t.finished for t in backend.status([job_id]) or [None]) and time.monotonic() < end:
        time.sleep(0.3)
    assert [(t.array_task_id, t.state) for t in backend.status([job_id])] == [("5", COMPLETED)]
    assert {p.name: len(p.read_text().split(",")) for p in out.iterdir()} == {"s0": 2, "s1": 2, "f5": 1}
    assert (tmp_path / "ws" / ".hptune" / "hq-jobs" / job_id[2:] / "name").read_text() == "job"


def test_a_broken_job_file_is_refused_at_submission(tmp_path):
    bad = tmp_path / "job.toml"
    bad.write_text('[[task]]\ncommand = "not a list"\n')
    with pytest.raises(BackendError) as err:
        HyperQueueBackend(tmp_path / "ws", embedded=True).submit(bad, tmp_path)
    assert "command must be a non-empty list" in err.value.message and "sweep.py --hq-job" in err.value.hint
    assert not (tmp_path / "ws" / ".hptune" / "hq-jobs").exists()


def test_an_embedded_task_runs_with_the_apps_python_when_its_venv_is_not_on_path(tmp_path, monkeypatch):
    """The journey of exercise 3: the app started by its full path, `hq_tasks.sh` runs plain `python`;
    every task failed with `No module named 'tui'` (a Python without the app's packages)."""
    import os

    venv_bin = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if p and p != venv_bin and "pyenv" not in p))
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "py.sh"
    script.write_text(f"#!/bin/bash\n#SBATCH --array=0\npython -c \"import torch, tui; print('ok')\" > {out}/py.txt\n")
    backend = HyperQueueBackend(tmp_path / "ws", embedded=True, cores=1)
    job_id = backend.submit(script, tmp_path).job_id
    end = time.monotonic() + 90
    while not (tasks := backend.status([job_id])) or not all(t.finished for t in tasks):
        assert time.monotonic() < end, [(t.job_id, t.state) for t in tasks]
        time.sleep(0.3)
    errors = (tmp_path / "ws" / ".hptune" / "hq-jobs" / job_id[2:] / "logs" / "0.err")
    assert [t.state for t in tasks] == [COMPLETED], errors.read_text() if errors.exists() else ""
    assert (out / "py.txt").read_text() == "ok\n"
