"""The one SLURM output parser, on output recorded from the test cluster (SLURM 22.05)."""

from __future__ import annotations

import pytest

from tui.cluster import parse

SQUEUE = """\
1_2|#|1|#|2|#|PENDING|#|JobArrayTaskLimit|#|0:00|#|1:00|#|N/A|#||#|dem|o x
1_0|#|1|#|0|#|RUNNING|#|None|#|0:01|#|1:00|#|2026-11-27T22:11:55|#|localhost|#|dem|o x
7|#|7|#|N/A|#|PENDING|#|Resources|#|0:00|#|UNLIMITED|#|2026-11-27T23:00:00|#||#|plain
"""
SACCT = """\
1_0|COMPLETED|0:0|00:00:02|00:01:00|2026-11-27T22:11:55|2026-11-27T22:11:57|localhost|None|dem|o x
1_5|FAILED|3:0|00:00:00|00:01:00|2026-11-27T22:12:01|2026-11-27T22:12:01|localhost|JobArrayTaskLimit|dem|o x
1_6|CANCELLED by 0|0:0|00:00:00|00:01:00|None|2026-11-27T22:12:01|None assigned|None|dem|o x
5_[3-5%2]|PENDING|0:0|00:00:00|00:01:00|Unknown|Unknown|None assigned|JobArrayTaskLimit|dem|o x
"""
SCONTROL = (
    "JobId=3 ArrayJobId=1 ArrayTaskId=0 ArrayTaskThrottle=2 JobName=dem|o x UserId=root(0) JobState=COMPLETED "
    "Reason=None ExitCode=0:0 RunTime=00:00:02 TimeLimit=00:01:00 StartTime=2026-11-27T22:11:55 "
    "EndTime=2026-11-27T22:11:57 AllocNode:Sid=localhost:4392 NodeList=localhost CPUs/Task=1 "
    "Command=/tmp/a b/job.sh WorkDir=/tmp/a b StdErr=/tmp/a b/logs/x-1_0.out StdIn=/dev/null "
    "StdOut=/tmp/a b/logs/x-1_0.out Power= \n"
    "JobId=1 ArrayJobId=1 ArrayTaskId=2-3%2 JobName=dem|o x JobState=PENDING Reason=JobArrayTaskLimit "
    "ExitCode=0:0 RunTime=00:00:00 TimeLimit=00:01:00 StartTime=Unknown EndTime=Unknown NodeList= Power= \n"
    "JobId=9 JobName=single JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0 NodeList=localhost\n")


def test_squeue_rows_keep_names_with_the_separator_and_blank_unknowns():
    tasks = parse.parse_squeue(SQUEUE)
    assert [t.job_id for t in tasks] == ["1_2", "1_0", "7"]
    pending, running, plain = tasks
    assert (pending.array_job_id, pending.array_task_id, pending.state) == ("1", "2", "PENDING")
    assert pending.reason == "JobArrayTaskLimit" and pending.start_time == "" and pending.name == "dem|o x"
    assert running.reason == "" and running.node == "localhost" and running.elapsed == "0:01"
    assert (plain.array_job_id, plain.array_task_id, plain.time_limit) == ("", "", "UNLIMITED")


def test_squeue_ignores_garbage_lines():
    assert parse.parse_squeue("slurm_load_jobs error: Invalid job id specified\n\n") == []


def test_sacct_expands_pending_ranges_and_normalizes_states():
    tasks = {t.job_id: t for t in parse.parse_sacct(SACCT)}
    assert list(tasks) == ["1_0", "1_5", "1_6", "5_3", "5_4", "5_5"]
    assert tasks["1_5"].state == "FAILED" and tasks["1_5"].exit_code == "3:0" and tasks["1_5"].reason == ""
    assert tasks["1_6"].state == "CANCELLED" and tasks["1_6"].finished
    assert tasks["5_4"].state == "PENDING" and tasks["5_4"].reason == "JobArrayTaskLimit"
    assert tasks["1_0"].name == "dem|o x" and tasks["1_0"].end_time == "2026-11-27T22:11:57"


def test_scontrol_records_keep_values_with_spaces_and_expand_pending_ranges():
    tasks = {t.job_id: t for t in parse.parse_scontrol_jobs(SCONTROL)}
    assert list(tasks) == ["1_0", "1_2", "1_3", "9"]
    assert tasks["1_0"].extra["stdout"] == "/tmp/a b/logs/x-1_0.out" and tasks["1_0"].state == "COMPLETED"
    assert tasks["1_0"].extra["raw_id"] == "3" and parse.matches(tasks["1_0"], "3")
    assert tasks["1_3"].state == "PENDING" and tasks["9"].exit_code == "2:0"


def test_sbatch_parsable_and_test_only():
    assert parse.parse_sbatch_parsable("42\n") == "42"
    assert parse.parse_sbatch_parsable("42;cluster\n") == "42"
    with pytest.raises(ValueError):
        parse.parse_sbatch_parsable("sbatch: error: something\n")
    est = parse.parse_test_only("sbatch: Job 2 to start at 2026-11-27T22:12:55 using 1 processors on nodes "
                                "localhost in partition debug\n")
    assert est == {"job_id": "2", "start": "2026-11-27T22:12:55", "cpus": "1", "nodes": "localhost",
                   "partition": "debug"}
    with pytest.raises(ValueError):
        parse.parse_test_only("")


@pytest.mark.parametrize("spec, expected", [("0-3", [0, 1, 2, 3]), ("1,3-7:2", [1, 3, 5, 7]), ("5", [5])])
def test_expand_ranges(spec, expected):
    assert parse.expand_ranges(spec) == expected


@pytest.mark.parametrize("spec", ["3-1", "a", "1-5:0", ""])
def test_expand_ranges_rejects_bad_specs(spec):
    with pytest.raises(ValueError):
        parse.expand_ranges(spec)


def test_argv_are_lists_with_all_ids_in_one_call():
    argv = parse.squeue_argv(["1", "2_3"])
    assert argv[0] == "squeue" and "-r" in argv and argv[-2:] == ["-j", "1,2_3"]
    argv = parse.sacct_argv(["1", "2"])
    assert argv[:4] == ["sacct", "-X", "--parsable2", "-n"] and argv[-1] == "1,2"


def test_a_tasks_own_row_wins_over_the_pending_range_that_still_names_it():
    text = ("64_4|COMPLETED|0:0|0|1|a|b|n|None|x\n64_[4-6]|PENDING|0:0|0|1|a|b|n|None|x\n")
    tasks = {t.job_id: t.state for t in parse.parse_sacct(text)}
    assert tasks == {"64_4": "COMPLETED", "64_5": "PENDING", "64_6": "PENDING"}
