"""The `hq` command-line path: its JSON parsed always; run for real when an hq binary is on PATH."""

from __future__ import annotations

import subprocess
import time

import pytest

from tui.cluster.backend import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING, BackendError
from tui.cluster.hyperqueue import HqCli, HyperQueueBackend, find_hq, parse_task_list

# `hq task list 3 --output-mode json` of HyperQueue 0.2x: a map of job id to its tasks.
TASK_LIST = {"3": [
    {"id": 0, "state": "finished", "started_at": "2026-11-27T10:00:00Z", "finished_at": "2026-11-27T10:00:01Z",
     "worker": 1},
    {"id": 1, "state": "failed", "error": "Program terminated with exit code 1", "worker": 2,
     "started_at": "2026-11-27T10:00:00Z", "finished_at": "2026-11-27T10:00:02Z"},
    {"id": 2, "state": "running", "worker": 1, "started_at": "2026-11-27T10:00:01Z"},
    {"id": 3, "state": "waiting"},
    {"id": 4, "state": "canceled"},
]}


def test_task_list_json_becomes_array_tasks_in_slurm_words():
    tasks = parse_task_list("3", TASK_LIST)
    assert [t.job_id for t in tasks] == ["3_0", "3_1", "3_2", "3_3", "3_4"]
    assert [t.state for t in tasks] == [COMPLETED, FAILED, RUNNING, PENDING, CANCELLED]
    assert tasks[1].reason.startswith("Program terminated") and tasks[0].node == "1"
    assert tasks[0].array_job_id == "3" and tasks[0].start_time.startswith("2026-11-27")
    assert parse_task_list("3", TASK_LIST["3"])[0].state == COMPLETED  # older versions: a bare list
    assert parse_task_list("4", TASK_LIST) == [] and parse_task_list("3", None) == []


def test_an_hq_that_fails_gives_its_words_and_a_hint(tmp_path):
    fake = tmp_path / "hq"
    fake.write_text("#!/bin/sh\necho '{\"error\": \"No online server found\"}'\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(BackendError) as err:
        HqCli(str(fake)).jobs()
    assert "No online server found" in err.value.message and "server start" in err.value.hint
    with pytest.raises(BackendError):
        HqCli(str(tmp_path / "absent")).jobs()


def test_submit_and_status_call_hq_with_the_array_and_json_output(tmp_path):
    log = tmp_path / "argv.log"
    fake = tmp_path / "hq"
    fake.write_text(f"""#!/bin/sh
echo "$@" >> {log}
case "$*" in
  *" submit "*) echo '{{"id": 5}}' ;;
  *" task list "*) echo '{{"5": [{{"id": 0, "state": "running"}}, {{"id": 2, "state": "waiting"}}]}}' ;;
  *) echo '[]' ;;
esac
""")
    fake.chmod(0o755)
    script = tmp_path / "tasks.sh"
    script.write_text("#!/bin/bash\n#SBATCH --array=0-2:2%1\ntrue\n")
    backend = HyperQueueBackend(tmp_path / "ws", hq=str(fake), server_dir=tmp_path / "srv", embedded=False)
    assert backend.submit(script, tmp_path).job_id == "5"
    assert [(t.job_id, t.state) for t in backend.status(["5", "5"])] == [("5_0", RUNNING), ("5_2", PENDING)]
    submit, listing = log.read_text().splitlines()
    assert submit.startswith(f"--server-dir={tmp_path / 'srv'} --output-mode=json submit --array=0-2:2 --cpus=1 ")
    assert submit.endswith(f"-- bash {script}") and (tmp_path / "logs").is_dir()
    assert listing.endswith("task list 5")


def test_a_job_file_goes_to_hq_job_submit_file(tmp_path):
    log = tmp_path / "argv.log"
    fake = tmp_path / "hq"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\necho \'{{"id": 8}}\'\n')
    fake.chmod(0o755)
    job_file = tmp_path / "job.toml"
    job_file.write_text('[[task]]\nid = 3\ncommand = ["true"]\n[[task.request]]\nresources = { "cpus" = 2 }\n')
    backend = HyperQueueBackend(tmp_path / "ws", hq=str(fake), embedded=False)
    assert backend.submit(job_file, tmp_path).job_id == "8"
    assert log.read_text().strip() == f"--output-mode=json job submit-file {job_file}"
    job_file.write_text("[[task]]\n")  # a broken file never reaches hq
    with pytest.raises(BackendError, match="command must be"):
        backend.submit(job_file, tmp_path)
    assert len(log.read_text().splitlines()) == 1


def test_backend_mode_follows_the_binary(tmp_path):
    assert HyperQueueBackend(tmp_path, embedded=True).mode == "embedded"
    assert HyperQueueBackend(tmp_path, hq="/usr/bin/hq", embedded=False).mode == "cli"


HQ = find_hq()
needs_hq = pytest.mark.skipif(HQ is None, reason="no hq binary on PATH (the embedded path is tested instead)")


@pytest.fixture
def hq_server(tmp_path):
    server_dir = tmp_path / "server"
    procs = [subprocess.Popen([HQ, f"--server-dir={server_dir}", "server", "start"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    cli = HqCli(HQ, server_dir)
    end = time.monotonic() + 30
    while True:
        try:
            cli.call("server", "info")
            break
        except BackendError:
            if time.monotonic() > end:
                raise
            time.sleep(0.3)
    procs.append(subprocess.Popen([HQ, f"--server-dir={server_dir}", "worker", "start", "--cpus=2"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    yield server_dir
    subprocess.run([HQ, f"--server-dir={server_dir}", "server", "stop"], capture_output=True, timeout=30)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@needs_hq
@pytest.mark.timeout(120)
def test_hq_binary_runs_an_array_and_lists_it(tmp_path, hq_server):
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "tasks.sh"
    script.write_text(f'#!/bin/bash\n#SBATCH --array=0-9\necho "$HQ_TASK_ID" > {out}/"$HQ_TASK_ID"\n'
                      '[ "$HQ_TASK_ID" != 7 ]\n')
    backend = HyperQueueBackend(tmp_path / "ws", hq=HQ, server_dir=hq_server, embedded=False)
    job_id = backend.submit(script, tmp_path).job_id
    end = time.monotonic() + 60
    while not (tasks := backend.status([job_id])) or not all(t.finished for t in tasks):
        assert time.monotonic() < end, [(t.job_id, t.state) for t in tasks]
        time.sleep(0.3)
    states = {t.array_task_id: t.state for t in tasks}
    assert len(states) == 10 and states["7"] == FAILED
    assert {s for k, s in states.items() if k != "7"} == {COMPLETED}
    assert sorted(int(p.read_text()) for p in out.iterdir()) == list(range(10))
    listed = {str(j["id"]): j for j in backend.cli.jobs()}
    assert listed[job_id]["task_count"] == 10 and listed[job_id]["task_stats"]["failed"] == 1

