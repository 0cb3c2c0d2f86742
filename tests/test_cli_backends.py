"""The frame of the CLI's job commands (tui.commands.backends): a failure of the
scheduler is one line on stderr and exit 1 with nothing on stdout, an OSError of the workspace
goes up to the CLI, the backends are closed in every case, and "no jobs" is said only when known."""

from __future__ import annotations

import pytest

from tui.cli import main
from tui.cluster.backend import BackendError
from tui.commands.backends import print_answer, with_backends


class _Backends:
    made: list["_Backends"] = []

    def __init__(self, settings, interactive=None) -> None:
        self.closed = False
        _Backends.made.append(self)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def backends(monkeypatch):
    _Backends.made = []
    monkeypatch.setattr("tui.workflows.jobs.Backends", _Backends)
    return _Backends.made


def test_the_works_answer_comes_back_and_the_backends_are_closed(backends):
    assert with_backends("status", None, lambda b: ("answer", b)) == (True, ("answer", backends[0]))
    assert backends[0].closed


def test_a_scheduler_failure_is_one_line(backends, capsys):
    def work(_):
        raise BackendError("sacct: error: Slurm accounting storage is disabled\nmore", "ask your admin")

    assert with_backends("cost", None, work) == (False, None)
    out, err = capsys.readouterr()
    assert out == "" and err == ("hptune-tui cost: sacct: error: Slurm accounting storage is disabled "
                                 "(hint: ask your admin)\n")
    assert backends[0].closed


def test_the_workspaces_own_errors_go_up(backends):
    def work(_):
        raise PermissionError(13, "Permission denied", "/ws/.hptune/jobs.jsonl")

    with pytest.raises(PermissionError):
        with_backends("status", None, work)
    assert backends[0].closed


@pytest.mark.parametrize("argv", [["status"], ["cancel", "123"], ["cost"]])
def test_each_job_command_exits_1_when_its_backend_fails(argv, backends, monkeypatch, tmp_path, capsys):
    def fail(*args, **kwargs):
        raise BackendError("the scheduler did not answer")

    for name in ("jobs_to_show", "cancel"):
        monkeypatch.setattr(f"tui.workflows.jobs.{name}", fail)
    monkeypatch.setattr("tui.results.cost.ledger", fail)
    assert main(["-w", str(tmp_path / "ws"), *argv]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"hptune-tui {argv[0]}: the scheduler did not answer\n"
    assert [b.closed for b in backends] == [True]


@pytest.mark.parametrize("errors, as_json, text, out, code", [
    ([], None, "", "no jobs\n", 0),
    (["slurm: the scheduler did not answer"], None, "", "", 1),  # never "no jobs" when it is not known
    (["slurm: the scheduler did not answer"], None, "JOBID ...", "JOBID ...\n", 1),
    (["slurm: the scheduler did not answer"], {"jobs": [], "errors": ["slurm"]}, "",
     '{\n  "jobs": [],\n  "errors": [\n    "slurm"\n  ]\n}\n', 1),
])
def test_print_answer_says_nothing_only_when_every_backend_answered(errors, as_json, text, out, code, capsys):
    assert print_answer("status", errors, as_json, text, "no jobs") == code
    printed, err = capsys.readouterr()
    assert printed == out and err == "".join(f"hptune-tui status: {e}\n" for e in errors)
