"""Play exercise 3 as a learner plays it: the README's commands, then the app.

From a fresh workspace holding the learner's answers (tiny_task.py, sweep.py), the commands the
README gives, in its order, typed in the exercise folder as a learner types them: the app's venv
not on PATH and nothing activated, so `python` and `hptune-tui` are the app's by their full paths.
After each submission the learner asks `hptune-tui status JOB` until every task has ended. Then,
in the app: the course map, Enter on exercise 3, `v` -> the throughput view until it shows the
three ways, `v` -> the checks view until its verdict. Nothing waits for a fixed time.

On a cluster the commands are the same (the shorter sweep: FIRST=32, --first 32): with a SLURM
that answers, `hptune-tui submit` sends per_task.sh and worker_loop.sh to it, and
`--backend hyperqueue` runs the embedded HyperQueue on this (login) node, there being no `hq`.
It runs in the test process (`play3(...)`) or as its own program, which is how the journey runs
as a non-root Unix user from the shared install:

    python -m tests.journey.play3 --workspace DIR --backend slurm --answers DIR --json OUT
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.journey.play import Journey, _open_exercise, _open_view, report, wait_for

EXERCISE = "03"
ANSWERS = ("tiny_task.py", "sweep.py")
# The README's commands for the local runner, in its order (test_journey checks they are the README's).
STEPS = (
    "python tiny_task.py --run-dir runs/try --task 0",
    "cat runs/try/trials/00000/result.json",
    "hptune-tui submit per_task.sh",
    "FIRST=32 hptune-tui submit worker_loop.sh",
    "python sweep.py --hq-job hq_job.toml --first 32",
    "hptune-tui submit hq_job.toml --backend hyperqueue",
    "python report.py runs/per-task runs/loop runs/hq",
    "python report.py runs/per-task runs/loop runs/hq --save-best",
    "hptune-tui check 03",
)
# On a cluster: the same, but each way as short as the checks allow (reference.json's min_tasks): the
# README's cluster line for per_task.sh, and its FIRST= with the loop's minimum. SLURM's wait per job
# is what a task of per_task.sh costs there (about 5 s of the 2-core test cluster), so 8 not 16.
CLUSTER_STEPS = tuple({"hptune-tui submit per_task.sh": "SBATCH_ARRAY_INX=0-7 hptune-tui submit per_task.sh",
                       "FIRST=32 hptune-tui submit worker_loop.sh": "FIRST=16 hptune-tui submit worker_loop.sh",
                       }.get(step, step) for step in STEPS)
CLUSTER_ONLY = "(on a cluster)"  # a README line so marked is not for the local runner
STEP_TIMEOUT_S = 120.0
JOBS_TIMEOUT_S = 600.0  # a busy 2-core machine is slow, not broken


@dataclass
class Journey3(Journey):
    """What the learner saw: per command its exit status and output, the jobs' states, the views."""

    commands: list[dict] = field(default_factory=list)
    logs_before_submit: bool = True
    throughput_rows: list[tuple] = field(default_factory=list)
    throughput_summary: str = ""


def readme_commands(readme: Path, cluster: bool = False) -> list[str]:
    """The commands of the README's ```bash blocks, comments dropped, cluster-only lines left out
    (unless `cluster`)."""
    out, inside = [], False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```bash"
            continue
        if inside and line.strip() and (cluster or CLUSTER_ONLY not in line):
            out.append(re.sub(r"\s+#.*$", "", line).strip())
    return out


def learner_env(venv_bin: Path, backend: str = "local") -> dict[str, str]:
    """A learner's shell: the app's venv off PATH, none activated, no workspace named (the commands
    find it from the folder they run in), no test driver on PYTHONPATH, and SLURM configured only
    on a cluster (without it, the local runner)."""
    drop = {"VIRTUAL_ENV", "HPTUNE_WORKSPACE", "PYTHONPATH"} | ({"SLURM_CONF"} if backend == "local" else set())
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and Path(p).resolve() != venv_bin.resolve())
    return env


def typed(command: str, venv_bin: Path) -> tuple[list[str], dict[str, str]]:
    """The argv of a command as the learner types it (the app's programs by their full paths), and
    the variables set before it (`FIRST=32 hptune-tui ...`)."""
    argv, env = shlex.split(command), {}
    while "=" in argv[0]:
        name, value = argv.pop(0).split("=", 1)
        env[name] = value
    if argv[0] in ("python", "hptune-tui"):
        argv[0] = str(venv_bin / argv[0])
    return argv, env


def run_step(command: str, folder: Path, env: dict[str, str], venv_bin: Path, journey: Journey3) -> str:
    """Run one command in the exercise folder; raise with its output when it fails."""
    start, (argv, assigned) = time.monotonic(), typed(command, venv_bin)
    done = subprocess.run(argv, cwd=folder, env={**env, **assigned}, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT_S, stdin=subprocess.DEVNULL)
    journey.commands.append({"command": command, "rc": done.returncode, "stdout": done.stdout[-3000:],
                             "stderr": done.stderr[-3000:]})
    journey.steps.append(f"$ {command} -> {done.returncode} ({time.monotonic() - start:.1f} s)")
    if done.returncode != 0:
        raise AssertionError(f"`{command}` failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
                             f"\n(steps so far: {journey.steps})")
    return done.stdout


def wait_for_job(job_id: str, folder: Path, env: dict[str, str], venv_bin: Path, journey: Journey3) -> None:
    """Ask `hptune-tui status JOB --json` every 2 s, as a learner would, until every task has ended."""
    from tests.waiting import poll

    argv, seen, start = [str(venv_bin / "hptune-tui"), "status", job_id, "--json"], [], time.monotonic()

    def ended() -> list[dict]:
        done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        seen[:] = json.loads(done.stdout or "{}").get("jobs", []) if done.returncode == 0 else []
        return seen if seen and all(t["finished"] for t in seen) else []

    if not poll(ended, JOBS_TIMEOUT_S, step=2.0):
        raise AssertionError(f"job {job_id} did not end within {JOBS_TIMEOUT_S:g} s: "
                             f"{[(t['job_id'], t['state']) for t in seen]}")
    journey.job_states.update({t["job_id"]: t["state"] for t in seen})
    journey.steps.append(f"job {job_id}: {len(seen)} tasks ended ({time.monotonic() - start:.1f} s)")


def play_commands(workspace: Path, journey: Journey3, venv_bin: Path | None = None) -> None:
    """The README's commands, in order, in the exercise folder of `workspace`."""
    from tui.course.catalog import bundled_catalog

    venv_bin = venv_bin or Path(sys.executable).parent
    folder = workspace / bundled_catalog().exercise(EXERCISE).dir
    env = learner_env(venv_bin, journey.backend)
    journey.logs_before_submit = (folder / "logs").exists()
    submitted: list[str] = []
    try:
        for command in STEPS if journey.backend == "local" else CLUSTER_STEPS:
            out = run_step(command, folder, env, venv_bin, journey)
            if " submit " in f" {command} ":
                journey.job_id = out.strip().splitlines()[-1]
                submitted.append(journey.job_id)
                wait_for_job(journey.job_id, folder, env, venv_bin, journey)
    except BaseException:  # a failed or timed-out journey leaves no detached job eating the CPUs
        for job_id in submitted:
            subprocess.run([str(venv_bin / "hptune-tui"), "cancel", job_id], cwd=folder, env=env,
                           capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        raise


async def play_views(app, journey: Journey3, size=(80, 24)) -> None:
    """In the app: exercise 3 from the course map, the throughput view, then the checks view."""
    from textual.widgets import DataTable, Static

    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "the course map", journey)
        await _open_exercise(pilot, app, EXERCISE, journey)
        await _open_view(pilot, app, f"throughput:{EXERCISE}")
        screen = await wait_for(pilot, lambda: app.screen if type(app.screen).__name__ == "ThroughputScreen"
                                else None, "the throughput view", journey)
        table = screen.query_one("#tp-table", DataTable)
        await wait_for(pilot, lambda: screen.updates >= 1 and table.row_count >= 3, "the three ways", journey,
                       timeout=60)
        journey.throughput_rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        journey.throughput_summary = str(screen.query_one("#tp-summary", Static).render())
        journey.steps.append(f"throughput view: {len(journey.throughput_rows)} ways")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LessonScreen", "the exercise again", journey)
        await _open_view(pilot, app, f"checks:{EXERCISE}")
        checks = await wait_for(pilot, lambda: app.screen if type(app.screen).__name__ == "ChecksScreen"
                                else None, "the checks view", journey)
        await wait_for(pilot, lambda: checks.runs >= 1 and checks.report is not None, "the checks' verdict",
                       journey, timeout=120)
        journey.checks = {c.id: c.passed for c in checks.report.checks}
        journey.check_messages = {c.id: c.message for c in checks.report.checks}
        journey.steps.append(f"checks: {sum(journey.checks.values())}/{len(journey.checks)} pass")


def put_answers(workspace: Path, answers: Path) -> None:
    """The learner's answers typed over the starters' TODOs (here: the solution's files copied)."""
    import shutil

    from tui.course.catalog import bundled_catalog

    folder = workspace / bundled_catalog().exercise(EXERCISE).dir
    for name in ANSWERS:
        shutil.copy2(answers / name, folder / name)


async def play3(workspace: Path, answers: Path, backend: str = "local") -> Journey3:
    """Exercise 3 from a fresh workspace (init) to its checks' verdict in the app, on `backend`
    ("local": the local runner; "slurm": the SLURM that SLURM_CONF names, HyperQueue embedded)."""
    from tui.app import make_app
    from tui.settings import load_settings

    journey = Journey3(EXERCISE, backend)
    venv_bin = Path(sys.executable).parent
    run_step(f"hptune-tui init {shlex.quote(str(workspace))}", workspace.parent, learner_env(venv_bin, backend),
             venv_bin, journey)
    put_answers(workspace, answers)
    play_commands(workspace, journey)
    settings = load_settings(workspace=workspace)
    settings.backend = backend
    await play_views(make_app(settings, resume=False), journey)
    return journey


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, required=True, help="where `hptune-tui init` makes it")
    parser.add_argument("--backend", default="local", choices=("local", "slurm"))
    parser.add_argument("--answers", type=Path, required=True, help="folder with tiny_task.py and sweep.py")
    parser.add_argument("--json", type=Path, required=True, help="where to write what the learner saw")
    args = parser.parse_args(argv)
    return report(args.json, play3(args.workspace, args.answers, args.backend))


if __name__ == "__main__":
    sys.exit(main())
