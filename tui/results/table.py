"""The trials table: one row per trial (id, status, hyperparameters, metrics), sortable.

Rows are plain dicts (the CLI's --json and the checks need no pandas); `frame()` builds a
pandas DataFrame lazily and caches it until the tailer sees something new.
"""

from __future__ import annotations

import math
from typing import Any

from tui.results.tailer import RunTailer, TrialRecord

METRIC_COLUMNS = ("val_loss", "train_loss", "samples_per_s", "elapsed_s", "peak_mem_gb")


def trial_row(rec: TrialRecord, metric: str = "val_acc", mode: str = "max") -> dict[str, Any]:
    """One table row: id, status, steps, the best `metric` and its step, last metrics, params."""
    best, best_step = rec.best(metric, mode)
    last = rec.metrics[-1] if rec.metrics else {}
    row: dict[str, Any] = {"trial": rec.id, "status": rec.status, "steps": len(rec.metrics),
                           metric: best, "best_step": best_step}
    row.update({name: last.get(name) for name in METRIC_COLUMNS})
    row["reason"] = (rec.result or {}).get("reason", "")
    for key, value in (rec.params or {}).items():
        row.setdefault(key, value)
    return row


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def sort_rows(rows: list[dict[str, Any]], column: str, ascending: bool) -> list[dict[str, Any]]:
    """`rows` sorted by `column` (stable; missing values last either way; numbers before text)."""
    keyed, missing = [], []
    for row in rows:
        value = row.get(column)
        if _missing(value):
            missing.append(row)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            keyed.append(((0, float(value), ""), row))
        else:
            keyed.append(((1, 0.0, str(value)), row))
    keyed.sort(key=lambda pair: pair[0], reverse=not ascending)  # stable, reversed or not
    return [row for _, row in keyed] + missing


class TrialTable:
    """The table of a run, built from a RunTailer's records."""

    def __init__(self, tailer: RunTailer, metric: str = "val_acc", mode: str = "max"):
        self.tailer = tailer
        self.metric = metric
        self.mode = mode
        self._frame = None
        self._frame_version = -1

    def rows(self) -> list[dict[str, Any]]:
        return [trial_row(rec, self.metric, self.mode) for rec in self.tailer.records()]

    def param_names(self, varying_only: bool = False) -> list[str]:
        """Hyperparameter names in first-seen order; optionally only those that differ between trials."""
        names: dict[str, set] = {}
        for rec in self.tailer.records():
            for key, value in (rec.params or {}).items():
                names.setdefault(key, set()).add(repr(value))
        if varying_only and len(self.tailer.trials) > 1:
            return [k for k, seen in names.items() if len(seen) > 1]
        return list(names)

    def best(self) -> dict[str, Any] | None:
        """The row of the best trial by `metric` (over every trial that reported it), or None."""
        rows = [r for r in self.rows() if isinstance(r.get(self.metric), (int, float))]
        if not rows:
            return None
        pick = max if self.mode == "max" else min
        return pick(rows, key=lambda r: r[self.metric])

    def frame(self, sort_by: str | None = None, ascending: bool | None = None):
        """The table as a pandas DataFrame, sorted by `sort_by` (default: the metric, best first)."""
        import pandas as pd

        if self._frame is None or self._frame_version != self.tailer.version:
            self._frame = pd.DataFrame(self.rows())
            self._frame_version = self.tailer.version
        frame = self._frame
        sort_by = sort_by or self.metric
        if frame.empty or sort_by not in frame.columns:
            return frame
        if ascending is None:
            ascending = sort_by != self.metric or self.mode == "min"
        return frame.sort_values(sort_by, ascending=ascending, na_position="last", kind="stable")
