"""The one submit path (tui/workflows/submit.py) behind `hptune-tui submit` and the form's Submit:
output folders made before the job needs them, lint with the site's limits before the scheduler,
and a refusal that says why and records nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.cluster.backend import BackendError, SubmitResult
from tui.cluster.discovery import ClusterInfo, Partition, save_cache
from tui.workflows.submit import output_folders, submit_script


class RecordingBackend:
    """A backend that accepts everything and remembers what it was given (no scheduler needed)."""

    name = "local"
    IMPLEMENTS_TEST_ONLY = True

    def __init__(self) -> None:
        self.calls: list[tuple[Path, Path, bool]] = []

    def submit(self, script: Path, workdir: Path, test_only: bool = False) -> SubmitResult:
        self.calls.append((script, workdir, test_only))
        return SubmitResult("" if test_only else "77", "would start now" if test_only else "")


@pytest.mark.parametrize("lines, expected", [
    ("#SBATCH -o logs/%x-%A_%a.out", ["logs"]),
    ("#SBATCH -J tr\n#SBATCH -o out/%x/%j.out\n#SBATCH -e err/x.err", ["out/tr", "err"]),
    ("#SBATCH -o logs/%j/x.out", []),  # a folder per job id: nobody can make it in advance
    ("#SBATCH -o plain.out", []),
    ("#SBATCH -D sub\n#SBATCH -o logs/x.out", ["sub/logs"]),
    ("echo hi\n#SBATCH -o ignored/x.out", []),  # after the first command: sbatch ignores it
])
def test_output_folders_are_read_as_sbatch_reads_the_script(tmp_path, lines, expected):
    text = f"#!/bin/bash\n{lines}\necho go\n"
    assert output_folders(text, tmp_path) == [tmp_path / e for e in expected]


def test_submit_makes_the_output_folder_and_records_the_run(tmp_path):
    folder = tmp_path / "ws" / "01_random_search"
    folder.mkdir(parents=True)
    script = folder / "job.sh"
    script.write_text('#!/bin/bash\n#SBATCH -a 0-1\n#SBATCH -o logs/deep/%x-%A_%a.out\n'
                      'export RUN_DIR=runs/"${SLURM_ARRAY_JOB_ID:-local}"\necho hi\n')
    backend = RecordingBackend()
    done = submit_script(backend, script, workspace=tmp_path / "ws")
    assert (folder / "logs" / "deep").is_dir() and any("logs/deep" in n for n in done.notes)
    assert done.job_id == "77" and done.run_dir == folder / "runs" / "77"
    assert json.loads((done.run_dir / "run.json").read_text())["job_ids"] == ["77"]
    assert backend.calls == [(script, folder, False)]


def test_a_folder_that_cannot_be_made_refuses_the_job_and_records_nothing(tmp_path):
    (tmp_path / "logs").write_text("a file where the folder should be")
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/bash\n#SBATCH -o logs/x.out\necho hi\n")
    backend = RecordingBackend()
    with pytest.raises(BackendError) as refused:
        submit_script(backend, script)
    assert "logs" in str(refused.value) and "output" in str(refused.value)
    assert backend.calls == [] and not (tmp_path / "runs").exists()


def test_lint_errors_with_the_sites_limits_refuse_before_the_scheduler(tmp_path):
    ws = tmp_path / "ws"
    (ws / ".hptune").mkdir(parents=True)
    save_cache(ws, ClusterInfo(scheduler="slurm", max_array_size=1001,
                               partitions=[Partition("short", max_seconds=300, time_limit="5:00")]))
    script = ws / "job.sh"
    backend = RecordingBackend()
    script.write_text("#!/bin/bash\n#SBATCH -a 0-2000\necho hi\n")
    with pytest.raises(BackendError) as refused:
        submit_script(backend, script, workspace=ws)
    assert "not submitted" in str(refused.value) and "2000" in str(refused.value)
    script.write_text("#!/bin/bash\n#SBATCH -a 0-999\necho hi\n")
    assert submit_script(backend, script, workspace=ws).job_id == "77"  # within MaxArraySize: submitted
    assert len(backend.calls) == 1


def test_a_test_submits_nothing_and_records_nothing(tmp_path):
    script = tmp_path / "job.sh"
    script.write_text('#!/bin/bash\n#SBATCH -o logs/x.out\nexport RUN_DIR=runs/"$SLURM_JOB_ID"\necho hi\n')
    backend = RecordingBackend()
    done = submit_script(backend, script, test_only=True)
    assert done.job_id == "" and done.message == "would start now" and done.run_dir is None
    assert backend.calls == [(script, tmp_path, True)] and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("content, words", [
    (b"echo no shebang\n", "#!"),
    (b"#!/bin/bash\r\necho hi\r\n", "Windows line ends"),
])
def test_a_script_sbatch_would_refuse_is_refused_with_the_reason(tmp_path, content, words):
    script = tmp_path / "job.sh"
    script.write_bytes(content)
    backend = RecordingBackend()
    with pytest.raises(BackendError) as refused:
        submit_script(backend, script)
    assert words in str(refused.value) and backend.calls == []


def test_a_script_with_bytes_that_are_not_utf8_is_submitted_and_kept_as_it_was(tmp_path):
    script = tmp_path / "job.sh"
    script.write_bytes(b'#!/bin/bash\nexport RUN_DIR=runs/"$SLURM_JOB_ID"\necho caf\xe9\n')  # sbatch takes it
    done = submit_script(RecordingBackend(), script)
    assert (done.run_dir / "job.sh").read_bytes() == script.read_bytes()
