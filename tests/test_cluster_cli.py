"""`hptune-tui submit/status/cancel` and the faults around them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time

import pytest

from tui.cli import main
from tui.cluster.poller import Poller

SCRIPT = "#!/bin/bash\n#SBATCH -J cli\n#SBATCH --array=0-1\n#SBATCH -o logs/%x-%A_%a.out\necho hi\n"


@pytest.fixture
def run_dir(tmp_path):
    folder = tmp_path / "ws" / "01_random_search" / "runs" / "r1"
    (folder / "logs").mkdir(parents=True)
    (folder / "job.sh").write_text(SCRIPT)
    return folder


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_submit_records_the_job_and_status_finds_it(run_dir, capsys):
    ws = str(run_dir.parents[2])
    code, out, err = cli(capsys, "-w", ws, "submit", str(run_dir / "job.sh"), "--backend", "local", "--force-local")
    assert code == 0, err
    job_id = out.strip()
    record = json.loads((run_dir / "run.json").read_text())
    assert record["backend"] == "local" and record["job_ids"] == [job_id]
    deadline = time.monotonic() + 20
    while True:
        code, out, err = cli(capsys, "-w", ws, "status", "--json")
        tasks = json.loads(out)["jobs"]
        if all(t["finished"] for t in tasks) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert code == 0 and [(t["job_id"], t["state"]) for t in tasks] == [(f"{job_id}_0", "COMPLETED"),
                                                                        (f"{job_id}_1", "COMPLETED")]
    code, out, _ = cli(capsys, "-w", ws, "status")
    assert f"{job_id}_1" in out and "COMPLETED" in out


def test_bad_input_exits_2(tmp_path, capsys):
    assert cli(capsys, "-w", str(tmp_path), "submit", str(tmp_path / "missing.sh"))[0] == 2
    assert cli(capsys, "-w", str(tmp_path), "cancel", "12;rm")[0] == 2
    code, _, err = cli(capsys, "-w", str(tmp_path), "status", "abc")
    assert code == 2 and "not a job id" in err


def test_local_refusal_reaches_the_learner_and_nothing_is_recorded(run_dir, capsys):
    (run_dir / "job.sh").write_text("#!/bin/bash\n#SBATCH --array=9-1\ntrue\n")
    code, out, err = cli(capsys, "-w", str(run_dir.parents[2]), "submit", str(run_dir / "job.sh"),
                         "--backend", "local", "--force-local")
    assert code == 1 and out == "" and "'9-1'" in err  # refused before submission (lint), as sbatch would
    assert not (run_dir / "run.json").exists()


@pytest.mark.slurm
def test_bad_account_is_verbatim_with_a_hint_and_nothing_is_recorded(slurm_cluster, run_dir, capsys, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.env["SLURM_CONF"])
    (run_dir / "job.sh").write_text("#!/bin/bash\n#SBATCH -A no_such_account\ntrue\n")
    code, out, err = cli(capsys, "-w", str(run_dir.parents[2]), "submit", str(run_dir / "job.sh"),
                         "--backend", "slurm")
    assert code == 1 and out == ""
    assert "Invalid account or account/partition combination specified" in err and "sacctmgr" in err
    assert not (run_dir / "run.json").exists()


@pytest.mark.slurm
def test_slurm_submit_status_cancel_through_the_cli(slurm_cluster, run_dir, capsys, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.env["SLURM_CONF"])
    (run_dir / "job.sh").write_text("#!/bin/bash\n#SBATCH --array=0-1\n#SBATCH -o /dev/null\nsleep 60\n")
    ws = str(run_dir.parents[2])
    code, out, err = cli(capsys, "-w", ws, "submit", str(run_dir / "job.sh"), "--backend", "slurm")
    assert code == 0, err
    job_id = out.strip()
    assert json.loads((run_dir / "run.json").read_text())["backend"] == "slurm"
    deadline = time.monotonic() + 30
    while {t["state"] for t in json.loads(cli(capsys, "-w", ws, "status", "--json")[1])["jobs"]} != {"RUNNING"}:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert cli(capsys, "-w", ws, "cancel", job_id)[0] == 0
    deadline = time.monotonic() + 30
    while True:
        tasks = json.loads(cli(capsys, "-w", ws, "status", "--json")[1])["jobs"]
        want = {(f"{job_id}_0", "CANCELLED"), (f"{job_id}_1", "CANCELLED")}
        done = {(t["job_id"], t["state"]) for t in tasks} == want
        if done or time.monotonic() > deadline:  # sacct may lag the queue by a few seconds
            break
        time.sleep(0.5)
    assert {t["job_id"] for t in tasks} == {f"{job_id}_0", f"{job_id}_1"}
    assert {t["state"] for t in tasks} == {"CANCELLED"}


@pytest.mark.slurm
def test_controller_stopped_mid_watch_goes_stale_and_recovers(slurm_cluster, tmp_path):
    from tui.cluster.slurm import SlurmBackend, subprocess_runner

    backend = SlurmBackend(subprocess_runner(slurm_cluster.env), timeout=15)
    script = tmp_path / "s.sh"
    script.write_text("#!/bin/bash\n#SBATCH -o /dev/null\nsleep 60\n")
    job_id = backend.submit(script, tmp_path).job_id
    poller = Poller(backend, interval=2)
    poller.watch("test", [job_id])
    try:
        assert not poller.tick().stale
        slurm_cluster.stop_controller()
        snap = poller.tick()
        assert snap.stale and snap.tasks[job_id].state in ("PENDING", "RUNNING") and snap.error
        assert poller.interval == 4
    finally:
        if "slurmctld" not in slurm_cluster.daemons:
            slurm_cluster.start_controller()
    snap = poller.tick()
    assert not snap.stale and snap.tasks[job_id].state in ("PENDING", "RUNNING") and poller.interval == 2
    backend.cancel(job_id)


@pytest.mark.timeout(120)
def test_a_hyperqueue_job_file_is_submitted_listed_and_cancelled_from_the_exercise_folder(tmp_path, capsys,
                                                                                         monkeypatch):
    ws = tmp_path / "ws"
    folder = ws / "03_hyperqueue"
    folder.mkdir(parents=True)
    (ws / "hptune.toml").write_text("")
    job_file = folder / "hq_job.toml"
    job_file.write_text('[[task]]\nid = 0\ncommand = ["true"]\n\n[[task]]\nid = 1\ncommand = ["sleep", "60"]\n')
    monkeypatch.delenv("HPTUNE_WORKSPACE")
    monkeypatch.chdir(folder)  # as the exercise's README runs it: the workspace is found above
    code, out, err = cli(capsys, "submit", "hq_job.toml", "--backend", "hyperqueue")
    assert code == 0 and out.strip() == "hq1", err
    try:
        _status_then_cancel(ws, capsys)
    finally:  # a failed assertion must not leave the 60 s task running
        driver = ws / ".hptune" / "hq-jobs" / "1" / "driver.pid"
        with contextlib.suppress(OSError, ValueError):
            os.killpg(int(driver.read_text()), signal.SIGTERM)


def _status_then_cancel(ws, capsys):
    assert (ws / ".hptune" / "hq-jobs" / "1").is_dir()
    deadline = time.monotonic() + 60
    while True:  # no id given: HyperQueue's jobs are listed with the rest
        code, out, err = cli(capsys, "status", "--json")
        states = {t["job_id"]: t["state"] for t in json.loads(out)["jobs"]}
        if states.get("hq1_0") == "COMPLETED" and states.get("hq1_1") == "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert code == 0 and states == {"hq1_0": "COMPLETED", "hq1_1": "RUNNING"}, err
    code, out, err = cli(capsys, "cancel", "hq1")  # the hq id says which backend
    assert code == 0 and out.strip() == "cancelled hq1", err
    deadline = time.monotonic() + 30
    while cli(capsys, "status", "--json", "hq1")[1].count("CANCELLED") < 1 and time.monotonic() < deadline:
        time.sleep(0.3)
    code, out, _ = cli(capsys, "status", "hq1")
    assert code == 0 and "hq1_1" in out and "CANCELLED" in out
    assert cli(capsys, "status", "hq1x")[0] == 2


def test_status_of_one_job_prints_only_its_rows_once(run_dir, capsys):
    ws = str(run_dir.parents[2])
    ids = []
    for _ in range(2):
        code, out, err = cli(capsys, "-w", ws, "submit", str(run_dir / "job.sh"), "--backend", "local", "--force-local")
        assert code == 0, err
        ids.append(out.strip())
    code, out, err = cli(capsys, "-w", ws, "status", "--json", ids[0])
    assert code == 0, err
    assert [t["job_id"] for t in json.loads(out)["jobs"]] == [f"{ids[0]}_0", f"{ids[0]}_1"]
    code, out, _ = cli(capsys, "-w", ws, "status", ids[0])
    assert out.count(f"{ids[0]}_0") == 1 and f"{ids[1]}_" not in out


@pytest.mark.slurm
def test_a_stopped_controller_is_an_error_never_an_empty_answer(slurm_cluster, run_dir, capsys, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.env["SLURM_CONF"])
    (run_dir / "job.sh").write_text("#!/bin/bash\n#SBATCH -o /dev/null\nsleep 60\n")
    ws = str(run_dir.parents[2])
    code, out, err = cli(capsys, "-w", ws, "submit", str(run_dir / "job.sh"), "--backend", "slurm")
    assert code == 0, err
    job_id = out.strip()
    slurm_cluster.stop_controller()
    try:
        code, out, err = cli(capsys, "-w", ws, "status", "--json")
        answer = json.loads(out)
        assert code == 1 and answer["jobs"] == [] and answer["errors"][0].startswith("slurm: ")
        code, out, err = cli(capsys, "-w", ws, "status")
        assert code == 1 and "no jobs" not in out and out.strip() == ""
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        code, out, err = cli(capsys, "-w", ws, "cancel", job_id)
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    finally:
        slurm_cluster.start_controller()
    assert cli(capsys, "-w", ws, "cancel", job_id)[0] == 0
