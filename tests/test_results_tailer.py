"""The incremental tailer: new bytes only, half-written lines, rewritten files, result.json."""

from __future__ import annotations

import json

from tui.results.tailer import RunTailer, parse_lines


def trial_dir(run, name="0000"):
    path = run / "trials" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def append(path, text):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def line(step, acc=0.5):
    return json.dumps({"step": step, "val_acc": acc}) + "\n"


def test_missing_run_or_empty_trials_is_not_an_error(tmp_path):
    tailer = RunTailer(tmp_path / "nothing")
    assert tailer.refresh() == [] and tailer.trials == {}


def test_reads_only_new_lines_and_keeps_a_half_written_one(tmp_path):
    t = trial_dir(tmp_path)
    metrics = t / "metrics.jsonl"
    append(metrics, line(1) + '{"step": 2, "val_a')
    tailer = RunTailer(tmp_path)
    assert tailer.refresh() == ["0000"]
    rec = tailer.trials["0000"]
    assert [m["step"] for m in rec.metrics] == [1] and rec.offset == len(line(1))
    assert rec.status == "running"
    assert tailer.refresh() == []  # nothing new: nothing changes, version stays
    version = tailer.version
    append(metrics, 'cc": 0.7}\n' + line(3))
    assert tailer.refresh() == ["0000"] and tailer.version == version + 1
    assert [m["step"] for m in rec.metrics] == [1, 2, 3] and rec.metrics[1]["val_acc"] == 0.7


def test_new_bytes_are_read_from_the_stored_offset(tmp_path, monkeypatch):
    t = trial_dir(tmp_path)
    append(t / "metrics.jsonl", line(1) * 50)
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    seeks = []
    import builtins

    real_open = builtins.open

    def spy_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        real_seek = handle.seek
        handle.seek = lambda pos, *a: (seeks.append(pos), real_seek(pos, *a))[1]
        return handle

    append(t / "metrics.jsonl", line(51))
    monkeypatch.setattr(builtins, "open", spy_open)
    tailer.refresh()
    assert seeks == [50 * len(line(1))]


def test_bad_lines_are_skipped_and_counted(tmp_path):
    t = trial_dir(tmp_path)
    append(t / "metrics.jsonl", line(1) + "garbage\n" + "[1, 2]\n" + "\n" + line(2))
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    rec = tailer.trials["0000"]
    assert [m["step"] for m in rec.metrics] == [1, 2] and rec.bad_lines == 2


def test_params_then_result_then_no_more_reads(tmp_path):
    t = trial_dir(tmp_path)
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    assert tailer.trials["0000"].status == "pending"
    (t / "params.json").write_text('{"lr": 0.1}')
    append(t / "metrics.jsonl", line(1, 0.3) + line(2, 0.9))
    (t / "result.json").write_text(json.dumps({"status": "complete", "reason": ""}))
    tailer.refresh()
    rec = tailer.trials["0000"]
    assert rec.params == {"lr": 0.1} and rec.done and rec.status == "complete"
    assert rec.best() == (0.9, 2) and rec.best("val_acc", "min") == (0.3, 1)
    append(t / "metrics.jsonl", line(3))
    assert tailer.refresh() == []  # a finished trial is not read again


def test_a_rewritten_metrics_file_is_read_again(tmp_path):
    t = trial_dir(tmp_path)
    append(t / "metrics.jsonl", line(1) + line(2) + line(3))
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    (t / "metrics.jsonl").write_text(line(1, 0.1))  # a requeued task starts over
    tailer.refresh()
    assert [m["val_acc"] for m in tailer.trials["0000"].metrics] == [0.1]


def test_half_written_result_json_waits_for_the_next_refresh(tmp_path):
    t = trial_dir(tmp_path)
    (t / "result.json").write_text('{"status": "compl')
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    assert not tailer.trials["0000"].done
    (t / "result.json").write_text('{"status": "failed", "reason": "x"}')
    tailer.refresh()
    assert tailer.trials["0000"].status == "failed"


def test_new_trials_appear_and_counts_group_statuses(tmp_path):
    trial_dir(tmp_path, "0000")
    tailer = RunTailer(tmp_path)
    tailer.refresh()
    t1 = trial_dir(tmp_path, "0001")
    (t1 / "result.json").write_text('{"status": "pruned"}')
    (tmp_path / "trials" / ".hidden").mkdir()
    tailer.refresh()
    assert [r.id for r in tailer.records()] == ["0000", "0001"]
    assert tailer.counts() == {"pending": 1, "pruned": 1}


def test_parse_lines_fast_path_and_fallback_agree():
    good = (line(1) + line(2)).encode()
    assert parse_lines(good) == ([{"step": 1, "val_acc": 0.5}, {"step": 2, "val_acc": 0.5}], 0)
    rows, bad = parse_lines(good + b"oops\n")
    assert len(rows) == 2 and bad == 1
