"""HyperQueue job files: written for the sweep, read back by the embedded HyperQueue, bad ones refused."""

from __future__ import annotations

import tomllib

import pytest

from tui.cluster.hq_jobfile import JobFileError, TaskSpec, read, render, write


def test_a_written_job_file_reads_back_task_by_task(tmp_path):
    tasks = [TaskSpec(0, ["bash", "/w/hq tasks.sh"], 1),
             TaskSpec(7, ["python", "-c", 'print("a\\\\b é")'], 2, {"MODE": "fast"})]
    path = write(tmp_path / "sub" / "job.toml", tasks, "tiny-sweep")
    assert read(path) == ("tiny-sweep", tasks)
    data = tomllib.loads(path.read_text())  # HyperQueue's own shape: [[task]] with [[task.request]]
    assert data["task"][1]["request"] == [{"resources": {"cpus": 2}}]


def test_ids_default_to_the_order_and_cpus_to_one(tmp_path):
    path = tmp_path / "job.toml"
    path.write_text('[[task]]\ncommand = ["true"]\n\n[[task]]\ncommand = ["false"]\n'
                    '[[task.request]]\nresources = { "cpus" = "3" }\n')
    name, tasks = read(path)
    assert name == "job" and [(t.id, t.cpus) for t in tasks] == [(0, 1), (1, 3)]


@pytest.mark.parametrize("text, words", [
    ("name = [", "not valid TOML"),
    ('name = "empty"\n', "no [[task]]"),
    ('[[task]]\nid = 1\ncommand = ["a"]\n[[task]]\nid = 1\ncommand = ["b"]\n', "task id 1 appears twice"),
    ('[[task]]\ncommand = "echo hi"\n', "command must be a non-empty list of strings"),
    ('[[task]]\ncommand = []\n', "command must be a non-empty list"),
    ('[[task]]\nid = -1\ncommand = ["a"]\n', "id must be a whole number"),
    ('[[task]]\ncommand = ["a"]\n[[task.request]]\nresources = { "cpus" = 0 }\n', "cpus must be a whole number >= 1"),
    ('[[task]]\ncommand = ["a"]\n[[task.request]]\nresources = { "cpus" = "two" }\n', "cpus must be"),
    ('[[task]]\ncommand = ["a"]\n[[task.request]]\nresources = { "cpus" = true }\n', "cpus must be"),
    ('[[task]]\ncommand = ["a"]\n[[task.request]]\nresources = { "gpus" = 1 }\n', "may only ask for cpus"),
    ('[[task]]\ncommand = ["a"]\n[[task.request]]\nresources = { "cpus" = 1 }\n'
     '[[task.request]]\nresources = { "cpus" = 2 }\n', "at most one"),
    ('[[task]]\ncommand = ["a"]\ndeps = [0]\n', "keys this reader does not run (deps)"),
    ('stream_log = "x"\n[[task]]\ncommand = ["a"]\n', "(stream_log)"),
    ('[[task]]\ncommand = ["a"]\nenv = { A = 1 }\n', "env must be a table of strings"),
])
def test_a_bad_job_file_is_refused_saying_what_is_wrong(tmp_path, text, words):
    path = tmp_path / "job.toml"
    path.write_text(text)
    with pytest.raises(JobFileError) as err:
        read(path)
    assert words in str(err.value) and str(path) in str(err.value)


def test_a_missing_file_and_an_empty_job_are_refused(tmp_path):
    with pytest.raises(JobFileError, match="no such job file"):
        read(tmp_path / "absent.toml")
    with pytest.raises(JobFileError, match="at least one task"):
        render([], "empty")
