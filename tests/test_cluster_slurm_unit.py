"""SlurmBackend against a recorded runner: call budget, fallbacks and error hints."""

from __future__ import annotations

import pytest

from tui.cluster.backend import BackendError, SchedulerUnavailable
from tui.cluster.slurm import SlurmBackend

SEP = "|#|"


def sq(job_id, state, reason="None", name="n"):
    base, _, idx = job_id.partition("_")
    return SEP.join([job_id, base, idx or "N/A", state, reason, "0:01", "1:00", "N/A", "localhost", name])


class Recorder:
    """A runner that answers each command from a table and records every argv."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def __call__(self, argv, cwd, timeout):
        self.calls.append(list(argv))
        answer = self.answers[argv[0]]
        return answer(argv) if callable(answer) else answer

    def count(self, name):
        return sum(1 for c in self.calls if c[0] == name)


def test_status_uses_one_squeue_and_at_most_one_sacct_for_all_ids():
    squeue = "\n".join([sq("10_2", "RUNNING"), sq("10_3", "PENDING", "JobArrayTaskLimit"), sq("11", "RUNNING")])
    sacct = "10_0|COMPLETED|0:0|0|1|a|b|n|None|n\n10_1|FAILED|2:0|0|1|a|b|n|None|n\n12|TIMEOUT|0:15|0|1|a|b|n|None|n\n"
    runner = Recorder({"squeue": (0, squeue, ""), "sacct": (0, sacct, "")})
    backend = SlurmBackend(runner)
    states = {t.job_id: t.state for t in backend.status(["10", "11", "12"])}
    assert states == {"10_0": "COMPLETED", "10_1": "FAILED", "10_2": "RUNNING", "10_3": "PENDING",
                      "11": "RUNNING", "12": "TIMEOUT"}
    assert runner.count("squeue") == 1 and runner.count("sacct") == 1
    assert runner.calls[0][-1] == "10,11,12"
    backend.status(["10", "11", "12"])  # nothing left the queue: squeue only
    assert runner.count("squeue") == 2 and runner.count("sacct") == 1


def test_a_task_leaving_the_queue_asks_sacct_again():
    queue = {"text": sq("10_0", "RUNNING") + "\n" + sq("10_1", "PENDING")}
    runner = Recorder({"squeue": lambda argv: (0, queue["text"], ""),
                       "sacct": lambda argv: (0, "10_0|COMPLETED|0:0|0|1|a|b|n|None|n\n", "")})
    backend = SlurmBackend(runner)
    backend.status(["10"])
    queue["text"] = sq("10_1", "RUNNING")
    states = {t.job_id: t.state for t in backend.status(["10"])}
    assert states == {"10_0": "COMPLETED", "10_1": "RUNNING"} and runner.count("sacct") == 2


def test_accounting_off_falls_back_to_scontrol_then_unknown():
    scontrol = "JobId=5 JobName=x JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0 StdOut=/tmp/o\n"
    runner = Recorder({"squeue": (1, "", "slurm_load_jobs error: Invalid job id specified"),
                       "sacct": (1, "", "sacct: error: Slurm accounting storage is disabled"),
                       "scontrol": (0, scontrol, "")})
    tasks = SlurmBackend(runner).status(["5", "6"])
    assert [(t.job_id, t.state, t.exit_code) for t in tasks] == [("5", "FAILED", "1:0"), ("6", "UNKNOWN", "")]
    assert tasks[0].extra["stdout"] == "/tmp/o"
    assert runner.count("scontrol") == 1


def test_controller_down_raises_scheduler_unavailable():
    down = "slurm_load_jobs error: Unable to contact slurm controller (connect failure)"
    runner = Recorder({"squeue": (1, "", down)})
    with pytest.raises(SchedulerUnavailable):
        SlurmBackend(runner).status(["1"])


@pytest.mark.parametrize("error, words", [
    ("sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified",
     "sacctmgr"),
    ("sbatch: error: invalid partition specified: nope", "sinfo -s"),
    ("sbatch: error: Batch job submission failed: Invalid qos specification", "QOS"),
    ("sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)",
     "--time"),
    ("sbatch: error: Batch job submission failed: Invalid job array specification", "MaxArraySize"),
])
def test_sbatch_errors_are_verbatim_with_a_hint(error, words, tmp_path):
    runner = Recorder({"sbatch": (1, "", error + "\n")})
    with pytest.raises(BackendError) as info:
        SlurmBackend(runner).submit(tmp_path / "job.sh", tmp_path)
    assert info.value.message == error and words in info.value.hint
    assert runner.calls == [["sbatch", "--parsable", str(tmp_path / "job.sh")]]


def test_submit_and_test_only(tmp_path):
    runner = Recorder({"sbatch": lambda argv: (0, "77\n", "") if "--parsable" in argv else
                       (0, "", "sbatch: Job 78 to start at 2026-01-01T00:00:00 using 1 processors on nodes n1 "
                        "in partition debug\n")})
    backend = SlurmBackend(runner)
    assert backend.submit(tmp_path / "j.sh", tmp_path).job_id == "77"
    result = backend.submit(tmp_path / "j.sh", tmp_path, test_only=True)
    assert result.job_id == "" and result.details["start"] == "2026-01-01T00:00:00"


def test_cancel_error_is_reported():
    runner = Recorder({"scancel": (1, "", "scancel: error: Kill job error on job id 5: Invalid job id specified\n")})
    with pytest.raises(BackendError, match="Invalid job id"):
        SlurmBackend(runner).cancel("5")


def test_an_array_cancelled_while_pending_gives_its_tasks_the_state():
    answers = {"squeue": (0, sq("10_0", "PENDING") + "\n" + sq("10_1", "PENDING"), ""),
               "sacct": (0, "10_[0-1]|PENDING|0:0|0|1|a|b|n|None|n\n", "")}
    backend = SlurmBackend(Recorder(answers))
    backend.status(["10"])
    answers["squeue"] = (1, "", "slurm_load_jobs error: Invalid job id specified")
    answers["sacct"] = (0, "10|CANCELLED by 0|0:0|0|1|a|b|n|None|n\n", "")
    states = {t.job_id: t.state for t in backend.status(["10"])}
    assert states == {"10_0": "CANCELLED", "10_1": "CANCELLED"}


def test_a_task_that_never_reaches_sacct_becomes_unknown_after_a_while():
    answers = {"squeue": (0, sq("10", "RUNNING"), ""), "sacct": (0, "", "")}
    backend = SlurmBackend(Recorder(answers))
    now = [1000.0]
    backend.clock = lambda: now[0]
    backend.status(["10"])
    answers["squeue"] = (1, "", "slurm_load_jobs error: Invalid job id specified")
    first = backend.status(["10"])[0]
    now[0] += 60
    later = backend.status(["10"])[0]
    now[0] += 61
    last = backend.status(["10"])[0]
    assert first.state == later.state == "COMPLETING" and "waiting for its accounting record" in later.reason
    assert last.state == "UNKNOWN" and "no accounting record" in last.reason


def test_a_finished_range_row_names_its_tasks_but_a_pending_one_does_not():
    answers = {"squeue": (0, sq("26_0", "RUNNING") + "\n" + sq("26_1", "PENDING") + "\n" + sq("26_2", "PENDING"), ""),
               "sacct": (0, "26_[1-2]|PENDING|0:0|0|1|a|b|n|None|n\n", "")}
    backend = SlurmBackend(Recorder(answers))
    backend.status(["26"])
    answers["squeue"] = (0, sq("26_0", "RUNNING"), "")  # 26_1 was cancelled, 26_2 ran and ended
    answers["sacct"] = (0, "26_0|RUNNING|0:0|0|1|a|b|n|None|n\n26_[1]|CANCELLED by 0|0:0|0|1|a|b|n|None|n\n"
                           "26_[2]|PENDING|0:0|0|1|a|b|n|None|n\n", "")
    states = {t.job_id: t.state for t in backend.status(["26"])}
    assert states == {"26_0": "RUNNING", "26_1": "CANCELLED", "26_2": "COMPLETING"}
