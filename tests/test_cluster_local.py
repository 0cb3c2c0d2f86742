"""The local runner's own behaviour: refusal on a SLURM host, SLURM_* variables, patterns,
CPUs, bad scripts, and jobs found again (or reported lost) after the app restarts."""

from __future__ import annotations

import os
import time

import pytest

from tui.cluster.backend import BackendError
from tui.cluster.local import LocalBackend, format_duration
from tui.cluster.local_spec import expand_pattern, parse_time

ENV_SCRIPT = """\
#!/bin/bash
#SBATCH --job-name=envcheck
#SBATCH --array=3-7:2
#SBATCH --cpus-per-task=1
#SBATCH --output=o/%x_%A_%3a.log
for v in SLURM_JOB_ID SLURM_ARRAY_JOB_ID SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN \\
         SLURM_ARRAY_TASK_MAX SLURM_CPUS_PER_TASK SLURM_JOB_NAME SLURM_SUBMIT_DIR; do echo "$v=${!v}"; done
"""


def wait_done(backend, job_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = backend.status([job_id])
        if all(t.finished for t in tasks):
            return {t.job_id: t for t in tasks}
        time.sleep(0.2)
    pytest.fail(f"local job {job_id} did not finish")


def write(path, text):
    path.write_text(text)
    return path


def test_slurm_variables_and_output_pattern(tmp_path):
    backend = LocalBackend(tmp_path / "ws", force=True)
    (tmp_path / "o").mkdir()
    job_id = backend.submit(write(tmp_path / "env.sh", ENV_SCRIPT), tmp_path).job_id
    tasks = wait_done(backend, job_id)
    assert sorted(tasks) == [f"{job_id}_3", f"{job_id}_5", f"{job_id}_7"]
    text = (tmp_path / "o" / f"envcheck_{job_id}_005.log").read_text()
    values = dict(line.split("=", 1) for line in text.splitlines())
    assert values == {"SLURM_JOB_ID": str(int(job_id) + 1), "SLURM_ARRAY_JOB_ID": job_id, "SLURM_ARRAY_TASK_ID": "5",
                      "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_MAX": "7",
                      "SLURM_CPUS_PER_TASK": "1", "SLURM_JOB_NAME": "envcheck", "SLURM_SUBMIT_DIR": str(tmp_path)}


def test_refuses_on_a_host_where_sbatch_works_unless_forced(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("sbatch", "sinfo"):
        write(bin_dir / name, "#!/bin/sh\necho debug\n").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    script = write(tmp_path / "j.sh", "#!/bin/bash\ntrue\n")
    with pytest.raises(BackendError, match="working SLURM") as info:
        LocalBackend(tmp_path / "ws").submit(script, tmp_path)
    assert "--force-local" in info.value.hint
    assert not (tmp_path / "ws" / ".hptune" / "local-jobs").exists()
    assert LocalBackend(tmp_path / "ws", force=True).submit(script, tmp_path).job_id == "1"


@pytest.mark.parametrize("text, words", [
    ("echo no shebang\n", "does not look like a batch script"),
    ("#!/bin/bash\n#SBATCH --cpus-per-task=100000\ntrue\n", "cores"),
    ("#!/bin/bash\n#SBATCH --time=soon\ntrue\n", "time"),
    ("#!/bin/bash\n#SBATCH --array=5-1\ntrue\n", "sbatch: error"),
    ("#!/bin/bash\n#SBATCH --no-such-option\ntrue\n", "not an sbatch option"),
])
def test_bad_scripts_are_refused_and_nothing_is_started(tmp_path, text, words):
    backend = LocalBackend(tmp_path / "ws", force=True)
    with pytest.raises(BackendError, match=words):
        backend.submit(write(tmp_path / "bad.sh", text), tmp_path)
    assert backend.job_ids() == []


def test_jobs_survive_the_app_and_are_found_again(tmp_path):
    first = LocalBackend(tmp_path / "ws", force=True)
    job_id = first.submit(write(tmp_path / "s.sh", "#!/bin/bash\nsleep 1\necho done\n"), tmp_path).job_id
    again = LocalBackend(tmp_path / "ws", force=True)  # a new app, same workspace
    assert again.job_ids() == [job_id]
    tasks = wait_done(again, job_id)
    assert tasks[job_id].state == "COMPLETED"
    assert (tmp_path / f"slurm-{job_id}.out").read_text() == "done\n"


def test_cancel_of_unknown_job_or_task(tmp_path):
    backend = LocalBackend(tmp_path / "ws", force=True)
    with pytest.raises(BackendError, match="Invalid job id"):
        backend.cancel("42")
    assert backend.status(["42"])[0].state == "UNKNOWN"


@pytest.mark.parametrize("text, seconds", [("5", 300), ("0:07", 7), ("1:00:00", 3600), ("2-0", 172800),
                                           ("1-2:3", 93780), ("1-0:0:9", 86409), ("UNLIMITED", None)])
def test_time_formats(text, seconds):
    assert parse_time(text) == seconds


def test_pattern_and_duration_helpers():
    values = {"x": "job", "A": "12", "a": "3", "j": "15", "u": "me", "N": "node"}
    assert expand_pattern("%x-%A_%4a-%j-%u-%N-%%.out", values) == "job-12_0003-15-me-node-%.out"
    assert [format_duration(s) for s in (5, 65, 3700, 90061)] == ["0:05", "1:05", "1:01:40", "1-01:01:01"]


def test_auto_picks_slurm_only_where_sbatch_and_a_slurm_config_exist(tmp_path, monkeypatch):
    from tui.cluster import factory
    from tui.settings import Settings

    settings = Settings(workspace=tmp_path, backend="auto")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sbatch").write_text("#!/bin/sh\n")
    (bin_dir / "sbatch").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("SLURM_CONF", str(tmp_path / "missing.conf"))
    assert factory.describe(settings) == "local runner"  # a client without a cluster
    (tmp_path / "slurm.conf").write_text("ClusterName=x\n")
    monkeypatch.setenv("SLURM_CONF", str(tmp_path / "slurm.conf"))
    assert factory.describe(settings) == "SLURM on this host"
    assert factory.describe(Settings(workspace=tmp_path, backend="auto", ssh_host="alvis")) == "SSH to alvis"


def test_reading_a_huge_log_is_bounded_per_call(tmp_path):
    from tui.cluster.backend import READ_LIMIT, read_local_file

    log = tmp_path / "big.out"
    with open(log, "wb") as handle:
        handle.truncate(3 * READ_LIMIT + 5)  # sparse: 3 MiB of zeros and a few bytes
    chunks, offset = [], 0
    while True:
        data = read_local_file(log, offset)
        if not data:
            break
        assert len(data) <= READ_LIMIT
        chunks.append(len(data))
        offset += len(data)
    assert chunks == [READ_LIMIT] * 3 + [5]
