"""Exercise 1's pieces end to end (the whole journey is tests/test_journey.py): the form itself saves a script that lints clean and passes the script checks, its Submit
records the job, and a submission outside a run folder puts job.sh and run.json in the run folder
its RUN_DIR names.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.apphelpers import app_for
from tui.cli import main
from tui.cluster.tracking import record_submitted, run_dir_in_text
from tui.dialogs.confirm import ConfirmDialog

FINISH_S = 240.0


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def wait_finished(backend, job_id: str, count: int, timeout: float = FINISH_S) -> dict:
    """Poll until `count` tasks of the job have finished; fail with their states after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        states = {t.job_id: t for t in backend.status([job_id])}
        if len(states) == count and all(t.finished for t in states.values()):
            return states
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} did not finish in {timeout} s: "
                        f"{ {k: (t.state, t.reason) for k, t in states.items()} }")
        time.sleep(0.5)


# The whole exercise, on the local runner and the test cluster, as root and as a learner, is played
# through the app's screens by tests/test_journey.py.


# ---- the form, driven with Pilot ----------------------------------------------------------------
async def test_form_saves_an_exercise_script_that_lints_clean_and_passes_the_script_checks(tmp_path):
    from tui.checks.ex01_script import script_checks
    from tui.jobscript.lint import lint_script

    ws = tmp_path / "ws"
    app = app_for(ws, start_screen="script:array@01", resume=False)
    target = ws / "01_random_search" / "job.sh"
    starter = target.read_text()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#f-array", Input).value = "0-7%4"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # the starter job.sh is there: ask first
        assert target.read_text() == starter
        await pilot.press("y")
        await pilot.pause()
        saved = target.read_text()
        assert saved == screen.script_text
    assert "#SBATCH --array=0-7%4" in saved
    report = lint_script(saved, submit_dir=target.parent)
    assert not [f for f in report.findings if f.severity != "info"], report.findings
    results = script_checks(target.parent)
    assert [r.id for r in results] == ["script.array", "script.concurrency_limit", "script.output_pattern",
                                       "script.time_limit"]
    assert all(r.passed for r in results), [(r.id, r.message) for r in results]


async def test_form_submit_records_the_job_in_its_run_folder(tmp_path, monkeypatch):
    from tui.cluster.local import LocalBackend

    monkeypatch.setattr("tui.cluster.local.sbatch_works", lambda: False)  # this host may have a SLURM
    ws = tmp_path / "ws"
    app = app_for(ws, start_screen="script:array@01", resume=False)
    folder = ws / "01_random_search"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#f-array", Input).value = "0-1"
        screen.query_one("#f-command", Input).value = 'echo "trial $SLURM_ARRAY_TASK_ID" > "$RUN_DIR/t.txt"'
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("y")  # replace the starter job.sh
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#script-status").render())
        script = screen.script_text
    assert status.startswith("submitted job "), status
    job_id = status.split()[-1]
    wait_finished(LocalBackend(ws, force=True), job_id, 2, timeout=60)
    run = folder / "runs" / job_id
    record = json.loads((run / "run.json").read_text())
    assert record["backend"] == "local" and record["job_ids"] == [job_id]
    assert (run / "job.sh").read_text() == script == (folder / "job.sh").read_text()
    assert (run / "t.txt").read_text().startswith("trial ")


# ---- where a submission is recorded -------------------------------------------------------------
@pytest.mark.parametrize("line, expected", [
    ('export RUN_DIR=runs/"${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-local}}"', "ex/runs/17"),  # the templates
    ('#SBATCH --array=0-3\nexport RUN_DIR=runs/"${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-local}}"', "ex/runs/17"),
    ("#SBATCH --array=0-3\nRUN_DIR=runs/$SLURM_JOB_ID", None),  # one folder per task, not runs/<array id>
    ('#SBATCH -a 0-31%8\nRUN_DIR="${HPTUNE_RUN_DIR:-runs/${SLURM_ARRAY_JOB_ID:-local}}"', "ex/runs/17"),  # starter
    ('RUN_DIR="${HPTUNE_RUN_DIR:-runs/${SLURM_ARRAY_JOB_ID:-local}}"', "ex/runs/local"),  # not an array
    ("RUN_DIR='my runs'/$SLURM_JOB_ID  # a comment", "ex/my runs/17"),
    ("#SBATCH --chdir=/data/w\nRUN_DIR=out/$SLURM_JOB_ID", "/data/w/out/17"),
    ("RUN_DIR=$SCRATCH/runs/$SLURM_JOB_ID", None),  # needs the job's environment
    ("RUN_DIR=runs/$(date +%s)", None),  # never run the script's commands here
    ('RUN_DIR="runs/$SLURM_JOB_ID', None),  # unclosed quote
    ("RUN_DIR=", None),
    ("python train.py --out runs/x", None),
])
def test_run_dir_in_text(line, expected):
    found = run_dir_in_text(f"#!/bin/bash\n{line}\necho go\n", Path("ex"), "17")
    assert found == (None if expected is None else Path(expected))


def test_record_submitted_puts_the_script_and_run_json_in_the_run_folder(tmp_path):
    script = tmp_path / "job.sh"
    script.write_text('#!/bin/bash\nRUN_DIR=runs/"$SLURM_ARRAY_JOB_ID"\n')
    run = record_submitted(script, tmp_path, "slurm", "41", text="#!/bin/bash\nRUN_DIR=runs/$SLURM_JOB_ID\n# v1\n")
    assert run == tmp_path / "runs" / "41"
    assert (run / "job.sh").read_text().endswith("# v1\n")  # the text as submitted, not the file now
    assert json.loads((run / "run.json").read_text())["job_id"] == "41"
    inside = tmp_path / "runs" / "r1" / "job.sh"  # a script inside a run folder: recorded there, as before
    inside.parent.mkdir()
    inside.write_text("#!/bin/bash\necho hi\n")
    assert record_submitted(inside, inside.parent, "local", "7") == inside.parent
    assert inside.read_text() == "#!/bin/bash\necho hi\n"
    plain = tmp_path / "plain.sh"
    plain.write_text("#!/bin/bash\necho hi\n")
    assert record_submitted(plain, tmp_path, "local", "8") is None
    # HyperQueue's tasks see $HQ_TASK_ID, not the SLURM ids: their RUN_DIR would not be runs/<hq id>
    assert record_submitted(script, tmp_path, "hyperqueue", "9") is None
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["41", "r1"]


@pytest.mark.slurm
def test_cli_submit_to_slurm_records_the_run_folder(slurm_cluster, tmp_path, capsys, monkeypatch):
    from tui.cluster.slurm import SlurmBackend, subprocess_runner

    for key, value in slurm_cluster.env.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "logs").mkdir()
    script = tmp_path / "job.sh"
    script.write_text('#!/bin/bash\n#SBATCH -J rec\n#SBATCH --array=0-1\n#SBATCH -o logs/%x-%A_%a.out\n'
                      'export RUN_DIR=runs/"${SLURM_ARRAY_JOB_ID:-local}"\nmkdir -p "$RUN_DIR"\n'
                      'touch "$RUN_DIR/done-$SLURM_ARRAY_TASK_ID"\n')
    code, out, err = cli(capsys, "-w", tmp_path, "submit", script, "--backend", "slurm")
    assert code == 0, err
    job_id = out.strip()
    run = tmp_path / "runs" / job_id
    assert (run / "job.sh").read_text() == script.read_text()
    assert json.loads((run / "run.json").read_text())["backend"] == "slurm"
    wait_finished(SlurmBackend(subprocess_runner(slurm_cluster.env)), job_id, 2, timeout=90)
    shown = sorted(p.name for p in run.iterdir() if not p.name.startswith("."))  # .run.json.lock: hidden
    assert shown == ["done-0", "done-1", "job.sh", "run.json"]
