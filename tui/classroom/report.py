"""The class view's tables, from the learners' summaries: one path for `hptune-tui class` and the screen.

A row per learner (progress, where they are stuck and for how long, best results), per method the
best results of the class, a leaderboard, and method against cost (core-hours, GPU-hours, wall
time, best metric): the debrief slide of the afternoon.
"""

from __future__ import annotations

import statistics
from typing import Any

from tui.classroom.model import METHOD_TITLES, METHODS, Summary


def duration(seconds: float) -> str:
    """`45s`, `12m`, `3h05m`, `2d04h`: short enough for a table cell."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def stuck(summary: Summary, now: float) -> tuple[str, str, float] | None:
    """(exercise, check id, seconds failing) of the check failing longest in the exercise checked
    last that is not done yet; None when nothing fails."""
    open_ = [(state.at, ex, state) for ex, state in summary.checks.items() if state.failing]
    if not open_:
        return None
    _, exercise, state = max(open_)
    check, since = min(state.failing.items(), key=lambda kv: (kv[1], kv[0]))
    return exercise, check, max(0.0, now - since)


def learner_row(summary: Summary, now: float) -> dict[str, Any]:
    """One learner: lessons read (mean share), exercises done, where stuck, best per exercise."""
    lessons = [p.read for p in summary.progress.values() if p.kind == "lesson"]
    exercises = [p for p in summary.progress.values() if p.kind == "exercise"]
    where = stuck(summary, now)
    return {
        "user": summary.user,
        "lessons": round(sum(lessons) / len(lessons), 3) if lessons else 0.0,
        "done": sum(p.done for p in exercises), "exercises": len(exercises),
        "stuck": None if where is None else {"exercise": where[0], "check": where[1], "for_s": round(where[2])},
        "best": {ex: round(b.value, 4) for ex, b in sorted(summary.best.items())},
        "age_s": round(max(0.0, now - summary.updated)),
    }


def learner_rows(summaries: list[Summary], now: float) -> list[dict[str, Any]]:
    """Every learner, the one stuck longest first (who needs the teacher), then by name."""
    rows = [learner_row(s, now) for s in summaries]
    return sorted(rows, key=lambda r: (-(r["stuck"] or {}).get("for_s", -1), r["user"]))


def best_values(summaries: list[Summary]) -> dict[str, list[float]]:
    """method -> every learner's best metric for it (the distribution to plot)."""
    out: dict[str, list[float]] = {method: [] for method in METHODS.values()}
    for summary in summaries:
        for exercise, method in METHODS.items():
            if exercise in summary.best:
                out[method].append(summary.best[exercise].value)
    return out


def leaderboard(summaries: list[Summary], top: int = 10) -> list[dict[str, Any]]:
    """The best results of the class, any method, best first (ties: the earlier user name)."""
    entries = [{"user": s.user, "method": METHODS.get(ex, ex), "exercise": ex, "metric": b.metric,
                "value": b.value, "params": dict(b.params)}
               for s in summaries for ex, b in s.best.items() if ex in METHODS]
    entries.sort(key=lambda e: (-e["value"], e["user"], e["exercise"]))
    return entries[:top]


def method_costs(summaries: list[Summary]) -> list[dict[str, Any]]:
    """Per method: learners with a result, summed core-hours, GPU-hours and wall time, best metrics."""
    rows = []
    for exercise, method in METHODS.items():
        costs = [s.cost[exercise] for s in summaries if exercise in s.cost]
        values = [s.best[exercise].value for s in summaries if exercise in s.best]
        useful = [c["useful_fraction"] for c in costs if "useful_fraction" in c]
        rows.append({
            "method": method, "title": METHOD_TITLES.get(method, method), "exercise": exercise,
            "learners": len(values), "costed": len(costs),
            "cpu_hours": round(sum(c.get("cpu_hours", 0.0) for c in costs), 4),
            "gpu_hours": round(sum(c.get("gpu_hours", 0.0) for c in costs), 4),
            "elapsed_s": round(sum(c.get("elapsed_s", 0.0) for c in costs), 1),
            "wall_s": round(sum(c.get("wall_s", c.get("elapsed_s", 0.0)) for c in costs), 1),
            "useful_fraction": round(statistics.fmean(useful), 3) if useful else None,
            "best": max(values) if values else None,
            "median": statistics.median(values) if values else None,
        })
    return rows


def class_json(summaries: list[Summary], notes: list[str], now: float) -> dict[str, Any]:
    """Everything the view shows, as JSON-ready data (`hptune-tui class --json`)."""
    return {"learners": learner_rows(summaries, now), "best": best_values(summaries),
            "leaderboard": leaderboard(summaries), "methods": method_costs(summaries), "notes": list(notes)}


# -- cells: the same text in `hptune-tui class` and on the screen ----------------------------------
# ex01/ex02: the best val_acc of each exercise; seen: how long ago the summary was published
LEARNER_COLUMNS = ("learner", "read", "done", "stuck on", "for", "ex01", "ex02", "seen")
LEADER_COLUMNS = ("#", "learner", "method", "val_acc", "configuration")
COST_COLUMNS = ("method", "learners", "core-h", "GPU-h", "wall", "useful", "best", "median")


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def learner_cells(row: dict[str, Any]) -> list[str]:
    where = row["stuck"]
    return [row["user"], f"{row['lessons']:.0%}", f"{row['done']}/{row['exercises']}",
            "-" if where is None else f"{where['exercise']} {where['check']}",
            "-" if where is None else duration(where["for_s"]),
            _num(row["best"].get("01")), _num(row["best"].get("02")), duration(row["age_s"])]


def leader_cells(rank: int, entry: dict[str, Any]) -> list[str]:
    params = " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in entry["params"].items())
    return [str(rank), entry["user"], entry["method"], _num(entry["value"]), params[:60]]


def cost_cells(row: dict[str, Any]) -> list[str]:
    useful = row["useful_fraction"]
    return [row["title"], str(row["learners"]), _num(row["cpu_hours"], 2) if row["costed"] else "-",
            _num(row["gpu_hours"], 2) if row["costed"] else "-",
            duration(row["wall_s"]) if row["costed"] else "-", "-" if useful is None else f"{useful:.0%}",
            _num(row["best"]), _num(row["median"])]


def text_table(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell, for the terminal."""
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)
