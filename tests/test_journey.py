"""The learner's journey, played through the app (tests/journey/play.py): exercises 1 and 2 from a
fresh workspace on the local runner and on the real test cluster, and on the cluster as a non-root
Unix user running the shared install; exercise 3 (tests/journey/play3.py: the README's commands, then
the throughput and checks views) on the local runner and, as a non-root learner, on the cluster. The
app runs as `make run` starts it: its venv not on PATH.

Journey issue: with the venv off PATH every task failed (`No module named 'torch'`); exercise 2's
`logs/` was missing and the local runner died; the form forgot; progress was lost.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.journey.play import EXERCISES, make_learner_app, play

ROOT = Path(__file__).resolve().parents[1]


def answers(exercise: str) -> Path:
    from tui.course.catalog import bundled_catalog

    return ROOT / "solutions" / bundled_catalog().exercise(exercise).dir


@pytest.fixture
def venv_off_path(monkeypatch):
    """PATH as a learner's shell has it when the app is started by its full path."""
    venv_bin = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if p and Path(p).resolve() != Path(venv_bin).resolve()))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)


def remove_logs(workspace: Path, exercise: str) -> None:
    import shutil

    from tui.course.catalog import bundled_catalog

    shutil.rmtree(workspace / bundled_catalog().exercise(exercise).dir / "logs")


def assert_journey_done(journey, exercise: str) -> None:
    assert journey.saved and journey.job_id, journey.steps
    assert set(journey.job_states.values()) == {"COMPLETED"}, (journey.job_states, journey.steps)
    assert journey.trials_seen >= EXERCISES[exercise]["trials"]
    failed = {k: journey.check_messages[k] for k, ok in journey.checks.items() if not ok}
    assert journey.checks and not failed, failed
    assert "done" in journey.map_label, journey.map_label


@pytest.mark.parametrize("exercise", ["01", "02"])
async def test_journey_on_the_local_runner(exercise, tmp_path, venv_off_path, monkeypatch):
    monkeypatch.setattr("tui.cluster.local.sbatch_works", lambda: False)  # a cluster may be up in this session
    app = make_learner_app(tmp_path / "ws", "local", exercise, answers(exercise))
    remove_logs(tmp_path / "ws", exercise)  # an older workspace, or deleted: submit makes it again
    journey = await play(app, exercise, "local")
    assert_journey_done(journey, exercise)
    assert "for the job's output" in journey.submit_text and "/logs/" in journey.submit_text


@pytest.mark.slurm
@pytest.mark.parametrize("exercise", ["01", "02"])
async def test_journey_on_the_test_cluster(exercise, slurm_cluster, tmp_path, venv_off_path, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.env["SLURM_CONF"])
    app = make_learner_app(tmp_path / "ws", "slurm", exercise, answers(exercise))
    remove_logs(tmp_path / "ws", exercise)
    journey = await play(app, exercise, "slurm")
    assert_journey_done(journey, exercise)


def learner_saw(learner, argv: list[str], env: dict[str, str], result: Path) -> SimpleNamespace:
    """Run a journey program (tests/journey) as `learner`; what it saw, from the JSON it wrote to `result`."""
    done = learner.run(argv, env)
    assert result.exists(), (done.returncode, done.stdout[-2000:], done.stderr[-3000:])
    seen = json.loads(result.read_text())
    assert "error" not in seen, seen["error"]
    return SimpleNamespace(**seen)


@pytest.mark.slurm
@pytest.mark.parametrize("exercise", ["01", "02"])
def test_journey_as_a_non_root_learner_on_the_test_cluster(exercise, slurm_cluster, shared_install, class_learners):
    from tui.course.catalog import bundled_catalog

    learner = class_learners.add()
    workspace = learner.home / "hptune-course"
    result = learner.home / f"journey-{exercise}.json"
    answers_dir = next(shared_install.venv.glob(f"lib/python*/site-packages/tui/_data/solutions/"
                                                f"{bundled_catalog().exercise(exercise).dir}"))
    env = {"PATH": "/usr/bin:/bin", "SLURM_CONF": slurm_cluster.env["SLURM_CONF"],
           "PYTHONPATH": str(shared_install.src)}
    init = learner.run([str(shared_install.app), "init", str(workspace)], env)
    assert init.returncode == 0, init.stderr
    journey = learner_saw(learner, [str(shared_install.python), "-m", "tests.journey.play", exercise, "--workspace",
                                     str(workspace), "--backend", "slurm", "--answers", str(answers_dir), "--json",
                                     str(result)], env, result)
    assert_journey_done(journey, exercise)
    owners = {p.stat().st_uid for p in (workspace / bundled_catalog().exercise(exercise).dir / "runs").rglob("*")}
    assert owners == {learner.home.stat().st_uid}  # the jobs ran as the learner, not as root


# -- exercise 3 on the local runner: the README's commands in a shell, then the app's views ---------
def test_exercise3_journey_types_the_readmes_commands_in_its_order():
    from tests.journey.play3 import STEPS, readme_commands

    assert readme_commands(ROOT / "exercises" / "03_hyperqueue" / "README.md") == list(STEPS)


def test_exercise3_cluster_journey_types_the_readmes_commands_as_short_as_the_checks_allow():
    """On a cluster the journey types the README's commands (its cluster lines too), a FIRST= or
    --first value aside, and runs each way with no more tasks than reference.json's min_tasks."""
    import json
    import re

    from tests.journey.play3 import CLUSTER_STEPS, readme_commands

    def shape(command: str) -> str:
        return re.sub(r"(FIRST=|--first )\d+", r"\1N", command)

    readme = {shape(c) for c in readme_commands(ROOT / "exercises" / "03_hyperqueue" / "README.md", cluster=True)}
    assert [c for c in CLUSTER_STEPS if shape(c) not in readme] == []
    need = json.loads((ROOT / "solutions" / "03_hyperqueue" / "reference.json").read_text())["min_tasks"]
    assert f"SBATCH_ARRAY_INX=0-{need['job_per_task'] - 1} hptune-tui submit per_task.sh" in CLUSTER_STEPS
    assert f"FIRST={need['worker_loop']} hptune-tui submit worker_loop.sh" in CLUSTER_STEPS
    assert f"python sweep.py --hq-job hq_job.toml --first {need['hyperqueue']}" in CLUSTER_STEPS


def assert_exercise3_done(journey, backend: str) -> None:
    """What a learner of exercise 3 must see: every command exited 0 with no folder made by hand,
    every job COMPLETED (32 HyperQueue tasks), the throughput view's three ways with their overhead
    per task, and all three checks passing, hq.overhead saying what the backend's wait was."""
    assert not journey.logs_before_submit  # submit made logs/, not the learner
    assert all(c["rc"] == 0 for c in journey.commands), journey.commands
    assert set(journey.job_states.values()) == {"COMPLETED"}, journey.job_states
    assert len([k for k in journey.job_states if k.startswith("hq")]) == 32
    assert "3/3 checks pass" in journey.commands[-1]["stdout"], journey.commands[-1]
    ways = {row[0]: row for row in journey.throughput_rows}
    assert {"job per task", "worker loop", "HyperQueue"} <= set(ways), journey.throughput_rows  # + runs/try: by hand
    assert all(row[3].endswith(" s") for row in ways.values()), journey.throughput_rows  # overhead per task
    failed = {k: journey.check_messages[k] for k, ok in journey.checks.items() if not ok}
    assert set(journey.checks) == {"hq.runs", "hq.overhead", "results.best_config"} and not failed, failed
    if backend == "local":
        assert "local runner" in journey.check_messages["hq.overhead"]
        assert "no queue to take away" in journey.check_messages["hq.overhead"]
    else:  # SLURM's wait per job against HyperQueue's, compared by the check
        assert "the order the lesson predicts" in journey.check_messages["hq.overhead"], journey.check_messages


@pytest.mark.timeout(600)  # a hang guard only: three runs of tiny tasks on a loaded 2-core machine
async def test_exercise3_journey_on_the_local_runner(tmp_path, venv_off_path, monkeypatch):
    """Exercise 3's journey: every README command works as written (no folder made, nothing activated),
    every job ends COMPLETED, the throughput view shows the three ways' overhead, and the checks pass,
    hq.overhead saying why the local runner has no wait to take away."""
    from tests.journey.play3 import play3

    monkeypatch.setattr("tui.cluster.local.sbatch_works", lambda: False)  # a cluster may be up in this session
    journey = await play3(tmp_path / "ws", answers("03"))
    assert_exercise3_done(journey, "local")
    print("\n".join(journey.steps), journey.commands[-3]["stdout"], sep="\n")  # + report.py's table


# Exercise 3 on the cluster runs as the non-root learner only (its root twin, in-process, took two more
# minutes of CI for the same commands on the same cluster; .ci/run stays near 20 minutes on 2 cores).


@pytest.mark.slurm
@pytest.mark.timeout(900)  # a hang guard only
def test_exercise3_journey_as_a_non_root_learner_on_the_test_cluster(slurm_cluster, shared_install, class_learners):
    """Exercise 3's journey as a plain Unix user, from the shared install, on the test cluster."""
    from tui.course.catalog import bundled_catalog

    learner = class_learners.add()
    workspace, result = learner.home / "hptune-course", learner.home / "journey-03.json"
    answers_dir = next(shared_install.venv.glob("lib/python*/site-packages/tui/_data/solutions/"
                                                f"{bundled_catalog().exercise('03').dir}"))
    env = {"PATH": "/usr/bin:/bin", "SLURM_CONF": slurm_cluster.env["SLURM_CONF"],
           "PYTHONPATH": str(shared_install.src)}
    journey = learner_saw(learner, [str(shared_install.python), "-m", "tests.journey.play3", "--workspace",
                                     str(workspace), "--backend", "slurm", "--answers", str(answers_dir), "--json",
                                     str(result)], env, result)
    assert_exercise3_done(journey, "slurm")
    assert_ran_on_slurm(workspace)
    folder = workspace / bundled_catalog().exercise("03").dir
    owners = {p.stat().st_uid for p in (folder / "runs").rglob("*")}
    assert owners == {learner.home.stat().st_uid}  # the jobs ran as the learner, not as root
    print("\n".join(journey.steps), journey.commands[-3]["stdout"], sep="\n")  # + report.py's table


def assert_ran_on_slurm(workspace: Path) -> None:
    """One job per task and the worker loop ran under SLURM (their records say so), not the local runner."""
    from tui.course.catalog import bundled_catalog
    from tui.results.tiny_stats import load_tasks

    folder = workspace / bundled_catalog().exercise("03").dir
    for way in ("per-task", "loop"):
        records, _ = load_tasks(folder / "runs" / way)
        assert records and {r.runner for r in records} == {"slurm"}, (way, {r.runner for r in records})
