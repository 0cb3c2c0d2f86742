"""The cost ledger (issue 16): sacct's figures, the local runner's records, the runs' useful seconds."""

from __future__ import annotations

import json

import pytest

from tui.cli import main
from tui.cluster.tracking import record_submission
from tui.cluster.usage import gpus_in, parse_sacct_usage, sacct_time, sacct_usage_argv
from tui.results.cost import ExerciseCost, core_time, ledger, summary_line

# What `sacct_usage_argv(["101", "102"])` printed on a cluster: an array with one task done, one
# running on a GPU and two pending (a range row), and a plain job cancelled while pending.
SACCT = """\
101_0|COMPLETED|100|2|200|2024-05-01T12:00:00|2024-05-01T12:00:20|2024-05-01T12:01:40|billing=2,cpu=2,mem=1G,node=1
101_1|RUNNING|50|2|100|2024-05-01T12:00:00|2024-05-01T12:00:30|Unknown|cpu=2,gres/gpu:a100=1,mem=1G,node=1
101_[2-3%2]|PENDING|0|2|0|2024-05-01T12:00:00|Unknown|Unknown|
102|CANCELLED by 0|0|0|0|2024-05-01T12:05:00|None|2024-05-01T12:06:00|
"""


def test_sacct_usage_is_one_call_for_every_job_and_its_rows_parse():
    argv = sacct_usage_argv(["101", "102"])
    assert argv[0] == "sacct" and "-X" in argv and argv[-1] == "101,102"
    rows = {r.job_id: r for r in parse_sacct_usage(SACCT)}
    assert sorted(rows) == ["101_0", "101_1", "101_2", "101_3", "102"]
    done = rows["101_0"]
    assert (done.state, done.elapsed_s, done.cpus, done.cpu_s, done.gpus) == ("COMPLETED", 100, 2, 200, 0)
    assert done.queue_wait_s == 20 and done.base_id == "101"
    assert rows["101_1"].gpus == 1 and rows["101_1"].end is None and rows["101_1"].queue_wait_s == 30
    assert rows["101_2"].state == "PENDING" and rows["101_2"].queue_wait_s is None
    assert rows["102"].state == "CANCELLED" and rows["102"].start is None


def test_a_tasks_own_row_wins_over_a_range_that_names_it():
    text = "7_1|RUNNING|5|1|5|2024-05-01T12:00:00|2024-05-01T12:00:01|Unknown|cpu=1\n" \
           "7_[1-2]|PENDING|0|1|0|2024-05-01T12:00:00|Unknown|Unknown|\n"
    rows = {r.job_id: r.state for r in parse_sacct_usage(text)}
    assert rows == {"7_1": "RUNNING", "7_2": "PENDING"}


def test_gpus_and_times():
    assert gpus_in("cpu=2,gres/gpu=2,mem=1G") == 2 and gpus_in("cpu=2,gres/gpu:a100=1,gres/gpu:v100=2") == 3
    assert gpus_in("cpu=2,gres/gpumem=4G") == 0 and gpus_in("") == 0
    assert sacct_time("Unknown") is None and sacct_time("garbage") is None
    assert sacct_time("2024-05-01T12:00:10") - sacct_time("2024-05-01T12:00:00") == 10


def _trial(run_dir, name, **result):
    folder = run_dir / "trials" / name
    folder.mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps(result))


@pytest.fixture
def slurm_run(workspace):
    """Job 101 (the array above) and job 102 in one run of exercise 01, with three trial records."""
    run_dir = workspace / "01_random_search" / "runs" / "101"
    run_dir.mkdir(parents=True)
    record_submission(run_dir, "slurm", "101", host="login", workspace=workspace)
    record_submission(run_dir, "slurm", "102", host="login", workspace=workspace)
    _trial(run_dir, "0000", status="complete", elapsed_s=60.0, array_job_id="101", job_id="103")
    _trial(run_dir, "0001", status="complete", elapsed_s=20.0, array_job_id="101", job_id="104")
    _trial(run_dir, "0002", status="complete", elapsed_s=99.0, job_id="999")  # another job's: not counted
    return run_dir


class Recorded:
    """A runner that answers sacct with recorded output and counts its calls."""

    def __init__(self, out=SACCT, rc=0, err=""):
        self.out, self.rc, self.err, self.calls = out, rc, err, []

    def __call__(self, argv, cwd, timeout):
        self.calls.append(argv)
        return self.rc, self.out, self.err


def test_ledger_of_slurm_jobs_from_one_sacct_call(slurm_run, workspace):
    runner = Recorded()
    book = ledger(workspace, runner, now=sacct_time("2024-05-01T12:01:40"))
    assert len(runner.calls) == 1 and runner.calls[0][-1] == "101,102"
    jobs = {j.job_id: j for j in book.jobs}
    array = jobs["101"]
    assert (array.exercise, array.backend, array.tasks, array.started) == ("01", "slurm", 4, 2)
    assert array.cpu_hours == pytest.approx(300 / 3600) and array.gpu_hours == pytest.approx(50 / 3600)
    assert array.elapsed_s == 150 and array.queue_wait_s == 50
    assert array.useful_s == 80 and array.overhead_s == 70
    assert array.states == {"COMPLETED": 1, "RUNNING": 1, "PENDING": 2}
    assert jobs["102"].tasks == 1 and jobs["102"].cpu_hours == 0 and jobs["102"].states == {"CANCELLED": 1}
    totals = book.totals("1")
    assert totals.exercise == "01" and totals.jobs == 2 and totals.useful_fraction == pytest.approx(80 / 150)
    assert totals.wall_s == 80  # 12:00:20 to 12:01:40, the running task counted up to `now`
    assert book.summary_line("01_random_search") == "this tuning used 5.0 core-minutes + 0.01 GPU-hours, " \
                                                    "47% waiting or starting"
    data = json.loads(json.dumps(book.to_json()))
    assert data["exercises"]["01"]["summary"] == book.summary_line("01") and not data["errors"]


def test_a_scheduler_failure_is_an_error_line_not_an_empty_ledger(slurm_run, workspace):
    down = "sacct: error: Problem talking to the database: Connection refused"
    book = ledger(workspace, Recorded("", rc=1, err=down))
    assert book.jobs == [] and book.errors == ["slurm: sacct: sacct: error: Problem talking to the database: "
                                               "Connection refused"]

    def broken(argv, cwd, timeout):
        from tui.cluster.backend import SchedulerUnavailable

        raise SchedulerUnavailable("`sacct` did not answer within 20 s")

    assert ledger(workspace, broken).errors == ["slurm: `sacct` did not answer within 20 s"]
    disabled = Recorded("", rc=0, err="Slurm accounting storage is disabled")
    assert ledger(workspace, disabled).errors == ["slurm: sacct: Slurm accounting storage is disabled"]


def test_ssh_jobs_go_through_the_ssh_backends_runner(workspace):
    run_dir = workspace / "02_optuna" / "runs" / "101"
    run_dir.mkdir(parents=True)
    record_submission(run_dir, "ssh", "101", host="cluster", workspace=workspace)
    runner = Recorded()

    class FakeBackends:
        settings = None
        asked = []

        def get(self, where):
            self.asked.append(where)
            return type("Backend", (), {"run": staticmethod(runner)})()

    backends = FakeBackends()
    book = ledger(workspace, backends=backends, exercise="02")
    assert [(w.backend, w.host) for w in backends.asked] == [("ssh", "cluster")] and len(runner.calls) == 1
    assert [(j.job_id, j.exercise, j.tasks) for j in book.jobs] == [("101", "02", 4)]
    assert ledger(workspace).errors == ["ssh cluster: ssh jobs need the settings (the ssh target), not only a "
                                        "workspace"]


def test_exercise_filter_and_an_unattributed_running_trial(slurm_run, workspace):
    other = workspace / "02_optuna" / "runs" / "200"
    other.mkdir(parents=True)
    record_submission(other, "slurm", "200", workspace=workspace)
    (other / "trials" / "0000").mkdir(parents=True)  # running: no result.json, metrics so far
    (other / "trials" / "0000" / "metrics.jsonl").write_text('{"step": 1, "elapsed_s": 4.0}\n{"step": 2, "ela')
    runner = Recorded("200|RUNNING|10|1|10|2024-05-01T12:00:00|2024-05-01T12:00:00|Unknown|cpu=1\n")
    book = ledger(workspace, runner, exercise="02", now=sacct_time("2024-05-01T12:00:10"))
    assert runner.calls[0][-1] == "200" and [j.job_id for j in book.jobs] == ["200"]
    assert book.jobs[0].useful_s == 4.0 and book.jobs[0].overhead_s == 6.0


def test_summary_lines_read_well():
    assert summary_line(ExerciseCost("01")) == "no jobs of this tuning yet"
    cost = ExerciseCost("01", jobs=2, cpu_hours=1.3, useful_s=100, useful_fraction=0.6)
    assert summary_line(cost) == "this tuning used 1.3 core-hours, 40% of it waiting or starting"
    assert summary_line(ExerciseCost("01", jobs=1, cpu_hours=0.001, useful_fraction=0.0)) == \
        "this tuning used 4 core-seconds; no trial records tell the useful part yet"
    assert core_time(0.5) == "30.0 core-minutes" and core_time(0) == "0.0 core-hours"
    widest = ExerciseCost("01", jobs=9, cpu_hours=9999.9, gpu_hours=9999.99, useful_s=1, useful_fraction=0.001)
    assert len(summary_line(widest)) <= 78  # an 80-column screen, less the line's padding


SLEEP_ARRAY = "#!/bin/bash\n#SBATCH --array=0-1\n#SBATCH -o /dev/null\nsleep 1\n"


def _submit_local(workspace):
    from tui.cluster.local import LocalBackend

    run_dir = workspace / "01_random_search" / "runs" / "local"
    run_dir.mkdir(parents=True)
    (run_dir / "job.sh").write_text(SLEEP_ARRAY)
    backend = LocalBackend(workspace, force=True)
    job_id = backend.submit(run_dir / "job.sh", run_dir).job_id
    record_submission(run_dir, "local", job_id, workspace=workspace)
    return backend, job_id


def test_a_real_local_job_is_costed_from_the_runners_records(workspace, capsys):
    from tests.waiting import poll

    backend, job_id = _submit_local(workspace)
    assert poll(lambda: all(t.finished for t in backend.status([job_id])), timeout=60, step=0.2)
    book = ledger(workspace)
    assert [j.job_id for j in book.jobs] == [job_id] and not book.errors
    job = book.jobs[0]
    assert (job.backend, job.exercise, job.tasks, job.started, job.cpus) == ("local", "01", 2, 2, 1)
    assert job.states == {"COMPLETED": 2} and job.cpu_hours > 0 and job.queue_wait_s >= 0
    assert job.elapsed_s >= 2.0 and job.cpu_hours == pytest.approx(job.elapsed_s / 3600)
    assert job.useful_s == 0 and "no trial records tell" in book.summary_line("01")
    code = main(["-w", str(workspace), "cost"])
    out, err = capsys.readouterr()
    assert code == 0 and err == "" and out.splitlines()[0].split()[:3] == ["EXERCISE", "JOBS", "TASKS"]
    assert out.splitlines()[1].split()[:3] == ["01", "1", "2"] and "01: this tuning used" in out
    code = main(["-w", str(workspace), "cost", "02", "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["jobs"] == []


def test_cli_says_what_failed_and_exits_1(slurm_run, workspace, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(workspace))  # no sacct on PATH: the slurm group cannot answer
    code = main(["-w", str(workspace), "cost"])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and err.startswith("hptune-tui cost: slurm: `sacct` was not found")
    code = main(["-w", str(workspace), "cost", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["jobs"] == [] and len(data["errors"]) == 1
    assert main(["-w", str(workspace), "cost", "nine"]) == 2
    assert "unknown exercise 'nine'" in capsys.readouterr().err


@pytest.mark.slurm
@pytest.mark.timeout(180)
def test_a_real_slurm_array_is_costed_by_the_cli(slurm_cluster, workspace, capsys, monkeypatch):
    monkeypatch.setenv("SLURM_CONF", slurm_cluster.env["SLURM_CONF"])
    folder = workspace / "01_random_search"
    (folder / "cost.sh").write_text(SLEEP_ARRAY.replace("-o /dev/null", "-o logs/%x-%A_%a.out")
                                    + "# RUN_DIR for the record\nRUN_DIR=runs/$SLURM_ARRAY_JOB_ID\n")
    (folder / "logs").mkdir(exist_ok=True)
    monkeypatch.chdir(folder)
    code = main(["-w", str(workspace), "submit", "cost.sh", "--backend", "slurm"])
    job_id = capsys.readouterr().out.strip()
    assert code == 0 and job_id.isdigit()

    def costed():
        code = main(["-w", str(workspace), "cost", "01", "--json"])
        data = json.loads(capsys.readouterr().out)
        jobs = [j for j in data["jobs"] if j["job_id"] == job_id]
        done = code == 0 and jobs and jobs[0]["states"] == {"COMPLETED": 2}
        return data if done else None

    from tests.waiting import poll

    data = poll(costed, timeout=120, step=1.0)
    assert data is not None, "the array never showed 2 completed tasks in the ledger"
    job = next(j for j in data["jobs"] if j["job_id"] == job_id)
    assert job["tasks"] == 2 and job["cpu_hours"] > 0 and job["queue_wait_s"] >= 0 and job["started"] == 2
    assert job["elapsed_s"] >= 2 and data["exercises"]["01"]["summary"].startswith("this tuning used")
