"""The trials table and `hptune-tui results`."""

from __future__ import annotations

import json

import pytest

from tui.cli import main
from tui.results.table import TrialTable
from tui.results.tailer import RunTailer


def make_run(run, trials):
    """trials: {name: (params, [val_acc...], status or None)}"""
    for name, (params, accs, status) in trials.items():
        t = run / "trials" / name
        t.mkdir(parents=True)
        (t / "params.json").write_text(json.dumps(params))
        lines = [json.dumps({"step": i + 1, "val_acc": a, "val_loss": 1 - a}) for i, a in enumerate(accs)]
        (t / "metrics.jsonl").write_text("".join(x + "\n" for x in lines))
        if status:
            (t / "result.json").write_text(json.dumps({"status": status, "reason": "why" if status == "failed" else ""}))
    return run


@pytest.fixture
def run(tmp_path):
    return make_run(tmp_path / "ex" / "runs" / "42", {
        "0000": ({"lr": 0.1, "depth": 2}, [0.5, 0.8], "complete"),
        "0001": ({"lr": 0.01, "depth": 2}, [0.6, 0.95, 0.9], "complete"),
        "0002": ({"lr": 1.0, "depth": 2}, [0.1], "failed"),
        "0003": ({"lr": 0.001, "depth": 2}, [], None),
    })


def test_rows_best_and_varying_params(run):
    tailer = RunTailer(run)
    tailer.refresh()
    table = TrialTable(tailer)
    rows = {r["trial"]: r for r in table.rows()}
    assert rows["0001"]["val_acc"] == 0.95 and rows["0001"]["best_step"] == 2 and rows["0001"]["steps"] == 3
    assert rows["0002"]["status"] == "failed" and rows["0002"]["reason"] == "why"
    assert rows["0003"]["status"] == "running" and rows["0003"]["val_acc"] is None
    assert table.best()["trial"] == "0001"
    assert table.param_names(varying_only=True) == ["lr"] and "depth" in table.param_names()
    assert TrialTable(tailer, "val_loss", "min").best()["trial"] == "0001"


def test_frame_sorts_and_is_cached_until_something_changes(run):
    tailer = RunTailer(run)
    tailer.refresh()
    table = TrialTable(tailer)
    frame = table.frame()
    assert list(frame["trial"])[:3] == ["0001", "0000", "0002"] and frame["trial"].iloc[-1] == "0003"
    assert list(table.frame("lr")["trial"]) == ["0003", "0001", "0000", "0002"]
    cached = table._frame
    table.frame()
    assert table._frame is cached
    with open(run / "trials" / "0003" / "metrics.jsonl", "a") as handle:
        handle.write(json.dumps({"step": 1, "val_acc": 0.99}) + "\n")
    tailer.refresh()
    assert table.frame()["trial"].iloc[0] == "0003" and table._frame is not cached


def test_cli_text_json_and_csv(run, capsys):
    assert main(["results", str(run)]) == 0
    out = capsys.readouterr().out
    assert "0001" in out and "4 trials" in out and "best 0001" in out and "depth" not in out
    assert main(["results", str(run), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["best"]["trial"] == "0001" and data["counts"] == {"complete": 2, "failed": 1, "running": 1}
    assert len(data["trials"]) == 4
    assert main(["results", str(run), "--csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0].startswith("trial,status,steps,val_acc") and len(csv) == 5


def test_cli_takes_an_exercise_folder_for_its_latest_run(run, capsys):
    assert main(["results", str(run.parent.parent), "--json"]) == 0
    captured = capsys.readouterr()
    assert "latest run" in captured.err and json.loads(captured.out)["run"] == str(run)


def test_cli_bad_inputs_exit_2(tmp_path, run, capsys):
    assert main(["results", str(tmp_path / "missing")]) == 2
    assert "not a folder" in capsys.readouterr().err
    (tmp_path / "plain").mkdir()
    assert main(["results", str(tmp_path / "plain")]) == 2
    assert "not a run folder" in capsys.readouterr().err
    assert main(["results", str(run), "--sort", "nope"]) == 2
    assert "no column 'nope'" in capsys.readouterr().err
