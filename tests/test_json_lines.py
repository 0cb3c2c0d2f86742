"""One reader of JSON-lines files (tui.fsutil.read_json_lines) for the job index, a stale trial's
metrics and the trial spans of the overhead view: a half-written last line, a line that is not an
object, or a byte that is not UTF-8 is skipped, never an exception."""

from __future__ import annotations

import json

from tui.fsutil import read_json_lines
from tui.results.stale import StaleTrial, write_failed_result
from tui.sim.own_runs import trial_spans

LINES = b'{"step": 1, "time": 10.0, "val_acc": 0.5}\n[1, 2]\n\xff\xfe\n{"step": 2, "time": 70.0, "val_acc": 0.75}\n{"st'


def test_only_whole_objects_are_read(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(LINES)
    assert [row["step"] for row in read_json_lines(path)] == [1, 2]


def test_a_missing_file_reads_as_nothing(tmp_path):
    assert read_json_lines(tmp_path / "none.jsonl") == []


def test_a_stale_trial_with_a_stray_byte_in_its_metrics_is_still_failed(tmp_path):
    folder = tmp_path / "trials" / "0003"
    folder.mkdir(parents=True)
    (folder / "metrics.jsonl").write_bytes(LINES)
    item = StaleTrial(number=3, trial_id=3, task="7_3", state="CANCELLED", reason="worker cancelled")
    assert write_failed_result(tmp_path, item, {"job_id": "7"})
    result = json.loads((folder / "result.json").read_text())
    assert result["steps"] == 2 and result["best"] == {"val_acc": 0.75, "step": 2}


def test_trial_spans_skip_what_is_not_a_timed_object(tmp_path):
    folder = tmp_path / "trials" / "0000"
    folder.mkdir(parents=True)
    (folder / "metrics.jsonl").write_bytes(LINES)
    assert trial_spans(tmp_path) == [(10.0, 70.0)]
