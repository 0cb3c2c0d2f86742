"""The tailer bounds what it reads: chunks per read, a cap per trial, over-long lines skipped."""

from __future__ import annotations

import builtins
import json

import pytest

from tui.results import tailer as tailer_module
from tui.results.tailer import RunTailer


def line(step: int) -> str:
    return json.dumps({"step": step, "val_acc": 0.5}) + "\n"


@pytest.fixture
def read_sizes(monkeypatch):
    """The size of every read() of an opened file, recorded."""
    sizes: list[int] = []
    real_open = builtins.open

    def spy_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        real_read = handle.read
        handle.read = lambda n=-1: (sizes.append(n), real_read(n))[1]
        return handle

    monkeypatch.setattr(builtins, "open", spy_open)
    return sizes


def test_a_huge_metrics_file_is_read_in_bounded_chunks_up_to_a_cap(tmp_path, read_sizes):
    # 64 MiB, not bench/bounded_readers.py's 1 GB: enough to be over every bound, gentle if a bound breaks.
    chunk, cap = tailer_module.READ_CHUNK, tailer_module.MAX_METRICS_BYTES
    trial = tmp_path / "trials" / "0000"
    trial.mkdir(parents=True)
    with open(trial / "metrics.jsonl", "w") as handle:  # real lines, then a sparse hole of NULs
        handle.write("".join(line(step) for step in range(1000)))
        handle.truncate(64 << 20)
    tailer = RunTailer(tmp_path)
    assert tailer.refresh() == ["0000"]
    rec = tailer.trials["0000"]
    assert [m["step"] for m in rec.metrics] == list(range(1000))
    assert read_sizes and all(0 <= n <= chunk for n in read_sizes)
    assert sum(read_sizes) <= cap
    assert rec.note == "metrics.jsonl is over 4 MiB (64 MiB); only its first 4 MiB are read"
    read_sizes.clear()
    assert tailer.refresh() == [] and read_sizes == []  # nothing more is read, ever


@pytest.mark.parametrize("chunk", [1, 5, 17, 64, 1 << 20])
def test_lines_split_across_chunks_are_whole_and_a_half_line_waits(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(tailer_module, "READ_CHUNK", chunk)
    trial = tmp_path / "trials" / "0000"
    trial.mkdir(parents=True)
    metrics = trial / "metrics.jsonl"
    metrics.write_text("".join(line(step) for step in range(20)) + '{"step": 20, "val')
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    rec = tailer.trials["0000"]
    assert [m["step"] for m in rec.metrics] == list(range(20)) and rec.bad_lines == 0
    with open(metrics, "a") as handle:
        handle.write('_acc": 0.9}\n' + line(21))
    tailer.refresh()
    assert [m["step"] for m in rec.metrics] == list(range(22)) and rec.metrics[20]["val_acc"] == 0.9


def test_an_over_long_line_is_skipped_without_being_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tailer_module, "READ_CHUNK", 32)
    monkeypatch.setattr(tailer_module, "MAX_LINE", 100)
    trial = tmp_path / "trials" / "0000"
    trial.mkdir(parents=True)
    metrics = trial / "metrics.jsonl"
    metrics.write_text(line(1) + "x" * 1000)
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    rec = tailer.trials["0000"]
    assert rec.skipping and rec.bad_lines == 1 and rec.offset == metrics.stat().st_size
    with open(metrics, "a") as handle:
        handle.write("x" * 300 + "\n" + line(2))
    tailer.refresh()
    assert [m["step"] for m in rec.metrics] == [1, 2] and rec.bad_lines == 1 and not rec.skipping


def test_an_oversized_result_json_is_not_read_and_said(tmp_path, monkeypatch):
    monkeypatch.setattr(tailer_module, "MAX_JSON_BYTES", 64)
    trial = tmp_path / "trials" / "0000"
    trial.mkdir(parents=True)
    (trial / "result.json").write_text(json.dumps({"status": "complete", "pad": "p" * 100}))
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    rec = tailer.trials["0000"]
    assert not rec.done and rec.note == "result.json is over 64 bytes; it was not read"


def test_results_says_what_it_did_not_read(tmp_path, capsys):
    from tui.cli import main

    trial = tmp_path / "run" / "trials" / "0000"
    trial.mkdir(parents=True)
    with open(trial / "metrics.jsonl", "w") as handle:
        handle.write(line(1))
        handle.truncate(8 << 20)
    assert main(["results", str(tmp_path / "run"), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["counts"] == {"running": 1}
    assert f"{tmp_path / 'run'}: trial 0000: metrics.jsonl is over 4 MiB (8 MiB)" in captured.err
