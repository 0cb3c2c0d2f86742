"""The watch helper re-runs checks when a watched file is created, changed or deleted."""

from __future__ import annotations

import os

from tui.checks.watch import changed, snapshot, watch


def test_snapshot_and_changed(tmp_path):
    (tmp_path / "sample.py").write_text("a")
    before = snapshot(tmp_path, ["sample.py", "job.sh"])
    assert list(before) == ["sample.py"]
    (tmp_path / "job.sh").write_text("#!/bin/bash\n")
    (tmp_path / "sample.py").write_text("ab")
    assert changed(before, snapshot(tmp_path, ["sample.py", "job.sh"])) == ["job.sh", "sample.py"]
    assert changed(before, before) == []


def test_watch_calls_back_once_per_change(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text("v1")
    edits = iter([lambda: None, lambda: path.write_text("v2 longer"), lambda: None, lambda: os.remove(path)])
    seen = []
    watch(tmp_path, ["sample.py", "job.sh"], seen.append, max_rounds=4, sleep=lambda _: next(edits)())
    assert seen == [["sample.py"], ["sample.py"]]
