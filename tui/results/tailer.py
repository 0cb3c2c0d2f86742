"""Incremental reader of a run's trial files (`trials/<trial>/{params.json,metrics.jsonl,result.json}`).

Each refresh reads only the bytes appended since the last one (an offset per file), keeps a
half-written last line for the next refresh, and stops looking at a trial once its
result.json exists (the logger writes it last, so the metrics are whole by then).

Every read is bounded, so a runaway or hostile file cannot take the machine's memory: metrics are
read in chunks of READ_CHUNK, a line longer than MAX_LINE is skipped (counted as bad), a trial's
metrics are read up to MAX_METRICS_BYTES (then `note` says so), and params.json/result.json up to
MAX_JSON_BYTES.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

READ_CHUNK = 1 << 20  # bytes per read() call
MAX_LINE = 1 << 20  # one metrics line is ~100 bytes; anything this long is not one
MAX_METRICS_BYTES = 4 << 20  # per trial: tens of thousands of steps, far more than any exercise logs
MAX_JSON_BYTES = 1 << 20


@dataclass
class TrialRecord:
    """What is known of one trial so far."""

    id: str
    dir: Path
    params: dict[str, Any] | None = None
    metrics: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    offset: int = 0  # bytes of metrics.jsonl consumed (at a line end, unless skipping)
    bad_lines: int = 0  # complete lines that were not a JSON object
    skipping: bool = False  # inside a line over MAX_LINE: skip to its end
    note: str = ""  # what was not read, and why (a file over the bounds)

    @property
    def done(self) -> bool:
        return self.result is not None

    @property
    def status(self) -> str:
        """complete|pruned|failed from result.json; running once it has params, else pending."""
        if self.result is not None:
            return str(self.result.get("status", "unknown"))
        return "running" if self.params is not None or self.metrics else "pending"

    def best(self, metric: str = "val_acc", mode: str = "max") -> tuple[float | None, int | None]:
        """The best value of `metric` over the epochs so far and its step."""
        values = [(m[metric], m.get("step")) for m in self.metrics if isinstance(m.get(metric), (int, float))]
        if not values:
            return None, None
        pick = max if mode == "max" else min
        return pick(values, key=lambda v: v[0])

    def _reset(self) -> None:
        self.params, self.metrics, self.result, self.offset, self.bad_lines = None, [], None, 0, 0
        self.skipping, self.note = False, ""


def _size(count: int) -> str:
    return f"{count / 2**20:.0f} MiB" if count >= 2**20 else f"{count} bytes"


def _read_json(path: Path, rec: TrialRecord | None = None) -> Any:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_JSON_BYTES + 1)
    except OSError:
        return None  # missing: try again next refresh
    if len(data) > MAX_JSON_BYTES:
        if rec is not None:
            rec.note = f"{path.name} is over {_size(MAX_JSON_BYTES)}; it was not read"
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None  # (for a non-atomic writer) half written: try again next refresh


def parse_lines(chunk: bytes) -> tuple[list[dict[str, Any]], int]:
    """Parse complete JSON lines; returns the objects and the number of bad lines skipped."""
    lines = [line for line in chunk.split(b"\n") if line.strip()]
    try:  # one json.loads for the whole chunk is several times faster than one per line
        rows = json.loads(b"[" + b",".join(lines) + b"]")
        if all(isinstance(r, dict) for r in rows):
            return rows, 0
    except ValueError:
        pass
    rows, bad = [], 0
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        if isinstance(row, dict):
            rows.append(row)
        else:
            bad += 1
    return rows, bad


class RunTailer:
    """Follows one run folder; call refresh() as often as you like (it is cheap when idle)."""

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.trials_dir = self.run_dir / "trials"
        self.trials: dict[str, TrialRecord] = {}
        self.version = 0  # bumped whenever anything changed; lets tables cache their frame
        self._dir_mtime = -1

    def _scan_new(self) -> None:
        try:
            mtime = os.stat(self.trials_dir).st_mtime_ns
        except OSError:
            return
        if mtime == self._dir_mtime:
            return  # no trial folder was added or removed
        self._dir_mtime = mtime
        with os.scandir(self.trials_dir) as entries:
            for entry in entries:
                if entry.name not in self.trials and not entry.name.startswith(".") and entry.is_dir():
                    self.trials[entry.name] = TrialRecord(entry.name, Path(entry.path))

    def _read_metrics(self, rec: TrialRecord) -> bool:
        path = os.path.join(rec.dir, "metrics.jsonl")
        try:
            size = os.stat(path).st_size
        except OSError:
            return False
        if size < rec.offset:  # rewritten (a requeued task started over): read it again
            rec._reset()
        stop, start = min(size, MAX_METRICS_BYTES), rec.offset
        if size > MAX_METRICS_BYTES:
            rec.note = (f"metrics.jsonl is over {_size(MAX_METRICS_BYTES)} ({_size(size)}); "
                        f"only its first {_size(MAX_METRICS_BYTES)} are read")
        if rec.offset >= stop:
            return False
        pending = b""
        with open(path, "rb") as handle:
            handle.seek(rec.offset)
            while rec.offset + len(pending) < stop:
                data = handle.read(min(READ_CHUNK, stop - rec.offset - len(pending)))
                if not data:
                    break
                pending = self._take(rec, pending + data)
        return rec.offset != start

    @staticmethod
    def _take(rec: TrialRecord, data: bytes) -> bytes:
        """Consume the complete lines of `data` (read from rec.offset); return the unfinished rest."""
        if rec.skipping:  # the tail of an over-long line: drop it up to its end
            newline = data.find(b"\n")
            if newline < 0:
                rec.offset += len(data)
                return b""
            rec.offset, rec.skipping, data = rec.offset + newline + 1, False, data[newline + 1:]
        end = data.rfind(b"\n") + 1  # a half-written last line waits for the next read
        if end:
            rows, bad = parse_lines(data[:end])
            rec.metrics.extend(rows)
            rec.bad_lines += bad
            rec.offset += end
        rest = data[end:]
        if len(rest) > MAX_LINE:  # not a metrics line: skip it without keeping it
            rec.offset, rec.skipping, rec.bad_lines = rec.offset + len(rest), True, rec.bad_lines + 1
            return b""
        return rest

    def _update(self, rec: TrialRecord) -> bool:
        changed = False
        if rec.params is None:
            rec.params = _read_json(rec.dir / "params.json", rec)
            changed = rec.params is not None
        finished = os.path.exists(os.path.join(rec.dir, "result.json"))
        changed |= self._read_metrics(rec)
        if finished:  # read after the metrics: the logger writes result.json last
            result = _read_json(rec.dir / "result.json", rec)
            if isinstance(result, dict):
                rec.result = result
                rec.params = rec.params if rec.params is not None else result.get("params")
                changed = True
        return changed

    def refresh(self) -> list[str]:
        """Read what is new; returns the ids of the trials that changed."""
        self._scan_new()
        changed = [rec.id for rec in self.trials.values() if not rec.done and self._update(rec)]
        if changed:
            self.version += 1
        return changed

    def records(self) -> list[TrialRecord]:
        """All trials, sorted by id."""
        return [self.trials[k] for k in sorted(self.trials)]

    def notes(self) -> list[str]:
        """One line per trial whose files were over a bound: what was not read."""
        return [f"trial {rec.id}: {rec.note}" for rec in self.records() if rec.note]

    def counts(self) -> dict[str, int]:
        """How many trials are in each status."""
        out: dict[str, int] = {}
        for rec in self.trials.values():
            out[rec.status] = out.get(rec.status, 0) + 1
        return out
