"""Play an exercise as a learner does, through the app's screens, and say what the learner saw.

From a fresh workspace: the learner's own answer goes into the exercise's files, then, in the
app: the course map, Enter on the exercise, `v` and the job-script form, fields filled, Ctrl+S
(yes, replace the starter), Ctrl+R (submit), the jobs screen until every task has ended, the
live trials screen until the run's trials show, the checks screen until its verdict, back to the
course map. Every step waits for what the screen shows, never for a fixed time.

It runs in the test process (`play(...)`) or as its own program, which is how the journey runs
as a non-root Unix user from the shared install:

    python -m tests.journey.play 01 --workspace DIR --backend slurm --answers DIR --json OUT
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Per exercise: the answer files (from the solution), the form's view and its fields for a short run.
EXERCISES = {
    "01": {"answers": ["sample.py"], "form": "script:array@01",
           "fields": {"array": "0-7%4", "time": "00:05:00", "cpus_per_task": "1", "mem": "1G"},
           "command": ("--epochs 20", "--epochs 10"), "tasks": 8, "trials": 8},
    "02": {"answers": ["objective.py"], "form": "script:optuna_workers@02",
           "fields": {"array": "0-1", "time": "00:10:00", "cpus_per_task": "1", "mem": "1G"},
           "extras": {"n_trials": "40"}, "command": None, "tasks": 2, "trials": 40},
}
WAIT_S = 600.0  # the most a journey waits for the jobs (a busy 2-core machine is slow, not broken)


@dataclass
class Journey:
    """What the learner saw on the way (the test asserts on it)."""

    exercise: str
    backend: str
    saved: bool = False
    job_id: str = ""
    submit_text: str = ""
    job_states: dict[str, str] = field(default_factory=dict)
    trials_seen: int = 0
    checks: dict[str, bool] = field(default_factory=dict)
    check_messages: dict[str, str] = field(default_factory=dict)
    map_label: str = ""
    steps: list[str] = field(default_factory=list)


async def wait_for(pilot, check, what: str, journey: Journey, timeout: float = WAIT_S):
    """Let the app run until `check()` returns something true; raise naming `what` after `timeout`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        await pilot.pause(0.2)
        value = check()
        if value:
            return value
    raise AssertionError(f"{journey.exercise}/{journey.backend}: the screen never showed {what} "
                         f"(steps so far: {journey.steps})")


def put_answers(workspace: Path, exercise: str, answers: Path) -> None:
    """The learner's own answer, typed into the exercise's files (here: copied from `answers`)."""
    from tui.course.catalog import bundled_catalog

    folder = workspace / bundled_catalog().exercise(exercise).dir
    for name in EXERCISES[exercise]["answers"]:
        shutil.copy2(answers / name, folder / name)


async def _choose(pilot, app, choice_id: str) -> None:
    """Pick an option of the open ChoiceDialog by id, with the keyboard."""
    from textual.widgets import OptionList

    options = app.screen.query_one(OptionList)
    index = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == choice_id)
    options.focus()
    options.highlighted = index
    await pilot.press("enter")
    await pilot.pause()


async def _open_view(pilot, app, spec: str) -> None:
    await pilot.press("v")
    await pilot.pause()
    await _choose(pilot, app, spec)


async def _open_exercise(pilot, app, exercise: str, journey: Journey) -> None:
    from textual.widgets import OptionList

    course_map = app.screen.query_one("#course-map", OptionList)
    index = next(i for i in range(course_map.option_count) if course_map.get_option_at_index(i).id == exercise)
    course_map.focus()
    course_map.highlighted = index
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "LessonScreen", "the exercise", journey)
    journey.steps.append("opened the exercise")


async def _fill_and_submit(pilot, app, exercise: str, journey: Journey) -> None:
    from textual.widgets import Input

    spec = EXERCISES[exercise]
    await _open_view(pilot, app, spec["form"])
    form = await wait_for(pilot, lambda: app.screen if type(app.screen).__name__ == "ScriptFormScreen" else None,
                          "the job-script form", journey)
    for key, value in spec["fields"].items():
        form.query_one(f"#f-{key}", Input).value = value
    for key, value in spec.get("extras", {}).items():
        form.query_one(f"#f-extras-{key}", Input).value = value
    if spec["command"]:
        command = form.query_one("#f-command", Input)
        command.value = command.value.replace(*spec["command"])
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()
    if type(app.screen).__name__ == "ConfirmDialog":  # the starter job.sh is there: replace it
        await pilot.press("y")
        await pilot.pause()
    journey.saved = True
    journey.steps.append("saved job.sh")
    await pilot.press("ctrl+r")
    status = await wait_for(pilot, lambda: _submitted(form), "the submitted job id", journey, timeout=120)
    journey.submit_text = str(form.query_one("#script-result").render())
    if not status.startswith("submitted job "):
        raise AssertionError(f"submit failed: {journey.submit_text}")
    journey.job_id = status.split()[2]
    journey.steps.append(f"submitted job {journey.job_id}")
    await pilot.press("escape")
    await pilot.pause()


def _submitted(form) -> str:
    text = str(form.query_one("#script-status").render())
    return text if text.startswith(("submitted job", "Submit", "sbatch", "the script was not")) or "error" in text \
        else ""


async def _watch_jobs(pilot, app, exercise: str, journey: Journey) -> None:
    app.open_screen("jobs")  # the command palette's "Screen: jobs"
    jobs = await wait_for(pilot, lambda: app.screen if type(app.screen).__name__ == "JobsScreen" else None,
                          "the jobs screen", journey)
    count = EXERCISES[exercise]["tasks"]

    def ended():
        mine = {k: t for k, t in jobs.tasks.items() if (t.array_job_id or t.job_id) == journey.job_id}
        if len(mine) == count and all(t.finished for t in mine.values()):
            return mine
        return None

    mine = await wait_for(pilot, ended, f"all {count} tasks of job {journey.job_id} ended", journey)
    journey.job_states = {k: t.state for k, t in sorted(mine.items())}
    journey.steps.append(f"jobs ended: {sorted(set(journey.job_states.values()))}")
    await pilot.press("escape")
    await pilot.pause()


async def _watch_trials(pilot, app, exercise: str, journey: Journey) -> None:
    await _open_view(pilot, app, f"trials:{exercise}")
    screen = await wait_for(pilot, lambda: app.screen if type(app.screen).__name__ == "TrialsScreen" else None,
                            "the trials screen", journey)
    want = EXERCISES[exercise]["trials"]

    def trials():
        table = screen.query("#trials-table")
        rows = table.first().row_count if table else 0
        return rows if rows >= want else 0

    journey.trials_seen = await wait_for(pilot, trials, f"{want} trials in the table", journey, timeout=60)
    journey.steps.append(f"trials screen: {journey.trials_seen} rows")
    await pilot.press("escape")
    await pilot.pause()


async def _run_checks(pilot, app, exercise: str, journey: Journey) -> None:
    await _open_view(pilot, app, f"checks:{exercise}")
    screen = await wait_for(pilot, lambda: app.screen if type(app.screen).__name__ == "ChecksScreen" else None,
                            "the checks screen", journey)
    await wait_for(pilot, lambda: screen.runs >= 1 and screen.report is not None, "the checks' verdict", journey)
    journey.checks = {c.id: c.passed for c in screen.report.checks}
    journey.check_messages = {c.id: c.message for c in screen.report.checks}
    journey.steps.append(f"checks: {sum(journey.checks.values())}/{len(journey.checks)} pass")
    await pilot.press("escape")
    await pilot.pause()


async def play(app, exercise: str, backend: str, size=(100, 32)) -> Journey:
    """Play `exercise` in `app` (made with make_app on a workspace holding the answers)."""
    journey = Journey(exercise, backend)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "the course map", journey)
        await _open_exercise(pilot, app, exercise, journey)
        await _fill_and_submit(pilot, app, exercise, journey)
        await _watch_jobs(pilot, app, exercise, journey)
        await _watch_trials(pilot, app, exercise, journey)
        await _run_checks(pilot, app, exercise, journey)
        await pilot.press("escape")  # the exercise -> the course map
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "the course map again", journey)
        journey.map_label = _map_label(app, exercise)
    return journey


def _map_label(app, exercise: str) -> str:
    from textual.widgets import OptionList

    course_map = app.screen.query_one("#course-map", OptionList)
    for i in range(course_map.option_count):
        option = course_map.get_option_at_index(i)
        if option.id == exercise:
            return str(option.prompt)
    return ""


def make_learner_app(workspace: Path, backend: str, exercise: str, answers: Path):
    """A fresh workspace (hptune-tui init) with the learner's answer, and the app on it."""
    from tui.app import make_app
    from tui.course.workspace import init_workspace
    from tui.settings import load_settings

    init_workspace(workspace)
    put_answers(workspace, exercise, answers)
    settings = load_settings(workspace=workspace)
    settings.backend = backend
    return make_app(settings, resume=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercise", choices=sorted(EXERCISES))
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--backend", default="local")
    parser.add_argument("--answers", type=Path, required=True, help="folder with the answer files")
    parser.add_argument("--json", type=Path, required=True, help="where to write what the learner saw")
    args = parser.parse_args(argv)
    app = make_learner_app(args.workspace, args.backend, args.exercise, args.answers)
    return report(args.json, play(app, args.exercise, args.backend))


def report(out: Path, journey) -> int:
    """Play `journey` (a coroutine) and write what the learner saw, or the failed assertion, to `out` as
    JSON, for the test that started this program as the learner; returns the exit status."""
    try:
        seen = asyncio.run(journey)
    except AssertionError as exc:
        out.write_text(json.dumps({"error": str(exc)}))
        return 1
    out.write_text(json.dumps(asdict(seen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
