"""A learner's summary, built from their workspace: progress, failing checks, best results, cost.

The same function builds what `publish` writes and what `hptune-tui class --mine` prints, so
the learner sees exactly what the teacher gets. When each failing check began failing is kept
in the workspace (`.hptune/checks.json`), updated after every check run.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from tui.classroom.model import COST_KEYS, METHODS, VERSION
from tui.fsutil import update_json

CHECKS_FILE = ".hptune/checks.json"
METRIC = "val_acc"  # what every exercise maximises


def record_check(workspace: Path, report, now: float | None = None) -> None:
    """Remember this check run of `report.exercise`: a check failing before keeps its first time."""
    now = time.time() if now is None else now

    def change(data: Any) -> dict:
        data = data if isinstance(data, dict) else {}
        before = data.get(report.exercise, {})
        since = before.get("failing", {}) if isinstance(before, dict) else {}
        since = since if isinstance(since, dict) else {}
        data[report.exercise] = {"at": now, "passed": sum(c.passed for c in report.checks),
                                 "total": len(report.checks),
                                 "failing": {i: since.get(i, now) for i in report.failed_ids()}}
        return data

    update_json(Path(workspace) / CHECKS_FILE, change, broken=lambda _path, _exc: {})


def build_summary(settings, user: str, now: float | None = None) -> dict[str, Any]:
    """The summary of `user`'s workspace (settings.workspace), as JSON-ready data."""
    workspace = Path(settings.workspace)
    return {"version": VERSION, "user": user, "updated": time.time() if now is None else now,
            "progress": _progress(workspace), "checks": _checks(workspace),
            "best": _best(workspace), "cost": _cost(settings)}


def _progress(workspace: Path) -> dict[str, Any]:
    from tui.course.catalog import bundled_catalog
    from tui.course.progress import ProgressStore
    from tui.course.quiz import bundled_questions

    store = ProgressStore.open(workspace, read_only=True)
    questions = bundled_questions()
    out = {}
    for item in bundled_catalog().items:
        asked = [q.id for q in questions.get(item.id, ())]
        out[item.id] = {"kind": item.kind, "read": round(store.fraction(item.id, [s.id for s in item.steps]), 3),
                        "done": store.completed(item.id),
                        "quiz": [len(set(store.answers(item.id)) & set(asked)), len(asked)]}
    return out


def _checks(workspace: Path) -> dict[str, Any]:
    import json

    try:
        data = json.loads((workspace / CHECKS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _best(workspace: Path) -> dict[str, Any]:
    """Per exercise of a method, the best trial of its run that `hptune-tui results` shows."""
    from tui.course.catalog import bundled_catalog
    from tui.results.table import TrialTable
    from tui.results.tailer import RunTailer
    from tui.workflows.results import pick_run

    out = {}
    for exercise, method in METHODS.items():
        run = pick_run(workspace / bundled_catalog().exercise(exercise).dir).run_dir
        if run is None:
            continue
        tailer = RunTailer(run)
        tailer.refresh()
        best = TrialTable(tailer, METRIC, "max").best()
        if best is None or not math.isfinite(best[METRIC]):
            continue
        params = {k: v for k, v in (tailer.trials[best["trial"]].params or {}).items()
                  if isinstance(v, (str, int, float, bool)) and len(str(v)) <= 100}
        out[exercise] = {"method": method, "metric": METRIC, "value": float(best[METRIC]), "params": params,
                         "run": run.name, "trials": len(tailer.trials)}
    return out


def _cost(settings) -> dict[str, Any]:
    """Per exercise, the cost ledger's figures (empty until tui.results.cost exists, or if it fails)."""
    try:
        from tui.results.cost import ledger
    except ImportError:
        return {}
    try:
        raw = ledger(settings).to_json()
    except Exception:  # noqa: BLE001 - a ledger that cannot be read leaves the cost out, never the summary
        return {}
    return normalise_cost(raw)


def normalise_cost(raw: Any) -> dict[str, dict[str, float]]:
    """`{exercise: {cpu_hours, gpu_hours, elapsed_s, queue_wait_s, useful_fraction}}` from the ledger's
    JSON, whether it keeps the exercises at its top or under "exercises"."""
    if isinstance(raw, dict) and isinstance(raw.get("exercises"), (dict, list)):
        raw = raw["exercises"]
    if isinstance(raw, list):  # [{"exercise": "01", ...}, ...]
        raw = {str(e.get("exercise")): e for e in raw if isinstance(e, dict) and e.get("exercise")}
    if not isinstance(raw, dict):
        return {}
    out = {}
    for exercise, figures in raw.items():
        if not exercise or not isinstance(figures, dict):  # "": jobs of no exercise
            continue
        if "useful_fraction" not in figures and isinstance(figures.get("useful"), (int, float)):
            figures = {**figures, "useful_fraction": figures["useful"]}
        kept = {k: float(figures[k]) for k in COST_KEYS
                if isinstance(figures.get(k), (int, float)) and not isinstance(figures.get(k), bool)}
        if kept:
            out[str(exercise)] = kept
    return out
